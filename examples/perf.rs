//! Prints sitematch's performance table on the default data set, each figure beside
//! its target (performance issues 9 and 17) and a baseline: a brute force (every site
//! against every feature, Karney's geodesic), the files against the snapshot, the
//! brief with fewer or more features and sites (growth in N log M).
//!
//! ```sh
//! cargo run --release --example perf            # the whole table, about a minute
//! cargo run --release --example perf -- quick   # without the 1M-cell grid
//! cargo run --release --example perf -- smoke   # every 40th friche, seconds (CI)
//! ```
//!
//! Times are wall-clock on the machine at hand (these machines are shared and noisy:
//! compare the ratios). Peak memory is the process's high-water mark (VmHWM) after
//! each step, so it only grows.

use std::path::Path;
use std::time::Instant;

use geo::{Distance, Geodesic, Point};
use rand::{rngs::StdRng, Rng, SeedableRng};
use rayon::prelude::*;
use sitematch::CriterionKind;
use sitematch::{Brief, Catalog, Engine, Feature, IndexedLayer, Layer};

#[path = "support/mod.rs"]
mod support;
use support::peak_mb;

fn secs<T>(f: impl FnOnce() -> T) -> (T, f64) {
    let t = Instant::now();
    let out = f();
    (out, t.elapsed().as_secs_f64())
}

/// One line of the table: the step, its figure, the issue's target for it ("-" when
/// it has none), the baseline it is compared with, and the ratio.
fn row(step: &str, figure: String, target: &str, baseline: String, ratio: String) {
    println!("| {step} | {figure} | {target} | {baseline} | {ratio} |");
}

/// One line timing an index query against a brute-force scan: `query(p, true)` asks
/// the index, `query(p, false)` scans every feature; the index on every point, the
/// scan on the first 50 (it is slow).
fn index_row(step: &str, points: &[Point<f64>], query: impl Fn(Point<f64>, bool) -> f64) {
    let (_, t) = secs(|| points.iter().map(|p| query(*p, true)).sum::<f64>());
    let (_, tb) = secs(|| points[..50].iter().map(|p| query(*p, false)).sum::<f64>());
    let (q, qb) = (t / points.len() as f64, tb / 50.0);
    row(
        step,
        format!("{:.1} µs", q * 1e6),
        "-",
        format!("brute force: {:.0} µs", qb * 1e6),
        format!("{:.0}x", qb / q),
    );
}

/// One line comparing a brief's ranking time with a baseline brief's, after a
/// warm-up: (brief, step), the target, (baseline brief, its label, its name in the
/// ratio).
fn compare(
    engine: &Engine,
    (brief, step): (&Brief, &str),
    target: &str,
    (baseline, label, name): (&Brief, &str, &str),
) -> Result<(), Box<dyn std::error::Error>> {
    let _ = engine.rank(brief)?; // warm up
    let (_, tb) = secs(|| engine.rank(baseline));
    let (_, t) = secs(|| engine.rank(brief));
    row(
        step,
        format!("{:.0} ms", t * 1e3),
        target,
        format!("{label}: {:.0} ms", tb * 1e3),
        format!("{:.2}x {name}", t / tb),
    );
    Ok(())
}

/// The friches layer with `copies` extra copies of every friche, each shifted by
/// 0.003 degrees of longitude per copy (about 220 m: the same density of features
/// around each, `copies + 1` times the sites).
fn with_copies(layers: &[Layer], copies: usize) -> Vec<Layer> {
    let mut out = layers.to_vec();
    for l in out.iter_mut().filter(|l| l.name == "friches") {
        let originals = l.features.clone();
        for k in 1..=copies {
            let dx = 0.003 * k as f64;
            l.features.extend(originals.iter().map(|f| {
                let mut c = f.clone();
                c.id = format!("{}~{k}", f.id).into();
                c.location = Point::new(f.location.x() + dx, f.location.y());
                c.geometry = geo::Geometry::Point(c.location);
                c
            }));
        }
    }
    out
}

/// Brute force for one site and one criterion: scan every feature of the layer.
fn brute(site: &Feature, kind: &CriterionKind, layer: &Layer) -> f64 {
    let matches = |f: &Feature, cats: &[String], tags: &[String]| {
        let fold = sitematch::fold;
        (cats.is_empty()
            || f.category
                .as_deref()
                .is_some_and(|c| cats.iter().any(|x| fold(x) == fold(c))))
            && (tags.is_empty()
                || f.tags
                    .iter()
                    .any(|t| tags.iter().any(|x| fold(x) == fold(t))))
    };
    match kind {
        CriterionKind::Distance(d) => layer
            .features
            .iter()
            .filter(|f| matches(f, &d.categories, &d.tags))
            .map(|f| Geodesic.distance(site.location, f.location))
            .fold(f64::INFINITY, f64::min),
        CriterionKind::Access(a) => layer
            .features
            .iter()
            .filter(|f| matches(f, &a.categories, &a.tags))
            .filter(|f| Geodesic.distance(site.location, f.location) <= a.radius * 1000.0)
            .map(|f| {
                a.field
                    .as_ref()
                    .map_or(1.0, |x| f.attribute(x).as_f64().unwrap_or(0.0))
            })
            .sum(),
        _ => 0.0,
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    // `smoke`: a small data set (every 40th friche), no grid beyond 10k cells, few
    // brute-force samples: the example's every step, in seconds, for CI.
    let smoke = args.iter().any(|a| a == "smoke");
    let quick = smoke || args.iter().any(|a| a == "quick");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let brief = |name: &str| Brief::from_path(root.join("examples/perf").join(name));
    println!(
        "sitematch {} on {} cores ({} threads)\n",
        env!("CARGO_PKG_VERSION"),
        std::thread::available_parallelism().map_or(1, |n| n.get()),
        rayon::current_num_threads()
    );
    println!("| step | sitematch | target | baseline | ratio |");
    println!("|---|---|---|---|---|");

    let (catalog, t_load) = secs(|| Catalog::builder(root.join("data")).build());
    let mut catalog = catalog?;
    if smoke {
        for l in catalog.layers.iter_mut().filter(|l| l.name == "friches") {
            l.features = l.features.iter().step_by(40).cloned().collect();
        }
    }
    // The snapshot: written once, then read back as a warm run does.
    let cache = std::env::temp_dir().join(format!("sitematch-perf-{}", std::process::id()));
    let (written, t_write) = secs(|| {
        Catalog::builder(root.join("data"))
            .cache(Some(cache.clone()))
            .build_noting()
    });
    let (warm, t_warm) = secs(|| {
        Catalog::builder(root.join("data"))
            .cache(Some(cache.clone()))
            .build_noting()
    });
    let (_, warm_use) = warm?;
    // The floor of any warm start from a file: its bytes read and their checksum.
    let (_, t_bytes) = secs(|| {
        std::fs::read_dir(&cache)
            .into_iter()
            .flatten()
            .flatten()
            .filter(|e| e.path().extension().is_some_and(|x| x == "snapshot"))
            .filter_map(|e| std::fs::read(e.path()).ok())
            .map(|b| crc32fast::hash(&b))
            .fold(0, u32::wrapping_add)
    });
    let _ = std::fs::remove_dir_all(&cache);
    written?;
    row(
        "load the default data set from its files",
        format!("{:.0} ms", t_load * 1e3),
        "-",
        "-".into(),
        "-".into(),
    );
    row(
        "load it from its snapshot",
        format!("{:.0} ms", t_warm * 1e3),
        "< 30 ms",
        format!(
            "from the files: {:.0} ms (and the snapshot written: {:.0} ms)",
            t_load * 1e3,
            (t_write - t_load).max(0.0) * 1e3
        ),
        format!(
            "{:.1}x faster{}",
            t_load / t_warm,
            if matches!(warm_use, sitematch::SnapshotUse::Read(_)) {
                ""
            } else {
                " (NOT read from the snapshot)"
            }
        ),
    );
    let layers: Vec<Layer> = catalog.layers.clone();
    let (engine, t_index) = secs(|| {
        let engine = Engine::new(catalog);
        engine.build_indexes();
        engine
    });
    row(
        "build every index",
        format!("{:.0} ms", t_index * 1e3),
        "-",
        "-".into(),
        "-".into(),
    );
    row(
        "load + index",
        format!(
            "{:.0} ms, peak {:.0} MB",
            (t_load + t_index) * 1e3,
            peak_mb()
        ),
        "< 1 s",
        "-".into(),
        "-".into(),
    );

    // Queries at random points of mainland France.
    let mut rng = StdRng::seed_from_u64(1);
    let points: Vec<Point<f64>> = (0..2000)
        .map(|_| Point::new(rng.random_range(-1.0..7.0), rng.random_range(43.5..50.5)))
        .collect();
    let communes = layers
        .iter()
        .find(|l| l.name == "communes")
        .ok_or("no communes layer")?;
    let idx = IndexedLayer::new(communes.clone());
    idx.build_all();
    let all = &communes.features;
    index_row("nearest of 35k communes", &points, |p, indexed| {
        if indexed {
            idx.nearest(p, |_| true).map_or(0, |x| x.0) as f64
        } else {
            all.iter()
                .map(|f| Geodesic.distance(p, f.location))
                .fold(f64::INFINITY, f64::min)
        }
    });
    index_row("communes within 30 km", &points, |p, indexed| {
        if indexed {
            idx.within(p, 30_000.0).len() as f64
        } else {
            all.iter()
                .filter(|f| Geodesic.distance(p, f.location) <= 30_000.0)
                .count() as f64
        }
    });

    // The six-criterion brief over every friche.
    let six = brief("six_criteria.toml")?;
    let _ = engine.rank(&six)?; // warm up
    let (ranking, t) = secs(|| engine.rank(&six));
    let ranking = ranking?;
    let n = ranking.sites.len();
    let friches = &layers
        .iter()
        .find(|l| l.name == "friches")
        .ok_or("no friches")?
        .features;
    let sample: Vec<&Feature> = friches
        .iter()
        .step_by((friches.len() / if smoke { 5 } else { 40 }).max(1))
        .collect();
    let (_, tb) = secs(|| {
        sample
            .iter()
            .map(|s| {
                six.criteria
                    .iter()
                    .filter_map(|c| {
                        Some(brute(
                            s,
                            &c.kind,
                            layers
                                .iter()
                                .find(|l| Some(l.name.as_str()) == c.kind.layer())?,
                        ))
                    })
                    .sum::<f64>()
            })
            .sum::<f64>()
    });
    let tb = tb / sample.len() as f64 * n as f64;
    row(
        &format!("six criteria over {n} friches, after load"),
        format!("{:.0} ms", t * 1e3),
        "< 50 ms",
        format!("brute force: {:.0} s (from {} sites)", tb, sample.len()),
        format!("{:.0}x", tb / t),
    );

    // Re-weighing the same ranking (issue 34, item 4): every site re-ranked from its
    // kept criterion scores under new weights; the best of 20.
    let table = sitematch::Reweigh::new(&ranking)?;
    let weights = [0.0, 2.0, 0.5, 1.0, 4.0, 1.0];
    let t_reweigh = (0..20)
        .map(|_| secs(|| table.rank(&weights)).1)
        .fold(f64::INFINITY, f64::min);
    row(
        &format!("re-weigh the same {} ranked friches", table.len()),
        format!("{:.2} ms", t_reweigh * 1e3),
        "< 20 ms",
        format!("ranking again: {:.0} ms", t * 1e3),
        format!("{:.0}x", t / t_reweigh),
    );

    // Labour competition against the plain access sum it refines (same workers,
    // radius and decay): step 1 adds one radius query per commune.
    compare(
        &engine,
        (
            &brief("competition.toml")?,
            &format!("competition, 30 km, over {n} friches"),
        ),
        "well under 1 s",
        (
            &brief("access_30km.toml")?,
            "access sum alone",
            "the access sum",
        ),
    )?;
    // Drive time on the ROUTE 120 network against the same criteria in a straight
    // line: two distance criteria (one multi-source search each) and a 30-minute
    // access sum (one bounded search per friche).
    compare(
        &engine,
        (
            &brief("drive_national.toml")?,
            &format!("three criteria by road over {n} friches"),
        ),
        "well under 2 s",
        (
            &brief("straight_national.toml")?,
            "in a straight line",
            "the straight line",
        ),
    )?;

    // What bounds the brief: the distance evaluations of the access sums.
    let training = IndexedLayer::new(
        layers
            .iter()
            .find(|l| l.name == "training")
            .ok_or("no training layer")?
            .clone(),
    );
    training.build_all();
    let hits: usize = friches
        .iter()
        .map(|f| {
            idx.within(f.location, 30_000.0).len() + training.within(f.location, 40_000.0).len()
        })
        .sum();
    row(
        "distance evaluations in its two access sums",
        format!(
            "{:.1} million ({:.0} per friche)",
            hits as f64 / 1e6,
            hits as f64 / n as f64
        ),
        "-",
        "-".into(),
        format!(
            "{:.0} ns each, all threads",
            t / hits as f64 * 1e9 * rayon::current_num_threads() as f64
        ),
    );

    // The floor of the warm command with today's exact results (issue 34): the
    // snapshot's bytes, the last Karney geodesic of each distance criterion (one
    // per site and criterion: the distance written is Karney's own), and the two
    // access sums (their order of addition and fast distances are the results').
    // The nearest searches, the decoding, the results and the output come on top.
    let mut pairs: Vec<(Point<f64>, Point<f64>)> = Vec::new();
    for (k, c) in six.criteria.iter().enumerate() {
        let (CriterionKind::Distance(_), Some(layer)) = (&c.kind, c.kind.layer()) else {
            continue;
        };
        let at: std::collections::HashMap<&str, Point<f64>> = engine
            .layer(layer)
            .ok_or("no such layer")?
            .layer()
            .features
            .iter()
            .map(|f| (f.id.as_str(), f.location))
            .collect();
        pairs.extend(ranking.sites.iter().filter_map(|s| {
            let id = s.criteria.get(k)?.nearest_id.as_deref()?;
            Some((s.location, *at.get(id)?))
        }));
    }
    let t_karney = (0..5)
        .map(|_| {
            secs(|| {
                pairs
                    .par_iter()
                    .map(|(a, b)| Geodesic.distance(*a, *b))
                    .sum::<f64>()
            })
            .1
        })
        .fold(f64::INFINITY, f64::min);
    // The access sums' own time: the brief with its access criteria only, less the
    // brief with its attribute criterion only (what any ranking of the friches costs).
    let only = |keep: fn(&CriterionKind) -> bool| -> Result<f64, sitematch::Error> {
        let mut b = six.clone();
        b.criteria.retain(|c| keep(&c.kind));
        let _ = engine.rank(&b)?;
        Ok((0..5)
            .map(|_| secs(|| engine.rank(&b)).1)
            .fold(f64::INFINITY, f64::min))
    };
    let t_access = (only(|k| matches!(k, CriterionKind::Access(_)))?
        - only(|k| matches!(k, CriterionKind::Attribute(_)))?)
    .max(0.0);
    let floor = t_bytes + t_karney + t_access;
    row(
        &format!(
            "floor of the warm command: the snapshot's bytes ({:.0} ms), {} last geodesics ({:.0} ms), the access sums' own time ({:.0} ms)",
            t_bytes * 1e3,
            pairs.len(),
            t_karney * 1e3,
            t_access * 1e3
        ),
        format!("{:.0} ms", floor * 1e3),
        "< 96 ms (the whole command)",
        format!("six criteria after load: {:.0} ms", t * 1e3),
        format!("{:.0}% of the target", floor / 0.096 * 100.0),
    );

    // Grids: near-linear in the number of cells.
    let grids: &[&str] = if smoke {
        &["grid_10k.toml"]
    } else if quick {
        &["grid_10k.toml", "grid_100k.toml", "grid_100k_drive.toml"]
    } else {
        &[
            "grid_10k.toml",
            "grid_100k.toml",
            "grid_100k_drive.toml",
            "grid_1m.toml",
        ]
    };
    for g in grids {
        let gb = brief(g)?;
        let grid = engine.grid(&gb, false)?;
        let (stats, t) = secs(|| {
            sitematch::output::write_grid(
                sitematch::output::OutputFormat::Geojson,
                grid,
                |_| {},
                std::io::sink(),
            )
        });
        let cells = stats?.produced;
        let by_road = if g.contains("drive") {
            ", motorway and labour by road"
        } else {
            ""
        };
        row(
            &format!("grid of {cells} cells{by_road}, GeoJSON streamed"),
            format!(
                "{:.2} s, {:.1} µs/cell, peak {:.0} MB",
                t,
                t / cells as f64 * 1e6,
                peak_mb()
            ),
            if cells >= 1_000_000 {
                "< 10 s, < 1 GB"
            } else {
                "-"
            },
            format!(
                "brute force: {:.0} s (per-site cost)",
                tb / n as f64 * cells as f64
            ),
            format!("{:.0}x", tb / n as f64 * cells as f64 / t),
        );
    }
    // Last: its copies of the friches raise the peak memory the grids report.
    // Growth: N log M in sites (N) and features (M). The same brief with the friches
    // copied (shifted copies: N x4, x16) and with fewer communes (M / 4, M / 2).
    let growth = |layers: Vec<Layer>| -> Result<f64, Box<dyn std::error::Error>> {
        let e = Engine::new(Catalog::from_layers(layers));
        e.build_indexes();
        let _ = e.rank(&six)?; // warm up
        Ok(secs(|| e.rank(&six)).1)
    };
    for copies in [3usize, 15] {
        let tt = growth(with_copies(&layers, copies))?;
        let k = copies + 1;
        row(
            &format!("same brief, the friches x{k} ({} sites)", n * k),
            format!("{:.0} ms", tt * 1e3),
            &format!("~{k}x (N log M)"),
            format!("all friches once: {:.0} ms", t * 1e3),
            format!("{:.2}x", tt / t),
        );
    }
    let communes_m = communes.features.len() as f64;
    for keep in [4usize, 2] {
        let mut thinned = layers.clone();
        for l in thinned.iter_mut().filter(|l| l.name == "communes") {
            l.features = l.features.iter().step_by(keep).cloned().collect();
        }
        let tt = growth(thinned)?;
        // What N log M predicts for the nearest-type work, and the access sums' work
        // (points inside each disc) falls as M.
        let m = communes_m / keep as f64;
        row(
            &format!("same brief, 1/{keep} of the communes"),
            format!("{:.0} ms", tt * 1e3),
            &format!("log M: {:.2}", m.ln() / communes_m.ln()),
            format!("all communes: {:.0} ms", t * 1e3),
            format!("{:.2}x", tt / t),
        );
    }

    Ok(())
}
