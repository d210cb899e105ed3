//! Validation against real location decisions: would a brief's shortlist have held the
//! place where a real plant went?
//!
//! A [`Decision`] is one real plant's commune and point (from a CSV such as the
//! project's `validation/decisions.csv`); [`evaluate`] ranks a brief written from that
//! plant's stated needs and measures, at 10 and 20 sites, whether the shortlist holds a
//! site within [`HIT_KM`] of the plant, against three baselines over the same candidates
//! (the sites that pass the brief's hard constraints): a random draw (its exact
//! expectation, [`hit_probability`]), the largest area first, and the nearest motorway
//! interchange first.
//!
//! ```
//! // 10 candidates, 2 of them near the plant, a shortlist of 3: the chance that a
//! // random draw holds one is 1 - C(8,3)/C(10,3) = 1 - 56/120.
//! let p = sitematch::validation::hit_probability(10, 2, 3);
//! assert!((p - (1.0 - 56.0 / 120.0)).abs() < 1e-12);
//! ```

use std::path::Path;

use geo::{Distance, Geodesic, Point};

use crate::brief::{Brief, CriterionType};
use crate::engine::Engine;
use crate::error::{Error, Location, Result};
use crate::ranking::SiteResult;
use crate::text::fold;

/// A hit: a shortlisted site within this many km of where the plant went.
pub const HIT_KM: f64 = 10.0;

/// The shortlist lengths measured.
pub const TOPS: [usize; 2] = [10, 20];

/// One real location decision.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    /// Short name (`carbon_fos`): the brief is `<slug>.toml`.
    pub slug: String,
    /// The company.
    pub company: String,
    /// The project.
    pub project: String,
    /// The commune as the sources name it.
    pub commune: String,
    /// Where the plant went, WGS84.
    pub location: Point<f64>,
    /// How far that point may be from the plant, km (as the sources allow).
    pub precision_km: Option<f64>,
    /// The kind of land it took, in the sources' words.
    pub site_type: String,
}

/// Reads the decisions of a CSV with the columns `slug`, `company`, `project`,
/// `commune`, `lon`, `lat`, `coord_precision_km` and `site_type` (others ignored). A row
/// without a valid point is an error naming its line.
pub fn read_decisions(path: &Path) -> Result<Vec<Decision>> {
    let mut reader = csv::Reader::from_path(path)
        .map_err(|e| Error::format(path, Location::File, e.to_string()))?;
    let headers = reader
        .headers()
        .map_err(|e| Error::format(path, Location::Line(1), e.to_string()))?
        .clone();
    let col = |name: &str| {
        headers.iter().position(|h| h == name).ok_or_else(|| {
            Error::format(
                path,
                Location::Line(1),
                format!("no column {name:?}; a decisions file needs slug, company, project, commune, lon, lat, coord_precision_km, site_type"),
            )
        })
    };
    let (slug, company, project, commune, lon, lat, precision, site_type) = (
        col("slug")?,
        col("company")?,
        col("project")?,
        col("commune")?,
        col("lon")?,
        col("lat")?,
        col("coord_precision_km")?,
        col("site_type")?,
    );
    let mut out = Vec::new();
    for (i, row) in reader.records().enumerate() {
        let line = Location::Line(i as u64 + 2);
        let row = row.map_err(|e| Error::format(path, line, e.to_string()))?;
        let cell = |c: usize| row.get(c).unwrap_or("").trim().to_string();
        let number = |c: usize| crate::model::parse_number(&cell(c));
        let (Some(x), Some(y)) = (number(lon), number(lat)) else {
            return Err(Error::format(
                path,
                line,
                "lon and lat must be numbers (WGS84 degrees)",
            ));
        };
        if !((-180.0..=180.0).contains(&x) && (-90.0..=90.0).contains(&y)) {
            return Err(Error::format(
                path,
                line,
                format!("({x}, {y}) is not a WGS84 longitude and latitude"),
            ));
        }
        out.push(Decision {
            slug: cell(slug),
            company: cell(company),
            project: cell(project),
            commune: cell(commune),
            location: Point::new(x, y),
            precision_km: number(precision),
            site_type: cell(site_type),
        });
    }
    Ok(out)
}

/// The chance that a random draw of `k` of `n` candidates, `h` of which are hits,
/// holds at least one hit: 1 - C(n-h, k) / C(n, k) (1 when `k >= n` and `h > 0`).
pub fn hit_probability(n: usize, h: usize, k: usize) -> f64 {
    if h == 0 || n == 0 {
        return 0.0;
    }
    if k + h > n {
        return 1.0;
    }
    // C(n-h, k) / C(n, k) = prod_{i<k} (n-h-i) / (n-i).
    let miss: f64 = (0..k)
        .map(|i| (n - h - i) as f64 / (n - i) as f64)
        .product();
    1.0 - miss
}

/// What one case gave, at each of [`TOPS`].
#[derive(Debug, Clone, PartialEq)]
pub struct CaseResult {
    /// The decision's slug.
    pub slug: String,
    /// The candidates: sites that pass the brief's hard constraints.
    pub candidates: usize,
    /// How many of them lie within [`HIT_KM`] of the plant.
    pub near: usize,
    /// The engine's rank of the first candidate within [`HIT_KM`], if any.
    pub first_hit_rank: Option<usize>,
    /// The engine's shortlist holds a hit (at 10, at 20).
    pub engine: [bool; 2],
    /// A random draw's chance of a hit (at 10, at 20).
    pub random: [f64; 2],
    /// The largest areas first hold a hit.
    pub largest_area: [bool; 2],
    /// The nearest motorway interchanges first hold a hit.
    pub nearest_interchange: [bool; 2],
    /// For a brief with an anchor criterion: the sites nearest its places first (its
    /// first anchor criterion alone) hold a hit. What the brief's other criteria add is
    /// the engine's hits beyond these.
    pub anchor_alone: Option<[bool; 2]>,
}

/// Ranks `brief` and measures its shortlist against where the plant of `decision`
/// went. `only_layers` replaces the brief's `filter.layers` (to measure the friches
/// alone, say). The interchange baseline reads the layer `motorway`, category
/// `Echangeur`; without it, that baseline never hits.
pub fn evaluate(
    engine: &Engine,
    brief: &Brief,
    decision: &Decision,
    only_layers: Option<&[String]>,
) -> Result<CaseResult> {
    let mut brief = brief.clone();
    if let Some(layers) = only_layers {
        brief.filter.layers = Some(layers.to_vec());
    }
    let ranking = engine.rank(&brief)?;
    let sites = ranking.ranked_sites();
    let is_hit =
        |s: &SiteResult| Geodesic.distance(s.location, decision.location) <= HIT_KM * 1000.0;
    let holds = |order: &[&SiteResult], k: usize| order.iter().take(k).any(|s| is_hit(s));
    let by_rank: Vec<&SiteResult> = sites.iter().collect();

    let mut by_area = by_rank.clone();
    by_area.sort_by(|a, b| {
        let (x, y) = (a.area_ha.unwrap_or(-1.0), b.area_ha.unwrap_or(-1.0));
        y.total_cmp(&x).then_with(|| a.site_id.cmp(&b.site_id))
    });

    // The layer and the folded category, found once for every candidate.
    let (motorway, echangeur) = (engine.layer("motorway"), fold("Echangeur"));
    let interchange = |s: &SiteResult| -> f64 {
        motorway
            .and_then(|l| {
                l.nearest(s.location, |f| {
                    f.category.as_deref().is_some_and(|c| fold(c) == echangeur)
                })
            })
            .map_or(f64::INFINITY, |(_, d)| d)
    };
    let mut by_interchange: Vec<(f64, &SiteResult)> =
        by_rank.iter().map(|s| (interchange(s), *s)).collect();
    by_interchange.sort_by(|a, b| {
        a.0.total_cmp(&b.0)
            .then_with(|| a.1.site_id.cmp(&b.1.site_id))
    });
    let by_interchange: Vec<&SiteResult> = by_interchange.into_iter().map(|(_, s)| s).collect();

    // The first anchor criterion alone: nearest its places first.
    let anchor = ranking
        .criteria
        .iter()
        .position(|c| c.kind == CriterionType::Anchor);
    let anchor_alone = anchor.map(|i| {
        let km = |s: &SiteResult| {
            s.criteria
                .get(i)
                .and_then(|c| c.value.as_f64())
                .unwrap_or(f64::INFINITY)
        };
        let mut by_anchor = by_rank.clone();
        by_anchor.sort_by(|a, b| {
            km(a)
                .total_cmp(&km(b))
                .then_with(|| a.site_id.cmp(&b.site_id))
        });
        TOPS.map(|k| holds(&by_anchor, k))
    });

    let near = sites.iter().filter(|s| is_hit(s)).count();
    let n = sites.len();
    Ok(CaseResult {
        slug: decision.slug.clone(),
        candidates: n,
        near,
        first_hit_rank: sites.iter().position(is_hit).map(|p| p + 1),
        engine: TOPS.map(|k| holds(&by_rank, k)),
        random: TOPS.map(|k| hit_probability(n, near, k)),
        largest_area: TOPS.map(|k| holds(&by_area, k)),
        nearest_interchange: TOPS.map(|k| holds(&by_interchange, k)),
        anchor_alone,
    })
}
