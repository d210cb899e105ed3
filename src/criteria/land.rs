//! land criterion: a site's usable land (its `available_ha`, else its `area_ha`)
//! against the plant's need, so that a large record (a whole former plant, a port
//! zone) scores as a site that can host the plant instead of being filtered out.

use super::attribute::ramp;
use super::{CriterionValue, Evaluation, Scorer};
use crate::brief::LandSpec;
use crate::model::Feature;

/// The attribute that states the land on offer, when a layer has it.
pub(crate) const AVAILABLE: &str = "available_ha";

/// The usable land of a site, ha: its stated available land, else its area.
pub(crate) fn usable_ha(site: &Feature) -> Option<f64> {
    site.attribute(AVAILABLE)
        .as_f64()
        .filter(|x| x.is_finite() && *x >= 0.0)
        .or(site.area_ha)
}

/// The score of `ha` of usable land: 0 at `min_share` of the need, 1 at the need and
/// above.
pub(crate) fn score(spec: &LandSpec, ha: f64) -> f64 {
    ramp(ha, spec.need_ha, spec.need_ha * spec.min_share)
}

pub(super) struct LandScorer {
    pub(super) name: String,
    pub(super) spec: LandSpec,
}

impl Scorer for LandScorer {
    fn name(&self) -> &str {
        &self.name
    }

    fn evaluate(&self, site: &Feature) -> Evaluation {
        let ha = usable_ha(site);
        Evaluation {
            value: CriterionValue::Number(ha),
            score: ha.map_or(self.spec.missing, |ha| score(&self.spec, ha)),
            nearest: None,
            excludes: false,
            detail: None,
            km: None,
            freight: None,
        }
    }
}
