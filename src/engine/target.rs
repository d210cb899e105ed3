//! Ranking by likeness to a reference site (`[target]`): the reference's profile and
//! each site's likeness to it.

use crate::brief::{Brief, Method, Target};
use crate::criteria::score_of_value;
use crate::error::{BriefProblems, Result};
use crate::ranking::{CriterionResult, CriterionValue, SiteResult, TargetProfile};

/// The reference of a `[target]` brief: the values and scores of its site (among the
/// candidates, ranked or not), overridden by the values it gives, each scored as the
/// criterion scores a site's.
pub(super) fn target_profile(
    brief: &Brief,
    t: &Target,
    sites: &[SiteResult],
) -> Result<TargetProfile> {
    if brief.method != Method::WeightedSum || brief.robustness.is_some() {
        return Err(BriefProblems::one(
            "target",
            "ranks by likeness to it: remove method and [robustness] (they weigh a weighted sum)",
        ));
    }
    let n = brief.criteria.len();
    let (mut values, mut scores) = (vec![CriterionValue::Number(None); n], vec![None; n]);
    let mut label = t.label.clone();
    if let Some(id) = &t.site {
        let Some(site) = sites.iter().find(|s| &s.site_id == id) else {
            return Err(BriefProblems::one(
                "target.site",
                format!(
                    "no candidate site has the id {id:?} (the reference must be in a site layer the brief ranks, or give its values)"
                ),
            ));
        };
        for (k, c) in site.criteria.iter().enumerate() {
            values[k] = c.value.clone();
            scores[k] = Some(c.score);
        }
        label = label
            .or_else(|| site.label.as_deref().map(String::from))
            .or_else(|| Some(id.clone()));
    }
    for (name, v) in &t.values {
        if let Some(k) = brief.criteria.iter().position(|c| &c.name == name) {
            scores[k] = brief
                .criteria
                .get(k)
                .and_then(|c| score_of_value(&c.kind, v));
            values[k] = v.clone();
        }
    }
    Ok(TargetProfile {
        label: label.unwrap_or_else(|| "the target".to_string()),
        site_id: t.site.clone(),
        values,
        scores,
    })
}

/// A site's likeness to a reference, 0 to 100: one minus the weighted mean gap of the
/// criterion scores, over the criteria the reference has a score for (weights
/// renormalised over them). Each criterion's points become its share of that:
/// 100 w_c (1 - |s_c - r_c|), so the points still add up to the score.
pub(super) fn likeness(
    t: &TargetProfile,
    weights: &[f64],
    criteria: &mut [CriterionResult],
) -> f64 {
    let known: f64 = weights
        .iter()
        .zip(&t.scores)
        .filter(|(_, r)| r.is_some())
        .map(|(w, _)| w)
        .sum();
    let mut total = 0.0;
    for ((c, w), r) in criteria.iter_mut().zip(weights).zip(&t.scores) {
        c.points = match r {
            Some(r) if known > 0.0 => 100.0 * w / known * (1.0 - (c.score - r).abs()),
            _ => 0.0,
        };
        total += c.points;
    }
    total
}
