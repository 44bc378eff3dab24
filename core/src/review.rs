//! The review domain: reviewers, screening votes, a–f classifications with evidence, rebound and
//! ICT-effect risks, and labels from shipped or project vocabularies.
//!
//! Every type validates itself against the rules that need no database ([`Classification::validate`],
//! [`ReboundRisk::validate`] …); the store adds the checks that do (the record exists, the reason
//! is in the project's list).

use std::fmt;

use ecolens_taxonomy::{
    AssessmentScale, Confidence, Criterion, Direction, EffectCode, EvalCategory, EvidenceType,
    Likelihood, Magnitude, MechanismResource, ReductionType, Term, Tier, TimeHorizon,
};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::ids::{RecordId, ReviewerId, RiskId};
use crate::record::QuoteField;

/// A member of the review team.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reviewer {
    /// Row id.
    pub id: ReviewerId,
    /// Unique name within the project.
    pub name: String,
    /// Whether this reviewer leads the project (may unblind, resolve conflicts).
    pub is_lead: bool,
    /// When the reviewer was added.
    pub created_at: Timestamp,
}

/// Checks a reviewer name: trimmed, 1–100 characters, no control characters.
pub fn validate_reviewer_name(name: &str) -> Result<()> {
    let trimmed = name.trim();
    if trimmed.is_empty()
        || trimmed.chars().count() > 100
        || trimmed.chars().any(char::is_control)
        || trimmed != name
    {
        return Err(Error::invalid(
            "reviewer.name",
            name,
            "a name of 1 to 100 characters without leading or trailing spaces or control characters",
        ));
    }
    Ok(())
}

/// Checks the code of a project label or the id of a project vocabulary: 1–64 characters of
/// lower-case ASCII letters, digits, `_`, `-`, `.`, starting with a letter or digit.
pub fn validate_code(field: &str, code: &str) -> Result<()> {
    let valid = !code.is_empty()
        && code.len() <= 64
        && code
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        && code.bytes().all(|b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'_' | b'-' | b'.')
        });
    if valid {
        Ok(())
    } else {
        Err(Error::invalid(
            field,
            code,
            "1 to 64 characters of a-z, 0-9, '_', '-', '.', starting with a letter or digit",
        ))
    }
}

/// Screening stage.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default,
)]
pub enum Stage {
    /// Title and abstract screening (where a review starts).
    #[default]
    #[serde(rename = "tiab")]
    TitleAbstract,
    /// Full-text screening.
    #[serde(rename = "fulltext")]
    FullText,
}

impl Stage {
    /// Both stages in order.
    pub const ALL: [Self; 2] = [Self::TitleAbstract, Self::FullText];

    /// Stable code: `tiab` or `fulltext`.
    pub fn code(self) -> &'static str {
        match self {
            Self::TitleAbstract => "tiab",
            Self::FullText => "fulltext",
        }
    }

    /// Human-readable label.
    pub fn label(self) -> &'static str {
        match self {
            Self::TitleAbstract => "Title/abstract",
            Self::FullText => "Full text",
        }
    }

    /// Parses a code; `field` names the input in the error.
    pub fn parse(field: &str, value: &str) -> Result<Self> {
        match value.trim().to_ascii_lowercase().as_str() {
            "tiab" | "title_abstract" | "title-abstract" => Ok(Self::TitleAbstract),
            "fulltext" | "full_text" | "full-text" => Ok(Self::FullText),
            _ => Err(Error::invalid(field, value, "tiab or fulltext")),
        }
    }
}

impl fmt::Display for Stage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// A screening decision.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "decision", rename_all = "snake_case")]
pub enum Decision {
    /// The record goes on to the next stage.
    Include,
    /// The record is excluded, with a reason code from the project's `exclusion-reason` list
    /// (required at the full-text stage, as PRISMA 2020 counts exclusions per reason there).
    Exclude {
        /// Code of the exclusion reason.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    },
    /// Undecided; needs discussion or more information.
    Maybe,
}

impl Decision {
    /// Stable code: `include`, `exclude` or `maybe`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Include => "include",
            Self::Exclude { .. } => "exclude",
            Self::Maybe => "maybe",
        }
    }

    /// Builds a decision from its code and an optional reason; `field` names the input. Only an
    /// exclusion takes a reason.
    pub fn parse(field: &str, value: &str, reason: Option<String>) -> Result<Self> {
        let no_reason = |decision: Self| match &reason {
            Some(reason) => Err(Error::invalid(
                "screening.reason",
                reason,
                "no reason: only an exclusion takes a reason",
            )),
            None => Ok(decision),
        };
        match value.trim().to_ascii_lowercase().as_str() {
            "include" | "included" => no_reason(Self::Include),
            "maybe" => no_reason(Self::Maybe),
            "exclude" | "excluded" => Ok(Self::Exclude { reason }),
            _ => Err(Error::invalid(field, value, "include, exclude or maybe")),
        }
    }
}

/// One reviewer's vote on one record at one stage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScreeningVote {
    /// Stage.
    pub stage: Stage,
    /// The decision.
    #[serde(flatten)]
    pub decision: Decision,
    /// Optional note.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl ScreeningVote {
    /// Checks the rules that need no database.
    pub fn validate(&self) -> Result<()> {
        if let Decision::Exclude { reason } = &self.decision {
            match reason {
                Some(code) => validate_code("screening.reason", code)?,
                None if self.stage == Stage::FullText => {
                    return Err(Error::invalid(
                        "screening.reason",
                        "",
                        "an exclusion reason: full-text exclusions are counted per reason",
                    ));
                }
                None => {}
            }
        }
        if self
            .note
            .as_deref()
            .is_some_and(|note| note.trim().is_empty())
        {
            return Err(Error::invalid("screening.note", "", "text, or no note"));
        }
        Ok(())
    }
}

/// A stored screening vote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredVote {
    /// The record.
    pub record: RecordId,
    /// The reviewer.
    pub reviewer: ReviewerId,
    /// The vote.
    pub vote: ScreeningVote,
    /// `exclusion-reason@N` when the vote carries a reason.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason_vocabulary: Option<String>,
    /// When the vote was cast or last changed.
    pub decided_at: Timestamp,
}

/// A quote from a record that supports a judgement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvidenceQuote {
    /// The quoted text.
    pub text: String,
    /// Which field it is quoted from.
    pub field: QuoteField,
    /// Start offset in characters within the field, when the quote was picked by selection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<usize>,
    /// End offset (exclusive) in characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<usize>,
    /// Page of the full text, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page: Option<u32>,
}

impl EvidenceQuote {
    /// A quote located by text only.
    pub fn new(field: QuoteField, text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            field,
            start: None,
            end: None,
            page: None,
        }
    }

    /// Checks the quote against the text of its field. `field_text` is `None` when the record
    /// has no such field; `path` prefixes error fields (`classification.evidence[0]`).
    ///
    /// With offsets, the characters `start..end` must equal the quote. Without, the quote must
    /// occur in the field, ignoring case and runs of white space (PDF text breaks lines anywhere).
    /// A full-text quote is accepted unchecked when no full text is attached yet.
    pub fn validate(&self, path: &str, field_text: Option<&str>) -> Result<()> {
        if self.text.trim().is_empty() {
            return Err(Error::invalid(
                format!("{path}.text"),
                &self.text,
                "a non-empty quote",
            ));
        }
        let span = match (self.start, self.end) {
            (None, None) => None,
            (Some(start), Some(end)) if start < end => Some((start, end)),
            (start, end) => {
                return Err(Error::invalid(
                    format!("{path}.end"),
                    format!("{start:?}..{end:?}"),
                    "both start and end, with start < end, or neither",
                ));
            }
        };
        let Some(text) = field_text else {
            return match self.field {
                QuoteField::FullText => Ok(()),
                field => Err(Error::invalid(
                    format!("{path}.field"),
                    field.code(),
                    "a field the record has",
                )),
            };
        };
        match span {
            Some((start, end)) => {
                let quoted: String = text.chars().skip(start).take(end - start).collect();
                if quoted.chars().count() != end - start {
                    return Err(Error::invalid(
                        format!("{path}.end"),
                        end.to_string(),
                        format!(
                            "an offset within the {} ({} characters)",
                            self.field.code(),
                            text.chars().count()
                        ),
                    ));
                }
                if quoted != self.text {
                    return Err(Error::invalid(
                        format!("{path}.text"),
                        &self.text,
                        format!(
                            "the characters {start}..{end} of the {}: {quoted:?}",
                            self.field.code()
                        ),
                    ));
                }
            }
            None => {
                let haystack = squash(text);
                if !haystack.contains(&squash(&self.text)) {
                    return Err(Error::invalid(
                        format!("{path}.text"),
                        &self.text,
                        format!("a passage of the record's {}", self.field.code()),
                    ));
                }
            }
        }
        Ok(())
    }
}

/// Lower-cases and collapses white space, for tolerant quote matching.
fn squash(text: &str) -> String {
    text.split_whitespace()
        .map(str::to_lowercase)
        .collect::<Vec<_>>()
        .join(" ")
}

/// A reviewer's a–f classification of a record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Classification {
    /// The category.
    pub category: EvalCategory,
    /// Answers to the guiding questions, in order, when the reviewer walked them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub answers: Vec<bool>,
    /// Why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rationale: Option<String>,
    /// Supporting quotes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<EvidenceQuote>,
    /// Confidence in the category.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confidence: Option<Confidence>,
}

impl Classification {
    /// A bare classification.
    pub fn new(category: EvalCategory) -> Self {
        Self {
            category,
            answers: Vec::new(),
            rationale: None,
            evidence: Vec::new(),
            confidence: None,
        }
    }

    /// The vocabularies a classification uses, as `id@version` separated by spaces.
    pub fn vocabularies() -> String {
        [EvalCategory::VOCABULARY, Confidence::VOCABULARY]
            .iter()
            .map(ecolens_taxonomy::VocabularyInfo::versioned_id)
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// Checks the classification; `field_text` gives the record's text per quoted field.
    pub fn validate(&self, field_text: impl Fn(QuoteField) -> Option<String>) -> Result<()> {
        if !self.answers.is_empty() {
            let decided = EvalCategory::from_answers(&self.answers);
            let consistent = decided == Some(self.category)
                && self.answers.len() == self.category.answers().len();
            if !consistent {
                let shown: Vec<_> = self
                    .answers
                    .iter()
                    .map(|a| if *a { "yes" } else { "no" })
                    .collect();
                return Err(Error::invalid(
                    "classification.answers",
                    shown.join(","),
                    format!(
                        "the answers that lead to category {} ({})",
                        self.category,
                        self.category
                            .answers()
                            .iter()
                            .map(|a| if *a { "yes" } else { "no" })
                            .collect::<Vec<_>>()
                            .join(",")
                    ),
                ));
            }
        }
        if self
            .rationale
            .as_deref()
            .is_some_and(|text| text.trim().is_empty())
        {
            return Err(Error::invalid(
                "classification.rationale",
                "",
                "text, or no rationale",
            ));
        }
        for (index, quote) in self.evidence.iter().enumerate() {
            quote.validate(
                &format!("classification.evidence[{index}]"),
                field_text(quote.field).as_deref(),
            )?;
        }
        Ok(())
    }
}

/// A stored classification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredClassification {
    /// The record.
    pub record: RecordId,
    /// The reviewer.
    pub reviewer: ReviewerId,
    /// The classification.
    pub classification: Classification,
    /// `eval-scale@N` (and `confidence@N`) under which it was made.
    pub vocabularies: String,
    /// When it was made or last changed.
    pub classified_at: Timestamp,
}

/// A rebound or ICT-effect risk a reviewer records for a record, with its rating.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReboundRisk {
    /// The effect.
    pub effect: EffectCode,
    /// How the effect comes about, in the reviewer's words.
    #[serde(default)]
    pub mechanism: String,
    /// Whether it increases or decreases impact.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub direction: Option<Direction>,
    /// For decreases: actual reduction or lesser increase.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reduction_type: Option<ReductionType>,
    /// When it materialises.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_horizon: Option<TimeHorizon>,
    /// At which scale it is assessed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale: Option<AssessmentScale>,
    /// Impact criteria it affects.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub criteria: Vec<Criterion>,
    /// How likely it is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub likelihood: Option<Likelihood>,
    /// How large it is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub magnitude: Option<Magnitude>,
    /// Rebound in percent of the expected savings (RE × 100), for rebound effects.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rebound_percent: Option<f64>,
    /// Confidence in the rating.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confidence: Option<Confidence>,
    /// Kind of evidence behind it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence_type: Option<EvidenceType>,
    /// Rigour of the assessment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tier: Option<Tier>,
    /// Resource through which it travels.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mechanism_resource: Option<MechanismResource>,
    /// Conditions under which it occurs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conditions: Option<String>,
    /// How it could be mitigated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mitigation: Option<String>,
    /// Supporting quotes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<EvidenceQuote>,
    /// The risk this one follows from in the record's consequence tree (same record, same
    /// reviewer); `None` hangs it under the root ("deploy the solution at a scale").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<RiskId>,
}

impl ReboundRisk {
    /// A risk with only its effect set.
    pub fn new(effect: EffectCode) -> Self {
        Self {
            effect,
            mechanism: String::new(),
            direction: None,
            reduction_type: None,
            time_horizon: None,
            scale: None,
            criteria: Vec::new(),
            likelihood: None,
            magnitude: None,
            rebound_percent: None,
            confidence: None,
            evidence_type: None,
            tier: None,
            mechanism_resource: None,
            conditions: None,
            mitigation: None,
            evidence: Vec::new(),
            parent: None,
        }
    }

    /// Checks the rating's consistency; `field_text` gives the record's text per quoted field.
    // Zero and full rebound are exact classes: a reviewer enters 0 or 100, so exact comparison
    // is the meaning, not a rounding hazard.
    #[allow(clippy::float_cmp)]
    pub fn validate(&self, field_text: impl Fn(QuoteField) -> Option<String>) -> Result<()> {
        if let Some(reduction) = self.reduction_type
            && self.direction != Some(Direction::DecreasesImpact)
        {
            return Err(Error::invalid(
                "risk.reduction_type",
                reduction.code(),
                "no reduction type unless direction is decreases_impact",
            ));
        }
        if let Some(magnitude) = self.magnitude
            && !magnitude.fits(self.effect)
        {
            let fitting: Vec<_> = Magnitude::ALL
                .iter()
                .filter(|m| m.fits(self.effect))
                .map(|m| m.code())
                .collect();
            return Err(Error::invalid(
                "risk.magnitude",
                magnitude.code(),
                format!("for {} one of: {}", self.effect, fitting.join(", ")),
            ));
        }
        if let Some(percent) = self.rebound_percent {
            if !self.effect.is_rebound() {
                return Err(Error::invalid(
                    "risk.rebound_percent",
                    percent.to_string(),
                    format!(
                        "no rebound percentage for {}, which is not a rebound effect (HO.RB.*)",
                        self.effect
                    ),
                ));
            }
            if !percent.is_finite() {
                return Err(Error::invalid(
                    "risk.rebound_percent",
                    percent.to_string(),
                    "a finite percentage",
                ));
            }
            if let Some(magnitude) = self.magnitude {
                let (fits, range) = match magnitude {
                    Magnitude::SuperConservation => (percent < 0.0, "below 0"),
                    Magnitude::ZeroRebound => (percent == 0.0, "exactly 0"),
                    Magnitude::PartialRebound => {
                        (percent > 0.0 && percent < 100.0, "between 0 and 100")
                    }
                    Magnitude::FullRebound => (percent == 100.0, "exactly 100"),
                    Magnitude::Backfire => (percent > 100.0, "above 100"),
                    _ => (true, ""),
                };
                if !fits {
                    return Err(Error::invalid(
                        "risk.rebound_percent",
                        percent.to_string(),
                        format!("a value {range}, as the magnitude class is {magnitude}"),
                    ));
                }
            }
        }
        let mut seen = Vec::new();
        for criterion in &self.criteria {
            if seen.contains(criterion) {
                return Err(Error::invalid(
                    "risk.criteria",
                    criterion.code(),
                    "each criterion once",
                ));
            }
            seen.push(*criterion);
        }
        for (field, value) in [
            ("risk.conditions", &self.conditions),
            ("risk.mitigation", &self.mitigation),
        ] {
            if value.as_deref().is_some_and(|text| text.trim().is_empty()) {
                return Err(Error::invalid(field, "", "text, or no value"));
            }
        }
        for (index, quote) in self.evidence.iter().enumerate() {
            quote.validate(
                &format!("risk.evidence[{index}]"),
                field_text(quote.field).as_deref(),
            )?;
        }
        Ok(())
    }

    /// The vocabularies a risk uses, as `id@version` separated by spaces.
    pub fn vocabularies() -> String {
        [
            EffectCode::VOCABULARY,
            Direction::VOCABULARY,
            ReductionType::VOCABULARY,
            TimeHorizon::VOCABULARY,
            AssessmentScale::VOCABULARY,
            Criterion::VOCABULARY,
            Likelihood::VOCABULARY,
            Magnitude::VOCABULARY,
            Confidence::VOCABULARY,
            EvidenceType::VOCABULARY,
            Tier::VOCABULARY,
            MechanismResource::VOCABULARY,
        ]
        .iter()
        .map(ecolens_taxonomy::VocabularyInfo::versioned_id)
        .collect::<Vec<_>>()
        .join(" ")
    }
}

/// A stored risk.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredRisk {
    /// Row id.
    pub id: RiskId,
    /// Stable id across copies of the project (decision bundles refer to risks by it).
    #[serde(default)]
    pub uid: String,
    /// The record.
    pub record: RecordId,
    /// The reviewer who recorded it.
    pub reviewer: ReviewerId,
    /// The risk.
    pub risk: ReboundRisk,
    /// Vocabularies (`id@version`) under which it was recorded.
    pub vocabularies: String,
    /// When it was recorded.
    pub created_at: Timestamp,
    /// When it last changed.
    pub updated_at: Timestamp,
}

/// A label a reviewer puts on a record from a vocabulary: a shipped one (Rolnick domains, ML
/// areas) or a project one (tags, any list the team defines).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredRecordLabel {
    /// The record.
    pub record: RecordId,
    /// The reviewer.
    pub reviewer: ReviewerId,
    /// Vocabulary id.
    pub vocabulary: String,
    /// Entry code.
    pub code: String,
    /// `id@version` of the vocabulary when the label was set.
    pub vocabulary_version: String,
    /// When it was set.
    pub created_at: Timestamp,
}

/// An entry of a project vocabulary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectLabel {
    /// Vocabulary id.
    pub vocabulary: String,
    /// Stable code.
    pub code: String,
    /// Name shown to reviewers.
    pub name: String,
    /// Definition.
    #[serde(default)]
    pub definition: String,
    /// Example.
    #[serde(default)]
    pub example: String,
    /// Source.
    #[serde(default)]
    pub source: String,
    /// Retired entries stay readable on old labels but cannot be chosen any more.
    #[serde(default)]
    pub retired: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    const ABSTRACT: &str = "We estimate the energy   used to train\nBERT on GPUs.";

    fn text(field: QuoteField) -> Option<String> {
        match field {
            QuoteField::Title => Some("Energy and Policy Considerations".into()),
            QuoteField::Abstract => Some(ABSTRACT.into()),
            QuoteField::FullText => None,
        }
    }

    #[test]
    fn quotes_are_checked_against_the_record() {
        let tolerant = EvidenceQuote::new(QuoteField::Abstract, "energy used to train BERT");
        assert!(tolerant.validate("q", Some(ABSTRACT)).is_ok());
        let spanned = EvidenceQuote {
            start: Some(3),
            end: Some(11),
            ..EvidenceQuote::new(QuoteField::Abstract, "estimate")
        };
        assert!(spanned.validate("q", Some(ABSTRACT)).is_ok());
        let wrong_span = EvidenceQuote {
            start: Some(0),
            end: Some(8),
            ..spanned.clone()
        };
        assert_eq!(
            wrong_span
                .validate("q", Some(ABSTRACT))
                .unwrap_err()
                .field(),
            Some("q.text")
        );
        let past_end = EvidenceQuote {
            start: Some(50),
            end: Some(58),
            ..spanned
        };
        assert_eq!(
            past_end.validate("q", Some(ABSTRACT)).unwrap_err().field(),
            Some("q.end")
        );
        let absent = EvidenceQuote::new(QuoteField::Abstract, "carbon tax");
        assert_eq!(
            absent.validate("q", Some(ABSTRACT)).unwrap_err().field(),
            Some("q.text")
        );
        let no_abstract = EvidenceQuote::new(QuoteField::Abstract, "energy");
        assert_eq!(
            no_abstract.validate("q", None).unwrap_err().field(),
            Some("q.field")
        );
        let unextracted = EvidenceQuote {
            page: Some(4),
            ..EvidenceQuote::new(QuoteField::FullText, "Table 3")
        };
        assert!(unextracted.validate("q", None).is_ok());
    }

    #[test]
    fn classification_answers_must_lead_to_the_category() {
        let mut classification = Classification::new(EvalCategory::C);
        classification.answers = vec![true, true, false];
        assert!(classification.validate(text).is_ok());
        classification.answers = vec![true, false];
        let error = classification.validate(text).unwrap_err();
        assert_eq!(error.field(), Some("classification.answers"));
        assert!(error.to_string().contains("yes,yes,no"), "{error}");
        classification.answers = vec![true, true, false, true];
        assert!(classification.validate(text).is_err());
    }

    #[test]
    fn classification_evidence_errors_name_the_quote() {
        let mut classification = Classification::new(EvalCategory::E);
        classification.evidence = vec![
            EvidenceQuote::new(QuoteField::Title, "Policy Considerations"),
            EvidenceQuote::new(QuoteField::Abstract, "inference on TPUs"),
        ];
        assert_eq!(
            classification.validate(text).unwrap_err().field(),
            Some("classification.evidence[1].text")
        );
    }

    #[test]
    fn risk_ratings_must_be_consistent() {
        let mut risk = ReboundRisk::new(EffectCode::HoRbDir);
        risk.direction = Some(Direction::IncreasesImpact);
        risk.magnitude = Some(Magnitude::PartialRebound);
        risk.rebound_percent = Some(40.0);
        assert!(risk.validate(text).is_ok());

        let cases: Vec<(ReboundRisk, &str)> = vec![
            (
                ReboundRisk {
                    reduction_type: Some(ReductionType::LesserIncrease),
                    ..risk.clone()
                },
                "risk.reduction_type",
            ),
            (
                ReboundRisk {
                    magnitude: Some(Magnitude::Major),
                    ..risk.clone()
                },
                "risk.magnitude",
            ),
            (
                ReboundRisk {
                    rebound_percent: Some(140.0),
                    ..risk.clone()
                },
                "risk.rebound_percent",
            ),
            (
                ReboundRisk {
                    rebound_percent: Some(f64::NAN),
                    magnitude: None,
                    ..risk.clone()
                },
                "risk.rebound_percent",
            ),
            (
                ReboundRisk {
                    criteria: vec![Criterion::Gwp, Criterion::Gwp],
                    ..risk.clone()
                },
                "risk.criteria",
            ),
            (
                ReboundRisk {
                    effect: EffectCode::FoMan,
                    magnitude: None,
                    ..risk.clone()
                },
                "risk.rebound_percent",
            ),
        ];
        for (bad, field) in cases {
            assert_eq!(bad.validate(text).unwrap_err().field(), Some(field));
        }
        let decrease = ReboundRisk {
            effect: EffectCode::SoOpt,
            direction: Some(Direction::DecreasesImpact),
            reduction_type: Some(ReductionType::ActualReduction),
            magnitude: Some(Magnitude::Major),
            ..ReboundRisk::new(EffectCode::SoOpt)
        };
        assert!(decrease.validate(text).is_ok());
    }

    #[test]
    fn full_text_exclusions_need_a_reason() {
        let vote = ScreeningVote {
            stage: Stage::FullText,
            decision: Decision::Exclude { reason: None },
            note: None,
        };
        assert_eq!(
            vote.validate().unwrap_err().field(),
            Some("screening.reason")
        );
        let at_tiab = ScreeningVote {
            stage: Stage::TitleAbstract,
            ..vote.clone()
        };
        assert!(at_tiab.validate().is_ok());
        let bad_code = ScreeningVote {
            decision: Decision::Exclude {
                reason: Some("Not AI!".into()),
            },
            ..vote
        };
        assert_eq!(
            bad_code.validate().unwrap_err().field(),
            Some("screening.reason")
        );
    }

    #[test]
    fn names_and_codes() {
        assert!(validate_reviewer_name("Emily").is_ok());
        for bad in ["", " Emily", "Em\u{7}ily"] {
            assert!(validate_reviewer_name(bad).is_err(), "{bad:?}");
        }
        assert!(validate_code("label.code", "not_ai").is_ok());
        assert!(validate_code("label.code", "_x").is_err());
        assert!(validate_code("label.code", "Not AI").is_err());
    }
}
