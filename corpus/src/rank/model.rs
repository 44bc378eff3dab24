//! The screening model: a linear support vector machine (squared hinge loss, L2 penalty) over
//! the TF-IDF features, trained on the records a reviewer has decided, includes weighted up.
//!
//! The defaults are ASReview LAB's default model ELAS u4 (`asreview/models/models.py` in
//! ASReview 3.0.8, Apache-2.0: `LinearSVC(loss="squared_hinge", C=0.11)` with its "balanced"
//! sample weights, ratio 9.8, tuned by its authors on the SYNERGY datasets), so that a
//! simulation compares the two tools' orderings and not two tunings.
//!
//! Trained by dual coordinate descent (Hsieh, Chang, Lin, Keerthi & Sundararajan 2008, "A dual
//! coordinate descent method for large-scale linear SVM", ICML), the method LIBLINEAR and so
//! scikit-learn's `LinearSVC` use. Written here rather than taken from a crate: the crates
//! that train SVMs (linfa-svm, smartcore) solve the kernel problem with SMO over dense or
//! kernel matrices, quadratic in the records decided, and none keeps its solution to start
//! the next training from; after one more decision the previous solution is nearly the new
//! one, and starting from it makes retraining after every decision cost a few passes over
//! the decided records. The problem is strictly convex, so any correct solver reaches the
//! same weights: the tests compare them with scikit-learn's.

use rand::SeedableRng as _;
use rand::seq::SliceRandom as _;
use rand_xoshiro::Xoshiro256PlusPlus;
use serde::{Deserialize, Serialize};

use super::features::{COLUMN_MASK, Features, Row};

/// How the model is trained.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelOptions {
    /// The cost of a margin violation (larger: fit the decisions more closely). 0.11.
    pub c: f64,
    /// How much more all includes together weigh than all excludes together (9.8): each
    /// exclude weighs `includes / (ratio × excludes)` of an include, then the weights are
    /// scaled to average 1 (ASReview's "balanced" sample weights).
    pub balance_ratio: f64,
    /// Training stops when the projected gradients' spread is below this (1e-4).
    pub tolerance: f64,
    /// At most this many passes over the decided records (1000).
    pub max_passes: usize,
}

impl Default for ModelOptions {
    fn default() -> Self {
        ModelOptions {
            c: 0.11,
            balance_ratio: 9.8,
            tolerance: 1e-4,
            max_passes: 1000,
        }
    }
}

/// A trained model: a weight per term and a bias.
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    terms: Terms,
    bias: f64,
    /// Passes over the decided records the last training took.
    pub passes: usize,
}

/// The terms' weights, in one of two forms.
///
/// A feature's entry holds the term's count, not its weight (see [`Features`]): the weight is
/// `w(count) × idf × scale`, and the idf is read at the term's column, a second scattered
/// read beside the model's weight.
///
/// - `Weighed`, for features of fewer than [`WEIGHED_TERMS`] terms (reviews of up to about
///   30,000 records): every entry's weight is worked out once ([`Features::weigh_entries`],
///   8 bytes an entry: 4 MB for Kitchenham 2010's 1,704 records); training and scoring then
///   read each entry's weight in order and the model's weight at its column, nothing else. A
///   simulation trains hundreds of times on the same records: `ecolens simulate
///   Kitchenham_2010.csv --runs 2` took 4.5–4.7 s of CPU so, against 5.4–5.5 s with each
///   weight worked out when read (the idf² kept beside the model's weight) and 7.0–8.7 s with
///   the idf read from the features (alternating runs).
/// - `Scaled`: each term's weight × idf, so that scoring reads one number per entry and
///   nothing is kept per entry; a training step reads the idf. At 100,000 records (3.6 million
///   terms, 30.5 million entries) a queue is ranked by a new model after every vote, mostly
///   scoring every record, and 244 MB of kept weights would break the 300 MB aimed at.
#[derive(Debug, Clone, PartialEq)]
enum Terms {
    Weighed(Vec<f64>),
    Scaled(Vec<f64>),
}

/// Below this many terms the trainer keeps every entry's weight ([`Terms`]).
const WEIGHED_TERMS: usize = 1 << 20;

impl Model {
    /// The score of a record's features: how far on the include side of the margin it lies
    /// (scikit-learn's `decision_function`).
    pub fn score(&self, row: Row<'_>) -> f64 {
        let dot = match &self.terms {
            Terms::Weighed(weights) => match row.entry_weights() {
                Some(values) => dot_weighed(weights, &row, values),
                None => row.weights().map(|(c, w)| weights[c as usize] * w).sum(),
            },
            Terms::Scaled(scaled) => dot_scaled(scaled, &row),
        };
        dot + self.bias
    }
    /// The bias.
    pub fn bias(&self) -> f64 {
        self.bias
    }
}

/// Σ weight × entry weight. Four running sums instead of one: each addition waits for the
/// previous one to the same sum, and with one sum that chain, not the scattered loads of
/// the weights, set the pace of training (measured: about a third of all time on one
/// `addsd`).
fn dot_weighed(weights: &[f64], row: &Row<'_>, values: &[f64]) -> f64 {
    let mut sums = [0.0f64; 4];
    let entries = row.entries.chunks_exact(4);
    let chunks = values.chunks_exact(4);
    let (rest_entries, rest_values) = (entries.remainder(), chunks.remainder());
    for (e, v) in entries.zip(chunks) {
        for k in 0..4 {
            sums[k] += weights[(e[k] & COLUMN_MASK) as usize] * v[k];
        }
    }
    let mut sum = (sums[0] + sums[1]) + (sums[2] + sums[3]);
    for (e, v) in rest_entries.iter().zip(rest_values) {
        sum += weights[(e & COLUMN_MASK) as usize] * v;
    }
    sum
}

/// Σ (weight × idf) × w(count), times the row's scale; four running sums as
/// [`dot_weighed`].
fn dot_scaled(scaled: &[f64], row: &Row<'_>) -> f64 {
    let weight =
        |entry: u32| scaled[(entry & COLUMN_MASK) as usize] * Row::table_weight(row.counts, entry);
    let mut sums = [0.0f64; 4];
    let chunks = row.entries.chunks_exact(4);
    let rest = chunks.remainder();
    for chunk in chunks {
        for k in 0..4 {
            sums[k] += weight(chunk[k]);
        }
    }
    let mut sum = (sums[0] + sums[1]) + (sums[2] + sums[3]);
    for entry in rest {
        sum += weight(*entry);
    }
    for (i, extra) in row.large() {
        sum += scaled[(row.entries[i] & COLUMN_MASK) as usize] * extra;
    }
    sum * row.scale
}

/// A record's part in training: not decided, or decided with its label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    Out,
    Include,
    Exclude,
}

/// Trains the model again and again as decisions come, each time starting from the last
/// solution (see the module's notes).
#[derive(Debug)]
pub struct Trainer {
    options: ModelOptions,
    model: Model,
    /// Each record's dual variable (0 for records not in training), by record index: a
    /// vector rather than a map, as every pass reads one per decided record.
    alphas: Vec<f64>,
    /// Each record's part in the last training, by record index.
    parts: Vec<Part>,
    /// The records in the last training.
    members: Vec<usize>,
    /// Each record's squared length once known (NaN before): the same every training.
    norms: Vec<f64>,
    rng: Xoshiro256PlusPlus,
}

impl Trainer {
    /// A trainer for `features`, its passes in an order drawn from `seed`.
    pub fn new(features: &Features, options: ModelOptions, seed: u64) -> Self {
        Self::laid_out(features, options, seed, features.terms() < WEIGHED_TERMS)
    }

    fn laid_out(features: &Features, options: ModelOptions, seed: u64, weighed: bool) -> Self {
        Trainer {
            options,
            model: Model {
                terms: if weighed {
                    features.weigh_entries();
                    Terms::Weighed(vec![0.0; features.terms()])
                } else {
                    Terms::Scaled(vec![0.0; features.terms()])
                },
                bias: 0.0,
                passes: 0,
            },
            alphas: vec![0.0; features.len()],
            parts: vec![Part::Out; features.len()],
            members: Vec::new(),
            norms: vec![f64::NAN; features.len()],
            rng: Xoshiro256PlusPlus::seed_from_u64(seed),
        }
    }

    /// The model as last trained.
    pub fn model(&self) -> &Model {
        &self.model
    }

    /// Trains on `decided`: record index (into `features`) and whether it was included. A
    /// record decided before and now missing or decided the other way is taken out first.
    /// `None` until there is at least one include and one exclude.
    pub fn train(&mut self, features: &Features, decided: &[(usize, bool)]) -> Option<&Model> {
        let includes = decided.iter().filter(|(_, include)| *include).count();
        let excludes = decided.len() - includes;
        if includes == 0 || excludes == 0 {
            return None;
        }
        // Take out what no longer holds: w = Σ αᵢ yᵢ xᵢ must stay true.
        let mut now = vec![Part::Out; self.parts.len()];
        for &(index, include) in decided {
            if let Some(part) = now.get_mut(index) {
                *part = if include {
                    Part::Include
                } else {
                    Part::Exclude
                };
            }
        }
        for index in std::mem::take(&mut self.members) {
            let (was, alpha) = (self.parts[index], self.alphas[index]);
            if now[index] != was {
                self.step(features.row(index), -alpha * sign(was == Part::Include));
                self.alphas[index] = 0.0;
            }
        }
        self.parts = now;
        // Balanced sample weights (ASReview's `Balanced.compute_sample_weight`).
        #[allow(clippy::cast_precision_loss)] // Record counts stay far below 2^52.
        let (n, n_in, n_ex) = (decided.len() as f64, includes as f64, excludes as f64);
        let exclude_weight = n_in / (self.options.balance_ratio * n_ex);
        let scale = n / (n_in + exclude_weight * n_ex);
        let cost =
            |include: bool| self.options.c * scale * if include { 1.0 } else { exclude_weight };
        let norms = &mut self.norms;
        let mut items: Vec<Item> = decided
            .iter()
            .map(|&(index, include)| {
                let diagonal = 0.5 / cost(include);
                if norms[index].is_nan() {
                    norms[index] = features.row(index).squared_norm();
                }
                Item {
                    index,
                    y: sign(include),
                    diagonal,
                    q: norms[index] + 1.0 + diagonal,
                }
            })
            .collect();
        self.members = items.iter().map(|item| item.index).collect();
        let mut passes = 0;
        while passes < self.options.max_passes {
            passes += 1;
            items.shuffle(&mut self.rng);
            let (mut highest, mut lowest) = (f64::NEG_INFINITY, f64::INFINITY);
            for item in &items {
                let row = features.row(item.index);
                let alpha = self.alphas[item.index];
                let gradient = item.y * self.model.score(row) - 1.0 + item.diagonal * alpha;
                let projected = if alpha == 0.0 {
                    gradient.min(0.0)
                } else {
                    gradient
                };
                highest = highest.max(projected);
                lowest = lowest.min(projected);
                if projected.abs() > 1e-12 {
                    let next = (alpha - gradient / item.q).max(0.0);
                    self.step(row, (next - alpha) * item.y);
                    self.alphas[item.index] = next;
                }
            }
            if highest - lowest <= self.options.tolerance {
                break;
            }
        }
        self.model.passes = passes;
        Some(&self.model)
    }

    /// w += delta · x (and the bias feature, 1).
    fn step(&mut self, row: Row<'_>, delta: f64) {
        match &mut self.model.terms {
            Terms::Weighed(weights) => match row.entry_weights() {
                Some(values) => {
                    for (entry, value) in row.entries.iter().zip(values) {
                        weights[(entry & COLUMN_MASK) as usize] += delta * value;
                    }
                }
                None => {
                    for (column, value) in row.weights() {
                        weights[column as usize] += delta * value;
                    }
                }
            },
            Terms::Scaled(scaled) => {
                // Each term's weight × idf grows by delta × w(count) × scale × idf².
                let factor = delta * row.scale;
                let mut add = |column: usize, weight: f64| {
                    let idf = row.idf[column];
                    scaled[column] += factor * weight * (idf * idf);
                };
                for entry in row.entries {
                    add(
                        (entry & COLUMN_MASK) as usize,
                        Row::table_weight(row.counts, *entry),
                    );
                }
                for (i, extra) in row.large() {
                    add((row.entries[i] & COLUMN_MASK) as usize, extra);
                }
            }
        }
        self.model.bias += delta;
    }
}

/// A decided record as one training sees it.
struct Item {
    index: usize,
    y: f64,
    /// 1 / (2 Cᵢ): the squared hinge's diagonal term.
    diagonal: f64,
    /// xᵢ·xᵢ + 1 (the bias feature) + diagonal.
    q: f64,
}

fn sign(include: bool) -> f64 {
    if include { 1.0 } else { -1.0 }
}

#[cfg(test)]
mod tests {
    use super::super::features::{FeatureOptions, RecordText};
    use super::*;

    fn corpus() -> Features {
        let titles = [
            "carbon footprint of training deep neural networks",
            "energy consumption of large language model training",
            "carbon emissions of machine learning in data centres",
            "a history of the printing press in europe",
            "medieval trade routes of the baltic sea",
            "poetry and music in renaissance italy",
        ];
        Features::build(
            titles.iter().map(|title| RecordText {
                title,
                abstract_text: None,
                keywords: &[],
            }),
            &FeatureOptions::default(),
        )
    }

    #[test]
    fn the_model_needs_both_an_include_and_an_exclude() {
        let features = corpus();
        let mut trainer = Trainer::new(&features, ModelOptions::default(), 1);
        assert!(trainer.train(&features, &[(0, true), (1, true)]).is_none());
        assert!(trainer.train(&features, &[]).is_none());
        assert!(trainer.train(&features, &[(0, true), (3, false)]).is_some());
    }

    #[test]
    fn both_forms_of_the_weights_train_the_same_model() {
        let features = corpus();
        let decided = [(0, true), (3, false), (4, false), (1, true)];
        let mut paired = Trainer::laid_out(&features, ModelOptions::default(), 3, true);
        let mut single = Trainer::laid_out(&features, ModelOptions::default(), 3, false);
        assert!(matches!(paired.model.terms, Terms::Weighed(_)));
        assert!(matches!(single.model.terms, Terms::Scaled(_)));
        let (Some(a), Some(b)) = (
            paired.train(&features, &decided).cloned(),
            single.train(&features, &decided).cloned(),
        ) else {
            panic!("no model");
        };
        assert_eq!(a.passes, b.passes);
        for row in 0..features.len() {
            let (x, y) = (a.score(features.row(row)), b.score(features.row(row)));
            assert!((x - y).abs() < 1e-12, "row {row}: {x} vs {y}");
        }
    }

    #[test]
    fn records_like_the_includes_score_higher_and_warm_starts_reach_the_same_weights() {
        let features = corpus();
        let decided = [(0, true), (3, false), (4, false)];
        let mut trainer = Trainer::new(&features, ModelOptions::default(), 7);
        let model = trainer.train(&features, &decided).cloned();
        let Some(model) = model else {
            panic!("no model");
        };
        // "carbon … emissions … learning" shares words with the include only.
        assert!(model.score(features.row(2)) > model.score(features.row(5)));
        // Trained from scratch on the same decisions after a detour through other ones: the
        // same solution (the problem is strictly convex).
        let mut warm = Trainer::new(&features, ModelOptions::default(), 7);
        let _ = warm.train(&features, &[(1, true), (5, false), (0, false)]);
        let again = warm.train(&features, &decided).cloned();
        let Some(again) = again else {
            panic!("no model");
        };
        for row in 0..features.len() {
            let (a, b) = (
                model.score(features.row(row)),
                again.score(features.row(row)),
            );
            assert!((a - b).abs() < 1e-3, "row {row}: {a} vs {b}");
        }
    }
}
