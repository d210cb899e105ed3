//! PostGIS layers: the GDAL corpus's sources loaded into a real PostgreSQL with
//! PostGIS by GDAL's `ogr2ogr`, read by sitematch (tables and queries) and by GDAL and
//! compared; a brief ranked over the database as over the files; the errors a user
//! meets (a wrong password, a missing table) named without the password.
//!
//! The server: `SITEMATCH_TEST_PG` (a URL without a password, such as
//! `postgresql://sitematch@localhost:5432/sitematch`) with the password in
//! `PGPASSWORD`; `.ci/run` installs Debian's PostgreSQL and PostGIS, starts it and sets
//! both. Without them the tests say so and pass; under CI they fail.

use serde_json::Value as Json;
use sitematch::{Brief, Engine};

use crate::gdal_written::assert_reads_as;
use crate::util::{assert_mentions, catalog_in, fixtures, gdal};

/// The test server's URL, or `None` with a note (a failure under CI).
fn server() -> Option<String> {
    match std::env::var("SITEMATCH_TEST_PG") {
        Ok(url) if !url.is_empty() => Some(url),
        _ if std::env::var("CI").is_ok_and(|v| v == "true") => {
            panic!(
                "SITEMATCH_TEST_PG is not set; .ci/run starts PostgreSQL with PostGIS and sets it"
            )
        }
        _ => {
            eprintln!(
                "note: SITEMATCH_TEST_PG is not set (a PostgreSQL with PostGIS, password in \
                 PGPASSWORD); skipping the PostGIS tests"
            );
            None
        }
    }
}

/// GDAL's connection string for the URL (libpq takes PGPASSWORD itself).
fn gdal_pg(url: &str) -> String {
    let rest = url.split("://").nth(1).unwrap();
    let (user, rest) = rest.split_once('@').unwrap();
    let (host_port, db) = rest.split_once('/').unwrap();
    let (host, port) = host_port.split_once(':').unwrap_or((host_port, "5432"));
    format!("PG:host={host} port={port} user={user} dbname={db}")
}

/// Loads the corpus's sources into schema `sitematch_test`, with ogr2ogr.
fn load(pg: &str) -> Option<()> {
    let dir = fixtures().join("gdal_written");
    let source = dir.join("source.geojson");
    let polygons = dir.join("polygons.source.geojson");
    let (s, p) = (source.to_str().unwrap(), polygons.to_str().unwrap());
    let common = [
        "-lco",
        "OVERWRITE=YES",
        "-lco",
        "SCHEMA=sitematch_test",
        "-lco",
        "FID=gid",
    ];
    let runs: [(&str, &str, &[&str]); 3] = [
        ("points", s, &[]),
        (
            "points_l93",
            s,
            &["-t_srs", "EPSG:2154", "-where", "code NOT LIKE '97%'"],
        ),
        ("polygons", p, &["-nlt", "MULTIPOLYGON"]),
    ];
    // The schema, made by GDAL's SQL on the server.
    gdal(
        "ogrinfo",
        &[
            pg,
            "-sql",
            "CREATE SCHEMA IF NOT EXISTS sitematch_test",
            "-q",
        ],
    )?;
    for (name, file, extra) in runs {
        let mut args = vec!["-f", "PostgreSQL", pg, file, "-nln", name];
        args.extend(common);
        args.extend(extra);
        let (_, err) = gdal("ogr2ogr", &args)?;
        assert!(!err.contains("ERROR"), "ogr2ogr {name}: {err}");
    }
    Some(())
}

/// GDAL's reading of a table, in WGS 84, as GeoJSON features.
fn gdal_table(pg: &str, table: &str) -> Vec<Json> {
    crate::util::gdal_wgs84_features(&[], pg, &[table]).unwrap()
}

fn catalog_text(url: &str) -> String {
    let facilities = |name: &str, source: &str| {
        format!(
            "[[layer]]\nname = \"{name}\"\nrole = \"facilities\"\npath = \"{url}\"\n{source}\n\
             id = \"id\"\nlabel = \"name\"\n[layer.fields]\ncode = \"code\"\njobs = \"jobs\"\nrate = \"rate\"\n\n"
        )
    };
    let mut text = facilities("points", "table = \"sitematch_test.points\"");
    text += &facilities("points_l93", "table = \"sitematch_test.points_l93\"");
    // A query: the points in Lambert-93 of the mainland, selected by the server (its
    // semicolon as psql takes it).
    text += &facilities(
        "points_sql",
        "sql = \"SELECT * FROM sitematch_test.points_l93 WHERE jobs >= 0;\"",
    );
    text += &format!(
        "[[layer]]\nname = \"polygons\"\nrole = \"zones\"\npath = \"{url}\"\n\
         table = \"sitematch_test.polygons\"\nid = \"id\"\nlabel = \"name\"\n"
    );
    text
}

#[test]
fn postgis_tables_and_queries_read_as_gdal_reads_them_and_rank_as_files_do() {
    let Some(url) = server() else {
        return;
    };
    let pg = gdal_pg(&url);
    if load(&pg).is_none() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let catalog = catalog_in(dir.path(), catalog_text(&url)).unwrap();
    assert_eq!(catalog.layers.len(), 4);
    for (layer, table) in catalog.layers.iter().zip([
        "sitematch_test.points",
        "sitematch_test.points_l93",
        "sitematch_test.points_l93",
        "sitematch_test.polygons",
    ]) {
        assert_reads_as(layer, &gdal_table(&pg, table));
    }
    let l93 = &catalog.layers[1];
    assert_eq!(l93.source_crs, "EPSG:2154");

    // A brief over the database ranks as over the same data in files: sites from the
    // polygons, distance to the points.
    let brief = Brief::from_toml_str(
        "[[criterion]]\nname = \"near\"\ntype = \"distance\"\nlayer = \"points\"\nideal_km = 1\nzero_km = 400\n",
    )
    .unwrap();
    let sites = |path: &str, source: &str| {
        format!(
            "[[layer]]\nname = \"sites\"\nrole = \"sites\"\npath = \"{path}\"\n{source}\nid = \"id\"\nlabel = \"name\"\n\n\
             [[layer]]\nname = \"points\"\nrole = \"facilities\"\npath = \"{}\"\n{}\nid = \"id\"\nlabel = \"name\"\n",
            if source.is_empty() { fixtures().join("gdal_written/source.geojson").display().to_string() } else { url.clone() },
            if source.is_empty() { "" } else { "table = \"sitematch_test.points_l93\"" },
        )
    };
    let from_db = catalog_in(
        dir.path(),
        sites(&url, "table = \"sitematch_test.polygons\""),
    )
    .unwrap();
    let polygons = fixtures().join("gdal_written/polygons.source.geojson");
    let files = tempfile::tempdir().unwrap();
    let from_files = catalog_in(files.path(), sites(polygons.to_str().unwrap(), "")).unwrap();
    let a = Engine::new(from_db).rank(&brief).unwrap();
    let b = Engine::new(from_files).rank(&brief).unwrap();
    assert!(a.ranked > 0);
    assert_eq!(a.ranked, b.ranked);
    for (x, y) in a.sites.iter().zip(&b.sites) {
        assert_eq!(x.site_id, y.site_id);
        let (sx, sy) = (x.score.unwrap(), y.score.unwrap());
        assert!((sx - sy).abs() < 1e-6, "{}: {sx} vs {sy}", x.site_id);
    }
}

#[test]
fn postgis_errors_name_the_database_never_the_password() {
    let Some(url) = server() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let layer = |path: &str, source: &str| {
        format!("[[layer]]\nname = \"p\"\nrole = \"facilities\"\npath = \"{path}\"\n{source}\nid = \"id\"\n")
    };
    // A table the database lacks: the server's words.
    let e = catalog_in(
        dir.path(),
        layer(&url, "table = \"sitematch_test.nowhere\""),
    )
    .unwrap_err()
    .to_string();
    assert_mentions(&e, &[&url, "nowhere", "does not exist"]);
    // Neither a table nor a query; both.
    let e = catalog_in(dir.path(), layer(&url, ""))
        .unwrap_err()
        .to_string();
    assert_mentions(&e, &["table", "sql"]);
    // A password in the URL is refused, and not repeated.
    let with_password = url.replacen('@', ":hunter2-secret@", 1);
    let e = catalog_in(
        dir.path(),
        layer(&with_password, "table = \"sitematch_test.points\""),
    )
    .unwrap_err()
    .to_string();
    assert!(
        e.contains("PGPASSWORD") && !e.contains("hunter2-secret"),
        "{e}"
    );
}

#[test]
fn sql_is_for_postgis_layers_and_table_for_geopackages_and_databases() {
    let dir = tempfile::tempdir().unwrap();
    crate::util::put(
        dir.path(),
        "x.geojson",
        r#"{"type": "FeatureCollection", "features": []}"#,
    );
    let layer = |source: &str| {
        format!("[[layer]]\nname = \"p\"\nrole = \"facilities\"\npath = \"x.geojson\"\n{source}\n")
    };
    let e = catalog_in(dir.path(), layer("sql = \"SELECT 1\""))
        .unwrap_err()
        .to_string();
    assert_mentions(&e, &["\"p\"", ".sql", "PostGIS", "geojson"]);
    let e = catalog_in(dir.path(), layer("table = \"t\""))
        .unwrap_err()
        .to_string();
    assert_mentions(&e, &["\"p\"", ".table", "GeoPackage or a database"]);
}

/// One catalog mixing every format sitematch reads (and the database when a server
/// is there), ranked by one brief: each layer reprojected on its own, the same five
/// places read from each.
#[test]
fn a_catalog_mixes_every_format() {
    let gdal_out = fixtures().join("gdal_written/out");
    let parquet = fixtures().join("geoparquet_written/out/points_l93.parquet");
    let files = [
        ("geojson", gdal_out.join("points.geojson"), ""),
        ("shapefile", gdal_out.join("points_l93.shp"), ""),
        (
            "csv",
            gdal_out.join("points_xy.csv"),
            "x = \"X\"\ny = \"Y\"\n",
        ),
        (
            "geopackage",
            gdal_out.join("points.gpkg"),
            "table = \"points_l93\"\n",
        ),
        ("flatgeobuf", gdal_out.join("points.fgb"), ""),
        ("geoparquet", parquet, ""),
    ];
    let mut text = String::new();
    for (name, path, extra) in &files {
        text += &format!(
            "[[layer]]\nname = \"{name}\"\nrole = \"facilities\"\npath = \"{}\"\n{extra}id = \"id\"\nlabel = \"name\"\n\n",
            path.display()
        );
    }
    let server = std::env::var("SITEMATCH_TEST_PG")
        .ok()
        .filter(|u| !u.is_empty());
    let database = server.as_ref().filter(|url| load(&gdal_pg(url)).is_some());
    if let Some(url) = database {
        text += &format!(
            "[[layer]]\nname = \"postgis\"\nrole = \"facilities\"\npath = \"{url}\"\n\
             table = \"sitematch_test.points_l93\"\nid = \"id\"\nlabel = \"name\"\n\n"
        );
    }
    text += &format!(
        "[[layer]]\nname = \"sites\"\nrole = \"sites\"\npath = \"{}\"\nid = \"id\"\nlabel = \"name\"\n",
        fixtures().join("gdal_written/polygons.source.geojson").display()
    );
    let dir = tempfile::tempdir().unwrap();
    let catalog = catalog_in(dir.path(), text).unwrap();
    let formats: Vec<String> = catalog
        .layers
        .iter()
        .map(|l| l.format.to_string())
        .collect();
    for f in [
        "geojson",
        "shapefile",
        "csv",
        "geopackage",
        "flatgeobuf",
        "geoparquet",
    ] {
        assert!(formats.iter().any(|x| x == f), "{formats:?}");
    }
    assert_eq!(formats.iter().any(|x| x == "postgis"), database.is_some());
    // Each facilities layer holds the mainland places; their locations agree.
    let reference = &catalog.layers[0];
    for layer in catalog
        .layers
        .iter()
        .filter(|l| l.role == sitematch::Role::Facilities)
    {
        assert!(layer.features.len() >= 4, "{}", layer.name);
        for f in &layer.features {
            let r = reference.features.iter().find(|g| g.id == f.id).unwrap();
            let d = crate::util::small_distance_m(
                (f.location.x(), f.location.y()),
                (r.location.x(), r.location.y()),
            );
            assert!(d < 0.02, "{} {}: {d} m", layer.name, f.id);
        }
    }
    // One brief over all of them: a distance criterion per layer.
    let mut brief = String::new();
    for l in catalog
        .layers
        .iter()
        .filter(|l| l.role == sitematch::Role::Facilities)
    {
        brief += &format!(
            "[[criterion]]\nname = \"{0}\"\ntype = \"distance\"\nlayer = \"{0}\"\nideal_km = 1\nzero_km = 400\n",
            l.name
        );
    }
    let ranking = Engine::new(catalog)
        .rank(&Brief::from_toml_str(&brief).unwrap())
        .unwrap();
    assert!(ranking.ranked > 0);
    // The same places in every layer: every criterion gives a site the same score.
    for s in &ranking.sites {
        let scores: Vec<f64> = s.criteria.iter().map(|c| c.score).collect();
        assert!(
            scores.windows(2).all(|w| (w[0] - w[1]).abs() < 1e-6),
            "{}: {scores:?}",
            s.site_id
        );
    }
}
