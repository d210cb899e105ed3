//! The road networks of drive-time criteria: which one a criterion runs on, the
//! brief's problems with them, and what a ranking should know of how they cover its
//! sites.

use crate::brief::{Brief, Travel};
use crate::error::KeyProblem;
use crate::model::Feature;
use crate::network::Network;
use crate::warnings::{Warning, WarningKind};

use super::Engine;

impl Engine {
    /// The network a drive-time criterion runs on: the one it names, or the data
    /// set's only one; `None` for other travel (and when there is no such network,
    /// which [`Engine::check`] reports first).
    pub(super) fn network_of(&self, travel: &Travel) -> Option<&Network> {
        match travel {
            Travel::Drive { network: Some(n) } => self.network(n),
            Travel::Drive { network: None } if self.networks.len() == 1 => self.networks.first(),
            _ => None,
        }
    }

    /// The drive-time criteria whose network is not in the data set.
    pub(super) fn network_problems(&self, brief: &Brief) -> Vec<KeyProblem> {
        let names: Vec<&str> = self.networks.iter().map(|n| n.name.as_str()).collect();
        let mut out = Vec::new();
        for (i, c) in brief.criteria.iter().enumerate() {
            let Some(travel) = c.kind.travel() else {
                continue;
            };
            match travel {
                Travel::Drive { network: Some(n) } if self.network(n).is_none() => {
                    out.push(KeyProblem::new(
                        format!("criterion[{i}].network"),
                        if names.is_empty() {
                            format!("no network {n:?}: the data set has no network layer")
                        } else {
                            format!("no network {n:?}; the networks are: {}", names.join(", "))
                        },
                    ))
                }
                Travel::Drive { network: None } if names.len() != 1 => out.push(KeyProblem::new(
                    format!("criterion[{i}].travel"),
                    if names.is_empty() {
                        "\"drive\" needs a road network: the data set has no layer of role \
                         \"network\"; add one to the catalog (README: drive time)"
                            .to_string()
                    } else {
                        format!(
                            "the data set has {} networks ({}); name one with network = \"...\"",
                            names.len(),
                            names.join(", ")
                        )
                    },
                )),
                _ => {}
            }
        }
        out
    }

    /// For drive-time criteria, once per network: how many ranked sites join it far
    /// from it (more than 10 km from the nearest node: the network does not cover
    /// them) or in a small part of it (not its largest component: most places are
    /// unreachable from them).
    pub(super) fn network_warnings(&self, brief: &Brief, sites: &[&Feature]) -> Vec<Warning> {
        // Network name -> (key of its first criterion, criterion names).
        let mut uses: Vec<(&Network, String, Vec<&str>)> = Vec::new();
        for (i, c) in brief.criteria.iter().enumerate() {
            let Some(travel) = c.kind.travel() else {
                continue;
            };
            let Some(net) = self.network_of(travel) else {
                continue;
            };
            match uses.iter_mut().find(|(n, _, _)| n.name == net.name) {
                Some((_, _, names)) => names.push(&c.name),
                None => uses.push((net, format!("criterion[{i}]"), vec![&c.name])),
            }
        }
        let mut out = Vec::new();
        for (net, key, names) in uses {
            let largest = net.component_sizes().first().copied().unwrap_or(0);
            let (mut far, mut island) = (0usize, 0usize);
            for f in sites {
                match net.join(f.location) {
                    // 10 km at the access speed.
                    Some((_, leg)) if leg > net.leg_minutes(10_000.0) => far += 1,
                    Some((node, _)) if net.component_size(node) < largest => island += 1,
                    Some(_) => {}
                    None => far += 1,
                }
            }
            let (names, total) = (names.join(", "), sites.len());
            if far > 0 {
                out.push(Warning::new(
                    WarningKind::NetworkCoverage,
                    key.clone(),
                    format!(
                        "{names}: {far} of the {total} ranked sites are more than 10 km from \
                         the nearest node of network {:?}, which does not cover them; their \
                         times are mostly the access leg at {} km/h",
                        net.name, net.access_kmh
                    ),
                ));
            }
            if island > 0 {
                out.push(Warning::new(
                    WarningKind::NetworkCoverage,
                    key,
                    format!(
                        "{names}: {island} of the {total} ranked sites join network {:?} in a \
                         part not connected to its main part ({largest} nodes); places beyond \
                         that part are unreachable by road from them",
                        net.name
                    ),
                ));
            }
        }
        out
    }
}
