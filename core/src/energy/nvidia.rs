//! nvidia-smi: `--query-gpu=… --format=csv` (fast path for files of millions of rows) and
//! `dmon` text.
//!
//! Query CSV: `", "`-separated, units in the header (`power.draw [W]`) and in values
//! (`19.46 W`) unless `nounits`, local time `YYYY/MM/DD HH:MM:SS.mmm`, one row per GPU per
//! sample, `[N/A]` for missing values. GPUs are told apart by `index`, `uuid` or `pci.bus_id`
//! when queried; otherwise by their order among rows sharing one timestamp.

use std::fmt::Write as _;
use std::path::Path;

use super::series::{Bins, Integration, integrate};
use super::table;
use super::time::{Fraction, format_naive, naive_seconds, parse_naive};
use super::{
    Basis, Component, ComponentEnergy, JOULES_PER_KWH, TraceFile, TraceFormat, TraceSummary,
};
use crate::Result;

/// Power samples of one GPU.
struct Device {
    key: Vec<u8>,
    name: Option<String>,
    samples: Vec<(f64, f64)>,
}

/// Parses `YYYY/MM/DD HH:MM:SS.mmm` (or with `-`) without allocating; other shapes fall back
/// to the general parser.
fn timestamp(field: &[u8]) -> Option<f64> {
    fn digits(bytes: &[u8]) -> Option<i64> {
        let mut value = 0_i64;
        for &b in bytes {
            if !b.is_ascii_digit() {
                return None;
            }
            value = value * 10 + i64::from(b - b'0');
        }
        Some(value)
    }
    if field.len() >= 19
        && matches!(field[4], b'/' | b'-')
        && matches!(field[7], b'/' | b'-')
        && field[10] == b' '
        && field[13] == b':'
        && field[16] == b':'
    {
        let year = digits(&field[0..4])?;
        let month = digits(&field[5..7])?;
        let day = digits(&field[8..10])?;
        let hour = digits(&field[11..13])?;
        let minute = digits(&field[14..16])?;
        let second = digits(&field[17..19])?;
        let mut fraction = 0.0;
        if field.len() > 20 && field[19] == b'.' {
            let frac = &field[20..];
            let value = digits(frac)?;
            #[allow(
                clippy::cast_precision_loss,
                clippy::cast_possible_truncation,
                clippy::cast_possible_wrap
            )]
            {
                fraction = value as f64 / 10_f64.powi(frac.len() as i32);
            }
        }
        #[allow(clippy::cast_precision_loss)]
        return Some(naive_seconds(
            year,
            month,
            day,
            hour,
            minute,
            second as f64 + fraction,
        ));
    }
    parse_naive(std::str::from_utf8(field).ok()?, Fraction::Decimal)
}

/// A field without surrounding spaces.
fn trim(field: &[u8]) -> &[u8] {
    field.trim_ascii()
}

/// A power value (`19.46 W`, `19.46`, `[N/A]`).
fn power(field: &[u8]) -> Option<f64> {
    let field = trim(field);
    let end = memchr::memchr(b' ', field).unwrap_or(field.len());
    let text = std::str::from_utf8(&field[..end]).ok()?;
    text.parse::<f64>().ok().filter(|w| w.is_finite())
}

pub(super) fn read_query(path: &Path, bytes: &[u8]) -> Result<TraceFile> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut lines = bytes.split(|&b| b == b'\n');
    let header_line = lines.next().unwrap_or_default();
    let header_text = String::from_utf8_lossy(header_line);
    let header: Vec<String> = header_text
        .split(',')
        .map(|h| h.trim().to_owned())
        .collect();
    let find = |wanted: &str| {
        header.iter().position(|h| {
            let base = h.split(" [").next().unwrap_or(h).trim();
            base.eq_ignore_ascii_case(wanted)
        })
    };
    let power_column = find("power.draw")
        .or_else(|| find("power.draw.average"))
        .or_else(|| find("power.draw.instant"))
        .ok_or_else(|| {
            super::bad(
                path,
                1,
                format!("no power.draw column (columns: {})", header.join(", ")),
            )
        })?;
    let time_column = find("timestamp").ok_or_else(|| {
        super::bad(
            path,
            1,
            format!(
                "no timestamp column: add timestamp to --query-gpu (columns: {})",
                header.join(", ")
            ),
        )
    })?;
    let key_column = find("index")
        .or_else(|| find("uuid"))
        .or_else(|| find("pci.bus_id"));
    let name_column = find("name");
    let columns = header.len();
    let mut warnings = Vec::new();
    let mut devices: Vec<Device> = Vec::new();
    let mut rejected = 0_usize;
    let mut first_rejected = None;
    let mut missing = 0_usize;
    let mut previous_time: Option<f64> = None;
    let mut ordinal = 0_usize;
    let mut ordinal_key = String::new();
    let mut fields: Vec<&[u8]> = Vec::with_capacity(columns);
    for (number, line) in lines.enumerate() {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        fields.clear();
        fields.extend(line.split(|&b| b == b','));
        if fields.len() != columns {
            rejected += 1;
            first_rejected.get_or_insert(number + 2);
            continue;
        }
        let Some(t) = timestamp(trim(fields[time_column])) else {
            rejected += 1;
            first_rejected.get_or_insert(number + 2);
            continue;
        };
        // Without an index column, a GPU is its place among the rows sharing one timestamp,
        // counted before a missing power value drops its row.
        if previous_time == Some(t) {
            ordinal += 1;
        } else {
            ordinal = 0;
        }
        previous_time = Some(t);
        let Some(w) = power(fields[power_column]) else {
            missing += 1;
            continue;
        };
        ordinal_key.clear();
        let key: &[u8] = match key_column {
            Some(k) => trim(fields[k]),
            None => {
                write!(ordinal_key, "{ordinal}").ok();
                ordinal_key.as_bytes()
            }
        };
        let device = match devices.iter().position(|d| d.key == key) {
            Some(i) => &mut devices[i],
            None => {
                devices.push(Device {
                    key: key.to_vec(),
                    name: name_column
                        .map(|n| String::from_utf8_lossy(trim(fields[n])).into_owned()),
                    samples: Vec::new(),
                });
                let last = devices.len() - 1;
                &mut devices[last]
            }
        };
        device.samples.push((t, w));
    }
    if rejected > 0 {
        warnings.push(format!(
            "{rejected} row(s) rejected (wrong field count or unreadable timestamp), first at line {}",
            first_rejected.unwrap_or(0)
        ));
    }
    if missing > 0 {
        warnings.push(format!(
            "{missing} row(s) with power.draw [N/A] or not a number were skipped"
        ));
    }
    if key_column.is_none() && devices.len() > 1 {
        warnings.push(format!(
            "no index/uuid column: {} GPUs told apart by their order among rows with the same timestamp; add index to --query-gpu to be sure",
            devices.len()
        ));
    }
    if devices.is_empty() {
        return Err(super::bad(
            path,
            2,
            "an nvidia-smi CSV without any power sample",
        ));
    }
    Ok(summarise(
        path,
        TraceFormat::NvidiaSmiQuery,
        &devices,
        warnings,
        "NVML board power (nvidia-smi power.draw: ±5 W, instantaneous before Ampere, 1-s average after)",
    ))
}

fn summarise(
    path: &Path,
    format: TraceFormat,
    devices: &[Device],
    file_warnings: Vec<String>,
    note: &str,
) -> TraceFile {
    let mut warnings = Vec::new();
    let mut joules = 0.0;
    let mut start = f64::INFINITY;
    let mut end = f64::NEG_INFINITY;
    let mut per_device = Vec::new();
    let mut duration_s: f64 = 0.0;
    for device in devices {
        let integration: Integration = integrate(&device.samples);
        joules += integration.joules;
        duration_s = duration_s.max(integration.duration_s);
        warnings
            .extend(integration.warnings(&format!("GPU {}", String::from_utf8_lossy(&device.key))));
        if let (Some(first), Some(last)) = (device.samples.first(), device.samples.last()) {
            start = start.min(first.0);
            end = end.max(last.0);
        }
        per_device.push(format!(
            "GPU {}{}: {:.6} kWh",
            String::from_utf8_lossy(&device.key),
            device
                .name
                .as_deref()
                .map(|n| format!(" ({n})"))
                .unwrap_or_default(),
            integration.joules / JOULES_PER_KWH
        ));
    }
    let mut bins: Vec<Bins> = Vec::new();
    for device in devices {
        let mut b = Bins::new(start, end);
        for &(t, w) in &device.samples {
            b.add(t, w);
        }
        bins.push(b);
    }
    let line = Bins::sum_line(&bins, Component::Gpu);
    let energy_kwh = joules / JOULES_PER_KWH;
    let run = TraceSummary {
        start: start.is_finite().then(|| format_naive(start)),
        power: vec![line],
        warnings,
        ..TraceSummary::metered(
            format,
            format!("{} GPU(s)", devices.len()),
            duration_s,
            vec![ComponentEnergy {
                component: Component::Gpu,
                energy_kwh,
                basis: Basis::Measured,
                basis_note: Some(format!("{note}; {}", per_device.join("; "))),
            }],
            energy_kwh,
        )
    };
    TraceFile::single(path, run, file_warnings)
}

pub(super) fn read_dmon(path: &Path, text: &str) -> Result<TraceFile> {
    let mut names: Option<Vec<String>> = None;
    let mut devices: Vec<Device> = Vec::new();
    let mut warnings = Vec::new();
    let mut tick = 0_usize;
    let mut last_gpu: Option<String> = None;
    for (number, line) in text.lines().enumerate() {
        let line_no = number + 1;
        let trimmed = line.trim();
        if trimmed.is_empty() {
            continue;
        }
        if let Some(header) = trimmed.strip_prefix('#') {
            if names.is_none() {
                names = Some(
                    header
                        .split_whitespace()
                        .map(str::to_ascii_lowercase)
                        .collect(),
                );
            }
            continue;
        }
        let Some(columns) = &names else {
            return Err(super::bad(
                path,
                line_no,
                "a dmon row before the `# gpu pwr …` header",
            ));
        };
        let fields: Vec<&str> = trimmed.split_whitespace().collect();
        if fields.len() != columns.len() {
            warnings.push(format!(
                "line {line_no}: {} fields where the header has {}; row rejected",
                fields.len(),
                columns.len()
            ));
            continue;
        }
        let at = |name: &str| columns.iter().position(|c| c == name).map(|i| fields[i]);
        let gpu = at("gpu").unwrap_or("0").to_owned();
        let Some(pwr) = at("pwr") else {
            return Err(super::bad(
                path,
                line_no,
                "the dmon header has no pwr column (add -s p)",
            ));
        };
        let watts = match table::number(pwr) {
            Ok(Some(w)) => w,
            Ok(None) => continue,
            Err(detail) => return Err(super::bad(path, line_no, format!("pwr: {detail}"))),
        };
        let time = match (at("date"), at("time")) {
            (Some(date), Some(time)) if date.len() == 8 => parse_naive(
                &format!("{}-{}-{} {time}", &date[..4], &date[4..6], &date[6..]),
                Fraction::Decimal,
            ),
            _ => None,
        };
        // Without -o DT, rows come once per interval (default 1 s); a new tick starts when the
        // first GPU comes round again.
        if last_gpu.is_none() || devices.first().is_some_and(|d| d.key == gpu.as_bytes()) {
            tick += usize::from(last_gpu.is_some());
        }
        last_gpu = Some(gpu.clone());
        #[allow(clippy::cast_precision_loss)]
        let t = time.unwrap_or(tick as f64);
        let device = match devices.iter().position(|d| d.key == gpu.as_bytes()) {
            Some(i) => &mut devices[i],
            None => {
                devices.push(Device {
                    key: gpu.as_bytes().to_vec(),
                    name: None,
                    samples: Vec::new(),
                });
                let last = devices.len() - 1;
                &mut devices[last]
            }
        };
        device.samples.push((t, watts));
    }
    if devices.is_empty() {
        return Err(super::bad(
            path,
            1,
            "an nvidia-smi dmon file without any power row",
        ));
    }
    let has_time = names
        .as_ref()
        .is_some_and(|n| n.iter().any(|c| c == "time"));
    if !has_time {
        warnings.push(
            "no Date/Time columns (dmon -o DT): rows are taken 1 s apart (dmon's default -d 1)"
                .to_owned(),
        );
    }
    Ok(summarise(
        path,
        TraceFormat::NvidiaSmiDmon,
        &devices,
        warnings,
        "NVML board power (dmon pwr, integer W)",
    ))
}
