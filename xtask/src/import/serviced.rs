//! The serviced industrial land that is not a friche record: the "sites industriels
//! clés en main", the port authorities' industrial zones and the chemical platforms.
//! Three site layers, each row a candidate with its `kind`, its area and its
//! available area where a source states them.
//!
//! The three raw lists locate their rows at a commune point, so one place can appear
//! in two lists (the PIICTO platform at Fos is a chemical platform and a port zone,
//! Les Roches-Roussillon a chemical platform and a site clé en main). A place is a
//! candidate once: chemical platforms first, then sites clés en main, then port zones;
//! a row at a point already taken is named in the `also` column of the one kept.

use std::collections::BTreeMap;
use std::path::Path;

use super::{cell, deg, num, round, LayerReport, OutTable, RawCsv};
use sitematch::Result;

const SCE: &str = "sites-cles-en-main-all/sites_cles_en_main_all_waves.csv";
const PORTS: &str = "ports-industrial-zones/ports_industrial_land_facts.csv";
const CHEMICAL: &str = "chemical-platforms/chemical_platforms.csv";

/// The columns of the three layers.
const HEADER: &[&str] = &[
    "id",
    "nom",
    "kind",
    "commune",
    "commune_nom",
    "area_ha",
    "available_ha",
    "area_stated",
    "as_of",
    "recycled_land",
    "also",
    "located",
    "source",
    "lon",
    "lat",
];

/// A stated figure (an area in ha, a tonnage in Mt) as a number: its lower bound (`>150` is 150, `30-40` is 30, `~250`
/// is 250); "several hundred" is 200. `None` when nothing numeric is stated.
pub(crate) fn lower_bound(text: &str) -> Option<f64> {
    let t = text.trim().to_lowercase();
    if t.starts_with("several hundred") {
        return Some(200.0);
    }
    let t = t.trim_start_matches(['>', '~', '≥', ' ']);
    let end = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == ','))
        .unwrap_or(t.len());
    sitematch::parse_number(&t[..end])
}

/// The first four-digit year in a date as a source writes it (`c. 2018`, `2024-01`,
/// `2021/22`); 0 for an undated one (`n.d. (JMM n°4924)`: 4924 is no year).
fn year_of(when: &str) -> u32 {
    let b = when.as_bytes();
    (0..b.len().saturating_sub(3))
        .filter(|&i| b[i..i + 4].iter().all(u8::is_ascii_digit))
        .filter_map(|i| when[i..i + 4].parse().ok())
        .find(|y| (1900..2100).contains(y))
        .unwrap_or(0)
}

/// The areas a source states, in its words: `total >150 ha, available 50 ha`.
fn stated(areas: &[(&str, &str)]) -> String {
    areas
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k} {v} ha"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The rank of a row among the rows of its commune so far (1 for the first).
fn nth_in_commune(seen: &mut BTreeMap<String, usize>, commune: &str) -> usize {
    let n = seen.entry(commune.to_string()).or_insert(0);
    *n += 1;
    *n
}

/// One candidate before it is written.
struct Candidate {
    id: String,
    name: String,
    commune: String,
    commune_nom: String,
    area: Option<f64>,
    available: Option<f64>,
    area_stated: String,
    as_of: String,
    recycled: String,
    also: Vec<String>,
    source: String,
    lon: String,
    lat: String,
}

impl Candidate {
    fn row(&self, kind: &str) -> Vec<String> {
        let ha = |x: Option<f64>| x.map(|x| round(x, 2)).unwrap_or_default();
        vec![
            self.id.clone(),
            self.name.clone(),
            kind.to_string(),
            self.commune.clone(),
            self.commune_nom.clone(),
            ha(self.area),
            ha(self.available),
            self.area_stated.clone(),
            self.as_of.clone(),
            self.recycled.clone(),
            self.also.join("; "),
            "commune".to_string(),
            self.source.clone(),
            self.lon.clone(),
            self.lat.clone(),
        ]
    }
}

/// The first URL of a `sources` cell.
fn first_source(s: &str) -> String {
    s.split([' ', ';'])
        .find(|p| p.starts_with("http"))
        .unwrap_or(s)
        .to_string()
}

/// A point as written (7 decimals), the key that makes two rows one place.
fn point(r: &csv::StringRecord, lon: usize, lat: usize) -> Option<(String, String)> {
    Some((deg(num(r, lon)?), deg(num(r, lat)?)))
}

/// A raw row with its point (lon, lat, as written out).
type Located<'t> = (&'t csv::StringRecord, (String, String));

/// The rows with a point, each with it, and the count of the others.
fn located(t: &RawCsv, lon: usize, lat: usize) -> (Vec<Located<'_>>, usize) {
    let rows: Vec<_> = t
        .rows()
        .iter()
        .filter_map(|r| Some((r, point(r, lon, lat)?)))
        .collect();
    let unlocated = t.rows().len() - rows.len();
    (rows, unlocated)
}

fn chemical(raw: &Path) -> Result<(Vec<Candidate>, usize)> {
    let t = RawCsv::open(&raw.join(CHEMICAL), b',')?;
    let [name, insee, commune, total, avail, as_of, sce, source, lon, lat] = t.cols([
        "platform",
        "insee_com",
        "commune",
        "total_area_ha",
        "available_ha",
        "as_of",
        "site_cle_en_main",
        "source",
        "longitude",
        "latitude",
    ])?;
    let (rows, unlocated) = located(&t, lon, lat);
    let (mut out, mut per_commune) = (Vec::new(), BTreeMap::new());
    for (r, (x, y)) in rows {
        // `chem_<commune>`, then `chem_<commune>_2`... for a second platform there.
        let id = match nth_in_commune(&mut per_commune, cell(r, insee)) {
            1 => format!("chem_{}", cell(r, insee)),
            k => format!("chem_{}_{k}", cell(r, insee)),
        };
        let stated = stated(&[("total", cell(r, total)), ("available", cell(r, avail))]);
        let mut also = Vec::new();
        if !cell(r, sce).is_empty() {
            also.push(format!("site clé en main: {}", cell(r, sce)));
        }
        out.push(Candidate {
            id,
            name: cell(r, name).to_string(),
            commune: cell(r, insee).to_string(),
            commune_nom: cell(r, commune).to_string(),
            area: lower_bound(cell(r, total)),
            available: lower_bound(cell(r, avail)),
            area_stated: stated,
            as_of: cell(r, as_of).to_string(),
            recycled: String::new(),
            also,
            source: first_source(cell(r, source)),
            lon: x,
            lat: y,
        });
    }
    Ok((out, unlocated))
}

fn sites_cles_en_main(raw: &Path) -> Result<(Vec<Candidate>, usize)> {
    let t = RawCsv::open(&raw.join(SCE), b',')?;
    let [wave, name, insee, commune, area, total, avail, recycled, ready, sources, lon, lat] = t
        .cols([
            "wave",
            "site_name",
            "insee_com",
            "commune",
            "area_ha",
            "zone_total_ha",
            "zone_available_ha",
            "friche_recyclage",
            "readiness_stated",
            "sources",
            "longitude",
            "latitude",
        ])?;
    let (rows, unlocated) = located(&t, lon, lat);
    let (mut out, mut per_commune) = (Vec::new(), BTreeMap::new());
    for (r, (x, y)) in rows {
        let n = nth_in_commune(&mut per_commune, cell(r, insee));
        // The labelled site's area; else the zone's (its available part when stated).
        let labelled = lower_bound(cell(r, area));
        let zone = lower_bound(cell(r, total));
        let zone_available = lower_bound(cell(r, avail));
        let stated = stated(&[
            ("site", cell(r, area)),
            ("zone", cell(r, total)),
            ("zone available", cell(r, avail)),
        ]);
        out.push(Candidate {
            id: format!("sce_{}_{n}", cell(r, insee)),
            name: cell(r, name).to_string(),
            commune: cell(r, insee).to_string(),
            commune_nom: cell(r, commune).to_string(),
            area: labelled.or(zone),
            // A labelled site is offered whole; a zone, its stated available part.
            available: labelled.or(zone_available),
            area_stated: stated,
            as_of: [cell(r, wave), cell(r, ready)]
                .iter()
                .filter(|v| !v.is_empty())
                .copied()
                .collect::<Vec<_>>()
                .join(", ready "),
            recycled: cell(r, recycled).to_string(),
            also: Vec::new(),
            source: first_source(cell(r, sources)),
            lon: x,
            lat: y,
        });
    }
    Ok((out, unlocated))
}

/// The port zones: one candidate per (port, zone) with its largest stated area and
/// its most recent stated available area (land put on offer or reserved for
/// industry); rows that state land sold in a year are not a stock and are left out.
fn port_zones(raw: &Path) -> Result<(Vec<Candidate>, usize, usize)> {
    let t = RawCsv::open(&raw.join(PORTS), b',')?;
    let [port, zone, insee, commune, metric, value, as_of, source, lon, lat] = t.cols([
        "port",
        "zone",
        "insee_com",
        "commune",
        "metric",
        "value_ha",
        "as_of",
        "source",
        "longitude",
        "latitude",
    ])?;
    let (mut unlocated, mut flows) = (0, 0);
    let mut zones: BTreeMap<(String, String), Candidate> = BTreeMap::new();
    // Per zone: the as_of of its available area, to keep the most recent.
    let mut available_as_of: BTreeMap<(String, String), String> = BTreeMap::new();
    for r in t.rows() {
        let m = cell(r, metric);
        if m.contains("in_year") {
            flows += 1;
            continue;
        }
        let Some((x, y)) = point(r, lon, lat) else {
            unlocated += 1;
            continue;
        };
        let key = (cell(r, port).to_string(), cell(r, zone).to_string());
        let n = zones.len();
        let z = zones.entry(key.clone()).or_insert_with(|| Candidate {
            id: format!("port_{}_{}", cell(r, insee), n + 1),
            name: format!("{}: {}", cell(r, port), cell(r, zone)),
            commune: cell(r, insee).to_string(),
            commune_nom: cell(r, commune).to_string(),
            area: None,
            available: None,
            area_stated: String::new(),
            as_of: String::new(),
            recycled: String::new(),
            also: Vec::new(),
            source: first_source(cell(r, source)),
            lon: x,
            lat: y,
        });
        let v = lower_bound(cell(r, value));
        let when = cell(r, as_of).to_string();
        if !z.area_stated.is_empty() {
            z.area_stated.push_str(", ");
        }
        z.area_stated
            .push_str(&format!("{m} {} ({when})", cell(r, value)));
        if m.starts_with("available") || m.starts_with("offered") || m.starts_with("reserved") {
            // Undated statements ("n.d.") are older than any dated one.
            let newer = available_as_of
                .get(&key)
                .is_none_or(|w| year_of(w) <= year_of(&when));
            if newer && v.is_some() {
                z.available = v;
                available_as_of.insert(key.clone(), when.clone());
                z.as_of = when;
            }
        }
        z.area = match (z.area, v) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
    }
    // Ids carry the zone's order of first appearance in the raw file.
    let mut out: Vec<Candidate> = zones.into_values().collect();
    out.sort_by(|a, b| a.id.cmp(&b.id));
    Ok((out, unlocated, flows))
}

/// The three layers: (table, report) each, in the order chemical platforms, sites
/// clés en main, port zones.
pub(crate) fn import(raw: &Path) -> Result<Vec<(OutTable, LayerReport)>> {
    let (chem, chem_unlocated) = chemical(raw)?;
    let (sce, sce_unlocated) = sites_cles_en_main(raw)?;
    let (ports, ports_unlocated, flows) = port_zones(raw)?;
    let read = [chem.len(), sce.len(), ports.len()];
    // A place is a candidate once: the first list that has it keeps it.
    let mut kept: Vec<Vec<Candidate>> = Vec::new();
    let mut merged = [0usize; 3];
    for (k, list) in [chem, sce, ports].into_iter().enumerate() {
        let mut mine: Vec<Candidate> = Vec::new();
        for cand in list {
            let kind = ["chemical platform", "site clé en main", "port zone"][k];
            let at = |c: &&mut Candidate| c.lon == cand.lon && c.lat == cand.lat;
            let holder = kept
                .iter_mut()
                .flat_map(|l| l.iter_mut())
                .chain(mine.iter_mut())
                .find(|c| at(c));
            match holder {
                Some(h) => {
                    h.also.push(format!("{kind}: {}", cand.name));
                    if h.area.is_none() {
                        h.area = cand.area;
                    }
                    if h.available.is_none() {
                        h.available = cand.available;
                    }
                    merged[k] += 1;
                }
                None => mine.push(cand),
            }
        }
        kept.push(mine);
    }
    let unlocated = [chem_unlocated, sce_unlocated, ports_unlocated];
    let layers = [
        (
            "chemical_platforms",
            "chemical_platforms.csv",
            "chemical platform",
            CHEMICAL,
        ),
        (
            "sites_cles_en_main",
            "sites_cles_en_main.csv",
            "site clé en main",
            SCE,
        ),
        ("port_zones", "port_zones.csv", "port zone", PORTS),
    ];
    let notes = [
        "the chemical platforms whose operators or press state land on offer (Chalampé, \
         Vallée de la chimie, Château-Arnoux-Saint-Auban, Carling-Saint-Avold, \
         Les Roches-Roussillon, PIICTO Fos, Port-Jérôme, Lacq, Pont-de-Claix)",
        "the \"sites industriels clés en main\" found so far: 31 of the 55 of the France \
         2030 list of April 2024 and 8 of the 2020 and 2021 lists (the rest were published \
         as images only)",
        "the industrial zones of the port authorities (Dunkerque, Marseille-Fos, HAROPA, \
         Nantes-Saint-Nazaire, Bordeaux, La Rochelle, Thionville-Illange) with the land \
         they state: one candidate per (port, zone)",
    ];
    let mut out = Vec::new();
    for (k, list) in kept.into_iter().enumerate() {
        let (name, file, kind, raw_file) = layers[k];
        let mut table = OutTable::new(HEADER);
        let with_area = list.iter().filter(|c| c.area.is_some()).count();
        let with_available = list.iter().filter(|c| c.available.is_some()).count();
        for c in &list {
            table.rows.push(c.row(kind));
        }
        let mut counts = vec![
            ("rows read (located)".to_string(), read[k]),
            ("rows without a point, left out".to_string(), unlocated[k]),
            (
                "rows at a place an earlier list holds, named in its `also`".to_string(),
                merged[k],
            ),
            ("candidates written".to_string(), list.len()),
            ("candidates with an area".to_string(), with_area),
            (
                "candidates with an available area".to_string(),
                with_available,
            ),
        ];
        if k == 2 {
            counts.push((
                "rows of land sold in a year (a flow, not a stock), left out".to_string(),
                flows,
            ));
        }
        out.push((
            table,
            LayerReport {
                name,
                file,
                notes: format!(
                    "\
Role `sites`, `kind = \"{kind}\"`: {}. Compiled from public pages (government, \
prefecture, port authority, trade press; one source URL per row in `source`, the \
first one the raw file names) in `{raw_file}`. **Located at a commune point only** \
(`located = commune`: a point of the first commune the source names, not the \
parcel). `area_ha` is the largest area a source states (the lower bound of a range or \
of \">150\"; \"several hundred\" counts as 200), `available_ha` the land stated as \
available, on offer or reserved for industry (most recent statement); both blank \
when no source states them, and `area_stated` keeps the sources' words. A place that \
two lists name is a candidate once (chemical platforms, then sites clés en main, then \
port zones), the others named in `also`. These rows have none of the friches' \
inventory fields (statut, zoning, pollution, extraction, landfill): a brief's \
`where` and `where_not` on those fields do not test them, and the ranking says so.",
                    notes[k]
                ),
                counts,
            },
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::lower_bound;

    #[test]
    fn stated_areas_read_as_their_lower_bound() {
        assert_eq!(lower_bound(">150"), Some(150.0));
        assert_eq!(lower_bound("30-40"), Some(30.0));
        assert_eq!(lower_bound("~250"), Some(250.0));
        assert_eq!(lower_bound("several hundred"), Some(200.0));
        assert_eq!(lower_bound("7000"), Some(7000.0));
        assert_eq!(lower_bound("4.7"), Some(4.7));
        assert_eq!(lower_bound(""), None);
        assert_eq!(lower_bound("n.d."), None);
    }

    #[test]
    fn dates_read_as_their_year() {
        use super::year_of;
        assert_eq!(year_of("2024-01"), 2024);
        assert_eq!(year_of("c. 2018"), 2018);
        assert_eq!(year_of("2021/22"), 2021);
        assert_eq!(year_of("n.d. (JMM n°4924)"), 0);
        assert_eq!(year_of(""), 0);
    }
}
