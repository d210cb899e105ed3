//! The pure-Rust reprojection (and PROJ, with the `proj` feature) against reference
//! points computed by PROJ's `cs2cs` (tests/fixtures/crs/make_reference.sh).

use sitematch::{Crs, Transformer, SUPPORTED_CRS as SUPPORTED};

use crate::util::{fixtures, small_distance_m};

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
