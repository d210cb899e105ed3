//! `roads` (network): the IGN ROUTE 120 national road graph as edge and node lists
//! (`edge-csv`), for drive times.

use std::collections::BTreeMap;
use std::path::Path;

use geo::{Distance, Geodesic, Point};

use super::{cell, deg, num, round, LayerReport, OutTable, RawCsv};
use sitematch::{Error, Location, Result};

const FILE: &str = "ign-route120/route120_simplified_segments.csv";

/// The nodes table and the edges table, with the report.
pub(crate) fn roads(raw: &Path) -> Result<(OutTable, OutTable, LayerReport)> {
    let path = raw.join(FILE);
    let t = RawCsv::open(&path, b',')?;
    let [id, class, km, n1, n2, lon1, lat1, lon2, lat2] = t.cols([
        "id_route",
        "class_adm",
        "distance_km",
        "id_noeud1",
        "id_noeud2",
        "lon1",
        "lat1",
        "lon2",
        "lat2",
    ])?;
    let mut nodes: BTreeMap<u64, (f64, f64)> = BTreeMap::new();
    let mut edges = OutTable::new(&["id", "from", "to", "class", "length_km"]);
    let (mut loops, mut lengthened, mut zero) = (0, 0, 0);
    let mut classes: BTreeMap<String, usize> = BTreeMap::new();
    for (i, r) in t.rows().iter().enumerate() {
        let line = i as u64 + 2;
        let bad = |why: &str| Error::format(&path, Location::Line(line), why.to_string());
        let node = |c: usize| {
            cell(r, c)
                .parse::<u64>()
                .map_err(|_| bad("a node id that is not a number"))
        };
        let (a, b) = (node(n1)?, node(n2)?);
        let (Some(x1), Some(y1), Some(x2), Some(y2)) =
            (num(r, lon1), num(r, lat1), num(r, lon2), num(r, lat2))
        else {
            return Err(bad("an edge without the lon/lat of its nodes"));
        };
        for (n, p) in [(a, (x1, y1)), (b, (x2, y2))] {
            if let Some(q) = nodes.insert(n, p) {
                if q != p {
                    return Err(bad("a node given two different locations"));
                }
            }
        }
        if a == b {
            loops += 1;
            continue;
        }
        // ROUTE 120 gives lengths to 0.1 km: an edge shorter than the straight line
        // between its nodes gets that line, so that no road is faster than its speed.
        let chord = Geodesic.distance(Point::new(x1, y1), Point::new(x2, y2)) / 1000.0;
        let given = num(r, km).unwrap_or(0.0);
        if given <= 0.0 {
            zero += 1;
        } else if given < chord {
            lengthened += 1;
        }
        let length = given.max(chord);
        let c = cell(r, class).to_string();
        *classes.entry(c.clone()).or_default() += 1;
        edges.rows.push(vec![
            format!("r120_{:05}", cell(r, id).parse::<u64>().unwrap_or(0)),
            a.to_string(),
            b.to_string(),
            c,
            round(length, 3),
        ]);
    }
    let mut table = OutTable::new(&["node_id", "lon", "lat"]);
    for (n, (x, y)) in &nodes {
        table.rows.push(vec![n.to_string(), deg(*x), deg(*y)]);
    }
    let mut counts = vec![
        ("edges".to_string(), edges.rows.len()),
        ("nodes".to_string(), table.rows.len()),
        (
            "loops (an edge from a node to itself), left out".to_string(),
            loops,
        ),
        (
            "edges of 0 km given their straight-line length".to_string(),
            zero,
        ),
        (
            "edges shorter than the straight line (0.1 km rounding) given its length".to_string(),
            lengthened,
        ),
    ];
    for (c, n) in &classes {
        counts.push((format!("edges of class {c}"), *n));
    }
    let report = LayerReport {
        name: "roads",
        file: "road_edges.csv",
        notes: format!(
            "\
Role `network` (`edge-csv`, with `road_nodes.csv`): IGN ROUTE 120, the national road
product at 1:1,000,000 (main roads only, vintage about 2013-2015; IGN data under
Licence Ouverte 2.0), as the PS8-ItineraireOptimal/Simplification_Server repository
simplified it (`{FILE}`, the cleaned form: class and true length per edge). Edges are
two-way, timed by class (Autoroute 110 km/h, Nationale 80, Departementale 70, Sans
objet 50: docs/engine.md, section 5); points join the graph at their nearest node at 30 km/h.
Nodes are the edges' end points in WGS84. Lengths are given to 0.1 km; an edge shorter
than the straight line between its nodes is given that line. ROUTE 120 holds main roads
only: a site far from one reaches it by its access leg, so drive times are coarse below
about 10 minutes; a regional OpenStreetMap extract gives street-level times (README)."
        ),
        counts,
    };
    Ok((table, edges, report))
}
