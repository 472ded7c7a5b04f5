//! What the **Server** field may name, decided before anything is sent.
//!
//! * No scheme means `https://`: a typed `keebai.example.com` must never go out in clear text.
//! * `http://` only to this computer (127.0.0.0/8, `::1`, `localhost`): a password or session
//!   sent in clear text to any other host can be read and replayed on the way. Anything else is
//!   refused here with `insecure_server_url`, so the refusal happens before a client exists and
//!   no byte reaches the network.
//! * Only scheme, host and port are kept; a path, query or fragment is dropped.

use std::net::IpAddr;

use reqwest::Url;

use crate::error::{AppError, AppResult, ErrorCode};

/// Accepts `host[:port]`, `https://host/…` or `http://<loopback>:port`; keeps scheme, host and
/// port.
pub fn normalise_server(server: &str) -> AppResult<Url> {
    let trimmed = server.trim();
    let with_scheme = if trimmed.contains("://") {
        trimmed.to_owned()
    } else {
        format!("https://{trimmed}")
    };
    let invalid = || {
        AppError::new(
            ErrorCode::InvalidServerUrl,
            "Enter the server address, for example keebai.example.com or https://keebai.example.com.",
        )
    };
    let mut url = Url::parse(&with_scheme).map_err(|_| invalid())?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() || trimmed.is_empty() {
        return Err(invalid());
    }
    if url.scheme() == "http" && !is_loopback(&url) {
        let host = url.host_str().unwrap_or_default();
        return Err(AppError::new(
            ErrorCode::InsecureServerUrl,
            format!(
                "Plain http:// is only allowed to this computer (localhost). {host} must be \
                 reached over https://, so that your password and session cannot be read on \
                 the way. Nothing was sent."
            ),
        ));
    }
    url.set_path("/");
    url.set_query(None);
    url.set_fragment(None);
    Ok(url)
}

/// 127.0.0.0/8, `::1` (also as `::ffff:127.x.y.z`) and the name `localhost`, which every
/// resolver the app runs on maps to those. Any other name could resolve anywhere.
fn is_loopback(url: &Url) -> bool {
    let Some(host) = url.host_str() else {
        return false;
    };
    // An IPv6 host comes bracketed; the URL parser has already normalised IPv4 forms.
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    match bare.parse::<IpAddr>() {
        Ok(ip) => ip.to_canonical().is_loopback(),
        Err(_) => host.eq_ignore_ascii_case("localhost"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_scheme_means_https() {
        let cases = [
            ("keebai.example.com", "https://keebai.example.com/"),
            (
                "keebai.example.com:8443/x",
                "https://keebai.example.com:8443/",
            ),
            ("127.0.0.1:8080", "https://127.0.0.1:8080/"),
            ("  localhost:1  ", "https://localhost:1/"),
        ];
        for (input, want) in cases {
            assert_eq!(normalise_server(input).expect(input).as_str(), want);
        }
    }

    #[test]
    fn https_keeps_scheme_host_and_port_only() {
        assert_eq!(
            normalise_server("https://keebai.example.com/some/path?q=1#f")
                .expect("ok")
                .as_str(),
            "https://keebai.example.com/"
        );
    }

    #[test]
    fn plain_http_only_to_loopback() {
        for ok in [
            "http://127.0.0.1:8080/",
            "http://127.0.0.2:8080/",
            "http://127.255.255.254:1/",
            "http://[::1]:8080/",
            "http://[::ffff:127.0.0.1]:8080/",
            "http://localhost:8080/",
            "http://LOCALHOST:8080/",
        ] {
            let url = normalise_server(ok).expect(ok);
            assert_eq!(url.scheme(), "http", "{ok}");
        }
        for refused in [
            "http://example.test",
            "http://keebai.example.com:8080/",
            "http://10.0.0.1:8080",
            "http://192.168.1.10",
            "http://[2001:db8::1]:8080",
            "http://128.0.0.1",
            "http://localhost.example.test",
            "http://0.0.0.0:8080",
        ] {
            let e = normalise_server(refused).expect_err(refused);
            assert_eq!(e.code, ErrorCode::InsecureServerUrl, "{refused}");
            assert!(e.message.contains("https://"), "{}", e.message);
            assert!(e.message.contains("Nothing was sent"), "{}", e.message);
        }
    }

    #[test]
    fn malformed_addresses_are_invalid() {
        for bad in ["", "ftp://x", "http://", "not a url at all://", "https://"] {
            let e = normalise_server(bad).expect_err(bad);
            assert_eq!(e.code, ErrorCode::InvalidServerUrl, "{bad}");
        }
    }
}
