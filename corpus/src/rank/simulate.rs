//! A review replayed from known labels: the model picks, the label is revealed, the model is
//! trained again, until every include is found. How many records had to be screened to reach
//! a recall measures the model; where the stopping rule said "stop" measures the rule.
//!
//! Counting: the priors (the records given as known before screening starts) are neither
//! screened nor found. For `N` records with `R` includes, less the priors, `n(r)` is the number
//! of records screened when `⌈r·R⌉` includes were found, and the work saved over sampling
//! (Cohen, Hersh, Peterson & Yen 2006, "Reducing workload in systematic review preparation
//! using automated citation classification", JAMIA 13:206) is `WSS@r = (N − n(r))/N − (1 − r)`.
//! Runs of other tools are counted by the same functions from their order of screening.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use ecolens_core::stopping::{self, StoppingRule};
use rand::seq::SliceRandom as _;
use rand::{RngExt as _, SeedableRng as _};
use rand_xoshiro::Xoshiro256PlusPlus;
use serde::Serialize;

use super::features::Features;
use super::model::{ModelOptions, Trainer};
use super::queue::Strategy;
use crate::{Error, Result};

/// How a review is replayed.
#[derive(Debug, Clone, PartialEq)]
pub struct SimulationOptions {
    /// Includes drawn at random as known before screening (1).
    pub prior_included: usize,
    /// Excludes drawn at random as known before screening (1).
    pub prior_excluded: usize,
    /// The priors by record index instead of drawn (to replay another tool's run).
    pub priors: Option<Vec<usize>>,
    /// Seed of the priors, the random picks and the model's passes.
    pub seed: u64,
    /// The query strategy.
    pub strategy: Strategy,
    /// The model.
    pub model: ModelOptions,
    /// The stopping rule whose decision point is reported.
    pub stopping: StoppingRule,
}

impl Default for SimulationOptions {
    fn default() -> Self {
        SimulationOptions {
            prior_included: 1,
            prior_excluded: 1,
            priors: None,
            seed: 0,
            strategy: Strategy::MostRelevant,
            model: ModelOptions::default(),
            stopping: StoppingRule::default(),
        }
    }
}

/// One replayed review.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Simulation {
    /// The seed.
    pub seed: u64,
    /// The priors (record indices).
    pub priors: Vec<usize>,
    /// Records screened after the priors, in order (record indices), up to the last include.
    pub order: Vec<usize>,
    /// Whether each record of `order` is an include.
    pub hits: Vec<bool>,
    /// Records in the review.
    pub records: usize,
    /// Includes in the review.
    pub includes: usize,
    /// Records screened (after the priors) when the stopping rule first said stop; `None` if
    /// it never did before every record was screened. After the last include every record
    /// left is an exclude whatever the order, so where the rule stops past it is found by
    /// adding excludes, without the model.
    pub stopped_after: Option<usize>,
    /// Wall-clock time of the run, in milliseconds.
    pub elapsed_ms: f64,
    /// Trainings of the model.
    pub trainings: usize,
}

impl Simulation {
    /// Records and includes counted (the priors left out).
    fn counted(&self) -> (usize, usize) {
        let prior_includes = self.includes - self.hits.iter().filter(|h| **h).count();
        (
            self.records - self.priors.len(),
            self.includes - prior_includes.min(self.includes),
        )
    }
    /// Records screened when the share `recall` of includes (the priors left out) was found.
    pub fn screened_to_recall(&self, recall: f64) -> Option<usize> {
        screened_to_recall(&self.hits, self.counted().1, recall)
    }
    /// Work saved over sampling at `recall` (see the module's notes).
    pub fn wss(&self, recall: f64) -> Option<f64> {
        let (records, _) = self.counted();
        let screened = self.screened_to_recall(recall)?;
        #[allow(clippy::cast_precision_loss)] // Counts far below 2^52.
        Some((records as f64 - screened as f64) / records as f64 - (1.0 - recall))
    }
    /// The recall reached (the priors left out) when the stopping rule said stop.
    pub fn recall_at_stop(&self) -> Option<f64> {
        let stopped = self.stopped_after?;
        let (_, includes) = self.counted();
        let found = self.hits[..stopped.min(self.hits.len())]
            .iter()
            .filter(|h| **h)
            .count();
        #[allow(clippy::cast_precision_loss)]
        Some(if includes == 0 {
            1.0
        } else {
            found as f64 / includes as f64
        })
    }
}

/// Records screened when `⌈recall × includes⌉` includes were found in `hits` (each screened
/// record, in order: `true` for an include); `None` if they never were.
pub fn screened_to_recall(hits: &[bool], includes: usize, recall: f64) -> Option<usize> {
    #[allow(
        clippy::cast_precision_loss,
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss
    )]
    // The product is small and non-negative; a hair of rounding must not add an include.
    let needed = ((recall * includes as f64) - 1e-9).ceil().max(0.0) as usize;
    if needed == 0 {
        return Some(0);
    }
    let mut found = 0;
    for (i, hit) in hits.iter().enumerate() {
        found += usize::from(*hit);
        if found == needed {
            return Some(i + 1);
        }
    }
    None
}

/// Replays the review of `features` whose records are labelled `labels` (`true`: include).
pub fn simulate(
    features: &Features,
    labels: &[bool],
    options: &SimulationOptions,
    cancel: &AtomicBool,
) -> Result<Simulation> {
    let started = Instant::now();
    let records = features.len();
    if labels.len() != records {
        return Err(Error::Simulation(format!(
            "{} labels for {records} records",
            labels.len()
        )));
    }
    let includes = labels.iter().filter(|l| **l).count();
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(options.seed);
    let priors = match &options.priors {
        Some(given) => {
            if let Some(bad) = given.iter().find(|i| **i >= records) {
                return Err(Error::Simulation(format!(
                    "prior record {bad} is not among the {records} records"
                )));
            }
            given.clone()
        }
        None => draw_priors(labels, options, &mut rng)?,
    };
    let mut decided: Vec<(usize, bool)> = priors.iter().map(|&i| (i, labels[i])).collect();
    let mut screened_labels: Vec<bool> = decided.iter().map(|(_, l)| *l).collect();
    let mut is_decided = vec![false; records];
    for &i in &priors {
        is_decided[i] = true;
    }
    let mut left = includes - decided.iter().filter(|(_, l)| *l).count();
    let mut trainer = Trainer::new(features, options.model.clone(), options.seed);
    let mut order = Vec::new();
    let mut hits = Vec::new();
    let mut stopped_after = None;
    let mut trainings = 0;
    let mut scores: Vec<f64> = vec![0.0; records];
    while left > 0 {
        if cancel.load(Ordering::Relaxed) {
            return Err(Error::Cancelled);
        }
        let model = trainer.train(features, &decided);
        let fitted = model.is_some();
        if let Some(model) = model {
            trainings += 1;
            for (i, score) in scores.iter_mut().enumerate() {
                if !is_decided[i] {
                    *score = model.score(features.row(i));
                }
            }
        }
        let random_pick = match options.strategy {
            _ if !fitted => true,
            Strategy::Random => true,
            Strategy::Mixed { random_percent } => rng.random_range(0..100u8) < random_percent,
            Strategy::MostRelevant | Strategy::MostUncertain => false,
        };
        let next = if random_pick {
            let undecided = records - decided.len();
            let nth = rng.random_range(0..undecided);
            (0..records).filter(|i| !is_decided[*i]).nth(nth)
        } else {
            let key = |i: usize| match options.strategy {
                Strategy::MostUncertain => -scores[i].abs(),
                _ => scores[i],
            };
            // The first of equal scores: record order decides ties.
            (0..records)
                .filter(|i| !is_decided[*i])
                .fold(None, |best: Option<usize>, i| match best {
                    Some(b) if key(b) >= key(i) => Some(b),
                    _ => Some(i),
                })
        };
        let Some(next) = next else {
            break;
        };
        is_decided[next] = true;
        decided.push((next, labels[next]));
        screened_labels.push(labels[next]);
        order.push(next);
        hits.push(labels[next]);
        if labels[next] {
            left -= 1;
        }
        if stopped_after.is_none() {
            let test = stopping::test(&screened_labels, records, options.stopping);
            if test.safe_to_stop {
                stopped_after = Some(order.len());
            }
        }
    }
    if stopped_after.is_none() {
        // Past the last include only excludes are left: the rule's own count of how many
        // more it needs.
        stopped_after = stopping::test(&screened_labels, records, options.stopping)
            .more_to_draw
            .map(|more| order.len() + more);
    }
    Ok(Simulation {
        seed: options.seed,
        priors,
        order,
        hits,
        records,
        includes,
        stopped_after,
        elapsed_ms: started.elapsed().as_secs_f64() * 1000.0,
        trainings,
    })
}

fn draw_priors(
    labels: &[bool],
    options: &SimulationOptions,
    rng: &mut Xoshiro256PlusPlus,
) -> Result<Vec<usize>> {
    let mut priors = Vec::new();
    for (wanted, count) in [
        (true, options.prior_included),
        (false, options.prior_excluded),
    ] {
        let mut pool: Vec<usize> = (0..labels.len()).filter(|i| labels[*i] == wanted).collect();
        if pool.len() < count {
            return Err(Error::Simulation(format!(
                "{count} prior {} asked for, the labels hold {}",
                if wanted { "includes" } else { "excludes" },
                pool.len()
            )));
        }
        pool.shuffle(rng);
        priors.extend(pool.into_iter().take(count));
    }
    Ok(priors)
}

#[cfg(test)]
mod tests {
    use super::super::features::{FeatureOptions, RecordText};
    use super::*;

    #[test]
    fn recall_and_work_saved_are_counted_as_cohen_defines_them() {
        // 10 includes among 100 records screened; the 95 % needs ⌈9.5⌉ = 10 includes.
        let mut hits = vec![false; 100];
        for i in [0, 1, 2, 4, 7, 9, 12, 20, 33, 60] {
            hits[i] = true;
        }
        assert_eq!(screened_to_recall(&hits, 10, 0.8), Some(21));
        assert_eq!(screened_to_recall(&hits, 10, 0.9), Some(34));
        assert_eq!(screened_to_recall(&hits, 10, 0.95), Some(61));
        assert_eq!(screened_to_recall(&hits, 10, 1.0), Some(61));
        assert_eq!(screened_to_recall(&hits, 11, 1.0), None);
        let run = Simulation {
            seed: 0,
            priors: vec![],
            order: (0..100).collect(),
            hits,
            records: 1000,
            includes: 10,
            stopped_after: Some(34),
            elapsed_ms: 0.0,
            trainings: 0,
        };
        // (1000 − 61)/1000 − 0.05
        assert!(run.wss(0.95).is_some_and(|w| (w - 0.889).abs() < 1e-12));
        assert_eq!(run.recall_at_stop(), Some(0.9));
    }

    #[test]
    fn a_replayed_review_finds_the_includes_early_and_is_seeded() {
        // Includes about screening energy, excludes about everything else.
        let include = [
            "energy consumption of neural network training",
            "carbon footprint of neural network training",
            "energy efficiency of deep neural network inference",
            "measuring the energy of training neural networks",
            "carbon emissions of neural network training in data centres",
        ];
        let mut titles: Vec<String> = include.iter().map(|t| (*t).to_owned()).collect();
        for i in 0..200 {
            titles.push(format!(
                "history of {} trade in the {} century volume {i}",
                ["baltic", "silk", "wool", "grain"][i % 4],
                ["twelfth", "fifteenth", "eighteenth"][i % 3]
            ));
        }
        let labels: Vec<bool> = (0..titles.len()).map(|i| i < include.len()).collect();
        let features = Features::build(
            titles.iter().map(|title| RecordText {
                title,
                abstract_text: None,
                keywords: &[],
            }),
            &FeatureOptions::default(),
        );
        let cancel = AtomicBool::new(false);
        let options = SimulationOptions {
            seed: 4,
            ..SimulationOptions::default()
        };
        let Ok(run) = simulate(&features, &labels, &options, &cancel) else {
            panic!("simulation failed");
        };
        assert_eq!(run.priors.len(), 2);
        // The 4 includes left come first.
        assert_eq!(run.screened_to_recall(1.0), Some(4), "{:?}", run.order);
        // Four includes in the first four records prove little: the rule stops only after
        // enough excludes past the last include, exactly where the test first says so, and
        // the excludes before it are ones the model never had to pick.
        let Some(stopped) = run.stopped_after else {
            panic!("the rule never stopped");
        };
        assert!(stopped > 4 && stopped <= titles.len() - 2, "{stopped}");
        let sequence = |screened: usize| {
            let mut labels = vec![true, false];
            labels.extend((0..screened).map(|i| i < 4));
            labels
        };
        let says_stop = |screened: usize| {
            stopping::test(&sequence(screened), titles.len(), options.stopping).safe_to_stop
        };
        assert!(says_stop(stopped) && !says_stop(stopped - 1));
        assert_eq!(run.recall_at_stop(), Some(1.0));
        assert_eq!(
            simulate(&features, &labels, &options, &cancel)
                .ok()
                .map(|r| r.order),
            Some(run.order)
        );
        let random = SimulationOptions {
            strategy: Strategy::Random,
            ..options
        };
        let Ok(baseline) = simulate(&features, &labels, &random, &cancel) else {
            panic!("simulation failed");
        };
        assert!(
            baseline.screened_to_recall(1.0) > Some(20),
            "{:?}",
            baseline.order
        );
    }
}
