//! `territoires_industrie` (zones): the 183 Territoires d'industrie polygons;
//! `departements` (zones): the 96 metropolitan départements' outlines.

use std::path::Path;

use serde_json::{json, Value};

use super::LayerReport;
use sitematch::{Error, Location, Result};

/// GeoJSON coordinates rounded to 6 decimals (about 10 cm).
pub(crate) fn round_coords(v: &Value) -> Value {
    match v {
        Value::Array(items) => Value::Array(items.iter().map(round_coords).collect()),
        Value::Number(n) => n
            .as_f64()
            .map_or(v.clone(), |x| json!((x * 1e6).round() / 1e6)),
        other => other.clone(),
    }
}

/// Writes features as a GeoJSON FeatureCollection, one a line, sorted by their `id`
/// property; returns how many.
pub(crate) fn write_collection(features: &mut [Value], file: &Path) -> Result<usize> {
    features.sort_by(|a, b| {
        a["properties"]["id"]
            .as_str()
            .cmp(&b["properties"]["id"].as_str())
    });
    let mut s = String::from("{\"type\":\"FeatureCollection\",\"features\":[\n");
    for (i, f) in features.iter().enumerate() {
        if i > 0 {
            s.push_str(",\n");
        }
        s.push_str(&f.to_string());
    }
    s.push_str("\n]}\n");
    std::fs::write(file, s).map_err(|e| Error::io(file, e))?;
    Ok(features.len())
}

/// The features of a raw GeoJSON FeatureCollection.
fn raw_features(path: &Path) -> Result<Vec<Value>> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    let v: Value = serde_json::from_str(&text)
        .map_err(|e| Error::format(path, Location::Line(e.line() as u64), e.to_string()))?;
    Ok(v.get("features")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default())
}

/// The features of a GeoJSON file with their properties renamed by `properties` and
/// their coordinates rounded to 6 decimals.
fn renamed(path: &Path, properties: impl Fn(&Value) -> Value) -> Result<Vec<Value>> {
    Ok(raw_features(path)?
        .into_iter()
        .map(|f| {
            json!({
                "type": "Feature",
                "properties": properties(&f["properties"]),
                "geometry": round_coords(&f["geometry"]),
            })
        })
        .collect())
}

pub(crate) fn territoires_industrie(raw: &Path, out: &Path) -> Result<LayerReport> {
    let path = raw.join("anct-territoires-industrie/territoires_industrie_2024.geojson");
    let mut features = renamed(
        &path,
        |p| json!({"id": p["id_territoire"], "nom": p["lib_territoire"], "epci": p["liste_geo"]}),
    )?;
    let n = write_collection(&mut features, &out.join("territoires_industrie.geojson"))?;
    Ok(LayerReport {
        name: "territoires_industrie",
        file: "territoires_industrie.geojson",
        notes: "\
Role `zones`: ANCT programme Territoires d'industrie, 2023-2027 phase, as updated on
2024-09-16 (`anct-territoires-industrie/territoires_industrie_2024.geojson`, from
`anct-carto/superposeur-anct`; Licence Ouverte 2.0). Properties renamed
(`id_territoire` to `id`, `lib_territoire` to `nom`, `liste_geo` to `epci`), coordinates
rounded to 6 decimals (about 10 cm)."
            .to_string(),
        counts: vec![("territories".into(), n)],
    })
}

/// The outlines of the 96 metropolitan départements (simplified), for context on maps
/// (the HTML report draws them) and as a zones layer briefs can name.
pub(crate) fn departements(raw: &Path, out: &Path) -> Result<LayerReport> {
    let path = raw.join("france-geojson/departements-version-simplifiee.geojson");
    let mut features = renamed(&path, |p| json!({"id": p["code"], "nom": p["nom"]}))?;
    let n = write_collection(&mut features, &out.join("departements.geojson"))?;
    Ok(LayerReport {
        name: "departements",
        file: "departements.geojson",
        notes: "\
Role `zones`: the outlines of the metropolitan départements
(`france-geojson/departements-version-simplifiee.geojson`, from GitHub
`gregoiredavid/france-geojson`, built from IGN Admin Express COG 2018 and simplified
with mapshaper; Licence Ouverte). Properties renamed (`code` to `id`), coordinates
rounded to 6 decimals. For context on maps (the HTML report draws them): simplified,
so not for deciding which side of a border a site is on (use the `commune` code)."
            .to_string(),
        counts: vec![("départements".into(), n)],
    })
}
