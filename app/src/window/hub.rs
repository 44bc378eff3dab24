//! The team hub in the window: Project → Join a hub, and the hub's line in the status bar
//! (online or offline, changes waiting, last sync, Sync now). Syncs run as jobs on the named
//! thread `ecolens-hub-sync`: at once when a working copy opens, every minute after, and when
//! asked; an offline hub is shown, not reported as a failure.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use eframe::egui;

use super::Action;
use super::worker::JobOutcome;
use crate::service::hub::{self as service, Credentials, Invite, Status, Synced, Syncer};
use ecolens_core::Project;

/// How often a working copy syncs on its own.
pub const SYNC_EVERY: Duration = Duration::from_mins(1);

/// What the window knows of the hub.
#[derive(Debug, Default)]
pub struct HubState {
    /// The Join a hub window is open.
    pub join_open: bool,
    /// The connection string typed there.
    pub join_url: String,
    /// The last status read (after a sync or a join).
    pub status: Option<Status>,
    /// When the last sync started.
    pub last_attempt: Option<Instant>,
    /// A sync or join is running.
    pub busy: bool,
    /// What the last sync or join said, for the status bar and the join window.
    pub message: Option<String>,
    /// The connection kept between syncs (used on the sync thread only).
    pub syncer: Arc<Mutex<Syncer>>,
    /// The last invitation made here, shown until closed.
    pub invite: Option<Invite>,
}

/// What a hub job does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HubWork {
    /// Join the hub at this connection string.
    Join(String),
    /// Sync now.
    Sync,
    /// Switch blind mode or leads-see-all on the hub, then sync.
    Switch {
        /// `blind` or `leads_see_all`.
        setting: &'static str,
        /// On or off.
        on: bool,
    },
    /// Invite a reviewer.
    Invite {
        /// Their name.
        name: String,
        /// Make them a lead.
        lead: bool,
        /// Who invites (the reviewer at the keyboard).
        by: Option<ecolens_core::ReviewerId>,
    },
}

impl HubWork {
    /// The job's title in the status bar.
    pub fn title(&self) -> &'static str {
        match self {
            Self::Join(_) => "Joining the hub",
            Self::Sync => "Syncing with the hub",
            Self::Switch { .. } => "Switching blind mode on the hub",
            Self::Invite { .. } => "Inviting a reviewer",
        }
    }
}

/// Does `work` on the hub thread.
pub fn run(
    work: HubWork,
    syncer: &mut Syncer,
    project: &mut Project,
    credentials: &mut Credentials,
) -> crate::service::Result<JobOutcome> {
    let synced = match work {
        HubWork::Join(url) => service::join_and_status(project, credentials, &url)?,
        HubWork::Sync => service::sync_and_status(syncer, project, credentials)?,
        HubWork::Switch { setting, on } => {
            service::switch_and_status(project, credentials, setting, on)?
        }
        HubWork::Invite { name, lead, by } => {
            let invite = service::add_reviewer(project, credentials, by, &name, lead, None)?;
            return Ok(JobOutcome::HubInvited(Box::new(invite)));
        }
    };
    Ok(JobOutcome::HubSynced(Box::new(synced)))
}

/// The last invitation: the connection string to send, selectable and copyable.
pub fn invite_window(ctx: &egui::Context, state: &mut HubState) {
    let Some(invite) = &state.invite else {
        return;
    };
    let mut open = true;
    let mut done = false;
    let mut url = invite.url.clone();
    egui::Window::new("Invitation")
        .open(&mut open)
        .default_pos([360.0, 160.0])
        .default_width(560.0)
        .show(ctx, |ui| {
            ui.label(format!(
                "{} can join as {}{}. Send them this privately (it holds their password); they paste it in Project → Join a hub…, or run ecolens hub join with it.",
                invite.name,
                invite.login,
                if invite.is_lead { " (a lead)" } else { "" }
            ));
            ui.horizontal(|ui| {
                let label = ui.label("Connection:");
                ui.add(egui::TextEdit::singleline(&mut url).desired_width(420.0))
                    .labelled_by(label.id);
                if ui.button("Copy").clicked() {
                    ui.ctx().copy_text(invite.url.clone());
                }
            });
            if ui.button("Done").clicked() {
                done = true;
            }
        });
    if !open || done {
        state.invite = None;
    }
}

impl HubState {
    /// Takes a finished sync or join.
    pub fn synced(&mut self, synced: &Synced) {
        self.busy = false;
        self.message = Some(match (&synced.report, &synced.error) {
            (Some(report), _) => format!(
                "synced: {} pushed, {} pulled, {} records received",
                report.pushed, report.pulled, report.records_received
            ),
            (None, Some(error)) => error.clone(),
            (None, None) => String::new(),
        });
        self.status = Some(synced.status.clone());
        if synced.report.is_some() && synced.status.link.is_some() {
            self.join_open = false;
        }
    }

    /// Whether it is time for a sync of a working copy (`joined`).
    pub fn due(&self, joined: bool) -> bool {
        joined
            && !self.busy
            && self
                .last_attempt
                .is_none_or(|at| at.elapsed() >= SYNC_EVERY)
    }
}

/// The Join a hub window.
pub fn join_window(ctx: &egui::Context, state: &mut HubState, actions: &mut Vec<Action>) {
    let mut open = state.join_open;
    egui::Window::new("Join a hub")
        .open(&mut open)
        .default_pos([360.0, 120.0])
        .default_width(520.0)
        .show(ctx, |ui| {
            ui.label(
                "Paste the connection string your lead sent you (ecolens hub add-reviewer prints it). This project becomes your working copy: you work offline, and it syncs with the hub.",
            );
            ui.horizontal(|ui| {
                let label = ui.label("Connection:");
                ui.add(
                    egui::TextEdit::singleline(&mut state.join_url)
                        .hint_text("postgres://you:password@host:5432/review")
                        .desired_width(360.0)
                        .password(false),
                )
                .labelled_by(label.id);
            });
            let ready = !state.join_url.trim().is_empty() && !state.busy;
            if ui.add_enabled(ready, egui::Button::new("Join")).clicked() {
                actions.push(Action::JoinHub(state.join_url.trim().to_owned()));
            }
            if state.busy {
                ui.horizontal(|ui| {
                    ui.spinner();
                    ui.label("Joining…");
                });
            } else if let Some(message) = &state.message {
                ui.label(message);
            }
        });
    state.join_open = open;
}

/// The hub's part of the status bar, for a working copy; `waiting` is counted from the
/// project as the team was last read (after every listing), fresher than the last sync's.
pub fn status_ui(
    ui: &mut egui::Ui,
    state: &HubState,
    link: &ecolens_core::store::HubLink,
    waiting: usize,
    actions: &mut Vec<Action>,
) {
    ui.separator();
    let online = state.status.as_ref().map(|s| s.online);
    let last = state
        .status
        .as_ref()
        .and_then(|s| s.link.as_ref())
        .and_then(|l| l.last_sync.clone())
        .or_else(|| link.last_sync.clone());
    let state_word = match online {
        Some(true) => "online",
        Some(false) => "offline",
        None => "not checked yet",
    };
    let text = format!(
        "Hub {} as {}: {state_word} · {waiting} change{} waiting · last sync {}",
        link.place,
        link.login,
        if waiting == 1 { "" } else { "s" },
        last.as_deref()
            .map_or_else(|| "never".to_owned(), short_time)
    );
    let response = if online == Some(false) {
        ui.colored_label(ui.visuals().warn_fg_color, text)
    } else {
        ui.label(text)
    };
    if let Some(why) = state
        .status
        .as_ref()
        .and_then(|s| s.offline_because.as_ref())
    {
        response.on_hover_text(why);
    }
    if state.busy {
        ui.spinner();
    } else if ui.small_button("Sync now").clicked() {
        actions.push(Action::SyncHub);
    }
}

/// `2026-12-07T03:26:09.123Z` as `2026-12-07 03:26 UTC`.
fn short_time(at: &str) -> String {
    at.get(..16).map_or_else(
        || at.to_owned(),
        |t| format!("{} UTC", t.replacen('T', " ", 1)),
    )
}
