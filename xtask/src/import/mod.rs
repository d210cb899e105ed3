//! `cargo xtask import`: builds the default data set in `data/` from the raw open data
//! (`../shared/data/raw`, described in its SOURCES.md).
//!
//! Each layer is read from its raw files, joined, deduplicated and written as a
//! compact CSV (points as lon/lat, or WKT where a layer mixes points and polygons) or
//! GeoJSON (polygons), sorted by id, with fixed number formats: running the import
//! again gives the same bytes. `catalog.toml` and `SOURCES.md` (origins, licences,
//! transformations and the counts of this run) are written beside the layers.

mod capacity;
mod communes;
mod context;
mod friches;
mod grid;
mod logistics;
mod motorway;
mod ready;
mod roads;
mod serviced;
mod training;
mod zones;

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use sitematch::{Error, Location, Result};

/// One raw CSV table, read whole.
pub(crate) struct RawCsv {
    path: PathBuf,
    headers: Vec<String>,
    rows: Vec<csv::StringRecord>,
}

impl RawCsv {
    /// Reads a raw CSV (optionally gzip-compressed), UTF-8, with a header row.
    pub(crate) fn open(path: &Path, delimiter: u8) -> Result<RawCsv> {
        let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
        let source: Box<dyn std::io::Read> = if path.extension().is_some_and(|e| e == "gz") {
            Box::new(flate2::read::MultiGzDecoder::new(file))
        } else {
            Box::new(file)
        };
        RawCsv::from_reader(path, source, delimiter)
    }

    /// Reads a raw CSV in Latin-1 (ISO-8859-1), with a header row.
    pub(crate) fn open_latin1(path: &Path, delimiter: u8) -> Result<RawCsv> {
        let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
        let latin1 = sitematch::TextEncoding::from_label("latin1")
            .ok_or_else(|| Error::format(path, Location::File, "no Latin-1 decoder"))?;
        let text = latin1
            .decode(&bytes)
            .ok_or_else(|| Error::format(path, Location::File, "not Latin-1 text"))?;
        RawCsv::from_reader(path, text.as_bytes(), delimiter)
    }

    fn from_reader(path: &Path, source: impl std::io::Read, delimiter: u8) -> Result<RawCsv> {
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .flexible(true)
            .from_reader(source);
        let bad = |e: csv::Error| {
            let location = e
                .position()
                .map_or(Location::File, |p| Location::Line(p.line()));
            Error::format(path, location, e.to_string())
        };
        let headers = reader
            .headers()
            .map_err(bad)?
            .iter()
            .map(|h| h.trim_start_matches('\u{feff}').trim().to_string())
            .collect();
        let rows = reader
            .records()
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(bad)?;
        Ok(RawCsv {
            path: path.to_path_buf(),
            headers,
            rows,
        })
    }

    /// The index of a column, or an error naming the file and the columns it has.
    pub(crate) fn col(&self, name: &str) -> Result<usize> {
        self.headers.iter().position(|h| h == name).ok_or_else(|| {
            Error::format(
                &self.path,
                Location::Line(1),
                format!(
                    "no column {name:?}; the raw file has: {}",
                    self.headers.join(", ")
                ),
            )
        })
    }

    /// The positions of several columns, in the order named.
    pub(crate) fn cols<const N: usize>(&self, names: [&str; N]) -> Result<[usize; N]> {
        let mut out = [0; N];
        for (slot, name) in out.iter_mut().zip(names) {
            *slot = self.col(name)?;
        }
        Ok(out)
    }

    pub(crate) fn rows(&self) -> &[csv::StringRecord] {
        &self.rows
    }

    /// A lookup from one column's cells to another's (the first row wins).
    pub(crate) fn lookup(&self, key: &str, value: &str) -> Result<HashMap<&str, &str>> {
        let (k, v) = (self.col(key)?, self.col(value)?);
        let mut out = HashMap::with_capacity(self.rows.len());
        for r in &self.rows {
            out.entry(cell(r, k)).or_insert(cell(r, v));
        }
        Ok(out)
    }

    /// The numbers of column `value` by the text of column `key` (the last row wins
    /// when a key repeats; `None` where the number is blank or unreadable).
    pub(crate) fn numbers(&self, key: &str, value: &str) -> Result<HashMap<&str, Option<f64>>> {
        let (k, v) = (self.col(key)?, self.col(value)?);
        Ok(self.rows.iter().map(|r| (cell(r, k), num(r, v))).collect())
    }
}

/// The France Ruralités Revitalisation list (ANCT, July 2025), read by both the
/// friches and the communes layers; [`FRR_COLUMNS`] names its key and class columns.
pub(crate) fn frr_table(raw: &Path) -> Result<RawCsv> {
    RawCsv::open(&raw.join("anct-frr/communes_frr_2025-07.csv"), b';')
}

/// The FRR list's columns: commune code, class.
pub(crate) const FRR_COLUMNS: (&str, &str) =
    ("Code_insee", "Classement FRR et FRR+ au 10 juillet 2025");

/// A cell, trimmed ("" when absent).
pub(crate) fn cell(row: &csv::StringRecord, col: usize) -> &str {
    row.get(col).unwrap_or("").trim()
}

/// A number cell (decimal comma accepted).
pub(crate) fn num(row: &csv::StringRecord, col: usize) -> Option<f64> {
    sitematch::parse_number(cell(row, col))
}

/// Fixed 7-decimal degrees (about 1 cm).
pub(crate) fn deg(x: f64) -> String {
    format!("{x:.7}")
}

/// A number in its shortest form, rounded to `decimals`.
pub(crate) fn round(x: f64, decimals: i32) -> String {
    let f = 10f64.powi(decimals);
    let r = (x * f).round() / f;
    if r == 0.0 {
        "0".to_string() // no "-0"
    } else {
        format!("{r}")
    }
}

/// An output table: a header and rows of text, written sorted by the first column.
pub(crate) struct OutTable {
    pub(crate) header: Vec<&'static str>,
    pub(crate) rows: Vec<Vec<String>>,
}

impl OutTable {
    pub(crate) fn new(header: &[&'static str]) -> OutTable {
        OutTable {
            header: header.to_vec(),
            rows: Vec::new(),
        }
    }

    fn write(mut self, path: &Path) -> Result<usize> {
        self.rows.sort_by(|a, b| a.first().cmp(&b.first()));
        let mut w = csv::Writer::from_path(path)
            .map_err(|e| Error::format(path, Location::File, e.to_string()))?;
        let io = |e: csv::Error| Error::format(path, Location::File, e.to_string());
        w.write_record(&self.header).map_err(io)?;
        for r in &self.rows {
            w.write_record(r).map_err(io)?;
        }
        w.flush().map_err(|e| Error::io(path, e))?;
        Ok(self.rows.len())
    }
}

/// What one layer's import found, for SOURCES.md and the import's own report.
pub(crate) struct LayerReport {
    pub(crate) name: &'static str,
    pub(crate) file: &'static str,
    /// Markdown: origin, licence, transformations.
    pub(crate) notes: String,
    /// Counts, in order: (what, how many).
    pub(crate) counts: Vec<(String, usize)>,
}

/// What an import wrote.
#[derive(Debug, Clone)]
pub struct ImportSummary {
    /// (layer, file, features written).
    pub layers: Vec<(String, String, usize)>,
}

/// Reads the raw data in `raw` and writes the default data set to `out`.
pub fn run(raw: &Path, out: &Path) -> Result<ImportSummary> {
    std::fs::create_dir_all(out).map_err(|e| Error::io(out, e))?;
    let communes = communes::Communes::load(raw)?;
    let zones = context::ZonesEmploi::load(raw)?;
    let mut reports = Vec::new();
    let mut written = Vec::new();
    let mut emit = |table: OutTable, report: LayerReport| -> Result<()> {
        let n = table.write(&out.join(report.file))?;
        written.push((report.name.to_string(), report.file.to_string(), n));
        reports.push(report);
        Ok(())
    };
    let ready = ready::ReadySites::load(raw)?;
    let (mut t, r) = friches::import(raw, &zones, &ready, &communes)?;
    // One candidate model across the site layers: each row says its kind.
    t.header.push("kind");
    for row in &mut t.rows {
        row.push("friche".to_string());
    }
    emit(t, r)?;
    for (t, r) in serviced::import(raw)? {
        emit(t, r)?;
    }
    // The point and line tables, each made and written in turn.
    type Step<'a> = Box<dyn Fn() -> Result<(OutTable, LayerReport)> + 'a>;
    let steps: Vec<Step> = vec![
        Box::new(|| communes.table(raw, &zones)),
        Box::new(|| motorway::motorway(raw, &communes)),
        Box::new(|| logistics::airports(raw)),
        Box::new(|| logistics::seaports(raw)),
        Box::new(|| logistics::rail(raw)),
        Box::new(|| Ok(ready.table())),
        Box::new(|| capacity::ports(raw)),
        Box::new(|| capacity::power_plants(raw)),
        Box::new(|| grid::substations(raw)),
        Box::new(|| training::training(raw, &communes)),
        Box::new(|| training::by_commune(raw, &communes)),
    ];
    for step in steps {
        let (t, r) = step()?;
        emit(t, r)?;
    }
    let (nodes, edges, r) = roads::roads(raw)?;
    nodes.write(&out.join("road_nodes.csv"))?;
    emit(edges, r)?;
    let r = grid::power_lines(raw, out)?;
    written.push((
        r.name.to_string(),
        r.file.to_string(),
        r.counts.first().map_or(0, |c| c.1),
    ));
    reports.push(r);
    for r in [
        zones::territoires_industrie(raw, out)?,
        zones::departements(raw, out)?,
    ] {
        written.push((
            r.name.to_string(),
            r.file.to_string(),
            r.counts.first().map_or(0, |c| c.1),
        ));
        reports.push(r);
    }

    let catalog = include_str!("catalog.toml");
    std::fs::write(out.join("catalog.toml"), catalog)
        .map_err(|e| Error::io(out.join("catalog.toml"), e))?;
    let sources = sources_md(&reports);
    std::fs::write(out.join("SOURCES.md"), sources)
        .map_err(|e| Error::io(out.join("SOURCES.md"), e))?;
    Ok(ImportSummary { layers: written })
}

fn sources_md(reports: &[LayerReport]) -> String {
    let mut s = String::from(include_str!("sources_head.md"));
    for r in reports {
        let _ = writeln!(s, "\n## `{}` ({})\n", r.name, r.file);
        s.push_str(r.notes.trim());
        s.push_str("\n\nCounts of this import:\n\n");
        for (what, n) in &r.counts {
            let _ = writeln!(s, "- {what}: {n}");
        }
    }
    s
}

/// Commune points by INSEE code, for placing things at their commune.
pub(crate) type CommunePoints = HashMap<String, (f64, f64)>;
