//! Ranking streamed layers (`stream = true`): their sites read a chunk at a time,
//! each chunk filtered and evaluated in parallel as a loaded layer's sites are, and
//! only the best `top` kept with the counts of all. Memory is one chunk and the
//! shortlist, whatever the layer's size.
//!
//! The scores are the engine's (the same criteria, the same weighted sum), so a
//! streamed layer's shortlist is the one ranking the same file loaded gives. What
//! needs every site at once is refused at its key: TOPSIS (each site against the best
//! and worst of all), robustness, a `[target]` and a diverse shortlist; the Pareto
//! column and near misses are not computed.

use rayon::prelude::*;

use super::rank::{evaluate, in_columns, site_result};
use super::warnings::{outside_bbox_warning, skipped_warning};
use super::{filter, Engine};
use crate::aggregate::{weighted_sum, Method};
use crate::brief::Brief;
use crate::cancel::Cancel;
use crate::catalog::{StreamedLayer, STREAM_CHUNK};
use crate::error::{BriefProblems, Error, KeyProblem, Result};
use crate::index::IndexedLayer;
use crate::ranking::{
    AttributeColumn, ColumnEvidence, Exclusion, LayerCount, Ranking, SiteResult, Streamed,
};
use crate::warnings::Warning;

impl Engine {
    /// The streamed layers a brief ranks (those `filter.layers` names), or `None`
    /// when it ranks loaded layers only. A brief that names both is refused.
    pub(super) fn streamed_in(&self, brief: &Brief) -> Result<Option<Vec<&StreamedLayer>>> {
        let Some(names) = &brief.filter.layers else {
            return Ok(None);
        };
        let streamed: Vec<&StreamedLayer> = self
            .streams
            .iter()
            .filter(|s| names.iter().any(|n| n == s.name()))
            .collect();
        if streamed.is_empty() {
            return Ok(None);
        }
        if let Some(loaded) = names.iter().find(|n| self.layer(n).is_some()) {
            return Err(BriefProblems::one(
                "filter.layers",
                format!(
                    "{:?} is streamed and {loaded:?} is loaded: a streamed layer is ranked alone (or with other streamed layers); rank the two in two briefs",
                    streamed[0].name()
                ),
            ));
        }
        Ok(Some(streamed))
    }

    /// Ranks streamed layers (see the module's comment).
    pub(super) fn rank_streamed(
        &self,
        brief: &Brief,
        streams: &[&StreamedLayer],
        cancel: &Cancel,
    ) -> Result<Ranking> {
        refuse_for_streams(brief, streams)?;
        let scorers = crate::criteria::build(self, &brief.criteria)?;
        let mut ranking = self.ranking_shell(brief, true);
        let weights = ranking.weights();
        let tests = filter::Tests::new(&brief.filter, self.exclude_zones(brief));
        let need_ha = brief.need_ha.or(brief.filter.min_area_ha);
        let top = brief.top.max(1);
        let mut counts = Streamed {
            layers: streams.iter().map(|s| s.name().to_string()).collect(),
            considered: 0,
            ranked: 0,
            excluded: 0,
            skipped: 0,
            outside_bbox: 0,
        };
        let mut warnings = self.stream_warnings(brief);
        // The columns: every attribute name of the layers, their type from the
        // evidence of every site read.
        let mut columns: Vec<(String, ColumnEvidence)> = Vec::new();
        let mut best: Vec<SiteResult> = Vec::with_capacity(top + STREAM_CHUNK);
        for stream in streams {
            // This layer's own counts, for its row of the layers and its warnings.
            let (mut read, mut outside) = (0usize, 0usize);
            let mut first_skipped = None;
            let mut reasons: std::collections::BTreeMap<&'static str, usize> = Default::default();
            let untested = filter::untested(&brief.filter, stream.shell());
            for name in &stream.shell().attribute_names {
                if !columns.iter().any(|(n, _)| n == name) {
                    columns.push((name.clone(), ColumnEvidence::default()));
                }
            }
            for chunk in stream.chunks(STREAM_CHUNK)? {
                if cancel.is_cancelled() {
                    return Err(Error::Cancelled);
                }
                let mut chunk = chunk?;
                outside += chunk.outside_bbox;
                for s in &chunk.skipped {
                    *reasons.entry(s.problem.code()).or_default() += 1;
                }
                if first_skipped.is_none() {
                    first_skipped = chunk.skipped.first().cloned();
                }
                chunk.skipped = Vec::new();
                // Ids in byte order within the chunk, as the engine sorts a layer.
                chunk
                    .features
                    .sort_by(|a, b| a.id.as_bytes().cmp(b.id.as_bytes()));
                let layer_name = arcstr::ArcStr::from(chunk.name.as_str());
                let indexed = IndexedLayer::new(chunk);
                // Each column's place among this layer's attributes.
                let names = &indexed.layer().attribute_names;
                let at: Vec<Option<usize>> = columns
                    .iter()
                    .map(|(c, _)| names.iter().position(|n| n == c))
                    .collect();
                for ((_, evidence), k) in columns.iter_mut().zip(&at) {
                    if let Some(e) = k.and_then(|k| indexed.column_evidence().get(k)) {
                        *evidence = evidence.merge(*e);
                    }
                }
                let rows = indexed.attribute_rows();
                let kept: Vec<Option<SiteResult>> = indexed
                    .layer()
                    .features
                    .par_iter()
                    .zip(rows)
                    .map(|(f, row)| {
                        let mut excluded_by = filter::reasons(&tests, f, &untested);
                        let out_of_scope = excluded_by.iter().any(Exclusion::out_of_scope);
                        let criteria =
                            evaluate(&scorers, &weights, f, &mut excluded_by, out_of_scope);
                        if !excluded_by.is_empty() {
                            return None;
                        }
                        let scores: Vec<f64> = criteria.iter().map(|c| c.score).collect();
                        let score = weighted_sum(&[scores], &weights).first().copied();
                        let values = in_columns(Some(row), &at, at.len());
                        let layer = layer_name.clone();
                        let mut site =
                            site_result(f, layer, values, excluded_by, criteria, need_ha);
                        site.score = score;
                        Some(site)
                    })
                    .collect();
                read += kept.len();
                for site in kept {
                    match site {
                        Some(s) => {
                            counts.ranked += 1;
                            best.push(s);
                        }
                        None => counts.excluded += 1,
                    }
                }
                keep_best(&mut best, top);
            }
            let skipped: usize = reasons.values().sum();
            let name = stream.name();
            if let Some(first) = &first_skipped {
                let total = read + skipped;
                warnings.push(skipped_warning(
                    name,
                    &reasons,
                    total,
                    first,
                    "as they were read",
                    "",
                ));
            }
            if outside > 0 {
                let total = outside + read + skipped;
                warnings.push(outside_bbox_warning(
                    name,
                    outside,
                    total,
                    "were not ranked",
                ));
            }
            ranking.layers.push(LayerCount {
                name: name.to_string(),
                loaded: read,
                skipped,
            });
            counts.considered += read;
            counts.skipped += skipped;
            counts.outside_bbox += outside;
        }
        keep_best(&mut best, top);
        best.sort_unstable_by(better);
        for (i, s) in best.iter_mut().enumerate() {
            s.rank = Some(i + 1);
        }
        ranking.ranked = best.len();
        ranking.sites = best;
        ranking.attributes = columns
            .into_iter()
            .map(|(name, e)| AttributeColumn {
                name,
                kind: e.kind(),
            })
            .collect();
        ranking.warnings = warnings;
        ranking.streamed = Some(counts);
        Ok(ranking)
    }

    /// The warnings a streamed ranking can give without every site: the load and
    /// value warnings of the layers its criteria read (the values a brief asks of the
    /// sites themselves are not known before they are read).
    fn stream_warnings(&self, brief: &Brief) -> Vec<Warning> {
        let on_a_layer = |key: &str| {
            brief.criteria.iter().enumerate().any(|(i, c)| {
                key.starts_with(&format!("criterion[{i}]")) && !c.kind.spec().layers().is_empty()
            })
        };
        let mut out = self.load_warnings(brief);
        out.extend(
            self.value_warnings(brief)
                .into_iter()
                .filter(|w| on_a_layer(&w.key)),
        );
        out
    }
}

/// Best first: the higher score, then the smaller id (bytes), as the engine orders.
fn better(a: &SiteResult, b: &SiteResult) -> std::cmp::Ordering {
    let (x, y) = (a.score.unwrap_or(0.0), b.score.unwrap_or(0.0));
    y.total_cmp(&x)
        .then_with(|| a.site_id.as_bytes().cmp(b.site_id.as_bytes()))
}

/// Keeps the `top` best of `sites` (in no order).
fn keep_best(sites: &mut Vec<SiteResult>, top: usize) {
    if sites.len() > top {
        sites.select_nth_unstable_by(top, better);
        sites.truncate(top);
    }
}

/// What a streamed ranking cannot do, each at its key.
fn refuse_for_streams(brief: &Brief, streams: &[&StreamedLayer]) -> Result<()> {
    let name = streams.first().map_or("", |s| s.name());
    let why =
        format!("layer {name:?} is streamed: its sites are read a chunk at a time and not held");
    let mut problems = Vec::new();
    if brief.method == Method::Topsis {
        problems.push(KeyProblem::new(
            "method",
            format!("{why}, and TOPSIS scores each site against the best and the worst of all; use the weighted sum"),
        ));
    }
    if brief.robustness.is_some() {
        problems.push(KeyProblem::new(
            "robustness",
            format!("{why}, and robustness ranks all of them again under other weights; rank the shortlist's sites loaded for it"),
        ));
    }
    if brief.target.is_some() {
        problems.push(KeyProblem::new(
            "target",
            format!("{why}; rank by likeness over a loaded layer"),
        ));
    }
    if brief.output.min_spacing_km.is_some() || brief.output.one_per.is_some() {
        problems.push(KeyProblem::new(
            "output",
            format!("{why}, and a diverse shortlist goes down the whole ranking; rank the shortlist's sites loaded for it"),
        ));
    }
    for (i, c) in brief.criteria.iter().enumerate() {
        if c.kind
            .spec()
            .layers()
            .iter()
            .any(|l| streams.iter().any(|s| s.name() == *l))
        {
            problems.push(KeyProblem::new(
                format!("criterion[{i}].layer"),
                format!("{why}: a criterion measures to a loaded layer"),
            ));
        }
    }
    BriefProblems::check(problems)
}
