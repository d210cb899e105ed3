//! Sites layers too large to hold (`stream = true`): opened when the catalog is read
//! (the file found, its header checked against the catalog, its CRS settled), then
//! read a chunk at a time when a brief ranks them, each chunk checked, reprojected and
//! mapped as a loaded layer is.

use std::path::{Path, PathBuf};

use super::assemble::{assemble, check_fields, existing_file, layer_crs, read_options};
use super::LayerSpec;
use crate::crs::{Crs, Transformer};
use crate::error::Result;
use crate::io::csv::CsvRows;
use crate::io::RawTable;
use crate::model::{Format, Layer};

/// The features a streamed layer reads at a time (about 20 MB of them).
pub const STREAM_CHUNK: usize = 16_384;

/// A sites layer read a chunk at a time when a brief ranks it, never held whole
/// (`stream = true` in the catalog; CSV files).
#[derive(Debug, Clone)]
pub struct StreamedLayer {
    spec: LayerSpec,
    file: PathBuf,
    catalog: PathBuf,
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
        strict: bool,
    ) -> Result<StreamedLayer> {
        let file = existing_file(catalog, dir, spec)?;
        let (wanted, opts) = read_options(spec);
        let rows = CsvRows::open(&file, &opts, &wanted)?;
        check_fields(catalog, spec, Format::Csv, &file, &rows.fields, false)?;
        let (crs, _) = layer_crs(catalog, spec, Format::Csv, &file, None, None)?;
        let shell = Layer {
            measure: spec.measure.unwrap_or_default(),
            name: spec.name.clone(),
            role: spec.role,
            format: Format::Csv,
            source_crs: crs.to_string(),
            path: Some(file.clone()),
            attribute_names: spec.fields.keys().cloned().collect(),
            features: Vec::new(),
            skipped: Vec::new(),
            outside_bbox: 0,
        };
        Ok(StreamedLayer {
            spec: spec.clone(),
            file,
            catalog: catalog.to_path_buf(),
            crs,
            strict,
            shell,
        })
    }

    /// Its name.
    pub fn name(&self) -> &str {
        &self.spec.name
    }

    /// Whether a bad feature stops its reading (the catalog was loaded `strict`).
    pub fn strict(&self) -> bool {
        self.strict
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

    /// Reads it from the start, `chunk` features at a time (`strict`: the first bad
    /// feature is an error rather than skipped).
    pub fn chunks(&self, chunk: usize, strict: bool) -> Result<Chunks<'_>> {
        let (wanted, opts) = read_options(&self.spec);
        let rows = CsvRows::open(&self.file, &opts, &wanted)?;
        let (_, transformer) = layer_crs(
            &self.catalog,
            &self.spec,
            Format::Csv,
            &self.file,
            None,
            None,
        )?;
        Ok(Chunks {
            layer: self,
            rows,
            transformer,
            chunk: chunk.max(1),
            strict,
            done: false,
        })
    }
}

/// A streamed layer's chunks, each a [`Layer`] of at most the chunk's size (its
/// skipped features recorded in it); ids are checked for duplicates within a chunk.
pub struct Chunks<'a> {
    layer: &'a StreamedLayer,
    rows: CsvRows<Box<dyn std::io::Read>>,
    transformer: Transformer,
    chunk: usize,
    strict: bool,
    done: bool,
}

impl Iterator for Chunks<'_> {
    type Item = Result<Layer>;

    fn next(&mut self) -> Option<Result<Layer>> {
        if self.done {
            return None;
        }
        let mut features = Vec::with_capacity(self.chunk.min(STREAM_CHUNK));
        match self.rows.next_chunk(self.chunk, &mut features) {
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
            Format::Csv,
            &l.file,
            raw,
            &l.crs,
            &self.transformer,
            self.strict,
        ))
    }
}
