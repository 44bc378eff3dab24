//! The Team tab: reviewers, blind mode (and whether leads see all) and the screening rule,
//! conflicts resolved by a lead, agreement per stage and reviewer pair, decision bundles out
//! and in, and the audit log with undo. What it shows follows the reader's visibility: while
//! blind, conflicts wait for a lead to unblind, agreement is for leads, and other reviewers'
//! changes in the log say who changed what kind of thing, without values.

use ecolens_core::record::shown_title;
use std::path::PathBuf;

use ecolens_core::agreement::ScopeAgreement;
use ecolens_core::{AuditEntry, Conflict, RecordId, ResolvedValue, ScreeningRule, Subject};
use eframe::egui;

use super::Action as WindowAction;
use super::review_worker::{Done, ReviewCommand, ReviewSnapshot, Write};
use super::session::Session;
use super::tab::{Io, ReviewAnswer, Status, Tab};
use super::tabs::View;
use super::widgets::{path_row, reviewer_picker, truncate};
use super::words;
use super::worker::PickPurpose;
use crate::service::{Front, describe};

/// What the Team tab asks for.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Add a reviewer.
    AddReviewer {
        /// Name.
        name: String,
        /// Lead.
        lead: bool,
    },
    /// Switch blind mode, and whether leads see all while blind (the reviewer must be a lead).
    SetBlind {
        /// Blind.
        on: bool,
        /// Leads see everyone's judgements while blind.
        leads_see_all: bool,
    },
    /// Set the screening rule (the reviewer must be a lead).
    SetRule(ScreeningRule),
    /// Set how screening queues are ordered and the stopping rule (the reviewer must be a
    /// lead).
    SetPriority(ecolens_core::priority::PrioritySettings),
    /// Resolve a disagreement (the reviewer must be a lead).
    Resolve {
        /// Which record.
        record: RecordId,
        /// What.
        subject: Subject,
        /// The final value.
        value: ResolvedValue,
    },
    /// Write the reviewer's decision bundle.
    ExportBundle(PathBuf),
    /// Merge a decision bundle.
    ImportBundle(PathBuf),
    /// Undo the reviewer's last change.
    Undo,
}

/// The "Add reviewer" form.
#[derive(Debug, Default)]
pub struct NewReviewer {
    /// The name typed.
    pub name: String,
    /// The "lead" box.
    pub lead: bool,
}

/// The Team tab's state.
#[derive(Debug, Default)]
pub struct State {
    /// Conflicts, agreement and the audit log, as read last.
    pub snapshot: Option<Box<ReviewSnapshot>>,
    /// The "Add reviewer" form.
    pub new_reviewer: NewReviewer,
    /// Where to write the reviewer's bundle.
    pub bundle_out: String,
    /// The bundle to import.
    pub bundle_in: String,
    /// "Unblind…" was pressed and waits for the lead to confirm.
    pub confirm_unblind: bool,
    /// The screening-order form as edited, until applied (`None`: shows the project's).
    pub priority: Option<ecolens_core::priority::PrioritySettings>,
}

impl Tab for State {
    type Action = Action;

    fn ui(&mut self, ui: &mut egui::Ui, session: &Session, out: &mut Vec<WindowAction>) {
        team_ui(ui, self, session, out);
    }

    fn apply(&mut self, action: Action, session: &Session, io: &mut Io<'_>) {
        let you = session.reader();
        let needs_you = |io: &mut Io<'_>| io.say(Status::needs_you("This"));
        let write = match (action, you) {
            (Action::AddReviewer { name, lead }, _) => Write::AddReviewer { name, lead },
            (Action::ImportBundle(path), _) => Write::ImportBundle { path },
            // In a hub's working copy the hub holds blind mode: the switch goes there.
            (Action::SetBlind { on, leads_see_all }, Some(_))
                if session.team.as_ref().is_some_and(|t| t.hub.is_some()) =>
            {
                let same = session
                    .team
                    .as_ref()
                    .is_some_and(|t| t.settings.blind == on);
                if !same {
                    io.then(WindowAction::HubSwitch {
                        setting: "blind",
                        on,
                    });
                } else if on {
                    io.then(WindowAction::HubSwitch {
                        setting: "leads_see_all",
                        on: leads_see_all,
                    });
                }
                return;
            }
            (Action::SetBlind { on, leads_see_all }, Some(lead)) => Write::SetBlind {
                lead,
                on,
                leads_see_all: on.then_some(leads_see_all),
            },
            (Action::SetRule(rule), Some(lead)) => Write::SetRule { lead, rule },
            (Action::SetPriority(settings), Some(lead)) => {
                self.priority = None;
                Write::SetPriority { lead, settings }
            }
            (
                Action::Resolve {
                    record,
                    subject,
                    value,
                },
                Some(lead),
            ) => Write::Resolve {
                lead,
                record,
                subject,
                value,
            },
            (Action::ExportBundle(path), Some(reader)) => Write::ExportBundle { reader, path },
            (Action::Undo, Some(reviewer)) => Write::Undo { reviewer },
            (_, None) => return needs_you(io),
        };
        io.review(ReviewCommand::Write(write));
    }

    fn show(&mut self, session: &Session, io: &mut Io<'_>) {
        io.refresh(View::Team, ecolens_core::Stage::TitleAbstract, session);
    }

    fn forget(&mut self) {
        self.snapshot = None;
        self.confirm_unblind = false;
    }

    fn review(
        &mut self,
        answer: &mut ReviewAnswer<'_>,
        session: &Session,
        shown: bool,
        io: &mut Io<'_>,
    ) {
        match answer {
            ReviewAnswer::State(_) => {
                if let Some(snapshot) = answer.snapshot_for(View::Team) {
                    self.snapshot = Some(snapshot);
                }
            }
            ReviewAnswer::Done(done) => {
                let changes_team_view = !matches!(
                    done,
                    Done::PrismaWritten(_) | Done::TreeWritten { .. } | Done::BundleWritten(_)
                );
                if shown && changes_team_view {
                    self.show(session, io);
                }
            }
            ReviewAnswer::Card(_) | ReviewAnswer::Desk(_) | ReviewAnswer::Failed => {}
        }
    }

    fn picked(
        &mut self,
        purpose: PickPurpose,
        path: PathBuf,
        _session: &Session,
        _io: &mut Io<'_>,
    ) {
        match purpose {
            PickPurpose::BundleOut => self.bundle_out = path.display().to_string(),
            PickPurpose::BundleIn => self.bundle_in = path.display().to_string(),
            _ => {}
        }
    }
}

/// The orders a lead can pick, in the order offered.
const ORDERS: [ecolens_core::priority::QueueOrder; 5] = {
    use ecolens_core::priority::{QueueOrder, Strategy};
    [
        QueueOrder::Model(Strategy::MostRelevant),
        QueueOrder::Model(Strategy::Mixed { random_percent: 5 }),
        QueueOrder::Model(Strategy::MostUncertain),
        QueueOrder::Model(Strategy::Random),
        QueueOrder::Import,
    ]
};

/// A fraction edited as a percent from 50 to 99.9.
fn percent_field(ui: &mut egui::Ui, fraction: &mut f64, suffix: &str) {
    let mut percent = *fraction * 100.0;
    if ui
        .add(
            egui::DragValue::new(&mut percent)
                .range(50.0..=99.9)
                .speed(0.1)
                .suffix(suffix),
        )
        .changed()
    {
        *fraction = percent / 100.0;
    }
}

/// The screening order and the stopping rule: shown to everyone, changed by a lead.
fn priority_ui(
    ui: &mut egui::Ui,
    edited: &mut Option<ecolens_core::priority::PrioritySettings>,
    session: &Session,
    is_lead: bool,
    out: &mut Vec<WindowAction>,
) {
    let Some(saved) = session.priority() else {
        return;
    };
    let form = edited.get_or_insert(saved);
    ui.horizontal_wrapped(|ui| {
        ui.add_enabled_ui(is_lead, |ui| {
            let label = ui.label("Screening order:");
            egui::ComboBox::from_id_salt("screening_order")
                .selected_text(form.order.to_string())
                .show_ui(ui, |ui| {
                    let mut orders: Vec<_> = ORDERS.to_vec();
                    if !orders.contains(&form.order) {
                        orders.push(form.order);
                    }
                    for order in orders {
                        ui.selectable_value(&mut form.order, order, order.to_string());
                    }
                })
                .response
                .labelled_by(label.id);
            ui.label("seed");
            ui.add(egui::DragValue::new(&mut form.seed).speed(1));
            ui.label("stop at");
            percent_field(ui, &mut form.stopping.target_recall, " % recall");
            ui.label("with");
            percent_field(ui, &mut form.stopping.confidence, " % confidence");
        })
        .response
        .on_disabled_hover_text("Only a lead may change how queues are ordered");
        let changed = *form != saved;
        if ui
            .add_enabled(is_lead && changed, egui::Button::new("Apply order"))
            .clicked()
        {
            out.push(Action::SetPriority(*form).into());
        }
    });
    ui.weak(
        "Each reviewer's queue is ranked by a model that learns from that reviewer's own votes only; until it can rank, the lead's known includes come first, then a random order drawn from the seed.",
    );
}

/// The team view.
fn team_ui(ui: &mut egui::Ui, state: &mut State, session: &Session, out: &mut Vec<WindowAction>) {
    let (Some(snapshot), Some(settings)) = (state.snapshot.as_deref(), session.settings()) else {
        ui.spinner();
        return;
    };
    let is_lead = session.is_lead();
    egui::ScrollArea::vertical().id_salt("team").show(ui, |ui| {
        ui.horizontal_wrapped(|ui| reviewer_picker(ui, session, out));
        ui.heading("Reviewers");
        egui::Grid::new("reviewers").striped(true).show(ui, |ui| {
            for r in session.reviewers() {
                ui.label(format!(
                    "{} ({})",
                    r.name,
                    if r.is_lead { "lead" } else { "reviewer" }
                ));
                ui.end_row();
            }
        });
        if session.reviewers().is_empty() {
            ui.weak("No reviewers yet. Add the first one; make the project's lead a lead.");
        }
        ui.horizontal_wrapped(|ui| {
            let label = ui.label("Name:");
            let field = ui
                .add(
                    egui::TextEdit::singleline(&mut state.new_reviewer.name)
                        .hint_text("reviewer's name")
                        .desired_width(160.0),
                )
                .labelled_by(label.id);
            let entered = field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
            ui.checkbox(&mut state.new_reviewer.lead, "lead");
            let name = state.new_reviewer.name.trim().to_owned();
            // A hub's working copy invites through the hub: a login, and the string to send.
            if session.team.as_ref().is_some_and(|t| t.hub.is_some()) {
                if (ui
                    .add_enabled(
                        is_lead && !name.is_empty(),
                        egui::Button::new("Invite to the hub"),
                    )
                    .on_disabled_hover_text(
                        "A lead invites, on the machine where the hub was created",
                    )
                    .clicked()
                    || (entered && is_lead))
                    && !name.is_empty()
                {
                    out.push(WindowAction::HubInvite {
                        name,
                        lead: state.new_reviewer.lead,
                    });
                    state.new_reviewer = NewReviewer::default();
                }
                return;
            }
            if (ui
                .add_enabled(!name.is_empty(), egui::Button::new("Add reviewer"))
                .clicked()
                || entered)
                && !name.is_empty()
            {
                out.push(
                    Action::AddReviewer {
                        name,
                        lead: state.new_reviewer.lead,
                    }
                    .into(),
                );
                state.new_reviewer = NewReviewer::default();
            }
        });
        ui.separator();
        ui.heading("Blinding and the screening rule");
        let hub = session.team.as_ref().and_then(|t| t.hub.as_ref());
        // In a hub's working copy the switch goes to the hub, which lets only its leads.
        let switch_hint = if hub.is_some() {
            "Only a lead of the hub may switch blind mode"
        } else {
            "Only a lead may switch blind mode"
        };
        ui.horizontal_wrapped(|ui| {
            let blind = settings.blind;
            ui.label(match (blind, settings.leads_see_all) {
                (true, false) => "Blind mode is on: each reviewer sees only their own judgements.",
                (true, true) => "Blind mode is on: each reviewer sees only their own judgements; leads see everyone's.",
                (false, _) => "Blind mode is off: everyone sees everyone's judgements.",
            });
            if blind {
                // Unblinding cannot be taken back for the reviewers who see: it asks first.
                if ui
                    .add_enabled(is_lead, egui::Button::new("Unblind…"))
                    .on_disabled_hover_text(switch_hint)
                    .clicked()
                {
                    state.confirm_unblind = true;
                }
            } else if ui
                .add_enabled(is_lead, egui::Button::new("Blind again"))
                .on_disabled_hover_text(switch_hint)
                .clicked()
            {
                out.push(
                    Action::SetBlind {
                        on: true,
                        leads_see_all: false,
                    }
                    .into(),
                );
            }
            if blind {
                let mut leads = settings.leads_see_all;
                if ui
                    .add_enabled(is_lead, egui::Checkbox::new(&mut leads, "Leads see all"))
                    .on_hover_text("While blind, leads see everyone's judgements; reviewers still see their own only")
                    .on_disabled_hover_text("Only a lead may change this")
                    .changed()
                {
                    out.push(
                        Action::SetBlind {
                            on: true,
                            leads_see_all: leads,
                        }
                        .into(),
                    );
                }
            }
        });
        if state.confirm_unblind && settings.blind && is_lead {
            confirm_unblind_ui(ui, &mut state.confirm_unblind, out);
        }
        match hub {
            Some(link) => ui.weak(format!(
                "This project is {}'s working copy of the hub at {}: the server shows each login only its own work while blind, whatever a copy holds.",
                link.reviewer, link.place
            )),
            None => ui.weak(
                "Blind mode in a shared project file stops accidental looks, not a determined \
                 colleague: anyone can pick another name here, or open the file. A team hub \
                 enforces it with real accounts (ecolens hub init).",
            ),
        };
        ui.horizontal_wrapped(|ui| {
            ui.label("A record moves on when:");
            for rule in [ScreeningRule::OneReviewer, ScreeningRule::TwoAgreeing] {
                if ui
                    .add_enabled(
                        is_lead,
                        egui::RadioButton::new(settings.rule == rule, rule.label()),
                    )
                    .clicked()
                    && settings.rule != rule
                {
                    out.push(Action::SetRule(rule).into());
                }
            }
        });
        priority_ui(ui, &mut state.priority, session, is_lead, out);
        ui.separator();
        ui.heading("Conflicts");
        match &snapshot.conflicts {
            None => {
                ui.spinner();
            }
            Some(Err(why)) => {
                ui.weak(describe(why, Front::Window));
                // A lead resolves conflicts once they see them: the way there, here.
                if is_lead && settings.blind {
                    ui.horizontal_wrapped(|ui| {
                        if ui.button("Unblind…").clicked() {
                            state.confirm_unblind = true;
                        }
                        if !settings.leads_see_all
                            && ui
                                .button("Let leads see all")
                                .on_hover_text("Leads see everyone's judgements; reviewers still see their own only")
                                .clicked()
                        {
                            out.push(
                                Action::SetBlind {
                                    on: true,
                                    leads_see_all: true,
                                }
                                .into(),
                            );
                        }
                    });
                }
            }
            Some(Ok(conflicts)) => conflicts_ui(ui, conflicts, session, out),
        }
        ui.separator();
        ui.heading("Agreement");
        match &snapshot.agreement {
            Some(Ok(scopes)) => agreement_ui(ui, scopes),
            Some(Err(why)) => {
                ui.weak(describe(why, Front::Window));
            }
            None => {
                ui.spinner();
            }
        }
        ui.separator();
        ui.heading("Decision bundles");
        ui.weak(
            "A reviewer working on another machine exports their bundle; the lead imports it here. \
             Importing the same bundle twice changes nothing; disagreements become conflicts.",
        );
        let row = path_row(
            ui,
            ("Bundle to write:", "my-bundle.json", &mut state.bundle_out),
            ("Export my bundle", session.you().is_some()),
        );
        if row.browse {
            out.push(WindowAction::Pick(PickPurpose::BundleOut));
        }
        if let Some(path) = row.act {
            out.push(Action::ExportBundle(path).into());
        }
        let row = path_row(
            ui,
            ("Bundle to import:", "their-bundle.json", &mut state.bundle_in),
            ("Import bundle", true),
        );
        if row.browse {
            out.push(WindowAction::Pick(PickPurpose::BundleIn));
        }
        if let Some(path) = row.act {
            out.push(Action::ImportBundle(path).into());
        }
        ui.separator();
        ui.horizontal_wrapped(|ui| {
            ui.heading("Audit log");
            if ui
                .add_enabled(session.you().is_some(), egui::Button::new("Undo my last change"))
                .clicked()
            {
                out.push(Action::Undo.into());
            }
        });
        if let Some(entries) = &snapshot.audit {
            audit_ui(ui, entries, session);
        }
    });
}

fn audit_ui(ui: &mut egui::Ui, entries: &[AuditEntry], session: &Session) {
    ui.weak(format!(
        "The latest {} changes, newest first (ecolens audit lists all). Each author undoes their own, newest first.",
        entries.len()
    ));
    let row_height = ui.spacing().interact_size.y;
    egui::ScrollArea::vertical()
        .id_salt("audit")
        .max_height(240.0)
        // In the view's own scroll area it would shrink to what is left of the window.
        .min_scrolled_height(240.0)
        .show_rows(ui, row_height, entries.len(), |ui, shown| {
            egui::Grid::new("audit_grid")
                .striped(true)
                .num_columns(5)
                .show(ui, |ui| {
                    for entry in &entries[shown] {
                        ui.label(format!("#{}", entry.id.0));
                        ui.label(entry.at.strftime("%Y-%m-%d %H:%M:%S UTC").to_string())
                            .on_hover_text(entry.at.to_string());
                        ui.label(entry.reviewer_name.as_deref().unwrap_or("-"));
                        ui.label(words::audit(entry, session));
                        ui.label(if entry.undone_by.is_some() {
                            "undone"
                        } else {
                            ""
                        });
                        ui.end_row();
                    }
                });
        });
}

/// "Unblind the project?" with what it means, and the two answers.
fn confirm_unblind_ui(ui: &mut egui::Ui, asking: &mut bool, out: &mut Vec<WindowAction>) {
    egui::Frame::group(ui.style()).show(ui, |ui| {
        ui.strong("Unblind the project?");
        ui.label(
            "Every reviewer will see everyone's votes, categories and risks from now on, and \
             agreement and conflicts become visible to all. Blinding again later hides them \
             again, but what was seen cannot be unseen: judge blind first, unblind to resolve.",
        );
        ui.horizontal(|ui| {
            if ui.button("Unblind now").clicked() {
                out.push(
                    Action::SetBlind {
                        on: false,
                        leads_see_all: false,
                    }
                    .into(),
                );
                *asking = false;
            }
            if ui.button("Cancel").clicked() {
                *asking = false;
            }
        });
    });
}

fn conflicts_ui(
    ui: &mut egui::Ui,
    conflicts: &[Conflict],
    session: &Session,
    out: &mut Vec<WindowAction>,
) {
    let is_lead = session.is_lead();
    let open = conflicts.iter().filter(|c| c.resolution.is_none()).count();
    ui.label(format!("{} conflict(s): {open} open", conflicts.len()));
    // Two lines per conflict: which record and what, then who said what and the lead's
    // buttons. Only the conflicts in view are laid out: a large project has tens of
    // thousands.
    let line = ui.spacing().interact_size.y + ui.spacing().item_spacing.y;
    egui::ScrollArea::vertical()
        .id_salt("conflicts")
        .max_height(360.0)
        .min_scrolled_height(120.0)
        .show_rows(ui, 2.0 * line + 6.0, conflicts.len(), |ui, shown| {
            for conflict in &conflicts[shown] {
                ui.horizontal(|ui| {
                    ui.strong(format!("#{}", conflict.record));
                    ui.label(truncate(shown_title(&conflict.title), 70))
                        .on_hover_text(&conflict.title);
                    ui.weak(format!("— {}", conflict.subject.label()));
                });
                ui.horizontal(|ui| {
                    let positions: Vec<String> = conflict
                        .positions
                        .iter()
                        .map(|p| {
                            format!("{}: {}", p.reviewer_name, words::value(&p.value, session))
                        })
                        .collect();
                    let positions = positions.join("; ");
                    ui.label(truncate(&positions, 80)).on_hover_text(&positions);
                    match &conflict.resolution {
                        Some(resolution) => {
                            ui.strong(format!(
                                "resolved: {}",
                                words::value(&resolution.value, session)
                            ));
                        }
                        None => {
                            // One button per distinct value, named for the first reviewer who
                            // holds it (the values are on the left); the lead picks one.
                            let mut seen: Vec<&ResolvedValue> = Vec::new();
                            for position in &conflict.positions {
                                if seen.contains(&&position.value) {
                                    continue;
                                }
                                seen.push(&position.value);
                                if ui
                                    .add_enabled(
                                        is_lead,
                                        egui::Button::new(format!(
                                            "Take {}'s",
                                            position.reviewer_name
                                        )),
                                    )
                                    .on_hover_text(words::value(&position.value, session))
                                    .on_disabled_hover_text("Only a lead resolves conflicts")
                                    .clicked()
                                {
                                    out.push(
                                        Action::Resolve {
                                            record: conflict.record,
                                            subject: conflict.subject.clone(),
                                            value: position.value.clone(),
                                        }
                                        .into(),
                                    );
                                }
                            }
                        }
                    }
                });
                ui.add_space(6.0);
            }
        });
}

fn agreement_ui(ui: &mut egui::Ui, scopes: &[ScopeAgreement]) {
    let number = |value: Option<f64>| value.map_or_else(|| "n/a".to_owned(), |v| format!("{v:.3}"));
    egui::Grid::new("agreement")
        .striped(true)
        .num_columns(8)
        .show(ui, |ui| {
            for header in [
                "Stage",
                "Reviewers",
                "Items",
                "Agreement",
                "Cohen's k",
                "linear k",
                "quadratic k",
                "",
            ] {
                ui.strong(header);
            }
            ui.end_row();
            for scope in scopes {
                if scope.pairs.is_empty() {
                    ui.label(&scope.scope);
                    ui.weak("no two reviewers rated the same item yet");
                    ui.end_row();
                }
                for pair in &scope.pairs {
                    ui.label(&scope.scope);
                    ui.label(format!("{} x {}", pair.first, pair.second));
                    ui.label(pair.items.to_string());
                    ui.label(
                        pair.percent
                            .map_or_else(|| "n/a".to_owned(), |p| format!("{:.1} %", p * 100.0)),
                    );
                    ui.label(number(pair.kappa));
                    ui.label(if scope.ordered {
                        number(pair.kappa_linear)
                    } else {
                        String::new()
                    });
                    ui.label(if scope.ordered {
                        number(pair.kappa_quadratic)
                    } else {
                        String::new()
                    });
                    ui.label("");
                    ui.end_row();
                }
                if let Some(fleiss) = &scope.fleiss {
                    ui.label(&scope.scope);
                    ui.label(format!("Fleiss, {} reviewers", fleiss.reviewers));
                    ui.label(fleiss.items.to_string());
                    ui.label("");
                    ui.label(number(fleiss.kappa));
                    ui.end_row();
                }
                if scope.items_compared > 0 {
                    // Items rated by different subsets of reviewers count here too.
                    ui.label(&scope.scope);
                    ui.label("all reviewers");
                    ui.label(scope.items_compared.to_string());
                    ui.label("");
                    ui.label(format!(
                        "Krippendorff's alpha {}",
                        number(scope.krippendorff_alpha)
                    ));
                    ui.label(format!(
                        "Gwet's {} {}",
                        if scope.ordered { "AC2" } else { "AC1" },
                        number(scope.gwet_ac)
                    ));
                    ui.end_row();
                }
            }
        });
}
