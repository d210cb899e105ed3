//! The server with real clients: GDAL's OAPIF driver lists the collections and reads a
//! ranking page by page; an HTTP client posts briefs (good, bad, too large, the
//! malformed-brief corpus) and checks the answers against the library's own results.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use sitematch::{Brief, Catalog, Engine};
use sitematch_server::{AppState, Limits};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures")
}

/// A server over the ranking fixtures on a free loopback port, in its own thread;
/// returns its base URL and state.
fn start(limits: Limits) -> (String, Arc<AppState>) {
    let dir = fixtures().join("rank");
    let engine = Engine::new(Catalog::from_path(&dir).unwrap());
    start_with(AppState::new(
        engine,
        sitematch_server::data_version(&dir),
        limits,
    ))
}

/// A server over `engine` (see [`start`]).
fn start_over(engine: Engine, limits: Limits) -> (String, Arc<AppState>) {
    start_with(AppState::new(engine, "test".into(), limits))
}

fn start_with(state: AppState) -> (String, Arc<AppState>) {
    let state = Arc::new(state);
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    listener.set_nonblocking(true).unwrap();
    let shared = state.clone();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Runtime::new().unwrap();
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            sitematch_server::serve(listener, shared).await.unwrap();
        });
    });
    (format!("http://{addr}"), state)
}

fn brief_toml() -> String {
    std::fs::read_to_string(fixtures().join("rank/brief.toml")).unwrap()
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into()
}

/// (status, headers we read, body) of a POST.
fn post(url: &str, media: &str, body: &[u8]) -> (u16, Option<String>, Option<String>, String) {
    let mut r = agent()
        .post(url)
        .header("Content-Type", media)
        .send(body)
        .unwrap();
    let header = |r: &ureq::http::Response<ureq::Body>, h: &str| {
        r.headers()
            .get(h)
            .and_then(|v| v.to_str().ok())
            .map(String::from)
    };
    let (location, cache) = (header(&r, "location"), header(&r, "x-sitematch-cache"));
    let text = r.body_mut().read_to_string().unwrap_or_default();
    (r.status().as_u16(), location, cache, text)
}

fn get(url: &str) -> (u16, String) {
    let mut r = agent().get(url).call().unwrap();
    let text = r.body_mut().read_to_string().unwrap_or_default();
    (r.status().as_u16(), text)
}

/// `ogrinfo` output, or `None` with a note when GDAL is absent (never under CI).
fn ogrinfo(args: &[&str]) -> Option<String> {
    let out = match std::process::Command::new("ogrinfo").args(args).output() {
        Ok(o) => o,
        Err(_) if std::env::var("CI").is_ok_and(|v| v == "true") => {
            panic!("ogrinfo is missing; .ci/run installs gdal-bin")
        }
        Err(_) => {
            eprintln!("note: ogrinfo (gdal-bin) is not installed; skipping the OAPIF read-back");
            return None;
        }
    };
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && stderr.trim().is_empty(),
        "ogrinfo {args:?}: {stderr}"
    );
    Some(String::from_utf8_lossy(&out.stdout).into_owned())
}

#[test]
fn gdal_reads_the_collections_and_a_ranking_page_by_page() {
    let (base, _) = start(Limits::default());
    let (status, location, cache, body) = post(
        &format!("{base}/rank"),
        "application/toml",
        brief_toml().as_bytes(),
    );
    assert_eq!(status, 201, "{body}");
    assert_eq!(cache.as_deref(), Some("miss"));
    let location = location.unwrap();
    let id = location.rsplit('/').next().unwrap().to_string();
    assert!(
        id.starts_with("ranking-") && id.len() == "ranking-".len() + 16,
        "{id}"
    );
    // The answer is the library's ranking of the same brief over the same data.
    let expected = Engine::new(Catalog::from_path(fixtures().join("rank")).unwrap())
        .rank(&Brief::from_toml_str(&brief_toml()).unwrap())
        .unwrap();
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    let ids: Vec<&str> = v["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["properties"]["site_id"].as_str().unwrap())
        .collect();
    let want: Vec<&str> = expected
        .ranked_sites()
        .iter()
        .take(expected.top)
        .map(|s| s.site_id.as_str())
        .collect();
    assert_eq!(ids, want);

    let oapif = format!("OAPIF:{base}");
    let Some(list) = ogrinfo(&["-ro", "-q", &oapif]) else {
        return;
    };
    let names: Vec<&str> = list
        .lines()
        .filter_map(|l| l.split(": ").nth(1))
        .filter_map(|l| l.split(' ').next())
        .collect();
    assert_eq!(
        names,
        ["motorway", "ardennes", "centre", id.as_str()],
        "{list}"
    );
    // Two features a page: GDAL follows the `next` links to the end.
    let all = ogrinfo(&["-ro", "-oo", "PAGE_SIZE=2", &oapif, &id]).unwrap();
    let read: Vec<&str> = all
        .lines()
        .filter_map(|l| l.trim().strip_prefix("site_id (String) = "))
        .collect();
    let every: Vec<&str> = expected
        .ranked_sites()
        .iter()
        .map(|s| s.site_id.as_str())
        .collect();
    assert_eq!(read, every);
    assert!(all.contains(&format!("Feature Count: {}", every.len())));
    let layer = ogrinfo(&["-ro", "-so", "-oo", "PAGE_SIZE=3", &oapif, "ardennes"]).unwrap();
    assert!(layer.contains("Feature Count: 8"), "{layer}");
}

#[test]
fn the_same_brief_twice_is_ranked_once() {
    let (base, state) = start(Limits::default());
    let (status, first, cache, _) = post(
        &format!("{base}/rank"),
        "application/toml",
        brief_toml().as_bytes(),
    );
    assert_eq!((status, cache.as_deref()), (201, Some("miss")));
    // The same brief as JSON: the same collection, from the cache.
    let value: toml::Value = toml::from_str(&brief_toml()).unwrap();
    let json = serde_json::to_string(&value).unwrap();
    let (status, again, cache, _) =
        post(&format!("{base}/rank"), "application/json", json.as_bytes());
    assert_eq!((status, cache.as_deref()), (200, Some("hit")));
    assert_eq!(first, again);
    assert_eq!(state.rankings().len(), 1);
    // Another brief, another collection.
    let other = brief_toml().replace("top = 5", "top = 2");
    let (status, third, _, _) = post(
        &format!("{base}/rank"),
        "application/toml",
        other.as_bytes(),
    );
    assert_eq!(status, 201);
    assert_ne!(first, third);
}

/// An anchor criterion names its places in the brief itself, so a server client (who
/// cannot send a file) can rank by the distance to its partner's plant: the answer is
/// the library's, the nearest place named in each feature.
#[test]
fn a_brief_with_an_anchor_is_ranked_through_the_server() {
    let (base, _) = start(Limits::default());
    let brief = r#"{
        "name": "Near our partner",
        "top": 3,
        "criterion": [{
            "name": "partner",
            "type": "anchor",
            "points": [
                {"label": "partner plant, Sedan", "lon": 4.94, "lat": 49.70},
                {"label": "our lab, Charleville", "lon": 4.72, "lat": 49.77}
            ],
            "ideal_km": 1,
            "zero_km": 50
        }]
    }"#;
    let (status, _, _, body) = post(
        &format!("{base}/rank"),
        "application/json",
        brief.as_bytes(),
    );
    assert_eq!(status, 201, "{body}");
    let expected = Engine::new(Catalog::from_path(fixtures().join("rank")).unwrap())
        .rank(&Brief::from_json_str(brief).unwrap())
        .unwrap();
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    let features = v["features"].as_array().unwrap();
    assert_eq!(features.len(), 3);
    assert!(features
        .iter()
        .all(|f| f["properties"]["partner_nearest_label"].is_string()));
    for (f, s) in features.iter().zip(expected.ranked_sites()) {
        assert_eq!(f["properties"]["site_id"], s.site_id.as_str());
        assert_eq!(
            f["properties"]["partner_nearest_label"].as_str(),
            s.criteria[0].nearest_label.as_deref()
        );
        let km = f["properties"]["partner_value"].as_f64().unwrap();
        assert_eq!(Some(km), s.criteria[0].value.as_f64());
    }
}

#[test]
fn items_page_and_filter_as_a_scan_does() {
    let (base, _) = start(Limits::default());
    let catalog = Catalog::from_path(fixtures().join("rank")).unwrap();
    let layer = catalog.layer("motorway").unwrap();
    let n = layer.features.len();
    let (status, body) = get(&format!(
        "{base}/collections/motorway/items?limit=3&offset=2"
    ));
    assert_eq!(status, 200, "{body}");
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["numberMatched"], n);
    assert_eq!(v["numberReturned"], 3.min(n - 2));
    let next = v["links"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["rel"] == "next");
    assert_eq!(next.is_some(), n > 5);
    // bbox: the features a scan finds inside.
    let (x0, y0, x1, y1) = (4.5, 49.5, 5.0, 50.0);
    let inside = layer
        .features
        .iter()
        .filter(|f| {
            let p = f.location;
            (x0..=x1).contains(&p.x()) && (y0..=y1).contains(&p.y())
        })
        .count();
    let (_, body) = get(&format!(
        "{base}/collections/motorway/items?limit=1000&bbox={x0},{y0},{x1},{y1}"
    ));
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["numberMatched"], inside);
    // Bad parameters: 400 with the fix.
    for bad in [
        "limit=0",
        "limit=x",
        "bbox=1,2,3",
        "bbox=1,4,3,2",
        "bbox=1,2,3,4,5",
        "bbox=200,2,3,4",
    ] {
        let (status, body) = get(&format!("{base}/collections/motorway/items?{bad}"));
        assert_eq!(status, 400, "{bad}");
        let p: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert!(p["detail"]
            .as_str()
            .unwrap()
            .contains(bad.split('=').next().unwrap()));
    }
    let (status, _) = get(&format!("{base}/collections/nothing/items"));
    assert_eq!(status, 404);
    let (status, body) = get(&format!("{base}/health"));
    assert_eq!(status, 200);
    assert!(body.contains("\"status\":\"ok\""));
}

#[test]
fn a_site_has_its_score_receipt() {
    let (base, _) = start(Limits::default());
    let (_, location, _, _) = post(
        &format!("{base}/rank"),
        "application/toml",
        brief_toml().as_bytes(),
    );
    let id = location.unwrap().rsplit('/').next().unwrap().to_string();
    let expected = Engine::new(Catalog::from_path(fixtures().join("rank")).unwrap())
        .rank(&Brief::from_toml_str(&brief_toml()).unwrap())
        .unwrap();
    let site = &expected.ranked_sites()[0].site_id;
    let want = sitematch::output::explain(&expected, site).unwrap();
    let (status, text) = get(&format!("{base}/explain?ranking={id}&site={site}"));
    assert_eq!((status, text.as_str()), (200, want.as_str()));
    let (status, body) = get(&format!("{base}/collections/{id}/items/{site}"));
    assert_eq!(status, 200);
    let f: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(f["properties"]["explanation"], want.as_str());
    assert_eq!(f["properties"]["rank"], 1);
    let (status, _) = get(&format!("{base}/explain?ranking={id}&site=nope"));
    assert_eq!(status, 404);
}

/// Bad briefs get 4xx problem+json with every problem at its key path, never a 5xx;
/// the malformed-brief corpus included; the server stays up.
#[test]
fn bad_requests_get_clear_problems() {
    let limits = Limits {
        max_body: 4096,
        ..Limits::default()
    };
    let (base, state) = start(limits);
    let url = format!("{base}/rank");
    let problem = |status: u16, body: &str| -> serde_json::Value {
        let p: serde_json::Value =
            serde_json::from_str(body).unwrap_or_else(|_| panic!("{status}: not JSON: {body}"));
        assert_eq!(p["status"], status, "{body}");
        assert!(!p["detail"].as_str().unwrap_or("").is_empty(), "{body}");
        p
    };
    // A typo: its key path.
    let typo = brief_toml().replace("name = \"motorway\"", "nmae = \"motorway\"");
    let (status, _, _, body) = post(&url, "application/toml", typo.as_bytes());
    assert_eq!(status, 422);
    let p = problem(422, &body);
    assert!(
        p["problems"]
            .as_array()
            .unwrap()
            .iter()
            .any(|k| k["key"].as_str().unwrap().starts_with("criterion[0]")),
        "{body}"
    );
    // A file of the server: refused.
    let matrix = "[[criterion]]\nname = \"m\"\ntype = \"distance\"\nlayer = \"motorway\"\ntravel = \"matrix\"\nmatrix = \"/etc/passwd\"\nideal_min = 5\nzero_min = 30\n";
    let (status, _, _, body) = post(&url, "application/toml", matrix.as_bytes());
    assert_eq!(status, 422, "{body}");
    let p = problem(422, &body);
    assert_eq!(p["problems"][0]["key"], "criterion[0].matrix");
    let flows = "[[criterion]]\nname = \"f\"\ntype = \"freight\"\nflows = \"/etc/passwd.csv\"\nideal = 1\nzero = 2\n";
    let (status, _, _, body) = post(&url, "application/toml", flows.as_bytes());
    assert_eq!(status, 422, "{body}");
    assert_eq!(
        problem(422, &body)["problems"][0]["key"],
        "criterion[0].flows"
    );
    // Too large, not UTF-8, an unknown media type.
    let big = vec![b' '; 5000];
    let (status, _, _, body) = post(&url, "application/toml", &big);
    assert_eq!(status, 413);
    problem(413, &body);
    let (status, _, _, body) = post(&url, "application/toml", &[0xff, 0xfe, 0x00]);
    assert_eq!(status, 422);
    problem(422, &body);
    let (status, _, _, body) = post(&url, "text/csv", b"a,b");
    assert_eq!(status, 415);
    problem(415, &body);
    // The corpus.
    let mut posted = 0;
    for entry in std::fs::read_dir(fixtures().join("bad")).unwrap() {
        let path = entry.unwrap().path().join("brief.toml");
        let Ok(text) = std::fs::read(&path) else {
            continue;
        };
        let (status, _, _, body) = post(&url, "application/toml", &text);
        assert!(
            (200..500).contains(&status),
            "{}: {status} {body}",
            path.display()
        );
        if status >= 400 {
            problem(status, &body);
        }
        posted += 1;
    }
    assert!(posted >= 15, "{posted}");
    let (status, _) = get(&format!("{base}/health"));
    assert_eq!(status, 200);
    assert_eq!(state.permits.available_permits(), state.limits.max_rankings);
}

/// With every ranking slot taken and no room to wait, a new brief gets 503 and
/// `Retry-After`; a brief ranked before is still answered from the cache.
#[test]
fn saturation_gives_503() {
    let (base, state) = start(Limits {
        max_rankings: 1,
        max_waiting: 0,
        ..Limits::default()
    });
    let url = format!("{base}/rank");
    let (status, _, _, _) = post(&url, "application/toml", brief_toml().as_bytes());
    assert_eq!(status, 201);
    let held = state.permits.clone().try_acquire_owned().unwrap();
    let other = brief_toml().replace("top = 5", "top = 3");
    let r = agent()
        .post(&url)
        .header("Content-Type", "application/toml")
        .send(other.as_bytes())
        .unwrap();
    assert_eq!(r.status().as_u16(), 503);
    assert_eq!(
        r.headers().get("retry-after").and_then(|v| v.to_str().ok()),
        Some("1")
    );
    let (status, _, cache, _) = post(&url, "application/toml", brief_toml().as_bytes());
    assert_eq!((status, cache.as_deref()), (200, Some("hit")));
    drop(held);
    let (status, _, _, _) = post(&url, "application/toml", other.as_bytes());
    assert_eq!(status, 201);
}

/// A library user's `Limits::max_rankings` or `max_connections` beyond what a semaphore
/// holds is clamped, not a panic, and the server answers.
#[test]
fn a_huge_max_rankings_is_clamped() {
    let limits = Limits {
        max_rankings: usize::MAX,
        max_connections: usize::MAX,
        ..Limits::default()
    };
    let (base, state) = start(limits);
    let (status, _, _, body) = post(
        &format!("{base}/rank"),
        "application/toml",
        brief_toml().as_bytes(),
    );
    assert_eq!(status, 201, "{body}");
    assert_eq!(
        state.limits.max_rankings,
        tokio::sync::Semaphore::MAX_PERMITS
    );
    assert_eq!(
        state.limits.max_connections,
        tokio::sync::Semaphore::MAX_PERMITS
    );
}

/// Polls `done` every 50 ms for up to `seconds`; true as soon as it holds.
fn within(seconds: u64, mut done: impl FnMut() -> bool) -> bool {
    let end = std::time::Instant::now() + std::time::Duration::from_secs(seconds);
    while std::time::Instant::now() < end {
        if done() {
            return true;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    done()
}

/// A ranking past the time limit answers 503 and stops: its permit comes back within
/// seconds, where the whole ranking takes far longer (its robustness runs are
/// cancelled between two chunks), and the next brief is ranked.
#[test]
fn a_ranking_past_its_time_limit_stops_and_gives_its_permit_back() {
    // 200 million ranks, each run re-aggregating 40,000 scores.
    let (engine, brief) = slow_ranking(100_000);
    let (base, state) = start_over(
        engine,
        Limits {
            max_rankings: 1,
            rank_seconds: 1,
            ..Limits::default()
        },
    );
    let (status, _, _, body) = post(
        &format!("{base}/rank"),
        "application/toml",
        brief.as_bytes(),
    );
    assert_eq!(status, 503, "{body}");
    assert!(body.contains("took longer than 1 s"), "{body}");
    let free = || state.permits.available_permits() == 1;
    assert!(
        within(10, free),
        "the ranking still holds its permit 10 s after its 503"
    );
    let small = brief.replace("runs = 100000", "runs = 10");
    let (status, _, _, body) = post(
        &format!("{base}/rank"),
        "application/toml",
        small.as_bytes(),
    );
    assert_eq!(status, 201, "{body}");
}

/// Reads from a raw connection until it closes (true) or `seconds` pass (false);
/// what was read is appended to `got`.
fn closed_within(stream: &mut std::net::TcpStream, seconds: u64, got: &mut Vec<u8>) -> bool {
    use std::io::Read;
    stream
        .set_read_timeout(Some(std::time::Duration::from_millis(200)))
        .unwrap();
    let end = std::time::Instant::now() + std::time::Duration::from_secs(seconds);
    let mut buf = [0u8; 4096];
    while std::time::Instant::now() < end {
        match stream.read(&mut buf) {
            Ok(0) => return true,
            Ok(n) => got.extend_from_slice(&buf[..n]),
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) => {}
            Err(_) => return true,
        }
    }
    false
}

/// Connections that send nothing, send their headers a byte at a time, or stay open
/// after a response are closed after `header_seconds`; past `max_connections`, a new
/// one is closed at once; the server answers throughout.
#[test]
fn idle_slow_and_surplus_connections_are_closed() {
    use std::io::Write;
    use std::net::TcpStream;
    let (base, _) = start(Limits {
        header_seconds: 1,
        max_connections: 3,
        ..Limits::default()
    });
    let addr = base.trim_start_matches("http://").to_string();
    // Silent.
    let mut silent = TcpStream::connect(&addr).unwrap();
    // A byte at a time: the headers are never whole within the second.
    let mut slow = TcpStream::connect(&addr).unwrap();
    // Kept alive after one answer.
    let mut kept = TcpStream::connect(&addr).unwrap();
    kept.write_all(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    // A fourth, past the cap: closed at once, nothing answered.
    let mut surplus = TcpStream::connect(&addr).unwrap();
    let mut got = Vec::new();
    assert!(
        closed_within(&mut surplus, 2, &mut got),
        "the fourth connection is still open"
    );
    assert!(got.is_empty());
    // (A write fails once the server has closed it.)
    for b in b"GET /heal" {
        if slow.write_all(&[*b]).is_err() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(300));
    }
    for (name, stream) in [
        ("silent", &mut silent),
        ("slow", &mut slow),
        ("kept", &mut kept),
    ] {
        let mut got = Vec::new();
        assert!(
            closed_within(stream, 5, &mut got),
            "the {name} connection is still open"
        );
        if name == "kept" {
            assert!(
                String::from_utf8_lossy(&got).starts_with("HTTP/1.1 200"),
                "{got:?}"
            );
        }
    }
    let (status, _) = get(&format!("{base}/health"));
    assert_eq!(status, 200);
}

/// A body that breaks its chunked encoding is a bad request (400), not a body too
/// large (413); one that stops arriving gets 408 after `body_seconds`.
#[test]
fn a_malformed_or_stalled_body_is_told_apart_from_a_large_one() {
    use std::io::Write;
    use std::net::TcpStream;
    let (base, _) = start(Limits {
        body_seconds: 1,
        ..Limits::default()
    });
    let addr = base.trim_start_matches("http://").to_string();
    let head = "POST /rank HTTP/1.1\r\nHost: x\r\nContent-Type: application/toml\r\n";
    let answer = |request: &[u8], seconds: u64| {
        let mut s = TcpStream::connect(&addr).unwrap();
        s.write_all(request).unwrap();
        let mut got = Vec::new();
        closed_within(&mut s, seconds, &mut got);
        String::from_utf8_lossy(&got).into_owned()
    };
    let chunked = format!(
        "{head}Transfer-Encoding: chunked\r\nConnection: close\r\n\r\nzz\r\nname\r\n0\r\n\r\n"
    );
    let got = answer(chunked.as_bytes(), 5);
    assert!(got.starts_with("HTTP/1.1 400"), "{got}");
    let stalled = format!("{head}Content-Length: 100\r\nConnection: close\r\n\r\nname = ");
    let got = answer(stalled.as_bytes(), 5);
    assert!(got.starts_with("HTTP/1.1 408"), "{got}");
    assert!(got.contains("within 1 s"), "{got}");
}

/// A `limit` above the maximum is the maximum; a bbox of six numbers (with heights)
/// is the same as its four; one whose min lon is above its max lon crosses the
/// antimeridian, and finds what a scan of both sides finds.
#[test]
fn limit_is_clamped_and_bbox_takes_heights_and_the_antimeridian() {
    let (base, _) = start(Limits {
        max_page: 4,
        ..Limits::default()
    });
    let catalog = Catalog::from_path(fixtures().join("rank")).unwrap();
    let layer = catalog.layer("motorway").unwrap();
    let json = |query: &str| {
        let (status, body) = get(&format!("{base}/collections/motorway/items?{query}"));
        assert_eq!(status, 200, "{query}: {body}");
        serde_json::from_str::<serde_json::Value>(&body).unwrap()
    };
    let v = json("limit=100000");
    assert_eq!(v["numberReturned"], 4.min(layer.features.len()));
    let next = v["links"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["rel"] == "next");
    assert!(next.is_some_and(|l| l["href"].as_str().unwrap().contains("limit=4&")));
    let count = |x0: f64, x1: f64, y0: f64, y1: f64| {
        layer
            .features
            .iter()
            .filter(|f| {
                let p = f.location;
                let lon = if x0 <= x1 {
                    (x0..=x1).contains(&p.x())
                } else {
                    p.x() >= x0 || p.x() <= x1
                };
                lon && (y0..=y1).contains(&p.y())
            })
            .count()
    };
    // The fixture's interchanges lie at 5.27-5.80 E, 46.1-46.5 N.
    let four = json("limit=4&bbox=5.2,46.0,5.6,46.5");
    let six = json("limit=4&bbox=5.2,46.0,-100,5.6,46.5,9000");
    let expected = count(5.2, 5.6, 46.0, 46.5);
    assert!(expected > 0 && expected < layer.features.len());
    assert_eq!(four["numberMatched"], expected);
    assert_eq!(six["numberMatched"], four["numberMatched"]);
    // From 5.5 east round to -170: the same features as from 5.5 to 180.
    let across = json("limit=4&bbox=5.5,46.0,-170,47.0");
    let expected = count(5.5, -170.0, 46.0, 47.0);
    assert!(expected > 0 && expected < layer.features.len());
    assert_eq!(across["numberMatched"], expected);
}

/// Links follow a configured public URL, else the Forwarded or X-Forwarded-* headers
/// of a reverse proxy; a page of another origin may read the server when its origin
/// is allowed (preflight answered), not otherwise; answers are gzipped when asked.
#[test]
fn links_cors_and_gzip_behind_a_proxy() {
    let get_with = |url: &str, headers: &[(&str, &str)]| {
        let mut req = agent().get(url);
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let mut r = req.call().unwrap();
        let h: Vec<(String, String)> = r
            .headers()
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or_default().to_string()))
            .collect();
        (r.status().as_u16(), h, r.body_mut().read_to_vec().unwrap())
    };
    let header = |h: &[(String, String)], name: &str| {
        h.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
    };
    let (base, _) = start(Limits::default());
    let (_, _, body) = get_with(
        &format!("{base}/"),
        &[(
            "Forwarded",
            "for=10.0.0.1;proto=https;host=sites.example.com",
        )],
    );
    let text = String::from_utf8(body).unwrap();
    assert!(
        text.contains("\"https://sites.example.com/collections\""),
        "{text}"
    );
    let (_, _, body) = get_with(
        &format!("{base}/"),
        &[
            ("X-Forwarded-Proto", "https"),
            ("X-Forwarded-Host", "proxy.example.org"),
        ],
    );
    assert!(String::from_utf8(body)
        .unwrap()
        .contains("https://proxy.example.org/conformance"));
    // gzip when asked: the body is gzip (its magic bytes), smaller than the JSON.
    let url = format!("{base}/collections/motorway/items?limit=50");
    let (_, plain_h, plain) = get_with(&url, &[]);
    let (_, h, zipped) = get_with(&url, &[("Accept-Encoding", "gzip")]);
    assert_eq!(header(&h, "content-encoding").as_deref(), Some("gzip"));
    assert_eq!(header(&plain_h, "content-encoding"), None);
    assert!(zipped.starts_with(&[0x1f, 0x8b]) && zipped.len() < plain.len());

    // A configured public URL and one allowed origin.
    let dir = fixtures().join("rank");
    let engine = Engine::new(Catalog::from_path(&dir).unwrap());
    let state = AppState::new(engine, "v".into(), Limits::default())
        .with_public_url("https://example.com/sitematch/")
        .unwrap()
        .with_cors_origins(&["https://map.example.com".to_string()])
        .unwrap();
    let (base, _) = start_with(state);
    let (_, h, body) = get_with(
        &format!("{base}/collections"),
        &[
            ("Origin", "https://map.example.com"),
            ("Host", "elsewhere:1"),
        ],
    );
    assert!(String::from_utf8(body)
        .unwrap()
        .contains("https://example.com/sitematch/collections/"));
    assert_eq!(
        header(&h, "access-control-allow-origin").as_deref(),
        Some("https://map.example.com")
    );
    let (_, h, _) = get_with(
        &format!("{base}/collections"),
        &[("Origin", "https://evil.example")],
    );
    assert_eq!(header(&h, "access-control-allow-origin"), None);
    // The preflight of a POST /rank from the allowed page.
    let r = agent()
        .options(&format!("{base}/rank"))
        .header("Origin", "https://map.example.com")
        .header("Access-Control-Request-Method", "POST")
        .header("Access-Control-Request-Headers", "content-type")
        .call()
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let allow = r
        .headers()
        .get("access-control-allow-methods")
        .unwrap()
        .to_str()
        .unwrap();
    assert!(allow.contains("POST"), "{allow}");
    // Bad settings name what is wrong.
    let engine = Engine::new(Catalog::from_path(&dir).unwrap());
    let state = AppState::new(engine, "v".into(), Limits::default());
    let err = state.with_public_url("sites.example.com").err().unwrap();
    assert!(err.contains("starts with https://"), "{err}");
}

/// With tokens, every route but /health needs a bearer token (401 and
/// `WWW-Authenticate` without one or with a wrong one), a read token may not rank
/// (403), a rank token may; the access log has a line per request with the token's
/// name, never its value, and each answer its request id.
#[test]
fn tokens_guard_the_routes_and_the_access_log_names_them() {
    use sitematch_server::{AccessLog, Tokens};
    let dir = fixtures().join("rank");
    let tokens = Tokens::parse(
        "tokens.txt",
        "# the team\nrank-token-0123456789 rank alice\nread-token-0123456789 read qgis\n",
    )
    .unwrap();
    let log_dir = tempfile::tempdir().unwrap();
    let log_path = log_dir.path().join("access.log");
    let log = std::fs::File::create(&log_path).unwrap();
    let state = AppState::new(
        Engine::new(Catalog::from_path(&dir).unwrap()),
        "v".into(),
        Limits::default(),
    )
    .with_tokens(tokens)
    .with_access_log(AccessLog::File(std::sync::Mutex::new(log)));
    let (base, _) = start_with(state);
    let call = |method: &str, path: &str, token: Option<&str>| {
        let url = format!("{base}{path}");
        let mut r = match method {
            "GET" => {
                let mut q = agent().get(&url);
                if let Some(t) = token {
                    q = q.header("Authorization", &format!("Bearer {t}"));
                }
                q.call().unwrap()
            }
            _ => {
                let mut q = agent()
                    .post(&url)
                    .header("Content-Type", "application/toml");
                if let Some(t) = token {
                    q = q.header("Authorization", &format!("Bearer {t}"));
                }
                q.send(brief_toml().as_bytes()).unwrap()
            }
        };
        let www = r
            .headers()
            .get("www-authenticate")
            .map(|v| v.to_str().unwrap().to_string());
        let id = r
            .headers()
            .get("x-request-id")
            .map(|v| v.to_str().unwrap().to_string());
        let _ = r.body_mut().read_to_string();
        (r.status().as_u16(), www, id)
    };
    assert_eq!(call("GET", "/health", None).0, 200);
    let (status, www, id) = call("GET", "/collections", None);
    assert_eq!(
        (status, www.as_deref()),
        (401, Some("Bearer realm=\"sitematch\""))
    );
    assert!(id.is_some());
    assert_eq!(
        call("GET", "/collections", Some("rank-token-0123456780")).0,
        401
    );
    assert_eq!(
        call("GET", "/collections", Some("read-token-0123456789")).0,
        200
    );
    assert_eq!(call("POST", "/rank", Some("read-token-0123456789")).0, 403);
    assert_eq!(call("POST", "/rank", Some("rank-token-0123456789")).0, 201);
    assert_eq!(call("POST", "/rank", None).0, 401);
    let log = std::fs::read_to_string(&log_path).unwrap();
    let lines: Vec<&str> = log.lines().collect();
    assert_eq!(lines.len(), 7, "{log}");
    assert!(
        lines[3].contains(" GET /collections 200 ") && lines[3].ends_with(" qgis"),
        "{}",
        lines[3]
    );
    assert!(
        lines[5].contains(" POST /rank 201 ") && lines[5].ends_with(" alice"),
        "{}",
        lines[5]
    );
    assert!(
        lines[1].contains(" GET /collections 401 ") && lines[1].ends_with(" -"),
        "{}",
        lines[1]
    );
    // The 401's body length is known: a number, not "-".
    let bytes = lines[1].split(' ').rev().nth(1).unwrap();
    assert!(bytes.parse::<u64>().is_ok_and(|n| n > 0), "{}", lines[1]);
    assert!(
        !log.contains("token-0123456789"),
        "a token's value is in the log"
    );
    // A file that is not one names the line.
    for (text, expect) in [
        ("abc\n", "line 1: a token has at least 16"),
        ("rank-token-0123456789 write\n", "\"write\" is not a scope"),
        ("\n# none\n", "no token"),
        (
            "rank-token-0123456789\nrank-token-0123456789 read\n",
            "line 2: this token is already listed",
        ),
    ] {
        let e = Tokens::parse("t.txt", text).unwrap_err();
        assert!(e.contains(expect), "{e}");
    }
}

/// `/api` describes every route (each answers), the landing page links it as
/// `service-desc`, and GDAL's OAPIF driver, having read it, pages a 2,000-feature
/// layer by the server's maximum instead of its default of 10 (counted in the access
/// log).
#[test]
fn the_api_document_describes_the_routes_and_gdal_pages_by_it() {
    use sitematch::{Feature, Layer, Role};
    let stations: Vec<Feature> = (0..2000)
        .map(|i| {
            Feature::point(
                format!("t{i}"),
                2.0 + (i % 50) as f64 * 0.01,
                48.0 + (i / 50) as f64 * 0.01,
            )
        })
        .collect();
    let engine = Engine::new(Catalog::from_layers(vec![Layer::from_features(
        "stations",
        Role::Facilities,
        stations,
    )]));
    let log_dir = tempfile::tempdir().unwrap();
    let log_path = log_dir.path().join("access.log");
    let log = std::fs::File::create(&log_path).unwrap();
    let state = AppState::new(engine, "v".into(), Limits::default()).with_access_log(
        sitematch_server::AccessLog::File(std::sync::Mutex::new(log)),
    );
    let (base, _) = start_with(state);
    let (status, landing) = get(&format!("{base}/"));
    assert_eq!(status, 200);
    let landing: serde_json::Value = serde_json::from_str(&landing).unwrap();
    let desc = landing["links"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["rel"] == "service-desc")
        .unwrap();
    assert_eq!(desc["href"], format!("{base}/api"));
    let r = agent().get(&format!("{base}/api")).call().unwrap();
    assert_eq!(
        r.headers().get("content-type").unwrap().to_str().unwrap(),
        "application/vnd.oai.openapi+json;version=3.0"
    );
    let (_, api) = get(&format!("{base}/api"));
    let api: serde_json::Value = serde_json::from_str(&api).unwrap();
    assert_eq!(api["openapi"], "3.0.3");
    let paths = api["paths"].as_object().unwrap();
    assert_eq!(paths.len(), 18);
    let items = &paths["/collections/{collectionId}/items"]["get"]["parameters"];
    let limit = items
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "limit")
        .unwrap();
    assert_eq!(limit["schema"]["maximum"], 10_000);
    // Every path the document names answers (its parameters filled in).
    for (path, ops) in paths {
        let url = path
            .replace("{collectionId}", "stations")
            .replace("{featureId}", "t7");
        let status = if ops.get("get").is_some() {
            let q = if url == "/explain" {
                "?ranking=x&site=y"
            } else {
                ""
            };
            agent()
                .get(&format!("{base}{url}{q}"))
                .call()
                .unwrap()
                .status()
                .as_u16()
        } else {
            agent()
                .post(&format!("{base}{url}"))
                .send(&b"{}"[..])
                .unwrap()
                .status()
                .as_u16()
        };
        // 404 for /explain's made-up ranking, 422 for the empty brief: the route exists.
        assert!(
            status != 405 && (status != 404 || url == "/explain"),
            "{path}: {status}"
        );
    }
    let (status, page) = get(&format!("{base}/api.html"));
    assert_eq!(status, 200);
    assert!(page.contains("/collections/{collectionId}/items"), "{page}");
    // GDAL: every feature read, in few pages.
    let oapif = format!("OAPIF:{base}");
    let Some(out) = ogrinfo(&["-ro", "-al", "-q", &oapif, "stations"]) else {
        return;
    };
    assert_eq!(
        out.matches("OGRFeature(stations)").count(),
        2000,
        "{}",
        &out[..out.len().min(400)]
    );
    let log = std::fs::read_to_string(&log_path).unwrap();
    let pages = log
        .lines()
        .filter(|l| l.contains(" GET /collections/stations/items"))
        .count();
    // GDAL takes its page size from the API's limit maximum since 3.8; before, it
    // pages by 10 whatever the server says.
    let version = ogrinfo(&["--version"]).unwrap_or_default();
    let (major, minor) = version
        .split_whitespace()
        .nth(1)
        .and_then(|v| {
            let mut p = v
                .split('.')
                .map(|x| x.trim_end_matches(',').parse::<u32>().ok());
            Some((p.next()??, p.next()??))
        })
        .unwrap_or((0, 0));
    if (major, minor) >= (3, 8) {
        assert!(
            pages <= 3,
            "GDAL {major}.{minor} read {pages} pages:\n{log}"
        );
    } else {
        eprintln!("note: GDAL {major}.{minor} pages by 10 whatever /api says ({pages} pages)");
        assert!(pages >= 200, "{pages}");
    }
}

/// A server over the ranking fixtures that keeps its rankings in `store` (a restart
/// is a new state over the same folder); returns its base URL and what the store held.
fn start_stored(
    store: &Path,
    max_bytes: u64,
    limits: Limits,
) -> (String, Arc<AppState>, sitematch_server::StoreReport) {
    let dir = fixtures().join("rank");
    let engine = Engine::new(Catalog::from_path(&dir).unwrap());
    let state = AppState::new(engine, sitematch_server::data_version(&dir), limits);
    let (state, report) =
        state.with_store(sitematch_server::Store::open(store, max_bytes).unwrap());
    let (base, state) = start_with(state);
    (base, state, report)
}

fn collection_ids(base: &str) -> Vec<String> {
    let (_, body) = get(&format!("{base}/collections"));
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    v["collections"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["id"].as_str())
        .filter(|id| id.starts_with("ranking-"))
        .map(String::from)
        .collect()
}

/// `--store`: a restarted server serves the rankings made before, under the same ids,
/// with the same items and receipts, and answers their briefs from the store; those
/// beyond the memory cache are served by id; a damaged file or one of another data
/// set is not served, and the folder stays within its bound.
#[test]
fn a_restart_with_a_store_serves_the_rankings_made_before() {
    let store = tempfile::tempdir().unwrap();
    let one = Limits {
        cached_rankings: 1,
        ..Limits::default()
    };
    let (base, _, report) = start_stored(store.path(), 1 << 30, one);
    assert_eq!(report, Default::default());
    let briefs = [brief_toml(), brief_toml().replace("top = 5", "top = 2")];
    let mut ids = Vec::new();
    let mut pages = Vec::new();
    for b in &briefs {
        let (status, location, _, _) =
            post(&format!("{base}/rank"), "application/toml", b.as_bytes());
        assert_eq!(status, 201);
        let id = location.unwrap().rsplit('/').next().unwrap().to_string();
        pages.push(get(&format!("{base}/collections/{id}/items?limit=100")));
        ids.push(id);
        // Files written a clock tick apart: the newest is told by its time.
        std::thread::sleep(std::time::Duration::from_millis(30));
    }
    let site = {
        let v: serde_json::Value = serde_json::from_str(&pages[0].1).unwrap();
        v["features"][0]["id"].as_str().unwrap().to_string()
    };
    let receipt = get(&format!("{base}/explain?ranking={}&site={site}", ids[0]));
    assert_eq!(receipt.0, 200);

    // The restart: a new server over the same data and store.
    let (again, state, report) = start_stored(store.path(), 1 << 30, one);
    assert_eq!((report.usable, report.other), (2, 0));
    assert!(report.damaged.is_empty(), "{:?}", report.damaged);
    // The newest is listed, as it was before the restart (one kept in memory).
    assert_eq!(collection_ids(&again), [ids[1].clone()]);
    // Both are served, the older one from the store by its id.
    for (id, page) in ids.iter().zip(&pages) {
        let (status, body) = get(&format!("{again}/collections/{id}/items?limit=100"));
        assert_eq!((status, body), (page.0, page.1.replace(&base, &again)));
    }
    assert_eq!(
        get(&format!("{again}/explain?ranking={}&site={site}", ids[0])),
        receipt
    );
    // The same brief is answered from the store, under the same id.
    let (status, location, cache, _) = post(
        &format!("{again}/rank"),
        "application/toml",
        briefs[0].as_bytes(),
    );
    assert_eq!((status, cache.as_deref()), (200, Some("hit")));
    assert!(location.unwrap().ends_with(&ids[0]));
    drop(state);

    // A damaged file is named and not served; a ranking of another data set is left
    // aside.
    let path = |id: &str| store.path().join(format!("{id}.ranking"));
    let mut bytes = std::fs::read(path(&ids[0])).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 0xff;
    std::fs::write(path(&ids[0]), &bytes).unwrap();
    let engine = Engine::new(Catalog::from_path(fixtures().join("rank")).unwrap());
    let state = AppState::new(engine, "another data set".into(), Limits::default());
    let (_, report) =
        state.with_store(sitematch_server::Store::open(store.path(), 1 << 30).unwrap());
    // Their headers say so: neither is decoded, nor found damaged.
    assert_eq!(
        report,
        sitematch_server::StoreReport {
            usable: 0,
            other: 2,
            damaged: vec![]
        }
    );
    let (third, _, report) = start_stored(store.path(), 1 << 30, one);
    assert_eq!((report.usable, report.other), (1, 0), "{report:?}");
    assert_eq!(report.damaged.len(), 1);
    assert!(report.damaged[0].contains(&ids[0]) && report.damaged[0].contains("checksum"));
    let (status, _) = get(&format!("{third}/collections/{}/items", ids[0]));
    assert_eq!(status, 404);
    assert_eq!(
        get(&format!("{third}/collections/{}/items?limit=100", ids[1])).0,
        200
    );

    // The bound: room for one file only; each new ranking evicts the one before.
    let size = std::fs::metadata(path(&ids[1])).unwrap().len();
    let small = tempfile::tempdir().unwrap();
    let (base, _, _) = start_stored(small.path(), size + size / 2, one);
    for b in &briefs {
        let (status, ..) = post(&format!("{base}/rank"), "application/toml", b.as_bytes());
        assert_eq!(status, 201);
        std::thread::sleep(std::time::Duration::from_millis(30));
    }
    let mut left: Vec<String> = std::fs::read_dir(small.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    left.sort();
    assert_eq!(left, [format!("{}.ranking", ids[1])]);
}

/// Runs a Python client of `tests/clients` with `args` and parses the JSON it
/// prints; `None`, with a note, when Python or the `modules` it needs are missing
/// (never under CI, whose `.ci/run` installs them).
fn python_client(script: &str, modules: &str, args: &[&str]) -> Option<serde_json::Value> {
    let ci = std::env::var("CI").is_ok_and(|v| v == "true");
    let present = std::process::Command::new("python3")
        .args(["-c", &format!("import {modules}")])
        .output()
        .is_ok_and(|o| o.status.success());
    if !present {
        assert!(
            !ci,
            "python3 with {modules} is missing; .ci/run installs them"
        );
        eprintln!("note: python3 with {modules} is not installed; skipping {script}");
        return None;
    }
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/clients")
        .join(script);
    let out = std::process::Command::new("python3")
        .arg(&path)
        .args(args)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{script}: {stderr}");
    Some(
        serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{script}: {e}: {}", String::from_utf8_lossy(&out.stdout))),
    )
}

/// The ids of a page of items, as the JSON API gives them.
fn item_ids(url: &str) -> Vec<String> {
    let (status, body) = get(url);
    assert_eq!(status, 200, "{body}");
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    v["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap().to_string())
        .collect()
}

/// The ids of a ranking's ranked sites, best first.
fn ranked_ids(r: &sitematch::Ranking) -> Vec<&str> {
    r.ranked_sites()
        .iter()
        .map(|s| s.site_id.as_str())
        .collect()
}

/// The fixtures' ranking as the library makes it.
fn fixture_ranking() -> sitematch::Ranking {
    Engine::new(Catalog::from_path(fixtures().join("rank")).unwrap())
        .rank(&Brief::from_toml_str(&brief_toml()).unwrap())
        .unwrap()
}

const READ_TOKEN: &str = "read-token-for-the-clients-0123";
const RANK_TOKEN: &str = "rank-token-for-the-clients-4567";

/// A server over the fixtures with a read and a rank token, the fixture brief ranked;
/// returns its base URL and the ranking's id.
fn start_guarded(cors: &[String]) -> (String, String) {
    let dir = fixtures().join("rank");
    let engine = Engine::new(Catalog::from_path(&dir).unwrap());
    let tokens = sitematch_server::Tokens::parse(
        "tokens",
        &format!("{READ_TOKEN} read viewer\n{RANK_TOKEN} rank analyst\n"),
    )
    .unwrap();
    let state = AppState::new(
        engine,
        sitematch_server::data_version(&dir),
        Limits::default(),
    )
    .with_tokens(tokens)
    .with_cors_origins(cors)
    .unwrap();
    let (base, _) = start_with(state);
    let r = agent()
        .post(&format!("{base}/rank"))
        .header("Content-Type", "application/toml")
        .header("Authorization", &format!("Bearer {RANK_TOKEN}"))
        .send(brief_toml().as_bytes())
        .unwrap();
    assert_eq!(r.status().as_u16(), 201);
    let id = r.headers()["location"]
        .to_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_string();
    (base, id)
}

/// OWSLib (`owslib.ogcapi.features`) with a read token: it lists the collections,
/// reads the ranking two pages at a time and one item with its receipt, and a bbox of
/// a layer; every answer is the library's.
#[test]
fn owslib_reads_collections_and_items_with_a_token() {
    let (base, id) = start_guarded(&[]);
    // What a token reads is private to it: no cache answers another request with it.
    let r = agent()
        .get(&format!("{base}/collections"))
        .header("Authorization", &format!("Bearer {READ_TOKEN}"))
        .call()
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(r.headers()["cache-control"], "private, no-cache");
    assert!(r
        .headers()
        .get_all("vary")
        .iter()
        .any(|v| v.to_str().unwrap().eq_ignore_ascii_case("authorization")));
    let Some(seen) = python_client(
        "owslib_client.py",
        "owslib.ogcapi.features",
        &[&base, READ_TOKEN, &id, "ardennes"],
    ) else {
        return;
    };
    let expected = fixture_ranking();
    let ranked = ranked_ids(&expected);
    assert_eq!(seen["ranking"], id.as_str());
    assert_eq!(seen["matched"], ranked.len());
    assert_eq!(seen["ids"], serde_json::json!(ranked[..4]));
    let collections: Vec<&str> = seen["collections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    assert!(collections.contains(&"ardennes") && collections.contains(&id.as_str()));
    let conformance = seen["conformance"].to_string();
    assert!(conformance.contains("ogcapi-features-1/1.0/conf/core"));
    let explain = sitematch::output::explain(&expected, ranked[0]).unwrap();
    assert_eq!(seen["item"]["explanation"], explain.as_str());
    assert_eq!(seen["item"]["rank"], 1);
    // The bbox: the layer's features inside it, by a scan of the layer.
    let catalog = Catalog::from_path(fixtures().join("rank")).unwrap();
    let inside: Vec<&str> = catalog
        .layer("ardennes")
        .unwrap()
        .features
        .iter()
        .filter(|f| {
            let p = f.location;
            (4.70..=4.75).contains(&p.x()) && (49.70..=49.80).contains(&p.y())
        })
        .map(|f| f.id.as_str())
        .collect();
    assert!(!inside.is_empty());
    assert_eq!(seen["bbox_ids"], serde_json::json!(inside));
}

/// Free loopback ports (bound, then let go).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Headless Chromium through WebDriver: a web map served from another loopback origin
/// reads items through CORS with a token (and gets 401 without one, and nothing from
/// an origin not allowed); a person browses the HTML views by clicking, from the
/// landing page to a site's receipt, and pages through a layer.
#[test]
fn a_browser_reads_through_cors_and_clicks_through_the_html_views() {
    let (allowed, other) = (free_port(), free_port());
    let (guarded, id) = start_guarded(&[format!("http://127.0.0.1:{allowed}")]);
    let (open, _) = start(Limits::default());
    let (status, ..) = post(
        &format!("{open}/rank"),
        "application/toml",
        brief_toml().as_bytes(),
    );
    assert_eq!(status, 201);
    let config = serde_json::json!({
        "html_base": open,
        "layer": "ardennes",
        "cors_url": format!("{guarded}/collections/{id}/items?limit=3"),
        "token": READ_TOKEN,
        "allowed": allowed,
        "other": other,
    });
    let Some(seen) = python_client("browser.py", "selenium", &[&config.to_string()]) else {
        return;
    };
    let expected = fixture_ranking();
    let ranked = ranked_ids(&expected);
    // The web map of the allowed origin reads the ranking, with its token only.
    assert_eq!(seen["allowed"]["status"], 200, "{seen}");
    assert_eq!(seen["allowed"]["ids"], serde_json::json!(ranked[..3]));
    assert_eq!(seen["allowed_no_token"]["status"], 401, "{seen}");
    // Another origin: the browser withholds the answer.
    assert!(
        seen["other"]["error"]
            .as_str()
            .is_some_and(|e| e.contains("Failed to fetch")),
        "{seen}"
    );
    // The HTML views, clicked through.
    assert_eq!(seen["root_title"], "sitematch workbench");
    assert_eq!(seen["landing_title"], "sitematch - sitematch");
    assert_eq!(seen["collections_title"], "Collections - sitematch");
    assert!(seen["collections"].to_string().contains("ardennes"));
    assert_eq!(seen["ranking_ids"], serde_json::json!(ranked));
    let explain = sitematch::output::explain(&expected, ranked[0]).unwrap();
    assert_eq!(
        seen["receipt"].as_str().unwrap().trim_end(),
        explain.trim_end()
    );
    // Paged three at a time, the pages are the JSON API's pages.
    let pages = seen["layer_pages"].as_array().unwrap();
    let mut all = Vec::new();
    for (i, p) in pages.iter().enumerate() {
        let want = item_ids(&format!(
            "{open}/collections/ardennes/items?limit=3&offset={}",
            3 * i
        ));
        assert_eq!(p, &serde_json::json!(want));
        all.extend(want);
    }
    let total = Catalog::from_path(fixtures().join("rank"))
        .unwrap()
        .layer("ardennes")
        .unwrap()
        .features
        .len();
    assert_eq!(all.len(), total);
    assert_eq!(pages.len(), total.div_ceil(3));
}

/// `GET` with a browser's `Accept` (or `?f=html`) gives an HTML page made from the
/// same document, its text escaped; `?f=json` and other clients get JSON; a bad `f`
/// is a 400.
#[test]
fn html_views_follow_accept_and_f_and_escape_the_data() {
    use sitematch::{Feature, Layer, Role};
    let mut evil = Feature::point("a<b", 2.0, 48.0);
    evil.label = Some("<script>alert(1)</script> & co".into());
    let engine = Engine::new(Catalog::from_layers(vec![Layer::from_features(
        "sites",
        Role::Sites,
        vec![evil, Feature::point("plain", 2.1, 48.1)],
    )]));
    let (base, _) = start_over(engine, Limits::default());
    let browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";
    let fetch = |path: &str, accept: &str| {
        let mut r = agent()
            .get(&format!("{base}{path}"))
            .header("Accept", accept)
            .call()
            .unwrap();
        let media = r.headers()["content-type"].to_str().unwrap().to_string();
        (
            r.status().as_u16(),
            media,
            r.body_mut().read_to_string().unwrap(),
        )
    };
    for path in [
        "/",
        "/conformance",
        "/collections",
        "/collections/sites",
        "/collections/sites/items",
        "/collections/sites/items/plain",
    ] {
        let (status, media, body) = fetch(path, browser);
        assert_eq!(
            (status, media.as_str()),
            (200, "text/html; charset=utf-8"),
            "{path}"
        );
        assert!(body.starts_with("<!DOCTYPE html>"), "{path}");
        let (_, media, _) = fetch(&format!("{path}?f=json"), browser);
        assert!(media.contains("json"), "{path}: {media}");
        let (_, media, _) = fetch(path, "application/json");
        assert!(media.contains("json"), "{path}: {media}");
        let (status, media, _) = fetch(&format!("{path}?f=html"), "*/*");
        assert_eq!(
            (status, media.as_str()),
            (200, "text/html; charset=utf-8"),
            "{path}"
        );
    }
    let (_, _, page) = fetch("/collections/sites/items", browser);
    assert_eq!(page.matches("<tr data-id=").count(), 2);
    assert!(!page.contains("<script>"), "{page}");
    assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; co"));
    // The odd id is escaped in the page and encoded in its link.
    assert!(page.contains("data-id=\"a&lt;b\""));
    assert!(page.contains("/collections/sites/items/a%3Cb?f=html"));
    let (status, _, body) = fetch("/collections/sites/items/a%3Cb", browser);
    assert_eq!(status, 200, "{body}");
    let (status, media, body) = fetch("/collections?f=xml", browser);
    assert_eq!(status, 400);
    assert!(
        media.contains("problem+json") && body.contains("json or html"),
        "{body}"
    );
}

/// The `/api` document is valid OpenAPI 3.0 to an independent validator
/// (openapi-spec-validator), and its Brief schema, made from the shapes the reader
/// accepts, takes every brief the project ships (examples, benchmarks, validation)
/// and refuses unknown keys, a key of another criterion type, and an unknown type.
#[test]
fn the_api_document_is_valid_openapi_and_its_brief_schema_fits_the_briefs() {
    let (base, _) = start(Limits::default());
    let (status, doc) = get(&format!("{base}/api"));
    assert_eq!(status, 200);
    let document: serde_json::Value = serde_json::from_str(&doc).unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut briefs = serde_json::Map::new();
    let mut shipped = Vec::new();
    for dir in [
        "examples/briefs",
        "examples/perf",
        "validation/briefs",
        "tests/fixtures/rank",
    ] {
        for entry in std::fs::read_dir(root.join(dir)).unwrap() {
            let path = entry.unwrap().path();
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            if path.extension().is_some_and(|e| e == "toml") && text.contains("[[criterion]]") {
                // The library reads it: it is a good brief.
                Brief::from_toml_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                let value: toml::Value = toml::from_str(&text).unwrap();
                let name = format!("{dir}/{}", path.file_name().unwrap().to_string_lossy());
                briefs.insert(name.clone(), serde_json::to_value(value).unwrap());
                shipped.push(name);
            }
        }
    }
    assert!(shipped.len() >= 25, "{shipped:?}");
    let bad = [
        ("unknown top-level key", "nmae = \"x\"\n[[criterion]]\nname = \"a\"\ntype = \"zone\"\nlayer = \"z\"\n"),
        ("key of another type", "[[criterion]]\nname = \"a\"\ntype = \"distance\"\nlayer = \"m\"\nideal_km = 1\nzero_km = 9\nradius_km = 5\n"),
        ("unknown type", "[[criterion]]\nname = \"a\"\ntype = \"nearness\"\nlayer = \"m\"\n"),
        ("text for a number", "[[criterion]]\nname = \"a\"\ntype = \"attribute\"\nfield = \"f\"\nideal = \"high\"\nzero = 0\n"),
    ];
    for (name, text) in bad {
        assert!(
            Brief::from_toml_str(text).is_err(),
            "{name}: the library reads it"
        );
        let value: toml::Value = toml::from_str(text).unwrap();
        briefs.insert(name.into(), serde_json::to_value(value).unwrap());
    }
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("input.json");
    std::fs::write(
        &input,
        serde_json::json!({"document": document, "briefs": briefs}).to_string(),
    )
    .unwrap();
    let Some(seen) = python_client(
        "openapi_check.py",
        "openapi_spec_validator, openapi_schema_validator",
        &[input.to_str().unwrap()],
    ) else {
        return;
    };
    assert_eq!(seen["document_error"], serde_json::Value::Null, "{seen}");
    for name in &shipped {
        assert_eq!(seen["errors"][name], serde_json::json!([]), "{name}");
    }
    for (name, _) in bad {
        assert!(
            !seen["errors"][name].as_array().unwrap().is_empty(),
            "{name}: {seen}"
        );
    }
}

/// A slow ranking: 2,000 sites, 20 criteria and `runs` robustness runs.
fn slow_ranking(runs: usize) -> (Engine, String) {
    use sitematch::{Feature, Layer, Role, Value};
    let sites = (0..2000)
        .map(|i| {
            let mut f = Feature::point(format!("s{i:04}"), 2.0 + (i % 50) as f64 * 0.01, 48.0);
            for c in 0..20 {
                let v = ((i * 7919 + c * 104_729) % 1000) as f64;
                f.attributes
                    .insert(format!("a{c}").into(), Value::Number(v));
            }
            f
        })
        .collect();
    let engine = Engine::new(Catalog::from_layers(vec![Layer::from_features(
        "sites",
        Role::Sites,
        sites,
    )]));
    let mut brief = format!("[robustness]\nruns = {runs}\n");
    for c in 0..20 {
        brief.push_str(&format!(
            "[[criterion]]\nname = \"a{c}\"\ntype = \"attribute\"\nfield = \"a{c}\"\nideal = 1000\nzero = 0\n"
        ));
    }
    (engine, brief)
}

/// Shutdown drains: a ranking in flight when the server is told to stop finishes and
/// is answered (201) within the drain time, then the server stops listening; with no
/// drain time, the ranking stops and answers 503 at once.
#[test]
fn shutdown_lets_a_ranking_in_flight_finish_within_the_drain_time() {
    for drain in [60, 0] {
        let (engine, brief) = slow_ranking(2000);
        let limits = Limits {
            drain_seconds: drain,
            ..Limits::default()
        };
        let state = Arc::new(AppState::new(engine, "v".into(), limits));
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        listener.set_nonblocking(true).unwrap();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let shared = state.clone();
        let server = std::thread::spawn(move || {
            let rt = tokio::runtime::Runtime::new().unwrap();
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).unwrap();
                sitematch_server::serve_until(listener, shared, async {
                    let _ = stopped.await;
                })
                .await
                .unwrap();
            });
        });
        let url = format!("{base}/rank");
        let body = brief.clone();
        let client = std::thread::spawn(move || post(&url, "application/toml", body.as_bytes()));
        // Stop once the ranking runs.
        assert!(within(30, || state.permits.available_permits()
            < state.limits.max_rankings));
        stop.send(()).unwrap();
        let (status, _, _, answer) = client.join().unwrap();
        if drain > 0 {
            assert_eq!(status, 201, "{answer}");
        } else {
            assert_eq!(status, 503, "{answer}");
            assert!(answer.contains("shutting down"), "{answer}");
        }
        server.join().unwrap();
        // Stopped: nothing listens any more.
        assert!(std::net::TcpStream::connect(base.trim_start_matches("http://")).is_err());
    }
}

/// The default data set's engine (every friche in France).
fn national_engine() -> Engine {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data");
    Engine::new(Catalog::from_path(&dir).unwrap())
}

/// A brief of the repository's examples, with one criterion's weight set.
fn brief_weighted(path: &str, criterion: Option<(&str, f64)>) -> serde_json::Value {
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(path)).unwrap();
    let mut v: serde_json::Value = toml::from_str(&text).unwrap();
    if let Some((name, w)) = criterion {
        let c = v["criterion"]
            .as_array_mut()
            .unwrap()
            .iter_mut()
            .find(|c| c["name"] == name)
            .unwrap();
        c["weight"] = w.into();
    }
    v
}

/// Headless Chromium uses the workbench over every friche in France: it starts from
/// the national six-criterion example, breaks a field (the library's message at its
/// key), moves a weight with the keyboard (the table re-orders as the library ranks
/// the brief with that weight), types a `top` in the TOML, compares the two scenarios
/// (as `sitematch::compare` does), opens the first site's fiche (its receipt is the
/// library's; three catchments drawn), and downloads the GeoPackage (GDAL reads the
/// library's order).
#[test]
fn a_consultant_ranks_tunes_compares_prints_and_exports_in_the_browser() {
    let engine = national_engine();
    let six = "../../examples/perf/six_criteria.toml";
    let as_brief = |v: &serde_json::Value| Brief::from_value(v).unwrap();
    let first = engine.rank(&as_brief(&brief_weighted(six, None))).unwrap();
    let moved = engine
        .rank(&as_brief(&brief_weighted(six, Some(("airport", 10.0)))))
        .unwrap();
    // The broken field's message, as the command line gives it.
    let mut broken = brief_weighted(six, None);
    broken["criterion"][0]["zero_km"] = 1.into();
    let sitematch::Error::Brief(problems) = Brief::from_value(&broken).unwrap_err() else {
        panic!("not a brief error")
    };
    let (base, _) = start_over(engine, Limits::default());
    let downloads = tempfile::tempdir().unwrap();
    let shots = std::env::var("SITEMATCH_SCREENSHOTS").unwrap_or_default();
    let config = serde_json::json!({
        "base": base,
        "example": "six_criteria.toml",
        "slider": "airport",
        "downloads": downloads.path(),
        "shots": shots,
        // Slider moves timed (each way); more for a measurement (README, The workbench).
        "measure": std::env::var("SITEMATCH_WORKBENCH_MOVES").ok().and_then(|n| n.parse::<usize>().ok()).unwrap_or(6),
    });
    let Some(seen) = python_client("workbench.py", "selenium", &[&config.to_string()]) else {
        return;
    };
    let strings = |v: &serde_json::Value| -> Vec<String> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_str().unwrap().to_string())
            .collect()
    };
    let ids = |r: &sitematch::Ranking| -> Vec<String> {
        r.ranked_sites()
            .iter()
            .take(r.top)
            .map(|s| s.site_id.to_string())
            .collect()
    };
    assert_eq!(seen["title"], "sitematch workbench");
    assert_eq!(strings(&seen["console_errors"]), Vec::<String>::new());
    assert!(first.ranked > 20_000, "{} ranked", first.ranked);
    assert_eq!(strings(&seen["first_ids"]), ids(&first));
    assert_eq!(
        strings(&seen["sliders"]),
        first
            .criteria
            .iter()
            .map(|c| c.name.clone())
            .collect::<Vec<_>>()
    );
    // The problem at its key, in the library's words.
    let expected: Vec<String> = problems
        .problems
        .iter()
        .map(|p| format!("{}: {}", p.key, p.message))
        .collect();
    let shown: Vec<String> = seen["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["text"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(shown, expected);
    assert!(
        expected[0].starts_with("criterion[0].zero_km"),
        "{expected:?}"
    );
    assert_eq!(seen["problem_at_field"], true);
    // The weight moved: the library's order and scores.
    assert_eq!(strings(&seen["moved_ids"]), ids(&moved));
    assert_ne!(
        ids(&moved),
        ids(&first),
        "the move changes nothing: a weak check"
    );
    let scores: Vec<f64> = seen["moved_scores"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect();
    for (s, site) in scores.iter().zip(moved.ranked_sites()) {
        assert!(
            (s - site.score.unwrap()).abs() < 1e-9,
            "{s} against {:?}",
            site.score
        );
    }
    assert!(seen["toml"].as_str().unwrap().contains("weight = 10"));
    assert_eq!(strings(&seen["top5_ids"]), ids(&moved)[..5].to_vec());
    assert_eq!(seen["form_top"], "5");
    assert_eq!(strings(&seen["final_ids"]), ids(&moved));
    // The scenarios, as the library compares them.
    let c = sitematch::compare(&first, &moved, 10);
    let rows: Vec<String> = seen["compare_rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        rows,
        c.sites
            .iter()
            .map(|s| s.site_id.clone())
            .collect::<Vec<_>>()
    );
    let text = seen["compare_text"].as_str().unwrap();
    assert!(
        text.contains(&format!(
            "{} entered, {} left",
            c.entered.len(),
            c.left.len()
        )),
        "{text}"
    );
    // The fiche of the first site, under the moved weights.
    assert_eq!(seen["fiche_site"], ids(&moved)[0].as_str());
    assert_eq!(seen["fiche_catchments"], "3", "{}", seen["fiche_note"]);
    assert!(seen["fiche_paths"].as_u64().unwrap() >= 3);
    let receipt = sitematch::output::explain(&moved, &ids(&moved)[0]).unwrap();
    let squash = |t: &str| t.lines().map(str::trim_end).collect::<Vec<_>>().join("\n");
    assert_eq!(
        squash(seen["fiche_receipt"].as_str().unwrap()).trim(),
        squash(&receipt).trim()
    );
    // The GeoPackage, in GDAL.
    let gpkg = seen["gpkg"].as_str().unwrap();
    if let Some(info) = ogrinfo(&["-ro", "-q", "-al", "-geom=NO", gpkg, "sites"]) {
        let read: Vec<String> = info
            .lines()
            .filter_map(|l| l.trim().strip_prefix("site_id (String) = "))
            .map(str::to_string)
            .collect();
        assert_eq!(read, ids(&moved));
    }
    let ms: Vec<f64> = seen["reweigh_ms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect();
    eprintln!(
        "note: slider to table drawn over {} ranked sites, test profile: {ms:?} ms",
        moved.ranked
    );
}

/// The workbench's routes without a browser, against the library: a brief checked
/// both ways with the library's problems at their keys; a table under new weights is
/// `Reweigh`'s order and scores (the ranking's own without weights); bad parameters
/// get 400 naming them; the CSV export is the library's CSV; a data set without a
/// road network says so for catchments; a browser at `/` gets the page, `?f=html`
/// the landing page.
#[test]
fn workbench_routes_answer_as_the_library_does() {
    let (base, _) = start(Limits::default());
    let text = brief_toml();
    // The brief, checked: TOML in, JSON and TOML out, no problem.
    let (status, _, _, body) = post(
        &format!("{base}/workbench/brief"),
        "application/toml",
        text.as_bytes(),
    );
    assert_eq!(status, 200, "{body}");
    let checked: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(checked["ok"], true, "{body}");
    let from_toml = Brief::from_toml_str(checked["toml"].as_str().unwrap()).unwrap();
    let from_json = Brief::from_json_str(checked["json"].as_str().unwrap()).unwrap();
    assert_eq!(from_toml, Brief::from_toml_str(&text).unwrap());
    assert_eq!(from_json, from_toml);
    // A value out of range, and a layer the data do not have: the library's problems.
    let mut bad = checked["value"].clone();
    bad["criterion"][0]["zero_km"] = 1.into();
    bad["criterion"][3]["layer"] = "nowhere".into();
    let (_, _, _, body) = post(
        &format!("{base}/workbench/brief"),
        "application/json",
        bad.to_string().as_bytes(),
    );
    let answer: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(answer["ok"], false);
    let keys: Vec<&str> = answer["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["key"].as_str().unwrap())
        .collect();
    let sitematch::Error::Brief(lib) = Brief::from_value(&bad).unwrap_err() else {
        panic!()
    };
    assert_eq!(
        keys,
        lib.problems
            .iter()
            .map(|p| p.key.as_str())
            .collect::<Vec<_>>()
    );
    assert!(keys.contains(&"criterion[0].zero_km"), "{keys:?}");
    // Fix the range: the unknown layer is found against the data.
    bad["criterion"][0]["zero_km"] = 500.into();
    let (_, _, _, body) = post(
        &format!("{base}/workbench/brief"),
        "application/json",
        bad.to_string().as_bytes(),
    );
    let answer: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(answer["problems"][0]["key"], "criterion[3].layer", "{body}");
    // Broken TOML: the parser's place.
    let (_, _, _, body) = post(
        &format!("{base}/workbench/brief"),
        "application/toml",
        b"top = [",
    );
    let answer: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert!(
        answer["value"].is_null()
            && answer["problems"][0]["key"]
                .as_str()
                .unwrap()
                .contains("line 1"),
        "{body}"
    );

    // A ranking, then its table under other weights.
    let (status, location, _, _) =
        post(&format!("{base}/rank"), "application/toml", text.as_bytes());
    assert_eq!(status, 201);
    let id = location.unwrap().rsplit('/').next().unwrap().to_string();
    let ranking = fixture_ranking();
    let table = |q: &str| -> (u16, serde_json::Value) {
        let (status, body) = get(&format!("{base}/workbench/table?ranking={id}{q}"));
        (
            status,
            serde_json::from_str(&body).unwrap_or(serde_json::Value::String(body)),
        )
    };
    let (status, own) = table("");
    assert_eq!(status, 200);
    let own_ids: Vec<&str> = own["sites"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        own_ids,
        ranked_ids(&ranking)[..ranking.top.min(ranking.ranked)].to_vec()
    );
    let weights = [0.0, 5.0, 1.0, 0.5];
    assert_eq!(weights.len(), ranking.criteria.len());
    let expected = sitematch::Reweigh::new(&ranking)
        .unwrap()
        .top(&weights, 3)
        .unwrap();
    let (status, moved) = table("&weights=0,5,1,0.5&top=3");
    assert_eq!(status, 200, "{moved}");
    let rows = moved["sites"].as_array().unwrap();
    assert_eq!(rows.len(), expected.len());
    for (row, p) in rows.iter().zip(&expected) {
        assert_eq!(row["id"], ranking.sites[p.site].site_id.as_str());
        assert_eq!(row["score"].as_f64().unwrap(), p.score);
    }
    for (q, names) in [
        ("&weights=1,nan,1,1", "weights"),
        ("&weights=1,1", "weights"),
        ("&weights=0,0,0,0", "weights"),
        ("&top=0", "top"),
        ("&top=100000", "top"),
    ] {
        let (status, body) = table(q);
        assert_eq!(status, 400, "{q}: {body}");
        assert!(
            body["detail"].as_str().unwrap().contains(names),
            "{q}: {body}"
        );
    }
    // The CSV export is the library's CSV of the ranking.
    let (status, csv) = get(&format!("{base}/workbench/export?ranking={id}&f=csv"));
    assert_eq!(status, 200);
    let mut lib = Vec::new();
    let opts = sitematch::output::OutputOptions::for_ranking(&ranking);
    sitematch::output::write_csv(&ranking, &opts, &mut lib).unwrap();
    assert_eq!(csv, String::from_utf8(lib).unwrap());
    let (status, _) = get(&format!("{base}/workbench/export?ranking={id}&f=shp"));
    assert_eq!(status, 400);
    // No road network in the fixtures: the catchments say so.
    let site = ranked_ids(&ranking)[0].to_string();
    let (status, body) = get(&format!(
        "{base}/workbench/catchments?ranking={id}&site={site}"
    ));
    assert_eq!(status, 422, "{body}");
    assert!(body.contains("no road network"), "{body}");
    let (status, body) = get(&format!(
        "{base}/workbench/catchments?ranking={id}&site={site}&minutes=500"
    ));
    assert_eq!(status, 400, "{body}");
    // The fiche holds the site's receipt.
    let (status, page) = get(&format!("{base}/workbench/fiche?ranking={id}&site={site}"));
    assert_eq!(status, 200);
    let receipt = sitematch::output::explain(&ranking, &site).unwrap();
    let first_line = receipt.lines().next().unwrap();
    assert!(
        page.contains(&sitematch::output::escape_html(first_line)),
        "{first_line}"
    );
    let (status, _) = get(&format!("{base}/workbench/fiche?ranking={id}&site=nowhere"));
    assert_eq!(status, 404);
    // The page for a browser at /, the landing page at ?f=html, JSON for the rest.
    let browse = |path: &str| {
        let mut r = agent()
            .get(&format!("{base}{path}"))
            .header("Accept", "text/html,*/*;q=0.8")
            .call()
            .unwrap();
        r.body_mut().read_to_string().unwrap()
    };
    assert!(browse("/").contains("<title>sitematch workbench</title>"));
    assert!(!browse("/?f=html").contains("workbench</title>"));
    assert!(get(&format!("{base}/")).1.starts_with('{'));
    for asset in ["app.js", "app.css", "fiche.js", "leaflet.js", "leaflet.css"] {
        assert_eq!(get(&format!("{base}/workbench/{asset}")).0, 200, "{asset}");
    }
    assert_eq!(get(&format!("{base}/workbench/nothing.js")).0, 404);
    // The form's menus: every criterion type the library reads, the data's layers.
    let (_, body) = get(&format!("{base}/workbench/vocabulary"));
    let words: serde_json::Value = serde_json::from_str(&body).unwrap();
    let types: Vec<&str> = words["types"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap())
        .collect();
    assert_eq!(
        types,
        sitematch::CriterionType::ALL
            .iter()
            .map(|t| t.as_str())
            .collect::<Vec<_>>()
    );
    let engine = Engine::new(Catalog::from_path(fixtures().join("rank")).unwrap());
    let layers: Vec<&str> = words["layers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        layers,
        engine.layers().map(|l| l.name.as_str()).collect::<Vec<_>>()
    );
}

/// Headless Chromium and a server with tokens: the workbench's page loads without
/// one and asks for it; with a rank token it ranks a brief file (the library's
/// order), opens a fiche written from a request bearing the token (the library's
/// receipt), and saves the CSV (the library's bytes). The only console errors are the
/// first requests' 401s.
#[test]
fn the_workbench_asks_for_a_token_and_sends_it() {
    let (base, _) = start_guarded(&[]);
    let downloads = tempfile::tempdir().unwrap();
    // A canonical path, as a file input takes it.
    let brief = fixtures().join("rank/brief.toml").canonicalize().unwrap();
    let config = serde_json::json!({
        "base": base,
        "token": RANK_TOKEN,
        "brief": brief,
        "downloads": downloads.path(),
    });
    let Some(seen) = python_client("workbench_token.py", "selenium", &[&config.to_string()]) else {
        return;
    };
    assert!(seen["asked"].as_str().unwrap().contains("token"), "{seen}");
    let ranking = fixture_ranking();
    let ids: Vec<&str> = seen["ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        ranked_ids(&ranking)[..ranking.top.min(ranking.ranked)].to_vec()
    );
    let receipt = sitematch::output::explain(&ranking, ids[0]).unwrap();
    let squash = |t: &str| t.lines().map(str::trim_end).collect::<Vec<_>>().join("\n");
    assert_eq!(
        squash(seen["fiche_receipt"].as_str().unwrap()).trim(),
        squash(&receipt).trim()
    );
    // The fixtures have no road network: no catchment, said so.
    assert_eq!(seen["fiche_catchments"], "0");
    let mut csv = Vec::new();
    let opts = sitematch::output::OutputOptions::for_ranking(&ranking);
    sitematch::output::write_csv(&ranking, &opts, &mut csv).unwrap();
    assert_eq!(std::fs::read(seen["csv"].as_str().unwrap()).unwrap(), csv);
    for e in seen["console_errors"].as_array().unwrap() {
        assert!(e.as_str().unwrap().contains("401"), "{e}");
    }
}
