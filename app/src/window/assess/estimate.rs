//! The Assess tab's Estimate part: the Green Algorithms, ML CO2 Impact and chip-hours
//! calculator with hardware pickers from the shipped tables, LLM requests by EcoLogits'
//! method with its model table, every input with its source.

use ecolens_core::estimate::FactorOverrides;
use ecolens_core::report::{num, quantity};
use eframe::egui;

use super::super::Action as WindowAction;
use super::{Action, State, assumptions_grid, typed_number, typed_optional};
use crate::service::assess::{EmbodiedRequest, EstimateRequest, InferenceRequest, Method};

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
    /// Add the hardware's manufacturing share (Green Algorithms and chip-hours).
    pub embodied: bool,
    /// LLM provider (EcoLogits' name).
    pub llm_provider: String,
    /// LLM model.
    pub llm_model: String,
    /// Output tokens per request.
    pub output_tokens: String,
    /// Requests.
    pub requests: String,
    /// Measured latency of one request, s (empty: not known).
    pub latency_s: String,
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
            embodied: false,
            llm_provider: "openai".into(),
            llm_model: "gpt-4o-mini".into(),
            output_tokens: "1000".into(),
            requests: "1".into(),
            latency_s: String::new(),
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
    /// LLM requests by EcoLogits' method.
    Inference,
}

impl EstimateMethod {
    fn label(self) -> &'static str {
        match self {
            Self::GreenAlgorithms => "Green Algorithms",
            Self::MlCo2Impact => "ML CO2 Impact",
            Self::ChipHours => "Chips × hours × power",
            Self::Energy => "Energy known",
            Self::Inference => "LLM requests (EcoLogits)",
        }
    }
}

impl EstimateForm {
    /// The calculator's inputs, or what is wrong with them.
    pub fn request(&self) -> Result<(EstimateRequest, FactorOverrides), String> {
        let (number, optional) = (typed_number, typed_optional);
        let count = |field: &str, text: &str| -> Result<u32, String> {
            text.trim()
                .parse::<u32>()
                .map_err(|_| format!("{field}: {:?} is not a whole number", text.trim()))
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
            embodied: (self.embodied
                && matches!(
                    method,
                    EstimateMethod::GreenAlgorithms | EstimateMethod::ChipHours
                ))
            .then(EmbodiedRequest::default),
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

impl EstimateForm {
    /// The LLM requests asked for, or what is wrong with them.
    pub fn inference_request(&self) -> Result<(InferenceRequest, FactorOverrides), String> {
        let (number, optional) = (typed_number, typed_optional);
        let request = InferenceRequest {
            provider: self.llm_provider.trim().to_owned(),
            model: self.llm_model.trim().to_owned(),
            output_tokens: number("output tokens", &self.output_tokens)?,
            requests: number("requests", &self.requests)?,
            latency_s: optional("latency", &self.latency_s)?,
            reproduce: self.reproduce,
        };
        let overrides = FactorOverrides {
            country: Some(self.country.trim().to_ascii_uppercase()).filter(|c| !c.is_empty()),
            pue: optional("PUE", &self.pue)?,
            intensity_g_per_kwh: optional("grid intensity", &self.intensity)?,
            ..FactorOverrides::default()
        };
        overrides.check().map_err(|e| e.to_string())?;
        Ok((request, overrides))
    }
}

/// "12.3 mgCO2e", or "11.8–13.1 mgCO2e": both ends in one unit.
fn span_text(span: ecolens_core::ecologits::Span, unit: &str) -> String {
    let text = if span.is_point() {
        quantity(span.min, unit)
    } else {
        ecolens_core::quantity::range(span.min, span.max, span.mid(), unit)
    };
    text.trim_end().to_owned()
}

/// The LLM part of the form: provider, model from EcoLogits' table, tokens and requests.
fn inference_fields(ui: &mut egui::Ui, form: &mut EstimateForm) {
    ui.label("Provider");
    egui::ComboBox::from_id_salt("llm_provider")
        .selected_text(form.llm_provider.clone())
        .show_ui(ui, |ui| {
            for name in ecolens_core::ecologits::provider_names() {
                ui.selectable_value(&mut form.llm_provider, name.to_owned(), name);
            }
        });
    ui.end_row();
    ui.label("Model");
    let models = ecolens_core::ecologits::models(Some(&form.llm_provider)).unwrap_or_default();
    egui::ComboBox::from_id_salt("llm_model")
        .selected_text(form.llm_model.clone())
        .height(300.0)
        .show_ui(ui, |ui| {
            for m in models {
                let size = if m.active_params_b.is_point() {
                    format!("{} B", num(m.active_params_b.min))
                } else {
                    format!(
                        "{}–{} B",
                        num(m.active_params_b.min),
                        num(m.active_params_b.max)
                    )
                };
                ui.selectable_value(
                    &mut form.llm_model,
                    m.name.clone(),
                    format!("{} ({size} active)", m.name),
                );
            }
        });
    ui.end_row();
    for (label, value) in [
        ("Output tokens per request", &mut form.output_tokens),
        ("Requests", &mut form.requests),
        (
            "Measured latency per request, s (empty: unknown)",
            &mut form.latency_s,
        ),
    ] {
        let label = ui.label(label);
        ui.add(egui::TextEdit::singleline(value).desired_width(200.0))
            .labelled_by(label.id);
        ui.end_row();
    }
}

/// Which quantity of an answer a row of the table shows.
type Pick = fn(&ecolens_core::ecologits::InferenceImpacts) -> ecolens_core::ecologits::Span;

/// The answer of EcoLogits' method: ranges per request and for all, with every input.
fn inference_result_ui(ui: &mut egui::Ui, e: &crate::service::assess::InferenceEstimate) {
    ui.separator();
    ui.heading(format!(
        "{}, {}",
        span_text(e.total.energy_kwh, "kWh"),
        span_text(e.total.gwp_kg, "kgCO2e")
    ));
    ui.label(format!(
        "{} {} in {} ({}): {} request(s) of {} output tokens on {} GPU(s), generation {} each",
        e.model.provider,
        e.model.name,
        e.zone,
        e.method,
        num(e.requests),
        num(e.output_tokens),
        span_text(e.per_request.gpus, ""),
        span_text(e.per_request.generation_s, "s"),
    ));
    egui::Grid::new("inference_table")
        .striped(true)
        .show(ui, |ui| {
            ui.strong("");
            ui.strong("Per request");
            ui.strong("All requests");
            ui.end_row();
            let rows: [(&str, Pick, &str); 7] = [
                ("Energy", |i| i.energy_kwh, "kWh"),
                ("GWP", |i| i.gwp_kg, "kgCO2e"),
                ("  of the electricity", |i| i.usage_gwp_kg, "kgCO2e"),
                ("  of making the hardware", |i| i.embodied_gwp_kg, "kgCO2e"),
                ("Abiotic depletion", |i| i.adpe_kgsb, "kgSbe"),
                ("Primary energy", |i| i.pe_mj, "MJ"),
                ("Water", |i| i.water_l, "L"),
            ];
            for (label, pick, unit) in rows {
                ui.label(label);
                ui.label(span_text(pick(&e.per_request), unit));
                ui.label(span_text(pick(&e.total), unit));
                ui.end_row();
            }
        });
    let equivalents: Vec<String> = ecolens_core::estimate::equivalents(e.total.gwp_kg.mid())
        .iter()
        .take(4)
        .map(|q| format!("{} {}", num(q.amount), q.what))
        .collect();
    ui.label(format!(
        "≈ {} at the range's middle (Green Algorithms' reference values)",
        equivalents.join(", ")
    ));
    for w in &e.warnings {
        ui.colored_label(ui.visuals().warn_fg_color, format!("⚠ {w}"));
    }
    super::assumptions_grid(ui, "inference_assumptions", &e.assumptions);
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
    ui.label("For when nothing was measured: Green Algorithms or ML CO2 Impact with their hardware tables, chips × hours × power as in training reports, a known energy, or LLM requests by EcoLogits' method. Grid intensities come from the project's source (Project factors, below); tick Reproduce for a published tool's own number.");
    let form = &mut state.estimate;
    ui.horizontal(|ui| {
        for method in [
            EstimateMethod::GreenAlgorithms,
            EstimateMethod::MlCo2Impact,
            EstimateMethod::ChipHours,
            EstimateMethod::Energy,
            EstimateMethod::Inference,
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
            if !matches!(
                form.method,
                EstimateMethod::Energy | EstimateMethod::Inference
            ) {
                field(ui, "Hours", &mut form.hours);
            }
            match form.method {
                EstimateMethod::Inference => inference_fields(ui, form),
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
            if form.method == EstimateMethod::Inference {
                ui.label("");
                ui.checkbox(&mut form.reproduce, "Reproduce EcoLogits' own number")
                    .on_hover_text("Ticked: EcoLogits' electricity mix for the zone. Unticked: the project's grid source for it (Project factors, below), as every other route to a number uses. The zone is the provider's unless a country is chosen.");
                ui.end_row();
            }
            if matches!(
                form.method,
                EstimateMethod::GreenAlgorithms | EstimateMethod::ChipHours
            ) {
                ui.label("");
                ui.checkbox(
                    &mut form.embodied,
                    "Add the hardware's manufacturing share",
                )
                .on_hover_text("As Luccioni et al. 2023 did for BLOOM: GPUs × (card + server / 8) × hours / (6 years × 85 % use); the card by GPU model (A100 150 kg, H100 575 kg, others the 150–600 kg range).");
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
                if form.method == EstimateMethod::Inference {
                    "The provider's zone"
                } else {
                    "World average"
                },
                &places,
            );
            ui.end_row();
            if form.method == EstimateMethod::Inference {
                field(ui, "PUE (empty: the provider's)", &mut form.pue);
            } else {
                field(ui, "PUE (empty: default)", &mut form.pue);
            }
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
    if state.estimate.method == EstimateMethod::Inference {
        match &state.inference_result {
            Some(Ok(e)) => inference_result_ui(ui, e),
            Some(Err(error)) => {
                ui.colored_label(ui.visuals().error_fg_color, error);
            }
            None => {}
        }
        return;
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
            let equivalents: Vec<String> =
                ecolens_core::estimate::equivalents(e.co2e_kg + e.embodied_co2e_kg.unwrap_or(0.0))
                    .iter()
                    .take(4)
                    .map(|q| format!("{} {}", num(q.amount), q.what))
                    .collect();
            ui.label(format!(
                "≈ {} (Green Algorithms' reference values)",
                equivalents.join(", ")
            ));
            if let Some(kg) = e.embodied_co2e_kg {
                ui.label(format!(
                    "+ manufacturing share {} = {} with the electricity's",
                    quantity(kg, "kgCO2e"),
                    quantity(kg + e.co2e_kg, "kgCO2e")
                ));
            }
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
