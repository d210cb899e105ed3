//! attribute criterion: a numeric attribute of the site on a linear ramp.

use super::{CriterionKind, CriterionValue, DataCheck, Evaluation, Inputs, Scorer, Type};
use crate::de::{required, Problems};
use crate::model::Feature;

/// An attribute criterion (`type = "attribute"`): a number of the site's own, scored
/// 1 at `ideal`, 0 at `zero`, linearly between (either way round: `ideal` below
/// `zero` rewards small values).
///
/// ```
/// let brief = sitematch::Brief::from_toml_str(
///     "[[criterion]]\nname = \"land\"\ntype = \"attribute\"\nfield = \"area_ha\"\nideal = 60\nzero = 20\n",
/// )?;
/// let sitematch::CriterionKind::Attribute(a) = &brief.criteria[0].kind else { panic!() };
/// assert_eq!((a.ideal, a.zero, a.missing), (60.0, 20.0, 0.0));
/// # Ok::<(), sitematch::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct AttributeSpec {
    /// Site attribute.
    pub field: String,
    /// Value scoring 1.
    pub ideal: f64,
    /// Value scoring 0.
    pub zero: f64,
    /// Score when the site has no value.
    pub missing: f64,
}

super::criterion_shape! {
    field: String, ideal: f64, zero: f64, missing: f64,
}

impl Shape {
    fn read(self, key: &str, _: &super::ReadContext, p: &mut Problems) -> CriterionKind {
        let s = self;
        let what = "an attribute criterion";
        let ideal = required(s.ideal, key, "ideal", what, p);
        let zero = required(s.zero, key, "zero", what, p);
        let missing = s.missing.unwrap_or(0.0);
        if let (Some(i), Some(z)) = (ideal, zero) {
            if i == z {
                p.push(format!("{key}.zero"), "must differ from ideal");
            }
        }
        if !(0.0..=1.0).contains(&missing) {
            p.push(format!("{key}.missing"), "must be a score from 0 to 1");
        }
        if s.field.is_none() {
            p.required(format!("{key}.field"), "is required");
        }
        CriterionKind::Attribute(AttributeSpec {
            field: s.field.unwrap_or_default(),
            ideal: ideal.unwrap_or(1.0),
            zero: zero.unwrap_or(0.0),
            missing,
        })
    }
}

impl Type for AttributeSpec {
    fn unit(&self) -> String {
        self.field.clone()
    }

    fn reads_site_attributes(&self) -> bool {
        true
    }

    fn check(&self, at: &str, data: &mut DataCheck<'_>) {
        data.site_field(format!("{at}.field"), &self.field);
    }

    fn scorer<'a>(&'a self, name: &str, _: &Inputs<'a>) -> Box<dyn Scorer + 'a> {
        Box::new(AttributeScorer {
            name: name.to_string(),
            spec: self,
        })
    }

    fn score_of_value(&self, value: &CriterionValue) -> Option<f64> {
        Some(ramp(super::number(value)?, self.ideal, self.zero))
    }
}

struct AttributeScorer<'a> {
    name: String,
    spec: &'a AttributeSpec,
}

/// s = clamp((x - zero) / (ideal - zero), 0, 1): increasing when ideal > zero, the
/// mirror when ideal < zero.
pub(super) fn ramp(x: f64, ideal: f64, zero: f64) -> f64 {
    ((x - zero) / (ideal - zero)).clamp(0.0, 1.0)
}

impl Scorer for AttributeScorer<'_> {
    fn name(&self) -> &str {
        &self.name
    }

    fn evaluate(&self, site: &Feature) -> Evaluation {
        let x = site.attribute(&self.spec.field).as_f64();
        Evaluation {
            value: CriterionValue::Number(x),
            score: x.map_or(self.spec.missing, |x| {
                ramp(x, self.spec.ideal, self.spec.zero)
            }),
            ..Evaluation::none()
        }
    }
}
