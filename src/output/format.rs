//! The output formats: their names, the extensions that select them, the files
//! written beside them, and what each can hold (a ranking, a grid's cells).

use std::path::Path;

use crate::error::{Error, Result};

/// An output format.
///
/// ```
/// use sitematch::output::OutputFormat;
/// assert_eq!(OutputFormat::from_extension("GeoJSON"), Some(OutputFormat::Geojson));
/// assert_eq!(OutputFormat::Csv.sidecars(), &["csvt", "prj"]);
/// assert!(OutputFormat::Fgb.writes_grids() && !OutputFormat::Html.writes_grids());
/// let (f, note) = OutputFormat::for_path(Some("out".as_ref()))?;
/// assert_eq!(f, OutputFormat::Geojson);
/// assert!(note.unwrap().contains("no extension"));
/// # Ok::<(), sitematch::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OutputFormat {
    /// RFC 7946 GeoJSON (QGIS, GDAL).
    Geojson,
    /// CSV with lon/lat columns.
    Csv,
    /// A Markdown table for reports.
    Md,
    /// An OGC GeoPackage with the sites, their footprints, the run's metadata and
    /// the QGIS style (a file, not a stream).
    Gpkg,
    /// A self-contained HTML report: the map, a score receipt per site, the table.
    Html,
    /// FlatGeobuf: binary, spatially indexed, for grids of millions of cells.
    Fgb,
    /// GeoParquet: columnar, for DuckDB, GeoPandas, Sedona and GDAL.
    Parquet,
}

impl OutputFormat {
    /// Every format, in the order help texts list them.
    pub const ALL: [OutputFormat; 7] = [
        OutputFormat::Geojson,
        OutputFormat::Csv,
        OutputFormat::Md,
        OutputFormat::Gpkg,
        OutputFormat::Html,
        OutputFormat::Fgb,
        OutputFormat::Parquet,
    ];

    /// Every format with the extensions that select it.
    pub const EXTENSIONS: [(&'static str, OutputFormat); 9] = [
        ("geojson", OutputFormat::Geojson),
        ("json", OutputFormat::Geojson),
        ("csv", OutputFormat::Csv),
        ("md", OutputFormat::Md),
        ("gpkg", OutputFormat::Gpkg),
        ("html", OutputFormat::Html),
        ("htm", OutputFormat::Html),
        ("fgb", OutputFormat::Fgb),
        ("parquet", OutputFormat::Parquet),
    ];

    /// Its name (`--format`): `geojson`, `csv`...
    pub fn name(self) -> &'static str {
        match self {
            OutputFormat::Geojson => "geojson",
            OutputFormat::Csv => "csv",
            OutputFormat::Md => "md",
            OutputFormat::Gpkg => "gpkg",
            OutputFormat::Html => "html",
            OutputFormat::Fgb => "fgb",
            OutputFormat::Parquet => "parquet",
        }
    }

    /// What it is, in a line (the command's help).
    pub fn describe(self) -> &'static str {
        match self {
            OutputFormat::Geojson => "RFC 7946 GeoJSON (QGIS, GDAL)",
            OutputFormat::Csv => "CSV with lon/lat columns",
            OutputFormat::Md => "A Markdown table for reports",
            OutputFormat::Gpkg => {
                "An OGC GeoPackage with the sites, their footprints, the run's metadata and \
                 the QGIS style (needs -o FILE)"
            }
            OutputFormat::Html => {
                "A self-contained HTML report: the map, a score receipt per site, the table"
            }
            OutputFormat::Fgb => {
                "FlatGeobuf: binary, spatially indexed, for grids of millions of cells"
            }
            OutputFormat::Parquet => "GeoParquet: columnar, for DuckDB, GeoPandas, Sedona and GDAL",
        }
    }

    /// The format an extension selects (any case), if any.
    pub fn from_extension(ext: &str) -> Option<OutputFormat> {
        let ext = ext.to_lowercase();
        Self::EXTENSIONS
            .iter()
            .find(|(e, _)| *e == ext)
            .map(|(_, f)| *f)
    }

    /// The format of an output path: from its extension; GeoJSON for standard output
    /// or a path without an extension, with a note saying so for the latter. An
    /// extension no format has is an error naming the formats.
    pub fn for_path(path: Option<&Path>) -> Result<(OutputFormat, Option<String>)> {
        let Some(p) = path else {
            return Ok((OutputFormat::Geojson, None));
        };
        let Some(ext) = p.extension() else {
            let note = format!(
                "-o {} has no extension: writing GeoJSON (name it .geojson, .csv, .md, \
                 .gpkg, .html, .fgb or .parquet, or give --format)",
                p.display()
            );
            return Ok((OutputFormat::Geojson, Some(note)));
        };
        let ext = ext.to_string_lossy();
        Self::from_extension(&ext)
            .map(|f| (f, None))
            .ok_or_else(|| {
                let known: Vec<String> = Self::EXTENSIONS
                    .iter()
                    .map(|(e, _)| format!(".{e}"))
                    .collect();
                Error::UnknownExtension {
                    path: p.to_path_buf(),
                    ext: ext.to_lowercase(),
                    known: known.join(", "),
                }
            })
    }

    /// The extensions of the files written beside an output of this format: a
    /// CSV's `.csvt` (the GDAL types of its columns) and `.prj` (WGS 84).
    pub fn sidecars(self) -> &'static [&'static str] {
        match self {
            OutputFormat::Csv => &["csvt", "prj"],
            _ => &[],
        }
    }

    /// True for the formats of records (one per site or cell) that can hold a grid's
    /// cells as they stream: GeoJSON, CSV, FlatGeobuf and GeoParquet.
    pub fn writes_grids(self) -> bool {
        matches!(
            self,
            OutputFormat::Geojson | OutputFormat::Csv | OutputFormat::Fgb | OutputFormat::Parquet
        )
    }

    /// True for the formats written in any CRS (`--crs`): GeoPackage, FlatGeobuf,
    /// GeoParquet and CSV. GeoJSON is WGS 84 (RFC 7946), and so are the reports.
    pub fn takes_crs(self) -> bool {
        matches!(
            self,
            OutputFormat::Gpkg | OutputFormat::Csv | OutputFormat::Fgb | OutputFormat::Parquet
        )
    }

    /// True for a format written as a file only (a GeoPackage is a database).
    pub fn needs_file(self) -> bool {
        self == OutputFormat::Gpkg
    }

    /// True for the formats a QGIS style file (`.qml`) beside them styles: GeoJSON,
    /// CSV, FlatGeobuf and GeoParquet (a GeoPackage holds its style already).
    pub fn takes_qml(self) -> bool {
        self.writes_grids()
    }
}

impl std::fmt::Display for OutputFormat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.name())
    }
}
