//! access criterion: a decayed sum over the features within a radius.

use super::{CriterionValue, Evaluation, Folded, Scorer};
use crate::brief::Decay;
use crate::index::{Amounts, IndexedLayer};
use crate::model::Feature;
use crate::table::Matcher;

/// Per feature of a layer: its contribution a_j to an access sum when it matches
/// (the field's number, 1 when counting), else `None`. A field that is missing or not
/// a number counts 0 (reported in the output).
pub(super) fn amounts(
    layer: Option<(&IndexedLayer, &Folded)>,
    field: Option<&str>,
    matcher: &Matcher,
) -> Vec<Option<f64>> {
    let Some((l, folded)) = layer else {
        return Vec::new();
    };
    let mask = matcher.mask(folded);
    match field {
        Some(field) => l
            .field_numbers(field)
            .iter()
            .zip(mask)
            .map(|(x, m)| m.then(|| x.unwrap_or(0.0)))
            .collect(),
        None => mask.into_iter().map(|m| m.then_some(1.0)).collect(),
    }
}

/// The sum of a_j f(d / r) over the features within `r` metres of `at`.
fn sum(
    l: &IndexedLayer,
    amounts: &Amounts,
    at: geo::Point<f64>,
    r: f64,
    factor: impl Fn(f64) -> f64,
) -> f64 {
    l.amount_sum_within(amounts, at, r, factor)
}

pub(super) struct AccessScorer<'a> {
    name: String,
    /// The layer, and its features' contributions a_j (those that match).
    layer: Option<(&'a IndexedLayer, Amounts)>,
    radius_m: f64,
    decay: Decay,
    saturation: f64,
}

impl<'a> AccessScorer<'a> {
    #[allow(clippy::too_many_arguments)]
    pub(super) fn new(
        name: &str,
        layer: Option<(&'a IndexedLayer, &Folded)>,
        field: Option<&str>,
        categories: &[String],
        tags: &[String],
        radius_km: f64,
        decay: Decay,
        saturation: f64,
    ) -> Self {
        let amount = amounts(layer, field, &Matcher::new(categories, tags));
        AccessScorer {
            name: name.to_string(),
            layer: layer.map(|(l, _)| (l, l.amounts(amount))),
            radius_m: radius_km * 1000.0,
            decay,
            saturation,
        }
    }
}

impl Scorer for AccessScorer<'_> {
    fn name(&self) -> &str {
        &self.name
    }

    fn evaluate(&self, site: &Feature) -> Evaluation {
        let v = match &self.layer {
            Some((l, amounts)) => {
                let (at, r) = (site.location, self.radius_m);
                // One loop per decay, each with its factor inlined.
                match self.decay {
                    Decay::None => sum(l, amounts, at, r, |_| 1.0),
                    Decay::Linear => sum(l, amounts, at, r, |t| Decay::Linear.factor(t)),
                    Decay::Gaussian => sum(l, amounts, at, r, |t| Decay::Gaussian.factor(t)),
                    Decay::Exponential => sum(l, amounts, at, r, |t| Decay::Exponential.factor(t)),
                }
            }
            None => 0.0,
        };
        Evaluation {
            value: CriterionValue::Number(Some(v)),
            score: (v / self.saturation).clamp(0.0, 1.0),
            nearest: None,
            excludes: false,
            detail: None,
            km: None,
            freight: None,
        }
    }

    fn pairs(&self, sample: &[&Feature], candidates: usize) -> f64 {
        self.layer.as_ref().map_or(0.0, |(l, _)| {
            super::extrapolate(sample, candidates, |f| {
                l.count_within(f.location, self.radius_m)
            })
        })
    }
}
