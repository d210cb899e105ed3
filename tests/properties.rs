//! Property tests (proptest): order independence, weight scaling, monotonicity in
//! distance, dominance, determinism.

use proptest::prelude::*;
use sitematch::{Brief, Catalog, Engine, Feature, Layer, Role, Value};

use crate::util::geojson_bytes;

/// A small world: sites with an attribute, facilities, population points, in a box.
#[derive(Debug, Clone)]
struct World {
    sites: Vec<(f64, f64, f64)>,
    facilities: Vec<(f64, f64)>,
    towns: Vec<(f64, f64, f64)>,
}

fn world() -> impl Strategy<Value = World> {
    let p = || (2.0..3.0f64, 48.0..49.0f64);
    (
        prop::collection::vec((2.0..3.0f64, 48.0..49.0f64, 0.0..100.0f64), 1..25),
        prop::collection::vec(p(), 0..10),
        prop::collection::vec((2.0..3.0f64, 48.0..49.0f64, 1.0..5000.0f64), 0..40),
    )
        .prop_map(|(sites, facilities, towns)| World {
            sites,
            facilities,
            towns,
        })
}

fn layers(w: &World) -> Vec<Layer> {
    let sites = w
        .sites
        .iter()
        .enumerate()
        .map(|(i, (x, y, a))| {
            let mut f = Feature::point(format!("s{i:02}"), *x, *y);
            f.area_ha = Some(*a);
            f
        })
        .collect();
    let facilities = w
        .facilities
        .iter()
        .enumerate()
        .map(|(i, (x, y))| Feature::point(format!("f{i:02}"), *x, *y))
        .collect();
    let towns = w
        .towns
        .iter()
        .enumerate()
        .map(|(i, (x, y, n))| {
            let mut f = Feature::point(format!("t{i:02}"), *x, *y);
            f.attributes.insert("active".into(), Value::Number(*n));
            f
        })
        .collect();
    let mut towns = Layer::from_features("towns", Role::Population, towns);
    // An empty layer still declares its field, as a catalog layer would.
    towns.attribute_names = vec!["active".into()];
    vec![
        Layer::from_features("sites", Role::Sites, sites),
        Layer::from_features("roads", Role::Facilities, facilities),
        towns,
    ]
}

fn brief(w: [f64; 3], method: &str) -> Brief {
    Brief::from_toml_str(&format!(
        "method = \"{method}\"\ntop = 100\n\
         [[criterion]]\nname = \"road\"\ntype = \"distance\"\nlayer = \"roads\"\nideal_km = 2\nzero_km = 60\nweight = {}\n\
         [[criterion]]\nname = \"labour\"\ntype = \"access\"\nlayer = \"towns\"\nfield = \"active\"\nradius_km = 30\ndecay = \"linear\"\nsaturation = 20000\nweight = {}\n\
         [[criterion]]\nname = \"land\"\ntype = \"attribute\"\nfield = \"area_ha\"\nideal = 80\nzero = 5\nweight = {}\n",
        w[0], w[1], w[2]
    ))
    .unwrap()
}

fn geojson(layers: Vec<Layer>, b: &Brief) -> Vec<u8> {
    let r = Engine::new(Catalog::from_layers(layers)).rank(b).unwrap();
    geojson_bytes(&r, 100, true)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn ranking_does_not_depend_on_feature_order(w in world(), seed in 0u64..1000, topsis in any::<bool>()) {
        let b = brief([1.0, 2.0, 1.0], if topsis { "topsis" } else { "weighted-sum" });
        let straight = geojson(layers(&w), &b);
        let mut shuffled = layers(&w);
        for (k, l) in shuffled.iter_mut().enumerate() {
            let n = l.features.len();
            if n > 1 {
                l.features.rotate_left((seed as usize + k) % n);
                if seed % 2 == 0 {
                    l.features.reverse();
                }
            }
        }
        prop_assert!(straight == geojson(shuffled, &b));
    }

    #[test]
    fn scaling_every_weight_changes_nothing(w in world(), k in 0.01..100.0f64, topsis in any::<bool>()) {
        let method = if topsis { "topsis" } else { "weighted-sum" };
        let engine = Engine::new(Catalog::from_layers(layers(&w)));
        let a = engine.rank(&brief([1.0, 2.0, 3.0], method)).unwrap();
        let b = engine.rank(&brief([k, 2.0 * k, 3.0 * k], method)).unwrap();
        for (x, y) in a.sites.iter().zip(&b.sites) {
            prop_assert!((x.score.unwrap() - y.score.unwrap()).abs() < 1e-9);
        }
        // The order can only differ between sites whose scores tie to rounding.
        for (x, y) in a.sites.iter().zip(&b.sites) {
            if x.site_id != y.site_id {
                let (sx, sy) = (x.score.unwrap(), b.site(&x.site_id).unwrap().score.unwrap());
                prop_assert!((sx - sy).abs() < 1e-9);
            }
        }
    }

    #[test]
    fn a_closer_facility_never_lowers_the_distance_score(
        w in world(), site in 0usize..25, facility in 0usize..10, t in 0.0..1.0f64,
    ) {
        prop_assume!(!w.facilities.is_empty());
        let (site, facility) = (site % w.sites.len(), facility % w.facilities.len());
        let b = brief([1.0, 1.0, 1.0], "weighted-sum");
        let before = Engine::new(Catalog::from_layers(layers(&w))).rank(&b).unwrap();
        // Move the facility a fraction t of the way towards the site.
        let mut moved = w.clone();
        let (sx, sy, _) = w.sites[site];
        let (fx, fy) = w.facilities[facility];
        moved.facilities[facility] = (fx + t * (sx - fx), fy + t * (sy - fy));
        let after = Engine::new(Catalog::from_layers(layers(&moved))).rank(&b).unwrap();
        let id = format!("s{site:02}");
        let (s0, s1) = (before.site(&id).unwrap().criteria[0].score, after.site(&id).unwrap().criteria[0].score);
        prop_assert!(s1 >= s0 - 1e-12, "{s0} -> {s1}");
    }

    #[test]
    fn a_dominating_site_never_ranks_below(w in world(), weights in prop::array::uniform3(0.1..10.0f64), topsis in any::<bool>()) {
        let r = Engine::new(Catalog::from_layers(layers(&w)))
            .rank(&brief(weights, if topsis { "topsis" } else { "weighted-sum" }))
            .unwrap();
        for a in r.ranked_sites() {
            for b in r.ranked_sites() {
                let ge = a.criteria.iter().zip(&b.criteria).all(|(x, y)| x.score >= y.score);
                let gt = a.criteria.iter().zip(&b.criteria).any(|(x, y)| x.score > y.score);
                if ge && gt {
                    prop_assert!(a.rank < b.rank, "{} dominates {} but ranks {:?} vs {:?}", a.site_id, b.site_id, a.rank, b.rank);
                }
            }
        }
    }

    #[test]
    fn output_is_deterministic(w in world()) {
        let b = brief([1.0, 2.0, 1.0], "weighted-sum");
        prop_assert!(geojson(layers(&w), &b) == geojson(layers(&w), &b));
    }
}
