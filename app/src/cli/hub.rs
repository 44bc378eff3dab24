//! `ecolens hub …`: a team hub on PostgreSQL (see `service::hub`).

// clap shows these doc comments as --help text, where backticks would print as they are.
#![allow(clippy::doc_markdown)]

use std::fmt::Write as _;

use anyhow::Result;
use clap::{Subcommand, ValueEnum};
use ecolens_core::Project;
use ecolens_core::store::SyncReport;

use super::{Keyboard, Output};
use crate::service::hub::{self as service, Credentials};

/// The team hub.
#[derive(Debug, Subcommand)]
pub enum HubCommand {
    /// Create a hub in an empty PostgreSQL database from this project (a lead, --reviewer):
    /// URL is the owner's connection (a login that may create roles). Your own login is made
    /// and this project becomes your working copy; its records are shared.
    Init {
        /// postgres://OWNER:PASSWORD@HOST:PORT/DATABASE
        url: String,
        /// Your PostgreSQL login (default: from your name, lower case).
        #[arg(long)]
        login: Option<String>,
    },
    /// Invite a reviewer (a lead, on the machine where the hub was created): makes their login
    /// and prints the connection string to send them privately.
    AddReviewer {
        /// Their name in the project.
        name: String,
        /// Make them a lead.
        #[arg(long)]
        lead: bool,
        /// Their PostgreSQL login (default: from the name, lower case).
        #[arg(long)]
        login: Option<String>,
    },
    /// Remove a reviewer: their login stops working; their work stays.
    RemoveReviewer {
        /// Their name or login.
        name: String,
    },
    /// Join a hub with your own login: this project becomes your working copy.
    Join {
        /// postgres://LOGIN:PASSWORD@HOST:PORT/DATABASE, as the lead sent it.
        url: String,
    },
    /// Bring a hub made by an older ecolens to this version's schema (on the machine where the
    /// hub was created: it needs the owner's connection). Syncing works before it, slower.
    Upgrade,
    /// Push your changes and pull what the hub lets you see.
    Sync,
    /// Online or offline, changes waiting, last sync.
    Status,
    /// Switch blind mode on the hub (a lead).
    Blind {
        /// on or off.
        state: OnOff,
        /// Let leads see everyone's work while blind.
        #[arg(long)]
        leads_see_all: Option<OnOff>,
    },
}

/// A switch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OnOff {
    /// On.
    On,
    /// Off.
    Off,
}

fn credentials() -> Result<Credentials> {
    Ok(Credentials::open(&crate::location::hub_credentials_path()?)?)
}

fn sync_text(report: &SyncReport) -> String {
    let mut text = String::new();
    let _ = writeln!(
        text,
        "Synced: {} pushed, {} pulled, {} records shared, {} records received{}",
        report.pushed,
        report.pulled,
        report.records_shared,
        report.records_received,
        if report.reread {
            " (the hub's visibility changed: read again)"
        } else {
            ""
        }
    );
    if let Some(settings) = &report.settings {
        let _ = writeln!(
            text,
            "Blind mode on the hub: {}{}",
            if settings.blind { "on" } else { "off" },
            if settings.leads_see_all {
                "; leads see all"
            } else {
                ""
            }
        );
    }
    for parked in &report.parked {
        let _ = writeln!(
            text,
            "  waiting: {}'s {} on {}: {} (tried again at every sync)",
            parked.author, parked.kind, parked.record, parked.reason
        );
    }
    for applied in &report.applied {
        let _ = writeln!(text, "  {}", applied.summary());
        for c in &applied.conflicts {
            let _ = writeln!(
                text,
                "    conflict  {} {}: here {}, hub {} (kept: {})",
                c.record, c.item, c.in_project, c.in_bundle, c.kept_because
            );
        }
    }
    text
}

/// Runs a hub command.
pub fn run(project: &mut Project, keyboard: &Keyboard<'_>, command: HubCommand) -> Result<Output> {
    match command {
        HubCommand::Init { url, login } => {
            let mut saved = credentials()?;
            let lead = keyboard.reader(project)?;
            let created = service::init(project, &mut saved, &url, lead, login.as_deref())?;
            let text = format!(
                "Hub created at {} with your login {}; this project is your working copy.\n{}Invite reviewers: ecolens hub add-reviewer NAME\n",
                created.place,
                created.login,
                sync_text(&created.sync)
            );
            Ok(Output {
                json: serde_json::to_value(&created)?,
                text,
                failed: false,
            })
        }
        HubCommand::AddReviewer { name, lead, login } => {
            let saved = credentials()?;
            let reader = keyboard.reader(project)?;
            let invite =
                service::add_reviewer(project, &saved, reader, &name, lead, login.as_deref())?;
            let text = format!(
                "{} is invited as {}{}. Send them, privately:\n\n  ecolens hub join '{}' --project THEIR.ecolens\n",
                invite.name,
                invite.login,
                if invite.is_lead { " (lead)" } else { "" },
                invite.url
            );
            Ok(Output {
                json: serde_json::to_value(&invite)?,
                text,
                failed: false,
            })
        }
        HubCommand::RemoveReviewer { name } => {
            let saved = credentials()?;
            let reader = keyboard.reader(project)?;
            let removed = service::remove_reviewer(project, &saved, reader, &name)?;
            Ok(Output {
                text: format!(
                    "{} ({}) removed: the login no longer connects; their work stays.\n",
                    removed.name, removed.login
                ),
                json: serde_json::to_value(&removed)?,
                failed: false,
            })
        }
        HubCommand::Join { url } => {
            let mut saved = credentials()?;
            let report = service::join(project, &mut saved, &url)?;
            let link = project.hub_link()?;
            let who = link.as_ref().map_or_else(String::new, |l| {
                format!("Joined {} as {} ({}).\n", l.place, l.login, l.reviewer)
            });
            Ok(Output {
                text: format!("{who}{}", sync_text(&report)),
                json: serde_json::to_value(&report)?,
                failed: false,
            })
        }
        HubCommand::Upgrade => {
            let saved = credentials()?;
            let upgrade = service::upgrade(project, &saved)?;
            let text = if upgrade.from == upgrade.to {
                format!(
                    "The hub's schema is version {}: nothing to do.\n",
                    upgrade.to
                )
            } else {
                format!(
                    "The hub's schema went from version {} to {}.\n",
                    upgrade.from, upgrade.to
                )
            };
            Ok(Output {
                json: serde_json::to_value(upgrade)?,
                text,
                failed: false,
            })
        }
        HubCommand::Sync => {
            let saved = credentials()?;
            let report = service::sync(project, &saved)?;
            Ok(Output {
                text: sync_text(&report),
                json: serde_json::to_value(&report)?,
                failed: false,
            })
        }
        HubCommand::Status => {
            let saved = credentials()?;
            let status = service::status(project, &saved)?;
            let mut text = String::new();
            match &status.link {
                None => text.push_str("Not joined to a hub.\n"),
                Some(link) => {
                    let _ = writeln!(
                        text,
                        "Hub {} as {} ({}): {}",
                        link.place,
                        link.login,
                        link.reviewer,
                        if status.online {
                            "online".to_owned()
                        } else {
                            format!(
                                "offline ({})",
                                status.offline_because.as_deref().unwrap_or("no answer")
                            )
                        }
                    );
                    let _ = writeln!(
                        text,
                        "{} change(s) waiting; last sync {}",
                        status.waiting,
                        link.last_sync.as_deref().unwrap_or("never")
                    );
                    let _ = writeln!(
                        text,
                        "{} pulled change(s) not valid here yet; full texts held by a lead: {}",
                        status.parked, status.full_texts_at_hub
                    );
                    if let Some(old) = status.settings.as_ref().map(|s| s.schema_version)
                        && old < ecolens_core::hub::HUB_SCHEMA_VERSION
                    {
                        let _ = writeln!(
                            text,
                            "The hub's schema is version {old}, made by an older ecolens: the lead who created it runs `ecolens hub upgrade` (syncs are slower until then)."
                        );
                    }
                    for r in &status.reviewers {
                        let _ = writeln!(
                            text,
                            "  {:<20} {:<20}{}{}",
                            r.login,
                            r.name,
                            if r.is_lead { " lead" } else { "" },
                            if r.removed { " removed" } else { "" }
                        );
                    }
                }
            }
            Ok(Output {
                json: serde_json::to_value(&status)?,
                text,
                failed: false,
            })
        }
        HubCommand::Blind {
            state,
            leads_see_all,
        } => {
            let saved = credentials()?;
            let mut report = service::switch(project, &saved, "blind", state == OnOff::On)?;
            if let Some(leads) = leads_see_all {
                report = service::switch(project, &saved, "leads_see_all", leads == OnOff::On)?;
            }
            Ok(Output {
                text: sync_text(&report),
                json: serde_json::to_value(&report)?,
                failed: false,
            })
        }
    }
}
