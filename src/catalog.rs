//! The catalog: what a data folder holds and how each file's fields map onto layers
//! (DESIGN section 1), and the assembly of raw tables into checked WGS84 layers.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use geo::{Coord, GeodesicArea, Geometry, MapCoordsInPlace, Validation};
use serde::Deserialize;

use crate::crs::{Crs, Transformer};
use crate::de::{self, Problems, Seg};
use crate::error::{Error, FeatureProblem, Result, Skipped};
use crate::io::{self, text::TextEncoding, RawTable, ReadOptions};
use crate::model::{Feature, Format, Layer, Role, Value};

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
    /// CSV delimiter, one character (default `,`).
    pub delimiter: Option<Delimiter>,
    /// Decimal separator of CSV coordinates, `.` (default) or `,`.
    pub decimal: Option<Decimal>,
    /// Text encoding: utf-8, latin1, cp1252 (a DBF's `.cpg` wins).
    pub encoding: Option<TextEncoding>,
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

/// The decimal separator of CSV coordinates.
///
/// ```
/// use sitematch::Decimal;
/// assert_eq!(Decimal::try_from(",".to_string()), Ok(Decimal::Comma));
/// assert!(Decimal::try_from(";".to_string()).is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(try_from = "String")]
pub enum Decimal {
    /// `.` (the default).
    #[default]
    Point,
    /// `,`, as French spreadsheets write numbers.
    Comma,
}

impl TryFrom<String> for Decimal {
    type Error = String;

    fn try_from(d: String) -> std::result::Result<Decimal, String> {
        match d.as_str() {
            "." => Ok(Decimal::Point),
            "," => Ok(Decimal::Comma),
            _ => Err("must be \".\" or \",\"".to_string()),
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
    fn format(&self) -> Option<Format> {
        let name = self.path.file_name()?.to_str()?.to_ascii_lowercase();
        let name = name.strip_suffix(".gz").unwrap_or(&name);
        if name.ends_with(".geojson") || name.ends_with(".json") {
            Some(Format::GeoJson)
        } else if name.ends_with(".shp") {
            Some(Format::Shapefile)
        } else if name.ends_with(".csv") || name.ends_with(".tsv") || name.ends_with(".txt") {
            Some(Format::Csv)
        } else {
            None
        }
    }

    /// The file fields this spec names, with the catalog key that names each.
    fn named_fields(&self) -> Vec<(String, String)> {
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
}

impl CatalogBuilder {
    /// Makes the first bad feature an error instead of a recorded skip.
    pub fn strict(&mut self, yes: bool) -> &mut Self {
        self.strict = yes;
        self
    }

    /// Reads the catalog and every layer, reprojected and checked.
    pub fn build(&self) -> Result<Catalog> {
        let specs = parse_catalog(&self.path)?;
        let dir = self.path.parent().unwrap_or(Path::new("."));
        let mut layers = Vec::with_capacity(specs.len());
        for (spec, format) in &specs {
            layers.push(load_layer(&self.path, dir, spec, *format, self.strict)?);
        }
        Ok(Catalog {
            path: Some(self.path.clone()),
            layers,
        })
    }
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
        }
    }

    /// A catalog of layers built in memory.
    pub fn from_layers(layers: Vec<Layer>) -> Catalog {
        Catalog { path: None, layers }
    }

    /// The layer with this name.
    pub fn layer(&self, name: &str) -> Option<&Layer> {
        self.layers.iter().find(|l| l.name == name)
    }
}

/// Reads and checks a catalog file without loading its layers: each layer with the
/// format its path names. Every problem of the file is reported at once.
fn parse_catalog(path: &Path) -> Result<Vec<(LayerSpec, Format)>> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    let value: serde_json::Value = toml::from_str(&text).map_err(|e| {
        let place = e
            .span()
            .map(|s| format!("line {}", crate::text::line_of(&text, s.start)))
            .unwrap_or_else(|| "file".to_string());
        Error::catalog(path, place, e.message().trim().to_string())
    })?;
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
        if spec.area_m2.is_some() && spec.area_ha.is_some() {
            problems.push(key("area_ha"), "give area_m2 or area_ha, not both");
        }
        let Some(format) = spec.format() else {
            problems.push(
                key("path"),
                format!(
                    "{} is not a format sitematch reads; use .geojson/.json, .shp, .csv or .csv.gz",
                    spec.path.display()
                ),
            );
            continue;
        };
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
            problems: problems.into_vec(),
        })
    }
}

fn load_layer(
    catalog: &Path,
    dir: &Path,
    spec: &LayerSpec,
    format: Format,
    strict: bool,
) -> Result<Layer> {
    let file = dir.join(&spec.path);
    if !file.exists() {
        return Err(Error::catalog(
            catalog,
            format!("layer {:?}.path", spec.name),
            format!(
                "{} does not exist; paths are relative to the catalog's folder",
                file.display()
            ),
        ));
    }
    let named = spec.named_fields();
    let wanted: Vec<String> = named
        .iter()
        .filter(|(k, _)| !matches!(k.as_str(), "x" | "y" | "wkt"))
        .map(|(_, f)| f.clone())
        .collect();
    let opts = ReadOptions {
        delimiter: spec.delimiter.map_or(b',', |d| d.0),
        decimal: spec.decimal.unwrap_or_default(),
        encoding: spec.encoding,
        x: spec.x.clone(),
        y: spec.y.clone(),
        wkt: spec.wkt.clone(),
    };
    let raw = io::read(format, &file, &opts, &wanted)?;
    for (key, field) in &named {
        if !raw.fields.iter().any(|f| f == field) {
            return Err(Error::MissingField {
                catalog: catalog.to_path_buf(),
                key: format!("layer {:?}.{key}", spec.name),
                file,
                field: field.clone(),
                available: raw.fields.clone(),
            });
        }
    }
    let crs = match (&spec.crs, &raw.declared_crs) {
        (Some(c), _) => c.clone(),
        (None, Some(c)) => c.clone(),
        (None, None) if format == Format::Shapefile => {
            return Err(Error::Crs {
                path: file.clone(),
                problem: format!(
                    "no .prj next to the shapefile and no `crs` for layer {:?} in {}; \
                     add the .prj or set crs = \"EPSG:...\" in the catalog",
                    spec.name,
                    catalog.display()
                ),
            })
        }
        (None, None) => Crs::WGS84,
    };
    let transformer = Transformer::new(&crs).map_err(|problem| Error::Crs {
        path: file.clone(),
        problem,
    })?;
    assemble(spec, format, &file, raw, &crs, &transformer, strict)
}

/// Positions of the mapped fields within a raw feature's `values`.
struct Slots {
    id: Option<usize>,
    label: Option<usize>,
    category: Option<usize>,
    commune: Option<usize>,
    area: Option<(usize, f64, String)>, // slot, divisor to hectares, field name
    tags: Option<usize>,
    fields: Vec<(String, usize)>,
}

impl Slots {
    fn new(spec: &LayerSpec) -> Slots {
        // Same order as `named_fields` without x/y/wkt.
        let mut next = 0usize;
        let mut take = |present: bool| {
            present.then(|| {
                next += 1;
                next - 1
            })
        };
        let id = take(spec.id.is_some());
        let label = take(spec.label.is_some());
        let category = take(spec.category.is_some());
        let commune = take(spec.commune.is_some());
        let m2 = take(spec.area_m2.is_some());
        let ha = take(spec.area_ha.is_some());
        let tags = take(spec.tags.is_some());
        let area = match (m2, ha) {
            (Some(s), _) => Some((s, 1e4, spec.area_m2.clone().unwrap_or_default())),
            (None, Some(s)) => Some((s, 1.0, spec.area_ha.clone().unwrap_or_default())),
            _ => None,
        };
        let fields = spec
            .fields
            .keys()
            .map(|k| (k.clone(), take(true).unwrap_or(0)))
            .collect();
        Slots {
            id,
            label,
            category,
            commune,
            area,
            tags,
            fields,
        }
    }
}

fn text_of(values: &[Value], slot: Option<usize>) -> Option<String> {
    slot.and_then(|s| values.get(s))
        .filter(|v| !v.is_empty())
        .and_then(Value::as_text)
        .map(|s| s.trim().to_string())
}

/// A commune code as text: numbers (a DBF numeric field) get their leading zero back.
fn commune_code(v: &Value) -> Option<String> {
    match v {
        Value::Number(x) if x.fract() == 0.0 && *x >= 0.0 => Some(format!("{:05}", *x as i64)),
        other if other.is_empty() => None,
        other => other.as_text().map(|s| s.trim().to_string()),
    }
}

/// Checks, reprojects and maps a raw table into a layer.
pub(crate) fn assemble(
    spec: &LayerSpec,
    format: Format,
    file: &Path,
    raw: RawTable,
    crs: &Crs,
    transformer: &Transformer,
    strict: bool,
) -> Result<Layer> {
    let slots = Slots::new(spec);
    let mut layer = Layer {
        name: spec.name.clone(),
        role: spec.role,
        format,
        source_crs: crs.to_string(),
        path: Some(file.to_path_buf()),
        attribute_names: spec.fields.keys().cloned().collect(),
        features: Vec::with_capacity(raw.features.len()),
        skipped: Vec::new(),
    };
    let mut seen: HashSet<String> = HashSet::with_capacity(raw.features.len());
    for rf in raw.features {
        let values = rf.values;
        let built = rf.geometry.and_then(|g| {
            let geometry = reproject(g, transformer)?;
            check_geometry(&geometry, spec.role)?;
            let geometry = orient(geometry);
            let id = match slots.id {
                Some(s) => text_of(&values, Some(s)).ok_or(FeatureProblem::EmptyId)?,
                None => rf.index.to_string(),
            };
            if seen.contains(&id) {
                return Err(FeatureProblem::DuplicateId(id));
            }
            let mut feature =
                Feature::from_geometry(id, geometry).ok_or(FeatureProblem::NoGeometry)?;
            feature.label = text_of(&values, slots.label);
            feature.category = text_of(&values, slots.category);
            feature.commune = slots
                .commune
                .and_then(|s| values.get(s))
                .and_then(commune_code);
            feature.area_ha = match &slots.area {
                Some((slot, divisor, field)) => match values.get(*slot) {
                    Some(v) if !v.is_empty() => match v.as_f64() {
                        Some(x) if x >= 0.0 => Some(x / divisor),
                        _ => {
                            return Err(FeatureProblem::BadArea {
                                field: field.clone(),
                                value: v.as_text().unwrap_or_default(),
                            })
                        }
                    },
                    _ => polygon_area_ha(&feature.geometry),
                },
                None => polygon_area_ha(&feature.geometry),
            };
            feature.tags = text_of(&values, slots.tags)
                .map(|t| {
                    t.split(';')
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .map(String::from)
                        .collect()
                })
                .unwrap_or_default();
            for (name, slot) in &slots.fields {
                let v = values.get(*slot).cloned().unwrap_or_default();
                let v = if v.is_empty() { Value::Null } else { v };
                feature.attributes.insert(name.clone(), v);
            }
            Ok(feature)
        });
        match built {
            Ok(feature) => {
                seen.insert(feature.id.clone());
                layer.features.push(feature);
            }
            Err(problem) => {
                let skipped = Skipped {
                    path: file.to_path_buf(),
                    location: rf.location,
                    problem,
                };
                if strict {
                    return Err(Error::Strict { skipped });
                }
                layer.skipped.push(skipped);
            }
        }
    }
    Ok(layer)
}

/// Exterior rings counter-clockwise, interior rings clockwise (RFC 7946, and what
/// geodesic area needs: a clockwise ring would measure the rest of the Earth).
fn orient(g: Geometry<f64>) -> Geometry<f64> {
    use geo::orient::{Direction, Orient};
    match g {
        Geometry::Polygon(p) => Geometry::Polygon(p.orient(Direction::Default)),
        Geometry::MultiPolygon(p) => Geometry::MultiPolygon(p.orient(Direction::Default)),
        other => other,
    }
}

fn polygon_area_ha(g: &Geometry<f64>) -> Option<f64> {
    match g {
        Geometry::Polygon(p) => Some(p.geodesic_area_unsigned() / 1e4),
        Geometry::MultiPolygon(p) => Some(p.geodesic_area_unsigned() / 1e4),
        _ => None,
    }
}

fn reproject(
    mut g: Geometry<f64>,
    t: &Transformer,
) -> std::result::Result<Geometry<f64>, FeatureProblem> {
    if !t.is_identity() {
        let f = |c: Coord<f64>| t.to_wgs84(c.x, c.y).map(|(x, y)| Coord { x, y });
        // Per concrete type: geo's impl for `Geometry` recurses through
        // GeometryCollection, which the compiler cannot instantiate with a closure.
        match &mut g {
            Geometry::Point(x) => x.try_map_coords_in_place(f),
            Geometry::Line(x) => x.try_map_coords_in_place(f),
            Geometry::LineString(x) => x.try_map_coords_in_place(f),
            Geometry::Polygon(x) => x.try_map_coords_in_place(f),
            Geometry::MultiPoint(x) => x.try_map_coords_in_place(f),
            Geometry::MultiLineString(x) => x.try_map_coords_in_place(f),
            Geometry::MultiPolygon(x) => x.try_map_coords_in_place(f),
            Geometry::Rect(x) => x.try_map_coords_in_place(f),
            Geometry::Triangle(x) => x.try_map_coords_in_place(f),
            Geometry::GeometryCollection(_) => Err("a GeometryCollection".to_string()),
        }
        .map_err(FeatureProblem::Reprojection)?;
    }
    Ok(g)
}

fn check_geometry(g: &Geometry<f64>, role: Role) -> std::result::Result<(), FeatureProblem> {
    use geo::CoordsIter;
    let mut any = false;
    for c in g.coords_iter() {
        any = true;
        let ok = c.x.is_finite()
            && c.y.is_finite()
            && (-180.0..=180.0).contains(&c.x)
            && (-90.0..=90.0).contains(&c.y);
        if !ok {
            return Err(FeatureProblem::OutOfRange { lon: c.x, lat: c.y });
        }
    }
    if !any {
        return Err(FeatureProblem::NoGeometry);
    }
    let kind = match g {
        Geometry::Point(_) => "Point",
        Geometry::MultiPoint(_) => "MultiPoint",
        Geometry::LineString(_) | Geometry::Line(_) => "LineString",
        Geometry::MultiLineString(_) => "MultiLineString",
        Geometry::Polygon(_) | Geometry::Rect(_) | Geometry::Triangle(_) => "Polygon",
        Geometry::MultiPolygon(_) => "MultiPolygon",
        Geometry::GeometryCollection(_) => "GeometryCollection",
    };
    let allowed = match role {
        Role::Sites => matches!(kind, "Point" | "Polygon" | "MultiPolygon"),
        Role::Zones => matches!(kind, "Polygon" | "MultiPolygon"),
        Role::Facilities | Role::Population => kind != "GeometryCollection",
    };
    if !allowed {
        return Err(FeatureProblem::UnsupportedGeometry(format!(
            "{kind} in a {role} layer"
        )));
    }
    let invalid = match g {
        Geometry::Polygon(p) => p.check_validation().err().map(|e| e.to_string()),
        Geometry::MultiPolygon(p) => p.check_validation().err().map(|e| e.to_string()),
        _ => None,
    };
    match invalid {
        Some(why) => Err(FeatureProblem::InvalidPolygon(why)),
        None => Ok(()),
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
