//! attribute criterion: a numeric attribute of the site on a linear ramp.

use super::{CriterionValue, Evaluation, Scorer};
use crate::model::Feature;

pub(super) struct AttributeScorer {
    pub(super) name: String,
    pub(super) field: String,
    pub(super) ideal: f64,
    pub(super) zero: f64,
    pub(super) missing: f64,
}

/// s = clamp((x - zero) / (ideal - zero), 0, 1): increasing when ideal > zero, the
/// mirror when ideal < zero.
pub(super) fn ramp(x: f64, ideal: f64, zero: f64) -> f64 {
    ((x - zero) / (ideal - zero)).clamp(0.0, 1.0)
}

impl Scorer for AttributeScorer {
    fn name(&self) -> &str {
        &self.name
    }

    fn evaluate(&self, site: &Feature) -> Evaluation {
        let x = site.attribute(&self.field).as_f64();
        Evaluation {
            value: CriterionValue::Number(x),
            score: x.map_or(self.missing, |x| ramp(x, self.ideal, self.zero)),
            nearest: None,
            excludes: false,
            detail: None,
            km: None,
            freight: None,
        }
    }
}
