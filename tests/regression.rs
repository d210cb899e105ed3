//! Regression tests, named after the issue and what found them.

use crate::util::{catalog_in, temp_file};

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
    let c = catalog_in(
        dir.path(),
        "[[layer]]\nname = \"f\"\nrole = \"facilities\"\npath = \"s.geojson\"\n",
    )
    .unwrap();
    assert_eq!(c.layers[0].features.len(), 1);
    let codes: Vec<&str> = c.layers[0]
        .skipped
        .iter()
        .map(|s| s.problem.code())
        .collect();
    assert_eq!(codes, ["bad_coordinate", "bad_coordinate"]);
}
