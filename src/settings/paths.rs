//! Where flightdeck's files live: the config directory (`$XDG_CONFIG_HOME/flightdeck`, else
//! `~/.config/flightdeck`) and the state directory for logs (`$XDG_STATE_HOME/flightdeck`, else
//! `~/.local/state/flightdeck`).

use std::path::PathBuf;

/// `flightdeck` inside the XDG directory `variable`, or inside `$HOME/fallback`.
fn xdg_dir(variable: &str, fallback: &str) -> Option<PathBuf> {
    std::env::var_os(variable)
        .map(PathBuf::from)
        .filter(|path| path.is_absolute())
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(fallback)))
        .map(|base| base.join("flightdeck"))
}

/// The directory holding `config.toml`, `keymap.toml`, `themes/` and `keymaps/`.
pub fn config_dir() -> Option<PathBuf> {
    xdg_dir("XDG_CONFIG_HOME", ".config")
}

/// The state directory (logs, the audit log, flightdeck's clone of the GitOps repository).
pub fn state_dir() -> Option<PathBuf> {
    xdg_dir("XDG_STATE_HOME", ".local/state")
}

/// The default log file.
pub fn default_log_file() -> Option<PathBuf> {
    state_dir().map(|dir| dir.join("flightdeck.log"))
}
