//! Signs in to the demo tenant as the developer through the app's command layer, in a process
//! of its own, and prints the outcome: `ok <email>` or `error <code> <message>`.
//!
//! The transport tests run it with an environment the app reads once, when a client is built:
//! `SSL_CERT_FILE` / `SSL_CERT_DIR` (which certificate authorities the system store holds) and
//! the proxy variables (where a request to another host would go). Setting those inside the
//! test process would race the other tests' clients.
//!
//! Usage: `sign_in_probe <server address>`.

use std::sync::Arc;

use keebai_api::wire::Password;
use keebai_e2e::{DEVELOPER, TENANT};
use keebai_keys::app_service::{AppService, SignIn};
use keebai_keys::session_vault::MemoryVault;

fn main() {
    let server = std::env::args()
        .nth(1)
        .expect("usage: sign_in_probe <server>");
    let dir = tempfile::tempdir().expect("tempdir");
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let service =
        AppService::new(dir.path(), Arc::new(MemoryVault::default()), None).expect("service");
    let outcome = runtime.block_on(service.sign_in(SignIn {
        server,
        tenant: TENANT.to_owned(),
        email: DEVELOPER.0.to_owned(),
        password: Password::new(DEVELOPER.1),
    }));
    match outcome {
        Ok(view) => println!("ok {}", view.user.email),
        Err(e) => println!("error {} {}", e.code.as_str(), e.message),
    }
}
