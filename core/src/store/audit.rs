//! Writing and reading the audit log, and undoing a reviewer's last change.

use rusqlite::{OptionalExtension, Row, Transaction, params};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::edit::delete_entered_record;
use super::records::{load_record, update_record_tx};
use super::review::{
    delete_classification, delete_record_label, delete_risk_row, delete_vote, load_classification,
    load_record_label, load_risk, load_vote, require_reviewer, write_classification,
    write_record_label, write_risk, write_vote,
};
use super::workflow::{
    StoredRoot, delete_resolution, delete_root, load_resolution, load_root, read_meta, write_meta,
    write_resolution, write_root,
};
use super::{Column, Project, now, to_json, to_json_value, touch};
use crate::audit::{AuditAction, AuditEntry, EntityKind, UndoOutcome};
use crate::error::{Error, Result, SqlContext};
use crate::ids::{AuditId, RecordId, ReviewerId};
use crate::record::Record;
use crate::review::{Reviewer, StoredClassification, StoredRecordLabel, StoredRisk, StoredVote};
use crate::visibility::Visibility;
use crate::workflow::Resolution;

/// A change about to be logged.
pub(crate) struct Change {
    pub(crate) entity: EntityKind,
    pub(crate) key: String,
    pub(crate) record: Option<RecordId>,
    pub(crate) action: AuditAction,
    pub(crate) old: Option<serde_json::Value>,
    pub(crate) new: Option<serde_json::Value>,
}

/// Appends an entry to the audit log inside the caller's transaction.
pub(crate) fn log(
    tx: &Transaction<'_>,
    author: Option<&Reviewer>,
    change: &Change,
    undoes: Option<AuditId>,
) -> Result<AuditId> {
    tx.prepare_cached(
        "INSERT INTO audit_log (at, reviewer_id, reviewer_name, entity, entity_key, record_id, action, old, new, undoes)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )
    .context("preparing the audit log")?
    .execute(params![
        now().to_string(),
        author.map(|r| r.id.0),
        author.map(|r| r.name.as_str()),
        change.entity.code(),
        change.key,
        change.record.map(|r| r.0),
        change.action.code(),
        change.old.as_ref().map(|v| to_json("audit.old", v)).transpose()?,
        change.new.as_ref().map(|v| to_json("audit.new", v)).transpose()?,
        undoes.map(|id| id.0),
    ])
    .context("writing the audit log")?;
    Ok(AuditId(tx.last_insert_rowid()))
}

/// Logs a change from its value before (`None` when created) and after (`None` when deleted);
/// the action follows from which sides are present.
pub(crate) fn log_change<T: Serialize>(
    tx: &Transaction<'_>,
    author: Option<&Reviewer>,
    entity: EntityKind,
    key: String,
    record: Option<RecordId>,
    old: Option<&T>,
    new: Option<&T>,
) -> Result<AuditId> {
    let action = match (old.is_some(), new.is_some()) {
        (false, true) => AuditAction::Create,
        (true, true) => AuditAction::Update,
        (true, false) => AuditAction::Delete,
        (false, false) => {
            return Err(Error::invalid(
                "audit",
                &key,
                "a change with a value before or after it",
            ));
        }
    };
    let field = entity.code();
    let change = Change {
        entity,
        key,
        record,
        action,
        old: old.map(|value| to_json_value(field, value)).transpose()?,
        new: new.map(|value| to_json_value(field, value)).transpose()?,
    };
    log(tx, author, &change, None)
}

/// Which audit entries to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AuditFilter {
    /// Only this reviewer's entries.
    pub reviewer: Option<ReviewerId>,
    /// Only entries about this record.
    pub record: Option<RecordId>,
    /// At most this many, newest first; `None` for all.
    pub limit: Option<u64>,
}

const AUDIT_COLUMNS: &str = "id, at, reviewer_id, reviewer_name, entity, entity_key, record_id, action, old, new, undoes, undone_by";

type RawAudit = (
    i64,
    String,
    Option<i64>,
    Option<String>,
    String,
    String,
    Option<i64>,
    String,
    Option<String>,
    Option<String>,
    Option<i64>,
    Option<i64>,
);

fn raw_audit(row: &Row<'_>) -> rusqlite::Result<RawAudit> {
    row.try_into()
}

fn decode_audit(raw: RawAudit) -> Result<AuditEntry> {
    let (
        id,
        at,
        reviewer,
        reviewer_name,
        entity,
        entity_key,
        record,
        action,
        old,
        new,
        undoes,
        undone_by,
    ) = raw;
    let column = |name| Column::at("audit_log", name, id);
    Ok(AuditEntry {
        id: AuditId(id),
        at: column("at").time(&at)?,
        reviewer: reviewer.map(ReviewerId),
        reviewer_name,
        entity: EntityKind::parse(&entity).map_err(|e| column("entity").corrupt(e))?,
        entity_key,
        record: record.map(RecordId),
        action: AuditAction::parse(&action).map_err(|e| column("action").corrupt(e))?,
        old: old.map(|v| column("old").json(&v)).transpose()?,
        new: new.map(|v| column("new").json(&v)).transpose()?,
        undoes: undoes.map(AuditId),
        undone_by: undone_by.map(AuditId),
        hidden: false,
    })
}

impl Project {
    /// Audit entries, newest first, as `seen` may read them ([`AuditEntry::shown_to`]).
    pub fn audit_log(&self, filter: AuditFilter, seen: &Visibility) -> Result<Vec<AuditEntry>> {
        let limit = filter
            .limit
            .map_or(-1, |n| i64::try_from(n).unwrap_or(i64::MAX));
        let mut statement = self
            .conn
            .prepare_cached(&format!(
                "SELECT {AUDIT_COLUMNS} FROM audit_log
                 WHERE (?1 IS NULL OR reviewer_id = ?1) AND (?2 IS NULL OR record_id = ?2)
                 ORDER BY id DESC LIMIT ?3"
            ))
            .context("reading the audit log")?;
        let raws = statement
            .query_map(
                params![
                    filter.reviewer.map(|r| r.0),
                    filter.record.map(|r| r.0),
                    limit
                ],
                raw_audit,
            )
            .context("reading the audit log")?
            .collect::<rusqlite::Result<Vec<_>>>()
            .context("reading the audit log")?;
        raws.into_iter()
            .map(|raw| Ok(decode_audit(raw)?.shown_to(seen)))
            .collect()
    }

    /// Undoes the reviewer's most recent review change that is not yet undone: restores the
    /// value before it, logs an `undo` entry and marks the change as undone, in one transaction.
    /// Calling it again walks further back.
    pub fn undo_last(&mut self, reviewer: ReviewerId) -> Result<UndoOutcome> {
        let tx = self.conn.transaction().context("starting to undo")?;
        let author = require_reviewer(&tx, reviewer)?;
        let entry = tx
            .query_row(
                &format!(
                    "SELECT {AUDIT_COLUMNS} FROM audit_log
                     WHERE reviewer_id = ?1 AND action <> 'undo' AND undone_by IS NULL
                       AND entity IN ('screening', 'classification', 'risk', 'record_label',
                                      'resolution', 'setting', 'consequence_root', 'record',
                                      'paper_audit')
                     ORDER BY id DESC LIMIT 1"
                ),
                [reviewer.0],
                raw_audit,
            )
            .optional()
            .context("finding the last change")?
            .map(decode_audit)
            .transpose()?
            .ok_or_else(|| Error::NothingToUndo {
                reviewer: author.name.clone(),
            })?;

        let current = current_value(&tx, &entry)?;
        if current != entry.new {
            return Err(Error::Stale {
                entity: entry.entity.code(),
                key: entry.entity_key.clone(),
            });
        }
        restore(&tx, &entry)?;
        let undo_entry = log(
            &tx,
            Some(&author),
            &Change {
                entity: entry.entity,
                key: entry.entity_key.clone(),
                record: entry.record,
                action: AuditAction::Undo,
                old: entry.new.clone(),
                new: entry.old.clone(),
            },
            Some(entry.id),
        )?;
        tx.execute(
            "UPDATE audit_log SET undone_by = ?1 WHERE id = ?2",
            params![undo_entry.0, entry.id.0],
        )
        .context("marking a change as undone")?;
        touch(&tx, entry.record.as_slice())?;
        tx.commit().context("committing the undo")?;
        Ok(UndoOutcome {
            undone: AuditEntry {
                undone_by: Some(undo_entry),
                ..entry
            },
            undo_entry,
        })
    }
}

/// The snapshot of whatever the entry describes (either side identifies the entity).
fn snapshot<T: DeserializeOwned>(entry: &AuditEntry) -> Result<T> {
    let value = entry.new.as_ref().or(entry.old.as_ref()).ok_or_else(|| {
        Column::at("audit_log", "old", entry.id.0)
            .corrupt("entry has neither an old nor a new value")
    })?;
    serde_json::from_value(value.clone())
        .map_err(|error| Column::at("audit_log", "new", entry.id.0).corrupt(error))
}

fn typed<T: DeserializeOwned>(entry: &AuditEntry, value: &serde_json::Value) -> Result<T> {
    serde_json::from_value(value.clone())
        .map_err(|error| Column::at("audit_log", "old", entry.id.0).corrupt(error))
}

/// The entity's current value, as JSON, for comparison with the entry's `new` side.
fn current_value(tx: &Transaction<'_>, entry: &AuditEntry) -> Result<Option<serde_json::Value>> {
    match entry.entity {
        EntityKind::Screening => {
            let vote: StoredVote = snapshot(entry)?;
            load_vote(tx, vote.record, vote.reviewer, vote.vote.stage)?
                .map(|v| to_json_value("screening", &v))
                .transpose()
        }
        EntityKind::Classification => {
            let classification: StoredClassification = snapshot(entry)?;
            load_classification(tx, classification.record, classification.reviewer)?
                .map(|v| to_json_value("classification", &v))
                .transpose()
        }
        EntityKind::Risk => {
            let risk: StoredRisk = snapshot(entry)?;
            load_risk(tx, risk.id)?
                .map(|v| to_json_value("risk", &v))
                .transpose()
        }
        EntityKind::RecordLabel => {
            let label: StoredRecordLabel = snapshot(entry)?;
            load_record_label(
                tx,
                label.record,
                label.reviewer,
                &label.vocabulary,
                &label.code,
            )?
            .map(|v| to_json_value("record_label", &v))
            .transpose()
        }
        EntityKind::Resolution => {
            let resolution: Resolution = snapshot(entry)?;
            load_resolution(tx, resolution.record, &resolution.subject)?
                .map(|v| to_json_value("resolution", &v))
                .transpose()
        }
        EntityKind::Setting => {
            let value = read_meta(tx, &entry.entity_key)?;
            to_json_value("setting", &value).map(Some)
        }
        EntityKind::ConsequenceRoot => {
            let root: StoredRoot = snapshot(entry)?;
            load_root(tx, root.record, root.reviewer)?
                .map(|v| to_json_value("consequence_root", &v))
                .transpose()
        }
        EntityKind::Record => {
            let id = entry.record.ok_or_else(|| {
                Column::at("audit_log", "record_id", entry.id.0)
                    .corrupt("a record edit names no record")
            })?;
            match load_record(tx, id) {
                Ok(record) => to_json_value("record", &record).map(Some),
                Err(Error::NotFound { .. }) => Ok(None),
                Err(error) => Err(error),
            }
        }
        EntityKind::PaperAudit => {
            let audit: super::assessment::StoredPaperAudit = snapshot(entry)?;
            super::assessment::load_paper_audit(tx, audit.id)?
                .map(|v| to_json_value("paper_audit", &v))
                .transpose()
        }
        EntityKind::Reviewer | EntityKind::ProjectLabel => Err(not_undoable(entry)),
    }
}

fn not_undoable(entry: &AuditEntry) -> Error {
    Error::invalid(
        "audit.entity",
        entry.entity.code(),
        "a review change (screening, classification, risk, record label, resolution, setting, consequence root, record edit, paper audit)",
    )
}

/// Puts back the entry's `old` side: deletes what the change created, re-writes what it
/// changed or deleted.
fn restore(tx: &Transaction<'_>, entry: &AuditEntry) -> Result<()> {
    match entry.entity {
        EntityKind::Screening => match &entry.old {
            Some(old) => write_vote(tx, &typed::<StoredVote>(entry, old)?),
            None => {
                let vote: StoredVote = snapshot(entry)?;
                delete_vote(tx, vote.record, vote.reviewer, vote.vote.stage)
            }
        },
        EntityKind::Classification => match &entry.old {
            Some(old) => write_classification(tx, &typed::<StoredClassification>(entry, old)?),
            None => {
                let classification: StoredClassification = snapshot(entry)?;
                delete_classification(tx, classification.record, classification.reviewer)
            }
        },
        EntityKind::Risk => match &entry.old {
            Some(old) => write_risk(tx, &typed::<StoredRisk>(entry, old)?, true).map(|_| ()),
            None => {
                let risk: StoredRisk = snapshot(entry)?;
                delete_risk_row(tx, risk.id)
            }
        },
        EntityKind::RecordLabel => match &entry.old {
            Some(old) => write_record_label(tx, &typed::<StoredRecordLabel>(entry, old)?),
            None => {
                let label: StoredRecordLabel = snapshot(entry)?;
                delete_record_label(tx, &label)
            }
        },
        EntityKind::Resolution => match &entry.old {
            Some(old) => write_resolution(tx, &typed::<Resolution>(entry, old)?),
            None => {
                let resolution: Resolution = snapshot(entry)?;
                delete_resolution(tx, resolution.record, &resolution.subject)
            }
        },
        EntityKind::Setting => {
            let old: Option<String> = match &entry.old {
                Some(old) => typed(entry, old)?,
                None => None,
            };
            write_meta(tx, &entry.entity_key, old.as_deref())
        }
        EntityKind::ConsequenceRoot => match &entry.old {
            Some(old) => write_root(tx, &typed::<StoredRoot>(entry, old)?),
            None => {
                let root: StoredRoot = snapshot(entry)?;
                delete_root(tx, root.record, root.reviewer)
            }
        },
        EntityKind::Record => {
            let id = entry.record.ok_or_else(|| {
                Column::at("audit_log", "record_id", entry.id.0)
                    .corrupt("a record edit names no record")
            })?;
            match &entry.old {
                Some(old) => {
                    update_record_tx(tx, id, &typed::<Record>(entry, old)?, &now().to_string())
                }
                None => delete_entered_record(tx, id),
            }
        }
        EntityKind::PaperAudit => match &entry.old {
            Some(old) => super::assessment::write_paper_audit(
                tx,
                &typed::<super::assessment::StoredPaperAudit>(entry, old)?,
                true,
            )
            .map(|_| ()),
            None => {
                let audit: super::assessment::StoredPaperAudit = snapshot(entry)?;
                super::assessment::delete_paper_audit_row(tx, audit.id)
            }
        },
        EntityKind::Reviewer | EntityKind::ProjectLabel => Err(not_undoable(entry)),
    }
}
