//! land criterion: a site's usable land (its `available_ha`, else its `area_ha`)
//! against the plant's need, so that a large record (a whole former plant, a port
//! zone) scores as a site that can host the plant instead of being filtered out.

use super::attribute::ramp;
use super::{CriterionKind, CriterionValue, Evaluation, Inputs, Scorer, Type};
use crate::de::Problems;
use crate::model::Feature;

/// A land criterion (`type = "land"`): a site's usable land against the plant's need.
/// The usable land is the site's `available_ha` when its layer states one (a port
/// zone's land on offer), else its `area_ha`: a large record scores as well as a site
/// of the need's size, since it can host the plant. The score rises from 0 at
/// `min_share` of the need to 1 at the need; a site with no known area scores
/// `missing`.
///
/// ```
/// use sitematch::{Brief, CriterionKind};
/// let brief = Brief::from_toml_str("need_ha = 30\n[[criterion]]\nname = \"land\"\ntype = \"land\"\n")?;
/// let CriterionKind::Land(l) = &brief.criteria[0].kind else { panic!("land") };
/// assert_eq!((l.need_ha, l.min_share, l.missing), (30.0, 0.5, 0.3));
/// # Ok::<(), sitematch::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct LandSpec {
    /// The plant's need, ha (the criterion's `need_ha`, else the brief's).
    pub need_ha: f64,
    /// The share of the need that scores 0 (default 0.5).
    pub min_share: f64,
    /// The score of a site with no known area (default 0.3).
    pub missing: f64,
}

super::criterion_shape! {
    need_ha: f64, min_share: f64, missing: f64,
}

impl Shape {
    fn read(self, key: &str, context: &super::ReadContext, p: &mut Problems) -> CriterionKind {
        let s = self;
        let need = s.need_ha.or(context.need_ha);
        match need {
            None => p.required(
                format!("{key}.need_ha"),
                "is required for a land criterion (or give the brief's need_ha)",
            ),
            Some(n) if !(n > 0.0 && n.is_finite()) => p.push(
                format!("{key}.need_ha"),
                "must be a number of hectares above 0",
            ),
            Some(_) => {}
        }
        let min_share = s.min_share.unwrap_or(0.5);
        if !(0.0..1.0).contains(&min_share) {
            p.push(
                format!("{key}.min_share"),
                "must be a share of the need from 0 to below 1 (0.5: half the need scores 0)",
            );
        }
        let missing = s.missing.unwrap_or(0.3);
        if !(0.0..=1.0).contains(&missing) {
            p.push(format!("{key}.missing"), "must be a score from 0 to 1");
        }
        CriterionKind::Land(LandSpec {
            need_ha: need.unwrap_or(1.0),
            min_share,
            missing,
        })
    }
}

impl Type for LandSpec {
    fn unit(&self) -> String {
        format!(
            "ha of usable land (available_ha, else area_ha) for a need of {} ha",
            self.need_ha
        )
    }

    fn reads_site_attributes(&self) -> bool {
        true
    }

    fn scorer<'a>(&'a self, name: &str, _: &Inputs<'a>) -> Box<dyn Scorer + 'a> {
        Box::new(LandScorer {
            name: name.to_string(),
            spec: self,
        })
    }

    fn score_of_value(&self, value: &CriterionValue) -> Option<f64> {
        Some(score(self, super::number(value)?))
    }
}

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

struct LandScorer<'a> {
    name: String,
    spec: &'a LandSpec,
}

impl Scorer for LandScorer<'_> {
    fn name(&self) -> &str {
        &self.name
    }

    fn evaluate(&self, site: &Feature) -> Evaluation {
        let ha = usable_ha(site);
        Evaluation {
            value: CriterionValue::Number(ha),
            score: ha.map_or(self.spec.missing, |ha| score(self.spec, ha)),
            ..Evaluation::none()
        }
    }
}
