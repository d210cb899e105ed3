//! Distances to the geometry of line and polygon features (docs/engine.md, section 2), for
//! layers with `measure = "geometry"`: one R-tree over every segment of every line
//! and ring, in unit-vector space like the point index, with the same proven lower
//! bound on the geodesic.
//!
//! Between two vertices a segment is the great-circle arc between their geodetic unit
//! vectors. The distance from a point to a segment is Karney's geodesic to the point of
//! the arc closest to it on the unit sphere; the exact closest point on the ellipsoid
//! is within a few metres of that one along the segment, where the distance is flat,
//! so the two distances agree within 1 m (a test checks it against a dense search).

use geo::{CoordsIter, Distance, Geodesic, Geometry, Point};
use rstar::{PointDistance, RTree, RTreeObject, AABB};

use super::{chord_to_angle, unit_vector, MIN_RADIUS_M};
use crate::model::Layer;

type V3 = [f64; 3];

fn sub(a: V3, b: V3) -> V3 {
    [a[0] - b[0], a[1] - b[1], a[2] - b[2]]
}

fn dot(a: V3, b: V3) -> f64 {
    a[0] * b[0] + a[1] * b[1] + a[2] * b[2]
}

fn cross(a: V3, b: V3) -> V3 {
    [
        a[1] * b[2] - a[2] * b[1],
        a[2] * b[0] - a[0] * b[2],
        a[0] * b[1] - a[1] * b[0],
    ]
}

fn norm2(a: V3) -> f64 {
    dot(a, a)
}

/// The point of the arc from `a` to `b` (unit vectors, less than half a great circle
/// apart) closest to the unit vector `q`.
fn closest_on_arc(q: V3, a: V3, b: V3) -> V3 {
    let n = cross(a, b);
    let nn = norm2(n);
    if nn > 1e-30 {
        // q projected on the arc's plane, back on the sphere.
        let k = dot(q, n) / nn;
        let p = sub(q, [n[0] * k, n[1] * k, n[2] * k]);
        let pl = norm2(p).sqrt();
        if pl > 1e-15 {
            let c = [p[0] / pl, p[1] / pl, p[2] / pl];
            if dot(cross(a, c), n) >= 0.0 && dot(cross(c, b), n) >= 0.0 {
                return c;
            }
        }
    }
    if norm2(sub(q, a)) <= norm2(sub(q, b)) {
        a
    } else {
        b
    }
}

/// A unit vector back to lon/lat degrees.
fn to_point(u: V3) -> Point<f64> {
    let lat = u[2].clamp(-1.0, 1.0).asin().to_degrees();
    let lon = u[1].atan2(u[0]).to_degrees();
    Point::new(lon, lat)
}

/// One segment of a feature's lines or rings.
#[derive(Debug, Clone)]
struct Segment {
    a: V3,
    b: V3,
    feature: usize,
}

impl Segment {
    fn geodesic_m(&self, from: Point<f64>, q: V3) -> f64 {
        Geodesic.distance(from, to_point(closest_on_arc(q, self.a, self.b)))
    }
}

impl RTreeObject for Segment {
    type Envelope = AABB<V3>;

    /// The box of the two ends, grown by the arc's sagitta 1 - cos(θ/2): the arc
    /// bulges out of the chord by no more than that.
    fn envelope(&self) -> AABB<V3> {
        let chord = norm2(sub(self.a, self.b)).sqrt();
        let half = chord_to_angle(chord) / 2.0;
        let s = 1.0 - half.cos() + 1e-12;
        let lo = [
            self.a[0].min(self.b[0]) - s,
            self.a[1].min(self.b[1]) - s,
            self.a[2].min(self.b[2]) - s,
        ];
        let hi = [
            self.a[0].max(self.b[0]) + s,
            self.a[1].max(self.b[1]) + s,
            self.a[2].max(self.b[2]) + s,
        ];
        AABB::from_corners(lo, hi)
    }
}

impl PointDistance for Segment {
    fn distance_2(&self, q: &V3) -> f64 {
        norm2(sub(*q, closest_on_arc(*q, self.a, self.b)))
    }
}

/// The segments of a layer's features.
#[derive(Debug, Clone)]
pub(super) struct Segments {
    tree: RTree<Segment>,
    by_feature: Vec<Vec<Segment>>,
}

/// The segments of a geometry: consecutive vertices of each line and ring; a point is
/// a segment of length 0.
fn segments_of(g: &Geometry<f64>, feature: usize) -> Vec<Segment> {
    let mut out = Vec::new();
    let mut push_line = |coords: Vec<geo::Coord<f64>>| {
        let uv: Vec<V3> = coords.iter().map(|c| unit_vector(Point(*c))).collect();
        if let [only] = uv.as_slice() {
            out.push(Segment {
                a: *only,
                b: *only,
                feature,
            });
        }
        for w in uv.windows(2) {
            if let [a, b] = w {
                out.push(Segment {
                    a: *a,
                    b: *b,
                    feature,
                });
            }
        }
    };
    match g {
        Geometry::Point(p) => push_line(vec![p.0]),
        Geometry::MultiPoint(m) => m.0.iter().for_each(|p| push_line(vec![p.0])),
        Geometry::LineString(l) => push_line(l.0.clone()),
        Geometry::MultiLineString(m) => m.0.iter().for_each(|l| push_line(l.0.clone())),
        Geometry::Polygon(p) => {
            push_line(p.exterior().0.clone());
            p.interiors().iter().for_each(|r| push_line(r.0.clone()));
        }
        Geometry::MultiPolygon(m) => m.0.iter().for_each(|p| {
            push_line(p.exterior().0.clone());
            p.interiors().iter().for_each(|r| push_line(r.0.clone()));
        }),
        other => push_line(other.coords_iter().collect()),
    }
    out
}

impl Segments {
    pub(super) fn new(layer: &Layer) -> Segments {
        let by_feature: Vec<Vec<Segment>> = layer
            .features
            .iter()
            .enumerate()
            .map(|(i, f)| segments_of(&f.geometry, i))
            .collect();
        let all = by_feature.iter().flatten().cloned().collect();
        Segments {
            tree: RTree::bulk_load(all),
            by_feature,
        }
    }

    /// The geodesic distance from `from` to the lines and rings of feature `i`.
    pub(super) fn distance_m(&self, from: Point<f64>, i: usize) -> f64 {
        let q = unit_vector(from);
        self.by_feature.get(i).map_or(f64::INFINITY, |segs| {
            segs.iter()
                .map(|s| s.geodesic_m(from, q))
                .fold(f64::INFINITY, f64::min)
        })
    }

    /// The feature matching `pred` whose lines or rings are nearest `from`, as (index,
    /// metres); `id_less(i, j)` breaks exact ties (true when i has the smaller id).
    pub(super) fn nearest(
        &self,
        from: Point<f64>,
        pred: impl Fn(usize) -> bool,
        id_less: impl Fn(usize, usize) -> bool,
    ) -> Option<(usize, f64)> {
        let q = unit_vector(from);
        let mut best: Option<(usize, f64)> = None;
        for (seg, chord2) in self.tree.nearest_neighbor_iter_with_distance_2(&q) {
            let lower_bound = MIN_RADIUS_M * chord_to_angle(chord2.sqrt());
            if best.is_some_and(|(_, d)| lower_bound > d * (1.0 + 1e-12) + 1e-6) {
                break;
            }
            if !pred(seg.feature) {
                continue;
            }
            let d = seg.geodesic_m(from, q);
            let take = match best {
                None => true,
                Some((j, bd)) => d < bd || (d == bd && id_less(seg.feature, j)),
            };
            if take {
                best = Some((seg.feature, d));
            }
        }
        best
    }
}
