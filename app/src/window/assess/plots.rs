//! The Assess tab's result plots: Δ per criterion with 5–95 % intervals, P(M2 better),
//! contribution by phase normalised to M1, and a tornado of the largest swings.

use ecolens_core::report::{
    CRITERION_HEADERS, CRITERION_NOTE, REBOUND_HEADERS, REBOUND_NOTE, burden_shift_sentence,
    criterion_cells, num, rebound_rows,
};
use eframe::egui;
use egui_plot::{Bar, BarChart, HLine, Legend, Line as PlotLine, Plot, PlotPoints, Points};

use ecolens_taxonomy::Term as _;
use ecolens_taxonomy::lca::LifeCyclePhase;

use super::super::widgets::truncate;
use super::worker::LcaOutcome;

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

pub(super) fn results_ui(
    ui: &mut egui::Ui,
    result: &LcaOutcome,
    criterion: &mut usize,
    width: f32,
) {
    let e = &result.evaluation;
    let mc = &result.monte_carlo;
    ui.heading("Result");
    ui.label(format!(
        "{} — functional unit: {}. Monte Carlo: {} paired runs, seed {}, {} uncertain inputs.",
        e.name, e.functional_unit, mc.runs, mc.seed, mc.uncertain_inputs
    ));
    // Long headers and the interval wrap, so the table keeps to the width shown.
    egui::Grid::new("result_grid")
        .striped(true)
        .max_col_width((width / 6.0).max(90.0))
        .show(ui, |ui| {
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
    ui.weak(CRITERION_NOTE);
    let rebound = rebound_rows(e, mc);
    if !rebound.is_empty() {
        ui.add_space(6.0);
        ui.strong("After rebound");
        // Nine columns of long headers: narrower than the table above, wrapping.
        egui::Grid::new("rebound_result_grid")
            .striped(true)
            .max_col_width((width / 10.0).max(60.0))
            .show(ui, |ui| {
                for h in REBOUND_HEADERS {
                    ui.strong(h);
                }
                ui.end_row();
                for row in rebound {
                    for cell in row {
                        ui.label(cell);
                    }
                    ui.end_row();
                }
            });
        ui.weak(REBOUND_NOTE);
        if let Some(inputs) = &e.rebound_inputs {
            ui.weak(inputs);
        }
    }
    let sentence = burden_shift_sentence(e, mc);
    if e.burden_shift.across_criteria() {
        // Text in the theme's warning colour (readable on its background); amber marks
        // the bars.
        ui.colored_label(ui.visuals().warn_fg_color, sentence);
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
                    // After rebound: a thinner bar beside it, from the same runs.
                    if let Some(r) = &m.rebound {
                        let x = x + 0.25;
                        let after = r.delta_after;
                        let color = if after.p95 < 0.0 {
                            GREEN
                        } else if after.p5 > 0.0 {
                            RED
                        } else {
                            AMBER
                        };
                        plot.line(
                            PlotLine::new(
                                format!("{} after rebound 5–95 %", c.code),
                                PlotPoints::from(vec![[x, after.p5 / base], [x, after.p95 / base]]),
                            )
                            .color(color)
                            .width(4.0),
                        );
                        plot.points(
                            Points::new(
                                format!("{} after rebound median", c.code),
                                PlotPoints::from(vec![[x, after.median / base]]),
                            )
                            .radius(3.5)
                            .color(median_color),
                        );
                    }
                }
            });
        columns[1].strong(if mc.criteria.iter().any(|m| m.rebound.is_some()) {
            "P(M2 better than M1), % of runs: before rebound, and after (faded)"
        } else {
            "P(M2 better than M1), % of runs"
        });
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
                let with_rebound = mc.criteria.iter().any(|m| m.rebound.is_some());
                let (offset, bar_width) = if with_rebound {
                    (0.17, 0.3)
                } else {
                    (0.0, 0.6)
                };
                let bars = mc
                    .criteria
                    .iter()
                    .enumerate()
                    .map(|(i, m)| {
                        #[allow(clippy::cast_precision_loss)]
                        let x = i as f64 - offset;
                        Bar::new(x, 100.0 * m.p_m2_better)
                            .name(&m.code)
                            .fill(if m.p_m2_better >= 0.5 { GREEN } else { RED })
                    })
                    .collect();
                plot.bar_chart(BarChart::new("P(M2 better)", bars).width(bar_width));
                if with_rebound {
                    // After rebound: the same colours, faded.
                    let bars = mc
                        .criteria
                        .iter()
                        .enumerate()
                        .filter_map(|(i, m)| {
                            let p = m.rebound.as_ref()?.p_net_benefit;
                            #[allow(clippy::cast_precision_loss)]
                            let x = i as f64 + offset;
                            Some(
                                Bar::new(x, 100.0 * p)
                                    .name(format!("{} after rebound", m.code))
                                    .fill(if p >= 0.5 { GREEN } else { RED }.gamma_multiply(0.5)),
                            )
                        })
                        .collect();
                    plot.bar_chart(
                        BarChart::new("P(net benefit after rebound)", bars).width(bar_width),
                    );
                }
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
        // The phases' legend sits right of the two bars, in room kept free for it.
        Plot::new("contribution_plot")
            .height(220.0)
            .allow_scroll(false)
            .legend(Legend::default().position(egui_plot::Corner::RightTop))
            .include_x(-0.5)
            .include_x(3.2)
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
    ui.horizontal_wrapped(|ui| {
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
