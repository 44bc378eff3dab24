//! eco2AI `emission.csv` (0.1 tab-separated, 0.2 quoted, 0.3 with `id` and `epoch`).
//!
//! `power_consumption(kWh)` (`kWTh` before 0.3.12) is energy including the user's PUE, which
//! eco2AI does not write (default 1). The tracker rewrites its own row (same `id`) every
//! period; in training mode it writes one row per epoch, which are summed.

use std::path::Path;

use super::table::{self, Table};
use super::time::{Fraction, format_naive, parse_naive};
use super::{TraceFile, TraceFormat, TraceLocation, TraceSummary};
use crate::Result;

struct Row {
    line: usize,
    id: Option<String>,
    epoch: Option<String>,
    project: Option<String>,
    start: Option<f64>,
    duration_s: f64,
    energy_kwh: f64,
    co2_kg: Option<f64>,
    cpu: Option<String>,
    gpu: Option<String>,
    location: Option<String>,
}

pub(super) fn read(path: &Path, text: &str) -> Result<TraceFile> {
    let table = Table::parse(path, text)?;
    let mut warnings = table.warnings.clone();
    let energy = table.column_prefix("power_consumption(").ok_or_else(|| {
        super::bad(
            path,
            1,
            format!(
                "the header has no power_consumption(kWh) column (columns: {})",
                table.header.join(", ")
            ),
        )
    })?;
    let duration = table.column_prefix("duration");
    let co2 = table.column_prefix("co2_emissions");
    let text_at = |row: &[String], index: Option<usize>| {
        index.and_then(|i| table::text(&row[i])).map(str::to_owned)
    };
    let (id, epoch, project) = (
        table.column("id"),
        table.column("epoch"),
        table.column("project_name"),
    );
    let (start, cpu, gpu) = (
        table.column("start_time"),
        table.column("CPU_name"),
        table.column("GPU_name"),
    );
    let location = table
        .column("region/country")
        .or_else(|| table.column("country"));
    let mut rows: Vec<Row> = Vec::new();
    for (line, fields) in &table.rows {
        let number = |index| table::number_at(path, &table, *line, fields, index);
        let Some(energy_kwh) = number(Some(energy))? else {
            warnings.push(format!("line {line}: no power_consumption; row skipped"));
            continue;
        };
        rows.push(Row {
            line: *line,
            id: text_at(fields, id),
            epoch: text_at(fields, epoch),
            project: text_at(fields, project),
            start: match start.map(|i| parse_naive(&fields[i], Fraction::Decimal)) {
                Some(Ok(seconds)) => seconds,
                Some(Err(reason)) => {
                    warnings.push(format!(
                        "line {line}: start_time {reason}; the epoch's start is left unknown"
                    ));
                    None
                }
                None => None,
            },
            duration_s: number(duration)?.unwrap_or(0.0),
            energy_kwh,
            co2_kg: number(co2)?,
            cpu: text_at(fields, cpu),
            gpu: text_at(fields, gpu),
            location: text_at(fields, location),
        });
    }
    // Group by id: epoch rows are summed, rewritten rows keep the last.
    let mut runs: Vec<Vec<Row>> = Vec::new();
    for row in rows {
        let slot = row
            .id
            .as_ref()
            .and_then(|id| runs.iter().position(|r| r[0].id.as_ref() == Some(id)));
        match slot {
            Some(i) => runs[i].push(row),
            None => runs.push(vec![row]),
        }
    }
    let summaries = runs
        .into_iter()
        .map(|group| summarise(path, group))
        .collect();
    if table.header.iter().any(|h| h.contains("kWTh")) {
        warnings.push(
            "header says power_consumption(kWTh) (eco2AI before 0.3.12); read as kWh".to_owned(),
        );
    }
    Ok(TraceFile {
        path: path.to_owned(),
        format: TraceFormat::Eco2ai,
        runs: summaries,
        warnings,
        companions: Vec::new(),
    })
}

fn summarise(path: &Path, mut group: Vec<Row>) -> TraceSummary {
    let mut warnings = vec![
        "eco2AI does not write the PUE it applied (default 1); set the PUE if the run used another"
            .to_owned(),
    ];
    let epochs: std::collections::BTreeSet<&str> = group
        .iter()
        .filter_map(|r| r.epoch.as_deref())
        .filter(|e| e.starts_with("epoch"))
        .collect();
    let (energy_kwh, co2_kg, duration_s) = if epochs.len() > 1 {
        warnings.push(format!("{} epoch rows summed (training mode)", group.len()));
        let co2: Option<f64> = group.iter().map(|r| r.co2_kg).sum();
        (
            group.iter().map(|r| r.energy_kwh).sum::<f64>(),
            co2,
            group.iter().map(|r| r.duration_s).sum::<f64>(),
        )
    } else {
        if group.len() > 1 {
            warnings.push(format!(
                "{} rows of the same id: the tracker rewrites its row, the last one is used",
                group.len()
            ));
            let last = group.len() - 1;
            group.swap(0, last);
        }
        let row = &group[0];
        (row.energy_kwh, row.co2_kg, row.duration_s)
    };
    let first = &group[0];
    let location = first.location.as_deref().map(|l| {
        let (country, region) = l.split_once('/').unwrap_or((l, ""));
        TraceLocation {
            country_iso3: crate::factors::country_iso3(country),
            region: (!region.trim().is_empty()).then(|| region.trim().to_owned()),
            ..TraceLocation::default()
        }
    });
    if let Some(cpu) = &first.cpu
        && cpu.contains("method:tdp")
    {
        warnings.push(format!("CPU power is eco2AI's TDP model ({cpu})"));
    }
    if let Some(gpu) = &first.gpu {
        warnings.push(format!("GPU: {gpu}"));
    }
    TraceSummary {
        format: TraceFormat::Eco2ai,
        tool_version: None,
        run: first
            .id
            .clone()
            .or_else(|| first.project.clone())
            .unwrap_or_else(|| format!("{} line {}", super::file_label(path), first.line)),
        start: first.start.map(format_naive),
        duration_s,
        components: Vec::new(),
        energy_kwh,
        pue_applied: 1.0,
        pue_source: "eco2AI default (pue=1; not written in the file)".to_owned(),
        ef_applied_g_per_kwh: co2_kg
            .filter(|_| energy_kwh > 0.0)
            .map(|kg| 1000.0 * kg / energy_kwh),
        co2e_kg_tool: co2_kg,
        water_l_tool: None,
        location: location.unwrap_or_default(),
        power: Vec::new(),
        warnings,
    }
}
