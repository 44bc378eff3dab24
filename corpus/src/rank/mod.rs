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
        // TfidfVectorizer: 17,923 terms, 26,773 non-zero weights (no two terms share a hash).
        assert_eq!(features.terms(), 17_923);
        assert_eq!(features.stored(), 26_773);
        let mut first: Vec<f32> = features.row(0).weights.to_vec();
        first.sort_by(f32::total_cmp);
        for (got, expected) in first.iter().rev().zip(REFERENCE_TOP_WEIGHTS.iter().rev()) {
            assert!(
                (f64::from(*got) - expected).abs() < 1e-6,
                "{got} vs {expected}"
            );
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
    const REFERENCE_TOP_WEIGHTS: [f64; 3] = [
        0.11399280504226705,
        0.12285785758186211,
        0.13803439594503314,
    ];

    /// scikit-learn's `decision_function` of the 100 records, printed by
    /// `docs/reference/screening_reference.py`.
    #[allow(clippy::unreadable_literal)]
    const REFERENCE_SCORES: [f64; 100] = [
        0.3855639559621098,
        0.38640782501817567,
        0.37132932152595777,
        0.3700833090183583,
        0.3732284818284889,
        0.3791590457883729,
        0.3718851643592184,
        0.3984829999336076,
        0.38621337137957684,
        0.37264922925030886,
        0.37243668980180467,
        0.38244319992609266,
        0.8068056818135525,
        0.36697795559970103,
        0.400206678787281,
        0.37973051592862955,
        0.39413379413065397,
        0.3690535985033331,
        0.3860918816401522,
        0.3927391782141906,
        0.8036793089379534,
        0.38443258763533494,
        0.3690893080694177,
        0.37968638693779266,
        0.8133407118494149,
        0.3740722461320307,
        0.3793818706846784,
        0.810127927501809,
        0.38787721528739216,
        0.39145639445958585,
        0.38353765150931574,
        0.3755770557551811,
        0.3917049093026369,
        0.38259923006378466,
        0.3878243506431339,
        0.37947265734083874,
        0.37444048237620897,
        0.3966783580781985,
        0.38869609691704554,
        0.3703709001040416,
        0.40839353453870825,
        0.4034427843470468,
        0.42116879454864264,
        0.41684232282163075,
        0.4471370605936402,
        0.4219990269590291,
        0.4037193911767152,
        0.40630731088201527,
        0.45156428245651303,
        0.4223440245963723,
        0.41913761572603114,
        0.40389211289618165,
        0.4592788748731057,
        0.4363231137532654,
        0.4058932996088971,
        0.4340317622361101,
        0.4053452874396068,
        0.4271233287034905,
        0.4208480820997633,
        0.42302385759717703,
        0.4085039126248992,
        0.4325808307500249,
        0.44225830254364074,
        0.4505356643046077,
        0.41386775008842214,
        0.4250693881173197,
        0.4198354903497322,
        0.45004478827497263,
        0.4484414034368231,
        0.426130080153358,
        0.41360157656886914,
        0.4079151865646655,
        0.40858621911631265,
        0.4049655239976797,
        0.40631945325224955,
        0.4073127770290696,
        0.45906430942936843,
        0.4163830514389679,
        0.42197251144628567,
        0.42229280401660785,
        0.4147013048485512,
        0.4116942568448253,
        0.4381474056629098,
        0.4556407202737871,
        0.42114301717358577,
        0.4054451795745543,
        0.4192268826756661,
        0.43301429928918755,
        0.4174635611558529,
        0.3996930288813587,
        0.47612092544066764,
        0.4350297953384352,
        0.4237428247440286,
        0.3992437995490957,
        0.4367161444377828,
        0.4064517795089764,
        0.39751894359789897,
        0.4202670251875335,
        0.44542606381010796,
        0.4214633467300956,
    ];
}
