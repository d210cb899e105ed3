//! A bounded load test of the server on loopback: it starts the server in this
//! process over a data set, then posts a brief a fixed number of times at each level
//! of concurrency, and prints requests per second, median and 99th-percentile latency,
//! errors, and the process's memory (resident set) before and after each phase.
//!
//! Two phases per level: "ranked" posts briefs that differ by name (each one is
//! ranked), "cached" posts one brief, ranked once before the phase, again and again
//! (answered from the cache).
//!
//! With `--token TOKEN`, the server requires it (as `serve --tokens` does) and every
//! request bears it; a request without it must be refused (401) first. With
//! `--store DIR`, every ranking is also written to that folder (`serve --store`).
//!
//! ```sh
//! cargo run --release -p sitematch-server --example load -- \
//!     --data data --brief examples/briefs/battery_hauts_de_france.toml \
//!     --requests 48 --concurrency 1,4,16 [--token a-long-enough-token] [--store DIR]
//! ```

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use sitematch::{Catalog, Engine};
use sitematch_server::{AppState, Limits};

struct Args {
    data: PathBuf,
    brief: PathBuf,
    requests: usize,
    concurrency: Vec<usize>,
    token: Option<String>,
    store: Option<PathBuf>,
}

fn args() -> Result<Args, String> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut a = Args {
        data: root.join("data"),
        brief: root.join("examples/briefs/battery_hauts_de_france.toml"),
        requests: 48,
        concurrency: vec![1, 4, 16],
        token: None,
        store: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().ok_or(format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--data" => a.data = value.into(),
            "--brief" => a.brief = value.into(),
            "--requests" => {
                a.requests = value.parse().map_err(|_| format!("--requests {value}"))?
            }
            "--concurrency" => {
                a.concurrency = value
                    .split(',')
                    .map(|c| {
                        c.trim()
                            .parse()
                            .map_err(|_| format!("--concurrency {value}"))
                    })
                    .collect::<Result<_, _>>()?
            }
            "--token" => a.token = Some(value),
            "--store" => a.store = Some(value.into()),
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(a)
}

/// Resident memory of this process, in MB (Linux).
fn rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmRSS:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        })
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let k = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[k.min(sorted.len() - 1)].as_secs_f64() * 1000.0
}

/// Posts `bodies` with `threads` clients; returns (wall time, latencies, errors).
fn phase(
    url: &str,
    token: Option<&str>,
    bodies: Vec<String>,
    threads: usize,
) -> (Duration, Vec<Duration>, usize) {
    let bearer = token.map(|t| format!("Bearer {t}"));
    let queue = Arc::new(std::sync::Mutex::new(bodies));
    let start = Instant::now();
    let handles: Vec<_> = (0..threads)
        .map(|_| {
            let queue = queue.clone();
            let url = url.to_string();
            let bearer = bearer.clone();
            std::thread::spawn(move || {
                let agent: ureq::Agent = ureq::Agent::config_builder()
                    .http_status_as_error(false)
                    .build()
                    .into();
                let (mut times, mut errors) = (Vec::new(), 0);
                while let Some(body) = queue.lock().ok().and_then(|mut q| q.pop()) {
                    let t = Instant::now();
                    let mut request = agent.post(&url).header("Content-Type", "application/toml");
                    if let Some(b) = &bearer {
                        request = request.header("Authorization", b);
                    }
                    let ok = request
                        .send(body.as_bytes())
                        .map(|mut r| {
                            let _ = r.body_mut().read_to_vec();
                            r.status().is_success()
                        })
                        .unwrap_or(false);
                    times.push(t.elapsed());
                    if !ok {
                        errors += 1;
                    }
                }
                (times, errors)
            })
        })
        .collect();
    let (mut times, mut errors) = (Vec::new(), 0);
    for h in handles {
        if let Ok((t, e)) = h.join() {
            times.extend(t);
            errors += e;
        }
    }
    times.sort();
    (start.elapsed(), times, errors)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let a = args()?;
    let brief = std::fs::read_to_string(&a.brief)?;
    let t = Instant::now();
    let engine = Engine::new(Catalog::from_path(&a.data)?);
    let mut state = AppState::new(
        engine,
        sitematch_server::data_version(&a.data),
        Limits::default(),
    );
    if let Some(token) = &a.token {
        state = state.with_tokens(sitematch_server::Tokens::parse(
            "--token",
            &format!("{token} rank load-test"),
        )?);
    }
    if let Some(dir) = &a.store {
        let store = sitematch_server::Store::open(dir, 1 << 30)?;
        state = state.with_store(store).0;
    }
    let state = Arc::new(state);
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    let url = format!("http://{}/rank", listener.local_addr()?);
    listener.set_nonblocking(true)?;
    let shared = state.clone();
    std::thread::spawn(move || {
        let Ok(rt) = tokio::runtime::Runtime::new() else {
            return;
        };
        rt.block_on(async move {
            if let Ok(l) = tokio::net::TcpListener::from_std(listener) {
                let _ = sitematch_server::serve(l, shared).await;
            }
        });
    });
    println!(
        "loaded {} in {:.2} s; {} requests a phase, {} cores; memory {:.0} MB",
        a.data.display(),
        t.elapsed().as_secs_f64(),
        a.requests,
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        rss_mb()
    );
    if a.token.is_some() {
        // Without the token, refused.
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build()
            .into();
        let status = agent
            .post(&url)
            .header("Content-Type", "application/toml")
            .send(brief.as_bytes())?
            .status()
            .as_u16();
        if status != 401 {
            return Err(format!("a request without the token got {status}, not 401").into());
        }
        println!("tokens on: a request without one is refused (401)");
    }
    let token = a.token.as_deref();
    println!("phase   clients  req/s    p50 ms   p99 ms  errors  memory MB (before -> after)");
    let (mut serial, mut failed) = (0, 0);
    for &c in &a.concurrency {
        for cached in [false, true] {
            let bodies: Vec<String> = (0..a.requests)
                .map(|_| {
                    serial += 1;
                    if cached {
                        brief.clone()
                    } else {
                        // Another name, another brief: ranked, not cached.
                        format!("name = \"load test {serial}\"\n{}", strip_name(&brief))
                    }
                })
                .collect();
            if cached {
                // Ranked once before the phase: every request of it is a cache hit.
                let _ = phase(&url, token, vec![brief.clone()], 1);
            }
            let before = rss_mb();
            let (wall, times, errors) = phase(&url, token, bodies, c);
            failed += errors;
            println!(
                "{:<7} {c:>7}  {:>6.1}  {:>7.1}  {:>7.1}  {errors:>6}  {before:.0} -> {:.0}",
                if cached { "cached" } else { "ranked" },
                times.len() as f64 / wall.as_secs_f64(),
                percentile(&times, 0.5),
                percentile(&times, 0.99),
                rss_mb()
            );
        }
    }
    println!("rankings kept in the cache: {}", state.rankings().len());
    if failed > 0 {
        return Err(format!("{failed} requests failed").into());
    }
    Ok(())
}

/// The brief without its top-level `name` line (the load test sets its own): the
/// `name =` before the first table, not the criteria's.
fn strip_name(brief: &str) -> String {
    let mut in_table = false;
    brief
        .lines()
        .filter(|l| {
            in_table |= l.trim_start().starts_with('[');
            in_table || !l.trim_start().starts_with("name")
        })
        .collect::<Vec<_>>()
        .join("\n")
}
