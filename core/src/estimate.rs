//! Energy and CO2e when nothing was measured, and the footprint of a measured trace.
//!
//! Three estimates, each giving the same numbers as the tool or paper it follows:
//! - [`green_algorithms`]: runtime × (cores × TDP per core × usage + GPUs × TDP × usage +
//!   memory GB × 0.3725 W/GB) × PUE × multiplicative factor, × carbon intensity
//!   (Lannelongue et al. 2021, green-algorithms-tool v3.0);
//! - [`ml_co2_impact`]: TDP × hours, rounded to 2 decimals as the ML CO2 Impact calculator
//!   does, × the region's intensity, no PUE (Lacoste et al. 2019);
//! - [`chip_hours`]: chips × hours × average power × PUE, the form of published training reports
//!   (Strubell et al. 2019, Patterson et al. 2021).
//!
//! [`footprint`] turns IT energy into CO2e and on-site water with a PUE, a grid factor and a
//! WUE, each with where it came from.

use serde::{Deserialize, Serialize};

use crate::energy::TraceSummary;
use crate::factors::{CloudRegion, Factor, GridSource, Hardware, library};
use crate::{Error, Result};

/// One number that went into a result, with its unit and source.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Assumption {
    /// What it is.
    pub name: String,
    /// Value.
    pub value: f64,
    /// Unit.
    pub unit: String,
    /// Where it came from (a factor table, the user, a trace).
    pub source: String,
}

impl Assumption {
    /// An input named `name`, `value` in `unit`, from `source`.
    pub fn new(name: &str, value: f64, unit: &str, source: impl Into<String>) -> Self {
        Self {
            name: name.to_owned(),
            value,
            unit: unit.to_owned(),
            source: source.into(),
        }
    }

    fn from_factor(name: &str, factor: &Factor) -> Self {
        Self::new(
            name,
            factor.value.central(),
            &factor.unit,
            factor.provenance.describe(),
        )
    }
}

/// A value given by the user or taken from the factor tables.
#[derive(Debug, Clone, PartialEq)]
pub enum Given {
    /// Given by the user.
    User(f64),
    /// From the factor tables.
    Factor(Factor),
}

impl Given {
    fn value(&self) -> f64 {
        match self {
            Self::User(v) => *v,
            Self::Factor(f) => f.value.central(),
        }
    }

    /// The value as an input of a result, named `name`, with its source.
    pub fn assumption(&self, name: &str, unit: &str) -> Assumption {
        match self {
            Self::User(v) => Assumption::new(name, *v, unit, "given by the user"),
            Self::Factor(f) => Assumption::from_factor(name, f),
        }
    }
}

/// An estimate or footprint: energy, CO2e, water, and every number behind them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Estimate {
    /// The method (`green-algorithms`, `ml-co2-impact`, `chip-hours`, `trace`).
    pub method: String,
    /// IT energy (before PUE), kWh.
    pub it_energy_kwh: f64,
    /// PUE applied.
    pub pue: f64,
    /// Energy at the meter (IT × PUE × multiplicative factor), kWh.
    pub energy_kwh: f64,
    /// Grid carbon intensity, gCO2e/kWh.
    pub intensity_g_per_kwh: f64,
    /// CO2e, kg.
    pub co2e_kg: f64,
    /// On-site water (IT energy × WUE), L, when a WUE was given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub water_l: Option<f64>,
    /// CO2e before the rounding a reproduced calculator does (ML CO2 Impact rounds energy,
    /// intensity and result to 0.01), kg; `None` when nothing was rounded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unrounded_co2e_kg: Option<f64>,
    /// The hardware's manufacturing emissions amortised over this run (BLOOM's form), kg,
    /// when asked for; not inside `co2e_kg`, which is the electricity's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub embodied_co2e_kg: Option<f64>,
    /// Every input, with its source.
    pub assumptions: Vec<Assumption>,
}

/// Inputs of the Green Algorithms calculation.
#[derive(Debug, Clone, PartialEq)]
pub struct GreenAlgorithmsInput {
    /// Runtime, h.
    pub runtime_h: f64,
    /// CPU cores.
    pub cores: u32,
    /// CPU model in Green Algorithms' table (`Any` = 12 W/core when `None`).
    pub cpu_model: Option<String>,
    /// CPU usage factor (0–1).
    pub cpu_usage: f64,
    /// GPUs.
    pub gpus: u32,
    /// GPU model in Green Algorithms' table (`Any` = 200 W when `None`).
    pub gpu_model: Option<String>,
    /// GPU usage factor (0–1).
    pub gpu_usage: f64,
    /// Memory available, GB.
    pub memory_gb: f64,
    /// PUE: a project's or the user's, or Green Algorithms' own ([`green_algorithms_pue`])
    /// to reproduce the tool.
    pub pue: Given,
    /// Grid carbon intensity, gCO2e/kWh: the project's source for the place
    /// ([`FactorOverrides::resolve_under`]), the user's, or Green Algorithms' own
    /// ([`green_algorithms_grid`]) to reproduce the tool.
    pub intensity: Given,
    /// Multiplicative ("pragmatic scaling") factor: number of identical runs.
    pub multiplier: f64,
}

fn positive(field: &str, value: f64) -> Result<f64> {
    if value.is_finite() && value >= 0.0 {
        Ok(value)
    } else {
        Err(Error::invalid(field, value.to_string(), "a number ≥ 0"))
    }
}

/// What Green Algorithms counts per unit: a CPU core or a GPU.
#[derive(Clone, Copy)]
enum Device {
    CpuCore,
    Gpu,
}

/// `count × TDP × usage` of CPU cores or GPUs from Green Algorithms' table (`Any` when no
/// model is given), with the three numbers recorded as assumptions.
fn device_power(
    kind: Device,
    count: u32,
    model: Option<&str>,
    usage: f64,
    assumptions: &mut Vec<Assumption>,
) -> Result<f64> {
    let lib = library();
    let model = model.unwrap_or("Any");
    let (found, field, table, what, power_name, usage_name): (Option<&Hardware>, _, _, _, _, _) =
        match kind {
            Device::CpuCore => (
                lib.cpu(model),
                "cpu",
                "TDP_cpu.csv",
                "CPU cores",
                "TDP per core",
                "CPU usage",
            ),
            Device::Gpu => (
                lib.gpu_green_algorithms(model),
                "gpu",
                "TDP_gpu.csv",
                "GPUs",
                "TDP",
                "GPU usage",
            ),
        };
    let hardware = found.ok_or_else(|| {
        Error::invalid(
            field,
            model,
            format!(
                "a {} model in Green Algorithms' {table} (or Any)",
                field.to_ascii_uppercase()
            ),
        )
    })?;
    let usage = positive(usage_name, usage)?;
    assumptions.push(Assumption::new(
        &format!("{power_name}, {}", hardware.model),
        hardware.power_w,
        "W",
        hardware.provenance.describe(),
    ));
    assumptions.push(Assumption::new(
        what,
        f64::from(count),
        "1",
        "given by the user",
    ));
    assumptions.push(Assumption::new(usage_name, usage, "1", "given by the user"));
    Ok(f64::from(count) * hardware.power_w * usage)
}

/// The Green Algorithms calculation, with its tables.
pub fn green_algorithms(input: &GreenAlgorithmsInput) -> Result<Estimate> {
    let lib = library();
    let runtime_h = positive("runtime_h", input.runtime_h)?;
    let mut assumptions = vec![Assumption::new(
        "runtime",
        runtime_h,
        "h",
        "given by the user",
    )];
    let mut cores_w = 0.0;
    for (count, model, usage, kind) in [
        (
            input.cores,
            &input.cpu_model,
            input.cpu_usage,
            Device::CpuCore,
        ),
        (input.gpus, &input.gpu_model, input.gpu_usage, Device::Gpu),
    ] {
        if count > 0 {
            cores_w += device_power(kind, count, model.as_deref(), usage, &mut assumptions)?;
        }
    }
    let memory = lib.memory_w_per_gb();
    let memory_w = positive("memory_gb", input.memory_gb)? * memory.value.central();
    assumptions.push(Assumption::new(
        "memory",
        input.memory_gb,
        "GB",
        "given by the user",
    ));
    assumptions.push(Assumption::from_factor("memory power", &memory));
    let pue = &input.pue;
    positive("pue", pue.value())?;
    assumptions.push(pue.assumption("PUE", "1"));
    let intensity = &input.intensity;
    positive("intensity", intensity.value())?;
    assumptions.push(intensity.assumption("carbon intensity", "gCO2e/kWh"));
    let multiplier = positive("multiplier", input.multiplier)?;
    if (multiplier - 1.0).abs() > f64::EPSILON {
        assumptions.push(Assumption::new(
            "multiplicative factor (runs)",
            multiplier,
            "1",
            "given by the user",
        ));
    }
    let it_energy_kwh = runtime_h * (cores_w + memory_w) * multiplier / 1000.0;
    let energy_kwh = it_energy_kwh * pue.value();
    Ok(Estimate {
        method: "green-algorithms".to_owned(),
        it_energy_kwh,
        pue: pue.value(),
        energy_kwh,
        intensity_g_per_kwh: intensity.value(),
        co2e_kg: energy_kwh * intensity.value() / 1000.0,
        water_l: None,
        unrounded_co2e_kg: None,
        embodied_co2e_kg: None,
        assumptions,
    })
}

/// Green Algorithms' own grid intensity for one of its locations: a country (`FR`, `FRA`),
/// a sub-national code (`US-CA`, `CA-QC`, …), or `WORLD`; for reproducing the tool's number.
pub fn green_algorithms_grid(location: &str) -> Result<Given> {
    library()
        .green_algorithms_intensity(location)
        .map(Given::Factor)
        .ok_or_else(|| {
            Error::invalid(
                "location",
                location,
                "a location of Green Algorithms' CI_aggregated.csv: a country (FR or FRA …), one of its region codes (US-CA …) or WORLD",
            )
        })
}

/// Green Algorithms' own default PUE for a provider (`gcp` 1.12, …; an unknown data centre
/// 1.56), for reproducing the tool's number.
pub fn green_algorithms_pue(provider: Option<&str>) -> Result<Given> {
    let wanted = provider.unwrap_or("Unknown");
    library()
        .provider_pue(wanted)
        .map(Given::Factor)
        .ok_or_else(|| {
            Error::invalid(
                "provider",
                wanted,
                "a provider of Green Algorithms' defaults_PUE.csv (gcp, aws, azure, …)",
            )
        })
}

/// `Number(x.toFixed(2))` as the ML CO2 Impact calculator's JavaScript computes it: the
/// nearest hundredth to the double's exact value, and at an exact tie the larger one (the
/// ECMAScript rule). Rust's `{:.2}` rounds the exact value too but breaks ties to even; a tie
/// needs x × 100 to end in exactly .5, which a double reaches only at odd multiples of 1/8.
/// (`(x × 100).round()` rounds the product, itself rounded: 1.115 × 100 is 111.5 as a double
/// while 1.115 is below it, so it gave 1.12 where the calculator shows 1.11.)
pub fn js_fixed2(value: f64) -> f64 {
    if !value.is_finite() {
        return value;
    }
    // Scaling by 8 is exact, so these comparisons are exact too.
    let eighths = value * 8.0;
    #[allow(clippy::float_cmp)]
    let tie = eighths.fract() == 0.0 && eighths.rem_euclid(2.0) == 1.0;
    if tie {
        return (value * 100.0 + 0.5).floor() / 100.0;
    }
    format!("{value:.2}").parse().unwrap_or(value)
}

/// The ML CO2 Impact calculator: `js_fixed2(TDP × GPUs × h / 1000) × js_fixed2(impact / 1000)`,
/// rounded, without PUE. `intensity_g_per_kwh` overrides the region's.
pub fn ml_co2_impact(
    gpu_model: &str,
    gpus: u32,
    hours: f64,
    provider_region: Option<(&str, &str)>,
    intensity_g_per_kwh: Option<f64>,
) -> Result<Estimate> {
    let lib = library();
    let hours = positive("hours", hours)?;
    let gpu = lib.gpu_mlco2(gpu_model).ok_or_else(|| {
        Error::invalid(
            "gpu",
            gpu_model,
            "a hardware name of ML CO2 Impact's gpus.csv",
        )
    })?;
    let mut assumptions = vec![
        Assumption::new("hours", hours, "h", "given by the user"),
        Assumption::new("GPUs", f64::from(gpus), "1", "given by the user"),
        Assumption::new(
            &format!("TDP, {}", gpu.model),
            gpu.power_w,
            "W",
            gpu.provenance.describe(),
        ),
    ];
    let tdp = gpu.power_w * f64::from(gpus);
    let intensity = match (intensity_g_per_kwh, provider_region) {
        (Some(ci), _) => {
            assumptions.push(Assumption::new(
                "carbon intensity",
                ci,
                "gCO2e/kWh",
                "given by the user",
            ));
            positive("intensity", ci)?
        }
        (None, Some((provider, region))) => {
            let factor = lib
                .mlco2_region_intensity(provider, region)
                .ok_or_else(|| {
                    Error::invalid(
                        "region",
                        format!("{provider} {region}"),
                        "a provider and region of ML CO2 Impact's impact.csv (gcp us-central1 …)",
                    )
                })?;
            assumptions.push(Assumption::from_factor(
                &format!("carbon intensity, {provider} {region}"),
                &factor,
            ));
            factor.value.central()
        }
        (None, None) => {
            return Err(Error::invalid(
                "region",
                "",
                "a provider and region, or a carbon intensity",
            ));
        }
    };
    assumptions.push(Assumption::new(
        "PUE",
        1.0,
        "1",
        "none: the ML CO2 Impact calculator applies no PUE",
    ));
    // As the calculator computes it: energy and the region's intensity rounded to 0.01 kWh
    // and kg/kWh, the product rounded again; an intensity typed in (its "private
    // infrastructure" choice) is taken as it is.
    let energy_kwh = js_fixed2(tdp * hours / 1000.0);
    let ef_kg = if intensity_g_per_kwh.is_some() {
        intensity / 1000.0
    } else {
        js_fixed2(intensity / 1000.0)
    };
    let co2e_kg = js_fixed2(energy_kwh * ef_kg);
    let unrounded = tdp * hours / 1000.0 * intensity / 1000.0;
    Ok(Estimate {
        method: "ml-co2-impact".to_owned(),
        it_energy_kwh: energy_kwh,
        pue: 1.0,
        energy_kwh,
        intensity_g_per_kwh: ef_kg * 1000.0,
        co2e_kg,
        water_l: None,
        unrounded_co2e_kg: ((unrounded - co2e_kg).abs() > 1e-12).then_some(unrounded),
        embodied_co2e_kg: None,
        assumptions,
    })
}

/// Chips × hours × average power × PUE, × intensity (the published training-report form).
pub fn chip_hours(
    chips: f64,
    hours: f64,
    power_w: f64,
    pue: &Given,
    intensity: &Given,
) -> Result<Estimate> {
    let chips = positive("chips", chips)?;
    let hours = positive("hours", hours)?;
    let power_w = positive("power_w", power_w)?;
    Ok(at_the_meter(
        "chip-hours",
        chips * hours * power_w / 1000.0,
        pue,
        intensity,
        vec![
            Assumption::new("chips", chips, "1", "given by the user"),
            Assumption::new("hours", hours, "h", "given by the user"),
            Assumption::new("average power per chip", power_w, "W", "given by the user"),
        ],
    ))
}

/// IT energy × PUE × intensity, the inputs before them listed first.
fn at_the_meter(
    method: &str,
    it_energy_kwh: f64,
    pue: &Given,
    intensity: &Given,
    mut assumptions: Vec<Assumption>,
) -> Estimate {
    let energy_kwh = it_energy_kwh * pue.value();
    assumptions.push(pue.assumption("PUE", "1"));
    assumptions.push(intensity.assumption("carbon intensity", "gCO2e/kWh"));
    Estimate {
        method: method.to_owned(),
        it_energy_kwh,
        pue: pue.value(),
        energy_kwh,
        intensity_g_per_kwh: intensity.value(),
        co2e_kg: energy_kwh * intensity.value() / 1000.0,
        water_l: None,
        unrounded_co2e_kg: None,
        embodied_co2e_kg: None,
        assumptions,
    }
}

/// A known energy (a paper's megawatt-hours, a provider's statement) × PUE × intensity: the
/// IT energy given, so that a figure which already holds the data centre's overhead takes
/// PUE 1.
pub fn energy_given(it_energy_kwh: f64, pue: &Given, intensity: &Given) -> Result<Estimate> {
    let it_energy_kwh = positive("energy_kwh", it_energy_kwh)?;
    Ok(at_the_meter(
        "energy given",
        it_energy_kwh,
        pue,
        intensity,
        vec![Assumption::new(
            "IT energy",
            it_energy_kwh,
            "kWh",
            "given by the user",
        )],
    ))
}

/// Which hardware a run's manufacturing share is taken from, and over what life.
#[derive(Debug, Clone, PartialEq)]
pub struct Embodied {
    /// One GPU card's manufacturing GHG.
    pub gpu: Given,
    /// One server's, without its GPUs; `None` to count the cards only.
    pub server: Option<Given>,
    /// GPUs per server (the server's share per card is its GHG over this).
    pub gpus_per_server: f64,
    /// Life of the hardware, years.
    pub life_years: Given,
    /// Share of its life the hardware is in use (0–1].
    pub utilisation: Given,
}

impl Embodied {
    /// The shipped choice for a GPU named as a hardware table names it (`None`: a
    /// data-centre card of unknown model), with BLOOM's server node, life and utilisation.
    pub fn for_gpu(model: Option<&str>) -> Result<Self> {
        let lib = library();
        let shipped = |id: &str| {
            lib.default_factor(id)
                .cloned()
                .map(Given::Factor)
                .ok_or_else(|| Error::invalid("factor", id, "a factor ecolens ships"))
        };
        Ok(Self {
            gpu: Given::Factor(lib.gpu_embodied(model)?),
            server: Some(shipped("server.embodied.gpu_node.bloom")?),
            gpus_per_server: 8.0,
            life_years: shipped("hardware.life.bloom")?,
            utilisation: shipped("hardware.utilisation.bloom")?,
        })
    }

    /// The manufacturing share of `gpus` cards used for `hours`:
    /// `gpus × (card + server / GPUs per server) × hours / (life × 8,760 h × utilisation)`
    /// (Luccioni, Viguier & Ligozat 2023's amortisation), kg, with its inputs.
    pub fn share(&self, gpus: f64, hours: f64) -> Result<(f64, Vec<Assumption>)> {
        let gpus = positive("gpus", gpus)?;
        let hours = positive("hours", hours)?;
        let per_server = positive("gpus per server", self.gpus_per_server)?;
        let life = positive("life years", self.life_years.value())?;
        let utilisation = self.utilisation.value();
        if !(utilisation > 0.0 && utilisation <= 1.0) {
            return Err(Error::invalid(
                "utilisation",
                utilisation.to_string(),
                "a share of the hardware's life above 0 and at most 1",
            ));
        }
        let server_kg = self.server.as_ref().map_or(0.0, Given::value);
        let per_card_kg = self.gpu.value() + server_kg / per_server;
        let life_h = life * 365.0 * 24.0 * utilisation;
        let kg = gpus * per_card_kg * hours / life_h;
        let mut assumptions = vec![self.gpu.assumption("manufacturing GHG per GPU", "kgCO2e")];
        if let Some(server) = &self.server {
            assumptions.push(server.assumption("manufacturing GHG per server (no GPUs)", "kgCO2e"));
            assumptions.push(Assumption::new(
                "GPUs per server",
                per_server,
                "1",
                "BLOOM's HPE Apollo 6500 nodes and EcoLogits' servers hold 8",
            ));
        }
        assumptions.push(self.life_years.assumption("hardware life", "years"));
        assumptions.push(
            self.utilisation
                .assumption("utilisation over its life", "1"),
        );
        Ok((kg, assumptions))
    }
}

/// CO2e = IT energy × PUE × intensity; on-site water = IT energy × WUE.
pub fn footprint(
    it_energy_kwh: f64,
    pue: &Given,
    intensity: &Given,
    wue: Option<&Given>,
    what: &str,
) -> Estimate {
    let energy_kwh = it_energy_kwh * pue.value();
    let mut assumptions = vec![
        Assumption::new("IT energy", it_energy_kwh, "kWh", what),
        pue.assumption("PUE", "1"),
        intensity.assumption("carbon intensity", "gCO2e/kWh"),
    ];
    if let Some(w) = wue {
        assumptions.push(w.assumption("WUE (site)", "L/kWh"));
    }
    Estimate {
        method: "trace".to_owned(),
        it_energy_kwh,
        pue: pue.value(),
        energy_kwh,
        intensity_g_per_kwh: intensity.value(),
        co2e_kg: energy_kwh * intensity.value() / 1000.0,
        water_l: wue.map(|w| it_energy_kwh * w.value()),
        unrounded_co2e_kg: None,
        embodied_co2e_kg: None,
        assumptions,
    }
}

/// What a mass of CO2e compares with (Green Algorithms' reference values): so many km by
/// car, flights, tree-months, each with its source.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Equivalent {
    /// How many.
    pub amount: f64,
    /// Of what (`km by passenger car (Europe)` …).
    pub what: String,
    /// gCO2e per one of them, and where that comes from.
    pub g_co2e_each: f64,
    /// Source, year, licence of `g_co2e_each`.
    pub source: String,
}

/// `co2e_kg` as Green Algorithms' reference equivalents.
pub fn equivalents(co2e_kg: f64) -> Vec<Equivalent> {
    library()
        .equivalents()
        .into_iter()
        .filter(|(_, g, _)| *g > 0.0)
        .map(|(what, g, provenance)| Equivalent {
            amount: co2e_kg * 1000.0 / g,
            what: what.to_owned(),
            g_co2e_each: g,
            source: provenance.describe(),
        })
        .collect()
}

/// Where a run took place, for choosing default factors.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Place {
    /// Country, ISO alpha-2 or alpha-3.
    pub country: Option<String>,
    /// Cloud provider and region.
    pub cloud: Option<(String, String)>,
    /// Year of the run.
    pub year: Option<i32>,
    /// Why the run is known to have been on a personal computer (PUE 1), when it is.
    pub personal_computer: Option<String>,
}

impl Place {
    /// Where a traced run took place: its country, cloud region and the year it started.
    pub fn of_trace(run: &TraceSummary) -> Self {
        Self {
            country: run.location.country_iso3.clone(),
            cloud: run
                .location
                .cloud_provider
                .clone()
                .zip(run.location.cloud_region.clone()),
            year: run
                .start
                .as_deref()
                .and_then(|s| s.get(..4))
                .and_then(|y| y.parse().ok()),
            personal_computer: run.location.personal_computer.clone(),
        }
    }
}

/// A value used only when a shipped table cannot be read (it is compiled in, so this means a
/// broken build); it says so instead of passing as the user's.
fn fallback(what: &str, unit: &str, value: f64) -> Given {
    Given::Factor(Factor {
        id: format!("fallback.{what}"),
        name: format!("{what} (fallback)"),
        unit: unit.to_owned(),
        value: crate::uncertain::Distribution::Fixed(value),
        provenance: crate::factors::Provenance {
            source: "ecolens fallback: the shipped factor table could not be read (Uptime 2024 PUE 1.56; WUE 0.5 L/kWh; IEA 2019 world 475 g/kWh)".to_owned(),
            year: None,
            licence: "fact quoted".to_owned(),
            note: None,
        },
    })
}

/// The default PUE, grid intensity and WUE for a place: the cloud region's PUE and WUE when
/// known (the provider's PUE from Green Algorithms' table when only the provider is), the
/// unknown data centre's otherwise; the grid intensity of the place's country (the cloud
/// region's country otherwise) from `source`, or the world's average in that source. When
/// `source` has no value for the country, the first source that has one is used and its
/// provenance says so. Each says where it came from.
pub fn defaults_for(place: &Place, source: GridSource) -> (Given, Given, Given) {
    let lib = library();
    let region = place
        .cloud
        .as_ref()
        .and_then(|(p, r)| lib.cloud_region(p, r));
    let provider_pue = || {
        place
            .cloud
            .as_ref()
            .filter(|(provider, _)| !provider.eq_ignore_ascii_case("unknown"))
            .and_then(|(provider, _)| lib.provider_pue(provider))
    };
    let unknown = |id: &str| lib.default_factor(id).cloned();
    // A personal computer has no data centre around it: PUE 1 and no on-site water, each
    // with the trace's evidence.
    let personal = |id: &str| {
        let evidence = place.personal_computer.as_ref()?;
        let mut factor = unknown(id)?;
        factor.provenance.source = format!("{}; this run: {evidence}", factor.provenance.source);
        Some(factor)
    };
    let pue = region
        .and_then(CloudRegion::pue_factor)
        .or_else(provider_pue)
        .or_else(|| personal("pue.personal"))
        .or_else(|| unknown("pue.unknown"))
        .map_or_else(|| fallback("pue", "1", 1.56), Given::Factor);
    let wue = region
        .and_then(CloudRegion::wue_factor)
        .or_else(|| personal("wue.personal"))
        .or_else(|| unknown("wue.unknown"))
        .map_or_else(|| fallback("wue", "L/kWh", 0.5), Given::Factor);
    let country = place
        .country
        .clone()
        .or_else(|| region.and_then(|r| r.country_iso3.clone()));
    let intensity = match &country {
        None => lib.world_intensity(source, place.year),
        Some(country) => lib
            .grid_intensity_from(source, Some(country), place.year)
            .or_else(|| {
                let mut other = lib
                    .grid_intensity(country.split('-').next().unwrap_or(country), place.year)?
                    .default;
                other.provenance.source = format!(
                    "{} has no value for {country}, so: {}",
                    source.label(),
                    other.provenance.source
                );
                Some(other)
            }),
    }
    .map_or_else(
        || fallback("grid intensity", "gCO2e/kWh", 475.0),
        Given::Factor,
    );
    (pue, intensity, wue)
}

/// A traced run's footprint under a project's factors.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunFootprint {
    /// IT energy × PUE × intensity, and every number behind it.
    pub estimate: Estimate,
    /// Where the run took place, in words (`FRA, 2023`, `gcp us-central1`, `place unknown`).
    pub place: String,
    /// CO2e with the lowest and the highest grid intensity the shipped sources give for the
    /// country, kg (when the intensity is the default, not an override).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub co2e_range_kg: Option<(f64, f64)>,
}

impl RunFootprint {
    /// The footprint of a traced run: the tool's PUE divided out, then the overrides' or the
    /// place's PUE, grid intensity and WUE.
    pub fn of(run: &TraceSummary, overrides: &FactorOverrides) -> Self {
        let place = Place::of_trace(run);
        let (pue, intensity, wue) = overrides.resolve(&place);
        let estimate = footprint(
            run.it_energy_kwh(),
            &pue,
            &intensity,
            Some(&wue),
            &format!("{} trace, run {}", run.tool(), run.run),
        );
        let country = overrides
            .country
            .clone()
            .or(place.country.clone())
            .or_else(|| {
                place.cloud.as_ref().and_then(|(p, r)| {
                    library()
                        .cloud_region(p, r)
                        .and_then(|c| c.country_iso3.clone())
                })
            });
        let co2e_range_kg = match (overrides.intensity_g_per_kwh, &country) {
            (None, Some(country)) => library()
                .grid_intensity(country, place.year)
                .filter(|g| g.sources.len() > 1)
                .map(|g| {
                    let (low, high) = g.range_g_per_kwh();
                    let per_g = estimate.energy_kwh / 1000.0;
                    (low * per_g, high * per_g)
                }),
            _ => None,
        };
        let mut words: Vec<String> = Vec::new();
        if let Some((provider, region)) = &place.cloud {
            words.push(format!("{provider} {region}"));
        }
        match &country {
            Some(country) => words.push(
                isocountry::CountryCode::for_alpha3(country)
                    .map_or_else(|_| country.clone(), |c| format!("{} ({country})", c.name())),
            ),
            None => words.push("place unknown".to_owned()),
        }
        if let Some(year) = place.year {
            words.push(year.to_string());
        }
        let mut estimate = estimate;
        if country.is_none() && overrides.intensity_g_per_kwh.is_none() {
            // Said where the number is: the intensity is the world's, not the run's place's.
            words.push("the world-average grid intensity is used".to_owned());
            if let Some(a) = estimate
                .assumptions
                .iter_mut()
                .find(|a| a.name == "carbon intensity")
            {
                a.source = format!("world average, as the run's place is unknown: {}", a.source);
            }
        }
        Self {
            estimate,
            place: words.join(", "),
            co2e_range_kg,
        }
    }
}

/// Factor values chosen instead of the shipped defaults: a project's own (stored with it) or a
/// command line's. Each one left `None` falls back to [`defaults_for`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FactorOverrides {
    /// Country (ISO alpha-2 or alpha-3) whose grid intensity applies, in place of the one a
    /// trace records.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// Power usage effectiveness (≥ 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pue: Option<f64>,
    /// Grid carbon intensity, gCO2e/kWh.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intensity_g_per_kwh: Option<f64>,
    /// Site water usage effectiveness, L/kWh.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wue_l_per_kwh: Option<f64>,
    /// Where the values come from (a report, a provider's statement); shown as their source.
    /// `None`: given by the user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Where grid intensities come from when no intensity is given; `None`: digital4better.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grid_source: Option<GridSource>,
    /// The data year of grid intensities for runs whose year is not known (digital4better's
    /// table is by year); `None`: 2024.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grid_year: Option<i32>,
}

impl FactorOverrides {
    /// True when nothing is overridden.
    pub fn is_empty(&self) -> bool {
        !self.has_own_values() && self.grid_source.is_none() && self.grid_year.is_none()
    }

    /// True when the project gives values of its own (country, PUE, intensity, WUE), which
    /// need a source; a grid source and year carry their own.
    pub fn has_own_values(&self) -> bool {
        self.country.is_some()
            || self.pue.is_some()
            || self.intensity_g_per_kwh.is_some()
            || self.wue_l_per_kwh.is_some()
    }

    /// The grid-intensity source in force: `top`'s (a command line's), else this one's (a
    /// project's), else digital4better.
    pub fn grid_source_under(&self, top: &Self) -> GridSource {
        top.grid_source.or(self.grid_source).unwrap_or_default()
    }

    /// Checks each value: a known country, PUE ≥ 1, intensity and WUE finite and ≥ 0.
    pub fn check(&self) -> Result<()> {
        // A country, the world (Green Algorithms' WORLD, EcoLogits' WOR), or a sub-national
        // place of a country (Green Algorithms' US-CA).
        let known = |place: &str| {
            let place = place.trim();
            place.eq_ignore_ascii_case("world")
                || place.eq_ignore_ascii_case("wor")
                || crate::factors::country_iso3(place).is_some()
                || place.split_once('-').is_some_and(|(country, region)| {
                    !region.trim().is_empty() && crate::factors::country_iso3(country).is_some()
                })
        };
        if let Some(country) = &self.country
            && !known(country)
        {
            return Err(Error::invalid(
                "factors.country",
                country,
                "an ISO 3166 country code such as FRA or FR, a region of one such as US-CA, or WORLD",
            ));
        }
        if let Some(year) = self.grid_year
            && !(1990..=2100).contains(&year)
        {
            return Err(Error::invalid(
                "factors.grid_year",
                year.to_string(),
                "a year between 1990 and 2100",
            ));
        }
        if let Some(pue) = self.pue
            && !(pue.is_finite() && pue >= 1.0)
        {
            return Err(Error::invalid(
                "factors.pue",
                pue.to_string(),
                "a PUE of 1 or more",
            ));
        }
        for (field, value) in [
            ("factors.intensity_g_per_kwh", self.intensity_g_per_kwh),
            ("factors.wue_l_per_kwh", self.wue_l_per_kwh),
        ] {
            if let Some(v) = value
                && !(v.is_finite() && v >= 0.0)
            {
                return Err(Error::invalid(field, v.to_string(), "a number ≥ 0"));
            }
        }
        Ok(())
    }

    /// PUE, grid intensity and WUE for a place: each override, else the default for the
    /// (overridden) place.
    pub fn resolve(&self, place: &Place) -> (Given, Given, Given) {
        self.resolve_under(place, &Self::default())
    }

    /// Like [`resolve`](Self::resolve) with `top`'s values (a command line's) over these (a
    /// project's); each value keeps its own source.
    pub fn resolve_under(&self, place: &Place, top: &Self) -> (Given, Given, Given) {
        let mut place = place.clone();
        if let Some(country) = top.country.as_ref().or(self.country.as_ref()) {
            place.country = Some(country.clone());
        }
        // A run's own year when known; else the year the project chose.
        place.year = place.year.or(top.grid_year).or(self.grid_year);
        let (pue, intensity, wue) = defaults_for(&place, self.grid_source_under(top));
        let layered =
            |pick: fn(&Self) -> Option<f64>, id: &str, name: &str, unit: &str, default| {
                top.given(
                    pick(top),
                    id,
                    name,
                    unit,
                    self.given(pick(self), id, name, unit, default),
                )
            };
        (
            layered(|o| o.pue, "pue", "PUE", "1", pue),
            layered(
                |o| o.intensity_g_per_kwh,
                "intensity",
                "grid carbon intensity",
                "gCO2e/kWh",
                intensity,
            ),
            layered(|o| o.wue_l_per_kwh, "wue", "WUE (site)", "L/kWh", wue),
        )
    }

    fn given(&self, value: Option<f64>, id: &str, name: &str, unit: &str, default: Given) -> Given {
        value.map_or(default, |v| {
            given_with(v, self.source.as_deref(), id, name, unit)
        })
    }
}

/// A value given in place of a default: by the user when `source` is `None`, else a project's
/// own value with its source ("project setting: RTE 2023").
fn given_with(value: f64, source: Option<&str>, id: &str, name: &str, unit: &str) -> Given {
    match source {
        None => Given::User(value),
        Some(source) => Given::Factor(Factor {
            id: format!("override.{id}"),
            name: name.to_owned(),
            unit: unit.to_owned(),
            value: crate::uncertain::Distribution::Fixed(value),
            provenance: crate::factors::Provenance {
                source: format!("project setting: {source}"),
                year: None,
                licence: "the project's own value".to_owned(),
                note: None,
            },
        }),
    }
}

#[cfg(test)]
#[allow(clippy::float_cmp)] // The published figures are whole numbers after rounding.
mod tests {
    use super::*;

    /// Strubell, Ganesh and `McCallum` 2019, Table 3: power (W), hours → `kWh·PUE` and CO2e (lbs)
    /// with PUE 1.58 and 0.954 lbs/kWh.
    #[test]
    fn reproduces_strubell_2019_table_3() {
        let pue = Given::User(1.58);
        let lbs_per_kwh = Given::User(0.954 * 1000.0); // per MWh, so co2e_kg reads as lbs
        for (model, power_w, hours, kwh_pue, lbs) in [
            ("Transformer_base", 1415.78, 12.0, 27.0, 26.0),
            ("Transformer_big", 1515.43, 84.0, 201.0, 192.0),
            ("ELMo", 517.66, 336.0, 275.0, 262.0),
            (
                "BERT_base (79.2 h in the text)",
                12_041.51,
                79.2,
                1507.0,
                1438.0,
            ),
            ("NAS", 1515.43, 274_120.0, 656_347.0, 626_155.0),
        ] {
            let estimate = chip_hours(1.0, hours, power_w, &pue, &lbs_per_kwh).unwrap();
            assert_eq!(estimate.energy_kwh.round(), kwh_pue, "{model} kWh·PUE");
            assert_eq!(estimate.co2e_kg.round(), lbs, "{model} lbs");
        }
        // The shipped factor converts to kg: NAS = 284 tCO2e (Patterson et al. 2021).
        let factor = library().default_factor("grid.us.strubell2019").unwrap();
        let kg = Given::Factor(factor.clone());
        let nas = chip_hours(
            1.0,
            274_120.0,
            1515.43,
            &pue,
            &Given::User(kg.value() * 1000.0),
        )
        .unwrap();
        assert_eq!((nas.co2e_kg / 1000.0).round(), 284.0);
    }

    /// Green Algorithms worked example: 1 × Tesla V100, 64 GB, 12 h, PUE 1.56, France.
    #[test]
    fn reproduces_the_green_algorithms_worked_example() {
        let estimate = green_algorithms(&GreenAlgorithmsInput {
            runtime_h: 12.0,
            cores: 0,
            cpu_model: None,
            cpu_usage: 1.0,
            gpus: 1,
            gpu_model: Some("NVIDIA Tesla V100".to_owned()),
            gpu_usage: 1.0,
            memory_gb: 64.0,
            pue: Given::User(1.56),
            intensity: green_algorithms_grid("FR").unwrap(),
            multiplier: 1.0,
        })
        .unwrap();
        assert!(
            (estimate.energy_kwh - 6.062_284_8).abs() < 1e-9,
            "{}",
            estimate.energy_kwh
        );
        assert!(
            (estimate.co2e_kg * 1000.0 - 310.874).abs() < 1e-3,
            "{}",
            estimate.co2e_kg
        );
        assert!(
            estimate
                .assumptions
                .iter()
                .any(|a| a.name == "carbon intensity"
                    && a.value == 51.28
                    && a.source.contains("CC BY 4.0"))
        );
        // Unknown data centre: PUE 1.56 from the table; cores at the Any default of 12 W/core.
        let cpu_input = GreenAlgorithmsInput {
            runtime_h: 1.0,
            cores: 4,
            cpu_model: None,
            cpu_usage: 0.5,
            gpus: 0,
            gpu_model: None,
            gpu_usage: 1.0,
            memory_gb: 0.0,
            pue: green_algorithms_pue(None).unwrap(),
            intensity: Given::User(100.0),
            multiplier: 2.0,
        };
        let cpu_only = green_algorithms(&cpu_input).unwrap();
        assert!((cpu_only.energy_kwh - 4.0 * 12.0 * 0.5 * 2.0 * 1.56 / 1000.0).abs() < 1e-12);
        let source_of = |estimate: &Estimate, name: &str| {
            estimate
                .assumptions
                .iter()
                .find(|a| a.name == name)
                .map(|a| a.source.clone())
        };
        assert_eq!(
            source_of(&cpu_only, "carbon intensity").as_deref(),
            Some("given by the user")
        );
        // A project's own values keep their source.
        let project = green_algorithms(&GreenAlgorithmsInput {
            pue: given_with(1.2, Some("RTE 2023"), "pue", "PUE", "1"),
            intensity: given_with(
                56.0,
                Some("RTE 2023"),
                "intensity",
                "grid carbon intensity",
                "gCO2e/kWh",
            ),
            ..cpu_input
        })
        .unwrap();
        for name in ["carbon intensity", "PUE"] {
            assert!(
                source_of(&project, name)
                    .is_some_and(|s| s.starts_with("project setting: RTE 2023")),
                "{name}: {:?}",
                source_of(&project, name)
            );
        }
        assert!((project.intensity_g_per_kwh - 56.0).abs() < 1e-12);
        let error = green_algorithms(&GreenAlgorithmsInput {
            gpu_model: Some("Quantum 9000".to_owned()),
            ..GreenAlgorithmsInput {
                runtime_h: 1.0,
                cores: 0,
                cpu_model: None,
                cpu_usage: 1.0,
                gpus: 1,
                gpu_model: None,
                gpu_usage: 1.0,
                memory_gb: 0.0,
                pue: Given::User(1.56),
                intensity: Given::User(475.0),
                multiplier: 1.0,
            }
        })
        .unwrap_err();
        assert!(error.to_string().contains("TDP_gpu.csv"), "{error}");
    }

    /// Issue 18, defect 5: the calculator's `Number(x.toFixed(2))`, ties and all, and a
    /// typed intensity taken as it is; the unrounded CO2e is kept beside the rounded one.
    #[test]
    fn ml_co2_impact_rounds_as_its_javascript_does_and_keeps_the_unrounded_value() {
        // Node's `Number(x.toFixed(2))` for each (exact ties at odd eighths go up).
        for (x, js) in [
            (1.115, 1.11),
            (1.005, 1.0),
            (0.125, 0.13),
            (0.375, 0.38),
            (2.675, 2.67),
            (0.016, 0.02),
            (2.45, 2.45),
            (0.049, 0.05),
            (8.345, 8.35),
        ] {
            assert_eq!(js_fixed2(x), js, "{x}");
        }
        // RTX 3090 (350 W) for 7 h in gcp europe-west6 (16 g/kWh): the calculator shows
        // 2.45 kWh × 0.02 = 0.05 kg; unrounded 0.0392 kg.
        let zurich =
            ml_co2_impact("RTX 3090", 1, 7.0, Some(("gcp", "europe-west6")), None).unwrap();
        assert_eq!(zurich.co2e_kg, 0.05);
        assert!((zurich.unrounded_co2e_kg.unwrap() - 0.0392).abs() < 1e-12);
        // A typed intensity is not rounded to 0.01 kg/kWh: 2.45 kWh × 0.016 = 0.0392 → 0.04.
        let typed = ml_co2_impact("RTX 3090", 1, 7.0, None, Some(16.0)).unwrap();
        assert_eq!(typed.intensity_g_per_kwh, 16.0);
        assert_eq!(typed.co2e_kg, 0.04);
    }

    /// ML CO2 Impact's example: Tesla V100-PCIE-16GB, 100 h, gcp us-central1 → 17.1 kg.
    #[test]
    fn reproduces_the_ml_co2_impact_calculator_with_its_rounding() {
        let estimate = ml_co2_impact(
            "Tesla V100-PCIE-16GB",
            1,
            100.0,
            Some(("gcp", "us-central1")),
            None,
        )
        .unwrap();
        assert_eq!(estimate.energy_kwh, 30.0);
        assert_eq!(estimate.intensity_g_per_kwh, 570.0);
        assert_eq!(estimate.co2e_kg, 17.1);
        assert_eq!(estimate.pue, 1.0);
        // Two GPUs draw twice the TDP: 60 kWh × 0.57.
        let two = ml_co2_impact(
            "Tesla V100-PCIE-16GB",
            2,
            100.0,
            Some(("gcp", "us-central1")),
            None,
        )
        .unwrap();
        assert_eq!(two.energy_kwh, 60.0);
        assert_eq!(two.co2e_kg, 34.2);
        assert!(
            two.assumptions
                .iter()
                .any(|a| a.name == "GPUs" && a.value == 2.0)
        );
    }

    #[test]
    fn footprint_uses_cloud_region_defaults_with_their_sources() {
        let (pue, intensity, wue) = defaults_for(
            &Place {
                country: None,
                cloud: Some(("aws".to_owned(), "ap-southeast-1".to_owned())),
                year: Some(2024),
                personal_computer: None,
            },
            GridSource::Digital4better,
        );
        assert_eq!(pue.value(), 1.32);
        assert_eq!(wue.value(), 1.68);
        let result = footprint(10.0, &pue, &intensity, Some(&wue), "a trace");
        assert!((result.energy_kwh - 13.2).abs() < 1e-12);
        assert!((result.water_l.unwrap() - 16.8).abs() < 1e-12);
        assert!(result.assumptions[2].source.contains("digital4better"));
        let (pue, intensity, _) = defaults_for(&Place::default(), GridSource::Digital4better);
        assert_eq!(pue.value(), 1.56);
        // digital4better has no world row: its 2024 country values weighted by generation,
        // 477.156 g/kWh by docs/reference/grid_world_reference.py (pycountry's country codes).
        assert!(
            (intensity.value() - 477.156_491_7).abs() < 1e-6,
            "{}",
            intensity.value()
        );
        let (_, world, _) = defaults_for(&Place::default(), GridSource::GreenAlgorithms);
        assert_eq!(world.value(), 475.0);
        let (_, world, _) = defaults_for(&Place::default(), GridSource::CodeCarbon);
        assert!(
            (world.value() - 480.617_401_36).abs() < 1e-6,
            "{}",
            world.value()
        );
    }

    /// Defect: the same country gave 30.04 g/kWh by one route and 51.28 by another. Every
    /// source answers for France, each with its own provenance, and a project's choice is
    /// the one every resolution takes.
    #[test]
    fn a_project_chooses_one_grid_source_and_every_resolution_takes_it() {
        let france = Place {
            country: Some("FRA".to_owned()),
            cloud: None,
            year: None,
            personal_computer: None,
        };
        let mut project = FactorOverrides::default();
        let value = |project: &FactorOverrides, top: &FactorOverrides| {
            project.resolve_under(&france, top).1
        };
        let d4b = value(&project, &FactorOverrides::default());
        assert!((d4b.value() - 30.04).abs() < 0.01, "{}", d4b.value());
        assert!(d4b.assumption("i", "u").source.contains("digital4better"));
        project.grid_source = Some(GridSource::GreenAlgorithms);
        let ga = value(&project, &FactorOverrides::default());
        assert_eq!(ga.value(), 51.28);
        project.grid_source = Some(GridSource::CodeCarbon);
        let cc = value(&project, &FactorOverrides::default());
        assert!(cc.assumption("i", "u").source.contains("CodeCarbon"));
        // A command line's choice wins over the project's, and the year picks the row.
        let top = FactorOverrides {
            grid_source: Some(GridSource::Digital4better),
            grid_year: Some(2021),
            ..FactorOverrides::default()
        };
        let d4b_2021 = value(&project, &top);
        assert_eq!(
            d4b_2021.value(),
            library()
                .grid_intensity_from(GridSource::Digital4better, Some("FR"), Some(2021))
                .unwrap()
                .value
                .central()
        );
        // Only Green Algorithms has sub-national values; the others give the country's.
        let california = |source| {
            library()
                .grid_intensity_from(source, Some("US-CA"), None)
                .unwrap()
                .value
                .central()
        };
        assert!((california(GridSource::GreenAlgorithms) - 216.43).abs() < 0.01);
        assert_eq!(
            california(GridSource::Digital4better),
            library()
                .grid_intensity_from(GridSource::Digital4better, Some("USA"), None)
                .unwrap()
                .value
                .central()
        );
        assert!("d4b".parse::<GridSource>().is_ok());
        assert!("ember".parse::<GridSource>().is_err());
    }
}
