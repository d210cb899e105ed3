//! The data-set snapshot: the loaded layers and networks (parsed, reprojected,
//! checked, with their skipped features) in one binary file, read back instead of the
//! source files while those are unchanged.
//!
//! A snapshot is trusted only when everything checks: the file starts with the magic
//! and this format's version, its length is the one its header gives, its payload's
//! CRC-32 matches, and its key matches the key of the data set as it is now. The key
//! hashes this build of sitematch (a hash of its sources, made by `build.rs`, and its
//! CRS backend), the catalog's path and bytes, and the size and content (a CRC-32 of
//! the bytes) of every file a layer could read: each layer's file and every file beside
//! it with the same stem (a shapefile's .dbf, .shx, .prj, .cpg, a CSV's .csvt), and a
//! network's nodes file. A file edited in place with its size and modification time
//! kept is seen. Any doubt (a file missing or not a regular file, a read failing) makes
//! no key, and the data set is loaded from its files. A snapshot that fails a check is
//! loaded anew and written again. The snapshot must be a regular file: a FIFO or a
//! device in its place is never read (it would wait, or read for ever).

use std::collections::hash_map::DefaultHasher;
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::io::Write;
use std::path::{Path, PathBuf};

use arcstr::ArcStr;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::LayerSpec;
use crate::attributes::{AttributeNames, Attributes};
use crate::model::{Feature, Layer, Value};
use crate::network::Network;

const MAGIC: &[u8; 16] = b"sitematch snap\0\0";
/// Bumped whenever the payload's layout changes.
const FORMAT: u32 = 4;
/// Features per chunk: a large layer is decoded by every core, not one.
const FEATURES_PER_CHUNK: usize = 2048;
/// Magic, format, key, payload length, payload CRC-32.
const HEADER: usize = 16 + 4 + 8 + 8 + 4;

/// What became of the snapshot on a load ([`super::CatalogBuilder::build_noting`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SnapshotUse {
    /// No snapshot was used: none asked for, a strict load, or a data set whose files
    /// could not all be checked.
    Off,
    /// The snapshot was read: the data set is unchanged since it was written.
    Read(PathBuf),
    /// The data set was loaded from its files and a snapshot written.
    Written(PathBuf),
    /// The snapshot was stale (the data set changed since it was written): the data
    /// set was loaded from its files and the snapshot written again.
    Refreshed(PathBuf),
    /// The snapshot was damaged or unreadable (why): the data set was loaded from its
    /// files and the snapshot written again.
    Rebuilt {
        /// The snapshot file.
        path: PathBuf,
        /// What was wrong with it.
        why: String,
    },
    /// The data set was loaded from its files; writing the snapshot failed (why).
    NotWritten {
        /// The snapshot file.
        path: PathBuf,
        /// The error.
        why: String,
    },
}

/// The chunks of a payload: per layer its head and its feature chunks, then the
/// networks.
struct Chunks<'a> {
    layers: Vec<(&'a [u8], Vec<&'a [u8]>)>,
    networks: Vec<&'a [u8]>,
}

/// The payload is a count of layers and of networks (u32 each), the number of feature
/// chunks of each layer (u32 each), then the chunks, each a u64 length and postcard:
/// per layer its head (a [`LayerHead`]) and its feature chunks
/// (at most [`FEATURES_PER_CHUNK`] [`FeatureRecord`]s each), then each network; so
/// that they are decoded in parallel.
fn chunks(payload: &[u8]) -> Result<Chunks<'_>, String> {
    let cut = || "damaged: the payload is cut".to_string();
    let mut rest = payload;
    let mut take = |n: usize| -> Result<&[u8], String> {
        let (head, tail) = rest.split_at_checked(n).ok_or_else(cut)?;
        rest = tail;
        Ok(head)
    };
    let count = |b: &[u8]| b.try_into().map(u32::from_le_bytes).map_err(|_| cut());
    let (n_layers, n_networks) = (count(take(4)?)?, count(take(4)?)?);
    let mut per_layer = Vec::new();
    for _ in 0..n_layers {
        per_layer.push(count(take(4)?)?);
    }
    let mut chunk = || -> Result<&[u8], String> {
        let len: [u8; 8] = take(8)?.try_into().map_err(|_| cut())?;
        let len = usize::try_from(u64::from_le_bytes(len)).map_err(|_| cut())?;
        take(len)
    };
    let mut layers = Vec::new();
    for n in per_layer {
        let head = chunk()?;
        let features = (0..n).map(|_| chunk()).collect::<Result<Vec<_>, _>>()?;
        layers.push((head, features));
    }
    let networks = (0..n_networks)
        .map(|_| chunk())
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Chunks { layers, networks })
}

/// A layer as stored: its head (what a [`Layer`] holds beside its features, and the
/// layer's texts and attribute name lists, each once) and its features, which give
/// their texts and names by number. A text used by many features (a commune, a
/// category, an attribute's value) is read into one shared [`ArcStr`].
#[derive(Serialize, Deserialize)]
struct LayerHead<'a> {
    name: String,
    role: crate::model::Role,
    format: crate::model::Format,
    source_crs: String,
    path: Option<PathBuf>,
    attribute_names: Vec<String>,
    measure: crate::model::Measure,
    skipped: Vec<crate::error::Skipped>,
    outside_bbox: usize,
    /// Every text of the features, once.
    #[serde(borrow)]
    texts: Vec<&'a str>,
    /// The attribute name lists the features carry (numbers into `texts`).
    schemas: Vec<Vec<u32>>,
}

#[derive(Serialize, Deserialize)]
struct FeatureRecord {
    id: u32,
    label: Option<u32>,
    category: Option<u32>,
    commune: Option<u32>,
    area_ha: Option<f64>,
    tags: Vec<u32>,
    /// Its attribute names (a number into the head's `schemas`), and a value for each.
    schema: u32,
    values: Vec<Cell>,
    geometry: geo::Geometry<f64>,
    location: geo::Point<f64>,
}

/// A [`Value`], its text a number into the head's texts.
#[derive(Serialize, Deserialize)]
enum Cell {
    Null,
    Bool(bool),
    Number(f64),
    Text(u32),
}

/// The texts of a layer being written, each numbered once.
#[derive(Default)]
struct Texts<'a> {
    numbers: HashMap<&'a str, u32>,
    list: Vec<&'a str>,
}

impl<'a> Texts<'a> {
    fn number(&mut self, s: &'a str) -> u32 {
        *self.numbers.entry(s).or_insert_with(|| {
            self.list.push(s);
            (self.list.len() - 1) as u32
        })
    }
}

/// A layer as it is written: its head, and its features.
fn records(l: &Layer) -> (LayerHead<'_>, Vec<FeatureRecord>) {
    let mut texts = Texts::default();
    let mut schemas: Vec<(&AttributeNames, u32)> = Vec::new();
    let mut schema_texts: Vec<Vec<u32>> = Vec::new();
    let features = l
        .features
        .iter()
        .map(|f| {
            let names = f.attributes.names();
            let schema = match schemas.iter().find(|(n, _)| n.same(names) || *n == names) {
                Some((_, i)) => *i,
                None => {
                    let i = schema_texts.len() as u32;
                    schema_texts.push(names.as_slice().iter().map(|n| texts.number(n)).collect());
                    schemas.push((names, i));
                    i
                }
            };
            FeatureRecord {
                id: texts.number(&f.id),
                label: f.label.as_deref().map(|t| texts.number(t)),
                category: f.category.as_deref().map(|t| texts.number(t)),
                commune: f.commune.as_deref().map(|t| texts.number(t)),
                area_ha: f.area_ha,
                tags: f.tags.iter().map(|t| texts.number(t)).collect(),
                schema,
                values: f
                    .attributes
                    .values_in_order()
                    .iter()
                    .map(|v| match v {
                        Value::Null => Cell::Null,
                        Value::Bool(b) => Cell::Bool(*b),
                        Value::Number(x) => Cell::Number(*x),
                        Value::Text(t) => Cell::Text(texts.number(t)),
                    })
                    .collect(),
                geometry: f.geometry.clone(),
                location: f.location,
            }
        })
        .collect();
    let head = LayerHead {
        name: l.name.clone(),
        role: l.role,
        format: l.format,
        source_crs: l.source_crs.clone(),
        path: l.path.clone(),
        attribute_names: l.attribute_names.clone(),
        measure: l.measure,
        skipped: l.skipped.clone(),
        outside_bbox: l.outside_bbox,
        texts: texts.list,
        schemas: schema_texts,
    };
    (head, features)
}

/// A layer's texts and attribute name lists, read: what its features refer to.
struct Shared {
    texts: Vec<ArcStr>,
    schemas: Vec<AttributeNames>,
}

impl Shared {
    fn new(head: &LayerHead<'_>) -> Result<Shared, String> {
        let texts: Vec<ArcStr> = head.texts.par_iter().map(|t| ArcStr::from(*t)).collect();
        let schemas = head
            .schemas
            .iter()
            .map(|s| {
                let names = s
                    .iter()
                    .map(|i| texts.get(*i as usize).cloned().ok_or(MISSING))
                    .collect::<Result<Vec<_>, _>>()?;
                AttributeNames::new(names).map_err(|n| format!("attribute {n} named twice"))
            })
            .collect::<Result<_, String>>()?;
        Ok(Shared { texts, schemas })
    }

    fn text(&self, i: u32) -> Result<ArcStr, String> {
        self.texts
            .get(i as usize)
            .cloned()
            .ok_or_else(|| MISSING.to_string())
    }

    fn text_of(&self, i: Option<u32>) -> Result<Option<ArcStr>, String> {
        i.map(|i| self.text(i)).transpose()
    }

    /// The features of a chunk.
    fn features(&self, records: Vec<FeatureRecord>) -> Result<Vec<Feature>, String> {
        records
            .into_iter()
            .map(|f| {
                let names = self.schemas.get(f.schema as usize).ok_or(MISSING)?;
                let values = f
                    .values
                    .into_iter()
                    .map(|c| {
                        Ok(match c {
                            Cell::Null => Value::Null,
                            Cell::Bool(b) => Value::Bool(b),
                            Cell::Number(x) => Value::Number(x),
                            Cell::Text(i) => Value::Text(self.text(i)?),
                        })
                    })
                    .collect::<Result<Vec<_>, String>>()?;
                Ok(Feature {
                    id: self.text(f.id)?,
                    label: self.text_of(f.label)?,
                    category: self.text_of(f.category)?,
                    commune: self.text_of(f.commune)?,
                    area_ha: f.area_ha,
                    tags: f
                        .tags
                        .into_iter()
                        .map(|t| self.text(t))
                        .collect::<Result<_, _>>()?,
                    attributes: Attributes::from_values(names, values)
                        .ok_or("a feature's values do not match its names")?,
                    geometry: f.geometry,
                    location: f.location,
                })
            })
            .collect()
    }
}

/// A number that points to no text or name list.
const MISSING: &str = "a text is missing";

impl LayerHead<'_> {
    fn into_layer(self) -> Layer {
        // Every field named: a field added to Layer must be added here (and FORMAT
        // bumped).
        Layer {
            name: self.name,
            role: self.role,
            format: self.format,
            source_crs: self.source_crs,
            path: self.path,
            attribute_names: self.attribute_names,
            features: Vec::new(),
            skipped: self.skipped,
            outside_bbox: self.outside_bbox,
            measure: self.measure,
        }
    }
}

/// The snapshot file of a catalog in a cache folder: named by a hash of the
/// catalog's absolute path, so that data sets do not share one.
pub(super) fn file_for(cache: &Path, catalog: &Path) -> PathBuf {
    let absolute = std::fs::canonicalize(catalog).unwrap_or_else(|_| catalog.to_path_buf());
    let mut h = DefaultHasher::new();
    absolute.hash(&mut h);
    cache.join(format!("{:016x}.snapshot", h.finish()))
}

/// The key of the data set as it is now, or `None` when a file cannot be checked.
pub(super) fn key(
    catalog: &Path,
    dir: &Path,
    specs: &[(LayerSpec, crate::model::Format)],
) -> Option<u64> {
    let mut h = DefaultHasher::new();
    env!("CARGO_PKG_VERSION").hash(&mut h);
    env!("SITEMATCH_BUILD_ID").hash(&mut h);
    cfg!(feature = "proj").hash(&mut h);
    FORMAT.hash(&mut h);
    // The path as given too: the layers record their paths as the catalog gives them.
    catalog.hash(&mut h);
    std::fs::canonicalize(catalog).ok()?.hash(&mut h);
    std::fs::read(catalog).ok()?.hash(&mut h);
    let mut files: Vec<PathBuf> = Vec::new();
    for (spec, _) in specs {
        for p in std::iter::once(&spec.path).chain(spec.nodes.as_ref()) {
            let file = dir.join(p);
            // A missing file fails the load anyway; no key for it.
            std::fs::metadata(&file).ok()?;
            files.extend(beside(&file)?);
        }
    }
    files.sort();
    files.dedup();
    let contents = files
        .par_iter()
        .map(|f| content(f).map(|c| (f, c)))
        .collect::<Option<Vec<_>>>()?;
    contents.hash(&mut h);
    Some(h.finish())
}

/// The length and CRC-32 of a regular file's bytes (`None` for anything else, or when
/// a read fails), read in 1 MiB blocks.
fn content(file: &Path) -> Option<(u64, u32)> {
    use std::io::Read;
    let mut f = std::fs::File::open(file).ok()?;
    if !f.metadata().ok()?.is_file() {
        return None;
    }
    let mut crc = crc32fast::Hasher::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut len = 0u64;
    loop {
        match f.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                crc.update(buf.get(..n)?);
                len += n as u64;
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => return None,
        }
    }
    Some((len, crc.finalize()))
}

/// A file and the files beside it that share its stem (up to the first dot).
fn beside(file: &Path) -> Option<Vec<PathBuf>> {
    let stem = |p: &Path| {
        p.file_name().map(|n| {
            n.to_string_lossy()
                .split('.')
                .next()
                .unwrap_or_default()
                .to_string()
        })
    };
    let want = stem(file)?;
    let parent = file
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut out = vec![file.to_path_buf()];
    for entry in std::fs::read_dir(parent).ok()? {
        let p = entry.ok()?.path();
        if p.is_file() && stem(&p).as_deref() == Some(want.as_str()) {
            out.push(p);
        }
    }
    Some(out)
}

/// Why a snapshot was not read.
pub(super) enum Distrust {
    /// There is none.
    Missing,
    /// Written for other data, or by another build.
    Stale,
    /// Cut, altered or unreadable.
    Damaged(String),
}

/// The layers and networks of a snapshot file written under `key`.
pub(super) fn read(path: &Path, key: u64) -> Result<(Vec<Layer>, Vec<Network>), Distrust> {
    let Ok(meta) = std::fs::metadata(path) else {
        return Err(Distrust::Missing);
    };
    // A FIFO would wait for ever and a device (/dev/zero) read for ever: neither is
    // opened.
    if !meta.is_file() {
        return Err(Distrust::Damaged("not a regular file".into()));
    }
    // The note reads "the snapshot ... was unreadable: ...".
    let unreadable = |e: std::io::Error| Distrust::Damaged(format!("unreadable: {e}"));
    let bytes = {
        use std::io::Read;
        let f = std::fs::File::open(path).map_err(unreadable)?;
        // No more than the file held when it was looked at, in case it grows.
        let mut bytes = Vec::with_capacity(meta.len().min(1 << 30) as usize);
        f.take(meta.len())
            .read_to_end(&mut bytes)
            .map_err(unreadable)?;
        bytes
    };
    // A whole header for another format or other data: stale. Anything else is
    // checked in full (a header that is not one is damage).
    if let Some((format, k)) = header_key(&bytes) {
        if format != FORMAT || k != key {
            return Err(Distrust::Stale);
        }
    }
    decode(&bytes, key).map_err(Distrust::Damaged)
}

/// The format and key of a file with a whole header and the magic.
fn header_key(bytes: &[u8]) -> Option<(u32, u64)> {
    if bytes.len() < HEADER || bytes.get(..16)? != MAGIC {
        return None;
    }
    let format = u32::from_le_bytes(bytes.get(16..20)?.try_into().ok()?);
    let key = u64::from_le_bytes(bytes.get(20..28)?.try_into().ok()?);
    Some((format, key))
}

fn decode(bytes: &[u8], key: u64) -> Result<(Vec<Layer>, Vec<Network>), String> {
    let (header, payload) = bytes
        .split_at_checked(HEADER)
        .ok_or("shorter than its header")?;
    let field = |at: usize, n: usize| header.get(at..at + n).ok_or("header cut");
    if field(0, 16)? != MAGIC {
        return Err("not a sitematch snapshot".into());
    }
    let u32_at = |at: usize| -> Result<u32, String> {
        let b: [u8; 4] = field(at, 4)?.try_into().map_err(|_| "header cut")?;
        Ok(u32::from_le_bytes(b))
    };
    let u64_at = |at: usize| -> Result<u64, String> {
        let b: [u8; 8] = field(at, 8)?.try_into().map_err(|_| "header cut")?;
        Ok(u64::from_le_bytes(b))
    };
    if u32_at(16)? != FORMAT {
        return Err("written by another version of sitematch".into());
    }
    if u64_at(20)? != key {
        return Err("stale: the data set changed since it was written".into());
    }
    if u64_at(28)? != payload.len() as u64 {
        return Err(format!(
            "damaged: {} bytes of payload where its header says {}",
            payload.len(),
            u64_at(28)?
        ));
    }
    if u32_at(36)? != crc32fast::hash(payload) {
        return Err("damaged: its checksum does not match".into());
    }
    let damaged = |e: postcard::Error| format!("damaged: {e}");
    let Chunks {
        layers: layer_chunks,
        networks: network_chunks,
    } = chunks(payload)?;
    let heads = layer_chunks
        .par_iter()
        .map(|(head, _)| {
            let head = postcard::from_bytes::<LayerHead>(head).map_err(damaged)?;
            let shared = Shared::new(&head).map_err(|e| format!("damaged: {e}"))?;
            Ok((head.into_layer(), shared))
        })
        .collect::<Result<Vec<(Layer, Shared)>, String>>()?;
    // Every feature chunk of every layer, decoded in parallel with its layer's texts.
    let jobs: Vec<(usize, &[u8])> = layer_chunks
        .iter()
        .enumerate()
        .flat_map(|(i, (_, fs))| fs.iter().map(move |f| (i, *f)))
        .collect();
    let decoded = jobs
        .par_iter()
        .map(|(i, bytes)| {
            let records: Vec<FeatureRecord> = postcard::from_bytes(bytes).map_err(damaged)?;
            let (_, shared) = heads.get(*i).ok_or("damaged: a layer is missing")?;
            shared
                .features(records)
                .map_err(|e| format!("damaged: {e}"))
        })
        .collect::<Result<Vec<Vec<Feature>>, String>>()?;
    let mut layers: Vec<Layer> = heads.into_iter().map(|(l, _)| l).collect();
    // Each layer's features in one vector of their number, moved there once.
    let mut counts = vec![0; layers.len()];
    for ((i, _), features) in jobs.iter().zip(&decoded) {
        if let Some(n) = counts.get_mut(*i) {
            *n += features.len();
        }
    }
    for (l, n) in layers.iter_mut().zip(counts) {
        l.features.reserve_exact(n);
    }
    for ((i, _), features) in jobs.iter().zip(decoded) {
        if let Some(l) = layers.get_mut(*i) {
            l.features.extend(features);
        }
    }
    let networks = network_chunks
        .par_iter()
        .map(|b| postcard::from_bytes(b).map_err(damaged))
        .collect::<Result<Vec<Network>, String>>()?;
    Ok((layers, networks))
}

/// Writes a snapshot of these layers and networks under `key`, whole or not at all
/// (a temporary file renamed into place).
pub(super) fn write(
    path: &Path,
    key: u64,
    layers: &[Layer],
    networks: &[Network],
) -> std::io::Result<()> {
    let encode = |r: postcard::Result<Vec<u8>>| r.map_err(std::io::Error::other);
    // Per layer: its head, then its feature chunks.
    let layers = layers
        .par_iter()
        .map(|l| {
            let (head, features) = records(l);
            let head = encode(postcard::to_stdvec(&head))?;
            let chunks = features
                .chunks(FEATURES_PER_CHUNK)
                .map(|c| encode(postcard::to_stdvec(c)))
                .collect::<std::io::Result<Vec<_>>>()?;
            Ok((head, chunks))
        })
        .collect::<std::io::Result<Vec<_>>>()?;
    let networks = networks
        .par_iter()
        .map(|n| encode(postcard::to_stdvec(n)))
        .collect::<std::io::Result<Vec<_>>>()?;
    let too_many = || std::io::Error::other("too many layers or features");
    let count = |n: usize| {
        u32::try_from(n)
            .map(u32::to_le_bytes)
            .map_err(|_| too_many())
    };
    let mut bytes = Vec::new();
    bytes.extend(count(layers.len())?);
    bytes.extend(count(networks.len())?);
    for (_, chunks) in &layers {
        bytes.extend(count(chunks.len())?);
    }
    let all = layers
        .iter()
        .flat_map(|(head, chunks)| std::iter::once(head).chain(chunks))
        .chain(&networks);
    for chunk in all {
        bytes.extend((chunk.len() as u64).to_le_bytes());
        bytes.extend(chunk);
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    let written = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(MAGIC)?;
        f.write_all(&FORMAT.to_le_bytes())?;
        f.write_all(&key.to_le_bytes())?;
        f.write_all(&(bytes.len() as u64).to_le_bytes())?;
        f.write_all(&crc32fast::hash(&bytes).to_le_bytes())?;
        f.write_all(&bytes)?;
        f.sync_all()?;
        drop(f);
        std::fs::rename(&tmp, path)
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    if written.is_ok() {
        if let Some(dir) = path.parent() {
            evict(dir, KEEP, path);
        }
    }
    written
}

/// How many snapshots a cache folder keeps (one per data-set path; a snapshot of the
/// default data set is about 15 MB).
pub(super) const KEEP: usize = 8;

/// Removes the snapshots of a cache folder beyond the `keep` most recently written,
/// never `current`; a file that cannot be read or removed is left (the cache is an
/// optimisation: it never fails a run).
pub(super) fn evict(dir: &Path, keep: usize, current: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut snapshots: Vec<(std::time::SystemTime, PathBuf)> = entries
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "snapshot") && p != current)
        .filter_map(|p| Some((std::fs::metadata(&p).ok()?.modified().ok()?, p)))
        .collect();
    // Newest first; the current one counts among the kept.
    snapshots.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    for (_, p) in snapshots.into_iter().skip(keep.saturating_sub(1)) {
        let _ = std::fs::remove_file(p);
    }
}

/// The user's cache folder for snapshots: `$SITEMATCH_CACHE`, else
/// `$XDG_CACHE_HOME/sitematch`, else `~/.cache/sitematch`; `None` when none is set.
///
/// ```
/// // Wherever it is, it is a folder of its own.
/// if let Some(dir) = sitematch::default_cache_dir() {
///     assert!(dir.is_absolute() || std::env::var_os("SITEMATCH_CACHE").is_some());
/// }
/// ```
pub fn default_cache_dir() -> Option<PathBuf> {
    let set = |v: &str| {
        std::env::var_os(v)
            .filter(|x| !x.is_empty())
            .map(PathBuf::from)
    };
    set("SITEMATCH_CACHE")
        .or_else(|| set("XDG_CACHE_HOME").map(|d| d.join("sitematch")))
        .or_else(|| set("HOME").map(|d| d.join(".cache").join("sitematch")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_snapshot_that_is_not_a_regular_file_is_said_so() {
        // A folder where the file should be: never opened (as a FIFO or a device).
        let dir = tempfile::tempdir().unwrap();
        let Err(Distrust::Damaged(why)) = read(dir.path(), 1) else {
            panic!("a folder read as a snapshot");
        };
        assert_eq!(why, "not a regular file");
    }

    #[test]
    fn a_cache_folder_keeps_the_most_recent_snapshots() {
        let dir = tempfile::tempdir().unwrap();
        let t0 = std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_700_000_000);
        let mut names = Vec::new();
        for i in 0..12u64 {
            let p = dir.path().join(format!("{i:016x}.snapshot"));
            let f = std::fs::File::create(&p).unwrap();
            f.set_modified(t0 + std::time::Duration::from_secs(i * 60))
                .unwrap();
            names.push(p);
        }
        // Not a snapshot: never touched.
        std::fs::write(dir.path().join("notes.txt"), "keep me").unwrap();
        // The current one is the oldest: kept all the same, with the 7 newest others.
        evict(dir.path(), 8, &names[0]);
        let mut left: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        let mut expected: Vec<String> = std::iter::once(0u64)
            .chain(5..12)
            .map(|i| format!("{i:016x}.snapshot"))
            .collect();
        expected.push("notes.txt".into());
        expected.sort();
        assert_eq!(left, expected);
    }
}
