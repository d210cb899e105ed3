//! What a brief produces: plain result types, no computation. The engine fills them,
//! the decision steps annotate them, the output writers format them.

use std::fmt;

use geo::{Geometry, Point};

use crate::aggregate::Method;
use crate::brief::Robustness;
use crate::decision::Decision;

/// The kinds of criterion a brief can name (`type = "..."`).
///
/// ```
/// use sitematch::CriterionType;
/// assert_eq!(CriterionType::from_name("access"), Some(CriterionType::Access));
/// assert_eq!(format!("{:<9}|", CriterionType::Zone), "zone     |");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CriterionType {
    /// Distance to the nearest matching facility.
    Distance,
    /// Sum over the features within a radius.
    Access,
    /// A numeric attribute of the site.
    Attribute,
    /// A text attribute of the site mapped to scores.
    Category,
    /// Inside a polygon of a zones layer.
    Zone,
}

impl CriterionType {
    /// Every type, in the order briefs and messages list them.
    pub const ALL: [CriterionType; 5] = [
        CriterionType::Distance,
        CriterionType::Access,
        CriterionType::Attribute,
        CriterionType::Category,
        CriterionType::Zone,
    ];

    /// The name briefs write (`distance`, `access`...).
    ///
    /// ```
    /// assert_eq!(sitematch::CriterionType::Zone.as_str(), "zone");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            CriterionType::Distance => "distance",
            CriterionType::Access => "access",
            CriterionType::Attribute => "attribute",
            CriterionType::Category => "category",
            CriterionType::Zone => "zone",
        }
    }

    /// The type a brief names, if it is one.
    pub fn from_name(name: &str) -> Option<CriterionType> {
        CriterionType::ALL.into_iter().find(|t| t.as_str() == name)
    }
}

impl fmt::Display for CriterionType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

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
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
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
    /// Intersects a polygon of this `filter.exclude_zones` layer.
    Zone(String),
    /// The nearest facility of this distance criterion is beyond its `max_km`.
    MaxKm(String),
}

impl Exclusion {
    /// The stable code of the output column (`min_area_ha`, `where:statut`,
    /// `exclude_zones:seveso`, `motorway:max_km`...).
    pub fn code(&self) -> String {
        self.to_string()
    }

    /// True for the constraints with a numeric threshold (a near miss is possible).
    pub fn has_threshold(&self) -> bool {
        matches!(
            self,
            Exclusion::MinArea | Exclusion::MaxArea | Exclusion::MaxKm(_)
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
            Exclusion::Zone(layer) => write!(f, "exclude_zones:{layer}"),
            Exclusion::MaxKm(criterion) => write!(f, "{criterion}:max_km"),
        }
    }
}

/// A criterion's raw value for one site.
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
/// use sitematch::CriterionValue;
/// let ranking = engine.rank(&brief)?;
/// let value = &ranking.site("big").unwrap().criteria[0].value;
/// assert_eq!(value, &CriterionValue::Number(Some(50.0)));
/// assert_eq!(value.as_f64(), Some(50.0));
/// # Ok::<(), sitematch::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum CriterionValue {
    /// A number (km, a sum, an attribute), or `None` (no facility, missing value).
    Number(Option<f64>),
    /// The text of a category criterion.
    Text(Option<String>),
}

impl CriterionValue {
    /// The number, for a numeric value that is present.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            CriterionValue::Number(x) => *x,
            CriterionValue::Text(_) => None,
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
    /// Reasons for exclusion, in a fixed order; empty when ranked.
    pub excluded_by: Vec<Exclusion>,
    /// Per criterion, in the brief's order.
    pub criteria: Vec<CriterionResult>,
    /// Robustness, Pareto front, near miss and shortlist figures.
    pub decision: Decision,
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
#[derive(Debug, Clone, PartialEq)]
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
    pub robustness: Option<Robustness>,
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
}

/// Compares with a code: `Exclusion::MinArea == "min_area_ha"`.
impl PartialEq<&str> for Exclusion {
    fn eq(&self, code: &&str) -> bool {
        self.code() == *code
    }
}
