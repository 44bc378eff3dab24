//! Assessing a record end to end: measured traces and their footprint, estimates, LCA
//! scenarios evaluated with Monte Carlo, reports, and the project's own factors.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use ecolens_core::energy::{TraceFile, TraceSummary, read_trace};
use ecolens_core::estimate::{
    Estimate, FactorOverrides, GreenAlgorithmsInput, Place, RunFootprint, chip_hours, footprint,
    green_algorithms, ml_co2_impact,
};
use ecolens_core::lca::{
    EXAMPLES, Evaluation, MonteCarlo, Scenario, TornadoBar, evaluate, monte_carlo_with_progress,
    tornado,
};
use ecolens_core::report::{
    EmissionsStatement, ProjectReport, RecordReport, ReportOptions, TraceView,
};
use ecolens_core::store::{AssessedRecord, StoredScenario, StoredTrace};
use ecolens_core::{Project, RecordId, ReviewerId, ScenarioId, TraceId};
use serde::Serialize;

use super::project::seen_by;
use super::{Error, Result, write_text};

/// One run of a trace file with its footprint.
#[derive(Debug, Clone, Serialize)]
pub struct EnergyRun {
    /// The file.
    pub file: PathBuf,
    /// The normalised summary.
    pub summary: TraceSummary,
    /// Its footprint (the tool's PUE divided out, the place's or the flags' factors).
    pub footprint: Estimate,
}

/// Totals over every run read.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct EnergyTotal {
    /// Runs.
    pub runs: usize,
    /// IT energy, kWh.
    pub it_energy_kwh: f64,
    /// Energy with PUE, kWh.
    pub energy_kwh: f64,
    /// CO2e, kg.
    pub co2e_kg: f64,
    /// On-site water, L.
    pub water_l: f64,
}

/// What `energy` read: per file, its warnings and runs (or why it could not be read).
#[derive(Debug, Clone, Serialize)]
pub struct EnergyReport {
    /// The files read, with what each gave.
    pub files: Vec<EnergyFile>,
    /// Every run.
    pub runs: Vec<EnergyRun>,
    /// Files that could not be read, in words.
    pub errors: Vec<String>,
    /// Totals.
    pub total: EnergyTotal,
}

/// One file of an `energy` reading.
#[derive(Debug, Clone, Serialize)]
pub struct EnergyFile {
    /// The file.
    pub path: PathBuf,
    /// The tool that wrote it, when read.
    pub tool: Option<String>,
    /// Runs read from it.
    pub runs: usize,
    /// Its warnings.
    pub warnings: Vec<String>,
    /// Why it could not be read.
    pub error: Option<String>,
}

/// Reads trace files: one footprint per run under the project's factors (`project`) with
/// the command line's (`top`) over them (or the run's place), and the total. A file that
/// cannot be read is reported and the others go on; none readable is an error. A file that
/// an earlier one already took in (the two logs of one CarbonTracker run) is not counted
/// again.
pub fn energy(
    paths: &[PathBuf],
    project: &FactorOverrides,
    top: &FactorOverrides,
) -> Result<EnergyReport> {
    let mut report = EnergyReport {
        files: Vec::new(),
        runs: Vec::new(),
        errors: Vec::new(),
        total: EnergyTotal::default(),
    };
    let mut first_error = None;
    let same = |path: &Path| std::fs::canonicalize(path).unwrap_or_else(|_| path.to_owned());
    // Each file taken in so far, with the file given that took it in and its tool.
    let mut read: Vec<(PathBuf, PathBuf, String)> = Vec::new();
    for path in paths {
        if let Some((_, with, tool)) = read.iter().find(|(file, ..)| *file == same(path)) {
            report.files.push(EnergyFile {
                path: path.clone(),
                tool: Some(tool.clone()),
                runs: 0,
                warnings: vec![format!(
                    "read with {}: its runs are counted once",
                    with.display()
                )],
                error: None,
            });
            continue;
        }
        let file: TraceFile = match read_trace(path) {
            Ok(file) => file,
            Err(error) => {
                report.errors.push(error.to_string());
                report.files.push(EnergyFile {
                    path: path.clone(),
                    tool: None,
                    runs: 0,
                    warnings: Vec::new(),
                    error: Some(error.to_string()),
                });
                first_error.get_or_insert(error);
                continue;
            }
        };
        for taken in std::iter::once(&file.path)
            .chain(&file.companions)
            .chain(std::iter::once(path))
        {
            read.push((same(taken), path.clone(), file.format.tool().to_owned()));
        }
        report.files.push(EnergyFile {
            path: path.clone(),
            tool: Some(file.format.tool().to_owned()),
            runs: file.runs.len(),
            warnings: file.warnings.clone(),
            error: None,
        });
        for run in file.runs {
            let (pue, intensity, wue) = project.resolve_under(&Place::of_trace(&run), top);
            let result = footprint(
                run.it_energy_kwh(),
                &pue,
                &intensity,
                Some(&wue),
                &format!("{} trace", run.tool()),
            );
            let total = &mut report.total;
            total.runs += 1;
            total.it_energy_kwh += result.it_energy_kwh;
            total.energy_kwh += result.energy_kwh;
            total.co2e_kg += result.co2e_kg;
            total.water_l += result.water_l.unwrap_or(0.0);
            report.runs.push(EnergyRun {
                file: path.clone(),
                summary: run,
                footprint: result,
            });
        }
    }
    match first_error {
        Some(error) if report.runs.is_empty() => Err(error.into()),
        _ => Ok(report),
    }
}

/// Which calculator an estimate follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Method {
    /// Green Algorithms (cores, GPUs, memory, PUE, location).
    GreenAlgorithms,
    /// ML CO2 Impact (GPU TDP × hours, cloud region, no PUE, 2-decimal rounding).
    MlCo2Impact,
}

/// Inputs of an estimate.
#[derive(Debug, Clone, PartialEq)]
pub struct EstimateRequest {
    /// Energy drawn by the computing, kWh, before PUE (a paper's or a provider's figure; one
    /// that holds the data centre's overhead already takes PUE 1).
    pub energy_kwh: Option<f64>,
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
    /// Usage factor of the CPU cores (0–1).
    pub cpu_usage: f64,
    /// Usage factor of the GPUs (0–1).
    pub gpu_usage: f64,
    /// Memory, GB.
    pub memory_gb: f64,
    /// Hours.
    pub hours: f64,
    /// Calculator.
    pub method: Method,
    /// Cloud provider.
    pub provider: Option<String>,
    /// Cloud region (with a provider), or a Green Algorithms sub-national code (`US-CA`, or
    /// `CA` with a country).
    pub region: Option<String>,
    /// Multiplicative factor (runs of the same job).
    pub runs: f64,
    /// Reproduce the calculator's own number: its grid table and default PUE instead of the
    /// project's grid source and PUE (Green Algorithms; ML CO2 Impact always reproduces its
    /// calculator, rounding included).
    pub reproduce: bool,
    /// Add the hardware's manufacturing share, amortised over its life.
    pub embodied: Option<EmbodiedRequest>,
}

/// The hardware whose manufacturing share an estimate adds; each `None` takes the shipped
/// choice ([`ecolens_core::estimate::Embodied::for_gpu`]).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EmbodiedRequest {
    /// One GPU card: a shipped factor's id (`gpu.embodied.h100.boavizta`) or kgCO2e.
    pub gpu: Option<String>,
    /// One server without its GPUs: an id, kgCO2e, or `none`.
    pub server: Option<String>,
    /// GPUs per server.
    pub gpus_per_server: Option<f64>,
    /// Hardware life, years.
    pub life_years: Option<f64>,
    /// Share of its life in use (0–1].
    pub utilisation: Option<f64>,
}

impl EmbodiedRequest {
    /// A shipped factor of `prefix` by id, or a number of kgCO2e.
    fn item(
        field: &'static str,
        value: &str,
        prefix: &str,
    ) -> Result<ecolens_core::estimate::Given> {
        use ecolens_core::estimate::Given;
        if let Ok(kg) = value.trim().parse::<f64>()
            && kg.is_finite()
            && kg >= 0.0
        {
            return Ok(Given::User(kg));
        }
        let lib = ecolens_core::factors::library();
        lib.default_factor(value.trim())
            .filter(|f| f.id.starts_with(prefix))
            .cloned()
            .map(Given::Factor)
            .ok_or_else(|| {
                let ids: Vec<&str> = lib
                    .defaults()
                    .iter()
                    .filter(|f| f.id.starts_with(prefix))
                    .map(|f| f.id.as_str())
                    .collect();
                Error::Invalid {
                    field,
                    value: value.to_owned(),
                    expected: format!("kgCO2e, or one of {}", ids.join(", ")),
                }
            })
    }

    /// The choice for a GPU named `model`, with this request's values over the shipped ones.
    fn resolve(&self, model: Option<&str>) -> Result<ecolens_core::estimate::Embodied> {
        use ecolens_core::estimate::Given;
        // A card's value given by the user needs no shipped one for the model.
        let mut embodied =
            ecolens_core::estimate::Embodied::for_gpu(model.filter(|_| self.gpu.is_none()))?;
        if let Some(gpu) = &self.gpu {
            embodied.gpu = Self::item("embodied-gpu", gpu, "gpu.embodied.")?;
        }
        if let Some(server) = &self.server {
            embodied.server = if server.trim().eq_ignore_ascii_case("none") {
                None
            } else {
                Some(Self::item("embodied-server", server, "server.embodied.")?)
            };
        }
        if let Some(n) = self.gpus_per_server {
            embodied.gpus_per_server = n;
        }
        if let Some(years) = self.life_years {
            embodied.life_years = Given::User(years);
        }
        if let Some(u) = self.utilisation {
            embodied.utilisation = Given::User(u);
        }
        Ok(embodied)
    }
}

impl EstimateRequest {
    /// The refusal of a flag that would change nothing with the method asked for.
    fn refuse(field: &'static str, value: impl Into<String>, reason: &str) -> Error {
        Error::Invalid {
            field,
            value: value.into(),
            expected: reason.to_owned(),
        }
    }

    /// Refuses the inputs that the chosen route would ignore: a flag either changes the
    /// result or is refused with the reason.
    fn check(&self, top: &FactorOverrides) -> Result<()> {
        if self.energy_kwh.is_some() {
            let other = [
                ("power-w", self.power_w.is_some()),
                ("hours", self.hours > 0.0),
                ("gpu", self.gpu.is_some()),
                ("cpu", self.cpu.is_some()),
                ("cores", self.cores > 0),
                ("memory-gb", self.memory_gb > 0.0),
                ("reproduce", self.reproduce),
                ("method", self.method == Method::MlCo2Impact),
                ("embodied", self.embodied.is_some()),
            ];
            if let Some((field, _)) = other.into_iter().find(|(_, given)| *given) {
                return Err(Self::refuse(
                    "energy-kwh",
                    format!("--energy-kwh with --{field}"),
                    "the energy alone: --energy-kwh is the energy a run drew, so hours, power and hardware have nothing left to say",
                ));
            }
        }
        if self.power_w.is_some() {
            let hardware = [
                ("gpu", self.gpu.is_some()),
                ("cpu", self.cpu.is_some()),
                ("cores", self.cores > 0),
                ("memory-gb", self.memory_gb > 0.0),
                ("usage", self.usage_given()),
            ];
            if let Some((field, _)) = hardware.into_iter().find(|(_, given)| *given) {
                return Err(Self::refuse(
                    field,
                    field,
                    "no hardware flag with --power-w: the chip-hours form takes chips × hours × average power; leave out --power-w to use a calculator's hardware table",
                ));
            }
            if self.reproduce {
                return Err(Self::refuse(
                    "reproduce",
                    "--reproduce",
                    "a calculator to reproduce (Green Algorithms or ML CO2 Impact); the chip-hours form follows no tool's tables",
                ));
            }
            if self.method == Method::MlCo2Impact {
                return Err(Self::refuse(
                    "method",
                    "ml-co2-impact",
                    "no --method with --power-w: the chip-hours form is a calculation of its own",
                ));
            }
        }
        if self.method == Method::MlCo2Impact {
            let ignored = [
                (
                    "usage",
                    self.usage_given(),
                    "takes no usage factor (a GPU at its TDP)",
                ),
                ("cpu", self.cpu.is_some(), "counts GPUs only"),
                ("cores", self.cores > 0, "counts GPUs only"),
                ("memory-gb", self.memory_gb > 0.0, "counts GPUs only"),
                (
                    "embodied",
                    self.embodied.is_some(),
                    "counts no manufacturing",
                ),
                ("pue", top.pue.is_some(), "applies no PUE"),
                ("wue", top.wue_l_per_kwh.is_some(), "counts no water"),
                (
                    "country",
                    top.country.is_some(),
                    "takes a cloud provider and region (--provider, --region) or an --intensity",
                ),
                (
                    "grid-source",
                    top.grid_source.is_some(),
                    "uses its own regions table or an --intensity",
                ),
            ];
            if let Some((field, _, reason)) = ignored.into_iter().find(|(_, given, _)| *given) {
                return Err(Self::refuse(
                    field,
                    format!("--{field}"),
                    &format!(
                        "no --{field} with --method ml-co2-impact: the ML CO2 Impact calculator {reason}; --method green-algorithms takes it"
                    ),
                ));
            }
        }
        Ok(())
    }

    /// A usage factor other than 1 was given.
    fn usage_given(&self) -> bool {
        (self.cpu_usage - 1.0).abs() > f64::EPSILON || (self.gpu_usage - 1.0).abs() > f64::EPSILON
    }

    /// The Green Algorithms location of a region without a provider: `US-CA` as given, or
    /// `CA` under `--country USA`.
    fn sub_national(&self, country: Option<&str>) -> Option<String> {
        if self.provider.is_some() {
            return None;
        }
        let region = self.region.as_deref()?.trim().to_ascii_uppercase();
        if region.contains('-') {
            return Some(region);
        }
        let iso2 = country
            .and_then(ecolens_core::factors::country_iso2)
            .or_else(|| country.map(str::to_ascii_uppercase))?;
        Some(format!("{iso2}-{region}"))
    }
}

/// The estimate a request asks for: the project's factors (`project`, its grid source and
/// own values) with the command line's or the form's (`top`) over them, so that the same
/// question gets the same number by every route. With `reproduce`, Green Algorithms' own
/// tables instead of the project's.
pub fn estimate(
    request: &EstimateRequest,
    project: &FactorOverrides,
    top: &FactorOverrides,
) -> Result<Estimate> {
    let mut estimate = electricity(request, project, top)?;
    if let Some(embodied) = &request.embodied {
        // The cards and hours: chips of the chip-hours form, or the calculator's GPUs.
        let (cards, model) = if request.power_w.is_some() {
            (request.chips, None)
        } else if request.gpu.is_some() {
            (f64::from(request.gpus.max(1)), request.gpu.as_deref())
        } else {
            return Err(EstimateRequest::refuse(
                "embodied",
                "--embodied",
                "GPUs to amortise: --gpu (and --gpus), or --power-w with --chips",
            ));
        };
        let (kg, assumptions) = embodied
            .resolve(model)?
            .share(cards, request.hours * request.runs)?;
        estimate.embodied_co2e_kg = Some(kg);
        estimate.assumptions.extend(assumptions);
    }
    Ok(estimate)
}

/// The electricity part of [`estimate`].
fn electricity(
    request: &EstimateRequest,
    project: &FactorOverrides,
    top: &FactorOverrides,
) -> Result<Estimate> {
    request.check(top)?;
    let country = top.country.as_deref().or(project.country.as_deref());
    // A Green Algorithms location such as `US-CA` given as the country is sub-national too.
    let sub_national = request.sub_national(country).or_else(|| {
        country
            .filter(|c| c.contains('-'))
            .map(str::to_ascii_uppercase)
    });
    if request.region.is_some() && request.provider.is_none() && sub_national.is_none() {
        return Err(EstimateRequest::refuse(
            "region",
            request.region.as_deref().unwrap_or_default(),
            "a cloud region with --provider, a Green Algorithms region code (US-CA), or a region (CA) with --country",
        ));
    }
    let grid_source = project.grid_source_under(top);
    // The place's country, a sub-national location included, goes over the project's as a
    // command line's country does.
    let top = &FactorOverrides {
        country: sub_national.clone().or_else(|| country.map(str::to_owned)),
        ..top.clone()
    };
    let place = Place {
        country: None,
        cloud: request
            .provider
            .clone()
            .map(|p| (p, request.region.clone().unwrap_or_default())),
        year: None,
        personal_computer: None,
    };
    if sub_national.is_some()
        && !request.reproduce
        && grid_source != ecolens_core::factors::GridSource::GreenAlgorithms
        && top.intensity_g_per_kwh.is_none()
    {
        return Err(EstimateRequest::refuse(
            "region",
            sub_national.unwrap_or_default(),
            &format!(
                "a country: the project's grid source, {}, has country values only; Green Algorithms has sub-national ones (--reproduce, or --grid-source green-algorithms)",
                grid_source.label()
            ),
        ));
    }
    if let Some(energy_kwh) = request.energy_kwh {
        let (pue, intensity, _) = project.resolve_under(&place, top);
        return Ok(ecolens_core::estimate::energy_given(
            energy_kwh, &pue, &intensity,
        )?);
    }
    if let Some(power_w) = request.power_w {
        let (pue, intensity, _) = project.resolve_under(&place, top);
        return Ok(chip_hours(
            request.chips,
            request.hours,
            power_w,
            &pue,
            &intensity,
        )?);
    }
    Ok(match request.method {
        Method::GreenAlgorithms => {
            let (pue, intensity) = if request.reproduce {
                let location = top.country.as_deref().unwrap_or("WORLD");
                let pue = match top.pue {
                    Some(pue) => ecolens_core::estimate::Given::User(pue),
                    None => {
                        ecolens_core::estimate::green_algorithms_pue(request.provider.as_deref())?
                    }
                };
                let intensity = match top.intensity_g_per_kwh {
                    Some(ci) => ecolens_core::estimate::Given::User(ci),
                    None => ecolens_core::estimate::green_algorithms_grid(location)?,
                };
                (pue, intensity)
            } else {
                let (pue, intensity, _) = project.resolve_under(&place, top);
                (pue, intensity)
            };
            let mut estimate = green_algorithms(&GreenAlgorithmsInput {
                runtime_h: request.hours,
                cores: request.cores,
                cpu_model: request.cpu.clone(),
                cpu_usage: request.cpu_usage,
                gpus: if request.gpu.is_some() && request.gpus == 0 {
                    1
                } else {
                    request.gpus
                },
                gpu_model: request.gpu.clone(),
                gpu_usage: request.gpu_usage,
                memory_gb: request.memory_gb,
                pue,
                intensity,
                multiplier: request.runs,
            })?;
            if request.reproduce {
                "green-algorithms (reproduced: its own grid and PUE tables)"
                    .clone_into(&mut estimate.method);
            }
            estimate
        }
        Method::MlCo2Impact => {
            let region = request.provider.as_deref().zip(request.region.as_deref());
            let gpu = request.gpu.as_deref().ok_or_else(|| Error::Invalid {
                field: "gpu",
                value: String::new(),
                expected:
                    "a GPU model from ML CO2 Impact's gpus.csv (ML CO2 Impact estimates GPUs only)"
                        .into(),
            })?;
            ml_co2_impact(
                gpu,
                request.gpus.max(1),
                request.hours,
                region,
                top.intensity_g_per_kwh,
            )?
        }
    })
}

/// What `ecolens inference` is asked: requests to a provider's model.
#[derive(Debug, Clone, PartialEq)]
pub struct InferenceRequest {
    /// Provider (openai, anthropic, mistral, google, cohere, huggingface, or EcoLogits' own
    /// names of them).
    pub provider: String,
    /// Model, as the provider's API names it.
    pub model: String,
    /// Output tokens per request.
    pub output_tokens: f64,
    /// Requests alike.
    pub requests: f64,
    /// The measured latency of one request, s (caps the generation time).
    pub latency_s: Option<f64>,
    /// EcoLogits' own electricity GWP for the zone instead of the project's grid source.
    pub reproduce: bool,
}

/// The impacts of LLM requests by EcoLogits' method, with every input and its source.
#[derive(Debug, Clone, Serialize)]
pub struct InferenceEstimate {
    /// `ecologits`, or `ecologits (reproduced: its own electricity mix)`.
    pub method: String,
    /// The model as EcoLogits' table has it.
    pub model: ecolens_core::ecologits::LlmModel,
    /// The electricity zone (ISO 3166-1 alpha-3, WOR for the world).
    pub zone: String,
    /// Output tokens per request.
    pub output_tokens: f64,
    /// Requests.
    pub requests: f64,
    /// Grid carbon intensity used, gCO2e/kWh.
    pub intensity_g_per_kwh: f64,
    /// One request.
    pub per_request: ecolens_core::ecologits::InferenceImpacts,
    /// All requests.
    pub total: ecolens_core::ecologits::InferenceImpacts,
    /// Every input, with its source.
    pub assumptions: Vec<ecolens_core::estimate::Assumption>,
    /// EcoLogits' warnings on the model and the mix.
    pub warnings: Vec<String>,
}

/// LLM inference by EcoLogits' method. The provider's data centres set PUE and WUE (a
/// command line's `--pue`/`--wue` go over them) and the zone is the provider's unless
/// `--country` names one; the project's PUE, WUE and country describe its own computing, not
/// a provider's, so only its grid source and year are taken. The electricity's GWP comes from
/// that grid source, as for every other estimate, or from EcoLogits' own mix with `reproduce`;
/// ADPe, primary energy and the generation's water exist in EcoLogits' mix only.
pub fn inference(
    request: &InferenceRequest,
    project: &FactorOverrides,
    top: &FactorOverrides,
) -> Result<InferenceEstimate> {
    use ecolens_core::ecologits::{self as eco, Span};
    use ecolens_core::estimate::Assumption;
    let refuse = |field: &'static str, value: &str, expected: &str| Error::Invalid {
        field,
        value: value.to_owned(),
        expected: expected.to_owned(),
    };
    if request.reproduce {
        let clash = [
            ("intensity", top.intensity_g_per_kwh.is_some()),
            ("grid-source", top.grid_source.is_some()),
            ("grid-year", top.grid_year.is_some()),
        ];
        if let Some((field, _)) = clash.into_iter().find(|(_, given)| *given) {
            return Err(refuse(
                field,
                &format!("--{field} with --reproduce"),
                "one of them: --reproduce takes EcoLogits' own electricity mix",
            ));
        }
    }
    if !(request.requests.is_finite() && request.requests > 0.0) {
        return Err(refuse(
            "requests",
            &request.requests.to_string(),
            "a positive number of requests",
        ));
    }
    let site = eco::provider(&request.provider)?;
    let model = eco::model(&request.provider, &request.model)?;
    let mix = eco::electricity_mix(top.country.as_deref().unwrap_or(site.zone))?;
    let mix_source = format!(
        "EcoLogits electricity mix {} ({}), {} ({})",
        mix.zone,
        "GWP: Our World in Data; ADPe, PE: ADEME Base Empreinte; water: WRI method",
        eco::YEAR,
        eco::LICENCE
    );
    let site_source = format!(
        "EcoLogits' {} data centres (providers' public reports), {} ({})",
        site.provider,
        eco::YEAR,
        eco::LICENCE
    );
    let mut assumptions = vec![
        Assumption::new(
            "output tokens per request",
            request.output_tokens,
            "tokens",
            "given by the user",
        ),
        Assumption::new("requests", request.requests, "1", "given by the user"),
    ];
    let model_source = format!(
        "EcoLogits model table{}, {} ({})",
        if model.sources.is_empty() {
            String::new()
        } else {
            format!(": {}", model.sources.join(", "))
        },
        eco::YEAR,
        eco::LICENCE
    );
    let span_assumption = |name: &str, span: Span, unit: &str, source: &str| {
        if span.is_point() {
            vec![Assumption::new(name, span.min, unit, source)]
        } else {
            vec![
                Assumption::new(&format!("{name}, low"), span.min, unit, source),
                Assumption::new(&format!("{name}, high"), span.max, unit, source),
            ]
        }
    };
    assumptions.extend(span_assumption(
        "active parameters",
        model.active_params_b,
        "billion",
        &model_source,
    ));
    if model.mixture_of_experts {
        assumptions.extend(span_assumption(
            "total parameters",
            model.total_params_b,
            "billion",
            &model_source,
        ));
    }
    if let Some(tps) = model.tokens_per_s {
        assumptions.push(Assumption::new(
            "throughput",
            tps,
            "tokens/s",
            &model_source,
        ));
    }
    if let Some(ttft) = model.first_token_s {
        assumptions.push(Assumption::new(
            "time to first token",
            ttft,
            "s",
            &model_source,
        ));
    }
    if let Some(latency) = request.latency_s {
        assumptions.push(Assumption::new(
            "measured latency (caps generation time)",
            latency,
            "s",
            "given by the user",
        ));
    }
    let pue = match top.pue {
        Some(pue) => {
            assumptions.push(Assumption::new("PUE", pue, "1", "given by the user"));
            Span::point(pue)
        }
        None => {
            assumptions.extend(span_assumption("PUE", site.pue, "1", &site_source));
            site.pue
        }
    };
    let wue = match top.wue_l_per_kwh {
        Some(wue) => {
            assumptions.push(Assumption::new(
                "WUE (site)",
                wue,
                "L/kWh",
                "given by the user",
            ));
            Span::point(wue)
        }
        None => {
            assumptions.extend(span_assumption(
                "WUE (site)",
                site.wue_l_per_kwh,
                "L/kWh",
                &site_source,
            ));
            site.wue_l_per_kwh
        }
    };
    let intensity_g_per_kwh = if let Some(ci) = top.intensity_g_per_kwh {
        assumptions.push(Assumption::new(
            "grid carbon intensity",
            ci,
            "gCO2e/kWh",
            "given by the user",
        ));
        ci
    } else if request.reproduce {
        let g = mix.gwp_kg_per_kwh * 1000.0;
        assumptions.push(Assumption::new(
            "grid carbon intensity",
            g,
            "gCO2e/kWh",
            &mix_source,
        ));
        g
    } else {
        let source = project.grid_source_under(top);
        let place = (mix.zone != "WOR").then_some(mix.zone.as_str());
        let factor = ecolens_core::factors::library()
            .grid_intensity_from(source, place, top.grid_year.or(project.grid_year))
            .ok_or_else(|| {
                refuse(
                    "country",
                    &mix.zone,
                    &format!(
                        "a country {} has a value for; --reproduce uses EcoLogits' own mix, --intensity a value of yours",
                        source.label()
                    ),
                )
            })?;
        assumptions.push(Assumption::new(
            &format!("grid carbon intensity, {}", mix.zone),
            factor.value.central(),
            &factor.unit,
            factor.provenance.describe(),
        ));
        factor.value.central()
    };
    for (name, value, unit) in [
        ("electricity ADPe", mix.adpe_kgsb_per_kwh, "kgSbe/kWh"),
        ("electricity primary energy", mix.pe_mj_per_kwh, "MJ/kWh"),
        ("electricity water (off-site)", mix.wue_l_per_kwh, "L/kWh"),
    ] {
        assumptions.push(Assumption::new(name, value, unit, &mix_source));
    }
    assumptions.extend(eco::method_assumptions());
    let per_request = eco::inference(&eco::InferenceInput {
        active_params_b: model.active_params_b,
        total_params_b: model.total_params_b,
        output_tokens: request.output_tokens,
        request_latency_s: request.latency_s,
        tokens_per_s: model.tokens_per_s,
        first_token_s: model.first_token_s,
        pue,
        wue_l_per_kwh: wue,
        gwp_kg_per_kwh: intensity_g_per_kwh / 1000.0,
        adpe_kgsb_per_kwh: mix.adpe_kgsb_per_kwh,
        pe_mj_per_kwh: mix.pe_mj_per_kwh,
        mix_wue_l_per_kwh: mix.wue_l_per_kwh,
    })?;
    let mut warnings = model.warnings.clone();
    warnings.extend(mix.warnings.iter().cloned());
    Ok(InferenceEstimate {
        method: if request.reproduce {
            "ecologits (reproduced: its own electricity mix)".to_owned()
        } else {
            "ecologits".to_owned()
        },
        model: model.clone(),
        zone: mix.zone.clone(),
        output_tokens: request.output_tokens,
        requests: request.requests,
        intensity_g_per_kwh,
        total: per_request.times(request.requests),
        per_request,
        assumptions,
        warnings,
    })
}

/// What attaching a trace file did.
#[derive(Debug, Clone, Serialize)]
pub struct Attached {
    /// The record.
    pub record: Option<RecordId>,
    /// The tool that wrote the file.
    pub tool: String,
    /// The format read.
    pub format: ecolens_core::energy::TraceFormat,
    /// The runs stored.
    pub trace_ids: Vec<TraceId>,
    /// The file's warnings.
    pub warnings: Vec<String>,
}

/// Reads a trace file and attaches its runs to a record.
pub fn attach(project: &mut Project, record: Option<RecordId>, path: &Path) -> Result<Attached> {
    let (file, trace_ids) = ecolens_core::store::attach_trace_file(project, record, path)?;
    Ok(Attached {
        record,
        tool: file.format.tool().to_owned(),
        format: file.format,
        trace_ids,
        warnings: file.warnings,
    })
}

/// The traces attached to a record (or every trace).
pub fn traces(project: &Project, record: Option<RecordId>) -> Result<Vec<StoredTrace>> {
    Ok(project.traces(record)?)
}

/// Detaches one trace run.
pub fn detach(project: &mut Project, trace: TraceId) -> Result<()> {
    Ok(project.delete_trace(trace)?)
}

/// A record's traces, each with its footprint under the project's factors.
pub fn trace_views(project: &Project, record: RecordId) -> Result<Vec<TraceView>> {
    let overrides = project.factor_overrides()?;
    Ok(project
        .traces(Some(record))?
        .into_iter()
        .map(|t| TraceView {
            footprint: RunFootprint::of(&t.summary, &overrides),
            id: t.id,
            source_file: t.source_file,
            summary: t.summary,
        })
        .collect())
}

/// Every record with traces or scenarios, with how many of each: one query.
pub fn assessed_records(project: &Project) -> Result<Vec<AssessedRecord>> {
    Ok(project.assessed_records()?)
}

/// A record's scenarios.
pub fn scenarios(project: &Project, record: RecordId) -> Result<Vec<StoredScenario>> {
    Ok(project.scenarios(Some(record))?)
}

/// A direct-rebound risk of the register that can feed a scenario's rebound.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DirectRisk {
    /// The risk's row id.
    pub id: ecolens_core::RiskId,
    /// Its stable id (what a scenario keeps).
    pub uid: String,
    /// Who recorded it.
    pub by: String,
    /// The risk.
    pub risk: ecolens_core::review::ReboundRisk,
}

impl DirectRisk {
    /// How a list shows it: `30 % — Anne: warmer rooms`.
    pub fn label(&self) -> String {
        let mechanism = self.risk.mechanism.trim();
        format!(
            "{} % — {}{}",
            self.risk
                .rebound_percent
                .map_or_else(|| "?".to_owned(), |p| p.to_string()),
            self.by,
            if mechanism.is_empty() {
                String::new()
            } else {
                format!(": {mechanism}")
            }
        )
    }
}

/// The record's direct-rebound risks with a rebound % that `reader` may see, for a scenario's
/// rebound. Refused while the project is blind: a scenario is shared, and a risk fed into it
/// would show one reviewer's judgement to the others.
pub fn direct_risks(
    project: &Project,
    reader: Option<ReviewerId>,
    record: RecordId,
) -> Result<Vec<DirectRisk>> {
    let seen = seen_by(project, reader)?;
    if !seen.open_to_all() {
        return Err(Error::Invalid {
            field: "blind mode",
            value: "on".to_owned(),
            expected: "blind mode off (ecolens blind off): a scenario is shared, and a risk fed into it would show a reviewer's judgement to the others".to_owned(),
        });
    }
    let mut out = Vec::new();
    for stored in project.risks(record, &seen)? {
        if stored.risk.effect == ecolens_taxonomy::EffectCode::HoRbDir
            && stored.risk.rebound_percent.is_some()
        {
            out.push(DirectRisk {
                id: stored.id,
                uid: stored.uid.clone(),
                by: project.reviewer(stored.reviewer)?.name,
                risk: stored.risk,
            });
        }
    }
    Ok(out)
}

/// Feeds the direct rebound of `record`'s stored scenario `name` from one of its risks (the
/// risk's rebound % as the fraction, the risk named as its source and linked), and stores the
/// scenario again; returns it.
pub fn feed_rebound(
    project: &mut Project,
    reader: Option<ReviewerId>,
    risk: ecolens_core::RiskId,
    name: &str,
) -> Result<Scenario> {
    let seen = seen_by(project, reader)?;
    let record = project.risk(risk, &seen)?.record;
    let fed = direct_risks(project, reader, record)?
        .into_iter()
        .find(|r| r.id == risk)
        .ok_or_else(|| Error::Invalid {
            field: "risk",
            value: risk.to_string(),
            expected: "a direct rebound risk (HO.RB.DIR) with its rebound % (ecolens risk add … --effect HO.RB.DIR --rebound-percent N)".to_owned(),
        })?;
    let stored = project.scenarios(Some(record))?;
    let toml = stored
        .iter()
        .find(|s| s.name == name)
        .map(|s| s.toml.clone())
        .ok_or_else(|| Error::Invalid {
            field: "scenario",
            value: name.to_owned(),
            expected: format!(
                "the name of a scenario stored with record {record} ({})",
                stored
                    .iter()
                    .map(|s| s.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        })?;
    let mut scenario = Scenario::from_toml(&toml)?;
    scenario.feed_direct_rebound(&fed.uid, &fed.by, &fed.risk)?;
    project.save_scenario(Some(record), &scenario.to_toml()?)?;
    Ok(scenario)
}

/// Where a scenario comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScenarioSource {
    /// A shipped example, by name (`smart-building`).
    Example(String),
    /// A TOML file.
    File(PathBuf),
}

/// A scenario read, with its TOML text (what is stored).
#[derive(Debug, Clone)]
pub struct LoadedScenario {
    /// The scenario, checked.
    pub scenario: Scenario,
    /// Its TOML.
    pub toml: String,
}

/// Reads a scenario from a shipped example or a file.
pub fn load_scenario(source: &ScenarioSource) -> Result<LoadedScenario> {
    let toml = match source {
        ScenarioSource::Example(name) => {
            let wanted = name.trim_end_matches(".toml");
            EXAMPLES
                .iter()
                .find(|(file, _)| file.trim_end_matches(".toml") == wanted)
                .map(|(_, text)| (*text).to_owned())
                .ok_or_else(|| Error::Invalid {
                    field: "scenario",
                    value: format!("example:{name}"),
                    expected: format!(
                        "one of the shipped examples: {}",
                        EXAMPLES
                            .iter()
                            .map(|(f, _)| format!("example:{}", f.trim_end_matches(".toml")))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                })?
        }
        ScenarioSource::File(path) => {
            std::fs::read_to_string(path).map_err(|source| Error::Io {
                action: "cannot read",
                path: path.clone(),
                source,
            })?
        }
    };
    let scenario = Scenario::from_toml(&toml).map_err(|error| match source {
        ScenarioSource::File(path) => Error::Invalid {
            field: "scenario",
            value: path.display().to_string(),
            expected: error.to_string(),
        },
        ScenarioSource::Example(_) => error.into(),
    })?;
    Ok(LoadedScenario { scenario, toml })
}

/// Saves a scenario with a record (replacing one of the same name).
pub fn save_scenario(project: &mut Project, record: RecordId, toml: &str) -> Result<ScenarioId> {
    Ok(project.save_scenario(Some(record), toml)?)
}

/// A paper's stated chain audited; with `record`, attached to it by `author` as evidence for
/// the classification (one transaction), and its id.
pub fn audit_paper(
    project: Option<&mut Project>,
    author: Option<ReviewerId>,
    record: Option<RecordId>,
    chain: &ecolens_core::paper_audit::PaperChain,
) -> Result<(ecolens_core::paper_audit::PaperAudit, Option<i64>)> {
    let audited = ecolens_core::paper_audit::audit(chain)?;
    let id = match (project, record) {
        (Some(project), Some(record)) => {
            let who = super::project::author(author, "attaching a paper audit")?;
            Some(project.attach_paper_audit(record, Some(who), &audited)?)
        }
        _ => None,
    };
    Ok((audited, id))
}

/// The figures a record's text states about its computing: cues in its abstract and its full
/// text (offsets within each), the audit form they fill and the a–f category they point to.
#[derive(Debug, Clone, Serialize)]
pub struct RecordCues {
    /// Cues in the abstract.
    pub abstract_cues: Vec<ecolens_core::cues::Cue>,
    /// Cues in the full text.
    pub full_text_cues: Vec<ecolens_core::cues::Cue>,
    /// The audit form filled from them.
    pub prefill: ecolens_core::paper_audit::PaperChain,
    /// The category they point to, and why: a suggestion, never the decision.
    pub suggestion: Option<(ecolens_taxonomy::EvalCategory, String)>,
}

impl RecordCues {
    /// Cues of a text (no record).
    pub fn of_text(text: &str, label: &str) -> Self {
        Self::of(Some(text), None, label)
    }

    /// Cues of an abstract and a full text.
    pub fn of(abstract_text: Option<&str>, full_text: Option<&str>, label: &str) -> Self {
        let abstract_cues = abstract_text
            .map(ecolens_core::cues::extract)
            .unwrap_or_default();
        let full_text_cues = full_text
            .map(ecolens_core::cues::extract)
            .unwrap_or_default();
        // The abstract's figures first: a paper's headline totals are there.
        let all: Vec<ecolens_core::cues::Cue> = abstract_cues
            .iter()
            .chain(&full_text_cues)
            .cloned()
            .collect();
        Self {
            prefill: ecolens_core::cues::prefill(&all, label),
            suggestion: ecolens_core::cues::suggest(&all),
            abstract_cues,
            full_text_cues,
        }
    }
}

/// The cues of a record's abstract and full text.
pub fn record_cues(project: &Project, record: RecordId) -> Result<RecordCues> {
    let stored = project.record(record)?.record;
    let full = project.full_text(record)?;
    Ok(RecordCues::of(
        stored.abstract_text.as_deref(),
        full.as_ref().map(|f| f.text.as_str()),
        &format!("record {record}, from its text"),
    ))
}

/// The paper audits of a record that `reader` may see (while blind, their own and those
/// attached with no reviewer named), and how many are hidden.
pub fn paper_audits(
    project: &Project,
    reader: Option<ReviewerId>,
    record: RecordId,
) -> Result<(Vec<ecolens_core::store::StoredPaperAudit>, usize)> {
    let seen = seen_by(project, reader)?;
    let (shown, hidden): (Vec<_>, Vec<_>) = project
        .paper_audits(record)?
        .into_iter()
        .partition(|a| a.reviewer.is_none_or(|author| seen.shows(author)));
    Ok((shown, hidden.len()))
}

/// A scenario's result: central values, Monte Carlo intervals, tornado bars per criterion.
#[derive(Debug, Clone, Serialize)]
pub struct LcaOutcome {
    /// The scenario evaluated.
    #[serde(skip)]
    pub scenario: Scenario,
    /// Central values.
    pub evaluation: Evaluation,
    /// Intervals.
    pub monte_carlo: MonteCarlo,
    /// Tornado bars per criterion, largest swing first.
    pub tornado: Vec<Vec<TornadoBar>>,
}

/// Every attached trace's IT energy by id, for scenario lines fed by a trace: read once, so
/// a damaged row is an error, not "not attached".
pub(crate) fn trace_energies(project: &Project) -> Result<HashMap<i64, f64>> {
    Ok(project
        .traces(None)?
        .into_iter()
        .map(|t| (t.id.0, t.summary.it_energy_kwh()))
        .collect())
}

/// Evaluates a scenario: central values, `runs` paired Monte Carlo runs (progress every 1,000
/// runs; [`Error::Cancelled`] once `cancel` is set) and the tornado of every criterion.
pub fn evaluate_scenario(
    project: &Project,
    scenario: Scenario,
    runs: usize,
    seed: u64,
    cancel: &AtomicBool,
    progress: &dyn Fn(usize),
) -> Result<LcaOutcome> {
    let attached = trace_energies(project)?;
    let traces = |id: i64| attached.get(&id).copied();
    let evaluation = evaluate(&scenario, &traces)?;
    let mut step = |done: usize| {
        progress(done);
        !cancel.load(Ordering::Relaxed)
    };
    let monte_carlo = monte_carlo_with_progress(&scenario, &traces, runs, seed, &mut step)?
        .ok_or(Error::Cancelled)?;
    let tornado = (0..scenario.criteria.len())
        .map(|criterion| tornado(&scenario, &traces, criterion))
        .collect::<ecolens_core::Result<Vec<_>>>()?;
    Ok(LcaOutcome {
        scenario,
        evaluation,
        monte_carlo,
        tornado,
    })
}

/// What a report is written as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReportFormat {
    /// A self-contained HTML page.
    Html,
    /// Markdown.
    Md,
    /// The emissions statement of the traces, Markdown.
    StatementMd,
    /// The emissions statement of the traces, LaTeX.
    StatementTex,
}

/// A report to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportRequest {
    /// The record, or `None` for every assessed record of the project.
    pub record: Option<RecordId>,
    /// Format.
    pub format: ReportFormat,
    /// Where.
    pub path: PathBuf,
    /// Monte Carlo runs per scenario.
    pub runs: usize,
    /// Monte Carlo seed.
    pub seed: u64,
}

/// A report written.
#[derive(Debug, Clone, Serialize)]
pub struct ReportWritten {
    /// The file.
    pub path: PathBuf,
    /// Bytes written.
    pub bytes: usize,
    /// Records in it.
    pub records: usize,
    /// The report's content as data.
    pub report: serde_json::Value,
}

fn to_value(value: &impl Serialize) -> Result<serde_json::Value> {
    serde_json::to_value(value).map_err(|error| Error::Invalid {
        field: "report",
        value: error.to_string(),
        expected: "a report that serialises".into(),
    })
}

/// Gathers a record's end-to-end assessment as `reader` may see it.
pub fn record_report(
    project: &Project,
    reader: Option<ReviewerId>,
    record: RecordId,
    options: &ReportOptions,
) -> Result<RecordReport> {
    let seen = seen_by(project, reader)?;
    Ok(RecordReport::gather(project, record, &seen, options)?)
}

/// Writes a report of a record (or of every assessed record) as `reader` may see it.
pub fn report(
    project: &Project,
    reader: Option<ReviewerId>,
    request: &ReportRequest,
) -> Result<ReportWritten> {
    let seen = seen_by(project, reader)?;
    let options = ReportOptions {
        runs: request.runs,
        seed: request.seed,
    };
    let statement = |traces: &[TraceView], record| {
        EmissionsStatement::of(traces).ok_or(Error::NoTraces { record })
    };
    let (text, records, json) = match request.record {
        Some(id) => {
            let report = RecordReport::gather(project, id, &seen, &options)?;
            let text = match request.format {
                ReportFormat::Html => report.html(),
                ReportFormat::Md => report.markdown(),
                ReportFormat::StatementMd => statement(&report.traces, Some(id))?.markdown() + "\n",
                ReportFormat::StatementTex => statement(&report.traces, Some(id))?.latex(),
            };
            (text, 1, to_value(&report)?)
        }
        None => {
            let mut report = ProjectReport::gather(project, &seen, &options)?;
            report.screening_methods = Some(super::screening::methods(project, reader)?);
            let traces: Vec<TraceView> = report
                .records
                .iter()
                .flat_map(|r| r.traces.clone())
                .collect();
            let text = match request.format {
                ReportFormat::Html => report.html(),
                ReportFormat::Md => report.markdown(),
                ReportFormat::StatementMd => statement(&traces, None)?.markdown() + "\n",
                ReportFormat::StatementTex => statement(&traces, None)?.latex(),
            };
            (text, report.records.len(), to_value(&report)?)
        }
    };
    write_text(&request.path, &text)?;
    Ok(ReportWritten {
        path: request.path.clone(),
        bytes: text.len(),
        records,
        report: json,
    })
}

/// The project's own factor values (empty: the shipped defaults apply).
pub fn factors(project: &Project) -> Result<FactorOverrides> {
    Ok(project.factor_overrides()?)
}

/// Sets some of the project's own values, keeping the others, with their source.
pub fn set_factors(project: &mut Project, changes: &FactorOverrides) -> Result<FactorOverrides> {
    let old = project.factor_overrides()?;
    let merged = FactorOverrides {
        country: changes.country.clone().or(old.country),
        pue: changes.pue.or(old.pue),
        intensity_g_per_kwh: changes.intensity_g_per_kwh.or(old.intensity_g_per_kwh),
        wue_l_per_kwh: changes.wue_l_per_kwh.or(old.wue_l_per_kwh),
        source: changes.source.clone().or(old.source),
        grid_source: changes.grid_source.or(old.grid_source),
        grid_year: changes.grid_year.or(old.grid_year),
    };
    merged.check()?;
    project.set_factor_overrides(&merged)?;
    Ok(project.factor_overrides()?)
}

/// Replaces the project's own values (all of them; empty: back to the shipped defaults).
pub fn replace_factors(
    project: &mut Project,
    overrides: &FactorOverrides,
) -> Result<FactorOverrides> {
    project.set_factor_overrides(overrides)?;
    Ok(project.factor_overrides()?)
}
