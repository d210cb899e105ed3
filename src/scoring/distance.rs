//! distance criterion: distance to the nearest matching facility.

use geo::Point;

use super::{CriterionValue, Evaluation, Folded, Scorer};
use crate::index::IndexedLayer;
use crate::model::Feature;
use crate::text::fold;

/// Which features of a layer a criterion's `categories` and `tags` select: a feature
/// matches when its category is one of the categories (if any are given) and one of
/// its tags is one of the tags (if any are given), case and accents ignored.
pub(super) struct Matcher {
    categories: Vec<String>,
    tags: Vec<String>,
}

impl Matcher {
    pub(super) fn new(categories: &[String], tags: &[String]) -> Matcher {
        Matcher {
            categories: categories.iter().map(|c| fold(c)).collect(),
            tags: tags.iter().map(|t| fold(t)).collect(),
        }
    }

    pub(super) fn matches(&self, folded: &Folded, i: usize) -> bool {
        let category_ok = self.categories.is_empty()
            || folded
                .category
                .get(i)
                .and_then(Option::as_ref)
                .is_some_and(|c| self.categories.contains(c));
        let tags_ok = self.tags.is_empty()
            || folded
                .tags
                .get(i)
                .is_some_and(|ts| ts.iter().any(|t| self.tags.contains(t)));
        category_ok && tags_ok
    }

    /// The mask of matching features of a layer.
    pub(super) fn mask(&self, folded: &Folded) -> Vec<bool> {
        (0..folded.category.len())
            .map(|i| self.matches(folded, i))
            .collect()
    }
}

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
    name: String,
    layer: Option<&'a IndexedLayer>,
    mask: Vec<bool>,
    ideal_km: f64,
    zero_km: f64,
    max_km: Option<f64>,
}

impl<'a> DistanceScorer<'a> {
    pub(super) fn new(
        name: &str,
        layer: Option<(&'a IndexedLayer, &Folded)>,
        categories: &[String],
        tags: &[String],
        ideal_km: f64,
        zero_km: f64,
        max_km: Option<f64>,
    ) -> Self {
        let matcher = Matcher::new(categories, tags);
        DistanceScorer {
            name: name.to_string(),
            mask: layer.map(|(_, f)| matcher.mask(f)).unwrap_or_default(),
            layer: layer.map(|(l, _)| l),
            ideal_km,
            zero_km,
            max_km,
        }
    }

    fn nearest(&self, p: Point<f64>) -> Option<(usize, f64)> {
        let layer = self.layer?;
        if self.mask.iter().all(|m| *m) {
            layer.nearest_by(p, |_, _| true)
        } else {
            layer.nearest_by(p, |i, _| self.mask.get(i).copied().unwrap_or(false))
        }
    }
}

impl Scorer for DistanceScorer<'_> {
    fn name(&self) -> &str {
        &self.name
    }

    fn evaluate(&self, site: &Feature) -> Evaluation {
        match self.nearest(site.location) {
            None => Evaluation {
                value: CriterionValue::Number(None),
                score: 0.0,
                nearest: None,
                excludes: self.max_km.is_some(),
                detail: None,
                km: None,
                freight: None,
            },
            Some((i, metres)) => {
                let km = metres / 1000.0;
                Evaluation {
                    value: CriterionValue::Number(Some(km)),
                    score: ramp_down(km, self.ideal_km, self.zero_km),
                    nearest: Some(i),
                    excludes: self.max_km.is_some_and(|m| km > m),
                    detail: None,
                    km: None,
                    freight: None,
                }
            }
        }
    }
}
