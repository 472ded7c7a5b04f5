//! The TypeScript side of the IPC surface, generated from the Rust types by ts-rs.
//!
//! Every command's arguments and answer, and the `{code, message}` error with its `code` union,
//! are written into `ui/src/lib/bindings/` (one file per type, committed), which
//! `ui/src/lib/types.ts` re-exports. After changing a type the commands take or return,
//! regenerate them with
//!
//! ```text
//! cargo test -p keebai-keys --lib export_bindings -- --ignored
//! ```
//!
//! `bindings_are_fresh`, run by every `cargo test`, generates into a scratch folder and fails,
//! naming the file and that command, when the committed files differ. The `TS` derives are
//! compiled for tests only (`cfg_attr(test, …)`), so the app carries none of this.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use keebai_api::wire::{BulkRevokeResponse, TokenRecord};
use ts_rs::{Config, ExportError, TS};

use crate::app_service::RetireChoice;
use crate::commands::{CreateTokenArgs, CreateUserArgs, SignInArgs};
use crate::dto::{
    ActivityView, AppConfig, AuditReport, CopyView, CreatedTokenView, InventoryView,
    PermissionGroupView, PolicyView, RolesView, RotatedTokenView, SessionView, TokenDetailView,
    TokenListView, UsersView,
};
use crate::error::AppError;
use crate::export_file::ExportFormat;

/// The command that rewrites the committed bindings.
const REGENERATE: &str = "cargo test -p keebai-keys --lib export_bindings -- --ignored";

/// Where the UI keeps them, from the package root (the repository root).
fn committed_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("ui/src/lib/bindings")
}

/// Writes every type the commands take or return, with the types they use, into `dir`.
fn export_all(dir: &Path) -> Result<(), ExportError> {
    // u32 is the widest integer on the IPC surface; a `number` is what `JSON.parse` gives.
    let cfg = Config::new().with_out_dir(dir).with_large_int("number");
    // Answers.
    AppConfig::export_all(&cfg)?;
    SessionView::export_all(&cfg)?;
    TokenListView::export_all(&cfg)?;
    PermissionGroupView::export_all(&cfg)?;
    CreatedTokenView::export_all(&cfg)?;
    CopyView::export_all(&cfg)?;
    RotatedTokenView::export_all(&cfg)?;
    RolesView::export_all(&cfg)?;
    UsersView::export_all(&cfg)?;
    ActivityView::export_all(&cfg)?;
    InventoryView::export_all(&cfg)?;
    PolicyView::export_all(&cfg)?;
    TokenDetailView::export_all(&cfg)?;
    BulkRevokeResponse::export_all(&cfg)?;
    AuditReport::export_all(&cfg)?;
    TokenRecord::export_all(&cfg)?;
    // Arguments.
    SignInArgs::export_all(&cfg)?;
    CreateTokenArgs::export_all(&cfg)?;
    CreateUserArgs::export_all(&cfg)?;
    RetireChoice::export_all(&cfg)?;
    ExportFormat::export_all(&cfg)?;
    // What every command rejects with; `ErrorCode` comes with it.
    AppError::export_all(&cfg)?;
    Ok(())
}

/// The `.ts` files in `dir` by name, with their text.
fn read_ts_files(dir: &Path) -> BTreeMap<String, String> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return BTreeMap::new();
    };
    entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "ts"))
        .filter_map(|p| {
            let name = p.file_name()?.to_string_lossy().into_owned();
            let text = std::fs::read_to_string(&p).ok()?;
            Some((name, text))
        })
        .collect()
}

/// What differs between the committed files and freshly generated ones, one line per file.
fn differences(
    committed: &BTreeMap<String, String>,
    fresh: &BTreeMap<String, String>,
) -> Vec<String> {
    let mut out = Vec::new();
    for (name, text) in fresh {
        match committed.get(name) {
            None => out.push(format!("{name}: missing (a new type on the IPC surface)")),
            Some(old) if old != text => out.push(format!("{name}: stale (the Rust type changed)")),
            Some(_) => {}
        }
    }
    for name in committed.keys().filter(|n| !fresh.contains_key(*n)) {
        out.push(format!(
            "{name}: no longer generated (the Rust type is gone)"
        ));
    }
    out
}

#[test]
fn bindings_are_fresh() {
    let scratch = tempfile::tempdir().expect("scratch dir");
    export_all(scratch.path()).expect("generate bindings");
    let fresh = read_ts_files(scratch.path());
    assert!(!fresh.is_empty(), "ts-rs generated nothing");
    let problems = differences(&read_ts_files(&committed_dir()), &fresh);
    assert!(
        problems.is_empty(),
        "ui/src/lib/bindings/ does not match the Rust types:\n  {}\nRegenerate with `{REGENERATE}` and commit the result.",
        problems.join("\n  ")
    );
}

#[test]
fn the_error_code_union_is_generated_from_the_app_codes() {
    let scratch = tempfile::tempdir().expect("scratch dir");
    export_all(scratch.path()).expect("generate bindings");
    let union = std::fs::read_to_string(scratch.path().join("ErrorCode.ts")).expect("ErrorCode.ts");
    for code in [
        "unauthorized",
        "token_limit_reached",
        "server_unreachable",
        "local_storage",
    ] {
        assert!(
            union.contains(&format!("\"{code}\"")),
            "{code} missing from {union}"
        );
    }
    let error = std::fs::read_to_string(scratch.path().join("AppError.ts")).expect("AppError.ts");
    assert!(error.contains("code: ErrorCode"), "{error}");
    // Absent, not null, when the server named no field (`skip_serializing_if`).
    assert!(error.contains("field?: string"), "{error}");
}

/// Rewrites `ui/src/lib/bindings/` (ignored: run it by name, see the module docs).
#[test]
#[ignore = "writes into the source tree; run by name to regenerate the bindings"]
fn export_bindings() {
    let dir = committed_dir();
    // Files of types that no longer exist must go too.
    for name in read_ts_files(&dir).keys() {
        std::fs::remove_file(dir.join(name)).expect("remove an old binding");
    }
    export_all(&dir).expect("generate bindings");
}
