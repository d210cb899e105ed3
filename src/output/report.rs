//! Human-readable reports on loaded data (`sitematch layers`).

use std::fmt::Write;

use crate::catalog::Catalog;
use crate::model::Layer;
use crate::text::thousands;

fn bbox_text(layer: &Layer) -> String {
    match layer.bbox() {
        Some(r) => format!(
            "{:.4},{:.4},{:.4},{:.4}",
            r.min().x,
            r.min().y,
            r.max().x,
            r.max().y
        ),
        None => "-".to_string(),
    }
}

fn skipped_text(layer: &Layer) -> String {
    let by_reason = layer.skipped_by_reason();
    if by_reason.is_empty() {
        return "0".to_string();
    }
    let parts: Vec<String> = by_reason
        .iter()
        .map(|(code, n)| format!("{code} {n}"))
        .collect();
    format!("{} ({})", layer.skipped.len(), parts.join(", "))
}

/// One row per layer: name, role, format, source CRS, features loaded, features
/// skipped by reason, bounding box (lon/lat, WGS84), as an aligned text table.
///
/// ```
/// use sitematch::{Catalog, Feature, Layer, Role};
/// let c = Catalog::from_layers(vec![Layer::from_features(
///     "ports", Role::Facilities, vec![Feature::point("a", 1.0, 2.0)])]);
/// let table = sitematch::output::layers_table(&c);
/// assert!(table.lines().nth(1).unwrap().starts_with("ports"));
/// ```
pub fn layers_table(catalog: &Catalog) -> String {
    let header = [
        "layer", "role", "format", "crs", "loaded", "skipped", "bbox",
    ]
    .map(String::from);
    let mut rows = vec![header.to_vec()];
    for l in &catalog.layers {
        rows.push(vec![
            l.name.clone(),
            l.role.to_string(),
            l.format.to_string(),
            l.source_crs.clone(),
            l.features.len().to_string(),
            skipped_text(l),
            bbox_text(l),
        ]);
    }
    let widths: Vec<usize> = (0..header.len())
        .map(|c| {
            rows.iter()
                .map(|r| r.get(c).map_or(0, |s| s.chars().count()))
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for row in &rows {
        let cells: Vec<String> = row
            .iter()
            .zip(&widths)
            .map(|(s, w)| format!("{s:<w$}"))
            .collect();
        let _ = writeln!(out, "{}", cells.join("  ").trim_end());
    }
    for n in &catalog.networks {
        let sizes = n.component_sizes();
        let largest = sizes.first().copied().unwrap_or(0);
        let share = if n.node_count() > 0 {
            100.0 * largest as f64 / n.node_count() as f64
        } else {
            0.0
        };
        let skipped = if n.skipped.is_empty() {
            String::new()
        } else {
            format!(", {} edges or nodes skipped", n.skipped.len())
        };
        let _ = writeln!(
            out,
            "{:<w$}  network: {} nodes, {} arcs, {} components, {share:.1}% of the nodes in the largest{skipped}",
            n.name,
            n.node_count(),
            n.arc_count(),
            sizes.len(),
            w = widths.first().copied().unwrap_or(0)
        );
    }
    out
}

/// Every skipped feature of every layer, one line each.
///
/// ```
/// let catalog = sitematch::Catalog::from_path(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/rank"))?;
/// let text = sitematch::output::skipped_lines(&catalog);
/// let skipped: usize = catalog.layers.iter().map(|l| l.skipped.len()).sum();
/// assert_eq!(text.lines().count(), skipped);
/// # Ok::<(), sitematch::Error>(())
/// ```
pub fn skipped_lines(catalog: &Catalog) -> String {
    let mut out = String::new();
    for l in &catalog.layers {
        for s in &l.skipped {
            let _ = writeln!(out, "{}: {s}", l.name);
        }
    }
    for n in &catalog.networks {
        for s in &n.skipped {
            let _ = writeln!(out, "{}: {s}", n.name);
        }
    }
    out
}

/// A layer's tag values with their counts, most common first.
///
/// ```
/// use sitematch::{Feature, Layer, Role};
/// let mut a = Feature::point("a", 0.0, 0.0);
/// a.tags = vec!["electrotechnique".into(), "chimie".into()];
/// let mut b = Feature::point("b", 1.0, 0.0);
/// b.tags = vec!["chimie".into()];
/// let table = sitematch::output::tags_table(&Layer::from_features("training", Role::Facilities, vec![a, b]));
/// assert_eq!(table.lines().next(), Some("      2  chimie"));
/// ```
pub fn tags_table(layer: &Layer) -> String {
    let mut out = String::new();
    for (tag, n) in layer.tag_counts() {
        let _ = writeln!(out, "{n:>7}  {tag}");
    }
    out
}

/// A readable breakdown of one site in a ranking: its rank and score, or why it was
/// excluded, and per criterion the raw value, score, weight, points and nearest
/// facility. `None` when the ranking has no such site.
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
/// let text = sitematch::output::explain(&ranking, "small").unwrap();
/// assert!(text.contains("excluded by: min_area_ha"));
/// # Ok::<(), sitematch::Error>(())
/// ```
pub fn explain(ranking: &crate::ranking::Ranking, site_id: &str) -> Option<String> {
    use crate::brief::CriterionType;
    use crate::ranking::CriterionValue;
    let s = ranking.site(site_id)?;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} {} (layer {}{})",
        s.site_id,
        s.label
            .as_deref()
            .map(|l| format!("\"{l}\""))
            .unwrap_or_default(),
        s.layer,
        s.area_ha
            .map(|a| format!(", {a:.2} ha"))
            .unwrap_or_default()
    );
    match (s.rank, s.score) {
        (Some(r), Some(score)) => match &ranking.target {
            Some(t) => {
                let _ = writeln!(
                    out,
                    "rank {r} of {}, likeness {score:.2} / 100 to {} (100: the same scores on every criterion)",
                    ranking.ranked, t.label
                );
            }
            None => {
                let _ = writeln!(
                    out,
                    "rank {r} of {}, score {score:.2} / 100 ({})",
                    ranking.ranked, ranking.method
                );
            }
        },
        _ => {
            let _ = writeln!(out, "excluded by: {}", s.excluded_by_text(", "));
        }
    }
    let _ = writeln!(out);
    for (k, (info, c)) in ranking.criteria.iter().zip(&s.criteria).enumerate() {
        let value = match &c.value {
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
        };
        match ranking
            .target
            .as_ref()
            .map(|t| t.scores.get(k).copied().flatten())
        {
            // Likeness: the points are the weight times one minus the score gap.
            Some(Some(r)) => {
                let _ = write!(
                    out,
                    "{:<16} {:<9} value {value}; score {:.3}, reference {r:.3}: (1 - {:.3}) x weight {:.3} = {:.2} points",
                    info.name,
                    info.kind,
                    c.score,
                    (c.score - r).abs(),
                    info.weight,
                    c.points
                );
            }
            Some(None) => {
                let _ = write!(
                    out,
                    "{:<16} {:<9} value {value}; score {:.3}; the reference has no value: left out, 0 points",
                    info.name, info.kind, c.score
                );
            }
            None => {
                let _ = write!(
                    out,
                    "{:<16} {:<9} value {value}; score {:.3} x weight {:.3} = {:.2} points",
                    info.name, info.kind, c.score, info.weight, c.points
                );
            }
        }
        if let Some(w) = c.workers {
            let jobs = match c.competing_jobs {
                Some(j) => format!("{} jobs competing for them", thousands(j)),
                None => "no job competing for them".to_string(),
            };
            let _ = write!(out, "; {} workers within reach, {jobs}", thousands(w));
        }
        if let Some(gap) = ranking
            .target
            .as_ref()
            .and_then(|t| gap(info, &c.value, t, k))
        {
            let _ = write!(out, "; {gap}");
        }
        if let Some(f) = &c.freight {
            let _ = write!(
                out,
                "; {} t-km a year{}; biggest flows: {}",
                thousands(f.tonne_km),
                if f.rail { ", rail serves the site" } else { "" },
                biggest_flows(f)
            );
        }
        match (&c.nearest_id, &c.nearest_label) {
            (Some(id), label) => {
                let label = label.as_deref().map(|l| format!(" \"{l}\""));
                let _ = write!(out, "; nearest {id}{}", label.unwrap_or_default());
            }
            // A place the brief names (an anchor).
            (None, Some(label)) => {
                let _ = write!(out, "; nearest \"{label}\"");
            }
            (None, None) => {}
        }
        let _ = writeln!(out);
    }
    let d = &s.decision;
    let _ = writeln!(out);
    match (d.pareto, &d.dominated_by) {
        (Some(true), _) => {
            let _ = writeln!(
                out,
                "Pareto front: no ranked site is as good on every criterion"
            );
        }
        (_, Some(by)) => {
            let _ = writeln!(
                out,
                "dominated by {by}: at least as good on every criterion"
            );
        }
        _ => {}
    }
    if let Some(m) = &d.near_miss {
        let _ = writeln!(out, "near miss: {}", m);
    }
    if let (Some(top), Some(first), Some(lo), Some(hi)) =
        (d.p_top, d.p_first, d.rank_p05, d.rank_p95)
    {
        let _ = writeln!(
            out,
            "robustness: in the top {} in {:.1}% of runs, first in {:.1}%, rank {lo} to {hi} (5th-95th percentile)",
            ranking.top,
            top * 100.0,
            first * 100.0
        );
    }
    if let Some(f) = &d.flip {
        if let Some(c) = ranking.criteria.get(f.criterion) {
            let _ = writeln!(
                out,
                "the first two sites draw level when the weight of {} changes by {:+.1}%",
                c.name,
                f.change * 100.0
            );
        }
    }
    if let Some(why) = &d.dropped_by {
        let _ = writeln!(out, "left out of the shortlist: {why}");
    }
    Some(out)
}

/// How a site's value of one criterion stands against the reference of a `[target]`
/// brief, as a consultant says it: `4.2 km closer than your Douai plant`, `12% below
/// your Douai plant`, `same as your Douai plant`; `None` when either has no value.
pub(crate) fn gap(
    info: &crate::ranking::CriterionInfo,
    value: &crate::ranking::CriterionValue,
    t: &crate::ranking::TargetProfile,
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
pub(crate) fn biggest_flows(d: &crate::ranking::FreightDetail) -> String {
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
