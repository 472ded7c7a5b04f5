//! How the app reaches a server: `https://` unless told otherwise, plain `http://` only to this
//! computer, certificates checked against the system's store (a company CA works), and no
//! redirect followed. Against real sockets: a real keebai-server, a real TLS terminator with a
//! CA made for the test, and listeners that record what reaches them.

use std::ffi::OsString;
use std::process::Command;
use std::sync::Arc;

use keebai_api::wire::Password;
use keebai_e2e::tls_front::{TestCa, TlsFront};
use keebai_e2e::traps::Trap;
use keebai_e2e::{DemoServer, DEVELOPER, TENANT};
use keebai_keys::app_service::{AppService, SignIn};
use keebai_keys::error::{AppError, ErrorCode};
use keebai_keys::session_vault::MemoryVault;

const PROXY_VARS: &[&str] = &[
    "http_proxy",
    "HTTP_PROXY",
    "https_proxy",
    "HTTPS_PROXY",
    "all_proxy",
    "ALL_PROXY",
    "no_proxy",
    "NO_PROXY",
];

/// Runs the sign-in probe (a separate process, see `src/bin/sign_in_probe.rs`) with exactly
/// the certificate and proxy settings given, and returns what it printed.
fn probe(server: &str, env: &[(&str, OsString)]) -> String {
    let mut command = Command::new(env!("CARGO_BIN_EXE_sign_in_probe"));
    command.arg(server);
    for var in PROXY_VARS.iter().chain(&["SSL_CERT_FILE", "SSL_CERT_DIR"]) {
        command.env_remove(var);
    }
    command.envs(env.iter().map(|(k, v)| (k, v)));
    let out = command.output().expect("run sign_in_probe");
    assert!(out.status.success(), "probe failed: {out:?}");
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

/// Every proxy variable pointing at `trap`: whatever the app sends to another host goes there.
fn through(trap: &Trap) -> Vec<(&'static str, OsString)> {
    let url = OsString::from(trap.url());
    PROXY_VARS
        .iter()
        .filter(|v| !v.eq_ignore_ascii_case("no_proxy"))
        .map(|v| (*v, url.clone()))
        .collect()
}

async fn sign_in(server: &str) -> Result<String, AppError> {
    let dir = tempfile::tempdir().expect("tempdir");
    let service =
        AppService::new(dir.path(), Arc::new(MemoryVault::default()), None).expect("service");
    service
        .sign_in(SignIn {
            server: server.to_owned(),
            tenant: TENANT.to_owned(),
            email: DEVELOPER.0.to_owned(),
            password: Password::new(DEVELOPER.1),
        })
        .await
        .map(|view| view.user.email)
}

fn port_of(url: &str) -> u16 {
    url.rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .expect("port")
}

#[test]
fn a_company_ca_in_the_system_store_is_trusted_and_an_unknown_one_is_not() {
    let server = DemoServer::demo();
    let certs = tempfile::tempdir().expect("tempdir");
    let company = TestCa::new(certs.path(), "company-ca");
    let stranger = TestCa::new(certs.path(), "some-other-ca");
    let empty_dir = tempfile::tempdir().expect("tempdir");
    let backend = format!("127.0.0.1:{}", port_of(&server.url))
        .parse()
        .expect("backend");
    let front = TlsFront::start(&company, backend);
    let trusting = |ca: &TestCa| {
        vec![
            ("SSL_CERT_FILE", ca.pem_file.clone().into_os_string()),
            ("SSL_CERT_DIR", empty_dir.path().as_os_str().to_owned()),
        ]
    };

    // The company's CA in the store: a real sign-in through the TLS front.
    assert_eq!(
        probe(&front.url(), &trusting(&company)),
        format!("ok {}", DEVELOPER.0)
    );
    // No scheme typed: https is used, so the same front answers.
    let bare = front.url().replacen("https://", "", 1);
    assert_eq!(
        probe(&bare, &trusting(&company)),
        format!("ok {}", DEVELOPER.0)
    );

    // The same endpoint when the store holds another CA only: refused, and said so.
    let refused = probe(&front.url(), &trusting(&stranger));
    assert!(
        refused.starts_with("error tls_error ") && refused.contains("is not trusted"),
        "{refused}"
    );
    // And with this machine's own store, which has never heard of the test's CA.
    let refused = probe(&front.url(), &[]);
    assert!(refused.starts_with("error tls_error "), "{refused}");
}

#[tokio::test]
async fn plain_http_reaches_this_computer_at_any_loopback_address() {
    let on_127_0_0_1 = DemoServer::demo();
    let on_127_0_0_2 = DemoServer::demo_on("127.0.0.2:0");
    let on_ipv6 = DemoServer::demo_on("[::1]:0");

    for url in [
        on_127_0_0_2.url.clone(),
        on_ipv6.url.clone(),
        format!("http://localhost:{}", port_of(&on_127_0_0_1.url)),
    ] {
        assert!(url.starts_with("http://"), "{url}");
        assert_eq!(sign_in(&url).await.as_deref(), Ok(DEVELOPER.0), "{url}");
    }

    // Without a scheme, even a loopback address is tried over https: the plain server can't
    // complete the handshake.
    let bare = on_127_0_0_1.url.replacen("http://", "", 1);
    let e = sign_in(&bare).await.expect_err("https to a plain server");
    assert_eq!(e.code, ErrorCode::TlsError, "{e:?}");
}

#[test]
fn plain_http_to_another_host_is_refused_before_anything_is_sent() {
    let proxy = Trap::start(None);

    for address in [
        "http://example.test",
        "http://example.test:8080/v1",
        "http://10.255.255.1:8080",
    ] {
        let out = probe(address, &through(&proxy));
        assert!(
            out.starts_with("error insecure_server_url ")
                && out.contains("https://")
                && out.contains("Nothing was sent"),
            "{address}: {out}"
        );
    }
    assert_eq!(proxy.connections(), 0, "{:?}", proxy.requests());

    // The trap does see what the app sends to another host: https to the same name goes out
    // (through the proxy, which drops it).
    let out = probe("https://example.test", &through(&proxy));
    assert!(out.starts_with("error "), "{out}");
    assert_eq!(proxy.connections(), 1);
    assert!(
        proxy.requests()[0].starts_with("CONNECT example.test:443 "),
        "{:?}",
        proxy.requests()
    );
}

#[tokio::test]
async fn a_redirect_is_refused_naming_where_it_points_and_the_password_is_not_resent() {
    for status in [
        "307 Temporary Redirect",
        "308 Permanent Redirect",
        "302 Found",
    ] {
        let target = Trap::start(Some(
            b"HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n".to_vec(),
        ));
        let location = format!("{}/v1/sessions", target.url());
        let redirector = Trap::redirecting(status, &location);

        let e = sign_in(&redirector.url()).await.expect_err(status);
        assert_eq!(e.code, ErrorCode::ServerRedirected, "{status}: {e:?}");
        assert!(e.message.contains(&location), "{status}: {}", e.message);
        assert!(e.message.contains(&status[..3]), "{status}: {}", e.message);

        // The sign-in went where the user said, once, and nowhere else.
        let sent = redirector.requests();
        assert_eq!(sent.len(), 1, "{status}: {sent:?}");
        assert!(sent[0].starts_with("POST /v1/sessions "), "{sent:?}");
        assert!(sent[0].contains(DEVELOPER.1), "{sent:?}");
        assert_eq!(target.connections(), 0, "{status}: {:?}", target.requests());
    }
}

/// A server that starts its answer and dies before finishing it is gone, not wrong: the app
/// says it can't be reached (so it goes offline and falls back to its cache), while a whole
/// answer that is not Keebai's is still reported as such.
#[tokio::test]
async fn an_answer_cut_short_is_server_unreachable_and_a_foreign_one_is_unexpected() {
    let cut = Trap::start(Some(
        b"HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nContent-Length: 400\r\n\r\n{\"session_token\":\"kbai_se"
            .to_vec(),
    ));
    let e = sign_in(&cut.url()).await.expect_err("cut short");
    assert_eq!(e.code, ErrorCode::ServerUnreachable, "{e:?}");
    assert!(e.message.contains("partway"), "{}", e.message);

    let foreign = Trap::start(Some(
        b"HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n[]"
            .to_vec(),
    ));
    let e = sign_in(&foreign.url()).await.expect_err("not Keebai's");
    assert_eq!(e.code, ErrorCode::UnexpectedResponse, "{e:?}");
}
