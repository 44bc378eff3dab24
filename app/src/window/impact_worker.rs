//! The Assess tab's thread (`ecolens-impact`): it reads a record's traces, scenarios and
//! end-to-end summary, attaches and detaches traces, saves scenarios and the project's factor
//! overrides, computes estimates and writes reports. Every command is answered by exactly one
//! [`ImpactEvent`]. Monte Carlo runs are jobs of their own ([`run_lca`], on an
//! `ecolens-montecarlo` thread) with progress and cancel, so a long run never holds up reads.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::Receiver;

use ecolens_core::estimate::{Estimate, FactorOverrides, RunFootprint};
use ecolens_core::lca::{
    Evaluation, MonteCarlo, Scenario, TornadoBar, evaluate, monte_carlo_with_progress, tornado,
};
use ecolens_core::report::{RecordReport, ReportOptions, TraceView};
use ecolens_core::{Project, RecordId, TraceId};

use super::worker::{Event, JobOutcome, Outbox};
use crate::assess_commands::{EstimateArgs, ReportFormat};

/// Monte Carlo runs behind the end-to-end summary's intervals.
pub const SUMMARY_RUNS: usize = 10_000;

/// A record with traces or scenarios, for the Assess tab's list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordItem {
    /// The record.
    pub record: RecordId,
    /// Its title.
    pub title: String,
    /// Trace runs attached.
    pub traces: usize,
    /// Scenarios.
    pub scenarios: usize,
}

/// What the Assess tab shows of the record in focus.
#[derive(Debug, Clone)]
pub struct ImpactDesk {
    /// The record (`None`: nothing in focus yet).
    pub record: Option<RecordId>,
    /// Its title.
    pub title: String,
    /// Its trace runs, each with its footprint under the project's factors.
    pub traces: Vec<TraceView>,
    /// Its scenarios: (name, TOML).
    pub scenarios: Vec<(String, String)>,
    /// The project's factor overrides.
    pub overrides: FactorOverrides,
    /// The end-to-end summary, or why there is none (blind mode without a reviewer).
    pub summary: Result<Box<RecordReport>, String>,
    /// Records with traces or scenarios.
    pub records: Vec<RecordItem>,
}

/// Requests to the Assess thread.
#[derive(Debug, Clone)]
pub enum ImpactCommand {
    /// Read the desk of a record (or only the record list).
    Load {
        /// The record in focus.
        record: Option<RecordId>,
        /// The reviewer at the keyboard (blind mode shows the summary only to them).
        viewer: Option<String>,
    },
    /// Attach a trace file's runs to the record.
    Attach {
        /// The record.
        record: RecordId,
        /// The file.
        path: PathBuf,
        /// See `Load`.
        viewer: Option<String>,
    },
    /// Detach one run.
    Detach {
        /// The record shown.
        record: RecordId,
        /// The run.
        trace: TraceId,
        /// See `Load`.
        viewer: Option<String>,
    },
    /// Save a scenario with the record (replacing the one of the same name).
    SaveScenario {
        /// The record.
        record: RecordId,
        /// Its TOML.
        toml: String,
        /// See `Load`.
        viewer: Option<String>,
    },
    /// Replace the project's factor overrides.
    SetOverrides {
        /// The record shown.
        record: Option<RecordId>,
        /// The new overrides.
        overrides: FactorOverrides,
        /// See `Load`.
        viewer: Option<String>,
    },
    /// Compute an estimate.
    Estimate(Box<(EstimateArgs, FactorOverrides)>),
    /// Write a report of the record (or of every assessed record).
    Report {
        /// The record, or `None` for the project.
        record: Option<RecordId>,
        /// Format.
        format: ReportFormat,
        /// Where.
        path: PathBuf,
        /// Who reads it.
        viewer: Option<String>,
    },
}

/// What the Assess thread answers.
#[derive(Debug, Clone)]
pub enum ImpactEvent {
    /// A desk, with what a request did in words (`true`: it went through).
    Desk(Box<ImpactDesk>, Option<(bool, String)>),
    /// An estimate, or why not.
    Estimated(Result<Box<Estimate>, String>),
    /// A report was written (the file), or why not.
    Report(Result<PathBuf, String>),
    /// A request failed; the words say why.
    Failed(String),
}

/// A scenario's result from a Monte Carlo job.
#[derive(Debug, Clone)]
pub struct LcaOutcome {
    /// The scenario evaluated.
    pub scenario: Scenario,
    /// Central values.
    pub evaluation: Evaluation,
    /// Intervals.
    pub monte_carlo: MonteCarlo,
    /// Tornado bars per criterion, largest swing first.
    pub tornado: Vec<Vec<TornadoBar>>,
}

/// Runs the Assess thread until the window goes away.
pub fn impact_thread(path: &Path, commands: &Receiver<ImpactCommand>, outbox: &Outbox) {
    // The shipped factor tables are parsed on first use; here, not in a frame of the
    // calculator or the factor picker, which read them while drawing.
    let _ = ecolens_core::factors::library();
    let mut project = match Project::open_existing(path) {
        Ok(project) => Some(project),
        Err(error) => {
            outbox.send(Event::Impact(ImpactEvent::Failed(format!(
                "The assessment data cannot be read: {error}"
            ))));
            None
        }
    };
    while let Ok(command) = commands.recv() {
        let event = match project.as_mut() {
            Some(project) => answer(project, command),
            None => ImpactEvent::Failed(
                "The assessment data cannot be read; reopen the project.".into(),
            ),
        };
        outbox.send(Event::Impact(event));
    }
}

fn answer(project: &mut Project, command: ImpactCommand) -> ImpactEvent {
    let desk = |project: &Project, record, viewer: Option<&str>, message: Option<String>| {
        match read_desk(project, record, viewer) {
            Ok(desk) => ImpactEvent::Desk(Box::new(desk), message.map(|m| (true, m))),
            // A record that cannot be read (a typed id that does not exist): the list without
            // it, and why.
            Err(error) => match read_desk(project, None, viewer) {
                Ok(desk) => ImpactEvent::Desk(Box::new(desk), Some((false, error))),
                Err(again) => ImpactEvent::Failed(again),
            },
        }
    };
    match command {
        ImpactCommand::Load { record, viewer } => desk(project, record, viewer.as_deref(), None),
        ImpactCommand::Attach {
            record,
            path,
            viewer,
        } => match ecolens_core::store::attach_trace_file(project, Some(record), &path) {
            Ok((file, ids)) => {
                let mut message = format!(
                    "Attached {} run(s) of {} from {}.",
                    ids.len(),
                    file.format.tool(),
                    path.display()
                );
                if !file.warnings.is_empty() {
                    message = format!("{message} {} warning(s): see the run.", file.warnings.len());
                }
                desk(project, Some(record), viewer.as_deref(), Some(message))
            }
            Err(error) => ImpactEvent::Failed(format!("Not attached: {error}")),
        },
        ImpactCommand::Detach {
            record,
            trace,
            viewer,
        } => match project.delete_trace(trace) {
            Ok(()) => desk(
                project,
                Some(record),
                viewer.as_deref(),
                Some(format!("Detached trace {trace}.")),
            ),
            Err(error) => ImpactEvent::Failed(format!("Not detached: {error}")),
        },
        ImpactCommand::SaveScenario {
            record,
            toml,
            viewer,
        } => match project.save_scenario(Some(record), &toml) {
            Ok(id) => desk(
                project,
                Some(record),
                viewer.as_deref(),
                Some(format!("Saved the scenario (#{id}) with record {record}.")),
            ),
            Err(error) => ImpactEvent::Failed(format!("Not saved: {error}")),
        },
        ImpactCommand::SetOverrides {
            record,
            overrides,
            viewer,
        } => match project.set_factor_overrides(&overrides) {
            Ok(()) => desk(
                project,
                record,
                viewer.as_deref(),
                Some(if overrides.is_empty() {
                    "The project uses the shipped factors again.".to_owned()
                } else {
                    "The project's own factors are saved; footprints use them.".to_owned()
                }),
            ),
            Err(error) => ImpactEvent::Failed(format!("Not saved: {error}")),
        },
        ImpactCommand::Estimate(request) => {
            let (args, overrides) = *request;
            ImpactEvent::Estimated(
                crate::assess_commands::compute_estimate(&args, &overrides)
                    .map(Box::new)
                    .map_err(|e| format!("{e:#}")),
            )
        }
        ImpactCommand::Report {
            record,
            format,
            path,
            viewer,
        } => ImpactEvent::Report(
            crate::assess_commands::report(
                project,
                record.map(|r| r.to_string()).as_deref(),
                format,
                &path,
                viewer.as_deref(),
                SUMMARY_RUNS,
                1,
            )
            .map(|_| path)
            .map_err(|e| format!("{e:#}")),
        ),
    }
}

fn read_desk(
    project: &Project,
    record: Option<RecordId>,
    viewer: Option<&str>,
) -> Result<ImpactDesk, String> {
    let text = |e: ecolens_core::Error| e.to_string();
    let overrides = project.factor_overrides().map_err(text)?;
    let mut counts: BTreeMap<RecordId, (usize, usize)> = BTreeMap::new();
    for t in project.traces(None).map_err(text)? {
        if let Some(r) = t.record {
            counts.entry(r).or_default().0 += 1;
        }
    }
    for s in project.scenarios(None).map_err(text)? {
        if let Some(r) = s.record {
            counts.entry(r).or_default().1 += 1;
        }
    }
    let mut records = Vec::with_capacity(counts.len());
    for (id, (traces, scenarios)) in counts {
        let title = project.record(id).map(|r| r.record.title).map_err(text)?;
        records.push(RecordItem {
            record: id,
            title,
            traces,
            scenarios,
        });
    }
    let Some(record) = record else {
        return Ok(ImpactDesk {
            record: None,
            title: String::new(),
            traces: Vec::new(),
            scenarios: Vec::new(),
            overrides,
            summary: Err("Choose a record.".into()),
            records,
        });
    };
    let title = project.record(record).map_err(text)?.record.title;
    let traces = project
        .traces(Some(record))
        .map_err(text)?
        .into_iter()
        .map(|t| TraceView {
            footprint: RunFootprint::of(&t.summary, &overrides),
            id: t.id,
            source_file: t.source_file,
            summary: t.summary,
        })
        .collect();
    let scenarios = project
        .scenarios(Some(record))
        .map_err(text)?
        .into_iter()
        .map(|s| (s.name, s.toml))
        .collect();
    let viewer_id = viewer.and_then(|name| project.reviewer_by_name(name).ok().map(|r| r.id));
    let summary = RecordReport::gather(
        project,
        record,
        &ReportOptions {
            viewer: viewer_id,
            runs: SUMMARY_RUNS,
            seed: 1,
        },
    )
    .map(Box::new)
    .map_err(|e| e.to_string());
    Ok(ImpactDesk {
        record: Some(record),
        title,
        traces,
        scenarios,
        overrides,
        summary,
        records,
    })
}

/// A Monte Carlo job: evaluates the scenario, then `runs` paired runs with progress every
/// 1,000 runs (cancelled when `cancel` is set), then the tornado of every criterion.
pub fn run_lca(
    project_path: &Path,
    toml: &str,
    runs: usize,
    seed: u64,
    (job, cancel): (u64, &Arc<AtomicBool>),
    outbox: &Outbox,
) -> JobOutcome {
    let scenario = match Scenario::from_toml(toml) {
        Ok(scenario) => scenario,
        Err(error) => return JobOutcome::Failed(format!("The scenario has a mistake: {error}")),
    };
    let attached: std::collections::HashMap<i64, f64> =
        match Project::open_existing(project_path).and_then(|p| p.traces(None)) {
            Ok(traces) => traces
                .into_iter()
                .map(|t| (t.id.0, t.summary.it_energy_kwh()))
                .collect(),
            Err(error) => {
                return JobOutcome::Failed(format!("The traces cannot be read: {error}"));
            }
        };
    let traces = |id: i64| attached.get(&id).copied();
    let evaluation = match evaluate(&scenario, &traces) {
        Ok(e) => e,
        Err(error) => {
            return JobOutcome::Failed(format!("The scenario cannot be evaluated: {error}"));
        }
    };
    let mut progress = |done: usize| {
        #[allow(clippy::cast_precision_loss)]
        let fraction = done as f32 / runs.max(1) as f32;
        outbox.send(Event::Progress {
            job,
            text: format!("{done} of {runs} runs"),
            fraction: Some(fraction),
        });
        !cancel.load(Ordering::Relaxed)
    };
    let monte_carlo = match monte_carlo_with_progress(&scenario, &traces, runs, seed, &mut progress)
    {
        Ok(Some(mc)) => mc,
        Ok(None) => return JobOutcome::Cancelled,
        Err(error) => return JobOutcome::Failed(format!("The Monte Carlo failed: {error}")),
    };
    let mut bars = Vec::with_capacity(scenario.criteria.len());
    for criterion in 0..scenario.criteria.len() {
        match tornado(&scenario, &traces, criterion) {
            Ok(b) => bars.push(b),
            Err(error) => return JobOutcome::Failed(format!("The tornado failed: {error}")),
        }
    }
    JobOutcome::Lca(Box::new(LcaOutcome {
        scenario,
        evaluation,
        monte_carlo,
        tornado: bars,
    }))
}
