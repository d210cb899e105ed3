//! The electricity grid: RTE substations with their highest voltage.

use std::collections::HashMap;
use std::path::Path;

use super::{cell, deg, num, LayerReport, OutTable, RawCsv};
use sitematch::Result;

/// RTE transmission sites (ODRE 2024): substations and tap points, with the highest
/// voltage on the site as a number.
pub(crate) fn substations(raw: &Path) -> Result<(OutTable, LayerReport)> {
    let t = RawCsv::open_latin1(&raw.join("rte/postes-electriques-rte.csv"), b';')?;
    let (code, name, function, state, voltage, lon, lat) = (
        t.col("Code poste")?,
        t.col("Nom poste")?,
        t.col("FONCTION")?,
        t.col("Etat")?,
        t.col("Tension (kV)")?,
        t.col("Longitude poste (DD)")?,
        t.col("Latitude poste (DD)")?,
    );
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
