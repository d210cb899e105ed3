//! Decision support on top of a ranking: rank robustness under weight changes, the
//! Pareto front, near misses, and a diverse shortlist.
//!
//! [`apply`] annotates a fresh ranking as its brief asks (`[robustness]`,
//! `[output]`); [`crate::Engine::rank`] calls it. Each step is also a function here,
//! on plain score matrices, for library users.

mod compare;
mod near_miss;
mod pareto;
mod reweigh;
mod robustness;
mod shortlist;

pub use compare::{compare, Comparison, Shift};
pub use near_miss::near_miss;
pub use pareto::pareto_front;
pub use reweigh::{Placed, Reweigh};
pub use robustness::{flip_margin, robustness, RankStats};
pub use shortlist::{shortlist, Dropped};

use crate::brief::{Brief, CriterionKind};
use crate::cancel::Cancel;
use crate::ranking::{DroppedBy, Exclusion, NearMiss, Ranking, SiteResult};

/// Applies the decision-support steps the brief asks for to a fresh ranking: the
/// Pareto front always, robustness and the flip margin with `[robustness]`, near
/// misses among the excluded sites, and the diverse shortlist with `[output]
/// min_spacing_km` or `one_per`. `matrix` is [`Ranking::score_matrix`]; `group` gives
/// the `one_per` value of the site at a position among the ranked ones. Robustness runs
/// stop once `cancel` is set (the ranking is then incomplete: the caller drops it).
pub(crate) fn apply(
    brief: &Brief,
    ranking: &mut Ranking,
    matrix: &[Vec<f64>],
    group: impl Fn(usize) -> Option<String>,
    cancel: &Cancel,
) {
    let weights = ranking.weights();
    let ranked = ranking.ranked;
    let (ranked_sites, excluded_sites) = ranking.sites.split_at_mut(ranked);
    mark_pareto(ranked_sites, matrix);
    if let Some(spec) = &brief.robustness {
        // Ties are broken by id, as in the ranking itself.
        let mut by_id: Vec<usize> = (0..ranked_sites.len()).collect();
        by_id.sort_by(|&a, &b| {
            let id = |i: usize| ranked_sites.get(i).map(|s| s.site_id.as_bytes());
            id(a).cmp(&id(b))
        });
        let mut tie = vec![0; ranked_sites.len()];
        for (pos, i) in by_id.into_iter().enumerate() {
            if let Some(t) = tie.get_mut(i) {
                *t = pos;
            }
        }
        let stats = robustness::cancellable(
            brief.method,
            matrix,
            (&weights, &tie),
            brief.top,
            spec,
            cancel,
        );
        for (s, st) in ranked_sites.iter_mut().zip(stats) {
            s.decision.p_top = Some(st.p_top);
            s.decision.p_first = Some(st.p_first);
            s.decision.rank_p05 = Some(st.rank_p05);
            s.decision.rank_p95 = Some(st.rank_p95);
        }
        if ranked_sites.len() >= 2 {
            let flip = flip_margin(brief.method, matrix, &weights, 0, 1);
            for s in ranked_sites.iter_mut().take(2) {
                s.decision.flip = flip.clone();
            }
        }
    }
    for s in excluded_sites.iter_mut() {
        s.decision.near_miss = site_near_miss(brief, s);
    }
    if ranking.shortlist {
        mark_shortlist(brief, ranked_sites, group);
    }
}

fn mark_pareto(ranked: &mut [SiteResult], matrix: &[Vec<f64>]) {
    let front = pareto_front(matrix);
    for (i, by) in front.iter().enumerate() {
        let dominated_by = by.and_then(|j| ranked.get(j)).map(|s| s.site_id.clone());
        if let Some(s) = ranked.get_mut(i) {
            s.decision.pareto = Some(by.is_none());
            s.decision.dominated_by = dominated_by;
        }
    }
}

fn site_near_miss(brief: &Brief, s: &SiteResult) -> Option<NearMiss> {
    let criterion = |reason: &Exclusion| match reason {
        Exclusion::MaxKm(name) | Exclusion::MaxMin(name) => {
            brief.criteria.iter().position(|c| &c.name == name)
        }
        _ => None,
    };
    let value = |reason: &Exclusion| match reason {
        Exclusion::MinArea | Exclusion::MaxArea => s.area_ha,
        r => s.criteria.get(criterion(r)?)?.value.as_f64(),
    };
    let max_km = |reason: &Exclusion| match &brief.criteria.get(criterion(reason)?)?.kind {
        CriterionKind::Distance(d) => d.max,
        _ => None,
    };
    near_miss(
        &s.excluded_by,
        brief.output.near_miss,
        brief.filter.min_area_ha.unwrap_or(0.0),
        brief.filter.max_area_ha,
        value,
        max_km,
    )
}

fn mark_shortlist(
    brief: &Brief,
    ranked: &mut [SiteResult],
    group: impl Fn(usize) -> Option<String>,
) {
    let locations: Vec<geo::Point<f64>> = ranked.iter().map(|s| s.location).collect();
    let groups: Vec<Option<String>> = (0..ranked.len()).map(&group).collect();
    let kept = shortlist(&locations, &groups, brief.output.min_spacing_km, brief.top);
    let ids: Vec<String> = ranked.iter().map(|s| s.site_id.to_string()).collect();
    let id = |k: usize| ids.get(k).cloned().unwrap_or_default();
    let mut n = 0;
    for (s, k) in ranked.iter_mut().zip(kept) {
        match k {
            Ok(()) => {
                n += 1;
                s.decision.shortlisted = Some(true);
                s.decision.shortlist_rank = Some(n);
            }
            Err(d) => {
                s.decision.shortlisted = Some(false);
                s.decision.dropped_by = Some(match d {
                    Dropped::Spacing(k, km) => DroppedBy::Spacing { site: id(k), km },
                    Dropped::OnePer(k, value) => DroppedBy::OnePer {
                        attribute: brief.output.one_per.clone().unwrap_or_default(),
                        value,
                        site: id(k),
                    },
                });
            }
        }
    }
}
