//! Helpers the corpus test binaries share: where the fixtures are, and a plain import.

#![allow(dead_code, clippy::unwrap_used)] // Each test binary uses a part of this module.

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
    }
}

/// Imports files and folders into `project` in one go.
pub(crate) fn import(project: &mut Project, paths: &[PathBuf]) -> ImportReport {
    let cancel = AtomicBool::new(false);
    import_paths(project, paths, &options(&cancel)).unwrap()
}
