//! JSON-lines power logs: experiment-impact-tracker `impacttracker/data.json` and
//! AIPowerMeter `power_metrics.json`. Both hold power in W per sample; energy is the
//! trapezoid over the samples' times.

use std::path::Path;

use serde_json::Value;

use super::series::{integrate, line_of};
use super::time::{Fraction, format_naive, parse_naive};
use super::{
    Basis, Component, ComponentEnergy, JOULES_PER_KWH, TraceFile, TraceFormat, TraceSummary,
};
use crate::Result;

/// The objects of a JSON-lines file, with their line numbers.
fn objects(path: &Path, text: &str) -> Result<Vec<(usize, Value)>> {
    let mut out = Vec::new();
    for (number, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let value: Value = serde_json::from_str(line)
            .map_err(|error| super::bad(path, number + 1, format!("not a JSON object: {error}")))?;
        out.push((number + 1, value));
    }
    Ok(out)
}

/// A power in W, `None` for missing values and the `-1` "not available" sentinel.
fn watts(value: Option<&Value>) -> Option<f64> {
    value.and_then(Value::as_f64).filter(|w| *w >= 0.0)
}

/// Samples of one component with the note on how they were measured.
type Series = (Component, Vec<(f64, f64)>, &'static str);

struct Parts {
    format: TraceFormat,
    run: String,
    series: Vec<Series>,
    warnings: Vec<String>,
    pue_source: &'static str,
}

fn summarise(path: &Path, parts: Parts) -> Result<TraceFile> {
    let mut warnings = parts.warnings;
    let mut components = Vec::new();
    let mut power = Vec::new();
    let mut total_j = 0.0;
    let mut first = f64::INFINITY;
    let mut duration_s: f64 = 0.0;
    for (component, samples, note) in &parts.series {
        if samples.is_empty() {
            continue;
        }
        let integration = integrate(samples);
        warnings.extend(integration.warnings(component.label()));
        total_j += integration.joules;
        first = first.min(integration.first_s);
        duration_s = duration_s.max(integration.duration_s);
        components.push(ComponentEnergy {
            component: *component,
            energy_kwh: integration.joules / JOULES_PER_KWH,
            basis: Basis::Measured,
            basis_note: Some((*note).to_owned()),
        });
        power.extend(line_of(*component, samples));
    }
    if components.is_empty() {
        return Err(super::bad(path, 1, "no power sample in any line"));
    }
    let run = TraceSummary {
        start: first.is_finite().then(|| format_naive(first)),
        pue_source: parts.pue_source.to_owned(),
        power,
        ..TraceSummary::metered(
            parts.format,
            parts.run,
            duration_s,
            components,
            total_j / JOULES_PER_KWH,
        )
    };
    Ok(TraceFile::single(path, run, warnings))
}

pub(super) fn read_eit(path: &Path, text: &str) -> Result<TraceFile> {
    let mut cpu = Vec::new();
    let mut gpu = Vec::new();
    let mut whole = Vec::new();
    for (line, object) in objects(path, text)? {
        let Some(t) = object.get("timestamp").and_then(Value::as_f64) else {
            return Err(super::bad(
                path,
                line,
                "no numeric \"timestamp\" (Unix seconds)",
            ));
        };
        let rapl_attr = watts(object.get("rapl_estimated_attributable_power_draw"));
        let gpu_attr = watts(object.get("nvidia_estimated_attributable_power_draw"));
        if let Some(w) = rapl_attr.or_else(|| watts(object.get("rapl_power_draw_absolute"))) {
            cpu.push((t, w));
        }
        if let Some(w) = gpu_attr.or_else(|| watts(object.get("nvidia_draw_absolute"))) {
            gpu.push((t, w));
        }
        let absolute = watts(object.get("rapl_power_draw_absolute")).unwrap_or(0.0)
            + watts(object.get("nvidia_draw_absolute")).unwrap_or(0.0);
        whole.push((t, absolute));
    }
    let whole_kwh = integrate(&whole).joules / JOULES_PER_KWH;
    summarise(
        path,
        Parts {
            format: TraceFormat::ExperimentImpactTracker,
            run: super::file_label(path),
            series: vec![
                (Component::Cpu, cpu, "RAPL (CPU + DRAM), share attributed to the process"),
                (Component::Gpu, gpu, "nvidia-smi, share attributed to the process"),
            ],
            warnings: vec![
                format!("the process's attributable power is used, as experiment-impact-tracker reports it; the whole machine drew {whole_kwh:.6} kWh"),
                "experiment-impact-tracker's own report multiplies by PUE 1.58; the samples here carry none".to_owned(),
            ],
            pue_source: "samples carry no PUE (the tool's report applies 1.58 later)",
        },
    )
}

pub(super) fn read_aipowermeter(path: &Path, text: &str) -> Result<TraceFile> {
    let mut cpu = Vec::new();
    let mut ram = Vec::new();
    let mut gpu = Vec::new();
    let mut rejected = Vec::new();
    for (line, object) in objects(path, text)? {
        let Some(date) = object.get("date").and_then(Value::as_str) else {
            return Err(super::bad(path, line, "no \"date\" string"));
        };
        let parsed = match parse_naive(date, Fraction::Decimal) {
            Ok(parsed) => parsed,
            Err(reason) => {
                rejected.push(format!("line {line}: date {reason}; row rejected"));
                continue;
            }
        };
        let Some(t) = parsed else {
            return Err(super::bad(
                path,
                line,
                format!("date {date:?} is not YYYY-MM-DD HH:MM:SS.ffffff"),
            ));
        };
        let metrics = object.get("metrics");
        let cpu_metrics = metrics.and_then(|m| m.get("cpu"));
        if let Some(w) = watts(cpu_metrics.and_then(|c| c.get("total_cpu_power")))
            .or_else(|| watts(cpu_metrics.and_then(|c| c.get("intel_power"))))
        {
            cpu.push((t, w));
        }
        if let Some(w) = watts(cpu_metrics.and_then(|c| c.get("total_dram_power"))) {
            ram.push((t, w));
        }
        if let Some(w) = watts(
            metrics
                .and_then(|m| m.get("gpu"))
                .and_then(|g| g.get("nvidia_draw_absolute")),
        ) {
            gpu.push((t, w));
        }
    }
    summarise(
        path,
        Parts {
            format: TraceFormat::AiPowerMeter,
            run: super::file_label(path),
            series: vec![
                (Component::Cpu, cpu, "RAPL total_cpu_power (window averages)"),
                (Component::Ram, ram, "RAPL total_dram_power"),
                (Component::Gpu, gpu, "nvidia_draw_absolute (NVML)"),
            ],
            warnings: std::iter::once(
                "each AIPowerMeter record is the average power over the window before it; integrated as samples".to_owned(),
            )
            .chain(rejected)
            .collect(),
            pue_source: "AIPowerMeter applies no PUE",
        },
    )
}
