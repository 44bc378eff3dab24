//! Decision bundles: one reviewer's work carried between copies of a project.

use std::path::{Path, PathBuf};

use ecolens_core::bundle::BundleReport;
use ecolens_core::{Project, ReviewerId};
use serde::Serialize;

use super::project::{author, seen_by};
use super::{Error, Result, write_text};

/// What a bundle written holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BundleWritten {
    /// The file.
    pub file: PathBuf,
    /// Whose work.
    pub reviewer: String,
    /// Records it refers to.
    pub records: usize,
    /// Screening votes.
    pub votes: usize,
    /// Classifications.
    pub classifications: usize,
    /// Risks.
    pub risks: usize,
    /// Record labels.
    pub labels: usize,
    /// Consequence-tree roots.
    pub roots: usize,
    /// Paper audits attached as evidence.
    pub paper_audits: usize,
    /// The reviewer's audit entries.
    pub audit_entries: usize,
}

/// Writes the reader's own work to a bundle file for the lead's project: a bundle is always
/// one's own.
pub fn export(project: &Project, reader: Option<ReviewerId>, path: &Path) -> Result<BundleWritten> {
    author(reader, "exporting a decision bundle")?;
    let seen = seen_by(project, reader)?;
    let bundle = project.export_bundle(&seen)?;
    let text = serde_json::to_string_pretty(&bundle).map_err(|error| Error::Io {
        action: "cannot write",
        path: path.to_owned(),
        source: std::io::Error::other(error),
    })?;
    write_text(path, &text)?;
    Ok(BundleWritten {
        file: path.to_owned(),
        reviewer: bundle.reviewer.name,
        records: bundle.records.len(),
        votes: bundle.votes.len(),
        classifications: bundle.classifications.len(),
        risks: bundle.risks.len(),
        labels: bundle.labels.len(),
        paper_audits: bundle.audits.len(),
        roots: bundle.roots.len(),
        audit_entries: bundle.audit.len(),
    })
}

/// Merges a reviewer's bundle into the project (twice changes nothing; conflicts are
/// reported and the project's values kept).
pub fn import(project: &mut Project, path: &Path) -> Result<BundleReport> {
    let content = std::fs::read_to_string(path).map_err(|source| Error::Io {
        action: "cannot read",
        path: path.to_owned(),
        source,
    })?;
    Ok(project.import_bundle(path, &content)?)
}
