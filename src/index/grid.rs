//! A flat grid of a layer's locations for radius searches: points in rows of
//! latitude, each row sorted by longitude, stored row after row (ECEF coordinates
//! and longitudes in arrays of their own), so that a search walks, in each row it
//! crosses, the one contiguous run of points inside the longitudes it can reach.
//!
//! The runs hold every point within the radius. Along any path of length d on the
//! ellipsoid, ds² = M² dφ² + N² cos²φ dλ² with M, N at least [`super::MIN_RADIUS_M`]
//! (R), so by Minkowski's inequality d ≥ R √(Δφ² + cos²φ* Δλ²), φ* the largest
//! latitude the path reaches. A point within r of the query therefore lies within
//! r / R of its latitude, and in a row whose nearest latitude is Δφ away, within
//! √((r / R)² - Δφ²) / cos φ* of its longitude, φ* the largest latitude within r / R
//! of the query.

use std::ops::Range;

use geo::Point;

/// Row height, degrees (about 11 km): a 30 km search crosses six or seven rows.
const ROW_DEG: f64 = 0.1;
/// At most this many rows (a layer spread over the world gets taller ones).
const MAX_ROWS: f64 = 1.0e5;

/// Points by row, within a row by longitude, latitude and feature index (a fixed
/// order whatever the order of the layer's features).
#[derive(Debug, Clone, Default)]
pub(super) struct PointGrid {
    lat0: f64,
    row: f64,
    rows: usize,
    /// Row k's points are `offsets[k]..offsets[k + 1]`.
    offsets: Vec<u32>,
    /// Longitude of each point, degrees, in grid order.
    lon: Vec<f64>,
    /// ECEF coordinates, metres, in grid order (one array per axis, for loops the
    /// compiler vectorises).
    x: Vec<f64>,
    y: Vec<f64>,
    z: Vec<f64>,
    /// Feature index of each.
    index: Vec<u32>,
}

impl PointGrid {
    /// The grid of these locations (`xyz`: their ECEF coordinates, same order).
    pub(super) fn new(points: &[Point<f64>], xyz: &[[f64; 3]]) -> PointGrid {
        let finite = |p: &Point<f64>| p.x().is_finite() && p.y().is_finite();
        let (mut y0, mut y1) = (f64::MAX, f64::MIN);
        for p in points.iter().filter(|p| finite(p)) {
            (y0, y1) = (y0.min(p.y()), y1.max(p.y()));
        }
        if y0 > y1 || points.len() > u32::MAX as usize {
            return PointGrid::default();
        }
        let n = (y1 - y0) / ROW_DEG + 1.0;
        let row = if n > MAX_ROWS {
            ROW_DEG * n / MAX_ROWS
        } else {
            ROW_DEG
        };
        let mut g = PointGrid {
            lat0: y0,
            row,
            rows: ((y1 - y0) / row).floor() as usize + 1,
            ..PointGrid::default()
        };
        let mut order: Vec<(usize, usize)> = points
            .iter()
            .enumerate()
            .filter(|(_, p)| finite(p))
            .map(|(i, p)| (g.row_of(p.y()), i))
            .collect();
        order.sort_by(|(ra, a), (rb, b)| {
            let (pa, pb) = (points[*a], points[*b]);
            ra.cmp(rb)
                .then(pa.x().total_cmp(&pb.x()))
                .then(pa.y().total_cmp(&pb.y()))
                .then(a.cmp(b))
        });
        g.offsets = vec![0; g.rows + 1];
        for (r, _) in &order {
            g.offsets[r + 1] += 1;
        }
        for k in 0..g.rows {
            g.offsets[k + 1] += g.offsets[k];
        }
        g.lon = order.iter().map(|(_, i)| points[*i].x()).collect();
        g.x = order.iter().map(|(_, i)| xyz[*i][0]).collect();
        g.y = order.iter().map(|(_, i)| xyz[*i][1]).collect();
        g.z = order.iter().map(|(_, i)| xyz[*i][2]).collect();
        g.index = order.iter().map(|(_, i)| *i as u32).collect();
        g
    }

    /// The points whose feature index `keep` accepts, in the same order (a filter of
    /// a sorted grid is sorted: no new sort).
    pub(super) fn subset(&self, keep: impl Fn(usize) -> bool) -> PointGrid {
        let mut g = PointGrid {
            lat0: self.lat0,
            row: self.row,
            rows: self.rows,
            offsets: Vec::with_capacity(self.offsets.len()),
            ..PointGrid::default()
        };
        g.offsets.push(0);
        for k in 0..self.rows {
            let (a, b) = (self.offsets[k] as usize, self.offsets[k + 1] as usize);
            for p in a..b {
                if keep(self.index[p] as usize) {
                    g.lon.push(self.lon[p]);
                    g.x.push(self.x[p]);
                    g.y.push(self.y[p]);
                    g.z.push(self.z[p]);
                    g.index.push(self.index[p]);
                }
            }
            g.offsets.push(g.index.len() as u32);
        }
        g
    }

    /// How many points the grid holds.
    pub(super) fn len(&self) -> usize {
        self.index.len()
    }

    /// The feature index of the point at grid position `k`.
    pub(super) fn feature(&self, k: usize) -> usize {
        self.index.get(k).map_or(usize::MAX, |i| *i as usize)
    }

    /// The row of an in-extent latitude.
    fn row_of(&self, lat: f64) -> usize {
        (((lat - self.lat0) / self.row) as usize).min(self.rows - 1)
    }

    /// The ECEF coordinates of the points at `range` of the grid, one slice per axis.
    pub(super) fn coordinates(&self, range: Range<usize>) -> [&[f64]; 3] {
        [&self.x, &self.y, &self.z].map(|v| v.get(range.clone()).unwrap_or(&[]))
    }

    /// Calls `f(grid position, ecef)` for every point whose straight-line (chord)
    /// distance to `from` (ECEF `at`) is at most `radius_m`: a superset of the points
    /// within `radius_m` geodesic metres, since no chord is longer than its geodesic.
    /// [`PointGrid::feature`] gives a position's feature.
    pub(super) fn for_each_candidate(
        &self,
        from: Point<f64>,
        at: &[f64; 3],
        radius_m: f64,
        mut f: impl FnMut(usize, &[f64; 3]),
    ) {
        let r2 = radius_m * radius_m;
        self.for_each_run(from, radius_m, |run| {
            let [xs, ys, zs] = self.coordinates(run.clone());
            for (k, ((x, y), z)) in xs.iter().zip(ys).zip(zs).enumerate() {
                let (dx, dy, dz) = (x - at[0], y - at[1], z - at[2]);
                if dx * dx + dy * dy + dz * dz <= r2 {
                    f(run.start + k, &[*x, *y, *z]);
                }
            }
        });
    }

    /// Calls `run(positions)` for each run of grid positions, one per row crossed
    /// (and per copy of the interval 360 degrees away), that together hold every
    /// point within `radius_m` geodesic metres of `from`.
    pub(super) fn for_each_run(
        &self,
        from: Point<f64>,
        radius_m: f64,
        mut run: impl FnMut(Range<usize>),
    ) {
        if self.index.is_empty() {
            return;
        }
        let margin = 1.0 + 1e-9;
        // The radius as an angle on the smallest radius of curvature.
        let reach = radius_m / super::MIN_RADIUS_M * margin;
        let dlat = reach.to_degrees();
        let (lat_lo, lat_hi) = (from.y() - dlat, from.y() + dlat);
        let polar = lat_lo.abs().max(lat_hi.abs());
        let cos_polar = polar.min(90.0).to_radians().cos();
        let first = ((lat_lo - self.lat0) / self.row).floor();
        let last = ((lat_hi - self.lat0) / self.row).floor();
        if last < 0.0 || first >= self.rows as f64 {
            return;
        }
        let (r0, r1) = (first.max(0.0) as usize, (last as usize).min(self.rows - 1));
        for row in r0..=r1 {
            // The row's latitude nearest the query, and the longitudes it can reach.
            let (south, north) = (
                self.lat0 + row as f64 * self.row,
                self.lat0 + (row + 1) as f64 * self.row,
            );
            let gap = (south - from.y())
                .max(from.y() - north)
                .max(0.0)
                .to_radians();
            let left = (reach * reach - gap * gap).max(0.0).sqrt();
            let dlon = if polar >= 89.999 || left >= std::f64::consts::PI * cos_polar {
                180.0
            } else {
                (left / cos_polar * margin).to_degrees()
            };
            let (a, b) = (self.offsets[row] as usize, self.offsets[row + 1] as usize);
            let lons = &self.lon[a..b];
            // The search interval, and its copies 360 degrees either side.
            for shift in [-360.0, 0.0, 360.0] {
                let (lo, hi) = if dlon >= 180.0 {
                    if shift != 0.0 {
                        continue;
                    }
                    (f64::NEG_INFINITY, f64::INFINITY)
                } else {
                    (from.x() - dlon + shift, from.x() + dlon + shift)
                };
                // An interval beyond the longitudes the row holds finds nothing.
                match (lons.first(), lons.last()) {
                    (Some(west), Some(east)) if hi >= *west && lo <= *east => {}
                    _ => continue,
                }
                let i0 = a + lons.partition_point(|x| *x < lo);
                let i1 = a + lons.partition_point(|x| *x <= hi);
                if i0 < i1 {
                    run(i0..i1);
                }
            }
        }
    }
}
