//! Drive-time criteria (DESIGN section 8): minutes by road on a network layer.
//!
//! A point joins the graph at its nearest node by an access leg at `access_kmh`; the
//! time from a to b is the smaller of the straight leg d(a, b) / access_kmh and
//! leg(a) + path(node(a), node(b)) + leg(b). Distance criteria go from the site to the
//! facility, access sums from each feature to the site.
//!
//! - Distance: one multi-source search per criterion, against the arcs, from every
//!   matching facility's node (starting at its leg, labelled by the facility): every
//!   node then knows its nearest facility by road, and a site adds its own leg. The
//!   straight leg to the nearest facility by straight line covers the pairs closer
//!   than the road (a facility next door).
//! - Access: one bounded search per site, against the arcs, from the site's node, up
//!   to the radius; only the features within radius_min at the fastest speed in a
//!   straight line can be reached, so only those are looked at.

use super::distance::ramp_down;
use super::{CriterionValue, Evaluation, Folded, Scorer};
use crate::brief::Decay;
use crate::index::IndexedLayer;
use crate::model::Feature;
use crate::network::Network;
use crate::table::Matcher;

/// Each feature of a layer joined to a network: (node, leg minutes).
pub(super) fn join_all(network: &Network, layer: &IndexedLayer) -> Vec<Option<(u32, f64)>> {
    use rayon::prelude::*;
    layer
        .layer()
        .features
        .par_iter()
        .map(|f| network.join(f.location))
        .collect()
}

/// Minutes from feature `j` (joined at `joined`, `metres` from the site in a straight
/// line) to a site whose reversed search gave `to_site`.
fn minutes_to_site(
    network: &Network,
    metres: f64,
    joined: Option<(u32, f64)>,
    to_site: &std::collections::HashMap<u32, f64>,
) -> f64 {
    let direct = network.leg_minutes(metres);
    let by_road = joined
        .and_then(|(n, leg)| Some(leg + to_site.get(&n)?))
        .unwrap_or(f64::INFINITY);
    direct.min(by_road)
}

/// The times from every node of a network to a site (its leg included), up to
/// `bound` minutes.
pub(super) fn to_site(
    network: &Network,
    site: &Feature,
    bound: f64,
) -> std::collections::HashMap<u32, f64> {
    match network.join(site.location) {
        Some((n, leg)) => network.shortest_from(&[(n, leg)], true, bound),
        None => Default::default(),
    }
}

pub(super) struct DriveDistanceScorer<'a> {
    name: String,
    layer: Option<&'a IndexedLayer>,
    network: &'a Network,
    mask: Vec<bool>,
    /// Per node: the nearest matching facility by road, (minutes from the node, its
    /// leg included, facility index).
    nearest: Vec<Option<(f64, u32)>>,
    ideal: f64,
    zero: f64,
    max: Option<f64>,
}

impl<'a> DriveDistanceScorer<'a> {
    #[allow(clippy::too_many_arguments)]
    pub(super) fn new(
        name: &str,
        layer: Option<(&'a IndexedLayer, &Folded)>,
        network: &'a Network,
        categories: &[String],
        tags: &[String],
        ideal: f64,
        zero: f64,
        max: Option<f64>,
    ) -> Self {
        let matcher = Matcher::new(categories, tags);
        let mask = layer.map(|(_, f)| matcher.mask(f)).unwrap_or_default();
        let sources: Vec<(u32, f64, u32)> = match layer {
            None => Vec::new(),
            Some((l, _)) => join_all(network, l)
                .into_iter()
                .enumerate()
                .filter(|(i, _)| mask.get(*i).copied().unwrap_or(false))
                .filter_map(|(i, j)| j.map(|(n, leg)| (n, leg, i as u32)))
                .collect(),
        };
        DriveDistanceScorer {
            name: name.to_string(),
            layer: layer.map(|(l, _)| l),
            nearest: network.nearest_source(&sources),
            network,
            mask,
            ideal,
            zero,
            max,
        }
    }

    /// The facility reached first from a site, (minutes, facility index).
    fn fastest(&self, site: &Feature) -> Option<(f64, usize)> {
        let layer = self.layer?;
        let by_road = self.network.join(site.location).and_then(|(n, leg)| {
            let (t, f) = (*self.nearest.get(n as usize)?)?;
            Some((t + leg, f as usize))
        });
        // The straight leg is monotone in the distance: only the nearest matching
        // facility by straight line can beat the road that way.
        let direct = layer
            .nearest_by(site.location, |i, _| {
                self.mask.get(i).copied().unwrap_or(false)
            })
            .map(|(i, m)| (self.network.leg_minutes(m), i));
        match (by_road, direct) {
            (Some(a), Some(b)) => Some(if (b.0, b.1) < (a.0, a.1) { b } else { a }),
            (a, b) => a.or(b),
        }
    }
}

impl Scorer for DriveDistanceScorer<'_> {
    fn name(&self) -> &str {
        &self.name
    }

    fn evaluate(&self, site: &Feature) -> Evaluation {
        match self.fastest(site) {
            // No facility can be reached by road: no value; max_min excludes.
            None => Evaluation {
                value: CriterionValue::Number(None),
                score: 0.0,
                nearest: None,
                excludes: self.max.is_some(),
                detail: None,
                km: None,
                freight: None,
            },
            Some((t, f)) => Evaluation {
                value: CriterionValue::Number(Some(t)),
                score: ramp_down(t, self.ideal, self.zero),
                nearest: Some(f),
                excludes: self.max.is_some_and(|m| t > m),
                detail: None,
                km: self.layer.map(|l| l.distance_m(site.location, f) / 1000.0),
                freight: None,
            },
        }
    }
}

pub(super) struct DriveAccessScorer<'a> {
    name: String,
    layer: Option<&'a IndexedLayer>,
    network: &'a Network,
    /// Per feature: its contribution a_j when it matches, else `None`.
    amount: Vec<Option<f64>>,
    joined: Vec<Option<(u32, f64)>>,
    radius: f64,
    decay: Decay,
    saturation: f64,
}

/// The inputs of a drive-time access scorer.
pub(super) struct AccessSpec<'a, 'b> {
    pub name: &'b str,
    pub layer: Option<(&'a IndexedLayer, &'b Folded)>,
    pub network: &'a Network,
    pub field: Option<&'b str>,
    pub categories: &'b [String],
    pub tags: &'b [String],
    pub radius: f64,
    pub decay: Decay,
    pub saturation: f64,
}

impl<'a> DriveAccessScorer<'a> {
    pub(super) fn new(spec: AccessSpec<'a, '_>) -> Self {
        let matcher = Matcher::new(spec.categories, spec.tags);
        let amount = super::access::amounts(spec.layer, spec.field, &matcher);
        DriveAccessScorer {
            name: spec.name.to_string(),
            joined: spec
                .layer
                .map(|(l, _)| join_all(spec.network, l))
                .unwrap_or_default(),
            layer: spec.layer.map(|(l, _)| l),
            network: spec.network,
            amount,
            radius: spec.radius,
            decay: spec.decay,
            saturation: spec.saturation,
        }
    }
}

impl Scorer for DriveAccessScorer<'_> {
    fn name(&self) -> &str {
        &self.name
    }

    fn evaluate(&self, site: &Feature) -> Evaluation {
        let mut v = 0.0;
        if let Some(l) = self.layer {
            let to_site = to_site(self.network, site, self.radius);
            // Nothing farther than the radius at the fastest speed can be reached.
            let reach_m = self.radius / 60.0 * self.network.max_kmh() * 1000.0;
            l.for_each_within(site.location, reach_m, |j, m| {
                let Some(a) = self.amount.get(j).copied().flatten() else {
                    return;
                };
                let joined = self.joined.get(j).copied().flatten();
                let t = minutes_to_site(self.network, m, joined, &to_site);
                if t <= self.radius {
                    v += a * self.decay.factor(t / self.radius);
                }
            });
        }
        Evaluation {
            value: CriterionValue::Number(Some(v)),
            score: (v / self.saturation).clamp(0.0, 1.0),
            nearest: None,
            excludes: false,
            detail: None,
            km: None,
            freight: None,
        }
    }
}
