//! `ecolens bench --suite hub`: reviewers syncing with a team hub at the same time.
//!
//! A throwaway PostgreSQL (Debian's `postgresql` binaries, loopback; or `--hub-url`, the owner's
//! connection to an empty database) gets a hub made from a project of generated records. Ten
//! reviewers join it, each in a project of their own. Then, all at once, each reviewer casts
//! 1,000 screening decisions in batches of 100 and syncs after each batch, on a thread of their
//! own, as ten machines would (the server's processes and the ten clients share the machine's
//! cores). Reported: decisions per second from the first decision to the last sync, the time
//! of each sync of 100 changes (median, p99, slowest), and what the hub holds afterwards
//! against what was cast (lost or doubled changes).
//!
//! There is no peer: no screening tool a review team picks syncs dual blinded votes to a
//! server (ASReview LAB's server mode shares one label per record). The figures are measured
//! against the goals instead: ≥ 5,000 decisions/s, p99 ≤ 200 ms, nothing lost or
//! doubled.

// The benchmark reports on stderr as it goes.
#![allow(clippy::print_stderr)]
// Counts and milliseconds of a benchmark are far below 2^52.
#![allow(clippy::cast_precision_loss)]

use std::fmt::Write as _;
use std::path::PathBuf;
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, bail};
use ecolens_core::record::SourceRef;
use ecolens_core::{Decision, Project, ScreeningVote, Stage};
use serde::Serialize;

use crate::cli::Output;
use crate::service::hub::{self as hub, Credentials};
use crate::throwaway_postgres::ThrowawayPostgres;

/// Options of the hub benchmark.
#[derive(Debug, Clone)]
pub struct HubBenchOptions {
    /// Reviewers syncing at once.
    pub reviewers: usize,
    /// Decisions each casts.
    pub decisions: usize,
    /// Decisions between two syncs.
    pub batch: usize,
    /// Where the files go.
    pub dir: PathBuf,
    /// The owner's connection to an empty database; `None` starts a throwaway server.
    pub hub_url: Option<String>,
}

/// What the benchmark measured.
#[derive(Debug, Clone, Serialize)]
pub struct HubBench {
    /// Reviewers.
    pub reviewers: usize,
    /// Decisions each.
    pub decisions_each: usize,
    /// Changes per sync.
    pub batch: usize,
    /// Seconds from the first decision to the last sync.
    pub wall_s: f64,
    /// Decisions per second over that time, local writes included.
    pub decisions_per_s: f64,
    /// Syncs timed.
    pub syncs: usize,
    /// Median sync, ms.
    pub sync_ms_median: f64,
    /// 99th percentile sync, ms.
    pub sync_ms_p99: f64,
    /// Slowest sync, ms.
    pub sync_ms_max: f64,
    /// Changes on the hub after the run.
    pub on_hub: u64,
    /// Changes cast and not on the hub.
    pub lost: i64,
    /// Changes on the hub more than once (the same record and reviewer twice).
    pub doubled: u64,
}

/// Runs the benchmark.
pub fn run(options: &HubBenchOptions) -> Result<Output> {
    if options.batch == 0 || options.reviewers == 0 {
        bail!("--hub-reviewers and the batch must be at least 1");
    }
    std::fs::create_dir_all(&options.dir)
        .with_context(|| format!("cannot create {}", options.dir.display()))?;
    let say = |line: &str| eprintln!("bench: {line}");
    let (_server, owner) = match &options.hub_url {
        Some(url) => (None, url.clone()),
        None => {
            say("starting a throwaway PostgreSQL");
            let server = ThrowawayPostgres::start(&options.dir.join("pg"))?;
            let owner = server.create_database("bench")?;
            (Some(server), owner)
        }
    };
    let records = options.decisions;
    say(&format!(
        "a lead's project of {records} records, and the hub"
    ));
    let credentials_path = options.dir.join("hubs.json");
    let mut credentials = Credentials::open(&credentials_path)?;
    let lead_file = options.dir.join("lead.ecolens");
    let mut lead = crate::service::project::open(&lead_file, false)?.project;
    let lena = lead.add_reviewer("Lena", true)?;
    fill(&mut lead, records)?;
    hub::init(&mut lead, &mut credentials, &owner, Some(lena.id), None)?;
    let mut joined = Vec::new();
    for r in 0..options.reviewers {
        let name = format!("Reviewer {r:02}");
        let invite = hub::add_reviewer(&mut lead, &credentials, Some(lena.id), &name, false, None)?;
        let file = options.dir.join(format!("reviewer-{r:02}.ecolens"));
        let mut project = crate::service::project::open(&file, false)?.project;
        let mut own = Credentials::open(&options.dir.join(format!("hubs-{r:02}.json")))?;
        hub::join(&mut project, &mut own, &invite.url)?;
        joined.push((file, options.dir.join(format!("hubs-{r:02}.json"))));
    }
    say(&format!(
        "{} reviewers × {} decisions, a sync every {}",
        options.reviewers, options.decisions, options.batch
    ));
    let start = Arc::new(Barrier::new(options.reviewers + 1));
    let mut threads = Vec::new();
    for (r, (file, saved)) in joined.into_iter().enumerate() {
        let start = Arc::clone(&start);
        let (decisions, batch) = (options.decisions, options.batch);
        threads.push(
            std::thread::Builder::new()
                .name(format!("ecolens-bench-hub-{r:02}"))
                .spawn(move || -> Result<Vec<Duration>> {
                    let mut project = Project::open(&file)?;
                    let saved = Credentials::open(&saved)?;
                    let me = project
                        .hub_link()?
                        .ok_or_else(|| anyhow!("reviewer {r} is not joined"))?;
                    let id = project
                        .reviewers()?
                        .into_iter()
                        .find(|x| x.name == me.reviewer)
                        .ok_or_else(|| anyhow!("reviewer {r} not in their copy"))?
                        .id;
                    let ids = project.records()?;
                    // One connection per reviewer, kept between syncs, as the window keeps it.
                    let mut syncer = hub::Syncer::default();
                    start.wait();
                    let mut syncs = Vec::new();
                    for (i, record) in ids.iter().take(decisions).enumerate() {
                        project.set_screening(
                            record.id,
                            id,
                            &ScreeningVote {
                                stage: Stage::TitleAbstract,
                                decision: if (i + r) % 7 == 0 {
                                    Decision::Include
                                } else {
                                    Decision::Exclude { reason: None }
                                },
                                note: None,
                            },
                        )?;
                        if (i + 1) % batch == 0 || i + 1 == decisions {
                            let at = Instant::now();
                            let report = syncer.sync(&mut project, &saved)?;
                            syncs.push(at.elapsed());
                            if report.pushed == 0 {
                                bail!("reviewer {r}: a sync pushed nothing");
                            }
                        }
                    }
                    Ok(syncs)
                })
                .context("cannot start a reviewer's thread")?,
        );
    }
    start.wait();
    let began = Instant::now();
    let mut syncs = Vec::new();
    for thread in threads {
        syncs.extend(
            thread
                .join()
                .map_err(|_| anyhow!("a reviewer's thread panicked"))??,
        );
    }
    let wall = began.elapsed().as_secs_f64();
    syncs.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    // The nearest rank of `percent` among the sorted syncs.
    let at = |percent: usize| {
        let index = (syncs.len().saturating_sub(1) * percent + 50) / 100;
        syncs.get(index).copied().map_or(0.0, ms)
    };
    let owner_url = ecolens_core::hub::HubUrl::parse("hub URL", &owner)?;
    let (on_hub, doubled) = ecolens_core::hub::Hub::connect(&owner_url)?.tally("lena")?;
    let (on_hub, doubled) = (
        u64::try_from(on_hub).unwrap_or(0),
        u64::try_from(doubled).unwrap_or(0),
    );
    let cast = (options.reviewers * options.decisions) as u64;
    let result = HubBench {
        reviewers: options.reviewers,
        decisions_each: options.decisions,
        batch: options.batch,
        wall_s: wall,
        decisions_per_s: cast as f64 / wall,
        syncs: syncs.len(),
        sync_ms_median: at(50),
        sync_ms_p99: at(99),
        sync_ms_max: syncs.last().copied().map_or(0.0, ms),
        on_hub,
        lost: i64::try_from(cast).unwrap_or(i64::MAX) - i64::try_from(on_hub).unwrap_or(0)
            + i64::try_from(doubled).unwrap_or(0),
        doubled,
    };
    let mut text = String::new();
    writeln!(
        text,
        "Team hub (PostgreSQL on loopback, {} reviewers syncing at once, a sync every {} decisions)",
        result.reviewers, result.batch
    )?;
    writeln!(
        text,
        "  {} decisions in {:.2} s: {:.0} decisions/s (goal ≥ 5,000), local writes included",
        cast, result.wall_s, result.decisions_per_s
    )?;
    writeln!(
        text,
        "  sync of {} changes: median {:.1} ms, p99 {:.1} ms (goal ≤ 200), slowest {:.1} ms over {} syncs",
        result.batch, result.sync_ms_median, result.sync_ms_p99, result.sync_ms_max, result.syncs
    )?;
    writeln!(
        text,
        "  on the hub: {} changes; lost {}, doubled {} (goal 0 and 0)",
        result.on_hub, result.lost, result.doubled
    )?;
    Ok(Output {
        json: serde_json::to_value(&result)?,
        text,
        failed: result.lost != 0 || result.doubled != 0,
    })
}

/// Adds `count` generated records to the lead's project.
fn fill(project: &mut Project, count: usize) -> Result<()> {
    let mut generator = ecolens_corpus::synth::Generator::new(20_261_207, 0);
    let mut session = project.begin_import()?;
    for i in 0..count {
        let generated = generator.next_record();
        let record = ecolens_core::Record {
            title: format!("{} ({i})", generated.title),
            abstract_text: Some(generated.abstract_text.clone()),
            year: Some(2000 + i32::try_from(i % 25).unwrap_or(0)),
            ..ecolens_core::Record::default()
        };
        session.insert(
            &record,
            &SourceRef {
                file: "generated".to_owned(),
                format: "bench".to_owned(),
                locator: Some(format!("record {i}")),
                original_key: None,
            },
        )?;
    }
    session.finish(&[], count as u64)?;
    project.end_import()?;
    Ok(())
}
