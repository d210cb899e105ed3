//! A feature's attributes: values under names, the names shared by every feature of a
//! layer and the values shared by every copy of the feature (a ranking's result, an
//! index's row), so that a national layer holds one list of names and no copy of its
//! values.

use std::fmt;
use std::sync::Arc;

use arcstr::ArcStr;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::model::Value;

/// The names of a set of attributes, in their order (a layer's `[layer.fields]`),
/// unique; cloned by a reference count, so that every feature of a layer shares one.
///
/// ```
/// use sitematch::{AttributeNames, Attributes, Value};
/// let names = AttributeNames::new(["statut", "pollution"]).unwrap();
/// let a = Attributes::from_values(&names, vec![Value::Text("friche".into()), Value::Null]).unwrap();
/// assert_eq!(a.get("statut"), Some(&Value::Text("friche".into())));
/// assert!(AttributeNames::new(["a", "a"]).is_err());
/// ```
#[derive(Clone, PartialEq, Eq, Default)]
pub struct AttributeNames(Arc<Names>);

#[derive(PartialEq, Eq, Default)]
struct Names {
    /// In their order.
    names: Box<[ArcStr]>,
    /// The positions of `names`, sorted by name.
    sorted: Box<[u32]>,
}

impl AttributeNames {
    /// The names in their order; `Err` with the first name given twice.
    pub fn new<S: Into<ArcStr>>(names: impl IntoIterator<Item = S>) -> Result<Self, ArcStr> {
        let names: Box<[ArcStr]> = names.into_iter().map(Into::into).collect();
        let mut sorted: Vec<u32> = (0..names.len() as u32).collect();
        sorted.sort_by(|&a, &b| names[a as usize].cmp(&names[b as usize]));
        if let Some(w) = sorted
            .windows(2)
            .find(|w| names[w[0] as usize] == names[w[1] as usize])
        {
            return Err(names[w[0] as usize].clone());
        }
        Ok(AttributeNames(Arc::new(Names {
            names,
            sorted: sorted.into(),
        })))
    }

    /// The names, in their order.
    pub fn as_slice(&self) -> &[ArcStr] {
        &self.0.names
    }

    /// How many names.
    pub fn len(&self) -> usize {
        self.0.names.len()
    }

    /// True when there is none.
    pub fn is_empty(&self) -> bool {
        self.0.names.is_empty()
    }

    /// The position of a name.
    pub fn position(&self, name: &str) -> Option<usize> {
        let n = &self.0;
        n.sorted
            .binary_search_by(|&i| n.names[i as usize].as_str().cmp(name))
            .ok()
            .map(|k| n.sorted[k] as usize)
    }

    /// The positions in name order.
    fn sorted(&self) -> impl Iterator<Item = usize> + '_ {
        self.0.sorted.iter().map(|&i| i as usize)
    }

    /// True when both are the same list (one allocation), which is what a layer's
    /// features share: a cheaper test than comparing the names.
    pub(crate) fn same(&self, other: &AttributeNames) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl fmt::Debug for AttributeNames {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.as_slice()).finish()
    }
}

/// A feature's attributes: a value under each name, read as a map sorted by name
/// (as a `BTreeMap<String, Value>` is), stored as the layer's names (shared) and the
/// values in their order (shared by every copy: cloning costs two reference counts).
///
/// ```
/// use sitematch::{Attributes, Value};
/// let mut a = Attributes::new();
/// a.insert("statut".into(), Value::Text("friche sans projet".into()));
/// a.insert("pollution".into(), Value::Text("non".into()));
/// assert_eq!(a.get("statut").and_then(Value::as_text).as_deref(), Some("friche sans projet"));
/// // Read in name order, as a BTreeMap.
/// let names: Vec<&str> = a.keys().collect();
/// assert_eq!(names, ["pollution", "statut"]);
/// assert_eq!(a.insert("pollution".into(), Value::Null), Some(Value::Text("non".into())));
/// assert_eq!(a["pollution"], Value::Null);
/// ```
#[derive(Clone, Default)]
pub struct Attributes {
    names: AttributeNames,
    values: Arc<[Value]>,
}

impl Attributes {
    /// No attribute.
    pub fn new() -> Self {
        Attributes::default()
    }

    /// The values of `names`, in their order; `None` when there are not as many
    /// values as names. Every feature built with the same `names` shares them.
    pub fn from_values(names: &AttributeNames, values: Vec<Value>) -> Option<Self> {
        (values.len() == names.len()).then(|| Attributes {
            names: names.clone(),
            values: values.into(),
        })
    }

    /// The value under a name.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.values.get(self.names.position(name)?)
    }

    /// True when there is a value (null included) under the name.
    pub fn contains_key(&self, name: &str) -> bool {
        self.names.position(name).is_some()
    }

    /// How many values.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// True when there is none.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// The names and values, in name order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Value)> + '_ {
        self.names
            .sorted()
            .map(|i| (self.names.as_slice()[i].as_str(), &self.values[i]))
    }

    /// The names, in name order.
    pub fn keys(&self) -> impl Iterator<Item = &str> + '_ {
        self.iter().map(|(k, _)| k)
    }

    /// The values, in name order.
    pub fn values(&self) -> impl Iterator<Item = &Value> + '_ {
        self.iter().map(|(_, v)| v)
    }

    /// Sets the value under a name and gives the value it replaces. A new name copies
    /// the names and values (it is meant for building a feature by hand; a reader
    /// builds a layer's features with [`Attributes::from_values`]).
    pub fn insert(&mut self, name: ArcStr, value: Value) -> Option<Value> {
        let mut values = self.values.to_vec();
        match self.names.position(&name) {
            Some(i) => {
                let old = std::mem::replace(&mut values[i], value);
                self.values = values.into();
                Some(old)
            }
            None => {
                let mut names = self.names.as_slice().to_vec();
                names.push(name);
                values.push(value);
                // Names unique before, the new one absent: cannot fail.
                if let Ok(n) = AttributeNames::new(names) {
                    self.names = n;
                    self.values = values.into();
                }
                None
            }
        }
    }

    /// Removes the value under a name and gives it.
    pub fn remove(&mut self, name: &str) -> Option<Value> {
        let i = self.names.position(name)?;
        let mut names = self.names.as_slice().to_vec();
        let mut values = self.values.to_vec();
        names.remove(i);
        let old = values.remove(i);
        self.names = AttributeNames::new(names).ok()?;
        self.values = values.into();
        Some(old)
    }

    /// The names, in their order (see [`Attributes::values_in_order`]).
    pub fn names(&self) -> &AttributeNames {
        &self.names
    }

    /// The values in the order of [`Attributes::names`], shared: cloning it costs
    /// one reference count.
    pub fn values_in_order(&self) -> &Arc<[Value]> {
        &self.values
    }
}

impl PartialEq for Attributes {
    fn eq(&self, other: &Self) -> bool {
        (self.names.same(&other.names) && self.values == other.values)
            || (self.len() == other.len() && self.iter().eq(other.iter()))
    }
}

impl fmt::Debug for Attributes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl<K: Into<ArcStr>> FromIterator<(K, Value)> for Attributes {
    /// From pairs; a name given twice keeps its last value, as a map does.
    fn from_iter<I: IntoIterator<Item = (K, Value)>>(iter: I) -> Self {
        let mut map: std::collections::BTreeMap<ArcStr, Value> = std::collections::BTreeMap::new();
        for (k, v) in iter {
            map.insert(k.into(), v);
        }
        let (names, values): (Vec<ArcStr>, Vec<Value>) = map.into_iter().unzip();
        Attributes {
            // Unique: the keys of a map.
            names: AttributeNames::new(names).unwrap_or_default(),
            values: values.into(),
        }
    }
}

impl std::ops::Index<&str> for Attributes {
    type Output = Value;

    /// The value under a name; panics when there is none, as a map does.
    fn index(&self, name: &str) -> &Value {
        match self.get(name) {
            Some(v) => v,
            None => panic!("no attribute {name:?}"),
        }
    }
}

impl<'a> IntoIterator for &'a Attributes {
    type Item = (&'a str, &'a Value);
    type IntoIter = Box<dyn Iterator<Item = (&'a str, &'a Value)> + 'a>;
    fn into_iter(self) -> Self::IntoIter {
        Box::new(self.iter())
    }
}

impl Serialize for Attributes {
    /// As a map sorted by name.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.iter())
    }
}

impl<'de> Deserialize<'de> for Attributes {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let map = std::collections::BTreeMap::<ArcStr, Value>::deserialize(d)?;
        Ok(map.into_iter().collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn text(s: &str) -> Value {
        Value::Text(s.into())
    }

    /// The same operations on a BTreeMap and on Attributes read the same.
    #[test]
    fn attributes_read_as_a_sorted_map_does() {
        let ops: Vec<(&str, Option<Value>)> = vec![
            ("zoning", Some(text("U"))),
            ("area", Some(Value::Number(3.5))),
            ("b", Some(Value::Null)),
            ("zoning", Some(text("AU"))),
            ("area", None),
            ("c", Some(Value::Bool(true))),
            ("missing", None),
            ("a", Some(text(""))),
        ];
        let (mut map, mut attrs) = (BTreeMap::<String, Value>::new(), Attributes::new());
        for (k, op) in ops {
            match op {
                Some(v) => assert_eq!(map.insert(k.into(), v.clone()), attrs.insert(k.into(), v)),
                None => assert_eq!(map.remove(k), attrs.remove(k)),
            }
            let want: Vec<(&str, &Value)> = map.iter().map(|(k, v)| (k.as_str(), v)).collect();
            assert_eq!(attrs.iter().collect::<Vec<_>>(), want);
            assert_eq!(attrs.len(), map.len());
            for k in ["a", "area", "b", "c", "missing", "zoning", "zz"] {
                assert_eq!(attrs.get(k), map.get(k), "{k}");
                assert_eq!(attrs.contains_key(k), map.contains_key(k));
            }
            let collected: Attributes = map.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
            assert_eq!(collected, attrs);
            assert_eq!(
                serde_json::to_string(&attrs).unwrap(),
                serde_json::to_string(&map).unwrap()
            );
            let back: Attributes =
                serde_json::from_str(&serde_json::to_string(&map).unwrap()).unwrap();
            assert_eq!(back, attrs);
        }
    }

    #[test]
    fn features_of_a_layer_share_their_names_and_copies_their_values() {
        let names = AttributeNames::new(["statut", "nature", "pollution"]).unwrap();
        let a = Attributes::from_values(&names, vec![text("x"), Value::Null, text("y")]).unwrap();
        let b = a.clone();
        assert!(Arc::ptr_eq(a.values_in_order(), b.values_in_order()));
        assert!(a.names().same(b.names()));
        // In their order, read by name in name order.
        assert_eq!(names.position("pollution"), Some(2));
        assert_eq!(
            a.keys().collect::<Vec<_>>(),
            ["nature", "pollution", "statut"]
        );
        assert!(Attributes::from_values(&names, vec![Value::Null]).is_none());
        assert_eq!(AttributeNames::new(["a", "b", "a"]), Err(ArcStr::from("a")));
        // Equal to the same map built otherwise.
        let other: Attributes = [
            ("statut", text("x")),
            ("pollution", text("y")),
            ("nature", Value::Null),
        ]
        .into_iter()
        .collect();
        assert_eq!(a, other);
        assert_ne!(a, Attributes::new());
    }
}
