//! A `rank` request resolved before any data is read: the brief (with `--robustness`
//! and `--like` applied), the output format and its checks, the options.

use std::path::PathBuf;

use anyhow::anyhow;
use sitematch::output::OutputFormat;
use sitematch::Brief;

use crate::args::{DataArgs, FormatArg, RankArgs};

/// What `rank` is asked to do.
pub(crate) struct RankPlan {
    /// The brief's file.
    pub brief_path: PathBuf,
    /// The brief, with the command line's changes.
    pub brief: Brief,
    /// The data set.
    pub data: DataArgs,
    /// The output file (`None`: stdout).
    pub path: Option<PathBuf>,
    /// `--format`, if given (else from the path, resolved by [`RankPlan::format`]).
    pub format: Option<FormatArg>,
    /// `--qml`.
    pub qml: bool,
    /// `--tiles` and `--tiles-attribution`, checked.
    pub tiles: Option<sitematch::output::Tiles>,
    /// `--crs`, checked (`None`: WGS 84).
    pub crs: Option<sitematch::OutputCrs>,
    /// `--top`.
    pub top: Option<usize>,
    /// `--include-excluded`.
    pub include_excluded: bool,
}

impl RankPlan {
    /// Reads the brief and applies the command line to it.
    pub(crate) fn resolve(args: RankArgs) -> anyhow::Result<RankPlan> {
        let mut brief = Brief::from_path(&args.brief)?;
        with_runs(&mut brief, args.robustness)?;
        like_site(&mut brief, args.like);
        Ok(RankPlan {
            brief_path: args.brief,
            brief,
            data: args.data,
            path: args.output,
            format: args.format,
            qml: args.qml,
            tiles: args
                .tiles
                .as_deref()
                .map(|url| {
                    let attribution = args.tiles_attribution.as_deref().unwrap_or_default();
                    sitematch::output::Tiles::new(url, attribution)
                        .map_err(|e| anyhow!("--tiles: {e}"))
                })
                .transpose()?,
            crs: args.crs.as_deref().map(output_crs).transpose()?,
            top: args.top,
            include_excluded: args.include_excluded,
        })
    }

    /// The output format of a ranking, checked against `--qml` and the output path.
    pub(crate) fn ranking_format(&self) -> anyhow::Result<OutputFormat> {
        let format = output_format(self.format, self.path.as_deref())?;
        if self.qml && (self.path.is_none() || !(format.takes_qml() || format.needs_file())) {
            return Err(anyhow!(
                "--qml writes a QGIS style beside a GeoJSON, CSV or GeoPackage file: give -o FILE.geojson"
            ));
        }
        if self.tiles.is_some() && format != OutputFormat::Html {
            return Err(anyhow!(
                "--tiles draws a basemap in the HTML report: give -o FILE.html (this output is {format})"
            ));
        }
        self.check_crs(format)?;
        if format.needs_file() && self.path.is_none() {
            return Err(anyhow!(
                "--format gpkg: a GeoPackage is a file, not a stream; give -o FILE.gpkg"
            ));
        }
        Ok(format)
    }

    /// The output format of a grid: one that streams records.
    pub(crate) fn grid_format(&self) -> anyhow::Result<OutputFormat> {
        let format = match output_format(self.format, self.path.as_deref())? {
            OutputFormat::Md => {
                return Err(anyhow!(
                "--format md: a grid surface has too many cells for a table; use fgb, parquet, geojson or csv"
            ))
            }
            f if !f.writes_grids() => {
                return Err(anyhow!(
                "a grid surface is written as FlatGeobuf, GeoParquet, GeoJSON or CSV (a GeoPackage or a map report is for a ranking); use -o FILE.fgb"
            ))
            }
            f => f,
        };
        self.check_crs(format)?;
        Ok(format)
    }

    /// `--crs` with a format that is written in WGS 84 only is an error.
    fn check_crs(&self, format: OutputFormat) -> anyhow::Result<()> {
        match &self.crs {
            Some(crs) if !crs.is_wgs84() && !format.takes_crs() => Err(anyhow!(
                "--crs EPSG:{} writes GeoPackage, FlatGeobuf, GeoParquet or CSV in a projected CRS: give -o FILE.gpkg, .fgb, .parquet or .csv (this output is {format}; GeoJSON stays WGS 84 as RFC 7946 asks, and the reports' maps are WGS 84)",
                crs.code()
            )),
            _ => Ok(()),
        }
    }
}

/// `--crs EPSG:CODE` (or the code alone) as an output CRS; an error names the fix.
fn output_crs(text: &str) -> anyhow::Result<sitematch::OutputCrs> {
    let code = match sitematch::Crs::parse(text) {
        Some(sitematch::Crs::Epsg(code)) => code,
        _ => {
            return Err(anyhow!(
                "--crs {text}: an EPSG code is expected, such as EPSG:2154 (Lambert-93)"
            ))
        }
    };
    sitematch::OutputCrs::epsg(code).map_err(|e| anyhow!("--crs {text}: {e}"))
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

/// `--like SITE_ID` ranks by likeness to that site alone: it replaces the brief's
/// `[target]`, if any (its values and label too).
pub(crate) fn like_site(brief: &mut Brief, like: Option<String>) {
    if let Some(id) = like {
        brief.target = Some(sitematch::Target {
            site: Some(id),
            ..Default::default()
        });
    }
}

/// `--robustness N` sets the number of runs, keeping the brief's spread and seed; N
/// is held to the bounds a brief's `robustness.runs` has.
pub(crate) fn with_runs(brief: &mut Brief, runs: Option<usize>) -> anyhow::Result<()> {
    if let Some(runs) = runs {
        if !(1..=sitematch::MAX_ROBUSTNESS_RUNS).contains(&runs) {
            return Err(anyhow!(
                "--robustness {runs}: must be a whole number from 1 to {} (as \
                 robustness.runs in a brief)",
                sitematch::MAX_ROBUSTNESS_RUNS
            ));
        }
        let mut spec = brief.robustness.unwrap_or_default();
        spec.runs = runs;
        brief.robustness = Some(spec);
    }
    Ok(())
}
