//! Re-ranking under other weights without scoring again: a ranking's criterion scores
//! kept as one flat matrix, aggregated anew for each set of weights (a workbench's
//! sliders, a what-if). The order is the engine's: best score first, ties by site id;
//! the scores are the engine's to the last bit for the weighted sum (the same sums in
//! the same order), within 1e-9 for TOPSIS (its column norms are summed over the sites
//! in another order).

use crate::aggregate::{topsis, Method};
use crate::ranking::Ranking;

/// A ranked site under new weights: its index in the ranking's `sites`, its score.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Placed {
    /// The site's index in [`Ranking::sites`].
    pub site: usize,
    /// Its score under the new weights, 0-100.
    pub score: f64,
}

/// A ranking's criterion scores, kept to re-rank its ranked sites under other
/// weights.
///
/// ```
/// # use sitematch::{Brief, Catalog, Engine, Feature, Layer, Role};
/// # let mut a = Feature::point("a", 2.0, 48.0);
/// # a.area_ha = Some(50.0);
/// # let mut b = Feature::point("b", 2.5, 48.0);
/// # b.area_ha = Some(10.0);
/// # let towns = Layer::from_features("towns", Role::Facilities, vec![Feature::point("t", 2.5, 48.0)]);
/// # let sites = Layer::from_features("sites", Role::Sites, vec![a, b]);
/// # let engine = Engine::new(Catalog::from_layers(vec![sites, towns]));
/// # let brief = Brief::from_toml_str("[[criterion]]\nname = \"land\"\ntype = \"attribute\"\nfield = \"area_ha\"\nideal = 50\nzero = 0\n[[criterion]]\nname = \"town\"\ntype = \"distance\"\nlayer = \"towns\"\nideal_km = 0\nzero_km = 100\n")?;
/// use sitematch::Reweigh;
/// let ranking = engine.rank(&brief)?;
/// // Land first: a (50 ha) leads; the town only: b (in the town) leads.
/// assert_eq!(ranking.sites[0].site_id, "a");
/// let table = Reweigh::new(&ranking).unwrap();
/// let placed = table.rank(&[0.0, 1.0]).unwrap();
/// assert_eq!(ranking.sites[placed[0].site].site_id, "b");
/// assert!(table.rank(&[1.0]).is_err() && table.rank(&[f64::NAN, 1.0]).is_err());
/// # Ok::<(), sitematch::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Reweigh {
    method: Method,
    criteria: Vec<String>,
    /// The ranked sites' ids, for the ties.
    ids: Vec<String>,
    /// Row-major: a row of criterion scores per ranked site, in the ranking's order.
    scores: Vec<f64>,
}

impl Reweigh {
    /// The criterion scores of `ranking`'s ranked sites. A ranking by likeness to a
    /// target site (`[target]`, `--like`) has no weights to change, and a streamed
    /// layer's ranking holds only its best sites: an error says so.
    pub fn new(ranking: &Ranking) -> Result<Reweigh, String> {
        if ranking.streamed.is_some() {
            return Err(
                "a streamed layer's ranking holds only its best sites, and other weights could bring others in: rank the brief again"
                    .into(),
            );
        }
        if ranking.target.is_some() {
            return Err(
                "a ranking by likeness to a target site is not re-weighed: rank the brief again"
                    .into(),
            );
        }
        let k = ranking.criteria.len();
        let ranked = &ranking.sites[..ranking.ranked.min(ranking.sites.len())];
        let mut scores = Vec::with_capacity(ranked.len() * k);
        for s in ranked {
            if s.criteria.len() != k {
                return Err(format!(
                    "site {} has {} criterion results for {k} criteria",
                    s.site_id,
                    s.criteria.len()
                ));
            }
            scores.extend(s.criteria.iter().map(|c| c.score));
        }
        Ok(Reweigh {
            method: ranking.method,
            criteria: ranking.criteria.iter().map(|c| c.name.clone()).collect(),
            ids: ranked.iter().map(|s| s.site_id.to_string()).collect(),
            scores,
        })
    }

    /// How many sites it ranks.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// True when it ranks no site.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// The criteria's names, in the order weights are given.
    pub fn criteria(&self) -> &[String] {
        &self.criteria
    }

    /// Every ranked site's score under `weights` (one per criterion, finite, 0 or
    /// more, not all 0), in site order.
    pub fn scores(&self, weights: &[f64]) -> Result<Vec<f64>, String> {
        self.check(weights)?;
        let k = self.criteria.len();
        // Normalised to sum 1 first, as a brief's weights are (Brief::normalised_weights).
        let sum: f64 = weights.iter().sum();
        let weights: Vec<f64> = weights.iter().map(|w| w / sum).collect();
        let weights = weights.as_slice();
        Ok(match self.method {
            Method::WeightedSum => {
                let total: f64 = weights.iter().sum();
                self.scores
                    .chunks_exact(k.max(1))
                    .map(|row| {
                        // The engine's arithmetic, term for term (aggregate::weighted_sum).
                        let s: f64 = row.iter().zip(weights).map(|(s, w)| s * w).sum();
                        (100.0 * (s / total)).clamp(0.0, 100.0)
                    })
                    .take(self.ids.len())
                    .collect()
            }
            Method::Topsis => {
                let rows: Vec<Vec<f64>> = self
                    .scores
                    .chunks_exact(k.max(1))
                    .map(<[f64]>::to_vec)
                    .take(self.ids.len())
                    .collect();
                topsis(&rows, weights)
            }
        })
    }

    /// Every ranked site under `weights`, best first, ties by id.
    pub fn rank(&self, weights: &[f64]) -> Result<Vec<Placed>, String> {
        let mut placed = self.placed(weights)?;
        placed.sort_unstable_by(|a, b| self.order(a, b));
        Ok(placed)
    }

    /// The `n` best sites under `weights`, best first, ties by id: as the first `n`
    /// of [`Reweigh::rank`], without sorting the others.
    pub fn top(&self, weights: &[f64], n: usize) -> Result<Vec<Placed>, String> {
        let mut placed = self.placed(weights)?;
        if n < placed.len() {
            placed.select_nth_unstable_by(n, |a, b| self.order(a, b));
            placed.truncate(n);
        }
        placed.sort_unstable_by(|a, b| self.order(a, b));
        Ok(placed)
    }

    /// Every ranked site with its score under `weights`, in site order.
    fn placed(&self, weights: &[f64]) -> Result<Vec<Placed>, String> {
        Ok(self
            .scores(weights)?
            .into_iter()
            .enumerate()
            .map(|(site, score)| Placed { site, score })
            .collect())
    }

    fn order(&self, a: &Placed, b: &Placed) -> std::cmp::Ordering {
        b.score
            .total_cmp(&a.score)
            .then_with(|| self.ids[a.site].as_bytes().cmp(self.ids[b.site].as_bytes()))
    }

    fn check(&self, weights: &[f64]) -> Result<(), String> {
        if weights.len() != self.criteria.len() {
            return Err(format!(
                "{} weights for {} criteria ({})",
                weights.len(),
                self.criteria.len(),
                self.criteria.join(", ")
            ));
        }
        if let Some((c, w)) = self
            .criteria
            .iter()
            .zip(weights)
            .find(|(_, w)| !w.is_finite() || **w < 0.0)
        {
            return Err(format!(
                "the weight of {c:?} is {w}: a weight is a finite number, 0 or more"
            ));
        }
        if weights.iter().sum::<f64>() <= 0.0 {
            return Err("every weight is 0: give one criterion a weight".into());
        }
        Ok(())
    }
}
