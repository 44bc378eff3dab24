//! Default factors shipped as data (core/data/factors, see NOTICE.md there), every value with
//! its source, year, unit and licence: grid carbon intensity by country from several sources
//! (as a range), multi-criteria electricity factors by country and year, PUE and WUE by cloud
//! provider and region, hardware power (TDP) tables, embodied impacts and energy per
//! inference.
//!
//! The tables are parsed once, on first use ([`library`]).

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::uncertain::Distribution;

const GA_CI: &str = include_str!("../data/factors/green-algorithms/CI_aggregated.csv");
const GA_CPU: &str = include_str!("../data/factors/green-algorithms/TDP_cpu.csv");
const GA_GPU: &str = include_str!("../data/factors/green-algorithms/TDP_gpu.csv");
const GA_PUE: &str = include_str!("../data/factors/green-algorithms/defaults_PUE.csv");
const GA_REFERENCE: &str = include_str!("../data/factors/green-algorithms/referenceValues.csv");
const CC_MIX: &str = include_str!("../data/factors/codecarbon/global_energy_mix.json");
const CC_CLOUD: &str = include_str!("../data/factors/codecarbon/cloud_impact.csv");
const MLCO2_GPUS: &str = include_str!("../data/factors/mlco2-impact/gpus.csv");
const MLCO2_IMPACT: &str = include_str!("../data/factors/mlco2-impact/impact.csv");
const D4B_ELECTRICITY: &str =
    include_str!("../data/factors/digital4better/d4b_electricity_factors_country_yearly.csv");
const D4B_REGIONS: &str =
    include_str!("../data/factors/digital4better/d4b_cloud_regions_pue_wue.csv");
const BOAVIZTA_PCF: &str =
    include_str!("../data/factors/boavizta/boavizta_manufacturer_pcf_us.csv");
const ECOLENS_DEFAULTS: &str = include_str!("../data/factors/ecolens/defaults.toml");

/// Licence notices.
const GA_LICENCE: &str = "CC BY 4.0 (Green Algorithms, Lannelongue, Grealey & Inouye 2021)";
const CC_LICENCE: &str = "MIT (CodeCarbon); data OWID/Ember CC BY 4.0";
const MLCO2_LICENCE: &str = "MIT (ML CO2 Impact, mlco2/impact)";
const D4B_LICENCE: &str = "ODbL 1.0 (© Digital4Better)";
const BOAVIZTA_LICENCE: &str = "ODbL 1.0 / DbCL 1.0 (© Boavizta contributors)";

/// Where a number comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Provenance {
    /// The source, as a citation or data set name.
    pub source: String,
    /// Year of the data (not of the release), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub year: Option<i32>,
    /// Licence of the data.
    pub licence: String,
    /// Where the value is known to disagree with its maker's specification or another
    /// source, said wherever the value is shown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl Provenance {
    fn new(source: impl Into<String>, year: Option<i32>, licence: &str) -> Self {
        Self {
            source: source.into(),
            year,
            licence: licence.to_owned(),
            note: None,
        }
    }

    /// "source, year (licence)", and "; NOTE: …" when the value is known to disagree.
    pub fn describe(&self) -> String {
        let mut text = match self.year {
            Some(year) => format!("{}, {year} ({})", self.source, self.licence),
            None => format!("{} ({})", self.source, self.licence),
        };
        if let Some(note) = &self.note {
            text.push_str("; NOTE: ");
            text.push_str(note);
        }
        text
    }
}

/// Values of the shipped tables known to disagree with their maker's specification or with
/// the literature: (table, model, note). Shipped as they are, since the tools being
/// reproduced use them, and said wherever they are shown.
const KNOWN_DISAGREEMENTS: &[(&str, &str, &str)] = &[
    (
        "ML CO2 Impact gpus.csv",
        "Tesla V100-PCIE-16GB",
        "NVIDIA's V100 datasheet gives 250 W for the PCIe card and 300 W for SXM2; this row (300 W) and Tesla V100-SXM2-16GB (250 W) look swapped",
    ),
    (
        "ML CO2 Impact gpus.csv",
        "Tesla V100-SXM2-16GB",
        "NVIDIA's V100 datasheet gives 300 W for SXM2 and 250 W for the PCIe card; this row (250 W) and Tesla V100-PCIE-16GB (300 W) look swapped",
    ),
    (
        "ML CO2 Impact gpus.csv",
        "GTX 750",
        "NVIDIA gives a 55 W TDP for the GeForce GTX 750 (as does techpowerup, the row's own source), not 250 W",
    ),
    (
        "Green Algorithms TDP_gpu.csv",
        "TPU v3",
        "a TDP below the 283 W average draw that ML CO2 Impact's gpus.csv takes for a TPUv3 chip from Patterson et al. 2021 (arXiv:2104.10350); a chip cannot draw more on average than its design power",
    ),
];

/// The data year of a source text: after "data from" (a month may come between), before
/// "data" ("based on 2019 data", "using 2019/20 data"), else the latest year it names (a
/// report's, a URL's `/2023/05/`). Years outside 1990–2035 are not years here.
fn year_in(text: &str) -> Option<i32> {
    let lower = text.to_ascii_lowercase();
    let bytes = lower.as_bytes();
    let years: Vec<(usize, i32)> = (0..bytes.len().saturating_sub(3))
        .filter(|&at| {
            bytes[at..at + 4].iter().all(u8::is_ascii_digit)
                && (at == 0 || !bytes[at - 1].is_ascii_digit())
                && bytes.get(at + 4).is_none_or(|b| !b.is_ascii_digit())
        })
        .filter_map(|at| {
            let year: i32 = lower[at..at + 4].parse().ok()?;
            (1990..=2035).contains(&year).then_some((at, year))
        })
        .collect();
    if let Some(from) = lower.find("data from ") {
        let after = from + "data from ".len();
        if let Some(&(_, year)) = years
            .iter()
            .find(|(at, _)| *at >= after && *at <= after + 12)
        {
            return Some(year);
        }
    }
    let before_data = years.iter().find(|(at, _)| {
        let rest = &lower[at + 4..];
        let rest = rest
            .strip_prefix('/')
            .map_or(rest, |r| r.trim_start_matches(|c: char| c.is_ascii_digit()));
        rest.starts_with(" data")
    });
    if let Some(&(_, year)) = before_data {
        return Some(year);
    }
    years.iter().map(|&(_, year)| year).max()
}

/// The year of a table row: the row's own (from its source text), else the year the shipped
/// table was last changed upstream, said as such.
fn row_year(source: &str, table_as_of: &str) -> (String, Option<i32>) {
    match year_in(source) {
        Some(year) => (source.to_owned(), Some(year)),
        None => (
            format!("{source} (table as of {table_as_of})"),
            table_as_of.get(..4).and_then(|y| y.parse().ok()),
        ),
    }
}

/// A value with its unit and provenance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Factor {
    /// Stable key (`grid.FRA.d4b.2024`, `pue.unknown`, `gpu.embodied.default` …).
    pub id: String,
    /// What it is.
    pub name: String,
    /// Unit (`gCO2e/kWh`, `L/kWh`, `kgCO2e/unit`, `J/inference`, `W` …).
    pub unit: String,
    /// The value, possibly uncertain.
    pub value: Distribution,
    /// Where it comes from.
    #[serde(flatten)]
    pub provenance: Provenance,
}

/// Grid carbon intensity of a country: the default value and every source's value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GridIntensity {
    /// ISO 3166-1 alpha-3.
    pub country_iso3: String,
    /// The default (digital4better for the year, else CodeCarbon/OWID, else Green Algorithms), gCO2e/kWh.
    pub default: Factor,
    /// Each source's value, gCO2e/kWh.
    pub sources: Vec<Factor>,
}

impl GridIntensity {
    /// Lowest and highest value across sources.
    pub fn range_g_per_kwh(&self) -> (f64, f64) {
        self.sources
            .iter()
            .map(|f| f.value.central())
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
                (lo.min(v), hi.max(v))
            })
    }

    /// Triangular(min, default, max) across sources, for Monte Carlo.
    pub fn as_distribution(&self) -> Distribution {
        let (min, max) = self.range_g_per_kwh();
        let mode = self.default.value.central();
        if max > min {
            Distribution::Triangular {
                min: min.min(mode),
                mode,
                max: max.max(mode),
            }
        } else {
            Distribution::Fixed(mode)
        }
    }
}

/// Where grid carbon intensities come from. A project chooses one (with a year, for
/// digital4better's yearly table), and every route to a CO2e figure uses it: estimates,
/// trace footprints, reports. The others stay visible as the range across sources.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum GridSource {
    /// digital4better's country-yearly life-cycle factors (Ember mix × UNECE 2021) (Open Database Licence).
    #[default]
    Digital4better,
    /// CodeCarbon's `global_energy_mix.json` (Our World in Data / Ember), direct emissions.
    CodeCarbon,
    /// Green Algorithms' `CI_aggregated.csv` (several sources, 2020–2022; sub-national
    /// values for some countries).
    GreenAlgorithms,
}

impl GridSource {
    /// Every source, the default first.
    pub const ALL: [Self; 3] = [
        Self::Digital4better,
        Self::CodeCarbon,
        Self::GreenAlgorithms,
    ];

    /// The name used on the command line and in settings.
    pub fn code(self) -> &'static str {
        match self {
            Self::Digital4better => "digital4better",
            Self::CodeCarbon => "codecarbon",
            Self::GreenAlgorithms => "green-algorithms",
        }
    }

    /// The source in words.
    pub fn label(self) -> &'static str {
        match self {
            Self::Digital4better => "digital4better (life cycle, by year)",
            Self::CodeCarbon => "CodeCarbon (OWID/Ember)",
            Self::GreenAlgorithms => "Green Algorithms",
        }
    }
}

impl std::fmt::Display for GridSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

impl std::str::FromStr for GridSource {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let wanted = text.trim().to_ascii_lowercase().replace(['_', ' '], "-");
        Self::ALL
            .into_iter()
            .find(|s| s.code() == wanted || (wanted == "d4b" && *s == Self::Digital4better))
            .ok_or_else(|| {
                format!(
                    "{text:?} is not a grid-intensity source: digital4better, codecarbon or green-algorithms"
                )
            })
    }
}

/// Multi-criteria life-cycle factors of one kWh of a country's electricity (digital4better).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ElectricityFactors {
    /// ISO 3166-1 alpha-3.
    pub country_iso3: String,
    /// Year of the factors.
    pub year: i32,
    /// `(criterion code, value per kWh)`: gwp kgCO2e, adpe kg Sb eq, ctue CTUe, wu m³ world-eq,
    /// ir kBq U235 eq, pm disease incidence, ap mol H+ eq, `ctuh_c`/`ctuh_nc` CTUh.
    pub per_kwh: Vec<(String, f64)>,
    /// Where they come from.
    pub provenance: Provenance,
}

impl ElectricityFactors {
    /// The factor of one criterion.
    pub fn get(&self, criterion: &str) -> Option<f64> {
        self.per_kwh
            .iter()
            .find(|(c, _)| c == criterion)
            .map(|(_, v)| *v)
    }
}

/// A cloud region's PUE and WUE.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CloudRegion {
    /// Provider (`aws`, `azure`, `gcp`, `oracle`, `ovhcloud`, `scaleway`).
    pub provider: String,
    /// Region id.
    pub region: String,
    /// Place.
    pub location: String,
    /// ISO 3166-1 alpha-3 of the country.
    pub country_iso3: Option<String>,
    /// PUE.
    pub pue: Option<f64>,
    /// Site WUE, L/kWh.
    pub wue_l_per_kwh: Option<f64>,
}

impl CloudRegion {
    fn factor(&self, what: &str, unit: &str, value: f64) -> Factor {
        Factor {
            id: format!(
                "{}.{}.{}",
                what.to_ascii_lowercase(),
                self.provider,
                self.region
            ),
            name: format!(
                "{what} of {} {} ({})",
                self.provider, self.region, self.location
            ),
            unit: unit.to_owned(),
            value: Distribution::Fixed(value),
            provenance: Provenance::new(
                "digital4better cloud regions (provider disclosures)",
                Some(2024),
                D4B_LICENCE,
            ),
        }
    }

    /// The region's PUE as a factor with its provenance.
    pub fn pue_factor(&self) -> Option<Factor> {
        self.pue.map(|pue| self.factor("PUE", "1", pue))
    }

    /// The region's site WUE (L/kWh) as a factor with its provenance.
    pub fn wue_factor(&self) -> Option<Factor> {
        self.wue_l_per_kwh
            .map(|wue| self.factor("WUE", "L/kWh", wue))
    }
}

/// A processor or accelerator's power, from a tool's table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Hardware {
    /// Model name as in the table.
    pub model: String,
    /// Power per device (GPU) or per core (CPU), W.
    pub power_w: f64,
    /// Cores (CPUs).
    pub cores: Option<u32>,
    /// Where it comes from.
    pub provenance: Provenance,
}

/// A place the shipped tables know, as a person picks it: its code and its name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KnownPlace {
    /// The code the tables use: ISO alpha-3 for countries, Green Algorithms' location code
    /// (`FR`, `US-CA`, `WORLD`) for the calculator.
    pub code: String,
    /// `France`, `United States of America — California`, `World`.
    pub name: String,
}

/// The factor tables.
#[derive(Debug)]
pub struct FactorLibrary {
    ga_ci: HashMap<String, (f64, String)>,
    /// Green Algorithms' locations with their names, World first, then by name.
    ga_places: Vec<KnownPlace>,
    /// Countries with a grid intensity in a shipped source, ISO alpha-3 and ISO name, by name.
    countries: Vec<KnownPlace>,
    /// CodeCarbon's energy mix by country: intensity gCO2e/kWh, data year, generation in terawatt-hours.
    cc_mix: HashMap<String, (f64, Option<i32>, f64)>,
    d4b: HashMap<(String, i32), Vec<(String, f64)>>,
    d4b_years: (i32, i32),
    regions: Vec<CloudRegion>,
    /// CodeCarbon's cloud regions: provider, region, gCO2e/kWh, the row's source.
    cc_cloud: Vec<(String, String, f64, String)>,
    /// ML CO2 Impact's regions: provider, region, gCO2e/kWh, offset %, the row's source.
    mlco2_impact: Vec<(String, String, f64, f64, String)>,
    ga_cpu: Vec<Hardware>,
    ga_gpu: Vec<Hardware>,
    mlco2_gpu: Vec<Hardware>,
    ga_pue: Vec<(String, f64, String)>,
    memory_w_per_gb: f64,
    /// Green Algorithms' reference values: variable, value, source.
    ga_reference: Vec<(String, f64, String)>,
    defaults: Vec<Factor>,
    server_manufacturing: Vec<f64>,
}

/// The shipped tables, parsed on first use.
pub fn library() -> &'static FactorLibrary {
    static LIBRARY: OnceLock<FactorLibrary> = OnceLock::new();
    LIBRARY.get_or_init(FactorLibrary::load)
}

/// Rows of a CSV as string maps; `skip` lines are dropped first (Green Algorithms has two
/// header lines). The shipped files are known good; a row that does not parse is skipped.
fn csv_rows(text: &str, skip: usize) -> Vec<HashMap<String, String>> {
    let text = text.trim_start_matches('\u{feff}');
    let body: String = text.split_inclusive('\n').skip(skip).collect::<String>();
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(body.as_bytes());
    let Ok(header) = reader.headers().cloned() else {
        return Vec::new();
    };
    reader
        .records()
        .filter_map(std::result::Result::ok)
        .map(|record| {
            header
                .iter()
                .zip(record.iter())
                .map(|(h, v)| (h.trim().to_owned(), v.trim().to_owned()))
                .collect()
        })
        .collect()
}

fn num(row: &HashMap<String, String>, key: &str) -> Option<f64> {
    row.get(key).and_then(|v| v.parse().ok())
}

#[derive(Deserialize)]
struct DefaultsFile {
    factor: Vec<DefaultEntry>,
}

#[derive(Deserialize)]
struct DefaultEntry {
    id: String,
    name: String,
    unit: String,
    value: Distribution,
    source: String,
    year: Option<i32>,
    licence: String,
}

impl FactorLibrary {
    fn load() -> Self {
        let mut ga_places: Vec<KnownPlace> = csv_rows(GA_CI, 1)
            .into_iter()
            .filter_map(|row| {
                let code = row.get("location")?.to_ascii_uppercase();
                let country = row.get("countryName").map_or("", String::as_str);
                let region = row.get("regionName").map_or("", String::as_str);
                let name = match (code.as_str(), region) {
                    ("WORLD", _) => "World".to_owned(),
                    (_, "" | "Any") => country.to_owned(),
                    _ => format!("{country} — {region}"),
                };
                Some(KnownPlace { code, name })
            })
            .collect();
        ga_places.sort_by(|a, b| {
            (a.code != "WORLD")
                .cmp(&(b.code != "WORLD"))
                .then_with(|| a.name.cmp(&b.name))
        });
        let ga_ci: HashMap<String, (f64, String)> = csv_rows(GA_CI, 1)
            .into_iter()
            .filter_map(|row| {
                let code = row.get("location")?.to_ascii_uppercase();
                let value = num(&row, "carbonIntensity")?;
                let source = format!(
                    "{} {}",
                    row.get("source").map_or("", String::as_str),
                    row.get("comments").map_or("", String::as_str)
                );
                Some((code, (value, source.trim().to_owned())))
            })
            .collect();
        let cc_mix: HashMap<String, (f64, Option<i32>, f64)> =
            serde_json::from_str::<HashMap<String, serde_json::Value>>(CC_MIX)
                .unwrap_or_default()
                .into_iter()
                .filter_map(|(iso3, entry)| {
                    let ci = entry.get("carbon_intensity")?.as_f64()?;
                    let year = entry
                        .get("year")
                        .and_then(serde_json::Value::as_i64)
                        .and_then(|y| i32::try_from(y).ok());
                    let generation_twh = entry
                        .get("total_TWh")
                        .and_then(serde_json::Value::as_f64)
                        .unwrap_or(0.0);
                    Some((iso3, (ci, year, generation_twh)))
                })
                .collect();
        let mut d4b = HashMap::new();
        let mut years = (i32::MAX, i32::MIN);
        for row in csv_rows(D4B_ELECTRICITY, 0) {
            let (Some(country), Some(year)) = (
                row.get("country").map(|c| c.to_ascii_uppercase()),
                row.get("year").and_then(|y| y.parse::<i32>().ok()),
            ) else {
                continue;
            };
            years = (years.0.min(year), years.1.max(year));
            let values = [
                "gwp", "adpe", "ctue", "wu", "ir", "pm", "ap", "ctuh-c", "ctuh-nc",
            ]
            .iter()
            .filter_map(|k| num(&row, k).map(|v| (k.replace('-', "_"), v)))
            .collect();
            d4b.insert((country, year), values);
        }
        let regions = csv_rows(D4B_REGIONS, 0)
            .into_iter()
            .filter_map(|row| {
                Some(CloudRegion {
                    provider: row.get("provider")?.clone(),
                    region: row.get("id")?.clone(),
                    location: row.get("location").cloned().unwrap_or_default(),
                    country_iso3: row.get("country").and_then(|c| country_iso3(c)),
                    pue: num(&row, "pue"),
                    wue_l_per_kwh: num(&row, "wue"),
                })
            })
            .collect();
        let cc_cloud = csv_rows(CC_CLOUD, 0)
            .into_iter()
            .filter_map(|row| {
                Some((
                    row.get("provider")?.to_ascii_lowercase(),
                    row.get("region")?.clone(),
                    num(&row, "impact")?,
                    row.get("source").cloned().unwrap_or_default(),
                ))
            })
            .collect();
        let mlco2_impact = csv_rows(MLCO2_IMPACT, 0)
            .into_iter()
            .filter_map(|row| {
                Some((
                    row.get("provider")?.to_ascii_lowercase(),
                    row.get("region")?.clone(),
                    num(&row, "impact")?,
                    num(&row, "offsetRatio").unwrap_or(0.0),
                    row.get("source").cloned().unwrap_or_default(),
                ))
            })
            .collect();
        // A table's rows with the table's name, the year the shipped file was last changed
        // upstream (see NOTICE.md: the commit's history), and the notes of KNOWN_DISAGREEMENTS.
        let hardware = |text: &str,
                        skip: usize,
                        (power, model): (&str, &str),
                        (source, table_as_of): (&str, &str),
                        licence: &str| {
            csv_rows(text, skip)
                .into_iter()
                .filter_map(|row| {
                    let name = row.get(model)?.clone();
                    let (text, year) = row_year(
                        &format!(
                            "{source}{}",
                            row.get("source")
                                .filter(|s| !s.is_empty())
                                .map(|s| format!(" ({s})"))
                                .unwrap_or_default()
                        ),
                        table_as_of,
                    );
                    let mut provenance = Provenance::new(text, year, licence);
                    provenance.note = KNOWN_DISAGREEMENTS
                        .iter()
                        .find(|(table, known, _)| *table == source && *known == name)
                        .map(|(.., note)| (*note).to_owned());
                    Some(Hardware {
                        model: name,
                        power_w: num(&row, power)?,
                        cores: row.get("n_cores").and_then(|c| c.parse().ok()),
                        provenance,
                    })
                })
                .collect::<Vec<_>>()
        };
        let ga_cpu = hardware(
            GA_CPU,
            1,
            ("TDP_per_core", "model"),
            ("Green Algorithms TDP_cpu.csv", "2025-02"),
            GA_LICENCE,
        );
        let ga_gpu = hardware(
            GA_GPU,
            1,
            ("TDP_per_core", "model"),
            ("Green Algorithms TDP_gpu.csv", "2025-02"),
            GA_LICENCE,
        );
        let mlco2_gpu = hardware(
            MLCO2_GPUS,
            0,
            ("tdp_watts", "name"),
            ("ML CO2 Impact gpus.csv", "2026-02"),
            MLCO2_LICENCE,
        );
        let ga_pue = csv_rows(GA_PUE, 1)
            .into_iter()
            .filter_map(|row| {
                Some((
                    row.get("provider")?.clone(),
                    num(&row, "PUE")?,
                    row.get("source").cloned().unwrap_or_default(),
                ))
            })
            .collect();
        let memory_w_per_gb = csv_rows(GA_REFERENCE, 1)
            .into_iter()
            .find(|row| row.get("variable").is_some_and(|v| v == "memoryPower"))
            .and_then(|row| num(&row, "value"))
            .unwrap_or(0.3725);
        let ga_reference = csv_rows(GA_REFERENCE, 1)
            .into_iter()
            .filter_map(|row| {
                Some((
                    row.get("variable")?.clone(),
                    num(&row, "value")?,
                    row.get("source").cloned().unwrap_or_default(),
                ))
            })
            .collect();
        let defaults = toml::from_str::<DefaultsFile>(ECOLENS_DEFAULTS)
            .map(|file| {
                file.factor
                    .into_iter()
                    .map(|e| Factor {
                        id: e.id,
                        name: e.name,
                        unit: e.unit,
                        value: e.value,
                        provenance: Provenance {
                            source: e.source,
                            year: e.year,
                            licence: e.licence,
                            note: None,
                        },
                    })
                    .collect()
            })
            .unwrap_or_default();
        let mut server_manufacturing: Vec<f64> = csv_rows(BOAVIZTA_PCF, 0)
            .into_iter()
            .filter(|row| row.get("subcategory").is_some_and(|s| s == "Server"))
            .filter_map(|row| Some(num(&row, "gwp_total")? * num(&row, "gwp_manufacturing_ratio")?))
            .filter(|v| *v > 0.0)
            .collect();
        server_manufacturing.sort_by(f64::total_cmp);
        let mut iso3: std::collections::BTreeSet<String> = cc_mix.keys().cloned().collect();
        iso3.extend(d4b.keys().filter_map(|(iso2, _)| country_iso3(iso2)));
        iso3.extend(
            ga_ci
                .keys()
                .filter(|c| c.len() == 2)
                .filter_map(|c| country_iso3(c)),
        );
        let mut countries: Vec<KnownPlace> = iso3
            .into_iter()
            .filter_map(|code| {
                let country = isocountry::CountryCode::for_alpha3(&code).ok()?;
                Some(KnownPlace {
                    name: country.name().to_owned(),
                    code,
                })
            })
            .collect();
        countries.sort_by(|a, b| a.name.cmp(&b.name));
        Self {
            ga_ci,
            ga_places,
            countries,
            cc_mix,
            d4b,
            d4b_years: years,
            regions,
            cc_cloud,
            mlco2_impact,
            ga_cpu,
            ga_gpu,
            mlco2_gpu,
            ga_pue,
            memory_w_per_gb,
            ga_reference,
            defaults,
            server_manufacturing,
        }
    }

    /// The year of digital4better factors used for `year` (clamped to the table's years).
    /// Without a year: 2024, the year the ecolens notes compare the grid sources in; the
    /// release year's rows (2026) are provisional per the data's README.
    fn d4b_year(&self, year: Option<i32>) -> i32 {
        const DEFAULT_YEAR: i32 = 2024;
        year.unwrap_or(DEFAULT_YEAR)
            .clamp(self.d4b_years.0, self.d4b_years.1)
    }

    /// Green Algorithms' carbon intensity for a location code (`FR`, `US-CA`, `WORLD`), g/kWh.
    pub fn green_algorithms_intensity(&self, code: &str) -> Option<Factor> {
        let upper = code.trim().to_ascii_uppercase();
        let key = if upper.len() == 3 && upper != "ANY" {
            country_iso2(&upper).unwrap_or(upper)
        } else {
            upper
        };
        let (value, source) = self.ga_ci.get(&key)?;
        let (text, year) = row_year(
            &format!("Green Algorithms CI_aggregated.csv: {}", source.trim()),
            "2022-10",
        );
        Some(Factor {
            id: format!("grid.{key}.green_algorithms"),
            name: format!("Grid carbon intensity {key} (Green Algorithms)"),
            unit: "gCO2e/kWh".to_owned(),
            value: Distribution::Fixed(*value),
            provenance: Provenance::new(text, year, GA_LICENCE),
        })
    }

    /// Grid carbon intensity of a country (alpha-2 or alpha-3) for a year, from every source.
    pub fn grid_intensity(&self, country: &str, year: Option<i32>) -> Option<GridIntensity> {
        let iso3 = country_iso3(country)?;
        let iso2 = country_iso2(&iso3)?;
        let mut sources = Vec::new();
        let d4b_year = self.d4b_year(year);
        if let Some(values) = self.d4b.get(&(iso2.clone(), d4b_year))
            && let Some((_, gwp)) = values.iter().find(|(k, _)| k == "gwp")
        {
            sources.push(Factor {
                id: format!("grid.{iso3}.d4b.{d4b_year}"),
                name: format!("Grid carbon intensity {iso3} {d4b_year} (life cycle, digital4better)"),
                unit: "gCO2e/kWh".to_owned(),
                value: Distribution::Fixed(gwp * 1000.0),
                provenance: Provenance::new(
                    "digital4better country-yearly factors (Ember mix × UNECE 2021 life-cycle factors)",
                    Some(d4b_year),
                    D4B_LICENCE,
                ),
            });
        }
        if let Some((ci, data_year, _)) = self.cc_mix.get(&iso3) {
            sources.push(Factor {
                id: format!("grid.{iso3}.codecarbon"),
                name: format!(
                    "Grid carbon intensity {iso3} (CodeCarbon global_energy_mix, OWID/Ember)"
                ),
                unit: "gCO2e/kWh".to_owned(),
                value: Distribution::Fixed(*ci),
                provenance: Provenance::new(
                    "CodeCarbon global_energy_mix.json (Our World in Data / Ember)",
                    *data_year,
                    CC_LICENCE,
                ),
            });
        }
        if let Some(factor) = self.green_algorithms_intensity(&iso2) {
            sources.push(factor);
        }
        let default = sources.first()?.clone();
        Some(GridIntensity {
            country_iso3: iso3,
            default,
            sources,
        })
    }

    /// Grid carbon intensity of a place from one source, gCO2e/kWh: a country (alpha-2 or
    /// alpha-3), a Green Algorithms location with a region (`US-CA`: only Green Algorithms
    /// has sub-national values; the others give the country's), or the world (`None`).
    /// `None` when the source has no value for the country.
    pub fn grid_intensity_from(
        &self,
        source: GridSource,
        place: Option<&str>,
        year: Option<i32>,
    ) -> Option<Factor> {
        let Some(place) = place.map(str::trim).filter(|p| !p.is_empty()) else {
            return self.world_intensity(source, year);
        };
        if place.eq_ignore_ascii_case("WORLD") || place.eq_ignore_ascii_case("WOR") {
            return self.world_intensity(source, year);
        }
        if source == GridSource::GreenAlgorithms {
            return self.green_algorithms_intensity(place);
        }
        let country = place.split('-').next().unwrap_or(place);
        let grid = self.grid_intensity(country, year)?;
        let wanted = match source {
            GridSource::Digital4better => ".d4b.",
            GridSource::CodeCarbon => ".codecarbon",
            GridSource::GreenAlgorithms => ".green_algorithms",
        };
        let mut factor = grid.sources.into_iter().find(|f| f.id.contains(wanted))?;
        if country.len() < place.len() {
            factor.provenance.source = format!(
                "{} has country values only, so {place} takes {country}'s: {}",
                source.label(),
                factor.provenance.source
            );
        }
        Some(factor)
    }

    /// The world's average grid intensity in a source. Green Algorithms ships one (IEA 2019);
    /// for the others it is their countries' values weighted by each country's generation in
    /// CodeCarbon's energy mix (OWID/Ember), worked out here and said so.
    pub fn world_intensity(&self, source: GridSource, year: Option<i32>) -> Option<Factor> {
        let weighted = |values: &mut dyn Iterator<Item = (f64, f64)>| -> Option<f64> {
            let (sum, weight) = values.fold((0.0, 0.0), |(s, w), (value, generation)| {
                (s + value * generation, w + generation)
            });
            (weight > 0.0).then(|| sum / weight)
        };
        // Summed in the countries' order, so that the last digits are the same in every run
        // (a hash map's order changes from one process to the next).
        let mut countries: Vec<_> = self.cc_mix.iter().collect();
        countries.sort_unstable_by(|a, b| a.0.cmp(b.0));
        match source {
            GridSource::GreenAlgorithms => self.green_algorithms_intensity("WORLD"),
            GridSource::CodeCarbon => {
                let value = weighted(
                    &mut countries
                        .iter()
                        .map(|(_, (ci, _, generation))| (*ci, *generation)),
                )?;
                let data_year = self.cc_mix.values().filter_map(|(_, y, _)| *y).max();
                Some(Factor {
                    id: "grid.world.codecarbon".to_owned(),
                    name: "Grid carbon intensity, world (CodeCarbon global_energy_mix, generation-weighted)".to_owned(),
                    unit: "gCO2e/kWh".to_owned(),
                    value: Distribution::Fixed(value),
                    provenance: Provenance::new(
                        "CodeCarbon global_energy_mix.json (Our World in Data / Ember): the countries' intensities weighted by their generation (TWh), worked out by ecolens",
                        data_year,
                        CC_LICENCE,
                    ),
                })
            }
            GridSource::Digital4better => {
                let d4b_year = self.d4b_year(year);
                let value = weighted(&mut countries.iter().filter_map(
                    |(iso3, (_, _, generation))| {
                        let iso2 = country_iso2(iso3)?;
                        let values = self.d4b.get(&(iso2, d4b_year))?;
                        let gwp = values.iter().find(|(k, _)| k == "gwp")?.1;
                        Some((gwp * 1000.0, *generation))
                    },
                ))?;
                Some(Factor {
                    id: format!("grid.world.d4b.{d4b_year}"),
                    name: format!(
                        "Grid carbon intensity, world {d4b_year} (life cycle, digital4better, generation-weighted)"
                    ),
                    unit: "gCO2e/kWh".to_owned(),
                    value: Distribution::Fixed(value),
                    provenance: Provenance::new(
                        format!(
                            "digital4better country-yearly factors (Ember mix × UNECE 2021 life-cycle factors) for {d4b_year}, weighted by each country's generation in CodeCarbon's global_energy_mix.json (OWID/Ember, MIT / CC BY 4.0), worked out by ecolens"
                        ),
                        Some(d4b_year),
                        D4B_LICENCE,
                    ),
                })
            }
        }
    }

    /// Multi-criteria electricity factors of a country for a year (digital4better).
    pub fn electricity(&self, country: &str, year: Option<i32>) -> Option<ElectricityFactors> {
        let iso3 = country_iso3(country)?;
        let iso2 = country_iso2(&iso3)?;
        let year = self.d4b_year(year);
        let values = self.d4b.get(&(iso2, year))?;
        Some(ElectricityFactors {
            country_iso3: iso3,
            year,
            per_kwh: values.clone(),
            provenance: Provenance::new(
                "digital4better country-yearly electricity factors (Ember mix × UNECE 2021)",
                Some(year),
                D4B_LICENCE,
            ),
        })
    }

    /// The cloud regions with PUE and WUE (digital4better).
    pub fn cloud_regions(&self) -> &[CloudRegion] {
        &self.regions
    }

    /// One cloud region.
    pub fn cloud_region(&self, provider: &str, region: &str) -> Option<&CloudRegion> {
        self.regions.iter().find(|r| {
            r.provider.eq_ignore_ascii_case(provider) && r.region.eq_ignore_ascii_case(region)
        })
    }

    /// Carbon intensity of a cloud region: CodeCarbon's table (newer) and ML CO2 Impact's.
    pub fn cloud_intensity(&self, provider: &str, region: &str) -> Vec<Factor> {
        let provider = provider.to_ascii_lowercase();
        let mut out = Vec::new();
        for (p, r, impact, source) in &self.cc_cloud {
            if *p == provider && r.eq_ignore_ascii_case(region) {
                let (text, year) = row_year(
                    &format!("CodeCarbon data/cloud/impact.csv: {}", source.trim()),
                    "2024-07",
                );
                out.push(Factor {
                    id: format!("grid.{p}.{r}.codecarbon"),
                    name: format!("Carbon intensity of {p} {r} (CodeCarbon cloud table)"),
                    unit: "gCO2e/kWh".to_owned(),
                    value: Distribution::Fixed(*impact),
                    provenance: Provenance::new(text, year, CC_LICENCE),
                });
            }
        }
        out.extend(self.mlco2_region_intensity(&provider, region));
        out
    }

    /// ML CO2 Impact's carbon intensity of a cloud region, with the row's own source and year.
    pub fn mlco2_region_intensity(&self, provider: &str, region: &str) -> Option<Factor> {
        let (p, r, impact, _, source) = self.mlco2_impact.iter().find(|(p, r, ..)| {
            p.eq_ignore_ascii_case(provider) && r.eq_ignore_ascii_case(region)
        })?;
        let (text, year) = row_year(
            &format!("ML CO2 Impact data/impact.csv: {}", source.trim()),
            "2024-11",
        );
        Some(Factor {
            id: format!("grid.{p}.{r}.mlco2"),
            name: format!("Carbon intensity of {p} {r} (ML CO2 Impact)"),
            unit: "gCO2e/kWh".to_owned(),
            value: Distribution::Fixed(*impact),
            provenance: Provenance::new(text, year, MLCO2_LICENCE),
        })
    }

    /// Green Algorithms' default PUE for a provider (`Unknown` → 1.56).
    pub fn provider_pue(&self, provider: &str) -> Option<Factor> {
        let (name, pue, source) = self
            .ga_pue
            .iter()
            .find(|(p, ..)| p.eq_ignore_ascii_case(provider))?;
        let (text, year) = row_year(
            &format!("Green Algorithms defaults_PUE.csv: {source}"),
            "2025-02",
        );
        Some(Factor {
            id: format!("pue.{}", name.to_ascii_lowercase()),
            name: format!("Default PUE, {name} (Green Algorithms)"),
            unit: "1".to_owned(),
            value: Distribution::Fixed(*pue),
            provenance: Provenance::new(text, year, GA_LICENCE),
        })
    }

    /// A processor by model (Green Algorithms; `Any` = 12 W per core).
    pub fn cpu(&self, model: &str) -> Option<&Hardware> {
        find_model(&self.ga_cpu, model)
    }

    /// An accelerator by model, from Green Algorithms' table (`Any` = 200 W).
    pub fn gpu_green_algorithms(&self, model: &str) -> Option<&Hardware> {
        find_model(&self.ga_gpu, model)
    }

    /// An accelerator by model, from ML CO2 Impact's table.
    pub fn gpu_mlco2(&self, model: &str) -> Option<&Hardware> {
        find_model(&self.mlco2_gpu, model)
    }

    /// The calculator's places: Green Algorithms' countries, regions and the world average.
    pub fn calculator_places(&self) -> &[KnownPlace] {
        &self.ga_places
    }

    /// Countries a shipped source gives a grid intensity for (ISO alpha-3, ISO names).
    pub fn countries(&self) -> &[KnownPlace] {
        &self.countries
    }

    /// Processor and accelerator tables, for pickers.
    pub fn hardware(&self) -> (&[Hardware], &[Hardware], &[Hardware]) {
        (&self.ga_cpu, &self.ga_gpu, &self.mlco2_gpu)
    }

    /// Memory power, W per GB available (Green Algorithms referenceValues.csv: 0.3725).
    pub fn memory_w_per_gb(&self) -> Factor {
        Factor {
            id: "memory.power".to_owned(),
            name: "Memory power per GB available".to_owned(),
            unit: "W/GB".to_owned(),
            value: Distribution::Fixed(self.memory_w_per_gb),
            provenance: Provenance::new(
                "Green Algorithms referenceValues.csv memoryPower (Karyakin & Salem 2017; Tom's Hardware)",
                Some(2017),
                GA_LICENCE,
            ),
        }
    }

    /// What a mass of CO2e compares with, from Green Algorithms' reference values: each as
    /// `(what one unit is, gCO2e per unit, its provenance)` (a km by car, a tree-month …).
    pub fn equivalents(&self) -> Vec<(&'static str, f64, Provenance)> {
        const SHOWN: [(&str, &str); 7] = [
            ("passengerCar_EU_perkm", "km by passenger car (Europe)"),
            ("passengerCar_US_perkm", "km by passenger car (USA)"),
            ("train_perkm", "km by train"),
            ("flight_economy_perkm", "km by plane, economy"),
            ("flight_PAR-LON", "flights Paris–London"),
            ("tree_month", "months of a tree's uptake"),
            ("streaming_netflix_perhour", "hours of video streaming"),
        ];
        SHOWN
            .iter()
            .filter_map(|(variable, what)| {
                let (_, value, source) = self.ga_reference.iter().find(|(v, ..)| v == variable)?;
                let (text, year) = row_year(
                    &format!("Green Algorithms referenceValues.csv {variable}: {source}"),
                    "2025-01",
                );
                Some((*what, *value, Provenance::new(text, year, GA_LICENCE)))
            })
            .collect()
    }

    /// The factors ecolens defines (PUE and WUE ranges, embodied impacts, J per inference).
    pub fn defaults(&self) -> &[Factor] {
        &self.defaults
    }

    /// The manufacturing GHG of one GPU card named as a hardware table names it: an A100 takes
    /// BLOOM's 150 kg (the card BLOOM counted), an H100 or H200 Boavizta's 575.1 kg, any other
    /// (or none) the data-centre card range, whose source then says that no value for that
    /// model is shipped. Consumer cards are refused: the shipped values are for data-centre
    /// cards with HBM, several times a consumer card's.
    pub fn gpu_embodied(&self, model: Option<&str>) -> crate::Result<Factor> {
        let name = model.unwrap_or_default().to_ascii_uppercase();
        let consumer = ["GTX", "RTX", "TITAN", "QUADRO", "RADEON RX"];
        if consumer.iter().any(|c| name.contains(c)) && !name.contains("RTX A6000") {
            return Err(crate::Error::invalid(
                "embodied-gpu",
                model.unwrap_or_default(),
                "a data-centre GPU (A100, H100 …), or a value of yours with --embodied-gpu KG: the shipped values are for data-centre cards",
            ));
        }
        let id = if name.contains("A100") {
            "gpu.embodied.a100.bloom"
        } else if name.contains("H100") || name.contains("H200") {
            "gpu.embodied.h100.boavizta"
        } else {
            "gpu.embodied.default"
        };
        let mut factor = self
            .default_factor(id)
            .cloned()
            .ok_or_else(|| crate::Error::invalid("factor", id, "a factor ecolens ships"))?;
        if id == "gpu.embodied.default" && !name.is_empty() {
            factor.provenance.source = format!(
                "no value for {} is shipped, so the data-centre card range: {}",
                model.unwrap_or_default(),
                factor.provenance.source
            );
        }
        Ok(factor)
    }

    /// One of [`Self::defaults`] by id.
    pub fn default_factor(&self, id: &str) -> Option<&Factor> {
        self.defaults.iter().find(|f| f.id == id)
    }

    /// Manufacturing GHG of the servers in Boavizta's PCF file (`gwp_total` ×
    /// `gwp_manufacturing_ratio`), as min / median / max and a lognormal fitted to them.
    pub fn server_manufacturing(&self) -> Option<Factor> {
        let values = &self.server_manufacturing;
        let (min, max) = (*values.first()?, *values.last()?);
        let median = values[values.len() / 2];
        // σ so that the 5–95 % range spans the data's range: ln(max/min) / (2 × 1.645).
        let sigma = (max / min).ln() / (2.0 * 1.644_853_626_951_472_2);
        Some(Factor {
            id: "server.embodied.manufacturing.boavizta_pcf".to_owned(),
            name: format!(
                "Manufacturing GHG of a rack server ({} manufacturer PCFs: min {min:.0}, median {median:.0}, max {max:.0})",
                values.len()
            ),
            unit: "kgCO2e/unit".to_owned(),
            value: Distribution::Lognormal { median, sigma },
            provenance: Provenance::new(
                "Boavizta environmental-footprint-data, servers: gwp_total × gwp_manufacturing_ratio",
                Some(2023),
                BOAVIZTA_LICENCE,
            ),
        })
    }
}

/// ISO 3166-1 alpha-3 from an alpha-2 or alpha-3 code (any case), or a country name.
pub fn country_iso3(code: &str) -> Option<String> {
    let code = code.trim();
    let upper = code.to_ascii_uppercase();
    match upper.len() {
        2 => isocountry::CountryCode::for_alpha2(&upper)
            .ok()
            .map(|c| c.alpha3().to_owned()),
        3 => isocountry::CountryCode::for_alpha3(&upper)
            .ok()
            .map(|c| c.alpha3().to_owned()),
        _ => isocountry::CountryCode::iter()
            .find(|c| c.name().eq_ignore_ascii_case(code))
            .map(|c| c.alpha3().to_owned()),
    }
}

/// ISO 3166-1 alpha-2 from an alpha-3 code.
pub fn country_iso2(iso3: &str) -> Option<String> {
    isocountry::CountryCode::for_alpha3(&iso3.trim().to_ascii_uppercase())
        .ok()
        .map(|c| c.alpha2().to_owned())
}

/// Exact (case-insensitive) model match first, then the shortest model containing the query.
fn find_model<'a>(table: &'a [Hardware], model: &str) -> Option<&'a Hardware> {
    let wanted = model.trim().to_ascii_lowercase();
    table
        .iter()
        .find(|h| h.model.to_ascii_lowercase() == wanted)
        .or_else(|| {
            table
                .iter()
                .filter(|h| h.model.to_ascii_lowercase().contains(&wanted))
                .min_by_key(|h| h.model.len())
        })
}

#[cfg(test)]
#[allow(clippy::float_cmp)] // Values are read from the shipped files exactly.
mod tests {
    use super::*;

    #[test]
    fn places_are_named_for_pickers() {
        let places = library().calculator_places();
        assert_eq!(places[0].code, "WORLD");
        let name = |code: &str| {
            places
                .iter()
                .find(|p| p.code == code)
                .map(|p| p.name.clone())
        };
        assert_eq!(name("FR").as_deref(), Some("France"));
        assert_eq!(
            name("US-CA").as_deref(),
            Some("United States of America — California")
        );
        let countries = library().countries();
        let france = countries.iter().find(|c| c.code == "FRA").unwrap();
        assert_eq!(france.name, "France");
        // Every country listed has a grid intensity: picking one never fails.
        assert!(countries.len() > 150, "{}", countries.len());
        for country in countries {
            assert!(
                library().grid_intensity(&country.code, None).is_some(),
                "{} {}",
                country.code,
                country.name
            );
        }
        assert!(countries.windows(2).all(|w| w[0].name <= w[1].name));
    }

    #[test]
    fn grid_intensity_comes_from_three_sources_with_provenance() {
        let france = library().grid_intensity("FR", Some(2024)).unwrap();
        assert_eq!(france.country_iso3, "FRA");
        let values: Vec<f64> = france.sources.iter().map(|f| f.value.central()).collect();
        // digital4better 2024 ≈ 30, CodeCarbon (OWID 2023) 56.039, Green Algorithms 51.28.
        assert_eq!(values.len(), 3);
        assert!((values[0] - 30.0).abs() < 1.0, "{values:?}");
        assert!((values[1] - 56.039).abs() < 1e-9);
        assert!((values[2] - 51.28).abs() < 1e-9);
        assert_eq!(france.default.provenance.year, Some(2024));
        assert!(france.default.provenance.licence.contains("ODbL"));
        assert_eq!(france.sources[1].provenance.year, Some(2023));
        assert_eq!(france.sources[2].provenance.year, Some(2020));
        let (lo, hi) = france.range_g_per_kwh();
        assert!(lo < 31.0 && (hi - 56.039).abs() < 1e-9);
        assert!(matches!(
            france.as_distribution(),
            Distribution::Triangular { .. }
        ));
        // Italy's CodeCarbon value is the factor the EO-College trace recovers.
        let italy = library().grid_intensity("ITA", None).unwrap();
        assert!((italy.sources[1].value.central() - 330.718).abs() < 1e-9);
        assert!(library().grid_intensity("XXX", None).is_none());
    }

    #[test]
    fn electricity_factors_show_burden_shifting_between_france_and_germany() {
        let france = library().electricity("FRA", Some(2024)).unwrap();
        let germany = library().electricity("DEU", Some(2024)).unwrap();
        assert!(france.get("gwp").unwrap() * 5.0 < germany.get("gwp").unwrap());
        assert!(france.get("ir").unwrap() > germany.get("ir").unwrap());
        assert!(france.get("wu").unwrap() > germany.get("wu").unwrap());
        assert_eq!(library().electricity("FRA", Some(1990)).unwrap().year, 2019);
    }

    #[test]
    fn hardware_pue_and_defaults_are_found() {
        let lib = library();
        assert_eq!(
            lib.gpu_green_algorithms("NVIDIA Tesla V100")
                .unwrap()
                .power_w,
            300.0
        );
        assert_eq!(
            lib.gpu_mlco2("Tesla V100-PCIE-16GB").unwrap().power_w,
            300.0
        );
        assert_eq!(lib.cpu("Any").unwrap().power_w, 12.0);
        assert_eq!(lib.provider_pue("Unknown").unwrap().value.central(), 1.56);
        assert_eq!(lib.provider_pue("gcp").unwrap().value.central(), 1.12);
        assert_eq!(lib.memory_w_per_gb().value.central(), 0.3725);
        assert_eq!(
            lib.default_factor("inference.yolov5s")
                .unwrap()
                .value
                .central(),
            0.61
        );
        assert_eq!(
            lib.defaults().len(),
            ECOLENS_DEFAULTS.matches("[[factor]]").count(),
            "every entry of defaults.toml parses"
        );
        assert!(
            lib.defaults()
                .iter()
                .all(|f| !f.provenance.source.is_empty() && !f.unit.is_empty())
        );
        let region = lib.cloud_region("gcp", "us-central1").unwrap();
        assert_eq!(region.pue, Some(1.09));
        assert_eq!(region.country_iso3.as_deref(), Some("USA"));
        let clouds = lib.cloud_intensity("gcp", "us-central1");
        assert_eq!(
            clouds.iter().map(|f| f.value.central()).collect::<Vec<_>>(),
            [430.0, 566.3]
        );
        let servers = lib.server_manufacturing().unwrap();
        assert!(
            servers.name.contains("48 manufacturer PCFs"),
            "{}",
            servers.name
        );
        assert!(
            servers.name.contains("min 465") && servers.name.contains("max 2503"),
            "{}",
            servers.name
        );
    }
}

#[cfg(test)]
mod provenance_tests {
    use super::*;

    /// Issue 18, defect 10: every value ecolens ships shows its source, year, unit and
    /// licence; this lists each one that does not.
    #[test]
    fn every_shipped_value_has_source_year_unit_and_licence() {
        let lib = library();
        let mut factors: Vec<Factor> = lib.defaults().to_vec();
        factors.push(lib.memory_w_per_gb());
        factors.extend(lib.server_manufacturing());
        for source in GridSource::ALL {
            factors.extend(lib.world_intensity(source, None));
        }
        for place in lib.countries() {
            factors.extend(
                lib.grid_intensity(&place.code, None)
                    .map(|g| g.sources)
                    .unwrap_or_default(),
            );
        }
        for place in lib.calculator_places() {
            factors.extend(lib.green_algorithms_intensity(&place.code));
        }
        for region in lib.cloud_regions() {
            factors.extend(region.pue_factor());
            factors.extend(region.wue_factor());
            factors.extend(lib.cloud_intensity(&region.provider, &region.region));
        }
        for (provider, ..) in &lib.ga_pue {
            factors.extend(lib.provider_pue(provider));
        }
        for (what, g, provenance) in lib.equivalents() {
            factors.push(Factor {
                id: format!("equivalent {what}"),
                name: what.to_owned(),
                unit: "gCO2e".to_owned(),
                value: Distribution::Fixed(g),
                provenance,
            });
        }
        let (cpus, ga_gpus, mlco2_gpus) = lib.hardware();
        let hardware = cpus.iter().chain(ga_gpus).chain(mlco2_gpus).map(|h| {
            (
                format!("hardware {}", h.model),
                "W".to_owned(),
                h.provenance.clone(),
            )
        });
        let missing: Vec<String> = factors
            .iter()
            .map(|f| (f.id.clone(), f.unit.clone(), f.provenance.clone()))
            .chain(hardware)
            .filter(|(_, unit, p)| {
                p.source.trim().is_empty()
                    || p.year.is_none()
                    || p.licence.trim().is_empty()
                    || unit.trim().is_empty()
            })
            .map(|(id, _, p)| format!("{id}: {}", p.describe()))
            .collect();
        assert!(
            missing.is_empty(),
            "{} values lack a source, year, unit or licence:\n{}",
            missing.len(),
            missing.join("\n")
        );
    }

    #[test]
    fn the_data_year_is_read_from_the_rows_own_source() {
        for (text, year) in [
            ("electricitymap.org Data from April 2022", Some(2022)),
            (
                "carbonfootprint (March 2022) and UK Govt - Defra/BEIS 2021 (report from 2021 using 2019/20 data)",
                Some(2019),
            ),
            (
                "carbonfootprint (March 2022) and UNFCCC (report from 2021 based on 2019 data)",
                Some(2019),
            ),
            (
                "https://www.nutanix.dev/2023/05/04/digging-into-data-center-efficiency",
                Some(2023),
            ),
            ("IEA Data from 2019", Some(2019)),
            (
                "https://energypedia.info/wiki/Energy_Transition_in_Taiwan",
                None,
            ),
            ("techpowerup.com/gpu-specs/c3622", None),
        ] {
            assert_eq!(year_in(text), year, "{text}");
        }
        // A row without a year of its own takes its table's, and says so.
        let taiwan = library().green_algorithms_intensity("TW").unwrap();
        assert_eq!(taiwan.provenance.year, Some(2022));
        assert!(taiwan.provenance.source.contains("(table as of 2022-10)"));
        // ML CO2 Impact's region rows keep their own source and year.
        let region = library()
            .mlco2_region_intensity("gcp", "asia-east1")
            .unwrap();
        assert_eq!(region.provenance.year, Some(2019));
        assert!(
            region.provenance.source.contains("electricitymap"),
            "{region:?}"
        );
    }

    /// Values known to disagree with their maker's specification say so wherever shown.
    #[test]
    fn known_upstream_errors_carry_a_visible_note() {
        let lib = library();
        for model in ["Tesla V100-PCIE-16GB", "Tesla V100-SXM2-16GB", "GTX 750"] {
            let described = lib.gpu_mlco2(model).unwrap().provenance.describe();
            assert!(described.contains("; NOTE: "), "{model}: {described}");
        }
        let tpu = lib.gpu_green_algorithms("TPU v3").unwrap();
        assert!(tpu.provenance.describe().contains("283 W"));
        // The figure the note gives is the shipped table's own.
        assert!((lib.gpu_mlco2("TPUv3 Chip").unwrap().power_w - 283.0).abs() < 1e-9);
        let fine = lib.gpu_mlco2("RTX 3090").unwrap();
        assert_eq!(fine.provenance.note, None);
    }
}
