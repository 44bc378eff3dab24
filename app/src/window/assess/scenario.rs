//! The Assess tab's Scenario part: the LCA scenario editor (name, functional unit,
//! criteria, parameters with distributions, M1/M2 lines by phase with their factors), checked
//! as it is drawn, its TOML view, and evaluation by a Monte Carlo job.

use std::collections::BTreeMap;

use ecolens_core::lca::{Line, Parameter, Product, Rebound, Scenario, Variant};
use ecolens_core::report::quantity;
use ecolens_core::uncertain::Distribution;
use ecolens_core::{RecordId, TraceId};
use ecolens_taxonomy::Term as _;
use ecolens_taxonomy::lca::LifeCyclePhase;
use eframe::egui;

use super::super::Action as WindowAction;
use super::picker::{PickerTarget, factor_picker_ui};
use super::plots::results_ui;
use super::{Action, State};
use crate::service::assess::DirectRisk;

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

/// The rebound section as typed; all empty means none.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ReboundDraft {
    /// The names of M2's lines that are the saving.
    pub saving_lines: Vec<String>,
    /// The direct rebound fraction (a number, distribution or product).
    pub direct: String,
    /// Its source.
    pub direct_source: String,
    /// Money saved per functional unit.
    pub money_saved: String,
    /// Its currency.
    pub currency: String,
    /// Re-spending intensities, `criterion = value; …`.
    pub respending: String,
    /// Their source and year.
    pub indirect_source: String,
    /// The register's risk the direct fraction came from (kept as loaded or fed).
    pub risk: Option<String>,
}

impl ReboundDraft {
    fn of(rebound: Option<&Rebound>) -> Self {
        let Some(r) = rebound else {
            return Self::default();
        };
        Self {
            saving_lines: r.saving_lines.clone(),
            direct: r
                .direct
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default(),
            direct_source: r.direct_source.clone(),
            money_saved: r
                .money_saved
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default(),
            currency: r.currency.clone(),
            respending: r
                .respending
                .iter()
                .map(|(c, p)| format!("{c} = {p}"))
                .collect::<Vec<_>>()
                .join("; "),
            indirect_source: r.indirect_source.clone(),
            risk: r.risk.clone(),
        }
    }

    fn is_empty(&self) -> bool {
        self.saving_lines.is_empty()
            && [&self.direct, &self.money_saved, &self.respending]
                .iter()
                .all(|t| t.trim().is_empty())
    }

    fn to_rebound(&self) -> Result<Option<Rebound>, String> {
        if self.is_empty() {
            return Ok(None);
        }
        let product = |text: &str, field: &str| -> Result<Option<Product>, String> {
            match text.trim() {
                "" => Ok(None),
                t => t
                    .parse::<Product>()
                    .map(Some)
                    .map_err(|e| format!("rebound {field}: {e}")),
            }
        };
        Ok(Some(Rebound {
            saving_lines: self.saving_lines.clone(),
            direct: product(&self.direct, "direct")?,
            direct_source: self.direct_source.trim().to_owned(),
            money_saved: product(&self.money_saved, "money saved")?,
            currency: self.currency.trim().to_owned(),
            respending: criterion_products(&self.respending, "rebound re-spending")?,
            indirect_source: self.indirect_source.trim().to_owned(),
            risk: self.risk.clone(),
        }))
    }
}

/// `criterion = product; …` as typed in a form.
fn criterion_products(text: &str, at: &str) -> Result<BTreeMap<String, Product>, String> {
    let mut out = BTreeMap::new();
    for part in text.split(';').map(str::trim).filter(|p| !p.is_empty()) {
        let (criterion, value) = part
            .split_once('=')
            .ok_or_else(|| format!("{at}: {part:?} is not `criterion = value`"))?;
        let criterion = criterion.trim().to_ascii_lowercase();
        out.insert(
            criterion.clone(),
            value
                .parse::<Product>()
                .map_err(|e| format!("{at} {criterion}: {e}"))?,
        );
    }
    Ok(out)
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
    /// Rebound.
    pub rebound: ReboundDraft,
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
            rebound: ReboundDraft::of(scenario.rebound.as_ref()),
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
                let factors = criterion_products(&l.factors, &format!("{at} factor"))?;
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
            rebound: self.rebound.to_rebound()?,
        };
        if scenario.name.is_empty() {
            return Err("name: a scenario needs a name (it is stored by name)".into());
        }
        scenario.check().map_err(|e| e.to_string())?;
        Ok(scenario)
    }
}

pub(super) fn scenario_ui(ui: &mut egui::Ui, state: &mut State, out: &mut Vec<WindowAction>) {
    let act = |out: &mut Vec<WindowAction>, a: Action| out.push(a.into());
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
                        act(out, Action::EditScenario(name.clone()));
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
                    act(out, Action::NewScenario(Some(i)));
                    ui.close();
                }
            }
            if ui.button("Blank").clicked() {
                act(out, Action::NewScenario(None));
                ui.close();
            }
        });
        if state.draft.is_some() {
            if ui.button("Save").clicked() {
                act(out, Action::SaveScenario);
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
                act(out, Action::Evaluate);
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
                            "{}: {} {}",
                            t.id,
                            t.summary.tool(),
                            quantity(t.summary.it_energy_kwh(), "kWh")
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
    let visible_width = ui.available_width() - ui.spacing().scroll.bar_width - 8.0;
    egui::ScrollArea::vertical()
        .id_salt("scenario_scroll")
        .show(ui, |ui| {
            // The result first, where Evaluate was pressed; the form below it.
            if let Some(result) = &state.result {
                if check
                    .as_ref()
                    .is_ok_and(|scenario| *scenario != result.scenario)
                {
                    ui.colored_label(
                        ui.visuals().warn_fg_color,
                        "The form has changed since this result: Evaluate again to update it.",
                    );
                }
                results_ui(ui, result, &mut state.criterion, visible_width);
                ui.separator();
                ui.heading("Scenario");
            }
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
            rebound_ui(ui, draft, state.direct_risks.as_ref(), out);
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
                        out.push(Action::UseToml.into());
                    }
                });
        });
    factor_picker_ui(ui.ctx(), state);
}

/// The rebound section: which of M2's lines are the saving, the direct fraction, and the
/// money saved with what re-spending it costs.
fn rebound_ui(
    ui: &mut egui::Ui,
    draft: &mut ScenarioDraft,
    risks: Option<&(RecordId, Result<Vec<DirectRisk>, String>)>,
    out: &mut Vec<WindowAction>,
) {
    let ScenarioDraft {
        rebound, variants, ..
    } = draft;
    egui::CollapsingHeader::new("Rebound")
        .id_salt("scenario_rebound")
        .default_open(!rebound.is_empty())
        .show(ui, |ui| {
            ui.label(
                "The saving is M2's lines ticked here. Direct rebound takes back a fraction of it \
                 (1 = all of it) as more use of the same service; the money saved, less what that \
                 extra use costs, is re-spent with the impact per currency unit given below.",
            );
            ui.horizontal_wrapped(|ui| {
                ui.weak("Saving lines:");
                for line in variants
                    .get(1)
                    .map(|v| v.lines.as_slice())
                    .unwrap_or_default()
                {
                    let name = line.name.trim().to_owned();
                    if name.is_empty() {
                        continue;
                    }
                    let mut on = rebound.saving_lines.contains(&name);
                    if ui.checkbox(&mut on, &name).changed() {
                        if on {
                            rebound.saving_lines.push(name);
                        } else {
                            rebound.saving_lines.retain(|n| *n != name);
                        }
                    }
                }
            });
            // One action: a direct rebound risk of the register gives the fraction and source.
            ui.horizontal_wrapped(|ui| match risks {
                Some((_, Ok(list))) if !list.is_empty() => {
                    egui::ComboBox::from_id_salt("rebound_from_risk")
                        .selected_text("Take the direct rebound from a risk…")
                        .width(320.0)
                        .show_ui(ui, |ui| {
                            for (at, risk) in list.iter().enumerate() {
                                if ui.selectable_label(false, risk.label()).clicked() {
                                    out.push(Action::FeedRebound(at).into());
                                }
                            }
                        });
                    if let Some(uid) = &rebound.risk
                        && let Some(risk) = list.iter().find(|r| &r.uid == uid)
                    {
                        ui.weak(format!("From the register: {}", risk.label()));
                    }
                }
                Some((_, Ok(_))) => {
                    ui.weak(
                        "No direct rebound risk (HO.RB.DIR with a rebound %) on this record in the \
                         register to take the fraction from.",
                    );
                }
                Some((_, Err(why))) => {
                    ui.weak(format!("Risks of the register cannot feed it: {why}"));
                }
                None => {}
            });
            egui::Grid::new("rebound_grid").show(ui, |ui| {
                for (label, value, hint) in [
                    ("Direct rebound", &mut rebound.direct, "uniform(0, 0.7)"),
                    (
                        "Direct rebound source",
                        &mut rebound.direct_source,
                        "study, year",
                    ),
                    (
                        "Money saved",
                        &mut rebound.money_saved,
                        "$gas_kwh × $saving × 0.1",
                    ),
                    ("Currency", &mut rebound.currency, "EUR"),
                    ("Re-spending impact", &mut rebound.respending, "gwp = 0.4"),
                    (
                        "Re-spending source",
                        &mut rebound.indirect_source,
                        "study, year",
                    ),
                ] {
                    let label = ui.label(label);
                    // At its width whatever the column did last frame (a grid's column starts
                    // at its narrowest).
                    let width = (ui.available_width() - 8.0).clamp(200.0, 640.0);
                    ui.add_sized(
                        [width, ui.spacing().interact_size.y],
                        egui::TextEdit::singleline(value).hint_text(hint),
                    )
                    .labelled_by(label.id)
                    .on_hover_text(value.as_str());
                    ui.end_row();
                }
            });
        });
}

/// A text field after its name, the name labelling it.
fn labelled_cell(ui: &mut egui::Ui, name: &str, value: &mut String, width: f32, hint: &str) {
    let label = ui.weak(name);
    ui.add_sized(
        [width, ui.spacing().interact_size.y],
        egui::TextEdit::singleline(value).hint_text(hint),
    )
    .labelled_by(label.id)
    .on_hover_text(value.as_str());
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
            // The source takes what the other columns leave of the width.
            let spacing = ui.spacing().item_spacing.x;
            let source_width = (ui.available_width() - 110.0 - 190.0 - 80.0 - 30.0 - 6.0 * spacing)
                .max(120.0);
            egui::Grid::new("parameters_grid").striped(true).show(ui, |ui| {
                for h in ["Name", "Value or distribution", "Unit", "Source", ""] {
                    ui.strong(h);
                }
                ui.end_row();
                for (i, p) in draft.parameters.iter_mut().enumerate() {
                    cell(ui, &mut p.name, 110.0, "name");
                    cell(ui, &mut p.value, 190.0, "triangular(1, 3, 8)");
                    cell(ui, &mut p.unit, 80.0, "unit");
                    cell(ui, &mut p.source, source_width, "where the value comes from");
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
        // One card per line, its fields wrapping to the width: a line has nine parts, more
        // than a laptop's width holds in one row.
        for (l, line) in variant.lines.iter_mut().enumerate() {
            egui::Frame::group(ui.style()).show(ui, |ui| {
                // The card's fields wrap inside its margin, not at the column's edge.
                ui.set_max_width(ui.available_width() - ui.spacing().item_spacing.x);
                ui.horizontal_wrapped(|ui| {
                    egui::ComboBox::from_id_salt(("phase", v, l))
                        .selected_text(line.phase.name())
                        .show_ui(ui, |ui| {
                            for phase in LifeCyclePhase::ALL {
                                ui.selectable_value(&mut line.phase, *phase, phase.name());
                            }
                        })
                        .response
                        .on_hover_text("Life-cycle phase");
                    labelled_cell(ui, "Line", &mut line.name, 130.0, "line");
                    labelled_cell(ui, "Amount", &mut line.amount, 150.0, "$n × 0.61");
                    cell(ui, &mut line.unit, 50.0, "unit");
                    labelled_cell(ui, "Electricity of", &mut line.electricity, 45.0, "FRA");
                    let label = ui.label("Trace");
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
                        })
                        .response
                        .labelled_by(label.id);
                    labelled_cell(
                        ui,
                        "Factors",
                        &mut line.factors,
                        240.0,
                        "gwp = 0.05; adpe = 1e-8",
                    );
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
                    if ui
                        .small_button("✕")
                        .on_hover_text("Remove the line")
                        .clicked()
                    {
                        remove = Some(l);
                    }
                });
            });
        }
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
pub(super) fn set_factor(factors: &mut String, criterion: &str, value: &str) {
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
