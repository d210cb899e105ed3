//! GeoJSON reader: a FeatureCollection of Point, MultiPoint, LineString,
//! MultiLineString, Polygon and MultiPolygon features; a legacy `crs` member is honoured.

use std::collections::HashMap;
use std::io::Read;
use std::path::Path;

use geo::Geometry;

use super::{json_to_value, RawFeature, RawTable, ReadOptions};
use crate::crs::Crs;
use crate::error::{Error, FeatureProblem, Location, Result};
use crate::model::Value;

/// Reads a GeoJSON file; `wanted` are the attribute fields to extract (the options
/// are CSV's: GeoJSON is UTF-8, in WGS84 unless a legacy `crs` member says otherwise).
pub fn read(path: &Path, _opts: &ReadOptions, wanted: &[String]) -> Result<RawTable> {
    read_from(super::csv::open_maybe_gzip(path)?, path, wanted)
}

/// Reads GeoJSON from any reader; `path` is only used in messages.
pub fn read_from<R: Read>(mut source: R, path: &Path, wanted: &[String]) -> Result<RawTable> {
    let mut bytes = Vec::new();
    source
        .read_to_end(&mut bytes)
        .map_err(|e| Error::io(path, e))?;
    let text = super::text::decode_json_bytes(&bytes)
        .map_err(|why| Error::format(path, Location::File, why))?;
    let json: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
        Error::format(
            path,
            Location::Line(e.line() as u64),
            format!("not valid JSON: {e}"),
        )
    })?;
    let serde_json::Value::Object(mut root) = json else {
        return Err(not_a_collection(path, "a JSON value that is not an object"));
    };
    match root.get("type").and_then(|t| t.as_str()) {
        Some("FeatureCollection") => {}
        Some(other) => return Err(not_a_collection(path, &format!("a {other}"))),
        None => return Err(not_a_collection(path, "an object without \"type\"")),
    }
    let declared_crs = match root.get("crs") {
        None | Some(serde_json::Value::Null) => None,
        Some(member) => Some(legacy_crs(member).ok_or_else(|| Error::Crs {
            path: path.to_path_buf(),
            problem: format!(
                "the legacy \"crs\" member {member} names no CRS sitematch can read; \
                 remove it if the file is WGS84, or set `crs` in the catalog"
            ),
        })?),
    };
    let Some(serde_json::Value::Array(items)) = root.remove("features") else {
        return Err(Error::format(
            path,
            Location::File,
            "the FeatureCollection has no \"features\" array",
        ));
    };

    let mut fields: Vec<String> = Vec::new();
    let mut field_pos: HashMap<String, usize> = HashMap::new();
    let wanted_pos: HashMap<&str, usize> = wanted
        .iter()
        .enumerate()
        .map(|(i, w)| (w.as_str(), i))
        .collect();
    let mut features = Vec::with_capacity(items.len());
    for (index, item) in items.into_iter().enumerate() {
        let mut values = vec![Value::Null; wanted.len()];
        let feature = match serde_json::from_value::<geojson::Feature>(item) {
            Ok(f) => f,
            Err(e) => {
                features.push(RawFeature {
                    index,
                    location: Location::Feature(index),
                    geometry: Err(FeatureProblem::Unparseable(e.to_string())),
                    values,
                });
                continue;
            }
        };
        let mut note = |name: &str, v: Value| {
            if !field_pos.contains_key(name) {
                field_pos.insert(name.to_string(), fields.len());
                fields.push(name.to_string());
            }
            if let Some(&i) = wanted_pos.get(name) {
                values[i] = v;
            }
        };
        if let Some(props) = &feature.properties {
            for (k, v) in props {
                note(k, json_to_value(v));
            }
        }
        // The Feature's own "id" member stands for a property "id" it does not have.
        if let Some(id) = &feature.id {
            let has_prop = feature
                .properties
                .as_ref()
                .is_some_and(|p| p.contains_key("id"));
            if !has_prop {
                let v = match id {
                    geojson::feature::Id::String(s) => Value::Text(s.as_str().into()),
                    geojson::feature::Id::Number(n) => {
                        n.as_f64().map_or(Value::Null, Value::Number)
                    }
                };
                note("id", v);
            }
        }
        let geometry = match feature.geometry {
            None => Err(FeatureProblem::NoGeometry),
            Some(g) => convert(g),
        };
        features.push(RawFeature {
            index,
            location: Location::Feature(index),
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

/// True when every position has at least two numbers (the geojson crate's
/// conversion indexes `[0]` and `[1]` without checking).
fn positions_ok(v: &geojson::GeometryValue) -> bool {
    use geojson::GeometryValue as G;
    let pos = |p: &geojson::Position| p.len() >= 2;
    let line = |l: &Vec<geojson::Position>| l.iter().all(pos);
    let poly = |p: &Vec<Vec<geojson::Position>>| p.iter().all(line);
    match v {
        G::Point { coordinates } => pos(coordinates),
        G::MultiPoint { coordinates } => coordinates.iter().all(pos),
        G::LineString { coordinates } => line(coordinates),
        G::MultiLineString { coordinates } => coordinates.iter().all(line),
        G::Polygon { coordinates } => poly(coordinates),
        G::MultiPolygon { coordinates } => coordinates.iter().all(poly),
        G::GeometryCollection { geometries } => geometries.iter().all(|g| positions_ok(&g.value)),
    }
}

fn convert(g: geojson::Geometry) -> std::result::Result<Geometry<f64>, FeatureProblem> {
    if matches!(g.value, geojson::GeometryValue::GeometryCollection { .. }) {
        return Err(FeatureProblem::UnsupportedGeometry(
            "GeometryCollection".to_string(),
        ));
    }
    if !positions_ok(&g.value) {
        return Err(FeatureProblem::BadCoordinate(
            "a position has fewer than two numbers".to_string(),
        ));
    }
    rings_closed(&g.value)?;
    Geometry::<f64>::try_from(g).map_err(|e| FeatureProblem::Unparseable(e.to_string()))
}

/// RFC 7946 (3.1.6): a polygon's rings are closed and have at least four positions;
/// see [`super::check_ring`].
fn rings_closed(v: &geojson::GeometryValue) -> std::result::Result<(), FeatureProblem> {
    use geojson::GeometryValue as G;
    let check = |rings: &Vec<Vec<geojson::Position>>, polygon: Option<usize>| {
        rings.iter().enumerate().try_for_each(|(k, ring)| {
            let xy = |p: &geojson::Position| [p[0], p[1]];
            let ends = ring.first().zip(ring.last()).map(|(a, b)| (xy(a), xy(b)));
            super::check_ring(polygon, k, ring.len(), ends, "RFC 7946")
        })
    };
    match v {
        G::Polygon { coordinates } => check(coordinates, None),
        G::MultiPolygon { coordinates } => coordinates
            .iter()
            .enumerate()
            .try_for_each(|(p, rings)| check(rings, Some(p))),
        _ => Ok(()),
    }
}

fn not_a_collection(path: &Path, what: &str) -> Error {
    Error::format(
        path,
        Location::File,
        format!("expected a GeoJSON FeatureCollection, found {what}"),
    )
}

/// The CRS of a GeoJSON 2008 `crs` member: `{"type": "name", "properties": {"name": ...}}`
/// or `{"type": "EPSG", "properties": {"code": ...}}`.
fn legacy_crs(member: &serde_json::Value) -> Option<Crs> {
    let props = member.get("properties")?;
    if let Some(name) = props.get("name").and_then(|n| n.as_str()) {
        return Crs::parse(name);
    }
    props
        .get("code")
        .and_then(|c| c.as_u64())
        .and_then(|c| u32::try_from(c).ok())
        .map(Crs::Epsg)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_features_crs_and_ids() {
        let data = r#"{"type":"FeatureCollection",
          "crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::2154"}},
          "features":[
            {"type":"Feature","id":"A1","properties":{"nom":"x","tags":["a","b"]},
             "geometry":{"type":"Point","coordinates":[700000,6600000]}},
            {"type":"Feature","properties":{"nom":null},"geometry":null},
            {"type":"Feature","properties":{},"geometry":{"type":"GeometryCollection","geometries":[]}}
          ]}"#;
        let t = read_from(
            data.as_bytes(),
            Path::new("t.geojson"),
            &["id".into(), "tags".into()],
        )
        .unwrap();
        assert_eq!(t.declared_crs, Some(Crs::Epsg(2154)));
        assert_eq!(t.fields, ["nom", "tags", "id"]);
        assert_eq!(
            t.features[0].values,
            [Value::Text("A1".into()), Value::Text("a;b".into())]
        );
        assert_eq!(t.features[1].geometry, Err(FeatureProblem::NoGeometry));
        assert!(matches!(
            t.features[2].geometry,
            Err(FeatureProblem::UnsupportedGeometry(_))
        ));
    }

    #[test]
    fn bad_json_names_the_line() {
        let e = read_from("{\n\"type\": \n".as_bytes(), Path::new("b.geojson"), &[]).unwrap_err();
        let msg = e.to_string();
        assert!(msg.starts_with("b.geojson: line"), "{msg}");
    }

    #[test]
    fn a_bare_geometry_is_refused() {
        let e = read_from(
            r#"{"type":"Point","coordinates":[0,0]}"#.as_bytes(),
            Path::new("p.geojson"),
            &[],
        )
        .unwrap_err();
        assert!(e.to_string().contains("found a Point"), "{e}");
    }
}
