//! The classification panel (the a–f scale's questions walked in order, rationale, confidence,
//! evidence quotes picked by selecting text, Rolnick domain and ML-area labels) and the
//! rebound-risk register (counts, the risk form with every rating field, and the record's
//! consequence tree for workshops). Both work on one record at a time, the "focus", read by the
//! review thread as a [`RecordDesk`]. They hold view state only and push
//! [`ReviewAction`]s.

use ecolens_core::consequence::{ConsequenceRoot, TreeNode, direction_rgb};
use ecolens_core::{
    Classification, ClassifyItem, EvidenceQuote, QuoteField, ReboundRisk, RecordId, RiskId,
    RiskRecord, RiskSummary, StoredRisk,
};
use ecolens_taxonomy::eval_scale::GUIDING_QUESTIONS;
use ecolens_taxonomy::{
    AssessmentScale, Confidence, Criterion, Direction, EffectCode, EvalCategory, EvidenceType,
    Likelihood, Magnitude, MechanismResource, MlArea, ReductionType, RolnickDomain, Term, Tier,
    TimeHorizon,
};
use eframe::egui;

use super::Action;
use super::review::{ReviewAction, ReviewState, reviewer_picker, truncate};
use super::review_worker::RecordDesk;

/// Text selected in the record's abstract, full text or title, in characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selection {
    /// Which field.
    pub field: QuoteField,
    /// First character.
    pub start: usize,
    /// One past the last character.
    pub end: usize,
    /// The characters.
    pub text: String,
}

impl Selection {
    /// The selection as an evidence quote, with its offsets (and no page: extracted full texts
    /// carry no page breaks).
    pub fn quote(&self) -> EvidenceQuote {
        EvidenceQuote {
            start: Some(self.start),
            end: Some(self.end),
            ..EvidenceQuote::new(self.field, self.text.clone())
        }
    }
}

/// The classification being edited.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ClassifyForm {
    /// The record the form was loaded for.
    pub record: Option<RecordId>,
    /// Answers to the guiding questions so far, in order.
    pub answers: Vec<bool>,
    /// Rationale.
    pub rationale: String,
    /// Confidence.
    pub confidence: Option<Confidence>,
    /// Evidence quotes.
    pub evidence: Vec<EvidenceQuote>,
    /// Changed since loaded.
    pub dirty: bool,
}

impl ClassifyForm {
    /// The form for a record as the reviewer left it.
    pub fn load(desk: &RecordDesk) -> Self {
        let own = desk.own_classification.as_ref();
        Self {
            record: Some(desk.record),
            answers: own.map_or_else(Vec::new, |c| {
                if c.answers.is_empty() {
                    c.category.answers()
                } else {
                    c.answers.clone()
                }
            }),
            rationale: own.and_then(|c| c.rationale.clone()).unwrap_or_default(),
            confidence: own.and_then(|c| c.confidence),
            evidence: own.map_or_else(Vec::new, |c| c.evidence.clone()),
            dirty: false,
        }
    }

    /// The category the answers lead to, once they decide it.
    pub fn category(&self) -> Option<EvalCategory> {
        EvalCategory::from_answers(&self.answers)
    }

    /// The classification to save, once the answers decide the category.
    pub fn classification(&self) -> Option<Classification> {
        let category = self.category()?;
        let rationale = self.rationale.trim();
        Some(Classification {
            category,
            answers: self.answers.clone(),
            rationale: (!rationale.is_empty()).then(|| rationale.to_owned()),
            evidence: self.evidence.clone(),
            confidence: self.confidence,
        })
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

/// A form sent to be saved, waiting for its answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Saving {
    /// The classification form.
    Classification,
    /// The risk form.
    Risk,
}

/// The state of the classification and rebound views.
#[derive(Debug, Default)]
pub struct AssessState {
    /// A form waiting to be saved: it is cleared when the write went through, kept when it was
    /// refused.
    pub saving: Option<Saving>,
    /// The record both views work on.
    pub focus: Option<RecordId>,
    /// What the review thread read for it.
    pub desk: Option<Box<RecordDesk>>,
    /// The classification form.
    pub classify: ClassifyForm,
    /// The risk form.
    pub risk: RiskForm,
    /// The root form.
    pub root: RootForm,
    /// The text selected in the record, for a quote.
    pub selection: Option<Selection>,
    /// Where to write the consequence tree (`.svg` or `.json`).
    pub tree_path: String,
}

impl AssessState {
    /// A write went through: the form that waited for it is done.
    pub fn saved(&mut self) {
        match self.saving.take() {
            Some(Saving::Classification) => self.classify.dirty = false,
            Some(Saving::Risk) => self.risk = RiskForm::default(),
            None => {}
        }
    }

    /// Takes in a freshly read record: forms follow it unless the user is editing them.
    pub fn receive(&mut self, desk: Box<RecordDesk>) {
        if self.classify.record != Some(desk.record) || !self.classify.dirty {
            self.classify = ClassifyForm::load(&desk);
        }
        if self.root.record != Some(desk.record) {
            self.root = RootForm {
                record: Some(desk.record),
                solution: desk.tree.root.solution.clone(),
                scale: desk.tree.root.scale,
            };
        }
        if self.desk.as_ref().is_some_and(|d| d.record != desk.record) {
            self.selection = None;
            self.risk = RiskForm::default();
        }
        self.desk = Some(desk);
    }
}

/// A drop-down over a vocabulary, with "not rated".
fn term_combo<T: Term>(ui: &mut egui::Ui, label: &str, value: &mut Option<T>) -> bool {
    term_combo_or(ui, label, value, "not rated")
}

/// [`term_combo`] naming the empty choice.
fn term_combo_or<T: Term>(
    ui: &mut egui::Ui,
    label: &str,
    value: &mut Option<T>,
    none: &str,
) -> bool {
    let shown = value.map_or_else(|| none.to_owned(), |v| v.name().to_owned());
    let mut changed = false;
    let label_id = ui.label(label).id;
    egui::ComboBox::from_id_salt(label)
        .selected_text(shown)
        .width(260.0)
        .show_ui(ui, |ui| {
            changed |= ui.selectable_value(value, None, none).changed();
            for term in T::ALL {
                changed |= ui
                    .selectable_value(value, Some(*term), term.name())
                    .on_hover_text(term.entry().definition)
                    .changed();
            }
        })
        .response
        .labelled_by(label_id);
    ui.end_row();
    changed
}

/// The focus record's text, selectable: what is selected becomes [`AssessState::selection`].
fn record_text_ui(ui: &mut egui::Ui, desk: &RecordDesk, selection: &mut Option<Selection>) {
    ui.heading(&desk.title);
    ui.label(&desk.byline);
    ui.weak("Select a passage to quote it as evidence.");
    let fields = [
        (
            QuoteField::Abstract,
            "Abstract",
            desk.abstract_text.as_deref(),
        ),
        (QuoteField::FullText, "Full text", desk.full_text.as_deref()),
    ];
    for (field, name, text) in fields {
        let Some(text) = text else {
            ui.weak(format!("No {}.", name.to_lowercase()));
            continue;
        };
        ui.strong(name);
        let mut shown: &str = text;
        let output = egui::ScrollArea::vertical()
            .id_salt(("record_text", name))
            .max_height(if field == QuoteField::Abstract {
                260.0
            } else {
                200.0
            })
            .show(ui, |ui| {
                egui::TextEdit::multiline(&mut shown)
                    .id_salt(("record_text_edit", name))
                    .desired_width(f32::INFINITY)
                    .show(ui)
            })
            .inner;
        if let Some(range) = output.cursor_range {
            let chars = range.as_sorted_char_range();
            if range.is_empty() {
                if selection.as_ref().is_some_and(|s| s.field == field) {
                    *selection = None;
                }
            } else {
                let (start, end) = (chars.start.0, chars.end.0);
                let quoted: String = text.chars().skip(start).take(end - start).collect();
                *selection = Some(Selection {
                    field,
                    start,
                    end,
                    text: quoted,
                });
            }
        }
    }
}

/// Evidence quotes with a remove button each, and the button that adds the selection.
fn evidence_ui(
    ui: &mut egui::Ui,
    evidence: &mut Vec<EvidenceQuote>,
    selection: &mut Option<Selection>,
) -> bool {
    let mut changed = false;
    let mut remove = None;
    for (at, quote) in evidence.iter().enumerate() {
        ui.horizontal_wrapped(|ui| {
            if ui.small_button("Remove").clicked() {
                remove = Some(at);
            }
            let place = match (quote.start, quote.end) {
                (Some(start), Some(end)) => format!("{} {start}..{end}", quote.field.code()),
                _ => quote.field.code().to_owned(),
            };
            ui.weak(place);
            ui.label(format!("\"{}\"", truncate(&quote.text, 160)));
        });
    }
    if let Some(at) = remove {
        evidence.remove(at);
        changed = true;
    }
    ui.horizontal_wrapped(|ui| {
        let button = ui
            .add_enabled(selection.is_some(), egui::Button::new("Quote selection"))
            .on_disabled_hover_text("Select a passage of the abstract or full text first");
        match selection.as_ref() {
            Some(picked) => {
                ui.weak(format!("\"{}\"", truncate(&picked.text, 80)));
                if button.clicked() {
                    let quote = picked.quote();
                    if !evidence.contains(&quote) {
                        evidence.push(quote);
                        changed = true;
                    }
                    *selection = None;
                }
            }
            None => {
                ui.weak("nothing selected");
            }
        }
    });
    changed
}

/// Records listed beside a view, with the record in focus first when the list lacks it (it
/// shows `unlisted` as its status); a click focuses one.
fn record_list<'a>(
    ui: &mut egui::Ui,
    mut items: Vec<(RecordId, &'a str, String)>,
    (desk, unlisted): (Option<&'a RecordDesk>, &str),
    actions: &mut Vec<Action>,
) {
    let focus = desk.map(|d| d.record);
    if let Some(desk) = desk
        && !items.iter().any(|(record, _, _)| *record == desk.record)
    {
        items.insert(0, (desk.record, desk.title.as_str(), unlisted.to_owned()));
    }
    egui::ScrollArea::vertical()
        .id_salt("assess_list")
        .show(ui, |ui| {
            for (record, title, status) in items {
                let chosen = focus == Some(record);
                let text = format!("{status}  {}", truncate(title, 48));
                if ui
                    .selectable_label(chosen, text)
                    .on_hover_text(title)
                    .clicked()
                    && !chosen
                {
                    actions.push(Action::Review(ReviewAction::Focus(record)));
                }
            }
        });
}

/// The record in focus once it has been read; until then a spinner, or `hint` when nothing
/// is in focus.
fn focused<'a>(
    ui: &mut egui::Ui,
    (desk, focus): (Option<&'a RecordDesk>, Option<RecordId>),
    hint: &str,
) -> Option<&'a RecordDesk> {
    let desk = desk.filter(|d| Some(d.record) == focus);
    if desk.is_none() {
        if focus.is_some() {
            ui.spinner();
        } else {
            ui.label(hint);
        }
    }
    desk
}

/// The classification view.
pub fn classify_ui(
    ui: &mut egui::Ui,
    state: &mut ReviewState,
    reviewer: Option<&str>,
    actions: &mut Vec<Action>,
) {
    ui.horizontal(|ui| reviewer_picker(ui, state.snapshot.as_deref(), reviewer, actions));
    ui.separator();
    if reviewer.is_none() {
        ui.label("Choose who you are above (or add yourself in the Team view) to classify.");
        return;
    }
    let queue: &[ClassifyItem] = state
        .snapshot
        .as_ref()
        .and_then(|s| s.classify_queue.as_deref())
        .unwrap_or_default();
    let focused_desk = state
        .assess
        .desk
        .as_deref()
        .filter(|d| Some(d.record) == state.assess.focus);
    egui::Panel::left("classify_list")
        .resizable(true)
        .default_size(280.0)
        .show(ui, |ui| {
            let done = queue.iter().filter(|q| q.own.is_some()).count();
            ui.strong(format!("To classify: {done} of {} done", queue.len()));
            if queue.is_empty() {
                ui.weak(
                    "Records included at full text appear here. Any record can be classified: \
                     open it from the Screening view or the Library.",
                );
            }
            let items = queue
                .iter()
                .map(|q| {
                    let status = q
                        .own
                        .map_or_else(|| "-".to_owned(), |c| c.code().to_owned());
                    (q.record, q.title.as_str(), status)
                })
                .collect();
            record_list(ui, items, (focused_desk, "*"), actions);
        });
    let assess = &mut state.assess;
    let Some(desk) = focused(
        ui,
        (assess.desk.as_deref(), assess.focus),
        "Pick a record on the left.",
    ) else {
        return;
    };
    ui.columns(2, |columns| {
        egui::ScrollArea::vertical()
            .id_salt("classify_text")
            .show(&mut columns[0], |ui| {
                record_text_ui(ui, desk, &mut assess.selection);
            });
        egui::ScrollArea::vertical()
            .id_salt("classify_form")
            .show(&mut columns[1], |ui| {
                classify_form_ui(
                    ui,
                    desk,
                    &mut assess.classify,
                    &mut assess.selection,
                    actions,
                );
            });
    });
}

fn classify_form_ui(
    ui: &mut egui::Ui,
    desk: &RecordDesk,
    form: &mut ClassifyForm,
    selection: &mut Option<Selection>,
    actions: &mut Vec<Action>,
) {
    ui.heading("Environmental evaluation (a-f)");
    ui.weak("Answer in order; the first \"no\" decides the category.");
    for question in &GUIDING_QUESTIONS {
        let at = usize::from(question.step - 1);
        if at > form.answers.len() || form.answers[..at].contains(&false) {
            break;
        }
        ui.add_space(4.0);
        ui.label(egui::RichText::new(format!("{}. {}", question.step, question.text)).strong())
            .on_hover_text(question.help);
        ui.weak(question.help);
        let answer = form.answers.get(at).copied();
        ui.horizontal(|ui| {
            for (value, text) in [(true, "Yes"), (false, "No")] {
                let label = format!("{text} ({})", question.step);
                if ui.selectable_label(answer == Some(value), label).clicked() {
                    form.answers.truncate(at);
                    form.answers.push(value);
                    form.dirty = true;
                }
            }
        });
    }
    ui.add_space(6.0);
    match form.category() {
        Some(category) => {
            ui.label(
                egui::RichText::new(format!("Category {}: {}", category.code(), category.name()))
                    .strong(),
            );
        }
        None => {
            ui.weak("The category follows from the answers.");
        }
    }
    ui.horizontal_wrapped(|ui| {
        ui.weak("or set it directly:");
        for category in EvalCategory::ALL {
            if ui
                .small_button(category.code())
                .on_hover_text(category.name())
                .clicked()
            {
                form.answers = category.answers();
                form.dirty = true;
            }
        }
    });
    ui.separator();
    let label = ui.label("Rationale:");
    if ui
        .add(
            egui::TextEdit::multiline(&mut form.rationale)
                .desired_rows(3)
                .desired_width(f32::INFINITY)
                .hint_text("why this category"),
        )
        .labelled_by(label.id)
        .changed()
    {
        form.dirty = true;
    }
    egui::Grid::new("classify_confidence").show(ui, |ui| {
        form.dirty |= term_combo(ui, "Confidence", &mut form.confidence);
    });
    ui.strong("Evidence");
    form.dirty |= evidence_ui(ui, &mut form.evidence, selection);
    ui.horizontal(|ui| {
        let classification = form.classification();
        if ui
            .add_enabled(
                classification.is_some(),
                egui::Button::new("Save classification"),
            )
            .on_disabled_hover_text("Answer the questions until the category follows")
            .clicked()
            && let Some(classification) = classification
        {
            actions.push(Action::Review(ReviewAction::SaveClassification(
                classification,
            )));
        }
        if form.dirty && ui.button("Discard changes").clicked() {
            *form = ClassifyForm::load(desk);
        }
        match &desk.own_classification {
            Some(own) if !form.dirty => {
                ui.weak(format!("saved: {}", own.category.code()));
            }
            Some(_) | None if form.dirty => {
                ui.weak("not saved");
            }
            _ => {}
        }
    });
    if !desk.others.is_empty() {
        ui.label(format!("Other reviewers: {}", desk.others.join("; ")));
    } else if desk.hidden > 0 {
        ui.weak(format!(
            "{} judgement(s) of other reviewers hidden by blind mode.",
            desk.hidden
        ));
    }
    ui.separator();
    labels_ui(ui, desk, actions);
}

/// Rolnick et al.'s domain and ML-area labels: each toggle is one write.
fn labels_ui(ui: &mut egui::Ui, desk: &RecordDesk, actions: &mut Vec<Action>) {
    fn toggles<T: Term>(ui: &mut egui::Ui, desk: &RecordDesk, actions: &mut Vec<Action>) {
        let vocabulary = T::VOCABULARY.id;
        ui.horizontal_wrapped(|ui| {
            for term in T::ALL {
                let on = desk
                    .own_labels
                    .iter()
                    .any(|(v, c)| v == vocabulary && c == term.code());
                let mut checked = on;
                if ui
                    .checkbox(&mut checked, term.name())
                    .on_hover_text(term.entry().definition)
                    .changed()
                {
                    actions.push(Action::Review(ReviewAction::SetLabel {
                        vocabulary: vocabulary.to_owned(),
                        code: term.code().to_owned(),
                        on: checked,
                    }));
                }
            }
        });
    }
    egui::CollapsingHeader::new("Domain (Rolnick et al. 2019)")
        .default_open(true)
        .show(ui, |ui| toggles::<RolnickDomain>(ui, desk, actions));
    egui::CollapsingHeader::new("Machine-learning area")
        .default_open(false)
        .show(ui, |ui| toggles::<MlArea>(ui, desk, actions));
}

/// The rebound-risk register.
pub fn rebound_ui(
    ui: &mut egui::Ui,
    state: &mut ReviewState,
    reviewer: Option<&str>,
    actions: &mut Vec<Action>,
) {
    ui.horizontal(|ui| reviewer_picker(ui, state.snapshot.as_deref(), reviewer, actions));
    if reviewer.is_none() {
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
    let focused_desk = state
        .assess
        .desk
        .as_deref()
        .filter(|d| Some(d.record) == state.assess.focus);
    egui::Panel::left("rebound_list")
        .resizable(true)
        .default_size(260.0)
        .show(ui, |ui| {
            ui.strong("Records with risks");
            if listed.is_empty() && focused_desk.is_none() {
                ui.weak("None yet: open a record from the Screening or Classify view.");
            }
            let items = listed
                .iter()
                .map(|r| (r.record, r.title.as_str(), r.risks.to_string()))
                .collect();
            record_list(ui, items, (focused_desk, "0"), actions);
        });
    let assess = &mut state.assess;
    let Some(desk) = focused(
        ui,
        (assess.desk.as_deref(), assess.focus),
        "Pick a record on the left, or open one from the Screening or Classify view.",
    ) else {
        return;
    };
    ui.columns(2, |columns| {
        egui::ScrollArea::vertical()
            .id_salt("rebound_tree")
            .show(&mut columns[0], |ui| {
                tree_ui(
                    ui,
                    desk,
                    &mut assess.root,
                    &mut assess.risk,
                    &mut assess.tree_path,
                    actions,
                );
            });
        egui::ScrollArea::vertical()
            .id_salt("rebound_form")
            .show(&mut columns[1], |ui| {
                if assess.risk.open {
                    risk_form_ui(ui, &mut assess.risk, desk, &mut assess.selection, actions);
                    ui.separator();
                }
                egui::CollapsingHeader::new("Record text (select to quote)")
                    .default_open(assess.risk.open)
                    .show(ui, |ui| record_text_ui(ui, desk, &mut assess.selection));
            });
    });
}

fn summary_ui(ui: &mut egui::Ui, summary: &RiskSummary) {
    let list = |pairs: &[(String, u64)]| {
        pairs
            .iter()
            .map(|(code, n)| format!("{code} {n}"))
            .collect::<Vec<_>>()
            .join(", ")
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
            ui.label(list(&summary.by_effect));
            ui.end_row();
            ui.strong("By direction");
            ui.label(list(&summary.by_direction));
            ui.end_row();
            ui.strong("By domain");
            ui.label(list(&summary.by_domain));
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
    actions: &mut Vec<Action>,
) {
    ui.heading("Consequence tree");
    ui.label(&desk.title);
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
            actions.push(Action::Review(ReviewAction::SetRoot(ConsequenceRoot {
                solution: root.solution.trim().to_owned(),
                scale: root.scale,
            })));
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
            .find(|(risk, author)| risk.uid == uid && *author == desk.reviewer)
            .map(|(risk, _)| risk)
    };
    nodes_ui(ui, &desk.tree.children, 1, &own, form, actions);
    if desk.tree.children.is_empty() {
        ui.weak("No effects yet: add the first-order effects of deploying the solution.");
    }
    ui.add_space(6.0);
    legend_ui(ui);
    ui.separator();
    ui.horizontal(|ui| {
        let label = ui.label("Export to:");
        ui.add(
            egui::TextEdit::singleline(path)
                .hint_text("tree.svg or tree.json")
                .desired_width(220.0),
        )
        .labelled_by(label.id);
        if ui.button("Browse...").clicked() {
            actions.push(Action::Review(ReviewAction::PickTreePath));
        }
        let target = path.trim();
        if ui
            .add_enabled(!target.is_empty(), egui::Button::new("Export tree"))
            .on_hover_text("SVG, or JSON when the name ends in .json")
            .clicked()
        {
            actions.push(Action::Review(ReviewAction::ExportTree(target.into())));
        }
    });
}

fn nodes_ui<'a>(
    ui: &mut egui::Ui,
    nodes: &[TreeNode],
    depth: usize,
    own: &dyn Fn(&str) -> Option<&'a StoredRisk>,
    form: &mut RiskForm,
    actions: &mut Vec<Action>,
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
                        for (name, value) in [
                            ("direction", node.direction),
                            ("magnitude", node.magnitude),
                            ("likelihood", node.likelihood),
                            ("confidence", node.confidence),
                        ] {
                            if let Some(value) = value {
                                rating.push(format!("{name} {value}"));
                            }
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
                                    actions
                                        .push(Action::Review(ReviewAction::DeleteRisk(stored.id)));
                                }
                            }
                        });
                    });
            });
        });
        nodes_ui(ui, &node.children, depth + 1, own, form, actions);
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
    actions: &mut Vec<Action>,
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
                .checkbox(&mut on, criterion.code())
                .on_hover_text(criterion.name())
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
                Ok(risk) => actions.push(Action::Review(ReviewAction::SaveRisk {
                    id: form.editing,
                    risk: Box::new(risk),
                })),
                Err(why) => actions.push(Action::Review(ReviewAction::Refuse(why))),
            }
        }
        if ui.button("Cancel").clicked() {
            *form = RiskForm::default();
        }
    });
}
