//! Grid candidates and parallel scoring.

use rand::{rngs::StdRng, Rng, SeedableRng};
use sitematch::output::{write_grid, OutputFormat};

use crate::util::geojson_bytes;
use sitematch::{Brief, Catalog, Engine, Feature, Layer, Role, Value};

fn world() -> Engine {
    let mut rng = StdRng::seed_from_u64(9);
    // Communes only in the western half of [2, 3] x [48, 49]: the east is "sea".
    let communes = (0..300)
        .map(|i| {
            let mut f = Feature::point(
                format!("c{i:03}"),
                rng.random_range(2.0..2.5),
                rng.random_range(48.0..49.0),
            );
            f.commune = Some(if i % 2 == 0 { "75001" } else { "77001" }.into());
            f.attributes.insert(
                "active".into(),
                Value::Number(rng.random_range(100.0..5000.0)),
            );
            f
        })
        .collect();
    let motorway = (0..12)
        .map(|i| {
            Feature::point(
                format!("m{i:02}"),
                rng.random_range(2.0..3.0),
                rng.random_range(48.0..49.0),
            )
        })
        .collect();
    let zone = Feature::from_geometry(
        "z",
        geo::Geometry::Polygon(geo::Rect::new((2.0, 48.0), (2.3, 48.5)).to_polygon()),
    )
    .unwrap();
    let sites = vec![Feature::point("s", 2.2, 48.2)];
    Engine::new(Catalog::from_layers(vec![
        Layer::from_features("sites", Role::Sites, sites),
        Layer::from_features("communes", Role::Population, communes),
        Layer::from_features("motorway", Role::Facilities, motorway),
        Layer::from_features("zones", Role::Zones, vec![zone]),
    ]))
}

const CRITERIA: &str = r#"
[[criterion]]
name = "motorway"
type = "distance"
layer = "motorway"
ideal_km = 2
zero_km = 20
max_km = 25
[[criterion]]
name = "labour"
type = "access"
layer = "communes"
field = "active"
radius_km = 15
decay = "linear"
saturation = 50000
weight = 2
[[criterion]]
name = "zone"
type = "zone"
layer = "zones"
"#;

fn grid_brief(extra: &str) -> Brief {
    Brief::from_toml_str(&format!(
        "[filter]\nbbox = [2.0, 48.0, 3.0, 49.0]\n[candidates]\ngrid_km = 2\nland_km = 3\n{extra}\n{CRITERIA}"
    ))
    .unwrap()
}

#[test]
fn grid_cells_score_like_the_same_points_as_sites() {
    let e = world();
    let brief = grid_brief("");
    let cells: Vec<_> = e.grid(&brief, true).unwrap().collect();
    assert!(cells.len() > 100);
    // The same points, ranked as a site layer with the same criteria.
    let sites: Vec<Feature> = cells
        .iter()
        .map(|c| Feature::point(c.site_id.clone(), c.location.x(), c.location.y()))
        .collect();
    let mut layers = vec![Layer::from_features("cells", Role::Sites, sites)];
    for l in e.layers().filter(|l| l.role != Role::Sites) {
        layers.push(l.clone());
    }
    let as_sites = Engine::new(Catalog::from_layers(layers))
        .rank(&Brief::from_toml_str(CRITERIA).unwrap())
        .unwrap();
    for c in &cells {
        let s = as_sites.site(&c.site_id).unwrap();
        assert_eq!(c.criteria, s.criteria, "cell {}", c.site_id);
        if c.excluded_by.is_empty() {
            assert!((c.score.unwrap() - s.score.unwrap()).abs() < 1e-9);
        } else {
            assert_eq!(c.excluded_by, ["motorway:max_km"]);
            assert_eq!(c.score, None);
        }
    }
}

#[test]
fn cells_without_land_within_reach_are_left_out() {
    let e = world();
    let brief = grid_brief("");
    let mut grid = e.grid(&brief, true).unwrap();
    let total = grid.total_cells();
    let cells: Vec<_> = grid.by_ref().collect();
    let stats = grid.stats();
    assert_eq!(stats.scanned, total);
    assert_eq!(stats.produced, cells.len());
    assert_eq!(
        stats.scanned,
        stats.produced + stats.not_on_land + stats.outside_departments
    );
    // Brute force: a cell is on land when a commune lies within 3 km (geodesic).
    let communes = &e.layer("communes").unwrap().layer().features;
    use geo::{Distance, Geodesic};
    for c in &cells {
        let d = communes
            .iter()
            .map(|f| Geodesic.distance(c.location, f.location))
            .fold(f64::INFINITY, f64::min);
        assert!(d <= 3000.0, "cell {} is {d} m from land", c.site_id);
    }
    // The east half has no commune: no cell east of 2.5° + 3 km.
    assert!(cells.iter().all(|c| c.location.x() < 2.55));
    assert!(stats.not_on_land > total / 3);
}

#[test]
fn departments_within_zones_and_squares() {
    let e = world();
    let brief = Brief::from_toml_str(&format!(
        "[filter]\ndepartments = [\"77\"]\n[candidates]\ngrid_km = 2\nland_km = 3\nwithin = \"zones\"\ncells = \"squares\"\n{CRITERIA}"
    ))
    .unwrap();
    let mut grid = e.grid(&brief, false).unwrap();
    let cells: Vec<_> = grid.by_ref().collect();
    assert!(!cells.is_empty());
    let communes = e.layer("communes").unwrap();
    for c in &cells {
        // Inside the zone [2, 2.3] x [48, 48.5], nearest commune in 77.
        assert!(c.location.x() <= 2.3 && c.location.y() <= 48.5);
        let (i, _) = communes.nearest(c.location, |_| true).unwrap();
        assert_eq!(
            communes.layer().features[i].commune.as_deref(),
            Some("77001")
        );
        assert!(matches!(c.geometry, geo::Geometry::Polygon(_)));
        assert!(c.excluded_by.is_empty());
    }
    assert!(grid.stats().outside_zone > 0 && grid.stats().outside_departments > 0);
}

#[test]
fn grid_geojson_streams_a_valid_collection() {
    let e = world();
    let brief = grid_brief("");
    let mut out = Vec::new();
    let mut calls = 0;
    let stats = write_grid(
        OutputFormat::Geojson,
        e.grid(&brief, false).unwrap(),
        |_| calls += 1,
        &mut out,
    )
    .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v["features"].as_array().unwrap().len(), stats.produced);
    assert_eq!(calls, stats.produced);
    assert_eq!(v["sitematch"]["cells"]["written"], stats.produced);
    assert_eq!(v["features"][0]["properties"]["layer"], "grid");
}

#[test]
fn grid_briefs_are_checked() {
    let bad = |text: &str| match Brief::from_toml_str(text) {
        Err(sitematch::Error::Brief(p)) => {
            p.problems.iter().map(|p| p.to_string()).collect::<Vec<_>>()
        }
        other => panic!("{other:?}"),
    };
    let p = bad(&format!("method = \"topsis\"\n[filter]\nmin_area_ha = 3\n[candidates]\ngrid_km = 1\n{CRITERIA}\n[[criterion]]\nname = \"a\"\ntype = \"attribute\"\nfield = \"area_ha\"\nideal = 1\nzero = 0\n"));
    let joined = p.join("\n");
    for expect in [
        "candidates: a grid needs an extent",
        "filter.min_area_ha: does not apply",
        "criterion[3].type: grid cells have no attributes",
        "method: TOPSIS",
    ] {
        assert!(joined.contains(expect), "{expect:?} not in {joined}");
    }
}

#[test]
fn parallel_scoring_gives_the_sequential_result() {
    let e = world();
    let one = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    let many = rayon::ThreadPoolBuilder::new()
        .num_threads(4)
        .build()
        .unwrap();
    let ranked = Brief::from_toml_str(&format!("[robustness]\nruns = 200\n{CRITERIA}")).unwrap();
    let run = |pool: &rayon::ThreadPool| {
        pool.install(|| {
            let r = e.rank(&ranked).unwrap();
            let out = geojson_bytes(&r, 100, true);
            let mut grid = Vec::new();
            write_grid(
                OutputFormat::Geojson,
                e.grid(&grid_brief(""), true).unwrap(),
                |_| {},
                &mut grid,
            )
            .unwrap();
            (out, grid)
        })
    };
    let (a, b) = (run(&one), run(&many));
    assert!(a.0 == b.0, "ranking differs between 1 and 4 threads");
    assert!(a.1 == b.1, "grid differs between 1 and 4 threads");
}

/// The FlatGeobuf grid reads back through GDAL as the GeoJSON grid does (same count,
/// same fields and types, WGS 84), and its spatial index answers a bounding-box query
/// with exactly the cells a scan of the GeoJSON finds in the box.
#[test]
fn flatgeobuf_grid_reads_back_with_its_index() {
    let engine = world();
    let brief = grid_brief("");
    let dir = tempfile::tempdir().unwrap();
    let fgb = dir.path().join("grid.fgb");
    let geojson = dir.path().join("grid.geojson");
    let mut out = Vec::new();
    let stats = sitematch::output::write_grid(
        sitematch::output::OutputFormat::Fgb,
        engine.grid(&brief, false).unwrap(),
        |_| {},
        &mut out,
    )
    .unwrap();
    std::fs::write(&fgb, out).unwrap();
    let mut out = Vec::new();
    write_grid(
        OutputFormat::Geojson,
        engine.grid(&brief, false).unwrap(),
        |_| {},
        &mut out,
    )
    .unwrap();
    std::fs::write(&geojson, &out).unwrap();
    assert!(stats.produced > 50);

    let Some(f) = crate::util::ogr_layer(&fgb, Some("cells")) else {
        return;
    };
    let g = crate::util::ogr_layer(&geojson, None).unwrap();
    assert!(f.stderr.is_empty(), "GDAL warned: {}", f.stderr);
    assert_eq!(f.count, stats.produced);
    assert_eq!(f.geometry, "Point");
    assert!(f.text.contains("ID[\"EPSG\",4326]"));
    assert_eq!(f.fields, g.fields);

    // Cells in [2.1, 2.3] x [48.2, 48.6], by a scan of the GeoJSON.
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let (x0, y0, x1, y1) = (2.1, 48.2, 2.3, 48.6);
    let inside = v["features"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| {
            let p = &c["geometry"]["coordinates"];
            let (x, y) = (p[0].as_f64().unwrap(), p[1].as_f64().unwrap());
            (x0..=x1).contains(&x) && (y0..=y1).contains(&y)
        })
        .count();
    assert!(inside > 0 && inside < stats.produced);
    let (text, _) = crate::util::gdal(
        "ogrinfo",
        &[
            "-ro",
            "-so",
            "-spat",
            "2.1",
            "48.2",
            "2.3",
            "48.6",
            fgb.to_str().unwrap(),
            "cells",
        ],
    )
    .unwrap();
    let count: usize = text
        .lines()
        .find_map(|l| l.strip_prefix("Feature Count: "))
        .and_then(|n| n.trim().parse().ok())
        .unwrap();
    assert_eq!(count, inside);

    // Squares are a polygon layer.
    let squares = dir.path().join("squares.fgb");
    let mut out = Vec::new();
    let brief = grid_brief("cells = \"squares\"");
    sitematch::output::write_grid(
        sitematch::output::OutputFormat::Fgb,
        engine.grid(&brief, false).unwrap(),
        |_| {},
        &mut out,
    )
    .unwrap();
    std::fs::write(&squares, out).unwrap();
    let s = crate::util::ogr_layer(&squares, Some("cells")).unwrap();
    assert_eq!((s.geometry.as_str(), s.count), ("Polygon", stats.produced));
}

#[test]
fn a_flatgeobuf_grid_past_its_index_limit_is_refused_before_a_cell_is_scored() {
    let e = world();
    // 50 m cells over 3 x 2 degrees: about 19 million.
    let brief = Brief::from_toml_str(&format!(
        "[filter]\nbbox = [2.0, 48.0, 5.0, 50.0]\n[candidates]\ngrid_km = 0.05\nland_km = 3\n{CRITERIA}"
    ))
    .unwrap();
    let grid = e.grid(&brief, false).unwrap();
    let total = grid.total_cells();
    assert!(total > sitematch::output::MAX_FGB_CELLS, "{total}");
    let mut calls = 0;
    let mut out = Vec::new();
    let err = write_grid(OutputFormat::Fgb, grid, |_| calls += 1, &mut out).unwrap_err();
    assert!(
        err.to_string().contains("at most 10,000,000 cells"),
        "{err}"
    );
    assert_eq!((calls, out.len()), (0, 0));
}
