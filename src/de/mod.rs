//! Reading briefs and catalogs with serde while keeping every problem.
//!
//! serde stops at the first error, and its errors are text. Briefs and catalogs
//! report every problem at once, each at its key path. So the shapes (`brief/shape.rs`, the catalog's `LayerSpec`) are read
//! through [`ValueDe`], a deserializer over a `serde_json::Value` that knows the key
//! path of the value it reads and whose error type, [`Fault`], keeps what serde says
//! in structured form (an unknown key with the keys allowed, a value of the wrong
//! type, a name that is not one of the allowed). [`read`] records a fault as a problem at its path, takes the faulty value
//! out of the document and reads again, until the shape reads: every shape problem
//! is found, and the shapes stay plain `#[derive(Deserialize)]` types.

mod finite;
mod lists;

use std::fmt;

use serde::de::{self, DeserializeOwned, DeserializeSeed, IntoDeserializer, Unexpected, Visitor};
use serde_json::Value;

use crate::error::KeyProblem;

pub(crate) use finite::{non_finite, NOT_FINITE};
pub(crate) use lists::{table, ScoreTable, TextList};

/// The problems found so far in a brief or a catalog, each at its key path.
#[derive(Debug, Default)]
pub(crate) struct Problems(Vec<KeyProblem>);

impl Problems {
    pub(crate) fn push(&mut self, key: impl Into<String>, message: impl Into<String>) {
        self.0.push(KeyProblem::new(key, message));
    }

    /// True when a problem was already given at this key.
    pub(crate) fn reported(&self, key: &str) -> bool {
        self.0.iter().any(|p| p.key == key)
    }

    /// "is required"-like problems: given unless the key's value was there but could
    /// not be read (that problem is already given).
    pub(crate) fn required(&mut self, key: impl Into<String>, message: impl Into<String>) {
        let key = key.into();
        if !self.reported(&key) {
            self.push(key, message);
        }
    }

    /// True when there is no problem.
    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The problems, in the order found.
    pub(crate) fn into_vec(self) -> Vec<KeyProblem> {
        self.0
    }
}

/// One step of a key path: a key of a table or an index of a list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Seg {
    Key(String),
    Index(usize),
}

/// The one of `among` a typo of `word` most likely meant: one that extends it with a
/// suffix (`zero` for `zero_km`), else the closest in edits, a swap of two letters
/// one edit (`idael_km` for `ideal_km`), within a third of its length, at least one edit and fewer than its
/// length; ties to the first.
fn closest<'a>(word: &str, among: impl Iterator<Item = &'a str> + Clone) -> Option<&'a str> {
    let extends = among.clone().find(|k| {
        k.strip_prefix(word)
            .is_some_and(|rest| rest.starts_with('_'))
    });
    let n = word.chars().count();
    extends.or_else(|| {
        among
            .map(|k| (strsim::osa_distance(k, word), k))
            .min_by_key(|(d, _)| *d)
            .filter(|(d, _)| *d > 0 && *d < n && *d <= (n / 3).max(1))
            .map(|(_, k)| k)
    })
}

/// A key path as messages write it: `criterion[2].zero_km`.
pub(crate) fn render(path: &[Seg]) -> String {
    let mut out = String::new();
    for seg in path {
        match seg {
            Seg::Key(k) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(k);
            }
            Seg::Index(i) => out.push_str(&format!("[{i}]")),
        }
    }
    out
}

fn child(path: &[Seg], seg: Seg) -> Vec<Seg> {
    let mut p = path.to_vec();
    p.push(seg);
    p
}

/// What serde found wrong, where.
#[derive(Debug)]
pub(crate) struct Fault {
    /// Set by the innermost value that knows its path.
    path: Option<Vec<Seg>>,
    kind: FaultKind,
}

#[derive(Debug)]
enum FaultKind {
    /// A key the table does not have; `allowed` are the keys it has, in order.
    UnknownKey {
        key: String,
        allowed: &'static [&'static str],
    },
    /// A value of another type than the shape's.
    WrongType {
        found: &'static str,
        expected: String,
    },
    /// A name that is not one of `allowed` (`role = "shops"`).
    UnknownName {
        name: String,
        allowed: &'static [&'static str],
    },
    /// A required key is absent (or its value was taken out after a fault).
    MissingKey(&'static str),
    /// A message written by a shape's own `Deserialize`.
    Message(String),
}

impl Fault {
    fn at(mut self, path: &[Seg]) -> Fault {
        self.path.get_or_insert_with(|| path.to_vec());
        self
    }

    /// The problem's text, as briefs have always said it.
    fn message(&self) -> String {
        match &self.kind {
            FaultKind::UnknownKey { key, allowed } => {
                let guess = closest(key, allowed.iter().copied())
                    .map(|k| format!("did you mean {k:?}? "))
                    .unwrap_or_default();
                format!(
                    "unknown key; {guess}the keys here are: {}",
                    allowed.join(", ")
                )
            }
            FaultKind::WrongType { found, expected } => {
                format!("must be {}, found {found}", expected_words(expected))
            }
            FaultKind::UnknownName { name, allowed } => {
                format!("{name:?} is not one of: {}", allowed.join(", "))
            }
            FaultKind::MissingKey(_) => "is required".to_string(),
            FaultKind::Message(m) => m.clone(),
        }
    }
}

/// serde's names of the types a shape expects, in a brief writer's words.
fn expected_words(expected: &str) -> &str {
    match expected {
        "f64" | "f32" | "u64" | "i64" | "usize" | "u32" | "i32" => "a number",
        "a string" | "path string" => "text",
        "a boolean" => "true or false",
        "a sequence" => "a list",
        "a map" => "a table",
        e if e.starts_with("struct ") => "a table",
        e => e,
    }
}

/// The type of a value as a brief writer would name it.
fn found_words(unexpected: Unexpected<'_>) -> &'static str {
    match unexpected {
        Unexpected::Bool(_) => "a boolean",
        Unexpected::Unsigned(_) | Unexpected::Signed(_) | Unexpected::Float(_) => "a number",
        Unexpected::Char(_) | Unexpected::Str(_) => "text",
        Unexpected::Unit | Unexpected::Option => "null",
        Unexpected::Seq => "a list",
        Unexpected::Map => "a table",
        _ => "something else",
    }
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = self.path.as_deref().map(render).unwrap_or_default();
        write!(f, "{path}: {}", self.message())
    }
}

impl std::error::Error for Fault {}

impl de::Error for Fault {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Fault {
            path: None,
            kind: FaultKind::Message(msg.to_string()),
        }
    }

    fn invalid_type(unexpected: Unexpected<'_>, expected: &dyn de::Expected) -> Self {
        Fault {
            path: None,
            kind: FaultKind::WrongType {
                found: found_words(unexpected),
                expected: expected.to_string(),
            },
        }
    }

    fn unknown_variant(name: &str, allowed: &'static [&'static str]) -> Self {
        Fault {
            path: None,
            kind: FaultKind::UnknownName {
                name: name.to_string(),
                allowed,
            },
        }
    }

    fn missing_field(key: &'static str) -> Self {
        Fault {
            path: None,
            kind: FaultKind::MissingKey(key),
        }
    }

    fn unknown_field(field: &str, allowed: &'static [&'static str]) -> Self {
        Fault {
            path: None,
            kind: FaultKind::UnknownKey {
                key: field.to_string(),
                allowed,
            },
        }
    }
}

/// A deserializer over one value of the document, at its key path.
pub(crate) struct ValueDe<'a> {
    value: &'a Value,
    path: Vec<Seg>,
}

impl<'de> de::Deserializer<'de> for ValueDe<'_> {
    type Error = Fault;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Fault> {
        let read = match self.value {
            Value::Null => visitor.visit_unit(),
            Value::Bool(b) => visitor.visit_bool(*b),
            Value::Number(n) => match (n.as_u64(), n.as_i64(), n.as_f64()) {
                (Some(u), _, _) => visitor.visit_u64(u),
                (None, Some(i), _) => visitor.visit_i64(i),
                (None, None, x) => visitor.visit_f64(x.unwrap_or(f64::NAN)),
            },
            Value::String(s) => visitor.visit_str(s),
            Value::Array(items) => visitor.visit_seq(SeqDe {
                items: items.iter().enumerate(),
                path: &self.path,
            }),
            Value::Object(map) => visitor.visit_map(MapDe {
                entries: map.iter(),
                pending: None,
                path: &self.path,
            }),
        };
        read.map_err(|e| e.at(&self.path))
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Fault> {
        match self.value {
            Value::Null => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    /// A table only: serde would also read a struct from a list, by position.
    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Fault> {
        match self.value {
            Value::Object(_) => self.deserialize_any(visitor),
            other => {
                let found = Fault {
                    path: Some(self.path),
                    kind: FaultKind::WrongType {
                        found: value_type(other),
                        expected: "a table".to_string(),
                    },
                };
                Err(found)
            }
        }
    }

    /// Unit variants, named by text (`role = "sites"`).
    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Fault> {
        match self.value {
            Value::String(s) => {
                let name: de::value::StrDeserializer<'_, Fault> = s.as_str().into_deserializer();
                visitor.visit_enum(name).map_err(|e| e.at(&self.path))
            }
            _ => self.deserialize_any(visitor),
        }
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes
        byte_buf unit unit_struct newtype_struct seq tuple tuple_struct map
        identifier ignored_any
    }
}

struct SeqDe<'a, 'p> {
    items: std::iter::Enumerate<std::slice::Iter<'a, Value>>,
    path: &'p [Seg],
}

impl<'de> de::SeqAccess<'de> for SeqDe<'_, '_> {
    type Error = Fault;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Fault> {
        let Some((i, value)) = self.items.next() else {
            return Ok(None);
        };
        read_child(seed, value, child(self.path, Seg::Index(i))).map(Some)
    }
}

struct MapDe<'a, 'p> {
    entries: serde_json::map::Iter<'a>,
    pending: Option<(&'a String, &'a Value)>,
    path: &'p [Seg],
}

impl<'de> de::MapAccess<'de> for MapDe<'_, '_> {
    type Error = Fault;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Fault> {
        let Some((key, value)) = self.entries.next() else {
            return Ok(None);
        };
        self.pending = Some((key, value));
        let path = child(self.path, Seg::Key(key.clone()));
        let key: de::value::StrDeserializer<'_, Fault> = key.as_str().into_deserializer();
        seed.deserialize(key).map(Some).map_err(|e| e.at(&path))
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Fault> {
        let Some((key, value)) = self.pending.take() else {
            return Err(de::Error::custom("a value without its key"));
        };
        read_child(seed, value, child(self.path, Seg::Key(key.clone())))
    }
}

/// Reads a list item or a table value at its path; a fault raised by the item's own
/// `Deserialize` after reading (a `try_from` conversion) gets that path too.
fn read_child<'de, T: DeserializeSeed<'de>>(
    seed: T,
    value: &Value,
    path: Vec<Seg>,
) -> Result<T::Value, Fault> {
    let at = path.clone();
    seed.deserialize(ValueDe { value, path })
        .map_err(|e| e.at(&at))
}

/// At most this many problems from one shape: a bound on the re-reads.
const MAX_FAULTS: usize = 200;

/// Reads `value`, found at `base` in the brief, as the shape `T`. Every fault is
/// recorded in `problems` at its key path and the faulty value taken out: a key is
/// removed from its table, a list item is blanked (removed with its list if that
/// fault repeats). `None` when the value cannot be read at all: it is not a table,
/// a required key is missing (the shape's `Option` fields are never missing), or
/// too many faults.
pub(crate) fn read<T: DeserializeOwned>(
    value: &Value,
    base: &[Seg],
    problems: &mut Problems,
) -> Option<T> {
    let mut doc = value.clone();
    let mut last: Option<Vec<Seg>> = None;
    for _ in 0..MAX_FAULTS {
        let fault = match T::deserialize(ValueDe {
            value: &doc,
            path: base.to_vec(),
        }) {
            Ok(shape) => return Some(shape),
            Err(fault) => fault,
        };
        let mut path = fault.path.clone().unwrap_or_else(|| base.to_vec());
        if let FaultKind::MissingKey(key) = fault.kind {
            // Said once: not again when its value was there but unreadable.
            path.push(Seg::Key(key.to_string()));
            problems.required(render(&path), fault.message());
            return None;
        }
        let relative = path.get(base.len()..).unwrap_or_default().to_vec();
        let repeated = last.as_ref() == Some(&path);
        if !repeated {
            problems.push(render(&path), fault.message());
        }
        if !repair(&mut doc, &relative, repeated) {
            return None;
        }
        last = Some(path);
    }
    None
}

/// Takes the value at `path` out of `doc`; false when there is nothing to take.
fn repair(doc: &mut Value, path: &[Seg], repeated: bool) -> bool {
    // A list item that faulted again: take out the whole list.
    let path = if repeated {
        let keep = path
            .iter()
            .rposition(|s| matches!(s, Seg::Key(_)))
            .map_or(0, |k| k + 1);
        path.get(..keep).unwrap_or_default()
    } else {
        path
    };
    let Some((last, parents)) = path.split_last() else {
        return false;
    };
    let mut at = doc;
    for seg in parents {
        let next = match (seg, at) {
            (Seg::Key(k), Value::Object(m)) => m.get_mut(k),
            (Seg::Index(i), Value::Array(a)) => a.get_mut(*i),
            _ => None,
        };
        match next {
            Some(v) => at = v,
            None => return false,
        }
    }
    match (last, at) {
        (Seg::Key(k), Value::Object(m)) => m.shift_remove(k).is_some(),
        (Seg::Index(i), Value::Array(a)) => match a.get_mut(*i) {
            Some(item) => {
                *item = Value::String(String::new());
                true
            }
            None => false,
        },
        _ => false,
    }
}

/// The type of a document value, in the words of [`found_words`].
pub(crate) fn value_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "text",
        Value::Array(_) => "a list",
        Value::Object(_) => "a table",
    }
}

/// A required number: "is required" when absent (and not already reported).
pub(crate) fn required(
    x: Option<f64>,
    key: &str,
    field: &str,
    what: &str,
    p: &mut Problems,
) -> Option<f64> {
    if x.is_none() {
        p.required(format!("{key}.{field}"), format!("is required for {what}"));
    }
    x
}

/// True for 0, a negative number or NaN (TOML can write `nan`).
pub(crate) fn not_positive(x: f64) -> bool {
    x.is_nan() || x <= 0.0
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;
    use serde_json::json;

    use super::TextList;
    use super::*;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Inner {
        x: Option<f64>,
        names: Option<TextList>,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Outer {
        inner: Option<Inner>,
        flag: Option<bool>,
        rows: Option<Vec<Vec<f64>>>,
    }

    fn problems(v: serde_json::Value) -> (Option<Outer>, Vec<String>) {
        let mut p = Problems::default();
        let shape = read::<Outer>(&v, &[], &mut p);
        (shape, p.0.iter().map(|p| p.to_string()).collect())
    }

    #[test]
    fn every_fault_is_reported_at_its_path_and_the_rest_is_read() {
        let (shape, p) = problems(json!({
            "inner": {"x": "far", "names": ["a", true, "b", 3, [1]], "y": 1},
            "flag": "yes",
            "colour": "red",
        }));
        assert_eq!(
            p,
            [
                "inner.x: must be a number, found text",
                "inner.names[1]: must be text, found a boolean",
                "inner.names[4]: must be text, found a list",
                "inner.y: unknown key; the keys here are: x, names",
                "flag: must be true or false, found text",
                "colour: unknown key; the keys here are: inner, flag, rows",
            ]
        );
        // The faulty values are taken out; what is left is read.
        let shape = shape.unwrap();
        assert_eq!(shape.flag, None);
        let inner = shape.inner.unwrap();
        assert_eq!(inner.x, None);
        // Bad items are blanked so that later items are still checked.
        assert_eq!(inner.names.unwrap().0, ["a", "", "b", "3", ""]);
    }

    #[test]
    fn an_item_that_faults_again_takes_its_list_out() {
        // A blank is no number either: the second fault at [0][1] removes `rows`,
        // and is not reported twice.
        let (shape, p) = problems(json!({"rows": [[1, "x"], [2, 3]]}));
        assert_eq!(p, ["rows[0][1]: must be a number, found text"]);
        assert!(shape.unwrap().rows.is_none());
    }

    #[test]
    fn a_value_that_is_no_table_cannot_be_read() {
        let (shape, p) = problems(json!([1, 2]));
        assert!(shape.is_none());
        assert_eq!(p, [": must be a table, found a list"]);
    }

    #[test]
    fn paths_render_as_briefs_write_them() {
        let path = [
            Seg::Key("criterion".into()),
            Seg::Index(2),
            Seg::Key("zero_km".into()),
        ];
        assert_eq!(render(&path), "criterion[2].zero_km");
    }

    #[test]
    fn an_unknown_key_suggests_the_one_meant() {
        let keys = ["name", "type", "ideal_km", "zero_km", "max_km", "layer"];
        assert_eq!(closest("idael_km", keys.iter().copied()), Some("ideal_km"));
        assert_eq!(closest("zero", keys.iter().copied()), Some("zero_km"));
        assert_eq!(closest("layr", keys.iter().copied()), Some("layer"));
        // Nothing near: no guess; one letter is no typo of another.
        assert_eq!(closest("colour", keys.iter().copied()), None);
        assert_eq!(closest("y", ["x"].iter().copied()), None);
    }
}
