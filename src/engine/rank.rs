//! [`Engine::rank`]: a brief through the pipeline, one stage after the other:
//! candidates -> filter and evaluate -> aggregate -> order -> decide -> warnings.

use std::collections::HashMap;

use std::sync::Arc;

use arcstr::ArcStr;
use rayon::prelude::*;

use super::{filter, target, Engine};
use crate::aggregate::aggregate;
use crate::brief::{Brief, Travel};
use crate::cancel::Cancel;
use crate::criteria::{self, Detail, Limit, Scorer};
use crate::decision;
use crate::error::{BriefProblems, Error, Result};
use crate::index::IndexedLayer;
use crate::model::{Feature, Value};
use crate::ranking::{
    AttributeColumn, ColumnEvidence, CriterionResult, Decision, Exclusion, Ranking, SiteResult,
    TargetProfile,
};
use crate::text::fold;

/// The most (site, feature) pairs a brief's access and competition sums may visit,
/// counted in pairs within 100 km (about 60 ns each: 30 s of one core at the limit); a
/// pair of a radius wider than 100 km counts 16 (each takes Karney's geodesic), one by
/// road 2. A national brief's 30 km labour sum makes about 7 million. Only the
/// candidates in the brief's scope are summed over (those within its départements,
/// bbox and `where` lists and outside its excluded zones).
pub const MAX_PAIRS: usize = 500_000_000;

/// The most ranks robustness may place (runs x ranked sites): about 6 s of work on two
/// cores for the national data set's 22,600 friches (8,850 runs). Its memory is bounded
/// apart from this: a tenth of these ranks, 4 bytes each, at most.
pub const MAX_ROBUSTNESS_RANKS: usize = 200_000_000;

/// The candidates of a brief: every site of the layers it ranks, with its layer's
/// place in `layers`, its layer and its index there, in the layers' order.
struct Candidates<'a> {
    layers: Vec<&'a IndexedLayer>,
    sites: Vec<(usize, &'a IndexedLayer, usize, &'a Feature)>,
}

impl Engine {
    /// Runs a brief: checks it against the data, applies the filters, evaluates every
    /// criterion for every considered site, aggregates and ranks, then applies the
    /// decision-support steps the brief asks for (Pareto front, robustness, near misses,
    /// diverse shortlist).
    pub fn rank(&self, brief: &Brief) -> Result<Ranking> {
        self.rank_cancellable(brief, &Cancel::new())
    }

    /// [`Engine::rank`], stopped with [`Error::Cancelled`] once `cancel` is set: the
    /// flag is checked for every site evaluated and between chunks of robustness runs,
    /// so a ranking stops within one site's evaluation (or one chunk) of it.
    pub fn rank_cancellable(&self, brief: &Brief, cancel: &Cancel) -> Result<Ranking> {
        if brief.grid.is_some() {
            return Err(BriefProblems::one(
                "candidates",
                "a grid brief is scored with Engine::grid, as a stream",
            ));
        }
        self.check(brief)?;
        if let Some(streams) = self.streamed_in(brief)? {
            return self.rank_streamed(brief, &streams, cancel);
        }
        let candidates = self.candidates(brief)?;
        let scorers = criteria::build(self, &brief.criteria)?;
        let reasons = self.filter_all(brief, &candidates);
        // The sums are computed for the sites within the brief's scope (see evaluate).
        let in_scope: Vec<&Feature> = candidates
            .sites
            .iter()
            .zip(&reasons)
            .filter(|(_, r)| !r.iter().any(Exclusion::out_of_scope))
            .map(|((_, _, _, f), _)| *f)
            .collect();
        check_pairs(brief, &scorers, &in_scope)?;
        let mut ranking = self.ranking_shell(brief, true);
        let weights = ranking.weights();

        let attributes = attribute_columns(&candidates.layers);
        let mut sites = self
            .evaluate_all(
                &candidates,
                reasons,
                &scorers,
                &weights,
                &attributes,
                brief,
                cancel,
            )
            .ok_or(Error::Cancelled)?;
        let target = match &brief.target {
            Some(t) => Some(target::target_profile(brief, t, &sites)?),
            None => None,
        };
        let (passing, matrix) = aggregate_scores(brief, target.as_ref(), &weights, &mut sites);
        let (order, matrix) = order(&mut sites, &passing, matrix);

        ranking.ranked = matrix.len();
        check_robustness(brief, ranking.ranked)?;
        for (i, s) in sites.iter_mut().take(ranking.ranked).enumerate() {
            s.rank = Some(i + 1);
        }
        ranking.attributes = attributes;
        ranking.target = target;
        ranking.sites = sites;

        // The ranked sites' features, in rank order.
        let ranked: Vec<&Feature> = order
            .iter()
            .take(ranking.ranked)
            .filter_map(|&k| candidates.sites.get(k).map(|(_, _, _, f)| *f))
            .collect();
        decision::apply(
            brief,
            &mut ranking,
            &matrix,
            |k| {
                let attr = brief.output.one_per.as_deref()?;
                ranked.get(k)?.attribute(attr).as_text()
            },
            cancel,
        );
        if cancel.is_cancelled() {
            return Err(Error::Cancelled);
        }
        ranking.warnings = self.ranking_warnings(brief, &ranking, &scorers, &ranked);
        Ok(ranking)
    }

    /// The candidates: the sites of the layers the brief ranks (`filter.layers`, else
    /// every layer of role `sites`), their ids unique across them.
    fn candidates(&self, brief: &Brief) -> Result<Candidates<'_>> {
        let layers = self.site_layers(brief);
        check_site_ids(&layers)?;
        let sites = layers
            .iter()
            .enumerate()
            .flat_map(|(k, l)| {
                l.layer()
                    .features
                    .iter()
                    .enumerate()
                    .map(move |(i, f)| (k, *l, i, f))
            })
            .collect();
        Ok(Candidates { layers, sites })
    }

    /// Why each candidate fails the brief's filter (in parallel; empty when it
    /// passes), in the candidates' order.
    fn filter_all(&self, brief: &Brief, candidates: &Candidates<'_>) -> Vec<Vec<Exclusion>> {
        let tests = filter::Tests::new(&brief.filter, self.exclude_zones(brief));
        // Per site layer: the filter's attributes it does not carry.
        let untested: Vec<Vec<&str>> = candidates
            .layers
            .iter()
            .map(|l| filter::untested(&brief.filter, l.layer()))
            .collect();
        candidates
            .sites
            .par_iter()
            .map(|(k, _, _, f)| {
                let skip = untested.get(*k).map_or(&[][..], |u| &u[..]);
                filter::reasons(&tests, f, skip)
            })
            .collect()
    }

    /// Evaluates every candidate (in parallel), with the reasons it fails the filter:
    /// its criterion results, with the `max_km` reasons added, and its attributes in the
    /// ranking's columns. `None` once `cancel` is set.
    #[allow(clippy::too_many_arguments)]
    fn evaluate_all(
        &self,
        candidates: &Candidates<'_>,
        reasons: Vec<Vec<Exclusion>>,
        scorers: &[Box<dyn Scorer + '_>],
        weights: &[f64],
        attributes: &[AttributeColumn],
        brief: &Brief,
        cancel: &Cancel,
    ) -> Option<Vec<SiteResult>> {
        let need_ha = brief.need_ha.or(brief.filter.min_area_ha);
        // Per site layer: where each of the ranking's columns is among its attributes.
        let positions: Vec<Vec<Option<usize>>> = candidates
            .layers
            .iter()
            .map(|l| {
                let names = &l.layer().attribute_names;
                attributes
                    .iter()
                    .map(|a| names.iter().position(|n| *n == a.name))
                    .collect()
            })
            .collect();
        // Each layer's name once, shared by its sites' results.
        let layer_names: Vec<ArcStr> = candidates
            .layers
            .iter()
            .map(|l| ArcStr::from(l.layer().name.as_str()))
            .collect();
        // Into a vector of the sites' length, each result in its place (collecting
        // into an `Option<Vec>` would gather the results in pieces and copy them
        // into one vector: twice their memory at the peak).
        let results: Vec<Option<SiteResult>> = candidates
            .sites
            .par_iter()
            .zip(reasons)
            .map(|((k, layer, i, f), mut excluded_by)| {
                if cancel.is_cancelled() {
                    return None;
                }
                let out_of_scope = excluded_by.iter().any(Exclusion::out_of_scope);
                let criteria = evaluate(scorers, weights, f, &mut excluded_by, out_of_scope);
                let values = in_columns(
                    layer.attribute_rows().get(*i),
                    positions.get(*k).map_or(&[][..], Vec::as_slice),
                    attributes.len(),
                );
                let layer = layer_names.get(*k).cloned().unwrap_or_default();
                Some(site_result(
                    f,
                    layer,
                    values,
                    excluded_by,
                    criteria,
                    need_ha,
                ))
            })
            .collect();
        // A result missing: cancelled. Else the same buffer, unwrapped in place.
        results.into_iter().collect()
    }
}

/// A site's values in the ranking's `width` columns, from its layer's row and each
/// column's place in that row (`at`): the row itself, shared, when the columns are
/// the layer's in its order; `Null` where the layer has no such column.
pub(super) fn in_columns(
    row: Option<&Arc<[Value]>>,
    at: &[Option<usize>],
    width: usize,
) -> Arc<[Value]> {
    match row {
        Some(row)
            if row.len() == width
                && at.len() == width
                && at.iter().enumerate().all(|(k, p)| *p == Some(k)) =>
        {
            row.clone()
        }
        Some(row) if at.len() == width => at
            .iter()
            .map(|p| p.and_then(|p| row.get(p)).cloned().unwrap_or_default())
            .collect(),
        _ => vec![Value::Null; width].into(),
    }
}

/// A site's result before it is aggregated and ranked: its feature's fields, its
/// layer, its values, why it is excluded and its criteria.
pub(super) fn site_result(
    f: &Feature,
    layer: ArcStr,
    attributes: Arc<[Value]>,
    excluded_by: Vec<Exclusion>,
    criteria: Vec<CriterionResult>,
    need_ha: Option<f64>,
) -> SiteResult {
    SiteResult {
        site_id: f.id.clone(),
        label: f.label.clone(),
        layer,
        category: f.category.clone(),
        commune: f.commune.clone(),
        attributes,
        location: f.location,
        geometry: f.geometry.clone(),
        area_ha: f.area_ha,
        rank: None,
        score: None,
        excluded_by,
        criteria,
        decision: Decision::default(),
        land_take_avoided_ha: land_take_avoided(f, need_ha),
    }
}

/// Evaluates every criterion of a brief for one site: the results, with the
/// `<criterion>:max_km` reasons appended to `excluded_by`. A site `out_of_scope` (outside
/// the départements, bbox, `where` lists or in an excluded zone) is not summed over
/// (access, competition: the costly criteria, which never exclude): their value is
/// empty and their score 0, so that the cost of a brief is that of its scope.
pub(super) fn evaluate(
    scorers: &[Box<dyn Scorer + '_>],
    weights: &[f64],
    site: &Feature,
    excluded_by: &mut Vec<Exclusion>,
    out_of_scope: bool,
) -> Vec<CriterionResult> {
    scorers
        .iter()
        .zip(weights)
        .map(|(s, w)| {
            let e = if out_of_scope && s.sums() {
                criteria::Evaluation::not_summed()
            } else {
                s.evaluate(site)
            };
            let name = || s.name().to_string();
            match e.excludes {
                Some(Limit::Km) => excluded_by.push(Exclusion::MaxKm(name())),
                Some(Limit::Min) => excluded_by.push(Exclusion::MaxMin(name())),
                None => {}
            }
            let mut r = CriterionResult {
                points: 100.0 * w * e.score,
                value: e.value,
                score: e.score,
                nearest_id: None,
                nearest_label: None,
                workers: None,
                competing_jobs: None,
                km: None,
                freight: None,
            };
            match e.detail {
                Detail::None => {}
                Detail::Nearest { id, label, km } => {
                    (r.nearest_id, r.nearest_label, r.km) = (id, label, km);
                }
                Detail::Competition(c) => {
                    (r.workers, r.competing_jobs) = (Some(c.workers), c.competing_jobs);
                }
                Detail::Freight(f) => r.freight = Some(Box::new(f)),
            }
            r
        })
        .collect()
}

/// Scores the sites that pass every hard constraint (by the brief's method, or by
/// likeness to the target). Returns their indexes, in candidate order, and their
/// criterion scores, a row each.
fn aggregate_scores(
    brief: &Brief,
    target: Option<&TargetProfile>,
    weights: &[f64],
    sites: &mut [SiteResult],
) -> (Vec<usize>, Vec<Vec<f64>>) {
    let passing: Vec<usize> = (0..sites.len())
        .filter(|&i| sites[i].excluded_by.is_empty())
        .collect();
    let matrix: Vec<Vec<f64>> = passing
        .iter()
        .map(|&i| sites[i].criteria.iter().map(|c| c.score).collect())
        .collect();
    match target {
        Some(t) => {
            for &i in &passing {
                let s = &mut sites[i];
                s.score = Some(target::likeness(t, weights, &mut s.criteria));
            }
        }
        None => {
            let scores = aggregate(brief.method, &matrix, weights);
            for (&i, score) in passing.iter().zip(scores) {
                sites[i].score = Some(score);
            }
        }
    }
    (passing, matrix)
}

/// Orders the sites in place: the ranked best first, ties by id; the excluded sites
/// follow, by id. Returns the order (the candidate index at each place) and the
/// score matrix's rows moved to rank order (for the decision steps).
fn order(
    sites: &mut [SiteResult],
    passing: &[usize],
    matrix: Vec<Vec<f64>>,
) -> (Vec<usize>, Vec<Vec<f64>>) {
    let mut order: Vec<usize> = (0..sites.len()).collect();
    {
        let keys: Vec<(bool, f64, &[u8])> = sites
            .iter()
            .map(|s| {
                let ranked = s.excluded_by.is_empty();
                // Best score first among the ranked; excluded sites by id alone.
                let score = if ranked { -s.score.unwrap_or(0.0) } else { 0.0 };
                (!ranked, score, s.site_id.as_bytes())
            })
            .collect();
        order.sort_unstable_by(|&a, &b| {
            let (x, y) = (&keys[a], &keys[b]);
            x.0.cmp(&y.0)
                .then_with(|| x.1.total_cmp(&y.1))
                .then_with(|| x.2.cmp(y.2))
        });
    }
    // Sites move once, in place, to the order of their (small) keys.
    permute(sites, &order);
    let mut row_of = vec![usize::MAX; sites.len()];
    for (p, &i) in passing.iter().enumerate() {
        row_of[i] = p;
    }
    let mut rows: Vec<Option<Vec<f64>>> = matrix.into_iter().map(Some).collect();
    let matrix = order
        .iter()
        .take(passing.len())
        .map(|&i| {
            let row = row_of.get(i).and_then(|&p| rows.get_mut(p));
            row.and_then(Option::take).unwrap_or_default()
        })
        .collect();
    (order, matrix)
}

/// Puts `v[order[k]]` at `k` for every `k`, in place: each element moves along the
/// cycle of the permutation it is on (`order` holds every index once).
fn permute<T>(v: &mut [T], order: &[usize]) {
    let mut done = vec![false; v.len()];
    for start in 0..v.len() {
        if done[start] {
            continue;
        }
        let mut at = start;
        loop {
            done[at] = true;
            let next = order[at];
            if next == start {
                break;
            }
            v.swap(at, next);
            at = next;
        }
    }
}

/// Site ids are unique across the candidate layers. The engine sorts each layer by
/// id, so within one layer a duplicate is next to its twin.
fn check_site_ids(site_layers: &[&IndexedLayer]) -> Result<()> {
    let duplicate = |id: &str, first: &str, second: &str| Error::DuplicateSiteId {
        id: id.to_string(),
        first: first.to_string(),
        second: second.to_string(),
    };
    if let [only] = site_layers {
        let l = only.layer();
        return match l.features.windows(2).find(|w| w[0].id == w[1].id) {
            Some(w) => Err(duplicate(&w[0].id, &l.name, &l.name)),
            None => Ok(()),
        };
    }
    let mut seen: HashMap<&str, &str> = HashMap::new();
    for l in site_layers {
        let name = l.layer().name.as_str();
        for f in &l.layer().features {
            if let Some(first) = seen.insert(f.id.as_str(), name) {
                return Err(duplicate(&f.id, first, name));
            }
        }
    }
    Ok(())
}

/// The attribute columns of the candidate layers: every field name, in the layers'
/// order, each typed from every candidate's value.
fn attribute_columns(layers: &[&IndexedLayer]) -> Vec<AttributeColumn> {
    let mut names: Vec<(&str, ColumnEvidence)> = Vec::new();
    for l in layers {
        for (a, e) in l.layer().attribute_names.iter().zip(l.column_evidence()) {
            match names.iter_mut().find(|(n, _)| *n == a.as_str()) {
                Some((_, seen)) => *seen = seen.merge(*e),
                None => names.push((a, *e)),
            }
        }
    }
    names
        .into_iter()
        .map(|(name, e)| AttributeColumn {
            name: name.to_string(),
            kind: e.kind(),
        })
        .collect()
}

/// The land take (ha) reusing a site avoids against a greenfield site of `need_ha`:
/// a brownfield site is already artificialised, so its area up to the need; none for
/// a site in an agricultural or natural zone (`zoning` A or N: building there takes
/// land the law protects, whatever stood on it). Unknown zoning counts as
/// artificialised (a friche is, by definition); no area or no need: `None`.
///
/// ```
/// # use sitematch::{Brief, Catalog, Engine, Feature, Layer, Role, Value};
/// let mut f = Feature::point("a", 2.0, 48.0);
/// f.area_ha = Some(12.0);
/// f.attributes.insert("zoning".into(), Value::Text("N".into()));
/// let sites = Layer::from_features("sites", Role::Sites, vec![f]);
/// let engine = Engine::new(Catalog::from_layers(vec![sites]));
/// let brief = Brief::from_toml_str("need_ha = 20\n[[criterion]]\nname = \"land\"\ntype = \"attribute\"\nfield = \"area_ha\"\nideal = 20\nzero = 0\n")?;
/// assert_eq!(engine.rank(&brief)?.sites[0].land_take_avoided_ha, Some(0.0));
/// # Ok::<(), sitematch::Error>(())
/// ```
fn land_take_avoided(site: &Feature, need_ha: Option<f64>) -> Option<f64> {
    let need = need_ha?;
    let area = site.area_ha?;
    let zoning = site.attribute("zoning").as_text().map(|z| fold(&z));
    let protected = zoning.is_some_and(|z| {
        z == "a" || z.starts_with('n') || (z.starts_with('a') && !z.starts_with("au"))
    });
    Some(if protected { 0.0 } else { area.min(need) })
}

/// Refuses a brief whose robustness runs over these many ranked sites would place more
/// than [`MAX_ROBUSTNESS_RANKS`] ranks, before its runs start.
fn check_robustness(brief: &Brief, ranked: usize) -> Result<()> {
    let Some(spec) = &brief.robustness else {
        return Ok(());
    };
    let ranks = spec.runs as f64 * ranked as f64;
    if ranks <= MAX_ROBUSTNESS_RANKS as f64 {
        return Ok(());
    }
    let thousands = crate::text::thousands;
    Err(BriefProblems::one(
        "robustness.runs",
        format!(
            "{} runs over {} ranked sites would place {} ranks; the limit is {}: at most {} runs for this many sites (or fewer sites, with a filter)",
            thousands(spec.runs as f64),
            thousands(ranked as f64),
            thousands(ranks),
            thousands(MAX_ROBUSTNESS_RANKS as f64),
            thousands((MAX_ROBUSTNESS_RANKS / ranked.max(1)) as f64),
        ),
    ))
}

/// Refuses, before any work, a brief whose sums would cost more than [`MAX_PAIRS`]
/// pairs over these candidates (those in the brief's scope): the count is extrapolated
/// from up to 256 candidates taken evenly through the list (each counted by the index,
/// without a distance), every pair weighted by its cost.
fn check_pairs(brief: &Brief, scorers: &[Box<dyn Scorer + '_>], sites: &[&Feature]) -> Result<()> {
    let step = sites.len().div_ceil(256).max(1);
    let sample: Vec<&Feature> = sites.iter().step_by(step).copied().collect();
    if sample.is_empty() {
        return Ok(());
    }
    let mut problems = Vec::new();
    for (i, (c, scorer)) in brief.criteria.iter().zip(scorers).enumerate() {
        let estimate = scorer.pairs(&sample, sites.len());
        if estimate > MAX_PAIRS as f64 {
            let key = if c
                .kind
                .travel()
                .is_some_and(|t| !matches!(t, Travel::Straight))
            {
                "radius_min"
            } else {
                "radius_km"
            };
            problems.push(crate::error::KeyProblem::new(
                format!("criterion[{i}].{key}"),
                format!(
                    "{}: the sum over this radius would cost as much as {} (site, feature) pairs within 100 km for the {} candidates in the brief's scope (a pair beyond 100 km in a straight line counts 16, one by road 2); the limit is {} (a smaller radius, or fewer candidates with a filter)",
                    c.name,
                    crate::text::thousands(estimate),
                    crate::text::thousands(sites.len() as f64),
                    crate::text::thousands(MAX_PAIRS as f64),
                ),
            ));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Error::Brief(crate::error::BriefProblems {
            path: None,
            problems,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permute_puts_each_element_where_the_order_says() {
        // Permutations of every size up to 9 from a fixed generator, against building
        // the permuted vector afresh.
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        for n in 0..10usize {
            for _ in 0..50 {
                let mut order: Vec<usize> = (0..n).collect();
                for i in (1..n).rev() {
                    seed ^= seed << 13;
                    seed ^= seed >> 7;
                    seed ^= seed << 17;
                    order.swap(i, (seed % (i as u64 + 1)) as usize);
                }
                let v: Vec<String> = (0..n).map(|i| format!("v{i}")).collect();
                let expected: Vec<String> = order.iter().map(|&i| v[i].clone()).collect();
                let mut got = v.clone();
                permute(&mut got, &order);
                assert_eq!(got, expected, "order {order:?}");
            }
        }
    }
}
