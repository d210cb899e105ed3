//! category criterion: a text attribute of the site mapped to scores.

use super::{CriterionValue, Evaluation, Scorer};
use crate::model::Feature;
use crate::text::fold;

pub(super) struct CategoryScorer {
    name: String,
    field: String,
    scores: Vec<(String, f64)>,
    default: f64,
}

impl CategoryScorer {
    pub(super) fn new(name: &str, field: &str, scores: &[(String, f64)], default: f64) -> Self {
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
        let text = site.attribute(&self.field).as_text();
        let score = text
            .as_deref()
            .map(fold)
            .and_then(|t| self.scores.iter().find(|(k, _)| *k == t).map(|(_, s)| *s))
            .unwrap_or(self.default);
        Evaluation {
            value: CriterionValue::Text(text),
            score,
            nearest: None,
            excludes: false,
            detail: None,
            km: None,
            freight: None,
        }
    }
}
