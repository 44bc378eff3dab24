//! The pattern every tab follows, and what a tab may do outside itself.
//!
//! A tab is a module under `window/` with a state type implementing [`Tab`]: it draws from its
//! state and the shared [`Session`], pushes its own actions (wrapped in
//! [`super::tabs::TabAction`]), carries them out in [`Tab::apply`] through an [`Io`] (requests
//! to the background threads, a job, a follow-up action, the status line), and folds the
//! threads' answers into its state. The list of tabs is in [`super::tabs`]; adding a tab adds
//! a line there and a module.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use ecolens_core::Stage;
use eframe::egui;

use super::assess::worker::{ImpactCommand, ImpactEvent};
use super::review_worker::{Done, ReviewCommand, ReviewSnapshot};
use super::session::Session;
use super::tabs::View;
use super::worker::{JobOutcome, Outbox, PickPurpose, Workers};
use super::{Action, JobKind, Jobs};
use crate::service::review::{RecordDesk, ScreeningCard};
use crate::service::{self, Front, describe};

/// What the status line above the tabs says: what the last request did, or why not.
#[derive(Debug)]
pub enum Status {
    /// A review write went through.
    Done(Box<Done>),
    /// A request was refused or failed.
    Failed(service::Error),
    /// A request was refused or failed, said with what did not happen ("Not attached").
    Not(&'static str, service::Error),
    /// A form could not be sent: what to fix, in words.
    Fix(String),
    /// Something went through, in words.
    Said(String),
}

impl Status {
    /// `action` needs to know who is at the keyboard, and nobody is.
    pub fn needs_you(action: &'static str) -> Self {
        Self::Failed(service::Error::NeedsReviewer { action })
    }

    /// The line, and whether it reports success.
    pub fn line(&self, session: &Session) -> (bool, String) {
        match self {
            Self::Done(done) => (true, done.words(session)),
            Self::Failed(error) => (false, describe(error, Front::Window)),
            Self::Not(what, error) => {
                (false, format!("{what}: {}", describe(error, Front::Window)))
            }
            Self::Fix(words) => (false, words.clone()),
            Self::Said(words) => (true, words.clone()),
        }
    }
}

/// Requests sent to the background threads and not answered yet.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Pending {
    /// To the review thread.
    pub review: usize,
    /// To the Assess thread.
    pub impact: usize,
}

/// What a tab may do outside its own state.
pub struct Io<'a> {
    pub(super) workers: &'a Workers,
    pub(super) pending: &'a mut Pending,
    pub(super) jobs: &'a mut Jobs,
    pub(super) follow: &'a mut Vec<Action>,
    pub(super) status: &'a mut Option<Status>,
}

impl Io<'_> {
    /// Sends a request to the review thread (answered by exactly one event).
    pub fn review(&mut self, command: ReviewCommand) {
        self.pending.review += 1;
        self.workers.review(command);
    }

    /// Sends a request to the Assess thread (answered by exactly one event).
    pub fn impact(&mut self, command: ImpactCommand) {
        self.pending.impact += 1;
        self.workers.impact(command);
    }

    /// Asks the review thread for what the tab `view` shows, as the reviewer at the keyboard
    /// reads it.
    pub fn refresh(&mut self, view: View, stage: Stage, session: &Session) {
        self.refresh_keeping(view, stage, session, None, Vec::new());
    }

    /// Asks again for what `view` shows; a screening queue keeps `keep` (the record on
    /// screen) where the reader is and puts the `postponed` records last.
    pub fn refresh_keeping(
        &mut self,
        view: View,
        stage: Stage,
        session: &Session,
        keep: Option<ecolens_core::RecordId>,
        postponed: Vec<ecolens_core::RecordId>,
    ) {
        self.review(ReviewCommand::Refresh {
            reader: session.reader(),
            stage,
            view,
            keep,
            postponed,
        });
    }

    /// An action to carry out after this one.
    pub fn then(&mut self, action: Action) {
        self.follow.push(action);
    }

    /// Puts a line in the status line.
    pub fn say(&mut self, status: Status) {
        *self.status = Some(status);
    }

    /// Starts a job on a thread of its own; its outcome comes back as the tab's
    /// [`Tab::finished`].
    pub fn job(
        &mut self,
        title: String,
        kind: JobKind,
        work: impl FnOnce(u64, Arc<AtomicBool>, &Outbox) -> JobOutcome + Send + 'static,
    ) -> u64 {
        let (job, cancel) = self.jobs.start(title, kind);
        super::worker::spawn_job(kind.thread(), job, self.workers.outbox(), move |outbox| {
            work(job, cancel, outbox)
        });
        job
    }

    /// The project file.
    pub fn project_path(&self) -> PathBuf {
        self.workers.path.clone()
    }
}

/// An answer of the review thread, handed to every tab.
pub enum ReviewAnswer<'a> {
    /// What a view shows (the tab showing `snapshot.view` takes it).
    State(&'a mut Option<Box<ReviewSnapshot>>),
    /// A screening card.
    Card(&'a mut Option<Box<ScreeningCard>>),
    /// The reading of the record in focus.
    Desk(&'a RecordDesk),
    /// A write went through.
    Done(&'a Done),
    /// A request was refused or failed.
    Failed,
}

impl ReviewAnswer<'_> {
    /// The snapshot, when it was read for the tab `view` (which then owns it).
    pub fn snapshot_for(&mut self, view: View) -> Option<Box<ReviewSnapshot>> {
        match self {
            Self::State(snapshot) if snapshot.as_ref().is_some_and(|s| s.view == view) => {
                snapshot.take()
            }
            _ => None,
        }
    }
}

/// A tab of the workbench.
pub trait Tab {
    /// What the tab's controls ask for.
    type Action;

    /// Draws the tab in the central panel; what the user asks for goes to `out`.
    fn ui(&mut self, ui: &mut egui::Ui, session: &Session, out: &mut Vec<Action>);

    /// Carries out one of the tab's actions.
    fn apply(&mut self, action: Self::Action, session: &Session, io: &mut Io<'_>);

    /// The tab came into view, or the reader or the record in focus changed while it is
    /// shown: ask for what it shows.
    fn show(&mut self, session: &Session, io: &mut Io<'_>) {
        let _ = (session, io);
    }

    /// The reviewer at the keyboard changed: forget what belonged to the previous one.
    fn forget(&mut self) {}

    /// An answer of the review thread.
    fn review(
        &mut self,
        answer: &mut ReviewAnswer<'_>,
        session: &Session,
        shown: bool,
        io: &mut Io<'_>,
    ) {
        let _ = (answer, session, shown, io);
    }

    /// An answer of the Assess thread (the Assess tab's).
    fn impact(&mut self, event: ImpactEvent, session: &Session, io: &mut Io<'_>) {
        let _ = (event, session, io);
    }

    /// One of the tab's jobs ended.
    fn finished(&mut self, job: u64, outcome: JobOutcome, io: &mut Io<'_>) -> Option<JobOutcome> {
        let _ = (job, io);
        Some(outcome)
    }

    /// A file dialog opened for the tab was answered.
    fn picked(&mut self, purpose: PickPurpose, path: PathBuf, session: &Session, io: &mut Io<'_>) {
        let _ = (purpose, path, session, io);
    }

    /// Keys while the tab is shown and no text field has the keyboard.
    fn keys(&mut self, ctx: &egui::Context, session: &Session, out: &mut Vec<Action>) {
        let _ = (ctx, session, out);
    }
}
