//! `training` (facilities) and `training_by_commune` (population).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

use super::communes::Communes;
use super::{cell, deg, num, LayerReport, OutTable, RawCsv};
use sitematch::Result;

/// One training establishment, assembled by UAI.
#[derive(Default)]
struct Establishment {
    name: String,
    kind: &'static str,
    located: &'static str,
    sources: BTreeSet<&'static str>,
    commune: String,
    point: Option<(f64, f64)>,
    nsf: BTreeSet<String>,
    tags: BTreeSet<String>,
}

/// MEFSTAT11 -> (NSF group code, NSF label, diploma long label), through the BCN.
struct Bcn {
    by_mefstat: HashMap<String, (String, String, String)>,
}

impl Bcn {
    fn load(dir: &Path) -> Result<Bcn> {
        let groups = RawCsv::open(&dir.join("bcn_n_groupe_specialite.csv"), b';')?;
        let [gc, gl] = groups.cols(["GROUPE_SPECIALITE", "LIBELLE_LONG"])?;
        let group_label: HashMap<&str, &str> = groups
            .rows()
            .iter()
            .map(|r| (cell(r, gc), cell(r, gl)))
            .collect();
        let dipl = RawCsv::open(&dir.join("bcn_n_formation_diplome.csv"), b';')?;
        let [dc, dg, dl] =
            dipl.cols(["FORMATION_DIPLOME", "GROUPE_SPECIALITE", "LIBELLE_LONG_200"])?;
        let diploma: HashMap<&str, (&str, &str)> = dipl
            .rows()
            .iter()
            .map(|r| (cell(r, dc), (cell(r, dg), cell(r, dl))))
            .collect();
        let mef = RawCsv::open(&dir.join("bcn_n_mef.csv"), b';')?;
        let (mf, ms) = (mef.col("FORMATION_DIPLOME")?, mef.col("MEF_STAT_11")?);
        let mut by_mefstat = HashMap::new();
        for r in mef.rows() {
            let Some((group, label)) = diploma.get(cell(r, mf)) else {
                continue;
            };
            let glabel = group_label.get(group).copied().unwrap_or("");
            by_mefstat
                .entry(cell(r, ms).to_string())
                .or_insert_with(|| (group.to_string(), glabel.to_string(), label.to_string()));
        }
        Ok(Bcn { by_mefstat })
    }
}

fn lycee_kind(nature: &str) -> &'static str {
    match nature {
        "320" | "334" => "lycee_pro",
        "306" => "lycee_polyvalent",
        "300" | "301" | "302" | "335" => "lycee_general_techno",
        "370" => "erea",
        _ => "lycee_autre",
    }
}

fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

pub(crate) fn training(raw: &Path, communes: &Communes) -> Result<(OutTable, LayerReport)> {
    let orion = raw.join("orion-formations-lycees");
    let bcn = Bcn::load(&orion)?;
    let mut by_uai: BTreeMap<String, Establishment> = BTreeMap::new();

    // 1. Lycées with their 2016 points.
    let ly = RawCsv::open(
        &raw.join("lycees-depp-2016/depp_lycees_geoloc_2016-05.csv"),
        b',',
    )?;
    let [uai, name, nature, lon, lat, etat] = ly.cols([
        "numero_uai",
        "appellation_officielle",
        "nature_uai",
        "longitude",
        "latitude",
        "etat_etablissement",
    ])?;
    let (mut lycees, mut lycees_no_point, mut lycees_closing) = (0, 0, 0);
    for r in ly.rows() {
        let (Some(x), Some(y)) = (num(r, lon), num(r, lat)) else {
            lycees_no_point += 1;
            continue;
        };
        if cell(r, etat) == "2" {
            lycees_closing += 1;
        }
        lycees += 1;
        let e = by_uai.entry(cell(r, uai).to_string()).or_default();
        e.name = cell(r, name).to_string();
        e.kind = lycee_kind(cell(r, nature));
        e.located = "address";
        e.sources.insert("DEPP 2016");
        e.point = Some((x, y));
    }

    // 2. What they teach: constat de rentrée 2020, Affelnet 2022, BTS 2024, decoded
    //    through the BCN to NSF groups and diploma names.
    let mut specialities: BTreeMap<String, BTreeSet<&(String, String, String)>> = BTreeMap::new();
    let mut unresolved = 0;
    let mut apprenticeship_uai: BTreeMap<String, String> = BTreeMap::new();
    for (file, uai_col, mef_col, delim) in [
        (
            "constat_rentree_2020_uai_mef.csv",
            "UAI",
            "Mef Bcp 11",
            b';',
        ),
        (
            "affelnet_attractivite_capacite_2022.csv",
            "Etablissement d'accueil",
            "MEF STAT 11",
            b';',
        ),
        (
            "bts_attractivite_capacite_2024.csv",
            "UAI",
            "MEFSTAT11",
            b';',
        ),
    ] {
        let t = RawCsv::open(&orion.join(file), delim)?;
        let (u, m) = (t.col(uai_col)?, t.col(mef_col)?);
        let statut = t.col("STATUT").ok();
        let label = t.col("LIBELLÉFORMATION").ok();
        for r in t.rows() {
            match bcn.by_mefstat.get(cell(r, m)) {
                Some(s) => {
                    specialities
                        .entry(cell(r, u).to_string())
                        .or_default()
                        .insert(s);
                }
                None => unresolved += 1,
            }
            if let (Some(sc), Some(lc)) = (statut, label) {
                if cell(r, sc) == "Apprentissage" {
                    apprenticeship_uai
                        .entry(cell(r, u).to_string())
                        .or_insert_with(|| cell(r, lc).to_string());
                }
            }
        }
    }

    // 3. Post-bac programmes (BTS, BUT) from Parcoursup, with their points.
    let ps = RawCsv::open(
        &raw.join("parcoursup-formations/parcoursup_formations_gps.csv"),
        b',',
    )?;
    let [pu, pn, pf, pg] = ps.cols([
        "Code UAI de l etablissement",
        "etablissement",
        "Filiere de formation",
        "Coordonnées GPS de la formation",
    ])?;
    let (mut programmes, mut programmes_no_point, mut post_bac_new) = (0, 0, 0);
    for r in ps.rows() {
        let filiere = squash(cell(r, pf));
        if !(filiere.starts_with("BTS ") || filiere.starts_with("BUT ")) {
            continue;
        }
        programmes += 1;
        let point = cell(r, pg).split_once(',').and_then(|(a, b)| {
            Some((b.trim().parse::<f64>().ok()?, a.trim().parse::<f64>().ok()?))
        });
        let e = by_uai.entry(cell(r, pu).to_string()).or_default();
        if e.point.is_none() {
            match point {
                Some(p) => {
                    e.point = Some(p);
                    e.name = squash(cell(r, pn));
                    e.kind = "post_bac";
                    e.located = "address";
                    post_bac_new += 1;
                }
                None => programmes_no_point += 1,
            }
        }
        e.sources.insert("Parcoursup");
        e.tags.insert(filiere);
    }

    // 4. CFAs (apprenticeship centres) at their commune's point.
    let cfa = RawCsv::open(
        &raw.join("cfa-mna/cfa_sous_convention_regionale_uai.csv"),
        b';',
    )?;
    let [cu, cc, cd, cp] = cfa.cols([
        "numero_uai",
        "commune",
        "denomination_principale",
        "patronyme_uai",
    ])?;
    let (mut cfa_placed, mut cfa_no_commune, mut cfa_known) = (0, 0, 0);
    for r in cfa.rows() {
        let e = by_uai.entry(cell(r, cu).to_string()).or_default();
        e.sources.insert("CFA MNA");
        if e.point.is_some() {
            cfa_known += 1;
            continue;
        }
        match communes.points.get(cell(r, cc)) {
            Some(&p) => {
                cfa_placed += 1;
                e.point = Some(p);
                e.name = squash(&format!("{} {}", cell(r, cd), cell(r, cp)));
                e.kind = "cfa";
                e.located = "commune";
                e.commune = cell(r, cc).to_string();
            }
            None => cfa_no_commune += 1,
        }
    }
    let ij = RawCsv::open(
        &raw.join("inserjeunes-cfa/fr-en-inserjeunes-cfa_2019-2024.csv"),
        b';',
    )?;
    let iu = ij.col("UAI")?;
    let ij_uai: BTreeSet<&str> = ij.rows().iter().map(|r| cell(r, iu)).collect();
    let ij_unplaced = ij_uai
        .iter()
        .filter(|u| by_uai.get(**u).is_none_or(|e| e.point.is_none()))
        .count();
    let apprentice_unplaced = apprenticeship_uai
        .keys()
        .filter(|u| by_uai.get(*u).is_none_or(|e| e.point.is_none()))
        .count();

    let mut table = OutTable::new(&[
        "uai", "nom", "category", "located", "source", "commune", "nsf", "tags", "lon", "lat",
    ]);
    let mut with_specialities = 0;
    let mut kinds: BTreeMap<&str, usize> = BTreeMap::new();
    for (code, mut e) in by_uai {
        let Some((x, y)) = e.point else {
            continue;
        };
        if let Some(specs) = specialities.get(&code) {
            with_specialities += 1;
            for (group, glabel, diploma) in specs {
                e.nsf.insert(group.clone());
                e.tags.insert(format!("nsf:{group}"));
                if !glabel.is_empty() {
                    e.tags.insert(glabel.clone());
                }
                e.tags.insert(diploma.clone());
            }
        }
        if apprenticeship_uai.contains_key(&code) {
            e.tags.insert("apprentissage".to_string());
        }
        *kinds.entry(e.kind).or_insert(0) += 1;
        let clean = |s: &String| s.replace(';', ",");
        table.rows.push(vec![
            code,
            e.name,
            e.kind.to_string(),
            e.located.to_string(),
            e.sources.into_iter().collect::<Vec<_>>().join(" + "),
            e.commune,
            e.nsf.into_iter().collect::<Vec<_>>().join(";"),
            e.tags.iter().map(clean).collect::<Vec<_>>().join(";"),
            deg(x),
            deg(y),
        ]);
    }
    let mut counts = vec![
        ("lycées with a 2016 point".into(), lycees),
        ("lycées without a point, left out".into(), lycees_no_point),
        (
            "lycées marked closing in 2016 (kept)".into(),
            lycees_closing,
        ),
        ("BTS/BUT programmes in Parcoursup".into(), programmes),
        (
            "post-bac establishments added with a Parcoursup point".into(),
            post_bac_new,
        ),
        (
            "programmes at an establishment with no point, left out".into(),
            programmes_no_point,
        ),
        ("CFAs placed at their commune".into(), cfa_placed),
        (
            "CFAs already placed as a lycée or post-bac site".into(),
            cfa_known,
        ),
        (
            "CFAs whose commune code has no point, left out".into(),
            cfa_no_commune,
        ),
        (
            "Inser Jeunes CFA UAIs that could not be placed".into(),
            ij_unplaced,
        ),
        (
            "apprenticeship BTS UAIs that could not be placed".into(),
            apprentice_unplaced,
        ),
        (
            "specialty rows whose MEFSTAT11 is not in the BCN".into(),
            unresolved,
        ),
        (
            "establishments with NSF specialities".into(),
            with_specialities,
        ),
        ("establishments written".into(), table.rows.len()),
    ];
    counts.extend(kinds.into_iter().map(|(k, n)| (format!("category {k}"), n)));
    let report = LayerReport {
        name: "training",
        file: "training.csv",
        notes: "\
Role `facilities`: training establishments assembled by UAI (the national
establishment code). Vintages differ: read them before relying on a point.

- Lycées and their points: DEPP \"adresse et géolocalisation des établissements\",
  2016-05-26 (`lycees-depp-2016/`; LO 2.0). Lycées opened since 2016 are missing and
  some have closed. `category`: `lycee_pro` (LP, SEP), `lycee_polyvalent`,
  `lycee_general_techno`, `erea`, `lycee_autre`.
- What they teach: the rentrée 2020 enrolment (constat), the Affelnet 2022 offer and
  the Parcoursup BTS 2024 table from the Orion app (`orion-formations-lycees/`, MIT,
  MEN data), decoded through the BCN tables: MEFSTAT11 to diploma to NSF specialty
  group. `nsf` lists the NSF group codes; `tags` holds `nsf:<code>`, the NSF group's
  label, the diploma names, and the Parcoursup programme names (so a brief can ask for
  `nsf:255` electricity/electronics, `nsf:222` chemistry, `nsf:250`
  mechanics-electricity...), plus `apprentissage` where the BTS table lists
  apprenticeship places.
- Post-bac programmes: Parcoursup (MESR, LO 2.0; session about 2023-2025), BTS and
  BUT only, at their own point (`category` `post_bac`) when the UAI is not a lycée.
- CFAs (apprenticeship centres): the CFA list of the Mission nationale apprentissage
  (`cfa-mna/`), placed at their commune's point from the communes layer: `located` is
  `commune` for them, `address` for geocoded establishments, so nobody mistakes one for
  the other. CFAs listed only by Inser Jeunes (2019-2024) or the BTS table have no
  commune code here and cannot be placed: their number is counted below. Agricultural
  lycées, GRETA and private training organisations are not in these sources (see
  `training_by_commune` for counts per commune)."
            .to_string(),
        counts,
    };
    Ok((table, report))
}

pub(crate) fn by_commune(raw: &Path, communes: &Communes) -> Result<(OutTable, LayerReport)> {
    let t = RawCsv::open(
        &raw.join("bpe-2019-formation/bpe19_enseignement_formation_par_commune.csv"),
        b',',
    )?;
    let (code, typ, n) = (t.col("CODGEO")?, t.col("TYPEQU")?, t.col("NB_EQUIP")?);
    // commune -> [cfa, greta, continuing training]
    let mut sums: BTreeMap<String, [f64; 3]> = BTreeMap::new();
    for r in t.rows() {
        let slot = match cell(r, typ) {
            "C601" | "C605" => 0,
            "C602" => 1,
            "C603" | "C609" => 2,
            _ => continue,
        };
        sums.entry(cell(r, code).to_string()).or_insert([0.0; 3])[slot] += num(r, n).unwrap_or(0.0);
    }
    let mut table = OutTable::new(&[
        "insee",
        "cfa",
        "greta",
        "formation_continue",
        "total",
        "lon",
        "lat",
    ]);
    let mut unmatched = 0;
    let mut totals = [0.0; 3];
    for (c, s) in &sums {
        let Some(&(x, y)) = communes.points.get(c) else {
            unmatched += 1;
            continue;
        };
        for (t, v) in totals.iter_mut().zip(s) {
            *t += v;
        }
        table.rows.push(vec![
            c.clone(),
            format!("{}", s[0]),
            format!("{}", s[1]),
            format!("{}", s[2]),
            format!("{}", s[0] + s[1] + s[2]),
            deg(x),
            deg(y),
        ]);
    }
    let report = LayerReport {
        name: "training_by_commune",
        file: "training_by_commune.csv",
        notes: "\
Role `population`: INSEE Base permanente des équipements 2019, education and training
equipment summed from IRIS to commune (`bpe-2019-formation/`; LO 2.0), for access
sums: `cfa` = CFA outside agriculture (C601) + agricultural CFA (C605); `greta` =
GRETA (C602); `formation_continue` = agricultural continuing training (C603) + other
continuing training (C609). Each commune is placed at its point in the communes layer;
codes of the 2019 geography that no longer exist (communes merged since) do not join
and are counted below."
            .to_string(),
        counts: vec![
            (
                "communes with at least one such equipment".into(),
                sums.len(),
            ),
            ("communes written".into(), table.rows.len()),
            (
                "2019 commune codes with no current commune point, left out".into(),
                unmatched,
            ),
            ("CFA counted".into(), totals[0] as usize),
            ("GRETA counted".into(), totals[1] as usize),
            (
                "continuing-training centres counted".into(),
                totals[2] as usize,
            ),
        ],
    };
    Ok((table, report))
}
