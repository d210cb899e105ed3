//! What a catalog says: its `[[layer]]` tables, read and checked as a whole (every
//! problem at once, each with its key path).

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::crs::Crs;
use crate::de::{self, Problems, Seg};
use crate::error::{Error, KeyProblem, Result};
use crate::io::{text::TextEncoding, Decimal};
use crate::model::{Format, Measure, Role};

/// One `[[layer]]` of a catalog, as written.
///
/// ```
/// let catalog = sitematch::Catalog::from_path(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/rank"))?;
/// let gares = catalog.layer("motorway").unwrap();
/// // `crs = "EPSG:2154"` in the catalog: the points were reprojected to WGS84.
/// assert_eq!(gares.source_crs, "EPSG:2154");
/// assert!(gares.features.iter().all(|f| (-180.0..=180.0).contains(&f.location.x())));
/// # Ok::<(), sitematch::Error>(())
/// ```
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct LayerSpec {
    /// Unique layer name.
    pub name: String,
    /// What the layer is for.
    pub role: Role,
    /// The file, relative to the catalog.
    pub path: PathBuf,
    /// Field holding a unique id; default: the 0-based feature index.
    pub id: Option<String>,
    /// Field holding a human-readable name.
    pub label: Option<String>,
    /// Field holding a category.
    pub category: Option<String>,
    /// Field holding the INSEE commune code.
    pub commune: Option<String>,
    /// Field holding the land area in square metres.
    pub area_m2: Option<String>,
    /// Field holding the land area in hectares.
    pub area_ha: Option<String>,
    /// Field holding tags (`;`-separated text or a JSON array).
    pub tags: Option<String>,
    /// Attributes to keep: catalog name = file field.
    #[serde(default)]
    pub fields: BTreeMap<String, String>,
    /// Source CRS (`"EPSG:2154"`); overrides a `.prj` or GeoJSON `crs` member.
    pub crs: Option<Crs>,
    /// CSV x (longitude/easting) column.
    pub x: Option<String>,
    /// CSV y (latitude/northing) column.
    pub y: Option<String>,
    /// CSV WKT geometry column.
    pub wkt: Option<String>,
    /// The feature table of a GeoPackage that holds several, or a PostGIS layer's
    /// table (`schema.table`).
    pub table: Option<String>,
    /// A PostGIS layer's query, instead of `table`.
    pub sql: Option<String>,
    /// Load only the features whose bounds meet this box, `[min_lon, min_lat,
    /// max_lon, max_lat]` in WGS 84 degrees (a FlatGeobuf file's index reads only
    /// those); the others are counted, not loaded.
    pub bbox: Option<[f64; 4]>,
    /// CSV delimiter, one character (default `,`).
    pub delimiter: Option<Delimiter>,
    /// Decimal separator of CSV coordinates, `.` (default) or `,`.
    pub decimal: Option<Decimal>,
    /// Text encoding: utf-8, latin1, cp1252 (a DBF's `.cpg` wins).
    pub encoding: Option<TextEncoding>,
    /// How distance criteria measure to the features: `centroid` (default) or
    /// `geometry` (to the nearest point of a line or polygon; facilities layers).
    pub measure: Option<Measure>,
    /// Network layers given as edge and node lists (`edge-csv`): the nodes file
    /// (relative to the catalog; its `id`, `x`, `y` and `crs` as for any CSV layer).
    pub nodes: Option<PathBuf>,
    /// Network edges: the start node's id column.
    pub from: Option<String>,
    /// Network edges: the end node's id column.
    pub to: Option<String>,
    /// Network edges: the road class column (its speed from the table).
    pub class: Option<String>,
    /// Network edges: the length column, km.
    pub length_km: Option<String>,
    /// Networks: the speed of the leg from a point to its nearest node, km/h (30).
    pub access_kmh: Option<f64>,
    /// Networks: speeds by road class, km/h, over the built-in table.
    #[serde(default)]
    pub speeds: BTreeMap<String, f64>,
    /// A sites layer too large to hold (millions of parcels): not loaded, but read a
    /// chunk at a time when a brief ranks it, keeping its best sites and its counts
    /// (CSV files, `.csv.gz` too, and GeoParquet).
    #[serde(default)]
    pub stream: bool,
}

/// A CSV field delimiter: one ASCII character.
///
/// ```
/// use sitematch::Delimiter;
/// assert_eq!(Delimiter::try_from(";".to_string()), Ok(Delimiter(b';')));
/// assert!(Delimiter::try_from(";;".to_string()).is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub struct Delimiter(pub u8);

impl TryFrom<String> for Delimiter {
    type Error = String;

    fn try_from(d: String) -> std::result::Result<Delimiter, String> {
        match d.as_bytes() {
            [b] if b.is_ascii() => Ok(Delimiter(*b)),
            _ => Err(format!(
                "{d:?} must be one ASCII character, like \",\" \";\" or \"\\t\""
            )),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CatalogFile {
    /// The `[[layer]]` tables, each read on its own (a bad one does not hide the
    /// others' problems).
    #[serde(default)]
    layer: Vec<serde_json::Value>,
}

impl LayerSpec {
    pub(super) fn format(&self) -> Option<Format> {
        if crate::io::postgis::is_url(&self.path) {
            return Some(Format::PostGis);
        }
        let name = self.path.file_name()?.to_str()?.to_ascii_lowercase();
        let name = name.strip_suffix(".gz").unwrap_or(&name);
        if name.ends_with(".geojson") || name.ends_with(".json") {
            Some(Format::GeoJson)
        } else if name.ends_with(".shp") {
            Some(Format::Shapefile)
        } else if name.ends_with(".gpkg") {
            Some(Format::GeoPackage)
        } else if name.ends_with(".fgb") {
            Some(Format::FlatGeobuf)
        } else if name.ends_with(".parquet") || name.ends_with(".geoparquet") {
            Some(Format::GeoParquet)
        } else if name.ends_with(".csv") || name.ends_with(".tsv") || name.ends_with(".txt") {
            Some(Format::Csv)
        } else if name.ends_with(".pbf") && self.role == Role::Network {
            Some(Format::OsmPbf)
        } else {
            None
        }
    }

    /// The file fields this spec names, with the catalog key that names each.
    pub(super) fn named_fields(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        let singles = [
            ("id", &self.id),
            ("label", &self.label),
            ("category", &self.category),
            ("commune", &self.commune),
            ("area_m2", &self.area_m2),
            ("area_ha", &self.area_ha),
            ("tags", &self.tags),
            ("x", &self.x),
            ("y", &self.y),
            ("wkt", &self.wkt),
        ];
        for (key, field) in singles {
            if let Some(f) = field {
                out.push((key.to_string(), f.clone()));
            }
        }
        for (name, field) in &self.fields {
            out.push((format!("fields.{name}"), field.clone()));
        }
        out
    }
}

/// Reads and checks a catalog file without loading its layers: each layer with the
/// format its path names. Every problem of the file is reported at once.
pub(super) fn parse_catalog(path: &Path) -> Result<Vec<(LayerSpec, Format)>> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    let value: serde_json::Value = toml::from_str(&text).map_err(|e| {
        Error::catalog(
            path,
            crate::text::toml_place(&text, &e),
            e.message().trim().to_string(),
        )
    })?;
    let layers = value.get("layer").and_then(|l| l.as_array());
    let layers = layers.map(Vec::as_slice).unwrap_or_default();
    let non_finite = de::non_finite(&value);
    if !non_finite.is_empty() {
        return Err(Error::Catalog {
            path: path.to_path_buf(),
            problems: non_finite
                .into_iter()
                .map(|key| named_layer(KeyProblem::new(key, de::NOT_FINITE), layers))
                .collect(),
        });
    }
    let mut problems = Problems::default();
    let file = de::read::<CatalogFile>(&value, &[], &mut problems);
    let mut out = Vec::new();
    let mut names = HashSet::new();
    for (i, item) in file.map(|f| f.layer).unwrap_or_default().iter().enumerate() {
        let base = [Seg::Key("layer".into()), Seg::Index(i)];
        let Some(spec) = de::read::<LayerSpec>(item, &base, &mut problems) else {
            continue;
        };
        let key = |k: &str| format!("{}.{k}", de::render(&base));
        if spec.name.trim().is_empty() {
            problems.push(key("name"), "must not be empty");
        } else if !names.insert(spec.name.clone()) {
            problems.push(
                key("name"),
                format!(
                    "{:?}: another layer has this name; layer names must be unique",
                    spec.name
                ),
            );
        }
        if spec.measure == Some(Measure::Geometry) && spec.role != Role::Facilities {
            problems.push(
                key("measure"),
                format!(
                    "measure = \"geometry\" is for facilities layers; this is a {} layer",
                    spec.role
                ),
            );
        }
        let network_keys = [
            ("nodes", spec.nodes.is_some()),
            ("from", spec.from.is_some()),
            ("to", spec.to.is_some()),
            ("length_km", spec.length_km.is_some()),
        ];
        let pbf = spec.role == Role::Network && spec.format() == Some(Format::OsmPbf);
        if spec.role == Role::Network && !pbf {
            for (k, present) in network_keys {
                if !present {
                    problems.push(
                        key(k),
                        "is required for a network layer given as edges (path) and nodes",
                    );
                }
            }
            if spec.access_kmh.is_some_and(|v| v.is_nan() || v <= 0.0) {
                problems.push(key("access_kmh"), "must be above 0 (km/h)");
            }
            for (class, v) in &spec.speeds {
                if v.is_nan() || *v <= 0.0 {
                    problems.push(key(&format!("speeds.{class}")), "must be above 0 (km/h)");
                }
            }
        }
        if spec.role != Role::Network {
            let extra = network_keys.iter().map(|(k, p)| (*k, *p)).chain([
                ("class", spec.class.is_some()),
                ("access_kmh", spec.access_kmh.is_some()),
                ("speeds", !spec.speeds.is_empty()),
            ]);
            for (k, present) in extra {
                if present {
                    problems.push(
                        key(k),
                        format!("is for network layers; this is a {} layer", spec.role),
                    );
                }
            }
        }
        if spec.area_m2.is_some() && spec.area_ha.is_some() {
            problems.push(key("area_ha"), "give area_m2 or area_ha, not both");
        }
        let Some(format) = spec.format() else {
            problems.push(
                key("path"),
                format!(
                    "{} is not a format sitematch reads; use .geojson/.json, .shp, .gpkg, \
                     .fgb, .parquet, .csv or .csv.gz, or a postgresql:// URL (and .osm.pbf for a network layer)",
                    spec.path.display()
                ),
            );
            continue;
        };
        if spec.table.is_some() && !matches!(format, Format::GeoPackage | Format::PostGis) {
            problems.push(
                key("table"),
                format!("names a table of a GeoPackage or a database; this layer is {format}"),
            );
        }
        if spec.sql.is_some() && format != Format::PostGis {
            problems.push(
                key("sql"),
                format!("is the query of a PostGIS layer (path = \"postgresql://...\"); this layer is {format}"),
            );
        }
        if format == Format::PostGis
            && spec
                .path
                .to_str()
                .is_some_and(crate::io::postgis::has_password)
        {
            problems.push(
                key("path"),
                "holds a password, which a catalog must not: remove it from the URL, and give \
                 it in PGPASSWORD or in ~/.pgpass (host:port:database:user:password)",
            );
        }
        if let Some(b) = spec.bbox {
            if !crate::model::is_lon_lat_box(b) {
                problems.push(
                    key("bbox"),
                    "must be [min_lon, min_lat, max_lon, max_lat] in WGS 84 degrees, min below max",
                );
            }
        }
        if spec.stream && spec.role != Role::Sites {
            problems.push(
                key("stream"),
                "only a sites layer (the candidates) is streamed; the layers criteria measure to are held in memory",
            );
        }
        if spec.stream && !matches!(format, Format::Csv | Format::GeoParquet) {
            problems.push(
                key("stream"),
                "a streamed layer is a CSV (.csv, .csv.gz) or GeoParquet (.parquet) file; convert it with `ogr2ogr -f CSV -lco GEOMETRY=AS_WKT`",
            );
        }
        if format == Format::PostGis && spec.table.is_some() == spec.sql.is_some() {
            problems.push(
                key("table"),
                "a PostGIS layer reads `table = \"schema.table\"` or `sql = \"SELECT ...\"`: give one of them",
            );
        }
        if format == Format::Csv {
            let xy = spec.x.is_some() && spec.y.is_some();
            if xy == spec.wkt.is_some() || spec.x.is_some() != spec.y.is_some() {
                problems.push(
                    key("x"),
                    "a CSV layer needs either both `x` and `y` (coordinate columns) or `wkt`",
                );
            }
        }
        out.push((spec, format));
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(Error::Catalog {
            path: path.to_path_buf(),
            problems: problems
                .into_vec()
                .into_iter()
                .map(|p| named_layer(p, layers))
                .collect(),
        })
    }
}

/// A problem at `layer[i]...` names the layer as the file does, by its `name` and
/// `path` where it has them: `layer[1] ("echangeurs", gares.csv).x`.
fn named_layer(mut p: KeyProblem, layers: &[serde_json::Value]) -> KeyProblem {
    let Some(rest) = p.key.strip_prefix("layer[") else {
        return p;
    };
    let Some((index, tail)) = rest.split_once(']') else {
        return p;
    };
    let Some(layer) = index.parse::<usize>().ok().and_then(|i| layers.get(i)) else {
        return p;
    };
    let text = |k: &str| layer.get(k).and_then(|v| v.as_str());
    // A database URL's password (refused, but not to be repeated in the error).
    let path = text("path").map(crate::io::postgis::redacted);
    let what = match (text("name"), path.as_deref()) {
        (Some(n), Some(path)) => format!(" ({n:?}, {path})"),
        (Some(n), None) => format!(" ({n:?})"),
        (None, Some(path)) => format!(" ({path})"),
        (None, None) => return p,
    };
    p.key = format!("layer[{index}]{what}{tail}");
    p
}
