//! `explain`: a site's receipt as plain text.

use std::fmt::Write;

use super::Receipt;
use crate::ranking::Ranking;
use crate::text::thousands;

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
pub fn explain(ranking: &Ranking, site_id: &str) -> Option<String> {
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
    for line in Receipt::of(ranking, s).lines {
        let (info, c, value) = (line.info, line.result, &line.long);
        match line.reference {
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
        if let Some(w) = &line.workers {
            let _ = write!(out, "; {w}");
        }
        if let Some(gap) = &line.gap {
            let _ = write!(out, "; {gap}");
        }
        if let (Some(f), Some(flows)) = (&c.freight, &line.flows) {
            let _ = write!(
                out,
                "; {} t-km a year{}; biggest flows: {flows}",
                thousands(f.tonne_km),
                if f.rail { ", rail serves the site" } else { "" },
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
    if let Some(text) = d.flip.as_ref().and_then(|f| f.describe(ranking)) {
        let _ = writeln!(out, "{text}");
    }
    if let Some(why) = &d.dropped_by {
        let _ = writeln!(out, "left out of the shortlist: {why}");
    }
    Some(out)
}
