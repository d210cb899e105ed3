//! Sites layers too large to hold (`stream = true`; CSV and GeoParquet files): opened
//! when the catalog is read
//! (the file found, its header checked against the catalog, its CRS settled), then
//! read a chunk at a time when a brief ranks them, each chunk checked, reprojected and
//! mapped as a loaded layer is.

use std::path::{Path, PathBuf};

use super::assemble::{assemble, check_fields, existing_file, layer_crs, read_options};
use super::LayerSpec;
use crate::crs::{Crs, Transformer};
use crate::error::{Error, Result};
use crate::io::csv::CsvRows;
use crate::io::geoparquet::ParquetRows;
use crate::io::{RawFeature, RawTable};
use crate::model::{Format, Layer};

/// The features a streamed layer reads at a time (about 20 MB of them).
pub const STREAM_CHUNK: usize = 16_384;

/// A sites layer read a chunk at a time when a brief ranks it, never held whole
/// (`stream = true` in the catalog; CSV and GeoParquet files).
#[derive(Debug, Clone)]
pub struct StreamedLayer {
    spec: LayerSpec,
    format: Format,
    file: PathBuf,
    crs: Crs,
    /// The first bad feature is an error rather than skipped (`--strict`).
    strict: bool,
    /// The layer without its features: its name, role and attribute names.
    shell: Layer,
}

impl StreamedLayer {
    /// Opens a streamed layer of a catalog: its file found and its header checked.
    pub(super) fn open(
        catalog: &Path,
        dir: &Path,
        spec: &LayerSpec,
        format: Format,
        strict: bool,
    ) -> Result<StreamedLayer> {
        let file = existing_file(catalog, dir, spec)?;
        let (wanted, opts) = read_options(spec);
        let source = Source::open(format, &file, &opts, &wanted)?;
        let (fields, declared, problem) = source.header();
        check_fields(catalog, spec, format, &file, fields, false)?;
        let (crs, _) = layer_crs(catalog, spec, format, &file, declared, problem)?;
        let shell = Layer {
            measure: spec.measure.unwrap_or_default(),
            name: spec.name.clone(),
            role: spec.role,
            format,
            source_crs: crs.to_string(),
            path: Some(file.clone()),
            attribute_names: spec.fields.keys().cloned().collect(),
            features: Vec::new(),
            skipped: Vec::new(),
            outside_bbox: 0,
        };
        Ok(StreamedLayer {
            spec: spec.clone(),
            format,
            file,
            crs,
            strict,
            shell,
        })
    }

    /// Its name.
    pub fn name(&self) -> &str {
        &self.spec.name
    }

    /// Its file.
    pub fn path(&self) -> &Path {
        &self.file
    }

    /// The layer without its features: its name, role, CRS and attribute names, for
    /// the checks of a brief.
    pub fn shell(&self) -> &Layer {
        &self.shell
    }

    /// Reads it from the start, about `chunk` features at a time (a GeoParquet file
    /// by whole batches of 8,192 rows), each chunk checked, reprojected and mapped as
    /// a loaded layer is (a bad feature skipped, or an error when the catalog was
    /// loaded `strict`).
    pub fn chunks(&self, chunk: usize) -> Result<Chunks<'_>> {
        let (wanted, opts) = read_options(&self.spec);
        let source = Source::open(self.format, &self.file, &opts, &wanted)?;
        // The CRS was settled when the layer was opened.
        let transformer = Transformer::new(&self.crs).map_err(|problem| Error::Crs {
            path: self.file.clone(),
            problem,
        })?;
        Ok(Chunks {
            layer: self,
            source,
            transformer,
            chunk: chunk.max(1),
            done: false,
        })
    }
}

/// Where a streamed layer's rows come from.
enum Source {
    Csv(Box<CsvRows<Box<dyn std::io::Read>>>),
    Parquet(Box<ParquetRows>),
}

impl Source {
    fn open(
        format: Format,
        file: &Path,
        opts: &crate::io::ReadOptions,
        wanted: &[String],
    ) -> Result<Source> {
        Ok(match format {
            Format::GeoParquet => Source::Parquet(Box::new(ParquetRows::open(file, wanted)?)),
            _ => Source::Csv(Box::new(CsvRows::open(file, opts, wanted)?)),
        })
    }

    /// The file's fields, the CRS it declares, and why its CRS cannot be named.
    fn header(&self) -> (&[String], Option<&Crs>, Option<&str>) {
        match self {
            Source::Csv(r) => (&r.fields, None, None),
            Source::Parquet(r) => (&r.fields, r.declared_crs.as_ref(), r.crs_problem.as_deref()),
        }
    }

    fn next_chunk(&mut self, max: usize, out: &mut Vec<RawFeature>) -> Result<bool> {
        match self {
            Source::Csv(r) => r.next_chunk(max, out),
            Source::Parquet(r) => r.next_chunk(max, out),
        }
    }
}

/// A streamed layer's chunks, each a [`Layer`] of at most the chunk's size (its
/// skipped features recorded in it); ids are checked for duplicates within a chunk.
pub struct Chunks<'a> {
    layer: &'a StreamedLayer,
    source: Source,
    transformer: Transformer,
    chunk: usize,
    done: bool,
}

impl Iterator for Chunks<'_> {
    type Item = Result<Layer>;

    fn next(&mut self) -> Option<Result<Layer>> {
        if self.done {
            return None;
        }
        let mut features = Vec::with_capacity(self.chunk.min(STREAM_CHUNK));
        match self.source.next_chunk(self.chunk, &mut features) {
            Ok(more) => self.done = !more,
            Err(e) => {
                self.done = true;
                return Some(Err(e));
            }
        }
        if features.is_empty() {
            return None;
        }
        let raw = RawTable {
            fields: Vec::new(),
            declared_crs: None,
            crs_problem: None,
            features,
            not_read: 0,
        };
        let l = self.layer;
        Some(assemble(
            &l.spec,
            l.format,
            &l.file,
            raw,
            &l.crs,
            &self.transformer,
            l.strict,
        ))
    }
}
