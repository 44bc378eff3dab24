//! The Assess tab: for the record in focus, its measured-energy traces ([`traces`]), a
//! calculator for estimates ([`estimate`]), an LCA scenario editor ([`scenario`], with the
//! factor [`picker`]) with its result [`plots`], and the end-to-end [`summary`] with report
//! export. The tab holds forms and pushes its [`Action`]s; reads and writes run on the Assess
//! thread ([`worker`]), Monte Carlo runs as a job with progress and cancel, on the scenario
//! itself (not its text).

mod estimate;
mod paper;
mod picker;
mod plots;
mod scenario;
mod summary;
mod traces;
pub mod worker;

use ecolens_core::record::shown_title;
use std::fmt::Write as _;
use std::path::PathBuf;

use ecolens_core::estimate::{Assumption, Estimate, FactorOverrides};
use ecolens_core::lca::Scenario;
use ecolens_core::report::{RecordReport, num, quantity};
use ecolens_core::{RecordId, TraceId};
use ecolens_taxonomy::lca::LifeCyclePhase;
use eframe::egui;

pub use estimate::{EstimateForm, EstimateMethod};
pub use paper::PaperForm;
pub use picker::PickerTarget;
pub use scenario::{LineDraft, ParamDraft, ScenarioDraft, VariantDraft};
pub use traces::OverridesForm;

use super::Action as WindowAction;
use super::JobKind;
use super::path_field::typed_path;
use super::review_worker::Done;
use super::session::Session;
use super::tab::{Io, ReviewAnswer, Status, Tab};
use super::widgets::truncate;
use super::worker::{JobOutcome, PickPurpose};
use crate::service::assess::ReportFormat;
use crate::service::{Front, describe};
use estimate::estimate_ui;
use scenario::scenario_ui;
use summary::summary_ui;
use traces::traces_ui;
use worker::{ImpactCommand, ImpactDesk, ImpactDone, ImpactEvent, LcaOutcome};

/// The Assess tab's parts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ImpactTab {
    /// Attached traces.
    #[default]
    Traces,
    /// The estimate calculator.
    Estimate,
    /// The scenario editor and its results.
    Scenario,
    /// A paper's own figures audited.
    Paper,
    /// The end-to-end summary and report export.
    Summary,
}

impl ImpactTab {
    const ALL: [Self; 5] = [
        Self::Traces,
        Self::Estimate,
        Self::Scenario,
        Self::Paper,
        Self::Summary,
    ];

    fn label(self) -> &'static str {
        match self {
            Self::Traces => "Traces",
            Self::Estimate => "Estimate",
            Self::Scenario => "Scenario",
            Self::Paper => "Paper audit",
            Self::Summary => "Summary",
        }
    }
}

/// What the Assess tab asks for.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Attach the trace file whose path was typed.
    AttachTyped,
    /// Choose a trace file in a dialog.
    PickTrace,
    /// Detach one run.
    Detach(TraceId),
    /// Save the factor overrides form (`false`: clear them).
    SaveOverrides(bool),
    /// Compute the calculator's estimate.
    Estimate,
    /// Add the last estimate to the scenario being edited as a line of M2.
    EstimateToLine,
    /// Start a scenario from a shipped example (index) or blank (`None`).
    NewScenario(Option<usize>),
    /// Edit a stored scenario (by name).
    EditScenario(String),
    /// Take the TOML text typed into the editor.
    UseToml,
    /// Save the scenario with the record.
    SaveScenario,
    /// Evaluate it with Monte Carlo.
    Evaluate,
    /// Gather the end-to-end summary of the record in focus (it is shown and out of date).
    Summarise,
    /// Write a report.
    ExportReport {
        /// Every assessed record instead of the one in focus.
        all: bool,
    },
    /// Choose where the report goes.
    PickReport,
    /// Open the last report in the system's viewer (a browser for HTML).
    OpenReport,
    /// Audit the paper's figures typed; `attach`: and attach the audit to the record in
    /// focus.
    AuditPaper {
        /// Attach it too.
        attach: bool,
    },
    /// Read the audits attached to the record in focus (the part is shown and out of date).
    LoadPaperAudits,
    /// Fill the audit from the figures the record's text states.
    FillFromText,
    /// Accept (`true`) or reject one of the figures found (by position), refilling the form.
    AcceptCue(usize, bool),
    /// Read the record's direct-rebound risks (the scenario editor is shown and they are out
    /// of date).
    LoadDirectRisks,
    /// Take the scenario's direct rebound from one of them (by position).
    FeedRebound(usize),
}

/// The Assess tab's view state.
#[derive(Debug)]
pub struct State {
    /// Part shown.
    pub tab: ImpactTab,
    /// What was read for the record in focus.
    pub desk: Option<Box<ImpactDesk>>,
    /// What the last request did, or why not.
    pub message: Option<Status>,
    /// A trace path typed.
    pub trace_path: String,
    /// The run whose plot is shown.
    pub selected_trace: Option<TraceId>,
    /// The factor overrides form.
    pub overrides: OverridesForm,
    /// The calculator.
    pub estimate: EstimateForm,
    /// The calculator's last answer.
    pub estimate_result: Option<Result<Box<Estimate>, String>>,
    /// The LLM requests' last answer.
    pub inference_result: Option<Result<Box<crate::service::assess::InferenceEstimate>, String>>,
    /// The scenario being edited.
    pub draft: Option<ScenarioDraft>,
    /// TOML typed for the draft.
    pub toml: String,
    /// Monte Carlo runs, as typed.
    pub runs: String,
    /// Seed, as typed.
    pub seed: String,
    /// The Monte Carlo job running, if any.
    pub running: Option<u64>,
    /// The last result.
    pub result: Option<Box<LcaOutcome>>,
    /// Criterion shown in the contribution and tornado plots.
    pub criterion: usize,
    /// The factor picker, when open.
    pub picker: Option<PickerTarget>,
    /// The picker's country.
    pub picker_country: String,
    /// The picker's criterion.
    pub picker_criterion: String,
    /// Report format.
    pub report_format: ReportFormat,
    /// Report path, as typed.
    pub report_path: String,
    /// The last report written.
    pub last_report: Option<PathBuf>,
    /// A record id typed in the list.
    pub record_id: String,
    /// The end-to-end summary: the record and inputs it was gathered for, and what came
    /// back. It is gathered only when shown, and kept until its inputs change.
    pub summary: Option<(SummaryKey, Result<Box<RecordReport>, Status>)>,
    /// The summary asked for and not yet answered.
    pub summary_asked: Option<SummaryKey>,
    /// Grows whenever something a summary shows may have changed (traces, scenarios,
    /// factors, review work, the reader).
    pub inputs: u64,
    /// The paper's figures typed.
    pub paper: PaperForm,
    /// The last audit, or what was wrong with the figures.
    pub paper_result: Option<Result<Box<ecolens_core::paper_audit::PaperAudit>, String>>,
    /// The audits attached to a record as the reader may see them, and how many are hidden,
    /// with what they were read for.
    pub paper_attached: Option<(RecordId, Vec<ecolens_core::store::StoredPaperAudit>, usize)>,
    /// What the attached audits were last read (or asked) for.
    pub paper_key: Option<SummaryKey>,
    /// The figures found in a record's text, and which the reviewer accepts.
    pub paper_cues: Option<(RecordId, Box<crate::service::assess::RecordCues>, Vec<bool>)>,
    /// What the direct-rebound risks were last read (or asked) for, and what came back.
    pub direct_risks_key: Option<SummaryKey>,
    /// The record's direct-rebound risks, or why they cannot feed a scenario.
    pub direct_risks: Option<(
        RecordId,
        Result<Vec<crate::service::assess::DirectRisk>, String>,
    )>,
}

/// What a summary was gathered for: the record, and the state of its inputs.
pub type SummaryKey = (RecordId, u64);

impl Default for State {
    fn default() -> Self {
        Self {
            tab: ImpactTab::default(),
            desk: None,
            message: None,
            trace_path: String::new(),
            selected_trace: None,
            overrides: OverridesForm::default(),
            estimate: EstimateForm::default(),
            estimate_result: None,
            inference_result: None,
            draft: None,
            toml: String::new(),
            runs: "10000".into(),
            seed: "1".into(),
            running: None,
            result: None,
            criterion: 0,
            picker: None,
            picker_country: "FRA".into(),
            picker_criterion: "gwp".into(),
            report_format: ReportFormat::Html,
            report_path: String::new(),
            last_report: None,
            record_id: String::new(),
            summary: None,
            summary_asked: None,
            inputs: 0,
            // Starts on the best-known worked case, as the calculator does.
            paper: ecolens_core::paper_audit::examples()
                .first()
                .map(|(_, chain)| PaperForm::of(chain))
                .unwrap_or_default(),
            paper_result: None,
            paper_attached: None,
            paper_key: None,
            direct_risks_key: None,
            direct_risks: None,
            paper_cues: None,
        }
    }
}

impl State {
    /// Takes a desk from the Assess thread: forms follow the stored overrides, the selected
    /// run stays when it still exists.
    pub fn take_desk(&mut self, desk: Box<ImpactDesk>) {
        self.overrides = OverridesForm::of(&desk.overrides);
        let same_record = self
            .desk
            .as_ref()
            .is_some_and(|old| old.record == desk.record);
        if !same_record {
            // The editor and its result belong to the record they were made for.
            self.draft = None;
            self.toml.clear();
            self.result = None;
            self.picker = None;
            self.criterion = 0;
        }
        // A run just attached is the one to look at.
        let attached = same_record
            .then(|| {
                let old = self.desk.as_ref().map(|d| &d.traces);
                desk.traces
                    .iter()
                    .find(|t| old.is_some_and(|o| !o.iter().any(|p| p.id == t.id)))
                    .map(|t| t.id)
            })
            .flatten();
        if attached.is_some() {
            self.selected_trace = attached;
        } else if !desk
            .traces
            .iter()
            .any(|t| Some(t.id) == self.selected_trace)
        {
            self.selected_trace = desk.traces.first().map(|t| t.id);
        }
        self.desk = Some(desk);
    }

    /// Loads a scenario into the editor.
    pub fn edit(&mut self, scenario: &Scenario) {
        self.draft = Some(ScenarioDraft::of(scenario));
        self.toml = scenario.to_toml().unwrap_or_default();
        self.result = None;
        self.criterion = 0;
    }
}

/// A number ≥ 0 typed in a form (thousands separators allowed), or what is wrong with it,
/// naming the field.
pub(super) fn typed_number(field: &str, text: &str) -> Result<f64, String> {
    text.trim()
        .replace(',', "")
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite() && *v >= 0.0)
        .ok_or_else(|| format!("{field}: {:?} is not a number ≥ 0", text.trim()))
}

/// [`typed_number`], or `None` for an empty field.
pub(super) fn typed_optional(field: &str, text: &str) -> Result<Option<f64>, String> {
    if text.trim().is_empty() {
        Ok(None)
    } else {
        typed_number(field, text).map(Some)
    }
}

/// The inputs of an estimate as a table: name, value with its unit (none for a plain
/// number), and where the value came from.
fn assumptions_grid(ui: &mut egui::Ui, id: impl egui::AsIdSalt, assumptions: &[Assumption]) {
    // The source, last, wraps within the width left by the name and the value.
    let wrap_at = (ui.available_width() - 320.0).max(200.0);
    egui::Grid::new(id)
        .striped(true)
        .max_col_width(wrap_at)
        .show(ui, |ui| {
            for a in assumptions {
                ui.label(&a.name);
                ui.label(if a.unit == "1" {
                    num(a.value)
                } else {
                    quantity(a.value, &a.unit)
                });
                ui.add(egui::Label::new(egui::RichText::new(&a.source).small()).wrap());
                ui.end_row();
            }
        });
}

/// Draws the Assess tab.
fn assess_ui(
    ui: &mut egui::Ui,
    state: &mut State,
    session: &Session,
    pending: bool,
    out: &mut Vec<WindowAction>,
) {
    let focus = session.focus;
    let act = |out: &mut Vec<WindowAction>, a: WindowAction| out.push(a);
    egui::Panel::left("impact_list")
        .resizable(true)
        .default_size(260.0)
        .show(ui, |ui| {
            // The panel keeps its width whatever its lines say (a wrapped label as wide as
            // its text made it shrink, and the columns beside it jump, after a save).
            ui.set_width(ui.available_width());
            ui.strong("Records with traces or scenarios");
            ui.horizontal(|ui| {
                let label = ui.label("Record id");
                let response = ui
                    .add(egui::TextEdit::singleline(&mut state.record_id).desired_width(60.0))
                    .labelled_by(label.id);
                let entered =
                    response.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
                if ui.button("Go").clicked() || entered {
                    match state.record_id.trim().parse::<i64>() {
                        Ok(id) => act(out, WindowAction::Focus(RecordId(id))),
                        Err(_) => {
                            state.message = Some(Status::Fix(
                                "Type a record's number (as the Library shows it).".into(),
                            ));
                        }
                    }
                }
            });
            if let Some(desk) = &state.desk {
                egui::ScrollArea::vertical()
                    .id_salt("impact_records")
                    .show(ui, |ui| {
                        let mut items: Vec<(RecordId, String)> = desk
                            .records
                            .iter()
                            .map(|r| {
                                (
                                    r.record,
                                    format!(
                                        "{}  {} · {} trace(s), {} scenario(s)",
                                        r.record,
                                        truncate(shown_title(&r.title), 36),
                                        r.traces,
                                        r.scenarios
                                    ),
                                )
                            })
                            .collect();
                        if let Some(record) = desk.record
                            && !items.iter().any(|(r, _)| *r == record)
                        {
                            items.insert(
                                0,
                                (
                                    record,
                                    format!("{record}  {}", truncate(shown_title(&desk.title), 36)),
                                ),
                            );
                        }
                        if items.is_empty() {
                            ui.weak("None yet. Open a record in the Library and press Assess.");
                        }
                        for (record, text) in items {
                            let chosen = focus == Some(record);
                            if ui.selectable_label(chosen, text).clicked() && !chosen {
                                act(out, WindowAction::Focus(record));
                            }
                        }
                    });
            }
        });
    ui.horizontal(|ui| {
        for tab in ImpactTab::ALL {
            if ui.selectable_label(state.tab == tab, tab.label()).clicked() {
                state.tab = tab;
            }
        }
        if pending {
            ui.spinner();
        }
    });
    if let Some((ok, message)) = state.message.as_ref().map(|m| m.line(session)) {
        let color = if ok {
            ui.visuals().weak_text_color()
        } else {
            ui.visuals().error_fg_color
        };
        ui.colored_label(color, message);
    }
    ui.separator();
    let needs_record = !matches!(state.tab, ImpactTab::Estimate | ImpactTab::Paper);
    let record = state
        .desk
        .as_ref()
        .and_then(|d| d.record)
        .filter(|r| Some(*r) == focus);
    if needs_record && record.is_none() {
        if focus.is_some() {
            ui.spinner();
        } else {
            ui.label("Choose a record on the left, or open one in the Library and press Assess.");
        }
        return;
    }
    if let Some(desk) = &state.desk
        && needs_record
    {
        ui.heading(format!(
            "Record {}: {}",
            desk.record.map(|r| r.to_string()).unwrap_or_default(),
            truncate(shown_title(&desk.title), 100)
        ));
    }
    match state.tab {
        ImpactTab::Traces => {
            egui::ScrollArea::vertical()
                .id_salt("traces_scroll")
                .show(ui, |ui| traces_ui(ui, state, out));
        }
        ImpactTab::Estimate => {
            egui::ScrollArea::vertical()
                .id_salt("estimate_scroll")
                .show(ui, |ui| estimate_ui(ui, state, out));
        }
        ImpactTab::Scenario => {
            let key = record.map(|record| (record, state.inputs));
            if key.is_some() && state.direct_risks_key != key {
                state.direct_risks_key = key;
                out.push(Action::LoadDirectRisks.into());
            }
            scenario_ui(ui, state, out);
        }
        ImpactTab::Paper => {
            let key = record.map(|record| (record, state.inputs));
            if key.is_some() && state.paper_key != key {
                state.paper_key = key;
                out.push(Action::LoadPaperAudits.into());
            }
            egui::ScrollArea::vertical()
                .id_salt("paper_scroll")
                .show(ui, |ui| paper::paper_ui(ui, state, session, out));
        }
        ImpactTab::Summary => {
            let key = record.map(|record| (record, state.inputs));
            if key.is_some()
                && state.summary.as_ref().map(|(k, _)| Some(*k)) != Some(key)
                && state.summary_asked != key
            {
                out.push(Action::Summarise.into());
            }
            summary_ui(ui, state, session, out);
        }
    }
}

impl Tab for State {
    type Action = Action;

    fn ui(&mut self, ui: &mut egui::Ui, session: &Session, out: &mut Vec<WindowAction>) {
        let pending = self.summary_asked.is_some();
        assess_ui(ui, self, session, pending, out);
    }

    fn apply(&mut self, action: Action, session: &Session, io: &mut Io<'_>) {
        let focus = session.focus;
        match action {
            Action::AttachTyped => {
                if let (Some(record), Some(path)) = (focus, typed_path(&self.trace_path)) {
                    io.impact(ImpactCommand::Attach { record, path });
                }
            }
            Action::PickTrace => io.then(WindowAction::Pick(PickPurpose::TraceFile)),
            Action::Detach(trace) => {
                if let Some(record) = focus {
                    io.impact(ImpactCommand::Detach { record, trace });
                }
            }
            Action::SaveOverrides(keep) => {
                let overrides = if keep {
                    self.overrides.to_overrides()
                } else {
                    Ok(FactorOverrides::default())
                };
                match overrides {
                    Ok(overrides) => io.impact(ImpactCommand::SetOverrides {
                        record: focus,
                        overrides,
                    }),
                    Err(error) => self.message = Some(Status::Fix(error)),
                }
            }
            Action::Estimate if self.estimate.method == EstimateMethod::Inference => {
                match self.estimate.inference_request() {
                    Ok(request) => io.impact(ImpactCommand::Inference(Box::new(request))),
                    Err(error) => self.inference_result = Some(Err(error)),
                }
            }
            Action::Estimate => match self.estimate.request() {
                Ok(request) => io.impact(ImpactCommand::Estimate(Box::new(request))),
                Err(error) => self.estimate_result = Some(Err(error)),
            },
            Action::EstimateToLine => self.estimate_to_line(),
            Action::NewScenario(example) => {
                let scenario = example
                    .and_then(|i| ecolens_core::lca::EXAMPLES.get(i))
                    .map(|(_, text)| Scenario::from_toml(text));
                match scenario {
                    Some(Ok(scenario)) => self.edit(&scenario),
                    Some(Err(error)) => self.message = Some(Status::Fix(error.to_string())),
                    None => {
                        self.draft = Some(ScenarioDraft::blank());
                        self.toml.clear();
                        self.result = None;
                    }
                }
            }
            Action::EditScenario(name) => {
                let toml = self
                    .desk
                    .as_ref()
                    .and_then(|d| d.scenarios.iter().find(|(n, _)| *n == name))
                    .map(|(_, toml)| toml.clone());
                match toml.map(|t| Scenario::from_toml(&t)) {
                    Some(Ok(scenario)) => {
                        self.edit(&scenario);
                        // A stored scenario opens with its result (seeded: the same runs and
                        // seed give the same numbers as when it was evaluated).
                        self.start_monte_carlo(io);
                    }
                    Some(Err(error)) => {
                        self.message = Some(Status::Fix(format!(
                            "The stored scenario has a mistake: {error}"
                        )));
                    }
                    None => {}
                }
            }
            Action::UseToml => match Scenario::from_toml(&self.toml) {
                Ok(scenario) => {
                    self.draft = Some(ScenarioDraft::of(&scenario));
                    self.result = None;
                    self.message = Some(Status::Said("The form now holds the TOML.".into()));
                }
                Err(error) => self.message = Some(Status::Fix(format!("TOML: {error}"))),
            },
            Action::SaveScenario => {
                let checked = self.draft.as_ref().map(ScenarioDraft::to_scenario);
                match (checked, focus) {
                    (Some(Ok(scenario)), Some(record)) => {
                        self.toml = scenario.to_toml().unwrap_or_default();
                        io.impact(ImpactCommand::SaveScenario {
                            record,
                            scenario: Box::new(scenario),
                        });
                    }
                    (Some(Err(error)), _) => {
                        self.message = Some(Status::Fix(format!("Not saved: {error}")));
                    }
                    _ => {}
                }
            }
            Action::Evaluate => self.start_monte_carlo(io),
            Action::AuditPaper { attach } => match self.paper.chain() {
                Ok(chain) => {
                    let record = if attach { focus } else { None };
                    io.impact(ImpactCommand::AuditPaper {
                        record,
                        reader: session.reader(),
                        chain: Box::new(chain),
                    });
                }
                Err(error) => self.paper_result = Some(Err(error)),
            },
            Action::FillFromText => {
                if let Some(record) = focus {
                    io.impact(ImpactCommand::RecordCues { record });
                }
            }
            Action::AcceptCue(at, accepted) => {
                if let Some((_, _, ticks)) = self.paper_cues.as_mut()
                    && let Some(tick) = ticks.get_mut(at)
                {
                    *tick = accepted;
                }
                self.refill_from_cues();
            }
            Action::LoadDirectRisks => {
                if let Some(record) = focus {
                    io.impact(ImpactCommand::DirectRisks {
                        record,
                        reader: session.reader(),
                    });
                }
            }
            Action::FeedRebound(at) => {
                let risk = match &self.direct_risks {
                    Some((record, Ok(list))) if Some(*record) == focus => list.get(at).cloned(),
                    _ => None,
                };
                let fed = self.draft.as_ref().zip(risk).map(|(draft, risk)| {
                    let mut scenario = draft.to_scenario()?;
                    scenario
                        .feed_direct_rebound(&risk.uid, &risk.by, &risk.risk)
                        .map_err(|e| e.to_string())?;
                    Ok::<_, String>((scenario, risk))
                });
                match fed {
                    Some(Ok((scenario, risk))) => {
                        self.draft = Some(ScenarioDraft::of(&scenario));
                        self.result = None;
                        self.message = Some(Status::Said(format!(
                            "The direct rebound is now {}'s {} %; Save keeps it with the scenario.",
                            risk.by,
                            risk.risk.rebound_percent.unwrap_or_default()
                        )));
                    }
                    Some(Err(error)) => {
                        self.message = Some(Status::Fix(format!("Not taken: {error}")));
                    }
                    None => {}
                }
            }
            Action::LoadPaperAudits => {
                if let Some(record) = focus {
                    io.impact(ImpactCommand::PaperAudits {
                        record,
                        reader: session.reader(),
                    });
                }
            }
            Action::Summarise => {
                if let Some(record) = focus {
                    self.summary_asked = Some((record, self.inputs));
                    io.impact(ImpactCommand::Summary {
                        record,
                        reader: session.reader(),
                    });
                }
            }
            Action::ExportReport { all } => {
                let Some(path) = typed_path(&self.report_path) else {
                    self.message = Some(Status::Fix(
                        "Type where the report goes, or Browse….".into(),
                    ));
                    return;
                };
                io.impact(ImpactCommand::Report {
                    request: worker::report_request(
                        if all { None } else { focus },
                        self.report_format,
                        path,
                    ),
                    reader: session.reader(),
                });
            }
            Action::PickReport => io.then(WindowAction::Pick(PickPurpose::ReportOut)),
            Action::OpenReport => {
                if let Some(path) = self.last_report.clone() {
                    io.then(WindowAction::OpenFile(path));
                }
            }
        }
    }

    fn show(&mut self, session: &Session, io: &mut Io<'_>) {
        if self
            .desk
            .as_ref()
            .is_some_and(|d| d.record != session.focus)
        {
            self.result = None;
        }
        io.impact(ImpactCommand::Load {
            record: session.focus,
        });
    }

    fn forget(&mut self) {
        // The summary shows the reader's judgements: gather it again for the next one.
        self.inputs += 1;
        self.summary = None;
    }

    fn review(
        &mut self,
        answer: &mut ReviewAnswer<'_>,
        _session: &Session,
        _shown: bool,
        _io: &mut Io<'_>,
    ) {
        if let ReviewAnswer::Done(done) = answer
            && done.touches_library()
            && !matches!(done, Done::Voted(_))
        {
            // Categories, risks and settings are in the summary.
            self.inputs += 1;
        }
    }

    fn impact(&mut self, event: ImpactEvent, session: &Session, io: &mut Io<'_>) {
        match event {
            ImpactEvent::Desk(desk) => self.take_desk(desk),
            ImpactEvent::Done(done, desk) => {
                self.inputs += 1;
                self.message = Some(Status::Said(match *done {
                    ImpactDone::Attached(attached, path) => {
                        let mut words = format!(
                            "Attached {} run(s) of {} from {}.",
                            attached.trace_ids.len(),
                            attached.tool,
                            path.display()
                        );
                        if !attached.warnings.is_empty() {
                            let _ = write!(
                                words,
                                " {} warning(s): see the run.",
                                attached.warnings.len()
                            );
                        }
                        words
                    }
                    ImpactDone::Detached(trace) => format!("Detached trace {trace}."),
                    ImpactDone::ScenarioSaved(id, record) => {
                        format!("Saved the scenario (#{id}) with record {record}.")
                    }
                    ImpactDone::Overrides(overrides) => {
                        if overrides.is_empty() {
                            "The project uses the shipped factors again.".to_owned()
                        } else {
                            "The project's own factors are saved; footprints use them.".to_owned()
                        }
                    }
                }));
                self.take_desk(desk);
            }
            ImpactEvent::Missing(desk, error) => {
                self.message = Some(Status::Failed(error));
                // The record asked for could not be read: nothing is in focus.
                io.then(WindowAction::Unfocus);
                self.take_desk(desk);
            }
            ImpactEvent::Estimated(estimate) => self.estimate_result = Some(Ok(estimate)),
            ImpactEvent::Inferred(estimate) => self.inference_result = Some(Ok(estimate)),
            ImpactEvent::Audited { audit, attached } => {
                if let Some((id, record, list, hidden)) = attached {
                    self.message = Some(Status::Said(format!(
                        "Attached the audit to record {record} as paper audit {id}: {}.",
                        audit.summary()
                    )));
                    self.paper_attached = Some((record, list, hidden));
                    // The summary and reports show it.
                    self.inputs += 1;
                    self.paper_key = Some((record, self.inputs));
                }
                self.paper_result = Some(Ok(audit));
            }
            ImpactEvent::RecordCues(record, cues) => {
                let all = cues.abstract_cues.len() + cues.full_text_cues.len();
                self.message = Some(Status::Said(if all == 0 {
                    format!("Record {record}'s text states no figure of its computing.")
                } else {
                    format!(
                        "{all} figure(s) found in record {record}'s text: accept or reject each below."
                    )
                }));
                self.paper_cues = Some((record, cues, vec![true; all]));
                self.refill_from_cues();
            }
            ImpactEvent::DirectRisks(record, list) => {
                self.direct_risks = Some((record, list.map_err(|e| describe(&e, Front::Window))));
            }
            ImpactEvent::PaperAudits(record, list, hidden) => {
                self.paper_attached = Some((record, list, hidden));
            }
            ImpactEvent::Summary(record, report) => {
                if let Some(key) = self.summary_asked.take().filter(|(r, _)| *r == record) {
                    self.summary = Some((key, report.map_err(Status::Failed)));
                }
            }
            ImpactEvent::Report(written) => {
                self.message = Some(Status::Said(format!("Wrote {}.", written.path.display())));
                self.last_report = Some(written.path);
            }
            ImpactEvent::Failed(what, error) => {
                if self.tab == ImpactTab::Paper {
                    self.paper_result = Some(Err(describe(&error, Front::Window)));
                }
                if self.tab == ImpactTab::Estimate {
                    let words = describe(&error, Front::Window);
                    if self.estimate.method == EstimateMethod::Inference {
                        self.inference_result = Some(Err(words));
                    } else {
                        self.estimate_result = Some(Err(words));
                    }
                }
                self.message = Some(Status::Not(what, error));
            }
        }
        let _ = session;
    }

    fn finished(&mut self, job: u64, outcome: JobOutcome, _io: &mut Io<'_>) -> Option<JobOutcome> {
        if self.running != Some(job) {
            return Some(outcome);
        }
        self.running = None;
        match outcome {
            JobOutcome::Lca(result) => {
                self.result = Some(result);
                None
            }
            other => Some(other),
        }
    }

    fn picked(&mut self, purpose: PickPurpose, path: PathBuf, session: &Session, io: &mut Io<'_>) {
        match purpose {
            PickPurpose::TraceFile => {
                self.trace_path = path.display().to_string();
                self.apply(Action::AttachTyped, session, io);
            }
            PickPurpose::ReportOut => self.report_path = path.display().to_string(),
            _ => {}
        }
    }
}

impl State {
    /// The audit form filled from the figures accepted of those found in a record's text.
    fn refill_from_cues(&mut self) {
        let Some((record, cues, ticks)) = &self.paper_cues else {
            return;
        };
        let accepted: Vec<ecolens_core::cues::Cue> = cues
            .abstract_cues
            .iter()
            .chain(&cues.full_text_cues)
            .zip(ticks)
            .filter(|(_, t)| **t)
            .map(|(c, _)| c.clone())
            .collect();
        let chain =
            ecolens_core::cues::prefill(&accepted, &format!("record {record}, from its text"));
        self.paper = PaperForm::of(&chain);
        self.paper_result = None;
    }

    /// Adds the last estimate to the scenario being edited as a line of M2.
    fn estimate_to_line(&mut self) {
        let Some(Ok(estimate)) = &self.estimate_result else {
            return;
        };
        let country = self.estimate.country.trim().to_ascii_uppercase();
        let line = LineDraft {
            phase: LifeCyclePhase::Training,
            name: format!("{} estimate", estimate.method),
            amount: num(estimate.energy_kwh),
            unit: "kWh".into(),
            electricity: country.clone(),
            source: estimate
                .assumptions
                .iter()
                .map(|a| format!("{} = {} {} ({})", a.name, num(a.value), a.unit, a.source))
                .collect::<Vec<_>>()
                .join("; "),
            ..LineDraft::default()
        };
        let energy = num(estimate.energy_kwh);
        match self.draft.as_mut().and_then(|d| d.variants.get_mut(1)) {
            Some(m2) => {
                m2.lines.push(line);
                self.message = Some(Status::Said(format!(
                    "Added the estimate ({energy} kWh) to M2 as a training line{}; change its phase in the Scenario tab.",
                    if country.is_empty() {
                        String::new()
                    } else {
                        format!(" with the electricity of {country}")
                    }
                )));
            }
            None => {
                self.message = Some(Status::Fix(
                    "Open or start a scenario in the Scenario tab first.".into(),
                ));
            }
        }
    }

    /// Evaluates the scenario being edited as a Monte Carlo job: the job receives the
    /// scenario itself.
    fn start_monte_carlo(&mut self, io: &mut Io<'_>) {
        if self.running.is_some() {
            return;
        }
        let scenario = match self.draft.as_ref().map(ScenarioDraft::to_scenario) {
            Some(Ok(s)) => s,
            Some(Err(error)) => {
                self.message = Some(Status::Fix(format!("Not evaluated: {error}")));
                return;
            }
            None => return,
        };
        let runs = match self.runs.trim().parse::<usize>() {
            Ok(r) if (100..=10_000_000).contains(&r) => r,
            _ => {
                self.message = Some(Status::Fix(
                    "Runs: a whole number from 100 to 10,000,000.".into(),
                ));
                return;
            }
        };
        let Ok(seed) = self.seed.trim().parse::<u64>() else {
            self.message = Some(Status::Fix("Seed: a whole number.".into()));
            return;
        };
        self.result = None;
        let path = io.project_path();
        let title = format!("Monte Carlo of {}", scenario.name);
        self.running = Some(
            io.job(title, JobKind::MonteCarlo, move |job, cancel, outbox| {
                worker::run_lca(&path, scenario, (runs, seed), (job, &cancel), outbox)
            }),
        );
    }
}
