//! LLM inference per request, following EcoLogits' published method (GenAI Impact,
//! <https://ecologits.ai/latest/methodology/llm_inference/>, package 0.11.3).
//!
//! A request that generates `n` output tokens on a model of `P` billion active parameters:
//! - GPU energy per token, Wh: `α · exp(β · batch) · P + γ` (a regression on benchmarks of
//!   open models, batch 64);
//! - GPUs holding the model: `1.2 × total parameters × 16 bits / 8` GB over 80 GB cards,
//!   rounded up to a power of two;
//! - generation time: `n / tps + ttft` when the provider's throughput is known, else a latency
//!   regression on `P` and the batch; capped by the request's measured latency;
//! - the rest of the server (1.2 kW for 8 GPUs) for that time, shared by the batch;
//! - × the provider's PUE; × the electricity mix (GWP, ADPe, PE); water from the provider's
//!   on-site WUE plus PUE × the mix's off-site WUE;
//! - embodied: the server's and the GPUs' manufacturing impacts (BoaviztAPI values) × the
//!   generation time over a 3-year life, shared by the batch.
//!
//! A model whose size is not published has a range of parameters, and a provider a range of
//! PUE and WUE; EcoLogits then computes the low end with every low value and the high end with
//! every high one, and so does [`inference`]. The numbers equal the `ecologits` package's
//! `llm_impacts` to 1e-9 (relative); `docs/reference/ecologits_reference.py` prints them and
//! `.ci/oracle-ecologits` compares the release binary with a fresh install of the package.
//!
//! The method is EcoLogits' (MPL-2.0); its model and electricity tables are shipped as the
//! package has them (`core/data/factors/ecologits/`, MPL-2.0, see NOTICE.md). Written here
//! rather than called: ecolens runs without Python, and the method is a dozen formulas.

use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::estimate::Assumption;
use crate::{Error, Result};

const MODELS_JSON: &str = include_str!("../data/factors/ecologits/models.json");
const MIXES_JSON: &str = include_str!("../data/factors/ecologits/electricity_mixes.json");

/// Where the method and its constants come from, as shown beside every number.
pub const SOURCE: &str =
    "EcoLogits 0.11.3 (GenAI Impact; Rincé & Banse), LLM inference methodology, ecologits.ai";
/// The method's year (the package release the constants are read from).
pub const YEAR: i32 = 2026;
/// The method's and tables' licence.
pub const LICENCE: &str = "MPL-2.0 (EcoLogits)";

/// GPU energy regression, α (Wh per token per billion active parameters).
pub const GPU_ENERGY_ALPHA: f64 = 1.166_527_317_045_191_4e-6;
/// GPU energy regression, β (per request in the batch).
pub const GPU_ENERGY_BETA: f64 = -0.011_205_921_025_579_175;
/// GPU energy regression, γ (Wh per token).
pub const GPU_ENERGY_GAMMA: f64 = 4.052_928_146_734_005e-5;
/// Latency regression, α (s per token per billion active parameters).
pub const LATENCY_ALPHA: f64 = 0.000_678_508_809_435_366_3;
/// Latency regression, β (s per token per request in the batch).
pub const LATENCY_BETA: f64 = 0.000_311_931_031_168_825_9;
/// Latency regression, γ (s per token).
pub const LATENCY_GAMMA: f64 = 0.019_473_717_579_473_387;
/// Bits per weight.
pub const QUANTIZATION_BITS: f64 = 16.0;
/// Memory of one GPU, GB.
pub const GPU_MEMORY_GB: f64 = 80.0;
/// Embodied GWP of one GPU, kgCO2e (BoaviztAPI).
pub const GPU_EMBODIED_GWP_KG: f64 = 273.0;
/// Embodied ADPe of one GPU, kgSbe.
pub const GPU_EMBODIED_ADPE_KGSB: f64 = 0.008_95;
/// Embodied primary energy of one GPU, MJ.
pub const GPU_EMBODIED_PE_MJ: f64 = 3721.0;
/// GPUs per server.
pub const SERVER_GPUS: f64 = 8.0;
/// Power of the server without its GPUs, kW.
pub const SERVER_POWER_KW: f64 = 1.2;
/// Embodied GWP of the server without GPUs, kgCO2e (BoaviztAPI).
pub const SERVER_EMBODIED_GWP_KG: f64 = 5700.0;
/// Embodied ADPe of the server, kgSbe.
pub const SERVER_EMBODIED_ADPE_KGSB: f64 = 0.37;
/// Embodied primary energy of the server, MJ.
pub const SERVER_EMBODIED_PE_MJ: f64 = 70000.0;
/// Hardware life, s (3 years).
pub const HARDWARE_LIFE_S: f64 = 3.0 * 365.0 * 24.0 * 60.0 * 60.0;
/// Requests served together.
pub const BATCH_SIZE: f64 = 64.0;

/// A value known as a range (EcoLogits' `RangeValue`); `min == max` when known exactly.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Span {
    /// Low end.
    pub min: f64,
    /// High end.
    pub max: f64,
}

impl Span {
    /// One value.
    pub fn point(value: f64) -> Self {
        Self {
            min: value,
            max: value,
        }
    }

    /// The middle of the range (EcoLogits' `mean`).
    pub fn mid(self) -> f64 {
        f64::midpoint(self.min, self.max)
    }

    /// Both ends multiplied by `k`.
    #[must_use]
    pub fn scale(self, k: f64) -> Self {
        Self {
            min: self.min * k,
            max: self.max * k,
        }
    }

    /// Whether the range is one value.
    pub fn is_point(self) -> bool {
        (self.max - self.min).abs() <= f64::EPSILON * self.max.abs()
    }

    fn add(self, other: Self) -> Self {
        Self {
            min: self.min + other.min,
            max: self.max + other.max,
        }
    }
}

/// One model of EcoLogits' table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LlmModel {
    /// Provider as EcoLogits names it (`openai`, `anthropic`, `mistralai`, `google_genai`,
    /// `cohere`, `huggingface_hub`).
    pub provider: String,
    /// Model name as the provider's API takes it.
    pub name: String,
    /// The table's name for it when `name` is an alias.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alias_of: Option<String>,
    /// Mixture of experts (active parameters below the total).
    pub mixture_of_experts: bool,
    /// Active parameters, billions.
    pub active_params_b: Span,
    /// Total parameters, billions.
    pub total_params_b: Span,
    /// Measured throughput, tokens/s.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tokens_per_s: Option<f64>,
    /// Measured time to first token, s.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_token_s: Option<f64>,
    /// EcoLogits' warnings on the model (size not published, multimodal).
    pub warnings: Vec<String>,
    /// Where the size comes from.
    pub sources: Vec<String>,
}

/// A provider's data centres as EcoLogits assumes them.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ProviderSite {
    /// Provider.
    pub provider: &'static str,
    /// Default electricity zone (ISO 3166-1 alpha-3).
    pub zone: &'static str,
    /// PUE.
    pub pue: Span,
    /// On-site water usage effectiveness, L/kWh.
    pub wue_l_per_kwh: Span,
}

/// EcoLogits' providers (tracers/utils.py, from the providers' public reports; the method's
/// "providers" supplemental table has the sources).
pub const PROVIDERS: [ProviderSite; 6] = [
    ProviderSite {
        provider: "anthropic",
        zone: "USA",
        pue: Span {
            min: 1.09,
            max: 1.14,
        },
        wue_l_per_kwh: Span {
            min: 0.13,
            max: 0.999,
        },
    },
    ProviderSite {
        provider: "cohere",
        zone: "USA",
        pue: Span {
            min: 1.09,
            max: 1.09,
        },
        wue_l_per_kwh: Span {
            min: 0.999,
            max: 0.999,
        },
    },
    ProviderSite {
        provider: "google_genai",
        zone: "USA",
        pue: Span {
            min: 1.09,
            max: 1.09,
        },
        wue_l_per_kwh: Span {
            min: 0.999,
            max: 0.999,
        },
    },
    ProviderSite {
        provider: "huggingface_hub",
        zone: "USA",
        pue: Span {
            min: 1.09,
            max: 1.14,
        },
        wue_l_per_kwh: Span {
            min: 0.13,
            max: 0.99,
        },
    },
    ProviderSite {
        provider: "mistralai",
        zone: "SWE",
        pue: Span {
            min: 1.16,
            max: 1.16,
        },
        wue_l_per_kwh: Span {
            min: 0.09,
            max: 0.09,
        },
    },
    ProviderSite {
        provider: "openai",
        zone: "USA",
        pue: Span {
            min: 1.20,
            max: 1.20,
        },
        wue_l_per_kwh: Span {
            min: 0.569,
            max: 0.569,
        },
    },
];

/// The impact factors of a country's electricity in EcoLogits' table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ElectricityMix {
    /// Zone (ISO 3166-1 alpha-3, `WOR` for the world).
    pub zone: String,
    /// GWP, kgCO2e/kWh (Our World in Data).
    pub gwp_kg_per_kwh: f64,
    /// Abiotic depletion, kgSbe/kWh (ADEME Base Empreinte).
    pub adpe_kgsb_per_kwh: f64,
    /// Primary energy, MJ/kWh (ADEME Base Empreinte).
    pub pe_mj_per_kwh: f64,
    /// Off-site water consumption of generation, L/kWh (World Resources Institute method).
    pub wue_l_per_kwh: f64,
    /// EcoLogits' warnings (a factor taken from the world's value).
    pub warnings: Vec<String>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawSpan {
    Point(f64),
    Range { min: f64, max: f64 },
}

impl From<&RawSpan> for Span {
    fn from(raw: &RawSpan) -> Self {
        match *raw {
            RawSpan::Point(v) => Self::point(v),
            RawSpan::Range { min, max } => Self { min, max },
        }
    }
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawParameters {
    MoE { total: RawSpan, active: RawSpan },
    Dense(RawSpan),
}

#[derive(Deserialize)]
struct RawArchitecture {
    parameters: RawParameters,
}

#[derive(Deserialize)]
struct RawDeployment {
    tps: Option<f64>,
    ttft: Option<f64>,
}

#[derive(Deserialize)]
struct RawModel {
    provider: String,
    name: String,
    architecture: RawArchitecture,
    warnings: Option<Vec<String>>,
    #[serde(default)]
    sources: Option<Vec<String>>,
    deployment: Option<RawDeployment>,
}

#[derive(Deserialize)]
struct RawAlias {
    provider: String,
    name: String,
    alias: String,
}

#[derive(Deserialize)]
struct RawModels {
    models: Vec<RawModel>,
    #[serde(default)]
    aliases: Vec<RawAlias>,
}

#[derive(Deserialize)]
struct RawMix {
    name: String,
    adpe: f64,
    pe: f64,
    gwp: f64,
    wue: f64,
    warnings: Option<Vec<String>>,
}

#[derive(Deserialize)]
struct RawMixes {
    electricity_mixes: Vec<RawMix>,
}

/// EcoLogits' warning codes in words (`status_messages.py`).
fn warning_text(code: &str) -> String {
    match code {
        "model-arch-not-released" => {
            "the model's architecture has not been released: expect lower precision".to_owned()
        }
        "model-arch-multimodal" => "the model is multimodal: expect lower precision".to_owned(),
        "electricity-mix-adpe-world" => {
            "the mix's ADPe factor is the world's value: expect lower precision".to_owned()
        }
        "electricity-mix-pe-world" => {
            "the mix's PE factor is the world's value: expect lower precision".to_owned()
        }
        "electricity-mix-wue-world" => {
            "the mix's water factor is the world's value: expect lower precision".to_owned()
        }
        other => other.to_owned(),
    }
}

struct Tables {
    models: Vec<LlmModel>,
    mixes: Vec<ElectricityMix>,
}

/// The shipped tables, read once. They are part of the binary, so a failure to read them is
/// a build defect; it is reported as an error, never a panic.
fn tables() -> Result<&'static Tables> {
    static TABLES: OnceLock<std::result::Result<Tables, String>> = OnceLock::new();
    TABLES
        .get_or_init(read_tables)
        .as_ref()
        .map_err(|e| Error::invalid("ecologits tables", "shipped JSON", e.clone()))
}

fn read_tables() -> std::result::Result<Tables, String> {
    let raw: RawModels = serde_json::from_str(MODELS_JSON).map_err(|e| e.to_string())?;
    let mut models: Vec<LlmModel> = raw
        .models
        .into_iter()
        .map(|m| {
            let (moe, active, total) = match &m.architecture.parameters {
                RawParameters::MoE { total, active } => (true, active.into(), total.into()),
                RawParameters::Dense(p) => (false, p.into(), p.into()),
            };
            LlmModel {
                provider: m.provider,
                name: m.name,
                alias_of: None,
                mixture_of_experts: moe,
                active_params_b: active,
                total_params_b: total,
                tokens_per_s: m.deployment.as_ref().and_then(|d| d.tps),
                first_token_s: m.deployment.as_ref().and_then(|d| d.ttft),
                warnings: m
                    .warnings
                    .unwrap_or_default()
                    .iter()
                    .map(|w| warning_text(w))
                    .collect(),
                sources: m.sources.unwrap_or_default(),
            }
        })
        .collect();
    for alias in raw.aliases {
        let target = models
            .iter()
            .find(|m| m.provider == alias.provider && m.name == alias.alias)
            .cloned()
            .ok_or_else(|| format!("alias {} names no model {}", alias.name, alias.alias))?;
        models.push(LlmModel {
            name: alias.name,
            alias_of: Some(target.name.clone()),
            ..target
        });
    }
    let mixes: RawMixes = serde_json::from_str(MIXES_JSON).map_err(|e| e.to_string())?;
    let mixes = mixes
        .electricity_mixes
        .into_iter()
        .map(|m| ElectricityMix {
            zone: m.name,
            gwp_kg_per_kwh: m.gwp,
            adpe_kgsb_per_kwh: m.adpe,
            pe_mj_per_kwh: m.pe,
            wue_l_per_kwh: m.wue,
            warnings: m
                .warnings
                .unwrap_or_default()
                .iter()
                .map(|w| warning_text(w))
                .collect(),
        })
        .collect();
    Ok(Tables { models, mixes })
}

/// The providers' names, as `--provider` takes them.
pub fn provider_names() -> Vec<&'static str> {
    PROVIDERS.iter().map(|p| p.provider).collect()
}

/// A provider's site; `google` and `huggingface` are accepted for the tables' longer names.
pub fn provider(name: &str) -> Result<ProviderSite> {
    let wanted = name.trim().to_ascii_lowercase().replace('-', "_");
    let wanted = match wanted.as_str() {
        "google" | "gemini" => "google_genai",
        "huggingface" | "hf" => "huggingface_hub",
        "mistral" => "mistralai",
        other => other,
    };
    PROVIDERS
        .iter()
        .find(|p| p.provider == wanted)
        .copied()
        .ok_or_else(|| {
            Error::invalid(
                "provider",
                name,
                format!(
                    "one of EcoLogits' providers: {}",
                    provider_names().join(", ")
                ),
            )
        })
}

/// The models of EcoLogits' table, of one provider or all.
pub fn models(provider_name: Option<&str>) -> Result<Vec<&'static LlmModel>> {
    let provider = provider_name.map(provider).transpose()?;
    Ok(tables()?
        .models
        .iter()
        .filter(|m| provider.is_none_or(|p| m.provider == p.provider))
        .collect())
}

/// A model of a provider, by its exact API name (case-insensitive); the error names the
/// closest names the table has.
pub fn model(provider_name: &str, name: &str) -> Result<&'static LlmModel> {
    let site = provider(provider_name)?;
    let wanted = name.trim();
    let of_provider: Vec<&LlmModel> = tables()?
        .models
        .iter()
        .filter(|m| m.provider == site.provider)
        .collect();
    if let Some(m) = of_provider
        .iter()
        .find(|m| m.name.eq_ignore_ascii_case(wanted))
    {
        return Ok(m);
    }
    let lower = wanted.to_ascii_lowercase();
    let mut near: Vec<&str> = of_provider
        .iter()
        .filter(|m| {
            let n = m.name.to_ascii_lowercase();
            n.contains(&lower) || (lower.len() >= 3 && lower.contains(&n))
        })
        .map(|m| m.name.as_str())
        .collect();
    near.sort_unstable();
    near.truncate(8);
    let hint = if near.is_empty() {
        format!(
            "a model of {}'s in EcoLogits' table (ecolens inference --list --provider {})",
            site.provider, site.provider
        )
    } else {
        format!("a model of EcoLogits' table, such as {}", near.join(", "))
    };
    Err(Error::invalid("model", name, hint))
}

/// A zone's electricity mix: ISO 3166-1 alpha-3 or alpha-2, or `WOR`/`WORLD`.
pub fn electricity_mix(zone: &str) -> Result<&'static ElectricityMix> {
    let trimmed = zone.trim();
    let code = if trimmed.eq_ignore_ascii_case("world") || trimmed.eq_ignore_ascii_case("wor") {
        "WOR".to_owned()
    } else {
        crate::factors::country_iso3(trimmed).unwrap_or_else(|| trimmed.to_ascii_uppercase())
    };
    tables()?
        .mixes
        .iter()
        .find(|m| m.zone == code)
        .ok_or_else(|| {
            Error::invalid(
                "zone",
                zone,
                "a country (ISO 3166-1 alpha-3 or alpha-2) of EcoLogits' electricity mixes, or WOR",
            )
        })
}

/// Everything one request's impacts depend on.
#[derive(Debug, Clone, PartialEq)]
pub struct InferenceInput {
    /// Active parameters, billions.
    pub active_params_b: Span,
    /// Total parameters, billions.
    pub total_params_b: Span,
    /// Output tokens generated.
    pub output_tokens: f64,
    /// The request's measured latency, s, when known (it caps the generation time).
    pub request_latency_s: Option<f64>,
    /// Throughput, tokens/s, when measured.
    pub tokens_per_s: Option<f64>,
    /// Time to first token, s, when measured.
    pub first_token_s: Option<f64>,
    /// PUE.
    pub pue: Span,
    /// On-site WUE, L/kWh.
    pub wue_l_per_kwh: Span,
    /// Electricity GWP, kgCO2e/kWh.
    pub gwp_kg_per_kwh: f64,
    /// Electricity ADPe, kgSbe/kWh.
    pub adpe_kgsb_per_kwh: f64,
    /// Electricity primary energy, MJ/kWh.
    pub pe_mj_per_kwh: f64,
    /// Electricity off-site water, L/kWh.
    pub mix_wue_l_per_kwh: f64,
}

/// One request's impacts, each as a range.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct InferenceImpacts {
    /// GPUs holding the model (at the low and the high end of its size).
    pub gpus: Span,
    /// Generation time, s.
    pub generation_s: Span,
    /// GPU energy, kWh (all GPUs).
    pub gpu_energy_kwh: Span,
    /// Energy of the rest of the server, kWh (its share for this request).
    pub server_energy_kwh: Span,
    /// Energy at the meter (IT × PUE), kWh.
    pub energy_kwh: Span,
    /// GWP of the electricity, kgCO2e.
    pub usage_gwp_kg: Span,
    /// GWP of making the hardware, this request's share, kgCO2e.
    pub embodied_gwp_kg: Span,
    /// GWP, kgCO2e (usage + embodied).
    pub gwp_kg: Span,
    /// ADPe of the electricity, kgSbe.
    pub usage_adpe_kgsb: Span,
    /// ADPe of the hardware, kgSbe.
    pub embodied_adpe_kgsb: Span,
    /// ADPe, kgSbe.
    pub adpe_kgsb: Span,
    /// Primary energy of the electricity, MJ.
    pub usage_pe_mj: Span,
    /// Primary energy of the hardware, MJ.
    pub embodied_pe_mj: Span,
    /// Primary energy, MJ.
    pub pe_mj: Span,
    /// Water consumed (on-site and in generation), L.
    pub water_l: Span,
}

impl InferenceImpacts {
    /// Every quantity × `k` (requests); GPUs and generation time stay per request.
    #[must_use]
    pub fn times(&self, k: f64) -> Self {
        Self {
            gpus: self.gpus,
            generation_s: self.generation_s,
            gpu_energy_kwh: self.gpu_energy_kwh.scale(k),
            server_energy_kwh: self.server_energy_kwh.scale(k),
            energy_kwh: self.energy_kwh.scale(k),
            usage_gwp_kg: self.usage_gwp_kg.scale(k),
            embodied_gwp_kg: self.embodied_gwp_kg.scale(k),
            gwp_kg: self.gwp_kg.scale(k),
            usage_adpe_kgsb: self.usage_adpe_kgsb.scale(k),
            embodied_adpe_kgsb: self.embodied_adpe_kgsb.scale(k),
            adpe_kgsb: self.adpe_kgsb.scale(k),
            usage_pe_mj: self.usage_pe_mj.scale(k),
            embodied_pe_mj: self.embodied_pe_mj.scale(k),
            pe_mj: self.pe_mj.scale(k),
            water_l: self.water_l.scale(k),
        }
    }
}

/// One end of the range: every quantity with one set of inputs.
struct End {
    gpus: f64,
    generation_s: f64,
    gpu_energy_kwh: f64,
    server_energy_kwh: f64,
    energy_kwh: f64,
    usage: [f64; 3],
    embodied: [f64; 3],
    water_l: f64,
}

/// GPUs holding `total_b` billion parameters: `ceil(1.2 × P × bits / 8 / 80 GB)`, rounded up
/// to a power of two.
fn gpus_for(total_b: f64) -> f64 {
    let memory_gb = 1.2 * total_b * QUANTIZATION_BITS / 8.0;
    let cards = (memory_gb / GPU_MEMORY_GB).ceil().max(1.0);
    // Sizes are below a few thousand billion parameters, so the card count fits a u32; the
    // cast saturates otherwise.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let cards = cards as u32;
    f64::from(cards.next_power_of_two())
}

fn end(input: &InferenceInput, active_b: f64, total_b: f64, pue: f64, wue: f64) -> End {
    // The operations in EcoLogits' order, so that the doubles agree to the last bits.
    let per_token_wh =
        GPU_ENERGY_ALPHA * (GPU_ENERGY_BETA * BATCH_SIZE).exp() * active_b + GPU_ENERGY_GAMMA;
    let gpu_energy_kwh = input.output_tokens * (per_token_wh / 1000.0);
    let per_token_s = match input.tokens_per_s {
        Some(tps) => 1.0 / tps,
        None => LATENCY_ALPHA * active_b + LATENCY_BETA * BATCH_SIZE + LATENCY_GAMMA,
    };
    let gpu_latency_s = input.output_tokens * per_token_s + input.first_token_s.unwrap_or(0.0);
    let generation_s = match input.request_latency_s {
        Some(measured) if measured < gpu_latency_s => measured,
        _ => gpu_latency_s,
    };
    let gpus = gpus_for(total_b);
    let server_energy_kwh =
        (generation_s / 3600.0) * SERVER_POWER_KW * (gpus / SERVER_GPUS) * (1.0 / BATCH_SIZE);
    let it_energy_kwh = server_energy_kwh + gpus * gpu_energy_kwh;
    let energy_kwh = pue * it_energy_kwh;
    let share = |server: f64, gpu: f64| {
        let hardware = (gpus / SERVER_GPUS) * server + gpus * gpu;
        generation_s * hardware / (HARDWARE_LIFE_S * BATCH_SIZE)
    };
    End {
        gpus,
        generation_s,
        gpu_energy_kwh: gpus * gpu_energy_kwh,
        server_energy_kwh,
        energy_kwh,
        usage: [
            energy_kwh * input.gwp_kg_per_kwh,
            energy_kwh * input.adpe_kgsb_per_kwh,
            energy_kwh * input.pe_mj_per_kwh,
        ],
        embodied: [
            share(SERVER_EMBODIED_GWP_KG, GPU_EMBODIED_GWP_KG),
            share(SERVER_EMBODIED_ADPE_KGSB, GPU_EMBODIED_ADPE_KGSB),
            share(SERVER_EMBODIED_PE_MJ, GPU_EMBODIED_PE_MJ),
        ],
        water_l: it_energy_kwh * (wue + pue * input.mix_wue_l_per_kwh),
    }
}

/// One request's impacts by EcoLogits' method: the low end with every low value (parameters,
/// PUE, WUE), the high end with every high one, as EcoLogits computes its ranges.
pub fn inference(input: &InferenceInput) -> Result<InferenceImpacts> {
    if !(input.output_tokens.is_finite() && input.output_tokens >= 0.0) {
        return Err(Error::invalid(
            "output tokens",
            input.output_tokens.to_string(),
            "a count of tokens, 0 or more",
        ));
    }
    for (field, value) in [
        ("active parameters", input.active_params_b.min),
        ("total parameters", input.total_params_b.min),
        ("PUE", input.pue.min),
    ] {
        if !(value.is_finite() && value > 0.0) {
            return Err(Error::invalid(
                field,
                value.to_string(),
                "a positive number",
            ));
        }
    }
    if let Some(latency) = input.request_latency_s
        && !(latency.is_finite() && latency > 0.0)
    {
        return Err(Error::invalid(
            "latency",
            latency.to_string(),
            "a positive number of seconds",
        ));
    }
    let low = end(
        input,
        input.active_params_b.min,
        input.total_params_b.min,
        input.pue.min,
        input.wue_l_per_kwh.min,
    );
    let high = end(
        input,
        input.active_params_b.max,
        input.total_params_b.max,
        input.pue.max,
        input.wue_l_per_kwh.max,
    );
    let span = |f: fn(&End) -> f64| Span {
        min: f(&low),
        max: f(&high),
    };
    let usage_gwp_kg = span(|e| e.usage[0]);
    let embodied_gwp_kg = span(|e| e.embodied[0]);
    let usage_adpe_kgsb = span(|e| e.usage[1]);
    let embodied_adpe_kgsb = span(|e| e.embodied[1]);
    let usage_pe_mj = span(|e| e.usage[2]);
    let embodied_pe_mj = span(|e| e.embodied[2]);
    Ok(InferenceImpacts {
        gpus: span(|e| e.gpus),
        generation_s: span(|e| e.generation_s),
        gpu_energy_kwh: span(|e| e.gpu_energy_kwh),
        server_energy_kwh: span(|e| e.server_energy_kwh),
        energy_kwh: span(|e| e.energy_kwh),
        usage_gwp_kg,
        embodied_gwp_kg,
        gwp_kg: usage_gwp_kg.add(embodied_gwp_kg),
        usage_adpe_kgsb,
        embodied_adpe_kgsb,
        adpe_kgsb: usage_adpe_kgsb.add(embodied_adpe_kgsb),
        usage_pe_mj,
        embodied_pe_mj,
        pe_mj: usage_pe_mj.add(embodied_pe_mj),
        water_l: span(|e| e.water_l),
    })
}

/// The method's constants as inputs of a result, each with its source.
pub fn method_assumptions() -> Vec<Assumption> {
    let src = |what: &str| format!("{SOURCE} ({what}), {YEAR} ({LICENCE})");
    vec![
        Assumption::new(
            "GPU energy per token, α · exp(β · batch) · P_active + γ: α",
            GPU_ENERGY_ALPHA,
            "Wh/token/B params",
            src("regression on open-model benchmarks"),
        ),
        Assumption::new("β", GPU_ENERGY_BETA, "1/request", src("same regression")),
        Assumption::new("γ", GPU_ENERGY_GAMMA, "Wh/token", src("same regression")),
        Assumption::new("batch", BATCH_SIZE, "requests", src("assumed batch")),
        Assumption::new(
            "GPU memory",
            GPU_MEMORY_GB,
            "GB",
            src("80 GB cards, 16-bit weights × 1.2"),
        ),
        Assumption::new(
            "server power without GPUs",
            SERVER_POWER_KW,
            "kW",
            src("8-GPU server"),
        ),
        Assumption::new(
            "embodied GWP of one GPU",
            GPU_EMBODIED_GWP_KG,
            "kgCO2e",
            src("BoaviztAPI"),
        ),
        Assumption::new(
            "embodied GWP of the server without GPUs",
            SERVER_EMBODIED_GWP_KG,
            "kgCO2e",
            src("BoaviztAPI"),
        ),
        Assumption::new(
            "hardware life",
            HARDWARE_LIFE_S / (365.0 * 24.0 * 3600.0),
            "years",
            src("assumed"),
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `docs/reference/ecologits_reference.py` with `ecologits==0.11.3`: `llm_impacts(provider,
    /// model, tokens, latency, zone)` as (energy kWh, GWP kg, ADPe kg, PE MJ, water L,
    /// embodied GWP kg), each (min, max).
    struct Case {
        provider: &'static str,
        model: &'static str,
        tokens: f64,
        latency_s: Option<f64>,
        zone: Option<&'static str>,
        expected: [(f64, f64); 6],
    }

    fn run(case: &Case) -> InferenceImpacts {
        let site = provider(case.provider).expect("provider");
        let m = model(case.provider, case.model).expect("model");
        let mix = electricity_mix(case.zone.unwrap_or(site.zone)).expect("mix");
        inference(&InferenceInput {
            active_params_b: m.active_params_b,
            total_params_b: m.total_params_b,
            output_tokens: case.tokens,
            request_latency_s: case.latency_s,
            tokens_per_s: m.tokens_per_s,
            first_token_s: m.first_token_s,
            pue: site.pue,
            wue_l_per_kwh: site.wue_l_per_kwh,
            gwp_kg_per_kwh: mix.gwp_kg_per_kwh,
            adpe_kgsb_per_kwh: mix.adpe_kgsb_per_kwh,
            pe_mj_per_kwh: mix.pe_mj_per_kwh,
            mix_wue_l_per_kwh: mix.wue_l_per_kwh,
        })
        .expect("impacts")
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-9 * b.abs().max(1e-300)
    }

    #[test]
    fn reproduces_ecologits_on_five_cases() {
        for case in reference_cases() {
            let got = run(&case);
            let fields = [
                got.energy_kwh,
                got.gwp_kg,
                got.adpe_kgsb,
                got.pe_mj,
                got.water_l,
                got.embodied_gwp_kg,
            ];
            for (i, (span, (min, max))) in fields.iter().zip(case.expected).enumerate() {
                assert!(
                    close(span.min, min) && close(span.max, max),
                    "{} {} field {i}: {span:?} vs ({min}, {max})",
                    case.provider,
                    case.model
                );
            }
        }
    }

    #[test]
    fn gpus_round_up_to_a_power_of_two() {
        // 70 B: 168 GB → 3 cards → 4; 7 B: 16.8 GB → 1; 405 B: 972 GB → 13 → 16.
        assert!((gpus_for(70.0) - 4.0).abs() < f64::EPSILON);
        assert!((gpus_for(7.0) - 1.0).abs() < f64::EPSILON);
        assert!((gpus_for(405.0) - 16.0).abs() < f64::EPSILON);
    }

    #[test]
    fn a_measured_latency_caps_the_generation_time() {
        let case = &reference_cases()[0];
        let free = run(case);
        let capped = run(&Case {
            latency_s: Some(free.generation_s.min / 2.0),
            ..reference_cases().remove(0)
        });
        assert!(capped.energy_kwh.max < free.energy_kwh.max);
        assert!(close(capped.generation_s.min, free.generation_s.min / 2.0));
    }

    #[test]
    fn unknown_names_are_refused_with_what_was_expected() {
        let err = model("openai", "gpt-4o-mni").unwrap_err().to_string();
        assert!(err.contains("model"), "{err}");
        let err = model("openai", "4o-mini").unwrap_err().to_string();
        assert!(err.contains("gpt-4o-mini"), "{err}");
        assert!(provider("azure").is_err());
        assert!(electricity_mix("XXX").is_err());
        assert_eq!(electricity_mix("fr").expect("FR").zone, "FRA");
        assert_eq!(electricity_mix("world").expect("world").zone, "WOR");
    }

    #[test]
    fn every_alias_points_at_a_model_of_its_provider() {
        let all = models(None).expect("tables");
        assert!(all.len() > 300, "{}", all.len());
        for m in all.iter().filter(|m| m.alias_of.is_some()) {
            assert!(
                all.iter()
                    .any(|t| Some(&t.name) == m.alias_of.as_ref() && t.provider == m.provider)
            );
        }
    }

    include!("ecologits_reference.rs");
}
