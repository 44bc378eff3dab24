//! The Classify tab: the a–f scale's questions walked in order, rationale, confidence,
//! evidence quotes picked by selecting text, and Rolnick domain and ML-area labels, on the
//! record in focus; beside it, the reviewer's list of records to classify.

use ecolens_core::record::shown_title;
use ecolens_core::{Classification, ClassifyItem, EvidenceQuote, RecordId};
use ecolens_taxonomy::eval_scale::GUIDING_QUESTIONS;
use ecolens_taxonomy::{Confidence, EvalCategory, MlArea, RolnickDomain, Term};
use eframe::egui;

use super::Action as WindowAction;
use super::desk::{DeskSlot, Selection, evidence_ui, focused, record_list, record_text_ui};
use super::review_worker::{Done, ReviewCommand, ReviewSnapshot, Write};
use super::session::Session;
use super::tab::{Io, ReviewAnswer, Status, Tab};
use super::tabs::View;
use super::widgets::{CATEGORY_KEYS, Side, reviewer_picker, side_by_side, term_combo};
use crate::service::review::RecordDesk;

/// What the Classify tab asks for.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Save the classification of the record in focus.
    Save(Box<Classification>),
    /// Put a label on the record in focus, or take it off.
    SetLabel {
        /// Vocabulary.
        vocabulary: String,
        /// Code.
        code: String,
        /// On or off.
        on: bool,
    },
}

/// The Classify tab's state.
#[derive(Debug, Default)]
pub struct State {
    /// The reviewer's list, as read last.
    pub snapshot: Option<Box<ReviewSnapshot>>,
    /// The record in focus.
    pub desk: DeskSlot,
    /// The classification form.
    pub form: ClassifyForm,
    /// The text selected in the record, for a quote.
    pub selection: Option<Selection>,
    /// The form was sent and waits for its answer: cleared when it went through, kept when
    /// it was refused.
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
            if self.form.record != Some(desk.record) || !self.form.dirty {
                self.form = ClassifyForm::load(desk);
            }
            if other_record {
                self.selection = None;
            }
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

    /// The question waiting for an answer (its index), while the answers do not decide yet.
    pub fn current_question(&self) -> Option<usize> {
        let next = self.answers.len();
        (!self.answers.contains(&false) && next < GUIDING_QUESTIONS.len()).then_some(next)
    }

    /// Answers the question waiting for one.
    pub fn answer(&mut self, yes: bool) {
        if self.current_question().is_some() {
            self.answers.push(yes);
            self.dirty = true;
        }
    }

    /// Takes the last answer back.
    pub fn take_back(&mut self) {
        if self.answers.pop().is_some() {
            self.dirty = true;
        }
    }

    /// Sets the category directly (the answers that lead to it).
    pub fn set_category(&mut self, category: EvalCategory) {
        self.answers = category.answers();
        self.dirty = true;
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

impl Tab for State {
    type Action = Action;

    fn ui(&mut self, ui: &mut egui::Ui, session: &Session, out: &mut Vec<WindowAction>) {
        classify_ui(ui, self, session, out);
    }

    fn apply(&mut self, action: Action, session: &Session, io: &mut Io<'_>) {
        let (Some(reviewer), Some(record)) = (session.reader(), session.focus) else {
            io.say(Status::needs_you("Classifying"));
            return;
        };
        let write = match action {
            Action::Save(classification) => {
                self.saving = true;
                Write::SaveClassification {
                    reviewer,
                    record,
                    classification,
                }
            }
            Action::SetLabel {
                vocabulary,
                code,
                on,
            } => Write::SetLabel {
                reviewer,
                record,
                vocabulary,
                code,
                on,
            },
        };
        io.review(ReviewCommand::Write(write));
    }

    fn show(&mut self, session: &Session, io: &mut Io<'_>) {
        io.refresh(View::Classify, ecolens_core::Stage::TitleAbstract, session);
        DeskSlot::request(session, io);
    }

    fn forget(&mut self) {
        *self = Self::default();
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
                if let Some(snapshot) = answer.snapshot_for(View::Classify) {
                    // The tab starts on the first record to work on.
                    if session.focus.is_none()
                        && let Some(first) = snapshot.classify_queue.as_ref().and_then(|q| {
                            q.iter()
                                .find(|item| item.own.is_none())
                                .or_else(|| q.first())
                                .map(|item| item.record)
                        })
                    {
                        io.then(WindowAction::Focus(first));
                    }
                    self.snapshot = Some(snapshot);
                }
            }
            ReviewAnswer::Desk(desk) => self.take_desk(desk, session),
            ReviewAnswer::Done(done) => match done {
                Done::Classified(stored) if Some(stored.reviewer) == session.reader() => {
                    if Some(stored.record) == session.focus {
                        self.saving = false;
                        self.form.dirty = false;
                    }
                    if let Some(item) = self
                        .snapshot
                        .as_mut()
                        .and_then(|s| s.classify_queue.as_mut())
                        .and_then(|q| q.iter_mut().find(|i| i.record == stored.record))
                    {
                        item.own = Some(stored.classification.category);
                    }
                    if let Some(desk) = self
                        .desk
                        .desk
                        .as_mut()
                        .filter(|d| d.record == stored.record)
                    {
                        desk.own_classification = Some(stored.classification.clone());
                    }
                }
                Done::Labelled {
                    record,
                    vocabulary,
                    code,
                    on,
                } => {
                    if let Some(desk) = self.desk.desk.as_mut().filter(|d| d.record == *record) {
                        let label = (vocabulary.clone(), code.clone());
                        desk.own_labels.retain(|l| *l != label);
                        if *on {
                            desk.own_labels.push(label);
                        }
                    }
                }
                Done::Undone(_)
                | Done::Settings(_)
                | Done::Resolved(_)
                | Done::BundleImported(_)
                    if shown =>
                {
                    self.show(session, io);
                }
                _ => {}
            },
            ReviewAnswer::Failed => self.saving = false,
            ReviewAnswer::Card(_) => {}
        }
    }

    fn keys(&mut self, ctx: &egui::Context, session: &Session, out: &mut Vec<WindowAction>) {
        if session.you().is_none() || self.desk.current(session).is_none() {
            return;
        }
        let form = &mut self.form;
        ctx.input_mut(|input| {
            let mut press = |key| input.consume_key(egui::Modifiers::NONE, key);
            if press(egui::Key::Y) {
                form.answer(true);
            }
            if press(egui::Key::N) {
                form.answer(false);
            }
            if press(egui::Key::Backspace) {
                form.take_back();
            }
            for (key, category) in CATEGORY_KEYS {
                if press(key) {
                    form.set_category(category);
                }
            }
        });
        let _ = out;
    }
}

/// The classification view.
fn classify_ui(
    ui: &mut egui::Ui,
    state: &mut State,
    session: &Session,
    out: &mut Vec<WindowAction>,
) {
    ui.horizontal_wrapped(|ui| reviewer_picker(ui, session, out));
    ui.separator();
    if session.you().is_none() {
        ui.label("Choose who you are above (or add yourself in the Team view) to classify.");
        return;
    }
    let queue: &[ClassifyItem] = state
        .snapshot
        .as_ref()
        .and_then(|s| s.classify_queue.as_deref())
        .unwrap_or_default();
    let focused_desk = state.desk.current(session);
    egui::Panel::left("classify_list")
        .resizable(true)
        .default_size(280.0)
        .show(ui, |ui| {
            // The panel keeps its width whatever its lines say (a wrapped label as wide as
            // its text made it shrink, and the columns beside it jump, after a save).
            ui.set_width(ui.available_width());
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
                    (q.record, shown_title(&q.title), status)
                })
                .collect();
            record_list(ui, items, (focused_desk, "*"), out);
        });
    let Some(desk) = focused(
        ui,
        (state.desk.desk.as_deref(), session.focus),
        "Pick a record on the left.",
    ) else {
        return;
    };
    side_by_side(
        ui,
        ["classify_text", "classify_form"],
        |ui, side| match side {
            Side::Left => record_text_ui(ui, desk, &mut state.selection),
            Side::Right => classify_form_ui(ui, desk, &mut state.form, &mut state.selection, out),
        },
    );
}

fn classify_form_ui(
    ui: &mut egui::Ui,
    desk: &RecordDesk,
    form: &mut ClassifyForm,
    selection: &mut Option<Selection>,
    out: &mut Vec<WindowAction>,
) {
    ui.heading("Environmental evaluation (a-f)");
    ui.weak("Answer in order; the first \"no\" decides the category.");
    keys_hint(ui);
    if let Some((category, why)) = &desk.cues.suggestion {
        let figures: Vec<String> = desk
            .cues
            .abstract_cues
            .iter()
            .chain(&desk.cues.full_text_cues)
            .take(12)
            .map(|c| format!("{} ({})", c.text, c.kind.name()))
            .collect();
        ui.label(
            egui::RichText::new(format!(
                "The text's figures point to {} — a suggestion, not the decision: {why}.",
                ecolens_taxonomy::Term::code(*category)
            ))
            .italics(),
        )
        .on_hover_text(figures.join("\n"));
    }
    let current = form.current_question();
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
            for (value, text, key) in [(true, "Yes", "Y"), (false, "No", "N")] {
                // The keys answer the question waiting; an earlier answer is changed by click.
                let label = if current == Some(at) {
                    format!("{text} ({key})")
                } else {
                    text.to_owned()
                };
                if ui
                    .selectable_label(answer == Some(value), label)
                    .on_hover_text(format!("{text} to question {}", question.step))
                    .clicked()
                {
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
                .on_hover_text(format!(
                    "{} (key {})",
                    category.name(),
                    category.code().to_uppercase()
                ))
                .clicked()
            {
                form.set_category(*category);
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
    if !desk.audits.is_empty() {
        ui.strong("The paper's own figures, audited (Assess → Paper audit)");
        for (stored, name) in &desk.audits {
            let problem = stored.audit.findings.iter().any(|f| f.verdict.is_problem());
            let line = format!(
                "{} — {}{}",
                stored.audit.chain.label,
                stored.audit.summary(),
                if name.is_empty() {
                    String::new()
                } else {
                    format!(" (attached by {name})")
                }
            );
            let response = if problem {
                ui.colored_label(ui.visuals().warn_fg_color, line)
            } else {
                ui.label(line)
            };
            response.on_hover_text(
                stored
                    .audit
                    .findings
                    .iter()
                    .map(|f| format!("{}: {} — {}", f.link, f.verdict.words(), f.note))
                    .collect::<Vec<_>>()
                    .join("\n"),
            );
        }
    }
    // Ctrl+S saves from anywhere in the form, the rationale's text field too.
    let save_key = ui.input_mut(|input| {
        input.consume_key(egui::Modifiers::COMMAND, egui::Key::S)
            || input.consume_key(egui::Modifiers::COMMAND, egui::Key::Enter)
    });
    ui.horizontal(|ui| {
        let classification = form.classification();
        if (ui
            .add_enabled(
                classification.is_some(),
                egui::Button::new("Save classification"),
            )
            .on_disabled_hover_text("Answer the questions until the category follows")
            .clicked()
            || save_key)
            && let Some(classification) = classification
        {
            out.push(Action::Save(Box::new(classification)).into());
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
        let others: Vec<String> = desk
            .others
            .iter()
            .map(|(name, category)| format!("{name}: {} ({})", category.code(), category.name()))
            .collect();
        ui.label(format!("Other reviewers: {}", others.join("; ")));
    } else if desk.hidden > 0 {
        ui.weak(format!(
            "{} judgement(s) of other reviewers hidden by blind mode.",
            desk.hidden
        ));
    }
    ui.separator();
    labels_ui(ui, desk, out);
}

/// Rolnick et al.'s domain and ML-area labels: each toggle is one write.
fn labels_ui(ui: &mut egui::Ui, desk: &RecordDesk, out: &mut Vec<WindowAction>) {
    fn toggles<T: Term>(ui: &mut egui::Ui, desk: &RecordDesk, out: &mut Vec<WindowAction>) {
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
                    out.push(
                        Action::SetLabel {
                            vocabulary: vocabulary.to_owned(),
                            code: term.code().to_owned(),
                            on: checked,
                        }
                        .into(),
                    );
                }
            }
        });
    }
    egui::CollapsingHeader::new("Domain (Rolnick et al. 2019)")
        .default_open(true)
        .show(ui, |ui| toggles::<RolnickDomain>(ui, desk, out));
    egui::CollapsingHeader::new("Machine-learning area")
        .default_open(false)
        .show(ui, |ui| toggles::<MlArea>(ui, desk, out));
}

/// The Classify view's keys, shown on it and in the help.
pub(super) const KEYS: &[(&str, &str)] = &[
    ("Y / N", "answer the question waiting"),
    ("Backspace", "take the last answer back"),
    ("A–F", "set the category"),
    ("Ctrl+S", "save (also from the rationale)"),
];

/// The keys of the form, as the Screening view shows its own.
fn keys_hint(ui: &mut egui::Ui) {
    ui.horizontal_wrapped(|ui| {
        ui.weak("Keys:");
        for &(keys, what) in KEYS {
            ui.monospace(keys);
            ui.weak(what);
        }
    });
}
