//! Readers and the catalog on the committed fixtures.

use sitematch::{Catalog, Error, FeatureProblem, Location, Role, Value};

use crate::util::{assert_mentions, catalog_in, fixtures, put, small_distance_m, temp_file};

fn shp_catalog(dir: &str, extra: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let shp = fixtures().join("shp").join(dir).join("friches.shp");
    temp_file(
        "catalog.toml",
        &format!(
            "[[layer]]\nname = \"f\"\nrole = \"sites\"\npath = {:?}\nid = \"site_id\"\n\
             label = \"FRICHE\"\n{extra}\n[layer.fields]\ncommune_nom = \"COMMUNE\"\n",
            shp.display().to_string()
        ),
    )
}

fn commune_of(c: &Catalog, id: &str) -> Value {
    let f = c.layers[0].features.iter().find(|f| f.id == id).unwrap();
    f.attributes["commune_nom"].clone()
}

#[test]
fn shapefile_encodings_cpg_ldid_and_fallback() {
    for dir in ["l93_cp1252", "l93_nocpg", "l93_noldid"] {
        let (_t, cat) = shp_catalog(dir, "");
        let c = Catalog::from_path(&cat).unwrap();
        assert_eq!(c.layers[0].features.len(), 8, "{dir}");
        assert_eq!(
            commune_of(&c, "08105_01"),
            Value::Text("Charleville-Mézières".into()),
            "{dir}"
        );
        let f = c.layers[0]
            .features
            .iter()
            .find(|f| f.id == "08105_04")
            .unwrap();
        assert_eq!(f.label.as_deref(), Some("École normale"), "{dir}");
    }
}

#[test]
fn shapefile_in_lambert93_comes_back_to_its_wgs84_source() {
    // The fixture was projected to Lambert-93 by GDAL from the WGS84 GeoJSON; the
    // first vertex of site 08105_01 there is (4.708418592622984, 49.77909583816043).
    let (_t, cat) = shp_catalog("l93_cp1252", "");
    let c = Catalog::from_path(&cat).unwrap();
    assert_eq!(c.layers[0].source_crs, "EPSG:2154");
    let f = c.layers[0]
        .features
        .iter()
        .find(|f| f.id == "08105_01")
        .unwrap();
    use geo::CoordsIter;
    let best = f
        .geometry
        .coords_iter()
        .map(|p| small_distance_m((p.x, p.y), (4.708418592622984, 49.77909583816043)))
        .fold(f64::INFINITY, f64::min);
    assert!(best < 0.01, "nearest vertex {best} m away");
    // No area field mapped: the geodesic area of the polygon. The source's own
    // computed surface (surf_calc) is 24,138 m².
    let area = f.area_ha.unwrap();
    assert!((area - 2.4138).abs() < 0.01, "{area}");
}

#[test]
fn shapefile_without_prj_is_an_error_unless_the_catalog_gives_crs() {
    let (_t, cat) = shp_catalog("noprj", "");
    let e = Catalog::from_path(&cat).unwrap_err();
    let msg = e.to_string();
    assert!(matches!(e, Error::Crs { .. }), "{msg}");
    assert_mentions(&msg, &["no .prj", "crs ="]);
    let (_t, cat) = shp_catalog("noprj", "crs = \"EPSG:2154\"");
    let c = Catalog::from_path(&cat).unwrap();
    assert_eq!(c.layers[0].features.len(), 8);
}

#[test]
fn fixture_catalog_loads_with_every_skip_recorded() {
    let c = Catalog::from_path(fixtures().join("catalog")).unwrap();
    let names: Vec<&str> = c.layers.iter().map(|l| l.name.as_str()).collect();
    assert_eq!(names, ["motorway", "sites", "ardennes"]);

    let motorway = c.layer("motorway").unwrap();
    assert_eq!(motorway.role, Role::Facilities);
    assert_eq!(motorway.features.len(), 6);
    assert_eq!(motorway.skipped.len(), 1);
    assert_eq!(motorway.skipped[0].location, Location::Line(8));
    // Beaupont, (874230.62, 6595951.2) in Lambert-93; cs2cs EPSG:2154 EPSG:4326 gives
    // lat 46.440992618, lon 5.269745895.
    let b = &motorway.features[0];
    assert_eq!(b.label.as_deref(), Some("Beaupont"));
    assert_eq!(b.id, "0");
    assert!(
        small_distance_m(
            (b.location.x(), b.location.y()),
            (5.269745895, 46.440992618)
        ) < 0.01
    );
    assert_eq!(b.attributes["route"], Value::Text("01A903905CD".into()));

    let sites = c.layer("sites").unwrap();
    let ids: Vec<&str> = sites.features.iter().map(|f| f.id.as_str()).collect();
    assert_eq!(ids, ["A", "B"]);
    let reasons: Vec<(Location, &str)> = sites
        .skipped
        .iter()
        .map(|s| (s.location, s.problem.code()))
        .collect();
    assert_eq!(
        reasons,
        [
            (Location::Feature(2), "no_geometry"),
            (Location::Feature(3), "invalid_polygon"),
            (Location::Feature(4), "duplicate_id"),
            (Location::Feature(5), "bad_area"),
            (Location::Feature(6), "reprojection"),
        ]
    );
    let a = &sites.features[0];
    assert_eq!(a.area_ha, Some(4.0)); // 40,000 m² from the field, not the geometry
    assert_eq!(a.commune.as_deref(), Some("59350"));
    let b = &sites.features[1];
    assert_eq!(b.area_ha, None); // empty area field on a point: unknown
    assert_eq!(b.commune.as_deref(), Some("01001")); // number 1001 gets its leading zero
}

#[test]
fn strict_mode_refuses_the_first_bad_feature() {
    let e = Catalog::builder(fixtures().join("catalog"))
        .strict(true)
        .build()
        .unwrap_err();
    match &e {
        Error::Strict { skipped } => {
            assert_eq!(skipped.location, Location::Line(8));
            assert_eq!(skipped.problem, FeatureProblem::NoGeometry);
        }
        other => panic!("{other}"),
    }
    assert!(
        e.to_string().contains("gares.csv: line 8: no geometry"),
        "{e}"
    );
}

#[test]
fn a_missing_field_names_the_key_the_file_and_the_fields_there_are() {
    let csv = fixtures().join("catalog/gares.csv");
    let (_t, cat) = temp_file(
        "catalog.toml",
        &format!(
            "[[layer]]\nname = \"m\"\nrole = \"facilities\"\npath = {:?}\ncrs = \"EPSG:2154\"\n\
             x = \"x\"\ny = \"y\"\ndelimiter = \";\"\ndecimal = \",\"\nlabel = \"nom_gare\"\n",
            csv.display().to_string()
        ),
    );
    let e = Catalog::from_path(&cat).unwrap_err();
    let msg = e.to_string();
    assert!(matches!(e, Error::MissingField { .. }));
    assert_mentions(
        &msg,
        &[
            "layer \"m\".label",
            "gares.csv",
            "route, x, y, nomGare, typeGare_lib",
        ],
    );
}

#[test]
fn catalog_mistakes_are_named() {
    let cases = [
        ("[[layer]]\nname = \"a\"\nrole = \"sites\"\npath = \"x.geojson\"\nlabell = \"n\"\n", "labell"),
        ("[[layer]]\nname = \"a\"\nrole = \"shops\"\npath = \"x.geojson\"\n", "shops"),
        ("[[layer]]\nname = \"a\"\nrole = \"sites\"\npath = \"x.xlsx\"\n", "not a format"),
        ("[[layer]]\nname = \"a\"\nrole = \"sites\"\npath = \"x.csv\"\nx = \"lon\"\n", "both `x` and `y`"),
        ("[[layer]]\nname = \"a\"\nrole = \"sites\"\npath = \"x.geojson\"\n[[layer]]\nname = \"a\"\nrole = \"sites\"\npath = \"y.geojson\"\n", "unique"),
        ("[[layer]]\nname = \"a\"\nrole = \"sites\"\npath = \"x.geojson\"\ncrs = \"Lambert\"\n", "EPSG:2154"),
        ("[[layer]]\nname = \"a\"\nrole = \"sites\"\npath = \"x.csv\"\nwkt = \"g\"\nencoding = \"ebcdic\"\n", "unknown encoding"),
        ("[[layer]]\nname = \"a\"\nrole = \"sites\"\npath = \"missing.geojson\"\n", "does not exist"),
    ];
    for (text, expect) in cases {
        let (_t, cat) = temp_file("catalog.toml", text);
        let e = Catalog::from_path(&cat).unwrap_err().to_string();
        assert_mentions(&e, &["catalog.toml"]);
        assert!(e.contains(expect), "expected {expect:?} in: {e}");
    }
}

#[test]
fn gzip_csv_and_wkt_are_read() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let gz = dir.path().join("pts.csv.gz");
    let mut enc = flate2::write::GzEncoder::new(
        std::fs::File::create(&gz).unwrap(),
        flate2::Compression::default(),
    );
    enc.write_all(b"id\tgeom\nz1\tPOINT (2.35 48.85)\nz2\tPOLYGON ((0 0, 1 0, 1 1, 0 1, 0 0))\n")
        .unwrap();
    enc.finish().unwrap();
    let cat = dir.path().join("catalog.toml");
    std::fs::write(
        &cat,
        "[[layer]]\nname = \"z\"\nrole = \"facilities\"\npath = \"pts.csv.gz\"\nid = \"id\"\n\
         wkt = \"geom\"\ndelimiter = \"\t\"\n",
    )
    .unwrap();
    let c = Catalog::from_path(&cat).unwrap();
    let l = &c.layers[0];
    assert_eq!(l.features.len(), 2);
    assert_eq!(l.features[1].location, geo::Point::new(0.5, 0.5));
}

#[test]
fn lambert93_coordinates_declared_as_wgs84_are_out_of_range() {
    let dir = tempfile::tempdir().unwrap();
    put(
        dir.path(),
        "l.geojson",
        r#"{"type":"FeatureCollection","features":[
          {"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[700000,6600000]}},
          {"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[2.35,48.85]}}]}"#,
    );
    let c = catalog_in(
        dir.path(),
        "[[layer]]\nname = \"l\"\nrole = \"facilities\"\npath = \"l.geojson\"\n",
    )
    .unwrap();
    assert_eq!(c.layers[0].features.len(), 1);
    assert_eq!(c.layers[0].features[0].id, "1");
    assert_eq!(c.layers[0].skipped[0].problem.code(), "out_of_range");
    assert!(c.layers[0].skipped[0]
        .to_string()
        .contains("check the layer's `crs`"));
}

#[test]
fn r10_a_catalog_reports_every_problem_at_once() {
    let (_t, cat) = temp_file(
        "catalog.toml",
        "[[layer]]\nname = \"a\"\nrole = \"shop\"\npath = \"a.csv\"\nx = \"x\"\ny = \"y\"\n\
         [[layer]]\nrole = \"sites\"\npath = \"b.csv\"\nx = \"x\"\ny = \"y\"\n\
         delimiter = \";;\"\ndecimal = \"x\"\nencoding = \"klingon\"\ncrs = \"Lambert\"\n\
         [[layer]]\nname = \"c\"\nrole = \"sites\"\npath = \"c.xlsx\"\n",
    );
    let Err(Error::Catalog { problems, .. }) = Catalog::from_path(&cat) else {
        panic!("expected catalog problems");
    };
    let found: Vec<String> = problems.iter().map(ToString::to_string).collect();
    let expected = [
        // Each layer named as the file names it: by name and path, or what it has.
        "layer[0] (\"a\", a.csv).role: \"shop\" is not one of: sites, facilities, population, zones",
        "layer[1] (b.csv).crs: \"Lambert\" is not a CRS; write it as \"EPSG:2154\"",
        "layer[1] (b.csv).decimal: must be \".\" or \",\"",
        "layer[1] (b.csv).delimiter: \";;\" must be one ASCII character",
        "layer[1] (b.csv).encoding: unknown encoding \"klingon\"",
        "layer[1] (b.csv).name: is required",
        "layer[2] (\"c\", c.xlsx).path: c.xlsx is not a format sitematch reads",
    ];
    assert_eq!(found.len(), expected.len(), "{found:#?}");
    for (f, e) in found.iter().zip(expected) {
        assert!(f.starts_with(e), "{f:?} should start with {e:?}");
    }
}

/// An empty `.cpg` (GDAL writes one at times) is treated as absent, as GDAL does: the
/// DBF's language driver or the catalog's `encoding` decides.
#[test]
fn an_empty_cpg_counts_as_absent() {
    let dir = tempfile::tempdir().unwrap();
    let src = fixtures().join("shp/l93_cp1252");
    for ext in ["shp", "shx", "dbf", "prj"] {
        std::fs::copy(
            src.join(format!("friches.{ext}")),
            dir.path().join(format!("f.{ext}")),
        )
        .unwrap();
    }
    for empty in ["", "\n", "  \r\n"] {
        put(dir.path(), "f.cpg", empty);
        let c = catalog_in(
            dir.path(),
            "[[layer]]\nname = \"f\"\nrole = \"sites\"\npath = \"f.shp\"\nid = \"site_id\"\n\
             label = \"FRICHE\"\nencoding = \"cp1252\"\n",
        )
        .unwrap();
        let f = c.layers[0]
            .features
            .iter()
            .find(|f| f.id == "08105_04")
            .unwrap();
        assert_eq!(f.label.as_deref(), Some("École normale"), "{empty:?}");
    }
    // A .cpg naming nothing known is still an error naming the .cpg, when the
    // catalog sets no encoding (one it sets wins over the .cpg).
    put(dir.path(), "f.cpg", "KLINGON-8");
    assert!(Catalog::from_path(dir.path()).is_ok());
    let e = catalog_in(
        dir.path(),
        "[[layer]]\nname = \"f\"\nrole = \"sites\"\npath = \"f.shp\"\nid = \"site_id\"\n",
    )
    .unwrap_err()
    .to_string();
    assert_mentions(&e, &["f.cpg", "unknown encoding \"KLINGON-8\""]);
}

/// A semicolon CSV (as French spreadsheets export it) in a catalog that gives no
/// `delimiter`: the error says the file is separated by ';' and how to say so, instead
/// of listing one field with semicolons in it.
#[test]
fn a_semicolon_csv_without_its_delimiter_is_named() {
    let dir = tempfile::tempdir().unwrap();
    put(dir.path(), "p.csv", "id;nom;lon;lat\na;Lille;3,06;50,63\n");
    let catalog = "[[layer]]\nname = \"p\"\nrole = \"sites\"\npath = \"p.csv\"\nx = \"lon\"\n\
                   y = \"lat\"\nid = \"id\"\n";
    let e = catalog_in(dir.path(), catalog).unwrap_err().to_string();
    assert_mentions(
        &e,
        &[
            "p.csv",
            "line 1",
            "separated by ';'",
            "add delimiter = \";\" to layer \"p\"",
        ],
    );
    // Said, and with decimal commas: the layer loads.
    let fixed = format!("{catalog}delimiter = \";\"\ndecimal = \",\"\n");
    let c = catalog_in(dir.path(), fixed).unwrap();
    assert_eq!(c.layers[0].features.len(), 1);
}

/// A header that ends with a separator (as some GDAL CSV exports with
/// `-lco GEOMETRY=AS_XY` write it: `X,Y,id,nom,`) over rows that do not: the unnamed
/// last column may be missing, as GDAL reads it. A real mismatch names both counts.
#[test]
fn a_trailing_separator_on_the_header_is_not_a_mismatch() {
    let dir = tempfile::tempdir().unwrap();
    put(
        dir.path(),
        "p.csv",
        "X,Y,id,nom,\n3.06,50.63,a,Lille\n3.08,50.37,b,Douai,\n3.1,50.4,c\n",
    );
    let c = catalog_in(
        dir.path(),
        "[[layer]]\nname = \"p\"\nrole = \"facilities\"\npath = \"p.csv\"\nx = \"X\"\ny = \"Y\"\n\
         id = \"id\"\nlabel = \"nom\"\n",
    )
    .unwrap();
    let l = &c.layers[0];
    assert_eq!(l.features.len(), 2);
    assert_eq!(l.features[0].label.as_deref(), Some("Lille"));
    assert_eq!(l.features[1].label.as_deref(), Some("Douai"));
    // Row c lacks a named column: skipped, with both counts.
    assert_eq!(l.skipped.len(), 1);
    let why = l.skipped[0].to_string();
    assert_mentions(&why, &["line 4", "the row has 3 fields, the header 5"]);
}

/// A message never echoes a whole header: a 20,000-column CSV whose mapped field is
/// missing gives a message of a few hundred bytes.
#[test]
fn messages_do_not_echo_a_huge_header() {
    let dir = tempfile::tempdir().unwrap();
    let header: Vec<String> = (0..20_000).map(|i| format!("column_{i}")).collect();
    put(
        dir.path(),
        "p.csv",
        format!("x,y,{}\n1,2\n", header.join(",")),
    );
    let e = catalog_in(
        dir.path(),
        "[[layer]]\nname = \"p\"\nrole = \"facilities\"\npath = \"p.csv\"\nx = \"x\"\ny = \"y\"\n\
         label = \"nom\"\n",
    )
    .unwrap_err()
    .to_string();
    assert_mentions(&e, &["has no field \"nom\"", "column_0"]);
    assert!(e.len() < 1000, "{} bytes", e.len());
}

/// Points on the antimeridian in Web Mercator are kept (round-off past ±180 is not
/// "out of range").
#[test]
fn web_mercator_points_at_the_antimeridian_are_kept() {
    let dir = tempfile::tempdir().unwrap();
    put(
        dir.path(),
        "p.csv",
        "id,x,y\neast,20037508.3428,-2000000\nwest,-20037508.3428,-2000000\n",
    );
    let c = catalog_in(
        dir.path(),
        "[[layer]]\nname = \"p\"\nrole = \"facilities\"\npath = \"p.csv\"\ncrs = \"EPSG:3857\"\n\
         x = \"x\"\ny = \"y\"\nid = \"id\"\n",
    )
    .unwrap();
    let l = &c.layers[0];
    assert_eq!(
        (l.features.len(), l.skipped.len()),
        (2, 0),
        "{:?}",
        l.skipped
    );
    for f in &l.features {
        assert!(
            (f.location.x().abs() - 180.0).abs() < 1e-6,
            "{}: {}",
            f.id,
            f.location.x()
        );
    }
}

/// Text encodings at the file level, as GDAL reads them: a GeoJSON or CSV starting with
/// a UTF-8 byte-order mark loads; a UTF-16 GeoJSON (with its mark) is decoded; a
/// UTF-16 CSV is refused with a message that says UTF-16.
#[test]
fn byte_order_marks_and_utf16() {
    let dir = tempfile::tempdir().unwrap();
    let fc = r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"id":"a","nom":"Sète"},"geometry":{"type":"Point","coordinates":[3.7,43.4]}}]}"#;
    let catalog = |path: &str, extra: &str| {
        put(
            dir.path(),
            "catalog.toml",
            format!(
                "[[layer]]\nname = \"p\"\nrole = \"facilities\"\npath = \"{path}\"\nid = \"id\"\n\
                 label = \"nom\"\n{extra}"
            ),
        );
        Catalog::from_path(dir.path())
    };
    let mut bom = b"\xef\xbb\xbf".to_vec();
    bom.extend_from_slice(fc.as_bytes());
    put(dir.path(), "p.geojson", &bom);
    let c = catalog("p.geojson", "").unwrap();
    assert_eq!(c.layers[0].features[0].label.as_deref(), Some("Sète"));
    for (mark, be) in [([0xffu8, 0xfe], false), ([0xfe, 0xff], true)] {
        let mut utf16 = mark.to_vec();
        for unit in fc.encode_utf16() {
            utf16.extend_from_slice(&if be {
                unit.to_be_bytes()
            } else {
                unit.to_le_bytes()
            });
        }
        put(dir.path(), "p.geojson", &utf16);
        let c = catalog("p.geojson", "").unwrap();
        assert_eq!(
            c.layers[0].features[0].label.as_deref(),
            Some("Sète"),
            "be {be}"
        );
    }
    put(
        dir.path(),
        "p.csv",
        b"\xef\xbb\xbfid,nom,x,y\na,S\xc3\xa8te,3.7,43.4\n",
    );
    let c = catalog("p.csv", "x = \"x\"\ny = \"y\"\n").unwrap();
    assert_eq!(c.layers[0].features[0].label.as_deref(), Some("Sète"));
    let mut utf16 = vec![0xff, 0xfe];
    for unit in "id,nom,x,y\na,Sète,3.7,43.4\n".encode_utf16() {
        utf16.extend_from_slice(&unit.to_le_bytes());
    }
    put(dir.path(), "p.csv", &utf16);
    let e = catalog("p.csv", "x = \"x\"\ny = \"y\"\n")
        .unwrap_err()
        .to_string();
    assert_mentions(&e, &["p.csv", "UTF-16LE"]);
}

/// An empty FeatureCollection is a valid layer with no features: the catalog's field
/// mapping does not fail on it, and a brief over it gives null values.
#[test]
fn an_empty_collection_is_a_layer_with_no_features() {
    let dir = tempfile::tempdir().unwrap();
    put(
        dir.path(),
        "e.geojson",
        r#"{"type":"FeatureCollection","features":[]}"#,
    );
    put(
        dir.path(),
        "s.geojson",
        r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"id":"s"},"geometry":{"type":"Point","coordinates":[2,48]}}]}"#,
    );
    let c = catalog_in(
        dir.path(),
        "[[layer]]\nname = \"e\"\nrole = \"facilities\"\npath = \"e.geojson\"\nlabel = \"nom\"\n\
         [layer.fields]\ncapacity = \"capacity\"\n\
         [[layer]]\nname = \"s\"\nrole = \"sites\"\npath = \"s.geojson\"\nid = \"id\"\n",
    )
    .unwrap();
    assert_eq!(c.layers[0].features.len(), 0);
    let engine = sitematch::Engine::new(c);
    let brief = sitematch::Brief::from_toml_str(
        "[[criterion]]\nname = \"d\"\ntype = \"distance\"\nlayer = \"e\"\nideal_km = 1\nzero_km = 10\n\
         [[criterion]]\nname = \"a\"\ntype = \"access\"\nlayer = \"e\"\nfield = \"capacity\"\n\
         radius_km = 10\nsaturation = 5\n",
    )
    .unwrap();
    let r = engine.rank(&brief).unwrap();
    let s = r.site("s").unwrap();
    assert_eq!(s.criteria[0].value, sitematch::CriterionValue::Number(None));
    assert_eq!(
        s.criteria[1].value,
        sitematch::CriterionValue::Number(Some(0.0))
    );
}

/// The engine says which catalog file its layers came from.
#[test]
fn the_engine_names_its_catalog() {
    let dir = tempfile::tempdir().unwrap();
    put(dir.path(), "p.csv", "id,x,y\na,2.3,48.8\n");
    let c = catalog_in(
        dir.path(),
        "[[layer]]\nname = \"p\"\nrole = \"facilities\"\npath = \"p.csv\"\nx = \"x\"\ny = \"y\"\nid = \"id\"\n",
    )
    .unwrap();
    let engine = sitematch::Engine::new(c);
    assert_eq!(
        engine.catalog_path(),
        Some(dir.path().join("catalog.toml").as_path())
    );
    assert_eq!(
        engine.layers().map(|l| l.name.as_str()).collect::<Vec<_>>(),
        ["p"]
    );
}

/// A GeoPackage: several tables need `table` (the error lists them), an unknown table
/// is named, `table` on another format is a catalog problem, a missing field lists
/// the fields there are, and a truncated or corrupt file is an error naming it.
#[test]
fn geopackage_tables_and_damaged_files_are_named() {
    let corpus = fixtures().join("gdal_written/out");
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(corpus.join("points.gpkg"), dir.path().join("points.gpkg")).unwrap();
    let catalog = |layer: &str| {
        let path = dir.path().join("catalog.toml");
        std::fs::write(
            &path,
            format!("[[layer]]\nname = \"p\"\nrole = \"facilities\"\nid = \"id\"\n{layer}"),
        )
        .unwrap();
        Catalog::from_path(&path).map(|c| c.layers[0].features.len())
    };
    let err = catalog("path = \"points.gpkg\"\n").unwrap_err().to_string();
    assert!(
        err.contains("points.gpkg")
            && err.contains("2 feature tables (\"points\", \"points_l93\")")
            && err.contains("table = \"...\""),
        "{err}"
    );
    assert_eq!(
        catalog("path = \"points.gpkg\"\ntable = \"points_l93\"\n").unwrap(),
        4
    );
    let err = catalog("path = \"points.gpkg\"\ntable = \"pionts\"\n")
        .unwrap_err()
        .to_string();
    assert!(err.contains("no feature table \"pionts\""), "{err}");
    let err = catalog("path = \"points.gpkg\"\ntable = \"points\"\nlabel = \"nom\"\n")
        .unwrap_err()
        .to_string();
    assert!(err.contains("nom") && err.contains("jobs"), "{err}");
    std::fs::write(dir.path().join("x.csv"), "id,x,y\n1,2,48\n").unwrap();
    let err = catalog("path = \"x.csv\"\nx = \"x\"\ny = \"y\"\ntable = \"t\"\n")
        .unwrap_err()
        .to_string();
    assert!(err.contains("table") && err.contains("GeoPackage"), "{err}");
    // Cut short, and overwritten in its middle: errors naming the file, no panic.
    let bytes = std::fs::read(corpus.join("points.gpkg")).unwrap();
    std::fs::write(dir.path().join("cut.gpkg"), &bytes[..bytes.len() / 3]).unwrap();
    let mut corrupt = bytes.clone();
    for b in &mut corrupt[4096..16384] {
        *b = 0x5a;
    }
    std::fs::write(dir.path().join("corrupt.gpkg"), &corrupt).unwrap();
    std::fs::write(dir.path().join("text.gpkg"), "not a database at all").unwrap();
    for name in ["cut.gpkg", "corrupt.gpkg", "text.gpkg"] {
        let err = catalog(&format!("path = \"{name}\"\ntable = \"points\"\n"))
            .unwrap_err()
            .to_string();
        assert!(err.contains(name), "{name}: {err}");
    }
}

/// A FlatGeobuf file cut at every other length, or with one byte in three changed,
/// reads as an error naming the file or as features: never a panic (the crate's own
/// reader panicked on both), never a hang. A file that is
/// not FlatGeobuf at all is named.
#[test]
fn damaged_flatgeobuf_files_are_errors_not_panics() {
    let bytes = std::fs::read(fixtures().join("gdal_written/out/points.fgb")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("damaged.fgb");
    std::fs::write(
        dir.path().join("catalog.toml"),
        "[[layer]]\nname = \"p\"\nrole = \"facilities\"\npath = \"damaged.fgb\"\nid = \"id\"\n",
    )
    .unwrap();
    let read = |b: &[u8]| {
        std::fs::write(&path, b).unwrap();
        Catalog::from_path(dir.path().join("catalog.toml"))
    };
    let whole = read(&bytes).unwrap();
    assert_eq!(whole.layers[0].features.len(), 5);
    let mut errors = 0;
    for cut in (0..bytes.len()).step_by(2) {
        if let Err(e) = read(&bytes[..cut]) {
            assert!(e.to_string().contains("damaged.fgb"), "{e}");
            errors += 1;
        }
    }
    assert!(errors > bytes.len() / 4, "{errors} errors");
    for i in (0..bytes.len()).step_by(3) {
        let mut b = bytes.clone();
        b[i] ^= 0xff;
        if let Err(e) = read(&b) {
            assert!(e.to_string().contains("damaged.fgb"), "{e}");
        }
    }
    let err = read(b"id,x,y\n1,2,48\n").unwrap_err().to_string();
    assert!(
        err.contains("damaged.fgb") && err.contains("FlatGeobuf"),
        "{err}"
    );
}

/// The inputs the FlatGeobuf and GeoPackage fuzz targets found
/// (`tests/fixtures/bad/fgb_fuzz`, `gpkg_fuzz`): one made the flatgeobuf crate's
/// geometry reader index past its coordinates (a panic), one made it allocate
/// gigabytes; one made geozero's WKB reader panic on a polygon's damaged ring count. Both now read as an error naming the file, or as
/// features.
#[test]
fn flatgeobuf_and_geopackage_inputs_the_fuzzer_found_read_without_panic() {
    for (folder, name, file) in [
        ("fgb_fuzz", "geometry_index.fgb", "f.fgb"),
        ("fgb_fuzz", "slow.fgb", "f.fgb"),
        ("gpkg_fuzz", "polygon_count.gpkg", "f.gpkg"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        std::fs::copy(
            fixtures().join("bad").join(folder).join(name),
            dir.path().join(file),
        )
        .unwrap();
        std::fs::write(
            dir.path().join("catalog.toml"),
            format!("[[layer]]\nname = \"f\"\nrole = \"sites\"\npath = \"{file}\"\n"),
        )
        .unwrap();
        match Catalog::from_path(dir.path()) {
            Ok(c) => assert!(c.layers[0].features.len() < 100, "{name}"),
            Err(e) => assert!(e.to_string().contains(file), "{name}: {e}"),
        }
    }
}

/// A text repeated down a column is one shared text, whatever the format and whether
/// the layer comes from its file or from the snapshot; values stay those of the file.
#[test]
fn repeated_texts_are_held_once() {
    let dir = tempfile::tempdir().unwrap();
    put(
        dir.path(),
        "sites.csv",
        "id,lon,lat,statut,commune\na,2.0,48.0,friche sans projet,75056\nb,2.1,48.1,friche sans projet,75056\nc,2.2,48.2, friche avec projet ,75056\n",
    );
    let point = |id: &str, x: f64| {
        format!(
            r#"{{"type":"Feature","properties":{{"id":"{id}","statut":"friche sans projet","commune":"75056"}},"geometry":{{"type":"Point","coordinates":[{x},48.0]}}}}"#
        )
    };
    put(
        dir.path(),
        "sites.geojson",
        format!(
            r#"{{"type":"FeatureCollection","features":[{},{}]}}"#,
            point("a", 2.0),
            point("b", 2.1)
        ),
    );
    let layer = |name: &str, path: &str, xy: &str| {
        format!(
            "[[layer]]\nname = \"{name}\"\nrole = \"sites\"\npath = \"{path}\"\nid = \"id\"\ncommune = \"commune\"\n{xy}[layer.fields]\nstatut = \"statut\"\n"
        )
    };
    let catalog = layer("csv", "sites.csv", "x = \"lon\"\ny = \"lat\"\n")
        + &layer("geojson", "sites.geojson", "");
    put(dir.path(), "catalog.toml", catalog);
    let cache = tempfile::tempdir().unwrap();
    let load = || {
        Catalog::builder(dir.path())
            .cache(Some(cache.path().to_path_buf()))
            .build_noting()
            .unwrap()
    };
    let (from_files, first) = load();
    let (from_snapshot, second) = load();
    assert!(
        matches!(first, sitematch::SnapshotUse::Written(_)),
        "{first:?}"
    );
    assert!(
        matches!(second, sitematch::SnapshotUse::Read(_)),
        "{second:?}"
    );
    for c in [&from_files, &from_snapshot] {
        for l in &c.layers {
            let text = |i: usize| match l.features[i].attributes.get("statut") {
                Some(Value::Text(t)) => t.clone(),
                other => panic!("{}: statut {other:?}", l.name),
            };
            assert_eq!(text(0), "friche sans projet");
            assert!(sitematch::ArcStr::ptr_eq(&text(0), &text(1)), "{}", l.name);
            let commune = |i: usize| l.features[i].commune.clone().unwrap();
            assert_eq!(commune(0), "75056");
            assert!(
                sitematch::ArcStr::ptr_eq(&commune(0), &commune(1)),
                "{}",
                l.name
            );
            // The features of a layer share their attribute names.
            assert!(std::ptr::eq(
                l.features[0].attributes.names().as_slice().as_ptr(),
                l.features[1].attributes.names().as_slice().as_ptr()
            ));
        }
        let csv = &c.layers[0];
        // Trimmed as before, and a different text stays different.
        assert_eq!(
            csv.features[2].attributes.get("statut"),
            Some(&Value::Text("friche avec projet".into()))
        );
    }
    assert_eq!(
        from_files.layers[0].features,
        from_snapshot.layers[0].features
    );
    assert_eq!(
        from_files.layers[1].features,
        from_snapshot.layers[1].features
    );
}
