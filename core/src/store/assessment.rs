//! Measured-energy traces and LCA scenarios attached to records.
//!
//! A trace file is stored as one row per run (the normalised summary as JSON); a scenario as
//! its TOML text, so what is stored is what a user can read, diff and share.

use std::path::Path;

use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};

use super::records::require_record;
use super::{Column, Project, now, query_all, to_json, touch};
use crate::EntityKind;
use crate::energy::{TraceFile, TraceSummary};
use crate::error::SqlContext;
use crate::estimate::FactorOverrides;
use crate::lca::Scenario;
use crate::store::audit::log_change;
use crate::store::workflow::{read_meta, write_meta};
use crate::{Error, RecordId, Result, ScenarioId, TraceId};

/// A stored trace run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredTrace {
    /// Row id.
    pub id: TraceId,
    /// The record it belongs to.
    pub record: Option<RecordId>,
    /// The file it was read from.
    pub source_file: String,
    /// The normalised summary.
    pub summary: TraceSummary,
    /// When it was attached (RFC 3339).
    pub imported_at: String,
}

/// A stored scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredScenario {
    /// Row id.
    pub id: ScenarioId,
    /// The record it belongs to.
    pub record: Option<RecordId>,
    /// Its name.
    pub name: String,
    /// The TOML text.
    pub toml: String,
    /// Last change (RFC 3339).
    pub updated_at: String,
}

/// A paper audit attached to a record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredPaperAudit {
    /// Row id.
    pub id: i64,
    /// Stable id, the same in every project the audit travels to (decision bundles).
    pub uid: String,
    /// The record.
    pub record: RecordId,
    /// Who attached it (none when no reviewer was at the keyboard).
    pub reviewer: Option<crate::ReviewerId>,
    /// The audit as it was when attached.
    pub audit: crate::paper_audit::PaperAudit,
    /// When (RFC 3339).
    pub created_at: String,
}

/// Where the factor overrides are kept in `project_meta`.
const FACTORS_KEY: &str = "assessment.factors";

impl Project {
    /// Attaches every run of a trace file to a record, in one transaction.
    pub fn attach_trace(
        &mut self,
        record: Option<RecordId>,
        file: &TraceFile,
    ) -> Result<Vec<TraceId>> {
        let tx = self
            .conn
            .transaction()
            .context("starting to attach a trace")?;
        if let Some(record) = record {
            require_record(&tx, record)?;
        }
        let at = now().to_string();
        let mut ids = Vec::new();
        for run in &file.runs {
            let mut summary = run.clone();
            summary.warnings.extend(file.warnings.iter().cloned());
            let json = to_json("trace.summary", &summary)?;
            tx.execute(
                "INSERT INTO energy_trace (record_id, tool, source_file, summary, imported_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![
                    record.map(|r| r.0),
                    run.tool(),
                    file.path.display().to_string(),
                    json,
                    at
                ],
            )
            .context("storing a trace")?;
            ids.push(TraceId(tx.last_insert_rowid()));
        }
        if let Some(record) = record {
            touch(&tx, &[record])?;
        }
        tx.commit().context("committing a trace")?;
        Ok(ids)
    }

    /// Traces of a record (or all traces with `None`), oldest first.
    pub fn traces(&self, record: Option<RecordId>) -> Result<Vec<StoredTrace>> {
        let rows = query_all(
            &self.conn,
            "SELECT id, record_id, source_file, summary, imported_at FROM energy_trace
             WHERE ?1 IS NULL OR record_id = ?1 ORDER BY id",
            [record.map(|r| r.0)],
            "listing traces",
            |row| {
                Ok((
                    row.get::<_, i64>(0)?,
                    row.get::<_, Option<i64>>(1)?,
                    row.get::<_, String>(2)?,
                    row.get::<_, String>(3)?,
                    row.get::<_, String>(4)?,
                ))
            },
        )?;
        rows.into_iter()
            .map(|(id, record, source_file, json, imported_at)| {
                Ok(StoredTrace {
                    id: TraceId(id),
                    record: record.map(RecordId),
                    source_file,
                    summary: Column::at("energy_trace", "summary", id).json(&json)?,
                    imported_at,
                })
            })
            .collect()
    }

    /// Detaches (deletes) a trace run.
    pub fn delete_trace(&mut self, id: TraceId) -> Result<()> {
        let tx = self
            .conn
            .transaction()
            .context("starting to delete a trace")?;
        let record: Option<Option<i64>> = tx
            .query_row(
                "SELECT record_id FROM energy_trace WHERE id = ?1",
                [id.0],
                |row| row.get(0),
            )
            .optional()
            .context("finding a trace")?;
        let Some(record) = record else {
            return Err(Error::NotFound {
                entity: "energy trace",
                key: id.to_string(),
            });
        };
        tx.execute("DELETE FROM energy_trace WHERE id = ?1", [id.0])
            .context("deleting a trace")?;
        if let Some(record) = record {
            touch(&tx, &[RecordId(record)])?;
        }
        tx.commit().context("committing a trace deletion")
    }

    /// Stores a scenario for a record: a new one, or the one of the same name on that record
    /// replaced. The TOML is checked first.
    pub fn save_scenario(&mut self, record: Option<RecordId>, toml: &str) -> Result<ScenarioId> {
        let scenario = Scenario::from_toml(toml)?;
        let tx = self
            .conn
            .transaction()
            .context("starting to save a scenario")?;
        if let Some(record) = record {
            require_record(&tx, record)?;
        }
        let at = now().to_string();
        let existing: Option<i64> = tx
            .query_row(
                "SELECT id FROM lca_scenario WHERE record_id IS ?1 AND name = ?2",
                params![record.map(|r| r.0), scenario.name],
                |row| row.get(0),
            )
            .optional()
            .context("finding a scenario")?;
        let id = match existing {
            Some(id) => {
                tx.execute(
                    "UPDATE lca_scenario SET source_toml = ?1, updated_at = ?2 WHERE id = ?3",
                    params![toml, at, id],
                )
                .context("updating a scenario")?;
                id
            }
            None => {
                tx.execute(
                    "INSERT INTO lca_scenario (record_id, name, source_toml, created_at, updated_at)
                     VALUES (?1, ?2, ?3, ?4, ?4)",
                    params![record.map(|r| r.0), scenario.name, toml, at],
                )
                .context("storing a scenario")?;
                tx.last_insert_rowid()
            }
        };
        if let Some(record) = record {
            touch(&tx, &[record])?;
        }
        tx.commit().context("committing a scenario")?;
        Ok(ScenarioId(id))
    }

    /// Attaches a paper audit to a record as evidence for its classification, in one
    /// transaction; `reviewer` is who attached it.
    pub fn attach_paper_audit(
        &mut self,
        record: RecordId,
        reviewer: Option<crate::ReviewerId>,
        audit: &crate::paper_audit::PaperAudit,
    ) -> Result<i64> {
        let tx = self
            .conn
            .transaction()
            .context("starting to attach a paper audit")?;
        require_record(&tx, record)?;
        let author = reviewer
            .map(|r| super::review::require_reviewer(&tx, r))
            .transpose()?;
        let stored = StoredPaperAudit {
            id: 0,
            uid: super::review::new_uid(&tx)?,
            record,
            reviewer,
            audit: audit.clone(),
            created_at: now().to_string(),
        };
        let id = write_paper_audit(&tx, &stored, false)?;
        let stored = StoredPaperAudit { id, ..stored };
        log_change(
            &tx,
            author.as_ref(),
            EntityKind::PaperAudit,
            format!("paper audit {id}"),
            Some(record),
            None,
            Some(&stored),
        )?;
        touch(&tx, &[record])?;
        tx.commit().context("committing a paper audit")?;
        Ok(id)
    }

    /// The paper audits attached to a record, oldest first.
    pub fn paper_audits(&self, record: RecordId) -> Result<Vec<StoredPaperAudit>> {
        query_all(
            &self.conn,
            &format!(
                "SELECT {PAPER_AUDIT_COLUMNS} FROM paper_audit WHERE record_id = ?1 ORDER BY id"
            ),
            [record.0],
            "listing paper audits",
            raw_paper_audit,
        )?
        .into_iter()
        .map(decode_paper_audit)
        .collect()
    }

    /// The project's factor overrides (none set: all `None`).
    pub fn factor_overrides(&self) -> Result<FactorOverrides> {
        match self.meta(FACTORS_KEY)? {
            None => Ok(FactorOverrides::default()),
            Some(json) => Column::at("project_meta", "value", 0).json(&json),
        }
    }

    /// Replaces the project's factor overrides (checked first; all `None` removes them). The
    /// change is journalled, so `undo` restores the previous ones.
    pub fn set_factor_overrides(&mut self, overrides: &FactorOverrides) -> Result<()> {
        overrides.check()?;
        let value = if overrides.is_empty() {
            None
        } else {
            Some(to_json("factors", overrides)?)
        };
        let tx = self
            .conn
            .transaction()
            .context("starting to change the factor overrides")?;
        let old = read_meta(&tx, FACTORS_KEY)?;
        if old == value {
            return Ok(());
        }
        write_meta(&tx, FACTORS_KEY, value.as_deref())?;
        log_change(
            &tx,
            None,
            EntityKind::Setting,
            FACTORS_KEY.to_owned(),
            None,
            Some(&old),
            Some(&value),
        )?;
        tx.commit().context("committing the factor overrides")
    }

    /// Every record with traces or scenarios, in id order, with its title and how many of
    /// each it has: one query, for the Assess tab's list.
    pub fn assessed_records(&self) -> Result<Vec<AssessedRecord>> {
        query_all(
            &self.conn,
            "SELECT r.id, r.title,
                    (SELECT count(*) FROM energy_trace t WHERE t.record_id = r.id),
                    (SELECT count(*) FROM lca_scenario s WHERE s.record_id = r.id)
             FROM record r
             WHERE r.id IN (SELECT record_id FROM energy_trace UNION SELECT record_id FROM lca_scenario)
             ORDER BY r.id",
            [],
            "listing assessed records",
            |row| {
                Ok(AssessedRecord {
                    record: RecordId(row.get(0)?),
                    title: row.get(1)?,
                    traces: row.get::<_, i64>(2)?.unsigned_abs(),
                    scenarios: row.get::<_, i64>(3)?.unsigned_abs(),
                })
            },
        )
    }

    /// Scenarios of a record (or all with `None`).
    pub fn scenarios(&self, record: Option<RecordId>) -> Result<Vec<StoredScenario>> {
        query_all(
            &self.conn,
            "SELECT id, record_id, name, source_toml, updated_at FROM lca_scenario
             WHERE ?1 IS NULL OR record_id = ?1 ORDER BY id",
            [record.map(|r| r.0)],
            "listing scenarios",
            |row| {
                Ok(StoredScenario {
                    id: ScenarioId(row.get(0)?),
                    record: row.get::<_, Option<i64>>(1)?.map(RecordId),
                    name: row.get(2)?,
                    toml: row.get(3)?,
                    updated_at: row.get(4)?,
                })
            },
        )
    }
}

/// Writes a paper audit row; with `keep_id`, under `stored.id` (undo putting it back).
pub(crate) fn write_paper_audit(
    tx: &rusqlite::Transaction<'_>,
    stored: &StoredPaperAudit,
    keep_id: bool,
) -> Result<i64> {
    let json = to_json("paper audit", &stored.audit)?;
    tx.execute(
        "INSERT INTO paper_audit (id, record_id, reviewer_id, label, audit, created_at, uid)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            keep_id.then_some(stored.id),
            stored.record.0,
            stored.reviewer.map(|r| r.0),
            stored.audit.chain.label,
            json,
            stored.created_at,
            stored.uid
        ],
    )
    .context("storing a paper audit")?;
    Ok(tx.last_insert_rowid())
}

const PAPER_AUDIT_COLUMNS: &str = "id, uid, record_id, reviewer_id, audit, created_at";

type RawPaperAudit = (i64, String, i64, Option<i64>, String, String);

fn raw_paper_audit(row: &rusqlite::Row<'_>) -> rusqlite::Result<RawPaperAudit> {
    row.try_into()
}

fn decode_paper_audit(raw: RawPaperAudit) -> Result<StoredPaperAudit> {
    let (id, uid, record, reviewer, json, created_at) = raw;
    Ok(StoredPaperAudit {
        id,
        uid,
        record: RecordId(record),
        reviewer: reviewer.map(crate::ReviewerId),
        audit: Column::at("paper_audit", "audit", id).json(&json)?,
        created_at,
    })
}

/// One paper audit whose `column` (`id` or `uid`) is `value`, if it exists.
fn load_paper_audit_by(
    tx: &rusqlite::Transaction<'_>,
    column: &str,
    value: &dyn rusqlite::ToSql,
) -> Result<Option<StoredPaperAudit>> {
    tx.query_row(
        &format!("SELECT {PAPER_AUDIT_COLUMNS} FROM paper_audit WHERE {column} = ?1"),
        [value],
        raw_paper_audit,
    )
    .optional()
    .context("reading a paper audit")?
    .map(decode_paper_audit)
    .transpose()
}

/// One paper audit row, if it exists.
pub(crate) fn load_paper_audit(
    tx: &rusqlite::Transaction<'_>,
    id: i64,
) -> Result<Option<StoredPaperAudit>> {
    load_paper_audit_by(tx, "id", &id)
}

/// One paper audit by its stable id, if this project has it.
pub(crate) fn load_paper_audit_by_uid(
    tx: &rusqlite::Transaction<'_>,
    uid: &str,
) -> Result<Option<StoredPaperAudit>> {
    load_paper_audit_by(tx, "uid", &uid)
}

/// A reviewer's paper audits, by record then id.
pub(crate) fn reviewer_paper_audits(
    conn: &rusqlite::Connection,
    reviewer: crate::ReviewerId,
) -> Result<Vec<StoredPaperAudit>> {
    query_all(
        conn,
        &format!(
            "SELECT {PAPER_AUDIT_COLUMNS} FROM paper_audit WHERE reviewer_id = ?1
             ORDER BY record_id, id"
        ),
        [reviewer.0],
        "reading a reviewer's paper audits",
        raw_paper_audit,
    )?
    .into_iter()
    .map(decode_paper_audit)
    .collect()
}

/// Deletes a paper audit row.
pub(crate) fn delete_paper_audit_row(tx: &rusqlite::Transaction<'_>, id: i64) -> Result<()> {
    tx.execute("DELETE FROM paper_audit WHERE id = ?1", [id])
        .context("removing a paper audit")?;
    Ok(())
}

/// A record with traces or scenarios.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AssessedRecord {
    /// The record.
    pub record: RecordId,
    /// Its title.
    pub title: String,
    /// Trace runs attached.
    pub traces: u64,
    /// Scenarios saved with it.
    pub scenarios: u64,
}

/// Reads a trace file and attaches it: the usual path for the CLI and the window.
pub fn attach_trace_file(
    project: &mut Project,
    record: Option<RecordId>,
    path: &Path,
) -> Result<(TraceFile, Vec<TraceId>)> {
    let file = crate::energy::read_trace(path)?;
    let ids = project.attach_trace(record, &file)?;
    Ok((file, ids))
}
