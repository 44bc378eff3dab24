//! The audit log: every review change, who made it, when, and the value before and after.
//!
//! Entries are append-only. Undoing a change writes a new `undo` entry and marks the original as
//! undone; nothing is deleted, so the log always tells the whole story.

use std::fmt;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::ids::{AuditId, RecordId, ReviewerId};

/// What kind of entity a change touched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntityKind {
    /// A screening vote (record × reviewer × stage).
    Screening,
    /// An a–f classification (record × reviewer).
    Classification,
    /// A rebound or ICT-effect risk.
    Risk,
    /// A label on a record (record × reviewer × vocabulary × code).
    RecordLabel,
    /// A reviewer.
    Reviewer,
    /// An entry of a project vocabulary.
    ProjectLabel,
    /// A lead's resolution of a disagreement (record × subject).
    Resolution,
    /// A review setting (blind mode, the screening rule).
    Setting,
    /// The root of a reviewer's consequence tree for a record.
    ConsequenceRoot,
    /// A record's bibliographic content, edited or entered by hand.
    Record,
    /// A paper audit attached to a record as evidence (record × reviewer).
    PaperAudit,
}

impl EntityKind {
    /// Stable code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Screening => "screening",
            Self::Classification => "classification",
            Self::Risk => "risk",
            Self::RecordLabel => "record_label",
            Self::Reviewer => "reviewer",
            Self::ProjectLabel => "project_label",
            Self::Resolution => "resolution",
            Self::Setting => "setting",
            Self::ConsequenceRoot => "consequence_root",
            Self::Record => "record",
            Self::PaperAudit => "paper_audit",
        }
    }

    /// Whether entities of this kind are reviewers' judgements (hidden by blind mode), as
    /// opposed to the project's setup (reviewers, vocabularies, settings).
    pub fn is_judgement(self) -> bool {
        match self {
            Self::Screening
            | Self::Classification
            | Self::Risk
            | Self::RecordLabel
            | Self::Resolution
            | Self::ConsequenceRoot
            | Self::PaperAudit => true,
            Self::Reviewer | Self::ProjectLabel | Self::Setting | Self::Record => false,
        }
    }

    /// Parses a stored code.
    pub fn parse(value: &str) -> Result<Self> {
        [
            Self::Screening,
            Self::Classification,
            Self::Risk,
            Self::RecordLabel,
            Self::Reviewer,
            Self::ProjectLabel,
            Self::Resolution,
            Self::Setting,
            Self::ConsequenceRoot,
            Self::Record,
            Self::PaperAudit,
        ]
        .into_iter()
        .find(|kind| kind.code() == value)
        .ok_or_else(|| Error::invalid("audit.entity", value, "a known entity kind"))
    }
}

impl fmt::Display for EntityKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// What a change did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditAction {
    /// Created the entity (old value is empty).
    Create,
    /// Changed it.
    Update,
    /// Deleted it (new value is empty).
    Delete,
    /// Reverted an earlier change (see [`AuditEntry::undoes`]).
    Undo,
}

impl AuditAction {
    /// Stable code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Create => "create",
            Self::Update => "update",
            Self::Delete => "delete",
            Self::Undo => "undo",
        }
    }

    /// Parses a stored code.
    pub fn parse(value: &str) -> Result<Self> {
        [Self::Create, Self::Update, Self::Delete, Self::Undo]
            .into_iter()
            .find(|action| action.code() == value)
            .ok_or_else(|| Error::invalid("audit.action", value, "create, update, delete or undo"))
    }
}

impl fmt::Display for AuditAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// One entry of the audit log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// Row id; entries are numbered in the order they were written.
    pub id: AuditId,
    /// When.
    pub at: Timestamp,
    /// Who, when the change was a reviewer's (adding a reviewer has no author yet).
    pub reviewer: Option<ReviewerId>,
    /// The author's name at the time of the change.
    pub reviewer_name: Option<String>,
    /// Kind of entity.
    pub entity: EntityKind,
    /// Key of the entity within its kind, e.g. `record 12 stage tiab`.
    pub entity_key: String,
    /// The record concerned, if any.
    pub record: Option<RecordId>,
    /// What happened.
    pub action: AuditAction,
    /// Value before (JSON), `None` for creations.
    pub old: Option<serde_json::Value>,
    /// Value after (JSON), `None` for deletions.
    pub new: Option<serde_json::Value>,
    /// The entry this one undoes, for `undo` entries.
    pub undoes: Option<AuditId>,
    /// The `undo` entry that reverted this one, if any.
    pub undone_by: Option<AuditId>,
    /// Whether blind mode hides what the change was: the entry says who changed which kind of
    /// judgement on which record, and `entity_key`, `old` and `new` say no more.
    #[serde(default)]
    pub hidden: bool,
}

impl AuditEntry {
    /// The entry as `seen` may read it: another reviewer's judgement keeps its author, time,
    /// kind, action and record, and loses its key (which may hold a label's code), values and
    /// the entries it undoes.
    #[must_use]
    pub fn shown_to(self, seen: &crate::visibility::Visibility) -> Self {
        let own = self.reviewer.is_some_and(|author| seen.shows(author));
        if !self.entity.is_judgement() || own || seen.sees_everyone() {
            return self;
        }
        Self {
            entity_key: self
                .record
                .map_or_else(|| "hidden".to_owned(), |record| format!("record {record}")),
            old: None,
            new: None,
            hidden: true,
            ..self
        }
    }
}

/// What an undo did, for the caller to report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UndoOutcome {
    /// The entry that was undone.
    pub undone: AuditEntry,
    /// The new `undo` entry.
    pub undo_entry: AuditId,
}
