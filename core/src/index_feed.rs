//! What the search index mirrors: one [`IndexDoc`] per record (bibliographic fields, full text
//! and review facets), and which records changed since the index was last brought up to date
//! ([`IndexChanges`]).
//!
//! Every store write that changes indexed data bumps the project's data version and journals
//! the ids of the records it changed, in the same transaction. The index stamps its commits
//! with the data version it reflects; bringing it up to date means re-reading the records
//! journalled after that version. The journal is pruned once an index has caught up; an index
//! older than what the journal still holds (or with no stamp) is rebuilt from scratch.

use std::ops::RangeInclusive;

use ecolens_taxonomy::effects::EffectCode;
use ecolens_taxonomy::eval_scale::EvalCategory;
use serde::Serialize;

use crate::ids::{RecordId, ReviewerId};
use crate::record::Record;
use crate::review::{Decision, Stage};
use crate::visibility::Visibility;

/// Which records an index update must re-read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IndexScope {
    /// Every record: the index is rebuilt.
    All,
    /// Records whose ids fall in these ranges (sorted, disjoint). Ids in a range that no longer
    /// name a record were deleted and must leave the index.
    Ranges(Vec<RangeInclusive<RecordId>>),
}

impl IndexScope {
    /// Whether `id` is in scope.
    pub fn contains(&self, id: RecordId) -> bool {
        match self {
            Self::All => true,
            Self::Ranges(ranges) => ranges.iter().any(|range| range.contains(&id)),
        }
    }
}

/// What changed since the version an index reflects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexChanges {
    /// The data version the index reflects once the changes are applied.
    pub version: u64,
    /// Records to re-read; `None` when the index is up to date.
    pub scope: Option<IndexScope>,
}

/// The screening state of a record, as a search facet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ScreeningStatus {
    /// No reviewer has voted.
    Unscreened,
    /// Every vote at the latest stage voted on says include.
    Include,
    /// Every vote at the latest stage voted on says exclude.
    Exclude,
    /// Every vote at the latest stage voted on says maybe.
    Maybe,
    /// Votes at the latest stage disagree.
    Conflict,
}

impl ScreeningStatus {
    /// Stable code (`unscreened`, `include`, `exclude`, `maybe`, `conflict`).
    pub fn code(self) -> &'static str {
        match self {
            Self::Unscreened => "unscreened",
            Self::Include => "include",
            Self::Exclude => "exclude",
            Self::Maybe => "maybe",
            Self::Conflict => "conflict",
        }
    }

    /// Every status, for help texts.
    pub const ALL: [Self; 5] = [
        Self::Unscreened,
        Self::Include,
        Self::Exclude,
        Self::Maybe,
        Self::Conflict,
    ];

    /// The status of a record from its votes: the votes at the latest stage that has any
    /// decide; agreement gives their decision, disagreement a conflict. Returns the stage
    /// decided on too.
    pub fn of<'a>(votes: impl IntoIterator<Item = (Stage, &'a Decision)>) -> (Self, Option<Stage>) {
        let mut latest: Option<(Stage, Self)> = None;
        for (stage, decision) in votes {
            let status = match decision {
                Decision::Include => Self::Include,
                Decision::Exclude { .. } => Self::Exclude,
                Decision::Maybe => Self::Maybe,
            };
            latest = match latest {
                None => Some((stage, status)),
                Some((seen, _)) if stage > seen => Some((stage, status)),
                Some((seen, current)) if stage == seen && current != status => {
                    Some((seen, Self::Conflict))
                }
                keep => keep,
            };
        }
        match latest {
            Some((stage, status)) => (status, Some(stage)),
            None => (Self::Unscreened, None),
        }
    }
}

impl ScreeningStatus {
    /// The status from the votes, where a lead's resolution at the stage decided on (or a
    /// later one) replaces what the votes say there; the votes themselves stay as they are.
    pub fn resolved<'a>(
        votes: impl IntoIterator<Item = (Stage, &'a Decision)>,
        resolutions: impl IntoIterator<Item = (Stage, &'a Decision)>,
    ) -> (Self, Option<Stage>) {
        let (status, stage) = Self::of(votes);
        let resolved = resolutions
            .into_iter()
            .filter(|(at, _)| stage.is_none_or(|s| *at >= s))
            .max_by_key(|(at, _)| *at);
        match resolved {
            Some((at, decision)) => (Self::of([(at, decision)]).0, Some(at)),
            None => (status, stage),
        }
    }
}

/// One reviewer's screening vote, with the reviewer's name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamedVote {
    /// The reviewer.
    pub reviewer_id: ReviewerId,
    /// The reviewer's name.
    pub reviewer: String,
    /// The stage.
    pub stage: Stage,
    /// The decision (with the exclusion reason).
    pub decision: Decision,
}

/// One reviewer's a–f category, with the reviewer's name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NamedCategory<'a> {
    /// The reviewer.
    pub reviewer: &'a str,
    /// The category.
    pub category: EvalCategory,
}

/// Review data of a record that search filters on and exports carry, each judgement with its
/// author, so that [`ReviewFacets::shown_to`] can keep what a reader may see.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ReviewFacets {
    /// Screening votes, by reviewer id then stage.
    pub votes: Vec<NamedVote>,
    /// A lead's resolutions of screening disagreements, by stage.
    pub resolutions: Vec<(Stage, Decision)>,
    /// a–f categories given: (reviewer id, name, category), by reviewer id.
    pub classifications: Vec<(ReviewerId, String, EvalCategory)>,
    /// ICT and rebound effects recorded as risks: (author, effect).
    pub risk_effects: Vec<(ReviewerId, EffectCode)>,
    /// Labels on the record: (author, vocabulary, code).
    pub record_labels: Vec<(ReviewerId, String, String)>,
    /// Whether an LCA scenario is linked.
    pub has_lca: bool,
    /// Whether an energy trace is linked.
    pub has_trace: bool,
}

impl ReviewFacets {
    /// The screening status and the stage it was decided at.
    ///
    /// A resolution at the stage decided on replaces the votes' status there (votes stay as
    /// they are; the resolution is the final value).
    pub fn screening(&self) -> (ScreeningStatus, Option<Stage>) {
        ScreeningStatus::resolved(
            self.votes.iter().map(|vote| (vote.stage, &vote.decision)),
            self.resolutions
                .iter()
                .map(|(stage, decision)| (*stage, decision)),
        )
    }

    /// The judgements `seen` shows: their authors' votes, categories, risks and labels, and
    /// the resolutions only for a reader who sees everyone's.
    #[must_use]
    pub fn shown_to(self, seen: &Visibility) -> Self {
        if seen.sees_everyone() {
            return self;
        }
        let shows = |id: &ReviewerId| seen.shows(*id);
        Self {
            votes: self
                .votes
                .into_iter()
                .filter(|v| shows(&v.reviewer_id))
                .collect(),
            resolutions: Vec::new(),
            classifications: self
                .classifications
                .into_iter()
                .filter(|(id, _, _)| shows(id))
                .collect(),
            risk_effects: self
                .risk_effects
                .into_iter()
                .filter(|(id, _)| shows(id))
                .collect(),
            record_labels: self
                .record_labels
                .into_iter()
                .filter(|(id, _, _)| shows(id))
                .collect(),
            has_lca: self.has_lca,
            has_trace: self.has_trace,
        }
    }

    /// Every reviewer with a judgement on the record, by id.
    pub fn authors(&self) -> Vec<ReviewerId> {
        let mut authors: Vec<ReviewerId> = self
            .votes
            .iter()
            .map(|v| v.reviewer_id)
            .chain(self.classifications.iter().map(|(id, _, _)| *id))
            .chain(self.risk_effects.iter().map(|(id, _)| *id))
            .chain(self.record_labels.iter().map(|(id, _, _)| *id))
            .collect();
        authors.sort_unstable();
        authors.dedup();
        authors
    }

    /// One reviewer's own judgements (no resolutions): what that reviewer filters on while
    /// blind mode hides the others'.
    #[must_use]
    pub fn by(&self, reviewer: ReviewerId) -> Self {
        Self {
            votes: self
                .votes
                .iter()
                .filter(|v| v.reviewer_id == reviewer)
                .cloned()
                .collect(),
            resolutions: Vec::new(),
            classifications: self
                .classifications
                .iter()
                .filter(|(id, _, _)| *id == reviewer)
                .cloned()
                .collect(),
            risk_effects: self
                .risk_effects
                .iter()
                .filter(|(id, _)| *id == reviewer)
                .copied()
                .collect(),
            record_labels: self
                .record_labels
                .iter()
                .filter(|(id, _, _)| *id == reviewer)
                .cloned()
                .collect(),
            has_lca: self.has_lca,
            has_trace: self.has_trace,
        }
    }

    /// The a–f categories given, each once, in scale order.
    pub fn categories(&self) -> Vec<EvalCategory> {
        let mut categories: Vec<EvalCategory> =
            self.classifications.iter().map(|(_, _, c)| *c).collect();
        categories.sort_unstable();
        categories.dedup();
        categories
    }

    /// Each reviewer's category, by reviewer id.
    pub fn named_categories(&self) -> impl Iterator<Item = NamedCategory<'_>> {
        self.classifications
            .iter()
            .map(|(_, reviewer, category)| NamedCategory {
                reviewer,
                category: *category,
            })
    }

    /// The ICT and rebound effects recorded as risks, each once, in the order first recorded.
    pub fn effects(&self) -> Vec<EffectCode> {
        let mut effects = Vec::new();
        for (_, effect) in &self.risk_effects {
            if !effects.contains(effect) {
                effects.push(*effect);
            }
        }
        effects
    }

    /// The labels on the record as `(vocabulary, code)`, each once, sorted.
    pub fn labels(&self) -> Vec<(String, String)> {
        let mut labels: Vec<(String, String)> = self
            .record_labels
            .iter()
            .map(|(_, vocabulary, code)| (vocabulary.clone(), code.clone()))
            .collect();
        labels.sort();
        labels.dedup();
        labels
    }
}

/// Everything the search index holds about one record.
#[derive(Debug, Clone, PartialEq)]
pub struct IndexDoc {
    /// The record.
    pub id: RecordId,
    /// Its bibliographic content.
    pub record: Record,
    /// Its extracted full text, if any (when asked for).
    pub full_text: Option<String>,
    /// Review facets.
    pub review: ReviewFacets,
    /// File names (without folders) the record was read from.
    pub files: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn screening_status_follows_the_latest_stage() {
        let include = Decision::Include;
        let exclude = Decision::Exclude { reason: None };
        let maybe = Decision::Maybe;
        assert_eq!(ScreeningStatus::of([]), (ScreeningStatus::Unscreened, None));
        assert_eq!(
            ScreeningStatus::of([(Stage::TitleAbstract, &include)]),
            (ScreeningStatus::Include, Some(Stage::TitleAbstract))
        );
        assert_eq!(
            ScreeningStatus::of([
                (Stage::TitleAbstract, &include),
                (Stage::TitleAbstract, &exclude)
            ]),
            (ScreeningStatus::Conflict, Some(Stage::TitleAbstract))
        );
        // A full-text decision supersedes a title/abstract conflict, in any order.
        assert_eq!(
            ScreeningStatus::of([
                (Stage::FullText, &exclude),
                (Stage::TitleAbstract, &include),
                (Stage::TitleAbstract, &maybe)
            ]),
            (ScreeningStatus::Exclude, Some(Stage::FullText))
        );
    }

    #[test]
    fn scope_contains_ids_in_its_ranges() {
        let scope = IndexScope::Ranges(vec![RecordId(3)..=RecordId(5), RecordId(9)..=RecordId(9)]);
        assert!(scope.contains(RecordId(4)));
        assert!(scope.contains(RecordId(9)));
        assert!(!scope.contains(RecordId(6)));
        assert!(IndexScope::All.contains(RecordId(6)));
    }
}
