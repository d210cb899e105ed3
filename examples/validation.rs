//! The validation against real location decisions (validation/README.md): ranks each
//! case's brief on the default data set and prints, per case and in total, whether the
//! shortlist holds a site within 10 km of where the plant went, against a random draw
//! of the same candidates, the largest area first and the nearest interchange first.
//!
//! ```sh
//! cargo run --release --example validation
//! cargo run --release --example validation -- --candidates friches
//! ```

use std::path::Path;
use std::process::ExitCode;

use sitematch::validation::{evaluate, read_decisions, CaseResult};
use sitematch::{Brief, Catalog, CriterionType, Engine};

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("validation: {e}");
            ExitCode::from(2)
        }
    }
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let mut only: Option<Vec<String>> = None;
    let mut drop: Vec<String> = Vec::new();
    while let Some(a) = args.next() {
        match a.as_str() {
            "--candidates" => {
                let list = args
                    .next()
                    .ok_or("--candidates needs a list of site layers")?;
                only = Some(list.split(',').map(str::to_string).collect());
            }
            "--drop" => {
                let list = args
                    .next()
                    .ok_or("--drop needs a list of criterion types")?;
                for t in list.split(',') {
                    if CriterionType::from_name(t).is_none() {
                        return Err(format!("--drop: {t:?} is not a criterion type").into());
                    }
                    drop.push(t.to_string());
                }
            }
            other => {
                return Err(format!(
                    "unknown argument {other:?}; use --candidates LAYERS or --drop TYPES"
                )
                .into())
            }
        }
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let decisions = read_decisions(&root.join("validation/decisions.csv"))?;
    let engine = Engine::new(Catalog::from_path(sitematch::data_dir(None))?);
    let mut results: Vec<CaseResult> = Vec::new();
    println!(
        "candidates: {}; criteria dropped: {}\n",
        only.as_ref()
            .map_or("every site layer the brief ranks".to_string(), |l| l
                .join(", ")),
        if drop.is_empty() {
            "none".to_string()
        } else {
            drop.join(", ")
        }
    );
    println!("| case | candidates | within 10 km | first hit | engine @10 | @20 | random @10 | @20 | largest area @10 | @20 | nearest interchange @10 | @20 | anchor alone @10 | @20 |");
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
    let mark = |b: bool| if b { "hit" } else { "-" };
    for d in &decisions {
        let mut brief = Brief::from_path(
            root.join("validation/briefs")
                .join(format!("{}.toml", d.slug)),
        )?;
        // An ablation: the brief without the criteria of these types.
        brief
            .criteria
            .retain(|c| !drop.iter().any(|t| t == c.kind.kind().as_str()));
        let r = evaluate(&engine, &brief, d, only.as_deref())?;
        println!(
            "| {} | {} | {} | {} | {} | {} | {:.2} | {:.2} | {} | {} | {} | {} | {} | {} |",
            r.slug,
            r.candidates,
            r.near,
            r.first_hit_rank.map_or("-".to_string(), |k| k.to_string()),
            mark(r.engine[0]),
            mark(r.engine[1]),
            r.random[0],
            r.random[1],
            mark(r.largest_area[0]),
            mark(r.largest_area[1]),
            mark(r.nearest_interchange[0]),
            mark(r.nearest_interchange[1]),
            r.anchor_alone.map_or("n/a", |a| mark(a[0])),
            r.anchor_alone.map_or("n/a", |a| mark(a[1])),
        );
        results.push(r);
    }
    let count = |f: &dyn Fn(&CaseResult) -> bool| results.iter().filter(|r| f(r)).count();
    println!("\n| method, same candidates | hit in top 10 | hit in top 20 |");
    println!("|---|---|---|");
    let n = results.len();
    let e = [count(&|r| r.engine[0]), count(&|r| r.engine[1])];
    let rnd = [
        results.iter().map(|r| r.random[0]).sum::<f64>(),
        results.iter().map(|r| r.random[1]).sum::<f64>(),
    ];
    println!("| sitematch | {} / {n} | {} / {n} |", e[0], e[1]);
    println!(
        "| a random draw (exact expectation) | {:.1} | {:.1} |",
        rnd[0], rnd[1]
    );
    println!(
        "| largest area first | {} | {} |",
        count(&|r| r.largest_area[0]),
        count(&|r| r.largest_area[1])
    );
    println!(
        "| nearest motorway interchange first | {} | {} |",
        count(&|r| r.nearest_interchange[0]),
        count(&|r| r.nearest_interchange[1])
    );
    let anchored = results.iter().filter(|r| r.anchor_alone.is_some()).count();
    let alone = |k: usize| {
        results
            .iter()
            .filter(|r| r.anchor_alone.is_some_and(|a| a[k]))
            .count()
    };
    println!(
        "| the brief's anchor alone ({anchored} briefs have one) | {} | {} |",
        alone(0),
        alone(1)
    );
    let lift = |hits: usize, expected: f64| {
        if expected > 0.0 {
            format!("{:.1}x", hits as f64 / expected)
        } else {
            "n/a".to_string()
        }
    };
    println!(
        "| lift over random | {} | {} |",
        lift(e[0], rnd[0]),
        lift(e[1], rnd[1])
    );
    Ok(())
}
