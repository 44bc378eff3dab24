//! `energy`, `estimate`, `trace`, `lca`, `report` and `factors`: the assessment commands,
//! printed.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use anyhow::Result;
use clap::{Args, Subcommand, ValueEnum};
use ecolens_core::estimate::{Estimate, FactorOverrides};
use ecolens_core::report::{
    CRITERION_HEADERS, CRITERION_NOTE, REBOUND_HEADERS, REBOUND_NOTE, burden_shift_sentence,
    criterion_cells, num, quantity, rebound_rows,
};
use ecolens_core::{Project, TraceId};
use serde_json::json;

use super::{Keyboard, Output};
use crate::service::assess::{
    self as service, EstimateRequest, Method, ReportFormat, ReportRequest, ScenarioSource,
};
use crate::service::{Error, corpus::record as find};

fn describe(estimate: &Estimate, text: &mut String) -> Result<()> {
    writeln!(
        text,
        "  IT energy {} × PUE {} = {}; × {} gCO2e/kWh = {}{}",
        quantity(estimate.it_energy_kwh, "kWh"),
        num(estimate.pue),
        quantity(estimate.energy_kwh, "kWh"),
        num(estimate.intensity_g_per_kwh),
        quantity(estimate.co2e_kg, "kgCO2e"),
        estimate
            .water_l
            .map(|w| format!("; on-site water {}", quantity(w, "L")))
            .unwrap_or_default()
    )?;
    if let Some(kg) = estimate.embodied_co2e_kg {
        writeln!(
            text,
            "  + manufacturing share {} = {} with the electricity's",
            quantity(kg, "kgCO2e"),
            quantity(kg + estimate.co2e_kg, "kgCO2e")
        )?;
    }
    if let Some(kg) = estimate.unrounded_co2e_kg {
        writeln!(
            text,
            "  unrounded: {} (the calculator rounds energy, intensity and result to 0.01)",
            quantity(kg, "kgCO2e")
        )?;
    }
    for a in &estimate.assumptions {
        let value = if a.unit == "1" {
            num(a.value)
        } else {
            quantity(a.value, &a.unit)
        };
        writeln!(text, "    {} = {value} — {}", a.name, a.source)?;
    }
    Ok(())
}

/// "≈ 29,040 km by passenger car (Europe), …": the equivalents in one line, their sources
/// in `--json`.
fn equivalents_line(equivalents: &[ecolens_core::estimate::Equivalent]) -> String {
    let shown: Vec<String> = equivalents
        .iter()
        .map(|e| format!("{} {}", num(e.amount), e.what))
        .collect();
    format!(
        "  ≈ {} (Green Algorithms' reference values; --json gives each one's source)",
        shown.join(", ")
    )
}

/// `ecolens energy TRACE...`: one summary per run plus the total.
pub fn energy(
    paths: &[PathBuf],
    project: &FactorOverrides,
    overrides: &FactorOverrides,
) -> Result<Output> {
    let report = service::energy(paths, project, overrides)?;
    let mut text = String::new();
    for file in &report.files {
        if let Some(error) = &file.error {
            writeln!(text, "{error}")?;
            continue;
        }
        writeln!(
            text,
            "{} — {} run(s) of {}",
            file.path.display(),
            file.runs,
            file.tool.as_deref().unwrap_or("?")
        )?;
        for warning in &file.warnings {
            writeln!(text, "  ! {warning}")?;
        }
        for entry in report.runs.iter().filter(|r| r.file == file.path) {
            let run = &entry.summary;
            writeln!(
                text,
                "  run {}{}: {} s, {} as written (tool's PUE {} from {}){}{}",
                run.run,
                run.tool_version
                    .as_deref()
                    .map(|v| format!(" [{v}]"))
                    .unwrap_or_default(),
                num(run.duration_s),
                quantity(run.energy_kwh, "kWh"),
                run.pue_applied,
                run.pue_source,
                run.ef_applied_g_per_kwh
                    .map(|ef| format!("; tool's factor {} gCO2e/kWh", num(ef)))
                    .unwrap_or_default(),
                run.co2e_kg_tool
                    .map(|kg| format!("; tool's CO2e {}", quantity(kg, "kgCO2e")))
                    .unwrap_or_default(),
            )?;
            for c in &run.components {
                writeln!(
                    text,
                    "    {} {} ({:?})",
                    c.component.label(),
                    quantity(c.energy_kwh, "kWh"),
                    c.basis
                )?;
            }
            describe(&entry.footprint, &mut text)?;
            for warning in &run.warnings {
                writeln!(text, "    ! {warning}")?;
            }
        }
    }
    let t = &report.total;
    writeln!(
        text,
        "total: {} run(s), IT energy {}, {} with PUE, {}, {} on-site water",
        t.runs,
        quantity(t.it_energy_kwh, "kWh"),
        quantity(t.energy_kwh, "kWh"),
        quantity(t.co2e_kg, "kgCO2e"),
        quantity(t.water_l, "L")
    )?;
    let equivalents = ecolens_core::estimate::equivalents(t.co2e_kg);
    writeln!(text, "{}", equivalents_line(&equivalents))?;
    Ok(Output {
        json: json!({
            "files": report.files,
            "runs": report.runs,
            "errors": report.errors,
            "total": report.total,
            "equivalents": equivalents,
        }),
        text,
        failed: false,
    })
}

/// Which calculator `estimate` follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MethodArg {
    /// Green Algorithms (cores, GPUs, memory, PUE, location).
    GreenAlgorithms,
    /// ML CO2 Impact (GPU TDP × hours, cloud region, no PUE, 2-decimal rounding).
    MlCo2Impact,
}

impl From<MethodArg> for Method {
    fn from(method: MethodArg) -> Self {
        match method {
            MethodArg::GreenAlgorithms => Self::GreenAlgorithms,
            MethodArg::MlCo2Impact => Self::MlCo2Impact,
        }
    }
}

/// What `ecolens estimate` is told about the run.
#[derive(Debug, Args)]
pub struct EstimateArgs {
    /// Energy the run drew, kWh, before PUE (a paper's megawatt-hours × 1000); a figure that holds the
    /// data centre's overhead already takes --pue 1.
    #[arg(long, value_name = "KWH")]
    pub energy_kwh: Option<f64>,
    /// Average power per chip, W.
    #[arg(long)]
    pub power_w: Option<f64>,
    /// Chips drawing --power-w.
    #[arg(long, default_value_t = 1.0)]
    pub chips: f64,
    /// GPU model (as in Green Algorithms' or ML CO2 Impact's table).
    #[arg(long)]
    pub gpu: Option<String>,
    /// Number of GPUs.
    #[arg(long, default_value_t = 0)]
    pub gpus: u32,
    /// CPU model (Green Algorithms' table; Any = 12 W per core).
    #[arg(long)]
    pub cpu: Option<String>,
    /// Number of CPU cores.
    #[arg(long, default_value_t = 0)]
    pub cores: u32,
    /// Usage factor of cores and GPUs (0–1); --cpu-usage and --gpu-usage set one kind.
    #[arg(long, default_value_t = 1.0)]
    pub usage: f64,
    /// Usage factor of the CPU cores (0–1), over --usage.
    #[arg(long)]
    pub cpu_usage: Option<f64>,
    /// Usage factor of the GPUs (0–1), over --usage.
    #[arg(long)]
    pub gpu_usage: Option<f64>,
    /// Memory available, GB.
    #[arg(long, default_value_t = 0.0)]
    pub memory_gb: f64,
    /// Runtime, hours (not with --energy-kwh).
    #[arg(long, required_unless_present = "energy_kwh")]
    pub hours: Option<f64>,
    /// Which calculator to follow.
    #[arg(long, value_enum, default_value = "green-algorithms")]
    pub method: MethodArg,
    /// Cloud provider (gcp, aws, azure …): its data centres' PUE; with --region, the region's.
    #[arg(long)]
    pub provider: Option<String>,
    /// Cloud region with --provider (us-central1 …); without one, a Green Algorithms
    /// sub-national location (US-CA, or CA with --country USA).
    #[arg(long)]
    pub region: Option<String>,
    /// Multiplicative factor: identical runs.
    #[arg(long, default_value_t = 1.0)]
    pub runs: f64,
    /// Reproduce the calculator's own number: Green Algorithms' grid table and default PUE
    /// instead of the project's grid source and PUE (ML CO2 Impact always reproduces its
    /// calculator).
    #[arg(long)]
    pub reproduce: bool,
    /// Add the hardware's manufacturing share, amortised over its life as Luccioni et al.
    /// 2023 did for BLOOM (GPU card by model, 8-GPU server node, 6 years at 85 % use); the
    /// flags below change one input and imply it.
    #[arg(long)]
    pub embodied: bool,
    /// One GPU card's manufacturing GHG: kgCO2e, or a shipped id (`ecolens factors shipped
    /// embodied` lists them).
    #[arg(long, value_name = "ID|KG")]
    pub embodied_gpu: Option<String>,
    /// One server's without its GPUs: kgCO2e, a shipped id (`ecolens factors shipped
    /// embodied` lists them), or none.
    #[arg(long, value_name = "ID|KG|none")]
    pub embodied_server: Option<String>,
    /// GPUs per server.
    #[arg(long, value_name = "N")]
    pub gpus_per_server: Option<f64>,
    /// Hardware life, years.
    #[arg(long, value_name = "YEARS")]
    pub life_years: Option<f64>,
    /// Share of its life the hardware is in use (0–1].
    #[arg(long, value_name = "SHARE")]
    pub utilisation: Option<f64>,
}

impl EstimateArgs {
    /// The use-case layer's request.
    pub fn into_request(self) -> EstimateRequest {
        EstimateRequest {
            energy_kwh: self.energy_kwh,
            power_w: self.power_w,
            chips: self.chips,
            gpu: self.gpu,
            gpus: self.gpus,
            cpu: self.cpu,
            cores: self.cores,
            cpu_usage: self.cpu_usage.unwrap_or(self.usage),
            gpu_usage: self.gpu_usage.unwrap_or(self.usage),
            memory_gb: self.memory_gb,
            hours: self.hours.unwrap_or(0.0),
            method: self.method.into(),
            provider: self.provider,
            region: self.region,
            runs: self.runs,
            reproduce: self.reproduce,
            embodied: (self.embodied
                || self.embodied_gpu.is_some()
                || self.embodied_server.is_some()
                || self.gpus_per_server.is_some()
                || self.life_years.is_some()
                || self.utilisation.is_some())
            .then_some(service::EmbodiedRequest {
                gpu: self.embodied_gpu,
                server: self.embodied_server,
                gpus_per_server: self.gpus_per_server,
                life_years: self.life_years,
                utilisation: self.utilisation,
            }),
        }
    }
}

/// `ecolens estimate`.
pub fn estimate(
    request: &EstimateRequest,
    project: &FactorOverrides,
    overrides: &FactorOverrides,
) -> Result<Output> {
    let estimate = service::estimate(request, project, overrides)?;
    let mut text = format!("{} estimate\n", estimate.method);
    describe(&estimate, &mut text)?;
    // Of everything counted: the manufacturing share too when it was asked for.
    let equivalents = ecolens_core::estimate::equivalents(
        estimate.co2e_kg + estimate.embodied_co2e_kg.unwrap_or(0.0),
    );
    writeln!(text, "{}", equivalents_line(&equivalents))?;
    let mut json = serde_json::to_value(&estimate)?;
    json["equivalents"] = serde_json::to_value(&equivalents)?;
    Ok(Output {
        json,
        text,
        failed: false,
    })
}

/// `ecolens cues`; `of_record`: the cues are a record's (abstract and full text), not a
/// text's.
pub fn cues(found: &service::RecordCues, of_record: bool) -> Result<Output> {
    let mut text = String::new();
    for (field, cues) in [
        (
            if of_record { "abstract" } else { "text" },
            &found.abstract_cues,
        ),
        ("full text", &found.full_text_cues),
    ] {
        for c in cues {
            writeln!(
                text,
                "{field} {}–{}\t{}\t{}{}",
                c.start,
                c.end,
                c.kind.name(),
                c.text,
                c.value
                    .map(|v| format!("\t= {}{}", num(v), if c.per_chip { " chip-h" } else { "" }))
                    .unwrap_or_default()
            )?;
        }
    }
    if found.abstract_cues.is_empty() && found.full_text_cues.is_empty() {
        writeln!(text, "no figure of the paper's computing found")?;
    }
    if let Some((category, why)) = &found.suggestion {
        writeln!(
            text,
            "points to {} (a suggestion, not a classification): {why}",
            ecolens_taxonomy::Term::code(*category)
        )?;
    }
    Ok(Output {
        json: serde_json::to_value(found)?,
        text,
        failed: false,
    })
}

/// What `ecolens inference` is told.
#[derive(Debug, Args)]
pub struct InferenceArgs {
    /// List the models of EcoLogits' table (of --provider, or all) instead.
    #[arg(long, conflicts_with_all = ["model", "output_tokens", "latency_s", "requests", "reproduce"])]
    pub list: bool,
    /// Provider: openai, anthropic, mistral, google, cohere or huggingface.
    #[arg(long, required_unless_present = "list")]
    pub provider: Option<String>,
    /// Model, as the provider's API names it (gpt-4o-mini, claude-opus-4-5 …).
    #[arg(long, required_unless_present = "list")]
    pub model: Option<String>,
    /// Output tokens generated per request.
    #[arg(long, value_name = "TOKENS", required_unless_present = "list")]
    pub output_tokens: Option<f64>,
    /// Requests alike (the totals are per request × this).
    #[arg(long, default_value_t = 1.0)]
    pub requests: f64,
    /// Measured latency of one request, s: caps the generation time, as EcoLogits does.
    #[arg(long, value_name = "SECONDS")]
    pub latency_s: Option<f64>,
    /// Reproduce EcoLogits' number: its own electricity mix for the GWP instead of the
    /// project's grid source.
    #[arg(long)]
    pub reproduce: bool,
}

/// "12.3 mgCO2e", or "11.8–13.1 mgCO2e (mid 12.4 mgCO2e)": both ends in one unit.
fn span_text(span: ecolens_core::ecologits::Span, unit: &str) -> String {
    if span.is_point() {
        quantity(span.min, unit).trim_end().to_owned()
    } else {
        format!(
            "{} (mid {})",
            ecolens_core::quantity::range(span.min, span.max, span.mid(), unit).trim_end(),
            quantity(span.mid(), unit).trim_end()
        )
    }
}

/// `ecolens inference`.
pub fn inference(
    args: InferenceArgs,
    project: &FactorOverrides,
    overrides: &FactorOverrides,
) -> Result<Output> {
    if args.list {
        let models =
            ecolens_core::ecologits::models(args.provider.as_deref()).map_err(Error::from)?;
        let mut text = String::new();
        for m in &models {
            let size = if m.mixture_of_experts {
                format!(
                    "{} B active of {} B",
                    span_text(m.active_params_b, ""),
                    span_text(m.total_params_b, "")
                )
            } else {
                format!("{} B", span_text(m.active_params_b, ""))
            };
            writeln!(
                text,
                "{}\t{}\t{size}{}",
                m.provider,
                m.name,
                m.alias_of
                    .as_deref()
                    .map(|a| format!(" (alias of {a})"))
                    .unwrap_or_default()
            )?;
        }
        writeln!(
            text,
            "{} model(s), EcoLogits 0.11.3 (MPL-2.0)",
            models.len()
        )?;
        return Ok(Output {
            json: serde_json::to_value(&models)?,
            text,
            failed: false,
        });
    }
    let request = service::InferenceRequest {
        provider: args.provider.unwrap_or_default(),
        model: args.model.unwrap_or_default(),
        output_tokens: args.output_tokens.unwrap_or_default(),
        requests: args.requests,
        latency_s: args.latency_s,
        reproduce: args.reproduce,
    };
    let estimate = service::inference(&request, project, overrides)?;
    let mut text = format!(
        "{} estimate: {} {} in {}, {} request(s) of {} output tokens\n",
        estimate.method,
        estimate.model.provider,
        estimate.model.name,
        estimate.zone,
        num(estimate.requests),
        num(estimate.output_tokens)
    );
    let rows = |text: &mut String,
                label: &str,
                i: &ecolens_core::ecologits::InferenceImpacts|
     -> std::fmt::Result {
        writeln!(text, "  {label}:")?;
        writeln!(
            text,
            "    energy {} (GPUs {}, rest of server {}, × PUE)",
            span_text(i.energy_kwh, "kWh"),
            span_text(i.gpu_energy_kwh, "kWh"),
            span_text(i.server_energy_kwh, "kWh")
        )?;
        writeln!(
            text,
            "    GWP {} = use {} + manufacturing {}",
            span_text(i.gwp_kg, "kgCO2e"),
            span_text(i.usage_gwp_kg, "kgCO2e"),
            span_text(i.embodied_gwp_kg, "kgCO2e")
        )?;
        writeln!(text, "    ADPe {}", span_text(i.adpe_kgsb, "kgSbe"))?;
        writeln!(text, "    primary energy {}", span_text(i.pe_mj, "MJ"))?;
        writeln!(text, "    water {}", span_text(i.water_l, "L"))
    };
    let p = &estimate.per_request;
    writeln!(
        text,
        "  {} GPU(s), generation {}",
        span_text(p.gpus, ""),
        span_text(p.generation_s, "s")
    )?;
    rows(&mut text, "per request", p)?;
    if (estimate.requests - 1.0).abs() > f64::EPSILON {
        rows(&mut text, "all requests", &estimate.total)?;
    }
    let equivalents = ecolens_core::estimate::equivalents(estimate.total.gwp_kg.mid());
    writeln!(text, "{}", equivalents_line(&equivalents))?;
    for w in &estimate.warnings {
        writeln!(text, "  ! {w}")?;
    }
    for a in &estimate.assumptions {
        let value = if a.unit == "1" {
            num(a.value)
        } else {
            quantity(a.value, &a.unit)
        };
        writeln!(text, "    {} = {value} — {}", a.name, a.source)?;
    }
    let mut json = serde_json::to_value(&estimate)?;
    json["equivalents"] = serde_json::to_value(&equivalents)?;
    Ok(Output {
        json,
        text,
        failed: false,
    })
}

/// What `ecolens audit paper` is told: the paper's figures as it states them.
#[derive(Debug, Args)]
pub struct PaperArgs {
    /// A shipped worked case instead of figures: strubell-nas, strubell-bert,
    /// patterson-gpt3, bloom.
    #[arg(long, conflicts_with_all = ["chips", "power_w", "hours", "energy_kwh", "pue", "intensity", "co2e", "claim_more_than"])]
    pub example: Option<String>,
    /// Chips (GPUs, TPUs) drawing --power-w.
    #[arg(long)]
    pub chips: Option<f64>,
    /// Average power per chip, W.
    #[arg(long)]
    pub power_w: Option<f64>,
    /// Hours.
    #[arg(long)]
    pub hours: Option<f64>,
    /// Energy the paper states, kWh.
    #[arg(long, value_name = "KWH")]
    pub energy_kwh: Option<f64>,
    /// The stated energy already holds the PUE.
    #[arg(long)]
    pub energy_includes_pue: bool,
    /// PUE the paper states.
    #[arg(long)]
    pub pue: Option<f64>,
    /// Grid intensity as the paper states it, a mass per kWh: "0.954 lbs/kWh", "57 g/kWh".
    #[arg(long, value_name = "MASS/kWh")]
    pub intensity: Option<String>,
    /// CO2e as the paper states it: "626155 lbs", "552 t".
    #[arg(long, value_name = "MASS")]
    pub co2e: Option<String>,
    /// A lower bound the paper claims in words: "300 t" for "more than 300 t".
    #[arg(long, value_name = "MASS")]
    pub claim_more_than: Option<String>,
    /// Attach the audit to this record (id or DOI) as evidence for its a–f classification,
    /// as the reviewer at the keyboard (--reviewer).
    #[arg(long, value_name = "RECORD")]
    pub record: Option<String>,
    /// What the chain is, shown with the attached audit ("Table 3, NAS"); default "as given".
    #[arg(long)]
    pub label: Option<String>,
}

/// `ecolens audit paper`; with `--record`, in the open project (`project`), attached as the
/// reviewer at the keyboard.
pub fn audit_paper(
    args: &PaperArgs,
    project: Option<(&mut Project, &Keyboard<'_>)>,
) -> Result<Output> {
    use ecolens_core::paper_audit::{Mass, PaperChain, examples};
    let chain = match &args.example {
        Some(name) => examples()
            .into_iter()
            .find(|(n, _)| n == name)
            .map(|(_, chain)| chain)
            .ok_or_else(|| Error::Invalid {
                field: "example",
                value: name.clone(),
                expected: format!(
                    "one of {}",
                    examples()
                        .iter()
                        .map(|(n, _)| *n)
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            })?,
        None => {
            let mass = |text: &Option<String>| -> Result<Option<Mass>> {
                Ok(text.as_deref().map(str::parse).transpose()?)
            };
            PaperChain {
                label: args.label.clone().unwrap_or_else(|| "as given".to_owned()),
                chips: args.chips,
                power_w: args.power_w,
                hours: args.hours,
                energy_kwh: args.energy_kwh,
                energy_includes_pue: args.energy_includes_pue,
                pue: args.pue,
                intensity_per_kwh: mass(&args.intensity)?,
                co2e: mass(&args.co2e)?,
                claimed_more_than: mass(&args.claim_more_than)?,
            }
        }
    };
    let (audited, attached) = match project {
        Some((project, keyboard)) => {
            let record = match &args.record {
                Some(reference) => Some(find(project, reference)?),
                None => None,
            };
            let author = keyboard.reader(project)?;
            let (audited, id) = service::audit_paper(Some(project), author, record, &chain)?;
            (audited, id.zip(record))
        }
        None => (service::audit_paper(None, None, None, &chain)?.0, None),
    };
    let mut text = format!("{}\n", chain.label);
    if audited.findings.is_empty() {
        text.push_str("nothing to check: give at least two links of the chain that meet (an energy or hardware and hours, an intensity, a CO2e)\n");
    }
    for f in &audited.findings {
        let verdict = if f.verdict.is_problem() {
            f.verdict.words().to_uppercase()
        } else {
            f.verdict.words().to_owned()
        };
        writeln!(
            text,
            "  {:<6} {verdict}: stated {}, recomputed {}; {}",
            f.link, f.stated, f.recomputed, f.note
        )?;
    }
    let mut json = serde_json::to_value(&audited)?;
    if let Some((id, record)) = attached {
        writeln!(
            text,
            "attached to record {record} as paper audit {id} ({})",
            audited.summary()
        )?;
        json["attached"] = json!({"id": id, "record": record});
    }
    Ok(Output {
        json,
        text,
        // The audit ran: a mismatch it finds is its result, not a failure of the command.
        failed: false,
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
pub fn trace(project: &mut Project, command: TraceCommand) -> Result<Output> {
    match command {
        TraceCommand::Attach { record, trace } => {
            let id = find(project, &record)?;
            let attached = service::attach(project, Some(id), &trace)?;
            let mut text = format!(
                "attached {} run(s) of {} from {} to record {id}: trace id(s) {}\n",
                attached.trace_ids.len(),
                attached.tool,
                trace.display(),
                attached
                    .trace_ids
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            for warning in &attached.warnings {
                writeln!(text, "  ! {warning}")?;
            }
            Ok(Output {
                json: json!({ "record": id, "format": attached.format, "trace_ids": attached.trace_ids, "warnings": attached.warnings }),
                text,
                failed: false,
            })
        }
        TraceCommand::List { record } => {
            let id = record.map(|r| find(project, &r)).transpose()?;
            let traces = service::traces(project, id)?;
            let mut text = String::new();
            for t in &traces {
                writeln!(
                    text,
                    "{}\trecord {}\t{}\t{}\t{} (IT {})\t{}",
                    t.id,
                    t.record.map_or_else(|| "-".to_owned(), |r| r.to_string()),
                    t.summary.tool(),
                    t.summary.run,
                    quantity(t.summary.energy_kwh, "kWh"),
                    quantity(t.summary.it_energy_kwh(), "kWh"),
                    t.source_file
                )?;
            }
            if traces.is_empty() {
                text.push_str("no traces attached\n");
            }
            Ok(Output {
                json: serde_json::to_value(&traces)?,
                text,
                failed: false,
            })
        }
        TraceCommand::Detach { id } => {
            service::detach(project, TraceId(id))?;
            Ok(Output {
                json: json!({ "detached": id }),
                text: format!("detached trace {id}\n"),
                failed: false,
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
    let source = match path.to_str().and_then(|p| p.strip_prefix("example:")) {
        Some(name) => ScenarioSource::Example(name.to_owned()),
        None => ScenarioSource::File(path.to_owned()),
    };
    let loaded = service::load_scenario(&source)?;
    let stored = match record {
        Some(reference) => {
            let id = find(project, reference)?;
            Some((id, service::save_scenario(project, id, &loaded.toml)?))
        }
        None => None,
    };
    let scenario = loaded.scenario;
    let outcome = service::evaluate_scenario(
        project,
        scenario,
        runs,
        seed,
        &AtomicBool::new(false),
        &|_| {},
    )?;
    let (result, mc, scenario) = (&outcome.evaluation, &outcome.monte_carlo, &outcome.scenario);
    let bars = outcome.tornado.first().cloned().unwrap_or_default();
    let mut text = format!(
        "{}\nfunctional unit: {}\n",
        result.name, result.functional_unit
    );
    let rows: Vec<[String; 9]> = std::iter::once(CRITERION_HEADERS.map(str::to_owned))
        .chain(
            result
                .criteria
                .iter()
                .zip(&mc.criteria)
                .map(|(c, m)| criterion_cells(c, m)),
        )
        .collect();
    text.push_str(&aligned(&rows));
    writeln!(text, "{CRITERION_NOTE}")?;
    let rebound = rebound_rows(result, mc);
    if !rebound.is_empty() {
        writeln!(text, "\nAfter rebound:")?;
        let rows: Vec<[String; 9]> = std::iter::once(REBOUND_HEADERS.map(str::to_owned))
            .chain(rebound)
            .collect();
        text.push_str(&aligned(&rows));
        writeln!(text, "{REBOUND_NOTE}")?;
        if let Some(inputs) = &result.rebound_inputs {
            writeln!(text, "{inputs}")?;
        }
    }
    for (id, described) in &result.shipped {
        writeln!(text, "shipped factor #{id} = {described}")?;
    }
    writeln!(text, "{}", burden_shift_sentence(result, mc))?;
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
        failed: false,
    })
}

/// The figures of a criterion row, right-aligned in columns wide enough for the headers.
/// Rows as a text table: the name and unit columns left-aligned, the numbers right-aligned,
/// each column as wide as its widest cell.
fn aligned<const COLUMNS: usize>(rows: &[[String; COLUMNS]]) -> String {
    let mut widths = [0_usize; COLUMNS];
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    for row in rows {
        let cells: Vec<String> = row
            .iter()
            .zip(widths)
            .enumerate()
            .map(|(at, (cell, width))| {
                if at < 2 {
                    format!("{cell:<width$}")
                } else {
                    format!("{cell:>width$}")
                }
            })
            .collect();
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
    }
    out
}

/// What `report` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormatArg {
    /// A self-contained HTML page.
    Html,
    /// Markdown.
    Md,
    /// The emissions statement of a record's traces, Markdown.
    StatementMd,
    /// The emissions statement of a record's traces, LaTeX.
    StatementTex,
}

impl From<ReportFormatArg> for ReportFormat {
    fn from(format: ReportFormatArg) -> Self {
        match format {
            ReportFormatArg::Html => Self::Html,
            ReportFormatArg::Md => Self::Md,
            ReportFormatArg::StatementMd => Self::StatementMd,
            ReportFormatArg::StatementTex => Self::StatementTex,
        }
    }
}

/// `ecolens report RECORD|--all --format … OUT`.
pub fn report(
    project: &Project,
    keyboard: &Keyboard<'_>,
    targets: &[PathBuf],
    all: bool,
    format: ReportFormat,
    runs: usize,
    seed: u64,
) -> Result<Output> {
    let usage = |expected: &str| Error::Invalid {
        field: "report",
        value: targets
            .iter()
            .map(|t| t.display().to_string())
            .collect::<Vec<_>>()
            .join(" "),
        expected: expected.to_owned(),
    };
    let (record, out) = match (all, targets) {
        (true, [out]) => (None, out),
        (false, [record, out]) => (Some(find(project, &record.to_string_lossy())?), out),
        (true, _) => {
            return Err(usage(
                "one file to write with --all: ecolens report --all --format html OUT",
            )
            .into());
        }
        (false, _) => {
            return Err(usage(
                "a record and a file to write: ecolens report RECORD --format html OUT (or --all OUT)",
            )
            .into());
        }
    };
    let reader = keyboard.reader(project)?;
    let written = service::report(
        project,
        reader,
        &ReportRequest {
            record,
            format,
            path: out.clone(),
            runs,
            seed,
        },
    )?;
    let what = match record {
        Some(id) => format!("record {id}"),
        None => format!("{} record(s)", written.records),
    };
    Ok(Output {
        text: format!(
            "wrote {} ({} bytes, {what})\n",
            out.display(),
            written.bytes
        ),
        json: json!({ "out": out, "bytes": written.bytes, "report": written.report }),
        failed: false,
    })
}

/// `ecolens factors set|clear|shipped`.
#[derive(Debug, Subcommand)]
pub enum FactorsCommand {
    /// The values ecolens ships with their ids (for `#id` in scenarios and
    /// `--embodied-gpu`/`--embodied-server`), value, unit, source, year and licence.
    Shipped {
        /// Only ids or names containing this (embodied, pue, inference …).
        contains: Option<String>,
    },
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
        /// Where the values come from (shown as their source in every result); needed with
        /// --pue, --intensity or --wue.
        #[arg(long, required_if_eq_any = [("pue", "*"), ("intensity", "*"), ("wue", "*")])]
        source: Option<String>,
        /// Where grid intensities come from, for every estimate, trace and report of the
        /// project: digital4better (life cycle, by year; the default), codecarbon
        /// (OWID/Ember) or green-algorithms.
        #[arg(long, value_name = "SOURCE")]
        grid_source: Option<ecolens_core::factors::GridSource>,
        /// Data year of the grid intensities for runs whose year is not known.
        #[arg(long, value_name = "YEAR")]
        grid_year: Option<i32>,
    },
    /// Remove every override: the shipped defaults apply again.
    Clear,
}

/// `ecolens factors [set|clear]`.
/// `ecolens factors shipped [TEXT]`: no project needed.
pub fn shipped_factors(contains: Option<&str>) -> Result<Output> {
    let wanted = contains.map(str::to_lowercase);
    let factors: Vec<&ecolens_core::factors::Factor> = ecolens_core::factors::library()
        .defaults()
        .iter()
        .filter(|f| {
            wanted.as_deref().is_none_or(|w| {
                f.id.to_lowercase().contains(w) || f.name.to_lowercase().contains(w)
            })
        })
        .collect();
    let mut text = String::new();
    for f in &factors {
        writeln!(
            text,
            "{}\t{} {}\t{} — {}",
            f.id,
            f.value,
            f.unit,
            f.name,
            f.provenance.describe()
        )?;
    }
    writeln!(text, "{} shipped value(s)", factors.len())?;
    Ok(Output {
        json: serde_json::to_value(&factors)?,
        text,
        failed: false,
    })
}

/// `ecolens factors [set|clear]`: the project's own values, shown or changed.
pub fn factors(project: &mut Project, action: Option<FactorsCommand>) -> Result<Output> {
    let overrides = match action {
        Some(FactorsCommand::Shipped { contains }) => {
            return shipped_factors(contains.as_deref());
        }
        None => service::factors(project)?,
        Some(FactorsCommand::Clear) => {
            service::replace_factors(project, &FactorOverrides::default())?
        }
        Some(FactorsCommand::Set {
            country,
            pue,
            intensity,
            wue,
            source,
            grid_source,
            grid_year,
        }) => service::set_factors(
            project,
            &FactorOverrides {
                country,
                pue,
                intensity_g_per_kwh: intensity,
                wue_l_per_kwh: wue,
                source,
                grid_source,
                grid_year,
            },
        )?,
    };
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
            (
                "grid source",
                overrides.grid_source.map(|g| g.label().to_owned()),
            ),
            ("grid year", overrides.grid_year.map(|y| y.to_string())),
        ] {
            writeln!(
                text,
                "{name:<15} {}",
                value.unwrap_or_else(|| "shipped default".to_owned())
            )?;
        }
        if overrides.has_own_values() {
            writeln!(
                text,
                "source          {}",
                overrides.source.as_deref().unwrap_or("given by the user")
            )?;
        }
    }
    Ok(Output {
        json: serde_json::to_value(&overrides)?,
        text,
        failed: false,
    })
}
