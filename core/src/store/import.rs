//! Imports as one transaction ([`ImportSession`]), the duplicate merges they make (listed and
//! undone one by one), relations between records, and pairs declared distinct.

use rusqlite::{OptionalExtension, Transaction, params};

use super::audit::log_change;
use super::review::{
    find_reviewer_by_name, insert_reviewer, load_vote, require_project_label, vote_key, write_vote,
};
use super::{Column, Project, now, query_all, to_json, touch};
use crate::EntityKind;
use crate::error::{Error, Result, SqlContext};
use crate::ids::RecordId;
use crate::merge::{
    DedupRow, Filled, ImportId, ImportRun, ImportedFile, MergeEntry, MergeId, MergeRule, Relation,
    RelationKind, fill_missing, unfill,
};
use crate::record::{FullText, Person, Record, RecordKind, SourceRef};
use crate::review::{Decision, ScreeningVote, StoredVote, validate_reviewer_name};
use ecolens_taxonomy::labels::EXCLUSION_REASON;

/// An import in progress: everything it writes is one transaction, committed by
/// [`ImportSession::finish`] and rolled back if the session is dropped (cancel, error).
pub struct ImportSession<'p> {
    pub(super) tx: Transaction<'p>,
    id: ImportId,
    at: String,
    touched: Vec<RecordId>,
    records_imported: u64,
    duplicates_merged: u64,
}

/// What became of a vote read with a record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportedVote {
    /// Recorded as the reviewer's vote.
    Recorded,
    /// The reviewer had cast the same vote already.
    AlreadyThere,
    /// The reviewer had cast a different vote, which was kept.
    Kept(StoredVote),
    /// The vote is not valid here (a full-text exclusion without a reason, a reason the
    /// project does not know, an unusable reviewer name): why.
    Refused(String),
}

/// Counts of a finished import.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub struct ImportCounts {
    /// Records read from all files.
    pub records_read: u64,
    /// Records added as new.
    pub records_imported: u64,
    /// Duplicates merged into existing records.
    pub duplicates_merged: u64,
}

impl Project {
    /// Starts an import: one transaction until [`ImportSession::finish`].
    pub fn begin_import(&mut self) -> Result<ImportSession<'_>> {
        // A large import writes more pages than the usual cache holds; spilling them to the
        // log mid-transaction and reading them back costs more than the memory.
        self.conn
            .pragma_update(None, "cache_size", -131_072)
            .context("setting the page cache size")?;
        let tx = self.conn.transaction().context("starting an import")?;
        let at = now().to_string();
        tx.execute(
            "INSERT INTO import_run (started_at, files) VALUES (?1, '[]')",
            [&at],
        )
        .context("recording an import")?;
        let id = ImportId(tx.last_insert_rowid());
        Ok(ImportSession {
            tx,
            id,
            at,
            touched: Vec::new(),
            records_imported: 0,
            duplicates_merged: 0,
        })
    }

    /// Gives back the page cache an import took (call after the import finished or was
    /// dropped).
    pub fn end_import(&self) -> Result<()> {
        self.conn
            .pragma_update(None, "cache_size", -65_536)
            .context("setting the page cache size")?;
        self.conn
            .pragma_update(None, "wal_autocheckpoint", 1000)
            .context("restoring the checkpoint")
    }

    /// Calls `each` with the identifying data of every record, for duplicate detection.
    pub fn for_each_dedup_row(&self, mut each: impl FnMut(DedupRow)) -> Result<()> {
        let mut statement = self
            .conn
            .prepare("SELECT id, kind, title, year, doi_key, pmid, arxiv, venue,
                        CASE WHEN authors = '[]' THEN editors ELSE authors END FROM record ORDER BY id")
            .context("reading records for duplicate detection")?;
        let mut rows = statement
            .query([])
            .context("reading records for duplicate detection")?;
        while let Some(row) = rows
            .next()
            .context("reading records for duplicate detection")?
        {
            let id: i64 = row.get(0).context("reading a record id")?;
            let kind: String = row.get(1).context("reading a record kind")?;
            let authors: String = row.get(8).context("reading authors")?;
            let people: Vec<Person> = Column::at("record", "authors", id).json(&authors)?;
            each(DedupRow {
                id: RecordId(id),
                kind: RecordKind::parse("record.kind", &kind)
                    .map_err(|e| Column::at("record", "kind", id).corrupt(e))?,
                title: row.get(2).context("reading a title")?,
                year: row.get(3).context("reading a year")?,
                doi_key: row.get(4).context("reading a DOI")?,
                pmid: row.get(5).context("reading a PMID")?,
                arxiv: row.get(6).context("reading an arXiv id")?,
                venue: row.get(7).context("reading a venue")?,
                families: people.into_iter().map(|p| p.family).collect(),
            });
        }
        Ok(())
    }

    /// The latest import that read a file with these bytes (by their SHA-256), if any.
    pub fn earlier_import(&self, sha256: &str) -> Result<Option<crate::merge::EarlierImport>> {
        self.conn
            .prepare_cached(
                "SELECT f.import_id, f.path, coalesce(r.finished_at, r.started_at), f.records_read
                 FROM import_file f JOIN import_run r ON r.id = f.import_id
                 WHERE f.sha256 = ?1 ORDER BY f.import_id DESC LIMIT 1",
            )
            .context("looking for an earlier import of a file")?
            .query_row([sha256], |row| {
                Ok(crate::merge::EarlierImport {
                    import: crate::merge::ImportId(row.get(0)?),
                    path: row.get(1)?,
                    at: row.get(2)?,
                    records_read: row.get::<_, i64>(3)?.unsigned_abs(),
                })
            })
            .optional()
            .context("looking for an earlier import of a file")
    }

    /// Merges, newest first; only those still in effect unless `include_undone`.
    pub fn merges(
        &self,
        record: Option<RecordId>,
        include_undone: bool,
    ) -> Result<Vec<MergeEntry>> {
        let raws = query_all(
            &self.conn,
            "SELECT id, kept_id, merged, merged_source, rule, reason, filled, import_id, created_at, undone_at, restored_id
             FROM record_merge WHERE (?1 IS NULL OR kept_id = ?1 OR restored_id = ?1) AND (?2 OR undone_at IS NULL)
             ORDER BY id DESC",
            params![record.map(|r| r.0), include_undone],
            "listing merges",
            |row| row.try_into(),
        )?;
        raws.into_iter().map(decode_merge).collect()
    }

    /// Undoes a merge: the duplicate becomes its own record again (with its source), what it
    /// filled in the kept record is taken back where unchanged since, and the two are marked
    /// as distinct so later imports do not merge them again. Returns the re-created record.
    pub fn undo_merge(&mut self, merge: MergeId) -> Result<RecordId> {
        let tx = self
            .conn
            .transaction()
            .context("starting to undo a merge")?;
        let raw: RawMerge = tx
            .query_row(
                "SELECT id, kept_id, merged, merged_source, rule, reason, filled, import_id, created_at, undone_at, restored_id
                 FROM record_merge WHERE id = ?1",
                [merge.0],
                |row| row.try_into(),
            )
            .optional()
            .context("reading a merge")?
            .ok_or_else(|| Error::NotFound {
                entity: "merge",
                key: merge.to_string(),
            })?;
        let source_id: Option<i64> = tx
            .query_row(
                "SELECT source_id FROM record_merge WHERE id = ?1",
                [merge.0],
                |row| row.get(0),
            )
            .context("reading a merge")?;
        let entry = decode_merge(raw)?;
        if entry.undone_at.is_some() {
            return Err(Error::invalid(
                "merge",
                merge.to_string(),
                "a merge that is still in effect (this one was undone)",
            ));
        }
        let at = now().to_string();
        let mut kept = super::records::load_record(&tx, entry.kept)?;
        unfill(&mut kept, &entry.filled);
        super::records::update_record_tx(&tx, entry.kept, &kept, &at)?;
        if let Some(source_id) = source_id {
            tx.execute("DELETE FROM record_source WHERE id = ?1", [source_id])
                .context("removing the duplicate's provenance")?;
        }
        let restored = super::records::insert_record_tx(
            &tx,
            &entry.merged,
            &entry.merged_source,
            entry.import,
            &at,
        )?;
        super::count_records(&tx, 1)?;
        tx.execute(
            "UPDATE record_merge SET undone_at = ?2, restored_id = ?3 WHERE id = ?1",
            params![merge.0, at, restored.0],
        )
        .context("marking a merge as undone")?;
        let (low, high) = ordered(entry.kept, restored);
        tx.execute(
            "INSERT OR IGNORE INTO record_distinct (low_id, high_id, created_at) VALUES (?1, ?2, ?3)",
            params![low.0, high.0, at],
        )
        .context("marking two records as distinct")?;
        touch(&tx, &[entry.kept, restored])?;
        tx.commit().context("committing the undone merge")?;
        Ok(restored)
    }

    /// Relations of a record, both directions.
    pub fn relations(&self, record: RecordId) -> Result<Vec<Relation>> {
        let raws: Vec<(i64, i64, String, String)> = query_all(
            &self.conn,
            "SELECT from_id, to_id, kind, reason FROM record_relation WHERE from_id = ?1 OR to_id = ?1 ORDER BY id",
            [record.0],
            "reading relations",
            |row| row.try_into(),
        )?;
        raws.into_iter()
            .map(|(from, to, kind, reason)| {
                Ok(Relation {
                    from: RecordId(from),
                    to: RecordId(to),
                    kind: RelationKind::parse(&kind)
                        .map_err(|e| Column::at("record_relation", "kind", from).corrupt(e))?,
                    reason,
                })
            })
            .collect()
    }

    /// Every relation of a kind, in the order found.
    pub fn relations_of_kind(&self, kind: RelationKind) -> Result<Vec<Relation>> {
        let raws: Vec<(i64, i64, String)> = query_all(
            &self.conn,
            "SELECT from_id, to_id, reason FROM record_relation WHERE kind = ?1 ORDER BY id",
            [kind.code()],
            "reading relations",
            |row| row.try_into(),
        )?;
        Ok(raws
            .into_iter()
            .map(|(from, to, reason)| Relation {
                from: RecordId(from),
                to: RecordId(to),
                kind,
                reason,
            })
            .collect())
    }

    /// Pairs of records declared distinct (never to be merged).
    pub fn distinct_pairs(&self) -> Result<Vec<(RecordId, RecordId)>> {
        let raws: Vec<(i64, i64)> = query_all(
            &self.conn,
            "SELECT low_id, high_id FROM record_distinct ORDER BY low_id, high_id",
            [],
            "reading distinct pairs",
            |row| row.try_into(),
        )?;
        Ok(raws
            .into_iter()
            .map(|(a, b)| (RecordId(a), RecordId(b)))
            .collect())
    }

    /// Import runs, newest first.
    pub fn import_runs(&self) -> Result<Vec<ImportRun>> {
        let raws: Vec<(i64, String, String, i64, i64, i64)> = query_all(
            &self.conn,
            "SELECT id, started_at, files, records_read, records_imported, duplicates_merged FROM import_run
             WHERE finished_at IS NOT NULL ORDER BY id DESC",
            [],
            "listing imports",
            |row| row.try_into(),
        )?;
        raws.into_iter()
            .map(|(id, started_at, files, read, imported, merged)| {
                let at = |column| Column::at("import_run", column, id);
                Ok(ImportRun {
                    id: ImportId(id),
                    started_at: at("started_at").time(&started_at)?,
                    files: at("files").json(&files)?,
                    records_read: u64::try_from(read).unwrap_or(0),
                    records_imported: u64::try_from(imported).unwrap_or(0),
                    duplicates_merged: u64::try_from(merged).unwrap_or(0),
                })
            })
            .collect()
    }
}

impl ImportSession<'_> {
    /// The import's id.
    pub fn id(&self) -> ImportId {
        self.id
    }

    /// Records added or changed so far (for the search index).
    pub fn touched(&self) -> &[RecordId] {
        &self.touched
    }

    /// Adds a new record with its source.
    pub fn insert(&mut self, record: &Record, source: &SourceRef) -> Result<RecordId> {
        record.validate()?;
        let id =
            super::records::insert_record_tx(&self.tx, record, source, Some(self.id), &self.at)?;
        self.touched.push(id);
        self.records_imported += 1;
        Ok(id)
    }

    /// Whether any record was read from this file before.
    pub fn file_seen(&self, file: &str) -> Result<bool> {
        self.tx
            .prepare_cached("SELECT EXISTS (SELECT 1 FROM record_source WHERE file = ?1)")
            .context("looking for a file's records")?
            .query_row([file], |row| row.get(0))
            .context("looking for a file's records")
    }

    /// The record read from this place before (the same file, the same line), if any. A
    /// record read again from where it was read is no new record, no new duplicate and no
    /// new identification, whatever was edited or undone since.
    pub fn record_from(&self, source: &SourceRef) -> Result<Option<RecordId>> {
        self.tx
            .prepare_cached(
                "SELECT record_id FROM record_source WHERE file = ?1 AND locator IS ?2
                 ORDER BY id LIMIT 1",
            )
            .context("looking for a record's source")?
            .query_row(params![source.file, source.locator], |row| {
                row.get(0).map(RecordId)
            })
            .optional()
            .context("looking for a record's source")
    }

    /// Merges a duplicate into `kept`: fills `kept`'s empty fields, adds the duplicate's source
    /// to `kept`'s provenance and records the merge with its rule and reason.
    pub fn merge(
        &mut self,
        kept: RecordId,
        duplicate: &Record,
        source: &SourceRef,
        rule: MergeRule,
        reason: &str,
    ) -> Result<(MergeId, Filled)> {
        let mut record = super::records::load_record(&self.tx, kept)?;
        let filled = fill_missing(&mut record, duplicate);
        if !filled.is_empty() {
            super::records::update_record_tx(&self.tx, kept, &record, &self.at)?;
        }
        let source_id =
            super::records::insert_source(&self.tx, kept, source, Some(self.id), &self.at)?;
        self.tx
            .prepare_cached(
                "INSERT INTO record_merge (kept_id, source_id, merged, merged_source, rule, reason, filled, import_id, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )
            .context("preparing to record a merge")?
            .execute(params![
                kept.0,
                source_id,
                to_json("merge.merged", duplicate)?,
                to_json("merge.merged_source", source)?,
                rule.code(),
                reason,
                to_json("merge.filled", &filled)?,
                self.id.0,
                self.at
            ])
            .context("recording a merge")?;
        let id = MergeId(self.tx.last_insert_rowid());
        self.touched.push(kept);
        self.duplicates_merged += 1;
        Ok((id, filled))
    }

    /// Records a screening vote read with a record (a Rayyan or ASReview label), for the
    /// reviewer of that name (added if new). A vote the reviewer already cast on the record at
    /// that stage is never overwritten: a different one is reported as [`ImportedVote::Kept`].
    pub fn import_vote(
        &mut self,
        record: RecordId,
        reviewer: &str,
        vote: &ScreeningVote,
    ) -> Result<ImportedVote> {
        if let Err(error) = vote
            .validate()
            .and_then(|()| validate_reviewer_name(reviewer))
        {
            return Ok(ImportedVote::Refused(error.to_string()));
        }
        let reason_vocabulary = match &vote.decision {
            Decision::Exclude { reason: Some(code) } => {
                match require_project_label(&self.tx, EXCLUSION_REASON, code, "screening.reason") {
                    Ok(version) => Some(version),
                    Err(error @ (Error::InvalidValue { .. } | Error::NotFound { .. })) => {
                        return Ok(ImportedVote::Refused(error.to_string()));
                    }
                    Err(error) => return Err(error),
                }
            }
            _ => None,
        };
        let author = match find_reviewer_by_name(&self.tx, reviewer)? {
            Some(author) => author,
            None => insert_reviewer(&self.tx, reviewer, false)?,
        };
        if let Some(old) = load_vote(&self.tx, record, author.id, vote.stage)? {
            return Ok(if old.vote.decision == vote.decision {
                ImportedVote::AlreadyThere
            } else {
                ImportedVote::Kept(old)
            });
        }
        let stored = StoredVote {
            record,
            reviewer: author.id,
            vote: vote.clone(),
            reason_vocabulary,
            decided_at: now(),
        };
        write_vote(&self.tx, &stored)?;
        log_change(
            &self.tx,
            Some(&author),
            EntityKind::Screening,
            vote_key(record, author.id, vote.stage),
            Some(record),
            None::<&StoredVote>,
            Some(&stored),
        )?;
        self.touched.push(record);
        Ok(ImportedVote::Recorded)
    }

    /// A record's content as it stands in this import.
    pub fn record(&self, id: RecordId) -> Result<Record> {
        super::records::load_record(&self.tx, id)
    }

    /// Attaches (or replaces) a record's extracted full text; returns the file of the text it
    /// replaced, if any.
    pub fn set_full_text(&mut self, id: RecordId, full_text: &FullText) -> Result<Option<String>> {
        full_text.validate()?;
        let replaced = super::records::write_full_text(&self.tx, id, full_text)?;
        self.touched.push(id);
        Ok(replaced)
    }

    /// Links two records (an erratum to its article, a preprint to its publication).
    pub fn relate(
        &mut self,
        from: RecordId,
        to: RecordId,
        kind: RelationKind,
        reason: &str,
    ) -> Result<()> {
        if from == to {
            return Ok(());
        }
        self.tx
            .prepare_cached(
                "INSERT OR IGNORE INTO record_relation (from_id, to_id, kind, reason, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            )
            .context("preparing to relate records")?
            .execute(params![from.0, to.0, kind.code(), reason, self.at])
            .context("relating records")?;
        Ok(())
    }

    /// Whether two records were declared distinct.
    pub fn are_distinct(&self, a: RecordId, b: RecordId) -> Result<bool> {
        let (low, high) = ordered(a, b);
        self.tx
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM record_distinct WHERE low_id = ?1 AND high_id = ?2)",
                [low.0, high.0],
                |row| row.get(0),
            )
            .context("reading distinct pairs")
    }

    /// The project's data version as this import sees it (no other writer can change it
    /// until the import ends).
    pub fn data_version(&self) -> Result<u64> {
        let value: Option<String> = self
            .tx
            .query_row(
                "SELECT value FROM project_meta WHERE key = 'data_version'",
                [],
                |row| row.get(0),
            )
            .optional()
            .context("reading the data version")?;
        Ok(value.and_then(|v| v.parse().ok()).unwrap_or(0))
    }

    /// Records the files and counts and commits everything. Returns the touched records and
    /// the data version the import leaves.
    pub fn finish(
        mut self,
        files: &[ImportedFile],
        records_read: u64,
    ) -> Result<(ImportId, ImportCounts, Vec<RecordId>, u64)> {
        let counts = ImportCounts {
            records_read,
            records_imported: self.records_imported,
            duplicates_merged: self.duplicates_merged,
        };
        super::count_records(
            &self.tx,
            i64::try_from(self.records_imported).unwrap_or(i64::MAX),
        )?;
        self.tx
            .execute(
                "UPDATE import_run SET finished_at = ?2, files = ?3, records_read = ?4, records_imported = ?5,
                   duplicates_merged = ?6 WHERE id = ?1",
                params![
                    self.id.0,
                    now().to_string(),
                    to_json("import.files", &files)?,
                    i64::try_from(counts.records_read).unwrap_or(i64::MAX),
                    i64::try_from(counts.records_imported).unwrap_or(i64::MAX),
                    i64::try_from(counts.duplicates_merged).unwrap_or(i64::MAX)
                ],
            )
            .context("recording the import")?;
        for file in files {
            if let Some(sha256) = &file.sha256 {
                self.tx
                    .prepare_cached(
                        "INSERT INTO import_file (import_id, path, sha256, bytes, records_read)
                         VALUES (?1, ?2, ?3, ?4, ?5)",
                    )
                    .context("recording the files read")?
                    .execute(params![
                        self.id.0,
                        file.path,
                        sha256,
                        i64::try_from(file.bytes).unwrap_or(i64::MAX),
                        i64::try_from(file.records_read).unwrap_or(i64::MAX)
                    ])
                    .context("recording the files read")?;
            }
        }
        let mut touched = std::mem::take(&mut self.touched);
        touched.sort_unstable();
        touched.dedup();
        touch(&self.tx, &touched)?;
        let version = self.data_version()?;
        // Committing must not also copy a large log into the database file: that is left to
        // `checkpoint`, which the caller may run on another thread while it indexes.
        self.tx
            .pragma_update(None, "wal_autocheckpoint", 0)
            .context("deferring the checkpoint")?;
        self.tx.commit().context("committing the import")?;
        Ok((self.id, counts, touched, version))
    }
}

fn ordered(a: RecordId, b: RecordId) -> (RecordId, RecordId) {
    if a <= b { (a, b) } else { (b, a) }
}

type RawMerge = (
    i64,
    i64,
    String,
    String,
    String,
    String,
    String,
    Option<i64>,
    String,
    Option<String>,
    Option<i64>,
);

fn decode_merge(raw: RawMerge) -> Result<MergeEntry> {
    let (
        id,
        kept,
        merged,
        merged_source,
        rule,
        reason,
        filled,
        import,
        created_at,
        undone_at,
        restored,
    ) = raw;
    let at = |column| Column::at("record_merge", column, id);
    Ok(MergeEntry {
        id: MergeId(id),
        kept: RecordId(kept),
        merged: at("merged").json(&merged)?,
        merged_source: at("merged_source").json(&merged_source)?,
        rule: MergeRule::parse(&rule).map_err(|e| at("rule").corrupt(e))?,
        reason,
        filled: at("filled").json(&filled)?,
        import: import.map(ImportId),
        created_at: at("created_at").time(&created_at)?,
        undone_at: undone_at.map(|t| at("undone_at").time(&t)).transpose()?,
        restored: restored.map(RecordId),
    })
}
