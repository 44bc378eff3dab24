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

/// Version of the index layout; an index written with another version is rebuilt.
pub const INDEX_SCHEMA_VERSION: u32 = 4;

/// Tokenizer of stemmed text fields.
const STEMMED: &str = "ecolens_en";
/// Tokenizer of names (authors, venues) and of prefixes.
const PLAIN: &str = "ecolens_plain";

/// Records sampled to find the common words.
const COMMON_SAMPLE: usize = 20_000;
/// At most this many common words.
const COMMON_WORDS: usize = 64;
/// A word is common when this share of sampled records (per thousand) holds it.
const COMMON_PER_MILLE: usize = 100;
/// Longest token kept (longer ones are noise: URLs, chemical names, base64).
const LONGEST_TOKEN: usize = 40;

/// How much of a hit's text a snippet shows, in characters.
pub const SNIPPET_CHARS: usize = 240;

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

/// The index's fields.
#[derive(Debug, Clone, Copy)]
struct Fields {
    id: Field,
    title: Field,
    abstract_text: Field,
    authors: Field,
    keywords: Field,
    venue: Field,
    full_text: Field,
    year: Field,
    identifier: Field,
    facet: Field,
}

impl Fields {
    fn text(self, field: TextField) -> Field {
        match field {
            TextField::Title => self.title,
            TextField::Abstract => self.abstract_text,
            TextField::Authors => self.authors,
            TextField::Keywords => self.keywords,
            TextField::Venue => self.venue,
            TextField::FullText => self.full_text,
        }
    }
}

/// How much each field counts when a word names no field.
fn boost(field: TextField) -> f32 {
    match field {
        TextField::Title => 3.0,
        TextField::Keywords | TextField::Authors => 2.0,
        TextField::Abstract => 1.0,
        TextField::FullText => 0.7,
        TextField::Venue => 0.5,
    }
}

fn stemmed(field: TextField) -> bool {
    !matches!(field, TextField::Authors | TextField::Venue)
}

fn schema() -> (Schema, Fields) {
    let mut builder = Schema::builder();
    let text = |tokenizer: &str| {
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(tokenizer)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        )
    };
    let fields = Fields {
        id: builder.add_u64_field("id", INDEXED | FAST),
        title: builder.add_text_field("title", text(STEMMED)),
        abstract_text: builder.add_text_field("abstract", text(STEMMED)),
        authors: builder.add_text_field("authors", text(PLAIN)),
        keywords: builder.add_text_field("keywords", text(STEMMED)),
        venue: builder.add_text_field("venue", text(PLAIN)),
        full_text: builder.add_text_field("fulltext", text(STEMMED)),
        year: builder.add_u64_field("year", INDEXED | FAST),
        identifier: builder.add_text_field("identifier", STRING),
        facet: builder.add_text_field("facet", STRING),
    };
    (builder.build(), fields)
}

fn analyzer(stem: bool) -> TextAnalyzer {
    if stem {
        TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(RemoveLongFilter::limit(LONGEST_TOKEN))
            .filter(LowerCaser)
            .filter(AsciiFoldingFilter)
            .filter(CachedStemmer)
            .build()
    } else {
        TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(RemoveLongFilter::limit(LONGEST_TOKEN))
            .filter(LowerCaser)
            .filter(AsciiFoldingFilter)
            .build()
    }
}

/// The English Snowball stemmer (the one tantivy's `Stemmer` runs), with each thread
/// remembering the stems it computed: words repeat (a few thousand make most of any text), and
/// stemming was a third of the indexing time.
#[derive(Clone, Copy)]
struct CachedStemmer;

/// Stems computed on this thread.
struct StemCache {
    stemmer: frostem::Stemmer,
    stems: std::collections::HashMap<String, String, std::hash::BuildHasherDefault<WordHasher>>,
}

/// A fast hash for short words (the multiply-rotate scheme of rustc's `FxHasher`); the
/// cache holds the index's own words, so resistance to crafted collisions is not needed.
#[derive(Default, Clone, Copy)]
struct WordHasher(u64);

impl std::hash::Hasher for WordHasher {
    fn write(&mut self, bytes: &[u8]) {
        const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.0 = (self.0.rotate_left(5) ^ u64::from_le_bytes(word)).wrapping_mul(SEED);
        }
        for &byte in chunks.remainder() {
            self.0 = (self.0.rotate_left(5) ^ u64::from(byte)).wrapping_mul(SEED);
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// Distinct words remembered per thread before the cache starts afresh.
const STEM_CACHE_WORDS: usize = 262_144;

thread_local! {
    static STEMS: std::cell::RefCell<StemCache> = std::cell::RefCell::new(StemCache {
        stemmer: frostem::Stemmer::new(frostem::Algorithm::English),
        stems: std::collections::HashMap::default(),
    });
}

impl TokenFilter for CachedStemmer {
    type Tokenizer<T: Tokenizer> = CachedStemmerFilter<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> CachedStemmerFilter<T> {
        CachedStemmerFilter { inner: tokenizer }
    }
}

#[derive(Clone)]
struct CachedStemmerFilter<T> {
    inner: T,
}

impl<T: Tokenizer> Tokenizer for CachedStemmerFilter<T> {
    type TokenStream<'a> = CachedStemmerStream<T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        CachedStemmerStream {
            tail: self.inner.token_stream(text),
        }
    }
}

struct CachedStemmerStream<S> {
    tail: S,
}

impl<S: TokenStream> TokenStream for CachedStemmerStream<S> {
    fn advance(&mut self) -> bool {
        if !self.tail.advance() {
            return false;
        }
        let token = self.tail.token_mut();
        STEMS.with(|cache| {
            let mut cache = cache.borrow_mut();
            if let Some(stem) = cache.stems.get(token.text.as_str()) {
                if *stem != token.text {
                    token.text.clear();
                    token.text.push_str(stem);
                }
                return;
            }
            let stem = cache.stemmer.stem(&token.text).into_owned();
            if cache.stems.len() >= STEM_CACHE_WORDS {
                cache.stems.clear();
            }
            let word = std::mem::replace(&mut token.text, stem.clone());
            cache.stems.insert(word, stem);
        });
        true
    }

    fn token(&self) -> &tantivy::tokenizer::Token {
        self.tail.token()
    }

    fn token_mut(&mut self) -> &mut tantivy::tokenizer::Token {
        self.tail.token_mut()
    }
}

/// Adds, after each common word that follows another, a token for the pair
/// (`"energi carbon"`) at the same position: a pair token is in a record exactly when the
/// two words stand side by side there.
///
/// A phrase of two words found in most records ("deep learning" in an AI corpus) made the
/// phrase search check word positions in most records; looked up as one pair token it is a
/// single term, and longer phrases check positions only in records holding their pairs. Only
/// pairs of common words are added: a phrase with a rarer word is already fast, and all pairs
/// would make a huge dictionary.
#[derive(Clone)]
struct CommonPairs {
    common: Arc<HashSet<String>>,
}

impl TokenFilter for CommonPairs {
    type Tokenizer<T: Tokenizer> = CommonPairsFilter<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> CommonPairsFilter<T> {
        CommonPairsFilter {
            inner: tokenizer,
            common: self.common,
        }
    }
}

#[derive(Clone)]
struct CommonPairsFilter<T> {
    inner: T,
    common: Arc<HashSet<String>>,
}

impl<T: Tokenizer> Tokenizer for CommonPairsFilter<T> {
    type TokenStream<'a> = CommonPairsStream<'a, T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        CommonPairsStream {
            tail: self.inner.token_stream(text),
            common: &self.common,
            previous: String::new(),
            previous_from: None,
            pair: tantivy::tokenizer::Token::default(),
            pair_ready: false,
            on_pair: false,
        }
    }
}

struct CommonPairsStream<'a, S> {
    tail: S,
    common: &'a HashSet<String>,
    /// The previous word, when common, and where it started.
    previous: String,
    previous_from: Option<usize>,
    /// The pair token to emit next, and whether the stream stands on it.
    pair: tantivy::tokenizer::Token,
    pair_ready: bool,
    on_pair: bool,
}

impl<S: TokenStream> TokenStream for CommonPairsStream<'_, S> {
    fn advance(&mut self) -> bool {
        if self.pair_ready {
            self.pair_ready = false;
            self.on_pair = true;
            return true;
        }
        self.on_pair = false;
        if !self.tail.advance() {
            return false;
        }
        let word = self.tail.token();
        if self.common.contains(&word.text) {
            if let Some(from) = self.previous_from {
                self.pair.text.clear();
                self.pair.text.push_str(&self.previous);
                self.pair.text.push(' ');
                self.pair.text.push_str(&word.text);
                self.pair.offset_from = from;
                self.pair.offset_to = word.offset_to;
                self.pair.position = word.position;
                self.pair_ready = true;
            }
            self.previous.clear();
            self.previous.push_str(&word.text);
            self.previous_from = Some(word.offset_from);
        } else {
            self.previous_from = None;
        }
        true
    }

    fn token(&self) -> &tantivy::tokenizer::Token {
        if self.on_pair {
            &self.pair
        } else {
            self.tail.token()
        }
    }

    fn token_mut(&mut self) -> &mut tantivy::tokenizer::Token {
        if self.on_pair {
            &mut self.pair
        } else {
            self.tail.token_mut()
        }
    }
}

/// The analyzer stemmed fields are indexed with: [`analyzer`] plus the pairs of common words.
fn indexing_analyzer(common: &Arc<HashSet<String>>) -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(LONGEST_TOKEN))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .filter(CachedStemmer)
        .filter(CommonPairs {
            common: Arc::clone(common),
        })
        .build()
}

/// Counts, over a sample of records, in how many each stemmed word occurs.
struct WordCounter {
    counts: HashMap<String, usize>,
    sampled: usize,
    stemmer: TextAnalyzer,
}

impl WordCounter {
    fn new() -> Self {
        Self {
            counts: HashMap::new(),
            sampled: 0,
            stemmer: analyzer(true),
        }
    }

    fn full(&self) -> bool {
        self.sampled >= COMMON_SAMPLE
    }

    fn count(&mut self, record: &ecolens_core::Record) {
        self.sampled += 1;
        let mut words: HashSet<String> = HashSet::new();
        for text in std::iter::once(record.title.as_str())
            .chain(record.abstract_text.as_deref())
            .chain(record.keywords.iter().map(String::as_str))
        {
            words.extend(
                tokens(&mut self.stemmer, text)
                    .into_iter()
                    .map(|(word, _)| word),
            );
        }
        for word in words {
            *self.counts.entry(word).or_default() += 1;
        }
    }

    /// The words in at least 10 % of the sampled records, at most [`COMMON_WORDS`], sorted.
    fn common(self) -> Vec<String> {
        let threshold = (self.sampled * COMMON_PER_MILLE / 1000).max(2);
        let mut common: Vec<(String, usize)> = self
            .counts
            .into_iter()
            .filter(|(_, count)| *count >= threshold)
            .collect();
        common.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        common.truncate(COMMON_WORDS);
        let mut words: Vec<String> = common.into_iter().map(|(word, _)| word).collect();
        words.sort();
        words
    }
}

/// The common words of a project: the stemmed words in at least 10 % of the first
/// [`COMMON_SAMPLE`] records' titles, abstracts and keywords, at most [`COMMON_WORDS`].
fn common_words(project: &Project) -> Result<Vec<String>> {
    let mut counter = WordCounter::new();
    let read = project.for_each_index_doc(&IndexScope::All, false, |doc| -> Result<()> {
        if counter.full() {
            // Enough: stop reading (not a failure).
            return Err(Error::Cancelled);
        }
        counter.count(&doc.record);
        Ok(())
    });
    match read {
        Ok(()) | Err(Error::Cancelled) => {}
        Err(error) => return Err(error),
    }
    Ok(counter.common())
}

/// Tokens of `text` as the index sees them: `(token, byte range in text)`.
fn tokens(analyzer: &mut TextAnalyzer, text: &str) -> Vec<(String, std::ops::Range<usize>)> {
    let mut stream = analyzer.token_stream(text);
    let mut out = Vec::new();
    while stream.advance() {
        let token = stream.token();
        out.push((token.text.clone(), token.offset_from..token.offset_to));
    }
    out
}

/// Segments of more documents than this are left as they are: merging segments of a bulk
/// load into one took a fifth of the load time and made searches no faster.
const LARGEST_MERGED_SEGMENT: usize = 100_000;

/// How segments are merged: not at all while everything is rebuilt (the segments come out
/// large), small ones together after updates.
fn merge_policy(scope: &IndexScope) -> Box<dyn tantivy::indexer::MergePolicy> {
    if *scope == IndexScope::All {
        Box::new(tantivy::indexer::NoMergePolicy)
    } else {
        let mut policy = tantivy::indexer::LogMergePolicy::default();
        policy.set_max_docs_before_merge(LARGEST_MERGED_SEGMENT);
        Box::new(policy)
    }
}

/// How an index update runs.
pub struct SyncOptions<'a> {
    /// Indexing threads.
    pub threads: usize,
    /// Memory the indexing threads may use together, in bytes (at least 15 MB per thread).
    pub memory_bytes: usize,
    /// Set to stop; the index is left as it was.
    pub cancel: &'a AtomicBool,
    /// Called with the number of records indexed so far, now and then.
    pub progress: &'a dyn Fn(u64),
}

/// Memory tantivy needs per indexing thread at the least.
const MIN_MEMORY_PER_THREAD: usize = 15 << 20;

/// Memory per indexing thread for bulk updates (imports, rebuilds): 128 MB. With 2 threads a
/// 1M-record import stays at 659 MB peak (`ecolens bench`), inside the 1 GB target; it was
/// not tuned against other sizes.
const BULK_MEMORY_PER_THREAD: usize = 128 << 20;

impl<'a> SyncOptions<'a> {
    /// Options for bulk updates (after an import, a rebuild): `threads` threads with 128 MB
    /// each.
    pub fn bulk(threads: usize, cancel: &'a AtomicBool, progress: &'a dyn Fn(u64)) -> Self {
        SyncOptions {
            threads,
            memory_bytes: threads * BULK_MEMORY_PER_THREAD,
            cancel,
            progress,
        }
    }
}

impl SyncOptions<'_> {
    /// Options for small updates (a review change): one thread, a small budget.
    pub fn small(cancel: &AtomicBool) -> SyncOptions<'_> {
        SyncOptions {
            threads: 1,
            memory_bytes: 32 << 20,
            cancel,
            progress: &|_| {},
        }
    }
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
        index: Index,
        fields: Fields,
        location: Option<PathBuf>,
        project_id: String,
    ) -> Result<Self> {
        index.tokenizers().register(PLAIN, analyzer(false));
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

    /// Brings the index up to date with `project`: re-reads the records changed since its
    /// stamp, or everything. On cancel or error the index is left as it was.
    pub fn sync(&mut self, project: &mut Project, options: &SyncOptions<'_>) -> Result<SyncReport> {
        let indexed = self.stamp()?.map(|stamp| stamp.data_version);
        self.update(project, indexed, options)
    }

    /// Re-reads every record.
    pub fn rebuild(
        &mut self,
        project: &mut Project,
        options: &SyncOptions<'_>,
    ) -> Result<SyncReport> {
        self.update(project, None, options)
    }

    fn update(
        &mut self,
        project: &mut Project,
        indexed: Option<u64>,
        options: &SyncOptions<'_>,
    ) -> Result<SyncReport> {
        let started = Instant::now();
        let changes = project.index_changes(indexed)?;
        let Some(mut scope) = changes.scope else {
            return Ok(SyncReport {
                rebuilt: false,
                records_indexed: 0,
                data_version: changes.version,
                elapsed_ms: 0,
            });
        };
        // More records to read than the index holds (a large import into a small project):
        // read everything, so the common words come from the records that now make the bulk.
        if let IndexScope::Ranges(ranges) = &scope {
            let widths: u64 = ranges
                .iter()
                .map(|range| u64::try_from(range.end().0 - range.start().0 + 1).unwrap_or(0))
                .sum();
            if widths
                > self
                    .reader
                    .searcher()
                    .num_docs()
                    .max(COMMON_SAMPLE as u64 / 4)
            {
                scope = IndexScope::All;
            }
        }
        if scope == IndexScope::All {
            // Everything is re-read: the common words may have changed with the records.
            let words = common_words(project)?;
            self.set_common(words);
        }
        let threads = options.threads.max(1);
        let memory = options.memory_bytes.max(threads * MIN_MEMORY_PER_THREAD);
        let mut writer: IndexWriter<TantivyDocument> = self
            .index
            .writer_with_num_threads(threads, memory)
            .map_err(index_error("starting to write the search index"))?;
        writer.set_merge_policy(merge_policy(&scope));
        let written = self.write(project, &scope, &mut writer, options);
        let records_indexed = match written {
            Ok(count) => count,
            Err(error) => {
                // Nothing of this update reaches the index.
                let _ = writer.rollback();
                return Err(error);
            }
        };
        self.commit(project, writer, changes.version)?;
        Ok(SyncReport {
            rebuilt: scope == IndexScope::All,
            records_indexed,
            data_version: changes.version,
            elapsed_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
        })
    }

    /// Commits what `writer` holds, stamped with `version`, and lets the store forget the
    /// changes up to it.
    fn commit(
        &self,
        project: &mut Project,
        mut writer: IndexWriter<TantivyDocument>,
        version: u64,
    ) -> Result<()> {
        let mut common_words: Vec<String> = self.common.iter().cloned().collect();
        common_words.sort();
        let stamp = Stamp {
            project_id: self.project_id.clone(),
            data_version: version,
            schema: INDEX_SCHEMA_VERSION,
            common_words,
        };
        let payload = serde_json::to_string(&stamp).map_err(|error| Error::Index {
            action: "stamping the search index",
            source: Box::new(tantivy::TantivyError::InternalError(error.to_string())),
        })?;
        let mut commit = writer
            .prepare_commit()
            .map_err(index_error("committing the search index"))?;
        commit.set_payload(&payload);
        commit
            .commit()
            .map_err(index_error("committing the search index"))?;
        writer
            .wait_merging_threads()
            .map_err(index_error("merging the search index"))?;
        self.reader
            .reload()
            .map_err(index_error("reloading the search index"))?;
        project.prune_index_journal(version)?;
        Ok(())
    }

    fn write(
        &self,
        project: &Project,
        scope: &IndexScope,
        writer: &mut IndexWriter<TantivyDocument>,
        options: &SyncOptions<'_>,
    ) -> Result<u64> {
        match scope {
            IndexScope::All => {
                writer
                    .delete_all_documents()
                    .map_err(index_error("clearing the search index"))?;
            }
            IndexScope::Ranges(ranges) => {
                for range in ranges {
                    let term = |id: RecordId| {
                        Term::from_field_u64(self.fields.id, u64::try_from(id.0).unwrap_or(0))
                    };
                    writer
                        .delete_query(Box::new(RangeQuery::new(
                            Bound::Included(term(*range.start())),
                            Bound::Included(term(*range.end())),
                        )))
                        .map_err(index_error("removing records from the search index"))?;
                }
            }
        }
        let mut count = 0u64;
        project.for_each_index_doc(scope, true, |doc| -> Result<()> {
            if count.is_multiple_of(1024) {
                if options.cancel.load(Ordering::Relaxed) {
                    return Err(Error::Cancelled);
                }
                (options.progress)(count);
            }
            writer
                .add_document(self.document(&doc))
                .map_err(index_error("adding to the search index"))?;
            count += 1;
            Ok(())
        })?;
        (options.progress)(count);
        Ok(count)
    }

    /// The index document of a record.
    fn document(&self, doc: &IndexDoc) -> TantivyDocument {
        self.document_of(&DocParts {
            id: doc.id,
            record: &doc.record,
            full_text: doc.full_text.as_deref(),
            review: &doc.review,
            files: &doc.files,
        })
    }

    /// The index document of a record, from its parts.
    fn document_of(&self, doc: &DocParts<'_>) -> TantivyDocument {
        let f = self.fields;
        let record = doc.record;
        let mut out = TantivyDocument::default();
        out.add_u64(f.id, u64::try_from(doc.id.0).unwrap_or(0));
        out.add_text(f.title, &record.title);
        if let Some(text) = &record.abstract_text {
            out.add_text(f.abstract_text, text);
        }
        for person in &record.authors {
            out.add_text(f.authors, person.to_string());
        }
        for keyword in &record.keywords {
            out.add_text(f.keywords, keyword);
        }
        for venue in [&record.venue, &record.publisher].into_iter().flatten() {
            out.add_text(f.venue, venue);
        }
        if let Some(text) = doc.full_text {
            out.add_text(f.full_text, text);
        }
        if let Some(year) = record.year.and_then(|y| u64::try_from(y).ok()) {
            out.add_u64(f.year, year);
        }
        if let Some(doi) = &record.doi {
            out.add_text(f.identifier, format!("doi:{}", doi.key()));
        }
        if let Some(pmid) = &record.pmid {
            out.add_text(f.identifier, format!("pmid:{}", pmid.as_str()));
        }
        if let Some(arxiv) = &record.arxiv {
            out.add_text(
                f.identifier,
                format!("arxiv:{}", arxiv.as_str().to_lowercase()),
            );
        }
        for facet in facets(doc) {
            out.add_text(f.facet, facet);
        }
        out
    }

    /// Searches with a query typed by a reviewer (see [`crate::query`]), as `seen` may.
    pub fn search(
        &self,
        project: &Project,
        seen: &Visibility,
        text: &str,
        page: Page,
    ) -> Result<SearchResults> {
        let query = parse(text)?;
        self.search_query(project, seen, &query, page)
    }

    /// Searches with a parsed query, as `seen` may ([`shown`]).
    pub fn search_query(
        &self,
        project: &Project,
        seen: &Visibility,
        query: &Query,
        page: Page,
    ) -> Result<SearchResults> {
        let compiled = self.compiled(&*shown(seen, query)?)?;
        let searcher = self.reader.searcher();
        let collector = (
            TopDocs::with_limit(page.limit.max(1))
                .and_offset(page.offset)
                .order_by_score(),
            Count,
        );
        let (top, total) = searcher
            .search(&*compiled, &collector)
            .map_err(index_error("searching"))?;
        let mut ids = IdReader::new(&searcher);
        let mut scored = Vec::with_capacity(top.len());
        for (score, address) in top.into_iter().take(page.limit) {
            if let Some(id) = ids.id(address)? {
                scored.push((id, score));
            }
        }
        Ok(SearchResults {
            query: query.to_string(),
            total,
            hits: Self::highlight(project, query, &scored)?,
        })
    }

    /// The index query for a parsed query, or the error a query without searchable words
    /// gets.
    fn compiled(&self, query: &Query) -> Result<Box<dyn TantivyQuery>> {
        self.compile(query).ok_or_else(|| {
            Error::Query(crate::query::QueryError {
                column: 1,
                message: "nothing to search for: the query has no searchable words".into(),
            })
        })
    }

    /// Every record matching a query as `seen` may ask it ([`shown`]), in id order (for
    /// exporting a selection).
    pub fn matching_ids(&self, seen: &Visibility, text: &str) -> Result<Vec<RecordId>> {
        let query = parse(text)?;
        let compiled = self.compiled(&*shown(seen, &query)?)?;
        let searcher = self.reader.searcher();
        let addresses = searcher
            .search(&*compiled, &tantivy::collector::DocSetCollector)
            .map_err(index_error("searching"))?;
        let mut reader = IdReader::new(&searcher);
        let mut ids = Vec::with_capacity(addresses.len());
        for address in addresses {
            ids.extend(reader.id(address)?);
        }
        ids.sort_unstable();
        Ok(ids)
    }

    /// Every record matching a parsed query with its relevance, best first (ties by id): the
    /// workbench's ranked result list, of which it shows only the rows on screen. Asked as
    /// `seen` may ([`shown`]).
    pub fn ranked_ids(&self, seen: &Visibility, query: &Query) -> Result<Vec<(RecordId, f32)>> {
        let compiled = self.compiled(&*shown(seen, query)?)?;
        let searcher = self.reader.searcher();
        let total = searcher
            .search(&*compiled, &Count)
            .map_err(index_error("searching"))?;
        if total == 0 {
            return Ok(Vec::new());
        }
        let top = searcher
            .search(&*compiled, &TopDocs::with_limit(total).order_by_score())
            .map_err(index_error("searching"))?;
        let mut reader = IdReader::new(&searcher);
        let mut ranked = Vec::with_capacity(top.len());
        for (score, address) in top {
            if let Some(id) = reader.id(address)? {
                ranked.push((id, score));
            }
        }
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        Ok(ranked)
    }

    /// Highlights for records a query matched: the title's matched words and the best
    /// snippet, for the rows on screen. Records no longer in the project are left out; the
    /// scores are those given in `ids`.
    pub fn highlight(
        project: &Project,
        query: &Query,
        ids: &[(RecordId, f32)],
    ) -> Result<Vec<Hit>> {
        let terms = HighlightTerms::of(query);
        let mut hits = Vec::with_capacity(ids.len());
        for &(id, score) in ids {
            let record = match project.record(id) {
                Ok(stored) => stored.record,
                Err(ecolens_core::Error::NotFound { .. }) => continue,
                Err(error) => return Err(error.into()),
            };
            let title_highlights = terms.highlight(TextField::Title, &record.title);
            let snippet = Self::snippet(project, &terms, id, &record)?;
            hits.push(Hit {
                id,
                title_highlights,
                authors: ecolens_core::record::short_authors(&record.authors),
                year: record.year,
                venue: record.venue.clone(),
                title: record.title,
                score,
                snippet,
            });
        }
        Ok(hits)
    }

    /// Byte ranges of `text` (a field of a record) that `query` matches: for highlighting a
    /// record's abstract or full text in the record view.
    pub fn highlight_text(query: &Query, field: TextField, text: &str) -> Vec<(usize, usize)> {
        HighlightTerms::of(query).highlight(field, text)
    }

    /// Sees what other writers (an import on another thread) committed since this index was
    /// opened or last reloaded.
    pub fn reload(&self) -> Result<()> {
        self.reader
            .reload()
            .map_err(index_error("reloading the search index"))
    }

    /// The best snippet of a hit: abstract, else full text, else keywords, each only if it
    /// holds a match; else the abstract's beginning.
    fn snippet(
        project: &Project,
        terms: &HighlightTerms,
        id: RecordId,
        record: &ecolens_core::Record,
    ) -> Result<Option<Snippet>> {
        if let Some(text) = &record.abstract_text
            && let Some(snippet) = terms.snippet(TextField::Abstract, text)
        {
            return Ok(Some(snippet));
        }
        if terms.wants(TextField::FullText)
            && let Some(full) = project.full_text(id)?
            && let Some(snippet) = terms.snippet(TextField::FullText, &full.text)
        {
            return Ok(Some(snippet));
        }
        if !record.keywords.is_empty() {
            let joined = record.keywords.join("; ");
            if let Some(snippet) = terms.snippet(TextField::Keywords, &joined) {
                return Ok(Some(snippet));
            }
        }
        Ok(record.abstract_text.as_ref().map(|text| {
            let end = text
                .char_indices()
                .nth(SNIPPET_CHARS)
                .map_or(text.len(), |(at, _)| at);
            Snippet {
                field: TextField::Abstract,
                text: text[..end].to_owned(),
                highlights: Vec::new(),
            }
        }))
    }

    /// Starts indexing alongside an import, if the index is empty and up to date with
    /// `version` (the project's data version where the import started): the import hands
    /// over each new record as it stores it ([`ImportIndexer::add_new`]) and the records it
    /// changed ([`ImportIndexer::changed`]), and [`ImportIndexer::finish`] completes the
    /// index once the import is committed. Indexing then runs on the cores the import leaves
    /// idle, instead of after it. `None`: index after the import as usual.
    pub fn begin_import(
        &mut self,
        version: u64,
        options: &SyncOptions<'_>,
    ) -> Result<Option<ImportIndexer<'_>>> {
        let up_to_date = self
            .stamp()?
            .is_some_and(|stamp| stamp.data_version == version);
        let empty = self.reader.searcher().num_docs() == 0;
        if !(up_to_date && empty) {
            return Ok(None);
        }
        Ok(Some(ImportIndexer {
            threads: options.threads.max(1),
            memory: options
                .memory_bytes
                .max(options.threads.max(1) * MIN_MEMORY_PER_THREAD),
            index: self,
            writer: None,
            counter: WordCounter::new(),
            waiting: Vec::new(),
            dirty: BTreeSet::new(),
            added: Vec::new(),
        }))
    }

    /// Turns a parsed query into a tantivy query; `None` when nothing searchable is left
    /// (every word was punctuation).
    fn compile(&self, query: &Query) -> Option<Box<dyn TantivyQuery>> {
        let f = self.fields;
        match query {
            Query::All => Some(Box::new(AllQuery)),
            Query::And(parts) => {
                let clauses: Vec<(Occur, Box<dyn TantivyQuery>)> = parts
                    .iter()
                    .filter_map(|part| match part {
                        Query::Not(inner) => self.compile(inner).map(|q| (Occur::MustNot, q)),
                        other => self.compile(other).map(|q| (Occur::Must, q)),
                    })
                    .collect();
                if clauses.iter().all(|(occur, _)| *occur == Occur::MustNot) {
                    return None;
                }
                Some(Box::new(BooleanQuery::new(clauses)))
            }
            Query::Or(parts) => {
                let clauses: Vec<(Occur, Box<dyn TantivyQuery>)> = parts
                    .iter()
                    .filter_map(|part| self.compile(part).map(|q| (Occur::Should, q)))
                    .collect();
                (!clauses.is_empty()).then(|| Box::new(BooleanQuery::new(clauses)) as Box<_>)
            }
            Query::Not(inner) => {
                let inner = self.compile(inner)?;
                Some(Box::new(BooleanQuery::new(vec![
                    (Occur::Must, Box::new(AllQuery) as Box<dyn TantivyQuery>),
                    (Occur::MustNot, inner),
                ])))
            }
            Query::Text { fields, value } => {
                let mut per_field: Vec<Box<dyn TantivyQuery>> = fields
                    .iter()
                    .filter_map(|field| {
                        self.text_query(*field, value).map(|q| {
                            Box::new(BoostQuery::new(q, boost(*field))) as Box<dyn TantivyQuery>
                        })
                    })
                    .collect();
                match per_field.len() {
                    0 => None,
                    1 => per_field.pop(),
                    _ => Some(Box::new(DisjunctionMaxQuery::with_tie_breaker(
                        per_field, 0.1,
                    ))),
                }
            }
            Query::Year { from, to } => {
                let bound = |year: &Option<i32>| match year.and_then(|y| u64::try_from(y).ok()) {
                    Some(y) => Bound::Included(Term::from_field_u64(f.year, y)),
                    None => Bound::Unbounded,
                };
                let (low, high) = (bound(from), bound(to));
                let range: Box<dyn TantivyQuery> =
                    if matches!((&low, &high), (Bound::Unbounded, Bound::Unbounded)) {
                        Box::new(RangeQuery::new(
                            Bound::Included(Term::from_field_u64(f.year, 0)),
                            Bound::Unbounded,
                        ))
                    } else {
                        Box::new(RangeQuery::new(low, high))
                    };
                Some(Box::new(ConstScoreQuery::new(range, 0.0)))
            }
            Query::Identifier(token) => Some(Box::new(ConstScoreQuery::new(
                Box::new(TermQuery::new(
                    Term::from_field_text(f.identifier, token),
                    IndexRecordOption::Basic,
                )),
                1.0,
            ))),
            Query::Facet(token) => Some(Box::new(ConstScoreQuery::new(
                Box::new(TermQuery::new(
                    Term::from_field_text(f.facet, token),
                    IndexRecordOption::Basic,
                )),
                0.0,
            ))),
        }
    }

    /// A phrase. In stemmed fields pairs of common words are indexed as single tokens: a
    /// two-word phrase of common words is one term, and a longer phrase checks word positions
    /// only in records that hold each of its common pairs.
    fn phrase_query(&self, field: TextField, terms: Vec<Term>) -> Box<dyn TantivyQuery> {
        let index_field = self.fields.text(field);
        let words: Vec<String> = terms
            .iter()
            .filter_map(|t| t.value().as_str().map(str::to_owned))
            .collect();
        let pairs: Vec<Term> = if stemmed(field) {
            words
                .windows(2)
                .filter(|pair| pair.iter().all(|w| self.common.contains(w)))
                .map(|pair| Term::from_field_text(index_field, &format!("{} {}", pair[0], pair[1])))
                .collect()
        } else {
            Vec::new()
        };
        if terms.len() == 2
            && let [pair] = pairs.as_slice()
        {
            return Box::new(TermQuery::new(pair.clone(), IndexRecordOption::WithFreqs));
        }
        let phrase: Box<dyn TantivyQuery> = Box::new(PhraseQuery::new(terms));
        if pairs.is_empty() {
            return phrase;
        }
        let mut clauses: Vec<(Occur, Box<dyn TantivyQuery>)> = vec![(Occur::Must, phrase)];
        for pair in pairs {
            clauses.push((
                Occur::Must,
                Box::new(ConstScoreQuery::new(
                    Box::new(TermQuery::new(pair, IndexRecordOption::Basic)),
                    0.0,
                )),
            ));
        }
        Box::new(BooleanQuery::new(clauses))
    }

    fn text_query(&self, field: TextField, value: &TextValue) -> Option<Box<dyn TantivyQuery>> {
        let index_field = self.fields.text(field);
        let mut field_analyzer = analyzer(stemmed(field));
        match value {
            TextValue::Word(text) | TextValue::Phrase(text) => {
                let terms: Vec<Term> = tokens(&mut field_analyzer, text)
                    .into_iter()
                    .map(|(token, _)| Term::from_field_text(index_field, &token))
                    .collect();
                match terms.len() {
                    0 => None,
                    1 => Some(Box::new(TermQuery::new(
                        terms.into_iter().next()?,
                        IndexRecordOption::WithFreqs,
                    ))),
                    _ => Some(self.phrase_query(field, terms)),
                }
            }
            TextValue::Prefix(prefix) => {
                let mut plain = analyzer(false);
                let folded: Vec<String> = tokens(&mut plain, prefix)
                    .into_iter()
                    .map(|(t, _)| t)
                    .collect();
                let [folded] = folded.as_slice() else {
                    return None;
                };
                let mut alternatives: Vec<(Occur, Box<dyn TantivyQuery>)> = vec![(
                    Occur::Should,
                    Box::new(FuzzyTermQuery::new_prefix(
                        Term::from_field_text(index_field, folded),
                        0,
                        true,
                    )),
                )];
                if stemmed(field) {
                    // Stemming can cut a word shorter than the prefix typed ("environmental"
                    // is indexed as "environ"); also look for the stem and short cuts of the
                    // prefix.
                    let mut exact: BTreeSet<String> = BTreeSet::new();
                    for (token, _) in tokens(&mut field_analyzer, folded) {
                        exact.insert(token);
                    }
                    let chars: Vec<char> = folded.chars().collect();
                    for keep in chars.len().saturating_sub(3).max(3)..chars.len() {
                        exact.insert(chars[..keep].iter().collect());
                    }
                    for token in exact {
                        alternatives.push((
                            Occur::Should,
                            Box::new(TermQuery::new(
                                Term::from_field_text(index_field, &token),
                                IndexRecordOption::WithFreqs,
                            )),
                        ));
                    }
                }
                Some(Box::new(BooleanQuery::new(alternatives)))
            }
        }
    }
}

/// Indexing alongside an import (see [`SearchIndex::begin_import`]).
///
/// The first [`COMMON_SAMPLE`] new records wait in memory until the common words are known
/// from them; after that every record goes to tantivy's indexing threads as it comes.
pub struct ImportIndexer<'i> {
    index: &'i mut SearchIndex,
    threads: usize,
    memory: usize,
    writer: Option<IndexWriter<TantivyDocument>>,
    counter: WordCounter,
    waiting: Vec<(RecordId, ecolens_core::Record, String)>,
    /// Records stored before this import and changed by it, or added and then changed:
    /// re-read from the store once the import is committed.
    dirty: BTreeSet<RecordId>,
    /// Records added as new, in the order the import stored them (ids grow).
    added: Vec<RecordId>,
}

impl std::fmt::Debug for ImportIndexer<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ImportIndexer")
            .field("added", &self.added.len())
            .field("dirty", &self.dirty.len())
            .finish_non_exhaustive()
    }
}

impl ImportIndexer<'_> {
    /// A record the import just added, read from `file`.
    pub fn add_new(
        &mut self,
        id: RecordId,
        record: &ecolens_core::Record,
        file: &Path,
    ) -> Result<()> {
        let file = file.file_name().map_or_else(
            || file.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        if self.writer.is_none() {
            self.counter.count(record);
            self.waiting.push((id, record.clone(), file));
            if self.counter.full() {
                self.start()?;
            }
            return Ok(());
        }
        self.add(id, record, file)
    }

    /// A record the import changed after adding it, or that was stored before it.
    pub fn changed(&mut self, id: RecordId) {
        self.dirty.insert(id);
    }

    /// Settles the common words, opens the writer and indexes what waited.
    fn start(&mut self) -> Result<()> {
        let counter = std::mem::replace(&mut self.counter, WordCounter::new());
        self.index.set_common(counter.common());
        let writer: IndexWriter<TantivyDocument> = self
            .index
            .index
            .writer_with_num_threads(self.threads, self.memory)
            .map_err(index_error("starting to write the search index"))?;
        writer.set_merge_policy(merge_policy(&IndexScope::All));
        self.writer = Some(writer);
        for (id, record, file) in std::mem::take(&mut self.waiting) {
            self.add(id, &record, file)?;
        }
        Ok(())
    }

    fn add(&mut self, id: RecordId, record: &ecolens_core::Record, file: String) -> Result<()> {
        let files = [file];
        let document = self.index.document_of(&DocParts {
            id,
            record,
            full_text: None,
            review: &ReviewFacets::default(),
            files: &files,
        });
        if let Some(writer) = &self.writer {
            writer
                .add_document(document)
                .map_err(index_error("adding to the search index"))?;
            self.added.push(id);
        }
        Ok(())
    }

    /// After the import committed: re-reads the changed records from the store and commits
    /// the index, stamped with `version` (the data version the import left).
    pub fn finish(mut self, project: &mut Project, version: u64) -> Result<SyncReport> {
        let started = Instant::now();
        if self.writer.is_none() {
            self.start()?;
        }
        let Some(mut writer) = self.writer.take() else {
            return Err(Error::Cancelled);
        };
        let dirty: Vec<RecordId> = std::mem::take(&mut self.dirty).into_iter().collect();
        let mut added = std::mem::take(&mut self.added);
        added.sort_unstable();
        // Records indexed: the ones added and not read again, and the ones read again.
        let mut count = added
            .iter()
            .filter(|id| dirty.binary_search(id).is_err())
            .count() as u64;
        if !dirty.is_empty() {
            let scope = IndexScope::Ranges(dirty.iter().map(|id| *id..=*id).collect());
            let cancel = AtomicBool::new(false);
            let options = SyncOptions::small(&cancel);
            count += match self.index.write(project, &scope, &mut writer, &options) {
                Ok(written) => written,
                Err(error) => {
                    let _ = writer.rollback();
                    return Err(error);
                }
            };
        }
        self.index.commit(project, writer, version)?;
        Ok(SyncReport {
            rebuilt: true,
            records_indexed: count,
            data_version: version,
            elapsed_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
        })
    }

    /// The import failed or was cancelled: nothing reaches the index.
    pub fn abandon(mut self) {
        if let Some(mut writer) = self.writer.take() {
            let _ = writer.rollback();
        }
    }
}

/// What an index document is made of, borrowed.
struct DocParts<'a> {
    id: RecordId,
    record: &'a ecolens_core::Record,
    full_text: Option<&'a str>,
    review: &'a ReviewFacets,
    files: &'a [String],
}

/// The facet tokens of a record (lower case, `name:value`): the judgement facets over
/// everyone's judgements and, for each reviewer, over their own ([`own_token`]), then the
/// record's own facets.
fn facets(doc: &DocParts<'_>) -> Vec<String> {
    let record = doc.record;
    let review = doc.review;
    let mut out = judgement_tokens(review);
    for reviewer in review.authors() {
        let own = review.by(reviewer);
        if !own.votes.is_empty() {
            out.push(own_token(reviewer.0, SCREENED));
        }
        out.extend(
            judgement_tokens(&own)
                .into_iter()
                .filter(|token| token != "decision:unscreened")
                .map(|token| own_token(reviewer.0, &token)),
        );
    }
    let has = [
        ("abstract", record.abstract_text.is_some()),
        ("doi", record.doi.is_some()),
        ("pmid", record.pmid.is_some()),
        ("arxiv", record.arxiv.is_some()),
        ("keywords", !record.keywords.is_empty()),
        ("fulltext", doc.full_text.is_some()),
        ("lca", review.has_lca),
        ("trace", review.has_trace),
    ];
    for (name, present) in has {
        if present {
            out.push(format!("has:{name}"));
        }
    }
    out.push(format!("kind:{}", record.kind.code()));
    for file in doc.files {
        out.push(format!("file:{}", file.to_lowercase()));
    }
    out
}

/// The judgement facet tokens ([`crate::query::is_judgement`]) of some review facets.
fn judgement_tokens(review: &ReviewFacets) -> Vec<String> {
    let mut out = Vec::new();
    let (status, stage) = review.screening();
    out.push(format!("decision:{}", status.code()));
    if let Some(stage) = stage {
        out.push(format!("stage:{}", stage.code()));
    }
    let categories = review.categories();
    for category in &categories {
        out.push(format!("category:{}", category.code().to_lowercase()));
    }
    let effects = review.effects();
    let mut effect_tokens: BTreeSet<String> = BTreeSet::new();
    for effect in &effects {
        let code = effect.code().to_lowercase();
        let mut prefix = String::new();
        for (i, part) in code.split('.').enumerate() {
            if i > 0 {
                prefix.push('.');
            }
            prefix.push_str(part);
            effect_tokens.insert(format!("rebound:{prefix}"));
        }
    }
    out.extend(effect_tokens);
    for (vocabulary, code) in review.labels() {
        out.push(format!("label:{}", code.to_lowercase()));
        out.push(format!(
            "label:{}/{}",
            vocabulary.to_lowercase(),
            code.to_lowercase()
        ));
    }
    if !categories.is_empty() {
        out.push("has:category".to_owned());
    }
    if !effects.is_empty() {
        out.push("has:rebound".to_owned());
    }
    out
}

/// The words of a query to mark in one field.
#[derive(Debug, Default)]
struct FieldTerms {
    /// Single tokens.
    words: BTreeSet<String>,
    /// Token sequences (phrases, words that split into several tokens).
    sequences: BTreeSet<Vec<String>>,
    /// Prefixes of original (folded, unstemmed) words.
    prefixes: BTreeSet<String>,
}

/// The words of a query to mark in results, per field. Words under `NOT` are not marked.
struct HighlightTerms {
    fields: BTreeMap<TextField, FieldTerms>,
}

/// A match in a text: its byte range and which query term it is (for counting distinct terms).
type Match = (std::ops::Range<usize>, usize);

impl HighlightTerms {
    fn of(query: &Query) -> Self {
        let mut terms = Self {
            fields: BTreeMap::new(),
        };
        terms.collect(query);
        terms
    }

    fn collect(&mut self, query: &Query) {
        match query {
            Query::And(parts) | Query::Or(parts) => {
                for part in parts {
                    self.collect(part);
                }
            }
            Query::Text { fields, value } => {
                for field in fields {
                    let entry = self.fields.entry(*field).or_default();
                    match value {
                        TextValue::Word(text) | TextValue::Phrase(text) => {
                            let mut field_analyzer = analyzer(stemmed(*field));
                            let tokens: Vec<String> = tokens(&mut field_analyzer, text)
                                .into_iter()
                                .map(|(token, _)| token)
                                .collect();
                            match tokens.len() {
                                0 => {}
                                1 => {
                                    entry.words.extend(tokens);
                                }
                                _ => {
                                    entry.sequences.insert(tokens);
                                }
                            }
                        }
                        TextValue::Prefix(prefix) => {
                            let mut plain = analyzer(false);
                            if let Some((folded, _)) = tokens(&mut plain, prefix).into_iter().next()
                            {
                                entry.prefixes.insert(folded);
                            }
                        }
                    }
                }
            }
            Query::All
            | Query::Not(_)
            | Query::Year { .. }
            | Query::Identifier(_)
            | Query::Facet(_) => {}
        }
    }

    fn wants(&self, field: TextField) -> bool {
        self.fields.get(&field).is_some_and(|terms| {
            !terms.words.is_empty() || !terms.sequences.is_empty() || !terms.prefixes.is_empty()
        })
    }

    /// The matches of the query's terms in `text`, in order, not overlapping.
    fn matches(&self, field: TextField, text: &str) -> Vec<Match> {
        let Some(terms) = self.fields.get(&field) else {
            return Vec::new();
        };
        let mut field_analyzer = analyzer(stemmed(field));
        let tokens = tokens(&mut field_analyzer, text);
        // The plain analyzer splits exactly as the stemming one: same tokenizer, same
        // length filter; the streams line up one to one.
        let originals: Vec<String> = if terms.prefixes.is_empty() {
            Vec::new()
        } else {
            let mut plain = analyzer(false);
            self::tokens(&mut plain, text)
                .into_iter()
                .map(|(t, _)| t)
                .collect()
        };
        let words: Vec<&String> = terms.words.iter().collect();
        let sequences: Vec<&Vec<String>> = terms.sequences.iter().collect();
        let prefixes: Vec<&String> = terms.prefixes.iter().collect();
        let mut found = Vec::new();
        let mut at = 0;
        'tokens: while at < tokens.len() {
            for (key, sequence) in sequences.iter().enumerate() {
                let end = at + sequence.len();
                if end <= tokens.len()
                    && tokens[at..end]
                        .iter()
                        .zip(sequence.iter())
                        .all(|((token, _), wanted)| token == wanted)
                {
                    found.push((tokens[at].1.start..tokens[end - 1].1.end, key));
                    at = end;
                    continue 'tokens;
                }
            }
            let (token, range) = &tokens[at];
            if let Some(key) = words.iter().position(|word| *word == token) {
                found.push((range.clone(), sequences.len() + key));
            } else if let Some(original) = originals.get(at)
                && let Some(key) = prefixes
                    .iter()
                    .position(|p| original.starts_with(p.as_str()))
            {
                found.push((range.clone(), sequences.len() + words.len() + key));
            }
            at += 1;
        }
        found
    }

    /// Byte ranges of `text` that match in `field`.
    fn highlight(&self, field: TextField, text: &str) -> Vec<(usize, usize)> {
        if !self.wants(field) {
            return Vec::new();
        }
        self.matches(field, text)
            .into_iter()
            .map(|(range, _)| (range.start, range.end))
            .collect()
    }

    /// A window of about [`SNIPPET_CHARS`] characters of `text` holding the most distinct
    /// matches in `field` (the earliest such window), cut at word boundaries and marked with
    /// `…` where text was left out; `None` when nothing matches.
    fn snippet(&self, field: TextField, text: &str) -> Option<Snippet> {
        if !self.wants(field) {
            return None;
        }
        let matches = self.matches(field, text);
        if matches.is_empty() {
            return None;
        }
        // Context shown before the first match of the window.
        let lead = SNIPPET_CHARS / 6;
        let byte_window = |start: usize| -> usize {
            text[start..]
                .char_indices()
                .nth(SNIPPET_CHARS)
                .map_or(text.len(), |(at, _)| start + at)
        };
        let mut best: Option<(usize, usize, usize)> = None; // (distinct, count, first match)
        for first in 0..matches.len() {
            let end = byte_window(matches[first].0.start);
            let inside: Vec<&Match> = matches[first..]
                .iter()
                .take_while(|(range, _)| range.end <= end)
                .collect();
            let distinct: BTreeSet<usize> = inside.iter().map(|(_, key)| *key).collect();
            let candidate = (distinct.len(), inside.len(), first);
            if best.is_none_or(|(d, c, _)| (candidate.0, candidate.1) > (d, c)) {
                best = Some(candidate);
            }
        }
        let (_, _, first) = best?;
        let anchor = matches[first].0.start;
        // Start a little before the first match, at a word boundary.
        let back = text[..anchor]
            .char_indices()
            .rev()
            .nth(lead)
            .map_or(0, |(at, _)| at);
        let start = if back == 0 {
            0
        } else {
            text[back..anchor]
                .find(char::is_whitespace)
                .map_or(anchor, |space| back + space + 1)
        };
        let mut end = byte_window(start);
        if end < text.len()
            && let Some(space) = text[start..end].rfind(char::is_whitespace)
            && start + space > anchor
        {
            end = start + space;
        }
        let mut shown = String::new();
        let mut shift = 0;
        if start > 0 {
            shown.push('…');
            shift = '…'.len_utf8();
        }
        shown.push_str(&collapse_spaces(&text[start..end]));
        let collapsed_same = text[start..end].len() == shown.len() - shift;
        if end < text.len() {
            shown.push('…');
        }
        let highlights = if collapsed_same {
            matches
                .iter()
                .filter(|(range, _)| range.start >= start && range.end <= end)
                .map(|(range, _)| (range.start - start + shift, range.end - start + shift))
                .collect()
        } else {
            // White space was collapsed: find the matches again in the text shown.
            self.highlight(field, &shown)
        };
        Some(Snippet {
            field,
            text: shown,
            highlights,
        })
    }
}

/// Runs of white space (line breaks of extracted text) as one space.
fn collapse_spaces(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.contains(['\n', '\r', '\t']) && !text.contains("  ") {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut space = false;
    for c in text.chars() {
        if c.is_whitespace() {
            if !space {
                out.push(' ');
            }
            space = true;
        } else {
            out.push(c);
            space = false;
        }
    }
    std::borrow::Cow::Owned(out)
}

/// The query a reader may ask: as typed when it does not select by judgements or the reader
/// sees everyone's; over the reader's own judgements otherwise ([`Query::for_reviewer`]); a
/// reader who is not named cannot select by judgements while blind mode hides them.
fn shown<'q>(seen: &Visibility, query: &'q Query) -> Result<std::borrow::Cow<'q, Query>> {
    if !query.uses_judgements() || seen.sees_everyone() {
        return Ok(std::borrow::Cow::Borrowed(query));
    }
    match seen.reader_id() {
        Some(reader) => Ok(std::borrow::Cow::Owned(query.for_reviewer(reader.0))),
        None => Err(Error::Blind),
    }
}
