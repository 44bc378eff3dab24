//! The Assess tab: for the record in focus, its measured-energy traces (power over time,
//! totals, the PUE and grid factor applied and where they came from, warnings), a calculator
//! for estimates, an LCA scenario editor (variants, phases, lines, distributions, a factor
//! picker that shows source and year) with its result plots (Δ per criterion with intervals,
//! contribution by phase normalised to M1, P(M2 better), tornado), the end-to-end summary and
//! report export. The view holds forms and pushes [`ImpactAction`]s; reads and writes run on
//! the Assess thread, Monte Carlo runs as a job with progress and cancel.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::PathBuf;

use ecolens_core::energy::Component;
use ecolens_core::estimate::{Estimate, FactorOverrides};
use ecolens_core::lca::{Line, Parameter, Product, Scenario, Variant};
use ecolens_core::report::{
    CRITERION_HEADERS, RecordReport, TraceView, burden_shift_sentence, criterion_cells, num,
};
use ecolens_core::uncertain::Distribution;
use ecolens_core::{RecordId, TraceId};
use ecolens_taxonomy::Term as _;
use ecolens_taxonomy::lca::LifeCyclePhase;
use eframe::egui;
use egui_plot::{Bar, BarChart, HLine, Legend, Line as PlotLine, Plot, PlotPoints, Points};

use super::Action;
use super::impact_worker::{ImpactDesk, LcaOutcome};
use super::review::truncate;
use crate::assess_commands::{EstimateArgs, Method, ReportFormat};

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
    /// The end-to-end summary and report export.
    Summary,
}

impl ImpactTab {
    const ALL: [Self; 4] = [Self::Traces, Self::Estimate, Self::Scenario, Self::Summary];

    fn label(self) -> &'static str {
        match self {
            Self::Traces => "Traces",
            Self::Estimate => "Estimate",
            Self::Scenario => "Scenario",
            Self::Summary => "Summary",
        }
    }
}

/// What the Assess tab asks for.
#[derive(Debug, Clone, PartialEq)]
pub enum ImpactAction {
    /// Put this record in focus.
    Focus(RecordId),
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
    /// Write a report.
    ExportReport {
        /// Every assessed record instead of the one in focus.
        all: bool,
    },
    /// Choose where the report goes.
    PickReport,
    /// Open the last report in the system's viewer (a browser for HTML).
    OpenReport,
}

/// One parameter as typed.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ParamDraft {
    /// Name (used as `$name`).
    pub name: String,
    /// A number or a distribution (`triangular(1, 3, 8)`).
    pub value: String,
    /// Unit.
    pub unit: String,
    /// Source.
    pub source: String,
}

/// One line as typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineDraft {
    /// Life-cycle phase.
    pub phase: LifeCyclePhase,
    /// Name.
    pub name: String,
    /// Amount: terms joined by `×` (`$inferences × 0.61 × 1/$lifetime`).
    pub amount: String,
    /// Unit of the amount.
    pub unit: String,
    /// Trace id feeding the line (empty: none).
    pub trace: String,
    /// Country whose electricity factors apply (empty: none).
    pub electricity: String,
    /// Factors: `gwp = 0.05; adpe = triangular(…)`.
    pub factors: String,
    /// Source.
    pub source: String,
}

impl Default for LineDraft {
    fn default() -> Self {
        Self {
            phase: LifeCyclePhase::Inference,
            name: String::new(),
            amount: "1".into(),
            unit: String::new(),
            trace: String::new(),
            electricity: String::new(),
            factors: String::new(),
            source: String::new(),
        }
    }
}

/// One variant as typed.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct VariantDraft {
    /// `M1` or `M2`.
    pub id: String,
    /// Name.
    pub name: String,
    /// Lines.
    pub lines: Vec<LineDraft>,
}

/// A scenario as the editor holds it: text fields, checked when turned into a [`Scenario`].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ScenarioDraft {
    /// Name (a record's scenarios are stored by name).
    pub name: String,
    /// Functional unit.
    pub functional_unit: String,
    /// Criteria, comma-separated.
    pub criteria: String,
    /// Year (may be empty).
    pub year: String,
    /// Why M1 is the right reference.
    pub baseline_justification: String,
    /// System boundary.
    pub boundary: String,
    /// Notes.
    pub notes: String,
    /// Units of criteria beyond the vocabulary (kept as loaded).
    pub units: BTreeMap<String, String>,
    /// Parameters.
    pub parameters: Vec<ParamDraft>,
    /// M1 and M2.
    pub variants: Vec<VariantDraft>,
}

impl ScenarioDraft {
    /// The draft of a scenario.
    pub fn of(scenario: &Scenario) -> Self {
        Self {
            name: scenario.name.clone(),
            functional_unit: scenario.functional_unit.clone(),
            criteria: scenario.criteria.join(", "),
            year: scenario.year.map(|y| y.to_string()).unwrap_or_default(),
            baseline_justification: scenario.baseline_justification.clone(),
            boundary: scenario.boundary.clone(),
            notes: scenario.notes.clone(),
            units: scenario.units.clone(),
            parameters: scenario
                .parameters
                .iter()
                .map(|(name, p)| ParamDraft {
                    name: name.clone(),
                    value: p.value.to_string(),
                    unit: p.unit.clone(),
                    source: p.source.clone(),
                })
                .collect(),
            variants: scenario
                .variants
                .iter()
                .map(|v| VariantDraft {
                    id: v.id.clone(),
                    name: v.name.clone(),
                    lines: v
                        .lines
                        .iter()
                        .map(|l| LineDraft {
                            phase: l.phase,
                            name: l.name.clone(),
                            amount: l.amount.to_string(),
                            unit: l.unit.clone(),
                            trace: l.trace.map(|t| t.to_string()).unwrap_or_default(),
                            electricity: l.electricity.clone().unwrap_or_default(),
                            factors: l
                                .factors
                                .iter()
                                .map(|(c, p)| format!("{c} = {p}"))
                                .collect::<Vec<_>>()
                                .join("; "),
                            source: l.source.clone(),
                        })
                        .collect(),
                })
                .collect(),
        }
    }

    /// A blank scenario: M1 and M2 with one line each, GWP only.
    pub fn blank() -> Self {
        Self {
            name: "New scenario".into(),
            functional_unit: String::new(),
            criteria: "gwp".into(),
            variants: vec![
                VariantDraft {
                    id: "M1".into(),
                    name: "Reference without AI".into(),
                    lines: vec![LineDraft {
                        phase: LifeCyclePhase::NonIctProcess,
                        ..LineDraft::default()
                    }],
                },
                VariantDraft {
                    id: "M2".into(),
                    name: "The AI solution".into(),
                    lines: vec![LineDraft::default()],
                },
            ],
            ..Self::default()
        }
    }

    /// The scenario, checked; the error names the field as the form shows it.
    pub fn to_scenario(&self) -> Result<Scenario, String> {
        let mut parameters = BTreeMap::new();
        for (i, p) in self.parameters.iter().enumerate() {
            let name = p.name.trim().trim_start_matches('$');
            if name.is_empty() {
                return Err(format!("parameter {}: no name", i + 1));
            }
            let value: Distribution = p
                .value
                .trim()
                .parse()
                .map_err(|e| format!("parameter {name}: {e}"))?;
            parameters.insert(
                name.to_owned(),
                Parameter {
                    value,
                    unit: p.unit.trim().to_owned(),
                    source: p.source.trim().to_owned(),
                },
            );
        }
        let mut variants = Vec::new();
        for v in &self.variants {
            let mut lines = Vec::new();
            for (i, l) in v.lines.iter().enumerate() {
                let at = format!("{} line {} ({})", v.id, i + 1, l.name.trim());
                let mut factors = BTreeMap::new();
                for part in l
                    .factors
                    .split(';')
                    .map(str::trim)
                    .filter(|p| !p.is_empty())
                {
                    let (criterion, value) = part.split_once('=').ok_or_else(|| {
                        format!("{at} factors: {part:?} is not `criterion = value`")
                    })?;
                    let criterion = criterion.trim().to_ascii_lowercase();
                    factors.insert(
                        criterion.clone(),
                        value
                            .parse::<Product>()
                            .map_err(|e| format!("{at} factor {criterion}: {e}"))?,
                    );
                }
                let trace = match l.trace.trim() {
                    "" => None,
                    t => Some(
                        t.parse::<i64>()
                            .map_err(|_| format!("{at} trace: {t:?} is not a trace id"))?,
                    ),
                };
                lines.push(Line {
                    phase: l.phase,
                    name: l.name.trim().to_owned(),
                    amount: l
                        .amount
                        .parse::<Product>()
                        .map_err(|e| format!("{at} amount: {e}"))?,
                    unit: l.unit.trim().to_owned(),
                    trace,
                    electricity: Some(l.electricity.trim().to_ascii_uppercase())
                        .filter(|e| !e.is_empty()),
                    factors,
                    source: l.source.trim().to_owned(),
                });
            }
            variants.push(Variant {
                id: v.id.trim().to_owned(),
                name: v.name.trim().to_owned(),
                lines,
            });
        }
        let year = match self.year.trim() {
            "" => None,
            y => Some(
                y.parse::<i32>()
                    .map_err(|_| format!("year: {y:?} is not a year"))?,
            ),
        };
        let scenario = Scenario {
            name: self.name.trim().to_owned(),
            functional_unit: self.functional_unit.trim().to_owned(),
            criteria: self
                .criteria
                .split(',')
                .map(|c| c.trim().to_ascii_lowercase())
                .filter(|c| !c.is_empty())
                .collect(),
            units: self.units.clone(),
            year,
            baseline_justification: self.baseline_justification.trim().to_owned(),
            boundary: self.boundary.trim().to_owned(),
            notes: self.notes.trim().to_owned(),
            parameters,
            variants,
        };
        if scenario.name.is_empty() {
            return Err("name: a scenario needs a name (it is stored by name)".into());
        }
        scenario.check().map_err(|e| e.to_string())?;
        Ok(scenario)
    }
}

/// The overrides form.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OverridesForm {
    /// Country.
    pub country: String,
    /// PUE.
    pub pue: String,
    /// gCO2e/kWh.
    pub intensity: String,
    /// L/kWh.
    pub wue: String,
    /// Where they come from.
    pub source: String,
}

impl OverridesForm {
    fn of(o: &FactorOverrides) -> Self {
        let text = |v: Option<f64>| v.map(|v| v.to_string()).unwrap_or_default();
        Self {
            country: o.country.clone().unwrap_or_default(),
            pue: text(o.pue),
            intensity: text(o.intensity_g_per_kwh),
            wue: text(o.wue_l_per_kwh),
            source: o.source.clone().unwrap_or_default(),
        }
    }

    /// The overrides typed, or what is wrong with them.
    pub fn to_overrides(&self) -> Result<FactorOverrides, String> {
        let number = |field: &str, text: &str| -> Result<Option<f64>, String> {
            match text.trim() {
                "" => Ok(None),
                t => t
                    .parse::<f64>()
                    .map(Some)
                    .map_err(|_| format!("{field}: {t:?} is not a number")),
            }
        };
        let overrides = FactorOverrides {
            country: Some(self.country.trim().to_ascii_uppercase()).filter(|c| !c.is_empty()),
            pue: number("PUE", &self.pue)?,
            intensity_g_per_kwh: number("grid intensity", &self.intensity)?,
            wue_l_per_kwh: number("WUE", &self.wue)?,
            source: Some(self.source.trim().to_owned()).filter(|s| !s.is_empty()),
        };
        if !overrides.is_empty() && overrides.source.is_none() {
            return Err(
                "Say where the values come from (source), so every result can show it.".into(),
            );
        }
        overrides.check().map_err(|e| e.to_string())?;
        Ok(overrides)
    }
}

/// The calculator form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EstimateForm {
    /// Which calculation.
    pub method: EstimateMethod,
    /// Hours.
    pub hours: String,
    /// GPU model.
    pub gpu: String,
    /// GPUs.
    pub gpus: String,
    /// CPU model.
    pub cpu: String,
    /// Cores.
    pub cores: String,
    /// Usage factor.
    pub usage: String,
    /// Memory, GB.
    pub memory_gb: String,
    /// Average power per chip, W (chip-hours).
    pub power_w: String,
    /// Chips (chip-hours).
    pub chips: String,
    /// Cloud provider (ML CO2 Impact).
    pub provider: String,
    /// Cloud region.
    pub region: String,
    /// PUE override.
    pub pue: String,
    /// Country.
    pub country: String,
    /// Intensity override.
    pub intensity: String,
}

/// Starts on the Green Algorithms worked example (Lannelongue et al. 2021: 12 h on one V100
/// with 64 GB of memory in France), so a user sees the published figure before typing.
impl Default for EstimateForm {
    fn default() -> Self {
        Self {
            method: EstimateMethod::GreenAlgorithms,
            hours: "12".into(),
            gpu: "NVIDIA Tesla V100".into(),
            gpus: "1".into(),
            cpu: String::new(),
            cores: "0".into(),
            usage: "1".into(),
            memory_gb: "64".into(),
            power_w: "300".into(),
            chips: "8".into(),
            provider: "gcp".into(),
            region: "us-central1".into(),
            pue: String::new(),
            country: "FRA".into(),
            intensity: String::new(),
        }
    }
}

/// The calculator's methods.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EstimateMethod {
    /// Green Algorithms.
    GreenAlgorithms,
    /// ML CO2 Impact.
    MlCo2Impact,
    /// Chips × hours × average power × PUE.
    ChipHours,
}

impl EstimateMethod {
    fn label(self) -> &'static str {
        match self {
            Self::GreenAlgorithms => "Green Algorithms",
            Self::MlCo2Impact => "ML CO2 Impact",
            Self::ChipHours => "Chips × hours × power",
        }
    }
}

impl EstimateForm {
    /// The calculator's inputs, or what is wrong with them.
    pub fn request(&self) -> Result<(EstimateArgs, FactorOverrides), String> {
        let number = |field: &str, text: &str| -> Result<f64, String> {
            text.trim()
                .parse::<f64>()
                .ok()
                .filter(|v| v.is_finite() && *v >= 0.0)
                .ok_or_else(|| format!("{field}: {:?} is not a number ≥ 0", text.trim()))
        };
        let count = |field: &str, text: &str| -> Result<u32, String> {
            text.trim()
                .parse::<u32>()
                .map_err(|_| format!("{field}: {:?} is not a whole number", text.trim()))
        };
        let optional = |field: &str, text: &str| -> Result<Option<f64>, String> {
            if text.trim().is_empty() {
                Ok(None)
            } else {
                number(field, text).map(Some)
            }
        };
        let named = |text: &str| Some(text.trim().to_owned()).filter(|t| !t.is_empty());
        let args = EstimateArgs {
            power_w: (self.method == EstimateMethod::ChipHours)
                .then(|| number("power per chip", &self.power_w))
                .transpose()?,
            chips: if self.method == EstimateMethod::ChipHours {
                number("chips", &self.chips)?
            } else {
                1.0
            },
            gpu: named(&self.gpu),
            gpus: count("GPUs", &self.gpus)?,
            cpu: named(&self.cpu),
            cores: count("cores", &self.cores)?,
            usage: number("usage", &self.usage)?,
            memory_gb: number("memory", &self.memory_gb)?,
            hours: number("hours", &self.hours)?,
            method: if self.method == EstimateMethod::MlCo2Impact {
                Method::MlCo2Impact
            } else {
                Method::GreenAlgorithms
            },
            provider: named(&self.provider),
            region: named(&self.region),
            runs: 1.0,
        };
        let overrides = FactorOverrides {
            country: named(&self.country).map(|c| c.to_ascii_uppercase()),
            pue: optional("PUE", &self.pue)?,
            intensity_g_per_kwh: optional("grid intensity", &self.intensity)?,
            wue_l_per_kwh: None,
            source: None,
        };
        overrides.check().map_err(|e| e.to_string())?;
        Ok((args, overrides))
    }
}

/// Which line the factor picker fills.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PickerTarget {
    /// Variant index.
    pub variant: usize,
    /// Line index.
    pub line: usize,
}

/// The Assess tab's view state.
#[derive(Debug)]
pub struct ImpactState {
    /// Part shown.
    pub tab: ImpactTab,
    /// What was read for the record in focus.
    pub desk: Option<Box<ImpactDesk>>,
    /// Requests not yet answered.
    pub pending: usize,
    /// The last outcome in words (`true`: went through).
    pub message: Option<(bool, String)>,
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
}

impl Default for ImpactState {
    fn default() -> Self {
        Self {
            tab: ImpactTab::default(),
            desk: None,
            pending: 0,
            message: None,
            trace_path: String::new(),
            selected_trace: None,
            overrides: OverridesForm::default(),
            estimate: EstimateForm::default(),
            estimate_result: None,
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
        }
    }
}

impl ImpactState {
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

/// Draws the Assess tab.
pub fn impact_ui(
    ui: &mut egui::Ui,
    state: &mut ImpactState,
    focus: Option<RecordId>,
    actions: &mut Vec<Action>,
) {
    let act = |actions: &mut Vec<Action>, a: ImpactAction| actions.push(Action::Impact(a));
    egui::Panel::left("impact_list")
        .resizable(true)
        .default_size(260.0)
        .show(ui, |ui| {
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
                        Ok(id) => act(actions, ImpactAction::Focus(RecordId(id))),
                        Err(_) => {
                            state.message = Some((
                                false,
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
                                        truncate(&r.title, 36),
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
                                (record, format!("{record}  {}", truncate(&desk.title, 36))),
                            );
                        }
                        if items.is_empty() {
                            ui.weak("None yet. Open a record in the Library and press Assess.");
                        }
                        for (record, text) in items {
                            let chosen = focus == Some(record);
                            if ui.selectable_label(chosen, text).clicked() && !chosen {
                                act(actions, ImpactAction::Focus(record));
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
        if state.pending > 0 {
            ui.spinner();
        }
    });
    if let Some((ok, message)) = &state.message {
        let color = if *ok {
            ui.visuals().weak_text_color()
        } else {
            ui.visuals().error_fg_color
        };
        ui.colored_label(color, message);
    }
    ui.separator();
    let needs_record = state.tab != ImpactTab::Estimate;
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
            truncate(&desk.title, 100)
        ));
    }
    match state.tab {
        ImpactTab::Traces => {
            egui::ScrollArea::vertical()
                .id_salt("traces_scroll")
                .show(ui, |ui| traces_ui(ui, state, actions));
        }
        ImpactTab::Estimate => {
            egui::ScrollArea::vertical()
                .id_salt("estimate_scroll")
                .show(ui, |ui| estimate_ui(ui, state, actions));
        }
        ImpactTab::Scenario => scenario_ui(ui, state, actions),
        ImpactTab::Summary => summary_ui(ui, state, actions),
    }
}

fn component_color(component: Component) -> egui::Color32 {
    match component {
        Component::Cpu => egui::Color32::from_rgb(0x42, 0x85, 0xf4),
        Component::Gpu => egui::Color32::from_rgb(0x2e, 0x9d, 0x4a),
        Component::Ram => egui::Color32::from_rgb(0xe0, 0x8a, 0x1e),
        Component::Other => egui::Color32::from_rgb(0x9c, 0x6a, 0xd0),
    }
}

fn traces_ui(ui: &mut egui::Ui, state: &mut ImpactState, actions: &mut Vec<Action>) {
    let act = |actions: &mut Vec<Action>, a: ImpactAction| actions.push(Action::Impact(a));
    ui.horizontal(|ui| {
        if ui
            .button("Attach trace…")
            .on_hover_text("CodeCarbon, CarbonTracker, eco2AI, Zeus, nvidia-smi, PowerJoular, Scaphandre, RAPL, experiment-impact-tracker, AIPowerMeter; the format is found from the content")
            .clicked()
        {
            act(actions, ImpactAction::PickTrace);
        }
        let label = ui.label("or path:");
        let response = ui.add(
            egui::TextEdit::singleline(&mut state.trace_path)
                .hint_text("/path/to/emissions.csv")
                .desired_width(320.0),
        ).labelled_by(label.id);
        let entered = response.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        if (ui.button("Attach").clicked() || entered) && !state.trace_path.trim().is_empty() {
            act(actions, ImpactAction::AttachTyped);
        }
    });
    let Some(desk) = state.desk.as_deref() else {
        return;
    };
    if desk.traces.is_empty() {
        ui.label("No trace attached to this record yet.");
    } else {
        let totals = ecolens_core::report::TraceTotals::of(&desk.traces);
        ui.label(format!(
            "{} run(s), {} h: IT energy {} kWh, {} kWh with PUE, {} kgCO2e{}, {} L on-site water",
            totals.runs,
            num(totals.duration_h),
            num(totals.it_energy_kwh),
            num(totals.energy_kwh),
            num(totals.co2e_kg),
            totals
                .co2e_range_kg
                .map(|(l, h)| format!(" ({}–{} across grid sources)", num(l), num(h)))
                .unwrap_or_default(),
            num(totals.water_l)
        ));
        egui::ScrollArea::vertical()
            .id_salt("trace_table")
            .max_height(200.0)
            .show(ui, |ui| {
                egui::Grid::new("trace_grid")
                    .striped(true)
                    .num_columns(10)
                    .show(ui, |ui| {
                        for h in [
                            "Trace",
                            "Tool",
                            "Run",
                            "Hours",
                            "IT kWh",
                            "PUE",
                            "gCO2e/kWh",
                            "kgCO2e",
                            "Tool's kgCO2e",
                            "",
                        ] {
                            ui.strong(h);
                        }
                        ui.end_row();
                        for t in &desk.traces {
                            let e = &t.footprint.estimate;
                            let chosen = state.selected_trace == Some(t.id);
                            if ui.selectable_label(chosen, t.id.to_string()).clicked() {
                                state.selected_trace = Some(t.id);
                            }
                            ui.label(t.summary.tool());
                            ui.label(truncate(&t.summary.run, 28))
                                .on_hover_text(&t.summary.run);
                            ui.label(num(t.summary.duration_s / 3600.0));
                            ui.label(num(e.it_energy_kwh));
                            ui.label(num(e.pue));
                            ui.label(num(e.intensity_g_per_kwh));
                            ui.label(num(e.co2e_kg));
                            ui.label(t.summary.co2e_kg_tool.map_or_else(|| "–".into(), num));
                            if ui.small_button("Detach").clicked() {
                                act(actions, ImpactAction::Detach(t.id));
                            }
                            ui.end_row();
                        }
                    });
            });
    }
    if let Some(t) = desk
        .traces
        .iter()
        .find(|t| Some(t.id) == state.selected_trace)
    {
        ui.separator();
        trace_detail_ui(ui, t);
    }
    ui.separator();
    overrides_ui(ui, state, actions);
}

fn trace_detail_ui(ui: &mut egui::Ui, t: &TraceView) {
    let s = &t.summary;
    ui.strong(format!(
        "Trace {}: {}{} — {}",
        t.id,
        s.tool(),
        s.tool_version
            .as_deref()
            .map(|v| format!(" {v}"))
            .unwrap_or_default(),
        t.source_file
    ));
    ui.horizontal_wrapped(|ui| {
        for c in &s.components {
            ui.colored_label(
                component_color(c.component),
                format!(
                    "{} {} kWh ({:?})",
                    c.component.label(),
                    num(c.energy_kwh),
                    c.basis
                ),
            );
        }
        ui.label(format!("total as written {} kWh", num(s.energy_kwh)));
    });
    if s.power.iter().any(|l| !l.points.is_empty()) {
        Plot::new(("trace_plot", t.id.0))
            .height(200.0)
            .legend(Legend::default())
            .x_axis_label("seconds since the first sample")
            .y_axis_label("W")
            .allow_scroll(false)
            .show(ui, |plot| {
                for line in &s.power {
                    plot.line(
                        PlotLine::new(
                            line.component.label(),
                            PlotPoints::from(line.points.clone()),
                        )
                        .color(component_color(line.component))
                        .width(1.5),
                    );
                }
            });
    } else {
        ui.weak("This tool writes totals only: no power over time to plot.");
    }
    ui.label(format!(
        "PUE the tool applied: {} ({}) — divided out before the factors below.",
        num(s.pue_applied),
        s.pue_source
    ));
    if let Some(ef) = s.ef_applied_g_per_kwh {
        ui.label(format!(
            "Grid factor the tool applied: {} gCO2e/kWh",
            num(ef)
        ));
    }
    ui.label(format!("Place: {}", t.footprint.place));
    egui::Grid::new(("assumptions", t.id.0))
        .striped(true)
        .show(ui, |ui| {
            for a in &t.footprint.estimate.assumptions {
                ui.label(&a.name);
                ui.label(format!(
                    "{} {}",
                    num(a.value),
                    if a.unit == "1" { "" } else { &a.unit }
                ));
                ui.label(egui::RichText::new(&a.source).small());
                ui.end_row();
            }
        });
    for w in &s.warnings {
        ui.colored_label(ui.visuals().warn_fg_color, format!("⚠ {w}"));
    }
}

fn overrides_ui(ui: &mut egui::Ui, state: &mut ImpactState, actions: &mut Vec<Action>) {
    egui::CollapsingHeader::new("Project factors (override the shipped defaults)")
        .id_salt("overrides")
        .show(ui, |ui| {
            egui::Grid::new("overrides_grid").show(ui, |ui| {
                let form = &mut state.overrides;
                for (label, value, hint) in [
                    ("Project country", &mut form.country, "FRA"),
                    ("Project PUE", &mut form.pue, "1.1"),
                    (
                        "Project grid intensity, gCO2e/kWh",
                        &mut form.intensity,
                        "56",
                    ),
                    ("Project WUE, L/kWh", &mut form.wue, "0.2"),
                    (
                        "Source of these values",
                        &mut form.source,
                        "a report, a provider's statement",
                    ),
                ] {
                    let label = ui.label(label);
                    ui.add(
                        egui::TextEdit::singleline(value)
                            .hint_text(hint)
                            .desired_width(260.0),
                    )
                    .labelled_by(label.id);
                    ui.end_row();
                }
            });
            ui.horizontal(|ui| {
                if ui.button("Save project factors").clicked() {
                    actions.push(Action::Impact(ImpactAction::SaveOverrides(true)));
                }
                if ui.button("Use shipped defaults").clicked() {
                    actions.push(Action::Impact(ImpactAction::SaveOverrides(false)));
                }
            });
        });
}

/// A picker over a shipped hardware table; the empty choice is `none` (what it means, and the
/// unit of the models' power).
fn model_combo(
    ui: &mut egui::Ui,
    id: &str,
    value: &mut String,
    (none, unit): (&str, &str),
    models: &[ecolens_core::factors::Hardware],
) {
    let shown = if value.is_empty() {
        none
    } else {
        value.as_str()
    }
    .to_owned();
    egui::ComboBox::from_id_salt(id)
        .selected_text(shown)
        .height(300.0)
        .show_ui(ui, |ui| {
            ui.selectable_value(value, String::new(), none);
            for h in models {
                ui.selectable_value(
                    value,
                    h.model.clone(),
                    format!("{} ({} {unit})", h.model, num(h.power_w)),
                );
            }
        });
}

fn estimate_ui(ui: &mut egui::Ui, state: &mut ImpactState, actions: &mut Vec<Action>) {
    ui.label("For when nothing was measured: the Green Algorithms and ML CO2 Impact calculations with their own hardware and location tables, or chips × hours × average power × PUE as in published training reports.");
    let form = &mut state.estimate;
    ui.horizontal(|ui| {
        for method in [
            EstimateMethod::GreenAlgorithms,
            EstimateMethod::MlCo2Impact,
            EstimateMethod::ChipHours,
        ] {
            ui.radio_value(&mut form.method, method, method.label());
        }
    });
    let (cpus, ga_gpus, mlco2_gpus) = ecolens_core::factors::library().hardware();
    egui::Grid::new("estimate_grid")
        .num_columns(2)
        .show(ui, |ui| {
            let field = |ui: &mut egui::Ui, label: &str, value: &mut String| {
                let label = ui.label(label);
                ui.add(egui::TextEdit::singleline(value).desired_width(200.0))
                    .labelled_by(label.id);
                ui.end_row();
            };
            field(ui, "Hours", &mut form.hours);
            match form.method {
                EstimateMethod::ChipHours => {
                    field(ui, "Chips", &mut form.chips);
                    field(ui, "Average power per chip, W", &mut form.power_w);
                }
                method => {
                    ui.label("GPU model");
                    let models = if method == EstimateMethod::MlCo2Impact {
                        mlco2_gpus
                    } else {
                        ga_gpus
                    };
                    model_combo(ui, "estimate_gpu", &mut form.gpu, ("none", "W"), models);
                    ui.end_row();
                    field(ui, "GPUs", &mut form.gpus);
                    if method == EstimateMethod::GreenAlgorithms {
                        ui.label("CPU model");
                        model_combo(
                            ui,
                            "estimate_cpu",
                            &mut form.cpu,
                            ("Any (12 W/core)", "W/core"),
                            cpus,
                        );
                        ui.end_row();
                        field(ui, "Cores", &mut form.cores);
                        field(ui, "Usage factor (0–1)", &mut form.usage);
                        field(ui, "Memory, GB", &mut form.memory_gb);
                    } else {
                        field(ui, "Cloud provider", &mut form.provider);
                        field(ui, "Region", &mut form.region);
                    }
                }
            }
            field(ui, "Country (for the grid)", &mut form.country);
            field(ui, "PUE (empty: default)", &mut form.pue);
            field(
                ui,
                "Grid intensity, gCO2e/kWh (empty: the country's)",
                &mut form.intensity,
            );
        });
    if ui.button("Estimate").clicked() {
        actions.push(Action::Impact(ImpactAction::Estimate));
    }
    match &state.estimate_result {
        Some(Ok(e)) => {
            ui.separator();
            ui.heading(format!(
                "{} kWh, {} kgCO2e",
                num(e.energy_kwh),
                num(e.co2e_kg)
            ));
            if ui
                .button("Add to the scenario as a line of M2")
                .on_hover_text("A training line: this energy (PUE included) × the country's electricity factors, the inputs as its source")
                .clicked()
            {
                actions.push(Action::Impact(ImpactAction::EstimateToLine));
            }
            ui.label(format!(
                "IT energy {} kWh × PUE {} = {} kWh; × {} gCO2e/kWh ({})",
                num(e.it_energy_kwh),
                num(e.pue),
                num(e.energy_kwh),
                num(e.intensity_g_per_kwh),
                e.method
            ));
            egui::Grid::new("estimate_assumptions")
                .striped(true)
                .show(ui, |ui| {
                    for a in &e.assumptions {
                        ui.label(&a.name);
                        ui.label(format!(
                            "{} {}",
                            num(a.value),
                            if a.unit == "1" { "" } else { &a.unit }
                        ));
                        ui.label(egui::RichText::new(&a.source).small());
                        ui.end_row();
                    }
                });
        }
        Some(Err(error)) => {
            ui.colored_label(ui.visuals().error_fg_color, error);
        }
        None => {}
    }
}

fn scenario_ui(ui: &mut egui::Ui, state: &mut ImpactState, actions: &mut Vec<Action>) {
    let act = |actions: &mut Vec<Action>, a: ImpactAction| actions.push(Action::Impact(a));
    let stored: Vec<String> = state
        .desk
        .as_ref()
        .map(|d| d.scenarios.iter().map(|(name, _)| name.clone()).collect())
        .unwrap_or_default();
    ui.horizontal(|ui| {
        let current = state.draft.as_ref().map(|d| d.name.clone());
        egui::ComboBox::from_id_salt("scenario_pick")
            .selected_text(current.as_deref().unwrap_or("Open a scenario…"))
            .show_ui(ui, |ui| {
                for name in &stored {
                    if ui.selectable_label(false, name).clicked() {
                        act(actions, ImpactAction::EditScenario(name.clone()));
                    }
                }
                if stored.is_empty() {
                    ui.weak("No scenario stored with this record yet.");
                }
            });
        ui.menu_button("New scenario", |ui| {
            for (i, (file, _)) in ecolens_core::lca::EXAMPLES.iter().enumerate() {
                if ui
                    .button(format!("From example {}", file.trim_end_matches(".toml")))
                    .clicked()
                {
                    act(actions, ImpactAction::NewScenario(Some(i)));
                    ui.close();
                }
            }
            if ui.button("Blank").clicked() {
                act(actions, ImpactAction::NewScenario(None));
                ui.close();
            }
        });
        if state.draft.is_some() {
            if ui.button("Save").clicked() {
                act(actions, ImpactAction::SaveScenario);
            }
            let label = ui.label("Runs");
            ui.add(egui::TextEdit::singleline(&mut state.runs).desired_width(70.0))
                .labelled_by(label.id);
            let label = ui.label("Seed");
            ui.add(egui::TextEdit::singleline(&mut state.seed).desired_width(40.0))
                .labelled_by(label.id);
            if state.running.is_some() {
                ui.spinner();
                ui.label("Monte Carlo running (progress and Cancel in the status bar)");
            } else if ui.button("Evaluate").clicked() {
                act(actions, ImpactAction::Evaluate);
            }
        }
    });
    let traces: Vec<(TraceId, String)> = state
        .desk
        .as_ref()
        .map(|d| {
            d.traces
                .iter()
                .map(|t| {
                    (
                        t.id,
                        format!(
                            "{}: {} {} kWh",
                            t.id,
                            t.summary.tool(),
                            num(t.summary.it_energy_kwh())
                        ),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let Some(draft) = state.draft.as_mut() else {
        ui.label("Open a stored scenario or start a new one. A scenario compares M1 (the reference without AI) with M2 (the AI solution) for one functional unit, line by line over the life cycle.");
        return;
    };
    let check = draft.to_scenario();
    // The visible width: inside the scroll area the content may be wider (the line grids).
    let visible_width = ui.available_width() - ui.spacing().scroll.bar_width - 8.0;
    egui::ScrollArea::both()
        .id_salt("scenario_scroll")
        .show(ui, |ui| {
            match &check {
                Ok(_) => {
                    ui.weak("The scenario is complete; Evaluate runs it.");
                }
                Err(error) => {
                    ui.colored_label(ui.visuals().error_fg_color, format!("To fix: {error}"));
                }
            }
            egui::Grid::new("scenario_head")
                .num_columns(2)
                .show(ui, |ui| {
                    for (label, value) in [
                        ("Scenario name", &mut draft.name),
                        ("Functional unit", &mut draft.functional_unit),
                        ("Criteria", &mut draft.criteria),
                        ("Year", &mut draft.year),
                        ("Why this reference", &mut draft.baseline_justification),
                        ("Boundary", &mut draft.boundary),
                    ] {
                        let label = ui.label(label);
                        ui.add(egui::TextEdit::singleline(value).desired_width(520.0))
                            .labelled_by(label.id);
                        ui.end_row();
                    }
                });
            parameters_ui(ui, draft);
            for v in 0..draft.variants.len() {
                variants_ui(ui, draft, v, &traces, &mut state.picker);
            }
            egui::CollapsingHeader::new("TOML")
                .id_salt("scenario_toml")
                .show(ui, |ui| {
                    if let Ok(scenario) = &check
                        && ui.button("Show the form as TOML").clicked()
                    {
                        state.toml = scenario.to_toml().unwrap_or_default();
                    }
                    ui.add(
                        egui::TextEdit::multiline(&mut state.toml)
                            .code_editor()
                            .desired_rows(12)
                            .desired_width(f32::INFINITY),
                    );
                    if ui.button("Use this TOML").clicked() {
                        actions.push(Action::Impact(ImpactAction::UseToml));
                    }
                });
            if let Some(result) = &state.result {
                ui.separator();
                results_ui(ui, result, &mut state.criterion, visible_width);
            }
        });
    factor_picker_ui(ui.ctx(), state);
}

/// A text field of a form grid, at its width whatever the column did last frame.
fn cell(ui: &mut egui::Ui, value: &mut String, width: f32, hint: &str) {
    ui.add_sized(
        [width, ui.spacing().interact_size.y],
        egui::TextEdit::singleline(value).hint_text(hint),
    )
    .on_hover_text(value.as_str());
}

fn parameters_ui(ui: &mut egui::Ui, draft: &mut ScenarioDraft) {
    egui::CollapsingHeader::new(format!("Parameters ({})", draft.parameters.len()))
        .id_salt("scenario_parameters")
        .default_open(true)
        .show(ui, |ui| {
            let mut remove = None;
            egui::Grid::new("parameters_grid").striped(true).show(ui, |ui| {
                for h in ["Name", "Value or distribution", "Unit", "Source", ""] {
                    ui.strong(h);
                }
                ui.end_row();
                for (i, p) in draft.parameters.iter_mut().enumerate() {
                    cell(ui, &mut p.name, 110.0, "name");
                    cell(ui, &mut p.value, 190.0, "triangular(1, 3, 8)");
                    cell(ui, &mut p.unit, 80.0, "unit");
                    cell(ui, &mut p.source, 300.0, "where the value comes from");
                    if ui.small_button("✕").on_hover_text("Remove the parameter").clicked() {
                        remove = Some(i);
                    }
                    ui.end_row();
                }
            });
            if let Some(i) = remove {
                draft.parameters.remove(i);
            }
            if ui.button("+ Parameter").clicked() {
                draft.parameters.push(ParamDraft {
                    name: format!("p{}", draft.parameters.len() + 1),
                    value: "1".into(),
                    ..ParamDraft::default()
                });
            }
            ui.weak("Distributions: fixed number, uniform(min, max), triangular(min, mode, max), normal(mean, sd), lognormal(median, sigma). Lines use a parameter as $name or 1/$name.");
        });
}

fn variants_ui(
    ui: &mut egui::Ui,
    draft: &mut ScenarioDraft,
    v: usize,
    traces: &[(TraceId, String)],
    picker: &mut Option<PickerTarget>,
) {
    let variant = &mut draft.variants[v];
    egui::CollapsingHeader::new(format!(
        "{} — {} ({} lines)",
        variant.id,
        variant.name,
        variant.lines.len()
    ))
    .id_salt(("variant", v))
    .default_open(true)
    .show(ui, |ui| {
        ui.horizontal(|ui| {
            ui.label("Name");
            ui.add(egui::TextEdit::singleline(&mut variant.name).desired_width(320.0));
        });
        let mut remove = None;
        egui::Grid::new(("lines", v)).striped(true).show(ui, |ui| {
            for h in [
                "Phase",
                "Line",
                "Amount",
                "Unit",
                "Electricity of",
                "Trace",
                "",
                "Factors",
                "",
            ] {
                ui.strong(h);
            }
            ui.end_row();
            for (l, line) in variant.lines.iter_mut().enumerate() {
                egui::ComboBox::from_id_salt(("phase", v, l))
                    .selected_text(line.phase.name())
                    .show_ui(ui, |ui| {
                        for phase in LifeCyclePhase::ALL {
                            ui.selectable_value(&mut line.phase, *phase, phase.name());
                        }
                    });
                cell(ui, &mut line.name, 130.0, "line");
                cell(ui, &mut line.amount, 150.0, "$n × 0.61");
                cell(ui, &mut line.unit, 50.0, "unit");
                cell(ui, &mut line.electricity, 45.0, "FRA");
                egui::ComboBox::from_id_salt(("trace", v, l))
                    .selected_text(if line.trace.is_empty() {
                        "none".to_owned()
                    } else {
                        line.trace.clone()
                    })
                    .show_ui(ui, |ui| {
                        ui.selectable_value(&mut line.trace, String::new(), "none");
                        for (id, label) in traces {
                            ui.selectable_value(&mut line.trace, id.to_string(), label);
                        }
                    });
                if ui
                    .small_button("Factors…")
                    .on_hover_text("Pick a shipped factor, with its source and year")
                    .clicked()
                {
                    *picker = Some(PickerTarget {
                        variant: v,
                        line: l,
                    });
                }
                cell(ui, &mut line.factors, 200.0, "gwp = 0.05; adpe = 1e-8");
                if ui
                    .small_button("✕")
                    .on_hover_text("Remove the line")
                    .clicked()
                {
                    remove = Some(l);
                }
                ui.end_row();
            }
        });
        if let Some(l) = remove {
            variant.lines.remove(l);
        }
        if ui.button(format!("+ Line in {}", variant.id)).clicked() {
            variant.lines.push(LineDraft {
                name: format!("line {}", variant.lines.len() + 1),
                ..LineDraft::default()
            });
        }
    });
}

/// Sets `criterion = value` in a line's factors text (replacing that criterion's factor).
fn set_factor(factors: &mut String, criterion: &str, value: &str) {
    let mut parts: Vec<String> = factors
        .split(';')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .filter(|p| p.split('=').next().map(str::trim) != Some(criterion))
        .map(str::to_owned)
        .collect();
    parts.push(format!("{criterion} = {value}"));
    *factors = parts.join("; ");
}

fn factor_picker_ui(ctx: &egui::Context, state: &mut ImpactState) {
    let Some(target) = state.picker else {
        return;
    };
    let mut open = true;
    let mut done = false;
    let mut chosen: Option<(String, String)> = None;
    let mut electricity: Option<String> = None;
    egui::Window::new("Factor picker")
        .open(&mut open)
        .default_width(720.0)
        .max_width(ctx.content_rect().width() - 40.0)
        .vscroll(true)
        .show(ctx, |ui| {
            let Some(line) = state
                .draft
                .as_ref()
                .and_then(|d| d.variants.get(target.variant))
                .and_then(|v| v.lines.get(target.line))
            else {
                return;
            };
            ui.horizontal(|ui| {
                ui.label(format!(
                    "For the line “{}”. Each value shows where it comes from.",
                    line.name
                ));
                if ui.button("Done").clicked() {
                    done = true;
                }
            });
            ui.horizontal(|ui| {
                let label = ui.label("Criterion");
                ui.add(egui::TextEdit::singleline(&mut state.picker_criterion).desired_width(60.0))
                    .labelled_by(label.id);
                let label = ui.label("Country");
                ui.add(egui::TextEdit::singleline(&mut state.picker_country).desired_width(50.0))
                    .labelled_by(label.id);
            });
            let lib = ecolens_core::factors::library();
            let country = state.picker_country.trim().to_ascii_uppercase();
            ui.strong("Electricity (per kWh)");
            match lib.electricity(&country, None) {
                Some(e) => {
                    ui.label(format!(
                        "{} {}: {}",
                        e.country_iso3,
                        e.year,
                        e.per_kwh
                            .iter()
                            .map(|(c, v)| format!("{c} {}", num(*v)))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ));
                    ui.label(egui::RichText::new(e.provenance.describe()).small());
                    if ui
                        .button(format!("Use the electricity of {}", e.country_iso3))
                        .clicked()
                    {
                        electricity = Some(e.country_iso3.clone());
                    }
                }
                None => {
                    ui.weak(format!(
                        "No electricity factors for {country:?}; type an ISO 3166 code."
                    ));
                }
            }
            if let Some(grid) = lib.grid_intensity(&country, None) {
                ui.strong("Grid carbon intensity (gwp, kgCO2e per kWh)");
                egui::Grid::new("picker_grid").striped(true).show(ui, |ui| {
                    for f in &grid.sources {
                        if ui.small_button("Use").clicked() {
                            chosen = Some(("gwp".into(), num(f.value.central() / 1000.0)));
                        }
                        ui.label(format!("{} gCO2e/kWh", num(f.value.central())));
                        ui.label(egui::RichText::new(f.provenance.describe()).small());
                        ui.end_row();
                    }
                    let d = grid.as_distribution();
                    if ui.small_button("Use").clicked() {
                        let kg = match d {
                            Distribution::Triangular { min, mode, max } => format!(
                                "triangular({}, {}, {})",
                                min / 1000.0,
                                mode / 1000.0,
                                max / 1000.0
                            ),
                            other => num(other.central() / 1000.0),
                        };
                        chosen = Some(("gwp".into(), kg));
                    }
                    ui.label(format!("range: {d}"));
                    ui.label(
                        egui::RichText::new("triangular across the sources above (g/kWh ÷ 1000)")
                            .small(),
                    );
                    ui.end_row();
                });
            }
            ui.strong("Shipped defaults");
            egui::ScrollArea::vertical()
                .id_salt("picker_defaults")
                .max_height(260.0)
                .show(ui, |ui| {
                    egui::Grid::new("picker_defaults_grid")
                        .striped(true)
                        .show(ui, |ui| {
                            let mut factors: Vec<ecolens_core::factors::Factor> =
                                lib.defaults().to_vec();
                            if let Some(server) = lib.server_manufacturing() {
                                factors.push(server);
                            }
                            for f in &factors {
                                if ui.small_button("Use").clicked() {
                                    chosen = Some((
                                        state.picker_criterion.trim().to_ascii_lowercase(),
                                        f.value.to_string(),
                                    ));
                                }
                                ui.label(&f.name);
                                ui.label(format!("{} {}", f.value, f.unit));
                                ui.label(
                                    egui::RichText::new(format!(
                                        "{}{}",
                                        f.provenance.describe(),
                                        if f.provenance.year.is_none() {
                                            " — year not stated"
                                        } else {
                                            ""
                                        }
                                    ))
                                    .small(),
                                );
                                ui.end_row();
                            }
                        });
                });
        });
    let line = state
        .draft
        .as_mut()
        .and_then(|d| d.variants.get_mut(target.variant))
        .and_then(|v| v.lines.get_mut(target.line));
    if let Some(line) = line {
        if let Some((criterion, value)) = chosen {
            set_factor(&mut line.factors, &criterion, &value);
        }
        if let Some(country) = electricity {
            line.electricity = country;
        }
    }
    if !open || done {
        state.picker = None;
    }
}

const GREEN: egui::Color32 = egui::Color32::from_rgb(0x2e, 0x9d, 0x4a);
const RED: egui::Color32 = egui::Color32::from_rgb(0xd0, 0x3b, 0x3b);
const AMBER: egui::Color32 = egui::Color32::from_rgb(0xe0, 0xa0, 0x1e);

/// Labels integer x (or y) positions with `names`, leaves the others blank.
fn label_of(names: &[String], value: f64) -> String {
    let rounded = value.round();
    if (value - rounded).abs() > 1e-6 || rounded < 0.0 {
        return String::new();
    }
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    names.get(rounded as usize).cloned().unwrap_or_default()
}

fn results_ui(ui: &mut egui::Ui, result: &LcaOutcome, criterion: &mut usize, width: f32) {
    let e = &result.evaluation;
    let mc = &result.monte_carlo;
    ui.heading("Result");
    ui.label(format!(
        "{} — functional unit: {}. Monte Carlo: {} paired runs, seed {}, {} uncertain inputs.",
        e.name, e.functional_unit, mc.runs, mc.seed, mc.uncertain_inputs
    ));
    egui::Grid::new("result_grid").striped(true).show(ui, |ui| {
        for h in CRITERION_HEADERS {
            ui.strong(h);
        }
        ui.end_row();
        for (c, m) in e.criteria.iter().zip(&mc.criteria) {
            for cell in criterion_cells(c, m) {
                ui.label(cell);
            }
            ui.end_row();
        }
    });
    let sentence = burden_shift_sentence(e, mc);
    if e.burden_shift.across_criteria() {
        ui.colored_label(AMBER, sentence);
    } else {
        ui.label(sentence);
    }
    for w in &e.warnings {
        ui.colored_label(ui.visuals().warn_fg_color, format!("⚠ {w}"));
    }
    let names: Vec<String> = e.criteria.iter().map(|c| c.code.clone()).collect();
    let median_color = ui.visuals().strong_text_color();
    two_columns(ui, width, |columns| {
        columns[0].strong("Δ(M2|M1), % of M1: median and 5–95 % interval");
        Plot::new("delta_plot")
            .height(200.0)
            .allow_scroll(false)
            .x_axis_formatter({
                let names = names.clone();
                move |mark, _| label_of(&names, mark.value)
            })
            .y_axis_label("% of M1")
            .show(&mut columns[0], |plot| {
                plot.hline(HLine::new("no change", 0.0).color(egui::Color32::GRAY));
                for (i, (c, m)) in e.criteria.iter().zip(&mc.criteria).enumerate() {
                    if c.m1 == 0.0 {
                        continue;
                    }
                    let base = c.m1.abs() / 100.0;
                    #[allow(clippy::cast_precision_loss)]
                    let x = i as f64;
                    let color = if m.delta.p95 < 0.0 {
                        GREEN
                    } else if m.delta.p5 > 0.0 {
                        RED
                    } else {
                        AMBER
                    };
                    plot.line(
                        PlotLine::new(
                            format!("{} 5–95 %", c.code),
                            PlotPoints::from(vec![[x, m.delta.p5 / base], [x, m.delta.p95 / base]]),
                        )
                        .color(color)
                        .width(8.0),
                    );
                    plot.points(
                        Points::new(
                            format!("{} median", c.code),
                            PlotPoints::from(vec![[x, m.delta.median / base]]),
                        )
                        .radius(5.0)
                        .color(median_color),
                    );
                }
            });
        columns[1].strong("P(M2 better than M1), % of runs");
        Plot::new("p_better_plot")
            .height(200.0)
            .allow_scroll(false)
            .include_y(0.0)
            .include_y(100.0)
            .x_axis_formatter({
                let names = names.clone();
                move |mark, _| label_of(&names, mark.value)
            })
            .show(&mut columns[1], |plot| {
                let bars = mc
                    .criteria
                    .iter()
                    .enumerate()
                    .map(|(i, m)| {
                        #[allow(clippy::cast_precision_loss)]
                        let x = i as f64;
                        Bar::new(x, 100.0 * m.p_m2_better)
                            .name(&m.code)
                            .fill(if m.p_m2_better >= 0.5 { GREEN } else { RED })
                    })
                    .collect();
                plot.bar_chart(BarChart::new("P(M2 better)", bars).width(0.6));
            });
    });
    ui.horizontal(|ui| {
        ui.label("Criterion for the contribution and tornado plots:");
        egui::ComboBox::from_id_salt("result_criterion")
            .selected_text(names.get(*criterion).cloned().unwrap_or_default())
            .show_ui(ui, |ui| {
                for (i, name) in names.iter().enumerate() {
                    ui.selectable_value(criterion, i, name);
                }
            });
    });
    let c = (*criterion).min(names.len().saturating_sub(1));
    two_columns(ui, width, |columns| {
        columns[0].strong(format!(
            "Contribution by phase to {}, % of M1's total",
            names.get(c).cloned().unwrap_or_default()
        ));
        let shares = e.contribution(c);
        let mut phases: Vec<LifeCyclePhase> = shares.iter().map(|(_, p, _)| *p).collect();
        phases.sort();
        phases.dedup();
        Plot::new("contribution_plot")
            .height(220.0)
            .allow_scroll(false)
            .legend(Legend::default())
            .x_axis_formatter(|mark, _| label_of(&["M1".into(), "M2".into()], mark.value))
            .show(&mut columns[0], |plot| {
                let mut charts: Vec<BarChart> = Vec::new();
                for phase in &phases {
                    let bars = (0..2)
                        .map(|v| {
                            let pct = shares
                                .iter()
                                .find(|(variant, p, _)| *variant == v && p == phase)
                                .map_or(0.0, |(_, _, pct)| *pct);
                            #[allow(clippy::cast_precision_loss)]
                            Bar::new(v as f64, pct)
                        })
                        .collect();
                    let below: Vec<&BarChart> = charts.iter().collect();
                    let chart = BarChart::new(phase.name(), bars)
                        .width(0.6)
                        .stack_on(&below);
                    charts.push(chart);
                }
                for chart in charts {
                    plot.bar_chart(chart);
                }
            });
        let bars = result.tornado.get(c).cloned().unwrap_or_default();
        let shown: Vec<_> = bars.into_iter().take(10).collect();
        columns[1].strong(format!(
            "Tornado: Δ {} with each input at its 5 % and 95 % values",
            names.get(c).cloned().unwrap_or_default()
        ));
        let central = e.criteria.get(c).map_or(0.0, |r| r.delta);
        tornado_ui(&mut columns[1], &shown, c, central);
    });
}

/// One row per input, largest swing first: the bar spans Δ with the input at its 5 % and
/// 95 % values (red where the 95 % value makes M2 worse), the grey line is the central Δ.
fn tornado_ui(ui: &mut egui::Ui, bars: &[ecolens_core::lca::TornadoBar], c: usize, central: f64) {
    if bars.is_empty() {
        ui.weak("No uncertain input: nothing to rank.");
        return;
    }
    let ends = |b: &ecolens_core::lca::TornadoBar| {
        (
            b.delta_at_low.get(c).copied().unwrap_or(central),
            b.delta_at_high.get(c).copied().unwrap_or(central),
        )
    };
    let (min, max) = bars.iter().fold((central, central), |(lo, hi), b| {
        let (a, z) = ends(b);
        (lo.min(a).min(z), hi.max(a).max(z))
    });
    let span = (max - min).max(f64::MIN_POSITIVE);
    let label_width = 190.0;
    for b in bars {
        let (low, high) = ends(b);
        ui.horizontal(|ui| {
            ui.add_sized(
                [label_width, 16.0],
                egui::Label::new(egui::RichText::new(truncate(&b.input, 30)).small()).truncate(),
            );
            let width = (ui.available_width() - 8.0).max(60.0);
            let (rect, response) =
                ui.allocate_exact_size(egui::vec2(width, 14.0), egui::Sense::hover());
            #[allow(clippy::cast_possible_truncation)]
            let x = |v: f64| rect.left() + ((v - min) / span) as f32 * rect.width();
            let bar = egui::Rect::from_x_y_ranges(
                x(low.min(high))..=x(low.max(high)).max(x(low.min(high)) + 1.0),
                rect.y_range(),
            );
            let painter = ui.painter();
            painter.rect_filled(bar, 2.0, if high >= low { RED } else { GREEN });
            painter.vline(
                x(central),
                rect.y_range(),
                egui::Stroke::new(1.0, egui::Color32::GRAY),
            );
            response.on_hover_text(format!(
                "{} ({}): Δ {} at its 5 % value ({}), {} at its 95 % value ({})",
                b.input,
                b.distribution,
                num(low),
                num(b.low),
                num(high),
                num(b.high)
            ));
        });
    }
    ui.horizontal(|ui| {
        ui.add_space(label_width);
        ui.weak(format!(
            "Δ from {} to {}; grey: central Δ {}",
            num(min),
            num(max),
            num(central)
        ));
    });
}

/// Two columns of equal width sharing `width` (the visible width: a scroll area's content may
/// be wider than what is shown).
fn two_columns(ui: &mut egui::Ui, width: f32, add: impl FnOnce(&mut [egui::Ui])) {
    let gap = ui.spacing().item_spacing.x * 2.0;
    let column = ((width - gap) / 2.0).max(200.0);
    let top_left = ui.cursor().min;
    let height = ui.available_height();
    let mut columns: Vec<egui::Ui> = (0..2_u8)
        .map(|i| {
            let x = top_left.x + f32::from(i) * (column + gap);
            let rect =
                egui::Rect::from_min_size(egui::pos2(x, top_left.y), egui::vec2(column, height));
            ui.new_child(
                egui::UiBuilder::new()
                    .max_rect(rect)
                    .layout(egui::Layout::top_down(egui::Align::Min)),
            )
        })
        .collect();
    add(&mut columns);
    let used = columns
        .iter()
        .map(|c| c.min_rect().height())
        .fold(0.0, f32::max);
    ui.advance_cursor_after_rect(egui::Rect::from_min_size(
        top_left,
        egui::vec2(2.0 * column + gap, used),
    ));
}

fn summary_ui(ui: &mut egui::Ui, state: &mut ImpactState, actions: &mut Vec<Action>) {
    let act = |actions: &mut Vec<Action>, a: ImpactAction| actions.push(Action::Impact(a));
    ui.horizontal(|ui| {
        ui.label("Report");
        egui::ComboBox::from_id_salt("report_format")
            .selected_text(format_label(state.report_format))
            .show_ui(ui, |ui| {
                for f in [
                    ReportFormat::Html,
                    ReportFormat::Md,
                    ReportFormat::StatementMd,
                    ReportFormat::StatementTex,
                ] {
                    ui.selectable_value(&mut state.report_format, f, format_label(f));
                }
            });
        let label = ui.label("to");
        ui.add(
            egui::TextEdit::singleline(&mut state.report_path)
                .hint_text("report.html")
                .desired_width(260.0),
        )
        .labelled_by(label.id);
        if ui.button("Browse…").clicked() {
            act(actions, ImpactAction::PickReport);
        }
        if ui.button("Write this record's report").clicked() {
            act(actions, ImpactAction::ExportReport { all: false });
        }
        if ui.button("Write the project's report").clicked() {
            act(actions, ImpactAction::ExportReport { all: true });
        }
        if state.last_report.is_some() && ui.button("Open in browser").clicked() {
            act(actions, ImpactAction::OpenReport);
        }
    });
    ui.separator();
    let Some(desk) = state.desk.as_deref() else {
        return;
    };
    match &desk.summary {
        Ok(report) => summary_body(ui, report),
        Err(why) => {
            ui.label(why);
        }
    }
}

fn format_label(format: ReportFormat) -> &'static str {
    match format {
        ReportFormat::Html => "HTML page",
        ReportFormat::Md => "Markdown",
        ReportFormat::StatementMd => "Emissions statement (Markdown)",
        ReportFormat::StatementTex => "Emissions statement (LaTeX)",
    }
}

fn summary_body(ui: &mut egui::Ui, report: &RecordReport) {
    egui::ScrollArea::vertical()
        .id_salt("summary_scroll")
        .show(ui, |ui| {
            ui.label(&report.citation);
            if report.hidden > 0 {
                ui.colored_label(
                    ui.visuals().warn_fg_color,
                    format!(
                        "Blind mode: {} judgement(s) of other reviewers hidden.",
                        report.hidden
                    ),
                );
            }
            ui.strong("Environmental evaluation (a–f)");
            ui.label(report.category.sentence());
            for c in &report.category.reviewers {
                ui.label(format!(
                    "  {}: {}{}",
                    c.reviewer,
                    c.category.code(),
                    c.rationale
                        .as_deref()
                        .map(|r| format!(" — {r}"))
                        .unwrap_or_default()
                ));
            }
            ui.strong(format!(
                "Rebound and ICT-effect risks ({})",
                report.risks.len()
            ));
            for r in &report.risks {
                ui.label(format!(
                    "  {} {}{} — {} ({})",
                    r.risk.effect.code(),
                    r.risk.effect.name(),
                    r.risk
                        .direction
                        .map(|d| format!(", {}", d.name()))
                        .unwrap_or_default(),
                    r.risk.mechanism,
                    r.reviewer
                ));
            }
            ui.strong("Measured energy");
            if report.traces.is_empty() {
                ui.label("  No trace attached.");
            } else {
                let t = report.trace_totals();
                ui.label(format!(
                    "  {} run(s): {} kWh IT, {} kWh with PUE, {} kgCO2e",
                    t.runs,
                    num(t.it_energy_kwh),
                    num(t.energy_kwh),
                    num(t.co2e_kg)
                ));
                if let Some(statement) =
                    ecolens_core::report::EmissionsStatement::of(&report.traces)
                {
                    ui.label(egui::RichText::new(statement.plain()).italics());
                }
            }
            ui.strong("Life-cycle comparison");
            if report.scenarios.is_empty() {
                ui.label("  No scenario.");
            }
            for s in &report.scenarios {
                let mut line = format!("  {}: ", s.name);
                match (&s.evaluation, &s.monte_carlo) {
                    (Some(e), Some(mc)) => {
                        for (c, m) in e.criteria.iter().zip(&mc.criteria) {
                            let _ = write!(
                                line,
                                "{} Δ {} [{}, {}] {}, P(M2 better) {:.0} %; ",
                                c.code,
                                num(m.delta.median),
                                num(m.delta.p5),
                                num(m.delta.p95),
                                c.unit,
                                100.0 * m.p_m2_better
                            );
                        }
                        if e.burden_shift.across_criteria() {
                            line.push_str("BURDEN SHIFT");
                        }
                    }
                    _ => line.push_str(s.error.as_deref().unwrap_or("no result")),
                }
                ui.label(line);
            }
        });
}

impl super::Workbench {
    /// Asks the Assess thread for the record in focus.
    pub(super) fn load_impact(&mut self) {
        self.send_impact(super::impact_worker::ImpactCommand::Load {
            record: self.review.assess.focus,
            viewer: self.settings.reviewer.clone(),
        });
    }

    fn send_impact(&mut self, command: super::impact_worker::ImpactCommand) {
        self.impact.pending += 1;
        self.workers.impact(command);
    }

    /// Carries out what the Assess tab asked for.
    pub(super) fn apply_impact(&mut self, action: ImpactAction) {
        use super::impact_worker::ImpactCommand;
        let viewer = self.settings.reviewer.clone();
        let focus = self.review.assess.focus;
        let state = &mut self.impact;
        match action {
            ImpactAction::Focus(record) => {
                self.review.assess.focus = Some(record);
                self.impact.result = None;
                self.load_impact();
            }
            ImpactAction::AttachTyped => {
                let path = PathBuf::from(state.trace_path.trim());
                if let Some(record) = focus {
                    self.send_impact(ImpactCommand::Attach {
                        record,
                        path,
                        viewer,
                    });
                }
            }
            ImpactAction::PickTrace => {
                self.apply(Action::Pick(super::worker::PickPurpose::TraceFile));
            }
            ImpactAction::Detach(trace) => {
                if let Some(record) = focus {
                    self.send_impact(ImpactCommand::Detach {
                        record,
                        trace,
                        viewer,
                    });
                }
            }
            ImpactAction::SaveOverrides(keep) => {
                let overrides = if keep {
                    state.overrides.to_overrides()
                } else {
                    Ok(FactorOverrides::default())
                };
                match overrides {
                    Ok(overrides) => self.send_impact(ImpactCommand::SetOverrides {
                        record: focus,
                        overrides,
                        viewer,
                    }),
                    Err(error) => state.message = Some((false, error)),
                }
            }
            ImpactAction::Estimate => match state.estimate.request() {
                Ok(request) => self.send_impact(ImpactCommand::Estimate(Box::new(request))),
                Err(error) => state.estimate_result = Some(Err(error)),
            },
            ImpactAction::EstimateToLine => {
                let Some(Ok(estimate)) = &state.estimate_result else {
                    return;
                };
                let country = state.estimate.country.trim().to_ascii_uppercase();
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
                match state.draft.as_mut().and_then(|d| d.variants.get_mut(1)) {
                    Some(m2) => {
                        m2.lines.push(line);
                        state.message = Some((
                            true,
                            format!(
                                "Added the estimate ({} kWh) to M2 as a training line{}; change its phase in the Scenario tab.",
                                num(estimate.energy_kwh),
                                if country.is_empty() {
                                    String::new()
                                } else {
                                    format!(" with the electricity of {country}")
                                }
                            ),
                        ));
                    }
                    None => {
                        state.message = Some((
                            false,
                            "Open or start a scenario in the Scenario tab first.".into(),
                        ));
                    }
                }
            }
            ImpactAction::NewScenario(example) => {
                let scenario = example
                    .and_then(|i| ecolens_core::lca::EXAMPLES.get(i))
                    .map(|(_, text)| Scenario::from_toml(text));
                match scenario {
                    Some(Ok(scenario)) => state.edit(&scenario),
                    Some(Err(error)) => state.message = Some((false, error.to_string())),
                    None => {
                        state.draft = Some(ScenarioDraft::blank());
                        state.toml.clear();
                        state.result = None;
                    }
                }
            }
            ImpactAction::EditScenario(name) => {
                let toml = state
                    .desk
                    .as_ref()
                    .and_then(|d| d.scenarios.iter().find(|(n, _)| *n == name))
                    .map(|(_, toml)| toml.clone());
                match toml.map(|t| Scenario::from_toml(&t)) {
                    Some(Ok(scenario)) => state.edit(&scenario),
                    Some(Err(error)) => {
                        state.message =
                            Some((false, format!("The stored scenario has a mistake: {error}")));
                    }
                    None => {}
                }
            }
            ImpactAction::UseToml => match Scenario::from_toml(&state.toml) {
                Ok(scenario) => {
                    state.draft = Some(ScenarioDraft::of(&scenario));
                    state.result = None;
                    state.message = Some((true, "The form now holds the TOML.".into()));
                }
                Err(error) => state.message = Some((false, format!("TOML: {error}"))),
            },
            ImpactAction::SaveScenario => {
                let checked = state
                    .draft
                    .as_ref()
                    .map(ScenarioDraft::to_scenario)
                    .transpose()
                    .and_then(|s| {
                        s.map(|s| s.to_toml().map_err(|e| e.to_string()))
                            .transpose()
                    });
                match (checked, focus) {
                    (Ok(Some(toml)), Some(record)) => {
                        state.toml.clone_from(&toml);
                        self.send_impact(ImpactCommand::SaveScenario {
                            record,
                            toml,
                            viewer,
                        });
                    }
                    (Err(error), _) => state.message = Some((false, format!("Not saved: {error}"))),
                    _ => {}
                }
            }
            ImpactAction::Evaluate => self.start_monte_carlo(),
            ImpactAction::ExportReport { all } => {
                let path = PathBuf::from(state.report_path.trim());
                if state.report_path.trim().is_empty() {
                    state.message = Some((false, "Type where the report goes, or Browse….".into()));
                    return;
                }
                let format = state.report_format;
                self.send_impact(ImpactCommand::Report {
                    record: if all { None } else { focus },
                    format,
                    path,
                    viewer,
                });
            }
            ImpactAction::PickReport => {
                self.apply(Action::Pick(super::worker::PickPurpose::ReportOut));
            }
            ImpactAction::OpenReport => {
                if let Some(path) = state.last_report.clone() {
                    self.apply(Action::OpenFile(path));
                }
            }
        }
    }

    fn start_monte_carlo(&mut self) {
        let state = &mut self.impact;
        if state.running.is_some() {
            return;
        }
        let scenario = match state.draft.as_ref().map(ScenarioDraft::to_scenario) {
            Some(Ok(s)) => s,
            Some(Err(error)) => {
                state.message = Some((false, format!("Not evaluated: {error}")));
                return;
            }
            None => return,
        };
        let runs = match state.runs.trim().parse::<usize>() {
            Ok(r) if (100..=10_000_000).contains(&r) => r,
            _ => {
                state.message =
                    Some((false, "Runs: a whole number from 100 to 10,000,000.".into()));
                return;
            }
        };
        let Ok(seed) = state.seed.trim().parse::<u64>() else {
            state.message = Some((false, "Seed: a whole number.".into()));
            return;
        };
        let toml = match scenario.to_toml() {
            Ok(t) => t,
            Err(error) => {
                state.message = Some((false, error.to_string()));
                return;
            }
        };
        let (job, cancel) = self.new_job(
            format!("Monte Carlo of {}", scenario.name),
            super::JobKind::MonteCarlo,
        );
        self.impact.running = Some(job);
        self.impact.result = None;
        let path = self.workers.path.clone();
        super::worker::spawn_job("montecarlo", job, self.workers.outbox(), move |outbox| {
            super::impact_worker::run_lca(&path, &toml, runs, seed, (job, &cancel), outbox)
        });
    }

    /// Folds an answer of the Assess thread into the view.
    pub(super) fn impact_event(&mut self, event: super::impact_worker::ImpactEvent) {
        use super::impact_worker::ImpactEvent;
        let state = &mut self.impact;
        state.pending = state.pending.saturating_sub(1);
        match event {
            ImpactEvent::Desk(desk, message) => {
                if message.is_some() {
                    state.message = message;
                }
                if desk.record.is_none() {
                    // The record asked for could not be read: nothing is in focus.
                    self.review.assess.focus = None;
                }
                self.impact.take_desk(desk);
            }
            ImpactEvent::Estimated(result) => state.estimate_result = Some(result),
            ImpactEvent::Report(Ok(path)) => {
                state.message = Some((true, format!("Wrote {}.", path.display())));
                state.last_report = Some(path);
            }
            ImpactEvent::Report(Err(error)) | ImpactEvent::Failed(error) => {
                state.message = Some((false, error));
            }
        }
    }
}
