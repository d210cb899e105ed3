//! `ready_sites`: the "sites industriels clés en main France 2030" known so far (12 of
//! the 55 announced in April 2024), located at their commune only.

use std::collections::BTreeMap;
use std::path::Path;

use super::{cell, deg, num, LayerReport, OutTable, RawCsv};
use sitematch::{Error, Location, Result};

const FILE: &str = "sites-cles-en-main/sites_cles_en_main_france2030_partial_HdF_Normandie.csv";

/// One ready site as the raw list gives it.
struct ReadySite {
    region: String,
    commune: String,
    commune_nom: String,
    name: String,
    precision: String,
    lon: f64,
    lat: f64,
}

/// The list, read once, for the layer and for the friches' `cle_en_main` column.
pub(crate) struct ReadySites {
    sites: Vec<ReadySite>,
}

impl ReadySites {
    pub(crate) fn load(raw: &Path) -> Result<ReadySites> {
        let path = raw.join(FILE);
        let t = RawCsv::open(&path, b',')?;
        let [region, site, commune, codgeo, lon, lat, precision] = t.cols([
            "region",
            "site",
            "commune",
            "codgeo",
            "lon",
            "lat",
            "geoloc_precision",
        ])?;
        let mut sites = Vec::new();
        for (i, r) in t.rows().iter().enumerate() {
            let (Some(x), Some(y)) = (num(r, lon), num(r, lat)) else {
                return Err(Error::format(
                    &path,
                    Location::Line(i as u64 + 2),
                    "a ready site without lon/lat; the list locates every site at its commune",
                ));
            };
            sites.push(ReadySite {
                region: cell(r, region).to_string(),
                commune: cell(r, codgeo).to_string(),
                commune_nom: cell(r, commune).to_string(),
                name: cell(r, site).to_string(),
                precision: cell(r, precision).to_string(),
                lon: x,
                lat: y,
            });
        }
        Ok(ReadySites { sites })
    }

    /// The names of the ready sites of a commune, `;`-separated ("" when none).
    pub(crate) fn in_commune(&self, code: &str) -> String {
        let names: Vec<&str> = self
            .sites
            .iter()
            .filter(|s| s.commune == code)
            .map(|s| s.name.as_str())
            .collect();
        names.join(";")
    }

    /// The layer: one point per site, at its commune.
    pub(crate) fn table(&self) -> (OutTable, LayerReport) {
        let mut table = OutTable::new(&[
            "id",
            "nom",
            "commune",
            "commune_nom",
            "region",
            "located",
            "lon",
            "lat",
        ]);
        // Ids: the commune code and the site's rank in its commune, in list order.
        let mut per_commune: BTreeMap<&str, usize> = BTreeMap::new();
        for s in &self.sites {
            let n = per_commune.entry(s.commune.as_str()).or_insert(0);
            *n += 1;
            table.rows.push(vec![
                format!("scem_{}_{n}", s.commune),
                s.name.clone(),
                s.commune.clone(),
                s.commune_nom.clone(),
                s.region.clone(),
                if s.precision == "commune_representative_point" {
                    "commune".to_string()
                } else {
                    s.precision.clone()
                },
                deg(s.lon),
                deg(s.lat),
            ]);
        }
        let communes = per_commune.len();
        let report = LayerReport {
            name: "ready_sites",
            file: "ready_sites.csv",
            notes: format!(
                "\
Role `facilities`: the \"sites industriels clés en main France 2030\" (sites whose
permits and studies are done ahead of a plant) known to this data set: 12 of the 55
announced in April 2024, the 5 of Hauts-de-France and the 7 of Normandie, typed from
the prefectures' and a newspaper's pages (`{FILE}`). Each is located at its commune
only (`located = commune`: a point inside the commune, not the site), with no area.
The friches of these communes carry the site's name in `cle_en_main`: a hint to
check, not a match of the parcel. The other 43 sites are not in the data."
            ),
            counts: vec![
                ("ready sites".into(), table.rows.len()),
                ("communes with one".into(), communes),
            ],
        };
        (table, report)
    }
}
