//! A self-contained HTML report for a client: a map of the ranked sites coloured by
//! score and labelled by rank over the départements' outlines, a score receipt per
//! site in its popup, the brief's weights and warnings, and the ranked table. One
//! file: Leaflet (vendored, BSD-2) and the data are inlined, nothing is fetched, so it
//! opens offline (no tile server: the outlines give the context).

use std::io::Write;

use geo::{BoundingRect, Intersects, Rect};
use serde_json::{json, Value};

use super::geojson::geometry_json;
use super::{selected, OutputOptions};
use crate::model::Layer;
use crate::ranking::{CriterionValue, Ranking, SiteResult};
use crate::report::Receipt;

/// Leaflet's script (vendored, BSD-2; its licence is in `src/output/vendor/leaflet`),
/// for the report and the server's workbench.
pub const LEAFLET_JS: &str = include_str!("vendor/leaflet/leaflet.js");
/// Leaflet's style sheet.
pub const LEAFLET_CSS: &str = include_str!("vendor/leaflet/leaflet.css");

/// Text with the characters HTML gives a meaning to escaped (`&`, `<`, `>`, quotes),
/// for an element's text or an attribute's value.
///
/// ```
/// assert_eq!(sitematch::output::escape_html("<b a='1'>&"), "&lt;b a=&#39;1&#39;&gt;&amp;");
/// ```
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The score class (0..5) of a score, 20 points each.
fn class(score: f64) -> usize {
    super::style::class_of(score)
}

/// A site's score receipt: what it is, its score, and per criterion the value, score,
/// weight, points and the facility it was measured to.
fn receipt(ranking: &Ranking, s: &SiteResult, receipt: &Receipt<'_>) -> String {
    let mut h = String::new();
    let title = s.label.as_deref().unwrap_or(&s.site_id);
    match s.rank {
        Some(r) => h.push_str(&format!("<h3>#{r} {}</h3>", escape_html(title))),
        None => h.push_str(&format!("<h3>{} (excluded)</h3>", escape_html(title))),
    }
    let mut what = vec![escape_html(&s.site_id)];
    let commune = crate::report::commune(ranking, s);
    if !commune.is_empty() {
        what.push(format!("commune {}", escape_html(&commune)));
    }
    if let Some(a) = s.area_ha {
        what.push(format!("{a:.2} ha"));
    }
    h.push_str(&format!("<p class=\"what\">{}</p>", what.join(" · ")));
    match s.score {
        Some(score) if s.rank.is_some() => h.push_str(&format!(
            "<p class=\"score\">Score <b>{score:.1}</b> / 100 ({} of {} ranked, {})</p>",
            s.rank.unwrap_or_default(),
            ranking.ranked,
            escape_html(&super::method_text(ranking))
        )),
        _ => h.push_str(&format!(
            "<p class=\"score\">Excluded by {}</p>",
            escape_html(&s.excluded_by_text(", "))
        )),
    }
    if s.rank.is_none() && s.decision.near_miss.is_none() {
        // An excluded site (not a near miss): why, and no receipt; its values are in
        // the table of excluded sites (a national report holds thousands of them).
        h.push_str("<p class=\"notes\">Its values: the table of excluded sites.</p>");
        return h;
    }
    h.push_str("<table><tr><th>criterion</th><th>value</th><th>score</th><th>weight</th><th>points</th><th>measured to</th></tr>");
    for line in &receipt.lines {
        let c = line.result;
        let mut to = c
            .nearest_label
            .as_deref()
            .or(c.nearest_id.as_deref())
            .unwrap_or_default()
            .to_string();
        if let (Some(km), CriterionValue::Number(Some(_))) = (c.km, &c.value) {
            to.push_str(&format!(" ({km:.1} km away)"));
        }
        if let Some(flows) = &line.flows {
            to.push_str(flows);
        }
        if let Some(gap) = &line.gap {
            if !to.is_empty() {
                to.push_str("; ");
            }
            to.push_str(gap);
        }
        h.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{:.2}</td><td>{:.1}%</td><td>{:.1}</td><td>{}</td></tr>",
            escape_html(&line.info.name),
            escape_html(&line.short),
            c.score,
            line.info.weight * 100.0,
            c.points,
            escape_html(&to)
        ));
    }
    h.push_str("</table>");
    if !receipt.notes.is_empty() {
        h.push_str(&format!(
            "<p class=\"notes\">{}</p>",
            escape_html(&receipt.notes)
        ));
    }
    h
}

/// The area the map shows: the written sites, with a margin.
fn extent(sites: &[&SiteResult]) -> Option<Rect<f64>> {
    let points: Vec<geo::Point<f64>> = sites.iter().map(|s| s.location).collect();
    let r = geo::MultiPoint::from(points).bounding_rect()?;
    let margin = (r.width().max(r.height()) * 0.15).max(0.3);
    Some(Rect::new(
        (r.min().x - margin, r.min().y - margin),
        (r.max().x + margin, r.max().y + margin),
    ))
}

/// The outlines near the sites, as a GeoJSON FeatureCollection.
fn outlines_json(outlines: Option<&Layer>, area: Option<Rect<f64>>) -> Value {
    let features: Vec<Value> = outlines
        .map(|l| l.features.as_slice())
        .unwrap_or_default()
        .iter()
        .filter(|f| match (area, f.geometry.bounding_rect()) {
            (Some(a), Some(b)) => a.intersects(&b),
            _ => true,
        })
        .map(|f| {
            json!({
                "type": "Feature",
                "properties": {"id": f.id, "name": f.label.as_deref().unwrap_or(&f.id)},
                "geometry": geometry_json(&f.geometry),
            })
        })
        .collect();
    json!({"type": "FeatureCollection", "features": features})
}

/// The ranked table below the map (and the excluded sites, folded, when written).
fn table(
    sites: &[&SiteResult],
    receipts: &[Receipt<'_>],
    ranking: &Ranking,
    ranked: bool,
) -> String {
    let mut h = String::from("<table class=\"ranking\"><thead><tr><th>rank</th>");
    // A diverse shortlist: each site's place in it beside its rank.
    if ranking.shortlist {
        h.push_str("<th>shortlist</th>");
    }
    h.push_str("<th>site</th><th>label</th><th>commune</th><th>score</th><th>area (ha)</th>");
    for c in &ranking.criteria {
        h.push_str(&format!("<th>{}</th>", escape_html(&c.name)));
    }
    h.push_str("<th>notes</th></tr></thead><tbody>");
    for (s, receipt) in sites
        .iter()
        .zip(receipts)
        .filter(|(s, _)| s.rank.is_some() == ranked)
    {
        h.push_str(&format!(
            "<tr data-site=\"{}\"><td>{}</td>",
            escape_html(&s.site_id),
            s.rank.map(|r| r.to_string()).unwrap_or_else(|| "-".into()),
        ));
        if ranking.shortlist {
            h.push_str(&format!("<td>{}</td>", crate::report::shortlist_place(s)));
        }
        h.push_str(&format!(
            "<td>{}</td><td>{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>",
            escape_html(&s.site_id),
            escape_html(s.label.as_deref().unwrap_or("")),
            escape_html(&crate::report::commune(ranking, s)),
            s.score
                .map(|x| format!("{x:.1}"))
                .unwrap_or_else(|| "-".into()),
            s.area_ha.map(|a| format!("{a:.2}")).unwrap_or_default(),
        ));
        for line in &receipt.lines {
            h.push_str(&format!(
                "<td>{} <small>({:.1} pts)</small></td>",
                escape_html(&line.short),
                line.result.points
            ));
        }
        h.push_str(&format!("<td>{}</td></tr>", escape_html(&receipt.notes)));
    }
    h.push_str("</tbody></table>");
    h
}

const STYLE: &str = r#"
body { font-family: "DejaVu Sans", Arial, sans-serif; margin: 0 auto; max-width: 1200px; padding: 0 16px 32px; color: #222; }
h1 { font-size: 1.5em; margin: 16px 0 4px; }
#map { height: 600px; border: 1px solid #bbb; background: #dbe8f2; }
table { border-collapse: collapse; }
th, td { padding: 2px 6px; border-bottom: 1px solid #ddd; text-align: left; vertical-align: top; font-size: 0.85em; }
td.num { text-align: right; }
.ranking { margin-top: 12px; width: 100%; }
.weights td { font-size: 0.9em; }
.warnings li { color: #8a4b00; }
.leaflet-tooltip.rank { background: transparent; border: none; box-shadow: none; font-weight: bold; font-size: 11px; padding: 0; }
.leaflet-popup-content h3 { margin: 0 0 4px; font-size: 1.1em; }
.leaflet-popup-content p { margin: 2px 0; }
.town { font: 11px sans-serif; color: #3a3a3a; white-space: nowrap; text-shadow: 0 0 2px #fff, 0 0 2px #fff; pointer-events: none; }
.legend { background: #fff; padding: 6px 8px; border-radius: 4px; font-size: 12px; line-height: 18px; }
.legend i { display: inline-block; width: 12px; height: 12px; border-radius: 6px; margin-right: 6px; border: 1px solid #333; vertical-align: middle; }
"#;

/// The script that draws the map from the inlined data. Opened with `#open=3`, the
/// page shows the popup of the site ranked 3. Opened with `#check`, it also draws the
/// excluded sites, opens every popup in turn and copies its content into
/// `<div id="check">` (what the browser test reads). It sets `data-drawn` on the body
/// to the number of site markers drawn when it is done.
const SCRIPT: &str = r#"
(function () {
  var data = JSON.parse(document.getElementById('sitematch-data').textContent);
  var map = L.map('map', { zoomSnap: 0.25 });
  // Names from the data as text, never as markup (Leaflet sets strings as HTML).
  function text(s) { var e = document.createElement('span'); e.textContent = s; return e; }
  map.attributionControl.addAttribution(data.attribution);
  var outlines = L.geoJSON(data.outlines, {
    style: { color: '#6b6b6b', weight: 1, fillColor: '#f4f1ea', fillOpacity: 1 },
    onEachFeature: function (f, layer) { layer.bindTooltip(text(f.properties.name), { sticky: true }); }
  }).addTo(map);
  window.sitematchMap = map;
  var towns = L.layerGroup();
  (data.towns || []).forEach(function (t) {
    L.marker([t.lat, t.lon], { icon: L.divIcon({ className: 'town', html: text(t.name), iconSize: null }), interactive: false, keyboard: false }).addTo(towns);
  });
  towns.addTo(map);
  var ranked = L.layerGroup(), excluded = L.layerGroup(), markers = [];
  // Worst first, so that where markers overlap the better site is drawn on top.
  data.sites.slice().reverse().forEach(function (s) {
    var style = s.rank
      ? { radius: 9, color: '#232323', weight: 1, fillColor: data.colours[s.class], fillOpacity: 0.95, className: 'site-marker ranked rank-' + s.rank }
      : { radius: 4, color: '#555', weight: 1, fillColor: '#969696', fillOpacity: 0.8, className: 'site-marker excluded' };
    var m = L.circleMarker([s.lat, s.lon], style).bindPopup(s.popup, { maxWidth: 520 });
    m.site = s.id;
    if (s.rank) {
      m.bindTooltip(String(s.rank), { permanent: true, direction: 'center', className: 'rank' });
      m.addTo(ranked);
    } else {
      m.addTo(excluded);
    }
    markers.push(m);
  });
  ranked.addTo(map);
  var overlays = { 'Ranked sites': ranked, 'Départements': outlines, 'Towns': towns };
  if (data.excluded > 0) { overlays['Excluded sites (' + data.excluded + ')'] = excluded; }
  L.control.layers(null, overlays, { collapsed: false }).addTo(map);
  L.control.scale({ imperial: false }).addTo(map);
  var legend = L.control({ position: 'bottomright' });
  legend.onAdd = function () {
    var div = L.DomUtil.create('div', 'legend');
    div.innerHTML = '<b>score</b><br>' + data.colours.map(function (c, k) {
      return '<i style="background:' + c + '"></i>' + (k * 20) + ' - ' + (k * 20 + 20);
    }).reverse().join('<br>');
    return div;
  };
  legend.addTo(map);
  var e = data.extent;
  if (e) { map.fitBounds([[e[1], e[0]], [e[3], e[2]]]); } else { map.setView([46.6, 2.5], 5); }
  var open = /^#open=(\d+)$/.exec(location.hash);
  if (open) {
    markers.forEach(function (m) { if (String(m.getTooltip() && m.getTooltip().getContent()) === open[1]) { m.openPopup(); } });
  }
  if (location.hash === '#check') {
    var check = document.getElementById('check');
    excluded.addTo(map);
    markers.forEach(function (m) {
      m.openPopup();
      var element = m.getPopup().getElement();
      var content = element && element.querySelector('.leaflet-popup-content');
      var section = document.createElement('section');
      section.setAttribute('data-site', m.site);
      section.innerHTML = content ? content.innerHTML : '';
      check.appendChild(section);
      m.closePopup();
    });
  }
  document.body.setAttribute('data-drawn', String(document.querySelectorAll('path.site-marker').length));
})();
"#;

/// Writes the ranking as one self-contained HTML file: the map (the written sites
/// coloured by score and labelled by rank; the excluded sites, when written, in a
/// layer to switch on; the `outlines` layer's polygons near them, such as the
/// départements), a popup per site with its score receipt, the brief's name,
/// method, weights and warnings, and the ranked table below the map.
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
/// let opts = sitematch::output::OutputOptions::for_ranking(&ranking);
/// sitematch::output::write_html(&ranking, &opts, None, &mut out).unwrap();
/// let html = String::from_utf8(out).unwrap();
/// assert!(html.starts_with("<!DOCTYPE html>"));
/// // Nothing to fetch: every script and style is inline, no tile layer.
/// assert!(!html.contains("<script src") && !html.contains("<link ") && !html.contains("tileLayer("));
/// assert!(html.contains("<tr data-site=\"big\">"));
/// # Ok::<(), sitematch::Error>(())
/// ```
pub fn write_html<W: Write>(
    ranking: &Ranking,
    opts: &OutputOptions,
    outlines: Option<&Layer>,
    out: W,
) -> std::io::Result<()> {
    let map = MapContext {
        outlines,
        ..MapContext::default()
    };
    write_html_map(ranking, opts, &map, out)
}

/// What the HTML report's map shows around the sites. The default is the sites alone,
/// and a page that needs no network connection.
#[derive(Debug, Clone, Default)]
pub struct MapContext<'a> {
    /// Polygons drawn under the sites, those near them (the départements).
    pub outlines: Option<&'a Layer>,
    /// Places to name on the map: the [`TOWN_LABELS`] features of this layer with the
    /// largest `population` within the map's first view (the communes).
    pub towns: Option<&'a Layer>,
    /// A basemap: a tile URL template (`https://.../{z}/{x}/{y}.png`) and the
    /// attribution its provider asks for. The page then fetches tiles when opened.
    pub tiles: Option<Tiles>,
}

/// A basemap's tiles, for [`MapContext::tiles`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tiles {
    /// URL template with `{z}`, `{x}` and `{y}` (and optionally `{s}`).
    pub url: String,
    /// The attribution shown on the map (`© OpenStreetMap contributors`).
    pub attribution: String,
}

impl Tiles {
    /// A basemap from a URL template, checked: `http(s)://`, with `{z}`, `{x}`, `{y}`.
    ///
    /// ```
    /// use sitematch::output::Tiles;
    /// let t = Tiles::new("https://tile.openstreetmap.org/{z}/{x}/{y}.png", "© OpenStreetMap contributors");
    /// assert!(t.is_ok());
    /// let e = Tiles::new("tile.openstreetmap.org/{z}/{x}.png", "").unwrap_err();
    /// assert!(e.contains("{y}"), "{e}");
    /// ```
    pub fn new(url: &str, attribution: &str) -> Result<Tiles, String> {
        let missing: Vec<&str> = ["{z}", "{x}", "{y}"]
            .into_iter()
            .filter(|k| !url.contains(k))
            .collect();
        if !(url.starts_with("https://") || url.starts_with("http://")) || !missing.is_empty() {
            return Err(format!(
                "a tile URL starts with https:// and holds {{z}}, {{x}} and {{y}} \
                 (https://tile.openstreetmap.org/{{z}}/{{x}}/{{y}}.png); {url:?} {}",
                if missing.is_empty() {
                    "is not http(s)".to_string()
                } else {
                    format!("lacks {}", missing.join(", "))
                }
            ));
        }
        Ok(Tiles {
            url: url.to_string(),
            attribution: attribution.to_string(),
        })
    }
}

/// How many towns the map names at most.
pub const TOWN_LABELS: usize = 15;

/// The most populous features of `towns` within `area`: (name, lon, lat).
fn town_labels(towns: Option<&Layer>, area: Option<Rect<f64>>) -> Vec<Value> {
    let (Some(layer), Some(area)) = (towns, area) else {
        return Vec::new();
    };
    let mut inside: Vec<(f64, &crate::model::Feature)> = layer
        .features
        .iter()
        .filter(|f| area.intersects(&f.location))
        .filter_map(|f| Some((f.attribute("population").as_f64()?, f)))
        .collect();
    inside.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.id.cmp(&b.1.id)));
    inside
        .iter()
        .take(TOWN_LABELS)
        .map(|(_, f)| {
            json!({
                "name": f.label.as_deref().unwrap_or(&f.id),
                "lon": f.location.x(),
                "lat": f.location.y(),
            })
        })
        .collect()
}

/// [`write_html`] with the map's context: outlines, town names, a basemap.
pub fn write_html_map<W: Write>(
    ranking: &Ranking,
    opts: &OutputOptions,
    map: &MapContext<'_>,
    mut out: W,
) -> std::io::Result<()> {
    let outlines = map.outlines;
    let sites: Vec<&SiteResult> = selected(ranking, opts).collect();
    // The map opens on the ranked sites (the excluded ones, when written, may be
    // anywhere in France, overseas too).
    let ranked: Vec<&SiteResult> = sites.iter().filter(|s| s.rank.is_some()).copied().collect();
    let area = extent(if ranked.is_empty() { &sites } else { &ranked });
    // Each site's receipt, once: its popup and its table row.
    let receipts: Vec<Receipt<'_>> = sites.iter().map(|s| Receipt::of(ranking, s)).collect();
    let site_data: Vec<Value> = sites
        .iter()
        .zip(&receipts)
        .map(|(s, r)| {
            json!({
                "id": s.site_id,
                "rank": s.rank,
                "class": s.score.map_or(0, class),
                "lon": s.location.x(),
                "lat": s.location.y(),
                "popup": receipt(ranking, s, r),
            })
        })
        .collect();
    let excluded = sites.iter().filter(|s| s.rank.is_none()).count();
    let attribution = match outlines {
        Some(l) => format!("sitematch · outlines: {} layer", escape_html(&l.name)),
        None => "sitematch".to_string(),
    };
    let data = json!({
        "sites": site_data,
        "excluded": excluded,
        "outlines": outlines_json(outlines, area),
        "towns": town_labels(map.towns, area),
        "extent": area.map(|a| [a.min().x, a.min().y, a.max().x, a.max().y]),
        "colours": super::style::CLASSES.iter().map(|c| super::style::hex(c.2)).collect::<Vec<_>>(),
        "attribution": attribution,
    });
    // In a <script> element, "</" must not appear: JSON allows "<\/".
    let data = data.to_string().replace("</", "<\\/");
    let title = if ranking.brief_name.is_empty() {
        "Ranking".to_string()
    } else {
        ranking.brief_name.clone()
    };

    writeln!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">"
    )?;
    writeln!(
        out,
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
    )?;
    writeln!(
        out,
        "<meta name=\"generator\" content=\"sitematch {}\">",
        env!("CARGO_PKG_VERSION")
    )?;
    writeln!(out, "<title>{}</title>", escape_html(&title))?;
    writeln!(
        out,
        "<style>\n{LEAFLET_CSS}\n</style>\n<style>{STYLE}</style>"
    )?;
    writeln!(out, "</head>\n<body>")?;
    writeln!(out, "<h1>{}</h1>", escape_html(&title))?;
    writeln!(
        out,
        "<p>{} shown: {} sites ranked of {} considered ({} excluded by the brief's hard constraints); method {}; sitematch {}.</p>",
        super::summary(ranking, opts),
        ranking.counts().1,
        ranking.counts().0,
        ranking.counts().2,
        escape_html(&super::method_text(ranking)),
        env!("CARGO_PKG_VERSION")
    )?;
    writeln!(out, "<div id=\"map\"></div>")?;
    writeln!(out, "<h2>Weights</h2>\n<table class=\"weights\"><tr><th>criterion</th><th>type</th><th>weight</th><th>value</th></tr>")?;
    for c in &ranking.criteria {
        writeln!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{:.1}%</td><td>{}</td></tr>",
            escape_html(&c.name),
            c.kind,
            c.weight * 100.0,
            escape_html(&c.unit)
        )?;
    }
    writeln!(out, "</table>")?;
    if let Some(land) = super::land_take_sentence(ranking, opts) {
        writeln!(out, "<p class=\"land-take\">{}</p>", escape_html(&land))?;
    }
    if !ranking.warnings.is_empty() {
        writeln!(out, "<h2>Warnings</h2>\n<ul class=\"warnings\">")?;
        for w in &ranking.warnings {
            writeln!(out, "<li>{}</li>", escape_html(&w.to_string()))?;
        }
        writeln!(out, "</ul>")?;
    }
    writeln!(out, "<h2>Ranked sites</h2>")?;
    out.write_all(table(&sites, &receipts, ranking, true).as_bytes())?;
    if excluded > 0 {
        writeln!(
            out,
            "<details><summary>{excluded} excluded sites, with the reasons</summary>"
        )?;
        out.write_all(table(&sites, &receipts, ranking, false).as_bytes())?;
        writeln!(out, "</details>")?;
    }
    writeln!(out, "<div id=\"check\" hidden></div>")?;
    writeln!(
        out,
        "<script type=\"application/json\" id=\"sitematch-data\">{data}</script>"
    )?;
    writeln!(out, "<script>\n{LEAFLET_JS}\n</script>")?;
    writeln!(out, "<script>{SCRIPT}</script>")?;
    if let Some(t) = &map.tiles {
        // Under the sites (tiles have their own pane, below the markers').
        let tiles = json!({"url": t.url, "attribution": t.attribution})
            .to_string()
            .replace("</", "<\\/");
        writeln!(
            out,
            "<script>(function (t) {{ L.tileLayer(t.url, {{ attribution: t.attribution, maxZoom: 19 }}).addTo(window.sitematchMap); }})({tiles});</script>"
        )?;
    }
    writeln!(out, "</body>\n</html>")?;
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_follow_the_qgis_style() {
        assert_eq!(class(0.0), 0);
        assert_eq!(class(19.99), 0);
        assert_eq!(class(20.0), 1);
        assert_eq!(class(82.1), 4);
        assert_eq!(class(100.0), 4);
    }

    #[test]
    fn text_is_escaped() {
        assert_eq!(
            escape_html("<b>\"A&B\"</b>"),
            "&lt;b&gt;&quot;A&amp;B&quot;&lt;/b&gt;"
        );
    }
}
