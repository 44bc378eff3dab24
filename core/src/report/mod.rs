//! End-to-end assessment reports.
//!
//! Per record: its a–f category (with each reviewer's and any resolution), its rebound risks,
//! its measured-energy traces with their footprint under the project's factors, and every LCA
//! scenario's Δ(M2|M1) with Monte Carlo intervals. Per project: the same as summary tables.
//! For papers: an emissions statement to paste, in Markdown or LaTeX. Everything is gathered
//! through [`Project`]'s reads, then rendered as Markdown or self-contained HTML; every number
//! says where it came from.

use std::collections::HashMap;
use std::fmt::Write as _;

use ecolens_taxonomy::{Confidence, EvalCategory, Term};
use serde::Serialize;

use crate::energy::{Basis, Component};
use crate::estimate::{FactorOverrides, RunFootprint};
use crate::lca::{Evaluation, MonteCarlo, Scenario, evaluate, monte_carlo};
use crate::prisma::escape;
use crate::record::short_authors;
use crate::review::ReboundRisk;
use crate::workflow::{ResolvedValue, Subject};
use crate::{Error, Project, RecordId, Result, ReviewerId, TraceId};

/// How a report is made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReportOptions {
    /// Who reads it: while blind mode is on, only this reviewer's judgements are shown (and a
    /// report without a reader is refused when it would hide some).
    pub viewer: Option<ReviewerId>,
    /// Monte Carlo runs per scenario.
    pub runs: usize,
    /// Monte Carlo seed.
    pub seed: u64,
}

impl Default for ReportOptions {
    fn default() -> Self {
        Self {
            viewer: None,
            runs: 10_000,
            seed: 1,
        }
    }
}

/// One reviewer's category.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReviewerCategory {
    /// The reviewer's name.
    pub reviewer: String,
    /// The category.
    pub category: EvalCategory,
    /// Their confidence.
    pub confidence: Option<Confidence>,
    /// Their rationale.
    pub rationale: Option<String>,
}

/// A record's a–f category as far as the review has settled it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CategoryView {
    /// The category, once resolved by a lead or agreed by every reviewer who classified.
    pub category: Option<EvalCategory>,
    /// How it was settled, in words.
    pub basis: String,
    /// Each (visible) reviewer's category.
    pub reviewers: Vec<ReviewerCategory>,
}

/// One rebound risk and who recorded it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RiskView {
    /// The reviewer's name.
    pub reviewer: String,
    /// The risk.
    pub risk: ReboundRisk,
}

/// One attached trace run and its footprint.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TraceView {
    /// Trace id.
    pub id: TraceId,
    /// The file it was read from.
    pub source_file: String,
    /// The normalised summary.
    pub summary: crate::energy::TraceSummary,
    /// Its footprint under the project's factors.
    pub footprint: RunFootprint,
}

/// One scenario's result, or why it has none.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScenarioView {
    /// Scenario name.
    pub name: String,
    /// The deterministic result.
    pub evaluation: Option<Evaluation>,
    /// The Monte Carlo intervals.
    pub monte_carlo: Option<MonteCarlo>,
    /// Why there is no result (a broken scenario, a detached trace).
    pub error: Option<String>,
}

/// Totals over a set of traced runs.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Default)]
pub struct TraceTotals {
    /// Runs.
    pub runs: usize,
    /// Duration, h.
    pub duration_h: f64,
    /// IT energy, kWh.
    pub it_energy_kwh: f64,
    /// Energy with PUE, kWh.
    pub energy_kwh: f64,
    /// CO2e, kg.
    pub co2e_kg: f64,
    /// CO2e at the lowest and highest grid intensity of the sources, kg (runs without a range
    /// count at their value).
    pub co2e_range_kg: Option<(f64, f64)>,
    /// On-site water, L.
    pub water_l: f64,
}

impl TraceTotals {
    /// Sums the runs.
    pub fn of(traces: &[TraceView]) -> Self {
        let mut totals = Self::default();
        let mut any_range = false;
        let (mut low, mut high) = (0.0, 0.0);
        for t in traces {
            let e = &t.footprint.estimate;
            totals.runs += 1;
            totals.duration_h += t.summary.duration_s / 3600.0;
            totals.it_energy_kwh += e.it_energy_kwh;
            totals.energy_kwh += e.energy_kwh;
            totals.co2e_kg += e.co2e_kg;
            totals.water_l += e.water_l.unwrap_or(0.0);
            let (l, h) = t.footprint.co2e_range_kg.unwrap_or((e.co2e_kg, e.co2e_kg));
            any_range |= t.footprint.co2e_range_kg.is_some();
            low += l;
            high += h;
        }
        totals.co2e_range_kg = any_range.then_some((low, high));
        totals
    }
}

/// The end-to-end assessment of one record.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RecordReport {
    /// The record.
    pub record: RecordId,
    /// Its title.
    pub title: String,
    /// `Authors (year). Venue.`
    pub citation: String,
    /// DOI, when known.
    pub doi: Option<String>,
    /// Judgements of other reviewers hidden by blind mode.
    pub hidden: usize,
    /// The a–f category.
    pub category: CategoryView,
    /// Rebound risks.
    pub risks: Vec<RiskView>,
    /// Attached traces.
    pub traces: Vec<TraceView>,
    /// Scenarios.
    pub scenarios: Vec<ScenarioView>,
    /// The project's factor overrides in force.
    pub overrides: FactorOverrides,
}

/// Reads that every record of a report shares.
struct Shared {
    blind: bool,
    names: HashMap<ReviewerId, String>,
    overrides: FactorOverrides,
    /// Every attached trace's IT energy, by id, for scenario lines fed by a trace.
    trace_kwh: HashMap<i64, f64>,
}

impl Shared {
    fn read(project: &Project, options: &ReportOptions) -> Result<Self> {
        let blind = project.review_settings()?.blind;
        if let Some(viewer) = options.viewer {
            project.reviewer(viewer)?;
        }
        Ok(Self {
            blind,
            names: project
                .reviewers()?
                .into_iter()
                .map(|r| (r.id, r.name))
                .collect(),
            overrides: project.factor_overrides()?,
            trace_kwh: project
                .traces(None)?
                .into_iter()
                .map(|t| (t.id.0, t.summary.it_energy_kwh()))
                .collect(),
        })
    }

    fn name(&self, id: ReviewerId) -> String {
        self.names
            .get(&id)
            .cloned()
            .unwrap_or_else(|| format!("reviewer {id}"))
    }

    fn visible(&self, options: &ReportOptions, reviewer: ReviewerId) -> bool {
        !self.blind || options.viewer == Some(reviewer)
    }
}

impl RecordReport {
    /// Gathers a record's assessment.
    pub fn gather(project: &Project, record: RecordId, options: &ReportOptions) -> Result<Self> {
        let shared = Shared::read(project, options)?;
        Self::gather_with(project, record, options, &shared)
    }

    fn gather_with(
        project: &Project,
        record: RecordId,
        options: &ReportOptions,
        shared: &Shared,
    ) -> Result<Self> {
        let stored = project.record(record)?;
        let r = &stored.record;
        let mut hidden = 0;
        let mut reviewers = Vec::new();
        for c in project.classifications(record)? {
            if shared.visible(options, c.reviewer) {
                reviewers.push(ReviewerCategory {
                    reviewer: shared.name(c.reviewer),
                    category: c.classification.category,
                    confidence: c.classification.confidence,
                    rationale: c.classification.rationale,
                });
            } else {
                hidden += 1;
            }
        }
        let resolved = if shared.blind {
            None
        } else {
            project
                .resolutions(record)?
                .into_iter()
                .filter(|r| r.subject == Subject::Classification)
                .find_map(|r| match r.value {
                    ResolvedValue::Classification(c) => Some((c, shared.name(r.resolved_by))),
                    _ => None,
                })
        };
        let category = category_view(resolved, reviewers, shared.blind);
        let mut risks = Vec::new();
        for stored_risk in project.risks(record)? {
            if shared.visible(options, stored_risk.reviewer) {
                risks.push(RiskView {
                    reviewer: shared.name(stored_risk.reviewer),
                    risk: stored_risk.risk,
                });
            } else {
                hidden += 1;
            }
        }
        if hidden > 0 && options.viewer.is_none() {
            return Err(Error::Blinded {
                what: "reviewers' judgements in a report (name the reviewer who reads it)",
            });
        }
        let traces = project
            .traces(Some(record))?
            .into_iter()
            .map(|t| TraceView {
                footprint: RunFootprint::of(&t.summary, &shared.overrides),
                id: t.id,
                source_file: t.source_file,
                summary: t.summary,
            })
            .collect();
        let lookup = |id: i64| shared.trace_kwh.get(&id).copied();
        let scenarios = project
            .scenarios(Some(record))?
            .into_iter()
            .map(|s| {
                let result = Scenario::from_toml(&s.toml).and_then(|scenario| {
                    Ok((
                        evaluate(&scenario, &lookup)?,
                        monte_carlo(&scenario, &lookup, options.runs, options.seed)?,
                    ))
                });
                match result {
                    Ok((evaluation, mc)) => ScenarioView {
                        name: s.name,
                        evaluation: Some(evaluation),
                        monte_carlo: Some(mc),
                        error: None,
                    },
                    Err(error) => ScenarioView {
                        name: s.name,
                        evaluation: None,
                        monte_carlo: None,
                        error: Some(error.to_string()),
                    },
                }
            })
            .collect();
        let mut citation = short_authors(&r.authors);
        if let Some(year) = r.year {
            write!(citation, " ({year})").ok();
        }
        if let Some(venue) = &r.venue {
            write!(citation, ". {venue}").ok();
        }
        Ok(Self {
            record,
            title: r.title.clone(),
            citation,
            doi: r.doi.as_ref().map(|d| d.as_str().to_owned()),
            hidden,
            category,
            risks,
            traces,
            scenarios,
            overrides: shared.overrides.clone(),
        })
    }

    /// Totals of the attached traces.
    pub fn trace_totals(&self) -> TraceTotals {
        TraceTotals::of(&self.traces)
    }

    /// Whether anything was assessed (a category, a risk, a trace or a scenario).
    pub fn has_assessment(&self) -> bool {
        !(self.category.reviewers.is_empty()
            && self.category.category.is_none()
            && self.risks.is_empty()
            && self.traces.is_empty()
            && self.scenarios.is_empty())
    }

    /// The report as Markdown.
    pub fn markdown(&self) -> String {
        let mut out = String::new();
        self.write_markdown(&mut out, "#");
        out
    }

    fn write_markdown(&self, out: &mut String, h: &str) {
        let _ = writeln!(out, "{h} Record {}: {}\n", self.record, md(&self.title));
        let _ = write!(out, "{}", md(&self.citation));
        if let Some(doi) = &self.doi {
            let _ = write!(out, ". <https://doi.org/{doi}>");
        }
        out.push_str("\n\n");
        if self.hidden > 0 {
            let _ = writeln!(
                out,
                "> Blind mode: {} judgement(s) of other reviewers are hidden.\n",
                self.hidden
            );
        }
        let _ = writeln!(out, "{h}# Environmental evaluation (a–f)\n");
        let _ = writeln!(out, "{}\n", md(&category_sentence(&self.category)));
        if !self.category.reviewers.is_empty() {
            out.push_str("| Reviewer | Category | Confidence | Rationale |\n|---|---|---|---|\n");
            for c in &self.category.reviewers {
                let _ = writeln!(
                    out,
                    "| {} | {} | {} | {} |",
                    md(&c.reviewer),
                    c.category.code(),
                    c.confidence.map_or("–", Term::name),
                    md(c.rationale.as_deref().unwrap_or("–"))
                );
            }
            out.push('\n');
        }
        let _ = writeln!(out, "{h}# Rebound and ICT-effect risks\n");
        if self.risks.is_empty() {
            out.push_str("No risk recorded.\n\n");
        } else {
            out.push_str(
                "| Effect | Direction | Likelihood | Magnitude | Mechanism | Reviewer |\n|---|---|---|---|---|---|\n",
            );
            for r in &self.risks {
                let _ = writeln!(
                    out,
                    "| {} {} | {} | {} | {} | {} | {} |",
                    r.risk.effect.code(),
                    md(r.risk.effect.name()),
                    r.risk.direction.map_or("–", Term::name),
                    r.risk.likelihood.map_or("–", Term::name),
                    r.risk.magnitude.map_or("–", Term::name),
                    md(&r.risk.mechanism),
                    md(&r.reviewer)
                );
            }
            out.push('\n');
        }
        let _ = writeln!(out, "{h}# Measured energy\n");
        if self.traces.is_empty() {
            out.push_str("No trace attached.\n\n");
        } else {
            out.push_str(
                "| Trace | Tool | Run | Duration (h) | IT energy (kWh) | PUE | Energy (kWh) | gCO2e/kWh | CO2e (kg) | Tool's CO2e (kg) | Place |\n|---|---|---|---|---|---|---|---|---|---|---|\n",
            );
            for t in &self.traces {
                let e = &t.footprint.estimate;
                let _ = writeln!(
                    out,
                    "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
                    t.id,
                    md(&tool_name(&t.summary)),
                    md(&truncate(&t.summary.run, 24)),
                    num(t.summary.duration_s / 3600.0),
                    num(e.it_energy_kwh),
                    num(e.pue),
                    num(e.energy_kwh),
                    num(e.intensity_g_per_kwh),
                    num(e.co2e_kg),
                    t.summary.co2e_kg_tool.map_or_else(|| "–".to_owned(), num),
                    md(&t.footprint.place)
                );
            }
            let totals = self.trace_totals();
            let _ = writeln!(
                out,
                "| **total** | | {} run(s) | {} | {} | | {} | | **{}**{} | | |\n",
                totals.runs,
                num(totals.duration_h),
                num(totals.it_energy_kwh),
                num(totals.energy_kwh),
                num(totals.co2e_kg),
                totals
                    .co2e_range_kg
                    .map(|(l, h)| format!(" ({}–{})", num(l), num(h)))
                    .unwrap_or_default()
            );
            out.push_str("Factors used:\n\n");
            for line in factor_lines(&self.traces) {
                let _ = writeln!(out, "- {}", md(&line));
            }
            for (ids, w) in grouped_warnings(&self.traces) {
                let _ = writeln!(out, "- {ids}: ⚠ {}", md(&w));
            }
            out.push('\n');
            if let Some(statement) = EmissionsStatement::of(&self.traces) {
                let _ = writeln!(
                    out,
                    "{h}## Emissions statement\n\n{}\n",
                    statement.markdown()
                );
            }
        }
        let _ = writeln!(out, "{h}# Life-cycle comparison\n");
        if self.scenarios.is_empty() {
            out.push_str("No scenario.\n\n");
        }
        for s in &self.scenarios {
            write_scenario_markdown(out, s, h);
        }
    }

    /// The report as a self-contained HTML page.
    pub fn html(&self) -> String {
        let mut body = String::new();
        self.write_html(&mut body);
        page(&format!("ecolens — record {}", self.record), &body)
    }

    fn write_html(&self, out: &mut String) {
        let _ = writeln!(
            out,
            "<section id=\"record-{}\"><h2>Record {}: {}</h2><p class=\"cite\">{}{}</p>",
            self.record,
            self.record,
            escape(&self.title),
            escape(&self.citation),
            self.doi
                .as_ref()
                .map(|d| format!(". <a href=\"https://doi.org/{0}\">doi:{0}</a>", escape(d)))
                .unwrap_or_default()
        );
        if self.hidden > 0 {
            let _ = writeln!(
                out,
                "<p class=\"note\">Blind mode: {} judgement(s) of other reviewers are hidden.</p>",
                self.hidden
            );
        }
        let _ = writeln!(
            out,
            "<h3>Environmental evaluation (a–f)</h3><p>{}</p>",
            escape(&category_sentence(&self.category))
        );
        if !self.category.reviewers.is_empty() {
            out.push_str("<table><tr><th>Reviewer</th><th>Category</th><th>Confidence</th><th>Rationale</th></tr>\n");
            for c in &self.category.reviewers {
                let _ = writeln!(
                    out,
                    "<tr><td>{}</td><td class=\"cat\">{}</td><td>{}</td><td>{}</td></tr>",
                    escape(&c.reviewer),
                    c.category.code(),
                    c.confidence.map_or("–", Term::name),
                    escape(c.rationale.as_deref().unwrap_or("–"))
                );
            }
            out.push_str("</table>\n");
        }
        out.push_str("<h3>Rebound and ICT-effect risks</h3>\n");
        if self.risks.is_empty() {
            out.push_str("<p>No risk recorded.</p>\n");
        } else {
            out.push_str("<table><tr><th>Effect</th><th>Direction</th><th>Likelihood</th><th>Magnitude</th><th>Mechanism</th><th>Reviewer</th></tr>\n");
            for r in &self.risks {
                let _ = writeln!(
                    out,
                    "<tr><td><code>{}</code> {}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                    r.risk.effect.code(),
                    escape(r.risk.effect.name()),
                    r.risk.direction.map_or("–", Term::name),
                    r.risk.likelihood.map_or("–", Term::name),
                    r.risk.magnitude.map_or("–", Term::name),
                    escape(&r.risk.mechanism),
                    escape(&r.reviewer)
                );
            }
            out.push_str("</table>\n");
        }
        out.push_str("<h3>Measured energy</h3>\n");
        if self.traces.is_empty() {
            out.push_str("<p>No trace attached.</p>\n");
        } else {
            out.push_str("<table><tr><th>Trace</th><th>Tool</th><th>Run</th><th>Duration (h)</th><th>IT energy (kWh)</th><th>Components</th><th>PUE</th><th>Energy (kWh)</th><th>gCO2e/kWh</th><th>CO2e (kg)</th><th>Tool's CO2e (kg)</th><th>Place</th></tr>\n");
            for t in &self.traces {
                let e = &t.footprint.estimate;
                let _ = writeln!(
                    out,
                    "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td>{}</td></tr>",
                    t.id,
                    escape(&tool_name(&t.summary)),
                    escape(&truncate(&t.summary.run, 24)),
                    num(t.summary.duration_s / 3600.0),
                    num(e.it_energy_kwh),
                    escape(&components(&t.summary)),
                    num(e.pue),
                    num(e.energy_kwh),
                    num(e.intensity_g_per_kwh),
                    num(e.co2e_kg),
                    t.summary.co2e_kg_tool.map_or_else(|| "–".to_owned(), num),
                    escape(&t.footprint.place)
                );
            }
            let totals = self.trace_totals();
            let _ = writeln!(
                out,
                "<tr class=\"total\"><td>total</td><td></td><td>{} run(s)</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td></td><td></td><td class=\"n\">{}</td><td></td><td class=\"n\">{}{}</td><td></td><td></td></tr></table>",
                totals.runs,
                num(totals.duration_h),
                num(totals.it_energy_kwh),
                num(totals.energy_kwh),
                num(totals.co2e_kg),
                totals
                    .co2e_range_kg
                    .map(|(l, h)| format!(" ({}–{})", num(l), num(h)))
                    .unwrap_or_default()
            );
            out.push_str("<p>Factors used:</p><ul>\n");
            for line in factor_lines(&self.traces) {
                let _ = writeln!(out, "<li>{}</li>", escape(&line));
            }
            for (ids, w) in grouped_warnings(&self.traces) {
                let _ = writeln!(out, "<li class=\"warn\">{ids}: ⚠ {}</li>", escape(&w));
            }
            out.push_str("</ul>\n");
            if let Some(statement) = EmissionsStatement::of(&self.traces) {
                let _ = writeln!(
                    out,
                    "<h4>Emissions statement</h4><blockquote>{}</blockquote>",
                    escape(&statement.plain())
                );
            }
        }
        out.push_str("<h3>Life-cycle comparison</h3>\n");
        if self.scenarios.is_empty() {
            out.push_str("<p>No scenario.</p>\n");
        }
        for s in &self.scenarios {
            write_scenario_html(out, s);
        }
        out.push_str("</section>\n");
    }
}

fn category_view(
    resolved: Option<(EvalCategory, String)>,
    reviewers: Vec<ReviewerCategory>,
    blind: bool,
) -> CategoryView {
    if let Some((category, lead)) = resolved {
        return CategoryView {
            category: Some(category),
            basis: format!("resolved by {lead}"),
            reviewers,
        };
    }
    let first = reviewers.first().map(|c| c.category);
    let agreed = first.filter(|f| reviewers.iter().all(|c| c.category == *f));
    let basis = match (reviewers.len(), agreed) {
        (0, _) => "not classified yet".to_owned(),
        (1, Some(_)) if blind => "your category (blind mode: the others are hidden)".to_owned(),
        (1, Some(_)) => "one reviewer".to_owned(),
        (n, Some(_)) => format!("agreed by {n} reviewers"),
        (n, None) => format!("{n} reviewers disagree; a lead resolves it"),
    };
    CategoryView {
        category: agreed,
        basis,
        reviewers,
    }
}

fn category_sentence(view: &CategoryView) -> String {
    match view.category {
        Some(c) => format!("Category {}: {} ({})", c.code(), c.name(), view.basis),
        None => format!("No category: {}.", view.basis),
    }
}

fn tool_name(run: &crate::energy::TraceSummary) -> String {
    match &run.tool_version {
        Some(v) => format!("{} {v}", run.tool()),
        None => run.tool().to_owned(),
    }
}

fn components(run: &crate::energy::TraceSummary) -> String {
    run.components
        .iter()
        .filter(|c| c.energy_kwh > 0.0 || c.basis != Basis::Unknown)
        .map(|c| {
            format!(
                "{} {} kWh ({})",
                c.component.label(),
                num(c.energy_kwh),
                basis_word(c.basis)
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}

fn basis_word(basis: Basis) -> &'static str {
    match basis {
        Basis::Measured => "measured",
        Basis::Estimated => "estimated",
        Basis::Unknown => "unknown",
    }
}

/// Each distinct assumption behind the traces' footprints, once: `PUE = 1.56 — source`.
fn factor_lines(traces: &[TraceView]) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for t in traces {
        for a in t.footprint.estimate.assumptions.iter().skip(1) {
            let unit = if a.unit == "1" {
                String::new()
            } else {
                format!(" {}", a.unit)
            };
            let line = format!("{} = {}{unit} — {}", a.name, num(a.value), a.source);
            if !lines.contains(&line) {
                lines.push(line);
            }
        }
        let tool = format!(
            "{}'s own PUE {} ({}), divided out before the PUE above is applied",
            t.summary.tool(),
            num(t.summary.pue_applied),
            t.summary.pue_source
        );
        if (t.summary.pue_applied - 1.0).abs() > f64::EPSILON && !lines.contains(&tool) {
            lines.push(tool);
        }
    }
    lines
}

/// Each distinct trace warning once, with the traces that gave it: `("traces 1, 2", text)`.
fn grouped_warnings(traces: &[TraceView]) -> Vec<(String, String)> {
    let mut groups: Vec<(Vec<String>, String)> = Vec::new();
    for t in traces {
        for w in &t.summary.warnings {
            match groups.iter_mut().find(|(_, text)| text == w) {
                Some((ids, _)) => ids.push(t.id.to_string()),
                None => groups.push((vec![t.id.to_string()], w.clone())),
            }
        }
    }
    groups
        .into_iter()
        .map(|(ids, text)| {
            let label = if ids.len() == 1 { "trace" } else { "traces" };
            (format!("{label} {}", ids.join(", ")), text)
        })
        .collect()
}

fn write_scenario_markdown(out: &mut String, s: &ScenarioView, h: &str) {
    let _ = writeln!(out, "{h}## Scenario: {}\n", md(&s.name));
    let (Some(e), Some(mc)) = (&s.evaluation, &s.monte_carlo) else {
        let _ = writeln!(
            out,
            "No result: {}\n",
            md(s.error.as_deref().unwrap_or("unknown error"))
        );
        return;
    };
    let _ = writeln!(
        out,
        "Functional unit: {}. M1 = {}, M2 = {}.\n",
        md(&e.functional_unit),
        md(&e.variants[0].name),
        md(&e.variants[1].name)
    );
    out.push_str("| Criterion | Unit | M1 | M2 | Δ(M2\\|M1) | Δ % | Δ median [5 %, 95 %] | P(M2 better) |\n|---|---|---|---|---|---|---|---|\n");
    for (c, m) in e.criteria.iter().zip(&mc.criteria) {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} [{}, {}] | {:.1} % |",
            c.code,
            md(&c.unit),
            num(c.m1),
            num(c.m2),
            num(c.delta),
            c.relative
                .map_or_else(|| "–".to_owned(), |r| format!("{:+.1} %", 100.0 * r)),
            num(m.delta.median),
            num(m.delta.p5),
            num(m.delta.p95),
            100.0 * m.p_m2_better
        );
    }
    out.push('\n');
    let _ = writeln!(out, "{}\n", md(&shift_sentence(e, mc)));
    out.push_str("Contribution by phase, % of M1's total:\n\n");
    write_contribution(out, e, true);
    let _ = writeln!(
        out,
        "\nMonte Carlo: {} paired runs, seed {}, {} uncertain inputs.",
        mc.runs, mc.seed, mc.uncertain_inputs
    );
    for w in &e.warnings {
        let _ = writeln!(out, "- ⚠ {}", md(w));
    }
    out.push('\n');
}

fn write_scenario_html(out: &mut String, s: &ScenarioView) {
    let _ = writeln!(out, "<h4>Scenario: {}</h4>", escape(&s.name));
    let (Some(e), Some(mc)) = (&s.evaluation, &s.monte_carlo) else {
        let _ = writeln!(
            out,
            "<p class=\"warn\">No result: {}</p>",
            escape(s.error.as_deref().unwrap_or("unknown error"))
        );
        return;
    };
    let _ = writeln!(
        out,
        "<p>Functional unit: {}. M1 = {}, M2 = {}.</p>",
        escape(&e.functional_unit),
        escape(&e.variants[0].name),
        escape(&e.variants[1].name)
    );
    out.push_str("<table><tr><th>Criterion</th><th>Unit</th><th>M1</th><th>M2</th><th>Δ(M2|M1)</th><th>Δ %</th><th>Δ median [5 %, 95 %]</th><th>P(M2 better)</th></tr>\n");
    for (c, m) in e.criteria.iter().zip(&mc.criteria) {
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{} [{}, {}]</td><td class=\"n\">{:.1} %</td></tr>",
            escape(&c.code),
            escape(&c.unit),
            num(c.m1),
            num(c.m2),
            num(c.delta),
            c.relative
                .map_or_else(|| "–".to_owned(), |r| format!("{:+.1} %", 100.0 * r)),
            num(m.delta.median),
            num(m.delta.p5),
            num(m.delta.p95),
            100.0 * m.p_m2_better
        );
    }
    out.push_str("</table>\n");
    out.push_str(&delta_svg(e, mc));
    let _ = writeln!(
        out,
        "<p class=\"{}\">{}</p>",
        if e.burden_shift.across_criteria() {
            "warn"
        } else {
            "ok"
        },
        escape(&shift_sentence(e, mc))
    );
    out.push_str("<p>Contribution by phase, % of M1's total:</p>\n");
    let mut table = String::new();
    write_contribution(&mut table, e, false);
    out.push_str(&table);
    let _ = writeln!(
        out,
        "<p class=\"small\">Monte Carlo: {} paired runs, seed {}, {} uncertain inputs.</p>",
        mc.runs, mc.seed, mc.uncertain_inputs
    );
    for w in &e.warnings {
        let _ = writeln!(out, "<p class=\"warn\">⚠ {}</p>", escape(w));
    }
}

/// Rows are phases, columns criteria, cells `M1 % / M2 %` of M1's total.
fn write_contribution(out: &mut String, e: &Evaluation, markdown: bool) {
    let mut phases = Vec::new();
    for v in &e.variants {
        for (phase, _) in &v.by_phase {
            if !phases.contains(phase) {
                phases.push(*phase);
            }
        }
    }
    phases.sort();
    let shares: Vec<Vec<(usize, ecolens_taxonomy::LifeCyclePhase, f64)>> =
        (0..e.criteria.len()).map(|c| e.contribution(c)).collect();
    let cell = |c: usize, phase, variant| {
        shares[c]
            .iter()
            .find(|(v, p, _)| *v == variant && *p == phase)
            .map_or_else(|| "–".to_owned(), |(_, _, pct)| format!("{pct:.1}"))
    };
    if markdown {
        out.push_str("| Phase |");
        for c in &e.criteria {
            let _ = write!(out, " {} M1 / M2 |", c.code);
        }
        out.push_str("\n|---|");
        out.push_str(&"---|".repeat(e.criteria.len()));
        out.push('\n');
        for phase in &phases {
            let _ = write!(out, "| {} |", phase.name());
            for c in 0..e.criteria.len() {
                let _ = write!(out, " {} / {} |", cell(c, *phase, 0), cell(c, *phase, 1));
            }
            out.push('\n');
        }
    } else {
        out.push_str("<table><tr><th>Phase</th>");
        for c in &e.criteria {
            let _ = write!(out, "<th>{} M1 / M2</th>", escape(&c.code));
        }
        out.push_str("</tr>\n");
        for phase in &phases {
            let _ = write!(out, "<tr><td>{}</td>", escape(phase.name()));
            for c in 0..e.criteria.len() {
                let _ = write!(
                    out,
                    "<td class=\"n\">{} / {}</td>",
                    cell(c, *phase, 0),
                    cell(c, *phase, 1)
                );
            }
            out.push_str("</tr>\n");
        }
        out.push_str("</table>\n");
    }
}

fn shift_sentence(e: &Evaluation, mc: &MonteCarlo) -> String {
    let shift = &e.burden_shift;
    if shift.across_criteria() {
        format!(
            "Burden shift: M2 improves {} but worsens {} at the central values; {:.0} % of the Monte Carlo runs show a shift.",
            shift.improves.join(", "),
            shift.worsens.join(", "),
            100.0 * mc.p_burden_shift
        )
    } else {
        format!(
            "No burden shift across criteria at the central values ({:.0} % of the Monte Carlo runs show one).",
            100.0 * mc.p_burden_shift
        )
    }
}

/// Δ relative to |M1| per criterion: the median as a dot, the 5–95 % interval as a bar.
fn delta_svg(e: &Evaluation, mc: &MonteCarlo) -> String {
    let rows: Vec<(String, f64, f64, f64)> = e
        .criteria
        .iter()
        .zip(&mc.criteria)
        .filter(|(c, _)| c.m1 != 0.0)
        .map(|(c, m)| {
            let base = c.m1.abs() / 100.0;
            (
                c.code.clone(),
                m.delta.p5 / base,
                m.delta.median / base,
                m.delta.p95 / base,
            )
        })
        .collect();
    if rows.is_empty() {
        return String::new();
    }
    let reach = rows
        .iter()
        .flat_map(|(_, a, b, c)| [a.abs(), b.abs(), c.abs()])
        .fold(1.0_f64, f64::max)
        * 1.1;
    let (width, left, right, row_h) = (640.0, 90.0, 20.0, 26.0);
    let span = width - left - right;
    let x = |v: f64| left + (v + reach) / (2.0 * reach) * span;
    #[allow(clippy::cast_precision_loss)]
    let height = row_h * rows.len() as f64 + 30.0;
    let mut svg = format!(
        "<svg class=\"delta\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" role=\"img\" aria-label=\"Δ(M2|M1) per criterion, % of M1, median and 5–95 % interval\">\n"
    );
    let _ = writeln!(
        svg,
        "<line x1=\"{0:.1}\" y1=\"4\" x2=\"{0:.1}\" y2=\"{1:.1}\" stroke=\"#888\" stroke-dasharray=\"3 3\"/>",
        x(0.0),
        height - 22.0
    );
    for (i, (code, p5, median, p95)) in rows.iter().enumerate() {
        #[allow(clippy::cast_precision_loss)]
        let y = 14.0 + row_h * i as f64;
        let colour = if *p95 < 0.0 {
            "#2e7d32"
        } else if *p5 > 0.0 {
            "#c62828"
        } else {
            "#f9a825"
        };
        let _ = writeln!(
            svg,
            "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"12\" text-anchor=\"end\">{}</text>\
             <line x1=\"{:.1}\" y1=\"{y:.1}\" x2=\"{:.1}\" y2=\"{y:.1}\" stroke=\"{colour}\" stroke-width=\"6\"/>\
             <circle cx=\"{:.1}\" cy=\"{y:.1}\" r=\"5\" fill=\"#222\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\" font-size=\"10\">{:+.1} %</text>",
            left - 8.0,
            y + 4.0,
            escape(code),
            x(*p5),
            x(*p95),
            x(*median),
            x(*median) + 7.0,
            y - 6.0,
            median
        );
    }
    let _ = writeln!(
        svg,
        "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"11\" text-anchor=\"middle\">Δ(M2|M1), % of M1 (0 = no change; left of it M2 does better)</text></svg>",
        left + span / 2.0,
        height - 6.0
    );
    svg
}

/// The per-project summary: one row per record with an assessment.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProjectReport {
    /// The project's name.
    pub name: String,
    /// Records with a category, a risk, a trace or a scenario.
    pub records: Vec<RecordReport>,
    /// Records counted per category (a–f, then unclassified), over `records`.
    pub by_category: Vec<(String, usize)>,
    /// Totals over every attached trace.
    pub traces: TraceTotals,
}

impl ProjectReport {
    /// Gathers every record that has an assessment.
    pub fn gather(project: &Project, options: &ReportOptions) -> Result<Self> {
        let shared = Shared::read(project, options)?;
        let mut records = Vec::new();
        for stored in project.records()? {
            let report = RecordReport::gather_with(project, stored.id, options, &shared)?;
            if report.has_assessment() {
                records.push(report);
            }
        }
        let mut by_category: Vec<(String, usize)> = EvalCategory::ALL
            .iter()
            .map(|c| {
                (
                    c.code().to_owned(),
                    records
                        .iter()
                        .filter(|r| r.category.category == Some(*c))
                        .count(),
                )
            })
            .collect();
        by_category.push((
            "unsettled".to_owned(),
            records
                .iter()
                .filter(|r| r.category.category.is_none())
                .count(),
        ));
        let all: Vec<TraceView> = records.iter().flat_map(|r| r.traces.clone()).collect();
        Ok(Self {
            name: project.path().file_stem().map_or_else(
                || "project".to_owned(),
                |s| s.to_string_lossy().into_owned(),
            ),
            by_category,
            traces: TraceTotals::of(&all),
            records,
        })
    }

    fn summary_rows(&self) -> Vec<[String; 8]> {
        self.records
            .iter()
            .map(|r| {
                let totals = r.trace_totals();
                let first = r
                    .scenarios
                    .iter()
                    .find_map(|s| s.evaluation.as_ref().zip(s.monte_carlo.as_ref()));
                let (delta, p, shift) = first.map_or_else(
                    || ("–".to_owned(), "–".to_owned(), "–".to_owned()),
                    |(e, mc)| {
                        let c = &e.criteria[0];
                        let m = &mc.criteria[0];
                        (
                            format!(
                                "{} {} [{}, {}] {}",
                                c.code,
                                num(m.delta.median),
                                num(m.delta.p5),
                                num(m.delta.p95),
                                c.unit
                            ),
                            format!("{:.0} %", 100.0 * m.p_m2_better),
                            if e.burden_shift.across_criteria() {
                                format!("yes ({})", e.burden_shift.worsens.join(", "))
                            } else {
                                "no".to_owned()
                            },
                        )
                    },
                );
                [
                    r.record.to_string(),
                    truncate(&r.title, 70),
                    r.category
                        .category
                        .map_or_else(|| "–".to_owned(), |c| c.code().to_owned()),
                    r.risks.len().to_string(),
                    if totals.runs == 0 {
                        "–".to_owned()
                    } else {
                        format!(
                            "{} kWh, {} kg ({} run(s))",
                            num(totals.energy_kwh),
                            num(totals.co2e_kg),
                            totals.runs
                        )
                    },
                    delta,
                    p,
                    shift,
                ]
            })
            .collect()
    }

    const HEADERS: [&'static str; 8] = [
        "Record",
        "Title",
        "Category",
        "Risks",
        "Measured energy, CO2e",
        "First scenario: Δ median [5 %, 95 %]",
        "P(M2 better)",
        "Burden shift",
    ];

    /// The summary tables and every record's section, as Markdown.
    pub fn markdown(&self) -> String {
        let mut out = format!("# {} — assessment summary\n\n", md(&self.name));
        out.push_str("| Category | Records |\n|---|---|\n");
        for (c, n) in &self.by_category {
            let _ = writeln!(out, "| {c} | {n} |");
        }
        let t = &self.traces;
        let _ = writeln!(
            out,
            "\nMeasured energy over {} run(s): {} kWh IT, {} kWh with PUE, {} kgCO2e.\n",
            t.runs,
            num(t.it_energy_kwh),
            num(t.energy_kwh),
            num(t.co2e_kg)
        );
        let _ = writeln!(out, "| {} |", Self::HEADERS.join(" | "));
        let _ = writeln!(out, "|{}", "---|".repeat(Self::HEADERS.len()));
        for row in self.summary_rows() {
            let cells: Vec<String> = row.iter().map(|c| md(c)).collect();
            let _ = writeln!(out, "| {} |", cells.join(" | "));
        }
        out.push('\n');
        for r in &self.records {
            r.write_markdown(&mut out, "##");
        }
        out
    }

    /// The summary tables and every record's section, as one HTML page.
    pub fn html(&self) -> String {
        let mut body = format!("<h1>{} — assessment summary</h1>\n", escape(&self.name));
        body.push_str("<table><tr><th>Category</th><th>Records</th></tr>\n");
        for (c, n) in &self.by_category {
            let _ = writeln!(
                body,
                "<tr><td class=\"cat\">{c}</td><td class=\"n\">{n}</td></tr>"
            );
        }
        body.push_str("</table>\n");
        let t = &self.traces;
        let _ = writeln!(
            body,
            "<p>Measured energy over {} run(s): {} kWh IT, {} kWh with PUE, {} kgCO2e.</p>",
            t.runs,
            num(t.it_energy_kwh),
            num(t.energy_kwh),
            num(t.co2e_kg)
        );
        body.push_str("<table><tr>");
        for h in Self::HEADERS {
            let _ = write!(body, "<th>{}</th>", escape(h));
        }
        body.push_str("</tr>\n");
        for row in self.summary_rows() {
            let _ = write!(
                body,
                "<tr><td><a href=\"#record-{0}\">{0}</a></td>",
                escape(&row[0])
            );
            for cell in &row[1..] {
                let _ = write!(body, "<td>{}</td>", escape(cell));
            }
            body.push_str("</tr>\n");
        }
        body.push_str("</table>\n");
        for r in &self.records {
            r.write_html(&mut body);
        }
        page(&format!("ecolens — {}", self.name), &body)
    }
}

/// The statement a paper pastes about the energy and emissions of its own computations, built
/// from measured runs (in the spirit of the ML CO2 Impact calculator's template).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EmissionsStatement {
    /// Tools and versions.
    pub tools: Vec<String>,
    /// Totals.
    pub totals: TraceTotals,
    /// IT energy per component, kWh, with the basis (measured/estimated).
    pub components: Vec<(Component, f64, &'static str)>,
    /// IT energy no component accounts for, kWh.
    pub unattributed_kwh: f64,
    /// PUE in words (`1.56`, or a range when runs differ).
    pub pue: String,
    /// Grid intensity in words (`56 gCO2e/kWh (FRA, 2023)`).
    pub intensity: String,
    /// WUE in words, when water was estimated.
    pub wue: Option<String>,
    /// Where each factor comes from: `PUE: source`.
    pub sources: Vec<String>,
}

impl EmissionsStatement {
    /// The statement for a set of runs (`None` without runs).
    pub fn of(traces: &[TraceView]) -> Option<Self> {
        if traces.is_empty() {
            return None;
        }
        let mut tools: Vec<String> = Vec::new();
        let mut components: Vec<(Component, f64, &'static str)> = Vec::new();
        for t in traces {
            let name = tool_name(&t.summary);
            if !tools.contains(&name) {
                tools.push(name);
            }
            for c in &t.summary.components {
                let kwh = c.energy_kwh / t.summary.pue_applied;
                match components.iter_mut().find(|(k, _, _)| *k == c.component) {
                    Some(entry) => {
                        entry.1 += kwh;
                        if entry.2 != basis_word(c.basis) {
                            entry.2 = "partly measured";
                        }
                    }
                    None => components.push((c.component, kwh, basis_word(c.basis))),
                }
            }
        }
        let assumption = |name: &str| -> Vec<(f64, String)> {
            let mut seen: Vec<(f64, String)> = Vec::new();
            for t in traces {
                if let Some(a) = t
                    .footprint
                    .estimate
                    .assumptions
                    .iter()
                    .find(|a| a.name == name)
                    && !seen
                        .iter()
                        .any(|(v, s)| v.to_bits() == a.value.to_bits() && *s == a.source)
                {
                    seen.push((a.value, a.source.clone()));
                }
            }
            seen
        };
        let mut sources = Vec::new();
        let mut words = |name: &str, values: Vec<(f64, String)>, unit: &str| -> Option<String> {
            for (_, source) in &values {
                let line = format!("{name}: {source}");
                if !sources.contains(&line) {
                    sources.push(line);
                }
            }
            let low = values.iter().map(|(v, _)| *v).fold(f64::INFINITY, f64::min);
            let high = values
                .iter()
                .map(|(v, _)| *v)
                .fold(f64::NEG_INFINITY, f64::max);
            match values.len() {
                0 => None,
                _ if high - low <= f64::EPSILON * high.abs() => Some(format!("{}{unit}", num(low))),
                _ => Some(format!(
                    "{}–{}{unit} depending on the run's place",
                    num(low),
                    num(high)
                )),
            }
        };
        let places: Vec<&str> = traces.iter().map(|t| t.footprint.place.as_str()).collect();
        let place = if places.iter().all(|p| *p == places[0]) {
            format!(" ({})", places[0])
        } else {
            String::new()
        };
        let pue = words("PUE", assumption("PUE"), "").unwrap_or_else(|| "1".to_owned());
        let intensity = format!(
            "{}{place}",
            words(
                "grid intensity",
                assumption("carbon intensity"),
                " gCO2e/kWh"
            )
            .unwrap_or_default()
        );
        let wue = words("WUE", assumption("WUE (site)"), " L/kWh");
        let it_energy_kwh: f64 = traces.iter().map(|t| t.summary.it_energy_kwh()).sum();
        let attributed: f64 = components.iter().map(|(_, kwh, _)| kwh).sum();
        components.retain(|(_, kwh, basis)| *kwh > 0.0 || *basis != "unknown");
        Some(Self {
            tools,
            totals: TraceTotals::of(traces),
            components,
            unattributed_kwh: (it_energy_kwh - attributed).max(0.0),
            pue,
            intensity,
            wue,
            sources,
        })
    }

    fn sentences(&self, co2: &str) -> Vec<String> {
        let t = &self.totals;
        let mut out = vec![format!(
            "We measured the energy of our computations with {} ({} run(s), {} h in total).",
            self.tools.join(" and "),
            t.runs,
            num(t.duration_h)
        )];
        let mut parts: Vec<String> = self
            .components
            .iter()
            .map(|(c, kwh, basis)| format!("{} {} kWh, {basis}", c.label(), num(*kwh)))
            .collect();
        if self.unattributed_kwh > 0.01 * t.it_energy_kwh && !parts.is_empty() {
            parts.push(format!(
                "{} kWh not attributed to a component",
                num(self.unattributed_kwh)
            ));
        }
        out.push(format!(
            "The computing hardware used {} kWh{}.",
            num(t.it_energy_kwh),
            if parts.is_empty() {
                String::new()
            } else {
                format!(" ({})", parts.join("; "))
            }
        ));
        out.push(format!(
            "With a data-centre PUE of {} this is {} kWh at the meter; with a grid carbon intensity of {}, it amounts to {} kg{co2}{}.",
            self.pue,
            num(t.energy_kwh),
            self.intensity,
            num(t.co2e_kg),
            t.co2e_range_kg
                .map(|(l, h)| format!(
                    " ({}–{} kg{co2} across the grid-intensity sources)",
                    num(l),
                    num(h)
                ))
                .unwrap_or_default()
        ));
        if let Some(wue) = &self.wue {
            out.push(format!(
                "On-site water use is estimated at {} L (WUE {wue}).",
                num(t.water_l)
            ));
        }
        out.push(format!("Sources: {}.", self.sources.join("; ")));
        out.push(format!(
            "These figures cover the measured runs only, not the manufacture of the hardware or other life-cycle phases. Computed with ecolens {}.",
            env!("CARGO_PKG_VERSION")
        ));
        out
    }

    /// Plain text.
    pub fn plain(&self) -> String {
        self.sentences("CO2e").join(" ")
    }

    /// Markdown.
    pub fn markdown(&self) -> String {
        format!(
            "**Energy and emissions of the computations.** {}",
            md(&self.sentences("CO₂e").join(" "))
        )
    }

    /// LaTeX (a paragraph; needs no package).
    pub fn latex(&self) -> String {
        let text = latex_escape(&self.sentences("\u{1}").join(" "))
            .replace('\u{1}', "\\,CO$_2$e")
            .replace(" kg\\,CO", "~kg\\,CO");
        format!("\\paragraph{{Energy and emissions of the computations.}} {text}\n")
    }
}

/// Escapes LaTeX's special characters (and a few Unicode signs).
pub fn latex_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\textbackslash{}"),
            '&' | '%' | '$' | '#' | '_' | '{' | '}' => {
                out.push('\\');
                out.push(c);
            }
            '~' => out.push_str("\\textasciitilde{}"),
            '^' => out.push_str("\\textasciicircum{}"),
            '–' => out.push_str("--"),
            '—' => out.push_str("---"),
            '×' => out.push_str("$\\times$"),
            '≥' => out.push_str("$\\geq$"),
            '≤' => out.push_str("$\\leq$"),
            'Δ' => out.push_str("$\\Delta$"),
            c => out.push(c),
        }
    }
    out
}

/// A number with four significant digits, in scientific notation when very small or large.
pub fn num(value: f64) -> String {
    if value == 0.0 || !value.is_finite() {
        return format!("{value}");
    }
    let magnitude = value.abs().log10().floor();
    if !(-3.0..6.0).contains(&magnitude) {
        return format!("{value:.3e}");
    }
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let decimals = (3.0 - magnitude).max(0.0) as usize;
    let text = format!("{value:.decimals$}");
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        text
    }
}

/// Escapes Markdown table and emphasis characters; line breaks become spaces.
fn md(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '|' | '*' | '_' | '`' | '<' | '>' | '[' | ']' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

fn truncate(text: &str, chars: usize) -> String {
    match text.char_indices().nth(chars) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}

fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{}</title>\n<style>\n{STYLE}</style></head>\n<body>\n{body}<footer>Made with ecolens {}. Each factor names its source; Monte Carlo intervals are 5–95 %.</footer>\n</body></html>\n",
        escape(title),
        env!("CARGO_PKG_VERSION")
    )
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;max-width:72rem;margin:2rem auto;padding:0 1rem;color:#222;line-height:1.45}
table{border-collapse:collapse;margin:.5rem 0 1rem}th,td{border:1px solid #ccc;padding:.25rem .5rem;vertical-align:top}
th{background:#eef3ee;text-align:left}td.n{text-align:right;font-variant-numeric:tabular-nums}td.cat{font-weight:bold;text-align:center}
tr.total td{font-weight:bold}.warn{color:#a04000}.ok{color:#2e7d32}.note{background:#fff4d6;padding:.3rem .6rem}.small{font-size:.85em;color:#555}
section{border-top:2px solid #9bb89b;margin-top:2rem}blockquote{border-left:4px solid #9bb89b;margin:.5rem 0;padding:.2rem 1rem;background:#f6faf6}
footer{margin-top:3rem;font-size:.8em;color:#666}
";

#[cfg(test)]
mod tests;
