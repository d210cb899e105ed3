//! A diverse shortlist: no two kept sites too close, or one per value of an attribute.

use geo::{Distance, Geodesic, Point};

/// Why a site was left out of the shortlist.
///
/// ```
/// use sitematch::{shortlist, Dropped};
/// let p = |lon| geo::Point::new(lon, 0.0);
/// let groups = [Some("59".to_string()), Some("59".to_string())];
/// let r = shortlist(&[p(0.0), p(1.0)], &groups, None, 10);
/// assert_eq!(r[1], Err(Dropped::OnePer(0, "59".to_string())));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum Dropped {
    /// Within `min_spacing_km` of a better kept site: (its index, distance in km).
    Spacing(usize, f64),
    /// Same value of the `one_per` attribute as a better kept site: (its index, value).
    OnePer(usize, String),
}

/// Walks the sites best first and keeps a site unless it is closer than
/// `min_spacing_km` (geodesic) to a site already kept, or shares its `one_per` value
/// with one (sites without a value are never dropped for it). Stops once `top` sites
/// are kept; the result covers the sites visited: `Ok(())` kept, `Err(_)` dropped.
///
/// ```
/// use sitematch::{shortlist, Dropped};
/// let p = |lon| geo::Point::new(lon, 0.0);
/// // 0.1° of longitude on the equator is 11.13 km.
/// let r = shortlist(&[p(0.0), p(0.1), p(0.2)], &[None, None, None], Some(15.0), 10);
/// assert_eq!(r[0], Ok(()));
/// assert!(matches!(r[1], Err(Dropped::Spacing(0, _))));
/// assert_eq!(r[2], Ok(()));
/// ```
pub fn shortlist(
    locations: &[Point<f64>],
    groups: &[Option<String>],
    min_spacing_km: Option<f64>,
    top: usize,
) -> Vec<Result<(), Dropped>> {
    let mut kept: Vec<usize> = Vec::new();
    let mut out = Vec::new();
    for (i, p) in locations.iter().enumerate() {
        if kept.len() >= top {
            break;
        }
        let group = groups.get(i).cloned().flatten();
        let same_group = group.as_ref().and_then(|g| {
            kept.iter()
                .copied()
                .find(|&k| groups.get(k).cloned().flatten().as_ref() == Some(g))
        });
        let too_close = min_spacing_km.and_then(|min| {
            kept.iter().copied().find_map(|k| {
                let d = Geodesic.distance(*p, *locations.get(k)?) / 1000.0;
                (d < min).then_some((k, d))
            })
        });
        match (same_group, too_close) {
            (Some(k), _) => out.push(Err(Dropped::OnePer(k, group.unwrap_or_default()))),
            (None, Some((k, d))) => out.push(Err(Dropped::Spacing(k, d))),
            (None, None) => {
                kept.push(i);
                out.push(Ok(()));
            }
        }
    }
    out
}
