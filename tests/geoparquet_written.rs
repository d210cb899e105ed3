//! GeoParquet as GeoPandas writes it (tests/fixtures/geoparquet_written, rebuilt by
//! its make.py): WKB and GeoArrow points, WGS 84, Lambert-93 and UTM 32N, every codec
//! GeoPandas offers, dictionary-encoded text, many row groups. Each layer is read by
//! sitematch and by GeoPandas (reprojected to WGS 84 by pyproj) and compared as the
//! GDAL corpus is; damaged and foreign files are errors naming the file.

use std::path::Path;

use serde_json::Value as Json;
use sitematch::Catalog;

use crate::gdal_written::assert_reads_as;
use crate::util::{assert_mentions, catalog_in, fixtures, put, tool};

/// A Python with GeoPandas and pyarrow, or `None` with a note (a failure under CI).
fn geopandas() -> Option<String> {
    tool(
        &["python3"],
        &["-c", "import geopandas, pyarrow"],
        "GeoPandas with pyarrow (pip install geopandas pyarrow)",
    )
}

#[test]
fn geoparquet_files_read_as_geopandas_reads_them() {
    let dir = fixtures().join("geoparquet_written");
    let catalog = Catalog::from_path(dir.join("catalog.toml")).unwrap();
    assert_eq!(catalog.layers.len(), 7);
    let grid = catalog.layers.iter().find(|l| l.name == "grid").unwrap();
    assert_eq!(grid.features.len(), 10_000, "every row of the 4 row groups");
    let Some(python) = geopandas() else {
        return;
    };
    let spec: toml::Value =
        toml::from_str(&std::fs::read_to_string(dir.join("catalog.toml")).unwrap()).unwrap();
    for (layer, entry) in catalog.layers.iter().zip(spec["layer"].as_array().unwrap()) {
        let path = dir.join(entry["path"].as_str().unwrap());
        assert_reads_as(layer, &geopandas_read(&python, &path).1);
    }
}

#[test]
fn damaged_and_foreign_parquet_files_are_errors_naming_them() {
    let source = std::fs::read(fixtures().join("geoparquet_written/out/points.parquet")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let catalog = |name: &str| {
        format!(
            "[[layer]]\nname = \"p\"\nrole = \"facilities\"\npath = \"{name}\"\nid = \"id\"\n\
             [layer.fields]\njobs = \"jobs\"\n"
        )
    };
    // Cut at every length, and one byte in three flipped: an error naming the file or
    // a read (a flip in a value can leave a valid file), never a panic.
    let mut errors = 0;
    for cut in (0..source.len()).step_by(97) {
        put(dir.path(), "cut.parquet", &source[..cut]);
        let e = catalog_in(dir.path(), catalog("cut.parquet")).unwrap_err();
        assert_mentions(&e.to_string(), &["cut.parquet"]);
        errors += 1;
    }
    for at in (0..source.len()).step_by(3) {
        let mut bytes = source.clone();
        bytes[at] ^= 0x5a;
        put(dir.path(), "flip.parquet", &bytes);
        if let Err(e) = catalog_in(dir.path(), catalog("flip.parquet")) {
            assert_mentions(&e.to_string(), &["flip.parquet"]);
        }
    }
    assert!(errors > 50);
}

#[test]
fn foreign_parquet_files_name_what_to_change() {
    let bad = fixtures().join("geoparquet_written/bad");
    // `extra` goes in [layer.fields] when it starts with `fields:`.
    let layer = |file: &str, extra: &str| {
        let (top, field) = match extra.strip_prefix("fields:") {
            Some(f) => ("", f),
            None => (extra, ""),
        };
        format!(
            "[[layer]]\nname = \"p\"\nrole = \"facilities\"\npath = \"{}\"\nid = \"id\"\n{top}\
             [layer.fields]\njobs = \"jobs\"\n{field}",
            bad.join(file).display()
        )
    };
    let dir = tempfile::tempdir().unwrap();
    let error = |file: &str, extra: &str| {
        catalog_in(dir.path(), layer(file, extra))
            .unwrap_err()
            .to_string()
    };
    assert_mentions(
        &error("plain.parquet", ""),
        &["plain.parquet", "`geo` metadata", "to_parquet"],
    );
    // A CRS declared unknown, or without an EPSG id: never taken for WGS 84...
    assert_mentions(
        &error("crs_null.parquet", ""),
        &[
            "crs_null.parquet",
            "declared unknown",
            "crs = \"EPSG:",
            "layer \"p\"",
        ],
    );
    assert_mentions(
        &error("crs_no_id.parquet", ""),
        &[
            "crs_no_id.parquet",
            "\"a local datum\"",
            "without an EPSG id",
        ],
    );
    // ...but read with the catalog's.
    let given = catalog_in(
        dir.path(),
        layer("crs_null.parquet", "crs = \"EPSG:4326\"\n"),
    )
    .unwrap();
    assert_eq!(given.layers[0].features.len(), 2);
    assert_mentions(
        &error("polygon_encoding.parquet", ""),
        &["polygon_encoding.parquet", "\"multipolygon\"", "WKB"],
    );
    assert_mentions(
        &error("date_column.parquet", "fields:opened = \"opened\"\n"),
        &["date_column.parquet", "\"opened\"", "Date32", "cast it"],
    );
}

/// GeoPandas' reading of a file sitematch wrote: (the CRS's EPSG code, the features
/// in WGS 84).
fn geopandas_read(python: &str, path: &Path) -> (Option<u64>, Vec<Json>) {
    let script = fixtures().join("geoparquet_written/read.py");
    let out = std::process::Command::new(python)
        .arg(script)
        .arg(path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "GeoPandas could not read {}: {}",
        path.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Json = serde_json::from_slice(&out.stdout).unwrap();
    (
        v["epsg"].as_u64(),
        v["features"].as_array().unwrap().clone(),
    )
}

#[test]
fn rankings_and_grids_in_geoparquet_read_in_geopandas_as_in_geojson() {
    use sitematch::output::{
        write_grid_in, write_ranking, write_ranking_in, OutputFormat, OutputOptions,
    };
    use sitematch::{Brief, Engine, OutputCrs};
    let brief = Brief::from_path(fixtures().join("rank/brief.toml")).unwrap();
    let engine = Engine::new(Catalog::from_path(fixtures().join("rank")).unwrap());
    let r = engine.rank(&brief).unwrap();
    let opts = OutputOptions {
        top: 1,
        include_excluded: true,
    };
    let mut geojson = Vec::new();
    write_ranking(OutputFormat::Geojson, &r, &opts, None, &mut geojson).unwrap();
    let geojson: Json = serde_json::from_slice(&geojson).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    for code in [4326, 2154, 3035] {
        let crs = OutputCrs::epsg(code).unwrap();
        let path = dir.path().join(format!("r{code}.parquet"));
        let mut out = Vec::new();
        write_ranking_in(OutputFormat::Parquet, &r, &opts, None, &crs, &mut out).unwrap();
        std::fs::write(&path, out).unwrap();
        files.push((code, path));
    }
    // A CRS PROJJSON cannot be made for (Krovak) is refused before a byte is written.
    if let Ok(krovak) = OutputCrs::epsg(5514) {
        let mut out = Vec::new();
        let e = write_ranking_in(OutputFormat::Parquet, &r, &opts, None, &krovak, &mut out)
            .unwrap_err();
        assert!(e.to_string().contains("Krovak"), "{e}");
        assert!(out.is_empty(), "{} bytes written", out.len());
    }
    // A grid of squares in Lambert-93 around the motorway exits.
    let grid_brief = Brief::from_toml_str(
        "[filter]\nbbox = [5.0, 46.2, 5.6, 46.6]\n[candidates]\ngrid_km = 1\ncells = \"squares\"\nland = \"motorway\"\nland_km = 30\n\
         [[criterion]]\nname = \"d\"\ntype = \"distance\"\nlayer = \"motorway\"\nideal_km = 1\nzero_km = 30\n",
    )
    .unwrap();
    let grid_path = dir.path().join("grid.parquet");
    let mut out = Vec::new();
    let l93 = OutputCrs::epsg(2154).unwrap();
    let stats = write_grid_in(
        OutputFormat::Parquet,
        engine.grid(&grid_brief, false).unwrap(),
        &l93,
        |_| {},
        &mut out,
    )
    .unwrap();
    std::fs::write(&grid_path, out).unwrap();
    assert!(stats.produced > 100, "{stats:?}");

    let Some(python) = geopandas() else {
        return;
    };
    for (code, path) in &files {
        let (epsg, theirs) = geopandas_read(&python, path);
        // WGS 84 is written without a CRS: GeoParquet's default, OGC:CRS84.
        assert_eq!(
            epsg,
            (*code != 4326).then_some(u64::from(*code)),
            "EPSG:{code}"
        );
        let ours = geojson["features"].as_array().unwrap();
        assert_eq!(theirs.len(), ours.len(), "EPSG:{code}");
        for (g, o) in theirs.iter().zip(ours) {
            let id = o["properties"]["site_id"].as_str().unwrap();
            assert_eq!(g["properties"]["site_id"], id, "EPSG:{code}: same order");
            // Every property as the GeoJSON has it (a null text is an absent one).
            for (key, value) in o["properties"].as_object().unwrap() {
                let theirs_value = &g["properties"][key];
                match (value.as_f64(), theirs_value.as_f64()) {
                    // One unit in the last place: serde_json's default float parsing.
                    (Some(a), Some(b)) => assert!(
                        (a - b).abs() <= 4.0 * f64::EPSILON * a.abs().max(1.0),
                        "EPSG:{code} {id} {key}: {a} vs {b}"
                    ),
                    _ => assert!(
                        value == theirs_value || (value.is_null() && theirs_value == ""),
                        "EPSG:{code} {id} {key}: {value} vs {theirs_value}"
                    ),
                }
            }
            let (a, b) = (&g["geometry"]["coordinates"], &o["geometry"]["coordinates"]);
            let d = crate::util::small_distance_m(
                (a[0].as_f64().unwrap(), a[1].as_f64().unwrap()),
                (b[0].as_f64().unwrap(), b[1].as_f64().unwrap()),
            );
            assert!(d < 0.02, "EPSG:{code} {id}: {d} m");
        }
    }
    let (epsg, cells) = geopandas_read(&python, &grid_path);
    assert_eq!(epsg, Some(2154));
    assert_eq!(cells.len(), stats.produced);
    assert!(cells.iter().all(|c| c["geometry"]["type"] == "Polygon"));
}
