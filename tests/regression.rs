//! Regression tests, named after the issue and what found them.

use sitematch::Catalog;

use crate::util::{put, temp_file};

/// Fuzzing (issue 6, geojson target) found a polygon ring with a one-number position,
/// `[7050200]`, which made the geojson crate's conversion index out of bounds.
#[test]
fn r6_fuzz_geojson_short_position_in_polygon_ring() {
    let (dir, _) = temp_file(
        "s.geojson",
        r#"{"type": "FeatureCollection", "features": [
          {"type": "Feature", "properties": {}, "geometry": {"type": "Polygon",
           "coordinates": [[[2, 48], [2.1, 48], [48.1], [2, 48]]]}},
          {"type": "Feature", "properties": {}, "geometry": {"type": "MultiLineString",
           "coordinates": [[[2, 48], [3]]]}},
          {"type": "Feature", "properties": {}, "geometry": {"type": "Point", "coordinates": [2, 48]}}]}"#,
    );
    put(
        dir.path(),
        "catalog.toml",
        "[[layer]]\nname = \"f\"\nrole = \"facilities\"\npath = \"s.geojson\"\n",
    );
    let c = Catalog::from_path(dir.path()).unwrap();
    assert_eq!(c.layers[0].features.len(), 1);
    let codes: Vec<&str> = c.layers[0]
        .skipped
        .iter()
        .map(|s| s.problem.code())
        .collect();
    assert_eq!(codes, ["bad_coordinate", "bad_coordinate"]);
}
