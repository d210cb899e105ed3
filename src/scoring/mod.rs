//! The scoring engine (DESIGN section 3): filters, criteria, aggregation, ranking.
//!
//! [`Engine::new`] indexes every layer once; [`Engine::rank`] runs a brief. The engine
//! is `Send + Sync`, so one can serve many briefs from many threads.

mod access;
mod aggregate;
mod attribute;
mod category;
mod distance;
mod filter;
mod grid;
mod zone;

use std::collections::HashMap;

use geo::{Geometry, Point};
use rayon::prelude::*;

pub use aggregate::{topsis, weighted_sum};
pub use grid::{Grid, GridStats};

use crate::brief::{Brief, BriefProblem, BriefProblems, CriterionKind, Method};
use crate::catalog::Catalog;
use crate::decision::{self, Decision, Dropped};
use crate::error::{Error, Result};
use crate::index::IndexedLayer;
use crate::model::{Feature, Layer, Role};
use crate::text::fold;

/// A criterion's raw value for one site.
#[derive(Debug, Clone, PartialEq)]
pub enum CriterionValue {
    /// A number (km, a sum, an attribute), or `None` (no facility, missing value).
    Number(Option<f64>),
    /// The text of a category criterion.
    Text(Option<String>),
}

/// What one criterion says of one site.
#[derive(Debug, Clone, PartialEq)]
pub struct Evaluation {
    /// The raw value.
    pub value: CriterionValue,
    /// The score, 0 worst to 1 best.
    pub score: f64,
    /// For distance criteria: the nearest matching facility (layer feature index).
    pub nearest: Option<usize>,
    /// True when a hard constraint of the criterion (`max_km`) excludes the site.
    pub excludes: bool,
}

/// One criterion, ready to evaluate sites. Implementations are pure: no I/O.
pub trait Scorer: Send + Sync {
    /// The criterion's name (output column prefix).
    fn name(&self) -> &str;
    /// Evaluates one site.
    fn evaluate(&self, site: &Feature) -> Evaluation;
}

/// One criterion's result for one site, as output.
#[derive(Debug, Clone, PartialEq)]
pub struct CriterionResult {
    /// Raw value.
    pub value: CriterionValue,
    /// Score s_ic in 0..=1.
    pub score: f64,
    /// Points contributed to the weighted sum: 100 w_c s_ic / sum w.
    pub points: f64,
    /// Distance criteria: the nearest facility's id.
    pub nearest_id: Option<String>,
    /// Distance criteria: the nearest facility's label.
    pub nearest_label: Option<String>,
}

/// One site in a ranking, ranked or excluded.
#[derive(Debug, Clone, PartialEq)]
pub struct SiteResult {
    /// Site id.
    pub site_id: String,
    /// Site label.
    pub label: Option<String>,
    /// Layer the site comes from.
    pub layer: String,
    /// Site category.
    pub category: Option<String>,
    /// Site location (point, or polygon centroid), WGS84.
    pub location: Point<f64>,
    /// Site geometry, WGS84.
    pub geometry: Geometry<f64>,
    /// Land area, hectares.
    pub area_ha: Option<f64>,
    /// 1 = best; `None` when excluded.
    pub rank: Option<usize>,
    /// Overall score 0..=100; `None` when excluded.
    pub score: Option<f64>,
    /// Reasons for exclusion, empty when ranked.
    pub excluded_by: Vec<String>,
    /// Per criterion, in the brief's order.
    pub criteria: Vec<CriterionResult>,
    /// Robustness, Pareto front, near miss and shortlist figures.
    pub decision: Decision,
}

/// A criterion as the ranking reports it.
#[derive(Debug, Clone, PartialEq)]
pub struct CriterionInfo {
    /// Name.
    pub name: String,
    /// Type (`distance`, `access`...).
    pub kind: &'static str,
    /// Normalised weight (the weights sum to 1).
    pub weight: f64,
    /// Access criteria: how many matching features of the layer have no number in
    /// the summed field (they count 0).
    pub missing_values: Option<usize>,
}

/// Loaded and skipped counts of one layer.
#[derive(Debug, Clone, PartialEq)]
pub struct LayerCount {
    /// Layer name.
    pub name: String,
    /// Features loaded.
    pub loaded: usize,
    /// Features skipped.
    pub skipped: usize,
}

/// The result of a brief: ranked sites best first (ties by id), then the excluded
/// sites by id.
#[derive(Debug, Clone, PartialEq)]
pub struct Ranking {
    /// The brief's name.
    pub brief_name: String,
    /// Aggregation method.
    pub method: Method,
    /// How many ranked sites the brief asks to output.
    pub top: usize,
    /// Criteria with their normalised weights.
    pub criteria: Vec<CriterionInfo>,
    /// AHP consistency ratio, when the weights came from a matrix.
    pub ahp_cr: Option<f64>,
    /// Every site considered: ranked ones first, then excluded ones.
    pub sites: Vec<SiteResult>,
    /// How many sites are ranked (the first `ranked` of `sites`).
    pub ranked: usize,
    /// Per layer of the data set.
    pub layers: Vec<LayerCount>,
    /// The robustness settings used, when the brief asked for them.
    pub robustness: Option<crate::brief::Robustness>,
    /// True when a diverse shortlist (`[output] min_spacing_km` / `one_per`) applies.
    pub shortlist: bool,
}

impl Ranking {
    /// The ranked sites, best first.
    pub fn ranked_sites(&self) -> &[SiteResult] {
        self.sites.get(..self.ranked).unwrap_or(&[])
    }

    /// The excluded sites, by id.
    pub fn excluded_sites(&self) -> &[SiteResult] {
        self.sites.get(self.ranked..).unwrap_or(&[])
    }

    /// The site with this id.
    pub fn site(&self, id: &str) -> Option<&SiteResult> {
        self.sites.iter().find(|s| s.site_id == id)
    }
}

/// Text of a layer's features folded once for matching.
#[derive(Debug, Clone)]
struct Folded {
    category: Vec<Option<String>>,
    tags: Vec<Vec<String>>,
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
    folded: Vec<Folded>,
    by_name: HashMap<String, usize>,
}

const BUILTINS: [&str; 5] = ["id", "label", "category", "commune", "area_ha"];

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
        let folded = layers
            .iter()
            .map(|l| Folded {
                category: l
                    .layer()
                    .features
                    .iter()
                    .map(|f| f.category.as_deref().map(fold))
                    .collect(),
                tags: l
                    .layer()
                    .features
                    .iter()
                    .map(|f| f.tags.iter().map(|t| fold(t)).collect())
                    .collect(),
            })
            .collect();
        let by_name = layers
            .iter()
            .enumerate()
            .map(|(i, l)| (l.layer().name.clone(), i))
            .collect();
        Engine {
            layers,
            folded,
            by_name,
        }
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
        let mut problems = Vec::new();
        let mut problem = |key: String, message: String| {
            problems.push(BriefProblem { key, message });
        };
        let names = |role: Option<Role>| -> String {
            self.layers()
                .filter(|l| role.is_none_or(|r| l.role == r))
                .map(|l| l.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        };
        let mut role_check = |key: String, name: &str, roles: &[Role]| match self
            .layer(name)
            .map(|l| l.layer().role)
        {
            None => problem(
                key,
                format!(
                    "no layer {name:?} in the data; the layers are: {}",
                    names(None)
                ),
            ),
            Some(r) if !roles.contains(&r) => problem(
                key,
                format!(
                    "layer {name:?} is a {r} layer; this needs a {} layer",
                    roles
                        .iter()
                        .map(|r| r.to_string())
                        .collect::<Vec<_>>()
                        .join(" or ")
                ),
            ),
            Some(_) => {}
        };
        if let Some(layers) = &brief.filter.layers {
            for (i, n) in layers.iter().enumerate() {
                role_check(format!("filter.layers[{i}]"), n, &[Role::Sites]);
            }
        }
        for (i, n) in brief.filter.exclude_zones.iter().enumerate() {
            role_check(format!("filter.exclude_zones[{i}]"), n, &[Role::Zones]);
        }
        for (i, c) in brief.criteria.iter().enumerate() {
            let key = format!("criterion[{i}].layer");
            match &c.kind {
                CriterionKind::Distance { layer, .. } | CriterionKind::Access { layer, .. } => {
                    role_check(key, layer, &[Role::Facilities, Role::Population])
                }
                CriterionKind::Zone { layer } => role_check(key, layer, &[Role::Zones]),
                _ => {}
            }
        }
        let sites = self.site_layers(brief);
        if sites.is_empty() && brief.filter.layers.is_none() && brief.grid.is_none() {
            problem(
                "filter.layers".into(),
                "the data has no sites layer to rank".into(),
            );
        }
        let site_field = |f: &str| {
            BUILTINS.contains(&f)
                || sites
                    .iter()
                    .any(|l| l.layer().attribute_names.iter().any(|a| a == f))
        };
        let site_fields = || -> String {
            let mut all: Vec<String> = BUILTINS.iter().map(|s| s.to_string()).collect();
            for l in &sites {
                for a in &l.layer().attribute_names {
                    if !all.contains(a) {
                        all.push(a.clone());
                    }
                }
            }
            all.join(", ")
        };
        if let Some(attr) = &brief.output.one_per {
            if !site_field(attr) {
                problem(
                    "output.one_per".into(),
                    format!(
                        "the site layers have no attribute {attr:?}; they have: {}",
                        site_fields()
                    ),
                );
            }
        }
        for (attr, _) in &brief.filter.where_ {
            if !site_field(attr) {
                problem(
                    format!("filter.where.{attr}"),
                    format!(
                        "the site layers have no attribute {attr:?}; they have: {}",
                        site_fields()
                    ),
                );
            }
        }
        for (i, c) in brief.criteria.iter().enumerate() {
            match &c.kind {
                CriterionKind::Attribute { field, .. } | CriterionKind::Category { field, .. }
                    if !site_field(field) =>
                {
                    problem(
                        format!("criterion[{i}].field"),
                        format!(
                            "the site layers have no attribute {field:?}; they have: {}",
                            site_fields()
                        ),
                    )
                }
                CriterionKind::Access {
                    layer,
                    field: Some(field),
                    ..
                } => {
                    if let Some(l) = self.layer(layer) {
                        let l = l.layer();
                        if !BUILTINS.contains(&field.as_str())
                            && !l.attribute_names.iter().any(|a| a == field)
                        {
                            problem(
                                format!("criterion[{i}].field"),
                                format!(
                                    "layer {layer:?} has no attribute {field:?}; it has: {}",
                                    l.attribute_names.join(", ")
                                ),
                            )
                        }
                    }
                }
                _ => {}
            }
        }
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
        excluded_by: &mut Vec<String>,
    ) -> Vec<CriterionResult> {
        scorers
            .iter()
            .zip(weights)
            .zip(&brief.criteria)
            .map(|((s, w), c)| {
                let e = s.evaluate(site);
                if e.excludes {
                    excluded_by.push(format!("{}:max_km", s.name()));
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
                }
            })
            .collect()
    }

    /// Builds the scorers of a brief's criteria.
    fn scorers<'a>(&'a self, brief: &'a Brief) -> Vec<Box<dyn Scorer + 'a>> {
        brief
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
                        ideal_km,
                        zero_km,
                        max_km,
                    } => Box::new(distance::DistanceScorer::new(
                        &c.name,
                        layer(l),
                        categories,
                        tags,
                        *ideal_km,
                        *zero_km,
                        *max_km,
                    )),
                    CriterionKind::Access {
                        layer: l,
                        field,
                        categories,
                        tags,
                        radius_km,
                        decay,
                        saturation,
                    } => Box::new(access::AccessScorer::new(
                        &c.name,
                        layer(l),
                        field.as_deref(),
                        categories,
                        tags,
                        *radius_km,
                        *decay,
                        *saturation,
                    )),
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
                }
            })
            .collect()
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
    /// criterion for every considered site, aggregates and ranks.
    pub fn rank(&self, brief: &Brief) -> Result<Ranking> {
        if brief.grid.is_some() {
            return Err(Error::Brief(BriefProblems {
                path: None,
                problems: vec![BriefProblem {
                    key: "candidates".into(),
                    message: "a grid brief is scored with Engine::grid, as a stream".into(),
                }],
            }));
        }
        self.check(brief)?;
        let site_layers = self.site_layers(brief);
        let mut seen: HashMap<&str, &str> = HashMap::new();
        for l in &site_layers {
            let name = l.layer().name.as_str();
            for f in &l.layer().features {
                if let Some(first) = seen.insert(f.id.as_str(), name) {
                    return Err(Error::DuplicateSiteId {
                        id: f.id.clone(),
                        first: first.to_string(),
                        second: name.to_string(),
                    });
                }
            }
        }
        let scorers = self.scorers(brief);
        let (weights, ahp_cr) = brief.normalised_weights();
        let zones: Vec<(&str, Option<&IndexedLayer>)> = brief
            .filter
            .exclude_zones
            .iter()
            .map(|z| (z.as_str(), self.layer(z)))
            .collect();

        let candidates: Vec<(&Layer, &Feature)> = site_layers
            .iter()
            .flat_map(|l| l.layer().features.iter().map(move |f| (l.layer(), f)))
            .collect();
        let mut sites: Vec<SiteResult> = candidates
            .par_iter()
            .map(|(layer, f)| {
                let mut excluded_by = filter::reasons(&brief.filter, f, &zones);
                let criteria = self.evaluate(&scorers, &weights, brief, f, &mut excluded_by);
                SiteResult {
                    site_id: f.id.clone(),
                    label: f.label.clone(),
                    layer: layer.name.clone(),
                    category: f.category.clone(),
                    location: f.location,
                    geometry: f.geometry.clone(),
                    area_ha: f.area_ha,
                    rank: None,
                    score: None,
                    excluded_by,
                    criteria,
                    decision: Decision::default(),
                }
            })
            .collect();

        // Aggregate over the sites that pass every hard constraint.
        let (mut ranked, mut excluded): (Vec<SiteResult>, Vec<SiteResult>) =
            sites.drain(..).partition(|s| s.excluded_by.is_empty());
        let matrix: Vec<Vec<f64>> = ranked
            .iter()
            .map(|s| s.criteria.iter().map(|c| c.score).collect())
            .collect();
        let scores = match brief.method {
            Method::WeightedSum => weighted_sum(&matrix, &weights),
            Method::Topsis => topsis(&matrix, &weights),
        };
        for (s, score) in ranked.iter_mut().zip(scores) {
            s.score = Some(score);
        }
        ranked.sort_by(|a, b| {
            let (x, y) = (a.score.unwrap_or(0.0), b.score.unwrap_or(0.0));
            y.total_cmp(&x)
                .then_with(|| a.site_id.as_bytes().cmp(b.site_id.as_bytes()))
        });
        for (i, s) in ranked.iter_mut().enumerate() {
            s.rank = Some(i + 1);
        }
        excluded.sort_by(|a, b| a.site_id.as_bytes().cmp(b.site_id.as_bytes()));
        let features: HashMap<&str, &Feature> = candidates
            .iter()
            .map(|(_, f)| (f.id.as_str(), *f))
            .collect();
        decide(brief, &weights, &mut ranked, &mut excluded, &features);
        let ranked_count = ranked.len();
        ranked.append(&mut excluded);

        let criteria = brief
            .criteria
            .iter()
            .zip(&weights)
            .map(|(c, w)| CriterionInfo {
                name: c.name.clone(),
                kind: c.kind.type_name(),
                weight: *w,
                missing_values: match &c.kind {
                    CriterionKind::Access {
                        layer,
                        field: Some(field),
                        categories,
                        tags,
                        ..
                    } => self.by_name.get(layer).and_then(|&i| {
                        let l = self.layers.get(i)?;
                        let folded = self.folded.get(i)?;
                        let m = distance::Matcher::new(categories, tags);
                        Some(
                            l.layer()
                                .features
                                .iter()
                                .enumerate()
                                .filter(|(j, f)| {
                                    m.matches(folded, *j) && f.attribute(field).as_f64().is_none()
                                })
                                .count(),
                        )
                    }),
                    _ => None,
                },
            })
            .collect();
        Ok(Ranking {
            brief_name: brief.name.clone(),
            method: brief.method,
            top: brief.top,
            criteria,
            ahp_cr,
            sites: ranked,
            ranked: ranked_count,
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
        })
    }
}

/// Applies the decision-support steps the brief asks for to a fresh ranking.
fn decide(
    brief: &Brief,
    weights: &[f64],
    ranked: &mut [SiteResult],
    excluded: &mut [SiteResult],
    features: &HashMap<&str, &Feature>,
) {
    let matrix: Vec<Vec<f64>> = ranked
        .iter()
        .map(|s| s.criteria.iter().map(|c| c.score).collect())
        .collect();
    // Pareto front.
    let front = decision::pareto_front(&matrix);
    for (i, by) in front.iter().enumerate() {
        let dominated_by = by.and_then(|j| ranked.get(j)).map(|s| s.site_id.clone());
        if let Some(s) = ranked.get_mut(i) {
            s.decision.pareto = Some(by.is_none());
            s.decision.dominated_by = dominated_by;
        }
    }
    // Robustness, and the margin between the first two.
    if let Some(spec) = &brief.robustness {
        let mut by_id: Vec<usize> = (0..ranked.len()).collect();
        by_id.sort_by(|&a, &b| {
            ranked[a]
                .site_id
                .as_bytes()
                .cmp(ranked[b].site_id.as_bytes())
        });
        let mut tie = vec![0; ranked.len()];
        for (pos, i) in by_id.into_iter().enumerate() {
            tie[i] = pos;
        }
        let stats = decision::robustness(brief.method, &matrix, weights, &tie, brief.top, spec);
        for (s, st) in ranked.iter_mut().zip(stats) {
            s.decision.p_top = Some(st.p_top);
            s.decision.p_first = Some(st.p_first);
            s.decision.rank_p05 = Some(st.rank_p05);
            s.decision.rank_p95 = Some(st.rank_p95);
        }
        if ranked.len() >= 2 {
            let flip = decision::flip_margin(brief.method, &matrix, weights, 0, 1);
            for s in ranked.iter_mut().take(2) {
                s.decision.flip = flip.clone();
            }
        }
    }
    // Near misses among the excluded sites.
    let criterion = |reason: &str| {
        let name = reason.strip_suffix(":max_km")?;
        brief.criteria.iter().position(|c| c.name == name)
    };
    for s in excluded.iter_mut() {
        let value = |reason: &str| match reason {
            "min_area_ha" | "max_area_ha" => s.area_ha,
            r => match s.criteria.get(criterion(r)?)?.value {
                CriterionValue::Number(x) => x,
                CriterionValue::Text(_) => None,
            },
        };
        let max_km = |reason: &str| match &brief.criteria.get(criterion(reason)?)?.kind {
            CriterionKind::Distance { max_km, .. } => *max_km,
            _ => None,
        };
        let m = decision::near_miss(
            &s.excluded_by,
            brief.output.near_miss,
            brief.filter.min_area_ha.unwrap_or(0.0),
            brief.filter.max_area_ha,
            value,
            max_km,
        );
        s.decision.near_miss = m;
    }
    // A diverse shortlist.
    if brief.output.min_spacing_km.is_some() || brief.output.one_per.is_some() {
        let locations: Vec<Point<f64>> = ranked.iter().map(|s| s.location).collect();
        let groups: Vec<Option<String>> = ranked
            .iter()
            .map(|s| {
                let attr = brief.output.one_per.as_deref()?;
                features.get(s.site_id.as_str())?.attribute(attr).as_text()
            })
            .collect();
        let kept = decision::shortlist(&locations, &groups, brief.output.min_spacing_km, brief.top);
        let ids: Vec<String> = ranked.iter().map(|s| s.site_id.clone()).collect();
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
                        Dropped::Spacing(k, km) => format!(
                            "min_spacing_km: {km:.1} km from {}",
                            ids.get(k).map_or("", String::as_str)
                        ),
                        Dropped::OnePer(k, v) => format!(
                            "one_per {}: {v} already has {}",
                            brief.output.one_per.as_deref().unwrap_or(""),
                            ids.get(k).map_or("", String::as_str)
                        ),
                    });
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn engine_is_send_and_sync() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Engine>();
        assert_send_sync::<Ranking>();
    }
}
