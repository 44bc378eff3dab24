//! Decision bundles: one reviewer's work, carried between copies of a project.
//!
//! A team on several machines shares one project file; each reviewer works in a copy and
//! exports a bundle ([`crate::Project::export_bundle`]): the reviewer, their votes,
//! classifications, risks, labels, consequence-tree roots, paper audits, a lead's
//! resolutions and audit entries.
//! Records are named by stable identifiers (DOI, PMID, arXiv id, else normalised title and
//! year), never by local row ids; risks and paper audits by their stable uid (an audit is
//! added once and never changed). The lead imports bundles into the main project
//! ([`crate::Project::import_bundle`]): what is new is added, a later value from the same
//! reviewer replaces an earlier one (logged, undoable), and a value the project holds that is
//! newer or different at the same time is kept and reported as a conflict. Importing the same
//! bundle twice changes nothing. Each bundle read is kept whole in the project.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::audit::AuditEntry;
use crate::consequence::ConsequenceRoot;
use crate::review::{Classification, ReboundRisk, ScreeningVote};

/// The `format` field of every bundle.
pub const BUNDLE_FORMAT: &str = "ecolens-decision-bundle";
/// The bundle format version this build writes and reads.
pub const BUNDLE_VERSION: u32 = 1;

/// A decision bundle.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Bundle {
    /// Always [`BUNDLE_FORMAT`].
    pub format: String,
    /// Format version.
    pub version: u32,
    /// Id of the project the bundle was exported from.
    pub project_id: String,
    /// When it was exported.
    pub exported_at: Timestamp,
    /// The ecolens that wrote it.
    pub exported_by: String,
    /// Whose work it is.
    pub reviewer: BundleReviewer,
    /// The records the items refer to (items hold an index into this list).
    pub records: Vec<RecordRef>,
    /// Screening votes.
    #[serde(default)]
    pub votes: Vec<BundleVote>,
    /// a–f classifications.
    #[serde(default)]
    pub classifications: Vec<BundleClassification>,
    /// Rebound and ICT-effect risks.
    #[serde(default)]
    pub risks: Vec<BundleRisk>,
    /// Labels on records.
    #[serde(default)]
    pub labels: Vec<BundleLabel>,
    /// Roots of consequence trees.
    #[serde(default)]
    pub roots: Vec<BundleRoot>,
    /// Paper audits attached as evidence.
    #[serde(default)]
    pub audits: Vec<BundleAudit>,
    /// A lead's resolutions of disagreements (final values beside the votes).
    #[serde(default)]
    pub resolutions: Vec<BundleResolution>,
    /// The reviewer's audit entries, for the record (not replayed).
    #[serde(default)]
    pub audit: Vec<AuditEntry>,
}

/// The reviewer a bundle belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BundleReviewer {
    /// Name, as in the project.
    pub name: String,
    /// Whether a lead.
    #[serde(default)]
    pub is_lead: bool,
}

/// A record named by identifiers that survive copying and re-importing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordRef {
    /// DOI.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doi: Option<String>,
    /// PubMed id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pmid: Option<String>,
    /// arXiv id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arxiv: Option<String>,
    /// Title as stored (for people reading the bundle and for error messages).
    pub title: String,
    /// Normalised title ([`crate::record::title_key`]).
    pub title_key: String,
    /// Year.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub year: Option<i32>,
}

impl RecordRef {
    /// How `record` is named between copies of a project.
    pub fn of(record: &crate::record::Record) -> Self {
        Self {
            doi: record.doi.as_ref().map(|d| d.as_str().to_owned()),
            pmid: record.pmid.as_ref().map(|p| p.as_str().to_owned()),
            arxiv: record.arxiv.as_ref().map(|a| a.as_str().to_owned()),
            title_key: crate::record::title_key(&record.title),
            title: record.title.clone(),
            year: record.year,
        }
    }

    /// How the record is named in messages: DOI, else PMID, arXiv id, else title and year.
    pub fn describe(&self) -> String {
        if let Some(doi) = &self.doi {
            return format!("doi:{doi}");
        }
        if let Some(pmid) = &self.pmid {
            return format!("pmid:{pmid}");
        }
        if let Some(arxiv) = &self.arxiv {
            return format!("arxiv:{arxiv}");
        }
        let title: String = self.title.chars().take(80).collect();
        match self.year {
            Some(year) => format!("\"{title}\" ({year})"),
            None => format!("\"{title}\""),
        }
    }
}

/// A vote in a bundle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BundleVote {
    /// Index into [`Bundle::records`].
    pub record: usize,
    /// The vote.
    #[serde(flatten)]
    pub vote: ScreeningVote,
    /// When it was cast or last changed.
    pub decided_at: Timestamp,
}

/// A classification in a bundle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BundleClassification {
    /// Index into [`Bundle::records`].
    pub record: usize,
    /// The classification.
    pub classification: Classification,
    /// When it was made or last changed.
    pub classified_at: Timestamp,
}

/// A risk in a bundle.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BundleRisk {
    /// Index into [`Bundle::records`].
    pub record: usize,
    /// Stable id.
    pub uid: String,
    /// Stable id of the risk it follows from in the consequence tree.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    /// The risk (its `parent` row id is local and left out).
    pub risk: ReboundRisk,
    /// When recorded.
    pub created_at: Timestamp,
    /// When last changed.
    pub updated_at: Timestamp,
}

/// A label in a bundle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BundleLabel {
    /// Index into [`Bundle::records`].
    pub record: usize,
    /// Vocabulary id.
    pub vocabulary: String,
    /// Entry code.
    pub code: String,
    /// When set.
    pub created_at: Timestamp,
}

/// A consequence-tree root in a bundle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BundleRoot {
    /// Index into [`Bundle::records`].
    pub record: usize,
    /// The root.
    pub root: ConsequenceRoot,
    /// When last changed.
    pub updated_at: Timestamp,
}

/// A paper audit in a bundle: attached once, never changed (a new audit is a new item).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BundleAudit {
    /// Index into [`Bundle::records`].
    pub record: usize,
    /// Stable id across projects.
    pub uid: String,
    /// The audit as attached.
    pub audit: crate::paper_audit::PaperAudit,
    /// When it was attached (RFC 3339).
    pub created_at: String,
}

/// A lead's resolution in a bundle: the final value of a subject on a record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BundleResolution {
    /// Index into [`Bundle::records`].
    pub record: usize,
    /// What was resolved (`screening:tiab`, `classification`, `risk:CODE`).
    pub subject: String,
    /// The final value.
    pub value: crate::workflow::ResolvedValue,
    /// Why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// When it was resolved.
    pub resolved_at: Timestamp,
}

/// A value the bundle and the project disagree on; the project's is kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BundleConflict {
    /// The record, as the bundle names it.
    pub record: String,
    /// What (`vote at tiab`, `classification`, `risk HO.RB.DIR`).
    pub item: String,
    /// The project's value.
    pub in_project: String,
    /// The bundle's value.
    pub in_bundle: String,
    /// Why the project's was kept.
    pub kept_because: String,
}

/// What importing a bundle did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct BundleReport {
    /// The bundle file.
    pub file: String,
    /// Whose work.
    pub reviewer: String,
    /// The same bundle was imported before; nothing was written.
    pub already_imported: bool,
    /// Items added.
    pub added: u64,
    /// Items replaced by a later value from the same reviewer.
    pub updated: u64,
    /// Items the project already held as they are.
    pub unchanged: u64,
    /// Items kept as the project has them, with why.
    pub conflicts: Vec<BundleConflict>,
    /// Records of the bundle not found in this project, with the items skipped.
    pub unmatched: Vec<String>,
}

impl BundleReport {
    /// One line: `Emily: 12 added, 0 updated, 3 unchanged, 1 conflict, 0 records not found`.
    pub fn summary(&self) -> String {
        if self.already_imported {
            return format!(
                "{}: this bundle was imported before; nothing changed",
                self.reviewer
            );
        }
        format!(
            "{}: {} added, {} updated, {} unchanged, {} conflict{}, {} record{} not found",
            self.reviewer,
            self.added,
            self.updated,
            self.unchanged,
            self.conflicts.len(),
            if self.conflicts.len() == 1 { "" } else { "s" },
            self.unmatched.len(),
            if self.unmatched.len() == 1 { "" } else { "s" },
        )
    }
}
