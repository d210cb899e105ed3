//! Values briefs and catalogs write in more than one way: text or a list of text,
//! a table of keys read in the file's order.

use std::fmt;

use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::Value;

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
                    if out.len() == crate::brief::MAX_LIST_ITEMS {
                        return Err(de::Error::custom(format!(
                            "more than {} values; a list may hold at most that many",
                            crate::brief::MAX_LIST_ITEMS
                        )));
                    }
                    out.push(s);
                }
                Ok(TextList(out))
            }
        }
        d.deserialize_any(ListVisitor)
    }
}

/// Reads a table of keys to values of one shape, in the brief's order.
pub(crate) fn table<'de, D, T>(d: D, expecting: &'static str) -> Result<Vec<(String, T)>, D::Error>
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
                if out.len() == crate::brief::MAX_LIST_ITEMS {
                    return Err(de::Error::custom(format!(
                        "more than {} keys; a table may hold at most that many",
                        crate::brief::MAX_LIST_ITEMS
                    )));
                }
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

/// `scores = { "non" = 1.0, "oui" = 0.2 }`: the values are checked by validation.
#[derive(Debug)]
pub(crate) struct ScoreTable(pub Vec<(String, Value)>);

impl<'de> Deserialize<'de> for ScoreTable {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        table(d, "a table like { \"non\" = 1.0 }").map(ScoreTable)
    }
}

impl schemars::JsonSchema for TextList {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "TextList".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "text, or a list of text (whole numbers count as text)",
            "anyOf": [
                {"type": "string"},
                {"type": "integer", "minimum": 0},
                {"type": "array", "maxItems": crate::brief::MAX_LIST_ITEMS,
                 "items": {"anyOf": [{"type": "string"}, {"type": "integer", "minimum": 0}]}},
            ],
        })
    }
}

impl schemars::JsonSchema for ScoreTable {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "ScoreTable".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "object",
            "description": "value = score in [0, 1]",
            "additionalProperties": {"type": "number", "minimum": 0, "maximum": 1},
        })
    }
}
