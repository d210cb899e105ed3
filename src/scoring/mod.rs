//! The scoring engine (DESIGN section 3): filters, criteria, aggregation, ranking.
//!
//! [`Engine::new`] indexes every layer once; [`Engine::rank`] runs a brief. The engine
//! is `Send + Sync`, so one can serve many briefs from many threads.

mod access;
mod attribute;
mod category;
mod competition;
mod distance;
mod drive;
mod filter;
mod freight;
mod grid;
mod matrix;
mod zone;

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use rayon::prelude::*;

pub use grid::{Grid, GridStats, MAX_CELLS};

use crate::aggregate::aggregate;
use crate::brief::{Brief, CompetitionMeasure, CriterionKind, Travel};
use crate::catalog::Catalog;
use crate::decision;
use crate::error::{BriefProblems, Error, KeyProblem, Result};
use crate::index::IndexedLayer;
use crate::model::{Feature, Layer, Role, Value};
use crate::network::Network;
use crate::ranking::{
    AttributeColumn, ColumnEvidence, CriterionInfo, CriterionResult, CriterionValue, Decision,
    Exclusion, LayerCount, Ranking, SiteResult,
};
use crate::text::fold;
use crate::travel::TravelMatrix;
use crate::warnings;

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
    pub detail: Option<competition::Detail>,
    /// Drive-time criteria: the straight-line km to the facility reached.
    pub km: Option<f64>,
    /// Freight criteria: the tonne-km and the biggest flows.
    pub freight: Option<crate::ranking::FreightDetail>,
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

/// The most (site, feature) pairs a brief's access and competition sums may visit:
/// about a minute at the ~60 ns a pair they cost within 100 km, several beyond it, where
/// every pair takes Karney's geodesic. A national brief's 30 km labour sum makes about
/// 7 million; a radius wide enough to reach the whole country, about 800 million.
pub const MAX_PAIRS: usize = 500_000_000;

/// The reference of a `[target]` brief: the values and scores of its site (among the
/// candidates, ranked or not), overridden by the values it gives, each scored as the
/// criterion scores a site's.
fn target_profile(
    brief: &Brief,
    t: &crate::brief::Target,
    sites: &[SiteResult],
) -> Result<crate::ranking::TargetProfile> {
    if brief.method != crate::brief::Method::WeightedSum || brief.robustness.is_some() {
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
            .or_else(|| site.label.clone())
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
    Ok(crate::ranking::TargetProfile {
        label: label.unwrap_or_else(|| "the target".to_string()),
        site_id: t.site.clone(),
        values,
        scores,
    })
}

/// The score a criterion gives a value in its unit (a reference profile's values).
fn score_of_value(kind: &CriterionKind, v: &CriterionValue) -> Option<f64> {
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

/// A site's likeness to a reference, 0 to 100: one minus the weighted mean gap of the
/// criterion scores, over the criteria the reference has a score for (weights
/// renormalised over them). Each criterion's points become its share of that:
/// 100 w_c (1 - |s_c - r_c|), so the points still add up to the score.
fn likeness(
    t: &crate::ranking::TargetProfile,
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

/// The land take (ha) reusing a site avoids against a greenfield site of `need_ha`:
/// a brownfield site is already artificialised, so its area up to the need; none for
/// a site in an agricultural or natural zone (`zoning` A or N: building there takes
/// land the law protects, whatever stood on it). Unknown zoning counts as
/// artificialised (a friche is, by definition); no area or no need: `None`.
///
/// ```
/// # use sitematch::{Brief, Catalog, Engine, Feature, Layer, Role, Value};
/// let mut f = Feature::point("a", 2.0, 48.0);
/// f.area_ha = Some(12.0);
/// f.attributes.insert("zoning".into(), Value::Text("N".into()));
/// let sites = Layer::from_features("sites", Role::Sites, vec![f]);
/// let engine = Engine::new(Catalog::from_layers(vec![sites]));
/// let brief = Brief::from_toml_str("need_ha = 20\n[[criterion]]\nname = \"land\"\ntype = \"attribute\"\nfield = \"area_ha\"\nideal = 20\nzero = 0\n")?;
/// assert_eq!(engine.rank(&brief)?.sites[0].land_take_avoided_ha, Some(0.0));
/// # Ok::<(), sitematch::Error>(())
/// ```
pub(crate) fn land_take_avoided(site: &Feature, need_ha: Option<f64>) -> Option<f64> {
    let need = need_ha?;
    let area = site.area_ha?;
    let zoning = site.attribute("zoning").as_text().map(|z| fold(&z));
    let protected = zoning.is_some_and(|z| {
        z == "a" || z.starts_with('n') || (z.starts_with('a') && !z.starts_with("au"))
    });
    Some(if protected { 0.0 } else { area.min(need) })
}

/// The mean of `count` over a sample, times `n`.
pub(super) fn extrapolate(sample: &[&Feature], n: usize, count: impl Fn(&Feature) -> usize) -> f64 {
    if sample.is_empty() {
        return 0.0;
    }
    let visited: usize = sample.iter().map(|f| count(f)).sum();
    visited as f64 / sample.len() as f64 * n as f64
}

/// Refuses, before any work, a brief whose sums would visit more than [`MAX_PAIRS`]
/// pairs over these candidates: the count is extrapolated from up to 256 candidates
/// taken evenly through the list (each counted by the index, without a distance).
/// Every sum that can reach that many (access and competition in a straight line) is
/// counted; sums by road are bounded by the network's reach in the time given.
fn check_pairs(brief: &Brief, scorers: &[Box<dyn Scorer + '_>], sites: &[&Feature]) -> Result<()> {
    let step = sites.len().div_ceil(256).max(1);
    let sample: Vec<&Feature> = sites.iter().step_by(step).copied().collect();
    if sample.is_empty() {
        return Ok(());
    }
    let mut problems = Vec::new();
    for (i, (c, scorer)) in brief.criteria.iter().zip(scorers).enumerate() {
        let estimate = scorer.pairs(&sample, sites.len());
        if estimate > MAX_PAIRS as f64 {
            let key = if c
                .kind
                .travel()
                .is_some_and(|t| !matches!(t, Travel::Straight))
            {
                "radius_min"
            } else {
                "radius_km"
            };
            problems.push(crate::error::KeyProblem::new(
                format!("criterion[{i}].{key}"),
                format!(
                    "{}: the sum over this radius would visit about {} (site, feature) pairs for {} candidates; the limit is {} (a smaller radius, or fewer candidates with a filter)",
                    c.name,
                    crate::output::thousands(estimate),
                    crate::output::thousands(sites.len() as f64),
                    crate::output::thousands(MAX_PAIRS as f64),
                ),
            ));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Error::Brief(crate::error::BriefProblems {
            path: None,
            problems,
        }))
    }
}

/// The number of a text among the folded texts seen so far.
fn intern<'a>(
    text: &'a str,
    raw: &mut HashMap<&'a str, u32>,
    numbers: &mut HashMap<String, u32>,
) -> u32 {
    if let Some(&n) = raw.get(text) {
        return n;
    }
    let next = numbers.len() as u32;
    let n = *numbers.entry(fold(text)).or_insert(next);
    raw.insert(text, n);
    n
}

/// The categories and tags of a layer's features folded for matching, each distinct
/// text folded once and numbered: matching compares numbers.
#[derive(Debug, Clone, Default)]
struct Folded {
    /// Folded text to its number.
    numbers: HashMap<String, u32>,
    /// Per feature: its category's number.
    category: Vec<Option<u32>>,
    /// Per feature: its tags' numbers.
    tags: Vec<Vec<u32>>,
    /// The distinct categories and tags as written (for the brief's warnings).
    known: warnings::Known,
}

impl Folded {
    fn new(layer: &Layer) -> Folded {
        let mut out = Folded::default();
        // Each distinct raw text is folded once.
        let mut raw: HashMap<&str, u32> = HashMap::new();
        let (mut seen_categories, mut seen_tags) = (HashSet::new(), HashSet::new());
        for f in &layer.features {
            let c = f.category.as_deref().map(|c| {
                if seen_categories.insert(c) {
                    out.known.categories.insert(c.to_string());
                }
                intern(c, &mut raw, &mut out.numbers)
            });
            out.category.push(c);
            let tags = f
                .tags
                .iter()
                .map(|t| {
                    if seen_tags.insert(t.as_str()) {
                        out.known.tags.insert(t.clone());
                    }
                    intern(t, &mut raw, &mut out.numbers)
                })
                .collect();
            out.tags.push(tags);
        }
        out
    }
}

/// The engine: every layer indexed once, ready for many briefs.
///
/// ```
/// use sitematch::{Brief, Catalog, Engine, Feature, Layer, Role};
/// let mut big = Feature::point("big", 2.0, 48.0);
/// big.area_ha = Some(50.0);
/// let mut small = Feature::point("small", 2.1, 48.0);
/// small.area_ha = Some(10.0);
/// let sites = Layer::from_features("sites", Role::Sites, vec![big, small]);
/// let engine = Engine::new(Catalog::from_layers(vec![sites]));
/// let brief = Brief::from_toml_str(r#"
///     [[criterion]]
///     name = "land"
///     type = "attribute"
///     field = "area_ha"
///     ideal = 60
///     zero = 0
/// "#)?;
/// let ranking = engine.rank(&brief)?;
/// assert_eq!(ranking.sites[0].site_id, "big");
/// assert!((ranking.sites[0].score.unwrap() - 100.0 * 50.0 / 60.0).abs() < 1e-9);
/// # Ok::<(), sitematch::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Engine {
    layers: Vec<IndexedLayer>,
    networks: Vec<Network>,
    folded: Vec<Folded>,
    by_name: HashMap<String, usize>,
}

impl Engine {
    /// Indexes every layer of the catalog (one R-tree bulk load per layer).
    ///
    /// Each layer's features are first sorted by id, so that every sum and every
    /// tie is computed in the same order whatever the order of the input files: the
    /// same data gives byte-identical results.
    pub fn new(catalog: Catalog) -> Engine {
        let layers: Vec<IndexedLayer> = catalog
            .layers
            .into_par_iter()
            .map(|mut layer| {
                layer
                    .features
                    .sort_by(|a, b| a.id.as_bytes().cmp(b.id.as_bytes()));
                IndexedLayer::new(layer)
            })
            .collect();
        let folded = layers.par_iter().map(|l| Folded::new(l.layer())).collect();
        let by_name = layers
            .iter()
            .enumerate()
            .map(|(i, l)| (l.layer().name.clone(), i))
            .collect();
        Engine {
            layers,
            networks: catalog.networks,
            folded,
            by_name,
        }
    }

    /// The network a drive-time criterion runs on: the one it names, or the data
    /// set's only one; `None` for other travel (and when there is no such network,
    /// which [`Engine::check`] reports first).
    fn network_of(&self, travel: &Travel) -> Option<&Network> {
        match travel {
            Travel::Drive { network: Some(n) } => self.network(n),
            Travel::Drive { network: None } if self.networks.len() == 1 => self.networks.first(),
            _ => None,
        }
    }

    /// The drive-time criteria whose network is not in the data set.
    fn network_problems(&self, brief: &Brief) -> Vec<KeyProblem> {
        let names: Vec<&str> = self.networks.iter().map(|n| n.name.as_str()).collect();
        let mut out = Vec::new();
        for (i, c) in brief.criteria.iter().enumerate() {
            let Some(travel) = c.kind.travel() else {
                continue;
            };
            match travel {
                Travel::Drive { network: Some(n) } if self.network(n).is_none() => {
                    out.push(KeyProblem::new(
                        format!("criterion[{i}].network"),
                        if names.is_empty() {
                            format!("no network {n:?}: the data set has no network layer")
                        } else {
                            format!("no network {n:?}; the networks are: {}", names.join(", "))
                        },
                    ))
                }
                Travel::Drive { network: None } if names.len() != 1 => out.push(KeyProblem::new(
                    format!("criterion[{i}].travel"),
                    if names.is_empty() {
                        "\"drive\" needs a road network: the data set has no layer of role \
                         \"network\"; add one to the catalog (README: drive time)"
                            .to_string()
                    } else {
                        format!(
                            "the data set has {} networks ({}); name one with network = \"...\"",
                            names.len(),
                            names.join(", ")
                        )
                    },
                )),
                _ => {}
            }
        }
        out
    }

    /// For drive-time criteria, once per network: how many ranked sites join it far
    /// from it (more than 10 km from the nearest node: the network does not cover
    /// them) or in a small part of it (not its largest component: most places are
    /// unreachable from them).
    fn network_warnings(&self, brief: &Brief, sites: &[&Feature]) -> Vec<KeyProblem> {
        // Network name -> (key of its first criterion, criterion names).
        let mut uses: Vec<(&Network, String, Vec<&str>)> = Vec::new();
        for (i, c) in brief.criteria.iter().enumerate() {
            let Some(travel) = c.kind.travel() else {
                continue;
            };
            let Some(net) = self.network_of(travel) else {
                continue;
            };
            match uses.iter_mut().find(|(n, _, _)| n.name == net.name) {
                Some((_, _, names)) => names.push(&c.name),
                None => uses.push((net, format!("criterion[{i}]"), vec![&c.name])),
            }
        }
        let mut out = Vec::new();
        for (net, key, names) in uses {
            let largest = net.component_sizes().first().copied().unwrap_or(0);
            let (mut far, mut island) = (0usize, 0usize);
            for f in sites {
                match net.join(f.location) {
                    // 10 km at the access speed.
                    Some((_, leg)) if leg > net.leg_minutes(10_000.0) => far += 1,
                    Some((node, _)) if net.component_size(node) < largest => island += 1,
                    Some(_) => {}
                    None => far += 1,
                }
            }
            let (names, total) = (names.join(", "), sites.len());
            if far > 0 {
                out.push(KeyProblem::new(
                    key.clone(),
                    format!(
                        "{names}: {far} of the {total} ranked sites are more than 10 km from \
                         the nearest node of network {:?}, which does not cover them; their \
                         times are mostly the access leg at {} km/h",
                        net.name, net.access_kmh
                    ),
                ));
            }
            if island > 0 {
                out.push(KeyProblem::new(
                    key,
                    format!(
                        "{names}: {island} of the {total} ranked sites join network {:?} in a \
                         part not connected to its main part ({largest} nodes); places beyond \
                         that part are unreachable by road from them",
                        net.name
                    ),
                ));
            }
        }
        out
    }

    /// Builds every layer's indexes now. They are otherwise built on the first query
    /// that needs them, so that a run pays only for what its brief uses; a server
    /// calls this once at start so that no request pays for them.
    ///
    /// ```
    /// use sitematch::{Catalog, Engine, Feature, Layer, Role};
    /// let engine = Engine::new(Catalog::from_layers(vec![Layer::from_features(
    ///     "ports", Role::Facilities, vec![Feature::point("a", 0.0, 0.0)],
    /// )]));
    /// engine.build_indexes();
    /// let near = engine.layer("ports").and_then(|l| l.nearest(geo::Point::new(0.0, 0.1), |_| true));
    /// assert_eq!(near.map(|(i, _)| i), Some(0));
    /// ```
    pub fn build_indexes(&self) {
        self.layers.par_iter().for_each(IndexedLayer::build_all);
    }

    /// The road network with this name.
    pub fn network(&self, name: &str) -> Option<&Network> {
        self.networks.iter().find(|n| n.name == name)
    }

    /// The road networks, in catalog order.
    pub fn networks(&self) -> &[Network] {
        &self.networks
    }

    /// The indexed layer with this name.
    pub fn layer(&self, name: &str) -> Option<&IndexedLayer> {
        self.by_name.get(name).and_then(|&i| self.layers.get(i))
    }

    /// The layers, in catalog order.
    pub fn layers(&self) -> impl Iterator<Item = &Layer> {
        self.layers.iter().map(IndexedLayer::layer)
    }

    fn site_layers(&self, brief: &Brief) -> Vec<&IndexedLayer> {
        match &brief.filter.layers {
            Some(names) => names.iter().filter_map(|n| self.layer(n)).collect(),
            None => self
                .layers
                .iter()
                .filter(|l| l.layer().role == Role::Sites)
                .collect(),
        }
    }

    /// Checks a brief against the data: layers exist and have the right role, fields
    /// exist. Every problem is reported at once.
    pub fn check(&self, brief: &Brief) -> Result<()> {
        let layers: Vec<&Layer> = self.layers().collect();
        let mut problems = brief.check_against(&layers);
        problems.extend(self.network_problems(brief));
        if problems.is_empty() {
            Ok(())
        } else {
            Err(Error::Brief(BriefProblems {
                path: None,
                problems,
            }))
        }
    }

    /// Evaluates every criterion of a brief for one site: the results, with the
    /// `<criterion>:max_km` reasons appended to `excluded_by`.
    fn evaluate(
        &self,
        scorers: &[Box<dyn Scorer + '_>],
        weights: &[f64],
        brief: &Brief,
        site: &Feature,
        excluded_by: &mut Vec<Exclusion>,
    ) -> Vec<CriterionResult> {
        scorers
            .iter()
            .zip(weights)
            .zip(&brief.criteria)
            .map(|((s, w), c)| {
                let e = s.evaluate(site);
                if e.excludes {
                    let name = s.name().to_string();
                    excluded_by.push(match &c.kind {
                        CriterionKind::Distance {
                            travel: Travel::Straight,
                            ..
                        } => Exclusion::MaxKm(name),
                        _ => Exclusion::MaxMin(name),
                    });
                }
                let nearest = e.nearest.and_then(|i| {
                    let layer = c.kind.layer().and_then(|n| self.layer(n))?;
                    layer.layer().features.get(i)
                });
                CriterionResult {
                    points: 100.0 * w * e.score,
                    value: e.value,
                    score: e.score,
                    nearest_id: nearest.map(|n| n.id.clone()),
                    nearest_label: nearest.and_then(|n| n.label.clone()),
                    workers: e.detail.map(|d| d.workers),
                    competing_jobs: e.detail.and_then(|d| d.competing_jobs),
                    km: e.km,
                    freight: e.freight,
                }
            })
            .collect()
    }

    /// Builds the scorers of a brief's criteria, reading the travel matrices they
    /// name (each file once).
    fn scorers<'a>(&'a self, brief: &'a Brief) -> Result<Vec<Box<dyn Scorer + 'a>>> {
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
        let matrix_of = |travel: &Travel| match travel {
            Travel::Matrix(p) => matrices.get(p.as_path()).cloned(),
            _ => None,
        };
        Ok(brief
            .criteria
            .iter()
            .map(|c| -> Box<dyn Scorer + 'a> {
                let layer = |name: &str| {
                    self.by_name
                        .get(name)
                        .and_then(|&i| Some((self.layers.get(i)?, self.folded.get(i)?)))
                };
                match &c.kind {
                    CriterionKind::Distance {
                        layer: l,
                        categories,
                        tags,
                        ideal,
                        zero,
                        max,
                        travel,
                    } => match (self.network_of(travel), matrix_of(travel)) {
                        (_, Some(m)) => Box::new(matrix::MatrixDistanceScorer::new(
                            &c.name,
                            layer(l),
                            m,
                            categories,
                            tags,
                            *ideal,
                            *zero,
                            *max,
                        )),
                        (Some(net), None) => Box::new(drive::DriveDistanceScorer::new(
                            &c.name,
                            layer(l),
                            net,
                            categories,
                            tags,
                            *ideal,
                            *zero,
                            *max,
                        )),
                        (None, None) => Box::new(distance::DistanceScorer::new(
                            &c.name,
                            layer(l),
                            categories,
                            tags,
                            *ideal,
                            *zero,
                            *max,
                        )),
                    },
                    CriterionKind::Access {
                        layer: l,
                        field,
                        categories,
                        tags,
                        radius,
                        decay,
                        saturation,
                        travel,
                    } => match (self.network_of(travel), matrix_of(travel)) {
                        (_, Some(m)) => Box::new(matrix::MatrixAccessScorer::new(
                            &c.name,
                            layer(l),
                            m,
                            field.as_deref(),
                            categories,
                            tags,
                            *radius,
                            *decay,
                            *saturation,
                        )),
                        (Some(net), None) => {
                            Box::new(drive::DriveAccessScorer::new(drive::AccessSpec {
                                name: &c.name,
                                layer: layer(l),
                                network: net,
                                field: field.as_deref(),
                                categories,
                                tags,
                                radius: *radius,
                                decay: *decay,
                                saturation: *saturation,
                            }))
                        }
                        (None, None) => Box::new(access::AccessScorer::new(
                            &c.name,
                            layer(l),
                            field.as_deref(),
                            categories,
                            tags,
                            *radius,
                            *decay,
                            *saturation,
                        )),
                    },
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
                    // Every flows file was read above.
                    CriterionKind::Freight(f) => Box::new(freight::FreightScorer::new(
                        &c.name,
                        f,
                        flows.get(f.flows.as_path()).unwrap_or(&no_flows),
                        f.rail_layer.as_deref().and_then(layer),
                        self.network_of(&f.travel),
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
                        workers: self.layer(l),
                        field,
                        jobs: self.layer(jobs_layer),
                        jobs_field,
                        radius: *radius,
                        impedance: *impedance,
                        measure: *measure,
                        saturation: *saturation,
                        matrix: match travel {
                            Travel::Matrix(p) => matrices.get(p.as_path()).cloned(),
                            _ => None,
                        },
                        network: self.network_of(travel),
                    })),
                }
            })
            .collect())
    }

    /// For a brief with `[candidates] grid_km`: the grid of scored cells over the
    /// brief's `bbox` or `departments`, as a stream. Cells with no land point within
    /// reach, outside the départements or outside the `within` zones are left out (and
    /// counted in [`Grid::stats`]); cells failing a hard constraint too, unless
    /// `include_excluded`.
    pub fn grid<'a>(&'a self, brief: &'a Brief, include_excluded: bool) -> Result<Grid<'a>> {
        Grid::new(self, brief, include_excluded)
    }

    /// Runs a brief: checks it against the data, applies the filters, evaluates every
    /// criterion for every considered site, aggregates and ranks, then applies the
    /// decision-support steps the brief asks for (Pareto front, robustness, near misses,
    /// diverse shortlist).
    pub fn rank(&self, brief: &Brief) -> Result<Ranking> {
        if brief.grid.is_some() {
            return Err(BriefProblems::one(
                "candidates",
                "a grid brief is scored with Engine::grid, as a stream",
            ));
        }
        self.check(brief)?;
        let site_layers = self.site_layers(brief);
        check_site_ids(&site_layers)?;
        let scorers = self.scorers(brief)?;
        let mut ranking = self.ranking_shell(brief, true);
        let weights = ranking.weights();
        let zones = self.exclude_zones(brief);
        // Each candidate: its layer, its index in the layer and the feature.
        let candidates: Vec<(&IndexedLayer, usize, &Feature)> = site_layers
            .iter()
            .flat_map(|l| {
                l.layer()
                    .features
                    .iter()
                    .enumerate()
                    .map(move |(i, f)| (*l, i, f))
            })
            .collect();
        let need_ha = ranking.need_ha;
        let only: Vec<&Feature> = candidates.iter().map(|(_, _, f)| *f).collect();
        check_pairs(brief, &scorers, &only)?;
        let attributes = attribute_columns(&site_layers);
        // Per site layer: where each of the ranking's columns is among its attributes.
        let positions: Vec<Vec<Option<usize>>> = site_layers
            .iter()
            .map(|l| {
                let names = &l.layer().attribute_names;
                attributes
                    .iter()
                    .map(|a| names.iter().position(|n| *n == a.name))
                    .collect()
            })
            .collect();
        let layer_positions = |l: &IndexedLayer| {
            site_layers
                .iter()
                .position(|s| std::ptr::eq(*s, l))
                .and_then(|k| positions.get(k))
        };
        let mut sites: Vec<SiteResult> = candidates
            .par_iter()
            .map(|(layer, i, f)| {
                let mut excluded_by = filter::reasons(&brief.filter, f, &zones);
                let criteria = self.evaluate(&scorers, &weights, brief, f, &mut excluded_by);
                let row = layer.attribute_rows().get(*i);
                let values = match (row, layer_positions(layer)) {
                    // The ranking's columns are this layer's, in its order.
                    (Some(row), Some(at))
                        if row.len() == at.len()
                            && at.iter().enumerate().all(|(k, p)| *p == Some(k)) =>
                    {
                        row.clone()
                    }
                    (Some(row), Some(at)) => at
                        .iter()
                        .map(|p| p.and_then(|p| row.get(p)).cloned().unwrap_or_default())
                        .collect(),
                    _ => vec![Value::Null; attributes.len()],
                };
                SiteResult {
                    site_id: f.id.clone(),
                    label: f.label.clone(),
                    layer: layer.layer().name.clone(),
                    category: f.category.clone(),
                    commune: f.commune.clone(),
                    attributes: values,
                    location: f.location,
                    geometry: f.geometry.clone(),
                    area_ha: f.area_ha,
                    rank: None,
                    score: None,
                    excluded_by,
                    criteria,
                    decision: Decision::default(),
                    land_take_avoided_ha: land_take_avoided(f, need_ha),
                }
            })
            .collect();

        // Aggregate over the sites that pass every hard constraint; rank best first,
        // ties by id; the excluded sites follow, by id.
        let target = match &brief.target {
            Some(t) => Some(target_profile(brief, t, &sites)?),
            None => None,
        };
        let passing: Vec<usize> = (0..sites.len())
            .filter(|&i| sites[i].excluded_by.is_empty())
            .collect();
        // The criterion scores of the ranked sites, a row each (in candidate order).
        let matrix: Vec<Vec<f64>> = passing
            .iter()
            .map(|&i| sites[i].criteria.iter().map(|c| c.score).collect())
            .collect();
        match &target {
            Some(t) => {
                for &i in &passing {
                    let s = &mut sites[i];
                    s.score = Some(likeness(t, &weights, &mut s.criteria));
                }
            }
            None => {
                let scores = aggregate(brief.method, &matrix, &weights);
                for (&i, score) in passing.iter().zip(scores) {
                    sites[i].score = Some(score);
                }
            }
        }
        // Sites move once, in place, to the order of their (small) keys.
        let mut order: Vec<usize> = (0..sites.len()).collect();
        {
            let keys: Vec<(bool, f64, &[u8])> = sites
                .iter()
                .map(|s| {
                    let ranked = s.excluded_by.is_empty();
                    // Best score first among the ranked; excluded sites by id alone.
                    let score = if ranked { -s.score.unwrap_or(0.0) } else { 0.0 };
                    (!ranked, score, s.site_id.as_bytes())
                })
                .collect();
            order.sort_unstable_by(|&a, &b| {
                let (x, y) = (&keys[a], &keys[b]);
                x.0.cmp(&y.0)
                    .then_with(|| x.1.total_cmp(&y.1))
                    .then_with(|| x.2.cmp(y.2))
            });
        }
        permute(&mut sites, &order);
        // The matrix's rows in rank order, for the decision steps.
        let matrix = {
            let mut row_of = vec![usize::MAX; sites.len()];
            for (p, &i) in passing.iter().enumerate() {
                row_of[i] = p;
            }
            let mut rows: Vec<Option<Vec<f64>>> = matrix.into_iter().map(Some).collect();
            order
                .iter()
                .take(passing.len())
                .map(|&i| {
                    let row = row_of.get(i).and_then(|&p| rows.get_mut(p));
                    row.and_then(Option::take).unwrap_or_default()
                })
                .collect::<Vec<_>>()
        };
        ranking.ranked = passing.len();
        for (i, s) in sites.iter_mut().take(passing.len()).enumerate() {
            s.rank = Some(i + 1);
        }
        ranking.attributes = attributes;
        ranking.target = target;
        ranking.sites = sites;

        // The ranked sites' features, in rank order.
        let ranked: Vec<&Feature> = order
            .iter()
            .take(ranking.ranked)
            .filter_map(|&k| candidates.get(k).map(|(_, _, f)| *f))
            .collect();
        let network_notes = self.network_warnings(brief, &ranked);
        ranking.warnings.extend(network_notes);
        decision::apply(brief, &mut ranking, &matrix, |k| {
            let attr = brief.output.one_per.as_deref()?;
            ranked.get(k)?.attribute(attr).as_text()
        });
        let flat = warnings::flat_criteria(brief, &ranking);
        ranking.warnings.extend(flat);
        ranking.warnings.extend(scorer_notes(&scorers));
        ranking.warnings.extend(not_in_matrix(brief, &ranking));
        Ok(ranking)
    }

    /// The values of a brief that match nothing in the data (`where`, `departments`,
    /// `categories`, `tags`, category `scores`), each with the closest value the data
    /// has. [`Engine::rank`] adds them to the ranking's warnings.
    ///
    /// ```
    /// use sitematch::{Brief, Catalog, Engine, Feature, Layer, Role};
    /// let mut site = Feature::point("a", 2.0, 48.0);
    /// site.attributes.insert("statut".into(), sitematch::Value::Text("friche sans projet".into()));
    /// let engine = Engine::new(Catalog::from_layers(vec![Layer::from_features("sites", Role::Sites, vec![site])]));
    /// let brief = Brief::from_toml_str(r#"
    ///     [filter]
    ///     where = { statut = ["friche sans projet", "friche sans projets"] }
    ///     [[criterion]]
    ///     name = "land"
    ///     type = "attribute"
    ///     field = "area_ha"
    ///     ideal = 10
    ///     zero = 0
    /// "#)?;
    /// let w = engine.value_warnings(&brief);
    /// assert_eq!(w[0].key, "filter.where.statut[1]");
    /// assert!(w[0].message.ends_with("did you mean \"friche sans projet\"?"));
    /// # Ok::<(), sitematch::Error>(())
    /// ```
    pub fn value_warnings(&self, brief: &Brief) -> Vec<KeyProblem> {
        let sites: Vec<&Layer> = self.site_layers(brief).iter().map(|l| l.layer()).collect();
        warnings::unmatched_values(brief, &sites, |n| {
            let &i = self.by_name.get(n)?;
            self.folded.get(i).map(|f| &f.known)
        })
    }

    /// The `exclude_zones` layers of a brief, by name.
    fn exclude_zones<'a>(&'a self, brief: &'a Brief) -> Vec<(&'a str, Option<&'a IndexedLayer>)> {
        brief
            .filter
            .exclude_zones
            .iter()
            .map(|z| (z.as_str(), self.layer(z)))
            .collect()
    }

    /// A ranking with no sites yet: the brief's criteria and normalised weights, the
    /// method, the layer counts. `count_missing` counts, for access criteria, the
    /// matching features without a number in the summed field.
    fn ranking_shell(&self, brief: &Brief, count_missing: bool) -> Ranking {
        let (weights, ahp_cr) = brief.normalised_weights();
        let criteria = brief
            .criteria
            .iter()
            .zip(&weights)
            .map(|(c, w)| {
                // The network a drive criterion runs on, named even when the brief
                // left it to the data set's only one.
                let mut kind = c.kind.clone();
                if let Some(travel) = kind.travel_mut() {
                    if let (Travel::Drive { network: None }, Some(n)) =
                        (&*travel, self.network_of(travel))
                    {
                        *travel = Travel::Drive {
                            network: Some(n.name.clone()),
                        };
                    }
                }
                (c, w, kind)
            })
            .map(|(c, w, kind)| CriterionInfo {
                name: c.name.clone(),
                kind: c.kind.kind(),
                weight: *w,
                unit: kind.unit(),
                travel: kind.travel().cloned().unwrap_or(Travel::Straight),
                sums: match &c.kind {
                    CriterionKind::Access { field, .. } => field.clone(),
                    CriterionKind::Competition {
                        field,
                        measure: CompetitionMeasure::ExpectedWorkers { .. },
                        ..
                    } => Some(field.clone()),
                    _ => None,
                },
                missing_values: if count_missing {
                    self.missing_values(&c.kind)
                } else {
                    None
                },
            })
            .collect();
        Ranking {
            brief_name: brief.name.clone(),
            method: brief.method,
            top: brief.top,
            criteria,
            ahp_cr,
            sites: Vec::new(),
            ranked: 0,
            layers: self
                .layers()
                .map(|l| LayerCount {
                    name: l.name.clone(),
                    loaded: l.features.len(),
                    skipped: l.skipped.len(),
                })
                .collect(),
            robustness: brief.robustness,
            shortlist: brief.output.min_spacing_km.is_some() || brief.output.one_per.is_some(),
            warnings: self.value_warnings(brief),
            attributes: Vec::new(),
            need_ha: brief.need_ha.or(brief.filter.min_area_ha),
            target: None,
        }
    }

    /// For an access criterion summing a field: how many matching features of its
    /// layer have no number in that field; for a competition criterion, how many
    /// worker and job features have none in theirs.
    fn missing_values(&self, kind: &CriterionKind) -> Option<usize> {
        if let CriterionKind::Competition {
            layer,
            field,
            jobs_layer,
            jobs_field,
            ..
        } = kind
        {
            let missing = |l: &str, field: &str| {
                self.layer(l).map_or(0, |l| {
                    l.field_numbers(field)
                        .iter()
                        .filter(|x| x.is_none())
                        .count()
                })
            };
            return Some(missing(layer, field) + missing(jobs_layer, jobs_field));
        }
        let CriterionKind::Access {
            layer,
            field: Some(field),
            categories,
            tags,
            ..
        } = kind
        else {
            return None;
        };
        let &i = self.by_name.get(layer)?;
        let (l, folded) = (self.layers.get(i)?, self.folded.get(i)?);
        let m = distance::Matcher::new(categories, tags);
        Some(
            l.field_numbers(field)
                .iter()
                .zip(m.mask(folded))
                .filter(|(x, m)| *m && x.is_none())
                .count(),
        )
    }
}

/// Puts `v[order[k]]` at `k` for every `k`, in place: each element moves along the
/// cycle of the permutation it is on (`order` holds every index once).
fn permute<T>(v: &mut [T], order: &[usize]) {
    let mut done = vec![false; v.len()];
    for start in 0..v.len() {
        if done[start] {
            continue;
        }
        let mut at = start;
        loop {
            done[at] = true;
            let next = order[at];
            if next == start {
                break;
            }
            v.swap(at, next);
            at = next;
        }
    }
}

/// Site ids are unique across the candidate layers. The engine sorts each layer by
/// id, so within one layer a duplicate is next to its twin.
fn check_site_ids(site_layers: &[&IndexedLayer]) -> Result<()> {
    let duplicate = |id: &str, first: &str, second: &str| Error::DuplicateSiteId {
        id: id.to_string(),
        first: first.to_string(),
        second: second.to_string(),
    };
    if let [only] = site_layers {
        let l = only.layer();
        return match l.features.windows(2).find(|w| w[0].id == w[1].id) {
            Some(w) => Err(duplicate(&w[0].id, &l.name, &l.name)),
            None => Ok(()),
        };
    }
    let mut seen: HashMap<&str, &str> = HashMap::new();
    for l in site_layers {
        let name = l.layer().name.as_str();
        for f in &l.layer().features {
            if let Some(first) = seen.insert(f.id.as_str(), name) {
                return Err(duplicate(&f.id, first, name));
            }
        }
    }
    Ok(())
}

/// The attribute columns of the candidate layers: every field name, in the layers'
/// order, each typed from every candidate's value.
fn attribute_columns(layers: &[&IndexedLayer]) -> Vec<AttributeColumn> {
    let mut names: Vec<(&str, ColumnEvidence)> = Vec::new();
    for l in layers {
        for (a, e) in l.layer().attribute_names.iter().zip(l.column_evidence()) {
            match names.iter_mut().find(|(n, _)| *n == a.as_str()) {
                Some((_, seen)) => *seen = seen.merge(*e),
                None => names.push((a, *e)),
            }
        }
    }
    names
        .into_iter()
        .map(|(name, e)| AttributeColumn {
            name: name.to_string(),
            kind: e.kind(),
        })
        .collect()
}

/// The scorers' notes, keyed by their criterion.
fn scorer_notes(scorers: &[Box<dyn Scorer + '_>]) -> Vec<KeyProblem> {
    scorers
        .iter()
        .enumerate()
        .flat_map(|(i, s)| {
            s.notes()
                .into_iter()
                .map(move |n| KeyProblem::new(format!("criterion[{i}]"), n))
        })
        .collect()
}

/// For criteria on a matrix: how many candidates the matrix does not name (their
/// value is null, their score 0).
fn not_in_matrix(brief: &Brief, ranking: &Ranking) -> Vec<KeyProblem> {
    let mut out = Vec::new();
    for (i, c) in brief.criteria.iter().enumerate() {
        let Some(Travel::Matrix(path)) = c.kind.travel() else {
            continue;
        };
        let missing = ranking
            .sites
            .iter()
            .filter(|s| {
                matches!(
                    s.criteria.get(i).map(|r| &r.value),
                    Some(CriterionValue::Number(None))
                )
            })
            .count();
        if missing > 0 {
            out.push(KeyProblem::new(
                format!("criterion[{i}]"),
                format!(
                    "{}: {missing} of the {} candidates are not in the matrix {}; their value \
                     is null and their score 0",
                    c.name,
                    ranking.sites.len(),
                    path.display()
                ),
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permute_puts_each_element_where_the_order_says() {
        // Permutations of every size up to 9 from a fixed generator, against building
        // the permuted vector afresh.
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        for n in 0..10usize {
            for _ in 0..50 {
                let mut order: Vec<usize> = (0..n).collect();
                for i in (1..n).rev() {
                    seed ^= seed << 13;
                    seed ^= seed >> 7;
                    seed ^= seed << 17;
                    order.swap(i, (seed % (i as u64 + 1)) as usize);
                }
                let v: Vec<String> = (0..n).map(|i| format!("v{i}")).collect();
                let expected: Vec<String> = order.iter().map(|&i| v[i].clone()).collect();
                let mut got = v.clone();
                permute(&mut got, &order);
                assert_eq!(got, expected, "order {order:?}");
            }
        }
    }

    #[test]
    fn engine_is_send_and_sync() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Engine>();
        assert_send_sync::<Ranking>();
    }
}
