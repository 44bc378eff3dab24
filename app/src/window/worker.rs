//! The workbench's background threads. The window never touches the project or the index
//! itself: it sends requests here and draws what comes back as [`Event`]s.
//!
//! - `ecolens-library` opens the project and its search index, keeps the index in sync, and
//!   answers listing requests (the ordered ids of the records a query and filters select);
//! - `ecolens-rows` reads the rows on screen and the open record, on its own connection, so
//!   scrolling stays smooth while the library thread indexes;
//! - `ecolens-review` reads and writes review data for the review views
//!   ([`super::review_worker`]);
//! - jobs (import, export, undoing a merge) each run on a thread of their own with their own
//!   connection ([`spawn_job`]), report progress and can be cancelled.
//!
//! Every thread sends its results over one channel and asks the window to repaint.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::time::{Duration, Instant};

use ecolens_core::{
    FullText, LibraryColumn, LibraryRow, MergeEntry, Project, RecordId, Relation, ReviewerId,
    SourceFile, StoredRecord,
};
use ecolens_corpus::index::{Hit, SearchIndex, SyncOptions, SyncReport};
use ecolens_corpus::query::{Query, TextField};
use eframe::egui;

use crate::corpus_commands::worker_threads;
use crate::location::open_project;

/// How the library is ordered: by relevance to the query, or by a column.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize,
)]
pub enum SortKey {
    /// Best match first (the order records were added when there is no query).
    #[default]
    Relevance,
    /// By a column.
    Column(LibraryColumn),
}

/// What the library should list.
#[derive(Debug, Clone, PartialEq)]
pub struct ListRequest {
    /// Increases with every request; answers to older ones are dropped.
    pub generation: u64,
    /// The search text as typed, empty for none.
    pub search: String,
    /// Facet filters.
    pub filters: super::Filters,
    /// Order.
    pub sort: SortKey,
    /// Reverse the order.
    pub descending: bool,
    /// The reviewer at the keyboard: while blind, decision and category orders are theirs.
    pub viewer: Option<String>,
}

/// The records a request selected, in order.
#[derive(Debug, Clone)]
pub struct Listing {
    /// The request answered.
    pub generation: u64,
    /// The query as parsed (`None` when listing everything).
    pub query: Option<Arc<Query>>,
    /// Record ids in display order.
    pub ids: Arc<Vec<RecordId>>,
    /// Relevance of each listed record, when there is a query.
    pub scores: Option<Arc<HashMap<RecordId, f32>>>,
    /// Records in the project.
    pub total_records: u64,
    /// Time taken.
    pub elapsed: Duration,
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

/// Something a background job did.
#[derive(Debug, Clone)]
pub enum JobOutcome {
    /// An import ended (cancelled imports say so in the report).
    Imported(Box<ecolens_corpus::import::ImportReport>),
    /// An export was written.
    Exported(ecolens_corpus::export::ExportReport),
    /// The index was brought up to date.
    Indexed(SyncReport),
    /// A merge was undone; the record re-created.
    MergeUndone(RecordId),
    /// A scenario was evaluated with Monte Carlo intervals.
    Lca(Box<super::impact_worker::LcaOutcome>),
    /// The job stopped because it was asked to; nothing was written.
    Cancelled,
    /// The job failed; the message says why, in words.
    Failed(String),
}

/// Results the background threads send to the window.
#[derive(Debug)]
pub enum Event {
    /// The project is open (first event of a library thread).
    Opened {
        /// The project file.
        path: PathBuf,
        /// Whether it was just created.
        created: bool,
    },
    /// The project could not be opened.
    OpenFailed(String),
    /// A listing.
    Listed(Listing),
    /// A listing request failed (a query the parser refused, an I/O error).
    ListFailed {
        /// The request.
        generation: u64,
        /// What went wrong.
        message: String,
    },
    /// The files records came from (for the source filter).
    SourceFiles(Vec<SourceFile>),
    /// Rows for the table, with highlights when a query is active.
    Rows {
        /// Rows read.
        rows: Vec<LibraryRow>,
        /// Highlights of the same records, for the query `query_generation` used.
        hits: Vec<Hit>,
        /// The listing generation the highlights belong to.
        query_generation: u64,
    },
    /// Something went wrong that the user should read once (rows or the index could not be
    /// read), in words with what to do next.
    Notice(String),
    /// The open record.
    Record(Box<RecordDetail>),
    /// The record could not be read.
    RecordFailed {
        /// Which.
        id: RecordId,
        /// Why.
        message: String,
    },
    /// A job moved on.
    Progress {
        /// Which job.
        job: u64,
        /// Its progress in words ("1,204 records read, 3 merged").
        text: String,
        /// Done fraction, when known.
        fraction: Option<f32>,
    },
    /// A job ended.
    Finished {
        /// Which job.
        job: u64,
        /// How.
        outcome: JobOutcome,
    },
    /// The lines around an import problem were read.
    Preview(Preview),
    /// The review thread answered.
    Review(super::review_worker::ReviewEvent),
    /// The Assess thread answered.
    Impact(super::impact_worker::ImpactEvent),
    /// A file dialog was answered.
    Picked {
        /// What the files are for.
        purpose: PickPurpose,
        /// The chosen paths (empty when the dialog was dismissed).
        paths: Vec<PathBuf>,
    },
}

/// Lines of a file around an import problem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Preview {
    /// The problem, as reported.
    pub title: String,
    /// (line number, text) pairs.
    pub lines: Vec<(usize, String)>,
    /// The problem's line.
    pub line: usize,
}

/// What a file dialog was opened for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PickPurpose {
    /// Files to import.
    ImportFiles,
    /// A folder to import.
    ImportFolder,
    /// Where to export.
    ExportTo,
    /// A project to open.
    OpenProject,
    /// Where to create a project.
    NewProject,
    /// Where to write the PRISMA diagram.
    PrismaSvg,
    /// Where to write a consequence tree.
    TreeFile,
    /// Where to write the reviewer's decision bundle.
    BundleOut,
    /// A decision bundle to import.
    BundleIn,
    /// A measured-energy trace to attach.
    TraceFile,
    /// Where to write a report.
    ReportOut,
}

/// Sends events and wakes the window.
#[derive(Clone)]
pub struct Outbox {
    sender: Sender<Event>,
    ctx: egui::Context,
}

impl Outbox {
    /// Sends an event; a window that has closed no longer listens, which is fine.
    pub fn send(&self, event: Event) {
        let _ = self.sender.send(event);
        self.ctx.request_repaint();
    }
}

/// Requests to the library thread.
pub enum LibraryCommand {
    /// List records.
    List(ListRequest),
    /// Bring the index up to date (after an import or a change), as job `job`.
    Sync {
        /// The job id progress is reported under.
        job: u64,
        /// Set to stop.
        cancel: Arc<AtomicBool>,
        /// Rebuild from scratch instead.
        rebuild: bool,
    },
}

/// Requests to the rows thread.
pub enum RowsCommand {
    /// Read these rows (and highlight them for `query`).
    Rows {
        /// Records.
        ids: Vec<RecordId>,
        /// Active query and its listing generation, for highlights.
        query: Option<(Arc<Query>, u64)>,
        /// Scores of the listing.
        scores: Option<Arc<HashMap<RecordId, f32>>>,
        /// The reviewer at the keyboard: while blind, rows show their judgements only.
        viewer: Option<String>,
    },
    /// Free rows the window no longer keeps: dropping twenty thousand rows takes 1.5 ms
    /// (measured on the 1M bench project), as long as a whole frame of the table.
    Discard(Box<(HashMap<RecordId, LibraryRow>, HashMap<RecordId, Hit>)>),
    /// Read one record for the record view.
    Record {
        /// Which.
        id: RecordId,
        /// Active query, for highlights.
        query: Option<Arc<Query>>,
    },
}

/// The threads serving one open project.
pub struct Workers {
    /// The project file.
    pub path: PathBuf,
    library: Sender<LibraryCommand>,
    rows: Sender<RowsCommand>,
    review: Sender<super::review_worker::ReviewCommand>,
    impact: Sender<super::impact_worker::ImpactCommand>,
    /// Events from every thread.
    pub events: Receiver<Event>,
    outbox: Outbox,
}

impl Workers {
    /// Starts the threads for the project at `path` (created, with the demo corpus when
    /// `with_demo`, if missing). Returns at once; [`Event::Opened`] follows.
    pub fn start(path: PathBuf, with_demo: bool, ctx: &egui::Context) -> Self {
        let (sender, events) = channel();
        let outbox = Outbox {
            sender,
            ctx: ctx.clone(),
        };
        let (library, library_rx) = channel();
        let (rows, rows_rx) = channel();
        let (review, review_rx) = channel();
        let (impact, impact_rx) = channel();
        let thread_outbox = outbox.clone();
        let thread_path = path.clone();
        let spawned = std::thread::Builder::new()
            .name("ecolens-library".into())
            .spawn(move || {
                library_thread(
                    &thread_path,
                    with_demo,
                    &library_rx,
                    (rows_rx, review_rx, impact_rx),
                    &thread_outbox,
                );
            });
        if let Err(error) = spawned {
            outbox.send(Event::OpenFailed(format!("cannot start a thread: {error}")));
        }
        Self {
            path,
            library,
            rows,
            review,
            impact,
            events,
            outbox,
        }
    }

    /// Asks for a listing.
    pub fn list(&self, request: ListRequest) {
        let _ = self.library.send(LibraryCommand::List(request));
    }

    /// Asks for the index to be brought up to date as job `job`.
    pub fn sync(&self, job: u64, cancel: Arc<AtomicBool>, rebuild: bool) {
        let _ = self.library.send(LibraryCommand::Sync {
            job,
            cancel,
            rebuild,
        });
    }

    /// Asks for rows.
    pub fn rows(&self, command: RowsCommand) {
        let _ = self.rows.send(command);
    }

    /// Asks the review thread.
    pub fn review(&self, command: super::review_worker::ReviewCommand) {
        let _ = self.review.send(command);
    }

    /// Asks the Assess thread.
    pub fn impact(&self, command: super::impact_worker::ImpactCommand) {
        let _ = self.impact.send(command);
    }

    /// Where jobs send their events.
    pub fn outbox(&self) -> Outbox {
        self.outbox.clone()
    }
}

/// Sorted id lists kept between requests, valid for one data version.
struct OrderCache {
    version: u64,
    viewer: Option<ReviewerId>,
    orders: HashMap<LibraryColumn, Arc<Vec<RecordId>>>,
    total_records: Option<u64>,
}

impl OrderCache {
    /// Forgets everything when the project's data or the reader changed (while blind the
    /// decision and category orders are the reader's).
    fn follow(&mut self, version: u64, viewer: Option<ReviewerId>) {
        if version != self.version || viewer != self.viewer {
            self.version = version;
            self.viewer = viewer;
            self.orders.clear();
            self.total_records = None;
        }
    }

    /// Every id ordered by `column`, ascending.
    fn order(
        &mut self,
        project: &Project,
        column: LibraryColumn,
    ) -> Result<Arc<Vec<RecordId>>, String> {
        if let Some(order) = self.orders.get(&column) {
            return Ok(Arc::clone(order));
        }
        let order = Arc::new(
            project
                .record_order(column, false, self.viewer)
                .map_err(|error| format!("The records cannot be ordered: {error}"))?,
        );
        self.total_records = Some(order.len() as u64);
        self.orders.insert(column, Arc::clone(&order));
        Ok(order)
    }

    /// Records in the project: the length of any order already read, else counted (a third
    /// of a second on a million records) once per data version.
    fn total(&mut self, project: &Project) -> Result<u64, String> {
        if let Some(total) = self.total_records {
            return Ok(total);
        }
        let total = project
            .record_count()
            .map_err(|error| format!("The project cannot be read: {error}"))?;
        self.total_records = Some(total);
        Ok(total)
    }
}

fn library_thread(
    path: &Path,
    with_demo: bool,
    commands: &Receiver<LibraryCommand>,
    (rows_rx, review_rx, impact_rx): (
        Receiver<RowsCommand>,
        Receiver<super::review_worker::ReviewCommand>,
        Receiver<super::impact_worker::ImpactCommand>,
    ),
    outbox: &Outbox,
) {
    let opened = match open_project(path, with_demo) {
        Ok(opened) => opened,
        Err(error) => {
            outbox.send(Event::OpenFailed(format!("{error:#}")));
            return;
        }
    };
    let mut project = opened.project;
    outbox.send(Event::Opened {
        path: path.to_owned(),
        created: opened.created,
    });
    // The rows thread opens its own connection now that the file surely exists.
    let rows_outbox = outbox.clone();
    let rows_path = path.to_owned();
    let _ = std::thread::Builder::new()
        .name("ecolens-rows".into())
        .spawn(move || rows_thread(&rows_path, &rows_rx, &rows_outbox));
    let review_outbox = outbox.clone();
    let review_path = path.to_owned();
    let _ = std::thread::Builder::new()
        .name("ecolens-review".into())
        .spawn(move || {
            super::review_worker::review_thread(&review_path, &review_rx, &review_outbox);
        });
    let impact_outbox = outbox.clone();
    let impact_path = path.to_owned();
    let _ = std::thread::Builder::new()
        .name("ecolens-impact".into())
        .spawn(move || {
            super::impact_worker::impact_thread(&impact_path, &impact_rx, &impact_outbox);
        });
    let mut index = match SearchIndex::open(&project) {
        Ok(index) => Some(index),
        Err(error) => {
            outbox.send(Event::Notice(format!(
                "The search index cannot be opened: {error}. Listing still works; try Reindex."
            )));
            None
        }
    };
    let mut cache = OrderCache {
        viewer: None,
        version: u64::MAX,
        orders: HashMap::new(),
        total_records: None,
    };
    // The file list (a scan of every record's sources) waits until the first listing is out.
    let mut files_sent = false;
    while let Some(pending) = next_batch(commands) {
        // Only the newest listing request matters; syncs are all carried out, in order.
        let newest_list = pending
            .iter()
            .rposition(|command| matches!(command, LibraryCommand::List(_)));
        for (at, command) in pending.into_iter().enumerate() {
            match command {
                LibraryCommand::List(request) => {
                    if Some(at) == newest_list {
                        list(&project, index.as_ref(), &mut cache, &request, outbox);
                    }
                }
                LibraryCommand::Sync {
                    job,
                    cancel,
                    rebuild,
                } => {
                    let outcome = sync(&mut project, &mut index, &cancel, rebuild, job, outbox);
                    send_source_files(&project, outbox);
                    files_sent = true;
                    outbox.send(Event::Finished { job, outcome });
                }
            }
        }
        if !files_sent {
            send_source_files(&project, outbox);
            files_sent = true;
        }
    }
}

/// Waits for a request, then takes every other one already queued, so a thread that fell
/// behind can skip requests a newer one replaces. `None` once the window is gone.
fn next_batch<T>(commands: &Receiver<T>) -> Option<Vec<T>> {
    let mut batch = vec![commands.recv().ok()?];
    batch.extend(commands.try_iter());
    Some(batch)
}

fn send_source_files(project: &Project, outbox: &Outbox) {
    if let Ok(files) = project.source_files() {
        outbox.send(Event::SourceFiles(files));
    }
}

fn sync(
    project: &mut Project,
    index: &mut Option<SearchIndex>,
    cancel: &AtomicBool,
    rebuild: bool,
    job: u64,
    outbox: &Outbox,
) -> JobOutcome {
    if index.is_none() {
        match SearchIndex::open(project) {
            Ok(opened) => *index = Some(opened),
            Err(error) => {
                return JobOutcome::Failed(format!("The search index cannot be opened: {error}"));
            }
        }
    }
    let Some(index) = index.as_mut() else {
        return JobOutcome::Failed("The search index cannot be opened.".into());
    };
    // New data may have been committed by a job on another connection.
    let total = project.record_count().unwrap_or(0);
    let progress = |done: u64| {
        #[allow(clippy::cast_precision_loss)]
        let fraction = (total > 0).then(|| (done as f32 / total as f32).min(1.0));
        outbox.send(Event::Progress {
            job,
            text: format!("{done} of {total} records indexed"),
            fraction,
        });
    };
    let options = SyncOptions::bulk(worker_threads(), cancel, &progress);
    let result = if rebuild {
        index.rebuild(project, &options)
    } else {
        index.sync(project, &options)
    };
    match result {
        Ok(report) => JobOutcome::Indexed(report),
        Err(_) if cancel.load(Ordering::Relaxed) => JobOutcome::Cancelled,
        Err(error) => JobOutcome::Failed(format!("The search index could not be updated: {error}")),
    }
}

fn list(
    project: &Project,
    index: Option<&SearchIndex>,
    cache: &mut OrderCache,
    request: &ListRequest,
    outbox: &Outbox,
) {
    let started = Instant::now();
    let listed = |query: Option<Query>, ids, scores, total_records| {
        outbox.send(Event::Listed(Listing {
            generation: request.generation,
            query: query.map(Arc::new),
            ids,
            scores,
            total_records,
            elapsed: started.elapsed(),
        }));
    };
    let failed = |message: String| {
        outbox.send(Event::ListFailed {
            generation: request.generation,
            message,
        });
    };
    let viewer = viewer_id(project, request.viewer.as_deref());
    cache.follow(project.data_version().unwrap_or(0), viewer);
    let column = column_of(request.sort);
    // The search text is parsed on its own, so an error's column is where the user typed it.
    let search = request.search.trim();
    let mut clauses = Vec::new();
    if !search.is_empty() {
        match ecolens_corpus::query::parse(search) {
            Ok(query) => clauses.push(query),
            Err(error) => return failed(error.to_string()),
        }
    }
    match request.filters.clauses() {
        Ok(filters) => clauses.extend(filters),
        Err(error) => return failed(format!("A filter could not be applied: {error}")),
    }
    let query = match clauses.len() {
        0 => None,
        1 => clauses.pop(),
        _ => Some(Query::And(clauses)),
    };
    let Some(query) = query else {
        let all = match cache.order(project, column) {
            Ok(all) => all,
            Err(message) => return failed(message),
        };
        let total = all.len() as u64;
        let ids = if request.descending {
            Arc::new(all.iter().rev().copied().collect())
        } else {
            all
        };
        return listed(None, ids, None, total);
    };
    let Some(index) = index else {
        return failed("The search index is not available; choose Reindex.".into());
    };
    let ranked = match index.ranked_ids(project, &query) {
        Ok(ranked) => ranked,
        Err(error) => return failed(error.to_string()),
    };
    let scores: HashMap<RecordId, f32> = ranked.iter().copied().collect();
    let mut ids: Vec<RecordId> = if request.sort == SortKey::Relevance {
        ranked.iter().map(|(id, _)| *id).collect()
    } else {
        match cache.order(project, column) {
            Ok(all) => all
                .iter()
                .copied()
                .filter(|id| scores.contains_key(id))
                .collect(),
            Err(message) => return failed(message),
        }
    };
    if request.descending {
        ids.reverse();
    }
    let total_records = match cache.total(project) {
        Ok(total) => total,
        Err(message) => return failed(message),
    };
    listed(
        Some(query),
        Arc::new(ids),
        Some(Arc::new(scores)),
        total_records,
    );
}

/// The column a sort key orders by (relevance without a query is the order of addition).
fn column_of(sort: SortKey) -> LibraryColumn {
    match sort {
        SortKey::Relevance => LibraryColumn::Added,
        SortKey::Column(column) => column,
    }
}

/// The reviewer of that name, if they are one.
fn viewer_id(project: &Project, name: Option<&str>) -> Option<ReviewerId> {
    name.and_then(|name| project.reviewer_by_name(name).ok())
        .map(|reviewer| reviewer.id)
}

fn rows_thread(path: &Path, commands: &Receiver<RowsCommand>, outbox: &Outbox) {
    let project = match Project::open_existing(path) {
        Ok(project) => project,
        Err(error) => {
            outbox.send(Event::Notice(format!(
                "The records cannot be read: {error}"
            )));
            return;
        }
    };
    while let Some(pending) = next_batch(commands) {
        // Only the newest record request matters; every row request is answered.
        let newest_record = pending
            .iter()
            .rposition(|command| matches!(command, RowsCommand::Record { .. }));
        for (at, command) in pending.into_iter().enumerate() {
            match command {
                RowsCommand::Rows {
                    ids,
                    query,
                    scores,
                    viewer,
                } => {
                    let viewer = viewer_id(&project, viewer.as_deref());
                    read_rows(&project, &ids, query, scores.as_deref(), viewer, outbox);
                }
                RowsCommand::Record { id, query } => {
                    if Some(at) == newest_record {
                        read_record(&project, id, query.as_deref(), outbox);
                    }
                }
                RowsCommand::Discard(old) => drop(old),
            }
        }
    }
}

fn read_rows(
    project: &Project,
    ids: &[RecordId],
    query: Option<(Arc<Query>, u64)>,
    scores: Option<&HashMap<RecordId, f32>>,
    viewer: Option<ReviewerId>,
    outbox: &Outbox,
) {
    let rows = match project.library_rows(ids, viewer) {
        Ok(rows) => rows,
        Err(error) => {
            outbox.send(Event::Notice(format!("Rows could not be read: {error}")));
            return;
        }
    };
    let (hits, query_generation) = match query {
        Some((query, generation)) => {
            let scored: Vec<(RecordId, f32)> = ids
                .iter()
                .map(|id| (*id, scores.and_then(|s| s.get(id)).copied().unwrap_or(0.0)))
                .collect();
            (
                SearchIndex::highlight(project, &query, &scored).unwrap_or_default(),
                generation,
            )
        }
        None => (Vec::new(), 0),
    };
    outbox.send(Event::Rows {
        rows,
        hits,
        query_generation,
    });
}

fn read_record(project: &Project, id: RecordId, query: Option<&Query>, outbox: &Outbox) {
    let detail = (|| -> ecolens_core::Result<RecordDetail> {
        let stored = project.record(id)?;
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
        })
    })();
    match detail {
        Ok(detail) => outbox.send(Event::Record(Box::new(detail))),
        Err(error) => outbox.send(Event::RecordFailed {
            id,
            message: error.to_string(),
        }),
    }
}

/// Runs `work` on a named thread as job `job`; its outcome arrives as [`Event::Finished`].
pub fn spawn_job(
    name: &str,
    job: u64,
    outbox: Outbox,
    work: impl FnOnce(&Outbox) -> JobOutcome + Send + 'static,
) {
    let failure_outbox = outbox.clone();
    let spawned = std::thread::Builder::new()
        .name(format!("ecolens-{name}"))
        .spawn(move || {
            let outcome = work(&outbox);
            outbox.send(Event::Finished { job, outcome });
        });
    if let Err(error) = spawned {
        failure_outbox.send(Event::Finished {
            job,
            outcome: JobOutcome::Failed(format!("cannot start a thread: {error}")),
        });
    }
}
