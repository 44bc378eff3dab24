//! When prioritised screening may stop: the hypergeometric test of Callaghan & Müller-Hansen
//! (2020, "Statistical stopping criteria for automated screening in systematic reviews",
//! Systematic Reviews 9:273, doi:10.1186/s13643-020-01521-4), known as buscar.
//!
//! The null hypothesis is "recall so far is below the target τ". With `r` relevant records
//! found, it holds only if the records not yet screened hold at least `K = ⌊r/τ − r⌋ + 1`
//! more. Take the last `n` screened records as a sample drawn at random from themselves and
//! every record not screened: if `K` relevant records (plus the `k` seen in the sample) were
//! in that urn, seeing as few as `k` in `n` draws has hypergeometric probability
//! `P(X ≤ k)`. The p-value is the smallest over every `n`; screening may stop when it is below
//! `1 − confidence`. Records screened in prioritised order are likelier to be relevant than
//! random draws, so treating them as random is conservative; records drawn at random from
//! the unscreened rest (the paper's procedure) make the test exact.
//!
//! This is the computation of `buscarpy.calculate_h0` (`PyPI` `buscarpy` 0.0.2, MIT, with
//! `bias = 1`), the authors' reference implementation, used as the oracle in the tests; two
//! things are ecolens's own and do not change the result: only the `r + 1` longest samples
//! are tried (among samples holding the same `k`, the longest gives the smallest p: proved in
//! [`p_value`]), and a sample whose urn cannot hold `K + k` relevant records gives p = 0 (the
//! hypothesis is impossible; buscarpy returns NaN there).

use serde::Serialize;

/// The stopping rule's settings.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct StoppingRule {
    /// Recall the review must reach, as a fraction (0.95).
    pub target_recall: f64,
    /// Confidence that it has (0.95): stop when p < 1 − confidence.
    pub confidence: f64,
}

impl Default for StoppingRule {
    fn default() -> Self {
        StoppingRule {
            target_recall: 0.95,
            confidence: 0.95,
        }
    }
}

/// What the stopping rule says about a review so far.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoppingTest {
    /// The settings tested against.
    pub rule: StoppingRule,
    /// Records in the review.
    pub total: usize,
    /// Records screened.
    pub screened: usize,
    /// Relevant (included) records found.
    pub relevant: usize,
    /// The p-value of "recall is below the target"; `None` before anything is screened.
    pub p_value: Option<f64>,
    /// The last screened records the smallest p-value was found for.
    pub sample: usize,
    /// Whether the rule says screening may stop (p < 1 − confidence).
    pub safe_to_stop: bool,
    /// More records to draw at random from the unscreened rest, none of them relevant, before
    /// the rule says stop; `None` when it already does, or when even screening everything
    /// would not (then there is nothing left to draw).
    pub more_to_draw: Option<usize>,
}

/// Tests `screened` (each record screened, in the order screened: `true` for relevant) out of
/// `total` records against `rule`.
pub fn test(screened: &[bool], total: usize, rule: StoppingRule) -> StoppingTest {
    let total = total.max(screened.len());
    let relevant = screened.iter().filter(|r| **r).count();
    let found = p_value(screened, total, rule.target_recall);
    let alpha = 1.0 - rule.confidence;
    let safe_to_stop = found.is_some_and(|(p, _)| p < alpha);
    let more_to_draw = if safe_to_stop {
        None
    } else {
        more_to_draw(screened, total, rule)
    };
    StoppingTest {
        rule,
        total,
        screened: screened.len(),
        relevant,
        p_value: found.map(|(p, _)| p),
        sample: found.map_or(0, |(_, n)| n),
        safe_to_stop,
        more_to_draw,
    }
}

/// The p-value of "recall is below `target`" after screening `screened` (in order, `true` for
/// relevant) out of `total` records, with the sample size it was found for; `None` when
/// nothing was screened.
///
/// Why only the longest sample for each count of relevant records in it: with the same `k`
/// and `K`, a sample one record longer adds one irrelevant record to the urn and one draw.
/// Either that record is drawn (then the other draws are the shorter sample's) or it is not
/// (then `n + 1` draws from the shorter sample's urn, which hold at least as many relevant
/// ones). Both give `P(X ≤ k)` no larger than the shorter sample's, so the longest wins.
pub fn p_value(screened: &[bool], total: usize, target: f64) -> Option<(f64, usize)> {
    if screened.is_empty() || !(target > 0.0 && target < 1.0) {
        return None;
    }
    let seen = screened.len();
    let total = total.max(seen);
    let relevant = screened.iter().filter(|r| **r).count();
    #[allow(
        clippy::cast_precision_loss,
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss
    )]
    // Counts far below 2^52; the floor of a non-negative number.
    let missing = (relevant as f64 / target - relevant as f64).floor() as usize + 1;
    let mut best: Option<(f64, usize)> = None;
    let mut consider = |k: usize, n: usize| {
        let urn = total - seen + n;
        let successes = missing + k;
        let p = if successes > urn {
            0.0
        } else {
            hypergeometric_cdf(k, urn, successes, n)
        };
        if best.is_none_or(|(b, _)| p < b) {
            best = Some((p, n));
        }
    };
    // Walk back from the last record screened; a sample ends just before each relevant one.
    let mut k = 0;
    for (n, &is_relevant) in screened.iter().rev().enumerate() {
        if is_relevant {
            if n > 0 {
                consider(k, n);
            }
            k += 1;
        }
    }
    consider(k, seen);
    best
}

/// How many more records, drawn at random and found irrelevant, make the rule say stop.
fn more_to_draw(screened: &[bool], total: usize, rule: StoppingRule) -> Option<usize> {
    let left = total.saturating_sub(screened.len());
    let alpha = 1.0 - rule.confidence;
    let stops = |more: usize| {
        let mut extended = screened.to_vec();
        extended.resize(screened.len() + more, false);
        p_value(&extended, total, rule.target_recall).is_some_and(|(p, _)| p < alpha)
    };
    if left == 0 || !stops(left) {
        return None;
    }
    // p falls as irrelevant draws are added (see `p_value`): the first count that stops.
    let (mut low, mut high) = (0, left);
    while low + 1 < high {
        let middle = low + (high - low) / 2;
        if stops(middle) {
            high = middle;
        } else {
            low = middle;
        }
    }
    Some(high)
}

/// `P(X ≤ k)` for `X` the relevant records among `draws` drawn without replacement from an
/// urn of `urn` records holding `successes` relevant ones.
///
/// The first term from log-factorials, the rest by the ratio of neighbouring terms: statrs's
/// own `cdf` recomputes three log-binomials per term, and this sum runs for every sample of
/// every check of every simulated screening step.
pub fn hypergeometric_cdf(k: usize, urn: usize, successes: usize, draws: usize) -> f64 {
    if successes > urn || draws > urn {
        return f64::NAN;
    }
    let lowest = (draws + successes).saturating_sub(urn);
    let highest = draws.min(successes);
    if k < lowest {
        return 0.0;
    }
    if k >= highest {
        return 1.0;
    }
    let ln_binomial =
        |n: usize, r: usize| statrs::function::factorial::ln_binomial(n as u64, r as u64);
    let mut term = (ln_binomial(successes, lowest) + ln_binomial(urn - successes, draws - lowest)
        - ln_binomial(urn, draws))
    .exp();
    let mut sum = term;
    #[allow(clippy::cast_precision_loss)] // Counts far below 2^52.
    for i in lowest..k {
        let (x, good, drawn, all) = (i as f64, successes as f64, draws as f64, urn as f64);
        term *= (good - x) * (drawn - x) / ((x + 1.0) * (all - good - drawn + x + 1.0));
        sum += term;
    }
    sum.min(1.0)
}

#[cfg(test)]
#[allow(
    clippy::cast_precision_loss,
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss
)] // Arithmetic on small counts, as the oracle does it.
mod tests {
    use super::*;

    /// buscarpy's computation as written: every sample size, scipy's cdf.
    fn every_sample(screened: &[bool], total: usize, target: f64) -> f64 {
        let relevant = screened.iter().filter(|r| **r).count() as f64;
        let mut best = f64::INFINITY;
        let mut k = 0usize;
        for (i, &is_relevant) in screened.iter().rev().enumerate() {
            k += usize::from(is_relevant);
            let n = i + 1;
            let successes = (relevant / target + 1.0 - (relevant - k as f64)).floor() as usize;
            let urn = total - (screened.len() - n);
            let p = if successes > urn {
                0.0
            } else {
                hypergeometric_cdf(k, urn, successes, n)
            };
            best = best.min(p);
        }
        best
    }

    fn sequence(pattern: &str) -> Vec<bool> {
        pattern.chars().map(|c| c == '1').collect()
    }

    #[test]
    fn the_cdf_matches_scipy() {
        // scipy.stats.hypergeom.cdf(k, M, n, N) in docs/reference/screening_reference.py.
        for (k, urn, successes, draws, expected) in REFERENCE_CDF {
            let got = hypergeometric_cdf(k, urn, successes, draws);
            assert!(
                (got - expected).abs() <= 1e-12_f64.max(expected * 1e-10),
                "cdf({k}; {urn}, {successes}, {draws}) = {got}, scipy {expected}"
            );
        }
    }

    #[test]
    fn p_values_match_buscarpy() {
        for (pattern, zeros, total, target, expected) in REFERENCE_H0 {
            let mut screened = sequence(pattern);
            screened.resize(screened.len() + zeros, false);
            let Some((p, _)) = p_value(&screened, total, target) else {
                panic!("no p-value");
            };
            assert!(
                (p - expected).abs() <= 1e-12_f64.max(expected * 1e-9),
                "{pattern} of {total} at {target}: {p}, buscarpy {expected}"
            );
        }
    }

    #[test]
    fn the_longest_samples_give_the_smallest_p_value_of_all_samples() {
        // Pseudo-random screenings: relevant records thinning out as prioritised ones do.
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        for case in 0..200 {
            let length = 20 + case * 7;
            let total = length + 50 + case * 13;
            let screened: Vec<bool> = (0..length)
                .map(|i| {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    (state % 1000) < (400 / (1 + i / 10)) as u64
                })
                .collect();
            for target in [0.8, 0.95, 0.99] {
                let Some((fast, _)) = p_value(&screened, total, target) else {
                    panic!("no p-value");
                };
                let slow = every_sample(&screened, total, target);
                assert!((fast - slow).abs() < 1e-12, "case {case}: {fast} vs {slow}");
            }
        }
    }

    #[test]
    fn a_long_run_of_irrelevant_records_makes_it_safe_to_stop_and_says_how_many_more() {
        let rule = StoppingRule::default();
        let mut screened = sequence("1101101001000100");
        let early = test(&screened, 2000, rule);
        assert!(!early.safe_to_stop);
        let Some(more) = early.more_to_draw else {
            panic!("no count of draws");
        };
        screened.resize(screened.len() + more - 1, false);
        assert!(!test(&screened, 2000, rule).safe_to_stop, "one draw short");
        screened.push(false);
        let late = test(&screened, 2000, rule);
        assert!(late.safe_to_stop && late.p_value.is_some_and(|p| p < 0.05));
        assert_eq!(late.more_to_draw, None);
        // Nothing screened: no p-value, nothing to stop on.
        assert_eq!(test(&[], 10, rule).p_value, None);
    }

    #[allow(clippy::unreadable_literal)] // As the reference script prints them.
    /// (k, M, n, N, scipy.stats.hypergeom.cdf(k, M, n, N)), printed by
    /// `docs/reference/screening_reference.py`.
    const REFERENCE_CDF: [(usize, usize, usize, usize, f64); 8] = [
        (0, 100, 5, 10, 0.5837523669261518),
        (2, 100, 5, 10, 0.9933620871028824),
        (1, 5000, 40, 300, 0.29784340912355256),
        (0, 5000, 3, 2000, 0.21591357887423818),
        (7, 60000, 120, 4000, 0.4479890941692604),
        (3, 250, 30, 25, 0.6492517194955774),
        (12, 1000, 50, 400, 0.011475083297211737),
        (0, 10, 10, 1, 0.0),
    ];
    #[allow(clippy::unreadable_literal)]
    /// (screened: a pattern then that many irrelevant records, total, target,
    /// `buscarpy.calculate_h0(screened, total, target)`), printed by
    /// `docs/reference/screening_reference.py`.
    const REFERENCE_H0: [(&str, usize, usize, f64, f64); 11] = [
        ("11011010010001", 302, 2000, 0.95, 0.8479355488418933),
        ("11011010010001", 302, 2000, 0.8, 0.7189297373808092),
        (
            "1111011101101001000100001",
            907,
            6000,
            0.95,
            0.8482008368200837,
        ),
        (
            "000000000000000000000000000000000000000000000000001",
            400,
            1000,
            0.95,
            0.5785036880927292,
        ),
        ("1111111111", 90, 120, 0.99, 0.18181818181818182),
        (
            "101100000000000000000000000000000000000000001",
            500,
            3000,
            0.9,
            0.8307952622673436,
        ),
        ("11011010010001", 1502, 2000, 0.95, 0.24370594159113793),
        (
            "1111011101101001000100001",
            3507,
            6000,
            0.95,
            0.4130543933054393,
        ),
        (
            "1111011101101001000100001",
            2507,
            6000,
            0.9,
            0.33684476525193546,
        ),
        (
            "11111111111111111111111111111100000000001111111111",
            4000,
            6000,
            0.95,
            0.03516442404359453,
        ),
        (
            "11111111111111111111111111111111111111111111111111111111111101010101010101010101",
            2000,
            5000,
            0.95,
            0.12396754625250352,
        ),
    ];
}
