//! nvidia-smi: `--query-gpu=… --format=csv` (fast path for files of millions of rows) and
//! `dmon` text.
//!
//! Query CSV: `", "`-separated, units in the header (`power.draw [W]`) and in values
//! (`19.46 W`) unless `nounits`, local time `YYYY/MM/DD HH:MM:SS.mmm`, one row per GPU per
//! sample, `[N/A]` for missing values. GPUs are told apart by `index`, `uuid` or `pci.bus_id`
//! when queried; otherwise by their order among rows sharing one timestamp.

use std::fmt::Write as _;
use std::io::Read;
use std::path::Path;

use super::series::{Bins, Integration, integrate};
use super::table;
use super::time::{Fraction, day_start, format_naive, parse_naive};
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

/// Parses `YYYY/MM/DD HH:MM:SS.mmm` (or with `-`) without allocating, remembering the last
/// date's day number (samples come in time order, so the date rarely changes); other shapes
/// fall back to the general parser.
#[derive(Default)]
struct Clock {
    date: [u8; 10],
    day_seconds: Option<i64>,
}

/// Powers of ten exact in f64.
const TENS: [f64; 16] = [
    1.0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
];

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

impl Clock {
    fn seconds(&mut self, field: &[u8]) -> Option<f64> {
        if field.len() >= 19
            && matches!(field[4], b'/' | b'-')
            && matches!(field[7], b'/' | b'-')
            && field[10] == b' '
            && field[13] == b':'
            && field[16] == b':'
        {
            let day_seconds = match self.day_seconds {
                Some(d) if field[..10] == self.date => d,
                _ => {
                    let year = digits(&field[0..4])?;
                    let month = digits(&field[5..7])?;
                    let day = digits(&field[8..10])?;
                    // A day that does not exist rejects the row (and is looked up again).
                    let d = day_start(year, month, day)?;
                    self.date.copy_from_slice(&field[..10]);
                    self.day_seconds = Some(d);
                    d
                }
            };
            let hour = digits(&field[11..13])?;
            let minute = digits(&field[14..16])?;
            let second = digits(&field[17..19])?;
            let mut fraction = 0.0;
            if field.len() > 20 && field[19] == b'.' {
                let frac = &field[20..];
                let value = digits(frac)?;
                #[allow(clippy::cast_precision_loss)]
                {
                    fraction = value as f64 / *TENS.get(frac.len())?;
                }
            }
            #[allow(clippy::cast_precision_loss)]
            let whole = (day_seconds + hour * 3_600 + minute * 60) as f64;
            #[allow(clippy::cast_precision_loss)]
            return Some(whole + (second as f64 + fraction));
        }
        parse_naive(std::str::from_utf8(field).ok()?, Fraction::Decimal)
            .ok()
            .flatten()
    }
}

/// A field without surrounding spaces.
fn trim(field: &[u8]) -> &[u8] {
    field.trim_ascii()
}

/// A power value (`19.46 W`, `19.46`, `[N/A]`).
fn power(field: &[u8]) -> Option<f64> {
    let field = trim(field);
    let end = memchr::memchr(b' ', field).unwrap_or(field.len());
    let number = &field[..end];
    // `123.45`: digits, one point, at most 15 digits in all. The integer and the power of ten
    // are exact in f64, so one division gives the correctly rounded value, as parse() would.
    if let Some(point) = memchr::memchr(b'.', number)
        && number.len() <= 16
        && point > 0
        && let (Some(whole), Some(fraction)) =
            (digits(&number[..point]), digits(&number[point + 1..]))
    {
        let decimals = number.len() - point - 1;
        #[allow(clippy::cast_precision_loss)]
        return Some(
            (whole * 10_i64.pow(u32::try_from(decimals).ok()?) + fraction) as f64 / TENS[decimals],
        );
    }
    let text = std::str::from_utf8(number).ok()?;
    text.parse::<f64>().ok().filter(|w| w.is_finite())
}

/// Bytes read at a time: the file is streamed, so memory holds one block and the samples.
/// (Small under test, so that tests cross block and chunk boundaries.)
const BLOCK_BYTES: usize = if cfg!(test) { 16 << 10 } else { 16 << 20 };

/// Reads more of `source` into `buf` (about a block); `true` at the end of the file.
fn fill(path: &Path, source: &mut dyn Read, buf: &mut Vec<u8>) -> Result<bool> {
    let want = BLOCK_BYTES.saturating_sub(buf.len()).max(BLOCK_BYTES / 16);
    let read = source
        .take(want as u64)
        .read_to_end(buf)
        .map_err(|source| crate::Error::Io {
            action: "cannot read trace",
            path: path.to_owned(),
            source,
        })?;
    Ok(read < want)
}

pub(super) fn read_query(path: &Path, source: &mut dyn Read) -> Result<TraceFile> {
    let mut buf: Vec<u8> = Vec::with_capacity(BLOCK_BYTES);
    let mut eof = fill(path, source, &mut buf)?;
    while !eof && memchr::memchr(b'\n', &buf).is_none() {
        eof = fill(path, source, &mut buf)?;
    }
    let bom = if buf.starts_with(b"\xEF\xBB\xBF") {
        3
    } else {
        0
    };
    let header_end = memchr::memchr(b'\n', &buf[bom..]).map_or(buf.len(), |at| bom + at);
    let header_text = String::from_utf8_lossy(&buf[bom..header_end]).into_owned();
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
    let layout = Layout {
        columns: header.len(),
        time_column,
        power_column,
        key_column,
        name_column: find("name"),
    };
    // GPUs told apart by a column are read in parallel chunks of each block; by their order
    // among rows of one timestamp, in one pass that carries its state across blocks.
    let threads = if key_column.is_some() {
        std::thread::available_parallelism().map_or(1, std::num::NonZero::get)
    } else {
        1
    };
    let mut merged = Merged::default();
    let mut carried = RowState::default();
    let mut from = (header_end + 1).min(buf.len());
    loop {
        let usable = if eof {
            buf.len()
        } else {
            memchr::memrchr(b'\n', &buf[from..]).map_or(from, |at| from + at + 1)
        };
        let block = &buf[from..usable];
        if threads > 1 && block.len() > 2 * CHUNK_MIN_BYTES {
            let parts = threads.min(block.len() / CHUNK_MIN_BYTES);
            let mut chunks = Vec::with_capacity(parts);
            let mut start = 0;
            for part in 1..=parts {
                let end = if part == parts {
                    block.len()
                } else {
                    let guess = block.len() * part / parts;
                    memchr::memchr(b'\n', &block[guess..]).map_or(block.len(), |at| guess + at + 1)
                };
                chunks.push(&block[start..end.max(start)]);
                start = end.max(start);
            }
            let partials: Vec<Partial> = std::thread::scope(|scope| {
                let handles: Vec<_> = chunks
                    .iter()
                    .map(|chunk| {
                        scope.spawn(|| parse_rows(chunk, &layout, &mut RowState::default()))
                    })
                    .collect();
                handles
                    .into_iter()
                    .map(|h| {
                        h.join()
                            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
                    })
                    .collect()
            });
            for (partial, chunk) in partials.into_iter().zip(&chunks) {
                merged.add(partial, chunk);
            }
        } else {
            let partial = parse_rows(block, &layout, &mut carried);
            merged.add(partial, block);
        }
        if eof {
            break;
        }
        buf.drain(..usable);
        from = 0;
        eof = fill(path, source, &mut buf)?;
    }
    let Merged {
        devices,
        rejected,
        first_rejected,
        missing,
        ..
    } = merged;
    let mut warnings = Vec::new();
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

/// Chunks smaller than this are not worth a thread.
const CHUNK_MIN_BYTES: usize = if cfg!(test) { 2 << 10 } else { 4 << 20 };

/// Where the query CSV keeps what is read.
struct Layout {
    columns: usize,
    time_column: usize,
    power_column: usize,
    key_column: Option<usize>,
    name_column: Option<usize>,
}

/// What one chunk of rows gave.
struct Partial {
    devices: Vec<Device>,
    rejected: usize,
    /// Index of the first rejected line within the chunk.
    first_rejected: Option<usize>,
    missing: usize,
}

/// The chunks read so far, in file order.
#[derive(Default)]
struct Merged {
    devices: Vec<Device>,
    rejected: usize,
    /// Line number (the header is line 1) of the first rejected row.
    first_rejected: Option<usize>,
    missing: usize,
    /// Lines read before the current chunk (counted until a rejected row is found).
    lines_before: usize,
}

impl Merged {
    fn add(&mut self, partial: Partial, chunk: &[u8]) {
        self.rejected += partial.rejected;
        self.missing += partial.missing;
        if self.first_rejected.is_none() {
            self.first_rejected = partial.first_rejected.map(|at| self.lines_before + at + 2);
            self.lines_before += memchr::memchr_iter(b'\n', chunk).count();
        }
        for part in partial.devices {
            match self.devices.iter_mut().find(|d| d.key == part.key) {
                Some(device) => device.samples.extend_from_slice(&part.samples),
                None => self.devices.push(part),
            }
        }
    }
}

/// What reading a row needs from the rows before it.
#[derive(Default)]
struct RowState {
    clock: Clock,
    previous_time: Option<f64>,
    ordinal: usize,
}

/// Reads the rows of one chunk (whole lines).
fn parse_rows(chunk: &[u8], layout: &Layout, state: &mut RowState) -> Partial {
    let mut partial = Partial {
        devices: Vec::new(),
        rejected: 0,
        first_rejected: None,
        missing: 0,
    };
    let RowState {
        clock,
        previous_time,
        ordinal,
    } = state;
    let mut ordinal_key = String::new();
    let mut last_device = 0_usize;
    let mut ends: Vec<usize> = Vec::with_capacity(layout.columns + 1);
    let mut start = 0;
    let mut number = 0;
    while start < chunk.len() {
        let end = memchr::memchr(b'\n', &chunk[start..]).map_or(chunk.len(), |at| start + at);
        let raw = &chunk[start..end];
        start = end + 1;
        number += 1;
        let line = raw.strip_suffix(b"\r").unwrap_or(raw);
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        ends.clear();
        ends.extend(memchr::memchr_iter(b',', line));
        ends.push(line.len());
        if ends.len() != layout.columns {
            partial.rejected += 1;
            partial.first_rejected.get_or_insert(number - 1);
            continue;
        }
        let field = |i: usize| {
            let from = if i == 0 { 0 } else { ends[i - 1] + 1 };
            &line[from..ends[i]]
        };
        let Some(t) = clock.seconds(trim(field(layout.time_column))) else {
            partial.rejected += 1;
            partial.first_rejected.get_or_insert(number - 1);
            continue;
        };
        // Without an index column, a GPU is its place among the rows sharing one timestamp,
        // counted before a missing power value drops its row.
        if *previous_time == Some(t) {
            *ordinal += 1;
        } else {
            *ordinal = 0;
        }
        *previous_time = Some(t);
        let Some(w) = power(field(layout.power_column)) else {
            partial.missing += 1;
            continue;
        };
        ordinal_key.clear();
        let key: &[u8] = match layout.key_column {
            Some(k) => trim(field(k)),
            None => {
                write!(ordinal_key, "{}", *ordinal).ok();
                ordinal_key.as_bytes()
            }
        };
        let devices = &mut partial.devices;
        // Rows cycle through the GPUs in order: try the one after the last first.
        let guess = (last_device + 1) % devices.len().max(1);
        let index = if devices.get(guess).is_some_and(|d| d.key == key) {
            guess
        } else if let Some(i) = devices.iter().position(|d| d.key == key) {
            i
        } else {
            devices.push(Device {
                key: key.to_vec(),
                name: layout
                    .name_column
                    .map(|n| String::from_utf8_lossy(trim(field(n))).into_owned()),
                samples: Vec::with_capacity(chunk.len() / line.len().max(1) / 8 + 16),
            });
            devices.len() - 1
        };
        last_device = index;
        devices[index].samples.push((t, w));
    }
    partial
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
            (Some(date), Some(time)) if date.len() == 8 => match parse_naive(
                &format!("{}-{}-{} {time}", &date[..4], &date[4..6], &date[6..]),
                Fraction::Decimal,
            ) {
                Ok(time) => time,
                Err(reason) => {
                    warnings.push(format!(
                        "line {line_no}: Date and Time {reason}; row rejected"
                    ));
                    continue;
                }
            },
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
