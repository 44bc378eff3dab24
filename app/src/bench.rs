//! `ecolens bench`: the corpus benchmark. Generates deterministic RIS and BibTeX corpora,
//! measures parse-only speed beside rispy and bibtexparser on the same files in the same run,
//! full imports (parse, deduplicate, store, index) of each size, and search latency over the
//! largest project, each phase in a fresh child process so that its peak memory is its own.
//!
//! Hidden `bench-phase` subcommands are those children; they print one JSON object.

// The benchmark reports on stdout/stderr as it goes.
#![allow(clippy::print_stderr)]

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use ecolens_core::Project;
use ecolens_corpus::index::{Page, SearchIndex, SyncOptions};
use ecolens_corpus::synth;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::cli::Output;

/// Options of `ecolens bench`.
#[derive(Debug, Clone)]
pub struct BenchOptions {
    /// Corpus sizes to import (the largest is also searched).
    pub sizes: Vec<u64>,
    /// Records in the parse-only files.
    pub parse_records: u64,
    /// Search queries to time.
    pub queries: usize,
    /// Where the files and projects go.
    pub dir: PathBuf,
    /// Keep them afterwards.
    pub keep: bool,
    /// The Python to run rispy and bibtexparser with; `None` skips them.
    pub python: Option<String>,
    /// Parse runs per tool (the median is reported).
    pub repeat: usize,
}

const SEED: u64 = 20_261_123;
/// ecolens parse runs timed at least (the median is reported).
const ECOLENS_PARSE_RUNS: usize = 7;
const DUPLICATE_PERCENT: u64 = 5;

/// Peak resident memory of this process so far, in kB (`VmHWM`), where the system says.
pub fn peak_rss_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
}

/// One parse-only measurement.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ParseRun {
    /// Who parsed.
    pub tool: String,
    /// Records found.
    pub records: u64,
    /// Seconds (median of the runs).
    pub seconds: f64,
    /// Records per second.
    pub records_per_second: f64,
    /// Peak resident memory in kB.
    pub peak_rss_kb: Option<u64>,
}

/// One full import.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ImportRun {
    /// Records in the file.
    pub records: u64,
    /// Bytes of the file.
    pub bytes: u64,
    /// Near-duplicates generated.
    pub near_duplicates: u64,
    /// Duplicates merged by the import.
    pub duplicates_merged: u64,
    /// Parse, deduplicate and store, seconds.
    pub import_seconds: f64,
    /// Index, seconds.
    pub index_seconds: f64,
    /// Both.
    pub total_seconds: f64,
    /// Peak resident memory in kB.
    pub peak_rss_kb: Option<u64>,
    /// Size of the project file and index folder, bytes.
    pub project_bytes: u64,
    /// Size of the index folder, bytes.
    pub index_bytes: u64,
}

/// Search latencies.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SearchRun {
    /// Records searched.
    pub records: u64,
    /// Queries timed.
    pub queries: usize,
    /// Per kind of query and `all`: (kind, p50 ms, p90 ms, p99 ms, max ms).
    pub latencies: Vec<(String, f64, f64, f64, f64)>,
    /// Peak resident memory in kB.
    pub peak_rss_kb: Option<u64>,
}

fn seconds(started: Instant) -> f64 {
    started.elapsed().as_secs_f64()
}

#[allow(clippy::cast_precision_loss)]
fn per_second(records: u64, seconds: f64) -> f64 {
    if seconds > 0.0 {
        records as f64 / seconds
    } else {
        0.0
    }
}

/// Child: parse a file with ecolens, `threads` parsing threads; JSON on stdout.
pub fn phase_parse(file: &Path, threads: usize) -> Result<serde_json::Value> {
    let cancel = AtomicBool::new(false);
    let started = Instant::now();
    let mut records = 0u64;
    ecolens_corpus::stream::read_file_blocks(file, threads, &cancel, |_, parsed| {
        records += parsed.records.len() as u64;
        Ok(())
    })?;
    let elapsed = seconds(started);
    Ok(serde_json::to_value(ParseRun {
        tool: format!(
            "ecolens ({threads} thread{})",
            if threads == 1 { "" } else { "s" }
        ),
        records,
        seconds: elapsed,
        records_per_second: per_second(records, elapsed),
        peak_rss_kb: peak_rss_kb(),
    })?)
}

fn folder_bytes(path: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(path) else {
        return std::fs::metadata(path).map_or(0, |m| m.len());
    };
    entries
        .filter_map(Result::ok)
        .map(|entry| {
            let path = entry.path();
            if path.is_dir() {
                folder_bytes(&path)
            } else {
                entry.metadata().map_or(0, |m| m.len())
            }
        })
        .sum()
}

/// Child: import a file into a new project and index it; JSON on stdout.
pub fn phase_import(file: &Path, project_file: &Path, threads: usize) -> Result<serde_json::Value> {
    let mut project = Project::open(project_file)?;
    let cancel = AtomicBool::new(false);
    let started = Instant::now();
    // The one import path, as `ecolens import` and the window take it: records indexed as
    // they are stored in a new project.
    let imported = crate::service::corpus::import(
        &mut project,
        &crate::service::corpus::ImportRequest {
            paths: vec![file.to_owned()],
            labels_as_votes: true,
            pdf: None,
            threads: Some(threads),
            again: false,
        },
        &cancel,
        &|_| {},
    )?;
    let report = imported.import;
    // What the index did after the import committed (the last documents and the commit, or
    // the whole index when it could not be built alongside) counts as indexing.
    #[allow(clippy::cast_precision_loss)]
    let index_seconds = imported.index.elapsed_ms as f64 / 1000.0;
    let import_seconds = seconds(started) - index_seconds;
    // Closing is part of the work: the last connection copies what is left of the log.
    drop(project);
    let total_seconds = seconds(started);
    let peak = peak_rss_kb();
    let mut wal = project_file.as_os_str().to_owned();
    wal.push("-wal");
    let index_bytes = folder_bytes(&ecolens_core::store::index_path_for(project_file));
    let project_bytes = folder_bytes(project_file) + folder_bytes(Path::new(&wal)) + index_bytes;
    Ok(serde_json::to_value(ImportRun {
        records: report.records_read,
        bytes: std::fs::metadata(file).map_or(0, |m| m.len()),
        near_duplicates: 0,
        duplicates_merged: report.duplicates_merged,
        import_seconds,
        index_seconds,
        total_seconds,
        peak_rss_kb: peak,
        project_bytes,
        index_bytes,
    })?)
}

fn percentile(sorted: &[f64], fraction: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        clippy::cast_precision_loss
    )]
    let at = ((sorted.len() as f64 - 1.0) * fraction).round() as usize;
    sorted[at.min(sorted.len() - 1)]
}

/// Child: time a query mix over a project (top 10 with snippets, as the window shows them).
pub fn phase_search(project_file: &Path, queries: usize) -> Result<serde_json::Value> {
    let mut project = Project::open_existing(project_file)?;
    let mut index = SearchIndex::open(&project)?;
    let cancel = AtomicBool::new(false);
    index.sync(&mut project, &SyncOptions::small(&cancel))?;
    let mix = synth::query_mix(SEED, queries);
    // A generated project has no reviewer: nothing is hidden, judgement filters work.
    let seen = project.visibility(None)?;
    // One pass to load what the operating system has not cached, then the timed pass.
    for (_, query) in mix.iter().take(50) {
        index.search(
            &project,
            &seen,
            query,
            Page {
                offset: 0,
                limit: 10,
            },
        )?;
    }
    let mut by_kind: Vec<(String, Vec<f64>)> = Vec::new();
    for (kind, query) in &mix {
        let started = Instant::now();
        let results = index.search(
            &project,
            &seen,
            query,
            Page {
                offset: 0,
                limit: 10,
            },
        )?;
        let ms = started.elapsed().as_secs_f64() * 1000.0;
        std::hint::black_box(results);
        match by_kind.iter_mut().find(|(k, _)| k == kind) {
            Some((_, times)) => times.push(ms),
            None => by_kind.push(((*kind).to_owned(), vec![ms])),
        }
    }
    let mut all: Vec<f64> = by_kind
        .iter()
        .flat_map(|(_, t)| t.iter().copied())
        .collect();
    all.sort_by(f64::total_cmp);
    let mut latencies = vec![(
        "all".to_owned(),
        percentile(&all, 0.5),
        percentile(&all, 0.9),
        percentile(&all, 0.99),
        all.last().copied().unwrap_or(0.0),
    )];
    for (kind, mut times) in by_kind {
        times.sort_by(f64::total_cmp);
        latencies.push((
            kind,
            percentile(&times, 0.5),
            percentile(&times, 0.9),
            percentile(&times, 0.99),
            times.last().copied().unwrap_or(0.0),
        ));
    }
    Ok(serde_json::to_value(SearchRun {
        records: project.record_count()?,
        queries: mix.len(),
        latencies,
        peak_rss_kb: peak_rss_kb(),
    })?)
}

/// Runs this binary's hidden `bench-phase` subcommand and reads its JSON.
pub(crate) fn child<T: for<'de> Deserialize<'de>>(args: &[&str]) -> Result<T> {
    let exe = std::env::current_exe().context("cannot find the ecolens binary")?;
    let output = Command::new(exe)
        .arg("bench-phase")
        .args(args)
        .output()
        .context("cannot run a benchmark phase")?;
    if !output.status.success() {
        bail!(
            "benchmark phase {args:?} failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    serde_json::from_slice(&output.stdout).context("a benchmark phase printed no result")
}

const PYTHON_PARSE: &str = r#"
import json, resource, sys, time
tool, path = sys.argv[1], sys.argv[2]
if tool == "rispy":
    import rispy as module
    start = time.perf_counter()
    with open(path, encoding="utf-8") as handle:
        records = len(module.load(handle))
else:
    import bibtexparser as module
    start = time.perf_counter()
    records = len(module.parse_file(path).entries)
seconds = time.perf_counter() - start
print(json.dumps({"tool": f"{tool} {module.__version__}", "records": records, "seconds": seconds,
                  "records_per_second": records / seconds,
                  "peak_rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
"#;

fn python_parse(python: &str, tool: &str, file: &Path) -> Result<ParseRun> {
    let output = Command::new(python)
        .arg("-c")
        .arg(PYTHON_PARSE)
        .arg(tool)
        .arg(file)
        .output()
        .with_context(|| format!("cannot run {python}"))?;
    if !output.status.success() {
        bail!(
            "{tool} did not run ({}); install it with `{python} -m pip install rispy bibtexparser`",
            String::from_utf8_lossy(&output.stderr)
                .lines()
                .last()
                .unwrap_or("no message")
        );
    }
    serde_json::from_slice(&output.stdout).with_context(|| format!("{tool} printed no result"))
}

fn median_run(mut runs: Vec<ParseRun>) -> Option<ParseRun> {
    runs.sort_by(|a, b| a.seconds.total_cmp(&b.seconds));
    let middle = runs.len() / 2;
    runs.into_iter().nth(middle)
}

fn generate_file(path: &Path, records: u64, bibtex: bool) -> Result<synth::Generated> {
    let file =
        std::fs::File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
    let mut writer = std::io::BufWriter::with_capacity(1 << 20, file);
    let generated = synth::generate(SEED, records, DUPLICATE_PERCENT, bibtex, &mut writer)
        .with_context(|| format!("cannot write {}", path.display()))?;
    // On disk before anything is timed: the system writing the file back would otherwise
    // compete with what is measured.
    let file = writer
        .into_inner()
        .map_err(std::io::IntoInnerError::into_error)
        .with_context(|| format!("cannot write {}", path.display()))?;
    file.sync_all()
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(generated)
}

/// `ecolens bench`.
pub fn run(options: &BenchOptions) -> Result<Output> {
    std::fs::create_dir_all(&options.dir)
        .with_context(|| format!("cannot create {}", options.dir.display()))?;
    let say = |message: &str| eprintln!("bench: {message}");
    if cfg!(debug_assertions) {
        say("this is a debug build; measure with `cargo run --release -- bench`");
    }
    let threads = crate::service::worker_threads();
    // A phase that fails is said and the others go on: figures measured are never lost.
    let mut failed: Vec<String> = Vec::new();

    // Parse only: the same files for every tool.
    let mut parse: Vec<(String, Vec<ParseRun>)> = Vec::new();
    for (format, bibtex, python_tool) in [("RIS", false, "rispy"), ("BibTeX", true, "bibtexparser")]
    {
        let file = options.dir.join(format!(
            "parse-{}.{}",
            options.parse_records,
            if bibtex { "bib" } else { "ris" }
        ));
        say(&format!(
            "generating {} {format} records",
            options.parse_records
        ));
        let generated = generate_file(&file, options.parse_records, bibtex)?;
        let file_arg = file.to_string_lossy().into_owned();
        let mut runs = Vec::new();
        for thread_count in [threads, 1] {
            say(&format!(
                "parsing {format} with ecolens, {thread_count} thread(s)"
            ));
            // A run takes a tenth of a second, where noise is relatively larger: time more.
            let measured: Result<Vec<ParseRun>> = (0..options.repeat.max(ECOLENS_PARSE_RUNS))
                .map(|_| child(&["parse", &file_arg, "--threads", &thread_count.to_string()]))
                .collect();
            match measured {
                Ok(measured) => runs.extend(median_run(measured)),
                Err(error) => {
                    say(&format!("parsing {format} failed: {error:#}"));
                    failed.push(format!(
                        "parse {format}, {thread_count} thread(s): {error:#}"
                    ));
                }
            }
        }
        if let Some(python) = &options.python {
            say(&format!("parsing {format} with {python_tool}"));
            let measured: Result<Vec<ParseRun>> = (0..options.repeat)
                .map(|_| python_parse(python, python_tool, &file))
                .collect();
            match measured {
                Ok(measured) => runs.extend(median_run(measured)),
                Err(error) => say(&format!("{error:#}")),
            }
        }
        let _ = generated;
        if !options.keep {
            let _ = std::fs::remove_file(&file);
        }
        // The phase's figures as soon as they are measured.
        let figures: Vec<String> = runs
            .iter()
            .map(|run| format!("{} {:.0} records/s", run.tool, run.records_per_second))
            .collect();
        say(&format!("{format} parse: {}", figures.join(", ")));
        parse.push((format.to_owned(), runs));
    }

    // Full imports.
    let mut imports: Vec<ImportRun> = Vec::new();
    let mut windows: Vec<WindowRun> = Vec::new();
    let mut largest: Option<PathBuf> = None;
    for &size in &options.sizes {
        let file = options.dir.join(format!("import-{size}.ris"));
        say(&format!("generating {size} RIS records"));
        let generated = generate_file(&file, size, false)?;
        let project = options.dir.join(format!("bench-{size}.ecolens"));
        remove_project(&project);
        say(&format!("importing and indexing {size} records"));
        let imported: Result<ImportRun> = child(&[
            "import",
            &file.to_string_lossy(),
            "--project-file",
            &project.to_string_lossy(),
            "--threads",
            &threads.to_string(),
        ]);
        if !options.keep {
            let _ = std::fs::remove_file(&file);
        }
        let mut run = match imported {
            Ok(run) => run,
            Err(error) => {
                say(&format!("importing {size} records failed: {error:#}"));
                failed.push(format!("import of {size} records: {error:#}"));
                continue;
            }
        };
        run.near_duplicates = generated.near_duplicates;
        say(&format!(
            "import of {size} records: {:.1} s import + {:.1} s index = {:.1} s, peak {}",
            run.import_seconds,
            run.index_seconds,
            run.total_seconds,
            megabytes(run.peak_rss_kb)
        ));
        say(&format!("timing the library view over {size} records"));
        match child::<WindowRun>(&[
            "window",
            "--project-file",
            &project.to_string_lossy(),
            "--frames",
            &WINDOW_FRAMES.to_string(),
        ]) {
            Ok(window) => windows.push(window),
            Err(error) => {
                say(&format!(
                    "the library view over {size} records failed: {error:#}"
                ));
                failed.push(format!("library view over {size} records: {error:#}"));
            }
        }
        if let Some(previous) = largest.replace(project)
            && !options.keep
        {
            remove_project(&previous);
        }
        imports.push(run);
    }

    // Search over the largest project.
    let search = match &largest {
        Some(project) => {
            say(&format!("timing {} searches", options.queries));
            let run: Result<SearchRun> = child(&[
                "search",
                "--project-file",
                &project.to_string_lossy(),
                "--queries",
                &options.queries.to_string(),
            ]);
            if !options.keep {
                remove_project(project);
            }
            match run {
                Ok(run) => Some(run),
                Err(error) => {
                    say(&format!("searching failed: {error:#}"));
                    failed.push(format!("search: {error:#}"));
                    None
                }
            }
        }
        None => None,
    };

    let mut text = report_text(options, threads, &parse, &imports, search.as_ref())?;
    window_text(&mut text, &windows)?;
    if !failed.is_empty() {
        writeln!(text)?;
        writeln!(text, "Failed phases ({}):", failed.len())?;
        for failure in &failed {
            writeln!(text, "  {failure}")?;
        }
    }
    let json = json!({
        "machine": { "threads": threads, "debug_build": cfg!(debug_assertions) },
        "seed": SEED,
        "near_duplicate_percent": DUPLICATE_PERCENT,
        "parse": parse.iter().map(|(format, runs)| json!({ "format": format, "runs": runs })).collect::<Vec<_>>(),
        "imports": imports,
        "search": search,
        "window": windows,
        "failed": failed,
    });
    Ok(Output {
        json,
        text,
        failed: !failed.is_empty(),
    })
}

/// Frames per scrolling pattern in the window benchmark.
const WINDOW_FRAMES: usize = 400;
/// The frame-time target of the library view.
const FRAME_BUDGET_MS: f64 = 8.0;

fn window_text(text: &mut String, windows: &[WindowRun]) -> Result<()> {
    if windows.is_empty() {
        return Ok(());
    }
    writeln!(text)?;
    writeln!(
        text,
        "Library view (UI code + tessellation per frame, 1280×800, no GPU), ms:"
    )?;
    writeln!(
        text,
        "  {:>10} {:>12} {:>11} {:8} {:>7} {:>7} {:>7} {:>7} {:>7} {:>13} {:>9}",
        "records",
        "first frame",
        "rows shown",
        "scroll",
        "p50",
        "p95",
        "p99",
        "max",
        ">8 ms",
        "placeholders",
        "peak RSS"
    )?;
    for run in windows {
        for (at, (pattern, frames, p50, p95, p99, max, over)) in run.frames.iter().enumerate() {
            let (records, first, shown, placeholders, rss) = if at == 0 {
                (
                    thousands(run.records),
                    format!("{:.0}", run.first_frame_ms),
                    format!("{:.0}", run.rows_shown_ms),
                    format!(
                        "{} of {}",
                        run.frames_with_placeholders,
                        frames * run.frames.len()
                    ),
                    megabytes(run.peak_rss_kb),
                )
            } else {
                Default::default()
            };
            writeln!(
                text,
                "  {records:>10} {first:>12} {shown:>11} {pattern:8} {p50:>7.2} {p95:>7.2} {p99:>7.2} {max:>7.2} {over:>7} {placeholders:>13} {rss:>9}"
            )?;
        }
    }
    Ok(())
}

fn remove_project(project: &Path) {
    let _ = std::fs::remove_file(project);
    for suffix in ["-wal", "-shm"] {
        let mut side = project.as_os_str().to_owned();
        side.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(side));
    }
    let _ = std::fs::remove_dir_all(ecolens_core::store::index_path_for(project));
}

/// A rate rounded, with thousands separators.
fn thousands_rate(value: f64) -> String {
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let rounded = value.round().max(0.0) as u64;
    thousands(rounded)
}

/// A count with thousands separators.
fn thousands(value: u64) -> String {
    let digits = value.to_string();
    let mut out = String::new();
    for (index, c) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[allow(clippy::cast_precision_loss)]
fn megabytes(kb: Option<u64>) -> String {
    kb.map_or_else(
        || "?".to_owned(),
        |kb| format!("{:.0} MB", kb as f64 / 1024.0),
    )
}

fn report_text(
    options: &BenchOptions,
    threads: usize,
    parse: &[(String, Vec<ParseRun>)],
    imports: &[ImportRun],
    search: Option<&SearchRun>,
) -> Result<String> {
    let mut text = String::new();
    writeln!(
        text,
        "ecolens bench — {threads} threads, seed {SEED}, {DUPLICATE_PERCENT} % near-duplicates{}",
        if cfg!(debug_assertions) {
            " (DEBUG BUILD: numbers are not representative)"
        } else {
            ""
        }
    )?;
    writeln!(text)?;
    writeln!(
        text,
        "Parse only, {} records, same file for every tool (median of {} runs, {} for ecolens):",
        thousands(options.parse_records),
        options.repeat,
        options.repeat.max(ECOLENS_PARSE_RUNS)
    )?;
    writeln!(
        text,
        "  {:7} {:26} {:>12} {:>9} {:>10}",
        "format", "tool", "records/s", "seconds", "peak RSS"
    )?;
    for (format, runs) in parse {
        let fastest = runs.first().map_or(0.0, |run| run.records_per_second);
        for run in runs {
            let ratio = if run.tool.starts_with("ecolens") || run.records_per_second <= 0.0 {
                String::new()
            } else {
                let ratio = fastest / run.records_per_second;
                if ratio >= 1.0 {
                    format!("  ecolens is {ratio:.1}× faster")
                } else {
                    format!("  ecolens is {:.1}× slower", 1.0 / ratio)
                }
            };
            writeln!(
                text,
                "  {format:7} {:26} {:>12} {:>9.2} {:>10}{ratio}",
                run.tool,
                thousands_rate(run.records_per_second),
                run.seconds,
                megabytes(run.peak_rss_kb)
            )?;
        }
    }
    writeln!(text)?;
    writeln!(
        text,
        "Full import of RIS (parse + deduplicate + store + index):"
    )?;
    writeln!(
        text,
        "  {:>10} {:>9} {:>9} {:>9} {:>10} {:>11} {:>10} {:>10}",
        "records", "import s", "index s", "total s", "merged", "of near-dup", "peak RSS", "on disk"
    )?;
    for run in imports {
        writeln!(
            text,
            "  {:>10} {:>9.1} {:>9.1} {:>9.1} {:>10} {:>11} {:>10} {:>10}",
            thousands(run.records),
            run.import_seconds,
            run.index_seconds,
            run.total_seconds,
            thousands(run.duplicates_merged),
            thousands(run.near_duplicates),
            megabytes(run.peak_rss_kb),
            megabytes(Some(run.project_bytes / 1024))
        )?;
    }
    if let Some(search) = search {
        writeln!(text)?;
        writeln!(
            text,
            "Search over {} records, {} queries, top 10 with snippets (ms):",
            thousands(search.records),
            search.queries
        )?;
        writeln!(
            text,
            "  {:8} {:>8} {:>8} {:>8} {:>8}",
            "queries", "p50", "p90", "p99", "max"
        )?;
        for (kind, p50, p90, p99, max) in &search.latencies {
            writeln!(
                text,
                "  {kind:8} {p50:>8.2} {p90:>8.2} {p99:>8.2} {max:>8.2}"
            )?;
        }
        writeln!(text, "  peak RSS {}", megabytes(search.peak_rss_kb))?;
    }
    Ok(text)
}

/// The library view measured on one project.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct WindowRun {
    /// Records in the project.
    pub records: u64,
    /// From creating the workbench to its first frame, ms.
    pub first_frame_ms: f64,
    /// From creating the workbench to the first frame showing rows (project and index
    /// opened, records listed, rows on screen read), ms.
    pub rows_shown_ms: f64,
    /// Frame times while scrolling with the wheel and jumping through the table:
    /// (pattern, frames, p50 ms, p95 ms, p99 ms, max ms, frames over the 8 ms budget).
    pub frames: Vec<(String, usize, f64, f64, f64, f64, usize)>,
    /// Frames drawn while some rows on screen were still being read (placeholders).
    pub frames_with_placeholders: usize,
    /// Peak resident memory in kB.
    pub peak_rss_kb: Option<u64>,
}

/// Child: the workbench on a bare egui context (no GPU), as eframe drives it: frame time is
/// the UI code plus tessellation, what the window spends per frame before the GPU draws.
pub fn phase_window(project_file: &Path, frames: usize) -> Result<serde_json::Value> {
    use crate::window::{Workbench, WorkbenchOptions};
    use eframe::egui;

    let ctx = egui::Context::default();
    let screen = egui::Rect::from_min_size(egui::Pos2::ZERO, egui::vec2(1280.0, 800.0));
    let input = |events: Vec<egui::Event>| egui::RawInput {
        screen_rect: Some(screen),
        events,
        ..egui::RawInput::default()
    };
    let started = Instant::now();
    let mut workbench = Workbench::new(
        &ctx,
        None,
        WorkbenchOptions {
            project: project_file.to_owned(),
            with_demo: false,
            pdf_program: None,
            reopen_last: false,
            hub_credentials: None,
        },
    );
    let frame = |workbench: &mut Workbench, events: Vec<egui::Event>| -> f64 {
        let at = Instant::now();
        let output = ctx.run_ui(input(events), |ui| workbench.frame(ui));
        let _ = ctx.tessellate(output.shapes, output.pixels_per_point);
        at.elapsed().as_secs_f64() * 1000.0
    };
    frame(&mut workbench, Vec::new());
    let first_frame_ms = started.elapsed().as_secs_f64() * 1000.0;
    loop {
        frame(&mut workbench, Vec::new());
        // Rows on screen: the listing is in and its first rows are read (the index check
        // that follows the first listing may still be running).
        let library = &workbench.library;
        if !library.is_listing()
            && workbench.rows_pending() == 0
            && library
                .ids()
                .first()
                .is_some_and(|id| library.row(*id).is_some())
        {
            break;
        }
        if started.elapsed().as_secs() > 300 {
            bail!("the library did not show rows within 5 minutes");
        }
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
    let rows_shown_ms = started.elapsed().as_secs_f64() * 1000.0;
    // Scrolling is timed once the start-up work (the index check) is done.
    while !workbench.is_idle() {
        frame(&mut workbench, Vec::new());
        if started.elapsed().as_secs() > 300 {
            bail!("the workbench did not settle within 5 minutes");
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    let records = workbench.library.total_records();

    let center = screen.center();
    let wheel = |dy: f32| {
        vec![
            egui::Event::PointerMoved(center),
            egui::Event::MouseWheel {
                unit: egui::MouseWheelUnit::Point,
                delta: egui::vec2(0.0, dy),
                phase: egui::TouchPhase::Move,
                source: egui::MouseWheelSource::Unknown,
                modifiers: egui::Modifiers::NONE,
            },
        ]
    };
    let key = |key: egui::Key| {
        vec![egui::Event::Key {
            key,
            physical_key: None,
            pressed: true,
            repeat: false,
            modifiers: egui::Modifiers::NONE,
        }]
    };
    let mut placeholders = 0;
    let mut patterns = Vec::new();
    // A fast fling down (about 25 rows a frame), then jumps: a page, the end, the start.
    let jumps = [
        egui::Key::PageDown,
        egui::Key::End,
        egui::Key::PageUp,
        egui::Key::Home,
    ];
    for (name, events) in [
        (
            "wheel",
            (0..frames).map(|_| wheel(-600.0)).collect::<Vec<_>>(),
        ),
        (
            "jumps",
            (0..frames)
                .map(|n| key(jumps[n % jumps.len()]))
                .collect::<Vec<_>>(),
        ),
    ] {
        let mut times = Vec::with_capacity(events.len());
        for events in events {
            times.push(frame(&mut workbench, events));
            if workbench.rows_pending() > 0 {
                placeholders += 1;
            }
            // Frames come at most every 4 ms, as at a 240 Hz display; rows read meanwhile
            // arrive at the next one.
            std::thread::sleep(std::time::Duration::from_millis(4));
        }
        times.sort_by(f64::total_cmp);
        patterns.push((
            name.to_owned(),
            times.len(),
            percentile(&times, 0.5),
            percentile(&times, 0.95),
            percentile(&times, 0.99),
            times.last().copied().unwrap_or(0.0),
            times.iter().filter(|t| **t > FRAME_BUDGET_MS).count(),
        ));
    }
    let run = WindowRun {
        records,
        first_frame_ms,
        rows_shown_ms,
        frames: patterns,
        frames_with_placeholders: placeholders,
        peak_rss_kb: peak_rss_kb(),
    };
    Ok(serde_json::to_value(run)?)
}
