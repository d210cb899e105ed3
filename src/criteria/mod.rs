//! The criteria: what each criterion type reads in a brief, checks against the data,
//! measures of a site and how it scores it, and how its value is described.
//!
//! Each type is one file with its specification (`DistanceSpec`...), its brief shape
//! and validation, its data check and its scorer, and one line in
//! [`criterion_types!`] below; [`Type`] is what every type provides. Distance, access
//! and competition are written over a [`crate::travel::Reach`], so that they measure
//! in a straight line, by road or from a matrix alike. [`build`] turns a brief's
//! criteria into scorers over a [`DataSet`]; the engine calls them, site by site.

mod access;
mod anchor;
mod attribute;
mod category;
mod competition;
pub(crate) mod distance;
mod freight;
pub(crate) mod land;
mod zone;

mod check;
mod read;
pub(crate) use check::DataCheck;
use read::{read_as, Read, Shape, Table};
pub(crate) use read::{read_criterion, ReadContext};

use std::collections::HashMap;
use std::sync::Arc;

use arcstr::ArcStr;

pub use access::AccessSpec;
pub use anchor::{Anchor, AnchorSpec};
pub use attribute::AttributeSpec;
pub use category::CategorySpec;
pub use competition::{CompetitionMeasure, CompetitionSpec, Impedance};
pub use distance::DistanceSpec;
pub use freight::{FlowShare, FreightDetail, FreightSpec, DEFAULT_FACTORS};
pub use land::LandSpec;
pub use zone::ZoneSpec;

use crate::de::Problems;
use crate::error::Result;
use crate::index::IndexedLayer;
use crate::model::{CriterionValue, Feature, Layer, Role};
use crate::network::Network;
use crate::table::Folded;
use crate::travel::{Travel, TravelMatrix, Ways};

/// One criterion of a brief.
///
/// ```
/// # use sitematch::{Brief, Catalog, Engine, Feature, Layer, Role};
/// # let brief = Brief::from_toml_str("[filter]\nmin_area_ha = 20\n[[criterion]]\nname = \"land\"\ntype = \"attribute\"\nfield = \"area_ha\"\nideal = 60\nzero = 0\n")?;
/// let c = &brief.criteria[0];
/// assert_eq!((c.name.as_str(), c.weight), ("land", 1.0));
/// assert_eq!(c.kind.kind(), sitematch::CriterionType::Attribute);
/// # Ok::<(), sitematch::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Criterion {
    /// Unique name, the output column prefix.
    pub name: String,
    /// Raw weight (1 when omitted; ignored with an AHP matrix).
    pub weight: f64,
    /// What it measures.
    pub kind: CriterionKind,
}

/// What every criterion type provides: one implementation per file of this module.
pub(crate) trait Type {
    /// What the value measures, in words (the outputs document their `_value`
    /// columns with it).
    fn unit(&self) -> String;
    /// How the criterion measures the way, for those that travel.
    fn travel(&self) -> Option<&Travel> {
        None
    }
    /// As [`Type::travel`], to change it.
    fn travel_mut(&mut self) -> Option<&mut Travel> {
        None
    }
    /// The files the criterion reads (a matrix, a flows file): relative paths are
    /// resolved beside the brief's file.
    fn files_mut(&mut self) -> Vec<&mut std::path::PathBuf> {
        match self.travel_mut() {
            Some(Travel::Matrix(m)) => vec![m],
            _ => Vec::new(),
        }
    }
    /// The layer the criterion reads, for those that read one.
    fn layer(&self) -> Option<&str> {
        None
    }
    /// Every layer the criterion reads (its layer, a jobs layer, a rail layer).
    fn layers(&self) -> Vec<&str> {
        self.layer().into_iter().collect()
    }
    /// The field a sum adds up, named in the outputs' columns (access criteria, the
    /// expected workers of a competition criterion).
    fn sums(&self) -> Option<&str> {
        None
    }
    /// How many features the criterion would count have no number in the field it
    /// reads (reported in the ranking); `None` for the types that read no field.
    fn missing_values(&self, _data: &dyn DataSet) -> Option<usize> {
        None
    }
    /// True for the types that read the sites' own attributes (grid cells have none).
    fn reads_site_attributes(&self) -> bool {
        false
    }
    /// The criterion's problems against the data (`at`: its key, `criterion[2]`).
    fn check(&self, _at: &str, _data: &mut DataCheck<'_>) {}
    /// The scorer over a data set.
    fn scorer<'a>(&'a self, name: &str, inputs: &Inputs<'a>) -> Box<dyn Scorer + 'a>;
    /// The score of a value in the criterion's unit (a reference profile's values).
    fn score_of_value(&self, value: &CriterionValue) -> Option<f64>;
}

/// The shape of a type's `[[criterion]]` table: the keys every criterion has
/// (`name`, `type`, `weight`), then the type's, every one optional (a missing key is
/// a validation problem, reported with the others); its file reads it with
/// `Shape::read`.
macro_rules! criterion_shape {
    ($($field:ident: $ty:ty),* $(,)?) => {
        /// The criterion's table, as written.
        #[derive(Debug, serde::Deserialize, schemars::JsonSchema)]
        #[serde(deny_unknown_fields)]
        pub(super) struct Shape {
            name: Option<String>,
            #[serde(rename = "type")]
            #[schemars(with = "String")]
            _type: Option<serde::de::IgnoredAny>,
            weight: Option<f64>,
            $($field: Option<$ty>,)*
        }

        impl super::Shape for Shape {
            fn head(&self) -> (Option<String>, Option<f64>) {
                (self.name.clone(), self.weight)
            }

            fn kind(
                self,
                key: &str,
                context: &super::ReadContext,
                p: &mut crate::de::Problems,
            ) -> super::CriterionKind {
                self.read(key, context, p)
            }
        }
    };
}
use criterion_shape;

/// Implements [`Type::travel`] and [`Type::travel_mut`] for a specification whose
/// field `$field` says how it travels.
macro_rules! travels_by {
    ($field:ident) => {
        fn travel(&self) -> Option<&Travel> {
            Some(&self.$field)
        }

        fn travel_mut(&mut self) -> Option<&mut Travel> {
            Some(&mut self.$field)
        }
    };
}
use travels_by;

/// The criterion types: for each, its variant, its specification, its name in briefs
/// and its shape. Adding a type is a file in this folder and a line here.
macro_rules! criterion_types {
    ($($(#[$doc:meta])* $variant:ident($spec:ty, $shape:ty) = $name:literal;)*) => {
        /// What a criterion measures: one variant per type, each with its
        /// specification.
        ///
        /// ```
        /// use sitematch::{Brief, CriterionKind};
        /// let brief = Brief::from_toml_str(r#"
        ///     [[criterion]]
        ///     name = "motorway"
        ///     type = "distance"
        ///     layer = "motorway"
        ///     ideal_km = 3
        ///     zero_km = 25
        /// "#)?;
        /// let CriterionKind::Distance(d) = &brief.criteria[0].kind else {
        ///     panic!("a distance criterion");
        /// };
        /// assert_eq!((d.ideal, d.zero, d.max), (3.0, 25.0, None));
        /// # Ok::<(), sitematch::Error>(())
        /// ```
        #[derive(Debug, Clone, PartialEq)]
        pub enum CriterionKind {
            $($(#[$doc])* $variant($spec),)*
        }

        /// The kinds of criterion a brief can name (`type = "..."`).
        ///
        /// ```
        /// use sitematch::CriterionType;
        /// assert_eq!(CriterionType::from_name("access"), Some(CriterionType::Access));
        /// assert_eq!(format!("{:<9}|", CriterionType::Zone), "zone     |");
        /// assert_eq!(CriterionType::Zone.as_str(), "zone");
        /// ```
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        pub enum CriterionType {
            $($(#[$doc])* $variant,)*
        }

        impl CriterionType {
            /// Every type, in the order briefs and messages list them.
            pub const ALL: [CriterionType; [$($name),*].len()] = [$(CriterionType::$variant),*];

            /// The name briefs write (`distance`, `access`...).
            pub fn as_str(self) -> &'static str {
                match self {
                    $(CriterionType::$variant => $name,)*
                }
            }
        }

        impl CriterionKind {
            /// The criterion's type.
            pub fn kind(&self) -> CriterionType {
                match self {
                    $(CriterionKind::$variant(_) => CriterionType::$variant,)*
                }
            }

            /// What every type provides, for this criterion.
            pub(crate) fn spec(&self) -> &dyn Type {
                match self {
                    $(CriterionKind::$variant(s) => s,)*
                }
            }

            /// As [`CriterionKind::spec`], to change it.
            pub(crate) fn spec_mut(&mut self) -> &mut dyn Type {
                match self {
                    $(CriterionKind::$variant(s) => s,)*
                }
            }
        }

        /// The JSON Schema of each type's `[[criterion]]` table, its `type` fixed and
        /// its `name` and `type` required.
        pub(crate) fn shape_schemas(
            generator: &mut schemars::SchemaGenerator,
        ) -> Vec<schemars::Schema> {
            vec![$({
                let mut s = generator.root_schema_for::<$shape>();
                s.remove("$schema");
                s.insert("title".into(), format!("{} criterion", $name).into());
                s.insert(
                    "description".into(),
                    format!("a [[criterion]] table of type {:?}", $name).into(),
                );
                if let Some(p) = s.get_mut("properties").and_then(|p| p.as_object_mut()) {
                    p.insert("type".into(), serde_json::json!({"type": "string", "enum": [$name]}));
                }
                s.insert("required".into(), serde_json::json!(["name", "type"]));
                s
            }),*]
        }

        /// Reads a table of a known type.
        fn read_typed(t: CriterionType, table: &Table<'_>, p: &mut Problems) -> Option<Read> {
            match t {
                $(CriterionType::$variant => read_as::<$shape>(table, p),)*
            }
        }
    };
}

criterion_types! {
    /// Distance to the nearest matching facility.
    Distance(DistanceSpec, distance::Shape) = "distance";
    /// Sum over the features within a radius.
    Access(AccessSpec, access::Shape) = "access";
    /// A numeric attribute of the site.
    Attribute(AttributeSpec, attribute::Shape) = "attribute";
    /// A text attribute of the site mapped to scores.
    Category(CategorySpec, category::Shape) = "category";
    /// Inside a polygon of a zones layer.
    Zone(ZoneSpec, zone::Shape) = "zone";
    /// Workers within reach per competing job, or the workers a plant can expect: a
    /// two-step floating catchment.
    Competition(CompetitionSpec, competition::Shape) = "competition";
    /// The freight carbon of the client's flows to and from the site.
    Freight(FreightSpec, freight::Shape) = "freight";
    /// How well a site's usable land fits the plant's need.
    Land(LandSpec, land::Shape) = "land";
    /// The distance to places the brief names (a partner's plant, a client).
    Anchor(AnchorSpec, anchor::Shape) = "anchor";
}

impl CriterionType {
    /// True for the types whose value is a distance to the nearest of something
    /// (`distance`, `anchor`): their outputs name what is nearest.
    pub fn is_distance(self) -> bool {
        matches!(self, CriterionType::Distance | CriterionType::Anchor)
    }

    /// The type a brief names, if it is one.
    pub fn from_name(name: &str) -> Option<CriterionType> {
        CriterionType::ALL.into_iter().find(|t| t.as_str() == name)
    }
}

impl std::fmt::Display for CriterionType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.as_str())
    }
}

impl CriterionKind {
    /// What the criterion's value measures, in words: `km to the nearest motorway`,
    /// `sum of active within 30 km`; the outputs document their `_value` columns with it.
    ///
    /// ```
    /// let brief = sitematch::Brief::from_toml_str(
    ///     "[[criterion]]\nname = \"labour\"\ntype = \"access\"\nlayer = \"communes\"\nfield = \"active\"\nradius_km = 30\nsaturation = 1000\n",
    /// )?;
    /// assert_eq!(brief.criteria[0].kind.unit(), "sum of active within 30 km");
    /// # Ok::<(), sitematch::Error>(())
    /// ```
    pub fn unit(&self) -> String {
        self.spec().unit()
    }

    /// How a distance, access, competition or freight criterion measures the way;
    /// `None` for the others.
    ///
    /// ```
    /// use sitematch::{Brief, Travel};
    /// let brief = Brief::from_toml_str("[[criterion]]\nname = \"m\"\ntype = \"distance\"\nlayer = \"motorway\"\ntravel = \"drive\"\nideal_min = 5\nzero_min = 25\n")?;
    /// assert_eq!(brief.criteria[0].kind.travel(), Some(&Travel::Drive { network: None }));
    /// # Ok::<(), sitematch::Error>(())
    /// ```
    pub fn travel(&self) -> Option<&Travel> {
        self.spec().travel()
    }

    /// The layer the criterion reads, for distance, access, zone and competition
    /// criteria.
    pub fn layer(&self) -> Option<&str> {
        self.spec().layer()
    }
}

/// What one criterion says of one site.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Evaluation {
    /// The raw value.
    pub value: CriterionValue,
    /// The score, 0 worst to 1 best.
    pub score: f64,
    /// The hard limit of the criterion the site breaks (`max_km`, `max_min`), if any.
    pub excludes: Option<Limit>,
    /// What else the criterion found, by type.
    pub detail: Detail,
}

impl Evaluation {
    /// A sum not computed (the site is outside the brief's scope): no value, score 0.
    pub(crate) fn not_summed() -> Self {
        Evaluation {
            value: CriterionValue::Number(None),
            score: 0.0,
            excludes: None,
            detail: Detail::None,
        }
    }
}

/// A hard limit of a criterion, by its unit: `max_km` or `max_min`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Limit {
    Km,
    Min,
}

/// What a criterion found beside its value, by type.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Detail {
    /// Nothing more.
    None,
    /// Distance and anchor criteria: the facility or place reached first (a feature's
    /// id and label, or a place's label), and the straight-line km to it where the
    /// value is a time.
    Nearest {
        id: Option<ArcStr>,
        label: Option<ArcStr>,
        km: Option<f64>,
    },
    /// Competition criteria: the workers and the jobs competing for them.
    Competition(competition::Workers),
    /// Freight criteria: the tonne-km and the biggest flows.
    Freight(FreightDetail),
}

impl Evaluation {
    /// No value, score 0, nothing excluded: a site the criterion cannot measure (and
    /// the base the scorers fill in).
    pub(crate) fn none() -> Evaluation {
        Evaluation {
            value: CriterionValue::Number(None),
            score: 0.0,
            excludes: None,
            detail: Detail::None,
        }
    }
}

/// One criterion, ready to evaluate sites. Implementations are pure: no I/O.
pub(crate) trait Scorer: Send + Sync {
    /// The criterion's name (output column prefix).
    fn name(&self) -> &str;
    /// Evaluates one site.
    fn evaluate(&self, site: &Feature) -> Evaluation;
    /// What the brief's writer should know of how the criterion met the data (the
    /// ranking's warnings), once per brief.
    fn notes(&self) -> Vec<String> {
        Vec::new()
    }
    /// About how many (site, feature) pairs the criterion visits over `candidates`
    /// sites, extrapolated from `sample` (taken evenly among them), for sums over a
    /// straight-line radius; 0 for the criteria whose cost does not grow with one.
    fn pairs(&self, _sample: &[&Feature], _candidates: usize) -> f64 {
        0.0
    }
    /// True for the criteria that sum over features within a radius (access,
    /// competition): their cost grows with it, and they never exclude a site.
    fn sums(&self) -> bool {
        false
    }
}

/// What the criteria read of the data set: its layers with their folded tables, and
/// the road network a travel mode runs on.
pub(crate) trait DataSet: Sync {
    /// The layer with this name.
    fn layer(&self, name: &str) -> Option<&IndexedLayer>;
    /// The folded categories and tags of the layer with this name (made on first
    /// use: ask only when matching by category or tag).
    fn table(&self, name: &str) -> Option<&Folded>;
    /// The network a drive-time criterion runs on: the one it names, or the data
    /// set's only one; `None` for other travel.
    fn network_of(&self, travel: &Travel) -> Option<&Network>;
}

/// What a criterion's scorer reads: the data set, the matrices and flows files its
/// brief names (each read once).
pub(crate) struct Inputs<'a> {
    data: &'a dyn DataSet,
    matrices: HashMap<std::path::PathBuf, Arc<TravelMatrix>>,
    flows: HashMap<std::path::PathBuf, Layer>,
    no_flows: Layer,
}

impl<'a> Inputs<'a> {
    /// The layer with this name.
    pub(crate) fn layer(&self, name: &str) -> Option<&'a IndexedLayer> {
        self.data.layer(name)
    }

    /// The folded categories and tags of the layer with this name.
    pub(crate) fn table(&self, name: &str) -> Option<&'a Folded> {
        self.data.table(name)
    }

    /// The ways a criterion that travels this way can go.
    pub(crate) fn ways(&self, travel: &Travel) -> Ways<'a> {
        Ways {
            network: self.data.network_of(travel),
            matrix: match travel {
                Travel::Matrix(p) => self.matrices.get(p.as_path()).cloned(),
                _ => None,
            },
        }
    }

    /// The network a drive-time criterion runs on.
    pub(crate) fn network(&self, travel: &Travel) -> Option<&'a Network> {
        self.data.network_of(travel)
    }

    /// The flows a freight criterion names (read by [`build`]).
    pub(crate) fn flows(&self, path: &std::path::Path) -> &Layer {
        self.flows.get(path).unwrap_or(&self.no_flows)
    }
}

/// Builds the scorers of a brief's criteria over a data set, reading the travel
/// matrices and flows files they name (each file once).
pub(crate) fn build<'a>(
    data: &'a dyn DataSet,
    criteria: &'a [Criterion],
) -> Result<Vec<Box<dyn Scorer + 'a>>> {
    let mut inputs = Inputs {
        data,
        matrices: HashMap::new(),
        flows: HashMap::new(),
        no_flows: Layer::from_features("flows", Role::Facilities, Vec::new()),
    };
    for c in criteria {
        if let Some(Travel::Matrix(path)) = c.kind.travel() {
            if !inputs.matrices.contains_key(path) {
                let m = TravelMatrix::from_path(path)?;
                inputs.matrices.insert(path.clone(), Arc::new(m));
            }
        }
    }
    for c in criteria {
        if let CriterionKind::Freight(f) = &c.kind {
            if !inputs.flows.contains_key(&f.flows) {
                let flows = crate::catalog::load_flows(&f.flows)?;
                inputs.flows.insert(f.flows.clone(), flows);
            }
        }
    }
    Ok(criteria
        .iter()
        .map(|c| c.kind.spec().scorer(&c.name, &inputs))
        .collect())
}

/// The score a criterion gives a value in its unit (a reference profile's values).
pub(crate) fn score_of_value(kind: &CriterionKind, v: &CriterionValue) -> Option<f64> {
    kind.spec().score_of_value(v)
}

/// A number of a value, if it is one.
fn number(v: &CriterionValue) -> Option<f64> {
    match v {
        CriterionValue::Number(x) => *x,
        CriterionValue::Text(_) => None,
    }
}
