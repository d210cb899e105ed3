//! GeoParquet reader (GeoParquet 1.0 and 1.1), through the Apache Arrow `parquet`
//! crate.
//!
//! The file's `geo` metadata names the geometry column (`primary_column`), its
//! encoding and its CRS. Geometries are WKB (what GDAL, GeoPandas and DuckDB write by
//! default) or GeoArrow points (`point`, as x/y structs or interleaved pairs). The CRS
//! is PROJJSON: its EPSG id is taken; a column without `crs` is OGC:CRS84 (longitude,
//! latitude on WGS 84, as the specification says); a CRS declared unknown (`null`) or
//! without an EPSG id needs the catalog's `crs`. Attributes keep their Arrow types:
//! integers, floats and decimals as numbers, text (dictionary-encoded too) as text,
//! booleans; a wanted column of another type is an error naming it.

use std::fs::File;
use std::path::Path;
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Float32Type, Float64Type, Int16Type, Int32Type, Int64Type, Int8Type, UInt16Type, UInt32Type,
    UInt64Type, UInt8Type,
};
use arrow_array::{Array, ArrayRef, RecordBatch};
use arrow_schema::DataType;
use geo::{Geometry, Point};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::arrow::ProjectionMask;

use super::{RawFeature, RawTable, ReadOptions};
use crate::crs::Crs;
use crate::error::{Error, FeatureProblem, Location, Result};
use crate::model::Value;

/// Rows decoded at a time.
const BATCH_ROWS: usize = 8192;

/// Reads a GeoParquet file; `wanted` are the attribute fields to extract.
pub fn read(path: &Path, _opts: &ReadOptions, wanted: &[String]) -> Result<RawTable> {
    let mut rows = ParquetRows::open(path, wanted)?;
    let mut features = Vec::new();
    while rows.next_chunk(usize::MAX, &mut features)? {}
    Ok(RawTable {
        fields: rows.fields,
        declared_crs: rows.declared_crs,
        crs_problem: rows.crs_problem,
        features,
        not_read: 0,
    })
}

/// A GeoParquet file's rows read a batch at a time (a layer too large to hold is
/// ranked this way): its metadata read and checked once, then each call to
/// [`ParquetRows::next_chunk`] decodes the next batches.
pub struct ParquetRows {
    path: std::path::PathBuf,
    reader: parquet::arrow::arrow_reader::ParquetRecordBatchReader,
    geo_column: String,
    encoding: Encoding,
    wanted: Vec<String>,
    /// Every field of the file but the geometry, in file order.
    pub fields: Vec<String>,
    /// The CRS its `geo` metadata names.
    pub declared_crs: Option<Crs>,
    /// Why its CRS cannot be named, when it cannot.
    pub crs_problem: Option<String>,
    /// Rows decoded so far.
    index: usize,
}

impl ParquetRows {
    /// Opens a GeoParquet file and reads its metadata; `wanted` are the attribute
    /// fields to extract.
    pub fn open(path: &Path, wanted: &[String]) -> Result<ParquetRows> {
        let file_error = |what: String| Error::format(path, Location::File, what);
        let bad = |e: parquet::errors::ParquetError| {
            file_error(format!(
                "not a readable Parquet file ({e}); check that it is complete"
            ))
        };
        let file = File::open(path).map_err(|e| Error::io(path, e))?;
        let builder = ParquetRecordBatchReaderBuilder::try_new(file).map_err(bad)?;
        let geo_json = builder
            .metadata()
            .file_metadata()
            .key_value_metadata()
            .and_then(|kv| kv.iter().find(|k| k.key == "geo"))
            .and_then(|k| k.value.clone())
            .ok_or_else(|| {
                file_error(
                    "a Parquet file without GeoParquet's `geo` metadata; write it as GeoParquet \
                     (GeoPandas' to_parquet, `ogr2ogr -f Parquet`, DuckDB's COPY ... (FORMAT parquet) \
                     with the spatial extension)"
                        .into(),
                )
            })?;
        let geo = Metadata::parse(&geo_json)
            .map_err(|why| file_error(format!("its GeoParquet `geo` metadata: {why}")))?;

        let schema = builder.schema().clone();
        let fields: Vec<String> = schema
            .fields()
            .iter()
            .map(|f| f.name().clone())
            .filter(|n| *n != geo.column)
            .collect();
        let Some(geometry_index) = schema.fields().iter().position(|f| *f.name() == geo.column)
        else {
            return Err(file_error(format!(
                "its `geo` metadata names the geometry column {:?}, which it does not have",
                geo.column
            )));
        };
        // Only the geometry and the wanted columns are decoded; a wanted column the
        // file lacks reads as null (the catalog reports it, with the fields there are).
        let mut roots = vec![geometry_index];
        for w in wanted {
            if let Some(i) = schema.fields().iter().position(|f| f.name() == w) {
                if !roots.contains(&i) {
                    roots.push(i);
                }
            }
        }
        let mask = ProjectionMask::roots(builder.parquet_schema(), roots);
        let reader = builder
            .with_projection(mask)
            .with_batch_size(BATCH_ROWS)
            .build()
            .map_err(bad)?;
        Ok(ParquetRows {
            path: path.to_path_buf(),
            reader,
            geo_column: geo.column,
            encoding: geo.encoding,
            wanted: wanted.to_vec(),
            fields,
            declared_crs: geo.crs.clone().ok(),
            crs_problem: geo.crs.err(),
            index: 0,
        })
    }

    /// Appends the rows of the next batches to `out`, until at least `max` rows are
    /// added or the file ends (a batch is decoded whole); `false` once it has ended.
    pub fn next_chunk(&mut self, max: usize, out: &mut Vec<RawFeature>) -> Result<bool> {
        let path = self.path.as_path();
        let file_error = |what: String| Error::format(path, Location::File, what);
        let mut taken = 0usize;
        while taken < max {
            let Some(batch) = self.reader.next() else {
                return Ok(false);
            };
            let first = self.index;
            let batch = batch.map_err(|e| {
                Error::format(
                    path,
                    Location::Feature(first),
                    format!(
                        "cannot decode the rows from here on ({e}); check that the file is complete"
                    ),
                )
            })?;
            let geometry = batch.column_by_name(&self.geo_column).ok_or_else(|| {
                file_error(format!("no column {:?} in a row group", self.geo_column))
            })?;
            let geometry = Geometries::new(geometry, self.encoding).map_err(|why| {
                file_error(format!("its geometry column {:?} {why}", self.geo_column))
            })?;
            let columns: Vec<Option<Column>> = self
                .wanted
                .iter()
                .map(|w| column(&batch, w).map_err(|why| file_error(format!("column {w:?} {why}"))))
                .collect::<Result<_>>()?;
            for row in 0..batch.num_rows() {
                let index = first + row;
                out.push(RawFeature {
                    index,
                    location: Location::Feature(index),
                    geometry: geometry.get(row),
                    values: columns
                        .iter()
                        .map(|c| c.as_ref().map_or(Value::Null, |c| c.get(row)))
                        .collect(),
                });
            }
            self.index += batch.num_rows();
            taken += batch.num_rows();
        }
        Ok(true)
    }
}

/// How the geometry column is written.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Encoding {
    Wkb,
    Point,
}

/// What sitematch takes from the `geo` metadata.
#[derive(Debug)]
struct Metadata {
    column: String,
    encoding: Encoding,
    /// The CRS, or why it cannot be named.
    crs: std::result::Result<Crs, String>,
}

impl Metadata {
    fn parse(text: &str) -> std::result::Result<Metadata, String> {
        let geo: serde_json::Value =
            serde_json::from_str(text).map_err(|e| format!("not JSON ({e})"))?;
        let column = geo
            .get("primary_column")
            .and_then(|c| c.as_str())
            .ok_or("it has no `primary_column`")?
            .to_string();
        let meta = geo
            .get("columns")
            .and_then(|c| c.get(&column))
            .ok_or_else(|| format!("`columns` does not describe the primary column {column:?}"))?;
        let encoding = match meta.get("encoding").and_then(|e| e.as_str()) {
            Some(e) if e.eq_ignore_ascii_case("wkb") => Encoding::Wkb,
            Some("point") => Encoding::Point,
            Some(other) => {
                return Err(format!(
                    "column {column:?} has the encoding {other:?}, which sitematch does not read; \
                     write it as WKB (GeoPandas' default; `-lco GEOMETRY_ENCODING=WKB` in GDAL)"
                ))
            }
            None => return Err(format!("column {column:?} has no `encoding`")),
        };
        let crs = match meta.get("crs") {
            // Absent: OGC:CRS84, by the specification.
            None => Ok(Crs::WGS84),
            Some(serde_json::Value::Null) => Err("its geometry column's CRS is declared unknown \
                                                   (`\"crs\": null` in its GeoParquet metadata)"
                .to_string()),
            Some(projjson) => projjson_crs(projjson),
        };
        Ok(Metadata {
            column,
            encoding,
            crs,
        })
    }
}

/// The CRS a PROJJSON object names by its id (`id`, or the first of `ids`): an EPSG
/// code, or OGC's CRS84 (WGS 84 longitude, latitude).
fn projjson_crs(projjson: &serde_json::Value) -> std::result::Result<Crs, String> {
    let id = projjson
        .get("id")
        .or_else(|| projjson.get("ids").and_then(|ids| ids.get(0)));
    let authority = id.and_then(|i| i.get("authority")).and_then(|a| a.as_str());
    let code = id.and_then(|i| i.get("code"));
    let code_text = code.map(|c| match c {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    });
    let name = projjson
        .get("name")
        .and_then(|n| n.as_str())
        .unwrap_or("without a name");
    match (authority, code_text.as_deref()) {
        (Some(a), Some(c)) if a.eq_ignore_ascii_case("EPSG") => c
            .parse::<u32>()
            .map(Crs::Epsg)
            .map_err(|_| format!("its CRS {name:?} has the EPSG code {c:?}, not a number")),
        (Some(a), Some(c)) if a.eq_ignore_ascii_case("OGC") && c.eq_ignore_ascii_case("CRS84") => {
            Ok(Crs::WGS84)
        }
        (Some(a), Some(c)) => Err(format!(
            "its CRS {name:?} is {a}:{c}, not an EPSG code sitematch can name"
        )),
        _ => Err(format!(
            "its CRS {name:?} is a PROJJSON object without an EPSG id"
        )),
    }
}

/// A batch's geometry column, typed.
enum Geometries {
    Wkb(ArrayRef),
    /// GeoArrow points: separate x and y arrays (struct) or interleaved pairs.
    Points {
        array: ArrayRef,
        x: Vec<f64>,
        y: Vec<f64>,
    },
}

impl Geometries {
    fn new(array: &ArrayRef, encoding: Encoding) -> std::result::Result<Geometries, String> {
        match encoding {
            Encoding::Wkb => match array.data_type() {
                DataType::Binary | DataType::LargeBinary | DataType::BinaryView => {
                    Ok(Geometries::Wkb(Arc::clone(array)))
                }
                other => Err(format!("is said to be WKB but holds {other}")),
            },
            Encoding::Point => {
                let (x, y) = point_coordinates(array)?;
                Ok(Geometries::Points {
                    array: Arc::clone(array),
                    x,
                    y,
                })
            }
        }
    }

    fn get(&self, row: usize) -> std::result::Result<Geometry<f64>, FeatureProblem> {
        match self {
            Geometries::Wkb(array) => {
                if array.is_null(row) {
                    return Err(FeatureProblem::NoGeometry);
                }
                let bytes = if let Some(a) = array.as_binary_opt::<i32>() {
                    a.value(row)
                } else if let Some(a) = array.as_binary_opt::<i64>() {
                    a.value(row)
                } else {
                    array.as_binary_view().value(row)
                };
                super::wkb::feature_geometry(bytes, "a GeoParquet geometry")
            }
            Geometries::Points { array, x, y } => {
                let (x, y) = (x[row], y[row]);
                if array.is_null(row) || x.is_nan() || y.is_nan() {
                    Err(FeatureProblem::NoGeometry)
                } else {
                    Ok(Geometry::Point(Point::new(x, y)))
                }
            }
        }
    }
}

/// The x and y of GeoArrow points, one per row (NaN where null).
fn point_coordinates(array: &ArrayRef) -> std::result::Result<(Vec<f64>, Vec<f64>), String> {
    let floats = |a: &ArrayRef, what: &str| -> std::result::Result<Vec<f64>, String> {
        let f = a
            .as_primitive_opt::<Float64Type>()
            .ok_or_else(|| format!("has {what} of type {}, not double", a.data_type()))?;
        Ok((0..f.len())
            .map(|i| if f.is_null(i) { f64::NAN } else { f.value(i) })
            .collect())
    };
    if let Some(s) = array.as_struct_opt() {
        let (Some(x), Some(y)) = (s.column_by_name("x"), s.column_by_name("y")) else {
            return Err("is a point struct without `x` and `y`".into());
        };
        return Ok((floats(x, "x")?, floats(y, "y")?));
    }
    if let Some(list) = array.as_fixed_size_list_opt() {
        let n = usize::try_from(list.value_length()).unwrap_or(0);
        if n < 2 {
            return Err(format!("holds points of {n} coordinates"));
        }
        let values = floats(list.values(), "coordinates")?;
        let at = |row: usize, k: usize| values.get(row * n + k).copied().unwrap_or(f64::NAN);
        let rows = list.len();
        return Ok((
            (0..rows).map(|r| at(r, 0)).collect(),
            (0..rows).map(|r| at(r, 1)).collect(),
        ));
    }
    Err(format!(
        "is said to hold GeoArrow points but holds {}",
        array.data_type()
    ))
}

/// An attribute column of a batch, typed; `None` for a column the file lacks.
fn column(batch: &RecordBatch, name: &str) -> std::result::Result<Option<Column>, String> {
    let Some(array) = batch.column_by_name(name) else {
        return Ok(None);
    };
    Column::new(array).map(Some)
}

/// An attribute column whose type sitematch reads.
struct Column {
    array: ArrayRef,
    /// Dictionary-encoded columns: each row's index into `array`, the dictionary.
    keys: Option<Vec<Option<usize>>>,
}

impl Column {
    fn new(array: &ArrayRef) -> std::result::Result<Column, String> {
        if let Some(d) = array.as_any_dictionary_opt() {
            let values = Arc::clone(d.values());
            readable(values.data_type())?;
            let keys = d.keys();
            let keys = d
                .normalized_keys()
                .into_iter()
                .enumerate()
                .map(|(i, k)| (!keys.is_null(i)).then_some(k))
                .collect();
            return Ok(Column {
                array: values,
                keys: Some(keys),
            });
        }
        readable(array.data_type())?;
        Ok(Column {
            array: Arc::clone(array),
            keys: None,
        })
    }

    fn get(&self, row: usize) -> Value {
        let row = match &self.keys {
            None => row,
            Some(keys) => match keys.get(row).copied().flatten() {
                Some(k) => k,
                None => return Value::Null,
            },
        };
        if row >= self.array.len() || self.array.is_null(row) {
            return Value::Null;
        }
        value(&self.array, row)
    }
}

/// Whether a column of this type can be read, else what to do.
fn readable(t: &DataType) -> std::result::Result<(), String> {
    use DataType::*;
    match t {
        Null | Boolean | Int8 | Int16 | Int32 | Int64 | UInt8 | UInt16 | UInt32 | UInt64
        | Float32 | Float64 | Utf8 | LargeUtf8 | Utf8View | Decimal128(..) => Ok(()),
        other => Err(format!(
            "is of type {other}, which sitematch does not read as an attribute; \
             cast it to text or a number"
        )),
    }
}

/// One value of a non-null row of a readable column.
fn value(a: &ArrayRef, row: usize) -> Value {
    // Arrow's native numbers as f64 (integers beyond 2^53 round, as in every reader).
    macro_rules! number {
        ($t:ty) => {
            a.as_primitive_opt::<$t>().map(|p| p.value(row) as f64)
        };
    }
    let n = match a.data_type() {
        DataType::Boolean => return Value::Bool(a.as_boolean().value(row)),
        DataType::Utf8 => return Value::Text(a.as_string::<i32>().value(row).into()),
        DataType::LargeUtf8 => return Value::Text(a.as_string::<i64>().value(row).into()),
        DataType::Utf8View => return Value::Text(a.as_string_view().value(row).into()),
        DataType::Int8 => number!(Int8Type),
        DataType::Int16 => number!(Int16Type),
        DataType::Int32 => number!(Int32Type),
        DataType::Int64 => number!(Int64Type),
        DataType::UInt8 => number!(UInt8Type),
        DataType::UInt16 => number!(UInt16Type),
        DataType::UInt32 => number!(UInt32Type),
        DataType::UInt64 => number!(UInt64Type),
        DataType::Float32 => number!(Float32Type),
        DataType::Float64 => number!(Float64Type),
        DataType::Decimal128(_, scale) => a
            .as_primitive_opt::<arrow_array::types::Decimal128Type>()
            .map(|d| d.value(row) as f64 / 10f64.powi(i32::from(*scale))),
        _ => None,
    };
    // NaN is how pandas writes a missing number.
    n.filter(|x| !x.is_nan()).map_or(Value::Null, Value::Number)
}
