//! The Assess tab's Paper audit part: a paper's stated chain (hardware × hours or energy,
//! × PUE × intensity = CO2e) recomputed link by link, started from a worked case or typed,
//! and attached to the record in focus as evidence for its a–f classification.

use ecolens_core::paper_audit::{Mass, PaperAudit, PaperChain, examples};
use ecolens_core::store::StoredPaperAudit;
use eframe::egui;

use super::super::Action as WindowAction;
use super::{Action, State};

/// The figures a paper states, as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PaperForm {
    /// What the chain is.
    pub label: String,
    /// Chips.
    pub chips: String,
    /// Average power per chip, W.
    pub power_w: String,
    /// Hours.
    pub hours: String,
    /// Energy stated, kWh.
    pub energy_kwh: String,
    /// The stated energy holds the PUE already.
    pub energy_includes_pue: bool,
    /// PUE.
    pub pue: String,
    /// Intensity, a mass per kWh as written.
    pub intensity: String,
    /// CO2e as written.
    pub co2e: String,
    /// A claim in words: more than this mass.
    pub claim_more_than: String,
}

impl PaperForm {
    /// The form filled from a chain (a worked case).
    pub fn of(chain: &PaperChain) -> Self {
        let number = |v: Option<f64>| v.map(|v| format!("{v}")).unwrap_or_default();
        let mass = |m: Option<Mass>| m.map(|m| m.to_string()).unwrap_or_default();
        Self {
            label: chain.label.clone(),
            chips: number(chain.chips),
            power_w: number(chain.power_w),
            hours: number(chain.hours),
            energy_kwh: number(chain.energy_kwh),
            energy_includes_pue: chain.energy_includes_pue,
            pue: number(chain.pue),
            intensity: chain
                .intensity_per_kwh
                .map(|m| format!("{m}/kWh"))
                .unwrap_or_default(),
            co2e: mass(chain.co2e),
            claim_more_than: mass(chain.claimed_more_than),
        }
    }

    /// The chain typed, or what is wrong with it (naming the field).
    pub fn chain(&self) -> Result<PaperChain, String> {
        let number = super::typed_optional;
        let mass = |field: &str, text: &str| -> Result<Option<Mass>, String> {
            if text.trim().is_empty() {
                return Ok(None);
            }
            text.parse::<Mass>()
                .map(Some)
                .map_err(|e| format!("{field}: {e}"))
        };
        Ok(PaperChain {
            label: Some(self.label.trim().to_owned())
                .filter(|l| !l.is_empty())
                .unwrap_or_else(|| "as given".to_owned()),
            chips: number("chips", &self.chips)?,
            power_w: number("power per chip", &self.power_w)?,
            hours: number("hours", &self.hours)?,
            energy_kwh: number("energy", &self.energy_kwh)?,
            energy_includes_pue: self.energy_includes_pue,
            pue: number("PUE", &self.pue)?,
            intensity_per_kwh: mass("grid intensity", &self.intensity)?,
            co2e: mass("CO2e", &self.co2e)?,
            claimed_more_than: mass("claim", &self.claim_more_than)?,
        })
    }
}

/// The findings of an audit as a table, each verdict coloured by whether it is a problem.
pub(super) fn findings_grid(ui: &mut egui::Ui, id: impl egui::AsIdSalt, audit: &PaperAudit) {
    // The reason, last, wraps within what the other columns leave, and no narrower than a
    // readable line.
    let why_width = (ui.available_width() - 620.0).clamp(240.0, 520.0);
    egui::Grid::new(id).striped(true).show(ui, |ui| {
        for head in ["Link", "Stated", "Recomputed", "Verdict", "Why"] {
            ui.strong(head);
        }
        ui.end_row();
        for f in &audit.findings {
            ui.label(&f.link);
            ui.label(&f.stated);
            ui.label(&f.recomputed);
            let color = if f.verdict.is_problem() {
                ui.visuals().error_fg_color
            } else {
                ui.visuals().text_color()
            };
            ui.colored_label(color, f.verdict.words());
            ui.scope(|ui| {
                ui.set_min_width(why_width);
                ui.set_max_width(why_width);
                ui.add(egui::Label::new(&f.note).wrap());
            });
            ui.end_row();
        }
    });
}

/// The audits attached to a record, as the reader may see them.
pub(super) fn attached_ui(ui: &mut egui::Ui, audits: &[StoredPaperAudit], hidden: usize) {
    for a in audits {
        ui.label(format!(
            "#{} {} — {}",
            a.id,
            a.audit.chain.label,
            a.audit.summary()
        ));
    }
    if hidden > 0 {
        ui.weak(format!(
            "{hidden} audit(s) by other reviewers hidden while blind."
        ));
    }
}

pub(super) fn paper_ui(
    ui: &mut egui::Ui,
    state: &mut State,
    session: &super::super::session::Session,
    out: &mut Vec<WindowAction>,
) {
    ui.label("A paper's own figures, checked: type what it states (or start from a worked case) and Audit recomputes the chain, saying for each stated figure whether it fits to its printed precision, within rounding, or not, and names unit slips. Attach the audit to the record as evidence for its a–f classification.");
    ui.horizontal(|ui| {
        ui.label("Worked case:");
        for (name, chain) in examples() {
            if ui.button(name).on_hover_text(&chain.label).clicked() {
                state.paper = PaperForm::of(&chain);
                state.paper_result = None;
            }
        }
    });
    let record = state.desk.as_ref().and_then(|d| d.record);
    ui.horizontal(|ui| {
        let fill = ui.add_enabled(
            record.is_some(),
            egui::Button::new(match record {
                Some(r) => format!("Fill from record {r}'s text"),
                None => "Fill from a record's text".to_owned(),
            }),
        );
        if fill
            .on_hover_text("Finds the figures the abstract and full text state (hardware, chips, hours, power, energy, PUE, grid intensity, CO2e) and fills the form; accept or reject each.")
            .clicked()
        {
            out.push(Action::FillFromText.into());
        }
    });
    if let Some((cues_record, cues, ticks)) = &state.paper_cues
        && Some(*cues_record) == record
        && !ticks.is_empty()
    {
        ui.label(format!(
            "Figures found in record {cues_record}'s text (untick to reject):"
        ));
        ui.horizontal_wrapped(|ui| {
            for (at, (cue, tick)) in cues
                .abstract_cues
                .iter()
                .chain(&cues.full_text_cues)
                .zip(ticks)
                .enumerate()
            {
                let mut accepted = *tick;
                if ui
                    .checkbox(&mut accepted, format!("{} ({})", cue.text, cue.kind.name()))
                    .changed()
                {
                    out.push(Action::AcceptCue(at, accepted).into());
                }
            }
        });
    }
    let form = &mut state.paper;
    egui::Grid::new("paper_grid").num_columns(2).show(ui, |ui| {
        let field = |ui: &mut egui::Ui, label: &str, value: &mut String| {
            let label = ui.label(label);
            ui.add(egui::TextEdit::singleline(value).desired_width(260.0))
                .labelled_by(label.id);
            ui.end_row();
        };
        field(ui, "What it is (table, row)", &mut form.label);
        field(ui, "Chips", &mut form.chips);
        field(ui, "Average power per chip, W", &mut form.power_w);
        field(ui, "Hours", &mut form.hours);
        field(ui, "Energy stated, kWh", &mut form.energy_kwh);
        ui.label("");
        ui.checkbox(
            &mut form.energy_includes_pue,
            "The stated energy holds the PUE",
        );
        ui.end_row();
        field(ui, "PUE stated", &mut form.pue);
        field(
            ui,
            "Grid intensity as stated (0.954 lbs/kWh, 57 g/kWh)",
            &mut form.intensity,
        );
        field(ui, "CO2e as stated (626155 lbs, 552 t)", &mut form.co2e);
        field(
            ui,
            "Claimed in words: more than (300 t)",
            &mut form.claim_more_than,
        );
    });
    // An attached audit is the reviewer's evidence: who is at the keyboard, picked here too.
    ui.horizontal(|ui| super::super::widgets::reviewer_picker(ui, session, out));
    ui.horizontal(|ui| {
        if ui.button("Audit").clicked() {
            out.push(Action::AuditPaper { attach: false }.into());
        }
        let record = state.desk.as_ref().and_then(|d| d.record);
        let attach = ui.add_enabled(
            record.is_some(),
            egui::Button::new(match record {
                Some(r) => format!("Audit and attach to record {r}"),
                None => "Audit and attach to a record".to_owned(),
            }),
        );
        if attach.clicked() {
            out.push(Action::AuditPaper { attach: true }.into());
        }
        if record.is_none() {
            ui.weak("(open a record to attach)");
        }
    });
    match &state.paper_result {
        Some(Ok(audit)) => {
            ui.separator();
            ui.heading(format!("{}: {}", audit.chain.label, audit.summary()));
            if audit.findings.is_empty() {
                ui.label("Nothing to check: give at least two links of the chain that meet (an energy, or hardware and hours; an intensity; a CO2e).");
            } else {
                findings_grid(ui, "paper_findings", audit);
            }
        }
        Some(Err(error)) => {
            ui.colored_label(ui.visuals().error_fg_color, error);
        }
        None => {}
    }
    if let Some((record, audits, hidden)) = &state.paper_attached
        && state.desk.as_ref().and_then(|d| d.record) == Some(*record)
        && (!audits.is_empty() || *hidden > 0)
    {
        ui.separator();
        ui.strong(format!("Attached to record {record}"));
        attached_ui(ui, audits, *hidden);
    }
}
