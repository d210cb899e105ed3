//! access criterion: a decayed sum over the features within a radius.

use super::distance::Matcher;
use super::{CriterionValue, Evaluation, Folded, Scorer};
use crate::brief::Decay;
use crate::index::IndexedLayer;
use crate::model::Feature;

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

pub(super) struct AccessScorer<'a> {
    name: String,
    layer: Option<&'a IndexedLayer>,
    /// Per feature of the layer: its contribution a_j when it matches, else `None`.
    amount: Vec<Option<f64>>,
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
            layer: layer.map(|(l, _)| l),
            amount,
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
        let mut v = 0.0;
        if let Some(l) = self.layer {
            l.for_each_within(site.location, self.radius_m, |j, d| {
                if let Some(a) = self.amount.get(j).copied().flatten() {
                    v += a * self.decay.factor(d / self.radius_m);
                }
            });
        }
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
        self.layer.map_or(0.0, |l| {
            super::extrapolate(sample, candidates, |f| {
                l.count_within(f.location, self.radius_m)
            })
        })
    }
}
