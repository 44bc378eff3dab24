//! The Assess tab's factor picker: d4b electricity factors for a country, grid intensity
//! from three sources, and the shipped defaults, each with source and year, for a line of the
//! scenario being edited.

use ecolens_core::report::num;
use ecolens_core::uncertain::Distribution;
use eframe::egui;

use super::State;
use super::scenario::set_factor;

/// Which line the factor picker fills.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PickerTarget {
    /// Variant index.
    pub variant: usize,
    /// Line index.
    pub line: usize,
}

pub(super) fn factor_picker_ui(ctx: &egui::Context, state: &mut State) {
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
