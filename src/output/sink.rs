//! Records to a format: the [`Schema`] of an output, built once, and the
//! [`RecordSink`] each record format implements, which serves a ranking's sites and a
//! grid's cells alike. [`write_ranking`] and [`write_grid`] drive them.

use std::io::Write;

use super::{columns, selected, Column, OutputFormat, OutputOptions, Records};
use crate::crs::OutputCrs;
use crate::engine::{Grid, GridStats};
use crate::model::Layer;
use crate::ranking::{Ranking, SiteResult};

/// What every record of one output has: its columns and its metadata, built once.
pub(crate) struct Schema<'a> {
    /// The ranking, or the shell of a grid (its criteria, no sites).
    pub ranking: &'a Ranking,
    /// Sites or cells.
    pub records: Records,
    /// The columns, in order, with their types.
    pub columns: Vec<Column>,
    /// The `sitematch` metadata known before the first record, as JSON text.
    pub metadata: String,
    /// The records are polygons (a grid of squares), else points.
    pub polygons: bool,
    /// The CRS the geometries are written in.
    pub crs: &'a OutputCrs,
}

impl<'a> Schema<'a> {
    /// The schema of a ranking's sites.
    pub(crate) fn of_ranking(ranking: &'a Ranking, crs: &'a OutputCrs) -> Schema<'a> {
        Schema {
            ranking,
            records: Records::Ranking,
            columns: columns(ranking, Records::Ranking),
            metadata: super::geojson::metadata(ranking).to_string(),
            polygons: false,
            crs,
        }
    }

    /// The schema of a grid's cells (`shell`: the grid's [`Grid::shell`]).
    pub(crate) fn of_grid(shell: &'a Ranking, grid: &Grid<'_>, crs: &'a OutputCrs) -> Schema<'a> {
        Schema {
            ranking: shell,
            records: Records::Grid,
            columns: columns(shell, Records::Grid),
            metadata: super::geojson::grid_metadata(shell, grid.describe(), None).to_string(),
            polygons: grid.squares(),
            crs,
        }
    }

    /// A record's geometry in the output CRS: the site's location, or a grid cell's
    /// square.
    pub(crate) fn geometry(&self, site: &SiteResult) -> std::io::Result<geo::Geometry<f64>> {
        let g = match self.records {
            Records::Ranking => geo::Geometry::Point(site.location),
            Records::Grid => site.geometry.clone(),
        };
        self.crs
            .project_geometry(&g)
            .map_err(|e| projection_error(site, e))
    }

    /// A record's location (a site's point, a cell's centre) in the output CRS.
    pub(crate) fn location(&self, site: &SiteResult) -> std::io::Result<(f64, f64)> {
        self.crs
            .project(site.location.x(), site.location.y())
            .map_err(|e| projection_error(site, e))
    }
}

/// A record that cannot be written in the output CRS, named.
fn projection_error(site: &SiteResult, why: String) -> std::io::Error {
    std::io::Error::other(format!("site {}: {why}", site.site_id))
}

/// One record format: made for a schema (writing what comes before the records),
/// then fed the records in order, then finished.
pub(crate) trait RecordSink {
    /// Writes one site or cell.
    fn record(&mut self, site: &SiteResult) -> std::io::Result<()>;
    /// Writes what comes after the records: `end` is a grid's metadata with the
    /// counts of cells, known only then (formats that can put it last do).
    fn finish(self: Box<Self>, end: Option<&serde_json::Value>) -> std::io::Result<()>;
}

/// The sink of a record format for `schema`, writing to `out`.
fn sink<'s, W: Write + 's>(
    format: OutputFormat,
    schema: &'s Schema<'s>,
    out: W,
) -> std::io::Result<Box<dyn RecordSink + 's>> {
    Ok(match format {
        OutputFormat::Csv => Box::new(super::csv::CsvSink::new(schema, out)?),
        OutputFormat::Fgb => Box::new(super::fgb::FgbSink::new(schema, out)?),
        OutputFormat::Parquet => Box::new(super::parquet::ParquetSink::new(schema, out)?),
        _ => Box::new(super::geojson::GeoJsonSink::new(schema, out)?),
    })
}

/// Writes a ranking in `format`: its records (GeoJSON, CSV, FlatGeobuf) or its
/// report (Markdown; HTML, with `outlines`, the data set's boundaries, as the map's
/// context). A GeoPackage is a file: [`super::write_gpkg`] writes it.
///
/// ```
/// # use sitematch::{Brief, Catalog, Engine, Feature, Layer, Role};
/// # let sites = Layer::from_features("sites", Role::Sites, vec![Feature::point("a", 2.0, 48.0)]);
/// # let engine = Engine::new(Catalog::from_layers(vec![sites]));
/// # let brief = Brief::from_toml_str("[[criterion]]\nname = \"land\"\ntype = \"attribute\"\nfield = \"area_ha\"\nideal = 60\nzero = 0\n")?;
/// use sitematch::output::{write_ranking, OutputFormat, OutputOptions};
/// let ranking = engine.rank(&brief)?;
/// let opts = OutputOptions::for_ranking(&ranking);
/// let mut csv = Vec::new();
/// write_ranking(OutputFormat::Csv, &ranking, &opts, None, &mut csv).unwrap();
/// assert_eq!(String::from_utf8(csv).unwrap().lines().count(), 2);
/// let mut gpkg = Vec::new();
/// assert!(write_ranking(OutputFormat::Gpkg, &ranking, &opts, None, &mut gpkg).is_err());
/// # Ok::<(), sitematch::Error>(())
/// ```
pub fn write_ranking<W: Write>(
    format: OutputFormat,
    ranking: &Ranking,
    opts: &OutputOptions,
    outlines: Option<&Layer>,
    out: W,
) -> std::io::Result<()> {
    write_ranking_in(format, ranking, opts, outlines, &OutputCrs::wgs84(), out)
}

/// [`write_ranking`] with the geometries in `crs`: a projected CRS for CSV (`x`, `y`
/// columns), FlatGeobuf and GeoParquet; GeoJSON stays WGS 84 as RFC 7946 asks, and the
/// reports (Markdown, HTML) are WGS 84 too, so they refuse another CRS.
///
/// ```
/// # use sitematch::{Brief, Catalog, Engine, Feature, Layer, Role};
/// # let sites = Layer::from_features("sites", Role::Sites, vec![Feature::point("a", 3.0, 46.5)]);
/// # let engine = Engine::new(Catalog::from_layers(vec![sites]));
/// # let brief = Brief::from_toml_str("[[criterion]]\nname = \"land\"\ntype = \"attribute\"\nfield = \"area_ha\"\nideal = 60\nzero = 0\n")?;
/// use sitematch::output::{write_ranking_in, OutputFormat, OutputOptions};
/// use sitematch::OutputCrs;
/// let ranking = engine.rank(&brief)?;
/// let opts = OutputOptions::for_ranking(&ranking);
/// let l93 = OutputCrs::epsg(2154).unwrap();
/// let mut csv = Vec::new();
/// write_ranking_in(OutputFormat::Csv, &ranking, &opts, None, &l93, &mut csv).unwrap();
/// // Lambert-93's origin: (3°E, 46.5°N) is (700 000 m, 6 600 000 m).
/// let text = String::from_utf8(csv).unwrap();
/// assert!(text.lines().next().unwrap().ends_with(",x,y"));
/// assert!(text.lines().nth(1).unwrap().ends_with(",700000.000,6600000.000"));
/// assert!(write_ranking_in(OutputFormat::Geojson, &ranking, &opts, None, &l93, Vec::new()).is_err());
/// # Ok::<(), sitematch::Error>(())
/// ```
pub fn write_ranking_in<W: Write>(
    format: OutputFormat,
    ranking: &Ranking,
    opts: &OutputOptions,
    outlines: Option<&Layer>,
    crs: &OutputCrs,
    mut out: W,
) -> std::io::Result<()> {
    check_crs(format, crs)?;
    match format {
        OutputFormat::Md => return super::write_markdown(ranking, opts, out),
        OutputFormat::Html => return super::write_html(ranking, opts, outlines, out),
        OutputFormat::Gpkg => {
            return Err(std::io::Error::other(
                "a GeoPackage is a file, not a stream: write it with write_gpkg",
            ))
        }
        OutputFormat::Geojson | OutputFormat::Csv | OutputFormat::Fgb | OutputFormat::Parquet => {}
    }
    let schema = Schema::of_ranking(ranking, crs);
    let mut sink = sink(format, &schema, &mut out)?;
    for site in selected(ranking, opts) {
        sink.record(site)?;
    }
    sink.finish(None)?;
    out.flush()
}

/// The most cells of a grid written as FlatGeobuf: its packed R-tree is built in
/// memory at the end (about 150 bytes a cell, measured on a 1M-cell grid: 1.5 GB at
/// this limit); CSV and GeoJSON stream any grid up to [`crate::MAX_CELLS`].
pub const MAX_FGB_CELLS: usize = 10_000_000;

/// Writes a streamed grid (from [`crate::Engine::grid`]) in a record format
/// (GeoJSON, CSV or FlatGeobuf), one record per cell as it is computed, calling
/// `on_cell` after each; returns the counts of cells.
///
/// ```
/// use sitematch::{Brief, Catalog, Engine, Feature, Layer, Role};
/// use sitematch::output::{write_grid, OutputFormat};
/// let engine = Engine::new(Catalog::from_layers(vec![Layer::from_features(
///     "communes", Role::Population, vec![Feature::point("t", 2.0, 48.0)])]));
/// let brief = Brief::from_toml_str("[filter]\nbbox = [1.99, 47.99, 2.01, 48.01]\n[candidates]\ngrid_km = 1\n[[criterion]]\nname = \"d\"\ntype = \"distance\"\nlayer = \"communes\"\nideal_km = 1\nzero_km = 10\n")?;
/// let mut out = Vec::new();
/// let stats = write_grid(OutputFormat::Csv, engine.grid(&brief, false)?, |_| {}, &mut out).unwrap();
/// // A header, then one row per cell.
/// assert_eq!(String::from_utf8(out).unwrap().lines().count(), stats.produced + 1);
/// # Ok::<(), sitematch::Error>(())
/// ```
pub fn write_grid<W: Write>(
    format: OutputFormat,
    grid: Grid<'_>,
    on_cell: impl FnMut(&GridStats),
    out: W,
) -> std::io::Result<GridStats> {
    write_grid_in(format, grid, &OutputCrs::wgs84(), on_cell, out)
}

/// [`write_grid`] with the cells in `crs` (CSV, FlatGeobuf and GeoParquet; GeoJSON
/// stays WGS 84).
pub fn write_grid_in<W: Write>(
    format: OutputFormat,
    mut grid: Grid<'_>,
    crs: &OutputCrs,
    mut on_cell: impl FnMut(&GridStats),
    mut out: W,
) -> std::io::Result<GridStats> {
    if !format.writes_grids() {
        return Err(std::io::Error::other(format!(
            "a grid surface is written as FlatGeobuf, GeoParquet, GeoJSON or CSV, not {format}"
        )));
    }
    check_crs(format, crs)?;
    if format == OutputFormat::Fgb && grid.total_cells() > MAX_FGB_CELLS {
        return Err(std::io::Error::other(format!(
            "a FlatGeobuf grid holds its spatial index in memory (about 150 bytes a cell): at most {} cells; this grid scans {}: write it as CSV or GeoJSON (streamed), or make the cells larger",
            crate::text::thousands(MAX_FGB_CELLS as f64),
            crate::text::thousands(grid.total_cells() as f64),
        )));
    }
    let shell = grid.shell();
    let schema = Schema::of_grid(&shell, &grid, crs);
    let mut sink = sink(format, &schema, &mut out)?;
    while let Some(cell) = grid.next() {
        sink.record(&cell)?;
        on_cell(&grid.stats());
    }
    let stats = grid.stats();
    let end = super::geojson::grid_metadata(&shell, grid.describe(), Some(&stats));
    sink.finish(Some(&end))?;
    out.flush()?;
    Ok(stats)
}

/// An error for a format that stays in WGS 84 (GeoJSON, the reports) given another
/// CRS.
fn check_crs(format: OutputFormat, crs: &OutputCrs) -> std::io::Result<()> {
    if crs.is_wgs84() || format.takes_crs() {
        Ok(())
    } else {
        Err(std::io::Error::other(format!(
            "{format} is written in WGS 84 only (GeoJSON by RFC 7946; the reports' maps): \
             EPSG:{} is for GeoPackage, FlatGeobuf, GeoParquet and CSV",
            crs.code()
        )))
    }
}

/// The files to write beside a ranking's output in `format`, (extension, text): a
/// CSV's `.csvt` (the GDAL type of every column) and `.prj` (WGS 84).
///
/// ```
/// # use sitematch::{Brief, Catalog, Engine, Feature, Layer, Role};
/// # let sites = Layer::from_features("sites", Role::Sites, vec![Feature::point("a", 2.0, 48.0)]);
/// # let engine = Engine::new(Catalog::from_layers(vec![sites]));
/// # let brief = Brief::from_toml_str("[[criterion]]\nname = \"land\"\ntype = \"attribute\"\nfield = \"area_ha\"\nideal = 60\nzero = 0\n")?;
/// use sitematch::output::{sidecars, OutputFormat};
/// let ranking = engine.rank(&brief)?;
/// let files = sidecars(OutputFormat::Csv, &ranking);
/// assert_eq!(files.iter().map(|(e, _)| *e).collect::<Vec<_>>(), ["csvt", "prj"]);
/// assert!(sidecars(OutputFormat::Geojson, &ranking).is_empty());
/// # Ok::<(), sitematch::Error>(())
/// ```
pub fn sidecars(format: OutputFormat, ranking: &Ranking) -> Vec<(&'static str, String)> {
    sidecars_of(format, ranking, Records::Ranking, &OutputCrs::wgs84())
}

/// [`sidecars`] for an output in `crs`: the `.prj` is its WKT.
pub fn sidecars_in(
    format: OutputFormat,
    ranking: &Ranking,
    crs: &OutputCrs,
) -> Vec<(&'static str, String)> {
    sidecars_of(format, ranking, Records::Ranking, crs)
}

/// [`sidecars`] for a grid's output (`grid`: before its cells are taken).
pub fn grid_sidecars(format: OutputFormat, grid: &Grid<'_>) -> Vec<(&'static str, String)> {
    sidecars_of(format, &grid.shell(), Records::Grid, &OutputCrs::wgs84())
}

/// [`grid_sidecars`] for an output in `crs`.
pub fn grid_sidecars_in(
    format: OutputFormat,
    grid: &Grid<'_>,
    crs: &OutputCrs,
) -> Vec<(&'static str, String)> {
    sidecars_of(format, &grid.shell(), Records::Grid, crs)
}

fn sidecars_of(
    format: OutputFormat,
    ranking: &Ranking,
    records: Records,
    crs: &OutputCrs,
) -> Vec<(&'static str, String)> {
    format
        .sidecars()
        .iter()
        .map(|ext| match *ext {
            "csvt" => (*ext, super::csv::csvt_line(ranking, records)),
            _ if crs.is_wgs84() => (*ext, super::PRJ_WGS84.to_string()),
            _ => (*ext, crs.wkt().to_string()),
        })
        .collect()
}
