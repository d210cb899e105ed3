//! OGC GeoPackage (version 1.3): the ranking as layers QGIS and GDAL open as they are,
//! with the run's metadata and a default QGIS style, through SQLite (rusqlite, bundled:
//! no system library).
//!
//! Layers (WGS 84, EPSG:4326):
//! - `sites`: the written sites (as [`super::write_geojson`] writes them), points;
//! - `site_footprints`: the same columns for the written sites that have a polygon
//!   footprint, multipolygons (absent when none has one);
//! - `excluded_sites`: with `include_excluded`, the excluded sites, points;
//! - `sitematch_run` (attributes): the run's metadata as key / value rows (brief,
//!   method, weights, units, layers and their counts, warnings, engine version, and
//!   what the caller adds, such as the brief's text);
//! - `sitematch_criteria` (attributes): one row per criterion (type, weight, unit,
//!   travel);
//! - `layer_styles`: the QGIS default style of each spatial layer
//!   ([`super::qgis_style`]), applied when QGIS opens the layer.

use std::path::Path;

use geo::{BoundingRect, Geometry, MultiPolygon, Rect};
use geozero::{CoordDimensions, ToWkb};
use rusqlite::{params, params_from_iter, Connection};

use super::style::{qgis_style, StyleGeometry};
use super::{cells, columns, Cell, Column, OutputOptions, Records};
use crate::error::{Error, Result};
use crate::ranking::{ColumnType, Ranking, SiteResult};

/// The EPSG:4326 definition GeoPackage asks for (OGC WKT 1, as GDAL writes it).
const WGS84_WKT: &str = r#"GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563,AUTHORITY["EPSG","7030"]],AUTHORITY["EPSG","6326"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AXIS["Latitude",NORTH],AXIS["Longitude",EAST],AUTHORITY["EPSG","4326"]]"#;

/// The columns every GeoPackage feature table has.
const FID: &str = "fid";
const GEOM: &str = "geom";

/// How many records of each layer a GeoPackage holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct GpkgCounts {
    /// Records of `sites`.
    pub sites: usize,
    /// Records of `site_footprints`.
    pub footprints: usize,
    /// Records of `excluded_sites`.
    pub excluded: usize,
}

fn write_error(path: &Path, e: impl std::fmt::Display) -> Error {
    Error::Write {
        path: path.to_path_buf(),
        problem: e.to_string(),
    }
}

/// A SQL identifier, quoted.
fn ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

fn sql_type(kind: ColumnType) -> &'static str {
    match kind {
        ColumnType::Text => "TEXT",
        ColumnType::Integer => "INTEGER",
        ColumnType::Number => "REAL",
        ColumnType::Bool => "BOOLEAN",
    }
}

fn sql_value(c: Cell) -> rusqlite::types::Value {
    use rusqlite::types::Value as V;
    match c {
        Cell::Text(t) => t.map_or(V::Null, V::Text),
        Cell::Int(i) => i.map_or(V::Null, V::Integer),
        Cell::Num(x) => x.filter(|x| x.is_finite()).map_or(V::Null, V::Real),
        Cell::Bool(b) => b.map_or(V::Null, |b| V::Integer(i64::from(b))),
    }
}

/// The footprint of a site as a multipolygon, when it has one.
fn footprint(site: &SiteResult) -> Option<MultiPolygon<f64>> {
    match &site.geometry {
        Geometry::Polygon(p) => Some(MultiPolygon(vec![p.clone()])),
        Geometry::MultiPolygon(m) => Some(m.clone()),
        Geometry::Rect(r) => Some(MultiPolygon(vec![r.to_polygon()])),
        _ => None,
    }
}

/// GeoPackage geometry blob: the standard header (with the envelope for polygons),
/// then little-endian WKB.
fn blob(
    g: &Geometry<f64>,
    srs_id: u32,
) -> std::result::Result<Vec<u8>, geozero::error::GeozeroError> {
    let envelope = match g {
        Geometry::Point(_) => Vec::new(),
        _ => g
            .bounding_rect()
            .map(|r| vec![r.min().x, r.max().x, r.min().y, r.max().y])
            .unwrap_or_default(),
    };
    g.to_gpkg_wkb(CoordDimensions::xy(), i32::try_from(srs_id).ok(), envelope)
}

/// One spatial layer to write.
struct FeatureTable<'a> {
    name: &'static str,
    description: String,
    geometry: StyleGeometry,
    /// The sites and the geometry of each.
    rows: Vec<(&'a SiteResult, Geometry<f64>)>,
    records: Records,
}

/// Writes the ranking to a new GeoPackage at `path` (see the module documentation for
/// its layers); `extra` adds key / value rows to the `sitematch_run` table (the brief's
/// file and text, the data folder). `path` must not exist or be empty: the file is
/// created, never merged into.
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
/// use sitematch::output::{write_gpkg, OutputOptions};
/// let ranking = engine.rank(&brief)?;
/// let dir = tempfile::tempdir().unwrap();
/// let path = dir.path().join("shortlist.gpkg");
/// let opts = OutputOptions { top: 10, include_excluded: true };
/// let counts = write_gpkg(&ranking, &opts, &[("brief_file", "brief.toml")], &path)?;
/// assert_eq!((counts.sites, counts.footprints, counts.excluded), (1, 0, 1));
/// // A SQLite file with the GeoPackage application id.
/// let bytes = std::fs::read(&path).unwrap();
/// assert_eq!(&bytes[68..72], b"GPKG");
/// # Ok::<(), sitematch::Error>(())
/// ```
pub fn write_gpkg(
    ranking: &Ranking,
    opts: &OutputOptions,
    extra: &[(&str, &str)],
    path: &Path,
) -> Result<GpkgCounts> {
    write_gpkg_in(ranking, opts, extra, &crate::OutputCrs::wgs84(), path)
}

/// As [`write_gpkg`], with the layers in `crs` (`OutputCrs::epsg(2154)` for
/// Lambert-93): every geometry projected, the CRS's row in `gpkg_spatial_ref_sys`, the
/// extents in its units.
pub fn write_gpkg_in(
    ranking: &Ranking,
    opts: &OutputOptions,
    extra: &[(&str, &str)],
    crs: &crate::OutputCrs,
    path: &Path,
) -> Result<GpkgCounts> {
    if std::fs::metadata(path).is_ok_and(|m| m.len() > 0) {
        return Err(write_error(
            path,
            "the file exists; a GeoPackage is written into a new file (remove it or choose another name)",
        ));
    }
    let mut conn = Connection::open(path).map_err(|e| write_error(path, e))?;
    let counts = fill(&mut conn, ranking, opts, extra, crs).map_err(|e| write_error(path, e))?;
    conn.close().map_err(|(_, e)| write_error(path, e))?;
    Ok(counts)
}

/// The layers of a ranking: written sites, their footprints, excluded sites.
fn tables<'a>(ranking: &'a Ranking, opts: &OutputOptions) -> Vec<FeatureTable<'a>> {
    let brief = &ranking.brief_name;
    let (ranked, excluded): (Vec<&SiteResult>, Vec<&SiteResult>) =
        super::selected(ranking, opts).partition(|s| s.rank.is_some());
    let point = |s: &'a SiteResult| (s, Geometry::Point(s.location));
    let mut out = vec![FeatureTable {
        name: "sites",
        description: format!("The sites ranked for the brief {brief:?}, best first"),
        geometry: StyleGeometry::Point,
        rows: ranked.iter().map(|s| point(s)).collect(),
        records: Records::Ranking,
    }];
    let footprints: Vec<_> = ranked
        .iter()
        .filter_map(|s| footprint(s).map(|m| (*s, Geometry::MultiPolygon(m))))
        .collect();
    if !footprints.is_empty() {
        out.push(FeatureTable {
            name: "site_footprints",
            description: format!(
                "The footprints of the ranked sites that have one (brief {brief:?})"
            ),
            geometry: StyleGeometry::Polygon,
            rows: footprints,
            records: Records::Ranking,
        });
    }
    if opts.include_excluded {
        out.push(FeatureTable {
            name: "excluded_sites",
            description: format!(
                "The sites the brief {brief:?} excludes, with the reasons (excluded_by)"
            ),
            geometry: StyleGeometry::Point,
            rows: excluded.iter().map(|s| point(s)).collect(),
            records: Records::Ranking,
        });
    }
    out
}

fn fill(
    conn: &mut Connection,
    ranking: &Ranking,
    opts: &OutputOptions,
    extra: &[(&str, &str)],
    crs: &crate::OutputCrs,
) -> std::result::Result<GpkgCounts, Box<dyn std::error::Error>> {
    // "GPKG" and version 1.3.0 (GDAL 3.6, as in Debian 12, reads 1.4 only "partially").
    conn.pragma_update(None, "application_id", 0x4750_4B47)?;
    conn.pragma_update(None, "user_version", 10300)?;
    let tx = conn.transaction()?;
    tx.execute_batch(
        "CREATE TABLE gpkg_spatial_ref_sys (
            srs_name TEXT NOT NULL, srs_id INTEGER PRIMARY KEY, organization TEXT NOT NULL,
            organization_coordsys_id INTEGER NOT NULL, definition TEXT NOT NULL,
            description TEXT);
        CREATE TABLE gpkg_contents (
            table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL,
            identifier TEXT UNIQUE, description TEXT DEFAULT '',
            last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
            min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, srs_id INTEGER,
            CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id));
        CREATE TABLE gpkg_geometry_columns (
            table_name TEXT NOT NULL, column_name TEXT NOT NULL,
            geometry_type_name TEXT NOT NULL, srs_id INTEGER NOT NULL,
            z TINYINT NOT NULL, m TINYINT NOT NULL,
            CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name),
            CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),
            CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id));",
    )?;
    tx.execute(
        "INSERT INTO gpkg_spatial_ref_sys VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            "Undefined cartesian SRS",
            -1,
            "NONE",
            -1,
            "undefined",
            "undefined cartesian coordinate reference system"
        ],
    )?;
    tx.execute(
        "INSERT INTO gpkg_spatial_ref_sys VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            "Undefined geographic SRS",
            0,
            "NONE",
            0,
            "undefined",
            "undefined geographic coordinate reference system"
        ],
    )?;
    tx.execute(
        "INSERT INTO gpkg_spatial_ref_sys VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            "WGS 84 geodetic",
            4326,
            "EPSG",
            4326,
            WGS84_WKT,
            "longitude/latitude coordinates in decimal degrees on the WGS 84 spheroid"
        ],
    )?;
    if !crs.is_wgs84() {
        tx.execute(
            "INSERT INTO gpkg_spatial_ref_sys VALUES (?1, ?2, 'EPSG', ?2, ?3, ?4)",
            params![crs.name(), crs.code(), crs.wkt(), crs.name()],
        )?;
    }
    let mut counts = GpkgCounts::default();
    let mut styled = Vec::new();
    for table in tables(ranking, opts) {
        write_table(&tx, ranking, &table, crs)?;
        let n = table.rows.len();
        match table.name {
            "sites" => counts.sites = n,
            "site_footprints" => counts.footprints = n,
            _ => counts.excluded = n,
        }
        styled.push((table.name, table.geometry));
    }
    write_metadata(&tx, ranking, extra)?;
    write_styles(&tx, &styled)?;
    tx.commit()?;
    Ok(counts)
}

/// The columns of a feature table: the flat schema, renamed where a name is taken by
/// the table's own `fid` and `geom` (or by another column, SQLite names being
/// case-insensitive).
fn table_columns(ranking: &Ranking, records: Records) -> Vec<Column> {
    let mut taken: std::collections::HashSet<String> =
        [FID, GEOM].iter().map(|s| s.to_string()).collect();
    let mut cols = columns(ranking, records);
    for c in &mut cols {
        let mut name = c.name.clone();
        while taken.contains(&name.to_lowercase()) {
            name = format!("attr_{name}");
        }
        taken.insert(name.to_lowercase());
        c.name = name;
    }
    cols
}

fn write_table(
    tx: &rusqlite::Transaction<'_>,
    ranking: &Ranking,
    table: &FeatureTable<'_>,
    crs: &crate::OutputCrs,
) -> std::result::Result<(), Box<dyn std::error::Error>> {
    let cols = table_columns(ranking, table.records);
    let geometry_type = match table.geometry {
        StyleGeometry::Point => "POINT",
        StyleGeometry::Polygon => "MULTIPOLYGON",
    };
    let mut ddl = format!(
        "CREATE TABLE {} ({FID} INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, {GEOM} {geometry_type}",
        ident(table.name)
    );
    for c in &cols {
        ddl.push_str(&format!(", {} {}", ident(&c.name), sql_type(c.kind)));
    }
    ddl.push(')');
    tx.execute(&ddl, [])?;
    let mut extent: Option<Rect<f64>> = None;
    {
        let names: Vec<String> = std::iter::once(GEOM.to_string())
            .chain(cols.iter().map(|c| ident(&c.name)))
            .collect();
        let marks: Vec<String> = (1..=names.len()).map(|k| format!("?{k}")).collect();
        let mut insert = tx.prepare(&format!(
            "INSERT INTO {} ({}) VALUES ({})",
            ident(table.name),
            names.join(", "),
            marks.join(", ")
        ))?;
        for (site, geometry) in &table.rows {
            let geometry = &crs
                .project_geometry(geometry)
                .map_err(|e| format!("site {:?}: {e}", site.site_id))?;
            if let Some(r) = geometry.bounding_rect() {
                extent = Some(match extent {
                    None => r,
                    Some(e) => Rect::new(
                        (e.min().x.min(r.min().x), e.min().y.min(r.min().y)),
                        (e.max().x.max(r.max().x), e.max().y.max(r.max().y)),
                    ),
                });
            }
            let mut values = vec![rusqlite::types::Value::Blob(blob(geometry, crs.code())?)];
            values.extend(
                cells(ranking, table.records, site)
                    .into_iter()
                    .map(sql_value),
            );
            insert.execute(params_from_iter(values))?;
        }
    }
    let (min_x, min_y, max_x, max_y) = match extent {
        Some(e) => (
            Some(e.min().x),
            Some(e.min().y),
            Some(e.max().x),
            Some(e.max().y),
        ),
        None => (None, None, None, None),
    };
    tx.execute(
        "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, min_x, min_y, max_x, max_y, srs_id)
         VALUES (?1, 'features', ?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![table.name, table.description, min_x, min_y, max_x, max_y, crs.code()],
    )?;
    tx.execute(
        "INSERT INTO gpkg_geometry_columns VALUES (?1, ?2, ?3, ?4, 0, 0)",
        params![table.name, GEOM, geometry_type, crs.code()],
    )?;
    Ok(())
}

/// The `sitematch_run` and `sitematch_criteria` tables.
fn write_metadata(
    tx: &rusqlite::Transaction<'_>,
    ranking: &Ranking,
    extra: &[(&str, &str)],
) -> std::result::Result<(), Box<dyn std::error::Error>> {
    tx.execute_batch(
        "CREATE TABLE sitematch_run (fid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, key TEXT NOT NULL, value TEXT);
         CREATE TABLE sitematch_criteria (fid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
            name TEXT NOT NULL, type TEXT NOT NULL, weight REAL NOT NULL, unit TEXT NOT NULL,
            travel TEXT NOT NULL, sums TEXT, missing_values INTEGER);
         INSERT INTO gpkg_contents (table_name, data_type, identifier, description)
            VALUES ('sitematch_run', 'attributes', 'sitematch_run', 'The run: brief, method, weights, units, data, warnings, engine (values in JSON where not plain text)');
         INSERT INTO gpkg_contents (table_name, data_type, identifier, description)
            VALUES ('sitematch_criteria', 'attributes', 'sitematch_criteria', 'The criteria of the brief with their normalised weights');",
    )?;
    let mut insert = tx.prepare("INSERT INTO sitematch_run (key, value) VALUES (?1, ?2)")?;
    if let serde_json::Value::Object(meta) = super::geojson::metadata(ranking) {
        for (key, value) in meta {
            let text = match value {
                serde_json::Value::Null => None,
                serde_json::Value::String(s) => Some(s),
                v => Some(v.to_string()),
            };
            insert.execute(params![key, text])?;
        }
    }
    for (key, value) in extra {
        insert.execute(params![key, value])?;
    }
    let mut insert = tx.prepare(
        "INSERT INTO sitematch_criteria (name, type, weight, unit, travel, sums, missing_values)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    for c in &ranking.criteria {
        insert.execute(params![
            c.name,
            c.kind.to_string(),
            c.weight,
            c.unit,
            c.travel.how(),
            c.sums,
            c.missing_values.and_then(|n| i64::try_from(n).ok()),
        ])?;
    }
    Ok(())
}

/// The `layer_styles` table QGIS reads (its own layout), one default style per layer.
fn write_styles(
    tx: &rusqlite::Transaction<'_>,
    layers: &[(&str, StyleGeometry)],
) -> std::result::Result<(), Box<dyn std::error::Error>> {
    tx.execute_batch(
        "CREATE TABLE layer_styles (id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
            f_table_catalog TEXT(256), f_table_schema TEXT(256), f_table_name TEXT(256),
            f_geometry_column TEXT(256), styleName TEXT(30), styleQML TEXT, styleSLD TEXT,
            useAsDefault BOOLEAN, description TEXT, owner TEXT(30), ui TEXT(30),
            update_time DATETIME DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')));
         INSERT INTO gpkg_contents (table_name, data_type, identifier, description)
            VALUES ('layer_styles', 'attributes', 'layer_styles', 'QGIS layer styles');",
    )?;
    let mut insert = tx.prepare(
        "INSERT INTO layer_styles (f_table_catalog, f_table_schema, f_table_name, f_geometry_column,
            styleName, styleQML, styleSLD, useAsDefault, description, owner)
         VALUES ('', '', ?1, ?2, ?3, ?4, '', 1, ?5, 'sitematch')",
    )?;
    for (name, geometry) in layers {
        let excluded = *name == "excluded_sites";
        let (qml, what) = if excluded {
            (qgis_style(*geometry, false, None), "excluded sites in grey")
        } else {
            (
                qgis_style(*geometry, true, Some("rank")),
                "coloured by score in five classes, labelled by rank",
            )
        };
        insert.execute(params![
            name,
            GEOM,
            format!("{name} (sitematch)"),
            qml,
            what
        ])?;
    }
    Ok(())
}
