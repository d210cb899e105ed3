//! What relocation is argued on, beside the freight (tests/freight.rs): the land take
//! a brownfield site avoids (ZAN) and the likeness to a reference site.

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
    assert!(md.contains("37.0 ha over the 3 shortlisted sites"), "{md}");
    assert!(md.contains("greenfield sites of 25 ha each"), "{md}");

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
