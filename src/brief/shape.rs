//! The shapes of a brief file: what each table may hold, as written. serde reads
//! them (through [`super::de::read`], which keeps every problem); `validate.rs`
//! turns them into a [`super::Brief`], checking what the types cannot say.
//!
//! Fields are in the order the messages list them ("the keys here are: ..."). Every
//! field is optional here: a missing required key is a validation problem, so that it
//! is reported with the others.

use std::fmt;

use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::Value;

/// The top level of a brief.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct BriefShape {
    pub name: Option<String>,
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
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct TargetShape {
    pub site: Option<String>,
    pub label: Option<String>,
    pub values: Option<std::collections::BTreeMap<String, Value>>,
}

/// `[filter]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FilterShape {
    pub layers: Option<TextList>,
    pub min_area_ha: Option<f64>,
    pub max_area_ha: Option<f64>,
    pub departments: Option<TextList>,
    pub bbox: Option<Value>,
    #[serde(rename = "where")]
    pub where_: Option<WhereTable>,
    pub where_not: Option<WhereTable>,
    pub exclude_zones: Option<TextList>,
}

/// `[weights]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct WeightsShape {
    pub ahp: Option<Matrix>,
    pub allow_inconsistent: Option<bool>,
}

/// `[robustness]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RobustnessShape {
    pub runs: Option<f64>,
    pub spread: Option<f64>,
    pub seed: Option<f64>,
}

/// `[output]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct OutputShape {
    pub min_spacing_km: Option<f64>,
    pub one_per: Option<String>,
    pub near_miss: Option<f64>,
}

/// `[candidates]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct CandidatesShape {
    pub grid_km: Option<f64>,
    pub land: Option<String>,
    pub land_km: Option<f64>,
    pub within: Option<String>,
    pub cells: Option<String>,
}

/// The keys every criterion has, read whatever its type (to report a bad name or
/// weight even when the type is unknown).
#[derive(Debug, Deserialize)]
pub(super) struct HeadShape {
    pub name: Option<String>,
    pub weight: Option<f64>,
}

/// `type = "distance"`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct DistanceShape {
    pub name: Option<String>,
    #[serde(rename = "type")]
    pub _type: Option<IgnoredAny>,
    pub weight: Option<f64>,
    pub layer: Option<String>,
    pub categories: Option<TextList>,
    pub tags: Option<TextList>,
    pub ideal_km: Option<f64>,
    pub zero_km: Option<f64>,
    pub max_km: Option<f64>,
    pub ideal_min: Option<f64>,
    pub zero_min: Option<f64>,
    pub max_min: Option<f64>,
    pub travel: Option<String>,
    pub network: Option<String>,
    pub matrix: Option<String>,
}

/// `type = "access"`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct AccessShape {
    pub name: Option<String>,
    #[serde(rename = "type")]
    pub _type: Option<IgnoredAny>,
    pub weight: Option<f64>,
    pub layer: Option<String>,
    pub field: Option<String>,
    pub categories: Option<TextList>,
    pub tags: Option<TextList>,
    pub radius_km: Option<f64>,
    pub radius_min: Option<f64>,
    pub decay: Option<String>,
    pub saturation: Option<f64>,
    pub travel: Option<String>,
    pub network: Option<String>,
    pub matrix: Option<String>,
}

/// `type = "attribute"`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct AttributeShape {
    pub name: Option<String>,
    #[serde(rename = "type")]
    pub _type: Option<IgnoredAny>,
    pub weight: Option<f64>,
    pub field: Option<String>,
    pub ideal: Option<f64>,
    pub zero: Option<f64>,
    pub missing: Option<f64>,
}

/// `type = "category"`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct CategoryShape {
    pub name: Option<String>,
    #[serde(rename = "type")]
    pub _type: Option<IgnoredAny>,
    pub weight: Option<f64>,
    pub field: Option<String>,
    pub scores: Option<ScoreTable>,
    pub default: Option<f64>,
}

/// `type = "competition"`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct CompetitionShape {
    pub name: Option<String>,
    #[serde(rename = "type")]
    pub _type: Option<IgnoredAny>,
    pub weight: Option<f64>,
    pub layer: Option<String>,
    pub field: Option<String>,
    pub jobs_layer: Option<String>,
    pub jobs_field: Option<String>,
    pub radius_km: Option<f64>,
    pub radius_min: Option<f64>,
    pub decay: Option<String>,
    pub beta: Option<f64>,
    pub measure: Option<String>,
    pub jobs: Option<f64>,
    pub saturation: Option<f64>,
    pub travel: Option<String>,
    pub network: Option<String>,
    pub matrix: Option<String>,
}

/// `type = "freight"`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FreightShape {
    pub name: Option<String>,
    #[serde(rename = "type")]
    pub _type: Option<IgnoredAny>,
    pub weight: Option<f64>,
    pub flows: Option<String>,
    pub mode: Option<String>,
    pub factors: Option<std::collections::BTreeMap<String, f64>>,
    pub detour: Option<f64>,
    pub rail_layer: Option<String>,
    pub rail_categories: Option<TextList>,
    pub rail_within_km: Option<f64>,
    pub rail_min_km: Option<f64>,
    pub rail_detour: Option<f64>,
    pub ideal: Option<f64>,
    pub zero: Option<f64>,
    pub travel: Option<String>,
    pub network: Option<String>,
}

/// `type = "zone"`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ZoneShape {
    pub name: Option<String>,
    #[serde(rename = "type")]
    pub _type: Option<IgnoredAny>,
    pub weight: Option<f64>,
    pub layer: Option<String>,
}

/// Text, or a list of text: `departments = ["59", "62"]`, `layers = "friches"`.
/// Whole numbers count as text (`departments = [59, 62]`).
#[derive(Debug, Default)]
pub(crate) struct TextList(pub Vec<String>);

/// One item of a [`TextList`].
struct TextItem(String);

/// Accepts text, or a whole number as text.
struct TextVisitor;

impl Visitor<'_> for TextVisitor {
    type Value = String;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("text")
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<String, E> {
        Ok(s.to_string())
    }

    fn visit_u64<E: de::Error>(self, n: u64) -> Result<String, E> {
        Ok(n.to_string())
    }
}

impl<'de> Deserialize<'de> for TextItem {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(TextVisitor).map(TextItem)
    }
}

impl<'de> Deserialize<'de> for TextList {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct ListVisitor;
        impl<'de> Visitor<'de> for ListVisitor {
            type Value = TextList;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("text")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<TextList, E> {
                Ok(TextList(vec![s.to_string()]))
            }
            fn visit_u64<E: de::Error>(self, n: u64) -> Result<TextList, E> {
                Ok(TextList(vec![n.to_string()]))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<TextList, A::Error> {
                let mut out = Vec::new();
                while let Some(TextItem(s)) = seq.next_element()? {
                    out.push(s);
                }
                Ok(TextList(out))
            }
        }
        d.deserialize_any(ListVisitor)
    }
}

/// Reads a table of keys to values of one shape, in the brief's order.
fn table<'de, D, T>(d: D, expecting: &'static str) -> Result<Vec<(String, T)>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    struct TableVisitor<T> {
        expecting: &'static str,
        item: std::marker::PhantomData<T>,
    }
    impl<'de, T: Deserialize<'de>> Visitor<'de> for TableVisitor<T> {
        type Value = Vec<(String, T)>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(self.expecting)
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut out = Vec::new();
            while let Some((k, v)) = map.next_entry::<String, T>()? {
                out.push((k, v));
            }
            Ok(out)
        }
    }
    d.deserialize_any(TableVisitor {
        expecting,
        item: std::marker::PhantomData,
    })
}

/// `where = { statut = ["friche sans projet"] }`, in the brief's order.
#[derive(Debug)]
pub(super) struct WhereTable(pub Vec<(String, TextList)>);

impl<'de> Deserialize<'de> for WhereTable {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        table(d, "a table like { statut = [\"...\"] }").map(WhereTable)
    }
}

/// `scores = { "non" = 1.0, "oui" = 0.2 }`: the values are checked by validation.
#[derive(Debug)]
pub(super) struct ScoreTable(pub Vec<(String, Value)>);

impl<'de> Deserialize<'de> for ScoreTable {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        table(d, "a table like { \"non\" = 1.0 }").map(ScoreTable)
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

/// `type = "land"`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct LandShape {
    pub name: Option<String>,
    #[serde(rename = "type")]
    pub _type: Option<IgnoredAny>,
    pub weight: Option<f64>,
    pub need_ha: Option<f64>,
    pub min_share: Option<f64>,
    pub missing: Option<f64>,
}

/// One point of an anchor criterion.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct AnchorPointShape {
    pub label: Option<String>,
    pub lon: Option<f64>,
    pub lat: Option<f64>,
}

/// `type = "anchor"`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct AnchorShape {
    pub name: Option<String>,
    #[serde(rename = "type")]
    pub _type: Option<IgnoredAny>,
    pub weight: Option<f64>,
    pub points: Option<Vec<AnchorPointShape>>,
    pub ideal_km: Option<f64>,
    pub zero_km: Option<f64>,
    pub max_km: Option<f64>,
}
