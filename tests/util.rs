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
