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
    let row = |i: usize| scores.get(i).map_or(&[][..], |r| r.as_slice());
    let sums: Vec<f64> = scores.iter().map(|r| r.iter().sum::<f64>()).collect();
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|&a, &b| sums[b].total_cmp(&sums[a]).then(a.cmp(&b)));
    // The front found so far, by index: the first member that dominates a row is the
    // answer, no need to try the others.
    let mut front: Vec<usize> = Vec::new();
    let mut out = vec![None; scores.len()];
    // Rows with the same scores share their answer: only distinct rows are compared,
    // so ties (many sites at score 1 on a distance) do not make the front quadratic.
    let mut seen: std::collections::HashMap<Bits<'_>, Option<usize>, RowHash> =
        std::collections::HashMap::with_capacity_and_hasher(scores.len(), RowHash::default());
    for i in order {
        let r = row(i);
        let by = match seen.get(&Bits(r)) {
            Some(known) => *known,
            None => {
                let by = front.iter().copied().find(|&f| dominates(row(f), r));
                seen.insert(Bits(r), by);
                if by.is_none() {
                    let at = front.partition_point(|&f| f < i);
                    front.insert(at, i);
                }
                by
            }
        };
        if let Some(slot) = out.get_mut(i) {
            *slot = by;
        }
    }
    out
}

/// A hash of rows of a few numbers: each word multiplied in (the rows are the
/// program's own scores, not input an attacker picks, so no keyed hash is needed).
type RowHash = std::hash::BuildHasherDefault<WordHasher>;

#[derive(Default)]
struct WordHasher(u64);

impl std::hash::Hasher for WordHasher {
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.write_u64(u64::from(*b));
        }
    }

    fn write_u64(&mut self, x: u64) {
        self.0 = (self.0.rotate_left(5) ^ x).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }

    fn write_usize(&mut self, x: usize) {
        self.write_u64(x as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// A row of scores compared and hashed bit for bit (no copy of it as a key).
struct Bits<'a>(&'a [f64]);

impl PartialEq for Bits<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.0.len() == other.0.len()
            && self
                .0
                .iter()
                .zip(other.0)
                .all(|(a, b)| a.to_bits() == b.to_bits())
    }
}

impl Eq for Bits<'_> {}

impl std::hash::Hash for Bits<'_> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.0.len().hash(state);
        for x in self.0 {
            x.to_bits().hash(state);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::pareto_front;

    /// The definition, pair by pair: a row is on the front when no row dominates it;
    /// a dominated row's answer is the first front row (by index) that dominates it.
    fn by_definition(s: &[Vec<f64>]) -> Vec<Option<usize>> {
        let dominates = |a: &[f64], b: &[f64]| {
            a.iter().zip(b).all(|(x, y)| x >= y) && a.iter().zip(b).any(|(x, y)| x > y)
        };
        let on_front: Vec<bool> = (0..s.len())
            .map(|i| !(0..s.len()).any(|j| dominates(&s[j], &s[i])))
            .collect();
        (0..s.len())
            .map(|i| (0..s.len()).find(|&j| on_front[j] && dominates(&s[j], &s[i])))
            .collect()
    }

    #[test]
    fn the_front_is_the_definitions() {
        // Scores on a coarse scale (many ties and equal rows) and on a fine one, three
        // and six criteria, from a fixed generator.
        let mut next = crate::test_util::uniform(11);
        let mut fronts = 0;
        for (n, c, steps) in [(200, 3, 4.0), (300, 6, 3.0), (250, 2, 1e6), (120, 6, 1e6)] {
            let s: Vec<Vec<f64>> = (0..n)
                .map(|_| (0..c).map(|_| (next() * steps).floor() / steps).collect())
                .collect();
            let got = pareto_front(&s);
            assert_eq!(got, by_definition(&s), "{n} rows of {c}");
            fronts += got.iter().filter(|b| b.is_none()).count();
        }
        assert!(fronts > 20, "{fronts}");
    }
}
