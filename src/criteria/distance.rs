//! distance criterion: the way to the nearest matching facility, in a straight line,
//! by road or from a matrix (any [`Reach`]).

use super::{CriterionValue, Evaluation, Scorer};
use crate::model::Feature;
use crate::travel::Reach;

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
    pub(super) name: String,
    /// The way to the facilities the criterion selects.
    pub(super) reach: Box<dyn Reach + 'a>,
    pub(super) ideal: f64,
    pub(super) zero: f64,
    pub(super) max: Option<f64>,
}

impl Scorer for DistanceScorer<'_> {
    fn name(&self) -> &str {
        &self.name
    }

    fn evaluate(&self, site: &Feature) -> Evaluation {
        match self.reach.nearest(site) {
            // Not known to the way (a matrix that does not name the site): no value,
            // counted in the ranking's warnings.
            Err(_) => Evaluation::none(),
            // No facility can be reached: no value; a maximum excludes.
            Ok(None) => Evaluation {
                excludes: self.max.is_some(),
                ..Evaluation::none()
            },
            Ok(Some((i, cost))) => Evaluation {
                value: CriterionValue::Number(Some(cost)),
                score: ramp_down(cost, self.ideal, self.zero),
                nearest: Some(i),
                excludes: self.max.is_some_and(|m| cost > m),
                km: self.reach.km(site, i),
                ..Evaluation::none()
            },
        }
    }
}
