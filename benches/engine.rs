//! Criterion benchmarks on the default data set: index build, nearest and
//! within-radius queries, a six-criterion brief over every friche, labour competition
//! over every friche, a 10k-cell grid.
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
