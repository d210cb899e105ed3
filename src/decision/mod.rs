//! Decision support on top of a ranking: rank robustness under weight changes, the
//! Pareto front, near misses, and a diverse shortlist.
//!
//! [`crate::Engine::rank`] applies all of them as the brief asks (`[robustness]`,
//! `[output]`); each is also a function here, on plain score matrices, for library
//! users.

mod near_miss;
mod pareto;
mod robustness;
mod shortlist;

pub use near_miss::{near_miss, NearMiss};
pub use pareto::pareto_front;
pub use robustness::{flip_margin, robustness, Flip, RankStats};
pub use shortlist::{shortlist, Dropped};

/// What the decision-support steps say of one site.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Decision {
    /// Robustness: share of runs with the site in the brief's top.
    pub p_top: Option<f64>,
    /// Robustness: share of runs with the site first.
    pub p_first: Option<f64>,
    /// Robustness: 5th percentile of the site's rank over the runs.
    pub rank_p05: Option<usize>,
    /// Robustness: 95th percentile of the site's rank over the runs.
    pub rank_p95: Option<usize>,
    /// For the first two sites: the smallest single-weight change that swaps them.
    pub flip: Option<Flip>,
    /// True when no ranked site beats this one on every criterion score.
    pub pareto: Option<bool>,
    /// A ranked site that dominates this one (the best-ranked such site).
    pub dominated_by: Option<String>,
    /// For an excluded site: it fails one threshold constraint, by little.
    pub near_miss: Option<NearMiss>,
    /// With a diverse shortlist: true when the site is kept.
    pub shortlisted: Option<bool>,
    /// With a diverse shortlist: the site's place among the kept ones.
    pub shortlist_rank: Option<usize>,
    /// With a diverse shortlist: why the site was dropped.
    pub dropped_by: Option<String>,
}
