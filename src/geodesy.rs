//! Geodesy on the WGS84 ellipsoid for the spatial index: Earth-centred coordinates,
//! a query point's local frame, and the fast distance (the chord between two points
//! turned into an arc on the normal section's radius of curvature at the query
//! point, R = M N / (N cos²α + M sin²α), s = 2 R asin(c / 2R)) with its branchless
//! twin for blocks of points. Within-radius searches up to
//! [`crate::FAST_MAX_M`] measure with it; a test in the index holds it within 1 mm of
//! Karney's geodesic up to 100 km.

use geo::Point;

use crate::crs::pure::Ellipsoid;

const WGS84_A: f64 = Ellipsoid::WGS84.a;
const WGS84_E2: f64 = Ellipsoid::WGS84.e2();

/// Earth-centred, Earth-fixed coordinates (metres) of a lon/lat point on the WGS84
/// ellipsoid (height 0).
pub(crate) fn ecef(p: Point<f64>) -> [f64; 3] {
    let (sl, cl) = p.y().to_radians().sin_cos();
    let (so, co) = p.x().to_radians().sin_cos();
    let n = WGS84_A / (1.0 - WGS84_E2 * sl * sl).sqrt();
    [n * cl * co, n * cl * so, n * (1.0 - WGS84_E2) * sl]
}

/// What the fast distance needs of a query point, computed once per query.
pub(crate) struct LocalFrame {
    pub(crate) xyz: [f64; 3],
    sin_lat: f64,
    cos_lat: f64,
    sin_lon: f64,
    cos_lon: f64,
    /// Meridian and prime-vertical radii of curvature.
    m: f64,
    n: f64,
}

impl LocalFrame {
    pub(crate) fn new(p: Point<f64>) -> LocalFrame {
        let (sin_lat, cos_lat) = p.y().to_radians().sin_cos();
        let (sin_lon, cos_lon) = p.x().to_radians().sin_cos();
        let (m, n) = Ellipsoid::WGS84.radii(sin_lat);
        LocalFrame {
            xyz: ecef(p),
            sin_lat,
            cos_lat,
            sin_lon,
            cos_lon,
            m,
            n,
        }
    }

    /// Distance in metres to a point given in ECEF: the chord, as an arc on the
    /// normal section's radius of curvature in the chord's azimuth.
    pub(crate) fn distance_m(&self, q: &[f64; 3]) -> f64 {
        let (dx, dy, dz) = (q[0] - self.xyz[0], q[1] - self.xyz[1], q[2] - self.xyz[2]);
        let c2 = dx * dx + dy * dy + dz * dz;
        if c2 == 0.0 {
            return 0.0;
        }
        let east = -self.sin_lon * dx + self.cos_lon * dy;
        let north = -self.sin_lat * self.cos_lon * dx - self.sin_lat * self.sin_lon * dy
            + self.cos_lat * dz;
        let h2 = east * east + north * north;
        let r = if h2 > 0.0 {
            self.m * self.n * h2 / (self.n * north * north + self.m * east * east)
        } else {
            self.m
        };
        // 2R asin(x) with x = c / 2R, by its series c (1 + x²/6 + 3x⁴/40): up to 100 km
        // x < 0.008 and the next term is below 1e-12 of c.
        let x2 = c2 / (4.0 * r * r);
        c2.sqrt() * (1.0 + x2 / 6.0 + 0.075 * x2 * x2)
    }

    /// [`LocalFrame::distance_m`] of each point (`xs`, `ys`, `zs`: ECEF, metres) whose
    /// chord is at most `√r2`, +∞ for the others, into `out`: the same operations in
    /// the same order (the same result to the bit), without branches, so that the
    /// compiler runs several points at once.
    pub(crate) fn distances_within_chord(
        &self,
        [xs, ys, zs]: [&[f64]; 3],
        r2: f64,
        out: &mut [f64],
    ) {
        let n = out.len().min(xs.len()).min(ys.len()).min(zs.len());
        let (xs, ys, zs, out) = (&xs[..n], &ys[..n], &zs[..n], &mut out[..n]);
        for k in 0..n {
            let (dx, dy, dz) = (
                xs[k] - self.xyz[0],
                ys[k] - self.xyz[1],
                zs[k] - self.xyz[2],
            );
            let c2 = dx * dx + dy * dy + dz * dz;
            let east = -self.sin_lon * dx + self.cos_lon * dy;
            let north = -self.sin_lat * self.cos_lon * dx - self.sin_lat * self.sin_lon * dy
                + self.cos_lat * dz;
            let h2 = east * east + north * north;
            let normal = self.m * self.n * h2 / (self.n * north * north + self.m * east * east);
            // h2 = 0 only at c2 = 0, where the distance is 0 whatever the radius.
            let r = if h2 > 0.0 { normal } else { self.m };
            let x2 = c2 / (4.0 * r * r);
            let d = c2.sqrt() * (1.0 + x2 / 6.0 + 0.075 * x2 * x2);
            out[k] = if c2 <= r2 { d } else { f64::INFINITY };
        }
    }
}

/// The fast distance (metres) between two lon/lat points, as [`crate::IndexedLayer::within`]
/// computes it for radii up to [`crate::FAST_MAX_M`]; exposed for tests and benchmarks.
///
/// ```
/// use geo::{Distance, Geodesic, Point};
/// let (lille, arras) = (Point::new(3.0573, 50.6292), Point::new(2.7775, 50.2910));
/// let fast = sitematch::fast_distance_m(lille, arras);
/// // Within a millimetre of Karney's geodesic below FAST_MAX_M.
/// assert!((fast - Geodesic.distance(lille, arras)).abs() < 1e-3);
/// ```
pub fn fast_distance_m(from: Point<f64>, to: Point<f64>) -> f64 {
    LocalFrame::new(from).distance_m(&ecef(to))
}
