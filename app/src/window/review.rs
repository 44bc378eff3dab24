//! The review views: keyboard-first screening (one record at a time), the team (reviewers,
//! blind mode, the rule, conflicts to resolve, agreement) and the PRISMA 2020 flow. They hold
//! view state only and push [`ReviewAction`]s; [`super::Workbench::apply`] sends them to the
//! `ecolens-review` thread.

use std::path::PathBuf;

use ecolens_core::agreement::ScopeAgreement;
use ecolens_core::consequence::ConsequenceRoot;
use ecolens_core::prisma::PrismaCounts;
use ecolens_core::{
    AuditEntry, Classification, Conflict, Decision, ReboundRisk, RecordId, ResolvedValue, RiskId,
    ScreeningRule, Stage, Subject,
};
use ecolens_taxonomy::{EvalCategory, Term};
use eframe::egui;

use super::Action;
use super::assess::AssessState;
use super::review_worker::{ReviewSnapshot, ScreeningCard};

/// Which view fills the window's centre.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum View {
    /// The library table.
    #[default]
    Library,
    /// One record at a time, with keys.
    Screening,
    /// The a–f classification panel.
    Classify,
    /// The rebound-risk register and consequence trees.
    Rebound,
    /// Traces, estimates, LCA scenarios and the end-to-end summary of a record.
    Assess,
    /// Reviewers, blind mode, conflicts, agreement, bundles, the audit log.
    Team,
    /// The PRISMA 2020 flow.
    Prisma,
}

impl View {
    /// Every view, in tab order.
    pub const ALL: [Self; 7] = [
        Self::Library,
        Self::Screening,
        Self::Classify,
        Self::Rebound,
        Self::Assess,
        Self::Team,
        Self::Prisma,
    ];

    /// Tab label.
    pub fn label(self) -> &'static str {
        match self {
            Self::Library => "Library",
            Self::Screening => "Screening",
            Self::Classify => "Classify",
            Self::Rebound => "Rebound",
            Self::Assess => "Assess",
            Self::Team => "Team",
            Self::Prisma => "PRISMA",
        }
    }
}

/// What the review views ask for.
#[derive(Debug, Clone, PartialEq)]
pub enum ReviewAction {
    /// Show a view.
    ShowView(View),
    /// The reviewer at the keyboard.
    SetReviewer(String),
    /// Screen at this stage.
    SetStage(Stage),
    /// Move through the queue.
    Move(isize),
    /// Vote on the record shown, then go to the next.
    Vote(Decision),
    /// Open the exclusion-reason picker.
    PickReason,
    /// Classify the record shown.
    Classify(EvalCategory),
    /// Undo the reviewer's last change.
    Undo,
    /// Add a reviewer.
    AddReviewer {
        /// Name.
        name: String,
        /// Lead.
        lead: bool,
    },
    /// Switch blind mode (the reviewer must be a lead).
    SetBlind(bool),
    /// Set the screening rule (the reviewer must be a lead).
    SetRule(ScreeningRule),
    /// Resolve a disagreement (the reviewer must be a lead).
    Resolve {
        /// Which record.
        record: RecordId,
        /// What.
        subject: Subject,
        /// The final value.
        value: ResolvedValue,
    },
    /// Pick where to write the PRISMA diagram.
    ExportPrisma,
    /// Work on this record in the Classify and Rebound views.
    Focus(RecordId),
    /// Show a record in one of those views.
    Open {
        /// Which record.
        record: RecordId,
        /// Which view.
        view: View,
    },
    /// Save the classification of the record in focus.
    SaveClassification(Classification),
    /// Put a label on the record in focus, or take it off.
    SetLabel {
        /// Vocabulary.
        vocabulary: String,
        /// Code.
        code: String,
        /// On or off.
        on: bool,
    },
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
    /// Pick where to write the consequence tree.
    PickTreePath,
    /// Write the reviewer's decision bundle.
    ExportBundle(PathBuf),
    /// Merge a decision bundle.
    ImportBundle(PathBuf),
    /// Pick where to write the bundle.
    PickBundleOut,
    /// Pick a bundle to import.
    PickBundleIn,
    /// A form could not be sent; the words say why.
    Refuse(String),
}

/// The "Add reviewer" form.
#[derive(Debug, Default)]
pub struct NewReviewer {
    /// The name typed.
    pub name: String,
    /// The "lead" box.
    pub lead: bool,
}

/// The review views' state.
#[derive(Debug, Default)]
pub struct ReviewState {
    /// The view shown.
    pub view: View,
    /// Screening stage.
    pub stage: Stage,
    /// Position in the queue.
    pub position: usize,
    /// What the review thread read last.
    pub snapshot: Option<Box<ReviewSnapshot>>,
    /// The record on screen in the screening view.
    pub card: Option<Box<ScreeningCard>>,
    /// The exclusion-reason picker is open.
    pub picking_reason: bool,
    /// The "Add reviewer" form.
    pub new_reviewer: NewReviewer,
    /// What the last write did, or why it was refused.
    pub message: Option<(bool, String)>,
    /// Review data changed since the library last listed: sync the index on return.
    pub library_stale: bool,
    /// The last vote moved the queue on (undo moves back).
    pub advanced: bool,
    /// Requests sent to the review thread and not answered yet.
    pub pending: usize,
    /// The Classify and Rebound views.
    pub assess: AssessState,
    /// Where to write the reviewer's bundle.
    pub bundle_out: String,
    /// The bundle to import.
    pub bundle_in: String,
}

impl ReviewState {
    /// The record at the current position of the queue.
    pub fn current(&self) -> Option<RecordId> {
        self.snapshot
            .as_ref()
            .and_then(|s| s.queue.as_ref())
            .and_then(|queue| queue.get(self.position))
            .map(|q| q.record)
    }
}

/// Keys of the screening view: the reason picker's digits while it is open, else I / X / M,
/// A–F, N / P (or arrows) and U / Ctrl+Z.
pub fn screening_keys(ctx: &egui::Context, state: &mut ReviewState, actions: &mut Vec<Action>) {
    let reasons: Vec<String> = state
        .snapshot
        .as_ref()
        .map(|s| s.reasons.iter().map(|r| r.code.clone()).collect())
        .unwrap_or_default();
    ctx.input_mut(|input| {
        let mut press = |key| input.consume_key(egui::Modifiers::NONE, key);
        if state.picking_reason {
            let digits = [
                egui::Key::Num1,
                egui::Key::Num2,
                egui::Key::Num3,
                egui::Key::Num4,
                egui::Key::Num5,
                egui::Key::Num6,
                egui::Key::Num7,
                egui::Key::Num8,
                egui::Key::Num9,
            ];
            for (key, code) in digits.iter().zip(&reasons) {
                if press(*key) {
                    state.picking_reason = false;
                    actions.push(Action::Review(ReviewAction::Vote(Decision::Exclude {
                        reason: Some(code.clone()),
                    })));
                }
            }
            if state.stage == Stage::TitleAbstract
                && (press(egui::Key::Num0) || press(egui::Key::Enter))
            {
                state.picking_reason = false;
                actions.push(Action::Review(ReviewAction::Vote(Decision::Exclude {
                    reason: None,
                })));
            }
            if press(egui::Key::Escape) {
                state.picking_reason = false;
            }
            return;
        }
        if press(egui::Key::I) {
            actions.push(Action::Review(ReviewAction::Vote(Decision::Include)));
        }
        if press(egui::Key::M) {
            actions.push(Action::Review(ReviewAction::Vote(Decision::Maybe)));
        }
        if press(egui::Key::X) {
            state.picking_reason = true;
        }
        for (key, category) in [
            (egui::Key::A, EvalCategory::A),
            (egui::Key::B, EvalCategory::B),
            (egui::Key::C, EvalCategory::C),
            (egui::Key::D, EvalCategory::D),
            (egui::Key::E, EvalCategory::E),
            (egui::Key::F, EvalCategory::F),
        ] {
            if press(key) {
                actions.push(Action::Review(ReviewAction::Classify(category)));
            }
        }
        if press(egui::Key::N) || press(egui::Key::ArrowRight) {
            actions.push(Action::Review(ReviewAction::Move(1)));
        }
        if press(egui::Key::P) || press(egui::Key::ArrowLeft) {
            actions.push(Action::Review(ReviewAction::Move(-1)));
        }
        if press(egui::Key::U) || input.consume_key(egui::Modifiers::COMMAND, egui::Key::Z) {
            actions.push(Action::Review(ReviewAction::Undo));
        }
    });
}

/// The reviewer picker shared by the review views.
pub fn reviewer_picker(
    ui: &mut egui::Ui,
    snapshot: Option<&ReviewSnapshot>,
    current: Option<&str>,
    actions: &mut Vec<Action>,
) {
    ui.label("You are:");
    let reviewers = snapshot.map_or(&[][..], |s| s.reviewers.as_slice());
    if reviewers.is_empty() {
        ui.weak("nobody yet: add reviewers in the Team view");
    }
    for reviewer in reviewers {
        let chosen = current == Some(reviewer.name.as_str());
        if ui
            .selectable_label(chosen, &reviewer.name)
            .on_hover_text(if reviewer.is_lead { "lead" } else { "reviewer" })
            .clicked()
            && !chosen
        {
            actions.push(Action::Review(ReviewAction::SetReviewer(
                reviewer.name.clone(),
            )));
        }
    }
}

fn decision_text(decision: &Decision) -> String {
    ResolvedValue::Screening(decision.clone()).summary()
}

/// The screening view.
pub fn screening_ui(
    ui: &mut egui::Ui,
    state: &ReviewState,
    reviewer: Option<&str>,
    actions: &mut Vec<Action>,
) {
    let snapshot = state.snapshot.as_deref();
    ui.horizontal(|ui| {
        reviewer_picker(ui, snapshot, reviewer, actions);
        ui.separator();
        for stage in Stage::ALL {
            if ui
                .selectable_label(state.stage == stage, stage.label())
                .clicked()
            {
                actions.push(Action::Review(ReviewAction::SetStage(stage)));
            }
        }
        ui.separator();
        if let Some(snapshot) = snapshot {
            let blind = if snapshot.settings.blind {
                "blind mode on"
            } else {
                "blind mode off"
            };
            ui.weak(format!("{blind}; {}", snapshot.settings.rule.label()));
        }
    });
    ui.separator();
    let Some(name) = reviewer else {
        ui.label("Choose who you are above (or add yourself in the Team view) to start screening.");
        return;
    };
    let Some((snapshot, queue)) = snapshot.and_then(|s| Some((s, s.queue.as_ref()?))) else {
        ui.spinner();
        return;
    };
    let total = queue.len();
    let done = queue.iter().filter(|q| q.own.is_some()).count();
    ui.horizontal(|ui| {
        ui.strong(format!(
            "Record {} of {total}",
            (state.position + 1).min(total)
        ));
        ui.label(format!("{done} screened by {name}, {} to go", total - done));
        #[allow(clippy::cast_precision_loss)]
        let fraction = if total == 0 {
            0.0
        } else {
            done as f32 / total as f32
        };
        ui.add(egui::ProgressBar::new(fraction).desired_width(160.0));
    });
    if total == 0 {
        ui.label(match state.stage {
            Stage::TitleAbstract => "No records in the project yet: import some first.",
            Stage::FullText => {
                "No record has moved on to full text yet: records go on when title/abstract screening includes them."
            }
        });
        return;
    }
    ui.add_space(4.0);
    key_legend(ui, state.stage);
    ui.add_space(6.0);
    let Some(card) = state
        .card
        .as_deref()
        .filter(|c| Some(c.record) == state.current())
    else {
        ui.spinner();
        return;
    };
    if state.picking_reason {
        reason_picker(ui, snapshot, state.stage, actions);
    }
    egui::ScrollArea::vertical()
        .id_salt("screening_card")
        .show(ui, |ui| card_ui(ui, card, actions));
}

fn key_legend(ui: &mut egui::Ui, stage: Stage) {
    ui.horizontal_wrapped(|ui| {
        ui.weak("Keys:");
        for (key, what) in [
            ("I", "include"),
            ("X", "exclude (pick a reason)"),
            ("M", "maybe"),
            ("A-F", "a-f category"),
            ("N / Right", "next"),
            ("P / Left", "previous"),
            ("U / Ctrl+Z", "undo"),
        ] {
            ui.label(egui::RichText::new(key).monospace().strong());
            ui.weak(what);
        }
        if stage == Stage::FullText {
            ui.weak("(full-text exclusions need a reason)");
        }
    });
}

fn reason_picker(
    ui: &mut egui::Ui,
    snapshot: &ReviewSnapshot,
    stage: Stage,
    actions: &mut Vec<Action>,
) {
    egui::Frame::group(ui.style()).show(ui, |ui| {
        ui.strong("Exclude: why? (press the number, Esc to cancel)");
        for (at, reason) in snapshot.reasons.iter().enumerate().take(9) {
            if ui
                .button(format!("{}  {}", at + 1, reason.name))
                .on_hover_text(&reason.definition)
                .clicked()
            {
                actions.push(Action::Review(ReviewAction::Vote(Decision::Exclude {
                    reason: Some(reason.code.clone()),
                })));
            }
        }
        if stage == Stage::TitleAbstract && ui.button("0  No reason").clicked() {
            actions.push(Action::Review(ReviewAction::Vote(Decision::Exclude {
                reason: None,
            })));
        }
    });
}

fn card_ui(ui: &mut egui::Ui, card: &ScreeningCard, actions: &mut Vec<Action>) {
    ui.heading(&card.title);
    let mut meta = vec![card.authors.clone()];
    if let Some(year) = card.year {
        meta.push(year.to_string());
    }
    if let Some(venue) = &card.venue {
        meta.push(venue.clone());
    }
    ui.label(meta.join(" · "));
    if !card.keywords.is_empty() {
        ui.weak(format!("Keywords: {}", card.keywords.join("; ")));
    }
    ui.add_space(6.0);
    match &card.abstract_text {
        Some(text) => {
            ui.label(text);
        }
        None => {
            ui.weak("No abstract.");
        }
    }
    if card.stage == Stage::FullText {
        ui.weak(if card.has_full_text {
            "Full text attached: open the record in the Library to read it."
        } else {
            "No full text attached yet: import the PDF to attach it."
        });
    }
    ui.separator();
    ui.horizontal(|ui| {
        ui.label("Your vote:");
        match &card.own_vote {
            Some(decision) => ui.strong(decision_text(decision)),
            None => ui.weak("none yet"),
        };
        ui.separator();
        ui.label("Your category:");
        match card.own_category {
            Some(category) => ui.strong(format!("{} ({})", category.code(), category.name())),
            None => ui.weak("none"),
        };
    });
    ui.horizontal(|ui| {
        if ui.button("Include (I)").clicked() {
            actions.push(Action::Review(ReviewAction::Vote(Decision::Include)));
        }
        if ui.button("Exclude (X)").clicked() {
            actions.push(Action::Review(ReviewAction::PickReason));
        }
        if ui.button("Maybe (M)").clicked() {
            actions.push(Action::Review(ReviewAction::Vote(Decision::Maybe)));
        }
        if ui.button("Undo (U)").clicked() {
            actions.push(Action::Review(ReviewAction::Undo));
        }
    });
    ui.horizontal(|ui| {
        for (text, view) in [
            ("Classify in detail...", View::Classify),
            ("Rebound risks...", View::Rebound),
        ] {
            if ui.button(text).clicked() {
                actions.push(Action::Review(ReviewAction::Open {
                    record: card.record,
                    view,
                }));
            }
        }
    });
    if !card.others.is_empty() {
        ui.label(format!("Other reviewers: {}", card.others.join("; ")));
    } else if card.hidden > 0 {
        ui.weak(format!(
            "{} judgement(s) of other reviewers hidden by blind mode.",
            card.hidden
        ));
    }
}

/// The team view.
pub fn team_ui(
    ui: &mut egui::Ui,
    state: &mut ReviewState,
    reviewer: Option<&str>,
    actions: &mut Vec<Action>,
) {
    let Some(snapshot) = state.snapshot.as_deref() else {
        ui.spinner();
        return;
    };
    let is_lead = snapshot
        .reviewers
        .iter()
        .any(|r| Some(r.name.as_str()) == reviewer && r.is_lead);
    egui::ScrollArea::vertical().id_salt("team").show(ui, |ui| {
        ui.horizontal(|ui| reviewer_picker(ui, Some(snapshot), reviewer, actions));
        ui.heading("Reviewers");
        egui::Grid::new("reviewers").striped(true).show(ui, |ui| {
            for r in &snapshot.reviewers {
                ui.label(format!(
                    "{} ({})",
                    r.name,
                    if r.is_lead { "lead" } else { "reviewer" }
                ));
                ui.end_row();
            }
        });
        if snapshot.reviewers.is_empty() {
            ui.weak("No reviewers yet. Add the first one; make the project's lead a lead.");
        }
        ui.horizontal(|ui| {
            let label = ui.label("Name:");
            ui.add(
                egui::TextEdit::singleline(&mut state.new_reviewer.name)
                    .hint_text("reviewer's name")
                    .desired_width(160.0),
            )
            .labelled_by(label.id);
            ui.checkbox(&mut state.new_reviewer.lead, "lead");
            let name = state.new_reviewer.name.trim().to_owned();
            if ui
                .add_enabled(!name.is_empty(), egui::Button::new("Add reviewer"))
                .clicked()
            {
                actions.push(Action::Review(ReviewAction::AddReviewer {
                    name,
                    lead: state.new_reviewer.lead,
                }));
                state.new_reviewer = NewReviewer::default();
            }
        });
        ui.separator();
        ui.heading("Blinding and the screening rule");
        ui.horizontal(|ui| {
            let blind = snapshot.settings.blind;
            ui.label(if blind {
                "Blind mode is on: each reviewer sees only their own votes."
            } else {
                "Blind mode is off: everyone sees everyone's votes."
            });
            let label = if blind { "Unblind" } else { "Blind again" };
            if ui
                .add_enabled(is_lead, egui::Button::new(label))
                .on_disabled_hover_text("Only a lead may switch blind mode")
                .clicked()
            {
                actions.push(Action::Review(ReviewAction::SetBlind(!blind)));
            }
        });
        ui.horizontal(|ui| {
            ui.label("A record moves on when:");
            for rule in [ScreeningRule::OneReviewer, ScreeningRule::TwoAgreeing] {
                if ui
                    .add_enabled(
                        is_lead,
                        egui::RadioButton::new(snapshot.settings.rule == rule, rule.label()),
                    )
                    .clicked()
                    && snapshot.settings.rule != rule
                {
                    actions.push(Action::Review(ReviewAction::SetRule(rule)));
                }
            }
        });
        ui.separator();
        ui.heading("Conflicts");
        match &snapshot.conflicts {
            None => {
                ui.spinner();
            }
            Some(Err(why)) => {
                ui.weak(why);
            }
            Some(Ok(conflicts)) => conflicts_ui(ui, conflicts, is_lead, actions),
        }
        ui.separator();
        ui.heading("Agreement");
        match &snapshot.agreement {
            Some(scopes) => agreement_ui(ui, scopes),
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
        bundle_row(
            ui,
            ("Bundle to write:", "my-bundle.json", &mut state.bundle_out),
            ("Export my bundle", reviewer.is_some()),
            (ReviewAction::PickBundleOut, ReviewAction::ExportBundle),
            actions,
        );
        bundle_row(
            ui,
            (
                "Bundle to import:",
                "their-bundle.json",
                &mut state.bundle_in,
            ),
            ("Import bundle", true),
            (ReviewAction::PickBundleIn, ReviewAction::ImportBundle),
            actions,
        );
        ui.separator();
        ui.horizontal(|ui| {
            ui.heading("Audit log");
            if ui
                .add_enabled(reviewer.is_some(), egui::Button::new("Undo my last change"))
                .clicked()
            {
                actions.push(Action::Review(ReviewAction::Undo));
            }
        });
        if let Some(entries) = &snapshot.audit {
            audit_ui(ui, entries);
        }
    });
}

/// A path field with Browse and a button that acts on the path typed.
fn bundle_row(
    ui: &mut egui::Ui,
    (label, hint, path): (&str, &str, &mut String),
    (button, enabled): (&str, bool),
    (browse, act): (ReviewAction, fn(PathBuf) -> ReviewAction),
    actions: &mut Vec<Action>,
) {
    ui.horizontal(|ui| {
        let label = ui.label(label);
        ui.add(
            egui::TextEdit::singleline(path)
                .hint_text(hint)
                .desired_width(280.0),
        )
        .labelled_by(label.id);
        if ui.button("Browse...").clicked() {
            actions.push(Action::Review(browse));
        }
        let target = path.trim();
        if ui
            .add_enabled(enabled && !target.is_empty(), egui::Button::new(button))
            .clicked()
        {
            actions.push(Action::Review(act(PathBuf::from(target))));
        }
    });
}

fn audit_ui(ui: &mut egui::Ui, entries: &[AuditEntry]) {
    ui.weak(format!(
        "The latest {} changes, newest first (ecolens audit lists all). Each author undoes their own, newest first.",
        entries.len()
    ));
    let row_height = ui.spacing().interact_size.y;
    egui::ScrollArea::vertical()
        .id_salt("audit")
        .max_height(240.0)
        .show_rows(ui, row_height, entries.len(), |ui, shown| {
            egui::Grid::new("audit_grid")
                .striped(true)
                .num_columns(6)
                .show(ui, |ui| {
                    for entry in &entries[shown] {
                        ui.label(format!("#{}", entry.id.0));
                        ui.label(entry.at.to_string());
                        ui.label(entry.reviewer_name.as_deref().unwrap_or("-"));
                        ui.label(entry.action.code());
                        ui.label(format!("{} {}", entry.entity.code(), entry.entity_key));
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

fn conflicts_ui(
    ui: &mut egui::Ui,
    conflicts: &[Conflict],
    is_lead: bool,
    actions: &mut Vec<Action>,
) {
    let open = conflicts.iter().filter(|c| c.resolution.is_none()).count();
    ui.label(format!("{} conflict(s): {open} open", conflicts.len()));
    // Only the rows in view are laid out: a large project has tens of thousands of conflicts.
    let row_height = ui.spacing().interact_size.y + ui.spacing().item_spacing.y;
    egui::ScrollArea::vertical()
        .id_salt("conflicts")
        .max_height(360.0)
        .show_rows(ui, row_height, conflicts.len(), |ui, shown| {
            egui::Grid::new("conflicts")
                .striped(true)
                .num_columns(5)
                .show(ui, |ui| {
                    for conflict in &conflicts[shown] {
                        ui.label(conflict.record.to_string());
                        ui.label(truncate(&conflict.title, 60))
                            .on_hover_text(&conflict.title);
                        ui.label(conflict.subject.label());
                        let positions: Vec<String> = conflict
                            .positions
                            .iter()
                            .map(|p| format!("{}: {}", p.reviewer_name, p.text))
                            .collect();
                        ui.label(positions.join("; "));
                        ui.horizontal(|ui| match &conflict.resolution {
                            Some(resolution) => {
                                ui.strong(format!("resolved: {}", resolution.value.summary()));
                            }
                            None => {
                                // One button per distinct value; the lead picks the final one.
                                let mut seen: Vec<&ResolvedValue> = Vec::new();
                                for position in &conflict.positions {
                                    if seen.contains(&&position.value) {
                                        continue;
                                    }
                                    seen.push(&position.value);
                                    let label = match &position.value {
                                        ResolvedValue::Risk(_) => {
                                            format!("Take {}'s rating", position.reviewer_name)
                                        }
                                        _ => format!("Take {}", position.text),
                                    };
                                    if ui
                                        .add_enabled(is_lead, egui::Button::new(label))
                                        .on_hover_text(&position.text)
                                        .on_disabled_hover_text("Only a lead resolves conflicts")
                                        .clicked()
                                    {
                                        actions.push(Action::Review(ReviewAction::Resolve {
                                            record: conflict.record,
                                            subject: conflict.subject.clone(),
                                            value: position.value.clone(),
                                        }));
                                    }
                                }
                            }
                        });
                        ui.end_row();
                    }
                });
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
            }
        });
}

/// The PRISMA view: the flow diagram drawn from the counts.
pub fn prisma_ui(ui: &mut egui::Ui, state: &ReviewState, actions: &mut Vec<Action>) {
    let Some(counts) = state.snapshot.as_ref().and_then(|s| s.prisma.as_ref()) else {
        ui.spinner();
        return;
    };
    ui.horizontal(|ui| {
        ui.heading("PRISMA 2020 flow diagram");
        if ui.button("Export SVG...").clicked() {
            actions.push(Action::Review(ReviewAction::ExportPrisma));
        }
    });
    if let Err(broken) = counts.check() {
        ui.colored_label(
            ui.visuals().error_fg_color,
            format!("Counts do not add up: {broken}"),
        );
    }
    egui::ScrollArea::vertical()
        .id_salt("prisma")
        .show(ui, |ui| flow_ui(ui, counts));
}

fn flow_ui(ui: &mut egui::Ui, counts: &PrismaCounts) {
    let mut previous = "";
    egui::Grid::new("prisma_flow")
        .num_columns(4)
        .spacing([12.0, 10.0])
        .show(ui, |ui| {
            for row in counts.flow() {
                // The phase names its first row only, as the bands of the diagram do.
                ui.strong(if row.phase == previous { "" } else { row.phase });
                previous = row.phase;
                flow_box(ui, &row.left);
                if row.right.is_empty() {
                    ui.label("");
                    ui.label("");
                } else {
                    ui.label("->");
                    flow_box(ui, &row.right);
                }
                ui.end_row();
            }
        });
}

fn flow_box(ui: &mut egui::Ui, lines: &[String]) {
    egui::Frame::group(ui.style()).show(ui, |ui| {
        ui.set_min_width(300.0);
        ui.vertical(|ui| {
            for (at, line) in lines.iter().enumerate() {
                if at == 0 {
                    ui.strong(line);
                } else {
                    ui.label(line);
                }
            }
        });
    });
}

/// The text cut to `chars` characters, with an ellipsis when cut.
pub(super) fn truncate(text: &str, chars: usize) -> String {
    if text.chars().count() <= chars {
        text.to_owned()
    } else {
        let cut: String = text.chars().take(chars.saturating_sub(1)).collect();
        format!("{cut}…")
    }
}
