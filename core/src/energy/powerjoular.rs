//! PowerJoular CSV: `Date,CPU Utilization,Total Power,CPU Power,GPU Power` (machine file) or
//! `Date,CPU Utilization,CPU Power` (a `-p PID` / `-a app` file), one row per 1-s cycle.
//!
//! Energy is Σ power × 1 s, which is how PowerJoular itself totals. With `-c` the date is
//! built by hand without zero padding and the part after the dot is an integer count of
//! milliseconds (`8:5:3.7` is 7 ms past 08:05:03).

use std::path::Path;

use super::series::line_of;
use super::table::{self, Table};
use super::time::{Fraction, format_naive, parse_naive};
use super::{
    Basis, Component, ComponentEnergy, JOULES_PER_KWH, TraceFile, TraceFormat, TraceSummary,
};
use crate::Result;

pub(super) fn read(path: &Path, text: &str) -> Result<TraceFile> {
    let table = Table::parse(path, text)?;
    let mut warnings = table.warnings.clone();
    let date = table.require(path, "Date")?;
    let cpu = table.require(path, "CPU Power")?;
    let gpu = table.column("GPU Power");
    let total = table.column("Total Power");
    let mut cpu_samples = Vec::new();
    let mut gpu_samples = Vec::new();
    let mut cpu_j = 0.0;
    let mut gpu_j = 0.0;
    let mut total_j = 0.0;
    let mut first = None;
    let mut rows = 0_u32;
    for (line, fields) in &table.rows {
        let t = match parse_naive(&fields[date], Fraction::Milliseconds) {
            Ok(t) => t,
            Err(reason) => {
                warnings.push(format!("line {line}: Date {reason}; row rejected"));
                continue;
            }
        };
        let Some(t) = t else {
            warnings.push(format!(
                "line {line}: Date {:?} is not a date and time (expected YYYY-MM-DD HH:MM:SS); row rejected",
                table::shown(&fields[date])
            ));
            continue;
        };
        // A cell that is not a number rejects its row, with where and why; the others go on.
        let mut rejected = None;
        let mut number = |index: Option<usize>| {
            let index = index?;
            match table::number(&fields[index]) {
                Ok(value) => value,
                Err(detail) => {
                    rejected.get_or_insert(format!(
                        "line {line}: column {}: {detail}; row rejected",
                        table.header[index]
                    ));
                    None
                }
            }
        };
        let cpu_w = number(Some(cpu)).unwrap_or(0.0);
        let gpu_w = number(gpu).unwrap_or(0.0);
        let total_w = number(total).unwrap_or(cpu_w + gpu_w);
        if let Some(reason) = rejected {
            warnings.push(reason);
            continue;
        }
        first.get_or_insert(t);
        cpu_j += cpu_w;
        gpu_j += gpu_w;
        total_j += total_w;
        cpu_samples.push((t, cpu_w));
        gpu_samples.push((t, gpu_w));
        rows += 1;
    }
    if rows == 0 {
        return Err(super::bad(path, 2, "a PowerJoular CSV without any row"));
    }
    let mut components = vec![ComponentEnergy {
        component: Component::Cpu,
        energy_kwh: cpu_j / JOULES_PER_KWH,
        basis: Basis::Measured,
        basis_note: Some("RAPL (psys, else package + DRAM) over 1-s cycles".to_owned()),
    }];
    let mut power = vec![line_of(Component::Cpu, &cpu_samples)];
    if gpu.is_some() {
        components.push(ComponentEnergy {
            component: Component::Gpu,
            energy_kwh: gpu_j / JOULES_PER_KWH,
            basis: Basis::Measured,
            basis_note: Some("nvidia-smi power.draw".to_owned()),
        });
        power.push(line_of(Component::Gpu, &gpu_samples));
    }
    let mut run_warnings = Vec::new();
    if (total_j - cpu_j - gpu_j).abs() > 1e-6 * total_j.max(1.0) {
        run_warnings.push(format!(
            "Total Power sums to {total_j:.1} J but CPU + GPU to {:.1} J; the total is used",
            cpu_j + gpu_j
        ));
    }
    let is_process = gpu.is_none() && total.is_none();
    if is_process {
        run_warnings.push(
            "a per-process file (-p/-a): CPU power attributed to the process only".to_owned(),
        );
    }
    let run = TraceSummary {
        start: first.map(format_naive),
        power: power.into_iter().flatten().collect(),
        warnings: run_warnings,
        ..TraceSummary::metered(
            TraceFormat::Powerjoular,
            super::file_label(path),
            f64::from(rows),
            components,
            total_j / JOULES_PER_KWH,
        )
    };
    Ok(TraceFile::single(path, run, warnings))
}
