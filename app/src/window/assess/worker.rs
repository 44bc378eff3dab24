//! The Assess tab's thread (`ecolens-impact`): it reads a record's traces and scenarios and
//! the list of assessed records, attaches and detaches traces, saves scenarios and the
//! project's factor overrides, computes estimates, gathers the end-to-end summary (only when
//! it is shown) and writes reports, all through [`crate::service::assess`]. Every command is
//! answered by exactly one [`ImpactEvent`]. Monte Carlo runs are jobs of their own
//! ([`run_lca`], on an `ecolens-montecarlo` thread) with progress and cancel, so a long run
//! never holds up reads.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::sync::mpsc::Receiver;

use ecolens_core::estimate::{Estimate, FactorOverrides};
use ecolens_core::lca::Scenario;
use ecolens_core::report::{RecordReport, ReportOptions, TraceView};
use ecolens_core::store::AssessedRecord;
use ecolens_core::{Project, RecordId, ReviewerId, ScenarioId, TraceId};

use super::super::worker::{Event, JobOutcome, Outbox};
use crate::service::assess::{
    self as service, Attached, EstimateRequest, ReportFormat, ReportRequest, ReportWritten,
};
use crate::service::{self as services, Error};

pub use crate::service::assess::LcaOutcome;

/// Monte Carlo runs behind the end-to-end summary's intervals.
pub const SUMMARY_RUNS: usize = 10_000;

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
    /// Records with traces or scenarios (one query).
    pub records: Vec<AssessedRecord>,
}

/// Requests to the Assess thread.
#[derive(Debug, Clone)]
pub enum ImpactCommand {
    /// Read the desk of a record (or only the record list).
    Load {
        /// The record in focus.
        record: Option<RecordId>,
    },
    /// Attach a trace file's runs to the record.
    Attach {
        /// The record.
        record: RecordId,
        /// The file.
        path: PathBuf,
    },
    /// Detach one run.
    Detach {
        /// The record shown.
        record: RecordId,
        /// The run.
        trace: TraceId,
    },
    /// Save a scenario with the record (replacing the one of the same name).
    SaveScenario {
        /// The record.
        record: RecordId,
        /// The scenario (its TOML is what is stored).
        scenario: Box<Scenario>,
    },
    /// Replace the project's factor overrides.
    SetOverrides {
        /// The record shown.
        record: Option<RecordId>,
        /// The new overrides.
        overrides: FactorOverrides,
    },
    /// Compute an estimate.
    Estimate(Box<(EstimateRequest, FactorOverrides)>),
    /// LLM requests by EcoLogits' method.
    Inference(Box<(service::InferenceRequest, FactorOverrides)>),
    /// Audit a paper's stated chain; with a record, attach it as the reader.
    AuditPaper {
        /// The record to attach it to.
        record: Option<RecordId>,
        /// The reviewer at the keyboard.
        reader: Option<ReviewerId>,
        /// The figures.
        chain: Box<ecolens_core::paper_audit::PaperChain>,
    },
    /// Find the figures a record's text states.
    RecordCues {
        /// The record.
        record: RecordId,
    },
    /// Read the audits attached to a record as the reader may see them.
    PaperAudits {
        /// The record.
        record: RecordId,
        /// The reviewer at the keyboard.
        reader: Option<ReviewerId>,
    },
    /// The record's direct-rebound risks the reader may see, for a scenario's rebound.
    DirectRisks {
        /// The record.
        record: RecordId,
        /// Who reads.
        reader: Option<ReviewerId>,
    },
    /// Gather the end-to-end summary of a record as the reader may see it.
    Summary {
        /// The record.
        record: RecordId,
        /// The reviewer at the keyboard.
        reader: Option<ReviewerId>,
    },
    /// Write a report of the record (or of every assessed record).
    Report {
        /// The request.
        request: ReportRequest,
        /// Who reads it.
        reader: Option<ReviewerId>,
    },
}

/// What a write of the Assess tab did.
#[derive(Debug, Clone)]
pub enum ImpactDone {
    /// A trace file's runs attached.
    Attached(Attached, PathBuf),
    /// A run detached.
    Detached(TraceId),
    /// A scenario saved.
    ScenarioSaved(ScenarioId, RecordId),
    /// The project's factors replaced (empty: the shipped defaults again).
    Overrides(FactorOverrides),
}

/// What the Assess thread answers.
#[derive(Debug)]
pub enum ImpactEvent {
    /// A desk read.
    Desk(Box<ImpactDesk>),
    /// A write went through; the desk after it.
    Done(Box<ImpactDone>, Box<ImpactDesk>),
    /// The record asked for could not be read: the list without it, and why.
    Missing(Box<ImpactDesk>, Error),
    /// An estimate.
    Estimated(Box<Estimate>),
    /// LLM requests' impacts.
    Inferred(Box<service::InferenceEstimate>),
    /// A paper audited; when attached: its id, the record, and the record's audits as the
    /// reader sees them with how many are hidden.
    Audited {
        /// The audit.
        audit: Box<ecolens_core::paper_audit::PaperAudit>,
        /// Where it went.
        attached: Option<(
            i64,
            RecordId,
            Vec<ecolens_core::store::StoredPaperAudit>,
            usize,
        )>,
    },
    /// The figures a record's text states.
    RecordCues(RecordId, Box<service::RecordCues>),
    /// A record's attached audits as the reader sees them, and how many are hidden.
    PaperAudits(RecordId, Vec<ecolens_core::store::StoredPaperAudit>, usize),
    /// The end-to-end summary of a record, or why there is none.
    Summary(RecordId, services::Result<Box<RecordReport>>),
    /// A record's direct-rebound risks, or why they cannot feed a scenario.
    DirectRisks(RecordId, services::Result<Vec<service::DirectRisk>>),
    /// A report was written.
    Report(Box<ReportWritten>),
    /// A request was refused or failed: what did not happen ("Not attached"), and why.
    Failed(&'static str, Error),
}

/// Runs the Assess thread until the window goes away.
pub fn impact_thread(path: &Path, commands: &Receiver<ImpactCommand>, outbox: &Outbox) {
    // The shipped factor tables are parsed on first use; here, not in a frame of the
    // calculator or the factor picker, which read them while drawing.
    let _ = ecolens_core::factors::library();
    // EcoLogits' model table too: the LLM form lists its models while drawing.
    let _ = ecolens_core::ecologits::models(None);
    let mut project = match Project::open_existing(path) {
        Ok(project) => Some(project),
        Err(error) => {
            outbox.send(Event::Impact(ImpactEvent::Failed(
                "The assessment data cannot be read",
                error.into(),
            )));
            None
        }
    };
    while let Ok(command) = commands.recv() {
        let event = match project.as_mut() {
            Some(project) => answer(project, command),
            None => ImpactEvent::Failed(
                "Not done",
                Error::Core(ecolens_core::Error::NotFound {
                    entity: "project connection",
                    key: path.display().to_string(),
                }),
            ),
        };
        outbox.send(Event::Impact(event));
    }
}

fn answer(project: &mut Project, command: ImpactCommand) -> ImpactEvent {
    let done = |project: &Project, done: ImpactDone, record| match read_desk(project, record) {
        Ok(desk) => ImpactEvent::Done(Box::new(done), Box::new(desk)),
        Err(error) => ImpactEvent::Failed("Done, but the record cannot be read again", error),
    };
    let what = match &command {
        ImpactCommand::Load { .. }
        | ImpactCommand::DirectRisks { .. }
        | ImpactCommand::Summary { .. }
        | ImpactCommand::PaperAudits { .. }
        | ImpactCommand::RecordCues { .. } => "Not read",
        ImpactCommand::AuditPaper { record: None, .. } => "Not audited",
        ImpactCommand::AuditPaper { .. } | ImpactCommand::Attach { .. } => "Not attached",
        ImpactCommand::Detach { .. } => "Not detached",
        ImpactCommand::SaveScenario { .. } | ImpactCommand::SetOverrides { .. } => "Not saved",
        ImpactCommand::Estimate(_) | ImpactCommand::Inference(_) => "No estimate",
        ImpactCommand::Report { .. } => "Not written",
    };
    let result = match command {
        ImpactCommand::Load { record } => {
            return match read_desk(project, record) {
                Ok(desk) => ImpactEvent::Desk(Box::new(desk)),
                // A record that cannot be read (a typed id that does not exist): the list
                // without it, and why.
                Err(error) => match read_desk(project, None) {
                    Ok(desk) => ImpactEvent::Missing(Box::new(desk), error),
                    Err(again) => ImpactEvent::Failed(what, again),
                },
            };
        }
        ImpactCommand::Attach { record, path } => service::attach(project, Some(record), &path)
            .map(|attached| done(project, ImpactDone::Attached(attached, path), Some(record))),
        ImpactCommand::Detach { record, trace } => service::detach(project, trace)
            .map(|()| done(project, ImpactDone::Detached(trace), Some(record))),
        ImpactCommand::SaveScenario { record, scenario } => scenario
            .to_toml()
            .map_err(Error::from)
            .and_then(|toml| service::save_scenario(project, record, &toml))
            .map(|id| done(project, ImpactDone::ScenarioSaved(id, record), Some(record))),
        ImpactCommand::SetOverrides { record, overrides } => {
            service::replace_factors(project, &overrides)
                .map(|now| done(project, ImpactDone::Overrides(now), record))
        }
        ImpactCommand::Estimate(request) => {
            let (request, overrides) = *request;
            service::factors(project)
                .and_then(|factors| service::estimate(&request, &factors, &overrides))
                .map(|estimate| ImpactEvent::Estimated(Box::new(estimate)))
        }
        ImpactCommand::AuditPaper {
            record,
            reader,
            chain,
        } => service::audit_paper(Some(project), reader, record, &chain).and_then(|(audit, id)| {
            let attached = match (id, record) {
                (Some(id), Some(record)) => {
                    let (list, hidden) = service::paper_audits(project, reader, record)?;
                    Some((id, record, list, hidden))
                }
                _ => None,
            };
            Ok(ImpactEvent::Audited {
                audit: Box::new(audit),
                attached,
            })
        }),
        ImpactCommand::RecordCues { record } => service::record_cues(project, record)
            .map(|cues| ImpactEvent::RecordCues(record, Box::new(cues))),
        ImpactCommand::DirectRisks { record, reader } => Ok(ImpactEvent::DirectRisks(
            record,
            service::direct_risks(project, reader, record),
        )),
        ImpactCommand::PaperAudits { record, reader } => {
            service::paper_audits(project, reader, record)
                .map(|(list, hidden)| ImpactEvent::PaperAudits(record, list, hidden))
        }
        ImpactCommand::Inference(request) => {
            let (request, overrides) = *request;
            service::factors(project)
                .and_then(|factors| service::inference(&request, &factors, &overrides))
                .map(|estimate| ImpactEvent::Inferred(Box::new(estimate)))
        }
        ImpactCommand::Summary { record, reader } => {
            let options = ReportOptions {
                runs: SUMMARY_RUNS,
                seed: 1,
            };
            return ImpactEvent::Summary(
                record,
                service::record_report(project, reader, record, &options).map(Box::new),
            );
        }
        ImpactCommand::Report { request, reader } => service::report(project, reader, &request)
            .map(|written| ImpactEvent::Report(Box::new(written))),
    };
    result.unwrap_or_else(|error| ImpactEvent::Failed(what, error))
}

fn read_desk(project: &Project, record: Option<RecordId>) -> services::Result<ImpactDesk> {
    let overrides = service::factors(project)?;
    let records = service::assessed_records(project)?;
    let Some(record) = record else {
        return Ok(ImpactDesk {
            record: None,
            title: String::new(),
            traces: Vec::new(),
            scenarios: Vec::new(),
            overrides,
            records,
        });
    };
    let title = project.record(record)?.record.title;
    let traces = service::trace_views(project, record)?;
    let scenarios = service::scenarios(project, record)?
        .into_iter()
        .map(|s| (s.name, s.toml))
        .collect();
    Ok(ImpactDesk {
        record: Some(record),
        title,
        traces,
        scenarios,
        overrides,
        records,
    })
}

/// A Monte Carlo job: evaluates the scenario, then `runs` paired runs with progress every
/// 1,000 runs (cancelled when `cancel` is set), then the tornado of every criterion.
pub fn run_lca(
    project_path: &Path,
    scenario: Scenario,
    (runs, seed): (usize, u64),
    (job, cancel): (u64, &Arc<AtomicBool>),
    outbox: &Outbox,
) -> JobOutcome {
    let project = match Project::open_existing(project_path) {
        Ok(project) => project,
        Err(error) => return JobOutcome::Failed(error.into()),
    };
    let progress = |done: usize| {
        #[allow(clippy::cast_precision_loss)]
        let fraction = done as f32 / runs.max(1) as f32;
        outbox.send(Event::Progress {
            job,
            text: format!("{done} of {runs} runs"),
            fraction: Some(fraction),
        });
    };
    service::evaluate_scenario(&project, scenario, runs, seed, cancel, &progress)
        .map(|outcome| JobOutcome::Lca(Box::new(outcome)))
        .into()
}

/// A report to write from the tab.
pub fn report_request(
    record: Option<RecordId>,
    format: ReportFormat,
    path: PathBuf,
) -> ReportRequest {
    ReportRequest {
        record,
        format,
        path,
        runs: SUMMARY_RUNS,
        seed: 1,
    }
}
