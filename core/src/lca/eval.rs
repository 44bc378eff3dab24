//! Evaluating a scenario: deterministic result, paired Monte Carlo, one-at-a-time sensitivity.

use ecolens_taxonomy::lca::LifeCyclePhase;
use rand::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;
use serde::{Deserialize, Serialize};
use std::fmt::Write as _;

use super::{Scenario, Term};
use crate::uncertain::{Distribution, Sampler};
use crate::{Error, Result};

#[derive(Debug, Clone, Copy)]
enum Compiled {
    Const(f64),
    Input(usize),
    Inverse(usize),
}

#[derive(Debug)]
struct Input {
    name: String,
    distribution: Distribution,
    sampler: Sampler,
}

#[derive(Debug)]
struct CompiledLine {
    variant: usize,
    phase: LifeCyclePhase,
    amount: Vec<Compiled>,
    factors: Vec<(usize, Vec<Compiled>)>,
}

/// The rebound section, compiled.
#[derive(Debug)]
struct CompiledRebound {
    /// Indices into [`Model::lines`] of the saving.
    saving: Vec<usize>,
    direct: Option<Vec<Compiled>>,
    money: Option<Vec<Compiled>>,
    /// Per criterion index.
    respending: Vec<(usize, Vec<Compiled>)>,
}

/// One criterion's rebound at some input values.
#[derive(Debug, Clone, Copy)]
struct ReboundAt {
    saving: f64,
    direct: f64,
    indirect: f64,
    break_even: Option<f64>,
}

/// A scenario turned into flat inputs and lines.
#[derive(Debug)]
struct Model {
    inputs: Vec<Input>,
    lines: Vec<CompiledLine>,
    criteria: usize,
    warnings: Vec<String>,
    rebound: Option<CompiledRebound>,
}

fn product(terms: &[Compiled], values: &[f64]) -> f64 {
    terms.iter().fold(1.0, |acc, term| match *term {
        Compiled::Const(v) => acc * v,
        Compiled::Input(i) => acc * values[i],
        Compiled::Inverse(i) => acc / values[i],
    })
}

impl Model {
    fn compile(scenario: &Scenario, traces: &dyn Fn(i64) -> Option<f64>) -> Result<Self> {
        // Scenarios built in code, not read from TOML, get the same checks.
        scenario.check()?;
        let mut inputs: Vec<Input> = Vec::new();
        let mut parameter_index = std::collections::HashMap::new();
        for (name, parameter) in &scenario.parameters {
            parameter_index.insert(name.clone(), inputs.len());
            inputs.push(Input {
                name: format!("${name}"),
                distribution: parameter.value,
                sampler: parameter.value.sampler(),
            });
        }
        let parameter = |name: &str, label: &str| {
            parameter_index.get(name).copied().ok_or_else(|| {
                Error::invalid(
                    label,
                    format!("${name}"),
                    "a parameter defined under [parameters]",
                )
            })
        };
        let compile_terms = |terms: &[Term], label: &str, inputs: &mut Vec<Input>| {
            terms
                .iter()
                .map(|term| {
                    Ok(match term {
                        Term::Value(Distribution::Fixed(v)) => Compiled::Const(*v),
                        Term::Value(d) => {
                            inputs.push(Input {
                                name: label.to_owned(),
                                distribution: *d,
                                sampler: d.sampler(),
                            });
                            Compiled::Input(inputs.len() - 1)
                        }
                        Term::Parameter(name) => Compiled::Input(parameter(name, label)?),
                        Term::Reciprocal(name) => Compiled::Inverse(parameter(name, label)?),
                        Term::Shipped(id) => {
                            let factor =
                                crate::factors::library()
                                    .default_factor(id)
                                    .ok_or_else(|| {
                                        Error::invalid(
                                            label,
                                            format!("#{id}"),
                                            "the id of a factor ecolens ships",
                                        )
                                    })?;
                            match factor.value {
                                Distribution::Fixed(v) => Compiled::Const(v),
                                d => {
                                    inputs.push(Input {
                                        name: format!("#{id}"),
                                        distribution: d,
                                        sampler: d.sampler(),
                                    });
                                    Compiled::Input(inputs.len() - 1)
                                }
                            }
                        }
                    })
                })
                .collect::<Result<Vec<_>>>()
        };
        let mut lines = Vec::new();
        let mut warnings = Vec::new();
        let mut saving = Vec::new();
        let saving_lines = scenario
            .rebound
            .as_ref()
            .map(|r| r.saving_lines.as_slice())
            .unwrap_or_default();
        for (v, variant) in scenario.variants.iter().enumerate() {
            for line in &variant.lines {
                if v == 1 && saving_lines.contains(&line.name) {
                    saving.push(lines.len());
                }
                let label = format!("{} · {}", variant.id, line.name);
                let mut amount =
                    compile_terms(&line.amount.0, &format!("{label} · amount"), &mut inputs)?;
                if let Some(id) = line.trace {
                    let kwh = traces(id).ok_or_else(|| {
                        Error::invalid(
                            format!("{label}.trace"),
                            id.to_string(),
                            "the id of a trace attached in this project (ecolens trace attach)",
                        )
                    })?;
                    amount.push(Compiled::Const(kwh));
                }
                let electricity = line
                    .electricity
                    .as_deref()
                    .and_then(|c| crate::factors::library().electricity(c, scenario.year));
                let mut factors = Vec::new();
                for (c, criterion) in scenario.criteria.iter().enumerate() {
                    if let Some(product) = line.factors.get(criterion) {
                        factors.push((
                            c,
                            compile_terms(
                                &product.0,
                                &format!("{label} · {criterion} factor"),
                                &mut inputs,
                            )?,
                        ));
                    } else if let Some(value) = electricity.as_ref().and_then(|e| e.get(criterion))
                    {
                        // The factors are per kWh; the amount is in the line's energy unit
                        // (checked with the scenario).
                        let per_unit = crate::quantity::kwh_per(&line.unit).unwrap_or(1.0);
                        factors.push((c, vec![Compiled::Const(value * per_unit)]));
                    } else {
                        warnings.push(format!(
                            "{label} ({}): no {criterion} factor; counted as 0",
                            ecolens_taxonomy::Term::name(line.phase).to_lowercase()
                        ));
                    }
                }
                lines.push(CompiledLine {
                    variant: v,
                    phase: line.phase,
                    amount,
                    factors,
                });
            }
        }
        let rebound = match &scenario.rebound {
            None => None,
            Some(r) => {
                let direct = r
                    .direct
                    .as_ref()
                    .map(|p| compile_terms(&p.0, "rebound · direct", &mut inputs))
                    .transpose()?;
                let money = r
                    .money_saved
                    .as_ref()
                    .map(|p| compile_terms(&p.0, "rebound · money saved", &mut inputs))
                    .transpose()?;
                let mut respending = Vec::new();
                for (c, criterion) in scenario.criteria.iter().enumerate() {
                    if let Some(product) = r.respending.get(criterion) {
                        respending.push((
                            c,
                            compile_terms(
                                &product.0,
                                &format!("rebound · re-spending {criterion}"),
                                &mut inputs,
                            )?,
                        ));
                    }
                }
                Some(CompiledRebound {
                    saving,
                    direct,
                    money,
                    respending,
                })
            }
        };
        Ok(Self {
            inputs,
            lines,
            criteria: scenario.criteria.len(),
            warnings,
            rebound,
        })
    }

    /// Each criterion's rebound at `values`, given its Δ there; `None` without a rebound
    /// section.
    fn rebound(&self, values: &[f64], deltas: &[f64]) -> Option<Vec<ReboundAt>> {
        let r = self.rebound.as_ref()?;
        let fraction = r.direct.as_ref().map_or(0.0, |d| product(d, values));
        let money = r.money.as_ref().map_or(0.0, |m| product(m, values));
        let mut saving = vec![0.0; self.criteria];
        for &l in &r.saving {
            let line = &self.lines[l];
            let amount = product(&line.amount, values);
            for (c, factor) in &line.factors {
                saving[*c] += amount * product(factor, values);
            }
        }
        Some(
            (0..self.criteria)
                .map(|c| {
                    let intensity = r
                        .respending
                        .iter()
                        .find(|(i, _)| *i == c)
                        .map_or(0.0, |(_, p)| product(p, values));
                    let respent = money * intensity;
                    // Δ(r) = Δ − r·S + (1 − r)·M·I = (Δ + M·I) − r·(S + M·I): zero at r*.
                    // Only a gain that rebound erodes has a break-even (Δ < 0 and Δ(r) rising).
                    let slope = saving[c] + respent;
                    let break_even =
                        (deltas[c] < 0.0 && slope < 0.0).then(|| (deltas[c] + respent) / slope);
                    ReboundAt {
                        saving: saving[c],
                        direct: -fraction * saving[c],
                        indirect: (1.0 - fraction) * respent,
                        break_even,
                    }
                })
                .collect(),
        )
    }

    fn central(&self) -> Vec<f64> {
        self.inputs
            .iter()
            .map(|i| i.distribution.central())
            .collect()
    }

    /// Totals `[variant][criterion]` for input values.
    fn totals(&self, values: &[f64], out: &mut [Vec<f64>; 2]) {
        for row in out.iter_mut() {
            row.fill(0.0);
        }
        for line in &self.lines {
            let amount = product(&line.amount, values);
            for (c, factor) in &line.factors {
                out[line.variant][*c] += amount * product(factor, values);
            }
        }
    }

    fn deltas(&self, values: &[f64]) -> Vec<f64> {
        let mut totals = [vec![0.0; self.criteria], vec![0.0; self.criteria]];
        self.totals(values, &mut totals);
        totals[1]
            .iter()
            .zip(&totals[0])
            .map(|(m2, m1)| m2 - m1)
            .collect()
    }
}

/// The names of M2's lines whose amount is negative at the central values: the saving, as
/// a scenario writes it (M2's gas = M1's gas, then a line of minus the saving).
pub(super) fn negative_lines(scenario: &Scenario) -> Result<Vec<String>> {
    // A trace only scales a line by its energy, which is positive: the sign is the amount's.
    let model = Model::compile(scenario, &|_| Some(1.0))?;
    let values = model.central();
    Ok(model
        .lines
        .iter()
        .filter(|line| line.variant == 1)
        .zip(&scenario.variants[1].lines)
        .filter(|(compiled, _)| product(&compiled.amount, &values) < 0.0)
        .map(|(_, line)| line.name.clone())
        .collect())
}

/// One variant's result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VariantResult {
    /// `M1` or `M2`.
    pub id: String,
    /// Name.
    pub name: String,
    /// Total per criterion (same order as the scenario's criteria).
    pub totals: Vec<f64>,
    /// Per phase (in vocabulary order, phases with lines only), per criterion.
    pub by_phase: Vec<(LifeCyclePhase, Vec<f64>)>,
}

/// One criterion's comparison.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CriterionResult {
    /// Criterion code.
    pub code: String,
    /// Unit.
    pub unit: String,
    /// M1 total.
    pub m1: f64,
    /// M2 total.
    pub m2: f64,
    /// Δ(M2|M1) = M2 − M1 (negative: the AI solution does better).
    pub delta: f64,
    /// Δ relative to |M1|, when M1 ≠ 0.
    pub relative: Option<f64>,
}

/// Burden shifting found in a result.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct BurdenShift {
    /// Criteria on which M2 does better.
    pub improves: Vec<String>,
    /// Criteria on which M2 does worse.
    pub worsens: Vec<String>,
    /// Criteria on which M2 saves in some phases and adds in others: `(criterion, phases
    /// saved, phases added)`.
    pub between_phases: Vec<(String, Vec<LifeCyclePhase>, Vec<LifeCyclePhase>)>,
}

impl BurdenShift {
    /// True when one criterion improves while another worsens.
    pub fn across_criteria(&self) -> bool {
        !self.improves.is_empty() && !self.worsens.is_empty()
    }
}

/// The deterministic result (every input at its central value).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evaluation {
    /// Scenario name.
    pub name: String,
    /// Functional unit.
    pub functional_unit: String,
    /// M1 and M2.
    pub variants: Vec<VariantResult>,
    /// Per criterion.
    pub criteria: Vec<CriterionResult>,
    /// Burden shifting.
    pub burden_shift: BurdenShift,
    /// Uncertain inputs: `(name, distribution)`.
    pub inputs: Vec<(String, String)>,
    /// The shipped factors the scenario names (`#id`): `(id, "value unit — source")`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub shipped: Vec<(String, String)>,
    /// Missing factors and other things to know.
    pub warnings: Vec<String>,
    /// Δ after rebound per criterion, at the central values, when the scenario declares one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rebound: Option<Vec<ReboundResult>>,
    /// The rebound's inputs and their sources in one sentence, when it declares one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rebound_inputs: Option<String>,
}

/// One criterion's rebound at the central values.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReboundResult {
    /// The saving lines' total (negative when a saving), in the criterion's unit.
    pub saving: f64,
    /// Taken back by direct rebound.
    pub direct: f64,
    /// Added by re-spending the money saved (indirect rebound).
    pub indirect: f64,
    /// Δ(M2|M1) after rebound.
    pub delta_after: f64,
    /// The direct rebound fraction at which Δ after rebound reaches 0 (`None` when there is
    /// no gain to lose, or rebound does not erode it).
    pub break_even: Option<f64>,
}

impl Evaluation {
    /// Share of each phase in a criterion, normalised to |M1 total| = 100 %: `(variant,
    /// phase, percent)`.
    pub fn contribution(&self, criterion: usize) -> Vec<(usize, LifeCyclePhase, f64)> {
        let base = self.variants[0].totals[criterion].abs();
        if base == 0.0 {
            return Vec::new();
        }
        self.variants
            .iter()
            .enumerate()
            .flat_map(|(v, variant)| {
                variant
                    .by_phase
                    .iter()
                    .map(move |(phase, values)| (v, *phase, 100.0 * values[criterion] / base))
            })
            .collect()
    }
}

/// Evaluates a scenario at the central values. `traces` gives a stored trace's IT energy (kWh).
pub fn evaluate(scenario: &Scenario, traces: &dyn Fn(i64) -> Option<f64>) -> Result<Evaluation> {
    let model = Model::compile(scenario, traces)?;
    let values = model.central();
    let n = scenario.criteria.len();
    let mut variants: Vec<VariantResult> = scenario
        .variants
        .iter()
        .map(|v| VariantResult {
            id: v.id.clone(),
            name: v.name.clone(),
            totals: vec![0.0; n],
            by_phase: Vec::new(),
        })
        .collect();
    for line in &model.lines {
        let amount = product(&line.amount, &values);
        let variant = &mut variants[line.variant];
        let slot = match variant.by_phase.iter().position(|(p, _)| *p == line.phase) {
            Some(i) => i,
            None => {
                variant.by_phase.push((line.phase, vec![0.0; n]));
                variant.by_phase.len() - 1
            }
        };
        for (c, factor) in &line.factors {
            let value = amount * product(factor, &values);
            variant.by_phase[slot].1[*c] += value;
            variant.totals[*c] += value;
        }
    }
    for variant in &mut variants {
        variant.by_phase.sort_by_key(|(phase, _)| *phase as usize);
    }
    let criteria: Vec<CriterionResult> = scenario
        .criteria
        .iter()
        .enumerate()
        .map(|(c, code)| {
            let (m1, m2) = (variants[0].totals[c], variants[1].totals[c]);
            CriterionResult {
                code: code.clone(),
                unit: scenario.unit(code),
                m1,
                m2,
                delta: m2 - m1,
                relative: (m1 != 0.0).then(|| (m2 - m1) / m1.abs()),
            }
        })
        .collect();
    let mut shift = BurdenShift::default();
    for (c, result) in criteria.iter().enumerate() {
        // Changes below 0.01 % of the larger total are rounding, not a shift.
        let scale = result.m1.abs().max(result.m2.abs()) * 1e-4;
        if result.delta < -scale {
            shift.improves.push(result.code.clone());
        } else if result.delta > scale {
            shift.worsens.push(result.code.clone());
        }
        let phase_value = |v: usize, phase: LifeCyclePhase| {
            variants[v]
                .by_phase
                .iter()
                .find(|(p, _)| *p == phase)
                .map_or(0.0, |(_, values)| values[c])
        };
        let mut phases: Vec<LifeCyclePhase> = variants
            .iter()
            .flat_map(|v| v.by_phase.iter().map(|(p, _)| *p))
            .collect();
        phases.sort_by_key(|p| *p as usize);
        phases.dedup();
        let (mut saved, mut added) = (Vec::new(), Vec::new());
        for phase in phases {
            let d = phase_value(1, phase) - phase_value(0, phase);
            if d < -scale {
                saved.push(phase);
            } else if d > scale {
                added.push(phase);
            }
        }
        if !saved.is_empty() && !added.is_empty() {
            shift
                .between_phases
                .push((result.code.clone(), saved, added));
        }
    }
    let deltas: Vec<f64> = criteria.iter().map(|c| c.delta).collect();
    let rebound = model.rebound(&values, &deltas).map(|list| {
        list.into_iter()
            .zip(&deltas)
            .map(|(at, delta)| ReboundResult {
                saving: at.saving,
                direct: at.direct,
                indirect: at.indirect,
                delta_after: delta + at.direct + at.indirect,
                break_even: at.break_even,
            })
            .collect()
    });
    Ok(Evaluation {
        name: scenario.name.clone(),
        functional_unit: scenario.functional_unit.clone(),
        variants,
        criteria,
        burden_shift: shift,
        inputs: model
            .inputs
            .iter()
            .filter(|i| !i.distribution.is_fixed())
            .map(|i| (i.name.clone(), i.distribution.to_string()))
            .collect(),
        shipped: shipped_factors(scenario),
        rebound,
        rebound_inputs: scenario.rebound.as_ref().map(describe_rebound),
        warnings: model.warnings,
    })
}

/// A rebound section in one sentence: the saving's lines, each part with its source.
fn describe_rebound(r: &super::Rebound) -> String {
    let source = |text: &str| {
        if text.trim().is_empty() {
            " (no source given)".to_owned()
        } else {
            format!(" ({})", text.trim())
        }
    };
    let mut out = format!("Rebound on the saving of {}", r.saving_lines.join(", "));
    if let Some(direct) = &r.direct {
        let _ = write!(out, "; direct rebound {direct}{}", source(&r.direct_source));
    }
    if let Some(money) = &r.money_saved {
        let intensities = r
            .respending
            .iter()
            .map(|(c, p)| format!("{c} {p} per {}", r.currency))
            .collect::<Vec<_>>()
            .join(", ");
        let _ = write!(
            out,
            "; money saved {money} {} re-spent at {intensities}{}",
            r.currency,
            source(&r.indirect_source)
        );
    }
    out.push('.');
    out
}

/// The shipped factors a scenario names, each once, with value, unit and source.
fn shipped_factors(scenario: &Scenario) -> Vec<(String, String)> {
    let mut ids: Vec<&str> = Vec::new();
    for line in scenario.variants.iter().flat_map(|v| &v.lines) {
        for term in line
            .amount
            .0
            .iter()
            .chain(line.factors.values().flat_map(|p| &p.0))
        {
            if let Term::Shipped(id) = term
                && !ids.contains(&id.as_str())
            {
                ids.push(id);
            }
        }
    }
    ids.into_iter()
        .filter_map(|id| {
            let factor = crate::factors::library().default_factor(id)?;
            Some((
                id.to_owned(),
                format!(
                    "{} {} — {}: {}",
                    factor.value,
                    factor.unit,
                    factor.name,
                    factor.provenance.describe()
                ),
            ))
        })
        .collect()
}

/// Mean, median and 5–95 % interval of the Monte Carlo samples.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Interval {
    /// 5th percentile.
    pub p5: f64,
    /// Median.
    pub median: f64,
    /// 95th percentile.
    pub p95: f64,
    /// Mean (NaN in results stored before it was kept).
    #[serde(default = "not_kept")]
    pub mean: f64,
}

fn not_kept() -> f64 {
    f64::NAN
}

impl Interval {
    fn of(samples: &mut [f64]) -> Self {
        #[allow(clippy::cast_precision_loss)] // Run counts are far below 2^52.
        let mean = if samples.is_empty() {
            f64::NAN
        } else {
            samples.iter().sum::<f64>() / samples.len() as f64
        };
        samples.sort_by(f64::total_cmp);
        let at = |q: f64| {
            if samples.is_empty() {
                return f64::NAN;
            }
            // Linear interpolation between order statistics (numpy's default).
            #[allow(
                clippy::cast_precision_loss,
                clippy::cast_possible_truncation,
                clippy::cast_sign_loss
            )]
            {
                let position = q * (samples.len() - 1) as f64;
                let low = position.floor() as usize;
                let high = (low + 1).min(samples.len() - 1);
                samples[low] + (samples[high] - samples[low]) * (position - low as f64)
            }
        };
        Self {
            p5: at(0.05),
            median: at(0.5),
            p95: at(0.95),
            mean,
        }
    }
}

/// Monte Carlo result of one criterion.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct McCriterion {
    /// Criterion code.
    pub code: String,
    /// Unit.
    pub unit: String,
    /// M1 total.
    pub m1: Interval,
    /// M2 total.
    pub m2: Interval,
    /// Δ(M2|M1), from paired samples.
    pub delta: Interval,
    /// P(M2 < M1): the share of runs in which the AI solution does better.
    pub p_m2_better: f64,
    /// After rebound, when the scenario declares one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rebound: Option<McRebound>,
}

/// Monte Carlo result of one criterion after rebound.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct McRebound {
    /// Δ(M2|M1) after rebound, from the same paired runs.
    pub delta_after: Interval,
    /// P(net benefit): the share of runs in which Δ after rebound is below 0.
    pub p_net_benefit: f64,
    /// The break-even direct rebound over the runs that have one (a gain rebound erodes).
    pub break_even: Option<Interval>,
    /// The share of runs that have one.
    pub break_even_share: f64,
}

/// Monte Carlo result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MonteCarlo {
    /// Runs done.
    pub runs: usize,
    /// Seed.
    pub seed: u64,
    /// Uncertain inputs drawn per run.
    pub uncertain_inputs: usize,
    /// Per criterion.
    pub criteria: Vec<McCriterion>,
    /// Share of runs in which M2 does better on some criterion and worse on another.
    pub p_burden_shift: f64,
}

/// Paired Monte Carlo: each run draws every input once and evaluates both variants with it.
pub fn monte_carlo(
    scenario: &Scenario,
    traces: &dyn Fn(i64) -> Option<f64>,
    runs: usize,
    seed: u64,
) -> Result<MonteCarlo> {
    monte_carlo_with_progress(scenario, traces, runs, seed, &mut |_| true)?
        .ok_or_else(|| Error::invalid("runs", runs.to_string(), "a run that is not cancelled"))
}

/// [`monte_carlo`] reporting the runs done every 1,000 runs; `progress` returns `false` to
/// cancel (the result is then `None`).
pub fn monte_carlo_with_progress(
    scenario: &Scenario,
    traces: &dyn Fn(i64) -> Option<f64>,
    runs: usize,
    seed: u64,
    progress: &mut dyn FnMut(usize) -> bool,
) -> Result<Option<MonteCarlo>> {
    if runs == 0 {
        return Err(Error::invalid("runs", "0", "at least one run"));
    }
    let model = Model::compile(scenario, traces)?;
    let n = model.criteria;
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let mut values = model.central();
    let uncertain: Vec<usize> = (0..model.inputs.len())
        .filter(|&i| !model.inputs[i].distribution.is_fixed())
        .collect();
    let mut m1 = vec![Vec::with_capacity(runs); n];
    let mut m2 = vec![Vec::with_capacity(runs); n];
    let mut delta = vec![Vec::with_capacity(runs); n];
    let mut better = vec![0_usize; n];
    let with_rebound = model.rebound.is_some();
    let mut after = vec![Vec::with_capacity(if with_rebound { runs } else { 0 }); n];
    let mut net = vec![0_usize; n];
    let mut even = vec![Vec::new(); n];
    let mut deltas = vec![0.0; n];
    let mut shifts = 0_usize;
    let mut totals = [vec![0.0; n], vec![0.0; n]];
    for run in 0..runs {
        if run % 1_000 == 0 && !progress(run) {
            return Ok(None);
        }
        for &i in &uncertain {
            values[i] = model.inputs[i].sampler.draw(&mut rng);
        }
        model.totals(&values, &mut totals);
        let (mut any_better, mut any_worse) = (false, false);
        for c in 0..n {
            let d = totals[1][c] - totals[0][c];
            deltas[c] = d;
            m1[c].push(totals[0][c]);
            m2[c].push(totals[1][c]);
            delta[c].push(d);
            if d < 0.0 {
                better[c] += 1;
                any_better = true;
            } else if d > 0.0 {
                any_worse = true;
            }
        }
        if any_better && any_worse {
            shifts += 1;
        }
        if with_rebound {
            for (c, at) in model
                .rebound(&values, &deltas)
                .unwrap_or_default()
                .into_iter()
                .enumerate()
            {
                let d = deltas[c] + at.direct + at.indirect;
                after[c].push(d);
                if d < 0.0 {
                    net[c] += 1;
                }
                if let Some(r) = at.break_even {
                    even[c].push(r);
                }
            }
        }
    }
    progress(runs);
    #[allow(clippy::cast_precision_loss)] // Run counts are far below 2^52.
    let share = |count: usize| count as f64 / runs as f64;
    let criteria = scenario
        .criteria
        .iter()
        .enumerate()
        .map(|(c, code)| McCriterion {
            code: code.clone(),
            unit: scenario.unit(code),
            m1: Interval::of(&mut m1[c]),
            m2: Interval::of(&mut m2[c]),
            delta: Interval::of(&mut delta[c]),
            p_m2_better: share(better[c]),
            rebound: with_rebound.then(|| McRebound {
                delta_after: Interval::of(&mut after[c]),
                p_net_benefit: share(net[c]),
                break_even: (!even[c].is_empty()).then(|| Interval::of(&mut even[c])),
                break_even_share: share(even[c].len()),
            }),
        })
        .collect();
    Ok(Some(MonteCarlo {
        runs,
        seed,
        uncertain_inputs: uncertain.len(),
        criteria,
        p_burden_shift: share(shifts),
    }))
}

/// One parameter's bar of a tornado diagram.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TornadoBar {
    /// The input (`$pue`, `M2 · Inference · amount` …).
    pub input: String,
    /// Its distribution.
    pub distribution: String,
    /// Its 5 % and 95 % values.
    pub low: f64,
    /// See `low`.
    pub high: f64,
    /// Δ per criterion with the input at `low` (others central).
    pub delta_at_low: Vec<f64>,
    /// Δ per criterion with the input at `high`.
    pub delta_at_high: Vec<f64>,
}

impl TornadoBar {
    /// Swing of Δ on a criterion.
    pub fn swing(&self, criterion: usize) -> f64 {
        (self.delta_at_high[criterion] - self.delta_at_low[criterion]).abs()
    }
}

/// One-at-a-time sensitivity: each uncertain input at its 5 % and 95 % values, the others
/// central; bars sorted by their swing on `criterion`, largest first.
pub fn tornado(
    scenario: &Scenario,
    traces: &dyn Fn(i64) -> Option<f64>,
    criterion: usize,
) -> Result<Vec<TornadoBar>> {
    let model = Model::compile(scenario, traces)?;
    if criterion >= model.criteria {
        return Err(Error::invalid(
            "criterion",
            criterion.to_string(),
            format!("an index below {}", model.criteria),
        ));
    }
    let central = model.central();
    let mut bars: Vec<TornadoBar> = model
        .inputs
        .iter()
        .enumerate()
        .filter(|(_, input)| !input.distribution.is_fixed())
        .map(|(i, input)| {
            let (low, high) = input.distribution.low_high();
            let mut values = central.clone();
            values[i] = low;
            let delta_at_low = model.deltas(&values);
            values[i] = high;
            let delta_at_high = model.deltas(&values);
            TornadoBar {
                input: input.name.clone(),
                distribution: input.distribution.to_string(),
                low,
                high,
                delta_at_low,
                delta_at_high,
            }
        })
        .collect();
    bars.sort_by(|a, b| b.swing(criterion).total_cmp(&a.swing(criterion)));
    Ok(bars)
}
