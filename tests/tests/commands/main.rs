//! The app's command layer (`AppService`, exactly what the Tauri commands call) against a real
//! keebai-server on port 0: sign in, list, create, copy, revoke, permission refresh, and every
//! error code surfacing as its `code`.
//!
//! By subject: [`flows`] (what a user does, and the session kept or restored) and [`errors`]
//! (every error code surfacing as its `code`).

mod errors;
mod flows;

use std::sync::Arc;

use chrono::{Duration, Utc};
use keebai_api::wire::{Password, TokenStatus};
use keebai_e2e::{
    files_containing, DemoServer, RecordingClipboard, ADMIN, DEVELOPER, MEMBER, TENANT,
};
use keebai_keys::app_service::{AppService, NewToken, SignIn};
use keebai_keys::clipboard_guard::SecretClipboard;
use keebai_keys::error::ErrorCode;
use keebai_keys::session_vault::{MemoryVault, SessionVault};
use keebai_keys::settings::Account;

struct App {
    service: AppService,
    clipboard: Arc<RecordingClipboard>,
    dir: tempfile::TempDir,
}

fn app() -> App {
    let dir = tempfile::tempdir().expect("tempdir");
    let clipboard = Arc::new(RecordingClipboard::default());
    let service = AppService::new(
        dir.path(),
        Arc::new(MemoryVault::default()),
        Some(Arc::clone(&clipboard) as Arc<dyn SecretClipboard>),
    )
    .expect("service");
    App {
        service,
        clipboard,
        dir,
    }
}

fn form(server: &str, (email, password): (&str, &str)) -> SignIn {
    SignIn {
        server: server.to_owned(),
        tenant: TENANT.to_owned(),
        email: email.to_owned(),
        password: Password::new(password),
    }
}

fn new_token(name: &str, scopes: &[&str], days: Option<i64>) -> NewToken {
    NewToken {
        name: name.to_owned(),
        scopes: scopes.iter().map(|s| s.to_string()).collect(),
        expires_at: days.map(|d| Utc::now() + Duration::days(d)),
    }
}
