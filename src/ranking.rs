//! What a brief produces: plain result types, no computation. The engine fills them,
//! the decision steps annotate them, the output writers format them.
//!
//! Over 600 lines: each result type carries its doc example (24 of them), a test of
//! the fields a library user reads.

use std::fmt;
use std::sync::Arc;

use arcstr::ArcStr;

use geo::{Geometry, Point};

use crate::aggregate::Method;
use crate::brief::CriterionType;
use crate::brief::Robustness;
pub use crate::criteria::{FlowShare, FreightDetail};
use crate::model::Value;
pub use crate::table::ColumnType;
pub(crate) use crate::table::{plain_number, ColumnEvidence};
use crate::warnings::Warning;

pub use crate::model::CriterionValue;

/// Why a site fails a hard constraint of the brief.
///
/// `Display` writes the stable [`code`](Exclusion::code) that the output's
/// `excluded_by` column holds.
///
/// ```
/// use sitematch::Exclusion;
/// assert_eq!(Exclusion::Where("statut".into()).to_string(), "where:statut");
/// assert_eq!(Exclusion::MaxKm("motorway".into()).to_string(), "motorway:max_km");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Exclusion {
    /// The brief bounds the area and the site's area is unknown.
    AreaUnknown,
    /// Below `filter.min_area_ha`.
    MinArea,
    /// Above `filter.max_area_ha`.
    MaxArea,
    /// Outside `filter.departments`.
    Department,
    /// Outside `filter.bbox`.
    BBox,
    /// The attribute's value is not among those of `filter.where`.
    Where(String),
    /// The attribute's value is among those of `filter.where_not`.
    WhereNot(String),
    /// Intersects a polygon of this `filter.exclude_zones` layer.
    Zone(String),
    /// The nearest facility of this distance criterion is beyond its `max_km`.
    MaxKm(String),
    /// The nearest facility of this drive-time criterion is beyond its `max_min`, or
    /// cannot be reached by road.
    MaxMin(String),
}

impl Exclusion {
    /// True for the reasons that put a site outside the brief's scope (départements,
    /// bbox, `where` lists, excluded zones), as opposed to those a near miss can be
    /// by (area, `max_km`): such a site is not summed over by access and competition
    /// criteria.
    pub fn out_of_scope(&self) -> bool {
        matches!(
            self,
            Exclusion::Department
                | Exclusion::BBox
                | Exclusion::Where(_)
                | Exclusion::WhereNot(_)
                | Exclusion::Zone(_)
        )
    }

    /// The stable code of the output column (`min_area_ha`, `where:statut`,
    /// `exclude_zones:seveso`, `motorway:max_km`...).
    pub fn code(&self) -> String {
        self.to_string()
    }

    /// True for the constraints with a numeric threshold (a near miss is possible).
    pub fn has_threshold(&self) -> bool {
        matches!(
            self,
            Exclusion::MinArea | Exclusion::MaxArea | Exclusion::MaxKm(_) | Exclusion::MaxMin(_)
        )
    }
}

impl fmt::Display for Exclusion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Exclusion::AreaUnknown => f.write_str("area:unknown"),
            Exclusion::MinArea => f.write_str("min_area_ha"),
            Exclusion::MaxArea => f.write_str("max_area_ha"),
            Exclusion::Department => f.write_str("departments"),
            Exclusion::BBox => f.write_str("bbox"),
            Exclusion::Where(attr) => write!(f, "where:{attr}"),
            Exclusion::WhereNot(attr) => write!(f, "where_not:{attr}"),
            Exclusion::Zone(layer) => write!(f, "exclude_zones:{layer}"),
            Exclusion::MaxKm(criterion) => write!(f, "{criterion}:max_km"),
            Exclusion::MaxMin(criterion) => write!(f, "{criterion}:max_min"),
        }
    }
}

/// One criterion's result for one site, as output.
///
/// ```
/// # use sitematch::{Brief, Catalog, Engine, Feature, Layer, Role};
/// # let mut big = Feature::point("big", 2.0, 48.0);
/// # big.area_ha = Some(50.0);
/// # let mut small = Feature::point("small", 2.1, 48.0);
/// # small.area_ha = Some(10.0);
/// # let sites = Layer::from_features("sites", Role::Sites, vec![big, small]);
/// # let engine = Engine::new(Catalog::from_layers(vec![sites]));
/// # let brief = Brief::from_toml_str("[filter]\nmin_area_ha = 20\n[[criterion]]\nname = \"land\"\ntype = \"attribute\"\nfield = \"area_ha\"\nideal = 60\nzero = 0\n")?;
/// let ranking = engine.rank(&brief)?;
/// let land = &ranking.site("big").unwrap().criteria[0];
/// // 50 ha on a ramp from 0 (score 0) to 60 ha (score 1), the only criterion.
/// assert!((land.score - 50.0 / 60.0).abs() < 1e-12);
/// assert!((land.points - 100.0 * land.score).abs() < 1e-9);
/// # Ok::<(), sitematch::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct CriterionResult {
    /// Raw value.
    pub value: CriterionValue,
    /// Score s_ic in 0..=1.
    pub score: f64,
    /// Points contributed to the weighted sum: 100 w_c s_ic / sum w.
    pub points: f64,
    /// Distance criteria: the nearest facility's id.
    pub nearest_id: Option<ArcStr>,
    /// Distance criteria: the nearest facility's label.
    pub nearest_label: Option<ArcStr>,
    /// Competition criteria: the workers within reach, decayed (sum of W_i f(t_is)).
    pub workers: Option<f64>,
    /// Competition criteria: the jobs competing for those workers (the workers over
    /// the workers-per-job value); `None` when no job competes.
    pub competing_jobs: Option<f64>,
    /// Drive-time distance criteria: the straight-line km to the facility reached.
    pub km: Option<f64>,
    /// Freight criteria: the tonne-km a year and the three biggest flows.
    pub freight: Option<Box<FreightDetail>>,
}

/// One site in a ranking, ranked or excluded.
///
/// ```
/// # use sitematch::{Brief, Catalog, Engine, Feature, Layer, Role};
/// # let mut big = Feature::point("big", 2.0, 48.0);
/// # big.area_ha = Some(50.0);
/// # let mut small = Feature::point("small", 2.1, 48.0);
/// # small.area_ha = Some(10.0);
/// # let sites = Layer::from_features("sites", Role::Sites, vec![big, small]);
/// # let engine = Engine::new(Catalog::from_layers(vec![sites]));
/// # let brief = Brief::from_toml_str("[filter]\nmin_area_ha = 20\n[[criterion]]\nname = \"land\"\ntype = \"attribute\"\nfield = \"area_ha\"\nideal = 60\nzero = 0\n")?;
/// let ranking = engine.rank(&brief)?;
/// let small = ranking.site("small").unwrap();
/// assert_eq!((small.rank, small.score), (None, None));
/// assert_eq!(small.excluded_by_text(";"), "min_area_ha");
/// # Ok::<(), sitematch::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SiteResult {
    /// Site id.
    pub site_id: ArcStr,
    /// Site label.
    pub label: Option<ArcStr>,
    /// Layer the site comes from.
    pub layer: ArcStr,
    /// Site category.
    pub category: Option<ArcStr>,
    /// INSEE commune code.
    pub commune: Option<ArcStr>,
    /// The site's attributes, one per [`Ranking::attributes`] column (`Null` where
    /// the site's layer lacks it).
    pub attributes: Arc<[Value]>,
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
    /// Reasons for exclusion, in a fixed order; empty when ranked.
    pub excluded_by: Vec<Exclusion>,
    /// Per criterion, in the brief's order.
    pub criteria: Vec<CriterionResult>,
    /// Robustness, Pareto front, near miss and shortlist figures.
    pub decision: Decision,
    /// The hectares of artificialisation reusing this site avoids against a
    /// greenfield site of the brief's need: its area up to the need, none in a zone A
    /// or N; `None` when the brief gives no need or the site no area.
    pub land_take_avoided_ha: Option<f64>,
}

impl SiteResult {
    /// The `excluded_by` codes joined with `sep`.
    pub fn excluded_by_text(&self, sep: &str) -> String {
        let codes: Vec<String> = self.excluded_by.iter().map(Exclusion::code).collect();
        codes.join(sep)
    }
}

/// A criterion as the ranking reports it.
///
/// ```
/// # use sitematch::{Brief, Catalog, Engine, Feature, Layer, Role};
/// # let mut big = Feature::point("big", 2.0, 48.0);
/// # big.area_ha = Some(50.0);
/// # let mut small = Feature::point("small", 2.1, 48.0);
/// # small.area_ha = Some(10.0);
/// # let sites = Layer::from_features("sites", Role::Sites, vec![big, small]);
/// # let engine = Engine::new(Catalog::from_layers(vec![sites]));
/// # let brief = Brief::from_toml_str("[filter]\nmin_area_ha = 20\n[[criterion]]\nname = \"land\"\ntype = \"attribute\"\nfield = \"area_ha\"\nideal = 60\nzero = 0\n")?;
/// let ranking = engine.rank(&brief)?;
/// let info = &ranking.criteria[0];
/// assert_eq!((info.name.as_str(), info.weight), ("land", 1.0));
/// # Ok::<(), sitematch::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct CriterionInfo {
    /// Name.
    pub name: String,
    /// Type.
    pub kind: CriterionType,
    /// Normalised weight (the weights sum to 1).
    pub weight: f64,
    /// Access criteria: how many matching features of the layer have no number in
    /// the summed field (they count 0).
    pub missing_values: Option<usize>,
    /// What the value measures ([`crate::CriterionKind::unit`]).
    pub unit: String,
    /// How the criterion measures the way (straight line, road, matrix).
    pub travel: crate::brief::Travel,
    /// Criteria whose value is a sum of people (access summing a field, expected
    /// workers): the field summed (the outputs write these values as whole numbers).
    pub sums: Option<String>,
}

/// An attribute column of the outputs: a field of the candidate layers.
///
/// ```
/// # use sitematch::{Brief, Catalog, ColumnType, Engine, Feature, Layer, Role, Value};
/// let mut site = Feature::point("a", 2.0, 48.0);
/// site.area_ha = Some(50.0);
/// site.attributes.insert("seveso_km".into(), Value::Text("4.2".into()));
/// let engine = Engine::new(Catalog::from_layers(vec![Layer::from_features("sites", Role::Sites, vec![site])]));
/// let brief = Brief::from_toml_str("[[criterion]]\nname = \"land\"\ntype = \"attribute\"\nfield = \"area_ha\"\nideal = 60\nzero = 0\n")?;
/// let ranking = engine.rank(&brief)?;
/// assert_eq!(ranking.attributes[0].name, "seveso_km");
/// assert_eq!(ranking.attributes[0].kind, ColumnType::Number);
/// # Ok::<(), sitematch::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct AttributeColumn {
    /// The attribute's name in the data set (the outputs name the column so, or
    /// `attr_<name>` when that is already a column of the schema: `score`, `rank`,
    /// `<criterion>_value`).
    pub name: String,
    /// The column's type.
    pub kind: ColumnType,
}

/// Loaded and skipped counts of one layer.
///
/// ```
/// # use sitematch::{Brief, Catalog, Engine, Feature, Layer, Role};
/// # let mut big = Feature::point("big", 2.0, 48.0);
/// # big.area_ha = Some(50.0);
/// # let mut small = Feature::point("small", 2.1, 48.0);
/// # small.area_ha = Some(10.0);
/// # let sites = Layer::from_features("sites", Role::Sites, vec![big, small]);
/// # let engine = Engine::new(Catalog::from_layers(vec![sites]));
/// # let brief = Brief::from_toml_str("[filter]\nmin_area_ha = 20\n[[criterion]]\nname = \"land\"\ntype = \"attribute\"\nfield = \"area_ha\"\nideal = 60\nzero = 0\n")?;
/// let ranking = engine.rank(&brief)?;
/// assert_eq!((ranking.layers[0].loaded, ranking.layers[0].skipped), (2, 0));
/// # Ok::<(), sitematch::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
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
///
/// ```
/// # use sitematch::{Brief, Catalog, Engine, Feature, Layer, Role};
/// # let mut big = Feature::point("big", 2.0, 48.0);
/// # big.area_ha = Some(50.0);
/// # let mut small = Feature::point("small", 2.1, 48.0);
/// # small.area_ha = Some(10.0);
/// # let sites = Layer::from_features("sites", Role::Sites, vec![big, small]);
/// # let engine = Engine::new(Catalog::from_layers(vec![sites]));
/// # let brief = Brief::from_toml_str("[filter]\nmin_area_ha = 20\n[[criterion]]\nname = \"land\"\ntype = \"attribute\"\nfield = \"area_ha\"\nideal = 60\nzero = 0\n")?;
/// let ranking = engine.rank(&brief)?;
/// assert_eq!(ranking.ranked, 1);
/// assert_eq!(ranking.ranked_sites()[0].site_id, "big");
/// assert_eq!(ranking.excluded_sites()[0].site_id, "small");
/// # Ok::<(), sitematch::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
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
    pub robustness: Option<Robustness>,
    /// True when a diverse shortlist (`[output] min_spacing_km` / `one_per`) applies.
    pub shortlist: bool,
    /// What in the brief is likely not what its writer meant: values that match
    /// nothing in the data, criteria that give most candidates the same score.
    pub warnings: Vec<Warning>,
    /// The candidates' attribute columns (every field of the candidate layers, by
    /// name); each site's [`SiteResult::attributes`] follow this order.
    pub attributes: Vec<AttributeColumn>,
    /// The plant's land need, ha, that land take avoided is measured against.
    pub need_ha: Option<f64>,
    /// The reference profile of a `[target]` brief.
    pub target: Option<TargetProfile>,
    /// For a streamed layer's ranking: the counts of every site read (its `sites`
    /// hold only the best `top`).
    pub streamed: Option<Streamed>,
}

/// The counts of a ranking of streamed layers (`stream = true`), whose sites were
/// read a chunk at a time and not held: only the best `top` are in
/// [`Ranking::sites`].
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Streamed {
    /// The layers streamed.
    pub layers: Vec<String>,
    /// Sites read and checked (the skipped features apart).
    pub considered: usize,
    /// Sites that pass every hard constraint.
    pub ranked: usize,
    /// Sites a hard constraint excludes.
    pub excluded: usize,
    /// Features skipped as they were read (no geometry, a bad coordinate...).
    pub skipped: usize,
    /// Features outside the layer's catalog `bbox`, not ranked.
    pub outside_bbox: usize,
}

/// The reference a `[target]` brief ranks by likeness to: its values and scores per
/// criterion (`None` where the reference has no value: that criterion is left out).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct TargetProfile {
    /// How explanations name it ("your Douai plant").
    pub label: String,
    /// The site it was taken from, if any.
    pub site_id: Option<String>,
    /// Per criterion: the reference value.
    pub values: Vec<CriterionValue>,
    /// Per criterion: the reference score, `None` when unknown.
    pub scores: Vec<Option<f64>>,
}

impl Ranking {
    /// Sites considered, ranked and excluded: of its `sites`, or for a streamed
    /// layer's ranking of every site read ([`Ranking::streamed`]).
    ///
    /// ```
    /// # use sitematch::{Brief, Catalog, Engine, Feature, Layer, Role};
    /// # let sites = Layer::from_features("sites", Role::Sites, vec![Feature::point("a", 2.0, 48.0)]);
    /// # let engine = Engine::new(Catalog::from_layers(vec![sites]));
    /// # let brief = Brief::from_toml_str("[[criterion]]\nname = \"land\"\ntype = \"attribute\"\nfield = \"area_ha\"\nideal = 60\nzero = 0\n")?;
    /// assert_eq!(engine.rank(&brief)?.counts(), (1, 1, 0));
    /// # Ok::<(), sitematch::Error>(())
    /// ```
    pub fn counts(&self) -> (usize, usize, usize) {
        match &self.streamed {
            Some(s) => (s.considered, s.ranked, s.excluded),
            None => (
                self.sites.len(),
                self.ranked,
                self.sites.len() - self.ranked,
            ),
        }
    }

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

    /// The criterion scores of the ranked sites, one row per site, best first: the
    /// matrix the aggregation and the decision steps work on.
    pub fn score_matrix(&self) -> Vec<Vec<f64>> {
        self.ranked_sites()
            .iter()
            .map(|s| s.criteria.iter().map(|c| c.score).collect())
            .collect()
    }

    /// The normalised weights, in criterion order.
    pub fn weights(&self) -> Vec<f64> {
        self.criteria.iter().map(|c| c.weight).collect()
    }

    /// The land take avoided over a shortlist of sites: (sites with a figure, ha).
    pub fn land_take_avoided<'a>(
        &self,
        sites: impl Iterator<Item = &'a SiteResult>,
    ) -> (usize, f64) {
        sites
            .filter_map(|s| s.land_take_avoided_ha)
            .fold((0, 0.0), |(n, ha), x| (n + 1, ha + x))
    }
}

/// Compares with a code: `Exclusion::MinArea == "min_area_ha"`.
impl PartialEq<&str> for Exclusion {
    fn eq(&self, code: &&str) -> bool {
        self.code() == *code
    }
}

/// What the decision-support steps say of one site.
///
/// ```
/// # use sitematch::{Brief, Catalog, Engine, Feature, Layer, Role};
/// # let mut big = Feature::point("big", 2.0, 48.0);
/// # big.area_ha = Some(50.0);
/// # let mut small = Feature::point("small", 2.1, 48.0);
/// # small.area_ha = Some(10.0);
/// # let sites = Layer::from_features("sites", Role::Sites, vec![big, small]);
/// # let engine = Engine::new(Catalog::from_layers(vec![sites]));
/// # let brief = Brief::from_toml_str("[filter]\nmin_area_ha = 20\n[[criterion]]\nname = \"land\"\ntype = \"attribute\"\nfield = \"area_ha\"\nideal = 60\nzero = 0\n")?;
/// let ranking = engine.rank(&brief)?;
/// let d = &ranking.site("big").unwrap().decision;
/// // The only ranked site is on the Pareto front; no robustness was asked for.
/// assert_eq!((d.pareto, d.p_top), (Some(true), None));
/// # Ok::<(), sitematch::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Decision {
    /// Robustness: share of runs with the site in the brief's top.
    pub p_top: Option<f64>,
    /// Robustness: share of runs with the site first.
    pub p_first: Option<f64>,
    /// Robustness: 5th percentile of the site's rank over the runs.
    pub rank_p05: Option<usize>,
    /// Robustness: 95th percentile of the site's rank over the runs.
    pub rank_p95: Option<usize>,
    /// For the first two sites: the smallest single-weight change that swaps them.
    pub flip: Option<Flip>,
    /// True when no ranked site beats this one on every criterion score.
    pub pareto: Option<bool>,
    /// A ranked site that dominates this one (the best-ranked such site).
    pub dominated_by: Option<ArcStr>,
    /// For an excluded site: it fails one threshold constraint, by little.
    pub near_miss: Option<NearMiss>,
    /// With a diverse shortlist: true when the site is kept.
    pub shortlisted: Option<bool>,
    /// With a diverse shortlist: the site's place among the kept ones.
    pub shortlist_rank: Option<usize>,
    /// With a diverse shortlist: why the site was dropped.
    pub dropped_by: Option<DroppedBy>,
}

/// Why a ranked site was left out of a diverse shortlist, naming the better site
/// that was kept in its place.
///
/// ```
/// use sitematch::DroppedBy;
/// let d = DroppedBy::Spacing { site: "62401_11744".into(), km: 5.27 };
/// assert_eq!(d.to_string(), "min_spacing_km: 5.3 km from 62401_11744");
/// ```
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum DroppedBy {
    /// Closer than `[output] min_spacing_km` to a kept site.
    Spacing {
        /// The kept site's id.
        site: String,
        /// The geodesic distance between the two, km.
        km: f64,
    },
    /// Shares its `[output] one_per` value with a kept site.
    OnePer {
        /// The attribute (`one_per`).
        attribute: String,
        /// The shared value.
        value: String,
        /// The kept site's id.
        site: String,
    },
}

impl fmt::Display for DroppedBy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DroppedBy::Spacing { site, km } => write!(f, "min_spacing_km: {km:.1} km from {site}"),
            DroppedBy::OnePer {
                attribute,
                value,
                site,
            } => write!(f, "one_per {attribute}: {value} already has {site}"),
        }
    }
}

/// An excluded site that fails exactly one hard constraint with a threshold, by less
/// than the tolerance: the constraint and by how much.
///
/// ```
/// # use sitematch::{Brief, Catalog, Engine, Feature, Layer, Role};
/// # let mut big = Feature::point("big", 2.0, 48.0);
/// # big.area_ha = Some(50.0);
/// # let mut small = Feature::point("small", 2.1, 48.0);
/// # small.area_ha = Some(10.0);
/// # let sites = Layer::from_features("sites", Role::Sites, vec![big, small]);
/// # let engine = Engine::new(Catalog::from_layers(vec![sites]));
/// # let brief = Brief::from_toml_str("[filter]\nmin_area_ha = 20\n[[criterion]]\nname = \"land\"\ntype = \"attribute\"\nfield = \"area_ha\"\nideal = 60\nzero = 0\n")?;
/// let ranking = engine.rank(&brief)?;
/// // 10 ha against min_area_ha 20 misses by 50%: no near miss at the default 10%.
/// assert!(ranking.site("small").unwrap().decision.near_miss.is_none());
/// let m = sitematch::near_miss(&[sitematch::Exclusion::MinArea], 0.1, 20.0, None, |_| Some(19.0), |_| None);
/// assert_eq!(m.unwrap().to_string(), "1 ha under min_area_ha 20");
/// # Ok::<(), sitematch::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct NearMiss {
    /// The constraint: [`Exclusion::MinArea`], [`Exclusion::MaxArea`] or
    /// [`Exclusion::MaxKm`] or [`Exclusion::MaxMin`].
    pub constraint: Exclusion,
    /// How far beyond the threshold, in the constraint's unit (ha or km).
    pub by: f64,
    /// The threshold.
    pub threshold: f64,
}

/// Readable: `6.2 km over max_km 30`, `1 ha under min_area_ha 20`.
impl fmt::Display for NearMiss {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (by, threshold) = (one_decimal(self.by), one_decimal(self.threshold));
        match self.constraint {
            Exclusion::MinArea => write!(f, "{by} ha under min_area_ha {threshold}"),
            Exclusion::MaxArea => write!(f, "{by} ha over max_area_ha {threshold}"),
            Exclusion::MaxMin(_) => write!(f, "{by} min over max_min {threshold}"),
            _ => write!(f, "{by} km over max_km {threshold}"),
        }
    }
}

/// The smallest change to one criterion's weight that puts the second site above the
/// first.
///
/// ```
/// use sitematch::{flip_margin, Method};
/// // Site 0 leads on criterion 0, site 1 on criterion 1; weights 3 and 1.
/// let flip = flip_margin(Method::WeightedSum, &[vec![1.0, 0.0], vec![0.0, 1.0]], &[0.75, 0.25], 0, 1);
/// // They draw level when the first weight falls by two thirds (to 0.25).
/// let f = flip.unwrap();
/// assert_eq!(f.criterion, 0);
/// assert!((f.change + 2.0 / 3.0).abs() < 1e-12);
/// ```
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Flip {
    /// The criterion whose weight changes.
    pub criterion: usize,
    /// The relative change of that weight (0.35 = +35%, -0.2 = -20%).
    pub change: f64,
}

impl Flip {
    /// The flip in words, with the criterion's name from `ranking`: "the first two
    /// sites draw level when the weight of land changes by -33.3%".
    pub fn describe(&self, ranking: &Ranking) -> Option<String> {
        let c = ranking.criteria.get(self.criterion)?;
        Some(format!(
            "the first two sites draw level when the weight of {} changes by {:+.1}%",
            c.name,
            self.change * 100.0
        ))
    }
}

/// One decimal, without a trailing ".0".
fn one_decimal(x: f64) -> String {
    let s = format!("{x:.1}");
    s.strip_suffix(".0").map(str::to_string).unwrap_or(s)
}
