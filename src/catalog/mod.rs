//! The catalog: what a data folder holds and how each file's fields map onto layers
//! (docs/engine.md, section 1), and the loading of its layers as checked WGS84 layers.

mod assemble;
mod osm;
mod roads;
mod snapshot;
mod spec;
mod stream;
mod valid;

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::error::Result;
use crate::model::Layer;

pub use snapshot::{default_cache_dir, SnapshotUse};
pub use spec::{Delimiter, LayerSpec};
pub use stream::{Chunks, StreamedLayer, STREAM_CHUNK};

/// Reads a client's flows file for a freight criterion (`flows` in a brief): a CSV
/// with `id, label, lon, lat, tonnes, direction` (WGS 84), or a GeoJSON of points with
/// those properties; through the layer readers, so its bad rows are skipped and
/// counted as a catalog layer's are.
pub(crate) fn load_flows(path: &Path) -> Result<Layer> {
    use crate::error::Error;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    let dir = path.parent().unwrap_or(Path::new(""));
    let csv = name.to_ascii_lowercase().contains(".csv");
    let mut spec = serde_json::json!({
        "name": "flows", "role": "facilities", "path": name, "id": "id", "label": "label",
        "fields": { "tonnes": "tonnes", "direction": "direction" },
    });
    if csv {
        spec["x"] = "lon".into();
        spec["y"] = "lat".into();
        // A flows file has no catalog to say its separator: a header with semicolons
        // (or tabs) and no comma says it.
        let mut head = Vec::new();
        if !name.to_ascii_lowercase().ends_with(".gz") {
            use std::io::Read;
            if let Ok(f) = std::fs::File::open(path) {
                let _ = f.take(65_536).read_to_end(&mut head);
            }
        }
        let first = head.split(|b| *b == b'\n').next().unwrap_or_default();
        let has = |c: u8| first.contains(&c);
        if !has(b',') && (has(b';') || has(b'\t')) {
            spec["delimiter"] = if has(b';') { ";" } else { "\t" }.into();
        }
    }
    let spec: LayerSpec = serde_json::from_value(spec)
        .map_err(|e| Error::format(path, crate::error::Location::File, e.to_string()))?;
    let format = spec.format().ok_or_else(|| {
        Error::format(
            path,
            crate::error::Location::File,
            "a flows file is a .csv or a .geojson",
        )
    })?;
    let columns = "a flows file has the columns id, label, lon, lat (WGS 84), tonnes (a year) \
                   and direction (in or out), or GeoJSON points with those properties";
    match assemble::load_layer(path, dir, &spec, format, false) {
        Err(Error::MissingField {
            file,
            field,
            available,
            ..
        }) => Err(Error::format(
            file,
            crate::error::Location::File,
            format!(
                "no {field:?}: {columns}; this one has: {}",
                crate::text::clip(&available.join(", "), 200)
            ),
        )),
        Err(Error::Catalog { .. }) if !path.exists() => Err(Error::io(
            path,
            std::io::Error::new(
                std::io::ErrorKind::NotFound,
                "the flows file does not exist",
            ),
        )),
        other => other,
    }
}

/// Options for loading a catalog.
///
/// ```
/// // The ranking fixtures of the repository: a CSV in Lambert-93, a shapefile, GeoJSON.
/// let catalog = sitematch::Catalog::builder(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/rank")).strict(false).build()?;
/// assert_eq!(catalog.layers.len(), 3);
/// # Ok::<(), sitematch::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct CatalogBuilder {
    path: PathBuf,
    strict: bool,
    cache: Option<PathBuf>,
}

impl CatalogBuilder {
    /// Makes the first bad feature an error instead of a recorded skip.
    pub fn strict(&mut self, yes: bool) -> &mut Self {
        self.strict = yes;
        self
    }

    /// Keeps a snapshot of the loaded data set in this folder (see
    /// [`default_cache_dir`]) and reads it back instead of the files while they are
    /// unchanged; `None` (the default) reads the files every time. A strict load
    /// always reads the files.
    ///
    /// ```
    /// let cache = tempfile::tempdir()?;
    /// let data = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/rank");
    /// let (first, used) = sitematch::Catalog::builder(data).cache(Some(cache.path().into())).build_noting()?;
    /// assert!(matches!(used, sitematch::SnapshotUse::Written(_)));
    /// let (again, used) = sitematch::Catalog::builder(data).cache(Some(cache.path().into())).build_noting()?;
    /// assert!(matches!(used, sitematch::SnapshotUse::Read(_)));
    /// assert_eq!(again.layers[0].features, first.layers[0].features);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn cache(&mut self, dir: Option<PathBuf>) -> &mut Self {
        self.cache = dir;
        self
    }

    /// Reads the catalog and every layer, reprojected and checked (or their
    /// snapshot, see [`CatalogBuilder::cache`]).
    pub fn build(&self) -> Result<Catalog> {
        self.build_noting().map(|(c, _)| c)
    }

    /// As [`CatalogBuilder::build`], saying what became of the snapshot.
    pub fn build_noting(&self) -> Result<(Catalog, SnapshotUse)> {
        let (streamed, specs): (Vec<_>, Vec<_>) = spec::parse_catalog(&self.path)?
            .into_iter()
            .partition(|(s, _)| s.stream);
        let dir = self.path.parent().unwrap_or(Path::new("."));
        // Streamed layers are opened (their header checked), never loaded nor kept in
        // the snapshot.
        let streams = streamed
            .iter()
            .map(|(s, format)| StreamedLayer::open(&self.path, dir, s, *format, self.strict))
            .collect::<Result<Vec<_>>>()?;
        let snapshot = match (&self.cache, self.strict) {
            (Some(cache), false) => snapshot::key(&self.path, dir, &specs)
                .map(|key| (snapshot::file_for(cache, &self.path), key)),
            _ => None,
        };
        let Some((file, key)) = snapshot else {
            let mut catalog = self.load(&specs, dir)?;
            catalog.streams = streams;
            return Ok((catalog, SnapshotUse::Off));
        };
        let distrust = match snapshot::read(&file, key) {
            Ok((layers, networks)) => {
                let catalog = Catalog {
                    path: Some(self.path.clone()),
                    layers,
                    networks,
                    streams,
                };
                return Ok((catalog, SnapshotUse::Read(file)));
            }
            Err(d) => d,
        };
        let mut catalog = self.load(&specs, dir)?;
        catalog.streams = streams;
        let written = snapshot::write(&file, key, &catalog.layers, &catalog.networks);
        let used = match (written, distrust) {
            (Err(e), _) => SnapshotUse::NotWritten {
                path: file,
                why: e.to_string(),
            },
            (Ok(()), snapshot::Distrust::Missing) => SnapshotUse::Written(file),
            (Ok(()), snapshot::Distrust::Stale) => SnapshotUse::Refreshed(file),
            (Ok(()), snapshot::Distrust::Damaged(why)) => SnapshotUse::Rebuilt { path: file, why },
        };
        Ok((catalog, used))
    }

    /// Every layer from its files.
    fn load(&self, specs: &[(LayerSpec, crate::model::Format)], dir: &Path) -> Result<Catalog> {
        // Layers are read in parallel; the first error in catalog order is reported.
        let loaded: Vec<Result<Loaded>> = specs
            .par_iter()
            .map(|(spec, format)| {
                Ok(if spec.role == crate::model::Role::Network {
                    Loaded::Network(Box::new(if *format == crate::model::Format::OsmPbf {
                        osm::load_network(&self.path, dir, spec, self.strict)?
                    } else {
                        roads::load_network(&self.path, dir, spec, self.strict)?
                    }))
                } else {
                    Loaded::Layer(assemble::load_layer(
                        &self.path,
                        dir,
                        spec,
                        *format,
                        self.strict,
                    )?)
                })
            })
            .collect();
        let mut layers = Vec::with_capacity(specs.len());
        let mut networks = Vec::new();
        for l in loaded {
            match l? {
                Loaded::Layer(l) => layers.push(l),
                Loaded::Network(n) => networks.push(*n),
            }
        }
        Ok(Catalog {
            path: Some(self.path.clone()),
            layers,
            networks,
            streams: Vec::new(),
        })
    }
}

/// One entry of a catalog, read.
enum Loaded {
    Layer(Layer),
    Network(Box<crate::network::Network>),
}

/// A loaded data set: its layers, in catalog order.
///
/// ```
/// use sitematch::{Catalog, Feature, Layer, Role};
/// let ports = Layer::from_features("ports", Role::Facilities, vec![
///     Feature::point("le-havre", 0.1079, 49.4839),
/// ]);
/// let catalog = Catalog::from_layers(vec![ports]);
/// assert_eq!(catalog.layer("ports").map(|l| l.features.len()), Some(1));
/// ```
#[derive(Debug, Clone)]
pub struct Catalog {
    /// The catalog file (`None` for one built in memory).
    pub path: Option<PathBuf>,
    /// The layers.
    pub layers: Vec<Layer>,
    /// The road networks (role `network`).
    pub networks: Vec<crate::network::Network>,
    /// The sites layers read a chunk at a time when ranked (`stream = true`).
    pub streams: Vec<StreamedLayer>,
}

impl Catalog {
    /// Loads `catalog.toml` (or a folder holding one), skipping and recording bad
    /// features.
    pub fn from_path(path: impl AsRef<Path>) -> Result<Catalog> {
        Catalog::builder(path).build()
    }

    /// A builder, to set options before loading.
    ///
    /// ```no_run
    /// let catalog = sitematch::Catalog::builder("data").strict(true).build()?;
    /// # Ok::<(), sitematch::Error>(())
    /// ```
    pub fn builder(path: impl AsRef<Path>) -> CatalogBuilder {
        let p = path.as_ref();
        let is_file = p.is_file() || p.extension().is_some_and(|e| e == "toml");
        let path = if is_file {
            p.to_path_buf()
        } else {
            p.join("catalog.toml")
        };
        CatalogBuilder {
            path,
            strict: false,
            cache: None,
        }
    }

    /// A catalog of layers built in memory.
    pub fn from_layers(layers: Vec<Layer>) -> Catalog {
        Catalog {
            path: None,
            layers,
            networks: Vec::new(),
            streams: Vec::new(),
        }
    }

    /// The catalog with a road network added.
    ///
    /// ```
    /// use sitematch::{Catalog, Feature, Network};
    /// let net = Network::new("roads", vec![Feature::point("n0", 2.0, 48.0)], vec![], 30.0);
    /// let catalog = Catalog::from_layers(vec![]).with_network(net);
    /// assert_eq!(catalog.networks.len(), 1);
    /// ```
    pub fn with_network(mut self, network: crate::network::Network) -> Catalog {
        self.networks.push(network);
        self
    }

    /// The layer with this name.
    pub fn layer(&self, name: &str) -> Option<&Layer> {
        self.layers.iter().find(|l| l.name == name)
    }
}

/// The data folder to use: `explicit` (a `--data` flag) if given, else the
/// `SITEMATCH_DATA` environment variable, else the `data/` folder of the source tree
/// this binary was built from (so `cargo run` and `cargo install --path .` find the
/// default data set without flags).
///
/// ```
/// // `--data`, else $SITEMATCH_DATA, else the bundled data set of the source tree.
/// let dir = sitematch::data_dir(Some(std::path::Path::new("my-data")));
/// assert_eq!(dir, std::path::Path::new("my-data"));
/// # if std::env::var_os("SITEMATCH_DATA").is_none() {
/// assert!(sitematch::data_dir(None).join("catalog.toml").is_file());
/// # }
/// ```
pub fn data_dir(explicit: Option<&Path>) -> PathBuf {
    if let Some(p) = explicit {
        return p.to_path_buf();
    }
    match std::env::var_os("SITEMATCH_DATA") {
        Some(p) if !p.is_empty() => PathBuf::from(p),
        _ => Path::new(env!("CARGO_MANIFEST_DIR")).join("data"),
    }
}
