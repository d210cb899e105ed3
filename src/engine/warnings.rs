//! The warnings of a ranking and of a grid, made in one place, in a fixed order: the
//! brief's values that match nothing in the data, how the road networks cover the
//! ranked sites, the criteria that do not separate the candidates, what each scorer
//! noted, the candidates a travel matrix does not name.

use crate::brief::{Brief, Travel};
use crate::criteria::Scorer;
use crate::model::Feature;
use crate::ranking::{CriterionValue, Ranking};
use crate::warnings::{Warning, WarningKind};

use super::Engine;

impl Engine {
    /// A ranking's warnings (`ranked`: the ranked sites' features, in rank order).
    pub(super) fn ranking_warnings(
        &self,
        brief: &Brief,
        ranking: &Ranking,
        scorers: &[Box<dyn Scorer + '_>],
        ranked: &[&Feature],
    ) -> Vec<Warning> {
        let mut out = self.load_warnings(brief);
        out.extend(self.value_warnings(brief));
        out.extend(self.untested_filters(brief));
        out.extend(self.network_warnings(brief, ranked));
        out.extend(crate::warnings::flat_criteria(brief, ranking));
        out.extend(scorer_notes(scorers));
        out.extend(not_in_matrix(brief, ranking));
        out
    }

    /// What the load did to the layers the brief reads: features skipped (by reason,
    /// the first one named), and a site layer that loaded none. Rows lost at load are
    /// otherwise only in `sitematch layers`.
    pub(super) fn load_warnings(&self, brief: &Brief) -> Vec<Warning> {
        let sites = self.site_layers(brief);
        let mut names: Vec<&str> = sites.iter().map(|l| l.layer().name.as_str()).collect();
        for c in &brief.criteria {
            names.extend(c.kind.spec().layers());
        }
        names.extend(brief.filter.exclude_zones.iter().map(String::as_str));
        let mut out = Vec::new();
        let mut seen: Vec<&str> = Vec::new();
        for name in names {
            if seen.contains(&name) {
                continue;
            }
            seen.push(name);
            let Some(l) = self.layer(name).map(|l| l.layer()) else {
                continue;
            };
            let key = format!("data.{name}");
            if let Some(first) = l.skipped.first() {
                out.push(skipped_warning(
                    name,
                    &l.skipped_by_reason(),
                    l.skipped.len() + l.features.len(),
                    first,
                    "at load",
                    "; `sitematch layers --show-skipped` lists them",
                ));
            }
            if l.outside_bbox > 0 {
                out.push(outside_bbox_warning(
                    name,
                    l.outside_bbox,
                    l.outside_bbox + l.skipped.len() + l.features.len(),
                    "were not loaded",
                ));
            }
            if l.features.is_empty() && sites.iter().any(|s| s.layer().name == name) {
                out.push(Warning::new(
                    WarningKind::EmptySiteLayer,
                    key,
                    format!("site layer {name:?} loaded no feature: it has no candidate to rank"),
                ));
            }
        }
        out
    }

    /// The `where` and `where_not` attributes that some of the ranked layers do not
    /// carry: the sites of those layers are not tested by them.
    fn untested_filters(&self, brief: &Brief) -> Vec<Warning> {
        let layers = self.site_layers(brief);
        // (table, its attributes that the same layers lack, those layers), in the
        // brief's order: one warning per group.
        let mut groups: Vec<(&str, Vec<&str>, Vec<String>)> = Vec::new();
        for (table, attr, _) in brief.filter.attribute_lists() {
            let without: Vec<String> = layers
                .iter()
                .map(|l| l.layer())
                .filter(|l| !l.has_field(attr))
                .map(|l| format!("{} ({} sites)", l.name, l.features.len()))
                .collect();
            if without.is_empty() {
                continue;
            }
            match groups.last_mut() {
                Some((t, attrs, w)) if *t == table && *w == without => attrs.push(attr),
                _ => groups.push((table, vec![attr], without)),
            }
        }
        groups
            .into_iter()
            .map(|(table, attrs, without)| {
                let many = without.len() > 1;
                let quoted: Vec<String> = attrs.iter().map(|a| format!("{a:?}")).collect();
                Warning::new(
                    WarningKind::UntestedFilter,
                    match attrs.as_slice() {
                        [one] => format!("filter.{table}.{one}"),
                        _ => format!("filter.{table}"),
                    },
                    format!(
                        "layer{} {} ha{} no attribute {}: {} not test {} sites (they are \
                         neither excluded nor admitted by {}); narrow filter.layers to rank \
                         only the layers that carry {}",
                        if many { "s" } else { "" },
                        without.join(", "),
                        if many { "ve" } else { "s" },
                        quoted.join(", "),
                        if attrs.len() > 1 {
                            "these constraints do"
                        } else {
                            "this constraint does"
                        },
                        if many { "their" } else { "its" },
                        if attrs.len() > 1 { "them" } else { "it" },
                        if attrs.len() > 1 { "them" } else { "it" },
                    ),
                )
            })
            .collect()
    }

    /// A grid's warnings (known before its first cell).
    pub(super) fn grid_warnings(
        &self,
        brief: &Brief,
        scorers: &[Box<dyn Scorer + '_>],
    ) -> Vec<Warning> {
        let mut out = self.value_warnings(brief);
        out.extend(scorer_notes(scorers));
        out
    }
}

/// The scorers' notes, keyed by their criterion.
fn scorer_notes(scorers: &[Box<dyn Scorer + '_>]) -> Vec<Warning> {
    scorers
        .iter()
        .enumerate()
        .flat_map(|(i, s)| {
            s.notes().into_iter().map(move |n| {
                Warning::new(WarningKind::CriterionNote, format!("criterion[{i}]"), n)
            })
        })
        .collect()
}

/// For criteria on a matrix: how many candidates the matrix does not name (their
/// value is null, their score 0).
fn not_in_matrix(brief: &Brief, ranking: &Ranking) -> Vec<Warning> {
    let mut out = Vec::new();
    for (i, c) in brief.criteria.iter().enumerate() {
        let Some(Travel::Matrix(path)) = c.kind.travel() else {
            continue;
        };
        let missing = ranking
            .sites
            .iter()
            .filter(|s| {
                matches!(
                    s.criteria.get(i).map(|r| &r.value),
                    Some(CriterionValue::Number(None))
                )
            })
            .count();
        if missing > 0 {
            out.push(Warning::new(
                WarningKind::NotInMatrix,
                format!("criterion[{i}]"),
                format!(
                    "{}: {missing} of the {} candidates are not in the matrix {}; their value \
                     is null and their score 0",
                    c.name,
                    ranking.sites.len(),
                    path.display()
                ),
            ));
        }
    }
    out
}

/// The warning that features of layer `name` were skipped (`reasons`: how many for
/// each problem code; `total`: the features the file holds; `when`: "at load", or as
/// a stream read them), naming the first by its file's name: a warning goes into the
/// outputs handed to a client, which name no folder of the machine.
pub(super) fn skipped_warning(
    name: &str,
    reasons: &std::collections::BTreeMap<&'static str, usize>,
    total: usize,
    first: &crate::error::Skipped,
    when: &str,
    more: &str,
) -> Warning {
    let file = first
        .path
        .file_name()
        .unwrap_or(first.path.as_os_str())
        .to_string_lossy();
    let listed: Vec<String> = reasons
        .iter()
        .map(|(code, n)| format!("{code} {n}"))
        .collect();
    Warning::new(
        WarningKind::SkippedAtLoad,
        format!("data.{name}"),
        format!(
            "{} of the {total} features of layer {name:?} were skipped {when} ({}); \
             the first: {file}: {}: {}{more}",
            reasons.values().sum::<usize>(),
            listed.join(", "),
            first.location,
            first.problem
        ),
    )
}

/// The warning that `outside` of the `total` features of layer `name` are outside its
/// catalog `bbox` (`what` became of them).
pub(super) fn outside_bbox_warning(
    name: &str,
    outside: usize,
    total: usize,
    what: &str,
) -> Warning {
    Warning::new(
        WarningKind::OutsideBbox,
        format!("data.{name}"),
        format!(
            "{outside} of the {total} features of layer {name:?} are outside its bbox in the \
             catalog and {what}"
        ),
    )
}
