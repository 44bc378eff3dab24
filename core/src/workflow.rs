//! How a review moves: the project's review settings (blind mode, the rule that moves a record
//! on), the outcome of a screening stage from its votes, disagreements between reviewers and
//! the lead's resolutions of them.
//!
//! Pure rules; the store reads the votes and applies them ([`crate::Project::review_settings`],
//! [`crate::Project::conflicts`] …). Resolving a disagreement records a final value beside the
//! votes and never rewrites them, so agreement statistics keep measuring what reviewers said.

use std::fmt;

use ecolens_taxonomy::{
    AssessmentScale, Confidence, Direction, EffectCode, EvalCategory, Likelihood, Magnitude, Term,
    TimeHorizon,
};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::ids::{RecordId, ReviewerId};
use crate::review::{Decision, ReboundRisk, Stage};

/// How many reviewers must decide a stage before a record moves on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum ScreeningRule {
    /// One reviewer's decision is enough (a second reviewer who disagrees makes a conflict).
    #[default]
    OneReviewer,
    /// Two reviewers must agree; one vote leaves the record awaiting a second reviewer.
    TwoAgreeing,
}

impl ScreeningRule {
    /// Stable code: `one` or `two`.
    pub fn code(self) -> &'static str {
        match self {
            Self::OneReviewer => "one",
            Self::TwoAgreeing => "two",
        }
    }

    /// Human-readable label.
    pub fn label(self) -> &'static str {
        match self {
            Self::OneReviewer => "one reviewer decides",
            Self::TwoAgreeing => "two reviewers must agree",
        }
    }

    /// Votes a stage needs before it is decided.
    pub fn votes_needed(self) -> usize {
        match self {
            Self::OneReviewer => 1,
            Self::TwoAgreeing => 2,
        }
    }

    /// Parses a code; `field` names the input in the error.
    pub fn parse(field: &str, value: &str) -> Result<Self> {
        match value.trim().to_ascii_lowercase().as_str() {
            "one" | "1" | "single" => Ok(Self::OneReviewer),
            "two" | "2" | "dual" => Ok(Self::TwoAgreeing),
            _ => Err(Error::invalid(
                field,
                value,
                "one (one reviewer decides) or two (two reviewers must agree)",
            )),
        }
    }
}

impl fmt::Display for ScreeningRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// The project's review settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewSettings {
    /// Whether reviewers see only their own votes, classifications and risks (on by default;
    /// only a lead may switch it).
    pub blind: bool,
    /// Whether leads see everyone's judgements while blind (off by default).
    #[serde(default)]
    pub leads_see_all: bool,
    /// The rule that moves a record from one stage to the next.
    pub rule: ScreeningRule,
}

impl Default for ReviewSettings {
    fn default() -> Self {
        Self {
            blind: true,
            leads_see_all: false,
            rule: ScreeningRule::OneReviewer,
        }
    }
}

/// Where a record stands at one screening stage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum StageOutcome {
    /// Nobody has voted.
    Unscreened,
    /// Votes agree, but the rule needs more of them.
    Awaiting {
        /// Votes so far.
        votes: usize,
    },
    /// Reviewers disagree and no resolution is recorded.
    Conflict,
    /// Decided (by agreeing votes or by a resolution).
    Decided {
        /// The decision.
        #[serde(flatten)]
        decision: Decision,
        /// Whether a lead's resolution decided it.
        resolved: bool,
    },
}

impl StageOutcome {
    /// The outcome of a stage from its votes and an optional resolution, under `rule`.
    ///
    /// Votes disagree when their decisions differ; at the full-text stage, exclusions with
    /// different reasons disagree too, since PRISMA 2020 counts full-text exclusions per reason.
    pub fn of(
        stage: Stage,
        votes: &[&Decision],
        rule: ScreeningRule,
        resolution: Option<&Decision>,
    ) -> Self {
        if let Some(decision) = resolution {
            return Self::Decided {
                decision: decision.clone(),
                resolved: true,
            };
        }
        let Some(first) = votes.first() else {
            return Self::Unscreened;
        };
        if votes.iter().any(|vote| !same_decision(stage, first, vote)) {
            return Self::Conflict;
        }
        if votes.len() < rule.votes_needed() {
            return Self::Awaiting { votes: votes.len() };
        }
        Self::Decided {
            decision: (*first).clone(),
            resolved: false,
        }
    }

    /// The decision, when decided.
    pub fn decision(&self) -> Option<&Decision> {
        match self {
            Self::Decided { decision, .. } => Some(decision),
            _ => None,
        }
    }

    /// Whether the record moves on to the next stage.
    pub fn moves_on(&self) -> bool {
        matches!(self.decision(), Some(Decision::Include))
    }

    /// Short label for lists.
    pub fn label(&self) -> String {
        match self {
            Self::Unscreened => "unscreened".into(),
            Self::Awaiting { votes } => format!("awaiting a second reviewer ({votes} vote)"),
            Self::Conflict => "conflict".into(),
            Self::Decided { decision, resolved } => {
                let reason = match decision {
                    Decision::Exclude {
                        reason: Some(reason),
                    } => format!(" ({reason})"),
                    _ => String::new(),
                };
                let by = if *resolved { ", resolved" } else { "" };
                format!("{}{reason}{by}", decision.code())
            }
        }
    }
}

/// Whether two votes at `stage` agree.
pub fn same_decision(stage: Stage, a: &Decision, b: &Decision) -> bool {
    match (a, b) {
        (Decision::Exclude { reason: ra }, Decision::Exclude { reason: rb }) => {
            stage == Stage::TitleAbstract || ra == rb
        }
        _ => a.code() == b.code(),
    }
}

/// What a disagreement is about.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Subject {
    /// Screening votes at a stage.
    Screening(Stage),
    /// The a–f category.
    Classification,
    /// The rating of one effect.
    Risk(EffectCode),
}

impl Subject {
    /// Stable code: `screening:tiab`, `screening:fulltext`, `classification`, `risk:HO.RB.DIR`.
    pub fn code(&self) -> String {
        match self {
            Self::Screening(stage) => format!("screening:{stage}"),
            Self::Classification => "classification".into(),
            Self::Risk(effect) => format!("risk:{}", effect.code()),
        }
    }

    /// Parses a code; `field` names the input in the error.
    pub fn parse(field: &str, value: &str) -> Result<Self> {
        let expected = "screening:tiab, screening:fulltext, classification or risk:EFFECT";
        let value = value.trim();
        if value.eq_ignore_ascii_case("classification") {
            return Ok(Self::Classification);
        }
        if let Some(stage) = value.strip_prefix("screening:") {
            return Stage::parse(field, stage)
                .map(Self::Screening)
                .map_err(|_| Error::invalid(field, value, expected));
        }
        if let Some(effect) = value.strip_prefix("risk:") {
            return EffectCode::from_code(effect)
                .map(Self::Risk)
                .map_err(|error| Error::unknown_code(field, &error));
        }
        Err(Error::invalid(field, value, expected))
    }

    /// Human-readable label.
    pub fn label(&self) -> String {
        match self {
            Self::Screening(stage) => format!("{} screening", stage.label()),
            Self::Classification => "a–f category".into(),
            Self::Risk(effect) => format!("rating of {} ({})", effect.code(), effect.name()),
        }
    }
}

impl fmt::Display for Subject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.code())
    }
}

impl Serialize for Subject {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.code())
    }
}

impl<'de> Deserialize<'de> for Subject {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let code = String::deserialize(deserializer)?;
        Self::parse("subject", &code).map_err(serde::de::Error::custom)
    }
}

/// The rating fields two reviewers are compared on for the same effect: the ones a workshop
/// argues about. Free text (mechanism, conditions) is not compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub struct RiskRating {
    /// Increases or decreases impact.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub direction: Option<Direction>,
    /// How likely.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub likelihood: Option<Likelihood>,
    /// How large.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub magnitude: Option<Magnitude>,
    /// When.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_horizon: Option<TimeHorizon>,
    /// At which scale.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale: Option<AssessmentScale>,
    /// Confidence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confidence: Option<Confidence>,
}

impl RiskRating {
    /// The compared fields of a risk.
    pub fn of(risk: &ReboundRisk) -> Self {
        Self {
            direction: risk.direction,
            likelihood: risk.likelihood,
            magnitude: risk.magnitude,
            time_horizon: risk.time_horizon,
            scale: risk.scale,
            confidence: risk.confidence,
        }
    }

    /// `direction=increases_impact likelihood=likely …`, only the fields set.
    pub fn summary(&self) -> String {
        let fields: [(&str, Option<&'static str>); 6] = [
            ("direction", self.direction.map(Term::code)),
            ("likelihood", self.likelihood.map(Term::code)),
            ("magnitude", self.magnitude.map(Term::code)),
            ("time_horizon", self.time_horizon.map(Term::code)),
            ("scale", self.scale.map(Term::code)),
            ("confidence", self.confidence.map(Term::code)),
        ];
        let set: Vec<String> = fields
            .iter()
            .filter_map(|(name, value)| value.map(|v| format!("{name}={v}")))
            .collect();
        if set.is_empty() {
            "(no rating)".into()
        } else {
            set.join(" ")
        }
    }
}

/// The final value a resolution records.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResolvedValue {
    /// A screening decision.
    Screening(Decision),
    /// An a–f category.
    Classification(EvalCategory),
    /// A rating.
    Risk(RiskRating),
}

impl ResolvedValue {
    /// Checks that the value fits the subject (a decision for screening …).
    pub fn validate(&self, subject: &Subject) -> Result<()> {
        let fits = match (subject, self) {
            (Subject::Screening(stage), Self::Screening(decision)) => {
                crate::review::ScreeningVote {
                    stage: *stage,
                    decision: decision.clone(),
                    note: None,
                }
                .validate()?;
                true
            }
            (Subject::Classification, Self::Classification(_))
            | (Subject::Risk(_), Self::Risk(_)) => true,
            _ => false,
        };
        if fits {
            Ok(())
        } else {
            Err(Error::invalid(
                "resolution.value",
                self.summary(),
                format!("a value for the {}", subject.label()),
            ))
        }
    }

    /// Short text.
    pub fn summary(&self) -> String {
        match self {
            Self::Screening(Decision::Exclude {
                reason: Some(reason),
            }) => format!("exclude ({reason})"),
            Self::Screening(decision) => decision.code().into(),
            Self::Classification(category) => category.code().into(),
            Self::Risk(rating) => rating.summary(),
        }
    }
}

/// A lead's resolution of a disagreement: the final value, beside the reviewers' own.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Resolution {
    /// The record.
    pub record: RecordId,
    /// What was resolved.
    pub subject: Subject,
    /// The final value.
    pub value: ResolvedValue,
    /// Why (discussion outcome, third reviewer …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// The lead who resolved it.
    pub resolved_by: ReviewerId,
    /// When.
    pub resolved_at: Timestamp,
}

/// One reviewer's side of a disagreement.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Position {
    /// The reviewer.
    pub reviewer: ReviewerId,
    /// The reviewer's name.
    pub reviewer_name: String,
    /// What the reviewer said, as the value a resolution would record.
    pub value: ResolvedValue,
    /// The same in words (`exclude (not_ai)`, `c`, `direction=…`).
    pub text: String,
}

impl Position {
    /// A reviewer's position.
    pub fn new(reviewer: ReviewerId, reviewer_name: String, value: ResolvedValue) -> Self {
        Self {
            reviewer,
            reviewer_name,
            text: value.summary(),
            value,
        }
    }
}

/// A disagreement between reviewers on one subject of one record.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Conflict {
    /// The record.
    pub record: RecordId,
    /// Its title.
    pub title: String,
    /// What it is about.
    pub subject: Subject,
    /// Each reviewer's value, by reviewer id.
    pub positions: Vec<Position>,
    /// The resolution, when recorded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resolution: Option<Resolution>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exclude(reason: &str) -> Decision {
        Decision::Exclude {
            reason: Some(reason.into()),
        }
    }

    #[test]
    fn stage_outcome_follows_the_rule() {
        let include = Decision::Include;
        let maybe = Decision::Maybe;
        let one = ScreeningRule::OneReviewer;
        let two = ScreeningRule::TwoAgreeing;
        let tiab = Stage::TitleAbstract;
        assert_eq!(
            StageOutcome::of(tiab, &[], two, None),
            StageOutcome::Unscreened
        );
        assert!(StageOutcome::of(tiab, &[&include], one, None).moves_on());
        assert_eq!(
            StageOutcome::of(tiab, &[&include], two, None),
            StageOutcome::Awaiting { votes: 1 }
        );
        assert!(StageOutcome::of(tiab, &[&include, &include], two, None).moves_on());
        assert_eq!(
            StageOutcome::of(tiab, &[&include, &maybe], one, None),
            StageOutcome::Conflict
        );
        let resolved = StageOutcome::of(tiab, &[&include, &maybe], one, Some(&include));
        assert!(resolved.moves_on());
        assert_eq!(resolved.label(), "include, resolved");
        // Exclusion reasons matter at full text only.
        let (a, b) = (exclude("not_ai"), exclude("no_evaluation"));
        assert_eq!(
            StageOutcome::of(tiab, &[&a, &b], two, None).decision(),
            Some(&a)
        );
        assert_eq!(
            StageOutcome::of(Stage::FullText, &[&a, &b], two, None),
            StageOutcome::Conflict
        );
    }

    #[test]
    fn subjects_and_rules_parse_their_codes() {
        for subject in [
            Subject::Screening(Stage::TitleAbstract),
            Subject::Screening(Stage::FullText),
            Subject::Classification,
            Subject::Risk(EffectCode::HoRbDir),
        ] {
            assert_eq!(Subject::parse("s", &subject.code()).ok(), Some(subject));
        }
        assert_eq!(
            Subject::parse("s", "risk:XX").unwrap_err().field(),
            Some("s")
        );
        assert!(Subject::parse("s", "vote").is_err());
        assert_eq!(
            ScreeningRule::parse("r", "two").ok(),
            Some(ScreeningRule::TwoAgreeing)
        );
        assert!(ScreeningRule::parse("r", "three").is_err());
    }

    #[test]
    fn resolved_values_must_fit_their_subject() {
        let stage = Subject::Screening(Stage::FullText);
        assert!(
            ResolvedValue::Screening(exclude("not_ai"))
                .validate(&stage)
                .is_ok()
        );
        assert_eq!(
            ResolvedValue::Screening(Decision::Exclude { reason: None })
                .validate(&stage)
                .unwrap_err()
                .field(),
            Some("screening.reason")
        );
        assert_eq!(
            ResolvedValue::Classification(EvalCategory::C)
                .validate(&stage)
                .unwrap_err()
                .field(),
            Some("resolution.value")
        );
    }
}
