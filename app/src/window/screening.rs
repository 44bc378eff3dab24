//! The Screening tab: keyboard-first screening, one record at a time, in the reviewer's
//! queue at a stage. A vote moves on to the next record at once (its card was asked for
//! before the vote is written) and comes back as what changed, which updates the queue and
//! the card without reading them again.

use ecolens_core::record::shown_title;
use ecolens_core::{Decision, RecordId, Stage};
use ecolens_taxonomy::{EvalCategory, Term};
use eframe::egui;

use super::Action as WindowAction;
use super::review_worker::{Done, ReviewCommand, ReviewSnapshot, Write};
use super::session::Session;
use super::tab::{Io, ReviewAnswer, Status, Tab};
use super::tabs::View;
use super::widgets::{CATEGORY_KEYS, reviewer_picker};
use super::words;
use crate::service::review::ScreeningCard;

/// What the Screening tab asks for.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
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
    /// Skip the record shown for now: it comes back at the end of the queue.
    Postpone,
    /// Set the words and phrases highlighted on the card.
    SetHighlight(ecolens_core::priority::HighlightTerms),
    /// Make the record a known include, or no longer one (a lead only).
    SetKnown {
        /// The record.
        record: RecordId,
        /// Known include or not.
        known: bool,
    },
}

/// The Screening tab's state.
#[derive(Debug, Default)]
pub struct State {
    /// Screening stage.
    pub stage: Stage,
    /// Position in the queue.
    pub position: usize,
    /// The queue and the exclusion reasons, as read last.
    pub snapshot: Option<Box<ReviewSnapshot>>,
    /// The record on screen.
    pub card: Option<Box<ScreeningCard>>,
    /// The exclusion-reason picker is open.
    pub picking_reason: bool,
    /// The last vote moved the queue on (undo moves back).
    pub advanced: bool,
    /// Records skipped for now at this stage, in the order skipped: last in the queue until
    /// voted on (for the rest of the session).
    pub postponed: Vec<RecordId>,
    /// The highlighted words being edited: include and exclude terms as typed.
    pub highlight_edit: Option<(String, String)>,
}

impl State {
    /// The record at the current position of the queue.
    pub fn current(&self) -> Option<RecordId> {
        self.queue()
            .and_then(|queue| queue.get(self.position))
            .map(|q| q.record)
    }

    fn queue(&self) -> Option<&[ecolens_core::QueueItem]> {
        self.snapshot.as_ref().and_then(|s| s.queue.as_deref())
    }

    fn refresh(&self, session: &Session, io: &mut Io<'_>) {
        io.refresh_keeping(
            View::Screening,
            self.stage,
            session,
            self.current(),
            self.postponed.clone(),
        );
    }

    /// Asks for the record at the current position, unless it is on screen already.
    fn request_card(&self, session: &Session, io: &mut Io<'_>) {
        if let (Some(reader), Some(record)) = (session.reader(), self.current())
            && self
                .card
                .as_ref()
                .is_none_or(|c| c.record != record || c.stage != self.stage)
        {
            io.review(ReviewCommand::Card {
                record,
                reader,
                stage: self.stage,
            });
        }
    }

    /// A vote that went through: the queue and the card say so, without reading them again.
    fn voted(&mut self, record: RecordId, stage: Stage, decision: &Decision) {
        if stage != self.stage {
            return;
        }
        if let Some(item) = self
            .snapshot
            .as_mut()
            .and_then(|s| s.queue.as_mut())
            .and_then(|queue| queue.iter_mut().find(|q| q.record == record))
        {
            item.own = Some(decision.clone());
        }
        if let Some(card) = self.card.as_mut().filter(|c| c.record == record) {
            card.own_vote = Some(decision.clone());
        }
    }
}

impl Tab for State {
    type Action = Action;

    fn ui(&mut self, ui: &mut egui::Ui, session: &Session, out: &mut Vec<WindowAction>) {
        screening_ui(ui, self, session, out);
    }

    fn apply(&mut self, action: Action, session: &Session, io: &mut Io<'_>) {
        match action {
            Action::SetStage(stage) => {
                self.stage = stage;
                self.position = 0;
                self.card = None;
                self.postponed.clear();
                self.refresh(session, io);
            }
            Action::Move(delta) => {
                let len = self.queue().map_or(0, <[_]>::len);
                if len > 0 {
                    let next =
                        (self.position.cast_signed() + delta).clamp(0, len.cast_signed() - 1);
                    self.position = next.cast_unsigned();
                    self.advanced = false;
                    self.request_card(session, io);
                }
            }
            Action::Vote(decision) => {
                let (Some(reviewer), Some(record)) = (session.reader(), self.current()) else {
                    io.say(Status::needs_you("Screening"));
                    return;
                };
                self.picking_reason = false;
                let len = self.queue().map_or(0, <[_]>::len);
                self.advanced = self.position + 1 < len;
                if self.advanced {
                    // The next card is read before the vote is written: the reviewer sees
                    // the next record without waiting.
                    self.position += 1;
                    self.request_card(session, io);
                }
                io.review(ReviewCommand::Write(Write::Vote {
                    reviewer,
                    record,
                    stage: self.stage,
                    decision,
                }));
            }
            Action::PickReason => self.picking_reason = true,
            Action::SetHighlight(terms) => {
                let Some(reviewer) = session.reader() else {
                    io.say(Status::needs_you("Highlighting words"));
                    return;
                };
                self.highlight_edit = None;
                io.review(ReviewCommand::Write(Write::SetHighlight {
                    reviewer,
                    terms,
                }));
            }
            Action::SetKnown { record, known } => {
                let Some(lead) = session.reader() else {
                    io.say(Status::needs_you("Picking known includes"));
                    return;
                };
                let mut records = session.known_includes().to_vec();
                records.retain(|r| *r != record);
                if known {
                    records.push(record);
                }
                io.review(ReviewCommand::Write(Write::SetKnownIncludes {
                    lead,
                    records,
                }));
            }
            Action::Postpone => {
                let Some(record) = self.current() else {
                    return;
                };
                let len = self.queue().map_or(0, <[_]>::len);
                if self.position + 1 >= len {
                    return;
                }
                // The next record takes the card's place; the skipped one goes last.
                self.postponed.retain(|r| *r != record);
                self.postponed.push(record);
                self.position += 1;
                self.advanced = false;
                self.request_card(session, io);
                self.refresh(session, io);
                io.say(Status::Said(format!(
                    "Skipped record {record} for now: it comes back at the end of the queue"
                )));
            }
            Action::Classify(category) => {
                let (Some(reviewer), Some(record)) = (session.reader(), self.current()) else {
                    io.say(Status::needs_you("Screening"));
                    return;
                };
                io.review(ReviewCommand::Write(Write::Classify {
                    reviewer,
                    record,
                    category,
                }));
            }
            Action::Undo => {
                let Some(reviewer) = session.reader() else {
                    io.say(Status::needs_you("Screening"));
                    return;
                };
                io.review(ReviewCommand::Write(Write::Undo { reviewer }));
                if std::mem::take(&mut self.advanced) {
                    self.position = self.position.saturating_sub(1);
                }
            }
        }
    }

    fn show(&mut self, session: &Session, io: &mut Io<'_>) {
        self.refresh(session, io);
    }

    fn forget(&mut self) {
        self.postponed.clear();
        self.position = 0;
        self.card = None;
        self.snapshot = None;
        self.advanced = false;
        self.picking_reason = false;
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
                if let Some(snapshot) = answer.snapshot_for(View::Screening) {
                    let current = self.current();
                    if let Some(queue) = snapshot.queue.as_ref() {
                        // A new ranking moves records around the card on screen, never the
                        // card itself; with no card yet, screening starts at the first record
                        // not voted on.
                        let at = current
                            .and_then(|record| queue.iter().position(|q| q.record == record))
                            .or_else(|| queue.iter().position(|q| q.own.is_none()));
                        self.position = at.unwrap_or(queue.len().saturating_sub(1));
                    }
                    self.snapshot = Some(snapshot);
                    self.request_card(session, io);
                }
            }
            ReviewAnswer::Card(card) => {
                if card
                    .as_ref()
                    .is_some_and(|c| Some(c.record) == self.current() && c.stage == self.stage)
                {
                    self.card = card.take();
                }
            }
            ReviewAnswer::Done(done) => match done {
                Done::Voted(voted) => {
                    let vote = &voted.vote;
                    self.voted(vote.record, vote.vote.stage, &vote.vote.decision);
                    if shown && vote.vote.stage == self.stage {
                        // The model learns the vote: rank the records after the card again.
                        self.refresh(session, io);
                    }
                }
                Done::Classified(stored) => {
                    if let Some(card) = self.card.as_mut().filter(|c| c.record == stored.record) {
                        card.own_category = Some(stored.classification.category);
                    }
                }
                Done::Undone(_)
                | Done::Settings(_)
                | Done::Priority(_)
                | Done::KnownIncludes(_)
                | Done::Resolved(_)
                | Done::BundleImported(_)
                | Done::ReviewerAdded(_)
                    if shown =>
                {
                    // What changed is not known vote by vote: read the queue and the card.
                    self.card = None;
                    self.refresh(session, io);
                }
                _ => {}
            },
            ReviewAnswer::Failed => self.advanced = false,
            ReviewAnswer::Desk(_) => {}
        }
    }

    fn keys(&mut self, ctx: &egui::Context, _session: &Session, out: &mut Vec<WindowAction>) {
        screening_keys(ctx, self, out);
    }
}

/// Keys of the screening view: the reason picker's digits while it is open, else I / X / M,
/// A–F, N / P (or arrows) and U / Ctrl+Z.
fn screening_keys(ctx: &egui::Context, state: &mut State, out: &mut Vec<WindowAction>) {
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
                    out.push(
                        Action::Vote(Decision::Exclude {
                            reason: Some(code.clone()),
                        })
                        .into(),
                    );
                }
            }
            if state.stage == Stage::TitleAbstract
                && (press(egui::Key::Num0) || press(egui::Key::Enter))
            {
                state.picking_reason = false;
                out.push(Action::Vote(Decision::Exclude { reason: None }).into());
            }
            if press(egui::Key::Escape) {
                state.picking_reason = false;
            }
            return;
        }
        if press(egui::Key::I) {
            out.push(Action::Vote(Decision::Include).into());
        }
        if press(egui::Key::M) {
            out.push(Action::Vote(Decision::Maybe).into());
        }
        if press(egui::Key::S) {
            out.push(Action::Postpone.into());
        }
        if press(egui::Key::X) {
            state.picking_reason = true;
        }
        for (key, category) in CATEGORY_KEYS {
            if press(key) {
                out.push(Action::Classify(category).into());
            }
        }
        if press(egui::Key::N) || press(egui::Key::ArrowRight) {
            out.push(Action::Move(1).into());
        }
        if press(egui::Key::P) || press(egui::Key::ArrowLeft) {
            out.push(Action::Move(-1).into());
        }
        if press(egui::Key::U) || input.consume_key(egui::Modifiers::COMMAND, egui::Key::Z) {
            out.push(Action::Undo.into());
        }
    });
}

/// The Screening view's keys, shown on it and in the help.
pub(super) const KEYS: &[(&str, &str)] = &[
    ("I", "include"),
    ("X", "exclude (pick a reason)"),
    ("M", "maybe"),
    ("S", "skip for now"),
    ("A-F", "a-f category"),
    ("N / Right", "next"),
    ("P / Left", "previous"),
    ("U / Ctrl+Z", "undo"),
];

fn screening_ui(
    ui: &mut egui::Ui,
    state: &mut State,
    session: &Session,
    out: &mut Vec<WindowAction>,
) {
    ui.horizontal_wrapped(|ui| {
        reviewer_picker(ui, session, out);
        ui.separator();
        for stage in Stage::ALL {
            if ui
                .selectable_label(state.stage == stage, stage.label())
                .clicked()
            {
                out.push(Action::SetStage(stage).into());
            }
        }
        ui.separator();
        if let Some(settings) = session.settings() {
            let blind = match (settings.blind, settings.leads_see_all) {
                (true, true) => "blind mode on, leads see all",
                (true, false) => "blind mode on",
                (false, _) => "blind mode off",
            };
            ui.weak(format!("{blind}; {}", settings.rule.label()));
        }
    });
    ui.separator();
    let Some(you) = session.you() else {
        ui.label("Choose who you are above (or add yourself in the Team view) to start screening.");
        return;
    };
    let Some((snapshot, queue)) = state
        .snapshot
        .as_deref()
        .and_then(|s| Some((s, s.queue.as_ref()?)))
    else {
        ui.spinner();
        return;
    };
    let total = queue.len();
    let done = queue.iter().filter(|q| q.own.is_some()).count();
    ui.horizontal_wrapped(|ui| {
        ui.strong(format!(
            "Record {} of {total}",
            (state.position + 1).min(total)
        ));
        ui.label(format!(
            "{done} screened by {}, {} to go",
            you.name,
            total - done
        ));
        #[allow(clippy::cast_precision_loss)]
        let fraction = if total == 0 {
            0.0
        } else {
            done as f32 / total as f32
        };
        ui.add(egui::ProgressBar::new(fraction).desired_width(160.0));
    });
    if let Some(note) = &snapshot.queue_note {
        ui.horizontal_wrapped(|ui| {
            ui.weak("Order:");
            ui.label(note.words());
            if note.ranked {
                ui.weak(format!("(ranked in {:.0} ms)", note.took_ms));
            }
        });
    }
    // The curve goes beside the card when the window has room for both, above it otherwise.
    let beside = ui.available_width() >= reading_measure(ui) + 360.0;
    if let Some(progress) = &snapshot.progress {
        stopping_panel(ui, &progress.test);
        if !beside {
            found_curve(ui, progress, false);
        }
    }
    highlight_editor(ui, &mut state.highlight_edit, session, out);
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
    let picking = state.picking_reason.then_some((snapshot, state.stage));
    let progress = snapshot.progress.as_ref().filter(|_| beside);
    ui.horizontal_top(|ui| {
        let width = reading_measure(ui) + 24.0;
        ui.allocate_ui_with_layout(
            egui::vec2(width, ui.available_height()),
            egui::Layout::top_down(egui::Align::Min),
            |ui| {
                egui::ScrollArea::vertical()
                    .id_salt("screening_card")
                    .show(ui, |ui| card_ui(ui, card, picking, session, out));
            },
        );
        if let Some(progress) = progress {
            ui.vertical(|ui| found_curve(ui, progress, true));
        }
    });
}

/// The words highlighted on the card, and their editor (any reviewer may change them).
fn highlight_editor(
    ui: &mut egui::Ui,
    editing: &mut Option<(String, String)>,
    session: &Session,
    out: &mut Vec<WindowAction>,
) {
    use ecolens_core::priority::HighlightTerms;
    let Some(terms) = session.highlight() else {
        return;
    };
    ui.horizontal_wrapped(|ui| {
        ui.weak("Highlighted:");
        if terms.include.is_empty() && terms.exclude.is_empty() {
            ui.weak("no words yet");
        }
        for (list, color) in [
            (&terms.include, include_color(ui)),
            (&terms.exclude, exclude_color(ui)),
        ] {
            for term in list {
                ui.label(egui::RichText::new(term).background_color(color));
            }
        }
        if editing.is_none() && ui.button("Edit words…").clicked() {
            *editing = Some((terms.include.join(", "), terms.exclude.join(", ")));
        }
    });
    let Some((include, exclude)) = editing.as_mut() else {
        return;
    };
    let mut cancel = false;
    ui.horizontal_wrapped(|ui| {
        let label = ui.label("Include terms:");
        ui.add(
            egui::TextEdit::singleline(include)
                .desired_width(260.0)
                .hint_text("deep learning, carbon*"),
        )
        .labelled_by(label.id);
        let label = ui.label("Exclude terms:");
        ui.add(
            egui::TextEdit::singleline(exclude)
                .desired_width(260.0)
                .hint_text("dinosaur*"),
        )
        .labelled_by(label.id);
        if ui.button("Save words").clicked() {
            out.push(
                Action::SetHighlight(HighlightTerms {
                    include: HighlightTerms::parse_list(include),
                    exclude: HighlightTerms::parse_list(exclude),
                })
                .into(),
            );
        }
        cancel = ui.button("Cancel").clicked();
    });
    if cancel {
        *editing = None;
    }
}

/// The background of words that suggest inclusion.
fn include_color(ui: &egui::Ui) -> egui::Color32 {
    if ui.visuals().dark_mode {
        egui::Color32::from_rgba_unmultiplied(40, 160, 70, 110)
    } else {
        egui::Color32::from_rgba_unmultiplied(60, 190, 90, 90)
    }
}

/// The background of words that suggest exclusion.
fn exclude_color(ui: &egui::Ui) -> egui::Color32 {
    if ui.visuals().dark_mode {
        egui::Color32::from_rgba_unmultiplied(200, 50, 50, 120)
    } else {
        egui::Color32::from_rgba_unmultiplied(230, 80, 80, 90)
    }
}

/// `text` with the review's highlighted terms marked: include terms on green, exclude terms
/// on red (an exclude term wins where both match).
pub(super) fn marked_text(
    ui: &egui::Ui,
    text: &str,
    terms: Option<&ecolens_core::priority::HighlightTerms>,
    format: &egui::TextFormat,
) -> egui::text::LayoutJob {
    let mut spans: Vec<(std::ops::Range<usize>, egui::Color32)> = Vec::new();
    if let Some(terms) = terms {
        for range in ecolens_corpus::text::find_terms(text, &terms.exclude) {
            spans.push((range, exclude_color(ui)));
        }
        for range in ecolens_corpus::text::find_terms(text, &terms.include) {
            if !spans
                .iter()
                .any(|(r, _)| r.start < range.end && range.start < r.end)
            {
                spans.push((range, include_color(ui)));
            }
        }
    }
    spans.sort_by_key(|(range, _)| range.start);
    let mut job = egui::text::LayoutJob::default();
    let mut at = 0;
    for (range, color) in spans {
        job.append(&text[at..range.start], 0.0, format.clone());
        job.append(
            &text[range.clone()],
            0.0,
            egui::TextFormat {
                background: color,
                ..format.clone()
            },
        );
        at = range.end;
    }
    job.append(&text[at..], 0.0, format.clone());
    job
}

/// The stopping rule's verdict on the reader's screening so far.
fn stopping_panel(ui: &mut egui::Ui, test: &ecolens_core::stopping::StoppingTest) {
    ui.horizontal_wrapped(|ui| {
        ui.weak("Stopping rule:");
        ui.label(format!(
            "{:.0} % recall with {:.0} % confidence",
            test.rule.target_recall * 100.0,
            test.rule.confidence * 100.0
        ));
        ui.weak(format!(
            "· {} screened, {} included",
            test.screened, test.relevant
        ));
        match test.p_value {
            None => {
                ui.weak("· nothing screened yet");
            }
            Some(p) => {
                ui.weak(format!("· p = {p:.3}"));
                if test.safe_to_stop {
                    ui.colored_label(ui.visuals().warn_fg_color, "safe to stop");
                } else if let Some(more) = test.more_to_draw {
                    ui.label(format!(
                        "not yet: {more} more record(s) drawn at random and excluded would do"
                    ));
                } else {
                    ui.label("not yet: screening every record left would not make it certain");
                }
            }
        }
    })
    .response
    .on_hover_text(
        "Callaghan & Müller-Hansen (2020): the chance of having missed the target recall, treating the last records screened as if drawn at random from them and the records left. Prioritised records are likelier to be included than random ones, so this errs on the side of screening more.",
    );
}

/// Includes found against records screened, the reader's own, live: a curve that flattens
/// is what prioritised screening looks like when the includes run out. Beside it the simple
/// heuristics, as information only (the rule above decides).
fn found_curve(
    ui: &mut egui::Ui,
    progress: &crate::service::screening::ScreeningProgress,
    stacked: bool,
) {
    if progress.found.is_empty() {
        return;
    }
    if stacked {
        ui.vertical(|ui| curve_body(ui, progress));
    } else {
        ui.horizontal(|ui| curve_body(ui, progress));
    }
}

/// The curve (includes found after each record screened) and the heuristics beside it.
fn curve_body(ui: &mut egui::Ui, progress: &crate::service::screening::ScreeningProgress) {
    let mut found = 0.0;
    let mut points = Vec::with_capacity(progress.found.len() + 1);
    points.push([0.0, 0.0]);
    for (i, include) in progress.found.iter().enumerate() {
        if *include {
            found += 1.0;
        }
        #[allow(clippy::cast_precision_loss)] // Record counts.
        points.push([(i + 1) as f64, found]);
    }
    egui_plot::Plot::new("found_includes")
        .height(90.0)
        .width(260.0)
        .allow_drag(false)
        .allow_zoom(false)
        .allow_scroll(false)
        .allow_boxed_zoom(false)
        .include_y(0.0)
        .x_axis_label("screened")
        .y_axis_label("included")
        .show(ui, |plot| {
            plot.line(
                egui_plot::Line::new("includes found", egui_plot::PlotPoints::from(points))
                    .color(egui::Color32::from_rgb(0x1a, 0x7f, 0x37))
                    .width(2.0),
            );
        });
    ui.vertical(|ui| {
        ui.weak("Includes found against records screened (yours).");
        ui.label(format!(
            "{} screened since your last include",
            progress.since_last_include()
        ));
        #[allow(clippy::cast_precision_loss)]
        let share = 100.0 * progress.test.screened as f64 / progress.test.total.max(1) as f64;
        ui.label(format!("{share:.0} % of the queue screened"));
        ui.weak("Information only: the stopping rule above decides.");
    });
}

fn key_legend(ui: &mut egui::Ui, stage: Stage) {
    ui.horizontal_wrapped(|ui| {
        ui.weak("Keys:");
        for &(key, what) in KEYS {
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
    out: &mut Vec<WindowAction>,
) {
    egui::Frame::group(ui.style()).show(ui, |ui| {
        ui.strong("Exclude: why? (press the number, Esc to cancel)");
        for (at, reason) in snapshot.reasons.iter().enumerate().take(9) {
            if ui
                .button(format!("{}  {}", at + 1, reason.name))
                .on_hover_text(&reason.definition)
                .clicked()
            {
                out.push(
                    Action::Vote(Decision::Exclude {
                        reason: Some(reason.code.clone()),
                    })
                    .into(),
                );
            }
        }
        if stage == Stage::TitleAbstract && ui.button("0  No reason").clicked() {
            out.push(Action::Vote(Decision::Exclude { reason: None }).into());
        }
    });
}

/// The width of about 100 characters of body text: a line longer than that is hard to follow
/// back to its start.
fn reading_measure(ui: &egui::Ui) -> f32 {
    const SAMPLE: &str = "Rebound effects of AI for green applications are rarely quantified in the \
                          literature we reviewed for t";
    let font = egui::TextStyle::Body.resolve(ui.style());
    let width = ui.fonts_mut(|fonts| {
        fonts
            .layout_no_wrap(SAMPLE.to_owned(), font, egui::Color32::WHITE)
            .size()
            .x
    });
    width.min(ui.available_width())
}

fn card_ui(
    ui: &mut egui::Ui,
    card: &ScreeningCard,
    picking: Option<(&ReviewSnapshot, Stage)>,
    session: &Session,
    out: &mut Vec<WindowAction>,
) {
    ui.set_max_width(reading_measure(ui));
    let heading = egui::TextFormat {
        font_id: egui::TextStyle::Heading.resolve(ui.style()),
        color: ui.visuals().strong_text_color(),
        ..Default::default()
    };
    ui.label(marked_text(
        ui,
        shown_title(&card.title),
        session.highlight(),
        &heading,
    ));
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
            // The text being judged, at full contrast, the review's words highlighted.
            let body = egui::TextFormat {
                font_id: egui::TextStyle::Body.resolve(ui.style()),
                color: ui.visuals().strong_text_color(),
                ..Default::default()
            };
            ui.label(marked_text(ui, text, session.highlight(), &body));
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
    ui.horizontal_wrapped(|ui| {
        ui.label("Your vote:");
        match &card.own_vote {
            Some(decision) => ui.strong(words::decision(decision, session)),
            None => ui.weak("none yet"),
        };
        ui.separator();
        ui.label("Your category:");
        match card.own_category {
            Some(category) => ui.strong(format!("{} ({})", category.code(), category.name())),
            None => ui.weak("none"),
        };
    });
    // The reason picker takes the buttons' place: the record above it does not move.
    if let Some((snapshot, stage)) = picking {
        reason_picker(ui, snapshot, stage, out);
        return;
    }
    ui.horizontal_wrapped(|ui| {
        if ui.button("Include (I)").clicked() {
            out.push(Action::Vote(Decision::Include).into());
        }
        if ui.button("Exclude (X)").clicked() {
            out.push(Action::PickReason.into());
        }
        if ui.button("Maybe (M)").clicked() {
            out.push(Action::Vote(Decision::Maybe).into());
        }
        if ui.button("Skip for now (S)").clicked() {
            out.push(Action::Postpone.into());
        }
        if ui.button("Undo (U)").clicked() {
            out.push(Action::Undo.into());
        }
    });
    ui.horizontal_wrapped(|ui| {
        let known = session.known_includes().contains(&card.record);
        if session.is_lead() {
            let mut ticked = known;
            if ui
                .checkbox(&mut ticked, "Known include")
                .on_hover_text(
                    "Key papers known before screening: they open every reviewer's queue until the model can rank it (each reviewer still screens them).",
                )
                .changed()
            {
                out.push(
                    Action::SetKnown {
                        record: card.record,
                        known: ticked,
                    }
                    .into(),
                );
            }
        } else if known {
            ui.weak("Known include, picked by the lead");
        }
        for (text, view) in [
            ("Classify in detail...", View::Classify),
            ("Rebound risks...", View::Rebound),
        ] {
            if ui.button(text).clicked() {
                out.push(WindowAction::Open {
                    record: card.record,
                    view,
                });
            }
        }
    });
    if !card.others.is_empty() {
        let others: Vec<String> = card
            .others
            .iter()
            .map(|(name, decision)| format!("{name}: {}", words::decision(decision, session)))
            .collect();
        ui.label(format!("Other reviewers: {}", others.join("; ")));
    } else if card.hidden > 0 {
        ui.weak(format!(
            "{} judgement(s) of other reviewers hidden by blind mode.",
            card.hidden
        ));
    }
}
