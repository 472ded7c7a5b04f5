//! `keebai-server backup`: a consistent copy of the SQLite database, taken while the server
//! keeps serving.
//!
//! The copy is SQLite's `VACUUM INTO` on a connection of its own: it reads the database inside
//! one read transaction, so with the server's WAL journal it sees one committed state and
//! neither blocks the server's writers nor is blocked by them (a plain `cp` of the file could
//! catch a checkpoint half-way and leave out what is still in the `-wal` file). The result is
//! an ordinary, compacted SQLite file with the same schema version, which `serve --db` opens
//! like the original.
//!
//! It is written under a temporary name beside the target (mode 0600: it holds password and
//! token hashes), checked with `PRAGMA integrity_check`, synced and only then renamed into
//! place, so an interrupted backup never leaves a file that looks complete. An existing target
//! is never overwritten. PostgreSQL has its own tools (`pg_dump`); this command says so.

use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{bail, Context};
use clap::Args;
use rusqlite::{Connection, OpenFlags};

use crate::config::{self, DbUrl};

/// Options of `keebai-server backup`.
#[derive(Debug, Args)]
pub struct BackupArgs {
    /// Database to copy: sqlite://PATH [default: SQLite file in the data directory]
    #[arg(long, env = "KEEBAI_DB", hide_env_values = true)]
    db: Option<DbUrl>,
    /// The backup file to create; it must not exist yet.
    #[arg(long, value_name = "FILE")]
    to: PathBuf,
}

/// Runs the command: copies the database to `--to` and prints what it wrote.
pub fn run(args: BackupArgs) -> anyhow::Result<()> {
    let db = args.db.unwrap_or_else(config::default_db);
    let source = match &db {
        DbUrl::Sqlite(path) => path.clone(),
        DbUrl::Postgres(_) => bail!(
            "backup copies a SQLite database; for PostgreSQL use pg_dump (see docs/operations.md)"
        ),
    };
    let bytes = backup_sqlite(&source, &args.to)?;
    println!(
        "backed up {db} to {} ({bytes} bytes)",
        args.to.as_path().display()
    );
    Ok(())
}

/// Copies the SQLite database at `source` to a new file `target`; returns its size.
pub fn backup_sqlite(source: &Path, target: &Path) -> anyhow::Result<u64> {
    if !source.is_file() {
        bail!("no database at {}", source.display());
    }
    if target.exists() {
        bail!(
            "{} already exists; choose a new file name",
            target.display()
        );
    }
    // A name of this run's own (created new below, so never someone else's file), removed
    // on any failure; nothing that exists is ever deleted or replaced.
    let partial = partial_name(target)?;
    let result = copy_checked(source, &partial).and_then(|()| {
        place_new(&partial, target)?;
        sync_parent(target)?;
        Ok(std::fs::metadata(target)?.len())
    });
    let _ = std::fs::remove_file(&partial);
    result
}

/// `target` with `.<random>.partial` appended, in the same folder (so placing it is atomic).
fn partial_name(target: &Path) -> anyhow::Result<PathBuf> {
    let Some(name) = target.file_name() else {
        bail!("{} is not a file name", target.display());
    };
    let mut partial = name.to_os_string();
    partial.push(format!(".{}.partial", crate::domain::new_id()));
    Ok(target.with_file_name(partial))
}

/// Gives the finished copy its name only if that name is still free: a hard link fails when
/// the target exists (so two runs racing for one name cannot replace each other's backup,
/// nor a file that appeared meanwhile); the partial name is removed by the caller. A file
/// system without hard links gets the rename, after one more check.
fn place_new(partial: &Path, target: &Path) -> anyhow::Result<()> {
    match std::fs::hard_link(partial, target) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => bail!(
            "{} already exists; choose a new file name",
            target.display()
        ),
        Err(_) if !target.exists() => std::fs::rename(partial, target)
            .with_context(|| format!("renaming the backup to {}", target.display())),
        Err(e) => Err(e).with_context(|| format!("naming the backup {}", target.display())),
    }
}

fn copy_checked(source: &Path, partial: &Path) -> anyhow::Result<()> {
    // Created empty first, owner-only: VACUUM INTO writes into an existing empty file and
    // keeps its permissions.
    create_private(partial)?;
    // Read-write without CREATE: a wrong path fails instead of backing up a new empty file,
    // and a WAL database needs its -shm file writable even to read it. Nothing is written.
    let src = Connection::open_with_flags(
        source,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .with_context(|| format!("opening {}", source.display()))?;
    src.busy_timeout(Duration::from_secs(30))?;
    let into = partial
        .to_str()
        .context("the backup path must be valid UTF-8")?;
    src.execute("VACUUM INTO ?1", [into])
        .with_context(|| format!("copying {} into {}", source.display(), partial.display()))?;
    drop(src);

    let copy = Connection::open_with_flags(partial, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let verdict: String = copy.query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
    if verdict != "ok" {
        bail!("the copy failed its integrity check: {verdict}");
    }
    drop(copy);
    File::open(partial)?.sync_all()?;
    Ok(())
}

fn create_private(path: &Path) -> anyhow::Result<()> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options
        .open(path)
        .with_context(|| format!("creating {}", path.display()))?;
    Ok(())
}

/// Makes the rename durable: the folder's entry is synced, not just the file.
fn sync_parent(target: &Path) -> anyhow::Result<()> {
    #[cfg(unix)]
    {
        let parent = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        File::open(parent)?.sync_all()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn db_with_rows(path: &Path, rows: usize) {
        let c = Connection::open(path).expect("open");
        c.pragma_update(None, "journal_mode", "WAL").expect("wal");
        c.execute_batch("CREATE TABLE t (v TEXT); PRAGMA user_version = 7;")
            .expect("schema");
        for i in 0..rows {
            c.execute("INSERT INTO t VALUES (?1)", [format!("row {i}")])
                .expect("insert");
        }
    }

    #[test]
    fn copies_rows_and_schema_version_into_an_owner_only_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (src, dst) = (dir.path().join("a.db"), dir.path().join("b.db"));
        db_with_rows(&src, 50);
        let size = backup_sqlite(&src, &dst).expect("backup");
        assert_eq!(std::fs::metadata(&dst).expect("meta").len(), size);
        let c = Connection::open(&dst).expect("open copy");
        let n: i64 = c
            .query_row("SELECT count(*) FROM t", [], |r| r.get(0))
            .expect("count");
        let v: i64 = c
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .expect("version");
        assert_eq!((n, v), (50, 7));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&dst).expect("meta").permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert_eq!(
            files_in(dir.path()),
            ["a.db", "b.db"],
            "no partial file left"
        );
    }

    fn files_in(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .expect("ls")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    /// A file that happens to bear the name the old code used for its partial copy is not
    /// deleted, and a target that appears while the copy is made is not replaced.
    #[test]
    fn never_deletes_or_replaces_a_file_it_did_not_make() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (src, dst) = (dir.path().join("a.db"), dir.path().join("b.db"));
        db_with_rows(&src, 3);
        std::fs::write(dir.path().join("b.db.partial"), b"someone's").expect("write");
        backup_sqlite(&src, &dst).expect("backup");
        assert_eq!(
            std::fs::read(dir.path().join("b.db.partial")).expect("still there"),
            b"someone's"
        );

        // The name taken between the check and the placing: refused, the newcomer kept.
        let partial = partial_name(&dir.path().join("c.db")).expect("name");
        std::fs::write(&partial, b"finished copy").expect("partial");
        std::fs::write(dir.path().join("c.db"), b"arrived meanwhile").expect("write");
        let err = place_new(&partial, &dir.path().join("c.db")).expect_err("must refuse");
        assert!(err.to_string().contains("already exists"), "{err}");
        assert_eq!(
            std::fs::read(dir.path().join("c.db")).expect("read"),
            b"arrived meanwhile"
        );
    }

    #[test]
    fn refuses_to_overwrite_and_leaves_the_existing_file_alone() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (src, dst) = (dir.path().join("a.db"), dir.path().join("b.db"));
        db_with_rows(&src, 1);
        std::fs::write(&dst, b"keep me").expect("write");
        let err = backup_sqlite(&src, &dst).expect_err("must refuse");
        assert!(err.to_string().contains("already exists"), "{err}");
        assert_eq!(std::fs::read(&dst).expect("read"), b"keep me");
    }

    #[test]
    fn a_missing_database_is_an_error_not_a_new_empty_backup() {
        let dir = tempfile::tempdir().expect("tempdir");
        let dst = dir.path().join("b.db");
        let err = backup_sqlite(&dir.path().join("nope.db"), &dst).expect_err("must fail");
        assert!(err.to_string().contains("no database"), "{err}");
        assert!(!dst.exists());
        assert_eq!(
            files_in(dir.path()),
            Vec::<String>::new(),
            "no partial file left"
        );
    }
}
