#![no_main]
//! The CSV reader (Lambert-93, `;`, decimal comma, Latin-1; and a WKT layer), through a
//! whole catalog load and a ranking.

use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let _ = std::fs::write(common::dir().join("p.csv"), data);
    common::load_and_rank(
        "[[layer]]\nname = \"p\"\nrole = \"sites\"\npath = \"p.csv\"\ncrs = \"EPSG:2154\"\nx = \"x\"\ny = \"y\"\n\
         delimiter = \";\"\ndecimal = \",\"\nencoding = \"latin1\"\nid = \"id\"\narea_m2 = \"m2\"\n\n\
         [[layer]]\nname = \"w\"\nrole = \"sites\"\npath = \"p.csv\"\nwkt = \"x\"\ndelimiter = \";\"\n",
    );
});
