#![no_main]
//! The OpenStreetMap PBF reader of network layers, through a whole catalog load and a
//! drive-time ranking on the network it gives. Seed it with the extracts in
//! `../shared/data/raw/osm/` (`seed.sh`).

use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
#[allow(dead_code)]
mod common;

fuzz_target!(|data: &[u8]| {
    let d = common::dir();
    let _ = std::fs::write(d.join("roads.osm.pbf"), data);
    let _ = std::fs::write(d.join("p.csv"), "id,x,y\na,7.42,43.73\nb,7.43,43.74\n");
    let _ = std::fs::write(
        d.join("catalog.toml"),
        "[[layer]]\nname = \"roads\"\nrole = \"network\"\npath = \"roads.osm.pbf\"\n\n\
         [[layer]]\nname = \"p\"\nrole = \"sites\"\npath = \"p.csv\"\nid = \"id\"\nx = \"x\"\ny = \"y\"\n",
    );
    if let Ok(c) = sitematch::Catalog::from_path(&d) {
        let engine = sitematch::Engine::new(c);
        if let Ok(brief) = sitematch::Brief::from_toml_str(
            "[[criterion]]\nname = \"d\"\ntype = \"distance\"\nlayer = \"p\"\ntravel = \"drive\"\n\
             ideal_min = 1\nzero_min = 10\n",
        ) {
            let _ = engine.rank(&brief);
        }
    }
});
