//! The R-tree index against a brute-force scan of every feature (geodesic distance,
//! ties to the smaller id), on seeded random points.

use geo::{Destination, Distance, Geodesic, Point};
use rand::{rngs::StdRng, Rng, SeedableRng};
use sitematch::{fast_distance_m, FAST_MAX_M};
use sitematch::{Feature, IndexedLayer, Layer, Role};

fn random_layer(rng: &mut StdRng, n: usize, spread: (f64, f64, f64, f64)) -> Layer {
    let (lon0, lat0, lon1, lat1) = spread;
    let mut features = Vec::with_capacity(n);
    for i in 0..n {
        let lon = rng.random_range(lon0..lon1);
        let lat = rng.random_range(lat0..lat1);
        let mut f = Feature::point(format!("f{i:05}"), lon, lat);
        f.category = Some(if i % 3 == 0 { "rail" } else { "road" }.to_string());
        features.push(f);
        // Exact duplicates of a location, under another id, make ties.
        if i % 17 == 0 {
            features.push(Feature::point(format!("e{i:05}"), lon, lat));
        }
    }
    Layer::from_features("random", Role::Facilities, features)
}

fn brute_nearest(
    layer: &Layer,
    q: Point<f64>,
    pred: impl Fn(&Feature) -> bool,
) -> Option<(String, f64)> {
    layer
        .features
        .iter()
        .filter(|f| pred(f))
        .map(|f| (f.id.clone(), Geodesic.distance(q, f.location)))
        .min_by(|a, b| a.1.total_cmp(&b.1).then_with(|| a.0.cmp(&b.0)))
}

const REGIONS: [(f64, f64, f64, f64); 4] = [
    (-5.0, 42.0, 8.5, 51.2),      // mainland France and Corsica
    (-61.9, 14.3, -60.8, 16.6),   // Antilles
    (55.1, -21.5, 55.9, -20.8),   // La Réunion
    (-180.0, -85.0, 180.0, 85.0), // anywhere, antimeridian included
];

#[test]
fn nearest_matches_brute_force() {
    let mut rng = StdRng::seed_from_u64(7);
    for region in REGIONS {
        let layer = random_layer(&mut rng, 600, region);
        let idx = IndexedLayer::new(layer.clone());
        for _ in 0..150 {
            let q = Point::new(
                rng.random_range(region.0..region.2),
                rng.random_range(region.1..region.3),
            );
            for rail_only in [false, true] {
                let pred = |f: &Feature| !rail_only || f.category.as_deref() == Some("rail");
                let want = brute_nearest(&layer, q, pred);
                let got = idx
                    .nearest(q, pred)
                    .map(|(i, d)| (layer.features[i].id.clone(), d));
                assert_eq!(got, want, "query {q:?} rail_only={rail_only}");
            }
        }
    }
}

#[test]
fn ties_go_to_the_smaller_id() {
    let layer = Layer::from_features(
        "t",
        Role::Facilities,
        vec![
            Feature::point("b", 2.0, 48.0),
            Feature::point("a", 2.0, 48.0),
            Feature::point("c", 2.0, 48.0),
        ],
    );
    let idx = IndexedLayer::new(layer);
    let (i, _) = idx.nearest(Point::new(2.1, 48.1), |_| true).unwrap();
    assert_eq!(idx.layer().features[i].id, "a");
    let (i, _) = idx.nearest(Point::new(2.1, 48.1), |f| f.id != "a").unwrap();
    assert_eq!(idx.layer().features[i].id, "b");
}

#[test]
fn within_matches_brute_force() {
    let mut rng = StdRng::seed_from_u64(11);
    for region in REGIONS {
        let layer = random_layer(&mut rng, 800, region);
        let idx = IndexedLayer::new(layer.clone());
        for _ in 0..60 {
            let q = Point::new(
                rng.random_range(region.0..region.2),
                rng.random_range(region.1..region.3),
            );
            let radius = rng.random_range(1_000.0..400_000.0);
            // Up to FAST_MAX_M the index measures with the fast formula, else Karney's.
            let metric = |f: &Feature| {
                if radius <= FAST_MAX_M {
                    fast_distance_m(q, f.location)
                } else {
                    Geodesic.distance(q, f.location)
                }
            };
            let want: Vec<(usize, f64)> = layer
                .features
                .iter()
                .enumerate()
                .map(|(i, f)| (i, metric(f)))
                .filter(|(_, d)| *d <= radius)
                .collect();
            assert_eq!(idx.within(q, radius), want, "query {q:?} radius {radius}");
        }
    }
}

#[test]
fn within_includes_the_boundary() {
    let layer = Layer::from_features(
        "b",
        Role::Facilities,
        vec![
            Feature::point("x", 2.0, 48.0),
            Feature::point("y", 2.5, 48.0),
        ],
    );
    let idx = IndexedLayer::new(layer);
    let q = Point::new(2.0, 48.0);
    // 37 km: within FAST_MAX_M, so the index measures with the fast formula.
    let d = fast_distance_m(q, Point::new(2.5, 48.0));
    let hits: Vec<usize> = idx.within(q, d).into_iter().map(|(i, _)| i).collect();
    assert_eq!(hits, [0, 1]);
    let hits: Vec<usize> = idx
        .within(q, d - 0.001)
        .into_iter()
        .map(|(i, _)| i)
        .collect();
    assert_eq!(hits, [0]);
}

#[test]
fn empty_layer() {
    let idx = IndexedLayer::new(Layer::from_features("e", Role::Facilities, vec![]));
    assert_eq!(idx.nearest(Point::new(2.0, 48.0), |_| true), None);
    assert!(idx.within(Point::new(2.0, 48.0), 1e6).is_empty());
}

#[test]
fn fast_distance_is_within_a_millimetre_of_karney() {
    // Random points where France is (mainland, Corsica, the Antilles, Guyane, La
    // Réunion, Mayotte, and the Pacific), each with a second point placed by Karney's
    // direct problem at a random azimuth and a distance up to FAST_MAX_M.
    let regions = [
        (-5.0, 41.0, 10.0, 51.5),
        (-62.0, 14.0, -60.5, 16.6),
        (-55.0, 2.0, -51.5, 6.0),
        (55.0, -21.5, 56.0, -20.8),
        (44.9, -13.1, 45.4, -12.6),
        (-155.0, -28.0, -134.0, -7.0),
    ];
    let mut rng = StdRng::seed_from_u64(5);
    let mut worst = 0.0f64;
    for (x0, y0, x1, y1) in regions {
        for _ in 0..20_000 {
            let p = Point::new(rng.random_range(x0..x1), rng.random_range(y0..y1));
            let d = rng.random_range(0.0..FAST_MAX_M);
            let q = Geodesic.destination(p, rng.random_range(0.0..360.0), d);
            let err = (fast_distance_m(p, q) - Geodesic.distance(p, q)).abs();
            worst = worst.max(err);
        }
    }
    eprintln!(
        "fast distance vs Karney up to {FAST_MAX_M} m: worst {:.6} mm",
        worst * 1000.0
    );
    assert!(worst < 0.001, "worst error {worst} m");
}
