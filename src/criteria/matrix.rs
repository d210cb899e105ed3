//! Distance and access criteria on a travel-time matrix (`travel = "matrix"`, DESIGN
//! section 8): minutes read from the matrix, a pair it does not list unreachable.
//! Distance criteria read the pairs from the site to the facilities, access sums the
//! pairs from the features to the site.

use std::collections::HashMap;
use std::sync::Arc;

use super::distance::ramp_down;
use super::{CriterionValue, Evaluation, Folded, Scorer};
use crate::brief::Decay;
use crate::index::IndexedLayer;
use crate::model::Feature;
use crate::table::Matcher;
use crate::travel::TravelMatrix;

/// The feature index of each interned id of a matrix that names a matching feature.
fn matching(
    matrix: &TravelMatrix,
    layer: Option<(&IndexedLayer, &Folded)>,
    matcher: &Matcher,
) -> HashMap<u32, usize> {
    layer.map_or_else(HashMap::new, |(l, folded)| {
        l.layer()
            .features
            .iter()
            .enumerate()
            .zip(matcher.mask(folded))
            .filter(|(_, m)| *m)
            .filter_map(|((i, f), _)| Some((matrix.id(&f.id)?, i)))
            .collect()
    })
}

/// The value of a site the matrix does not name: none (counted in the warnings).
fn not_in_matrix() -> Evaluation {
    Evaluation {
        value: CriterionValue::Number(None),
        score: 0.0,
        nearest: None,
        excludes: false,
        detail: None,
        km: None,
        freight: None,
    }
}

pub(super) struct MatrixDistanceScorer<'a> {
    name: String,
    layer: Option<&'a IndexedLayer>,
    matrix: Arc<TravelMatrix>,
    facility_of: HashMap<u32, usize>,
    ideal: f64,
    zero: f64,
    max: Option<f64>,
}

impl<'a> MatrixDistanceScorer<'a> {
    #[allow(clippy::too_many_arguments)]
    pub(super) fn new(
        name: &str,
        layer: Option<(&'a IndexedLayer, &Folded)>,
        matrix: Arc<TravelMatrix>,
        categories: &[String],
        tags: &[String],
        ideal: f64,
        zero: f64,
        max: Option<f64>,
    ) -> Self {
        let facility_of = matching(&matrix, layer, &Matcher::new(categories, tags));
        MatrixDistanceScorer {
            name: name.to_string(),
            layer: layer.map(|(l, _)| l),
            matrix,
            facility_of,
            ideal,
            zero,
            max,
        }
    }
}

impl Scorer for MatrixDistanceScorer<'_> {
    fn name(&self) -> &str {
        &self.name
    }

    fn evaluate(&self, site: &Feature) -> Evaluation {
        let Some(s) = self.matrix.id(&site.id) else {
            return not_in_matrix();
        };
        // The smallest time to a matching facility, ties to the smaller id.
        let best = self
            .matrix
            .from(s)
            .iter()
            .filter_map(|(to, t)| Some((*t, *self.facility_of.get(to)?)))
            .min_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        match best {
            None => Evaluation {
                excludes: self.max.is_some(),
                ..not_in_matrix()
            },
            Some((t, f)) => Evaluation {
                value: CriterionValue::Number(Some(t)),
                score: ramp_down(t, self.ideal, self.zero),
                nearest: Some(f),
                excludes: self.max.is_some_and(|m| t > m),
                detail: None,
                km: self.layer.map(|l| l.distance_m(site.location, f) / 1000.0),
                freight: None,
            },
        }
    }
}

pub(super) struct MatrixAccessScorer {
    name: String,
    matrix: Arc<TravelMatrix>,
    /// Interned id -> the feature's contribution a_j, for the matching features.
    amount_of: HashMap<u32, (usize, f64)>,
    radius: f64,
    decay: Decay,
    saturation: f64,
}

impl MatrixAccessScorer {
    #[allow(clippy::too_many_arguments)]
    pub(super) fn new(
        name: &str,
        layer: Option<(&IndexedLayer, &Folded)>,
        matrix: Arc<TravelMatrix>,
        field: Option<&str>,
        categories: &[String],
        tags: &[String],
        radius: f64,
        decay: Decay,
        saturation: f64,
    ) -> Self {
        let matcher = Matcher::new(categories, tags);
        let amount = super::access::amounts(layer, field, &matcher);
        let amount_of = matching(&matrix, layer, &matcher)
            .into_iter()
            .filter_map(|(id, i)| Some((id, (i, (*amount.get(i)?)?))))
            .collect();
        MatrixAccessScorer {
            name: name.to_string(),
            matrix,
            amount_of,
            radius,
            decay,
            saturation,
        }
    }
}

impl Scorer for MatrixAccessScorer {
    fn name(&self) -> &str {
        &self.name
    }

    fn evaluate(&self, site: &Feature) -> Evaluation {
        let Some(s) = self.matrix.id(&site.id) else {
            return not_in_matrix();
        };
        // Summed in the layer's order, whatever the file's.
        let mut within: Vec<(usize, f64, f64)> = self
            .matrix
            .to(s)
            .iter()
            .filter(|(_, t)| *t <= self.radius)
            .filter_map(|(from, t)| {
                let (i, a) = *self.amount_of.get(from)?;
                Some((i, a, *t))
            })
            .collect();
        within.sort_by_key(|(i, _, _)| *i);
        let v: f64 = within
            .iter()
            .map(|(_, a, t)| a * self.decay.factor(t / self.radius))
            .sum();
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
}
