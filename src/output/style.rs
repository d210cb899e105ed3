//! The default QGIS style of a ranking: sites coloured by score in five classes,
//! labelled by rank. Written into a GeoPackage's `layer_styles` table (QGIS applies it
//! when the layer is opened) and, on request, as a `.qml` file beside GeoJSON output.

use std::fmt::Write;

/// What a style draws: points (the sites' locations) or polygons (their footprints).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StyleGeometry {
    /// Markers.
    Point,
    /// Filled outlines.
    Polygon,
}

/// The score classes: lower bound, upper bound, colour (ColorBrewer RdYlGn, five
/// classes: red for the weakest scores, green for the best).
pub(super) const CLASSES: [(f64, f64, [u8; 3]); 5] = [
    (0.0, 20.0, [215, 25, 28]),
    (20.0, 40.0, [253, 174, 97]),
    (40.0, 60.0, [255, 255, 191]),
    (60.0, 80.0, [166, 217, 106]),
    (80.0, 100.0, [26, 150, 65]),
];

/// The class (index into [`CLASSES`]) of a score: the last class whose lower bound it
/// reaches.
pub(super) fn class_of(score: f64) -> usize {
    CLASSES
        .iter()
        .rposition(|(lo, _, _)| score >= *lo)
        .unwrap_or(0)
}

/// A class colour as `#rrggbb` (HTML).
pub(super) fn hex(rgb: [u8; 3]) -> String {
    format!("#{:02x}{:02x}{:02x}", rgb[0], rgb[1], rgb[2])
}

/// The grey of sites that are not ranked (excluded sites).
const GREY: &str = "150,150,150,255";

/// Escapes text for an XML attribute.
fn attr(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn option(name: &str, value: &str) -> String {
    format!(
        "<Option type=\"QString\" name=\"{}\" value=\"{}\"/>",
        attr(name),
        attr(value)
    )
}

/// One symbol: a circle marker or a filled polygon of this colour.
fn symbol(out: &mut String, name: &str, geometry: StyleGeometry, color: &str) {
    let (kind, class, options) = match geometry {
        StyleGeometry::Point => (
            "marker",
            "SimpleMarker",
            vec![
                ("name", "circle"),
                ("color", color),
                ("outline_color", "35,35,35,255"),
                ("outline_width", "0.3"),
                ("outline_width_unit", "MM"),
                ("size", "4"),
                ("size_unit", "MM"),
            ],
        ),
        StyleGeometry::Polygon => (
            "fill",
            "SimpleFill",
            vec![
                ("color", color),
                ("style", "solid"),
                ("outline_color", "35,35,35,255"),
                ("outline_style", "solid"),
                ("outline_width", "0.4"),
                ("outline_width_unit", "MM"),
            ],
        ),
    };
    let _ = writeln!(
        out,
        "      <symbol type=\"{kind}\" name=\"{}\" alpha=\"1\" clip_to_extent=\"1\" force_rhr=\"0\">",
        attr(name)
    );
    let _ = writeln!(
        out,
        "        <layer class=\"{class}\" enabled=\"1\" locked=\"0\" pass=\"0\">"
    );
    let _ = writeln!(out, "          <Option type=\"Map\">");
    for (k, v) in options {
        let _ = writeln!(out, "            {}", option(k, v));
    }
    let _ = writeln!(out, "          </Option>");
    let _ = writeln!(out, "        </layer>");
    let _ = writeln!(out, "      </symbol>");
}

/// The QGIS style (QML) of a layer of sites: graduated by `score` in five classes of
/// 20 points (red to green) and labelled by `label_field` (`rank` for a ranking; `None`
/// for no labels); `graduated: false` draws every feature in one grey (excluded sites).
///
/// ```
/// use sitematch::output::{qgis_style, StyleGeometry};
/// let qml = qgis_style(StyleGeometry::Point, true, Some("rank"));
/// assert!(qml.contains("type=\"graduatedSymbol\" attr=\"score\""));
/// assert!(qml.contains("fieldName=\"rank\""));
/// assert_eq!(qml.matches("<range ").count(), 5);
/// ```
pub fn qgis_style(geometry: StyleGeometry, graduated: bool, label_field: Option<&str>) -> String {
    let mut out = String::new();
    out.push_str("<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n");
    let _ = writeln!(
        out,
        "<qgis version=\"3.28.0\" styleCategories=\"Symbology|Labeling\" labelsEnabled=\"{}\">",
        u8::from(label_field.is_some())
    );
    if graduated {
        out.push_str("  <renderer-v2 type=\"graduatedSymbol\" attr=\"score\" graduatedMethod=\"GraduatedColor\" symbollevels=\"0\" enableorderby=\"0\" forceraster=\"0\">\n");
        out.push_str("    <ranges>\n");
        for (k, (lo, hi, _)) in CLASSES.iter().enumerate() {
            let _ = writeln!(
                out,
                "      <range symbol=\"{k}\" lower=\"{lo:.1}\" upper=\"{hi:.1}\" label=\"score {lo:.0} - {hi:.0}\" render=\"true\"/>"
            );
        }
        out.push_str("    </ranges>\n    <symbols>\n");
        for (k, (_, _, [r, g, b])) in CLASSES.iter().enumerate() {
            symbol(
                &mut out,
                &k.to_string(),
                geometry,
                &format!("{r},{g},{b},255"),
            );
        }
        out.push_str("    </symbols>\n");
    } else {
        out.push_str("  <renderer-v2 type=\"singleSymbol\" symbollevels=\"0\" enableorderby=\"0\" forceraster=\"0\">\n    <symbols>\n");
        symbol(&mut out, "0", geometry, GREY);
        out.push_str("    </symbols>\n");
    }
    out.push_str("  </renderer-v2>\n");
    if let Some(field) = label_field {
        out.push_str("  <labeling type=\"simple\">\n    <settings calloutType=\"simple\">\n");
        let _ = writeln!(
            out,
            "      <text-style fieldName=\"{}\" isExpression=\"0\" fontSize=\"10\" fontSizeUnit=\"Point\" fontWeight=\"75\" textColor=\"0,0,0,255\" textOpacity=\"1\">",
            attr(field)
        );
        out.push_str("        <text-buffer bufferDraw=\"1\" bufferSize=\"1\" bufferSizeUnits=\"MM\" bufferColor=\"255,255,255,255\" bufferOpacity=\"1\"/>\n");
        out.push_str("      </text-style>\n");
        // Around the point (0), or inside the polygon (1, "over").
        let placement = match geometry {
            StyleGeometry::Point => 0,
            StyleGeometry::Polygon => 1,
        };
        let _ = writeln!(
            out,
            "      <placement placement=\"{placement}\" dist=\"1\" distUnits=\"MM\"/>"
        );
        out.push_str("      <rendering obstacle=\"1\" displayAll=\"1\"/>\n");
        out.push_str("    </settings>\n  </labeling>\n");
    }
    out.push_str("</qgis>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_cover_every_score_once() {
        assert_eq!(CLASSES[0].0, 0.0);
        assert_eq!(CLASSES[CLASSES.len() - 1].1, 100.0);
        for w in CLASSES.windows(2) {
            assert_eq!(w[0].1, w[1].0);
        }
    }

    #[test]
    fn excluded_style_is_one_grey_symbol_without_labels() {
        let qml = qgis_style(StyleGeometry::Point, false, None);
        assert!(qml.contains("singleSymbol"));
        assert!(qml.contains(GREY));
        assert!(!qml.contains("<labeling"));
        assert!(qml.contains("labelsEnabled=\"0\""));
    }

    #[test]
    fn polygons_are_filled() {
        let qml = qgis_style(StyleGeometry::Polygon, true, Some("rank"));
        assert_eq!(qml.matches("class=\"SimpleFill\"").count(), 5);
        assert!(!qml.contains("SimpleMarker"));
    }
}
