//! Network layers from OpenStreetMap extracts (`.osm.pbf`, docs/engine.md, section 5), read with
//! the pure-Rust `osmpbf` crate in two passes: the road ways first (their tags decide
//! whether, how fast and in which direction they are driven), then the coordinates of
//! the nodes they use. The graph's nodes are the ways' end points and the nodes two
//! ways share; an edge is the stretch of a way between two of them, its length the
//! geodesic length of that polyline.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use geo::{Distance, Geodesic, Point};
use osmpbf::{Element, ElementReader};

use super::LayerSpec;
use crate::error::{Error, FeatureProblem, Location, Result, Skipped};
use crate::model::Feature;
use crate::network::{Network, RoadEdge, DEFAULT_ACCESS_KMH, OSM_SPEEDS_KMH};

/// The OpenStreetMap part of the speed table (the `highway` values that are roads).
fn osm_speed(highway: &str, overrides: &BTreeMap<String, f64>) -> Option<f64> {
    if let Some(v) = overrides.get(highway) {
        return Some(*v);
    }
    OSM_SPEEDS_KMH
        .iter()
        .find(|(c, _)| *c == highway)
        .map(|(_, v)| *v)
}

/// A road way as its tags make it: its nodes, speed and direction (+1 along its
/// drawing, -1 against it, 0 both ways).
struct Road {
    id: i64,
    nodes: Vec<i64>,
    kmh: f64,
    direction: i8,
}

fn road(way: &osmpbf::Way<'_>, overrides: &BTreeMap<String, f64>) -> Option<Road> {
    let mut tags: HashMap<&str, &str> = HashMap::new();
    for (k, v) in way.tags() {
        tags.insert(k, v);
    }
    let kmh = osm_speed(tags.get("highway")?, overrides)?;
    let closed = ["access", "motor_vehicle", "motorcar"]
        .iter()
        .any(|k| matches!(tags.get(k), Some(&"no") | Some(&"private")));
    if closed {
        return None;
    }
    let direction = match tags.get("oneway") {
        Some(&"-1") => -1,
        Some(&"yes") | Some(&"true") | Some(&"1") => 1,
        _ if tags.get("junction") == Some(&"roundabout") => 1,
        _ if tags.get("highway") == Some(&"motorway") => 1,
        _ => 0,
    };
    Some(Road {
        id: way.id(),
        nodes: way.refs().collect(),
        kmh,
        direction,
    })
}

/// The reader's error as a message that names the file and says what is wrong.
/// One pass of `osmpbf`'s reader over the file. Its arithmetic overflows on some
/// corrupt files (coordinates and deltas beyond 64 bits: a panic where overflow is
/// checked, garbage where it wraps), so a panic inside the pass is caught and reported
/// as an unreadable file rather than taking the program down.
fn read_pass(file: &Path, f: impl FnMut(Element<'_>)) -> Result<()> {
    let pass = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        ElementReader::from_path(file)
            .map_err(|e| pbf_error(file, e))?
            .for_each(f)
            .map_err(|e| pbf_error(file, e))
    }));
    pass.unwrap_or_else(|panic| {
        let why = panic
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "an internal error".into());
        Err(Error::format(
            file,
            Location::File,
            format!(
                "not a readable OpenStreetMap PBF file (its reader failed: {why}); check \
                 that it is a whole .osm.pbf download, not a damaged copy"
            ),
        ))
    })
}

fn pbf_error(file: &Path, e: osmpbf::Error) -> Error {
    Error::format(
        file,
        Location::File,
        format!(
            "not a readable OpenStreetMap PBF file ({e}); check that it is a whole \
             .osm.pbf download, not truncated or another format"
        ),
    )
}

pub(super) fn load_network(
    catalog: &Path,
    dir: &Path,
    spec: &LayerSpec,
    strict: bool,
) -> Result<Network> {
    let file = super::assemble::existing_file(catalog, dir, spec)?;
    // Pass 1: the road ways.
    let mut roads = Vec::new();
    read_pass(&file, |element| {
        if let Element::Way(way) = element {
            if let Some(r) = road(&way, &spec.speeds) {
                roads.push(r);
            }
        }
    })?;
    roads.sort_by_key(|r| r.id);
    // How many ways use each node, and their end points: the graph's nodes.
    let mut uses: HashMap<i64, u32> = HashMap::new();
    for r in &roads {
        for n in &r.nodes {
            *uses.entry(*n).or_default() += 1;
        }
    }
    let mut keep: HashSet<i64> = uses
        .iter()
        .filter(|(_, u)| **u > 1)
        .map(|(n, _)| *n)
        .collect();
    for r in &roads {
        keep.extend(r.nodes.first());
        keep.extend(r.nodes.last());
    }
    // Pass 2: the coordinates of every node a road uses.
    let mut at: HashMap<i64, Point<f64>> = HashMap::with_capacity(uses.len());
    read_pass(&file, |element| {
        let (id, lon, lat) = match element {
            Element::Node(n) => (n.id(), n.lon(), n.lat()),
            Element::DenseNode(n) => (n.id(), n.lon(), n.lat()),
            _ => return,
        };
        if uses.contains_key(&id) {
            at.insert(id, Point::new(lon, lat));
        }
    })?;

    let mut ids: Vec<i64> = keep
        .iter()
        .copied()
        .filter(|n| at.contains_key(n))
        .collect();
    ids.sort_unstable();
    let index: HashMap<i64, usize> = ids.iter().enumerate().map(|(i, n)| (*n, i)).collect();
    let mut edges = Vec::new();
    let mut skipped = Vec::new();
    for r in &roads {
        // A way whose node is not in the file (an extract's cut edge) is split there.
        let missing = r.nodes.iter().filter(|n| !at.contains_key(n)).count();
        if missing > 0 {
            let problem = FeatureProblem::BadEdge(format!(
                "way {} uses {missing} node(s) that are not in the file; it is cut there",
                r.id
            ));
            if strict {
                return Err(Error::format(&file, Location::File, problem.to_string()));
            }
            skipped.push(Skipped {
                path: file.clone(),
                location: Location::File,
                problem,
            });
        }
        let (mut from, mut length) = (None::<usize>, 0.0);
        let mut prev: Option<Point<f64>> = None;
        for n in &r.nodes {
            let Some(p) = at.get(n).copied() else {
                (from, prev, length) = (None, None, 0.0);
                continue;
            };
            if let Some(q) = prev {
                length += Geodesic.distance(q, p) / 1000.0;
            }
            prev = Some(p);
            if let Some(&i) = index.get(n) {
                if let Some(a) = from {
                    if a != i && length > 0.0 {
                        let (f, t) = if r.direction < 0 { (i, a) } else { (a, i) };
                        edges.push(RoadEdge {
                            from: f,
                            to: t,
                            length_km: length,
                            kmh: r.kmh,
                            oneway: r.direction != 0,
                        });
                    }
                }
                (from, length) = (Some(i), 0.0);
            }
        }
    }
    let nodes: Vec<Feature> = ids
        .iter()
        .filter_map(|n| {
            let p = at.get(n)?;
            Some(Feature::point(n.to_string(), p.x(), p.y()))
        })
        .collect();
    let mut net = Network::new(
        spec.name.clone(),
        nodes,
        edges,
        spec.access_kmh.unwrap_or(DEFAULT_ACCESS_KMH),
    );
    net.path = Some(file);
    net.skipped = skipped;
    Ok(net)
}
