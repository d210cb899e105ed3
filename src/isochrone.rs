//! Drive-time catchments (isochrones): the land a road network reaches from a point
//! within so many minutes, as polygons.
//!
//! The point joins its nearest node by a straight leg at the network's access speed
//! (as drive-time criteria do), then Dijkstra times every node up to the largest
//! bound. The places reached within `T` minutes are the nodes reached, the access
//! leg, and each arc out of a reached node as far as the time left takes it (straight
//! between its nodes, at its speed), sampled every half cell. The polygon is the union
//! of the cells of a grid (`cell_m` metres a side, on the point's latitude) that hold
//! such a place or touch one that does. So every node reached within `T` is inside its
//! polygon, and no point of the polygon is farther than [`Isochrone::tolerance_m`]
//! (2√2 cells) from a place reached within `T`.

use std::collections::{BTreeMap, HashMap};

use geo::{Coord, MultiPolygon, Point, Polygon, Rect};

use crate::network::Network;

/// The most minutes an isochrone may reach (a day's drive bounds the search).
pub const MAX_ISOCHRONE_MINUTES: f64 = 600.0;

/// The most cells a catchment's grid may hold (its memory and its union's time).
pub const MAX_ISOCHRONE_CELLS: usize = 4_000_000;

/// One catchment.
#[derive(Debug, Clone, PartialEq)]
pub struct Isochrone {
    /// Its bound, minutes.
    pub minutes: f64,
    /// The land reached, WGS 84 longitude/latitude.
    pub polygon: MultiPolygon<f64>,
    /// The network's nodes reached within the bound.
    pub nodes: usize,
    /// The most a point of the polygon may be from a place reached in time, metres.
    pub tolerance_m: f64,
}

/// The catchments of `origin` on `network` for each bound of `minutes` (each above 0
/// and at most [`MAX_ISOCHRONE_MINUTES`]), on a grid of `cell_m` metres (50 to
/// 10,000), in the order given. A longer bound's catchment holds every shorter one's.
///
/// ```
/// use sitematch::{isochrones, Feature, Network, RoadEdge};
/// // A straight road east from (0, 0): 3 nodes 11.1 km apart, at 66.6 km/h (10 min each).
/// let nodes = (0..3).map(|i| Feature::point(format!("n{i}"), i as f64 * 0.1, 0.0)).collect();
/// let edges = (0..2).map(|i| RoadEdge { from: i, to: i + 1, length_km: 11.1, kmh: 66.6, oneway: false }).collect();
/// let net = Network::new("roads", nodes, edges, 30.0);
/// let c = isochrones(&net, geo::Point::new(0.0, 0.0), &[15.0], 200.0).unwrap();
/// // 15 minutes: node 1 (10 min) and half the next arc; node 2 (20 min) is not reached.
/// use geo::Contains;
/// assert_eq!(c[0].nodes, 2);
/// assert!(c[0].polygon.contains(&geo::Point::new(0.1, 0.0)));
/// assert!(c[0].polygon.contains(&geo::Point::new(0.145, 0.0)));
/// assert!(!c[0].polygon.contains(&geo::Point::new(0.19, 0.0)));
/// ```
pub fn isochrones(
    network: &Network,
    origin: Point<f64>,
    minutes: &[f64],
    cell_m: f64,
) -> Result<Vec<Isochrone>, String> {
    if minutes.is_empty() {
        return Err("no bound: give minutes such as 15, 30, 45".into());
    }
    if let Some(m) = minutes
        .iter()
        .find(|m| !(m.is_finite() && **m > 0.0 && **m <= MAX_ISOCHRONE_MINUTES))
    {
        return Err(format!(
            "{m} minutes: a bound is above 0 and at most {MAX_ISOCHRONE_MINUTES}"
        ));
    }
    if !(cell_m.is_finite() && (50.0..=10_000.0).contains(&cell_m)) {
        return Err(format!("a cell of {cell_m} m: give 50 to 10000 m"));
    }
    if !(origin.x().is_finite()
        && origin.y().is_finite()
        && (-180.0..=180.0).contains(&origin.x())
        && (-85.0..=85.0).contains(&origin.y()))
    {
        return Err(format!(
            "({}, {}) is not a longitude, latitude",
            origin.x(),
            origin.y()
        ));
    }
    let (start, leg) = network
        .nearest_node(origin)
        .ok_or_else(|| format!("network {:?} has no node", network.name))?;
    let leg_minutes = network.leg_minutes(leg);
    let bound = minutes.iter().copied().fold(0.0, f64::max);
    let times = network.shortest_from(&[(start, leg_minutes)], false, bound);
    let nodes = &network.nodes().features;
    let at = |n: u32| nodes.get(n as usize).map(|f| f.location);

    // The grid: cells of cell_m on the origin's parallel, as degrees.
    let dy = cell_m / 110_574.0;
    let dx = cell_m / (111_320.0 * origin.y().to_radians().cos());
    let cell = |p: Point<f64>| -> (i64, i64) {
        (
            ((p.x() - origin.x()) / dx).floor() as i64,
            ((p.y() - origin.y()) / dy).floor() as i64,
        )
    };
    // Shortest bound first, each catchment's cells carried into the next: what is
    // reached within 15 minutes is within 30 (the cells of its edge too).
    let mut order: Vec<usize> = (0..minutes.len()).collect();
    order.sort_by(|&a, &b| minutes[a].total_cmp(&minutes[b]));
    let mut done: Vec<Option<Isochrone>> = vec![None; minutes.len()];
    let mut cells: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
    let mut count = 0usize;
    for &which in &order {
        let limit = minutes[which];
        let mut mark = |p: Point<f64>| -> Result<(), String> {
            let (i, j) = cell(p);
            for dj in -1..=1 {
                let row = cells.entry(j + dj).or_default();
                for di in -1..=1 {
                    row.push(i + di);
                }
            }
            count += 9;
            if count > MAX_ISOCHRONE_CELLS * 4 {
                return Err(format!(
                    "{limit} minutes reaches more than {MAX_ISOCHRONE_CELLS} cells of {cell_m} m: \
                     give larger cells"
                ));
            }
            Ok(())
        };
        // The access leg, straight from the origin to its node.
        let reached: HashMap<u32, f64> = times
            .iter()
            .filter(|(_, t)| **t <= limit)
            .map(|(n, t)| (*n, *t))
            .collect();
        if let Some(node) = at(start) {
            let share = if leg_minutes <= limit || leg_minutes == 0.0 {
                1.0
            } else {
                limit / leg_minutes
            };
            for p in samples(origin, node, share, cell_m) {
                mark(p)?;
            }
        }
        for (&n, &t) in &reached {
            let Some(from) = at(n) else { continue };
            mark(from)?;
            for (m, w) in network.arcs_from(n) {
                let Some(to) = at(m) else { continue };
                let share = if w <= 0.0 {
                    1.0
                } else {
                    ((limit - t) / w).clamp(0.0, 1.0)
                };
                for p in samples(from, to, share, cell_m) {
                    mark(p)?;
                }
            }
        }
        // Row runs of cells, as rectangles, united.
        let mut rects: Vec<Polygon<f64>> = Vec::new();
        for (j, row) in cells.iter_mut() {
            row.sort_unstable();
            row.dedup();
            let row = &*row;
            let mut k = 0;
            while k < row.len() {
                let first = row[k];
                while k + 1 < row.len() && row[k + 1] == row[k] + 1 {
                    k += 1;
                }
                let last = row[k];
                k += 1;
                let min = Coord {
                    x: origin.x() + first as f64 * dx,
                    y: origin.y() + *j as f64 * dy,
                };
                let max = Coord {
                    x: origin.x() + (last + 1) as f64 * dx,
                    y: origin.y() + (*j + 1) as f64 * dy,
                };
                rects.push(Rect::new(min, max).to_polygon());
            }
        }
        // The marks made, now unique cells: the bound of the next catchment's marks.
        count = cells.values().map(Vec::len).sum();
        let polygon = geo::unary_union(&rects);
        done[which] = Some(Isochrone {
            minutes: limit,
            polygon,
            nodes: reached.len(),
            tolerance_m: 3.0 * cell_m,
        });
    }
    Ok(done.into_iter().flatten().collect())
}

/// Catchments as a GeoJSON FeatureCollection: one feature per bound, its polygon and
/// its `minutes`, `nodes_reached`, `tolerance_m`, `network` and `origin` (a site id,
/// or `LON,LAT`), as `sitematch isochrone` writes them and the workbench draws them.
///
/// ```
/// use sitematch::{catchments_geojson, isochrones, Feature, Network, RoadEdge};
/// let nodes = (0..2).map(|i| Feature::point(format!("n{i}"), i as f64 * 0.1, 0.0)).collect();
/// let net = Network::new("roads", nodes, vec![RoadEdge { from: 0, to: 1, length_km: 11.1, kmh: 66.6, oneway: false }], 30.0);
/// let c = isochrones(&net, geo::Point::new(0.0, 0.0), &[5.0, 15.0], 500.0).unwrap();
/// let doc = catchments_geojson(&c, "roads", "0,0");
/// assert_eq!(doc["features"][1]["properties"]["minutes"], 15.0);
/// assert_eq!(doc["features"][1]["geometry"]["type"], "MultiPolygon");
/// ```
pub fn catchments_geojson(
    catchments: &[Isochrone],
    network: &str,
    origin: &str,
) -> serde_json::Value {
    let features: Vec<serde_json::Value> = catchments
        .iter()
        .map(|c| {
            serde_json::json!({
                "type": "Feature",
                "properties": {
                    "minutes": c.minutes,
                    "nodes_reached": c.nodes,
                    "tolerance_m": c.tolerance_m,
                    "network": network,
                    "origin": origin,
                },
                "geometry": crate::output::geometry_json(&geo::Geometry::MultiPolygon(c.polygon.clone())),
            })
        })
        .collect();
    serde_json::json!({"type": "FeatureCollection", "features": features})
}

/// Points from `a` towards `b`, `share` of the way, at most half a cell apart (both
/// ends included).
fn samples(a: Point<f64>, b: Point<f64>, share: f64, cell_m: f64) -> Vec<Point<f64>> {
    let end = Point::new(
        a.x() + (b.x() - a.x()) * share,
        a.y() + (b.y() - a.y()) * share,
    );
    let metres = crate::index::fast_distance_m(a, end);
    let steps = ((metres / (cell_m / 2.0)).ceil() as usize).clamp(1, 100_000);
    (0..=steps)
        .map(|k| {
            let f = k as f64 / steps as f64;
            Point::new(a.x() + (end.x() - a.x()) * f, a.y() + (end.y() - a.y()) * f)
        })
        .collect()
}
