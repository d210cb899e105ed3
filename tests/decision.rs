//! Decision support: robustness, Pareto front, near misses and the diverse shortlist,
//! on hand-built cases whose answers are known.

use crate::util::point_layer;
use approx::assert_relative_eq;
use rand::{rngs::StdRng, Rng, SeedableRng};
use sitematch::pareto_front;
use sitematch::{Brief, Catalog, Engine, Feature, Layer, Role, Value};

/// A site on the equator with two attributes `a` and `b` in 0..1.
fn site(id: &str, lon: f64, a: f64, b: f64) -> Feature {
    let mut f = Feature::point(id, lon, 0.0);
    f.attributes.insert("a".into(), Value::Number(a));
    f.attributes.insert("b".into(), Value::Number(b));
    f.attributes.insert(
        "zone".into(),
        Value::Text(format!("z{}", (lon * 10.0).round()).into()),
    );
    f
}

fn engine(sites: Vec<Feature>) -> Engine {
    Engine::new(Catalog::from_layers(vec![
        Layer::from_features("sites", Role::Sites, sites),
        point_layer("motorway", Role::Facilities, &[("m", 0.0, 0.0)]),
    ]))
}

const TWO: &str = "[[criterion]]\nname = \"a\"\ntype = \"attribute\"\nfield = \"a\"\nideal = 1\nzero = 0\n\
                   [[criterion]]\nname = \"b\"\ntype = \"attribute\"\nfield = \"b\"\nideal = 1\nzero = 0\n";

fn brief(extra: &str) -> Brief {
    Brief::from_toml_str(&format!("{extra}\n{TWO}")).unwrap()
}

#[test]
fn a_dominant_site_is_always_first() {
    let e = engine(vec![
        site("best", 0.0, 0.9, 0.9),
        site("x", 0.1, 0.5, 0.4),
        site("y", 0.2, 0.3, 0.6),
    ]);
    let r = e
        .rank(&brief("[robustness]\nruns = 500\nspread = 0.5\nseed = 1\n"))
        .unwrap();
    let best = r.site("best").unwrap();
    assert_eq!(best.decision.p_first, Some(1.0));
    assert_eq!(
        (best.decision.rank_p05, best.decision.rank_p95),
        (Some(1), Some(1))
    );
    assert_eq!(best.decision.pareto, Some(true));
    // x and y trade off a against b: both on the front but never first.
    for id in ["x", "y"] {
        let d = &r.site(id).unwrap().decision;
        assert_eq!(d.p_first, Some(0.0));
        assert_eq!(d.pareto, Some(false));
        assert_eq!(d.dominated_by.as_deref(), Some("best"));
    }
}

#[test]
fn two_mirror_sites_split_the_runs() {
    // a = (1, 0) and b = (0, 1) with equal weights: a is first exactly in the runs
    // where a's weight factor beats b's, about half of them.
    let e = engine(vec![site("a", 0.0, 1.0, 0.0), site("b", 0.1, 0.0, 1.0)]);
    let r = e
        .rank(&brief(
            "top = 1\n[robustness]\nruns = 2000\nspread = 0.25\nseed = 7\n",
        ))
        .unwrap();
    let (pa, pb) = (
        r.site("a").unwrap().decision.p_first.unwrap(),
        r.site("b").unwrap().decision.p_first.unwrap(),
    );
    assert_relative_eq!(pa + pb, 1.0);
    assert!((pa - 0.5).abs() < 0.04, "{pa}");
    assert_eq!(r.site("a").unwrap().decision.p_top, Some(pa));
    // Deterministic for a seed; another seed gives other runs.
    let again = e
        .rank(&brief(
            "top = 1\n[robustness]\nruns = 2000\nspread = 0.25\nseed = 7\n",
        ))
        .unwrap();
    assert_eq!(again.site("a").unwrap().decision.p_first, Some(pa));
    let other = e
        .rank(&brief(
            "top = 1\n[robustness]\nruns = 2000\nspread = 0.25\nseed = 8\n",
        ))
        .unwrap();
    assert_ne!(other.site("a").unwrap().decision.p_first, Some(pa));
}

#[test]
fn flip_margin_is_the_exact_weight_change() {
    // first = (1.0, 0.4), second = (0.5, 0.8), weights 1 and 1:
    // D = 1·0.5 + 1·(-0.4) = 0.1. Criterion a: 0.1 + δ·0.5 = 0 at δ = -0.2 (-20%);
    // criterion b: 0.1 - δ·0.4 = 0 at δ = 0.25 (+25%). The smaller is a, -20%.
    let e = engine(vec![
        site("first", 0.0, 1.0, 0.4),
        site("second", 0.1, 0.5, 0.8),
    ]);
    let r = e.rank(&brief("[robustness]\nruns = 10\n")).unwrap();
    let flip = r.sites[0].decision.flip.clone().unwrap();
    assert_eq!(flip.criterion, 0);
    assert_relative_eq!(flip.change, -0.2, epsilon = 1e-12);
    assert_eq!(r.sites[1].decision.flip, Some(flip));
    // TOPSIS finds its margin numerically; at it the two are level.
    let t = e
        .rank(&brief("method = \"topsis\"\n[robustness]\nruns = 10\n"))
        .unwrap();
    let f = t.sites[0].decision.flip.clone().unwrap();
    let mut w = vec![1.0, 1.0];
    w[f.criterion] *= 1.0 + f.change;
    let s = sitematch::topsis(&[vec![1.0, 0.4], vec![0.5, 0.8]], &w);
    assert!((s[0] - s[1]).abs() < 1e-6, "{s:?} at {f:?}");
}

#[test]
fn pareto_matches_a_brute_force_scan() {
    let mut rng = StdRng::seed_from_u64(3);
    for _ in 0..20 {
        let n = rng.random_range(1..120);
        let c = rng.random_range(1..5);
        // Coarse values make ties and equal rows likely.
        let scores: Vec<Vec<f64>> = (0..n)
            .map(|_| {
                (0..c)
                    .map(|_| f64::from(rng.random_range(0..5u8)) / 4.0)
                    .collect()
            })
            .collect();
        let got = pareto_front(&scores);
        for i in 0..n {
            let dominators: Vec<usize> = (0..n)
                .filter(|&j| {
                    scores[j].iter().zip(&scores[i]).all(|(x, y)| x >= y)
                        && scores[j].iter().zip(&scores[i]).any(|(x, y)| x > y)
                })
                .collect();
            match got[i] {
                None => assert!(
                    dominators.is_empty(),
                    "row {i} is dominated by {dominators:?}"
                ),
                Some(j) => {
                    assert!(dominators.contains(&j), "row {i}: {j} does not dominate it");
                    assert!(
                        got[j].is_none(),
                        "row {i}: its dominator {j} is not on the front"
                    );
                }
            }
        }
    }
}

#[test]
fn near_misses_fail_one_threshold_by_little() {
    // 0.1° of longitude on the equator is 11.131949 km, so sites at 0.27°, 0.29° and
    // 0.32° from the interchange are 30.06, 32.28 and 35.62 km away.
    let mut small = site("small", 0.0, 0.5, 0.5);
    small.area_ha = Some(19.0); // 1 ha (5%) under min_area_ha 20
    let mut tiny = site("tiny", 0.001, 0.5, 0.5);
    tiny.area_ha = Some(10.0); // 50% under
    let mut both = site("both", 0.29, 0.5, 0.5);
    both.area_ha = Some(19.0); // under the area and beyond max_km
    let mut near = site("near", 0.29, 0.5, 0.5);
    near.area_ha = Some(30.0);
    let mut far = site("far", 0.32, 0.5, 0.5);
    far.area_ha = Some(30.0);
    let e = engine(vec![small, tiny, both, near, far]);
    let r = e
        .rank(&Brief::from_toml_str(&format!(
            "[filter]\nmin_area_ha = 20\n{TWO}[[criterion]]\nname = \"motorway\"\ntype = \"distance\"\n\
             layer = \"motorway\"\nideal_km = 1\nzero_km = 50\nmax_km = 30\n"
        ))
        .unwrap())
        .unwrap();
    let miss = |id: &str| {
        r.site(id)
            .unwrap()
            .decision
            .near_miss
            .as_ref()
            .map(|m| m.to_string())
    };
    assert_eq!(miss("small").as_deref(), Some("1 ha under min_area_ha 20"));
    assert_eq!(miss("tiny"), None);
    assert_eq!(miss("both"), None);
    assert_eq!(miss("near").as_deref(), Some("2.3 km over max_km 30"));
    assert_eq!(miss("far"), None);
}

#[test]
fn the_shortlist_keeps_spacing_and_one_per_value() {
    // Sites 0.1° apart on the equator (11.13 km), best first.
    let sites = vec![
        site("s0", 0.0, 1.0, 1.0),
        site("s1", 0.1, 0.95, 0.95),
        site("s2", 0.2, 0.9, 0.9),
        site("s3", 0.35, 0.85, 0.85),
    ];
    let e = engine(sites.clone());
    let r = e.rank(&brief("[output]\nmin_spacing_km = 15\n")).unwrap();
    let d = |id: &str| r.site(id).unwrap().decision.clone();
    assert_eq!(d("s0").shortlist_rank, Some(1));
    assert_eq!(
        d("s1")
            .dropped_by
            .as_ref()
            .map(ToString::to_string)
            .as_deref(),
        Some("min_spacing_km: 11.1 km from s0")
    );
    // s2 is 22.3 km from s0 and s1 was dropped: kept.
    assert_eq!(d("s2").shortlist_rank, Some(2));
    // s3 is 16.7 km from s2: kept.
    assert_eq!(d("s3").shortlist_rank, Some(3));
    // The client's table says each site's place in the shortlist beside its rank.
    let mut md = Vec::new();
    let opts = sitematch::output::OutputOptions::for_ranking(&r);
    sitematch::output::write_markdown(&r, &opts, &mut md).unwrap();
    let rows: Vec<String> = String::from_utf8(md)
        .unwrap()
        .lines()
        .filter(|l| l.starts_with("| "))
        .map(|l| l.split(" | ").take(3).collect::<Vec<_>>().join(" | "))
        .collect();
    assert_eq!(
        rows,
        [
            "| rank | shortlist | site",
            "| 1 | 1 | s0",
            "| 2 | dropped | s1",
            "| 3 | 2 | s2",
            "| 4 | 3 | s3"
        ]
    );
    // one_per on an attribute: zone z0 (s0), z1 (s1), z2 (s2), z4 (s3), and a
    // second site in z0.
    let mut more = sites;
    more.push(site("t0", 0.04, 0.99, 0.99));
    let r = engine(more)
        .rank(&brief("top = 3\n[output]\none_per = \"zone\"\n"))
        .unwrap();
    let t0 = r.site("t0").unwrap();
    assert_eq!(t0.decision.shortlisted, Some(false));
    assert_eq!(
        t0.decision
            .dropped_by
            .as_ref()
            .map(ToString::to_string)
            .as_deref(),
        Some("one_per zone: z0 already has s0")
    );
    // Three kept (s0, s1, s2), the dropped t0 among them in the output order.
    let kept: Vec<&str> = r
        .ranked_sites()
        .iter()
        .filter(|s| s.decision.shortlisted == Some(true))
        .map(|s| s.site_id.as_str())
        .collect();
    assert_eq!(kept, ["s0", "s1", "s2"]);
    assert_eq!(r.site("s3").unwrap().decision.shortlisted, None); // not reached
}

#[test]
fn decision_columns_are_flat_and_typed_in_every_output() {
    let e = engine(vec![
        site("s0", 0.0, 1.0, 0.2),
        site("s1", 0.1, 0.3, 0.9),
        site("s2", 0.2, 0.2, 0.1),
    ]);
    let r = e
        .rank(&brief(
            "[robustness]\nruns = 50\n[output]\nmin_spacing_km = 15\n",
        ))
        .unwrap();
    let mut out = Vec::new();
    let opts = sitematch::output::OutputOptions {
        top: 20,
        include_excluded: true,
    };
    sitematch::output::write_geojson(&r, &opts, &mut out).unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let props = v["features"][0]["properties"].as_object().unwrap();
    for k in [
        "pareto",
        "dominated_by",
        "near_miss",
        "p_top",
        "p_first",
        "rank_p05",
        "rank_p95",
        "flip_criterion",
        "flip_margin",
        "shortlisted",
        "shortlist_rank",
        "dropped_by",
    ] {
        assert!(props.contains_key(k), "{k}");
    }
    assert_eq!(props["pareto"], true);
    assert_eq!(v["sitematch"]["robustness"]["runs"], 50);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("d.geojson");
    std::fs::write(&path, &out).unwrap();
    if let Some((count, fields)) = crate::output::ogrinfo(&path) {
        assert_eq!(count, 3);
        let typ = |n: &str| {
            fields
                .iter()
                .find(|(f, _)| f == n)
                .map(|(_, t)| t.clone())
                .unwrap()
        };
        assert_eq!(typ("p_top"), "Real");
        assert_eq!(typ("rank_p05"), "Integer");
        assert_eq!(typ("pareto"), "Integer(Boolean)");
        assert_eq!(typ("dropped_by"), "String");
    }
}
