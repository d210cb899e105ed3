//! The electricity grid: RTE substations with their highest voltage, and the 225 and
//! 400 kV lines.

use std::collections::HashMap;
use std::path::Path;

use super::{cell, deg, num, LayerReport, OutTable, RawCsv};
use serde_json::{json, Value};
use sitematch::{Error, Location, Result};

/// RTE transmission sites (ODRE 2024): substations and tap points, with the highest
/// voltage on the site as a number.
pub(crate) fn substations(raw: &Path) -> Result<(OutTable, LayerReport)> {
    let t = RawCsv::open_latin1(&raw.join("rte/postes-electriques-rte.csv"), b';')?;
    let [code, name, function, state, voltage, lon, lat] = t.cols([
        "Code poste",
        "Nom poste",
        "FONCTION",
        "Etat",
        "Tension (kV)",
        "Longitude poste (DD)",
        "Latitude poste (DD)",
    ])?;
    let mut table = OutTable::new(&[
        "id",
        "nom",
        "type",
        "state",
        "voltage_kv",
        "voltage",
        "tags",
        "lon",
        "lat",
    ]);
    let mut seen: HashMap<String, usize> = HashMap::new();
    let (mut repeated, mut no_xy, mut high) = (0, 0, 0);
    for r in t.rows() {
        let (Some(x), Some(y)) = (num(r, lon), num(r, lat)) else {
            no_xy += 1;
            continue;
        };
        // A code used twice (two places of one site): the second gets "_2".
        let n = seen.entry(cell(r, code).to_string()).or_insert(0);
        *n += 1;
        let id = if *n == 1 {
            cell(r, code).to_string()
        } else {
            repeated += 1;
            format!("{}_{n}", cell(r, code))
        };
        let text = cell(r, voltage);
        // "225kV" -> 225; "<45kV", "HORS TENSION", "COURANT CONTINU" have no number.
        let kv = text.strip_suffix("kV").and_then(|v| v.parse::<u32>().ok());
        high += usize::from(kv.is_some_and(|k| k >= 225));
        let mut tags = vec![text.to_string()];
        if cell(r, function) == "Point de piquage" {
            tags.push("piquage".to_string());
        }
        table.rows.push(vec![
            id,
            cell(r, name).to_string(),
            cell(r, function).to_string(),
            cell(r, state).to_string(),
            kv.map(|k| k.to_string()).unwrap_or_default(),
            text.to_string(),
            tags.join(";"),
            deg(x),
            deg(y),
        ]);
    }
    let report = LayerReport {
        name: "substations",
        file: "substations.csv",
        notes: "\
Role `facilities`: the transmission sites of RTE, metropolitan France and Corsica, ODRE
/ RTE open data 2024 (`rte/postes-electriques-rte.csv`, Latin-1; Licence Ouverte 2.0).
`type` is the raw `FONCTION`: `Poste de transformation` (a substation) or `Point de
piquage` (a tap point on a line, not a substation; also tagged `piquage`). `state`:
`EN EXPLOITATION` or `ACCORD ADMINISTRATIF` (approved, not built). `voltage_kv` is the
highest voltage on the site as a number (400, 225, 150, 90, 63, 45), empty for `<45kV`,
`HORS TENSION` and `COURANT CONTINU`; `voltage` and the tags keep the raw text
(`400kV`, `225kV`...). A large plant (100-300 MW) needs a 225 or 400 kV connection:
briefs ask `categories = [\"Poste de transformation\"]`, `tags = [\"225kV\",
\"400kV\"]`. Three codes are used for two places each (CHIN2, TUILI, 1SSF5): the
second place gets `_2`. No hosting capacity (S3REnR) is available."
            .to_string(),
        counts: vec![
            ("raw sites".into(), t.rows().len()),
            ("without coordinates".into(), no_xy),
            ("codes used twice (second place as _2)".into(), repeated),
            ("sites at 225 kV or more".into(), high),
            ("features".into(), table.rows.len()),
        ],
    };
    Ok((table, report))
}

/// The 225 and 400 kV line circuits of RTE's 2016 map, as lines.
pub(crate) fn power_lines(raw: &Path, out: &Path) -> Result<LayerReport> {
    let path = raw.join("rte/rte_lignes_topologie_2016_wgs84.geojson");
    let text = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
    let v: Value = serde_json::from_str(&text)
        .map_err(|e| Error::format(&path, Location::Line(e.line() as u64), e.to_string()))?;
    let (mut kv225, mut kv400, mut underground) = (0, 0, 0);
    let mut features: Vec<Value> = Vec::new();
    for f in v["features"].as_array().cloned().unwrap_or_default() {
        let p = &f["properties"];
        let kv = match p["u_max"].as_str() {
            Some("6") => 225,
            Some("7") => 400,
            other => {
                return Err(Error::format(
                    &path,
                    Location::File,
                    format!("u_max {other:?}: expected \"6\" (225 kV) or \"7\" (400 kV)"),
                ))
            }
        };
        kv225 += usize::from(kv == 225);
        kv400 += usize::from(kv == 400);
        let config = match p["config"].as_str() {
            Some("A") => "aérien",
            Some("S") => {
                underground += 1;
                "souterrain"
            }
            Some("R") => "mixte",
            _ => "",
        };
        features.push(json!({
            "type": "Feature",
            "properties": {
                "id": p["idr_lit"],
                "nom": p["adr_lit"],
                "voltage": format!("{kv}kV"),
                "voltage_kv": kv,
                "config": config,
                "length_m": p["long_m"].as_str().and_then(|l| l.parse::<u64>().ok()),
                "from": p["code_start"],
                "to": p["code_end"],
            },
            "geometry": super::zones::round_coords(&f["geometry"]),
        }));
    }
    let n = super::zones::write_collection(&mut features, &out.join("power_lines.geojson"))?;
    Ok(LayerReport {
        name: "power_lines",
        file: "power_lines.geojson",
        notes: "\
Role `facilities`, `measure = \"geometry\"`: a distance criterion measures to the nearest
point of a line, not to its centroid (docs/engine.md, section 2). The 225 kV and 400 kV line
circuits of RTE's public map of July 2016 with their real polylines
(`rte/rte_lignes_topologie_2016_wgs84.geojson`, as kept in martinv13/grid-fr; the
source's licence is not stated). `voltage` (category) is `225kV` or `400kV` (`u_max` 6
or 7); `config` is `aérien` (overhead), `souterrain` (underground) or `mixte`;
`from`/`to` are substation codes (91% match the `substations` layer). Lines built after
2016 are missing; no 63/90 kV lines. Coordinates rounded to 6 decimals. A line is not
a connection point: a plant connects at a substation, or by a tap on the line
(`piquage`) that RTE must study."
            .to_string(),
        counts: vec![
            ("line circuits".into(), n),
            ("225 kV".into(), kv225),
            ("400 kV".into(), kv400),
            ("underground".into(), underground),
        ],
    })
}
