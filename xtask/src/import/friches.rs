//! `friches` (sites): every Cartofriches site, with the DDT des Ardennes polygons.

use std::collections::HashMap;
use std::path::Path;

use geo::{Centroid, Geometry, Intersects, MapCoords, Point, Validation};
use wkt::ToWkt;

use super::{cell, deg, num, round, LayerReport, OutTable, RawCsv};
use sitematch::{Error, Location, Result};

const HEADER: &[&str] = &[
    "site_id",
    "label",
    "category",
    "statut",
    "nature",
    "verified",
    "pollution",
    "zonage",
    "proprietaire",
    "commune",
    "commune_nom",
    "frr",
    "area_ha",
    "area_source",
    "rail_distance_m",
    "activite",
    "geometry_source",
    "wkt",
];

fn round7(g: &Geometry<f64>) -> Geometry<f64> {
    g.map_coords(|c| geo::Coord {
        x: (c.x * 1e7).round() / 1e7,
        y: (c.y * 1e7).round() / 1e7,
    })
}

/// DDT08 site id and polygon.
type Footprint = (String, Geometry<f64>);

/// The DDT08 polygons by their DDT08 site id, valid ones only, and how many were not.
fn ardennes_polygons(raw: &Path) -> Result<(Vec<Footprint>, usize)> {
    let path = raw.join("cnig-friches-ardennes/ddt08_friches_polygons.geojson");
    let text = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
    let fc: geojson::FeatureCollection = text
        .parse()
        .map_err(|e: geojson::Error| Error::format(&path, Location::File, e.to_string()))?;
    let mut out = Vec::new();
    let mut invalid = 0;
    for f in fc.features {
        let id = f
            .property("site_id")
            .and_then(|v| v.as_str())
            .unwrap_or_default()
            .to_string();
        let Some(g) = f.geometry.and_then(|g| Geometry::<f64>::try_from(g).ok()) else {
            invalid += 1;
            continue;
        };
        if g.is_valid() {
            out.push((id, round7(&g)));
        } else {
            invalid += 1;
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    Ok((out, invalid))
}

pub(crate) fn import(raw: &Path) -> Result<(OutTable, LayerReport)> {
    let t = RawCsv::open(
        &raw.join("cartofriches/cartofriches_friches_2024-03-10.csv.gz"),
        b',',
    )?;
    let c = |n: &str| t.col(n);
    let (id, nom, typ, statut, nature) = (
        c("site_id")?,
        c("site_nom")?,
        c("site_type")?,
        c("site_statut")?,
        c("nature")?,
    );
    let (unverified, pol, zone, owner) = (
        c("is_mte_non_expertise")?,
        c("sol_pollution_existe")?,
        c("urba_zone_type")?,
        c("proprio_personne")?,
    );
    let (insee, cnom, uf, surf, rail, act) = (
        c("comm_insee")?,
        c("comm_nom")?,
        c("unite_fonciere_surface")?,
        c("site_surface")?,
        c("desserte_distance_ferroviaire")?,
        c("activite_libelle")?,
    );
    let (lon, lat) = (c("longitude")?, c("latitude")?);
    let (polygons, invalid_polygons) = ardennes_polygons(raw)?;
    let frr = super::frr_table(raw)?;
    let frr_of = frr.lookup(super::FRR_COLUMNS.0, super::FRR_COLUMNS.1)?;
    let mut no_frr = 0;

    let mut table = OutTable::new(HEADER);
    let (mut from_uf, mut from_site, mut no_area, mut unverified_n, mut no_point) = (0, 0, 0, 0, 0);
    // Sites of the Ardennes by commune, to match polygons spatially.
    let mut ardennes: HashMap<String, Vec<(usize, Point<f64>)>> = HashMap::new();
    for r in t.rows() {
        let (Some(x), Some(y)) = (num(r, lon), num(r, lat)) else {
            no_point += 1;
            continue;
        };
        let (area, source) = match (num(r, uf), num(r, surf)) {
            (Some(a), _) => {
                from_uf += 1;
                (round(a / 1e4, 4), "unite_fonciere")
            }
            (None, Some(a)) => {
                from_site += 1;
                (round(a / 1e4, 4), "site")
            }
            _ => {
                no_area += 1;
                (String::new(), "")
            }
        };
        let is_unverified = cell(r, unverified) == "True";
        unverified_n += usize::from(is_unverified);
        let code = cell(r, insee).to_string();
        let frr_class = frr_of.get(code.as_str()).copied().unwrap_or("");
        no_frr += usize::from(frr_class.is_empty());
        if code.starts_with("08") {
            ardennes
                .entry(code.clone())
                .or_default()
                .push((table.rows.len(), Point::new(x, y)));
        }
        table.rows.push(vec![
            cell(r, id).to_string(),
            cell(r, nom).to_string(),
            cell(r, typ).to_string(),
            cell(r, statut).to_string(),
            cell(r, nature).to_string(),
            if is_unverified { "non" } else { "oui" }.to_string(),
            cell(r, pol).to_string(),
            cell(r, zone).to_string(),
            cell(r, owner).to_string(),
            code,
            cell(r, cnom).to_string(),
            frr_class.to_string(),
            area,
            source.to_string(),
            num(r, rail).map(|d| round(d, 0)).unwrap_or_default(),
            cell(r, act).to_string(),
            "cartofriches".to_string(),
            format!("POINT ({} {})", deg(x), deg(y)),
        ]);
    }

    // A DDT08 polygon replaces the point of each Cartofriches site of its commune
    // that lies inside it; the ids of the two inventories differ, so the match is
    // spatial.
    let ddt = RawCsv::open(&raw.join("cnig-friches-ardennes/ddt08_friches.csv"), b',')?;
    let d = |n: &str| ddt.col(n);
    let (did, dnom, dtyp, dstat, dpol, dinsee, dcnom, duf) = (
        d("site_id")?,
        d("site_nom")?,
        d("site_type")?,
        d("site_statut")?,
        d("sol_pollution_existe")?,
        d("comm_insee")?,
        d("comm_nom")?,
        d("unite_fonciere_surface")?,
    );
    let ddt_rows: HashMap<&str, &csv::StringRecord> =
        ddt.rows().iter().map(|r| (cell(r, did), r)).collect();
    let (mut matched_polygons, mut matched_sites, mut added) = (0, 0, 0);
    for (ddt_id, g) in &polygons {
        let commune = ddt_id.split('_').next().unwrap_or("");
        let inside: Vec<usize> = ardennes
            .get(commune)
            .map(|v| {
                v.iter()
                    .filter(|(_, p)| g.intersects(p))
                    .map(|(i, _)| *i)
                    .collect()
            })
            .unwrap_or_default();
        if !inside.is_empty() {
            matched_polygons += 1;
            for i in inside {
                if let Some(row) = table.rows.get_mut(i) {
                    matched_sites += 1;
                    row[16] = format!("cartofriches + ddt08 {ddt_id}");
                    row[17] = g.wkt_string();
                }
            }
            continue;
        }
        // Not in Cartofriches: the DDT08 site is added with its polygon.
        let Some(r) = ddt_rows.get(ddt_id.as_str()) else {
            continue;
        };
        added += 1;
        let code = cell(r, dinsee).to_string();
        let code = if code.len() == 4 {
            format!("0{code}")
        } else {
            code
        };
        let frr_class = frr_of.get(code.as_str()).copied().unwrap_or("").to_string();
        let centroid_ok = g.centroid().is_some();
        table.rows.push(vec![
            format!("ddt08_{ddt_id}"),
            cell(r, dnom).to_string(),
            cell(r, dtyp).to_string(),
            cell(r, dstat).to_string(),
            "observatoire DDT08".to_string(),
            "oui".to_string(),
            cell(r, dpol).to_string(),
            String::new(),
            String::new(),
            code,
            cell(r, dcnom).to_string(),
            frr_class,
            num(r, duf).map(|a| round(a / 1e4, 4)).unwrap_or_default(),
            if num(r, duf).is_some() {
                "unite_fonciere"
            } else {
                ""
            }
            .to_string(),
            String::new(),
            String::new(),
            if centroid_ok {
                "ddt08"
            } else {
                "ddt08 (empty)"
            }
            .to_string(),
            g.wkt_string(),
        ]);
    }
    let report = LayerReport {
        name: "friches",
        file: "friches.csv",
        notes: "\
Role `sites`: the national brownfield inventory Cartofriches (Cerema, data file of
2024-03-10, `cartofriches/cartofriches_friches_2024-03-10.csv.gz`; Licence Ouverte
2.0), every site, with the DDT des Ardennes observatory polygons
(`cnig-friches-ardennes/`, public-administration data; its licence is not stated).

- `verified` is `non` for the BASIAS/BASOL polluted-site records that nobody has
  checked as friches (`is_mte_non_expertise`, nature \"MTE non vérifié\"): they are kept,
  flagged, so a brief can filter them out with `where = { verified = [\"oui\"] }`.
- `area_ha`: `unite_fonciere_surface` (the cadastral land unit, m²) / 10,000, else
  `site_surface`; `area_source` says which.
- `frr`: the France Ruralités Revitalisation class of the site's commune (ANCT list
  of 10 July 2025; \"Non classée\" outside the zoning), for tax-incentive bonuses.
- `commune`: INSEE code as text, leading zero kept. `zonage`: the PLU zone type
  (U, AU, A, N...). `proprietaire`: owner type. `rail_distance_m`: Cartofriches'
  distance to the rail network.
- Geometry (`wkt`): the Cartofriches point, or a DDT08 polygon. The two inventories
  use different ids, so a DDT08 polygon is matched spatially: it replaces the point of
  every Cartofriches site of the same commune that lies inside it. DDT08 sites with no
  Cartofriches site inside are added with the id `ddt08_<id>`. Polygons that break the
  OGC rules are not used."
            .to_string(),
        counts: vec![
            ("Cartofriches rows".into(), t.rows().len()),
            ("rows without coordinates, left out".into(), no_point),
            (
                "unverified BASIAS/BASOL records (verified = non)".into(),
                unverified_n,
            ),
            ("area from unite_fonciere_surface".into(), from_uf),
            ("area from site_surface".into(), from_site),
            ("no area".into(), no_area),
            (
                "Cartofriches sites whose commune is not in the FRR list".into(),
                no_frr,
            ),
            ("valid DDT08 polygons".into(), polygons.len()),
            ("invalid DDT08 polygons, not used".into(), invalid_polygons),
            (
                "DDT08 polygons matched to Cartofriches sites".into(),
                matched_polygons,
            ),
            (
                "Cartofriches sites given a DDT08 polygon".into(),
                matched_sites,
            ),
            (
                "DDT08 sites added (no Cartofriches site inside)".into(),
                added,
            ),
            ("sites written".into(), table.rows.len()),
        ],
    };
    Ok((table, report))
}
