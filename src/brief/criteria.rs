//! One `[[criterion]]` table: read by its `type` into that type's shape, then
//! checked into a [`Criterion`].
//!
//! Over 600 lines: one checking function per criterion type; the next step of the
//! restructuring (issue 27) moves each into its criterion's file in `criteria/`.

use serde_json::Value;

use super::shape::{
    AccessShape, AnchorShape, AttributeShape, CategoryShape, CompetitionShape, DistanceShape,
    FreightShape, HeadShape, LandShape, ZoneShape,
};
use super::CriterionType;
use super::{
    Anchor, AnchorSpec, CompetitionMeasure, Criterion, CriterionKind, Decay, FreightSpec,
    Impedance, LandSpec, Travel,
};
use crate::de::{read, value_type, Problems, Seg};

/// One `[[criterion]]` table, read by its type (`need_ha`: the brief's, which a land
/// criterion takes when it gives none).
pub(super) fn criterion(
    item: &Value,
    i: usize,
    need_ha: Option<f64>,
    p: &mut Problems,
) -> Option<Criterion> {
    let key = format!("criterion[{i}]");
    let base = [Seg::Key("criterion".into()), Seg::Index(i)];
    if !item.is_object() {
        p.push(&key, format!("must be a table, found {}", value_type(item)));
        return None;
    }
    let kind = match item.get("type") {
        None => Err("is required".to_string()),
        Some(Value::String(t)) => CriterionType::from_name(t).ok_or_else(|| {
            format!(
                "{t:?}: use distance, access, attribute, category, zone, competition, freight, land or anchor"
            )
        }),
        Some(other) => Err(format!("must be text, found {}", value_type(other))),
    };
    let kind = match kind {
        Ok(kind) => kind,
        Err(why) => {
            // Still check the keys every criterion has.
            if let Some(h) = read::<HeadShape>(item, &base, p) {
                head(h.name, h.weight, &key, p);
            }
            p.push(format!("{key}.type"), why);
            return None;
        }
    };
    let (name, weight, kind) = match kind {
        CriterionType::Distance => {
            let s: DistanceShape = read(item, &base, p)?;
            (s.name.clone(), s.weight, distance(s, &key, p))
        }
        CriterionType::Access => {
            let s: AccessShape = read(item, &base, p)?;
            (s.name.clone(), s.weight, access(s, &key, p))
        }
        CriterionType::Attribute => {
            let s: AttributeShape = read(item, &base, p)?;
            (s.name.clone(), s.weight, attribute(s, &key, p))
        }
        CriterionType::Category => {
            let s: CategoryShape = read(item, &base, p)?;
            (s.name.clone(), s.weight, category(s, &key, p))
        }
        CriterionType::Competition => {
            let s: CompetitionShape = read(item, &base, p)?;
            (s.name.clone(), s.weight, competition(s, &key, p))
        }
        CriterionType::Freight => {
            let s: FreightShape = read(item, &base, p)?;
            (s.name.clone(), s.weight, freight(s, &key, p))
        }
        CriterionType::Land => {
            let s: LandShape = read(item, &base, p)?;
            (s.name.clone(), s.weight, land(s, need_ha, &key, p))
        }
        CriterionType::Anchor => {
            let s: AnchorShape = read(item, &base, p)?;
            (s.name.clone(), s.weight, anchor(s, &key, p))
        }
        CriterionType::Zone => {
            let s: ZoneShape = read(item, &base, p)?;
            if s.layer.is_none() {
                p.required(format!("{key}.layer"), "is required");
            }
            let kind = CriterionKind::Zone {
                layer: s.layer.unwrap_or_default(),
            };
            (s.name, s.weight, kind)
        }
    };
    let name = head(name, weight, &key, p);
    Some(Criterion {
        name: name?,
        weight: weight.unwrap_or(1.0),
        kind,
    })
}

/// Checks the name and weight of a criterion; the name, if there is one.
fn head(name: Option<String>, weight: Option<f64>, key: &str, p: &mut Problems) -> Option<String> {
    match &name {
        None => p.required(format!("{key}.name"), "is required"),
        Some(n)
            if n.is_empty()
                || !n
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') =>
        {
            p.push(
                format!("{key}.name"),
                format!("{n:?}: use letters, digits, '_' or '-' (it names output columns)"),
            )
        }
        _ => {}
    }
    if weight.is_some_and(|x| x < 0.0) {
        p.push(format!("{key}.weight"), "must not be negative");
    }
    name
}

/// A required number: "is required" when absent (and not already reported).
fn required(x: Option<f64>, key: &str, field: &str, what: &str, p: &mut Problems) -> Option<f64> {
    if x.is_none() {
        p.required(format!("{key}.{field}"), format!("is required for {what}"));
    }
    x
}

fn distance(s: DistanceShape, key: &str, p: &mut Problems) -> CriterionKind {
    let what = "a distance criterion";
    let travel = travel(s.travel.as_deref(), s.matrix, s.network, key, p);
    let ideal = in_unit(
        &travel,
        ("ideal_km", s.ideal_km),
        ("ideal_min", s.ideal_min),
        key,
        p,
    );
    let zero = in_unit(
        &travel,
        ("zero_km", s.zero_km),
        ("zero_min", s.zero_min),
        key,
        p,
    );
    let max = in_unit(
        &travel,
        ("max_km", s.max_km),
        ("max_min", s.max_min),
        key,
        p,
    );
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
    CriterionKind::Distance {
        layer: s.layer.unwrap_or_default(),
        categories: s.categories.unwrap_or_default().0,
        tags: s.tags.unwrap_or_default().0,
        ideal: ideal.unwrap_or(0.0),
        zero: zero.unwrap_or(1.0),
        max,
        travel,
    }
}

/// A criterion's `travel`, with its `network` or `matrix`.
fn travel(
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

/// The radius of an access or competition criterion, in its travel's unit
/// (`radius_km` or `radius_min`): required, above 0.
fn radius(
    travel: &Travel,
    km: Option<f64>,
    min: Option<f64>,
    key: &str,
    what: &str,
    p: &mut Problems,
) -> Option<f64> {
    let radius = in_unit(travel, ("radius_km", km), ("radius_min", min), key, p);
    let radius_key = format!("radius_{}", travel.unit());
    let radius = required(radius, key, &radius_key, what, p);
    if radius.is_some_and(not_positive) {
        p.push(format!("{key}.{radius_key}"), "must be above 0");
    }
    radius
}

/// The value of a key given in km or in minutes, whichever the travel measures in;
/// the other spelling is a problem (a brief in km read as minutes would be wrong).
fn in_unit(
    travel: &Travel,
    km: (&str, Option<f64>),
    min: (&str, Option<f64>),
    key: &str,
    p: &mut Problems,
) -> Option<f64> {
    let (right, wrong) = match travel {
        Travel::Straight => (km, min),
        _ => (min, km),
    };
    if wrong.1.is_some() {
        p.push(
            format!("{key}.{}", wrong.0),
            format!(
                "this criterion measures in {} ({}): use {}",
                travel.unit(),
                travel.how(),
                right.0
            ),
        );
    }
    right.1
}

/// True for 0, a negative number or NaN (TOML can write `nan`).
fn not_positive(x: f64) -> bool {
    x.is_nan() || x <= 0.0
}

/// The `decay` of an access or competition criterion.
fn decay(name: Option<&str>, key: &str, p: &mut Problems) -> Decay {
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

fn freight(s: FreightShape, key: &str, p: &mut Problems) -> CriterionKind {
    let what = "a freight criterion";
    let travel = if s.travel.as_deref() == Some("matrix") {
        p.push(
            format!("{key}.travel"),
            "freight is measured in km: use straight (times the detour) or drive (road km of the fastest route)",
        );
        Travel::Straight
    } else {
        travel(s.travel.as_deref(), None, s.network, key, p)
    };
    if s.flows.is_none() {
        p.required(
            format!("{key}.flows"),
            "is required: the client's flows file",
        );
    }
    let ideal = required(s.ideal, key, "ideal", what, p);
    let zero = required(s.zero, key, "zero", what, p);
    if let (Some(i), Some(z)) = (ideal, zero) {
        if i.is_nan() || z.is_nan() || i < 0.0 || z <= i {
            p.push(
                format!("{key}.zero"),
                "must be above ideal, both t CO2e a year and not negative (lower is better)",
            );
        }
    }
    let mut factors: Vec<(String, f64)> = super::DEFAULT_FACTORS
        .iter()
        .map(|(m, f)| (m.to_string(), *f))
        .collect();
    for (mode, f) in s.factors.unwrap_or_default() {
        if f.is_nan() || f < 0.0 {
            p.push(
                format!("{key}.factors.{mode}"),
                "must be a number of kg CO2e per t-km, not negative",
            );
        }
        match factors.iter_mut().find(|(m, _)| *m == mode) {
            Some(slot) => slot.1 = f,
            None => factors.push((mode, f)),
        }
    }
    let modes = || {
        factors
            .iter()
            .map(|(m, _)| m.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mode = s.mode.unwrap_or_else(|| "road".to_string());
    if !factors.iter().any(|(m, _)| *m == mode) {
        p.push(
            format!("{key}.mode"),
            format!(
                "{mode:?} has no emission factor; the factors name: {} (add it under factors)",
                modes()
            ),
        );
    }
    if s.rail_layer.is_some() && !factors.iter().any(|(m, _)| m == "rail") {
        p.push(format!("{key}.factors"), "a rail_layer needs a rail factor");
    }
    for (k, v) in [("detour", s.detour), ("rail_detour", s.rail_detour)] {
        if v.is_some_and(|d| d.is_nan() || d < 1.0) {
            p.push(
                format!("{key}.{k}"),
                "must be 1 or more (km travelled per straight-line km)",
            );
        }
    }
    for (k, v) in [
        ("rail_within_km", s.rail_within_km),
        ("rail_min_km", s.rail_min_km),
    ] {
        if v.is_some_and(|d| d.is_nan() || d < 0.0) {
            p.push(format!("{key}.{k}"), "must not be negative");
        }
        if v.is_some() && s.rail_layer.is_none() {
            p.push(format!("{key}.{k}"), "has no effect without rail_layer");
        }
    }
    if s.rail_categories.is_some() && s.rail_layer.is_none() {
        p.push(
            format!("{key}.rail_categories"),
            "has no effect without rail_layer",
        );
    }
    CriterionKind::Freight(FreightSpec {
        flows: s.flows.unwrap_or_default().into(),
        mode,
        factors,
        detour: s.detour.unwrap_or(1.3),
        rail_detour: s.rail_detour.unwrap_or(1.6),
        rail_layer: s.rail_layer,
        rail_categories: s
            .rail_categories
            .map(|c| c.0)
            .unwrap_or_else(|| vec!["gare_fret".to_string(), "ite".to_string()]),
        rail_within_km: s.rail_within_km.unwrap_or(2.0),
        rail_min_km: s.rail_min_km.unwrap_or(200.0),
        ideal: ideal.unwrap_or(0.0),
        zero: zero.unwrap_or(1.0),
        travel,
    })
}

fn access(s: AccessShape, key: &str, p: &mut Problems) -> CriterionKind {
    let what = "an access criterion";
    let travel = travel(s.travel.as_deref(), s.matrix, s.network, key, p);
    let radius_km = radius(&travel, s.radius_km, s.radius_min, key, what, p);
    let saturation = required(s.saturation, key, "saturation", what, p);
    let decay = decay(s.decay.as_deref(), key, p);
    if saturation.is_some_and(|s| s <= 0.0) {
        p.push(format!("{key}.saturation"), "must be above 0");
    }
    if s.layer.is_none() {
        p.required(format!("{key}.layer"), "is required");
    }
    CriterionKind::Access {
        layer: s.layer.unwrap_or_default(),
        field: s.field,
        categories: s.categories.unwrap_or_default().0,
        tags: s.tags.unwrap_or_default().0,
        radius: radius_km.unwrap_or(1.0),
        decay,
        saturation: saturation.unwrap_or(1.0),
        travel,
    }
}

fn competition(s: CompetitionShape, key: &str, p: &mut Problems) -> CriterionKind {
    let what = "a competition criterion";
    let travel = travel(s.travel.as_deref(), s.matrix, s.network, key, p);
    let radius = radius(&travel, s.radius_km, s.radius_min, key, what, p);
    let impedance = match (s.beta, s.decay.as_deref()) {
        (Some(_), Some(_)) => {
            p.push(
                format!("{key}.beta"),
                "give either beta (f = exp(-beta t)) or decay, not both",
            );
            Impedance::Decay(Decay::None)
        }
        (Some(beta), None) => {
            if not_positive(beta) {
                p.push(format!("{key}.beta"), "must be above 0");
            }
            Impedance::Beta(beta)
        }
        (None, d) => Impedance::Decay(decay(d, key, p)),
    };
    let measure = match s.measure.as_deref() {
        None | Some("workers-per-job") => {
            if s.jobs.is_some() {
                p.push(
                    format!("{key}.jobs"),
                    "is read only with measure = \"expected-workers\"",
                );
            }
            CompetitionMeasure::WorkersPerJob
        }
        Some("expected-workers") => {
            let jobs = required(
                s.jobs,
                key,
                "jobs",
                "measure = \"expected-workers\" (the plant's planned jobs)",
                p,
            );
            if jobs.is_some_and(not_positive) {
                p.push(format!("{key}.jobs"), "must be above 0");
            }
            CompetitionMeasure::ExpectedWorkers {
                jobs: jobs.unwrap_or(1.0),
            }
        }
        Some(other) => {
            p.push(
                format!("{key}.measure"),
                format!("{other:?}: use workers-per-job or expected-workers"),
            );
            CompetitionMeasure::WorkersPerJob
        }
    };
    let saturation = required(s.saturation, key, "saturation", what, p);
    if saturation.is_some_and(not_positive) {
        p.push(format!("{key}.saturation"), "must be above 0");
    }
    if s.layer.is_none() {
        p.required(
            format!("{key}.layer"),
            "is required (the workers' population layer)",
        );
    }
    if s.field.is_none() {
        p.required(
            format!("{key}.field"),
            "is required (the workers' field, e.g. active)",
        );
    }
    if s.jobs_field.is_none() {
        p.required(
            format!("{key}.jobs_field"),
            "is required (the competing jobs' field, e.g. jobs_2018)",
        );
    }
    let layer = s.layer.unwrap_or_default();
    CriterionKind::Competition {
        jobs_layer: s.jobs_layer.unwrap_or_else(|| layer.clone()),
        layer,
        field: s.field.unwrap_or_default(),
        jobs_field: s.jobs_field.unwrap_or_default(),
        radius: radius.unwrap_or(1.0),
        impedance,
        measure,
        saturation: saturation.unwrap_or(1.0),
        travel,
    }
}

fn attribute(s: AttributeShape, key: &str, p: &mut Problems) -> CriterionKind {
    let what = "an attribute criterion";
    let ideal = required(s.ideal, key, "ideal", what, p);
    let zero = required(s.zero, key, "zero", what, p);
    let missing = s.missing.unwrap_or(0.0);
    if let (Some(i), Some(z)) = (ideal, zero) {
        if i == z {
            p.push(format!("{key}.zero"), "must differ from ideal");
        }
    }
    if !(0.0..=1.0).contains(&missing) {
        p.push(format!("{key}.missing"), "must be a score from 0 to 1");
    }
    if s.field.is_none() {
        p.required(format!("{key}.field"), "is required");
    }
    CriterionKind::Attribute {
        field: s.field.unwrap_or_default(),
        ideal: ideal.unwrap_or(1.0),
        zero: zero.unwrap_or(0.0),
        missing,
    }
}

fn land(s: LandShape, brief_need: Option<f64>, key: &str, p: &mut Problems) -> CriterionKind {
    let need = s.need_ha.or(brief_need);
    match need {
        None => p.required(
            format!("{key}.need_ha"),
            "is required for a land criterion (or give the brief's need_ha)",
        ),
        Some(n) if !(n > 0.0 && n.is_finite()) => p.push(
            format!("{key}.need_ha"),
            "must be a number of hectares above 0",
        ),
        Some(_) => {}
    }
    let min_share = s.min_share.unwrap_or(0.5);
    if !(0.0..1.0).contains(&min_share) {
        p.push(
            format!("{key}.min_share"),
            "must be a share of the need from 0 to below 1 (0.5: half the need scores 0)",
        );
    }
    let missing = s.missing.unwrap_or(0.3);
    if !(0.0..=1.0).contains(&missing) {
        p.push(format!("{key}.missing"), "must be a score from 0 to 1");
    }
    CriterionKind::Land(LandSpec {
        need_ha: need.unwrap_or(1.0),
        min_share,
        missing,
    })
}

fn anchor(s: AnchorShape, key: &str, p: &mut Problems) -> CriterionKind {
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

fn category(s: CategoryShape, key: &str, p: &mut Problems) -> CriterionKind {
    let default = s.default.unwrap_or(0.0);
    let mut scores = Vec::new();
    match s.scores {
        None => p.required(
            format!("{key}.scores"),
            "is required for a category criterion",
        ),
        Some(table) => {
            for (k, v) in table.0 {
                match v.as_f64() {
                    Some(x) if (0.0..=1.0).contains(&x) => scores.push((k, x)),
                    _ => p.push(format!("{key}.scores.{k}"), "must be a score from 0 to 1"),
                }
            }
        }
    }
    if !(0.0..=1.0).contains(&default) {
        p.push(format!("{key}.default"), "must be a score from 0 to 1");
    }
    if s.field.is_none() {
        p.required(format!("{key}.field"), "is required");
    }
    CriterionKind::Category {
        field: s.field.unwrap_or_default(),
        scores,
        default,
    }
}
