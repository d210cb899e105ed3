//! zone criterion: 1 when the site's location lies in a polygon of a zones layer.

use geo::Geometry;

use super::{CriterionValue, Evaluation, Scorer};
use crate::index::IndexedLayer;
use crate::model::Feature;

pub(super) struct ZoneScorer<'a> {
    pub(super) name: String,
    pub(super) layer: Option<&'a IndexedLayer>,
}

impl Scorer for ZoneScorer<'_> {
    fn name(&self) -> &str {
        &self.name
    }

    fn evaluate(&self, site: &Feature) -> Evaluation {
        let inside = self
            .layer
            .is_some_and(|l| l.intersects(&Geometry::Point(site.location)));
        let score = if inside { 1.0 } else { 0.0 };
        Evaluation {
            value: CriterionValue::Number(Some(score)),
            score,
            nearest: None,
            excludes: false,
            detail: None,
            km: None,
            freight: None,
        }
    }
}
