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
use crate::lca::{
    CriterionResult, Evaluation, McCriterion, McRebound, MonteCarlo, ReboundResult, Scenario,
    evaluate, monte_carlo,
};
use crate::prisma::escape;
use crate::record::short_authors;
use crate::review::ReboundRisk;
use crate::visibility::Visibility;
use crate::workflow::{ResolvedValue, Subject};
use crate::{Project, RecordId, Result, ReviewerId, TraceId};

mod doc;

use doc::{Align, Block, Row, Span, Text, Tone, text};

/// How a report is made. Who reads it is a [`Visibility`]: a report shows the judgements
/// it allows, and one without a named reader is refused when it would hide some.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReportOptions {
    /// Monte Carlo runs per scenario.
    pub runs: usize,
    /// Monte Carlo seed.
    pub seed: u64,
}

impl Default for ReportOptions {
    fn default() -> Self {
        Self {
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
    /// The record's scenarios whose direct rebound it gives.
    pub feeds: Vec<String>,
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

/// A paper audit attached to the record, with who attached it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditView {
    /// Who attached it.
    pub reviewer: String,
    /// The audit.
    pub audit: crate::paper_audit::PaperAudit,
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
    /// The paper's own figures audited, as evidence for the classification.
    pub audits: Vec<AuditView>,
    /// The project's factor overrides in force.
    pub overrides: FactorOverrides,
}

/// Reads that every record of a report shares.
struct Shared {
    seen: Visibility,
    names: HashMap<ReviewerId, String>,
    overrides: FactorOverrides,
    /// Every attached trace's IT energy, by id, for scenario lines fed by a trace.
    trace_kwh: HashMap<i64, f64>,
}

impl Shared {
    fn read(project: &Project, seen: &Visibility) -> Result<Self> {
        Ok(Self {
            seen: seen.clone(),
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
}

impl RecordReport {
    /// Gathers a record's assessment.
    pub fn gather(
        project: &Project,
        record: RecordId,
        seen: &Visibility,
        options: &ReportOptions,
    ) -> Result<Self> {
        let shared = Shared::read(project, seen)?;
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
        let everything = Visibility::machinery();
        for c in project.classifications(record, &everything)? {
            if shared.seen.shows(c.reviewer) {
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
        let resolved = if shared.seen.sees_everyone() {
            project
                .resolutions(record, &shared.seen)?
                .into_iter()
                .filter(|r| r.subject == Subject::Classification)
                .find_map(|r| match r.value {
                    ResolvedValue::Classification(c) => Some((c, shared.name(r.resolved_by))),
                    _ => None,
                })
        } else {
            None
        };
        let category = category_view(resolved, reviewers, !shared.seen.sees_everyone());
        let mut risks = Vec::new();
        for stored_risk in project.risks(record, &everything)? {
            if shared.seen.shows(stored_risk.reviewer) {
                risks.push((
                    stored_risk.uid,
                    RiskView {
                        reviewer: shared.name(stored_risk.reviewer),
                        risk: stored_risk.risk,
                        feeds: Vec::new(),
                    },
                ));
            } else {
                hidden += 1;
            }
        }
        // Audits are evidence for a reviewer's classification: blinded as the
        // classification is.
        let mut audits = Vec::new();
        for stored in project.paper_audits(record)? {
            match stored.reviewer {
                Some(author) if !shared.seen.shows(author) => hidden += 1,
                author => audits.push(AuditView {
                    reviewer: author.map_or_else(|| "–".to_owned(), |a| shared.name(a)),
                    audit: stored.audit,
                }),
            }
        }
        shared
            .seen
            .refuse_hidden(hidden, "reviewers' judgements in a report")?;
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
                    // The link from the register's side: the risk names the scenario it feeds.
                    let fed = scenario.rebound.as_ref().and_then(|r| r.risk.as_deref());
                    if let Some((_, view)) =
                        risks.iter_mut().find(|(uid, _)| Some(uid.as_str()) == fed)
                    {
                        view.feeds.push(s.name.clone());
                    }
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
            risks: risks.into_iter().map(|(_, view)| view).collect(),
            traces,
            scenarios,
            audits,
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
            && self.scenarios.is_empty()
            && self.audits.is_empty())
    }

    /// The report as Markdown.
    pub fn markdown(&self) -> String {
        doc::markdown(&self.blocks(), 0)
    }

    /// The report as a self-contained HTML page.
    pub fn html(&self) -> String {
        doc::page(&format!("ecolens — record {}", self.record), &self.blocks())
    }

    /// The record's section: title, category, risks, traces, scenarios.
    fn blocks(&self) -> Vec<Block> {
        let mut out = vec![
            Block::Section(format!("record-{}", self.record)),
            Block::Heading(
                1,
                text(format!(
                    "Record {}: {}",
                    self.record,
                    crate::record::shown_title(&self.title)
                )),
            ),
        ];
        let mut cite = text(self.citation.clone());
        if let Some(doi) = &self.doi {
            cite.push(Span::Text(". ".into()));
            cite.push(Span::Link {
                text: format!("doi:{doi}"),
                href: format!("https://doi.org/{doi}"),
            });
        }
        out.push(Block::Para(Tone::Plain, cite));
        if self.hidden > 0 {
            out.push(Block::Para(
                Tone::Note,
                text(format!(
                    "Blind mode: {} judgement(s) of other reviewers are hidden.",
                    self.hidden
                )),
            ));
        }
        out.push(Block::Heading(2, text("Environmental evaluation (a–f)")));
        out.push(Block::Para(Tone::Plain, text(self.category.sentence())));
        if !self.category.reviewers.is_empty() {
            out.push(Block::Table {
                head: strings(&["Reviewer", "Category", "Confidence", "Rationale"]),
                rows: self
                    .category
                    .reviewers
                    .iter()
                    .map(|c| {
                        Row::of(vec![
                            (c.reviewer.clone(), Align::Left),
                            (c.category.code().to_owned(), Align::Mark),
                            (c.confidence.map_or("–", Term::name).to_owned(), Align::Left),
                            (
                                c.rationale.clone().unwrap_or_else(|| "–".into()),
                                Align::Left,
                            ),
                        ])
                    })
                    .collect(),
            });
        }
        if !self.audits.is_empty() {
            out.push(Block::Heading(2, text("The paper's own figures, audited")));
            for a in &self.audits {
                out.push(Block::Para(
                    Tone::Plain,
                    text(format!(
                        "{} — attached by {}: {}.",
                        a.audit.chain.label,
                        a.reviewer,
                        a.audit.summary()
                    )),
                ));
                out.push(Block::Table {
                    head: strings(&["Link", "Stated", "Recomputed", "Verdict", "Why"]),
                    rows: a
                        .audit
                        .findings
                        .iter()
                        .map(|f| {
                            Row::of(vec![
                                (f.link.clone(), Align::Left),
                                (f.stated.clone(), Align::Number),
                                (f.recomputed.clone(), Align::Number),
                                (f.verdict.words().to_owned(), Align::Left),
                                (f.note.clone(), Align::Left),
                            ])
                        })
                        .collect(),
                });
            }
        }
        out.push(Block::Heading(2, text("Rebound and ICT-effect risks")));
        if self.risks.is_empty() {
            out.push(Block::Para(Tone::Plain, text("No risk recorded.")));
        } else {
            out.push(Block::Table {
                head: strings(&[
                    "Effect",
                    "Direction",
                    "Likelihood",
                    "Magnitude",
                    "Mechanism",
                    "Reviewer",
                    "In scenarios",
                ]),
                rows: self
                    .risks
                    .iter()
                    .map(|r| {
                        let plain = |t: &str| (text(t), Align::Left);
                        Row {
                            cells: vec![
                                (
                                    vec![
                                        Span::Code(r.risk.effect.code().to_owned()),
                                        Span::Text(format!(" {}", r.risk.effect.name())),
                                    ],
                                    Align::Left,
                                ),
                                plain(r.risk.direction.map_or("–", Term::name)),
                                plain(r.risk.likelihood.map_or("–", Term::name)),
                                plain(r.risk.magnitude.map_or("–", Term::name)),
                                plain(&r.risk.mechanism),
                                plain(&r.reviewer),
                                plain(&if r.feeds.is_empty() {
                                    "–".to_owned()
                                } else {
                                    format!("direct rebound of {}", r.feeds.join(", "))
                                }),
                            ],
                            total: false,
                        }
                    })
                    .collect(),
            });
        }
        out.push(Block::Heading(2, text("Measured energy")));
        if self.traces.is_empty() {
            out.push(Block::Para(Tone::Plain, text("No trace attached.")));
        } else {
            self.trace_blocks(&mut out);
        }
        out.push(Block::Heading(2, text("Life-cycle comparison")));
        if self.scenarios.is_empty() {
            out.push(Block::Para(Tone::Plain, text("No scenario.")));
        }
        for s in &self.scenarios {
            scenario_blocks(&mut out, s);
        }
        out.push(Block::EndSection);
        out
    }

    /// The trace table with its totals, the factors used, the warnings and the statement.
    fn trace_blocks(&self, out: &mut Vec<Block>) {
        let mut rows: Vec<Row> = self
            .traces
            .iter()
            .map(|t| {
                let e = &t.footprint.estimate;
                Row::of(vec![
                    (t.id.to_string(), Align::Left),
                    (tool_name(&t.summary), Align::Left),
                    (truncate(&t.summary.run, 24), Align::Left),
                    (num(t.summary.duration_s / 3600.0), Align::Number),
                    (num(e.it_energy_kwh), Align::Number),
                    (components(&t.summary), Align::Left),
                    (num(e.pue), Align::Number),
                    (num(e.energy_kwh), Align::Number),
                    (num(e.intensity_g_per_kwh), Align::Number),
                    (num(e.co2e_kg), Align::Number),
                    (
                        t.summary.co2e_kg_tool.map_or_else(|| "–".to_owned(), num),
                        Align::Number,
                    ),
                    (t.footprint.place.clone(), Align::Left),
                ])
            })
            .collect();
        let totals = self.trace_totals();
        let empty = || (String::new(), Align::Left);
        rows.push(Row {
            total: true,
            ..Row::of(vec![
                ("total".into(), Align::Left),
                empty(),
                (format!("{} run(s)", totals.runs), Align::Left),
                (num(totals.duration_h), Align::Number),
                (num(totals.it_energy_kwh), Align::Number),
                empty(),
                empty(),
                (num(totals.energy_kwh), Align::Number),
                empty(),
                (
                    format!(
                        "{}{}",
                        num(totals.co2e_kg),
                        totals
                            .co2e_range_kg
                            .map(|(l, h)| format!(" ({}–{})", num(l), num(h)))
                            .unwrap_or_default()
                    ),
                    Align::Number,
                ),
                empty(),
                empty(),
            ])
        });
        out.push(Block::Table {
            head: strings(&[
                "Trace",
                "Tool",
                "Run",
                "Duration (h)",
                "IT energy (kWh)",
                "Components",
                "PUE",
                "Energy (kWh)",
                "gCO2e/kWh",
                "CO2e (kg)",
                "Tool's CO2e (kg)",
                "Place",
            ]),
            rows,
        });
        out.push(Block::Para(Tone::Plain, text("Factors used:")));
        let mut items: Vec<(Tone, Text)> = factor_lines(&self.traces)
            .into_iter()
            .map(|line| (Tone::Plain, text(line)))
            .collect();
        items.extend(
            grouped_warnings(&self.traces)
                .into_iter()
                .map(|(ids, w)| (Tone::Warn, text(format!("{ids}: {w}")))),
        );
        out.push(Block::List(items));
        if let Some(statement) = EmissionsStatement::of(&self.traces) {
            out.push(Block::Heading(3, text("Emissions statement")));
            out.push(Block::Quote(statement.spans()));
        }
    }
}

/// Owned headers.
fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
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

impl CategoryView {
    /// The category in one sentence, with how it was settled.
    pub fn sentence(&self) -> String {
        match self.category {
            Some(c) => format!("Category {}: {} ({})", c.code(), c.name(), self.basis),
            None => format!("No category: {}.", self.basis),
        }
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
                "{} {} ({})",
                c.component.label(),
                quantity(c.energy_kwh, "kWh"),
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

/// The headers of a criterion row: [`criterion_cells`] fills them.
pub const CRITERION_HEADERS: [&str; 9] = [
    "Criterion",
    "Unit",
    "M1",
    "M2",
    "Δ central",
    "Δ % central",
    "Δ median [5 % to 95 %]",
    "Δ mean",
    "P(M2 better)",
];

/// What the columns of [`CRITERION_HEADERS`] come from, said under every such table.
pub const CRITERION_NOTE: &str = "M1, M2 and Δ(M2|M1) central are computed at the central \
     values of the inputs (a triangular's mode, a normal's mean, a lognormal's median, a \
     uniform's midpoint); the Δ \
     median, its 5–95 % interval, the Δ mean and P(M2 better) come from the paired Monte Carlo \
     runs. The three differ when the inputs' distributions are skewed.";

/// One criterion's result as the tables show it (reports, the window): name and code, unit,
/// M1, M2, Δ and Δ % at the central values, the Monte Carlo median of Δ with its 5–95 %
/// interval, its mean, P(M2 better).
pub fn criterion_cells(c: &CriterionResult, m: &McCriterion) -> [String; 9] {
    [
        criterion_name(&c.code),
        c.unit.clone(),
        num(c.m1),
        num(c.m2),
        num(c.delta),
        c.relative
            .map_or_else(|| "–".to_owned(), |r| format!("{:+.1} %", 100.0 * r)),
        format!(
            "{} {}",
            num(m.delta.median),
            interval(m.delta.p5, m.delta.p95)
        ),
        if m.delta.mean.is_finite() {
            num(m.delta.mean)
        } else {
            "–".to_owned()
        },
        format!("{:.1} %", 100.0 * m.p_m2_better),
    ]
}

/// The columns of the rebound table ([`rebound_cells`]).
pub const REBOUND_HEADERS: [&str; 9] = [
    "Criterion",
    "Unit",
    "Δ before rebound",
    "Direct",
    "Indirect",
    "Δ after central",
    "Δ after median [5 % to 95 %]",
    "P(net benefit)",
    "Break-even direct rebound",
];

/// What the rebound table's columns come from, said under every such table.
pub const REBOUND_NOTE: &str = "Direct: the part of the saving (the M2 lines named as the \
     saving) taken back as extra use of the same service; indirect: the money saved, less what \
     the extra use costs, re-spent at the given impact per currency unit. Δ after = Δ before + \
     direct + indirect, at the central values and over the same paired Monte Carlo runs; \
     P(net benefit) is the share of runs in which Δ after is below 0. The break-even is the \
     direct rebound fraction at which Δ after reaches 0 (above 100 %: only backfire erases the \
     gain), at the central values and its median over the runs that have one.";

/// One criterion's rebound as the tables show it (reports, the window, the CLI).
pub fn rebound_cells(c: &CriterionResult, r: &ReboundResult, m: &McRebound) -> [String; 9] {
    let percent = |v: f64| format!("{:.0} %", 100.0 * v);
    [
        criterion_name(&c.code),
        c.unit.clone(),
        num(c.delta),
        num(r.direct),
        num(r.indirect),
        num(r.delta_after),
        format!(
            "{} {}",
            num(m.delta_after.median),
            interval(m.delta_after.p5, m.delta_after.p95)
        ),
        format!("{:.1} %", 100.0 * m.p_net_benefit),
        match (r.break_even, &m.break_even) {
            (Some(central), Some(runs)) => {
                format!("{} (median {})", percent(central), percent(runs.median))
            }
            (Some(central), None) => percent(central),
            (None, Some(runs)) => format!("– (median {})", percent(runs.median)),
            (None, None) => "– (no gain to lose)".to_owned(),
        },
    ]
}

/// The rebound rows of a scenario's result, when it declares rebound.
pub fn rebound_rows(e: &Evaluation, mc: &MonteCarlo) -> Vec<[String; 9]> {
    let Some(rebound) = &e.rebound else {
        return Vec::new();
    };
    e.criteria
        .iter()
        .zip(rebound)
        .zip(&mc.criteria)
        .filter_map(|((c, r), m)| Some(rebound_cells(c, r, m.rebound.as_ref()?)))
        .collect()
}

/// A criterion as people read it, with the code scenarios use: `Global warming potential
/// (gwp)`; a code the vocabulary does not know stays as it is.
pub fn criterion_name(code: &str) -> String {
    ecolens_taxonomy::Criterion::from_code(code).map_or_else(
        |_| code.to_owned(),
        |c| format!("{} ({})", c.name(), c.code()),
    )
}

fn scenario_blocks(out: &mut Vec<Block>, s: &ScenarioView) {
    out.push(Block::Heading(3, text(format!("Scenario: {}", s.name))));
    let (Some(e), Some(mc)) = (&s.evaluation, &s.monte_carlo) else {
        out.push(Block::Para(
            Tone::Warn,
            text(format!(
                "No result: {}",
                s.error.as_deref().unwrap_or("unknown error")
            )),
        ));
        return;
    };
    out.push(Block::Para(
        Tone::Plain,
        text(format!(
            "Functional unit: {}. M1 = {}, M2 = {}.",
            e.functional_unit, e.variants[0].name, e.variants[1].name
        )),
    ));
    out.push(Block::Table {
        head: strings(&CRITERION_HEADERS),
        rows: e
            .criteria
            .iter()
            .zip(&mc.criteria)
            .map(|(c, m)| {
                let [code, unit, rest @ ..] = criterion_cells(c, m);
                let mut cells = vec![(code, Align::Left), (unit, Align::Left)];
                cells.extend(rest.into_iter().map(|v| (v, Align::Number)));
                Row::of(cells)
            })
            .collect(),
    });
    out.push(Block::Para(Tone::Plain, text(CRITERION_NOTE.to_owned())));
    let rebound = rebound_rows(e, mc);
    if !rebound.is_empty() {
        out.push(Block::Heading(4, text("After rebound".to_owned())));
        out.push(Block::Table {
            head: strings(&REBOUND_HEADERS),
            rows: rebound
                .into_iter()
                .map(|[code, unit, rest @ ..]| {
                    let mut cells = vec![(code, Align::Left), (unit, Align::Left)];
                    cells.extend(rest.into_iter().map(|v| (v, Align::Number)));
                    Row::of(cells)
                })
                .collect(),
        });
        out.push(Block::Para(Tone::Plain, text(REBOUND_NOTE.to_owned())));
        if let Some(inputs) = &e.rebound_inputs {
            out.push(Block::Para(Tone::Small, text(inputs.clone())));
        }
    }
    if !e.shipped.is_empty() {
        out.push(Block::Para(
            Tone::Plain,
            text(format!(
                "Shipped factors the scenario names: {}.",
                e.shipped
                    .iter()
                    .map(|(id, described)| format!("#{id} = {described}"))
                    .collect::<Vec<_>>()
                    .join("; ")
            )),
        ));
    }
    out.push(Block::Svg(delta_svg(e, mc)));
    let tone = if e.burden_shift.across_criteria() {
        Tone::Warn
    } else {
        Tone::Ok
    };
    out.push(Block::Para(tone, text(burden_shift_sentence(e, mc))));
    out.push(Block::Para(
        Tone::Plain,
        text("Contribution by phase, % of M1's total:"),
    ));
    out.push(contribution_table(e));
    out.push(Block::Para(
        Tone::Small,
        text(format!(
            "Monte Carlo: {} paired runs, seed {}, {} uncertain inputs.",
            mc.runs, mc.seed, mc.uncertain_inputs
        )),
    ));
    if !e.warnings.is_empty() {
        out.push(Block::List(
            e.warnings
                .iter()
                .map(|w| (Tone::Warn, text(w.clone())))
                .collect(),
        ));
    }
}

/// Rows are phases, columns criteria, cells `M1 % / M2 %` of M1's total.
fn contribution_table(e: &Evaluation) -> Block {
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
    let mut head = vec!["Phase".to_owned()];
    head.extend(e.criteria.iter().map(|c| format!("{} M1 / M2", c.code)));
    Block::Table {
        head,
        rows: phases
            .iter()
            .map(|phase| {
                let mut cells = vec![(phase.name().to_owned(), Align::Left)];
                cells.extend((0..e.criteria.len()).map(|c| {
                    (
                        format!("{} / {}", cell(c, *phase, 0), cell(c, *phase, 1)),
                        Align::Number,
                    )
                }));
                Row::of(cells)
            })
            .collect(),
    }
}

/// Whether M2 shifts the burden across criteria at the central values, and how often in the
/// Monte Carlo runs, in one sentence (reports, the window, the CLI).
pub fn burden_shift_sentence(e: &Evaluation, mc: &MonteCarlo) -> String {
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
    /// The Methods paragraph of the review's screening, when the caller adds it
    /// ([`crate::priority::methods_paragraph`]).
    pub screening_methods: Option<String>,
}

impl ProjectReport {
    /// Gathers every record that has an assessment.
    pub fn gather(project: &Project, seen: &Visibility, options: &ReportOptions) -> Result<Self> {
        let shared = Shared::read(project, seen)?;
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
            screening_methods: None,
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
                                "{} {} {} {}",
                                c.code,
                                num(m.delta.median),
                                interval(m.delta.p5, m.delta.p95),
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
                    truncate(crate::record::shown_title(&r.title), 70),
                    r.category
                        .category
                        .map_or_else(|| "–".to_owned(), |c| c.code().to_owned()),
                    r.risks.len().to_string(),
                    if totals.runs == 0 {
                        "–".to_owned()
                    } else {
                        format!(
                            "{}, {} ({} run(s))",
                            quantity(totals.energy_kwh, "kWh"),
                            quantity(totals.co2e_kg, "kgCO2e"),
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
        "First scenario: Δ median [5 % to 95 %]",
        "P(M2 better)",
        "Burden shift",
    ];

    /// The summary tables, then every record's section.
    fn blocks(&self) -> Vec<Block> {
        let t = &self.traces;
        let mut out = vec![
            Block::Heading(1, text(format!("{} — assessment summary", self.name))),
            Block::Table {
                head: strings(&["Category", "Records"]),
                rows: self
                    .by_category
                    .iter()
                    .map(|(c, n)| {
                        Row::of(vec![
                            (c.clone(), Align::Mark),
                            (n.to_string(), Align::Number),
                        ])
                    })
                    .collect(),
            },
            Block::Para(
                Tone::Plain,
                text(format!(
                    "Measured energy over {} run(s): {} IT, {} with PUE, {}.",
                    t.runs,
                    quantity(t.it_energy_kwh, "kWh"),
                    quantity(t.energy_kwh, "kWh"),
                    quantity(t.co2e_kg, "kgCO2e")
                )),
            ),
            Block::Table {
                head: strings(&Self::HEADERS),
                rows: self
                    .summary_rows()
                    .into_iter()
                    .map(|[record, rest @ ..]| Row {
                        cells: std::iter::once((
                            vec![Span::Link {
                                href: format!("#record-{record}"),
                                text: record,
                            }],
                            Align::Left,
                        ))
                        .chain(rest.into_iter().map(|c| (text(c), Align::Left)))
                        .collect(),
                        total: false,
                    })
                    .collect(),
            },
        ];
        if let Some(methods) = &self.screening_methods {
            out.push(Block::Heading(2, text("Screening methods".to_owned())));
            out.push(Block::Para(Tone::Plain, text(methods.clone())));
        }
        for r in &self.records {
            let mut section = r.blocks();
            // Records sit one level below the summary's title.
            for block in &mut section {
                if let Block::Heading(level, _) = block {
                    *level += 1;
                }
            }
            out.extend(section);
        }
        out
    }

    /// The summary tables and every record's section, as Markdown.
    pub fn markdown(&self) -> String {
        doc::markdown(&self.blocks(), 0)
    }

    /// The summary tables and every record's section, as one HTML page.
    pub fn html(&self) -> String {
        doc::page(&format!("ecolens — {}", self.name), &self.blocks())
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
            .map(|(c, kwh, basis)| format!("{} {}, {basis}", c.label(), quantity(*kwh, "kWh")))
            .collect();
        if self.unattributed_kwh > 0.01 * t.it_energy_kwh && !parts.is_empty() {
            parts.push(format!(
                "{} not attributed to a component",
                quantity(self.unattributed_kwh, "kWh")
            ));
        }
        out.push(format!(
            "The computing hardware used {}{}.",
            quantity(t.it_energy_kwh, "kWh"),
            if parts.is_empty() {
                String::new()
            } else {
                format!(" ({})", parts.join("; "))
            }
        ));
        // The range is said in the unit of the central value.
        let (co2e, mass) = scale(t.co2e_kg, "kg");
        let per_kg = if t.co2e_kg == 0.0 {
            1.0
        } else {
            co2e / t.co2e_kg
        };
        out.push(format!(
            "With a data-centre PUE of {} this is {} at the meter; with a grid carbon intensity of {}, it amounts to {} {mass}{co2}{}.",
            self.pue,
            quantity(t.energy_kwh, "kWh"),
            self.intensity,
            num(co2e),
            t.co2e_range_kg
                .map(|(l, h)| format!(
                    " ({}–{} {mass}{co2} across the grid-intensity sources)",
                    num(l * per_kg),
                    num(h * per_kg)
                ))
                .unwrap_or_default()
        ));
        if let Some(wue) = &self.wue {
            out.push(format!(
                "On-site water use is estimated at {} (WUE {wue}).",
                quantity(t.water_l, "L")
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

    /// The statement as a paragraph: its title in bold, then the sentences.
    fn spans(&self) -> Vec<Span> {
        vec![
            Span::Strong("Energy and emissions of the computations.".into()),
            Span::Text(format!(" {}", self.sentences("CO₂e").join(" "))),
        ]
    }

    /// Markdown.
    pub fn markdown(&self) -> String {
        doc::markdown(&[Block::Para(Tone::Plain, self.spans())], 0)
            .trim_end()
            .to_owned()
    }

    /// LaTeX (a paragraph; needs no package).
    pub fn latex(&self) -> String {
        let mut text =
            latex_escape(&self.sentences("\u{1}").join(" ")).replace('\u{1}', "\\,CO$_2$e");
        // A number and its unit stay on one line.
        for mass in ["mg", "g", "kg", "t", "kt", "Mt"] {
            text = text.replace(&format!(" {mass}\\,CO"), &format!("~{mass}\\,CO"));
        }
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

pub use crate::quantity::{interval, num, quantity, range, scale};

fn truncate(text: &str, chars: usize) -> String {
    crate::error::excerpt(text, chars)
}

#[cfg(test)]
mod tests;
