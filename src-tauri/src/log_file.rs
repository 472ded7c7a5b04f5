//! The log file, capped: `keebai-keys.log` grows to [`MAX_BYTES`], then becomes
//! `keebai-keys.log.1` (the older ones move up to `.2`, `.3`; the oldest is dropped) and a new
//! file starts. So the log never takes more than `(KEEP + 1) × MAX_BYTES` of the disk, however
//! long the app runs, and what it says about the last while is still there. Every file is 0600.
//!
//! Rotation happens between writes; tracing writes each event with one `write`, so a line is
//! never split across two files.

use std::fs::File;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use crate::private_files;

pub const FILE_NAME: &str = "keebai-keys.log";
/// The size at which the current file is rotated.
pub const MAX_BYTES: u64 = 1024 * 1024;
/// How many rotated files are kept besides the current one.
pub const KEEP: usize = 3;

pub struct RotatingLog {
    path: PathBuf,
    file: File,
    size: u64,
    max_bytes: u64,
    keep: usize,
}

impl RotatingLog {
    /// Opens (appending) `dir/keebai-keys.log` with the app's cap.
    pub fn open(dir: &Path) -> io::Result<Self> {
        Self::with_limits(dir, MAX_BYTES, KEEP)
    }

    /// The same with another cap and count (the tests use small ones).
    pub fn with_limits(dir: &Path, max_bytes: u64, keep: usize) -> io::Result<Self> {
        private_files::private_dir(dir)?;
        let path = dir.join(FILE_NAME);
        for n in 1..=keep {
            private_files::tighten(&rotated(&path, n))?;
        }
        let file = private_files::open_append(&path)?;
        let size = file.metadata()?.len();
        Ok(Self {
            path,
            file,
            size,
            max_bytes,
            keep,
        })
    }

    fn rotate(&mut self) -> io::Result<()> {
        self.file.flush()?;
        if self.keep == 0 {
            self.file = private_files::create(&self.path)?;
        } else {
            for n in (1..self.keep).rev() {
                let from = rotated(&self.path, n);
                if from.exists() {
                    std::fs::rename(&from, rotated(&self.path, n + 1))?;
                }
            }
            std::fs::rename(&self.path, rotated(&self.path, 1))?;
            self.file = private_files::open_append(&self.path)?;
        }
        self.size = 0;
        Ok(())
    }
}

fn rotated(path: &Path, n: usize) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(format!(".{n}"));
    PathBuf::from(name)
}

impl Write for RotatingLog {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        // A non-empty file that this write would take past the cap is rotated first; a single
        // write bigger than the cap still goes in whole, into a fresh file.
        if self.size > 0 && self.size + buf.len() as u64 > self.max_bytes {
            self.rotate()?;
        }
        let n = self.file.write(buf)?;
        self.size += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(i: usize) -> Vec<u8> {
        format!("line {i:04} ........................................\n").into_bytes()
    }

    #[test]
    fn the_log_is_capped_and_rotated_keeping_the_newest_lines() {
        let dir = tempfile::tempdir().expect("tempdir");
        let logs = dir.path().join("logs");
        let mut log = RotatingLog::with_limits(&logs, 500, 2).expect("open");
        for i in 0..100 {
            log.write_all(&line(i)).expect("write");
        }
        drop(log);

        let path = logs.join(FILE_NAME);
        let mut names: Vec<String> = std::fs::read_dir(&logs)
            .expect("read_dir")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(
            names,
            ["keebai-keys.log", "keebai-keys.log.1", "keebai-keys.log.2"]
        );
        for name in &names {
            let size = std::fs::metadata(logs.join(name)).expect("meta").len();
            assert!(size <= 500, "{name} is {size} bytes");
            #[cfg(unix)]
            assert_eq!(
                private_files::mode_of(&logs.join(name)).expect("mode"),
                0o600
            );
        }
        // The newest line is in the current file, the ones just before in .1, whole lines only.
        let current = std::fs::read_to_string(&path).expect("read");
        assert!(current.ends_with(&String::from_utf8_lossy(&line(99)).into_owned()));
        let previous = std::fs::read_to_string(rotated(&path, 1)).expect("read .1");
        assert!(previous.lines().all(|l| l.starts_with("line ")));
        let first_current: usize = current[5..9].parse().expect("number");
        let last_previous: usize = previous.lines().last().expect("a line")[5..9]
            .parse()
            .expect("number");
        assert_eq!(last_previous + 1, first_current);
        // The oldest lines are gone.
        let all = format!(
            "{}{}{}",
            std::fs::read_to_string(rotated(&path, 2)).expect("read .2"),
            previous,
            current
        );
        assert!(!all.contains("line 0000 "));
    }

    #[test]
    fn a_reopened_log_counts_what_is_already_there() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut log = RotatingLog::with_limits(dir.path(), 500, 1).expect("open");
        log.write_all(&[b'a'; 400]).expect("write");
        drop(log);
        let mut log = RotatingLog::with_limits(dir.path(), 500, 1).expect("reopen");
        log.write_all(&[b'b'; 200]).expect("write");
        let current = std::fs::read(dir.path().join(FILE_NAME)).expect("read");
        assert_eq!(current, vec![b'b'; 200]);
        let old = std::fs::read(rotated(&dir.path().join(FILE_NAME), 1)).expect("read .1");
        assert_eq!(old, vec![b'a'; 400]);
    }
}
