//! A site's fiche: one printable page (print CSS; a PDF is then the browser's "Save
//! as PDF"), with the site, its place in the ranking, each criterion's value, score,
//! nearest facility and labour pool, the robustness and Pareto columns, the land take
//! it avoids, the ranking's warnings, its score receipt, and a map of its drive-time
//! catchments (drawn by `fiche.js` from `/workbench/catchments`).

use std::fmt::Write as _;

use sitematch::output::escape_html as escape;
use sitematch::{CriterionValue, SiteResult};

use crate::state::RankingEntry;

/// A number with its unit, as the receipt writes it.
fn number(x: f64, unit: &str) -> String {
    let digits = if x.abs() >= 100.0 {
        0
    } else if x.abs() >= 10.0 {
        1
    } else {
        2
    };
    format!("{x:.digits$} {unit}").trim_end().to_string()
}

/// A criterion's raw value for a person.
fn value(v: &CriterionValue, unit: &str) -> String {
    match v {
        CriterionValue::Number(Some(x)) => number(*x, unit),
        CriterionValue::Number(None) => "none".into(),
        CriterionValue::Text(Some(t)) => t.to_string(),
        CriterionValue::Text(None) => "unknown".into(),
    }
}

/// The fiche's HTML. `network` names the road network the catchments are drawn on
/// (`None`: the data set has none, or several, and the map says so); `outlines`: the
/// data set has a `departements` layer, drawn for context.
pub fn page(
    entry: &RankingEntry,
    site: &SiteResult,
    network: Option<&str>,
    outlines: bool,
) -> String {
    let r = &entry.ranking;
    let title = site.label.clone().unwrap_or_else(|| site.site_id.clone());
    let mut h = String::new();
    let _ = write!(
        h,
        r#"<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{t} - sitematch fiche</title><link rel="icon" href="data:,">
<link rel="stylesheet" href="/workbench/leaflet.css"><link rel="stylesheet" href="/workbench/app.css">
</head><body class="fiche" data-ranking="{rid}" data-site="{sid}" data-lon="{lon}" data-lat="{lat}" data-network="{net}"{outlines}>
<header><h1>{t}</h1><button type="button" id="print" class="noprint">Print / save as PDF</button></header>
"#,
        t = escape(&title),
        rid = escape(&entry.id),
        sid = escape(&site.site_id),
        lon = site.location.x(),
        lat = site.location.y(),
        net = escape(network.unwrap_or("")),
        outlines = if outlines { " data-outlines=\"1\"" } else { "" },
    );
    // The site.
    let mut facts: Vec<(String, String)> = vec![
        ("Brief".into(), r.brief_name.clone()),
        ("Site id".into(), site.site_id.to_string()),
        ("Layer".into(), site.layer.to_string()),
    ];
    if let Some(c) = &site.commune {
        facts.push(("Commune".into(), c.to_string()));
    }
    if let Some(c) = &site.category {
        facts.push(("Category".into(), c.to_string()));
    }
    if let Some(a) = site.area_ha {
        facts.push(("Area".into(), number(a, "ha")));
    }
    if let (Some(rank), Some(score)) = (site.rank, site.score) {
        facts.push(("Rank".into(), format!("{rank} of {}", r.ranked)));
        facts.push(("Score".into(), format!("{score:.1} / 100")));
    }
    facts.push((
        "Location".into(),
        format!(
            "{:.5}, {:.5} (lon, lat)",
            site.location.x(),
            site.location.y()
        ),
    ));
    if let Some(l) = site.land_take_avoided_ha {
        facts.push((
            "Land take avoided".into(),
            format!(
                "{} of new artificialisation avoided against a greenfield site",
                number(l, "ha")
            ),
        ));
    }
    let d = &site.decision;
    if let Some(p) = d.p_top {
        facts.push((
            "Robustness".into(),
            format!(
                "in the top {} in {:.0}% of the weight draws{}",
                r.top,
                100.0 * p,
                match (d.rank_p05, d.rank_p95) {
                    (Some(a), Some(b)) => format!(", rank {a} to {b} (5th-95th percentile)"),
                    _ => String::new(),
                }
            ),
        ));
    }
    if let Some(p) = d.pareto {
        facts.push((
            "Pareto".into(),
            match (p, &d.dominated_by) {
                (true, _) => "on the front: no ranked site beats it on every criterion".into(),
                (false, Some(by)) => format!("dominated by {by}"),
                (false, None) => "dominated".into(),
            },
        ));
    }
    if let Some(f) = d.flip.as_ref().and_then(|f| f.describe(r)) {
        facts.push(("Margin".into(), f));
    }
    h.push_str("<section class=\"facts\"><h2>The site</h2><table>");
    for (k, v) in &facts {
        let _ = write!(h, "<tr><th>{}</th><td>{}</td></tr>", escape(k), escape(v));
    }
    h.push_str("</table></section>\n");
    // The map.
    let _ = writeln!(
        h,
        "<section class=\"catchments\"><h2>Drive-time catchments</h2><div id=\"map\"></div><p id=\"catchment-note\">{}</p></section>",
        match network {
            Some(n) => format!("15, 30 and 45 minutes on the road network {}, computing…", escape(n)),
            None => "No catchment: the data set has no single road network.".into(),
        }
    );
    // Each criterion.
    h.push_str(
        "<section class=\"criteria\"><h2>Criteria</h2><table><thead><tr><th>criterion</th><th>weight</th><th>value</th><th>score</th><th>points</th><th>nearest / pool</th></tr></thead><tbody>",
    );
    for (info, c) in r.criteria.iter().zip(&site.criteria) {
        let mut detail = Vec::new();
        if let Some(n) = c.nearest_label.as_ref().or(c.nearest_id.as_ref()) {
            detail.push(n.to_string());
        }
        if let Some(km) = c.km {
            detail.push(format!("{} in a straight line", number(km, "km")));
        }
        if let Some(w) = c.workers {
            detail.push(format!("{w:.0} workers within reach"));
        }
        if let Some(j) = c.competing_jobs {
            detail.push(format!("{j:.0} jobs competing for them"));
        }
        let _ = write!(
            h,
            "<tr><td>{}</td><td>{:.0}%</td><td>{}</td><td>{:.2}</td><td>{:.1}</td><td>{}</td></tr>",
            escape(&info.name),
            100.0 * info.weight,
            escape(&value(&c.value, &info.unit)),
            c.score,
            c.points,
            escape(&detail.join("; "))
        );
    }
    h.push_str("</tbody></table></section>\n");
    // Warnings of the ranking.
    if !r.warnings.is_empty() {
        h.push_str("<section class=\"warnings\"><h2>Warnings of the ranking</h2><ul>");
        for w in &r.warnings {
            let _ = write!(
                h,
                "<li><code>{}</code>: {}</li>",
                escape(&w.key),
                escape(&w.message)
            );
        }
        h.push_str("</ul></section>\n");
    }
    // The receipt.
    if let Some(text) = sitematch::output::explain(r, &site.site_id) {
        let _ = writeln!(
            h,
            "<section class=\"receipt\"><h2>Score receipt</h2><pre class=\"receipt\">{}</pre></section>",
            escape(&text)
        );
    }
    h.push_str(
        "<footer>sitematch · data: see the data set's SOURCES.md</footer>\n<script src=\"/workbench/leaflet.js\"></script><script src=\"/workbench/fiche.js\"></script></body></html>\n",
    );
    h
}
