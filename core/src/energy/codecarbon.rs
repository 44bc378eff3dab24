//! CodeCarbon `emissions.csv`, every header version (v1 12 columns … v3.2+ 38 columns).
//!
//! Rows are cumulative snapshots of a run (`flush()` and `stop()` write the running total), so
//! the row with the longest duration per `run_id` is the run; rows without a `run_id` cannot
//! be grouped and each counts as a run. Energies are already multiplied by the `pue` column
//! (absent before v2.3: PUE 1); the grid factor is not written but is emissions ÷ energy.

use std::collections::HashMap;
use std::path::Path;

use super::table::{self, Table};
use super::time::{Fraction, format_naive, parse_naive};
use super::{
    Basis, Component, ComponentEnergy, TraceFile, TraceFormat, TraceLocation, TraceSummary,
};
use crate::Result;

/// Which header generation a file has, from its column set.
fn header_generation(table: &Table) -> &'static str {
    let has = |name: &str| table.column(name).is_some();
    if has("cpu_utilization_percent") {
        "3.2+ (38 columns)"
    } else if has("water_consumed") {
        "3.1 (34 columns)"
    } else if has("experiment_id") && has("pue") {
        "2.7–3.0 (32 columns)"
    } else if has("pue") {
        "2.3–2.6 (31 columns)"
    } else if has("codecarbon_version") {
        "2.2 (30 columns)"
    } else if has("cpu_energy") {
        "2.0–2.1 (29 columns)"
    } else if has("run_id") {
        "between 1.2 and 2.0"
    } else {
        "0.x–1.2 (12 columns)"
    }
}

struct Row {
    line: usize,
    run_id: Option<String>,
    timestamp: Option<f64>,
    duration_s: f64,
    emissions_kg: Option<f64>,
    energy_kwh: Option<f64>,
    cpu_kwh: Option<f64>,
    gpu_kwh: Option<f64>,
    ram_kwh: Option<f64>,
    cpu_power_w: Option<f64>,
    gpu_power_w: Option<f64>,
    water_l: Option<f64>,
    pue: Option<f64>,
    version: Option<String>,
    project: Option<String>,
    location: TraceLocation,
}

pub(super) fn read(path: &Path, text: &str) -> Result<TraceFile> {
    let table = Table::parse(path, text)?;
    let mut warnings = table.warnings.clone();
    let duration = table.require(path, "duration")?;
    let energy = table.require(path, "energy_consumed")?;
    let emissions = table.require(path, "emissions")?;
    let col = |name: &str| table.column(name);
    let (run_id, timestamp) = (col("run_id"), col("timestamp"));
    let (cpu, gpu, ram) = (col("cpu_energy"), col("gpu_energy"), col("ram_energy"));
    let (cpu_power, gpu_power) = (col("cpu_power"), col("gpu_power"));
    let (water, pue, version) = (col("water_consumed"), col("pue"), col("codecarbon_version"));
    let (project, country) = (col("project_name"), col("country_iso_code"));
    let (region, provider, cloud_region) =
        (col("region"), col("cloud_provider"), col("cloud_region"));
    let (on_cloud, os, cpu_model) = (col("on_cloud"), col("os"), col("cpu_model"));
    let generation = header_generation(&table);

    let text_at = |row: &[String], index: Option<usize>| {
        index.and_then(|i| table::text(&row[i])).map(str::to_owned)
    };
    let mut rows = Vec::new();
    for (line, fields) in &table.rows {
        let number = |index| table::number_at(path, &table, *line, fields, index);
        let Some(duration_s) = number(Some(duration))? else {
            warnings.push(format!("line {line}: no duration; row skipped"));
            continue;
        };
        rows.push(Row {
            line: *line,
            run_id: text_at(fields, run_id),
            timestamp: match timestamp.map(|i| parse_naive(&fields[i], Fraction::Decimal)) {
                Some(Ok(seconds)) => seconds,
                Some(Err(reason)) => {
                    warnings.push(format!(
                        "line {line}: timestamp {reason}; the run's start is left unknown"
                    ));
                    None
                }
                None => None,
            },
            duration_s,
            emissions_kg: number(Some(emissions))?,
            energy_kwh: number(Some(energy))?,
            cpu_kwh: number(cpu)?,
            gpu_kwh: number(gpu)?,
            ram_kwh: number(ram)?,
            cpu_power_w: number(cpu_power)?,
            gpu_power_w: number(gpu_power)?,
            water_l: number(water)?,
            pue: number(pue)?,
            version: text_at(fields, version),
            project: text_at(fields, project),
            location: TraceLocation {
                country_iso3: text_at(fields, country)
                    .and_then(|c| crate::factors::country_iso3(&c).or(Some(c))),
                region: text_at(fields, region),
                cloud_provider: text_at(fields, provider),
                cloud_region: text_at(fields, cloud_region),
                personal_computer: personal_computer(
                    text_at(fields, on_cloud).as_deref(),
                    text_at(fields, os).as_deref(),
                    text_at(fields, cpu_model).as_deref(),
                ),
            },
        });
    }

    // Rule 3: the last cumulative snapshot (longest duration) of each run.
    let mut order: Vec<usize> = Vec::new();
    let mut best: HashMap<String, usize> = HashMap::new();
    let mut ungrouped = 0;
    for (index, row) in rows.iter().enumerate() {
        match &row.run_id {
            Some(id) => match best.get(id) {
                Some(&current) => {
                    if row.duration_s >= rows[current].duration_s {
                        best.insert(id.clone(), index);
                        if let Some(slot) = order.iter_mut().find(|o| **o == current) {
                            *slot = index;
                        }
                    }
                }
                None => {
                    best.insert(id.clone(), index);
                    order.push(index);
                }
            },
            None => {
                ungrouped += 1;
                order.push(index);
            }
        }
    }
    let snapshots = rows.len() - order.len();
    if snapshots > 0 {
        warnings.push(format!(
            "{snapshots} earlier cumulative snapshot row(s) of the same run_id were superseded by the run's last row"
        ));
    }
    if ungrouped > 0 && run_id.is_some() {
        warnings.push(format!(
            "{ungrouped} row(s) have an empty run_id and cannot be grouped; each counts as one run"
        ));
    }

    let mut runs = Vec::new();
    for index in order {
        let row = &rows[index];
        let Some(energy_kwh) = row.energy_kwh else {
            warnings.push(format!(
                "line {}: energy_consumed is empty; run {} skipped",
                row.line,
                row.run_id.as_deref().unwrap_or("(no run_id)")
            ));
            continue;
        };
        runs.push(summary(path, row, energy_kwh, generation, pue.is_some()));
    }
    Ok(TraceFile {
        path: path.to_owned(),
        format: TraceFormat::Codecarbon,
        runs,
        warnings,
        companions: Vec::new(),
    })
}

/// The evidence that a CodeCarbon run was on a personal computer: not on a cloud, and a
/// desktop operating system or an Apple processor (servers run Linux). A Linux machine off
/// the cloud may be a workstation or a cluster node, so it is left undecided.
fn personal_computer(
    on_cloud: Option<&str>,
    os: Option<&str>,
    cpu: Option<&str>,
) -> Option<String> {
    if !on_cloud.is_some_and(|c| c.eq_ignore_ascii_case("n")) {
        return None;
    }
    let desktop_os = os.filter(|os| {
        let os = os.to_ascii_lowercase();
        os.starts_with("macos") || os.starts_with("darwin") || os.starts_with("windows")
    });
    let apple = cpu.filter(|cpu| cpu.contains("Apple M"));
    let evidence = desktop_os
        .map(|os| format!("os {os}"))
        .or_else(|| apple.map(|cpu| format!("cpu_model {cpu}")))?;
    Some(format!("CodeCarbon: on_cloud N, {evidence}"))
}

fn summary(
    path: &Path,
    row: &Row,
    energy_kwh: f64,
    generation: &str,
    has_pue: bool,
) -> TraceSummary {
    let mut warnings = Vec::new();
    let (pue_applied, pue_source) = match (row.pue, has_pue) {
        (Some(pue), _) if pue > 0.0 => (pue, "CodeCarbon `pue` column".to_owned()),
        (_, true) => {
            warnings.push("the pue column is empty; PUE 1 assumed".to_owned());
            (1.0, "assumed 1 (empty pue column)".to_owned())
        }
        (_, false) => (
            1.0,
            "CodeCarbon before 2.3 applied no PUE (no pue column)".to_owned(),
        ),
    };
    let ef = row
        .emissions_kg
        .filter(|_| energy_kwh > 0.0)
        .map(|kg| 1000.0 * kg / energy_kwh);
    let mut components = Vec::new();
    if let Some(kwh) = row.cpu_kwh {
        // The CSV does not say how CPU power was obtained; a round constant is the TDP model.
        let constant = row
            .cpu_power_w
            .is_some_and(|w| w >= 5.0 && (w * 2.0).fract() == 0.0);
        components.push(ComponentEnergy {
            component: Component::Cpu,
            energy_kwh: kwh,
            basis: if constant {
                Basis::Estimated
            } else {
                Basis::Unknown
            },
            basis_note: Some(if constant {
                format!(
                    "cpu_power is the round constant {} W: CodeCarbon's TDP model (heuristic)",
                    row.cpu_power_w.unwrap_or_default()
                )
            } else {
                "CodeCarbon does not write whether RAPL/powermetrics or its TDP model was used"
                    .to_owned()
            }),
        });
    }
    if let Some(kwh) = row.gpu_kwh {
        components.push(ComponentEnergy {
            component: Component::Gpu,
            energy_kwh: kwh,
            basis: if kwh > 0.0 || row.gpu_power_w.is_some_and(|w| w > 0.0) {
                Basis::Measured
            } else {
                Basis::Unknown
            },
            basis_note: Some("NVML (or powermetrics on Apple silicon)".to_owned()),
        });
    }
    if let Some(kwh) = row.ram_kwh {
        components.push(ComponentEnergy {
            component: Component::Ram,
            energy_kwh: kwh,
            basis: Basis::Estimated,
            basis_note: Some(
                "CodeCarbon models RAM power (3 W per 8 GB in v2, per DIMM in v3)".to_owned(),
            ),
        });
    }
    let sum: f64 = components.iter().map(|c| c.energy_kwh).sum();
    if !components.is_empty() && (sum - energy_kwh).abs() > 1e-9_f64.max(energy_kwh * 1e-6) {
        warnings.push(format!(
            "components sum to {sum:.6e} kWh but energy_consumed is {energy_kwh:.6e} kWh"
        ));
    }
    let start = row.timestamp.map(|t| format_naive(t - row.duration_s));
    TraceSummary {
        format: TraceFormat::Codecarbon,
        tool_version: Some(
            row.version
                .clone()
                .unwrap_or_else(|| format!("header {generation}")),
        ),
        run: row
            .run_id
            .clone()
            .or_else(|| {
                row.project
                    .clone()
                    .map(|p| format!("{p} (line {})", row.line))
            })
            .unwrap_or_else(|| format!("{} line {}", super::file_label(path), row.line)),
        start,
        duration_s: row.duration_s,
        components,
        energy_kwh,
        pue_applied,
        pue_source,
        ef_applied_g_per_kwh: ef,
        co2e_kg_tool: row.emissions_kg,
        water_l_tool: row.water_l,
        location: row.location.clone(),
        power: Vec::new(),
        warnings,
    }
}
