//! Briefs (DESIGN section 2): what a consultant asks for, in TOML or JSON.
//!
//! Parsing reports every problem at once, each with its key path
//! (`criterion[2].zero_km: must be greater than ideal_km`). Problems that need the data
//! (unknown layers or fields, a criterion on a layer of the wrong role) are found by
//! [`crate::Engine::check`].

mod check;

use std::collections::HashSet;

use std::path::Path;

use serde_json::{Map, Value};

use crate::aggregate::ahp_weights;
pub use crate::aggregate::Method;
use crate::error::{BriefProblem, BriefProblems, Error, Result};
use crate::ranking::CriterionType;

/// Distance decay of an access criterion, f(t) with t = d / radius.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decay {
    /// f(t) = 1.
    None,
    /// f(t) = 1 - t.
    Linear,
    /// f(t) = exp(-4.5 t²).
    Gaussian,
    /// f(t) = exp(-3 t).
    Exponential,
}

impl Decay {
    /// The decay factor at t = d / radius (0 <= t <= 1).
    pub fn factor(self, t: f64) -> f64 {
        match self {
            Decay::None => 1.0,
            Decay::Linear => 1.0 - t,
            Decay::Gaussian => (-4.5 * t * t).exp(),
            Decay::Exponential => (-3.0 * t).exp(),
        }
    }
}

/// Hard constraints.
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
    /// Zones layers that exclude the sites they intersect.
    pub exclude_zones: Vec<String>,
}

/// What a criterion measures.
#[derive(Debug, Clone, PartialEq)]
pub enum CriterionKind {
    /// Distance to the nearest matching facility.
    Distance {
        /// Facilities layer.
        layer: String,
        /// Categories to match (empty: any).
        categories: Vec<String>,
        /// Tags to match (empty: any).
        tags: Vec<String>,
        /// Score 1 at or below.
        ideal_km: f64,
        /// Score 0 at or beyond.
        zero_km: f64,
        /// Excluded beyond (hard constraint).
        max_km: Option<f64>,
    },
    /// Sum over features within a radius.
    Access {
        /// Facilities or population layer.
        layer: String,
        /// Field summed (`None`: count features).
        field: Option<String>,
        /// Categories to match (empty: any).
        categories: Vec<String>,
        /// Tags to match (empty: any).
        tags: Vec<String>,
        /// Radius, km.
        radius_km: f64,
        /// Distance decay.
        decay: Decay,
        /// Value at which the score reaches 1.
        saturation: f64,
    },
    /// A numeric attribute of the site.
    Attribute {
        /// Site attribute.
        field: String,
        /// Value scoring 1.
        ideal: f64,
        /// Value scoring 0.
        zero: f64,
        /// Score when the site has no value.
        missing: f64,
    },
    /// A text attribute of the site mapped to scores.
    Category {
        /// Site attribute.
        field: String,
        /// Text to score, in the brief's order.
        scores: Vec<(String, f64)>,
        /// Score of any other value.
        default: f64,
    },
    /// 1 inside a polygon of a zones layer, else 0.
    Zone {
        /// Zones layer.
        layer: String,
    },
}

impl CriterionKind {
    /// The criterion's type.
    pub fn kind(&self) -> CriterionType {
        match self {
            CriterionKind::Distance { .. } => CriterionType::Distance,
            CriterionKind::Access { .. } => CriterionType::Access,
            CriterionKind::Attribute { .. } => CriterionType::Attribute,
            CriterionKind::Category { .. } => CriterionType::Category,
            CriterionKind::Zone { .. } => CriterionType::Zone,
        }
    }

    /// The layer the criterion reads, for distance, access and zone criteria.
    pub fn layer(&self) -> Option<&str> {
        match self {
            CriterionKind::Distance { layer, .. }
            | CriterionKind::Access { layer, .. }
            | CriterionKind::Zone { layer } => Some(layer),
            _ => None,
        }
    }
}

/// One `[[criterion]]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Criterion {
    /// Unique name, the output column prefix.
    pub name: String,
    /// Raw weight (1 when omitted; ignored with an AHP matrix).
    pub weight: f64,
    /// What it measures.
    pub kind: CriterionKind,
}

/// A brief, parsed and checked on its own (see [`crate::Engine::check`] for the
/// checks against the data).
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
}

/// `[candidates]`: a regular grid of candidate points over the brief's `bbox` or
/// `departments`, for a suitability surface.
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
#[derive(Debug, Clone, Copy, PartialEq)]
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

/// Collects problems while walking a brief.
struct Walker {
    problems: Vec<BriefProblem>,
}

impl Walker {
    fn problem(&mut self, key: impl Into<String>, message: impl Into<String>) {
        self.problems.push(BriefProblem {
            key: key.into(),
            message: message.into(),
        });
    }
}

/// A table being read: remembers which keys were used, to report the others.
struct Table<'a> {
    map: &'a Map<String, Value>,
    path: String,
    used: HashSet<&'static str>,
}

fn type_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "text",
        Value::Array(_) => "a list",
        Value::Object(_) => "a table",
    }
}

impl<'a> Table<'a> {
    fn new(map: &'a Map<String, Value>, path: impl Into<String>) -> Self {
        Table {
            map,
            path: path.into(),
            used: HashSet::new(),
        }
    }

    fn key(&self, k: &str) -> String {
        if self.path.is_empty() {
            k.to_string()
        } else {
            format!("{}.{k}", self.path)
        }
    }

    fn get(&mut self, k: &'static str) -> Option<&'a Value> {
        self.used.insert(k);
        self.map.get(k)
    }

    fn string(&mut self, k: &'static str, w: &mut Walker) -> Option<String> {
        match self.get(k)? {
            Value::String(s) => Some(s.clone()),
            other => {
                w.problem(
                    self.key(k),
                    format!("must be text, found {}", type_of(other)),
                );
                None
            }
        }
    }

    fn number(&mut self, k: &'static str, w: &mut Walker) -> Option<f64> {
        match self.get(k)? {
            Value::Number(n) => n.as_f64(),
            other => {
                w.problem(
                    self.key(k),
                    format!("must be a number, found {}", type_of(other)),
                );
                None
            }
        }
    }

    fn required_number(&mut self, k: &'static str, w: &mut Walker, why: &str) -> Option<f64> {
        if self.map.contains_key(k) {
            self.number(k, w)
        } else {
            self.used.insert(k);
            w.problem(self.key(k), format!("is required {why}"));
            None
        }
    }

    fn boolean(&mut self, k: &'static str, w: &mut Walker) -> Option<bool> {
        match self.get(k)? {
            Value::Bool(b) => Some(*b),
            other => {
                w.problem(
                    self.key(k),
                    format!("must be true or false, found {}", type_of(other)),
                );
                None
            }
        }
    }

    /// A list of text; integers are accepted as text (`departments = [59, 62]`), and
    /// a single text as a list of one.
    fn strings(&mut self, k: &'static str, w: &mut Walker) -> Option<Vec<String>> {
        let key = self.key(k);
        strings_of(self.get(k)?, &key, w)
    }

    /// Reports every key that was never read.
    fn finish(self, w: &mut Walker, allowed: &str) {
        let mut unknown: Vec<&String> = self
            .map
            .keys()
            .filter(|k| !self.used.contains(k.as_str()))
            .collect();
        unknown.sort();
        for k in unknown {
            w.problem(
                self.key(k),
                format!("unknown key; the keys here are: {allowed}"),
            );
        }
    }
}

fn strings_of(v: &Value, key: &str, w: &mut Walker) -> Option<Vec<String>> {
    let item = |v: &Value, key: String, w: &mut Walker| match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) if n.is_u64() => Some(n.to_string()),
        other => {
            w.problem(key, format!("must be text, found {}", type_of(other)));
            None
        }
    };
    match v {
        Value::Array(items) => {
            let out: Vec<Option<String>> = items
                .iter()
                .enumerate()
                .map(|(i, v)| item(v, format!("{key}[{i}]"), w))
                .collect();
            out.into_iter().collect()
        }
        other => item(other, key.to_string(), w).map(|s| vec![s]),
    }
}

const TOP_KEYS: &str =
    "name, top, method, filter, criterion, weights, robustness, output, candidates";
const FILTER_KEYS: &str =
    "layers, min_area_ha, max_area_ha, departments, bbox, where, exclude_zones";
const WEIGHTS_KEYS: &str = "ahp, allow_inconsistent";

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
        parsed.map_err(|e| match e {
            Error::Brief(mut p) => {
                p.path = Some(path.to_path_buf());
                Error::Brief(p)
            }
            other => other,
        })
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
            let line = e.span().map_or(0, |s| {
                text.get(..s.start).map_or(0, |t| t.lines().count().max(1))
            });
            BriefProblems::one(format!("line {line}"), e.message().trim())
        })?;
        Brief::from_value(&value)
    }

    /// Parses a JSON brief (same structure as TOML).
    pub fn from_json_str(text: &str) -> Result<Brief> {
        let value: Value = serde_json::from_str(text)
            .map_err(|e| BriefProblems::one(format!("line {}", e.line()), e.to_string()))?;
        Brief::from_value(&value)
    }

    /// Reads a brief from its JSON/TOML value, collecting every problem.
    pub fn from_value(value: &Value) -> Result<Brief> {
        let mut w = Walker {
            problems: Vec::new(),
        };
        let brief = parse(value, &mut w);
        match brief {
            Some(b) if w.problems.is_empty() => Ok(b),
            _ => Err(Error::Brief(BriefProblems {
                path: None,
                problems: w.problems,
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

fn parse(value: &Value, w: &mut Walker) -> Option<Brief> {
    let Value::Object(root) = value else {
        w.problem("brief", "must be a table of keys");
        return None;
    };
    let mut t = Table::new(root, "");
    let name = t.string("name", w).unwrap_or_default();
    let top = match t.get("top") {
        None => 20,
        Some(Value::Number(n)) if n.as_u64().is_some_and(|n| n > 0) => {
            usize::try_from(n.as_u64().unwrap_or(20)).unwrap_or(usize::MAX)
        }
        Some(other) => {
            w.problem(
                "top",
                format!("must be a whole number above 0, found {other}"),
            );
            20
        }
    };
    let method = match t.string("method", w).as_deref() {
        None | Some("weighted-sum") => Method::WeightedSum,
        Some("topsis") => Method::Topsis,
        Some(other) => {
            w.problem(
                "method",
                format!("{other:?} is not a method; use \"weighted-sum\" or \"topsis\""),
            );
            Method::WeightedSum
        }
    };
    let filter = match t.get("filter") {
        None => Filter::default(),
        Some(Value::Object(m)) => parse_filter(m, w),
        Some(other) => {
            w.problem(
                "filter",
                format!("must be a table, found {}", type_of(other)),
            );
            Filter::default()
        }
    };
    let mut criteria = Vec::new();
    match t.get("criterion") {
        None => w.problem(
            "criterion",
            "the brief has no [[criterion]]; add at least one",
        ),
        Some(Value::Array(items)) => {
            for (i, item) in items.iter().enumerate() {
                let key = format!("criterion[{i}]");
                match item {
                    Value::Object(m) => {
                        if let Some(c) = parse_criterion(m, &key, w) {
                            criteria.push(c);
                        }
                    }
                    other => w.problem(key, format!("must be a table, found {}", type_of(other))),
                }
            }
        }
        Some(other) => w.problem(
            "criterion",
            format!(
                "must be a list of [[criterion]] tables, found {}",
                type_of(other)
            ),
        ),
    }
    let (mut ahp, mut allow_inconsistent) = (None, false);
    match t.get("weights") {
        None => {}
        Some(Value::Object(m)) => {
            let mut wt = Table::new(m, "weights");
            allow_inconsistent = wt.boolean("allow_inconsistent", w).unwrap_or(false);
            ahp = wt.get("ahp").and_then(|v| parse_matrix(v, w));
            if ahp.is_none() && !m.contains_key("ahp") {
                w.problem("weights.ahp", "is required in [weights]");
            }
            wt.finish(w, WEIGHTS_KEYS);
        }
        Some(other) => w.problem(
            "weights",
            format!("must be a table, found {}", type_of(other)),
        ),
    }
    let robustness = match t.get("robustness") {
        None => None,
        Some(Value::Object(m)) => Some(parse_robustness(m, w)),
        Some(other) => {
            w.problem(
                "robustness",
                format!("must be a table, found {}", type_of(other)),
            );
            None
        }
    };
    let output = match t.get("output") {
        None => OutputSpec::default(),
        Some(Value::Object(m)) => parse_output(m, w),
        Some(other) => {
            w.problem(
                "output",
                format!("must be a table, found {}", type_of(other)),
            );
            OutputSpec::default()
        }
    };
    let grid = match t.get("candidates") {
        None => None,
        Some(Value::Object(m)) => parse_grid(m, w),
        Some(other) => {
            w.problem(
                "candidates",
                format!("must be a table, found {}", type_of(other)),
            );
            None
        }
    };
    if grid.is_some() {
        grid_checks(root, &criteria, method, w);
    }
    t.finish(w, TOP_KEYS);

    // Checks across criteria.
    let mut names = HashSet::new();
    for (i, c) in criteria.iter().enumerate() {
        if !names.insert(c.name.as_str()) {
            w.problem(
                format!("criterion[{i}].name"),
                format!(
                    "{:?} is already used; criterion names must be unique",
                    c.name
                ),
            );
        }
    }
    if let Some(m) = &ahp {
        check_ahp(m, criteria.len(), allow_inconsistent, root, w);
    } else if !criteria.is_empty() {
        let total: f64 = criteria.iter().map(|c| c.weight).sum();
        if total <= 0.0 && criteria.iter().all(|c| c.weight >= 0.0) {
            w.problem(
                "criterion",
                "the weights add up to 0; give at least one criterion a positive weight",
            );
        }
    }
    Some(Brief {
        name,
        top,
        method,
        filter,
        criteria,
        ahp,
        allow_inconsistent,
        robustness,
        output,
        grid,
    })
}

fn parse_grid(m: &Map<String, Value>, w: &mut Walker) -> Option<GridSpec> {
    let mut t = Table::new(m, "candidates");
    let grid_km = t.required_number("grid_km", w, "for grid candidates (cell size, km)");
    if grid_km.is_some_and(|g| !(0.05..=100.0).contains(&g)) {
        w.problem("candidates.grid_km", "must be from 0.05 to 100 km");
    }
    let land = t
        .string("land", w)
        .unwrap_or_else(|| "communes".to_string());
    let land_km = t.number("land_km", w);
    if land_km.is_some_and(|x| x <= 0.0) {
        w.problem("candidates.land_km", "must be above 0");
    }
    let within = t.string("within", w);
    let squares = match t.string("cells", w).as_deref() {
        None | Some("points") => false,
        Some("squares") => true,
        Some(other) => {
            w.problem(
                "candidates.cells",
                format!("{other:?}: use \"points\" or \"squares\""),
            );
            false
        }
    };
    t.finish(w, "grid_km, land, land_km, within, cells");
    Some(GridSpec {
        grid_km: grid_km?,
        land,
        land_km,
        within,
        squares,
    })
}

/// What a grid brief cannot ask: cells have no attributes, no area, and are scored
/// one batch at a time.
fn grid_checks(root: &Map<String, Value>, criteria: &[Criterion], method: Method, w: &mut Walker) {
    let filter = root.get("filter").and_then(Value::as_object);
    let has = |k: &str| filter.is_some_and(|f| f.contains_key(k));
    if !has("bbox") && !has("departments") {
        w.problem(
            "candidates",
            "a grid needs an extent: give filter.bbox or filter.departments",
        );
    }
    for k in ["layers", "min_area_ha", "max_area_ha", "where"] {
        if has(k) {
            w.problem(
                format!("filter.{k}"),
                "does not apply to grid cells (they have no attributes or area); remove it",
            );
        }
    }
    for (i, c) in criteria.iter().enumerate() {
        if matches!(
            c.kind,
            CriterionKind::Attribute { .. } | CriterionKind::Category { .. }
        ) {
            w.problem(
                format!("criterion[{i}].type"),
                "grid cells have no attributes; use distance, access or zone criteria",
            );
        }
    }
    if method == Method::Topsis {
        w.problem(
            "method",
            "TOPSIS needs every candidate at once; a streamed grid uses weighted-sum",
        );
    }
    for k in ["robustness", "output"] {
        if root.contains_key(k) {
            w.problem(
                k,
                "applies to ranked sites, not to a grid surface; remove it",
            );
        }
    }
}

fn parse_robustness(m: &Map<String, Value>, w: &mut Walker) -> Robustness {
    let mut t = Table::new(m, "robustness");
    let d = Robustness::default();
    let runs = t.number("runs", w).unwrap_or(d.runs as f64);
    let spread = t.number("spread", w).unwrap_or(d.spread);
    let seed = t.number("seed", w).unwrap_or(d.seed as f64);
    if !((1.0..=1e6).contains(&runs) && runs.fract() == 0.0) {
        w.problem(
            "robustness.runs",
            "must be a whole number from 1 to 1,000,000",
        );
    }
    if !(0.0..1.0).contains(&spread) {
        w.problem(
            "robustness.spread",
            "must be at least 0 and below 1 (0.25 = ±25%)",
        );
    }
    if !(seed >= 0.0 && seed.fract() == 0.0 && seed < 9.0e15) {
        w.problem("robustness.seed", "must be a whole number, 0 or more");
    }
    t.finish(w, "runs, spread, seed");
    Robustness {
        runs: runs.clamp(1.0, 1e6) as usize,
        spread: spread.clamp(0.0, 0.99),
        seed: seed.max(0.0) as u64,
    }
}

fn parse_output(m: &Map<String, Value>, w: &mut Walker) -> OutputSpec {
    let mut t = Table::new(m, "output");
    let min_spacing_km = t.number("min_spacing_km", w);
    if min_spacing_km.is_some_and(|x| x <= 0.0) {
        w.problem("output.min_spacing_km", "must be above 0");
    }
    let one_per = t.string("one_per", w);
    let near_miss = t.number("near_miss", w).unwrap_or(0.10);
    if !(0.0..=1.0).contains(&near_miss) {
        w.problem(
            "output.near_miss",
            "must be a fraction from 0 to 1 (0.10 = 10%)",
        );
    }
    t.finish(w, "min_spacing_km, one_per, near_miss");
    OutputSpec {
        min_spacing_km,
        one_per,
        near_miss,
    }
}

fn parse_filter(m: &Map<String, Value>, w: &mut Walker) -> Filter {
    let mut t = Table::new(m, "filter");
    let mut f = Filter {
        layers: t.strings("layers", w),
        min_area_ha: t.number("min_area_ha", w),
        max_area_ha: t.number("max_area_ha", w),
        departments: t.strings("departments", w).map(|d| {
            d.into_iter()
                .map(|s| if s.len() == 1 { format!("0{s}") } else { s })
                .collect()
        }),
        ..Filter::default()
    };
    for (k, v) in [
        ("min_area_ha", f.min_area_ha),
        ("max_area_ha", f.max_area_ha),
    ] {
        if v.is_some_and(|v| v < 0.0) {
            w.problem(format!("filter.{k}"), "must not be negative");
        }
    }
    if let (Some(lo), Some(hi)) = (f.min_area_ha, f.max_area_ha) {
        if lo > hi {
            w.problem("filter.max_area_ha", "must not be below min_area_ha");
        }
    }
    if let Some(v) = t.get("bbox") {
        let nums: Option<Vec<f64>> = v
            .as_array()
            .map(|a| a.iter().filter_map(Value::as_f64).collect());
        match nums.as_deref() {
            Some(&[a, b, c, d])
                if a < c
                    && b < d
                    && (-180.0..=180.0).contains(&a)
                    && (-180.0..=180.0).contains(&c)
                    && (-90.0..=90.0).contains(&b)
                    && (-90.0..=90.0).contains(&d) =>
            {
                f.bbox = Some([a, b, c, d]);
            }
            _ => w.problem(
                "filter.bbox",
                "must be [min_lon, min_lat, max_lon, max_lat] in degrees, min below max",
            ),
        }
    }
    match t.get("where") {
        None => {}
        Some(Value::Object(wm)) => {
            for (k, v) in wm {
                if let Some(list) = strings_of(v, &format!("filter.where.{k}"), w) {
                    f.where_.push((k.clone(), list));
                }
            }
        }
        Some(other) => w.problem(
            "filter.where",
            format!(
                "must be a table like {{ statut = [\"...\"] }}, found {}",
                type_of(other)
            ),
        ),
    }
    f.exclude_zones = t.strings("exclude_zones", w).unwrap_or_default();
    t.finish(w, FILTER_KEYS);
    f
}

fn parse_criterion(m: &Map<String, Value>, key: &str, w: &mut Walker) -> Option<Criterion> {
    let mut t = Table::new(m, key);
    let name = t.string("name", w);
    match &name {
        None if !m.contains_key("name") => w.problem(format!("{key}.name"), "is required"),
        Some(n)
            if n.is_empty()
                || !n
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') =>
        {
            w.problem(
                format!("{key}.name"),
                format!("{n:?}: use letters, digits, '_' or '-' (it names output columns)"),
            )
        }
        _ => {}
    }
    let weight = t.number("weight", w);
    if weight.is_some_and(|x| x < 0.0) {
        w.problem(format!("{key}.weight"), "must not be negative");
    }
    let typ = t.string("type", w);
    let kind = match typ.as_deref() {
        Some("distance") => {
            let layer = t.string("layer", w);
            let categories = t.strings("categories", w).unwrap_or_default();
            let tags = t.strings("tags", w).unwrap_or_default();
            let ideal_km = t.required_number("ideal_km", w, "for a distance criterion");
            let zero_km = t.required_number("zero_km", w, "for a distance criterion");
            let max_km = t.number("max_km", w);
            if let (Some(i), Some(z)) = (ideal_km, zero_km) {
                if i >= z {
                    w.problem(format!("{key}.zero_km"), "must be greater than ideal_km");
                }
                if i < 0.0 {
                    w.problem(format!("{key}.ideal_km"), "must not be negative");
                }
            }
            if max_km.is_some_and(|x| x <= 0.0) {
                w.problem(format!("{key}.max_km"), "must be above 0");
            }
            need_layer(&layer, m, key, w);
            Some(CriterionKind::Distance {
                layer: layer.unwrap_or_default(),
                categories,
                tags,
                ideal_km: ideal_km.unwrap_or(0.0),
                zero_km: zero_km.unwrap_or(1.0),
                max_km,
            })
        }
        Some("access") => {
            let layer = t.string("layer", w);
            let field = t.string("field", w);
            let categories = t.strings("categories", w).unwrap_or_default();
            let tags = t.strings("tags", w).unwrap_or_default();
            let radius_km = t.required_number("radius_km", w, "for an access criterion");
            let saturation = t.required_number("saturation", w, "for an access criterion");
            let decay = match t.string("decay", w).as_deref() {
                None | Some("none") => Decay::None,
                Some("linear") => Decay::Linear,
                Some("gaussian") => Decay::Gaussian,
                Some("exponential") => Decay::Exponential,
                Some(other) => {
                    w.problem(
                        format!("{key}.decay"),
                        format!("{other:?}: use none, linear, gaussian or exponential"),
                    );
                    Decay::None
                }
            };
            if radius_km.is_some_and(|r| r <= 0.0) {
                w.problem(format!("{key}.radius_km"), "must be above 0");
            }
            if saturation.is_some_and(|s| s <= 0.0) {
                w.problem(format!("{key}.saturation"), "must be above 0");
            }
            need_layer(&layer, m, key, w);
            Some(CriterionKind::Access {
                layer: layer.unwrap_or_default(),
                field,
                categories,
                tags,
                radius_km: radius_km.unwrap_or(1.0),
                decay,
                saturation: saturation.unwrap_or(1.0),
            })
        }
        Some("attribute") => {
            let field = t.string("field", w);
            let ideal = t.required_number("ideal", w, "for an attribute criterion");
            let zero = t.required_number("zero", w, "for an attribute criterion");
            let missing = t.number("missing", w).unwrap_or(0.0);
            if let (Some(i), Some(z)) = (ideal, zero) {
                if i == z {
                    w.problem(format!("{key}.zero"), "must differ from ideal");
                }
            }
            if !(0.0..=1.0).contains(&missing) {
                w.problem(format!("{key}.missing"), "must be a score from 0 to 1");
            }
            need_field(&field, m, key, w);
            Some(CriterionKind::Attribute {
                field: field.unwrap_or_default(),
                ideal: ideal.unwrap_or(1.0),
                zero: zero.unwrap_or(0.0),
                missing,
            })
        }
        Some("category") => {
            let field = t.string("field", w);
            let default = t.number("default", w).unwrap_or(0.0);
            let mut scores = Vec::new();
            match t.get("scores") {
                Some(Value::Object(sm)) => {
                    for (k, v) in sm {
                        match v.as_f64() {
                            Some(x) if (0.0..=1.0).contains(&x) => scores.push((k.clone(), x)),
                            _ => w.problem(
                                format!("{key}.scores.{k}"),
                                "must be a score from 0 to 1",
                            ),
                        }
                    }
                }
                None => w.problem(
                    format!("{key}.scores"),
                    "is required for a category criterion",
                ),
                Some(other) => w.problem(
                    format!("{key}.scores"),
                    format!(
                        "must be a table like {{ \"non\" = 1.0 }}, found {}",
                        type_of(other)
                    ),
                ),
            }
            if !(0.0..=1.0).contains(&default) {
                w.problem(format!("{key}.default"), "must be a score from 0 to 1");
            }
            need_field(&field, m, key, w);
            Some(CriterionKind::Category {
                field: field.unwrap_or_default(),
                scores,
                default,
            })
        }
        Some("zone") => {
            let layer = t.string("layer", w);
            need_layer(&layer, m, key, w);
            Some(CriterionKind::Zone {
                layer: layer.unwrap_or_default(),
            })
        }
        Some(other) => {
            w.problem(
                format!("{key}.type"),
                format!("{other:?}: use distance, access, attribute, category or zone"),
            );
            None
        }
        None => {
            if !m.contains_key("type") {
                w.problem(format!("{key}.type"), "is required");
            }
            None
        }
    };
    let allowed = match typ.as_deref() {
        Some("distance") => {
            "name, type, weight, layer, categories, tags, ideal_km, zero_km, max_km"
        }
        Some("access") => {
            "name, type, weight, layer, field, categories, tags, radius_km, decay, saturation"
        }
        Some("attribute") => "name, type, weight, field, ideal, zero, missing",
        Some("category") => "name, type, weight, field, scores, default",
        Some("zone") => "name, type, weight, layer",
        _ => "name, type, weight, and those of the type",
    };
    if kind.is_some() {
        t.finish(w, allowed);
    }
    Some(Criterion {
        name: name?,
        weight: weight.unwrap_or(1.0),
        kind: kind?,
    })
}

fn need_layer(layer: &Option<String>, m: &Map<String, Value>, key: &str, w: &mut Walker) {
    if layer.is_none() && !m.contains_key("layer") {
        w.problem(format!("{key}.layer"), "is required");
    }
}

fn need_field(field: &Option<String>, m: &Map<String, Value>, key: &str, w: &mut Walker) {
    if field.is_none() && !m.contains_key("field") {
        w.problem(format!("{key}.field"), "is required");
    }
}

fn parse_matrix(v: &Value, w: &mut Walker) -> Option<Vec<Vec<f64>>> {
    let rows = v.as_array().and_then(|rows| {
        rows.iter()
            .map(|r| {
                r.as_array()
                    .and_then(|r| r.iter().map(Value::as_f64).collect::<Option<Vec<f64>>>())
            })
            .collect::<Option<Vec<Vec<f64>>>>()
    });
    if rows.is_none() {
        w.problem(
            "weights.ahp",
            "must be a list of rows of numbers, like [[1, 3], [0.3333, 1]]",
        );
    }
    rows
}

fn check_ahp(
    m: &[Vec<f64>],
    n: usize,
    allow_inconsistent: bool,
    root: &Map<String, Value>,
    w: &mut Walker,
) {
    if let Some(Value::Array(items)) = root.get("criterion") {
        for (i, item) in items.iter().enumerate() {
            if item.get("weight").is_some() {
                w.problem(
                    format!("criterion[{i}].weight"),
                    "a brief with weights.ahp gives no per-criterion weights; remove it",
                );
            }
        }
    }
    if !(1..=10).contains(&n) {
        w.problem("weights.ahp", "AHP handles 1 to 10 criteria");
        return;
    }
    if m.len() != n || m.iter().any(|r| r.len() != n) {
        w.problem(
            "weights.ahp",
            format!("must be a square {n}x{n} matrix, one row and column per criterion, in order"),
        );
        return;
    }
    let mut ok = true;
    for (i, row) in m.iter().enumerate() {
        for (j, &a) in row.iter().enumerate() {
            let b = m.get(j).and_then(|r| r.get(i)).copied().unwrap_or(f64::NAN);
            if !(a > 0.0 && a.is_finite()) {
                w.problem(
                    format!("weights.ahp[{i}][{j}]"),
                    "must be a positive number",
                );
                ok = false;
            } else if j > i && b > 0.0 && (a * b - 1.0).abs() > 0.01 {
                w.problem(
                    format!("weights.ahp[{j}][{i}]"),
                    format!("must be the reciprocal of weights.ahp[{i}][{j}] = {a} (within 1%)"),
                );
                ok = false;
            }
        }
    }
    if ok && !allow_inconsistent {
        let (_, cr) = ahp_weights(m);
        if cr > 0.10 {
            w.problem(
                "weights.ahp",
                format!(
                    "consistency ratio {cr:.3} is above 0.10; revise the judgements or set \
                     allow_inconsistent = true in [weights]"
                ),
            );
        }
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
