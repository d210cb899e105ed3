//! freight criterion: the tonne-km and the CO2e of the client's flows to and from a
//! site, by road, or by rail when the site has a freight station or siding near it.

use geo::{Distance, Geodesic};

use super::distance::ramp_down;
use super::{
    CriterionKind, CriterionValue, DataCheck, Detail, Evaluation, Folded, Inputs, Scorer, Type,
};
use crate::de::{required, Problems, TextList};
use crate::index::IndexedLayer;
use crate::model::{Feature, Layer, Role};
use crate::network::Network;
use crate::table::Matcher;
use crate::travel::{reach, Reach, Travel, Use, Ways};

/// The emission factors, kg CO2e per tonne-km, a freight criterion uses when the brief
/// gives none: an articulated 40 t truck (road) and a full train (rail), as ADEME
/// published them (79 g and 6 g CO2 per t-km); check them against the current Base
/// Carbone entries and set `factors` in the brief for a client's report.
pub const DEFAULT_FACTORS: [(&str, f64); 2] = [("road", 0.079), ("rail", 0.006)];

/// A `type = "freight"` criterion: the client's flows and how they travel.
///
/// ```
/// use sitematch::{Brief, CriterionKind};
/// let brief = Brief::from_toml_str(r#"
///     [[criterion]]
///     name = "freight"
///     type = "freight"
///     flows = "flows.csv"
///     ideal = 500
///     zero = 3000
/// "#)?;
/// let CriterionKind::Freight(f) = &brief.criteria[0].kind else { panic!("freight") };
/// assert_eq!((f.mode.as_str(), f.factor(&f.mode)), ("road", Some(0.079)));
/// assert_eq!(f.detour, 1.3);
/// # Ok::<(), sitematch::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct FreightSpec {
    /// The flows file: id, label, a location (lon/lat columns or a GeoJSON point),
    /// tonnes (a year) and direction (`in` from a supplier, `out` to a customer); a
    /// relative path lies beside the brief.
    pub flows: std::path::PathBuf,
    /// The mode of every flow unless rail serves it (a key of `factors`).
    pub mode: String,
    /// kg CO2e per tonne-km, by mode (the defaults, overridden by the brief's).
    pub factors: Vec<(String, f64)>,
    /// Road km per straight-line km.
    pub detour: f64,
    /// Rail km per straight-line km.
    pub rail_detour: f64,
    /// The layer of freight stations and sidings, when rail is an option.
    pub rail_layer: Option<String>,
    /// Its categories that serve freight.
    pub rail_categories: Vec<String>,
    /// Rail serves the site when one of those is within this many km.
    pub rail_within_km: f64,
    /// ... and a flow goes by rail when it is at least this long (straight km).
    pub rail_min_km: f64,
    /// t CO2e a year scoring 1.
    pub ideal: f64,
    /// t CO2e a year scoring 0.
    pub zero: f64,
    /// How road km are measured: straight line times `detour`, or the road km of the
    /// fastest route on a network (`travel = "drive"`).
    pub travel: Travel,
}

impl FreightSpec {
    /// The factor of a mode, kg CO2e per tonne-km.
    pub fn factor(&self, mode: &str) -> Option<f64> {
        self.factors
            .iter()
            .find(|(m, _)| m == mode)
            .map(|(_, f)| *f)
    }
}

super::criterion_shape! {
    flows: String, mode: String, factors: std::collections::BTreeMap<String, f64>,
    detour: f64, rail_layer: String, rail_categories: TextList, rail_within_km: f64,
    rail_min_km: f64, rail_detour: f64, ideal: f64, zero: f64, travel: String,
    network: String,
}

impl Shape {
    fn read(self, key: &str, _: &super::ReadContext, p: &mut Problems) -> CriterionKind {
        let s = self;
        let what = "a freight criterion";
        let travel = if s.travel.as_deref() == Some("matrix") {
            p.push(
            format!("{key}.travel"),
            "freight is measured in km: use straight (times the detour) or drive (road km of the fastest route)",
        );
            Travel::Straight
        } else {
            Travel::read(s.travel.as_deref(), None, s.network, key, p)
        };
        if s.flows.is_none() {
            p.required(
                format!("{key}.flows"),
                "is required: the client's flows file",
            );
        }
        let ideal = required(s.ideal, key, "ideal", what, p);
        let zero = required(s.zero, key, "zero", what, p);
        if let (Some(i), Some(z)) = (ideal, zero) {
            if i.is_nan() || z.is_nan() || i < 0.0 || z <= i {
                p.push(
                    format!("{key}.zero"),
                    "must be above ideal, both t CO2e a year and not negative (lower is better)",
                );
            }
        }
        let mut factors: Vec<(String, f64)> = DEFAULT_FACTORS
            .iter()
            .map(|(m, f)| (m.to_string(), *f))
            .collect();
        for (mode, f) in s.factors.unwrap_or_default() {
            if f.is_nan() || f < 0.0 {
                p.push(
                    format!("{key}.factors.{mode}"),
                    "must be a number of kg CO2e per t-km, not negative",
                );
            }
            match factors.iter_mut().find(|(m, _)| *m == mode) {
                Some(slot) => slot.1 = f,
                None => factors.push((mode, f)),
            }
        }
        let modes = || {
            factors
                .iter()
                .map(|(m, _)| m.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        };
        let mode = s.mode.unwrap_or_else(|| "road".to_string());
        if !factors.iter().any(|(m, _)| *m == mode) {
            p.push(
                format!("{key}.mode"),
                format!(
                    "{mode:?} has no emission factor; the factors name: {} (add it under factors)",
                    modes()
                ),
            );
        }
        if s.rail_layer.is_some() && !factors.iter().any(|(m, _)| m == "rail") {
            p.push(format!("{key}.factors"), "a rail_layer needs a rail factor");
        }
        for (k, v) in [("detour", s.detour), ("rail_detour", s.rail_detour)] {
            if v.is_some_and(|d| d.is_nan() || d < 1.0) {
                p.push(
                    format!("{key}.{k}"),
                    "must be 1 or more (km travelled per straight-line km)",
                );
            }
        }
        for (k, v) in [
            ("rail_within_km", s.rail_within_km),
            ("rail_min_km", s.rail_min_km),
        ] {
            if v.is_some_and(|d| d.is_nan() || d < 0.0) {
                p.push(format!("{key}.{k}"), "must not be negative");
            }
            if v.is_some() && s.rail_layer.is_none() {
                p.push(format!("{key}.{k}"), "has no effect without rail_layer");
            }
        }
        if s.rail_categories.is_some() && s.rail_layer.is_none() {
            p.push(
                format!("{key}.rail_categories"),
                "has no effect without rail_layer",
            );
        }
        CriterionKind::Freight(FreightSpec {
            flows: s.flows.unwrap_or_default().into(),
            mode,
            factors,
            detour: s.detour.unwrap_or(1.3),
            rail_detour: s.rail_detour.unwrap_or(1.6),
            rail_layer: s.rail_layer,
            rail_categories: s
                .rail_categories
                .map(|c| c.0)
                .unwrap_or_else(|| vec!["gare_fret".to_string(), "ite".to_string()]),
            rail_within_km: s.rail_within_km.unwrap_or(2.0),
            rail_min_km: s.rail_min_km.unwrap_or(200.0),
            ideal: ideal.unwrap_or(0.0),
            zero: zero.unwrap_or(1.0),
            travel,
        })
    }
}

impl Type for FreightSpec {
    fn unit(&self) -> String {
        match &self.travel {
            Travel::Drive { .. } => format!(
                "t CO2e a year of freight to and from the site (road km by {})",
                self.travel.how()
            ),
            _ => "t CO2e a year of freight to and from the site".to_string(),
        }
    }

    super::travels_by!(travel);

    fn layers(&self) -> Vec<&str> {
        self.rail_layer.as_deref().into_iter().collect()
    }

    fn files_mut(&mut self) -> Vec<&mut std::path::PathBuf> {
        vec![&mut self.flows]
    }

    fn check(&self, at: &str, data: &mut DataCheck<'_>) {
        if let Some(rail) = &self.rail_layer {
            data.role(format!("{at}.rail_layer"), rail, &[Role::Facilities]);
        }
    }

    fn scorer<'a>(&'a self, name: &str, inputs: &Inputs<'a>) -> Box<dyn Scorer + 'a> {
        Box::new(FreightScorer::new(
            name,
            self,
            inputs.flows(&self.flows),
            self.rail_layer
                .as_deref()
                .and_then(|l| Some((inputs.layer(l)?, move || inputs.table(l)))),
            inputs.network(&self.travel),
        ))
    }

    fn score_of_value(&self, value: &CriterionValue) -> Option<f64> {
        Some(ramp_down(super::number(value)?, self.ideal, self.zero))
    }
}

/// What a freight criterion found for one site.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct FreightDetail {
    /// Tonne-km a year, every flow (km as travelled: straight line times the detour).
    pub tonne_km: f64,
    /// Whether rail serves the site (a freight station or siding within reach).
    pub rail: bool,
    /// The biggest flows by CO2e, at most three, biggest first.
    pub biggest: Vec<FlowShare>,
}

/// One flow of a freight criterion, to or from one site.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct FlowShare {
    /// The flow's id in the flows file.
    pub id: String,
    /// Its label (the supplier's or customer's name).
    pub label: Option<String>,
    /// `in` (from a supplier) or `out` (to a customer).
    pub direction: String,
    /// Tonnes a year.
    pub tonnes: f64,
    /// km as travelled.
    pub km: f64,
    /// `road`, `rail` or the brief's mode.
    pub mode: String,
    /// Tonnes CO2e a year.
    pub t_co2e: f64,
}

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

struct FreightScorer<'a> {
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
    /// `rail` is the rail layer (when the brief names one) and how to get its folded
    /// table. Flows without a usable tonnage or direction are left out and each named
    /// in the notes.
    fn new<'f>(
        name: &str,
        spec: &FreightSpec,
        flows: &Layer,
        rail: Option<(&'a IndexedLayer, impl FnOnce() -> Option<&'f Folded>)>,
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
                    id: f.id.to_string(),
                    label: f.label.as_deref().map(String::from),
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
            (Some((layer, table)), Some(f)) => {
                let matcher = Matcher::new(&spec.rail_categories, &[]);
                let stations = matcher
                    .mask(layer.layer().features.len(), table)
                    .into_iter()
                    .map(|m| m.then_some(1.0));
                let straight = Ways {
                    network: None,
                    matrix: None,
                };
                Some((
                    f,
                    reach(straight, Some(layer), stations.collect(), Use::Nearest),
                ))
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
            excludes: None,
            detail: Detail::Freight(FreightDetail {
                tonne_km,
                rail: rail.is_some(),
                biggest: shares,
            }),
        }
    }
}
