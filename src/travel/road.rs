//! Travel by road: minutes on a network layer.
//!
//! A point joins the graph at its nearest node by an access leg at the network's
//! access speed; the time from a to b is the smaller of the straight leg
//! d(a, b) / access speed and leg(a) + path(node(a), node(b)) + leg(b).
//!
//! - Nearest: one multi-source search, against the arcs, from every counted feature's
//!   node (starting at its leg, labelled by the feature): every node then knows its
//!   nearest feature by road, and a place adds its own leg. The straight leg to the
//!   nearest feature in a straight line covers the pairs closer than the road (a
//!   facility next door).
//! - Within a radius: one bounded search per place, from its node (against the arcs
//!   toward the place), up to the radius; only the features within the radius at the
//!   fastest speed in a straight line can be reached, so only those are looked at.

use std::collections::HashMap;

use super::{extrapolate, Reach, Reached, Toward, Unknown, Use, Visit, ROAD_PAIR_COST};
use crate::index::IndexedLayer;
use crate::model::Feature;
use crate::network::Network;

/// Each feature of a layer joined to a network: (node, leg minutes).
pub(crate) fn join_all(network: &Network, layer: &IndexedLayer) -> Vec<Option<(u32, f64)>> {
    use rayon::prelude::*;
    layer
        .layer()
        .features
        .par_iter()
        .map(|f| network.join(f.location))
        .collect()
}

/// The times between every node of a network and a place (its leg included), up to
/// `bound` minutes: toward the place (`reverse`) or from it.
fn from_place(network: &Network, at: &Feature, bound: f64, reverse: bool) -> HashMap<u32, f64> {
    match network.join(at.location) {
        Some((n, leg)) => network.shortest_from(&[(n, leg)], reverse, bound),
        None => HashMap::new(),
    }
}

/// A layer reached by road.
pub(crate) struct RoadReach<'a> {
    network: &'a Network,
    layer: Option<&'a IndexedLayer>,
    amount: Vec<Option<f64>>,
    joined: Vec<Option<(u32, f64)>>,
    /// Per node: the nearest counted feature by road, (minutes from the node, its
    /// leg included, feature index); empty unless prepared for nearest searches.
    nearest: Vec<Option<(f64, u32)>>,
}

impl<'a> RoadReach<'a> {
    pub(crate) fn new(
        network: &'a Network,
        layer: Option<&'a IndexedLayer>,
        amount: Vec<Option<f64>>,
        usage: Use,
    ) -> Self {
        let joined = layer.map(|l| join_all(network, l)).unwrap_or_default();
        let nearest = match usage {
            Use::Within => Vec::new(),
            Use::Nearest => {
                let sources: Vec<(u32, f64, u32)> = joined
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| amount.get(*i).copied().flatten().is_some())
                    .filter_map(|(i, j)| j.map(|(n, leg)| (n, leg, i as u32)))
                    .collect();
                network.nearest_source(&sources)
            }
        };
        RoadReach {
            network,
            layer,
            amount,
            joined,
            nearest,
        }
    }
}

impl Reach for RoadReach<'_> {
    fn nearest(&self, at: &Feature) -> Result<Option<(usize, f64)>, Unknown> {
        let Some(layer) = self.layer else {
            return Ok(None);
        };
        let by_road = self.network.join(at.location).and_then(|(n, leg)| {
            let (t, f) = (*self.nearest.get(n as usize)?)?;
            Some((t + leg, f as usize))
        });
        // The straight leg is monotone in the distance: only the nearest counted
        // feature in a straight line can beat the road that way.
        let direct = layer
            .nearest_by(at.location, |i, _| self.amount(i).is_some())
            .map(|(i, m)| (self.network.leg_minutes(m), i));
        Ok(match (by_road, direct) {
            (Some(a), Some(b)) => Some(if (b.0, b.1) < (a.0, a.1) { b } else { a }),
            (a, b) => a.or(b),
        }
        .map(|(t, i)| (i, t)))
    }

    fn for_each_within(&self, at: &Feature, radius: f64, toward: Toward, f: Visit<'_>) -> Reached {
        let Some(l) = self.layer else {
            return Ok(());
        };
        let times = from_place(self.network, at, radius, toward == Toward::Place);
        // Nothing farther than the radius at the fastest speed can be reached.
        let reach_m = radius / 60.0 * self.network.max_kmh() * 1000.0;
        l.for_each_within(at.location, reach_m, |j, m| {
            if self.amount(j).is_none() {
                return;
            }
            let by_road = self
                .joined
                .get(j)
                .copied()
                .flatten()
                .and_then(|(n, leg)| Some(leg + times.get(&n)?))
                .unwrap_or(f64::INFINITY);
            let t = self.network.leg_minutes(m).min(by_road);
            if t <= radius {
                f(j, t);
            }
        });
        Ok(())
    }

    fn layer(&self) -> Option<&IndexedLayer> {
        self.layer
    }

    fn reach_m(&self, radius: f64) -> Option<f64> {
        Some(radius / 60.0 * self.network.max_kmh() * 1000.0)
    }

    /// Every feature within the straight reach of the fastest road is tried.
    fn pairs(&self, sample: &[&Feature], n: usize, radius: f64) -> f64 {
        let reach_m = radius / 60.0 * self.network.max_kmh() * 1000.0;
        self.layer.map_or(0.0, |l| {
            let pairs = extrapolate(sample, n, |f| l.count_within(f.location, reach_m));
            pairs * ROAD_PAIR_COST
        })
    }

    fn amounts(&self) -> &[Option<f64>] {
        &self.amount
    }
}
