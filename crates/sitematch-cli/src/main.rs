//! The `sitematch` command: parse arguments, call the library, print, set the exit code.

#![forbid(unsafe_code)]
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

mod args;

use std::io::Write;
use std::mem::ManuallyDrop;
use std::process::ExitCode;

use anyhow::{anyhow, Context};
use clap::Parser;

use args::{Args, Command, DataArgs, FormatArg};
use sitematch::output::{self, OutputFormat, OutputOptions};
use sitematch::{data_dir, Brief, Catalog, Engine, SnapshotUse};

/// How `run` ended when it did not fail.
enum Outcome {
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

fn load(data: &DataArgs) -> anyhow::Result<Catalog> {
    let dir = data_dir(data.data.as_deref());
    let cache = if data.no_cache {
        None
    } else {
        sitematch::default_cache_dir()
    };
    let (catalog, used) = Catalog::builder(&dir)
        .strict(data.strict)
        .cache(cache)
        .build_noting()
        .with_context(|| {
            format!(
                "loading the data set {} (choose another with --data DIR or SITEMATCH_DATA)",
                dir.display()
            )
        })?;
    match used {
        SnapshotUse::Rebuilt { path, why } => eprintln!(
            "note: the data-set snapshot {} was {why}; it was rebuilt from the files",
            path.display()
        ),
        SnapshotUse::NotWritten { path, why } => eprintln!(
            "note: could not write the data-set snapshot {}: {why} (set SITEMATCH_CACHE \
             to a writable folder, or pass --no-cache)",
            path.display()
        ),
        _ => {}
    }
    Ok(catalog)
}

fn run(args: Args) -> anyhow::Result<Outcome> {
    match args.command {
        Command::Layers {
            data,
            show_skipped,
            tags,
        } => {
            let dir = data_dir(data.data.as_deref());
            let catalog = load(&data)?;
            let mut out = std::io::stdout().lock();
            if catalog.layers.is_empty() && catalog.networks.is_empty() {
                writeln!(out, "{}: no layers", dir.display())?;
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
        Command::Rank {
            brief,
            data,
            output: path,
            format,
            top,
            include_excluded,
            qml,
            robustness,
            like,
        } => {
            let brief_path = brief;
            let mut brief = Brief::from_path(&brief_path)?;
            with_runs(&mut brief, robustness);
            like_site(&mut brief, like);
            // The engine and the ranking are left for the process's exit to free:
            // freeing a national ranking and its indexes piece by piece costs tens of
            // milliseconds for nothing.
            let engine = ManuallyDrop::new(Engine::new(load(&data)?));
            // The map's context: the data set's département outlines, when it has them.
            let outlines = engine.layer("departements").map(|l| l.layer());
            if brief.grid.is_some() {
                return rank_grid(
                    &engine,
                    &brief,
                    &brief_path,
                    path.as_deref(),
                    format,
                    include_excluded,
                );
            }
            let ranking =
                ManuallyDrop::new(engine.rank(&brief).map_err(|e| e.in_brief(&brief_path))?);
            warn(&brief_path, &ranking.warnings);
            let opts = OutputOptions {
                top: top.unwrap_or(ranking.top),
                include_excluded,
            };
            let format = output_format(format, path.as_deref())?;
            if qml && (path.is_none() || !(format.takes_qml() || format.needs_file())) {
                return Err(anyhow!(
                    "--qml writes a QGIS style beside a GeoJSON, CSV or GeoPackage file: give -o FILE.geojson"
                ));
            }
            if format.needs_file() {
                let p = path.as_deref().ok_or_else(|| {
                    anyhow!(
                        "--format gpkg: a GeoPackage is a file, not a stream; give -o FILE.gpkg"
                    )
                })?;
                let brief_text = std::fs::read_to_string(&brief_path).unwrap_or_default();
                let brief_file = brief_path.display().to_string();
                let data_dir = data_dir(data.data.as_deref()).display().to_string();
                let extra = [
                    ("brief_file", brief_file.as_str()),
                    ("brief_text", brief_text.as_str()),
                    ("data", data_dir.as_str()),
                ];
                write_atomically(p, |tmp| {
                    output::write_gpkg(&ranking, &opts, &extra, tmp).map(|_| ())?;
                    Ok(())
                })?;
            } else {
                let mut sink = Output::open(path.as_deref())?;
                output::write_ranking(format, &ranking, &opts, outlines, &mut sink)
                    .with_context(|| cannot_write(path.as_deref()))?;
                sink.finish(path.as_deref())?;
            }
            if let Some(p) = path.as_deref() {
                // A CSV's column types for GDAL and QGIS, and its CRS.
                for (ext, text) in output::sidecars(format, &ranking) {
                    write_beside(p, ext, &text)?;
                }
                if qml && format.takes_qml() {
                    let style =
                        output::qgis_style(output::StyleGeometry::Point, true, Some("rank"));
                    write_beside(p, "qml", &style)?;
                }
                eprintln!(
                    "wrote {} to {}",
                    output::summary(&ranking, &opts),
                    p.display()
                );
            }
            if ranking.ranked == 0 {
                eprintln!(
                    "no site meets the brief's hard constraints ({} excluded); \
                     run with --include-excluded to see why",
                    ranking.sites.len()
                );
                return Ok(Outcome::NothingRanked);
            }
            Ok(Outcome::Done)
        }
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
        #[cfg(feature = "serve")]
        Command::Serve {
            data,
            bind,
            max_rankings,
        } => {
            let dir = data_dir(data.data.as_deref());
            let engine = Engine::new(load(&data)?);
            let mut limits = sitematch_server::Limits::default();
            if let Some(n) = max_rankings {
                limits.max_rankings = n.max(1);
            }
            let state = sitematch_server::AppState::new(
                engine,
                sitematch_server::data_version(&dir),
                limits,
            );
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
            with_runs(&mut brief, robustness);
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

/// Streams a grid brief's cells to the output, with a progress bar on a terminal.
fn rank_grid(
    engine: &Engine,
    brief: &Brief,
    brief_path: &std::path::Path,
    path: Option<&std::path::Path>,
    format: Option<FormatArg>,
    include_excluded: bool,
) -> anyhow::Result<Outcome> {
    let grid = engine
        .grid(brief, include_excluded)
        .map_err(|e| e.in_brief(brief_path))?;
    warn(brief_path, grid.warnings());
    let bar = indicatif::ProgressBar::with_draw_target(
        Some(grid.total_cells() as u64),
        indicatif::ProgressDrawTarget::stderr(),
    );
    bar.set_style(
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} cells, {eta} left")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let format = match output_format(format, path)? {
        OutputFormat::Md => {
            return Err(anyhow!(
                "--format md: a grid surface has too many cells for a table; use fgb, geojson or csv"
            ))
        }
        f if !f.writes_grids() => {
            return Err(anyhow!(
                "a grid surface is written as FlatGeobuf, GeoJSON or CSV (a GeoPackage or a map report is for a ranking); use -o FILE.fgb"
            ))
        }
        f => f,
    };
    let sidecars = output::grid_sidecars(format, &grid);
    let mut sink = Output::open(path)?;
    let progress = |s: &sitematch::GridStats| bar.set_position(s.scanned as u64);
    let stats = output::write_grid(format, grid, progress, &mut sink)
        .with_context(|| cannot_write(path))?;
    sink.finish(path)?;
    if let Some(p) = path {
        for (ext, text) in sidecars {
            write_beside(p, ext, &text)?;
        }
    }
    bar.finish_and_clear();
    eprintln!(
        "{} cells written of {} scanned ({} not on land, {} outside the extent, {} outside the zone, {} excluded)",
        stats.produced,
        stats.scanned,
        stats.not_on_land,
        stats.outside_departments,
        stats.outside_zone,
        stats.excluded
    );
    Ok(Outcome::Done)
}

/// The output format: `--format`, else from the -o extension (GeoJSON without one,
/// with a note); an extension no format has is an error naming the formats.
fn output_format(
    format: Option<FormatArg>,
    path: Option<&std::path::Path>,
) -> anyhow::Result<OutputFormat> {
    if let Some(FormatArg(f)) = format {
        return Ok(f);
    }
    let (format, note) = OutputFormat::for_path(path)?;
    if let Some(note) = note {
        eprintln!("note: {note}");
    }
    Ok(format)
}

/// Writes `text` beside `path`, with the extension `ext` (`x.csv` -> `x.csvt`).
fn write_beside(path: &std::path::Path, ext: &str, text: &str) -> anyhow::Result<()> {
    let side = path.with_extension(ext);
    let mut out = Output::open(Some(&side))?;
    out.write_all(text.as_bytes())
        .with_context(|| cannot_write(Some(&side)))?;
    out.finish(Some(&side))
}

/// Writes a file that a library writer creates by path (a GeoPackage) whole or not
/// at all: into a temporary file beside it, put in place when complete.
fn write_atomically(
    path: &std::path::Path,
    write: impl FnOnce(&std::path::Path) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let tmp = temporary_beside(path)?;
    write(tmp.path())?;
    persist(tmp, path)
}

/// Prints a brief's warnings on stderr, one a line.
fn warn(brief: &std::path::Path, warnings: &[sitematch::KeyProblem]) {
    for w in warnings {
        eprintln!("warning: {}: {w}", brief.display());
    }
}

/// The message of a failed write, naming where it went.
fn cannot_write(path: Option<&std::path::Path>) -> String {
    match path {
        Some(p) => format!(
            "cannot write {} (is the disk full, or the file not writable?)",
            p.display()
        ),
        None => "cannot write the standard output".to_string(),
    }
}

/// Where output goes: stdout, or the `-o` file written whole or not at all (into a
/// temporary file beside it, renamed into place when complete, so that a crash or a
/// kill leaves the previous file); a path that is not a regular file (`/dev/stdout`,
/// a pipe) is written directly.
enum Output {
    Stdout(std::io::BufWriter<std::io::StdoutLock<'static>>),
    Direct(std::io::BufWriter<std::fs::File>),
    Atomic(std::io::BufWriter<tempfile::NamedTempFile>),
}

impl Output {
    fn open(path: Option<&std::path::Path>) -> anyhow::Result<Output> {
        let Some(p) = path else {
            return Ok(Output::Stdout(std::io::BufWriter::new(
                std::io::stdout().lock(),
            )));
        };
        let special = p.exists() && !p.is_file();
        if special {
            let f = std::fs::File::create(p)
                .with_context(|| format!("cannot create {}", p.display()))?;
            return Ok(Output::Direct(std::io::BufWriter::new(f)));
        }
        Ok(Output::Atomic(std::io::BufWriter::new(temporary_beside(
            p,
        )?)))
    }

    /// Flushes, and for a file puts it in place.
    fn finish(self, path: Option<&std::path::Path>) -> anyhow::Result<()> {
        match self {
            Output::Stdout(mut w) => w.flush().with_context(|| cannot_write(None)),
            Output::Direct(mut w) => w.flush().with_context(|| cannot_write(path)),
            Output::Atomic(w) => {
                let tmp = w
                    .into_inner()
                    .map_err(|e| e.into_error())
                    .with_context(|| cannot_write(path))?;
                let Some(p) = path else {
                    return Ok(());
                };
                persist(tmp, p)
            }
        }
    }
}

/// A temporary file in the folder of `path`, to be renamed to it.
fn temporary_beside(path: &std::path::Path) -> anyhow::Result<tempfile::NamedTempFile> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => std::path::Path::new("."),
    };
    tempfile::Builder::new()
        .prefix(".sitematch-")
        .suffix(".part")
        .tempfile_in(dir)
        .with_context(|| {
            format!(
                "cannot create {} (its folder must exist and be writable)",
                path.display()
            )
        })
}

/// Puts a finished temporary file in place at `path`, with the file's own
/// permissions when it existed, else the usual rw-r--r-- (a temporary file is
/// private).
fn persist(tmp: tempfile::NamedTempFile, path: &std::path::Path) -> anyhow::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path).map_or(0o644, |m| m.permissions().mode());
        let _ = tmp
            .as_file()
            .set_permissions(std::fs::Permissions::from_mode(mode));
    }
    tmp.persist(path)
        .map_err(|e| e.error)
        .with_context(|| format!("cannot put the output in place at {}", path.display()))?;
    Ok(())
}

impl Write for Output {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self {
            Output::Stdout(w) => w.write(buf),
            Output::Direct(w) => w.write(buf),
            Output::Atomic(w) => w.write(buf),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            Output::Stdout(w) => w.flush(),
            Output::Direct(w) => w.flush(),
            Output::Atomic(w) => w.flush(),
        }
    }
}

/// `--like SITE_ID` ranks by likeness to that site alone: it replaces the brief's
/// `[target]`, if any (its values and label too).
fn like_site(brief: &mut Brief, like: Option<String>) {
    if let Some(id) = like {
        brief.target = Some(sitematch::Target {
            site: Some(id),
            ..Default::default()
        });
    }
}

/// `--robustness N` sets the number of runs, keeping the brief's spread and seed.
fn with_runs(brief: &mut Brief, runs: Option<usize>) {
    if let Some(runs) = runs {
        let mut spec = brief.robustness.unwrap_or_default();
        spec.runs = runs.max(1);
        brief.robustness = Some(spec);
    }
}
