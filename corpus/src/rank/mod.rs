//! Prioritised screening: a model learns from each screening decision which records are
//! likely to be included, and the queue brings those first.
//!
//! - [`features`]: TF-IDF vectors of titles, abstracts and keywords;
//! - [`model`]: a linear SVM trained on the decided records, retrained from its last solution;
//! - [`queue`]: query strategies (most relevant, most uncertain, random, mixed);
//! - [`simulate`]: a review replayed from its known labels, to measure the model (records
//!   screened to reach a recall, WSS, where the stopping rule would have stopped).
//!
//! Nothing here reads the store or spawns threads; the app runs it on its workers.

pub mod features;
pub mod model;
pub mod queue;
pub mod simulate;
pub mod stored;

pub use features::{FeatureOptions, Features, RecordText};

/// The model and its features in words, for a Methods paragraph and the simulation's
/// report: "a linear support vector machine (squared hinge loss, C = 0.11, …) over TF-IDF
/// features of …". Written from the options, so the words follow the numbers.
pub fn describe(model: &ModelOptions, features: &FeatureOptions) -> String {
    let same_as_asreview = *model == ModelOptions::default();
    let mut terms = vec![if features.word_pairs {
        "words and pairs of neighbouring words"
    } else {
        "words"
    }];
    if features.drop_function_words {
        terms.push("English function words removed");
    }
    if features.sublinear_tf {
        terms.push("sublinear term frequency");
    }
    format!(
        "a linear support vector machine (squared hinge loss, C = {}, includes weighted {} : 1{}) over TF-IDF features of titles, abstracts and keywords ({})",
        model.c,
        model.balance_ratio,
        if same_as_asreview {
            ", the parameters of ASReview LAB's default model ELAS u4"
        } else {
            ""
        },
        terms.join(", ")
    )
}
pub use model::{Model, ModelOptions, Trainer};
pub use queue::Strategy;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::labels::LabelDecision;

    /// ASReview's labelled sample (see `corpus/tests/data/SOURCES.md`), read as a user's file.
    fn sample() -> (Vec<ecolens_core::Record>, Vec<bool>) {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data/asreview_demo_data.csv");
        let Ok(read) = crate::read::read_file(&path) else {
            panic!("cannot read {}", path.display());
        };
        let labels = read
            .parsed
            .records
            .iter()
            .map(|r| {
                r.labels
                    .iter()
                    .any(|l| l.decision == LabelDecision::Include)
            })
            .collect();
        let records = read.parsed.records.into_iter().map(|r| r.record).collect();
        (records, labels)
    }

    #[test]
    fn features_and_scores_equal_scikit_learns_on_asreviews_sample() {
        let (records, labels) = sample();
        assert_eq!(records.len(), 100);
        assert_eq!(labels.iter().filter(|l| **l).count(), 10);
        let features = Features::build(
            records.iter().map(RecordText::of),
            &FeatureOptions::default(),
        );
        // TfidfVectorizer: 21,349 terms, 36,620 non-zero weights (no two terms share a hash).
        assert_eq!(features.terms(), 21_349);
        assert_eq!(features.stored(), 36_620);
        // Computed in f64 as scikit-learn computes them: equal to the last bits or nearly.
        let mut first: Vec<f64> = features.row(0).weights().map(|(_, w)| w).collect();
        first.sort_by(f64::total_cmp);
        for (got, expected) in first.iter().rev().zip(REFERENCE_TOP_WEIGHTS.iter().rev()) {
            assert!((got - expected).abs() < 1e-15, "{got} vs {expected}");
        }
        // LinearSVC(squared hinge, C = 0.11), ASReview's balanced weights, trained on the
        // first 40 records: the same decision function.
        let decided: Vec<(usize, bool)> = (0..40).map(|i| (i, labels[i])).collect();
        let options = ModelOptions {
            tolerance: 1e-9,
            max_passes: 1_000_000,
            ..ModelOptions::default()
        };
        let mut trainer = Trainer::new(&features, options, 1);
        let Some(model) = trainer.train(&features, &decided) else {
            panic!("no model");
        };
        for (i, expected) in REFERENCE_SCORES.iter().enumerate() {
            let got = model.score(features.row(i));
            assert!(
                (got - expected).abs() < 1e-5,
                "record {i}: {got}, scikit-learn {expected}"
            );
        }
    }

    /// The three largest weights of the first record, printed by
    /// `docs/reference/screening_reference.py`.
    #[allow(clippy::unreadable_literal)] // As the reference script prints them.
    const REFERENCE_TOP_WEIGHTS: [f64; 3] =
        [0.10964620617421006, 0.12319071921661175, 0.1433829183167377];

    /// scikit-learn's `decision_function` of the 100 records, printed by
    /// `docs/reference/screening_reference.py`.
    #[allow(clippy::unreadable_literal)]
    const REFERENCE_SCORES: [f64; 100] = [
        0.3892292943684052,
        0.3909785393523517,
        0.37336753029513514,
        0.37391206301005525,
        0.37823453249373673,
        0.3856248083953546,
        0.37969658568590287,
        0.40411346040455687,
        0.39537619888440795,
        0.3735654972752021,
        0.37527612363014057,
        0.38022623735973526,
        0.8072668322296368,
        0.36918173090877304,
        0.4034882069766764,
        0.3844819192215428,
        0.39557024765811877,
        0.3712989113399451,
        0.3908148889504285,
        0.3945491490807455,
        0.8029569952005833,
        0.387513718609203,
        0.37266189086553825,
        0.38145197278730236,
        0.8125594349922391,
        0.37219379081480475,
        0.38101089769332896,
        0.8100776058109034,
        0.3918639105569631,
        0.39492551777181983,
        0.3862164459333267,
        0.37962777142649273,
        0.4012257825090847,
        0.3864616014037668,
        0.3938715759504382,
        0.39073960438647515,
        0.3730316760719205,
        0.39632513903114136,
        0.39495603139875385,
        0.3734202619202212,
        0.409767020409753,
        0.4049155016440476,
        0.4262727370024002,
        0.41245172626485693,
        0.4466111603240695,
        0.430247483132107,
        0.39926573045383906,
        0.4104842962015301,
        0.4621017508407575,
        0.4203893954275938,
        0.42828857005238036,
        0.4047876244825586,
        0.4624388644636601,
        0.43283052031951685,
        0.4089203684314505,
        0.44304356825897895,
        0.40902457908379514,
        0.43379883920354745,
        0.42653322586722103,
        0.42528387209401947,
        0.4101122459622313,
        0.4290938942998783,
        0.4570926440402743,
        0.457703507631379,
        0.41126286771864573,
        0.42803895511033857,
        0.41927192012423486,
        0.4470726838568139,
        0.45043626388057134,
        0.42651347347278923,
        0.4099584335521129,
        0.40937394054018195,
        0.4120911112224931,
        0.4082309618931084,
        0.41256372667089986,
        0.4129790964062693,
        0.4613731727704209,
        0.4172454552745476,
        0.42912309837331963,
        0.4242736009342415,
        0.411275057218032,
        0.40852315558746954,
        0.4444164941847865,
        0.4678753239709541,
        0.42962961232745667,
        0.4104584539091222,
        0.42488226313662286,
        0.4375619676485812,
        0.4216023697881358,
        0.398170184890022,
        0.485755365443931,
        0.4379707007697274,
        0.4264669652956882,
        0.40607508943786097,
        0.4399368090277726,
        0.406339847167911,
        0.4011971374726931,
        0.4204184705331701,
        0.4499939647869551,
        0.4280440460594222,
    ];
}
