//! The project store: one SQLite file per project, with the search index folder beside it.
//!
//! This module is the only place in ecolens that holds SQL. Every write runs in one transaction
//! and, for review changes, writes its audit entry in that same transaction.
//!
//! Submodules: [`migrations`] (schema), `records` (records, provenance, full texts), `review`
//! (reviewers, screening, classifications, risks, record labels), `labels` (project
//! vocabularies), `audit` (log queries and undo), `import` (import sessions, merges,
//! relations), `feed` (what the search index re-reads).

mod assessment;
mod audit;
mod bundle;
mod compute;
mod edit;
mod feed;
mod hub;
mod import;
mod labels;
mod library;
pub(crate) mod migrations;
mod records;
mod review;
mod workflow;
mod workshop;

use std::path::{Path, PathBuf};

use ecolens_taxonomy::Term;
use ecolens_taxonomy::labels::DEFAULT_PROJECT_LABELS;
use jiff::Timestamp;
use rusqlite::{
    Connection, OpenFlags, OptionalExtension, Transaction, TransactionBehavior, params,
};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::{Error, Result, SqlContext};
use crate::ids::RecordId;
use crate::visibility::{Sees, Visibility};

pub use assessment::{
    AssessedRecord, StoredPaperAudit, StoredScenario, StoredTrace, attach_trace_file,
};
pub use audit::AuditFilter;
pub use compute::ComputeTotal;
pub use edit::{ENTERED_BY_HAND, MANUAL_FORMAT, RecordEdit};
pub use feed::id_ranges;
pub use hub::{HubLink, SyncReport};
pub use import::{ImportCounts, ImportSession, ImportedVote};
pub use library::{LibraryColumn, LibraryRow, SourceFile};
pub use workflow::{
    ClassifyItem, QueueItem, RecordOutcome, RecordReview, RiskList, RiskRecord, RiskSummary,
};

/// File extension of project files.
pub const PROJECT_EXTENSION: &str = "ecolens";

/// An open project: a connection to its SQLite file and the file's location.
///
/// `Project` is `Send` but not `Sync`; give each thread its own `Project` (WAL lets a reader and
/// a writer work at once) rather than sharing one behind a lock.
pub struct Project {
    conn: Connection,
    path: PathBuf,
    created: bool,
}

impl std::fmt::Debug for Project {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Project")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

/// Counts and identity of a project, as `ecolens info` prints them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProjectInfo {
    /// The project file.
    pub project_path: PathBuf,
    /// The search-index folder beside it.
    pub index_path: PathBuf,
    /// Schema version of the file.
    pub schema_version: i64,
    /// Random id given at creation; bundles from other projects are recognised by it.
    pub project_id: String,
    /// When the project was created.
    pub created_at: String,
    /// Version of ecolens that created it.
    pub created_by: String,
    /// Counts of what the project holds.
    pub counts: Counts,
    /// Whose judgements the judgement counts (votes, classifications, risks, labels) count:
    /// everyone's, or only the reader's while blind mode hides the others'.
    pub judgements_counted: Sees,
}

/// What a project holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
pub struct Counts {
    /// Bibliographic records.
    pub records: u64,
    /// Records with an extracted full text.
    pub full_texts: u64,
    /// Reviewers.
    pub reviewers: u64,
    /// Screening votes (record × reviewer × stage).
    pub screening_decisions: u64,
    /// a–f classifications (record × reviewer).
    pub classifications: u64,
    /// Rebound and ICT-effect risks.
    pub rebound_risks: u64,
    /// Labels on records (domains, ML areas, tags …).
    pub record_labels: u64,
    /// LCA scenarios.
    pub lca_scenarios: u64,
    /// Energy traces.
    pub energy_traces: u64,
    /// Audit-log entries.
    pub audit_entries: u64,
}

impl Project {
    /// Opens the project at `path`, creating the file (and missing parent folders) if it does
    /// not exist, and migrating its schema to the current version.
    pub fn open(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref().to_owned();
        let exists = path.exists();
        if !exists && let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|source| Error::Io {
                action: "cannot create the project folder",
                path: parent.to_owned(),
                source,
            })?;
        }
        if exists && path.is_dir() {
            return Err(Error::NotAProject {
                reason: "a folder, not a project file".into(),
                path,
            });
        }
        let conn = Connection::open_with_flags(
            &path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|source| Error::Sqlite {
            context: "opening the project file",
            source,
        })?;
        Self::setup(conn, path, true)
    }

    /// Opens an existing project; refuses to create one.
    pub fn open_existing(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        if !path.is_file() {
            return Err(Error::NotFound {
                entity: "project file",
                key: path.display().to_string(),
            });
        }
        Self::open(path)
    }

    /// A project in memory, for tests and scratch work.
    pub fn open_in_memory() -> Result<Self> {
        let conn = Connection::open_in_memory().context("opening an in-memory project")?;
        Self::setup(conn, PathBuf::from(":memory:"), false)
    }

    fn setup(mut conn: Connection, path: PathBuf, on_disk: bool) -> Result<Self> {
        conn.busy_timeout(std::time::Duration::from_secs(10))
            .context("setting the busy timeout")?;
        // Every write transaction takes the write lock when it begins. A deferred one that
        // reads first and then writes cannot wait for another writer: SQLite does not call the
        // busy handler on that upgrade and fails at once with "database is locked" (1.8 % of
        // review writes with two processes on one file). Reads use `read_transaction`.
        conn.set_transaction_behavior(TransactionBehavior::Immediate);
        conn.pragma_update(None, "foreign_keys", true)
            .context("enabling foreign keys")?;
        // Refuse foreign files before anything below writes to them (switching the journal
        // mode rewrites the file header).
        migrations::check_ownership(&conn, &path)?;
        if on_disk {
            // WAL lets the window read while a worker writes; NORMAL is durable at every
            // checkpoint and safe against corruption, the usual pairing with WAL.
            let mode: String = conn
                .pragma_update_and_check(None, "journal_mode", "wal", |row| row.get(0))
                .map_err(|source| match source.sqlite_error_code() {
                    Some(rusqlite::ErrorCode::NotADatabase) => Error::NotAProject {
                        reason: "not an SQLite file".into(),
                        path: path.clone(),
                    },
                    _ => Error::Sqlite {
                        context: "switching to write-ahead logging",
                        source,
                    },
                })?;
            if !mode.eq_ignore_ascii_case("wal") {
                return Err(Error::NotAProject {
                    reason: format!("journal mode stays {mode}"),
                    path,
                });
            }
            conn.pragma_update(None, "synchronous", "NORMAL")
                .context("setting synchronous mode")?;
            // 64 MB of page cache (the default is 2 MB): lists and search results of large
            // projects stay in memory.
            conn.pragma_update(None, "cache_size", -65_536)
                .context("setting the page cache size")?;
        }
        let found = migrations::migrate(&mut conn, &path, initialise)?;
        Ok(Self {
            conn,
            path,
            created: found == 0,
        })
    }

    /// A read-only transaction (deferred: it takes no write lock), so that several reads see
    /// one state of the file.
    pub(crate) fn read_transaction(&self, context: &'static str) -> Result<Transaction<'_>> {
        Transaction::new_unchecked(&self.conn, TransactionBehavior::Deferred).context(context)
    }

    /// `true` when this open created the project (so the caller may fill it, e.g. with the
    /// demo corpus).
    pub fn was_created(&self) -> bool {
        self.created
    }

    /// The project file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The search-index folder that belongs to this project: `<file>.index` beside the file.
    pub fn index_path(&self) -> PathBuf {
        index_path_for(&self.path)
    }

    /// Current schema version of the file.
    pub fn schema_version(&self) -> Result<i64> {
        self.conn
            .pragma_query_value(None, "user_version", |row| row.get(0))
            .context("reading the schema version")
    }

    /// A value of the project's key/value metadata.
    pub fn meta(&self, key: &str) -> Result<Option<String>> {
        self.conn
            .query_row(
                "SELECT value FROM project_meta WHERE key = ?1",
                [key],
                |row| row.get(0),
            )
            .optional()
            .context("reading project metadata")
    }

    /// Sets a value of the project's key/value metadata.
    pub fn set_meta(&mut self, key: &str, value: &str) -> Result<()> {
        self.conn
            .execute(
                "INSERT INTO project_meta (key, value) VALUES (?1, ?2)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                [key, value],
            )
            .context("writing project metadata")?;
        Ok(())
    }

    /// A number that grows with every change to data the search index mirrors (records,
    /// full texts, review data, merges).
    pub fn data_version(&self) -> Result<u64> {
        Ok(self
            .meta("data_version")?
            .and_then(|v| v.parse().ok())
            .unwrap_or(0))
    }

    /// A fingerprint of the records' bibliographic content: it changes when records are
    /// imported, merged, edited, entered or undone, and not with review work (votes, labels).
    /// What is derived from records alone (the screening model's features) is kept while it
    /// holds.
    pub fn records_version(&self) -> Result<String> {
        let number = |sql: &str| -> Result<i64> {
            Ok(self
                .conn
                .query_row(sql, [], |row| row.get::<_, Option<i64>>(0))
                .context("reading the records' version")?
                .unwrap_or(0))
        };
        Ok(format!(
            "{}:{}:{}:{}:{}:{}",
            self.meta("project_id")?.unwrap_or_default(),
            number("SELECT n FROM row_count WHERE name = 'record'")?,
            number("SELECT max(id) FROM record")?,
            number("SELECT max(id) FROM import_run")?,
            number("SELECT max(id) FROM record_merge")?,
            number(
                "SELECT max(id) FROM (SELECT id FROM audit_log WHERE entity = 'record' ORDER BY id DESC LIMIT 1)",
            )?,
        ))
    }

    /// Counts and identity of the project; the judgements counted are those `seen` shows.
    pub fn info(&self, seen: &Visibility) -> Result<ProjectInfo> {
        let only = only_reviewer(seen);
        let count = |sql: &str| -> Result<u64> {
            let n: i64 = self
                .conn
                .query_row(sql, [], |row| row.get(0))
                .context("counting")?;
            Ok(u64::try_from(n).unwrap_or(0))
        };
        let judged = |table: &str| -> Result<u64> {
            let n: i64 = self
                .conn
                .query_row(
                    &format!("SELECT count(*) FROM {table} WHERE ?1 IS NULL OR reviewer_id = ?1"),
                    [only],
                    |row| row.get(0),
                )
                .context("counting")?;
            Ok(u64::try_from(n).unwrap_or(0))
        };
        let counts = Counts {
            records: count("SELECT n FROM row_count WHERE name = 'record'")?,
            full_texts: count("SELECT n FROM row_count WHERE name = 'record_fulltext'")?,
            reviewers: count("SELECT count(*) FROM reviewer")?,
            screening_decisions: judged("screening")?,
            classifications: judged("classification")?,
            rebound_risks: judged("rebound_risk")?,
            record_labels: judged("record_label")?,
            lca_scenarios: count("SELECT count(*) FROM lca_scenario")?,
            energy_traces: count("SELECT count(*) FROM energy_trace")?,
            audit_entries: count("SELECT n FROM row_count WHERE name = 'audit_log'")?,
        };
        Ok(ProjectInfo {
            project_path: self.path.clone(),
            index_path: self.index_path(),
            schema_version: self.schema_version()?,
            project_id: self.meta("project_id")?.unwrap_or_default(),
            created_at: self.meta("created_at")?.unwrap_or_default(),
            created_by: self.meta("created_by")?.unwrap_or_default(),
            counts,
            judgements_counted: seen.sees(),
        })
    }
}

/// The schema version this build of ecolens writes (the number of migrations).
pub fn supported_schema_version() -> i64 {
    migrations::latest_version()
}

/// Copies what the write-ahead log holds into the project file, without waiting for readers
/// (SQLite's passive checkpoint), on a connection of its own: a large import leaves this to do,
/// and it can run on another thread while the import's records are indexed.
pub fn checkpoint(project_file: &Path) -> Result<()> {
    let conn = Connection::open_with_flags(
        project_file,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|source| Error::Sqlite {
        context: "opening the project file to checkpoint it",
        source,
    })?;
    conn.busy_timeout(std::time::Duration::from_secs(10))
        .context("setting the busy timeout")?;
    conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()))
        .context("checkpointing the log")?;
    Ok(())
}

/// The search-index folder of a project file: `<file>.index` beside it.
pub fn index_path_for(project_file: &Path) -> PathBuf {
    let mut name = project_file.file_name().unwrap_or_default().to_os_string();
    name.push(".index");
    project_file.with_file_name(name)
}

/// Fills a new project, in the migration's transaction: identity and the starting entries of
/// the project vocabularies.
fn initialise(tx: &rusqlite::Transaction<'_>) -> Result<()> {
    let now = now().to_string();
    for (key, value) in [
        ("created_at", now.as_str()),
        ("created_by", concat!("ecolens ", env!("CARGO_PKG_VERSION"))),
    ] {
        tx.execute(
            "INSERT INTO project_meta (key, value) VALUES (?1, ?2)",
            [key, value],
        )
        .context("writing project metadata")?;
    }
    tx.execute(
        "INSERT INTO project_meta (key, value) VALUES ('project_id', lower(hex(randomblob(16))))",
        [],
    )
    .context("giving the project its id")?;
    for labels in DEFAULT_PROJECT_LABELS {
        tx.execute(
            "INSERT INTO label_vocabulary (id, name, description, version) VALUES (?1, ?2, ?3, 1)",
            params![labels.vocabulary, labels.name, labels.description],
        )
        .context("creating a project vocabulary")?;
        for (position, entry) in labels.entries.iter().enumerate() {
            tx.execute(
                "INSERT INTO project_label (vocabulary, code, name, definition, example, source, position)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    labels.vocabulary,
                    entry.code,
                    entry.name,
                    entry.definition,
                    entry.example,
                    entry.source,
                    i64::try_from(position).unwrap_or(i64::MAX)
                ],
            )
            .context("adding a default label")?;
        }
    }
    Ok(())
}

/// Marks, inside a write transaction, that data the search index mirrors has changed for
/// `records`: bumps the data version and journals the records under it (as ranges of ids).
/// Nothing happens for an empty list.
/// Adds `delta` to the kept number of records (migration 6), in the caller's transaction:
/// every path that inserts or deletes records calls it once for what it did.
pub(crate) fn count_records(tx: &rusqlite::Transaction<'_>, delta: i64) -> Result<()> {
    if delta != 0 {
        tx.prepare_cached("UPDATE row_count SET n = n + ?1 WHERE name = 'record'")
            .context("counting records")?
            .execute([delta])
            .context("counting records")?;
    }
    Ok(())
}

pub(crate) fn touch(tx: &rusqlite::Transaction<'_>, records: &[RecordId]) -> Result<()> {
    if records.is_empty() {
        return Ok(());
    }
    let version: i64 = tx
        .query_row(
            "INSERT INTO project_meta (key, value) VALUES ('data_version', '1')
             ON CONFLICT (key) DO UPDATE SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT)
             RETURNING CAST(value AS INTEGER)",
            [],
            |row| row.get(0),
        )
        .context("stamping the data version")?;
    let mut statement = tx
        .prepare_cached(
            "INSERT INTO index_journal (version, first_id, last_id) VALUES (?1, ?2, ?3)",
        )
        .context("journalling changed records")?;
    for range in feed::id_ranges(records) {
        statement
            .execute(params![version, range.start().0, range.end().0])
            .context("journalling changed records")?;
    }
    Ok(())
}

/// The author judgements must have for `seen` to show them, as an SQL parameter for
/// `?N IS NULL OR reviewer_id = ?N`: `NULL` when it shows everyone's, `-1` (nobody) when it
/// shows only a reader's and none is named.
pub(crate) fn only_reviewer(seen: &Visibility) -> Option<i64> {
    (!seen.sees_everyone()).then(|| seen.reader_id().map_or(-1, |r| r.0))
}

/// The current time, rounded to milliseconds (what the store keeps).
pub(crate) fn now() -> Timestamp {
    let now = Timestamp::now();
    now.round(jiff::Unit::Millisecond).unwrap_or(now)
}

/// Decoding of stored columns into domain types, reporting damaged values as
/// [`Error::Corrupt`] with table, column and row.
pub(crate) struct Column {
    table: &'static str,
    name: &'static str,
    row: i64,
}

impl Column {
    pub(crate) fn at(table: &'static str, name: &'static str, row: i64) -> Self {
        Self { table, name, row }
    }

    pub(crate) fn corrupt(&self, detail: impl std::fmt::Display) -> Error {
        Error::Corrupt {
            table: self.table,
            column: self.name,
            row: self.row,
            detail: detail.to_string(),
        }
    }

    pub(crate) fn term<T: Term>(&self, value: &str) -> Result<T> {
        T::from_code(value).map_err(|error| self.corrupt(error))
    }

    pub(crate) fn opt_term<T: Term>(&self, value: Option<&str>) -> Result<Option<T>> {
        value.map(|v| self.term(v)).transpose()
    }

    pub(crate) fn json<T: DeserializeOwned>(&self, value: &str) -> Result<T> {
        serde_json::from_str(value).map_err(|error| self.corrupt(error))
    }

    pub(crate) fn time(&self, value: &str) -> Result<Timestamp> {
        value.parse().map_err(|error| self.corrupt(error))
    }
}

/// Runs a query and collects every row, attaching `context` to any SQLite error.
pub(crate) fn query_all<T, P: rusqlite::Params>(
    conn: &Connection,
    sql: &str,
    params: P,
    context: &'static str,
    map: impl FnMut(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
) -> Result<Vec<T>> {
    let mut statement = conn.prepare_cached(sql).context(context)?;
    let rows = statement.query_map(params, map).context(context)?;
    rows.collect::<rusqlite::Result<Vec<_>>>().context(context)
}

/// Serialises a value stored as JSON text. Serialising our own plain data types cannot fail;
/// should it ever, the error says so rather than panicking.
pub(crate) fn to_json<T: Serialize>(field: &str, value: &T) -> Result<String> {
    serde_json::to_string(value)
        .map_err(|error| Error::invalid(field, error.to_string(), "JSON-serialisable data"))
}

/// A JSON value of a domain object, for the audit log.
pub(crate) fn to_json_value<T: Serialize>(field: &str, value: &T) -> Result<serde_json::Value> {
    serde_json::to_value(value)
        .map_err(|error| Error::invalid(field, error.to_string(), "JSON-serialisable data"))
}

#[cfg(test)]
mod tests;
