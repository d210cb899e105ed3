//! Ranks N synthetic parcels streamed (`stream = true`) against the national
//! six-criterion brief over the default data set, and prints the time per candidate
//! and the process's peak memory: a parcel-level national search in bounded memory.
//!
//! ```sh
//! cargo run --release --example stream -- 10000000   # ten million parcels
//! cargo run --release --example stream -- 1000000 --keep /tmp/parcels   # keep the files
//! ```
//!
//! The parcels are points drawn around the communes of metropolitan France (a
//! commune's point, then up to 3 km away), each with an area of 0.1 to 40 ha, written
//! to a CSV file in a temporary folder with a catalog that streams it beside the
//! default data set's layers. Times are wall-clock on the machine at hand (shared and
//! noisy: compare the ratios).

use std::io::Write;
use std::path::Path;
use std::time::Instant;

use rand::{rngs::StdRng, Rng, SeedableRng};
use sitematch::{Brief, Catalog, Engine};

#[path = "support/mod.rs"]
mod support;
use support::peak_mb;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let n: usize = match args.first().map(|a| a.replace('_', "").parse()) {
        Some(Ok(n)) if (1..=100_000_000).contains(&n) => n,
        _ => return Err("give the number of parcels, 1 to 100000000: cargo run --release --example stream -- 10000000".into()),
    };
    let keep = args
        .iter()
        .position(|a| a == "--keep")
        .and_then(|i| args.get(i + 1));
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let data = root.join("data");
    let temp = tempfile::tempdir()?;
    let dir = keep.map_or_else(|| temp.path().to_path_buf(), std::path::PathBuf::from);
    std::fs::create_dir_all(&dir)?;
    println!(
        "sitematch {} on {} cores: {n} synthetic parcels streamed",
        env!("CARGO_PKG_VERSION"),
        std::thread::available_parallelism().map_or(1, |c| c.get())
    );

    // The communes of metropolitan France, to draw the parcels around.
    let loaded = Catalog::from_path(&data)?;
    let towns: Vec<(f64, f64)> = loaded
        .layer("communes")
        .ok_or("no communes layer in the default data set")?
        .features
        .iter()
        .map(|f| (f.location.x(), f.location.y()))
        .filter(|(x, y)| (-5.5..10.0).contains(x) && (41.0..51.5).contains(y))
        .collect();
    drop(loaded);

    let started = Instant::now();
    let file = dir.join("parcels.csv");
    let mut out = std::io::BufWriter::new(std::fs::File::create(&file)?);
    writeln!(out, "id,x,y,area_ha")?;
    let mut rng = StdRng::seed_from_u64(7);
    for i in 0..n {
        let (x, y) = towns[rng.random_range(0..towns.len())];
        let (dx, dy) = (
            rng.random_range(-0.04..0.04),
            rng.random_range(-0.027..0.027),
        );
        let area: f64 = rng.random_range(0.1..40.0);
        writeln!(out, "p{i:09},{:.6},{:.6},{area:.4}", x + dx, y + dy)?;
    }
    out.flush()?;
    drop(out);
    let bytes = std::fs::metadata(&file)?.len();
    println!(
        "wrote {} ({:.0} MB) in {:.1} s",
        file.display(),
        bytes as f64 / 1e6,
        started.elapsed().as_secs_f64()
    );

    // The default data set's catalog, its paths absolute, with the parcels streamed.
    let text = std::fs::read_to_string(data.join("catalog.toml"))?;
    let mut catalog = String::new();
    for line in text.lines() {
        match ["path = \"", "nodes = \""]
            .iter()
            .find_map(|k| line.strip_prefix(k).map(|r| (k, r)))
        {
            Some((k, rest)) => catalog.push_str(&format!("{k}{}/{rest}\n", data.display())),
            None => catalog.push_str(&format!("{line}\n")),
        }
    }
    catalog.push_str(
        "\n[[layer]]\nname = \"parcels\"\nrole = \"sites\"\nstream = true\npath = \"parcels.csv\"\nid = \"id\"\nx = \"x\"\ny = \"y\"\narea_ha = \"area_ha\"\n",
    );
    std::fs::write(dir.join("catalog.toml"), catalog)?;

    let six = std::fs::read_to_string(root.join("examples/perf/six_criteria.toml"))?;
    let brief =
        Brief::from_toml_str(&six.replace("layers = [\"friches\"]", "layers = [\"parcels\"]"))?;
    let t = Instant::now();
    let engine = Engine::new(Catalog::from_path(&dir)?);
    let t_load = t.elapsed().as_secs_f64();
    let before = peak_mb();
    let t = Instant::now();
    let ranking = engine.rank(&brief)?;
    let t_rank = t.elapsed().as_secs_f64();
    let s = ranking
        .streamed
        .as_ref()
        .ok_or("the parcels were not streamed")?;
    println!("| step | figure |\n|---|---|");
    println!(
        "| load the data set (parcels not loaded) | {:.2} s |",
        t_load
    );
    println!(
        "| rank {} parcels streamed, six criteria | {:.1} s, {:.2} µs a parcel |",
        s.considered + s.skipped,
        t_rank,
        t_rank * 1e6 / (s.considered + s.skipped).max(1) as f64
    );
    println!(
        "| counts | {} ranked, {} excluded, {} skipped; the best {} kept |",
        s.ranked, s.excluded, s.skipped, ranking.ranked
    );
    println!(
        "| peak memory | {:.0} MB ({:.0} MB before ranking) |",
        peak_mb(),
        before
    );
    if let Some(best) = ranking.ranked_sites().first() {
        println!(
            "| best parcel | {} at {:.4}, {:.4}: {:.2} |",
            best.site_id,
            best.location.x(),
            best.location.y(),
            best.score.unwrap_or(0.0)
        );
    }
    Ok(())
}
