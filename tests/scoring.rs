//! Every criterion type, filter and aggregation on small hand-built data.
//!
//! Points lie on the equator, where the geodesic between two points is the equator
//! itself (for short spans), so distances are a * Δλ exactly: 0.1° of longitude is
//! 6378137 m * 0.1 * π / 180 = 11.131949 km.

use crate::util::assert_mentions;
use approx::assert_relative_eq;
use geo::{polygon, Distance, Geodesic, Geometry, Point};
use sitematch::{topsis, CriterionValue};
use sitematch::{Brief, Catalog, Engine, Feature, Layer, Role, Value};

const KM_PER_TENTH_DEGREE: f64 = 6378.137 * 0.1 * std::f64::consts::PI / 180.0;

fn site(id: &str, lon: f64, area_ha: Option<f64>) -> Feature {
    let mut f = Feature::point(id, lon, 0.0);
    f.area_ha = area_ha;
    f
}

fn facility(id: &str, lon: f64, category: &str) -> Feature {
    let mut f = Feature::point(id, lon, 0.0);
    f.category = Some(category.into());
    f.label = Some(format!("label {id}").into());
    f
}

fn town(id: &str, lon: f64, active: f64) -> Feature {
    let mut f = Feature::point(id, lon, 0.0);
    f.attributes.insert("active".into(), Value::Number(active));
    f
}

fn engine(sites: Vec<Feature>) -> Engine {
    let zone = Feature::from_geometry(
        "z1",
        Geometry::Polygon(polygon![(x: -0.01, y: -0.01), (x: 0.01, y: -0.01), (x: 0.01, y: 0.01), (x: -0.01, y: 0.01)]),
    )
    .unwrap();
    Engine::new(Catalog::from_layers(vec![
        Layer::from_features("sites", Role::Sites, sites),
        Layer::from_features(
            "motorway",
            Role::Facilities,
            vec![
                facility("m1", 0.1, "Échangeur"),
                facility("m2", 0.05, "Barrière"),
            ],
        ),
        Layer::from_features(
            "communes",
            Role::Population,
            vec![
                town("c1", 0.1, 1000.0),
                town("c2", 0.2, 3000.0),
                town("c3", 0.5, 5000.0),
            ],
        ),
        Layer::from_features("tdi", Role::Zones, vec![zone]),
    ]))
}

fn brief(text: &str) -> Brief {
    Brief::from_toml_str(text).unwrap()
}

fn number(v: &CriterionValue) -> f64 {
    match v {
        CriterionValue::Number(Some(x)) => *x,
        other => panic!("not a number: {other:?}"),
    }
}

#[test]
fn distance_criterion_matches_categories_ignoring_case_and_accents() {
    let e = engine(vec![site("s", 0.0, None)]);
    let r = e
        .rank(&brief(
            "[[criterion]]\nname = \"motorway\"\ntype = \"distance\"\nlayer = \"motorway\"\n\
             categories = [\"ECHANGEUR\"]\nideal_km = 2\nzero_km = 20\n",
        ))
        .unwrap();
    let c = &r.sites[0].criteria[0];
    // m2 is nearer (5.57 km) but a "Barrière": the Échangeur m1 at 11.131949 km counts.
    assert_relative_eq!(number(&c.value), KM_PER_TENTH_DEGREE, max_relative = 1e-9);
    // s = (20 - 11.131949) / (20 - 2) = 0.4926695
    assert_relative_eq!(
        c.score,
        (20.0 - KM_PER_TENTH_DEGREE) / 18.0,
        max_relative = 1e-9
    );
    assert_eq!(c.nearest_id.as_deref(), Some("m1"));
    assert_eq!(c.nearest_label.as_deref(), Some("label m1"));
    assert_relative_eq!(c.points, 100.0 * c.score);
}

#[test]
fn distance_score_is_1_below_ideal_and_0_beyond_zero() {
    let e = engine(vec![site("near", 0.099, None), site("far", -0.9, None)]);
    let r = e
        .rank(&brief(
            "[[criterion]]\nname = \"m\"\ntype = \"distance\"\nlayer = \"motorway\"\n\
             ideal_km = 2\nzero_km = 20\n",
        ))
        .unwrap();
    // near: 0.111 km from m1 (< 2 km): score 1. far: 105.7 km from m2 (> 20): score 0.
    assert_eq!(r.site("near").unwrap().criteria[0].score, 1.0);
    assert_eq!(r.site("far").unwrap().criteria[0].score, 0.0);
}

#[test]
fn max_km_excludes_and_no_match_is_null() {
    let e = engine(vec![site("s", 0.0, None)]);
    let r = e
        .rank(&brief(
            "[[criterion]]\nname = \"m\"\ntype = \"distance\"\nlayer = \"motorway\"\n\
             categories = [\"echangeur\"]\nideal_km = 2\nzero_km = 20\nmax_km = 10\n\
             [[criterion]]\nname = \"port\"\ntype = \"distance\"\nlayer = \"motorway\"\n\
             categories = [\"port\"]\nideal_km = 2\nzero_km = 20\n",
        ))
        .unwrap();
    assert_eq!(r.ranked, 0);
    let s = &r.sites[0];
    // 11.13 km > max_km 10.
    assert_eq!(s.excluded_by, ["m:max_km"]);
    assert_eq!(s.rank, None);
    assert_eq!(s.criteria[1].value, CriterionValue::Number(None));
    assert_eq!(s.criteria[1].score, 0.0);
}

#[test]
fn access_sums_with_each_decay() {
    let e = engine(vec![site("s", 0.0, None)]);
    let d1 = KM_PER_TENTH_DEGREE; // c1, 1000 active
    let d2 = 2.0 * KM_PER_TENTH_DEGREE; // c2, 3000 active; c3 at 55.7 km is beyond 30 km
    type Decay = fn(f64) -> f64;
    let cases: [(&str, Decay); 4] = [
        ("none", |_| 1.0),
        ("linear", |t| 1.0 - t),
        ("gaussian", |t| (-4.5 * t * t).exp()),
        ("exponential", |t| (-3.0 * t).exp()),
    ];
    for (decay, f) in cases {
        let r = e
            .rank(&brief(&format!(
                "[[criterion]]\nname = \"labour\"\ntype = \"access\"\nlayer = \"communes\"\n\
                 field = \"active\"\nradius_km = 30\ndecay = \"{decay}\"\nsaturation = 2000\n"
            )))
            .unwrap();
        let c = &r.sites[0].criteria[0];
        // linear: 1000 (1 - 11.132/30) + 3000 (1 - 22.264/30) = 628.94 + 773.61 = 1402.55
        let want = 1000.0 * f(d1 / 30.0) + 3000.0 * f(d2 / 30.0);
        assert_relative_eq!(number(&c.value), want, max_relative = 1e-9);
        assert_relative_eq!(c.score, (want / 2000.0).min(1.0), max_relative = 1e-9);
    }
    // Counting (no field): two communes within 30 km.
    let r = e
        .rank(&brief(
            "[[criterion]]\nname = \"n\"\ntype = \"access\"\nlayer = \"communes\"\n\
             radius_km = 30\nsaturation = 4\n",
        ))
        .unwrap();
    assert_eq!(number(&r.sites[0].criteria[0].value), 2.0);
    assert_eq!(r.sites[0].criteria[0].score, 0.5);
}

#[test]
fn attribute_increasing_decreasing_and_missing() {
    let e = engine(vec![site("a", 0.0, Some(30.0)), site("b", 0.001, None)]);
    let r = e
        .rank(&brief(
            "[[criterion]]\nname = \"big\"\ntype = \"attribute\"\nfield = \"area_ha\"\n\
             ideal = 60\nzero = 20\nmissing = 0.3\n\
             [[criterion]]\nname = \"small\"\ntype = \"attribute\"\nfield = \"area_ha\"\n\
             ideal = 10\nzero = 50\n",
        ))
        .unwrap();
    let a = r.site("a").unwrap();
    // (30 - 20) / (60 - 20) = 0.25; mirror: (30 - 50) / (10 - 50) = 0.5
    assert_eq!(a.criteria[0].score, 0.25);
    assert_eq!(a.criteria[1].score, 0.5);
    let b = r.site("b").unwrap();
    assert_eq!(b.criteria[0].score, 0.3);
    assert_eq!(b.criteria[0].value, CriterionValue::Number(None));
    assert_eq!(b.criteria[1].score, 0.0);
    // Weighted sum, equal weights: a = 100 (0.25 + 0.5) / 2 = 37.5; b = 15.
    assert_eq!(a.score, Some(37.5));
    assert_eq!(b.score, Some(15.0));
    assert_eq!(a.rank, Some(1));
}

#[test]
fn category_scores_fold_text() {
    let mut a = site("a", 0.0, None);
    a.attributes
        .insert("pollution".into(), Value::Text("Non".into()));
    let mut b = site("b", 0.001, None);
    b.attributes
        .insert("pollution".into(), Value::Text("peut-être".into()));
    let c = site("c", 0.002, None);
    let e = engine(vec![a, b, c]);
    let r = e
        .rank(&brief(
            "[[criterion]]\nname = \"pol\"\ntype = \"category\"\nfield = \"pollution\"\n\
             scores = { \"non\" = 1.0, \"PEUT-ETRE\" = 0.4 }\ndefault = 0.2\n",
        ))
        .unwrap();
    assert_eq!(r.site("a").unwrap().criteria[0].score, 1.0);
    assert_eq!(r.site("b").unwrap().criteria[0].score, 0.4);
    let c = r.site("c").unwrap();
    assert_eq!(c.criteria[0].score, 0.2);
    assert_eq!(c.criteria[0].value, CriterionValue::Text(None));
}

#[test]
fn zone_counts_the_boundary_as_inside() {
    let e = engine(vec![
        site("inside", 0.0, None),
        site("edge", 0.01, None),
        site("outside", 0.02, None),
    ]);
    let r = e
        .rank(&brief(
            "[[criterion]]\nname = \"tdi\"\ntype = \"zone\"\nlayer = \"tdi\"\n",
        ))
        .unwrap();
    assert_eq!(r.site("inside").unwrap().criteria[0].score, 1.0);
    assert_eq!(r.site("edge").unwrap().criteria[0].score, 1.0);
    assert_eq!(r.site("outside").unwrap().criteria[0].score, 0.0);
    // Ties (inside, edge: 100) are broken by id: "edge" < "inside".
    let order: Vec<&str> = r
        .ranked_sites()
        .iter()
        .map(|s| s.site_id.as_str())
        .collect();
    assert_eq!(order, ["edge", "inside", "outside"]);
}

#[test]
fn filters_keep_every_reason() {
    let mut corse = site("corse", 0.0, Some(5.0));
    corse.commune = Some("2A004".into());
    corse
        .attributes
        .insert("statut".into(), Value::Text("Friche sans projet".into()));
    let mut reunion = site("reunion", 0.5, Some(500.0));
    reunion.commune = Some("97411".into());
    reunion
        .attributes
        .insert("statut".into(), Value::Text("friche avec projet".into()));
    let unknown = site("unknown", 0.3, None);
    // A polygon site that touches the exclusion zone's edge at x = 0.01.
    let mut poly = Feature::from_geometry(
        "poly",
        Geometry::Polygon(
            polygon![(x: 0.01, y: 0.0), (x: 0.05, y: 0.0), (x: 0.05, y: 0.04), (x: 0.01, y: 0.04)],
        ),
    )
    .unwrap();
    poly.area_ha = Some(50.0);
    poly.commune = Some("2a004".into());
    poly.attributes
        .insert("statut".into(), Value::Text("friche sans projet".into()));
    let e = engine(vec![corse, reunion, unknown, poly]);
    let r = e
        .rank(&brief(
            "[filter]\nmin_area_ha = 10\nmax_area_ha = 100\ndepartments = [\"2a\", \"974\"]\n\
             bbox = [-0.1, -0.1, 0.3, 0.1]\nwhere = { statut = [\"friche sans projet\"] }\n\
             exclude_zones = [\"tdi\"]\n\
             [[criterion]]\nname = \"t\"\ntype = \"zone\"\nlayer = \"tdi\"\n",
        ))
        .unwrap();
    let reasons = |id: &str| r.site(id).unwrap().excluded_by_text(";");
    // corse sits at the origin, inside the zone as well as too small.
    assert_eq!(reasons("corse"), "min_area_ha;exclude_zones:tdi");
    assert_eq!(reasons("reunion"), "max_area_ha;bbox;where:statut");
    assert_eq!(reasons("unknown"), "area:unknown;departments;where:statut");
    assert_eq!(reasons("poly"), "exclude_zones:tdi");
    assert_eq!(r.ranked, 0);
}

#[test]
fn topsis_matches_a_published_example() {
    // Sennaroğlu, B., "Decision Analysis" lecture notes (2009), TOPSIS example: three
    // alternatives, two benefit criteria x = (17, 12), (10, 9), (8, 6), weights
    // 0.714 / 0.286. The published weighted normalised matrix is
    // V = (0.5703, 0.2124), (0.3355, 0.1593), (0.2684, 0.1062), so
    // A+ = (0.5703, 0.2124), A- = (0.2684, 0.1062) and, by hand,
    //   C1 = 0.3199 / (0 + 0.3199)           = 1
    //   C2 = 0.0856 / (0.2407 + 0.0856)      = 0.2622
    //   (D+ = sqrt(0.2348² + 0.0531²), D- = sqrt(0.0671² + 0.0531²))
    //   C3 = 0        / (0.3199 + 0)         = 0.
    // As sitematch criteria: attribute criteria with zero = 0 and ideal at each
    // column's maximum (17, 12), whose scores x / max keep the vector normalisation.
    let x = [[17.0, 12.0], [10.0, 9.0], [8.0, 6.0]];
    let scores: Vec<Vec<f64>> = x.iter().map(|r| vec![r[0] / 17.0, r[1] / 12.0]).collect();
    let c = topsis(&scores, &[0.714, 0.286]);
    assert_relative_eq!(c[0], 100.0, epsilon = 1e-9);
    assert_relative_eq!(c[1], 26.22, epsilon = 0.01);
    assert_relative_eq!(c[2], 0.0, epsilon = 1e-9);
    // The published V, checked through the engine's own normalisation of column 1:
    // 17 / sqrt(17² + 10² + 8²) * 0.714 = 0.5703.
    assert_relative_eq!(17.0 / 453f64.sqrt() * 0.714, 0.5703, epsilon = 1e-4);
}

#[test]
fn topsis_through_the_engine_ranks_like_the_example() {
    let mut sites = Vec::new();
    for (id, p, l) in [("a1", 17.0, 12.0), ("a2", 10.0, 9.0), ("a3", 8.0, 6.0)] {
        let mut f = site(id, 0.0, None);
        f.attributes.insert("p".into(), Value::Number(p));
        f.attributes.insert("l".into(), Value::Number(l));
        sites.push(f);
    }
    let r = engine(sites)
        .rank(&brief(
            "method = \"topsis\"\n\
             [[criterion]]\nname = \"p\"\ntype = \"attribute\"\nfield = \"p\"\nideal = 17\nzero = 0\nweight = 0.714\n\
             [[criterion]]\nname = \"l\"\ntype = \"attribute\"\nfield = \"l\"\nideal = 12\nzero = 0\nweight = 0.286\n",
        ))
        .unwrap();
    let s: Vec<(String, f64)> = r
        .ranked_sites()
        .iter()
        .map(|s| (s.site_id.to_string(), s.score.unwrap()))
        .collect();
    assert_eq!(s[0].0, "a1");
    assert_relative_eq!(s[1].1, 26.22, epsilon = 0.01);
    // <c>_points stay the weighted-sum contribution: a2's p = 100 * 0.714 * 10/17.
    let a2 = r.site("a2").unwrap();
    assert_relative_eq!(
        a2.criteria[0].points,
        100.0 * 0.714 * 10.0 / 17.0,
        max_relative = 1e-12
    );
}

#[test]
fn topsis_edge_cases() {
    // A column of zeros stays zeros; identical sites score 100 (D+ = D- = 0).
    let c = topsis(&[vec![0.0, 0.5], vec![0.0, 0.5]], &[1.0, 1.0]);
    assert_eq!(c, [100.0, 100.0]);
}

#[test]
fn ahp_matches_saatys_drinks_example() {
    // Saaty, T. L. (2008), "Decision making with the analytic hierarchy process",
    // Int. J. Services Sciences 1(1), 83-98: relative consumption of drinks in the
    // USA. Published priorities: coffee .177, wine .019, tea .042, beer .116,
    // sodas .190, milk .129, water .327; consistency ratio 0.022.
    let m = "[[1, 9, 5, 2, 1, 1, 0.5], [0.1111111, 1, 0.3333333, 0.1111111, 0.1111111, 0.1111111, 0.1111111], \
             [0.2, 3, 1, 0.3333333, 0.25, 0.3333333, 0.1111111], [0.5, 9, 3, 1, 0.5, 1, 0.3333333], \
             [1, 9, 4, 2, 1, 2, 0.5], [1, 9, 3, 1, 0.5, 1, 0.3333333], [2, 9, 9, 3, 2, 3, 1]]";
    let mut text = String::new();
    for name in ["coffee", "wine", "tea", "beer", "sodas", "milk", "water"] {
        text.push_str(&format!(
            "[[criterion]]\nname = \"{name}\"\ntype = \"zone\"\nlayer = \"tdi\"\n"
        ));
    }
    text.push_str(&format!("[weights]\nahp = {m}\n"));
    let b = brief(&text);
    let (w, cr) = b.normalised_weights();
    let published = [0.177, 0.019, 0.042, 0.116, 0.190, 0.129, 0.327];
    for (got, want) in w.iter().zip(published) {
        assert_relative_eq!(*got, want, epsilon = 0.0006);
    }
    assert_relative_eq!(cr.unwrap(), 0.022, epsilon = 0.0006);
    // The ranking reports the same weights.
    let r = engine(vec![site("s", 0.0, None)]).rank(&b).unwrap();
    assert_eq!(r.ahp_cr, cr);
    assert_relative_eq!(r.criteria[6].weight, 0.327, epsilon = 0.0006);
}

#[test]
fn brief_problems_against_the_data_come_together() {
    let e = engine(vec![site("s", 0.0, None)]);
    let b = brief(
        "[filter]\nlayers = [\"motorway\"]\nexclude_zones = [\"nowhere\"]\nwhere = { colour = [\"red\"] }\n\
         [[criterion]]\nname = \"a\"\ntype = \"distance\"\nlayer = \"tdi\"\nideal_km = 1\nzero_km = 2\n\
         [[criterion]]\nname = \"b\"\ntype = \"attribute\"\nfield = \"surface\"\nideal = 1\nzero = 0\n\
         [[criterion]]\nname = \"c\"\ntype = \"access\"\nlayer = \"communes\"\nfield = \"pop\"\nradius_km = 1\nsaturation = 1\n",
    );
    let e = match e.rank(&b) {
        Err(sitematch::Error::Brief(p)) => p,
        other => panic!("{other:?}"),
    };
    let keys: Vec<&str> = e.problems.iter().map(|p| p.key.as_str()).collect();
    assert_eq!(
        keys,
        [
            "filter.layers[0]",
            "filter.exclude_zones[0]",
            "criterion[0].layer",
            "filter.where.colour",
            "criterion[1].field",
            "criterion[2].field",
        ]
    );
    assert!(e.problems[0].message.contains("is a facilities layer"));
    assert!(e.problems[5]
        .message
        .contains("has no attribute \"pop\"; it has: active"));
}

#[test]
fn duplicate_site_ids_across_layers_are_an_error() {
    let e = Engine::new(Catalog::from_layers(vec![
        Layer::from_features("a", Role::Sites, vec![site("x", 0.0, None)]),
        Layer::from_features("b", Role::Sites, vec![site("x", 0.1, None)]),
        Layer::from_features("z", Role::Zones, vec![]),
    ]));
    let err = e
        .rank(&brief(
            "[[criterion]]\nname = \"t\"\ntype = \"zone\"\nlayer = \"z\"\n",
        ))
        .unwrap_err()
        .to_string();
    assert_mentions(&err, &["\"x\"", "\"a\"", "\"b\""]);
}

#[test]
fn r11_where_not_excludes_listed_values_and_keeps_unknown_ones() {
    let mut n = site("n", 0.0, Some(5.0));
    n.attributes
        .insert("zoning".into(), Value::Text("N".into()));
    let mut u = site("u", 0.1, Some(5.0));
    u.attributes
        .insert("zoning".into(), Value::Text("U".into()));
    // No zoning at all: unknown, kept (a `where` would drop it).
    let unknown = site("x", 0.2, Some(5.0));
    let r = engine(vec![n, u, unknown])
        .rank(
            &Brief::from_toml_str(
                "[filter]\nwhere_not = { zoning = [\"n\", \"A\"] }\n\
                 [[criterion]]\nname = \"land\"\ntype = \"attribute\"\nfield = \"area_ha\"\nideal = 5\nzero = 0\n",
            )
            .unwrap(),
        )
        .unwrap();
    let excluded: Vec<String> = r
        .excluded_sites()
        .iter()
        .map(|s| format!("{} {}", s.site_id, s.excluded_by_text(";")))
        .collect();
    assert_eq!(excluded, ["n where_not:zoning"]);
    assert_eq!(r.ranked, 2);
}

/// A sum over a radius that reaches every feature, for many sites, is refused before
/// it starts, with the pairs it would visit (here exactly sites x features, since the
/// radius takes in all of them, each counting 16 beyond 100 km) and the limit; the same
/// radius over the few sites of a bbox runs, and so does the whole data with a sane
/// radius.
#[test]
fn a_sum_over_billions_of_pairs_is_refused_before_it_starts() {
    let n = 23_000; // 23,000 x 23,000 = 529,000,000 pairs, above the limit
    let grid = |i: usize| {
        (
            2.0 + (i % 150) as f64 * 0.01,
            45.0 + (i / 150) as f64 * 0.01,
        )
    };
    let sites: Vec<Feature> = (0..n)
        .map(|i| {
            let (x, y) = grid(i);
            Feature::point(format!("s{i}"), x, y)
        })
        .collect();
    let towns: Vec<Feature> = (0..n)
        .map(|i| {
            let (x, y) = grid(i);
            let mut f = Feature::point(format!("t{i}"), x + 0.005, y);
            f.attributes.insert("active".into(), Value::Number(1.0));
            f
        })
        .collect();
    let engine = Engine::new(Catalog::from_layers(vec![
        Layer::from_features("sites", Role::Sites, sites),
        Layer::from_features("communes", Role::Population, towns),
    ]));
    let access = |radius: &str| {
        format!(
            "[[criterion]]\nname = \"labour\"\ntype = \"access\"\nlayer = \"communes\"\n\
             field = \"active\"\nradius_km = {radius}\ndecay = \"none\"\nsaturation = 10\n"
        )
    };
    let refused = |text: &str| match engine.rank(&Brief::from_toml_str(text).unwrap()) {
        Err(sitematch::Error::Brief(p)) => p.to_string(),
        Err(e) => panic!("another error: {e}"),
        Ok(_) => panic!("ran a brief of half a billion pairs"),
    };
    let msg = refused(&access("999"));
    assert_mentions(
        &msg,
        &[
            "criterion[0].radius_km",
            "as much as 8,464,000,000 (site, feature) pairs within 100 km for the 23,000 candidates in the brief's scope",
            "the limit is 500,000,000",
        ],
    );
    // Past the widest radius, refused when the brief is read.
    let err = Brief::from_toml_str(&access("20000"))
        .unwrap_err()
        .to_string();
    assert_mentions(&err, &["criterion[0].radius_km: must be at most 1000"]);
    // The sites of a bbox (the first row of the grid: 150 sites) are the brief's
    // scope: the others are not summed over, and each sum reaches every town.
    let bbox = format!(
        "[filter]\nbbox = [1.99, 44.99, 4.0, 45.001]\n{}",
        access("999")
    );
    let r = engine.rank(&Brief::from_toml_str(&bbox).unwrap()).unwrap();
    assert_eq!(r.ranked, 150);
    for s in r.ranked_sites() {
        assert_eq!(
            s.criteria[0].value.as_f64(),
            Some(n as f64),
            "{}",
            s.site_id
        );
    }
    let outside = r.site("s150").unwrap();
    assert_eq!(outside.excluded_by_text(";"), "bbox");
    assert_eq!(outside.criteria[0].value.as_f64(), None);
    assert_eq!(sitematch::MAX_PAIRS, 500_000_000);

    // Competition: the sites' workers plus every worker's competing jobs.
    let msg = refused(
        "[[criterion]]\nname = \"c\"\ntype = \"competition\"\nlayer = \"communes\"\n\
         field = \"active\"\njobs_field = \"active\"\nradius_km = 999\nsaturation = 1\n",
    );
    assert_mentions(
        &msg,
        &[
            "criterion[0].radius_km",
            "as much as 16,928,000,000 (site, feature) pairs",
        ],
    );

    // 2 km: each site reaches a few towns; the brief runs and each value is the count
    // a brute-force geodesic scan finds.
    let r = engine
        .rank(&Brief::from_toml_str(&access("2")).unwrap())
        .unwrap();
    assert_eq!(r.ranked, n);
    for i in [0, 777, 22_999] {
        let (x, y) = grid(i);
        let brute = (0..n)
            .filter(|&j| {
                let (tx, ty) = grid(j);
                let d = Geodesic.distance(Point::new(x, y), Point::new(tx + 0.005, ty));
                d <= 2000.0
            })
            .count() as f64;
        let v = r.site(&format!("s{i}")).unwrap().criteria[0]
            .value
            .as_f64()
            .unwrap();
        assert_eq!(v, brute, "s{i}");
        assert!(brute >= 4.0, "s{i}: {brute}");
    }
}

#[test]
fn each_site_carries_its_own_attributes_in_the_rankings_columns() {
    // Two site layers with different attributes, one in an order of its own (a
    // catalog's), features missing some: every site's value of every column is the
    // value its feature has, or null.
    let with = |id: &str, lon: f64, area: f64, attrs: &[(&str, &str)]| {
        let mut f = site(id, lon, Some(area));
        for (k, v) in attrs {
            f.attributes
                .insert(k.to_string().into(), Value::Text((*v).into()));
        }
        f
    };
    let mut a = Layer::from_features(
        "a",
        Role::Sites,
        vec![
            with(
                "a1",
                0.0,
                30.0,
                &[("zeta", "z1"), ("alpha", "x1"), ("mid", "m1")],
            ),
            with("a2", 0.1, 10.0, &[("zeta", "z2")]),
            with("a3", 0.2, 1.0, &[("mid", "m3"), ("alpha", "x3")]),
        ],
    );
    a.attribute_names = vec!["zeta".into(), "alpha".into(), "mid".into()];
    let b = Layer::from_features(
        "b",
        Role::Sites,
        vec![
            with("b1", 0.3, 20.0, &[("alpha", "bx1"), ("other", "o1")]),
            with("b2", 0.4, 5.0, &[("other", "o2")]),
        ],
    );
    // The same attributes as the ranking's columns, in another order.
    let mut c = Layer::from_features(
        "c",
        Role::Sites,
        vec![with(
            "c1",
            0.5,
            15.0,
            &[
                ("zeta", "cz"),
                ("alpha", "cx"),
                ("mid", "cm"),
                ("other", "co"),
            ],
        )],
    );
    c.attribute_names = vec!["other".into(), "mid".into(), "alpha".into(), "zeta".into()];
    let features: Vec<Feature> = [&a, &b, &c]
        .iter()
        .flat_map(|l| l.features.iter().cloned())
        .collect();
    let engine = Engine::new(Catalog::from_layers(vec![a, b, c]));
    let ranking = engine
        .rank(&brief(
            "[filter]\nmin_area_ha = 2\n[[criterion]]\nname = \"land\"\ntype = \"attribute\"\nfield = \"area_ha\"\nideal = 40\nzero = 0\n",
        ))
        .unwrap();
    let names: Vec<&str> = ranking.attributes.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["zeta", "alpha", "mid", "other"]);
    let order: Vec<&str> = ranking.sites.iter().map(|s| s.site_id.as_str()).collect();
    // Ranked by area (the score), then the excluded (a3, under 2 ha) by id.
    assert_eq!(order, ["a1", "b1", "c1", "a2", "b2", "a3"]);
    assert_eq!(ranking.ranked, 5);
    for s in &ranking.sites {
        let f = features.iter().find(|f| f.id == s.site_id).unwrap();
        let expected: Vec<Value> = names
            .iter()
            .map(|n| f.attributes.get(n).cloned().unwrap_or(Value::Null))
            .collect();
        assert_eq!(s.attributes[..], expected[..], "site {}", s.site_id);
        assert_eq!(s.layer, &s.site_id[..1]);
    }
}

/// `nan`, `inf` and `-inf` are TOML numbers and not JSON ones: read as absent they
/// took each key's default (a weight of 1, no area filter, no spacing, top 20). Each
/// one is refused at its key, whatever the key; weights whose sum overflows, or that
/// are too small to weigh anything, are refused too.
#[test]
fn non_finite_numbers_and_absurd_weights_are_refused_at_their_key() {
    const LAND: &str = "[[criterion]]\nname = \"land\"\ntype = \"attribute\"\nfield = \"area_ha\"\nideal = 20\nzero = 0\n";
    let cases = [
        ("top = nan\n", "top"),
        ("need_ha = nan\n", "need_ha"),
        ("[filter]\nmin_area_ha = inf\n", "filter.min_area_ha"),
        ("[output]\nmin_spacing_km = nan\n", "output.min_spacing_km"),
        ("[robustness]\nruns = inf\n", "robustness.runs"),
    ];
    for (head, key) in cases {
        let e = Brief::from_toml_str(&format!("{head}{LAND}"))
            .unwrap_err()
            .to_string();
        assert_mentions(&e, &[&format!("{key}: must be a finite number")]);
    }
    for w in ["nan", "inf", "-inf"] {
        let e = Brief::from_toml_str(&format!("{LAND}weight = {w}\n"))
            .unwrap_err()
            .to_string();
        assert_mentions(&e, &["criterion[0].weight: must be a finite number"]);
    }
    let e = Brief::from_toml_str(
        "[[criterion]]\nname = \"c\"\ntype = \"competition\"\nlayer = \"homes\"\n\
         field = \"active\"\njobs_field = \"jobs\"\nradius_km = 30\nsaturation = 1\n\
         decay = \"exponential\"\nbeta = nan\n",
    )
    .unwrap_err()
    .to_string();
    assert_mentions(&e, &["criterion[0].beta: must be a finite number"]);
    // Two weights of 1e308 add up to infinity: every score would be 0.
    let two = format!(
        "{LAND}weight = 1e308\n{}weight = 1e308\n",
        LAND.replace("\"land\"", "\"land2\"")
    );
    let e = Brief::from_toml_str(&two).unwrap_err().to_string();
    assert_mentions(&e, &["criterion: the weights add up to inf"]);
    let tiny = format!(
        "{LAND}weight = 1e-310\n{}",
        LAND.replace("\"land\"", "\"land2\"")
    );
    let e = Brief::from_toml_str(&tiny).unwrap_err().to_string();
    assert_mentions(&e, &["criterion[0].weight: 1e-310 is too small"]);
    // Everyday weights are fine.
    let fine = format!(
        "{LAND}weight = 3\n{}weight = 0.5\n",
        LAND.replace("\"land\"", "\"land2\"")
    );
    assert!(Brief::from_toml_str(&fine).is_ok());
}

/// A catalog with a non-finite number is refused at its key.
#[test]
fn a_catalog_with_a_non_finite_number_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let e = crate::util::catalog_in(
        dir.path(),
        "[[layer]]\nname = \"roads\"\nrole = \"network\"\npath = \"r.csv\"\naccess_kmh = nan\n",
    )
    .unwrap_err()
    .to_string();
    assert_mentions(
        &e,
        &[
            "catalog.toml",
            "layer[0] (\"roads\", r.csv).access_kmh",
            "must be a finite number",
        ],
    );
}
