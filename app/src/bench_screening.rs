//! `ecolens bench --suite screening`: prioritised screening's speed and memory.
//!
//! For each size, a generated corpus (`ecolens bench`'s generator: titles and abstracts of
//! 150–220 words; 2 % of the records labelled include by a hash of their number, so the
//! labels carry no signal and the model's work is not made easy) is imported into a project
//! and a reviewer decides the first 200 records. Then, in a child process of its own:
//!
//! 1. the features of every record are built (what opening the Screening view costs once);
//! 2. ten times, one more decision is cast and the reviewer's queue is ranked again, as the
//!    window does after each vote: the reviewer's queue and votes read from the project, the
//!    model trained on them, every record scored and ordered (`service::screening::ranked_queue`).
//!
//! Beside it, in the same run, the work ASReview LAB's default model does for the same
//! corpus: scikit-learn's `TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True,
//! max_df=0.95)` over title and abstract, then for each new decision `LinearSVC(C=0.11)` fitted
//! with its balanced weights and every record scored and sorted. That peer reads a CSV, not a
//! project, and keeps everything in memory: its figures are a floor for ASReview itself.

// The benchmark reports on stderr as it goes.
#![allow(clippy::print_stderr)]
// Records, decisions and milliseconds of a benchmark are far below 2^52.
#![allow(clippy::cast_precision_loss)]

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use ecolens_core::{Decision, Project, ScreeningVote, Stage};
use serde::{Deserialize, Serialize};

use crate::bench::{child, peak_rss_kb};
use crate::cli::Output;
use crate::service::screening::{FeatureCache, ranked_queue};

/// Options of the screening benchmark.
#[derive(Debug, Clone)]
pub struct ScreeningBenchOptions {
    /// Corpus sizes.
    pub sizes: Vec<u64>,
    /// Decisions cast before the timed re-rankings.
    pub decisions: usize,
    /// Re-rankings timed (one more decision before each).
    pub reranks: usize,
    /// Where the files go.
    pub dir: PathBuf,
    /// Keep them afterwards.
    pub keep: bool,
    /// The Python with scikit-learn; `None` skips the peer.
    pub python: Option<String>,
}

const SEED: u64 = 20_261_206;

/// One size's measurement, by ecolens or the peer.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ScreeningRun {
    /// Who.
    pub tool: String,
    /// Records.
    pub records: u64,
    /// Terms of the features.
    pub terms: u64,
    /// Non-zero weights over all records.
    pub stored: u64,
    /// Seconds to build the features.
    pub features_s: f64,
    /// Seconds to read them back from the project's features file (ecolens only).
    #[serde(default)]
    pub features_read_s: Option<f64>,
    /// Re-ranking after a decision: median milliseconds.
    pub rerank_ms_median: f64,
    /// Re-ranking after a decision: slowest milliseconds.
    pub rerank_ms_max: f64,
    /// Peak resident memory, kB.
    pub peak_rss_kb: Option<u64>,
}

/// Whether record `i` of a generated corpus is labelled include (2 %).
fn included(i: u64) -> bool {
    let mut x = i.wrapping_add(SEED).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    x ^= x >> 31;
    x.is_multiple_of(50)
}

/// Writes the generated corpus as ASReview's labelled CSV.
fn generate(path: &Path, records: u64) -> Result<()> {
    let mut generator = ecolens_corpus::synth::Generator::new(SEED, 0);
    let generated: Vec<_> = (0..records).map(|_| generator.next_record()).collect();
    crate::service::screening::write_labelled_csv(
        path,
        generated.iter().zip(0..).map(|(record, i)| {
            (
                record.title.as_str(),
                record.abstract_text.as_str(),
                included(i),
            )
        }),
    )?;
    Ok(())
}

/// The reviewer of the benchmark's project.
const REVIEWER: &str = "Bench";

/// `bench-phase screening-setup`: imports the corpus and casts the first decisions.
pub fn phase_setup(
    file: &Path,
    project_file: &Path,
    decisions: usize,
) -> Result<serde_json::Value> {
    let mut project = crate::service::project::open(project_file, false)?.project;
    let cancel = std::sync::atomic::AtomicBool::new(false);
    crate::service::corpus::import(
        &mut project,
        &crate::service::corpus::ImportRequest {
            paths: vec![file.to_owned()],
            labels_as_votes: false,
            pdf: None,
            threads: None,
            again: false,
        },
        &cancel,
        &|_| {},
    )?;
    let reviewer = project.add_reviewer(REVIEWER, true)?;
    let records = project.records()?;
    for (i, record) in records.iter().take(decisions).enumerate() {
        vote(&mut project, reviewer.id, record.id, included(i as u64))?;
    }
    Ok(serde_json::json!({ "records": records.len() }))
}

fn vote(
    project: &mut Project,
    reviewer: ecolens_core::ReviewerId,
    record: ecolens_core::RecordId,
    include: bool,
) -> Result<()> {
    project.set_screening(
        record,
        reviewer,
        &ScreeningVote {
            stage: Stage::TitleAbstract,
            decision: if include {
                Decision::Include
            } else {
                Decision::Exclude { reason: None }
            },
            note: None,
        },
    )?;
    Ok(())
}

/// `bench-phase screening`: builds the features, then times re-rankings after decisions.
pub fn phase_rank(
    project_file: &Path,
    decisions: usize,
    reranks: usize,
) -> Result<serde_json::Value> {
    let mut project = Project::open_existing(project_file)?;
    let reviewer = project.reviewer_by_name(REVIEWER)?.id;
    // Ids only: the benchmark must not hold every record, which the window never does.
    let mut records = Vec::new();
    project.for_each_record(|id, _| -> Result<()> {
        records.push(id);
        Ok(())
    })?;
    let mut cache = FeatureCache::default();
    let started = Instant::now();
    let (features, _, _) = cache.get(&project)?;
    let (terms, stored) = (features.terms() as u64, features.stored() as u64);
    let features_s = started.elapsed().as_secs_f64();
    // As the project opens the next time: the features read back from the file the build
    // wrote (the built ones dropped first, so that memory holds one copy).
    drop(cache);
    let mut cache = FeatureCache::default();
    let started = Instant::now();
    let (_, _, source) = cache.get(&project)?;
    let features_read_s = started.elapsed().as_secs_f64();
    if source != crate::service::screening::FeaturesSource::File {
        bail!("the features were not read back from the project's features file");
    }
    let mut times = Vec::with_capacity(reranks);
    for r in 0..reranks {
        let i = decisions + r;
        let Some(record) = records.get(i) else {
            break;
        };
        vote(&mut project, reviewer, *record, included(i as u64))?;
        let started = Instant::now();
        let (queue, note) = ranked_queue(
            &project,
            Some(reviewer),
            Stage::TitleAbstract,
            None,
            &[],
            &mut cache,
        )?;
        times.push(started.elapsed().as_secs_f64() * 1000.0);
        if !note.ranked || queue.len() != records.len() {
            bail!("the queue was not ranked ({} records)", queue.len());
        }
    }
    times.sort_by(f64::total_cmp);
    Ok(serde_json::to_value(ScreeningRun {
        tool: format!("ecolens {}", env!("CARGO_PKG_VERSION")),
        records: records.len() as u64,
        terms,
        stored,
        features_s,
        features_read_s: Some(features_read_s),
        rerank_ms_median: times.get(times.len() / 2).copied().unwrap_or(0.0),
        rerank_ms_max: times.last().copied().unwrap_or(0.0),
        peak_rss_kb: peak_rss_kb(),
    })?)
}

const PYTHON_PEER: &str = r#"
import csv, json, resource, sys, time
import numpy as np
import sklearn
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.svm import LinearSVC
path, decisions, reranks = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
with open(path, encoding="utf-8") as handle:
    rows = list(csv.DictReader(handle))
texts = [r["title"] + " " + r["abstract"] for r in rows]
y = np.array([int(r["label_included"]) for r in rows])
start = time.perf_counter()
X = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, max_df=0.95).fit_transform(texts)
features_s = time.perf_counter() - start
times = []
for r in range(reranks):
    n = decisions + r + 1
    yt = y[:n]
    w = np.where(yt == 1, 1.0, yt.sum() / (9.8 * (yt == 0).sum()))
    w = w * (n / w.sum())
    start = time.perf_counter()
    model = LinearSVC(C=0.11).fit(X[:n], yt, sample_weight=w)
    order = np.argsort(-model.decision_function(X[n:]), kind="stable")
    times.append((time.perf_counter() - start) * 1000)
times.sort()
print(json.dumps({"tool": f"scikit-learn {sklearn.__version__} (ASReview's ELAS u4)",
                  "records": len(rows), "terms": X.shape[1], "stored": X.nnz, "features_s": features_s,
                  "rerank_ms_median": times[len(times) // 2], "rerank_ms_max": times[-1],
                  "peak_rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
"#;

fn python_peer(
    python: &str,
    file: &Path,
    decisions: usize,
    reranks: usize,
) -> Result<ScreeningRun> {
    let output = Command::new(python)
        .args(["-c", PYTHON_PEER])
        .arg(file)
        .args([decisions.to_string(), reranks.to_string()])
        .output()
        .with_context(|| format!("cannot run {python}"))?;
    if !output.status.success() {
        bail!(
            "scikit-learn did not run ({}); install it with `{python} -m pip install scikit-learn`",
            String::from_utf8_lossy(&output.stderr)
                .lines()
                .last()
                .unwrap_or("")
        );
    }
    serde_json::from_slice(&output.stdout).context("the scikit-learn peer printed no result")
}

/// Runs the benchmark.
pub fn run(options: &ScreeningBenchOptions) -> Result<Output> {
    std::fs::create_dir_all(&options.dir)
        .with_context(|| format!("cannot create {}", options.dir.display()))?;
    let say = |line: &str| eprintln!("bench: {line}");
    let mut runs: Vec<ScreeningRun> = Vec::new();
    let mut text = String::new();
    writeln!(
        text,
        "Prioritised screening: {} decisions cast, then {} re-rankings after one more decision each (median and slowest)",
        options.decisions, options.reranks
    )?;
    writeln!(
        text,
        "{:>8}  {:<48} {:>9} {:>10} {:>7} {:>12} {:>11} {:>9}",
        "records", "tool", "terms", "features s", "read s", "re-rank ms", "slowest ms", "peak RSS"
    )?;
    for &size in &options.sizes {
        let file = options.dir.join(format!("screening-{size}.csv"));
        let project = options.dir.join(format!("screening-{size}.ecolens"));
        say(&format!("generating {size} records"));
        generate(&file, size)?;
        let _ = std::fs::remove_file(&project);
        let _ = std::fs::remove_dir_all(project.with_extension("ecolens.index"));
        let _ = std::fs::remove_file(project.with_extension("ecolens.features"));
        say(&format!(
            "importing {size} records and casting {} decisions",
            options.decisions
        ));
        let (file_arg, project_arg) = (file.display().to_string(), project.display().to_string());
        let (decisions, reranks) = (options.decisions.to_string(), options.reranks.to_string());
        let _: serde_json::Value = child(&[
            "screening-setup",
            &file_arg,
            "--project-file",
            &project_arg,
            "--decisions",
            &decisions,
        ])?;
        say(&format!("ranking {size} records"));
        let ours: ScreeningRun = child(&[
            "screening",
            "--project-file",
            &project_arg,
            "--decisions",
            &decisions,
            "--reranks",
            &reranks,
        ])?;
        let mut here = vec![ours];
        if let Some(python) = &options.python {
            say(&format!("ranking {size} records with scikit-learn"));
            here.push(python_peer(
                python,
                &file,
                options.decisions,
                options.reranks,
            )?);
        }
        for run in &here {
            writeln!(
                text,
                "{:>8}  {:<48} {:>9} {:>10.2} {:>7} {:>12.1} {:>11.1} {:>9}",
                run.records,
                run.tool,
                run.terms,
                run.features_s,
                run.features_read_s
                    .map_or_else(|| "–".to_owned(), |s| format!("{s:.2}")),
                run.rerank_ms_median,
                run.rerank_ms_max,
                run.peak_rss_kb.map_or_else(
                    || "?".to_owned(),
                    |kb| format!("{:.0} MB", kb as f64 / 1024.0)
                )
            )?;
        }
        if let [ours, peer] = &here[..] {
            writeln!(
                text,
                "{:>8}  ratio ecolens / scikit-learn: features {:.2}, re-rank {:.2}, memory {:.2}",
                "",
                ours.features_s / peer.features_s,
                ours.rerank_ms_median / peer.rerank_ms_median,
                match (ours.peak_rss_kb, peer.peak_rss_kb) {
                    (Some(a), Some(b)) => a as f64 / b as f64,
                    _ => f64::NAN,
                }
            )?;
        }
        eprint!("{text}");
        runs.extend(here);
        if !options.keep {
            let _ = std::fs::remove_file(&file);
            let _ = std::fs::remove_file(&project);
            let _ = std::fs::remove_dir_all(project.with_extension("ecolens.index"));
            let _ = std::fs::remove_file(project.with_extension("ecolens.features"));
        }
    }
    Ok(Output {
        json: serde_json::json!({ "screening": runs }),
        text,
        failed: false,
    })
}
