//! Command-line arguments.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};
use sitematch::output::OutputFormat;

/// sitematch: rank brownfield sites for a relocating plant.
#[derive(Debug, Parser)]
#[command(name = "sitematch", version, about)]
pub struct Args {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// List the layers of a data set: role, format, source CRS, features loaded,
    /// features skipped by reason, bounding box.
    Layers {
        #[command(flatten)]
        data: DataArgs,
        /// Also print every skipped feature with its file, place and reason.
        #[arg(long)]
        show_skipped: bool,
        /// Print the tag values of this layer with their counts.
        #[arg(long, value_name = "LAYER")]
        tags: Option<String>,
    },
    /// Rank the sites of the data set against a brief.
    Rank(RankArgs),
    /// Check a brief against the data set; print every problem at once.
    Validate {
        /// The brief.
        brief: PathBuf,
        #[command(flatten)]
        data: DataArgs,
    },
    /// Compare two scenarios (two briefs, or one brief under two weight sets) over
    /// the same data: rank shifts, the sites that enter and leave the top, the rank
    /// correlation, the weight change that swaps each one's first two sites.
    Compare {
        /// Scenario A's brief.
        a: PathBuf,
        /// Scenario B's brief.
        b: PathBuf,
        /// The size of the tops compared, 1 to 100000.
        #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..=100_000))]
        top: u32,
        /// Write to FILE: .md (the default on stdout), .json or .csv.
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
        #[command(flatten)]
        data: DataArgs,
    },
    /// Drive-time catchments (isochrones) of a site or a point on the data set's road
    /// network, as GeoJSON polygons.
    Isochrone {
        /// A site id of the data set, or a point as LON,LAT (4.8357,45.764).
        origin: String,
        /// The bounds, minutes, comma-separated (each above 0, at most 600).
        #[arg(long, value_delimiter = ',', default_value = "15,30,45")]
        minutes: Vec<f64>,
        /// The road network layer (default: the data set's only one).
        #[arg(long, value_name = "NAME")]
        network: Option<String>,
        /// The grid the polygons are drawn on, metres a side (50 to 10000): the
        /// polygons claim at most 3 cells beyond the places reached.
        #[arg(long, default_value_t = 250.0)]
        cell_m: f64,
        /// Write the GeoJSON to FILE (default: stdout).
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
        #[command(flatten)]
        data: DataArgs,
    },
    /// Serve the data set over HTTP: OGC API - Features (QGIS, GDAL) and POST /rank.
    #[cfg(feature = "serve")]
    Serve {
        #[command(flatten)]
        data: DataArgs,
        /// Address and port to listen on (loopback by default; 0.0.0.0:8080 to serve
        /// the network).
        #[arg(long, default_value = "127.0.0.1:8080")]
        bind: String,
        /// Rankings computed at once, 1 to 1024 (default: the number of cores); 503
        /// beyond.
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=1024))]
        max_rankings: Option<u64>,
        /// Connections open at once, 1 to 65536 (default 512); one more is closed at
        /// once. Each is closed after 10 s idle or slow to send its headers.
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=65536))]
        max_connections: Option<u64>,
        /// At Ctrl-C or SIGTERM, seconds the requests in flight (rankings among them)
        /// have to finish, 0 to 3600 (default 10); past it, rankings stop with 503.
        #[arg(long, value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(0..=3600))]
        drain_seconds: Option<u64>,
        /// The URL clients reach the server at behind a reverse proxy
        /// (https://sites.example.com/sitematch): the links are built from it (else
        /// from the Forwarded or X-Forwarded-* headers, else Host).
        #[arg(long, value_name = "URL")]
        public_url: Option<String>,
        /// A web page origin allowed to read the server from a browser (CORS):
        /// https://map.example.com, or * for any; repeat for several.
        #[arg(long = "cors-origin", value_name = "ORIGIN")]
        cors_origins: Vec<String>,
        /// A file of bearer tokens, one per line: TOKEN [read|rank] [NAME]. Every
        /// route but /health then needs Authorization: Bearer TOKEN.
        #[arg(long, value_name = "FILE")]
        tokens: Option<PathBuf>,
        /// Serve a non-loopback address without --tokens (anyone who reaches it may
        /// rank briefs).
        #[arg(long)]
        insecure_no_auth: bool,
        /// Write one line per request (time, id, method, path, status, duration,
        /// bytes, token name) to FILE, or to stderr with -.
        #[arg(long, value_name = "FILE")]
        access_log: Option<PathBuf>,
        /// Keep every ranking made in DIR (made if missing): a restart serves them
        /// again under the same collection ids.
        #[arg(long, value_name = "DIR")]
        store: Option<PathBuf>,
        /// The most the --store folder holds, in MB, 1 to 1048576 (default 1024);
        /// the rankings written longest ago go first beyond it.
        #[arg(long, value_name = "MB", default_value_t = 1024, value_parser = clap::value_parser!(u64).range(1..=1_048_576))]
        store_max_mb: u64,
    },
    /// Explain one site's score under a brief, criterion by criterion.
    Explain {
        /// The brief.
        brief: PathBuf,
        /// The site's id.
        site_id: String,
        #[command(flatten)]
        data: DataArgs,
        /// Rank robustness over N runs of perturbed weights.
        #[arg(long, value_name = "N")]
        robustness: Option<usize>,
        /// Rank by likeness to this site, as `rank --like` does.
        #[arg(long, value_name = "SITE_ID")]
        like: Option<String>,
    },
}

/// Where the data is.
#[derive(Debug, clap::Args)]
pub struct DataArgs {
    /// Data folder (or catalog file); default: $SITEMATCH_DATA, else the data set
    /// built into sitematch (unpacked once into the cache folder).
    #[arg(long)]
    pub data: Option<PathBuf>,
    /// Make the first bad feature an error instead of skipping it.
    #[arg(long)]
    pub strict: bool,
    /// Read the data set's files even when a snapshot of them is cached (the
    /// snapshot lives in $SITEMATCH_CACHE, else ~/.cache/sitematch, and is used only
    /// while the files are unchanged).
    #[arg(long)]
    pub no_cache: bool,
}

/// The arguments of `rank`.
#[derive(Debug, clap::Args)]
pub struct RankArgs {
    /// The brief (TOML, or JSON when it ends in .json).
    pub brief: PathBuf,
    #[command(flatten)]
    pub data: DataArgs,
    /// Write here instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Output format (default: from the -o extension: .geojson/.json, .csv, .md,
    /// .gpkg, .html, .fgb; else geojson).
    #[arg(long, value_enum)]
    pub format: Option<FormatArg>,
    /// Also write the default QGIS style beside the -o file (`x.geojson` gets
    /// `x.qml`, which QGIS applies when it opens the file). A GeoPackage holds
    /// its style already.
    #[arg(long)]
    pub qml: bool,
    /// HTML report: a basemap under the sites, from this tile URL template
    /// (`https://tile.openstreetmap.org/{z}/{x}/{y}.png`); the page then fetches
    /// tiles when opened. Off by default: the report needs no network.
    #[arg(long, value_name = "URL")]
    pub tiles: Option<String>,
    /// The attribution the tile provider asks for (`© OpenStreetMap contributors`).
    #[arg(long, value_name = "TEXT", requires = "tiles")]
    pub tiles_attribution: Option<String>,
    /// Write the GeoPackage, FlatGeobuf, GeoParquet or CSV in this projected CRS
    /// (EPSG:2154 for Lambert-93) rather than WGS 84. GeoJSON stays WGS 84 (RFC 7946).
    #[arg(long, value_name = "EPSG:CODE")]
    pub crs: Option<String>,
    /// How many ranked sites to write (default: the brief's `top`).
    #[arg(long)]
    pub top: Option<usize>,
    /// Write every ranked site (not only the top), then the excluded sites with
    /// the reasons they were excluded.
    #[arg(long)]
    pub include_excluded: bool,
    /// Rank robustness over N runs of perturbed weights (the brief's
    /// [robustness] spread and seed, else ±25% and seed 7).
    #[arg(long, value_name = "N")]
    pub robustness: Option<usize>,
    /// Rank by likeness to this site (its criterion scores), as `[target] site`
    /// does in a brief: "find sites like our best plant".
    #[arg(long, value_name = "SITE_ID")]
    pub like: Option<String>,
}

/// An output format (`--format`): one of the library's, with its help line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FormatArg(pub OutputFormat);

impl ValueEnum for FormatArg {
    fn value_variants<'a>() -> &'a [Self] {
        const ALL: [FormatArg; OutputFormat::ALL.len()] = {
            let mut all = [FormatArg(OutputFormat::Geojson); OutputFormat::ALL.len()];
            let mut i = 0;
            while i < all.len() {
                all[i] = FormatArg(OutputFormat::ALL[i]);
                i += 1;
            }
            all
        };
        &ALL
    }

    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        Some(clap::builder::PossibleValue::new(self.0.name()).help(self.0.describe()))
    }
}
