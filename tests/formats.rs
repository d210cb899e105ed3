//! The GIS formats round-trip through GDAL: the GeoPackage (layers, types, counts,
//! CRS, values, styles, metadata) and the CSV with its `.csvt` and `.prj` sidecars.

use std::path::Path;

use sitematch::output::{csvt, write_csv, write_geojson, write_gpkg, OutputOptions, PRJ_WGS84};
use sitematch::{Brief, Catalog, Engine, Ranking};

use crate::util::{assert_mentions, fixtures, gdal, ogr_layer, put, stdout_of};

fn fixture_ranking() -> Ranking {
    let brief = Brief::from_path(fixtures().join("rank/brief.toml")).unwrap();
    let catalog = Catalog::from_path(fixtures().join("rank")).unwrap();
    Engine::new(catalog).rank(&brief).unwrap()
}

const ALL: OutputOptions = OutputOptions {
    top: 1,
    include_excluded: true,
};

/// The rows of `SELECT ...` on a GeoPackage, through GDAL's SQL (`ogr2ogr` to CSV).
fn sql_rows(path: &Path, sql: &str) -> Option<Vec<Vec<String>>> {
    let (out, err) = gdal(
        "ogr2ogr",
        &[
            "-f",
            "CSV",
            "/vsistdout/",
            path.to_str().unwrap(),
            "-sql",
            sql,
        ],
    )?;
    assert!(err.is_empty(), "GDAL warned: {err}");
    let mut reader = csv::Reader::from_reader(out.as_bytes());
    Some(
        reader
            .records()
            .map(|r| r.unwrap().iter().map(String::from).collect())
            .collect(),
    )
}

/// The JSON type of each GeoJSON property, as the GDAL type it maps to.
fn geojson_types(r: &Ranking) -> Vec<(String, String)> {
    let mut out = Vec::new();
    write_geojson(r, &ALL, &mut out).unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let features = v["features"].as_array().unwrap();
    let first = features[0]["properties"].as_object().unwrap();
    first
        .keys()
        .map(|k| {
            // The first non-null value of the property decides.
            let value = features
                .iter()
                .map(|f| &f["properties"][k])
                .find(|v| !v.is_null());
            let typ = match value {
                Some(serde_json::Value::Bool(_)) => "Integer(Boolean)",
                Some(serde_json::Value::Number(n)) if n.is_i64() => "Integer64",
                Some(serde_json::Value::Number(_)) => "Real",
                _ => "String",
            };
            (k.clone(), typ.to_string())
        })
        .collect()
}

#[test]
fn gpkg_round_trips_through_gdal() {
    let r = fixture_ranking();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shortlist.gpkg");
    let counts = write_gpkg(&r, &ALL, &[("brief_file", "brief.toml")], &path).unwrap();
    let ranked = r.ranked_sites().len();
    let excluded = r.excluded_sites().len();
    // The fixture's sites are Ardennes polygons: every ranked site has a footprint.
    let with_polygon = r
        .ranked_sites()
        .iter()
        .filter(|s| {
            matches!(
                s.geometry,
                geo::Geometry::Polygon(_) | geo::Geometry::MultiPolygon(_)
            )
        })
        .count();
    assert!(ranked >= 2 && excluded >= 1 && with_polygon >= 2);
    assert_eq!(
        (counts.sites, counts.footprints, counts.excluded),
        (ranked, with_polygon, excluded)
    );

    let Some((list, err)) = gdal("ogrinfo", &["-ro", "-q", path.to_str().unwrap()]) else {
        return;
    };
    assert!(err.is_empty(), "GDAL warned: {err}");
    let layers: Vec<&str> = list.lines().map(str::trim).collect();
    assert_eq!(
        layers,
        [
            "1: sites (Point)",
            "2: site_footprints (Multi Polygon)",
            "3: excluded_sites (Point)",
            "4: sitematch_run (None)",
            "5: sitematch_criteria (None)",
            "6: layer_styles (None)",
        ]
    );
    // Types: those of the GeoJSON properties (a different writer), column by column.
    let expected = geojson_types(&r);
    for (layer, count) in [
        ("sites", ranked),
        ("site_footprints", with_polygon),
        ("excluded_sites", excluded),
    ] {
        let info = ogr_layer(&path, Some(layer)).unwrap();
        assert!(
            info.stderr.is_empty(),
            "{layer}: GDAL warned: {}",
            info.stderr
        );
        assert_eq!(info.count, count, "{layer}");
        assert!(
            info.text.contains("ID[\"EPSG\",4326]"),
            "{layer}: {}",
            info.text
        );
        assert_eq!(info.fields, expected, "{layer}");
    }

    // Values: ids, ranks, scores and locations as the ranking has them.
    let rows = sql_rows(
        &path,
        "SELECT site_id, rank, score, ST_X(geom) AS x, ST_Y(geom) AS y FROM sites ORDER BY fid",
    )
    .unwrap();
    assert_eq!(rows.len(), ranked);
    for (row, s) in rows.iter().zip(r.ranked_sites()) {
        assert_eq!(row[0], s.site_id);
        assert_eq!(row[1].parse::<usize>().ok(), s.rank);
        let score: f64 = row[2].parse().unwrap();
        assert!((score - s.score.unwrap()).abs() < 1e-9);
        let (x, y): (f64, f64) = (row[3].parse().unwrap(), row[4].parse().unwrap());
        assert!((x - s.location.x()).abs() < 1e-12 && (y - s.location.y()).abs() < 1e-12);
    }
    // The footprints' areas as the ranking's geometry has them (GDAL's ST_Area on
    // lon/lat degrees against geo's planar area of the same coordinates; the shoelace
    // sum of a hectare at 50° loses ~1e-9 of its value to cancellation, differently in
    // each implementation, so they agree to 1e-6, far below a wrong ring or vertex).
    let rows = sql_rows(&path, "SELECT site_id, ST_Area(geom) FROM site_footprints").unwrap();
    for row in rows {
        let s = r.site(&row[0]).unwrap();
        let area: f64 = row[1].parse().unwrap();
        let expected = geo::Area::unsigned_area(&s.geometry);
        assert!(
            (area - expected).abs() <= 1e-6 * expected,
            "{}: GDAL {area}, geo {expected}",
            row[0]
        );
    }

    // The run's metadata and the criteria.
    let rows = sql_rows(
        &path,
        "SELECT key, value FROM sitematch_run WHERE key IN ('brief', 'method', 'brief_file')",
    )
    .unwrap();
    assert!(rows.contains(&vec!["brief".into(), r.brief_name.clone()]));
    assert!(rows.contains(&vec!["method".into(), r.method.to_string()]));
    assert!(rows.contains(&vec!["brief_file".into(), "brief.toml".into()]));
    let rows = sql_rows(
        &path,
        "SELECT name, weight FROM sitematch_criteria ORDER BY fid",
    )
    .unwrap();
    assert_eq!(rows.len(), r.criteria.len());
    let weights: f64 = rows.iter().map(|w| w[1].parse::<f64>().unwrap()).sum();
    assert!((weights - 1.0).abs() < 1e-9);

    // One default style per spatial layer, graduated by score for the ranked ones.
    let rows = sql_rows(
        &path,
        "SELECT f_table_name, f_geometry_column, useAsDefault, styleQML FROM layer_styles ORDER BY id",
    )
    .unwrap();
    let names: Vec<&str> = rows.iter().map(|r| r[0].as_str()).collect();
    assert_eq!(names, ["sites", "site_footprints", "excluded_sites"]);
    for row in &rows {
        assert_eq!(row[1], "geom");
        assert_eq!(row[2], "1");
        assert_eq!(
            row[3].contains("graduatedSymbol"),
            row[0] != "excluded_sites",
            "{}",
            row[0]
        );
    }

    // A GeoPackage is never merged into an existing file.
    let again = write_gpkg(&r, &ALL, &[], &path).unwrap_err().to_string();
    assert_mentions(&again, &["shortlist.gpkg", "exists"]);
}

/// The `.csvt` makes GDAL read the CSV with the GeoJSON's types, keep a code with a
/// leading zero as text, and make points of lon/lat; the `.prj` gives WGS 84.
#[test]
fn csv_sidecars_give_gdal_the_types_and_the_crs() {
    use sitematch::{Feature, Layer, Role, Value};
    let mut a = Feature::point("a", 2.0, 48.0);
    a.attributes
        .insert("code".into(), Value::Text("0396".into()));
    a.area_ha = Some(12.0);
    let mut b = Feature::point("b", 2.5, 48.5);
    b.attributes.insert("code".into(), Value::Text("12".into()));
    b.area_ha = Some(30.0);
    let mut layer = Layer::from_features("sites", Role::Sites, vec![a, b]);
    layer.attribute_names = vec!["code".into()];
    let engine = Engine::new(Catalog::from_layers(vec![layer]));
    let brief = Brief::from_toml_str(
        "[[criterion]]\nname = \"land\"\ntype = \"attribute\"\nfield = \"area_ha\"\nideal = 60\nzero = 0\n",
    )
    .unwrap();
    let r = engine.rank(&brief).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shortlist.csv");
    let mut out = Vec::new();
    write_csv(&r, &ALL, &mut out).unwrap();
    std::fs::write(&path, out).unwrap();
    put(dir.path(), "shortlist.csvt", csvt(&r));
    put(dir.path(), "shortlist.prj", PRJ_WGS84);

    let Some(info) = ogr_layer(&path, None) else {
        return;
    };
    assert!(info.stderr.is_empty(), "GDAL warned: {}", info.stderr);
    assert_eq!(info.count, 2);
    assert_eq!(info.geometry, "Point");
    assert!(info.text.contains("WGS 84"), "{}", info.text);
    // lon and lat are CoordX/CoordY (read as Real), after the GeoJSON's columns.
    let mut expected = geojson_types(&r);
    expected.push(("lon".into(), "Real".into()));
    expected.push(("lat".into(), "Real".into()));
    assert_eq!(info.fields, expected);
    let (json, _) = gdal(
        "ogr2ogr",
        &["-f", "GeoJSON", "/vsistdout/", path.to_str().unwrap()],
    )
    .unwrap();
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let codes: Vec<&serde_json::Value> = v["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| &f["properties"]["code"])
        .collect();
    assert_eq!(
        codes,
        [&serde_json::json!("12"), &serde_json::json!("0396")]
    );
    assert_eq!(
        v["features"][0]["geometry"]["coordinates"],
        serde_json::json!([2.5, 48.5])
    );
}

/// A Python with PyQGIS (Debian python3-qgis), or `None` with a note; under CI, which
/// installs it, its absence fails.
fn pyqgis() -> Option<String> {
    crate::util::tool(
        &["/usr/bin/python3", "python3"],
        &["-c", "import qgis.core"],
        "PyQGIS (python3-qgis)",
    )
}

/// QGIS itself (headless PyQGIS) opens the GeoPackage's layers and a GeoJSON with its
/// `.qml`, and applies the default styles: five score classes, red to green, labels
/// by rank, each site drawn in the colour of its score's class; excluded sites grey
/// without labels.
#[test]
fn qgis_applies_the_styles() {
    let Some(python) = pyqgis() else {
        return;
    };
    let r = fixture_ranking();
    let dir = tempfile::tempdir().unwrap();
    let gpkg = dir.path().join("shortlist.gpkg");
    write_gpkg(&r, &ALL, &[], &gpkg).unwrap();
    let geojson = dir.path().join("shortlist.geojson");
    let mut out = Vec::new();
    let top = OutputOptions::for_ranking(&r);
    write_geojson(&r, &top, &mut out).unwrap();
    std::fs::write(&geojson, out).unwrap();
    let qml =
        sitematch::output::qgis_style(sitematch::output::StyleGeometry::Point, true, Some("rank"));
    put(dir.path(), "shortlist.qml", qml);

    let g = gpkg.display().to_string();
    let uris = [
        format!("{g}|layername=sites"),
        format!("{g}|layername=site_footprints"),
        format!("{g}|layername=excluded_sites"),
        geojson.display().to_string(),
    ];
    let mut out = std::process::Command::new(&python);
    out.arg(fixtures().join("../qgis/styles.py"))
        .args(&uris)
        .env("QT_QPA_PLATFORM", "offscreen");
    let stdout = stdout_of(out);
    let json = stdout.lines().rev().find(|l| l.starts_with('{')).unwrap();
    let v: serde_json::Value = serde_json::from_str(json).unwrap();
    let colour = |score: f64| {
        let k = ((score / 20.0).floor() as usize).min(4);
        ["#d7191c", "#fdae61", "#ffffbf", "#a6d96a", "#1a9641"][k]
    };
    for uri in &uris {
        let l = &v[uri.as_str()];
        assert_eq!(l["valid"], true, "{uri}");
        if uri.ends_with("excluded_sites") {
            assert_eq!(l["renderer"], "singleSymbol");
            assert!(l["labels"].is_null());
            assert_eq!(
                l["features"].as_u64(),
                Some(r.excluded_sites().len() as u64)
            );
            continue;
        }
        assert_eq!(l["renderer"], "graduatedSymbol", "{uri}");
        assert_eq!(l["attribute"], "score", "{uri}");
        assert_eq!(l["labels"], "rank", "{uri}");
        assert_eq!(l["classes"].as_array().unwrap().len(), 5, "{uri}");
        let drawn = l["colours"].as_array().unwrap();
        assert!(!drawn.is_empty(), "{uri}");
        for d in drawn {
            let score = d[0].as_f64().unwrap();
            assert_eq!(d[1], colour(score), "{uri}: score {score}");
        }
    }
}

/// Headless Chromium (Debian `chromium`; `CHROMIUM` names another), or `None` with a
/// note; under CI, which installs it, its absence fails.
fn chromium() -> Option<String> {
    let named = std::env::var("CHROMIUM").ok();
    let candidates: Vec<&str> = match &named {
        Some(c) => vec![c.as_str()],
        None => vec!["chromium", "chromium-browser"],
    };
    crate::util::tool(&candidates, &["--version"], "chromium")
}

/// The DOM of a page after its scripts ran, as headless Chromium gives it.
fn rendered_dom(browser: &str, url: &str) -> String {
    let mut out = std::process::Command::new(browser);
    out.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--virtual-time-budget=10000",
        "--dump-dom",
        url,
    ]);
    stdout_of(out)
}

/// The class attribute of every SVG `<path>` Leaflet drew (the inlined scripts' text
/// also holds "<path", without that class).
fn path_classes(dom: &str) -> Vec<String> {
    dom.split("<path class=\"")
        .skip(1)
        .filter_map(|p| p.split('"').next())
        .filter(|c| c.contains("leaflet-interactive"))
        .map(String::from)
        .collect()
}

/// A real browser opens the report offline: the page signals it has drawn one marker
/// per written site, one path per outline near them, one table row per site, and
/// every site's popup holds its score receipt (rank, score, each criterion).
#[test]
fn a_browser_draws_the_html_report() {
    let Some(browser) = chromium() else {
        return;
    };
    let r = fixture_ranking();
    let catalog = Catalog::from_path(fixtures().join("rank")).unwrap();
    let outlines = catalog.layer("centre").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("report.html");
    let mut out = Vec::new();
    sitematch::output::write_html(&r, &ALL, Some(outlines), &mut out).unwrap();
    std::fs::write(&path, out).unwrap();
    let url = format!("file://{}", path.display());

    // As a client opens it: the ranked sites drawn, labelled by rank.
    let dom = rendered_dom(&browser, &url);
    let ranked = r.ranked_sites().len();
    assert!(
        dom.contains(&format!("data-drawn=\"{ranked}\"")),
        "the page did not finish drawing"
    );
    assert_eq!(dom.matches("class=\"leaflet-tooltip rank ").count(), ranked);
    // The SVG paths drawn: a marker per ranked site, the outline (the fixture's one
    // zone).
    let classes = path_classes(&dom);
    let markers = classes
        .iter()
        .filter(|c| c.starts_with("site-marker ranked"))
        .count();
    assert_eq!(markers, ranked);
    // Drawn worst first: where markers overlap, the better site is on top.
    let drawn: Vec<usize> = classes
        .iter()
        .filter_map(|c| c.split("rank-").nth(1)?.split(' ').next()?.parse().ok())
        .collect();
    let mut descending = drawn.clone();
    descending.sort_by(|a, b| b.cmp(a));
    assert_eq!(drawn, descending);
    assert_eq!(drawn.len(), ranked);
    assert_eq!(
        classes.len(),
        ranked + outlines.features.len(),
        "{classes:?}"
    );
    assert_eq!(
        dom.matches("<tr data-site=").count(),
        r.sites.len(),
        "one table row per site written"
    );

    // Every popup, opened in turn by the page's own check mode.
    let dom = rendered_dom(&browser, &format!("{url}#check"));
    assert!(dom.contains(&format!("data-drawn=\"{}\"", r.sites.len())));
    let mut brief_popups = 0;
    for s in &r.sites {
        let start = dom
            .find(&format!("<section data-site=\"{}\">", s.site_id))
            .unwrap_or_else(|| panic!("no popup for {}", s.site_id));
        let end = dom[start..].find("</section>").unwrap() + start;
        let popup = &dom[start..end];
        match (s.rank, s.score) {
            (Some(rank), Some(score)) => {
                assert!(popup.contains(&format!("#{rank} ")), "{popup}");
                assert!(
                    popup.contains(&format!("Score <b>{score:.1}</b>")),
                    "{popup}"
                );
            }
            _ => assert!(popup.contains("Excluded by"), "{popup}"),
        }
        // An excluded site's popup says why; its values are in the table (a receipt
        // per excluded site made a national report 39 MB). A near miss keeps it.
        if s.rank.is_none() && s.decision.near_miss.is_none() {
            assert!(!popup.contains("<td>"), "{popup}");
            brief_popups += 1;
            continue;
        }
        for (info, c) in r.criteria.iter().zip(&s.criteria) {
            let row = format!("<td>{}</td>", info.name);
            assert!(popup.contains(&row), "{}: no row {row}", s.site_id);
            assert!(
                popup.contains(&format!("<td>{:.1}</td>", c.points)),
                "{popup}"
            );
        }
    }
    assert!(brief_popups > 0, "the fixture has no excluded site");
}

/// The map names the most populous towns in its view (at most `TOWN_LABELS`), and
/// draws a basemap only when one is asked for: a real browser shows the labels and
/// requests the tiles.
#[test]
fn a_browser_draws_town_names_and_a_basemap() {
    use sitematch::output::{write_html_map, MapContext, Tiles, TOWN_LABELS};
    use sitematch::{Feature, Layer, Role, Value};
    let Some(browser) = chromium() else {
        return;
    };
    let r = fixture_ranking();
    let first = r.ranked_sites()[0].location;
    // Twenty towns around the first site, town k with 1000 k people; one far away
    // with the most people of all.
    let mut towns: Vec<Feature> = (1..=20)
        .map(|k| {
            let mut f = Feature::point(format!("t{k}"), first.x() + 0.01 * k as f64, first.y());
            // One name with markup in it: the page must show it as text.
            f.label = Some(match k {
                20 => "<b>Town20 & Co</b>".into(),
                _ => format!("Town{k:02}").into(),
            });
            f.attributes
                .insert("population".into(), Value::Number(1000.0 * k as f64));
            f
        })
        .collect();
    let mut far = Feature::point("far", first.x() + 40.0, first.y());
    far.label = Some("Faraway".into());
    far.attributes
        .insert("population".into(), Value::Number(1e7));
    towns.push(far);
    let towns = Layer::from_features("communes", Role::Population, towns);
    let opts = OutputOptions {
        top: 10,
        include_excluded: false,
    };
    let dir = tempfile::tempdir().unwrap();
    let draw = |tiles: Option<Tiles>| {
        let map = MapContext {
            outlines: None,
            towns: Some(&towns),
            tiles,
        };
        let mut out = Vec::new();
        write_html_map(&r, &opts, &map, &mut out).unwrap();
        let path = dir.path().join("report.html");
        std::fs::write(&path, out).unwrap();
        rendered_dom(&browser, &format!("file://{}", path.display()))
    };
    let dom = draw(None);
    // Each label's text, as the DOM serialises it (markup escaped).
    let mut got: Vec<String> = dom
        .split("leaflet-marker-icon town")
        .skip(1)
        .filter_map(|s| s.split("<span>").nth(1)?.split("</span>").next())
        .map(|t| {
            t.replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&amp;", "&")
        })
        .collect();
    // The name with markup is shown as text (escaped in the DOM), not read as markup.
    assert!(
        dom.contains("<span>&lt;b&gt;Town20 &amp; Co&lt;/b&gt;</span>"),
        "a name was read as markup"
    );
    // The most populous within the view: towns 20 down to 6; not the far one.
    let mut want: Vec<String> = (21 - TOWN_LABELS..20)
        .map(|k| format!("Town{k:02}"))
        .collect();
    want.push("<b>Town20 & Co</b>".to_string());
    want.sort();
    got.sort();
    assert_eq!(got, want);
    // A tile is an <img> of class leaflet-tile (the inlined CSS names the class too).
    let tiles_in = |dom: &str| {
        dom.split("<img")
            .skip(1)
            .filter(|s| {
                s.split('>')
                    .next()
                    .is_some_and(|a| a.contains("leaflet-tile"))
            })
            .count()
    };
    assert_eq!(tiles_in(&dom), 0, "no basemap unless asked");
    let tiles = Tiles::new(
        &format!("file://{}/{{z}}/{{x}}/{{y}}.png", dir.path().display()),
        "test tiles",
    );
    // A file URL is not http(s): refused; the same test with a loopback URL.
    assert!(tiles.is_err());
    let tiles = Tiles::new("http://127.0.0.1:9/{z}/{x}/{y}.png", "test tiles").unwrap();
    let dom = draw(Some(tiles));
    assert!(
        dom.contains("leaflet-tile"),
        "the basemap's tiles are requested"
    );
    assert!(dom.contains("test tiles"), "its attribution is shown");
}

/// A GeoPackage in Lambert-93 (`write_gpkg_in`, `rank --crs EPSG:2154`): GDAL reads
/// its layers with EPSG:2154 and, taken back to WGS 84 by PROJ, the same points within
/// 2 cm; the footprints' extent too; sitematch's own GeoPackage reader reads it back.
#[test]
fn a_lambert93_geopackage_reads_back_in_gdal_with_the_same_points() {
    let r = fixture_ranking();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("l93.gpkg");
    let l93 = sitematch::OutputCrs::epsg(2154).unwrap();
    sitematch::output::write_gpkg_in(&r, &ALL, &[], &l93, &path).unwrap();
    // Read back by sitematch: a catalog over its `sites` table, the CRS from the file.
    std::fs::write(
        dir.path().join("catalog.toml"),
        "[[layer]]\nname = \"s\"\nrole = \"sites\"\npath = \"l93.gpkg\"\ntable = \"sites\"\nid = \"site_id\"\n",
    )
    .unwrap();
    let back = Catalog::from_path(dir.path()).unwrap();
    let layer = &back.layers[0];
    assert_eq!(layer.source_crs, "EPSG:2154");
    assert_eq!(layer.features.len(), r.ranked_sites().len());
    for s in r.ranked_sites() {
        let f = layer.features.iter().find(|f| f.id == s.site_id).unwrap();
        let d = crate::util::small_distance_m(
            (f.location.x(), f.location.y()),
            (s.location.x(), s.location.y()),
        );
        assert!(d < 0.02, "{}: {d} m", s.site_id);
    }
    // GDAL: the layer's CRS, then its points taken back to WGS 84 by PROJ.
    let p = path.to_str().unwrap();
    let Some((info, _)) = gdal("ogrinfo", &["-ro", "-so", p, "sites"]) else {
        return;
    };
    assert!(info.contains("ID[\"EPSG\",2154]"), "{info}");
    let (json, err) = gdal(
        "ogr2ogr",
        &[
            "-f",
            "GeoJSON",
            "-t_srs",
            "EPSG:4326",
            "-lco",
            "COORDINATE_PRECISION=10",
            "/vsistdout/",
            p,
            "sites",
        ],
    )
    .unwrap();
    assert!(err.trim().is_empty(), "GDAL warned: {err}");
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let features = v["features"].as_array().unwrap();
    assert_eq!(features.len(), r.ranked_sites().len());
    for g in features {
        let id = g["properties"]["site_id"].as_str().unwrap();
        let s = r.site(id).unwrap();
        let c = &g["geometry"]["coordinates"];
        let d = crate::util::small_distance_m(
            (c[0].as_f64().unwrap(), c[1].as_f64().unwrap()),
            (s.location.x(), s.location.y()),
        );
        assert!(d < 0.02, "{id}: {d} m from where it was");
    }
    // The footprints: GDAL's extent in Lambert-93 is that of the sites' polygons
    // projected (metres, in France's range).
    let (info, _) = gdal("ogrinfo", &["-ro", "-so", p, "site_footprints"]).unwrap();
    let extent = info.lines().find(|l| l.starts_with("Extent:")).unwrap();
    let numbers: Vec<f64> = extent
        .split(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-'))
        .filter_map(|t| t.parse().ok())
        .collect();
    assert_eq!(numbers.len(), 4, "{extent}");
    assert!((700_000.0..900_000.0).contains(&numbers[0]), "{extent}");
    assert!((6_800_000.0..7_000_000.0).contains(&numbers[1]), "{extent}");
}

/// GDAL's reading of a ranking file taken to WGS 84 by PROJ: (site id, lon, lat).
fn gdal_points_in_wgs84(path: &Path, open_options: &[&str]) -> Option<Vec<(String, f64, f64)>> {
    let features = crate::util::gdal_wgs84_features(open_options, path.to_str().unwrap(), &[])?;
    Some(
        features
            .iter()
            .map(|g| {
                let c = &g["geometry"]["coordinates"];
                (
                    g["properties"]["site_id"].as_str().unwrap().to_string(),
                    c[0].as_f64().unwrap(),
                    c[1].as_f64().unwrap(),
                )
            })
            .collect(),
    )
}

#[test]
fn projected_flatgeobuf_and_csv_read_back_in_gdal_with_the_same_points() {
    use sitematch::output::{sidecars_in, write_ranking_in, OutputFormat};
    let r = fixture_ranking();
    let dir = tempfile::tempdir().unwrap();
    for code in [2154, 25831, 3035] {
        let crs = sitematch::OutputCrs::epsg(code).unwrap();
        for format in [OutputFormat::Fgb, OutputFormat::Csv] {
            let path = dir.path().join(format!("r{code}.{}", format.name()));
            let mut out = Vec::new();
            write_ranking_in(format, &r, &ALL, None, &crs, &mut out).unwrap();
            std::fs::write(&path, out).unwrap();
            for (ext, text) in sidecars_in(format, &r, &crs) {
                std::fs::write(path.with_extension(ext), text).unwrap();
            }
            let what = format!("EPSG:{code} {format}");
            if format == OutputFormat::Csv {
                // Metres in x and y, to the millimetre; the .prj is the CRS's WKT.
                let text = std::fs::read_to_string(&path).unwrap();
                assert!(text.lines().next().unwrap().ends_with(",x,y"), "{what}");
                let prj = std::fs::read_to_string(path.with_extension("prj")).unwrap();
                assert!(
                    prj.contains(&format!("AUTHORITY[\"EPSG\",\"{code}\"]]")),
                    "{what}"
                );
            }
            let options: &[&str] = if format == OutputFormat::Csv {
                &[
                    "-oo",
                    "X_POSSIBLE_NAMES=x",
                    "-oo",
                    "Y_POSSIBLE_NAMES=y",
                    "-oo",
                    "KEEP_GEOM_COLUMNS=NO",
                ]
            } else {
                &[]
            };
            let Some(points) = gdal_points_in_wgs84(&path, options) else {
                return;
            };
            assert_eq!(points.len(), r.sites.len(), "{what}");
            for (id, lon, lat) in points {
                let s = r.site(&id).unwrap();
                let d = crate::util::small_distance_m((lon, lat), (s.location.x(), s.location.y()));
                assert!(d < 0.02, "{what} {id}: {d} m from where it was");
            }
            if format == OutputFormat::Fgb {
                let (info, _) =
                    gdal("ogrinfo", &["-ro", "-so", path.to_str().unwrap(), "sites"]).unwrap();
                assert!(
                    info.contains(&format!("ID[\"EPSG\",{code}]]")),
                    "{what}: {info}"
                );
            }
        }
    }
    // GeoJSON and the reports stay WGS 84: another CRS is an error naming the formats
    // that take one.
    let l93 = sitematch::OutputCrs::epsg(2154).unwrap();
    for format in [OutputFormat::Geojson, OutputFormat::Md, OutputFormat::Html] {
        let e = write_ranking_in(format, &r, &ALL, None, &l93, Vec::new()).unwrap_err();
        assert_mentions(&e.to_string(), &["WGS 84", "EPSG:2154", "GeoParquet"]);
    }
}
