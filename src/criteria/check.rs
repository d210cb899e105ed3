//! A brief's criteria against the data set: what each type's `check` reports into.

use crate::error::KeyProblem;
use crate::model::{Layer, Role, BUILTIN_FIELDS};

/// A brief's criteria against the data: the layers they name exist and have the
/// right role, the fields they name exist. Role problems come first, then field
/// problems, each in the criteria's order.
pub(crate) struct DataCheck<'a> {
    /// Every layer of the data.
    pub layers: &'a [&'a Layer],
    /// The site layers the brief ranks.
    pub sites: Vec<&'a Layer>,
    /// Problems of layers and their roles.
    pub roles: Vec<KeyProblem>,
    /// Problems of fields.
    pub fields: Vec<KeyProblem>,
}

impl<'a> DataCheck<'a> {
    /// The layer with this name.
    pub(crate) fn find(&self, name: &str) -> Option<&'a Layer> {
        self.layers.iter().copied().find(|l| l.name == name)
    }

    /// A problem at `key` unless layer `name` exists with one of `roles`.
    pub(crate) fn role(&mut self, key: String, name: &str, roles: &[Role]) {
        match self.find(name).map(|l| l.role) {
            None => {
                let names: Vec<&str> = self.layers.iter().map(|l| l.name.as_str()).collect();
                self.roles.push(KeyProblem::new(
                    key,
                    format!(
                        "no layer {name:?} in the data; the layers are: {}",
                        names.join(", ")
                    ),
                ))
            }
            Some(r) if !roles.contains(&r) => {
                let wanted: Vec<String> = roles.iter().map(Role::to_string).collect();
                self.roles.push(KeyProblem::new(
                    key,
                    format!(
                        "layer {name:?} is a {r} layer; this needs a {} layer",
                        wanted.join(" or ")
                    ),
                ))
            }
            Some(_) => {}
        }
    }

    /// True when the sites have field `f` (or it is one every feature has).
    pub(crate) fn is_site_field(&self, f: &str) -> bool {
        BUILTIN_FIELDS.contains(&f)
            || self
                .sites
                .iter()
                .any(|l| l.attribute_names.iter().any(|a| a == f))
    }

    /// The problem of a field the sites do not have, listing those they have.
    pub(crate) fn no_site_field(&self, f: &str) -> String {
        let mut all: Vec<&str> = BUILTIN_FIELDS.to_vec();
        for a in self.sites.iter().flat_map(|l| &l.attribute_names) {
            if !all.contains(&a.as_str()) {
                all.push(a);
            }
        }
        format!(
            "the site layers have no attribute {f:?}; they have: {}",
            all.join(", ")
        )
    }

    /// A problem at `key` unless the sites have field `f`.
    pub(crate) fn site_field(&mut self, key: String, f: &str) {
        if !self.is_site_field(f) {
            let why = self.no_site_field(f);
            self.fields.push(KeyProblem::new(key, why));
        }
    }

    /// A problem at `key` when layer `name` (if it exists) has no field `field`.
    pub(crate) fn layer_field(&mut self, key: String, name: &str, field: &str) {
        let Some(l) = self.find(name) else {
            return;
        };
        if !BUILTIN_FIELDS.contains(&field) && !l.attribute_names.iter().any(|a| a == field) {
            self.fields.push(KeyProblem::new(
                key,
                format!(
                    "layer {:?} has no attribute {field:?}; it has: {}",
                    l.name,
                    l.attribute_names.join(", ")
                ),
            ))
        }
    }
}
