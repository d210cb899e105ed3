//! Errors: every one names the file, the place in it and, where there is one, the fix.

use std::fmt;
use std::path::PathBuf;

/// Where in a file something happened.
///
/// ```
/// use sitematch::Location;
/// assert_eq!(Location::Line(12).to_string(), "line 12");
/// assert_eq!(Location::Feature(3).to_string(), "feature 3");
/// ```
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub enum Location {
    /// The file as a whole (its header, its CRS, its structure).
    File,
    /// A feature or record, by its 0-based index (GeoJSON, Shapefile).
    Feature(usize),
    /// A 1-based line of a text file (CSV; line 1 is the header).
    Line(u64),
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::File => f.write_str("file"),
            Location::Feature(i) => write!(f, "feature {i}"),
            Location::Line(l) => write!(f, "line {l}"),
        }
    }
}

/// Why one feature was skipped (or, with `--strict`, refused).
///
/// ```
/// use sitematch::FeatureProblem;
/// let p = FeatureProblem::OutOfRange { lon: 652_000.0, lat: 6_862_000.0 };
/// assert_eq!(p.code(), "out_of_range");
/// assert!(p.to_string().contains("check the layer's `crs`"));
/// ```
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub enum FeatureProblem {
    /// The feature has no geometry (null geometry, empty coordinate cells).
    NoGeometry,
    /// A coordinate is not a number, or its text does not parse.
    BadCoordinate(String),
    /// A coordinate is NaN, infinite or outside lon [-180, 180] / lat [-90, 90] after reprojection.
    OutOfRange {
        /// Longitude (after reprojection).
        lon: f64,
        /// Latitude (after reprojection).
        lat: f64,
    },
    /// A polygon that breaks the OGC simple-features rules.
    InvalidPolygon(String),
    /// A geometry type that this layer cannot use.
    UnsupportedGeometry(String),
    /// The area field is present but is not a non-negative number.
    BadArea {
        /// The field's name in the file.
        field: String,
        /// The text found.
        value: String,
    },
    /// The id was already used by an earlier feature of the layer (the first wins).
    DuplicateId(String),
    /// The id field is empty.
    EmptyId,
    /// A field's bytes are not text in the layer's encoding.
    Encoding {
        /// The field's name.
        field: String,
        /// The encoding that was tried.
        encoding: String,
    },
    /// A record that the format reader could not parse (wrong column count, bad WKT...).
    Unparseable(String),
    /// The point could not be reprojected.
    Reprojection(String),
    /// A network edge that cannot be driven: a node that is not in the nodes file, a
    /// length that is not a positive number.
    BadEdge(String),
}

impl FeatureProblem {
    /// A short stable code for the reason, used in counts (`no_geometry`, `invalid_polygon`...).
    pub fn code(&self) -> &'static str {
        match self {
            FeatureProblem::NoGeometry => "no_geometry",
            FeatureProblem::BadCoordinate(_) => "bad_coordinate",
            FeatureProblem::OutOfRange { .. } => "out_of_range",
            FeatureProblem::InvalidPolygon(_) => "invalid_polygon",
            FeatureProblem::UnsupportedGeometry(_) => "unsupported_geometry",
            FeatureProblem::BadArea { .. } => "bad_area",
            FeatureProblem::DuplicateId(_) => "duplicate_id",
            FeatureProblem::EmptyId => "empty_id",
            FeatureProblem::Encoding { .. } => "encoding",
            FeatureProblem::Unparseable(_) => "unparseable",
            FeatureProblem::Reprojection(_) => "reprojection",
            FeatureProblem::BadEdge(_) => "bad_edge",
        }
    }
}

impl fmt::Display for FeatureProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FeatureProblem::NoGeometry => f.write_str("no geometry"),
            FeatureProblem::BadCoordinate(s) => write!(f, "bad coordinate: {s}"),
            FeatureProblem::OutOfRange { lon, lat } => write!(
                f,
                "coordinates out of range after reprojection (lon {lon}, lat {lat}); \
                 check the layer's `crs` in the catalog"
            ),
            FeatureProblem::InvalidPolygon(s) => write!(f, "invalid polygon: {s}"),
            FeatureProblem::UnsupportedGeometry(s) => write!(f, "unsupported geometry: {s}"),
            FeatureProblem::BadArea { field, value } => write!(
                f,
                "area field `{field}` holds {value:?}, which is not a non-negative number"
            ),
            FeatureProblem::DuplicateId(id) => {
                write!(
                    f,
                    "id {id:?} is used by an earlier feature (the first is kept)"
                )
            }
            FeatureProblem::EmptyId => f.write_str("the id field is empty"),
            FeatureProblem::Encoding { field, encoding } => write!(
                f,
                "field `{field}` is not valid {encoding}; set `encoding` in the catalog \
                 (utf-8, latin1 or cp1252)"
            ),
            FeatureProblem::Unparseable(s) => write!(f, "cannot parse: {s}"),
            FeatureProblem::Reprojection(s) => write!(f, "cannot reproject: {s}"),
            FeatureProblem::BadEdge(s) => write!(f, "edge not used: {s}"),
        }
    }
}

/// A feature that was not loaded, and why.
///
/// ```
/// let catalog = sitematch::Catalog::from_path(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/rank"))?;
/// for layer in &catalog.layers {
///     for skipped in &layer.skipped {
///         // file, place (feature index or CSV line), reason
///         println!("{}: {skipped}", layer.name);
///     }
/// }
/// # Ok::<(), sitematch::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Skipped {
    /// The file it came from.
    pub path: PathBuf,
    /// Where in the file.
    pub location: Location,
    /// Why it was skipped.
    pub problem: FeatureProblem,
}

impl fmt::Display for Skipped {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {}: {}",
            self.path.display(),
            self.location,
            self.problem
        )
    }
}

/// Everything that can go wrong in sitematch.
///
/// ```
/// let e = sitematch::Catalog::from_path("no/such/catalog.toml").unwrap_err();
/// // Every error names the file.
/// assert!(e.to_string().starts_with("no/such/catalog.toml: "));
/// assert!(matches!(e, sitematch::Error::Io { .. }));
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A file could not be opened or read.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// What the OS said.
        source: std::io::Error,
    },
    /// The catalog is malformed or names something that does not exist: every
    /// problem found, each with its key path.
    #[error("{}", CatalogProblems { path, problems })]
    Catalog {
        /// The catalog file.
        path: PathBuf,
        /// The problems (`layer[2].crs`: what is wrong and how to fix it).
        problems: Vec<KeyProblem>,
    },
    /// The catalog maps a field the layer's file does not have.
    #[error(
        "{}: {key} = {field:?}: {} has no field {field:?}; its fields are: {}",
        catalog.display(),
        file.display(),
        crate::text::clip(&available.join(", "), 300)
    )]
    MissingField {
        /// The catalog file.
        catalog: PathBuf,
        /// The catalog key that names the field.
        key: String,
        /// The data file.
        file: PathBuf,
        /// The field asked for.
        field: String,
        /// The fields the file has.
        available: Vec<String>,
    },
    /// A CRS that cannot be identified or used.
    #[error("{}: {problem}", path.display())]
    Crs {
        /// The file whose CRS is at fault (a `.prj`, a GeoJSON, the catalog).
        path: PathBuf,
        /// What is wrong and how to fix it.
        problem: String,
    },
    /// A file whose format is broken beyond one feature (bad JSON, truncated shapefile).
    #[error("{}: {location}: {problem}", path.display())]
    Format {
        /// The file.
        path: PathBuf,
        /// Where.
        location: Location,
        /// What is wrong.
        problem: String,
    },
    /// A bad feature, refused because `--strict` was given.
    #[error("{skipped} (strict mode: fix the feature or run without --strict to skip it)")]
    Strict {
        /// The feature and its problem.
        skipped: Skipped,
    },
    /// A brief with problems (every one found, each with its key path).
    #[error("{0}")]
    Brief(BriefProblems),
    /// The ranking was stopped through its [`crate::Cancel`] flag.
    #[error("the ranking was cancelled")]
    Cancelled,
    /// An output file could not be written.
    #[error("{}: cannot write: {problem}", path.display())]
    Write {
        /// The output file.
        path: PathBuf,
        /// What went wrong.
        problem: String,
    },
    /// An output path whose extension names no output format.
    #[error(
        "-o {}: no output format has the extension .{ext}; the formats are {known} (or give --format)",
        path.display()
    )]
    UnknownExtension {
        /// The output path.
        path: PathBuf,
        /// Its extension, lower case.
        ext: String,
        /// The extensions of the formats, `.geojson, .json, ...`.
        known: String,
    },
    /// The same id in two site layers.
    #[error("site id {id:?} is in both layer {first:?} and layer {second:?}; site ids must be unique across the site layers a brief uses")]
    DuplicateSiteId {
        /// The id.
        id: String,
        /// One layer.
        first: String,
        /// The other.
        second: String,
    },
}

/// `Result` with sitematch's [`enum@Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// Names the brief file in a brief's problems (found by the engine against the
    /// data, or by a parser given text), unless they name one already; other errors
    /// are returned as they are.
    ///
    /// ```
    /// let e = sitematch::Brief::from_toml_str("top = 0\n").unwrap_err();
    /// let e = e.in_brief("brief.toml");
    /// assert!(e.to_string().starts_with("brief.toml has 2 problem(s)"));
    /// ```
    pub fn in_brief(self, path: impl AsRef<std::path::Path>) -> Error {
        match self {
            Error::Brief(mut p) => {
                p.path.get_or_insert_with(|| path.as_ref().to_path_buf());
                Error::Brief(p)
            }
            other => other,
        }
    }

    /// An I/O error on a file.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }

    /// A file whose content is broken at `location`.
    pub fn format(
        path: impl Into<PathBuf>,
        location: Location,
        problem: impl Into<String>,
    ) -> Self {
        Error::Format {
            path: path.into(),
            location,
            problem: problem.into(),
        }
    }
}

/// One problem in a brief or a catalog: the key path, and what is wrong.
///
/// ```
/// let text = "method = \"best\"\n[[criterion]]\nname = \"z\"\ntype = \"zone\"\nlayer = \"tdi\"\n";
/// let Err(sitematch::Error::Brief(p)) = sitematch::Brief::from_toml_str(text) else {
///     panic!("a brief with problems");
/// };
/// assert_eq!(p.problems[0].key, "method");
/// assert!(p.problems[0].message.starts_with("\"best\" is not a method"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyProblem {
    /// Key path (`criterion[2].zero_km`, `filter.bbox`, `layer[1].crs`).
    pub key: String,
    /// What is wrong, and the fix.
    pub message: String,
}

impl fmt::Display for KeyProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.key, self.message)
    }
}

/// The brief's problems, for [`Error::Brief`].
///
/// ```
/// let Err(sitematch::Error::Brief(p)) = sitematch::Brief::from_toml_str("top = 0\n") else {
///     panic!("a brief with problems");
/// };
/// // Every problem at once: the bad `top` and the missing criteria.
/// assert_eq!(p.problems.len(), 2);
/// assert!(p.to_string().starts_with("brief has 2 problem(s):"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BriefProblems {
    /// The brief file, if it came from one.
    pub path: Option<PathBuf>,
    /// Every problem found.
    pub problems: Vec<KeyProblem>,
}

impl fmt::Display for BriefProblems {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = self
            .path
            .as_ref()
            .map_or("brief".to_string(), |p| p.display().to_string());
        write!(f, "{name} has {} problem(s):", self.problems.len())?;
        for p in &self.problems {
            write!(f, "\n  {p}")?;
        }
        Ok(())
    }
}

impl BriefProblems {
    /// An error with a single problem.
    pub(crate) fn one(key: impl Into<String>, message: impl Into<String>) -> Error {
        Error::Brief(BriefProblems {
            path: None,
            problems: vec![KeyProblem::new(key, message)],
        })
    }

    /// `Ok` when there is no problem, else the error holding them all.
    pub(crate) fn check(problems: Vec<KeyProblem>) -> Result<()> {
        if problems.is_empty() {
            Ok(())
        } else {
            Err(Error::Brief(BriefProblems {
                path: None,
                problems,
            }))
        }
    }
}

impl KeyProblem {
    /// A problem at a key path.
    pub(crate) fn new(key: impl Into<String>, message: impl Into<String>) -> KeyProblem {
        KeyProblem {
            key: key.into(),
            message: message.into(),
        }
    }
}

/// Formats a catalog's problems: one on the file's line, several listed below it.
struct CatalogProblems<'a> {
    path: &'a PathBuf,
    problems: &'a [KeyProblem],
}

impl fmt::Display for CatalogProblems<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.problems {
            [one] => write!(f, "{}: {one}", self.path.display()),
            many => {
                write!(f, "{} has {} problem(s):", self.path.display(), many.len())?;
                for p in many {
                    write!(f, "\n  {p}")?;
                }
                Ok(())
            }
        }
    }
}

impl Error {
    /// A catalog error with one problem.
    pub(crate) fn catalog(
        path: impl Into<PathBuf>,
        key: impl Into<String>,
        problem: impl Into<String>,
    ) -> Error {
        Error::Catalog {
            path: path.into(),
            problems: vec![KeyProblem::new(key, problem)],
        }
    }
}
