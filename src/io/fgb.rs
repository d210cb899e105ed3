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
pub fn read(path: &Path, opts: &ReadOptions, wanted: &[String]) -> Result<RawTable> {
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
    let start = index_start(path)?;
    check_features(path, start + index, length)?;
    // The catalog's bbox in the file's CRS, searched in the file's spatial index: only
    // the features whose boxes meet it are read (the others are counted).
    let search_box = match &opts.bbox {
        Some(b) if index > 0 => file_box(b.wgs84, b.crs.as_ref().or(declared_crs.as_ref())),
        _ => None,
    };
    let one = |index: usize, feature: flatgeobuf::Feature<'_>| -> Result<RawFeature> {
        let location = Location::Feature(index);
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
        let bytes = feature.properties().map_or(&[][..], |p| p.bytes());
        let values = properties(bytes, &columns, wanted).map_err(|why| {
            Error::format(path, location, format!("its attributes are damaged: {why}"))
        })?;
        Ok(RawFeature {
            index,
            location,
            geometry,
            values,
        })
    };
    let mut features = Vec::new();
    let mut not_read = 0;
    if let Some(b) = search_box {
        let count = usize::try_from(header.features_count()).unwrap_or(usize::MAX);
        let tree = Tree::read(path, start, count, header.index_node_size(), index)?;
        let hits = tree.search(b).map_err(|why| {
            Error::format(
                path,
                Location::File,
                format!("its spatial index is damaged: {why}"),
            )
        })?;
        not_read = count.saturating_sub(hits.len());
        let mut file = BufReader::new(File::open(path).map_err(|e| Error::io(path, e))?);
        for (i, offset) in hits {
            let bytes = feature_bytes(&mut file, path, tree.data_start, offset, length, i)?;
            let feature = flatgeobuf::size_prefixed_root_as_feature(&bytes).map_err(|e| {
                Error::format(
                    path,
                    Location::Feature(i),
                    format!("not a readable FlatGeobuf feature ({e}); check it with `ogrinfo`"),
                )
            })?;
            features.push(one(i, feature)?);
        }
    } else {
        let mut iter = reader.select_all().map_err(|e| bad(Location::File, e))?;
        loop {
            let index = features.len();
            let Some(feature) = iter.next().map_err(|e| bad(Location::Feature(index), e))? else {
                break;
            };
            features.push(one(index, feature.fbs_feature())?);
        }
    }
    Ok(RawTable {
        fields,
        declared_crs,
        features,
        crs_problem: None,
        not_read,
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
    let nodes: u64 = level_sizes(features, u64::from(node_size)).iter().sum();
    // 40 bytes a node: its box and its offset.
    match nodes.checked_mul(40) {
        Some(size) if size <= file_length => Ok(size),
        _ => damaged(format!(
            "an index of {nodes} nodes for {features} features, more than the file holds"
        )),
    }
}

/// The nodes of each level of a packed R-tree over `count` features, leaves first,
/// up to a root of one node: at least one level above the leaves, even for a single
/// feature (as the format's writers make it).
fn level_sizes(count: u64, node_size: u64) -> Vec<u64> {
    let mut sizes = vec![count];
    let mut n = count;
    loop {
        n = n.div_ceil(node_size.max(2));
        sizes.push(n);
        if n <= 1 {
            return sizes;
        }
    }
}

/// Where a file's index starts: after the magic (8 bytes), the header's size (4) and
/// the header.
fn index_start(path: &Path) -> Result<u64> {
    use std::io::{Read, Seek, SeekFrom};
    let io = |e| Error::io(path, e);
    let mut file = File::open(path).map_err(io)?;
    let mut word = [0u8; 4];
    file.seek(SeekFrom::Start(8)).map_err(io)?;
    file.read_exact(&mut word).map_err(io)?;
    Ok(12 + u64::from(u32::from_le_bytes(word)))
}

/// Walks the features' size prefixes from `data_start` (after the header and the
/// index): each feature must fit in the bytes left. An error names the first that
/// does not.
fn check_features(path: &Path, data_start: u64, length: u64) -> Result<()> {
    use std::io::{Read, Seek, SeekFrom};
    let mut file = BufReader::new(File::open(path).map_err(|e| Error::io(path, e))?);
    let mut word = [0u8; 4];
    let io = |e| Error::io(path, e);
    let mut at = data_start;
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

/// The catalog's bbox (WGS 84) in a file's CRS, for the index search: as it is in
/// WGS 84 and the geographic CRSs of ETRS89 and RGF93 (with a margin), or its outline (40 points a side) projected and bounded, with a 1% margin,
/// in a projected CRS sitematch can project to; `None` (read everything) otherwise.
fn file_box(wgs84: [f64; 4], crs: Option<&Crs>) -> Option<[f64; 4]> {
    let code = match crs {
        None => 4326,
        Some(Crs::Epsg(c)) => *c,
        Some(other) if other.is_wgs84() => 4326,
        Some(_) => return None,
    };
    // Geographic: the box itself, with a margin of about 100 m for the datum.
    if code == 4326 || code == 4258 || code == 4171 {
        let m = 0.001;
        return Some([wgs84[0] - m, wgs84[1] - m, wgs84[2] + m, wgs84[3] + m]);
    }
    let to = crate::crs::OutputCrs::epsg(code).ok()?;
    let [a, b, c, d] = wgs84;
    let mut out = [f64::MAX, f64::MAX, f64::MIN, f64::MIN];
    for k in 0..=40 {
        let t = f64::from(k) / 40.0;
        for (lon, lat) in [
            (a + (c - a) * t, b),
            (a + (c - a) * t, d),
            (a, b + (d - b) * t),
            (c, b + (d - b) * t),
        ] {
            let (x, y) = to.project(lon, lat).ok()?;
            out = [out[0].min(x), out[1].min(y), out[2].max(x), out[3].max(y)];
        }
    }
    let (mx, my) = ((out[2] - out[0]) * 0.01, (out[3] - out[1]) * 0.01);
    Some([out[0] - mx, out[1] - my, out[2] + mx, out[3] + my])
}

/// A FlatGeobuf file's packed Hilbert R-tree, read whole (its size checked before).
struct Tree {
    nodes: Vec<u8>,
    /// (first, end) node of each level, leaves first.
    levels: Vec<(usize, usize)>,
    node_size: usize,
    /// Where the features start in the file.
    data_start: u64,
}

impl Tree {
    /// The tree of `count` features in `size` bytes from `start`.
    fn read(path: &Path, start: u64, count: usize, node_size: u16, size: u64) -> Result<Tree> {
        use std::io::{Read, Seek, SeekFrom};
        let io = |e| Error::io(path, e);
        let mut file = File::open(path).map_err(io)?;
        file.seek(SeekFrom::Start(start)).map_err(io)?;
        let mut nodes = vec![0u8; usize::try_from(size).unwrap_or(0)];
        file.read_exact(&mut nodes).map_err(io)?;
        let node_size = usize::from(node_size).max(2);
        // Level sizes from the leaves up (their sum checked against the file by
        // check_index); the array holds the root first.
        let sizes: Vec<usize> = level_sizes(count as u64, node_size as u64)
            .into_iter()
            .map(|n| n as usize)
            .collect();
        let mut end: usize = sizes.iter().sum();
        let levels = sizes
            .iter()
            .map(|&s| {
                let level = (end - s, end);
                end -= s;
                level
            })
            .collect();
        Ok(Tree {
            nodes,
            levels,
            node_size,
            data_start: start + size,
        })
    }

    /// The node at `i`: its box and its offset.
    fn node(&self, i: usize) -> Option<([f64; 4], u64)> {
        let b = self.nodes.get(i * 40..i * 40 + 40)?;
        let f = |k: usize| {
            let mut w = [0u8; 8];
            w.copy_from_slice(&b[k * 8..k * 8 + 8]);
            w
        };
        Some((
            [0, 1, 2, 3].map(|k| f64::from_le_bytes(f(k))),
            u64::from_le_bytes(f(4)),
        ))
    }

    /// The features whose boxes meet `b`: (feature index, byte offset in the data),
    /// in file order. An error says where the tree is damaged.
    fn search(&self, b: [f64; 4]) -> std::result::Result<Vec<(usize, u64)>, String> {
        let mut hits = Vec::new();
        let top = self.levels.len() - 1;
        let mut queue = std::collections::VecDeque::from([(self.levels[top].0, top)]);
        while let Some((first, level)) = queue.pop_front() {
            let (start, end) = self.levels[level];
            if first < start || first >= end {
                return Err(format!("a node points to node {first}, outside its level"));
            }
            for i in first..(first + self.node_size).min(end) {
                let (r, offset) = self.node(i).ok_or("a node past the index's end")?;
                if !crate::model::boxes_meet(r, b) {
                    continue;
                }
                if level == 0 {
                    hits.push((i - start, offset));
                } else {
                    let child = usize::try_from(offset).map_err(|_| "a node offset too large")?;
                    queue.push_back((child, level - 1));
                }
            }
        }
        // A damaged tree can reach a leaf twice.
        hits.sort_unstable();
        hits.dedup();
        Ok(hits)
    }
}

/// A feature's bytes, its size prefix with it, at `offset` in the data; checked
/// against the file's length.
fn feature_bytes(
    file: &mut BufReader<File>,
    path: &Path,
    data_start: u64,
    offset: u64,
    length: u64,
    index: usize,
) -> Result<Vec<u8>> {
    use std::io::{Read, Seek, SeekFrom};
    let io = |e| Error::io(path, e);
    let damaged = || {
        Error::format(
            path,
            Location::Feature(index),
            "its spatial index points past the end of the file",
        )
    };
    let at = data_start.checked_add(offset).ok_or_else(damaged)?;
    if at + 4 > length {
        return Err(damaged());
    }
    file.seek(SeekFrom::Start(at)).map_err(io)?;
    let mut word = [0u8; 4];
    file.read_exact(&mut word).map_err(io)?;
    let size = u64::from(u32::from_le_bytes(word));
    if at + 4 + size > length {
        return Err(damaged());
    }
    let mut bytes = vec![0u8; 4 + usize::try_from(size).map_err(|_| damaged())?];
    bytes[..4].copy_from_slice(&word);
    file.read_exact(&mut bytes[4..]).map_err(io)?;
    Ok(bytes)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::BboxFilter;

    /// An indexed FlatGeobuf file of `n` points on a grid, written by the crate.
    fn indexed_points(n: usize) -> (tempfile::TempDir, std::path::PathBuf) {
        let mut fgb = flatgeobuf::FgbWriter::create_with_options(
            "p",
            GeometryType::Point,
            flatgeobuf::FgbWriterOptions {
                write_index: true,
                ..Default::default()
            },
        )
        .unwrap();
        let points: Vec<(f64, f64)> = (0..n)
            .map(|i| (-4.0 + (i % 50) as f64 * 0.2, 42.0 + (i / 50) as f64 * 0.1))
            .collect();
        for &(x, y) in &points {
            fgb.add_feature_geom(Geometry::Point(Point::new(x, y)), |_| {})
                .unwrap();
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.fgb");
        let mut out = Vec::new();
        fgb.write(&mut out).unwrap();
        std::fs::write(&path, out).unwrap();
        (dir, path)
    }

    #[test]
    fn the_index_reads_only_the_candidates_of_a_bbox() {
        for n in [1, 2, 17, 3000] {
            let (_dir, path) = indexed_points(n);
            let all = read(&path, &ReadOptions::default(), &[]).unwrap();
            assert_eq!(all.features.len(), n, "{n} points");
            let b = [-3.1, 42.35, 1.3, 45.0];
            let opts = ReadOptions {
                bbox: Some(BboxFilter {
                    wgs84: b,
                    crs: None,
                }),
                ..Default::default()
            };
            let some = read(&path, &opts, &[]).unwrap();
            // Every point in the box read (with the margin's few around it), the
            // others not read, and the read ones as the full read has them.
            let within = |g: &Geometry<f64>, m: f64| match g {
                Geometry::Point(p) => {
                    p.x() >= b[0] - m && p.x() <= b[2] + m && p.y() >= b[1] - m && p.y() <= b[3] + m
                }
                _ => false,
            };
            let expected: Vec<usize> = all
                .features
                .iter()
                .filter(|f| within(f.geometry.as_ref().unwrap(), 0.0))
                .map(|f| f.index)
                .collect();
            let read_ids: Vec<usize> = some.features.iter().map(|f| f.index).collect();
            assert!(expected.iter().all(|i| read_ids.contains(i)), "{n} points");
            for f in &some.features {
                assert!(
                    within(f.geometry.as_ref().unwrap(), 0.0011),
                    "{n}: {:?}",
                    f.geometry
                );
                assert_eq!(f.geometry, all.features[f.index].geometry);
            }
            assert_eq!(some.not_read + some.features.len(), n);
            if n == 3000 {
                assert!(some.not_read > 2000, "{}", some.not_read);
            }
        }
    }

    #[test]
    fn a_damaged_index_is_an_error_not_a_panic() {
        let (_dir, path) = indexed_points(300);
        let bytes = std::fs::read(&path).unwrap();
        let header = u32::from_le_bytes(bytes[8..12].try_into().unwrap()) as usize;
        let opts = ReadOptions {
            bbox: Some(BboxFilter {
                wgs84: [-10.0, 40.0, 10.0, 50.0],
                crs: None,
            }),
            ..Default::default()
        };
        // Every byte of the root's and the first nodes' offsets set high.
        for at in (12 + header..12 + header + 40 * 30).step_by(7) {
            let mut b = bytes.clone();
            b[at] = 0xff;
            std::fs::write(&path, &b).unwrap();
            match read(&path, &opts, &[]) {
                Ok(t) => assert_eq!(t.not_read + t.features.len(), 300, "byte {at}"),
                Err(e) => assert!(e.to_string().contains("p.fgb"), "byte {at}: {e}"),
            }
        }
    }
}
