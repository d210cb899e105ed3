//! Near misses: excluded sites that fail one threshold constraint by little.

/// An excluded site that fails exactly one hard constraint with a threshold, by less
/// than the tolerance: the constraint and by how much.
#[derive(Debug, Clone, PartialEq)]
pub struct NearMiss {
    /// The reason code (`min_area_ha`, `max_area_ha`, `<criterion>:max_km`).
    pub constraint: String,
    /// How far beyond the threshold, in the constraint's unit (ha or km).
    pub by: f64,
    /// The threshold.
    pub threshold: f64,
    /// Readable: `6.2 km over max_km 30`.
    pub text: String,
}

/// Whether a site excluded for `reasons` is a near miss: exactly one reason, with a
/// threshold, missed by at most `tolerance` times the threshold. `value` gives the
/// site's value for a constraint (area in ha, distance in km).
///
/// ```
/// use sitematch::decision::near_miss;
/// let reasons = vec!["motorway:max_km".to_string()];
/// let m = near_miss(&reasons, 0.1, 20.0, None, |_| Some(32.0), |_| Some(30.0)).unwrap();
/// assert_eq!(m.text, "2 km over max_km 30");
/// ```
pub fn near_miss(
    reasons: &[String],
    tolerance: f64,
    min_area_ha: f64,
    max_area_ha: Option<f64>,
    value: impl Fn(&str) -> Option<f64>,
    max_km: impl Fn(&str) -> Option<f64>,
) -> Option<NearMiss> {
    let [reason] = reasons else {
        return None;
    };
    let (by, threshold, text) = match reason.as_str() {
        "min_area_ha" => {
            let a = value(reason)?;
            let by = min_area_ha - a;
            (
                by,
                min_area_ha,
                format!("{} ha under min_area_ha {}", fmt(by), fmt(min_area_ha)),
            )
        }
        "max_area_ha" => {
            let (a, max) = (value(reason)?, max_area_ha?);
            let by = a - max;
            (
                by,
                max,
                format!("{} ha over max_area_ha {}", fmt(by), fmt(max)),
            )
        }
        r if r.ends_with(":max_km") => {
            let (d, max) = (value(reason)?, max_km(reason)?);
            let by = d - max;
            (by, max, format!("{} km over max_km {}", fmt(by), fmt(max)))
        }
        _ => return None,
    };
    (by >= 0.0 && by <= tolerance * threshold).then(|| NearMiss {
        constraint: reason.clone(),
        by,
        threshold,
        text,
    })
}

/// One decimal, without a trailing ".0".
fn fmt(x: f64) -> String {
    let s = format!("{x:.1}");
    s.strip_suffix(".0").map(str::to_string).unwrap_or(s)
}
