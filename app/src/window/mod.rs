//! The workbench window: a library of records (search, filters, a virtualised table), the
//! open record beside it, import and export dialogs, and a status bar with running jobs.
//!
//! The pattern every view follows:
//! - the [`Workbench`] holds view state only (what is typed, what is selected, the rows
//!   received so far); it never opens the project itself;
//! - drawing code reads that state and pushes [`Action`]s; after the frame,
//!   [`Workbench::apply`] carries them out, in one place;
//! - anything that reads or writes the project runs on a background thread
//!   ([`worker`]): requests go out over channels, results come back as [`worker::Event`]s,
//!   which [`Workbench::receive`] folds into the view state at the start of the next frame.
//!   A frame therefore never waits for the disk, an import or the index.

pub mod assess;
mod dialogs;
pub mod impact;
pub mod impact_worker;
mod library;
mod record;
pub mod review;
pub mod review_worker;
pub mod worker;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::{Result, anyhow};
use ecolens_core::{LibraryColumn, LibraryRow, MergeId, RecordId, SourceFile};
use ecolens_corpus::export::{ExportFormat, LabelStyle};
use ecolens_corpus::import::{ImportOptions, ImportReport, LocatedProblem};
use ecolens_corpus::index::Hit;
use eframe::egui;

pub use library::Filters;
use worker::{
    Event, JobOutcome, ListRequest, Listing, PickPurpose, RecordDetail, RowsCommand, SortKey,
    Workers, spawn_job,
};

/// Something the user asked for, applied after the frame by [`Workbench::apply`].
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// List again with the current search text, filters and order.
    Relist,
    /// Order by this key; the same key again reverses the order.
    SortBy(SortKey),
    /// Open a record in the record view.
    OpenRecord(RecordId),
    /// Close the record view.
    CloseRecord,
    /// Move the table's cursor by this many rows.
    MoveCursor(isize),
    /// Open the record under the cursor.
    OpenCursor,
    /// Import these files and folders.
    StartImport(Vec<PathBuf>),
    /// Stop a running job.
    CancelJob(u64),
    /// Open a native file dialog.
    Pick(PickPurpose),
    /// Write an export.
    Export {
        /// Where.
        path: PathBuf,
        /// Format.
        format: ExportFormat,
        /// How labels are written.
        labels: LabelStyle,
        /// Only the records the current search and filters show.
        only_shown: bool,
    },
    /// Undo a merge of duplicates.
    UndoMerge(MergeId),
    /// Rebuild the search index from the project.
    Reindex,
    /// Open (or create, with the demo corpus) the project at this path.
    OpenProject(PathBuf),
    /// Create an empty project at this path and open it.
    NewProject(PathBuf),
    /// Open a file (a PDF) in the system's viewer.
    OpenFile(PathBuf),
    /// Show the lines of a file around an import problem.
    ShowProblem(LocatedProblem),
    /// Use the light or the dark theme.
    SetTheme(Theme),
    /// Something the review views asked for.
    Review(review::ReviewAction),
    /// Something the Assess tab asked for.
    Impact(impact::ImpactAction),
}

/// Light or dark.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum Theme {
    /// Dark (the default).
    #[default]
    Dark,
    /// Light, for projectors and bright rooms.
    Light,
}

/// What the workbench remembers between runs.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct Settings {
    /// Theme.
    pub theme: Theme,
    /// Columns shown besides the title.
    pub columns: Vec<LibraryColumn>,
    /// The last search.
    pub search: String,
    /// The last filters.
    pub filters: Filters,
    /// The last order.
    pub sort: SortKey,
    /// Reversed order.
    pub descending: bool,
    /// Projects opened, newest first.
    pub recent_projects: Vec<PathBuf>,
    /// The reviewer at the keyboard (by name).
    pub reviewer: Option<String>,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            theme: Theme::Dark,
            columns: vec![
                LibraryColumn::Authors,
                LibraryColumn::Year,
                LibraryColumn::Venue,
                LibraryColumn::Source,
                LibraryColumn::Decision,
                LibraryColumn::Category,
            ],
            search: String::new(),
            filters: Filters::default(),
            sort: SortKey::Relevance,
            descending: false,
            recent_projects: Vec::new(),
            reviewer: None,
        }
    }
}

const SETTINGS_KEY: &str = "ecolens-settings";
const MAX_RECENT: usize = 8;
/// Rows kept in memory; beyond this the cache starts afresh (a screenful is re-read).
const ROW_CACHE: usize = 20_000;

/// System fonts with wide Unicode coverage, tried in order. egui's own font lacks many
/// characters of real abstracts and titles (`∼`, `≤`, Greek letters, arrows).
const FALLBACK_FONTS: &[&str] = &[
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/TTF/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf",
    "/System/Library/Fonts/Supplemental/Arial Unicode.ttf",
    "C:\\Windows\\Fonts\\seguisym.ttf",
];

/// Adds the first system font found as a fallback after egui's fonts, so text with characters
/// egui's font lacks is drawn rather than shown as boxes. Without one, boxes it is.
fn add_fallback_font(ctx: &egui::Context) {
    let Some(data) = FALLBACK_FONTS
        .iter()
        .find_map(|path| std::fs::read(path).ok())
    else {
        return;
    };
    ctx.add_font(egui::epaint::text::FontInsert {
        name: "system-fallback".into(),
        data: egui::FontData::from_owned(data),
        families: [egui::FontFamily::Proportional, egui::FontFamily::Monospace]
            .into_iter()
            .map(|family| egui::epaint::text::InsertFontFamily {
                family,
                priority: egui::epaint::text::FontPriority::Lowest,
            })
            .collect(),
    });
}

/// How the workbench starts.
#[derive(Debug, Clone)]
pub struct WorkbenchOptions {
    /// The project to open.
    pub project: PathBuf,
    /// Fill a project created now with the demo corpus.
    pub with_demo: bool,
    /// The binary that extracts PDF text (`ecolens extract-pdf`); `None` reports PDFs as not
    /// readable.
    pub pdf_program: Option<PathBuf>,
    /// Open the project used last instead, if it still exists (a start without `--project`).
    pub reopen_last: bool,
}

/// A running or finished background job, as the status bar shows it.
#[derive(Debug, Clone)]
pub struct JobView {
    /// What it does ("Importing 3 files").
    pub title: String,
    /// Where it is.
    pub progress: String,
    /// Done fraction, when known.
    pub fraction: Option<f32>,
    /// Set to stop it.
    pub cancel: Arc<AtomicBool>,
    kind: JobKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum JobKind {
    Import,
    Export,
    Index,
    Undo,
    MonteCarlo,
}

/// The list the table shows, and the rows read for it so far.
#[derive(Default)]
pub struct LibraryState {
    /// The search box's text.
    pub search: String,
    /// Facet filters.
    pub filters: Filters,
    /// Order.
    pub sort: SortKey,
    /// Reversed.
    pub descending: bool,
    requested_generation: u64,
    listing: Option<Listing>,
    /// Why the last listing failed (a query error with its column).
    pub error: Option<String>,
    rows: HashMap<RecordId, LibraryRow>,
    hits: HashMap<RecordId, Hit>,
    requested: HashSet<RecordId>,
    /// Row index of the keyboard cursor.
    pub cursor: Option<usize>,
    scroll_to_cursor: bool,
}

impl LibraryState {
    /// Whether a search or a filter narrows the list.
    pub fn is_filtered(&self) -> bool {
        !self.search.trim().is_empty() || !self.filters.is_empty()
    }

    /// Ids listed, in order.
    pub fn ids(&self) -> &[RecordId] {
        self.listing.as_ref().map_or(&[], |l| l.ids.as_slice())
    }

    /// Whether a listing request is still being answered.
    pub fn is_listing(&self) -> bool {
        self.listing
            .as_ref()
            .is_none_or(|l| l.generation < self.requested_generation)
            && self.error.is_none()
    }

    /// The row read for a record, if it has arrived.
    pub fn row(&self, id: RecordId) -> Option<&LibraryRow> {
        self.rows.get(&id)
    }

    /// Records in the project (from the last listing).
    pub fn total_records(&self) -> u64 {
        self.listing.as_ref().map_or(0, |l| l.total_records)
    }
}

/// The open record.
pub struct RecordPane {
    /// Which record.
    pub id: RecordId,
    /// What was read of it (`None` while loading).
    pub detail: Option<Box<RecordDetail>>,
}

/// The workbench application.
pub struct Workbench {
    options: WorkbenchOptions,
    workers: Workers,
    /// The project's file, once opened.
    opened: Option<PathBuf>,
    /// Remembered between runs.
    pub settings: Settings,
    /// The library view.
    pub library: LibraryState,
    /// The record view.
    pub record: Option<RecordPane>,
    /// The review views.
    pub review: review::ReviewState,
    /// The Assess tab.
    pub impact: impact::ImpactState,
    source_files: Vec<SourceFile>,
    jobs: BTreeMap<u64, JobView>,
    next_job: u64,
    import: dialogs::ImportDialog,
    export: dialogs::ExportDialog,
    show_help: bool,
    focus_search: bool,
    /// Messages shown once, newest last.
    notices: Vec<String>,
    ctx: egui::Context,
}

impl Workbench {
    /// A workbench that opens `options.project` in the background; `storage` holds the
    /// settings of the last run, if any.
    pub fn new(
        ctx: &egui::Context,
        storage: Option<&dyn eframe::Storage>,
        options: WorkbenchOptions,
    ) -> Self {
        let settings: Settings = storage
            .and_then(|s| eframe::get_value(s, SETTINGS_KEY))
            .unwrap_or_default();
        ctx.set_theme(match settings.theme {
            Theme::Dark => egui::Theme::Dark,
            Theme::Light => egui::Theme::Light,
        });
        add_fallback_font(ctx);
        let mut options = options;
        if options.reopen_last
            && let Some(last) = settings.recent_projects.first()
            && last.is_file()
        {
            options.project.clone_from(last);
        }
        let workers = Workers::start(options.project.clone(), options.with_demo, ctx);
        let library = LibraryState {
            search: settings.search.clone(),
            filters: settings.filters.clone(),
            sort: settings.sort,
            descending: settings.descending,
            ..LibraryState::default()
        };
        let mut workbench = Self {
            options,
            workers,
            opened: None,
            settings,
            library,
            record: None,
            review: review::ReviewState::default(),
            impact: impact::ImpactState::default(),
            source_files: Vec::new(),
            jobs: BTreeMap::new(),
            next_job: 1,
            import: dialogs::ImportDialog::default(),
            export: dialogs::ExportDialog::default(),
            show_help: false,
            focus_search: false,
            notices: Vec::new(),
            ctx: ctx.clone(),
        };
        workbench.apply(Action::Relist);
        workbench
    }

    /// The project file, once it is open.
    pub fn project_path(&self) -> Option<&Path> {
        self.opened.as_deref()
    }

    /// Notices shown (errors in words, with what to do next).
    pub fn notices(&self) -> &[String] {
        &self.notices
    }

    /// Jobs running, by id.
    pub fn jobs(&self) -> &BTreeMap<u64, JobView> {
        &self.jobs
    }

    /// The report of the last import, if one finished.
    pub fn last_import(&self) -> Option<&ImportReport> {
        self.import.report.as_ref()
    }

    /// The last export's outcome, in words.
    pub fn last_export(&self) -> Option<&str> {
        self.export.outcome.as_deref()
    }

    /// Whether nothing is pending: listing answered, rows on screen read, no job running,
    /// the open record read. Tests wait for this between steps.
    pub fn is_idle(&self) -> bool {
        self.opened.is_some()
            && !self.library.is_listing()
            && self.library.requested.is_empty()
            && self.jobs.is_empty()
            && self.record.as_ref().is_none_or(|r| r.detail.is_some())
            && !self.import.preview_pending
            && self.review.pending == 0
            && self.impact.pending == 0
    }

    fn new_job(&mut self, title: String, kind: JobKind) -> (u64, Arc<AtomicBool>) {
        let id = self.next_job;
        self.next_job += 1;
        let cancel = Arc::new(AtomicBool::new(false));
        self.jobs.insert(
            id,
            JobView {
                title,
                progress: String::new(),
                fraction: None,
                cancel: Arc::clone(&cancel),
                kind,
            },
        );
        (id, cancel)
    }

    fn notice(&mut self, text: impl Into<String>) {
        let text = text.into();
        if self.notices.last() != Some(&text) {
            self.notices.push(text);
        }
    }

    /// Carries out one user action.
    pub fn apply(&mut self, action: Action) {
        match action {
            Action::Relist => {
                self.library.requested_generation += 1;
                self.library.error = None;
                self.workers.list(ListRequest {
                    generation: self.library.requested_generation,
                    search: self.library.search.clone(),
                    filters: self.library.filters.clone(),
                    sort: self.library.sort,
                    descending: self.library.descending,
                    viewer: self.settings.reviewer.clone(),
                });
            }
            Action::SortBy(key) => {
                if self.library.sort == key {
                    self.library.descending = !self.library.descending;
                } else {
                    self.library.sort = key;
                    // Years read best newest first; everything else A to Z.
                    self.library.descending = key == SortKey::Column(LibraryColumn::Year);
                }
                self.apply(Action::Relist);
            }
            Action::OpenRecord(id) => {
                self.record = Some(RecordPane { id, detail: None });
                self.workers.rows(RowsCommand::Record {
                    id,
                    query: self.library.listing.as_ref().and_then(|l| l.query.clone()),
                });
            }
            Action::CloseRecord => self.record = None,
            Action::MoveCursor(delta) => {
                let count = self.library.ids().len();
                if count > 0 {
                    let current = self.library.cursor.map_or(-1, usize::cast_signed);
                    let next = (current + delta).clamp(0, count.cast_signed() - 1);
                    self.library.cursor = Some(next.cast_unsigned());
                    self.library.scroll_to_cursor = true;
                    // An open record follows the cursor.
                    if self.record.is_some() {
                        self.apply(Action::OpenCursor);
                    }
                }
            }
            Action::OpenCursor => {
                if let Some(id) = self
                    .library
                    .cursor
                    .and_then(|c| self.library.ids().get(c).copied())
                {
                    self.apply(Action::OpenRecord(id));
                }
            }
            Action::StartImport(paths) => self.start_import(paths),
            Action::CancelJob(job) => {
                if let Some(view) = self.jobs.get(&job) {
                    view.cancel.store(true, Ordering::Relaxed);
                }
            }
            Action::Pick(purpose) => dialogs::pick(purpose, self.workers.outbox()),
            Action::Export {
                path,
                format,
                labels,
                only_shown,
            } => self.start_export(path, format, labels, only_shown),
            Action::UndoMerge(merge) => {
                let (job, _) = self.new_job(format!("Undoing merge {merge}"), JobKind::Undo);
                let path = self.workers.path.clone();
                spawn_job("undo-merge", job, self.workers.outbox(), move |_| {
                    match ecolens_core::Project::open_existing(&path)
                        .and_then(|mut project| project.undo_merge(merge))
                    {
                        Ok(restored) => JobOutcome::MergeUndone(restored),
                        Err(error) => JobOutcome::Failed(format!(
                            "Merge {merge} could not be undone: {error}"
                        )),
                    }
                });
            }
            Action::Reindex => {
                let (job, cancel) =
                    self.new_job("Rebuilding the search index".into(), JobKind::Index);
                self.workers.sync(job, cancel, true);
            }
            Action::OpenProject(path) => self.switch_project(path, true),
            Action::NewProject(path) => {
                if path.exists() {
                    self.notice(format!(
                        "{} already exists. Choose Open project to open it, or another name.",
                        path.display()
                    ));
                } else {
                    self.switch_project(path, false);
                }
            }
            Action::OpenFile(path) => {
                if let Err(error) = dialogs::open_in_system_viewer(&path, self.workers.outbox()) {
                    self.notice(format!(
                        "{} could not be opened: {error}. Open it from your file manager.",
                        path.display()
                    ));
                }
            }
            Action::ShowProblem(problem) => {
                self.import.preview_pending = true;
                dialogs::show_problem(problem, self.workers.outbox());
            }
            Action::SetTheme(theme) => {
                self.settings.theme = theme;
                self.ctx.set_theme(match theme {
                    Theme::Dark => egui::Theme::Dark,
                    Theme::Light => egui::Theme::Light,
                });
            }
            Action::Review(action) => self.apply_review(action),
            Action::Impact(action) => self.apply_impact(action),
        }
    }

    /// Carries out what the review views asked for: view state here, reads and writes on the
    /// review thread.
    fn apply_review(&mut self, action: review::ReviewAction) {
        use review::{ReviewAction, View};
        use review_worker::ReviewCommand;
        let reviewer = self.settings.reviewer.clone();
        let needs_reviewer = |this: &mut Self| {
            if reviewer.is_none() {
                this.review.message = Some((
                    false,
                    "Choose who you are first (the reviewer picker at the top of the view).".into(),
                ));
            }
            reviewer.clone()
        };
        match action {
            ReviewAction::ShowView(view) => {
                let leaving_review = self.review.view != View::Library && view == View::Library;
                self.review.view = view;
                self.review.picking_reason = false;
                if leaving_review {
                    if std::mem::take(&mut self.review.library_stale) {
                        // Review data changed: the index's facets follow.
                        let (job, cancel) =
                            self.new_job("Updating the search index".into(), JobKind::Index);
                        self.workers.sync(job, cancel, false);
                    }
                    // The rows show the judgements of whoever is at the keyboard (while
                    // blind, only theirs): read again what is on screen.
                    self.library.rows.clear();
                    self.library.hits.clear();
                    self.apply(Action::Relist);
                }
                if view != View::Library {
                    self.refresh_review();
                    self.request_desk();
                }
                if view == View::Assess {
                    self.load_impact();
                }
            }
            ReviewAction::SetReviewer(name) => {
                self.settings.reviewer = Some(name);
                self.review.position = 0;
                self.review.card = None;
                // The forms held the previous reviewer's judgements: start afresh on the same
                // record.
                self.review.assess = assess::AssessState {
                    focus: self.review.assess.focus,
                    tree_path: std::mem::take(&mut self.review.assess.tree_path),
                    ..assess::AssessState::default()
                };
                self.refresh_review();
                self.request_desk();
                if self.review.view == View::Assess {
                    self.load_impact();
                }
            }
            ReviewAction::SetStage(stage) => {
                self.review.stage = stage;
                self.review.position = 0;
                self.review.card = None;
                self.refresh_review();
            }
            ReviewAction::Move(delta) => {
                let len = self.queue_len();
                if len > 0 {
                    let next = (self.review.position.cast_signed() + delta)
                        .clamp(0, len.cast_signed() - 1);
                    self.review.position = next.cast_unsigned();
                    self.review.advanced = false;
                    self.request_card();
                }
            }
            ReviewAction::Vote(decision) => {
                let (Some(name), Some(record)) = (needs_reviewer(self), self.review.current())
                else {
                    return;
                };
                self.review.picking_reason = false;
                let len = self.queue_len();
                self.review.advanced = self.review.position + 1 < len;
                if self.review.advanced {
                    // The next card is read before the vote is written (and the queue read
                    // again after it): the reviewer sees the next record without waiting.
                    self.review.position += 1;
                    self.request_card();
                }
                self.send_review(ReviewCommand::Vote {
                    record,
                    reviewer: name,
                    stage: self.review.stage,
                    decision,
                });
            }
            ReviewAction::PickReason => self.review.picking_reason = true,
            ReviewAction::Classify(category) => {
                let (Some(name), Some(record)) = (needs_reviewer(self), self.review.current())
                else {
                    return;
                };
                self.send_review(ReviewCommand::Classify {
                    record,
                    reviewer: name,
                    category,
                });
                self.request_card();
            }
            ReviewAction::Undo => {
                let Some(name) = needs_reviewer(self) else {
                    return;
                };
                self.send_review(ReviewCommand::Undo { reviewer: name });
                if std::mem::take(&mut self.review.advanced) {
                    self.review.position = self.review.position.saturating_sub(1);
                }
                self.request_card();
            }
            ReviewAction::AddReviewer { name, lead } => {
                self.send_review(ReviewCommand::AddReviewer { name, lead });
            }
            ReviewAction::SetBlind(on) => {
                if let Some(lead) = needs_reviewer(self) {
                    self.send_review(ReviewCommand::SetBlind { lead, on });
                }
            }
            ReviewAction::SetRule(rule) => {
                if let Some(lead) = needs_reviewer(self) {
                    self.send_review(ReviewCommand::SetRule { lead, rule });
                }
            }
            ReviewAction::Resolve {
                record,
                subject,
                value,
            } => {
                if let Some(lead) = needs_reviewer(self) {
                    self.send_review(ReviewCommand::Resolve {
                        lead,
                        record,
                        subject,
                        value,
                    });
                }
            }
            ReviewAction::ExportPrisma => self.apply(Action::Pick(PickPurpose::PrismaSvg)),
            ReviewAction::Focus(record) => {
                self.review.assess.focus = Some(record);
                self.request_desk();
                if self.review.view == View::Assess {
                    self.load_impact();
                }
            }
            ReviewAction::Open { record, view } => {
                self.review.assess.focus = Some(record);
                self.apply_review(ReviewAction::ShowView(view));
            }
            ReviewAction::SaveClassification(classification) => {
                if let (Some(reviewer), Some(record)) =
                    (needs_reviewer(self), self.review.assess.focus)
                {
                    self.review.assess.saving = Some(assess::Saving::Classification);
                    self.send_review(ReviewCommand::SaveClassification {
                        record,
                        reviewer,
                        classification,
                    });
                }
            }
            ReviewAction::SetLabel {
                vocabulary,
                code,
                on,
            } => {
                if let (Some(reviewer), Some(record)) =
                    (needs_reviewer(self), self.review.assess.focus)
                {
                    self.send_review(ReviewCommand::SetLabel {
                        record,
                        reviewer,
                        vocabulary,
                        code,
                        on,
                    });
                }
            }
            ReviewAction::SaveRisk { id, risk } => {
                if let (Some(reviewer), Some(record)) =
                    (needs_reviewer(self), self.review.assess.focus)
                {
                    self.review.assess.saving = Some(assess::Saving::Risk);
                    self.send_review(ReviewCommand::SaveRisk {
                        record,
                        reviewer,
                        id,
                        risk,
                    });
                }
            }
            ReviewAction::DeleteRisk(id) => {
                if let Some(reviewer) = needs_reviewer(self) {
                    self.send_review(ReviewCommand::DeleteRisk { reviewer, id });
                }
            }
            ReviewAction::SetRoot(root) => {
                if let (Some(reviewer), Some(record)) =
                    (needs_reviewer(self), self.review.assess.focus)
                {
                    self.send_review(ReviewCommand::SetRoot {
                        record,
                        reviewer,
                        root,
                    });
                }
            }
            ReviewAction::ExportTree(path) => {
                if let (Some(reviewer), Some(record)) =
                    (needs_reviewer(self), self.review.assess.focus)
                {
                    self.send_review(ReviewCommand::ExportTree {
                        record,
                        reviewer,
                        path,
                    });
                }
            }
            ReviewAction::ExportBundle(path) => {
                if let Some(reviewer) = needs_reviewer(self) {
                    self.send_review(ReviewCommand::ExportBundle { reviewer, path });
                }
            }
            ReviewAction::ImportBundle(path) => {
                self.send_review(ReviewCommand::ImportBundle { path });
            }
            ReviewAction::PickTreePath => self.apply(Action::Pick(PickPurpose::TreeFile)),
            ReviewAction::PickBundleOut => self.apply(Action::Pick(PickPurpose::BundleOut)),
            ReviewAction::PickBundleIn => self.apply(Action::Pick(PickPurpose::BundleIn)),
            ReviewAction::Refuse(why) => self.review.message = Some((false, why)),
        }
    }

    /// Asks for the record in focus of the Classify and Rebound views.
    fn request_desk(&mut self) {
        if let (Some(reviewer), Some(record)) =
            (self.settings.reviewer.clone(), self.review.assess.focus)
            && matches!(
                self.review.view,
                review::View::Classify | review::View::Rebound
            )
        {
            self.send_review(review_worker::ReviewCommand::Desk { record, reviewer });
        }
    }

    /// Sends a request to the review thread; each is answered by one event.
    fn send_review(&mut self, command: review_worker::ReviewCommand) {
        self.review.pending += 1;
        self.workers.review(command);
    }

    /// Records in the screening queue read last.
    fn queue_len(&self) -> usize {
        self.review
            .snapshot
            .as_ref()
            .and_then(|s| s.queue.as_ref())
            .map_or(0, Vec::len)
    }

    /// Asks the review thread for the state of the views.
    fn refresh_review(&mut self) {
        self.send_review(review_worker::ReviewCommand::Refresh {
            reviewer: self.settings.reviewer.clone(),
            stage: self.review.stage,
            view: self.review.view,
        });
    }

    /// Asks for the record at the screening position.
    fn request_card(&mut self) {
        if let (Some(reviewer), Some(record)) =
            (self.settings.reviewer.clone(), self.review.current())
        {
            self.send_review(review_worker::ReviewCommand::Card {
                record,
                reviewer,
                stage: self.review.stage,
            });
        }
    }

    fn switch_project(&mut self, path: PathBuf, with_demo: bool) {
        if self.jobs.values().any(|job| job.kind != JobKind::Index) {
            self.notice("A job is still running in this project. Wait for it or cancel it, then switch projects.");
            return;
        }
        for job in self.jobs.values() {
            job.cancel.store(true, Ordering::Relaxed);
        }
        self.jobs.clear();
        self.workers = Workers::start(path, with_demo, &self.ctx);
        self.opened = None;
        self.record = None;
        self.review = review::ReviewState {
            view: self.review.view,
            ..review::ReviewState::default()
        };
        self.impact = impact::ImpactState::default();
        self.source_files.clear();
        self.library = LibraryState {
            sort: self.library.sort,
            descending: self.library.descending,
            ..LibraryState::default()
        };
        self.apply(Action::Relist);
    }

    fn start_import(&mut self, paths: Vec<PathBuf>) {
        if paths.is_empty() {
            return;
        }
        if self.jobs.values().any(|job| job.kind == JobKind::Import) {
            self.notice("An import is already running. Wait for it to finish, or cancel it.");
            return;
        }
        let title = match paths.as_slice() {
            [one] => format!(
                "Importing {}",
                one.file_name().map_or_else(
                    || one.display().to_string(),
                    |n| n.to_string_lossy().into_owned()
                )
            ),
            many => format!("Importing {} files and folders", many.len()),
        };
        let (job, cancel) = self.new_job(title, JobKind::Import);
        self.import.open = true;
        self.import.report = None;
        self.import.preview = None;
        let project_path = self.workers.path.clone();
        let pdf = self
            .options
            .pdf_program
            .clone()
            .map(crate::corpus_commands::pdf_setup_for);
        let labels_as_votes = self.import.labels_as_votes;
        spawn_job("import", job, self.workers.outbox(), move |outbox| {
            let mut project = match ecolens_core::Project::open_existing(&project_path) {
                Ok(project) => project,
                Err(error) => {
                    return JobOutcome::Failed(format!("The project cannot be opened: {error}"));
                }
            };
            let progress = |p: &ecolens_corpus::import::ImportProgress| {
                #[allow(clippy::cast_precision_loss)]
                let fraction = if p.pdfs_total > 0 && p.files_total == 0 {
                    Some(p.pdfs_done as f32 / p.pdfs_total as f32)
                } else if p.files_total > 0 {
                    Some(p.files_done as f32 / p.files_total as f32)
                } else {
                    None
                };
                outbox.send(Event::Progress {
                    job,
                    text: crate::corpus_commands::progress_line(p),
                    fraction,
                });
            };
            let options = ImportOptions {
                threads: crate::corpus_commands::worker_threads(),
                cancel: &cancel,
                progress: &progress,
                labels_as_votes,
                pdf: pdf.as_ref(),
            };
            let result = ecolens_corpus::import::import_paths(&mut project, &paths, &options);
            let _ = project.end_import();
            match result {
                Ok(report) => JobOutcome::Imported(Box::new(report)),
                Err(error) => {
                    JobOutcome::Failed(format!("The import stopped and wrote nothing: {error}"))
                }
            }
        });
    }

    fn start_export(
        &mut self,
        path: PathBuf,
        format: ExportFormat,
        labels: LabelStyle,
        only_shown: bool,
    ) {
        let only: Option<Vec<RecordId>> = only_shown.then(|| {
            let mut ids = self.library.ids().to_vec();
            ids.sort_unstable();
            ids
        });
        let (job, _) = self.new_job(format!("Exporting to {}", path.display()), JobKind::Export);
        let project_path = self.workers.path.clone();
        spawn_job("export", job, self.workers.outbox(), move |_| {
            let project = match ecolens_core::Project::open_existing(&project_path) {
                Ok(project) => project,
                Err(error) => {
                    return JobOutcome::Failed(format!("The project cannot be opened: {error}"));
                }
            };
            match ecolens_corpus::export::export_file(
                &project,
                &path,
                format,
                labels,
                only.as_deref(),
            ) {
                Ok(report) => JobOutcome::Exported(report),
                Err(error) => JobOutcome::Failed(format!(
                    "The export failed and left no file behind: {error}"
                )),
            }
        });
    }

    /// Folds what the background threads sent into the view state.
    pub fn receive(&mut self) {
        while let Ok(event) = self.workers.events.try_recv() {
            self.handle(event);
        }
    }

    fn handle(&mut self, event: Event) {
        match event {
            Event::Opened { path, created } => {
                if created {
                    self.notice(format!("Created the project {}.", path.display()));
                }
                self.settings.recent_projects.retain(|p| p != &path);
                self.settings.recent_projects.insert(0, path.clone());
                self.settings.recent_projects.truncate(MAX_RECENT);
                self.opened = Some(path);
                self.refresh_review();
                // The index may lag behind the project (a new project, a CLI import, a
                // crash): bring it up to date before anything is searched.
                let (job, cancel) =
                    self.new_job("Updating the search index".into(), JobKind::Index);
                self.workers.sync(job, cancel, false);
            }
            Event::OpenFailed(message) => {
                self.library.error = Some(message.clone());
                self.notice(format!(
                    "The project could not be opened: {message}. Open another project from the Project menu."
                ));
            }
            Event::Listed(listing) => {
                if listing.generation >= self.library.requested_generation {
                    let same_query = self
                        .library
                        .listing
                        .as_ref()
                        .is_some_and(|old| old.query == listing.query);
                    if !same_query {
                        self.library.hits.clear();
                    }
                    self.library.cursor = self.library.cursor.filter(|c| *c < listing.ids.len());
                    self.library.listing = Some(listing);
                }
            }
            Event::ListFailed {
                generation,
                message,
            } => {
                if generation >= self.library.requested_generation {
                    self.library.error = Some(message);
                }
            }
            Event::SourceFiles(files) => self.source_files = files,
            Event::Rows {
                rows,
                hits,
                query_generation,
            } => {
                if self.library.rows.len() > ROW_CACHE {
                    let old = (
                        std::mem::take(&mut self.library.rows),
                        std::mem::take(&mut self.library.hits),
                    );
                    self.workers.rows(RowsCommand::Discard(Box::new(old)));
                }
                for row in rows {
                    self.library.requested.remove(&row.id);
                    self.library.rows.insert(row.id, row);
                }
                let current = self.library.listing.as_ref().map_or(0, |l| l.generation);
                if query_generation == current {
                    for hit in hits {
                        self.library.hits.insert(hit.id, hit);
                    }
                }
                // Ids that no longer exist come back without a row: stop waiting for them.
                self.library.requested.clear();
            }
            Event::Notice(message) => {
                // Rows that failed will not come: stop waiting for them.
                self.library.requested.clear();
                self.notice(message);
            }
            Event::Record(detail) => {
                if let Some(pane) = &mut self.record
                    && pane.id == detail.stored.id
                {
                    pane.detail = Some(detail);
                }
            }
            Event::RecordFailed { id, message } => {
                if self.record.as_ref().is_some_and(|p| p.id == id) {
                    self.record = None;
                }
                self.notice(format!(
                    "Record {id} could not be opened: {message}. It may have been merged or undone meanwhile; search for it again."
                ));
            }
            Event::Progress {
                job,
                text,
                fraction,
            } => {
                if let Some(view) = self.jobs.get_mut(&job) {
                    view.progress = text;
                    view.fraction = fraction;
                }
            }
            Event::Finished { job, outcome } => self.finished(job, outcome),
            Event::Picked { purpose, paths } => self.picked(purpose, paths),
            Event::Preview(preview) => {
                self.import.preview_pending = false;
                self.import.preview = Some(preview);
            }
            Event::Review(event) => self.review_event(event),
            Event::Impact(event) => self.impact_event(event),
        }
    }

    fn review_event(&mut self, event: review_worker::ReviewEvent) {
        use review_worker::ReviewEvent;
        self.review.pending = self.review.pending.saturating_sub(1);
        match event {
            ReviewEvent::State(snapshot) => self.review_snapshot(snapshot),
            ReviewEvent::Card(card) => {
                if Some(card.record) == self.review.current() && card.stage == self.review.stage {
                    self.review.card = Some(card);
                }
            }
            ReviewEvent::Desk(desk) => {
                if Some(desk.record) == self.review.assess.focus
                    && Some(&desk.reviewer) == self.settings.reviewer.as_ref()
                {
                    self.review.assess.receive(desk);
                }
            }
            ReviewEvent::Written(message, snapshot) => {
                self.review.library_stale = true;
                self.review.message = Some((true, message));
                self.review.assess.saved();
                if let Some(snapshot) = snapshot {
                    self.review_snapshot(snapshot);
                }
                self.request_card();
                self.request_desk();
            }
            ReviewEvent::Failed(message) => {
                self.review.advanced = false;
                self.review.assess.saving = None;
                self.review.message = Some((false, message));
            }
        }
    }

    fn review_snapshot(&mut self, snapshot: Box<review_worker::ReviewSnapshot>) {
        {
            // A reviewer who is not (or no longer) in the project is forgotten.
            if let Some(name) = &self.settings.reviewer
                && !snapshot.reviewers.iter().any(|r| &r.name == name)
            {
                self.settings.reviewer = None;
            }
            // Views other than Screening read no queue: the position waits for the next one.
            if let Some(len) = snapshot.queue.as_ref().map(Vec::len)
                && self.review.position >= len
            {
                self.review.position = len.saturating_sub(1);
            }
            // The Classify and Rebound views start on the first record to work on.
            if self.review.assess.focus.is_none() {
                let first = match self.review.view {
                    review::View::Classify => snapshot.classify_queue.as_ref().and_then(|q| {
                        q.iter()
                            .find(|item| item.own.is_none())
                            .or_else(|| q.first())
                            .map(|item| item.record)
                    }),
                    review::View::Rebound => snapshot
                        .risk_records
                        .as_ref()
                        .and_then(|r| r.first())
                        .map(|r| r.record),
                    _ => None,
                };
                if let Some(first) = first {
                    self.review.assess.focus = Some(first);
                    self.request_desk();
                }
            }
            self.review.snapshot = Some(snapshot);
            if self.review.view == review::View::Screening
                && self.review.card.as_ref().map(|c| c.record) != self.review.current()
            {
                self.request_card();
            }
        }
    }

    fn finished(&mut self, job: u64, outcome: JobOutcome) {
        let view = self.jobs.remove(&job);
        if self.impact.running == Some(job) {
            self.impact.running = None;
        }
        let changed_data = match outcome {
            JobOutcome::Imported(report) => {
                let changed = report.import_id.is_some();
                if report.cancelled {
                    self.notice("The import was cancelled; nothing was written.");
                }
                self.import.report = Some(*report);
                self.import.open = true;
                changed
            }
            JobOutcome::Exported(report) => {
                self.export.outcome = Some(format!(
                    "Wrote {} records to {} ({} bytes).",
                    report.records,
                    report.path.display(),
                    report.bytes
                ));
                false
            }
            JobOutcome::Indexed(report) => {
                // The index changed: list again, rows may have new review state. An index
                // that was already up to date changes nothing on screen.
                if report.rebuilt || report.records_indexed > 0 {
                    self.library.rows.clear();
                    self.library.hits.clear();
                    self.apply(Action::Relist);
                }
                false
            }
            JobOutcome::Lca(outcome) => {
                self.impact.result = Some(outcome);
                false
            }
            JobOutcome::MergeUndone(restored) => {
                self.notice(format!(
                    "The merge was undone; the duplicate is record {restored} again."
                ));
                true
            }
            JobOutcome::Cancelled => {
                if let Some(view) = &view {
                    self.notice(format!("{}: cancelled.", view.title));
                }
                false
            }
            JobOutcome::Failed(message) => {
                if view.as_ref().is_some_and(|v| v.kind == JobKind::Export) {
                    self.export.outcome = Some(message.clone());
                }
                self.notice(message);
                false
            }
        };
        if changed_data {
            let (job, cancel) = self.new_job("Updating the search index".into(), JobKind::Index);
            self.workers.sync(job, cancel, false);
            if let Some(id) = self.record.as_ref().map(|r| r.id) {
                self.apply(Action::OpenRecord(id));
            }
        }
    }

    fn picked(&mut self, purpose: PickPurpose, paths: Vec<PathBuf>) {
        if paths.is_empty() {
            return;
        }
        match purpose {
            PickPurpose::ImportFiles | PickPurpose::ImportFolder => {
                for path in paths {
                    if !self.import.queued.contains(&path) {
                        self.import.queued.push(path);
                    }
                }
                self.import.open = true;
            }
            PickPurpose::ExportTo => {
                if let Some(path) = paths.into_iter().next() {
                    self.export.path = path.display().to_string();
                }
            }
            PickPurpose::OpenProject => {
                if let Some(path) = paths.into_iter().next() {
                    self.apply(Action::OpenProject(path));
                }
            }
            PickPurpose::NewProject => {
                if let Some(path) = paths.into_iter().next() {
                    self.apply(Action::NewProject(path));
                }
            }
            PickPurpose::PrismaSvg => {
                if let Some(path) = paths.into_iter().next() {
                    self.send_review(review_worker::ReviewCommand::ExportPrisma { path });
                }
            }
            PickPurpose::TraceFile => {
                if let Some(path) = paths.into_iter().next() {
                    self.impact.trace_path = path.display().to_string();
                    self.apply_impact(impact::ImpactAction::AttachTyped);
                }
            }
            PickPurpose::ReportOut => {
                if let Some(path) = paths.into_iter().next() {
                    self.impact.report_path = path.display().to_string();
                }
            }
            PickPurpose::TreeFile | PickPurpose::BundleOut | PickPurpose::BundleIn => {
                if let Some(path) = paths.into_iter().next() {
                    let field = match purpose {
                        PickPurpose::TreeFile => &mut self.review.assess.tree_path,
                        PickPurpose::BundleOut => &mut self.review.bundle_out,
                        _ => &mut self.review.bundle_in,
                    };
                    *field = path.display().to_string();
                }
            }
        }
    }

    /// Keyboard shortcuts of the library; none while a text field has the keyboard.
    fn keyboard(&mut self, ctx: &egui::Context, actions: &mut Vec<Action>) {
        let typing = ctx.egui_wants_keyboard_input();
        if self.review.view != review::View::Library {
            ctx.input_mut(|input| {
                if input.consume_key(egui::Modifiers::NONE, egui::Key::F1) {
                    self.show_help = !self.show_help;
                }
            });
            if self.review.view == review::View::Screening && !typing {
                review::screening_keys(ctx, &mut self.review, actions);
            }
            return;
        }
        ctx.input_mut(|input| {
            if input.consume_key(egui::Modifiers::COMMAND, egui::Key::F) {
                self.focus_search = true;
            }
            if input.consume_key(egui::Modifiers::NONE, egui::Key::F1) {
                self.show_help = !self.show_help;
            }
            if typing {
                return;
            }
            if input.consume_key(egui::Modifiers::NONE, egui::Key::Slash) {
                self.focus_search = true;
            }
            let moves = [
                (egui::Key::ArrowDown, 1),
                (egui::Key::J, 1),
                (egui::Key::ArrowUp, -1),
                (egui::Key::K, -1),
                (egui::Key::PageDown, 20),
                (egui::Key::PageUp, -20),
                (egui::Key::Home, isize::MIN / 2),
                (egui::Key::End, isize::MAX / 2),
            ];
            for (key, delta) in moves {
                if input.consume_key(egui::Modifiers::NONE, key) {
                    actions.push(Action::MoveCursor(delta));
                }
            }
            if input.consume_key(egui::Modifiers::NONE, egui::Key::Enter) {
                actions.push(Action::OpenCursor);
            }
            if input.consume_key(egui::Modifiers::NONE, egui::Key::Escape) {
                if self.show_help {
                    self.show_help = false;
                } else if self.record.is_some() {
                    actions.push(Action::CloseRecord);
                }
            }
            if input.consume_key(egui::Modifiers::SHIFT, egui::Key::Questionmark)
                || input.consume_key(egui::Modifiers::NONE, egui::Key::Questionmark)
            {
                self.show_help = !self.show_help;
            }
        });
    }

    fn dropped_files(ctx: &egui::Context, actions: &mut Vec<Action>) {
        let dropped: Vec<PathBuf> = ctx.input(|i| {
            i.raw
                .dropped_files
                .iter()
                .map(|file| file.path().to_path_buf())
                .filter(|path| !path.as_os_str().is_empty())
                .collect()
        });
        if !dropped.is_empty() {
            actions.push(Action::StartImport(dropped));
        }
    }

    fn top_bar_ui(&mut self, ui: &mut egui::Ui, actions: &mut Vec<Action>) {
        ui.horizontal(|ui| {
            ui.heading("ecolens");
            ui.separator();
            for view in review::View::ALL {
                if ui
                    .selectable_label(self.review.view == view, view.label())
                    .clicked()
                    && self.review.view != view
                {
                    actions.push(Action::Review(review::ReviewAction::ShowView(view)));
                }
            }
            ui.separator();
            dialogs::project_menu(ui, &self.settings.recent_projects, actions);
            if ui.button("Import…").clicked() {
                self.import.open = true;
            }
            if ui.button("Export…").clicked() {
                self.export.open = true;
            }
            if ui
                .button("Reindex")
                .on_hover_text("Rebuild the search index from the project")
                .clicked()
            {
                actions.push(Action::Reindex);
            }
            ui.separator();
            let (label, other) = match self.settings.theme {
                Theme::Dark => ("Light theme", Theme::Light),
                Theme::Light => ("Dark theme", Theme::Dark),
            };
            if ui.button(label).clicked() {
                actions.push(Action::SetTheme(other));
            }
            if ui
                .button("Help")
                .on_hover_text("Keyboard shortcuts and search syntax (F1)")
                .clicked()
            {
                self.show_help = !self.show_help;
            }
        });
    }

    fn status_bar_ui(&mut self, ui: &mut egui::Ui, actions: &mut Vec<Action>) {
        ui.horizontal(|ui| {
            match &self.opened {
                Some(path) => ui.label(format!("Project: {}", path.display())),
                None => ui.label(format!("Opening {}…", self.workers.path.display())),
            };
            ui.separator();
            let total = self.library.total_records();
            let shown = self.library.ids().len();
            if self.library.is_filtered() {
                ui.label(format!("{shown} of {total} records"));
            } else {
                ui.label(format!("{total} records"));
            }
            if let Some(listing) = &self.library.listing {
                ui.weak(format!("listed in {} ms", listing.elapsed.as_millis()));
            }
            for (id, job) in &self.jobs {
                ui.separator();
                ui.spinner();
                ui.label(format!("{}: {}", job.title, job.progress));
                if let Some(fraction) = job.fraction {
                    ui.add(egui::ProgressBar::new(fraction).desired_width(120.0));
                }
                if matches!(
                    job.kind,
                    JobKind::Import | JobKind::Index | JobKind::MonteCarlo
                ) && ui.small_button("Cancel").clicked()
                {
                    actions.push(Action::CancelJob(*id));
                }
            }
        });
        if !self.notices.is_empty() {
            let mut dismiss = None;
            for (at, notice) in self.notices.iter().enumerate() {
                ui.horizontal(|ui| {
                    ui.colored_label(ui.visuals().warn_fg_color, notice);
                    if ui.small_button("Dismiss").clicked() {
                        dismiss = Some(at);
                    }
                });
            }
            if let Some(at) = dismiss {
                self.notices.remove(at);
            }
        }
    }

    /// Draws one frame's worth of the whole window and returns what the user asked for.
    fn draw(&mut self, ui: &mut egui::Ui) -> Vec<Action> {
        let mut actions = Vec::new();
        let ctx = ui.ctx().clone();
        self.keyboard(&ctx, &mut actions);
        Self::dropped_files(&ctx, &mut actions);
        egui::Panel::top("top_bar").show(ui, |ui| self.top_bar_ui(ui, &mut actions));
        egui::Panel::bottom("status_bar").show(ui, |ui| self.status_bar_ui(ui, &mut actions));
        if self.review.view != review::View::Library {
            let reviewer = self.settings.reviewer.clone();
            egui::CentralPanel::default().show(ui, |ui| {
                // One line, always there, so the view does not jump when a message comes.
                match &self.review.message {
                    Some((ok, message)) => {
                        let color = if *ok {
                            ui.visuals().weak_text_color()
                        } else {
                            ui.visuals().error_fg_color
                        };
                        ui.colored_label(color, message);
                    }
                    None => {
                        ui.label(" ");
                    }
                }
                match self.review.view {
                    review::View::Screening => {
                        review::screening_ui(ui, &self.review, reviewer.as_deref(), &mut actions);
                    }
                    review::View::Team => {
                        review::team_ui(ui, &mut self.review, reviewer.as_deref(), &mut actions);
                    }
                    review::View::Classify => {
                        assess::classify_ui(
                            ui,
                            &mut self.review,
                            reviewer.as_deref(),
                            &mut actions,
                        );
                    }
                    review::View::Rebound => {
                        assess::rebound_ui(ui, &mut self.review, reviewer.as_deref(), &mut actions);
                    }
                    review::View::Prisma => review::prisma_ui(ui, &self.review, &mut actions),
                    review::View::Assess => impact::impact_ui(
                        ui,
                        &mut self.impact,
                        self.review.assess.focus,
                        &mut actions,
                    ),
                    review::View::Library => {}
                }
            });
            if self.show_help {
                dialogs::help_window(&ctx, &mut self.show_help);
            }
            return actions;
        }
        egui::Panel::left("filters")
            .resizable(true)
            .default_size(210.0)
            .show(ui, |ui| {
                if library::filters_ui(ui, &mut self.library.filters, &self.source_files) {
                    actions.push(Action::Relist);
                }
            });
        if let Some(pane) = &self.record {
            egui::Panel::right("record")
                .resizable(true)
                .default_size(420.0)
                .show(ui, |ui| record::record_ui(ui, pane, &mut actions));
        }
        egui::CentralPanel::default().show(ui, |ui| {
            let wanted = library::library_ui(
                ui,
                &mut self.library,
                &mut self.settings.columns,
                self.record.as_ref().map(|r| r.id),
                std::mem::take(&mut self.focus_search),
                &mut actions,
            );
            if !wanted.is_empty() {
                let query = self
                    .library
                    .listing
                    .as_ref()
                    .and_then(|l| l.query.clone().map(|q| (q, l.generation)));
                let scores = self.library.listing.as_ref().and_then(|l| l.scores.clone());
                self.library.requested.extend(wanted.iter().copied());
                self.workers.rows(RowsCommand::Rows {
                    ids: wanted,
                    query,
                    scores,
                    viewer: self.settings.reviewer.clone(),
                });
            }
        });
        dialogs::import_window(&ctx, &mut self.import, &self.jobs, &mut actions);
        dialogs::export_window(
            &ctx,
            &mut self.export,
            self.library.total_records(),
            self.library.ids().len(),
            self.library.is_filtered(),
            &mut actions,
        );
        if self.show_help {
            dialogs::help_window(&ctx, &mut self.show_help);
        }
        dialogs::drop_overlay(&ctx);
        actions
    }

    /// Rows on screen asked for and not yet read (placeholders shown).
    pub fn rows_pending(&self) -> usize {
        self.library.requested.len()
    }

    /// Runs one frame: receive, draw, apply. eframe calls it through [`eframe::App::ui`];
    /// the window benchmark calls it directly on a bare [`egui::Context`].
    pub fn frame(&mut self, ui: &mut egui::Ui) {
        self.receive();
        let actions = self.draw(ui);
        for action in actions {
            self.apply(action);
        }
        if !self.jobs.is_empty() || self.library.is_listing() {
            // Spinners move; events also request repaints.
            ui.ctx()
                .request_repaint_after(std::time::Duration::from_millis(100));
        }
    }
}

impl eframe::App for Workbench {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        self.frame(ui);
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        // The library's view state is the truth while running; settings take it when saved.
        self.settings.search.clone_from(&self.library.search);
        self.settings.filters.clone_from(&self.library.filters);
        self.settings.sort = self.library.sort;
        self.settings.descending = self.library.descending;
        eframe::set_value(storage, SETTINGS_KEY, &self.settings);
    }
}

/// Opens the workbench window on the project at `path` (created, with the demo corpus unless
/// `with_demo` is false, if it does not exist) — or, with `reopen_last`, on the project used
/// last if it still exists — and runs until the window closes.
pub fn run_window(path: &Path, with_demo: bool, reopen_last: bool) -> Result<()> {
    let options = WorkbenchOptions {
        project: path.to_owned(),
        with_demo,
        pdf_program: std::env::current_exe().ok(),
        reopen_last,
    };
    let native = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("ecolens")
            .with_inner_size([1280.0, 800.0])
            .with_min_inner_size([720.0, 420.0])
            .with_drag_and_drop(true),
        // Window state lives beside the default project, so ECOLENS_DATA_DIR moves both.
        persistence_path: crate::location::data_dir().ok(),
        ..Default::default()
    };
    eframe::run_native(
        "ecolens",
        native,
        Box::new(move |cc| Ok(Box::new(Workbench::new(&cc.egui_ctx, cc.storage, options)))),
    )
    .map_err(|error| anyhow!("cannot open the workbench window: {error}"))
}
