//! The default data set: the import reproduces the committed `data/` from the raw
//! open data, matches the raw counts, and every example brief runs on it.

use std::path::{Path, PathBuf};

use sitematch::output::{write_geojson, OutputOptions};
use sitematch::{Brief, Catalog, Engine};

use crate::util::{shared_raw, small_distance_m};

fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data")
}

/// The index of a column of a CSV file's header.
fn column(path: &Path, name: &str) -> usize {
    let mut r = csv::Reader::from_path(path).unwrap();
    let header = r.headers().unwrap();
    header
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("no column {name} in {}", path.display()))
}

fn csv_rows(path: &Path) -> Vec<csv::StringRecord> {
    csv::Reader::from_path(path)
        .unwrap()
        .records()
        .map(Result::unwrap)
        .collect()
}

#[test]
#[ignore = "reads ../shared/data/raw: run with `cargo test -- --include-ignored` where it is"]
fn import_reproduces_the_committed_data_set() {
    let Some(raw) = shared_raw() else {
        return;
    };
    let out = tempfile::tempdir().unwrap();
    let summary = xtask::import::run(&raw, out.path()).unwrap();
    let mut files: Vec<String> = summary.layers.iter().map(|(_, f, _)| f.clone()).collect();
    files.push("catalog.toml".into());
    files.push("SOURCES.md".into());
    // The network's nodes, written beside its edges.
    files.push("road_nodes.csv".into());
    let mut committed: Vec<String> = std::fs::read_dir(data_dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    committed.sort();
    let mut checked = files.clone();
    checked.sort();
    assert_eq!(
        committed, checked,
        "every file of data/ comes from the import"
    );
    for f in &files {
        let fresh = std::fs::read(out.path().join(f)).unwrap();
        let committed = std::fs::read(data_dir().join(f)).unwrap();
        assert!(
            fresh == committed,
            "data/{f} differs from a fresh import: run `cargo xtask import`"
        );
    }
    // The counts against the raw files (SOURCES.md of the raw data): 23,878
    // Cartofriches sites; 34,931 communes after deduplication, of which 3 have no
    // point, plus the 45 arrondissements of Paris, Lyon and Marseille; 484
    // aerodromes; 78 ports; 183 Territoires d'industrie; 1,313 freight-open UIC codes.
    let count = |layer: &str| {
        summary
            .layers
            .iter()
            .find(|(l, _, _)| l == layer)
            .map(|(_, _, n)| *n)
            .unwrap()
    };
    // Every Cartofriches record is in one site: the records of one physical site are
    // merged, and the site counts them.
    let friches_csv = out.path().join("friches.csv");
    let c = |name: &str| column(&friches_csv, name);
    let (commune, extraction, records_col, source_ids, cle_en_main) = (
        c("commune"),
        c("extraction"),
        c("records"),
        c("source_ids"),
        c("cle_en_main"),
    );
    let friches = csv_rows(&friches_csv);
    let ddt08_added = friches
        .iter()
        .filter(|r| r[0].starts_with("ddt08_"))
        .count();
    let records: usize = friches
        .iter()
        .filter(|r| !r[0].starts_with("ddt08_"))
        .map(|r| r[records_col].parse::<usize>().unwrap())
        .sum();
    assert_eq!(records, 23_878);
    assert!(count("friches") < 23_878 + ddt08_added);
    // Three records of the raw file share one point and one 98.94 ha unité foncière
    // at Loos-en-Gohelle (terrils 11/19, 79bis and 79): one site, flagged as extraction.
    let loos = friches.iter().find(|r| &r[0] == "62528_4272").unwrap();
    assert_eq!(&loos[source_ids], "62528_4272;62528_4275;62528_5381");
    assert_eq!(&loos[extraction], "oui");
    assert!(friches.iter().all(|r| &r[0] != "62528_4275"));
    // The 12 sites clés en main of the raw list, in 12 communes; the friches of those
    // communes (and only those) name theirs: Oissel's 23 friches "Friche Sco/Yara".
    assert_eq!(count("ready_sites"), 12);
    let ready = csv_rows(&out.path().join("ready_sites.csv"));
    let cle = friches.iter().filter(|r| !r[cle_en_main].is_empty());
    for r in cle {
        let site = ready.iter().find(|s| s[2] == r[commune]).unwrap();
        assert_eq!(&r[cle_en_main], &site[1], "friche {}", &r[0]);
    }
    let oissel: Vec<_> = friches.iter().filter(|r| &r[commune] == "76484").collect();
    assert!(oissel.iter().all(|r| &r[cle_en_main] == "Friche Sco/Yara"));
    assert_eq!(oissel.len(), 23);
    assert_eq!(count("communes"), 34_931 - 3 + 45);
    assert_eq!(count("airports"), 484);
    assert_eq!(count("seaports"), 78);
    assert_eq!(count("territoires_industrie"), 183);
    // RTE 2024: 5,079 sites, of which 196 at 400 kV and 994 at 225 kV (raw SOURCES.md).
    assert_eq!(count("substations"), 5_079);
    let substations = csv_rows(&out.path().join("substations.csv"));
    let kv = |v: &str| substations.iter().filter(|r| &r[4] == v).count();
    assert_eq!((kv("400"), kv("225")), (196, 994));
    let rail = csv_rows(&out.path().join("rail.csv"));
    assert_eq!(rail.iter().filter(|r| &r[2] == "gare_fret").count(), 1_313);
    // Every toll point is in one feature: grouped by (route, name, type), then the
    // stations of one interchange joined.
    let motorway = csv_rows(&out.path().join("motorway.csv"));
    let toll_points: usize = motorway
        .iter()
        .map(|r| r[6].parse::<usize>().unwrap())
        .sum();
    assert_eq!(toll_points, 1_266);
    // Every ROUTE 120 interchange is in one feature, merged or on its own.
    let r120 = csv_rows(&raw.join("ign-route120/route120_echangeurs.csv")).len();
    let merged = motorway
        .iter()
        .filter(|r| &r[8] == "dgitm+route120")
        .count();
    let alone = motorway.iter().filter(|r| &r[8] == "route120").count();
    assert_eq!(merged + alone, r120);
}

#[test]
fn spot_checks_against_known_facts() {
    let communes = csv_rows(&data_dir().join("communes.csv"));
    let commune = |code: &str| communes.iter().find(|r| &r[0] == code).cloned().unwrap();
    // A friche's zone d'emploi and its unemployment rate are its commune's.
    let rates: std::collections::HashMap<&str, (&str, &str)> =
        communes.iter().map(|r| (&r[0], (&r[7], &r[9]))).collect();
    let friches_csv = data_dir().join("friches.csv");
    let c = |name: &str| column(&friches_csv, name);
    let (commune_col, ze2020, rate_col) = (c("commune"), c("ze2020"), c("ze_unemployment_rate"));
    let friches = csv_rows(&friches_csv);
    let mut compared = 0;
    for f in &friches {
        if let Some((ze, rate)) = rates.get(&f[commune_col]) {
            assert_eq!((&f[ze2020], &f[rate_col]), (*ze, *rate), "friche {}", &f[0]);
            compared += 1;
        }
    }
    assert!(compared > 22_000, "{compared}");
    // INSEE populations légales 2021: Lille 236,710; Ajaccio 73,822.
    assert_eq!(&commune("59350")[4], "236710");
    assert_eq!(&commune("2A004")[1], "Ajaccio");
    assert_eq!(&commune("2A004")[4], "73822");
    // Paris has no COM row in the raw file: its 1st arrondissement stands in.
    assert_eq!(&commune("75101")[1], "Paris 1er Arrondissement");

    // Beaupont (A39): the mean of its two toll points (874230.62, 6595951.2) and
    // (874242.19, 6595945.53) in Lambert-93 is, by cs2cs EPSG:2154 EPSG:4326,
    // lat 46.440965603, lon 5.269820155.
    let motorway = csv_rows(&data_dir().join("motorway.csv"));
    let b = motorway.iter().find(|r| &r[1] == "Beaupont").unwrap();
    let p = (b[10].parse().unwrap(), b[11].parse().unwrap());
    assert!(small_distance_m(p, (5.269820155, 46.440965603)) < 0.02);
    assert_eq!(&b[3], "Echangeur");

    // Paris-CDG: IATA CDG, longest runway 4,215 m (13,829 ft).
    let airports = csv_rows(&data_dir().join("airports.csv"));
    let cdg = airports.iter().find(|r| &r[0] == "LFPG").unwrap();
    assert_eq!((&cdg[1], &cdg[5]), ("CDG", "4215"));

    // The first Cartofriches row, read from the raw file: NXP, Toulouse.
    let catalog = Catalog::from_path(data_dir()).unwrap();
    let friches = catalog.layer("friches").unwrap();
    let nxp = friches
        .features
        .iter()
        .find(|f| f.id == "31555_16063")
        .unwrap();
    assert_eq!(nxp.commune.as_deref(), Some("31555"));
    assert_eq!(
        (nxp.location.x(), nxp.location.y()),
        (1.3908897, 43.5604584)
    );
    assert_eq!(nxp.area_ha, Some(5.4949));
    assert_eq!(nxp.attribute("verified").as_text().as_deref(), Some("non"));
    // Every layer loads without a skipped feature.
    for l in &catalog.layers {
        assert!(l.skipped.is_empty(), "{}: {:?}", l.name, l.skipped.first());
    }
}

/// Jobs at place of work (RP 2018) against the raw file.
#[test]
#[ignore = "reads ../shared/data/raw: run with `cargo test -- --include-ignored` where it is"]
fn paris_jobs_are_counted_once() {
    let Some(raw) = shared_raw() else {
        return;
    };
    let communes = csv_rows(&data_dir().join("communes.csv"));
    let commune = |code: &str| communes.iter().find(|r| &r[0] == code).cloned().unwrap();
    // Jobs at place of work (RP 2018): the 20 arrondissements of Paris add up to the
    // city's own row of the raw file (1,842,064 jobs), which is not in the layer, so
    // nothing counts twice.
    let base = raw.join("insee-emploi-rp2018/base_cc_comparateur_RP2018.csv");
    let rows = csv::ReaderBuilder::new()
        .delimiter(b';')
        .from_path(base)
        .unwrap()
        .records()
        .map(Result::unwrap)
        .collect::<Vec<_>>();
    let paris: f64 = rows.iter().find(|r| &r[0] == "75056").unwrap()[18]
        .parse()
        .unwrap();
    let arrondissements: f64 = (1..=20)
        .map(|a| commune(&format!("751{a:02}"))[12].parse::<f64>().unwrap())
        .sum();
    assert!(
        (paris - arrondissements).abs() <= 10.0,
        "{paris} {arrondissements}"
    );
    assert!(communes.iter().all(|r| &r[0] != "75056"));
}

#[test]
fn r11_free_motorways_and_one_feature_per_interchange() {
    let catalog = Catalog::from_path(data_dir()).unwrap();
    let layer = catalog.layer("motorway").unwrap().clone();
    let index = sitematch::IndexedLayer::new(layer);
    let features = &index.layer().features;
    let with = |i: usize, tag: &str| {
        features[i].category.as_deref() == Some("Echangeur")
            && features[i].tags.iter().any(|t| t == tag)
    };
    // Bailleul is on the free A25 (Lille-Dunkirk): a motorway interchange within about
    // 2 km, while the nearest toll interchange is 26 km away (Béthune, on the A26).
    let bailleul = geo::Point::new(2.7353, 50.7386);
    let (_, free) = index
        .nearest_by(bailleul, |i, _| with(i, "autoroute"))
        .unwrap();
    let (_, toll) = index.nearest_by(bailleul, |i, _| with(i, "péage")).unwrap();
    assert!(free < 3_000.0, "{free}");
    assert!(toll > 20_000.0, "{toll}");
    // The toll stations of one interchange ("Entrée", "Sortie") are one feature: no
    // two interchanges of the same route closer than 1.5 km.
    for (i, a) in features.iter().enumerate() {
        let route = a.attribute("route").as_text().unwrap_or_default();
        if route.is_empty() || !with(i, "péage") {
            continue;
        }
        for b in index.within(a.location, 1_500.0) {
            let other = &features[b.0];
            assert!(
                b.0 == i
                    || !with(b.0, "péage")
                    || other.attribute("route").as_text().unwrap_or_default() != route,
                "{} and {} are one interchange",
                a.id,
                other.id
            );
        }
    }
}

#[test]
fn r11_the_tdi_flag_agrees_with_a_zone_criterion() {
    // The import flags sites inside a Territoire d'industrie; the engine's zone
    // criterion on the layer's polygons must say the same of every site.
    let engine = Engine::new(Catalog::from_path(data_dir()).unwrap());
    let brief = Brief::from_toml_str(
        "[filter]\nlayers = [\"friches\"]\n[[criterion]]\nname = \"tdi\"\ntype = \"zone\"\n\
         layer = \"territoires_industrie\"\n",
    )
    .unwrap();
    let ranking = engine.rank(&brief).unwrap();
    let friches = engine.layer("friches").unwrap().layer();
    let flag: std::collections::HashMap<&str, String> = friches
        .features
        .iter()
        .map(|f| {
            (
                f.id.as_str(),
                f.attribute("tdi").as_text().unwrap_or_default(),
            )
        })
        .collect();
    let mut inside = 0;
    for s in ranking.ranked_sites() {
        // DDT08 polygons are tested as polygons by the engine, by their centroid here.
        let polygon = matches!(
            s.geometry,
            geo::Geometry::Polygon(_) | geo::Geometry::MultiPolygon(_)
        );
        if polygon {
            continue;
        }
        let zone = s.criteria[0].score == 1.0;
        inside += usize::from(zone);
        assert_eq!(flag[s.site_id.as_str()] == "oui", zone, "{}", s.site_id);
    }
    assert!(inside > 10_000, "{inside}");
}

#[test]
fn r11_power_lines_are_measured_to_their_geometry() {
    let catalog = Catalog::from_path(data_dir()).unwrap();
    let layer = catalog.layer("power_lines").unwrap().clone();
    assert_eq!(layer.measure, sitematch::Measure::Geometry);
    let index = sitematch::IndexedLayer::new(layer);
    for f in index.layer().features.iter().step_by(97) {
        let geo::Geometry::LineString(l) = &f.geometry else {
            panic!("{} is not a line", f.id);
        };
        // On a vertex: 0 m to the network; the line's centroid may be kilometres away.
        let vertex = geo::Point(l.0[l.0.len() / 2]);
        let (_, d) = index.nearest(vertex, |_| true).unwrap();
        assert!(d < 0.01, "{}: {d} m", f.id);
        // 0.01° of latitude (1.11 km) north of a vertex: at most that far.
        let north = geo::Point::new(vertex.x(), vertex.y() + 0.01);
        let (_, d) = index.nearest(north, |_| true).unwrap();
        assert!(d <= 1_113.0, "{}: {d} m", f.id);
    }
}

#[test]
fn every_example_brief_runs_on_the_default_data() {
    let engine = Engine::new(Catalog::from_path(data_dir()).unwrap());
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/briefs");
    let mut briefs: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    briefs.sort();
    assert!(briefs.len() >= 4);
    for path in briefs {
        let brief = Brief::from_path(&path).unwrap();
        let ranking = engine.rank(&brief).unwrap();
        assert!(
            ranking.ranked >= brief.top,
            "{}: only {} sites ranked",
            path.display(),
            ranking.ranked
        );
        // A brief that asks for a motorway within max_km gets no site beyond it.
        if let Some(i) = ranking.criteria.iter().position(|c| c.name == "motorway") {
            for s in ranking.ranked_sites().iter().take(brief.top) {
                let sitematch::CriterionValue::Number(Some(km)) = s.criteria[i].value else {
                    panic!("{}: {} has no motorway distance", path.display(), s.site_id);
                };
                assert!(
                    km < 40.0,
                    "{}: {} is {km} km away",
                    path.display(),
                    s.site_id
                );
            }
        }
        // What a consultant would throw out of a shortlist (issue 11): among the first
        // 20 kept sites, none at the same place as another (within 50 m), no spoil
        // heap, quarry or landfill, no farmland or natural zone.
        let attr = |s: &sitematch::SiteResult, name: &str| {
            let i = ranking.attributes.iter().position(|a| a.name == name);
            i.and_then(|i| s.attributes[i].as_text())
                .unwrap_or_default()
        };
        let kept: Vec<&sitematch::SiteResult> = ranking
            .ranked_sites()
            .iter()
            .filter(|s| s.decision.shortlisted != Some(false))
            .take(20)
            .collect();
        for (k, s) in kept.iter().enumerate() {
            let what = format!("{}: {} (rank {:?})", path.display(), s.site_id, s.rank);
            assert_eq!(attr(s, "extraction"), "non", "{what}");
            assert_eq!(attr(s, "landfill"), "non", "{what}");
            assert!(!["N", "A"].contains(&attr(s, "zoning").as_str()), "{what}");
            for t in &kept[..k] {
                assert!(
                    small_distance_m(s.location.x_y(), t.location.x_y()) > 50.0,
                    "{what} is at the place of {}",
                    t.site_id
                );
            }
        }
        // Land take avoided, recomputed from each site's area and zoning attribute.
        if let Some(need) = brief.need_ha {
            for s in ranking.ranked_sites() {
                let zoning = attr(s, "zoning");
                let expected = s.area_ha.map(|a| {
                    if zoning.starts_with('N') || zoning == "A" {
                        0.0
                    } else {
                        a.min(need)
                    }
                });
                assert_eq!(s.land_take_avoided_ha, expected, "{}", s.site_id);
            }
        }
        let out = tempfile::tempdir().unwrap();
        let file = out.path().join("ranking.geojson");
        let w = std::fs::File::create(&file).unwrap();
        write_geojson(&ranking, &OutputOptions::for_ranking(&ranking), w).unwrap();
        if let Some((count, fields)) = crate::output::ogrinfo(&file) {
            // A diverse shortlist also writes the sites it dropped, with the reason.
            assert!(count >= brief.top, "{}", path.display());
            assert!(fields.iter().any(|(n, t)| n == "score" && t == "Real"));
            assert!(fields.iter().any(|(n, t)| n == "rank" && t == "Integer"));
        }
    }
}

/// Every interchange has a name a client can read: the ROUTE 120 ones (which have no
/// name in their source) are named by their exit number and the nearest commune, and
/// that commune is the nearest by geodesic distance (checked on every 40th of them
/// against a scan of all 34,973 commune points); the friches' commune names are
/// written as the communes layer writes them.
#[test]
fn interchanges_and_communes_have_readable_names() {
    use geo::{Distance, Geodesic, Point};
    let motorway = csv_rows(&data_dir().join("motorway.csv"));
    assert!(motorway.iter().all(|r| !r[1].trim().is_empty()));
    let communes = csv_rows(&data_dir().join("communes.csv"));
    let point = |r: &csv::StringRecord, x: usize, y: usize| {
        Point::new(r[x].parse::<f64>().unwrap(), r[y].parse::<f64>().unwrap())
    };
    let r120: Vec<_> = motorway
        .iter()
        .filter(|r| r[0].starts_with("r120_"))
        .collect();
    assert!(r120.len() > 2000, "{}", r120.len());
    for r in r120.iter().step_by(40) {
        let at = point(r, 10, 11);
        let (prefix, place) = r[1].split_once(", ").unwrap();
        match &r[5] {
            "" => assert_eq!(prefix, "Échangeur"),
            exit => assert_eq!(prefix, format!("Sortie {exit}")),
        }
        let d = |c: &csv::StringRecord| Geodesic.distance(at, point(c, 2, 3));
        let nearest = communes.iter().map(d).fold(f64::INFINITY, f64::min);
        let named = communes
            .iter()
            .filter(|c| &c[1] == place)
            .map(d)
            .fold(f64::INFINITY, f64::min);
        assert!(
            named <= nearest + 50.0,
            "{}: {named} m, nearest {nearest} m",
            &r[1]
        );
    }
    let friches = csv_rows(&data_dir().join("friches.csv"));
    let nom = column(&data_dir().join("friches.csv"), "commune_nom");
    let commune = column(&data_dir().join("friches.csv"), "commune");
    let rennes_side = friches.iter().find(|f| &f[commune] == "35281").unwrap();
    assert_eq!(&rennes_side[nom], "Saint-Jacques-de-la-Lande");
    let la_fere = friches.iter().find(|f| &f[commune] == "02304").unwrap();
    assert_eq!(&la_fere[nom], "La Fère");
}

/// The six-criterion brief over every friche, with its weights replaced.
fn six_criteria(weights: &[f64], method: &str) -> Brief {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/perf/six_criteria.toml"),
    )
    .unwrap();
    let mut v: toml::Value = toml::from_str(&text).unwrap();
    for (c, w) in v["criterion"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .zip(weights)
    {
        c.as_table_mut()
            .unwrap()
            .insert("weight".into(), toml::Value::Float(*w));
    }
    v.as_table_mut()
        .unwrap()
        .insert("method".into(), toml::Value::String(method.into()));
    Brief::from_toml_str(&toml::to_string(&v).unwrap()).unwrap()
}

/// Re-weighing a national ranking gives what ranking the brief again with the new
/// weights gives: the same order of every friche, the same scores (to the bit for the
/// weighted sum, within 1e-9 for TOPSIS), and `top` is `rank`'s head.
#[test]
fn reweighing_a_national_ranking_is_ranking_again_with_the_new_weights() {
    let engine = Engine::new(Catalog::from_path(data_dir()).unwrap());
    let before = [1.0, 1.0, 1.0, 3.0, 1.0, 1.0];
    for (method, tolerance) in [("weighted-sum", 0.0), ("topsis", 1e-9)] {
        let ranking = engine.rank(&six_criteria(&before, method)).unwrap();
        let table = sitematch::Reweigh::new(&ranking).unwrap();
        assert_eq!(table.len(), ranking.ranked);
        assert!(table.len() > 20_000, "{}", table.len());
        for after in [
            [0.0, 2.0, 0.5, 1.0, 4.0, 1.0],
            [5.0, 0.0, 0.0, 0.0, 0.0, 1.0],
        ] {
            let again = engine.rank(&six_criteria(&after, method)).unwrap();
            let placed = table.rank(&after).unwrap();
            assert_eq!(placed.len(), again.ranked);
            let mut moved = 0;
            for (p, s) in placed.iter().zip(&again.sites) {
                let ours = &ranking.sites[p.site];
                let theirs = s.score.unwrap();
                assert!(
                    (p.score - theirs).abs() <= tolerance,
                    "{method} {after:?}: {} {} vs {theirs}",
                    ours.site_id,
                    p.score
                );
                if tolerance == 0.0 {
                    assert_eq!(ours.site_id, s.site_id, "{method} {after:?}");
                }
                moved += usize::from(ours.rank != s.rank);
            }
            // Near-ties may swap under TOPSIS's last bits; the weights did move sites.
            assert!(moved > 1000, "{method} {after:?}: {moved} sites moved");
            let top = table.top(&after, 25).unwrap();
            assert_eq!(top, placed[..25].to_vec(), "{method}");
        }
    }
}
