//! Files only the user can read: the data folder 0700, every file the app writes in it 0600.
//!
//! The folder holds which accounts signed in where, the token lists as last fetched and the log;
//! none of it is secret, but it is nobody else's business on a shared computer. Modes are set on
//! creation and also on every start, so a folder or file left readable by an older version (or
//! a loose umask) is tightened. On other platforms the user's profile folder already keeps
//! other users out, and these are no-ops.

use std::fs::{File, OpenOptions};
use std::io;
use std::path::Path;

/// Owner read/write/search only.
pub const DIR_MODE: u32 = 0o700;
/// Owner read/write only.
pub const FILE_MODE: u32 = 0o600;

/// Creates `dir` (and its parents) if needed and makes it `0700`.
pub fn private_dir(dir: &Path) -> io::Result<()> {
    std::fs::create_dir_all(dir)?;
    set_mode(dir, DIR_MODE)
}

/// Makes an existing file `0600`; a missing one is fine (nothing to protect yet).
pub fn tighten(file: &Path) -> io::Result<()> {
    match set_mode(file, FILE_MODE) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        other => other,
    }
}

/// Opens `file` for appending, creating it `0600`, and tightens it if it already existed.
pub fn open_append(file: &Path) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.create(true).append(true);
    let opened = with_private_mode(&mut options).open(file)?;
    tighten(file)?;
    Ok(opened)
}

/// Creates (or truncates) `file` for writing, `0600` from the first byte.
pub fn create(file: &Path) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.create(true).write(true).truncate(true);
    let opened = with_private_mode(&mut options).open(file)?;
    tighten(file)?;
    Ok(opened)
}

#[cfg(unix)]
fn with_private_mode(options: &mut OpenOptions) -> &mut OpenOptions {
    use std::os::unix::fs::OpenOptionsExt;
    options.mode(FILE_MODE)
}

#[cfg(not(unix))]
fn with_private_mode(options: &mut OpenOptions) -> &mut OpenOptions {
    options
}

#[cfg(unix)]
fn set_mode(path: &Path, mode: u32) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
}

#[cfg(not(unix))]
fn set_mode(_path: &Path, _mode: u32) -> io::Result<()> {
    Ok(())
}

/// The permission bits of `path` (for tests and checks).
#[cfg(unix)]
pub fn mode_of(path: &Path) -> io::Result<u32> {
    use std::os::unix::fs::PermissionsExt;
    Ok(std::fs::metadata(path)?.permissions().mode() & 0o777)
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn a_loose_folder_and_file_are_tightened_and_new_ones_start_private() {
        let root = tempfile::tempdir().expect("tempdir");
        let dir = root.path().join("data");
        std::fs::create_dir(&dir).expect("mkdir");
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        let loose = dir.join("old.log");
        std::fs::write(&loose, b"x").expect("write");
        std::fs::set_permissions(&loose, std::fs::Permissions::from_mode(0o644)).expect("chmod");

        private_dir(&dir).expect("private dir");
        assert_eq!(mode_of(&dir).expect("mode"), 0o700);
        drop(open_append(&loose).expect("append"));
        assert_eq!(mode_of(&loose).expect("mode"), 0o600);

        let nested = root.path().join("a/b");
        private_dir(&nested).expect("nested");
        assert_eq!(mode_of(&nested).expect("mode"), 0o700);
        let fresh = nested.join("new.json");
        drop(create(&fresh).expect("create"));
        assert_eq!(mode_of(&fresh).expect("mode"), 0o600);
        tighten(&nested.join("missing")).expect("a missing file is fine");
    }
}
