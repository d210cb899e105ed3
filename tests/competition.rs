//! The competition criterion (docs/engine.md, section 6) against independent computations: a
//! hand-worked example, a brute-force O(n^2) implementation on seeded random worlds,
//! and the published spatial-availability example of Soukhov et al. (2023).

use std::path::Path;

use crate::util::assert_mentions;
use geo::{Distance, Geodesic, Point};
use rand::{rngs::StdRng, Rng, SeedableRng};
use sitematch::{Brief, Catalog, CriterionValue, Engine, Feature, Layer, Role, Value};

fn point(id: &str, lon: f64, lat: f64, field: &str, x: f64) -> Feature {
    let mut f = Feature::point(id, lon, lat);
    f.attributes.insert(field.into(), Value::Number(x));
    f
}

fn layer(name: &str, role: Role, features: Vec<Feature>) -> Layer {
    let mut l = Layer::from_features(name, role, features);
    l.attribute_names = ["active", "jobs", "population"].map(String::from).to_vec();
    l
}

fn sites(ids: &[&str]) -> Layer {
    let f = ids
        .iter()
        .enumerate()
        .map(|(i, id)| Feature::point(*id, i as f64 * 0.1, 0.0))
        .collect();
    Layer::from_features("sites", Role::Sites, f)
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.to_string_lossy().replace('\\', "/")
}

fn value(r: &sitematch::Ranking, site: &str) -> f64 {
    r.site(site).unwrap().criteria[0].value.as_f64().unwrap()
}

/// Three communes of workers (A 1,000 active, B 2,000, C 500), three employment
/// centres (X 1,500 jobs, Y 1,000, Z 500) and two sites, joined by a matrix of round
/// minutes; R = 30 min, linear decay f(t) = 1 - t/30.
///
/// Step 1 (competing jobs within 30 min of each commune):
///   A: X at 0 min (f 1), Y at 15 (1/2), Z at 40 (beyond R)
///      D_A = 1500 + 1000/2 = 2000, r_A = 1000/2000 = 1/2
///   B: X at 15 (1/2), Y at 0 (1), Z at 20 (1/3)
///      D_B = 750 + 1000 + 500/3 = 5750/3, r_B = 2000 / (5750/3) = 24/23
///   C: Y at 30 (f 0: at the radius, in but weightless), Z at 10 (2/3), X beyond
///      D_C = 0 + 1000/3, r_C = 500 / (1000/3) = 3/2
/// Step 2 (workers per competing job):
///   S1: A at 0 (1), B at 15 (1/2); C beyond: v = 1/2 + 24/23 * 1/2 = 47/46
///   S2: B at 10 (2/3), C at 5 (5/6): v = 24/23 * 2/3 + 3/2 * 5/6 = 179/92
///   S1's workers: 1000 + 2000/2 = 2000; competing jobs 2000 / (47/46) = 92000/47
/// Expected workers for a plant of J = 100 jobs, sum of W J f / (J f + D):
///   S1: A 1000 * 100 / (100 + 2000) = 1000/21; B 2000 * 50 / (50 + 5750/3) = 3000/59
///   S2: B 2000 * (200/3) / (200/3 + 5750/3) = 8000/119; C 500 * (250/3) / (250/3 +
///       1000/3) = 100
#[test]
fn hand_worked_example() {
    let dir = tempfile::tempdir().unwrap();
    let matrix = write(
        dir.path(),
        "minutes.csv",
        "from_id,to_id,minutes\n\
         A,X,0\nA,Y,15\nA,Z,40\nB,X,15\nB,Y,0\nB,Z,20\nC,Y,30\nC,Z,10\nC,X,45\n\
         A,S1,0\nB,S1,15\nC,S1,35\nB,S2,10\nC,S2,5\n",
    );
    let homes = layer(
        "homes",
        Role::Population,
        vec![
            point("A", 0.0, 1.0, "active", 1000.0),
            point("B", 0.0, 2.0, "active", 2000.0),
            point("C", 0.0, 3.0, "active", 500.0),
        ],
    );
    let work = layer(
        "work",
        Role::Population,
        vec![
            point("X", 1.0, 1.0, "jobs", 1500.0),
            point("Y", 1.0, 2.0, "jobs", 1000.0),
            point("Z", 1.0, 3.0, "jobs", 500.0),
        ],
    );
    let engine = Engine::new(Catalog::from_layers(vec![
        sites(&["S1", "S2"]),
        homes,
        work,
    ]));
    let brief = |measure: &str| {
        Brief::from_toml_str(&format!(
            "[[criterion]]\nname = \"labour\"\ntype = \"competition\"\nlayer = \"homes\"\n\
             field = \"active\"\njobs_layer = \"work\"\njobs_field = \"jobs\"\n\
             travel = \"matrix\"\nmatrix = \"{matrix}\"\nradius_min = 30\ndecay = \"linear\"\n\
             saturation = 2\n{measure}"
        ))
        .unwrap()
    };
    let r = engine.rank(&brief("")).unwrap();
    assert!((value(&r, "S1") - 47.0 / 46.0).abs() < 1e-12);
    assert!((value(&r, "S2") - 179.0 / 92.0).abs() < 1e-12);
    let s1 = &r.site("S1").unwrap().criteria[0];
    assert!((s1.workers.unwrap() - 2000.0).abs() < 1e-9);
    assert!((s1.competing_jobs.unwrap() - 92000.0 / 47.0).abs() < 1e-9);
    assert!((s1.score - 47.0 / 92.0).abs() < 1e-12);
    // The explanation reads as a consultant says it.
    let text = sitematch::output::explain(&r, "S1").unwrap();
    assert_mentions(
        &text,
        &[
            "2,000 workers within reach, 1,957 jobs competing for them",
            "active per competing jobs within 30 min",
        ],
    );

    let r = engine
        .rank(&brief("measure = \"expected-workers\"\njobs = 100\n"))
        .unwrap();
    assert!((value(&r, "S1") - (1000.0 / 21.0 + 3000.0 / 59.0)).abs() < 1e-9);
    assert!((value(&r, "S2") - (8000.0 / 119.0 + 100.0)).abs() < 1e-9);
}

/// The spatial-availability example of Soukhov et al. (2023), as kept in
/// ipeaGIT/accessibility's tests (`test-spatial_availability.R`, "calculates spatial
/// availability correctly"): origins A, B, C with 50,000, 150,000 and 10,000 people,
/// destinations 1, 2, 3 with 100,000, 100,000 and 10,000 jobs, times 15/30/100 min,
/// f = exp(-0.1 t). The jobs available to A, B and C are 66,833, 133,203 and 9,963.
///
/// The same allocation is the expected-workers measure with the roles turned round:
/// destination j's jobs are "workers" W_j, the origin under study is the site with
/// J = its population, the other origins are the "competing jobs" E_k, so that
/// W_j J f(c_Aj) / (J f(c_Aj) + sum over k of E_k f(c_kj)) is A's share of j's jobs.
#[test]
fn soukhov_spatial_availability_through_a_matrix() {
    let origins = [("A", 50_000.0), ("B", 150_000.0), ("C", 10_000.0)];
    let times = [
        ("A", [15.0, 30.0, 100.0]),
        ("B", [30.0, 15.0, 100.0]),
        ("C", [100.0, 100.0, 15.0]),
    ];
    let dir = tempfile::tempdir().unwrap();
    let mut csv = String::from("from_id,to_id,minutes\n");
    for (o, row) in &times {
        for (j, t) in row.iter().enumerate() {
            // From the destination (the "workers") to the origin (site or competitor).
            csv.push_str(&format!("{},{o},{t}\n", j + 1));
        }
    }
    let matrix = write(dir.path(), "paper.csv", &csv);
    let destinations = layer(
        "destinations",
        Role::Population,
        vec![
            point("1", 0.0, 1.0, "jobs", 100_000.0),
            point("2", 0.0, 2.0, "jobs", 100_000.0),
            point("3", 0.0, 3.0, "jobs", 10_000.0),
        ],
    );
    let expected = [66_833.0, 133_203.0, 9_963.0];
    for (k, (origin, population)) in origins.iter().enumerate() {
        let others: Vec<Feature> = origins
            .iter()
            .filter(|(o, _)| o != origin)
            .map(|(o, p)| point(o, 1.0, 0.0, "population", *p))
            .collect();
        let engine = Engine::new(Catalog::from_layers(vec![
            sites(&["A", "B", "C"]),
            destinations.clone(),
            layer("others", Role::Population, others),
        ]));
        let brief = Brief::from_toml_str(&format!(
            "[[criterion]]\nname = \"available\"\ntype = \"competition\"\n\
             layer = \"destinations\"\nfield = \"jobs\"\njobs_layer = \"others\"\n\
             jobs_field = \"population\"\ntravel = \"matrix\"\nmatrix = \"{matrix}\"\n\
             radius_min = 100\nbeta = 0.1\nmeasure = \"expected-workers\"\n\
             jobs = {population}\nsaturation = 1000000\n"
        ))
        .unwrap();
        let r = engine.rank(&brief).unwrap();
        let v = value(&r, origin);
        assert_eq!(v.round(), expected[k], "{origin}: {v}");
    }
}

/// docs/engine.md section 6 written out plainly: every pair measured with Karney's geodesic,
/// no index.
fn brute(
    site: Point<f64>,
    workers: &[(Point<f64>, f64)],
    jobs: &[(Point<f64>, f64)],
    r_km: f64,
    f: impl Fn(f64) -> f64,
    expected_for: Option<f64>,
) -> f64 {
    let km = |a: Point<f64>, b: Point<f64>| Geodesic.distance(a, b) / 1000.0;
    let mut v = 0.0;
    for (p, w) in workers {
        let t_is = km(*p, site);
        if t_is > r_km {
            continue;
        }
        let d: f64 = jobs
            .iter()
            .filter(|(q, _)| km(*p, *q) <= r_km)
            .map(|(q, e)| e * f(km(*p, *q)))
            .sum();
        v += match expected_for {
            None if d > 0.0 => w / d * f(t_is),
            None => 0.0,
            Some(j) if j * f(t_is) + d > 0.0 => w * j * f(t_is) / (j * f(t_is) + d),
            Some(_) => 0.0,
        };
    }
    v
}

/// A brief's decay keys, the same decay written out, and the plant's jobs for
/// expected-workers.
type Case = (&'static str, Box<dyn Fn(f64) -> f64>, Option<f64>);

#[test]
fn engine_equals_brute_force_on_random_worlds() {
    for seed in [11u64, 12, 13] {
        let mut rng = StdRng::seed_from_u64(seed);
        let pt =
            |rng: &mut StdRng| Point::new(rng.random_range(2.0..3.0), rng.random_range(48.0..48.8));
        let homes: Vec<(Point<f64>, f64)> = (0..150)
            .map(|_| (pt(&mut rng), rng.random_range(0.0..5000.0_f64).round()))
            .collect();
        let work: Vec<(Point<f64>, f64)> = (0..120)
            .map(|_| (pt(&mut rng), rng.random_range(0.0..8000.0_f64).round()))
            .collect();
        let candidates: Vec<Point<f64>> = (0..40).map(|_| pt(&mut rng)).collect();
        let features = |v: &[(Point<f64>, f64)], prefix: &str, field: &str| {
            v.iter()
                .enumerate()
                .map(|(i, (p, x))| point(&format!("{prefix}{i:03}"), p.x(), p.y(), field, *x))
                .collect::<Vec<_>>()
        };
        let site_layer = Layer::from_features(
            "sites",
            Role::Sites,
            candidates
                .iter()
                .enumerate()
                .map(|(i, p)| Feature::point(format!("s{i:03}"), p.x(), p.y()))
                .collect(),
        );
        let engine = Engine::new(Catalog::from_layers(vec![
            site_layer,
            layer("homes", Role::Population, features(&homes, "h", "active")),
            layer("work", Role::Population, features(&work, "w", "jobs")),
        ]));
        let r_km = 20.0;
        let cases: [Case; 5] = [
            ("decay = \"none\"", Box::new(|_| 1.0), None),
            (
                "decay = \"linear\"",
                Box::new(move |t| 1.0 - t / r_km),
                None,
            ),
            (
                "decay = \"gaussian\"",
                Box::new(move |t| (-4.5 * (t / r_km).powi(2)).exp()),
                None,
            ),
            ("beta = 0.15", Box::new(|t| (-0.15 * t).exp()), None),
            (
                "decay = \"exponential\"\nmeasure = \"expected-workers\"\njobs = 600",
                Box::new(move |t| (-3.0 * t / r_km).exp()),
                Some(600.0),
            ),
        ];
        for (extra, f, expected_for) in &cases {
            let brief = Brief::from_toml_str(&format!(
                "[[criterion]]\nname = \"c\"\ntype = \"competition\"\nlayer = \"homes\"\n\
                 field = \"active\"\njobs_layer = \"work\"\njobs_field = \"jobs\"\n\
                 radius_km = {r_km}\nsaturation = 1\n{extra}\n"
            ))
            .unwrap();
            let ranking = engine.rank(&brief).unwrap();
            for (i, p) in candidates.iter().enumerate() {
                let want = brute(*p, &homes, &work, r_km, f, *expected_for);
                let got = ranking.site(&format!("s{i:03}")).unwrap().criteria[0]
                    .value
                    .as_f64()
                    .unwrap();
                assert!(
                    (got - want).abs() <= 1e-9 * want.abs().max(1.0),
                    "seed {seed}, {extra}, site {i}: engine {got}, brute force {want}"
                );
            }
        }
    }
}

/// Bad input: a jobs field missing on some features counts 0 and is reported; no
/// competing job at all gives 0 with a note, not NaN; `jobs` is required for
/// expected-workers; drive time is refused with what to do instead.
#[test]
fn bad_input_is_reported() {
    let mut no_jobs = point("k1", 2.0, 48.0, "population", 1.0);
    no_jobs
        .attributes
        .insert("jobs".into(), Value::Text("n/a".into()));
    let engine = Engine::new(Catalog::from_layers(vec![
        sites(&["s"]),
        layer(
            "homes",
            Role::Population,
            vec![point("h1", 0.0, 0.01, "active", 100.0)],
        ),
        layer("work", Role::Population, vec![no_jobs]),
    ]));
    let brief = Brief::from_toml_str(
        "[[criterion]]\nname = \"c\"\ntype = \"competition\"\nlayer = \"homes\"\n\
         field = \"active\"\njobs_layer = \"work\"\njobs_field = \"jobs\"\n\
         radius_km = 30\nsaturation = 1\n",
    )
    .unwrap();
    let r = engine.rank(&brief).unwrap();
    let c = &r.site("s").unwrap().criteria[0];
    assert_eq!(c.value, CriterionValue::Number(Some(0.0)));
    assert_eq!(c.competing_jobs, None);
    assert_eq!(c.workers, Some(100.0));
    assert_eq!(r.criteria[0].missing_values, Some(1));
    let notes: Vec<String> = r.warnings.iter().map(ToString::to_string).collect();
    assert!(
        notes.iter().any(|n| n.contains(
            "1 of the 1 worker features within reach of the \
                                         candidates have no competing job"
        )),
        "{notes:?}"
    );
    let text = sitematch::output::explain(&r, "s").unwrap();
    assert_mentions(&text, &["no job competing for them"]);

    let e = Brief::from_toml_str(
        "[[criterion]]\nname = \"c\"\ntype = \"competition\"\nlayer = \"homes\"\n\
         field = \"active\"\njobs_field = \"jobs\"\nradius_km = 30\nsaturation = 1\n\
         measure = \"expected-workers\"\n",
    )
    .unwrap_err()
    .to_string();
    assert_mentions(&e, &["criterion[0].jobs: is required"]);
    // Drive time needs a network layer, which this data set lacks.
    let drive = Brief::from_toml_str(
        "[[criterion]]\nname = \"c\"\ntype = \"competition\"\nlayer = \"homes\"\n\
         field = \"active\"\njobs_field = \"jobs\"\nradius_min = 30\nsaturation = 1\n\
         travel = \"drive\"\n",
    )
    .unwrap();
    let e = engine.rank(&drive).unwrap_err().to_string();
    assert_mentions(&e, &["criterion[0].travel", "role \"network\""]);
    let e = Brief::from_toml_str(
        "[[criterion]]\nname = \"c\"\ntype = \"competition\"\nlayer = \"homes\"\n\
         field = \"active\"\njobs_field = \"jobs\"\nradius_min = 30\nsaturation = 1\n",
    )
    .unwrap_err()
    .to_string();
    assert_mentions(
        &e,
        &["criterion[0].radius_min: this criterion measures in km (straight line): use radius_km"],
    );
    // A field the layer does not have is found against the data.
    let wrong = Brief::from_toml_str(
        "[[criterion]]\nname = \"c\"\ntype = \"competition\"\nlayer = \"homes\"\n\
         field = \"active\"\njobs_layer = \"work\"\njobs_field = \"emplois\"\n\
         radius_km = 30\nsaturation = 1\n",
    )
    .unwrap();
    let e = engine.rank(&wrong).unwrap_err().to_string();
    assert_mentions(&e, &["criterion[0].jobs_field", "no attribute \"emplois\""]);
}
