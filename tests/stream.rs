//! Streamed layers (`stream = true`): the national friches read a chunk at a time
//! rank as the loaded friches do; what needs every site is refused at its key; bad
//! rows are counted and warned of, or stop a strict load.

use std::path::{Path, PathBuf};

use sitematch::{Brief, Catalog, Engine};

use crate::util::{assert_mentions, put};

fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data")
}

/// The default data set's catalog, written in `dir` with absolute paths, its friches
/// layer streamed.
fn streamed_catalog(dir: &Path) -> PathBuf {
    let text = std::fs::read_to_string(data_dir().join("catalog.toml")).unwrap();
    let mut out = String::new();
    for line in text.lines() {
        let absolute = ["path = \"", "nodes = \""]
            .iter()
            .find_map(|k| line.strip_prefix(k).map(|rest| (k, rest)));
        match absolute {
            Some((k, rest)) => out.push_str(&format!("{k}{}/{rest}\n", data_dir().display())),
            None => out.push_str(&format!("{line}\n")),
        }
        if line == "name = \"friches\"" {
            out.push_str("stream = true\n");
        }
    }
    assert!(out.contains("stream = true"), "no friches layer");
    let path = dir.join("catalog.toml");
    std::fs::write(&path, out).unwrap();
    path
}

/// Every ranked site of a streamed ranking is the loaded ranking's site at the same
/// place: id, score (to the bit), each criterion's result, attributes, area, land
/// take; the counts and columns are the same. (The Pareto column is left out: a
/// streamed ranking does not hold the sites it would need.)
#[test]
fn streamed_friches_rank_as_the_loaded_friches() {
    let loaded = Engine::new(Catalog::from_path(data_dir()).unwrap());
    let dir = tempfile::tempdir().unwrap();
    let catalog = Catalog::from_path(streamed_catalog(dir.path())).unwrap();
    assert_eq!(catalog.streams.len(), 1);
    assert!(catalog.layer("friches").is_none());
    // `sitematch layers` lists it, as streamed.
    let table = sitematch::output::layers_table(&catalog);
    let row = table.lines().find(|l| l.starts_with("friches")).unwrap();
    assert!(row.contains("streamed") && row.contains("sites"), "{row}");
    let streamed = Engine::new(catalog);
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for brief in [
        "examples/perf/six_criteria.toml",
        "examples/briefs/battery_hauts_de_france.toml",
        "examples/briefs/agrifood_nouvelle_aquitaine.toml",
    ] {
        let b = Brief::from_path(root.join(brief)).unwrap();
        let a = loaded.rank(&b).unwrap();
        let s = streamed.rank(&b).unwrap();
        let counts = s.streamed.as_ref().expect("a streamed ranking");
        assert_eq!(counts.layers, ["friches"]);
        // The friches are more than one chunk.
        assert!(counts.considered > sitematch::STREAM_CHUNK, "{brief}");
        assert_eq!(s.counts(), a.counts(), "{brief}");
        assert_eq!(s.attributes, a.attributes, "{brief}");
        assert_eq!(s.ranked, a.ranked.min(b.top), "{brief}");
        for (x, y) in s.ranked_sites().iter().zip(a.ranked_sites()) {
            assert_eq!(x.site_id, y.site_id, "{brief}");
            assert_eq!(x.rank, y.rank);
            assert_eq!(x.score.map(f64::to_bits), y.score.map(f64::to_bits));
            assert_eq!(x.criteria, y.criteria);
            assert_eq!(x.attributes, y.attributes);
            assert_eq!(
                (x.area_ha, x.land_take_avoided_ha),
                (y.area_ha, y.land_take_avoided_ha)
            );
            assert_eq!(
                (&x.label, &x.commune, &x.geometry),
                (&y.label, &y.commune, &y.geometry)
            );
            assert_eq!(x.decision.pareto, None);
        }
        // The metadata counts every site read.
        let meta = sitematch::output::metadata(&s);
        assert_eq!(meta["sites_considered"], a.counts().0);
        assert_eq!(meta["sites_ranked"], a.counts().1);
        assert_eq!(meta["streamed"]["layers"][0], "friches");
        // Its shortlist alone cannot be re-weighed: others could come in.
        let e = sitematch::Reweigh::new(&s).unwrap_err();
        assert!(e.contains("streamed"), "{e}");
    }
}

/// TOPSIS, robustness, a diverse shortlist, a criterion measuring to the streamed
/// layer, and a streamed layer ranked with a loaded one are refused at their keys.
#[test]
fn what_needs_every_site_is_refused_at_its_key() {
    let dir = tempfile::tempdir().unwrap();
    let engine = Engine::new(Catalog::from_path(streamed_catalog(dir.path())).unwrap());
    let base = "[filter]\nlayers = [\"friches\"]\n[[criterion]]\nname = \"land\"\ntype = \"attribute\"\nfield = \"area_ha\"\nideal = 50\nzero = 0\n";
    for (extra, key, words) in [
        ("method = \"topsis\"\n", "method", "TOPSIS"),
        ("[robustness]\nruns = 100\n", "robustness", "robustness"),
        (
            "[output]\nmin_spacing_km = 10\n",
            "output",
            "diverse shortlist",
        ),
    ] {
        // Top-level keys go before the tables.
        let text = if extra.starts_with('[') {
            format!("{base}{extra}")
        } else {
            format!("{extra}{base}")
        };
        let e = engine
            .rank(&Brief::from_toml_str(&text).unwrap())
            .unwrap_err();
        let sitematch::Error::Brief(p) = &e else {
            panic!("{e}")
        };
        assert_eq!(p.problems[0].key, key, "{e}");
        assert_mentions(&p.problems[0].message, &["streamed", words]);
    }
    let both = base.replace("[\"friches\"]", "[\"friches\", \"port_zones\"]");
    let e = engine
        .rank(&Brief::from_toml_str(&both).unwrap())
        .unwrap_err();
    assert_mentions(&e.to_string(), &["filter.layers", "streamed", "port_zones"]);
    let to_itself = format!(
        "{base}[[criterion]]\nname = \"near\"\ntype = \"distance\"\nlayer = \"friches\"\nideal_km = 1\nzero_km = 10\n"
    );
    let e = engine
        .rank(&Brief::from_toml_str(&to_itself).unwrap())
        .unwrap_err();
    assert_mentions(&e.to_string(), &["criterion[1]"]);
}

/// Rows that cannot be read are skipped and counted, with a warning naming the
/// first; a strict load stops at it. The chunks are read in the file's order: the
/// counts do not depend on where a chunk ends.
#[test]
fn bad_rows_of_a_streamed_layer_are_counted_and_warned_of() {
    let dir = tempfile::tempdir().unwrap();
    let mut sites = String::from("id,x,y,kind\n");
    for i in 0..40_000 {
        match i % 10_000 {
            7 => sites.push_str(&format!("s{i},not-a-number,48.0,a\n")),
            8 => sites.push_str(&format!("s{i},,,a\n")),
            _ => sites.push_str(&format!(
                "s{i},{},{},{}\n",
                2.0 + (i % 100) as f64 * 0.01,
                48.0 + (i / 100) as f64 * 0.001,
                if i % 2 == 0 { "a" } else { "b" }
            )),
        }
    }
    put(dir.path(), "sites.csv", sites);
    put(dir.path(), "towns.csv", "id,x,y\nt0,2.5,48.2\n");
    let catalog = "[[layer]]\nname = \"sites\"\nrole = \"sites\"\nstream = true\npath = \"sites.csv\"\nid = \"id\"\nx = \"x\"\ny = \"y\"\n[layer.fields]\nkind = \"kind\"\n[[layer]]\nname = \"towns\"\nrole = \"facilities\"\npath = \"towns.csv\"\nid = \"id\"\nx = \"x\"\ny = \"y\"\n";
    put(dir.path(), "catalog.toml", catalog);
    let brief = Brief::from_toml_str(
        "top = 3\n[filter]\nlayers = [\"sites\"]\nwhere = { kind = [\"a\"] }\n[[criterion]]\nname = \"town\"\ntype = \"distance\"\nlayer = \"towns\"\nideal_km = 0\nzero_km = 50\n",
    )
    .unwrap();
    let engine = Engine::new(Catalog::from_path(dir.path()).unwrap());
    let r = engine.rank(&brief).unwrap();
    let s = r.streamed.as_ref().unwrap();
    assert_eq!((s.considered, s.skipped), (40_000 - 8, 8));
    // Half the readable sites are of kind "a"; the unreadable ones (7, 8 mod 10,000)
    // are one odd and one even.
    assert_eq!((s.ranked, s.excluded), (19_996, 19_996));
    let w = &r.warnings[0];
    assert_eq!(w.key, "data.sites");
    assert_mentions(
        &w.message,
        &[
            "8 of the 40000 features",
            "bad_coordinate 4",
            "no_geometry 4",
            "line 9",
        ],
    );
    // A catalog bbox over half the sites (longitudes below 2.495): the others are
    // counted and warned of, not dropped in silence.
    let half = catalog.replacen(
        "stream = true\n",
        "stream = true\nbbox = [1.0, 47.0, 2.495, 49.0]\n",
        1,
    );
    put(dir.path(), "catalog.toml", &half);
    let r = Engine::new(Catalog::from_path(dir.path()).unwrap())
        .rank(&brief)
        .unwrap();
    let s = r.streamed.as_ref().unwrap();
    assert_eq!(
        (s.considered, s.skipped, s.outside_bbox),
        (20_000 - 8, 8, 20_000)
    );
    let w = r
        .warnings
        .iter()
        .find(|w| w.kind == sitematch::WarningKind::OutsideBbox)
        .unwrap();
    assert_eq!(w.key, "data.sites");
    assert_mentions(
        &w.message,
        &["20000 of the 40000 features", "were not ranked"],
    );
    put(dir.path(), "catalog.toml", catalog);
    let strict = Catalog::builder(dir.path()).strict(true).build().unwrap();
    let e = Engine::new(strict).rank(&brief).unwrap_err();
    assert_mentions(&e.to_string(), &["sites.csv", "line 9"]);
}

/// A GeoParquet file streamed (10,000 points in four row groups, written by
/// GeoPandas): its chunks, whatever their size, hold the features the loaded layer
/// holds, in file order; and a brief over it ranks as over the layer loaded.
#[test]
fn a_streamed_geoparquet_reads_and_ranks_as_loaded() {
    let src = crate::util::fixtures().join("geoparquet_written/out/grid.parquet");
    let dir = tempfile::tempdir().unwrap();
    let layer = |stream: &str| {
        format!(
            "[[layer]]\nname = \"grid\"\nrole = \"sites\"\n{stream}path = \"{}\"\nid = \"id\"\nlabel = \"name\"\n[layer.fields]\ncode = \"code\"\njobs = \"jobs\"\nrate = \"rate\"\n\
             [[layer]]\nname = \"towns\"\nrole = \"facilities\"\npath = \"towns.csv\"\nid = \"id\"\nx = \"x\"\ny = \"y\"\n",
            src.display()
        )
    };
    put(
        dir.path(),
        "towns.csv",
        "id,x,y\nt0,2.35,48.85\nt1,4.83,45.76\n",
    );
    let loaded = crate::util::catalog_in(dir.path(), layer("")).unwrap();
    let whole = loaded.layer("grid").unwrap().features.clone();
    assert_eq!(whole.len(), 10_000);
    let streamed = crate::util::catalog_in(dir.path(), layer("stream = true\n")).unwrap();
    let s = &streamed.streams[0];
    assert_eq!(s.shell().format, sitematch::Format::GeoParquet);
    for size in [1, 5_000, 8_192, 20_000] {
        let mut read = Vec::new();
        let mut chunks = 0;
        for chunk in s.chunks(size).unwrap() {
            read.extend(chunk.unwrap().features);
            chunks += 1;
        }
        // Whole batches of 8,192 rows: two chunks at most.
        assert!(
            chunks <= 10_000usize.div_ceil(size.max(1)).min(2),
            "{size}: {chunks}"
        );
        assert_eq!(read, whole, "{size}");
    }
    let brief = Brief::from_toml_str(
        "top = 7\n[filter]\nlayers = [\"grid\"]\n[[criterion]]\nname = \"town\"\ntype = \"distance\"\nlayer = \"towns\"\nideal_km = 5\nzero_km = 400\n[[criterion]]\nname = \"jobs\"\ntype = \"attribute\"\nfield = \"jobs\"\nideal = 1000\nzero = 0\n",
    )
    .unwrap();
    let a = Engine::new(loaded).rank(&brief).unwrap();
    let b = Engine::new(streamed).rank(&brief).unwrap();
    assert_eq!(b.counts(), a.counts());
    assert_eq!(b.attributes, a.attributes);
    let ids = |r: &sitematch::Ranking| -> Vec<(String, Option<u64>)> {
        r.ranked_sites()
            .iter()
            .take(7)
            .map(|s| (s.site_id.to_string(), s.score.map(f64::to_bits)))
            .collect()
    };
    assert_eq!(ids(&b), ids(&a));
}
