//! Human-readable reports on loaded data (`sitematch layers`).

use std::fmt::Write;

use crate::catalog::Catalog;
use crate::model::Layer;

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

/// The features outside the layer's catalog `bbox`, not loaded: a count, or empty.
fn outside_text(layer: &Layer) -> String {
    match layer.outside_bbox {
        0 => String::new(),
        n => format!("{n} outside its bbox"),
    }
}

/// One row per layer: name, role, format, source CRS, features loaded, features
/// skipped by reason, bounding box (lon/lat, WGS84), and the features outside a
/// catalog `bbox` when a layer has some, as an aligned text table.
///
/// ```
/// use sitematch::{Catalog, Feature, Layer, Role};
/// let c = Catalog::from_layers(vec![Layer::from_features(
///     "ports", Role::Facilities, vec![Feature::point("a", 1.0, 2.0)])]);
/// let table = sitematch::output::layers_table(&c);
/// assert!(table.lines().nth(1).unwrap().starts_with("ports"));
/// ```
pub fn layers_table(catalog: &Catalog) -> String {
    // The features a catalog `bbox` left out, in a last column where there are some.
    let outside = catalog.layers.iter().any(|l| l.outside_bbox > 0);
    let mut header = [
        "layer", "role", "format", "crs", "loaded", "skipped", "bbox",
    ]
    .map(String::from)
    .to_vec();
    if outside {
        header.push("not loaded".into());
    }
    let mut rows = vec![header.clone()];
    for l in &catalog.layers {
        let mut row = vec![
            l.name.clone(),
            l.role.to_string(),
            l.format.to_string(),
            l.source_crs.clone(),
            l.features.len().to_string(),
            skipped_text(l),
            bbox_text(l),
        ];
        if outside {
            row.push(outside_text(l));
        }
        rows.push(row);
    }
    // Streamed layers: read when a brief names them, never loaded.
    for s in &catalog.streams {
        let l = s.shell();
        let mut row = vec![
            l.name.clone(),
            l.role.to_string(),
            l.format.to_string(),
            l.source_crs.clone(),
            "streamed".to_string(),
            "-".to_string(),
            "-".to_string(),
        ];
        if outside {
            row.push(String::new());
        }
        rows.push(row);
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
