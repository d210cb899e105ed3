#![no_main]
//! The OpenStreetMap PBF reader of network layers, through a whole catalog load and a
//! drive-time ranking on the network it gives. Seed it with the extracts in
//! `../shared/data/raw/osm/` (`seed.sh`).

use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
#[allow(dead_code)]
mod common;

/// libFuzzer's panic hook aborts on any panic, even one the library catches. The PBF
/// reader (`osmpbf`) panics on overflowing coordinates, which sitematch catches and
/// reports as an unreadable file: those alone are let through to that catch; any
/// other panic still aborts.
fn let_pbf_reader_panics_through() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let abort = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let in_reader = info
                .location()
                .is_some_and(|l| l.file().contains("/osmpbf-"));
            if !in_reader {
                abort(info);
            }
        }));
    });
}

fuzz_target!(|data: &[u8]| {
    let_pbf_reader_panics_through();
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
