//! Helpers shared by the command's tests.

use std::path::{Path, PathBuf};

/// The workspace's fixtures folder (`tests/fixtures` at the repository root).
pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures")
}

/// Writes `text` to `name` in a new temporary folder and returns (folder, path).
pub fn temp_file(name: &str, text: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join(name);
    std::fs::write(&path, text).expect("write temp file");
    (dir, path)
}

/// Asserts that `text` (a message) mentions every one of `needles`, naming the first
/// it lacks.
#[track_caller]
pub fn assert_mentions(text: &str, needles: &[&str]) {
    for n in needles {
        assert!(text.contains(n), "{n:?} is not in: {text}");
    }
}
