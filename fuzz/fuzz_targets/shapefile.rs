#![no_main]
//! The Shapefile reader: the input is split into .shp, .shx and .dbf (the first two
//! bytes give the split points), beside a Lambert-93 .prj.

use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    if data.len() < 2 {
        return;
    }
    let rest = &data[2..];
    let a = (data[0] as usize * rest.len()) / 256;
    let b = a + ((data[1] as usize * (rest.len() - a)) / 256);
    let d = common::dir();
    let _ = std::fs::write(d.join("f.shp"), &rest[..a]);
    let _ = std::fs::write(d.join("f.shx"), &rest[a..b]);
    let _ = std::fs::write(d.join("f.dbf"), &rest[b..]);
    let _ = std::fs::write(d.join("f.prj"), r#"PROJCS["RGF93 / Lambert-93",AUTHORITY["EPSG","2154"]]"#);
    common::load_and_rank("[[layer]]\nname = \"f\"\nrole = \"sites\"\npath = \"f.shp\"\n");
});
