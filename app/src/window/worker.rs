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

use ecolens_core::{LibraryColumn, LibraryRow, Project, RecordId, ReviewerId, SourceFile};
use ecolens_corpus::index::{Hit, SearchIndex, SyncOptions, SyncReport};
use ecolens_corpus::query::Query;
use eframe::egui;

pub use crate::service::library::{Excerpt, RecordDetail};
use crate::service::library::{Lister, Order};
use crate::service::review::Team;
use crate::service::{self, worker_threads};

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
    pub reader: Option<ReviewerId>,
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

/// Something a background job did.
#[derive(Debug)]
pub enum JobOutcome {
    /// An import ended (cancelled imports say so in the report).
    Imported(Box<ecolens_corpus::import::ImportReport>),
    /// An export was written.
    Exported(Box<service::corpus::Exported>),
    /// The demo corpus was added.
    DemoAdded(ecolens_corpus::demo::DemoAdded),
    /// The index was brought up to date.
    Indexed(SyncReport),
    /// A merge was undone; the record re-created.
    MergeUndone(RecordId),
    /// A record was edited or entered by hand.
    RecordSaved(Box<service::corpus::RecordSaved>),
    /// A scenario was evaluated with Monte Carlo intervals.
    Lca(Box<service::assess::LcaOutcome>),
    /// A hub was joined or synced with (or found offline).
    HubSynced(Box<service::hub::Synced>),
    /// A reviewer was invited to the hub: what to send them.
    HubInvited(Box<service::hub::Invite>),
    /// A workshop job did something.
    Workshop(Box<super::workshop::WorkshopDone>),
    /// The job stopped because it was asked to; nothing was written.
    Cancelled,
    /// The job failed.
    Failed(service::Error),
}

impl<T> From<service::Result<T>> for JobOutcome
where
    T: Into<JobOutcome>,
{
    fn from(result: service::Result<T>) -> Self {
        match result {
            Ok(done) => done.into(),
            Err(service::Error::Cancelled) => Self::Cancelled,
            Err(error) => Self::Failed(error),
        }
    }
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
        /// Its reviewers and review settings, so the reader is known from the first listing.
        team: Box<Team>,
    },
    /// The project could not be opened.
    OpenFailed(service::Error),
    /// The project's reviewers and review settings, as read now.
    Team(Box<Team>),
    /// A listing.
    Listed(Listing),
    /// A listing request failed (a query the parser refused, an I/O error).
    ListFailed {
        /// The request.
        generation: u64,
        /// What went wrong.
        error: service::Error,
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
    /// Something went wrong that the user should read once.
    Failed {
        /// What could not be done.
        what: Failure,
        /// Why.
        error: service::Error,
    },
    /// The open record.
    Record(Box<RecordDetail>),
    /// The record could not be read.
    RecordFailed {
        /// Which.
        id: RecordId,
        /// Why.
        error: service::Error,
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
    Impact(super::assess::worker::ImpactEvent),
    /// A file dialog was answered.
    Picked {
        /// What the files are for.
        purpose: PickPurpose,
        /// The chosen paths (empty when the dialog was dismissed).
        paths: Vec<PathBuf>,
    },
    /// A file dialog could not be shown at all.
    PickFailed {
        /// What the files were for.
        purpose: PickPurpose,
    },
}

/// What a background thread could not do, for a notice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// Read the rows on screen.
    Rows,
    /// Open the search index.
    Index,
    /// Open the project on a thread of its own.
    Connection,
    /// Show a file in the system's viewer.
    Viewer,
}

impl Failure {
    /// The start of the notice.
    pub fn words(self) -> &'static str {
        match self {
            Self::Rows => "Rows could not be read",
            Self::Index => {
                "The search index cannot be opened; listing still works, searching needs Reindex"
            }
            Self::Connection => "The project cannot be read on a second connection",
            Self::Viewer => "Open it from your file manager or browser instead",
        }
    }
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

impl PickPurpose {
    /// Where the same path can be typed instead, in words.
    pub fn typed_instead(self) -> &'static str {
        match self {
            Self::ImportFiles | Self::ImportFolder => "in the Import dialog's Path: field",
            Self::ExportTo => "in the Export dialog's File: field",
            Self::OpenProject | Self::NewProject => "under Project → Project file:",
            Self::PrismaSvg => "in Diagram to write: (PRISMA view)",
            Self::TreeFile => "in Export to: under the consequence tree (Rebound view)",
            Self::BundleOut => "in Bundle to write: (Team view)",
            Self::BundleIn => "in Bundle to import: (Team view)",
            Self::TraceFile => "in or path: (Assess view, Traces)",
            Self::ReportOut => "in the report's to: field (Assess view, Summary)",
        }
    }

    /// The tab whose dialog it is.
    pub fn view(self) -> super::View {
        use super::View;
        match self {
            Self::ImportFiles
            | Self::ImportFolder
            | Self::ExportTo
            | Self::OpenProject
            | Self::NewProject => View::Library,
            Self::PrismaSvg => View::Prisma,
            Self::TreeFile => View::Rebound,
            Self::BundleOut | Self::BundleIn => View::Team,
            Self::TraceFile | Self::ReportOut => View::Assess,
        }
    }
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
        reader: Option<ReviewerId>,
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
        /// The reviewer at the keyboard.
        reader: Option<ReviewerId>,
    },
}

/// The threads serving one open project.
pub struct Workers {
    /// The project file.
    pub path: PathBuf,
    library: Sender<LibraryCommand>,
    rows: Sender<RowsCommand>,
    review: Sender<super::review_worker::ReviewCommand>,
    impact: Sender<super::assess::worker::ImpactCommand>,
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
        if let Err(source) = spawned {
            outbox.send(Event::OpenFailed(service::Error::Io {
                action: "cannot start a thread to open",
                path: path.clone(),
                source,
            }));
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
    pub fn impact(&self, command: super::assess::worker::ImpactCommand) {
        let _ = self.impact.send(command);
    }

    /// Where jobs send their events.
    pub fn outbox(&self) -> Outbox {
        self.outbox.clone()
    }
}

fn library_thread(
    path: &Path,
    with_demo: bool,
    commands: &Receiver<LibraryCommand>,
    (rows_rx, review_rx, impact_rx): (
        Receiver<RowsCommand>,
        Receiver<super::review_worker::ReviewCommand>,
        Receiver<super::assess::worker::ImpactCommand>,
    ),
    outbox: &Outbox,
) {
    let opened = match service::project::open(path, with_demo) {
        Ok(opened) => opened,
        Err(error) => {
            outbox.send(Event::OpenFailed(error));
            return;
        }
    };
    let mut project = opened.project;
    let team = match service::review::team(&project) {
        Ok(team) => team,
        Err(error) => {
            outbox.send(Event::OpenFailed(error));
            return;
        }
    };
    outbox.send(Event::Opened {
        path: path.to_owned(),
        created: opened.created,
        team: Box::new(team),
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
            super::assess::worker::impact_thread(&impact_path, &impact_rx, &impact_outbox);
        });
    let mut index = match SearchIndex::open(&project) {
        Ok(index) => Some(index),
        Err(error) => {
            outbox.send(Event::Failed {
                what: Failure::Index,
                error: error.into(),
            });
            None
        }
    };
    let mut lister = Lister::default();
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
                        list(&project, index.as_ref(), &mut lister, &request, outbox);
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
    if let Ok(files) = service::library::source_files(project) {
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
            Err(error) => return JobOutcome::Failed(error.into()),
        }
    }
    let Some(index) = index.as_mut() else {
        return JobOutcome::Failed(service::Error::NoIndex);
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
        Ok(report) => {
            // Commits by other writers (an import job) reach this thread's searches too.
            let _ = index.reload();
            JobOutcome::Indexed(report)
        }
        Err(_) if cancel.load(Ordering::Relaxed) => JobOutcome::Cancelled,
        Err(error) => JobOutcome::Failed(error.into()),
    }
}

fn list(
    project: &Project,
    index: Option<&SearchIndex>,
    lister: &mut Lister,
    request: &ListRequest,
    outbox: &Outbox,
) {
    let started = Instant::now();
    // The team first: another process may have added a reviewer or switched blind mode,
    // and the reader's picker and words follow the project, not what was read at start.
    if let Ok(team) = service::review::team(project) {
        outbox.send(Event::Team(Box::new(team)));
    }
    let failed = |error: service::Error| {
        outbox.send(Event::ListFailed {
            generation: request.generation,
            error,
        });
    };
    // The search text is parsed on its own, so an error's column is where the user typed it.
    let search = request.search.trim();
    let mut clauses = Vec::new();
    if !search.is_empty() {
        match ecolens_corpus::query::parse(search) {
            Ok(query) => clauses.push(query),
            Err(error) => {
                return failed(service::Error::Query {
                    query: search.to_owned(),
                    error,
                });
            }
        }
    }
    match request.filters.clauses() {
        Ok(filters) => clauses.extend(filters),
        Err(error) => {
            return failed(service::Error::Query {
                query: "(filters)".to_owned(),
                error,
            });
        }
    }
    let query = match clauses.len() {
        0 => None,
        1 => clauses.pop(),
        _ => Some(Query::And(clauses)),
    };
    let order = match request.sort {
        SortKey::Relevance => Order::Relevance,
        SortKey::Column(column) => Order::Column(column),
    };
    match lister.list(
        project,
        index,
        request.reader,
        query,
        order,
        request.descending,
    ) {
        Ok(listing) => outbox.send(Event::Listed(Listing {
            generation: request.generation,
            query: listing.query,
            ids: listing.ids,
            scores: listing.scores,
            total_records: listing.total_records,
            elapsed: started.elapsed(),
        })),
        Err(error) => failed(error),
    }
}

fn rows_thread(path: &Path, commands: &Receiver<RowsCommand>, outbox: &Outbox) {
    let project = match Project::open_existing(path) {
        Ok(project) => project,
        Err(error) => {
            outbox.send(Event::Failed {
                what: Failure::Connection,
                error: error.into(),
            });
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
                    reader,
                } => read_rows(
                    &project,
                    &ids,
                    query.as_ref(),
                    scores.as_deref(),
                    reader,
                    outbox,
                ),
                RowsCommand::Record { id, query, reader } => {
                    if Some(at) == newest_record {
                        let event = match service::library::record_detail(
                            &project,
                            reader,
                            id,
                            query.as_deref(),
                        ) {
                            Ok(detail) => Event::Record(Box::new(detail)),
                            Err(error) => Event::RecordFailed { id, error },
                        };
                        outbox.send(event);
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
    query: Option<&(Arc<Query>, u64)>,
    scores: Option<&HashMap<RecordId, f32>>,
    reader: Option<ReviewerId>,
    outbox: &Outbox,
) {
    let generation = query.map_or(0, |(_, generation)| *generation);
    match service::library::rows(
        project,
        reader,
        ids,
        query.map(|(query, _)| query.as_ref()),
        scores,
    ) {
        Ok((rows, hits)) => outbox.send(Event::Rows {
            rows,
            hits,
            query_generation: generation,
        }),
        Err(error) => outbox.send(Event::Failed {
            what: Failure::Rows,
            error,
        }),
    }
}

/// Opens the project at `path` on a job's thread and runs `work` on it: every job that
/// writes opens its own connection.
pub fn on_project<T>(
    path: &Path,
    work: impl FnOnce(&mut ecolens_core::Project) -> service::Result<T>,
) -> service::Result<T> {
    let mut project = ecolens_core::Project::open_existing(path)?;
    work(&mut project)
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
    if let Err(source) = spawned {
        failure_outbox.send(Event::Finished {
            job,
            outcome: JobOutcome::Failed(service::Error::Io {
                action: "cannot start a thread for",
                path: PathBuf::from(name),
                source,
            }),
        });
    }
}
