//! `ecolens fuzz` (hidden): hostile inputs for the format detector and every reader, in this
//! process, on the stable toolchain (no cargo-fuzz, which needs nightly).
//!
//! Seeds are real files (a folder of them: the shared fixtures, the repository's own test
//! files, public suites), grouped by the format ecolens detects in each. Input `i` of a run is
//! one seed mutated by a generator seeded with (seed, i): a reported input is reproduced with
//! `--seed S --start I --inputs 1 --keep DIR`. Mutations: bit flips, bytes that matter to some
//! format (braces, quotes, tags, `<`, line breaks), deletions, duplications, truncation,
//! splices of two seeds of any formats, a huge line, deep nesting, lone UTF-8 lead bytes and
//! UTF-16 halves. Each input goes through detection and reading (`read_bytes`) and through
//! the seed's own reader on the text as it decodes (so a reader meets inputs detection would
//! have refused). A panic is caught, counted and its input written out; the slowest input is
//! reported.
//!
//! `--linear` times each reader, as an import reads (records handed on and let go), on 10 MB
//! inputs built to be worst cases (deep nesting, one
//! huge line, many tiny records, repeated tags): none may take more than 2 s.

// The harness reports on stdout/stderr as it goes.
#![allow(clippy::print_stderr)]

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use ecolens_corpus::detect::Format;
use ecolens_corpus::read::{parse_text, read_bytes, read_bytes_into};
use rand::{RngExt, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;
use serde::Serialize;

use crate::cli::Output;

/// Options of `ecolens fuzz`, as the command line gives them.
#[derive(Debug, Clone, clap::Args)]
pub struct FuzzOptions {
    /// Folders and files to take seed files from (their formats are detected).
    #[arg(value_name = "PATH")]
    pub corpus: Vec<PathBuf>,
    /// Inputs per format family.
    #[arg(long, default_value_t = 100_000)]
    pub inputs: u64,
    /// The number of the first input (with --inputs 1, to reproduce one).
    #[arg(long, default_value_t = 0)]
    pub start: u64,
    /// The run's seed.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Worker threads.
    #[arg(long, default_value_t = 2)]
    pub threads: usize,
    /// Only these format families (ris, bibtex, csv, …); all when empty.
    #[arg(long, value_delimiter = ',')]
    pub only: Vec<String>,
    /// Where to write inputs that panicked (and, with --inputs 1, the input itself).
    #[arg(long)]
    pub keep: Option<PathBuf>,
    /// Time 10 MB worst cases of each format instead.
    #[arg(long)]
    pub linear: bool,
}

/// What one family's run found.
#[derive(Debug, Clone, Serialize)]
pub struct FamilyRun {
    /// The format family (the seeds' detected format).
    pub family: String,
    /// Seeds of it.
    pub seeds: usize,
    /// Inputs fed.
    pub inputs: u64,
    /// Inputs a reader panicked on.
    pub panics: u64,
    /// Inputs whose detection found a format (the others were refused, as they should be
    /// when mangled enough).
    pub detected: u64,
    /// Wall seconds.
    pub seconds: f64,
    /// The slowest input, in milliseconds, and its number.
    pub slowest_ms: f64,
    /// Its number.
    pub slowest_input: u64,
    /// The first panic messages, with their input numbers.
    pub failures: Vec<String>,
}

/// One 10 MB worst case and how long reading it took.
#[derive(Debug, Clone, Serialize)]
pub struct LinearRun {
    /// The format.
    pub format: String,
    /// What the input is made of.
    pub case: String,
    /// Its size in bytes.
    pub bytes: usize,
    /// Seconds to detect and read it.
    pub seconds: f64,
    /// Records read.
    pub records: usize,
}

/// The most of a file a seed holds.
const SEED_BYTES: usize = 8 * 1024;

/// The seeds found, by family.
fn seeds(paths: &[PathBuf]) -> Result<BTreeMap<String, Vec<Vec<u8>>>> {
    let mut files = Vec::new();
    for path in paths {
        collect(path, &mut files)?;
    }
    let mut by_family: BTreeMap<String, Vec<Vec<u8>>> = BTreeMap::new();
    for file in files {
        let Ok(bytes) = std::fs::read(&file) else {
            continue;
        };
        if bytes.is_empty() {
            continue;
        }
        let Ok(read) = read_bytes(&bytes) else {
            continue;
        };
        // Seeds stay small (mutations, not size, make the cases, and small inputs make many
        // of them): a large text file gives its first 8 KB, cut after a line; a workbook or a
        // compressed file is taken whole if it is small.
        let whole = matches!(read.format, Format::Xlsx) || bytes.starts_with(b"\x1f\x8b");
        let seed = if bytes.len() <= SEED_BYTES || (whole && bytes.len() <= 256 * 1024) {
            bytes
        } else if whole {
            continue;
        } else {
            let cut = bytes[..SEED_BYTES]
                .iter()
                .rposition(|b| *b == b'\n')
                .map_or(SEED_BYTES, |at| at + 1);
            bytes[..cut].to_vec()
        };
        by_family
            .entry(read.format.name().to_owned())
            .or_default()
            .push(seed);
    }
    Ok(by_family)
}

fn collect(path: &Path, into: &mut Vec<PathBuf>) -> Result<()> {
    if path.is_file() {
        into.push(path.to_owned());
        return Ok(());
    }
    let entries =
        std::fs::read_dir(path).with_context(|| format!("cannot list {}", path.display()))?;
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        if path.is_dir() {
            collect(&path, into)?;
        } else if path.extension().is_none_or(|ext| ext != "pdf") {
            into.push(path);
        }
    }
    Ok(())
}

/// Bytes that mean something to some format.
const SPECIAL: &[u8] = b"{}[]()<>\"'\\%@#,;=:-\n\r\t &$^_~|/";

/// Text pieces that start or end structures of some format.
const TOKENS: &[&str] = &[
    "TY  - ",
    "ER  - ",
    "PMID- ",
    "@article{",
    "@string{x=",
    "@comment{",
    "}",
    "{",
    "\"",
    "<record>",
    "</record>",
    "<PubmedArticle>",
    "</PubmedArticle>",
    "<1>\n",
    "%0 ",
    "%A ",
    "PT J\n",
    "ER\n",
    "\\emph{",
    "$",
    "\\'",
    "&amp;",
    "&#x0;",
    "<![CDATA[",
    "]]>",
    "\r",
    "\r\n",
    "\u{feff}",
    "title,abstract\n",
    "\"\"",
    "=",
    "#",
];

/// Mutates `input` in place with one to four mutations.
fn mutate(input: &mut Vec<u8>, rng: &mut Xoshiro256PlusPlus, other: &[u8]) {
    let rounds = rng.random_range(1..=4);
    for _ in 0..rounds {
        let len = input.len();
        let at = if len == 0 {
            0
        } else {
            rng.random_range(0..len)
        };
        // Huge lines and deep nesting (7, 8) are one draw in sixteen each: they are costly,
        // and the `--linear` cases take them to 10 MB anyway.
        match rng.random_range(0..16) {
            0 if len > 0 => input[at] ^= 1 << rng.random_range(0..8),
            1 if len > 0 => input[at] = SPECIAL[rng.random_range(0..SPECIAL.len())],
            2 if len > 0 => {
                let end = (at + rng.random_range(1..64)).min(len);
                input.drain(at..end);
            }
            3 if len > 0 => {
                let end = (at + rng.random_range(1..256)).min(len);
                let piece = input[at..end].to_vec();
                let times = rng.random_range(1..8);
                for _ in 0..times {
                    input.splice(at..at, piece.iter().copied());
                }
            }
            4 => input.truncate(at),
            5 if !other.is_empty() => {
                // A splice: this input's start, another seed's end.
                let from = rng.random_range(0..other.len());
                input.truncate(at);
                input.extend_from_slice(&other[from..]);
            }
            6 => {
                let token = TOKENS[rng.random_range(0..TOKENS.len())];
                input.splice(at..at, token.bytes());
            }
            7 => {
                // A huge line.
                let n = rng.random_range(1_000..20_000);
                let byte = SPECIAL[rng.random_range(0..SPECIAL.len())];
                input.splice(at..at, std::iter::repeat_n(byte, n));
            }
            8 => {
                // Deep nesting of one kind of bracket, maybe never closed.
                let (open, close): (&[u8], &[u8]) = match rng.random_range(0..5) {
                    0 => (b"{", b"}"),
                    1 => (b"\\emph{", b"}"),
                    2 => (b"<a>", b"</a>"),
                    3 => (b"[", b"]"),
                    _ => (b"$", b"$"),
                };
                let depth = rng.random_range(100..5_000);
                let mut nest = Vec::with_capacity(depth * (open.len() + close.len()));
                for _ in 0..depth {
                    nest.extend_from_slice(open);
                }
                if rng.random_bool(0.5) {
                    for _ in 0..depth {
                        nest.extend_from_slice(close);
                    }
                }
                input.splice(at..at, nest);
            }
            9 => {
                // Broken UTF-8: a lone lead byte, a surrogate, an overlong form.
                let piece: &[u8] = match rng.random_range(0..4) {
                    0 => b"\xC3",
                    1 => b"\xED\xA0\x80",
                    2 => b"\xF0\x9F",
                    _ => b"\xC0\xAF",
                };
                input.splice(at..at, piece.iter().copied());
            }
            10 => {
                // Half of a UTF-16 code unit, or a lone surrogate in UTF-16.
                let piece: &[u8] = if rng.random_bool(0.5) {
                    b"\x00"
                } else {
                    b"\x00\xD8"
                };
                input.splice(at..at, piece.iter().copied());
            }
            11 if len > 1 => {
                // Swap two ranges' worth of lines.
                let other_at = rng.random_range(0..len);
                input.swap(at, other_at);
            }
            _ => {
                let n = rng.random_range(1..16);
                let byte: u8 = rng.random();
                input.splice(at..at, std::iter::repeat_n(byte, n));
            }
        }
        // Inputs stay bounded: a few MB at most.
        input.truncate(4 << 20);
    }
}

/// The format a family name stands for, to read texts with that family's reader directly.
fn format_of(family: &str) -> Option<Format> {
    Some(match family {
        "ris" => Format::Ris,
        "medline" => Format::Medline,
        "bibtex" => Format::Bibtex,
        "endnote-xml" => Format::EndnoteXml,
        "csv" => Format::Csv { delimiter: b',' },
        "tsv" => Format::Csv { delimiter: b'\t' },
        "csl-json" => Format::CslJson,
        "wos" => Format::Wos,
        "endnote-tagged" => Format::EndnoteTagged,
        "pubmed-xml" => Format::PubmedXml,
        "ovid" => Format::Ovid,
        "zotero-rdf" => Format::ZoteroRdf,
        _ => return None,
    })
}

/// Input `index` of a family: a seed, mutated by a generator seeded with (run seed, index).
fn input(seeds: &[Vec<u8>], all: &[&Vec<u8>], seed: u64, family: usize, index: u64) -> Vec<u8> {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(
        seed ^ index.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ ((family as u64) << 48),
    );
    let mut bytes = seeds[rng.random_range(0..seeds.len())].clone();
    let other = all[rng.random_range(0..all.len())];
    mutate(&mut bytes, &mut rng, other);
    bytes
}

/// Feeds one input; `Err` carries the panic's message.
fn feed(bytes: &[u8], format: Option<Format>) -> std::result::Result<bool, String> {
    catch_unwind(AssertUnwindSafe(|| {
        let detected = read_bytes(bytes).is_ok();
        if let Some(format) = format {
            let text = String::from_utf8_lossy(bytes);
            std::hint::black_box(parse_text(&text, format));
        }
        detected
    }))
    .map_err(|payload| {
        payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic without a message".into())
    })
}

/// `ecolens fuzz`.
pub fn run(options: &FuzzOptions) -> Result<Output> {
    if options.linear {
        return linear(options);
    }
    let by_family = seeds(&options.corpus)?;
    if by_family.is_empty() {
        bail!("no seed files ecolens reads in {:?}", options.corpus);
    }
    let all: Vec<&Vec<u8>> = by_family.values().flatten().collect();
    // Quiet the default hook: panics are counted and reported here.
    std::panic::set_hook(Box::new(|_| {}));
    let mut runs = Vec::new();
    for (family_index, (family, seeds)) in by_family.iter().enumerate() {
        if !options.only.is_empty() && !options.only.iter().any(|f| f == family) {
            continue;
        }
        let format = format_of(family);
        let next = AtomicU64::new(options.start);
        let end = options.start + options.inputs;
        let panics = AtomicU64::new(0);
        let detected = AtomicU64::new(0);
        let slowest = Mutex::new((Duration::ZERO, 0u64));
        let failures = Mutex::new(Vec::new());
        let started = Instant::now();
        std::thread::scope(|scope| -> Result<()> {
            for worker in 0..options.threads.max(1) {
                let (next, panics, detected, slowest, failures, all) =
                    (&next, &panics, &detected, &slowest, &failures, &all);
                std::thread::Builder::new()
                    .name(format!("ecolens-fuzz-{worker}"))
                    // Deep inputs are the point: give readers the stack a main thread has.
                    .stack_size(8 << 20)
                    .spawn_scoped(scope, move || {
                        loop {
                            let index = next.fetch_add(64, Ordering::Relaxed);
                            if index >= end {
                                break;
                            }
                            for index in index..(index + 64).min(end) {
                                let bytes = input(seeds, all, options.seed, family_index, index);
                                if options.inputs == 1
                                    && let Some(keep) = &options.keep
                                {
                                    let _ =
                                        std::fs::write(keep.join(format!("input-{index}")), &bytes);
                                }
                                let began = Instant::now();
                                let outcome = feed(&bytes, format);
                                let took = began.elapsed();
                                if let Ok(mut slowest) = slowest.lock()
                                    && took > slowest.0
                                {
                                    *slowest = (took, index);
                                }
                                match outcome {
                                    Ok(true) => {
                                        detected.fetch_add(1, Ordering::Relaxed);
                                    }
                                    Ok(false) => {}
                                    Err(message) => {
                                        panics.fetch_add(1, Ordering::Relaxed);
                                        if let Some(keep) = &options.keep {
                                            let _ = std::fs::create_dir_all(keep);
                                            let _ = std::fs::write(
                                                keep.join(format!("panic-{family}-{index}")),
                                                &bytes,
                                            );
                                        }
                                        if let Ok(mut failures) = failures.lock()
                                            && failures.len() < 10
                                        {
                                            failures.push(format!("input {index}: {message}"));
                                        }
                                    }
                                }
                            }
                        }
                    })
                    .context("starting a fuzz thread")?;
            }
            Ok(())
        })?;
        let (slowest, slowest_input) = slowest.lock().map(|s| *s).unwrap_or_default();
        let run = FamilyRun {
            family: family.clone(),
            seeds: seeds.len(),
            inputs: options.inputs,
            panics: panics.load(Ordering::Relaxed),
            detected: detected.load(Ordering::Relaxed),
            seconds: started.elapsed().as_secs_f64(),
            slowest_ms: slowest.as_secs_f64() * 1000.0,
            slowest_input,
            failures: failures.into_inner().unwrap_or_default(),
        };
        eprintln!(
            "{:<15} {:>4} seeds {:>12} inputs {:>6} panics {:>7.1} s  slowest {:.1} ms (input {})",
            run.family,
            run.seeds,
            run.inputs,
            run.panics,
            run.seconds,
            run.slowest_ms,
            run.slowest_input
        );
        runs.push(run);
    }
    let panics: u64 = runs.iter().map(|r| r.panics).sum();
    let mut text = String::from(
        "family          seeds        inputs  panics  detected   seconds  slowest ms\n",
    );
    for run in &runs {
        let _ = writeln!(
            text,
            "{:<15} {:>5} {:>13} {:>7} {:>9} {:>9.1} {:>11.1}",
            run.family,
            run.seeds,
            run.inputs,
            run.panics,
            run.detected,
            run.seconds,
            run.slowest_ms
        );
        for failure in &run.failures {
            let _ = writeln!(text, "  {failure}");
        }
    }
    Ok(Output {
        json: serde_json::json!({ "seed": options.seed, "families": runs }),
        text,
        failed: panics > 0,
    })
}

/// Bytes as megabytes, for reports.
#[allow(clippy::cast_precision_loss)] // Sizes far below 2^52 bytes.
fn megabytes(bytes: usize) -> f64 {
    bytes as f64 / 1e6
}

/// Worst cases of about 10 MB per format, each detected and read once.
#[allow(clippy::unnecessary_wraps)] // The same shape as `run`, which it stands in for.
fn linear(options: &FuzzOptions) -> Result<Output> {
    const SIZE: usize = 10 << 20;
    let repeat = |unit: &str| unit.repeat(SIZE / unit.len().max(1) + 1);
    let cases: Vec<(&str, &str, String)> = vec![
        (
            "ris",
            "many tiny records",
            repeat("TY  - JOUR\nTI  - t\nER  - \n"),
        ),
        (
            "ris",
            "one record of repeated tags",
            format!("TY  - JOUR\nTI  - t\n{}ER  - \n", repeat("AU  - Doe, J.\n")),
        ),
        (
            "ris",
            "one huge line",
            format!("TY  - JOUR\nTI  - {}\nER  - \n", "x".repeat(SIZE)),
        ),
        (
            "ris",
            "continuation lines",
            format!(
                "TY  - JOUR\nTI  - t\nAB  - a\n{}ER  - \n",
                repeat("more text\n\n")
            ),
        ),
        (
            "medline",
            "many tiny records",
            repeat("PMID- 1\nTI  - t\n\n"),
        ),
        (
            "bibtex",
            "nested braces",
            format!(
                "@article{{a, title = {{{}x{}}}}}\n",
                "{".repeat(SIZE / 2),
                "}".repeat(SIZE / 2)
            ),
        ),
        (
            "bibtex",
            "unclosed braces",
            format!("@article{{a, title = {{{}\n", "{".repeat(SIZE)),
        ),
        (
            "bibtex",
            "nested commands",
            format!(
                "@article{{a, title = {{{}x{}}}}}\n",
                "\\emph{".repeat(SIZE / 7),
                "}".repeat(SIZE / 7)
            ),
        ),
        ("bibtex", "many @ signs", repeat("@@@@ @x{ ")),
        (
            "bibtex",
            "string concatenation",
            format!(
                "@string{{s = \"x\"}}\n@article{{a, title = {} s}}\n",
                "s # ".repeat(SIZE / 4)
            ),
        ),
        (
            "csv",
            "many rows",
            format!("title,abstract\n{}", repeat("t,a\n")),
        ),
        (
            "csv",
            "one huge quoted cell",
            format!("title,abstract\n\"{}\",a\n", "x\n".repeat(SIZE / 2)),
        ),
        (
            "csl-json",
            "deep arrays",
            format!(
                "[{{\"type\": \"book\", \"title\": \"x\", \"note\": {}1{}}}]",
                "[".repeat(SIZE / 2),
                "]".repeat(SIZE / 2)
            ),
        ),
        (
            "csl-json",
            "many items",
            format!(
                "[{}{{\"type\":\"book\",\"title\":\"x\"}}]",
                "{\"type\":\"book\",\"title\":\"x\"},".repeat(SIZE / 34)
            ),
        ),
        (
            "endnote-xml",
            "deep elements",
            format!(
                "<xml><records><record><titles><title>{}x{}</title></titles></record></records></xml>",
                "<style>".repeat(SIZE / 15),
                "</style>".repeat(SIZE / 15)
            ),
        ),
        (
            "pubmed-xml",
            "deep elements",
            format!(
                "<PubmedArticleSet><PubmedArticle>{}</PubmedArticle></PubmedArticleSet>",
                "<i>".repeat(SIZE / 3)
            ),
        ),
        (
            "zotero-rdf",
            "deep elements",
            format!(
                "<rdf:RDF xmlns:z=\"http://www.zotero.org/namespaces/export#\">{}</rdf:RDF>",
                "<a>".repeat(SIZE / 3)
            ),
        ),
        (
            "wos",
            "many tiny records",
            format!(
                "FN Clarivate Analytics Web of Science\n{}",
                repeat("PT J\nTI t\nER\n")
            ),
        ),
        (
            "wos",
            "continuation lines",
            format!(
                "FN Clarivate Analytics Web of Science\nPT J\nAU Doe, J\n{}ER\n",
                repeat("   Roe, R\n")
            ),
        ),
        (
            "endnote-tagged",
            "many tiny records",
            repeat("%0 Journal Article\n%T t\n\n"),
        ),
        ("ovid", "many records", repeat("<1>\nTitle\n  t\n")),
        (
            "ovid",
            "one long field",
            format!("<1>\nAbstract\n{}", repeat("  text\n")),
        ),
    ];
    let mut runs = Vec::new();
    let mut too_slow = Vec::new();
    for (format, case, text) in cases {
        if !options.only.is_empty() && !options.only.iter().any(|f| f == format) {
            continue;
        }
        let started = Instant::now();
        // As an import reads a file: records handed on (CSV in batches) and let go.
        let mut records = 0;
        let _ = read_bytes_into(text.as_bytes(), &mut |_, parsed| {
            records += parsed.records.len();
            Ok(())
        });
        let seconds = started.elapsed().as_secs_f64();
        eprintln!(
            "{format:<15} {case:<30} {:>6.1} MB {seconds:>8.3} s {records:>9} records",
            megabytes(text.len())
        );
        if seconds > 2.0 {
            too_slow.push(format!("{format}, {case}: {seconds:.1} s"));
        }
        runs.push(LinearRun {
            format: format.to_owned(),
            case: case.to_owned(),
            bytes: text.len(),
            seconds,
            records,
        });
    }
    let mut text =
        String::from("format          case                              MB   seconds   records\n");
    for run in &runs {
        let _ = writeln!(
            text,
            "{:<15} {:<30} {:>6.1} {:>9.3} {:>9}",
            run.format,
            run.case,
            megabytes(run.bytes),
            run.seconds,
            run.records
        );
    }
    if !too_slow.is_empty() {
        let _ = writeln!(text, "More than 2 s: {}", too_slow.join("; "));
    }
    Ok(Output {
        json: serde_json::json!({ "linear": runs, "too_slow": too_slow }),
        text,
        failed: !too_slow.is_empty(),
    })
}
