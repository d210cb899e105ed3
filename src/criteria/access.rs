//! access criterion: a decayed sum over the features within a radius, in a straight
//! line, by road or from a matrix (any [`Reach`]).

use super::{
    CriterionKind, CriterionValue, DataCheck, DataSet, Evaluation, Folded, Inputs, Scorer, Type,
};
use crate::de::{required, Problems, TextList};
use crate::index::IndexedLayer;
use crate::model::{Feature, Role};
use crate::table::Matcher;
use crate::travel::{reach, Decay, Reach, Travel, Use};

/// An access criterion (`type = "access"`): the sum of a field (or the count) of a
/// layer's matching features within a radius, each weighted by a decay of its
/// distance; scored as the sum over `saturation`, capped at 1.
///
/// ```
/// let brief = sitematch::Brief::from_toml_str(
///     "[[criterion]]\nname = \"labour\"\ntype = \"access\"\nlayer = \"communes\"\nfield = \"active\"\nradius_km = 30\nsaturation = 1000\n",
/// )?;
/// let sitematch::CriterionKind::Access(a) = &brief.criteria[0].kind else { panic!("access") };
/// assert_eq!((a.radius, a.saturation, a.decay), (30.0, 1000.0, sitematch::Decay::None));
/// # Ok::<(), sitematch::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct AccessSpec {
    /// Facilities, population or site layer.
    pub layer: String,
    /// Field summed (`None`: count features).
    pub field: Option<String>,
    /// Categories to match (empty: any).
    pub categories: Vec<String>,
    /// Tags to match (empty: any).
    pub tags: Vec<String>,
    /// Radius (km, or minutes by road: `radius_km` / `radius_min`).
    pub radius: f64,
    /// Distance decay.
    pub decay: Decay,
    /// Value at which the score reaches 1.
    pub saturation: f64,
    /// Straight line (km), by road or from a matrix (minutes).
    pub travel: Travel,
}

super::criterion_shape! {
    layer: String, field: String, categories: TextList, tags: TextList, radius_km: f64,
    radius_min: f64, decay: String, saturation: f64, travel: String, network: String,
    matrix: String,
}

impl Shape {
    fn read(self, key: &str, _: &super::ReadContext, p: &mut Problems) -> CriterionKind {
        let s = self;
        let what = "an access criterion";
        let travel = Travel::read(s.travel.as_deref(), s.matrix, s.network, key, p);
        let radius_km = travel.radius(s.radius_km, s.radius_min, key, what, p);
        let saturation = required(s.saturation, key, "saturation", what, p);
        let decay = Decay::read(s.decay.as_deref(), key, p);
        if saturation.is_some_and(|s| s <= 0.0) {
            p.push(format!("{key}.saturation"), "must be above 0");
        }
        if s.layer.is_none() {
            p.required(format!("{key}.layer"), "is required");
        }
        CriterionKind::Access(AccessSpec {
            layer: s.layer.unwrap_or_default(),
            field: s.field,
            categories: s.categories.unwrap_or_default().0,
            tags: s.tags.unwrap_or_default().0,
            radius: radius_km.unwrap_or(1.0),
            decay,
            saturation: saturation.unwrap_or(1.0),
            travel,
        })
    }
}

impl Type for AccessSpec {
    fn unit(&self) -> String {
        let within = self.travel.within(self.radius);
        match &self.field {
            Some(f) => format!("sum of {f} {within}"),
            None => format!("count of {} {within}", self.layer),
        }
    }

    super::travels_by!(travel);

    fn layer(&self) -> Option<&str> {
        Some(&self.layer)
    }

    fn sums(&self) -> Option<&str> {
        self.field.as_deref()
    }

    fn missing_values(&self, data: &dyn DataSet) -> Option<usize> {
        let field = self.field.as_deref()?;
        let l = data.layer(&self.layer)?;
        let m = Matcher::new(&self.categories, &self.tags);
        let mask = m.mask(l.layer().features.len(), || data.table(&self.layer));
        Some(
            l.field_numbers(field)
                .iter()
                .zip(mask)
                .filter(|(x, m)| *m && x.is_none())
                .count(),
        )
    }

    fn check(&self, at: &str, data: &mut DataCheck<'_>) {
        let roles = [Role::Facilities, Role::Population, Role::Sites];
        data.role(format!("{at}.layer"), &self.layer, &roles);
        if let Some(field) = &self.field {
            data.layer_field(format!("{at}.field"), &self.layer, field);
        }
    }

    fn scorer<'a>(&'a self, name: &str, inputs: &Inputs<'a>) -> Box<dyn Scorer + 'a> {
        let layer = inputs.layer(&self.layer);
        let matcher = Matcher::new(&self.categories, &self.tags);
        let amounts = amounts(layer, self.field.as_deref(), &matcher, || {
            inputs.table(&self.layer)
        });
        let ways = inputs.ways(&self.travel);
        Box::new(AccessScorer {
            name: name.to_string(),
            reach: reach(ways, layer, amounts, Use::Within),
            radius: self.radius,
            decay: self.decay,
            saturation: self.saturation,
        })
    }

    fn score_of_value(&self, value: &CriterionValue) -> Option<f64> {
        Some((super::number(value)? / self.saturation).clamp(0.0, 1.0))
    }
}

/// Per feature of a layer: its contribution a_j to an access sum when it matches
/// (the field's number, 1 when counting), else `None`. A field that is missing or not
/// a number counts 0 (reported in the output). The layer's folded table (`table`) is
/// asked for only when the matcher selects by category or tag.
pub(super) fn amounts<'f>(
    layer: Option<&IndexedLayer>,
    field: Option<&str>,
    matcher: &Matcher,
    table: impl FnOnce() -> Option<&'f Folded>,
) -> Vec<Option<f64>> {
    let Some(l) = layer else {
        return Vec::new();
    };
    let mask = matcher.mask(l.layer().features.len(), table);
    match field {
        Some(field) => l
            .field_numbers(field)
            .iter()
            .zip(mask)
            .map(|(x, m)| m.then(|| x.unwrap_or(0.0)))
            .collect(),
        None => mask.into_iter().map(|m| m.then_some(1.0)).collect(),
    }
}

struct AccessScorer<'a> {
    name: String,
    /// The way to the features, with their contributions a_j (those that match).
    reach: Box<dyn Reach + 'a>,
    radius: f64,
    decay: Decay,
    saturation: f64,
}

impl Scorer for AccessScorer<'_> {
    fn name(&self) -> &str {
        &self.name
    }

    fn evaluate(&self, site: &Feature) -> Evaluation {
        match self.reach.sum_within(site, self.radius, self.decay) {
            // Not known to the way: no value (counted in the ranking's warnings).
            Err(_) => Evaluation::none(),
            Ok(v) => Evaluation {
                value: CriterionValue::Number(Some(v)),
                score: (v / self.saturation).clamp(0.0, 1.0),
                ..Evaluation::none()
            },
        }
    }

    fn sums(&self) -> bool {
        true
    }

    fn pairs(&self, sample: &[&Feature], candidates: usize) -> f64 {
        self.reach.pairs(sample, candidates, self.radius)
    }
}
