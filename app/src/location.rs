//! Where projects live: the platform's data directory (overridable with `ECOLENS_DATA_DIR`)
//! and the default project in it.

use std::path::PathBuf;

use anyhow::{Context, Result};

/// Environment variable that overrides the data directory (tests, portable installs).
pub const DATA_DIR_ENV: &str = "ECOLENS_DATA_DIR";

/// File name of the default project inside the data directory.
pub const DEFAULT_PROJECT_FILE: &str = "default.ecolens";

/// The directory where ecolens keeps its default project: `$ECOLENS_DATA_DIR` if set, else the
/// platform's data directory (`~/.local/share/ecolens` on Linux).
pub fn data_dir() -> Result<PathBuf> {
    if let Some(dir) = std::env::var_os(DATA_DIR_ENV).filter(|v| !v.is_empty()) {
        return Ok(PathBuf::from(dir));
    }
    directories::ProjectDirs::from("org", "ecolens", "ecolens")
        .map(|dirs| dirs.data_dir().to_owned())
        .with_context(|| {
            format!("cannot find a data directory for the default project (no home directory?); pass --project PATH or set {DATA_DIR_ENV}")
        })
}

/// File name of the window's remembered state (theme, search, filters, order, recent
/// projects, the reviewer at the keyboard, window layout) inside the data directory.
pub const WINDOW_STATE_FILE: &str = "window.ron";

/// The window's state file.
pub fn window_state_path() -> Result<PathBuf> {
    Ok(data_dir()?.join(WINDOW_STATE_FILE))
}

/// The default project file.
pub fn default_project_path() -> Result<PathBuf> {
    Ok(data_dir()?.join(DEFAULT_PROJECT_FILE))
}

/// File name of the user's saved hub connections (with passwords; readable by the owner only).
pub const HUB_CREDENTIALS_FILE: &str = "hubs.json";

/// The user's saved hub connections.
pub fn hub_credentials_path() -> Result<PathBuf> {
    Ok(data_dir()?.join(HUB_CREDENTIALS_FILE))
}
