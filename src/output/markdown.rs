//! A Markdown table for reports.

use std::io::Write;

use super::{selected, OutputOptions};
use crate::ranking::Ranking;
use crate::report::Receipt;

fn escape(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

/// Writes the ranking as a Markdown table: rank, site, label, score, area, and per
/// criterion its value and points.
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
/// let mut out = Vec::new();
/// sitematch::output::write_markdown(&ranking, &sitematch::output::OutputOptions::for_ranking(&ranking), &mut out).unwrap();
/// let text = String::from_utf8(out).unwrap();
/// assert!(text.contains("| 1 | big |"));
/// # Ok::<(), sitematch::Error>(())
/// ```
pub fn write_markdown<W: Write>(
    ranking: &Ranking,
    opts: &OutputOptions,
    mut out: W,
) -> std::io::Result<()> {
    let title = if ranking.brief_name.is_empty() {
        "Ranking"
    } else {
        &ranking.brief_name
    };
    writeln!(out, "# {}\n", escape(title))?;
    let weights: Vec<String> = ranking
        .criteria
        .iter()
        .map(|c| format!("{} {:.1}%", c.name, c.weight * 100.0))
        .collect();
    writeln!(
        out,
        "Method: {}. Weights: {}. {} sites ranked, {} excluded.\n",
        super::method_text(ranking),
        weights.join(", "),
        ranking.counts().1,
        ranking.counts().2
    )?;
    if let Some(land) = super::land_take_sentence(ranking, opts) {
        writeln!(out, "{}\n", escape(&land))?;
    }
    for w in &ranking.warnings {
        writeln!(out, "Warning: {}\n", escape(&w.to_string()))?;
    }
    let mut header = vec!["rank", "site", "label", "commune", "score", "area (ha)"]
        .into_iter()
        .map(String::from)
        .collect::<Vec<_>>();
    // A diverse shortlist: each site's place in it beside its rank.
    if ranking.shortlist {
        header.insert(1, "shortlist".into());
    }
    header.extend(ranking.criteria.iter().map(|c| c.name.clone()));
    header.push("notes".into());
    writeln!(out, "| {} |", header.join(" | "))?;
    writeln!(out, "|{}", "---|".repeat(header.len()))?;
    for s in selected(ranking, opts) {
        let mut row = vec![
            s.rank.map(|r| r.to_string()).unwrap_or_else(|| "-".into()),
            escape(&s.site_id),
            escape(s.label.as_deref().unwrap_or("")),
            escape(&crate::report::commune(ranking, s)),
            s.score
                .map(|x| format!("{x:.1}"))
                .unwrap_or_else(|| "-".into()),
            s.area_ha.map(|a| format!("{a:.2}")).unwrap_or_default(),
        ];
        if ranking.shortlist {
            row.insert(1, crate::report::shortlist_place(s));
        }
        let receipt = Receipt::of(ranking, s);
        for line in &receipt.lines {
            let value = escape(&line.short);
            row.push(format!("{value} ({:.1} pts)", line.result.points));
        }
        row.push(escape(&receipt.notes));
        writeln!(out, "| {} |", row.join(" | "))?;
    }
    if !ranking.attributes.is_empty() {
        writeln!(out, "\n## The sites\n")?;
        for s in selected(ranking, opts) {
            writeln!(out, "{}", details(ranking, s))?;
        }
    }
    let units: Vec<String> = ranking
        .criteria
        .iter()
        .map(|c| format!("{}: {}", c.name, c.unit))
        .collect();
    writeln!(out, "\nValues: {}.", escape(&units.join("; ")))?;
    out.flush()
}

/// One site's line of the details section: rank, label, id, then every attribute
/// it has (`statut: friche sans projet · zoning: U · ...`).
fn details(ranking: &Ranking, s: &crate::ranking::SiteResult) -> String {
    let attrs: Vec<String> = ranking
        .attributes
        .iter()
        .zip(s.attributes.iter())
        .filter(|(_, v)| !v.is_empty())
        .filter_map(|(a, v)| {
            // Numbers rounded as a reader quotes them; texts (codes too) as they are.
            let text = match v {
                crate::model::Value::Number(x) => crate::report::readable(*x),
                _ => v.as_text()?,
            };
            Some(format!("{}: {text}", a.name))
        })
        .collect();
    let rank = s.rank.map(|r| format!("{r}. ")).unwrap_or_default();
    format!(
        "- **{rank}{}** (`{}`): {}",
        escape(s.label.as_deref().unwrap_or(&s.site_id)),
        escape(&s.site_id),
        escape(&attrs.join(" · "))
    )
}
