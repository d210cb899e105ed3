//! access criterion: a decayed sum over the features within a radius, in a straight
//! line, by road or from a matrix (any [`Reach`]).

use super::{CriterionValue, Evaluation, Folded, Scorer};
use crate::brief::Decay;
use crate::index::IndexedLayer;
use crate::model::Feature;
use crate::table::Matcher;
use crate::travel::Reach;

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
    pub(super) name: String,
    /// The way to the features, with their contributions a_j (those that match).
    pub(super) reach: Box<dyn Reach + 'a>,
    pub(super) radius: f64,
    pub(super) decay: Decay,
    pub(super) saturation: f64,
}

impl Scorer for AccessScorer<'_> {
    fn name(&self) -> &str {
        &self.name
    }

    fn evaluate(&self, site: &Feature) -> Evaluation {
        match self.reach.sum_within(site, self.radius, self.decay) {
            // Not known to the way: no value (counted in the ranking's warnings).
            Err(_) => Evaluation::none(),
            Ok(v) => Evaluation {
                value: CriterionValue::Number(Some(v)),
                score: (v / self.saturation).clamp(0.0, 1.0),
                ..Evaluation::none()
            },
        }
    }

    fn pairs(&self, sample: &[&Feature], candidates: usize) -> f64 {
        self.reach.pairs(sample, candidates, self.radius)
    }
}
