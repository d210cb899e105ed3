//! Helpers shared by the integration tests.

use std::path::{Path, PathBuf};

/// The fixtures folder.
pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// `../shared/data/raw` beside the project, or `None` (with a note) when it is absent.
/// Under CI (`CI=true`) it always exists, so its absence fails the test.
pub fn shared_raw() -> Option<PathBuf> {
    let raw = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/raw");
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

/// Distance in metres between two lon/lat points a few metres apart at most
/// (equirectangular; exact enough for centimetre checks).
pub fn small_distance_m(a: (f64, f64), b: (f64, f64)) -> f64 {
    let m_per_deg = 111_320.0;
    let dx = (a.0 - b.0) * m_per_deg * a.1.to_radians().cos();
    let dy = (a.1 - b.1) * m_per_deg;
    dx.hypot(dy)
}

/// Writes `text` to `name` in a new temporary folder and returns (folder, path).
pub fn temp_file(name: &str, text: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join(name);
    std::fs::write(&path, text).expect("write temp file");
    (dir, path)
}

/// Runs a GDAL command line tool (`ogrinfo`, `ogr2ogr`) and returns its (stdout,
/// stderr), asserting it succeeded; `None` (with a note) when GDAL is not installed,
/// except under CI, which installs it.
pub fn gdal(tool: &str, args: &[&str]) -> Option<(String, String)> {
    let out = match std::process::Command::new(tool).args(args).output() {
        Ok(o) => o,
        Err(_) if std::env::var("CI").is_ok_and(|v| v == "true") => {
            panic!("{tool} is missing; .ci/run installs gdal-bin")
        }
        Err(_) => {
            eprintln!("note: {tool} (gdal-bin) is not installed; skipping the GDAL read-back");
            return None;
        }
    };
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    );
    assert!(out.status.success(), "{tool} {args:?} failed: {stderr}");
    Some((stdout, stderr))
}

/// GDAL's reading of a source (a file, or a `PG:` connection), taken to WGS 84 by
/// PROJ, as RFC 7946 GeoJSON features: `ogr2ogr` with `options` before the source
/// (open options, `-s_srs`) and `layers` after it. `None` where GDAL is not installed
/// (a failure under CI); a GDAL warning fails.
pub fn gdal_wgs84_features(
    options: &[&str],
    source: &str,
    layers: &[&str],
) -> Option<Vec<serde_json::Value>> {
    let mut args = vec![
        "-f",
        "GeoJSON",
        "-t_srs",
        "EPSG:4326",
        "-lco",
        "RFC7946=YES",
        "-lco",
        "COORDINATE_PRECISION=9",
    ];
    args.extend(options);
    args.extend(["/vsistdout/", source]);
    args.extend(layers);
    let (out, err) = gdal("ogr2ogr", &args)?;
    assert!(err.trim().is_empty(), "{source}: GDAL warned: {err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    Some(v["features"].as_array().unwrap().clone())
}

/// What `ogrinfo -so` says of one layer.
#[derive(Debug)]
pub struct OgrLayer {
    /// Feature count.
    pub count: usize,
    /// Geometry type (`Point`, `Multi Polygon`, `None`).
    pub geometry: String,
    /// (field, GDAL type) pairs, in order.
    pub fields: Vec<(String, String)>,
    /// The whole `ogrinfo` text, and its warnings.
    pub text: String,
    pub stderr: String,
}

/// `ogrinfo -ro -so` of one layer of a file (every layer when `layer` is `None`: the
/// fields are then those of the first); `None` when GDAL is not installed (see
/// [`gdal`]).
pub fn ogr_layer(path: &Path, layer: Option<&str>) -> Option<OgrLayer> {
    let path = path.to_str().expect("UTF-8 path");
    let mut args = vec!["-ro", "-so"];
    match layer {
        Some(l) => args.extend([path, l]),
        None => args.extend(["-al", path]),
    }
    let (text, stderr) = gdal("ogrinfo", &args)?;
    let find = |prefix: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(prefix))
            .map(|s| s.trim().to_string())
    };
    let count = find("Feature Count: ")
        .and_then(|n| n.parse().ok())
        .expect("ogrinfo gives a feature count");
    let geometry = find("Geometry: ").unwrap_or_else(|| "None".into());
    let after_srs = text
        .split("Data axis to CRS axis mapping")
        .nth(1)
        .unwrap_or(&text);
    let fields = after_srs
        .lines()
        .filter_map(|l| {
            let (name, rest) = l.split_once(": ")?;
            let typ = rest.split(" (").next()?;
            let known = ["String", "Integer", "Integer64", "Integer(Boolean)", "Real"];
            known
                .contains(&typ)
                .then(|| (name.trim().to_string(), typ.to_string()))
        })
        .collect();
    Some(OgrLayer {
        count,
        geometry,
        fields,
        text,
        stderr,
    })
}

/// The first of `candidates` that runs with `probe` and succeeds, or `None` with a
/// note that the test is skipped; under CI, which installs every tool the tests use,
/// its absence fails.
pub fn tool(candidates: &[&str], probe: &[&str], what: &str) -> Option<String> {
    for c in candidates {
        let ok = std::process::Command::new(c)
            .args(probe)
            .env("QT_QPA_PLATFORM", "offscreen")
            .output()
            .is_ok_and(|o| o.status.success());
        if ok {
            return Some(c.to_string());
        }
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("{what} is missing; .ci/run installs it");
    }
    eprintln!("note: {what} is not installed; skipping the test that needs it");
    None
}

/// Asserts that `text` (a message) mentions every one of `needles`, naming the first
/// it lacks.
#[track_caller]
pub fn assert_mentions(text: &str, needles: &[&str]) {
    for n in needles {
        assert!(text.contains(n), "{n:?} is not in: {text}");
    }
}

/// Writes `text` to the file `name` of folder `dir` (a test's temporary folder).
#[track_caller]
pub fn put(dir: &Path, name: &str, text: impl AsRef<[u8]>) {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
}

/// A layer of points, each `(id, lon, lat)`, without attributes.
pub fn point_layer(
    name: &str,
    role: sitematch::Role,
    points: &[(&str, f64, f64)],
) -> sitematch::Layer {
    let features = points
        .iter()
        .map(|&(id, lon, lat)| sitematch::Feature::point(id, lon, lat))
        .collect();
    sitematch::Layer::from_features(name, role, features)
}

/// Runs a command, asserts it succeeded (naming its stderr) and returns its stdout.
#[track_caller]
pub fn stdout_of(mut command: std::process::Command) -> String {
    let out = command
        .output()
        .unwrap_or_else(|e| panic!("{command:?}: {e}"));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{command:?} failed: {stderr}");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A ranking written as GeoJSON: its `top` sites, and the excluded ones if asked.
pub fn geojson_bytes(r: &sitematch::Ranking, top: usize, include_excluded: bool) -> Vec<u8> {
    let mut out = Vec::new();
    let opts = sitematch::output::OutputOptions {
        top,
        include_excluded,
    };
    sitematch::output::write_geojson(r, &opts, &mut out).expect("GeoJSON to memory");
    out
}

/// Writes `catalog` as `catalog.toml` in folder `dir` and loads that catalog.
#[track_caller]
pub fn catalog_in(dir: &Path, catalog: impl AsRef<[u8]>) -> sitematch::Result<sitematch::Catalog> {
    put(dir, "catalog.toml", catalog);
    sitematch::Catalog::from_path(dir)
}
