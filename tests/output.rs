//! Output: GDAL reads the GeoJSON with the documented field types, RFC 7946 holds,
//! and the same inputs give the same bytes whatever the order of the features.

use std::path::Path;

use sitematch::output::{write_csv, write_markdown, OutputOptions};
use sitematch::{Brief, Catalog, Engine, Ranking};

use crate::util::{fixtures, geojson_bytes};

fn rank_fixture(catalog: Catalog) -> Ranking {
    let brief = Brief::from_path(fixtures().join("rank/brief.toml")).unwrap();
    Engine::new(catalog).rank(&brief).unwrap()
}

fn fixture_catalog() -> Catalog {
    Catalog::from_path(fixtures().join("rank")).unwrap()
}

/// `ogrinfo -so` of a file: feature count and (field, type) pairs; `None` (with a
/// note) when GDAL is not installed, except under CI, which installs it.
pub fn ogrinfo(path: &Path) -> Option<(usize, Vec<(String, String)>)> {
    crate::util::ogr_layer(path, None).map(|l| (l.count, l.fields))
}

#[test]
fn gdal_reads_the_geojson_with_the_documented_types() {
    let r = rank_fixture(fixture_catalog());
    for include_excluded in [false, true] {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ranking.geojson");
        std::fs::write(&path, geojson_bytes(&r, r.top, include_excluded)).unwrap();
        let Some((count, fields)) = ogrinfo(&path) else {
            return;
        };
        assert_eq!(count, if include_excluded { 8 } else { 4 });
        let typ = |name: &str| {
            fields
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, t)| t.as_str())
                .unwrap_or_else(|| panic!("no field {name} in {fields:?}"))
        };
        for s in [
            "site_id",
            "label",
            "layer",
            "category",
            "commune",
            "commune_nom",
            "excluded_by",
            "motorway_nearest_id",
            "motorway_nearest_label",
            "town_value",
        ] {
            assert_eq!(typ(s), "String", "{s}");
        }
        assert_eq!(typ("rank"), "Integer");
        assert_eq!(typ("excluded"), "Integer(Boolean)");
        for s in [
            "score",
            "area_ha",
            "motorway_value",
            "motorway_score",
            "motorway_points",
            "land_value",
            "town_score",
            "centre_value",
            "centre_points",
            "land_take_avoided_ha",
        ] {
            assert_eq!(typ(s), "Real", "{s}");
        }
        assert_eq!(typ("pareto"), "Integer(Boolean)");
        assert_eq!(typ("near_miss_by"), "String");
        // 28 computed columns, the commune code, and the sites' one attribute.
        assert_eq!(fields.len(), 30);
    }
}

/// RFC 7946 checks on a written collection: no `crs` member, coordinates in range
/// with at most 7 decimals, exterior rings counter-clockwise and holes clockwise.
fn assert_rfc7946(bytes: &[u8]) {
    let v: serde_json::Value = serde_json::from_slice(bytes).unwrap();
    assert!(v.get("crs").is_none());
    for f in v["features"].as_array().unwrap() {
        let g = &f["geometry"];
        let polys: Vec<&serde_json::Value> = match g["type"].as_str().unwrap() {
            "Polygon" => vec![&g["coordinates"]],
            "MultiPolygon" => g["coordinates"].as_array().unwrap().iter().collect(),
            _ => vec![],
        };
        let point_ok = |c: &serde_json::Value| {
            let (x, y) = (c[0].as_f64().unwrap(), c[1].as_f64().unwrap());
            assert!((-180.0..=180.0).contains(&x) && (-90.0..=90.0).contains(&y));
            assert_eq!((x * 1e7).round() / 1e7, x);
            assert_eq!((y * 1e7).round() / 1e7, y);
        };
        if g["type"] == "Point" {
            point_ok(&g["coordinates"]);
        }
        for p in polys {
            for (k, ring) in p.as_array().unwrap().iter().enumerate() {
                let pts: Vec<(f64, f64)> = ring
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|c| {
                        point_ok(c);
                        (c[0].as_f64().unwrap(), c[1].as_f64().unwrap())
                    })
                    .collect();
                let area2: f64 = pts
                    .windows(2)
                    .map(|w| w[0].0 * w[1].1 - w[1].0 * w[0].1)
                    .sum();
                assert_eq!(
                    area2 > 0.0,
                    k == 0,
                    "ring {k} of {}",
                    f["properties"]["site_id"]
                );
            }
        }
    }
}

#[test]
fn every_kind_of_geojson_opens_in_gdal_and_is_rfc7946() {
    let r = rank_fixture(fixture_catalog());
    let mut empty_brief = Brief::from_path(fixtures().join("rank/brief.toml")).unwrap();
    empty_brief.filter.min_area_ha = Some(1e6);
    let empty = Engine::new(fixture_catalog()).rank(&empty_brief).unwrap();
    let engine = Engine::new(fixture_catalog());
    let grid_brief = Brief::from_toml_str(
        "[filter]\nbbox = [4.6, 49.6, 5.0, 49.85]\n[candidates]\ngrid_km = 2\nland = \"motorway\"\n\
         land_km = 400\ncells = \"squares\"\n\
         [[criterion]]\nname = \"centre\"\ntype = \"zone\"\nlayer = \"centre\"\n\
         [[criterion]]\nname = \"motorway\"\ntype = \"distance\"\nlayer = \"motorway\"\nideal_km = 100\nzero_km = 500\n",
    )
    .unwrap();
    let mut grid = Vec::new();
    let stats = sitematch::output::write_grid(
        sitematch::output::OutputFormat::Geojson,
        engine.grid(&grid_brief, false).unwrap(),
        |_| {},
        &mut grid,
    )
    .unwrap();
    assert!(stats.produced > 50);
    let outputs = [
        (
            "ranked",
            geojson_bytes(&r, r.top, false),
            r.top.min(r.ranked),
        ),
        (
            "with excluded",
            geojson_bytes(&r, r.top, true),
            r.sites.len(),
        ),
        ("empty", geojson_bytes(&empty, empty.top, false), 0),
        ("grid squares", grid, stats.produced),
    ];
    for (what, bytes, n) in outputs {
        assert_rfc7946(&bytes);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.geojson");
        std::fs::write(&path, &bytes).unwrap();
        let Some((count, fields)) = ogrinfo(&path) else {
            return;
        };
        assert_eq!(count, n, "{what}");
        let typ = |name: &str| {
            fields
                .iter()
                .find(|(f, _)| f == name)
                .map(|(_, t)| t.as_str())
        };
        if n > 0 {
            assert_eq!(typ("site_id"), Some("String"), "{what}");
            assert_eq!(typ("score"), Some("Real"), "{what}");
            assert_eq!(typ("excluded"), Some("Integer(Boolean)"), "{what}");
            assert_eq!(typ("motorway_value"), Some("Real"), "{what}");
        }
        if what == "grid squares" {
            let v: serde_json::Value =
                serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
            let features = v["features"].as_array().unwrap();
            assert!(features.iter().all(|f| f["geometry"]["type"] == "Polygon"));
            // Cells are not ranked: no column that would be null in every record
            // (GDAL types those String).
            for never in [
                "rank",
                "pareto",
                "dominated_by",
                "near_miss",
                "near_miss_by",
            ] {
                assert_eq!(typ(never), None, "{never}");
            }
            let text = [
                "site_id",
                "label",
                "layer",
                "category",
                "commune",
                "excluded_by",
            ];
            for (name, t) in &fields {
                assert_eq!(
                    t == "String",
                    text.contains(&name.as_str())
                        || name.ends_with("_id")
                        || name.ends_with("_label"),
                    "grid field {name} is {t}"
                );
            }
        }
    }
}

#[test]
fn geojson_is_rfc7946() {
    let r = rank_fixture(fixture_catalog());
    let bytes = geojson_bytes(&r, r.top, true);
    assert_rfc7946(&bytes);
    let v: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(v["sitematch"]["method"], "weighted-sum");
    assert_eq!(v["sitematch"]["sites_ranked"], 4);
    let features = v["features"].as_array().unwrap();
    // One geometry type for the file (GDAL's layer is Point, not "Unknown (any)"):
    // each site's location, footprints included (they go to the GeoPackage).
    assert!(features.iter().all(|f| f["geometry"]["type"] == "Point"));
    for (f, s) in features.iter().zip(r.sites.iter()) {
        let c = &f["geometry"]["coordinates"];
        assert!((c[0].as_f64().unwrap() - s.location.x()).abs() < 1e-7);
        assert!((c[1].as_f64().unwrap() - s.location.y()).abs() < 1e-7);
    }
    // Property order is the schema's.
    let keys: Vec<&String> = features[0]["properties"]
        .as_object()
        .unwrap()
        .keys()
        .collect();
    assert_eq!(
        keys[..6],
        ["site_id", "label", "layer", "category", "commune", "rank"]
    );
    // The sites' attributes come last.
    assert_eq!(keys.last().map(|k| k.as_str()), Some("commune_nom"));
}

#[test]
fn same_inputs_same_bytes_whatever_the_feature_order() {
    let all = |r: Ranking| geojson_bytes(&r, r.top, true);
    let a = all(rank_fixture(fixture_catalog()));
    let b = all(rank_fixture(fixture_catalog()));
    assert!(a == b, "two runs gave different bytes");
    let mut shuffled = fixture_catalog();
    for (k, layer) in shuffled.layers.iter_mut().enumerate() {
        layer.features.reverse();
        let n = layer.features.len();
        if n > 2 {
            layer.features.rotate_left(k % n);
        }
    }
    let c = all(rank_fixture(shuffled));
    assert!(a == c, "shuffling the features changed the output");
}

#[test]
fn csv_and_markdown_carry_the_same_ranking() {
    let r = rank_fixture(fixture_catalog());
    let opts = OutputOptions {
        top: 20,
        include_excluded: true,
    };
    let mut csv = Vec::new();
    write_csv(&r, &opts, &mut csv).unwrap();
    let mut reader = csv::Reader::from_reader(&csv[..]);
    let header = reader.headers().unwrap().clone();
    assert_eq!(header.get(0), Some("site_id"));
    assert_eq!(header.iter().next_back(), Some("lat"));
    // 25 properties (land_take_avoided_ha: the brief's min_area_ha is its need),
    // pareto/dominated_by/near_miss/near_miss_by, the sites' one attribute, lon and lat.
    assert_eq!(header.len(), 32);
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 8);
    assert_eq!(&rows[0][0], r.sites[0].site_id.as_str());
    assert_eq!(&rows[0][5], "1");
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    assert_eq!(&rows[7][col("excluded")], "true");
    assert_eq!(&rows[7][col("excluded_by")], "min_area_ha");
    // An excluded site keeps its land take: its area, below the 0.5 ha need.
    let area: f64 = rows[7][col("area_ha")].parse().unwrap();
    assert_eq!(
        rows[7][col("land_take_avoided_ha")].parse::<f64>().unwrap(),
        area.min(0.5)
    );

    let mut md = Vec::new();
    write_markdown(&r, &opts, &mut md).unwrap();
    let md = String::from_utf8(md).unwrap();
    assert!(md.starts_with("# Fixture brief"));
    assert_eq!(md.lines().filter(|l| l.starts_with("| ")).count(), 9);
    assert!(md.contains(&format!("| 1 | {} |", r.sites[0].site_id)));
}

#[test]
fn empty_result_is_a_valid_collection() {
    let mut brief = Brief::from_path(fixtures().join("rank/brief.toml")).unwrap();
    brief.filter.min_area_ha = Some(1e6);
    let r = Engine::new(fixture_catalog()).rank(&brief).unwrap();
    assert_eq!(r.ranked, 0);
    let bytes = geojson_bytes(&r, r.top, false);
    let v: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(v["features"].as_array().unwrap().len(), 0);
}

/// Site attributes read from a CSV are text; the outputs type each column from every
/// candidate's value, keep codes with a leading zero as text, and rename an attribute
/// that would take a column of the schema. GDAL reads the types back.
#[test]
fn site_attributes_are_typed_columns() {
    use sitematch::{Feature, Layer, Role, Value};
    let site = |id: &str, lon: f64, code: &str, count: &str, km: &str, score: &str| {
        let mut f = Feature::point(id, lon, 48.0);
        f.area_ha = Some(10.0);
        f.commune = Some("01001".into());
        for (k, v) in [
            ("code", code),
            ("count", count),
            ("km", km),
            ("score", score),
        ] {
            f.attributes.insert(k.into(), Value::Text(v.into()));
        }
        f
    };
    let sites = vec![
        site("a", 2.0, "0396", "3", "1.5", "x"),
        site("b", 2.1, "12", "", "2", "y"),
    ];
    let mut layer = Layer::from_features("sites", Role::Sites, sites);
    layer.attribute_names = ["code", "count", "km", "score"].map(String::from).to_vec();
    let engine = Engine::new(Catalog::from_layers(vec![layer]));
    let brief = Brief::from_toml_str(
        "[[criterion]]\nname = \"land\"\ntype = \"attribute\"\nfield = \"area_ha\"\nideal = 60\nzero = 0\n",
    )
    .unwrap();
    let r = engine.rank(&brief).unwrap();
    let bytes = geojson_bytes(&r, r.top, false);
    let v: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    let a = &v["features"][0]["properties"];
    assert_eq!(a["site_id"], "a");
    assert_eq!(a["commune"], "01001");
    assert_eq!(a["code"], "0396");
    assert_eq!(a["count"], 3);
    assert_eq!(a["km"], 1.5);
    assert_eq!(a["attr_score"], "x");
    assert!(a["score"].is_f64());
    assert!(v["features"][1]["properties"]["count"].is_null());

    let mut csv = Vec::new();
    write_csv(&r, &OutputOptions::for_ranking(&r), &mut csv).unwrap();
    let csv = String::from_utf8(csv).unwrap();
    let header: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
    assert_eq!(
        header[header.len() - 6..],
        ["code", "count", "km", "attr_score", "lon", "lat"]
    );
    assert!(csv.lines().nth(1).unwrap().contains(",0396,3,1.5,x,"));

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("typed.geojson");
    std::fs::write(&path, &bytes).unwrap();
    let Some((count, fields)) = ogrinfo(&path) else {
        return;
    };
    assert_eq!(count, 2);
    let typ = |name: &str| {
        fields
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, t)| t.clone())
    };
    assert_eq!(typ("commune").as_deref(), Some("String"));
    assert_eq!(typ("code").as_deref(), Some("String"));
    assert_eq!(typ("count").as_deref(), Some("Integer"));
    assert_eq!(typ("km").as_deref(), Some("Real"));
    assert_eq!(typ("attr_score").as_deref(), Some("String"));
}

/// The client's tables name each site's commune beside its code (`Douai (59178)`),
/// from the site's `commune_nom`, in the Markdown table and the HTML report, and round
/// numbers in the site details as a reader quotes them.
#[test]
fn client_tables_name_the_commune() {
    let r = rank_fixture(fixture_catalog());
    let opts = OutputOptions {
        top: r.top,
        include_excluded: false,
    };
    let mut md = Vec::new();
    write_markdown(&r, &opts, &mut md).unwrap();
    let md = String::from_utf8(md).unwrap();
    let mut html = Vec::new();
    sitematch::output::write_html(&r, &opts, None, &mut html).unwrap();
    let html = String::from_utf8(html).unwrap();
    let col = r
        .attributes
        .iter()
        .position(|a| a.name == "commune_nom")
        .unwrap();
    let mut named = 0;
    for s in r.ranked_sites().iter().take(r.top) {
        let cell = match (&s.commune, s.attributes[col].as_text()) {
            (Some(code), Some(name)) => format!("{name} ({code})"),
            (None, Some(name)) => name,
            _ => continue,
        };
        assert!(
            md.contains(&format!("| {cell} |")),
            "{cell} not in the Markdown"
        );
        assert!(
            html.contains(&format!("<td>{cell}</td>")),
            "{cell} not in the HTML"
        );
        named += 1;
    }
    assert!(named >= 3, "{named}");
    // With the INSEE code too.
    let mut f = sitematch::Feature::point("d", 3.08, 50.37);
    f.commune = Some("59178".into());
    f.attributes
        .insert("commune_nom".into(), sitematch::Value::Text("Douai".into()));
    let mut sites = sitematch::Layer::from_features("sites", sitematch::Role::Sites, vec![f]);
    sites.attribute_names = vec!["commune_nom".into()];
    let brief = Brief::from_toml_str(
        "[[criterion]]\nname = \"x\"\ntype = \"attribute\"\nfield = \"area_ha\"\nideal = 1\nzero = 0\n",
    )
    .unwrap();
    let r = Engine::new(Catalog::from_layers(vec![sites]))
        .rank(&brief)
        .unwrap();
    let mut md = Vec::new();
    write_markdown(&r, &opts, &mut md).unwrap();
    let md = String::from_utf8(md).unwrap();
    assert!(md.contains("| Douai (59178) |"), "{md}");
}

/// The HTML report opens on the ranked sites: an excluded site written with them (here
/// on Réunion) does not widen the map's first view.
#[test]
fn the_report_opens_on_the_ranked_sites() {
    let mut big = sitematch::Feature::point("big", 3.0, 50.0);
    big.area_ha = Some(50.0);
    let mut far = sitematch::Feature::point("far", 55.5, -21.1);
    far.area_ha = Some(1.0);
    let sites = sitematch::Layer::from_features("sites", sitematch::Role::Sites, vec![big, far]);
    let brief = Brief::from_toml_str(
        "[filter]\nmin_area_ha = 20\n[[criterion]]\nname = \"land\"\ntype = \"attribute\"\n\
         field = \"area_ha\"\nideal = 60\nzero = 0\n",
    )
    .unwrap();
    let r = Engine::new(Catalog::from_layers(vec![sites]))
        .rank(&brief)
        .unwrap();
    let opts = OutputOptions {
        top: 10,
        include_excluded: true,
    };
    let mut out = Vec::new();
    sitematch::output::write_html(&r, &opts, None, &mut out).unwrap();
    let html = String::from_utf8(out).unwrap();
    let start = html.find("id=\"sitematch-data\">").unwrap() + "id=\"sitematch-data\">".len();
    let end = html[start..].find("</script>").unwrap() + start;
    let data: serde_json::Value = serde_json::from_str(&html[start..end]).unwrap();
    let e: Vec<f64> = data["extent"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect();
    // Around (3, 50) with its margin, far from 55.5 E.
    assert!(e[0] < 3.0 && e[2] > 3.0 && e[2] < 10.0, "{e:?}");
    assert_eq!(data["sites"].as_array().unwrap().len(), 2);
}

/// A ranking saved with serde (here postcard, the format the server's `--store`
/// uses) reads back equal, field for field, and writes the same bytes: robustness,
/// near misses, excluded sites, warnings and geometries included.
#[test]
fn a_ranking_round_trips_through_serde() {
    let text = std::fs::read_to_string(fixtures().join("rank/brief.toml")).unwrap();
    let brief = Brief::from_toml_str(&format!(
        "{text}\n[robustness]\nruns = 50\n[output]\nnear_miss = 0.5\n"
    ))
    .unwrap();
    let r = Engine::new(fixture_catalog()).rank(&brief).unwrap();
    assert!(r.robustness.is_some() && !r.excluded_sites().is_empty());
    let bytes = postcard::to_stdvec(&r).unwrap();
    let back: Ranking = postcard::from_bytes(&bytes).unwrap();
    assert_eq!(back, r);
    for include_excluded in [false, true] {
        assert_eq!(
            geojson_bytes(&back, back.top, include_excluded),
            geojson_bytes(&r, r.top, include_excluded)
        );
    }
    // Cut short, it is an error, not a panic or a shorter ranking.
    assert!(postcard::from_bytes::<Ranking>(&bytes[..bytes.len() / 2]).is_err());
}
