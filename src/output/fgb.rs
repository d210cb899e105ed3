//! FlatGeobuf: a binary, spatially indexed layer for grids of hundreds of thousands to
//! millions of cells (GDAL and QGIS read it, and fetch only the cells in view). The
//! cells are streamed to a temporary file as they are scored, then written in Hilbert
//! order behind a packed R-tree index (the `flatgeobuf` crate): memory holds about 50
//! bytes per cell, not the cells.

use std::io::Write;

use flatgeobuf::{ColumnType as FgbType, FgbCrs, FgbWriter, FgbWriterOptions, GeometryType};
use geozero::{ColumnValue, PropertyProcessor};

use super::sink::{RecordSink, Schema};
use super::{cells, Cell, Column, OutputFormat, OutputOptions, Records};
use crate::ranking::{ColumnType, Ranking, SiteResult};

fn io_error(e: impl std::fmt::Display) -> std::io::Error {
    std::io::Error::other(e.to_string())
}

fn fgb_type(c: &Column) -> FgbType {
    match c.kind {
        ColumnType::Text => FgbType::String,
        ColumnType::Integer => FgbType::Long,
        ColumnType::Number => FgbType::Double,
        ColumnType::Bool => FgbType::Bool,
    }
}

/// The FlatGeobuf record sink: a layer with the schema's columns, in its CRS, spatially
/// indexed (so written whole at the end); the `sitematch` metadata in its header.
pub(super) struct FgbSink<'s, W: Write> {
    schema: &'s Schema<'s>,
    fgb: FgbWriter<'s>,
    out: W,
}

impl<'s, W: Write> FgbSink<'s, W> {
    pub(super) fn new(schema: &'s Schema<'s>, out: W) -> std::io::Result<Self> {
        let options = FgbWriterOptions {
            write_index: true,
            crs: FgbCrs {
                org: Some("EPSG"),
                code: i32::try_from(schema.crs.code()).unwrap_or(0),
                name: Some(schema.crs.name()),
                wkt: (!schema.crs.is_wgs84()).then(|| schema.crs.wkt()),
                ..Default::default()
            },
            title: Some(&schema.ranking.brief_name),
            metadata: Some(&schema.metadata),
            ..Default::default()
        };
        let (name, geometry) = match (schema.records, schema.polygons) {
            (Records::Ranking, _) => ("sites", GeometryType::Point),
            (Records::Grid, false) => ("cells", GeometryType::Point),
            (Records::Grid, true) => ("cells", GeometryType::Polygon),
        };
        let mut fgb = FgbWriter::create_with_options(name, geometry, options).map_err(io_error)?;
        for c in &schema.columns {
            fgb.add_column(&c.name, fgb_type(c), |_, col| col.nullable = true);
        }
        Ok(FgbSink { schema, fgb, out })
    }
}

impl<W: Write> RecordSink for FgbSink<'_, W> {
    fn record(&mut self, site: &SiteResult) -> std::io::Result<()> {
        let s = self.schema;
        let geometry = s.geometry(site)?;
        add(
            &mut self.fgb,
            s.ranking,
            s.records,
            &s.columns,
            site,
            geometry,
        )
    }

    fn finish(mut self: Box<Self>, _end: Option<&serde_json::Value>) -> std::io::Result<()> {
        self.fgb.write(&mut self.out).map_err(io_error)?;
        self.out.flush()
    }
}

/// Adds one record: the site's location and its non-null cells (a null is an absent
/// property in FlatGeobuf).
fn add(
    fgb: &mut FgbWriter<'_>,
    ranking: &Ranking,
    records: Records,
    names: &[Column],
    site: &SiteResult,
    geometry: geo::Geometry<f64>,
) -> std::io::Result<()> {
    let values = cells(ranking, records, site);
    let mut failed = None;
    fgb.add_feature_geom(geometry, |feature| {
        for (i, (col, cell)) in names.iter().zip(&values).enumerate() {
            let done = match cell {
                Cell::Text(Some(t)) => feature.property(i, &col.name, &ColumnValue::String(t)),
                Cell::Int(Some(x)) => feature.property(i, &col.name, &ColumnValue::Long(*x)),
                Cell::Num(Some(x)) if x.is_finite() => {
                    feature.property(i, &col.name, &ColumnValue::Double(*x))
                }
                Cell::Bool(Some(b)) => feature.property(i, &col.name, &ColumnValue::Bool(*b)),
                _ => Ok(false),
            };
            if let Err(e) = done {
                failed = Some(e);
            }
        }
    })
    .map_err(io_error)?;
    match failed {
        Some(e) => Err(io_error(e)),
        None => Ok(()),
    }
}

/// Writes the ranking as a FlatGeobuf point layer (the GeoJSON's columns and types;
/// the `sitematch` metadata as the header's metadata).
///
/// ```
/// # use sitematch::{Brief, Catalog, Engine, Feature, Layer, Role};
/// # let mut big = Feature::point("big", 2.0, 48.0);
/// # big.area_ha = Some(50.0);
/// # let sites = Layer::from_features("sites", Role::Sites, vec![big]);
/// # let engine = Engine::new(Catalog::from_layers(vec![sites]));
/// # let brief = Brief::from_toml_str("[[criterion]]\nname = \"land\"\ntype = \"attribute\"\nfield = \"area_ha\"\nideal = 60\nzero = 0\n")?;
/// let ranking = engine.rank(&brief)?;
/// let mut out = Vec::new();
/// let opts = sitematch::output::OutputOptions::for_ranking(&ranking);
/// sitematch::output::write_fgb(&ranking, &opts, &mut out).unwrap();
/// // FlatGeobuf's magic bytes, version 3.
/// assert_eq!(&out[..4], b"fgb\x03");
/// # Ok::<(), sitematch::Error>(())
/// ```
pub fn write_fgb<W: Write>(ranking: &Ranking, opts: &OutputOptions, out: W) -> std::io::Result<()> {
    super::write_ranking(OutputFormat::Fgb, ranking, opts, None, out)
}
