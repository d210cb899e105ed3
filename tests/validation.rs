//! The validation against real location decisions (validation/README.md): the random
//! baseline's formula against a brute-force count, the decisions file's errors, and the
//! twelve public cases on the default data set.

use std::path::Path;

use sitematch::validation::{evaluate, hit_probability, read_decisions};
use sitematch::{Brief, Catalog, Engine};

use crate::util::{assert_mentions, temp_file};

/// Every k-subset of n items as a bit mask.
fn subsets(n: usize, k: usize) -> impl Iterator<Item = u32> {
    (0u32..1 << n).filter(move |m| m.count_ones() as usize == k)
}

#[test]
fn random_draw_expectation_equals_a_brute_force_count() {
    // Items 0..h are the hits; the share of k-subsets holding one, counted.
    for n in 0..=10usize {
        for h in 0..=n {
            for k in 0..=n {
                let hits_mask = (1u32 << h) - 1;
                let (all, with_hit) = subsets(n, k).fold((0u64, 0u64), |(a, w), m| {
                    (a + 1, w + u64::from(m & hits_mask != 0))
                });
                let expected = with_hit as f64 / all as f64;
                let got = hit_probability(n, h, k);
                assert!(
                    (got - expected).abs() < 1e-12,
                    "n {n} h {h} k {k}: {got} vs {expected}"
                );
            }
        }
    }
    // A shortlist longer than the candidates: certain when there is a hit.
    assert_eq!(hit_probability(5, 1, 20), 1.0);
}

#[test]
fn a_bad_decisions_file_names_the_line_and_the_fix() {
    let head = "slug,company,project,commune,lon,lat,coord_precision_km,site_type\n";
    let (_d, p) = temp_file(
        "d.csv",
        &format!("{head}a,b,c,d,2.5,48.1,1,x\ne,f,g,h,,48,1,x\n"),
    );
    let e = read_decisions(&p).unwrap_err().to_string();
    assert_mentions(&e, &["line 3", "lon and lat"]);
    let (_d, p) = temp_file("d.csv", &format!("{head}a,b,c,d,250,48.1,1,x\n"));
    let e = read_decisions(&p).unwrap_err().to_string();
    assert_mentions(&e, &["line 2", "not a WGS84"]);
    let (_d, p) = temp_file("d.csv", "slug,lon,lat\na,1,2\n");
    let e = read_decisions(&p).unwrap_err().to_string();
    assert_mentions(&e, &["no column \"company\""]);
    let (_d, p) = temp_file("d.csv", &format!("{head}a,b,c,d,2.5,48.1,,x\n"));
    let d = read_decisions(&p).unwrap();
    assert_eq!((d[0].location.x(), d[0].precision_km), (2.5, None));
}

/// The twelve public cases: the engine's shortlists hold the place where the plant
/// went at least twice as often as a random draw of the same candidates, and in at
/// least 6 of 12 cases at 20 sites (issue 28's bar). The briefs were written from the
/// plants' stated needs before any run (validation/README.md).
#[test]
fn the_public_cases_beat_a_random_draw() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let decisions = read_decisions(&root.join("validation/decisions.csv")).unwrap();
    assert_eq!(decisions.len(), 12);
    let engine = Engine::new(Catalog::from_path(root.join("data")).unwrap());
    let (mut hits, mut random) = ([0usize; 2], [0f64; 2]);
    for d in &decisions {
        let path = root
            .join("validation/briefs")
            .join(format!("{}.toml", d.slug));
        let brief = Brief::from_path(&path).unwrap();
        let r = evaluate(&engine, &brief, d, None).unwrap();
        // The random expectation is the formula over this case's own counts.
        for k in 0..2 {
            hits[k] += usize::from(r.engine[k]);
            random[k] += r.random[k];
            let top = [10, 20][k];
            assert_eq!(r.random[k], hit_probability(r.candidates, r.near, top));
        }
        // A hit at 10 is a hit at 20, and a first hit within 10 is a hit at 10.
        assert!(!r.engine[0] || r.engine[1], "{}", d.slug);
        assert_eq!(
            r.engine[0],
            r.first_hit_rank.is_some_and(|k| k <= 10),
            "{}",
            d.slug
        );
    }
    assert!(hits[1] >= 6, "hit@20 {} of 12", hits[1]);
    assert!(
        hits[1] as f64 >= 2.0 * random[1],
        "hit@20 {} against a random {:.1}",
        hits[1],
        random[1]
    );
}
