//! Logs go to stderr and to `logs/keebai-keys.log` in the data folder, size-capped and rotated
//! ([`crate::log_file`]), the folder 0700 and the files 0600. Nothing secret is ever logged:
//! secrets are `TokenSecret`s whose `Debug` is redacted, and call sites log prefixes.

use std::path::Path;
use std::sync::Mutex;

use tracing_subscriber::fmt::writer::MakeWriterExt;
use tracing_subscriber::EnvFilter;

use crate::log_file::RotatingLog;

/// Installs the global subscriber. Failing to open the log file only loses the file copy.
pub fn init(data_dir: &Path) {
    let filter = EnvFilter::try_from_env("KEEBAI_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    let file = RotatingLog::open(&data_dir.join("logs"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(false);
    let result = match file {
        Ok(file) => builder
            .with_writer(Mutex::new(file).and(std::io::stderr))
            .try_init(),
        Err(_) => builder.with_writer(std::io::stderr).try_init(),
    };
    // Already installed (a second init in one process) is fine.
    drop(result);
}
