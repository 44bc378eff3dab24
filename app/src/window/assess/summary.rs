//! The Assess tab's Summary part: the record's end-to-end assessment (a–f category, rebound
//! risks, traces and their footprint, each scenario's Δ with intervals) and report export.

use std::fmt::Write as _;

use ecolens_core::report::{RecordReport, interval, num, quantity};
use ecolens_taxonomy::Term as _;
use eframe::egui;

use super::super::Action as WindowAction;
use super::super::path_field::path_edit;
use super::super::session::Session;
use super::{Action, State};
use crate::service::assess::ReportFormat;

pub(super) fn summary_ui(
    ui: &mut egui::Ui,
    state: &mut State,
    session: &Session,
    out: &mut Vec<WindowAction>,
) {
    let act = |out: &mut Vec<WindowAction>, a: Action| out.push(a.into());
    ui.horizontal_wrapped(|ui| {
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
        path_edit(ui, &mut state.report_path, "report.html", 260.0).labelled_by(label.id);
        if ui.button("Browse…").clicked() {
            act(out, Action::PickReport);
        }
        if ui.button("Write this record's report").clicked() {
            act(out, Action::ExportReport { all: false });
        }
        if ui.button("Write the project's report").clicked() {
            act(out, Action::ExportReport { all: true });
        }
        if state.last_report.is_some() && ui.button("Open in browser").clicked() {
            act(out, Action::OpenReport);
        }
    });
    ui.separator();
    match &state.summary {
        Some((_, Ok(report))) => summary_body(ui, report),
        Some((_, Err(why))) => {
            ui.label(why.line(session).1);
        }
        None => {
            ui.spinner();
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
                    "  {} run(s): {} IT, {} with PUE, {}",
                    t.runs,
                    quantity(t.it_energy_kwh, "kWh"),
                    quantity(t.energy_kwh, "kWh"),
                    quantity(t.co2e_kg, "kgCO2e")
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
                                "{} Δ {} {} {}, P(M2 better) {:.0} %; ",
                                c.code,
                                num(m.delta.median),
                                interval(m.delta.p5, m.delta.p95),
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
