//! Ranks a brief against a data set with the library and writes GeoJSON.
//!
//! ```sh
//! cargo run --example rank -- tests/fixtures/rank/brief.toml tests/fixtures/rank ranking.geojson
//! ```
//!
//! The engine is built once and is `Send + Sync`: the same engine runs the brief
//! again from another thread, and the rankings agree.

use std::sync::Arc;

use sitematch::output::{write_geojson, OutputOptions};
use sitematch::{Brief, Catalog, Engine};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [brief, data, out] = args.as_slice() else {
        return Err("usage: rank BRIEF DATA_DIR OUT.geojson".into());
    };
    let engine = Arc::new(Engine::new(Catalog::from_path(data)?));
    let brief = Arc::new(Brief::from_path(brief)?);
    let ranking = engine.rank(&brief)?;

    let (e, b) = (Arc::clone(&engine), Arc::clone(&brief));
    let again = std::thread::spawn(move || e.rank(&b))
        .join()
        .map_err(|_| "thread panicked")??;
    assert_eq!(ranking, again);

    let file = std::io::BufWriter::new(std::fs::File::create(out)?);
    write_geojson(&ranking, &OutputOptions::for_ranking(&ranking), file)?;
    for s in ranking.ranked_sites().iter().take(3) {
        println!(
            "{:>3}. {} {:.1}  {}",
            s.rank.unwrap_or(0),
            s.site_id,
            s.score.unwrap_or(0.0),
            s.label.as_deref().unwrap_or("")
        );
    }
    println!(
        "wrote {} ranked sites to {out}",
        ranking.ranked.min(ranking.top)
    );
    Ok(())
}
