//! distance criterion: distance to the nearest matching facility.

use geo::Point;

use super::{CriterionValue, Evaluation, Folded, Scorer};
use crate::index::{IndexedLayer, Selection};
use crate::model::Feature;
use crate::table::Matcher;

/// The linear ramp of distance criteria: 1 at or below `ideal`, 0 at or beyond
/// `zero`, linear between (`ideal < zero`).
pub(super) fn ramp_down(d: f64, ideal: f64, zero: f64) -> f64 {
    if d <= ideal {
        1.0
    } else if d >= zero {
        0.0
    } else {
        (zero - d) / (zero - ideal)
    }
}

pub(super) struct DistanceScorer<'a> {
    name: String,
    /// The layer and the features the criterion selects, indexed on their own.
    layer: Option<(&'a IndexedLayer, Selection)>,
    ideal_km: f64,
    zero_km: f64,
    max_km: Option<f64>,
}

impl<'a> DistanceScorer<'a> {
    pub(super) fn new(
        name: &str,
        layer: Option<(&'a IndexedLayer, &Folded)>,
        categories: &[String],
        tags: &[String],
        ideal_km: f64,
        zero_km: f64,
        max_km: Option<f64>,
    ) -> Self {
        let matcher = Matcher::new(categories, tags);
        DistanceScorer {
            name: name.to_string(),
            layer: layer.map(|(l, f)| (l, l.select(matcher.mask(f)))),
            ideal_km,
            zero_km,
            max_km,
        }
    }

    fn nearest(&self, p: Point<f64>) -> Option<(usize, f64)> {
        let (layer, selection) = self.layer.as_ref()?;
        layer.nearest_selected(selection, p)
    }
}

impl Scorer for DistanceScorer<'_> {
    fn name(&self) -> &str {
        &self.name
    }

    fn evaluate(&self, site: &Feature) -> Evaluation {
        match self.nearest(site.location) {
            None => Evaluation {
                value: CriterionValue::Number(None),
                score: 0.0,
                nearest: None,
                excludes: self.max_km.is_some(),
                detail: None,
                km: None,
                freight: None,
            },
            Some((i, metres)) => {
                let km = metres / 1000.0;
                Evaluation {
                    value: CriterionValue::Number(Some(km)),
                    score: ramp_down(km, self.ideal_km, self.zero_km),
                    nearest: Some(i),
                    excludes: self.max_km.is_some_and(|m| km > m),
                    detail: None,
                    km: None,
                    freight: None,
                }
            }
        }
    }
}
