//! Criterion benchmarks on the default data set: index build, nearest and
//! within-radius queries, a six-criterion brief over every friche, labour competition
//! over every friche, re-weighing every friche's kept scores, a 10k-cell grid.
//! `cargo run --release --example perf` prints the summary table with brute-force
//! baselines (see the README's Performance section).

use std::hint::black_box;
use std::path::Path;

use criterion::{criterion_group, criterion_main, Criterion};
use geo::Point;
use sitematch::{Brief, Catalog, Engine, IndexedLayer};

fn catalog() -> Catalog {
    Catalog::from_path(Path::new(env!("CARGO_MANIFEST_DIR")).join("data")).expect("data/")
}

fn brief(name: &str) -> Brief {
    Brief::from_path(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("examples/perf")
            .join(name),
    )
    .expect("perf brief")
}

fn benches(c: &mut Criterion) {
    let catalog = catalog();
    let communes = catalog.layer("communes").expect("communes").clone();
    c.bench_function("index build: communes (35k points)", |b| {
        b.iter(|| {
            let idx = IndexedLayer::new(black_box(communes.clone()));
            idx.build_all();
            idx
        })
    });
    let idx = IndexedLayer::new(communes);
    let lyon = Point::new(4.8357, 45.764);
    c.bench_function("nearest commune", |b| {
        b.iter(|| idx.nearest(black_box(lyon), |_| true))
    });
    c.bench_function("communes within 30 km", |b| {
        b.iter(|| idx.within(black_box(lyon), 30_000.0))
    });

    let engine = Engine::new(catalog);
    let friches = brief("six_criteria.toml");
    let mut group = c.benchmark_group("briefs");
    group.sample_size(10);
    group.bench_function("six criteria over every friche", |b| {
        b.iter(|| engine.rank(black_box(&friches)).expect("rank"))
    });
    // Re-weighing (the workbench's sliders): every friche re-ranked under new
    // weights from the kept criterion scores, and the 50 best only.
    let ranking = engine.rank(&friches).expect("rank");
    let table = sitematch::Reweigh::new(&ranking).expect("reweigh");
    let weights = [0.0, 2.0, 0.5, 1.0, 4.0, 1.0];
    group.bench_function("re-weigh every friche, six criteria", |b| {
        b.iter(|| table.rank(black_box(&weights)).expect("weights"))
    });
    group.bench_function("re-weigh every friche, the 50 best", |b| {
        b.iter(|| table.top(black_box(&weights), 50).expect("weights"))
    });
    let competition = brief("competition.toml");
    group.bench_function("labour competition, 30 km, every friche", |b| {
        b.iter(|| engine.rank(black_box(&competition)).expect("rank"))
    });
    let grid = brief("grid_10k.toml");
    group.bench_function("grid, about 10k cells", |b| {
        b.iter(|| engine.grid(black_box(&grid), false).expect("grid").count())
    });
    group.finish();
}

criterion_group!(engine, benches);
criterion_main!(engine);
