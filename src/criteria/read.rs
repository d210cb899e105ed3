//! Reading one `[[criterion]]` table: its type, then the type's shape, with every
//! problem at its key path.

use serde_json::Value;

use super::{read_typed, Criterion, CriterionKind, CriterionType};
use crate::de::{read, value_type, Problems, Seg};

/// The keys every criterion has, read whatever its type (to report a bad name or
/// weight even when the type is unknown).
#[derive(Debug, serde::Deserialize)]
struct HeadShape {
    name: Option<String>,
    weight: Option<f64>,
}

/// The shape of one type's `[[criterion]]` table, as written.
pub(crate) trait Shape: serde::de::DeserializeOwned {
    /// Its `name` and `weight`.
    fn head(&self) -> (Option<String>, Option<f64>);
    /// The specification, its problems in `p` (`key`: `criterion[2]`).
    fn kind(self, key: &str, context: &ReadContext, p: &mut Problems) -> CriterionKind;
}

/// What a criterion's table may take from the rest of the brief.
pub(crate) struct ReadContext {
    /// The brief's `need_ha` (else its `filter.min_area_ha`).
    pub need_ha: Option<f64>,
}

/// One `[[criterion]]` table being read: its value, its place in the brief and what
/// it may take from the rest of the brief.
pub(crate) struct Table<'a> {
    pub item: &'a Value,
    pub base: &'a [Seg],
    pub key: &'a str,
    pub context: &'a ReadContext,
}

/// A criterion's name, weight and specification, as read.
pub(crate) type Read = (Option<String>, Option<f64>, CriterionKind);

/// Reads a table as `S`.
pub(crate) fn read_as<S: Shape>(t: &Table<'_>, p: &mut Problems) -> Option<Read> {
    let s: S = read(t.item, t.base, p)?;
    let (name, weight) = s.head();
    Some((name, weight, s.kind(t.key, t.context, p)))
}

/// One `[[criterion]]` table, read by its type (`i`: its index in the brief).
pub(crate) fn read_criterion(
    item: &Value,
    i: usize,
    context: &ReadContext,
    p: &mut Problems,
) -> Option<Criterion> {
    let key = format!("criterion[{i}]");
    let base = [Seg::Key("criterion".into()), Seg::Index(i)];
    if !item.is_object() {
        p.push(&key, format!("must be a table, found {}", value_type(item)));
        return None;
    }
    let kind = match item.get("type") {
        None => Err("is required".to_string()),
        Some(Value::String(t)) => CriterionType::from_name(t).ok_or_else(|| {
            let names: Vec<&str> = CriterionType::ALL.iter().map(|t| t.as_str()).collect();
            let (last, rest) = names.split_last().unwrap_or((&"", &[]));
            format!("{t:?}: use {} or {last}", rest.join(", "))
        }),
        Some(other) => Err(format!("must be text, found {}", value_type(other))),
    };
    let kind = match kind {
        Ok(kind) => kind,
        Err(why) => {
            // Still check the keys every criterion has.
            if let Some(h) = read::<HeadShape>(item, &base, p) {
                head(h.name, h.weight, &key, p);
            }
            p.push(format!("{key}.type"), why);
            return None;
        }
    };
    let table = Table {
        item,
        base: &base,
        key: &key,
        context,
    };
    let (name, weight, kind) = read_typed(kind, &table, p)?;
    let name = head(name, weight, &key, p);
    Some(Criterion {
        name: name?,
        weight: weight.unwrap_or(1.0),
        kind,
    })
}

/// Checks the name and weight of a criterion; the name, if there is one.
fn head(name: Option<String>, weight: Option<f64>, key: &str, p: &mut Problems) -> Option<String> {
    match &name {
        None => p.required(format!("{key}.name"), "is required"),
        Some(n)
            if n.is_empty()
                || !n
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') =>
        {
            p.push(
                format!("{key}.name"),
                format!("{n:?}: use letters, digits, '_' or '-' (it names output columns)"),
            )
        }
        _ => {}
    }
    if weight.is_some_and(|x| x < 0.0) {
        p.push(format!("{key}.weight"), "must not be negative");
    }
    name
}
