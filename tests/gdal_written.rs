//! A peer corpus: files written by GDAL's `ogr2ogr` (tests/fixtures/gdal_written,
//! rebuilt by its make.sh) in the formats and encodings users export from QGIS and
//! GDAL: shapefiles in UTF-8 and Latin-1 (`.cpg`), in Lambert-93 and Web Mercator
//! (ESRI `.prj`), polygons with holes and multipolygons; CSVs with X/Y (GDAL's header)
//! or WKT, semicolon-separated, with a UTF-8 byte-order mark; GeoJSON with GDAL's
//! `crs` member, RFC 7946, in Lambert-93; GeoPackages with two tables (one in
//! Lambert-93) and with multipolygons, and one in ETRS89 / UTM 32N (EPSG:25832, through
//! proj4rs); FlatGeobuf with and without its index. Each layer is read by sitematch and by GDAL
//! (reprojected to WGS 84 by PROJ) and compared: count, ids, labels, attributes, and
//! locations within 2 cm.

use serde_json::Value as Json;
use sitematch::{Catalog, Value};

use crate::util::{fixtures, gdal};

/// GDAL's reading of a file, in WGS 84, as GeoJSON features (a GeoPackage's table
/// when the catalog names one).
fn gdal_features(path: &std::path::Path, table: Option<&str>) -> Option<Vec<Json>> {
    // GDAL's CSV reader: points from X/Y (a WKT column is found by itself).
    let csv: &[&str] = &[
        "-s_srs",
        "EPSG:4326",
        "-oo",
        "X_POSSIBLE_NAMES=X",
        "-oo",
        "Y_POSSIBLE_NAMES=Y",
        "-oo",
        "KEEP_GEOM_COLUMNS=NO",
    ];
    let p = path.to_str().unwrap();
    let options = if p.ends_with(".csv") { csv } else { &[] };
    crate::util::gdal_wgs84_features(options, p, table.as_slice())
}

/// A GDAL property as the text sitematch keeps for it (CSV and DBF cells are text).
fn text_of(v: &Json) -> Option<String> {
    match v {
        Json::Null => None,
        Json::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}

fn number(v: Option<&Value>) -> Option<f64> {
    match v? {
        Value::Number(x) => Some(*x),
        Value::Text(t) if t.trim().is_empty() => None,
        Value::Text(t) => t.trim().parse().ok(),
        _ => None,
    }
}

/// The (min lon, min lat, max lon, max lat) of GeoJSON coordinates.
fn json_bbox(c: &Json, b: &mut [f64; 4]) {
    match c.as_array() {
        Some(a) if a.first().is_some_and(Json::is_number) => {
            let (x, y) = (a[0].as_f64().unwrap(), a[1].as_f64().unwrap());
            b[0] = b[0].min(x);
            b[1] = b[1].min(y);
            b[2] = b[2].max(x);
            b[3] = b[3].max(y);
        }
        Some(a) => a.iter().for_each(|c| json_bbox(c, b)),
        None => {}
    }
}

#[test]
fn files_gdal_writes_read_as_gdal_reads_them() {
    let dir = fixtures().join("gdal_written");
    let catalog = Catalog::from_path(dir.join("catalog.toml")).unwrap();
    assert_eq!(catalog.layers.len(), 21);
    let spec: toml::Value =
        toml::from_str(&std::fs::read_to_string(dir.join("catalog.toml")).unwrap()).unwrap();
    let mut checked = 0;
    for (layer, entry) in catalog.layers.iter().zip(spec["layer"].as_array().unwrap()) {
        let path = dir.join(entry["path"].as_str().unwrap());
        let Some(theirs) = gdal_features(&path, entry.get("table").and_then(|t| t.as_str())) else {
            return;
        };
        assert_reads_as(layer, &theirs);
        checked += 1;
    }
    assert_eq!(checked, 21);
}

/// Asserts that sitematch's reading of a layer is another reader's (`theirs`, GeoJSON
/// features in WGS 84 with the corpus's `id`, `name`, `code`, `jobs` and `rate`): the
/// same count, ids, labels and attributes, points within 2 cm, polygons with the same
/// bounds and rings.
pub fn assert_reads_as(layer: &sitematch::Layer, theirs: &[Json]) {
    let what = &layer.name;
    assert!(layer.skipped.is_empty(), "{what}: {:?}", layer.skipped);
    assert_eq!(layer.features.len(), theirs.len(), "{what}");
    for g in theirs {
        let id = g["properties"]["id"].as_str().unwrap();
        let f = layer
            .features
            .iter()
            .find(|f| f.id == id)
            .unwrap_or_else(|| panic!("{what}: no feature {id}"));
        assert_eq!(
            f.label.as_deref(),
            text_of(&g["properties"]["name"]).as_deref(),
            "{what} {id}"
        );
        if layer.role == sitematch::Role::Facilities {
            let code = f.attributes.get("code").and_then(Value::as_text);
            assert_eq!(code, text_of(&g["properties"]["code"]), "{what} {id}");
            for field in ["jobs", "rate"] {
                let ours = number(f.attributes.get(field));
                let gdal_value = g["properties"][field]
                    .as_f64()
                    .or_else(|| g["properties"][field].as_str().and_then(|s| s.parse().ok()));
                // serde_json's default float parsing can be one unit in the last
                // place off (its exact mode would change the import's output).
                match (ours, gdal_value) {
                    (Some(a), Some(b)) => assert!(
                        (a - b).abs() <= 4.0 * f64::EPSILON * a.abs().max(1.0),
                        "{what} {id} {field}: {a} vs {b}"
                    ),
                    (a, b) => assert_eq!(a, b, "{what} {id} {field}"),
                }
            }
            let c = &g["geometry"]["coordinates"];
            let (x, y) = (c[0].as_f64().unwrap(), c[1].as_f64().unwrap());
            let d = crate::util::small_distance_m((f.location.x(), f.location.y()), (x, y));
            assert!(d < 0.02, "{what} {id}: {d} m from GDAL's location");
        } else {
            let mut b = [f64::MAX, f64::MAX, f64::MIN, f64::MIN];
            json_bbox(&g["geometry"]["coordinates"], &mut b);
            let r = geo::BoundingRect::bounding_rect(&f.geometry).unwrap();
            for (ours, theirs) in [r.min().x, r.min().y, r.max().x, r.max().y].iter().zip(b) {
                assert!(
                    (ours - theirs).abs() < 1e-9,
                    "{what} {id}: {ours} vs {theirs}"
                );
            }
            let rings = |g: &geo::Geometry<f64>| match g {
                geo::Geometry::Polygon(p) => 1 + p.interiors().len(),
                geo::Geometry::MultiPolygon(m) => m.0.iter().map(|p| 1 + p.interiors().len()).sum(),
                _ => 0,
            };
            let theirs_rings = match g["geometry"]["type"].as_str() {
                Some("Polygon") => g["geometry"]["coordinates"].as_array().unwrap().len(),
                Some("MultiPolygon") => g["geometry"]["coordinates"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|p| p.as_array().unwrap().len())
                    .sum(),
                _ => 0,
            };
            assert_eq!(rings(&f.geometry), theirs_rings, "{what} {id}");
        }
    }
}

/// A layer's `bbox`: only the features whose bounds meet it are loaded, the others
/// counted; a FlatGeobuf file's index reads only the candidates. Checked against a
/// scan of the whole layer and against GDAL's own spatial filter (`-spat`), on 5,000
/// points in FlatGeobuf files GDAL indexes (five levels of nodes), in WGS 84 and in
/// Lambert-93, and on files without an index.
#[test]
fn a_bbox_loads_the_features_in_it_through_the_flatgeobuf_index() {
    let dir = tempfile::tempdir().unwrap();
    let features: Vec<String> = (0..5000)
        .map(|i| {
            let (lon, lat) = (-4.0 + (i % 100) as f64 * 0.11, 42.6 + (i / 100) as f64 * 0.16);
            format!(
                r#"{{"type":"Feature","properties":{{"id":"p{i}"}},"geometry":{{"type":"Point","coordinates":[{lon},{lat}]}}}}"#
            )
        })
        .collect();
    let source = dir.path().join("points.geojson");
    std::fs::write(
        &source,
        format!(
            r#"{{"type":"FeatureCollection","features":[{}]}}"#,
            features.join(",")
        ),
    )
    .unwrap();
    let s = source.to_str().unwrap();
    let made = [
        ("indexed.fgb", vec!["-f", "FlatGeobuf"]),
        ("l93.fgb", vec!["-f", "FlatGeobuf", "-t_srs", "EPSG:2154"]),
        (
            "plain.fgb",
            vec!["-f", "FlatGeobuf", "-lco", "SPATIAL_INDEX=NO"],
        ),
    ];
    for (name, args) in &made {
        let out = dir.path().join(name);
        let mut a: Vec<&str> = args.clone();
        a.extend([out.to_str().unwrap(), s]);
        if gdal("ogr2ogr", &a).is_none() {
            return;
        }
    }
    let bbox = [1.3, 45.1, 3.9, 47.7];
    let layer = |name: &str, path: &str, bbox: bool| {
        format!(
            "[[layer]]\nname = \"{name}\"\nrole = \"facilities\"\npath = \"{path}\"\nid = \"id\"\n{}\n",
            if bbox { "bbox = [1.3, 45.1, 3.9, 47.7]" } else { "" }
        )
    };
    let mut text = layer("all", "points.geojson", false);
    for (name, file) in [
        ("geojson", "points.geojson"),
        ("indexed", "indexed.fgb"),
        ("l93", "l93.fgb"),
        ("plain", "plain.fgb"),
    ] {
        text += &layer(name, file, true);
    }
    let catalog = crate::util::catalog_in(dir.path(), text).unwrap();
    let all = &catalog.layers[0];
    assert_eq!(all.features.len(), 5000);
    let inside = |x: f64, y: f64| x >= bbox[0] && x <= bbox[2] && y >= bbox[1] && y <= bbox[3];
    let mut expected: Vec<&str> = all
        .features
        .iter()
        .filter(|f| inside(f.location.x(), f.location.y()))
        .map(|f| f.id.as_str())
        .collect();
    expected.sort_unstable();
    assert!(
        expected.len() > 100 && expected.len() < 1000,
        "{}",
        expected.len()
    );
    for layer in &catalog.layers[1..] {
        let mut ids: Vec<&str> = layer.features.iter().map(|f| f.id.as_str()).collect();
        ids.sort_unstable();
        assert_eq!(ids, expected, "{}", layer.name);
        assert_eq!(layer.outside_bbox, 5000 - expected.len(), "{}", layer.name);
        assert!(layer.skipped.is_empty(), "{}", layer.name);
    }
    // Said where the user looks: `layers`, and a ranking's warnings.
    let outside = 5000 - expected.len();
    let table = sitematch::output::layers_table(&catalog);
    assert!(
        table.contains(&format!("{outside} outside its bbox")),
        "{table}"
    );
    let sites = catalog
        .layers
        .iter()
        .find(|l| l.name == "geojson")
        .unwrap()
        .clone();
    let mut sites = sites;
    sites.role = sitematch::Role::Sites;
    sites.name = "sites".into();
    let mut layers = catalog.layers.clone();
    layers.push(sites);
    let brief = sitematch::Brief::from_toml_str(
        "[[criterion]]\nname = \"near\"\ntype = \"distance\"\nlayer = \"indexed\"\nideal_km = 1\nzero_km = 50\n",
    )
    .unwrap();
    let ranking = sitematch::Engine::new(sitematch::Catalog::from_layers(layers))
        .rank(&brief)
        .unwrap();
    let notes: Vec<&str> = ranking
        .warnings
        .iter()
        .filter(|w| w.kind == sitematch::WarningKind::OutsideBbox)
        .map(|w| w.message.as_str())
        .collect();
    assert_eq!(notes.len(), 2, "{notes:?}");
    assert!(
        notes
            .iter()
            .all(|m| m.contains(&format!("{outside} of the 5000 features"))),
        "{notes:?}"
    );
    // GDAL's spatial filter finds the same points in the indexed file.
    let (info, _) = gdal(
        "ogrinfo",
        &[
            "-ro",
            "-so",
            "-al",
            "-spat",
            "1.3",
            "45.1",
            "3.9",
            "47.7",
            dir.path().join("indexed.fgb").to_str().unwrap(),
        ],
    )
    .unwrap();
    let count: usize = info
        .lines()
        .find_map(|l| l.strip_prefix("Feature Count: "))
        .and_then(|n| n.trim().parse().ok())
        .unwrap();
    assert_eq!(count, expected.len());
}
