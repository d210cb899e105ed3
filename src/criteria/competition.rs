//! competition criterion (DESIGN section 9): a two-step floating catchment with the
//! roles of a plant seeking workers.
//!
//! Step 1 runs once per brief, when the scorer is built: for every worker feature i,
//! the competing jobs within reach, D_i = sum over k of E_k f(t_ik). Step 2, per site,
//! is one radius query over the workers: v = sum over i of (W_i / D_i) f(t_is), or the
//! expected workers sum over i of W_i J f / (J f + D_i).

use std::sync::OnceLock;

use super::{CriterionValue, Evaluation, Scorer};
use crate::brief::{CompetitionMeasure, Impedance};
use crate::index::IndexedLayer;
use crate::model::Feature;
use crate::travel::{every, reach, Reach, Toward, Use, Ways};

/// What a competition criterion found for one site, for the explanation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Detail {
    /// Workers within reach, decayed: sum over i of W_i f(t_is).
    pub workers: f64,
    /// The jobs competing for them: workers / (sum over i of (W_i / D_i) f(t_is));
    /// `None` when no job competes (the value is then 0 for workers-per-job).
    pub competing_jobs: Option<f64>,
}

pub(super) struct CompetitionScorer<'a> {
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
pub(super) struct Spec<'a> {
    pub name: &'a str,
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
    pub(super) fn new(spec: Spec<'a>) -> Self {
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
            name: spec.name.to_string(),
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

impl Scorer for CompetitionScorer<'_> {
    fn name(&self) -> &str {
        &self.name
    }

    /// Step 2 visits the workers within reach of each site; step 1 the jobs within
    /// reach of each worker feature reached (once per brief, at most every one),
    /// taken as the jobs within reach of the sample's sites.
    fn pairs(&self, sample: &[&Feature], candidates: usize) -> f64 {
        let workers = self.to_workers.pairs(sample, candidates, self.radius);
        let jobs_each = self.to_jobs.pairs(sample, 1, self.radius);
        let reached = workers.min(self.workers.len() as f64);
        workers + reached * jobs_each
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
            nearest: None,
            excludes: false,
            detail: Some(Detail {
                workers,
                competing_jobs: (per_job > 0.0).then(|| workers / per_job),
            }),
            km: None,
            freight: None,
        }
    }
}
