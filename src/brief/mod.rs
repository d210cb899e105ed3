//! Briefs (the README, Briefs): what a consultant asks for, in TOML or JSON.
//!
//! Parsing reports every problem at once, each with its key path
//! (`criterion[2].zero_km: must be greater than ideal_km`). Problems that need the data
//! (unknown layers or fields, a criterion on a layer of the wrong role) are found by
//! [`crate::Engine::check`].

mod check;
mod shape;
mod sniff;
mod validate;

use std::path::Path;

use serde_json::Value;

use crate::aggregate::ahp_weights;
pub use crate::aggregate::Method;
use crate::de::{self, Problems};
use crate::error::{BriefProblems, Error, KeyProblem, Result};
use shape::BriefShape;

/// The most robustness runs a brief (`robustness.runs`) or `--robustness` may ask for.
pub const MAX_ROBUSTNESS_RUNS: usize = 1_000_000;

/// The most criteria a brief may have. Every criterion keeps a result per candidate
/// (about 250 bytes), so this bounds a ranking's memory at about 25 KB per candidate.
pub const MAX_CRITERIA: usize = 100;

/// The most values a list of a brief may hold (`departments`, a `where` list,
/// `categories`, `tags`...): past it a brief is refused at the list's key.
pub const MAX_LIST_ITEMS: usize = 10_000;

pub use crate::criteria::{
    AccessSpec, Anchor, AnchorSpec, AttributeSpec, CategorySpec, CompetitionMeasure,
    CompetitionSpec, Criterion, CriterionKind, CriterionType, DistanceSpec, FreightSpec, Impedance,
    LandSpec, ZoneSpec, DEFAULT_FACTORS,
};
pub use crate::travel::{Decay, Travel, MAX_RADIUS_KM, MAX_RADIUS_MIN};

/// Hard constraints.
///
/// ```
/// let brief = sitematch::Brief::from_toml_str(r#"
///     [filter]
///     departments = [59, "62"]
///     where = { statut = ["friche sans projet"] }
///     [[criterion]]
///     name = "tdi"
///     type = "zone"
///     layer = "territoires_industrie"
/// "#)?;
/// assert_eq!(brief.filter.departments, Some(vec!["59".to_string(), "62".to_string()]));
/// assert_eq!(brief.filter.where_[0].0, "statut");
/// # Ok::<(), sitematch::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filter {
    /// Site layers to consider (`None`: every sites layer).
    pub layers: Option<Vec<String>>,
    /// Minimum land area, hectares.
    pub min_area_ha: Option<f64>,
    /// Maximum land area, hectares.
    pub max_area_ha: Option<f64>,
    /// Département codes ("59", "2A", "974").
    pub departments: Option<Vec<String>>,
    /// [min lon, min lat, max lon, max lat].
    pub bbox: Option<[f64; 4]>,
    /// Attribute in list, in the brief's order.
    pub where_: Vec<(String, Vec<String>)>,
    /// Attribute not in list (`where_not`): a site with another value, or none, stays.
    pub where_not: Vec<(String, Vec<String>)>,
    /// Zones layers that exclude the sites they intersect.
    pub exclude_zones: Vec<String>,
}

impl Filter {
    /// The attribute lists with the table each comes from: `where` (values kept),
    /// then `where_not` (values refused), each in the brief's order.
    pub(crate) fn attribute_lists(&self) -> impl Iterator<Item = (&'static str, &str, &[String])> {
        let kept = self
            .where_
            .iter()
            .map(|(a, v)| ("where", a.as_str(), v.as_slice()));
        let refused = self
            .where_not
            .iter()
            .map(|(a, v)| ("where_not", a.as_str(), v.as_slice()));
        kept.chain(refused)
    }
}

/// A brief, parsed and checked on its own (see [`crate::Engine::check`] for the
/// checks against the data).
///
/// ```
/// let brief = sitematch::Brief::from_toml_str(r#"
///     name = "Battery plant"
///     [filter]
///     min_area_ha = 20
///     [[criterion]]
///     name = "land"
///     type = "attribute"
///     field = "area_ha"
///     ideal = 60
///     zero = 20
/// "#)?;
/// assert_eq!(brief.filter.min_area_ha, Some(20.0));
/// assert_eq!(brief.criteria[0].name, "land");
/// assert_eq!(brief.top, 20);
/// # Ok::<(), sitematch::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Brief {
    /// The brief's name.
    pub name: String,
    /// How many ranked sites to output.
    pub top: usize,
    /// Aggregation method.
    pub method: Method,
    /// Hard constraints.
    pub filter: Filter,
    /// Criteria, in order.
    pub criteria: Vec<Criterion>,
    /// AHP pairwise matrix, rows and columns in criterion order.
    pub ahp: Option<Vec<Vec<f64>>>,
    /// Accept an AHP matrix whose consistency ratio is above 0.10.
    pub allow_inconsistent: bool,
    /// Rank robustness under weight perturbations (`[robustness]`).
    pub robustness: Option<Robustness>,
    /// Shortlist and near-miss options (`[output]`).
    pub output: OutputSpec,
    /// A regular grid of candidates instead of the site layers (`[candidates]`).
    pub grid: Option<GridSpec>,
    /// The plant's land need, ha (`need_ha`, else `filter.min_area_ha`): what a
    /// greenfield site would have taken, for the land take each site avoids.
    pub need_ha: Option<f64>,
    /// Rank by likeness to a reference profile instead (`[target]` or `--like`).
    pub target: Option<Target>,
}

/// `[target]`: rank candidates by how close their criterion scores are to those of a
/// reference, an existing site (`site`) or values given per criterion (`values`, in
/// each criterion's unit; they win over the site's).
///
/// ```
/// let brief = sitematch::Brief::from_toml_str(r#"
///     [target]
///     site = "douai"
///     label = "our Douai plant"
///     values = { land = 30 }
///     [[criterion]]
///     name = "land"
///     type = "attribute"
///     field = "area_ha"
///     ideal = 60
///     zero = 0
/// "#)?;
/// let t = brief.target.unwrap();
/// assert_eq!((t.site.as_deref(), t.label.as_deref()), (Some("douai"), Some("our Douai plant")));
/// assert_eq!(t.values, vec![("land".to_string(), sitematch::CriterionValue::Number(Some(30.0)))]);
/// # Ok::<(), sitematch::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Target {
    /// The id of a site of the data set whose values are the reference.
    pub site: Option<String>,
    /// How explanations name the reference (default: the site's label, or "the target").
    pub label: Option<String>,
    /// Reference values by criterion name, in the criterion's unit.
    pub values: Vec<(String, crate::model::CriterionValue)>,
}

/// `[candidates]`: a regular grid of candidate points over the brief's `bbox` or
/// `departments`, for a suitability surface.
///
/// ```
/// let brief = sitematch::Brief::from_toml_str(r#"
///     [filter]
///     departments = ["59"]
///     [candidates]
///     grid_km = 2
///     [[criterion]]
///     name = "tdi"
///     type = "zone"
///     layer = "territoires_industrie"
/// "#)?;
/// let grid = brief.grid.unwrap();
/// assert_eq!((grid.grid_km, grid.land.as_str(), grid.squares), (2.0, "communes", false));
/// # Ok::<(), sitematch::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct GridSpec {
    /// Cell size, km.
    pub grid_km: f64,
    /// The layer whose points say where land is (default `communes`).
    pub land: String,
    /// A cell is on land when a point of `land` lies within this distance of its
    /// centre (default: half the cell's diagonal plus 5 km).
    pub land_km: Option<f64>,
    /// A zones layer: cells whose centre lies outside all its polygons are left out.
    pub within: Option<String>,
    /// Output cells as their centre points (default) or as squares.
    pub squares: bool,
}

/// `[robustness]`: N runs, each multiplying every weight by an independent factor
/// drawn uniformly in [1 - spread, 1 + spread] from a generator seeded with `seed`.
///
/// ```
/// let brief = sitematch::Brief::from_toml_str(r#"
///     [robustness]
///     runs = 200
///     [[criterion]]
///     name = "tdi"
///     type = "zone"
///     layer = "territoires_industrie"
/// "#)?;
/// let r = brief.robustness.unwrap();
/// assert_eq!((r.runs, r.spread, r.seed), (200, 0.25, 7));
/// # Ok::<(), sitematch::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Robustness {
    /// Number of runs.
    pub runs: usize,
    /// Relative spread of the weight factors, in [0, 1).
    pub spread: f64,
    /// Seed of the generator (ChaCha8).
    pub seed: u64,
}

impl Default for Robustness {
    fn default() -> Self {
        Robustness {
            runs: 1000,
            spread: 0.25,
            seed: 7,
        }
    }
}

/// `[output]`: a diverse shortlist and the near-miss tolerance.
///
/// ```
/// let brief = sitematch::Brief::from_toml_str(r#"
///     [output]
///     min_spacing_km = 15
///     [[criterion]]
///     name = "tdi"
///     type = "zone"
///     layer = "territoires_industrie"
/// "#)?;
/// assert_eq!(brief.output.min_spacing_km, Some(15.0));
/// assert_eq!(brief.output.near_miss, 0.10);
/// # Ok::<(), sitematch::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct OutputSpec {
    /// Drop a site closer than this to a better one already kept.
    pub min_spacing_km: Option<f64>,
    /// Keep only the best site per value of this site attribute.
    pub one_per: Option<String>,
    /// An excluded site failing one threshold constraint by less than this fraction
    /// of the threshold is a near miss (default 0.10).
    pub near_miss: f64,
}

impl Default for OutputSpec {
    fn default() -> Self {
        OutputSpec {
            min_spacing_km: None,
            one_per: None,
            near_miss: 0.10,
        }
    }
}

/// The JSON Schema of a brief file, made from the shapes the reader accepts: every
/// table and key, and each criterion type's keys (`oneOf`, by `type`). Ranges and
/// the rules between keys (`zero` beyond `ideal`, a weight or an `ahp` matrix) are
/// checked when a brief is read, with messages at their key paths.
///
/// ```
/// let schema = sitematch::brief_schema(false);
/// let criteria = &schema["properties"]["criterion"];
/// assert_eq!(criteria["maxItems"], sitematch::MAX_CRITERIA);
/// let types: Vec<&str> = criteria["items"]["oneOf"]
///     .as_array().unwrap().iter()
///     .map(|c| c["properties"]["type"]["enum"][0].as_str().unwrap())
///     .collect();
/// assert_eq!(types.len(), sitematch::CriterionType::ALL.len());
/// assert!(types.contains(&"distance") && types.contains(&"competition"));
/// ```
///
/// `openapi3`: in OpenAPI 3.0's dialect (`nullable` rather than a `null` type), for an
/// OpenAPI document's components; else JSON Schema 2020-12.
pub fn brief_schema(openapi3: bool) -> serde_json::Value {
    let mut settings = if openapi3 {
        schemars::generate::SchemaSettings::openapi3()
    } else {
        schemars::generate::SchemaSettings::draft2020_12()
    };
    settings.inline_subschemas = true;
    let mut schema = settings
        .into_generator()
        .into_root_schema_for::<shape::BriefShape>();
    schema.insert("title".into(), "sitematch brief".into());
    if openapi3 {
        schema.remove("$schema");
    }
    schema.to_value()
}

impl Brief {
    /// Reads a brief file: JSON when its name ends in `.json`, else TOML.
    pub fn from_path(path: impl AsRef<Path>) -> Result<Brief> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        let json = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("json"));
        let parsed = if json {
            Brief::from_json_str(&text)
        } else {
            Brief::from_toml_str(&text)
        };
        let parsed = parsed.map_err(|e| match sniff::not_a_brief(path, &text) {
            Some(why) => BriefProblems::one("brief", why),
            None => e,
        });
        let mut brief = parsed.map_err(|e| e.in_brief(path))?;
        // A matrix or a flows file named by a relative path lies beside the brief.
        let base = path.parent().unwrap_or(Path::new(""));
        for c in &mut brief.criteria {
            for file in c.kind.spec_mut().files_mut() {
                if file.is_relative() {
                    *file = base.join(&*file);
                }
            }
        }
        Ok(brief)
    }

    /// Parses a TOML brief.
    ///
    /// ```
    /// let brief = sitematch::Brief::from_toml_str(r#"
    ///     name = "Test"
    ///     [[criterion]]
    ///     name = "land"
    ///     type = "attribute"
    ///     field = "area_ha"
    ///     ideal = 60
    ///     zero = 20
    /// "#)?;
    /// assert_eq!(brief.criteria.len(), 1);
    /// assert_eq!(brief.top, 20);
    /// # Ok::<(), sitematch::Error>(())
    /// ```
    pub fn from_toml_str(text: &str) -> Result<Brief> {
        let value: Value = toml::from_str(text).map_err(|e| {
            BriefProblems::one(crate::text::toml_place(text, &e), e.message().trim())
        })?;
        let non_finite = crate::de::non_finite(&value);
        if !non_finite.is_empty() {
            return Err(Error::Brief(BriefProblems {
                path: None,
                problems: non_finite
                    .into_iter()
                    .map(|key| KeyProblem::new(key, crate::de::NOT_FINITE))
                    .collect(),
            }));
        }
        Brief::from_value(&value)
    }

    /// Parses a JSON brief (same structure as TOML).
    pub fn from_json_str(text: &str) -> Result<Brief> {
        let value: Value = serde_json::from_str(text)
            .map_err(|e| BriefProblems::one(format!("line {}", e.line()), e.to_string()))?;
        Brief::from_value(&value)
    }

    /// Reads a brief from its JSON/TOML value, collecting every problem: first the
    /// shape (unknown keys, values of the wrong type), then the meaning (ranges,
    /// required keys, names).
    pub fn from_value(value: &Value) -> Result<Brief> {
        let mut problems = Problems::default();
        let brief = if value.is_object() {
            de::read::<BriefShape>(value, &[], &mut problems)
                .map(|shape| validate::brief(shape, &mut problems))
        } else {
            problems.push("brief", "must be a table of keys");
            None
        };
        match brief {
            Some(b) if problems.is_empty() => Ok(b),
            _ => Err(Error::Brief(BriefProblems {
                path: None,
                problems: problems.into_vec(),
            })),
        }
    }

    /// The weights normalised to sum 1, from the criteria or the AHP matrix, and the
    /// AHP consistency ratio when there is a matrix.
    pub fn normalised_weights(&self) -> (Vec<f64>, Option<f64>) {
        if let Some(m) = &self.ahp {
            let (w, cr) = ahp_weights(m);
            return (w, Some(cr));
        }
        let total: f64 = self.criteria.iter().map(|c| c.weight).sum();
        let w = self
            .criteria
            .iter()
            .map(|c| if total > 0.0 { c.weight / total } else { 0.0 })
            .collect();
        (w, None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problems(text: &str) -> Vec<String> {
        match Brief::from_toml_str(text) {
            Err(Error::Brief(p)) => p.problems.iter().map(|p| p.to_string()).collect(),
            other => panic!("expected problems, got {other:?}"),
        }
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let p = problems(
            r#"
            nmae = "typo"
            method = "best"
            [filter]
            min_area_ha = -1
            [[criterion]]
            name = "motorway"
            type = "distance"
            layer = "motorway"
            ideal_km = 20
            zero_km = 2
            weight = -3
            [[criterion]]
            name = "motorway"
            type = "access"
            layer = "communes"
            radius_km = 30
            [[criterion]]
            name = "x"
            type = "attribute"
            field = "area_ha"
            ideal = 5
            zero = 5
            colour = "red"
            "#,
        );
        let expect = [
            "nmae: unknown key",
            "method: \"best\" is not a method",
            "filter.min_area_ha: must not be negative",
            "criterion[0].zero_km: must be greater than ideal_km",
            "criterion[0].weight: must not be negative",
            "criterion[1].saturation: is required",
            "criterion[2].zero: must differ from ideal",
            "criterion[2].colour: unknown key",
            "criterion[1].name: \"motorway\" is already used",
        ];
        for e in expect {
            assert!(
                p.iter().any(|x| x.starts_with(e)),
                "missing {e:?} in {p:#?}"
            );
        }
        assert_eq!(p.len(), expect.len(), "{p:#?}");
    }

    #[test]
    fn zero_total_weight_is_refused() {
        let p =
            problems("[[criterion]]\nname = \"a\"\ntype = \"zone\"\nlayer = \"z\"\nweight = 0\n");
        assert_eq!(p.len(), 1);
        assert!(p[0].contains("add up to 0"));
    }

    #[test]
    fn ahp_matrix_checks() {
        let base = "[[criterion]]\nname = \"a\"\ntype = \"zone\"\nlayer = \"z\"\n\
                    [[criterion]]\nname = \"b\"\ntype = \"zone\"\nlayer = \"z\"\n\
                    [[criterion]]\nname = \"c\"\ntype = \"zone\"\nlayer = \"z\"\n";
        let p = problems(&format!("{base}[weights]\nahp = [[1, 2], [0.5, 1]]\n"));
        assert!(p[0].contains("square 3x3"), "{p:?}");
        let p = problems(&format!(
            "{base}[weights]\nahp = [[1, 3, 5], [0.5, 1, 2], [0.2, 0.5, -1]]\n"
        ));
        assert!(
            p.iter()
                .any(|x| x.starts_with("weights.ahp[1][0]: must be the reciprocal")),
            "{p:?}"
        );
        assert!(
            p.iter()
                .any(|x| x.starts_with("weights.ahp[2][2]: must be a positive")),
            "{p:?}"
        );
        // Strongly inconsistent: a > b, b > c, c > a.
        let cyclic = "[weights]\nahp = [[1, 9, 0.1111], [0.1111, 1, 9], [9, 0.1111, 1]]\n";
        let p = problems(&format!("{base}{cyclic}"));
        assert!(p[0].contains("consistency ratio"), "{p:?}");
        let ok = format!("{base}{cyclic}allow_inconsistent = true\n");
        assert!(Brief::from_toml_str(&ok).is_ok());
    }

    #[test]
    fn json_briefs_have_the_same_structure() {
        let b = Brief::from_json_str(
            r#"{"name": "j", "filter": {"departments": [59, "2A", 8]},
               "criterion": [{"name": "t", "type": "zone", "layer": "z"}]}"#,
        )
        .unwrap();
        assert_eq!(
            b.filter.departments,
            Some(vec!["59".to_string(), "2A".to_string(), "08".to_string()])
        );
    }

    #[test]
    fn syntax_errors_name_the_line() {
        let p = problems("name = \"x\"\n[[criterion]\n");
        assert!(p[0].starts_with("line 2"), "{p:?}");
    }
}
