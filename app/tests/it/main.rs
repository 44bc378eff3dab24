//! Tests of the application: the real `ecolens` binary driven like a user on the command line
//! (`cli`), and the workbench window driven with `egui_kittest` (`window`).

// In a test binary a panic is the failure report; helpers may unwrap like the tests do.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod assess;
mod blind;
mod cli;
mod fuzz;
mod hub;
mod impact;
mod layout;
mod pdf;
mod review;
mod screening;
mod window;
mod workshop;

use std::path::{Path, PathBuf};

use ecolens_core::{Project, Visibility};

/// The shared bibliography fixtures beside the repository (see SOURCES.md there); a test that
/// needs them fails with the path when they are missing, rather than importing nothing.
pub(crate) fn fixtures() -> PathBuf {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/fixtures/bibliographies");
    assert!(path.is_dir(), "fixtures missing: {}", path.display());
    path
}

/// A folder in `dir` holding copies of the six baseline files (the table at the top of
/// SOURCES.md) and SOURCES.md itself, which is not a bibliography. The fixtures folder grows
/// (reproducers/ and formats/ hold the files of later issues), so tests with exact counts
/// import this, not the folder.
pub(crate) fn baseline_folder(dir: &Path) -> PathBuf {
    let folder = dir.join("baseline-fixtures");
    std::fs::create_dir_all(&folder).unwrap();
    for name in [
        "endnote_3_citations.xml",
        "pubmed_medline_baseline.ris",
        "rayyan_export_baseline.csv",
        "rayyan_export_baseline.ris",
        "scopus_malformed_issue1099.txt",
        "utf16le_bom_tiny.bib",
        "SOURCES.md",
    ] {
        std::fs::copy(fixtures().join(name), folder.join(name)).unwrap();
    }
    folder
}

/// Reads the project at `path` as a reader who is not named may (everything, in a project
/// with one reviewer or unblinded).
pub(crate) fn read<T>(
    path: &Path,
    read: impl FnOnce(&Project, &Visibility) -> ecolens_core::Result<T>,
) -> T {
    let project = Project::open_existing(path).unwrap();
    let seen = project.visibility(None).unwrap();
    read(&project, &seen).unwrap()
}

/// Reads the project at `path` as the reviewer `name` may.
pub(crate) fn read_as<T>(
    path: &Path,
    name: &str,
    read: impl FnOnce(&Project, &Visibility) -> ecolens_core::Result<T>,
) -> T {
    let project = Project::open_existing(path).unwrap();
    let who = project.reviewer_by_name(name).unwrap();
    let seen = project.visibility(Some(who.id)).unwrap();
    read(&project, &seen).unwrap()
}

/// `name` votes `decision` on `record` at `stage`.
pub(crate) fn cast_vote(
    project: &mut Project,
    name: &str,
    record: ecolens_core::RecordId,
    stage: ecolens_core::Stage,
    decision: ecolens_core::Decision,
) {
    let who = project.reviewer_by_name(name).unwrap();
    project
        .set_screening(
            record,
            who.id,
            &ecolens_core::ScreeningVote {
                stage,
                decision,
                note: None,
            },
        )
        .unwrap();
}
