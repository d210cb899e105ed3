//! Briefs (DESIGN section 2): what a consultant asks for, in TOML or JSON.
//!
//! Parsing reports every problem at once, each with its key path
//! (`criterion[2].zero_km: must be greater than ideal_km`). Problems that need the data
//! (unknown layers or fields, a criterion on a layer of the wrong role) are found by
//! [`crate::Engine::check`].

mod check;
mod criteria;
mod shape;
mod validate;

use std::fmt;
use std::path::Path;

use serde_json::Value;

use crate::aggregate::ahp_weights;
pub use crate::aggregate::Method;
use crate::de::{self, Problems};
use crate::error::{BriefProblems, Error, Result};
use shape::BriefShape;
#[cfg(test)]
pub(crate) use shape::TextList;

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
    /// Workers within reach per competing job, or the workers a plant can expect
    /// (DESIGN section 9).
    Competition,
    /// The freight carbon of the client's flows to and from the site.
    Freight,
    /// How well a site's usable land fits the plant's need.
    Land,
    /// The distance to places the brief names (a partner's plant, a client).
    Anchor,
}

impl CriterionType {
    /// Every type, in the order briefs and messages list them.
    pub const ALL: [CriterionType; 9] = [
        CriterionType::Distance,
        CriterionType::Access,
        CriterionType::Attribute,
        CriterionType::Category,
        CriterionType::Zone,
        CriterionType::Competition,
        CriterionType::Freight,
        CriterionType::Land,
        CriterionType::Anchor,
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
            CriterionType::Competition => "competition",
            CriterionType::Freight => "freight",
            CriterionType::Land => "land",
            CriterionType::Anchor => "anchor",
        }
    }

    /// True for the types whose value is a distance to the nearest of something
    /// (`distance`, `anchor`): their outputs name what is nearest.
    pub fn is_distance(self) -> bool {
        matches!(self, CriterionType::Distance | CriterionType::Anchor)
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

/// Distance decay of an access criterion, f(t) with t = d / radius.
///
/// ```
/// use sitematch::Decay;
/// // Halfway to the radius.
/// assert_eq!(Decay::None.factor(0.5), 1.0);
/// assert_eq!(Decay::Linear.factor(0.5), 0.5);
/// assert!((Decay::Exponential.factor(0.5) - (-1.5f64).exp()).abs() < 1e-15);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decay {
    /// f(t) = 1.
    None,
    /// f(t) = 1 - t.
    Linear,
    /// f(t) = exp(-4.5 t²).
    Gaussian,
    /// f(t) = exp(-3 t).
    Exponential,
}

impl Decay {
    /// The decay factor at t = d / radius (0 <= t <= 1).
    pub fn factor(self, t: f64) -> f64 {
        match self {
            Decay::None => 1.0,
            Decay::Linear => 1.0 - t,
            Decay::Gaussian => (-4.5 * t * t).exp(),
            Decay::Exponential => (-3.0 * t).exp(),
        }
    }
}

/// How a competition criterion weighs a pair at distance (or time) t within the
/// radius R: one of the access decays over t / R, or exp(-beta t) (DESIGN section 9).
///
/// ```
/// use sitematch::{Decay, Impedance};
/// assert_eq!(Impedance::Decay(Decay::Linear).factor(15.0, 30.0), 0.5);
/// assert!((Impedance::Beta(0.1).factor(15.0, 100.0) - (-1.5f64).exp()).abs() < 1e-15);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Impedance {
    /// An access decay over t / R.
    Decay(Decay),
    /// exp(-beta t), t in km (or minutes with a matrix).
    Beta(f64),
}

impl Impedance {
    /// The weight of a pair at `t` (km or minutes) within the radius `r`.
    pub fn factor(self, t: f64, r: f64) -> f64 {
        match self {
            Impedance::Decay(d) => d.factor(t / r),
            Impedance::Beta(beta) => (-beta * t).exp(),
        }
    }
}

/// What a competition criterion measures (`measure` in a brief).
///
/// ```
/// use sitematch::{Brief, CompetitionMeasure, CriterionKind};
/// let brief = Brief::from_toml_str(r#"
///     [[criterion]]
///     name = "labour"
///     type = "competition"
///     layer = "communes"
///     field = "active"
///     jobs_field = "jobs_2018"
///     radius_km = 30
///     measure = "expected-workers"
///     jobs = 600
///     saturation = 1200
/// "#)?;
/// let CriterionKind::Competition { measure, jobs_layer, .. } = &brief.criteria[0].kind else {
///     panic!("a competition criterion");
/// };
/// assert_eq!(*measure, CompetitionMeasure::ExpectedWorkers { jobs: 600.0 });
/// assert_eq!(jobs_layer, "communes"); // the workers' layer unless given
/// # Ok::<(), sitematch::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum CompetitionMeasure {
    /// `workers-per-job` (the default): the two-step floating catchment, workers
    /// within reach per job competing for them.
    WorkersPerJob,
    /// `expected-workers`: the workers a plant offering `jobs` jobs can expect to draw.
    ExpectedWorkers {
        /// The plant's planned jobs J.
        jobs: f64,
    },
}

/// The emission factors, kg CO2e per tonne-km, a freight criterion uses when the brief
/// gives none: an articulated 40 t truck (road) and a full train (rail), as ADEME
/// published them (79 g and 6 g CO2 per t-km); check them against the current Base
/// Carbone entries and set `factors` in the brief for a client's report.
pub const DEFAULT_FACTORS: [(&str, f64); 2] = [("road", 0.079), ("rail", 0.006)];

/// A `type = "freight"` criterion: the client's flows and how they travel.
///
/// A land criterion (`type = "land"`): a site's usable land against the plant's need.
/// The usable land is the site's `available_ha` when its layer states one (a port
/// zone's land on offer), else its `area_ha`: a large record scores as well as a site
/// of the need's size, since it can host the plant. The score rises from 0 at
/// `min_share` of the need to 1 at the need; a site with no known area scores
/// `missing`.
///
/// ```
/// use sitematch::{Brief, CriterionKind};
/// let brief = Brief::from_toml_str("need_ha = 30\n[[criterion]]\nname = \"land\"\ntype = \"land\"\n")?;
/// let CriterionKind::Land(l) = &brief.criteria[0].kind else { panic!("land") };
/// assert_eq!((l.need_ha, l.min_share, l.missing), (30.0, 0.5, 0.3));
/// # Ok::<(), sitematch::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct LandSpec {
    /// The plant's need, ha (the criterion's `need_ha`, else the brief's).
    pub need_ha: f64,
    /// The share of the need that scores 0 (default 0.5).
    pub min_share: f64,
    /// The score of a site with no known area (default 0.3).
    pub missing: f64,
}

/// One place a brief names, for an anchor criterion.
#[derive(Debug, Clone, PartialEq)]
pub struct Anchor {
    /// What it is ("our Douai plant", "client: Renault Douai").
    pub label: String,
    /// Longitude, WGS84 degrees.
    pub lon: f64,
    /// Latitude, WGS84 degrees.
    pub lat: f64,
}

/// An anchor criterion (`type = "anchor"`): the straight-line distance (geodesic, km)
/// to the nearest of the places the brief writes itself (`points`: label, lon, lat),
/// scored as a distance criterion. It needs no file, so it also works through the
/// server.
///
/// ```
/// use sitematch::{Brief, CriterionKind};
/// let brief = Brief::from_toml_str(r#"
///     [[criterion]]
///     name = "client"
///     type = "anchor"
///     points = [{ label = "Renault Douai", lon = 3.07, lat = 50.37 }]
///     ideal_km = 2
///     zero_km = 40
/// "#)?;
/// let CriterionKind::Anchor(a) = &brief.criteria[0].kind else { panic!("anchor") };
/// assert_eq!(a.points[0].label, "Renault Douai");
/// # Ok::<(), sitematch::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct AnchorSpec {
    /// The places.
    pub points: Vec<Anchor>,
    /// Score 1 at or below, km.
    pub ideal: f64,
    /// Score 0 at or beyond, km.
    pub zero: f64,
    /// Excluded beyond, km (hard constraint).
    pub max: Option<f64>,
}

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

/// How a criterion measures the way between two places (`travel` in a brief).
///
/// ```
/// use sitematch::Travel;
/// assert_eq!(Travel::Straight.unit(), "km");
/// assert_eq!(Travel::Matrix("osrm_times.csv".into()).unit(), "min");
/// assert_eq!(Travel::Drive { network: Some("roads".into()) }.how(), "road (roads)");
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum Travel {
    /// Straight-line geodesic distance, km (the default).
    Straight,
    /// Minutes by road on a network layer (DESIGN section 8); `None`: the data set's
    /// only network.
    Drive {
        /// The network layer (`network` in the brief).
        network: Option<String>,
    },
    /// Minutes from a precomputed travel-time matrix: a CSV with `from_id`, `to_id`,
    /// `minutes` (a path relative to the brief's file when read from one).
    Matrix(std::path::PathBuf),
}

impl Travel {
    /// The unit of distances and radii: `km` or `min`.
    pub fn unit(&self) -> &'static str {
        match self {
            Travel::Straight => "km",
            Travel::Drive { .. } | Travel::Matrix(_) => "min",
        }
    }

    /// How the way is measured, in words: `straight line`, `road (roads)`, `matrix
    /// (times.csv)`.
    pub fn how(&self) -> String {
        match self {
            Travel::Straight => "straight line".to_string(),
            Travel::Drive { network: None } => "road".to_string(),
            Travel::Drive { network: Some(n) } => format!("road ({n})"),
            Travel::Matrix(p) => format!("matrix ({})", p.display()),
        }
    }
}

/// Hard constraints.
///
/// ```
/// let brief = sitematch::Brief::from_toml_str(r#"
///     [filter]
///     departments = [59, "62"]
///     where = { statut = ["friche sans projet"] }
///     [[criterion]]
///     name = "tdi"
///     type = "zone"
///     layer = "territoires_industrie"
/// "#)?;
/// assert_eq!(brief.filter.departments, Some(vec!["59".to_string(), "62".to_string()]));
/// assert_eq!(brief.filter.where_[0].0, "statut");
/// # Ok::<(), sitematch::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filter {
    /// Site layers to consider (`None`: every sites layer).
    pub layers: Option<Vec<String>>,
    /// Minimum land area, hectares.
    pub min_area_ha: Option<f64>,
    /// Maximum land area, hectares.
    pub max_area_ha: Option<f64>,
    /// Département codes ("59", "2A", "974").
    pub departments: Option<Vec<String>>,
    /// [min lon, min lat, max lon, max lat].
    pub bbox: Option<[f64; 4]>,
    /// Attribute in list, in the brief's order.
    pub where_: Vec<(String, Vec<String>)>,
    /// Attribute not in list (`where_not`): a site with another value, or none, stays.
    pub where_not: Vec<(String, Vec<String>)>,
    /// Zones layers that exclude the sites they intersect.
    pub exclude_zones: Vec<String>,
}

impl Filter {
    /// The attribute lists with the table each comes from: `where` (values kept),
    /// then `where_not` (values refused), each in the brief's order.
    pub(crate) fn attribute_lists(&self) -> impl Iterator<Item = (&'static str, &str, &[String])> {
        let kept = self
            .where_
            .iter()
            .map(|(a, v)| ("where", a.as_str(), v.as_slice()));
        let refused = self
            .where_not
            .iter()
            .map(|(a, v)| ("where_not", a.as_str(), v.as_slice()));
        kept.chain(refused)
    }
}

/// What a criterion measures.
///
/// ```
/// use sitematch::{Brief, CriterionKind};
/// let brief = Brief::from_toml_str(r#"
///     [[criterion]]
///     name = "motorway"
///     type = "distance"
///     layer = "motorway"
///     ideal_km = 3
///     zero_km = 25
/// "#)?;
/// let CriterionKind::Distance { ideal, zero, max, .. } = &brief.criteria[0].kind else {
///     panic!("a distance criterion");
/// };
/// assert_eq!((*ideal, *zero, *max), (3.0, 25.0, None));
/// # Ok::<(), sitematch::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum CriterionKind {
    /// Distance to the nearest matching facility.
    Distance {
        /// Facilities layer.
        layer: String,
        /// Categories to match (empty: any).
        categories: Vec<String>,
        /// Tags to match (empty: any).
        tags: Vec<String>,
        /// Score 1 at or below (km, or minutes by road: `ideal_km` / `ideal_min`).
        ideal: f64,
        /// Score 0 at or beyond (`zero_km` / `zero_min`).
        zero: f64,
        /// Excluded beyond (hard constraint: `max_km` / `max_min`).
        max: Option<f64>,
        /// Straight line (km) or by road (minutes).
        travel: Travel,
    },
    /// Sum over features within a radius.
    Access {
        /// Facilities or population layer.
        layer: String,
        /// Field summed (`None`: count features).
        field: Option<String>,
        /// Categories to match (empty: any).
        categories: Vec<String>,
        /// Tags to match (empty: any).
        tags: Vec<String>,
        /// Radius (km, or minutes by road: `radius_km` / `radius_min`).
        radius: f64,
        /// Distance decay.
        decay: Decay,
        /// Value at which the score reaches 1.
        saturation: f64,
        /// Straight line (km) or by road (minutes).
        travel: Travel,
    },
    /// A numeric attribute of the site.
    Attribute {
        /// Site attribute.
        field: String,
        /// Value scoring 1.
        ideal: f64,
        /// Value scoring 0.
        zero: f64,
        /// Score when the site has no value.
        missing: f64,
    },
    /// A text attribute of the site mapped to scores.
    Category {
        /// Site attribute.
        field: String,
        /// Text to score, in the brief's order.
        scores: Vec<(String, f64)>,
        /// Score of any other value.
        default: f64,
    },
    /// 1 inside a polygon of a zones layer, else 0.
    Zone {
        /// Zones layer.
        layer: String,
    },
    /// Labour competition (DESIGN section 9): a two-step floating catchment.
    Competition {
        /// Population layer of the workers.
        layer: String,
        /// Workers' field (`active`).
        field: String,
        /// Layer of the competing jobs (the workers' layer when not given).
        jobs_layer: String,
        /// Jobs' field (`jobs_2018`).
        jobs_field: String,
        /// Radius R, km (minutes with a matrix).
        radius: f64,
        /// Weight of a pair within the radius.
        impedance: Impedance,
        /// What the value measures.
        measure: CompetitionMeasure,
        /// Value at which the score reaches 1.
        saturation: f64,
        /// How distances are measured.
        travel: Travel,
    },
    /// The freight of the client's suppliers and customers to and from the site:
    /// tonne-km a year and tonnes CO2e a year (lower is better).
    Freight(FreightSpec),
    /// The fit of the site's usable land to the plant's need.
    Land(LandSpec),
    /// The distance to the nearest of the places the brief names.
    Anchor(AnchorSpec),
}

impl CriterionKind {
    /// The criterion's type.
    pub fn kind(&self) -> CriterionType {
        match self {
            CriterionKind::Distance { .. } => CriterionType::Distance,
            CriterionKind::Access { .. } => CriterionType::Access,
            CriterionKind::Attribute { .. } => CriterionType::Attribute,
            CriterionKind::Category { .. } => CriterionType::Category,
            CriterionKind::Zone { .. } => CriterionType::Zone,
            CriterionKind::Competition { .. } => CriterionType::Competition,
            CriterionKind::Freight(_) => CriterionType::Freight,
            CriterionKind::Land(_) => CriterionType::Land,
            CriterionKind::Anchor(_) => CriterionType::Anchor,
        }
    }

    /// What the criterion's value measures, in words: `km to the nearest motorway`,
    /// `sum of active within 30 km`; the outputs document their `_value` columns with it.
    ///
    /// ```
    /// let brief = sitematch::Brief::from_toml_str(
    ///     "[[criterion]]\nname = \"labour\"\ntype = \"access\"\nlayer = \"communes\"\nfield = \"active\"\nradius_km = 30\nsaturation = 1000\n",
    /// )?;
    /// assert_eq!(brief.criteria[0].kind.unit(), "sum of active within 30 km");
    /// # Ok::<(), sitematch::Error>(())
    /// ```
    pub fn unit(&self) -> String {
        match self {
            CriterionKind::Distance { layer, travel, .. } => match travel {
                Travel::Straight => format!("km to the nearest {layer}"),
                Travel::Matrix(_) => {
                    format!("minutes to the nearest {layer} in the {}", travel.how())
                }
                _ => format!("minutes to the nearest {layer} by {}", travel.how()),
            },
            CriterionKind::Access {
                layer,
                field,
                radius,
                travel,
                ..
            } => {
                let within = match travel {
                    Travel::Straight => format!("within {radius} km"),
                    Travel::Matrix(_) => format!("within {radius} min in the {}", travel.how()),
                    _ => format!("within {radius} min by {}", travel.how()),
                };
                match field {
                    Some(f) => format!("sum of {f} {within}"),
                    None => format!("count of {layer} {within}"),
                }
            }
            CriterionKind::Attribute { field, .. } => field.clone(),
            CriterionKind::Category { field, .. } => format!("{field} (category)"),
            CriterionKind::Zone { layer } => format!("1 inside {layer}, else 0"),
            CriterionKind::Competition {
                field,
                jobs_field,
                radius,
                measure,
                travel,
                ..
            } => {
                let within = match travel {
                    Travel::Straight => format!("within {radius} km"),
                    Travel::Matrix(_) => format!("within {radius} min in the {}", travel.how()),
                    _ => format!("within {radius} min by {}", travel.how()),
                };
                match measure {
                    CompetitionMeasure::WorkersPerJob => {
                        format!("{field} per competing {jobs_field} {within}")
                    }
                    CompetitionMeasure::ExpectedWorkers { jobs } => {
                        format!("expected {field} for {jobs} jobs, competing with {jobs_field} {within}")
                    }
                }
            }
            CriterionKind::Freight(f) => match &f.travel {
                Travel::Drive { .. } => format!(
                    "t CO2e a year of freight to and from the site (road km by {})",
                    f.travel.how()
                ),
                _ => "t CO2e a year of freight to and from the site".to_string(),
            },
            CriterionKind::Land(l) => format!(
                "ha of usable land (available_ha, else area_ha) for a need of {} ha",
                l.need_ha
            ),
            CriterionKind::Anchor(a) => {
                let labels: Vec<&str> = a.points.iter().map(|p| p.label.as_str()).collect();
                format!("km to the nearest of {}", labels.join(", "))
            }
        }
    }

    /// How a distance, access or competition criterion measures the way; `None` for
    /// the others.
    ///
    /// ```
    /// use sitematch::{Brief, Travel};
    /// let brief = Brief::from_toml_str("[[criterion]]\nname = \"m\"\ntype = \"distance\"\nlayer = \"motorway\"\ntravel = \"drive\"\nideal_min = 5\nzero_min = 25\n")?;
    /// assert_eq!(brief.criteria[0].kind.travel(), Some(&Travel::Drive { network: None }));
    /// # Ok::<(), sitematch::Error>(())
    /// ```
    pub fn travel(&self) -> Option<&Travel> {
        match self {
            CriterionKind::Distance { travel, .. }
            | CriterionKind::Access { travel, .. }
            | CriterionKind::Competition { travel, .. } => Some(travel),
            CriterionKind::Freight(f) => Some(&f.travel),
            _ => None,
        }
    }

    /// As [`CriterionKind::travel`], to change it.
    pub(crate) fn travel_mut(&mut self) -> Option<&mut Travel> {
        match self {
            CriterionKind::Distance { travel, .. }
            | CriterionKind::Access { travel, .. }
            | CriterionKind::Competition { travel, .. } => Some(travel),
            CriterionKind::Freight(f) => Some(&mut f.travel),
            _ => None,
        }
    }

    /// The layer the criterion reads, for distance, access and zone criteria.
    pub fn layer(&self) -> Option<&str> {
        match self {
            CriterionKind::Distance { layer, .. }
            | CriterionKind::Access { layer, .. }
            | CriterionKind::Zone { layer }
            | CriterionKind::Competition { layer, .. } => Some(layer),
            _ => None,
        }
    }
}

/// One `[[criterion]]`.
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
/// let c = &brief.criteria[0];
/// assert_eq!((c.name.as_str(), c.weight), ("land", 1.0));
/// assert_eq!(c.kind.kind(), sitematch::CriterionType::Attribute);
/// # Ok::<(), sitematch::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Criterion {
    /// Unique name, the output column prefix.
    pub name: String,
    /// Raw weight (1 when omitted; ignored with an AHP matrix).
    pub weight: f64,
    /// What it measures.
    pub kind: CriterionKind,
}

/// A brief, parsed and checked on its own (see [`crate::Engine::check`] for the
/// checks against the data).
///
/// ```
/// let brief = sitematch::Brief::from_toml_str(r#"
///     name = "Battery plant"
///     [filter]
///     min_area_ha = 20
///     [[criterion]]
///     name = "land"
///     type = "attribute"
///     field = "area_ha"
///     ideal = 60
///     zero = 20
/// "#)?;
/// assert_eq!(brief.filter.min_area_ha, Some(20.0));
/// assert_eq!(brief.criteria[0].name, "land");
/// assert_eq!(brief.top, 20);
/// # Ok::<(), sitematch::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Brief {
    /// The brief's name.
    pub name: String,
    /// How many ranked sites to output.
    pub top: usize,
    /// Aggregation method.
    pub method: Method,
    /// Hard constraints.
    pub filter: Filter,
    /// Criteria, in order.
    pub criteria: Vec<Criterion>,
    /// AHP pairwise matrix, rows and columns in criterion order.
    pub ahp: Option<Vec<Vec<f64>>>,
    /// Accept an AHP matrix whose consistency ratio is above 0.10.
    pub allow_inconsistent: bool,
    /// Rank robustness under weight perturbations (`[robustness]`).
    pub robustness: Option<Robustness>,
    /// Shortlist and near-miss options (`[output]`).
    pub output: OutputSpec,
    /// A regular grid of candidates instead of the site layers (`[candidates]`).
    pub grid: Option<GridSpec>,
    /// The plant's land need, ha (`need_ha`, else `filter.min_area_ha`): what a
    /// greenfield site would have taken, for the land take each site avoids.
    pub need_ha: Option<f64>,
    /// Rank by likeness to a reference profile instead (`[target]` or `--like`).
    pub target: Option<Target>,
}

/// `[target]`: rank candidates by how close their criterion scores are to those of a
/// reference, an existing site (`site`) or values given per criterion (`values`, in
/// each criterion's unit; they win over the site's).
///
/// ```
/// let brief = sitematch::Brief::from_toml_str(r#"
///     [target]
///     site = "douai"
///     label = "our Douai plant"
///     values = { land = 30 }
///     [[criterion]]
///     name = "land"
///     type = "attribute"
///     field = "area_ha"
///     ideal = 60
///     zero = 0
/// "#)?;
/// let t = brief.target.unwrap();
/// assert_eq!((t.site.as_deref(), t.label.as_deref()), (Some("douai"), Some("our Douai plant")));
/// assert_eq!(t.values, vec![("land".to_string(), sitematch::CriterionValue::Number(Some(30.0)))]);
/// # Ok::<(), sitematch::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Target {
    /// The id of a site of the data set whose values are the reference.
    pub site: Option<String>,
    /// How explanations name the reference (default: the site's label, or "the target").
    pub label: Option<String>,
    /// Reference values by criterion name, in the criterion's unit.
    pub values: Vec<(String, crate::model::CriterionValue)>,
}

/// `[candidates]`: a regular grid of candidate points over the brief's `bbox` or
/// `departments`, for a suitability surface.
///
/// ```
/// let brief = sitematch::Brief::from_toml_str(r#"
///     [filter]
///     departments = ["59"]
///     [candidates]
///     grid_km = 2
///     [[criterion]]
///     name = "tdi"
///     type = "zone"
///     layer = "territoires_industrie"
/// "#)?;
/// let grid = brief.grid.unwrap();
/// assert_eq!((grid.grid_km, grid.land.as_str(), grid.squares), (2.0, "communes", false));
/// # Ok::<(), sitematch::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct GridSpec {
    /// Cell size, km.
    pub grid_km: f64,
    /// The layer whose points say where land is (default `communes`).
    pub land: String,
    /// A cell is on land when a point of `land` lies within this distance of its
    /// centre (default: half the cell's diagonal plus 5 km).
    pub land_km: Option<f64>,
    /// A zones layer: cells whose centre lies outside all its polygons are left out.
    pub within: Option<String>,
    /// Output cells as their centre points (default) or as squares.
    pub squares: bool,
}

/// `[robustness]`: N runs, each multiplying every weight by an independent factor
/// drawn uniformly in [1 - spread, 1 + spread] from a generator seeded with `seed`.
///
/// ```
/// let brief = sitematch::Brief::from_toml_str(r#"
///     [robustness]
///     runs = 200
///     [[criterion]]
///     name = "tdi"
///     type = "zone"
///     layer = "territoires_industrie"
/// "#)?;
/// let r = brief.robustness.unwrap();
/// assert_eq!((r.runs, r.spread, r.seed), (200, 0.25, 7));
/// # Ok::<(), sitematch::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Robustness {
    /// Number of runs.
    pub runs: usize,
    /// Relative spread of the weight factors, in [0, 1).
    pub spread: f64,
    /// Seed of the generator (ChaCha8).
    pub seed: u64,
}

impl Default for Robustness {
    fn default() -> Self {
        Robustness {
            runs: 1000,
            spread: 0.25,
            seed: 7,
        }
    }
}

/// `[output]`: a diverse shortlist and the near-miss tolerance.
///
/// ```
/// let brief = sitematch::Brief::from_toml_str(r#"
///     [output]
///     min_spacing_km = 15
///     [[criterion]]
///     name = "tdi"
///     type = "zone"
///     layer = "territoires_industrie"
/// "#)?;
/// assert_eq!(brief.output.min_spacing_km, Some(15.0));
/// assert_eq!(brief.output.near_miss, 0.10);
/// # Ok::<(), sitematch::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct OutputSpec {
    /// Drop a site closer than this to a better one already kept.
    pub min_spacing_km: Option<f64>,
    /// Keep only the best site per value of this site attribute.
    pub one_per: Option<String>,
    /// An excluded site failing one threshold constraint by less than this fraction
    /// of the threshold is a near miss (default 0.10).
    pub near_miss: f64,
}

impl Default for OutputSpec {
    fn default() -> Self {
        OutputSpec {
            min_spacing_km: None,
            one_per: None,
            near_miss: 0.10,
        }
    }
}

impl Brief {
    /// Reads a brief file: JSON when its name ends in `.json`, else TOML.
    pub fn from_path(path: impl AsRef<Path>) -> Result<Brief> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        let json = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("json"));
        let parsed = if json {
            Brief::from_json_str(&text)
        } else {
            Brief::from_toml_str(&text)
        };
        let mut brief = parsed.map_err(|e| e.in_brief(path))?;
        // A matrix or a flows file named by a relative path lies beside the brief.
        let base = path.parent().unwrap_or(Path::new(""));
        for c in &mut brief.criteria {
            if let CriterionKind::Freight(f) = &mut c.kind {
                if f.flows.is_relative() {
                    f.flows = base.join(&f.flows);
                }
            }
            if let Some(Travel::Matrix(m)) = c.kind.travel_mut() {
                if m.is_relative() {
                    *m = base.join(&*m);
                }
            }
        }
        Ok(brief)
    }

    /// Parses a TOML brief.
    ///
    /// ```
    /// let brief = sitematch::Brief::from_toml_str(r#"
    ///     name = "Test"
    ///     [[criterion]]
    ///     name = "land"
    ///     type = "attribute"
    ///     field = "area_ha"
    ///     ideal = 60
    ///     zero = 20
    /// "#)?;
    /// assert_eq!(brief.criteria.len(), 1);
    /// assert_eq!(brief.top, 20);
    /// # Ok::<(), sitematch::Error>(())
    /// ```
    pub fn from_toml_str(text: &str) -> Result<Brief> {
        let value: Value = toml::from_str(text).map_err(|e| {
            BriefProblems::one(crate::text::toml_place(text, &e), e.message().trim())
        })?;
        Brief::from_value(&value)
    }

    /// Parses a JSON brief (same structure as TOML).
    pub fn from_json_str(text: &str) -> Result<Brief> {
        let value: Value = serde_json::from_str(text)
            .map_err(|e| BriefProblems::one(format!("line {}", e.line()), e.to_string()))?;
        Brief::from_value(&value)
    }

    /// Reads a brief from its JSON/TOML value, collecting every problem: first the
    /// shape (unknown keys, values of the wrong type), then the meaning (ranges,
    /// required keys, names).
    pub fn from_value(value: &Value) -> Result<Brief> {
        let mut problems = Problems::default();
        let brief = if value.is_object() {
            de::read::<BriefShape>(value, &[], &mut problems)
                .map(|shape| validate::brief(shape, &mut problems))
        } else {
            problems.push("brief", "must be a table of keys");
            None
        };
        match brief {
            Some(b) if problems.is_empty() => Ok(b),
            _ => Err(Error::Brief(BriefProblems {
                path: None,
                problems: problems.into_vec(),
            })),
        }
    }

    /// The weights normalised to sum 1, from the criteria or the AHP matrix, and the
    /// AHP consistency ratio when there is a matrix.
    pub fn normalised_weights(&self) -> (Vec<f64>, Option<f64>) {
        if let Some(m) = &self.ahp {
            let (w, cr) = ahp_weights(m);
            return (w, Some(cr));
        }
        let total: f64 = self.criteria.iter().map(|c| c.weight).sum();
        let w = self
            .criteria
            .iter()
            .map(|c| if total > 0.0 { c.weight / total } else { 0.0 })
            .collect();
        (w, None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problems(text: &str) -> Vec<String> {
        match Brief::from_toml_str(text) {
            Err(Error::Brief(p)) => p.problems.iter().map(|p| p.to_string()).collect(),
            other => panic!("expected problems, got {other:?}"),
        }
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let p = problems(
            r#"
            nmae = "typo"
            method = "best"
            [filter]
            min_area_ha = -1
            [[criterion]]
            name = "motorway"
            type = "distance"
            layer = "motorway"
            ideal_km = 20
            zero_km = 2
            weight = -3
            [[criterion]]
            name = "motorway"
            type = "access"
            layer = "communes"
            radius_km = 30
            [[criterion]]
            name = "x"
            type = "attribute"
            field = "area_ha"
            ideal = 5
            zero = 5
            colour = "red"
            "#,
        );
        let expect = [
            "nmae: unknown key",
            "method: \"best\" is not a method",
            "filter.min_area_ha: must not be negative",
            "criterion[0].zero_km: must be greater than ideal_km",
            "criterion[0].weight: must not be negative",
            "criterion[1].saturation: is required",
            "criterion[2].zero: must differ from ideal",
            "criterion[2].colour: unknown key",
            "criterion[1].name: \"motorway\" is already used",
        ];
        for e in expect {
            assert!(
                p.iter().any(|x| x.starts_with(e)),
                "missing {e:?} in {p:#?}"
            );
        }
        assert_eq!(p.len(), expect.len(), "{p:#?}");
    }

    #[test]
    fn zero_total_weight_is_refused() {
        let p =
            problems("[[criterion]]\nname = \"a\"\ntype = \"zone\"\nlayer = \"z\"\nweight = 0\n");
        assert_eq!(p.len(), 1);
        assert!(p[0].contains("add up to 0"));
    }

    #[test]
    fn ahp_matrix_checks() {
        let base = "[[criterion]]\nname = \"a\"\ntype = \"zone\"\nlayer = \"z\"\n\
                    [[criterion]]\nname = \"b\"\ntype = \"zone\"\nlayer = \"z\"\n\
                    [[criterion]]\nname = \"c\"\ntype = \"zone\"\nlayer = \"z\"\n";
        let p = problems(&format!("{base}[weights]\nahp = [[1, 2], [0.5, 1]]\n"));
        assert!(p[0].contains("square 3x3"), "{p:?}");
        let p = problems(&format!(
            "{base}[weights]\nahp = [[1, 3, 5], [0.5, 1, 2], [0.2, 0.5, -1]]\n"
        ));
        assert!(
            p.iter()
                .any(|x| x.starts_with("weights.ahp[1][0]: must be the reciprocal")),
            "{p:?}"
        );
        assert!(
            p.iter()
                .any(|x| x.starts_with("weights.ahp[2][2]: must be a positive")),
            "{p:?}"
        );
        // Strongly inconsistent: a > b, b > c, c > a.
        let cyclic = "[weights]\nahp = [[1, 9, 0.1111], [0.1111, 1, 9], [9, 0.1111, 1]]\n";
        let p = problems(&format!("{base}{cyclic}"));
        assert!(p[0].contains("consistency ratio"), "{p:?}");
        let ok = format!("{base}{cyclic}allow_inconsistent = true\n");
        assert!(Brief::from_toml_str(&ok).is_ok());
    }

    #[test]
    fn json_briefs_have_the_same_structure() {
        let b = Brief::from_json_str(
            r#"{"name": "j", "filter": {"departments": [59, "2A", 8]},
               "criterion": [{"name": "t", "type": "zone", "layer": "z"}]}"#,
        )
        .unwrap();
        assert_eq!(
            b.filter.departments,
            Some(vec!["59".to_string(), "2A".to_string(), "08".to_string()])
        );
    }

    #[test]
    fn syntax_errors_name_the_line() {
        let p = problems("name = \"x\"\n[[criterion]\n");
        assert!(p[0].starts_with("line 2"), "{p:?}");
    }
}
