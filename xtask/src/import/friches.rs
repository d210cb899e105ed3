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
    "site_area_ha",
    "parcel_area_ha",
    "extraction",
    "landfill",
    "records",
    "source_ids",
    "zoning",
    "ze2020",
    "ze2020_nom",
    "ze_unemployment_rate",
    "tdi",
    "seveso_km",
    "cle_en_main",
    "rail_distance_m",
    "activite",
    "geometry_source",
    "wkt",
];

/// Records of one unité foncière whose points lie this close are one site, metres.
const MERGE_M: f64 = 5.0;

/// The distance between two nearby points, metres (an equirectangular approximation:
/// within a millimetre at the few metres it decides).
fn flat_distance_m(x0: f64, y0: f64, x1: f64, y1: f64) -> f64 {
    let k = std::f64::consts::PI / 180.0 * 6_371_008.8;
    let dx = (x1 - x0) * k * ((y0 + y1) / 2.0).to_radians().cos();
    let dy = (y1 - y0) * k;
    dx.hypot(dy)
}

/// Columns of HEADER that the code writes by position.
const GEOMETRY_SOURCE: usize = 29;
const WKT: usize = 30;

/// True for a spoil heap, quarry, sand or gravel pit or mine: land that is not
/// industrial land, whatever its size.
fn is_extraction(site_type: &str, name: &str, activity: &str) -> bool {
    let (t, n, a) = (
        sitematch::fold(site_type),
        sitematch::fold(name),
        sitematch::fold(activity),
    );
    t.contains("carriere ou mine")
        || n.starts_with("terril")
        || n.contains("carriere")
        || n.contains("sabliere")
        || n.contains("graviere")
        || n.contains("crassier")
        || a.starts_with("terrils")
        || a.starts_with("extraction de pierres")
        || a.starts_with("exploitation de gravieres")
        || a.contains("carriere")
}

/// True for a landfill (décharge, dépôt d'ordures or d'immondices, centre
/// d'enfouissement, ISDND/ISDI): made ground that settles and vents gas, not land to
/// build a plant on. A déchetterie (a collection yard, a building) is not one.
fn is_landfill(name: &str, activity: &str) -> bool {
    let (n, a) = (sitematch::fold(name), sitematch::fold(activity));
    let words: Vec<&str> = n
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    n.contains("decharge")
        || n.contains("depot sauvage")
        || n.contains("depot d'ordures")
        || n.contains("depotoir")
        || n.contains("enfouissement")
        || words
            .iter()
            .any(|w| matches!(*w, "cet" | "isdnd" | "isdi" | "isdd"))
        || n.contains("c.e.t")
        || a.starts_with("decharge")
        || a.starts_with("mise en decharge")
        || a.starts_with("depot d'immondices")
        || a.starts_with("stockages de dechets de marees noires")
}

/// A value that says nothing: empty or "inconnu".
fn unknown(v: &str) -> bool {
    v.is_empty() || v == "inconnu"
}

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

pub(crate) fn import(
    raw: &Path,
    zones: &super::context::ZonesEmploi,
    ready: &super::ready::ReadySites,
    communes: &super::communes::Communes,
) -> Result<(OutTable, LayerReport)> {
    // The commune's name as the commune list writes it ("Saint-Jacques-de-la-Lande",
    // "La Fère"), where Cartofriches has capitals without accents; its own otherwise.
    let commune_name =
        |code: &str, raw: &str| communes.name_of(code, raw).unwrap_or(raw).to_string();
    let t = RawCsv::open(
        &raw.join("cartofriches/cartofriches_friches_2024-03-10.csv.gz"),
        b',',
    )?;
    let c = |n: &str| t.col(n);
    let [id, nom, typ, statut, nature] =
        t.cols(["site_id", "site_nom", "site_type", "site_statut", "nature"])?;
    let [unverified, pol, zone, owner] = t.cols([
        "is_mte_non_expertise",
        "sol_pollution_existe",
        "urba_zone_type",
        "proprio_personne",
    ])?;
    let [insee, cnom, uf, surf, rail, act] = t.cols([
        "comm_insee",
        "comm_nom",
        "unite_fonciere_surface",
        "site_surface",
        "desserte_distance_ferroviaire",
        "activite_libelle",
    ])?;
    let (lon, lat) = (c("longitude")?, c("latitude")?);
    let (polygons, invalid_polygons) = ardennes_polygons(raw)?;
    let frr = super::frr_table(raw)?;
    let frr_of = frr.lookup(super::FRR_COLUMNS.0, super::FRR_COLUMNS.1)?;
    let mut no_frr = 0;

    let context = super::context::SiteContext::load(raw, zones, ready)?;
    let mut table = OutTable::new(HEADER);
    let (mut from_uf, mut from_site, mut no_area, mut unverified_n, mut no_point) = (0, 0, 0, 0, 0);
    // One physical site, several records: the same unité foncière and points within
    // MERGE_M of the group's first (records of two inventories of one site differ in
    // the 7th decimal). Groups are found through cells of 1e-4 degree (about 7 to 11 m),
    // each point looking in its cell and the 8 around it.
    let mut groups: Vec<Vec<&csv::StringRecord>> = Vec::new();
    let mut cells: HashMap<(i64, i64), Vec<usize>> = HashMap::new();
    let cell_of = |x: f64, y: f64| ((x * 1e4).floor() as i64, (y * 1e4).floor() as i64);
    for r in t.rows() {
        let (Some(x), Some(y)) = (num(r, lon), num(r, lat)) else {
            no_point += 1;
            continue;
        };
        let (cx, cy) = cell_of(x, y);
        let same_site = |g: &usize| {
            groups[*g].first().is_some_and(|first| {
                let (Some(fx), Some(fy)) = (num(first, lon), num(first, lat)) else {
                    return false;
                };
                cell(first, uf) == cell(r, uf) && flat_distance_m(x, y, fx, fy) <= MERGE_M
            })
        };
        let found = (-1..=1)
            .flat_map(|dx| (-1..=1).map(move |dy| (cx + dx, cy + dy)))
            .filter_map(|c| cells.get(&c))
            .flat_map(|gs| gs.iter().copied())
            .filter(same_site)
            .min();
        match found {
            Some(g) => groups[g].push(r),
            None => {
                cells.entry((cx, cy)).or_default().push(groups.len());
                groups.push(vec![r]);
            }
        }
    }
    let mut merged_groups = 0;
    let mut extraction_n = 0;
    let mut landfill_n = 0;
    // Sites of the Ardennes by commune, to match polygons spatially.
    let mut ardennes: HashMap<String, Vec<(usize, Point<f64>)>> = HashMap::new();
    for mut records in groups {
        // The verified records first, then by id: the first one leads the site.
        records.sort_by_key(|r| (cell(r, unverified) == "True", cell(r, id).to_string()));
        let Some(&lead) = records.first() else {
            continue;
        };
        merged_groups += usize::from(records.len() > 1);
        // An attribute the lead does not know comes from the first record that does.
        let best = |col: usize| {
            records
                .iter()
                .map(|r| cell(r, col))
                .find(|v| !unknown(v))
                .unwrap_or_else(|| cell(lead, col))
                .to_string()
        };
        let (Some(x), Some(y)) = (num(lead, lon), num(lead, lat)) else {
            continue;
        };
        // The site's own surface where known (a petrol station is not its 4.3 ha
        // cadastral unit), else the unité foncière.
        let site_m2 = records
            .iter()
            .filter_map(|r| num(r, surf))
            .fold(None, |m: Option<f64>, a| Some(m.map_or(a, |m| m.max(a))));
        let parcel_m2 = num(lead, uf);
        let (area, source) = match (site_m2, parcel_m2) {
            (Some(a), _) => {
                from_site += 1;
                (round(a / 1e4, 4), "site")
            }
            (None, Some(a)) => {
                from_uf += 1;
                (round(a / 1e4, 4), "unite_fonciere")
            }
            _ => {
                no_area += 1;
                (String::new(), "")
            }
        };
        let verified = records.iter().any(|r| cell(r, unverified) != "True");
        unverified_n += usize::from(!verified);
        let extraction = records
            .iter()
            .any(|r| is_extraction(cell(r, typ), cell(r, nom), cell(r, act)));
        extraction_n += usize::from(extraction);
        let landfill = records
            .iter()
            .any(|r| is_landfill(cell(r, nom), cell(r, act)));
        landfill_n += usize::from(landfill);
        let code = cell(lead, insee).to_string();
        let frr_class = frr_of.get(code.as_str()).copied().unwrap_or("");
        no_frr += usize::from(frr_class.is_empty());
        if code.starts_with("08") {
            ardennes
                .entry(code.clone())
                .or_default()
                .push((table.rows.len(), Point::new(x, y)));
        }
        let ids: Vec<&str> = records.iter().map(|r| cell(r, id)).collect();
        let around = context.columns(&code, &best(zone), Point::new(x, y));
        let commune_nom = commune_name(&code, cell(lead, cnom));
        let mut row = vec![
            cell(lead, id).to_string(),
            cell(lead, nom).to_string(),
            best(typ),
            cell(lead, statut).to_string(),
            cell(lead, nature).to_string(),
            if verified { "oui" } else { "non" }.to_string(),
            best(pol),
            best(zone),
            best(owner),
            code,
            commune_nom,
            frr_class.to_string(),
            area,
            source.to_string(),
            site_m2.map(|a| round(a / 1e4, 4)).unwrap_or_default(),
            parcel_m2.map(|a| round(a / 1e4, 4)).unwrap_or_default(),
            if extraction { "oui" } else { "non" }.to_string(),
            if landfill { "oui" } else { "non" }.to_string(),
            records.len().to_string(),
            ids.join(";"),
        ];
        row.extend(around);
        row.extend([
            records
                .iter()
                .find_map(|r| num(r, rail))
                .map(|d| round(d, 0))
                .unwrap_or_default(),
            best(act),
            "cartofriches".to_string(),
            format!("POINT ({} {})", deg(x), deg(y)),
        ]);
        table.rows.push(row);
    }
    let records_in_merged = t.rows().len() - no_point - table.rows.len();

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
                    row[GEOMETRY_SOURCE] = format!("cartofriches + ddt08 {ddt_id}");
                    row[WKT] = g.wkt_string();
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
        let centroid = g.centroid();
        let centroid_ok = centroid.is_some();
        let around = context.columns(&code, "", centroid.unwrap_or(Point::new(0.0, 0.0)));
        let commune_nom = commune_name(&code, cell(r, dcnom));
        let mut row = vec![
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
            commune_nom,
            frr_class,
            num(r, duf).map(|a| round(a / 1e4, 4)).unwrap_or_default(),
            if num(r, duf).is_some() {
                "unite_fonciere"
            } else {
                ""
            }
            .to_string(),
            String::new(),
            num(r, duf).map(|a| round(a / 1e4, 4)).unwrap_or_default(),
            if is_extraction(cell(r, dtyp), cell(r, dnom), "") {
                "oui"
            } else {
                "non"
            }
            .to_string(),
            if is_landfill(cell(r, dnom), "") {
                "oui"
            } else {
                "non"
            }
            .to_string(),
            "1".to_string(),
            format!("ddt08_{ddt_id}"),
        ];
        row.extend(around);
        row.extend([
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
        table.rows.push(row);
    }
    let (seveso_read, tdi_read) = context.counts();
    let col = |name: &str| HEADER.iter().position(|h| *h == name).unwrap_or(0);
    let (tdi_col, seveso_col, ready_col) = (col("tdi"), col("seveso_km"), col("cle_en_main"));
    let in_tdi = table.rows.iter().filter(|r| r[tdi_col] == "oui").count();
    let in_ready = table
        .rows
        .iter()
        .filter(|r| !r[ready_col].is_empty())
        .count();
    let near_seveso = table
        .rows
        .iter()
        .filter(|r| r[seveso_col].parse::<f64>().is_ok_and(|d| d <= 1.0))
        .count();
    let report = LayerReport {
        name: "friches",
        file: "friches.csv",
        notes: "\
Role `sites`: the national brownfield inventory Cartofriches (Cerema, data file of
2024-03-10, `cartofriches/cartofriches_friches_2024-03-10.csv.gz`; Licence Ouverte
2.0), every site, with the DDT des Ardennes observatory polygons
(`cnig-friches-ardennes/`, public-administration data; its licence is not stated).

- `commune_nom` is written as the communes layer writes it (\"Saint-Jacques-de-la-Lande\"
  for Cartofriches' \"SAINT-JACQUES-DE-LA-LANDE\") where the two agree up to case,
  accents and punctuation; Cartofriches' own where they do not (a merged commune, or a
  code and a name that disagree).
- `verified` is `non` for the BASIAS/BASOL polluted-site records that nobody has
  checked as friches (`is_mte_non_expertise`, nature \"MTE non vérifié\"): they are kept,
  flagged, so a brief can filter them out with `where = { verified = [\"oui\"] }`.
- One record per physical site: Cartofriches often holds several records for one
  parcel (several past activities, or a BASIAS record beside a checked one, or the
  same site from two inventories), with the same unité foncière at points within 5 m
  of each other. They are merged into one site: the
  verified records lead, then the smallest id; the site keeps the lead's id, name,
  statut and nature, takes each other attribute from the first record that knows it
  (not empty, not \"inconnu\"), is verified if any record is, and lists every record
  in `source_ids` (`records` counts them).
- `area_ha`: the site's own surface (`site_surface`, the largest of its records) where
  known, else the cadastral land unit (`unite_fonciere_surface`): a petrol station is
  not its 4.3 ha land unit. `area_source` says which; `site_area_ha` and
  `parcel_area_ha` keep both.
- `extraction` is `oui` for a spoil heap (terril, crassier), quarry, sand or gravel
  pit or mine (by site type, name or past activity): land that is not industrial land;
  briefs filter with `where = { extraction = [\"non\"] }`.
- `landfill` is `oui` for a landfill (décharge, dépôt d'ordures or d'immondices,
  centre d'enfouissement, ISDND/ISDI, by name or past activity; a déchetterie is not
  one): made ground that settles and vents gas; briefs filter with
  `where = { landfill = [\"non\"] }`.
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
            .to_string()
            + "\n"
            + super::context::NOTES,
        counts: vec![
            ("Cartofriches rows".into(), t.rows().len()),
            ("rows without coordinates, left out".into(), no_point),
            (
                "sites with several records (same unité foncière, points within 5 m)".into(),
                merged_groups,
            ),
            (
                "records merged into another's site".into(),
                records_in_merged,
            ),
            (
                "spoil heaps, quarries, pits and mines (extraction = oui)".into(),
                extraction_n,
            ),
            ("landfills (landfill = oui)".into(), landfill_n),
            (
                "sites with only unverified BASIAS/BASOL records (verified = non)".into(),
                unverified_n,
            ),
            ("area from site_surface".into(), from_site),
            ("area from unite_fonciere_surface".into(), from_uf),
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
            ("Seveso establishments read".into(), seveso_read),
            ("Territoires d'industrie polygons read".into(), tdi_read),
            ("sites in a Territoire d'industrie".into(), in_tdi),
            (
                "sites within 1 km of one of these Seveso establishments".into(),
                near_seveso,
            ),
            (
                "sites in a commune with a site clé en main (cle_en_main)".into(),
                in_ready,
            ),
            ("sites written".into(), table.rows.len()),
        ],
    };
    Ok((table, report))
}

#[cfg(test)]
mod tests {
    use super::is_landfill;

    #[test]
    fn landfills_by_name_or_activity() {
        assert!(is_landfill("Décharge sauvage", ""));
        assert!(is_landfill("CET ARSAC", ""));
        assert!(is_landfill(
            "Mairie",
            "Dépôt d'immondices, dépotoir à vidanges"
        ));
        assert!(!is_landfill("SICTOM, déchetterie", ""));
        assert!(!is_landfill(
            "Mairie",
            "Collecte et stockage des déchets non dangereux dont les ordures ménagères (décharge d'O.M. ; déchetterie)"
        ));
        assert!(!is_landfill("Cettier SA", ""));
    }
}
