//! From a catalog's layer to a checked WGS84 layer: read the file, reproject, check
//! each geometry for the layer's role, map the fields; bad features are skipped and
//! recorded (or refused with `strict`).

use std::collections::HashSet;
use std::path::Path;

use arcstr::ArcStr;
use rayon::prelude::*;

use geo::{Coord, GeodesicArea, Geometry, MapCoordsInPlace};

use super::{valid, LayerSpec};
use crate::attributes::{AttributeNames, Attributes};
use crate::crs::{Crs, Transformer};
use crate::error::{Error, FeatureProblem, Result, Skipped};
use crate::io::{self, RawTable, ReadOptions};
use crate::model::{Feature, Format, Layer, Role, Value};
use crate::text::Interner;

/// The file of a layer, or an error naming the catalog key when it does not exist.
pub(super) fn existing_file(
    catalog: &Path,
    dir: &Path,
    spec: &LayerSpec,
) -> Result<std::path::PathBuf> {
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
    Ok(file)
}

/// The fields a layer's reader extracts, and its read options, from the catalog.
pub(super) fn read_options(spec: &LayerSpec) -> (Vec<String>, ReadOptions) {
    let wanted: Vec<String> = spec
        .named_fields()
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
        table: spec.table.clone(),
        sql: spec.sql.clone(),
        bbox: spec.bbox.map(|wgs84| io::BboxFilter {
            wgs84,
            crs: spec.crs.clone(),
        }),
    };
    (wanted, opts)
}

/// Every field the catalog maps is one of the file's `fields` (a CSV whose header
/// is one field with another separator in it is told so).
pub(super) fn check_fields(
    catalog: &Path,
    spec: &LayerSpec,
    format: Format,
    file: &Path,
    fields: &[String],
    empty: bool,
) -> Result<()> {
    // A CSV read with commas whose header is one field with semicolons or tabs in it:
    // the file has another separator, which the catalog did not say.
    if let (Format::Csv, None, [header]) = (format, spec.delimiter, fields) {
        let separators = [(';', "\";\""), ('\t', "\"\\t\"")];
        if let Some((c, written)) = separators.iter().find(|(c, _)| header.contains(*c)) {
            return Err(Error::format(
                file,
                crate::error::Location::Line(1),
                format!(
                    "the header is one field with {} {c:?} in it: the file is separated by \
                     {c:?}, not commas; add delimiter = {written} to layer {:?} in {}",
                    header.matches(*c).count(),
                    spec.name,
                    catalog.display()
                ),
            ));
        }
    }
    for (key, field) in spec.named_fields().iter().filter(|_| !empty) {
        if !fields.iter().any(|f| f == field) {
            return Err(Error::MissingField {
                catalog: catalog.to_path_buf(),
                key: format!("layer {:?}.{key}", spec.name),
                file: file.to_path_buf(),
                field: field.clone(),
                available: fields.to_vec(),
            });
        }
    }
    Ok(())
}

/// A layer's CRS (the catalog's `crs`, else the one the file declares, else WGS 84
/// where the format allows it) and its transformer to WGS 84.
pub(super) fn layer_crs(
    catalog: &Path,
    spec: &LayerSpec,
    format: Format,
    file: &Path,
    declared: Option<&Crs>,
    crs_problem: Option<&str>,
) -> Result<(Crs, Transformer)> {
    let crs = match (&spec.crs, declared) {
        (Some(c), _) => c.clone(),
        (None, Some(c)) => c.clone(),
        (None, None) if format == Format::Shapefile => {
            return Err(Error::Crs {
                path: file.to_path_buf(),
                problem: format!(
                    "no .prj next to the shapefile and no `crs` for layer {:?} in {}; \
                     add the .prj or set crs = \"EPSG:...\" in the catalog",
                    spec.name,
                    catalog.display()
                ),
            })
        }
        (None, None) => match crs_problem {
            Some(problem) => {
                return Err(Error::Crs {
                    path: file.to_path_buf(),
                    problem: format!(
                        "{problem}; set crs = \"EPSG:...\" for layer {:?} in {}",
                        spec.name,
                        catalog.display()
                    ),
                })
            }
            None => Crs::WGS84,
        },
    };
    // The file that declares the CRS is the one to fix: the catalog when it sets
    // `crs`, the .prj beside a shapefile, else the data file (a GeoJSON `crs` member).
    let declared_in = match (&spec.crs, format) {
        (Some(_), _) => catalog.to_path_buf(),
        (None, Format::Shapefile) => ["prj", "PRJ"]
            .iter()
            .map(|e| file.with_extension(e))
            .find(|p| p.exists())
            .unwrap_or_else(|| file.to_path_buf()),
        _ => file.to_path_buf(),
    };
    let transformer = Transformer::new(&crs).map_err(|problem| Error::Crs {
        path: declared_in,
        problem: match &spec.crs {
            Some(_) => format!("layer {:?}: crs: {problem}", spec.name),
            None => problem,
        },
    })?;
    Ok((crs, transformer))
}

pub(super) fn load_layer(
    catalog: &Path,
    dir: &Path,
    spec: &LayerSpec,
    format: Format,
    strict: bool,
) -> Result<Layer> {
    // A database is not a file: its URL is read as the catalog gives it.
    let file = if format == Format::PostGis {
        spec.path.clone()
    } else {
        existing_file(catalog, dir, spec)?
    };
    let (wanted, opts) = read_options(spec);
    let raw = io::read(format, &file, &opts, &wanted)?;
    // An empty FeatureCollection names no field (GeoJSON fields come from the
    // features): a valid layer with no features, whatever the catalog maps.
    let empty = raw.features.is_empty() && raw.fields.is_empty();
    check_fields(catalog, spec, format, &file, &raw.fields, empty)?;
    let (crs, transformer) = layer_crs(
        catalog,
        spec,
        format,
        &file,
        raw.declared_crs.as_ref(),
        raw.crs_problem.as_deref(),
    )?;
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
    /// The names of `fields`, shared by every feature.
    names: AttributeNames,
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
            .collect::<Vec<_>>();
        // A catalog's fields are a map: unique.
        let names = AttributeNames::new(fields.iter().map(|(k, _)| k.as_str())).unwrap_or_default();
        Slots {
            id,
            label,
            category,
            commune,
            area,
            tags,
            fields,
            names,
        }
    }
}

fn text_of(values: &[Value], slot: Option<usize>) -> Option<ArcStr> {
    slot.and_then(|s| values.get(s))
        .filter(|v| !v.is_empty())
        .and_then(trimmed)
}

/// A value's text without its surrounding blanks: the value's own text, shared, when
/// it has none.
fn trimmed(v: &Value) -> Option<ArcStr> {
    match v {
        Value::Text(s) if s.trim().len() == s.len() => Some(s.clone()),
        other => other.as_text().map(|s| s.trim().into()),
    }
}

/// A commune code as text: numbers (a DBF numeric field) get their leading zero back.
fn commune_code(v: &Value) -> Option<ArcStr> {
    match v {
        Value::Number(x) if x.fract() == 0.0 && *x >= 0.0 => {
            Some(format!("{:05}", *x as i64).into())
        }
        other if other.is_empty() => None,
        other => trimmed(other),
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
        measure: spec.measure.unwrap_or_default(),
        name: spec.name.clone(),
        role: spec.role,
        format,
        source_crs: crs.to_string(),
        path: Some(file.to_path_buf()),
        attribute_names: spec.fields.keys().cloned().collect(),
        features: Vec::with_capacity(raw.features.len()),
        skipped: Vec::new(),
        outside_bbox: raw.not_read,
    };
    // Reprojection runs in order (a PROJ transformer is not shared between threads);
    // the checks and the fields, where the time goes, run in parallel; ids are then
    // checked for duplicates in file order, so the first of two keeps its place.
    // A text repeated down a column (a commune, a status) is held once: a CSV's texts
    // are so as they are read, the other formats' here.
    let mut texts: Vec<Interner> = Vec::new();
    if format != Format::Csv {
        let width = raw.features.first().map_or(0, |f| f.values.len());
        texts.resize_with(width, Interner::default);
    }
    let reprojected: Vec<_> = raw
        .features
        .into_iter()
        .map(|mut rf| {
            for (v, t) in rf.values.iter_mut().zip(texts.iter_mut()) {
                if let Value::Text(s) = v {
                    let shared = t.text(s);
                    *s = shared;
                }
            }
            let geometry = rf.geometry.and_then(|g| reproject(g, transformer));
            (rf.index, rf.location, geometry, rf.values)
        })
        .collect();
    let built: Vec<_> = reprojected
        .into_par_iter()
        .map(|(index, location, geometry, values)| {
            (
                location,
                build_feature(spec, &slots, index, geometry, &values),
            )
        })
        .collect();
    let mut seen: HashSet<ArcStr> = HashSet::with_capacity(built.len());
    for (location, built) in built {
        // Outside the catalog's bbox: counted, not loaded, its id not taken.
        if let (Some(b), Ok((_, Ok(feature)))) = (spec.bbox, &built) {
            if !meets(&feature.geometry, b) {
                layer.outside_bbox += 1;
                continue;
            }
        }
        let built = built.and_then(|(id, feature)| {
            if seen.contains(&id) {
                Err(FeatureProblem::DuplicateId(id.to_string()))
            } else {
                feature
            }
        });
        match built {
            Ok(feature) => {
                seen.insert(feature.id.clone());
                layer.features.push(feature);
            }
            Err(problem) => {
                let skipped = Skipped {
                    path: file.to_path_buf(),
                    location,
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

/// True when a WGS 84 geometry's bounds meet `[min_lon, min_lat, max_lon, max_lat]`.
fn meets(g: &Geometry<f64>, b: [f64; 4]) -> bool {
    geo::BoundingRect::bounding_rect(g)
        .is_some_and(|r| crate::model::boxes_meet([r.min().x, r.min().y, r.max().x, r.max().y], b))
}

/// One feature from its reprojected geometry and its values: its id (once the
/// geometry passes), then the feature or why it is skipped. A problem with the
/// geometry or the id comes first (outer error), then the duplicate-id check of the
/// caller, then problems with the other fields (inner error).
type Built =
    std::result::Result<(ArcStr, std::result::Result<Feature, FeatureProblem>), FeatureProblem>;

fn build_feature(
    spec: &LayerSpec,
    slots: &Slots,
    index: usize,
    geometry: std::result::Result<Geometry<f64>, FeatureProblem>,
    values: &[Value],
) -> Built {
    let geometry = geometry?;
    check_geometry(&geometry, spec.role)?;
    let geometry = orient(geometry);
    let id = match slots.id {
        Some(s) => text_of(values, Some(s)).ok_or(FeatureProblem::EmptyId)?,
        None => index.to_string().into(),
    };
    let rest = (|| {
        let mut feature =
            Feature::from_geometry(id.clone(), geometry).ok_or(FeatureProblem::NoGeometry)?;
        feature.label = text_of(values, slots.label);
        feature.category = text_of(values, slots.category);
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
        feature.tags = text_of(values, slots.tags)
            .map(|t| {
                t.split(';')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(ArcStr::from)
                    .collect()
            })
            .unwrap_or_default();
        let row = slots
            .fields
            .iter()
            .map(|(_, slot)| match values.get(*slot) {
                Some(v) if !v.is_empty() => v.clone(),
                _ => Value::Null,
            })
            .collect();
        feature.attributes = Attributes::from_values(&slots.names, row).unwrap_or_default();
        Ok(feature)
    })();
    Ok((id, rest))
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
        Role::Network => kind == "Point",
        Role::Facilities | Role::Population => kind != "GeometryCollection",
    };
    if !allowed {
        return Err(FeatureProblem::UnsupportedGeometry(format!(
            "{kind} in a {role} layer"
        )));
    }
    let invalid = match g {
        Geometry::Polygon(p) => valid::polygon_problem(p).map(|e| e.to_string()),
        Geometry::MultiPolygon(p) => valid::multipolygon_problem(p).map(|e| e.to_string()),
        _ => None,
    };
    match invalid {
        Some(why) => Err(FeatureProblem::InvalidPolygon(why)),
        None => Ok(()),
    }
}
