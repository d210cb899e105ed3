//! The Pareto front of criterion scores.

/// For each row of `scores` (one per site, best-ranked first), `None` when no other
/// row dominates it (at least as good on every criterion and better on one), else the
/// index of a row that dominates it: the first, in the given order, among those on
/// the front.
///
/// Rows are visited by decreasing sum of scores; a row can only be dominated by one
/// with a larger sum, and domination is transitive, so checking the front found so
/// far suffices: O(n·f·c) for a front of f rows.
///
/// ```
/// let s = vec![vec![1.0, 0.0], vec![0.0, 1.0], vec![0.5, 0.0]];
/// assert_eq!(sitematch::pareto_front(&s), vec![None, None, Some(0)]);
/// ```
pub fn pareto_front(scores: &[Vec<f64>]) -> Vec<Option<usize>> {
    let dominates = |a: &[f64], b: &[f64]| {
        a.iter().zip(b).all(|(x, y)| x >= y) && a.iter().zip(b).any(|(x, y)| x > y)
    };
    let mut order: Vec<usize> = (0..scores.len()).collect();
    let sum = |i: usize| scores.get(i).map_or(0.0, |r| r.iter().sum::<f64>());
    order.sort_by(|&a, &b| sum(b).total_cmp(&sum(a)).then(a.cmp(&b)));
    let mut front: Vec<usize> = Vec::new();
    let mut out = vec![None; scores.len()];
    // Rows with the same scores share their answer: only distinct rows are compared,
    // so ties (many sites at score 1 on a distance) do not make the front quadratic.
    let mut seen: std::collections::HashMap<Vec<u64>, Option<usize>> =
        std::collections::HashMap::new();
    for i in order {
        let row = scores.get(i).map_or(&[][..], |r| r.as_slice());
        let key: Vec<u64> = row.iter().map(|x| x.to_bits()).collect();
        if let Some(known) = seen.get(&key) {
            if let Some(slot) = out.get_mut(i) {
                *slot = *known;
            }
            continue;
        }
        let by = front
            .iter()
            .copied()
            .filter(|&f| scores.get(f).is_some_and(|fr| dominates(fr, row)))
            .min();
        seen.insert(key, by);
        match by {
            Some(f) => {
                if let Some(slot) = out.get_mut(i) {
                    *slot = Some(f);
                }
            }
            None => front.push(i),
        }
    }
    out
}
