//! The workbench window: the Library (search, filters, a virtualised table, the open record,
//! import and export dialogs) and the tabs (Screening, Classify, Rebound, Assess, Team,
//! PRISMA), a status bar with running jobs.
//!
//! The pattern every view follows:
//! - the [`Workbench`] holds view state only (what is typed, what is selected, what the
//!   threads sent); it never opens the project itself;
//! - drawing code reads that state and pushes [`Action`]s; after the frame,
//!   [`Workbench::apply`] carries them out, in one place;
//! - anything that reads or writes the project runs on a background thread ([`worker`],
//!   [`review_worker`], [`assess::worker`]) through the use-case layer
//!   ([`crate::service`]): requests go out over channels, typed results come back as
//!   [`worker::Event`]s, which [`Workbench::receive`] folds into the view state at the start of
//!   the next frame. A frame therefore never waits for the disk, an import or the index.
//!
//! Each tab is a module with its own state, actions, apply and answers ([`tab::Tab`]); the
//! list of tabs is [`tabs`]. What they share, the reviewer at the keyboard and the record in
//! focus, is the [`session::Session`].

pub mod assess;
pub mod classify;
pub mod desk;
mod dialogs;
pub mod hub;
mod library;
mod path_field;
pub mod prisma;
pub mod rebound;
mod record;
pub mod record_edit;
pub mod review_worker;
pub mod screening;
pub mod session;
mod style;
pub mod tab;
pub mod tabs;
pub mod team;
mod widgets;
mod words;
pub mod worker;
pub mod workshop;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::{Result, anyhow};
use ecolens_core::{LibraryColumn, LibraryRow, MergeId, RecordId, SourceFile};
use ecolens_corpus::export::{ExportFormat, LabelStyle};
use ecolens_corpus::import::{ImportReport, LocatedProblem};
use ecolens_corpus::index::Hit;
use eframe::egui;

pub use library::Filters;
use session::Session;
use tab::{Io, Pending, ReviewAnswer, Status};
pub use tabs::View;
use tabs::{TabAction, Tabs};
use worker::{
    Event, JobOutcome, ListRequest, Listing, PickPurpose, RecordDetail, RowsCommand, SortKey,
    Workers, on_project, spawn_job,
};

use crate::service::{self, Front, describe};

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
    /// Add the demo corpus to the project.
    AddDemo,
    /// Open the Join a hub window.
    OpenJoinHub,
    /// Join the hub at this connection string.
    JoinHub(String),
    /// Sync the working copy with its hub now.
    SyncHub,
    /// Switch blind mode (`blind`) or leads-see-all (`leads_see_all`) on the hub (a lead).
    HubSwitch {
        /// Which setting.
        setting: &'static str,
        /// On or off.
        on: bool,
    },
    /// Invite a reviewer to the hub (a lead, where the hub was created).
    HubInvite {
        /// Their name.
        name: String,
        /// Make them a lead.
        lead: bool,
    },
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
    /// Show a tab.
    ShowView(View),
    /// The reviewer at the keyboard (by name).
    SetReviewer(String),
    /// Work on this record in the Classify, Rebound and Assess tabs.
    Focus(RecordId),
    /// Nothing is in focus (the record asked for could not be read).
    Unfocus,
    /// Show a record in one of those tabs.
    Open {
        /// Which record.
        record: RecordId,
        /// Which tab.
        view: View,
    },
    /// Edit the open record.
    EditRecord,
    /// Enter a record by hand.
    NewEntry,
    /// Save what the record editor holds.
    SaveRecord,
    /// Leave the record editor without saving.
    CancelEdit,
    /// Something a tab asked for.
    Tab(TabAction),
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
    /// The user's saved hub connections (`None`: `hubs.json` in the data directory).
    pub hub_credentials: Option<PathBuf>,
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

/// What a job does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobKind {
    /// An import.
    Import,
    /// An export.
    Export,
    /// Bringing the index up to date.
    Index,
    /// Undoing a merge.
    Undo,
    /// Saving an edited record or a new entry.
    SaveRecord,
    /// A Monte Carlo evaluation.
    MonteCarlo,
    /// Joining or syncing with the team hub.
    Hub,
    /// Reading, saving or exporting a workshop.
    Workshop,
}

impl JobKind {
    /// The name of the job's thread (`ecolens-…`).
    pub fn thread(self) -> &'static str {
        match self {
            Self::Import => "import",
            Self::Export => "export",
            Self::Index => "index",
            Self::Undo => "undo-merge",
            Self::SaveRecord => "save-record",
            Self::MonteCarlo => "montecarlo",
            Self::Hub => "hub-sync",
            Self::Workshop => "workshop",
        }
    }

    /// Whether the status bar offers to cancel it.
    fn cancellable(self) -> bool {
        matches!(self, Self::Import | Self::Index | Self::MonteCarlo)
    }
}

/// The jobs running, by id.
#[derive(Debug, Default)]
pub struct Jobs {
    running: BTreeMap<u64, JobView>,
    next: u64,
}

impl Jobs {
    /// Registers a new job; returns its id and its cancel flag.
    pub fn start(&mut self, title: String, kind: JobKind) -> (u64, Arc<AtomicBool>) {
        self.next += 1;
        let id = self.next;
        let cancel = Arc::new(AtomicBool::new(false));
        self.running.insert(
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

    fn any(&self, kind: JobKind) -> bool {
        self.running.values().any(|job| job.kind == kind)
    }
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
    /// Why the last listing failed (a query error with its column), in words.
    pub error: Option<String>,
    rows: HashMap<RecordId, LibraryRow>,
    hits: HashMap<RecordId, Hit>,
    requested: HashSet<RecordId>,
    /// Row index of the keyboard cursor.
    pub cursor: Option<usize>,
    scroll_to_cursor: bool,
    /// Review data changed since the library last listed: sync the index on return.
    stale: bool,
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
    /// The editor, while the record is being edited.
    pub editor: Option<record_edit::RecordEditor>,
}

/// The workbench application.
pub struct Workbench {
    options: WorkbenchOptions,
    workers: Workers,
    /// The project's file, once opened.
    opened: Option<PathBuf>,
    /// Remembered between runs.
    pub settings: Settings,
    /// The settings as last handed to eframe's storage (`None`: not yet saved this run).
    saved: Option<Settings>,
    /// What the tabs share: the team, the reviewer at the keyboard, the record in focus.
    pub session: Session,
    /// The tab shown.
    pub view: View,
    /// The library view.
    pub library: LibraryState,
    /// The record view.
    pub record: Option<RecordPane>,
    /// A record being entered by hand.
    pub entry: Option<record_edit::RecordEditor>,
    /// Every other tab.
    pub tabs: Tabs,
    /// What the last request of a tab did, or why not (one line above the tabs).
    pub status: Option<Status>,
    pending: Pending,
    source_files: Vec<SourceFile>,
    jobs: Jobs,
    import: dialogs::ImportDialog,
    export: dialogs::ExportDialog,
    show_help: bool,
    focus_search: bool,
    /// A project path typed in the Project menu.
    project_path: String,
    /// Messages shown once, newest last.
    notices: Vec<String>,
    /// The team hub: joining, and a working copy's sync status.
    hub: hub::HubState,
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
        ctx.all_styles_mut(style::readable);
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
        let session = Session {
            you_name: settings.reviewer.clone(),
            ..Session::default()
        };
        Self {
            saved: None,
            options,
            workers,
            opened: None,
            settings,
            session,
            view: View::Library,
            library,
            record: None,
            entry: None,
            tabs: Tabs::default(),
            status: None,
            pending: Pending::default(),
            source_files: Vec::new(),
            jobs: Jobs::default(),
            import: dialogs::ImportDialog::default(),
            export: dialogs::ExportDialog::default(),
            show_help: false,
            project_path: String::new(),
            focus_search: false,
            notices: Vec::new(),
            hub: hub::HubState::default(),
            ctx: ctx.clone(),
        }
        // The first listing waits for the project's team, so it is the reader's from the
        // start (Event::Opened lists).
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
        &self.jobs.running
    }

    /// The report of the last import, if one finished.
    pub fn last_import(&self) -> Option<&ImportReport> {
        self.import.report.as_ref()
    }

    /// The last export's outcome, in words.
    pub fn last_export(&self) -> Option<&str> {
        self.export.outcome.as_deref()
    }

    /// The path typed in the Export dialog.
    pub fn export_path(&self) -> &str {
        &self.export.path
    }

    /// The status line above the tabs, in words, and whether it reports success.
    pub fn status_line(&self) -> Option<(bool, String)> {
        self.status.as_ref().map(|s| s.line(&self.session))
    }

    /// Whether nothing is pending: listing answered, rows on screen read, no job running,
    /// the open record read, every request to the review and Assess threads answered. Tests
    /// wait for this between steps.
    pub fn is_idle(&self) -> bool {
        self.opened.is_some()
            && !self.library.is_listing()
            && self.library.requested.is_empty()
            && self.jobs.running.is_empty()
            && self.record.as_ref().is_none_or(|r| r.detail.is_some())
            && !self.import.preview_pending
            && self.pending == Pending::default()
    }

    fn notice(&mut self, text: impl Into<String>) {
        let text = text.into();
        log_line(&text);
        if self.notices.last() != Some(&text) {
            self.notices.push(text);
        }
    }

    /// Runs `work` with what a tab may do outside itself, then carries out the actions it
    /// asked for.
    fn with_io(&mut self, work: impl FnOnce(&mut Tabs, &Session, &mut Io<'_>)) {
        let mut follow = Vec::new();
        {
            let mut io = Io {
                workers: &self.workers,
                pending: &mut self.pending,
                jobs: &mut self.jobs,
                follow: &mut follow,
                status: &mut self.status,
            };
            work(&mut self.tabs, &self.session, &mut io);
        }
        for action in follow {
            self.apply(action);
        }
    }

    /// Tells the tab shown to ask for what it shows.
    fn show_current(&mut self) {
        let view = self.view;
        self.with_io(|tabs, session, io| tabs.show(view, session, io));
    }

    /// Brings the index up to date as a job, unless an import is running (it indexes what it
    /// stores; a second writer would wait for its lock).
    fn sync_index(&mut self) {
        if self.jobs.any(JobKind::Import) {
            self.library.stale = true;
            return;
        }
        let (job, cancel) = self
            .jobs
            .start("Updating the search index".into(), JobKind::Index);
        self.workers.sync(job, cancel, false);
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
                    reader: self.session.reader(),
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
                if self.editing() {
                    // Typed edits are not thrown away by a click elsewhere.
                    self.notice("Save or cancel the edit first.");
                    return;
                }
                self.record = Some(RecordPane {
                    id,
                    detail: None,
                    editor: None,
                });
                self.workers.rows(RowsCommand::Record {
                    id,
                    query: self.library.listing.as_ref().and_then(|l| l.query.clone()),
                    reader: self.session.reader(),
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
                if let Some(view) = self.jobs.running.get(&job) {
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
                let (job, _) = self
                    .jobs
                    .start(format!("Undoing merge {merge}"), JobKind::Undo);
                let path = self.workers.path.clone();
                spawn_job(
                    JobKind::Undo.thread(),
                    job,
                    self.workers.outbox(),
                    move |_| {
                        on_project(&path, |project| service::corpus::undo_merge(project, merge))
                            .map(|undone| JobOutcome::MergeUndone(undone.restored))
                            .into()
                    },
                );
            }
            Action::AddDemo => self.start_demo(),
            Action::OpenJoinHub => self.hub.join_open = true,
            Action::JoinHub(url) => self.start_hub(hub::HubWork::Join(url)),
            Action::SyncHub => self.start_hub(hub::HubWork::Sync),
            Action::HubSwitch { setting, on } => {
                self.start_hub(hub::HubWork::Switch { setting, on });
            }
            Action::HubInvite { name, lead } => {
                let by = self.session.reader();
                self.start_hub(hub::HubWork::Invite { name, lead, by });
            }
            Action::Reindex => {
                let (job, cancel) = self
                    .jobs
                    .start("Rebuilding the search index".into(), JobKind::Index);
                self.workers.sync(job, cancel, true);
            }
            Action::OpenProject(path) => {
                if path.is_file() {
                    self.switch_project(path, true);
                } else {
                    self.notice(format!(
                        "There is no project at {}. Create this project makes a new one there.",
                        path.display()
                    ));
                }
            }
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
            Action::ShowView(view) => self.show_view(view),
            Action::SetReviewer(name) => {
                self.settings.reviewer = Some(name.clone());
                self.session.you_name = Some(name);
                // Everything shown was the previous reviewer's: start afresh, status line
                // included ("Anne: include on record 5" is not Bob's to read).
                self.status = None;
                self.tabs.forget();
                self.library.rows.clear();
                self.library.hits.clear();
                if self.view == View::Library {
                    self.apply(Action::Relist);
                } else {
                    self.show_current();
                }
            }
            Action::Focus(record) => {
                self.session.focus = Some(record);
                if matches!(self.view, View::Classify | View::Rebound | View::Assess) {
                    self.show_current();
                }
            }
            Action::Unfocus => self.session.focus = None,
            Action::Open { record, view } => {
                self.session.focus = Some(record);
                if self.view == view {
                    self.show_current();
                } else {
                    self.show_view(view);
                }
            }
            Action::EditRecord => {
                if let Some(pane) = self.record.as_mut()
                    && let Some(detail) = &pane.detail
                {
                    pane.editor = Some(record_edit::RecordEditor::editing(
                        pane.id,
                        &detail.stored.record,
                    ));
                }
            }
            Action::NewEntry => {
                if self.editing() {
                    self.notice("Save or cancel the edit first.");
                    return;
                }
                if self.view != View::Library {
                    self.show_view(View::Library);
                }
                self.record = None;
                self.entry = Some(record_edit::RecordEditor::new_entry(
                    ecolens_core::RecordKind::Project,
                ));
            }
            Action::CancelEdit => {
                self.entry = None;
                if let Some(pane) = self.record.as_mut() {
                    pane.editor = None;
                }
            }
            Action::SaveRecord => self.save_record(),
            Action::Tab(action) => {
                self.with_io(|tabs, session, io| tabs.apply(action, session, io));
            }
        }
    }

    /// The record form open: a new entry's, or the open record's.
    fn editor_mut(&mut self) -> Option<&mut record_edit::RecordEditor> {
        self.entry
            .as_mut()
            .or_else(|| self.record.as_mut().and_then(|p| p.editor.as_mut()))
    }

    /// Whether a record is being edited or entered.
    fn editing(&self) -> bool {
        self.entry.is_some() || self.record.as_ref().is_some_and(|p| p.editor.is_some())
    }

    /// Checks what the editor holds and saves it on a thread of its own.
    fn save_record(&mut self) {
        let who = self.session.reader();
        let Some(editor) = self.editor_mut() else {
            return;
        };
        let Some(who) = who else {
            editor.error = Some("Choose who you are first: edits are audited.".into());
            return;
        };
        let record = match editor.record() {
            Ok(record) => record,
            Err(error) => {
                editor.error = Some(error);
                return;
            }
        };
        editor.error = None;
        editor.saving = true;
        let (id, seen) = (editor.id, editor.seen.clone());
        let title = match id {
            Some(id) => format!("Saving record {id}"),
            None => "Adding an entry".to_owned(),
        };
        let (job, _) = self.jobs.start(title, JobKind::SaveRecord);
        let path = self.workers.path.clone();
        spawn_job(
            JobKind::SaveRecord.thread(),
            job,
            self.workers.outbox(),
            move |_| {
                on_project(&path, |project| match id {
                    Some(id) => service::corpus::edit_record(project, who, id, &seen, &record),
                    None => service::corpus::enter_record(project, who, &record),
                })
                .map(|saved| JobOutcome::RecordSaved(Box::new(saved)))
                .into()
            },
        );
    }

    fn show_view(&mut self, view: View) {
        let leaving_tabs = self.view != View::Library && view == View::Library;
        self.view = view;
        if leaving_tabs {
            if std::mem::take(&mut self.library.stale) {
                // Review data changed: the index's facets follow, and so does the open record
                // (an undo in another tab may have changed it).
                self.sync_index();
                if let Some(pane) = &self.record
                    && pane.editor.is_none()
                {
                    let id = pane.id;
                    self.apply(Action::OpenRecord(id));
                }
            }
            // The rows show the judgements of whoever is at the keyboard (while blind, only
            // theirs): read again what is on screen.
            self.library.rows.clear();
            self.library.hits.clear();
            self.apply(Action::Relist);
        }
        if view != View::Library {
            self.show_current();
        }
    }

    fn switch_project(&mut self, path: PathBuf, with_demo: bool) {
        if self
            .jobs
            .running
            .values()
            .any(|job| job.kind != JobKind::Index)
        {
            self.notice("A job is still running in this project. Wait for it or cancel it, then switch projects.");
            return;
        }
        for job in self.jobs.running.values() {
            job.cancel.store(true, Ordering::Relaxed);
        }
        self.jobs.running.clear();
        self.workers = Workers::start(path, with_demo, &self.ctx);
        self.opened = None;
        self.record = None;
        self.entry = None;
        self.tabs = Tabs::default();
        self.pending = Pending::default();
        self.status = None;
        self.session = Session {
            you_name: self.settings.reviewer.clone(),
            ..Session::default()
        };
        self.source_files.clear();
        self.library = LibraryState {
            sort: self.library.sort,
            descending: self.library.descending,
            ..LibraryState::default()
        };
    }

    /// Joins a hub (`Some(url)`) or syncs the working copy with its hub, on the hub thread.
    fn start_hub(&mut self, work: hub::HubWork) {
        if self.hub.busy {
            return;
        }
        if self.jobs.any(JobKind::Import) {
            // The next minute's attempt finds the import done.
            self.hub.last_attempt = Some(std::time::Instant::now());
            if !matches!(work, hub::HubWork::Sync) {
                self.notice("An import is running: try again when it is done.");
            }
            return;
        }
        let (job, _) = self.jobs.start(work.title().into(), JobKind::Hub);
        self.hub.busy = true;
        self.hub.last_attempt = Some(std::time::Instant::now());
        let project_path = self.workers.path.clone();
        let saved = self.options.hub_credentials.clone();
        let syncer = std::sync::Arc::clone(&self.hub.syncer);
        spawn_job(
            JobKind::Hub.thread(),
            job,
            self.workers.outbox(),
            move |_| {
                on_project(&project_path, |project| {
                    let path = match saved {
                        Some(path) => path,
                        None => crate::location::hub_credentials_path().map_err(|error| {
                            service::Error::Invalid {
                                field: "hub credentials",
                                value: error.to_string(),
                                expected: "a data directory (set ECOLENS_DATA_DIR)".to_owned(),
                            }
                        })?,
                    };
                    let mut credentials = service::hub::Credentials::open(&path)?;
                    // One hub job at a time (the window starts no second one): the lock is
                    // never contended, and a poisoned one still holds a usable connection or
                    // none.
                    let mut syncer = syncer
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner);
                    hub::run(work, &mut syncer, project, &mut credentials)
                })
                .into()
            },
        );
    }

    /// Adds the demo corpus on the import thread: the import's rules (one at a time, not while
    /// the index is written) hold for it too.
    fn start_demo(&mut self) {
        if self.jobs.any(JobKind::Import) || self.jobs.any(JobKind::Index) {
            self.notice(
                "An import or an index update is running. Add the demo corpus when it is done.",
            );
            return;
        }
        let (job, cancel) = self
            .jobs
            .start("Adding the demo corpus".into(), JobKind::Import);
        let project_path = self.workers.path.clone();
        spawn_job(
            JobKind::Import.thread(),
            job,
            self.workers.outbox(),
            move |_| {
                on_project(&project_path, |project| {
                    service::project::add_demo(project, &cancel)
                })
                .map(JobOutcome::DemoAdded)
                .into()
            },
        );
    }

    fn start_import(&mut self, paths: Vec<PathBuf>) {
        if paths.is_empty() {
            return;
        }
        if self.jobs.any(JobKind::Import) {
            self.notice("An import is already running. Wait for it to finish, or cancel it.");
            return;
        }
        if self.jobs.any(JobKind::Index) {
            self.notice(
                "The search index is being updated. Start the import when that is done (the status bar shows it).",
            );
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
        let (job, cancel) = self.jobs.start(title, JobKind::Import);
        self.import.open = true;
        self.import.report = None;
        self.import.preview = None;
        let project_path = self.workers.path.clone();
        let request = service::corpus::ImportRequest {
            paths,
            labels_as_votes: self.import.choices.labels_as_votes,
            pdf: self
                .options
                .pdf_program
                .clone()
                .map(service::corpus::pdf_setup_for),
            threads: None,
            again: self.import.choices.again,
        };
        spawn_job(
            JobKind::Import.thread(),
            job,
            self.workers.outbox(),
            move |outbox| {
                let progress = |p: &ecolens_corpus::import::ImportProgress| {
                    outbox.send(Event::Progress {
                        job,
                        text: service::corpus::progress_line(p),
                        fraction: service::corpus::progress_fraction(p),
                    });
                };
                // The one import path: records stored and indexed, as the CLI does it.
                on_project(&project_path, |project| {
                    service::corpus::import(project, &request, &cancel, &progress)
                })
                .map(|imported| JobOutcome::Imported(Box::new(imported.import)))
                .into()
            },
        );
    }

    fn start_export(
        &mut self,
        path: PathBuf,
        format: ExportFormat,
        labels: LabelStyle,
        only_shown: bool,
    ) {
        let selection = if only_shown {
            service::corpus::Selection::Records(self.library.ids().to_vec())
        } else {
            service::corpus::Selection::All
        };
        let (job, _) = self
            .jobs
            .start(format!("Exporting to {}", path.display()), JobKind::Export);
        let project_path = self.workers.path.clone();
        let reader = self.session.reader();
        spawn_job(
            JobKind::Export.thread(),
            job,
            self.workers.outbox(),
            move |_| {
                let request = service::corpus::ExportRequest {
                    path,
                    format,
                    labels,
                    selection,
                };
                on_project(&project_path, |project| {
                    service::corpus::export(project, reader, &request)
                })
                .map(|exported| JobOutcome::Exported(Box::new(exported)))
                .into()
            },
        );
    }

    /// Folds what the background threads sent into the view state.
    pub fn receive(&mut self) {
        while let Ok(event) = self.workers.events.try_recv() {
            self.handle(event);
        }
    }

    fn handle(&mut self, event: Event) {
        match event {
            Event::Opened {
                path,
                created,
                team,
            } => {
                if created {
                    self.notice(format!("Created the project {}.", path.display()));
                }
                self.settings.recent_projects.retain(|p| p != &path);
                self.settings.recent_projects.insert(0, path.clone());
                self.settings.recent_projects.truncate(MAX_RECENT);
                self.opened = Some(path);
                self.session.team = Some(*team);
                // A remembered reviewer who is not (or no longer) in the project is forgotten.
                if self.session.you_name.is_some() && self.session.you().is_none() {
                    self.session.you_name = None;
                    self.settings.reviewer = None;
                }
                self.apply(Action::Relist);
                if self.view != View::Library {
                    self.show_current();
                }
                // The index may lag behind the project (a new project, a CLI import, a
                // crash): bring it up to date before anything is searched.
                self.sync_index();
            }
            Event::OpenFailed(error) => {
                let words = describe(&error, Front::Window);
                self.library.error = Some(words.clone());
                self.notice(format!(
                    "The project could not be opened: {words}. Open another project from the Project menu."
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
            Event::ListFailed { generation, error } => {
                if generation >= self.library.requested_generation {
                    self.library.error = Some(describe(&error, Front::Window));
                }
            }
            Event::SourceFiles(files) => self.source_files = files,
            Event::Team(team) => self.session.team = Some(*team),
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
            Event::Failed { what, error } => {
                // Rows that failed will not come: stop waiting for them.
                self.library.requested.clear();
                self.notice(format!(
                    "{}: {}",
                    what.words(),
                    describe(&error, Front::Window)
                ));
            }
            Event::Record(detail) => {
                if let Some(pane) = &mut self.record
                    && pane.id == detail.stored.id
                {
                    pane.detail = Some(detail);
                }
            }
            Event::RecordFailed { id, error } => {
                if self.record.as_ref().is_some_and(|p| p.id == id) {
                    self.record = None;
                }
                self.notice(format!(
                    "Record {id} could not be opened: {}. It may have been merged or undone meanwhile; search for it again.",
                    describe(&error, Front::Window)
                ));
            }
            Event::Progress {
                job,
                text,
                fraction,
            } => {
                if let Some(view) = self.jobs.running.get_mut(&job) {
                    view.progress = text;
                    view.fraction = fraction;
                }
            }
            Event::Finished { job, outcome } => self.finished(job, outcome),
            Event::Picked { purpose, paths } => self.picked(purpose, paths),
            Event::PickFailed { purpose } => self.notice(format!(
                "The file dialog could not open here (it needs a desktop portal or zenity). \
                 Type the path {} instead.",
                purpose.typed_instead()
            )),
            Event::Preview(preview) => {
                self.import.preview_pending = false;
                self.import.preview = Some(preview);
            }
            Event::Review(event) => self.review_event(event),
            Event::Impact(event) => {
                self.pending.impact = self.pending.impact.saturating_sub(1);
                self.with_io(|tabs, session, io| tabs.impact(event, session, io));
            }
        }
    }

    fn review_event(&mut self, event: review_worker::ReviewEvent) {
        use review_worker::ReviewEvent;
        self.pending.review = self.pending.review.saturating_sub(1);
        let view = self.view;
        match event {
            ReviewEvent::State(snapshot) => {
                // Everyone's view of the team follows the latest reading.
                self.session.team = Some(snapshot.team.clone());
                let mut slot = Some(snapshot);
                self.with_io(|tabs, session, io| {
                    tabs.review(&mut ReviewAnswer::State(&mut slot), view, session, io);
                });
            }
            ReviewEvent::Card(card) => {
                let mut slot = Some(card);
                self.with_io(|tabs, session, io| {
                    tabs.review(&mut ReviewAnswer::Card(&mut slot), view, session, io);
                });
            }
            ReviewEvent::Desk(desk) => {
                self.with_io(|tabs, session, io| {
                    tabs.review(&mut ReviewAnswer::Desk(&desk), view, session, io);
                });
            }
            ReviewEvent::Done(done) => {
                if let Some(team) = self.session.team.as_mut() {
                    match done.as_ref() {
                        review_worker::Done::Settings(settings) => team.settings = *settings,
                        review_worker::Done::Priority(priority) => team.priority = *priority,
                        review_worker::Done::Highlight(terms) => team.highlight = terms.clone(),
                        review_worker::Done::KnownIncludes(records) => {
                            team.known_includes.clone_from(records);
                        }
                        review_worker::Done::ReviewerAdded(added) => {
                            team.reviewers.push(added.clone());
                        }
                        _ => {}
                    }
                }
                if done.touches_library() {
                    self.library.stale = true;
                }
                self.with_io(|tabs, session, io| {
                    tabs.review(&mut ReviewAnswer::Done(&done), view, session, io);
                });
                self.status = Some(Status::Done(done));
            }
            ReviewEvent::Failed(error) => {
                self.with_io(|tabs, session, io| {
                    tabs.review(&mut ReviewAnswer::Failed, view, session, io);
                });
                self.status = Some(Status::Failed(error));
            }
        }
    }

    fn finished(&mut self, job: u64, outcome: JobOutcome) {
        let view = self.jobs.running.remove(&job);
        let mut rest = None;
        self.with_io(|tabs, _, io| rest = tabs.finished(job, outcome, io));
        let Some(outcome) = rest else {
            return;
        };
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
            JobOutcome::DemoAdded(added) => {
                self.notice(if added.added == 0 {
                    format!(
                        "The demo corpus is already here: its {} publications were not added again.",
                        added.already_present
                    )
                } else if added.already_present == 0 {
                    format!("Added the demo corpus: {} publications.", added.added)
                } else {
                    format!(
                        "Added the demo corpus: {} publications; {} were already in the project.",
                        added.added, added.already_present
                    )
                });
                added.added > 0
            }
            JobOutcome::Exported(exported) => {
                self.export.outcome = Some(format!(
                    "Wrote {} records to {} ({} bytes).",
                    exported.report.records,
                    exported.report.path.display(),
                    exported.report.bytes
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
            // The Workshop tab takes its own; one left over (the tab gone) changes nothing.
            JobOutcome::Lca(_) | JobOutcome::Workshop(_) => false,
            JobOutcome::HubInvited(invite) => {
                self.hub.busy = false;
                self.hub.invite = Some(*invite);
                // The new reviewer is in the project now: list again, which reads the team.
                true
            }
            JobOutcome::HubSynced(synced) => {
                self.hub.synced(&synced);
                // What arrived (records, others' work, the hub's settings and reviewers)
                // shows after the index catches up and the library lists again, which also
                // reads the team (and so the copy's one reviewer) afresh.
                synced.report.is_some()
            }
            JobOutcome::RecordSaved(saved) => {
                let id = saved.edit.record;
                let was_new = self.entry.take().is_some();
                let mut message = if was_new {
                    format!("Added record {id}: {}.", saved.now.record.shown_title())
                } else if saved.edit.changed.is_empty() {
                    format!("Record {id}: nothing changed.")
                } else {
                    format!(
                        "Saved record {id}: {} changed. Team → Undo my last change takes it back.",
                        saved.changed_names().join(", ")
                    )
                };
                if let Some(note) = saved.duplicate_note() {
                    let _ = write!(message, " {note}.");
                }
                self.notice(message);
                // The record as saved, out of the editor (when the data changed, the index
                // is brought up to date below and the record read again with it).
                self.record = None;
                self.apply(Action::OpenRecord(id));
                !saved.edit.changed.is_empty()
            }
            JobOutcome::MergeUndone(restored) => {
                self.notice(format!(
                    "The merge was undone; the duplicate is record {restored} again."
                ));
                true
            }
            JobOutcome::Cancelled => {
                if let Some(view) = &view {
                    self.notice(match view.kind {
                        JobKind::Import => "The import was cancelled; nothing was written.".into(),
                        _ => format!("{}: cancelled.", view.title),
                    });
                }
                false
            }
            JobOutcome::Failed(error) => {
                let words = describe(&error, Front::Window);
                let message = match view.as_ref().map(|v| v.kind) {
                    Some(JobKind::Export) => {
                        format!("The export failed and left no file behind: {words}")
                    }
                    Some(JobKind::Import) => {
                        format!("The import stopped and wrote nothing: {words}")
                    }
                    Some(JobKind::Index) => {
                        format!("The search index could not be updated: {words}")
                    }
                    Some(JobKind::Undo) => format!("The merge could not be undone: {words}"),
                    Some(JobKind::Hub) => {
                        self.hub.busy = false;
                        self.hub.message = Some(words.clone());
                        format!("The hub: {words}")
                    }
                    Some(JobKind::SaveRecord) => {
                        if let Some(editor) = self.editor_mut() {
                            editor.saving = false;
                            editor.error = Some(words.clone());
                        }
                        format!("Not saved: {words}")
                    }
                    _ => words,
                };
                if view.as_ref().is_some_and(|v| v.kind == JobKind::Export) {
                    self.export.outcome = Some(message.clone());
                }
                self.notice(message);
                false
            }
        };
        if changed_data || std::mem::take(&mut self.library.stale) {
            // An import indexed what it stored: the library thread's index catches up with
            // the sync (and anything changed meanwhile), then lists again.
            self.sync_index();
            self.library.rows.clear();
            self.library.hits.clear();
            self.apply(Action::Relist);
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
            tab_purpose => {
                if let Some(path) = paths.into_iter().next() {
                    let view = tab_purpose.view();
                    self.with_io(|tabs, session, io| {
                        tabs.picked(view, tab_purpose, path, session, io);
                    });
                }
            }
        }
    }

    /// Keyboard shortcuts. F1 (and ? outside text fields) toggles help everywhere; while help
    /// or a dialog is open, Escape closes the topmost and no other key acts (a key meant for
    /// a dialog must not vote on the screening card behind it). Otherwise the tab's own keys
    /// while a tab is shown, the library's in the Library; none while a text field has the
    /// keyboard.
    fn keyboard(&mut self, ctx: &egui::Context, actions: &mut Vec<Action>) {
        let typing = ctx.egui_wants_keyboard_input();
        let overlay = ctx.input_mut(|input| {
            if input.consume_key(egui::Modifiers::NONE, egui::Key::F1) {
                self.show_help = !self.show_help;
            }
            if !typing
                && (input.consume_key(egui::Modifiers::SHIFT, egui::Key::Questionmark)
                    || input.consume_key(egui::Modifiers::NONE, egui::Key::Questionmark))
            {
                self.show_help = !self.show_help;
            }
            let overlay = self.show_help || self.import.open || self.export.open;
            if overlay && !typing && input.consume_key(egui::Modifiers::NONE, egui::Key::Escape) {
                if self.show_help {
                    self.show_help = false;
                } else if self.import.open {
                    self.import.open = false;
                } else {
                    self.export.open = false;
                }
            }
            overlay
        });
        if overlay || typing {
            if self.view == View::Library {
                ctx.input_mut(|input| {
                    if input.consume_key(egui::Modifiers::COMMAND, egui::Key::F) {
                        self.focus_search = true;
                    }
                });
            }
            return;
        }
        if self.view != View::Library {
            self.tabs.keys(self.view, ctx, &self.session, actions);
            return;
        }
        if self.editing() {
            // The editor's buttons save or cancel; keys do not move the library under it.
            return;
        }
        ctx.input_mut(|input| {
            if input.consume_key(egui::Modifiers::COMMAND, egui::Key::F)
                || input.consume_key(egui::Modifiers::NONE, egui::Key::Slash)
            {
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
            if self.record.is_some() && input.consume_key(egui::Modifiers::NONE, egui::Key::Escape)
            {
                actions.push(Action::CloseRecord);
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
        ui.horizontal_wrapped(|ui| {
            ui.heading("ecolens");
            ui.separator();
            for view in View::ALL {
                if ui
                    .selectable_label(self.view == *view, view.label())
                    .clicked()
                    && self.view != *view
                {
                    actions.push(Action::ShowView(*view));
                }
            }
            ui.separator();
            dialogs::project_menu(
                ui,
                &self.settings.recent_projects,
                &mut self.project_path,
                actions,
            );
            if ui.button("Import…").clicked() {
                self.import.open = true;
            }
            if ui.button("Export…").clicked() {
                self.export.open = true;
            }
            ui.separator();
            let (label, other) = match self.settings.theme {
                Theme::Dark => ("Light theme", Theme::Light),
                Theme::Light => ("Dark theme", Theme::Dark),
            };
            if ui.button(label).clicked() {
                actions.push(Action::SetTheme(other));
            }
            // A narrow "?" keeps the bar on one line at 1024 points (F1 opens it too).
            if ui
                .button("?")
                .on_hover_text("Help: keyboard shortcuts and search syntax (F1)")
                .clicked()
            {
                self.show_help = !self.show_help;
            }
        });
    }

    fn status_bar_ui(&mut self, ui: &mut egui::Ui, actions: &mut Vec<Action>) {
        ui.horizontal_wrapped(|ui| {
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
            if let Some(team) = &self.session.team
                && let Some(link) = &team.hub
            {
                hub::status_ui(ui, &self.hub, link, team.hub_waiting, actions);
            }
            for (id, job) in &self.jobs.running {
                ui.separator();
                ui.spinner();
                ui.label(format!("{}: {}", job.title, job.progress));
                if let Some(fraction) = job.fraction {
                    ui.add(egui::ProgressBar::new(fraction).desired_width(120.0));
                }
                if job.kind.cancellable() && ui.small_button("Cancel").clicked() {
                    actions.push(Action::CancelJob(*id));
                }
            }
        });
        if !self.notices.is_empty() {
            let mut dismiss = None;
            for (at, notice) in self.notices.iter().enumerate() {
                ui.horizontal_wrapped(|ui| {
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
        // The dialogs of the top bar work from every tab.
        dialogs::import_window(&ctx, &mut self.import, &self.jobs.running, &mut actions);
        hub::join_window(&ctx, &mut self.hub, &mut actions);
        hub::invite_window(&ctx, &mut self.hub);
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
        if self.view != View::Library {
            let status = self.status_line();
            egui::CentralPanel::default().show(ui, |ui| {
                // One line, always there, so the view does not jump when a message comes.
                match status {
                    Some((ok, message)) => {
                        let color = if ok {
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
                self.tabs.ui(self.view, ui, &self.session, &mut actions);
            });
            return actions;
        }
        egui::Panel::left("filters")
            .resizable(true)
            .default_size(210.0)
            .show(ui, |ui| {
                // Whose judgements the decision and category columns and filters show while
                // blind: the reviewer at the keyboard's.
                if !self.session.reviewers().is_empty() {
                    ui.horizontal_wrapped(|ui| {
                        widgets::reviewer_picker(ui, &self.session, &mut actions);
                    });
                    ui.separator();
                }
                if library::filters_ui(ui, &mut self.library.filters, &self.source_files) {
                    actions.push(Action::Relist);
                }
            });
        let who = self.session.you().map(|r| r.name.clone());
        if let Some(entry) = &mut self.entry {
            egui::Panel::right("record")
                .resizable(true)
                .default_size(420.0)
                .show(ui, |ui| {
                    record_edit::editor_ui(ui, entry, who.as_deref(), &mut actions);
                });
        } else if let Some(pane) = &mut self.record {
            egui::Panel::right("record")
                .resizable(true)
                .default_size(420.0)
                .show(ui, |ui| match &mut pane.editor {
                    Some(editor) => {
                        record_edit::editor_ui(ui, editor, who.as_deref(), &mut actions);
                    }
                    None => record::record_ui(ui, pane, &mut actions),
                });
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
                    reader: self.session.reader(),
                });
            }
        });
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
        let joined = self
            .session
            .team
            .as_ref()
            .is_some_and(|team| team.hub.is_some());
        if self.hub.due(joined) {
            self.apply(Action::SyncHub);
        }
        if joined {
            // An idle window paints no frame: wake up for the next minute's sync.
            ui.ctx().request_repaint_after(hub::SYNC_EVERY);
        }
        if !self.jobs.running.is_empty() || self.library.is_listing() {
            // Spinners move; events also request repaints.
            ui.ctx()
                .request_repaint_after(std::time::Duration::from_millis(100));
        }
        if self.saved.as_ref() != Some(&self.current_settings()) {
            // eframe saves at the end of a frame once its interval has passed, and an idle
            // window paints no frame: ask for one then, so a change is kept even if the
            // process ends without closing the window.
            ui.ctx().request_repaint_after(AUTO_SAVE_INTERVAL);
        }
    }

    /// The settings with the library's view state, which is the truth while running.
    pub fn current_settings(&self) -> Settings {
        let mut settings = self.settings.clone();
        settings.search.clone_from(&self.library.search);
        settings.filters.clone_from(&self.library.filters);
        settings.sort = self.library.sort;
        settings.descending = self.library.descending;
        settings
    }
}

/// One line on stderr, the window's log: what a notice says, and why a file dialog could not
/// open. Someone who started the window from a terminal sees them there, and the checks that
/// drive the real binary under Xvfb read them.
#[allow(clippy::print_stderr)] // The window's only writing to stderr, on purpose.
pub(crate) fn log_line(text: &str) {
    eprintln!("ecolens: {text}");
}

/// How often eframe saves the settings while something changed (its default, said here so the
/// repaint that makes it happen uses the same interval).
const AUTO_SAVE_INTERVAL: std::time::Duration = std::time::Duration::from_secs(30);

impl eframe::App for Workbench {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        self.frame(ui);
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        self.settings = self.current_settings();
        eframe::set_value(storage, SETTINGS_KEY, &self.settings);
        self.saved = Some(self.settings.clone());
    }

    fn auto_save_interval(&self) -> std::time::Duration {
        AUTO_SAVE_INTERVAL
    }
}

/// Opens the workbench window on the project at `path` (created, with the demo corpus unless
/// `with_demo` is false, if it does not exist) — or, with `reopen_last`, on the project used
/// last if it still exists — and runs until the window closes.
pub fn run_window(path: &Path, with_demo: bool, reopen_last: bool) -> Result<()> {
    dialogs::watch_dialog_failures();
    let options = WorkbenchOptions {
        project: path.to_owned(),
        with_demo,
        pdf_program: std::env::current_exe().ok(),
        reopen_last,
        hub_credentials: crate::location::hub_credentials_path().ok(),
    };
    let native = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("ecolens")
            .with_inner_size([1280.0, 800.0])
            .with_min_inner_size([720.0, 420.0])
            .with_drag_and_drop(true),
        // Window state lives beside the default project, so ECOLENS_DATA_DIR moves both.
        // eframe takes this as the state *file* (its documentation says folder; its code,
        // FileStorage::from_ron_filepath, writes to the path itself).
        persistence_path: crate::location::window_state_path().ok(),
        ..Default::default()
    };
    eframe::run_native(
        "ecolens",
        native,
        Box::new(move |cc| Ok(Box::new(Workbench::new(&cc.egui_ctx, cc.storage, options)))),
    )
    .map_err(|error| anyhow!("cannot open the workbench window: {error}"))
}
