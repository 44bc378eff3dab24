//! The review: who reviews and how (blind mode, the rule), the writes (votes, categories,
//! risks, labels, tree roots, resolutions, undo) and the reads, each as the reader may see it.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use ecolens_core::agreement::ScopeAgreement;
use ecolens_core::consequence::{ConsequenceRoot, ConsequenceTree};
use ecolens_core::prisma::PrismaCounts;
use ecolens_core::store::AuditFilter;
use ecolens_core::{
    AuditEntry, Classification, ClassifyItem, Conflict, Decision, EvidenceQuote, Project,
    ProjectLabel, QuoteField, ReboundRisk, RecordId, RecordOutcome, RecordReview, Resolution,
    ResolvedValue, ReviewSettings, Reviewer, ReviewerId, RiskId, RiskList, RiskRecord, RiskSummary,
    ScreeningRule, ScreeningVote, Stage, StageOutcome, StoredClassification, StoredRecordLabel,
    StoredRisk, StoredVote, Subject, UndoOutcome,
};
use ecolens_taxonomy::EvalCategory;
use ecolens_taxonomy::labels::EXCLUSION_REASON;
use serde::Serialize;

use super::project::seen_by;
use super::{Error, Result, write_text};

/// The team and the review settings.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Team {
    /// The reviewers, in the order they were added.
    pub reviewers: Vec<Reviewer>,
    /// Blind mode, leads seeing all, the screening rule.
    pub settings: ReviewSettings,
    /// How screening queues are ordered, and the stopping rule.
    pub priority: ecolens_core::priority::PrioritySettings,
    /// Words and phrases highlighted on the screening card.
    pub highlight: ecolens_core::priority::HighlightTerms,
    /// The lead's known includes, which open queues the model cannot rank yet.
    pub known_includes: Vec<ecolens_core::RecordId>,
    /// Every exclusion reason the project has had (retired ones too: old votes use them),
    /// `(code, name)`.
    pub reason_names: Vec<(String, String)>,
    /// The hub this project is a working copy of, if any: then its login's reviewer is the
    /// one at the keyboard, and no one else.
    pub hub: Option<ecolens_core::store::HubLink>,
    /// In a working copy, the reviewer's changes the hub does not have yet.
    pub hub_waiting: usize,
}

/// The team and the settings.
pub fn team(project: &Project) -> Result<Team> {
    Ok(Team {
        reviewers: project.reviewers()?,
        settings: project.review_settings()?,
        priority: project.priority_settings()?,
        highlight: project.highlight_terms()?,
        known_includes: project.known_includes()?,
        reason_names: project
            .project_labels(EXCLUSION_REASON)?
            .into_iter()
            .map(|l| (l.code, l.name))
            .collect(),
        hub_waiting: project.hub_waiting()?,
        hub: project.hub_link()?,
    })
}

/// The project's current (not retired) exclusion reasons.
pub fn exclusion_reasons(project: &Project) -> Result<Vec<ProjectLabel>> {
    Ok(project
        .project_labels(EXCLUSION_REASON)?
        .into_iter()
        .filter(|l| !l.retired)
        .collect())
}

/// Adds a reviewer (a lead may unblind, set the rule, resolve conflicts).
pub fn add_reviewer(project: &mut Project, name: &str, lead: bool) -> Result<Reviewer> {
    Ok(project.add_reviewer(name, lead)?)
}

/// Switches blind mode, and whether leads see everyone's judgements while blind (unchanged
/// when `None`); a lead only.
pub fn set_blind(
    project: &mut Project,
    lead: ReviewerId,
    blind: bool,
    leads_see_all: Option<bool>,
) -> Result<ReviewSettings> {
    let mut settings = project.set_blind(lead, blind)?;
    if let Some(on) = leads_see_all {
        settings = project.set_leads_see_all(lead, on)?;
    }
    Ok(settings)
}

/// Sets the rule that moves records on; a lead only.
pub fn set_rule(
    project: &mut Project,
    lead: ReviewerId,
    rule: ScreeningRule,
) -> Result<ReviewSettings> {
    Ok(project.set_screening_rule(lead, rule)?)
}

/// A vote recorded, and the record's outcome at its stage when the voter may see it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Voted {
    /// The vote as stored.
    pub vote: StoredVote,
    /// The stage's outcome (everyone's votes together), `None` while blind mode hides it.
    pub outcome: Option<StageOutcome>,
}

/// Records (or changes) `reviewer`'s vote on a record.
pub fn vote(
    project: &mut Project,
    reviewer: ReviewerId,
    record: RecordId,
    vote: &ScreeningVote,
) -> Result<Voted> {
    let stored = project.set_screening(record, reviewer, vote)?;
    let seen = seen_by(project, Some(reviewer))?;
    let outcome = match project.outcome(record, &seen) {
        Ok(outcome) => Some(match vote.stage {
            Stage::TitleAbstract => outcome.tiab,
            Stage::FullText => outcome.fulltext,
        }),
        Err(ecolens_core::Error::Blinded { .. }) => None,
        Err(other) => return Err(other.into()),
    };
    Ok(Voted {
        vote: stored,
        outcome,
    })
}

/// The evidence quote `text` is: a passage of the record's abstract, full text or title (in
/// that order), with where it was found.
pub fn quote(project: &Project, record: RecordId, text: &str) -> Result<EvidenceQuote> {
    let stored = project.record(record)?.record;
    let full = project.full_text(record)?.map(|f| f.text);
    for (field, source) in [
        (QuoteField::Abstract, stored.abstract_text.clone()),
        (QuoteField::FullText, full),
        (QuoteField::Title, Some(stored.title.clone())),
    ] {
        let candidate = EvidenceQuote::new(field, text);
        if source.is_some() && candidate.validate("evidence", source.as_deref()).is_ok() {
            return Ok(candidate);
        }
    }
    Err(Error::NotAQuote {
        record,
        quote: text.to_owned(),
    })
}

/// Records (or replaces) `reviewer`'s a–f classification of a record.
pub fn classify(
    project: &mut Project,
    reviewer: ReviewerId,
    record: RecordId,
    classification: &Classification,
) -> Result<StoredClassification> {
    Ok(project.set_classification(record, reviewer, classification)?)
}

/// Adds a risk to a record (`id` `None`) or changes one of `reviewer`'s.
pub fn save_risk(
    project: &mut Project,
    reviewer: ReviewerId,
    record: RecordId,
    id: Option<RiskId>,
    risk: &ReboundRisk,
) -> Result<StoredRisk> {
    Ok(match id {
        Some(id) => project.update_risk(id, reviewer, risk)?,
        None => project.add_risk(record, reviewer, risk)?,
    })
}

/// Deletes one of `reviewer`'s risks.
pub fn delete_risk(project: &mut Project, reviewer: ReviewerId, id: RiskId) -> Result<()> {
    Ok(project.delete_risk(id, reviewer)?)
}

/// Puts a label on a record (`on`) or takes it off; `None` when taken off.
pub fn set_label(
    project: &mut Project,
    reviewer: ReviewerId,
    record: RecordId,
    vocabulary: &str,
    code: &str,
    on: bool,
) -> Result<Option<StoredRecordLabel>> {
    if on {
        Ok(Some(
            project.add_record_label(record, reviewer, vocabulary, code)?,
        ))
    } else {
        project.remove_record_label(record, reviewer, vocabulary, code)?;
        Ok(None)
    }
}

/// Sets the root of `reviewer`'s consequence tree for a record.
pub fn set_root(
    project: &mut Project,
    reviewer: ReviewerId,
    record: RecordId,
    root: &ConsequenceRoot,
) -> Result<()> {
    Ok(project.set_consequence_root(record, reviewer, root)?)
}

/// Records a lead's resolution of a disagreement.
pub fn resolve(
    project: &mut Project,
    lead: ReviewerId,
    record: RecordId,
    subject: &Subject,
    value: &ResolvedValue,
    note: Option<&str>,
) -> Result<Resolution> {
    Ok(project.resolve(lead, record, subject, value, note)?)
}

/// Undoes `reviewer`'s last review change.
pub fn undo(project: &mut Project, reviewer: ReviewerId) -> Result<UndoOutcome> {
    Ok(project.undo_last(reviewer)?)
}

/// A record's review as one reader may see it.
#[derive(Debug, Clone, Serialize)]
pub struct ReviewView {
    /// The record.
    pub record: RecordId,
    /// Its title.
    pub title: String,
    /// The judgements the reader may see, and how many are hidden.
    pub review: RecordReview,
    /// The outcome at both stages, when the reader may see it.
    pub outcome: Option<RecordOutcome>,
    /// Every reviewer's name, by id.
    #[serde(skip)]
    pub names: HashMap<ReviewerId, String>,
}

impl ReviewView {
    /// The name of a reviewer.
    pub fn name(&self, id: ReviewerId) -> &str {
        self.names.get(&id).map_or("", String::as_str)
    }
}

/// Every reviewer's name, by id.
fn names(project: &Project) -> Result<HashMap<ReviewerId, String>> {
    Ok(project
        .reviewers()?
        .into_iter()
        .map(|r| (r.id, r.name))
        .collect())
}

/// A record's review as `reader` may see it.
pub fn record_review(
    project: &Project,
    reader: Option<ReviewerId>,
    record: RecordId,
) -> Result<ReviewView> {
    let seen = seen_by(project, reader)?;
    let title = project.record(record)?.record.title;
    let review = project.record_review(record, &seen)?;
    seen.refuse_hidden(review.hidden, "other reviewers' judgements on this record")?;
    let outcome = match project.outcome(record, &seen) {
        Ok(outcome) => Some(outcome),
        Err(ecolens_core::Error::Blinded { .. }) => None,
        Err(other) => return Err(other.into()),
    };
    Ok(ReviewView {
        record,
        title,
        review,
        outcome,
        names: names(project)?,
    })
}

/// The risks `reader` may see on a record (or all), with how many are hidden.
pub fn risks(
    project: &Project,
    reader: Option<ReviewerId>,
    record: Option<RecordId>,
) -> Result<RiskList> {
    let seen = seen_by(project, reader)?;
    let list = project.risk_list(record, &seen)?;
    seen.refuse_hidden(list.hidden, "other reviewers' risks")?;
    Ok(list)
}

/// Counts of the register over the risks `reader` may see.
pub fn risk_summary(project: &Project, reader: Option<ReviewerId>) -> Result<RiskSummary> {
    let seen = seen_by(project, reader)?;
    Ok(project.risk_summary(&seen)?)
}

/// The records with risks `reader` may see.
pub fn risk_records(project: &Project, reader: Option<ReviewerId>) -> Result<Vec<RiskRecord>> {
    let seen = seen_by(project, reader)?;
    Ok(project.risk_records(&seen)?)
}

/// A record's consequence tree as `reader` may see it.
pub fn tree(
    project: &Project,
    reader: Option<ReviewerId>,
    record: RecordId,
) -> Result<ConsequenceTree> {
    let seen = seen_by(project, reader)?;
    Ok(project.consequence_tree(record, &seen)?)
}

/// How a tree file is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TreeFormat {
    /// An SVG drawing.
    Svg,
    /// The tree as JSON.
    Json,
}

impl TreeFormat {
    /// JSON for a `.json` path, SVG otherwise.
    pub fn of(path: &Path) -> Self {
        if path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("json"))
        {
            Self::Json
        } else {
            Self::Svg
        }
    }
}

/// Writes a record's tree as `reader` may see it; returns the tree written.
pub fn write_tree(
    project: &Project,
    reader: Option<ReviewerId>,
    record: RecordId,
    path: &Path,
    format: TreeFormat,
) -> Result<ConsequenceTree> {
    let tree = tree(project, reader, record)?;
    let content = match format {
        TreeFormat::Svg => tree.svg(),
        TreeFormat::Json => tree.json(),
    };
    write_text(path, &content)?;
    Ok(tree)
}

/// Disagreements between reviewers and their resolutions, for a reader who sees everyone's
/// judgements.
pub fn conflicts(project: &Project, reader: Option<ReviewerId>) -> Result<Vec<Conflict>> {
    let seen = seen_by(project, reader)?;
    Ok(project.conflicts(&seen)?)
}

/// Agreement between reviewers (`scope`: tiab, fulltext or classification), for a reader
/// who sees everyone's judgements or a lead.
pub fn agreement(
    project: &Project,
    reader: Option<ReviewerId>,
    scope: Option<&str>,
) -> Result<Vec<ScopeAgreement>> {
    let seen = seen_by(project, reader)?;
    Ok(project.agreement(scope, &seen)?)
}

/// The PRISMA 2020 counts, checked, for a reader who sees everyone's votes or a lead.
pub fn prisma(project: &Project, reader: Option<ReviewerId>) -> Result<PrismaCounts> {
    let seen = seen_by(project, reader)?;
    let counts = project.prisma(&seen)?;
    counts.check().map_err(Error::PrismaBroken)?;
    Ok(counts)
}

/// Writes the PRISMA flow diagram as SVG, titled with the project's name.
pub fn write_prisma(
    project: &Project,
    reader: Option<ReviewerId>,
    path: &Path,
) -> Result<PrismaCounts> {
    let counts = prisma(project, reader)?;
    let title = project.path().file_stem().map_or_else(
        || "ecolens review".to_owned(),
        |s| s.to_string_lossy().into_owned(),
    );
    write_text(path, &counts.svg(&title))?;
    Ok(counts)
}

/// Audit entries, newest first, as `reader` may read them: their own in full, other
/// reviewers' judgements as "changed by" without values while blind.
pub fn audit(
    project: &Project,
    reader: Option<ReviewerId>,
    filter: AuditFilter,
) -> Result<Vec<AuditEntry>> {
    let seen = seen_by(project, reader)?;
    Ok(project.audit_log(filter, &seen)?)
}

/// The reader's classification list.
pub fn classification_queue(
    project: &Project,
    reader: Option<ReviewerId>,
) -> Result<Vec<ClassifyItem>> {
    let seen = seen_by(project, reader)?;
    Ok(project.classification_queue(&seen)?)
}

/// One record as the screening view shows it, for one reviewer.
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
    /// Other reviewers' votes at this stage, by name (those the reader may see).
    pub others: Vec<(String, Decision)>,
    /// Judgements of other reviewers hidden by blind mode.
    pub hidden: usize,
}

/// One record as the Classify and Rebound views show it, for one reviewer.
#[derive(Debug, Clone)]
pub struct RecordDesk {
    /// The record.
    pub record: RecordId,
    /// The reviewer reading.
    pub reviewer: ReviewerId,
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
    /// Other reviewers' categories, by name (those the reader may see).
    pub others: Vec<(String, EvalCategory)>,
    /// The reviewer's labels, `(vocabulary, code)`.
    pub own_labels: Vec<(String, String)>,
    /// The risks the reviewer may see, with their authors' names.
    pub risks: Vec<(StoredRisk, String)>,
    /// The consequence tree the reviewer may see.
    pub tree: ConsequenceTree,
    /// Paper audits attached as evidence that the reviewer may see, with their authors'
    /// names.
    pub audits: Vec<(ecolens_core::store::StoredPaperAudit, String)>,
    /// The figures the abstract and full text state about the paper's computing, and the
    /// category they point to (a suggestion).
    pub cues: super::assess::RecordCues,
    /// Judgements of other reviewers hidden by blind mode.
    pub hidden: usize,
}

/// A record and its review as one reviewer may see it: what the screening card and the desk
/// are made from, read once.
struct Reading {
    who: ReviewerId,
    stored: ecolens_core::Record,
    review: RecordReview,
    names: HashMap<ReviewerId, String>,
    full_text: Option<String>,
}

impl Reading {
    fn of(project: &Project, reader: ReviewerId, record: RecordId) -> Result<Self> {
        let seen = seen_by(project, Some(reader))?;
        Ok(Self {
            who: reader,
            stored: project.record(record)?.record,
            review: project.record_review(record, &seen)?,
            names: names(project)?,
            full_text: project.full_text(record)?.map(|full| full.text),
        })
    }

    fn name(&self, id: ReviewerId) -> String {
        self.names.get(&id).cloned().unwrap_or_default()
    }
}

/// The screening card of a record at a stage, for `reader`.
pub fn card(
    project: &Project,
    reader: ReviewerId,
    record: RecordId,
    stage: Stage,
) -> Result<ScreeningCard> {
    let reading = Reading::of(project, reader, record)?;
    let who = reading.who;
    let own_vote = reading
        .review
        .votes
        .iter()
        .find(|v| v.reviewer == who && v.vote.stage == stage)
        .map(|v| v.vote.decision.clone());
    let own_category = reading
        .review
        .classifications
        .iter()
        .find(|c| c.reviewer == who)
        .map(|c| c.classification.category);
    let others = reading
        .review
        .votes
        .iter()
        .filter(|v| v.reviewer != who && v.vote.stage == stage)
        .map(|v| (reading.name(v.reviewer), v.vote.decision.clone()))
        .collect();
    let stored = reading.stored;
    Ok(ScreeningCard {
        record,
        stage,
        authors: ecolens_core::record::short_authors(&stored.authors),
        title: stored.title,
        year: stored.year,
        venue: stored.venue,
        abstract_text: stored.abstract_text,
        keywords: stored.keywords,
        has_full_text: reading.full_text.is_some(),
        own_vote,
        own_category,
        others,
        hidden: reading.review.hidden,
    })
}

/// The Classify and Rebound desk of a record, for `reader`.
pub fn desk(project: &Project, reader: ReviewerId, record: RecordId) -> Result<RecordDesk> {
    let reading = Reading::of(project, reader, record)?;
    let who = reading.who;
    let own_classification = reading
        .review
        .classifications
        .iter()
        .find(|c| c.reviewer == who)
        .map(|c| c.classification.clone());
    let others = reading
        .review
        .classifications
        .iter()
        .filter(|c| c.reviewer != who)
        .map(|c| (reading.name(c.reviewer), c.classification.category))
        .collect();
    let own_labels = reading
        .review
        .labels
        .iter()
        .filter(|l| l.reviewer == who)
        .map(|l| (l.vocabulary.clone(), l.code.clone()))
        .collect();
    let tree = tree(project, Some(reader), record)?;
    let risks = reading
        .review
        .risks
        .iter()
        .map(|risk| (risk.clone(), reading.name(risk.reviewer)))
        .collect();
    let (audits, hidden_audits) = super::assess::paper_audits(project, Some(reader), record)?;
    let audits = audits
        .into_iter()
        .map(|a| {
            let name = a.reviewer.map(|r| reading.name(r)).unwrap_or_default();
            (a, name)
        })
        .collect();
    let authors = ecolens_core::record::short_authors(&reading.stored.authors);
    let byline = match reading.stored.year {
        Some(year) => format!("{authors} ({year})"),
        None => authors,
    };
    let cues = super::assess::RecordCues::of(
        reading.stored.abstract_text.as_deref(),
        reading.full_text.as_deref(),
        &format!("record {record}, from its text"),
    );
    Ok(RecordDesk {
        record,
        reviewer: who,
        cues,
        title: reading.stored.title,
        byline,
        abstract_text: reading.stored.abstract_text,
        full_text: reading.full_text,
        own_classification,
        others,
        own_labels,
        risks,
        tree,
        audits,
        hidden: reading.review.hidden + hidden_audits,
    })
}

/// A path a use case wrote, with what it holds in words ("3 effects").
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Written {
    /// The file.
    pub path: PathBuf,
    /// Bytes written.
    pub bytes: u64,
}
