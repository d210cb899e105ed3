#![no_main]
//! The GeoParquet reader: the input is the file.

use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let _ = std::fs::write(common::dir().join("f.parquet"), data);
    common::load_and_rank("[[layer]]\nname = \"f\"\nrole = \"sites\"\npath = \"f.parquet\"\n");
});
