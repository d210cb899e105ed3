//! The in-memory data model: layers of features in WGS84 longitude/latitude.

use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::path::PathBuf;

use geo::{BoundingRect, Centroid, Geometry, Point, Rect};
use serde::{Deserialize, Serialize};

use arcstr::ArcStr;

use crate::attributes::Attributes;
use crate::error::{FeatureProblem, Location, Skipped};

/// What a layer is for (docs/engine.md, section 1).
///
/// ```
/// use sitematch::Role;
/// assert_eq!(Role::Population.to_string(), "population");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Candidate locations to rank.
    Sites,
    /// Things to be near to or to count (interchanges, ports, training centres).
    Facilities,
    /// Weighted points for catchment sums (communes).
    Population,
    /// Areas that exclude a site or earn it a bonus.
    Zones,
    /// A road graph for drive times (`travel = "drive"`).
    Network,
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Role::Sites => "sites",
            Role::Facilities => "facilities",
            Role::Population => "population",
            Role::Zones => "zones",
            Role::Network => "network",
        })
    }
}

/// The file format a layer was read from.
///
/// ```
/// use sitematch::{Feature, Format, Layer, Role};
/// let layer = Layer::from_features("x", Role::Sites, vec![Feature::point("a", 0.0, 0.0)]);
/// assert_eq!(layer.format, Format::Memory);
/// assert_eq!(Format::GeoJson.to_string(), "geojson");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Format {
    /// GeoJSON FeatureCollection.
    GeoJson,
    /// ESRI Shapefile.
    Shapefile,
    /// CSV with coordinate columns or a WKT column (optionally gzip-compressed).
    Csv,
    /// An OpenStreetMap extract (`.osm.pbf`), for network layers.
    OsmPbf,
    /// Built in memory by a program.
    Memory,
    /// A GeoPackage's feature table (`.gpkg`).
    GeoPackage,
    /// FlatGeobuf (`.fgb`).
    FlatGeobuf,
    /// GeoParquet (`.parquet`).
    GeoParquet,
    /// A PostGIS table or query (`postgresql://...`).
    PostGis,
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Format::GeoJson => "geojson",
            Format::Shapefile => "shapefile",
            Format::Csv => "csv",
            Format::OsmPbf => "osm-pbf",
            Format::Memory => "memory",
            Format::GeoPackage => "geopackage",
            Format::FlatGeobuf => "flatgeobuf",
            Format::GeoParquet => "geoparquet",
            Format::PostGis => "postgis",
        })
    }
}

/// An attribute value, typed as the file gave it.
///
/// ```
/// use sitematch::Value;
/// assert_eq!(Value::Text("12,5".into()).as_f64(), Some(12.5));
/// assert_eq!(Value::Number(59.0).as_text().as_deref(), Some("59"));
/// assert!(Value::Null.is_empty());
/// ```
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub enum Value {
    /// Absent, null or an empty cell.
    #[default]
    Null,
    /// A boolean (GeoJSON `true`/`false`, DBF logical).
    Bool(bool),
    /// A number (GeoJSON number, DBF numeric).
    Number(f64),
    /// Text, including numbers written in text files (CSV cells stay text). Shared:
    /// a ranking's copy of a site's attributes costs no allocation.
    Text(ArcStr),
}

impl Value {
    /// The value as a number: numbers as they are, text parsed (a decimal comma is
    /// accepted), anything else `None`.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Number(x) if x.is_finite() => Some(*x),
            Value::Text(s) => parse_number(s),
            _ => None,
        }
    }

    /// The value as text (`None` for null); numbers in their shortest form.
    pub fn as_text(&self) -> Option<String> {
        match self {
            Value::Null => None,
            Value::Bool(b) => Some(b.to_string()),
            Value::Number(x) => Some(format_number(*x)),
            Value::Text(s) => Some(s.to_string()),
        }
    }

    /// The value as shared text (`None` for null): text as it is, without a copy;
    /// numbers in their shortest form.
    pub fn text(&self) -> Option<ArcStr> {
        match self {
            Value::Text(s) => Some(s.clone()),
            other => other.as_text().map(ArcStr::from),
        }
    }

    /// True for null and for empty or blank text.
    pub fn is_empty(&self) -> bool {
        match self {
            Value::Null => true,
            Value::Text(s) => s.trim().is_empty(),
            _ => false,
        }
    }
}

/// Parses a number written as text: surrounding blanks ignored, `,` accepted as the
/// decimal separator when there is no `.`. Returns `None` for anything else.
///
/// ```
/// assert_eq!(sitematch::parse_number(" 12,5 "), Some(12.5));
/// assert_eq!(sitematch::parse_number("1.5"), Some(1.5));
/// assert_eq!(sitematch::parse_number("n/a"), None);
/// ```
pub fn parse_number(s: &str) -> Option<f64> {
    let t = s.trim();
    if t.is_empty() {
        return None;
    }
    let parsed = if t.contains(',') && !t.contains('.') {
        parse_decimal_comma(t)
    } else {
        t.parse::<f64>()
    };
    parsed.ok().filter(|x| x.is_finite())
}

/// Parses a number written with a decimal comma (`48,85`).
pub(crate) fn parse_decimal_comma(t: &str) -> Result<f64, std::num::ParseFloatError> {
    t.replace(',', ".").parse::<f64>()
}

/// True for `[min_lon, min_lat, max_lon, max_lat]` in degrees, min below max: a
/// brief's `filter.bbox`, a catalog layer's `bbox`.
pub(crate) fn is_lon_lat_box([a, b, c, d]: [f64; 4]) -> bool {
    let (lon, lat) = (-180.0..=180.0, -90.0..=90.0);
    a < c && b < d && lon.contains(&a) && lon.contains(&c) && lat.contains(&b) && lat.contains(&d)
}

/// True when two boxes `[min_x, min_y, max_x, max_y]` meet (touching counts).
pub(crate) fn boxes_meet(p: [f64; 4], q: [f64; 4]) -> bool {
    p[0] <= q[2] && p[2] >= q[0] && p[1] <= q[3] && p[3] >= q[1]
}

/// The département of a commune code: its first 2 characters, 3 for overseas codes
/// starting "97".
pub(crate) fn department(commune: &str) -> Option<&str> {
    let c = commune.trim();
    let n = if c.starts_with("97") { 3 } else { 2 };
    c.get(..n)
}

/// Formats a number as text: integers without a fractional part.
pub(crate) fn format_number(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        format!("{x}")
    }
}

/// One feature of a layer, in WGS84 longitude/latitude.
///
/// ```
/// let mut f = sitematch::Feature::point("62563_4330", 2.83, 50.43);
/// f.area_ha = Some(109.5);
/// f.attributes.insert("statut".into(), sitematch::Value::Text("friche sans projet".into()));
/// assert_eq!(f.attribute("area_ha").as_f64(), Some(109.5));
/// assert_eq!(f.attribute("statut").as_text().as_deref(), Some("friche sans projet"));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Feature {
    /// Unique id within the layer (from the `id` field, else the 0-based feature index).
    pub id: ArcStr,
    /// Human-readable name.
    pub label: Option<ArcStr>,
    /// Category (from the catalog's `category` field).
    pub category: Option<ArcStr>,
    /// INSEE commune code, as text with its leading zero ("01001", "2A004").
    pub commune: Option<ArcStr>,
    /// Land area in hectares: from the area field, else the geodesic area of a polygon.
    pub area_ha: Option<f64>,
    /// Tags (from the catalog's `tags` field) that criteria can match.
    pub tags: Vec<ArcStr>,
    /// Attributes under their catalog names (`[layer.fields]`).
    pub attributes: Attributes,
    /// The geometry, in WGS84 longitude/latitude.
    pub geometry: Geometry<f64>,
    /// The feature's location: the point itself, or the centroid of other geometries.
    pub location: Point<f64>,
}

impl Feature {
    /// A point feature with an id and nothing else; the other fields are public.
    ///
    /// ```
    /// let f = sitematch::Feature::point("a", 2.35, 48.85);
    /// assert_eq!(f.location.x(), 2.35);
    /// ```
    pub fn point(id: impl Into<ArcStr>, lon: f64, lat: f64) -> Self {
        let p = Point::new(lon, lat);
        Feature {
            id: id.into(),
            label: None,
            category: None,
            commune: None,
            area_ha: None,
            tags: Vec::new(),
            attributes: Attributes::new(),
            geometry: Geometry::Point(p),
            location: p,
        }
    }

    /// A feature from any geometry; its location is its centroid (docs/engine.md).
    /// `None` when the geometry is empty.
    pub fn from_geometry(id: impl Into<ArcStr>, geometry: Geometry<f64>) -> Option<Self> {
        let location = match &geometry {
            Geometry::Point(p) => *p,
            g => g.centroid()?,
        };
        let mut f = Feature::point(id, location.x(), location.y());
        f.geometry = geometry;
        Some(f)
    }

    /// The attribute under its catalog name, or one of the built-ins `id`, `label`,
    /// `category`, `commune` and `area_ha`.
    pub fn attribute(&self, name: &str) -> Value {
        match name {
            "id" => Value::Text(self.id.clone()),
            "label" => self.label.clone().map_or(Value::Null, Value::Text),
            "category" => self.category.clone().map_or(Value::Null, Value::Text),
            "commune" => self.commune.clone().map_or(Value::Null, Value::Text),
            "area_ha" => self.area_ha.map_or(Value::Null, Value::Number),
            _ => self.attributes.get(name).cloned().unwrap_or_default(),
        }
    }
}

/// The site fields every site has, whatever its layer's attributes.
pub(crate) const BUILTIN_FIELDS: [&str; 5] = ["id", "label", "category", "commune", "area_ha"];

/// A loaded layer: features in WGS84 plus the record of what was skipped.
///
/// ```
/// use sitematch::{Feature, Layer, Role};
/// let layer = Layer::from_features("ports", Role::Facilities, vec![
///     Feature::point("a", 1.0, 43.0),
///     Feature::point("b", 3.0, 51.0),
/// ]);
/// let bbox = layer.bbox().unwrap();
/// assert_eq!((bbox.min().x, bbox.max().y), (1.0, 51.0));
/// ```
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Layer {
    /// Unique name; briefs refer to layers by it.
    pub name: String,
    /// What the layer is for.
    pub role: Role,
    /// The format it was read from.
    pub format: Format,
    /// The CRS the source was in (`EPSG:2154`, `EPSG:4326`...).
    pub source_crs: String,
    /// The file it was read from (`None` for in-memory layers).
    pub path: Option<PathBuf>,
    /// The attribute names features carry (the catalog's `[layer.fields]` names).
    pub attribute_names: Vec<String>,
    /// The features, in file order.
    pub features: Vec<Feature>,
    /// Features that were not loaded, with why.
    pub skipped: Vec<Skipped>,
    /// Features outside the catalog's `bbox` for the layer, not loaded.
    pub outside_bbox: usize,
    /// How distance criteria measure to the features (`measure` in the catalog).
    pub measure: Measure,
}

/// How a distance criterion measures to the features of a layer (docs/engine.md, section 2).
///
/// ```
/// use geo::{line_string, Geometry};
/// use sitematch::{Feature, IndexedLayer, Layer, Measure, Role};
/// // A power line along the equator, from lon 0 to lon 1; its centroid is at lon 0.5.
/// let line = Feature::from_geometry("l", Geometry::LineString(line_string![(x: 0.0, y: 0.0), (x: 1.0, y: 0.0)])).unwrap();
/// let mut layer = Layer::from_features("lines", Role::Facilities, vec![line]);
/// layer.measure = Measure::Geometry;
/// let index = IndexedLayer::new(layer);
/// // 0.01° north of the line's end: 1.1 km to the line, not 55 km to its centroid.
/// let (_, d) = index.nearest(geo::Point::new(0.0, 0.01), |_| true).unwrap();
/// assert!((d - 1_105.7).abs() < 1.0);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Measure {
    /// To the feature's location (its point, or the centroid of a line or polygon).
    #[default]
    Centroid,
    /// To the nearest point of the feature's geometry (0 inside a polygon).
    Geometry,
}

impl Layer {
    /// True when the layer's features carry this field: a built-in one (`id`,
    /// `label`, `category`, `commune`, `area_ha`) or one of its attributes.
    pub fn has_field(&self, name: &str) -> bool {
        BUILTIN_FIELDS.contains(&name) || self.attribute_names.iter().any(|a| a == name)
    }

    /// Builds a layer from features made in memory. Ids must be unique: a repeated
    /// id is skipped and recorded, as when reading a file.
    ///
    /// ```
    /// use sitematch::{Feature, Layer, Role};
    /// let layer = Layer::from_features("ports", Role::Facilities, vec![
    ///     Feature::point("le-havre", 0.107, 49.48),
    ///     Feature::point("le-havre", 0.2, 49.5),
    /// ]);
    /// assert_eq!(layer.features.len(), 1);
    /// assert_eq!(layer.skipped.len(), 1);
    /// ```
    pub fn from_features(name: impl Into<String>, role: Role, features: Vec<Feature>) -> Self {
        let mut layer = Layer {
            measure: Measure::Centroid,
            name: name.into(),
            role,
            format: Format::Memory,
            source_crs: "EPSG:4326".to_string(),
            path: None,
            attribute_names: features
                .iter()
                .flat_map(|f| f.attributes.keys().map(String::from))
                .collect::<std::collections::BTreeSet<String>>()
                .into_iter()
                .collect(),
            features: Vec::with_capacity(features.len()),
            skipped: Vec::new(),
            outside_bbox: 0,
        };
        let mut seen = HashSet::new();
        for (index, f) in features.into_iter().enumerate() {
            if seen.insert(f.id.clone()) {
                layer.features.push(f);
            } else {
                layer.skipped.push(Skipped {
                    path: PathBuf::from(format!("<memory:{}>", layer.name)),
                    location: Location::Feature(index),
                    problem: FeatureProblem::DuplicateId(f.id.to_string()),
                });
            }
        }
        layer
    }

    /// The bounding box of all features, `None` when the layer is empty.
    pub fn bbox(&self) -> Option<Rect<f64>> {
        let mut rects = self
            .features
            .iter()
            .filter_map(|f| f.geometry.bounding_rect());
        let first = rects.next()?;
        Some(rects.fold(first, |a, b| {
            Rect::new(
                (a.min().x.min(b.min().x), a.min().y.min(b.min().y)),
                (a.max().x.max(b.max().x), a.max().y.max(b.max().y)),
            )
        }))
    }

    /// Skipped features counted per reason code, sorted by code.
    pub fn skipped_by_reason(&self) -> BTreeMap<&'static str, usize> {
        let mut counts = BTreeMap::new();
        for s in &self.skipped {
            *counts.entry(s.problem.code()).or_insert(0) += 1;
        }
        counts
    }

    /// Distinct tag values with how many features carry each, most common first
    /// (ties by tag).
    pub fn tag_counts(&self) -> Vec<(String, usize)> {
        let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
        for f in &self.features {
            for t in &f.tags {
                *counts.entry(t.as_str()).or_insert(0) += 1;
            }
        }
        let mut v: Vec<(String, usize)> = counts
            .into_iter()
            .map(|(k, n)| (k.to_string(), n))
            .collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        v
    }
}

/// A criterion's raw value for one site.
///
/// ```
/// # use sitematch::{Brief, Catalog, Engine, Feature, Layer, Role};
/// # let mut big = Feature::point("big", 2.0, 48.0);
/// # big.area_ha = Some(50.0);
/// # let mut small = Feature::point("small", 2.1, 48.0);
/// # small.area_ha = Some(10.0);
/// # let sites = Layer::from_features("sites", Role::Sites, vec![big, small]);
/// # let engine = Engine::new(Catalog::from_layers(vec![sites]));
/// # let brief = Brief::from_toml_str("[filter]\nmin_area_ha = 20\n[[criterion]]\nname = \"land\"\ntype = \"attribute\"\nfield = \"area_ha\"\nideal = 60\nzero = 0\n")?;
/// use sitematch::CriterionValue;
/// let ranking = engine.rank(&brief)?;
/// let value = &ranking.site("big").unwrap().criteria[0].value;
/// assert_eq!(value, &CriterionValue::Number(Some(50.0)));
/// assert_eq!(value.as_f64(), Some(50.0));
/// # Ok::<(), sitematch::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum CriterionValue {
    /// A number (km, a sum, an attribute), or `None` (no facility, missing value).
    Number(Option<f64>),
    /// The text of a category criterion.
    Text(Option<ArcStr>),
}

impl CriterionValue {
    /// The number, for a numeric value that is present.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            CriterionValue::Number(x) => *x,
            CriterionValue::Text(_) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn departments_of_communes() {
        use super::department;
        assert_eq!(department("59350"), Some("59"));
        assert_eq!(department("2A004"), Some("2A"));
        assert_eq!(department("97411"), Some("974"));
        assert_eq!(department("01001"), Some("01"));
        assert_eq!(department("9"), None);
    }

    use super::*;

    #[test]
    fn numbers_parse_with_comma_or_point() {
        assert_eq!(parse_number(" 874230,62 "), Some(874230.62));
        assert_eq!(parse_number("1.5"), Some(1.5));
        assert_eq!(parse_number("1,234.5"), None);
        assert_eq!(parse_number("NaN"), None);
        assert_eq!(parse_number(""), None);
    }

    #[test]
    fn polygon_location_is_centroid() {
        let poly: Geometry<f64> =
            geo::Polygon::new(vec![(0., 0.), (2., 0.), (2., 2.), (0., 2.)].into(), vec![]).into();
        let f = Feature::from_geometry("p", poly).unwrap();
        assert_eq!(f.location, Point::new(1.0, 1.0));
    }

    #[test]
    fn builtins_are_attributes() {
        let mut f = Feature::point("x", 0.0, 0.0);
        f.area_ha = Some(3.0);
        assert_eq!(f.attribute("id"), Value::Text("x".into()));
        assert_eq!(f.attribute("area_ha").as_f64(), Some(3.0));
        assert_eq!(f.attribute("nope"), Value::Null);
    }
}
