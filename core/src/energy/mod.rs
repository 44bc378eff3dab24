//! Measured-energy traces: the files energy-measurement tools write, read into one normalised
//! [`TraceSummary`] per run.
//!
//! The five rules every importer here follows (see the energy-traces notes):
//! 1. never apply a PUE twice: each summary says which PUE the tool already applied
//!    ([`TraceSummary::pue_applied`]) and [`TraceSummary::it_energy_kwh`] divides it out;
//! 2. keep the tool's own grid factor visible ([`TraceSummary::ef_applied_g_per_kwh`], written
//!    or recovered as emissions ÷ energy) beside the workbench's;
//! 3. CodeCarbon rows are cumulative snapshots: the row with the longest duration per run wins;
//! 4. columns are found by header name; BOMs, units inside values and short rows are handled,
//!    and a short row is rejected with a warning, never padded;
//! 5. power samples are integrated over time (trapezoid; gaps flagged), energy counters are
//!    differenced with wrap-around.
//!
//! [`read_trace`] detects the format from the file's content ([`detect`]); an unknown or
//! broken file is an error that says what was recognised.

mod carbontracker;
mod codecarbon;
mod eco2ai;
mod jsonl;
mod nvidia;
mod powerjoular;
mod rapl;
mod scaphandre;
mod series;
mod table;
mod time;
mod zeus;

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::{Error, Result};

pub use series::{Integration, PLOT_POINTS, PowerLine, integrate};

/// One kilowatt-hour in joules.
pub const JOULES_PER_KWH: f64 = 3.6e6;

/// The tools whose files ecolens reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TraceFormat {
    /// CodeCarbon `emissions.csv`, any header version.
    Codecarbon,
    /// CarbonTracker's standard log and output log, read as a pair.
    Carbontracker,
    /// eco2AI `emission.csv`.
    Eco2ai,
    /// Zeus `ZeusMonitor(log_file=…)` CSV.
    Zeus,
    /// `nvidia-smi --query-gpu=… --format=csv`.
    NvidiaSmiQuery,
    /// `nvidia-smi dmon`.
    NvidiaSmiDmon,
    /// PowerJoular CSV.
    Powerjoular,
    /// `scaphandre json`.
    Scaphandre,
    /// Linux powercap RAPL counters sampled to CSV (`timestamp,domain,energy_uj[,max_energy_range_uj]`).
    Rapl,
    /// experiment-impact-tracker `impacttracker/data.json` (JSON lines).
    ExperimentImpactTracker,
    /// AIPowerMeter `power_metrics.json` (JSON lines).
    AiPowerMeter,
}

impl TraceFormat {
    /// Every format, in the order [`detect`] tries them.
    pub const ALL: [Self; 11] = [
        Self::Codecarbon,
        Self::Carbontracker,
        Self::Eco2ai,
        Self::Zeus,
        Self::NvidiaSmiQuery,
        Self::NvidiaSmiDmon,
        Self::Powerjoular,
        Self::Scaphandre,
        Self::Rapl,
        Self::ExperimentImpactTracker,
        Self::AiPowerMeter,
    ];

    /// The tool's name as people write it.
    pub fn tool(self) -> &'static str {
        match self {
            Self::Codecarbon => "CodeCarbon",
            Self::Carbontracker => "CarbonTracker",
            Self::Eco2ai => "eco2AI",
            Self::Zeus => "Zeus",
            Self::NvidiaSmiQuery => "nvidia-smi (query)",
            Self::NvidiaSmiDmon => "nvidia-smi dmon",
            Self::Powerjoular => "PowerJoular",
            Self::Scaphandre => "Scaphandre",
            Self::Rapl => "Linux RAPL (powercap)",
            Self::ExperimentImpactTracker => "experiment-impact-tracker",
            Self::AiPowerMeter => "AIPowerMeter",
        }
    }

    /// What the format looks like, as said in "looked for …" errors.
    fn signature(self) -> &'static str {
        match self {
            Self::Codecarbon => "CodeCarbon CSV (header with duration, emissions, energy_consumed)",
            Self::Carbontracker => {
                "CarbonTracker log (lines `… - carbontracker version` or `… - CarbonTracker: `)"
            }
            Self::Eco2ai => {
                "eco2AI CSV (header with project_name, experiment_description, power_consumption(kWh))"
            }
            Self::Zeus => "Zeus CSV (header start_time,window_name,elapsed_time,gpu0_energy…)",
            Self::NvidiaSmiQuery => "nvidia-smi --query-gpu CSV (header with power.draw)",
            Self::NvidiaSmiDmon => "nvidia-smi dmon (`# gpu pwr …` header lines)",
            Self::Powerjoular => "PowerJoular CSV (header Date,CPU Utilization,…,CPU Power)",
            Self::Scaphandre => "Scaphandre JSON (array of {\"host\": …} reports)",
            Self::Rapl => "RAPL counter CSV (header timestamp,domain,energy_uj)",
            Self::ExperimentImpactTracker => {
                "experiment-impact-tracker JSON lines (timestamp, rapl_power_draw_absolute)"
            }
            Self::AiPowerMeter => "AIPowerMeter JSON lines ({\"date\", \"metrics\": {\"cpu\" …}})",
        }
    }
}

/// A hardware component whose energy a trace may report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Component {
    /// Processor (RAPL package, or a TDP model).
    Cpu,
    /// Accelerators (GPU, TPU).
    Gpu,
    /// Memory (RAPL DRAM, or a per-GB model).
    Ram,
    /// The rest of the machine, when the tool measures the whole host.
    Other,
}

impl Component {
    /// All components, in display order.
    pub const ALL: [Self; 4] = [Self::Cpu, Self::Gpu, Self::Ram, Self::Other];

    /// Short label.
    pub fn label(self) -> &'static str {
        match self {
            Self::Cpu => "CPU",
            Self::Gpu => "GPU",
            Self::Ram => "RAM",
            Self::Other => "other",
        }
    }
}

/// How a component's energy was obtained.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Basis {
    /// Read from a hardware sensor or counter (RAPL, NVML, powermetrics).
    Measured,
    /// Modelled (TDP × load, W per GB, a constant).
    Estimated,
    /// The file does not say.
    Unknown,
}

/// Energy of one component, with how it was obtained.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ComponentEnergy {
    /// The component.
    pub component: Component,
    /// Energy as written by the tool (PUE included when the tool applied one), in kWh.
    pub energy_kwh: f64,
    /// Measured or estimated.
    pub basis: Basis,
    /// Why ecolens says so, when it is inferred rather than written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub basis_note: Option<String>,
}

/// Where the run took place, as far as the file says.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TraceLocation {
    /// ISO 3166-1 alpha-3 country code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country_iso3: Option<String>,
    /// Province, state or city as written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// Cloud provider (`aws`, `gcp`, `azure` …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cloud_provider: Option<String>,
    /// Cloud region (`us-east-1` …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cloud_region: Option<String>,
    /// What the trace says that shows the run was on a personal computer, not in a data
    /// centre (CodeCarbon: `on_cloud` N on macOS or Windows, or an Apple processor).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub personal_computer: Option<String>,
}

impl TraceLocation {
    /// True when nothing is known.
    pub fn is_empty(&self) -> bool {
        self.country_iso3.is_none()
            && self.region.is_none()
            && self.cloud_provider.is_none()
            && self.cloud_region.is_none()
    }
}

/// One run of one tool, normalised.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TraceSummary {
    /// The format (and so the tool).
    pub format: TraceFormat,
    /// The tool's version, when the file says it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool_version: Option<String>,
    /// Which run of the file (run id, project name, GPU …).
    pub run: String,
    /// Start, naive local time as written (`YYYY-MM-DDTHH:MM:SS`; the zone is unknown).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<String>,
    /// Duration in seconds.
    pub duration_s: f64,
    /// Energy by component, as written (PUE included when [`Self::pue_applied`] ≠ 1).
    pub components: Vec<ComponentEnergy>,
    /// Total energy as written by the tool, in kWh (PUE included when applied).
    pub energy_kwh: f64,
    /// The PUE the tool already multiplied in (1.0 when it applied none).
    pub pue_applied: f64,
    /// Where that PUE comes from (a column, a log line, the tool's default).
    pub pue_source: String,
    /// The tool's grid carbon intensity, written or recovered as emissions ÷ energy, gCO2e/kWh.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ef_applied_g_per_kwh: Option<f64>,
    /// The tool's own CO2e, kg.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub co2e_kg_tool: Option<f64>,
    /// The tool's own water estimate, L (CodeCarbon ≥ 3.1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub water_l_tool: Option<f64>,
    /// Where the run took place.
    #[serde(default, skip_serializing_if = "TraceLocation::is_empty")]
    pub location: TraceLocation,
    /// Power over time, for plots (at most [`series::PLOT_POINTS`] points per line).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub power: Vec<PowerLine>,
    /// Everything the reader noticed: rejected rows, gaps, wraps, assumptions.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

impl TraceSummary {
    /// A run of a power meter (RAPL, NVML, PSYS …): energy as measured, no PUE, no grid factor,
    /// no CO2e, place unknown. Callers fill in start, power lines and warnings.
    pub(crate) fn metered(
        format: TraceFormat,
        run: String,
        duration_s: f64,
        components: Vec<ComponentEnergy>,
        energy_kwh: f64,
    ) -> Self {
        Self {
            format,
            tool_version: None,
            run,
            start: None,
            duration_s,
            components,
            energy_kwh,
            pue_applied: 1.0,
            pue_source: format!("{} applies no PUE", format.tool()),
            ef_applied_g_per_kwh: None,
            co2e_kg_tool: None,
            water_l_tool: None,
            location: TraceLocation::default(),
            power: Vec::new(),
            warnings: Vec::new(),
        }
    }

    /// IT energy (PUE divided out), kWh: what a workbench PUE multiplies.
    pub fn it_energy_kwh(&self) -> f64 {
        self.energy_kwh / self.pue_applied
    }

    /// Energy of one component, as written.
    pub fn component_kwh(&self, component: Component) -> Option<f64> {
        self.components
            .iter()
            .find(|c| c.component == component)
            .map(|c| c.energy_kwh)
    }

    /// The tool's name.
    pub fn tool(&self) -> &'static str {
        self.format.tool()
    }
}

/// A trace file read: one summary per run, plus what was said about the file as a whole.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TraceFile {
    /// The file (for CarbonTracker: the standard log, with its output log beside it).
    pub path: PathBuf,
    /// The detected format.
    pub format: TraceFormat,
    /// The runs.
    pub runs: Vec<TraceSummary>,
    /// Warnings about the file (rows rejected, columns missing …).
    pub warnings: Vec<String>,
    /// Other files read with it, describing the same runs (CarbonTracker's other log of the
    /// pair): given too, they are not read again.
    pub companions: Vec<PathBuf>,
}

impl TraceFile {
    /// A file holding one run.
    pub(crate) fn single(path: &Path, run: TraceSummary, warnings: Vec<String>) -> Self {
        Self {
            path: path.to_owned(),
            format: run.format,
            runs: vec![run],
            warnings,
            companions: Vec::new(),
        }
    }

    /// Sum of the runs' energy as written, kWh.
    pub fn energy_kwh(&self) -> f64 {
        self.runs.iter().map(|r| r.energy_kwh).sum()
    }
}

/// Reads a trace file, detecting its format from the content.
pub fn read_trace(path: &Path) -> Result<TraceFile> {
    use std::io::Read as _;
    let io = |source| Error::Io {
        action: "cannot read trace",
        path: path.to_owned(),
        source,
    };
    let mut file = std::fs::File::open(path).map_err(io)?;
    let mut head = Vec::with_capacity(DETECT_BYTES);
    (&mut file)
        .take(DETECT_BYTES as u64)
        .read_to_end(&mut head)
        .map_err(io)?;
    let format = detect(path, &head)?;
    if format == TraceFormat::NvidiaSmiQuery {
        // Files of millions of rows are streamed, never held whole.
        return nvidia::read_query(path, &mut head.as_slice().chain(file));
    }
    let mut bytes = head;
    file.read_to_end(&mut bytes).map_err(io)?;
    read_as(path, &bytes, format)
}

/// Bytes of a file that [`detect`] looks at.
const DETECT_BYTES: usize = 64 * 1024;

/// Reads a trace whose format is known.
pub fn read_as(path: &Path, bytes: &[u8], format: TraceFormat) -> Result<TraceFile> {
    let text = || text_of(path, bytes);
    match format {
        TraceFormat::Codecarbon => codecarbon::read(path, &text()?),
        TraceFormat::Carbontracker => carbontracker::read(path, &text()?),
        TraceFormat::Eco2ai => eco2ai::read(path, &text()?),
        TraceFormat::Zeus => zeus::read(path, &text()?),
        TraceFormat::NvidiaSmiQuery => nvidia::read_query(path, &mut &bytes[..]),
        TraceFormat::NvidiaSmiDmon => nvidia::read_dmon(path, &text()?),
        TraceFormat::Powerjoular => powerjoular::read(path, &text()?),
        TraceFormat::Scaphandre => scaphandre::read(path, &text()?),
        TraceFormat::Rapl => rapl::read(path, &text()?),
        TraceFormat::ExperimentImpactTracker => jsonl::read_eit(path, &text()?),
        TraceFormat::AiPowerMeter => jsonl::read_aipowermeter(path, &text()?),
    }
}

/// The file as UTF-8 text without a BOM.
fn text_of(path: &Path, bytes: &[u8]) -> Result<String> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok(text.to_owned()),
        Err(error) => {
            let line = memchr::memchr_iter(b'\n', &bytes[..error.valid_up_to()]).count() + 1;
            Err(bad(
                path,
                line,
                format!(
                    "not UTF-8 text (byte {} is not valid UTF-8)",
                    error.valid_up_to()
                ),
            ))
        }
    }
}

/// Detects a trace's format from its content (the first 64 KiB).
pub fn detect(path: &Path, bytes: &[u8]) -> Result<TraceFormat> {
    let head = &bytes[..bytes.len().min(DETECT_BYTES)];
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    let text = String::from_utf8_lossy(head);
    let first = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("");
    if first.is_empty() {
        return Err(unknown(path, "the file is empty"));
    }
    if text.contains(" - carbontracker version")
        || text.contains(" - CarbonTracker: ")
        || text.contains(" - Only predicted and actual consumptions are multiplied")
    {
        return Ok(TraceFormat::Carbontracker);
    }
    if first.starts_with('[') {
        if text.contains("\"host\"") {
            return Ok(TraceFormat::Scaphandre);
        }
        return Err(unknown(
            path,
            "a JSON array, but its objects have no \"host\" key (Scaphandre reports do)",
        ));
    }
    if first.starts_with('{') {
        if first.contains("\"metrics\"") && first.contains("\"cpu\"") || first.contains("\"date\"")
        {
            return Ok(TraceFormat::AiPowerMeter);
        }
        if first.contains("rapl_power_draw_absolute") || first.contains("nvidia_draw_absolute") {
            return Ok(TraceFormat::ExperimentImpactTracker);
        }
        let keys = json_keys(first);
        return Err(unknown(
            path,
            &format!(
                "JSON lines with keys {keys}, but neither AIPowerMeter's \"date\"/\"metrics\" nor experiment-impact-tracker's \"rapl_power_draw_absolute\""
            ),
        ));
    }
    if first.starts_with('#') {
        let lower = first.to_ascii_lowercase();
        if lower.contains("gpu") && lower.contains("pwr") {
            return Ok(TraceFormat::NvidiaSmiDmon);
        }
    }
    let columns = table::header_names(first);
    let has = |name: &str| columns.iter().any(|c| c.eq_ignore_ascii_case(name));
    let has_prefix = |prefix: &str| {
        columns
            .iter()
            .any(|c| c.to_ascii_lowercase().starts_with(prefix))
    };
    if has_prefix("power.draw") {
        return Ok(TraceFormat::NvidiaSmiQuery);
    }
    if has("start_time") && has("window_name") && has("elapsed_time") {
        return Ok(TraceFormat::Zeus);
    }
    if has_prefix("power_consumption(") || (has("experiment_description") && has("project_name")) {
        return Ok(TraceFormat::Eco2ai);
    }
    if has("duration") && has("emissions") && has("energy_consumed") {
        return Ok(TraceFormat::Codecarbon);
    }
    if has("date") && has("cpu power") {
        return Ok(TraceFormat::Powerjoular);
    }
    if has("energy_uj") && has("domain") {
        return Ok(TraceFormat::Rapl);
    }
    let looked_for: Vec<&str> = TraceFormat::ALL.iter().map(|f| f.signature()).collect();
    let seen = if columns.len() > 1 {
        let shown: Vec<&str> = columns.iter().take(8).map(String::as_str).collect();
        format!(
            "a table with {} columns ({}{})",
            columns.len(),
            shown.join(", "),
            if columns.len() > 8 { ", …" } else { "" }
        )
    } else {
        format!(
            "text starting {:?}",
            first.chars().take(60).collect::<String>()
        )
    };
    Err(unknown(
        path,
        &format!(
            "not a trace ecolens knows: found {seen}; looked for {}",
            looked_for.join("; ")
        ),
    ))
}

/// The keys of a one-line JSON object, for error messages.
fn json_keys(line: &str) -> String {
    match serde_json::from_str::<serde_json::Value>(line) {
        Ok(serde_json::Value::Object(map)) => {
            let keys: Vec<&str> = map.keys().take(8).map(String::as_str).collect();
            format!("{{{}}}", keys.join(", "))
        }
        _ => "(the first line is not one JSON object)".to_owned(),
    }
}

fn unknown(path: &Path, detail: &str) -> Error {
    Error::UnknownFormat {
        path: path.to_owned(),
        detail: detail.to_owned(),
    }
}

/// A line-level error in a trace.
pub(crate) fn bad(path: &Path, line: usize, detail: impl Into<String>) -> Error {
    Error::BadFile {
        path: path.to_owned(),
        line,
        column: 1,
        detail: detail.into(),
    }
}

/// The file name, for run labels.
fn file_label(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

#[cfg(test)]
mod tests;
