//! category criterion: a text attribute of the site mapped to scores.

use super::{CriterionKind, CriterionValue, DataCheck, Evaluation, Inputs, Scorer, Type};
use crate::de::{Problems, ScoreTable};
use crate::model::Feature;
use crate::text::fold;

/// A category criterion (`type = "category"`): a text of the site's own mapped to
/// scores, matched without regard to case or accents; any other text scores
/// `default`.
///
/// ```
/// let brief = sitematch::Brief::from_toml_str(
///     "[[criterion]]\nname = \"pollution\"\ntype = \"category\"\nfield = \"pollution\"\nscores = { non = 1.0, oui = 0.2 }\n",
/// )?;
/// let sitematch::CriterionKind::Category(c) = &brief.criteria[0].kind else { panic!() };
/// assert_eq!(c.scores, vec![("non".to_string(), 1.0), ("oui".to_string(), 0.2)]);
/// # Ok::<(), sitematch::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct CategorySpec {
    /// Site attribute.
    pub field: String,
    /// Text to score, in the brief's order.
    pub scores: Vec<(String, f64)>,
    /// Score of any other value.
    pub default: f64,
}

super::criterion_shape! {
    field: String, scores: ScoreTable, default: f64,
}

impl Shape {
    fn read(self, key: &str, _: &super::ReadContext, p: &mut Problems) -> CriterionKind {
        let s = self;
        let default = s.default.unwrap_or(0.0);
        let mut scores = Vec::new();
        match s.scores {
            None => p.required(
                format!("{key}.scores"),
                "is required for a category criterion",
            ),
            Some(table) => {
                for (k, v) in table.0 {
                    match v.as_f64() {
                        Some(x) if (0.0..=1.0).contains(&x) => scores.push((k, x)),
                        _ => p.push(format!("{key}.scores.{k}"), "must be a score from 0 to 1"),
                    }
                }
            }
        }
        if !(0.0..=1.0).contains(&default) {
            p.push(format!("{key}.default"), "must be a score from 0 to 1");
        }
        if s.field.is_none() {
            p.required(format!("{key}.field"), "is required");
        }
        CriterionKind::Category(CategorySpec {
            field: s.field.unwrap_or_default(),
            scores,
            default,
        })
    }
}

impl Type for CategorySpec {
    fn unit(&self) -> String {
        format!("{} (category)", self.field)
    }

    fn reads_site_attributes(&self) -> bool {
        true
    }

    fn check(&self, at: &str, data: &mut DataCheck<'_>) {
        data.site_field(format!("{at}.field"), &self.field);
    }

    fn scorer<'a>(&'a self, name: &str, _: &Inputs<'a>) -> Box<dyn Scorer + 'a> {
        Box::new(CategoryScorer::new(
            name,
            &self.field,
            &self.scores,
            self.default,
        ))
    }

    fn score_of_value(&self, value: &CriterionValue) -> Option<f64> {
        let CriterionValue::Text(Some(t)) = value else {
            return None;
        };
        let t = fold(t);
        Some(
            self.scores
                .iter()
                .find(|(k, _)| fold(k) == t)
                .map_or(self.default, |(_, s)| *s),
        )
    }
}

struct CategoryScorer {
    name: String,
    field: String,
    scores: Vec<(String, f64)>,
    default: f64,
}

impl CategoryScorer {
    fn new(name: &str, field: &str, scores: &[(String, f64)], default: f64) -> Self {
        CategoryScorer {
            name: name.to_string(),
            field: field.to_string(),
            scores: scores.iter().map(|(k, s)| (fold(k), *s)).collect(),
            default,
        }
    }
}

impl Scorer for CategoryScorer {
    fn name(&self) -> &str {
        &self.name
    }

    fn evaluate(&self, site: &Feature) -> Evaluation {
        let text = site.attribute(&self.field).text();
        let score = text
            .as_deref()
            .map(fold)
            .and_then(|t| self.scores.iter().find(|(k, _)| *k == t).map(|(_, s)| *s))
            .unwrap_or(self.default);
        Evaluation {
            value: CriterionValue::Text(text),
            score,
            ..Evaluation::none()
        }
    }
}
