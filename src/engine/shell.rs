//! The ranking before its sites: the brief's criteria with their normalised weights,
//! units and travel, the method, the layer counts. Rankings and grids share it.

use crate::brief::{Brief, Travel};
use crate::ranking::{CriterionInfo, LayerCount, Ranking};

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
                if let Some(travel) = kind.spec_mut().travel_mut() {
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
                sums: c.kind.spec().sums().map(str::to_string),
                missing_values: if count_missing {
                    c.kind.spec().missing_values(self)
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
            streamed: None,
        }
    }
}
