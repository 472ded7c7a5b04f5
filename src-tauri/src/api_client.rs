//! `ApiClient`: the Keebai HTTP contract over reqwest (rustls), typed with `keebai_api::wire`,
//! one file per resource over one transport:
//!
//! * `transport` — building requests, sending them, and turning every failure into an
//!   [`AppError`] (the one place errors are mapped);
//! * `sessions` — sign in, sign out, `me`, the permission catalog;
//! * `tokens` — list, create, revoke, rotate;
//! * `roles` — the tenant's roles, and changing a role's permissions;
//! * `users` — the tenant's users, creating one, and assigning roles;
//! * `audit` — the audit trail, a page at a time;
//! * `inventory` — the tenant's tokens, administrators' revokes, disabling a user.
//!
//! Transport rules (the address rules are in [`crate::server_address`]):
//! * TLS certificates are checked against the operating system's store
//!   (rustls-platform-verifier; on Linux the system bundle, or `SSL_CERT_FILE`/`SSL_CERT_DIR`
//!   when set), so a company CA installed on the computer is trusted and nothing else is added.
//! * Redirects are never followed: a 307/308 would re-send the sign-in body (the password) to
//!   wherever it points. A 3xx answer is an error naming that place (`server_redirected`).
//! * A dead server never holds the app: 5 s to connect, 20 s for a whole request.
//!
//! Every failure becomes an [`AppError`] whose code the UI can act on: the server's own error
//! code when it sent one, else `server_unreachable`, `tls_error`, `server_redirected` or
//! `unexpected_response`.

use std::time::Duration;

use reqwest::{redirect, Url};

use crate::error::AppResult;
pub use crate::server_address::normalise_server;

mod audit;
mod inventory;
mod policy;
mod roles;
mod sessions;
mod tokens;
mod transport;
mod users;

/// A client bound to one server address.
#[derive(Clone, Debug)]
pub struct ApiClient {
    base: Url,
    http: reqwest::Client,
}

impl ApiClient {
    /// Validates `server` (see [`normalise_server`]) and builds a client. An address that is
    /// refused never gets a client, so nothing is sent to it.
    pub fn new(server: &str) -> AppResult<Self> {
        let base = normalise_server(server)?;
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(20))
            .user_agent(concat!("keebai-keys/", env!("CARGO_PKG_VERSION")))
            .redirect(redirect::Policy::none())
            .build()
            .map_err(transport::client_build_error)?;
        Ok(Self { base, http })
    }

    /// The normalised server address, e.g. `http://127.0.0.1:8080`.
    pub fn server(&self) -> &str {
        self.base.as_str().trim_end_matches('/')
    }
}
