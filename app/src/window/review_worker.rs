//! The `ecolens-review` thread: the review views' reads and writes, on a connection of its
//! own. Each write runs in one transaction in `ecolens-core` and is answered with a fresh
//! [`ReviewSnapshot`], so the views always show what the project holds.

use std::path::{Path, PathBuf};
use std::sync::mpsc::Receiver;

use ecolens_core::agreement::ScopeAgreement;
use ecolens_core::prisma::PrismaCounts;
use ecolens_core::{
    Classification, Conflict, Decision, Project, ProjectLabel, QueueItem, RecordId, ResolvedValue,
    ReviewSettings, Reviewer, ScreeningRule, ScreeningVote, Stage, Subject,
};
use ecolens_taxonomy::EvalCategory;
use ecolens_taxonomy::labels::EXCLUSION_REASON;

use super::review::View;
use super::worker::{Event, Outbox};

/// Requests to the review thread.
#[derive(Debug, Clone, PartialEq)]
pub enum ReviewCommand {
    /// Read what `view` shows, for `reviewer` at `stage`; writes are answered with the same.
    Refresh {
        /// The reviewer at the keyboard.
        reviewer: Option<String>,
        /// The screening stage shown.
        stage: Stage,
        /// The view shown: only its parts are read (conflicts and agreement over a large
        /// project take a second or more, too slow to follow every vote).
        view: View,
    },
    /// Read one record for the screening view.
    Card {
        /// Which.
        record: RecordId,
        /// Who is screening.
        reviewer: String,
        /// At which stage.
        stage: Stage,
    },
    /// Cast (or change) a vote.
    Vote {
        /// Which record.
        record: RecordId,
        /// Who.
        reviewer: String,
        /// Stage.
        stage: Stage,
        /// The decision.
        decision: Decision,
    },
    /// Classify a record on the a–f scale.
    Classify {
        /// Which record.
        record: RecordId,
        /// Who.
        reviewer: String,
        /// The category.
        category: EvalCategory,
    },
    /// Undo the reviewer's last change.
    Undo {
        /// Whose.
        reviewer: String,
    },
    /// Add a reviewer.
    AddReviewer {
        /// Name.
        name: String,
        /// Lead or not.
        lead: bool,
    },
    /// Switch blind mode.
    SetBlind {
        /// The lead.
        lead: String,
        /// On or off.
        on: bool,
    },
    /// Set the screening rule.
    SetRule {
        /// The lead.
        lead: String,
        /// The rule.
        rule: ScreeningRule,
    },
    /// Resolve a disagreement.
    Resolve {
        /// The lead.
        lead: String,
        /// Which record.
        record: RecordId,
        /// What.
        subject: Subject,
        /// The final value.
        value: ResolvedValue,
    },
    /// Write the PRISMA diagram.
    ExportPrisma {
        /// Where.
        path: PathBuf,
    },
}

/// What the review views show, read in one go.
#[derive(Debug, Clone)]
pub struct ReviewSnapshot {
    /// The team.
    pub reviewers: Vec<Reviewer>,
    /// Blind mode and the rule.
    pub settings: ReviewSettings,
    /// The project's exclusion reasons (current ones).
    pub reasons: Vec<ProjectLabel>,
    /// The stage the queue is for.
    pub stage: Option<Stage>,
    /// The reviewer's screening queue at that stage (Screening view).
    pub queue: Option<Vec<QueueItem>>,
    /// Conflicts, or why they are hidden (Team view).
    pub conflicts: Option<Result<Vec<Conflict>, String>>,
    /// Agreement per scope (Team view).
    pub agreement: Option<Vec<ScopeAgreement>>,
    /// PRISMA counts (PRISMA view).
    pub prisma: Option<PrismaCounts>,
}

/// One record as the screening view shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct ScreeningCard {
    /// The record.
    pub record: RecordId,
    /// Stage screened.
    pub stage: Stage,
    /// Title.
    pub title: String,
    /// Authors, short.
    pub authors: String,
    /// Year.
    pub year: Option<i32>,
    /// Venue.
    pub venue: Option<String>,
    /// Abstract.
    pub abstract_text: Option<String>,
    /// Keywords.
    pub keywords: Vec<String>,
    /// Whether a full text is attached.
    pub has_full_text: bool,
    /// The reviewer's vote at this stage.
    pub own_vote: Option<Decision>,
    /// The reviewer's a–f category.
    pub own_category: Option<EvalCategory>,
    /// Other reviewers' votes at this stage, `name: decision` (empty while blind).
    pub others: Vec<String>,
    /// Items hidden by blind mode.
    pub hidden: usize,
}

/// What the review thread sends back.
#[derive(Debug, Clone)]
pub enum ReviewEvent {
    /// The state after a refresh or a write.
    State(Box<ReviewSnapshot>),
    /// A record for the screening view.
    Card(Box<ScreeningCard>),
    /// A write went through; the words say what happened, with the state after it.
    Written(String, Option<Box<ReviewSnapshot>>),
    /// A request was refused or failed; the words say why.
    Failed(String),
}

/// Runs the review thread until the window goes away. Every command is answered by exactly
/// one event (the window counts what it still waits for).
pub fn review_thread(path: &Path, commands: &Receiver<ReviewCommand>, outbox: &Outbox) {
    let mut project = match Project::open_existing(path) {
        Ok(project) => Some(project),
        Err(error) => {
            outbox.send(Event::Review(ReviewEvent::Failed(format!(
                "The review data cannot be read: {error}"
            ))));
            None
        }
    };
    let mut last = (None, Stage::TitleAbstract, View::Library);
    while let Ok(command) = commands.recv() {
        let Some(project) = project.as_mut() else {
            outbox.send(Event::Review(ReviewEvent::Failed(
                "The review data cannot be read; reopen the project.".into(),
            )));
            continue;
        };
        let event = match command {
            ReviewCommand::Refresh {
                reviewer,
                stage,
                view,
            } => {
                last = (reviewer, stage, view);
                match snapshot(project, last.0.as_deref(), last.1, last.2) {
                    Ok(snapshot) => ReviewEvent::State(Box::new(snapshot)),
                    Err(error) => ReviewEvent::Failed(error),
                }
            }
            ReviewCommand::Card {
                record,
                reviewer,
                stage,
            } => match card(project, record, &reviewer, stage) {
                Ok(card) => ReviewEvent::Card(Box::new(card)),
                Err(error) => ReviewEvent::Failed(error),
            },
            write => match apply(project, write) {
                Ok(done) => ReviewEvent::Written(
                    done,
                    snapshot(project, last.0.as_deref(), last.1, last.2)
                        .ok()
                        .map(Box::new),
                ),
                Err(error) => ReviewEvent::Failed(error),
            },
        };
        outbox.send(Event::Review(event));
    }
}

fn reviewer(project: &Project, name: &str) -> Result<Reviewer, String> {
    project.reviewer_by_name(name).map_err(|_| {
        format!("{name} is not a reviewer of this project; add them in the Team view.")
    })
}

fn apply(project: &mut Project, command: ReviewCommand) -> Result<String, String> {
    let text = |error: ecolens_core::Error| error.to_string();
    match command {
        ReviewCommand::Vote {
            record,
            reviewer: name,
            stage,
            decision,
        } => {
            let who = reviewer(project, &name)?;
            let vote = ScreeningVote {
                stage,
                decision,
                note: None,
            };
            let stored = project.set_screening(record, who.id, &vote).map_err(text)?;
            Ok(format!(
                "{name}: {} on record {record}",
                ResolvedValue::Screening(stored.vote.decision).summary()
            ))
        }
        ReviewCommand::Classify {
            record,
            reviewer: name,
            category,
        } => {
            let who = reviewer(project, &name)?;
            project
                .set_classification(record, who.id, &Classification::new(category))
                .map_err(text)?;
            Ok(format!("{name}: category {category} on record {record}"))
        }
        ReviewCommand::Undo { reviewer: name } => {
            let who = reviewer(project, &name)?;
            let outcome = project.undo_last(who.id).map_err(text)?;
            Ok(format!(
                "Undid {name}'s {} of {}",
                outcome.undone.action.code(),
                outcome.undone.entity_key
            ))
        }
        ReviewCommand::AddReviewer { name, lead } => {
            let added = project.add_reviewer(&name, lead).map_err(text)?;
            Ok(format!(
                "Added {} {}",
                if added.is_lead { "lead" } else { "reviewer" },
                added.name
            ))
        }
        ReviewCommand::SetBlind { lead, on } => {
            let who = reviewer(project, &lead)?;
            project.set_blind(who.id, on).map_err(text)?;
            Ok(format!("Blind mode {}", if on { "on" } else { "off" }))
        }
        ReviewCommand::SetRule { lead, rule } => {
            let who = reviewer(project, &lead)?;
            project.set_screening_rule(who.id, rule).map_err(text)?;
            Ok(format!("Screening rule: {}", rule.label()))
        }
        ReviewCommand::Resolve {
            lead,
            record,
            subject,
            value,
        } => {
            let who = reviewer(project, &lead)?;
            project
                .resolve(who.id, record, &subject, &value, None)
                .map_err(text)?;
            Ok(format!(
                "Record {record}: {} resolved as {}",
                subject.label(),
                value.summary()
            ))
        }
        ReviewCommand::ExportPrisma { path } => {
            let counts = project.prisma().map_err(text)?;
            let title = project.path().file_stem().map_or_else(
                || "ecolens review".to_owned(),
                |s| s.to_string_lossy().into_owned(),
            );
            crate::review_commands::write_file(&path, &counts.svg(&title))
                .map_err(|error| format!("{error:#}"))?;
            Ok(format!("PRISMA diagram written to {}", path.display()))
        }
        ReviewCommand::Refresh { .. } | ReviewCommand::Card { .. } => Ok(String::new()),
    }
}

fn snapshot(
    project: &Project,
    name: Option<&str>,
    stage: Stage,
    view: View,
) -> Result<ReviewSnapshot, String> {
    let text = |error: ecolens_core::Error| error.to_string();
    let reviewers = project.reviewers().map_err(text)?;
    let settings = project.review_settings().map_err(text)?;
    let reasons = project
        .project_labels(EXCLUSION_REASON)
        .map_err(text)?
        .into_iter()
        .filter(|l| !l.retired)
        .collect();
    let who = name.and_then(|n| reviewers.iter().find(|r| r.name == n));
    let queue = match (view, who) {
        (View::Screening, Some(who)) => Some(project.screening_queue(stage, who.id).map_err(text)?),
        (View::Screening, None) => Some(Vec::new()),
        _ => None,
    };
    let team = view == View::Team;
    Ok(ReviewSnapshot {
        reviewers,
        settings,
        reasons,
        stage: Some(stage),
        queue,
        conflicts: team.then(|| project.conflicts().map_err(text)),
        agreement: team
            .then(|| project.agreement(None).map_err(text))
            .transpose()?,
        prisma: (view == View::Prisma)
            .then(|| project.prisma().map_err(text))
            .transpose()?,
    })
}

fn card(
    project: &Project,
    record: RecordId,
    name: &str,
    stage: Stage,
) -> Result<ScreeningCard, String> {
    let text = |error: ecolens_core::Error| error.to_string();
    let who = reviewer(project, name)?;
    let stored = project.record(record).map_err(text)?.record;
    let review = project.record_review(record, who.id).map_err(text)?;
    let names: std::collections::HashMap<_, _> = project
        .reviewers()
        .map_err(text)?
        .into_iter()
        .map(|r| (r.id, r.name))
        .collect();
    let own_vote = review
        .votes
        .iter()
        .find(|v| v.reviewer == who.id && v.vote.stage == stage)
        .map(|v| v.vote.decision.clone());
    let own_category = review
        .classifications
        .iter()
        .find(|c| c.reviewer == who.id)
        .map(|c| c.classification.category);
    let others = review
        .votes
        .iter()
        .filter(|v| v.reviewer != who.id && v.vote.stage == stage)
        .map(|v| {
            format!(
                "{}: {}",
                names.get(&v.reviewer).cloned().unwrap_or_default(),
                ResolvedValue::Screening(v.vote.decision.clone()).summary()
            )
        })
        .collect();
    Ok(ScreeningCard {
        record,
        stage,
        authors: ecolens_core::record::short_authors(&stored.authors),
        title: stored.title,
        year: stored.year,
        venue: stored.venue,
        abstract_text: stored.abstract_text,
        keywords: stored.keywords,
        has_full_text: project.full_text(record).map_err(text)?.is_some(),
        own_vote,
        own_category,
        others,
        hidden: review.hidden,
    })
}
