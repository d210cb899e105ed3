//! Logistics layers: `airports`, `seaports`, `rail`.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use super::{cell, deg, num, round, LayerReport, OutTable, RawCsv};
use sitematch::Result;

/// Aerodromes, with the IATA code and the longest open runway.
pub(crate) fn airports(raw: &Path) -> Result<(OutTable, LayerReport)> {
    let t = RawCsv::open(&raw.join("airports/airportsdata_france.csv"), b',')?;
    let [icao, iata, name, city, lat, lon] =
        t.cols(["icao", "iata", "name", "city", "lat", "lon"])?;
    let rw = RawCsv::open(&raw.join("airports/ourairports_runways_france.csv"), b',')?;
    let [ident, len, closed] = rw.cols(["airport_ident", "length_ft", "closed"])?;
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
    let [num_c, name, locode, size, typ, lat, lon, rail] = t.cols([
        "World Port Index Number",
        "Main Port Name",
        "UN/LOCODE",
        "Harbor Size",
        "Harbor Type",
        "Latitude",
        "Longitude",
        "Railway",
    ])?;
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
    let [uic, lib, fret, commune, gx, gy] = gares.cols([
        "CODE_UIC", "LIBELLE", "FRET", "COMMUNE", "X_WGS84", "Y_WGS84",
    ])?;
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
    let [gare, gaia, ix, iy] = ite.cols(["GARE", "IDGAIA", "X_WGS84", "Y_WGS84"])?;
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
    let [tid, tlib, tx, ty] = tri.cols(["IDRESEAU", "LIBELLE", "X_WGS84", "Y_WGS84"])?;
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
    let [code, uname, multi, status, ulat, ulon, country] = un.cols([
        "locode",
        "name",
        "is_multimodal",
        "status",
        "latitude",
        "longitude",
        "country",
    ])?;
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
