//! What the search index re-reads: the journal of changed records and the documents it
//! indexes. See [`crate::index_feed`] for the protocol.

use std::collections::HashMap;
use std::ops::RangeInclusive;

use ecolens_taxonomy::effects::EffectCode;
use ecolens_taxonomy::eval_scale::EvalCategory;
use rusqlite::params;

use super::records::{RECORD_COLUMN_COUNT, RECORD_COLUMNS, RawRecord};
use super::{Column, Project, query_all};
use crate::error::{Error, Result, SqlContext};
use crate::ids::{RecordId, ReviewerId};
use crate::index_feed::{IndexChanges, IndexDoc, IndexScope, NamedVote, ReviewFacets};
use crate::record::Record;
use crate::review::{Decision, Stage};
use crate::visibility::Visibility;

/// Sorted, disjoint ranges covering `ids` (in any order, duplicates allowed).
pub fn id_ranges(ids: &[RecordId]) -> Vec<RangeInclusive<RecordId>> {
    let mut sorted = ids.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    merge_ranges(sorted.into_iter().map(|id| id..=id))
}

/// Merges ranges sorted by start into disjoint ranges, joining adjacent ones.
fn merge_ranges(
    ranges: impl IntoIterator<Item = RangeInclusive<RecordId>>,
) -> Vec<RangeInclusive<RecordId>> {
    let mut merged: Vec<RangeInclusive<RecordId>> = Vec::new();
    for range in ranges {
        match merged.last_mut() {
            Some(last) if range.start().0 <= last.end().0.saturating_add(1) => {
                if range.end() > last.end() {
                    *last = *last.start()..=*range.end();
                }
            }
            _ => merged.push(range),
        }
    }
    merged
}

impl Project {
    /// What an index that reflects data version `indexed` (`None`: a new or unstamped index)
    /// must re-read to reflect the current version.
    pub fn index_changes(&self, indexed: Option<u64>) -> Result<IndexChanges> {
        // One read transaction, so the version and the journal agree.
        let tx = self.read_transaction("reading the index journal")?;
        let meta = |key: &str| -> Result<u64> {
            let value: Option<String> = tx
                .query_row(
                    "SELECT value FROM project_meta WHERE key = ?1",
                    [key],
                    |row| row.get(0),
                )
                .map(Some)
                .or_else(|error| match error {
                    rusqlite::Error::QueryReturnedNoRows => Ok(None),
                    other => Err(other),
                })
                .context("reading the index journal")?;
            Ok(value.and_then(|v| v.parse().ok()).unwrap_or(0))
        };
        let version = meta("data_version")?;
        let floor = meta("index_journal_floor")?;
        let scope = match indexed {
            Some(indexed) if indexed == version => None,
            Some(indexed) if indexed >= floor && indexed < version => {
                let rows: Vec<(i64, i64)> = query_all(
                    &tx,
                    "SELECT first_id, last_id FROM index_journal WHERE version > ?1 AND version <= ?2
                     ORDER BY first_id, last_id",
                    params![to_i64(indexed), to_i64(version)],
                    "reading the index journal",
                    |row| Ok((row.get(0)?, row.get(1)?)),
                )?;
                Some(IndexScope::Ranges(merge_ranges(
                    rows.into_iter()
                        .map(|(first, last)| RecordId(first)..=RecordId(last)),
                )))
            }
            _ => Some(IndexScope::All),
        };
        Ok(IndexChanges { version, scope })
    }

    /// Forgets journal entries up to data version `through`, once the index reflects it. Does
    /// not change the data version.
    pub fn prune_index_journal(&mut self, through: u64) -> Result<()> {
        let tx = self
            .conn
            .transaction()
            .context("starting to prune the index journal")?;
        tx.execute(
            "DELETE FROM index_journal WHERE version <= ?1",
            [to_i64(through)],
        )
        .context("pruning the index journal")?;
        tx.execute(
            "INSERT INTO project_meta (key, value) VALUES ('index_journal_floor', ?1)
             ON CONFLICT (key) DO UPDATE SET value = CAST(max(CAST(value AS INTEGER), CAST(excluded.value AS INTEGER)) AS TEXT)",
            [through.to_string()],
        )
        .context("pruning the index journal")?;
        tx.commit().context("committing the pruned journal")?;
        Ok(())
    }

    /// Calls `each` with every record in `scope`, in id order, with everyone's review data,
    /// the files it came from and (if `full_text`) its extracted text: what the search index
    /// mirrors. The index holds everyone's judgements so that it can answer any reader; it
    /// answers a search by judgement only to a reader whose [`Visibility`] sees everyone's.
    /// Stops at the first error `each` returns.
    pub fn for_each_index_doc<E: From<Error>>(
        &self,
        scope: &IndexScope,
        full_text: bool,
        each: impl FnMut(IndexDoc) -> std::result::Result<(), E>,
    ) -> std::result::Result<(), E> {
        self.for_each_doc(scope, full_text, &Visibility::machinery(), each)
    }

    /// Calls `each` with every record's id and bibliographic content, in id order, one at a
    /// time (no review data, no files, no full text): for what is derived from records alone,
    /// such as the screening model's features, without holding them all in memory.
    pub fn for_each_record<E: From<Error>>(
        &self,
        mut each: impl FnMut(RecordId, Record) -> std::result::Result<(), E>,
    ) -> std::result::Result<(), E> {
        // One pass over every page: a page cache keeps nothing it will read again, and the
        // usual 64 MB of it was a fifth of the peak memory of building the screening
        // features of 100,000 records. The scan runs with 2 MB, and gives back what it used.
        let cache: i64 = self
            .conn
            .pragma_query_value(None, "cache_size", |row| row.get(0))
            .context("reading the page cache size")?;
        self.conn
            .pragma_update(None, "cache_size", -2048)
            .context("setting the page cache size")?;
        let scanned = self.scan_records(&mut each);
        let restored = self
            .conn
            .pragma_update(None, "cache_size", cache)
            .and_then(|()| self.conn.release_memory())
            .context("setting the page cache size back");
        scanned?;
        restored.map_err(E::from)
    }

    fn scan_records<E: From<Error>>(
        &self,
        each: &mut impl FnMut(RecordId, Record) -> std::result::Result<(), E>,
    ) -> std::result::Result<(), E> {
        let mut statement = self
            .conn
            .prepare_cached(&format!("SELECT {RECORD_COLUMNS} FROM record ORDER BY id"))
            .context("reading records")
            .map_err(E::from)?;
        let mut rows = statement
            .query([])
            .context("reading records")
            .map_err(E::from)?;
        while let Some(row) = rows.next().context("reading records").map_err(E::from)? {
            let raw = RawRecord::from_row(row)
                .context("reading records")
                .map_err(E::from)?;
            let (id, record, _, _) = raw.decode().map_err(E::from)?;
            each(id, record)?;
        }
        Ok(())
    }

    /// Calls `each` with every record in `scope`, in id order, with the review data `seen`
    /// shows and the files it came from: what an export carries.
    pub fn for_each_doc_shown<E: From<Error>>(
        &self,
        scope: &IndexScope,
        seen: &Visibility,
        each: impl FnMut(IndexDoc) -> std::result::Result<(), E>,
    ) -> std::result::Result<(), E> {
        self.for_each_doc(scope, false, seen, each)
    }

    fn for_each_doc<E: From<Error>>(
        &self,
        scope: &IndexScope,
        full_text: bool,
        seen: &Visibility,
        mut each: impl FnMut(IndexDoc) -> std::result::Result<(), E>,
    ) -> std::result::Result<(), E> {
        let bounds = match scope {
            IndexScope::All => vec![(i64::MIN, i64::MAX)],
            IndexScope::Ranges(ranges) => ranges
                .iter()
                .map(|range| (range.start().0, range.end().0))
                .collect(),
        };
        for (low, high) in bounds {
            let mut facets = self.review_facets(low, high)?;
            let mut statement = self
                .conn
                .prepare_cached(&format!(
                    "SELECT {RECORD_COLUMNS},
                       CASE WHEN ?3 THEN (SELECT text FROM record_fulltext f WHERE f.record_id = record.id) END,
                       (SELECT group_concat(file, char(31)) FROM record_source s WHERE s.record_id = record.id)
                     FROM record WHERE id BETWEEN ?1 AND ?2 ORDER BY id"
                ))
                .context("reading records to index")
                .map_err(E::from)?;
            let mut rows = statement
                .query(params![low, high, full_text])
                .context("reading records to index")
                .map_err(E::from)?;
            while let Some(row) = rows
                .next()
                .context("reading records to index")
                .map_err(E::from)?
            {
                let raw = RawRecord::from_row(row)
                    .context("reading records to index")
                    .map_err(E::from)?;
                let full_text: Option<String> = row
                    .get(RECORD_COLUMN_COUNT)
                    .context("reading records to index")
                    .map_err(E::from)?;
                let files: Option<String> = row
                    .get(RECORD_COLUMN_COUNT + 1)
                    .context("reading records to index")
                    .map_err(E::from)?;
                let (id, record, _, _) = raw.decode().map_err(E::from)?;
                let mut files: Vec<String> = files
                    .unwrap_or_default()
                    .split('\u{1f}')
                    .filter(|file| !file.is_empty())
                    .map(|file| {
                        std::path::Path::new(file)
                            .file_name()
                            .map_or_else(|| file.to_owned(), |n| n.to_string_lossy().into_owned())
                    })
                    .collect();
                files.sort();
                files.dedup();
                each(IndexDoc {
                    id,
                    record,
                    full_text,
                    review: facets.remove(&id.0).unwrap_or_default().shown_to(seen),
                    files,
                })?;
            }
        }
        Ok(())
    }

    /// Review facets of the records with ids in `low..=high` that have any.
    pub(super) fn review_facets(&self, low: i64, high: i64) -> Result<HashMap<i64, ReviewFacets>> {
        type RawVote = (i64, i64, String, String, String, Option<String>);
        let mut facets: HashMap<i64, ReviewFacets> = HashMap::new();
        let context = "reading review facets";
        let votes: Vec<RawVote> = query_all(
            &self.conn,
            "SELECT s.record_id, r.id, r.name, s.stage, s.decision, s.reason FROM screening s
             JOIN reviewer r ON r.id = s.reviewer_id
             WHERE s.record_id BETWEEN ?1 AND ?2 ORDER BY s.record_id, s.reviewer_id, s.stage = 'fulltext'",
            [low, high],
            context,
            |row| {
                Ok((
                    row.get(0)?,
                    row.get(1)?,
                    row.get(2)?,
                    row.get(3)?,
                    row.get(4)?,
                    row.get(5)?,
                ))
            },
        )?;
        for (record, reviewer_id, reviewer, stage, decision, reason) in votes {
            let at = Column::at("screening", "stage", record);
            let stage = Stage::parse("screening.stage", &stage).map_err(|e| at.corrupt(e))?;
            let decision = Decision::parse("screening.decision", &decision, reason)
                .map_err(|e| Column::at("screening", "decision", record).corrupt(e))?;
            facets.entry(record).or_default().votes.push(NamedVote {
                reviewer_id: ReviewerId(reviewer_id),
                reviewer,
                stage,
                decision,
            });
        }
        let resolutions: Vec<(i64, String, String)> = query_all(
            &self.conn,
            "SELECT record_id, subject, value FROM resolution
             WHERE record_id BETWEEN ?1 AND ?2 AND subject LIKE 'screening:%'",
            [low, high],
            context,
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
        )?;
        for (record, subject, value) in resolutions {
            let at = Column::at("resolution", "value", record);
            if let (
                crate::workflow::Subject::Screening(stage),
                crate::workflow::ResolvedValue::Screening(decision),
            ) = (
                crate::workflow::Subject::parse("resolution.subject", &subject)
                    .map_err(|e| at.corrupt(e))?,
                at.json(&value)?,
            ) {
                facets
                    .entry(record)
                    .or_default()
                    .resolutions
                    .push((stage, decision));
            }
        }
        let categories: Vec<(i64, i64, String, String)> = query_all(
            &self.conn,
            "SELECT c.record_id, r.id, r.name, c.category FROM classification c
             JOIN reviewer r ON r.id = c.reviewer_id
             WHERE c.record_id BETWEEN ?1 AND ?2 ORDER BY c.record_id, c.reviewer_id",
            [low, high],
            context,
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)),
        )?;
        for (record, reviewer_id, reviewer, category) in categories {
            let category: EvalCategory =
                Column::at("classification", "category", record).term(&category)?;
            facets.entry(record).or_default().classifications.push((
                ReviewerId(reviewer_id),
                reviewer,
                category,
            ));
        }
        let effects: Vec<(i64, i64, String)> = query_all(
            &self.conn,
            "SELECT record_id, reviewer_id, effect FROM rebound_risk
             WHERE record_id BETWEEN ?1 AND ?2 ORDER BY record_id, id",
            [low, high],
            context,
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
        )?;
        for (record, reviewer, effect) in effects {
            let effect: EffectCode = Column::at("rebound_risk", "effect", record).term(&effect)?;
            facets
                .entry(record)
                .or_default()
                .risk_effects
                .push((ReviewerId(reviewer), effect));
        }
        let labels: Vec<(i64, i64, String, String)> = query_all(
            &self.conn,
            "SELECT record_id, reviewer_id, vocabulary, code FROM record_label
             WHERE record_id BETWEEN ?1 AND ?2 ORDER BY record_id, vocabulary, code, reviewer_id",
            [low, high],
            context,
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)),
        )?;
        for (record, reviewer, vocabulary, code) in labels {
            facets.entry(record).or_default().record_labels.push((
                ReviewerId(reviewer),
                vocabulary,
                code,
            ));
        }
        for (table, lca) in [("lca_scenario", true), ("energy_trace", false)] {
            let records: Vec<i64> = query_all(
                &self.conn,
                &format!(
                    "SELECT DISTINCT record_id FROM {table} WHERE record_id BETWEEN ?1 AND ?2"
                ),
                [low, high],
                context,
                |row| row.get(0),
            )?;
            for record in records {
                let entry = facets.entry(record).or_default();
                if lca {
                    entry.has_lca = true;
                } else {
                    entry.has_trace = true;
                }
            }
        }
        Ok(facets)
    }
}

fn to_i64(version: u64) -> i64 {
    i64::try_from(version).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_cover_ids_and_join_neighbours() {
        let ranges = id_ranges(&[
            RecordId(5),
            RecordId(3),
            RecordId(4),
            RecordId(9),
            RecordId(4),
        ]);
        assert_eq!(
            ranges,
            vec![RecordId(3)..=RecordId(5), RecordId(9)..=RecordId(9)]
        );
        let merged = merge_ranges([
            RecordId(1)..=RecordId(4),
            RecordId(2)..=RecordId(3),
            RecordId(5)..=RecordId(6),
            RecordId(8)..=RecordId(10),
        ]);
        assert_eq!(
            merged,
            vec![RecordId(1)..=RecordId(6), RecordId(8)..=RecordId(10)]
        );
    }
}
