//! What the criteria read of a layer's attribute rows besides the index: its
//! categories and tags folded once (case, accents and spacing) and numbered, so that a
//! criterion's match is a comparison of numbers.

use std::collections::BTreeSet;

use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};

use crate::model::{Layer, Value};
use crate::text::fold;

/// The number of a text among the folded texts seen so far.
fn intern<'a>(
    text: &'a str,
    raw: &mut HashMap<&'a str, u32>,
    numbers: &mut HashMap<String, u32>,
) -> u32 {
    if let Some(&n) = raw.get(text) {
        return n;
    }
    let next = numbers.len() as u32;
    let n = *numbers.entry(fold(text)).or_insert(next);
    raw.insert(text, n);
    n
}

/// The categories and tags of a layer's features folded for matching, each distinct
/// text folded once and numbered: matching compares numbers.
#[derive(Debug, Clone, Default)]
pub(crate) struct Folded {
    /// Folded text to its number.
    numbers: HashMap<String, u32>,
    /// Per feature: its category's number.
    pub(crate) category: Vec<Option<u32>>,
    /// Per feature: its tags' numbers.
    pub(crate) tags: Vec<Vec<u32>>,

    /// The distinct categories and tags as written (for the brief's warnings).
    pub(crate) known: Known,
}

impl Folded {
    pub(crate) fn new(layer: &Layer) -> Folded {
        let mut out = Folded::default();
        // Each distinct raw text is folded once.
        let mut raw: HashMap<&str, u32> = HashMap::new();
        let (mut seen_categories, mut seen_tags) = (HashSet::new(), HashSet::new());
        for f in &layer.features {
            let c = f.category.as_deref().map(|c| {
                if seen_categories.insert(c) {
                    out.known.categories.insert(c.to_string());
                }
                intern(c, &mut raw, &mut out.numbers)
            });
            out.category.push(c);
            let tags = f
                .tags
                .iter()
                .map(|t| {
                    if seen_tags.insert(t.as_str()) {
                        out.known.tags.insert(t.to_string());
                    }
                    intern(t, &mut raw, &mut out.numbers)
                })
                .collect();
            out.tags.push(tags);
        }
        out
    }
}

/// Which features of a layer a criterion's `categories` and `tags` select: a feature
/// matches when its category is one of the categories (if any are given) and one of
/// its tags is one of the tags (if any are given), case and accents ignored.
pub(crate) struct Matcher {
    categories: Vec<String>,
    tags: Vec<String>,
}

impl Matcher {
    pub(crate) fn new(categories: &[String], tags: &[String]) -> Matcher {
        Matcher {
            categories: categories.iter().map(|c| fold(c)).collect(),
            tags: tags.iter().map(|t| fold(t)).collect(),
        }
    }

    /// The mask of matching features of a layer of `n` features. Its folded table
    /// (`table`) is asked for only when the matcher selects by category or tag:
    /// otherwise every feature matches.
    pub(crate) fn mask<'f>(
        &self,
        n: usize,
        table: impl FnOnce() -> Option<&'f Folded>,
    ) -> Vec<bool> {
        if self.categories.is_empty() && self.tags.is_empty() {
            return vec![true; n];
        }
        let Some(folded) = table() else {
            return vec![false; n];
        };
        // The brief's texts as the layer's numbers (a text the layer does not have
        // matches none of its features).
        let numbers = |texts: &[String]| -> Vec<u32> {
            texts
                .iter()
                .filter_map(|t| folded.numbers.get(t).copied())
                .collect()
        };
        let (categories, tags) = (numbers(&self.categories), numbers(&self.tags));
        folded
            .category
            .iter()
            .zip(&folded.tags)
            .map(|(c, ts)| {
                (self.categories.is_empty() || c.is_some_and(|c| categories.contains(&c)))
                    && (self.tags.is_empty() || ts.iter().any(|t| tags.contains(t)))
            })
            .collect()
    }
}

/// A decimal number written plainly: `12`, `-3.25`, `0.5`, not `0396`, ` 12`, `1e3`
/// or `inf`.
pub(crate) fn plain_number(t: &str) -> Option<f64> {
    let digits = t.strip_prefix('-').unwrap_or(t);
    let b = digits.as_bytes();
    let plain = !b.is_empty()
        && b.iter().all(|c| c.is_ascii_digit() || *c == b'.')
        && b.first().is_some_and(u8::is_ascii_digit)
        && b.last().is_some_and(u8::is_ascii_digit)
        && !(b.len() > 1 && b[0] == b'0' && b[1].is_ascii_digit());
    if plain {
        t.parse::<f64>().ok()
    } else {
        None
    }
}

/// The distinct categories and tags of a layer's features, as written.
#[derive(Debug, Clone, Default)]
pub(crate) struct Known {
    pub(crate) categories: BTreeSet<String>,
    pub(crate) tags: BTreeSet<String>,
}

/// The type of an attribute column in the outputs, inferred once per ranking from
/// every candidate's value (CSV cells are text; a column is a number column when every
/// non-empty value is a plain decimal number without a leading zero, so that codes such
/// as `"0396"` stay text, as GDAL's `KEEP_LEADING_ZEROS` keeps them).
///
/// ```
/// use sitematch::{ColumnType, Value};
/// let values = [Value::Text("3.5".into()), Value::Null, Value::Text("12".into())];
/// assert_eq!(ColumnType::infer(values.iter()), ColumnType::Number);
/// let counts = [Value::Text("3".into()), Value::Number(12.0)];
/// assert_eq!(ColumnType::infer(counts.iter()), ColumnType::Integer);
/// let codes = [Value::Text("0396".into()), Value::Text("12".into())];
/// assert_eq!(ColumnType::infer(codes.iter()), ColumnType::Text);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum ColumnType {
    /// Strings.
    Text,
    /// Whole numbers (every value an integer written without a decimal point, within
    /// 2^53).
    Integer,
    /// Numbers (floating point).
    Number,
    /// Booleans.
    Bool,
}

impl ColumnType {
    /// The narrowest type that holds every value (`Text` when there is none).
    pub fn infer<'a>(values: impl Iterator<Item = &'a Value>) -> ColumnType {
        let mut e = ColumnEvidence::default();
        for v in values {
            e.add(v);
            if !e.number && !e.boolean {
                return ColumnType::Text;
            }
        }
        e.kind()
    }
}

/// What the values of a column seen so far allow it to be; evidence from two sets of
/// values merges into the evidence of both, so a layer's can be computed once.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ColumnEvidence {
    number: bool,
    integer: bool,
    boolean: bool,
    any: bool,
}

impl Default for ColumnEvidence {
    fn default() -> Self {
        ColumnEvidence {
            number: true,
            integer: true,
            boolean: true,
            any: false,
        }
    }
}

impl ColumnEvidence {
    pub(crate) fn add(&mut self, v: &Value) {
        const MAX_EXACT: f64 = 9_007_199_254_740_992.0;
        let whole = |x: f64| x.fract() == 0.0 && x.abs() <= MAX_EXACT;
        match v {
            Value::Null => return,
            Value::Bool(_) => (self.number, self.integer) = (false, false),
            Value::Number(x) => {
                self.boolean = false;
                self.integer = self.integer && whole(*x);
            }
            Value::Text(t) if t.trim().is_empty() => return,
            Value::Text(t) => {
                self.boolean = false;
                let x = plain_number(t);
                self.number = self.number && x.is_some();
                self.integer = self.integer && !t.contains('.') && x.is_some_and(whole);
            }
        }
        self.any = true;
    }

    /// True when no further value can change the evidence (a text column).
    pub(crate) fn settled(&self) -> bool {
        self.any && !self.number && !self.integer && !self.boolean
    }

    pub(crate) fn merge(self, o: ColumnEvidence) -> ColumnEvidence {
        ColumnEvidence {
            number: self.number && o.number,
            integer: self.integer && o.integer,
            boolean: self.boolean && o.boolean,
            any: self.any || o.any,
        }
    }

    pub(crate) fn kind(self) -> ColumnType {
        match (
            self.any,
            self.integer && self.number,
            self.number,
            self.boolean,
        ) {
            (true, true, _, _) => ColumnType::Integer,
            (true, _, true, _) => ColumnType::Number,
            (true, _, _, true) => ColumnType::Bool,
            _ => ColumnType::Text,
        }
    }
}
