//! The criteria: what each criterion type measures of a site and
//! how it scores it. Each file holds one type's scorer; a type that can be measured
//! in a straight line, by road or from a matrix has one scorer per way (`drive.rs`
//! and `matrix.rs` hold the road and matrix ones). [`build`] turns a brief's criteria
//! into scorers over a [`DataSet`]; the engine calls them, site by site.

mod access;
mod anchor;
mod attribute;
mod category;
mod competition;
pub(crate) mod distance;
mod freight;
pub(crate) mod land;
mod zone;

use std::collections::HashMap;
use std::sync::Arc;

pub(crate) use competition::Detail;

use crate::brief::{Brief, CriterionKind, Travel};
use crate::error::Result;
use crate::index::IndexedLayer;
use crate::model::{Feature, Layer, Role};
use crate::network::Network;
use crate::ranking::CriterionValue;
use crate::table::Folded;
use crate::text::fold;
use crate::table::Matcher;
use crate::travel::{reach, TravelMatrix, Use, Ways};

/// What one criterion says of one site.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Evaluation {
    /// The raw value.
    pub value: CriterionValue,
    /// The score, 0 worst to 1 best.
    pub score: f64,
    /// For distance criteria: the nearest matching facility (layer feature index).
    pub nearest: Option<usize>,
    /// True when a hard constraint of the criterion (`max_km`) excludes the site.
    pub excludes: bool,
    /// Competition criteria: the workers and the jobs competing for them.
    pub detail: Option<Detail>,
    /// Drive-time criteria: the straight-line km to the facility reached.
    pub km: Option<f64>,
    /// Freight criteria: the tonne-km and the biggest flows.
    pub freight: Option<crate::ranking::FreightDetail>,
}

impl Evaluation {
    /// No value, score 0, nothing excluded: a site the criterion cannot measure (and
    /// the base the scorers fill in).
    pub(crate) fn none() -> Evaluation {
        Evaluation {
            value: CriterionValue::Number(None),
            score: 0.0,
            nearest: None,
            excludes: false,
            detail: None,
            km: None,
            freight: None,
        }
    }
}

/// One criterion, ready to evaluate sites. Implementations are pure: no I/O.
pub(crate) trait Scorer: Send + Sync {
    /// The criterion's name (output column prefix).
    fn name(&self) -> &str;
    /// Evaluates one site.
    fn evaluate(&self, site: &Feature) -> Evaluation;
    /// What the brief's writer should know of how the criterion met the data (the
    /// ranking's warnings), once per brief.
    fn notes(&self) -> Vec<String> {
        Vec::new()
    }
    /// About how many (site, feature) pairs the criterion visits over `candidates`
    /// sites, extrapolated from `sample` (taken evenly among them), for sums over a
    /// straight-line radius; 0 for the criteria whose cost does not grow with one.
    fn pairs(&self, _sample: &[&Feature], _candidates: usize) -> f64 {
        0.0
    }
}

/// What the criteria read of the data set: its layers with their folded tables, and
/// the road network a travel mode runs on.
pub(crate) trait DataSet: Sync {
    /// The layer with this name and its folded categories and tags.
    fn layer_with_table(&self, name: &str) -> Option<(&IndexedLayer, &Folded)>;
    /// The layer with this name.
    fn layer(&self, name: &str) -> Option<&IndexedLayer> {
        self.layer_with_table(name).map(|(l, _)| l)
    }
    /// The network a drive-time criterion runs on: the one it names, or the data
    /// set's only one; `None` for other travel.
    fn network_of(&self, travel: &Travel) -> Option<&Network>;
}

/// Builds the scorers of a brief's criteria over a data set, reading the travel
/// matrices and flows files they name (each file once).
pub(crate) fn build<'a>(
    data: &'a dyn DataSet,
    brief: &'a Brief,
) -> Result<Vec<Box<dyn Scorer + 'a>>> {
    let mut matrices: HashMap<&std::path::Path, Arc<TravelMatrix>> = HashMap::new();
    for c in &brief.criteria {
        if let Some(Travel::Matrix(path)) = c.kind.travel() {
            if !matrices.contains_key(path.as_path()) {
                let m = TravelMatrix::from_path(path)?;
                matrices.insert(path.as_path(), Arc::new(m));
            }
        }
    }
    let mut flows: HashMap<&std::path::Path, Layer> = HashMap::new();
    let no_flows = Layer::from_features("flows", Role::Facilities, Vec::new());
    for c in &brief.criteria {
        if let CriterionKind::Freight(f) = &c.kind {
            if !flows.contains_key(f.flows.as_path()) {
                flows.insert(f.flows.as_path(), crate::catalog::load_flows(&f.flows)?);
            }
        }
    }
    let ways = |travel: &Travel| Ways {
        network: data.network_of(travel),
        matrix: match travel {
            Travel::Matrix(p) => matrices.get(p.as_path()).cloned(),
            _ => None,
        },
    };
    Ok(brief
        .criteria
        .iter()
        .map(|c| -> Box<dyn Scorer + 'a> {
            let layer = |name: &str| data.layer_with_table(name);
            match &c.kind {
                CriterionKind::Distance {
                    layer: l,
                    categories,
                    tags,
                    ideal,
                    zero,
                    max,
                    travel,
                } => {
                    let layer = layer(l);
                    let matcher = Matcher::new(categories, tags);
                    let counted = access::amounts(layer, None, &matcher);
                    Box::new(distance::DistanceScorer {
                        name: c.name.clone(),
                        reach: reach(ways(travel), layer.map(|(l, _)| l), counted, Use::Nearest),
                        ideal: *ideal,
                        zero: *zero,
                        max: *max,
                    })
                }
                CriterionKind::Access {
                    layer: l,
                    field,
                    categories,
                    tags,
                    radius,
                    decay,
                    saturation,
                    travel,
                } => {
                    let layer = layer(l);
                    let matcher = Matcher::new(categories, tags);
                    let amounts = access::amounts(layer, field.as_deref(), &matcher);
                    Box::new(access::AccessScorer {
                        name: c.name.clone(),
                        reach: reach(ways(travel), layer.map(|(l, _)| l), amounts, Use::Within),
                        radius: *radius,
                        decay: *decay,
                        saturation: *saturation,
                    })
                }
                CriterionKind::Attribute {
                    field,
                    ideal,
                    zero,
                    missing,
                } => Box::new(attribute::AttributeScorer {
                    name: c.name.clone(),
                    field: field.clone(),
                    ideal: *ideal,
                    zero: *zero,
                    missing: *missing,
                }),
                CriterionKind::Category {
                    field,
                    scores,
                    default,
                } => Box::new(category::CategoryScorer::new(
                    &c.name, field, scores, *default,
                )),
                CriterionKind::Zone { layer: l } => Box::new(zone::ZoneScorer {
                    name: c.name.clone(),
                    layer: layer(l).map(|(l, _)| l),
                }),
                CriterionKind::Land(spec) => Box::new(land::LandScorer {
                    name: c.name.clone(),
                    spec: spec.clone(),
                }),
                CriterionKind::Anchor(spec) => Box::new(anchor::AnchorScorer {
                    name: c.name.clone(),
                    spec: spec.clone(),
                }),
                // Every flows file was read above.
                CriterionKind::Freight(f) => Box::new(freight::FreightScorer::new(
                    &c.name,
                    f,
                    flows.get(f.flows.as_path()).unwrap_or(&no_flows),
                    f.rail_layer.as_deref().and_then(layer),
                    data.network_of(&f.travel),
                )),
                CriterionKind::Competition {
                    layer: l,
                    field,
                    jobs_layer,
                    jobs_field,
                    radius,
                    impedance,
                    measure,
                    saturation,
                    travel,
                } => Box::new(competition::CompetitionScorer::new(competition::Spec {
                    name: &c.name,
                    workers: data.layer(l),
                    field,
                    jobs: data.layer(jobs_layer),
                    jobs_field,
                    radius: *radius,
                    impedance: *impedance,
                    measure: *measure,
                    saturation: *saturation,
                    ways: ways(travel),
                })),
            }
        })
        .collect())
}

/// The score a criterion gives a value in its unit (a reference profile's values).
pub(crate) fn score_of_value(kind: &CriterionKind, v: &CriterionValue) -> Option<f64> {
    let x = match v {
        CriterionValue::Number(x) => *x,
        CriterionValue::Text(_) => None,
    };
    Some(match kind {
        CriterionKind::Distance { ideal, zero, .. } => distance::ramp_down(x?, *ideal, *zero),
        CriterionKind::Access { saturation, .. }
        | CriterionKind::Competition { saturation, .. } => (x? / saturation).clamp(0.0, 1.0),
        CriterionKind::Attribute { ideal, zero, .. } => attribute::ramp(x?, *ideal, *zero),
        CriterionKind::Freight(f) => distance::ramp_down(x?, f.ideal, f.zero),
        CriterionKind::Land(spec) => land::score(spec, x?),
        CriterionKind::Anchor(a) => distance::ramp_down(x?, a.ideal, a.zero),
        CriterionKind::Zone { .. } => f64::from(u8::from(x? > 0.0)),
        CriterionKind::Category {
            scores, default, ..
        } => {
            let CriterionValue::Text(Some(t)) = v else {
                return None;
            };
            let t = fold(t);
            scores
                .iter()
                .find(|(k, _)| fold(k) == t)
                .map_or(*default, |(_, s)| *s)
        }
    })
}
