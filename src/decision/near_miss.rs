//! Near misses: excluded sites that fail one threshold constraint by little.

use crate::ranking::{Exclusion, NearMiss};

/// Whether a site excluded for `reasons` is a near miss: exactly one reason, with a
/// threshold, missed by at most `tolerance` times the threshold. `value` gives the
/// site's value for a constraint (area in ha, distance in km or minutes), `max_km`
/// the threshold of a `max_km` or `max_min` constraint.
///
/// ```
/// use sitematch::{near_miss, Exclusion};
/// let reasons = [Exclusion::MaxKm("motorway".into())];
/// let m = near_miss(&reasons, 0.1, 20.0, None, |_| Some(32.0), |_| Some(30.0)).unwrap();
/// assert_eq!(m.to_string(), "2 km over max_km 30");
/// ```
pub fn near_miss(
    reasons: &[Exclusion],
    tolerance: f64,
    min_area_ha: f64,
    max_area_ha: Option<f64>,
    value: impl Fn(&Exclusion) -> Option<f64>,
    max_km: impl Fn(&Exclusion) -> Option<f64>,
) -> Option<NearMiss> {
    let [reason] = reasons else {
        return None;
    };
    let (by, threshold) = match reason {
        Exclusion::MinArea => (min_area_ha - value(reason)?, min_area_ha),
        Exclusion::MaxArea => {
            let max = max_area_ha?;
            (value(reason)? - max, max)
        }
        Exclusion::MaxKm(_) | Exclusion::MaxMin(_) => {
            let max = max_km(reason)?;
            (value(reason)? - max, max)
        }
        _ => return None,
    };
    (by >= 0.0 && by <= tolerance * threshold).then(|| NearMiss {
        constraint: reason.clone(),
        by,
        threshold,
    })
}
