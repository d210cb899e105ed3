//! The pure-Rust reprojection (and PROJ, with the `proj` feature) against reference
//! points computed by PROJ's `cs2cs` (tests/fixtures/crs/make_reference.sh).

use sitematch::{Crs, Transformer, SUPPORTED_CRS as SUPPORTED};

use crate::util::{fixtures, put, small_distance_m};

struct RefPoint {
    epsg: u32,
    x: f64,
    y: f64,
    lon: f64,
    lat: f64,
}

fn reference() -> Vec<RefPoint> {
    let text = std::fs::read_to_string(fixtures().join("crs/reference.csv")).unwrap();
    text.lines()
        .skip(1)
        .map(|l| {
            let v: Vec<&str> = l.split(',').collect();
            RefPoint {
                epsg: v[0].parse().unwrap(),
                x: v[1].parse().unwrap(),
                y: v[2].parse().unwrap(),
                lon: v[3].parse().unwrap(),
                lat: v[4].parse().unwrap(),
            }
        })
        .collect()
}

#[test]
fn pure_path_matches_cs2cs_within_a_centimetre() {
    let points = reference();
    assert!(points.len() > 100);
    let mut worst = 0.0f64;
    for p in &points {
        let t = Transformer::pure(&Crs::Epsg(p.epsg)).unwrap();
        let got = t.to_wgs84(p.x, p.y).unwrap();
        let d = small_distance_m(got, (p.lon, p.lat));
        assert!(
            d < 0.01,
            "EPSG:{} ({}, {}): got {:?}, cs2cs says ({}, {}): {d} m apart",
            p.epsg,
            p.x,
            p.y,
            got,
            p.lon,
            p.lat
        );
        worst = worst.max(d);
    }
    eprintln!("pure path vs cs2cs: worst {:.6} m", worst);
}

#[test]
fn every_supported_projected_crs_has_reference_points() {
    let points = reference();
    for (code, name) in SUPPORTED {
        if matches!(code, 4326 | 4171 | 4258) {
            continue; // geographic: nothing to project
        }
        assert!(
            points.iter().filter(|p| p.epsg == *code).count() >= 3,
            "no reference points for EPSG:{code} {name}"
        );
    }
}

#[cfg(feature = "proj")]
#[test]
fn proj_and_pure_paths_agree_within_a_centimetre() {
    for p in &reference() {
        let crs = Crs::Epsg(p.epsg);
        let pure = Transformer::pure(&crs).unwrap().to_wgs84(p.x, p.y).unwrap();
        let proj = Transformer::with_proj(&crs)
            .unwrap()
            .to_wgs84(p.x, p.y)
            .unwrap();
        let d = small_distance_m(pure, proj);
        assert!(
            d < 0.01,
            "EPSG:{}: pure {pure:?} vs proj {proj:?}: {d} m",
            p.epsg
        );
        let d = small_distance_m(proj, (p.lon, p.lat));
        assert!(d < 0.01, "EPSG:{}: proj {proj:?} vs cs2cs: {d} m", p.epsg);
    }
}

#[cfg(feature = "proj")]
#[test]
fn proj_reads_prj_wkt() {
    let wkt = std::fs::read_to_string(fixtures().join("shp/l93_cp1252/friches.prj")).unwrap();
    let t = Transformer::with_proj(&Crs::Wkt(wkt)).unwrap();
    let (lon, lat) = t.to_wgs84(700_000.0, 6_600_000.0).unwrap();
    assert!(small_distance_m((lon, lat), (3.0, 46.5)) < 0.01);
}

/// The `.prj` files GDAL writes for the overseas CRSs (ESRI names such as
/// `RRAF_1991_UTM_20N`, `RGFG_1995_UTM_22N`, `RGM_2004_UTM_Zone_38S`) load with the
/// pure-Rust path, and the points come back where they were: each shapefile of
/// `tests/fixtures/prj_overseas` was projected by GDAL (PROJ) from a WGS84 point.
#[test]
fn overseas_prj_names_written_by_gdal_load() {
    let dir = crate::util::fixtures().join("prj_overseas");
    let source: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("points.geojson")).unwrap())
            .unwrap();
    for code in ["4559", "5490", "2972", "2975", "4471"] {
        let tmp = tempfile::tempdir().unwrap();
        put(
            tmp.path(),
            "catalog.toml",
            format!(
                "[[layer]]\nname = \"p\"\nrole = \"facilities\"\npath = {:?}\nid = \"id\"\n",
                dir.join(code).join("p.shp").display().to_string()
            ),
        );
        let c = sitematch::Catalog::from_path(tmp.path()).unwrap();
        let l = &c.layers[0];
        assert_eq!(l.source_crs, format!("EPSG:{code}"), "{code}");
        let want = source["features"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["properties"]["id"] == code)
            .unwrap();
        let (x, y) = (
            want["geometry"]["coordinates"][0].as_f64().unwrap(),
            want["geometry"]["coordinates"][1].as_f64().unwrap(),
        );
        let p = l.features[0].location;
        assert!(
            (p.x() - x).abs() < 1e-7 && (p.y() - y).abs() < 1e-7,
            "{code}: {p:?} vs {x},{y}"
        );
    }
}

/// Beyond the hand-written list, the pure build reprojects through proj4rs: the
/// European CRSs of `reference.csv` (ETRS89 and WGS 84 UTM zones, Belgian, Swiss,
/// Swedish and Polish grids) go through it, and a PROJ string agrees with cs2cs
/// within a centimetre (`reference_projstring.csv`). A code proj4rs lacks is named,
/// with the fix.
#[test]
fn other_crs_go_through_proj4rs_and_agree_with_cs2cs() {
    let beyond: Vec<RefPoint> = reference()
        .into_iter()
        .filter(|p| !SUPPORTED.iter().any(|(c, _)| *c == p.epsg))
        .collect();
    let codes: std::collections::BTreeSet<u32> = beyond.iter().map(|p| p.epsg).collect();
    assert!(codes.len() >= 9 && codes.contains(&25832), "{codes:?}");
    let mut worst = 0.0f64;
    for p in &beyond {
        let t = Transformer::pure(&Crs::Epsg(p.epsg)).unwrap();
        assert_eq!(format!("{t:?}"), "Transformer(proj4rs)");
        let got = t.to_wgs84(p.x, p.y).unwrap();
        let d = small_distance_m(got, (p.lon, p.lat));
        assert!(d < 0.01, "EPSG:{}: {got:?} vs cs2cs: {d} m", p.epsg);
        worst = worst.max(d);
    }
    eprintln!(
        "proj4rs vs cs2cs over {} points: worst {worst:.6} m",
        beyond.len()
    );
    let text = std::fs::read_to_string(fixtures().join("crs/reference_projstring.csv")).unwrap();
    let tm =
        "+proj=tmerc +lat_0=0 +lon_0=9 +k=0.9996 +x_0=500000 +y_0=0 +ellps=GRS80 +units=m +no_defs";
    let t = Transformer::pure(&Crs::parse(tm).unwrap()).unwrap();
    let mut rows = 0;
    for line in text.lines().skip(1) {
        let v: Vec<f64> = line.split(',').map(|x| x.parse().unwrap()).collect();
        let got = t.to_wgs84(v[0], v[1]).unwrap();
        let d = small_distance_m(got, (v[2], v[3]));
        assert!(d < 0.01, "{line}: {got:?}: {d} m");
        rows += 1;
    }
    assert_eq!(rows, 4);
    // A WKT is taken by its EPSG code.
    let wkt = r#"PROJCRS["ETRS89 / UTM zone 32N",BASEGEOGCRS["ETRS89"],ID["EPSG",25832]]"#;
    let t = Transformer::pure(&Crs::Wkt(wkt.into())).unwrap();
    let p = beyond.iter().find(|p| p.epsg == 25832).unwrap();
    assert!(small_distance_m(t.to_wgs84(p.x, p.y).unwrap(), (p.lon, p.lat)) < 0.01);
    for unknown in [
        Crs::Epsg(999_999),
        Crs::Epsg(1),
        Crs::ProjString("+proj=nonsense".into()),
    ] {
        let err = Transformer::pure(&unknown).unwrap_err();
        assert!(
            err.contains("EPSG:25832") && err.contains("--features proj"),
            "{err}"
        );
    }
}

/// The PROJJSON of every output CRS sitematch can describe, one CRS of each projection
/// method Europe's CRSs use, checked by PROJ (pyproj): the definition alone projects
/// as EPSG's own within 1 mm, with the same axes, and the id names the code.
#[test]
fn projjson_of_output_crss_projects_as_proj_does() {
    let Some(python) = crate::util::tool(
        &["python3"],
        &["-c", "import pyproj"],
        "pyproj (pip install pyproj)",
    ) else {
        return;
    };
    let codes = [
        2154, 25832, 32631, 27572, 3857, 3035, 28992, 2056, 3395, 3034, 3812, 2180, 3006, 5070,
        3068, 31287, 2100, 3763,
    ];
    let items: Vec<serde_json::Value> = codes
        .iter()
        .map(|&code| {
            let crs = sitematch::OutputCrs::epsg(code).unwrap_or_else(|e| panic!("{code}: {e}"));
            let projjson = crs.projjson().unwrap_or_else(|e| panic!("{code}: {e}"));
            serde_json::json!({"code": code, "projjson": projjson})
        })
        .collect();
    let mut child = std::process::Command::new(python)
        .arg(crate::util::fixtures().join("crs/projjson_check.py"))
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(serde_json::to_string(&items).unwrap().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    println!("{text}");
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains(&format!("ok {}", codes.len())), "{text}");
}
