//! Capacity layers: the sea and river ports by the cargo they handle, and the power
//! plants by their capacity.

use std::collections::BTreeMap;
use std::path::Path;

use super::{cell, deg, num, round, LayerReport, OutTable, RawCsv};
use sitematch::{Error, Location, Result};

const MASTER: &str = "ports-traffic/ports_master_locode.csv";
const TRAFFIC: &str = "ports-traffic/ports_traffic_facts.csv";
const NUCLEAR: &str = "nuclear-plants/nuclear_sites_france.csv";
const JRC: &str = "power-plants-jrc/jrc_ppdb_open_units_france.csv";

/// The port authority whose figures stand for a port that has none of its own
/// (UN/LOCODE of the port -> UN/LOCODE the authority's figures are filed under).
const AUTHORITY: &[(&str, &str)] = &[
    ("FRFOS", "FRMRS"), // Fos, the western basins of Marseille-Fos
    ("FRSNR", "FRNTE"), // Saint-Nazaire, of Nantes-Saint-Nazaire
];

/// The size class of a port by its annual cargo, Mt.
pub(crate) fn port_class(mt: Option<f64>) -> &'static str {
    match mt {
        Some(t) if t >= 40.0 => "major",
        Some(t) if t >= 10.0 => "large",
        Some(t) if t >= 1.0 => "medium",
        Some(_) => "small",
        None => "no figure",
    }
}

/// `ports`: one point per port of the master list (its UN/LOCODE point) with the
/// latest annual cargo a source states for it, else for its authority.
pub(crate) fn ports(raw: &Path) -> Result<(OutTable, LayerReport)> {
    let facts = RawCsv::open(&raw.join(TRAFFIC), b',')?;
    let [fl, fy, fm, fv, fu] = facts.cols(["locode", "year", "metric", "value", "unit"])?;
    // Per LOCODE: (year, Mt) of its latest whole-year cargo figure.
    let mut cargo: BTreeMap<&str, (u32, f64)> = BTreeMap::new();
    let (mut read, mut partial) = (0, 0);
    for r in facts.rows() {
        let metric = cell(r, fm);
        let whole = ["total_cargo", "river_cargo", "total_maritime_cargo"].contains(&metric);
        if !whole || cell(r, fu) != "Mt" || cell(r, fl).is_empty() {
            continue;
        }
        // "2021-H1" is half a year: not comparable.
        let Ok(year) = cell(r, fy).parse::<u32>() else {
            partial += 1;
            continue;
        };
        let Some(mt) = super::serviced::lower_bound(cell(r, fv)) else {
            continue;
        };
        read += 1;
        let e = cargo.entry(cell(r, fl)).or_insert((year, mt));
        if year > e.0 {
            *e = (year, mt);
        }
    }
    let master = RawCsv::open(&raw.join(MASTER), b',')?;
    let [port, locode, typ, lon, lat] =
        master.cols(["port", "locode", "port_type", "longitude", "latitude"])?;
    let mut table = OutTable::new(&[
        "id",
        "nom",
        "category",
        "port_type",
        "cargo_mt",
        "cargo_year",
        "cargo_of",
        "lon",
        "lat",
    ]);
    let mut classes: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, r) in master.rows().iter().enumerate() {
        let (Some(x), Some(y)) = (num(r, lon), num(r, lat)) else {
            return Err(Error::format(
                &master.path,
                Location::Line(i as u64 + 2),
                "a port without a point: the master list locates every port",
            ));
        };
        let code = cell(r, locode);
        let authority = AUTHORITY.iter().find(|(p, _)| *p == code).map(|(_, a)| *a);
        let (figure, of) = match cargo.get(code) {
            Some(f) => (Some(*f), code),
            None => match authority.and_then(|a| Some((cargo.get(a)?, a))) {
                Some((f, a)) => (Some(*f), a),
                None => (None, ""),
            },
        };
        let class = port_class(figure.map(|f| f.1));
        *classes.entry(class).or_insert(0) += 1;
        table.rows.push(vec![
            code.to_string(),
            cell(r, port).to_string(),
            class.to_string(),
            cell(r, typ).to_string(),
            figure.map(|f| round(f.1, 2)).unwrap_or_default(),
            figure.map(|f| f.0.to_string()).unwrap_or_default(),
            of.to_string(),
            deg(x),
            deg(y),
        ]);
    }
    let mut counts = vec![
        ("ports written".to_string(), table.rows.len()),
        ("whole-year cargo figures read".to_string(), read),
        ("half-year figures left out".to_string(), partial),
    ];
    counts.extend(
        classes
            .into_iter()
            .map(|(c, n)| (format!("ports of class \"{c}\""), n)),
    );
    let report = LayerReport {
        name: "ports",
        file: "ports.csv",
        notes: format!(
            "\
Role `facilities`: the 29 sea and river ports of `{MASTER}` at their UN/LOCODE point,
with the cargo they handle: `cargo_mt`, the latest whole-year tonnage a source states
in `{TRAFFIC}` (SDES 2017 ranking of the grands ports maritimes, later port-authority
figures; river ports' river cargo), `cargo_year` its year and `cargo_of` the port it
is filed under: a port with no figure of its own takes its authority's (Fos and
Marseille share Marseille-Fos's, Saint-Nazaire Nantes-Saint-Nazaire's). `category` is the class of that figure: `major` (40 Mt a year or more),
`large` (10 to 40), `medium` (1 to 10), `small`, or `no figure` (the minor ports: no
per-port table for recent years was found). Figures of different years: a ranking of
size, not a statistic. This replaces the World Port Index harbour size for sizing
ports (it rates Fos \"Very Small\" and Brest \"Large\")."
        ),
        counts,
    };
    Ok((table, report))
}

/// The fuel class of a JRC unit type.
fn fuel(jrc_type: &str) -> &'static str {
    match jrc_type {
        "Nuclear" => "nuclear",
        "Hydro Pumped Storage" => "pumped storage",
        t if t.starts_with("Hydro") => "hydro",
        "Fossil Gas" => "gas",
        "Fossil Oil" => "oil",
        "Fossil Hard coal" => "coal",
        _ => "other",
    }
}

/// `power_plants`: the operating nuclear sites (GeoNuclearData) and the other
/// commissioned plants of the JRC open database, one point per plant with its
/// capacity, MW.
pub(crate) fn power_plants(raw: &Path) -> Result<(OutTable, LayerReport)> {
    let mut table = OutTable::new(&[
        "id",
        "nom",
        "category",
        "tags",
        "capacity_mw",
        "commune",
        "source",
        "lon",
        "lat",
    ]);
    let tags = |mw: f64| {
        if mw >= 1000.0 {
            "1000MW+".to_string()
        } else {
            String::new()
        }
    };
    let n = RawCsv::open(&raw.join(NUCLEAR), b',')?;
    let [site, mw, status, lon, lat, insee] = n.cols([
        "site",
        "operational_net_mw",
        "site_status",
        "longitude",
        "latitude",
        "insee_com",
    ])?;
    let (mut nuclear, mut shut) = (0, 0);
    for r in n.rows() {
        let (Some(x), Some(y), Some(m)) = (num(r, lon), num(r, lat), num(r, mw)) else {
            continue;
        };
        if cell(r, status) != "operating" || m <= 0.0 {
            shut += 1;
            continue;
        }
        nuclear += 1;
        table.rows.push(vec![
            format!("nuc_{}", cell(r, insee)),
            cell(r, site).to_string(),
            "nuclear".to_string(),
            tags(m),
            round(m, 0),
            cell(r, insee).to_string(),
            "geonucleardata".to_string(),
            deg(x),
            deg(y),
        ]);
    }
    let j = RawCsv::open(&raw.join(JRC), b',')?;
    let [plant, name, cap, typ, st, ulat, ulon, uinsee] = j.cols([
        "eic_g",
        "name_g",
        "capacity_p",
        "type_g",
        "status_g",
        "lat",
        "lon",
        "insee_com",
    ])?;
    // Per plant (eic_g): name, fuel, MW of its commissioned units, point, commune.
    let mut plants: BTreeMap<&str, (&str, &str, f64, f64, f64, &str)> = BTreeMap::new();
    let (mut decommissioned, mut nuclear_units) = (0, 0);
    for r in j.rows() {
        if cell(r, typ) == "Nuclear" {
            nuclear_units += 1;
            continue;
        }
        if cell(r, st) != "COMMISSIONED" {
            decommissioned += 1;
            continue;
        }
        let (Some(x), Some(y)) = (num(r, ulon), num(r, ulat)) else {
            continue;
        };
        let e = plants.entry(cell(r, plant)).or_insert((
            cell(r, name),
            fuel(cell(r, typ)),
            0.0,
            x,
            y,
            cell(r, uinsee),
        ));
        e.2 += num(r, cap).unwrap_or(0.0);
    }
    for (id, (nom, f, mw, x, y, insee)) in &plants {
        table.rows.push(vec![
            format!("jrc_{id}"),
            nom.to_string(),
            f.to_string(),
            tags(*mw),
            round(*mw, 0),
            insee.to_string(),
            "jrc-ppdb-open".to_string(),
            deg(*x),
            deg(*y),
        ]);
    }
    let report = LayerReport {
        name: "power_plants",
        file: "power_plants.csv",
        notes: format!(
            "\
Role `facilities`: where the power is produced, for plants that draw tens or hundreds
of MW. The operating nuclear sites of `{NUCLEAR}` (GeoNuclearData, ODbL 1.0; net MW of
the operating reactors, 2024-03) and the commissioned non-nuclear plants of `{JRC}`
(JRC Open Power Plants Database v1.00, 2019, CC BY 4.0; units summed per plant:
hydro, pumped storage, gas, oil, coal, other). `category` is the fuel, `capacity_mw`
the plant's MW, tag `1000MW+` for plants of 1 GW or more. Closures after 2019 (coal)
are not reflected."
        ),
        counts: vec![
            ("operating nuclear sites".to_string(), nuclear),
            ("nuclear sites shut down, left out".to_string(), shut),
            (
                "JRC nuclear units, left out (the sites above)".to_string(),
                nuclear_units,
            ),
            (
                "JRC units decommissioned, left out".to_string(),
                decommissioned,
            ),
            ("non-nuclear plants written".to_string(), plants.len()),
        ],
    };
    Ok((table, report))
}
