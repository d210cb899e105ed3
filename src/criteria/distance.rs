//! distance criterion: the way to the nearest matching facility, in a straight line,
//! by road or from a matrix (any [`Reach`]).

use super::{
    CriterionKind, CriterionValue, DataCheck, Detail, Evaluation, Inputs, Limit, Scorer, Type,
};
use crate::de::{not_positive, required, Problems, TextList};
use crate::model::{Feature, Role};
use crate::table::Matcher;
use crate::travel::{reach, Reach, Travel, Use};

/// A distance criterion (`type = "distance"`): the way to the nearest facility of a
/// layer (its matching categories and tags), scored 1 at or below `ideal`, 0 at or
/// beyond `zero`, linearly between; beyond `max` the site is excluded.
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
/// let CriterionKind::Distance(d) = &brief.criteria[0].kind else { panic!("distance") };
/// assert_eq!((d.ideal, d.zero, d.max), (3.0, 25.0, None));
/// # Ok::<(), sitematch::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct DistanceSpec {
    /// Facilities layer (a site layer too: the nearest chemical platform).
    pub layer: String,
    /// Categories to match (empty: any).
    pub categories: Vec<String>,
    /// Tags to match (empty: any).
    pub tags: Vec<String>,
    /// Score 1 at or below (km, or minutes by road: `ideal_km` / `ideal_min`).
    pub ideal: f64,
    /// Score 0 at or beyond (`zero_km` / `zero_min`).
    pub zero: f64,
    /// Excluded beyond (hard constraint: `max_km` / `max_min`).
    pub max: Option<f64>,
    /// Straight line (km), by road or from a matrix (minutes).
    pub travel: Travel,
}

super::criterion_shape! {
    layer: String, categories: TextList, tags: TextList, ideal_km: f64, zero_km: f64,
    max_km: f64, ideal_min: f64, zero_min: f64, max_min: f64, travel: String,
    network: String, matrix: String,
}

impl Shape {
    fn read(self, key: &str, _: &super::ReadContext, p: &mut Problems) -> CriterionKind {
        let s = self;
        let what = "a distance criterion";
        let travel = Travel::read(s.travel.as_deref(), s.matrix, s.network, key, p);
        let ideal = travel.in_unit(("ideal_km", s.ideal_km), ("ideal_min", s.ideal_min), key, p);
        let zero = travel.in_unit(("zero_km", s.zero_km), ("zero_min", s.zero_min), key, p);
        let max = travel.in_unit(("max_km", s.max_km), ("max_min", s.max_min), key, p);
        let u = travel.unit();
        let ideal = required(ideal, key, &format!("ideal_{u}"), what, p);
        let zero = required(zero, key, &format!("zero_{u}"), what, p);
        if let (Some(i), Some(z)) = (ideal, zero) {
            if i >= z {
                p.push(
                    format!("{key}.zero_{u}"),
                    format!("must be greater than ideal_{u}"),
                );
            }
            if i < 0.0 {
                p.push(format!("{key}.ideal_{u}"), "must not be negative");
            }
        }
        if max.is_some_and(not_positive) {
            p.push(format!("{key}.max_{u}"), "must be above 0");
        }
        if s.layer.is_none() {
            p.required(format!("{key}.layer"), "is required");
        }
        CriterionKind::Distance(DistanceSpec {
            layer: s.layer.unwrap_or_default(),
            categories: s.categories.unwrap_or_default().0,
            tags: s.tags.unwrap_or_default().0,
            ideal: ideal.unwrap_or(0.0),
            zero: zero.unwrap_or(1.0),
            max,
            travel,
        })
    }
}

impl Type for DistanceSpec {
    fn unit(&self) -> String {
        let (layer, travel) = (&self.layer, &self.travel);
        match travel {
            Travel::Straight => format!("km to the nearest {layer}"),
            Travel::Matrix(_) => format!("minutes to the nearest {layer} in the {}", travel.how()),
            Travel::Drive { .. } => format!("minutes to the nearest {layer} by {}", travel.how()),
        }
    }

    super::travels_by!(travel);

    fn layer(&self) -> Option<&str> {
        Some(&self.layer)
    }

    fn check(&self, at: &str, data: &mut DataCheck<'_>) {
        // A site layer too: the distance to the nearest chemical platform.
        let roles = [Role::Facilities, Role::Population, Role::Sites];
        data.role(format!("{at}.layer"), &self.layer, &roles);
    }

    fn scorer<'a>(&'a self, name: &str, inputs: &Inputs<'a>) -> Box<dyn Scorer + 'a> {
        let layer = inputs.layer(&self.layer);
        let matcher = Matcher::new(&self.categories, &self.tags);
        let counted = super::access::amounts(layer, None, &matcher, || inputs.table(&self.layer));
        let ways = inputs.ways(&self.travel);
        Box::new(DistanceScorer {
            name: name.to_string(),
            reach: reach(ways, layer, counted, Use::Nearest),
            ideal: self.ideal,
            zero: self.zero,
            max: self.max,
            limit: match self.travel {
                Travel::Straight => Limit::Km,
                _ => Limit::Min,
            },
        })
    }

    fn score_of_value(&self, value: &CriterionValue) -> Option<f64> {
        Some(ramp_down(super::number(value)?, self.ideal, self.zero))
    }
}

/// The linear ramp of distance criteria: 1 at or below `ideal`, 0 at or beyond
/// `zero`, linear between (`ideal < zero`).
pub(super) fn ramp_down(d: f64, ideal: f64, zero: f64) -> f64 {
    if d <= ideal {
        1.0
    } else if d >= zero {
        0.0
    } else {
        (zero - d) / (zero - ideal)
    }
}

struct DistanceScorer<'a> {
    name: String,
    /// The way to the facilities the criterion selects.
    reach: Box<dyn Reach + 'a>,
    ideal: f64,
    zero: f64,
    max: Option<f64>,
    /// The limit `max` is: km in a straight line, else minutes.
    limit: Limit,
}

impl Scorer for DistanceScorer<'_> {
    fn name(&self) -> &str {
        &self.name
    }

    fn evaluate(&self, site: &Feature) -> Evaluation {
        match self.reach.nearest(site) {
            // Not known to the way (a matrix that does not name the site): no value,
            // counted in the ranking's warnings.
            Err(_) => Evaluation::none(),
            // No facility can be reached: no value; a maximum excludes.
            Ok(None) => Evaluation {
                excludes: self.max.map(|_| self.limit),
                ..Evaluation::none()
            },
            Ok(Some((i, cost))) => {
                let f = self.reach.layer().and_then(|l| l.layer().features.get(i));
                Evaluation {
                    value: CriterionValue::Number(Some(cost)),
                    score: ramp_down(cost, self.ideal, self.zero),
                    excludes: self.max.filter(|m| cost > *m).map(|_| self.limit),
                    detail: Detail::Nearest {
                        id: f.map(|f| f.id.clone()),
                        label: f.and_then(|f| f.label.clone()),
                        km: self.reach.km(site, i),
                    },
                }
            }
        }
    }
}
