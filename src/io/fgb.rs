//! FlatGeobuf reader, through the `flatgeobuf` crate (its writer is the one the grid
//! and ranking outputs use), with every buffer verified.
//!
//! The CRS is the header's: its EPSG code when the organisation is EPSG, else its WKT.
//! Attributes keep their column types (numbers as numbers, text as text, booleans).

use std::fs::File;
use std::io::BufReader;
use std::path::Path;

use flatgeobuf::{ColumnType, FallibleStreamingIterator, FgbReader, GeometryType};
use geo::{Coord, Geometry, LineString, MultiLineString, MultiPoint, MultiPolygon, Point, Polygon};

use super::{RawFeature, RawTable, ReadOptions};
use crate::crs::Crs;
use crate::error::{Error, FeatureProblem, Location, Result};
use crate::model::Value;

/// Reads a FlatGeobuf file; `wanted` are the attribute fields to extract.
pub fn read(path: &Path, _opts: &ReadOptions, wanted: &[String]) -> Result<RawTable> {
    let bad = |location: Location, e: flatgeobuf::Error| {
        Error::format(
            path,
            location,
            format!("not a readable FlatGeobuf file ({e}); check it with `ogrinfo`"),
        )
    };
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    let reader = FgbReader::open(BufReader::new(file)).map_err(|e| bad(Location::File, e))?;
    let header = reader.header();
    let geometry_type = header.geometry_type();
    let columns: Vec<(String, ColumnType)> = header
        .columns()
        .map(|cols| {
            cols.iter()
                .map(|c| (c.name().to_string(), c.type_()))
                .collect()
        })
        .unwrap_or_default();
    let fields: Vec<String> = columns.iter().map(|(n, _)| n.clone()).collect();
    let declared_crs = header.crs().and_then(|c| {
        let epsg = c
            .org()
            .is_none_or(|o| o.eq_ignore_ascii_case("EPSG"))
            .then_some(c.code())
            .filter(|code| *code > 0)
            .and_then(|code| u32::try_from(code).ok());
        epsg.map(Crs::Epsg).or_else(|| c.wkt().and_then(Crs::parse))
    });
    // The index's size comes from the header's counts: checked here, where the crate
    // would overflow or assert on a damaged header.
    let length = std::fs::metadata(path)
        .map_err(|e| Error::io(path, e))?
        .len();
    let index = check_index(header.features_count(), header.index_node_size(), length)
        .map_err(|why| Error::format(path, Location::File, why))?;
    // Each feature's size prefix, checked against the bytes left before the crate
    // reads it (it makes a buffer of the size a damaged prefix says, up to 4 GB).
    check_features(path, index, length)?;
    let mut iter = reader.select_all().map_err(|e| bad(Location::File, e))?;
    let mut features = Vec::new();
    loop {
        let index = features.len();
        let location = Location::Feature(index);
        let Some(feature) = iter.next().map_err(|e| bad(location, e))? else {
            break;
        };
        let geometry = match feature.geometry() {
            None => Err(FeatureProblem::NoGeometry),
            Some(g) => decode(&g, geometry_type, 0),
        };
        let geometry = geometry.and_then(|g| {
            use geo::CoordsIter;
            if g.coords_count() == 0 {
                Err(FeatureProblem::NoGeometry)
            } else {
                Ok(g)
            }
        });
        let bytes = feature
            .fbs_feature()
            .properties()
            .map_or(&[][..], |p| p.bytes());
        let values = properties(bytes, &columns, wanted).map_err(|why| {
            Error::format(path, location, format!("its attributes are damaged: {why}"))
        })?;
        features.push(RawFeature {
            index,
            location,
            geometry,
            values,
        });
    }
    Ok(RawTable {
        fields,
        declared_crs,
        features,
        crs_problem: None,
    })
}

/// Checks that a header's feature count and index node size make an index the file
/// can hold (the packed R-tree's size, computed without overflow); the index's size in
/// bytes.
fn check_index(
    features: u64,
    node_size: u16,
    file_length: u64,
) -> std::result::Result<u64, String> {
    let damaged = |what: String| Err(format!("its header is damaged: {what}"));
    if features > file_length {
        return damaged(format!(
            "it counts {features} features in a file of {file_length} bytes"
        ));
    }
    if node_size == 0 || features == 0 {
        return Ok(0);
    }
    if node_size == 1 {
        return damaged("an index node size of 1 (at least 2)".into());
    }
    let node = u64::from(node_size);
    let (mut n, mut nodes) = (features, features);
    while n > 1 {
        n = n.div_ceil(node);
        nodes += n;
    }
    // 40 bytes a node: its box and its offset.
    match nodes.checked_mul(40) {
        Some(size) if size <= file_length => Ok(size),
        _ => damaged(format!(
            "an index of {nodes} nodes for {features} features, more than the file holds"
        )),
    }
}

/// Walks the features' size prefixes after the header and the index (`index` bytes):
/// each feature must fit in the bytes left. An error names the first that does not.
fn check_features(path: &Path, index: u64, length: u64) -> Result<()> {
    use std::io::{Read, Seek, SeekFrom};
    let mut file = BufReader::new(File::open(path).map_err(|e| Error::io(path, e))?);
    let mut word = [0u8; 4];
    let io = |e| Error::io(path, e);
    // Magic (8 bytes), the header's size (4), the header.
    file.seek(SeekFrom::Start(8)).map_err(io)?;
    file.read_exact(&mut word).map_err(io)?;
    let mut at = 12 + u64::from(u32::from_le_bytes(word)) + index;
    let mut n = 0usize;
    while at < length {
        let size = if at + 4 <= length {
            file.seek(SeekFrom::Start(at)).map_err(io)?;
            file.read_exact(&mut word).map_err(io)?;
            Some(u64::from(u32::from_le_bytes(word)))
        } else {
            None
        };
        match size {
            Some(size) if at + 4 + size <= length => at += 4 + size,
            _ => {
                return Err(Error::format(
                    path,
                    Location::Feature(n),
                    format!(
                        "cut short or damaged: it runs past the end of the file ({length} bytes)"
                    ),
                ))
            }
        }
        n += 1;
    }
    Ok(())
}

/// A FlatGeobuf geometry as a geo geometry, every index checked: the crate's own
/// reader indexes past the coordinates on a damaged file. `kind` is the header's type
/// (`Unknown`: each geometry says its own); `depth` bounds nested collections.
fn decode(
    g: &flatgeobuf::Geometry<'_>,
    kind: GeometryType,
    depth: usize,
) -> std::result::Result<Geometry<f64>, FeatureProblem> {
    let bad =
        |what: &str| FeatureProblem::UnsupportedGeometry(format!("a damaged geometry: {what}"));
    if depth > 8 {
        return Err(bad("collections nested too deep"));
    }
    let kind = if kind == GeometryType::Unknown {
        g.type_()
    } else {
        kind
    };
    let coords: Vec<Coord<f64>> = g
        .xy()
        .map(|xy| {
            let v: Vec<f64> = xy.iter().collect();
            v.chunks_exact(2)
                .map(|c| Coord { x: c[0], y: c[1] })
                .collect()
        })
        .unwrap_or_default();
    // The coordinate runs `ends` cuts the coordinates into (each end after the last).
    let runs = || -> std::result::Result<Vec<Vec<Coord<f64>>>, FeatureProblem> {
        let Some(ends) = g.ends() else {
            return Ok(vec![coords.clone()]);
        };
        let mut out = Vec::with_capacity(ends.len());
        let mut start = 0usize;
        for end in ends.iter() {
            let end = end as usize;
            if end < start || end > coords.len() {
                return Err(bad(
                    "its ring or line ends are out of order or out of range",
                ));
            }
            out.push(coords[start..end].to_vec());
            start = end;
        }
        Ok(out)
    };
    let parts =
        |part_kind: GeometryType| -> std::result::Result<Vec<Geometry<f64>>, FeatureProblem> {
            g.parts()
                .map(|p| {
                    p.iter()
                        .map(|part| decode(&part, part_kind, depth + 1))
                        .collect()
                })
                .unwrap_or_else(|| Ok(Vec::new()))
        };
    let polygon = |rings: Vec<Vec<Coord<f64>>>| {
        let mut rings = rings.into_iter().map(LineString::from);
        let exterior = rings.next().unwrap_or_else(|| LineString::new(vec![]));
        Polygon::new(exterior, rings.collect())
    };
    Ok(match kind {
        GeometryType::Point => Geometry::Point(Point::from(
            *coords.first().ok_or(FeatureProblem::NoGeometry)?,
        )),
        GeometryType::MultiPoint => Geometry::MultiPoint(MultiPoint::new(
            coords.into_iter().map(Point::from).collect(),
        )),
        GeometryType::LineString => Geometry::LineString(LineString::from(coords)),
        GeometryType::MultiLineString => Geometry::MultiLineString(MultiLineString::new(
            runs()?.into_iter().map(LineString::from).collect(),
        )),
        GeometryType::Polygon => Geometry::Polygon(polygon(runs()?)),
        GeometryType::MultiPolygon => {
            let mut polygons = Vec::new();
            for part in parts(GeometryType::Polygon)? {
                match part {
                    Geometry::Polygon(p) => polygons.push(p),
                    _ => return Err(bad("a part of a multipolygon is not a polygon")),
                }
            }
            // A multipolygon of one polygon may be written without parts.
            if polygons.is_empty() && !coords.is_empty() {
                polygons.push(polygon(runs()?));
            }
            Geometry::MultiPolygon(MultiPolygon::new(polygons))
        }
        GeometryType::GeometryCollection => Geometry::GeometryCollection(
            geo::GeometryCollection::new_from(parts(GeometryType::Unknown)?),
        ),
        other => {
            return Err(FeatureProblem::UnsupportedGeometry(format!(
                "a FlatGeobuf geometry of type {other:?} (curves and surfaces are not read)"
            )))
        }
    })
}

/// The wanted attributes of one feature from its properties' bytes (a column number,
/// then its value, in turn), every length checked against the bytes there are: the
/// crate's own reader indexes past them on a damaged file.
fn properties(
    bytes: &[u8],
    columns: &[(String, ColumnType)],
    wanted: &[String],
) -> std::result::Result<Vec<Value>, String> {
    let mut values = vec![Value::Null; wanted.len()];
    let mut at = 0usize;
    let take = |at: &mut usize, n: usize| -> std::result::Result<&[u8], String> {
        let end = at.checked_add(n).filter(|e| *e <= bytes.len());
        let end =
            end.ok_or_else(|| format!("a value runs past the feature's {} bytes", bytes.len()))?;
        let out = &bytes[*at..end];
        *at = end;
        Ok(out)
    };
    let array = |b: &[u8]| -> [u8; 8] {
        let mut a = [0u8; 8];
        a[..b.len()].copy_from_slice(b);
        a
    };
    // A trailing byte after the last value is tolerated, as GDAL's reader does.
    while at + 1 < bytes.len() {
        let column = usize::from(u16::from_le_bytes([bytes[at], bytes[at + 1]]));
        at += 2;
        let (name, kind) = columns
            .get(column)
            .ok_or_else(|| format!("column {column} of {}", columns.len()))?;
        let value = match *kind {
            ColumnType::Bool => Value::Bool(take(&mut at, 1)?[0] != 0),
            ColumnType::Byte => Value::Number(f64::from(take(&mut at, 1)?[0] as i8)),
            ColumnType::UByte => Value::Number(f64::from(take(&mut at, 1)?[0])),
            ColumnType::Short => {
                let a = array(take(&mut at, 2)?);
                Value::Number(f64::from(i16::from_le_bytes([a[0], a[1]])))
            }
            ColumnType::UShort => {
                let a = array(take(&mut at, 2)?);
                Value::Number(f64::from(u16::from_le_bytes([a[0], a[1]])))
            }
            ColumnType::Int => {
                let a = array(take(&mut at, 4)?);
                Value::Number(f64::from(i32::from_le_bytes([a[0], a[1], a[2], a[3]])))
            }
            ColumnType::UInt => {
                let a = array(take(&mut at, 4)?);
                Value::Number(f64::from(u32::from_le_bytes([a[0], a[1], a[2], a[3]])))
            }
            ColumnType::Float => {
                let a = array(take(&mut at, 4)?);
                Value::Number(f64::from(f32::from_le_bytes([a[0], a[1], a[2], a[3]])))
            }
            ColumnType::Long => Value::Number(i64::from_le_bytes(array(take(&mut at, 8)?)) as f64),
            ColumnType::ULong => Value::Number(u64::from_le_bytes(array(take(&mut at, 8)?)) as f64),
            ColumnType::Double => Value::Number(f64::from_le_bytes(array(take(&mut at, 8)?))),
            ColumnType::String | ColumnType::Json | ColumnType::DateTime | ColumnType::Binary => {
                let len = array(take(&mut at, 4)?);
                let len = u32::from_le_bytes([len[0], len[1], len[2], len[3]]) as usize;
                let raw = take(&mut at, len)?;
                if *kind == ColumnType::Binary {
                    Value::Null
                } else {
                    let text = std::str::from_utf8(raw)
                        .map_err(|_| format!("column {name:?} is not UTF-8"))?;
                    Value::Text(text.into())
                }
            }
            other => return Err(format!("column {name:?} has an unknown type {other:?}")),
        };
        if let Some(slot) = wanted.iter().position(|w| w == name) {
            values[slot] = value;
        }
    }
    Ok(values)
}
