//! The transport: requests built against the server address (with the credential as a
//! sensitive header), sent, and every failure mapped to an [`AppError`] in one place —
//! the server's `{"error":{"code"}}` passed through, else `server_unreachable`, `tls_error`,
//! `server_redirected` or `unexpected_response`.

use keebai_api::wire::ErrorBody;
use keebai_api::TokenSecret;
use reqwest::header::LOCATION;
use reqwest::header::{HeaderValue, AUTHORIZATION};
use reqwest::{Method, RequestBuilder, StatusCode};
use serde::de::DeserializeOwned;
use zeroize::Zeroize;

use super::ApiClient;
use crate::error::{AppError, AppResult, ErrorCode};

impl ApiClient {
    pub(super) fn request(&self, method: Method, path: &str) -> AppResult<RequestBuilder> {
        let url = self.base.join(path).map_err(|e| {
            AppError::new(ErrorCode::InvalidServerUrl, format!("Bad server path: {e}"))
        })?;
        Ok(self.http.request(method, url))
    }

    pub(super) fn authed(
        &self,
        method: Method,
        path: &str,
        credential: &TokenSecret,
    ) -> AppResult<RequestBuilder> {
        let mut text = format!("Bearer {}", credential.expose());
        let header = HeaderValue::from_str(&text);
        text.zeroize();
        let mut header = header.map_err(|_| {
            AppError::new(
                ErrorCode::Internal,
                "The stored session is not a valid header",
            )
        })?;
        // Keeps the value out of reqwest/hyper debug output.
        header.set_sensitive(true);
        Ok(self.request(method, path)?.header(AUTHORIZATION, header))
    }

    pub(super) async fn execute(&self, rb: RequestBuilder) -> AppResult<reqwest::Response> {
        rb.send()
            .await
            .map_err(|e| transport_error(&e, self.server()))
    }

    pub(super) async fn send<T: DeserializeOwned>(&self, rb: RequestBuilder) -> AppResult<T> {
        let response = check_status(self.execute(rb).await?).await?;
        // Read whole first, then decoded: an answer that began and then stopped (the server
        // died, the connection dropped, the body never finished in time) means the server is
        // gone, not wrong — offline, so the cache answers and the app retries — while a whole
        // answer that does not decode is one Keebai does not send.
        let body = response.bytes().await.map_err(|_| {
            AppError::new(
                ErrorCode::ServerUnreachable,
                format!(
                    "The server at {} stopped answering partway through. Check that it is \
                     running.",
                    self.server()
                ),
            )
        })?;
        serde_json::from_slice::<T>(&body).map_err(|e| {
            AppError::new(
                ErrorCode::UnexpectedResponse,
                format!("The server's answer is not what Keebai sends: {e}"),
            )
        })
    }
}

/// Building the client loads the system's certificate authorities; with none at all (no
/// ca-certificates, or `SSL_CERT_FILE` naming nothing usable) no https server can be trusted.
pub(super) fn client_build_error(e: reqwest::Error) -> AppError {
    let mut text = e.to_string();
    let mut source = std::error::Error::source(&e);
    while let Some(s) = source {
        text.push_str(&format!(": {s}"));
        source = s.source();
    }
    AppError::new(
        ErrorCode::TlsError,
        format!(
            "No trusted certificate authorities could be loaded from this computer, so no \
             secure connection can be checked ({text})."
        ),
    )
}

pub(super) async fn check_status(response: reqwest::Response) -> AppResult<reqwest::Response> {
    let status = response.status();
    if status.is_success() {
        return Ok(response);
    }
    if status.is_redirection() {
        return Err(redirected(&response));
    }
    let body = response.bytes().await.unwrap_or_default();
    Err(match serde_json::from_slice::<ErrorBody>(&body) {
        Ok(ErrorBody { error }) => AppError {
            code: error.code.into(),
            message: error.message,
            field: error.field,
        },
        Err(_) => AppError::new(
            status_code_fallback(status),
            format!("The server answered {status} without a Keebai error body."),
        ),
    })
}

/// The server (or something in front of it) answered with a redirect. It is not followed:
/// the request may carry the password, and a 307/308 would send it on unchanged.
fn redirected(response: &reqwest::Response) -> AppError {
    let target = response
        .headers()
        .get(LOCATION)
        .and_then(|v| v.to_str().ok())
        .map(|l| {
            response
                .url()
                .join(l)
                .map_or_else(|_| l.to_owned(), |u| u.to_string())
        })
        // Enough to recognise the place; a hostile server could send a page of text.
        .map(|t| match t.char_indices().nth(200) {
            Some((cut, _)) => format!("{}…", &t[..cut]),
            None => t,
        });
    let origin = response.url().origin().ascii_serialization();
    let message = match target {
        Some(target) => format!(
            "The server at {origin} tried to send the app to {target} ({}). Redirects are \
             not followed, so nothing was sent there; if that is the right server, enter it \
             as the Server address.",
            response.status()
        ),
        None => format!(
            "The server at {origin} answered with a redirect ({}) without saying where to. \
             Redirects are not followed.",
            response.status()
        ),
    };
    AppError::new(ErrorCode::ServerRedirected, message)
}

fn status_code_fallback(status: StatusCode) -> ErrorCode {
    match status.as_u16() {
        401 => ErrorCode::Unauthorized,
        403 => ErrorCode::Forbidden,
        404 => ErrorCode::NotFound,
        409 => ErrorCode::TokenLimitReached,
        429 => ErrorCode::RateLimited,
        400 | 413 | 422 => ErrorCode::InvalidRequest,
        _ => ErrorCode::UnexpectedResponse,
    }
}

/// reqwest folds TLS failures into "connect" errors and hides the rustls error behind
/// `io::Error`s, so the chain's text (Display and Debug, which names the rustls variant) is what
/// tells a certificate or handshake problem from a refused port.
fn transport_error(e: &reqwest::Error, server: &str) -> AppError {
    let mut chain = format!("{e:?} ").to_lowercase();
    let mut source: Option<&dyn std::error::Error> = Some(e);
    while let Some(s) = source {
        chain.push_str(&s.to_string().to_lowercase());
        chain.push(' ');
        source = s.source();
    }
    let tls_words = [
        "certificate",
        "handshake",
        "tls",
        "corrupt message",
        "invalidmessage",
        "alertreceived",
        "peerincompatible",
        "peermisbehaved",
    ];
    let untrusted = [
        "unknownissuer",
        "unknown issuer",
        "not trusted",
        "untrusted",
        "badsignature",
    ];
    if untrusted.iter().any(|w| chain.contains(w)) {
        AppError::new(
            ErrorCode::TlsError,
            format!(
                "The certificate of {server} is not trusted by this computer: it is not issued \
                 by a certificate authority in the system's certificate store. If your \
                 organisation uses its own authority, install it in the system's store."
            ),
        )
    } else if tls_words.iter().any(|w| chain.contains(w)) {
        AppError::new(
            ErrorCode::TlsError,
            format!("A secure connection to {server} could not be made (TLS): {e}"),
        )
    } else if e.is_timeout() || e.is_connect() || e.is_request() {
        AppError::new(
            ErrorCode::ServerUnreachable,
            format!(
                "Can't reach the server at {server}. Check the address and that it is running."
            ),
        )
    } else {
        AppError::new(
            ErrorCode::UnexpectedResponse,
            format!("The request to {server} failed: {e}"),
        )
    }
}

/// Token ids are opaque; percent-encode anything outside the unreserved set so an id can never
/// change the path.
pub(super) fn encode_segment(id: &str) -> String {
    let mut out = String::with_capacity(id.len());
    for b in id.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_cannot_escape_their_path_segment() {
        assert_eq!(encode_segment("01HZX-abc"), "01HZX-abc");
        assert_eq!(encode_segment("../admin"), "..%2Fadmin");
        assert_eq!(encode_segment("a b?"), "a%20b%3F");
    }
}
