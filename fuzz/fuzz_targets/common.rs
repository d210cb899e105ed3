//! Shared by the file-based targets: a data folder reused across iterations.

use std::path::PathBuf;
use std::sync::OnceLock;

/// A temporary folder that lives as long as the fuzzing process.
pub fn dir() -> PathBuf {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| tempfile::tempdir().expect("temp dir")).path().to_path_buf()
}

/// Loads a catalog through the whole path (reader, reprojection, checks) and, when it
/// loads, ranks a brief on it: either may fail, neither may panic.
pub fn load_and_rank(catalog: &str) {
    let d = dir();
    std::fs::write(d.join("catalog.toml"), catalog).expect("write catalog");
    if let Ok(c) = sitematch::Catalog::from_path(&d) {
        let engine = sitematch::Engine::new(c);
        if let Ok(brief) = sitematch::Brief::from_toml_str(
            "[[criterion]]\nname = \"land\"\ntype = \"attribute\"\nfield = \"area_ha\"\nideal = 10\nzero = 0\n",
        ) {
            let _ = engine.rank(&brief);
        }
    }
}
