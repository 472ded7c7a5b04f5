//! Writing an export (the **Export** action: CSV or JSON of the view on screen) to the file the
//! user chose in the native save dialog. The UI builds the file's text from the rows it shows
//! (so the file matches the view, filter and order included); this writes it.
//!
//! * The extension the format needs is added when the chosen name lacks it, so a file named
//!   `keys` still opens as a spreadsheet.
//! * Written whole or not at all: into a temporary file beside the target (same file system),
//!   flushed, then renamed over it, so a full disk or a crash never leaves half an export, nor
//!   destroys the file it was replacing.
//! * Readable by the user only (0600): an export lists every token's name, prefix and use —
//!   never a secret, but nothing the rest of the computer needs.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::{AppError, AppResult, ErrorCode};

/// The formats **Export** offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
pub enum ExportFormat {
    Csv,
    Json,
}

impl ExportFormat {
    pub fn extension(self) -> &'static str {
        match self {
            Self::Csv => "csv",
            Self::Json => "json",
        }
    }

    /// The save dialog's filter name.
    pub fn label(self) -> &'static str {
        match self {
            Self::Csv => "CSV (spreadsheets)",
            Self::Json => "JSON",
        }
    }
}

/// The path with the format's extension (added when missing; any case counts as present).
pub fn with_extension(path: &Path, format: ExportFormat) -> PathBuf {
    let has = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case(format.extension()));
    if has {
        path.to_path_buf()
    } else {
        let mut name = path.as_os_str().to_owned();
        name.push(".");
        name.push(format.extension());
        PathBuf::from(name)
    }
}

fn export_err(path: &Path, e: impl std::fmt::Display) -> AppError {
    AppError::new(
        ErrorCode::LocalStorage,
        format!("Could not save the export to {}: {e}", path.display()),
    )
}

/// Writes `contents` to `path` (extension added as needed) atomically, mode 0600; returns the
/// path written. A file at `path` itself is replaced (the save dialog asked); one at the name
/// with an added extension is not.
pub fn write_export(path: &Path, format: ExportFormat, contents: &str) -> AppResult<PathBuf> {
    let target = with_extension(path, format);
    let dir = target
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    if target.is_dir() {
        return Err(export_err(&target, "that is a folder"));
    }
    let mut tmp = tempfile::Builder::new()
        .prefix(".keebai-export-")
        .tempfile_in(dir)
        .map_err(|e| export_err(&target, e))?;
    // tempfile creates 0600 on Unix; said again so the rule does not hang on a default.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o600))
            .map_err(|e| export_err(&target, e))?;
    }
    tmp.write_all(contents.as_bytes())
        .and_then(|()| tmp.as_file().sync_all())
        .map_err(|e| export_err(&target, e))?;
    if target == path {
        // The very name the user chose in the save dialog, which asked before replacing it.
        tmp.persist(&target)
            .map_err(|e| export_err(&target, e.error))?;
    } else {
        // The extension was added here, so the dialog never saw this name: never replace a
        // file under it.
        tmp.persist_noclobber(&target).map_err(|e| {
            if e.error.kind() == std::io::ErrorKind::AlreadyExists {
                export_err(
                    &target,
                    "a file of that name is there already, and the name chosen had no extension \
                     so it was never offered for replacing; choose another name, or that file \
                     itself to replace it",
                )
            } else {
                export_err(&target, e.error)
            }
        })?;
    }
    tracing::info!(
        bytes = contents.len(),
        format = format.extension(),
        "export saved"
    );
    Ok(target)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_extension_is_added_only_when_missing() {
        let p = Path::new("/tmp/x/keys");
        assert_eq!(
            with_extension(p, ExportFormat::Csv),
            Path::new("/tmp/x/keys.csv")
        );
        assert_eq!(
            with_extension(Path::new("/tmp/x/keys.CSV"), ExportFormat::Csv),
            Path::new("/tmp/x/keys.CSV")
        );
        assert_eq!(
            with_extension(Path::new("/tmp/x/keys.csv"), ExportFormat::Json),
            Path::new("/tmp/x/keys.csv.json")
        );
    }

    #[test]
    fn an_export_is_written_whole_readable_by_the_user_only_and_replaces_the_old_one() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("keys.csv");
        std::fs::write(&path, "old").expect("old file");
        let written = write_export(&path, ExportFormat::Csv, "a,b\n1,2\n").expect("written");
        assert_eq!(written, dir.path().join("keys.csv"));
        assert_eq!(
            std::fs::read_to_string(&written).expect("read"),
            "a,b\n1,2\n"
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&written)
                .expect("meta")
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        // Nothing else is left in the folder (no temporary file).
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .expect("ls")
            .map(|e| e.expect("entry").file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("keys.csv")]);
    }

    #[test]
    fn a_file_under_an_added_extension_is_never_replaced() {
        let dir = tempfile::tempdir().expect("dir");
        let theirs = dir.path().join("tokens-march.csv");
        std::fs::write(&theirs, "someone's sheet").expect("their file");
        let e = write_export(&dir.path().join("tokens-march"), ExportFormat::Csv, "a\n")
            .expect_err("not over their file");
        assert_eq!(e.code, ErrorCode::LocalStorage);
        assert!(
            e.message.contains("tokens-march.csv") && e.message.contains("another name"),
            "{}",
            e.message
        );
        assert_eq!(
            std::fs::read_to_string(&theirs).expect("read"),
            "someone's sheet"
        );
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .expect("ls")
            .map(|e| e.expect("entry").file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("tokens-march.csv")]);
        // Without a file there, the name with the extension is written.
        let written =
            write_export(&dir.path().join("april"), ExportFormat::Json, "{}").expect("written");
        assert_eq!(written, dir.path().join("april.json"));
    }

    #[test]
    fn a_folder_or_a_missing_folder_is_refused_with_the_path_named() {
        let dir = tempfile::tempdir().expect("dir");
        std::fs::create_dir(dir.path().join("taken.json")).expect("a folder");
        let e =
            write_export(&dir.path().join("taken"), ExportFormat::Json, "{}").expect_err("folder");
        assert_eq!(e.code, ErrorCode::LocalStorage);
        assert!(e.message.contains("taken.json"), "{}", e.message);
        let e = write_export(&dir.path().join("nope/keys"), ExportFormat::Csv, "")
            .expect_err("no folder");
        assert!(e.message.contains("nope"), "{}", e.message);
    }
}
