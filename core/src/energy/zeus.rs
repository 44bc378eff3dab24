//! Zeus `ZeusMonitor(log_file=…)` CSV: one row per measurement window,
//! `start_time,window_name,elapsed_time,gpu<i>_energy…` (s, name, s, J per GPU).
//!
//! `start_time` was a monotonic clock before Zeus 0.7, so it orders windows but is not a date.
//! Windows may nest; a window inside one already counted is left out, not added twice.

use std::path::Path;

use super::table::{self, Table};
use super::{
    Basis, Component, ComponentEnergy, JOULES_PER_KWH, PowerLine, TraceFile, TraceFormat,
    TraceSummary,
};
use crate::Result;

pub(super) fn read(path: &Path, text: &str) -> Result<TraceFile> {
    let table = Table::parse(path, text)?;
    let mut warnings = table.warnings.clone();
    let start = table.require(path, "start_time")?;
    let elapsed = table.require(path, "elapsed_time")?;
    let name = table.column("window_name");
    let gpus: Vec<usize> = table
        .header
        .iter()
        .enumerate()
        .filter(|(_, h)| h.starts_with("gpu") && h.ends_with("_energy"))
        .map(|(i, _)| i)
        .collect();
    if gpus.is_empty() {
        return Err(super::bad(
            path,
            1,
            format!(
                "a Zeus CSV without gpu<i>_energy columns (columns: {})",
                table.header.join(", ")
            ),
        ));
    }
    let mut windows: Vec<(f64, f64, f64, String)> = Vec::new();
    'rows: for (line, fields) in &table.rows {
        // A cell that is not a number rejects its window, with where and why; the others go on.
        let number = |index: usize| {
            table::number(&fields[index]).map_err(|detail| {
                format!(
                    "line {line}: column {}: {detail}; window rejected",
                    table.header[index]
                )
            })
        };
        let (t0, dt) = match (number(start), number(elapsed)) {
            (Ok(t0), Ok(dt)) => (t0, dt),
            (Err(reason), _) | (_, Err(reason)) => {
                warnings.push(reason);
                continue;
            }
        };
        let (Some(t0), Some(dt)) = (t0, dt) else {
            warnings.push(format!(
                "line {line}: no start_time or elapsed_time; window skipped"
            ));
            continue;
        };
        let mut joules = 0.0;
        let mut empty = Vec::new();
        for &gpu in &gpus {
            match number(gpu) {
                Ok(Some(j)) => joules += j,
                Ok(None) => empty.push(format!(
                    "line {line}: {} is empty; counted as 0",
                    table.header[gpu]
                )),
                Err(reason) => {
                    warnings.push(reason);
                    continue 'rows;
                }
            }
        }
        warnings.extend(empty);
        let label = name
            .and_then(|i| table::text(&fields[i]))
            .unwrap_or("")
            .to_owned();
        windows.push((t0, dt, joules, label));
    }
    windows.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut joules = 0.0;
    let mut duration_s = 0.0;
    let mut covered_until = f64::NEG_INFINITY;
    let mut points = Vec::new();
    let origin = windows.first().map_or(0.0, |w| w.0);
    for (t0, dt, j, label) in &windows {
        let end = t0 + dt;
        if end <= covered_until {
            warnings.push(format!(
                "window {label:?} lies inside an earlier window; left out so its energy is not counted twice"
            ));
            continue;
        }
        if *t0 < covered_until {
            warnings.push(format!(
                "window {label:?} overlaps the previous one by {:.2} s; both are counted",
                covered_until - t0
            ));
        }
        covered_until = end;
        joules += j;
        duration_s += dt;
        if *dt > 0.0 {
            points.push([t0 - origin, j / dt]);
            points.push([end - origin, j / dt]);
        }
    }
    let energy_kwh = joules / JOULES_PER_KWH;
    let mut summary_warnings =
        vec!["Zeus writes GPU energy only; CPU and DRAM are not in the CSV".to_owned()];
    if origin > 0.0 && origin < 1.0e9 {
        summary_warnings.push(
            "start_time is a monotonic clock (Zeus before 0.7), not a date; no start time"
                .to_owned(),
        );
    }
    let run = TraceSummary {
        power: vec![PowerLine {
            component: Component::Gpu,
            points,
        }],
        warnings: summary_warnings,
        ..TraceSummary::metered(
            TraceFormat::Zeus,
            format!("{} GPU(s), {} window(s)", gpus.len(), windows.len()),
            duration_s,
            vec![ComponentEnergy {
                component: Component::Gpu,
                energy_kwh,
                basis: Basis::Measured,
                basis_note: Some("NVML total-energy counter (Volta and newer)".to_owned()),
            }],
            energy_kwh,
        )
    };
    Ok(TraceFile::single(path, run, warnings))
}
