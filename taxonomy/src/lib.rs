//! Controlled vocabularies of ecolens, as typed data.
//!
//! Every vocabulary is an enum implementing [`Term`]: each variant has a stable short code (the
//! form stored in projects), a name, a definition, an example and a source citation, and the
//! vocabulary has an identifier and a version that are stored with every label that uses it.
//!
//! Modules:
//! - [`vocab`]: the shared machinery ([`Entry`], [`Term`], [`VocabularyView`], the macro);
//! - [`eval_scale`]: the a–f environmental-evaluation scale and its guiding questions;
//! - [`effects`]: ICT effects and rebound effects (`FO.*`, `SO.*`, `HO.*`, `EV.*`);
//! - [`rating`]: the fields on which an effect risk is rated;
//! - [`lca`]: life-cycle phases and impact criteria with units;
//! - [`rolnick`]: application domains, sub-domains and ML areas of Rolnick et al. 2019;
//! - [`labels`]: project-editable vocabularies (exclusion reasons, tags) and their defaults.
//!
//! This crate does no I/O and knows nothing of storage or UI.

pub mod effects;
pub mod eval_scale;
pub mod labels;
pub mod lca;
pub mod rating;
pub mod rolnick;
pub mod vocab;

pub use effects::{EffectCode, EffectOrder, LesLevel};
pub use eval_scale::{EvalCategory, GUIDING_QUESTIONS, GuidingQuestion};
pub use lca::{Criterion, LifeCyclePhase};
pub use rating::{
    AssessmentScale, Confidence, Direction, EvidenceType, Likelihood, Magnitude, MechanismResource,
    ReductionType, Tier, TimeHorizon,
};
pub use rolnick::{MlArea, RolnickDomain, RolnickSubdomain};
pub use vocab::{Entry, EntryView, Term, UnknownCode, VocabularyInfo, VocabularyView};

/// Every vocabulary shipped with ecolens, in a fixed order: the evaluation scale, effects, the
/// rating fields, LCA phases and criteria, then the Rolnick et al. vocabularies.
pub fn shipped_vocabularies() -> Vec<VocabularyView> {
    vec![
        VocabularyView::of::<EvalCategory>(),
        VocabularyView::of::<EffectCode>(),
        VocabularyView::of::<Direction>(),
        VocabularyView::of::<ReductionType>(),
        VocabularyView::of::<TimeHorizon>(),
        VocabularyView::of::<AssessmentScale>(),
        VocabularyView::of::<Likelihood>(),
        VocabularyView::of::<Magnitude>(),
        VocabularyView::of::<Confidence>(),
        VocabularyView::of::<EvidenceType>(),
        VocabularyView::of::<Tier>(),
        VocabularyView::of::<MechanismResource>(),
        VocabularyView::of::<LifeCyclePhase>(),
        VocabularyView::of::<Criterion>(),
        VocabularyView::of::<RolnickDomain>(),
        VocabularyView::of::<RolnickSubdomain>(),
        VocabularyView::of::<MlArea>(),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vocabulary_ids_are_unique_and_entries_complete() {
        let vocabularies = shipped_vocabularies();
        let mut ids: Vec<_> = vocabularies.iter().map(|v| v.id.clone()).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), vocabularies.len());
        for vocabulary in &vocabularies {
            assert!(!vocabulary.entries.is_empty(), "{}", vocabulary.id);
            for entry in &vocabulary.entries {
                for (field, value) in [
                    ("code", &entry.code),
                    ("name", &entry.name),
                    ("definition", &entry.definition),
                    ("example", &entry.example),
                    ("source", &entry.source),
                ] {
                    assert!(
                        !value.trim().is_empty(),
                        "{}/{}: empty {field}",
                        vocabulary.id,
                        entry.code
                    );
                }
            }
        }
    }

    #[test]
    fn default_label_codes_are_unique() {
        for labels in labels::DEFAULT_PROJECT_LABELS {
            let mut codes: Vec<_> = labels.entries.iter().map(|e| e.code).collect();
            codes.sort_unstable();
            let before = codes.len();
            codes.dedup();
            assert_eq!(before, codes.len(), "{}", labels.vocabulary);
        }
    }
}
