//! GeoParquet 1.1: the flat schema's columns typed (text, 64-bit integers, doubles,
//! booleans), the geometry as WKB in a `geometry` column, the `geo` metadata (the
//! CRS as PROJJSON, none for WGS 84 longitude/latitude, which is GeoParquet's
//! default; the bounding box; the geometry type) and the `sitematch` metadata. Read by
//! DuckDB, GeoPandas, Apache Sedona and GDAL.
//!
//! Records are streamed: they are encoded a batch at a time and the file is written
//! a row group at a time, so a grid of millions of cells holds one row group in
//! memory, not the grid.

use std::io::Write;
use std::sync::{Arc, Mutex};

use arrow_array::builder::{
    BinaryBuilder, BooleanBuilder, Float64Builder, Int64Builder, StringBuilder,
};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema as ArrowSchema, SchemaRef};
use geozero::{CoordDimensions, ToWkb};
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::metadata::KeyValue;
use parquet::file::properties::WriterProperties;

use super::sink::{RecordSink, Schema};
use super::{cells, Cell, OutputFormat, OutputOptions};
use crate::ranking::{ColumnType, Ranking, SiteResult};

/// Records encoded at a time.
const BATCH_ROWS: usize = 8192;
/// Rows in a row group: what a reader reads at a time, and what the writer holds.
const ROW_GROUP_ROWS: usize = 65_536;

fn io_error(e: impl std::fmt::Display) -> std::io::Error {
    std::io::Error::other(e.to_string())
}

/// The bytes the Arrow writer has written and the sink not yet passed on: the writer
/// needs a `Send` destination, which the sink's own may not be.
#[derive(Clone, Default)]
struct Pending(Arc<Mutex<Vec<u8>>>);

impl Write for Pending {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let mut pending = self.0.lock().map_err(|_| io_error("a poisoned buffer"))?;
        pending.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// One column's values of the batch being built.
enum Builder {
    Text(StringBuilder),
    Int(Int64Builder),
    Num(Float64Builder),
    Bool(BooleanBuilder),
}

impl Builder {
    fn new(kind: ColumnType) -> Builder {
        match kind {
            ColumnType::Text => Builder::Text(StringBuilder::new()),
            ColumnType::Integer => Builder::Int(Int64Builder::new()),
            ColumnType::Number => Builder::Num(Float64Builder::new()),
            ColumnType::Bool => Builder::Bool(BooleanBuilder::new()),
        }
    }

    fn push(&mut self, cell: Cell) {
        match (self, cell) {
            (Builder::Text(b), Cell::Text(t)) => b.append_option(t),
            (Builder::Int(b), Cell::Int(i)) => b.append_option(i),
            // NaN and infinities are nulls, as in the other formats.
            (Builder::Num(b), Cell::Num(x)) => b.append_option(x.filter(|x| x.is_finite())),
            (Builder::Bool(b), Cell::Bool(v)) => b.append_option(v),
            (Builder::Text(b), _) => b.append_null(),
            (Builder::Int(b), _) => b.append_null(),
            (Builder::Num(b), _) => b.append_null(),
            (Builder::Bool(b), _) => b.append_null(),
        }
    }

    fn finish(&mut self) -> ArrayRef {
        match self {
            Builder::Text(b) => Arc::new(b.finish()),
            Builder::Int(b) => Arc::new(b.finish()),
            Builder::Num(b) => Arc::new(b.finish()),
            Builder::Bool(b) => Arc::new(b.finish()),
        }
    }
}

/// The GeoParquet record sink.
pub(super) struct ParquetSink<'s, W: Write> {
    schema: &'s Schema<'s>,
    arrow: SchemaRef,
    columns: Vec<Builder>,
    geometry: BinaryBuilder,
    rows: usize,
    /// (min x, min y, max x, max y) of the records, in the output CRS.
    bbox: Option<[f64; 4]>,
    /// The output CRS as PROJJSON; `None` for WGS 84 longitude/latitude, GeoParquet's
    /// default (OGC:CRS84).
    crs: Option<serde_json::Value>,
    writer: ArrowWriter<Pending>,
    pending: Pending,
    out: W,
}

impl<'s, W: Write> ParquetSink<'s, W> {
    pub(super) fn new(schema: &'s Schema<'s>, out: W) -> std::io::Result<Self> {
        let mut fields: Vec<Field> = schema
            .columns
            .iter()
            .map(|c| {
                let t = match c.kind {
                    ColumnType::Text => DataType::Utf8,
                    ColumnType::Integer => DataType::Int64,
                    ColumnType::Number => DataType::Float64,
                    ColumnType::Bool => DataType::Boolean,
                };
                Field::new(&c.name, t, true)
            })
            .collect();
        fields.push(Field::new("geometry", DataType::Binary, false));
        let arrow = Arc::new(ArrowSchema::new(fields));
        let props = WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .set_max_row_group_row_count(Some(ROW_GROUP_ROWS))
            .set_created_by(format!("sitematch {}", env!("CARGO_PKG_VERSION")))
            .build();
        let pending = Pending::default();
        let writer = ArrowWriter::try_new(pending.clone(), Arc::clone(&arrow), Some(props))
            .map_err(io_error)?;
        // Made before any record: a CRS PROJJSON cannot describe is refused before a
        // grid is scored.
        let crs = if schema.crs.is_wgs84() {
            None
        } else {
            Some(schema.crs.projjson().map_err(io_error)?)
        };
        Ok(ParquetSink {
            crs,
            schema,
            columns: schema
                .columns
                .iter()
                .map(|c| Builder::new(c.kind))
                .collect(),
            arrow,
            geometry: BinaryBuilder::new(),
            rows: 0,
            bbox: None,
            writer,
            pending,
            out,
        })
    }

    /// Encodes the batch built so far and passes on what the writer has written.
    fn write_batch(&mut self) -> std::io::Result<()> {
        if self.rows == 0 {
            return Ok(());
        }
        let mut arrays: Vec<ArrayRef> = self.columns.iter_mut().map(Builder::finish).collect();
        arrays.push(Arc::new(self.geometry.finish()));
        let batch = RecordBatch::try_new(Arc::clone(&self.arrow), arrays).map_err(io_error)?;
        self.writer.write(&batch).map_err(io_error)?;
        self.rows = 0;
        self.pass_on()
    }

    fn pass_on(&mut self) -> std::io::Result<()> {
        let bytes = {
            let mut pending = self
                .pending
                .0
                .lock()
                .map_err(|_| io_error("a poisoned buffer"))?;
            std::mem::take(&mut *pending)
        };
        self.out.write_all(&bytes)
    }

    /// GeoParquet's `geo` metadata.
    fn geo(&self) -> serde_json::Value {
        let mut column = serde_json::json!({
            "encoding": "WKB",
            "geometry_types": [if self.schema.polygons { "Polygon" } else { "Point" }],
        });
        // No `crs` means OGC:CRS84, longitude then latitude on WGS 84: what is written.
        if let Some(crs) = &self.crs {
            column["crs"] = crs.clone();
        }
        if let Some(b) = self.bbox {
            column["bbox"] = serde_json::json!(b);
        }
        serde_json::json!({
            "version": "1.1.0",
            "primary_column": "geometry",
            "columns": {"geometry": column},
        })
    }
}

impl<W: Write> RecordSink for ParquetSink<'_, W> {
    fn record(&mut self, site: &SiteResult) -> std::io::Result<()> {
        let s = self.schema;
        let geometry = s.geometry(site)?;
        let wkb = geometry.to_wkb(CoordDimensions::xy()).map_err(io_error)?;
        if let Some(r) = geo::BoundingRect::bounding_rect(&geometry) {
            let b = self
                .bbox
                .get_or_insert([f64::MAX, f64::MAX, f64::MIN, f64::MIN]);
            b[0] = b[0].min(r.min().x);
            b[1] = b[1].min(r.min().y);
            b[2] = b[2].max(r.max().x);
            b[3] = b[3].max(r.max().y);
        }
        for (builder, cell) in self
            .columns
            .iter_mut()
            .zip(cells(s.ranking, s.records, site))
        {
            builder.push(cell);
        }
        self.geometry.append_value(wkb);
        self.rows += 1;
        if self.rows == BATCH_ROWS {
            self.write_batch()?;
        }
        Ok(())
    }

    fn finish(mut self: Box<Self>, end: Option<&serde_json::Value>) -> std::io::Result<()> {
        self.write_batch()?;
        let geo = self.geo();
        self.writer
            .append_key_value_metadata(KeyValue::new("geo".into(), geo.to_string()));
        let sitematch = end.map_or_else(|| self.schema.metadata.clone(), |e| e.to_string());
        self.writer
            .append_key_value_metadata(KeyValue::new("sitematch".into(), sitematch));
        self.writer.finish().map_err(io_error)?;
        self.pass_on()?;
        self.out.flush()
    }
}

/// Writes the ranking as a GeoParquet point layer (the GeoJSON's columns and types;
/// the `sitematch` metadata as a key of the file's metadata).
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
/// sitematch::output::write_parquet(&ranking, &opts, &mut out).unwrap();
/// // Parquet's magic bytes, at both ends.
/// assert_eq!((&out[..4], &out[out.len() - 4..]), (&b"PAR1"[..], &b"PAR1"[..]));
/// # Ok::<(), sitematch::Error>(())
/// ```
pub fn write_parquet<W: Write>(
    ranking: &Ranking,
    opts: &OutputOptions,
    out: W,
) -> std::io::Result<()> {
    super::write_ranking(OutputFormat::Parquet, ranking, opts, None, out)
}
