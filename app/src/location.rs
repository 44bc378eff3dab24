//! Where projects live: the platform's data directory (overridable with `ECOLENS_DATA_DIR`),
//! the default project in it, and opening a project so that a new one gets the demo corpus.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use ecolens_core::Project;

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

/// The default project file.
pub fn default_project_path() -> Result<PathBuf> {
    Ok(data_dir()?.join(DEFAULT_PROJECT_FILE))
}

/// A project just opened, and what opening it did.
#[derive(Debug)]
pub struct Opened {
    /// The open project.
    pub project: Project,
    /// Whether this open created the file.
    pub created: bool,
    /// Records added from the demo corpus when the project was created with it.
    pub demo_records: Option<usize>,
}

/// Opens the project at `path`, creating it if needed; a created project receives the demo
/// corpus unless `with_demo` is false.
pub fn open_project(path: &Path, with_demo: bool) -> Result<Opened> {
    let mut project = Project::open(path).map_err(|error| match error {
        // These already name the file; saying it twice helps no one.
        ecolens_core::Error::NotAProject { .. }
        | ecolens_core::Error::SchemaTooNew { .. }
        | ecolens_core::Error::Io { .. } => anyhow::Error::new(error),
        other => {
            anyhow::Error::new(other).context(format!("cannot open project {}", path.display()))
        }
    })?;
    let created = project.was_created();
    let demo_records = if created && with_demo {
        Some(
            ecolens_corpus::demo::install_demo(&mut project)
                .with_context(|| format!("cannot add the demo corpus to {}", path.display()))?,
        )
    } else {
        None
    };
    Ok(Opened {
        project,
        created,
        demo_records,
    })
}
