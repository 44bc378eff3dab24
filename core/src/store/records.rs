//! Records, their provenance and their full texts.

use rusqlite::{OptionalExtension, Row, Transaction, params};

use super::{Column, Project, now, query_all, to_json, touch};
use crate::error::{Error, Result, SqlContext};
use crate::ids::{ArxivId, Doi, Pmid, RecordId};
use crate::record::{FullText, Person, Record, RecordKind, SourceRef, StoredRecord};

pub(super) const RECORD_COLUMNS: &str = "id, kind, title, authors, year, venue, volume, issue, pages, publisher, \
     doi, pmid, arxiv, url, abstract, keywords, notes, added_at, updated_at, editors, period";

/// How many columns [`RECORD_COLUMNS`] names: a query selecting more reads them from here on.
pub(super) const RECORD_COLUMN_COUNT: usize = 21;

/// A record row as stored, before decoding.
pub(super) struct RawRecord {
    id: i64,
    kind: String,
    title: String,
    authors: String,
    year: Option<i32>,
    venue: Option<String>,
    volume: Option<String>,
    issue: Option<String>,
    pages: Option<String>,
    publisher: Option<String>,
    doi: Option<String>,
    pmid: Option<String>,
    arxiv: Option<String>,
    url: Option<String>,
    abstract_text: Option<String>,
    keywords: String,
    notes: Option<String>,
    added_at: String,
    updated_at: String,
    editors: String,
    period: Option<String>,
}

impl RawRecord {
    pub(super) fn from_row(row: &Row<'_>) -> rusqlite::Result<Self> {
        Ok(Self {
            id: row.get(0)?,
            kind: row.get(1)?,
            title: row.get(2)?,
            authors: row.get(3)?,
            year: row.get(4)?,
            venue: row.get(5)?,
            volume: row.get(6)?,
            issue: row.get(7)?,
            pages: row.get(8)?,
            publisher: row.get(9)?,
            doi: row.get(10)?,
            pmid: row.get(11)?,
            arxiv: row.get(12)?,
            url: row.get(13)?,
            abstract_text: row.get(14)?,
            keywords: row.get(15)?,
            notes: row.get(16)?,
            added_at: row.get(17)?,
            updated_at: row.get(18)?,
            editors: row.get(19)?,
            period: row.get(20)?,
        })
    }

    pub(super) fn decode(self) -> Result<(RecordId, Record, jiff::Timestamp, jiff::Timestamp)> {
        let at = |column| Column::at("record", column, self.id);
        let record = Record {
            kind: RecordKind::parse("record.kind", &self.kind)
                .map_err(|e| at("kind").corrupt(e))?,
            title: self.title,
            authors: at("authors").json::<Vec<Person>>(&self.authors)?,
            editors: at("editors").json::<Vec<Person>>(&self.editors)?,
            year: self.year,
            venue: self.venue,
            volume: self.volume,
            issue: self.issue,
            pages: self.pages,
            publisher: self.publisher,
            doi: self
                .doi
                .map(|v| Doi::parse("record.doi", &v).map_err(|e| at("doi").corrupt(e)))
                .transpose()?,
            pmid: self
                .pmid
                .map(|v| Pmid::parse("record.pmid", &v).map_err(|e| at("pmid").corrupt(e)))
                .transpose()?,
            arxiv: self
                .arxiv
                .map(|v| ArxivId::parse("record.arxiv", &v).map_err(|e| at("arxiv").corrupt(e)))
                .transpose()?,
            url: self.url,
            abstract_text: self.abstract_text,
            keywords: at("keywords").json::<Vec<String>>(&self.keywords)?,
            notes: self.notes,
            period: self
                .period
                .map(|v| {
                    crate::record::Period::parse("record.period", &v)
                        .map_err(|e| at("period").corrupt(e))
                })
                .transpose()?,
        };
        let added_at = at("added_at").time(&self.added_at)?;
        let updated_at = at("updated_at").time(&self.updated_at)?;
        Ok((RecordId(self.id), record, added_at, updated_at))
    }
}

impl Project {
    /// Adds records, each with the source it came from, in one transaction. Every record is
    /// validated first; if one is invalid nothing is written and the error names it
    /// (`records[3].year`).
    pub fn insert_records(&mut self, batch: &[(Record, SourceRef)]) -> Result<Vec<RecordId>> {
        for (index, (record, source)) in batch.iter().enumerate() {
            record.validate().map_err(|error| at_index(error, index))?;
            validate_source(source).map_err(|error| at_index(error, index))?;
        }
        let tx = self.conn.transaction().context("starting to add records")?;
        let ids = insert_records_tx(&tx, batch)?;
        touch(&tx, &ids)?;
        tx.commit().context("committing new records")?;
        Ok(ids)
    }

    /// Adds one record with its source.
    pub fn insert_record(&mut self, record: &Record, source: &SourceRef) -> Result<RecordId> {
        let ids = self.insert_records(&[(record.clone(), source.clone())])?;
        ids.first().copied().ok_or_else(|| Error::NotFound {
            entity: "record",
            key: "just inserted".into(),
        })
    }

    /// Adds a provenance row to an existing record (a duplicate found in another file).
    pub fn add_source(&mut self, id: RecordId, source: &SourceRef) -> Result<()> {
        validate_source(source)?;
        let tx = self
            .conn
            .transaction()
            .context("starting to add a source")?;
        require_record(&tx, id)?;
        insert_source(&tx, id, source, None, &now().to_string())?;
        touch(&tx, &[id])?;
        tx.commit().context("committing a source")?;
        Ok(())
    }

    /// A record with its provenance.
    pub fn record(&self, id: RecordId) -> Result<StoredRecord> {
        let raw = self
            .conn
            .prepare_cached(&format!(
                "SELECT {RECORD_COLUMNS} FROM record WHERE id = ?1"
            ))
            .context("reading a record")?
            .query_row([id.0], RawRecord::from_row)
            .optional()
            .context("reading a record")?
            .ok_or_else(|| not_found(id))?;
        let (id, record, added_at, updated_at) = raw.decode()?;
        Ok(StoredRecord {
            id,
            added_at,
            updated_at,
            record,
            sources: self.sources(id)?,
        })
    }

    /// How each of `ids` is named between copies of the project, in one query; ids of no
    /// record are left out.
    pub(crate) fn record_refs(
        &self,
        ids: impl IntoIterator<Item = RecordId>,
    ) -> Result<std::collections::HashMap<RecordId, crate::bundle::RecordRef>> {
        let ids = serde_json::Value::from(ids.into_iter().map(|r| r.0).collect::<Vec<_>>());
        query_all(
            &self.conn,
            &format!(
                "SELECT {RECORD_COLUMNS} FROM record WHERE id IN (SELECT value FROM json_each(?1))"
            ),
            [ids.to_string()],
            "reading records",
            RawRecord::from_row,
        )?
        .into_iter()
        .map(|raw| {
            let (id, record, _, _) = raw.decode()?;
            Ok((id, crate::bundle::RecordRef::of(&record)))
        })
        .collect()
    }

    /// Every record with its provenance, in the order added. Meant for exports and checks on
    /// small projects; tables page with [`Project::record_rows`].
    pub fn records(&self) -> Result<Vec<StoredRecord>> {
        let raws = query_all(
            &self.conn,
            &format!("SELECT {RECORD_COLUMNS} FROM record ORDER BY id"),
            [],
            "listing records",
            RawRecord::from_row,
        )?;
        let mut sources = self.all_sources()?;
        raws.into_iter()
            .map(|raw| {
                let (id, record, added_at, updated_at) = raw.decode()?;
                Ok(StoredRecord {
                    id,
                    added_at,
                    updated_at,
                    record,
                    sources: sources.remove(&id).unwrap_or_default(),
                })
            })
            .collect()
    }

    /// Number of records.
    pub fn record_count(&self) -> Result<u64> {
        let n: i64 = self
            .conn
            .query_row("SELECT count(*) FROM record", [], |row| row.get(0))
            .context("counting records")?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    /// Finds a record by how a user refers to it: its id (`12`), a DOI (any form), `pmid:N`
    /// or `arxiv:ID`. Several records with the same DOI resolve to the oldest.
    pub fn resolve_record(&self, reference: &str) -> Result<RecordId> {
        let text = reference.trim();
        let found: Option<i64> = if let Ok(id) = text.parse::<i64>() {
            self.conn
                .query_row("SELECT id FROM record WHERE id = ?1", [id], |row| {
                    row.get(0)
                })
                .optional()
                .context("looking up a record")?
        } else if text.to_ascii_lowercase().starts_with("pmid") {
            let pmid = Pmid::parse("record", text)?;
            self.conn
                .query_row(
                    "SELECT min(id) FROM record WHERE pmid = ?1",
                    [pmid.as_str()],
                    |row| row.get(0),
                )
                .context("looking up a record")?
        } else if text.to_ascii_lowercase().starts_with("arxiv") {
            let arxiv = ArxivId::parse("record", text)?;
            self.conn
                .query_row(
                    "SELECT min(id) FROM record WHERE arxiv = ?1",
                    [arxiv.as_str()],
                    |row| row.get(0),
                )
                .context("looking up a record")?
        } else {
            let doi = Doi::parse("record", text).map_err(|_| {
                Error::invalid(
                    "record",
                    reference,
                    "a record id, a DOI, pmid:N or arxiv:ID",
                )
            })?;
            self.conn
                .query_row(
                    "SELECT min(id) FROM record WHERE doi_key = ?1",
                    [doi.key()],
                    |row| row.get(0),
                )
                .context("looking up a record")?
        };
        found.map(RecordId).ok_or_else(|| Error::NotFound {
            entity: "record",
            key: reference.to_owned(),
        })
    }

    /// Attaches (or replaces) the extracted full text of a record.
    pub fn set_full_text(&mut self, id: RecordId, full_text: &FullText) -> Result<()> {
        full_text.validate()?;
        let tx = self
            .conn
            .transaction()
            .context("starting to store a full text")?;
        require_record(&tx, id)?;
        write_full_text(&tx, id, full_text)?;
        touch(&tx, &[id])?;
        tx.commit().context("committing a full text")?;
        Ok(())
    }

    /// The extracted full text of a record, if any.
    pub fn full_text(&self, id: RecordId) -> Result<Option<FullText>> {
        self.conn
            .query_row(
                "SELECT text, source_file, extractor, pages FROM record_fulltext WHERE record_id = ?1",
                [id.0],
                |row| {
                    Ok(FullText {
                        text: row.get(0)?,
                        source_file: row.get(1)?,
                        extractor: row.get(2)?,
                        pages: row.get(3)?,
                    })
                },
            )
            .optional()
            .context("reading a full text")
    }

    fn sources(&self, id: RecordId) -> Result<Vec<SourceRef>> {
        let mut statement = self
            .conn
            .prepare_cached("SELECT file, format, locator, original_key FROM record_source WHERE record_id = ?1 ORDER BY id")
            .context("reading provenance")?;
        statement
            .query_map([id.0], source_from_row)
            .context("reading provenance")?
            .collect::<rusqlite::Result<Vec<_>>>()
            .context("reading provenance")
    }

    fn all_sources(&self) -> Result<std::collections::HashMap<RecordId, Vec<SourceRef>>> {
        let mut statement = self
            .conn
            .prepare("SELECT record_id, file, format, locator, original_key FROM record_source ORDER BY id")
            .context("reading provenance")?;
        let rows = statement
            .query_map([], |row| {
                Ok((
                    RecordId(row.get(0)?),
                    SourceRef {
                        file: row.get(1)?,
                        format: row.get(2)?,
                        locator: row.get(3)?,
                        original_key: row.get(4)?,
                    },
                ))
            })
            .context("reading provenance")?;
        let mut map: std::collections::HashMap<RecordId, Vec<SourceRef>> =
            std::collections::HashMap::new();
        for row in rows {
            let (id, source) = row.context("reading provenance")?;
            map.entry(id).or_default().push(source);
        }
        Ok(map)
    }
}

fn source_from_row(row: &Row<'_>) -> rusqlite::Result<SourceRef> {
    Ok(SourceRef {
        file: row.get(0)?,
        format: row.get(1)?,
        locator: row.get(2)?,
        original_key: row.get(3)?,
    })
}

/// Inserts already-validated records inside a caller's transaction.
pub(crate) fn insert_records_tx(
    tx: &Transaction<'_>,
    batch: &[(Record, SourceRef)],
) -> Result<Vec<RecordId>> {
    let at = now().to_string();
    let ids = batch
        .iter()
        .map(|(record, source)| insert_record_tx(tx, record, source, None, &at))
        .collect::<Result<Vec<_>>>()?;
    super::count_records(tx, i64::try_from(ids.len()).unwrap_or(i64::MAX))?;
    Ok(ids)
}

/// Inserts one already-validated record with the source it was read from (and the import that
/// read it), stamped `at`, inside a caller's transaction. The caller counts what it inserted
/// ([`super::count_records`]).
pub(crate) fn insert_record_tx(
    tx: &Transaction<'_>,
    record: &Record,
    source: &SourceRef,
    import: Option<crate::merge::ImportId>,
    at: &str,
) -> Result<RecordId> {
    let mut statement = tx
        .prepare_cached(
            "INSERT INTO record (kind, title, authors, year, venue, volume, issue, pages, publisher, doi, doi_key,
               pmid, arxiv, url, abstract, keywords, notes, editors, period, added_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?20)",
        )
        .context("preparing to add records")?;
    bind_record(&mut statement, record, at)?;
    statement.raw_execute().context("adding a record")?;
    let id = RecordId(tx.last_insert_rowid());
    insert_source(tx, id, source, import, at)?;
    Ok(id)
}

/// Binds a record's columns to parameters `?1`…`?19` (in `RECORD_COLUMNS` order, with the
/// lower-cased DOI after the DOI, editors and period last) and the time `at` to `?20`.
pub(crate) fn bind_record(
    statement: &mut rusqlite::Statement<'_>,
    record: &Record,
    at: &str,
) -> Result<()> {
    let authors = to_json("record.authors", &record.authors)?;
    let keywords = to_json("record.keywords", &record.keywords)?;
    let editors = to_json("record.editors", &record.editors)?;
    let period = record.period.map(|p| p.to_string());
    let values: [&dyn rusqlite::ToSql; 20] = [
        &record.kind.code(),
        &record.title,
        &authors,
        &record.year,
        &record.venue,
        &record.volume,
        &record.issue,
        &record.pages,
        &record.publisher,
        &record.doi.as_ref().map(Doi::as_str),
        &record.doi.as_ref().map(Doi::key),
        &record.pmid.as_ref().map(Pmid::as_str),
        &record.arxiv.as_ref().map(ArxivId::as_str),
        &record.url,
        &record.abstract_text,
        &keywords,
        &record.notes,
        &editors,
        &period,
        &at,
    ];
    for (index, value) in values.into_iter().enumerate() {
        statement
            .raw_bind_parameter(index + 1, value)
            .context("binding a record")?;
    }
    Ok(())
}

/// Adds a provenance row; returns its row id.
pub(crate) fn insert_source(
    tx: &Transaction<'_>,
    id: RecordId,
    source: &SourceRef,
    import: Option<crate::merge::ImportId>,
    at: &str,
) -> Result<i64> {
    tx.prepare_cached(
        "INSERT INTO record_source (record_id, file, format, locator, original_key, imported_at, import_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )
    .context("preparing provenance")?
    .execute(params![
        id.0,
        source.file,
        source.format,
        source.locator,
        source.original_key,
        at,
        import.map(|i| i.0)
    ])
    .context("recording provenance")?;
    Ok(tx.last_insert_rowid())
}

/// Stores (or replaces) a record's full text inside a transaction; returns the file of the
/// text it replaced, if any.
pub(crate) fn write_full_text(
    tx: &Transaction<'_>,
    id: RecordId,
    full_text: &FullText,
) -> Result<Option<String>> {
    let replaced: Option<String> = tx
        .query_row(
            "SELECT source_file FROM record_fulltext WHERE record_id = ?1",
            [id.0],
            |row| row.get(0),
        )
        .optional()
        .context("reading a full text")?;
    tx.execute(
        "INSERT INTO record_fulltext (record_id, text, source_file, extractor, pages, extracted_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (record_id) DO UPDATE SET text = excluded.text, source_file = excluded.source_file,
           extractor = excluded.extractor, pages = excluded.pages, extracted_at = excluded.extracted_at",
        params![
            id.0,
            full_text.text,
            full_text.source_file,
            full_text.extractor,
            full_text.pages,
            now().to_string()
        ],
    )
    .context("storing a full text")?;
    Ok(replaced)
}

/// A record's content, read inside a transaction.
pub(crate) fn load_record(tx: &Transaction<'_>, id: RecordId) -> Result<Record> {
    let raw = tx
        .query_row(
            &format!("SELECT {RECORD_COLUMNS} FROM record WHERE id = ?1"),
            [id.0],
            RawRecord::from_row,
        )
        .optional()
        .context("reading a record")?
        .ok_or_else(|| not_found(id))?;
    Ok(raw.decode()?.1)
}

/// Replaces a record's content inside a transaction.
pub(crate) fn update_record_tx(
    tx: &Transaction<'_>,
    id: RecordId,
    record: &Record,
    at: &str,
) -> Result<()> {
    let mut statement = tx
        .prepare_cached(
            "UPDATE record SET kind = ?1, title = ?2, authors = ?3, year = ?4, venue = ?5, volume = ?6,
             issue = ?7, pages = ?8, publisher = ?9, doi = ?10, doi_key = ?11, pmid = ?12, arxiv = ?13,
             url = ?14, abstract = ?15, keywords = ?16, notes = ?17, editors = ?18, period = ?19,
             updated_at = ?20
             WHERE id = ?21",
        )
        .context("preparing to update a record")?;
    bind_record(&mut statement, record, at)?;
    statement
        .raw_bind_parameter(21, id.0)
        .context("updating a record")?;
    if statement.raw_execute().context("updating a record")? == 0 {
        return Err(not_found(id));
    }
    Ok(())
}

fn validate_source(source: &SourceRef) -> Result<()> {
    if source.file.trim().is_empty() {
        return Err(Error::invalid(
            "source.file",
            &source.file,
            "the path of the file the record came from",
        ));
    }
    if source.format.trim().is_empty() {
        return Err(Error::invalid(
            "source.format",
            &source.format,
            "the format the file was read as",
        ));
    }
    Ok(())
}

/// Re-labels a `record.x` validation error as `records[i].x` so a batch error says which record.
fn at_index(error: Error, index: usize) -> Error {
    match error {
        Error::InvalidValue {
            field,
            value,
            expected,
        } => Error::InvalidValue {
            field: match field.split_once('.') {
                Some((_, rest)) => format!("records[{index}].{rest}"),
                None => format!("records[{index}].{field}"),
            },
            value,
            expected,
        },
        other => other,
    }
}

/// Fails with [`Error::NotFound`] unless the record exists.
pub(crate) fn require_record(tx: &Transaction<'_>, id: RecordId) -> Result<()> {
    if record_exists(tx, id)? {
        Ok(())
    } else {
        Err(not_found(id))
    }
}

/// Whether record `id` is in the project.
pub(crate) fn record_exists(conn: &rusqlite::Connection, id: RecordId) -> Result<bool> {
    conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM record WHERE id = ?1)",
        [id.0],
        |row| row.get(0),
    )
    .context("looking up a record")
}

fn not_found(id: RecordId) -> Error {
    Error::NotFound {
        entity: "record",
        key: id.to_string(),
    }
}
