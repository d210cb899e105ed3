//! anchor criterion: the geodesic distance to the nearest of the places a brief
//! writes itself (a partner's plant, a client, the company's lab), scored as a
//! distance criterion.

use geo::{Distance, Geodesic, Point};

use super::distance::ramp_down;
use super::{CriterionKind, CriterionValue, Detail, Evaluation, Inputs, Limit, Scorer, Type};
use crate::de::{required, Problems};
use crate::model::Feature;

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

super::criterion_shape! {
    points: Vec<PointShape>, ideal_km: f64, zero_km: f64, max_km: f64,
}

/// One point of an anchor criterion.
#[derive(Debug, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct PointShape {
    label: Option<String>,
    lon: Option<f64>,
    lat: Option<f64>,
}

impl Shape {
    fn read(self, key: &str, _: &super::ReadContext, p: &mut Problems) -> CriterionKind {
        let s = self;
        let what = "an anchor criterion";
        let ideal = required(s.ideal_km, key, "ideal_km", what, p);
        let zero = required(s.zero_km, key, "zero_km", what, p);
        if let (Some(i), Some(z)) = (ideal, zero) {
            if !(i >= 0.0 && z > i && z.is_finite()) {
                p.push(
                    format!("{key}.zero_km"),
                    "must be greater than ideal_km, which must not be negative",
                );
            }
        }
        if s.max_km.is_some_and(|m| !(m > 0.0 && m.is_finite())) {
            p.push(format!("{key}.max_km"), "must be a number of km above 0");
        }
        let mut points = Vec::new();
        match s.points {
            None => p.required(
                format!("{key}.points"),
                "is required: a list of { label = \"...\", lon = ..., lat = ... }",
            ),
            Some(list) if list.is_empty() => p.push(format!("{key}.points"), "must name a place"),
            Some(list) => {
                for (k, pt) in list.into_iter().enumerate() {
                    let at = format!("{key}.points[{k}]");
                    let label = pt.label.unwrap_or_else(|| {
                        p.required(format!("{at}.label"), "is required");
                        String::new()
                    });
                    let lon = pt.lon.filter(|x| (-180.0..=180.0).contains(x));
                    let lat = pt.lat.filter(|y| (-90.0..=90.0).contains(y));
                    if lon.is_none() {
                        p.push(
                            format!("{at}.lon"),
                            "is required: a longitude in WGS84 degrees, -180 to 180",
                        );
                    }
                    if lat.is_none() {
                        p.push(
                            format!("{at}.lat"),
                            "is required: a latitude in WGS84 degrees, -90 to 90",
                        );
                    }
                    points.push(Anchor {
                        label,
                        lon: lon.unwrap_or(0.0),
                        lat: lat.unwrap_or(0.0),
                    });
                }
            }
        }
        CriterionKind::Anchor(AnchorSpec {
            points,
            ideal: ideal.unwrap_or(0.0),
            zero: zero.unwrap_or(1.0),
            max: s.max_km,
        })
    }
}

impl Type for AnchorSpec {
    fn unit(&self) -> String {
        let labels: Vec<&str> = self.points.iter().map(|p| p.label.as_str()).collect();
        format!("km to the nearest of {}", labels.join(", "))
    }

    fn scorer<'a>(&'a self, name: &str, _: &Inputs<'a>) -> Box<dyn Scorer + 'a> {
        Box::new(AnchorScorer {
            name: name.to_string(),
            spec: self,
        })
    }

    fn score_of_value(&self, value: &CriterionValue) -> Option<f64> {
        Some(ramp_down(super::number(value)?, self.ideal, self.zero))
    }
}

struct AnchorScorer<'a> {
    name: String,
    spec: &'a AnchorSpec,
}

impl AnchorScorer<'_> {
    /// The nearest place to `p`: (its index, km); ties to the first listed.
    fn nearest(&self, p: Point<f64>) -> Option<(usize, f64)> {
        self.spec
            .points
            .iter()
            .enumerate()
            .map(|(i, a)| (i, Geodesic.distance(p, Point::new(a.lon, a.lat)) / 1000.0))
            .fold(None, |best, (i, km)| match best {
                Some((_, b)) if b <= km => best,
                _ => Some((i, km)),
            })
    }
}

impl Scorer for AnchorScorer<'_> {
    fn name(&self) -> &str {
        &self.name
    }

    fn evaluate(&self, site: &Feature) -> Evaluation {
        let (nearest, km) = match self.nearest(site.location) {
            Some((i, km)) => (Some(i), Some(km)),
            None => (None, None),
        };
        let place = nearest.and_then(|i| self.spec.points.get(i));
        Evaluation {
            value: CriterionValue::Number(km),
            score: km.map_or(0.0, |km| ramp_down(km, self.spec.ideal, self.spec.zero)),
            excludes: (self.spec.max.is_some_and(|m| km.is_none_or(|km| km > m)))
                .then_some(Limit::Km),
            detail: match place {
                // A place the brief names: a label, no id.
                Some(p) => Detail::Nearest {
                    id: None,
                    label: Some(p.label.as_str().into()),
                    km: None,
                },
                None => Detail::None,
            },
        }
    }
}
