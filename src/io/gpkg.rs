//! GeoPackage reader (OGC 12-128r18), through SQLite (bundled, the writer's own).
//!
//! A GeoPackage may hold several feature tables: the catalog's `table` names one, and
//! one is needed when there are several (the error lists them). The table's CRS is its
//! `gpkg_spatial_ref_sys` row: an EPSG code when the organisation is EPSG, else the
//! row's WKT. A geometry is a GeoPackage blob: the `GP` header (version, flags, the
//! SRS id and an optional envelope of 4, 6 or 8 numbers) then standard WKB (ISO WKB
//! for Z and M). A null or empty geometry is skipped as `no_geometry`, as in the other
//! readers.

use std::path::Path;

use geo::Geometry;
use rusqlite::types::ValueRef;
use rusqlite::{Connection, OpenFlags};

use super::{RawFeature, RawTable, ReadOptions};
use crate::crs::Crs;
use crate::error::{Error, FeatureProblem, Location, Result};
use crate::model::Value;

/// Reads a GeoPackage's feature table (`opts.table`, or its only one); `wanted` are
/// the attribute fields to extract.
pub fn read(path: &Path, opts: &ReadOptions, wanted: &[String]) -> Result<RawTable> {
    let file_error = |what: String| Error::format(path, Location::File, what);
    // Read-only, never created: a missing file is the catalog's error, made before.
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| file_error(format!("cannot open it as SQLite: {e}")))?;
    let sql_error = |e: rusqlite::Error| {
        file_error(format!(
            "not a readable GeoPackage ({e}); check it with `ogrinfo {}`",
            path.display()
        ))
    };
    let tables: Vec<(String, String, i64)> = conn
        .prepare(
            "SELECT c.table_name, g.column_name, g.srs_id FROM gpkg_contents c \
             JOIN gpkg_geometry_columns g ON g.table_name = c.table_name \
             WHERE c.data_type = 'features' ORDER BY c.table_name",
        )
        .and_then(|mut s| {
            s.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                .collect()
        })
        .map_err(sql_error)?;
    let names = || {
        tables
            .iter()
            .map(|t| format!("{:?}", t.0))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let (table, column, srs_id) = match (&opts.table, tables.as_slice()) {
        (_, []) => return Err(file_error("it holds no feature table".into())),
        (Some(want), _) => tables
            .iter()
            .find(|t| &t.0 == want)
            .ok_or_else(|| {
                file_error(format!(
                    "it has no feature table {want:?}; its feature tables are {}",
                    names()
                ))
            })?
            .clone(),
        (None, [only]) => only.clone(),
        (None, _) => {
            return Err(file_error(format!(
                "it holds {} feature tables ({}); name one with `table = \"...\"` in the catalog",
                tables.len(),
                names()
            )))
        }
    };
    let declared_crs = srs(&conn, srs_id).map_err(sql_error)?;

    // The columns, in table order; the integer primary key (the feature id GDAL
    // reports apart) is not a field, though a catalog may still name it.
    let columns: Vec<(String, bool)> = conn
        .prepare(&format!("PRAGMA table_info({})", quoted(&table)))
        .and_then(|mut s| {
            s.query_map([], |r| {
                let name: String = r.get(1)?;
                let kind: String = r.get(2)?;
                let pk: i64 = r.get(5)?;
                Ok((name, pk > 0 && kind.eq_ignore_ascii_case("INTEGER")))
            })?
            .collect()
        })
        .map_err(sql_error)?;
    let fields: Vec<String> = columns
        .iter()
        .filter(|(name, pk)| !pk && name != &column)
        .map(|(name, _)| name.clone())
        .collect();
    let known: Vec<&String> = columns.iter().map(|(n, _)| n).collect();
    // A wanted field the table lacks reads as null (the catalog reports it, with the
    // fields there are).
    let select: Vec<String> = std::iter::once(quoted(&column))
        .chain(wanted.iter().map(|w| {
            if known.contains(&w) {
                quoted(w)
            } else {
                "NULL".to_string()
            }
        }))
        .collect();
    let order = columns
        .iter()
        .find(|(_, pk)| *pk)
        .map_or_else(|| "rowid".to_string(), |(n, _)| quoted(n));
    let sql = format!(
        "SELECT {} FROM {} ORDER BY {order}",
        select.join(", "),
        quoted(&table)
    );
    let mut statement = conn.prepare(&sql).map_err(sql_error)?;
    let mut rows = statement.query([]).map_err(sql_error)?;
    let mut features = Vec::new();
    while let Some(row) = rows.next().map_err(sql_error)? {
        let index = features.len();
        let location = Location::Feature(index);
        let geometry = match row.get_ref(0).map_err(sql_error)? {
            ValueRef::Blob(b) => geometry(b),
            ValueRef::Null => Err(FeatureProblem::NoGeometry),
            other => Err(FeatureProblem::UnsupportedGeometry(format!(
                "a {} where a GeoPackage geometry blob belongs",
                other.data_type()
            ))),
        };
        let mut values = Vec::with_capacity(wanted.len());
        for i in 0..wanted.len() {
            values.push(value(row.get_ref(i + 1).map_err(sql_error)?));
        }
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
        not_read: 0,
    })
}

/// An SQL identifier, quoted.
fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// The CRS of an SRS id: EPSG when its organisation is, else its WKT; `None` for the
/// undefined ones (-1 Cartesian, 0 geographic), which the catalog's `crs` then gives.
fn srs(conn: &Connection, srs_id: i64) -> rusqlite::Result<Option<Crs>> {
    if srs_id == -1 || srs_id == 0 {
        return Ok(None);
    }
    let row: Option<(String, i64, String)> = conn
        .query_row(
            "SELECT organization, organization_coordsys_id, definition \
             FROM gpkg_spatial_ref_sys WHERE srs_id = ?1",
            [srs_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .map(Some)
        .or_else(|e| match e {
            rusqlite::Error::QueryReturnedNoRows => Ok(None),
            e => Err(e),
        })?;
    Ok(row.and_then(|(org, code, wkt)| {
        if org.eq_ignore_ascii_case("EPSG") && code > 0 {
            u32::try_from(code).ok().map(Crs::Epsg)
        } else {
            Crs::parse(&wkt)
        }
    }))
}

/// An attribute as the table holds it.
fn value(v: ValueRef<'_>) -> Value {
    match v {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(i) => Value::Number(i as f64),
        ValueRef::Real(x) => Value::Number(x),
        ValueRef::Text(t) => Value::Text(String::from_utf8_lossy(t).into()),
        // A blob attribute has no text or number to offer.
        ValueRef::Blob(_) => Value::Null,
    }
}

/// A GeoPackage geometry blob as a geometry.
pub(crate) fn geometry(blob: &[u8]) -> std::result::Result<Geometry<f64>, FeatureProblem> {
    let bad =
        |what: &str| FeatureProblem::UnsupportedGeometry(format!("a GeoPackage geometry {what}"));
    if blob.len() < 8 || &blob[..2] != b"GP" {
        return Err(bad("without its GP header"));
    }
    let flags = blob[3];
    if flags & 0b0010_0000 != 0 {
        return Err(bad("of an extended type"));
    }
    let envelope = match (flags >> 1) & 0b111 {
        0 => 0,
        1 => 32,
        2 | 3 => 48,
        4 => 64,
        _ => return Err(bad("with an invalid envelope code")),
    };
    // The empty flag: no geometry to place the site on.
    if flags & 0b0001_0000 != 0 {
        return Err(FeatureProblem::NoGeometry);
    }
    let wkb = blob
        .get(8 + envelope..)
        .filter(|w| !w.is_empty())
        .ok_or_else(|| bad("cut short"))?;
    super::wkb::feature_geometry(wkb, "a GeoPackage geometry")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blob(flags: u8, envelope: usize, wkb: &[u8]) -> Vec<u8> {
        let mut b = vec![b'G', b'P', 0, flags];
        b.extend_from_slice(&4326i32.to_le_bytes());
        b.extend(std::iter::repeat_n(0u8, envelope));
        b.extend_from_slice(wkb);
        b
    }

    /// WKB of POINT (2 48), little-endian.
    fn point() -> Vec<u8> {
        let mut w = vec![1u8];
        w.extend_from_slice(&1u32.to_le_bytes());
        w.extend_from_slice(&2.0f64.to_le_bytes());
        w.extend_from_slice(&48.0f64.to_le_bytes());
        w
    }

    #[test]
    fn blobs_with_each_envelope_and_the_empty_flag() {
        for (code, len) in [(0u8, 0), (1, 32), (2, 48), (3, 48), (4, 64)] {
            let g = geometry(&blob(1 | (code << 1), len, &point())).unwrap();
            assert_eq!(
                g,
                Geometry::Point(geo::Point::new(2.0, 48.0)),
                "envelope {code}"
            );
        }
        assert_eq!(
            geometry(&blob(1 | 0b1_0000, 0, &point())),
            Err(FeatureProblem::NoGeometry)
        );
        // POINT EMPTY as WKB writes NaN coordinates.
        let mut empty = vec![1u8];
        empty.extend_from_slice(&1u32.to_le_bytes());
        empty.extend_from_slice(&f64::NAN.to_le_bytes());
        empty.extend_from_slice(&f64::NAN.to_le_bytes());
        assert_eq!(
            geometry(&blob(1, 0, &empty)),
            Err(FeatureProblem::NoGeometry)
        );
        for bad in [
            b"XP\0\x01\0\0\0\0".to_vec(),
            blob(1 | (5 << 1), 0, &point()),
            blob(1 | 0b10_0000, 0, &point()),
            blob(1, 32, &[]),
            blob(1, 0, &point()[..10]),
        ] {
            assert!(
                matches!(geometry(&bad), Err(FeatureProblem::UnsupportedGeometry(_))),
                "{bad:?}"
            );
        }
    }
}
