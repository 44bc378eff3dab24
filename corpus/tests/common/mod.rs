//! Helpers the corpus test binaries share: where the fixtures are, and a plain import.

#![allow(dead_code, clippy::unwrap_used, clippy::panic)] // Each test binary uses a part of this module.

use std::path::PathBuf;
use std::sync::atomic::AtomicBool;

use ecolens_core::Project;
use ecolens_corpus::import::{ImportReport, import_paths};

/// The shared bibliography fixtures beside the repository (see SOURCES.md there). A test
/// that needs them fails with the path when they are missing, rather than importing nothing.
pub(crate) fn fixtures() -> PathBuf {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/fixtures/bibliographies");
    assert!(path.is_dir(), "fixtures missing: {}", path.display());
    path
}

/// The six files of the baseline set (the table at the top of SOURCES.md), in name order.
/// The fixtures folder grows (reproducers/, formats/ hold files of later issues), so tests
/// with exact counts import these, not the folder.
pub(crate) const BASELINE: [&str; 6] = [
    "endnote_3_citations.xml",
    "pubmed_medline_baseline.ris",
    "rayyan_export_baseline.csv",
    "rayyan_export_baseline.ris",
    "scopus_malformed_issue1099.txt",
    "utf16le_bom_tiny.bib",
];

/// A folder in `dir` holding copies of the baseline files and SOURCES.md (which is not a
/// bibliography): what importing "the fixtures folder" means to the tests.
pub(crate) fn baseline_folder(dir: &std::path::Path) -> PathBuf {
    let folder = dir.join("baseline-fixtures");
    std::fs::create_dir_all(&folder).unwrap();
    for name in BASELINE.iter().chain(&["SOURCES.md"]) {
        std::fs::copy(fixture(name), folder.join(name)).unwrap();
    }
    folder
}

/// One fixture file.
pub(crate) fn fixture(name: &str) -> PathBuf {
    let path = fixtures().join(name);
    assert!(path.is_file(), "fixture missing: {}", path.display());
    path
}

/// How the tests import: two parsing threads, labels as votes, no PDFs.
pub(crate) fn options(cancel: &AtomicBool) -> ecolens_corpus::import::ImportOptions<'_> {
    ecolens_corpus::import::ImportOptions {
        threads: 2,
        cancel,
        progress: &|_| {},
        labels_as_votes: true,
        pdf: None,
        again: false,
    }
}

/// Imports files and folders into `project` in one go.
pub(crate) fn import(project: &mut Project, paths: &[PathBuf]) -> ImportReport {
    let cancel = AtomicBool::new(false);
    import_paths(project, paths, &options(&cancel)).unwrap()
}

/// A file of the repository's own test files (`corpus/tests/data`, SOURCES.md there).
pub(crate) fn own(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

/// A file read the way an import reads it; a file that cannot be read fails the test with
/// its path.
pub(crate) fn read(path: &std::path::Path) -> ecolens_corpus::read::FileRead {
    ecolens_corpus::read::read_file(path)
        .unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

/// The problems of a file read, as the import report words them.
pub(crate) fn problems(read: &ecolens_corpus::read::FileRead) -> Vec<String> {
    read.parsed
        .problems
        .iter()
        .map(ecolens_corpus::Problem::to_string)
        .collect()
}
