//! Logistics layers: `motorway`, `airports`, `seaports`, `rail`.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use geo::{Distance, Geodesic, Point};

use super::{cell, deg, num, round, LayerReport, OutTable, RawCsv};
use sitematch::{Crs, Transformer};
use sitematch::{Error, Location, Result};

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
pub(crate) fn motorway(raw: &Path) -> Result<(OutTable, LayerReport)> {
    let path = raw.join("dgitm-gares-peage/gares_peage_2024.csv");
    let t = RawCsv::open(&path, b';')?;
    let (route, name, typ, typ_lib, x, y, voies) = (
        t.col("route")?,
        t.col("nomGare")?,
        t.col("typeGare")?,
        t.col("typeGare_lib")?,
        t.col("x")?,
        t.col("y")?,
        t.col("nbVoies")?,
    );
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
    let (rid, rnum, rx, ry, on_a) = (
        r.col("id_rte120")?,
        r.col("num_echang")?,
        r.col("x_l93")?,
        r.col("y_l93")?,
        r.col("on_autoroute")?,
    );
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
        junctions.push(Junction {
            id: format!("r120_{id}"),
            name: String::new(),
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
ROUTE 120 interchanges as `r120_<id_rte120>`. Junctions opened after about 2015 are
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

/// Aerodromes, with the IATA code and the longest open runway.
pub(crate) fn airports(raw: &Path) -> Result<(OutTable, LayerReport)> {
    let t = RawCsv::open(&raw.join("airports/airportsdata_france.csv"), b',')?;
    let (icao, iata, name, city, lat, lon) = (
        t.col("icao")?,
        t.col("iata")?,
        t.col("name")?,
        t.col("city")?,
        t.col("lat")?,
        t.col("lon")?,
    );
    let rw = RawCsv::open(&raw.join("airports/ourairports_runways_france.csv"), b',')?;
    let (ident, len, closed) = (
        rw.col("airport_ident")?,
        rw.col("length_ft")?,
        rw.col("closed")?,
    );
    let mut longest: HashMap<&str, f64> = HashMap::new();
    for r in rw.rows() {
        if cell(r, closed) == "1" {
            continue;
        }
        if let Some(ft) = num(r, len) {
            let m = longest.entry(cell(r, ident)).or_insert(0.0);
            *m = m.max(ft * 0.3048);
        }
    }
    let mut table = OutTable::new(&[
        "icao", "iata", "nom", "ville", "category", "runway_m", "lon", "lat",
    ]);
    let (mut with_iata, mut with_runway) = (0, 0);
    for r in t.rows() {
        let (Some(y), Some(x)) = (num(r, lat), num(r, lon)) else {
            continue;
        };
        let code = cell(r, iata);
        with_iata += usize::from(!code.is_empty());
        let runway = longest.get(cell(r, icao)).copied();
        with_runway += usize::from(runway.is_some());
        table.rows.push(vec![
            cell(r, icao).to_string(),
            code.to_string(),
            cell(r, name).to_string(),
            cell(r, city).to_string(),
            if code.is_empty() { "aerodrome" } else { "iata" }.to_string(),
            runway.map(|m| round(m, 0)).unwrap_or_default(),
            deg(x),
            deg(y),
        ]);
    }
    let report = LayerReport {
        name: "airports",
        file: "airports.csv",
        notes: "\
Role `facilities`: French aerodromes (metropole and overseas) from the `airportsdata`
package (2026-09-05, MIT), with the longest runway that is not closed from OurAirports
(public domain), converted from feet to metres. `category` is `iata` when the
aerodrome has an IATA code (a proxy for scheduled traffic; the source has no freight
figures), else `aerodrome`."
            .to_string(),
        counts: vec![
            ("aerodromes".into(), table.rows.len()),
            ("with an IATA code".into(), with_iata),
            ("with a runway length".into(), with_runway),
        ],
    };
    Ok((table, report))
}

/// Seaports of the NGA World Port Index, with their harbour size.
pub(crate) fn seaports(raw: &Path) -> Result<(OutTable, LayerReport)> {
    let t = RawCsv::open(&raw.join("nga-world-port-index/wpi_france.csv"), b',')?;
    let (num_c, name, locode, size, typ, lat, lon, rail) = (
        t.col("World Port Index Number")?,
        t.col("Main Port Name")?,
        t.col("UN/LOCODE")?,
        t.col("Harbor Size")?,
        t.col("Harbor Type")?,
        t.col("Latitude")?,
        t.col("Longitude")?,
        t.col("Railway")?,
    );
    let mut table = OutTable::new(&[
        "id",
        "nom",
        "unlocode",
        "harbour_size",
        "harbour_type",
        "railway",
        "lon",
        "lat",
    ]);
    let mut sizes: BTreeMap<String, usize> = BTreeMap::new();
    for r in t.rows() {
        let (Some(y), Some(x)) = (num(r, lat), num(r, lon)) else {
            continue;
        };
        let s = if cell(r, size).is_empty() {
            "unknown"
        } else {
            cell(r, size)
        };
        *sizes.entry(s.to_string()).or_insert(0) += 1;
        table.rows.push(vec![
            format!("wpi{:06}", num(r, num_c).unwrap_or(0.0) as u64),
            cell(r, name).to_string(),
            cell(r, locode).replace(' ', ""),
            s.to_string(),
            cell(r, typ).to_string(),
            cell(r, rail).to_string(),
            deg(x),
            deg(y),
        ]);
    }
    let mut counts = vec![("ports".into(), table.rows.len())];
    counts.extend(
        sizes
            .into_iter()
            .map(|(k, n)| (format!("harbour size {k}"), n)),
    );
    let report = LayerReport {
        name: "seaports",
        file: "seaports.csv",
        notes: "\
Role `facilities`: French ports of the NGA World Port Index (Pub. 150, public domain;
edition after 2019, exact edition unknown), metropole and overseas. `harbour_size`
(Large, Medium, Small, Very Small) is the category a brief can select; `railway` is
the index's own rail-access field."
            .to_string(),
        counts,
    };
    Ok((table, report))
}

/// Rail freight access: SNCF Réseau freight stations, private sidings and marshalling
/// yards, plus UN/LOCODE multimodal locations as their own category.
pub(crate) fn rail(raw: &Path) -> Result<(OutTable, LayerReport)> {
    let mut table = OutTable::new(&["id", "nom", "category", "detail", "lon", "lat"]);
    let gares = RawCsv::open(&raw.join("sncf-reseau-fret/liste-des-gares.csv"), b';')?;
    let (uic, lib, fret, commune, gx, gy) = (
        gares.col("CODE_UIC")?,
        gares.col("LIBELLE")?,
        gares.col("FRET")?,
        gares.col("COMMUNE")?,
        gares.col("X_WGS84")?,
        gares.col("Y_WGS84")?,
    );
    let mut seen = std::collections::HashSet::new();
    let mut n_gares = 0;
    for r in gares.rows() {
        if cell(r, fret) != "O" || !seen.insert(cell(r, uic).to_string()) {
            continue;
        }
        let (Some(x), Some(y)) = (num(r, gx), num(r, gy)) else {
            continue;
        };
        n_gares += 1;
        table.rows.push(vec![
            format!("gare_{}", cell(r, uic)),
            cell(r, lib).to_string(),
            "gare_fret".into(),
            cell(r, commune).to_string(),
            deg(x),
            deg(y),
        ]);
    }
    let ite = RawCsv::open(
        &raw.join("sncf-reseau-fret/liste-des-installations-terminales-embranchees.csv"),
        b';',
    )?;
    let (gare, gaia, ix, iy) = (
        ite.col("GARE")?,
        ite.col("IDGAIA")?,
        ite.col("X_WGS84")?,
        ite.col("Y_WGS84")?,
    );
    let (mut n_ite, mut ite_no_xy) = (0, 0);
    let mut seen_ite = std::collections::HashSet::new();
    for r in ite.rows() {
        if !seen_ite.insert(cell(r, gaia).to_string()) {
            continue;
        }
        let (Some(x), Some(y)) = (num(r, ix), num(r, iy)) else {
            ite_no_xy += 1;
            continue;
        };
        n_ite += 1;
        table.rows.push(vec![
            format!("ite_{}", cell(r, gaia)),
            format!("ITE {}", cell(r, gare)),
            "ite".into(),
            cell(r, gare).to_string(),
            deg(x),
            deg(y),
        ]);
    }
    let tri = RawCsv::open(&raw.join("sncf-reseau-fret/liste-des-triages.csv"), b';')?;
    let (tid, tlib, tx, ty) = (
        tri.col("IDRESEAU")?,
        tri.col("LIBELLE")?,
        tri.col("X_WGS84")?,
        tri.col("Y_WGS84")?,
    );
    // A yard has one row per line it sits on: one feature per IDRESEAU, at the mean.
    let mut yards: BTreeMap<&str, (f64, f64, usize, &str)> = BTreeMap::new();
    for r in tri.rows() {
        let (Some(x), Some(y)) = (num(r, tx), num(r, ty)) else {
            continue;
        };
        let e = yards
            .entry(cell(r, tid))
            .or_insert((0.0, 0.0, 0, cell(r, tlib)));
        e.0 += x;
        e.1 += y;
        e.2 += 1;
    }
    let n_tri = yards.len();
    for (id, (sx, sy, n, name)) in &yards {
        table.rows.push(vec![
            format!("triage_{id}"),
            name.to_string(),
            "triage".into(),
            format!("{n} points on lines, averaged"),
            deg(sx / *n as f64),
            deg(sy / *n as f64),
        ]);
    }
    let un = RawCsv::open(&raw.join("unlocode-fr/unlocode_france_2022.csv"), b',')?;
    let (code, uname, multi, status, ulat, ulon, country) = (
        un.col("locode")?,
        un.col("name")?,
        un.col("is_multimodal")?,
        un.col("status")?,
        un.col("latitude")?,
        un.col("longitude")?,
        un.col("country")?,
    );
    let (mut n_un, mut un_outside) = (0, 0);
    for r in un.rows() {
        if cell(r, multi) != "1" {
            continue;
        }
        let (Some(y), Some(x)) = (num(r, ulat), num(r, ulon)) else {
            continue;
        };
        // Metropolitan entries must lie in metropolitan France's envelope: the code
        // list has typos (Lachassagne at 56.9° N).
        let metropole = (-5.5..=10.0).contains(&x) && (41.0..=51.5).contains(&y);
        if cell(r, country) == "FR" && !metropole {
            un_outside += 1;
            continue;
        }
        n_un += 1;
        table.rows.push(vec![
            format!("unlocode_{}", cell(r, code)),
            cell(r, uname).to_string(),
            "unlocode_multimodal".into(),
            format!("status {}", cell(r, status)),
            deg(x),
            deg(y),
        ]);
    }
    let report = LayerReport {
        name: "rail",
        file: "rail.csv",
        notes: "\
Role `facilities`: rail freight access. SNCF Réseau open data (ODbL; lists of
2024-03-28): `gare_fret`, stations open to freight (`FRET` = O), one per UIC code (the
raw list has a row per line a station sits on); `ite`, private sidings (installations
terminales embranchées), one per `IDGAIA`, named after their station: a siding
connection point, not a statement that the siding is in use; `triage`, marshalling
yards, one per `IDRESEAU` at the mean of the points of the lines it sits on. SNCF points are projected onto the line (at their kilometre point), so they can
sit some way from the real site.

`unlocode_multimodal`: UN/LOCODE (UNECE, edition about 2022) locations whose
*declared* function includes multimodal transport (function position 6). This is a
declaration in a code list, not a verified rail or combined-transport terminal, and
the coordinates are only precise to one minute of arc (about 1.8 km): use it as a
weak signal, in its own category."
            .to_string(),
        counts: vec![
            ("freight stations (one per UIC code)".into(), n_gares),
            ("private sidings with coordinates (one per IDGAIA)".into(), n_ite),
            ("private sidings without coordinates, left out".into(), ite_no_xy),
            ("marshalling yards".into(), n_tri),
            ("marshalling yard rows (one per line a yard sits on)".into(), tri.rows().len()),
            ("UN/LOCODE multimodal locations with coordinates".into(), n_un),
            ("UN/LOCODE FR locations outside metropolitan France, left out".into(), un_outside),
        ],
    };
    Ok((table, report))
}
