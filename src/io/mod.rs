//! Format readers. Each turns one file into a [`RawTable`]: geometries still in the
//! source CRS, attribute values for the fields the catalog asks for, and the list of
//! every field the file has (so a catalog naming a missing field gets a useful error).
//! The catalog then reprojects, checks and maps the table into a [`crate::Layer`].

pub mod csv;
pub mod fgb;
pub mod geojson;
pub mod geoparquet;
pub mod gpkg;
pub mod postgis;
pub mod shp;
pub mod text;
mod wkb;

use std::path::Path;

use geo::Geometry;

use crate::crs::Crs;
use crate::error::{FeatureProblem, Location, Result};
use crate::model::{Format, Value};

/// Reads a file of the given format; `wanted` are the attribute fields to extract.
/// The readers have this one shape.
pub fn read(
    format: Format,
    path: &Path,
    opts: &ReadOptions,
    wanted: &[String],
) -> Result<RawTable> {
    match format {
        Format::GeoJson => geojson::read(path, opts, wanted),
        Format::Shapefile => shp::read(path, opts, wanted),
        Format::GeoPackage => gpkg::read(path, opts, wanted),
        Format::FlatGeobuf => fgb::read(path, opts, wanted),
        Format::GeoParquet => geoparquet::read(path, opts, wanted),
        Format::PostGis => postgis::read(path, opts, wanted),
        Format::Csv | Format::Memory => csv::read(path, opts, wanted),
        Format::OsmPbf => Err(crate::error::Error::format(
            path,
            Location::File,
            "an OpenStreetMap extract is read as a network layer (role = \"network\"), \
             not as features",
        )),
    }
}

/// A polygon ring is closed (its last position repeats its first) and has at least
/// four positions (RFC 7946 3.1.6 for GeoJSON, OGC Simple Features for WKT). A ring
/// that is not is refused, not closed: an open ring is most often a truncated or
/// hand-edited file, and closing it would draw a polygon its author may not have meant
/// (the feature is skipped and recorded as `invalid_polygon`). `ends` are the ring's
/// first and last positions (x, y), `None` for an empty ring.
pub(crate) fn check_ring(
    polygon: Option<usize>,
    ring: usize,
    len: usize,
    ends: Option<([f64; 2], [f64; 2])>,
    rule: &str,
) -> Result<(), FeatureProblem> {
    let which = match polygon {
        Some(p) => format!("polygon {p}, ring {ring}"),
        None => format!("ring {ring}"),
    };
    if len < 4 {
        return Err(FeatureProblem::InvalidPolygon(format!(
            "{which} has {len} positions; a ring has at least 4, its last repeating its first ({rule})"
        )));
    }
    match ends {
        Some((first, last)) if first != last => Err(FeatureProblem::InvalidPolygon(format!(
            "{which} is not closed: it starts at {first:?} and ends at {last:?}; the last position must repeat the first ({rule})"
        ))),
        _ => Ok(()),
    }
}

/// One record as read, before reprojection and field mapping.
#[derive(Debug, Clone)]
pub struct RawFeature {
    /// 0-based ordinal among the file's features (CSV: data row, header excluded).
    pub index: usize,
    /// Where it is in the file (feature index, or CSV line).
    pub location: Location,
    /// The geometry in the source CRS, or why there is none.
    pub geometry: Result<Geometry<f64>, FeatureProblem>,
    /// Values of the wanted fields, in the order they were asked for
    /// (`Value::Null` where the feature lacks one).
    pub values: Vec<Value>,
}

/// A whole file as read.
#[derive(Debug, Clone, Default)]
pub struct RawTable {
    /// Every field name the file has, in file order.
    pub fields: Vec<String>,
    /// The CRS the file declares (`.prj`, GeoJSON `crs` member), if any.
    pub declared_crs: Option<Crs>,
    /// Why the file's CRS could not be taken, when it has one sitematch cannot name
    /// (a GeoParquet CRS without an EPSG id, or one declared unknown): the catalog's
    /// `crs` is then required, never WGS 84 assumed.
    pub crs_problem: Option<String>,
    /// The records.
    pub features: Vec<RawFeature>,
    /// Features a spatial index showed to be outside the layer's `bbox`, not read.
    pub not_read: usize,
}

/// The decimal separator of CSV coordinates.
///
/// ```
/// use sitematch::Decimal;
/// assert_eq!(Decimal::try_from(",".to_string()), Ok(Decimal::Comma));
/// assert!(Decimal::try_from(";".to_string()).is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize)]
#[serde(try_from = "String")]
pub enum Decimal {
    /// `.` (the default).
    #[default]
    Point,
    /// `,`, as French spreadsheets write numbers.
    Comma,
}

impl TryFrom<String> for Decimal {
    type Error = String;

    fn try_from(d: String) -> std::result::Result<Decimal, String> {
        match d.as_str() {
            "." => Ok(Decimal::Point),
            "," => Ok(Decimal::Comma),
            _ => Err("must be \".\" or \",\"".to_string()),
        }
    }
}

/// How to read a text-based file (CSV options; GeoJSON and Shapefile ignore most).
#[derive(Debug, Clone)]
pub struct ReadOptions {
    /// CSV field delimiter.
    pub delimiter: u8,
    /// CSV decimal separator for coordinates.
    pub decimal: Decimal,
    /// Text encoding given in the catalog (`None`: UTF-8 for CSV; `.cpg`/LDID/UTF-8
    /// with Latin-1 fallback for DBF).
    pub encoding: Option<text::TextEncoding>,
    /// CSV x (longitude/easting) column.
    pub x: Option<String>,
    /// CSV y (latitude/northing) column.
    pub y: Option<String>,
    /// CSV WKT geometry column.
    pub wkt: Option<String>,
    /// The table of a GeoPackage that holds several, or of a PostGIS database.
    pub table: Option<String>,
    /// The query of a PostGIS layer.
    pub sql: Option<String>,
    /// The catalog's `bbox` (WGS 84) and `crs`: a reader with a spatial index
    /// (FlatGeobuf) reads only the features whose bounds may meet it.
    pub bbox: Option<BboxFilter>,
}

/// A layer's `bbox`, for a reader that can use it before reading the features.
#[derive(Debug, Clone)]
pub struct BboxFilter {
    /// `[min_lon, min_lat, max_lon, max_lat]`, WGS 84 degrees.
    pub wgs84: [f64; 4],
    /// The catalog's `crs` for the layer, which overrides the file's.
    pub crs: Option<Crs>,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            delimiter: b',',
            decimal: Decimal::Point,
            encoding: None,
            x: None,
            y: None,
            wkt: None,
            table: None,
            sql: None,
            bbox: None,
        }
    }
}

/// Converts a JSON property to a [`Value`]; arrays become `;`-separated text (the
/// form tags take in every format), objects their JSON text.
pub(crate) fn json_to_value(v: &serde_json::Value) -> Value {
    match v {
        serde_json::Value::Null => Value::Null,
        serde_json::Value::Bool(b) => Value::Bool(*b),
        serde_json::Value::Number(n) => n.as_f64().map_or(Value::Null, Value::Number),
        serde_json::Value::String(s) => Value::Text(s.as_str().into()),
        serde_json::Value::Array(items) => Value::Text(
            items
                .iter()
                .filter_map(|i| json_to_value(i).as_text())
                .collect::<Vec<_>>()
                .join(";")
                .into(),
        ),
        serde_json::Value::Object(_) => Value::Text(v.to_string().into()),
    }
}
