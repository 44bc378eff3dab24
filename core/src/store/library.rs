//! What the workbench's library table needs: the order of every record by a column, the rows
//! of the records on screen with their review state, and the files records came from.

use std::collections::HashMap;

use ecolens_taxonomy::eval_scale::EvalCategory;
use rusqlite::params;
use serde::Serialize;

use super::{Column, Project, only_reviewer, query_all};
use crate::error::{Result, SqlContext};
use crate::ids::RecordId;
use crate::index_feed::ScreeningStatus;
use crate::record::{Person, RecordKind, short_authors};
use crate::review::Stage;
use crate::visibility::Visibility;

/// A column the library can be ordered by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LibraryColumn {
    /// The order records were added in.
    #[default]
    Added,
    /// Title, ignoring case.
    Title,
    /// First author's family name, ignoring case.
    Authors,
    /// Publication year (records without one last).
    Year,
    /// Venue, else publisher, ignoring case (records without one last).
    Venue,
    /// Name of the first file the record was read from.
    Source,
    /// Screening status (unscreened, include, maybe, exclude, conflict).
    Decision,
    /// Lowest a–f category any reviewer gave (unclassified last).
    Category,
}

impl LibraryColumn {
    /// Every column, in the order the table shows them.
    pub const ALL: [Self; 8] = [
        Self::Added,
        Self::Title,
        Self::Authors,
        Self::Year,
        Self::Venue,
        Self::Source,
        Self::Decision,
        Self::Category,
    ];
}

/// One row of the library table: a record's bibliographic summary and review state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LibraryRow {
    /// Row id.
    pub id: RecordId,
    /// Type of publication.
    pub kind: RecordKind,
    /// Title.
    pub title: String,
    /// Short author line ("Strubell et al.").
    pub authors: String,
    /// Year.
    pub year: Option<i32>,
    /// Venue, or the publisher when there is no venue.
    pub venue: Option<String>,
    /// DOI.
    pub doi: Option<String>,
    /// Name (without folders) of the first file the record was read from.
    pub source: String,
    /// Files the record was read from (more than one after merges).
    pub source_count: u32,
    /// Whether a full text is attached.
    pub has_full_text: bool,
    /// Screening status over all reviewers at the latest stage voted on.
    pub screening: ScreeningStatus,
    /// That stage.
    pub stage: Option<Stage>,
    /// a–f categories given by reviewers, lowest first, without repeats.
    pub categories: Vec<EvalCategory>,
    /// Rebound risks recorded.
    pub risk_count: u32,
    /// Whether an LCA scenario is linked.
    pub has_lca: bool,
    /// Whether a measured-energy trace is linked.
    pub has_trace: bool,
}

/// A file records were read from, and how many records still carry it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SourceFile {
    /// The file's name without folders (what `file:` in a query matches).
    pub name: String,
    /// Records read from it.
    pub records: u64,
}

/// Sort rank of a screening status: unscreened first, conflicts last.
fn status_rank(status: ScreeningStatus) -> u8 {
    match status {
        ScreeningStatus::Unscreened => 0,
        ScreeningStatus::Include => 1,
        ScreeningStatus::Maybe => 2,
        ScreeningStatus::Exclude => 3,
        ScreeningStatus::Conflict => 4,
    }
}

fn file_name(path: &str) -> String {
    std::path::Path::new(path)
        .file_name()
        .map_or_else(|| path.to_owned(), |n| n.to_string_lossy().into_owned())
}

impl Project {
    /// Every record's id, ordered by `column` (ties by id), reversed when `descending`.
    /// Reads only ids and the sort keys, so it stays within a second or two for a million
    /// records; the workbench runs it off the window's thread.
    ///
    /// The decision and category orders use the votes and categories `seen` shows, as the
    /// rows do.
    pub fn record_order(
        &self,
        column: LibraryColumn,
        descending: bool,
        seen: &Visibility,
    ) -> Result<Vec<RecordId>> {
        let context = "ordering records";
        let sql_order = match column {
            LibraryColumn::Added => Some("id"),
            LibraryColumn::Title => Some("title COLLATE NOCASE, id"),
            LibraryColumn::Authors => Some(
                "json_extract(authors, '$[0].family') IS NULL, json_extract(authors, '$[0].family') COLLATE NOCASE, id",
            ),
            LibraryColumn::Year => Some("year IS NULL, year, id"),
            LibraryColumn::Venue => Some(
                "coalesce(venue, publisher) IS NULL, coalesce(venue, publisher) COLLATE NOCASE, id",
            ),
            LibraryColumn::Source => Some(
                "(SELECT s.file FROM record_source s WHERE s.record_id = record.id ORDER BY s.id LIMIT 1) COLLATE NOCASE, id",
            ),
            LibraryColumn::Decision | LibraryColumn::Category => None,
        };
        let mut ids: Vec<RecordId> = if let Some(order) = sql_order {
            query_all(
                &self.conn,
                &format!("SELECT id FROM record ORDER BY {order}"),
                [],
                context,
                |row| row.get(0).map(RecordId),
            )?
        } else {
            let all: Vec<RecordId> = query_all(
                &self.conn,
                "SELECT id FROM record ORDER BY id",
                [],
                context,
                |row| row.get(0).map(RecordId),
            )?;
            let keys = if column == LibraryColumn::Decision {
                self.screening_ranks(seen)?
            } else {
                self.category_ranks(seen)?
            };
            let missing = if column == LibraryColumn::Decision {
                0
            } else {
                u8::MAX
            };
            let mut keyed: Vec<(u8, RecordId)> = all
                .into_iter()
                .map(|id| (keys.get(&id.0).copied().unwrap_or(missing), id))
                .collect();
            keyed.sort_unstable();
            keyed.into_iter().map(|(_, id)| id).collect()
        };
        if descending {
            ids.reverse();
        }
        Ok(ids)
    }

    /// Screening-status rank of every record with votes `seen` shows.
    fn screening_ranks(&self, seen: &Visibility) -> Result<HashMap<i64, u8>> {
        let votes: Vec<(i64, String, String)> = query_all(
            &self.conn,
            "SELECT record_id, stage, decision FROM screening
             WHERE ?1 IS NULL OR reviewer_id = ?1 ORDER BY record_id",
            [only_reviewer(seen)],
            "ordering records by decision",
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
        )?;
        let mut by_record: HashMap<i64, Vec<(Stage, crate::review::Decision)>> = HashMap::new();
        for (record, stage, decision) in votes {
            let at = Column::at("screening", "stage", record);
            let stage = Stage::parse("screening.stage", &stage).map_err(|e| at.corrupt(e))?;
            let decision = crate::review::Decision::parse("screening.decision", &decision, None)
                .map_err(|e| Column::at("screening", "decision", record).corrupt(e))?;
            by_record.entry(record).or_default().push((stage, decision));
        }
        // A reader who sees only their own votes does not see the lead's resolutions either.
        let resolutions = if seen.sees_everyone() {
            self.screening_resolutions(None)?
        } else {
            HashMap::new()
        };
        Ok(by_record
            .into_iter()
            .map(|(record, votes)| {
                let resolved = Stage::ALL
                    .iter()
                    .filter_map(|stage| resolutions.get(&(record, *stage)).map(|d| (*stage, d)));
                let (status, _) =
                    ScreeningStatus::resolved(votes.iter().map(|(s, d)| (*s, d)), resolved);
                (record, status_rank(status))
            })
            .collect())
    }

    /// Lowest category (a = 0 … f = 5) of every record with a category `seen` shows.
    fn category_ranks(&self, seen: &Visibility) -> Result<HashMap<i64, u8>> {
        let rows: Vec<(i64, String)> = query_all(
            &self.conn,
            "SELECT record_id, min(category) FROM classification
             WHERE ?1 IS NULL OR reviewer_id = ?1 GROUP BY record_id",
            [only_reviewer(seen)],
            "ordering records by category",
            |row| Ok((row.get(0)?, row.get(1)?)),
        )?;
        rows.into_iter()
            .map(|(record, category)| {
                let category: EvalCategory =
                    Column::at("classification", "category", record).term(&category)?;
                Ok((record, category.rank()))
            })
            .collect()
    }

    /// The library rows of `ids`, in the same order; ids no longer in the project are left
    /// out. The decision, categories and risk count are over the judgements `seen` shows.
    pub fn library_rows(&self, ids: &[RecordId], seen: &Visibility) -> Result<Vec<LibraryRow>> {
        let context = "reading library rows";
        let mut statement = self
            .conn
            .prepare_cached(
                "SELECT r.kind, r.title, CASE WHEN r.authors = '[]' THEN r.editors ELSE r.authors END, r.authors = '[]', r.year, coalesce(r.venue, r.publisher), r.doi,
                        EXISTS (SELECT 1 FROM record_fulltext f WHERE f.record_id = r.id),
                        (SELECT s.file FROM record_source s WHERE s.record_id = r.id ORDER BY s.id LIMIT 1),
                        (SELECT count(*) FROM record_source s WHERE s.record_id = r.id),
                        (SELECT count(*) FROM rebound_risk k WHERE k.record_id = r.id
                           AND (?2 IS NULL OR k.reviewer_id = ?2))
                 FROM record r WHERE r.id = ?1",
            )
            .context(context)?;
        let mut rows = Vec::with_capacity(ids.len());
        for &id in ids {
            let mut found = statement
                .query(params![id.0, only_reviewer(seen)])
                .context(context)?;
            let Some(row) = found.next().context(context)? else {
                continue;
            };
            let kind: String = row.get(0).context(context)?;
            let authors: String = row.get(2).context(context)?;
            let authors: Vec<Person> = Column::at("record", "authors", id.0).json(&authors)?;
            // An edited book without authors is listed by its editors.
            let edited: bool = row.get(3).context(context)?;
            let source: Option<String> = row.get(8).context(context)?;
            let source_count: i64 = row.get(9).context(context)?;
            let risk_count: i64 = row.get(10).context(context)?;
            let facets = self
                .review_facets(id.0, id.0)?
                .remove(&id.0)
                .unwrap_or_default()
                .shown_to(seen);
            let (screening, stage) = facets.screening();
            rows.push(LibraryRow {
                id,
                kind: RecordKind::parse("record.kind", &kind)
                    .map_err(|e| Column::at("record", "kind", id.0).corrupt(e))?,
                title: row.get(1).context(context)?,
                authors: if edited && !authors.is_empty() {
                    format!("{} (ed.)", short_authors(&authors))
                } else {
                    short_authors(&authors)
                },
                year: row.get(4).context(context)?,
                venue: row.get(5).context(context)?,
                doi: row.get(6).context(context)?,
                has_full_text: row.get(7).context(context)?,
                source: source.as_deref().map(file_name).unwrap_or_default(),
                source_count: u32::try_from(source_count).unwrap_or(u32::MAX),
                screening,
                stage,
                categories: facets.categories(),
                risk_count: u32::try_from(risk_count).unwrap_or(u32::MAX),
                has_lca: facets.has_lca,
                has_trace: facets.has_trace,
            });
        }
        Ok(rows)
    }

    /// The files records were read from, by name, with how many records carry each; most
    /// records first.
    pub fn source_files(&self) -> Result<Vec<SourceFile>> {
        let rows: Vec<(String, i64)> = query_all(
            &self.conn,
            "SELECT file, count(DISTINCT record_id) FROM record_source GROUP BY file",
            [],
            "listing source files",
            |row| Ok((row.get(0)?, row.get(1)?)),
        )?;
        let mut by_name: HashMap<String, u64> = HashMap::new();
        for (file, records) in rows {
            *by_name.entry(file_name(&file)).or_default() += u64::try_from(records).unwrap_or(0);
        }
        let mut files: Vec<SourceFile> = by_name
            .into_iter()
            .map(|(name, records)| SourceFile { name, records })
            .collect();
        files.sort_by(|a, b| b.records.cmp(&a.records).then_with(|| a.name.cmp(&b.name)));
        Ok(files)
    }
}
