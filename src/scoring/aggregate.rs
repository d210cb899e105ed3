//! Aggregation of criterion scores into one score per site.

/// Weighted sum: score_i = 100 * sum_c w_c s_ic / sum_c w_c.
///
/// ```
/// let s = sitematch::scoring::weighted_sum(&[vec![1.0, 0.5]], &[3.0, 1.0]);
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

/// TOPSIS on criterion scores, all benefits (DESIGN section 3): vector
/// normalisation per column (a column of zeros stays zeros), weighting by w_c / sum w,
/// Euclidean distances D+ and D- to the column maxima and minima, and
/// score_i = 100 * D- / (D+ + D-), 100 when both are 0.
///
/// ```
/// // Two sites, one criterion: the better one gets 100, the worse 0.
/// let s = sitematch::scoring::topsis(&[vec![0.8], vec![0.2]], &[1.0]);
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
