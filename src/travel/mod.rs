//! Travel: how a criterion measures the way between a place and a layer's features.
//!
//! [`Travel`] is what a brief asks for (`travel = "straight" | "drive" | "matrix"`);
//! a [`Reach`] is that way prepared over one layer and the features a criterion counts
//! in it: straight-line kilometres through the spatial index ([`straight`]), minutes
//! on a road network ([`road`]), minutes read from a travel-time matrix ([`matrix`]).
//! The distance, access and competition criteria are written once over a `Reach`;
//! adding a way of travelling is one file here and one arm in [`reach`].

pub(crate) mod matrix;
pub(crate) mod road;
pub(crate) mod straight;

use std::sync::Arc;

use crate::de::{not_positive, required, Problems};
use crate::index::IndexedLayer;
use crate::model::Feature;
use crate::network::Network;

pub(crate) use matrix::TravelMatrix;

/// How a criterion measures the way between two places (`travel` in a brief).
///
/// ```
/// use sitematch::Travel;
/// assert_eq!(Travel::Straight.unit(), "km");
/// assert_eq!(Travel::Matrix("osrm_times.csv".into()).unit(), "min");
/// // A matrix is named without the folders of the machine that ranked.
/// assert_eq!(Travel::Matrix("/home/alice/osrm_times.csv".into()).how(), "matrix (osrm_times.csv)");
/// assert_eq!(Travel::Drive { network: Some("roads".into()) }.how(), "road (roads)");
/// ```
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum Travel {
    /// Straight-line geodesic distance, km (the default).
    Straight,
    /// Minutes by road on a network layer; `None`: the data set's only network.
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
    /// (times.csv)` (the matrix by its file's name, without its folder).
    pub fn how(&self) -> String {
        match self {
            Travel::Straight => "straight line".to_string(),
            Travel::Drive { network: None } => "road".to_string(),
            Travel::Drive { network: Some(n) } => format!("road ({n})"),
            // Its name only: a receipt handed to a client names no folder of the
            // machine that ranked.
            Travel::Matrix(p) => format!(
                "matrix ({})",
                p.file_name().unwrap_or(p.as_os_str()).to_string_lossy()
            ),
        }
    }

    /// A criterion's `travel`, with its `network` or `matrix` (`key`: the
    /// criterion's, `criterion[2]`).
    pub(crate) fn read(
        name: Option<&str>,
        matrix: Option<String>,
        network: Option<String>,
        key: &str,
        p: &mut Problems,
    ) -> Travel {
        if network.is_some() && name != Some("drive") {
            p.push(
                format!("{key}.network"),
                "is read only with travel = \"drive\"; add it, or remove network",
            );
        }
        if matrix.is_some() && name != Some("matrix") {
            p.push(
                format!("{key}.matrix"),
                "is read only with travel = \"matrix\"; add it, or remove matrix",
            );
        }
        match name {
            None | Some("straight") => Travel::Straight,
            Some("drive") => Travel::Drive { network },
            Some("matrix") => match matrix {
                Some(m) => Travel::Matrix(m.into()),
                None => {
                    p.required(
                        format!("{key}.matrix"),
                        "is required with travel = \"matrix\": a CSV of from_id, to_id, minutes",
                    );
                    Travel::Straight
                }
            },
            Some(other) => {
                p.push(
                    format!("{key}.travel"),
                    format!("{other:?}: use straight, drive or matrix"),
                );
                Travel::Straight
            }
        }
    }

    /// The value of a key given in km or in minutes, whichever the travel measures in;
    /// the other spelling is a problem (a brief in km read as minutes would be wrong).
    pub(crate) fn in_unit(
        &self,
        km: (&str, Option<f64>),
        min: (&str, Option<f64>),
        key: &str,
        p: &mut Problems,
    ) -> Option<f64> {
        let (right, wrong) = match self {
            Travel::Straight => (km, min),
            _ => (min, km),
        };
        if wrong.1.is_some() {
            p.push(
                format!("{key}.{}", wrong.0),
                format!(
                    "this criterion measures in {} ({}): use {}",
                    self.unit(),
                    self.how(),
                    right.0
                ),
            );
        }
        right.1
    }

    /// The radius of an access or competition criterion, in its travel's unit
    /// (`radius_km` or `radius_min`): required, above 0.
    pub(crate) fn radius(
        &self,
        km: Option<f64>,
        min: Option<f64>,
        key: &str,
        what: &str,
        p: &mut Problems,
    ) -> Option<f64> {
        let radius = self.in_unit(("radius_km", km), ("radius_min", min), key, p);
        let radius_key = format!("radius_{}", self.unit());
        let radius = required(radius, key, &radius_key, what, p);
        let max = match self {
            Travel::Straight => MAX_RADIUS_KM,
            _ => MAX_RADIUS_MIN,
        };
        if radius.is_some_and(not_positive) {
            p.push(format!("{key}.{radius_key}"), "must be above 0");
        } else if radius.is_some_and(|r| r > max) {
            p.push(
                format!("{key}.{radius_key}"),
                format!("must be at most {max} (a sum reaches no further)"),
            );
        }
        radius
    }

    /// "within 30 km", "within 45 min by road (roads)", "within 45 min in the matrix
    /// (times.csv)": the reach of a radius in a criterion's unit sentence.
    pub(crate) fn within(&self, radius: f64) -> String {
        match self {
            Travel::Straight => format!("within {radius} km"),
            Travel::Matrix(_) => format!("within {radius} min in the {}", self.how()),
            Travel::Drive { .. } => format!("within {radius} min by {}", self.how()),
        }
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
    /// The `decay` of an access or competition criterion.
    pub(crate) fn read(name: Option<&str>, key: &str, p: &mut Problems) -> Decay {
        match name {
            None | Some("none") => Decay::None,
            Some("linear") => Decay::Linear,
            Some("gaussian") => Decay::Gaussian,
            Some("exponential") => Decay::Exponential,
            Some(other) => {
                p.push(
                    format!("{key}.decay"),
                    format!("{other:?}: use none, linear, gaussian or exponential"),
                );
                Decay::None
            }
        }
    }

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

/// A place the way does not know (a site a travel-time matrix does not name): the
/// criterion has no value there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Unknown;

/// Which way a search goes: from the features to the place (an access sum, the
/// workers who would commute to a site) or from the place out to the features (the
/// jobs a worker could take).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Toward {
    Place,
    Features,
}

/// What [`Reach::for_each_within`] calls for each feature reached: (feature index,
/// cost).
pub(crate) type Visit<'f> = &'f mut dyn FnMut(usize, f64);

/// Whether a search could start: `Err(Unknown)` when the way does not know the
/// place.
pub(crate) type Reached = Result<(), Unknown>;

/// What a criterion asks of a [`Reach`], so that it prepares only that: the nearest
/// feature (distance criteria) or the features within a radius (sums).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Use {
    Nearest,
    Within,
}

/// One way of travelling, prepared over a layer and the features a criterion counts
/// there (its amounts: `None` for a feature that does not match). Costs are in the
/// way's unit: km in a straight line, minutes by road or from a matrix.
pub(crate) trait Reach: Send + Sync {
    /// The counted feature reached first from `at`, `(feature index, cost)`, ties to
    /// the smaller index; `Ok(None)` when none can be reached.
    fn nearest(&self, at: &Feature) -> Result<Option<(usize, f64)>, Unknown>;

    /// Calls `f(feature index, cost)` for each counted feature within `radius` of
    /// `at`, in an order fixed by the data (the index's for straight lines and roads,
    /// the layer's for a matrix).
    fn for_each_within(&self, at: &Feature, radius: f64, toward: Toward, f: Visit<'_>) -> Reached;

    /// The sum of amount × decay(cost / radius) over the counted features within
    /// `radius` of `at`, from the features toward it.
    fn sum_within(&self, at: &Feature, radius: f64, decay: Decay) -> Result<f64, Unknown> {
        let mut v = 0.0;
        self.for_each_within(at, radius, Toward::Place, &mut |j, t| {
            if let Some(a) = self.amount(j) {
                v += a * decay.factor(t / radius);
            }
        })?;
        Ok(v)
    }

    /// The layer reached (`None`: the brief names a layer the data set lacks).
    fn layer(&self) -> Option<&IndexedLayer>;

    /// The straight distance (m) within which every feature a search of `radius`
    /// reaches lies (`None`: no such bound, as in a matrix).
    fn reach_m(&self, _radius: f64) -> Option<f64> {
        None
    }

    /// Per feature of the layer, its amount (`None`: not counted).
    fn amounts(&self) -> &[Option<f64>];

    /// The amount of feature `j` (`None`: not counted).
    fn amount(&self, j: usize) -> Option<f64> {
        self.amounts().get(j).copied().flatten()
    }

    /// The straight-line km from `at` to feature `j`, where the cost is not already
    /// that (drive times and matrices show it beside the minutes).
    fn km(&self, at: &Feature, j: usize) -> Option<f64> {
        self.layer().map(|l| l.distance_m(at.location, j) / 1000.0)
    }

    /// About how many (place, feature) pairs searches of `radius` from `sample`'s
    /// places visit, extrapolated to `n` places; 0 where the cost does not grow with
    /// the radius that way.
    fn pairs(&self, _sample: &[&Feature], _n: usize, _radius: f64) -> f64 {
        0.0
    }
}

/// The ways a data set offers: the road networks, the matrices a brief names.
pub(crate) struct Ways<'a> {
    /// The network a `travel = "drive"` runs on.
    pub network: Option<&'a Network>,
    /// The matrix a `travel = "matrix"` reads.
    pub matrix: Option<Arc<TravelMatrix>>,
}

/// Prepares the way `ways` offer over `layer` for `amount` (per feature, `None`: not
/// counted): a matrix when there is one, else a road network when there is one, else
/// a straight line.
pub(crate) fn reach<'a>(
    ways: Ways<'a>,
    layer: Option<&'a IndexedLayer>,
    amount: Vec<Option<f64>>,
    usage: Use,
) -> Box<dyn Reach + 'a> {
    match (ways.matrix, ways.network) {
        (Some(m), _) => Box::new(matrix::MatrixReach::new(m, layer, amount)),
        (None, Some(n)) => Box::new(road::RoadReach::new(n, layer, amount, usage)),
        (None, None) => Box::new(straight::StraightReach::new(layer, amount, usage)),
    }
}

/// Every feature of a layer counted once (amount 1).
pub(crate) fn every(layer: Option<&IndexedLayer>) -> Vec<Option<f64>> {
    let n = layer.map_or(0, |l| l.layer().features.len());
    vec![Some(1.0); n]
}

/// The widest radius of an access or competition criterion in a straight line (km):
/// mainland France is about 1,000 km across.
pub const MAX_RADIUS_KM: f64 = 1_000.0;

/// The widest radius of an access or competition criterion by road or in a matrix
/// (minutes): ten hours.
pub const MAX_RADIUS_MIN: f64 = 600.0;

/// What a pair costs beyond [`crate::index::FAST_MAX_M`], in pairs within it: a
/// radius wider than 100 km takes Karney's geodesic for every pair (about 1 us
/// against 60 ns).
pub(crate) const FAR_PAIR_COST: f64 = 16.0;

/// What a pair by road costs, in straight pairs within 100 km: its straight
/// distance, then the node's time looked up among those the place's search reached
/// (measured: about 140 ns a pair for a 60-minute competition sum, whatever the
/// straight reach).
pub(crate) const ROAD_PAIR_COST: f64 = 2.0;

/// The cost of one pair of a search `radius_m` wide, in pairs within 100 km.
pub(crate) fn pair_cost(radius_m: f64) -> f64 {
    if radius_m > crate::index::FAST_MAX_M {
        FAR_PAIR_COST
    } else {
        1.0
    }
}

/// The mean of `count` over a sample, times `n`.
pub(crate) fn extrapolate(sample: &[&Feature], n: usize, count: impl Fn(&Feature) -> usize) -> f64 {
    if sample.is_empty() {
        return 0.0;
    }
    let visited: usize = sample.iter().map(|f| count(f)).sum();
    visited as f64 / sample.len() as f64 * n as f64
}
