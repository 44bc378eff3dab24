//! Agreement between reviewers: percent agreement, Cohen's κ (two reviewers, unweighted or
//! linearly / quadratically weighted for ordered scales such as a–f), Fleiss' κ (three or
//! more reviewers rating every item), and two that take items rated by different subsets of
//! reviewers, as prioritised dual screening leaves them: Krippendorff's α (nominal or ordinal)
//! and Gwet's AC1 (AC2 with ordinal weights), which stays meaningful when nearly every record
//! is excluded.
//!
//! α follows Krippendorff (2011, "Computing Krippendorff's alpha-reliability") as the
//! `PyPI` package `krippendorff` 0.9 computes it, AC1/AC2 follow Gwet (2014, "Handbook of Inter-Rater
//! Reliability", 4th ed.) as `irrCAC` 0.4 computes them; the tests reproduce both packages'
//! values (`docs/reference/kappa_reference.py`).
//!
//! Definitions follow scikit-learn's `cohen_kappa_score` and statsmodels' `fleiss_kappa`
//! (`method="fleiss"`), and the tests reproduce their values on the same data. One deliberate
//! choice: categories are positions on the whole scale given by the caller (a–f are 0–5), not
//! only the labels that happen to occur. scikit-learn does the same when called with
//! `labels=[...]`; without it, its linear weights would treat `b` and `d` as neighbours when
//! nobody chose `c`.
//!
//! Each statistic comes with the number of items it was computed on. κ is `None` when it is
//! undefined: no items, or chance agreement of 1 (every rating in one category), where
//! scikit-learn returns NaN.

use serde::Serialize;

/// How disagreements between ordered categories are weighted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Weights {
    /// Any disagreement counts fully (nominal categories).
    Unweighted,
    /// A disagreement counts by the distance between the categories.
    Linear,
    /// A disagreement counts by the squared distance.
    Quadratic,
}

impl Weights {
    fn of(self, i: usize, j: usize) -> f64 {
        #[allow(clippy::cast_precision_loss)]
        let distance = i.abs_diff(j) as f64;
        match self {
            Self::Unweighted => {
                if i == j {
                    0.0
                } else {
                    1.0
                }
            }
            Self::Linear => distance,
            Self::Quadratic => distance * distance,
        }
    }
}

/// Agreement of two reviewers on the same items.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PairAgreement {
    /// Items both rated.
    pub items: usize,
    /// Share of items with the same rating, 0–1 (`None` without items).
    pub percent: Option<f64>,
    /// Cohen's κ with the weights asked for.
    pub kappa: Option<f64>,
}

/// Share of pairs with equal ratings.
pub fn percent_agreement(pairs: &[(usize, usize)]) -> Option<f64> {
    if pairs.is_empty() {
        return None;
    }
    let same = pairs.iter().filter(|(a, b)| a == b).count();
    #[allow(clippy::cast_precision_loss)]
    Some(same as f64 / pairs.len() as f64)
}

/// Cohen's κ of two reviewers' ratings (category positions below `categories`), as
/// scikit-learn's `cohen_kappa_score(a, b, labels=range(categories), weights=…)`. Pairs with a
/// position outside the scale are ignored.
pub fn cohen_kappa(pairs: &[(usize, usize)], categories: usize, weights: Weights) -> PairAgreement {
    let pairs: Vec<(usize, usize)> = pairs
        .iter()
        .copied()
        .filter(|(a, b)| *a < categories && *b < categories)
        .collect();
    let percent = percent_agreement(&pairs);
    let mut observed = vec![vec![0.0_f64; categories]; categories];
    for &(a, b) in &pairs {
        observed[a][b] += 1.0;
    }
    #[allow(clippy::cast_precision_loss)]
    let n = pairs.len() as f64;
    let rows: Vec<f64> = observed.iter().map(|row| row.iter().sum()).collect();
    let columns: Vec<f64> = (0..categories)
        .map(|j| observed.iter().map(|row| row[j]).sum())
        .collect();
    let mut disagreement = 0.0;
    let mut chance = 0.0;
    for i in 0..categories {
        for j in 0..categories {
            let w = weights.of(i, j);
            disagreement += w * observed[i][j];
            if n > 0.0 {
                chance += w * rows[i] * columns[j] / n;
            }
        }
    }
    let kappa = (n > 0.0 && chance > 0.0).then(|| 1.0 - disagreement / chance);
    PairAgreement {
        items: pairs.len(),
        percent,
        kappa,
    }
}

/// Fleiss' κ from a table of counts: one row per item, one column per category, each cell
/// the number of reviewers who chose that category for that item. Every item must have been
/// rated by the same number (at least two) of reviewers; items that were not are left out, and
/// the result says how many ratings per item and how many items were used, then κ. As
/// statsmodels' `fleiss_kappa(table)`.
pub fn fleiss_kappa(table: &[Vec<u32>]) -> (u32, usize, Option<f64>) {
    // The most common number of ratings per item decides which items qualify.
    let mut sizes: Vec<u32> = table.iter().map(|row| row.iter().sum()).collect();
    sizes.sort_unstable();
    let raters = sizes
        .chunk_by(|a, b| a == b)
        .max_by_key(|run| (run.len(), run[0]))
        .map_or(0, |run| run[0]);
    let rows: Vec<&Vec<u32>> = table
        .iter()
        .filter(|row| row.iter().sum::<u32>() == raters)
        .collect();
    if raters < 2 || rows.is_empty() {
        return (raters, rows.len(), None);
    }
    let categories = rows.iter().map(|row| row.len()).max().unwrap_or(0);
    let items = f64::from(u32::try_from(rows.len()).unwrap_or(u32::MAX));
    let n = f64::from(raters);
    let mut shares = vec![0.0_f64; categories];
    let mut per_item = 0.0;
    for row in &rows {
        let mut squares = 0.0;
        for (j, &count) in row.iter().enumerate() {
            let count = f64::from(count);
            shares[j] += count;
            squares += count * count;
        }
        per_item += (squares - n) / (n * (n - 1.0));
    }
    let observed = per_item / items;
    let chance: f64 = shares
        .iter()
        .map(|total| {
            let p = total / (items * n);
            p * p
        })
        .sum();
    let kappa = (chance < 1.0).then(|| (observed - chance) / (1.0 - chance));
    (raters, rows.len(), kappa)
}

/// Krippendorff's α over `items`, each the categories (positions on a scale of `categories`)
/// its reviewers gave; items with fewer than two ratings are not pairable and are left out.
/// `ordered` uses the ordinal metric (ranks over the whole scale, unused categories
/// counting nothing), else the nominal one. `None` when nothing is pairable or every rating
/// is the same category (no disagreement is possible).
pub fn krippendorff_alpha(items: &[Vec<usize>], categories: usize, ordered: bool) -> Option<f64> {
    // The coincidence matrix: each pair of ratings of an item, weighted 1/(m − 1).
    let mut coincidence = vec![vec![0.0_f64; categories]; categories];
    for ratings in items.iter().filter(|r| r.len() >= 2) {
        #[allow(clippy::cast_precision_loss)] // Ratings per item.
        let weight = 1.0 / (ratings.len() - 1) as f64;
        for (i, &c) in ratings.iter().enumerate() {
            for (j, &k) in ratings.iter().enumerate() {
                if i != j && c < categories && k < categories {
                    coincidence[c][k] += weight;
                }
            }
        }
    }
    let totals: Vec<f64> = coincidence.iter().map(|row| row.iter().sum()).collect();
    let n: f64 = totals.iter().sum();
    if n <= 1.0 {
        return None;
    }
    let distance = |c: usize, k: usize| -> f64 {
        if c == k {
            return 0.0;
        }
        if !ordered {
            return 1.0;
        }
        let (low, high) = (c.min(k), c.max(k));
        let between: f64 = totals[low..=high].iter().sum();
        let d = between - f64::midpoint(totals[c], totals[k]);
        d * d
    };
    let (mut observed, mut expected) = (0.0, 0.0);
    for c in 0..categories {
        for k in 0..categories {
            let delta = distance(c, k);
            observed += coincidence[c][k] * delta;
            expected += totals[c] * totals[k] * delta;
        }
    }
    (expected > 0.0).then(|| 1.0 - (n - 1.0) * observed / expected)
}

/// Gwet's AC1 over `items` (each the categories its reviewers gave, any number of them), or
/// AC2 with ordinal weights when `ordered` (`irrCAC`'s "ordinal" weights:
/// `1 − C(|k − l| + 1, 2) / C(q, 2)`). Items with no rating are left out; agreement is
/// counted on items with at least two. `None` when no item has two ratings.
pub fn gwet_ac(items: &[Vec<usize>], categories: usize, ordered: bool) -> Option<f64> {
    let q = categories;
    let weight = |k: usize, l: usize| -> f64 {
        if !ordered {
            return if k == l { 1.0 } else { 0.0 };
        }
        #[allow(clippy::cast_precision_loss)] // Pairs of categories: a handful.
        let pairs = |m: usize| (m * m.saturating_sub(1) / 2) as f64;
        1.0 - pairs(k.abs_diff(l) + 1) / pairs(q).max(1.0)
    };
    let rated: Vec<Vec<f64>> = items
        .iter()
        .filter(|r| !r.is_empty())
        .map(|ratings| {
            let mut counts = vec![0.0_f64; q];
            for &c in ratings {
                if let Some(cell) = counts.get_mut(c) {
                    *cell += 1.0;
                }
            }
            counts
        })
        .collect();
    #[allow(clippy::cast_precision_loss)] // Item counts.
    let n = rated.len() as f64;
    let mut agreement = 0.0;
    let mut pairable = 0usize;
    let mut prevalence = vec![0.0_f64; q];
    for counts in &rated {
        let r: f64 = counts.iter().sum();
        for k in 0..q {
            prevalence[k] += counts[k] / r / n;
        }
        if r >= 2.0 {
            pairable += 1;
            let mut sum = 0.0;
            for k in 0..q {
                let weighted: f64 = (0..q).map(|l| weight(k, l) * counts[l]).sum();
                sum += counts[k] * (weighted - 1.0);
            }
            agreement += sum / (r * (r - 1.0));
        }
    }
    if pairable == 0 || q < 2 {
        return None;
    }
    #[allow(clippy::cast_precision_loss)]
    let (p_a, q_f) = (agreement / pairable as f64, q as f64);
    let weights_sum: f64 = (0..q)
        .flat_map(|k| (0..q).map(move |l| (k, l)))
        .map(|(k, l)| weight(k, l))
        .sum();
    let p_e =
        weights_sum * prevalence.iter().map(|p| p * (1.0 - p)).sum::<f64>() / (q_f * (q_f - 1.0));
    (p_e < 1.0).then(|| (p_a - p_e) / (1.0 - p_e))
}

/// One rating: an item (record) given a category (position on the scale) by a reviewer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rating {
    /// The item (a record id).
    pub item: i64,
    /// The reviewer's name.
    pub reviewer: String,
    /// Position of the category on the scale.
    pub category: usize,
}

/// Agreement of one pair of reviewers.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PairRow {
    /// First reviewer (in the order reviewers were added).
    pub first: String,
    /// Second reviewer.
    pub second: String,
    /// Items both rated.
    pub items: usize,
    /// Share of them rated the same, 0–1.
    pub percent: Option<f64>,
    /// Cohen's κ, unweighted.
    pub kappa: Option<f64>,
    /// Linearly weighted κ (ordered scales only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kappa_linear: Option<f64>,
    /// Quadratically weighted κ (ordered scales only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kappa_quadratic: Option<f64>,
}

/// Fleiss' κ over three or more reviewers.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FleissRow {
    /// Reviewers with ratings in this scope.
    pub reviewers: usize,
    /// Ratings per item used (items with another number of ratings are left out).
    pub raters_per_item: u32,
    /// Items used.
    pub items: usize,
    /// Fleiss' κ.
    pub kappa: Option<f64>,
}

/// Agreement within one scope (a screening stage, or the a–f classification).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScopeAgreement {
    /// `tiab`, `fulltext` or `classification`.
    pub scope: String,
    /// The categories, in scale order.
    pub categories: Vec<String>,
    /// Whether the scale is ordered (weighted κ reported).
    pub ordered: bool,
    /// Items with at least two ratings.
    pub items_compared: usize,
    /// Every pair of reviewers who rated at least one item in common.
    pub pairs: Vec<PairRow>,
    /// Fleiss' κ, when three or more reviewers rated items here.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fleiss: Option<FleissRow>,
    /// Krippendorff's α over every item with two or more ratings, whoever gave them
    /// (ordinal on ordered scales, nominal otherwise).
    pub krippendorff_alpha: Option<f64>,
    /// Gwet's AC1 (AC2 with ordinal weights on ordered scales), over the same items.
    pub gwet_ac: Option<f64>,
}

impl ScopeAgreement {
    /// Computes pairwise and Fleiss' agreement from ratings. `reviewers` gives the order of
    /// pairs; `ordered` adds linearly and quadratically weighted κ.
    pub fn compute(
        scope: &str,
        categories: &[&str],
        ordered: bool,
        reviewers: &[String],
        ratings: &[Rating],
    ) -> Self {
        use std::collections::BTreeMap;
        let mut by_item: BTreeMap<i64, Vec<(usize, usize)>> = BTreeMap::new();
        for rating in ratings {
            if let Some(who) = reviewers.iter().position(|r| *r == rating.reviewer) {
                by_item
                    .entry(rating.item)
                    .or_default()
                    .push((who, rating.category));
            }
        }
        let mut pairs = Vec::new();
        for a in 0..reviewers.len() {
            for b in a + 1..reviewers.len() {
                let shared: Vec<(usize, usize)> = by_item
                    .values()
                    .filter_map(|votes| {
                        let find = |who| votes.iter().find(|(r, _)| *r == who).map(|(_, c)| *c);
                        Some((find(a)?, find(b)?))
                    })
                    .collect();
                if shared.is_empty() {
                    continue;
                }
                let plain = cohen_kappa(&shared, categories.len(), Weights::Unweighted);
                let weighted = |weights| {
                    ordered
                        .then(|| cohen_kappa(&shared, categories.len(), weights).kappa)
                        .flatten()
                };
                pairs.push(PairRow {
                    first: reviewers[a].clone(),
                    second: reviewers[b].clone(),
                    items: plain.items,
                    percent: plain.percent,
                    kappa: plain.kappa,
                    kappa_linear: weighted(Weights::Linear),
                    kappa_quadratic: weighted(Weights::Quadratic),
                });
            }
        }
        let raters: std::collections::BTreeSet<usize> = by_item
            .values()
            .flat_map(|votes| votes.iter().map(|(r, _)| *r))
            .collect();
        let table: Vec<Vec<u32>> = by_item
            .values()
            .filter(|votes| votes.len() >= 2)
            .map(|votes| {
                let mut row = vec![0_u32; categories.len()];
                for (_, category) in votes {
                    if let Some(cell) = row.get_mut(*category) {
                        *cell += 1;
                    }
                }
                row
            })
            .collect();
        let fleiss = (raters.len() >= 3).then(|| {
            let (raters_per_item, items, kappa) = fleiss_kappa(&table);
            FleissRow {
                reviewers: raters.len(),
                raters_per_item,
                items,
                kappa,
            }
        });
        let items: Vec<Vec<usize>> = by_item
            .values()
            .map(|votes| votes.iter().map(|(_, category)| *category).collect())
            .collect();
        Self {
            scope: scope.to_owned(),
            categories: categories.iter().map(|c| (*c).to_owned()).collect(),
            ordered,
            items_compared: table.len(),
            pairs,
            fleiss,
            krippendorff_alpha: krippendorff_alpha(&items, categories.len(), ordered),
            gwet_ac: gwet_ac(&items, categories.len(), ordered),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn positions(text: &str) -> Vec<usize> {
        text.bytes().map(|b| usize::from(b - b'a')).collect()
    }

    fn close(a: Option<f64>, b: f64) {
        let a = a.expect("defined");
        assert!((a - b).abs() < 1e-12, "{a} != {b}");
    }

    /// The ratings of a reliability matrix (rows reviewers, columns items; `None` missing),
    /// per item.
    fn per_item(matrix: &[&[Option<usize>]]) -> Vec<Vec<usize>> {
        (0..matrix[0].len())
            .map(|item| matrix.iter().filter_map(|row| row[item]).collect())
            .collect()
    }

    const N: Option<usize> = None;

    /// Reference values from `krippendorff` 0.9.0 and `irrCAC` 0.4.4 on the same data, as
    /// printed by `docs/reference/kappa_reference.py`.
    #[test]
    #[allow(clippy::unreadable_literal)] // As the reference script prints them.
    fn alpha_and_ac1_match_krippendorff_and_irrcac_with_missing_ratings() {
        let s = |v: usize| Some(v);
        let screening = per_item(&[
            &[
                s(0),
                s(0),
                s(1),
                N,
                s(0),
                s(1),
                N,
                s(0),
                s(0),
                s(2),
                N,
                s(0),
                s(1),
                s(0),
                N,
            ],
            &[
                s(0),
                s(1),
                s(1),
                s(0),
                N,
                s(1),
                s(0),
                N,
                s(0),
                s(2),
                s(0),
                N,
                s(1),
                s(0),
                s(0),
            ],
            &[
                N,
                s(0),
                s(1),
                s(0),
                s(0),
                N,
                s(0),
                s(0),
                N,
                s(0),
                s(0),
                s(0),
                N,
                N,
                s(0),
            ],
        ]);
        let near = |got: Option<f64>, expected: f64| {
            let got = got.expect("defined");
            assert!((got - expected).abs() < 1e-9, "{got} vs {expected}");
        };
        near(krippendorff_alpha(&screening, 3, false), 0.7398373983739837);
        near(gwet_ac(&screening, 3, false), 0.8881292728402734);
        let af = per_item(&[
            &[
                s(0),
                s(1),
                s(2),
                s(2),
                N,
                s(3),
                s(1),
                N,
                s(4),
                s(2),
                s(1),
                s(0),
            ],
            &[
                s(0),
                s(1),
                s(3),
                N,
                s(2),
                s(3),
                s(1),
                s(1),
                s(5),
                N,
                s(1),
                s(1),
            ],
            &[
                N,
                s(2),
                s(2),
                s(2),
                s(2),
                N,
                s(0),
                s(1),
                s(4),
                s(2),
                N,
                s(0),
            ],
            &[s(1), N, s(2), s(3), s(2), s(4), N, s(1), N, s(3), s(2), N],
        ]);
        near(krippendorff_alpha(&af, 6, true), 0.8289339301259159);
        near(krippendorff_alpha(&af, 6, false), 0.31034482758620685);
        near(gwet_ac(&af, 6, true), 0.8872892694674877);
        near(gwet_ac(&af, 6, false), 0.36055382233051714);
        // Nothing to compare, or no disagreement possible: undefined, not a number.
        assert_eq!(krippendorff_alpha(&[vec![1], vec![0]], 3, false), None);
        assert_eq!(
            krippendorff_alpha(&[vec![1, 1], vec![1, 1]], 3, false),
            None
        );
        assert_eq!(gwet_ac(&[vec![1], vec![0]], 3, false), None);
    }

    /// Reference values from scikit-learn 1.9.1 and statsmodels 0.15.0 on the same data, as
    /// printed by `docs/reference/kappa_reference.py`.
    #[test]
    fn cohen_kappa_matches_scikit_learn_on_the_a_to_f_scale() {
        // r1 = list("abbcdcbadcbbacdcbbad"); r2 = list("abccdbbadcbcaccdbaad")
        // cohen_kappa_score(r1, r2, labels=list("abcdef"), weights=w)
        let pairs: Vec<(usize, usize)> = positions("abbcdcbadcbbacdcbbad")
            .into_iter()
            .zip(positions("abccdbbadcbcaccdbaad"))
            .collect();
        let none = cohen_kappa(&pairs, 6, Weights::Unweighted);
        assert_eq!(none.items, 20);
        close(none.percent, 0.7);
        close(none.kappa, 0.598_662_207_357_859_6);
        close(
            cohen_kappa(&pairs, 6, Weights::Linear).kappa,
            0.743_589_743_589_743_6,
        );
        close(
            cohen_kappa(&pairs, 6, Weights::Quadratic).kappa,
            0.863_325_740_318_906_6,
        );
    }

    #[test]
    fn cohen_kappa_matches_scikit_learn_on_screening_decisions() {
        // s1/s2 over include/exclude/maybe; cohen_kappa_score(s1, s2) = 0.4545454545454545
        let code = |d: &str| match d {
            "include" => 0,
            "exclude" => 1,
            _ => 2,
        };
        let s1 = "include exclude exclude maybe include exclude exclude include maybe exclude exclude include";
        let s2 = "include exclude include exclude include exclude maybe include maybe exclude exclude exclude";
        let pairs: Vec<(usize, usize)> = s1
            .split(' ')
            .map(code)
            .zip(s2.split(' ').map(code))
            .collect();
        close(
            cohen_kappa(&pairs, 3, Weights::Unweighted).kappa,
            0.454_545_454_545_454_5,
        );
    }

    #[test]
    fn fleiss_kappa_matches_statsmodels() {
        // fleiss_kappa(np.array([[4,0,0],[3,1,0],…]), method="fleiss") = 0.39032471835652754
        let table: Vec<Vec<u32>> = [
            [4, 0, 0],
            [3, 1, 0],
            [0, 4, 0],
            [1, 2, 1],
            [2, 2, 0],
            [0, 3, 1],
            [4, 0, 0],
            [0, 0, 4],
            [1, 3, 0],
            [2, 1, 1],
        ]
        .iter()
        .map(|row| row.to_vec())
        .collect();
        let (raters, items, kappa) = fleiss_kappa(&table);
        assert_eq!((raters, items), (4, 10));
        close(kappa, 0.390_324_718_356_527_54);

        // Three reviewers on the a–f scale: 0.380281690140845.
        let af: Vec<Vec<u32>> = [
            [3, 0, 0, 0, 0, 0],
            [0, 2, 1, 0, 0, 0],
            [0, 0, 3, 0, 0, 0],
            [1, 1, 1, 0, 0, 0],
            [0, 0, 0, 3, 0, 0],
            [0, 1, 2, 0, 0, 0],
            [0, 0, 1, 2, 0, 0],
            [2, 1, 0, 0, 0, 0],
        ]
        .iter()
        .map(|row| row.to_vec())
        .collect();
        close(fleiss_kappa(&af).2, 0.380_281_690_140_845);
    }

    #[test]
    fn undefined_cases_say_so_instead_of_dividing_by_zero() {
        assert_eq!(cohen_kappa(&[], 6, Weights::Linear).kappa, None);
        assert_eq!(cohen_kappa(&[], 6, Weights::Linear).percent, None);
        // Everyone chose "a": perfect agreement, but κ is undefined (scikit-learn: NaN).
        let same = vec![(0, 0); 5];
        let result = cohen_kappa(&same, 6, Weights::Unweighted);
        assert_eq!(result.percent, Some(1.0));
        assert_eq!(result.kappa, None);
        assert_eq!(fleiss_kappa(&[vec![3, 0], vec![3, 0]]).2, None);
        // Items rated by a different number of reviewers are left out and counted.
        let (_, items, kappa) = fleiss_kappa(&[vec![2, 0], vec![0, 2], vec![1, 0], vec![1, 1]]);
        assert_eq!(items, 3);
        assert!(kappa.is_some());
        // Positions off the scale are ignored.
        assert_eq!(cohen_kappa(&[(0, 9), (1, 1)], 6, Weights::Linear).items, 1);
    }
}
