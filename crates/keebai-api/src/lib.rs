//! What keebai-server and the Keebai Keys desktop app share.
//!
//! * [`token`] — the credential format: generating `kbai_pk_…` and `kbai_sess_…` secrets from
//!   the OS CSPRNG, parsing presented credentials strictly, the displayable prefix and the
//!   SHA-256 hash the server stores. [`TokenSecret`] is the secret type: redacted `Debug`,
//!   zeroized on drop, constant-time equality.
//! * [`wire`] — the JSON bodies of the HTTP contract (`docs/api.md`), with
//!   OpenAPI schemas behind the `openapi` feature and ts-rs `TS` derives (for the desktop
//!   app's generated TypeScript bindings) behind the `ts` feature.
//!
//! The secret-scanning rule for the format lives in `docs/secret-scanning.md`; a test here
//! checks that its regex matches every generated token.

pub mod token;
pub mod wire;

pub use token::{CredentialKind, MalformedCredential, TokenHash, TokenSecret};
