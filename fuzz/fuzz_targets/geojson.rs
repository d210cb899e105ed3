#![no_main]
//! The GeoJSON reader, through a whole catalog load and a ranking.

use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let _ = std::fs::write(common::dir().join("s.geojson"), data);
    common::load_and_rank(
        "[[layer]]\nname = \"s\"\nrole = \"sites\"\npath = \"s.geojson\"\nlabel = \"nom\"\narea_ha = \"ha\"\n",
    );
});
