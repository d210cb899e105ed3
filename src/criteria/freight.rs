//! freight criterion: the tonne-km and the CO2e of the client's flows to and from a
//! site, by road, or by rail when the site has a freight station or siding near it.

use geo::{Distance, Geodesic};

use super::distance::ramp_down;
use super::{CriterionValue, Evaluation, Folded, Scorer};
use crate::brief::FreightSpec;
use crate::index::IndexedLayer;
use crate::model::{Feature, Layer};
use crate::network::Network;
use crate::ranking::{FlowShare, FreightDetail};
use crate::table::Matcher;
use crate::travel::{reach, Reach, Use, Ways};

/// One usable flow of the client's file.
struct Flow {
    id: String,
    label: Option<String>,
    location: geo::Point<f64>,
    tonnes: f64,
    /// `in` (from a supplier) or `out` (to a customer).
    direction: String,
}

/// The road network of a `travel = "drive"` freight criterion, with each flow's
/// fastest-route km to or from every node.
struct Roads<'a> {
    network: &'a Network,
    /// Per flow: its access leg (km) and the road km of the fastest route between
    /// its node and each node (towards the site for `in`, from it for `out`);
    /// `None` for a flow the network cannot join.
    by_node: Vec<Option<(f64, Vec<Option<f64>>)>>,
}

impl Roads<'_> {
    /// The site's node and access leg, km.
    fn join(&self, site: &Feature) -> Option<(u32, f64)> {
        join_km(self.network, site.location)
    }

    /// The road km between a site joined at `site` and flow `k`, with both access
    /// legs; `None` when the network does not join them.
    fn km(&self, site: (u32, f64), k: usize) -> Option<f64> {
        let (flow_leg, by_node) = self.by_node.get(k)?.as_ref()?;
        Some(flow_leg + by_node.get(site.0 as usize).copied().flatten()? + site.1)
    }
}

/// A point's nearest node of the network and the straight access leg to it, km.
fn join_km(network: &Network, p: geo::Point<f64>) -> Option<(u32, f64)> {
    network.nearest_node(p).map(|(node, m)| (node, m / 1000.0))
}

pub(super) struct FreightScorer<'a> {
    name: String,
    spec: FreightSpec,
    flows: Vec<Flow>,
    road: f64,
    /// The rail factor and the way to the rail stations, in a straight line.
    rail: Option<(f64, Box<dyn Reach + 'a>)>,
    roads: Option<Roads<'a>>,
    notes: Vec<String>,
}

impl<'a> FreightScorer<'a> {
    /// `rail` is the rail layer (when the brief names one). Flows without a usable
    /// tonnage or direction are left out and each named in the notes.
    pub(super) fn new(
        name: &str,
        spec: &FreightSpec,
        flows: &Layer,
        rail: Option<(&'a IndexedLayer, &Folded)>,
        network: Option<&'a Network>,
    ) -> Self {
        let mut notes = Vec::new();
        let mut bad = Vec::new();
        let mut kept = Vec::new();
        for f in &flows.features {
            let tonnes = f.attribute("tonnes").as_f64();
            let direction = f
                .attribute("direction")
                .as_text()
                .map(|d| d.trim().to_ascii_lowercase());
            match (tonnes, direction.as_deref()) {
                (Some(t), Some("in" | "out")) if t.is_finite() && t >= 0.0 => kept.push(Flow {
                    id: f.id.clone(),
                    label: f.label.clone(),
                    location: f.location,
                    tonnes: t,
                    direction: direction.unwrap_or_default(),
                }),
                (Some(t), Some("in" | "out")) => bad.push(format!("{} (tonnes {t})", f.id)),
                (None, _) => bad.push(format!("{} (no tonnes)", f.id)),
                (_, d) => bad.push(format!(
                    "{} (direction {:?}: use in or out)",
                    f.id,
                    d.unwrap_or("")
                )),
            }
        }
        let file = spec.flows.display();
        if !bad.is_empty() {
            notes.push(format!(
                "{name}: {} of {} flows in {file} left out: {}",
                bad.len(),
                flows.features.len(),
                crate::text::clip(&bad.join(", "), 300)
            ));
        }
        for s in &flows.skipped {
            notes.push(format!("{name}: {file}: {s}"));
        }
        let road = spec.factor(&spec.mode).unwrap_or(0.0);
        let rail = match (rail, spec.factor("rail")) {
            (Some((layer, folded)), Some(f)) => {
                let matcher = Matcher::new(&spec.rail_categories, &[]);
                let stations = matcher.mask(folded).into_iter().map(|m| m.then_some(1.0));
                let straight = Ways {
                    network: None,
                    matrix: None,
                };
                Some((f, reach(straight, Some(layer), stations.collect(), Use::Nearest)))
            }
            _ => None,
        };
        let roads = network.map(|network| Roads {
            network,
            by_node: kept
                .iter()
                .map(|f| {
                    let (node, leg) = join_km(network, f.location)?;
                    // Into the site from a supplier: along the arcs from its node;
                    // out to a customer: against them, from every node to its node.
                    Some((leg, network.fastest_km(node, f.direction == "out")))
                })
                .collect(),
        });
        FreightScorer {
            name: name.to_string(),
            spec: spec.clone(),
            flows: kept,
            road,
            rail,
            roads,
            notes,
        }
    }

    /// Whether rail serves the site: a freight station or siding within reach.
    fn rail_factor(&self, site: &Feature) -> Option<f64> {
        let (factor, nearest) = self.rail.as_ref()?;
        match nearest.nearest(site) {
            Ok(Some((_, km))) if km <= self.spec.rail_within_km => Some(*factor),
            _ => None,
        }
    }
}

impl Scorer for FreightScorer<'_> {
    fn name(&self) -> &str {
        &self.name
    }

    fn notes(&self) -> Vec<String> {
        self.notes.clone()
    }

    fn evaluate(&self, site: &Feature) -> Evaluation {
        let rail = self.rail_factor(site);
        let joined = self.roads.as_ref().and_then(|r| r.join(site));
        let mut shares: Vec<FlowShare> = self
            .flows
            .iter()
            .enumerate()
            .map(|(k, f)| {
                let straight = Geodesic.distance(site.location, f.location) / 1000.0;
                let (mode, km, factor) = match (rail, &self.roads) {
                    (Some(factor), _) if straight >= self.spec.rail_min_km => {
                        ("rail".to_string(), straight * self.spec.rail_detour, factor)
                    }
                    (_, None) => (
                        self.spec.mode.clone(),
                        straight * self.spec.detour,
                        self.road,
                    ),
                    (_, Some(roads)) => match joined.and_then(|j| roads.km(j, k)) {
                        Some(km) => (self.spec.mode.clone(), km, self.road),
                        // Not joined by the network (an island, another component):
                        // the straight line times the detour, said in the mode.
                        None => (
                            format!(
                                "{} (straight line: not joined by the network)",
                                self.spec.mode
                            ),
                            straight * self.spec.detour,
                            self.road,
                        ),
                    },
                };
                FlowShare {
                    id: f.id.clone(),
                    label: f.label.clone(),
                    direction: f.direction.clone(),
                    tonnes: f.tonnes,
                    km,
                    mode,
                    t_co2e: f.tonnes * km * factor / 1000.0,
                }
            })
            .collect();
        let tonne_km: f64 = shares.iter().map(|s| s.tonnes * s.km).sum();
        let t_co2e: f64 = shares.iter().map(|s| s.t_co2e).sum();
        // The three biggest flows by CO2e, ties by id.
        shares.sort_by(|a, b| b.t_co2e.total_cmp(&a.t_co2e).then_with(|| a.id.cmp(&b.id)));
        shares.truncate(3);
        Evaluation {
            value: CriterionValue::Number(Some(t_co2e)),
            score: ramp_down(t_co2e, self.spec.ideal, self.spec.zero),
            nearest: None,
            excludes: false,
            detail: None,
            km: None,
            freight: Some(FreightDetail {
                tonne_km,
                rail: rail.is_some(),
                biggest: shares,
            }),
        }
    }
}
