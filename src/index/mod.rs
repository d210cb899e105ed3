//! Spatial index: one R-tree per layer, answering geodesic nearest and within-radius
//! queries on WGS84.
//!
//! Over 600 lines: the R-tree, the searches of growing radius and their predicates
//! are one contract (the same candidate and the same distance whichever path answers),
//! kept in one file with the tests that hold them to a brute-force scan.
//!
//! Points are stored as unit vectors on the sphere (from geodetic latitude and
//! longitude), so the tree's Euclidean (chord) distance grows with the angle between
//! points everywhere on Earth, across the antimeridian and near the poles. The angle
//! bounds the geodesic: on the WGS84 ellipsoid the metric in geodetic coordinates is
//! `ds² = M² dφ² + N² cos²φ dλ²` with M, N ≥ a(1 - e²) = 6,335,439 m, so a geodesic
//! is at least 6,335,439 m times the great-circle angle between its ends. The tree
//! finds candidates by that bound; the distance reported and the choice of the
//! nearest are Karney's geodesic (`geo::Geodesic`).
//!
//! Within-radius queries of up to [`FAST_MAX_M`] (access sums, where the engine spends
//! its time) measure distances with a faster formula instead: the chord between the
//! two points in Earth-centred coordinates, turned into an arc on the normal section's
//! radius of curvature at the query point, R = M N / (N cos²α + M sin²α), as
//! s = 2 R asin(c / 2R). A test checks it stays within 1 mm of Karney's geodesic up to
//! 100 km, at every latitude France needs (it stays under 0.2 mm there).

use std::sync::{Arc, OnceLock};

use geo::{BoundingRect, Distance, Geodesic, Geometry, Intersects, Point};
use rayon::prelude::*;
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{RTree, AABB};

mod grid;
mod segments;

pub use crate::geodesy::fast_distance_m;
use crate::geodesy::{ecef, LocalFrame};
use crate::model::{Feature, Layer, Measure, Role, Value};
use crate::table::ColumnEvidence;

/// The largest radius (metres) for which [`IndexedLayer::within`] uses the fast
/// chord-to-arc distance; larger radii use Karney's geodesic.
pub const FAST_MAX_M: f64 = 100_000.0;

/// Metres per radian of great-circle angle that every WGS84 geodesic at least covers:
/// the meridian radius of curvature at the equator, a(1 - e²), rounded down.
const MIN_RADIUS_M: f64 = 6_335_439.0;

type Entry = GeomWithData<[f64; 3], usize>;

/// A unit vector for a lon/lat point in degrees.
fn unit_vector(p: Point<f64>) -> [f64; 3] {
    let (lon, lat) = (p.x().to_radians(), p.y().to_radians());
    [lat.cos() * lon.cos(), lat.cos() * lon.sin(), lat.sin()]
}

/// The great-circle angle (radians) for a chord between unit vectors.
fn chord_to_angle(chord: f64) -> f64 {
    2.0 * (chord / 2.0).min(1.0).asin()
}

type Envelope = GeomWithData<Rectangle<[f64; 2]>, usize>;

/// A layer with its R-trees, built once (bulk load): one over the features'
/// locations, and for layers with polygons one over their bounding boxes in lon/lat.
///
/// ```
/// use sitematch::{Feature, IndexedLayer, Layer, Role};
/// let stations = IndexedLayer::new(Layer::from_features("rail", Role::Facilities, vec![
///     Feature::point("a", 0.0, 0.0),
///     Feature::point("b", 0.1, 0.0),
/// ]));
/// // 0.1° of longitude on the equator is 11.13 km (WGS84, geodesic).
/// let within = stations.within(geo::Point::new(0.0, 0.0), 12_000.0);
/// assert_eq!(within.len(), 2);
/// assert!((within[1].1 - 11_131.9).abs() < 0.1);
/// ```
#[derive(Debug, Clone)]
pub struct IndexedLayer {
    layer: Layer,
    /// ECEF coordinates of each feature's location, for the fast distance.
    xyz: Vec<[f64; 3]>,
    // The indexes are built on first use: a brief pays only for those it queries (a
    // site layer's own R-tree, say, is only needed when a brief uses it as facilities).
    tree: OnceLock<RTree<Entry>>,
    envelopes: OnceLock<RTree<Envelope>>,
    /// With `measure = "geometry"`: every segment of the features' lines and rings.
    segments: OnceLock<Option<segments::Segments>>,
    /// The locations bucketed by cell, for radius searches.
    grid: OnceLock<grid::PointGrid>,
    /// Per attribute name of the layer: what its values allow the column to be.
    columns: OnceLock<Vec<ColumnEvidence>>,
    /// Per attribute name of the layer: each feature's value as a number.
    numbers: Vec<OnceLock<Vec<Option<f64>>>>,
    /// Per feature: its values of the layer's attribute names, in their order.
    rows: OnceLock<Vec<Arc<[Value]>>>,
}

impl IndexedLayer {
    /// Indexes every feature of the layer by its location. The R-trees and grids are
    /// built on first use.
    pub fn new(layer: Layer) -> Self {
        let xyz: Vec<[f64; 3]> = layer.features.iter().map(|f| ecef(f.location)).collect();
        IndexedLayer {
            xyz,
            tree: OnceLock::new(),
            envelopes: OnceLock::new(),
            segments: OnceLock::new(),
            grid: OnceLock::new(),
            columns: OnceLock::new(),
            numbers: layer_numbers(&layer),
            rows: OnceLock::new(),
            layer,
        }
    }

    /// Builds every index now rather than on first use (a server does it once at
    /// start, so that no request pays for it).
    pub fn build_all(&self) {
        self.tree();
        self.envelopes();
        self.segments();
        self.grid();
        // Only candidate sites report their attributes.
        if self.layer.role == Role::Sites {
            self.attribute_rows();
        }
    }

    fn tree(&self) -> &RTree<Entry> {
        self.tree.get_or_init(|| {
            let entries = self
                .layer
                .features
                .iter()
                .enumerate()
                .map(|(i, f)| GeomWithData::new(unit_vector(f.location), i))
                .collect();
            RTree::bulk_load(entries)
        })
    }

    fn envelopes(&self) -> &RTree<Envelope> {
        self.envelopes.get_or_init(|| {
            let envelopes = self
                .layer
                .features
                .iter()
                .enumerate()
                .filter(|(_, f)| !matches!(f.geometry, Geometry::Point(_)))
                .filter_map(|(i, f)| {
                    let r = f.geometry.bounding_rect()?;
                    let rect =
                        Rectangle::from_corners([r.min().x, r.min().y], [r.max().x, r.max().y]);
                    Some(GeomWithData::new(rect, i))
                })
                .collect();
            RTree::bulk_load(envelopes)
        })
    }

    fn segments(&self) -> Option<&segments::Segments> {
        self.segments
            .get_or_init(|| {
                (self.layer.measure == Measure::Geometry)
                    .then(|| segments::Segments::new(&self.layer))
            })
            .as_ref()
    }

    /// Each feature's value of `field` as a number (`None` where it is missing or not
    /// a number), computed once per field of the layer's own.
    pub(crate) fn field_numbers(&self, field: &str) -> std::borrow::Cow<'_, [Option<f64>]> {
        let compute = || -> Vec<Option<f64>> {
            self.layer
                .features
                .iter()
                .map(|f| f.attribute(field).as_f64())
                .collect()
        };
        match self.layer.attribute_names.iter().position(|n| n == field) {
            Some(i) => match self.numbers.get(i) {
                Some(cell) => std::borrow::Cow::Borrowed(cell.get_or_init(compute)),
                None => std::borrow::Cow::Owned(compute()),
            },
            None => std::borrow::Cow::Owned(compute()),
        }
    }

    /// Per feature: its value of each of [`Layer::attribute_names`], in their order
    /// (`Null` where it has none), read from the feature's map once for the layer.
    /// Each feature's values in the order of [`Layer::attribute_names`] (`Null` where
    /// it has none): the feature's own values, shared, when it carries the layer's
    /// names in the layer's order, as every feature read from a file does.
    pub(crate) fn attribute_rows(&self) -> &[Arc<[Value]>] {
        self.rows.get_or_init(|| {
            let names = &self.layer.attribute_names;
            let width = names.len();
            self.layer
                .features
                .par_iter()
                .map_init(
                    || None::<crate::attributes::AttributeNames>,
                    |known, f| {
                        // Names seen to match before (the layer's features share
                        // one list) are not compared again.
                        let have = f.attributes.names();
                        let seen = known.as_ref().is_some_and(|k| k.same(have));
                        if seen
                            || have
                                .as_slice()
                                .iter()
                                .map(|n| n.as_str())
                                .eq(names.iter().map(String::as_str))
                        {
                            if !seen {
                                *known = Some(have.clone());
                            }
                            return f.attributes.values_in_order().clone();
                        }
                        let mut row = vec![Value::Null; width];
                        for (cell, name) in row.iter_mut().zip(names) {
                            if let Some(v) = f.attributes.get(name) {
                                *cell = v.clone();
                            }
                        }
                        row.into()
                    },
                )
                .collect()
        })
    }

    /// Per name of [`Layer::attribute_names`]: the evidence of its values' type.
    pub(crate) fn column_evidence(&self) -> &[ColumnEvidence] {
        self.columns.get_or_init(|| {
            // From the rows (a feature without the attribute has a null there, which
            // is what a missing value adds: nothing).
            let rows = self.attribute_rows();
            (0..self.layer.attribute_names.len())
                .into_par_iter()
                .map(|k| {
                    let mut e = ColumnEvidence::default();
                    for v in rows.iter().filter_map(|r| r.get(k)) {
                        e.add(v);
                        if e.settled() {
                            break;
                        }
                    }
                    e
                })
                .collect()
        })
    }

    fn grid(&self) -> &grid::PointGrid {
        self.grid.get_or_init(|| {
            let locations: Vec<Point<f64>> =
                self.layer.features.iter().map(|f| f.location).collect();
            grid::PointGrid::new(&locations, &self.xyz)
        })
    }

    /// True when `geometry` intersects (touching counts) the geometry of a feature
    /// of the layer other than a point, edges being straight lines in lon/lat.
    pub fn intersects(&self, geometry: &Geometry<f64>) -> bool {
        let Some(r) = geometry.bounding_rect() else {
            return false;
        };
        let aabb = AABB::from_corners([r.min().x, r.min().y], [r.max().x, r.max().y]);
        self.envelopes()
            .locate_in_envelope_intersecting(&aabb)
            .any(|e| {
                self.layer
                    .features
                    .get(e.data)
                    .is_some_and(|f| f.geometry.intersects(geometry))
            })
    }

    /// The indexed layer.
    pub fn layer(&self) -> &Layer {
        &self.layer
    }

    /// The geodesic distance in metres from `from` to feature `i`: to its location, or
    /// with `measure = "geometry"` to the nearest point of its geometry (0 inside).
    pub fn distance_m(&self, from: Point<f64>, i: usize) -> f64 {
        let Some(f) = self.layer.features.get(i) else {
            return f64::INFINITY;
        };
        match self.segments() {
            None => Geodesic.distance(from, f.location),
            Some(_) if f.geometry.intersects(&from) => 0.0,
            Some(s) => s.distance_m(from, i),
        }
    }

    /// Nearest by geometry: a polygon that contains the point is at 0, else the
    /// nearest line or ring.
    fn nearest_geometry<P>(
        &self,
        segments: &segments::Segments,
        from: Point<f64>,
        pred: P,
    ) -> Option<(usize, f64)>
    where
        P: Fn(usize, &Feature) -> bool,
    {
        let id = |k: usize| self.layer.features.get(k).map(|f| f.id.as_bytes());
        let ok = |i: usize| self.layer.features.get(i).is_some_and(|f| pred(i, f));
        let inside = self
            .envelopes()
            .locate_all_at_point(&[from.x(), from.y()])
            .map(|e| e.data)
            .filter(|&i| {
                ok(i)
                    && self.layer.features.get(i).is_some_and(|f| {
                        matches!(f.geometry, Geometry::Polygon(_) | Geometry::MultiPolygon(_))
                            && f.geometry.intersects(&from)
                    })
            })
            .min_by(|a, b| id(*a).cmp(&id(*b)));
        if let Some(i) = inside {
            return Some((i, 0.0));
        }
        segments.nearest(from, ok, |a, b| id(a) < id(b))
    }

    /// The nearest feature matching `pred`, by geodesic distance, as (feature index,
    /// distance in metres); ties go to the smaller id (byte order). `None` when no
    /// feature matches.
    pub fn nearest<P>(&self, from: Point<f64>, pred: P) -> Option<(usize, f64)>
    where
        P: Fn(&Feature) -> bool,
    {
        self.nearest_by(from, |_, f| pred(f))
    }

    /// As [`IndexedLayer::nearest`], with a predicate that also gets the feature's
    /// index in the layer.
    pub fn nearest_by<P>(&self, from: Point<f64>, pred: P) -> Option<(usize, f64)>
    where
        P: Fn(usize, &Feature) -> bool,
    {
        if let Some(segments) = self.segments() {
            return self.nearest_geometry(segments, from, pred);
        }
        let found = self.nearest_in_grid(self.grid(), from, |i| {
            self.layer.features.get(i).is_some_and(|f| pred(i, f))
        });
        match found {
            Ok(nearest) => nearest,
            Err(BeyondGrid) => self.nearest_in(self.tree(), from, pred),
        }
    }

    /// [`IndexedLayer::nearest`] when it lies within `radius_m`, else `None`: the
    /// same feature and distance, without searching beyond the radius (a grid's land
    /// test, where most cells at sea have no land near).
    pub fn nearest_within(&self, from: Point<f64>, radius_m: f64) -> Option<(usize, f64)> {
        // No distance is negative (or compares with NaN).
        if radius_m.is_nan() || radius_m < 0.0 {
            return None;
        }
        let within = |found: Option<(usize, f64)>| found.filter(|(_, d)| *d <= radius_m);
        // 1 m beyond the radius: a feature the search does not see is further than
        // the radius by Karney's too (the fast distance is within 1 mm of it).
        let reach = radius_m + 1.0;
        if self.segments().is_some() || reach > FAST_MAX_M {
            return within(self.nearest(from, |_| true));
        }
        match self.nearest_in_grid_up_to(self.grid(), from, reach, |_| true) {
            Ok(found) => within(found),
            Err(BeyondGrid) => None,
        }
    }

    /// The nearest feature of `grid` that `pred` accepts, by searches of growing
    /// radius; `Err` when none is within [`FAST_MAX_M`] with room to spare (the R-tree
    /// then decides).
    fn nearest_in_grid(
        &self,
        grid: &grid::PointGrid,
        from: Point<f64>,
        pred: impl Fn(usize) -> bool,
    ) -> Result<Option<(usize, f64)>, BeyondGrid> {
        self.nearest_in_grid_up_to(grid, from, FAST_MAX_M, pred)
    }

    /// [`IndexedLayer::nearest_in_grid`] with searches up to `limit_m` (at most
    /// [`FAST_MAX_M`]): `Err` when none is within it with room to spare.
    fn nearest_in_grid_up_to(
        &self,
        grid: &grid::PointGrid,
        from: Point<f64>,
        limit_m: f64,
        pred: impl Fn(usize) -> bool,
    ) -> Result<Option<(usize, f64)>, BeyondGrid> {
        if grid.len() == 0 {
            return Ok(None);
        }
        let limit_m = limit_m.min(FAST_MAX_M);
        // A search whose best is well inside its radius has seen every feature that
        // could tie with it.
        let frame = LocalFrame::new(from);
        let mut radius = NEAREST_START_M.min(limit_m);
        loop {
            let mut best = f64::INFINITY;
            // The fast distance is never shorter than the chord: a point whose chord
            // is beyond best + TIE_M (with room for rounding) is not measured.
            let mut cut2 = f64::INFINITY;
            let mut close: Vec<(usize, f64)> = Vec::new();
            grid.for_each_candidate(from, &frame.xyz, radius, |k, xyz| {
                let (dx, dy, dz) = (
                    xyz[0] - frame.xyz[0],
                    xyz[1] - frame.xyz[1],
                    xyz[2] - frame.xyz[2],
                );
                if dx * dx + dy * dy + dz * dz > cut2 {
                    return;
                }
                let d = frame.distance_m(xyz);
                if d <= best + TIE_M {
                    let i = grid.feature(k);
                    if pred(i) {
                        close.push((i, d));
                        if d < best {
                            best = d;
                            let cut = (best + TIE_M) * (1.0 + 1e-9);
                            cut2 = cut * cut;
                            close.retain(|(_, x)| *x <= best + TIE_M);
                        }
                    }
                }
            });
            // Every feature within best + TIE_M by the fast distance has a chord at
            // most that long, so it was a candidate; 1 cm more keeps off the radius
            // where Karney's and the fast distance may part by a millimetre.
            if best + TIE_M + 0.01 <= radius * (1.0 - 1e-9) {
                return Ok(self.decide(from, close));
            }
            if radius >= limit_m {
                return Err(BeyondGrid);
            }
            radius = (radius * 3.0).min(limit_m);
        }
    }

    /// Nearest by location among the entries of `tree` (the layer's or a selection's).
    fn nearest_in<P>(&self, tree: &RTree<Entry>, from: Point<f64>, pred: P) -> Option<(usize, f64)>
    where
        P: Fn(usize, &Feature) -> bool,
    {
        // Candidates come by chord length; each is measured with the fast formula
        // where it holds (within 1 mm up to FAST_MAX_M), else with Karney's. Those
        // within TIE_M of the best are then measured with Karney's, which decides.
        let q = unit_vector(from);
        let frame = LocalFrame::new(from);
        let approx = |i: usize| match self.xyz.get(i).map(|xyz| frame.distance_m(xyz)) {
            Some(d) if d <= FAST_MAX_M => d,
            _ => self.distance_m(from, i),
        };
        let mut best = f64::INFINITY;
        let mut close: Vec<(usize, f64)> = Vec::new();
        for (entry, chord2) in tree.nearest_neighbor_iter_with_distance_2(&q) {
            let lower_bound = MIN_RADIUS_M * chord_to_angle(chord2.sqrt());
            // Tolerance for rounding in the bound: never stop early on a tie.
            if lower_bound > best * (1.0 + 1e-12) + TIE_M + 1e-6 {
                break;
            }
            let i = entry.data;
            let Some(f) = self.layer.features.get(i) else {
                continue;
            };
            if !pred(i, f) {
                continue;
            }
            let d = approx(i);
            if d <= best + TIE_M {
                close.push((i, d));
                if d < best {
                    best = d;
                    close.retain(|(_, x)| *x <= best + TIE_M);
                }
            }
        }
        self.decide(from, close)
    }

    /// Of the features within [`TIE_M`] of the nearest by the fast distance, the
    /// nearest by Karney's, ties to the smaller id.
    fn decide(&self, from: Point<f64>, close: Vec<(usize, f64)>) -> Option<(usize, f64)> {
        close
            .into_iter()
            .map(|(i, _)| (i, self.distance_m(from, i)))
            .min_by(|(i, a), (j, b)| {
                a.total_cmp(b).then_with(|| {
                    let id = |k: usize| self.layer.features.get(k).map(|f| f.id.as_bytes());
                    id(*i).cmp(&id(*j))
                })
            })
    }

    /// Every feature within `radius_m` metres (geodesic, boundary included), as
    /// (feature index, distance in metres), in feature order. Up to [`FAST_MAX_M`] the
    /// distances come from the fast formula (within 1 mm of Karney's), beyond from
    /// Karney's.
    pub fn within(&self, from: Point<f64>, radius_m: f64) -> Vec<(usize, f64)> {
        let mut out = Vec::new();
        self.for_each_within(from, radius_m, |i, d| out.push((i, d)));
        out.sort_unstable_by_key(|(i, _)| *i);
        out
    }

    /// Calls `f(feature index, distance in metres)` for every feature within
    /// `radius_m`, as [`IndexedLayer::within`] finds them but in a fixed order for a
    /// given set of locations (up to [`FAST_MAX_M`] the location grid's, by cell,
    /// whatever the order of the features; beyond it the tree's) and without
    /// collecting them.
    pub fn for_each_within(&self, from: Point<f64>, radius_m: f64, mut f: impl FnMut(usize, f64)) {
        if radius_m.is_nan() || radius_m < 0.0 {
            return;
        }
        if radius_m <= FAST_MAX_M {
            // The grid's candidates (every point within the chord), each measured by
            // the fast formula: the same decision and distance as through the tree.
            let frame = LocalFrame::new(from);
            let grid = self.grid();
            grid.for_each_candidate(from, &frame.xyz, radius_m, |k, xyz| {
                let d = frame.distance_m(xyz);
                if d <= radius_m {
                    f(grid.feature(k), d);
                }
            });
            return;
        }
        let q = unit_vector(from);
        // Beyond FAST_MAX_M: the tree's candidates, each by Karney's geodesic.
        for e in self.tree().locate_within_distance(q, reach2(radius_m)) {
            let d = self.distance_m(from, e.data);
            if d <= radius_m {
                f(e.data, d);
            }
        }
    }

    /// The features of the layer that `mask` selects, with a grid of their own (and,
    /// when a search goes beyond [`FAST_MAX_M`], an R-tree), so that nearest queries
    /// among them skip the others.
    pub(crate) fn select(&self, mask: Vec<bool>) -> Selection {
        let grid = match self.segments() {
            Some(_) => grid::PointGrid::default(),
            None => self
                .grid()
                .subset(|i| mask.get(i).copied().unwrap_or(false)),
        };
        Selection {
            grid,
            tree: OnceLock::new(),
            mask,
        }
    }

    /// [`IndexedLayer::nearest_by`] among a selection's features.
    pub(crate) fn nearest_selected(
        &self,
        selection: &Selection,
        from: Point<f64>,
    ) -> Option<(usize, f64)> {
        let selected = |i: usize, _: &Feature| selection.mask.get(i).copied().unwrap_or(false);
        if let Some(segments) = self.segments() {
            return self.nearest_geometry(segments, from, selected);
        }
        if let Ok(nearest) = self.nearest_in_grid(&selection.grid, from, |_| true) {
            return nearest;
        }
        let tree = selection.tree.get_or_init(|| {
            let entries = selection
                .mask
                .iter()
                .zip(&self.layer.features)
                .enumerate()
                .filter(|(_, (m, _))| **m)
                .map(|(i, (_, f))| GeomWithData::new(unit_vector(f.location), i))
                .collect();
            RTree::bulk_load(entries)
        });
        self.nearest_in(tree, from, selected)
    }

    /// Per feature of the layer, its amount in an access sum (`None`: it does not
    /// match), arranged for [`IndexedLayer::for_each_amount_within`].
    pub(crate) fn amounts(&self, by_feature: Vec<Option<f64>>) -> Amounts {
        // A feature of amount 0 adds exactly 0 to a sum: left out.
        let of = |i: usize| by_feature.get(i).copied().flatten().filter(|a| *a != 0.0);
        let grid = self.grid().subset(|i| of(i).is_some());
        let amount = (0..grid.len())
            .map(|k| of(grid.feature(k)).unwrap_or(0.0))
            .collect();
        Amounts {
            grid,
            amount,
            by_feature,
        }
    }

    /// The sum of `amount × factor(distance / radius_m)` over the features within
    /// `radius_m` that have an amount, added in the order (and with the distances)
    /// of [`IndexedLayer::for_each_within`], without visiting the others.
    pub(crate) fn amount_sum_within(
        &self,
        amounts: &Amounts,
        from: Point<f64>,
        radius_m: f64,
        factor: impl Fn(f64) -> f64,
    ) -> f64 {
        let mut v = 0.0;
        if radius_m.is_nan() || radius_m < 0.0 {
            return v;
        }
        if radius_m <= FAST_MAX_M {
            // Each run's distances a block at a time, then the sum in grid order.
            const BLOCK: usize = 64;
            let frame = LocalFrame::new(from);
            let (r2, mut d) = (radius_m * radius_m, [0.0; BLOCK]);
            let grid = &amounts.grid;
            grid.for_each_run(from, radius_m, |run| {
                let mut start = run.start;
                // The sum in a local: the compiler keeps it in a register.
                let mut sum = v;
                while start < run.end {
                    let end = (start + BLOCK).min(run.end);
                    let d = &mut d[..end - start];
                    frame.distances_within_chord(grid.coordinates(start..end), r2, d);
                    let a = amounts.amount.get(start..end).unwrap_or(&[]);
                    for (a, d) in a.iter().zip(d.iter()) {
                        if *d <= radius_m {
                            sum += *a * factor(*d / radius_m);
                        }
                    }
                    start = end;
                }
                v = sum;
            });
            return v;
        }
        self.for_each_within(from, radius_m, |j, d| {
            if let Some(a) = amounts.by_feature.get(j).copied().flatten() {
                if a != 0.0 {
                    v += a * factor(d / radius_m);
                }
            }
        });
        v
    }

    /// How many features a search of `radius_m` from `from` considers: every feature
    /// within the radius and a few just beyond it (those within its chord: an upper
    /// bound of [`IndexedLayer::for_each_within`]'s count, without computing a
    /// geodesic distance).
    ///
    /// ```
    /// use sitematch::{Feature, IndexedLayer, Layer, Role};
    /// use geo::Point;
    /// let l = Layer::from_features("p", Role::Facilities, vec![
    ///     Feature::point("a", 2.0, 48.0), Feature::point("b", 2.0, 49.0),
    /// ]);
    /// let idx = IndexedLayer::new(l);
    /// assert_eq!(idx.count_within(Point::new(2.0, 48.0), 50_000.0), 1);
    /// assert_eq!(idx.count_within(Point::new(2.0, 48.0), 500_000.0), 2);
    /// ```
    pub fn count_within(&self, from: Point<f64>, radius_m: f64) -> usize {
        if radius_m.is_nan() || radius_m < 0.0 {
            return 0;
        }
        let mut n = 0;
        self.grid()
            .for_each_candidate(from, &ecef(from), radius_m, |_, _| n += 1);
        n
    }

    /// Calls `f` with the index of every feature [`IndexedLayer::count_within`]
    /// counts (without a distance: an estimate's sets, not a result).
    pub(crate) fn each_index_within(
        &self,
        from: Point<f64>,
        radius_m: f64,
        mut f: impl FnMut(usize),
    ) {
        if radius_m.is_nan() || radius_m < 0.0 {
            return;
        }
        let grid = self.grid();
        grid.for_each_candidate(from, &ecef(from), radius_m, |k, _| f(grid.feature(k)));
    }
}

/// One empty cell per attribute name of the layer.
fn layer_numbers(layer: &Layer) -> Vec<OnceLock<Vec<Option<f64>>>> {
    layer
        .attribute_names
        .iter()
        .map(|_| OnceLock::new())
        .collect()
}

/// Serde for an indexed layer as its layer: the indexes are rebuilt (on first use)
/// when it is read back.
pub(crate) mod as_layer {
    use super::IndexedLayer;
    use crate::model::Layer;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub(crate) fn serialize<S: Serializer>(l: &IndexedLayer, s: S) -> Result<S::Ok, S::Error> {
        l.layer().serialize(s)
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<IndexedLayer, D::Error> {
        Layer::deserialize(d).map(IndexedLayer::new)
    }
}

/// Some features of a layer (a criterion's categories and tags), indexed on their own.
#[derive(Debug)]
pub(crate) struct Selection {
    /// Their locations (empty for a layer measured by geometry).
    grid: grid::PointGrid,
    /// Their R-tree, for searches beyond [`FAST_MAX_M`], built on first need.
    tree: OnceLock<RTree<Entry>>,
    mask: Vec<bool>,
}

/// The amounts of a layer's features in an access sum: in grid order those that add
/// something, and per feature for sums beyond [`FAST_MAX_M`].
#[derive(Debug)]
pub(crate) struct Amounts {
    grid: grid::PointGrid,
    /// The amount of each point of `grid`, in its order.
    amount: Vec<f64>,
    by_feature: Vec<Option<f64>>,
}

/// Two features whose fast distances are this close are measured with Karney's, which
/// decides between them (the fast distance is within 1 mm of it).
const TIE_M: f64 = 0.002;

/// No feature within [`FAST_MAX_M`] of the query, as a grid search found.
struct BeyondGrid;

/// The first radius a nearest search in a grid tries; each next one is 3 times wider.
const NEAREST_START_M: f64 = 5_000.0;

/// The squared chord on the unit sphere that contains every point within `radius_m`
/// of the query on the ellipsoid (the radius taken on the smallest sphere, with margin).
fn reach2(radius_m: f64) -> f64 {
    let angle = radius_m / MIN_RADIUS_M * (1.0 + 1e-9);
    let chord = if angle >= std::f64::consts::PI {
        2.0
    } else {
        2.0 * (angle / 2.0).sin()
    };
    chord * chord * (1.0 + 1e-9) + 1e-15
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Role;

    /// The nearest selected feature found in the selection's grid, or in the layer's
    /// with a predicate (searches of growing radius, the tree beyond 100 km), is a
    /// scan's: the least Karney distance, ties to the smaller id, with twins, exact
    /// ties either side of a search radius, features only beyond 100 km, across the
    /// antimeridian and near a pole.
    #[test]
    fn nearest_in_a_selection_equals_a_scan() {
        use geo::Destination;
        let mut features = Vec::new();
        let mut next = crate::test_util::uniform(7);
        let queries = [
            (2.35, 48.85),
            (180.0, 0.0),
            (-179.9, 0.1),
            (10.0, 89.9),
            (-60.0, -30.0),
        ];
        for (qx, qy) in queries {
            for _ in 0..300 {
                let (b, r) = (next() * 360.0, next() * 300_000.0);
                let p = Geodesic.destination(Point::new(qx, qy), b, r);
                features.push(Feature::point(format!("r{}", features.len()), p.x(), p.y()));
            }
            // Twins and ties at the radii where the search widens, 1 mm apart or equal.
            for r in [
                NEAREST_START_M,
                NEAREST_START_M * 3.0,
                FAST_MAX_M - 0.005,
                FAST_MAX_M + 1.0,
            ] {
                for (b, dr) in [(10.0, 0.0), (200.0, 0.0), (300.0, 0.001), (45.0, -0.001)] {
                    let p = Geodesic.destination(Point::new(qx, qy), b, r + dr);
                    features.push(Feature::point(format!("t{}", features.len()), p.x(), p.y()));
                }
            }
        }
        let n = features.len();
        let idx = IndexedLayer::new(Layer::from_features("p", Role::Facilities, features));
        // Every feature; every third; only those 100 km and more from every query.
        let far = |f: &Feature| {
            queries
                .iter()
                .all(|(x, y)| Geodesic.distance(Point::new(*x, *y), f.location) > FAST_MAX_M)
        };
        let masks: Vec<Vec<bool>> = vec![
            vec![true; n],
            (0..n).map(|i| i % 3 == 0).collect(),
            idx.layer().features.iter().map(far).collect(),
            idx.layer()
                .features
                .iter()
                .map(|f| f.id.starts_with('t'))
                .collect(),
        ];
        let mut tried = 0;
        for mask in masks {
            let selection = idx.select(mask.clone());
            for (qx, qy) in queries {
                for (db, dr) in [
                    (0.0, 0.0),
                    (0.3, 1000.0),
                    (90.0, 4_999.0),
                    (180.0, 40_000.0),
                ] {
                    let from = Geodesic.destination(Point::new(qx, qy), db, dr);
                    let brute = idx
                        .layer()
                        .features
                        .iter()
                        .enumerate()
                        .filter(|(i, _)| mask[*i])
                        .map(|(i, f)| (i, Geodesic.distance(from, f.location)))
                        .min_by(|(i, a), (j, b)| {
                            let id = |k: usize| idx.layer().features[k].id.as_bytes();
                            a.total_cmp(b).then_with(|| id(*i).cmp(id(*j)))
                        });
                    assert_eq!(
                        idx.nearest_selected(&selection, from),
                        brute,
                        "from {from:?}"
                    );
                    // The layer's own grid, the predicate applied to its candidates.
                    assert_eq!(idx.nearest_by(from, |i, _| mask[i]), brute, "from {from:?}");
                    if mask.iter().all(|m| *m) {
                        // Within a radius: the same answer when it is inside, else none;
                        // radii on and 1 mm either side of the nearest's distance too.
                        let d = brute.map_or(0.0, |(_, d)| d);
                        for r in [
                            -1.0,
                            0.0,
                            3_000.0,
                            d - 0.001,
                            d,
                            d + 0.001,
                            7e3,
                            2e5,
                            f64::NAN,
                        ] {
                            let expected = brute.filter(|(_, d)| *d <= r);
                            assert_eq!(idx.nearest_within(from, r), expected, "{from:?} {r}");
                        }
                    }
                    tried += 1;
                }
            }
        }
        assert_eq!(tried, 80);
    }

    /// An access sum over the features with an amount adds each within the radius
    /// once, in the order and with the distance of the radius search over all of them.
    #[test]
    fn amount_sums_equal_the_sums_over_every_feature() {
        let mut features = Vec::new();
        for i in 0..4000 {
            let (x, y) = (1.2 + (i % 80) as f64 * 0.02, 46.6 + (i / 80) as f64 * 0.015);
            features.push(Feature::point(format!("c{i}"), x, y));
        }
        let idx = IndexedLayer::new(Layer::from_features("c", Role::Population, features));
        let amount: Vec<Option<f64>> = (0..4000)
            .map(|i| match i % 5 {
                0 => None,
                1 => Some(0.0),
                _ => Some(i as f64 * 0.5),
            })
            .collect();
        let amounts = idx.amounts(amount.clone());
        for (x, y, r) in [
            (2.0, 47.0, 30_000.0),
            (1.25, 46.65, 90_000.0),
            (2.0, 47.0, 250_000.0),
        ] {
            let from = Point::new(x, y);
            let mut every = Vec::new();
            idx.for_each_within(from, r, |j, d| {
                if let Some(a) = amount[j].filter(|a| *a != 0.0) {
                    every.push((a, d));
                }
            });
            // A sum of one term per pair, each pair's as the search over all gives it,
            // added in its order: equal to the bit.
            let sum = idx.amount_sum_within(&amounts, from, r, |t| 1.0 - t);
            let expected = every.iter().fold(0.0, |v, (a, d)| v + a * (1.0 - d / r));
            assert!(every.len() > 100, "{}", every.len());
            assert_eq!(sum, expected, "from ({x}, {y}) within {r} m");
            // And the pairs themselves: the count of the sum of ones.
            let ones = idx.amount_sum_within(&amounts, from, r, |_| 1.0 / 0.5);
            let count = every.iter().fold(0.0, |v, (a, _)| v + a * 2.0);
            assert_eq!(ones, count);
        }
    }

    /// The grid's radius search finds exactly what a scan of every feature finds with
    /// the same distance, across the antimeridian, near a pole and in France.
    #[test]
    fn grid_search_equals_a_full_scan() {
        let mut features = Vec::new();
        let mut next = crate::test_util::uniform(0);
        for (cx, cy, spread) in [
            (179.9, 0.0, 1.5),
            (-179.95, 10.0, 1.0),
            (10.0, 89.7, 0.6),
            (2.3, 48.8, 2.0),
        ] {
            for _ in 0..600 {
                let x = cx + (next() - 0.5) * 2.0 * spread;
                let x = if x > 180.0 {
                    x - 360.0
                } else if x < -180.0 {
                    x + 360.0
                } else {
                    x
                };
                let y = (cy + (next() - 0.5) * 2.0 * spread).clamp(-90.0, 90.0);
                features.push(Feature::point(format!("p{}", features.len()), x, y));
            }
        }
        // Points just inside and just outside each search circle, every half degree
        // of azimuth: where a too-narrow row window would miss one.
        use geo::Destination;
        for (qx, qy) in [(2.35, 48.85), (180.0, 0.0), (10.0, 89.9)] {
            for radius in [30_000.0, FAST_MAX_M] {
                for k in 0..720 {
                    let bearing = f64::from(k) * 0.5;
                    for r in [radius - 0.01, radius + 0.01] {
                        let p = Geodesic.destination(Point::new(qx, qy), bearing, r);
                        features.push(Feature::point(format!("p{}", features.len()), p.x(), p.y()));
                    }
                }
            }
        }
        let idx = IndexedLayer::new(Layer::from_features("p", Role::Facilities, features));
        let mut total = 0;
        for (qx, qy) in [
            (180.0, 0.0),
            (-179.99, 0.2),
            (179.5, 10.0),
            (10.0, 89.9),
            (-170.0, 89.8),
            (2.35, 48.85),
        ] {
            for radius in [1_000.0, 30_000.0, FAST_MAX_M] {
                let from = Point::new(qx, qy);
                let frame = LocalFrame::new(from);
                let mut brute: Vec<usize> = (0..idx.layer().features.len())
                    .filter(|&i| frame.distance_m(&idx.xyz[i]) <= radius)
                    .collect();
                let mut found = Vec::new();
                idx.for_each_within(from, radius, |i, d| {
                    assert_eq!(d, frame.distance_m(&idx.xyz[i]));
                    found.push(i);
                });
                found.sort_unstable();
                brute.sort_unstable();
                assert_eq!(found, brute, "from ({qx}, {qy}) within {radius} m");
                total += found.len();
            }
        }
        // Points were found across the antimeridian and near the pole, not only none.
        assert!(total > 1000, "{total}");
    }

    #[test]
    fn empty_layer_answers_nothing() {
        let idx = IndexedLayer::new(Layer::from_features("e", Role::Facilities, vec![]));
        assert!(idx.nearest(Point::new(0.0, 0.0), |_| true).is_none());
        assert!(idx.within(Point::new(0.0, 0.0), 1e7).is_empty());
    }

    #[test]
    fn across_the_antimeridian() {
        let layer = Layer::from_features(
            "f",
            Role::Facilities,
            vec![
                Feature::point("east", 179.9, -17.0),
                Feature::point("west", -170.0, -17.0),
            ],
        );
        let idx = IndexedLayer::new(layer);
        let (i, d) = idx.nearest(Point::new(-179.9, -17.0), |_| true).unwrap();
        assert_eq!(idx.layer().features[i].id, "east");
        assert!(d < 25_000.0, "{d}");
    }
}
