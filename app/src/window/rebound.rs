//! The Rebound tab: the rebound-risk register's counts, the record in focus's consequence
//! tree from "deploy the solution at a scale", coloured by direction and built node by node
//! with a form holding every rating field, and the tree's export.

use ecolens_core::record::shown_title;
use std::path::PathBuf;

use ecolens_core::consequence::{ConsequenceRoot, TreeNode, direction_rgb};
use ecolens_core::{
    EvidenceQuote, ReboundRisk, RecordId, RiskId, RiskRecord, RiskSummary, StoredRisk,
};
use ecolens_taxonomy::{
    AssessmentScale, Confidence, Criterion, Direction, EffectCode, EvidenceType, Likelihood,
    Magnitude, MechanismResource, ReductionType, Term, Tier, TimeHorizon,
};
use eframe::egui;

use super::Action as WindowAction;
use super::desk::{DeskSlot, Selection, evidence_ui, focused, record_list, record_text_ui};
use super::review_worker::{Done, ReviewCommand, ReviewSnapshot, Write};
use super::session::Session;
use super::tab::{Io, ReviewAnswer, Status, Tab};
use super::tabs::View;
use super::widgets::{Side, path_row, reviewer_picker, side_by_side, term_combo, term_combo_or};
use super::words;
use super::worker::PickPurpose;
use crate::service::review::RecordDesk;

/// What the Rebound tab asks for.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Add (`id` `None`) or change a risk of the record in focus.
    SaveRisk {
        /// The risk changed.
        id: Option<RiskId>,
        /// The risk.
        risk: Box<ReboundRisk>,
    },
    /// Delete one of the reviewer's risks.
    DeleteRisk(RiskId),
    /// Set the root of the consequence tree of the record in focus.
    SetRoot(ConsequenceRoot),
    /// Write the consequence tree of the record in focus.
    ExportTree(PathBuf),
    /// The risk form cannot be sent; the words say why.
    Refuse(String),
}

/// The Rebound tab's state.
#[derive(Debug, Default)]
pub struct State {
    /// The register's counts and records, as read last.
    pub snapshot: Option<Box<ReviewSnapshot>>,
    /// The record in focus.
    pub desk: DeskSlot,
    /// The risk form.
    pub risk: RiskForm,
    /// The root form.
    pub root: RootForm,
    /// The text selected in the record, for a quote.
    pub selection: Option<Selection>,
    /// Where to write the consequence tree (`.svg` or `.json`).
    pub tree_path: String,
    /// The risk form was sent and waits for its answer.
    pub saving: bool,
}

impl State {
    fn take_desk(&mut self, desk: &RecordDesk, session: &Session) {
        let other_record = self
            .desk
            .desk
            .as_ref()
            .is_some_and(|d| d.record != desk.record);
        if self.desk.offer(desk, session) {
            if self.root.record != Some(desk.record) {
                self.root = RootForm {
                    record: Some(desk.record),
                    solution: desk.tree.root.solution.clone(),
                    scale: desk.tree.root.scale,
                };
            }
            if other_record {
                self.selection = None;
                self.risk = RiskForm::default();
            }
        }
    }
}

/// The risk being added or changed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RiskForm {
    /// The form is shown.
    pub open: bool,
    /// The risk changed, or `None` for a new one.
    pub editing: Option<RiskId>,
    /// Effect code.
    pub effect: Option<EffectCode>,
    /// Mechanism, in the reviewer's words.
    pub mechanism: String,
    /// Direction.
    pub direction: Option<Direction>,
    /// Reduction type.
    pub reduction_type: Option<ReductionType>,
    /// Time horizon.
    pub time_horizon: Option<TimeHorizon>,
    /// Scale.
    pub scale: Option<AssessmentScale>,
    /// Criteria affected.
    pub criteria: Vec<Criterion>,
    /// Likelihood.
    pub likelihood: Option<Likelihood>,
    /// Magnitude class.
    pub magnitude: Option<Magnitude>,
    /// Rebound in percent of the expected savings, as typed.
    pub rebound_percent: String,
    /// Confidence.
    pub confidence: Option<Confidence>,
    /// Evidence type.
    pub evidence_type: Option<EvidenceType>,
    /// Tier.
    pub tier: Option<Tier>,
    /// Mechanism resource (the edge from the parent).
    pub mechanism_resource: Option<MechanismResource>,
    /// Conditions.
    pub conditions: String,
    /// Mitigation.
    pub mitigation: String,
    /// Evidence quotes.
    pub evidence: Vec<EvidenceQuote>,
    /// The effect this one follows from.
    pub parent: Option<RiskId>,
}

impl RiskForm {
    /// A new risk under `parent` (`None`: under the root).
    pub fn new_under(parent: Option<RiskId>) -> Self {
        Self {
            open: true,
            parent,
            ..Self::default()
        }
    }

    /// The form for changing a stored risk.
    pub fn edit(id: RiskId, risk: &ReboundRisk) -> Self {
        Self {
            open: true,
            editing: Some(id),
            effect: Some(risk.effect),
            mechanism: risk.mechanism.clone(),
            direction: risk.direction,
            reduction_type: risk.reduction_type,
            time_horizon: risk.time_horizon,
            scale: risk.scale,
            criteria: risk.criteria.clone(),
            likelihood: risk.likelihood,
            magnitude: risk.magnitude,
            rebound_percent: risk
                .rebound_percent
                .map_or_else(String::new, |p| p.to_string()),
            confidence: risk.confidence,
            evidence_type: risk.evidence_type,
            tier: risk.tier,
            mechanism_resource: risk.mechanism_resource,
            conditions: risk.conditions.clone().unwrap_or_default(),
            mitigation: risk.mitigation.clone().unwrap_or_default(),
            evidence: risk.evidence.clone(),
            parent: risk.parent,
        }
    }

    /// The risk to save, or what is missing. The store checks the rating's consistency.
    pub fn risk(&self) -> Result<ReboundRisk, String> {
        let effect = self
            .effect
            .ok_or("Pick the effect (the first field) before saving.")?;
        let percent = self.rebound_percent.trim();
        let rebound_percent = if percent.is_empty() {
            None
        } else {
            Some(percent.parse::<f64>().map_err(|_| {
                format!("Rebound (%) must be a number such as 35 or -10, not {percent:?}.")
            })?)
        };
        let text = |value: &str| {
            let value = value.trim();
            (!value.is_empty()).then(|| value.to_owned())
        };
        Ok(ReboundRisk {
            mechanism: self.mechanism.trim().to_owned(),
            direction: self.direction,
            reduction_type: self.reduction_type,
            time_horizon: self.time_horizon,
            scale: self.scale,
            criteria: self.criteria.clone(),
            likelihood: self.likelihood,
            magnitude: self.magnitude,
            rebound_percent,
            confidence: self.confidence,
            evidence_type: self.evidence_type,
            tier: self.tier,
            mechanism_resource: self.mechanism_resource,
            conditions: text(&self.conditions),
            mitigation: text(&self.mitigation),
            evidence: self.evidence.clone(),
            parent: self.parent,
            ..ReboundRisk::new(effect)
        })
    }
}

/// The root being edited.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RootForm {
    /// The record the form was loaded for.
    pub record: Option<RecordId>,
    /// The solution deployed.
    pub solution: String,
    /// At which scale.
    pub scale: Option<AssessmentScale>,
}

impl Tab for State {
    type Action = Action;

    fn ui(&mut self, ui: &mut egui::Ui, session: &Session, out: &mut Vec<WindowAction>) {
        rebound_ui(ui, self, session, out);
    }

    fn apply(&mut self, action: Action, session: &Session, io: &mut Io<'_>) {
        if let Action::Refuse(why) = action {
            io.say(Status::Fix(why));
            return;
        }
        let (Some(reviewer), Some(record)) = (session.reader(), session.focus) else {
            io.say(Status::needs_you("Recording risks"));
            return;
        };
        let write = match action {
            Action::SaveRisk { id, risk } => {
                self.saving = true;
                Write::SaveRisk {
                    reviewer,
                    record,
                    id,
                    risk,
                }
            }
            Action::DeleteRisk(id) => Write::DeleteRisk { reviewer, id },
            Action::SetRoot(root) => Write::SetRoot {
                reviewer,
                record,
                root,
            },
            Action::ExportTree(path) => Write::ExportTree {
                reader: reviewer,
                record,
                path,
            },
            Action::Refuse(_) => return,
        };
        io.review(ReviewCommand::Write(write));
    }

    fn show(&mut self, session: &Session, io: &mut Io<'_>) {
        io.refresh(View::Rebound, ecolens_core::Stage::TitleAbstract, session);
        DeskSlot::request(session, io);
    }

    fn forget(&mut self) {
        let tree_path = std::mem::take(&mut self.tree_path);
        *self = Self {
            tree_path,
            ..Self::default()
        };
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
                if let Some(snapshot) = answer.snapshot_for(View::Rebound) {
                    if session.focus.is_none()
                        && let Some(first) = snapshot
                            .risk_records
                            .as_ref()
                            .and_then(|r| r.first())
                            .map(|r| r.record)
                    {
                        io.then(WindowAction::Focus(first));
                    }
                    self.snapshot = Some(snapshot);
                }
            }
            ReviewAnswer::Desk(desk) => self.take_desk(desk, session),
            ReviewAnswer::Done(done) => {
                if let Done::RiskSaved { stored, .. } = done
                    && Some(stored.reviewer) == session.reader()
                {
                    self.saving = false;
                    self.risk = RiskForm::default();
                }
                let touches_tree = matches!(
                    done,
                    Done::RiskSaved { .. }
                        | Done::RiskDeleted(_)
                        | Done::RootSet { .. }
                        | Done::Labelled { .. }
                        | Done::Undone(_)
                        | Done::Settings(_)
                        | Done::Resolved(_)
                        | Done::BundleImported(_)
                );
                if shown && touches_tree {
                    // The register's counts and the tree follow from every risk: read again.
                    self.show(session, io);
                }
            }
            ReviewAnswer::Failed => self.saving = false,
            ReviewAnswer::Card(_) => {}
        }
    }

    fn picked(
        &mut self,
        purpose: PickPurpose,
        path: PathBuf,
        _session: &Session,
        _io: &mut Io<'_>,
    ) {
        if purpose == PickPurpose::TreeFile {
            self.tree_path = path.display().to_string();
        }
    }
}

/// The rebound-risk register.
fn rebound_ui(
    ui: &mut egui::Ui,
    state: &mut State,
    session: &Session,
    out: &mut Vec<WindowAction>,
) {
    ui.horizontal_wrapped(|ui| reviewer_picker(ui, session, out));
    if session.you().is_none() {
        ui.separator();
        ui.label("Choose who you are above (or add yourself in the Team view) to record risks.");
        return;
    }
    if let Some(summary) = state
        .snapshot
        .as_ref()
        .and_then(|s| s.risk_summary.as_ref())
    {
        summary_ui(ui, summary);
    }
    ui.separator();
    let listed: &[RiskRecord] = state
        .snapshot
        .as_ref()
        .and_then(|s| s.risk_records.as_deref())
        .unwrap_or_default();
    let focused_desk = state.desk.current(session);
    egui::Panel::left("rebound_list")
        .resizable(true)
        .default_size(260.0)
        .show(ui, |ui| {
            // The panel keeps its width whatever its lines say (a wrapped label as wide as
            // its text made it shrink, and the columns beside it jump, after a save).
            ui.set_width(ui.available_width());
            ui.strong("Records with risks");
            if listed.is_empty() && focused_desk.is_none() {
                ui.weak("None yet: open a record from the Screening or Classify view.");
            }
            let items = listed
                .iter()
                .map(|r| (r.record, shown_title(&r.title), r.risks.to_string()))
                .collect();
            record_list(ui, items, (focused_desk, "0"), out);
        });
    let Some(desk) = focused(
        ui,
        (state.desk.desk.as_deref(), session.focus),
        "Pick a record on the left, or open one from the Screening or Classify view.",
    ) else {
        return;
    };
    side_by_side(
        ui,
        ["rebound_tree", "rebound_form"],
        |ui, side| match side {
            Side::Left => tree_ui(
                ui,
                desk,
                &mut state.root,
                &mut state.risk,
                &mut state.tree_path,
                out,
            ),
            Side::Right => {
                if state.risk.open {
                    risk_form_ui(ui, &mut state.risk, desk, &mut state.selection, out);
                    ui.separator();
                }
                egui::CollapsingHeader::new("Record text (select to quote)")
                    .default_open(state.risk.open)
                    .show(ui, |ui| record_text_ui(ui, desk, &mut state.selection));
            }
        },
    );
}

fn summary_ui(ui: &mut egui::Ui, summary: &RiskSummary) {
    let list = |pairs: &[(String, u64)], name: fn(&str) -> String| {
        pairs
            .iter()
            .map(|(code, n)| format!("{}: {n}", name(code)))
            .collect::<Vec<_>>()
            .join("; ")
    };
    egui::CollapsingHeader::new(format!(
        "Register: {} risks on {} records",
        summary.risks, summary.records
    ))
    .id_salt("register_counts")
    .default_open(true)
    .show(ui, |ui| {
        egui::Grid::new("register_counts_grid").show(ui, |ui| {
            ui.strong("By effect");
            ui.label(list(&summary.by_effect, words::effect));
            ui.end_row();
            ui.strong("By direction");
            ui.label(list(&summary.by_direction, words::term::<Direction>));
            ui.end_row();
            ui.strong("By domain");
            ui.label(list(&summary.by_domain, words::domain));
            ui.end_row();
        });
    });
}

fn tree_ui(
    ui: &mut egui::Ui,
    desk: &RecordDesk,
    root: &mut RootForm,
    form: &mut RiskForm,
    path: &mut String,
    out: &mut Vec<WindowAction>,
) {
    ui.heading("Consequence tree");
    ui.label(shown_title(&desk.title));
    egui::Grid::new("root_form").show(ui, |ui| {
        let label = ui.label("Solution deployed:");
        ui.add(egui::TextEdit::singleline(&mut root.solution).desired_width(260.0))
            .labelled_by(label.id);
        ui.end_row();
        term_combo(ui, "At scale", &mut root.scale);
    });
    let changed =
        root.solution.trim() != desk.tree.root.solution || root.scale != desk.tree.root.scale;
    ui.horizontal(|ui| {
        if ui
            .add_enabled(changed, egui::Button::new("Set root"))
            .clicked()
        {
            out.push(
                Action::SetRoot(ConsequenceRoot {
                    solution: root.solution.trim().to_owned(),
                    scale: root.scale,
                })
                .into(),
            );
        }
    });
    ui.add_space(6.0);
    egui::Frame::group(ui.style()).show(ui, |ui| {
        ui.strong(desk.tree.root.label());
        ui.horizontal(|ui| {
            if ui.button("Add effect of deploying").clicked() {
                *form = RiskForm::new_under(None);
            }
        });
    });
    // Only the reviewer's own risks can be changed or carry new effects.
    let own = |uid: &str| {
        desk.risks
            .iter()
            .find(|(risk, _)| risk.uid == uid && risk.reviewer == desk.reviewer)
            .map(|(risk, _)| risk)
    };
    nodes_ui(ui, &desk.tree.children, 1, &own, form, out);
    if desk.tree.children.is_empty() {
        ui.weak("No effects yet: add the first-order effects of deploying the solution.");
    }
    ui.add_space(6.0);
    legend_ui(ui);
    ui.separator();
    let row = path_row(
        ui,
        ("Export to:", "tree.svg or tree.json", path),
        ("Export tree", true),
    );
    if row.browse {
        out.push(WindowAction::Pick(PickPurpose::TreeFile));
    }
    if let Some(target) = row.act {
        out.push(Action::ExportTree(target).into());
    }
    ui.weak("SVG, or JSON when the name ends in .json");
}

fn nodes_ui<'a>(
    ui: &mut egui::Ui,
    nodes: &[TreeNode],
    depth: usize,
    own: &dyn Fn(&str) -> Option<&'a StoredRisk>,
    form: &mut RiskForm,
    out: &mut Vec<WindowAction>,
) {
    for node in nodes {
        ui.horizontal(|ui| {
            #[allow(clippy::cast_precision_loss)]
            ui.add_space(18.0 * depth as f32);
            ui.vertical(|ui| {
                let edge = match (node.edge_resource, node.mechanism.is_empty()) {
                    (Some(resource), false) => format!("via {resource}: {}", node.mechanism),
                    (Some(resource), true) => format!("via {resource}"),
                    (None, false) => node.mechanism.clone(),
                    (None, true) => String::new(),
                };
                if !edge.is_empty() {
                    ui.weak(format!("|  {edge}"));
                }
                let [r, g, b] = direction_rgb(node.direction);
                egui::Frame::new()
                    .fill(egui::Color32::from_rgb(r, g, b))
                    .stroke(egui::Stroke::new(1.0, egui::Color32::from_gray(60)))
                    .corner_radius(4.0)
                    .inner_margin(6.0)
                    .show(ui, |ui| {
                        let ink = egui::Color32::from_gray(20);
                        ui.label(
                            egui::RichText::new(format!(
                                "[{}] {} {}",
                                node.order, node.effect, node.effect_name
                            ))
                            .color(ink)
                            .strong(),
                        );
                        let mut rating = Vec::new();
                        for value in [
                            node.direction.map(words::term::<Direction>),
                            node.magnitude.map(words::term::<Magnitude>),
                            node.likelihood.map(words::term::<Likelihood>),
                            node.confidence
                                .map(|c| format!("{} confidence", words::term::<Confidence>(c))),
                        ]
                        .into_iter()
                        .flatten()
                        {
                            rating.push(value);
                        }
                        rating.push(format!("by {}", node.reviewer));
                        ui.label(egui::RichText::new(rating.join(", ")).color(ink).small());
                        ui.horizontal(|ui| {
                            if let Some(stored) = own(&node.uid) {
                                if ui.small_button("Add effect below").clicked() {
                                    *form = RiskForm::new_under(Some(stored.id));
                                }
                                if ui.small_button("Edit").clicked() {
                                    *form = RiskForm::edit(stored.id, &stored.risk);
                                }
                                if node.children.is_empty() && ui.small_button("Delete").clicked() {
                                    out.push(Action::DeleteRisk(stored.id).into());
                                }
                            }
                        });
                    });
            });
        });
        nodes_ui(ui, &node.children, depth + 1, own, form, out);
    }
}

fn legend_ui(ui: &mut egui::Ui) {
    ui.horizontal_wrapped(|ui| {
        for (code, name) in [
            (Some("increases_impact"), "increases impact"),
            (Some("decreases_impact"), "decreases impact"),
            (Some("ambiguous"), "ambiguous"),
            (None, "not rated"),
        ] {
            let [r, g, b] = direction_rgb(code);
            let (rect, _) = ui.allocate_exact_size(egui::vec2(12.0, 12.0), egui::Sense::hover());
            ui.painter()
                .rect_filled(rect, 2.0, egui::Color32::from_rgb(r, g, b));
            ui.weak(name);
        }
    });
}

fn risk_form_ui(
    ui: &mut egui::Ui,
    form: &mut RiskForm,
    desk: &RecordDesk,
    selection: &mut Option<Selection>,
    out: &mut Vec<WindowAction>,
) {
    let parent = form
        .parent
        .and_then(|p| desk.risks.iter().find(|(r, _)| r.id == p));
    ui.heading(match form.editing {
        Some(id) => format!("Change risk {id}"),
        None => "New risk".to_owned(),
    });
    ui.label(match parent {
        Some((risk, _)) => format!(
            "Follows from: {} ({})",
            risk.risk.effect,
            risk.risk.effect.name()
        ),
        None => format!("Follows from: {}", desk.tree.root.label()),
    });
    egui::Grid::new("risk_form").num_columns(2).show(ui, |ui| {
        term_combo_or(ui, "Effect", &mut form.effect, "choose the effect");
        let label = ui.label("Mechanism");
        ui.add(
            egui::TextEdit::multiline(&mut form.mechanism)
                .desired_rows(2)
                .desired_width(260.0)
                .hint_text("how it comes about"),
        )
        .labelled_by(label.id);
        ui.end_row();
        term_combo(ui, "Mechanism resource", &mut form.mechanism_resource);
        term_combo(ui, "Direction", &mut form.direction);
        term_combo(ui, "Reduction type", &mut form.reduction_type);
        term_combo(ui, "Time horizon", &mut form.time_horizon);
        term_combo(ui, "Scale", &mut form.scale);
    });
    ui.label("Criteria affected:");
    ui.horizontal_wrapped(|ui| {
        for criterion in Criterion::ALL {
            let mut on = form.criteria.contains(criterion);
            if ui
                .checkbox(&mut on, criterion.name())
                .on_hover_text(format!(
                    "{} ({})",
                    criterion.entry().definition,
                    criterion.code()
                ))
                .changed()
            {
                if on {
                    form.criteria.push(*criterion);
                } else {
                    form.criteria.retain(|c| c != criterion);
                }
            }
        }
    });
    egui::Grid::new("risk_form_rating")
        .num_columns(2)
        .show(ui, |ui| {
            term_combo(ui, "Likelihood", &mut form.likelihood);
            term_combo(ui, "Magnitude", &mut form.magnitude);
            let label = ui.label("Rebound (%)");
            ui.add(
                egui::TextEdit::singleline(&mut form.rebound_percent)
                    .desired_width(80.0)
                    .hint_text("e.g. 35"),
            )
            .labelled_by(label.id);
            ui.end_row();
            term_combo(ui, "Confidence", &mut form.confidence);
            term_combo(ui, "Evidence type", &mut form.evidence_type);
            term_combo(ui, "Tier", &mut form.tier);
            let label = ui.label("Conditions");
            ui.add(
                egui::TextEdit::multiline(&mut form.conditions)
                    .desired_rows(1)
                    .desired_width(260.0),
            )
            .labelled_by(label.id);
            ui.end_row();
            let label = ui.label("Mitigation");
            ui.add(
                egui::TextEdit::multiline(&mut form.mitigation)
                    .desired_rows(1)
                    .desired_width(260.0),
            )
            .labelled_by(label.id);
            ui.end_row();
        });
    ui.strong("Evidence");
    evidence_ui(ui, &mut form.evidence, selection);
    ui.horizontal(|ui| {
        if ui.button("Save risk").clicked() {
            match form.risk() {
                Ok(risk) => out.push(
                    Action::SaveRisk {
                        id: form.editing,
                        risk: Box::new(risk),
                    }
                    .into(),
                ),
                Err(why) => out.push(Action::Refuse(why).into()),
            }
        }
        if ui.button("Cancel").clicked() {
            *form = RiskForm::default();
        }
    });
}
