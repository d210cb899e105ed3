//! RFC 7946 GeoJSON, written as a stream: one Feature at a time.

use std::io::Write;

use geo::{Coord, Geometry, LineString, Polygon};
use serde_json::{json, Map, Value};

use super::sink::{RecordSink, Schema};
use super::{cells, columns, Cell, Column, OutputFormat, OutputOptions, Records};
use crate::ranking::{Ranking, SiteResult};

fn round7(x: f64) -> f64 {
    (x * 1e7).round() / 1e7
}

fn coord(c: &Coord<f64>) -> Value {
    json!([round7(c.x), round7(c.y)])
}

fn ring(l: &LineString<f64>) -> Value {
    Value::Array(l.0.iter().map(coord).collect())
}

fn polygon(p: &Polygon<f64>) -> Value {
    let mut rings = vec![ring(p.exterior())];
    rings.extend(p.interiors().iter().map(ring));
    Value::Array(rings)
}

/// The geometry as an RFC 7946 object, coordinates rounded to 7 decimals (rings keep
/// the orientation they were loaded with: exterior counter-clockwise).
///
/// ```
/// let g = geo::Geometry::Point(geo::Point::new(2.123456789, 48.0));
/// let v = sitematch::output::geometry_json(&g);
/// assert_eq!(v["coordinates"][0], 2.1234568);
/// ```
pub fn geometry_json(g: &Geometry<f64>) -> Value {
    match g {
        Geometry::Point(p) => json!({"type": "Point", "coordinates": coord(&p.0)}),
        Geometry::MultiPoint(m) => json!({"type": "MultiPoint",
            "coordinates": m.0.iter().map(|p| coord(&p.0)).collect::<Vec<_>>()}),
        Geometry::LineString(l) => json!({"type": "LineString", "coordinates": ring(l)}),
        Geometry::MultiLineString(m) => json!({"type": "MultiLineString",
            "coordinates": m.0.iter().map(ring).collect::<Vec<_>>()}),
        Geometry::Polygon(p) => json!({"type": "Polygon", "coordinates": polygon(p)}),
        Geometry::MultiPolygon(m) => json!({"type": "MultiPolygon",
            "coordinates": m.0.iter().map(polygon).collect::<Vec<_>>()}),
        Geometry::Rect(r) => geometry_json(&Geometry::Polygon(r.to_polygon())),
        Geometry::Triangle(t) => geometry_json(&Geometry::Polygon(t.to_polygon())),
        Geometry::Line(l) => geometry_json(&Geometry::LineString(LineString::from(*l))),
        Geometry::GeometryCollection(c) => json!({"type": "GeometryCollection",
            "geometries": c.0.iter().map(geometry_json).collect::<Vec<_>>()}),
    }
}

fn cell_json(c: Cell) -> Value {
    match c {
        Cell::Text(t) => t.map_or(Value::Null, Value::String),
        Cell::Int(i) => i.map_or(Value::Null, |i| json!(i)),
        Cell::Num(x) => x
            .filter(|x| x.is_finite())
            .map_or(Value::Null, |x| json!(x)),
        Cell::Bool(b) => b.map_or(Value::Null, Value::Bool),
    }
}

/// The `sitematch` foreign member of the GeoJSON output: brief, method, weights,
/// units, counts, warnings.
///
/// ```
/// # use sitematch::{Brief, Catalog, Engine, Feature, Layer, Role};
/// # let sites = Layer::from_features("sites", Role::Sites, vec![Feature::point("a", 2.0, 48.0)]);
/// # let engine = Engine::new(Catalog::from_layers(vec![sites]));
/// # let brief = Brief::from_toml_str("name = \"B\"\n[[criterion]]\nname = \"land\"\ntype = \"attribute\"\nfield = \"area_ha\"\nideal = 60\nzero = 0\n")?;
/// let ranking = engine.rank(&brief)?;
/// let meta = sitematch::output::metadata(&ranking);
/// assert_eq!((meta["brief"].as_str(), meta["weights"]["land"].as_f64()), (Some("B"), Some(1.0)));
/// # Ok::<(), sitematch::Error>(())
/// ```
pub fn metadata(ranking: &Ranking) -> Value {
    let mut weights = Map::new();
    let mut units = Map::new();
    let mut missing = Map::new();
    for c in &ranking.criteria {
        weights.insert(c.name.clone(), json!(c.weight));
        units.insert(c.name.clone(), json!(c.unit));
        if let Some(n) = c.missing_values {
            missing.insert(c.name.clone(), json!(n));
        }
    }
    let mut layers = Map::new();
    for l in &ranking.layers {
        layers.insert(
            l.name.clone(),
            json!({"loaded": l.loaded, "skipped": l.skipped}),
        );
    }
    let mut meta = json!({
        "brief": ranking.brief_name,
        "method": super::method_text(ranking),
        "weights": weights,
        "units": units,
        "ahp_cr": ranking.ahp_cr,
        "engine": concat!("sitematch ", env!("CARGO_PKG_VERSION")),
        "sites_considered": ranking.counts().0,
        "sites_ranked": ranking.counts().1,
        "sites_excluded": ranking.counts().2,
        "access_missing_values": missing,
        "robustness": ranking.robustness.map(|r| json!({"runs": r.runs, "spread": r.spread, "seed": r.seed})),
        // A streamed ranking holds only its shortlist: no front is known.
        "pareto_front": ranking.streamed.is_none().then(|| ranking.ranked_sites().iter().filter(|s| s.decision.pareto == Some(true)).count()),
        "layers": layers,
        "target": ranking.target.as_ref().map(|t| json!({"label": t.label, "site_id": t.site_id})),
        "land_take_avoided": ranking.need_ha.map(|need| {
            let opts = super::OutputOptions::for_ranking(ranking);
            let (n, ha) = super::shortlist_land_take(ranking, &opts);
            json!({"need_ha": need, "shortlisted_sites": n, "hectares": ha})
        }),
        "warnings": ranking.warnings.iter().map(ToString::to_string).collect::<Vec<_>>(),
    });
    if let (Some(s), Value::Object(m)) = (&ranking.streamed, &mut meta) {
        m.insert(
            "streamed".into(),
            json!({"layers": s.layers, "skipped": s.skipped}),
        );
    }
    meta
}

/// Writes the ranking as a GeoJSON FeatureCollection, one Feature per site, streamed.
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
/// sitematch::output::write_geojson(&ranking, &sitematch::output::OutputOptions::for_ranking(&ranking), &mut out).unwrap();
/// let fc: geojson::FeatureCollection = String::from_utf8(out).unwrap().parse().unwrap();
/// assert_eq!(fc.features.len(), 1);
/// assert_eq!(fc.features[0].property("site_id").and_then(|v| v.as_str()), Some("big"));
/// # Ok::<(), sitematch::Error>(())
/// ```
pub fn write_geojson<W: Write>(
    ranking: &Ranking,
    opts: &OutputOptions,
    out: W,
) -> std::io::Result<()> {
    super::write_ranking(OutputFormat::Geojson, ranking, opts, None, out)
}

/// The GeoJSON record sink: a FeatureCollection, its `sitematch` member first for a
/// ranking, last for a grid (with the counts of cells).
pub(super) struct GeoJsonSink<'s, W: Write> {
    writer: FeatureWriter<'s>,
    out: W,
}

impl<'s, W: Write> GeoJsonSink<'s, W> {
    pub(super) fn new(schema: &'s Schema<'s>, mut out: W) -> std::io::Result<Self> {
        match schema.records {
            Records::Ranking => {
                out.write_all(b"{\"type\":\"FeatureCollection\",\"sitematch\":")?;
                out.write_all(schema.metadata.as_bytes())?;
                out.write_all(b",\"features\":[")?;
            }
            Records::Grid => out.write_all(b"{\"type\":\"FeatureCollection\",\"features\":[")?,
        }
        let writer = FeatureWriter::new(schema.ranking, schema.records, &schema.columns)?;
        Ok(GeoJsonSink { writer, out })
    }
}

impl<W: Write> RecordSink for GeoJsonSink<'_, W> {
    fn record(&mut self, site: &SiteResult) -> std::io::Result<()> {
        self.writer.write(site, &mut self.out)
    }

    fn finish(mut self: Box<Self>, end: Option<&Value>) -> std::io::Result<()> {
        match end {
            None => self.out.write_all(b"\n]}\n")?,
            Some(meta) => {
                self.out.write_all(b"\n],\"sitematch\":")?;
                serde_json::to_writer(&mut self.out, meta)?;
                self.out.write_all(b"}\n")?;
            }
        }
        self.out.flush()
    }
}

/// The `sitematch` member of a grid: the ranking's metadata without the counts of
/// ranked sites, with the grid's description and, when known, the counts of cells.
pub(crate) fn grid_metadata(
    shell: &Ranking,
    describe: Value,
    stats: Option<&crate::engine::GridStats>,
) -> Value {
    let mut meta = metadata(shell);
    if let Value::Object(m) = &mut meta {
        m.insert("grid".into(), describe);
        if let Some(stats) = stats {
            m.insert(
                "cells".into(),
                json!({
                    "scanned": stats.scanned,
                    "not_on_land": stats.not_on_land,
                    "outside_departments_or_bbox": stats.outside_departments,
                    "outside_zone": stats.outside_zone,
                    "excluded": stats.excluded,
                    "written": stats.produced,
                }),
            );
        }
        for k in [
            "sites_considered",
            "sites_ranked",
            "sites_excluded",
            "pareto_front",
        ] {
            m.remove(k);
        }
    }
    meta
}

/// One site of a ranking as a GeoJSON Feature, as [`write_geojson`] writes it (the
/// `id` member is the site's id).
///
/// ```
/// # use sitematch::{Brief, Catalog, Engine, Feature, Layer, Role};
/// # let sites = Layer::from_features("sites", Role::Sites, vec![Feature::point("a", 2.0, 48.0)]);
/// # let engine = Engine::new(Catalog::from_layers(vec![sites]));
/// # let brief = Brief::from_toml_str("[[criterion]]\nname = \"land\"\ntype = \"attribute\"\nfield = \"area_ha\"\nideal = 60\nzero = 0\n")?;
/// let ranking = engine.rank(&brief)?;
/// let f = sitematch::output::feature_json(&ranking, &ranking.sites[0]);
/// assert_eq!((f["id"].as_str(), f["properties"]["rank"].as_u64()), (Some("a"), Some(1)));
/// # Ok::<(), sitematch::Error>(())
/// ```
pub fn feature_json(ranking: &Ranking, site: &SiteResult) -> Value {
    let mut f = feature(
        ranking,
        Records::Ranking,
        &columns(ranking, Records::Ranking),
        site,
    );
    if let Value::Object(m) = &mut f {
        m.insert("id".into(), json!(site.site_id));
    }
    f
}

/// One record as a GeoJSON Feature over the schema's columns. One geometry type for
/// the whole file: a site's location (its footprint, where it has one, is in the
/// GeoPackage output); a cell's point or square.
fn feature(ranking: &Ranking, records: Records, cols: &[Column], site: &SiteResult) -> Value {
    let mut props = Map::new();
    for (col, cell) in cols.iter().zip(cells(ranking, records, site)) {
        props.insert(col.name.clone(), cell_json(cell));
    }
    let geometry = match records {
        Records::Ranking => json!({"type": "Point", "coordinates": coord(&site.location.0)}),
        Records::Grid => geometry_json(&site.geometry),
    };
    json!({
        "type": "Feature",
        "properties": Value::Object(props),
        "geometry": geometry,
    })
}

/// Writes features one by one, each on its own line, comma-separated, member by
/// member as serde_json writes the `Value` of [`feature`] (the same bytes, checked by
/// a test) without building a map per feature: the keys are escaped once.
struct FeatureWriter<'a> {
    ranking: &'a Ranking,
    records: Records,
    keys: Vec<String>,
    first: bool,
}

impl<'a> FeatureWriter<'a> {
    fn new(ranking: &'a Ranking, records: Records, cols: &[Column]) -> std::io::Result<Self> {
        let keys = cols
            .iter()
            .map(|c| serde_json::to_string(&c.name))
            .collect::<Result<_, _>>()?;
        Ok(FeatureWriter {
            ranking,
            records,
            keys,
            first: true,
        })
    }

    fn write<W: Write>(&mut self, site: &SiteResult, out: &mut W) -> std::io::Result<()> {
        out.write_all(if self.first { b"\n" } else { b",\n" })?;
        self.first = false;
        out.write_all(b"{\"type\":\"Feature\",\"properties\":{")?;
        let cells = cells(self.ranking, self.records, site);
        for (k, (key, cell)) in self.keys.iter().zip(cells).enumerate() {
            if k > 0 {
                out.write_all(b",")?;
            }
            out.write_all(key.as_bytes())?;
            out.write_all(b":")?;
            write_cell(&mut *out, &cell)?;
        }
        out.write_all(b"},\"geometry\":")?;
        match self.records {
            Records::Ranking => {
                let c = &site.location.0;
                out.write_all(b"{\"type\":\"Point\",\"coordinates\":[")?;
                serde_json::to_writer(&mut *out, &round7(c.x))?;
                out.write_all(b",")?;
                serde_json::to_writer(&mut *out, &round7(c.y))?;
                out.write_all(b"]}")?;
            }
            Records::Grid => serde_json::to_writer(&mut *out, &geometry_json(&site.geometry))?,
        }
        out.write_all(b"}")
    }
}

/// A cell as JSON, as [`cell_json`] gives it.
fn write_cell<W: Write>(out: &mut W, c: &Cell) -> std::io::Result<()> {
    match c {
        Cell::Text(Some(t)) => serde_json::to_writer(out, t)?,
        Cell::Int(Some(i)) => serde_json::to_writer(out, i)?,
        Cell::Num(Some(x)) if x.is_finite() => serde_json::to_writer(out, x)?,
        Cell::Bool(Some(b)) => out.write_all(if *b { b"true" } else { b"false" })?,
        _ => out.write_all(b"null")?,
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Brief, Catalog, Engine, Feature, Layer, Role};

    /// The features written member by member are, byte for byte, the serialised
    /// `Value` of [`feature`], for a ranking (text to escape, nulls, integers,
    /// booleans) and for a grid of squares.
    #[test]
    fn features_written_by_hand_are_the_values_serde_writes() {
        let mut a = Feature::point("a\"1", 2.0, 48.0);
        a.label = Some("Mézières \"centre\"\n\\ tab\t".into());
        a.area_ha = Some(12.5);
        let mut b = Feature::point("b", 2.3, 48.1234567891);
        b.area_ha = None;
        let engine = Engine::new(Catalog::from_layers(vec![
            Layer::from_features("sites", Role::Sites, vec![a, b]),
            Layer::from_features(
                "ports",
                Role::Facilities,
                vec![Feature::point("p", 2.1, 48.0)],
            ),
        ]));
        let brief = Brief::from_toml_str(
            "[[criterion]]\nname = \"port\"\ntype = \"distance\"\nlayer = \"ports\"\nideal_km = 1\nzero_km = 50\n\
             [[criterion]]\nname = \"land\"\ntype = \"attribute\"\nfield = \"area_ha\"\nideal = 20\nzero = 0\n",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let ranking = engine.rank(&brief).unwrap_or_else(|e| panic!("{e}"));
        let mut out = Vec::new();
        write_geojson(&ranking, &OutputOptions::for_ranking(&ranking), &mut out)
            .unwrap_or_else(|e| panic!("{e}"));
        let text = String::from_utf8(out).unwrap_or_default();
        let cols = columns(&ranking, Records::Ranking);
        let lines: Vec<&str> = text
            .lines()
            .filter(|l| l.starts_with("{\"type\":\"Feature\""))
            .collect();
        assert_eq!(lines.len(), 2);
        for (line, site) in lines.iter().zip(ranking.ranked_sites()) {
            let want = serde_json::to_string(&feature(&ranking, Records::Ranking, &cols, site))
                .unwrap_or_default();
            assert_eq!(line.trim_end_matches(','), want);
        }

        let grid = Brief::from_toml_str(
            "[filter]\nbbox = [2.0, 48.0, 2.1, 48.05]\n[candidates]\ngrid_km = 2\nland = \"ports\"\nland_km = 50\ncells = \"squares\"\n\
             [[criterion]]\nname = \"port\"\ntype = \"distance\"\nlayer = \"ports\"\nideal_km = 1\nzero_km = 50\n",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let cells: Vec<SiteResult> = engine
            .grid(&grid, false)
            .unwrap_or_else(|e| panic!("{e}"))
            .collect();
        let mut out = Vec::new();
        crate::output::write_grid(
            OutputFormat::Geojson,
            engine.grid(&grid, false).unwrap_or_else(|e| panic!("{e}")),
            |_| {},
            &mut out,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let text = String::from_utf8(out).unwrap_or_default();
        let shell = engine
            .grid(&grid, false)
            .unwrap_or_else(|e| panic!("{e}"))
            .shell();
        let cols = columns(&shell, Records::Grid);
        let lines: Vec<&str> = text
            .lines()
            .filter(|l| l.starts_with("{\"type\":\"Feature\""))
            .collect();
        assert!(lines.len() > 3, "{}", lines.len());
        assert_eq!(lines.len(), cells.len());
        for (line, cell) in lines.iter().zip(&cells) {
            let want = serde_json::to_string(&feature(&shell, Records::Grid, &cols, cell))
                .unwrap_or_default();
            assert_eq!(line.trim_end_matches(','), want);
        }
    }
}
