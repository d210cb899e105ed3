//! Grid candidates: a regular grid of points over the brief's extent, scored as a
//! suitability surface and produced as a stream (bounded memory).

use std::sync::Arc;

use geo::{Geometry, LineString, Point, Polygon};
use rayon::prelude::*;

use super::{filter, Engine};
use crate::aggregate::weighted_sum;
use crate::brief::{Brief, GridSpec};
use crate::criteria::Scorer;
use crate::crs::pure::Ellipsoid;
use crate::error::{BriefProblems, Result};
use crate::index::IndexedLayer;
use crate::model::{Feature, Role};
use crate::ranking::Decision;
use crate::ranking::{Ranking, SiteResult};

/// The most cells a grid may scan (about 20 minutes on two cores; a 1M-cell grid
/// takes about 20 s): a larger one is refused before it starts, with its count.
pub const MAX_CELLS: usize = 50_000_000;

/// Cells evaluated per parallel batch: the memory bound of a streamed grid.
const BATCH: usize = 16_384;

/// One row of cells at a constant latitude.
#[derive(Debug, Clone, Copy)]
struct Row {
    lat: f64,
    lon0: f64,
    dlon: f64,
    cols: usize,
}

/// What happened to the cells of a grid so far.
///
/// ```
/// use sitematch::{Brief, Catalog, Engine, Feature, Layer, Role};
/// let engine = Engine::new(Catalog::from_layers(vec![Layer::from_features(
///     "communes", Role::Population, vec![Feature::point("t", 2.0, 48.0)])]));
/// let brief = Brief::from_toml_str(r#"
///     [filter]
///     bbox = [1.0, 47.0, 3.0, 49.0]
///     [candidates]
///     grid_km = 10
///     land_km = 5
///     [[criterion]]
///     name = "town"
///     type = "distance"
///     layer = "communes"
///     ideal_km = 1
///     zero_km = 10
/// "#)?;
/// let mut grid = engine.grid(&brief, false)?;
/// let written = grid.by_ref().count();
/// let stats = grid.stats();
/// assert_eq!(stats.produced, written);
/// // Cells more than 5 km from the one land point are left out, and counted.
/// assert_eq!(stats.scanned, stats.produced + stats.not_on_land);
/// # Ok::<(), sitematch::Error>(())
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct GridStats {
    /// Cells looked at.
    pub scanned: usize,
    /// Cells with no land point within reach, left out.
    pub not_on_land: usize,
    /// Cells whose nearest land point is outside the brief's départements.
    pub outside_departments: usize,
    /// Cells outside the `within` zones layer.
    pub outside_zone: usize,
    /// Cells that fail a hard constraint (`exclude_zones`, `max_km`).
    pub excluded: usize,
    /// Cells produced by the iterator.
    pub produced: usize,
}

/// A streamed grid of scored cells, row by row (south to north, west to east).
/// Cells are computed in parallel batches of a fixed size as the iterator is read.
///
/// ```
/// use sitematch::{Brief, Catalog, Engine, Feature, Layer, Role};
/// let mut town = Feature::point("t", 2.0, 48.0);
/// town.commune = Some("75056".into());
/// let engine = Engine::new(Catalog::from_layers(vec![Layer::from_features("communes", Role::Population, vec![town])]));
/// let brief = Brief::from_toml_str(r#"
///     [filter]
///     bbox = [1.99, 47.99, 2.01, 48.01]
///     [candidates]
///     grid_km = 1
///     [[criterion]]
///     name = "town"
///     type = "distance"
///     layer = "communes"
///     ideal_km = 1
///     zero_km = 10
/// "#)?;
/// let grid = engine.grid(&brief, false)?;
/// assert!(grid.total_cells() >= 4);
/// let cells: Vec<_> = grid.collect();
/// assert!(cells.iter().all(|c| c.score.is_some()));
/// # Ok::<(), sitematch::Error>(())
/// ```
pub struct Grid<'a> {
    brief: &'a Brief,
    spec: &'a GridSpec,
    scorers: Vec<Box<dyn Scorer + 'a>>,
    weights: Vec<f64>,
    /// The grid's columns, weights and warnings, made once.
    shell: Ranking,
    land: &'a IndexedLayer,
    within: Option<&'a IndexedLayer>,
    tests: filter::Tests<'a>,
    land_m: f64,
    dlat: f64,
    include_excluded: bool,
    rows: Vec<Row>,
    next: (usize, usize),
    total: usize,
    buffer: std::vec::IntoIter<SiteResult>,
    stats: GridStats,
}

enum Cell {
    Kept(Box<SiteResult>),
    NotOnLand,
    OutsideDepartments,
    OutsideZone,
    Excluded,
}

/// Meridian and prime-vertical radii of curvature at a latitude, degrees.
fn radii(lat_deg: f64) -> (f64, f64) {
    Ellipsoid::WGS84.radii(lat_deg.to_radians().sin())
}

impl<'a> Grid<'a> {
    pub(super) fn new(
        engine: &'a Engine,
        brief: &'a Brief,
        include_excluded: bool,
    ) -> Result<Grid<'a>> {
        let problem = |key: &str, message: String| BriefProblems::one(key, message);
        let spec = brief
            .grid
            .as_ref()
            .ok_or_else(|| problem("candidates", "the brief asks for no grid".into()))?;
        engine.check(brief)?;
        let land = engine
            .layer(&spec.land)
            .filter(|l| matches!(l.layer().role, Role::Population | Role::Facilities))
            .ok_or_else(|| {
                problem(
                    "candidates.land",
                    format!(
                        "{:?} is not a population or facilities layer of the data",
                        spec.land
                    ),
                )
            })?;
        let within = match &spec.within {
            None => None,
            Some(z) => Some(
                engine
                    .layer(z)
                    .filter(|l| l.layer().role == Role::Zones)
                    .ok_or_else(|| {
                        problem(
                            "candidates.within",
                            format!("{z:?} is not a zones layer of the data"),
                        )
                    })?,
            ),
        };
        let half_diagonal_m = spec.grid_km * 1000.0 * std::f64::consts::FRAC_1_SQRT_2;
        let land_m = spec
            .land_km
            .map_or(half_diagonal_m + 5_000.0, |k| k * 1000.0);

        // The extent: the bbox, else the land points of the départements.
        let tests = filter::Tests::new(&brief.filter, engine.exclude_zones(brief));
        let extent = match (brief.filter.bbox, &brief.filter.departments) {
            (Some(b), _) => Some(b),
            (None, Some(_)) => {
                let mut bb: Option<[f64; 4]> = None;
                for f in &land.layer().features {
                    if !tests.in_departments(f.commune.as_deref()) {
                        continue;
                    }
                    let (x, y) = (f.location.x(), f.location.y());
                    let b = bb.get_or_insert([x, y, x, y]);
                    b[0] = b[0].min(x);
                    b[1] = b[1].min(y);
                    b[2] = b[2].max(x);
                    b[3] = b[3].max(y);
                }
                // Reach beyond the outermost commune points by the land distance.
                bb.map(|[x0, y0, x1, y1]| {
                    let dy = land_m / 111_000.0;
                    let dx = dy / y0.abs().max(y1.abs()).to_radians().cos().max(0.05);
                    [x0 - dx, y0 - dy, x1 + dx, y1 + dy]
                })
            }
            (None, None) => None,
        };
        let [x0, y0, x1, y1] = extent.ok_or_else(|| {
            problem(
                "filter.departments",
                format!(
                    "no point of layer {:?} has a commune in these départements",
                    spec.land
                ),
            )
        })?;
        let (m, _) = radii((y0 + y1) / 2.0);
        let dlat = (spec.grid_km * 1000.0 / m).to_degrees();
        let n_rows = ((y1 - y0) / dlat).ceil().max(1.0) as usize;
        // Refused before it starts: the cells the extent holds, at the widest row.
        let widest = {
            let lat = if y0 <= 0.0 && y1 >= 0.0 {
                0.0
            } else {
                y0.abs().min(y1.abs())
            };
            let (_, n) = radii(lat);
            let dlon =
                (spec.grid_km * 1000.0 / (n * lat.to_radians().cos().max(1e-6))).to_degrees();
            ((x1 - x0) / dlon).ceil().max(1.0)
        };
        let estimate = n_rows as f64 * widest;
        if estimate > MAX_CELLS as f64 {
            return Err(problem(
                "candidates.grid_km",
                format!(
                    "{} km cells over this extent make about {} cells to scan; the limit is {} (take larger cells, or narrow filter.bbox or filter.departments)",
                    spec.grid_km,
                    crate::text::thousands(estimate),
                    crate::text::thousands(MAX_CELLS as f64)
                ),
            ));
        }
        let rows: Vec<Row> = (0..n_rows)
            .map(|i| {
                let lat = y0 + (i as f64 + 0.5) * dlat;
                let (_, n) = radii(lat);
                let dlon =
                    (spec.grid_km * 1000.0 / (n * lat.to_radians().cos().max(1e-6))).to_degrees();
                Row {
                    lat,
                    lon0: x0,
                    dlon,
                    cols: ((x1 - x0) / dlon).ceil().max(1.0) as usize,
                }
            })
            .collect();
        let total = rows.iter().map(|r| r.cols).sum();
        let scorers = crate::criteria::build(engine, &brief.criteria)?;
        let mut shell = engine.ranking_shell(brief, false);
        shell.warnings = engine.grid_warnings(brief, &scorers);
        shell.top = 0;
        shell.robustness = None;
        shell.shortlist = false;
        let weights = shell.weights();
        Ok(Grid {
            brief,
            spec,
            scorers,
            weights,
            shell,
            land,
            within,
            tests,
            land_m,
            dlat,
            include_excluded,
            rows,
            next: (0, 0),
            total,
            buffer: Vec::new().into_iter(),
            stats: GridStats::default(),
        })
    }

    /// How many cells the grid's extent holds (what a progress bar counts).
    pub fn total_cells(&self) -> usize {
        self.total
    }

    /// An empty ranking that describes the grid's columns and weights (what the
    /// output writers need besides the cells).
    pub fn shell(&self) -> Ranking {
        self.shell.clone()
    }

    /// The brief's warnings: values that match nothing in the data.
    ///
    /// ```
    /// use sitematch::{Brief, Catalog, Engine, Feature, Layer, Role};
    /// let engine = Engine::new(Catalog::from_layers(vec![Layer::from_features(
    ///     "communes", Role::Population, vec![Feature::point("t", 2.0, 48.0)])]));
    /// // A category no feature has.
    /// let brief = Brief::from_toml_str(r#"
    ///     [filter]
    ///     bbox = [1.99, 47.99, 2.01, 48.01]
    ///     [candidates]
    ///     grid_km = 1
    ///     [[criterion]]
    ///     name = "town"
    ///     type = "distance"
    ///     layer = "communes"
    ///     categories = ["gare"]
    ///     ideal_km = 1
    ///     zero_km = 10
    /// "#)?;
    /// let grid = engine.grid(&brief, false)?;
    /// assert_eq!(grid.warnings()[0].key, "criterion[0].categories[0]");
    /// # Ok::<(), sitematch::Error>(())
    /// ```
    pub fn warnings(&self) -> &[crate::warnings::Warning] {
        &self.shell.warnings
    }

    /// True when the cells are written as squares (`cells = "squares"`), false for
    /// their centre points.
    ///
    /// ```
    /// use sitematch::{Brief, Catalog, Engine, Feature, Layer, Role};
    /// let engine = Engine::new(Catalog::from_layers(vec![Layer::from_features(
    ///     "communes", Role::Population, vec![Feature::point("t", 2.0, 48.0)])]));
    /// let brief = Brief::from_toml_str("[filter]\nbbox = [1.99, 47.99, 2.01, 48.01]\n[candidates]\ngrid_km = 1\ncells = \"squares\"\n[[criterion]]\nname = \"d\"\ntype = \"distance\"\nlayer = \"communes\"\nideal_km = 1\nzero_km = 10\n")?;
    /// assert!(engine.grid(&brief, false)?.squares());
    /// # Ok::<(), sitematch::Error>(())
    /// ```
    pub fn squares(&self) -> bool {
        self.spec.squares
    }

    /// The grid's cell size and cell count, for the output's metadata.
    pub fn describe(&self) -> serde_json::Value {
        serde_json::json!({
            "grid_km": self.spec.grid_km,
            "land": self.spec.land,
            "land_km": self.land_m / 1000.0,
            "cells_in_extent": self.total,
        })
    }

    /// What happened to the cells read so far.
    pub fn stats(&self) -> GridStats {
        self.stats
    }

    /// The next batch of cell positions, row-major.
    fn positions(&mut self) -> Vec<(usize, usize, Row)> {
        let mut out = Vec::with_capacity(BATCH);
        while out.len() < BATCH {
            let (r, c) = self.next;
            let Some(row) = self.rows.get(r).copied() else {
                break;
            };
            if c >= row.cols {
                self.next = (r + 1, 0);
                continue;
            }
            out.push((r, c, row));
            self.next = (r, c + 1);
        }
        out
    }

    fn cell(&self, r: usize, c: usize, row: Row) -> Cell {
        let lon = row.lon0 + (c as f64 + 0.5) * row.dlon;
        let p = Point::new(lon, row.lat);
        let Some((i, _)) = self.land.nearest_within(p, self.land_m) else {
            return Cell::NotOnLand;
        };
        // The cell belongs to the commune of its nearest land point.
        let commune = self
            .land
            .layer()
            .features
            .get(i)
            .and_then(|f| f.commune.clone());
        if !self.tests.in_departments(commune.as_deref()) {
            return Cell::OutsideDepartments;
        }
        if let Some(bbox) = self.brief.filter.bbox {
            if !filter::in_bbox(bbox, p) {
                return Cell::OutsideDepartments;
            }
        }
        if let Some(z) = self.within {
            if !z.intersects(&Geometry::Point(p)) {
                return Cell::OutsideZone;
            }
        }
        let geometry = if self.spec.squares {
            let (hx, hy) = (row.dlon / 2.0, self.dlat / 2.0);
            Geometry::Polygon(Polygon::new(
                LineString::from(vec![
                    (lon - hx, row.lat - hy),
                    (lon + hx, row.lat - hy),
                    (lon + hx, row.lat + hy),
                    (lon - hx, row.lat + hy),
                    (lon - hx, row.lat - hy),
                ]),
                vec![],
            ))
        } else {
            Geometry::Point(p)
        };
        let mut site = Feature::point(format!("r{r:05}c{c:05}"), lon, row.lat);
        site.area_ha = Some(self.spec.grid_km * self.spec.grid_km * 100.0);
        site.commune = commune;
        let mut excluded_by = filter::reasons(&self.tests, &site, &[]);
        let criteria =
            super::rank::evaluate(&self.scorers, &self.weights, &site, &mut excluded_by, false);
        let excluded = !excluded_by.is_empty();
        if excluded && !self.include_excluded {
            return Cell::Excluded;
        }
        let scores: Vec<f64> = criteria.iter().map(|c| c.score).collect();
        let score = weighted_sum(&[scores], &self.weights).first().copied();
        Cell::Kept(Box::new(SiteResult {
            site_id: site.id,
            label: None,
            layer: arcstr::literal!("grid"),
            category: None,
            commune: site.commune,
            attributes: Arc::new([]),
            location: p,
            geometry,
            area_ha: site.area_ha,
            rank: None,
            score: score.filter(|_| !excluded),
            excluded_by,
            criteria,
            decision: Decision::default(),
            land_take_avoided_ha: None,
        }))
    }
}

impl Iterator for Grid<'_> {
    type Item = SiteResult;

    fn next(&mut self) -> Option<SiteResult> {
        loop {
            if let Some(s) = self.buffer.next() {
                self.stats.produced += 1;
                return Some(s);
            }
            let batch = self.positions();
            if batch.is_empty() {
                return None;
            }
            let cells: Vec<Cell> = batch
                .par_iter()
                .map(|&(r, c, row)| self.cell(r, c, row))
                .collect();
            self.stats.scanned += cells.len();
            let mut kept = Vec::new();
            for cell in cells {
                match cell {
                    Cell::Kept(s) => {
                        if !s.excluded_by.is_empty() {
                            self.stats.excluded += 1;
                        }
                        kept.push(*s);
                    }
                    Cell::NotOnLand => self.stats.not_on_land += 1,
                    Cell::OutsideDepartments => self.stats.outside_departments += 1,
                    Cell::OutsideZone => self.stats.outside_zone += 1,
                    Cell::Excluded => self.stats.excluded += 1,
                }
            }
            self.buffer = kept.into_iter();
        }
    }
}
