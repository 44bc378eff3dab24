//! `ecolens bench --suite assess`: the assessment benchmark.
//!
//! 1. Integrates a generated nvidia-smi query CSV (10 million rows by default: 8 GPUs, one
//!    sample per second, units in header and values, some `[N/A]`) with ecolens' trace reader,
//!    and the same file with pandas `read_csv` + numpy `trapezoid` in the same run; both give
//!    the energy, so the comparison also checks that they agree.
//! 2. Runs the paired Monte Carlo of a generated 50-parameter scenario (100,000 runs by default).
//!
//! Each ecolens measurement runs in a child process (a hidden `bench-phase`) so that its peak
//! memory is its own; the median of the repeats is reported.

// The benchmark reports on stderr as it goes.
#![allow(clippy::print_stderr)]
// Rows, bytes and runs of a benchmark are far below 2^52, where f64 stays exact.
#![allow(clippy::cast_precision_loss)]

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use ecolens_core::energy::read_trace;
use ecolens_core::lca::{Scenario, monte_carlo};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::bench::{child, peak_rss_kb};
use crate::cli::Output;

/// Options of the assessment benchmark.
#[derive(Debug, Clone)]
pub struct AssessBenchOptions {
    /// Rows of the nvidia-smi file.
    pub trace_rows: u64,
    /// Monte Carlo runs.
    pub mc_runs: usize,
    /// Uncertain parameters of the generated scenario.
    pub mc_parameters: usize,
    /// Where the file goes.
    pub dir: PathBuf,
    /// Keep it afterwards.
    pub keep: bool,
    /// The Python with pandas and numpy; `None` skips them.
    pub python: Option<String>,
    /// Runs per measurement (the median is reported).
    pub repeat: usize,
}

/// GPUs in the generated file.
const GPUS: u64 = 8;

/// One trace integration.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TraceRun {
    /// Who integrated.
    pub tool: String,
    /// Rows in the file.
    pub rows: u64,
    /// Energy found, kWh.
    pub energy_kwh: f64,
    /// Seconds.
    pub seconds: f64,
    /// Peak resident memory, kB.
    pub peak_rss_kb: Option<u64>,
}

/// One Monte Carlo measurement.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct McRun {
    /// Runs.
    pub runs: usize,
    /// Uncertain inputs drawn per run.
    pub uncertain_inputs: usize,
    /// Lines evaluated per variant and run.
    pub lines: usize,
    /// Criteria.
    pub criteria: usize,
    /// Seconds (parsing the scenario excluded).
    pub seconds: f64,
    /// Median Δ of the first criterion (a check that work was done).
    pub delta_median: f64,
    /// Peak resident memory, kB.
    pub peak_rss_kb: Option<u64>,
}

/// Writes the nvidia-smi file: `GPUS` GPUs sampled once a second, power a smooth function of
/// time and GPU, every 997th value `[N/A]`. Returns the exact energy of the samples written
/// (trapezoid over each GPU's valid samples), in J, computed as it writes, and the rows.
pub fn write_nvidia_csv(path: &Path, rows: u64) -> Result<(u64, f64)> {
    let file =
        std::fs::File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
    let mut out = std::io::BufWriter::with_capacity(1 << 20, file);
    let io = |e: std::io::Error| {
        anyhow::Error::new(e).context(format!("cannot write {}", path.display()))
    };
    writeln!(
        out,
        "timestamp, name, index, utilization.gpu [%], power.draw [W]"
    )
    .map_err(io)?;
    let samples = rows / GPUS;
    let mut last: Vec<Option<(f64, f64)>> = vec![None; usize::try_from(GPUS).unwrap_or(8)];
    let mut joules = 0.0;
    let mut line = String::with_capacity(96);
    for sample in 0..samples {
        // 2024-10-13 00:00:00 + sample seconds, written as nvidia-smi does.
        let (day, rest) = (sample / 86_400, sample % 86_400);
        let (hour, minute, second) = (rest / 3600, rest % 3600 / 60, rest % 60);
        for gpu in 0..GPUS {
            line.clear();
            let row = sample * GPUS + gpu;
            let (t, phase) = (sample as f64, gpu as f64);
            let watts = 180.0 + 120.0 * ((t / 37.0 + phase).sin()) + (row % 7) as f64;
            let watts = (watts * 100.0).round() / 100.0;
            let missing = row % 997 == 996;
            let _ = write!(
                line,
                "2024/10/{:02} {hour:02}:{minute:02}:{second:02}.{:03}, NVIDIA A100-SXM4-40GB, {gpu}, {} %, ",
                13 + day,
                (gpu * 7) % 1000,
                (row * 13) % 101
            );
            if missing {
                line.push_str("[N/A]\n");
            } else {
                let _ = writeln!(line, "{watts:.2} W");
                let at = t + (gpu * 7 % 1000) as f64 / 1000.0;
                let slot = &mut last[usize::try_from(gpu).unwrap_or(0)];
                if let Some((t0, w0)) = *slot {
                    joules += (at - t0) * (w0 + watts) / 2.0;
                }
                *slot = Some((at, watts));
            }
            out.write_all(line.as_bytes()).map_err(io)?;
        }
    }
    let file = out
        .into_inner()
        .map_err(std::io::IntoInnerError::into_error)
        .map_err(io)?;
    file.sync_all().map_err(io)?;
    Ok((samples * GPUS, joules))
}

/// A scenario with `parameters` uncertain parameters (uniform, triangular, normal and
/// lognormal in turn), M1 and M2 with one line per parameter over three criteria. It is a
/// load for the benchmark, not an assessment: its factors are placeholders with no source,
/// and M2 is M1 × 0.9 so that the result can be checked.
pub fn scenario_with_parameters(parameters: usize) -> String {
    let mut toml = format!(
        "name = \"Benchmark scenario with {parameters} uncertain parameters\"\n\
         functional_unit = \"one benchmark unit\"\n\
         criteria = [\"gwp\", \"adpe\", \"pe\"]\n\n[parameters]\n"
    );
    for p in 0..parameters {
        let base = 10.0 + p as f64;
        let value = match p % 4 {
            0 => format!("uniform({}, {})", base * 0.8, base * 1.2),
            1 => format!("triangular({}, {base}, {})", base * 0.7, base * 1.5),
            2 => format!("normal({base}, {})", base * 0.1),
            _ => format!("lognormal({base}, 0.3)"),
        };
        let _ = writeln!(
            toml,
            "p{p} = {{ value = \"{value}\", unit = \"kWh\", source = \"generated\" }}"
        );
    }
    for (id, name, scale) in [("M1", "reference", 1.0), ("M2", "with AI", 0.9)] {
        let _ = write!(toml, "\n[[variant]]\nid = \"{id}\"\nname = \"{name}\"\n");
        for p in 0..parameters {
            let phase = if p % 3 == 0 {
                "equipment_manufacturing"
            } else if p % 3 == 1 {
                "inference"
            } else {
                "non_ict_process"
            };
            let _ = write!(
                toml,
                "\n[[variant.line]]\nphase = \"{phase}\"\nname = \"line {p}\"\namount = [\"$p{p}\", {scale}]\nunit = \"kWh\"\nfactors = {{ gwp = 0.05, adpe = 1e-8, pe = 9.5 }}\n"
            );
        }
    }
    toml
}

/// `bench-phase trace FILE`: integrates the file with ecolens' reader.
pub fn phase_trace(file: &Path) -> Result<serde_json::Value> {
    let start = Instant::now();
    let trace = read_trace(file)?;
    let seconds = start.elapsed().as_secs_f64();
    Ok(serde_json::to_value(TraceRun {
        tool: "ecolens".to_owned(),
        rows: 0,
        energy_kwh: trace.energy_kwh(),
        seconds,
        peak_rss_kb: peak_rss_kb(),
    })?)
}

/// `bench-phase monte-carlo`: the generated scenario's paired Monte Carlo.
pub fn phase_monte_carlo(runs: usize, parameters: usize) -> Result<serde_json::Value> {
    let scenario = Scenario::from_toml(&scenario_with_parameters(parameters))?;
    let no_traces = |_: i64| None;
    let start = Instant::now();
    let result = monte_carlo(&scenario, &no_traces, runs, 1)?;
    let seconds = start.elapsed().as_secs_f64();
    Ok(serde_json::to_value(McRun {
        runs: result.runs,
        uncertain_inputs: result.uncertain_inputs,
        lines: scenario
            .variants
            .iter()
            .map(|v| v.lines.len())
            .sum::<usize>()
            / 2,
        criteria: scenario.criteria.len(),
        seconds,
        delta_median: result.criteria[0].delta.median,
        peak_rss_kb: peak_rss_kb(),
    })?)
}

const PYTHON_TRAPEZOID: &str = r#"
import json, resource, sys, time
import numpy as np
import pandas as pd
path = sys.argv[1]
start = time.perf_counter()
df = pd.read_csv(path, skipinitialspace=True)
power = pd.to_numeric(df["power.draw [W]"].str.removesuffix(" W"), errors="coerce")
stamps = pd.to_datetime(df["timestamp"], format="%Y/%m/%d %H:%M:%S.%f")
seconds = (stamps - stamps.iloc[0]).dt.total_seconds()
joules = 0.0
frame = pd.DataFrame({"gpu": df["index"], "t": seconds, "w": power}).dropna()
for _, group in frame.groupby("gpu", sort=False):
    joules += np.trapezoid(group["w"].to_numpy(), group["t"].to_numpy())
elapsed = time.perf_counter() - start
print(json.dumps({"tool": f"pandas {pd.__version__} + numpy {np.__version__}", "rows": len(df),
                  "energy_kwh": joules / 3.6e6, "seconds": elapsed,
                  "peak_rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
"#;

fn python_trapezoid(python: &str, file: &Path) -> Result<TraceRun> {
    let output = Command::new(python)
        .arg("-c")
        .arg(PYTHON_TRAPEZOID)
        .arg(file)
        .output()
        .with_context(|| format!("cannot run {python}"))?;
    if !output.status.success() {
        bail!(
            "pandas did not run ({}); install it with `{python} -m pip install pandas numpy`",
            String::from_utf8_lossy(&output.stderr)
                .lines()
                .last()
                .unwrap_or("no message")
        );
    }
    serde_json::from_slice(&output.stdout).context("pandas printed no result")
}

fn median<T>(mut runs: Vec<T>, seconds: impl Fn(&T) -> f64) -> Option<T> {
    runs.sort_by(|a, b| seconds(a).total_cmp(&seconds(b)));
    let middle = runs.len() / 2;
    runs.into_iter().nth(middle)
}

/// Runs the assessment benchmark.
pub fn run(options: &AssessBenchOptions) -> Result<Output> {
    std::fs::create_dir_all(&options.dir)
        .with_context(|| format!("cannot create {}", options.dir.display()))?;
    let say = |message: &str| eprintln!("bench: {message}");
    if cfg!(debug_assertions) {
        say("this is a debug build; measure with `cargo run --release -- bench --suite assess`");
    }
    let repeat = options.repeat.max(1);
    let file = options
        .dir
        .join(format!("nvidia-smi-{}.csv", options.trace_rows));
    say(&format!(
        "writing {} nvidia-smi rows ({GPUS} GPUs)",
        options.trace_rows
    ));
    let (rows, expected_j) = write_nvidia_csv(&file, options.trace_rows)?;
    let bytes = std::fs::metadata(&file).map_or(0, |m| m.len());
    let file_arg = file.to_string_lossy().into_owned();
    let mut ecolens_runs = Vec::new();
    for _ in 0..repeat {
        say("integrating with ecolens");
        let mut run = child::<TraceRun>(&["trace", &file_arg])?;
        run.rows = rows;
        ecolens_runs.push(run);
    }
    let mut python_runs = Vec::new();
    if let Some(python) = &options.python {
        for _ in 0..repeat {
            say("integrating with pandas + numpy");
            python_runs.push(python_trapezoid(python, &file)?);
        }
    }
    let ecolens_trace = median(ecolens_runs, |r| r.seconds).context("no ecolens run")?;
    let python_trace = median(python_runs, |r| r.seconds);
    say(&format!(
        "Monte Carlo: {} runs of a {}-parameter scenario",
        options.mc_runs, options.mc_parameters
    ));
    let mut mc_runs = Vec::new();
    for _ in 0..repeat {
        mc_runs.push(child::<McRun>(&[
            "monte-carlo",
            "--runs",
            &options.mc_runs.to_string(),
            "--parameters",
            &options.mc_parameters.to_string(),
        ])?);
    }
    let mc = median(mc_runs, |r| r.seconds).context("no Monte Carlo run")?;
    if !options.keep {
        let _ = std::fs::remove_file(&file);
    }

    let expected_kwh = expected_j / 3.6e6;
    let mut text = format!(
        "nvidia-smi query CSV: {} rows, {:.0} MB, {GPUS} GPUs; energy of the samples as written {expected_kwh:.6} kWh\n",
        ecolens_trace.rows,
        bytes as f64 / 1e6
    );
    let mut line = |r: &TraceRun| {
        writeln!(
            text,
            "  {:<34} {:>8.3} s  {:>12.0} rows/s  {:.6} kWh  peak {}",
            r.tool,
            r.seconds,
            r.rows as f64 / r.seconds,
            r.energy_kwh,
            r.peak_rss_kb.map_or_else(
                || "?".to_owned(),
                |kb| format!("{:.0} MB", kb as f64 / 1024.0)
            )
        )
    };
    line(&ecolens_trace)?;
    if let Some(p) = &python_trace {
        line(p)?;
        writeln!(
            text,
            "  ecolens is {:.1}× faster than pandas read_csv + numpy trapezoid (target ≥ 10×); energies differ by {:.2e} relative",
            p.seconds / ecolens_trace.seconds,
            (p.energy_kwh - ecolens_trace.energy_kwh).abs() / p.energy_kwh
        )?;
    }
    writeln!(
        text,
        "Monte Carlo: {} paired runs, {} uncertain inputs, {} lines per variant, {} criteria: {:.3} s (target ≤ 1 s), {:.0} runs/s, peak {}",
        mc.runs,
        mc.uncertain_inputs,
        mc.lines,
        mc.criteria,
        mc.seconds,
        mc.runs as f64 / mc.seconds,
        mc.peak_rss_kb.map_or_else(
            || "?".to_owned(),
            |kb| format!("{:.0} MB", kb as f64 / 1024.0)
        )
    )?;
    Ok(Output {
        json: json!({
            "trace": {
                "file_bytes": bytes,
                "expected_energy_kwh": expected_kwh,
                "ecolens": ecolens_trace,
                "pandas": python_trace,
                "speedup": python_trace.as_ref().map(|p| p.seconds / ecolens_trace.seconds),
            },
            "monte_carlo": mc,
            "build": if cfg!(debug_assertions) { "debug" } else { "release" },
        }),
        text,
        failed: false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_generated_scenario_has_the_asked_uncertain_parameters() {
        let scenario = Scenario::from_toml(&scenario_with_parameters(50)).unwrap();
        let no_traces = |_: i64| None;
        let mc = monte_carlo(&scenario, &no_traces, 200, 1).unwrap();
        assert_eq!(mc.uncertain_inputs, 50);
        assert_eq!(scenario.variants[1].lines.len(), 50);
        // M2 is M1 × 0.9 line by line, so Δ is −10 % of M1 in every run.
        let c = &mc.criteria[0];
        assert!((c.delta.median / c.m1.median + 0.1).abs() < 0.02, "{c:?}");
        assert!((c.p_m2_better - 1.0).abs() < f64::EPSILON);
    }

    #[test]
    fn the_generated_nvidia_file_reads_back_with_the_energy_written() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("smi.csv");
        let (rows, joules) = write_nvidia_csv(&path, 80_000).unwrap();
        assert_eq!(rows, 80_000);
        let trace = read_trace(&path).unwrap();
        let kwh = trace.energy_kwh();
        assert!(
            (kwh * 3.6e6 - joules).abs() < 1e-9 * joules,
            "{kwh} kWh, {joules} J"
        );
        assert_eq!(trace.runs[0].run, "8 GPU(s)");
        assert!(trace.warnings.iter().any(|w| w.contains("[N/A]")));
    }
}
