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
                place_combo(
                    ui,
                    "Country",
                    &mut state.picker_country,
                    "none chosen",
                    &countries(),
                );
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
                // Sources wrap within the window instead of running past its edge.
                let wrap_at = (ui.available_width() * 0.6).max(240.0);
                egui::Grid::new("picker_grid")
                    .striped(true)
                    .max_col_width(wrap_at)
                    .show(ui, |ui| {
                        for f in &grid.sources {
                            if ui.small_button("Use").clicked() {
                                chosen = Some(("gwp".into(), num(f.value.central() / 1000.0)));
                            }
                            ui.label(format!("{} gCO2e/kWh", num(f.value.central())));
                            ui.add(
                                egui::Label::new(
                                    egui::RichText::new(f.provenance.describe()).small(),
                                )
                                .wrap(),
                            );
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
                            egui::RichText::new(
                                "triangular across the sources above (g/kWh ÷ 1000)",
                            )
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
                    let wrap_at = (ui.available_width() * 0.35).max(200.0);
                    egui::Grid::new("picker_defaults_grid")
                        .striped(true)
                        .max_col_width(wrap_at)
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
                                ui.add(
                                    egui::Label::new(
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
                                    )
                                    .wrap(),
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

/// A searchable picker of places by name: `places` are `(code, name)`; the value is the code,
/// empty for the `none` choice (what an empty value means). Typing in its search box narrows
/// the list by name or code. Returns whether the value changed.
pub(super) fn place_combo(
    ui: &mut egui::Ui,
    label: &str,
    value: &mut String,
    none: &str,
    places: &[(String, String)],
) -> bool {
    let label = ui.label(label);
    let id = label.id;
    let before = value.clone();
    let shown = places
        .iter()
        .find(|(code, _)| code.eq_ignore_ascii_case(value))
        .map_or_else(
            || {
                if value.is_empty() {
                    none.to_owned()
                } else {
                    format!("{value} (not in the tables)")
                }
            },
            |(code, name)| format!("{name} ({code})"),
        );
    let search_id = id.with("place-search");
    egui::ComboBox::from_id_salt(id.with("place-combo"))
        .selected_text(shown)
        .width(240.0)
        .height(320.0)
        .show_ui(ui, |ui| {
            let mut search: String = ui.data_mut(|d| d.get_temp(search_id).unwrap_or_default());
            let field = ui
                .horizontal(|ui| {
                    let find = ui.label("Find:");
                    ui.add(
                        egui::TextEdit::singleline(&mut search)
                            .hint_text("a name or code")
                            .desired_width(180.0),
                    )
                    .labelled_by(find.id)
                })
                .inner;
            field.request_focus();
            ui.data_mut(|d| d.insert_temp(search_id, search.clone()));
            let wanted = search.trim().to_lowercase();
            if wanted.is_empty() {
                ui.selectable_value(value, String::new(), none);
            }
            for (code, name) in places {
                if wanted.is_empty()
                    || name.to_lowercase().contains(&wanted)
                    || code.to_lowercase() == wanted
                {
                    ui.selectable_value(value, code.clone(), format!("{name} ({code})"));
                }
            }
        })
        .response
        .labelled_by(label.id);
    *value != before
}

/// The countries a source gives a grid intensity for, as `(ISO alpha-3, ISO name)`.
pub(super) fn countries() -> Vec<(String, String)> {
    ecolens_core::factors::library()
        .countries()
        .iter()
        .map(|p| (p.code.clone(), p.name.clone()))
        .collect()
}

/// The countries of Green Algorithms' carbon-intensity table, as `(ISO alpha-3, name)`.
pub(super) fn calculator_countries() -> Vec<(String, String)> {
    ecolens_core::factors::library()
        .calculator_places()
        .iter()
        .filter(|p| p.code.len() == 2)
        .filter_map(|p| {
            Some((
                ecolens_core::factors::country_iso3(&p.code)?,
                p.name.clone(),
            ))
        })
        .collect()
}
