//! The ranking before its sites: the brief's criteria with their normalised weights,
//! units and travel, the method, the layer counts. Rankings and grids share it.

use crate::brief::{Brief, CompetitionMeasure, CriterionKind, Travel};
use crate::criteria::DataSet;
use crate::ranking::{CriterionInfo, LayerCount, Ranking};
use crate::table::Matcher;

use super::Engine;

impl Engine {
    /// A ranking with no sites yet: the brief's criteria and normalised weights, the
    /// method, the layer counts. `count_missing` counts, for access criteria, the
    /// matching features without a number in the summed field.
    pub(super) fn ranking_shell(&self, brief: &Brief, count_missing: bool) -> Ranking {
        let (weights, ahp_cr) = brief.normalised_weights();
        let criteria = brief
            .criteria
            .iter()
            .zip(&weights)
            .map(|(c, w)| {
                // The network a drive criterion runs on, named even when the brief
                // left it to the data set's only one.
                let mut kind = c.kind.clone();
                if let Some(travel) = kind.travel_mut() {
                    if let (Travel::Drive { network: None }, Some(n)) =
                        (&*travel, self.network_of(travel))
                    {
                        *travel = Travel::Drive {
                            network: Some(n.name.clone()),
                        };
                    }
                }
                (c, w, kind)
            })
            .map(|(c, w, kind)| CriterionInfo {
                name: c.name.clone(),
                kind: c.kind.kind(),
                weight: *w,
                unit: kind.unit(),
                travel: kind.travel().cloned().unwrap_or(Travel::Straight),
                sums: match &c.kind {
                    CriterionKind::Access { field, .. } => field.clone(),
                    CriterionKind::Competition {
                        field,
                        measure: CompetitionMeasure::ExpectedWorkers { .. },
                        ..
                    } => Some(field.clone()),
                    _ => None,
                },
                missing_values: if count_missing {
                    self.missing_values(&c.kind)
                } else {
                    None
                },
            })
            .collect();
        Ranking {
            brief_name: brief.name.clone(),
            method: brief.method,
            top: brief.top,
            criteria,
            ahp_cr,
            sites: Vec::new(),
            ranked: 0,
            layers: self
                .layers()
                .map(|l| LayerCount {
                    name: l.name.clone(),
                    loaded: l.features.len(),
                    skipped: l.skipped.len(),
                })
                .collect(),
            robustness: brief.robustness,
            shortlist: brief.output.min_spacing_km.is_some() || brief.output.one_per.is_some(),
            warnings: Vec::new(),
            attributes: Vec::new(),
            need_ha: brief.need_ha.or(brief.filter.min_area_ha),
            target: None,
        }
    }

    /// For an access criterion summing a field: how many matching features of its
    /// layer have no number in that field; for a competition criterion, how many
    /// worker and job features have none in theirs.
    fn missing_values(&self, kind: &CriterionKind) -> Option<usize> {
        if let CriterionKind::Competition {
            layer,
            field,
            jobs_layer,
            jobs_field,
            ..
        } = kind
        {
            let missing = |l: &str, field: &str| {
                self.layer(l).map_or(0, |l| {
                    l.field_numbers(field)
                        .iter()
                        .filter(|x| x.is_none())
                        .count()
                })
            };
            return Some(missing(layer, field) + missing(jobs_layer, jobs_field));
        }
        let CriterionKind::Access {
            layer,
            field: Some(field),
            categories,
            tags,
            ..
        } = kind
        else {
            return None;
        };
        let (l, folded) = self.layer_with_table(layer)?;
        let m = Matcher::new(categories, tags);
        Some(
            l.field_numbers(field)
                .iter()
                .zip(m.mask(folded))
                .filter(|(x, m)| *m && x.is_none())
                .count(),
        )
    }
}
