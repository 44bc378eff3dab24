//! Headless assessment commands: `energy`, `estimate`, `trace`, `lca`.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use clap::{Subcommand, ValueEnum};
use ecolens_core::energy::read_trace;
use ecolens_core::estimate::{
    Estimate, FactorOverrides, GreenAlgorithmsInput, Place, chip_hours, footprint,
    green_algorithms, ml_co2_impact,
};
use ecolens_core::lca::{Scenario, evaluate, monte_carlo, tornado};
use ecolens_core::report::{
    CRITERION_HEADERS, EmissionsStatement, ProjectReport, RecordReport, ReportOptions,
    burden_shift_sentence, criterion_cells,
};
use ecolens_core::{Project, TraceId};
use serde_json::json;

use crate::cli::Output;
use crate::review_commands;

fn describe(estimate: &Estimate, text: &mut String) -> Result<()> {
    writeln!(
        text,
        "  IT energy {:.6} kWh × PUE {:.3} = {:.6} kWh; × {:.1} gCO2e/kWh = {:.6} kgCO2e{}",
        estimate.it_energy_kwh,
        estimate.pue,
        estimate.energy_kwh,
        estimate.intensity_g_per_kwh,
        estimate.co2e_kg,
        estimate
            .water_l
            .map(|w| format!("; on-site water {w:.3} L"))
            .unwrap_or_default()
    )?;
    for a in &estimate.assumptions {
        let unit = if a.unit == "1" {
            String::new()
        } else {
            format!(" {}", a.unit)
        };
        writeln!(text, "    {} = {}{unit} — {}", a.name, a.value, a.source)?;
    }
    Ok(())
}

/// `ecolens energy TRACE...`: one summary per run plus the total.
pub fn energy(paths: &[PathBuf], flags: &FactorOverrides) -> Result<Output> {
    let mut text = String::new();
    let mut runs_json = Vec::new();
    let mut errors = Vec::new();
    let (mut total_it, mut total_energy, mut total_co2, mut total_water) = (0.0, 0.0, 0.0, 0.0);
    for path in paths {
        let file = match read_trace(path) {
            Ok(file) => file,
            Err(error) => {
                writeln!(text, "{error}")?;
                errors.push(error.to_string());
                continue;
            }
        };
        writeln!(
            text,
            "{} — {} run(s) of {}",
            path.display(),
            file.runs.len(),
            file.format.tool()
        )?;
        for warning in &file.warnings {
            writeln!(text, "  ! {warning}")?;
        }
        for run in &file.runs {
            let (pue, intensity, wue) = flags.resolve(&Place::of_trace(run));
            let result = footprint(
                run.it_energy_kwh(),
                &pue,
                &intensity,
                Some(&wue),
                &format!("{} trace", run.tool()),
            );
            writeln!(
                text,
                "  run {}{}: {:.1} s, {:.6} kWh as written (tool's PUE {} from {}){}{}",
                run.run,
                run.tool_version
                    .as_deref()
                    .map(|v| format!(" [{v}]"))
                    .unwrap_or_default(),
                run.duration_s,
                run.energy_kwh,
                run.pue_applied,
                run.pue_source,
                run.ef_applied_g_per_kwh
                    .map(|ef| format!("; tool's factor {ef:.3} gCO2e/kWh"))
                    .unwrap_or_default(),
                run.co2e_kg_tool
                    .map(|kg| format!("; tool's CO2e {kg:.6e} kg"))
                    .unwrap_or_default(),
            )?;
            for c in &run.components {
                writeln!(
                    text,
                    "    {} {:.6} kWh ({:?})",
                    c.component.label(),
                    c.energy_kwh,
                    c.basis
                )?;
            }
            describe(&result, &mut text)?;
            for warning in &run.warnings {
                writeln!(text, "    ! {warning}")?;
            }
            total_it += result.it_energy_kwh;
            total_energy += result.energy_kwh;
            total_co2 += result.co2e_kg;
            total_water += result.water_l.unwrap_or(0.0);
            runs_json.push(json!({ "file": path, "summary": run, "footprint": result }));
        }
    }
    writeln!(
        text,
        "total: {} run(s), IT energy {total_it:.6} kWh, {total_energy:.6} kWh with PUE, {total_co2:.6} kgCO2e, {total_water:.3} L on-site water",
        runs_json.len()
    )?;
    if runs_json.is_empty() && !errors.is_empty() {
        bail!("{}", errors.join("\n"));
    }
    Ok(Output {
        json: json!({
            "runs": runs_json,
            "errors": errors,
            "total": { "runs": runs_json.len(), "it_energy_kwh": total_it, "energy_kwh": total_energy, "co2e_kg": total_co2, "water_l": total_water },
        }),
        text,
    })
}

/// Which calculator `estimate` follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Method {
    /// Green Algorithms (cores, GPUs, memory, PUE, location).
    GreenAlgorithms,
    /// ML CO2 Impact (GPU TDP × hours, cloud region, no PUE, 2-decimal rounding).
    MlCo2Impact,
}

/// Inputs of `estimate`.
#[derive(Debug, Clone)]
pub struct EstimateArgs {
    /// Average power per chip, W (the chip-hours form).
    pub power_w: Option<f64>,
    /// Chips for `power_w`.
    pub chips: f64,
    /// GPU model.
    pub gpu: Option<String>,
    /// GPUs.
    pub gpus: u32,
    /// CPU model.
    pub cpu: Option<String>,
    /// Cores.
    pub cores: u32,
    /// Usage factor.
    pub usage: f64,
    /// Memory, GB.
    pub memory_gb: f64,
    /// Hours.
    pub hours: f64,
    /// Calculator.
    pub method: Method,
    /// Cloud provider and region (ML CO2 Impact).
    pub provider: Option<String>,
    /// See `provider`.
    pub region: Option<String>,
    /// Multiplicative factor.
    pub runs: f64,
}

/// `ecolens estimate`.
pub fn estimate(args: &EstimateArgs, flags: &FactorOverrides) -> Result<Output> {
    let estimate = compute_estimate(args, flags)?;
    let mut text = format!("{} estimate\n", estimate.method);
    describe(&estimate, &mut text)?;
    Ok(Output {
        json: serde_json::to_value(&estimate)?,
        text,
    })
}

/// The estimate `args` ask for, with `flags` over the defaults (the CLI's and the window's
/// calculator).
pub fn compute_estimate(args: &EstimateArgs, flags: &FactorOverrides) -> Result<Estimate> {
    Ok(if let Some(power_w) = args.power_w {
        let (pue, intensity, _) = flags.resolve(&Place::default());
        chip_hours(args.chips, args.hours, power_w, &pue, &intensity)?
    } else {
        match args.method {
            Method::GreenAlgorithms => {
                let location = flags.country.as_deref().map(|c| {
                    ecolens_core::factors::country_iso2(c).unwrap_or_else(|| c.to_ascii_uppercase())
                });
                green_algorithms(&GreenAlgorithmsInput {
                    runtime_h: args.hours,
                    cores: args.cores,
                    cpu_model: args.cpu.clone(),
                    cpu_usage: args.usage,
                    gpus: if args.gpu.is_some() && args.gpus == 0 {
                        1
                    } else {
                        args.gpus
                    },
                    gpu_model: args.gpu.clone(),
                    gpu_usage: args.usage,
                    memory_gb: args.memory_gb,
                    pue: flags.pue,
                    intensity_g_per_kwh: flags.intensity_g_per_kwh,
                    location,
                    multiplier: args.runs,
                })?
            }
            Method::MlCo2Impact => {
                let region = args.provider.as_deref().zip(args.region.as_deref());
                let gpu = args
                    .gpu
                    .as_deref()
                    .context("--method ml-co2-impact needs --gpu MODEL (a name from ML CO2 Impact's gpus.csv)")?;
                ml_co2_impact(
                    gpu,
                    args.gpus.max(1),
                    args.hours,
                    region,
                    flags.intensity_g_per_kwh,
                )?
            }
        }
    })
}

/// `ecolens trace …`.
#[derive(Debug, Subcommand)]
pub enum TraceCommand {
    /// Read a trace file and attach its runs to a record.
    Attach {
        /// The record (id, DOI, pmid:…, arxiv:…).
        record: String,
        /// The trace file.
        trace: PathBuf,
    },
    /// List the traces attached to a record (or all).
    List {
        /// The record.
        record: Option<String>,
    },
    /// Detach one trace run by its id.
    Detach {
        /// Trace id.
        id: i64,
    },
}

/// Runs a trace command.
pub fn trace_command(project: &mut Project, command: TraceCommand) -> Result<Output> {
    match command {
        TraceCommand::Attach { record, trace } => {
            let id = review_commands::record(project, &record)?;
            let (file, ids) = ecolens_core::store::attach_trace_file(project, Some(id), &trace)?;
            let mut text = format!(
                "attached {} run(s) of {} from {} to record {id}: trace id(s) {}\n",
                ids.len(),
                file.format.tool(),
                trace.display(),
                ids.iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            for warning in &file.warnings {
                writeln!(text, "  ! {warning}")?;
            }
            Ok(Output {
                json: json!({ "record": id, "format": file.format, "trace_ids": ids, "warnings": file.warnings }),
                text,
            })
        }
        TraceCommand::List { record } => {
            let id = record
                .map(|r| review_commands::record(project, &r))
                .transpose()?;
            let traces = project.traces(id)?;
            let mut text = String::new();
            for t in &traces {
                writeln!(
                    text,
                    "{}\trecord {}\t{}\t{}\t{:.6} kWh (IT {:.6})\t{}",
                    t.id,
                    t.record.map_or_else(|| "-".to_owned(), |r| r.to_string()),
                    t.summary.tool(),
                    t.summary.run,
                    t.summary.energy_kwh,
                    t.summary.it_energy_kwh(),
                    t.source_file
                )?;
            }
            if traces.is_empty() {
                text.push_str("no traces attached\n");
            }
            Ok(Output {
                json: serde_json::to_value(&traces)?,
                text,
            })
        }
        TraceCommand::Detach { id } => {
            project.delete_trace(TraceId(id))?;
            Ok(Output {
                json: json!({ "detached": id }),
                text: format!("detached trace {id}\n"),
            })
        }
    }
}

/// `ecolens lca SCENARIO.toml`: deterministic result, Monte Carlo intervals, tornado; with
/// `--record` the scenario is stored with that record.
pub fn lca(
    project: &mut Project,
    path: &Path,
    runs: usize,
    seed: u64,
    record: Option<&str>,
) -> Result<Output> {
    let shipped = path
        .to_str()
        .and_then(|p| p.strip_prefix("example:"))
        .map(|name| {
            ecolens_core::lca::EXAMPLES
                .iter()
                .find(|(file, _)| file.trim_end_matches(".toml") == name.trim_end_matches(".toml"))
                .map(|(_, text)| (*text).to_owned())
                .with_context(|| {
                    format!(
                        "no shipped example {name:?}; the examples are: {}",
                        ecolens_core::lca::EXAMPLES
                            .iter()
                            .map(|(f, _)| format!("example:{}", f.trim_end_matches(".toml")))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                })
        });
    let toml = match shipped {
        Some(text) => text?,
        None => std::fs::read_to_string(path)
            .with_context(|| format!("cannot read {}", path.display()))?,
    };
    let scenario = Scenario::from_toml(&toml).with_context(|| format!("{}", path.display()))?;
    let stored = match record {
        Some(reference) => {
            let id = review_commands::record(project, reference)?;
            Some((id, project.save_scenario(Some(id), &toml)?))
        }
        None => None,
    };
    // Every attached trace's IT energy, read once: a damaged row is an error, not "not found".
    let attached: std::collections::HashMap<i64, f64> = project
        .traces(None)?
        .into_iter()
        .map(|t| (t.id.0, t.summary.it_energy_kwh()))
        .collect();
    let traces = |id: i64| attached.get(&id).copied();
    let result = evaluate(&scenario, &traces)?;
    let mc = monte_carlo(&scenario, &traces, runs, seed)?;
    let bars = tornado(&scenario, &traces, 0)?;
    let mut text = format!(
        "{}\nfunctional unit: {}\n",
        result.name, result.functional_unit
    );
    let [criterion, unit, rest @ ..] = CRITERION_HEADERS;
    writeln!(text, "{criterion:<9} {}  {unit}", columns(&rest))?;
    for (c, m) in result.criteria.iter().zip(&mc.criteria) {
        let [code, unit, rest @ ..] = criterion_cells(c, m);
        writeln!(text, "{code:<9} {}  {unit}", columns(&rest))?;
    }
    writeln!(text, "{}", burden_shift_sentence(&result, &mc))?;
    let shift = &result.burden_shift;
    for (criterion, saved, added) in &shift.between_phases {
        writeln!(
            text,
            "shift between phases on {criterion}: saves in {}, adds in {}",
            saved
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", "),
            added
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        )?;
    }
    writeln!(
        text,
        "Monte Carlo: {} paired runs, seed {}, {} uncertain inputs",
        mc.runs, mc.seed, mc.uncertain_inputs
    )?;
    writeln!(
        text,
        "tornado on {} (Δ at the input's 5 % and 95 % values):",
        scenario.criteria[0]
    )?;
    for bar in bars.iter().take(10) {
        writeln!(
            text,
            "  {:<48} {:>12.4e} … {:>12.4e}   ({})",
            bar.input, bar.delta_at_low[0], bar.delta_at_high[0], bar.distribution
        )?;
    }
    for warning in &result.warnings {
        writeln!(text, "  ! {warning}")?;
    }
    if let Some((record, id)) = stored {
        writeln!(text, "stored as scenario {id} of record {record}")?;
    }
    Ok(Output {
        json: json!({
            "evaluation": result,
            "monte_carlo": mc,
            "tornado": bars,
            "stored": stored.map(|(record, id)| json!({ "record": record, "scenario": id })),
        }),
        text,
    })
}

/// The figures of a criterion row, right-aligned in columns wide enough for the headers.
fn columns(cells: &[impl AsRef<str>]) -> String {
    const WIDTHS: [usize; 6] = [12, 12, 12, 8, 34, 12];
    cells
        .iter()
        .zip(WIDTHS)
        .map(|(cell, width)| format!("{:>width$}", cell.as_ref()))
        .collect::<Vec<_>>()
        .join(" ")
}

/// What `report` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    /// A self-contained HTML page.
    Html,
    /// Markdown.
    Md,
    /// The emissions statement of a record's traces, Markdown.
    StatementMd,
    /// The emissions statement of a record's traces, LaTeX.
    StatementTex,
}

/// `ecolens report RECORD|--all --format … OUT`.
pub fn report(
    project: &Project,
    record: Option<&str>,
    format: ReportFormat,
    out: &Path,
    reviewer: Option<&str>,
    runs: usize,
    seed: u64,
) -> Result<Output> {
    let options = ReportOptions {
        viewer: reviewer
            .map(|name| review_commands::reviewer(project, name).map(|r| r.id))
            .transpose()?,
        runs,
        seed,
    };
    let (text, what, json) = match record {
        Some(reference) => {
            let id = review_commands::record(project, reference)?;
            let report = RecordReport::gather(project, id, &options)?;
            let statement = || {
                EmissionsStatement::of(&report.traces).with_context(|| {
                    format!(
                        "record {id} has no trace attached, so there is no emissions statement (ecolens trace attach {id} FILE)"
                    )
                })
            };
            let text = match format {
                ReportFormat::Html => report.html(),
                ReportFormat::Md => report.markdown(),
                ReportFormat::StatementMd => statement()?.markdown() + "\n",
                ReportFormat::StatementTex => statement()?.latex(),
            };
            (text, format!("record {id}"), serde_json::to_value(&report)?)
        }
        None => {
            let report = ProjectReport::gather(project, &options)?;
            let text = match format {
                ReportFormat::Html => report.html(),
                ReportFormat::Md => report.markdown(),
                ReportFormat::StatementMd | ReportFormat::StatementTex => {
                    let traces: Vec<_> = report
                        .records
                        .iter()
                        .flat_map(|r| r.traces.clone())
                        .collect();
                    let statement = EmissionsStatement::of(&traces).context(
                        "no record has a trace attached, so there is no emissions statement",
                    )?;
                    if format == ReportFormat::StatementMd {
                        statement.markdown() + "\n"
                    } else {
                        statement.latex()
                    }
                }
            };
            (
                text,
                format!("{} record(s)", report.records.len()),
                serde_json::to_value(&report)?,
            )
        }
    };
    ecolens_corpus::export::write_atomically(out, |w| {
        w.write_all(text.as_bytes())
            .map_err(|source| ecolens_corpus::Error::Io {
                action: "cannot write",
                path: out.to_owned(),
                source,
            })
    })?;
    Ok(Output {
        text: format!("wrote {} ({} bytes, {what})\n", out.display(), text.len()),
        json: json!({ "out": out, "bytes": text.len(), "report": json }),
    })
}

/// `ecolens factors set|clear`.
#[derive(Debug, Subcommand)]
pub enum FactorsCommand {
    /// Set some of the project's own values (the others stay as they are).
    Set {
        /// Country (ISO 3166 alpha-3 or alpha-2) whose grid intensity applies.
        #[arg(long, value_name = "ISO3")]
        country: Option<String>,
        /// PUE.
        #[arg(long)]
        pue: Option<f64>,
        /// Grid carbon intensity, gCO2e/kWh.
        #[arg(long, value_name = "G_PER_KWH")]
        intensity: Option<f64>,
        /// Site water usage effectiveness, L/kWh.
        #[arg(long, value_name = "L_PER_KWH")]
        wue: Option<f64>,
        /// Where the values come from (shown as their source in every result).
        #[arg(long)]
        source: String,
    },
    /// Remove every override: the shipped defaults apply again.
    Clear,
}

/// `ecolens factors [set|clear]`.
pub fn factors(project: &mut Project, action: Option<FactorsCommand>) -> Result<Output> {
    match action {
        None => {}
        Some(FactorsCommand::Clear) => project.set_factor_overrides(&FactorOverrides::default())?,
        Some(FactorsCommand::Set {
            country,
            pue,
            intensity,
            wue,
            source,
        }) => {
            let old = project.factor_overrides()?;
            project.set_factor_overrides(&FactorOverrides {
                country: country.or(old.country),
                pue: pue.or(old.pue),
                intensity_g_per_kwh: intensity.or(old.intensity_g_per_kwh),
                wue_l_per_kwh: wue.or(old.wue_l_per_kwh),
                source: Some(source),
            })?;
        }
    }
    let overrides = project.factor_overrides()?;
    let mut text = String::new();
    if overrides.is_empty() {
        text.push_str("no overrides: every footprint uses the shipped defaults for its place\n");
    } else {
        for (name, value) in [
            ("country", overrides.country.clone()),
            ("PUE", overrides.pue.map(|v| v.to_string())),
            (
                "grid intensity",
                overrides
                    .intensity_g_per_kwh
                    .map(|v| format!("{v} gCO2e/kWh")),
            ),
            ("WUE", overrides.wue_l_per_kwh.map(|v| format!("{v} L/kWh"))),
        ] {
            writeln!(
                text,
                "{name:<15} {}",
                value.unwrap_or_else(|| "shipped default".to_owned())
            )?;
        }
        writeln!(
            text,
            "source          {}",
            overrides.source.as_deref().unwrap_or("given by the user")
        )?;
    }
    Ok(Output {
        json: serde_json::to_value(&overrides)?,
        text,
    })
}
