//! Straight-line travel: geodesic kilometres, through the layer's spatial index.

use std::sync::OnceLock;

use super::{extrapolate, pair_cost, Decay, Reach, Reached, Toward, Unknown, Use, Visit};
use crate::index::{Amounts, IndexedLayer, Selection};
use crate::model::Feature;

/// A layer reached in a straight line.
pub(crate) struct StraightReach<'a> {
    layer: Option<&'a IndexedLayer>,
    amount: Vec<Option<f64>>,
    /// The counted features indexed on their own (nearest searches).
    selection: Option<Selection>,
    /// The amounts arranged for the index's sums, built on the first sum.
    sums: OnceLock<Amounts>,
}

impl<'a> StraightReach<'a> {
    pub(crate) fn new(
        layer: Option<&'a IndexedLayer>,
        amount: Vec<Option<f64>>,
        usage: Use,
    ) -> Self {
        let selection = match (usage, layer) {
            (Use::Nearest, Some(l)) => Some(l.select(amount.iter().map(Option::is_some).collect())),
            _ => None,
        };
        StraightReach {
            layer,
            amount,
            selection,
            sums: OnceLock::new(),
        }
    }
}

impl Reach for StraightReach<'_> {
    fn nearest(&self, at: &Feature) -> Result<Option<(usize, f64)>, Unknown> {
        let (Some(l), Some(s)) = (self.layer, &self.selection) else {
            return Ok(None);
        };
        Ok(l.nearest_selected(s, at.location)
            .map(|(i, m)| (i, m / 1000.0)))
    }

    fn for_each_within(&self, at: &Feature, radius: f64, _: Toward, f: Visit<'_>) -> Reached {
        if let Some(l) = self.layer {
            l.for_each_within(at.location, radius * 1000.0, |j, m| {
                if self.amount(j).is_some() {
                    f(j, m / 1000.0);
                }
            });
        }
        Ok(())
    }

    /// The index's sum over the counted features, one loop per decay with its factor
    /// inlined (where a national access brief spends its time).
    fn sum_within(&self, at: &Feature, radius: f64, decay: Decay) -> Result<f64, Unknown> {
        let Some(l) = self.layer else {
            return Ok(0.0);
        };
        let amounts = self.sums.get_or_init(|| l.amounts(self.amount.clone()));
        let (at, r) = (at.location, radius * 1000.0);
        Ok(match decay {
            Decay::None => l.amount_sum_within(amounts, at, r, |_| 1.0),
            Decay::Linear => l.amount_sum_within(amounts, at, r, |t| Decay::Linear.factor(t)),
            Decay::Gaussian => l.amount_sum_within(amounts, at, r, |t| Decay::Gaussian.factor(t)),
            Decay::Exponential => {
                l.amount_sum_within(amounts, at, r, |t| Decay::Exponential.factor(t))
            }
        })
    }

    fn layer(&self) -> Option<&IndexedLayer> {
        self.layer
    }

    fn amounts(&self) -> &[Option<f64>] {
        &self.amount
    }

    fn km(&self, _at: &Feature, _j: usize) -> Option<f64> {
        None
    }

    fn reach_m(&self, radius: f64) -> Option<f64> {
        Some(radius * 1000.0)
    }

    fn pairs(&self, sample: &[&Feature], n: usize, radius: f64) -> f64 {
        self.layer.map_or(0.0, |l| {
            let radius_m = radius * 1000.0;
            pair_cost(radius_m) * extrapolate(sample, n, |f| l.count_within(f.location, radius_m))
        })
    }
}
