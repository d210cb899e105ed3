#![no_main]
//! The GeoPackage reader: the input is the file (SQLite pages, the GeoPackage tables,
//! the geometry blobs).

use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let _ = std::fs::write(common::dir().join("f.gpkg"), data);
    common::load_and_rank("[[layer]]\nname = \"f\"\nrole = \"sites\"\npath = \"f.gpkg\"\n");
});
