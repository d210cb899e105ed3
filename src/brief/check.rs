//! A brief against the data: the layers it names exist and have the right role, the
//! fields it names exist.

use super::{Brief, CriterionKind};
use crate::error::KeyProblem;
use crate::model::{Layer, Role, BUILTIN_FIELDS};

impl Brief {
    /// Every problem of this brief against these layers (empty: none): unknown layers,
    /// layers of the wrong role, fields the layers do not have.
    pub fn check_against(&self, layers: &[&Layer]) -> Vec<KeyProblem> {
        let mut problems = Vec::new();
        let layer = |name: &str| layers.iter().copied().find(|l| l.name == name);
        let role_check = |problems: &mut Vec<KeyProblem>,
                          key: String,
                          name: &str,
                          roles: &[Role]| {
            match layer(name).map(|l| l.role) {
                None => {
                    let names: Vec<&str> = layers.iter().map(|l| l.name.as_str()).collect();
                    problems.push(KeyProblem::new(
                        key,
                        format!(
                            "no layer {name:?} in the data; the layers are: {}",
                            names.join(", ")
                        ),
                    ))
                }
                Some(r) if !roles.contains(&r) => {
                    let wanted: Vec<String> = roles.iter().map(Role::to_string).collect();
                    problems.push(KeyProblem::new(
                        key,
                        format!(
                            "layer {name:?} is a {r} layer; this needs a {} layer",
                            wanted.join(" or ")
                        ),
                    ))
                }
                Some(_) => {}
            }
        };
        if let Some(names) = &self.filter.layers {
            for (i, n) in names.iter().enumerate() {
                role_check(
                    &mut problems,
                    format!("filter.layers[{i}]"),
                    n,
                    &[Role::Sites],
                );
            }
        }
        for (i, n) in self.filter.exclude_zones.iter().enumerate() {
            let key = format!("filter.exclude_zones[{i}]");
            role_check(&mut problems, key, n, &[Role::Zones]);
        }
        for (i, c) in self.criteria.iter().enumerate() {
            let key = format!("criterion[{i}].layer");
            match &c.kind {
                // A site layer too: the distance to the nearest chemical platform.
                CriterionKind::Distance { layer, .. } | CriterionKind::Access { layer, .. } => {
                    role_check(
                        &mut problems,
                        key,
                        layer,
                        &[Role::Facilities, Role::Population, Role::Sites],
                    )
                }
                CriterionKind::Zone { layer } => {
                    role_check(&mut problems, key, layer, &[Role::Zones])
                }
                CriterionKind::Freight(f) => {
                    if let Some(rail) = &f.rail_layer {
                        role_check(
                            &mut problems,
                            format!("criterion[{i}].rail_layer"),
                            rail,
                            &[Role::Facilities],
                        );
                    }
                }
                CriterionKind::Competition {
                    layer, jobs_layer, ..
                } => {
                    role_check(&mut problems, key, layer, &[Role::Population]);
                    if jobs_layer != layer {
                        role_check(
                            &mut problems,
                            format!("criterion[{i}].jobs_layer"),
                            jobs_layer,
                            &[Role::Population, Role::Facilities],
                        );
                    }
                }
                _ => {}
            }
        }
        let sites: Vec<&Layer> = match &self.filter.layers {
            Some(names) => names.iter().filter_map(|n| layer(n)).collect(),
            None => layers
                .iter()
                .copied()
                .filter(|l| l.role == Role::Sites)
                .collect(),
        };
        if sites.is_empty() && self.filter.layers.is_none() && self.grid.is_none() {
            problems.push(KeyProblem::new(
                "filter.layers",
                "the data has no sites layer to rank",
            ));
        }
        let site_field = |f: &str| {
            BUILTIN_FIELDS.contains(&f)
                || sites
                    .iter()
                    .any(|l| l.attribute_names.iter().any(|a| a == f))
        };
        let no_site_field = |f: &str| {
            let mut all: Vec<&str> = BUILTIN_FIELDS.to_vec();
            for a in sites.iter().flat_map(|l| &l.attribute_names) {
                if !all.contains(&a.as_str()) {
                    all.push(a);
                }
            }
            format!(
                "the site layers have no attribute {f:?}; they have: {}",
                all.join(", ")
            )
        };
        if let Some(attr) = &self.output.one_per {
            if !site_field(attr) {
                problems.push(KeyProblem::new("output.one_per", no_site_field(attr)));
            }
        }
        for (table, attr, _) in self.filter.attribute_lists() {
            if !site_field(attr) {
                problems.push(KeyProblem::new(
                    format!("filter.{table}.{attr}"),
                    no_site_field(attr),
                ));
            }
        }
        for (i, c) in self.criteria.iter().enumerate() {
            let key = format!("criterion[{i}].field");
            match &c.kind {
                CriterionKind::Attribute { field, .. } | CriterionKind::Category { field, .. }
                    if !site_field(field) =>
                {
                    problems.push(KeyProblem::new(key, no_site_field(field)))
                }
                CriterionKind::Access {
                    layer: name,
                    field: Some(field),
                    ..
                } => layer_field(&mut problems, key, layer(name), field),
                CriterionKind::Competition {
                    layer: name,
                    field,
                    jobs_layer,
                    jobs_field,
                    ..
                } => {
                    layer_field(&mut problems, key, layer(name), field);
                    let key = format!("criterion[{i}].jobs_field");
                    layer_field(&mut problems, key, layer(jobs_layer), jobs_field);
                }
                _ => {}
            }
        }
        problems
    }
}

/// A problem when a layer (that exists) has no such field.
fn layer_field(problems: &mut Vec<KeyProblem>, key: String, layer: Option<&Layer>, field: &str) {
    let Some(l) = layer else {
        return;
    };
    if !BUILTIN_FIELDS.contains(&field) && !l.attribute_names.iter().any(|a| a == field) {
        problems.push(KeyProblem::new(
            key,
            format!(
                "layer {:?} has no attribute {field:?}; it has: {}",
                l.name,
                l.attribute_names.join(", ")
            ),
        ))
    }
}
