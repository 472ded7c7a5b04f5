//! A locked or absent keyring: a clear `keyring_unavailable` message, the app still works for
//! the run with the session in memory only, and nothing is written in plaintext instead.
//!
//! `scripts/test-desktop.sh` runs this binary twice: once with no Secret Service at all
//! (`DBUS_SESSION_BUS_ADDRESS` pointing nowhere) and once with gnome-keyring running but its
//! collection locked and no prompter to unlock it.

use std::sync::Arc;

use keebai_api::wire::Password;
use keebai_e2e::{files_containing, DemoServer, DEVELOPER, TENANT};
use keebai_keys::app_service::{AppService, SignIn};
use keebai_keys::error::ErrorCode;
use keebai_keys::session_vault::{KeyringVault, SessionVault, VaultError, KEYRING_SERVICE};

#[test]
#[ignore = "needs an unusable keyring: run scripts/test-desktop.sh"]
fn an_unusable_keyring_is_reported_and_the_session_stays_in_memory() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let vault = Arc::new(KeyringVault::new(&format!(
        "{KEYRING_SERVICE}.unavailable-{}",
        std::process::id()
    )));
    let probe = keebai_api::TokenSecret::generate_session().expect("rng");
    assert!(
        matches!(
            vault.store("probe", &probe),
            Err(VaultError::Unavailable(_))
        ),
        "this test must run with a locked or absent keyring"
    );

    let server = DemoServer::demo();
    let dir = tempfile::tempdir().expect("tempdir");
    let app = AppService::new(dir.path(), vault.clone(), None).expect("service");
    let view = runtime
        .block_on(app.sign_in(SignIn {
            server: server.url.clone(),
            tenant: TENANT.into(),
            email: DEVELOPER.0.into(),
            password: Password::new(DEVELOPER.1),
        }))
        .expect("sign-in works without a keyring");
    assert!(!view.keyring.persisted);
    let message = view.keyring.message.expect("a message for the user");
    assert!(message.contains("keyring"), "{message}");
    assert!(message.contains("this run only"), "{message}");

    // The app works for this run.
    runtime.block_on(app.list_tokens()).expect("list");

    // No fallback file: nothing in the data folder holds a session token.
    assert!(files_containing(dir.path(), "kbai_sess_").is_empty());
    drop(app);

    // The next launch can't restore: an absent keyring says why; a locked one has nothing
    // findable for this account. Either way the sign-in screen shows.
    let app = AppService::new(dir.path(), vault, None).expect("service");
    match runtime.block_on(app.restore_session()) {
        Err(e) => assert_eq!(e.code, ErrorCode::KeyringUnavailable),
        Ok(restored) => assert!(restored.is_none()),
    }
}
