//! The Assess tab's Traces part: a record's attached runs with their footprint under the
//! project's factors, the selected run's power over time, the factors applied and their
//! sources, warnings; attach by typed path or Browse; the project's own factors.

use ecolens_core::energy::Component;
use ecolens_core::estimate::FactorOverrides;
use ecolens_core::factors::GridSource;
use ecolens_core::report::{TraceView, num, quantity, range};
use eframe::egui;
use egui_plot::{Legend, Line as PlotLine, Plot, PlotPoints};

use super::super::Action as WindowAction;
use super::super::path_field::path_edit;
use super::super::widgets::truncate;
use super::{Action, State, assumptions_grid};

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
    /// Where grid intensities come from.
    pub grid_source: GridSource,
    /// Data year of grid intensities for runs whose year is unknown.
    pub grid_year: String,
}

impl OverridesForm {
    pub(super) fn of(o: &FactorOverrides) -> Self {
        let text = |v: Option<f64>| v.map(|v| v.to_string()).unwrap_or_default();
        Self {
            country: o.country.clone().unwrap_or_default(),
            pue: text(o.pue),
            intensity: text(o.intensity_g_per_kwh),
            wue: text(o.wue_l_per_kwh),
            source: o.source.clone().unwrap_or_default(),
            grid_source: o.grid_source.unwrap_or_default(),
            grid_year: o.grid_year.map(|y| y.to_string()).unwrap_or_default(),
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
            grid_source: Some(self.grid_source).filter(|g| *g != GridSource::default()),
            grid_year: match self.grid_year.trim() {
                "" => None,
                t => Some(
                    t.parse::<i32>()
                        .map_err(|_| format!("grid year: {t:?} is not a year"))?,
                ),
            },
        };
        if overrides.has_own_values() && overrides.source.is_none() {
            return Err(
                "Say where the values come from (source), so every result can show it.".into(),
            );
        }
        overrides.check().map_err(|e| e.to_string())?;
        Ok(overrides)
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

pub(super) fn traces_ui(ui: &mut egui::Ui, state: &mut State, out: &mut Vec<WindowAction>) {
    let act = |out: &mut Vec<WindowAction>, a: Action| out.push(a.into());
    ui.horizontal(|ui| {
        if ui
            .button("Attach trace…")
            .on_hover_text("CodeCarbon, CarbonTracker, eco2AI, Zeus, nvidia-smi, PowerJoular, Scaphandre, RAPL, experiment-impact-tracker, AIPowerMeter; the format is found from the content")
            .clicked()
        {
            act(out, Action::PickTrace);
        }
        let label = ui.label("or path:");
        let response = path_edit(ui, &mut state.trace_path, "/path/to/emissions.csv", 320.0)
            .labelled_by(label.id);
        let entered = response.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        if (ui.button("Attach").clicked() || entered) && !state.trace_path.trim().is_empty() {
            act(out, Action::AttachTyped);
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
            "{} run(s), {} h: IT energy {}, {} with PUE, {}{}, {} on-site water",
            totals.runs,
            num(totals.duration_h),
            quantity(totals.it_energy_kwh, "kWh"),
            quantity(totals.energy_kwh, "kWh"),
            quantity(totals.co2e_kg, "kgCO2e"),
            totals
                .co2e_range_kg
                .map(|(l, h)| format!(
                    " ({} across grid sources)",
                    range(l, h, totals.co2e_kg, "kgCO2e")
                ))
                .unwrap_or_default(),
            quantity(totals.water_l, "L")
        ));
        egui::ScrollArea::vertical()
            .id_salt("trace_table")
            .max_height(200.0)
            .min_scrolled_height(120.0)
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
                                act(out, Action::Detach(t.id));
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
    overrides_ui(ui, state, out);
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
            // The plot's colour as a swatch; the words in the text colour, readable on both
            // themes.
            ui.colored_label(component_color(c.component), "■");
            ui.label(format!(
                "{} {} ({:?})",
                c.component.label(),
                quantity(c.energy_kwh, "kWh"),
                c.basis
            ));
        }
        ui.label(format!(
            "total as written {}",
            quantity(s.energy_kwh, "kWh")
        ));
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
    assumptions_grid(
        ui,
        ("assumptions", t.id.0),
        &t.footprint.estimate.assumptions,
    );
    for w in &s.warnings {
        ui.colored_label(ui.visuals().warn_fg_color, format!("⚠ {w}"));
    }
}

/// The project's own factors: grid source, country, PUE, intensity, WUE and their source;
/// shown with a record's traces and under the calculator, since every number takes them.
pub(super) fn overrides_ui(ui: &mut egui::Ui, state: &mut State, out: &mut Vec<WindowAction>) {
    egui::CollapsingHeader::new("Project factors (override the shipped defaults)")
        .id_salt("overrides")
        .show(ui, |ui| {
            egui::Grid::new("overrides_grid").show(ui, |ui| {
                let form = &mut state.overrides;
                super::picker::place_combo(
                    ui,
                    "Project country",
                    &mut form.country,
                    "each trace's own place",
                    &super::picker::countries(),
                );
                ui.end_row();
                ui.label("Grid intensities from");
                egui::ComboBox::from_id_salt("grid_source")
                    .selected_text(form.grid_source.label())
                    .show_ui(ui, |ui| {
                        for source in GridSource::ALL {
                            ui.selectable_value(&mut form.grid_source, source, source.label());
                        }
                    });
                ui.end_row();
                for (label, value, hint) in [
                    (
                        "Grid data year (runs of unknown year)",
                        &mut form.grid_year,
                        "2024",
                    ),
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
                    out.push(Action::SaveOverrides(true).into());
                }
                if ui.button("Use shipped defaults").clicked() {
                    out.push(Action::SaveOverrides(false).into());
                }
            });
        });
}
