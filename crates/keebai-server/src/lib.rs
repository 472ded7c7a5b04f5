//! keebai-server: the Keebai backend's token service.
//!
//! Layers, each calling only the one below:
//!
//! * [`http`] — axum routes, middleware (request ids, tracing, body limits, timeouts), the
//!   `{error: {code, message}}` body, credential extraction and the OpenAPI document;
//! * [`domain`] — the rules in plain Rust: authentication (with a coherent credential cache),
//!   sign-in, the token lifecycle, roles and users, audit events, batched usage tracking
//!   (last used, its addresses, hourly counts), the message resource;
//! * [`store`] — the [`store::Store`] trait with SQLite and PostgreSQL engines, their shared
//!   migrations and the conformance suite both must pass.
//!
//! Around them: [`config`] (database URLs, data directory), [`telemetry`] (tracing setup),
//! [`server`] (serve with graceful shutdown) over [`connections`] (header-read timeout,
//! connection cap), [`demo`] (the seeded `acme` tenant) and
//! [`cli`] (the `init`, `serve` and `demo` commands) and [`backup`] (the `backup` command: a
//! consistent copy of the SQLite database while serving).

pub mod backup;
pub mod cli;
pub mod config;
pub mod connections;
pub mod demo;
pub mod domain;
pub mod faults;
pub mod http;
pub mod server;
pub mod store;
pub mod telemetry;
