//! `sitematch rank`: a brief's ranking, or its grid surface, to a file or stdout.

use std::mem::ManuallyDrop;

use sitematch::output::{self, OutputOptions};
use sitematch::Engine;

use crate::data::{load_from, DataSet};
use crate::plan::RankPlan;
use crate::write::{write_atomically, write_failed, Output};
use crate::{warn, Outcome};

/// Ranks the plan's brief and writes the ranking (or streams its grid).
pub(crate) fn rank(plan: RankPlan) -> anyhow::Result<Outcome> {
    // The engine and the ranking are left for the process's exit to free:
    // freeing a national ranking and its indexes piece by piece costs tens of
    // milliseconds for nothing.
    let set = DataSet::of(&plan.data)?;
    let engine = ManuallyDrop::new(Engine::new(load_from(&set.dir, &plan.data)?));
    // The map's context: the data set's département outlines, when it has them.
    let outlines = engine.layer("departements").map(|l| l.layer());
    if plan.brief.grid.is_some() {
        return rank_grid(&engine, &plan);
    }
    let (brief_path, path) = (&plan.brief_path, &plan.path);
    // A streamed layer keeps only the brief's `top` best: `--top` raises it, or the
    // output would hold fewer sites than asked.
    let streamed = engine.streams().iter().any(|s| {
        plan.brief
            .filter
            .layers
            .as_ref()
            .is_some_and(|l| l.iter().any(|n| n == s.name()))
    });
    let raised;
    let brief = match plan.top {
        Some(top) if streamed && top > plan.brief.top => {
            let mut b = plan.brief.clone();
            b.top = top;
            raised = b;
            &raised
        }
        _ => &plan.brief,
    };
    let ranking = ManuallyDrop::new(engine.rank(brief).map_err(|e| e.in_brief(brief_path))?);
    warn(brief_path, &ranking.warnings);
    let opts = OutputOptions {
        top: plan.top.unwrap_or(ranking.top),
        include_excluded: plan.include_excluded,
    };
    let format = plan.ranking_format()?;
    let wgs84 = sitematch::OutputCrs::wgs84();
    let crs = plan.crs.as_ref().unwrap_or(&wgs84);
    // A CSV's column types for GDAL and QGIS, and its CRS; a layer's QGIS style: put
    // in place with the output, together.
    let mut sidecars = output::sidecars_in(format, &ranking, crs);
    if plan.qml && format.takes_qml() {
        let style = output::qgis_style(output::StyleGeometry::Point, true, Some("rank"));
        sidecars.push(("qml", style));
    }
    if let (true, Some(p)) = (format.needs_file(), path.as_deref()) {
        let brief_text = std::fs::read_to_string(brief_path).unwrap_or_default();
        // A client's copy names no folder of this machine.
        let brief_file = named_for_client(brief_path, p);
        let data_dir = if set.built_in {
            format!(
                "the built-in data set (sitematch {})",
                env!("CARGO_PKG_VERSION")
            )
        } else {
            named_for_client(&set.dir, p)
        };
        let extra = [
            ("brief_file", brief_file.as_str()),
            ("brief_text", brief_text.as_str()),
            ("data", data_dir.as_str()),
        ];
        write_atomically(p, &sidecars, |tmp| {
            output::write_gpkg_in(&ranking, &opts, &extra, crs, tmp).map(|_| ())?;
            Ok(())
        })?;
    } else {
        let mut sink = Output::open(path.as_deref())?;
        let written = if format == output::OutputFormat::Html {
            // The map's context: the outlines, the communes' names, a basemap if asked.
            let map = output::MapContext {
                outlines,
                towns: engine
                    .layer("communes")
                    .map(|l| l.layer())
                    .filter(|l| l.role == sitematch::Role::Population),
                tiles: plan.tiles.clone(),
            };
            output::write_html_map(&ranking, &opts, &map, &mut sink)
        } else {
            output::write_ranking_in(format, &ranking, &opts, outlines, crs, &mut sink)
        };
        written.map_err(|e| write_failed(path.as_deref(), e))?;
        sink.finish(path.as_deref(), &sidecars)?;
    }
    if let Some(p) = path.as_deref() {
        eprintln!(
            "wrote {} to {}",
            output::summary(&ranking, &opts),
            p.display()
        );
    }
    if let Some(s) = &ranking.streamed {
        eprintln!(
            "streamed layer {}: {} sites read, {} ranked, {} excluded, {} features skipped; the best {} kept",
            s.layers.join(", "),
            s.considered,
            s.ranked,
            s.excluded,
            s.skipped,
            ranking.ranked
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

/// Streams a grid brief's cells to the output, with a progress bar on a terminal.
fn rank_grid(engine: &Engine, plan: &RankPlan) -> anyhow::Result<Outcome> {
    let (brief_path, path) = (&plan.brief_path, plan.path.as_deref());
    let grid = engine
        .grid(&plan.brief, plan.include_excluded)
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
    let format = plan.grid_format()?;
    let wgs84 = sitematch::OutputCrs::wgs84();
    let crs = plan.crs.as_ref().unwrap_or(&wgs84);
    let sidecars = output::grid_sidecars_in(format, &grid, crs);
    let mut sink = Output::open(path)?;
    // The disk's room, checked against the grid's size extrapolated as it goes.
    let room = sink.room();
    let total = grid.total_cells();
    let progress = |s: &sitematch::GridStats| {
        bar.set_position(s.scanned as u64);
        if let Some(r) = &room {
            r.check(s.scanned, total);
        }
    };
    let stats = output::write_grid_in(format, grid, crs, progress, &mut sink)
        .map_err(|e| write_failed(path, e))?;
    sink.finish(path, &sidecars)?;
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

/// How a deliverable names a file or folder of this machine: relative to the output's
/// folder when it is inside it (`briefs/client.toml`), else by its name only
/// (`client.toml`), never by an absolute path (`/home/alice/...`).
fn named_for_client(path: &std::path::Path, output: &std::path::Path) -> String {
    let name = || {
        path.file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned())
    };
    let folder = output
        .parent()
        .filter(|f| !f.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    match (path.canonicalize(), folder.canonicalize()) {
        (Ok(p), Ok(f)) => p
            .strip_prefix(&f)
            .ok()
            .filter(|r| !r.as_os_str().is_empty())
            .map_or_else(name, |r| r.display().to_string()),
        _ => name(),
    }
}
