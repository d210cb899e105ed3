//! What relocation is argued on, beside the freight (tests/freight.rs): the land take
//! a brownfield site avoids (ZAN) and the likeness to a reference site.

use crate::util::assert_mentions;
use sitematch::output::{write_geojson, write_markdown, OutputOptions};
use sitematch::{Brief, Catalog, Engine, Feature, Layer, Role, Value};

fn site(id: &str, lon: f64, area: Option<f64>, zoning: Option<&str>) -> Feature {
    let mut f = Feature::point(id, lon, 0.0);
    f.area_ha = area;
    if let Some(z) = zoning {
        f.attributes.insert("zoning".into(), Value::Text(z.into()));
    }
    f
}

fn land_engine() -> Engine {
    Engine::new(Catalog::from_layers(vec![Layer::from_features(
        "sites",
        Role::Sites,
        vec![
            site("u30", 0.0, Some(30.0), Some("U")),
            site("au10", 0.1, Some(10.0), Some("AU")),
            site("a40", 0.2, Some(40.0), Some("A")),
            site("n5", 0.3, Some(5.0), Some("N")),
            site("nh8", 0.4, Some(8.0), Some("Nh")),
            site("unknown12", 0.5, Some(12.0), None),
            site("noarea", 0.6, None, Some("U")),
        ],
    )]))
}

const LAND: &str = "[[criterion]]\nname = \"land\"\ntype = \"attribute\"\nfield = \"area_ha\"\nideal = 40\nzero = 0\n";

#[test]
fn land_take_avoided_on_each_zoning_case() {
    let brief = Brief::from_toml_str(&format!("need_ha = 25\ntop = 3\n{LAND}")).unwrap();
    let r = land_engine().rank(&brief).unwrap();
    let avoided = |id: &str| r.site(id).unwrap().land_take_avoided_ha;
    // Urban or to-be-urbanised brownfield: its area up to the need.
    assert_eq!(avoided("u30"), Some(25.0));
    assert_eq!(avoided("au10"), Some(10.0));
    // Agricultural or natural zones (sub-zones too): none.
    assert_eq!(avoided("a40"), Some(0.0));
    assert_eq!(avoided("n5"), Some(0.0));
    assert_eq!(avoided("nh8"), Some(0.0));
    // A friche of unknown zoning is artificialised land: counted.
    assert_eq!(avoided("unknown12"), Some(12.0));
    assert_eq!(avoided("noarea"), None);

    // The shortlist (top 3 by area: a40, u30, unknown12) avoids 0 + 25 + 12 ha,
    // in the GeoJSON's sitematch member and in the Markdown report.
    let opts = OutputOptions::for_ranking(&r);
    let mut out = Vec::new();
    write_geojson(&r, &opts, &mut out).unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let land = &v["sitematch"]["land_take_avoided"];
    assert_eq!(land["need_ha"], 25.0);
    assert_eq!(land["shortlisted_sites"], 3);
    assert_eq!(land["hectares"], 37.0);
    assert_eq!(v["features"][1]["properties"]["land_take_avoided_ha"], 25.0);
    let mut md = Vec::new();
    write_markdown(&r, &opts, &mut md).unwrap();
    let md = String::from_utf8(md).unwrap();
    assert_mentions(
        &md,
        &[
            "37.0 ha over the 3 shortlisted sites",
            "greenfield sites of 25 ha each",
        ],
    );

    // Without a need (no need_ha, no min_area_ha): no column, no figure.
    let r = land_engine()
        .rank(&Brief::from_toml_str(LAND).unwrap())
        .unwrap();
    assert_eq!(r.site("u30").unwrap().land_take_avoided_ha, None);
    let mut out = Vec::new();
    write_geojson(&r, &OutputOptions::for_ranking(&r), &mut out).unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert!(v["sitematch"]["land_take_avoided"].is_null());
    assert!(v["features"][0]["properties"]
        .get("land_take_avoided_ha")
        .is_none());

    // min_area_ha stands for the need when need_ha is not given.
    let b = Brief::from_toml_str(&format!("[filter]\nmin_area_ha = 9\n{LAND}")).unwrap();
    let r = land_engine().rank(&b).unwrap();
    assert_eq!(r.site("u30").unwrap().land_take_avoided_ha, Some(9.0));
    assert!(Brief::from_toml_str(&format!("need_ha = -2\n{LAND}"))
        .unwrap_err()
        .to_string()
        .contains("need_ha: must be a number of hectares above 0"));
}

fn like_engine() -> Engine {
    let mut m = Feature::point("m1", 0.02, 0.0);
    m.category = Some("Echangeur".into());
    Engine::new(Catalog::from_layers(vec![
        Layer::from_features(
            "sites",
            Role::Sites,
            vec![
                site("douai", 0.0, Some(30.0), None),
                site("a", 0.05, Some(30.0), None),
                site("b", 0.3, Some(10.0), None),
                site("c", 0.0, Some(60.0), None),
            ],
        ),
        Layer::from_features("motorway", Role::Facilities, vec![m]),
    ]))
}

const LIKE: &str = "[[criterion]]\nname = \"motorway\"\ntype = \"distance\"\nlayer = \"motorway\"\n\
    ideal_km = 0\nzero_km = 50\n\
    [[criterion]]\nname = \"land\"\ntype = \"attribute\"\nfield = \"area_ha\"\nideal = 60\nzero = 0\n";

/// km along the equator.
fn eq_km(deg: f64) -> f64 {
    6_378_137.0 * deg.to_radians() / 1000.0
}

#[test]
fn the_reference_site_ranks_first_with_likeness_100_and_the_gaps_read_as_words() {
    let brief = Brief::from_toml_str(&format!(
        "[target]\nsite = \"douai\"\nlabel = \"our Douai plant\"\n{LIKE}"
    ))
    .unwrap();
    let r = like_engine().rank(&brief).unwrap();
    let order: Vec<&str> = r
        .ranked_sites()
        .iter()
        .map(|s| s.site_id.as_str())
        .collect();
    assert_eq!(order, ["douai", "a", "c", "b"]);
    let score = |id: &str| r.site(id).unwrap().score.unwrap();
    assert!((score("douai") - 100.0).abs() < 1e-9);
    // By hand: equal weights; |score gaps| on the motorway ramp (km / 50) and on land.
    let m = |deg: f64| 1.0 - eq_km(deg) / 50.0;
    let like = |dm: f64, dl: f64| 100.0 * (0.5 * (1.0 - dm) + 0.5 * (1.0 - dl));
    assert!((score("a") - like(m(0.02) - m(0.03), 0.0)).abs() < 1e-9);
    assert!((score("c") - like(0.0, 0.5)).abs() < 1e-9);
    assert!((score("b") - like(m(0.02) - m(0.28), 0.5 - 10.0 / 60.0)).abs() < 1e-9);
    // The points still add up to the score.
    let b = r.site("b").unwrap();
    let points: f64 = b.criteria.iter().map(|c| c.points).sum();
    assert!((points - score("b")).abs() < 1e-9);

    let text = sitematch::output::explain(&r, "a").unwrap();
    assert_mentions(
        &text,
        &[
            "likeness 98.89 / 100 to our Douai plant",
            "1.1 km further than our Douai plant",
            "same as our Douai plant",
        ],
    );
    let text = sitematch::output::explain(&r, "b").unwrap();
    assert_mentions(&text, &["67% below our Douai plant"]);

    // Values given in the brief win over the site's: a 60 ha reference makes "c" the
    // very profile.
    let brief = Brief::from_toml_str(&format!(
        "[target]\nsite = \"douai\"\nvalues = {{ land = 60 }}\n{LIKE}"
    ))
    .unwrap();
    let r = like_engine().rank(&brief).unwrap();
    assert_eq!(r.ranked_sites()[0].site_id, "c");
    assert!((r.ranked_sites()[0].score.unwrap() - 100.0).abs() < 1e-9);
    // Values alone: a criterion without one is left out (its points 0).
    let brief =
        Brief::from_toml_str(&format!("[target]\nvalues = {{ land = 10 }}\n{LIKE}")).unwrap();
    let r = like_engine().rank(&brief).unwrap();
    assert_eq!(r.ranked_sites()[0].site_id, "b");
    assert_eq!(r.ranked_sites()[0].criteria[0].points, 0.0);
    assert!((r.ranked_sites()[0].score.unwrap() - 100.0).abs() < 1e-9);
}

#[test]
fn a_bad_target_names_its_key() {
    let err = |text: String| match Brief::from_toml_str(&text) {
        Err(e) => e.to_string(),
        Ok(b) => like_engine().rank(&b).unwrap_err().to_string(),
    };
    let m = err(format!("[target]\nvalues = {{ lnad = 3 }}\n{LIKE}"));
    assert_mentions(&m, &["target.values.lnad", "motorway, land"]);
    let m = err(format!("[target]\nvalues = {{ land = \"big\" }}\n{LIKE}"));
    assert_mentions(&m, &["target.values.land: must be a number"]);
    let m = err(format!("[target]\n{LIKE}"));
    assert_mentions(&m, &["target"]);
    let m = err(format!(
        "method = \"topsis\"\n[target]\nsite = \"a\"\n{LIKE}"
    ));
    assert_mentions(&m, &["method", "likeness"]);
    let m = err(format!("[target]\nsite = \"nowhere\"\n{LIKE}"));
    assert_mentions(&m, &["target.site", "nowhere"]);
}
