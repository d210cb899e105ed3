//! The data-set snapshot: read back equal to a load from the files, refreshed when a
//! file or the catalog changes, rebuilt (never trusted) when it is cut or altered.

use std::path::{Path, PathBuf};

use sitematch::{Catalog, SnapshotUse};

use crate::util::{fixtures, put};

/// A small data set of its own in a temporary folder (so that it can be edited): a
/// catalog and one CSV layer of three stations.
fn small_data_set() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    put(
        dir.path(),
        "catalog.toml",
        "[[layer]]\nname = \"gares\"\nrole = \"facilities\"\npath = \"gares.csv\"\n\
         x = \"lon\"\ny = \"lat\"\nid = \"id\"\n",
    );
    put(
        dir.path(),
        "gares.csv",
        "id,lon,lat\na,2.0,48.0\nb,2.1,48.1\nc,2.2,48.2\n",
    );
    dir
}

fn load(data: &Path, cache: &Path) -> (Catalog, SnapshotUse) {
    Catalog::builder(data)
        .cache(Some(cache.to_path_buf()))
        .build_noting()
        .unwrap()
}

/// Everything a catalog holds, as JSON: layers (features, skipped, names, paths) and
/// networks (nodes, arcs, components).
fn contents(c: &Catalog) -> String {
    serde_json::to_string(&(&c.layers, &c.networks)).unwrap()
}

fn the_file(used: &SnapshotUse) -> PathBuf {
    match used {
        SnapshotUse::Written(p) | SnapshotUse::Read(p) | SnapshotUse::Refreshed(p) => p.clone(),
        SnapshotUse::Rebuilt { path, .. } => path.clone(),
        other => panic!("no snapshot: {other:?}"),
    }
}

#[test]
fn a_snapshot_reads_back_what_the_files_give() {
    let cache = tempfile::tempdir().unwrap();
    // The default data set (every layer type, polygons, a road network) and a
    // fixture with an edge-list network.
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("data");
    for dir in [data, fixtures().join("network"), fixtures().join("catalog")] {
        let cold = Catalog::from_path(&dir).unwrap();
        let (first, used) = load(&dir, cache.path());
        assert!(matches!(used, SnapshotUse::Written(_)), "{used:?}");
        let (again, used) = load(&dir, cache.path());
        assert!(matches!(used, SnapshotUse::Read(_)), "{used:?}");
        assert_eq!(contents(&first), contents(&cold));
        assert_eq!(contents(&again), contents(&cold), "{}", dir.display());
        assert_eq!(again.path, cold.path);
    }
    // Read back, the network routes as the one loaded from its files.
    let dir = fixtures().join("network");
    let cold = Catalog::from_path(&dir).unwrap();
    let (warm, _) = load(&dir, cache.path());
    let (a, b) = (&cold.networks[0], &warm.networks[0]);
    let routes = a.fastest_km(0, false);
    assert!(routes.iter().filter(|r| r.is_some()).count() > 1);
    assert_eq!(routes, b.fastest_km(0, false));
}

#[test]
fn an_edited_file_or_catalog_refreshes_the_snapshot() {
    let cache = tempfile::tempdir().unwrap();
    let data = small_data_set();
    let (before, used) = load(data.path(), cache.path());
    assert!(matches!(used, SnapshotUse::Written(_)), "{used:?}");
    assert_eq!(before.layer("gares").unwrap().features.len(), 3);
    // A row added to the layer's file.
    let gares = data.path().join("gares.csv");
    let mut text = std::fs::read_to_string(&gares).unwrap();
    text.push_str("d,2.3,48.3\n");
    std::fs::write(&gares, text).unwrap();
    let (after, used) = load(data.path(), cache.path());
    assert!(matches!(used, SnapshotUse::Refreshed(_)), "{used:?}");
    assert_eq!(after.layer("gares").unwrap().features.len(), 4);
    // A value edited in place, the file's size and modification time unchanged (as
    // `touch -r`, `cp -p` or `rsync -a` leave them): its content tells.
    let mtime = std::fs::metadata(&gares).unwrap().modified().unwrap();
    let text = std::fs::read_to_string(&gares).unwrap();
    std::fs::write(&gares, text.replace("2.3,48.3", "2.4,48.3")).unwrap();
    std::fs::File::options()
        .write(true)
        .open(&gares)
        .unwrap()
        .set_modified(mtime)
        .unwrap();
    assert_eq!(
        std::fs::metadata(&gares).unwrap().modified().unwrap(),
        mtime
    );
    let (edited, used) = load(data.path(), cache.path());
    assert!(matches!(used, SnapshotUse::Refreshed(_)), "{used:?}");
    let d = edited
        .layer("gares")
        .unwrap()
        .features
        .iter()
        .find(|f| f.id == "d")
        .unwrap();
    assert_eq!(d.location.x(), 2.4);
    // A file beside the layer's (a .csvt sidecar) appears.
    put(data.path(), "gares.csvt", "String,Real,Real\n");
    let (_, used) = load(data.path(), cache.path());
    assert!(matches!(used, SnapshotUse::Refreshed(_)), "{used:?}");
    let (_, used) = load(data.path(), cache.path());
    assert!(matches!(used, SnapshotUse::Read(_)), "{used:?}");
    // The catalog edited: a layer renamed.
    let catalog = data.path().join("catalog.toml");
    let text = std::fs::read_to_string(&catalog).unwrap();
    std::fs::write(&catalog, text.replace("\"gares\"", "\"stations\"")).unwrap();
    let (renamed, used) = load(data.path(), cache.path());
    assert!(matches!(used, SnapshotUse::Refreshed(_)), "{used:?}");
    assert!(renamed.layer("stations").is_some() && renamed.layer("gares").is_none());
    // A strict load reads the files.
    let strict = Catalog::builder(data.path())
        .cache(Some(cache.path().to_path_buf()))
        .strict(true)
        .build_noting()
        .unwrap();
    assert_eq!(strict.1, SnapshotUse::Off);
}

#[test]
fn a_fifo_or_a_device_in_the_snapshots_place_is_never_read() {
    let cache = tempfile::tempdir().unwrap();
    let data = small_data_set();
    let (_, used) = load(data.path(), cache.path());
    let file = the_file(&used);
    // A FIFO would block the read for ever, /dev/zero fill memory: both are noted
    // and replaced by a snapshot (the link, not the device).
    std::fs::remove_file(&file).unwrap();
    let status = std::process::Command::new("mkfifo")
        .arg(&file)
        .status()
        .unwrap();
    assert!(status.success());
    let (_, used) = load(data.path(), cache.path());
    assert_eq!(
        used,
        SnapshotUse::Rebuilt {
            path: file.clone(),
            why: "not a regular file".into()
        }
    );
    assert!(std::fs::metadata(&file).unwrap().is_file());
    std::fs::remove_file(&file).unwrap();
    std::os::unix::fs::symlink("/dev/zero", &file).unwrap();
    let (catalog, used) = load(data.path(), cache.path());
    assert!(
        matches!(&used, SnapshotUse::Rebuilt { why, .. } if why == "not a regular file"),
        "{used:?}"
    );
    assert_eq!(catalog.layer("gares").unwrap().features.len(), 3);
    assert!(std::fs::symlink_metadata(&file).unwrap().is_file());
    let (_, used) = load(data.path(), cache.path());
    assert!(matches!(used, SnapshotUse::Read(_)), "{used:?}");
}

#[test]
fn a_cut_or_altered_snapshot_is_rebuilt_not_trusted() {
    let cache = tempfile::tempdir().unwrap();
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/network");
    let cold = contents(&Catalog::from_path(&data).unwrap());
    let (_, used) = load(&data, cache.path());
    let file = the_file(&used);
    let good = std::fs::read(&file).unwrap();
    let mut cases: Vec<(&str, Vec<u8>)> = vec![
        ("cut in half", good[..good.len() / 2].to_vec()),
        ("cut in its header", good[..20].to_vec()),
        ("empty", Vec::new()),
        ("not a snapshot", b"hello".repeat(100)),
    ];
    // One byte altered at several places of the payload.
    for at in [45, good.len() / 3, good.len() - 1] {
        let mut b = good.clone();
        b[at] ^= 0x55;
        cases.push(("a byte altered", b));
    }
    // The length in the header made to match a cut payload.
    let mut b = good[..good.len() - 10].to_vec();
    b[28..36].copy_from_slice(&((good.len() - 10 - 40) as u64).to_le_bytes());
    cases.push(("cut, its header edited to match", b));
    for (what, bytes) in cases {
        std::fs::write(&file, &bytes).unwrap();
        let (catalog, used) = load(&data, cache.path());
        match &used {
            SnapshotUse::Rebuilt { why, .. } => assert!(!why.is_empty()),
            other => panic!("{what}: {other:?}"),
        }
        assert_eq!(contents(&catalog), cold, "{what}");
        // Rebuilt whole: read next time.
        assert_eq!(std::fs::read(&file).unwrap(), good, "{what}");
        let (_, used) = load(&data, cache.path());
        assert!(matches!(used, SnapshotUse::Read(_)), "{what}: {used:?}");
    }
}

#[test]
fn an_unwritable_cache_is_reported_and_the_load_goes_on() {
    let blocker = tempfile::NamedTempFile::new().unwrap();
    // The cache folder is a file: it cannot be created.
    let cache = blocker.path().join("cache");
    let data = fixtures().join("network");
    let (catalog, used) = load(&data, &cache);
    assert!(matches!(used, SnapshotUse::NotWritten { .. }), "{used:?}");
    assert_eq!(
        contents(&catalog),
        contents(&Catalog::from_path(&data).unwrap())
    );
}
