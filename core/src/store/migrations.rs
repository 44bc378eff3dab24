//! Schema migrations: an append-only list, applied in order, keyed on `PRAGMA user_version`.
//!
//! Rules: never edit or reorder a released migration; add a new one at the end. Migration `n`
//! (1-based) brings the schema to version `n`. All pending migrations of an open run in one
//! exclusive transaction, so a project is never left half-migrated.

use std::path::Path;

use rusqlite::{Connection, TransactionBehavior};

use crate::error::{Error, Result, SqlContext};

/// `PRAGMA application_id` of ecolens project files ("ECOL" in ASCII).
pub(crate) const APPLICATION_ID: i64 = 0x4543_4F4C;

/// The migrations, oldest first.
pub(crate) const MIGRATIONS: &[&str] = &[
    // 1: records with provenance and full text, reviewers, project vocabularies, screening,
    //    classification, risks, record labels, audit log, and the link tables for LCA scenarios
    //    and energy traces (their content types arrive with the assessment engine).
    r"
    CREATE TABLE project_meta (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
    ) STRICT;

    CREATE TABLE record (
        id         INTEGER PRIMARY KEY,
        kind       TEXT NOT NULL,
        title      TEXT NOT NULL,
        authors    TEXT NOT NULL,          -- JSON array of {family, given}
        year       INTEGER,
        venue      TEXT,
        volume     TEXT,
        issue      TEXT,
        pages      TEXT,
        publisher  TEXT,
        doi        TEXT,
        doi_key    TEXT,                   -- lower-cased DOI for matching
        pmid       TEXT,
        arxiv      TEXT,
        url        TEXT,
        abstract   TEXT,
        keywords   TEXT NOT NULL,          -- JSON array of strings
        notes      TEXT,
        added_at   TEXT NOT NULL,
        updated_at TEXT NOT NULL
    ) STRICT;
    CREATE INDEX record_doi_key ON record(doi_key) WHERE doi_key IS NOT NULL;
    CREATE INDEX record_pmid ON record(pmid) WHERE pmid IS NOT NULL;
    CREATE INDEX record_arxiv ON record(arxiv) WHERE arxiv IS NOT NULL;

    CREATE TABLE record_source (
        id           INTEGER PRIMARY KEY,
        record_id    INTEGER NOT NULL REFERENCES record(id) ON DELETE CASCADE,
        file         TEXT NOT NULL,
        format       TEXT NOT NULL,
        locator      TEXT,
        original_key TEXT,
        imported_at  TEXT NOT NULL
    ) STRICT;
    CREATE INDEX record_source_record ON record_source(record_id);

    CREATE TABLE record_fulltext (
        record_id    INTEGER PRIMARY KEY REFERENCES record(id) ON DELETE CASCADE,
        text         TEXT NOT NULL,
        source_file  TEXT NOT NULL,
        extractor    TEXT NOT NULL,
        pages        INTEGER,
        extracted_at TEXT NOT NULL
    ) STRICT;

    CREATE TABLE reviewer (
        id         INTEGER PRIMARY KEY,
        name       TEXT NOT NULL UNIQUE,
        is_lead    INTEGER NOT NULL CHECK (is_lead IN (0, 1)),
        created_at TEXT NOT NULL
    ) STRICT;

    CREATE TABLE label_vocabulary (
        id          TEXT PRIMARY KEY,
        name        TEXT NOT NULL,
        description TEXT NOT NULL,
        version     INTEGER NOT NULL
    ) STRICT;

    CREATE TABLE project_label (
        vocabulary TEXT NOT NULL REFERENCES label_vocabulary(id),
        code       TEXT NOT NULL,
        name       TEXT NOT NULL,
        definition TEXT NOT NULL,
        example    TEXT NOT NULL,
        source     TEXT NOT NULL,
        retired    INTEGER NOT NULL DEFAULT 0 CHECK (retired IN (0, 1)),
        position   INTEGER NOT NULL,
        PRIMARY KEY (vocabulary, code)
    ) STRICT;

    CREATE TABLE screening (
        record_id         INTEGER NOT NULL REFERENCES record(id) ON DELETE CASCADE,
        reviewer_id       INTEGER NOT NULL REFERENCES reviewer(id),
        stage             TEXT NOT NULL CHECK (stage IN ('tiab', 'fulltext')),
        decision          TEXT NOT NULL CHECK (decision IN ('include', 'exclude', 'maybe')),
        reason            TEXT,
        reason_vocabulary TEXT,
        note              TEXT,
        decided_at        TEXT NOT NULL,
        PRIMARY KEY (record_id, reviewer_id, stage)
    ) STRICT;

    CREATE TABLE classification (
        record_id     INTEGER NOT NULL REFERENCES record(id) ON DELETE CASCADE,
        reviewer_id   INTEGER NOT NULL REFERENCES reviewer(id),
        category      TEXT NOT NULL CHECK (category IN ('a', 'b', 'c', 'd', 'e', 'f')),
        answers       TEXT NOT NULL,       -- JSON array of booleans
        rationale     TEXT,
        evidence      TEXT NOT NULL,       -- JSON array of quotes
        confidence    TEXT,
        vocabularies  TEXT NOT NULL,
        classified_at TEXT NOT NULL,
        PRIMARY KEY (record_id, reviewer_id)
    ) STRICT;

    CREATE TABLE rebound_risk (
        id                 INTEGER PRIMARY KEY,
        record_id          INTEGER NOT NULL REFERENCES record(id) ON DELETE CASCADE,
        reviewer_id        INTEGER NOT NULL REFERENCES reviewer(id),
        effect             TEXT NOT NULL,
        mechanism          TEXT NOT NULL,
        direction          TEXT,
        reduction_type     TEXT,
        time_horizon       TEXT,
        scale              TEXT,
        criteria           TEXT NOT NULL,  -- JSON array of criterion codes
        likelihood         TEXT,
        magnitude          TEXT,
        rebound_percent    REAL,
        confidence         TEXT,
        evidence_type      TEXT,
        tier               TEXT,
        mechanism_resource TEXT,
        conditions         TEXT,
        mitigation         TEXT,
        evidence           TEXT NOT NULL,  -- JSON array of quotes
        vocabularies       TEXT NOT NULL,
        created_at         TEXT NOT NULL,
        updated_at         TEXT NOT NULL
    ) STRICT;
    CREATE INDEX rebound_risk_record ON rebound_risk(record_id);

    CREATE TABLE record_label (
        record_id          INTEGER NOT NULL REFERENCES record(id) ON DELETE CASCADE,
        reviewer_id        INTEGER NOT NULL REFERENCES reviewer(id),
        vocabulary         TEXT NOT NULL,
        code               TEXT NOT NULL,
        vocabulary_version TEXT NOT NULL,
        created_at         TEXT NOT NULL,
        PRIMARY KEY (record_id, reviewer_id, vocabulary, code)
    ) STRICT;

    -- The log outlives what it describes: no foreign key on record_id.
    CREATE TABLE audit_log (
        id            INTEGER PRIMARY KEY,
        at            TEXT NOT NULL,
        reviewer_id   INTEGER REFERENCES reviewer(id),
        reviewer_name TEXT,
        entity        TEXT NOT NULL,
        entity_key    TEXT NOT NULL,
        record_id     INTEGER,
        action        TEXT NOT NULL CHECK (action IN ('create', 'update', 'delete', 'undo')),
        old           TEXT,
        new           TEXT,
        undoes        INTEGER REFERENCES audit_log(id),
        undone_by     INTEGER REFERENCES audit_log(id)
    ) STRICT;
    CREATE INDEX audit_log_reviewer ON audit_log(reviewer_id, id);
    CREATE INDEX audit_log_record ON audit_log(record_id);

    CREATE TABLE lca_scenario (
        id          INTEGER PRIMARY KEY,
        record_id   INTEGER REFERENCES record(id) ON DELETE SET NULL,
        name        TEXT NOT NULL,
        source_toml TEXT NOT NULL,
        created_at  TEXT NOT NULL,
        updated_at  TEXT NOT NULL
    ) STRICT;
    CREATE INDEX lca_scenario_record ON lca_scenario(record_id);

    CREATE TABLE energy_trace (
        id          INTEGER PRIMARY KEY,
        record_id   INTEGER REFERENCES record(id) ON DELETE SET NULL,
        tool        TEXT NOT NULL,
        source_file TEXT NOT NULL,
        summary     TEXT NOT NULL,         -- JSON summary, typed by the assessment engine
        imported_at TEXT NOT NULL
    ) STRICT;
    CREATE INDEX energy_trace_record ON energy_trace(record_id);
    ",
    // 2: imports as runs, merges of duplicates (reversible), relations between records
    //    (errata, preprints, possible duplicates), pairs declared distinct, and the data
    //    version that stamps the search index.
    r"
    CREATE TABLE import_run (
        id                INTEGER PRIMARY KEY,
        started_at        TEXT NOT NULL,
        finished_at       TEXT,
        files             TEXT NOT NULL,   -- JSON list of the files read, with format and counts
        records_read      INTEGER NOT NULL DEFAULT 0,
        records_imported  INTEGER NOT NULL DEFAULT 0,
        duplicates_merged INTEGER NOT NULL DEFAULT 0
    ) STRICT;

    ALTER TABLE record_source ADD COLUMN import_id INTEGER REFERENCES import_run(id);

    CREATE TABLE record_merge (
        id            INTEGER PRIMARY KEY,
        kept_id       INTEGER NOT NULL REFERENCES record(id) ON DELETE CASCADE,
        source_id     INTEGER REFERENCES record_source(id) ON DELETE SET NULL,
        merged        TEXT NOT NULL,       -- JSON: the duplicate as it was read
        merged_source TEXT NOT NULL,       -- JSON: where it was read
        rule          TEXT NOT NULL CHECK (rule IN ('doi', 'pmid', 'arxiv', 'title_year_author')),
        reason        TEXT NOT NULL,
        filled        TEXT NOT NULL,       -- JSON: fields the duplicate filled in the kept record
        import_id     INTEGER REFERENCES import_run(id),
        created_at    TEXT NOT NULL,
        undone_at     TEXT,
        restored_id   INTEGER REFERENCES record(id) ON DELETE SET NULL
    ) STRICT;
    CREATE INDEX record_merge_kept ON record_merge(kept_id);

    CREATE TABLE record_relation (
        id         INTEGER PRIMARY KEY,
        from_id    INTEGER NOT NULL REFERENCES record(id) ON DELETE CASCADE,
        to_id      INTEGER NOT NULL REFERENCES record(id) ON DELETE CASCADE,
        kind       TEXT NOT NULL CHECK (kind IN ('erratum_of', 'preprint_of', 'possible_duplicate')),
        reason     TEXT NOT NULL,
        created_at TEXT NOT NULL,
        UNIQUE (from_id, to_id, kind)
    ) STRICT;
    CREATE INDEX record_relation_to ON record_relation(to_id);

    CREATE TABLE record_distinct (
        low_id     INTEGER NOT NULL REFERENCES record(id) ON DELETE CASCADE,
        high_id    INTEGER NOT NULL REFERENCES record(id) ON DELETE CASCADE,
        created_at TEXT NOT NULL,
        PRIMARY KEY (low_id, high_id)
    ) STRICT;

    INSERT INTO project_meta (key, value) VALUES ('data_version', '0')
        ON CONFLICT (key) DO NOTHING;
    ",
    // 3: the journal of records changed per data version, so the search index re-reads only
    //    what changed; `index_journal_floor` is the version up to which it was pruned.
    r"
    CREATE TABLE index_journal (
        version  INTEGER NOT NULL,
        first_id INTEGER NOT NULL,
        last_id  INTEGER NOT NULL,
        CHECK (first_id <= last_id)
    ) STRICT;
    CREATE INDEX index_journal_version ON index_journal(version);
    INSERT INTO project_meta (key, value)
        SELECT 'index_journal_floor', value FROM project_meta WHERE key = 'data_version'
        ON CONFLICT (key) DO NOTHING;
    ",
    // 4: the review workflow: stable ids and parents of risks (bundles, consequence trees),
    //    resolutions of disagreements, the root of each reviewer's consequence tree, and the
    //    decision bundles imported (kept whole, so nothing in them is ever lost).
    r"
    ALTER TABLE rebound_risk ADD COLUMN uid TEXT;
    UPDATE rebound_risk SET uid = lower(hex(randomblob(16))) WHERE uid IS NULL;
    CREATE UNIQUE INDEX rebound_risk_uid ON rebound_risk(uid);
    ALTER TABLE rebound_risk ADD COLUMN parent_id INTEGER REFERENCES rebound_risk(id);

    CREATE TABLE resolution (
        record_id   INTEGER NOT NULL REFERENCES record(id) ON DELETE CASCADE,
        subject     TEXT NOT NULL,         -- screening:tiab, screening:fulltext, classification, risk:CODE
        value       TEXT NOT NULL,         -- JSON of the final value
        note        TEXT,
        resolved_by INTEGER NOT NULL REFERENCES reviewer(id),
        resolved_at TEXT NOT NULL,
        PRIMARY KEY (record_id, subject)
    ) STRICT;

    CREATE TABLE consequence_root (
        record_id   INTEGER NOT NULL REFERENCES record(id) ON DELETE CASCADE,
        reviewer_id INTEGER NOT NULL REFERENCES reviewer(id),
        solution    TEXT NOT NULL,
        scale       TEXT,
        updated_at  TEXT NOT NULL,
        PRIMARY KEY (record_id, reviewer_id)
    ) STRICT;

    CREATE TABLE bundle_import (
        id            INTEGER PRIMARY KEY,
        digest        TEXT NOT NULL,
        reviewer_name TEXT NOT NULL,
        file          TEXT NOT NULL,
        imported_at   TEXT NOT NULL,
        report        TEXT NOT NULL,       -- JSON of what the import did
        content       TEXT NOT NULL        -- the bundle as read
    ) STRICT;
    CREATE INDEX bundle_import_digest ON bundle_import(digest);
    ",
    // 5: editors of records (BibTeX `editor`, RIS `ED`/`A2`, EndNote secondary authors), and
    //    the files each import read, by the SHA-256 of their bytes, so that a file imported
    //    again is recognised; sources found by their place, so that a record read again from
    //    where it was read before is recognised.
    r"
    ALTER TABLE record ADD COLUMN editors TEXT NOT NULL DEFAULT '[]';  -- JSON array of {family, given}

    CREATE TABLE import_file (
        id           INTEGER PRIMARY KEY,
        import_id    INTEGER NOT NULL REFERENCES import_run(id) ON DELETE CASCADE,
        path         TEXT NOT NULL,
        sha256       TEXT NOT NULL,
        bytes        INTEGER NOT NULL,
        records_read INTEGER NOT NULL
    ) STRICT;
    CREATE INDEX import_file_sha256 ON import_file(sha256);
    CREATE INDEX record_source_place ON record_source(file, locator);
    ",
    // 6: a project's (or any record's) running time, as an ISO 8601 interval; and the number
    //    of rows of the tables that grow with the corpus, so that `info` reads three rows
    //    instead of the whole file (`count(*)` visits every page of a table). Full texts and
    //    audit entries are counted by triggers; records by the store's code, once per batch
    //    (`count_records`): a trigger per row cost an import of 200,000 records 5 % more CPU
    //    (`ecolens import` of `ecolens bench`'s generated file, 3 alternating runs: median
    //    27.5 s CPU with the trigger, 25.7 s without; 2026-12-06, 2 cores).
    r"
    ALTER TABLE record ADD COLUMN period TEXT;

    CREATE TABLE row_count (
        name TEXT PRIMARY KEY,
        n    INTEGER NOT NULL
    ) STRICT, WITHOUT ROWID;
    INSERT INTO row_count (name, n) SELECT 'record', count(*) FROM record;
    INSERT INTO row_count (name, n) SELECT 'record_fulltext', count(*) FROM record_fulltext;
    INSERT INTO row_count (name, n) SELECT 'audit_log', count(*) FROM audit_log;
    CREATE TRIGGER record_fulltext_counted_in AFTER INSERT ON record_fulltext
        BEGIN UPDATE row_count SET n = n + 1 WHERE name = 'record_fulltext'; END;
    CREATE TRIGGER record_fulltext_counted_out AFTER DELETE ON record_fulltext
        BEGIN UPDATE row_count SET n = n - 1 WHERE name = 'record_fulltext'; END;
    CREATE TRIGGER audit_log_counted_in AFTER INSERT ON audit_log
        BEGIN UPDATE row_count SET n = n + 1 WHERE name = 'audit_log'; END;
    CREATE TRIGGER audit_log_counted_out AFTER DELETE ON audit_log
        BEGIN UPDATE row_count SET n = n - 1 WHERE name = 'audit_log'; END;
    ",
    // 7: the review's own computing: each ranking of a screening queue by the model, with
    //    the reader it was for and the CPU time it took, so that the review's screening
    //    energy can be told.
    r"
    CREATE TABLE compute_log (
        id          INTEGER PRIMARY KEY,
        at          TEXT NOT NULL,
        reviewer_id INTEGER REFERENCES reviewer(id),
        activity    TEXT NOT NULL,
        cpu_seconds REAL NOT NULL CHECK (cpu_seconds >= 0)
    ) STRICT;
    ",
    // 8: the record ids alone, in order. Listing them (every screening queue, every stage
    //    outcome) read every page of the record table, abstracts and all: at 100,000 records
    //    198 MB of pages, 0.09 s, and the 64 MB page cache filled with pages no one read
    //    again, a fifth of the memory of ranking a screening queue. The planner reads this
    //    covering index instead: 0.015 s (the sqlite3 3.40 shell, `SELECT id FROM record ORDER BY id`).
    r"
    CREATE INDEX record_ids ON record(id);
    ",
    // 9: a paper's own figures audited (`paper_audit::audit`), attached to its record by a
    //    reviewer as evidence for the a–f classification: the chain as stated and what the
    //    audit found, as JSON, kept as it was when attached.
    r"
    CREATE TABLE paper_audit (
        id          INTEGER PRIMARY KEY,
        record_id   INTEGER NOT NULL REFERENCES record(id) ON DELETE CASCADE,
        reviewer_id INTEGER REFERENCES reviewer(id),
        uid         TEXT NOT NULL UNIQUE,  -- stable across projects (decision bundles)
        label       TEXT NOT NULL,
        audit       TEXT NOT NULL,   -- JSON of paper_audit::PaperAudit
        created_at  TEXT NOT NULL
    ) STRICT;
    CREATE INDEX paper_audit_record ON paper_audit(record_id);
    ",
    // 10: a working copy of a team hub (`crate::hub`): which shared record each local record
    //     is, the uids of review changes the hub already has from here or sent here, and
    //     which of the reviewer's items the hub holds.
    r"
    CREATE TABLE hub_record (
        hub_id    INTEGER PRIMARY KEY,
        record_id INTEGER NOT NULL REFERENCES record(id) ON DELETE CASCADE
    ) STRICT;
    CREATE INDEX hub_record_local ON hub_record(record_id);
    CREATE TABLE hub_pushed (
        uid TEXT PRIMARY KEY
    ) STRICT, WITHOUT ROWID;
    -- What the hub holds of this copy's reviewer, by item (kind, local record, item key): an
    -- item held there and gone here (an undo) is taken back on the hub at the next push.
    CREATE TABLE hub_held (
        identity  TEXT PRIMARY KEY,
        record_id INTEGER NOT NULL
    ) STRICT;
    CREATE INDEX hub_held_record ON hub_held(record_id);
    -- The full texts the hub knows of (their metadata: the text and the file stay with whoever
    -- extracted them), per local record.
    CREATE TABLE hub_fulltext (
        record_id   INTEGER PRIMARY KEY REFERENCES record(id) ON DELETE CASCADE,
        content     TEXT NOT NULL   -- JSON of hub::SharedFullText
    ) STRICT;
    -- Pulled changes not valid here yet (a quote from a full text this copy lacks …), tried
    -- again at every sync until they apply.
    CREATE TABLE hub_parked (
        uid    TEXT PRIMARY KEY,
        seq    INTEGER NOT NULL,
        change TEXT NOT NULL,   -- JSON of hub::PulledChange
        reason TEXT NOT NULL
    ) STRICT;
    ",
    // 11: workshops (`crate::workshop`), one JSON document each, by name.
    r"
    CREATE TABLE workshop (
        name       TEXT PRIMARY KEY,
        content    TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    ) STRICT;
    ",
];

/// Refuses, without writing anything, files that are not SQLite, SQLite files of other
/// applications, and projects written by a newer ecolens.
pub(crate) fn check_ownership(conn: &Connection, path: &Path) -> Result<()> {
    let read = |pragma: &str| -> Result<i64> {
        conn.pragma_query_value(None, pragma, |row| row.get(0))
            .map_err(|source| not_a_project_or(source, path))
    };
    let application_id = read("application_id")?;
    if application_id != 0 && application_id != APPLICATION_ID {
        return Err(Error::NotAProject {
            reason: format!(
                "SQLite file of another application (application_id {application_id:#x})"
            ),
            path: path.to_owned(),
        });
    }
    let version = read("user_version")?;
    if version == 0 {
        let tables: i64 = conn
            .query_row("SELECT count(*) FROM sqlite_schema", [], |row| row.get(0))
            .map_err(|source| not_a_project_or(source, path))?;
        if tables > 0 {
            return Err(Error::NotAProject {
                reason: "SQLite file with tables of another application".into(),
                path: path.to_owned(),
            });
        }
    }
    let latest = latest_version();
    if version > latest {
        return Err(Error::SchemaTooNew {
            found: version,
            supported: latest,
            path: path.to_owned(),
        });
    }
    Ok(())
}

/// The schema version this build writes.
pub(crate) fn latest_version() -> i64 {
    i64::try_from(MIGRATIONS.len()).unwrap_or(i64::MAX)
}

/// Brings the schema up to date; returns the version found before migrating.
///
/// Refuses files written by a newer ecolens and SQLite files of other applications.
/// `initialise` runs inside the same transaction when the file was empty (version 0), so a new
/// project gets its starting data atomically with its schema.
pub(crate) fn migrate(
    conn: &mut Connection,
    path: &Path,
    initialise: impl FnOnce(&rusqlite::Transaction<'_>) -> Result<()>,
) -> Result<i64> {
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Exclusive)
        .map_err(|source| not_a_project_or(source, path))?;
    let found: i64 = tx
        .pragma_query_value(None, "user_version", |row| row.get(0))
        .map_err(|source| not_a_project_or(source, path))?;
    let application_id: i64 = tx
        .pragma_query_value(None, "application_id", |row| row.get(0))
        .context("reading the application id")?;
    if application_id != 0 && application_id != APPLICATION_ID {
        return Err(Error::NotAProject {
            reason: format!(
                "SQLite file of another application (application_id {application_id:#x})"
            ),
            path: path.to_owned(),
        });
    }
    if found == 0 {
        let tables: i64 = tx
            .query_row("SELECT count(*) FROM sqlite_schema", [], |row| row.get(0))
            .context("inspecting the file")?;
        if tables > 0 {
            return Err(Error::NotAProject {
                reason: "SQLite file with tables of another application".into(),
                path: path.to_owned(),
            });
        }
    }
    let latest = latest_version();
    if found > latest {
        return Err(Error::SchemaTooNew {
            found,
            supported: latest,
            path: path.to_owned(),
        });
    }
    let start = usize::try_from(found).unwrap_or(0);
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(start) {
        tx.execute_batch(sql)
            .context("applying a schema migration")?;
        tx.pragma_update(
            None,
            "user_version",
            i64::try_from(index + 1).unwrap_or(i64::MAX),
        )
        .context("recording the schema version")?;
    }
    if found == 0 {
        tx.pragma_update(None, "application_id", APPLICATION_ID)
            .context("marking the file as an ecolens project")?;
        initialise(&tx)?;
    }
    tx.commit().context("committing the schema migration")?;
    Ok(found)
}

/// SQLite says `NotADatabase` for files that are not SQLite at all.
fn not_a_project_or(source: rusqlite::Error, path: &Path) -> Error {
    if source.sqlite_error_code() == Some(rusqlite::ErrorCode::NotADatabase) {
        Error::NotAProject {
            reason: "not an SQLite file".into(),
            path: path.to_owned(),
        }
    } else {
        Error::Sqlite {
            context: "opening the project",
            source,
        }
    }
}
