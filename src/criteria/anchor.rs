//! anchor criterion: the geodesic distance to the nearest of the places a brief
//! writes itself (a partner's plant, a client, the company's lab), scored as a
//! distance criterion.

use geo::{Distance, Geodesic, Point};

use super::distance::ramp_down;
use super::{CriterionValue, Evaluation, Scorer};
use crate::brief::AnchorSpec;
use crate::model::Feature;

pub(super) struct AnchorScorer {
    pub(super) name: String,
    pub(super) spec: AnchorSpec,
}

impl AnchorScorer {
    /// The nearest place to `p`: (its index, km); ties to the first listed.
    pub(super) fn nearest(&self, p: Point<f64>) -> Option<(usize, f64)> {
        self.spec
            .points
            .iter()
            .enumerate()
            .map(|(i, a)| (i, Geodesic.distance(p, Point::new(a.lon, a.lat)) / 1000.0))
            .fold(None, |best, (i, km)| match best {
                Some((_, b)) if b <= km => best,
                _ => Some((i, km)),
            })
    }
}

impl Scorer for AnchorScorer {
    fn name(&self) -> &str {
        &self.name
    }

    fn evaluate(&self, site: &Feature) -> Evaluation {
        let (nearest, km) = match self.nearest(site.location) {
            Some((i, km)) => (Some(i), Some(km)),
            None => (None, None),
        };
        Evaluation {
            value: CriterionValue::Number(km),
            score: km.map_or(0.0, |km| ramp_down(km, self.spec.ideal, self.spec.zero)),
            nearest,
            excludes: self.spec.max.is_some_and(|m| km.is_none_or(|km| km > m)),
            detail: None,
            km: None,
            freight: None,
        }
    }
}
