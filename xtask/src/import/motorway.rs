//! `motorway`: the interchanges of motorways and expressways (DGITM toll stations
//! merged with IGN ROUTE 120) and the toll barriers.

use std::collections::BTreeMap;
use std::path::Path;

use geo::{Distance, Geodesic, Point};

use super::communes::Communes;
use super::{cell, deg, num, round, LayerReport, OutTable, RawCsv};
use sitematch::{Crs, Error, Location, Result, Transformer};

/// A DGITM toll interchange and a ROUTE 120 interchange closer than this are one.
const SAME_INTERCHANGE_M: f64 = 1_500.0;

/// One interchange or toll barrier of the motorway layer, before it is written.
struct Junction {
    id: String,
    name: String,
    route: String,
    kind: String,
    /// `autoroute` or `voie rapide`, then `péage` where a toll station is there.
    tags: Vec<&'static str>,
    exit: String,
    /// The ids of the other DGITM toll stations of the same interchange.
    also: Vec<String>,
    toll_points: usize,
    lanes: f64,
    source: &'static str,
    lon: f64,
    lat: f64,
}

/// Joins the DGITM interchange stations of one junction: the same route and closer
/// than [`SAME_INTERCHANGE_M`], transitively (barriers stay as they are). A junction
/// takes the id and name of its station with the most toll points (ties: the smaller
/// id), the mean position of its stations, their toll points and lanes summed.
fn join_stations(stations: Vec<Junction>) -> Vec<Junction> {
    let n = stations.len();
    let mut parent: Vec<usize> = (0..n).collect();
    fn root(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    for i in 0..n {
        for j in i + 1..n {
            let (a, b) = (&stations[i], &stations[j]);
            if a.kind != "Echangeur" || b.kind != "Echangeur" || a.route != b.route {
                continue;
            }
            let d = Geodesic.distance(Point::new(a.lon, a.lat), Point::new(b.lon, b.lat));
            if d <= SAME_INTERCHANGE_M {
                let (ra, rb) = (root(&mut parent, i), root(&mut parent, j));
                parent[ra.max(rb)] = ra.min(rb);
            }
        }
    }
    let mut clusters: BTreeMap<usize, Vec<Junction>> = BTreeMap::new();
    for (i, s) in stations.into_iter().enumerate() {
        let r = root(&mut parent, i);
        clusters.entry(r).or_default().push(s);
    }
    clusters
        .into_values()
        .filter_map(|mut members| {
            // Stations come in id order: the first with the most toll points leads.
            let lead = (0..members.len()).max_by(|&a, &b| {
                members[a]
                    .toll_points
                    .cmp(&members[b].toll_points)
                    .then(b.cmp(&a))
            })?;
            let k = members.len() as f64;
            let (lon, lat) = members
                .iter()
                .fold((0.0, 0.0), |(x, y), m| (x + m.lon / k, y + m.lat / k));
            let toll_points = members.iter().map(|m| m.toll_points).sum();
            let lanes = members.iter().map(|m| m.lanes).sum();
            let also: Vec<String> = members
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != lead)
                .map(|(_, m)| m.id.clone())
                .collect();
            let mut j = members.swap_remove(lead);
            j.lon = lon;
            j.lat = lat;
            j.toll_points = toll_points;
            j.lanes = lanes;
            j.also = also;
            Some(j)
        })
        .collect()
}

/// Motorway and expressway access: the DGITM toll points grouped into one feature per
/// (route, name, type) at the mean of their Lambert-93 coordinates, merged with the
/// IGN ROUTE 120 interchanges (free motorways and expressways included), one feature
/// per real interchange.
pub(crate) fn motorway(raw: &Path, communes: &Communes) -> Result<(OutTable, LayerReport)> {
    let path = raw.join("dgitm-gares-peage/gares_peage_2024.csv");
    let t = RawCsv::open(&path, b';')?;
    let [route, name, typ, typ_lib, x, y, voies] = t.cols([
        "route",
        "nomGare",
        "typeGare",
        "typeGare_lib",
        "x",
        "y",
        "nbVoies",
    ])?;
    let l93 = Transformer::pure(&Crs::Epsg(2154)).map_err(|e| Error::Crs {
        path: path.clone(),
        problem: e,
    })?;
    /// Sum of x, sum of y, toll points, lanes, type label.
    type Group = (f64, f64, usize, f64, String);
    let mut groups: BTreeMap<(String, String, String), Group> = BTreeMap::new();
    let mut no_xy = 0;
    for r in t.rows() {
        let (Some(px), Some(py)) = (num(r, x), num(r, y)) else {
            no_xy += 1;
            continue;
        };
        let key = (
            cell(r, route).to_string(),
            cell(r, name).to_string(),
            cell(r, typ).to_string(),
        );
        let g = groups
            .entry(key)
            .or_insert((0.0, 0.0, 0, 0.0, cell(r, typ_lib).to_string()));
        g.0 += px;
        g.1 += py;
        g.2 += 1;
        g.3 += num(r, voies).unwrap_or(0.0);
    }
    let mut stations = Vec::new();
    for (i, ((route, name, _), (sx, sy, n, lanes, lib))) in groups.iter().enumerate() {
        let (lon, lat) = l93
            .to_wgs84(sx / *n as f64, sy / *n as f64)
            .map_err(|e| Error::format(&path, Location::File, e))?;
        let tags = if lib == "Echangeur" {
            vec!["autoroute", "péage"]
        } else {
            vec!["autoroute"]
        };
        stations.push(Junction {
            id: format!("{:04}", i + 1),
            name: name.clone(),
            route: route.clone(),
            kind: lib.clone(),
            tags,
            exit: String::new(),
            toll_points: *n,
            lanes: *lanes,
            source: "dgitm",
            also: Vec::new(),
            lon,
            lat,
        });
    }
    let dgitm_echangeurs = stations.iter().filter(|j| j.kind == "Echangeur").count();
    // The toll stations of one interchange ("Entrée" and "Sortie", one per side): the
    // same route and closer than SAME_INTERCHANGE_M, transitively.
    let mut junctions = join_stations(stations);
    let clustered = dgitm_echangeurs - junctions.iter().filter(|j| j.kind == "Echangeur").count();

    // ROUTE 120 interchanges, reprojected by the same Lambert-93 code.
    let r120_path = raw.join("ign-route120/route120_echangeurs.csv");
    let r = RawCsv::open(&r120_path, b',')?;
    let [rid, rnum, rx, ry, on_a] =
        r.cols(["id_rte120", "num_echang", "x_l93", "y_l93", "on_autoroute"])?;
    let mut r120 = Vec::new();
    for row in r.rows() {
        let (Some(px), Some(py)) = (num(row, rx), num(row, ry)) else {
            return Err(Error::format(
                &r120_path,
                Location::File,
                "an interchange without x_l93/y_l93",
            ));
        };
        let (lon, lat) = l93
            .to_wgs84(px, py)
            .map_err(|e| Error::format(&r120_path, Location::File, e))?;
        let motorway = cell(row, on_a) == "1";
        r120.push((
            cell(row, rid).to_string(),
            cell(row, rnum).to_string(),
            motorway,
            lon,
            lat,
        ));
    }

    // One-to-one matching, closest pairs first (ties by ids): a toll interchange and a
    // ROUTE 120 interchange within SAME_INTERCHANGE_M are the same junction.
    let mut pairs: Vec<(f64, usize, usize)> = Vec::new();
    for (i, j) in junctions
        .iter()
        .enumerate()
        .filter(|(_, j)| j.kind == "Echangeur")
    {
        for (k, (_, _, _, lon, lat)) in r120.iter().enumerate() {
            // 1.5 km is under 0.014° of latitude, and of longitude in mainland France.
            if (lat - j.lat).abs() > 0.02 || (lon - j.lon).abs() > 0.03 {
                continue;
            }
            let d = Geodesic.distance(Point::new(j.lon, j.lat), Point::new(*lon, *lat));
            if d <= SAME_INTERCHANGE_M {
                pairs.push((d, i, k));
            }
        }
    }
    pairs.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    let (mut used_j, mut used_k) = (vec![false; junctions.len()], vec![false; r120.len()]);
    let mut merged = 0;
    for (_, i, k) in pairs {
        if used_j[i] || used_k[k] {
            continue;
        }
        used_j[i] = true;
        used_k[k] = true;
        merged += 1;
        let (_, exit, _, _, _) = &r120[k];
        if let Some(j) = junctions.get_mut(i) {
            j.source = "dgitm+route120";
            j.exit = exit.clone();
        }
    }
    let (mut free_motorway, mut expressway) = (0, 0);
    for (k, (id, exit, motorway, lon, lat)) in r120.into_iter().enumerate() {
        if used_k[k] {
            continue;
        }
        if motorway {
            free_motorway += 1;
        } else {
            expressway += 1;
        }
        // ROUTE 120 names no interchange: its exit number, if any, and the commune
        // nearest to it say where it is.
        let place = communes.nearest_name(lon, lat).unwrap_or("");
        let name = match exit.as_str() {
            "" => format!("Échangeur, {place}"),
            n => format!("Sortie {n}, {place}"),
        };
        junctions.push(Junction {
            id: format!("r120_{id}"),
            name,
            route: String::new(),
            kind: "Echangeur".to_string(),
            tags: vec![if motorway { "autoroute" } else { "voie rapide" }],
            exit,
            toll_points: 0,
            lanes: 0.0,
            source: "route120",
            also: Vec::new(),
            lon,
            lat,
        });
    }
    let mut table = OutTable::new(&[
        "id",
        "nom",
        "route",
        "type",
        "tags",
        "exit",
        "toll_points",
        "lanes",
        "source",
        "dgitm_also",
        "lon",
        "lat",
    ]);
    for j in &junctions {
        table.rows.push(vec![
            j.id.clone(),
            j.name.clone(),
            j.route.clone(),
            j.kind.clone(),
            j.tags.join(";"),
            j.exit.clone(),
            j.toll_points.to_string(),
            round(j.lanes, 0),
            j.source.to_string(),
            j.also.join(";"),
            deg(j.lon),
            deg(j.lat),
        ]);
    }
    let report = LayerReport {
        name: "motorway",
        file: "motorway.csv",
        notes: "\
Role `facilities`: the interchanges of motorways and expressways, and the toll barriers,
from two sources. (1) DGITM \"Gares de péage du réseau routier national concédé\",
référentiel 2024-01-01 (`dgitm-gares-peage/gares_peage_2024.csv`; Licence Ouverte 2.0):
one row per toll point, several per interchange, grouped by (route, `nomGare`,
`typeGare`) at the mean of their Lambert-93 coordinates; `type` is `Echangeur` or
`Pleine voie` (a barrier across the motorway, where no vehicle enters or leaves).
(2) IGN ROUTE 120 interchanges (`ign-route120/route120_echangeurs.csv`, IGN, Licence
Ouverte 2.0, vintage about 2013-2015), complete and partial, with the classes of the
roads they touch: this source has the free motorways (A1 north of Lille, A16, A25, A21,
A22...) and the expressways. Merge: first, the DGITM toll stations of one interchange
(often one per side, \"Entrée\" and \"Sortie\") are one junction: those on the same
route closer than 1.5 km, transitively, at the mean of their positions, under the id
and name of the station with the most toll points (the others in `dgitm_also`). Then a
DGITM interchange and a ROUTE 120 interchange
closer than 1.5 km (geodesic) are one junction, matched one to one, closest pairs
first; 90% of the DGITM interchanges have a ROUTE 120 interchange within 0.84 km. A
merged junction keeps the DGITM name, route and position and the ROUTE 120 exit number
(`source = dgitm+route120`). `tags`: `autoroute` (on a motorway) or `voie rapide` (a
ROUTE 120 interchange on national or departmental roads only), and `péage` where a toll
station is (toll or free is unknown for the other motorway interchanges). Briefs ask for
`categories = [\"Echangeur\"]` (motorways and expressways) and add `tags =
[\"autoroute\"]` for motorways only. Both sources are reprojected from Lambert-93 by
sitematch's own code. Ids: DGITM groups by their rank in (route, name, type) order,
ROUTE 120 interchanges as `r120_<id_rte120>`, named by their exit number and the
nearest commune point (`Sortie 65, Arques`; `Échangeur, <commune>` without a number:
ROUTE 120 has no names). Junctions opened after about 2015 are
missing unless they have a toll station."
            .to_string(),
        counts: vec![
            ("raw toll points".into(), t.rows().len()),
            ("toll points without coordinates".into(), no_xy),
            (
                "DGITM groups (interchanges and barriers)".into(),
                groups.len(),
            ),
            ("of which Echangeur".into(), dgitm_echangeurs),
            (
                "Echangeur groups joined to another toll station of their interchange".into(),
                clustered,
            ),
            ("ROUTE 120 interchanges".into(), r.rows().len()),
            ("merged (DGITM and ROUTE 120)".into(), merged),
            ("ROUTE 120 only, on a motorway".into(), free_motorway),
            ("ROUTE 120 only, expressway".into(), expressway),
            ("features".into(), table.rows.len()),
        ],
    };
    Ok((table, report))
}
