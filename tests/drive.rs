//! Drive-time criteria (docs/engine.md, section 5) against a plain Dijkstra from every site on
//! seeded random graphs (with ties and unreachable parts), the edge-csv reader, and
//! the brief's checks.

use std::path::Path;

use geo::{Distance, Geodesic, Point};
use rand::{rngs::StdRng, Rng, SeedableRng};
use sitematch::{
    Brief, Catalog, CriterionValue, Engine, Feature, Layer, Network, RoadEdge, Role, Value,
};

use crate::util::{assert_mentions, catalog_in, fixtures, point_layer, put};

/// A plain Dijkstra from one node over an adjacency list (O(n^2), no heap).
fn dijkstra(n: usize, adj: &[Vec<(usize, f64)>], from: usize) -> Vec<f64> {
    let mut dist = vec![f64::INFINITY; n];
    let mut done = vec![false; n];
    dist[from] = 0.0;
    for _ in 0..n {
        let Some(u) = (0..n)
            .filter(|&v| !done[v] && dist[v].is_finite())
            .min_by(|&a, &b| dist[a].total_cmp(&dist[b]))
        else {
            break;
        };
        done[u] = true;
        for &(v, w) in &adj[u] {
            if dist[u] + w < dist[v] {
                dist[v] = dist[u] + w;
            }
        }
    }
    dist
}

/// The nearest node by brute force, ties to the smaller id.
fn join(nodes: &[Point<f64>], p: Point<f64>) -> (usize, f64) {
    let mut best = (0, f64::INFINITY);
    for (i, q) in nodes.iter().enumerate() {
        let d = Geodesic.distance(p, *q);
        if d < best.1 {
            best = (i, d);
        }
    }
    best
}

struct World {
    nodes: Vec<Point<f64>>,
    edges: Vec<RoadEdge>,
    facilities: Vec<Point<f64>>,
    homes: Vec<(Point<f64>, f64)>,
    sites: Vec<Point<f64>>,
}

fn world(seed: u64) -> World {
    let mut rng = StdRng::seed_from_u64(seed);
    let pt =
        |rng: &mut StdRng| Point::new(rng.random_range(2.0..2.6), rng.random_range(48.0..48.4));
    let nodes: Vec<Point<f64>> = (0..80).map(|_| pt(&mut rng)).collect();
    let mut edges = Vec::new();
    // Nodes 0..60 form the main part; 60..80 an island (unreachable from it).
    for part in [0..60usize, 60..80] {
        let (lo, hi) = (part.start, part.end);
        for a in lo..hi {
            for _ in 0..2 {
                let b = rng.random_range(lo..hi);
                if a != b {
                    // Whole minutes at 60 km/h, so that many paths tie.
                    edges.push(RoadEdge {
                        from: a,
                        to: b,
                        length_km: rng.random_range(1..6) as f64,
                        kmh: 60.0,
                        oneway: rng.random_bool(0.2),
                    });
                }
            }
        }
    }
    World {
        facilities: (0..12).map(|_| pt(&mut rng)).collect(),
        homes: (0..50)
            .map(|_| (pt(&mut rng), rng.random_range(1.0..1000.0_f64).round()))
            .collect(),
        sites: (0..25).map(|_| pt(&mut rng)).collect(),
        nodes,
        edges,
    }
}

fn points(prefix: &str, v: &[Point<f64>]) -> Vec<Feature> {
    v.iter()
        .enumerate()
        .map(|(i, p)| Feature::point(format!("{prefix}{i:03}"), p.x(), p.y()))
        .collect()
}

#[test]
fn drive_times_equal_a_plain_dijkstra_from_every_site() {
    for seed in [21u64, 22, 23] {
        let w = world(seed);
        let access_kmh = 30.0;
        let net = Network::new("roads", points("n", &w.nodes), w.edges.clone(), access_kmh);
        let n = w.nodes.len();
        let mut adj = vec![Vec::new(); n];
        for e in &w.edges {
            adj[e.from].push((e.to, e.minutes()));
            if !e.oneway {
                adj[e.to].push((e.from, e.minutes()));
            }
        }
        let leg = |m: f64| m / 1000.0 / access_kmh * 60.0;
        // t(a, b) = min(straight leg, leg(a) + path + leg(b)).
        let time = |a: Point<f64>, b: Point<f64>| {
            let (na, la) = join(&w.nodes, a);
            let (nb, lb) = join(&w.nodes, b);
            let path = dijkstra(n, &adj, na)[nb];
            leg(Geodesic.distance(a, b)).min(leg(la) + path + leg(lb))
        };
        let mut homes = Vec::new();
        for (i, (p, x)) in w.homes.iter().enumerate() {
            let mut f = Feature::point(format!("h{i:03}"), p.x(), p.y());
            f.attributes.insert("active".into(), Value::Number(*x));
            homes.push(f);
        }
        let mut home_layer = Layer::from_features("homes", Role::Population, homes);
        home_layer.attribute_names = vec!["active".into()];
        // The depots employ 100, 200, ... people: the competing jobs.
        let mut depots = points("f", &w.facilities);
        for (k, d) in depots.iter_mut().enumerate() {
            d.attributes
                .insert("jobs".into(), Value::Number(100.0 * (k + 1) as f64));
        }
        let mut depot_layer = Layer::from_features("depots", Role::Population, depots);
        depot_layer.attribute_names = vec!["jobs".into()];
        let catalog = Catalog::from_layers(vec![
            Layer::from_features("sites", Role::Sites, points("s", &w.sites)),
            depot_layer,
            home_layer,
        ])
        .with_network(net);
        let engine = Engine::new(catalog);
        let brief = Brief::from_toml_str(
            "[[criterion]]\nname = \"depot\"\ntype = \"distance\"\nlayer = \"depots\"\n\
             travel = \"drive\"\nideal_min = 5\nzero_min = 60\n\
             [[criterion]]\nname = \"labour\"\ntype = \"access\"\nlayer = \"homes\"\n\
             field = \"active\"\ntravel = \"drive\"\nradius_min = 20\ndecay = \"linear\"\n\
             saturation = 1000\n\
             [[criterion]]\nname = \"competition\"\ntype = \"competition\"\nlayer = \"homes\"\n\
             field = \"active\"\njobs_layer = \"depots\"\njobs_field = \"jobs\"\n\
             travel = \"drive\"\nradius_min = 25\ndecay = \"linear\"\nsaturation = 1\n",
        )
        .unwrap();
        let r = engine.rank(&brief).unwrap();
        let (mut reached, mut unreached) = (0, 0);
        for (i, s) in w.sites.iter().enumerate() {
            let got = r.site(&format!("s{i:03}")).unwrap();
            // Nearest depot: the smallest time, ties to the smaller id.
            let want = w
                .facilities
                .iter()
                .enumerate()
                .map(|(k, f)| (time(*s, *f), k))
                .filter(|(t, _)| t.is_finite())
                .min_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            match (want, &got.criteria[0].value) {
                (Some((t, k)), CriterionValue::Number(Some(v))) => {
                    assert!(
                        (t - v).abs() < 1e-6,
                        "seed {seed} site {i}: {v} min, plain {t}"
                    );
                    assert_eq!(
                        got.criteria[0].nearest_id.as_deref(),
                        Some(format!("f{k:03}").as_str())
                    );
                    reached += 1;
                }
                (None, CriterionValue::Number(None)) => unreached += 1,
                (w, g) => panic!("seed {seed} site {i}: plain {w:?}, engine {g:?}"),
            }
            // Workers within 20 minutes by road, linear decay.
            let want: f64 = w
                .homes
                .iter()
                .map(|(p, x)| (time(*p, *s), x))
                .filter(|(t, _)| *t <= 20.0)
                .map(|(t, x)| x * (1.0 - t / 20.0))
                .sum();
            let v = got.criteria[1].value.as_f64().unwrap();
            assert!(
                (want - v).abs() < 1e-6 * want.max(1.0),
                "seed {seed} site {i}: {v}, plain {want}"
            );
            // Workers per competing job within 25 minutes (home to depot, home to site).
            let f = |t: f64| 1.0 - t / 25.0;
            let want: f64 = w
                .homes
                .iter()
                .map(|(p, x)| {
                    let t_is = time(*p, *s);
                    let d: f64 = w
                        .facilities
                        .iter()
                        .enumerate()
                        .map(|(k, q)| (time(*p, *q), 100.0 * (k + 1) as f64))
                        .filter(|(t, _)| *t <= 25.0)
                        .map(|(t, e)| e * f(t))
                        .sum();
                    if t_is <= 25.0 && d > 0.0 {
                        x / d * f(t_is)
                    } else {
                        0.0
                    }
                })
                .sum();
            let v = got.criteria[2].value.as_f64().unwrap();
            assert!(
                (want - v).abs() < 1e-9 * want.max(1.0),
                "seed {seed} site {i}: {v}, plain {want}"
            );
        }
        assert!(reached > 0, "seed {seed}: no site reached a depot");
        let _ = unreached;
    }
}

#[test]
fn an_unreachable_facility_is_null_and_max_min_excludes() {
    // Two nodes 0.15° apart with no road between them: a site at one, a depot at the
    // other, 11.2 km away: 22 minutes on the straight access leg, more than max_min.
    let nodes = vec![
        Feature::point("a", 2.0, 48.0),
        Feature::point("b", 2.15, 48.0),
    ];
    let net = Network::new("roads", nodes, vec![], 30.0);
    let engine = Engine::new(
        Catalog::from_layers(vec![
            point_layer("sites", Role::Sites, &[("s", 2.0, 48.0)]),
            point_layer("depots", Role::Facilities, &[("d", 2.15, 48.0)]),
        ])
        .with_network(net),
    );
    let brief = Brief::from_toml_str(
        "[[criterion]]\nname = \"depot\"\ntype = \"distance\"\nlayer = \"depots\"\n\
         travel = \"drive\"\nideal_min = 5\nzero_min = 30\nmax_min = 15\n",
    )
    .unwrap();
    let r = engine.rank(&brief).unwrap();
    let s = r.site("s").unwrap();
    // The straight access leg still reaches it: 11.2 km at 30 km/h.
    let km = Geodesic.distance(Point::new(2.0, 48.0), Point::new(2.15, 48.0)) / 1000.0;
    let t = s.criteria[0].value.as_f64().unwrap();
    assert!((t - km / 30.0 * 60.0).abs() < 1e-6, "{t}");
    assert_eq!(s.excluded_by_text(";"), "depot:max_min");
    assert!((s.criteria[0].km.unwrap() - km).abs() < 1e-6);
    // The explanation gives the minutes, the network and the straight line.
    let text = sitematch::output::explain(&r, "s").unwrap();
    assert_mentions(
        &text,
        &[
            "22.388 min by road (roads) (11.194 km in a straight line)",
            "excluded by: depot:max_min",
        ],
    );
    assert_eq!(
        r.criteria[0].unit,
        "minutes to the nearest depots by road (roads)"
    );
}

#[test]
fn edge_csv_networks_load_with_their_skips() {
    let catalog = Catalog::from_path(fixtures().join("network")).unwrap();
    let net = &catalog.networks[0];
    assert_eq!(net.name, "roads");
    assert_eq!(net.node_count(), 4);
    // Edges a-b, b-c two-way; the edge to a missing node and the zero-length edge are
    // skipped with their lines.
    assert_eq!(net.arc_count(), 4);
    let why: Vec<String> = net.skipped.iter().map(ToString::to_string).collect();
    assert_eq!(why.len(), 2, "{why:?}");
    assert!(
        why[0].contains("line 4") && why[0].contains("node \"z\" is not in"),
        "{why:?}"
    );
    assert!(
        why[1].contains("line 5") && why[1].contains("length \"0\""),
        "{why:?}"
    );
    // Node d is on its own: two components, of 3 and 1 nodes.
    assert_eq!(net.component_sizes(), &[3, 1]);
    // Autoroute at 110 km/h: a-b is 11 km, 6 minutes.
    let t = net.shortest_from(&[(0, 0.0)], false, f64::INFINITY);
    assert!((t[&1] - 6.0).abs() < 1e-9);
}

#[test]
fn drive_briefs_are_checked() {
    let e = Brief::from_toml_str(
        "[[criterion]]\nname = \"m\"\ntype = \"distance\"\nlayer = \"motorway\"\n\
         travel = \"drive\"\nideal_km = 3\nzero_km = 25\n",
    )
    .unwrap_err()
    .to_string();
    assert_mentions(
        &e,
        &[
            "criterion[0].ideal_km: this criterion measures in min",
            "criterion[0].ideal_min: is required",
        ],
    );
    // No network in the data: the check says so and how to fix it.
    let engine = Engine::new(Catalog::from_layers(vec![
        point_layer("sites", Role::Sites, &[("s", 2.0, 48.0)]),
        point_layer("depots", Role::Facilities, &[("d", 2.1, 48.0)]),
    ]));
    let brief = Brief::from_toml_str(
        "[[criterion]]\nname = \"depot\"\ntype = \"distance\"\nlayer = \"depots\"\n\
         travel = \"drive\"\nideal_min = 5\nzero_min = 30\n",
    )
    .unwrap();
    let e = engine.rank(&brief).unwrap_err().to_string();
    assert_mentions(&e, &["criterion[0].travel", "no layer of role \"network\""]);
}

/// A PBF whose coordinates overflow the reader's 64-bit arithmetic (found by the
/// fuzzer, which `fuzz/seed.sh` seeds with it): an error naming the file, never a
/// panic.
#[test]
fn a_pbf_that_overflows_its_reader_is_an_error_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        fixtures().join("osm/overflow.osm.pbf"),
        dir.path().join("roads.osm.pbf"),
    )
    .unwrap();
    put(
        dir.path(),
        "catalog.toml",
        "[[layer]]\nname = \"roads\"\nrole = \"network\"\npath = \"roads.osm.pbf\"\n",
    );
    // Built here, the inflate backend stops at a damaged block first; the fuzzer's
    // build reads on to the overflow. Either way: an error naming the file.
    let e = Catalog::from_path(dir.path()).err().map(|e| e.to_string());
    assert!(
        e.as_deref()
            .is_some_and(|m| m.contains("roads.osm.pbf") && m.contains("not a readable")),
        "{e:?}"
    );
}

/// The real OpenStreetMap extracts load: Monaco (the OSRM project's test extract) and
/// Saint-Barthélemy, with most nodes in one component; a file that is not a PBF is a
/// clear error naming it.
#[test]
#[ignore = "reads ../shared/data/raw: run with `cargo test -- --include-ignored` where it is"]
fn osm_extracts_load_as_networks() {
    let Some(raw) = crate::util::shared_raw() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let monaco = raw.join("osm/monaco.osm.pbf");
    let stb = raw.join("osm/saint_barthelemy.osm.pbf");
    let catalog = catalog_in(
        dir.path(),
        format!(
            "[[layer]]\nname = \"monaco\"\nrole = \"network\"\npath = {:?}\n\
             [[layer]]\nname = \"stb\"\nrole = \"network\"\npath = {:?}\n",
            monaco.display().to_string(),
            stb.display().to_string()
        ),
    )
    .unwrap();
    for n in &catalog.networks {
        let largest = n.component_sizes()[0] as f64 / n.node_count() as f64;
        assert!(
            n.node_count() > 500 && largest > 0.9,
            "{}: {} nodes, {largest}",
            n.name,
            n.node_count()
        );
        assert!(n.skipped.is_empty(), "{:?}", n.skipped);
    }
    // Truncated anywhere, or bytes flipped: an error naming the file, or a smaller
    // network; never a panic.
    let bytes = std::fs::read(&monaco).unwrap();
    let mut rng = StdRng::seed_from_u64(5);
    for k in 0..24 {
        let mut cut = bytes[..rng.random_range(0..bytes.len())].to_vec();
        if k % 2 == 1 && !cut.is_empty() {
            let i = rng.random_range(0..cut.len());
            cut[i] ^= 0x5a;
        }
        put(dir.path(), "bad.osm.pbf", &cut);
        put(
            dir.path(),
            "catalog.toml",
            "[[layer]]\nname = \"bad\"\nrole = \"network\"\npath = \"bad.osm.pbf\"\n",
        );
        if let Err(e) = Catalog::from_path(dir.path()) {
            assert!(e.to_string().contains("bad.osm.pbf"), "{e}");
        }
    }
    // Not a PBF.
    put(dir.path(), "bad.osm.pbf", b"<osm version=\"0.6\"></osm>");
    let e = catalog_in(
        dir.path(),
        "[[layer]]\nname = \"bad\"\nrole = \"network\"\npath = \"bad.osm.pbf\"\n",
    )
    .unwrap_err()
    .to_string();
    assert_mentions(&e, &["bad.osm.pbf", "not a readable OpenStreetMap PBF"]);
}

/// Drive times on the Monaco extract against OSRM's own router (osrm-extract,
/// osrm-contract and osrm-routed with its car profile, from the PyPI wheel
/// `osrm-bindings`): for 144 pairs of road nodes, the ratio OSRM / sitematch. They are
/// not equal: OSRM adds turn and traffic-signal penalties, follows `maxspeed` and
/// slows residential streets, where docs/engine.md (drive times) drives each class at its table
/// speed. Runs where `OSRM_BIN` names the folder of the binaries and `OSRM_PROFILE`
/// the car profile (as `.ci/run` sets them); skips with a note elsewhere.
#[test]
#[ignore = "reads ../shared/data/raw: run with `cargo test -- --include-ignored` where it is"]
fn monaco_drive_times_against_osrm() {
    let Some(raw) = crate::util::shared_raw() else {
        return;
    };
    let (Ok(bin), Ok(profile)) = (std::env::var("OSRM_BIN"), std::env::var("OSRM_PROFILE")) else {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("OSRM_BIN and OSRM_PROFILE are not set; .ci/run installs OSRM");
        }
        eprintln!("note: OSRM_BIN/OSRM_PROFILE not set; skipping the comparison with OSRM");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let pbf = dir.path().join("monaco.osm.pbf");
    std::fs::copy(raw.join("osm/monaco.osm.pbf"), &pbf).unwrap();
    let catalog = catalog_in(
        dir.path(),
        "[[layer]]\nname = \"monaco\"\nrole = \"network\"\npath = \"monaco.osm.pbf\"\n",
    )
    .unwrap();
    let net = &catalog.networks[0];
    let run = |args: &[&str]| {
        let out = std::process::Command::new(Path::new(&bin).join(args[0]))
            .args(&args[1..])
            .current_dir(dir.path())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}: {}",
            args[0],
            String::from_utf8_lossy(&out.stderr)
        );
    };
    run(&["osrm-extract", "-p", &profile, "monaco.osm.pbf"]);
    run(&["osrm-contract", "monaco.osrm"]);
    let port = 5000 + (std::process::id() % 1000) as u16;
    let mut routed = std::process::Command::new(Path::new(&bin).join("osrm-routed"))
        .args([
            "--algorithm",
            "ch",
            "-i",
            "127.0.0.1",
            "-p",
            &port.to_string(),
            "monaco.osrm",
        ])
        .current_dir(dir.path())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // 12 nodes of the largest component, spread over the extract by id order.
    let nodes = net.nodes();
    let picks: Vec<usize> = (0..nodes.features.len())
        .filter(|&i| net.component_size(i as u32) == net.component_sizes()[0])
        .step_by(nodes.features.len() / 13)
        .take(12)
        .collect();
    let coords: Vec<String> = picks
        .iter()
        .map(|&i| {
            let p = nodes.features[i].location;
            format!("{:.7},{:.7}", p.x(), p.y())
        })
        .collect();
    let url = format!(
        "/table/v1/driving/{}?annotations=duration",
        coords.join(";")
    );
    let mut body = None;
    for _ in 0..50 {
        std::thread::sleep(std::time::Duration::from_millis(100));
        if let Ok(text) = http_get(port, &url) {
            body = Some(text);
            break;
        }
    }
    let _ = routed.kill();
    let _ = routed.wait();
    let body = body.expect("osrm-routed answered");
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    let mut ratios = Vec::new();
    for (a, &i) in picks.iter().enumerate() {
        let ours = net.shortest_from(&[(i as u32, 0.0)], false, f64::INFINITY);
        for (b, &j) in picks.iter().enumerate() {
            let (Some(o), Some(t)) = (v["durations"][a][b].as_f64(), ours.get(&(j as u32))) else {
                continue;
            };
            if a != b && *t > 0.5 {
                ratios.push(o / 60.0 / t);
            }
        }
    }
    ratios.sort_by(f64::total_cmp);
    let q = |f: f64| ratios[((ratios.len() - 1) as f64 * f) as usize];
    eprintln!(
        "OSRM / sitematch drive times over {} Monaco pairs: median {:.2}, quartiles {:.2}-{:.2}, range {:.2}-{:.2}",
        ratios.len(),
        q(0.5),
        q(0.25),
        q(0.75),
        q(0.0),
        q(1.0)
    );
    assert!(ratios.len() > 100);
    // Same roads and the same shortest paths give times within a small factor; OSRM's
    // penalties make it slower, never much faster (measured: median 1.24, quartiles
    // 1.19-1.34, every pair 1.09-1.96).
    assert!((1.0..1.6).contains(&q(0.5)), "median ratio {}", q(0.5));
    assert!(q(0.0) > 0.9 && q(1.0) < 2.5, "ratios {}-{}", q(0.0), q(1.0));
}

/// A plain HTTP/1.0 GET on localhost, the body as text.
fn http_get(port: u16, path: &str) -> std::io::Result<String> {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port))?;
    write!(s, "GET {path} HTTP/1.0\r\nHost: localhost\r\n\r\n")?;
    let mut text = String::new();
    s.read_to_string(&mut text)?;
    Ok(text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default())
}

/// Distance and access criteria on a travel-time matrix: the smallest listed time to
/// a matching facility (ties to the smaller id), the decayed sum of the features
/// listed within the radius, and a site the matrix does not name: null, with a warning.
#[test]
fn matrix_distance_and_access() {
    let dir = tempfile::tempdir().unwrap();
    put(dir.path(), "times.csv", "from_id,to_id,minutes\nS1,X,12\nS1,Y,7\nS1,Z,7\nS2,Z,3\nA,S1,10\nB,S1,25\nA,S2,5\nB,S2,15\n");
    let home = |id: &str, x: f64| {
        let mut f = Feature::point(id, 2.0, 48.0);
        f.attributes.insert("active".into(), Value::Number(x));
        f
    };
    let mut homes = Layer::from_features(
        "homes",
        Role::Population,
        vec![home("A", 1000.0), home("B", 400.0)],
    );
    homes.attribute_names = vec!["active".into()];
    let engine = Engine::new(Catalog::from_layers(vec![
        point_layer(
            "sites",
            Role::Sites,
            &[("S1", 2.0, 48.0), ("S2", 2.1, 48.0), ("S3", 2.2, 48.0)],
        ),
        point_layer(
            "depots",
            Role::Facilities,
            &[("X", 2.0, 48.1), ("Y", 2.1, 48.1), ("Z", 2.2, 48.1)],
        ),
        homes,
    ]));
    let path = dir
        .path()
        .join("times.csv")
        .display()
        .to_string()
        .replace('\\', "/");
    let brief = Brief::from_toml_str(&format!(
        "[[criterion]]\nname = \"depot\"\ntype = \"distance\"\nlayer = \"depots\"\n\
         travel = \"matrix\"\nmatrix = \"{path}\"\nideal_min = 5\nzero_min = 15\n\
         [[criterion]]\nname = \"labour\"\ntype = \"access\"\nlayer = \"homes\"\n\
         field = \"active\"\ntravel = \"matrix\"\nmatrix = \"{path}\"\nradius_min = 20\n\
         decay = \"linear\"\nsaturation = 1000\n"
    ))
    .unwrap();
    let r = engine.rank(&brief).unwrap();
    let s1 = r.site("S1").unwrap();
    // Y and Z both at 7 minutes: the smaller id, Y.
    assert_eq!(s1.criteria[0].value.as_f64(), Some(7.0));
    assert_eq!(s1.criteria[0].nearest_id.as_deref(), Some("Y"));
    // A at 10 of 20 minutes counts half; B at 25 is beyond.
    assert_eq!(s1.criteria[1].value.as_f64(), Some(500.0));
    let s2 = r.site("S2").unwrap();
    assert_eq!(s2.criteria[0].value.as_f64(), Some(3.0));
    assert!((s2.criteria[1].value.as_f64().unwrap() - (1000.0 * 0.75 + 400.0 * 0.25)).abs() < 1e-9);
    let s3 = r.site("S3").unwrap();
    assert_eq!(s3.criteria[0].value, CriterionValue::Number(None));
    let notes: Vec<String> = r.warnings.iter().map(ToString::to_string).collect();
    assert!(
        notes
            .iter()
            .any(|n| n.contains("depot: 1 of the 3 candidates are not in the matrix")),
        "{notes:?}"
    );
    // The matrix by its name: the unit goes into outputs handed to a client, which
    // name no folder of the machine that ranked.
    assert!(path.contains('/'));
    assert_eq!(
        r.criteria[0].unit,
        "minutes to the nearest depots in the matrix (times.csv)"
    );
}

/// Drive-time catchments on the default data set's road network, from Lyon, checked
/// against the network's own Dijkstra: every node reached within the bound is inside
/// its polygon, and every vertex of a polygon is within the stated tolerance of a
/// place reached in time (a reached node, or an arc out of one as far as the time
/// left takes it, measured to the segment here, not sampled); the catchments grow
/// with the bound.
#[test]
fn isochrones_hold_every_node_reached_and_claim_nothing_beyond_the_tolerance() {
    use geo::{Area, Contains, CoordsIter, Intersects};
    use rstar::{primitives::Line, PointDistance, RTree};
    let catalog =
        Catalog::from_path(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data")).unwrap();
    let net = catalog.networks.iter().find(|n| n.name == "roads").unwrap();
    let lyon = Point::new(4.8357, 45.764);
    let bounds = [15.0, 30.0, 45.0];
    let cell = 500.0;
    let catchments = sitematch::isochrones(net, lyon, &bounds, cell).unwrap();
    assert_eq!(catchments.len(), 3);
    // The search, again: join, leg, Dijkstra.
    let (start, m) = net.nearest_node(lyon).unwrap();
    let leg = net.leg_minutes(m);
    let times = net.shortest_from(&[(start, leg)], false, 45.0);
    let nodes = &net.nodes().features;
    // Local metres about Lyon (equirectangular: 1% over 100 km, well inside the
    // tolerance's margin).
    let k = lyon.y().to_radians().cos();
    let local = |p: Point<f64>| {
        [
            (p.x() - lyon.x()) * 111_320.0 * k,
            (p.y() - lyon.y()) * 110_574.0,
        ]
    };
    let mut areas = Vec::new();
    for c in &catchments {
        let reached: Vec<(u32, f64)> = times
            .iter()
            .filter(|(_, t)| **t <= c.minutes)
            .map(|(n, t)| (*n, *t))
            .collect();
        assert_eq!(c.nodes, reached.len(), "{} min", c.minutes);
        assert!(c.nodes > 50, "{} min: {} nodes", c.minutes, c.nodes);
        for (n, _) in &reached {
            let p = nodes[*n as usize].location;
            assert!(
                c.polygon.contains(&p) || c.polygon.intersects(&p),
                "{} min: node {n} at {p:?}, reached in time, is outside",
                c.minutes
            );
        }
        // The places reached, as segments: the leg, then each arc as far as it goes.
        let mut segments = vec![Line::new(
            local(lyon),
            local(nodes[start as usize].location),
        )];
        for (n, t) in &reached {
            let a = nodes[*n as usize].location;
            segments.push(Line::new(local(a), local(a)));
            for (m, w) in net.arcs_from(*n) {
                let b = nodes[m as usize].location;
                let share = if w > 0.0 {
                    ((c.minutes - t) / w).clamp(0.0, 1.0)
                } else {
                    1.0
                };
                let end = Point::new(
                    a.x() + (b.x() - a.x()) * share,
                    a.y() + (b.y() - a.y()) * share,
                );
                segments.push(Line::new(local(a), local(end)));
            }
        }
        let tree = RTree::bulk_load(segments);
        let mut worst: f64 = 0.0;
        for v in c.polygon.coords_iter() {
            let q = local(Point::new(v.x, v.y));
            let nearest = tree.nearest_neighbor(&q).unwrap();
            worst = worst.max(nearest.distance_2(&q).sqrt());
        }
        assert!(
            worst <= c.tolerance_m && c.tolerance_m <= 3.0 * cell,
            "{} min: a vertex {worst:.0} m from any place reached (tolerance {})",
            c.minutes,
            c.tolerance_m
        );
        println!(
            "{} min: {} nodes, worst vertex {worst:.0} m from a place reached",
            c.minutes, c.nodes
        );
        areas.push(c.polygon.unsigned_area());
    }
    assert!(areas[0] < areas[1] && areas[1] < areas[2], "{areas:?}");
    // Absurd bounds are errors, not searches.
    for bad in [[0.0], [f64::NAN], [601.0]] {
        assert!(sitematch::isochrones(net, lyon, &bad, cell).is_err());
    }
    assert!(sitematch::isochrones(net, lyon, &[15.0], 10.0).is_err());
}
