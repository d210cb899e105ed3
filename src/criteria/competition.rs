//! competition criterion (docs/engine.md, section 6): a two-step floating catchment with the
//! roles of a plant seeking workers.
//!
//! Step 1 runs once per brief, when the scorer is built: for every worker feature i,
//! the competing jobs within reach, D_i = sum over k of E_k f(t_ik). Step 2, per site,
//! is one radius query over the workers: v = sum over i of (W_i / D_i) f(t_is), or the
//! expected workers sum over i of W_i J f / (J f + D_i).

use std::sync::OnceLock;

use super::{
    CriterionKind, CriterionValue, DataCheck, DataSet, Detail, Evaluation, Inputs, Scorer, Type,
};
use crate::de::{not_positive, required, Problems};
use crate::index::IndexedLayer;
use crate::model::{Feature, Role};
use crate::travel::{every, reach, Decay, Reach, Toward, Travel, Use, Ways};

/// A competition criterion (`type = "competition"`): the workers within reach of a
/// site per job competing for them, or the workers a plant of `jobs` jobs can
/// expect, from a two-step floating catchment over the workers' and the jobs'
/// layers; scored as the value over `saturation`, capped at 1.
#[derive(Debug, Clone, PartialEq)]
pub struct CompetitionSpec {
    /// Population layer of the workers.
    pub layer: String,
    /// Workers' field (`active`).
    pub field: String,
    /// Layer of the competing jobs (the workers' layer when not given).
    pub jobs_layer: String,
    /// Jobs' field (`jobs_2018`).
    pub jobs_field: String,
    /// Radius R, km (minutes by road or with a matrix).
    pub radius: f64,
    /// Weight of a pair within the radius.
    pub impedance: Impedance,
    /// What the value measures.
    pub measure: CompetitionMeasure,
    /// Value at which the score reaches 1.
    pub saturation: f64,
    /// How distances are measured.
    pub travel: Travel,
}

/// How a competition criterion weighs a pair at distance (or time) t within the
/// radius R: one of the access decays over t / R, or exp(-beta t) (docs/engine.md, section 6).
///
/// ```
/// use sitematch::{Decay, Impedance};
/// assert_eq!(Impedance::Decay(Decay::Linear).factor(15.0, 30.0), 0.5);
/// assert!((Impedance::Beta(0.1).factor(15.0, 100.0) - (-1.5f64).exp()).abs() < 1e-15);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Impedance {
    /// An access decay over t / R.
    Decay(Decay),
    /// exp(-beta t), t in km (or minutes with a matrix).
    Beta(f64),
}

impl Impedance {
    /// The weight of a pair at `t` (km or minutes) within the radius `r`.
    pub fn factor(self, t: f64, r: f64) -> f64 {
        match self {
            Impedance::Decay(d) => d.factor(t / r),
            Impedance::Beta(beta) => (-beta * t).exp(),
        }
    }
}

/// What a competition criterion measures (`measure` in a brief).
///
/// ```
/// use sitematch::{Brief, CompetitionMeasure, CriterionKind};
/// let brief = Brief::from_toml_str(r#"
///     [[criterion]]
///     name = "labour"
///     type = "competition"
///     layer = "communes"
///     field = "active"
///     jobs_field = "jobs_2018"
///     radius_km = 30
///     measure = "expected-workers"
///     jobs = 600
///     saturation = 1200
/// "#)?;
/// let CriterionKind::Competition(c) = &brief.criteria[0].kind else {
///     panic!("a competition criterion");
/// };
/// assert_eq!(c.measure, CompetitionMeasure::ExpectedWorkers { jobs: 600.0 });
/// assert_eq!(c.jobs_layer, "communes"); // the workers' layer unless given
/// # Ok::<(), sitematch::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum CompetitionMeasure {
    /// `workers-per-job` (the default): the two-step floating catchment, workers
    /// within reach per job competing for them.
    WorkersPerJob,
    /// `expected-workers`: the workers a plant offering `jobs` jobs can expect to draw.
    ExpectedWorkers {
        /// The plant's planned jobs J.
        jobs: f64,
    },
}

super::criterion_shape! {
    layer: String, field: String, jobs_layer: String, jobs_field: String, radius_km: f64,
    radius_min: f64, decay: String, beta: f64, measure: String, jobs: f64, saturation: f64,
    travel: String, network: String, matrix: String,
}

impl Shape {
    fn read(self, key: &str, _: &super::ReadContext, p: &mut Problems) -> CriterionKind {
        let s = self;
        let what = "a competition criterion";
        let travel = Travel::read(s.travel.as_deref(), s.matrix, s.network, key, p);
        let radius = travel.radius(s.radius_km, s.radius_min, key, what, p);
        let impedance = match (s.beta, s.decay.as_deref()) {
            (Some(_), Some(_)) => {
                p.push(
                    format!("{key}.beta"),
                    "give either beta (f = exp(-beta t)) or decay, not both",
                );
                Impedance::Decay(Decay::None)
            }
            (Some(beta), None) => {
                if not_positive(beta) {
                    p.push(format!("{key}.beta"), "must be above 0");
                }
                Impedance::Beta(beta)
            }
            (None, d) => Impedance::Decay(Decay::read(d, key, p)),
        };
        let measure = match s.measure.as_deref() {
            None | Some("workers-per-job") => {
                if s.jobs.is_some() {
                    p.push(
                        format!("{key}.jobs"),
                        "is read only with measure = \"expected-workers\"",
                    );
                }
                CompetitionMeasure::WorkersPerJob
            }
            Some("expected-workers") => {
                let jobs = required(
                    s.jobs,
                    key,
                    "jobs",
                    "measure = \"expected-workers\" (the plant's planned jobs)",
                    p,
                );
                if jobs.is_some_and(not_positive) {
                    p.push(format!("{key}.jobs"), "must be above 0");
                }
                CompetitionMeasure::ExpectedWorkers {
                    jobs: jobs.unwrap_or(1.0),
                }
            }
            Some(other) => {
                p.push(
                    format!("{key}.measure"),
                    format!("{other:?}: use workers-per-job or expected-workers"),
                );
                CompetitionMeasure::WorkersPerJob
            }
        };
        let saturation = required(s.saturation, key, "saturation", what, p);
        if saturation.is_some_and(not_positive) {
            p.push(format!("{key}.saturation"), "must be above 0");
        }
        if s.layer.is_none() {
            p.required(
                format!("{key}.layer"),
                "is required (the workers' population layer)",
            );
        }
        if s.field.is_none() {
            p.required(
                format!("{key}.field"),
                "is required (the workers' field, e.g. active)",
            );
        }
        if s.jobs_field.is_none() {
            p.required(
                format!("{key}.jobs_field"),
                "is required (the competing jobs' field, e.g. jobs_2018)",
            );
        }
        let layer = s.layer.unwrap_or_default();
        CriterionKind::Competition(CompetitionSpec {
            jobs_layer: s.jobs_layer.unwrap_or_else(|| layer.clone()),
            layer,
            field: s.field.unwrap_or_default(),
            jobs_field: s.jobs_field.unwrap_or_default(),
            radius: radius.unwrap_or(1.0),
            impedance,
            measure,
            saturation: saturation.unwrap_or(1.0),
            travel,
        })
    }
}

impl Type for CompetitionSpec {
    fn unit(&self) -> String {
        let (field, jobs_field) = (&self.field, &self.jobs_field);
        let within = self.travel.within(self.radius);
        match self.measure {
            CompetitionMeasure::WorkersPerJob => {
                format!("{field} per competing {jobs_field} {within}")
            }
            CompetitionMeasure::ExpectedWorkers { jobs } => {
                format!("expected {field} for {jobs} jobs, competing with {jobs_field} {within}")
            }
        }
    }

    super::travels_by!(travel);

    fn layer(&self) -> Option<&str> {
        Some(&self.layer)
    }

    fn layers(&self) -> Vec<&str> {
        vec![&self.layer, &self.jobs_layer]
    }

    fn sums(&self) -> Option<&str> {
        match self.measure {
            CompetitionMeasure::ExpectedWorkers { .. } => Some(&self.field),
            CompetitionMeasure::WorkersPerJob => None,
        }
    }

    fn missing_values(&self, data: &dyn DataSet) -> Option<usize> {
        let missing = |l: &str, field: &str| {
            data.layer(l).map_or(0, |l| {
                l.field_numbers(field)
                    .iter()
                    .filter(|x| x.is_none())
                    .count()
            })
        };
        Some(missing(&self.layer, &self.field) + missing(&self.jobs_layer, &self.jobs_field))
    }

    fn check(&self, at: &str, data: &mut DataCheck<'_>) {
        data.role(format!("{at}.layer"), &self.layer, &[Role::Population]);
        if self.jobs_layer != self.layer {
            let roles = [Role::Population, Role::Facilities];
            data.role(format!("{at}.jobs_layer"), &self.jobs_layer, &roles);
        }
        data.layer_field(format!("{at}.field"), &self.layer, &self.field);
        data.layer_field(
            format!("{at}.jobs_field"),
            &self.jobs_layer,
            &self.jobs_field,
        );
    }

    fn scorer<'a>(&'a self, name: &str, inputs: &Inputs<'a>) -> Box<dyn Scorer + 'a> {
        Box::new(CompetitionScorer::new(Spec {
            name: name.to_string(),
            workers: inputs.layer(&self.layer),
            field: &self.field,
            jobs: inputs.layer(&self.jobs_layer),
            jobs_field: &self.jobs_field,
            radius: self.radius,
            impedance: self.impedance,
            measure: self.measure,
            saturation: self.saturation,
            ways: inputs.ways(&self.travel),
        }))
    }

    fn score_of_value(&self, value: &CriterionValue) -> Option<f64> {
        Some((super::number(value)? / self.saturation).clamp(0.0, 1.0))
    }
}

/// What a competition criterion found for one site, for the explanation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Workers {
    /// Workers within reach, decayed: sum over i of W_i f(t_is).
    pub workers: f64,
    /// The jobs competing for them: workers / (sum over i of (W_i / D_i) f(t_is));
    /// `None` when no job competes (the value is then 0 for workers-per-job).
    pub competing_jobs: Option<f64>,
}

struct CompetitionScorer<'a> {
    name: String,
    workers_layer: Option<&'a IndexedLayer>,
    /// W_i per worker feature (missing or not a number: 0).
    workers: Vec<f64>,
    /// E_k per job feature (missing or not a number: 0).
    jobs: Vec<f64>,
    /// D_i per worker feature, computed the first time a site reaches it (once per
    /// brief; a regional brief computes only the workers within reach of its sites).
    competing: Vec<OnceLock<f64>>,
    radius: f64,
    impedance: Impedance,
    measure: CompetitionMeasure,
    saturation: f64,
    /// The way to the workers from a site, and to the jobs from a worker feature.
    to_workers: Box<dyn Reach + 'a>,
    to_jobs: Box<dyn Reach + 'a>,
    /// Notes known when the scorer is built (matrix coverage).
    notes: Vec<String>,
}

/// The inputs of a competition scorer.
struct Spec<'a> {
    pub name: String,
    pub workers: Option<&'a IndexedLayer>,
    pub field: &'a str,
    pub jobs: Option<&'a IndexedLayer>,
    pub jobs_field: &'a str,
    pub radius: f64,
    pub impedance: Impedance,
    pub measure: CompetitionMeasure,
    pub saturation: f64,
    pub ways: Ways<'a>,
}

/// A field of every feature of a layer as numbers (missing or not a number: 0).
fn amounts(layer: Option<&IndexedLayer>, field: &str) -> Vec<f64> {
    layer.map_or_else(Vec::new, |l| {
        l.layer()
            .features
            .iter()
            .map(|f| f.attribute(field).as_f64().unwrap_or(0.0))
            .collect()
    })
}

impl<'a> CompetitionScorer<'a> {
    /// Builds the scorer (step 1 runs as sites need it).
    fn new(spec: Spec<'a>) -> Self {
        let workers = amounts(spec.workers, spec.field);
        let jobs = amounts(spec.jobs, spec.jobs_field);
        let (radius, impedance) = (spec.radius, spec.impedance);
        let mut notes = Vec::new();
        if let (Some(matrix), Some(wl), Some(jl)) = (&spec.ways.matrix, spec.workers, spec.jobs) {
            let named = |l: &IndexedLayer| {
                l.layer()
                    .features
                    .iter()
                    .filter(|f| matrix.id(&f.id).is_some())
                    .count()
            };
            let (nw, nj) = (named(wl), named(jl));
            let (tw, tj) = (wl.layer().features.len(), jl.layer().features.len());
            if nw < tw || nj < tj {
                notes.push(format!(
                    "{}: the matrix {} ({} pairs) names {nw} of the {tw} features of {} \
                     and {nj} of the {tj} of {}; the others are unreachable",
                    spec.name,
                    matrix.path().display(),
                    matrix.rows(),
                    wl.layer().name,
                    jl.layer().name
                ));
            }
        }
        let ways = || Ways {
            network: spec.ways.network,
            matrix: spec.ways.matrix.clone(),
        };
        let to_workers = reach(ways(), spec.workers, every(spec.workers), Use::Within);
        let to_jobs = reach(ways(), spec.jobs, every(spec.jobs), Use::Within);
        CompetitionScorer {
            notes,
            name: spec.name,
            workers_layer: spec.workers,
            competing: (0..workers.len()).map(|_| OnceLock::new()).collect(),
            workers,
            jobs,
            radius,
            impedance,
            measure: spec.measure,
            saturation: spec.saturation,
            to_workers,
            to_jobs,
        }
    }

    /// D_i: the competing jobs within reach of worker feature i (step 1), computed
    /// once.
    fn competing(&self, i: usize) -> f64 {
        let Some(cell) = self.competing.get(i) else {
            return 0.0;
        };
        *cell.get_or_init(|| self.step1(i))
    }

    fn step1(&self, i: usize) -> f64 {
        let Some(f) = self.workers_layer.and_then(|l| l.layer().features.get(i)) else {
            return 0.0;
        };
        let (radius, impedance) = (self.radius, self.impedance);
        let mut d = 0.0;
        // A worker feature a matrix does not name reaches no job.
        let _ = self
            .to_jobs
            .for_each_within(f, radius, Toward::Features, &mut |k, t| {
                d += self.jobs[k] * impedance.factor(t, radius);
            });
        d
    }
}

impl CompetitionScorer<'_> {
    /// About how many worker features the candidates reach together: the union of
    /// the sample's reaches, grown to `candidates` by how it grew from the first half
    /// of the sample to the whole (as the count of sites when reaches do not overlap,
    /// not at all when they cover the same places); every worker when the reach has no
    /// straight bound.
    fn workers_reached(&self, sample: &[&Feature], candidates: usize) -> f64 {
        let all = self.workers.len() as f64;
        let (Some(layer), Some(reach_m)) = (
            self.to_workers.layer(),
            self.to_workers.reach_m(self.radius),
        ) else {
            return all;
        };
        let mut seen = std::collections::HashSet::new();
        let mut half = 0usize;
        let middle = sample.len() / 2;
        for (k, f) in sample.iter().enumerate() {
            if k == middle {
                half = seen.len();
            }
            layer.each_index_within(f.location, reach_m, |j| {
                seen.insert(j);
            });
        }
        let whole = seen.len() as f64;
        if half == 0 || sample.len() < 2 || candidates <= sample.len() {
            return whole.min(all);
        }
        // Doubling the sample multiplied the union by 2^growth (growth from 0 to 1).
        let growth = (whole / half as f64).log2().clamp(0.0, 1.0);
        let more = candidates as f64 / sample.len() as f64;
        (whole * more.powf(growth)).min(all)
    }
}

impl Scorer for CompetitionScorer<'_> {
    fn name(&self) -> &str {
        &self.name
    }

    fn sums(&self) -> bool {
        true
    }

    /// Step 2 visits the workers within reach of each site; step 1 the jobs within
    /// reach of each worker feature reached (once per brief), taken as the jobs within
    /// reach of the sample's sites.
    fn pairs(&self, sample: &[&Feature], candidates: usize) -> f64 {
        let workers = self.to_workers.pairs(sample, candidates, self.radius);
        let jobs_each = self.to_jobs.pairs(sample, 1, self.radius);
        workers + self.workers_reached(sample, candidates) * jobs_each
    }

    fn notes(&self) -> Vec<String> {
        let mut notes = self.notes.clone();
        // Among the workers the sites reached (the others were never needed).
        let reached: Vec<(f64, f64)> = self
            .workers
            .iter()
            .zip(&self.competing)
            .filter_map(|(w, d)| Some((*w, *d.get()?)))
            .collect();
        let without = reached
            .iter()
            .filter(|(w, d)| *w != 0.0 && *d == 0.0)
            .count();
        if without > 0 {
            let then = match self.measure {
                CompetitionMeasure::WorkersPerJob => "they count 0",
                CompetitionMeasure::ExpectedWorkers { .. } => {
                    "all their workers count as available to the plant"
                }
            };
            notes.push(format!(
                "{}: {without} of the {} worker features within reach of the candidates \
                 have no competing job within reach; {then}",
                self.name,
                reached.len()
            ));
        }
        notes
    }

    fn evaluate(&self, site: &Feature) -> Evaluation {
        let (mut workers, mut per_job, mut expected) = (0.0, 0.0, 0.0);
        let (radius, impedance) = (self.radius, self.impedance);
        let visited = self
            .to_workers
            .for_each_within(site, radius, Toward::Place, &mut |i, t| {
                let w = self.workers[i];
                if w == 0.0 {
                    return;
                }
                let f = impedance.factor(t, radius);
                let d = self.competing(i);
                workers += w * f;
                if d > 0.0 {
                    per_job += w / d * f;
                }
                if let CompetitionMeasure::ExpectedWorkers { jobs } = self.measure {
                    let offered = jobs * f;
                    if offered + d > 0.0 {
                        expected += w * offered / (offered + d);
                    }
                }
            });
        if visited.is_err() {
            // Not in the matrix: no value (counted in the ranking's warnings).
            return Evaluation::none();
        }
        let v = match self.measure {
            CompetitionMeasure::WorkersPerJob => per_job,
            CompetitionMeasure::ExpectedWorkers { .. } => expected,
        };
        Evaluation {
            value: CriterionValue::Number(Some(v)),
            score: (v / self.saturation).clamp(0.0, 1.0),
            excludes: None,
            detail: Detail::Competition(Workers {
                workers,
                competing_jobs: (per_job > 0.0).then(|| workers / per_job),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::{Brief, Catalog, Engine, Feature, Layer, Role, Value};

    /// Towns with 1 active and 1 job each.
    fn town(id: String, lon: f64, lat: f64) -> Feature {
        let mut f = Feature::point(id, lon, lat);
        f.attributes.insert("active".into(), Value::Number(1.0));
        f.attributes.insert("jobs".into(), Value::Number(1.0));
        f
    }

    /// The cost estimate of a 2 km competition sum over `sites` and `towns`, on the
    /// sample the engine takes (every eighth of the 2,000 sites: 250).
    fn estimate(sites: &[Feature], towns: Vec<Feature>) -> f64 {
        let engine = Engine::new(Catalog::from_layers(vec![Layer::from_features(
            "communes",
            Role::Population,
            towns,
        )]));
        let brief = Brief::from_toml_str(
            "[[criterion]]\nname = \"c\"\ntype = \"competition\"\nlayer = \"communes\"\n\
             field = \"active\"\njobs_field = \"jobs\"\nradius_km = 2\nsaturation = 1\n",
        )
        .unwrap();
        let scorers = crate::criteria::build(&engine, &brief.criteria).unwrap();
        let sample: Vec<&Feature> = sites.iter().step_by(8).collect();
        scorers[0].pairs(&sample, sites.len())
    }

    #[test]
    fn the_workers_reached_are_counted_once_however_many_sites_reach_them() {
        // 2,000 sites 11 km apart, each with 10 towns of its own within 1 km: the
        // sites reach 20,000 workers, all different, each reaching its 10 towns' jobs.
        let at = |i: usize| (2.0 + (i % 40) as f64 * 0.1, 45.0 + (i / 40) as f64 * 0.1);
        let sites: Vec<Feature> = (0..2000)
            .map(|i| Feature::point(format!("s{i}"), at(i).0, at(i).1))
            .collect();
        let towns = (0..2000)
            .flat_map(|i| (0..10).map(move |k| (i, k)))
            .map(|(i, k)| town(format!("t{i}-{k}"), at(i).0 + 0.001 * k as f64, at(i).1))
            .collect();
        assert_eq!(estimate(&sites, towns), 20_000.0 + 20_000.0 * 10.0);
        // The same 2,000 sites around one cluster of 10 towns, 1,000 towns far away:
        // 20,000 (site, worker) pairs, but 10 workers reached, each reaching 10 jobs
        // (the sum of the sites' reaches, capped at every town, made 1,010).
        let sites: Vec<Feature> = (0..2000)
            .map(|i| Feature::point(format!("s{i}"), 2.0 + 0.000_001 * i as f64, 45.0))
            .collect();
        let mut towns: Vec<Feature> = (0..10)
            .map(|k| town(format!("t{k}"), 2.0 + 0.001 * k as f64, 45.0))
            .collect();
        towns.extend((0..1000).map(|k| town(format!("far{k}"), 5.0 + 0.01 * k as f64, 47.0)));
        assert_eq!(estimate(&sites, towns), 20_000.0 + 10.0 * 10.0);
    }
}
