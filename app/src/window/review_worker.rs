//! The `ecolens-review` thread: the review views' reads and writes, on a connection of its
//! own, through the use-case layer ([`crate::service::review`]). Each command is answered by
//! exactly one [`ReviewEvent`]; a write answers with what it changed ([`Done`]), and the
//! window reads again only what that change touches.

use std::path::{Path, PathBuf};
use std::sync::mpsc::Receiver;

use ecolens_core::agreement::ScopeAgreement;
use ecolens_core::bundle::BundleReport;
use ecolens_core::consequence::ConsequenceRoot;
use ecolens_core::prisma::PrismaCounts;
use ecolens_core::store::AuditFilter;
use ecolens_core::{
    AuditEntry, Classification, ClassifyItem, Conflict, Decision, Project, ProjectLabel, QueueItem,
    ReboundRisk, RecordId, Resolution, ResolvedValue, ReviewSettings, Reviewer, ReviewerId, RiskId,
    RiskRecord, RiskSummary, ScreeningRule, ScreeningVote, Stage, StoredClassification, StoredRisk,
    Subject, UndoOutcome,
};
use ecolens_taxonomy::{EvalCategory, Term as _};

use super::session::Session;
use super::tabs::View;
use super::words;
use super::worker::{Event, Outbox};
use crate::service::bundle::BundleWritten;
use crate::service::review::{self as service, RecordDesk, ScreeningCard, TreeFormat, Voted};
use crate::service::{self as services, Error};

/// Requests to the review thread.
#[derive(Debug, Clone, PartialEq)]
pub enum ReviewCommand {
    /// Read what `view` shows, for `reader` at `stage`.
    Refresh {
        /// The reviewer at the keyboard.
        reader: Option<ReviewerId>,
        /// The screening stage shown.
        stage: Stage,
        /// The view shown: only its parts are read (conflicts and agreement over a large
        /// project take a second or more, too slow to follow every vote).
        view: View,
        /// The record on the screening card, kept first among the records not yet voted on
        /// when the queue is ranked again.
        keep: Option<RecordId>,
        /// Records the reader skipped for now: last in the queue until voted on.
        postponed: Vec<RecordId>,
    },
    /// Read one record for the screening view.
    Card {
        /// Which.
        record: RecordId,
        /// Who is screening.
        reader: ReviewerId,
        /// At which stage.
        stage: Stage,
    },
    /// Read one record for the classification and rebound views.
    Desk {
        /// Which.
        record: RecordId,
        /// Who is reading.
        reader: ReviewerId,
    },
    /// Change something.
    Write(Write),
}

/// A change the review views ask for; the reviewer who makes it is in each.
#[derive(Debug, Clone, PartialEq)]
pub enum Write {
    /// Cast (or change) a vote.
    Vote {
        /// Who.
        reviewer: ReviewerId,
        /// Which record.
        record: RecordId,
        /// Stage.
        stage: Stage,
        /// The decision.
        decision: Decision,
    },
    /// Classify a record on the a–f scale (the screening view's keys).
    Classify {
        /// Who.
        reviewer: ReviewerId,
        /// Which record.
        record: RecordId,
        /// The category.
        category: EvalCategory,
    },
    /// Save a classification with its answers, rationale and evidence (the Classify view).
    SaveClassification {
        /// Who.
        reviewer: ReviewerId,
        /// Which record.
        record: RecordId,
        /// The classification.
        classification: Box<Classification>,
    },
    /// Undo the reviewer's last change.
    Undo {
        /// Whose.
        reviewer: ReviewerId,
    },
    /// Add a reviewer.
    AddReviewer {
        /// Name.
        name: String,
        /// Lead or not.
        lead: bool,
    },
    /// Switch blind mode, and whether leads see all while blind.
    SetBlind {
        /// The lead.
        lead: ReviewerId,
        /// Blind or not.
        on: bool,
        /// Leads see everyone's judgements while blind (unchanged when `None`).
        leads_see_all: Option<bool>,
    },
    /// Set the screening rule.
    SetRule {
        /// The lead.
        lead: ReviewerId,
        /// The rule.
        rule: ScreeningRule,
    },
    /// Set the words and phrases highlighted on the screening card.
    SetHighlight {
        /// Who.
        reviewer: ReviewerId,
        /// The terms.
        terms: ecolens_core::priority::HighlightTerms,
    },
    /// Set the known includes screening starts with.
    SetKnownIncludes {
        /// The lead.
        lead: ReviewerId,
        /// The records, in order.
        records: Vec<RecordId>,
    },
    /// Set how screening queues are ordered, and the stopping rule.
    SetPriority {
        /// The lead.
        lead: ReviewerId,
        /// The settings.
        settings: ecolens_core::priority::PrioritySettings,
    },
    /// Resolve a disagreement.
    Resolve {
        /// The lead.
        lead: ReviewerId,
        /// Which record.
        record: RecordId,
        /// What.
        subject: Subject,
        /// The final value.
        value: ResolvedValue,
    },
    /// Write the PRISMA diagram.
    ExportPrisma {
        /// Who is reading (a lead while blind).
        reader: Option<ReviewerId>,
        /// Where.
        path: PathBuf,
    },
    /// Put a label on a record or take it off.
    SetLabel {
        /// Who.
        reviewer: ReviewerId,
        /// Which record.
        record: RecordId,
        /// Vocabulary (`rolnick-domain`, `ml-area`).
        vocabulary: String,
        /// Code.
        code: String,
        /// On or off.
        on: bool,
    },
    /// Add a risk (`id` `None`) or change one.
    SaveRisk {
        /// Who.
        reviewer: ReviewerId,
        /// Which record.
        record: RecordId,
        /// The risk changed, or `None` for a new one.
        id: Option<RiskId>,
        /// The risk.
        risk: Box<ReboundRisk>,
    },
    /// Delete one of the reviewer's risks.
    DeleteRisk {
        /// Who.
        reviewer: ReviewerId,
        /// Which.
        id: RiskId,
    },
    /// Set the root of the reviewer's consequence tree.
    SetRoot {
        /// Who.
        reviewer: ReviewerId,
        /// Which record.
        record: RecordId,
        /// The root.
        root: ConsequenceRoot,
    },
    /// Write a record's consequence tree (as the reader sees it).
    ExportTree {
        /// Who is reading.
        reader: ReviewerId,
        /// Which record.
        record: RecordId,
        /// Where; `.json` writes JSON, anything else SVG.
        path: PathBuf,
    },
    /// Write the reviewer's decision bundle.
    ExportBundle {
        /// Whose.
        reader: ReviewerId,
        /// Where.
        path: PathBuf,
    },
    /// Merge a decision bundle into the project.
    ImportBundle {
        /// The bundle file.
        path: PathBuf,
    },
}

/// What a write changed.
#[derive(Debug, Clone, PartialEq)]
pub enum Done {
    /// A vote, with the stage's outcome when the voter may see it.
    Voted(Box<Voted>),
    /// A classification.
    Classified(Box<StoredClassification>),
    /// A change undone.
    Undone(Box<UndoOutcome>),
    /// A reviewer added.
    ReviewerAdded(Reviewer),
    /// Review settings changed.
    Settings(ReviewSettings),
    /// The screening order or the stopping rule changed.
    Priority(ecolens_core::priority::PrioritySettings),
    /// The highlighted words changed.
    Highlight(ecolens_core::priority::HighlightTerms),
    /// The known includes changed.
    KnownIncludes(Vec<RecordId>),
    /// A resolution recorded.
    Resolved(Box<Resolution>),
    /// The PRISMA diagram written.
    PrismaWritten(PathBuf),
    /// A label put on or taken off.
    Labelled {
        /// The record.
        record: RecordId,
        /// Vocabulary.
        vocabulary: String,
        /// Code.
        code: String,
        /// On or off.
        on: bool,
    },
    /// A risk added or changed.
    RiskSaved {
        /// The risk as stored.
        stored: Box<StoredRisk>,
        /// Whether it was new.
        added: bool,
    },
    /// A risk deleted.
    RiskDeleted(RiskId),
    /// A tree's root set.
    RootSet {
        /// The record.
        record: RecordId,
        /// The root.
        root: ConsequenceRoot,
    },
    /// A tree written.
    TreeWritten {
        /// Where.
        path: PathBuf,
        /// Effects in it.
        effects: usize,
    },
    /// A bundle written.
    BundleWritten(Box<BundleWritten>),
    /// A bundle merged.
    BundleImported(Box<BundleReport>),
}

impl Done {
    /// What the change did, in words, with the names `session` knows.
    pub fn words(&self, session: &Session) -> String {
        let name = |id| session.name(id);
        match self {
            Self::Voted(voted) => format!(
                "{}: {} on record {}",
                name(voted.vote.reviewer),
                words::decision(&voted.vote.vote.decision, session),
                voted.vote.record
            ),
            Self::Classified(stored) => format!(
                "{}: category {} on record {}",
                name(stored.reviewer),
                stored.classification.category,
                stored.record
            ),
            Self::Undone(outcome) => format!(
                "Undid {}'s change #{}: {}",
                outcome.undone.reviewer_name.as_deref().unwrap_or("?"),
                outcome.undone.id.0,
                words::audit(&outcome.undone, session)
            ),
            Self::ReviewerAdded(added) => format!(
                "Added {} {}",
                if added.is_lead { "lead" } else { "reviewer" },
                added.name
            ),
            Self::Highlight(terms) => format!(
                "Highlighted: {} include term(s), {} exclude term(s)",
                terms.include.len(),
                terms.exclude.len()
            ),
            Self::KnownIncludes(records) => format!(
                "Known includes: {} record(s) open the queues the model cannot rank yet",
                records.len()
            ),
            Self::Priority(settings) => format!(
                "Screening order: {} (seed {}); stop at {:.0} % recall with {:.0} % confidence",
                settings.order,
                settings.seed,
                settings.stopping.target_recall * 100.0,
                settings.stopping.confidence * 100.0
            ),
            Self::Settings(settings) => format!(
                "Blind mode {}{}; {}",
                if settings.blind { "on" } else { "off" },
                if settings.blind && settings.leads_see_all {
                    " (leads see all)"
                } else {
                    ""
                },
                settings.rule.label()
            ),
            Self::Resolved(resolution) => format!(
                "Record {}: {} resolved as {}",
                resolution.record,
                resolution.subject.label(),
                words::value(&resolution.value, session)
            ),
            Self::PrismaWritten(path) => format!("PRISMA diagram written to {}", path.display()),
            Self::Labelled {
                record,
                vocabulary,
                code,
                on,
            } => {
                if *on {
                    format!("{vocabulary} {code} on record {record}")
                } else {
                    format!("{vocabulary} {code} taken off record {record}")
                }
            }
            Self::RiskSaved { stored, added } => format!(
                "{}: risk #{} ({}) {} on record {}",
                name(stored.reviewer),
                stored.id,
                words::effect(stored.risk.effect.code()),
                if *added { "added" } else { "changed" },
                stored.record
            ),
            Self::RiskDeleted(id) => format!("Risk {id} deleted"),
            Self::RootSet { record, root } => {
                format!("Root of record {record}'s tree: {}", root.label())
            }
            Self::TreeWritten { path, effects } => format!(
                "Consequence tree ({effects} effects) written to {}",
                path.display()
            ),
            Self::BundleWritten(written) => format!(
                "{}'s bundle written to {}: {} votes, {} classifications, {} risks, {} labels on {} records",
                written.reviewer,
                written.file.display(),
                written.votes,
                written.classifications,
                written.risks,
                written.labels,
                written.records
            ),
            Self::BundleImported(report) => report.summary(),
        }
    }

    /// Whether the change touches what the library shows (its judgements, what a reader may
    /// see): the index's facets and the rows follow when the library comes back.
    pub fn touches_library(&self) -> bool {
        !matches!(
            self,
            Self::PrismaWritten(_)
                | Self::TreeWritten { .. }
                | Self::BundleWritten(_)
                | Self::RootSet { .. }
        )
    }
}

/// What a review view shows, read in one go.
#[derive(Debug)]
pub struct ReviewSnapshot {
    /// The view it was read for.
    pub view: View,
    /// The team, the settings and what the exclusion reasons are called.
    pub team: service::Team,
    /// The project's exclusion reasons (current ones).
    pub reasons: Vec<ProjectLabel>,
    /// The stage the queue is for.
    pub stage: Option<Stage>,
    /// The reader's screening queue at that stage (Screening view).
    pub queue: Option<Vec<QueueItem>>,
    /// How the queue was ordered (Screening view).
    pub queue_note: Option<crate::service::screening::QueueNote>,
    /// The reader's screening so far and what the stopping rule says of it (Screening
    /// view).
    pub progress: Option<crate::service::screening::ScreeningProgress>,
    /// Conflicts, or why they are hidden (Team view).
    pub conflicts: Option<services::Result<Vec<Conflict>>>,
    /// Agreement per scope, or why it is hidden (Team view).
    pub agreement: Option<services::Result<Vec<ScopeAgreement>>>,
    /// PRISMA counts, or why they are hidden (PRISMA view).
    pub prisma: Option<services::Result<PrismaCounts>>,
    /// The records to classify (Classify view).
    pub classify_queue: Option<Vec<ClassifyItem>>,
    /// Records with risks (Rebound view).
    pub risk_records: Option<Vec<RiskRecord>>,
    /// Counts of the register (Rebound view).
    pub risk_summary: Option<RiskSummary>,
    /// The latest audit entries, as the reader may read them (Team view).
    pub audit: Option<Vec<AuditEntry>>,
}

/// What the review thread sends back.
#[derive(Debug)]
pub enum ReviewEvent {
    /// The state after a refresh.
    State(Box<ReviewSnapshot>),
    /// A record for the screening view.
    Card(Box<ScreeningCard>),
    /// A record for the classification and rebound views.
    Desk(Box<RecordDesk>),
    /// A write went through.
    Done(Box<Done>),
    /// A request was refused or failed.
    Failed(Error),
}

/// Runs the review thread until the window goes away. Every command is answered by exactly
/// one event (the window counts what it still waits for).
pub fn review_thread(path: &Path, commands: &Receiver<ReviewCommand>, outbox: &Outbox) {
    let mut project = match Project::open_existing(path) {
        Ok(project) => Some(project),
        Err(error) => {
            outbox.send(Event::Review(ReviewEvent::Failed(error.into())));
            None
        }
    };
    // The screening model's features, kept while the records do not change.
    let mut features = crate::service::screening::FeatureCache::default();
    while let Ok(command) = commands.recv() {
        let event = match project.as_mut() {
            Some(project) => answer(project, command, &mut features),
            None => ReviewEvent::Failed(Error::Core(ecolens_core::Error::NotFound {
                entity: "project connection",
                key: path.display().to_string(),
            })),
        };
        outbox.send(Event::Review(event));
    }
}

fn answer(
    project: &mut Project,
    command: ReviewCommand,
    features: &mut crate::service::screening::FeatureCache,
) -> ReviewEvent {
    let result = match command {
        ReviewCommand::Refresh {
            reader,
            stage,
            view,
            keep,
            postponed,
        } => snapshot(project, reader, stage, view, (keep, &postponed), features)
            .map(|s| ReviewEvent::State(Box::new(s))),
        ReviewCommand::Card {
            record,
            reader,
            stage,
        } => service::card(project, reader, record, stage).map(|c| ReviewEvent::Card(Box::new(c))),
        ReviewCommand::Desk { record, reader } => {
            service::desk(project, reader, record).map(|d| ReviewEvent::Desk(Box::new(d)))
        }
        ReviewCommand::Write(write) => {
            apply(project, write).map(|d| ReviewEvent::Done(Box::new(d)))
        }
    };
    result.unwrap_or_else(ReviewEvent::Failed)
}

fn apply(project: &mut Project, write: Write) -> services::Result<Done> {
    Ok(match write {
        Write::Vote {
            reviewer,
            record,
            stage,
            decision,
        } => {
            let vote = ScreeningVote {
                stage,
                decision,
                note: None,
            };
            Done::Voted(Box::new(service::vote(project, reviewer, record, &vote)?))
        }
        Write::Classify {
            reviewer,
            record,
            category,
        } => Done::Classified(Box::new(service::classify(
            project,
            reviewer,
            record,
            &Classification::new(category),
        )?)),
        Write::SaveClassification {
            reviewer,
            record,
            classification,
        } => Done::Classified(Box::new(service::classify(
            project,
            reviewer,
            record,
            &classification,
        )?)),
        Write::Undo { reviewer } => Done::Undone(Box::new(service::undo(project, reviewer)?)),
        Write::AddReviewer { name, lead } => {
            Done::ReviewerAdded(service::add_reviewer(project, &name, lead)?)
        }
        Write::SetBlind {
            lead,
            on,
            leads_see_all,
        } => Done::Settings(service::set_blind(project, lead, on, leads_see_all)?),
        Write::SetRule { lead, rule } => Done::Settings(service::set_rule(project, lead, rule)?),
        Write::SetHighlight { reviewer, terms } => Done::Highlight(
            crate::service::screening::set_highlight(project, reviewer, &terms)?,
        ),
        Write::SetKnownIncludes { lead, records } => Done::KnownIncludes(
            crate::service::screening::set_known_includes(project, lead, &records)?,
        ),
        Write::SetPriority { lead, settings } => Done::Priority(
            crate::service::screening::set_priority(project, lead, settings)?,
        ),
        Write::Resolve {
            lead,
            record,
            subject,
            value,
        } => Done::Resolved(Box::new(service::resolve(
            project, lead, record, &subject, &value, None,
        )?)),
        Write::ExportPrisma { reader, path } => {
            service::write_prisma(project, reader, &path)?;
            Done::PrismaWritten(path)
        }
        Write::SetLabel {
            reviewer,
            record,
            vocabulary,
            code,
            on,
        } => {
            service::set_label(project, reviewer, record, &vocabulary, &code, on)?;
            Done::Labelled {
                record,
                vocabulary,
                code,
                on,
            }
        }
        Write::SaveRisk {
            reviewer,
            record,
            id,
            risk,
        } => Done::RiskSaved {
            stored: Box::new(service::save_risk(project, reviewer, record, id, &risk)?),
            added: id.is_none(),
        },
        Write::DeleteRisk { reviewer, id } => {
            service::delete_risk(project, reviewer, id)?;
            Done::RiskDeleted(id)
        }
        Write::SetRoot {
            reviewer,
            record,
            root,
        } => {
            service::set_root(project, reviewer, record, &root)?;
            Done::RootSet { record, root }
        }
        Write::ExportTree {
            reader,
            record,
            path,
        } => {
            let tree =
                service::write_tree(project, Some(reader), record, &path, TreeFormat::of(&path))?;
            Done::TreeWritten {
                path,
                effects: tree.len(),
            }
        }
        Write::ExportBundle { reader, path } => Done::BundleWritten(Box::new(
            services::bundle::export(project, Some(reader), &path)?,
        )),
        Write::ImportBundle { path } => {
            Done::BundleImported(Box::new(services::bundle::import(project, &path)?))
        }
    })
}

/// Audit entries the Team view lists (the CLI's `audit --limit` reads further back).
const AUDIT_SHOWN: u64 = 200;

fn snapshot(
    project: &Project,
    reader: Option<ReviewerId>,
    stage: Stage,
    view: View,
    (keep, postponed): (Option<RecordId>, &[RecordId]),
    features: &mut crate::service::screening::FeatureCache,
) -> services::Result<ReviewSnapshot> {
    use crate::service::screening::{ranked_queue, screening_progress};
    let team = service::team(project)?;
    // A reader no longer in the project reads as nobody.
    let reader = reader.filter(|id| team.reviewers.iter().any(|r| r.id == *id));
    let (queue, queue_note, progress) = match (view, reader) {
        (View::Screening, Some(_)) => {
            let (queue, note) = ranked_queue(project, reader, stage, keep, postponed, features)?;
            (
                Some(queue),
                Some(note),
                Some(screening_progress(project, reader, stage)?),
            )
        }
        (View::Screening, None) => (Some(Vec::new()), None, None),
        _ => (None, None, None),
    };
    let team_view = view == View::Team;
    let classify_queue = match (view, reader) {
        (View::Classify, Some(_)) => Some(service::classification_queue(project, reader)?),
        (View::Classify, None) => Some(Vec::new()),
        _ => None,
    };
    let (risk_records, risk_summary) = match (view, reader) {
        (View::Rebound, Some(_)) => (
            Some(service::risk_records(project, reader)?),
            Some(service::risk_summary(project, reader)?),
        ),
        (View::Rebound, None) => (Some(Vec::new()), Some(RiskSummary::default())),
        _ => (None, None),
    };
    let audit = team_view
        .then(|| {
            service::audit(
                project,
                reader,
                AuditFilter {
                    limit: Some(AUDIT_SHOWN),
                    ..AuditFilter::default()
                },
            )
        })
        .transpose()?;
    Ok(ReviewSnapshot {
        view,
        team,
        reasons: service::exclusion_reasons(project)?,
        stage: Some(stage),
        queue,
        queue_note,
        progress,
        conflicts: team_view.then(|| service::conflicts(project, reader)),
        agreement: team_view.then(|| service::agreement(project, reader, None)),
        prisma: (view == View::Prisma).then(|| service::prisma(project, reader)),
        classify_queue,
        risk_records,
        risk_summary,
        audit,
    })
}
