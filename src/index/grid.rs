//! A flat grid of a layer's locations for radius searches: points bucketed by
//! latitude-longitude cell, stored cell after cell (structure of arrays), so that a
//! search walks a few contiguous runs of memory instead of an R-tree's nodes.
//!
//! The cells a search visits hold every point within the radius: a point at geodesic
//! distance r or less lies within r / M latitude and r / (N cos φmax) longitude of the
//! query, and both radii of curvature are at least [`super::MIN_RADIUS_M`].

use geo::Point;

/// Cell size, degrees (about 28 km of latitude): a 30 km search visits a dozen cells.
const CELL_DEG: f64 = 0.25;
/// At most this many cells (a layer spread over the world gets larger ones).
const MAX_CELLS: f64 = 4.0e6;

/// Points bucketed by cell, in cell order; within a cell by longitude, latitude and
/// feature index (a fixed order whatever the order of the layer's features).
#[derive(Debug, Clone, Default)]
pub(super) struct PointGrid {
    lat0: f64,
    lon0: f64,
    cell: f64,
    rows: usize,
    cols: usize,
    /// Cell k's points are `offsets[k]..offsets[k + 1]`.
    offsets: Vec<u32>,
    /// ECEF coordinates, metres, in cell order.
    xyz: Vec<[f64; 3]>,
    /// Feature index of each.
    index: Vec<u32>,
}

impl PointGrid {
    /// The grid of these locations (`xyz`: their ECEF coordinates, same order).
    pub(super) fn new(points: &[Point<f64>], xyz: &[[f64; 3]]) -> PointGrid {
        let finite = |p: &Point<f64>| p.x().is_finite() && p.y().is_finite();
        let (mut x0, mut y0, mut x1, mut y1) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
        for p in points.iter().filter(|p| finite(p)) {
            (x0, y0) = (x0.min(p.x()), y0.min(p.y()));
            (x1, y1) = (x1.max(p.x()), y1.max(p.y()));
        }
        if x0 > x1 || points.len() > u32::MAX as usize {
            return PointGrid::default();
        }
        let area = ((x1 - x0) / CELL_DEG + 1.0) * ((y1 - y0) / CELL_DEG + 1.0);
        let cell = if area > MAX_CELLS {
            CELL_DEG * (area / MAX_CELLS).sqrt()
        } else {
            CELL_DEG
        };
        let cols = ((x1 - x0) / cell).floor() as usize + 1;
        let rows = ((y1 - y0) / cell).floor() as usize + 1;
        let mut g = PointGrid {
            lat0: y0,
            lon0: x0,
            cell,
            rows,
            cols,
            ..PointGrid::default()
        };
        let mut order: Vec<(usize, usize)> = points
            .iter()
            .enumerate()
            .filter(|(_, p)| finite(p))
            .map(|(i, p)| (g.cell_of(*p), i))
            .collect();
        order.sort_by(|(ca, a), (cb, b)| {
            let (pa, pb) = (points[*a], points[*b]);
            ca.cmp(cb)
                .then(pa.x().total_cmp(&pb.x()))
                .then(pa.y().total_cmp(&pb.y()))
                .then(a.cmp(b))
        });
        g.offsets = vec![0; rows * cols + 1];
        for (c, _) in &order {
            g.offsets[c + 1] += 1;
        }
        for k in 0..rows * cols {
            g.offsets[k + 1] += g.offsets[k];
        }
        g.xyz = order.iter().map(|(_, i)| xyz[*i]).collect();
        g.index = order.iter().map(|(_, i)| *i as u32).collect();
        g
    }

    /// The cell of an in-extent point, row-major.
    fn cell_of(&self, p: Point<f64>) -> usize {
        let r = (((p.y() - self.lat0) / self.cell) as usize).min(self.rows - 1);
        let c = (((p.x() - self.lon0) / self.cell) as usize).min(self.cols - 1);
        r * self.cols + c
    }

    /// Calls `f(feature index, ecef)` for every point whose straight-line (chord)
    /// distance to `from` (ECEF `at`) is at most `radius_m`: a superset of the points
    /// within `radius_m` geodesic metres, since no chord is longer than its geodesic.
    pub(super) fn for_each_candidate(
        &self,
        from: Point<f64>,
        at: &[f64; 3],
        radius_m: f64,
        mut f: impl FnMut(usize, &[f64; 3]),
    ) {
        if self.index.is_empty() {
            return;
        }
        let margin = 1.0 + 1e-9;
        let dlat = (radius_m / super::MIN_RADIUS_M * margin).to_degrees();
        let (lat_lo, lat_hi) = (from.y() - dlat, from.y() + dlat);
        let polar = lat_lo.abs().max(lat_hi.abs());
        let dlon = if polar >= 89.999 {
            180.0
        } else {
            (radius_m / (super::MIN_RADIUS_M * polar.to_radians().cos()) * margin).to_degrees()
        };
        let rows = self.span(lat_lo, lat_hi, self.lat0, self.rows);
        // Longitudes wrap: the search interval, and its copies 360 degrees either side
        // (no allocation: this runs once per site and criterion).
        let lon_spans: [Option<(usize, usize)>; 3] = if dlon >= 180.0 {
            [Some((0, self.cols - 1)), None, None]
        } else {
            [-360.0, 0.0, 360.0].map(|shift| {
                let (a, b) = (from.x() - dlon + shift, from.x() + dlon + shift);
                self.span(a, b, self.lon0, self.cols)
            })
        };
        let r2 = radius_m * radius_m;
        let Some((r0, r1)) = rows else {
            return;
        };
        for row in r0..=r1 {
            for &(c0, c1) in lon_spans.iter().flatten() {
                let a = self.offsets[row * self.cols + c0] as usize;
                let b = self.offsets[row * self.cols + c1 + 1] as usize;
                for (q, i) in self.xyz[a..b].iter().zip(&self.index[a..b]) {
                    let (dx, dy, dz) = (q[0] - at[0], q[1] - at[1], q[2] - at[2]);
                    if dx * dx + dy * dy + dz * dz <= r2 {
                        f(*i as usize, q);
                    }
                }
            }
        }
    }

    /// The cells [first, last] an interval of degrees covers along one axis of `n`
    /// cells from `origin`, `None` when it misses the grid.
    fn span(&self, lo: f64, hi: f64, origin: f64, n: usize) -> Option<(usize, usize)> {
        let a = ((lo - origin) / self.cell).floor();
        let b = ((hi - origin) / self.cell).floor();
        if b < 0.0 || a >= n as f64 {
            return None;
        }
        Some((a.max(0.0) as usize, (b as usize).min(n - 1)))
    }
}
