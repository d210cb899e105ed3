//! Two scenarios side by side (two briefs, or one brief under two weight sets, over
//! the same data): where each site of either top stands in both, the sites that enter
//! and leave the top, how alike the two orders are, and for each scenario the
//! single-weight change that swaps its first two sites.

use std::collections::HashMap;
use std::fmt::Write as _;

use crate::decision::flip_margin;
use crate::ranking::{Flip, Ranking};

/// A site of either top N in both scenarios.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Shift {
    /// The site's id.
    pub site_id: String,
    /// Its label, if any.
    pub label: Option<String>,
    /// Its rank in scenario A (`None`: excluded, or not a candidate there).
    pub rank_a: Option<usize>,
    /// Its rank in scenario B.
    pub rank_b: Option<usize>,
    /// Its score in A, 0-100.
    pub score_a: Option<f64>,
    /// Its score in B.
    pub score_b: Option<f64>,
}

impl Shift {
    /// Places gained from A to B (positive: moved up), when ranked in both.
    pub fn gained(&self) -> Option<i64> {
        Some(self.rank_a? as i64 - self.rank_b? as i64)
    }
}

/// Two rankings compared.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Comparison {
    /// The size of the tops compared.
    pub top: usize,
    /// Each site of either top, in B's order then A's.
    pub sites: Vec<Shift>,
    /// In B's top and not in A's, in B's order.
    pub entered: Vec<String>,
    /// In A's top and not in B's, in A's order.
    pub left: Vec<String>,
    /// Sites ranked in both.
    pub common: usize,
    /// Spearman's rank correlation over the sites ranked in both (their ranks among
    /// them), `None` under 2 such sites.
    pub spearman: Option<f64>,
    /// A's first two sites: the single-weight change that swaps them (A's criteria).
    pub flip_a: Option<Flip>,
    /// B's first two: the same for B.
    pub flip_b: Option<Flip>,
}

/// Compares ranking `a` with ranking `b` over their tops of `top` sites.
///
/// ```
/// # use sitematch::{Brief, Catalog, Engine, Feature, Layer, Role};
/// # let mut a = Feature::point("a", 2.0, 48.0);
/// # a.area_ha = Some(50.0);
/// # let mut b = Feature::point("b", 2.5, 48.0);
/// # b.area_ha = Some(10.0);
/// # let towns = Layer::from_features("towns", Role::Facilities, vec![Feature::point("t", 2.5, 48.0)]);
/// # let sites = Layer::from_features("sites", Role::Sites, vec![a, b]);
/// # let engine = Engine::new(Catalog::from_layers(vec![sites, towns]));
/// let brief = |land: f64| Brief::from_toml_str(&format!("[[criterion]]\nname = \"land\"\ntype = \"attribute\"\nfield = \"area_ha\"\nideal = 50\nzero = 0\nweight = {land}\n[[criterion]]\nname = \"town\"\ntype = \"distance\"\nlayer = \"towns\"\nideal_km = 0\nzero_km = 100\n"));
/// let (land_first, town_first) = (engine.rank(&brief(5.0)?)?, engine.rank(&brief(0.1)?)?);
/// let c = sitematch::compare(&land_first, &town_first, 1);
/// assert_eq!((c.entered.as_slice(), c.left.as_slice()), (&["b".to_string()][..], &["a".to_string()][..]));
/// assert_eq!(c.spearman, Some(-1.0));
/// # Ok::<(), sitematch::Error>(())
/// ```
pub fn compare(a: &Ranking, b: &Ranking, top: usize) -> Comparison {
    let ranked = |r: &Ranking| -> HashMap<String, (usize, f64)> {
        r.ranked_sites()
            .iter()
            .filter_map(|s| Some((s.site_id.to_string(), (s.rank?, s.score?))))
            .collect()
    };
    let (in_a, in_b) = (ranked(a), ranked(b));
    let head = |r: &Ranking| -> Vec<String> {
        r.ranked_sites()
            .iter()
            .take(top)
            .map(|s| s.site_id.to_string())
            .collect()
    };
    let (top_a, top_b) = (head(a), head(b));
    let entered: Vec<String> = top_b
        .iter()
        .filter(|id| !top_a.contains(id))
        .cloned()
        .collect();
    let left: Vec<String> = top_a
        .iter()
        .filter(|id| !top_b.contains(id))
        .cloned()
        .collect();
    let label = |id: &str| {
        b.site(id)
            .or_else(|| a.site(id))
            .and_then(|s| s.label.as_deref().map(String::from))
    };
    let sites = top_b
        .iter()
        .chain(left.iter())
        .map(|id| Shift {
            site_id: id.clone(),
            label: label(id),
            rank_a: in_a.get(id).map(|x| x.0),
            rank_b: in_b.get(id).map(|x| x.0),
            score_a: in_a.get(id).map(|x| x.1),
            score_b: in_b.get(id).map(|x| x.1),
        })
        .collect();
    // Spearman over the common sites, their ranks among themselves (no ties: ranks
    // are distinct within a ranking).
    let mut common: Vec<(usize, usize)> = in_a
        .iter()
        .filter_map(|(id, (ra, _))| Some((*ra, in_b.get(id)?.0)))
        .collect();
    common.sort_unstable();
    let n = common.len();
    let spearman = (n >= 2).then(|| {
        let mut by_b: Vec<usize> = (0..n).collect();
        by_b.sort_unstable_by_key(|&i| common[i].1);
        let mut rank_b = vec![0usize; n];
        for (r, &i) in by_b.iter().enumerate() {
            rank_b[i] = r;
        }
        let d2: f64 = (0..n)
            .map(|i| {
                let d = i as f64 - rank_b[i] as f64;
                d * d
            })
            .sum();
        let n = n as f64;
        1.0 - 6.0 * d2 / (n * (n * n - 1.0))
    });
    Comparison {
        top,
        sites,
        entered,
        left,
        common: n,
        spearman,
        flip_a: first_two_flip(a),
        flip_b: first_two_flip(b),
    }
}

/// The single-weight change that swaps a ranking's first two sites.
fn first_two_flip(r: &Ranking) -> Option<Flip> {
    if r.ranked < 2 || r.target.is_some() {
        return None;
    }
    let matrix: Vec<Vec<f64>> = r
        .ranked_sites()
        .iter()
        .map(|s| s.criteria.iter().map(|c| c.score).collect())
        .collect();
    flip_margin(r.method, &matrix, &r.weights(), 0, 1)
}

impl Comparison {
    /// The comparison as Markdown: a summary, then a table of the sites.
    pub fn markdown(&self, a: (&str, &Ranking), b: (&str, &Ranking)) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "# {} vs {}\n", a.0, b.0);
        let _ = writeln!(
            out,
            "- top {}: {} entered, {} left",
            self.top,
            self.entered.len(),
            self.left.len()
        );
        let _ = writeln!(
            out,
            "- {} sites ranked in both; Spearman's rank correlation {}",
            self.common,
            self.spearman
                .map_or_else(|| "-".to_string(), |s| format!("{s:.3}"))
        );
        for ((name, r), flip) in [(a, &self.flip_a), (b, &self.flip_b)] {
            if let Some(text) = flip.as_ref().and_then(|f| f.describe(r)) {
                let _ = writeln!(out, "- {name}: {text}");
            }
        }
        let _ = writeln!(
            out,
            "\n| site | label | rank {} | rank {} | places | score {} | score {} |\n|---|---|---:|---:|---:|---:|---:|",
            a.0, b.0, a.0, b.0
        );
        let cell = |x: Option<usize>| x.map_or_else(|| "-".to_string(), |v| v.to_string());
        let score = |x: Option<f64>| x.map_or_else(|| "-".to_string(), |v| format!("{v:.1}"));
        for s in &self.sites {
            let places = match (s.gained(), s.rank_a, s.rank_b) {
                (Some(g), _, _) => format!("{g:+}"),
                (None, None, Some(_)) => "new".to_string(),
                (None, Some(_), None) => "out".to_string(),
                _ => "-".to_string(),
            };
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {places} | {} | {} |",
                s.site_id,
                s.label.as_deref().unwrap_or("").replace('|', "\\|"),
                cell(s.rank_a),
                cell(s.rank_b),
                score(s.score_a),
                score(s.score_b)
            );
        }
        out
    }
}
