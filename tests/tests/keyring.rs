//! The session vault against the real Secret Service (gnome-keyring in a private D-Bus session).
//! Run by `scripts/test-desktop.sh` inside `dbus-run-session` with an unlocked keyring; ignored
//! by a plain `cargo test`.

use std::process::Command;
use std::sync::Arc;

use keebai_api::wire::Password;
use keebai_api::TokenSecret;
use keebai_e2e::{DemoServer, DEVELOPER, TENANT};
use keebai_keys::app_service::{AppService, SignIn};
use keebai_keys::session_vault::{KeyringVault, SessionVault, KEYRING_SERVICE};

const NEEDS: &str =
    "needs a D-Bus session with an unlocked Secret Service: run scripts/test-desktop.sh";

/// What `secret-tool` (libsecret, a separate client) finds: proof the entry is in the real
/// Secret Service and not in a mock inside this process.
fn secret_tool_lookup(service: &str, user: &str) -> Option<String> {
    let out = Command::new("secret-tool")
        .args(["lookup", "service", service, "username", user])
        .output()
        .expect("secret-tool (libsecret-tools) is installed");
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
        .filter(|s| !s.is_empty())
}

#[test]
#[ignore = "needs a D-Bus session with an unlocked Secret Service: run scripts/test-desktop.sh"]
fn vault_round_trips_through_the_secret_service() {
    let _ = NEEDS;
    let service = format!("{KEYRING_SERVICE}.test-{}", std::process::id());
    let vault = KeyringVault::new(&service);
    let session = TokenSecret::generate_session().expect("rng");

    assert_eq!(vault.load("someone").expect("load"), None);
    vault.store("someone", &session).expect("store");
    assert_eq!(
        secret_tool_lookup(&service, "someone").as_deref(),
        Some(session.expose())
    );
    let back = vault.load("someone").expect("load").expect("stored");
    assert!(back == session);

    vault.delete("someone").expect("delete");
    assert_eq!(secret_tool_lookup(&service, "someone"), None);
    assert_eq!(vault.load("someone").expect("load"), None);
    vault.delete("someone").expect("deleting twice is fine");
}

#[test]
#[ignore = "needs a D-Bus session with an unlocked Secret Service: run scripts/test-desktop.sh"]
fn sign_in_keeps_the_session_in_the_keyring_only() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let server = DemoServer::demo();
    let dir = tempfile::tempdir().expect("tempdir");
    let service = format!("{KEYRING_SERVICE}.signin-{}", std::process::id());
    let vault = Arc::new(KeyringVault::new(&service));

    let app = AppService::new(dir.path(), vault.clone(), None).expect("service");
    let view = runtime
        .block_on(app.sign_in(SignIn {
            server: server.url.clone(),
            tenant: TENANT.into(),
            email: DEVELOPER.0.into(),
            password: Password::new(DEVELOPER.1),
        }))
        .expect("sign in");
    assert!(view.keyring.persisted, "{:?}", view.keyring);
    let account = app.config().expect("config").last_account.expect("account");
    let stored = secret_tool_lookup(&service, &account.key()).expect("entry in the keyring");
    assert!(stored.starts_with("kbai_sess_"));
    // The session is nowhere in the data folder.
    assert!(keebai_e2e::files_containing(dir.path(), &stored).is_empty());
    drop(app);

    // The next launch resumes from the keyring.
    let app = AppService::new(dir.path(), vault.clone(), None).expect("service");
    let restored = runtime.block_on(app.restore_session()).expect("restore");
    assert_eq!(restored.map(|s| s.user.email), Some(DEVELOPER.0.to_owned()));

    // Sign out deletes it server-side and from the keyring.
    runtime.block_on(app.sign_out()).expect("sign out");
    assert_eq!(secret_tool_lookup(&service, &account.key()), None);
    let status = runtime.block_on(server.http().status_of("/v1/me", &stored));
    assert_eq!(status, 401);
}

/// How many entries the Secret Service holds for `service` (asked with `secret-tool`).
fn secret_tool_count(service: &str) -> usize {
    let out = Command::new("secret-tool")
        .args(["search", "--all", "service", service])
        .output()
        .expect("secret-tool (libsecret-tools) is installed");
    // Each item is listed as a "[/org/freedesktop/secrets/…]" header, on stdout or stderr
    // depending on the libsecret version.
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    text.lines().filter(|l| l.starts_with("[/")).count()
}

#[test]
#[ignore = "needs a D-Bus session with an unlocked Secret Service: run scripts/test-desktop.sh"]
fn one_keyring_entry_whatever_the_case_of_the_email() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let server = DemoServer::demo();
    let dir = tempfile::tempdir().expect("tempdir");
    let service = format!("{KEYRING_SERVICE}.case-{}", std::process::id());
    let vault = Arc::new(KeyringVault::new(&service));
    let sign_in = |email: &str| {
        let app = AppService::new(dir.path(), vault.clone(), None).expect("service");
        runtime
            .block_on(app.sign_in(SignIn {
                server: server.url.clone(),
                tenant: TENANT.into(),
                email: email.into(),
                password: Password::new(DEVELOPER.1),
            }))
            .expect("sign in");
        app
    };
    let key = format!("{}@{TENANT}@{}", DEVELOPER.0, server.url);

    drop(sign_in("Dev@acme.test"));
    let first = secret_tool_lookup(&service, &key).expect("entry under the lowercase email");
    assert_eq!(secret_tool_count(&service), 1);

    drop(sign_in("dev@acme.test"));
    let second = secret_tool_lookup(&service, &key).expect("entry");
    assert_ne!(
        first, second,
        "the second sign-in replaced the first's session"
    );
    assert_eq!(secret_tool_count(&service), 1, "one account, one entry");

    // Whichever case signed in last, the next run finds the session, and signing out as
    // `DEV@ACME.TEST` removes the one entry.
    let app = AppService::new(dir.path(), vault.clone(), None).expect("service");
    let restored = runtime.block_on(app.restore_session()).expect("restore");
    assert_eq!(restored.map(|s| s.user.email), Some(DEVELOPER.0.to_owned()));
    drop(app);
    let app = sign_in("DEV@ACME.TEST");
    runtime.block_on(app.sign_out()).expect("sign out");
    assert_eq!(secret_tool_count(&service), 0);
}
