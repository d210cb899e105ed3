//! Pure-Rust inverse projections for the CRSs France's data comes in.
//!
//! Each projection takes projected metres to WGS84 longitude/latitude in degrees.
//! The formulas are the standard ones (EPSG Guidance Note 7-2; Karney 2011 for the
//! transverse Mercator's 6th-order Krüger series), and the datum shifts are those PROJ
//! picks by default: null for RGF93, ETRS89 and the overseas ITRF-based datums; the
//! three-parameter Helmert (-168, -60, +320) m for NTF. A test checks every CRS
//! against `cs2cs` within 1 cm.

use std::f64::consts::{FRAC_PI_2, FRAC_PI_4};

/// An ellipsoid by its semi-major axis and flattening.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Ellipsoid {
    /// Semi-major axis, metres.
    pub a: f64,
    /// Flattening.
    pub f: f64,
}

impl Ellipsoid {
    /// GRS 1980 (RGF93, ETRS89, RGAF09, RGFG95, RGR92, RGM04).
    pub const GRS80: Ellipsoid = Ellipsoid {
        a: 6_378_137.0,
        f: 1.0 / 298.257_222_101,
    };
    /// WGS 84.
    pub const WGS84: Ellipsoid = Ellipsoid {
        a: 6_378_137.0,
        f: 1.0 / 298.257_223_563,
    };
    /// Clarke 1880 (IGN), the NTF ellipsoid: a = 6378249.2 m, b = 6356515 m.
    pub const CLARKE_1880_IGN: Ellipsoid = Ellipsoid {
        a: 6_378_249.2,
        f: (6_378_249.2 - 6_356_515.0) / 6_378_249.2,
    };

    /// First eccentricity squared, e² = f (2 - f).
    pub const fn e2(&self) -> f64 {
        self.f * (2.0 - self.f)
    }

    /// The meridian (M) and prime-vertical (N) radii of curvature, metres, at the
    /// latitude whose sine is `sin_lat`.
    pub fn radii(&self, sin_lat: f64) -> (f64, f64) {
        let e2 = self.e2();
        let w = 1.0 - e2 * sin_lat * sin_lat;
        (self.a * (1.0 - e2) / (w * w.sqrt()), self.a / w.sqrt())
    }

    fn e(&self) -> f64 {
        self.e2().sqrt()
    }
}

/// The projections the pure path knows, with their parameters.
#[derive(Debug, Clone, PartialEq)]
pub enum Projection {
    /// Longitude/latitude already on (a datum equal to) WGS84.
    Geographic,
    /// Web Mercator (EPSG:3857) on the sphere of radius 6378137 m.
    WebMercator,
    /// Lambert conformal conic (1SP or 2SP), then an optional geocentric shift to WGS84.
    Lcc(Lcc),
    /// Transverse Mercator (UTM zones).
    TransverseMercator(TransverseMercator),
    /// Lambert azimuthal equal-area, ellipsoidal (EPSG:3035).
    Laea(Laea),
}

impl Projection {
    /// The projection for an EPSG code, or `None` when the pure path does not know it.
    pub fn from_epsg(code: u32) -> Option<Projection> {
        let deg = f64::to_radians;
        Some(match code {
            4326 | 4171 | 4258 => Projection::Geographic,
            3857 | 900_913 => Projection::WebMercator,
            2154 => Projection::Lcc(Lcc::two_sp(
                Ellipsoid::GRS80,
                deg(46.5),
                deg(3.0),
                deg(49.0),
                deg(44.0),
                700_000.0,
                6_600_000.0,
            )),
            3942..=3950 => {
                let zone = f64::from(code - 3900); // 42..=50: latitude of origin
                Projection::Lcc(Lcc::two_sp(
                    Ellipsoid::GRS80,
                    deg(zone),
                    deg(3.0),
                    deg(zone - 0.75),
                    deg(zone + 0.75),
                    1_700_000.0,
                    (zone - 41.0) * 1_000_000.0 + 200_000.0,
                ))
            }
            27572 => {
                // NTF (Paris) / Lambert zone II étendu: 1SP, origin 52 grads = 46.8°,
                // on the Paris meridian (2°20'14.025" E of Greenwich).
                let mut lcc = Lcc::one_sp(
                    Ellipsoid::CLARKE_1880_IGN,
                    deg(46.8),
                    deg(2.0 + 20.0 / 60.0 + 14.025 / 3600.0),
                    0.999_877_42,
                    600_000.0,
                    2_200_000.0,
                );
                lcc.to_wgs84 = Some([-168.0, -60.0, 320.0]);
                Projection::Lcc(lcc)
            }
            3035 => Projection::Laea(Laea::new(
                Ellipsoid::GRS80,
                deg(52.0),
                deg(10.0),
                4_321_000.0,
                3_210_000.0,
            )),
            4559 => {
                Projection::TransverseMercator(TransverseMercator::utm(Ellipsoid::WGS84, 20, true))
            }
            5490 => {
                Projection::TransverseMercator(TransverseMercator::utm(Ellipsoid::GRS80, 20, true))
            }
            2972 => {
                Projection::TransverseMercator(TransverseMercator::utm(Ellipsoid::GRS80, 22, true))
            }
            2975 => {
                Projection::TransverseMercator(TransverseMercator::utm(Ellipsoid::GRS80, 40, false))
            }
            4471 => {
                Projection::TransverseMercator(TransverseMercator::utm(Ellipsoid::GRS80, 38, false))
            }
            _ => return None,
        })
    }

    /// Projected coordinates (metres; degrees for geographic) to WGS84 lon/lat in degrees.
    pub fn to_wgs84(&self, x: f64, y: f64) -> (f64, f64) {
        match self {
            Projection::Geographic => (x, y),
            Projection::WebMercator => {
                let r = 6_378_137.0;
                ((x / r).to_degrees(), (y / r).sinh().atan().to_degrees())
            }
            Projection::Lcc(p) => p.inverse(x, y),
            Projection::TransverseMercator(p) => p.inverse(x, y),
            Projection::Laea(p) => p.inverse(x, y),
        }
    }
}

/// Lambert conformal conic, in the form of Snyder (1987) eqs. 15-1 to 15-11.
#[derive(Debug, Clone, PartialEq)]
pub struct Lcc {
    ellps: Ellipsoid,
    lon0: f64,
    n: f64,
    af: f64, // a * F * k0
    rho0: f64,
    x0: f64,
    y0: f64,
    /// Geocentric translation (dx, dy, dz) in metres from this datum to WGS84.
    pub to_wgs84: Option<[f64; 3]>,
}

fn lcc_t(e: f64, phi: f64) -> f64 {
    let es = e * phi.sin();
    (FRAC_PI_4 - phi / 2.0).tan() / ((1.0 - es) / (1.0 + es)).powf(e / 2.0)
}

fn lcc_m(e2: f64, phi: f64) -> f64 {
    phi.cos() / (1.0 - e2 * phi.sin().powi(2)).sqrt()
}

impl Lcc {
    /// Two standard parallels (angles in radians).
    pub fn two_sp(
        ellps: Ellipsoid,
        lat0: f64,
        lon0: f64,
        lat1: f64,
        lat2: f64,
        x0: f64,
        y0: f64,
    ) -> Lcc {
        let (e, e2) = (ellps.e(), ellps.e2());
        let (m1, m2) = (lcc_m(e2, lat1), lcc_m(e2, lat2));
        let (t0, t1, t2) = (lcc_t(e, lat0), lcc_t(e, lat1), lcc_t(e, lat2));
        let n = (m1.ln() - m2.ln()) / (t1.ln() - t2.ln());
        let af = ellps.a * m1 / (n * t1.powf(n));
        Lcc::with_cone(ellps, lon0, (n, af, t0), x0, y0)
    }

    /// One standard parallel with scale factor k0 (angles in radians).
    pub fn one_sp(ellps: Ellipsoid, lat0: f64, lon0: f64, k0: f64, x0: f64, y0: f64) -> Lcc {
        let (e, e2) = (ellps.e(), ellps.e2());
        let t0 = lcc_t(e, lat0);
        let n = lat0.sin();
        let af = ellps.a * k0 * lcc_m(e2, lat0) / (n * t0.powf(n));
        Lcc::with_cone(ellps, lon0, (n, af, t0), x0, y0)
    }

    /// The projection of a cone `(n, a F, t0)` (angles in radians).
    fn with_cone(ellps: Ellipsoid, lon0: f64, cone: (f64, f64, f64), x0: f64, y0: f64) -> Lcc {
        let (n, af, t0) = cone;
        Lcc {
            ellps,
            lon0,
            n,
            af,
            rho0: af * t0.powf(n),
            x0,
            y0,
            to_wgs84: None,
        }
    }

    fn inverse(&self, x: f64, y: f64) -> (f64, f64) {
        let e = self.ellps.e();
        let dx = x - self.x0;
        let dy = self.rho0 - (y - self.y0);
        let sign = self.n.signum();
        let rho = sign * dx.hypot(dy);
        let theta = (sign * dx).atan2(sign * dy);
        let t = (rho / self.af).powf(1.0 / self.n);
        let lon = theta / self.n + self.lon0;
        let mut lat = FRAC_PI_2 - 2.0 * t.atan();
        for _ in 0..30 {
            let es = e * lat.sin();
            let next = FRAC_PI_2 - 2.0 * (t * ((1.0 - es) / (1.0 + es)).powf(e / 2.0)).atan();
            let done = (next - lat).abs() < 1e-14;
            lat = next;
            if done {
                break;
            }
        }
        match self.to_wgs84 {
            None => (lon.to_degrees(), lat.to_degrees()),
            Some(shift) => {
                let (lon, lat) = geocentric_shift(self.ellps, Ellipsoid::WGS84, shift, lon, lat);
                (lon.to_degrees(), lat.to_degrees())
            }
        }
    }
}

/// Moves a point (radians, height 0) from one datum to another by a geocentric
/// translation, as PROJ's `cart` + `helmert` + `inv cart` pipeline does.
fn geocentric_shift(from: Ellipsoid, to: Ellipsoid, d: [f64; 3], lon: f64, lat: f64) -> (f64, f64) {
    let e2 = from.e2();
    let n = from.a / (1.0 - e2 * lat.sin().powi(2)).sqrt();
    let x = n * lat.cos() * lon.cos() + d[0];
    let y = n * lat.cos() * lon.sin() + d[1];
    let z = n * (1.0 - e2) * lat.sin() + d[2];
    // Cartesian to geodetic on the target ellipsoid, by fixed-point iteration.
    let e2t = to.e2();
    let p = x.hypot(y);
    let mut phi = z.atan2(p * (1.0 - e2t));
    for _ in 0..30 {
        let nt = to.a / (1.0 - e2t * phi.sin().powi(2)).sqrt();
        let h = p / phi.cos() - nt;
        let next = z.atan2(p * (1.0 - e2t * nt / (nt + h)));
        let done = (next - phi).abs() < 1e-15;
        phi = next;
        if done {
            break;
        }
    }
    (y.atan2(x), phi)
}

/// Transverse Mercator by Krüger's series to 6th order in n (Karney 2011), accurate
/// to a few nanometres within the UTM zone widths.
#[derive(Debug, Clone, PartialEq)]
pub struct TransverseMercator {
    ellps: Ellipsoid,
    lon0: f64,
    k0: f64,
    x0: f64,
    y0: f64,
    big_a: f64,
    beta: [f64; 6],
}

impl TransverseMercator {
    /// A UTM zone, north or south.
    pub fn utm(ellps: Ellipsoid, zone: u8, north: bool) -> TransverseMercator {
        let n = ellps.f / (2.0 - ellps.f);
        let (n2, n3) = (n * n, n * n * n);
        let (n4, n5, n6) = (n3 * n, n3 * n2, n3 * n3);
        let big_a = ellps.a / (1.0 + n) * (1.0 + n2 / 4.0 + n4 / 64.0 + n6 / 256.0);
        let beta = [
            n / 2.0 - 2.0 / 3.0 * n2 + 37.0 / 96.0 * n3 - 1.0 / 360.0 * n4 - 81.0 / 512.0 * n5
                + 96199.0 / 604800.0 * n6,
            1.0 / 48.0 * n2 + 1.0 / 15.0 * n3 - 437.0 / 1440.0 * n4 + 46.0 / 105.0 * n5
                - 1118711.0 / 3870720.0 * n6,
            17.0 / 480.0 * n3 - 37.0 / 840.0 * n4 - 209.0 / 4480.0 * n5 + 5569.0 / 90720.0 * n6,
            4397.0 / 161280.0 * n4 - 11.0 / 504.0 * n5 - 830251.0 / 7257600.0 * n6,
            4583.0 / 161280.0 * n5 - 108847.0 / 3991680.0 * n6,
            20648693.0 / 638668800.0 * n6,
        ];
        TransverseMercator {
            ellps,
            lon0: (f64::from(zone) * 6.0 - 183.0).to_radians(),
            k0: 0.9996,
            x0: 500_000.0,
            y0: if north { 0.0 } else { 10_000_000.0 },
            big_a,
            beta,
        }
    }

    fn inverse(&self, x: f64, y: f64) -> (f64, f64) {
        let xi = (y - self.y0) / (self.k0 * self.big_a);
        let eta = (x - self.x0) / (self.k0 * self.big_a);
        let (mut xi1, mut eta1) = (xi, eta);
        for (j, b) in self.beta.iter().enumerate() {
            let k = 2.0 * (j as f64 + 1.0);
            xi1 -= b * (k * xi).sin() * (k * eta).cosh();
            eta1 -= b * (k * xi).cos() * (k * eta).sinh();
        }
        let chi = (xi1.sin() / eta1.cosh()).asin();
        let lon = self.lon0 + eta1.sinh().atan2(xi1.cos());
        // Conformal latitude chi to geodetic latitude, by fixed-point iteration.
        let e = self.ellps.e();
        let mut lat = chi;
        for _ in 0..30 {
            let es = e * lat.sin();
            let next = 2.0
                * ((FRAC_PI_4 + chi / 2.0).tan() * ((1.0 + es) / (1.0 - es)).powf(e / 2.0)).atan()
                - FRAC_PI_2;
            let done = (next - lat).abs() < 1e-15;
            lat = next;
            if done {
                break;
            }
        }
        (lon.to_degrees(), lat.to_degrees())
    }
}

/// Lambert azimuthal equal-area, oblique ellipsoidal form (Snyder 1987, eqs. 24-2 to 24-28).
#[derive(Debug, Clone, PartialEq)]
pub struct Laea {
    ellps: Ellipsoid,
    lat0: f64,
    lon0: f64,
    x0: f64,
    y0: f64,
    qp: f64,
    rq: f64,
    beta1: f64,
    d: f64,
}

fn laea_q(e: f64, phi: f64) -> f64 {
    let s = phi.sin();
    let es = e * s;
    (1.0 - e * e) * (s / (1.0 - es * es) - (1.0 / (2.0 * e)) * ((1.0 - es) / (1.0 + es)).ln())
}

impl Laea {
    /// Centre (lat0, lon0) in radians and false easting/northing in metres.
    pub fn new(ellps: Ellipsoid, lat0: f64, lon0: f64, x0: f64, y0: f64) -> Laea {
        let e = ellps.e();
        let qp = laea_q(e, FRAC_PI_2);
        let rq = ellps.a * (qp / 2.0).sqrt();
        let beta1 = (laea_q(e, lat0) / qp).asin();
        let d = ellps.a * lcc_m(ellps.e2(), lat0) / (rq * beta1.cos());
        Laea {
            ellps,
            lat0,
            lon0,
            x0,
            y0,
            qp,
            rq,
            beta1,
            d,
        }
    }

    fn inverse(&self, x: f64, y: f64) -> (f64, f64) {
        let (dx, dy) = (x - self.x0, y - self.y0);
        let rho = (dx / self.d).hypot(self.d * dy);
        if rho == 0.0 {
            return (self.lon0.to_degrees(), self.lat0.to_degrees());
        }
        let ce = 2.0 * (rho / (2.0 * self.rq)).asin();
        let (sc, cc) = ce.sin_cos();
        let (sb, cb) = self.beta1.sin_cos();
        let q = self.qp * (cc * sb + self.d * dy * sc * cb / rho);
        let lon =
            self.lon0 + (dx * sc).atan2(self.d * rho * cb * cc - self.d * self.d * dy * sb * sc);
        let e = self.ellps.e();
        let e2 = self.ellps.e2();
        let mut lat = (q / 2.0).clamp(-1.0, 1.0).asin();
        for _ in 0..30 {
            let s = lat.sin();
            let es2 = 1.0 - e2 * s * s;
            let next = lat
                + es2 * es2 / (2.0 * lat.cos())
                    * (q / (1.0 - e2) - s / es2
                        + (1.0 / (2.0 * e)) * ((1.0 - e * s) / (1.0 + e * s)).ln());
            let done = (next - lat).abs() < 1e-15;
            lat = next;
            if done {
                break;
            }
        }
        (lon.to_degrees(), lat.to_degrees())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_abs_diff_eq;

    // Projection origins map back to their defining lon/lat exactly: a check that
    // needs no outside tool (the cs2cs reference test lives in tests/crs.rs).
    #[test]
    fn false_origins_map_to_the_natural_origin() {
        let l93 = Projection::from_epsg(2154).unwrap();
        let (lon, lat) = l93.to_wgs84(700_000.0, 6_600_000.0);
        assert_abs_diff_eq!(lon, 3.0, epsilon = 1e-12);
        assert_abs_diff_eq!(lat, 46.5, epsilon = 1e-12);
        let laea = Projection::from_epsg(3035).unwrap();
        let (lon, lat) = laea.to_wgs84(4_321_000.0, 3_210_000.0);
        assert_abs_diff_eq!(lon, 10.0, epsilon = 1e-12);
        assert_abs_diff_eq!(lat, 52.0, epsilon = 1e-12);
        let utm = Projection::from_epsg(2975).unwrap();
        let (lon, lat) = utm.to_wgs84(500_000.0, 10_000_000.0);
        assert_abs_diff_eq!(lon, 57.0, epsilon = 1e-12);
        assert_abs_diff_eq!(lat, 0.0, epsilon = 1e-12);
    }

    #[test]
    fn unknown_codes_are_none() {
        assert!(Projection::from_epsg(32631).is_none());
    }
}
