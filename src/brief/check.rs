//! A brief against the data: the layers it names exist and have the right role, the
//! fields it names exist.

use super::Brief;
use crate::criteria::DataCheck;
use crate::error::KeyProblem;
use crate::model::{Layer, Role};

impl Brief {
    /// Every problem of this brief against these layers (empty: none): unknown layers,
    /// layers of the wrong role, fields the layers do not have.
    pub fn check_against(&self, layers: &[&Layer]) -> Vec<KeyProblem> {
        let layer = |name: &str| layers.iter().copied().find(|l| l.name == name);
        let sites: Vec<&Layer> = match &self.filter.layers {
            Some(names) => names.iter().filter_map(|n| layer(n)).collect(),
            None => layers
                .iter()
                .copied()
                .filter(|l| l.role == Role::Sites)
                .collect(),
        };
        let mut data = DataCheck {
            layers,
            sites,
            roles: Vec::new(),
            fields: Vec::new(),
        };
        if let Some(names) = &self.filter.layers {
            for (i, n) in names.iter().enumerate() {
                data.role(format!("filter.layers[{i}]"), n, &[Role::Sites]);
            }
        }
        for (i, n) in self.filter.exclude_zones.iter().enumerate() {
            data.role(format!("filter.exclude_zones[{i}]"), n, &[Role::Zones]);
        }
        // Each criterion's problems: its layers and their roles, then its fields.
        let mut criteria = DataCheck {
            layers,
            sites: data.sites.clone(),
            roles: Vec::new(),
            fields: Vec::new(),
        };
        for (i, c) in self.criteria.iter().enumerate() {
            c.kind
                .spec()
                .check(&format!("criterion[{i}]"), &mut criteria);
        }
        let mut problems = std::mem::take(&mut data.roles);
        problems.append(&mut criteria.roles);
        if data.sites.is_empty() && self.filter.layers.is_none() && self.grid.is_none() {
            problems.push(KeyProblem::new(
                "filter.layers",
                "the data has no sites layer to rank",
            ));
        }
        if let Some(attr) = &self.output.one_per {
            data.site_field("output.one_per".to_string(), attr);
        }
        for (table, attr, _) in self.filter.attribute_lists() {
            data.site_field(format!("filter.{table}.{attr}"), attr);
        }
        problems.append(&mut data.fields);
        problems.append(&mut criteria.fields);
        problems
    }
}
