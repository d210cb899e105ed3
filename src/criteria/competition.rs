//! competition criterion (DESIGN section 9): a two-step floating catchment with the
//! roles of a plant seeking workers.
//!
//! Step 1 runs once per brief, when the scorer is built: for every worker feature i,
//! the competing jobs within reach, D_i = sum over k of E_k f(t_ik). Step 2, per site,
//! is one radius query over the workers: v = sum over i of (W_i / D_i) f(t_is), or the
//! expected workers sum over i of W_i J f / (J f + D_i).

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use super::{CriterionValue, Evaluation, Scorer};
use crate::brief::{CompetitionMeasure, Impedance};
use crate::index::IndexedLayer;
use crate::model::Feature;
use crate::network::Network;
use crate::travel::TravelMatrix;

/// What a competition criterion found for one site, for the explanation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Detail {
    /// Workers within reach, decayed: sum over i of W_i f(t_is).
    pub workers: f64,
    /// The jobs competing for them: workers / (sum over i of (W_i / D_i) f(t_is));
    /// `None` when no job competes (the value is then 0 for workers-per-job).
    pub competing_jobs: Option<f64>,
}

/// How the scorer reaches its neighbours.
enum Reach<'a> {
    /// Straight-line geodesic km, through the layers' indexes.
    Straight,
    /// Minutes by road; every worker and job feature joined to the network.
    Drive {
        network: &'a Network,
        workers: Vec<Option<(u32, f64)>>,
        jobs: Vec<Option<(u32, f64)>>,
    },
    /// Minutes from a matrix; `worker_of[id]` is the worker feature of an interned id.
    Matrix {
        matrix: Arc<TravelMatrix>,
        worker_of: HashMap<u32, usize>,
        job_of: HashMap<u32, usize>,
    },
}

pub(super) struct CompetitionScorer<'a> {
    name: String,
    workers_layer: Option<&'a IndexedLayer>,
    jobs_layer: Option<&'a IndexedLayer>,
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
    reach: Reach<'a>,
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
    pub matrix: Option<Arc<TravelMatrix>>,
    pub network: Option<&'a Network>,
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
        let reach = match (spec.matrix, spec.network) {
            (None, Some(network)) => Reach::Drive {
                network,
                workers: spec
                    .workers
                    .map(|l| super::drive::join_all(network, l))
                    .unwrap_or_default(),
                jobs: spec
                    .jobs
                    .map(|l| super::drive::join_all(network, l))
                    .unwrap_or_default(),
            },
            (None, None) => Reach::Straight,
            (Some(matrix), _) => Reach::Matrix {
                worker_of: ids(&matrix, spec.workers),
                job_of: ids(&matrix, spec.jobs),
                matrix,
            },
        };
        let mut notes = Vec::new();
        if let (
            Reach::Matrix {
                matrix, worker_of, ..
            },
            Some(wl),
            Some(jl),
        ) = (&reach, spec.workers, spec.jobs)
        {
            let named = |l: &IndexedLayer| {
                l.layer()
                    .features
                    .iter()
                    .filter(|f| matrix.id(&f.id).is_some())
                    .count()
            };
            let (nw, nj) = (worker_of.len(), named(jl));
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
        CompetitionScorer {
            notes,
            name: spec.name.to_string(),
            workers_layer: spec.workers,
            jobs_layer: spec.jobs,
            competing: (0..workers.len()).map(|_| OnceLock::new()).collect(),
            workers,
            jobs,
            radius,
            impedance,
            measure: spec.measure,
            saturation: spec.saturation,
            reach,
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
        let (Some(wl), Some(jl)) = (self.workers_layer, self.jobs_layer) else {
            return 0.0;
        };
        let Some(f) = wl.layer().features.get(i) else {
            return 0.0;
        };
        let (radius, impedance) = (self.radius, self.impedance);
        match &self.reach {
            Reach::Straight => {
                let mut d = 0.0;
                jl.for_each_within(f.location, radius * 1000.0, |k, m| {
                    d += self.jobs[k] * impedance.factor(m / 1000.0, radius);
                });
                d
            }
            Reach::Drive {
                network,
                workers,
                jobs,
            } => {
                let from_i = match workers.get(i).copied().flatten() {
                    Some((n, leg)) => network.shortest_from(&[(n, leg)], false, radius),
                    None => Default::default(),
                };
                let reach_m = radius / 60.0 * network.max_kmh() * 1000.0;
                let mut d = 0.0;
                jl.for_each_within(f.location, reach_m, |k, m| {
                    let by_road = jobs
                        .get(k)
                        .copied()
                        .flatten()
                        .and_then(|(n, leg)| Some(from_i.get(&n)? + leg))
                        .unwrap_or(f64::INFINITY);
                    let t = network.leg_minutes(m).min(by_road);
                    if t <= radius {
                        d += self.jobs[k] * impedance.factor(t, radius);
                    }
                });
                d
            }
            Reach::Matrix { matrix, job_of, .. } => {
                let Some(i) = matrix.id(&f.id) else {
                    return 0.0;
                };
                // Summed in the jobs layer's order, whatever the file's.
                let mut within: Vec<(usize, f64)> = matrix
                    .from(i)
                    .iter()
                    .filter(|(_, t)| *t <= radius)
                    .filter_map(|(k, t)| Some((*job_of.get(k)?, *t)))
                    .collect();
                within.sort_by_key(|(k, _)| *k);
                within
                    .iter()
                    .map(|(k, t)| self.jobs[*k] * impedance.factor(*t, radius))
                    .sum()
            }
        }
    }

    /// Calls `g(i, f(t_is))` for every worker feature i within reach of a site: in the
    /// index's order for straight lines, in feature order for a matrix (whatever the
    /// order of its file).
    fn visit(&self, site: &Feature, mut g: impl FnMut(usize, f64)) {
        match (&self.reach, self.workers_layer) {
            (_, None) => {}
            (Reach::Straight, Some(l)) => {
                l.for_each_within(site.location, self.radius * 1000.0, |i, m| {
                    g(i, self.impedance.factor(m / 1000.0, self.radius));
                });
            }
            (
                Reach::Drive {
                    network, workers, ..
                },
                Some(l),
            ) => {
                let to_site = super::drive::to_site(network, site, self.radius);
                let reach_m = self.radius / 60.0 * network.max_kmh() * 1000.0;
                l.for_each_within(site.location, reach_m, |i, m| {
                    let by_road = workers
                        .get(i)
                        .copied()
                        .flatten()
                        .and_then(|(n, leg)| Some(to_site.get(&n)? + leg))
                        .unwrap_or(f64::INFINITY);
                    let t = network.leg_minutes(m).min(by_road);
                    if t <= self.radius {
                        g(i, self.impedance.factor(t, self.radius));
                    }
                });
            }
            (
                Reach::Matrix {
                    matrix, worker_of, ..
                },
                Some(_),
            ) => {
                let Some(s) = matrix.id(&site.id) else {
                    return;
                };
                let mut within: Vec<(usize, f64)> = matrix
                    .to(s)
                    .iter()
                    .filter(|(_, t)| *t <= self.radius)
                    .filter_map(|(i, t)| Some((*worker_of.get(i)?, *t)))
                    .collect();
                within.sort_by_key(|(i, _)| *i);
                for (i, t) in within {
                    g(i, self.impedance.factor(t, self.radius));
                }
            }
        }
    }
}

/// The feature index of each interned id of a matrix that names a feature of `layer`.
fn ids(matrix: &TravelMatrix, layer: Option<&IndexedLayer>) -> HashMap<u32, usize> {
    layer.map_or_else(HashMap::new, |l| {
        l.layer()
            .features
            .iter()
            .enumerate()
            .filter_map(|(i, f)| Some((matrix.id(&f.id)?, i)))
            .collect()
    })
}

impl Scorer for CompetitionScorer<'_> {
    fn name(&self) -> &str {
        &self.name
    }

    /// Step 2 visits the workers within reach of each site; step 1 the jobs within
    /// reach of each worker feature reached (once per brief, at most every one),
    /// taken as the jobs within reach of the sample's sites.
    fn pairs(&self, sample: &[&Feature], candidates: usize) -> f64 {
        let (Reach::Straight, Some(w), Some(j)) =
            (&self.reach, self.workers_layer, self.jobs_layer)
        else {
            return 0.0;
        };
        let r = self.radius * 1000.0;
        let workers = super::extrapolate(sample, candidates, |f| w.count_within(f.location, r));
        let jobs_each = super::extrapolate(sample, 1, |f| j.count_within(f.location, r));
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
        if let Reach::Matrix { matrix, .. } = &self.reach {
            if matrix.id(&site.id).is_none() {
                // Not in the matrix: no value (counted in the ranking's warnings).
                return Evaluation {
                    value: CriterionValue::Number(None),
                    score: 0.0,
                    nearest: None,
                    excludes: false,
                    detail: None,
                    km: None,
                    freight: None,
                };
            }
        }
        let (mut workers, mut per_job, mut expected) = (0.0, 0.0, 0.0);
        self.visit(site, |i, f| {
            let w = self.workers[i];
            if w == 0.0 {
                return;
            }
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
