//! Polygon validity as `geo::Validation` decides it, with the ring self-intersection
//! test done by a sweep over the segments instead of geo's comparison of every pair.
//!
//! geo's test compares every pair of a ring's n segments (n² `Line::intersects`
//! calls: 17 million for the Territoires d'industrie layer, most of its load time). Two
//! segments can only intersect when their bounding boxes overlap, so sorting the
//! segments by their smallest x and comparing each with the segments still open at
//! that x visits the same intersecting pairs and no others: the same decision, pair by
//! pair, as geo's. Every other rule (too few points, non-finite coordinates, holes
//! inside the shell, parts of a multipolygon that overlap) is geo's own code, called in
//! geo's order, so the first problem found and its message are geo's.

use geo::algorithm::validation::{GeometryIndex, InvalidMultiPolygon, InvalidPolygon, RingRole};
use geo::coordinate_position::CoordPos;
use geo::dimensions::Dimensions;
use geo::{
    HasDimensions, Intersects, Line, LineString, MultiPolygon, Polygon, PreparedGeometry, Relate,
    RemoveRepeatedPoints,
};

/// Whether two segments of a ring cross or touch other than where they join, by
/// geo's rule: they intersect, and neither starts where the other ends.
fn crossing(a: &Line<f64>, b: &Line<f64>) -> bool {
    a.intersects(b) && a.start != b.end && a.end != b.start
}

/// Whether a ring has a self-intersection, as geo's validation decides it.
pub(crate) fn ring_self_intersects(ring: &LineString<f64>) -> bool {
    let lines: Vec<Line<f64>> = ring.lines().collect();
    if lines.len() < 2 {
        return false;
    }
    // Segments by smallest x; `open` holds those whose largest x has not been passed.
    let mut order: Vec<(f64, f64, f64, f64, usize)> = lines
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let (x0, x1) = (l.start.x.min(l.end.x), l.start.x.max(l.end.x));
            let (y0, y1) = (l.start.y.min(l.end.y), l.start.y.max(l.end.y));
            (x0, x1, y0, y1, i)
        })
        .collect();
    order.sort_unstable_by(|a, b| a.0.total_cmp(&b.0).then(a.4.cmp(&b.4)));
    let mut open: Vec<(f64, f64, f64, usize)> = Vec::new();
    for &(x0, x1, y0, y1, i) in &order {
        open.retain(|o| o.0 >= x0);
        for &(_, oy0, oy1, j) in &open {
            if oy0 <= y1 && y0 <= oy1 {
                if let (Some(a), Some(b)) = (lines.get(i), lines.get(j)) {
                    if crossing(a, b) {
                        return true;
                    }
                }
            }
        }
        open.push((x1, y0, y1, i));
    }
    false
}

/// geo's `relate`, or `None` where it panics: it does on some rings that its own
/// validation passes (a ring that touches itself at a vertex). Such a polygon is
/// reported invalid rather than taking the program down.
fn relate<A: Relate<f64>, B: Relate<f64>>(a: &A, b: &B) -> Option<geo::relate::IntersectionMatrix> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| a.relate(b))).ok()
}

/// The first problem of a polygon, as `Polygon::check_validation` reports it.
pub(crate) fn polygon_problem(p: &Polygon<f64>) -> Option<InvalidPolygon> {
    if p.is_empty() {
        return None;
    }
    for (k, ring) in std::iter::once(p.exterior())
        .chain(p.interiors().iter())
        .enumerate()
    {
        if ring.is_empty() {
            continue;
        }
        let role = if k == 0 {
            RingRole::Exterior
        } else {
            RingRole::Interior(k - 1)
        };
        if ring.remove_repeated_points().0.len() < 4 {
            return Some(InvalidPolygon::TooFewPointsInRing(role));
        }
        if ring_self_intersects(ring) {
            return Some(InvalidPolygon::SelfIntersection(role));
        }
        if let Some(i) = ring
            .0
            .iter()
            .position(|c| !(c.x.is_finite() && c.y.is_finite()))
        {
            return Some(InvalidPolygon::NonFiniteCoord(
                role,
                geo::algorithm::validation::CoordIndex(i),
            ));
        }
    }
    if !p.interiors().iter().any(|r| !r.is_empty()) {
        return None;
    }
    let shell = Polygon::new(p.exterior().clone(), vec![]);
    let shell = PreparedGeometry::from(&shell);
    for (i, hole) in p.interiors().iter().enumerate() {
        if hole.is_empty() {
            continue;
        }
        let role = RingRole::Interior(i);
        let hole_polygon = Polygon::new(hole.clone(), vec![]);
        let prepared = PreparedGeometry::from(&hole_polygon);
        let m = relate(&shell, &prepared);
        if !m.as_ref().is_some_and(|m| m.is_contains()) {
            return Some(InvalidPolygon::InteriorRingNotContainedInExteriorRing(role));
        }
        if m.is_some_and(|m| {
            m.get(CoordPos::OnBoundary, CoordPos::OnBoundary) == Dimensions::OneDimensional
        }) {
            return Some(InvalidPolygon::IntersectingRingsOnALine(
                RingRole::Exterior,
                role,
            ));
        }
        for (j, other) in p.interiors().iter().enumerate().skip(i + 1) {
            if other.is_empty() {
                continue;
            }
            let other = Polygon::new(other.clone(), vec![]);
            let Some(m) = relate(&prepared, &other) else {
                return Some(InvalidPolygon::IntersectingRingsOnAnArea(
                    role,
                    RingRole::Interior(j),
                ));
            };
            if m.get(CoordPos::Inside, CoordPos::Inside) == Dimensions::TwoDimensional {
                return Some(InvalidPolygon::IntersectingRingsOnAnArea(
                    role,
                    RingRole::Interior(j),
                ));
            }
            if m.get(CoordPos::OnBoundary, CoordPos::OnBoundary) == Dimensions::OneDimensional {
                return Some(InvalidPolygon::IntersectingRingsOnALine(
                    role,
                    RingRole::Interior(j),
                ));
            }
        }
    }
    None
}

/// The first problem of a multipolygon, as `MultiPolygon::check_validation` reports
/// it: a part's own problem, then parts that overlap or touch on a line. Unlike geo,
/// every part is checked on its own before any two are compared: geo's `relate`
/// panics on some invalid polygons, and geo compares part i with the later parts
/// before it has checked them.
pub(crate) fn multipolygon_problem(mp: &MultiPolygon<f64>) -> Option<InvalidMultiPolygon> {
    for (i, p) in mp.0.iter().enumerate() {
        if let Some(e) = polygon_problem(p) {
            return Some(InvalidMultiPolygon::InvalidPolygon(GeometryIndex(i), e));
        }
    }
    for (i, p) in mp.0.iter().enumerate() {
        for (j, q) in mp.0.iter().enumerate().skip(i + 1) {
            let Some(m) = relate(p, q) else {
                return Some(InvalidMultiPolygon::ElementsOverlaps(
                    GeometryIndex(i),
                    GeometryIndex(j),
                ));
            };
            if m.get(CoordPos::Inside, CoordPos::Inside) == Dimensions::TwoDimensional {
                return Some(InvalidMultiPolygon::ElementsOverlaps(
                    GeometryIndex(i),
                    GeometryIndex(j),
                ));
            }
            if m.get(CoordPos::OnBoundary, CoordPos::OnBoundary) == Dimensions::OneDimensional {
                return Some(InvalidMultiPolygon::ElementsTouchOnALine(
                    GeometryIndex(i),
                    GeometryIndex(j),
                ));
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{Coord, Validation};
    use rand::{rngs::StdRng, Rng, SeedableRng};

    fn ring(rng: &mut StdRng, n: usize, grid: bool) -> LineString<f64> {
        let mut pts: Vec<Coord<f64>> = (0..n)
            .map(|k| {
                if grid {
                    // Small integer grids give touching, collinear and repeated points.
                    Coord {
                        x: f64::from(rng.random_range(0..4_i32)),
                        y: f64::from(rng.random_range(0..4_i32)),
                    }
                } else {
                    // A star-shaped ring, sometimes with a spike that crosses it.
                    let a = k as f64 / n as f64 * std::f64::consts::TAU;
                    let r =
                        rng.random_range(0.5..1.0) * if rng.random_bool(0.05) { 3.0 } else { 1.0 };
                    Coord {
                        x: r * a.cos(),
                        y: r * a.sin(),
                    }
                }
            })
            .collect();
        if let Some(first) = pts.first().copied() {
            pts.push(first);
        }
        LineString::new(pts)
    }

    #[test]
    fn the_sweep_decides_as_geo_does_on_random_rings() {
        let mut rng = StdRng::seed_from_u64(7);
        let (mut valid, mut invalid) = (0, 0);
        for case in 0..4000 {
            let grid = case % 2 == 0;
            let n = rng.random_range(3..if grid { 9 } else { 60 });
            let shell = ring(&mut rng, n, grid);
            let holes = if case % 5 == 0 {
                vec![ring(&mut rng, 3 + case % 4, true)]
            } else {
                vec![]
            };
            let p = Polygon::new(shell, holes);
            let got = polygon_problem(&p).map(|e| e.to_string());
            let Some(want) = geo_says(&p) else {
                // geo panicked: ours must call it invalid.
                assert!(got.is_some(), "case {case}: {p:?}");
                continue;
            };
            assert_eq!(got, want, "case {case}: {p:?}");
            // geo compares the parts before checking the second one, and its relate
            // can panic on an invalid polygon: compare with geo where both are valid.
            let other = ring_polygon(&mut rng);
            let mp = MultiPolygon::new(vec![p.clone(), other.clone()]);
            let got = multipolygon_problem(&mp).map(|e| e.to_string());
            if want.is_none() && other.check_validation().is_ok() {
                if let Some(want) = geo_says(&mp) {
                    assert_eq!(got, want, "case {case}: {mp:?}");
                }
            } else {
                assert!(got.is_some(), "case {case}: {mp:?}");
            }
            if want.is_some() {
                invalid += 1;
            } else {
                valid += 1;
            }
        }
        // Both outcomes are exercised.
        assert!(
            valid > 300 && invalid > 300,
            "{valid} valid, {invalid} invalid"
        );
    }

    #[test]
    fn the_sweep_decides_as_geo_does_on_the_default_data_sets_polygons() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data");
        let mut polygons = 0;
        for name in ["territoires_industrie.geojson", "departements.geojson"] {
            let text = std::fs::read_to_string(dir.join(name)).unwrap();
            let fc: geojson::FeatureCollection = text.parse().unwrap();
            for f in fc.features {
                let g: geo::Geometry<f64> = f.geometry.unwrap().try_into().unwrap();
                let (got, want) = match &g {
                    geo::Geometry::Polygon(p) => (
                        polygon_problem(p).map(|e| e.to_string()),
                        geo_says(p).unwrap(),
                    ),
                    geo::Geometry::MultiPolygon(p) => (
                        multipolygon_problem(p).map(|e| e.to_string()),
                        geo_says(p).unwrap(),
                    ),
                    _ => continue,
                };
                assert_eq!(got, want, "{name}");
                polygons += 1;
            }
        }
        assert!(polygons > 250, "{polygons}");
    }

    /// geo's verdict, or `None` where geo panics.
    fn geo_says<G: Validation>(g: &G) -> Option<Option<String>>
    where
        G::Error: std::fmt::Display,
    {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            g.check_validation().err().map(|e| e.to_string())
        }))
        .ok()
    }

    fn ring_polygon(rng: &mut StdRng) -> Polygon<f64> {
        let n = rng.random_range(3..7);
        let mut r = ring(rng, n, false);
        let dx = rng.random_range(0.0..3.0);
        for c in &mut r.0 {
            c.x += dx;
        }
        Polygon::new(r, vec![])
    }
}
