//! Near misses: excluded sites that fail one threshold constraint by little.

use std::fmt;

use crate::ranking::Exclusion;

/// An excluded site that fails exactly one hard constraint with a threshold, by less
/// than the tolerance: the constraint and by how much.
///
/// ```
/// # use sitematch::{Brief, Catalog, Engine, Feature, Layer, Role};
/// # let mut big = Feature::point("big", 2.0, 48.0);
/// # big.area_ha = Some(50.0);
/// # let mut small = Feature::point("small", 2.1, 48.0);
/// # small.area_ha = Some(10.0);
/// # let sites = Layer::from_features("sites", Role::Sites, vec![big, small]);
/// # let engine = Engine::new(Catalog::from_layers(vec![sites]));
/// # let brief = Brief::from_toml_str("[filter]\nmin_area_ha = 20\n[[criterion]]\nname = \"land\"\ntype = \"attribute\"\nfield = \"area_ha\"\nideal = 60\nzero = 0\n")?;
/// let ranking = engine.rank(&brief)?;
/// // 10 ha against min_area_ha 20 misses by 50%: no near miss at the default 10%.
/// assert!(ranking.site("small").unwrap().decision.near_miss.is_none());
/// let m = sitematch::near_miss(&[sitematch::Exclusion::MinArea], 0.1, 20.0, None, |_| Some(19.0), |_| None);
/// assert_eq!(m.unwrap().to_string(), "1 ha under min_area_ha 20");
/// # Ok::<(), sitematch::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct NearMiss {
    /// The constraint: [`Exclusion::MinArea`], [`Exclusion::MaxArea`] or
    /// [`Exclusion::MaxKm`].
    pub constraint: Exclusion,
    /// How far beyond the threshold, in the constraint's unit (ha or km).
    pub by: f64,
    /// The threshold.
    pub threshold: f64,
}

/// Readable: `6.2 km over max_km 30`, `1 ha under min_area_ha 20`.
impl fmt::Display for NearMiss {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (by, threshold) = (one_decimal(self.by), one_decimal(self.threshold));
        match self.constraint {
            Exclusion::MinArea => write!(f, "{by} ha under min_area_ha {threshold}"),
            Exclusion::MaxArea => write!(f, "{by} ha over max_area_ha {threshold}"),
            _ => write!(f, "{by} km over max_km {threshold}"),
        }
    }
}

/// Whether a site excluded for `reasons` is a near miss: exactly one reason, with a
/// threshold, missed by at most `tolerance` times the threshold. `value` gives the
/// site's value for a constraint (area in ha, distance in km), `max_km` the threshold
/// of a `max_km` constraint.
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
        Exclusion::MaxKm(_) => {
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

/// One decimal, without a trailing ".0".
fn one_decimal(x: f64) -> String {
    let s = format!("{x:.1}");
    s.strip_suffix(".0").map(str::to_string).unwrap_or(s)
}
