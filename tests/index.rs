//! The R-tree index against a brute-force scan of every feature (geodesic distance,
//! ties to the smaller id), on seeded random points.

use crate::util::point_layer;
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
        f.category = Some(if i % 3 == 0 { "rail" } else { "road" }.into());
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
        .map(|f| (f.id.to_string(), Geodesic.distance(q, f.location)))
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
                    .map(|(i, d)| (layer.features[i].id.to_string(), d));
                assert_eq!(got, want, "query {q:?} rail_only={rail_only}");
            }
        }
    }
}

#[test]
fn ties_go_to_the_smaller_id() {
    let layer = point_layer(
        "t",
        Role::Facilities,
        &[("b", 2.0, 48.0), ("a", 2.0, 48.0), ("c", 2.0, 48.0)],
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
    let layer = point_layer("b", Role::Facilities, &[("x", 2.0, 48.0), ("y", 2.5, 48.0)]);
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

/// A point along the great-circle arc between two lon/lat points (t from 0 to 1), as
/// the segment is defined: normalised interpolation of the geodetic unit vectors.
fn along_arc(a: Point<f64>, b: Point<f64>, t: f64) -> Point<f64> {
    let uv = |p: Point<f64>| {
        let (lon, lat) = (p.x().to_radians(), p.y().to_radians());
        [lat.cos() * lon.cos(), lat.cos() * lon.sin(), lat.sin()]
    };
    let (u, v) = (uv(a), uv(b));
    let w: Vec<f64> = (0..3).map(|k| (1.0 - t) * u[k] + t * v[k]).collect();
    let n = (w[0] * w[0] + w[1] * w[1] + w[2] * w[2]).sqrt();
    Point::new(
        w[1].atan2(w[0]).to_degrees(),
        (w[2] / n).asin().to_degrees(),
    )
}

#[test]
fn r11_distance_to_lines_matches_a_dense_search() {
    use geo::{Geometry, LineString, Polygon};
    let mut rng = StdRng::seed_from_u64(11);
    // Power lines in mainland France: 3 to 8 vertices, 1 to 5 km apart; a few squares.
    let mut features = Vec::new();
    for i in 0..40 {
        let mut p = Point::new(rng.random_range(-1.0..7.0), rng.random_range(43.0..50.0));
        let mut coords = vec![p.0];
        for _ in 0..rng.random_range(2..8) {
            p = Geodesic.destination(p, rng.random_range(0.0..360.0), rng.random_range(1e3..5e3));
            coords.push(p.0);
        }
        let g = if i % 8 == 0 {
            let (x, y) = (p.x(), p.y());
            Geometry::Polygon(Polygon::new(
                LineString::from(vec![
                    (x, y),
                    (x + 0.05, y),
                    (x + 0.05, y + 0.05),
                    (x, y + 0.05),
                    (x, y),
                ]),
                vec![],
            ))
        } else {
            Geometry::LineString(LineString::from(coords))
        };
        features.push(Feature::from_geometry(format!("l{i:03}"), g).unwrap());
    }
    let mut layer = Layer::from_features("lines", Role::Facilities, features);
    layer.measure = sitematch::Measure::Geometry;
    let index = IndexedLayer::new(layer.clone());
    // Brute force: every segment sampled every 0.2 m or so, Karney to each sample.
    let brute = |q: Point<f64>, f: &Feature| -> f64 {
        if matches!(f.geometry, Geometry::Polygon(_))
            && geo::Intersects::intersects(&f.geometry, &q)
        {
            return 0.0;
        }
        let lines: Vec<LineString<f64>> = match &f.geometry {
            Geometry::LineString(l) => vec![l.clone()],
            Geometry::Polygon(p) => vec![p.exterior().clone()],
            _ => vec![],
        };
        let mut best = f64::INFINITY;
        for l in lines {
            for w in l.0.windows(2) {
                let (a, b) = (Point(w[0]), Point(w[1]));
                let n = (Geodesic.distance(a, b) / 0.2).ceil().max(1.0) as usize;
                // Coarse pass, then a fine one around the best sample.
                let step = (n / 200).max(1);
                let d = |k: usize| Geodesic.distance(q, along_arc(a, b, k as f64 / n as f64));
                let coarse = (0..=n)
                    .step_by(step)
                    .min_by(|&x, &y| d(x).total_cmp(&d(y)))
                    .unwrap();
                let lo = coarse.saturating_sub(step);
                let hi = (coarse + step).min(n);
                best = best.min((lo..=hi).map(d).fold(f64::INFINITY, f64::min));
            }
        }
        best
    };
    let mut worst: f64 = 0.0;
    for _ in 0..60 {
        let q = Point::new(rng.random_range(-1.5..7.5), rng.random_range(42.5..50.5));
        let (i, d) = index.nearest(q, |_| true).unwrap();
        let all: Vec<f64> = layer.features.iter().map(|f| brute(q, f)).collect();
        let min = all.iter().copied().fold(f64::INFINITY, f64::min);
        worst = worst.max((d - min).abs());
        assert!((d - min).abs() < 1.0, "distance {d} vs dense search {min}");
        // The nearest feature is the brute force's, unless another is within 1 m.
        assert!(
            all[i] - min < 1.0,
            "{} is not the nearest",
            layer.features[i].id
        );
        // And distance_m agrees with nearest for that feature.
        assert!((index.distance_m(q, i) - d).abs() < 1e-6);
    }
    eprintln!("distance to lines vs a dense search: worst {worst:.3} m");
}
