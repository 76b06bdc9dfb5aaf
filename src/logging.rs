//! Logging to a file with `tracing` (never to the screen, which belongs to the UI). The level
//! comes from `FLIGHTDECK_LOG` (default `info`).

use std::fs::OpenOptions;
use std::path::Path;
use std::sync::Mutex;

use tracing_subscriber::EnvFilter;

use crate::settings::Warning;

/// Starts logging to `path`, creating its directory. A failure is returned as a warning and
/// logging stays off.
pub fn init(path: &Path) -> Result<(), Warning> {
    let fail = |message: String| Warning::new(path.display().to_string(), None, message);
    if let Some(dir) = path.parent().filter(|dir| !dir.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| {
            fail(format!(
                "cannot create the log directory: {e}; logging is off"
            ))
        })?;
    }
    let file = OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(|e| fail(format!("cannot open the log file: {e}; logging is off")))?;
    let filter =
        EnvFilter::try_from_env("FLIGHTDECK_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_writer(Mutex::new(file))
        .with_ansi(false)
        .with_env_filter(filter)
        .try_init()
        .map_err(|e| fail(format!("cannot start logging: {e}")))
}
