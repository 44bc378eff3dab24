//! Prioritised screening's use cases: replaying a labelled review with the model
//! ([`simulate`]), to show how many records it saves and where the stopping rule stops.

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::time::Instant;

use ecolens_core::Stage;
use ecolens_core::stopping::StoppingRule;
use ecolens_corpus::labels::{LabelDecision, labels_in_notes};
use ecolens_corpus::rank::simulate::{Simulation, SimulationOptions, simulate as replay};
use ecolens_corpus::rank::{FeatureOptions, Features, ModelOptions, RecordText, Strategy};
use serde::Serialize;

use super::{Error, Result};

/// Recalls reported for each run.
pub const RECALLS: [f64; 4] = [0.8, 0.9, 0.95, 1.0];

/// What to replay, and how.
#[derive(Debug, Clone)]
pub struct SimulateRequest {
    /// A labelled file in any format ecolens imports.
    pub path: PathBuf,
    /// One run per seed.
    pub seeds: Vec<u64>,
    /// Includes drawn as known before screening.
    pub prior_included: usize,
    /// Excludes drawn as known before screening.
    pub prior_excluded: usize,
    /// The query strategy.
    pub strategy: Strategy,
    /// The stopping rule whose decision point is reported.
    pub rule: StoppingRule,
    /// Runs at once.
    pub threads: usize,
}

/// A labelled review read for simulation.
#[derive(Debug, Clone)]
pub struct LabelledReview {
    /// The records' titles, abstracts and keywords, in file order.
    pub records: Vec<ecolens_core::Record>,
    /// Whether each was included.
    pub labels: Vec<bool>,
}

/// What the replayed runs gave.
#[derive(Debug, Clone, Serialize)]
pub struct SimulationReport {
    /// The file.
    pub file: PathBuf,
    /// Records.
    pub records: usize,
    /// Includes.
    pub includes: usize,
    /// Terms of the features.
    pub terms: usize,
    /// Time to build the features, in milliseconds.
    pub features_ms: f64,
    /// The query strategy.
    pub strategy: String,
    /// The stopping rule.
    pub rule: StoppingRule,
    /// One per seed.
    pub runs: Vec<RunSummary>,
    /// Where the stopping rule stopped, over the runs.
    pub stopping: StoppingSummary,
    /// CPU time of the simulation (features and runs, each thread's own), in seconds.
    pub cpu_seconds: f64,
    /// The simulation's own footprint, estimated: its CPU time with Green Algorithms'
    /// figures and the world's average grid ([`cpu_footprint`]; a simulation belongs to no
    /// project).
    pub footprint: Option<ecolens_core::estimate::Estimate>,
}

/// Where the stopping rule stopped over a simulation's runs: the figures that say whether it
/// can be trusted on this review.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoppingSummary {
    /// Runs in which it said stop before every record was screened.
    pub stopped: usize,
    /// Runs in which it stopped at or above the target recall.
    pub at_target: usize,
    /// Runs in which it stopped before the last include was found.
    pub before_last_include: usize,
    /// Median records screened (after the priors) when it stopped.
    pub median_stop: Option<f64>,
    /// Records counted (after the priors).
    pub records: usize,
}

impl StoppingSummary {
    fn of(runs: &[RunSummary], records: usize, rule: StoppingRule) -> Self {
        #[allow(clippy::cast_precision_loss)] // Record counts.
        let mut stops: Vec<f64> = runs
            .iter()
            .filter_map(|r| r.stopped_after.map(|n| n as f64))
            .collect();
        StoppingSummary {
            stopped: stops.len(),
            at_target: runs
                .iter()
                .filter(|r| {
                    r.recall_at_stop
                        .is_some_and(|recall| recall >= rule.target_recall - 1e-12)
                })
                .count(),
            before_last_include: runs
                .iter()
                .filter(|r| {
                    r.stopped_after
                        .zip(r.screened_to_recall[3])
                        .is_some_and(|(stop, last)| stop < last)
                })
                .count(),
            median_stop: median(&mut stops),
            records: records.saturating_sub(runs.first().map_or(0, |r| r.priors.len())),
        }
    }
}

/// One replayed run in figures.
#[derive(Debug, Clone, Serialize)]
pub struct RunSummary {
    /// Its seed.
    pub seed: u64,
    /// The priors (0-based record numbers in the file).
    pub priors: Vec<usize>,
    /// Records screened after the priors to reach 80, 90, 95 and 100 % recall.
    pub screened_to_recall: Vec<Option<usize>>,
    /// Work saved over sampling at 95 % recall.
    pub wss_95: Option<f64>,
    /// Records screened when the stopping rule said stop (past the last include if it
    /// needed more); `None` if it never did.
    pub stopped_after: Option<usize>,
    /// The recall it had reached then.
    pub recall_at_stop: Option<f64>,
    /// Wall-clock time of the run, in milliseconds.
    pub elapsed_ms: f64,
    /// The order screened (0-based record numbers), up to the last include.
    pub order: Vec<usize>,
    /// Whether each record of `order` is an include.
    pub hits: Vec<bool>,
}

impl RunSummary {
    fn of(run: &Simulation) -> Self {
        RunSummary {
            seed: run.seed,
            priors: run.priors.clone(),
            screened_to_recall: RECALLS.iter().map(|r| run.screened_to_recall(*r)).collect(),
            wss_95: run.wss(0.95),
            stopped_after: run.stopped_after,
            recall_at_stop: run.recall_at_stop(),
            elapsed_ms: run.elapsed_ms,
            order: run.order.clone(),
            hits: run.hits.clone(),
        }
    }
}

/// Reads a labelled review: every record must carry a title/abstract label (ASReview's
/// `label_included`/`included` columns, Rayyan or ASReview notes, ecolens exports), include or
/// exclude.
pub fn read_labelled(path: &Path) -> Result<LabelledReview> {
    let read = ecolens_corpus::read::read_file(path)?;
    let mut records = Vec::with_capacity(read.parsed.records.len());
    let mut labels = Vec::with_capacity(read.parsed.records.len());
    let mut unlabelled: Vec<usize> = Vec::new();
    let mut conflicting: Vec<usize> = Vec::new();
    for parsed in read.parsed.records {
        let mut found = parsed.labels.clone();
        if let Some(notes) = &parsed.record.notes {
            found.extend(labels_in_notes(notes));
        }
        let decisions: Vec<LabelDecision> = found
            .iter()
            .filter(|l| l.stage == Stage::TitleAbstract)
            .map(|l| l.decision)
            .filter(|d| matches!(d, LabelDecision::Include | LabelDecision::Exclude))
            .collect();
        let include = decisions.contains(&LabelDecision::Include);
        let exclude = decisions.contains(&LabelDecision::Exclude);
        match (include, exclude) {
            (false, false) => unlabelled.push(parsed.line),
            (true, true) => conflicting.push(parsed.line),
            _ => {}
        }
        labels.push(include);
        // In the one form an import gives it (character references decoded, white space
        // collapsed): the simulation replays what a project holding the file would rank.
        let mut record = parsed.record;
        ecolens_corpus::normalise::normalise(&mut record);
        records.push(record);
    }
    let lines = |list: &[usize]| {
        let shown: Vec<String> = list.iter().take(5).map(ToString::to_string).collect();
        format!(
            "{} record(s), from line(s) {}{}",
            list.len(),
            shown.join(", "),
            if list.len() > 5 { ", …" } else { "" }
        )
    };
    if !unlabelled.is_empty() {
        return Err(Error::Invalid {
            field: "labels",
            value: format!("{}: {} without a label", path.display(), lines(&unlabelled)),
            expected: "every record labelled include or exclude (a label_included or included column of 1/0, or Rayyan/ASReview notes)".to_owned(),
        });
    }
    if !conflicting.is_empty() {
        return Err(Error::Invalid {
            field: "labels",
            value: format!(
                "{}: {} labelled both include and exclude",
                path.display(),
                lines(&conflicting)
            ),
            expected: "one decision per record (resolve disagreements before simulating)"
                .to_owned(),
        });
    }
    if !labels.iter().any(|l| *l) {
        return Err(Error::Invalid {
            field: "labels",
            value: format!("{}: no record is labelled include", path.display()),
            expected: "at least one include to find".to_owned(),
        });
    }
    Ok(LabelledReview { records, labels })
}

/// Replays the review in `request.path` once per seed, on `request.threads` named threads.
pub fn simulate(request: &SimulateRequest, cancel: &AtomicBool) -> Result<SimulationReport> {
    for (field, value) in [
        ("target recall", request.rule.target_recall),
        ("confidence", request.rule.confidence),
    ] {
        if !(value > 0.0 && value < 1.0) {
            return Err(Error::Invalid {
                field,
                value: value.to_string(),
                expected: "a fraction between 0 and 1, such as 0.95".to_owned(),
            });
        }
    }
    if request.seeds.is_empty() {
        return Err(Error::Invalid {
            field: "seeds",
            value: String::new(),
            expected: "at least one seed".to_owned(),
        });
    }
    let review = read_labelled(&request.path)?;
    let started = Instant::now();
    let features = Features::build(
        review.records.iter().map(RecordText::of),
        &FeatureOptions::default(),
    );
    let features_ms = started.elapsed().as_secs_f64() * 1000.0;
    let options = |seed: u64| SimulationOptions {
        prior_included: request.prior_included,
        prior_excluded: request.prior_excluded,
        priors: None,
        seed,
        strategy: request.strategy,
        model: ModelOptions::default(),
        stopping: request.rule,
    };
    let threads = request.threads.clamp(1, request.seeds.len().max(1));
    let chunks: Vec<Vec<u64>> = (0..threads)
        .map(|t| {
            request
                .seeds
                .iter()
                .skip(t)
                .step_by(threads)
                .copied()
                .collect()
        })
        .collect();
    // Each thread's runs and its CPU time (None where the platform cannot tell).
    let results: Vec<ecolens_corpus::Result<(Vec<Simulation>, Option<f64>)>> =
        std::thread::scope(|scope| {
            let handles: Vec<_> = chunks
                .iter()
                .enumerate()
                .map(|(t, seeds)| {
                    let (features, labels) = (&features, &review.labels);
                    std::thread::Builder::new()
                        .name(format!("ecolens-simulate-{t}"))
                        .spawn_scoped(scope, move || {
                            let cpu = cpu_time::ThreadTime::try_now().ok();
                            let runs: ecolens_corpus::Result<Vec<Simulation>> = seeds
                                .iter()
                                .map(|seed| replay(features, labels, &options(*seed), cancel))
                                .collect();
                            let cpu_s = cpu
                                .and_then(|t| t.try_elapsed().ok())
                                .map(|d| d.as_secs_f64());
                            runs.map(|runs| (runs, cpu_s))
                        })
                })
                .collect();
            handles
                .into_iter()
                .map(|handle| match handle {
                    Ok(handle) => handle.join().unwrap_or_else(|_| {
                        Err(ecolens_corpus::Error::Simulation(
                            "a simulation thread failed; please report this".to_owned(),
                        ))
                    }),
                    Err(error) => Err(ecolens_corpus::Error::Simulation(format!(
                        "cannot start a simulation thread: {error}"
                    ))),
                })
                .collect()
        });
    let mut runs = Vec::new();
    // The features are built on this thread, busy the whole time: their wall-clock time.
    let mut cpu_seconds = features_ms / 1000.0;
    for result in results {
        let (done, cpu_s) = result?;
        cpu_seconds += cpu_s.unwrap_or_else(|| done.iter().map(|r| r.elapsed_ms / 1000.0).sum());
        runs.extend(done.iter().map(RunSummary::of));
    }
    runs.sort_by_key(|run| request.seeds.iter().position(|s| *s == run.seed));
    let records = review.records.len();
    Ok(SimulationReport {
        stopping: StoppingSummary::of(&runs, records, request.rule),
        cpu_seconds,
        footprint: cpu_footprint(
            cpu_seconds,
            &ecolens_core::estimate::FactorOverrides::default(),
        )
        .ok(),
        file: request.path.clone(),
        records,
        includes: review.labels.iter().filter(|l| **l).count(),
        terms: features.terms(),
        features_ms,
        strategy: request.strategy.to_string(),
        rule: request.rule,
        runs,
    })
}

/// What `cpu_seconds` of CPU time cost, estimated with Green Algorithms' figures
/// (Lannelongue, Grealey & Inouye 2021, through ecolens's own calculator): its "Any" CPU per
/// core, memory ignored (the model holds well under a gigabyte), PUE 1 (a desk, not a data
/// centre), and the grid of `factors` (a project's own country or intensity) or else the
/// world's average. Every number is in the estimate's assumptions, with its source.
pub fn cpu_footprint(
    cpu_seconds: f64,
    factors: &ecolens_core::estimate::FactorOverrides,
) -> Result<ecolens_core::estimate::Estimate> {
    let (_, intensity, _) = factors.resolve(&ecolens_core::estimate::Place::default());
    Ok(ecolens_core::estimate::green_algorithms(
        &ecolens_core::estimate::GreenAlgorithmsInput {
            runtime_h: cpu_seconds / 3600.0,
            cores: 1,
            cpu_model: None,
            cpu_usage: 1.0,
            gpus: 0,
            gpu_model: None,
            gpu_usage: 0.0,
            memory_gb: 0.0,
            pue: ecolens_core::estimate::Given::User(1.0),
            intensity,
            multiplier: 1.0,
        },
    )?)
}

/// A CPU-time footprint in one sentence, its figures taken from the estimate's assumptions:
/// "0.00608 s of CPU time: 0.02027 mWh, 0.00963 mgCO2e (estimated: one core at 12 W, Green
/// Algorithms' figure for an unknown CPU; PUE 1; 475 gCO2e/kWh, Green Algorithms …)".
pub fn footprint_words(cpu_seconds: f64, estimate: &ecolens_core::estimate::Estimate) -> String {
    use ecolens_core::quantity::{num, quantity};
    let assumption = |prefix: &str| {
        estimate
            .assumptions
            .iter()
            .find(|a| a.name.starts_with(prefix))
    };
    let core_w = assumption("TDP per core").map_or_else(|| "?".to_owned(), |a| num(a.value));
    let pue = assumption("PUE").map_or_else(|| "?".to_owned(), |a| num(a.value));
    let grid = assumption("carbon intensity").map_or_else(
        || format!("{} gCO2e/kWh", num(estimate.intensity_g_per_kwh)),
        |a| format!("{} gCO2e/kWh, {}", num(a.value), a.source),
    );
    format!(
        "{} s of CPU time: {}, {} (estimated: one core at {core_w} W, Green Algorithms' figure for an unknown CPU; PUE {pue}; {grid})",
        num(cpu_seconds),
        quantity(estimate.energy_kwh, "kWh"),
        quantity(estimate.co2e_kg, "kgCO2e"),
    )
}

/// The median of some numbers (the mean of the middle two for an even count); `None` for none.
pub fn median(values: &mut [f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let middle = values.len() / 2;
    Some(if values.len().is_multiple_of(2) {
        f64::midpoint(values[middle - 1], values[middle])
    } else {
        values[middle]
    })
}

/// One run of ASReview LAB on the same review, priors and seed, counted like ecolens's.
#[derive(Debug, Clone, Serialize)]
pub struct PeerRun {
    /// The seed.
    pub seed: u64,
    /// Records screened after the priors to reach 80, 90, 95 and 100 % recall.
    pub screened_to_recall: Vec<Option<usize>>,
    /// Wall-clock time of `asreview simulate`, in milliseconds.
    pub elapsed_ms: f64,
    /// Whether each record it screened after the priors is an include, in its order.
    pub hits: Vec<bool>,
}

/// Reads the labelling order out of an ASReview project file through ASReview's own API:
/// `[[record_id, label], …]`, every record it labelled. ASReview 3 groups records of the same
/// text (duplicates, records with neither title nor abstract) and its results table shows a
/// group's first record only unless asked (`groups=True`); `ecolens simulate` screens every
/// record of the file, so the comparison counts ASReview's the same way. Without it, the
/// grouped records ASReview labelled before a recall point went uncounted: Kitchenham 2010
/// (four groups) read 467 where ASReview had labelled 469 records, as ecolens did, and a
/// review whose includes were in a group never reached its recall points.
const ASREVIEW_ORDER: &str = "import asreview, json, sys, tempfile\n\
project = asreview.Project.load(sys.argv[1], tempfile.mkdtemp())\n\
rows = project.db.get_results_table(columns=['record_id', 'label'], groups=True)\n\
print(json.dumps([[int(r), int(l)] for r, l in rows.values.tolist()]))\n";

/// Writes a labelled review as ASReview reads it: CSV with `title`, `abstract` and
/// `label_included` (1 or 0), one row per `(title, abstract, included)`.
pub fn write_labelled_csv<'a>(
    path: &Path,
    rows: impl IntoIterator<Item = (&'a str, &'a str, bool)>,
) -> Result<()> {
    let invalid = |error: csv::Error| Error::Invalid {
        field: "labelled CSV",
        value: error.to_string(),
        expected: "text that CSV can hold".to_owned(),
    };
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer
        .write_record(["title", "abstract", "label_included"])
        .map_err(invalid)?;
    for (title, abstract_text, include) in rows {
        writer
            .write_record([title, abstract_text, if include { "1" } else { "0" }])
            .map_err(invalid)?;
    }
    let bytes = writer
        .into_inner()
        .map_err(|error| invalid(error.into_error().into()))?;
    super::write_text(path, &String::from_utf8_lossy(&bytes))
}

/// Runs `asreview simulate` (ASReview LAB, installed for `python`) once per run of `report`,
/// with that run's priors and seed, on the records of `request.path` written as ASReview's
/// CSV (so record numbers agree), and counts its order as ecolens counts its own.
pub fn compare_asreview(
    request: &SimulateRequest,
    report: &SimulationReport,
    python: &str,
) -> Result<Vec<PeerRun>> {
    let review = read_labelled(&request.path)?;
    let dir = std::env::temp_dir().join(format!("ecolens-asreview-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|source| Error::Io {
        action: "cannot create",
        path: dir.clone(),
        source,
    })?;
    let result = run_asreview(report, python, &review, &dir);
    let _ = std::fs::remove_dir_all(&dir);
    result
}

fn run_asreview(
    report: &SimulationReport,
    python: &str,
    review: &LabelledReview,
    dir: &Path,
) -> Result<Vec<PeerRun>> {
    let csv_path = dir.join("labelled.csv");
    write_labelled_csv(
        &csv_path,
        review
            .records
            .iter()
            .zip(&review.labels)
            .map(|(record, include)| {
                (
                    record.title.as_str(),
                    record.abstract_text.as_deref().unwrap_or(""),
                    *include,
                )
            }),
    )?;
    let run = |args: &[String]| -> Result<String> {
        let output = std::process::Command::new(python)
            .args(args)
            .output()
            .map_err(|source| Error::Io {
                action: "cannot run",
                path: PathBuf::from(python),
                source,
            })?;
        if !output.status.success() {
            return Err(Error::Invalid {
                field: "--compare-asreview",
                value: String::from_utf8_lossy(&output.stderr)
                    .lines()
                    .last()
                    .unwrap_or("")
                    .to_owned(),
                expected: format!(
                    "ASReview LAB installed for {python} (`{python} -m pip install asreview`)"
                ),
            });
        }
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    };
    let mut peers = Vec::new();
    for ours in &report.runs {
        let out = dir.join(format!("seed-{}.asreview", ours.seed));
        let mut args = vec![
            "-m".to_owned(),
            "asreview".to_owned(),
            "simulate".to_owned(),
            csv_path.display().to_string(),
            "--seed".to_owned(),
            ours.seed.to_string(),
            "-o".to_owned(),
            out.display().to_string(),
            "--prior-idx".to_owned(),
        ];
        args.extend(ours.priors.iter().map(ToString::to_string));
        let started = Instant::now();
        run(&args)?;
        let elapsed_ms = started.elapsed().as_secs_f64() * 1000.0;
        let order = run(&[
            "-c".to_owned(),
            ASREVIEW_ORDER.to_owned(),
            out.display().to_string(),
        ])?;
        let order: Vec<(usize, u8)> =
            serde_json::from_str(order.trim()).map_err(|error| Error::Invalid {
                field: "--compare-asreview",
                value: error.to_string(),
                expected: "ASReview's results table of record ids and labels".to_owned(),
            })?;
        let hits: Vec<bool> = order
            .iter()
            .filter(|(record, _)| !ours.priors.contains(record))
            .map(|(_, label)| *label == 1)
            .collect();
        let includes = review
            .labels
            .iter()
            .enumerate()
            .filter(|(i, l)| **l && !ours.priors.contains(i))
            .count();
        peers.push(PeerRun {
            seed: ours.seed,
            screened_to_recall: RECALLS
                .iter()
                .map(|r| ecolens_corpus::rank::simulate::screened_to_recall(&hits, includes, *r))
                .collect(),
            elapsed_ms,
            hits,
        });
    }
    Ok(peers)
}

/// The features of a project's records, kept between rankings and built again only when the
/// records change ([`ecolens_core::Project::records_version`]), not when a vote is cast.
#[derive(Debug, Default)]
pub struct FeatureCache {
    cached: Option<CachedFeatures>,
}

/// Where a ranking's features came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FeaturesSource {
    /// Kept in memory from an earlier ranking.
    Memory,
    /// Read from the project's features file.
    File,
    /// Built from the records (and written to the features file).
    Built,
}

/// Features with the records' version they were built from and their record ids.
#[derive(Debug)]
struct CachedFeatures {
    version: String,
    ids: Vec<ecolens_core::RecordId>,
    features: Features,
}

impl FeatureCache {
    /// The features of `project`'s records, their record ids in the same order (increasing)
    /// and where they came from: memory while the records are unchanged, else the project's
    /// features file (`<file>.features`) when it was written for these records with these
    /// options, else a build, written there for the next time the project opens.
    pub fn get(
        &mut self,
        project: &ecolens_core::Project,
    ) -> Result<(&Features, &[ecolens_core::RecordId], FeaturesSource)> {
        let version = project.records_version()?;
        // Features of other records are dropped before new ones are read or built: never
        // two sets in memory (at 100,000 records that would be 150 MB more).
        let current = self
            .cached
            .take()
            .filter(|cached| cached.version == version);
        let (cached, source) = match current {
            Some(cached) => (cached, FeaturesSource::Memory),
            None => {
                // A project in memory has no file to keep features beside.
                let file = project
                    .path()
                    .file_name()
                    .is_some()
                    .then(|| ecolens_corpus::rank::stored::path_for(project.path()));
                match file.as_deref().and_then(|file| read_kept(file, &version)) {
                    Some(kept) => (kept, FeaturesSource::File),
                    None => (
                        build(project, version, file.as_deref())?,
                        FeaturesSource::Built,
                    ),
                }
            }
        };
        let cached = self.cached.insert(cached);
        Ok((&cached.features, &cached.ids, source))
    }
}

/// The features in `file` if they were written for the records' `version` with today's
/// options. A damaged or foreign file is derived data: built again, with a warning.
fn read_kept(file: &Path, version: &str) -> Option<CachedFeatures> {
    let kept = ecolens_corpus::rank::stored::StoredFeatures::read(file)
        .inspect_err(|error| log::warn!("{error}; building the features again"))
        .ok()
        .flatten()?;
    (kept.version == version && *kept.features.options() == FeatureOptions::default()).then(|| {
        CachedFeatures {
            version: kept.version,
            ids: kept.ids.into_iter().map(ecolens_core::RecordId).collect(),
            features: kept.features,
        }
    })
}

/// Builds the features of `project`'s records, streamed from the store (never all in memory
/// at once), and writes them to `file` when there is one (not written is only slower next
/// time: a warning, not a failure).
fn build(
    project: &ecolens_core::Project,
    version: String,
    file: Option<&Path>,
) -> Result<CachedFeatures> {
    let mut ids = Vec::new();
    let mut builder =
        ecolens_corpus::rank::features::FeatureBuilder::new(&FeatureOptions::default());
    project.for_each_record(|id, record| -> Result<()> {
        builder.add(&RecordText::of(&record));
        ids.push(id);
        Ok(())
    })?;
    let built = CachedFeatures {
        version,
        ids,
        features: builder.finish(),
    };
    if let Some(file) = file {
        let ids: Vec<i64> = built.ids.iter().map(|id| id.0).collect();
        if let Err(error) =
            ecolens_corpus::rank::stored::write(file, &built.version, &ids, &built.features)
        {
            log::warn!("{error}");
        }
    }
    Ok(built)
}

/// How a queue came to be in its order, for the view and `ecolens screen status`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QueueNote {
    /// The order the project asks for.
    pub order: ecolens_core::priority::QueueOrder,
    /// Whether the model ranked the queue (it needs one include and one exclude of the
    /// reader's own; until then the order is random, from the project's seed).
    pub ranked: bool,
    /// The reader's own includes the model learnt from.
    pub includes: usize,
    /// The reader's own excludes the model learnt from.
    pub excludes: usize,
    /// Time to train and rank, in milliseconds (features built as well, when they were).
    pub took_ms: f64,
    /// The lead's known includes put first, the reader not having voted on them yet (only
    /// until the model ranks).
    pub known_first: usize,
    /// Where the model's features came from (when the model ranked).
    pub features: Option<FeaturesSource>,
}

impl QueueNote {
    /// The order in words: "most relevant first — model trained on 212 decisions".
    pub fn words(&self) -> String {
        match self.order {
            ecolens_core::priority::QueueOrder::Import => "import order".to_owned(),
            ecolens_core::priority::QueueOrder::Model(strategy) if self.ranked => format!(
                "{strategy} — model trained on {} of your decisions ({} include, {} exclude)",
                self.includes + self.excludes,
                self.includes,
                self.excludes
            ),
            ecolens_core::priority::QueueOrder::Model(_) if self.known_first > 0 => format!(
                "the lead's {} known include(s) first, then random order, until you have included one record and excluded one ({} include, {} exclude so far)",
                self.known_first, self.includes, self.excludes
            ),
            ecolens_core::priority::QueueOrder::Model(_) => format!(
                "random order until you have included one record and excluded one ({} include, {} exclude so far)",
                self.includes, self.excludes
            ),
        }
    }
}

/// A reader's screening queue in the project's order: the records the reader has voted on
/// first, in the order voted, then the others as the model ranks them, `keep` (the record on
/// screen) first among them so that a new ranking never changes the card under the reader's
/// hands, and the records the reader `postponed` last, in the order postponed. The model
/// learns from the reader's own votes only (include and exclude; "maybe" counts as neither),
/// so a queue never carries another reviewer's judgement, blind or not. Until it can rank,
/// the lead's known includes come first ([`ecolens_core::Project::known_includes`]): a
/// project setting picked before screening, like the priors of ASReview LAB.
pub fn ranked_queue(
    project: &ecolens_core::Project,
    reader: Option<ecolens_core::ReviewerId>,
    stage: Stage,
    keep: Option<ecolens_core::RecordId>,
    postponed: &[ecolens_core::RecordId],
    cache: &mut FeatureCache,
) -> Result<(Vec<ecolens_core::QueueItem>, QueueNote)> {
    use ecolens_core::Decision;
    use ecolens_core::priority::QueueOrder;
    let started = Instant::now();
    // This thread's CPU time, not the wall clock: a busy machine must not inflate the
    // review's footprint.
    let cpu_started = cpu_time::ThreadTime::try_now().ok();
    let seen = super::project::seen_by(project, reader)?;
    let queue = project.screening_queue(stage, &seen)?;
    let settings = project.priority_settings()?;
    let voted = project.own_votes_in_order(stage, &seen)?;
    let own: Vec<(ecolens_core::RecordId, bool)> = voted
        .iter()
        .filter_map(|(record, decision)| match decision {
            Decision::Include => Some((*record, true)),
            Decision::Exclude { .. } => Some((*record, false)),
            Decision::Maybe => None,
        })
        .collect();
    let includes = own.iter().filter(|(_, i)| *i).count();
    let mut note = QueueNote {
        order: settings.order,
        ranked: false,
        includes,
        excludes: own.len() - includes,
        took_ms: 0.0,
        known_first: 0,
        features: None,
    };
    let QueueOrder::Model(strategy) = settings.order else {
        note.took_ms = started.elapsed().as_secs_f64() * 1000.0;
        return Ok((last(queue, keep, postponed), note));
    };
    let (features, ids, source) = cache.get(project)?;
    note.features = Some(source);
    let row_of = |record: ecolens_core::RecordId| ids.binary_search(&record).ok();
    let decided: Vec<(usize, bool)> = own
        .iter()
        .filter_map(|(record, include)| row_of(*record).map(|row| (row, *include)))
        .collect();
    let mut trainer =
        ecolens_corpus::rank::Trainer::new(features, ModelOptions::default(), settings.seed);
    let model = trainer.train(features, &decided);
    note.ranked = model.is_some();
    let voted_rank: std::collections::HashMap<ecolens_core::RecordId, usize> = voted
        .iter()
        .enumerate()
        .map(|(i, (record, _))| (*record, i))
        .collect();
    let (mut done, rest): (Vec<_>, Vec<_>) = queue
        .into_iter()
        .partition(|item| voted_rank.contains_key(&item.record));
    done.sort_by_key(|item| voted_rank.get(&item.record).copied());
    let candidates: Vec<(u64, Option<f64>)> = rest
        .iter()
        .map(|item| {
            let score = model
                .zip(row_of(item.record))
                .map(|(model, row)| model.score(features.row(row)));
            (u64::try_from(item.record.0).unwrap_or(0), score)
        })
        .collect();
    let order = ecolens_corpus::rank::queue::order(&candidates, strategy, settings.seed);
    let mut ranked: Vec<ecolens_core::QueueItem> = Vec::with_capacity(rest.len());
    let mut rest: Vec<Option<ecolens_core::QueueItem>> = rest.into_iter().map(Some).collect();
    if let Some(keep) = keep
        && let Some(slot) = rest
            .iter_mut()
            .find(|s| s.as_ref().is_some_and(|i| i.record == keep))
        && let Some(item) = slot.take()
    {
        ranked.push(item);
    }
    if !note.ranked {
        for known in project.known_includes()? {
            if let Some(item) = rest
                .iter_mut()
                .find(|s| s.as_ref().is_some_and(|i| i.record == known))
                .and_then(Option::take)
            {
                ranked.push(item);
                note.known_first += 1;
            }
        }
    }
    for i in order {
        if let Some(item) = rest.get_mut(i).and_then(Option::take) {
            ranked.push(item);
        }
    }
    done.extend(ranked);
    note.took_ms = started.elapsed().as_secs_f64() * 1000.0;
    if note.ranked {
        let cpu_seconds = cpu_started
            .and_then(|t| t.try_elapsed().ok())
            .map_or(note.took_ms / 1000.0, |d| d.as_secs_f64());
        // Ranking reads; a project that cannot be written (a read-only copy) still ranks,
        // and says in the log what its footprint misses.
        if let Err(error) = project.record_compute(reader, RANKING, cpu_seconds) {
            log::warn!("the ranking's CPU time was not noted: {error}");
        }
    }
    Ok((last(done, keep, postponed), note))
}

/// The activity a ranking of a screening queue is noted under in the project's computing.
pub const RANKING: &str = "ranking";

/// The review's own screening computing: every ranking of a queue by the model so far, its
/// CPU time, and that time's energy and emissions ([`cpu_footprint`] with the project's own
/// factors).
#[derive(Debug, Clone, Serialize)]
pub struct ScreeningFootprint {
    /// Rankings of a queue by the model.
    pub rankings: u64,
    /// Their CPU time, in seconds.
    pub cpu_seconds: f64,
    /// First and last ranking (RFC 3339), when there was one.
    pub since: Option<String>,
    /// The estimate, with every assumption and its source.
    pub estimate: ecolens_core::estimate::Estimate,
}

/// The review's screening computing so far ([`ScreeningFootprint`]).
pub fn screening_footprint(project: &ecolens_core::Project) -> Result<ScreeningFootprint> {
    let ranking = project
        .compute_totals()?
        .into_iter()
        .find(|t| t.activity == RANKING);
    let cpu_seconds = ranking.as_ref().map_or(0.0, |t| t.cpu_seconds);
    Ok(ScreeningFootprint {
        rankings: ranking.as_ref().map_or(0, |t| t.runs),
        cpu_seconds,
        since: ranking.map(|t| t.first_at),
        estimate: cpu_footprint(cpu_seconds, &project.factor_overrides()?)?,
    })
}

impl ScreeningFootprint {
    /// In words: "412 ranking(s) of the screening queue by the model: 38.2 s of CPU time, …"
    /// ([`footprint_words`]).
    pub fn words(&self) -> String {
        format!(
            "{} ranking(s) of the screening queue by the model: {}",
            self.rankings,
            footprint_words(self.cpu_seconds, &self.estimate)
        )
    }
}

/// `queue` with the `postponed` records not yet voted on moved to its end, in the order
/// postponed (`keep`, the record on screen, stays where it is).
fn last(
    queue: Vec<ecolens_core::QueueItem>,
    keep: Option<ecolens_core::RecordId>,
    postponed: &[ecolens_core::RecordId],
) -> Vec<ecolens_core::QueueItem> {
    let moves = |item: &ecolens_core::QueueItem| {
        item.own.is_none() && Some(item.record) != keep && postponed.contains(&item.record)
    };
    let (mut rest, mut moved): (Vec<_>, Vec<_>) = queue.into_iter().partition(|item| !moves(item));
    moved.sort_by_key(|item| postponed.iter().position(|p| *p == item.record));
    rest.extend(moved);
    rest
}

/// What the stopping rule says of the reader's screening at `stage`: their own votes in the
/// order cast (includes relevant) out of the records in their queue.
pub fn stopping_test(
    project: &ecolens_core::Project,
    reader: Option<ecolens_core::ReviewerId>,
    stage: Stage,
) -> Result<ecolens_core::stopping::StoppingTest> {
    Ok(screening_progress(project, reader, stage)?.test)
}

/// The reader's screening at `stage` so far: their votes in the order cast (`true` for an
/// include) and what the stopping rule says of them.
#[derive(Debug, Clone, Serialize)]
pub struct ScreeningProgress {
    /// The reader's votes in order, `true` for an include ("maybe" left out).
    pub found: Vec<bool>,
    /// The stopping rule's verdict.
    pub test: ecolens_core::stopping::StoppingTest,
}

impl ScreeningProgress {
    /// Records screened since the last include (all of them when none was included).
    pub fn since_last_include(&self) -> usize {
        self.found.iter().rev().take_while(|f| !**f).count()
    }
}

/// The reader's [`ScreeningProgress`] at `stage`.
pub fn screening_progress(
    project: &ecolens_core::Project,
    reader: Option<ecolens_core::ReviewerId>,
    stage: Stage,
) -> Result<ScreeningProgress> {
    let seen = super::project::seen_by(project, reader)?;
    let reviewer = seen.require_reader("a stopping test")?.id;
    let total = project.screening_queue(stage, &seen)?.len();
    let found = project.includes_in_order(reviewer, stage, &seen)?;
    let settings = project.priority_settings()?;
    let test = ecolens_core::stopping::test(&found, total, settings.stopping);
    Ok(ScreeningProgress { found, test })
}

/// A reviewer's screening at a stage: the queue's order, the next records, the counts and the
/// stopping rule's verdict (`ecolens screen status`).
#[derive(Debug, Clone, Serialize)]
pub struct ScreeningStatus {
    /// The stage.
    pub stage: Stage,
    /// The project's settings.
    pub settings: ecolens_core::priority::PrioritySettings,
    /// How the queue was ordered.
    pub note: QueueNote,
    /// Records in the queue.
    pub total: usize,
    /// Records the reader has voted on.
    pub screened: usize,
    /// The next records to screen, in order: id and title.
    pub next: Vec<(ecolens_core::RecordId, String)>,
    /// The stopping rule's verdict.
    pub stopping: ecolens_core::stopping::StoppingTest,
    /// The review's screening computing so far (every reviewer's rankings, this one's too).
    pub footprint: ScreeningFootprint,
}

/// The reader's screening status at `stage`, with the `next` records to come.
pub fn status(
    project: &ecolens_core::Project,
    reader: Option<ecolens_core::ReviewerId>,
    stage: Stage,
    next: usize,
) -> Result<ScreeningStatus> {
    let mut cache = FeatureCache::default();
    let (queue, note) = ranked_queue(project, reader, stage, None, &[], &mut cache)?;
    let screened = queue.iter().filter(|q| q.own.is_some()).count();
    let next = queue
        .iter()
        .filter(|q| q.own.is_none())
        .take(next)
        .map(|q| {
            let title = project
                .record(q.record)
                .map(|r| ecolens_core::record::shown_title(&r.record.title).to_owned())?;
            Ok((q.record, title))
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(ScreeningStatus {
        stage,
        settings: project.priority_settings()?,
        note,
        total: queue.len(),
        screened,
        next,
        stopping: stopping_test(project, reader, stage)?,
        footprint: screening_footprint(project)?,
    })
}

/// Sets the words and phrases highlighted on the screening card (any reviewer).
pub fn set_highlight(
    project: &mut ecolens_core::Project,
    reviewer: ecolens_core::ReviewerId,
    terms: &ecolens_core::priority::HighlightTerms,
) -> Result<ecolens_core::priority::HighlightTerms> {
    Ok(project.set_highlight_terms(reviewer, terms)?)
}

/// Sets the known includes screening starts with (a lead only).
pub fn set_known_includes(
    project: &mut ecolens_core::Project,
    lead: ecolens_core::ReviewerId,
    records: &[ecolens_core::RecordId],
) -> Result<Vec<ecolens_core::RecordId>> {
    Ok(project.set_known_includes(lead, records)?)
}

/// Sets how screening queues are ordered and the stopping rule's settings (a lead only).
pub fn set_priority(
    project: &mut ecolens_core::Project,
    lead: ecolens_core::ReviewerId,
    settings: ecolens_core::priority::PrioritySettings,
) -> Result<ecolens_core::priority::PrioritySettings> {
    Ok(project.set_priority_settings(lead, settings)?)
}

/// The Methods paragraph of the review's screening ([`ecolens_core::priority::methods_paragraph`]):
/// every reviewer's figures for a reader who sees the review's overview (a lead, or anyone
/// once unblinded), the reader's own otherwise.
pub fn methods(
    project: &ecolens_core::Project,
    reader: Option<ecolens_core::ReviewerId>,
) -> Result<String> {
    let seen = super::project::seen_by(project, reader)?;
    let overview = seen
        .require_overview("every reviewer's screening figures")
        .is_ok();
    let settings = project.priority_settings()?;
    // Title/abstract screening covers every record.
    let total = usize::try_from(project.record_count()?).unwrap_or(usize::MAX);
    let mut reviewers = Vec::new();
    for reviewer in project.reviewers()? {
        if !overview && Some(reviewer.id) != reader {
            continue;
        }
        let screened = project.includes_in_order(reviewer.id, Stage::TitleAbstract, &seen)?;
        if !screened.is_empty() {
            let test = ecolens_core::stopping::test(&screened, total, settings.stopping);
            reviewers.push((reviewer.name, test));
        }
    }
    let mut paragraph = ecolens_core::priority::methods_paragraph(
        &settings,
        &ecolens_corpus::rank::describe(&ModelOptions::default(), &FeatureOptions::default()),
        env!("CARGO_PKG_VERSION"),
        &reviewers,
    );
    let footprint = screening_footprint(project)?;
    if footprint.rankings > 0 {
        paragraph.push_str(" The screening's own computing: ");
        paragraph.push_str(&footprint.words());
        paragraph.push('.');
    }
    Ok(paragraph)
}

/// The recall curves of `runs` (includes found against records screened, after the priors)
/// as an SVG drawing, with the straight line random order gives on average, and the runs of
/// another tool in a second colour when given (`peers`: each a run's hits in order).
pub fn recall_svg(report: &SimulationReport, peers: &[(String, Vec<Vec<bool>>)]) -> String {
    use std::fmt::Write as _;
    const WIDTH: f64 = 720.0;
    const HEIGHT: f64 = 440.0;
    const LEFT: f64 = 64.0;
    const RIGHT: f64 = 24.0;
    const TOP: f64 = 40.0;
    const BOTTOM: f64 = 56.0;
    // Counted after the priors, as the runs are: every run finds every include left.
    let first = report.runs.first();
    let records = first.map_or(report.records, |run| report.records - run.priors.len());
    let includes = first
        .map_or(report.includes, |run| {
            run.hits.iter().filter(|h| **h).count()
        })
        .max(1);
    #[allow(clippy::cast_precision_loss)] // Record counts.
    let (all, found_all) = (records.max(1) as f64, includes as f64);
    let at_x = |screened: f64| LEFT + (WIDTH - LEFT - RIGHT) * screened / all;
    let at_y = |found: f64| HEIGHT - BOTTOM - (HEIGHT - TOP - BOTTOM) * found / found_all;
    let mut svg = String::new();
    let _ = writeln!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" font-family="sans-serif" font-size="12">"#
    );
    let _ = writeln!(svg, r#"<rect width="100%" height="100%" fill="white"/>"#);
    let _ = writeln!(
        svg,
        r##"<text x="{LEFT}" y="18" font-size="14">Recall: includes found against records screened</text><text x="{LEFT}" y="33" font-size="11" fill="#555">{}: {} records and {} includes after the priors; {}</text>"##,
        ecolens_core::prisma::escape(
            &report
                .file
                .file_name()
                .map_or_else(String::new, |f| f.to_string_lossy().into_owned())
        ),
        records,
        includes,
        ecolens_core::prisma::escape(&report.strategy)
    );
    // Axes and ticks.
    let _ = writeln!(
        svg,
        r##"<path d="M{LEFT} {TOP} V{} H{}" fill="none" stroke="#333"/>"##,
        HEIGHT - BOTTOM,
        WIDTH - RIGHT
    );
    for step in 0..=4 {
        let f = f64::from(step) / 4.0;
        let _ = writeln!(
            svg,
            r##"<text x="{:.1}" y="{:.1}" text-anchor="middle" fill="#333">{:.0}</text><text x="{:.1}" y="{:.1}" text-anchor="end" fill="#333">{:.0} %</text>"##,
            at_x(f * all),
            HEIGHT - BOTTOM + 16.0,
            f * all,
            LEFT - 6.0,
            at_y(f * found_all) + 4.0,
            f * 100.0
        );
    }
    let _ = writeln!(
        svg,
        r##"<text x="{:.1}" y="{:.1}" text-anchor="middle" fill="#333">records screened</text>"##,
        (LEFT + WIDTH - RIGHT) / 2.0,
        HEIGHT - 16.0
    );
    // Random order, on average: a straight line.
    let _ = writeln!(
        svg,
        r##"<path d="M{:.1} {:.1} L{:.1} {:.1}" stroke="#999" stroke-dasharray="5 4" fill="none"/>"##,
        at_x(0.0),
        at_y(0.0),
        at_x(all),
        at_y(found_all)
    );
    let curve = |hits: &[bool]| {
        let mut d = format!("M{:.1} {:.1}", at_x(0.0), at_y(0.0));
        let mut found = 0.0;
        for (i, hit) in hits.iter().enumerate() {
            if *hit {
                #[allow(clippy::cast_precision_loss)]
                let at = (i + 1) as f64;
                let _ = write!(d, " H{:.1} V{:.1}", at_x(at), at_y(found + 1.0));
                found += 1.0;
            }
        }
        d
    };
    let mut legend = vec![("#999", "random order (expected)".to_owned())];
    // Another tool's runs first, so that ecolens's are drawn over them.
    for (name, runs) in peers {
        for hits in runs {
            let _ = writeln!(
                svg,
                r##"<path d="{}" stroke="#b35900" stroke-opacity="0.7" fill="none"/>"##,
                curve(hits)
            );
        }
        legend.push(("#b35900", format!("{name}, {} run(s)", runs.len())));
    }
    for run in &report.runs {
        let _ = writeln!(
            svg,
            r##"<path d="{}" stroke="#1a7f37" stroke-opacity="0.7" fill="none"/>"##,
            curve(&run.hits)
        );
    }
    legend.push(("#1a7f37", format!("ecolens, {} run(s)", report.runs.len())));
    for (i, (color, text)) in legend.iter().enumerate() {
        #[allow(clippy::cast_precision_loss)]
        let at = HEIGHT - BOTTOM - 18.0 * (legend.len() - i) as f64;
        let _ = writeln!(
            svg,
            r#"<path d="M{:.1} {at:.1} h24" stroke="{color}" stroke-width="2"/><text x="{:.1}" y="{:.1}">{}</text>"#,
            WIDTH - RIGHT - 230.0,
            WIDTH - RIGHT - 200.0,
            at + 4.0,
            ecolens_core::prisma::escape(text)
        );
    }
    svg.push_str("</svg>\n");
    svg
}
