//! Helpers shared by the cross-crate integration tests in `tests/it`: where the workspace and
//! the shared fixtures are.

use std::path::{Path, PathBuf};

/// The workspace root (the folder holding the virtual manifest).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map_or_else(|| PathBuf::from(".."), Path::to_path_buf)
}

/// The shared fixtures folder (`../shared/fixtures` beside the repository). Tests that need it
/// fail with this path in the message when it is missing, rather than skip.
pub fn fixtures_dir() -> PathBuf {
    workspace_root().join("../shared/fixtures")
}
