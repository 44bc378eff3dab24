//! The review workflow over stored data: settings (blind mode, screening rule), what a
//! reviewer may see, stage outcomes, conflicts and their resolutions, agreement, PRISMA counts,
//! the risk register's counts and consequence trees.

use std::collections::{BTreeMap, HashMap, HashSet};

use ecolens_taxonomy::labels::EXCLUSION_REASON;
use ecolens_taxonomy::{Direction, EffectCode, EvalCategory, Term};
use rusqlite::{OptionalExtension, Transaction, params, params_from_iter};
use serde::Serialize;

use super::audit::log_change;
use super::records::{record_exists, require_record};
use super::review::{commit_review_change, require_project_label, require_reviewer};
use super::{Column, Project, now, only_reviewer, query_all, to_json};
use crate::agreement::{Rating, ScopeAgreement};
use crate::audit::EntityKind;
use crate::consequence::{ConsequenceRoot, ConsequenceTree};
use crate::error::{Error, Result, SqlContext};
use crate::ids::{RecordId, ReviewerId};
use crate::priority::{HighlightTerms, PrioritySettings, QueueOrder};
use crate::prisma::{PrismaCounts, ReasonCount, SourceCount};
use crate::review::{
    Decision, Reviewer, Stage, StoredClassification, StoredRecordLabel, StoredRisk, StoredVote,
};
use crate::stopping::StoppingRule;
use crate::visibility::Visibility;
use crate::workflow::{
    Conflict, Position, Resolution, ResolvedValue, ReviewSettings, RiskRating, ScreeningRule,
    StageOutcome, Subject,
};

/// Every vote, by record id: (reviewer, stage, decision).
type VotesByRecord = BTreeMap<i64, Vec<(ReviewerId, Stage, Decision)>>;

/// How an on/off setting is stored.
fn switch_code(on: bool) -> &'static str {
    if on { "on" } else { "off" }
}

const BLIND_KEY: &str = "review.blind";
const LEADS_KEY: &str = "review.leads_see_all";
const RULE_KEY: &str = "review.screening_rule";
const ORDER_KEY: &str = "screening.order";
const SEED_KEY: &str = "screening.seed";
const TARGET_KEY: &str = "screening.target_recall";
const CONFIDENCE_KEY: &str = "screening.confidence";
const HIGHLIGHT_INCLUDE_KEY: &str = "screening.highlight_include";
const HIGHLIGHT_EXCLUDE_KEY: &str = "screening.highlight_exclude";
const KNOWN_INCLUDES_KEY: &str = "screening.known_includes";

/// A record's review data as one reviewer may see it.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct RecordReview {
    /// Votes (the viewer's only, while blind).
    pub votes: Vec<StoredVote>,
    /// Classifications (likewise).
    pub classifications: Vec<StoredClassification>,
    /// Risks (likewise).
    pub risks: Vec<StoredRisk>,
    /// Labels (likewise).
    pub labels: Vec<StoredRecordLabel>,
    /// Resolutions (hidden while blind).
    pub resolutions: Vec<Resolution>,
    /// Items of other reviewers hidden by blind mode.
    pub hidden: usize,
}

/// Where a record stands at both screening stages.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RecordOutcome {
    /// The record.
    pub record: RecordId,
    /// Title/abstract stage.
    pub tiab: StageOutcome,
    /// Full-text stage.
    pub fulltext: StageOutcome,
    /// Whether a full text is attached.
    pub has_full_text: bool,
}

impl RecordOutcome {
    /// Whether the record reached the full-text stage: included at title/abstract, or voted on
    /// at full text already.
    pub fn at_full_text(&self) -> bool {
        self.tiab.moves_on() || self.fulltext != StageOutcome::Unscreened
    }
}

/// One record in a reviewer's screening queue.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QueueItem {
    /// The record.
    pub record: RecordId,
    /// The reviewer's own vote at this stage, if cast.
    pub own: Option<Decision>,
}

/// One record in a reviewer's classification list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClassifyItem {
    /// The record.
    pub record: RecordId,
    /// Its title.
    pub title: String,
    /// The reviewer's own category, once classified.
    pub own: Option<EvalCategory>,
}

/// One record of the risk register, with the number of risks the viewer may see.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RiskRecord {
    /// The record.
    pub record: RecordId,
    /// Its title.
    pub title: String,
    /// Visible risks recorded for it.
    pub risks: u64,
}

/// Risks one reader may see, with how many blind mode hides.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct RiskList {
    /// The risks shown.
    pub risks: Vec<StoredRisk>,
    /// Risks of other reviewers hidden by blind mode.
    pub hidden: usize,
}

/// Counts of the risk register.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct RiskSummary {
    /// Risks counted.
    pub risks: u64,
    /// Records with at least one.
    pub records: u64,
    /// Per effect code, in vocabulary order (codes with risks only).
    pub by_effect: Vec<(String, u64)>,
    /// Per direction (`not_rated` for risks without one).
    pub by_direction: Vec<(String, u64)>,
    /// Per Rolnick domain of the record (`no_domain` when unlabelled).
    pub by_domain: Vec<(String, u64)>,
}

impl Project {
    /// Blind mode and the screening rule.
    pub fn review_settings(&self) -> Result<ReviewSettings> {
        let defaults = ReviewSettings::default();
        let switch = |key: &str, default: bool| -> Result<bool> {
            match self.meta(key)?.as_deref() {
                None => Ok(default),
                Some("on") => Ok(true),
                Some("off") => Ok(false),
                Some(other) => Err(Column::at("project_meta", "value", 0)
                    .corrupt(format!("{key} = {other:?}, expected on or off"))),
            }
        };
        let blind = switch(BLIND_KEY, defaults.blind)?;
        let leads_see_all = switch(LEADS_KEY, defaults.leads_see_all)?;
        let rule = match self.meta(RULE_KEY)? {
            None => defaults.rule,
            Some(code) => ScreeningRule::parse(RULE_KEY, &code)
                .map_err(|e| Column::at("project_meta", "value", 0).corrupt(e))?,
        };
        Ok(ReviewSettings {
            blind,
            leads_see_all,
            rule,
        })
    }

    /// Switches blind mode; only a lead may.
    pub fn set_blind(&mut self, lead: ReviewerId, blind: bool) -> Result<ReviewSettings> {
        self.refuse_local_switch("switch blind mode here")?;
        self.change_setting(
            lead,
            "switch blind mode",
            BLIND_KEY,
            (
                switch_code(blind),
                switch_code(ReviewSettings::default().blind),
            ),
        )
    }

    /// Lets leads see everyone's judgements while blind, or not; only a lead may.
    pub fn set_leads_see_all(&mut self, lead: ReviewerId, on: bool) -> Result<ReviewSettings> {
        self.refuse_local_switch("let leads see all here")?;
        self.change_setting(
            lead,
            "let leads see all",
            LEADS_KEY,
            (
                switch_code(on),
                switch_code(ReviewSettings::default().leads_see_all),
            ),
        )
    }

    /// What `reader` may see of reviewers' judgements (see [`crate::visibility`]): the one
    /// place blind mode is read for a reader. A reader who is not a reviewer of the project is
    /// refused.
    pub fn visibility(&self, reader: Option<ReviewerId>) -> Result<Visibility> {
        let settings = self.review_settings()?;
        let reader = reader.map(|id| self.reviewer(id)).transpose()?;
        if let Some(reader) = &reader {
            self.require_hub_reviewer(&reader.name)?;
        }
        let reviewers: i64 = self
            .conn
            .query_row("SELECT count(*) FROM reviewer", [], |row| row.get(0))
            .context("counting reviewers")?;
        Ok(Visibility::decide(
            settings.blind,
            settings.leads_see_all,
            usize::try_from(reviewers).unwrap_or(usize::MAX),
            reader,
        ))
    }

    /// Sets the rule that moves records on; only a lead may.
    pub fn set_screening_rule(
        &mut self,
        lead: ReviewerId,
        rule: ScreeningRule,
    ) -> Result<ReviewSettings> {
        self.change_setting(
            lead,
            "change the screening rule",
            RULE_KEY,
            (rule.code(), ReviewSettings::default().rule.code()),
        )
    }

    /// Writes `key = value` (with `(value, default)`: a key never written holds the default)
    /// and its audit entry, or nothing when the setting already has that value.
    fn change_setting(
        &mut self,
        lead: ReviewerId,
        action: &'static str,
        key: &str,
        (value, default): (&str, &str),
    ) -> Result<ReviewSettings> {
        self.change_settings(lead, action, &[(key, value, default)])?;
        self.review_settings()
    }

    /// Writes several settings `(key, value, default)` in one transaction, each changed one
    /// with its audit entry; only a lead may.
    fn change_settings(
        &mut self,
        lead: ReviewerId,
        action: &'static str,
        changes: &[(&str, &str, &str)],
    ) -> Result<()> {
        self.write_settings(lead, Some(action), changes, |_| Ok(()))
    }

    /// Writes settings as [`Self::change_settings`] does; `lead_action` names what needs a
    /// lead, `None` lets any reviewer of the project write; `check` vets the values in the same
    /// transaction (records a setting names must exist when it is written).
    fn write_settings(
        &mut self,
        author: ReviewerId,
        lead_action: Option<&'static str>,
        changes: &[(&str, &str, &str)],
        check: impl FnOnce(&Transaction<'_>) -> Result<()>,
    ) -> Result<()> {
        let tx = self
            .conn
            .transaction()
            .context("starting to change a setting")?;
        let author = match lead_action {
            Some(action) => require_lead(&tx, author, action)?,
            None => require_reviewer(&tx, author)?,
        };
        check(&tx)?;
        let mut changed = false;
        for (key, value, default) in changes {
            let old = read_meta(&tx, key)?;
            if old.as_deref().unwrap_or(default) == *value {
                continue;
            }
            write_meta(&tx, key, Some(value))?;
            log_change(
                &tx,
                Some(&author),
                EntityKind::Setting,
                (*key).to_owned(),
                None,
                Some(&old),
                Some(&Some((*value).to_owned())),
            )?;
            changed = true;
        }
        if changed {
            tx.commit().context("committing a setting")?;
        }
        Ok(())
    }

    /// The words and phrases highlighted on the screening card.
    pub fn highlight_terms(&self) -> Result<HighlightTerms> {
        let list = |key: &str| -> Result<Vec<String>> {
            Ok(self
                .meta(key)?
                .map(|text| text.lines().map(str::to_owned).collect())
                .unwrap_or_default())
        };
        Ok(HighlightTerms {
            include: list(HIGHLIGHT_INCLUDE_KEY)?,
            exclude: list(HIGHLIGHT_EXCLUDE_KEY)?,
        })
    }

    /// Sets the highlighted words and phrases (any reviewer may: they carry no judgement), in
    /// one audited transaction. A term may not hold a line break.
    pub fn set_highlight_terms(
        &mut self,
        reviewer: ReviewerId,
        terms: &HighlightTerms,
    ) -> Result<HighlightTerms> {
        let clean =
            |list: &[String]| -> Vec<String> { HighlightTerms::parse_list(&list.join("\n")) };
        let (include, exclude) = (
            clean(&terms.include).join("\n"),
            clean(&terms.exclude).join("\n"),
        );
        self.write_settings(
            reviewer,
            None,
            &[
                (HIGHLIGHT_INCLUDE_KEY, &include, ""),
                (HIGHLIGHT_EXCLUDE_KEY, &exclude, ""),
            ],
            |_| Ok(()),
        )?;
        self.highlight_terms()
    }

    /// The records the lead picked as known includes (key papers known before screening), in
    /// the order picked. Until a reader's own votes hold an include and an exclude, these come
    /// first in their queue, so the model has an include to learn from sooner; each reviewer
    /// still screens them. Records deleted since are left out.
    pub fn known_includes(&self) -> Result<Vec<RecordId>> {
        let Some(text) = self.meta(KNOWN_INCLUDES_KEY)? else {
            return Ok(Vec::new());
        };
        let mut known = Vec::new();
        for word in text.split_whitespace() {
            let id = word.parse::<i64>().map(RecordId).map_err(|_| {
                Column::at("project_meta", "value", 0).corrupt(format!(
                    "{KNOWN_INCLUDES_KEY} holds {word:?}, expected record numbers"
                ))
            })?;
            if record_exists(&self.conn, id)? {
                known.push(id);
            }
        }
        Ok(known)
    }

    /// Sets the known includes (see [`Project::known_includes`]); only a lead may, in one
    /// audited transaction. Every record must exist; repeats are dropped.
    pub fn set_known_includes(
        &mut self,
        lead: ReviewerId,
        records: &[RecordId],
    ) -> Result<Vec<RecordId>> {
        let mut unique: Vec<RecordId> = Vec::new();
        for record in records {
            if !unique.contains(record) {
                unique.push(*record);
            }
        }
        let text = unique
            .iter()
            .map(|r| r.0.to_string())
            .collect::<Vec<_>>()
            .join(" ");
        self.write_settings(
            lead,
            Some("pick the known includes screening starts with"),
            &[(KNOWN_INCLUDES_KEY, &text, "")],
            |tx| {
                unique
                    .iter()
                    .try_for_each(|record| require_record(tx, *record))
            },
        )?;
        self.known_includes()
    }

    /// The project's prioritised-screening settings (defaults for those never set).
    pub fn priority_settings(&self) -> Result<PrioritySettings> {
        let defaults = PrioritySettings::default();
        let corrupt = |key: &str, value: &str, expected: &str| {
            Column::at("project_meta", "value", 0)
                .corrupt(format!("{key} = {value:?}, expected {expected}"))
        };
        let order = match self.meta(ORDER_KEY)? {
            None => defaults.order,
            Some(code) => code
                .parse::<QueueOrder>()
                .map_err(|error| corrupt(ORDER_KEY, &code, &error))?,
        };
        let seed = match self.meta(SEED_KEY)? {
            None => defaults.seed,
            Some(text) => text
                .parse::<u64>()
                .map_err(|_| corrupt(SEED_KEY, &text, "a whole number"))?,
        };
        let fraction = |key: &str, default: f64| -> Result<f64> {
            match self.meta(key)? {
                None => Ok(default),
                Some(text) => text
                    .parse::<f64>()
                    .ok()
                    .filter(|v| *v > 0.0 && *v < 1.0)
                    .ok_or_else(|| corrupt(key, &text, "a fraction between 0 and 1")),
            }
        };
        Ok(PrioritySettings {
            order,
            seed,
            stopping: StoppingRule {
                target_recall: fraction(TARGET_KEY, defaults.stopping.target_recall)?,
                confidence: fraction(CONFIDENCE_KEY, defaults.stopping.confidence)?,
            },
        })
    }

    /// Sets prioritised screening's settings in one transaction; only a lead may. Fractions
    /// must lie between 0 and 1.
    pub fn set_priority_settings(
        &mut self,
        lead: ReviewerId,
        settings: PrioritySettings,
    ) -> Result<PrioritySettings> {
        for (field, value) in [
            ("target recall", settings.stopping.target_recall),
            ("confidence", settings.stopping.confidence),
        ] {
            if !(value > 0.0 && value < 1.0) {
                return Err(Error::InvalidValue {
                    field: field.to_owned(),
                    value: value.to_string(),
                    expected: "a fraction between 0 and 1, such as 0.95".to_owned(),
                });
            }
        }
        let defaults = PrioritySettings::default();
        let texts = [
            (ORDER_KEY, settings.order.code(), defaults.order.code()),
            (
                SEED_KEY,
                settings.seed.to_string(),
                defaults.seed.to_string(),
            ),
            (
                TARGET_KEY,
                settings.stopping.target_recall.to_string(),
                defaults.stopping.target_recall.to_string(),
            ),
            (
                CONFIDENCE_KEY,
                settings.stopping.confidence.to_string(),
                defaults.stopping.confidence.to_string(),
            ),
        ];
        let changes: Vec<(&str, &str, &str)> = texts
            .iter()
            .map(|(key, value, default)| (*key, value.as_str(), default.as_str()))
            .collect();
        self.change_settings(lead, "change how the screening queue is ordered", &changes)?;
        self.priority_settings()
    }

    /// A record's review data as `seen` allows, with a count of what it hides.
    pub fn record_review(&self, record: RecordId, seen: &Visibility) -> Result<RecordReview> {
        let mut hidden = 0;
        let mut keep = |reviewer: ReviewerId| {
            let visible = seen.shows(reviewer);
            if !visible {
                hidden += 1;
            }
            visible
        };
        let all = Visibility::machinery();
        let votes: Vec<StoredVote> = self
            .screening_votes(record, &all)?
            .into_iter()
            .filter(|v| keep(v.reviewer))
            .collect();
        let classifications = self
            .classifications(record, &all)?
            .into_iter()
            .filter(|c| keep(c.reviewer))
            .collect();
        let risks = self
            .risks(record, &all)?
            .into_iter()
            .filter(|r| keep(r.reviewer))
            .collect();
        let labels = self
            .record_labels(record, &all)?
            .into_iter()
            .filter(|l| keep(l.reviewer))
            .collect();
        let resolutions = if seen.sees_everyone() {
            self.all_resolutions(Some(record))?
        } else {
            Vec::new()
        };
        Ok(RecordReview {
            votes,
            classifications,
            risks,
            labels,
            resolutions,
            hidden,
        })
    }

    /// The outcome of both stages for every record, under the project's rule, with
    /// resolutions applied: an overview of everyone's votes, for readers who see everyone's
    /// or for leads.
    pub fn outcomes(&self, seen: &Visibility) -> Result<Vec<RecordOutcome>> {
        seen.require_overview("the stage outcomes, which follow from everyone's votes")?;
        self.outcomes_of(None)
    }

    /// Outcomes of every record, or of one, reading only what they need.
    fn outcomes_of(&self, only: Option<RecordId>) -> Result<Vec<RecordOutcome>> {
        let rule = self.review_settings()?.rule;
        let votes = self.all_votes(only)?;
        let resolutions = self.screening_resolutions(only)?;
        let with_text: HashSet<i64> = query_all(
            &self.conn,
            &format!(
                "SELECT record_id FROM record_fulltext{}",
                only_record(only, "record_id")
            ),
            params_from_iter(only.map(|r| r.0)),
            "listing full texts",
            |row| row.get(0),
        )?
        .into_iter()
        .collect();
        let ids: Vec<i64> = query_all(
            &self.conn,
            &format!(
                "SELECT id FROM record{} ORDER BY id",
                only_record(only, "id")
            ),
            params_from_iter(only.map(|r| r.0)),
            "listing records",
            |row| row.get(0),
        )?;
        let empty = Vec::new();
        Ok(ids
            .into_iter()
            .map(|id| {
                let record_votes = votes.get(&id).unwrap_or(&empty);
                let outcome = |stage: Stage| {
                    let decisions: Vec<&Decision> = record_votes
                        .iter()
                        .filter(|(_, s, _)| *s == stage)
                        .map(|(_, _, d)| d)
                        .collect();
                    StageOutcome::of(stage, &decisions, rule, resolutions.get(&(id, stage)))
                };
                RecordOutcome {
                    record: RecordId(id),
                    tiab: outcome(Stage::TitleAbstract),
                    fulltext: outcome(Stage::FullText),
                    has_full_text: with_text.contains(&id),
                }
            })
            .collect())
    }

    /// A record's outcome at both stages (an overview, as [`Self::outcomes`]).
    pub fn outcome(&self, record: RecordId, seen: &Visibility) -> Result<RecordOutcome> {
        seen.require_overview("a record's stage outcome, which follows from everyone's votes")?;
        self.outcomes_of(Some(record))?
            .pop()
            .ok_or_else(|| Error::NotFound {
                entity: "record",
                key: record.to_string(),
            })
    }

    /// The records the reader screens at `stage`, in id order, with the reader's own vote:
    /// every record at title/abstract; at full text, the records that moved on (or already
    /// have full-text votes). Which records moved on follows from the rule, as the review
    /// needs; nobody else's vote is shown.
    pub fn screening_queue(&self, stage: Stage, seen: &Visibility) -> Result<Vec<QueueItem>> {
        let viewer = seen.require_reader("a screening queue")?.id;
        let votes = self.all_votes(None)?;
        let own = |id: i64| {
            votes.get(&id).and_then(|list| {
                list.iter()
                    .find(|(r, s, _)| *r == viewer && *s == stage)
                    .map(|(_, _, d)| d.clone())
            })
        };
        Ok(self
            .outcomes_of(None)?
            .into_iter()
            .filter(|o| stage == Stage::TitleAbstract || o.at_full_text())
            .map(|o| QueueItem {
                record: o.record,
                own: own(o.record.0),
            })
            .collect())
    }

    /// The reader's own votes at `stage` in the order cast (a vote changed later counts when
    /// it was changed): what the reader's screening model learns from and the sequence the
    /// stopping rule tests. Nobody else's vote is read.
    pub fn own_votes_in_order(
        &self,
        stage: Stage,
        seen: &Visibility,
    ) -> Result<Vec<(RecordId, Decision)>> {
        let viewer = seen.require_reader("a reviewer's votes in order")?.id;
        self.votes_in_order(viewer, stage)
    }

    /// Whether each of `reviewer`'s votes at `stage`, in the order cast, is an include: the
    /// sequence the stopping rule tests. For the reviewer, for a reader who sees their
    /// judgements, and, as figures (no record is named), for a reader who sees the review's
    /// overview, as PRISMA counts are.
    pub fn includes_in_order(
        &self,
        reviewer: ReviewerId,
        stage: Stage,
        seen: &Visibility,
    ) -> Result<Vec<bool>> {
        if !seen.shows(reviewer) {
            seen.require_overview("a reviewer's screening figures")?;
        }
        Ok(self
            .votes_in_order(reviewer, stage)?
            .iter()
            .map(|(_, decision)| matches!(decision, Decision::Include))
            .collect())
    }

    fn votes_in_order(
        &self,
        reviewer: ReviewerId,
        stage: Stage,
    ) -> Result<Vec<(RecordId, Decision)>> {
        let rows: Vec<(i64, String, Option<String>)> = query_all(
            &self.conn,
            "SELECT record_id, decision, reason FROM screening WHERE reviewer_id = ?1 AND stage = ?2 ORDER BY julianday(decided_at), rowid",
            rusqlite::params![reviewer.0, stage.code()],
            "reading a reviewer's votes",
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
        )?;
        rows.into_iter()
            .map(|(record, decision, reason)| {
                let decision = Decision::parse("screening.decision", &decision, reason)
                    .map_err(|e| Column::at("screening", "decision", record).corrupt(e))?;
                Ok((RecordId(record), decision))
            })
            .collect()
    }

    /// Every disagreement between reviewers (screening votes at a stage, a–f categories,
    /// ratings of the same effect), with its resolution when recorded. Only for a reader who
    /// sees everyone's judgements.
    pub fn conflicts(&self, seen: &Visibility) -> Result<Vec<Conflict>> {
        seen.require_everyone("who voted what, and so the list of conflicts")?;
        let names: HashMap<ReviewerId, String> = self
            .reviewers()?
            .into_iter()
            .map(|r| (r.id, r.name))
            .collect();
        let name = |id: ReviewerId| names.get(&id).cloned().unwrap_or_else(|| id.to_string());
        let mut found: BTreeMap<(RecordId, Subject), Vec<Position>> = BTreeMap::new();

        for (record, list) in self.all_votes(None)? {
            for stage in Stage::ALL {
                let at: Vec<&(ReviewerId, Stage, Decision)> =
                    list.iter().filter(|(_, s, _)| *s == stage).collect();
                let disagree = at.first().is_some_and(|first| {
                    at.iter()
                        .any(|other| !crate::workflow::same_decision(stage, &first.2, &other.2))
                });
                if disagree {
                    found.insert(
                        (RecordId(record), Subject::Screening(stage)),
                        at.iter()
                            .map(|(reviewer, _, decision)| {
                                Position::new(
                                    *reviewer,
                                    name(*reviewer),
                                    ResolvedValue::Screening(decision.clone()),
                                )
                            })
                            .collect(),
                    );
                }
            }
        }
        let categories: Vec<(i64, i64, String)> = query_all(
            &self.conn,
            "SELECT record_id, reviewer_id, category FROM classification ORDER BY record_id, reviewer_id",
            [],
            "reading classifications",
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
        )?;
        for group in categories.chunk_by(|a, b| a.0 == b.0) {
            if group.iter().any(|c| c.2 != group[0].2) {
                found.insert(
                    (RecordId(group[0].0), Subject::Classification),
                    group
                        .iter()
                        .map(|(record, reviewer, category)| {
                            let category: EvalCategory =
                                Column::at("classification", "category", *record).term(category)?;
                            Ok(Position::new(
                                ReviewerId(*reviewer),
                                name(ReviewerId(*reviewer)),
                                ResolvedValue::Classification(category),
                            ))
                        })
                        .collect::<Result<_>>()?,
                );
            }
        }
        let mut ratings: BTreeMap<(i64, EffectCode), Vec<(ReviewerId, RiskRating)>> =
            BTreeMap::new();
        for risk in self.all_risks()? {
            ratings
                .entry((risk.record.0, risk.risk.effect))
                .or_default()
                .push((risk.reviewer, RiskRating::of(&risk.risk)));
        }
        for ((record, effect), list) in ratings {
            let reviewers: HashSet<ReviewerId> = list.iter().map(|(r, _)| *r).collect();
            if reviewers.len() >= 2 && list.iter().any(|(_, rating)| *rating != list[0].1) {
                found.insert(
                    (RecordId(record), Subject::Risk(effect)),
                    list.iter()
                        .map(|(reviewer, rating)| {
                            Position::new(*reviewer, name(*reviewer), ResolvedValue::Risk(*rating))
                        })
                        .collect(),
                );
            }
        }
        let mut resolutions: HashMap<(RecordId, Subject), Resolution> = self
            .all_resolutions(None)?
            .into_iter()
            .map(|r| ((r.record, r.subject.clone()), r))
            .collect();
        let ids: Vec<i64> = found.keys().map(|(record, _)| record.0).collect();
        let titles = self.titles(&ids)?;
        let mut conflicts = Vec::with_capacity(found.len());
        for ((record, subject), positions) in found {
            let title = titles.get(&record.0).cloned().unwrap_or_default();
            let resolution = resolutions.remove(&(record, subject.clone()));
            conflicts.push(Conflict {
                record,
                title,
                subject,
                positions,
                resolution,
            });
        }
        Ok(conflicts)
    }

    /// Records a lead's resolution of a subject: the final value, beside the votes (which stay
    /// as they were). Refused while blind, and for subjects nobody has judged.
    pub fn resolve(
        &mut self,
        lead: ReviewerId,
        record: RecordId,
        subject: &Subject,
        value: &ResolvedValue,
        note: Option<&str>,
    ) -> Result<Resolution> {
        value.validate(subject)?;
        if note.is_some_and(|n| n.trim().is_empty()) {
            return Err(Error::invalid("resolution.note", "", "text, or no note"));
        }
        self.visibility(Some(lead))?
            .require_everyone("the reviewers' votes, which a resolution weighs")?;
        let tx = self.conn.transaction().context("starting to resolve")?;
        require_record(&tx, record)?;
        let author = require_lead(&tx, lead, "resolve a conflict")?;
        if let ResolvedValue::Screening(Decision::Exclude { reason: Some(code) }) = value {
            require_project_label(&tx, EXCLUSION_REASON, code, "resolution.reason")?;
        }
        let judged: i64 = match subject {
            Subject::Screening(stage) => tx.query_row(
                "SELECT count(*) FROM screening WHERE record_id = ?1 AND stage = ?2",
                params![record.0, stage.code()],
                |row| row.get(0),
            ),
            Subject::Classification => tx.query_row(
                "SELECT count(*) FROM classification WHERE record_id = ?1",
                [record.0],
                |row| row.get(0),
            ),
            Subject::Risk(effect) => tx.query_row(
                "SELECT count(*) FROM rebound_risk WHERE record_id = ?1 AND effect = ?2",
                params![record.0, effect.code()],
                |row| row.get(0),
            ),
        }
        .context("looking for what is resolved")?;
        if judged == 0 {
            return Err(Error::invalid(
                "resolution.subject",
                subject.code(),
                format!("a subject reviewers have judged on record {record}"),
            ));
        }
        let resolution = Resolution {
            record,
            subject: subject.clone(),
            value: value.clone(),
            note: note.map(str::to_owned),
            resolved_by: author.id,
            resolved_at: now(),
        };
        let old = load_resolution(&tx, record, subject)?;
        write_resolution(&tx, &resolution)?;
        commit_review_change(
            tx,
            &author,
            (
                EntityKind::Resolution,
                resolution_key(record, subject),
                record,
            ),
            old.as_ref(),
            Some(&resolution),
            "committing a resolution",
        )?;
        Ok(resolution)
    }

    /// The resolutions recorded on a record, for a reader who sees everyone's judgements
    /// (none otherwise: a resolution says how reviewers disagreed).
    pub fn resolutions(&self, record: RecordId, seen: &Visibility) -> Result<Vec<Resolution>> {
        if seen.sees_everyone() {
            self.all_resolutions(Some(record))
        } else {
            Ok(Vec::new())
        }
    }

    /// Agreement between reviewers per scope: title/abstract votes, full-text votes (include /
    /// exclude / maybe, nominal) and a–f classifications (ordered: weighted κ too). Only the
    /// reviewers' own latest values count; resolutions do not change agreement. `scope`
    /// limits it to `tiab`, `fulltext` or `classification`. An overview of everyone's
    /// judgements: for readers who see everyone's, or for leads (with one shared item, a
    /// percent says how the other voted).
    pub fn agreement(&self, scope: Option<&str>, seen: &Visibility) -> Result<Vec<ScopeAgreement>> {
        seen.require_overview("agreement between reviewers")?;
        let scopes = ["tiab", "fulltext", "classification"];
        if let Some(wanted) = scope
            && !scopes.contains(&wanted)
        {
            return Err(Error::invalid(
                "agreement.stage",
                wanted,
                "tiab, fulltext or classification",
            ));
        }
        let reviewers: Vec<Reviewer> = self.reviewers()?;
        let names: Vec<String> = reviewers.iter().map(|r| r.name.clone()).collect();
        let name_of: HashMap<ReviewerId, String> =
            reviewers.into_iter().map(|r| (r.id, r.name)).collect();
        let mut out = Vec::new();
        let votes = self.all_votes(None)?;
        for stage in Stage::ALL {
            if scope.is_some_and(|s| s != stage.code()) {
                continue;
            }
            let ratings: Vec<Rating> = votes
                .iter()
                .flat_map(|(record, list)| {
                    list.iter().filter(|(_, s, _)| *s == stage).filter_map(
                        |(reviewer, _, decision)| {
                            Some(Rating {
                                item: *record,
                                reviewer: name_of.get(reviewer)?.clone(),
                                category: match decision {
                                    Decision::Include => 0,
                                    Decision::Exclude { .. } => 1,
                                    Decision::Maybe => 2,
                                },
                            })
                        },
                    )
                })
                .collect();
            out.push(ScopeAgreement::compute(
                stage.code(),
                &["include", "exclude", "maybe"],
                false,
                &names,
                &ratings,
            ));
        }
        if scope.is_none_or(|s| s == "classification") {
            let rows: Vec<(i64, i64, String)> = query_all(
                &self.conn,
                "SELECT record_id, reviewer_id, category FROM classification",
                [],
                "reading classifications",
                |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
            )?;
            let mut ratings = Vec::with_capacity(rows.len());
            for (record, reviewer, category) in rows {
                let category: EvalCategory =
                    Column::at("classification", "category", record).term(&category)?;
                let position = EvalCategory::ALL
                    .iter()
                    .position(|c| *c == category)
                    .unwrap_or(0);
                if let Some(name) = name_of.get(&ReviewerId(reviewer)) {
                    ratings.push(Rating {
                        item: record,
                        reviewer: name.clone(),
                        category: position,
                    });
                }
            }
            let codes: Vec<&str> = EvalCategory::ALL.iter().map(|c| c.code()).collect();
            out.push(ScopeAgreement::compute(
                "classification",
                &codes,
                true,
                &names,
                &ratings,
            ));
        }
        Ok(out)
    }

    /// The PRISMA 2020 counts, from the records, their sources, merges and screening outcomes:
    /// an overview of everyone's votes, for readers who see everyone's or for leads.
    pub fn prisma(&self, seen: &Visibility) -> Result<PrismaCounts> {
        seen.require_overview("the PRISMA counts, which follow from everyone's votes")?;
        // Records identified are the distinct places records were read from (file and
        // line): a file imported twice identifies its records once.
        let sources: Vec<(String, i64)> = query_all(
            &self.conn,
            "SELECT file, count(DISTINCT coalesce(locator, '#' || id)) FROM record_source
             GROUP BY file ORDER BY min(id)",
            [],
            "counting records per source",
            |row| Ok((row.get(0)?, row.get(1)?)),
        )?;
        let identified: Vec<SourceCount> = sources
            .into_iter()
            .map(|(file, records)| SourceCount {
                source: source_name(&file),
                records: records.unsigned_abs(),
            })
            .collect();
        // Every identified record beyond the first of each record kept is a duplicate
        // removed (a merge adds one place to the record it kept).
        let records_with_sources = self
            .conn
            .query_row(
                "SELECT count(*) FROM (SELECT DISTINCT record_id FROM record_source)",
                [],
                |row| row.get::<_, i64>(0),
            )
            .context("counting merges")?
            .unsigned_abs();
        let identified_total: u64 = identified.iter().map(|s| s.records).sum();
        let duplicates_removed = identified_total.saturating_sub(records_with_sources);
        let reason_names: HashMap<String, String> = self
            .project_labels(EXCLUSION_REASON)?
            .into_iter()
            .map(|l| (l.code, l.name))
            .collect();
        let mut counts = PrismaCounts {
            identified,
            identified_total,
            duplicates_removed,
            ..PrismaCounts::default()
        };
        let mut reasons: BTreeMap<String, u64> = BTreeMap::new();
        for outcome in self.outcomes_of(None)? {
            counts.records_after_deduplication += 1;
            let screened = outcome.tiab != StageOutcome::Unscreened
                || outcome.fulltext != StageOutcome::Unscreened;
            if !screened {
                counts.records_not_screened += 1;
                continue;
            }
            counts.records_screened += 1;
            if !outcome.at_full_text() {
                match outcome.tiab.decision() {
                    Some(Decision::Exclude { .. }) => counts.records_excluded += 1,
                    _ => counts.records_undecided += 1,
                }
                continue;
            }
            counts.reports_sought += 1;
            match &outcome.fulltext {
                StageOutcome::Unscreened if outcome.has_full_text => {
                    counts.reports_awaiting_assessment += 1;
                }
                StageOutcome::Unscreened => counts.reports_not_retrieved += 1,
                assessed => {
                    counts.reports_assessed += 1;
                    match assessed.decision() {
                        Some(Decision::Include) => counts.studies_included += 1,
                        Some(Decision::Exclude { reason }) => {
                            *reasons
                                .entry(reason.clone().unwrap_or_else(|| "unspecified".into()))
                                .or_default() += 1;
                        }
                        _ => counts.reports_undecided += 1,
                    }
                }
            }
        }
        let mut reasons: Vec<ReasonCount> = reasons
            .into_iter()
            .map(|(reason, reports)| ReasonCount {
                name: reason_names
                    .get(&reason)
                    .cloned()
                    .unwrap_or_else(|| reason.clone()),
                reason,
                reports,
            })
            .collect();
        reasons.sort_by(|a, b| b.reports.cmp(&a.reports).then(a.reason.cmp(&b.reason)));
        counts.reports_excluded_total = reasons.iter().map(|r| r.reports).sum();
        counts.reports_excluded = reasons;
        Ok(counts)
    }

    /// Counts of the register by effect, direction and Rolnick domain, over the risks (and
    /// domain labels) `seen` shows.
    pub fn risk_summary(&self, seen: &Visibility) -> Result<RiskSummary> {
        let risks: Vec<StoredRisk> = self
            .all_risks()?
            .into_iter()
            .filter(|r| seen.shows(r.reviewer))
            .collect();
        let domains: Vec<(i64, i64, String)> = query_all(
            &self.conn,
            "SELECT DISTINCT record_id, reviewer_id, code FROM record_label
             WHERE vocabulary = 'rolnick-domain' ORDER BY record_id, code",
            [],
            "reading domains",
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
        )?;
        let mut domain_of: HashMap<i64, Vec<String>> = HashMap::new();
        for (record, reviewer, code) in domains {
            let codes = domain_of.entry(record).or_default();
            if seen.shows(ReviewerId(reviewer)) && !codes.contains(&code) {
                codes.push(code);
            }
        }
        domain_of.retain(|_, codes| !codes.is_empty());
        let mut by_effect: BTreeMap<EffectCode, u64> = BTreeMap::new();
        let mut by_direction: BTreeMap<String, u64> = BTreeMap::new();
        let mut by_domain: BTreeMap<String, u64> = BTreeMap::new();
        let mut records = HashSet::new();
        for risk in &risks {
            records.insert(risk.record);
            *by_effect.entry(risk.risk.effect).or_default() += 1;
            *by_direction
                .entry(
                    risk.risk
                        .direction
                        .map_or("not_rated", Direction::code)
                        .to_owned(),
                )
                .or_default() += 1;
            match domain_of.get(&risk.record.0) {
                Some(codes) => {
                    for code in codes {
                        *by_domain.entry(code.clone()).or_default() += 1;
                    }
                }
                None => *by_domain.entry("no_domain".into()).or_default() += 1,
            }
        }
        let sorted = |map: BTreeMap<String, u64>| {
            let mut list: Vec<(String, u64)> = map.into_iter().collect();
            list.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            list
        };
        Ok(RiskSummary {
            risks: risks.len() as u64,
            records: records.len() as u64,
            by_effect: by_effect
                .into_iter()
                .map(|(effect, n)| (effect.code().to_owned(), n))
                .collect(),
            by_direction: sorted(by_direction),
            by_domain: sorted(by_domain),
        })
    }

    /// Sets the root of `reviewer`'s consequence tree for a record.
    pub fn set_consequence_root(
        &mut self,
        record: RecordId,
        reviewer: ReviewerId,
        root: &ConsequenceRoot,
    ) -> Result<()> {
        let solution = root.solution.trim();
        if solution.is_empty() || solution.chars().count() > 300 || solution != root.solution {
            return Err(Error::invalid(
                "consequence_root.solution",
                &root.solution,
                "1 to 300 characters naming the solution deployed, without surrounding spaces",
            ));
        }
        let (tx, author) = self.begin_review(
            "starting to set a consequence tree's root",
            Some(record),
            reviewer,
        )?;
        let old = load_root(&tx, record, reviewer)?;
        let new = StoredRoot {
            record,
            reviewer,
            root: root.clone(),
            updated_at: now(),
        };
        if old.as_ref().is_some_and(|o| o.root == new.root) {
            return Ok(());
        }
        write_root(&tx, &new)?;
        commit_review_change(
            tx,
            &author,
            (
                EntityKind::ConsequenceRoot,
                root_key(record, reviewer),
                record,
            ),
            old.as_ref(),
            Some(&new),
            "committing a consequence tree's root",
        )
    }

    /// The consequence tree of a record as `seen` allows: the reader's root (or the record's
    /// title when none is set, or no reader is named) and the risks it shows.
    pub fn consequence_tree(&self, record: RecordId, seen: &Visibility) -> Result<ConsequenceTree> {
        let title = self.record(record)?.record.title;
        let review = self.record_review(record, seen)?;
        let names: HashMap<ReviewerId, String> = self
            .reviewers()?
            .into_iter()
            .map(|r| (r.id, r.name))
            .collect();
        let tx = self.read_transaction("reading a consequence tree")?;
        let own_root = match seen.reader_id() {
            Some(reader) => load_root(&tx, record, reader)?,
            None => None,
        };
        let root = own_root.map_or_else(
            || ConsequenceRoot {
                solution: title.clone(),
                scale: None,
            },
            |stored| stored.root,
        );
        drop(tx);
        let risks: Vec<(StoredRisk, String)> = review
            .risks
            .into_iter()
            .map(|risk| {
                let name = names.get(&risk.reviewer).cloned().unwrap_or_default();
                (risk, name)
            })
            .collect();
        Ok(ConsequenceTree::build(record, title, root, &risks))
    }

    /// The records the reader classifies, in id order: those included at full text (under the
    /// project's rule, with resolutions), and any the reader has classified already.
    pub fn classification_queue(&self, seen: &Visibility) -> Result<Vec<ClassifyItem>> {
        let viewer = seen.require_reader("a classification list")?.id;
        let own: HashMap<i64, EvalCategory> = query_all(
            &self.conn,
            "SELECT record_id, category FROM classification WHERE reviewer_id = ?1",
            [viewer.0],
            "reading a reviewer's categories",
            |row| Ok((row.get::<_, i64>(0)?, row.get::<_, String>(1)?)),
        )?
        .into_iter()
        .map(|(record, code)| {
            let category: EvalCategory =
                Column::at("classification", "category", record).term(&code)?;
            Ok((record, category))
        })
        .collect::<Result<_>>()?;
        let mut ids: Vec<i64> = self
            .outcomes_of(None)?
            .into_iter()
            .filter(|o| o.fulltext.moves_on())
            .map(|o| o.record.0)
            .chain(own.keys().copied())
            .collect();
        ids.sort_unstable();
        ids.dedup();
        let titles = self.titles(&ids)?;
        Ok(ids
            .into_iter()
            .map(|id| ClassifyItem {
                record: RecordId(id),
                title: titles.get(&id).cloned().unwrap_or_default(),
                own: own.get(&id).copied(),
            })
            .collect())
    }

    /// The records with risks `seen` shows, in id order, with how many of them each has.
    pub fn risk_records(&self, seen: &Visibility) -> Result<Vec<RiskRecord>> {
        let counts: Vec<(i64, i64)> = query_all(
            &self.conn,
            "SELECT record_id, count(*) FROM rebound_risk WHERE ?1 IS NULL OR reviewer_id = ?1
             GROUP BY record_id ORDER BY record_id",
            [only_reviewer(seen)],
            "counting risks per record",
            |row| Ok((row.get(0)?, row.get(1)?)),
        )?;
        let ids: Vec<i64> = counts.iter().map(|(id, _)| *id).collect();
        let titles = self.titles(&ids)?;
        Ok(counts
            .into_iter()
            .map(|(id, risks)| RiskRecord {
                record: RecordId(id),
                title: titles.get(&id).cloned().unwrap_or_default(),
                risks: risks.unsigned_abs(),
            })
            .collect())
    }

    /// The risks `seen` shows on one record (or on every record), in the order recorded, with
    /// how many it hides.
    pub fn risk_list(&self, record: Option<RecordId>, seen: &Visibility) -> Result<RiskList> {
        let all = match record {
            Some(record) => self.risks(record, &Visibility::machinery())?,
            None => self.all_risks()?,
        };
        let (risks, hidden): (Vec<StoredRisk>, Vec<StoredRisk>) =
            all.into_iter().partition(|risk| seen.shows(risk.reviewer));
        Ok(RiskList {
            risks,
            hidden: hidden.len(),
        })
    }

    /// The titles of some records, in one query.
    fn titles(&self, ids: &[i64]) -> Result<HashMap<i64, String>> {
        Ok(query_all(
            &self.conn,
            "SELECT id, title FROM record WHERE id IN (SELECT value FROM json_each(?1))",
            [to_json("records", &ids)?],
            "reading titles",
            |row| Ok((row.get(0)?, row.get(1)?)),
        )?
        .into_iter()
        .collect())
    }

    /// Every vote, by record: (reviewer, stage, decision), ordered by reviewer.
    fn all_votes(&self, only: Option<RecordId>) -> Result<VotesByRecord> {
        let rows: Vec<(i64, i64, String, String, Option<String>)> = query_all(
            &self.conn,
            &format!(
                "SELECT record_id, reviewer_id, stage, decision, reason FROM screening{} ORDER BY record_id, reviewer_id",
                only_record(only, "record_id")
            ),
            params_from_iter(only.map(|r| r.0)),
            "reading votes",
            |row| {
                Ok((
                    row.get(0)?,
                    row.get(1)?,
                    row.get(2)?,
                    row.get(3)?,
                    row.get(4)?,
                ))
            },
        )?;
        let mut votes = VotesByRecord::new();
        for (record, reviewer, stage, decision, reason) in rows {
            let stage = Stage::parse("screening.stage", &stage)
                .map_err(|e| Column::at("screening", "stage", record).corrupt(e))?;
            let decision = Decision::parse("screening.decision", &decision, reason)
                .map_err(|e| Column::at("screening", "decision", record).corrupt(e))?;
            votes
                .entry(record)
                .or_default()
                .push((ReviewerId(reviewer), stage, decision));
        }
        Ok(votes)
    }

    fn all_risks(&self) -> Result<Vec<StoredRisk>> {
        super::review::all_risks(&self.conn)
    }

    pub(super) fn all_resolutions(&self, only: Option<RecordId>) -> Result<Vec<Resolution>> {
        let rows: Vec<RawResolution> = query_all(
            &self.conn,
            &format!(
                "SELECT record_id, subject, value, note, resolved_by, resolved_at FROM resolution{} ORDER BY record_id, subject",
                only_record(only, "record_id")
            ),
            params_from_iter(only.map(|r| r.0)),
            "reading resolutions",
            raw_resolution,
        )?;
        rows.into_iter().map(decode_resolution).collect()
    }

    /// The lead's screening resolutions, by record and stage.
    pub(super) fn screening_resolutions(
        &self,
        only: Option<RecordId>,
    ) -> Result<HashMap<(i64, Stage), Decision>> {
        Ok(self
            .all_resolutions(only)?
            .into_iter()
            .filter_map(|r| match (r.subject, r.value) {
                (Subject::Screening(stage), ResolvedValue::Screening(decision)) => {
                    Some(((r.record.0, stage), decision))
                }
                _ => None,
            })
            .collect())
    }
}

/// ` WHERE column = ?1` when reading one record, nothing when reading all (a separate
/// statement for each, so the one-record form uses the index).
fn only_record(only: Option<RecordId>, column: &str) -> String {
    only.map_or_else(String::new, |_| format!(" WHERE {column} = ?1"))
}

/// The file name of a source path, as PRISMA lists sources.
fn source_name(file: &str) -> String {
    if file.starts_with("bundled:") {
        return file.to_owned();
    }
    std::path::Path::new(file).file_name().map_or_else(
        || file.to_owned(),
        |name| name.to_string_lossy().into_owned(),
    )
}

/// The reviewer, who must be a lead.
pub(crate) fn require_lead(
    tx: &Transaction<'_>,
    id: ReviewerId,
    action: &'static str,
) -> Result<Reviewer> {
    let reviewer = require_reviewer(tx, id)?;
    if reviewer.is_lead {
        Ok(reviewer)
    } else {
        Err(Error::NotLead {
            action,
            reviewer: reviewer.name,
        })
    }
}

pub(crate) fn read_meta(tx: &Transaction<'_>, key: &str) -> Result<Option<String>> {
    tx.query_row(
        "SELECT value FROM project_meta WHERE key = ?1",
        [key],
        |row| row.get(0),
    )
    .optional()
    .context("reading project metadata")
}

pub(crate) fn write_meta(tx: &Transaction<'_>, key: &str, value: Option<&str>) -> Result<()> {
    match value {
        Some(value) => tx.execute(
            "INSERT INTO project_meta (key, value) VALUES (?1, ?2)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [key, value],
        ),
        None => tx.execute("DELETE FROM project_meta WHERE key = ?1", [key]),
    }
    .context("writing project metadata")?;
    Ok(())
}

// ---- resolutions ----

pub(crate) fn resolution_key(record: RecordId, subject: &Subject) -> String {
    format!("record {record} {subject}")
}

type RawResolution = (i64, String, String, Option<String>, i64, String);

fn raw_resolution(row: &rusqlite::Row<'_>) -> rusqlite::Result<RawResolution> {
    row.try_into()
}

fn decode_resolution(raw: RawResolution) -> Result<Resolution> {
    let (record, subject, value, note, resolved_by, resolved_at) = raw;
    let at = |column| Column::at("resolution", column, record);
    Ok(Resolution {
        record: RecordId(record),
        subject: Subject::parse("resolution.subject", &subject)
            .map_err(|e| at("subject").corrupt(e))?,
        value: at("value").json(&value)?,
        note,
        resolved_by: ReviewerId(resolved_by),
        resolved_at: at("resolved_at").time(&resolved_at)?,
    })
}

pub(crate) fn load_resolution(
    tx: &Transaction<'_>,
    record: RecordId,
    subject: &Subject,
) -> Result<Option<Resolution>> {
    tx.query_row(
        "SELECT record_id, subject, value, note, resolved_by, resolved_at FROM resolution
         WHERE record_id = ?1 AND subject = ?2",
        params![record.0, subject.code()],
        raw_resolution,
    )
    .optional()
    .context("reading a resolution")?
    .map(decode_resolution)
    .transpose()
}

pub(crate) fn write_resolution(tx: &Transaction<'_>, resolution: &Resolution) -> Result<()> {
    tx.execute(
        "INSERT INTO resolution (record_id, subject, value, note, resolved_by, resolved_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (record_id, subject) DO UPDATE SET value = excluded.value, note = excluded.note,
           resolved_by = excluded.resolved_by, resolved_at = excluded.resolved_at",
        params![
            resolution.record.0,
            resolution.subject.code(),
            to_json("resolution.value", &resolution.value)?,
            resolution.note,
            resolution.resolved_by.0,
            resolution.resolved_at.to_string()
        ],
    )
    .context("writing a resolution")?;
    Ok(())
}

pub(crate) fn delete_resolution(
    tx: &Transaction<'_>,
    record: RecordId,
    subject: &Subject,
) -> Result<()> {
    tx.execute(
        "DELETE FROM resolution WHERE record_id = ?1 AND subject = ?2",
        params![record.0, subject.code()],
    )
    .context("deleting a resolution")?;
    Ok(())
}

// ---- consequence-tree roots ----

/// A stored root, as the audit log keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub(crate) struct StoredRoot {
    pub(crate) record: RecordId,
    pub(crate) reviewer: ReviewerId,
    pub(crate) root: ConsequenceRoot,
    pub(crate) updated_at: jiff::Timestamp,
}

pub(crate) fn root_key(record: RecordId, reviewer: ReviewerId) -> String {
    format!("record {record} reviewer {reviewer} consequence root")
}

pub(crate) fn load_root(
    tx: &Transaction<'_>,
    record: RecordId,
    reviewer: ReviewerId,
) -> Result<Option<StoredRoot>> {
    let raw: Option<(String, Option<String>, String)> = tx
        .query_row(
            "SELECT solution, scale, updated_at FROM consequence_root WHERE record_id = ?1 AND reviewer_id = ?2",
            params![record.0, reviewer.0],
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
        )
        .optional()
        .context("reading a consequence tree's root")?;
    raw.map(|(solution, scale, updated_at)| {
        let at = |column| Column::at("consequence_root", column, record.0);
        Ok(StoredRoot {
            record,
            reviewer,
            root: ConsequenceRoot {
                solution,
                scale: at("scale").opt_term(scale.as_deref())?,
            },
            updated_at: at("updated_at").time(&updated_at)?,
        })
    })
    .transpose()
}

pub(crate) fn write_root(tx: &Transaction<'_>, stored: &StoredRoot) -> Result<()> {
    tx.execute(
        "INSERT INTO consequence_root (record_id, reviewer_id, solution, scale, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (record_id, reviewer_id) DO UPDATE SET solution = excluded.solution,
           scale = excluded.scale, updated_at = excluded.updated_at",
        params![
            stored.record.0,
            stored.reviewer.0,
            stored.root.solution,
            stored.root.scale.map(Term::code),
            stored.updated_at.to_string()
        ],
    )
    .context("writing a consequence tree's root")?;
    Ok(())
}

pub(crate) fn delete_root(
    tx: &Transaction<'_>,
    record: RecordId,
    reviewer: ReviewerId,
) -> Result<()> {
    tx.execute(
        "DELETE FROM consequence_root WHERE record_id = ?1 AND reviewer_id = ?2",
        params![record.0, reviewer.0],
    )
    .context("deleting a consequence tree's root")?;
    Ok(())
}
