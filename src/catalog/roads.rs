//! Network layers given as edge and node lists (`edge-csv`, docs/engine.md, section 5): the
//! nodes read as any CSV point layer, the edges joined to them by id, timed by class.

use std::collections::HashMap;
use std::path::Path;

use super::{assemble, LayerSpec};
use crate::error::{Error, FeatureProblem, Location, Result, Skipped};
use crate::network::{speed_of, Network, RoadEdge, DEFAULT_ACCESS_KMH};

pub(super) fn load_network(
    catalog: &Path,
    dir: &Path,
    spec: &LayerSpec,
    strict: bool,
) -> Result<Network> {
    let (Some(nodes_path), Some(from), Some(to), Some(length)) =
        (&spec.nodes, &spec.from, &spec.to, &spec.length_km)
    else {
        // parse_catalog has already reported the missing keys.
        return Err(Error::catalog(
            catalog,
            format!("layer {:?}", spec.name),
            "a network layer needs nodes, from, to and length_km",
        ));
    };
    let mut node_spec = spec.clone();
    node_spec.path = nodes_path.clone();
    let format = node_spec.format().ok_or_else(|| {
        Error::catalog(
            catalog,
            format!("layer {:?}.nodes", spec.name),
            format!(
                "{} is not a format sitematch reads; use .csv",
                nodes_path.display()
            ),
        )
    })?;
    let nodes = assemble::load_layer(catalog, dir, &node_spec, format, strict)?;
    let index: HashMap<&str, usize> = nodes
        .features
        .iter()
        .enumerate()
        .map(|(i, f)| (f.id.as_str(), i))
        .collect();

    let file = assemble::existing_file(catalog, dir, spec)?;
    let bad = |location: Location, why: String| Error::format(&file, location, why);
    let reader = std::fs::File::open(&file).map_err(|e| Error::io(&file, e))?;
    let mut csv = ::csv::ReaderBuilder::new()
        .delimiter(spec.delimiter.map_or(b',', |d| d.0))
        .flexible(true)
        .from_reader(std::io::BufReader::new(reader));
    let header = csv
        .headers()
        .map_err(|e| bad(Location::Line(1), format!("cannot read the header: {e}")))?
        .clone();
    let col = |key: &str, name: &str| {
        header
            .iter()
            .position(|h| h.trim_start_matches('\u{feff}').trim() == name)
            .ok_or_else(|| {
                let names: Vec<&str> = header.iter().collect();
                Error::MissingField {
                    catalog: catalog.to_path_buf(),
                    key: format!("layer {:?}.{key}", spec.name),
                    file: file.clone(),
                    field: name.to_string(),
                    available: names.iter().map(|s| s.to_string()).collect(),
                }
            })
    };
    let (cf, ct, cl) = (
        col("from", from)?,
        col("to", to)?,
        col("length_km", length)?,
    );
    let cc = spec.class.as_deref().map(|c| col("class", c)).transpose()?;
    let mut edges = Vec::new();
    let mut skipped = Vec::new();
    for (n, record) in csv.records().enumerate() {
        let line = n as u64 + 2;
        let record =
            record.map_err(|e| bad(Location::Line(line), format!("unreadable row: {e}")))?;
        let cell = |i: usize| record.get(i).unwrap_or("").trim();
        let mut problem = None;
        let mut node = |c: usize| {
            let id = cell(c);
            let found = index.get(id).copied();
            if found.is_none() && problem.is_none() {
                problem = Some(format!(
                    "node {:?} is not in {}",
                    crate::text::clip(id, 60),
                    nodes_path.display()
                ));
            }
            found
        };
        let (a, b) = (node(cf), node(ct));
        let km = cell(cl)
            .parse::<f64>()
            .ok()
            .filter(|x| x.is_finite() && *x > 0.0);
        if km.is_none() && problem.is_none() {
            problem = Some(format!(
                "length {:?} is not a positive number of km",
                crate::text::clip(cell(cl), 40)
            ));
        }
        match (a, b, km, problem) {
            (Some(from), Some(to), Some(length_km), None) => {
                let class = cc.map(cell).unwrap_or("");
                edges.push(RoadEdge {
                    from,
                    to,
                    length_km,
                    kmh: speed_of(class, &spec.speeds),
                    oneway: false,
                });
            }
            (_, _, _, problem) => {
                let problem = FeatureProblem::BadEdge(problem.unwrap_or_default());
                if strict {
                    return Err(bad(Location::Line(line), problem.to_string()));
                }
                skipped.push(Skipped {
                    path: file.clone(),
                    location: Location::Line(line),
                    problem,
                });
            }
        }
    }
    let mut net = Network::new(
        spec.name.clone(),
        nodes.features,
        edges,
        spec.access_kmh.unwrap_or(DEFAULT_ACCESS_KMH),
    );
    net.path = Some(file);
    net.skipped = nodes.skipped;
    net.skipped.extend(skipped);
    Ok(net)
}
