//! What the workbench's library lists and shows: the ordered ids a query selects, the rows on
//! screen with their review state, and the open record with its highlights. Every judgement
//! in them is as the reader may see it.

use std::collections::HashMap;
use std::sync::Arc;

use ecolens_core::{
    FullText, LibraryColumn, LibraryRow, MergeEntry, Project, RecordId, Relation, ReviewerId,
    SourceFile, StoredRecord, Visibility,
};
use ecolens_corpus::index::{Hit, SearchIndex};
use ecolens_corpus::query::{Query, TextField};

use super::project::seen_by;
use super::{Error, Result};

/// The records a listing selected, in order.
#[derive(Debug, Clone)]
pub struct Listing {
    /// The query (`None` when listing everything).
    pub query: Option<Arc<Query>>,
    /// Record ids in display order.
    pub ids: Arc<Vec<RecordId>>,
    /// Relevance of each listed record, when there is a query.
    pub scores: Option<Arc<HashMap<RecordId, f32>>>,
    /// Records in the project.
    pub total_records: u64,
}

/// How a listing is ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    /// Best match first (the order records were added when there is no query).
    Relevance,
    /// By a column.
    Column(LibraryColumn),
}

/// Lists records over and over, keeping every sorted order it read until the project's data
/// or what the reader may see changes (sorting a million records by title takes a second).
#[derive(Debug, Default)]
pub struct Lister {
    version: Option<u64>,
    seen: Option<Visibility>,
    orders: HashMap<LibraryColumn, Arc<Vec<RecordId>>>,
    total_records: Option<u64>,
}

impl Lister {
    /// What `reader` may see now; the orders kept are forgotten when the project's data or
    /// that changed (while blind the decision and category orders are the reader's; a lead
    /// switching blind mode changes what everyone sees).
    fn follow(&mut self, project: &Project, reader: Option<ReviewerId>) -> Result<Visibility> {
        let version = project.data_version()?;
        let seen = seen_by(project, reader)?;
        if self.version != Some(version) || self.seen.as_ref() != Some(&seen) {
            self.version = Some(version);
            self.seen = Some(seen.clone());
            self.orders.clear();
            self.total_records = None;
        }
        Ok(seen)
    }

    /// Every id ordered by `column`, ascending.
    fn order(
        &mut self,
        project: &Project,
        seen: &Visibility,
        column: LibraryColumn,
    ) -> Result<Arc<Vec<RecordId>>> {
        if let Some(order) = self.orders.get(&column) {
            return Ok(Arc::clone(order));
        }
        let order = Arc::new(project.record_order(column, false, seen)?);
        self.total_records = Some(order.len() as u64);
        self.orders.insert(column, Arc::clone(&order));
        Ok(order)
    }

    /// Records in the project: the length of any order already read, else counted once per
    /// data version.
    fn total(&mut self, project: &Project) -> Result<u64> {
        if let Some(total) = self.total_records {
            return Ok(total);
        }
        let total = project.record_count()?;
        self.total_records = Some(total);
        Ok(total)
    }

    /// The records `query` selects (all without one), as `reader` may select them, in
    /// `order`. Without an index, only listing everything works.
    pub fn list(
        &mut self,
        project: &Project,
        index: Option<&SearchIndex>,
        reader: Option<ReviewerId>,
        query: Option<Query>,
        order: Order,
        descending: bool,
    ) -> Result<Listing> {
        let seen = self.follow(project, reader)?;
        let column = match order {
            Order::Relevance => LibraryColumn::Added,
            Order::Column(column) => column,
        };
        let Some(query) = query else {
            let all = self.order(project, &seen, column)?;
            let total = all.len() as u64;
            let ids = if descending {
                Arc::new(all.iter().rev().copied().collect())
            } else {
                all
            };
            return Ok(Listing {
                query: None,
                ids,
                scores: None,
                total_records: total,
            });
        };
        let index = index.ok_or(Error::NoIndex)?;
        let ranked = index.ranked_ids(&seen, &query)?;
        let scores: HashMap<RecordId, f32> = ranked.iter().copied().collect();
        let mut ids: Vec<RecordId> = if order == Order::Relevance {
            ranked.iter().map(|(id, _)| *id).collect()
        } else {
            self.order(project, &seen, column)?
                .iter()
                .copied()
                .filter(|id| scores.contains_key(id))
                .collect()
        };
        if descending {
            ids.reverse();
        }
        Ok(Listing {
            query: Some(Arc::new(query)),
            ids: Arc::new(ids),
            scores: Some(Arc::new(scores)),
            total_records: self.total(project)?,
        })
    }
}

/// The rows of `ids` as `reader` may see them, and their highlights for `query` (with the
/// listing's scores).
pub fn rows<S: std::hash::BuildHasher>(
    project: &Project,
    reader: Option<ReviewerId>,
    ids: &[RecordId],
    query: Option<&Query>,
    scores: Option<&HashMap<RecordId, f32, S>>,
) -> Result<(Vec<LibraryRow>, Vec<Hit>)> {
    let seen = seen_by(project, reader)?;
    let rows = project.library_rows(ids, &seen)?;
    let hits = match query {
        Some(query) => {
            let scored: Vec<(RecordId, f32)> = ids
                .iter()
                .map(|id| (*id, scores.and_then(|s| s.get(id)).copied().unwrap_or(0.0)))
                .collect();
            SearchIndex::highlight(project, query, &scored).unwrap_or_default()
        }
        None => Vec::new(),
    };
    Ok((rows, hits))
}

/// The files records came from, for the source filter.
pub fn source_files(project: &Project) -> Result<Vec<SourceFile>> {
    Ok(project.source_files()?)
}

/// The open record with what the record view shows.
#[derive(Debug, Clone)]
pub struct RecordDetail {
    /// The record and its provenance.
    pub stored: StoredRecord,
    /// Its full text, if any.
    pub full_text: Option<FullText>,
    /// Duplicates merged into it (newest first), including undone ones.
    pub merges: Vec<MergeEntry>,
    /// Errata, preprints and possible duplicates linked to it.
    pub relations: Vec<Relation>,
    /// Matched byte ranges of the title, abstract and full text, when a query is active.
    pub title_highlights: Vec<(usize, usize)>,
    /// See `title_highlights`.
    pub abstract_highlights: Vec<(usize, usize)>,
    /// See `title_highlights`.
    pub full_text_highlights: Vec<(usize, usize)>,
    /// Characters in the full text.
    pub full_text_chars: usize,
    /// What the record view shows of the full text before "Show all".
    pub full_text_excerpt: Excerpt,
    /// In a hub's working copy, the full text a lead's copy holds of this record, and whether
    /// the text here is the same (`None` when there is none here).
    pub hub_full_text: Option<(ecolens_core::hub::SharedFullText, Option<bool>)>,
}

/// A part of a long text around its first highlight.
#[derive(Debug, Clone, Default)]
pub struct Excerpt {
    /// The text shown, with "…" where it was cut.
    pub text: String,
    /// Byte ranges of `text` to highlight.
    pub highlights: Vec<(usize, usize)>,
    /// Whether the text was cut.
    pub cut: bool,
}

/// Characters of full text shown before "Show all".
const FULL_TEXT_PREVIEW: usize = 6_000;

/// A window of `text` around its first highlight, with the highlights shifted to it.
fn excerpt(text: &str, highlights: &[(usize, usize)], chars: usize) -> Excerpt {
    if text.chars().count() <= chars {
        return Excerpt {
            text: text.to_owned(),
            highlights: highlights.to_vec(),
            cut: false,
        };
    }
    let first = highlights.first().map_or(0, |h| h.0);
    let mut start = first.saturating_sub(chars / 4);
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    let mut end = text
        .get(start..)
        .and_then(|rest| rest.char_indices().nth(chars).map(|(at, _)| start + at))
        .unwrap_or(text.len());
    while !text.is_char_boundary(end) {
        end += 1;
    }
    let shown = text.get(start..end).unwrap_or_default();
    let prefix = if start > 0 { "…" } else { "" };
    let shift = prefix.len();
    let marks = highlights
        .iter()
        .filter(|(a, b)| *a >= start && *b <= end)
        .map(|(a, b)| (a - start + shift, b - start + shift))
        .collect();
    Excerpt {
        text: format!("{prefix}{shown}…"),
        highlights: marks,
        cut: true,
    }
}

/// One record for the record view, with `query`'s words highlighted. Review labels other
/// tools left in its notes are shown only to a reader who sees everyone's judgements.
pub fn record_detail(
    project: &Project,
    reader: Option<ReviewerId>,
    id: RecordId,
    query: Option<&Query>,
) -> Result<RecordDetail> {
    let seen = seen_by(project, reader)?;
    let mut stored = project.record(id)?;
    if !seen.sees_everyone() {
        stored.record.notes = stored
            .record
            .notes
            .as_deref()
            .and_then(ecolens_corpus::labels::without_review_lines);
    }
    let full_text = project.full_text(id)?;
    let merges = project.merges(Some(id), true)?;
    let relations = project.relations(id)?;
    let highlight = |field, text: &str| {
        query.map_or_else(Vec::new, |q| SearchIndex::highlight_text(q, field, text))
    };
    let title_highlights = highlight(TextField::Title, &stored.record.title);
    let abstract_highlights = stored
        .record
        .abstract_text
        .as_deref()
        .map_or_else(Vec::new, |text| highlight(TextField::Abstract, text));
    let full_text_highlights = full_text
        .as_ref()
        .map_or_else(Vec::new, |full| highlight(TextField::FullText, &full.text));
    let (full_text_chars, full_text_excerpt) = full_text.as_ref().map_or_else(
        || (0, Excerpt::default()),
        |full| {
            (
                full.text.chars().count(),
                excerpt(&full.text, &full_text_highlights, FULL_TEXT_PREVIEW),
            )
        },
    );
    let hub_full_text = project.hub_full_text(id)?.map(|shared| {
        let same = full_text
            .as_ref()
            .map(|here| ecolens_core::hub::text_digest(&here.text) == shared.text_sha256);
        (shared, same)
    });
    Ok(RecordDetail {
        stored,
        full_text,
        merges,
        relations,
        title_highlights,
        abstract_highlights,
        full_text_highlights,
        full_text_chars,
        full_text_excerpt,
        hub_full_text,
    })
}
