//! Aggregation of criterion scores (docs/engine.md, section 4): the weighted sum, TOPSIS and
//! AHP weights. Plain functions on score matrices (one row per site, one column per
//! criterion, scores 0..=1), used by the engine, the grid and the robustness runs.

use std::fmt;

/// How criterion scores are aggregated.
///
/// ```
/// use sitematch::{aggregate, Method};
/// let scores = [vec![1.0, 0.0], vec![0.0, 1.0]];
/// assert_eq!(Method::Topsis.to_string(), "topsis");
/// assert_eq!(aggregate(Method::WeightedSum, &scores, &[3.0, 1.0]), vec![75.0, 25.0]);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Method {
    /// score = 100 * sum w_c s_ic / sum w_c.
    WeightedSum,
    /// TOPSIS on the criterion scores.
    Topsis,
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Method::WeightedSum => "weighted-sum",
            Method::Topsis => "topsis",
        })
    }
}

/// The scores of every row by `method`.
///
/// ```
/// use sitematch::{aggregate, Method};
/// let s = aggregate(Method::WeightedSum, &[vec![1.0, 0.0]], &[1.0, 1.0]);
/// assert_eq!(s, vec![50.0]);
/// ```
pub fn aggregate(method: Method, scores: &[Vec<f64>], weights: &[f64]) -> Vec<f64> {
    match method {
        Method::WeightedSum => weighted_sum(scores, weights),
        Method::Topsis => topsis(scores, weights),
    }
}

/// Weighted sum: score_i = 100 * sum_c w_c s_ic / sum_c w_c.
///
/// ```
/// let s = sitematch::weighted_sum(&[vec![1.0, 0.5]], &[3.0, 1.0]);
/// assert_eq!(s, vec![100.0 * (3.0 + 0.5) / 4.0]);
/// ```
pub fn weighted_sum(scores: &[Vec<f64>], weights: &[f64]) -> Vec<f64> {
    let total: f64 = weights.iter().sum();
    scores
        .iter()
        .map(|row| {
            let s: f64 = row.iter().zip(weights).map(|(s, w)| s * w).sum();
            if total > 0.0 {
                (100.0 * (s / total)).clamp(0.0, 100.0)
            } else {
                0.0
            }
        })
        .collect()
}

/// TOPSIS on criterion scores, all benefits (docs/engine.md, section 4): vector
/// normalisation per column (a column of zeros stays zeros), weighting by w_c / sum w,
/// Euclidean distances D+ and D- to the column maxima and minima, and
/// score_i = 100 * D- / (D+ + D-), 100 when both are 0.
///
/// ```
/// // Two sites, one criterion: the better one gets 100, the worse 0.
/// let s = sitematch::topsis(&[vec![0.8], vec![0.2]], &[1.0]);
/// assert_eq!(s, vec![100.0, 0.0]);
/// ```
pub fn topsis(scores: &[Vec<f64>], weights: &[f64]) -> Vec<f64> {
    let n = weights.len();
    let total: f64 = weights.iter().sum();
    let norms: Vec<f64> = (0..n)
        .map(|c| {
            scores
                .iter()
                .map(|r| r.get(c).copied().unwrap_or(0.0).powi(2))
                .sum::<f64>()
                .sqrt()
        })
        .collect();
    let v: Vec<Vec<f64>> = scores
        .iter()
        .map(|r| {
            (0..n)
                .map(|c| {
                    let s = r.get(c).copied().unwrap_or(0.0);
                    let norm = norms.get(c).copied().unwrap_or(0.0);
                    let w = weights.get(c).copied().unwrap_or(0.0);
                    if norm > 0.0 && total > 0.0 {
                        s / norm * w / total
                    } else {
                        0.0
                    }
                })
                .collect()
        })
        .collect();
    let column = |c: usize| v.iter().filter_map(move |r| r.get(c).copied());
    let best: Vec<f64> = (0..n)
        .map(|c| column(c).fold(f64::NEG_INFINITY, f64::max))
        .collect();
    let worst: Vec<f64> = (0..n)
        .map(|c| column(c).fold(f64::INFINITY, f64::min))
        .collect();
    v.iter()
        .map(|r| {
            let dist = |target: &[f64]| {
                r.iter()
                    .zip(target)
                    .map(|(x, t)| (x - t).powi(2))
                    .sum::<f64>()
                    .sqrt()
            };
            let (dp, dm) = (dist(&best), dist(&worst));
            if dp + dm == 0.0 {
                100.0
            } else {
                (100.0 * (dm / (dp + dm))).clamp(0.0, 100.0)
            }
        })
        .collect()
}

/// The random consistency index RI for n = 1..=10 (docs/engine.md, section 4).
pub const RANDOM_INDEX: [f64; 10] = [0.0, 0.0, 0.58, 0.90, 1.12, 1.24, 1.32, 1.41, 1.45, 1.49];

/// AHP weights: the principal eigenvector of a positive reciprocal matrix (power
/// iteration), normalised to sum 1, and the consistency ratio CR = CI / RI with
/// CI = (lambda_max - n) / (n - 1) and RI from [`RANDOM_INDEX`]; CR = 0 for n <= 2.
///
/// ```
/// // Saaty's consistent 2x2: A is 3 times as important as B.
/// let (w, cr) = sitematch::ahp_weights(&[vec![1.0, 3.0], vec![1.0 / 3.0, 1.0]]);
/// assert!((w[0] - 0.75).abs() < 1e-12 && cr == 0.0);
/// ```
pub fn ahp_weights(m: &[Vec<f64>]) -> (Vec<f64>, f64) {
    let n = m.len();
    if n == 0 {
        return (Vec::new(), 0.0);
    }
    let at = |i: usize, j: usize| m.get(i).and_then(|r| r.get(j)).copied().unwrap_or(0.0);
    let mut v = vec![1.0 / n as f64; n];
    for _ in 0..1000 {
        let mut next: Vec<f64> = (0..n)
            .map(|i| v.iter().enumerate().map(|(j, vj)| at(i, j) * vj).sum())
            .collect();
        let s: f64 = next.iter().sum();
        if s <= 0.0 || !s.is_finite() {
            break;
        }
        next.iter_mut().for_each(|x| *x /= s);
        let delta: f64 = next.iter().zip(&v).map(|(a, b)| (a - b).abs()).sum();
        v = next;
        if delta < 1e-15 {
            break;
        }
    }
    let lambda = v
        .iter()
        .enumerate()
        .map(|(i, vi)| {
            (0..n)
                .map(|j| at(i, j) * v.get(j).unwrap_or(&0.0))
                .sum::<f64>()
                / vi
        })
        .sum::<f64>()
        / n as f64;
    let cr = if n <= 2 {
        0.0
    } else {
        let ci = (lambda - n as f64) / (n as f64 - 1.0);
        (ci / RANDOM_INDEX.get(n - 1).copied().unwrap_or(1.49)).max(0.0)
    };
    (v, cr)
}
