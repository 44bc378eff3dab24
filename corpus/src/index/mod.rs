//! The search index: a tantivy index over every record's words and review facets, kept in the
//! folder beside the project file (`<project>.index`).
//!
//! The index is derived data. It stores nothing but record ids; titles and texts for results
//! and snippets come from the store. Each commit is stamped with the project's id, the data
//! version it reflects and the index schema version; [`SearchIndex::sync`] re-reads only the
//! records the store journalled since that version, or everything when the stamp is missing,
//! foreign or too old. Deleting the folder is always safe: the next sync rebuilds it.
//!
//! Text is split on non-alphanumerics, lower-cased and folded to ASCII; titles, abstracts,
//! keywords and full texts are also stemmed (English), author names and venues are not.
//!
//! Laid out the way tantivy lays out its own crate: `analysis` (tokenizers, stems, common word
//! pairs), `schema` (fields and documents), `sync` (journal, rebuild, commit stamps, indexing
//! alongside an import), `compile` (parsed queries to tantivy queries, and what a reader may
//! ask while blind), `search` and `highlight` (marked words and snippets). This module holds
//! the index itself and what callers get back.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::ops::Bound;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use ecolens_core::{IndexDoc, IndexScope, Project, RecordId, ReviewFacets, Visibility};
use ecolens_taxonomy::Term as _;
use serde::{Deserialize, Serialize};
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, DisjunctionMaxQuery, FuzzyTermQuery,
    Occur, PhraseQuery, Query as TantivyQuery, RangeQuery, TermQuery,
};
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STRING, Schema, TextFieldIndexing, TextOptions,
};
use tantivy::tokenizer::{
    AsciiFoldingFilter, LowerCaser, RemoveLongFilter, SimpleTokenizer, TextAnalyzer, TokenFilter,
    TokenStream, Tokenizer,
};
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term};

use crate::error::{Error, Result};
use crate::query::{Query, SCREENED, TextField, TextValue, own_token, parse};

mod analysis;
mod compile;
mod highlight;
mod schema;
mod search;
mod sync;

// The modules share these; each module's helpers are `pub(super)`.
#[allow(clippy::wildcard_imports)]
use analysis::*;
#[allow(clippy::wildcard_imports)]
use compile::*;
#[allow(clippy::wildcard_imports)]
use schema::*;
pub use sync::{ImportIndexer, SyncOptions};

/// Version of the index layout; an index written with another version is rebuilt.
pub const INDEX_SCHEMA_VERSION: u32 = 5;

/// How much of a hit's text a snippet shows, in characters.
pub const SNIPPET_CHARS: usize = 240;
/// At most this many threads search one index's segments side by side.
const SEARCH_THREADS: usize = 4;

/// What the index stamps on each commit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stamp {
    /// The project the index belongs to.
    pub project_id: String,
    /// The data version it reflects.
    pub data_version: u64,
    /// [`INDEX_SCHEMA_VERSION`] when written.
    pub schema: u32,
    /// The common words whose side-by-side pairs are indexed as tokens (stemmed), found when
    /// the index was built.
    #[serde(default)]
    pub common_words: Vec<String>,
}

/// What an index update did.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct SyncReport {
    /// `true` when everything was re-read.
    pub rebuilt: bool,
    /// Records (re)indexed.
    pub records_indexed: u64,
    /// The data version the index now reflects.
    pub data_version: u64,
    /// Wall-clock time, in milliseconds.
    pub elapsed_ms: u64,
}

/// The state of an index, for `ecolens info` and the window.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IndexStatus {
    /// Where it is (`None` in memory).
    pub location: Option<PathBuf>,
    /// Its stamp, if it has one.
    pub stamp: Option<Stamp>,
    /// Records it holds.
    pub records: u64,
    /// Segments it is made of.
    pub segments: usize,
    /// Whether it reflects the project's current data.
    pub up_to_date: bool,
}

/// A snippet of a hit's text with the matched words marked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Snippet {
    /// Which field it is from.
    pub field: TextField,
    /// The text shown.
    pub text: String,
    /// Byte ranges of `text` that matched, in order.
    pub highlights: Vec<(usize, usize)>,
}

impl Snippet {
    /// The text with each match wrapped in `open` … `close`.
    pub fn marked(&self, open: &str, close: &str) -> String {
        mark(&self.text, &self.highlights, open, close)
    }
}

/// Wraps byte ranges of `text` in markers.
pub fn mark(text: &str, highlights: &[(usize, usize)], open: &str, close: &str) -> String {
    let mut out = String::with_capacity(text.len() + highlights.len() * 4);
    let mut at = 0;
    for &(start, end) in highlights {
        if start < at
            || end > text.len()
            || !text.is_char_boundary(start)
            || !text.is_char_boundary(end)
        {
            continue;
        }
        out.push_str(&text[at..start]);
        out.push_str(open);
        out.push_str(&text[start..end]);
        out.push_str(close);
        at = end;
    }
    out.push_str(&text[at..]);
    out
}

/// One search result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Hit {
    /// The record.
    pub id: RecordId,
    /// Its title.
    pub title: String,
    /// Byte ranges of the title that matched.
    pub title_highlights: Vec<(usize, usize)>,
    /// Short author line ("Strubell et al.").
    pub authors: String,
    /// Publication year.
    pub year: Option<i32>,
    /// Venue.
    pub venue: Option<String>,
    /// Relevance (BM25 with field weights); higher is better.
    pub score: f32,
    /// Where the words were found, if not only in the title.
    pub snippet: Option<Snippet>,
}

/// Search results.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SearchResults {
    /// The query as understood (canonical form).
    pub query: String,
    /// Records matching, in all.
    pub total: usize,
    /// The requested page of hits, best first.
    pub hits: Vec<Hit>,
}

/// Which page of results.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    /// Hits skipped.
    pub offset: usize,
    /// Hits returned at most.
    pub limit: usize,
}

impl Default for Page {
    fn default() -> Self {
        Self {
            offset: 0,
            limit: 20,
        }
    }
}

/// The search index of one project.
pub struct SearchIndex {
    index: Index,
    reader: IndexReader,
    fields: Fields,
    location: Option<PathBuf>,
    project_id: String,
    /// The common words whose pairs the index holds (from its stamp).
    common: Arc<HashSet<String>>,
}

impl std::fmt::Debug for SearchIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SearchIndex")
            .field("location", &self.location)
            .finish_non_exhaustive()
    }
}

/// Record ids of search hits, read from the `id` fast field of each segment (opened once per
/// segment).
struct IdReader<'s> {
    searcher: &'s tantivy::Searcher,
    columns: HashMap<u32, tantivy::columnar::Column<u64>>,
}

impl<'s> IdReader<'s> {
    fn new(searcher: &'s tantivy::Searcher) -> Self {
        Self {
            searcher,
            columns: HashMap::new(),
        }
    }

    fn id(&mut self, address: tantivy::DocAddress) -> Result<Option<RecordId>> {
        let column = match self.columns.entry(address.segment_ord) {
            std::collections::hash_map::Entry::Occupied(entry) => entry.into_mut(),
            std::collections::hash_map::Entry::Vacant(entry) => entry.insert(
                self.searcher
                    .segment_reader(address.segment_ord)
                    .fast_fields()
                    .u64("id")
                    .map_err(index_error("reading the search index"))?,
            ),
        };
        Ok(column
            .first(address.doc_id)
            .and_then(|id| i64::try_from(id).ok())
            .map(RecordId))
    }
}

fn index_error(action: &'static str) -> impl FnOnce(tantivy::TantivyError) -> Error {
    move |source| match source {
        tantivy::TantivyError::LockFailure(..) => Error::IndexBusy,
        source => Error::Index {
            action,
            source: Box::new(source),
        },
    }
}

impl SearchIndex {
    /// Opens the index of `project` (in the folder beside its file; in memory for an
    /// in-memory project), creating it if missing and starting afresh if it is damaged or
    /// was written with another layout. Does not bring it up to date: see [`Self::sync`].
    pub fn open(project: &Project) -> Result<Self> {
        // Only the id: `info()` counts every table, a second on a million records.
        let project_id = project.meta("project_id")?.unwrap_or_default();
        let (schema, fields) = schema();
        if project.path() == Path::new(":memory:") {
            let index = Index::create_in_ram(schema);
            return Self::with_index(index, fields, None, project_id);
        }
        let location = project.index_path();
        let index = match Self::open_dir(&location, &schema) {
            Ok(Some(index)) => index,
            // Missing, damaged or another layout: derived data, start afresh.
            Ok(None) | Err(_) => {
                Self::clear_dir(&location)?;
                std::fs::create_dir_all(&location).map_err(|source| Error::Io {
                    action: "cannot create the index folder",
                    path: location.clone(),
                    source,
                })?;
                Index::create_in_dir(&location, schema)
                    .map_err(index_error("creating the search index"))?
            }
        };
        Self::with_index(index, fields, Some(location), project_id)
    }
    fn open_dir(location: &Path, schema: &Schema) -> Result<Option<Index>> {
        if !location.join("meta.json").is_file() {
            return Ok(None);
        }
        let index =
            Index::open_in_dir(location).map_err(index_error("opening the search index"))?;
        let meta = index
            .load_metas()
            .map_err(index_error("reading the search index"))?;
        let stamp: Option<Stamp> = meta
            .payload
            .as_deref()
            .and_then(|payload| serde_json::from_str(payload).ok());
        let same_layout = index.schema() == *schema
            && stamp.is_none_or(|stamp| stamp.schema == INDEX_SCHEMA_VERSION);
        Ok(same_layout.then_some(index))
    }
    /// Empties an index folder, refusing folders that hold anything but an index.
    fn clear_dir(location: &Path) -> Result<()> {
        if !location.exists() {
            return Ok(());
        }
        let io = |action, source| Error::Io {
            action,
            path: location.to_owned(),
            source,
        };
        let entries: Vec<PathBuf> = std::fs::read_dir(location)
            .map_err(|e| io("cannot list the index folder", e))?
            .filter_map(|entry| entry.ok().map(|e| e.path()))
            .collect();
        let ours = entries.is_empty()
            || entries.iter().any(|path| {
                path.file_name()
                    .is_some_and(|name| name == "meta.json" || name == ".managed.json")
            });
        if !ours || entries.iter().any(|path| path.is_dir()) {
            return Err(Error::Io {
                action: "will not replace the search index folder, it holds other files:",
                path: location.to_owned(),
                source: std::io::Error::other("move the folder away and try again"),
            });
        }
        for path in entries {
            std::fs::remove_file(&path).map_err(|e| io("cannot clear the index folder", e))?;
        }
        Ok(())
    }
    fn with_index(
        mut index: Index,
        fields: Fields,
        location: Option<PathBuf>,
        project_id: String,
    ) -> Result<Self> {
        index.tokenizers().register(PLAIN, analyzer(false));
        // A search reads the index's segments (one per indexing thread and memory budget of
        // an import: six at a million records) side by side, one thread per core: a query
        // over a word in a third of the records waits for the slowest segment, not for all
        // of them in turn. Without the threads, searches still work, one segment after another.
        let cores = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
        if cores > 1 {
            index
                .set_multithread_executor(cores.min(SEARCH_THREADS))
                .map_err(index_error("starting the search threads"))?;
        }
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .map_err(index_error("opening the search index"))?;
        let mut opened = Self {
            index,
            reader,
            fields,
            location,
            project_id,
            common: Arc::new(HashSet::new()),
        };
        let common = opened
            .stamp()?
            .map(|stamp| stamp.common_words)
            .unwrap_or_default();
        opened.set_common(common);
        Ok(opened)
    }
    /// Uses `words` as the common words, for indexing and querying.
    fn set_common(&mut self, words: Vec<String>) {
        self.common = Arc::new(words.into_iter().collect());
        self.index
            .tokenizers()
            .register(STEMMED, indexing_analyzer(&self.common));
    }
    /// The stamp of the last commit, if it belongs to this project and layout.
    pub fn stamp(&self) -> Result<Option<Stamp>> {
        let meta = self
            .index
            .load_metas()
            .map_err(index_error("reading the search index"))?;
        Ok(meta
            .payload
            .as_deref()
            .and_then(|payload| serde_json::from_str::<Stamp>(payload).ok())
            .filter(|stamp| {
                stamp.project_id == self.project_id && stamp.schema == INDEX_SCHEMA_VERSION
            }))
    }
    /// Where the index is and whether it reflects `project`'s data.
    pub fn status(&self, project: &Project) -> Result<IndexStatus> {
        let stamp = self.stamp()?;
        let searcher = self.reader.searcher();
        let up_to_date = project
            .index_changes(stamp.as_ref().map(|s| s.data_version))?
            .scope
            .is_none();
        Ok(IndexStatus {
            location: self.location.clone(),
            stamp,
            records: searcher.num_docs(),
            segments: searcher.segment_readers().len(),
            up_to_date,
        })
    }
    /// Sees what other writers (an import on another thread) committed since this index was
    /// opened or last reloaded.
    pub fn reload(&self) -> Result<()> {
        self.reader
            .reload()
            .map_err(index_error("reloading the search index"))
    }
}
