//! From the shapes a brief file holds to a [`Brief`]: the checks the types cannot
//! express (ranges, orderings, required keys, known names), every problem collected
//! with its key path.

use std::collections::HashSet;

use serde_json::Value;

use super::shape::{BriefShape, CandidatesShape, FilterShape, OutputShape, RobustnessShape};
use super::{Brief, Criterion, Filter, GridSpec, Method, OutputSpec, Robustness};
use crate::aggregate::ahp_weights;
use crate::criteria::{read_criterion, ReadContext};
use crate::de::Problems;

/// `[target]`: a site, values per criterion (each naming a criterion), or both.
fn target(t: super::shape::TargetShape, criteria: &[Criterion], p: &mut Problems) -> super::Target {
    use crate::model::CriterionValue;
    let mut values = Vec::new();
    for (name, v) in t.values.unwrap_or_default() {
        let key = format!("target.values.{name}");
        let Some(c) = criteria.iter().find(|c| c.name == name) else {
            let names: Vec<&str> = criteria.iter().map(|c| c.name.as_str()).collect();
            p.push(
                key,
                format!(
                    "no criterion is named {name:?}; the criteria are: {}",
                    names.join(", ")
                ),
            );
            continue;
        };
        let text = c.kind.kind() == super::CriterionType::Category;
        match (&v, text) {
            (Value::Number(n), false) => values.push((name, CriterionValue::Number(n.as_f64()))),
            (Value::Bool(b), false) if c.kind.kind() == super::CriterionType::Zone => {
                values.push((name, CriterionValue::Number(Some(f64::from(u8::from(*b))))))
            }
            (Value::String(s), true) => {
                values.push((name, CriterionValue::Text(Some(s.as_str().into()))))
            }
            (Value::Number(n), true) => {
                values.push((name, CriterionValue::Text(Some(n.to_string().into()))))
            }
            _ => p.push(
                key,
                format!(
                    "must be {} in the criterion's unit ({}), found {v}",
                    if text { "text" } else { "a number" },
                    c.kind.unit()
                ),
            ),
        }
    }
    if t.site.is_none() && values.is_empty() {
        p.required(
            "target",
            "give site = \"ID\" or values = { criterion = value, ... }",
        );
    }
    super::Target {
        site: t.site,
        label: t.label,
        values,
    }
}

/// The brief a shape describes; its problems go to `p`.
pub(super) fn brief(s: BriefShape, p: &mut Problems) -> Brief {
    let top = match &s.top {
        None => 20,
        Some(Value::Number(n)) if n.as_u64().is_some_and(|n| n > 0) => {
            usize::try_from(n.as_u64().unwrap_or(20)).unwrap_or(usize::MAX)
        }
        Some(other) => {
            p.push(
                "top",
                format!("must be a whole number above 0, found {other}"),
            );
            20
        }
    };
    let method = match s.method.as_deref() {
        None | Some("weighted-sum") => Method::WeightedSum,
        Some("topsis") => Method::Topsis,
        Some(other) => {
            p.push(
                "method",
                format!("{other:?} is not a method; use \"weighted-sum\" or \"topsis\""),
            );
            Method::WeightedSum
        }
    };
    let filter = s.filter.map(|f| filter(f, p)).unwrap_or_default();
    let mut criteria = Vec::new();
    let mut weighted = Vec::new();
    match &s.criterion {
        None => p.required(
            "criterion",
            "the brief has no [[criterion]]; add at least one",
        ),
        Some(list) if list.0.len() > crate::brief::MAX_CRITERIA => p.push(
            "criterion",
            format!(
                "{} criteria; a brief may have at most {} (each keeps a result per candidate)",
                list.0.len(),
                crate::brief::MAX_CRITERIA
            ),
        ),
        Some(list) => {
            for (i, item) in list.0.iter().enumerate() {
                if item.get("weight").is_some() {
                    weighted.push(i);
                }
                let need = s.need_ha.or(filter.min_area_ha);
                if let Some(c) = read_criterion(item, i, &ReadContext { need_ha: need }, p) {
                    criteria.push(c);
                }
            }
        }
    }
    let (mut ahp, mut allow_inconsistent) = (None, false);
    if let Some(w) = s.weights {
        allow_inconsistent = w.allow_inconsistent.unwrap_or(false);
        ahp = w.ahp.map(|m| m.0);
        if ahp.is_none() {
            p.required("weights.ahp", "is required in [weights]");
        }
    }
    let has_robustness = s.robustness.is_some();
    let robustness = s.robustness.map(|r| robustness(r, p));
    let has_output = s.output.is_some();
    let output = s.output.map(|o| output(o, p)).unwrap_or_default();
    let grid = s.candidates.and_then(|c| grid(c, p));
    if grid.is_some() {
        grid_checks(&filter, &criteria, method, has_robustness, has_output, p);
    }

    // Across criteria.
    let mut names = HashSet::new();
    for (i, c) in criteria.iter().enumerate() {
        if !names.insert(c.name.as_str()) {
            p.push(
                format!("criterion[{i}].name"),
                format!(
                    "{:?} is already used; criterion names must be unique",
                    c.name
                ),
            );
        }
    }
    if let Some(m) = &ahp {
        check_ahp(m, criteria.len(), allow_inconsistent, &weighted, p);
    } else if !criteria.is_empty() {
        let total: f64 = criteria.iter().map(|c| c.weight).sum();
        if total <= 0.0 && criteria.iter().all(|c| c.weight >= 0.0) {
            p.push(
                "criterion",
                "the weights add up to 0; give at least one criterion a positive weight",
            );
        } else if !total.is_normal() && criteria.iter().all(|c| c.weight >= 0.0) {
            // 1e308 + 1e308 is infinite: every score would be 0, ranked by id.
            p.push(
                "criterion",
                format!(
                    "the weights add up to {total:e}, beyond what a sum of floating-point \
                     numbers holds; give weights of everyday sizes (1, 2, 0.5...)"
                ),
            );
        }
        for (i, c) in criteria.iter().enumerate() {
            if c.weight > 0.0 && !c.weight.is_normal() {
                p.push(
                    format!("criterion[{i}].weight"),
                    format!(
                        "{:e} is too small to weigh anything exactly; use 0 to leave the \
                         criterion out, or a weight of everyday size",
                        c.weight
                    ),
                );
            }
        }
    }
    if s.need_ha.is_some_and(|n| n.is_nan() || n <= 0.0) {
        p.push("need_ha", "must be a number of hectares above 0");
    }
    let target = s.target.map(|t| target(t, &criteria, p));
    if target.is_some() {
        if method != Method::WeightedSum {
            p.push(
                "method",
                "a [target] ranks by likeness to it; remove method (or the target)",
            );
        }
        if has_robustness {
            p.push(
                "robustness",
                "perturbs the weights of a weighted sum; a [target] ranks by likeness to it",
            );
        }
        if grid.is_some() {
            p.push("target", "is for site rankings, not grids");
        }
    }
    Brief {
        name: s.name.unwrap_or_default(),
        top,
        method,
        filter,
        criteria,
        ahp,
        allow_inconsistent,
        robustness,
        output,
        need_ha: s.need_ha,
        target,
        grid,
    }
}

fn filter(f: FilterShape, p: &mut Problems) -> Filter {
    for (k, v) in [
        ("min_area_ha", f.min_area_ha),
        ("max_area_ha", f.max_area_ha),
    ] {
        if v.is_some_and(|v| v < 0.0) {
            p.push(format!("filter.{k}"), "must not be negative");
        }
    }
    if let (Some(lo), Some(hi)) = (f.min_area_ha, f.max_area_ha) {
        if lo > hi {
            p.push("filter.max_area_ha", "must not be below min_area_ha");
        }
    }
    let bbox = f.bbox.as_ref().and_then(|v| {
        let nums: Option<Vec<f64>> = v
            .as_array()
            .map(|a| a.iter().filter_map(Value::as_f64).collect());
        match nums.as_deref() {
            Some(&[a, b, c, d]) if crate::model::is_lon_lat_box([a, b, c, d]) => Some([a, b, c, d]),
            _ => {
                p.push(
                    "filter.bbox",
                    "must be [min_lon, min_lat, max_lon, max_lat] in degrees, min below max",
                );
                None
            }
        }
    });
    Filter {
        layers: f.layers.map(|l| l.0),
        min_area_ha: f.min_area_ha,
        max_area_ha: f.max_area_ha,
        // "8" in a JSON list of numbers is département 08.
        departments: f.departments.map(|d| {
            d.0.into_iter()
                .map(|s| if s.len() == 1 { format!("0{s}") } else { s })
                .collect()
        }),
        bbox,
        where_: f
            .where_
            .map(|w| w.0.into_iter().map(|(k, v)| (k, v.0)).collect())
            .unwrap_or_default(),
        where_not: f
            .where_not
            .map(|w| w.0.into_iter().map(|(k, v)| (k, v.0)).collect())
            .unwrap_or_default(),
        exclude_zones: f.exclude_zones.map(|z| z.0).unwrap_or_default(),
    }
}

fn grid(c: CandidatesShape, p: &mut Problems) -> Option<GridSpec> {
    let grid_km = c.grid_km;
    if grid_km.is_none() {
        p.required(
            "candidates.grid_km",
            "is required for grid candidates (cell size, km)",
        );
    }
    if grid_km.is_some_and(|g| !(0.05..=100.0).contains(&g)) {
        p.push("candidates.grid_km", "must be from 0.05 to 100 km");
    }
    if c.land_km.is_some_and(|x| x <= 0.0) {
        p.push("candidates.land_km", "must be above 0");
    }
    let squares = match c.cells.as_deref() {
        None | Some("points") => false,
        Some("squares") => true,
        Some(other) => {
            p.push(
                "candidates.cells",
                format!("{other:?}: use \"points\" or \"squares\""),
            );
            false
        }
    };
    Some(GridSpec {
        grid_km: grid_km?,
        land: c.land.unwrap_or_else(|| "communes".to_string()),
        land_km: c.land_km,
        within: c.within,
        squares,
    })
}

/// What a grid brief cannot ask: cells have no attributes, no area, and are scored
/// one batch at a time.
fn grid_checks(
    filter: &Filter,
    criteria: &[Criterion],
    method: Method,
    has_robustness: bool,
    has_output: bool,
    p: &mut Problems,
) {
    if filter.bbox.is_none() && filter.departments.is_none() && !p.reported("filter.bbox") {
        p.push(
            "candidates",
            "a grid needs an extent: give filter.bbox or filter.departments",
        );
    }
    let present = [
        ("layers", filter.layers.is_some()),
        ("min_area_ha", filter.min_area_ha.is_some()),
        ("max_area_ha", filter.max_area_ha.is_some()),
        ("where", !filter.where_.is_empty()),
        ("where_not", !filter.where_not.is_empty()),
    ];
    for (k, _) in present.iter().filter(|(_, there)| *there) {
        p.push(
            format!("filter.{k}"),
            "does not apply to grid cells (they have no attributes or area); remove it",
        );
    }
    for (i, c) in criteria.iter().enumerate() {
        if c.kind.spec().reads_site_attributes() {
            p.push(
                format!("criterion[{i}].type"),
                "grid cells have no attributes; use distance, access or zone criteria",
            );
        }
    }
    if method == Method::Topsis {
        p.push(
            "method",
            "TOPSIS needs every candidate at once; a streamed grid uses weighted-sum",
        );
    }
    for (k, there) in [("robustness", has_robustness), ("output", has_output)] {
        if there {
            p.push(
                k,
                "applies to ranked sites, not to a grid surface; remove it",
            );
        }
    }
}

fn robustness(r: RobustnessShape, p: &mut Problems) -> Robustness {
    let d = Robustness::default();
    let runs = r.runs.unwrap_or(d.runs as f64);
    let spread = r.spread.unwrap_or(d.spread);
    let seed = r.seed.unwrap_or(d.seed as f64);
    let max = crate::brief::MAX_ROBUSTNESS_RUNS as f64;
    if !((1.0..=max).contains(&runs) && runs.fract() == 0.0) {
        p.push(
            "robustness.runs",
            "must be a whole number from 1 to 1,000,000",
        );
    }
    if !(0.0..1.0).contains(&spread) {
        p.push(
            "robustness.spread",
            "must be at least 0 and below 1 (0.25 = ±25%)",
        );
    }
    if !(seed >= 0.0 && seed.fract() == 0.0 && seed < 9.0e15) {
        p.push("robustness.seed", "must be a whole number, 0 or more");
    }
    Robustness {
        runs: runs.clamp(1.0, max) as usize,
        spread: spread.clamp(0.0, 0.99),
        seed: seed.max(0.0) as u64,
    }
}

fn output(o: OutputShape, p: &mut Problems) -> OutputSpec {
    if o.min_spacing_km.is_some_and(|x| x <= 0.0) {
        p.push("output.min_spacing_km", "must be above 0");
    }
    let near_miss = o.near_miss.unwrap_or(OutputSpec::default().near_miss);
    if !(0.0..=1.0).contains(&near_miss) {
        p.push(
            "output.near_miss",
            "must be a fraction from 0 to 1 (0.10 = 10%)",
        );
    }
    OutputSpec {
        min_spacing_km: o.min_spacing_km,
        one_per: o.one_per,
        near_miss,
    }
}

/// The AHP matrix: square, one row per criterion, positive, reciprocal within 1%,
/// consistent (CR <= 0.10) unless allowed; no per-criterion weights beside it.
fn check_ahp(
    m: &[Vec<f64>],
    n: usize,
    allow_inconsistent: bool,
    weighted: &[usize],
    p: &mut Problems,
) {
    for i in weighted {
        p.push(
            format!("criterion[{i}].weight"),
            "a brief with weights.ahp gives no per-criterion weights; remove it",
        );
    }
    if !(1..=10).contains(&n) {
        p.push("weights.ahp", "AHP handles 1 to 10 criteria");
        return;
    }
    if m.len() != n || m.iter().any(|r| r.len() != n) {
        p.push(
            "weights.ahp",
            format!("must be a square {n}x{n} matrix, one row and column per criterion, in order"),
        );
        return;
    }
    let mut ok = true;
    for (i, row) in m.iter().enumerate() {
        for (j, &a) in row.iter().enumerate() {
            let b = m.get(j).and_then(|r| r.get(i)).copied().unwrap_or(f64::NAN);
            if !(a > 0.0 && a.is_finite()) {
                p.push(
                    format!("weights.ahp[{i}][{j}]"),
                    "must be a positive number",
                );
                ok = false;
            } else if j > i && b > 0.0 && (a * b - 1.0).abs() > 0.01 {
                p.push(
                    format!("weights.ahp[{j}][{i}]"),
                    format!("must be the reciprocal of weights.ahp[{i}][{j}] = {a} (within 1%)"),
                );
                ok = false;
            }
        }
    }
    if ok && !allow_inconsistent {
        let (_, cr) = ahp_weights(m);
        if cr > 0.10 {
            p.push(
                "weights.ahp",
                format!(
                    "consistency ratio {cr:.3} is above 0.10; revise the judgements or set \
                     allow_inconsistent = true in [weights]"
                ),
            );
        }
    }
}
