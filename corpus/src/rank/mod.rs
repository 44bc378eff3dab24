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
        // TfidfVectorizer: 21,261 terms, 36,522 non-zero weights (no two terms share a hash).
        assert_eq!(features.terms(), 21_261);
        assert_eq!(features.stored(), 36_522);
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
    const REFERENCE_TOP_WEIGHTS: [f64; 3] =
        [0.10984467318317163, 0.12341370270530537, 0.1436424510441108];

    /// scikit-learn's `decision_function` of the 100 records, printed by
    /// `docs/reference/screening_reference.py`.
    #[allow(clippy::unreadable_literal)]
    const REFERENCE_SCORES: [f64; 100] = [
        0.38917255314829036,
        0.3910519938100897,
        0.3732656614179742,
        0.37381105796211084,
        0.3781439276415441,
        0.3855578214707111,
        0.37961227731634445,
        0.40407859774438404,
        0.3953451956872389,
        0.373462060492936,
        0.3729887240531749,
        0.38013485171136935,
        0.8073061289005197,
        0.3690706165259764,
        0.40344872093502526,
        0.38440611631035015,
        0.3956213710610908,
        0.3711903139483061,
        0.3908250742836259,
        0.39449384998522286,
        0.8029377687179554,
        0.38744632874827284,
        0.37255402516604796,
        0.38145214645733333,
        0.81258500500608,
        0.3720846253830571,
        0.38092721299811766,
        0.8101351954779972,
        0.39187366006400326,
        0.3948722365025886,
        0.38614236240920546,
        0.3795424044535341,
        0.4011736065417956,
        0.3863915862761999,
        0.3938124406556119,
        0.390671664161655,
        0.37292720421819014,
        0.3962792858829124,
        0.3949105428202565,
        0.37331925878750666,
        0.409672186333045,
        0.4049887764900894,
        0.4262177577818085,
        0.41235272277433965,
        0.4466438353599969,
        0.43020952714595545,
        0.3991406113053135,
        0.4103935249180014,
        0.46224069447788096,
        0.4204094557307534,
        0.42825291486268996,
        0.4046818090322432,
        0.46257792119992924,
        0.43279147736125134,
        0.40882703342404453,
        0.44301962414575907,
        0.40893199831886134,
        0.43374274390997425,
        0.42647058258139936,
        0.42520890765804475,
        0.41002137071226297,
        0.4291726587443633,
        0.4571264781640215,
        0.45790852832408624,
        0.41117534562029856,
        0.4279905213382734,
        0.41919674383731953,
        0.44706075297604236,
        0.450432796289562,
        0.42646394595588977,
        0.40986880184143404,
        0.4092836164621988,
        0.4120005110272503,
        0.40813290754513337,
        0.41259910299733277,
        0.4128954691611563,
        0.46140944927462074,
        0.4174058910172732,
        0.4290769876350904,
        0.4242119655589701,
        0.41117204099925614,
        0.40842804697621293,
        0.44461372426419876,
        0.46793389316776823,
        0.42958646738752054,
        0.4103660378468491,
        0.4248262430108793,
        0.4377994116170164,
        0.42153137381190786,
        0.3980426039296711,
        0.4858662734313657,
        0.4368322102771622,
        0.4265556083465908,
        0.40597537853707094,
        0.4399151390473989,
        0.4062432301714678,
        0.40107760900961664,
        0.42034828065933727,
        0.45001861609299487,
        0.4280005626771572,
    ];
}
