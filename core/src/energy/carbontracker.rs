//! CarbonTracker log pairs: `…_carbontracker.log` (standard log: version, PUE, per-epoch
//! durations and average power per component, carbon intensity) and
//! `…_carbontracker_output.log` (the totals the user saw: energy with PUE, CO2eq in g).
//!
//! Either file can be given; the other is looked for beside it. Per-epoch energy is average
//! power × duration without PUE; the written totals include the PUE of the log line.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::time::{Fraction, format_naive, parse_hms, parse_naive};
use super::{
    Basis, Component, ComponentEnergy, JOULES_PER_KWH, PowerLine, TraceFile, TraceFormat,
    TraceLocation, TraceSummary,
};
use crate::Result;

const STANDARD: &str = "_carbontracker.log";
const OUTPUT: &str = "_carbontracker_output.log";

/// A consumption block of the output log.
#[derive(Debug, Default, Clone)]
struct Consumption {
    epochs: Option<u32>,
    time_s: Option<f64>,
    energy_kwh: Option<f64>,
    co2_g: Option<f64>,
}

#[derive(Debug, Default)]
struct Epoch {
    duration_s: Option<f64>,
    power_w: Vec<(Component, Option<f64>)>,
}

#[derive(Debug, Default)]
struct Standard {
    version: Option<String>,
    pue: Option<f64>,
    devices: Option<String>,
    start: Option<f64>,
    epochs: Vec<Epoch>,
    intensity: Option<f64>,
    location: Option<String>,
    interrupted: bool,
}

/// The message of a `YYYY-MM-DD HH:MM:SS - message` line, with its time (an error in words
/// when the time names a moment that does not exist).
type Stamp = Result<Option<f64>, String>;

fn message(line: &str) -> Option<(Stamp, &str)> {
    let (stamp, rest) = line.split_once(" - ")?;
    Some((parse_naive(stamp, Fraction::Decimal), rest))
}

fn number_after<'a>(text: &'a str, marker: &str) -> Option<&'a str> {
    let at = text.find(marker)? + marker.len();
    text[at..].split_whitespace().next()
}

fn parse_standard(text: &str, warnings: &mut Vec<String>) -> Standard {
    let mut log = Standard::default();
    for (number, line) in text.lines().enumerate() {
        let Some((time, body)) = message(line) else {
            continue;
        };
        let time = time.unwrap_or_else(|reason| {
            warnings.push(format!(
                "standard log line {}: {reason}; its time is not used",
                number + 1
            ));
            None
        });
        if log.start.is_none() {
            log.start = time;
        }
        if let Some(version) = body.strip_prefix("carbontracker version ") {
            log.version = Some(version.trim().to_owned());
        } else if body.contains("PUE coefficient of") {
            log.pue = number_after(body, "PUE coefficient of ")
                .and_then(|n| n.trim_end_matches(['.', ',']).parse().ok());
        } else if let Some(devices) = body.strip_prefix("The following components were found: ") {
            log.devices = Some(devices.trim().to_owned());
        } else if body.starts_with("Epoch ") && body.trim_end().ends_with(':') {
            log.epochs.push(Epoch::default());
        } else if let Some(duration) = body.strip_prefix("Duration: ") {
            if let Some(epoch) = log.epochs.last_mut() {
                epoch.duration_s = parse_hms(duration);
            }
        } else if let Some(rest) = body.strip_prefix("Average power usage (W) for ") {
            let Some((name, values)) = rest.split_once(':') else {
                continue;
            };
            let component = match name.trim() {
                "gpu" => Component::Gpu,
                "cpu" => Component::Cpu,
                "dram" | "ram" => Component::Ram,
                _ => Component::Other,
            };
            let values = values.trim().trim_start_matches('[').trim_end_matches(']');
            let mut total = None;
            for value in values.split([' ', ',']).filter(|v| !v.is_empty()) {
                if let Ok(w) = value.parse::<f64>() {
                    total = Some(total.unwrap_or(0.0) + w);
                }
            }
            if let Some(epoch) = log.epochs.last_mut() {
                epoch.power_w.push((component, total));
            }
        } else if body.starts_with("Average carbon intensity during training was") {
            log.intensity = number_after(body, "was ").and_then(|n| n.parse().ok());
            log.location = body
                .split_once("location: ")
                .map(|(_, l)| l.trim().trim_end_matches('.').to_owned());
        } else if body.contains("Training was interrupted") {
            log.interrupted = true;
        }
    }
    log
}

fn parse_output(text: &str) -> (Option<Consumption>, Option<Consumption>) {
    let mut actual = None;
    let mut predicted = None;
    let mut current: Option<(bool, Consumption)> = None;
    let mut finish = |block: Option<(bool, Consumption)>| {
        if let Some((is_actual, consumption)) = block {
            if is_actual {
                actual = Some(consumption);
            } else {
                predicted = Some(consumption);
            }
        }
    };
    for line in text.lines() {
        let trimmed = line.trim();
        let head = trimmed
            .strip_prefix("Actual consumption")
            .map(|rest| (true, rest))
            .or_else(|| {
                trimmed
                    .strip_prefix("Predicted consumption")
                    .map(|rest| (false, rest))
            });
        if let Some((is_actual, rest)) = head {
            finish(current.take());
            let epochs = number_after(rest, "for ").and_then(|n| n.parse().ok());
            current = Some((
                is_actual,
                Consumption {
                    epochs,
                    ..Consumption::default()
                },
            ));
            continue;
        }
        let Some((_, block)) = current.as_mut() else {
            continue;
        };
        if let Some(value) = trimmed.strip_prefix("Time:") {
            block.time_s = parse_hms(value);
        } else if let Some(value) = trimmed.strip_prefix("Energy:") {
            block.energy_kwh = value.split_whitespace().next().and_then(|n| n.parse().ok());
        } else if let Some(value) = trimmed.strip_prefix("CO2eq:") {
            block.co2_g = value.split_whitespace().next().and_then(|n| n.parse().ok());
        } else if message(line).is_some() {
            finish(current.take());
        }
    }
    finish(current);
    (actual, predicted)
}

/// The other file of the pair.
fn sibling(path: &Path) -> Option<(PathBuf, bool)> {
    let name = path.file_name()?.to_str()?;
    if let Some(stem) = name.strip_suffix(OUTPUT) {
        Some((path.with_file_name(format!("{stem}{STANDARD}")), false))
    } else {
        let stem = name.strip_suffix(STANDARD)?;
        Some((path.with_file_name(format!("{stem}{OUTPUT}")), true))
    }
}

pub(super) fn read(path: &Path, text: &str) -> Result<TraceFile> {
    let mut warnings = Vec::new();
    let this_is_output =
        text.contains(" - CarbonTracker: ") && !text.contains("carbontracker version");
    let other =
        sibling(path).and_then(
            |(other, other_is_output)| match std::fs::read_to_string(&other) {
                Ok(content) => Some((other, other_is_output, content)),
                Err(_) => {
                    warnings.push(format!(
                        "the other file of the pair ({}) was not found beside this one",
                        other
                            .file_name()
                            .map_or_else(String::new, |n| n.to_string_lossy().into_owned())
                    ));
                    None
                }
            },
        );
    let (standard_text, output_text, standard_path) = match (this_is_output, &other) {
        (true, Some((other_path, false, content))) => {
            (Some(content.as_str()), Some(text), other_path.clone())
        }
        (true, _) => (None, Some(text), path.to_owned()),
        (false, Some((_, true, content))) => (Some(text), Some(content.as_str()), path.to_owned()),
        (false, _) => (Some(text), None, path.to_owned()),
    };
    let standard = standard_text
        .map(|text| parse_standard(text, &mut warnings))
        .unwrap_or_default();
    let (actual, predicted) = output_text.map(parse_output).unwrap_or_default();
    if standard_text.is_some() && standard.version.is_none() && standard.pue.is_none() {
        warnings.push("the standard log has no version or PUE line".to_owned());
    }

    let pue = standard.pue;
    let (pue_applied, pue_source) = match pue {
        Some(p) => (
            p,
            "CarbonTracker log line \"multiplied by a PUE coefficient of …\"".to_owned(),
        ),
        None => {
            warnings.push("no PUE line in the log; CarbonTracker ≥ 2.0 applies 1.58, earlier versions 1.55–1.67; 1.58 assumed".to_owned());
            (
                1.58,
                "assumed 1.58 (CarbonTracker 2.x default; no PUE line)".to_owned(),
            )
        }
    };

    // Per-component energies from epochs (no PUE in power), then × PUE to match the totals;
    // each epoch's average power is one step of the plotted line.
    let mut per_component: BTreeMap<Component, (f64, Vec<[f64; 2]>)> = BTreeMap::new();
    let mut missing_power = false;
    let mut epochs_s = 0.0;
    for epoch in &standard.epochs {
        let Some(duration) = epoch.duration_s else {
            continue;
        };
        for (component, power) in &epoch.power_w {
            let Some(w) = power else {
                missing_power = true;
                continue;
            };
            let (joules, steps) = per_component.entry(*component).or_default();
            *joules += w * duration;
            steps.extend([[epochs_s, *w], [epochs_s + duration, *w]]);
        }
        epochs_s += duration;
    }
    if missing_power {
        warnings.push("average power is [None] for some component and epoch (no samples); per-component energy is not available for them".to_owned());
    }
    let components: Vec<ComponentEnergy> = per_component
        .iter()
        .map(|(component, (joules, _))| ComponentEnergy {
            component: *component,
            energy_kwh: joules / JOULES_PER_KWH * pue_applied,
            basis: Basis::Measured,
            basis_note: Some("NVML / RAPL average power per epoch × epoch duration".to_owned()),
        })
        .collect();
    let lines: Vec<PowerLine> = per_component
        .into_iter()
        .map(|(component, (_, points))| PowerLine { component, points })
        .collect();
    let components_kwh: f64 = components.iter().map(|c| c.energy_kwh).sum();

    let (energy_kwh, co2e_kg, duration_s) = match &actual {
        Some(Consumption {
            energy_kwh: Some(kwh),
            co2_g,
            time_s,
            epochs,
        }) => {
            if let (Some(n), false) = (epochs, standard.epochs.is_empty())
                && *n as usize != standard.epochs.len()
            {
                warnings.push(format!(
                    "the output log counts {n} epoch(s), the standard log {}",
                    standard.epochs.len()
                ));
            }
            let duration = if epochs_s > 0.0 {
                epochs_s
            } else {
                time_s.unwrap_or(0.0)
            };
            (*kwh, co2_g.map(|g| g / 1000.0), duration)
        }
        _ => {
            if output_text.is_some() {
                warnings.push("the output log has no \"Actual consumption\" block; energy is summed from the standard log's epochs".to_owned());
            }
            if components.is_empty() {
                return Err(super::bad(
                    path,
                    1,
                    "a CarbonTracker log, but neither an \"Actual consumption\" block nor epoch power lines to compute energy from",
                ));
            }
            let co2 = standard.intensity.map(|ci| components_kwh * ci / 1000.0);
            (components_kwh, co2, epochs_s)
        }
    };
    if let Some(p) = &predicted
        && let Some(kwh) = p.energy_kwh
    {
        warnings.push(format!(
            "CarbonTracker also predicted {kwh} kWh for {} epoch(s); ecolens reports the actual (measured) consumption",
            p.epochs.map_or_else(|| "?".to_owned(), |n| n.to_string())
        ));
    }
    if standard.interrupted {
        warnings.push("training was interrupted before all epochs were monitored".to_owned());
    }
    let ef = standard.intensity.or_else(|| {
        co2e_kg
            .filter(|_| energy_kwh > 0.0)
            .map(|kg| 1000.0 * kg / energy_kwh)
    });
    let location = standard.location.as_deref().map(|l| {
        let mut parts: Vec<&str> = l.split(',').map(str::trim).collect();
        let country = parts.last().and_then(|c| crate::factors::country_iso3(c));
        if country.is_some() {
            parts.pop();
        }
        TraceLocation {
            country_iso3: country,
            region: (!parts.is_empty()).then(|| parts.join(", ")),
            ..TraceLocation::default()
        }
    });
    Ok(TraceFile {
        path: standard_path.clone(),
        format: TraceFormat::Carbontracker,
        runs: vec![TraceSummary {
            format: TraceFormat::Carbontracker,
            tool_version: standard.version.clone(),
            run: standard
                .devices
                .clone()
                .unwrap_or_else(|| super::file_label(&standard_path)),
            start: standard.start.map(format_naive),
            duration_s,
            components,
            energy_kwh,
            pue_applied,
            pue_source,
            ef_applied_g_per_kwh: ef,
            co2e_kg_tool: co2e_kg,
            water_l_tool: None,
            location: location.unwrap_or_default(),
            power: lines,
            warnings: Vec::new(),
        }],
        warnings,
        companions: other
            .as_ref()
            .map(|(other_path, ..)| other_path.clone())
            .into_iter()
            .filter(|other_path| *other_path != standard_path)
            .chain((standard_path != path).then(|| path.to_owned()))
            .collect(),
    })
}
