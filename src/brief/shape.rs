//! The shapes of a brief file: what each table may hold, as written. serde reads
//! them (through [`super::de::read`], which keeps every problem); `validate.rs`
//! turns them into a [`super::Brief`], checking what the types cannot say.
//!
//! Fields are in the order the messages list them ("the keys here are: ..."). Every
//! field is optional here: a missing required key is a validation problem, so that it
//! is reported with the others.

use std::fmt;

use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::Value;

use crate::de::{table, TextList};

/// The top level of a brief.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct BriefShape {
    pub name: Option<String>,
    #[schemars(with = "Option<u32>")]
    pub top: Option<Value>,
    pub method: Option<String>,
    pub filter: Option<FilterShape>,
    pub criterion: Option<CriterionList>,
    pub weights: Option<WeightsShape>,
    pub robustness: Option<RobustnessShape>,
    pub output: Option<OutputShape>,
    pub candidates: Option<CandidatesShape>,
    pub need_ha: Option<f64>,
    pub target: Option<TargetShape>,
}

/// `[target]`.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct TargetShape {
    pub site: Option<String>,
    pub label: Option<String>,
    #[schemars(with = "Option<std::collections::BTreeMap<String, TargetValue>>")]
    pub values: Option<std::collections::BTreeMap<String, Value>>,
}

/// A value of `[target] values`, for the schema only: a number, or the text of a
/// category criterion.
#[derive(schemars::JsonSchema)]
#[serde(untagged)]
#[allow(dead_code)]
enum TargetValue {
    Number(f64),
    Text(String),
}

/// `[filter]`.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct FilterShape {
    pub layers: Option<TextList>,
    pub min_area_ha: Option<f64>,
    pub max_area_ha: Option<f64>,
    pub departments: Option<TextList>,
    #[schemars(with = "Option<[f64; 4]>")]
    pub bbox: Option<Value>,
    #[serde(rename = "where")]
    pub where_: Option<WhereTable>,
    pub where_not: Option<WhereTable>,
    pub exclude_zones: Option<TextList>,
}

/// `[weights]`.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct WeightsShape {
    pub ahp: Option<Matrix>,
    pub allow_inconsistent: Option<bool>,
}

/// `[robustness]`.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct RobustnessShape {
    pub runs: Option<f64>,
    pub spread: Option<f64>,
    pub seed: Option<f64>,
}

/// `[output]`.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct OutputShape {
    pub min_spacing_km: Option<f64>,
    pub one_per: Option<String>,
    pub near_miss: Option<f64>,
}

/// `[candidates]`.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct CandidatesShape {
    pub grid_km: Option<f64>,
    pub land: Option<String>,
    pub land_km: Option<f64>,
    pub within: Option<String>,
    pub cells: Option<String>,
}

/// `where = { statut = ["friche sans projet"] }`, in the brief's order.
#[derive(Debug)]
pub(super) struct WhereTable(pub Vec<(String, TextList)>);

impl<'de> Deserialize<'de> for WhereTable {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        table(d, "a table like { statut = [\"...\"] }").map(WhereTable)
    }
}

/// `[[criterion]]`: the tables, read by type in validation.
#[derive(Debug)]
pub(super) struct CriterionList(pub Vec<Value>);

impl<'de> Deserialize<'de> for CriterionList {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct ListVisitor;
        impl<'de> Visitor<'de> for ListVisitor {
            type Value = CriterionList;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a list of [[criterion]] tables")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<CriterionList, A::Error> {
                let mut out = Vec::new();
                while let Some(v) = seq.next_element::<Value>()? {
                    out.push(v);
                }
                Ok(CriterionList(out))
            }
        }
        d.deserialize_any(ListVisitor)
    }
}

/// `ahp = [[1, 3], [0.3333, 1]]`: rows of numbers (squareness is checked by
/// validation).
#[derive(Debug)]
pub(super) struct Matrix(pub Vec<Vec<f64>>);

impl<'de> Deserialize<'de> for Matrix {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let rows = Value::deserialize(d)?;
        rows.as_array()
            .and_then(|rows| {
                rows.iter()
                    .map(|r| r.as_array()?.iter().map(Value::as_f64).collect())
                    .collect::<Option<Vec<Vec<f64>>>>()
            })
            .map(Matrix)
            .ok_or_else(|| {
                de::Error::custom("must be a list of rows of numbers, like [[1, 3], [0.3333, 1]]")
            })
    }
}

impl schemars::JsonSchema for WhereTable {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "WhereTable".into()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "object",
            "description": "attribute = value, or attribute = [values]",
            "additionalProperties": generator.subschema_for::<TextList>(),
        })
    }
}

impl schemars::JsonSchema for CriterionList {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "CriterionList".into()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "array",
            "minItems": 1,
            "maxItems": super::MAX_CRITERIA,
            "items": {"oneOf": crate::criteria::shape_schemas(generator)},
        })
    }
}

impl schemars::JsonSchema for Matrix {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Matrix".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "array",
            "description": "the pairwise comparison matrix, one row per criterion",
            "items": {"type": "array", "items": {"type": "number"}},
        })
    }
}
