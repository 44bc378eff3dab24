//! Query strategies: in which order the undecided records come, given the model's scores.

pub use ecolens_core::priority::Strategy;
use rand::{RngExt as _, SeedableRng as _};
use rand_xoshiro::Xoshiro256PlusPlus;

/// Orders `candidates` (a stable key, such as the record id, and the model's score; `None`
/// while there is no model) by `strategy`, as positions in `candidates`. Ties keep the
/// candidates' order. Without scores, every strategy gives the random order drawn from
/// `seed`; that order is a property of each key, so records keep their relative places when
/// others are decided and the rest is ordered again.
pub fn order(candidates: &[(u64, Option<f64>)], strategy: Strategy, seed: u64) -> Vec<usize> {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let random = || {
        let mut shuffled: Vec<usize> = (0..candidates.len()).collect();
        shuffled.sort_by_key(|i| (random_key(seed, candidates[*i].0), *i));
        shuffled
    };
    let scored = candidates.iter().all(|(_, score)| score.is_some());
    if !scored || strategy == Strategy::Random {
        return random();
    }
    let mut by_score: Vec<(usize, f64)> = candidates
        .iter()
        .enumerate()
        .map(|(i, (_, score))| (i, score.unwrap_or(0.0)))
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
    let shuffled = random();
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

/// A key's place in the random order of `seed` (the finaliser of `SplitMix64`).
fn random_key(seed: u64, key: u64) -> u64 {
    let mut x = seed ^ key.wrapping_mul(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
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
        assert_eq!(order(&scored, Strategy::MostRelevant, 1), [1, 2, 0, 3]);
        assert_eq!(order(&scored, Strategy::MostUncertain, 1), [2, 0, 1, 3]);
        let random = order(&scored, Strategy::Random, 1);
        assert_eq!(order(&scored, Strategy::Random, 1), random, "seeded");
        assert_ne!(order(&scored, Strategy::Random, 2), random, "another seed");
        let mut sorted = random.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, [0, 1, 2, 3]);
        // No model yet: random whatever the strategy.
        let unscored = [(10, None), (11, None), (12, None), (13, None)];
        assert_eq!(order(&unscored, Strategy::MostRelevant, 1), random);
    }

    #[test]
    fn a_mixed_order_is_mostly_by_score_with_the_share_of_random_picks_asked() {
        let candidates: Vec<(u64, Option<f64>)> = (0..10_000u32)
            .map(|i| (u64::from(i), Some(-f64::from(i))))
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
    fn records_keep_their_random_places_when_others_are_decided() {
        let all: Vec<(u64, Option<f64>)> = (100..160).map(|id| (id, None)).collect();
        let keys = |list: &[(u64, Option<f64>)], order: Vec<usize>| -> Vec<u64> {
            order.into_iter().map(|i| list[i].0).collect()
        };
        let first = keys(&all, order(&all, Strategy::MostRelevant, 9));
        // Ten records decided: the others come in the same relative order.
        let rest: Vec<(u64, Option<f64>)> = all
            .iter()
            .copied()
            .filter(|(id, _)| !first[..10].contains(id))
            .collect();
        assert_eq!(
            keys(&rest, order(&rest, Strategy::MostRelevant, 9)),
            first[10..]
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
