//! The `sitematch` command: parse arguments, call the library, print, set the exit code.

#![forbid(unsafe_code)]
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

mod args;
mod data;
mod plan;
mod rank;
mod write;

use std::io::Write;
use std::mem::ManuallyDrop;
use std::process::ExitCode;

use anyhow::{anyhow, Context};
use clap::Parser;

use args::{Args, Command};
use data::{load, load_from, DataSet};
use plan::{like_site, with_runs};
use sitematch::output;
use sitematch::{Brief, Engine};

/// How `run` ended when it did not fail.
pub(crate) enum Outcome {
    Done,
    /// The brief ran, but no site met the hard constraints (exit 1).
    NothingRanked,
}

fn main() -> ExitCode {
    let args = Args::parse();
    match run(args) {
        Ok(Outcome::Done) => ExitCode::SUCCESS,
        Ok(Outcome::NothingRanked) => ExitCode::from(1),
        Err(e) => {
            // A closed pipe (`sitematch layers | head`) is not an error.
            if e.chain().any(|c| {
                c.downcast_ref::<std::io::Error>()
                    .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            }) {
                return ExitCode::SUCCESS;
            }
            // Each cause once: a cause whose text its parent already shows is left out.
            let mut message = String::new();
            for cause in e.chain() {
                let text = cause.to_string();
                if !message.contains(&text) {
                    if !message.is_empty() {
                        message.push_str(": ");
                    }
                    message.push_str(&text);
                }
            }
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
    }
}

/// `sitematch isochrone ORIGIN`: the catchments as a GeoJSON FeatureCollection.
fn isochrone(
    origin: &str,
    minutes: &[f64],
    network: Option<&str>,
    cell_m: f64,
    output: Option<&std::path::Path>,
    data: &args::DataArgs,
) -> anyhow::Result<Outcome> {
    let catalog = load(data)?;
    let net = sitematch::Network::pick(&catalog.networks, network).map_err(|e| match network {
        Some(_) => anyhow!("--network {e}"),
        None => anyhow!("{e}: --network NAME"),
    })?;
    // LON,LAT, else a site id of a site layer.
    let point = match origin
        .split_once(',')
        .map(|(x, y)| (x.trim().parse::<f64>(), y.trim().parse::<f64>()))
    {
        Some((Ok(x), Ok(y))) => (sitematch::geo::Point::new(x, y), None),
        _ => {
            let site = catalog
                .layers
                .iter()
                .filter(|l| l.role == sitematch::Role::Sites)
                .find_map(|l| l.features.iter().find(|f| f.id == origin))
                .ok_or_else(|| anyhow!("{origin}: not a site id of the data set, nor a point written LON,LAT (4.8357,45.764)"))?;
            (site.location, Some(site))
        }
    };
    let (p, site) = point;
    let catchments = sitematch::isochrones(net, p, minutes, cell_m).map_err(|e| anyhow!("{e}"))?;
    let origin_name = site.map_or_else(|| format!("{},{}", p.x(), p.y()), |s| s.id.to_string());
    let text = format!(
        "{}\n",
        sitematch::catchments_geojson(&catchments, &net.name, &origin_name)
    );
    write::write_text(output, &text)?;
    if let Some(path) = output {
        eprintln!(
            "wrote {} catchments ({} minutes) of {origin} on {} to {}",
            catchments.len(),
            minutes
                .iter()
                .map(|m| m.to_string())
                .collect::<Vec<_>>()
                .join(", "),
            net.name,
            path.display()
        );
    }
    Ok(Outcome::Done)
}

/// `sitematch compare A B`: both briefs ranked over the same data, compared.
fn compare(
    a: &std::path::Path,
    b: &std::path::Path,
    top: usize,
    output: Option<&std::path::Path>,
    data: &args::DataArgs,
) -> anyhow::Result<Outcome> {
    let (brief_a, brief_b) = (Brief::from_path(a)?, Brief::from_path(b)?);
    let engine = Engine::new(load(data)?);
    let rank = |brief: &Brief, path: &std::path::Path| -> anyhow::Result<sitematch::Ranking> {
        let r = engine.rank(brief).map_err(|e| e.in_brief(path))?;
        warn(path, &r.warnings);
        Ok(r)
    };
    let (ra, rb) = (rank(&brief_a, a)?, rank(&brief_b, b)?);
    let c = sitematch::compare(&ra, &rb, top);
    let name = |p: &std::path::Path| {
        p.file_stem().map_or_else(
            || p.display().to_string(),
            |s| s.to_string_lossy().into_owned(),
        )
    };
    let (na, nb) = (name(a), name(b));
    let ext = output
        .and_then(|p| p.extension())
        .map(|e| e.to_string_lossy().to_lowercase());
    let text = match ext.as_deref() {
        None | Some("md") => c.markdown((&na, &ra), (&nb, &rb)),
        Some("json") => {
            let mut v = serde_json::to_value(&c)?;
            v["a"] = serde_json::json!(a.display().to_string());
            v["b"] = serde_json::json!(b.display().to_string());
            format!("{}\n", serde_json::to_string_pretty(&v)?)
        }
        Some("csv") => {
            let mut w = csv::Writer::from_writer(Vec::new());
            w.write_record([
                "site_id", "label", "rank_a", "rank_b", "places", "score_a", "score_b",
            ])?;
            let opt = |x: Option<String>| x.unwrap_or_default();
            for s in &c.sites {
                w.write_record([
                    s.site_id.clone(),
                    opt(s.label.clone()),
                    opt(s.rank_a.map(|r| r.to_string())),
                    opt(s.rank_b.map(|r| r.to_string())),
                    opt(s.gained().map(|g| g.to_string())),
                    opt(s.score_a.map(|x| x.to_string())),
                    opt(s.score_b.map(|x| x.to_string())),
                ])?;
            }
            String::from_utf8(w.into_inner()?)?
        }
        Some(other) => anyhow::bail!(
            "-o {}: .{other} is not a comparison format; use .md, .json or .csv",
            output.map(|p| p.display().to_string()).unwrap_or_default()
        ),
    };
    write::write_text(output, &text)?;
    if let Some(p) = output {
        eprintln!(
            "wrote the comparison of {na} and {nb} (top {top}: {} entered, {} left) to {}",
            c.entered.len(),
            c.left.len(),
            p.display()
        );
    }
    Ok(Outcome::Done)
}

fn run(args: Args) -> anyhow::Result<Outcome> {
    match args.command {
        Command::Layers {
            data,
            show_skipped,
            tags,
        } => {
            let set = DataSet::of(&data)?;
            let catalog = load_from(&set.dir, &data)?;
            let mut out = std::io::stdout().lock();
            writeln!(out, "data set: {}\n", set.describe())?;
            if catalog.layers.is_empty() && catalog.networks.is_empty() {
                writeln!(out, "{}: no layers", set.dir.display())?;
            } else {
                out.write_all(output::layers_table(&catalog).as_bytes())?;
            }
            if show_skipped {
                out.write_all(output::skipped_lines(&catalog).as_bytes())?;
            }
            if let Some(name) = tags {
                let layer = catalog.layer(&name).ok_or_else(|| {
                    let names: Vec<&str> = catalog.layers.iter().map(|l| l.name.as_str()).collect();
                    anyhow!(
                        "--tags {name}: no such layer; the layers are: {}",
                        names.join(", ")
                    )
                })?;
                writeln!(out, "\ntags of {name}:")?;
                out.write_all(output::tags_table(layer).as_bytes())?;
            }
            Ok(Outcome::Done)
        }
        Command::Rank(args) => rank::rank(plan::RankPlan::resolve(args)?),
        Command::Validate { brief, data } => {
            let path = brief;
            let brief = Brief::from_path(&path)?;
            let engine = Engine::new(load(&data)?);
            engine.check(&brief).map_err(|e| e.in_brief(&path))?;
            let (weights, cr) = brief.normalised_weights();
            let mut out = std::io::stdout().lock();
            writeln!(
                out,
                "{}: ok ({} criteria, method {})",
                path.display(),
                brief.criteria.len(),
                brief.method
            )?;
            for (c, w) in brief.criteria.iter().zip(weights) {
                writeln!(out, "  {:<16} {:<9} weight {:.3}", c.name, c.kind.kind(), w)?;
            }
            if let Some(cr) = cr {
                writeln!(out, "  AHP consistency ratio {cr:.3}")?;
            }
            // The warnings that need the scores come from a ranking (a grid is not
            // ranked: only the values are checked).
            let warnings = match brief.grid {
                Some(_) => engine.value_warnings(&brief),
                None => engine.rank(&brief).map_err(|e| e.in_brief(&path))?.warnings,
            };
            warn(&path, &warnings);
            Ok(Outcome::Done)
        }
        Command::Isochrone {
            origin,
            minutes,
            network,
            cell_m,
            output,
            data,
        } => isochrone(
            &origin,
            &minutes,
            network.as_deref(),
            cell_m,
            output.as_deref(),
            &data,
        ),
        Command::Compare {
            a,
            b,
            top,
            output,
            data,
        } => compare(&a, &b, top as usize, output.as_deref(), &data),
        #[cfg(feature = "serve")]
        Command::Serve {
            data,
            bind,
            max_rankings,
            max_connections,
            drain_seconds,
            public_url,
            cors_origins,
            tokens,
            insecure_no_auth,
            access_log,
            store,
            store_max_mb,
        } => {
            // Who may use it, checked before the data set loads.
            let tokens = match &tokens {
                None => sitematch_server::Tokens::default(),
                Some(f) => {
                    let text = std::fs::read_to_string(f)
                        .with_context(|| format!("--tokens {}: cannot read it", f.display()))?;
                    sitematch_server::Tokens::parse(&f.display().to_string(), &text)
                        .map_err(|e| anyhow::anyhow!("--tokens {e}"))?
                }
            };
            let loopback = bind
                .parse::<std::net::SocketAddr>()
                .map(|a| a.ip().is_loopback())
                .unwrap_or_else(|_| bind.starts_with("localhost:"));
            if !loopback && tokens.is_empty() && !insecure_no_auth {
                anyhow::bail!(
                    "--bind {bind}: serving beyond this machine needs --tokens FILE (or --insecure-no-auth, to let anyone who reaches it rank briefs)"
                );
            }
            let access_log = match &access_log {
                None => sitematch_server::AccessLog::Off,
                Some(p) if p.as_os_str() == "-" => sitematch_server::AccessLog::Stderr,
                Some(p) => sitematch_server::AccessLog::File(std::sync::Mutex::new(
                    std::fs::OpenOptions::new()
                        .create(true)
                        .append(true)
                        .open(p)
                        .with_context(|| {
                            format!("--access-log {}: cannot open it to append", p.display())
                        })?,
                )),
            };
            let dir = DataSet::of(&data)?.dir;
            let engine = Engine::new(load_from(&dir, &data)?);
            let mut limits = sitematch_server::Limits::default();
            if let Some(n) = max_rankings {
                // 1 to 1024 (the flag's range).
                limits.max_rankings = usize::try_from(n).unwrap_or(1);
            }
            if let Some(n) = drain_seconds {
                limits.drain_seconds = n;
            }
            if let Some(n) = max_connections {
                // 1 to 65536 (the flag's range).
                limits.max_connections = usize::try_from(n).unwrap_or(1);
            }
            let mut state = sitematch_server::AppState::new(
                engine,
                sitematch_server::data_version(&dir),
                limits,
            )
            .with_cors_origins(&cors_origins)
            .map_err(|e| anyhow::anyhow!("--cors-origin {e}"))?
            .with_tokens(tokens)
            .with_access_log(access_log);
            if let Some(url) = &public_url {
                state = state
                    .with_public_url(url)
                    .map_err(|e| anyhow::anyhow!("--public-url {e}"))?;
            }
            if let Some(dir) = &store {
                let opened = sitematch_server::Store::open(dir, store_max_mb << 20)
                    .map_err(|e| anyhow::anyhow!("--store {e}"))?;
                let (with, report) = state.with_store(opened);
                state = with;
                eprintln!(
                    "--store {}: {} rankings of this data set served, {} of another data set or build left aside",
                    dir.display(),
                    report.usable,
                    report.other
                );
                for why in &report.damaged {
                    eprintln!(
                        "--store {why}; not served (remove it, or it goes when the store is full)"
                    );
                }
            }
            let runtime =
                tokio::runtime::Runtime::new().context("starting the server's runtime")?;
            runtime.block_on(async {
                let listener = tokio::net::TcpListener::bind(&bind)
                    .await
                    .with_context(|| {
                        format!(
                            "--bind {bind}: cannot listen there (in use, or not an address:port)"
                        )
                    })?;
                let addr = listener
                    .local_addr()
                    .map(|a| a.to_string())
                    .unwrap_or(bind.clone());
                eprintln!(
                    "serving {} on http://{addr}/ (OGC API - Features; POST /rank); Ctrl-C stops",
                    dir.display()
                );
                sitematch_server::serve(listener, std::sync::Arc::new(state))
                    .await
                    .context("serving")
            })?;
            Ok(Outcome::Done)
        }
        Command::Explain {
            brief,
            site_id,
            data,
            robustness,
            like,
        } => {
            let path = brief;
            let mut brief = Brief::from_path(&path)?;
            with_runs(&mut brief, robustness)?;
            like_site(&mut brief, like);
            // The engine and the ranking are left for the process's exit to free:
            // freeing a national ranking and its indexes piece by piece costs tens of
            // milliseconds for nothing.
            let engine = ManuallyDrop::new(Engine::new(load(&data)?));
            let ranking = engine.rank(&brief).map_err(|e| e.in_brief(&path))?;
            let text = output::explain(&ranking, &site_id).ok_or_else(|| {
                anyhow!(
                    "no site {site_id:?} among the {} sites the brief considers \
                     (check the id and the brief's filter.layers)",
                    ranking.sites.len()
                )
            })?;
            std::io::stdout().lock().write_all(text.as_bytes())?;
            Ok(Outcome::Done)
        }
    }
}

/// Prints a brief's warnings on stderr, one a line.
pub(crate) fn warn(brief: &std::path::Path, warnings: &[sitematch::Warning]) {
    for w in warnings {
        eprintln!("warning: {}: {w}", brief.display());
    }
}
