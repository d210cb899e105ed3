//! CSV: the same columns as the GeoJSON properties, plus lon and lat.

use std::io::Write;

use super::sink::{RecordSink, Schema};
use super::{cells, columns, Cell, Column, OutputFormat, OutputOptions, Records};
use crate::ranking::{ColumnType, Ranking, SiteResult};

fn text(c: Cell) -> String {
    match c {
        Cell::Text(t) => t.unwrap_or_default(),
        Cell::Int(i) => i.map(|i| i.to_string()).unwrap_or_default(),
        Cell::Num(x) => x
            .filter(|x| x.is_finite())
            .map(|x| x.to_string())
            .unwrap_or_default(),
        Cell::Bool(b) => b.map(|b| b.to_string()).unwrap_or_default(),
    }
}

/// Writes the ranking as CSV (comma-separated, UTF-8, header row).
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
/// sitematch::output::write_csv(&ranking, &sitematch::output::OutputOptions::for_ranking(&ranking), &mut out).unwrap();
/// let text = String::from_utf8(out).unwrap();
/// assert!(text.starts_with("site_id,label,layer,category,commune,rank,score"));
/// assert!(text.lines().nth(1).unwrap().starts_with("big,"));
/// # Ok::<(), sitematch::Error>(())
/// ```
pub fn write_csv<W: Write>(ranking: &Ranking, opts: &OutputOptions, out: W) -> std::io::Result<()> {
    super::write_ranking(OutputFormat::Csv, ranking, opts, None, out)
}

/// The CSV record sink: a header row, then one row per record with `lon` and `lat`
/// (or `x` and `y` in a projected CRS).
pub(super) struct CsvSink<'s, W: Write> {
    schema: &'s Schema<'s>,
    w: ::csv::Writer<W>,
}

impl<'s, W: Write> CsvSink<'s, W> {
    pub(super) fn new(schema: &'s Schema<'s>, out: W) -> std::io::Result<Self> {
        let mut w = ::csv::Writer::from_writer(out);
        let mut header: Vec<&str> = schema.columns.iter().map(|c| c.name.as_str()).collect();
        // Degrees in WGS 84; metres (or the CRS's unit) in a projected CRS.
        if schema.crs.is_wgs84() {
            header.extend(["lon", "lat"]);
        } else {
            header.extend(["x", "y"]);
        }
        w.write_record(header)?;
        Ok(CsvSink { schema, w })
    }
}

impl<W: Write> RecordSink for CsvSink<'_, W> {
    fn record(&mut self, site: &SiteResult) -> std::io::Result<()> {
        let mut row: Vec<String> = cells(self.schema.ranking, self.schema.records, site)
            .into_iter()
            .map(text)
            .collect();
        if self.schema.crs.is_wgs84() {
            row.push(format!("{:.7}", site.location.x()));
            row.push(format!("{:.7}", site.location.y()));
        } else {
            let (x, y) = self.schema.location(site)?;
            // Millimetres.
            row.push(format!("{x:.3}"));
            row.push(format!("{y:.3}"));
        }
        Ok(self.w.write_record(row)?)
    }

    fn finish(mut self: Box<Self>, _end: Option<&serde_json::Value>) -> std::io::Result<()> {
        self.w.flush()
    }
}

/// The GDAL type of a column in a `.csvt` file.
fn csvt_type(c: &Column) -> &'static str {
    match c.kind {
        ColumnType::Text => "String",
        ColumnType::Integer => "Integer64",
        ColumnType::Number => "Real",
        ColumnType::Bool => "Integer(Boolean)",
    }
}

pub(super) fn csvt_line(ranking: &Ranking, records: Records) -> String {
    let mut types: Vec<&str> = columns(ranking, records).iter().map(csvt_type).collect();
    types.extend(["CoordX", "CoordY"]);
    let quoted: Vec<String> = types.iter().map(|t| format!("\"{t}\"")).collect();
    format!("{}\n", quoted.join(","))
}

/// The `.csvt` sidecar of [`write_csv`]'s output: the GDAL type of every column, so
/// that GDAL and QGIS read numbers as numbers, keep codes such as `"0396"` as text,
/// and make a point layer of `lon`/`lat` (written beside `x.csv` as `x.csvt`, with
/// [`PRJ_WGS84`] as `x.prj`).
///
/// ```
/// # use sitematch::{Brief, Catalog, Engine, Feature, Layer, Role};
/// # let sites = Layer::from_features("sites", Role::Sites, vec![Feature::point("a", 2.0, 48.0)]);
/// # let engine = Engine::new(Catalog::from_layers(vec![sites]));
/// # let brief = Brief::from_toml_str("[[criterion]]\nname = \"land\"\ntype = \"attribute\"\nfield = \"area_ha\"\nideal = 60\nzero = 0\n")?;
/// let ranking = engine.rank(&brief)?;
/// let csvt = sitematch::output::csvt(&ranking);
/// assert!(csvt.starts_with("\"String\",\"String\",\"String\",\"String\",\"String\",\"Integer64\",\"Real\""));
/// assert!(csvt.trim_end().ends_with("\"CoordX\",\"CoordY\""));
/// # Ok::<(), sitematch::Error>(())
/// ```
pub fn csvt(ranking: &Ranking) -> String {
    csvt_line(ranking, Records::Ranking)
}

/// The `.csvt` sidecar of a grid's CSV output (see [`csvt`] and [`super::write_grid`]).
///
/// ```
/// use sitematch::{Brief, Catalog, Engine, Feature, Layer, Role};
/// let engine = Engine::new(Catalog::from_layers(vec![Layer::from_features(
///     "communes", Role::Population, vec![Feature::point("t", 2.0, 48.0)])]));
/// let brief = Brief::from_toml_str("[filter]\nbbox = [1.99, 47.99, 2.01, 48.01]\n[candidates]\ngrid_km = 1\n[[criterion]]\nname = \"d\"\ntype = \"distance\"\nlayer = \"communes\"\nideal_km = 1\nzero_km = 10\n")?;
/// let grid = engine.grid(&brief, false)?;
/// // Cells are not ranked: no rank column.
/// assert!(sitematch::output::csvt_grid(&grid).starts_with("\"String\",\"String\",\"String\",\"String\",\"String\",\"Real\""));
/// # Ok::<(), sitematch::Error>(())
/// ```
pub fn csvt_grid(grid: &crate::engine::Grid<'_>) -> String {
    csvt_line(&grid.shell(), Records::Grid)
}

/// WGS 84 as an ESRI `.prj` (what GDAL writes for EPSG:4326), for the CSV's sidecar.
pub const PRJ_WGS84: &str = "GEOGCS[\"GCS_WGS_1984\",DATUM[\"D_WGS_1984\",SPHEROID[\"WGS_1984\",6378137.0,298.257223563]],PRIMEM[\"Greenwich\",0.0],UNIT[\"Degree\",0.0174532925199433]]";
