//! Linux powercap RAPL counters sampled to CSV: `timestamp,domain,energy_uj[,max_energy_range_uj]`,
//! one row per domain per sample, as a loop over `/sys/class/powercap/intel-rapl:*` writes
//! (`timestamp` in Unix seconds or a local date and time; `domain` the zone's `name` or path).
//!
//! Counters are differenced with wrap-around (`Δ = cur − prev + max_energy_range_uj` when the
//! counter went down). Domains nest (core, uncore ⊂ package ⊂ psys), so only package-* and
//! dram are summed, or psys is taken whole when present.

use std::collections::BTreeMap;
use std::path::Path;

use super::series::line_of;
use super::table::{self, Table};
use super::time::{Fraction, format_naive, parse_naive};
use super::{
    Basis, Component, ComponentEnergy, JOULES_PER_KWH, TraceFile, TraceFormat, TraceSummary,
};
use crate::Result;

#[derive(Default)]
struct Domain {
    joules: f64,
    last: Option<(f64, f64)>,
    wraps: usize,
    unknown_wraps: usize,
    power: Vec<(f64, f64)>,
}

fn role(name: &str) -> Option<Component> {
    let leaf = name.rsplit('/').next().unwrap_or(name).to_ascii_lowercase();
    if leaf.starts_with("package") {
        Some(Component::Cpu)
    } else if leaf.starts_with("dram") {
        Some(Component::Ram)
    } else if leaf.starts_with("psys") {
        Some(Component::Other)
    } else {
        None
    }
}

pub(super) fn read(path: &Path, text: &str) -> Result<TraceFile> {
    let table = Table::parse(path, text)?;
    let mut warnings = table.warnings.clone();
    let time = table
        .column("timestamp")
        .or_else(|| table.column("time"))
        .ok_or_else(|| super::bad(path, 1, "no timestamp column"))?;
    let domain = table.require(path, "domain")?;
    let energy = table.require(path, "energy_uj")?;
    let range = table.column("max_energy_range_uj");
    let mut domains: BTreeMap<String, Domain> = BTreeMap::new();
    let mut start = f64::INFINITY;
    for (line, fields) in &table.rows {
        let t = match fields[time].parse::<f64>() {
            Ok(t) => t,
            Err(_) => match parse_naive(&fields[time], Fraction::Decimal) {
                Ok(t) => t,
                Err(reason) => {
                    warnings.push(format!("line {line}: timestamp {reason}; row rejected"));
                    continue;
                }
            }
            .ok_or_else(|| {
                super::bad(
                    path,
                    *line,
                    format!(
                        "timestamp {:?} is neither Unix seconds nor a date and time",
                        fields[time]
                    ),
                )
            })?,
        };
        start = start.min(t);
        let number = |index| table::number_at(path, &table, *line, fields, index);
        let Some(counter) = number(Some(energy))? else {
            continue;
        };
        let max_range = number(range)?;
        let entry = domains.entry(fields[domain].clone()).or_default();
        if let Some((t0, c0)) = entry.last {
            let mut delta = counter - c0;
            if delta < 0.0 {
                match max_range {
                    Some(max) => {
                        delta += max;
                        entry.wraps += 1;
                    }
                    None => {
                        entry.unknown_wraps += 1;
                        entry.last = Some((t, counter));
                        continue;
                    }
                }
            }
            let joules = delta / 1e6;
            entry.joules += joules;
            if t > t0 {
                entry.power.push((f64::midpoint(t0, t), joules / (t - t0)));
            }
        }
        entry.last = Some((t, counter));
    }
    let mut sums = [0.0_f64; 3];
    let mut lines: BTreeMap<Component, Vec<(f64, f64)>> = BTreeMap::new();
    let mut ignored = Vec::new();
    let mut end = f64::NEG_INFINITY;
    for (name, d) in &domains {
        if d.wraps > 0 {
            warnings.push(format!(
                "{name}: counter wrapped {} time(s); corrected with max_energy_range_uj",
                d.wraps
            ));
        }
        if d.unknown_wraps > 0 {
            warnings.push(format!(
                "{name}: counter went down {} time(s) and the file has no max_energy_range_uj column; those intervals are left out (energy is underestimated)",
                d.unknown_wraps
            ));
        }
        if let Some((t, _)) = d.last {
            end = end.max(t);
        }
        match role(name) {
            Some(component) => {
                let slot = match component {
                    Component::Cpu => 0,
                    Component::Ram => 1,
                    _ => 2,
                };
                sums[slot] += d.joules;
                lines.entry(component).or_default().extend(&d.power);
            }
            None => ignored.push(name.clone()),
        }
    }
    if domains.is_empty() {
        return Err(super::bad(path, 2, "a RAPL CSV without any counter row"));
    }
    if !ignored.is_empty() {
        warnings.push(format!(
            "domains {} are nested inside package and are not added again",
            ignored.join(", ")
        ));
    }
    let [cpu_j, ram_j, psys_j] = sums;
    let has_psys = lines.contains_key(&Component::Other);
    let total_j = if has_psys { psys_j } else { cpu_j + ram_j };
    let measured = |component, joules: f64, note: &str| ComponentEnergy {
        component,
        energy_kwh: joules / JOULES_PER_KWH,
        basis: Basis::Measured,
        basis_note: Some(note.to_owned()),
    };
    let mut components = vec![measured(Component::Cpu, cpu_j, "RAPL package counters")];
    if ram_j > 0.0 {
        components.push(measured(Component::Ram, ram_j, "RAPL DRAM counters"));
    }
    if has_psys {
        components.push(measured(
            Component::Other,
            (psys_j - cpu_j - ram_j).max(0.0),
            "RAPL psys (platform) minus package and DRAM",
        ));
    }
    let power = lines
        .iter_mut()
        .filter_map(|(component, samples)| {
            samples.sort_by(|a, b| a.0.total_cmp(&b.0));
            line_of(*component, samples)
        })
        .collect();
    let run = TraceSummary {
        // Unix seconds (UTC) are shown as a date; a relative clock is not.
        start: (start > 1.0e8).then(|| format_naive(start)),
        power,
        ..TraceSummary::metered(
            TraceFormat::Rapl,
            format!("{} domain(s)", domains.len()),
            (end - start).max(0.0),
            components,
            total_j / JOULES_PER_KWH,
        )
    };
    Ok(TraceFile::single(path, run, warnings))
}
