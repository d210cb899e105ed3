//! Receipts: what a ranking says of one site, computed once per site
//! ([`Receipt::of`]) and rendered by `explain` as text ([`text`]), by the HTML
//! report as each site's popup and by the Markdown table as its cells.

pub(crate) mod text;

use crate::brief::CriterionType;
use crate::ranking::{
    CriterionInfo, CriterionResult, CriterionValue, FreightDetail, Ranking, SiteResult,
    TargetProfile,
};
use crate::text::thousands;

/// One site's receipt: per criterion, its value in words and the facts behind its
/// points.
pub(crate) struct Receipt<'a> {
    /// One line per criterion, in the ranking's order.
    pub lines: Vec<Line<'a>>,
    /// What the decision aids say of the site, in one line (`Pareto; in top 80%...`).
    pub notes: String,
}

/// One criterion of a receipt.
pub(crate) struct Line<'a> {
    /// The criterion.
    pub info: &'a CriterionInfo,
    /// What it found for the site.
    pub result: &'a CriterionResult,
    /// The value in a few characters with its unit (tables): `3.2 km`, `946`, `n/a`.
    pub short: String,
    /// The value in full (`explain`): `3.215 km`, `946 (946.2)`, `no matching facility`.
    pub long: String,
    /// With a `[target]`: the reference's score (`None`: the reference has no value).
    pub reference: Option<Option<f64>>,
    /// With a `[target]`: how the value stands against the reference, in words.
    pub gap: Option<String>,
    /// Competition criteria: `12,000 workers within reach, 9,500 jobs competing for
    /// them`.
    pub workers: Option<String>,
    /// Freight criteria: the three biggest flows.
    pub flows: Option<String>,
}

impl<'a> Receipt<'a> {
    /// The receipt of a site of a ranking.
    pub(crate) fn of(ranking: &'a Ranking, site: &'a SiteResult) -> Receipt<'a> {
        let lines = ranking
            .criteria
            .iter()
            .zip(&site.criteria)
            .enumerate()
            .map(|(k, (info, c))| Line {
                info,
                result: c,
                short: short_value(info, c),
                long: long_value(info, c),
                reference: ranking
                    .target
                    .as_ref()
                    .map(|t| t.scores.get(k).copied().flatten()),
                gap: ranking
                    .target
                    .as_ref()
                    .and_then(|t| gap(info, &c.value, t, k)),
                workers: c.workers.map(|w| {
                    let jobs = match c.competing_jobs {
                        Some(j) => format!("{} jobs competing for them", thousands(j)),
                        None => "no job competing for them".to_string(),
                    };
                    format!("{} workers within reach, {jobs}", thousands(w))
                }),
                flows: c.freight.as_deref().map(biggest_flows),
            })
            .collect();
        Receipt {
            lines,
            notes: notes(site),
        }
    }
}

/// A criterion's value in a few characters, with its unit where it has one: `3.2 km`,
/// `12 min`, `946` (people, whole), `0.82` (workers per job), `U`, `n/a`.
fn short_value(info: &CriterionInfo, c: &CriterionResult) -> String {
    match &c.value {
        CriterionValue::Number(Some(x)) if info.kind.is_distance() => {
            format!("{x:.1} {}", info.travel.unit())
        }
        // A sum over people: whole numbers, thousands apart.
        CriterionValue::Number(Some(x)) if info.sums.is_some() => thousands(*x),
        CriterionValue::Number(Some(x)) if info.kind == CriterionType::Competition => {
            format!("{x:.2}")
        }
        CriterionValue::Number(Some(x)) if info.kind == CriterionType::Freight => {
            format!("{x:.0} t CO2e")
        }
        CriterionValue::Number(Some(x)) if info.kind == CriterionType::Land => {
            format!("{} ha", readable(*x))
        }
        CriterionValue::Number(Some(x)) => readable(*x),
        CriterionValue::Number(None) => "n/a".into(),
        CriterionValue::Text(t) => t.as_deref().unwrap_or("n/a").to_string(),
    }
}

/// A site's commune as a reader names it: `Guyancourt (78297)` where the site carries
/// the name (`commune_nom`, as every candidate layer of the default data set does) and
/// the INSEE code; the one it has otherwise; empty with neither.
pub(crate) fn commune(ranking: &Ranking, site: &SiteResult) -> String {
    let name = ranking
        .attributes
        .iter()
        .position(|a| a.name == "commune_nom")
        .and_then(|i| site.attributes.get(i))
        .and_then(|v| v.as_text())
        .filter(|n| !n.trim().is_empty());
    match (name, site.commune.as_deref()) {
        (Some(n), Some(code)) => format!("{n} ({code})"),
        (Some(n), None) => n,
        (None, Some(code)) => code.to_string(),
        (None, None) => String::new(),
    }
}

/// A site's place in a diverse shortlist (`1`, `2`...), `dropped` for a ranked site
/// left out of it (the notes say for which better site), `-` for an excluded one.
pub(crate) fn shortlist_place(site: &SiteResult) -> String {
    match (site.decision.shortlist_rank, site.decision.shortlisted) {
        (Some(place), _) => place.to_string(),
        (None, Some(false)) => "dropped".to_string(),
        _ => "-".to_string(),
    }
}

/// A number as a reader quotes it: three significant figures or so, whole from 100
/// (`92.1`, `26.6`, `4.25`, `0.825`, `1240`), trailing zeros dropped.
pub(crate) fn readable(x: f64) -> String {
    let decimals = match x.abs() {
        a if a >= 100.0 => 0,
        a if a >= 10.0 => 1,
        a if a >= 1.0 => 2,
        _ => 3,
    };
    let text = format!("{x:.decimals$}");
    let text = if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.')
    } else {
        &text
    };
    match text {
        "-0" => "0".to_string(),
        t => t.to_string(),
    }
}

/// A criterion's value in full, as `explain` writes it: `3.215 km`, `12.500 min by
/// road (roads) (9.800 km in a straight line)`, `946 (946.2)`, `no matching facility`.
fn long_value(info: &CriterionInfo, c: &CriterionResult) -> String {
    match &c.value {
        CriterionValue::Number(Some(x)) if info.kind.is_distance() => match c.km {
            Some(km) => format!(
                "{x:.3} {} by {} ({km:.3} km in a straight line)",
                info.travel.unit(),
                info.travel.how()
            ),
            None => format!("{x:.3} {}", info.travel.unit()),
        },
        // The exact sum, and the whole number a reader quotes.
        CriterionValue::Number(Some(x))
            if info.kind == CriterionType::Access && x.fract() != 0.0 =>
        {
            format!("{x:.0} ({x})")
        }
        CriterionValue::Number(Some(x))
            if matches!(
                info.kind,
                CriterionType::Competition | CriterionType::Freight
            ) =>
        {
            format!("{x:.3} ({})", info.unit)
        }
        CriterionValue::Number(Some(x)) => format!("{x}"),
        CriterionValue::Number(None) if info.kind.is_distance() => {
            if info.travel == crate::brief::Travel::Straight {
                "no matching facility".to_string()
            } else {
                format!("no matching facility reachable by {}", info.travel.how())
            }
        }
        CriterionValue::Number(None) => "missing".to_string(),
        CriterionValue::Text(Some(t)) => format!("{t:?}"),
        CriterionValue::Text(None) => "missing".to_string(),
    }
}

/// Exclusion reasons, near miss, Pareto, robustness and shortlist, in a few words.
pub(crate) fn notes(s: &SiteResult) -> String {
    let d = &s.decision;
    let mut n = Vec::new();
    if !s.excluded_by.is_empty() {
        n.push(format!("excluded: {}", s.excluded_by_text(", ")));
    }
    if let Some(m) = &d.near_miss {
        n.push(format!("near miss: {}", m));
    }
    match (d.pareto, &d.dominated_by) {
        (Some(true), _) => n.push("Pareto".into()),
        (_, Some(by)) => n.push(format!("dominated by {by}")),
        _ => {}
    }
    if let (Some(top), Some(lo), Some(hi)) = (d.p_top, d.rank_p05, d.rank_p95) {
        n.push(format!(
            "in top {:.0}% of runs, rank {lo}-{hi}",
            top * 100.0
        ));
    }
    if let Some(why) = &d.dropped_by {
        n.push(format!("dropped: {why}"));
    }
    n.join("; ")
}

/// How a site's value of one criterion stands against the reference of a `[target]`
/// brief, as a consultant says it: `4.2 km closer than your Douai plant`, `12% below
/// your Douai plant`, `same as your Douai plant`; `None` when either has no value.
fn gap(
    info: &CriterionInfo,
    value: &CriterionValue,
    t: &TargetProfile,
    k: usize,
) -> Option<String> {
    use crate::brief::CriterionType as T;
    use crate::ranking::CriterionValue as V;
    let label = &t.label;
    match (value, t.values.get(k)?) {
        (V::Number(Some(x)), V::Number(Some(r))) => {
            let d = x - r;
            Some(match info.kind {
                T::Distance => {
                    let unit = info.travel.unit();
                    if d.abs() < 0.05 {
                        format!("as near as {label}")
                    } else if d < 0.0 {
                        format!("{:.1} {unit} closer than {label}", -d)
                    } else {
                        format!("{d:.1} {unit} further than {label}")
                    }
                }
                T::Zone => {
                    if d == 0.0 {
                        format!("same as {label}")
                    } else if d > 0.0 {
                        format!("inside, {label} is not")
                    } else {
                        format!("outside, {label} is inside")
                    }
                }
                T::Freight if d.abs() >= 0.05 => format!(
                    "{:.1} t CO2e a year {} than {label}",
                    d.abs(),
                    if d < 0.0 { "less" } else { "more" }
                ),
                _ if *r != 0.0 && (d / r).abs() >= 0.005 => format!(
                    "{:.0}% {} {label}",
                    (d / r * 100.0).abs(),
                    if d < 0.0 { "below" } else { "above" }
                ),
                _ if d.abs() < 1e-9 || *r != 0.0 => format!("same as {label}"),
                _ => format!("{x} where {label} has 0"),
            })
        }
        (V::Text(Some(x)), V::Text(Some(r))) if crate::text::fold(x) == crate::text::fold(r) => {
            Some(format!("same as {label}"))
        }
        (V::Text(Some(x)), V::Text(Some(r))) => Some(format!("{x} where {label} is {r}")),
        (V::Text(None), V::Text(Some(r))) => Some(format!("unknown here; {label} is {r}")),
        (V::Text(Some(x)), V::Text(None)) => Some(format!("{x}; unknown for {label}")),
        (V::Number(None), V::Number(Some(r))) => Some(format!("unknown here; {label} has {r}")),
        _ => None,
    }
}

/// A freight criterion's three biggest flows, for a cell or a sentence:
/// `Acier Nord (in, 12,000 t, 290 km by road: 275 t CO2e); ...`.
pub(crate) fn biggest_flows(d: &FreightDetail) -> String {
    d.biggest
        .iter()
        .map(|f| {
            format!(
                "{} ({}, {} t, {:.0} km by {}: {:.1} t CO2e)",
                f.label.as_deref().unwrap_or(&f.id),
                f.direction,
                thousands(f.tonnes),
                f.km,
                f.mode,
                f.t_co2e
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
mod tests {
    use super::readable;

    #[test]
    fn numbers_read_as_they_are_quoted() {
        let cases = [
            (92.0781, "92.1"),
            (26.5834, "26.6"),
            (4.2549, "4.25"),
            (0.8249, "0.825"),
            (1239.6, "1240"),
            (20.0, "20"),
            (0.0, "0"),
            (-0.0001, "0"),
            (-3.456, "-3.46"),
        ];
        for (x, text) in cases {
            assert_eq!(readable(x), text, "{x}");
        }
    }
}
