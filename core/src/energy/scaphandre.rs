//! `scaphandre json`: an array of reports, one per step (default 2 s), all powers in
//! microwatts. The closing `]` is missing when Scaphandre was killed, so the array is read
//! report by report. A report with zero host power and no sockets is written before data
//! is available and is skipped.
//!
//! Host power is PSYS when available, else package + DRAM; the sockets' package power and the
//! DRAM domains give CPU and RAM, the rest of the host power is "other".

use std::path::Path;

use serde_json::Value;

use super::series::{integrate, line_of};
use super::time::format_naive;
use super::{
    Basis, Component, ComponentEnergy, JOULES_PER_KWH, TraceFile, TraceFormat, TraceSummary,
};
use crate::Result;

/// Line number of a byte offset.
fn line_at(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

pub(super) fn read(path: &Path, text: &str) -> Result<TraceFile> {
    let mut warnings = Vec::new();
    let start = text
        .find('[')
        .ok_or_else(|| super::bad(path, 1, "a Scaphandre file must start with ["))?;
    let mut offset = start + 1;
    let mut reports: Vec<Value> = Vec::new();
    loop {
        let rest = &text[offset..];
        let skipped = rest.len()
            - rest
                .trim_start_matches(|c: char| c.is_whitespace() || c == ',')
                .len();
        offset += skipped;
        let rest = &text[offset..];
        if rest.is_empty() {
            warnings.push("the array has no closing ] (Scaphandre was stopped while writing); the reports before the end are used".to_owned());
            break;
        }
        if rest.starts_with(']') {
            break;
        }
        let mut stream = serde_json::Deserializer::from_str(rest).into_iter::<Value>();
        match stream.next() {
            Some(Ok(value)) => {
                offset += stream.byte_offset();
                reports.push(value);
            }
            Some(Err(error)) if error.is_eof() => {
                warnings.push(format!(
                    "the last report (line {}) is cut off; the reports before it are used",
                    line_at(text, offset)
                ));
                break;
            }
            Some(Err(error)) => {
                return Err(super::bad(
                    path,
                    line_at(text, offset) + error.line() - 1,
                    format!("not a JSON report: {error}"),
                ));
            }
            None => break,
        }
    }
    let mut host = Vec::new();
    let mut cpu = Vec::new();
    let mut ram = Vec::new();
    let mut skipped = 0;
    for (index, report) in reports.iter().enumerate() {
        let host_uw = report.pointer("/host/consumption").and_then(Value::as_f64);
        let time = report.pointer("/host/timestamp").and_then(Value::as_f64);
        let (Some(host_uw), Some(time)) = (host_uw, time) else {
            return Err(super::bad(
                path,
                1,
                format!(
                    "report {} has no host.consumption or host.timestamp",
                    index + 1
                ),
            ));
        };
        let sockets = report.get("sockets").and_then(Value::as_array);
        if host_uw == 0.0 && sockets.is_none_or(Vec::is_empty) {
            skipped += 1;
            continue;
        }
        let mut package = 0.0;
        let mut dram = 0.0;
        for socket in sockets.into_iter().flatten() {
            package += socket
                .get("consumption")
                .and_then(Value::as_f64)
                .unwrap_or(0.0);
            for domain in socket
                .get("domains")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                if domain.get("name").and_then(Value::as_str) == Some("dram") {
                    dram += domain
                        .get("consumption")
                        .and_then(Value::as_f64)
                        .unwrap_or(0.0);
                }
            }
        }
        host.push((time, host_uw / 1e6));
        cpu.push((time, package / 1e6));
        ram.push((time, dram / 1e6));
    }
    if skipped > 0 {
        warnings.push(format!(
            "{skipped} empty report(s) written before data was available were skipped"
        ));
    }
    if host.is_empty() {
        return Err(super::bad(
            path,
            1,
            "a Scaphandre file without any report that has data",
        ));
    }
    let total = integrate(&host);
    let cpu_j = integrate(&cpu).joules;
    let ram_j = integrate(&ram).joules;
    let other_j = (total.joules - cpu_j - ram_j).max(0.0);
    let other: Vec<(f64, f64)> = host
        .iter()
        .zip(cpu.iter().zip(&ram))
        .map(|(h, (c, r))| (h.0, (h.1 - c.1 - r.1).max(0.0)))
        .collect();
    let mut run_warnings = total.warnings("host power");
    if cpu_j + ram_j > total.joules * 1.001 {
        run_warnings.push(
            "sockets and DRAM sum to more than the host power; \"other\" set to 0".to_owned(),
        );
    }
    let component = |component, joules: f64, note: &str| ComponentEnergy {
        component,
        energy_kwh: joules / JOULES_PER_KWH,
        basis: Basis::Measured,
        basis_note: Some(note.to_owned()),
    };
    let mut components = vec![component(
        Component::Cpu,
        cpu_j,
        "RAPL package domains of the sockets",
    )];
    if ram_j > 0.0 {
        components.push(component(Component::Ram, ram_j, "RAPL DRAM domains"));
    }
    if other_j > 0.0 {
        components.push(component(
            Component::Other,
            other_j,
            "host power (PSYS) minus sockets and DRAM",
        ));
    }
    let run = TraceSummary {
        start: Some(format_naive(total.first_s)),
        power: [
            line_of(Component::Cpu, &cpu),
            line_of(Component::Ram, &ram),
            line_of(Component::Other, &other),
        ]
        .into_iter()
        .flatten()
        .filter(|l| l.points.iter().any(|p| p[1] > 0.0))
        .collect(),
        warnings: run_warnings,
        ..TraceSummary::metered(
            TraceFormat::Scaphandre,
            format!("host, {} report(s)", host.len()),
            total.duration_s,
            components,
            total.joules / JOULES_PER_KWH,
        )
    };
    Ok(TraceFile::single(path, run, warnings))
}
