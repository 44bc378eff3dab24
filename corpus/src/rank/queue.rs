//! Query strategies: in which order the undecided records come, given the model's scores.

use std::fmt;
use std::str::FromStr;

use rand::seq::SliceRandom as _;
use rand::{RngExt as _, SeedableRng as _};
use rand_xoshiro::Xoshiro256PlusPlus;
use serde::{Deserialize, Serialize};

/// How the next records are chosen once the model can rank them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "strategy")]
pub enum Strategy {
    /// The highest score first (the default: finds includes soonest).
    #[default]
    MostRelevant,
    /// The score nearest the margin first (teaches the model most per decision).
    MostUncertain,
    /// A random order (drawn from the seed): the baseline, and the draws of the stopping rule.
    Random,
    /// Mostly the highest score, and now and then (`random_percent` of the records) a random
    /// one, so that the model also sees records unlike the includes found so far.
    Mixed {
        /// Share of random picks, in percent (5 by default).
        random_percent: u8,
    },
}

impl fmt::Display for Strategy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Strategy::MostRelevant => f.write_str("most relevant first"),
            Strategy::MostUncertain => f.write_str("most uncertain first"),
            Strategy::Random => f.write_str("random order"),
            Strategy::Mixed { random_percent } => {
                write!(f, "most relevant first, {random_percent} % at random")
            }
        }
    }
}

impl Strategy {
    /// The code used on the command line and in settings.
    pub fn code(&self) -> String {
        match self {
            Strategy::MostRelevant => "relevant".to_owned(),
            Strategy::MostUncertain => "uncertain".to_owned(),
            Strategy::Random => "random".to_owned(),
            Strategy::Mixed { random_percent } => format!("mixed:{random_percent}"),
        }
    }
}

impl FromStr for Strategy {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let text = text.trim().to_lowercase();
        match text.as_str() {
            "relevant" | "most-relevant" | "max" => return Ok(Strategy::MostRelevant),
            "uncertain" | "most-uncertain" | "uncertainty" => return Ok(Strategy::MostUncertain),
            "random" => return Ok(Strategy::Random),
            "mixed" => return Ok(Strategy::Mixed { random_percent: 5 }),
            _ => {}
        }
        if let Some(percent) = text.strip_prefix("mixed:") {
            return match percent.trim_end_matches('%').trim().parse::<u8>() {
                Ok(p) if (1..=99).contains(&p) => Ok(Strategy::Mixed { random_percent: p }),
                _ => Err(format!(
                    "`{text}`: the random share of a mixed strategy is a whole percent from 1 to 99, as in mixed:5"
                )),
            };
        }
        Err(format!(
            "`{text}` is not a query strategy: expected relevant, uncertain, random, mixed or mixed:PERCENT"
        ))
    }
}

/// Orders `candidates` (record index and score; `None` scores while there is no model) by
/// `strategy`. Ties keep the candidates' order, so equal scores come in record order. Without
/// scores, every strategy gives the random order drawn from `seed`.
pub fn order(candidates: &[(usize, Option<f64>)], strategy: Strategy, seed: u64) -> Vec<usize> {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let random = |rng: &mut Xoshiro256PlusPlus| {
        let mut shuffled: Vec<usize> = candidates.iter().map(|(index, _)| *index).collect();
        shuffled.shuffle(rng);
        shuffled
    };
    let scored = candidates.iter().all(|(_, score)| score.is_some());
    if !scored || strategy == Strategy::Random {
        return random(&mut rng);
    }
    let mut by_score: Vec<(usize, f64)> = candidates
        .iter()
        .map(|(index, score)| (*index, score.unwrap_or(0.0)))
        .collect();
    match strategy {
        Strategy::MostUncertain => by_score.sort_by(|a, b| a.1.abs().total_cmp(&b.1.abs())),
        _ => by_score.sort_by(|a, b| b.1.total_cmp(&a.1)),
    }
    let Strategy::Mixed { random_percent } = strategy else {
        return by_score.into_iter().map(|(index, _)| index).collect();
    };
    // Two queues, the best-first and a shuffled one; each place takes from the shuffled one
    // with the given chance; a record taken from one is skipped in the other.
    let shuffled = random(&mut rng);
    let mut taken = std::collections::HashSet::with_capacity(candidates.len());
    let (mut best, mut other) = (by_score.iter().map(|(i, _)| *i), shuffled.into_iter());
    let mut out = Vec::with_capacity(candidates.len());
    while out.len() < candidates.len() {
        let from_random = rng.random_range(0..100u8) < random_percent;
        let next = if from_random {
            other.find(|i| !taken.contains(i))
        } else {
            best.find(|i| !taken.contains(i))
        };
        let Some(next) = next.or_else(|| best.find(|i| !taken.contains(i))) else {
            break;
        };
        taken.insert(next);
        out.push(next);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strategies_order_by_score_by_margin_or_by_chance() {
        let scored = [
            (10, Some(-0.5)),
            (11, Some(0.9)),
            (12, Some(0.1)),
            (13, Some(-2.0)),
        ];
        assert_eq!(order(&scored, Strategy::MostRelevant, 1), [11, 12, 10, 13]);
        assert_eq!(order(&scored, Strategy::MostUncertain, 1), [12, 10, 11, 13]);
        let random = order(&scored, Strategy::Random, 1);
        assert_eq!(order(&scored, Strategy::Random, 1), random, "seeded");
        let mut sorted = random.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, [10, 11, 12, 13]);
        // No model yet: random whatever the strategy.
        let unscored = [(10, None), (11, None), (12, None), (13, None)];
        assert_eq!(order(&unscored, Strategy::MostRelevant, 1), random);
    }

    #[test]
    fn a_mixed_order_is_mostly_by_score_with_the_share_of_random_picks_asked() {
        let candidates: Vec<(usize, Option<f64>)> = (0..10_000)
            .map(|i| (i, Some(-f64::from(u32::try_from(i).unwrap_or(0)))))
            .collect();
        let mixed = order(&candidates, Strategy::Mixed { random_percent: 10 }, 3);
        assert_eq!(mixed.len(), candidates.len());
        let distinct: std::collections::HashSet<usize> = mixed.iter().copied().collect();
        assert_eq!(distinct.len(), candidates.len(), "each record once");
        // In the first 1000 places, the records out of score order are the random picks.
        let mut expected_best = 0;
        let mut random_picks = 0;
        let mut seen = std::collections::HashSet::new();
        for &index in &mixed[..1000] {
            while seen.contains(&expected_best) {
                expected_best += 1;
            }
            if index == expected_best {
                expected_best += 1;
            } else {
                random_picks += 1;
            }
            seen.insert(index);
        }
        assert!(
            (60..=140).contains(&random_picks),
            "{random_picks} random picks in 1000"
        );
    }

    #[test]
    fn strategies_are_read_from_their_codes() {
        for strategy in [
            Strategy::MostRelevant,
            Strategy::MostUncertain,
            Strategy::Random,
            Strategy::Mixed { random_percent: 7 },
        ] {
            assert_eq!(strategy.code().parse::<Strategy>(), Ok(strategy));
        }
        assert!("mixed:0".parse::<Strategy>().is_err());
        assert!("best".parse::<Strategy>().is_err());
    }
}
