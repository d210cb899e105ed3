//! Measures the memory each candidate site costs: the default data set with its
//! friches written k times over (ids made unique, each copy 0.003 degrees of longitude
//! east of the one before), loaded from the files and ranked against the national
//! six-criterion brief, for each k asked; each k in a process of its own, since a
//! process's peak memory only grows.
//!
//! ```sh
//! cargo run --release --example memory -- 1 8 64
//! ```
//!
//! It prints, per k, the sites, the peak memory after loading and after ranking, and
//! the memory each site added over k = 1 (the difference of the peaks divided by the
//! sites added). Peak memory is the process's high-water mark (VmHWM).

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use sitematch::{Brief, Catalog, Engine};

#[path = "support/mod.rs"]
mod support;
use support::peak_mb;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let [one, k] = &args[..] {
        if one == "--one" {
            return measure(k.parse()?);
        }
    }
    let copies: Vec<usize> = args
        .iter()
        .map(|a| a.parse().ok().filter(|k| (1..=256).contains(k)))
        .collect::<Option<_>>()
        .filter(|c: &Vec<usize>| !c.is_empty())
        .ok_or("give the copies of the friches, 1 to 256 each: cargo run --release --example memory -- 1 8 64")?;
    println!(
        "sitematch {} on {} cores: the friches k times over, six criteria",
        env!("CARGO_PKG_VERSION"),
        std::thread::available_parallelism().map_or(1, |c| c.get())
    );
    println!("| copies | sites | load | rank | peak after load | peak after rank | per site added (load, rank) |");
    println!("|---|---|---|---|---|---|---|");
    let mut first: Option<(f64, f64, f64)> = None;
    for k in copies {
        let out = Command::new(std::env::current_exe()?)
            .args(["--one", &k.to_string()])
            .output()?;
        if !out.status.success() {
            return Err(format!(
                "x{k} failed: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            )
            .into());
        }
        let text = String::from_utf8(out.stdout)?;
        let f: Vec<f64> = text
            .split_whitespace()
            .map(str::parse)
            .collect::<Result<_, _>>()?;
        let [sites, t_load, t_rank, load_mb, rank_mb] = f[..] else {
            return Err(format!("x{k}: unexpected output {text}").into());
        };
        let added = first.map_or("-".to_string(), |(s1, l1, r1)| {
            let n = sites - s1;
            format!(
                "{:.0} B, {:.0} B",
                (load_mb - l1) * 1048576.0 / n,
                (rank_mb - r1) * 1048576.0 / n
            )
        });
        first.get_or_insert((sites, load_mb, rank_mb));
        println!(
            "| x{k} | {sites:.0} | {t_load:.2} s | {t_rank:.2} s | {load_mb:.0} MB | {rank_mb:.0} MB | {added} |"
        );
    }
    Ok(())
}

/// One measure, printed as five numbers: sites, load and rank seconds, peak MB after
/// load and after rank.
fn measure(k: usize) -> Result<(), Box<dyn std::error::Error>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let data = root.join("data");
    let temp = tempfile::tempdir()?;
    let dir = temp.path();
    copy_friches(&data.join("friches.csv"), &dir.join("friches.csv"), k)?;
    // The default catalog, its paths absolute but the friches'.
    let text = std::fs::read_to_string(data.join("catalog.toml"))?;
    let mut catalog = String::new();
    for line in text.lines() {
        let local = line == "path = \"friches.csv\"";
        match ["path = \"", "nodes = \""]
            .iter()
            .find_map(|p| line.strip_prefix(p).map(|r| (p, r)))
        {
            Some((p, rest)) if !local => {
                catalog.push_str(&format!("{p}{}/{rest}\n", data.display()))
            }
            _ => catalog.push_str(&format!("{line}\n")),
        }
    }
    std::fs::write(dir.join("catalog.toml"), catalog)?;
    let brief = Brief::from_path(root.join("examples/perf/six_criteria.toml"))?;

    let t = Instant::now();
    let engine = Engine::new(Catalog::from_path(dir)?);
    let t_load = t.elapsed().as_secs_f64();
    let load_mb = peak_mb();
    let t = Instant::now();
    let ranking = engine.rank(&brief)?;
    let t_rank = t.elapsed().as_secs_f64();
    println!(
        "{} {t_load} {t_rank} {load_mb} {}",
        ranking.sites.len(),
        peak_mb()
    );
    // Left for the exit to free, as the command line does.
    std::mem::forget(ranking);
    std::mem::forget(engine);
    Ok(())
}

/// Writes the friches `k` times: copy `c` has `~c` after each id and its WKT's
/// longitudes moved `0.003 * c` degrees east.
fn copy_friches(from: &Path, to: &Path, k: usize) -> Result<(), Box<dyn std::error::Error>> {
    let mut reader = csv::Reader::from_path(from)?;
    let headers = reader.headers()?.clone();
    let at = |name: &str| {
        headers
            .iter()
            .position(|h| h == name)
            .ok_or(format!("friches.csv has no {name} column"))
    };
    let (id, wkt) = (at("site_id")?, at("wkt")?);
    let rows: Vec<csv::StringRecord> = reader.records().collect::<Result<_, _>>()?;
    let mut out = csv::Writer::from_path(to)?;
    out.write_record(&headers)?;
    for c in 0..k {
        for row in &rows {
            let fields = row.iter().enumerate().map(|(i, v)| match i {
                _ if c == 0 => v.to_string(),
                i if i == id => format!("{v}~{c}"),
                i if i == wkt => shift_wkt(v, 0.003 * c as f64),
                _ => v.to_string(),
            });
            out.write_record(fields.collect::<Vec<_>>())?;
        }
    }
    out.flush()?;
    Ok(())
}

/// A WKT text with every longitude (the first number of each coordinate pair)
/// moved `dx` east.
fn shift_wkt(wkt: &str, dx: f64) -> String {
    let mut out = String::with_capacity(wkt.len() + 16);
    let mut first = true; // the next number is a longitude
    let mut number = String::new();
    let flush = |number: &mut String, out: &mut String, first: &mut bool| {
        if number.is_empty() {
            return;
        }
        match number.parse::<f64>() {
            Ok(x) if *first => out.push_str(&format!("{}", x + dx)),
            _ => out.push_str(number),
        }
        *first = !*first;
        number.clear();
    };
    for ch in wkt.chars() {
        if ch.is_ascii_digit() || ch == '.' || ch == '-' || ch == 'e' || ch == 'E' {
            if (ch == 'e' || ch == 'E') && number.is_empty() {
                out.push(ch); // a letter of a geometry's name
            } else {
                number.push(ch);
            }
        } else {
            flush(&mut number, &mut out, &mut first);
            if ch == ',' || ch == '(' {
                first = true;
            }
            out.push(ch);
        }
    }
    flush(&mut number, &mut out, &mut first);
    out
}
