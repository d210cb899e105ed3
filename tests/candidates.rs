//! Candidates beyond friches (issue 28): the land criterion, the anchor criterion, and
//! filters on attributes that only some site layers carry. Hand-built data; every
//! expected number is worked by hand or by an independent distance.

use crate::util::{assert_mentions, put};
use geo::Point;
use sitematch::{fast_distance_m, Brief, Catalog, CriterionValue, Engine, Feature, Layer, Role};
use sitematch::{Exclusion, Value};

/// A site with an area and, when given, the land its layer states as available.
fn site(id: &str, lon: f64, lat: f64, area: Option<f64>, available: Option<f64>) -> Feature {
    let mut f = Feature::point(id, lon, lat);
    f.area_ha = area;
    if let Some(a) = available {
        f.attributes.insert("available_ha".into(), Value::Number(a));
    }
    f
}

fn rank(layers: Vec<Layer>, toml: &str) -> sitematch::Ranking {
    let engine = Engine::new(Catalog::from_layers(layers));
    engine.rank(&Brief::from_toml_str(toml).unwrap()).unwrap()
}

#[test]
fn land_scores_usable_land_against_the_need() {
    // Need 20 ha, min_share 0.5: 0 at 10 ha, 1 at 20 ha and above, linear between.
    let mut big = site("big", 0.0, 0.0, Some(53.0), None); // a whole former plant
    big.attributes.insert("note".into(), Value::Null);
    let sites = vec![
        big,
        site("fit", 0.1, 0.0, Some(20.0), None),
        site("small", 0.2, 0.0, Some(15.0), None),
        site("tiny", 0.3, 0.0, Some(8.0), None),
        // A port zone of 7,000 ha of which 12 are on offer: its offer counts.
        site("port", 0.4, 0.0, Some(7000.0), Some(12.0)),
        site("unknown", 0.5, 0.0, None, None),
    ];
    let r = rank(
        vec![Layer::from_features("sites", Role::Sites, sites)],
        "need_ha = 20\n[[criterion]]\nname = \"land\"\ntype = \"land\"\nmissing = 0.25\n",
    );
    let score = |id: &str| r.site(id).unwrap().criteria[0].score;
    let value = |id: &str| r.site(id).unwrap().criteria[0].value.clone();
    assert_eq!(score("big"), 1.0);
    assert_eq!(score("fit"), 1.0);
    assert!((score("small") - 0.5).abs() < 1e-12); // (15 - 10) / (20 - 10)
    assert_eq!(score("tiny"), 0.0);
    assert!((score("port") - 0.2).abs() < 1e-12); // (12 - 10) / 10
    assert_eq!(value("port"), CriterionValue::Number(Some(12.0)));
    assert_eq!(score("unknown"), 0.25);
    assert_eq!(value("unknown"), CriterionValue::Number(None));
    // No site is excluded for being large.
    assert_eq!(r.ranked, 6);
    assert_eq!(
        r.criteria[0].unit,
        "ha of usable land (available_ha, else area_ha) for a need of 20 ha"
    );
}

#[test]
fn land_needs_a_need_and_sane_shares() {
    let e = Brief::from_toml_str("[[criterion]]\nname = \"land\"\ntype = \"land\"\n")
        .unwrap_err()
        .to_string();
    assert_mentions(&e, &["criterion[0].need_ha: is required"]);
    for (extra, key) in [
        ("need_ha = nan", "criterion[0].need_ha"),
        ("need_ha = -3", "criterion[0].need_ha"),
        ("need_ha = 5\nmin_share = 1.5", "criterion[0].min_share"),
        ("need_ha = 5\nmissing = 2", "criterion[0].missing"),
    ] {
        let toml = format!("[[criterion]]\nname = \"land\"\ntype = \"land\"\n{extra}\n");
        let e = Brief::from_toml_str(&toml).unwrap_err().to_string();
        assert!(e.contains(key), "{extra}: {e}");
    }
    // The criterion's need wins over the brief's.
    let b = Brief::from_toml_str(
        "need_ha = 50\n[[criterion]]\nname = \"land\"\ntype = \"land\"\nneed_ha = 5\n",
    )
    .unwrap();
    let sitematch::CriterionKind::Land(l) = &b.criteria[0].kind else {
        panic!("land")
    };
    assert_eq!(l.need_ha, 5.0);
}

#[test]
fn anchor_measures_the_nearest_named_place() {
    // Two places; each site is nearest one of them. The distances are checked against
    // the crate's fast distance (an ECEF chord turned into an arc: another
    // computation than the geodesic the criterion uses), within 1 m at these spans.
    let places = [
        ("Douai plant", 3.10037, 50.37853),
        ("Lille lab", 3.04702, 50.63108),
    ];
    let sites = vec![
        site("a", 3.05, 50.36, Some(10.0), None),
        site("b", 3.0, 50.6, Some(10.0), None),
        site("far", 4.5, 49.0, Some(10.0), None),
    ];
    let r = rank(
        vec![Layer::from_features("sites", Role::Sites, sites)],
        r#"
        [[criterion]]
        name = "partners"
        type = "anchor"
        points = [
          { label = "Douai plant", lon = 3.10037, lat = 50.37853 },
          { label = "Lille lab", lon = 3.04702, lat = 50.63108 },
        ]
        ideal_km = 2
        zero_km = 42
        max_km = 100
        "#,
    );
    for (id, nearest) in [("a", 0), ("b", 1)] {
        let s = r.site(id).unwrap();
        let (label, lon, lat) = places[nearest];
        let expected = fast_distance_m(s.location, Point::new(lon, lat)) / 1000.0;
        let CriterionValue::Number(Some(km)) = s.criteria[0].value else {
            panic!("{id}: no value")
        };
        assert!((km - expected).abs() < 0.001, "{id}: {km} vs {expected}");
        assert_eq!(s.criteria[0].nearest_label.as_deref(), Some(label));
        assert_eq!(s.criteria[0].nearest_id, None);
        // Linear from 1 at 2 km to 0 at 42 km.
        let score = ((42.0 - km) / 40.0).clamp(0.0, 1.0);
        assert!((s.criteria[0].score - score).abs() < 1e-12);
    }
    // Beyond max_km: excluded, with the reason a distance criterion gives.
    let far = r.site("far").unwrap();
    assert_eq!(far.rank, None);
    assert_eq!(far.excluded_by, vec![Exclusion::MaxKm("partners".into())]);
}

#[test]
fn anchor_points_are_checked() {
    for (points, key) in [
        ("[]", "criterion[0].points"),
        (
            "[{ label = \"x\", lon = 200, lat = 45 }]",
            "criterion[0].points[0].lon",
        ),
        (
            "[{ label = \"x\", lon = 2, lat = nan }]",
            "criterion[0].points[0].lat",
        ),
        ("[{ lon = 2, lat = 45 }]", "criterion[0].points[0].label"),
        (
            "[{ label = \"x\", lon = 2, lat = 45, alt = 3 }]",
            "criterion[0].points[0]",
        ),
    ] {
        let toml = format!(
            "[[criterion]]\nname = \"a\"\ntype = \"anchor\"\npoints = {points}\nideal_km = 1\nzero_km = 9\n"
        );
        let e = Brief::from_toml_str(&toml).unwrap_err().to_string();
        assert!(e.contains(key), "{points}: {e}");
    }
}

#[test]
fn a_filter_on_a_field_a_layer_lacks_does_not_test_its_sites_and_says_so() {
    let mut friche = site("f1", 0.0, 0.0, Some(10.0), None);
    friche
        .attributes
        .insert("statut".into(), Value::Text("friche sans projet".into()));
    let mut done = site("f2", 0.1, 0.0, Some(10.0), None);
    done.attributes
        .insert("statut".into(), Value::Text("friche reconvertie".into()));
    let mut no_value = site("f3", 0.2, 0.0, Some(10.0), None);
    no_value.attributes.insert("statut".into(), Value::Null);
    let friches = Layer::from_features("friches", Role::Sites, vec![friche, done, no_value]);
    let ports = Layer::from_features(
        "port_zones",
        Role::Sites,
        vec![site("p1", 0.3, 0.0, Some(300.0), None)],
    );
    let r = rank(
        vec![friches, ports],
        "[filter]\nwhere = { statut = [\"friche sans projet\"] }\n\
         [[criterion]]\nname = \"land\"\ntype = \"land\"\nneed_ha = 10\n",
    );
    // The friche layer carries statut: tested (a null value fails `where` as before).
    assert!(r.site("f1").unwrap().rank.is_some());
    assert_eq!(
        r.site("f2").unwrap().excluded_by,
        vec![Exclusion::Where("statut".into())]
    );
    assert_eq!(
        r.site("f3").unwrap().excluded_by,
        vec![Exclusion::Where("statut".into())]
    );
    // The port layer has no statut: its site is neither excluded nor tested...
    assert!(r.site("p1").unwrap().excluded_by.is_empty());
    // ... and the ranking says so, naming the layer.
    let w: Vec<String> = r.warnings.iter().map(ToString::to_string).collect();
    assert!(
        w.iter().any(|w| w.starts_with("filter.where.statut")
            && w.contains("port_zones (1 sites)")
            && !w.contains("friches")),
        "{w:?}"
    );
}

#[test]
fn a_distance_criterion_can_measure_to_a_site_layer() {
    let platforms = Layer::from_features(
        "chemical_platforms",
        Role::Sites,
        vec![site("chem", 0.0, 0.0, Some(100.0), None)],
    );
    let friches = Layer::from_features(
        "friches",
        Role::Sites,
        vec![site("f", 0.1, 0.0, Some(5.0), None)],
    );
    let r = rank(
        vec![friches, platforms],
        "[filter]\nlayers = [\"friches\"]\n[[criterion]]\nname = \"platform\"\ntype = \"distance\"\n\
         layer = \"chemical_platforms\"\nideal_km = 0\nzero_km = 20\n",
    );
    let CriterionValue::Number(Some(km)) = r.site("f").unwrap().criteria[0].value else {
        panic!("no distance")
    };
    // 0.1° of longitude on the equator: a * 0.1 * π / 180.
    assert!((km - 6378.137 * 0.1 * std::f64::consts::PI / 180.0).abs() < 1e-6);
    assert_eq!(
        r.site("f").unwrap().criteria[0].nearest_id.as_deref(),
        Some("chem")
    );
}

#[test]
fn the_untested_attributes_of_one_table_make_one_warning() {
    let mut f = site("f1", 0.0, 0.0, Some(10.0), None);
    for (k, v) in [("zoning", "U"), ("landfill", "non"), ("statut", "friche")] {
        f.attributes.insert(k.into(), Value::Text(v.into()));
    }
    let friches = Layer::from_features("friches", Role::Sites, vec![f]);
    let ports = Layer::from_features(
        "port_zones",
        Role::Sites,
        vec![site("p1", 0.3, 0.0, Some(300.0), None)],
    );
    let r = rank(
        vec![friches, ports],
        "[filter]\nwhere = { statut = [\"friche\"] }\n\
         where_not = { zoning = [\"N\"], landfill = [\"oui\"] }\n\
         [[criterion]]\nname = \"land\"\ntype = \"land\"\nneed_ha = 10\n",
    );
    let w: Vec<String> = r
        .warnings
        .iter()
        .map(ToString::to_string)
        .filter(|w| w.contains("has no attribute"))
        .collect();
    // `where` and `where_not` are two tables: two warnings, the second for both keys
    // (in the table's key order).
    assert_eq!(w.len(), 2, "{w:?}");
    assert!(
        w[0].starts_with(
            "filter.where.statut: layer port_zones (1 sites) has no attribute \"statut\""
        ),
        "{w:?}"
    );
    assert!(
        w[1].starts_with("filter.where_not: layer port_zones (1 sites) has no attribute \"landfill\", \"zoning\": these constraints"),
        "{w:?}"
    );
    assert_eq!(r.ranked, 2);
}

/// A sites CSV whose rows all fail at load (decimal commas, undeclared): the ranking
/// says which layer lost which rows and why, and that the site layer has no candidate,
/// instead of only "no site meets the brief's hard constraints".
#[test]
fn rank_says_when_a_layer_lost_rows_at_load() {
    let dir = tempfile::tempdir().unwrap();
    put(dir.path(), "catalog.toml", "[[layer]]\nname = \"sites\"\nrole = \"sites\"\npath = \"s.csv\"\nx = \"x\"\ny = \"y\"\nid = \"id\"\ndelimiter = \";\"\n\
         [[layer]]\nname = \"ports\"\nrole = \"facilities\"\npath = \"p.csv\"\nx = \"x\"\ny = \"y\"\nid = \"id\"\n");
    put(dir.path(), "s.csv", "id;x;y\na;2,35;48,85\nb;2,40;48,80\n");
    put(dir.path(), "p.csv", "id,x,y\np1,2.3,48.8\np2,oops,48.9\n");
    let engine = Engine::new(Catalog::from_path(dir.path()).unwrap());
    let brief = Brief::from_toml_str(
        "[[criterion]]\nname = \"port\"\ntype = \"distance\"\nlayer = \"ports\"\nideal_km = 1\nzero_km = 9\n",
    )
    .unwrap();
    let r = engine.rank(&brief).unwrap();
    assert_eq!(r.ranked, 0);
    let w: Vec<String> = r.warnings.iter().map(ToString::to_string).collect();
    let sites: Vec<&String> = w.iter().filter(|w| w.starts_with("data.sites")).collect();
    assert!(
        sites.iter().any(|w| w.contains(
            "2 of the 2 features of layer \"sites\" were skipped at load (bad_coordinate 2)"
        ) && w.contains("s.csv")),
        "{w:?}"
    );
    assert!(
        sites.iter().any(|w| w.contains("loaded no feature")),
        "{w:?}"
    );
    // The criterion's layer too: 1 of its 2 rows.
    assert!(
        w.iter()
            .any(|w| w.starts_with("data.ports") && w.contains("1 of the 2 features")),
        "{w:?}"
    ); // Their kinds, in the order they come.
    use sitematch::WarningKind::{EmptySiteLayer, SkippedAtLoad};
    let kinds: Vec<_> = r
        .warnings
        .iter()
        .map(|w| (w.kind, w.key.as_str()))
        .collect();
    assert_eq!(
        kinds[..3],
        [
            (SkippedAtLoad, "data.sites"),
            (EmptySiteLayer, "data.sites"),
            (SkippedAtLoad, "data.ports")
        ]
    );
}
