//! The import reproduces the committed `data/` from the raw open data and matches
//! the raw counts.

use std::path::{Path, PathBuf};

/// The workspace root (the library's folder).
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn data_dir() -> PathBuf {
    root().join("data")
}

/// `../shared/data/raw` beside the project, or `None` (with a note) when it is absent.
/// Under CI (`CI=true`) it always exists, so its absence fails the test.
fn shared_raw() -> Option<PathBuf> {
    let raw = root().join("../shared/data/raw");
    if raw.is_dir() {
        return Some(raw);
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("{} is missing, and CI always has it", raw.display());
    }
    eprintln!(
        "note: {} is absent; skipping a test that reads the raw open data",
        raw.display()
    );
    None
}

fn csv_rows(path: &Path) -> Vec<csv::StringRecord> {
    csv::Reader::from_path(path)
        .unwrap()
        .records()
        .map(Result::unwrap)
        .collect()
}

#[test]
fn import_reproduces_the_committed_data_set() {
    let Some(raw) = shared_raw() else {
        return;
    };
    let out = tempfile::tempdir().unwrap();
    let summary = super::run(&raw, out.path()).unwrap();
    let mut files: Vec<String> = summary.layers.iter().map(|(_, f, _)| f.clone()).collect();
    files.push("catalog.toml".into());
    files.push("SOURCES.md".into());
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
    let ddt08_added = csv_rows(&out.path().join("friches.csv"))
        .iter()
        .filter(|r| r[0].starts_with("ddt08_"))
        .count();
    assert_eq!(count("friches"), 23_878 + ddt08_added);
    assert_eq!(count("communes"), 34_931 - 3 + 45);
    assert_eq!(count("airports"), 484);
    assert_eq!(count("seaports"), 78);
    assert_eq!(count("territoires_industrie"), 183);
    let rail = csv_rows(&out.path().join("rail.csv"));
    assert_eq!(rail.iter().filter(|r| &r[2] == "gare_fret").count(), 1_313);
    // 1,011 toll points are interchanges; grouped by (route, name) they make fewer.
    let motorway = csv_rows(&out.path().join("motorway.csv"));
    let toll_points: usize = motorway
        .iter()
        .map(|r| r[4].parse::<usize>().unwrap())
        .sum();
    assert_eq!(toll_points, 1_266);
}
