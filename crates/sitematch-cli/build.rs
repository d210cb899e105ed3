//! Packs the default data set (`data/` at the workspace root) into the binary: a
//! gzipped tar in OUT_DIR that `src/data.rs` includes and unpacks on first use, so
//! that an installed or copied `sitematch` ranks the example briefs anywhere. The
//! archive is reproducible (entries sorted, times and owners zeroed); its hash names
//! the folder it unpacks to.

use std::hash::Hasher;
use std::path::{Path, PathBuf};

fn main() {
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let data = manifest.join("../../data");
    println!("cargo:rerun-if-changed={}", data.display());
    let out = PathBuf::from(std::env::var_os("OUT_DIR").unwrap_or_default()).join("data.tar.gz");
    let bytes = match archive(&data) {
        Ok(b) => b,
        Err(e) => panic!("packing the data set {}: {e}", data.display()),
    };
    if let Err(e) = std::fs::write(&out, &bytes) {
        panic!("writing {}: {e}", out.display());
    }
    let mut h = std::collections::hash_map::DefaultHasher::new();
    h.write(&bytes);
    println!("cargo:rustc-env=SITEMATCH_DATA_HASH={:016x}", h.finish());
}

/// The files of `dir` (not its subfolders), sorted by name, as a gzipped tar.
fn archive(dir: &Path) -> std::io::Result<Vec<u8>> {
    let mut names: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .collect();
    names.sort();
    let gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    let mut tar = tar::Builder::new(gz);
    for path in names {
        let content = std::fs::read(&path)?;
        let mut header = tar::Header::new_gnu();
        header.set_size(content.len() as u64);
        header.set_mode(0o644);
        header.set_mtime(0);
        header.set_uid(0);
        header.set_gid(0);
        let name = path.file_name().unwrap_or_default();
        tar.append_data(&mut header, name, content.as_slice())?;
    }
    tar.into_inner()?.finish()
}
