//! zone criterion: 1 when the site's location lies in a polygon of a zones layer.

use geo::Geometry;

use super::{CriterionKind, CriterionValue, DataCheck, Evaluation, Inputs, Scorer, Type};
use crate::de::Problems;
use crate::index::IndexedLayer;
use crate::model::{Feature, Role};

/// A zone criterion (`type = "zone"`): 1 inside a polygon of a zones layer, else 0.
///
/// ```
/// let brief = sitematch::Brief::from_toml_str(
///     "[[criterion]]\nname = \"aid\"\ntype = \"zone\"\nlayer = \"afr\"\n",
/// )?;
/// let sitematch::CriterionKind::Zone(z) = &brief.criteria[0].kind else { panic!() };
/// assert_eq!(z.layer, "afr");
/// # Ok::<(), sitematch::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct ZoneSpec {
    /// Zones layer.
    pub layer: String,
}

super::criterion_shape! {
    layer: String,
}

impl Shape {
    fn read(self, key: &str, _: &super::ReadContext, p: &mut Problems) -> CriterionKind {
        if self.layer.is_none() {
            p.required(format!("{key}.layer"), "is required");
        }
        CriterionKind::Zone(ZoneSpec {
            layer: self.layer.unwrap_or_default(),
        })
    }
}

impl Type for ZoneSpec {
    fn unit(&self) -> String {
        format!("1 inside {}, else 0", self.layer)
    }

    fn layer(&self) -> Option<&str> {
        Some(&self.layer)
    }

    fn check(&self, at: &str, data: &mut DataCheck<'_>) {
        data.role(format!("{at}.layer"), &self.layer, &[Role::Zones]);
    }

    fn scorer<'a>(&'a self, name: &str, inputs: &Inputs<'a>) -> Box<dyn Scorer + 'a> {
        Box::new(ZoneScorer {
            name: name.to_string(),
            layer: inputs.layer(&self.layer),
        })
    }

    fn score_of_value(&self, value: &CriterionValue) -> Option<f64> {
        Some(f64::from(u8::from(super::number(value)? > 0.0)))
    }
}

struct ZoneScorer<'a> {
    name: String,
    layer: Option<&'a IndexedLayer>,
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
            ..Evaluation::none()
        }
    }
}
