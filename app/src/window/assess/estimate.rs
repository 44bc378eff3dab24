//! The Assess tab's Estimate part: the Green Algorithms, ML CO2 Impact and chip-hours
//! calculator with hardware pickers from the shipped tables, every input with its source.

use ecolens_core::estimate::FactorOverrides;
use ecolens_core::report::{num, quantity};
use eframe::egui;

use super::super::Action as WindowAction;
use super::{Action, State, assumptions_grid};
use crate::service::assess::{EstimateRequest, Method};

/// The calculator form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EstimateForm {
    /// Which calculation.
    pub method: EstimateMethod,
    /// Hours.
    pub hours: String,
    /// Energy known, kWh (IT, before PUE).
    pub energy_kwh: String,
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
    /// GPU usage factor.
    pub gpu_usage: String,
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
    /// Reproduce the calculator's own number (its grid table and PUE) instead of using the
    /// project's grid source and PUE.
    pub reproduce: bool,
}

/// Starts on the inputs of the Green Algorithms worked example (Lannelongue et al. 2021: 12 h
/// on one V100 with 64 GB of memory in France); with "Reproduce" ticked and PUE 1.56 it gives
/// the published 310.87 gCO2e, without it the project's grid source for France.
impl Default for EstimateForm {
    fn default() -> Self {
        Self {
            method: EstimateMethod::GreenAlgorithms,
            hours: "12".into(),
            energy_kwh: String::new(),
            gpu: "NVIDIA Tesla V100".into(),
            gpus: "1".into(),
            cpu: String::new(),
            cores: "0".into(),
            usage: "1".into(),
            gpu_usage: "1".into(),
            memory_gb: "64".into(),
            power_w: "300".into(),
            chips: "8".into(),
            provider: "gcp".into(),
            region: "us-central1".into(),
            pue: String::new(),
            country: "FRA".into(),
            intensity: String::new(),
            reproduce: false,
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
    /// A known energy × PUE.
    Energy,
}

impl EstimateMethod {
    fn label(self) -> &'static str {
        match self {
            Self::GreenAlgorithms => "Green Algorithms",
            Self::MlCo2Impact => "ML CO2 Impact",
            Self::ChipHours => "Chips × hours × power",
            Self::Energy => "Energy known",
        }
    }
}

impl EstimateForm {
    /// The calculator's inputs, or what is wrong with them.
    pub fn request(&self) -> Result<(EstimateRequest, FactorOverrides), String> {
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
        // Each method takes its own fields; the hidden fields of the others move nothing.
        let method = self.method;
        let calculator = matches!(
            method,
            EstimateMethod::GreenAlgorithms | EstimateMethod::MlCo2Impact
        );
        let green_algorithms = method == EstimateMethod::GreenAlgorithms;
        let ml_co2_impact = method == EstimateMethod::MlCo2Impact;
        let args = EstimateRequest {
            energy_kwh: (method == EstimateMethod::Energy)
                .then(|| number("energy", &self.energy_kwh))
                .transpose()?,
            power_w: (method == EstimateMethod::ChipHours)
                .then(|| number("power per chip", &self.power_w))
                .transpose()?,
            chips: if method == EstimateMethod::ChipHours {
                number("chips", &self.chips)?
            } else {
                1.0
            },
            gpu: if calculator { named(&self.gpu) } else { None },
            gpus: if calculator {
                count("GPUs", &self.gpus)?
            } else {
                0
            },
            cpu: if green_algorithms {
                named(&self.cpu)
            } else {
                None
            },
            cores: if green_algorithms {
                count("cores", &self.cores)?
            } else {
                0
            },
            cpu_usage: if green_algorithms {
                number("CPU usage", &self.usage)?
            } else {
                1.0
            },
            gpu_usage: if green_algorithms {
                number("GPU usage", &self.gpu_usage)?
            } else {
                1.0
            },
            memory_gb: if green_algorithms {
                number("memory", &self.memory_gb)?
            } else {
                0.0
            },
            hours: if method == EstimateMethod::Energy {
                0.0
            } else {
                number("hours", &self.hours)?
            },
            method: if ml_co2_impact {
                Method::MlCo2Impact
            } else {
                Method::GreenAlgorithms
            },
            provider: ml_co2_impact.then(|| named(&self.provider)).flatten(),
            region: ml_co2_impact.then(|| named(&self.region)).flatten(),
            runs: 1.0,
            reproduce: self.reproduce && green_algorithms,
            embodied: None,
        };
        let overrides = FactorOverrides {
            country: named(&self.country).map(|c| c.to_ascii_uppercase()),
            pue: optional("PUE", &self.pue)?,
            intensity_g_per_kwh: optional("grid intensity", &self.intensity)?,
            wue_l_per_kwh: None,
            source: None,
            grid_source: None,
            grid_year: None,
        };
        overrides.check().map_err(|e| e.to_string())?;
        Ok((args, overrides))
    }
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
                let response = ui.selectable_value(
                    value,
                    h.model.clone(),
                    format!(
                        "{} ({} {unit}){}",
                        h.model,
                        num(h.power_w),
                        if h.provenance.note.is_some() {
                            " ⚠ see note"
                        } else {
                            ""
                        }
                    ),
                );
                if let Some(note) = &h.provenance.note {
                    response.on_hover_text(note);
                }
            }
        });
}

pub(super) fn estimate_ui(ui: &mut egui::Ui, state: &mut State, out: &mut Vec<WindowAction>) {
    ui.label("For when nothing was measured: the Green Algorithms and ML CO2 Impact calculations with their hardware tables, or chips × hours × average power × PUE as in published training reports. Grid intensities come from the project's source (Project factors, below), as for every other number; tick Reproduce for Green Algorithms' own number.");
    let form = &mut state.estimate;
    ui.horizontal(|ui| {
        for method in [
            EstimateMethod::GreenAlgorithms,
            EstimateMethod::MlCo2Impact,
            EstimateMethod::ChipHours,
            EstimateMethod::Energy,
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
            if form.method != EstimateMethod::Energy {
                field(ui, "Hours", &mut form.hours);
            }
            match form.method {
                EstimateMethod::Energy => {
                    field(
                        ui,
                        "Energy, kWh (IT, before PUE; PUE 1 if it holds the overhead)",
                        &mut form.energy_kwh,
                    );
                }
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
                        field(ui, "CPU usage factor (0–1)", &mut form.usage);
                        field(ui, "GPU usage factor (0–1)", &mut form.gpu_usage);
                        field(ui, "Memory, GB", &mut form.memory_gb);
                    } else {
                        field(ui, "Cloud provider", &mut form.provider);
                        field(ui, "Region", &mut form.region);
                    }
                }
            }
            if form.method == EstimateMethod::GreenAlgorithms {
                ui.label("");
                ui.checkbox(
                    &mut form.reproduce,
                    "Reproduce Green Algorithms' own number",
                )
                .on_hover_text("Ticked: its grid table (with regions such as US-CA) and its default PUE. Unticked: the project's grid source (Project factors, below) and PUE, as every other route to a number uses.");
                ui.end_row();
            }
            let places = if form.method == EstimateMethod::GreenAlgorithms && form.reproduce {
                super::picker::calculator_countries()
            } else {
                super::picker::countries()
            };
            super::picker::place_combo(
                ui,
                "Country (for the grid)",
                &mut form.country,
                "World average",
                &places,
            );
            ui.end_row();
            field(ui, "PUE (empty: default)", &mut form.pue);
            field(
                ui,
                "Grid intensity, gCO2e/kWh (empty: the country's)",
                &mut form.intensity,
            );
        });
    if ui.button("Estimate").clicked() {
        out.push(Action::Estimate.into());
    }
    if state.desk.is_some() {
        // Filled from the project's stored factors (the desk), so saving keeps them.
        super::traces::overrides_ui(ui, state, out);
    }
    match &state.estimate_result {
        Some(Ok(e)) => {
            ui.separator();
            ui.heading(format!(
                "{}, {}",
                quantity(e.energy_kwh, "kWh"),
                quantity(e.co2e_kg, "kgCO2e")
            ));
            if ui
                .button("Add to the scenario as a line of M2")
                .on_hover_text("A training line: this energy (PUE included) × the country's electricity factors, the inputs as its source")
                .clicked()
            {
                out.push(Action::EstimateToLine.into());
            }
            ui.label(format!(
                "IT energy {} × PUE {} = {}; × {} gCO2e/kWh ({})",
                quantity(e.it_energy_kwh, "kWh"),
                num(e.pue),
                quantity(e.energy_kwh, "kWh"),
                num(e.intensity_g_per_kwh),
                e.method
            ));
            let equivalents: Vec<String> = ecolens_core::estimate::equivalents(e.co2e_kg)
                .iter()
                .take(4)
                .map(|q| format!("{} {}", num(q.amount), q.what))
                .collect();
            ui.label(format!(
                "≈ {} (Green Algorithms' reference values)",
                equivalents.join(", ")
            ));
            if let Some(kg) = e.unrounded_co2e_kg {
                ui.label(format!(
                    "Unrounded: {} (the calculator rounds energy, intensity and result to 0.01)",
                    quantity(kg, "kgCO2e")
                ));
            }
            assumptions_grid(ui, "estimate_assumptions", &e.assumptions);
        }
        Some(Err(error)) => {
            ui.colored_label(ui.visuals().error_fg_color, error);
        }
        None => {}
    }
}
