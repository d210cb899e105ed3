//! The `sitematch` command: parse arguments, call the library, print, set the exit code.

#![forbid(unsafe_code)]
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

mod args;

use std::io::Write;
use std::process::ExitCode;

use anyhow::{anyhow, Context};
use clap::Parser;

use args::{Args, Command, DataArgs, OutputFormat};
use sitematch::output::{self, OutputOptions};
use sitematch::{data_dir, Brief, Catalog, Engine};

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
    Catalog::builder(&dir)
        .strict(data.strict)
        .build()
        .with_context(|| {
            format!(
                "loading the data set {} (choose another with --data DIR or SITEMATCH_DATA)",
                dir.display()
            )
        })
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
            robustness,
        } => {
            let brief_path = brief;
            let mut brief = Brief::from_path(&brief_path)?;
            with_runs(&mut brief, robustness);
            let engine = Engine::new(load(&data)?);
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
            let ranking = engine.rank(&brief).map_err(|e| e.in_brief(&brief_path))?;
            warn(&brief_path, &ranking.warnings);
            let opts = OutputOptions {
                top: top.unwrap_or(ranking.top),
                include_excluded,
            };
            let format = format.unwrap_or_else(|| {
                match path
                    .as_ref()
                    .and_then(|p| p.extension())
                    .and_then(|e| e.to_str())
                {
                    Some("csv") => OutputFormat::Csv,
                    Some("md") => OutputFormat::Md,
                    _ => OutputFormat::Geojson,
                }
            });
            let mut sink = Output::open(path.as_deref())?;
            let written = match format {
                OutputFormat::Geojson => output::write_geojson(&ranking, &opts, &mut sink),
                OutputFormat::Csv => output::write_csv(&ranking, &opts, &mut sink),
                OutputFormat::Md => output::write_markdown(&ranking, &opts, &mut sink),
            };
            written.with_context(|| cannot_write(path.as_deref()))?;
            sink.finish(path.as_deref())?;
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
        Command::Explain {
            brief,
            site_id,
            data,
            robustness,
        } => {
            let path = brief;
            let mut brief = Brief::from_path(&path)?;
            with_runs(&mut brief, robustness);
            let engine = Engine::new(load(&data)?);
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
    format: Option<OutputFormat>,
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
    let mut sink = Output::open(path)?;
    let progress = |s: &sitematch::GridStats| bar.set_position(s.scanned as u64);
    let csv = match format {
        Some(OutputFormat::Md) => {
            return Err(anyhow!(
                "--format md: a grid surface has too many cells for a table; use geojson or csv"
            ))
        }
        Some(OutputFormat::Csv) => true,
        Some(OutputFormat::Geojson) => false,
        None => path.and_then(|p| p.extension()).is_some_and(|e| e == "csv"),
    };
    let stats = if csv {
        output::write_csv_grid(grid, progress, &mut sink)
    } else {
        output::write_geojson_grid(grid, progress, &mut sink)
    }
    .with_context(|| cannot_write(path))?;
    sink.finish(path)?;
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
        let dir = match p.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => std::path::Path::new("."),
        };
        let tmp = tempfile::Builder::new()
            .prefix(".sitematch-")
            .suffix(".part")
            .tempfile_in(dir)
            .with_context(|| {
                format!(
                    "cannot create {} (its folder must exist and be writable)",
                    p.display()
                )
            })?;
        Ok(Output::Atomic(std::io::BufWriter::new(tmp)))
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
                // The file's own permissions when it existed, else the usual rw-r--r--
                // (a temporary file is private).
                #[cfg(unix)]
                {
                    use std::os::unix::fs::PermissionsExt;
                    let mode = std::fs::metadata(p).map_or(0o644, |m| m.permissions().mode());
                    let _ = tmp
                        .as_file()
                        .set_permissions(std::fs::Permissions::from_mode(mode));
                }
                tmp.persist(p).map_err(|e| e.error).with_context(|| {
                    format!("cannot put the output in place at {}", p.display())
                })?;
                Ok(())
            }
        }
    }
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

/// `--robustness N` sets the number of runs, keeping the brief's spread and seed.
fn with_runs(brief: &mut Brief, runs: Option<usize>) {
    if let Some(runs) = runs {
        let mut spec = brief.robustness.unwrap_or_default();
        spec.runs = runs.max(1);
        brief.robustness = Some(spec);
    }
}
