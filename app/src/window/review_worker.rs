//! The `ecolens-review` thread: the review views' reads and writes, on a connection of its
//! own. Each write runs in one transaction in `ecolens-core` and is answered with a fresh
//! [`ReviewSnapshot`], so the views always show what the project holds.

use std::path::{Path, PathBuf};
use std::sync::mpsc::Receiver;

use ecolens_core::agreement::ScopeAgreement;
use ecolens_core::consequence::{ConsequenceRoot, ConsequenceTree};
use ecolens_core::prisma::PrismaCounts;
use ecolens_core::store::AuditFilter;
use ecolens_core::{
    AuditEntry, Classification, ClassifyItem, Conflict, Decision, Project, ProjectLabel, QueueItem,
    ReboundRisk, RecordId, ResolvedValue, ReviewSettings, Reviewer, RiskId, RiskRecord,
    RiskSummary, ScreeningRule, ScreeningVote, Stage, StoredRisk, Subject,
};
use ecolens_taxonomy::labels::EXCLUSION_REASON;
use ecolens_taxonomy::{EvalCategory, Term};

use super::review::View;
use super::worker::{Event, Outbox};
use crate::review_commands::BundleCommand;

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
    /// Read one record for the classification and rebound views.
    Desk {
        /// Which.
        record: RecordId,
        /// Who is reading.
        reviewer: String,
    },
    /// Save the reviewer's classification of a record.
    SaveClassification {
        /// Which record.
        record: RecordId,
        /// Who.
        reviewer: String,
        /// The classification.
        classification: Classification,
    },
    /// Put a label on a record or take it off.
    SetLabel {
        /// Which record.
        record: RecordId,
        /// Who.
        reviewer: String,
        /// Vocabulary (`rolnick-domain`, `ml-area`).
        vocabulary: String,
        /// Code.
        code: String,
        /// On or off.
        on: bool,
    },
    /// Add a risk (`id` `None`) or change one.
    SaveRisk {
        /// Which record.
        record: RecordId,
        /// Who.
        reviewer: String,
        /// The risk changed, or `None` for a new one.
        id: Option<RiskId>,
        /// The risk.
        risk: Box<ReboundRisk>,
    },
    /// Delete one of the reviewer's risks.
    DeleteRisk {
        /// Who.
        reviewer: String,
        /// Which.
        id: RiskId,
    },
    /// Set the root of the reviewer's consequence tree.
    SetRoot {
        /// Which record.
        record: RecordId,
        /// Who.
        reviewer: String,
        /// The root.
        root: ConsequenceRoot,
    },
    /// Write a record's consequence tree (as the reviewer sees it).
    ExportTree {
        /// Which record.
        record: RecordId,
        /// Who.
        reviewer: String,
        /// Where; `.json` writes JSON, anything else SVG.
        path: PathBuf,
    },
    /// Write the reviewer's decision bundle.
    ExportBundle {
        /// Whose.
        reviewer: String,
        /// Where.
        path: PathBuf,
    },
    /// Merge a decision bundle into the project.
    ImportBundle {
        /// The bundle file.
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
    /// The records to classify (Classify view).
    pub classify_queue: Option<Vec<ClassifyItem>>,
    /// Records with risks (Rebound view).
    pub risk_records: Option<Vec<RiskRecord>>,
    /// Counts of the register (Rebound view).
    pub risk_summary: Option<RiskSummary>,
    /// The latest audit entries (Team view).
    pub audit: Option<Vec<AuditEntry>>,
}

/// One record as the classification and rebound views show it, for one reviewer.
#[derive(Debug, Clone)]
pub struct RecordDesk {
    /// The record.
    pub record: RecordId,
    /// The reviewer reading.
    pub reviewer: String,
    /// Title.
    pub title: String,
    /// Authors, short, and year.
    pub byline: String,
    /// Abstract.
    pub abstract_text: Option<String>,
    /// Extracted full text.
    pub full_text: Option<String>,
    /// The reviewer's classification.
    pub own_classification: Option<Classification>,
    /// Other reviewers' categories, `name: category` (empty while blind).
    pub others: Vec<String>,
    /// The reviewer's labels, `(vocabulary, code)`.
    pub own_labels: Vec<(String, String)>,
    /// The risks the reviewer may see, with their authors' names.
    pub risks: Vec<(StoredRisk, String)>,
    /// The consequence tree the reviewer may see.
    pub tree: ConsequenceTree,
    /// Items hidden by blind mode.
    pub hidden: usize,
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
    /// A record for the classification and rebound views.
    Desk(Box<RecordDesk>),
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
            ReviewCommand::Desk { record, reviewer } => match desk(project, record, &reviewer) {
                Ok(desk) => ReviewEvent::Desk(Box::new(desk)),
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
        ReviewCommand::SaveClassification {
            record,
            reviewer: name,
            classification,
        } => {
            let who = reviewer(project, &name)?;
            project
                .set_classification(record, who.id, &classification)
                .map_err(text)?;
            Ok(format!(
                "{name}: category {} on record {record}",
                classification.category
            ))
        }
        ReviewCommand::SetLabel {
            record,
            reviewer: name,
            vocabulary,
            code,
            on,
        } => {
            let who = reviewer(project, &name)?;
            if on {
                project
                    .add_record_label(record, who.id, &vocabulary, &code)
                    .map_err(text)?;
                Ok(format!("{name}: {vocabulary} {code} on record {record}"))
            } else {
                project
                    .remove_record_label(record, who.id, &vocabulary, &code)
                    .map_err(text)?;
                Ok(format!(
                    "{name}: {vocabulary} {code} taken off record {record}"
                ))
            }
        }
        ReviewCommand::SaveRisk {
            record,
            reviewer: name,
            id,
            risk,
        } => {
            let who = reviewer(project, &name)?;
            let stored = match id {
                Some(id) => project.update_risk(id, who.id, &risk).map_err(text)?,
                None => project.add_risk(record, who.id, &risk).map_err(text)?,
            };
            Ok(format!(
                "{name}: risk {} ({}) {} on record {record}",
                stored.id,
                stored.risk.effect,
                if id.is_some() { "changed" } else { "added" }
            ))
        }
        ReviewCommand::DeleteRisk { reviewer: name, id } => {
            let who = reviewer(project, &name)?;
            project.delete_risk(id, who.id).map_err(text)?;
            Ok(format!("{name}: risk {id} deleted"))
        }
        ReviewCommand::SetRoot {
            record,
            reviewer: name,
            root,
        } => {
            let who = reviewer(project, &name)?;
            project
                .set_consequence_root(record, who.id, &root)
                .map_err(text)?;
            Ok(format!(
                "{name}: root of record {record}'s tree: {}",
                root.label()
            ))
        }
        ReviewCommand::ExportTree {
            record,
            reviewer: name,
            path,
        } => {
            let who = reviewer(project, &name)?;
            let tree = project.consequence_tree(record, who.id).map_err(text)?;
            let json = path
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("json"));
            let content = if json { tree.json() } else { tree.svg() };
            crate::review_commands::write_file(&path, &content)
                .map_err(|error| format!("{error:#}"))?;
            Ok(format!(
                "Consequence tree ({} effects) written to {}",
                tree.len(),
                path.display()
            ))
        }
        ReviewCommand::ExportBundle {
            reviewer: name,
            path,
        } => bundle(
            project,
            BundleCommand::Export {
                reviewer: name,
                out: path,
            },
        ),
        ReviewCommand::ImportBundle { path } => {
            bundle(project, BundleCommand::Import { file: path })
        }
        ReviewCommand::Refresh { .. } | ReviewCommand::Card { .. } | ReviewCommand::Desk { .. } => {
            Ok(String::new())
        }
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
    let classify_queue = match (view, who) {
        (View::Classify, Some(who)) => Some(project.classification_queue(who.id).map_err(text)?),
        (View::Classify, None) => Some(Vec::new()),
        _ => None,
    };
    let (risk_records, risk_summary) = match (view, who) {
        (View::Rebound, Some(who)) => (
            Some(project.risk_records(who.id).map_err(text)?),
            Some(project.risk_summary(who.id).map_err(text)?),
        ),
        (View::Rebound, None) => (Some(Vec::new()), Some(RiskSummary::default())),
        _ => (None, None),
    };
    let audit = team
        .then(|| {
            project.audit_log(AuditFilter {
                limit: Some(AUDIT_SHOWN),
                ..AuditFilter::default()
            })
        })
        .transpose()
        .map_err(text)?;
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
        classify_queue,
        risk_records,
        risk_summary,
        audit,
    })
}

/// Audit entries the Team view lists (the CLI's `audit --limit` reads further back).
const AUDIT_SHOWN: u64 = 200;

/// A record and its review as one reviewer may see it, with every reviewer's name: what the
/// screening card and the desk are made from.
struct Reading {
    who: Reviewer,
    stored: ecolens_core::Record,
    review: ecolens_core::RecordReview,
    names: std::collections::HashMap<ecolens_core::ReviewerId, String>,
}

impl Reading {
    fn of(project: &Project, record: RecordId, name: &str) -> Result<Self, String> {
        let text = |error: ecolens_core::Error| error.to_string();
        let who = reviewer(project, name)?;
        Ok(Self {
            stored: project.record(record).map_err(text)?.record,
            review: project.record_review(record, who.id).map_err(text)?,
            names: project
                .reviewers()
                .map_err(text)?
                .into_iter()
                .map(|r| (r.id, r.name))
                .collect(),
            who,
        })
    }
}

/// A bundle export or import, as the command line does it; the words are its report.
fn bundle(project: &mut Project, command: BundleCommand) -> Result<String, String> {
    crate::review_commands::bundle_command(project, command)
        .map(|output| output.text.trim_end().to_owned())
        .map_err(|error| format!("{error:#}"))
}

fn desk(project: &Project, record: RecordId, name: &str) -> Result<RecordDesk, String> {
    let text = |error: ecolens_core::Error| error.to_string();
    let Reading {
        who,
        stored,
        review,
        names,
    } = Reading::of(project, record, name)?;
    let name_of = |id| names.get(&id).cloned().unwrap_or_default();
    let own_classification = review
        .classifications
        .iter()
        .find(|c| c.reviewer == who.id)
        .map(|c| c.classification.clone());
    let others = review
        .classifications
        .iter()
        .filter(|c| c.reviewer != who.id)
        .map(|c| {
            let category = c.classification.category;
            format!(
                "{}: {} ({})",
                name_of(c.reviewer),
                category.code(),
                category.name()
            )
        })
        .collect();
    let own_labels = review
        .labels
        .iter()
        .filter(|l| l.reviewer == who.id)
        .map(|l| (l.vocabulary.clone(), l.code.clone()))
        .collect();
    let tree = project.consequence_tree(record, who.id).map_err(text)?;
    let risks = review
        .risks
        .into_iter()
        .map(|risk| {
            let author = name_of(risk.reviewer);
            (risk, author)
        })
        .collect();
    let authors = ecolens_core::record::short_authors(&stored.authors);
    let byline = match stored.year {
        Some(year) => format!("{authors} ({year})"),
        None => authors,
    };
    Ok(RecordDesk {
        record,
        reviewer: who.name,
        title: stored.title,
        byline,
        abstract_text: stored.abstract_text,
        full_text: project
            .full_text(record)
            .map_err(text)?
            .map(|full| full.text),
        own_classification,
        others,
        own_labels,
        risks,
        tree,
        hidden: review.hidden,
    })
}

fn card(
    project: &Project,
    record: RecordId,
    name: &str,
    stage: Stage,
) -> Result<ScreeningCard, String> {
    let text = |error: ecolens_core::Error| error.to_string();
    let Reading {
        who,
        stored,
        review,
        names,
    } = Reading::of(project, record, name)?;
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
