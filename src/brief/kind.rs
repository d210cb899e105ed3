//! The criterion vocabulary of a brief: the types, their specifications
//! ([`CriterionKind`]); the ways a criterion measures the way are in [`crate::travel`].
//!
//! Over 600 lines: each type and specification carries its doc example, a test of
//! the brief syntax it documents.

use std::fmt;
use crate::travel::Travel;

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
                let within = travel.within(*radius);
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
                let within = travel.within(*radius);
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
