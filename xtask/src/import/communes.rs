//! `communes` (population): one point per commune, with labour-market figures.

use std::collections::BTreeMap;
use std::path::Path;

use super::context::ZonesEmploi;
use super::{cell, deg, num, round, CommunePoints, LayerReport, OutTable, RawCsv};
use sitematch::Result;

pub(crate) struct Commune {
    /// For a municipal arrondissement: its commune's code, used for the joins.
    parent: Option<String>,
    name: String,
    lon: f64,
    lat: f64,
    population: Option<f64>,
    active: Option<f64>,
    unemployed: Option<f64>,
}

/// The communes of datas.fun, deduplicated: one per INSEE code, `COM` rows only.
pub(crate) struct Communes {
    by_code: BTreeMap<String, Commune>,
    rows: usize,
    without_point: usize,
    arrondissements_added: usize,
    /// Points of the communes and of the municipal arrondissements, by INSEE code.
    pub(crate) points: CommunePoints,
}

impl Communes {
    pub(crate) fn load(raw: &Path) -> Result<Communes> {
        let t = RawCsv::open(&raw.join("communes/datasfun_communes_2024.csv"), b',')?;
        // The name with its article ("La Fère", "Le Relecq-Kerhuon"), as it is written.
        let [code, kind, name] = t.cols(["insee_com", "commune_type", "commune_article"])?;
        let (lat, lng) = (t.col("lat")?, t.col("lng")?);
        let [pop, act, cho] = t.cols([
            "population_2021",
            "pop_15_64_active_2021",
            "pop_15_64_chomage_2021",
        ])?;
        let mut by_code = BTreeMap::new();
        let mut without_point = 0;
        // Municipal arrondissements: Paris, Lyon and Marseille have no COM row.
        let parent = t.col("insee_parente")?;
        let read = |r: &csv::StringRecord, parent: Option<String>| {
            let (Some(y), Some(x)) = (num(r, lat), num(r, lng)) else {
                return None;
            };
            Some(Commune {
                parent,
                name: cell(r, name).to_string(),
                lon: x,
                lat: y,
                population: num(r, pop),
                active: num(r, act),
                unemployed: num(r, cho),
            })
        };
        let mut arrondissements: BTreeMap<String, Commune> = BTreeMap::new();
        for r in t.rows() {
            let c = cell(r, code);
            match cell(r, kind) {
                "ARM" => {
                    if let Some(a) = read(r, Some(cell(r, parent).to_string())) {
                        arrondissements.entry(c.to_string()).or_insert(a);
                    }
                }
                "COM" if !by_code.contains_key(c) => match read(r, None) {
                    Some(commune) => {
                        by_code.insert(c.to_string(), commune);
                    }
                    None => without_point += 1,
                },
                _ => {}
            }
        }
        // Paris, Lyon and Marseille have no COM row, only their arrondissements:
        // those stand in for them (finer points for catchment sums).
        let mut arrondissements_added = 0;
        for (k, a) in arrondissements {
            let parent_missing = a.parent.as_ref().is_some_and(|p| !by_code.contains_key(p));
            if parent_missing {
                arrondissements_added += 1;
                by_code.insert(k, a);
            }
        }
        let points: CommunePoints = by_code
            .iter()
            .map(|(k, c)| (k.clone(), (c.lon, c.lat)))
            .collect();
        Ok(Communes {
            by_code,
            rows: t.rows().len(),
            without_point,
            arrondissements_added,
            points,
        })
    }

    /// The name of the commune (or municipal arrondissement) with this INSEE code,
    /// when it is `written` up to case, accents and punctuation (another name under the
    /// same code is a merged commune's: the source's own name says where the site is).
    pub(crate) fn name_of(&self, code: &str, written: &str) -> Option<&str> {
        let loose = |s: &str| {
            sitematch::fold(s)
                .chars()
                .filter(|c| c.is_alphanumeric())
                .collect::<String>()
        };
        let c = self.by_code.get(code)?;
        (loose(&c.name) == loose(written)).then_some(c.name.as_str())
    }

    /// The name of the commune whose point is nearest to (lon, lat), by an
    /// equirectangular distance (to name a place, not to measure it); ties by code.
    pub(crate) fn nearest_name(&self, lon: f64, lat: f64) -> Option<&str> {
        let cos = lat.to_radians().cos();
        self.by_code
            .values()
            .map(|c| (((c.lon - lon) * cos).powi(2) + (c.lat - lat).powi(2), c))
            .min_by(|a, b| a.0.total_cmp(&b.0))
            .map(|(_, c)| c.name.as_str())
    }

    pub(crate) fn table(&self, raw: &Path, zones: &ZonesEmploi) -> Result<(OutTable, LayerReport)> {
        // France Ruralités Revitalisation class.
        let frr = super::frr_table(raw)?;
        let frr_of = frr.lookup(super::FRR_COLUMNS.0, super::FRR_COLUMNS.1)?;
        // DVF median residential price per m².
        let dvf = RawCsv::open(
            &raw.join("benefriches-dvf/dvf_city_stats_2020_2024.csv"),
            b';',
        )?;
        let dvf_of = dvf.numbers("city_code", "dvf_pxm2_median")?;

        // Jobs at place of work, census RP 2018 (INSEE comparateur de territoires,
        // geography 2021): communes and the arrondissements of Paris, Lyon and
        // Marseille, each at its own level.
        let emp = RawCsv::open(
            &raw.join("insee-emploi-rp2018/base_cc_comparateur_RP2018.csv"),
            b';',
        )?;
        let jobs_of = emp.numbers("CODGEO", "P18_EMPLT")?;
        // Industry establishments (sections B to E), end of 2018: the industrial fabric.
        let industry_of = emp.numbers("CODGEO", "ETBE18")?;

        let mut t = OutTable::new(&[
            "insee",
            "nom",
            "lon",
            "lat",
            "population",
            "active",
            "unemployed",
            "ze2020",
            "ze2020_nom",
            "ze_unemployment_rate",
            "frr",
            "dvf_price_m2",
            "jobs_2018",
            "industry_establishments",
        ]);
        let (mut no_ze, mut no_rate, mut no_frr, mut no_dvf, mut no_jobs) = (0, 0, 0, 0, 0);
        let mut total_jobs = 0.0;
        let (mut no_industry, mut total_industry) = (0, 0.0);
        let opt = |x: Option<f64>, d: i32| x.map(|x| round(x, d)).unwrap_or_default();
        for (code, c) in &self.by_code {
            // Arrondissements join through their commune, except DVF, which has them.
            let join = c.parent.as_deref().unwrap_or(code.as_str());
            let ze = zones.of(join);
            no_ze += usize::from(ze.is_empty());
            let (ze_name, rate) = zones.zone(ze);
            no_rate += usize::from(rate.is_none());
            let frr = frr_of.get(join).copied().unwrap_or("");
            no_frr += usize::from(frr.is_empty());
            let price = dvf_of
                .get(code.as_str())
                .or_else(|| dvf_of.get(join))
                .copied()
                .flatten();
            no_dvf += usize::from(price.is_none());
            // By the point's own code: a city's total would count its arrondissements twice.
            let jobs = jobs_of.get(code.as_str()).copied().flatten();
            no_jobs += usize::from(jobs.is_none());
            total_jobs += jobs.unwrap_or(0.0);
            let industry = industry_of.get(code.as_str()).copied().flatten();
            no_industry += usize::from(industry.is_none());
            total_industry += industry.unwrap_or(0.0);
            t.rows.push(vec![
                code.clone(),
                c.name.clone(),
                deg(c.lon),
                deg(c.lat),
                opt(c.population, 0),
                opt(c.active, 0),
                opt(c.unemployed, 0),
                ze.to_string(),
                ze_name.to_string(),
                opt(rate, 1),
                frr.to_string(),
                opt(price, 0),
                opt(jobs, 0),
                opt(industry, 0),
            ]);
        }
        let report = LayerReport {
            name: "communes",
            file: "communes.csv",
            notes: "\
Role `population`: one point per commune for catchment sums (labour pool).

- Points, population and labour figures: `communes/datasfun_communes_2024.csv`
  (datas.fun from INSEE COG 2024, comparateur de territoires 2024, census 2021; LO 2.0
  for the INSEE data). The raw file has one row per (commune, postcode) plus rows for
  communes déléguées (COMD) and municipal arrondissements (ARM): `COM` rows are
  kept, the first row of each INSEE code. Paris, Lyon and Marseille have no `COM`
  row, only their 45 arrondissements: those are kept in their place (with their own
  figures, joined to the zone d'emploi and FRR class of their commune). `active` = active population aged 15-64,
  `unemployed` = unemployed aged 15-64 (census definition), 2021. `nom` is the name
  with its article (`commune_article`: \"La Fère\", \"Le Relecq-Kerhuon\").
- `ze2020`: INSEE table d'appartenance géographique, COG 2022 (LO 2.0). Communes
  created or merged after 2022 do not join.
- `ze_unemployment_rate`: INSEE taux de chômage localisés par zone d'emploi, 2022-T2,
  % (LO 2.0). Mayotte and Guyane are not covered by the series.
- `frr`: ANCT France Ruralités Revitalisation list of 10 July 2025.
- `dvf_price_m2`: median residential price per m², DVF 2020-2024 (via ADEME
  Bénéfriches; LO 2.0). A proxy of land prices only; Bas-Rhin, Haut-Rhin and Moselle
  have no DVF.
- `jobs_2018`: jobs at place of work (emplois au lieu de travail, `P18_EMPLT`), census
  RP 2018, INSEE comparateur de territoires, edition of January 2022, geography 2021
  (`insee-emploi-rp2018/base_cc_comparateur_RP2018.csv`; LO 2.0), rounded to whole
  jobs. Joined by the point's own code (the arrondissements of Paris, Lyon and
  Marseille have their own figures); communes created by a merger after 2021 do not
  join. The jobs that compete with a new plant for the same workers (labour
  competition).
- `industry_establishments`: establishments of industry (sections B to E: mining,
  manufacturing, energy, water and waste), end of 2018 (`ETBE18` of the same file;
  LO 2.0). The industrial fabric around a site: suppliers, subcontractors, skills."
                .to_string(),
            counts: vec![
                ("raw rows".into(), self.rows),
                (
                    "points written (communes, and arrondissements for Paris, Lyon, Marseille)".into(),
                    self.by_code.len(),
                ),
                (
                    "COM codes without coordinates, left out".into(),
                    self.without_point,
                ),
                (
                    "arrondissements standing for Paris, Lyon and Marseille".into(),
                    self.arrondissements_added,
                ),
                (
                    "communes with no zone d'emploi (code not in COG 2022)".into(),
                    no_ze,
                ),
                (
                    "communes with no unemployment rate (no ZE, or Mayotte/Guyane)".into(),
                    no_rate,
                ),
                ("communes not in the FRR list".into(), no_frr),
                ("communes with no DVF median price".into(), no_dvf),
                ("communes with no jobs figure (RP 2018)".into(), no_jobs),
                (
                    "jobs at place of work, total of the points (RP 2018)".into(),
                    total_jobs.round() as usize,
                ),
                ("communes with no industry figure (2018)".into(), no_industry),
                (
                    "industry establishments, total of the points (2018)".into(),
                    total_industry.round() as usize,
                ),
            ],
        };
        Ok((t, report))
    }
}
