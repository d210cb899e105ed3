//! Rank robustness: how the ranking holds when the weights move.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

use crate::aggregate::{aggregate, topsis, Method};
use crate::brief::Robustness;
use crate::cancel::Cancel;
use crate::ranking::Flip;

/// One site's rank statistics over the runs.
///
/// ```
/// use sitematch::{robustness, Method, Robustness};
/// // One site better on every criterion: first in every run.
/// let stats = robustness(Method::WeightedSum, &[vec![1.0, 1.0], vec![0.5, 0.5]], &[0.5, 0.5], &[0, 1], 1, &Robustness::default());
/// assert_eq!((stats[0].p_first, stats[0].rank_p95), (1.0, 1));
/// assert_eq!(stats[1].p_top, 0.0);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RankStats {
    /// Share of runs in which the site ranks within `top`.
    pub p_top: f64,
    /// Share of runs in which it ranks first.
    pub p_first: f64,
    /// 5th percentile of its rank (nearest-rank method).
    pub rank_p05: usize,
    /// 95th percentile of its rank (nearest-rank method).
    pub rank_p95: usize,
}

/// Ranks (1 = best) of sites by score descending, ties by `tie` ascending.
fn ranks(scores: &[f64], tie: &[usize]) -> Vec<u32> {
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|&a, &b| {
        scores[b]
            .total_cmp(&scores[a])
            .then_with(|| tie.get(a).cmp(&tie.get(b)))
    });
    let mut out = vec![0u32; scores.len()];
    for (r, i) in order.into_iter().enumerate() {
        out[i] = r as u32 + 1;
    }
    out
}

/// Runs `spec.runs` re-aggregations of the criterion `scores` (one row per ranked
/// site), each with every weight multiplied by an independent factor drawn uniformly
/// in [1 - spread, 1 + spread] by a ChaCha8 generator seeded with `spec.seed` (run r
/// uses the seed plus r, so the runs are independent of the thread count). `tie`
/// breaks equal scores (the sites' order by id). The criterion scores are computed
/// once, by the caller.
///
/// ```
/// use sitematch::{robustness, Method, Robustness};
/// // Two sites that mirror each other: each first in about half of the runs.
/// let scores = [vec![1.0, 0.0], vec![0.0, 1.0]];
/// let spec = Robustness { runs: 2000, spread: 0.25, seed: 7 };
/// let s = robustness(Method::WeightedSum, &scores, &[0.5, 0.5], &[0, 1], 1, &spec);
/// assert!((s[0].p_first + s[1].p_first - 1.0).abs() < 1e-12);
/// assert!((s[0].p_first - 0.5).abs() < 0.05);
/// ```
pub fn robustness(
    method: Method,
    scores: &[Vec<f64>],
    weights: &[f64],
    tie: &[usize],
    top: usize,
    spec: &Robustness,
) -> Vec<RankStats> {
    cancellable(method, scores, (weights, tie), top, spec, &Cancel::new())
}

/// [`robustness`], stopped between two chunks of runs once `cancel` is set (the
/// statistics are then those of the runs done: the caller drops them).
pub(crate) fn cancellable(
    method: Method,
    scores: &[Vec<f64>],
    (weights, tie): (&[f64], &[usize]),
    top: usize,
    spec: &Robustness,
    cancel: &Cancel,
) -> Vec<RankStats> {
    in_chunks(
        method,
        scores,
        (weights, tie),
        top,
        spec,
        CHUNK_RANKS,
        cancel,
    )
}

/// [`robustness`], the runs going in chunks of at most `chunk_ranks` ranks.
fn in_chunks(
    method: Method,
    scores: &[Vec<f64>],
    (weights, tie): (&[f64], &[usize]),
    top: usize,
    spec: &Robustness,
    chunk_ranks: usize,
    cancel: &Cancel,
) -> Vec<RankStats> {
    let n = scores.len();
    let total = spec.runs;
    if n == 0 || total == 0 {
        return Vec::new();
    }
    // The nearest-rank percentiles: the k-th smallest of the runs' ranks.
    let nearest = |p: f64| ((p * total as f64).ceil() as usize).clamp(1, total);
    let (k05, k95) = (nearest(0.05), nearest(0.95));
    let mut tallies: Vec<Tally> = (0..n).map(|_| Tally::new(k05, total - k95 + 1)).collect();
    // Runs go in chunks of at most `chunk_ranks` ranks, each folded into the tallies.
    let chunk = (chunk_ranks / n).clamp(1, total);
    let mut start = 0;
    while start < total && !cancel.is_cancelled() {
        let end = (start + chunk).min(total);
        let runs: Vec<Vec<u32>> = (start..end)
            .into_par_iter()
            .map(|r| {
                let w = perturbed(weights, spec, r);
                ranks(&aggregate(method, scores, &w), tie)
            })
            .collect();
        tallies.par_iter_mut().enumerate().for_each(|(i, t)| {
            for run in &runs {
                t.add(run[i], top);
            }
        });
        start = end;
    }
    let total = total as f64;
    tallies
        .into_iter()
        .map(|t| RankStats {
            p_top: t.top as f64 / total,
            p_first: t.first as f64 / total,
            rank_p05: t.low.peek().copied().unwrap_or(0) as usize,
            rank_p95: t.high.peek().map_or(0, |r| r.0) as usize,
        })
        .collect()
}

/// Run `r`'s weights: each multiplied by a factor drawn uniformly in [1 - spread,
/// 1 + spread] by a ChaCha8 generator seeded with the seed plus `r`.
fn perturbed(weights: &[f64], spec: &Robustness, r: usize) -> Vec<f64> {
    let mut rng = ChaCha8Rng::seed_from_u64(spec.seed.wrapping_add(r as u64));
    weights
        .iter()
        .map(|w| w * rng.random_range(1.0 - spec.spread..=1.0 + spec.spread))
        .collect()
}

/// The most ranks the runs of one chunk hold (16 MB): robustness's memory is this
/// plus, per site, a tenth of the runs' ranks (the two heaps of a [`Tally`]).
const CHUNK_RANKS: usize = 1 << 22;

/// One site's ranks over the runs, as far as its statistics need them: the counts
/// within `top` and first, the `low` smallest ranks (the largest of them is the 5th
/// percentile) and the `high` largest (the smallest of them is the 95th).
struct Tally {
    top: usize,
    first: usize,
    low: BinaryHeap<u32>,
    low_len: usize,
    high: BinaryHeap<Reverse<u32>>,
    high_len: usize,
}

impl Tally {
    fn new(low_len: usize, high_len: usize) -> Self {
        Tally {
            top: 0,
            first: 0,
            low: BinaryHeap::with_capacity(low_len),
            low_len,
            high: BinaryHeap::with_capacity(high_len),
            high_len,
        }
    }

    fn add(&mut self, rank: u32, top: usize) {
        self.top += usize::from(rank as usize <= top);
        self.first += usize::from(rank == 1);
        if self.low.len() < self.low_len {
            self.low.push(rank);
        } else if self.low.peek().is_some_and(|&m| rank < m) {
            self.low.pop();
            self.low.push(rank);
        }
        if self.high.len() < self.high_len {
            self.high.push(Reverse(rank));
        } else if self.high.peek().is_some_and(|m| rank > m.0) {
            self.high.pop();
            self.high.push(Reverse(rank));
        }
    }
}

/// For two sites (rows `a` ranked above `b` of `scores`), the single-weight change of
/// smallest relative size at which `b` draws level with `a` (any further change ranks
/// it above), or `None` when no non-negative weight does. Weighted sum: exact, from D + δ·d_c = 0 with D = Σ w·(s_a - s_b).
/// TOPSIS: found numerically (a scan over factors from 0 to 100, then bisection).
///
/// ```
/// use sitematch::{flip_margin, Method};
/// let scores = [vec![0.9, 0.2], vec![0.3, 0.8]];
/// let f = flip_margin(Method::WeightedSum, &scores, &[0.6, 0.4], 0, 1).unwrap();
/// // D = 0.6·0.6 - 0.4·0.6 = 0.12: criterion 0's weight 0.6 may fall by 0.2 (-33%).
/// assert_eq!(f.criterion, 0);
/// assert!((f.change + 1.0 / 3.0).abs() < 1e-12);
/// ```
pub fn flip_margin(
    method: Method,
    scores: &[Vec<f64>],
    weights: &[f64],
    a: usize,
    b: usize,
) -> Option<Flip> {
    let (ra, rb) = (scores.get(a)?, scores.get(b)?);
    let mut best: Option<Flip> = None;
    let mut consider = |criterion: usize, change: f64| {
        if change.is_finite() && best.as_ref().is_none_or(|f| change.abs() < f.change.abs()) {
            best = Some(Flip { criterion, change });
        }
    };
    match method {
        Method::WeightedSum => {
            let d: f64 = weights
                .iter()
                .zip(ra.iter().zip(rb))
                .map(|(w, (x, y))| w * (x - y))
                .sum();
            for (c, w) in weights.iter().enumerate() {
                let dc = ra.get(c).copied().unwrap_or(0.0) - rb.get(c).copied().unwrap_or(0.0);
                if dc == 0.0 || *w <= 0.0 {
                    continue;
                }
                // At w + delta the two sites tie; any further change swaps them.
                let delta = -d / dc;
                if w + delta >= 0.0 {
                    consider(c, delta / w);
                }
            }
        }
        Method::Topsis => {
            let beats = |c: usize, factor: f64| {
                let mut w = weights.to_vec();
                if let Some(x) = w.get_mut(c) {
                    *x *= factor;
                }
                let s = topsis(scores, &w);
                s.get(b) > s.get(a)
            };
            for c in 0..weights.len() {
                // Scan factors away from 1 on both sides; bisect at the first flip.
                let grid: Vec<f64> = (1..=60)
                    .map(|k| 1.08f64.powi(k))
                    .filter(|f| *f <= 100.0)
                    .collect();
                for side in [1.0, -1.0] {
                    let mut prev = 1.0;
                    for g in &grid {
                        let f = if side > 0.0 { *g } else { 1.0 / g };
                        if beats(c, f) {
                            let (mut lo, mut hi) = (prev, f);
                            for _ in 0..50 {
                                let mid = (lo + hi) / 2.0;
                                if beats(c, mid) {
                                    hi = mid;
                                } else {
                                    lo = mid;
                                }
                            }
                            consider(c, hi - 1.0);
                            break;
                        }
                        prev = f;
                    }
                    if beats(c, 0.0) {
                        consider(c, -1.0);
                    }
                }
            }
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every run's ranks kept and sorted: the statistics by their definition.
    fn brute_force(
        scores: &[Vec<f64>],
        weights: &[f64],
        tie: &[usize],
        top: usize,
        spec: &Robustness,
    ) -> Vec<RankStats> {
        let runs: Vec<Vec<u32>> = (0..spec.runs)
            .map(|r| {
                let w = perturbed(weights, spec, r);
                ranks(&aggregate(Method::WeightedSum, scores, &w), tie)
            })
            .collect();
        let total = spec.runs as f64;
        (0..scores.len())
            .map(|i| {
                let mut r: Vec<u32> = runs.iter().map(|run| run[i]).collect();
                r.sort_unstable();
                let pct = |p: f64| r[((p * total).ceil() as usize).clamp(1, r.len()) - 1] as usize;
                RankStats {
                    p_top: r.iter().filter(|&&x| x as usize <= top).count() as f64 / total,
                    p_first: r.iter().filter(|&&x| x == 1).count() as f64 / total,
                    rank_p05: pct(0.05),
                    rank_p95: pct(0.95),
                }
            })
            .collect()
    }

    #[test]
    fn tallies_in_chunks_give_the_statistics_of_every_run_sorted() {
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        for (n, runs) in [(1, 1), (2, 3), (7, 19), (30, 20), (40, 101), (25, 400)] {
            let scores: Vec<Vec<f64>> = (0..n)
                .map(|_| (0..3).map(|_| rng.random_range(0.0..=1.0)).collect())
                .collect();
            let tie: Vec<usize> = (0..n).collect();
            let spec = Robustness {
                runs,
                spread: 0.5,
                seed: 3,
            };
            let expected = brute_force(&scores, &[0.5, 0.3, 0.2], &tie, 5, &spec);
            // One rank per chunk, a few runs per chunk, and every run at once.
            for chunk in [1, 3 * n, usize::MAX] {
                let got = in_chunks(
                    Method::WeightedSum,
                    &scores,
                    (&[0.5, 0.3, 0.2], &tie),
                    5,
                    &spec,
                    chunk,
                    &Cancel::new(),
                );
                assert_eq!(got, expected, "{n} sites, {runs} runs, chunks of {chunk}");
            }
        }
    }

    #[test]
    fn cancelled_runs_stop_before_the_next_chunk() {
        let scores: Vec<Vec<f64>> = (0..10).map(|i| vec![i as f64 / 10.0, 0.5]).collect();
        let tie: Vec<usize> = (0..10).collect();
        let spec = Robustness {
            runs: 1000,
            spread: 0.5,
            seed: 3,
        };
        let cancel = Cancel::new();
        cancel.cancel();
        let got = in_chunks(
            Method::WeightedSum,
            &scores,
            (&[0.5, 0.5], &tie),
            3,
            &spec,
            10,
            &cancel,
        );
        // No run was made: nothing counted.
        assert!(
            got.iter().all(|s| s.p_top == 0.0 && s.rank_p05 == 0),
            "{got:?}"
        );
    }
}
