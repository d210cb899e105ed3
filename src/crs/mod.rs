//! Coordinate reference systems: identify the source CRS, reproject once at load.
//!
//! Every layer is reprojected to WGS84 longitude/latitude (EPSG:4326, lon first) as it
//! is read. Without the `proj` feature the [`pure`] module does the work for the CRSs
//! French data comes in (listed in [`SUPPORTED`]), and proj4rs (pure Rust) for any
//! other EPSG code of its table or PROJ string; with it, PROJ handles any CRS it knows,
//! from an EPSG code, a PROJ string or a `.prj` WKT.

mod projjson;
pub mod pure;

use std::fmt;

/// The EPSG codes the pure-Rust path reprojects, with their names.
pub const SUPPORTED: &[(u32, &str)] = &[
    (4326, "WGS 84"),
    (4171, "RGF93 geographic"),
    (4258, "ETRS89 geographic"),
    (3857, "WGS 84 / Pseudo-Mercator"),
    (2154, "RGF93 / Lambert-93"),
    (3942, "RGF93 / CC42"),
    (3943, "RGF93 / CC43"),
    (3944, "RGF93 / CC44"),
    (3945, "RGF93 / CC45"),
    (3946, "RGF93 / CC46"),
    (3947, "RGF93 / CC47"),
    (3948, "RGF93 / CC48"),
    (3949, "RGF93 / CC49"),
    (3950, "RGF93 / CC50"),
    (27572, "NTF (Paris) / Lambert zone II étendu"),
    (3035, "ETRS89 / LAEA Europe"),
    (4559, "RRAF 1991 / UTM zone 20N (Guadeloupe, Martinique)"),
    (5490, "RGAF09 / UTM zone 20N (Guadeloupe, Martinique)"),
    (2972, "RGFG95 / UTM zone 22N (Guyane)"),
    (2975, "RGR92 / UTM zone 40S (La Réunion)"),
    (4471, "RGM04 / UTM zone 38S (Mayotte)"),
];

/// A coordinate reference system as a data source declares it. A catalog's `crs`
/// is read with [`Crs::parse`].
///
/// ```
/// use sitematch::Crs;
/// assert_eq!(Crs::parse("EPSG:2154"), Some(Crs::Epsg(2154)));
/// assert_eq!(Crs::try_from("Lambert 93".to_string()).unwrap_err(),
///     "\"Lambert 93\" is not a CRS; write it as \"EPSG:2154\"");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(try_from = "String")]
pub enum Crs {
    /// An EPSG code.
    Epsg(u32),
    /// WKT (from a `.prj` file or the catalog).
    Wkt(String),
    /// A PROJ string (`+proj=...`); needs the `proj` feature.
    ProjString(String),
}

impl TryFrom<String> for Crs {
    type Error = String;

    fn try_from(text: String) -> Result<Crs, String> {
        Crs::parse(&text).ok_or_else(|| format!("{text:?} is not a CRS; write it as \"EPSG:2154\""))
    }
}

impl Crs {
    /// WGS84 longitude/latitude.
    pub const WGS84: Crs = Crs::Epsg(4326);

    /// Parses a CRS as written in a catalog or a GeoJSON `crs` member:
    /// `EPSG:2154`, `epsg:2154`, `2154`, `urn:ogc:def:crs:EPSG::2154`, `CRS84`,
    /// `urn:ogc:def:crs:OGC:1.3:CRS84`, a WKT string or a `+proj=` string.
    ///
    /// ```
    /// use sitematch::Crs;
    /// assert_eq!(Crs::parse("urn:ogc:def:crs:EPSG::2154"), Some(Crs::Epsg(2154)));
    /// assert_eq!(Crs::parse("CRS84"), Some(Crs::Epsg(4326)));
    /// assert_eq!(Crs::parse("Lambert"), None);
    /// ```
    pub fn parse(text: &str) -> Option<Crs> {
        let t = text.trim();
        let upper = t.to_ascii_uppercase();
        if upper.ends_with("CRS84") {
            return Some(Crs::WGS84);
        }
        if t.starts_with('+') {
            return Some(Crs::ProjString(t.to_string()));
        }
        if looks_like_wkt(t) {
            return Some(Crs::Wkt(t.to_string()));
        }
        let code = if let Some(rest) = upper.strip_prefix("EPSG:") {
            rest
        } else if upper.starts_with("URN:OGC:DEF:CRS:EPSG:") {
            upper.rsplit(':').next().unwrap_or("")
        } else if upper.starts_with("HTTP") && upper.contains("/EPSG/") {
            upper.rsplit('/').next().unwrap_or("")
        } else {
            upper.as_str()
        };
        code.trim().parse::<u32>().ok().map(Crs::Epsg)
    }

    /// The EPSG code, for an EPSG CRS or a WKT whose name or authority the pure path
    /// recognises.
    pub fn epsg(&self) -> Option<u32> {
        match self {
            Crs::Epsg(c) => Some(*c),
            Crs::Wkt(w) => epsg_from_wkt(w),
            Crs::ProjString(_) => None,
        }
    }

    /// True when the CRS is WGS84 lon/lat (or a datum equal to it), so nothing changes.
    pub fn is_wgs84(&self) -> bool {
        matches!(self.epsg(), Some(4326 | 4171 | 4258))
    }
}

impl fmt::Display for Crs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Crs::Epsg(c) => write!(f, "EPSG:{c}"),
            Crs::Wkt(w) => match (epsg_from_wkt(w), wkt_name(w)) {
                (Some(c), _) => write!(f, "EPSG:{c}"),
                (None, Some(name)) => write!(f, "WKT \"{name}\""),
                (None, None) => f.write_str("WKT"),
            },
            Crs::ProjString(p) => f.write_str(p),
        }
    }
}

fn looks_like_wkt(t: &str) -> bool {
    let head: String = t
        .chars()
        .take_while(|c| c.is_ascii_alphabetic() || *c == '_')
        .collect::<String>()
        .to_ascii_uppercase();
    matches!(
        head.as_str(),
        "PROJCS" | "GEOGCS" | "PROJCRS" | "GEOGCRS" | "GEODCRS" | "PROJECTEDCRS" | "COMPD_CS"
    )
}

/// The name of the outermost CRS in a WKT: its first quoted string.
pub fn wkt_name(wkt: &str) -> Option<&str> {
    let start = wkt.find('"')? + 1;
    let len = wkt.get(start..)?.find('"')?;
    wkt.get(start..start + len)
}

fn normalise(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('_') {
            out.push('_');
        }
    }
    out.trim_matches('_').to_string()
}

/// The EPSG code a WKT declares: its own (last) `AUTHORITY["EPSG",..]`/`ID["EPSG",..]`,
/// else its name, as OGC, EPSG and ESRI spell the CRSs in [`SUPPORTED`].
pub fn epsg_from_wkt(wkt: &str) -> Option<u32> {
    if let Some(code) = wkt_authority(wkt) {
        return Some(code);
    }
    let name = normalise(wkt_name(wkt)?);
    let name = name
        .replace("rgf93_v1", "rgf93")
        .replace("rgf_1993", "rgf93");
    if let Some(zone) = name.strip_prefix("rgf93_cc") {
        return zone
            .parse::<u32>()
            .ok()
            .filter(|z| (42..=50).contains(z))
            .map(|z| 3900 + z);
    }
    Some(match name.as_str() {
        "wgs_84" | "wgs84" | "gcs_wgs_1984" | "wgs_1984" => 4326,
        "rgf93" | "gcs_rgf93" => 4171,
        "etrs89" | "gcs_etrs_1989" | "etrs_1989" => 4258,
        "wgs_84_pseudo_mercator"
        | "wgs_1984_web_mercator_auxiliary_sphere"
        | "wgs_1984_web_mercator"
        | "popular_visualisation_crs_mercator" => 3857,
        "rgf93_lambert_93" | "rgf93_lambert93" => 2154,
        "ntf_paris_lambert_zone_ii"
        | "ntf_paris_lambert_ii_extended"
        | "ntf_paris_lambert_ii_etendu"
        | "ntf_paris_lambert_zone_ii_etendu"
        | "ntf_paris_lambert_2_etendu"
        | "ntf_paris_lambert_ii" => 27572,
        "etrs89_laea_europe"
        | "etrs89_extended_laea_europe"
        | "etrs_1989_laea"
        | "etrs_1989_europe_laea"
        | "etrs_1989_laea_europe" => 3035,
        // The EPSG names, and the ESRI names GDAL and QGIS write in .prj files.
        "rraf_1991_utm_zone_20n" | "rraf_1991_utm_20n" => 4559,
        "rgaf09_utm_zone_20n" | "rgaf09_utm_20n" => 5490,
        "rgfg95_utm_zone_22n" | "rgfg_1995_utm_22n" | "rgfg_1995_utm_zone_22n" => 2972,
        "rgr92_utm_zone_40s" | "rgr_1992_utm_40s" | "rgr_1992_utm_zone_40s" => 2975,
        "rgm04_utm_zone_38s" | "rgm_2004_utm_zone_38s" | "rgm_2004_utm_38s" => 4471,
        _ => return None,
    })
}

/// The last EPSG authority in the WKT, which is the CRS's own in both WKT1 and WKT2.
fn wkt_authority(wkt: &str) -> Option<u32> {
    let upper = wkt.to_ascii_uppercase();
    let mut found = None;
    for key in ["AUTHORITY[\"EPSG\",", "ID[\"EPSG\","] {
        let mut from = 0;
        while let Some(pos) = upper.get(from..).and_then(|s| s.find(key)) {
            let start = from + pos + key.len();
            let digits: String = upper
                .get(start..)
                .unwrap_or("")
                .trim_start_matches([' ', '"'])
                .chars()
                .take_while(|c| c.is_ascii_digit())
                .collect();
            if let Ok(code) = digits.parse::<u32>() {
                if found.is_none_or(|(p, _)| p < start) {
                    found = Some((start, code));
                }
            }
            from = start;
        }
    }
    found.map(|(_, code)| code)
}

/// Reprojects points from one source CRS to WGS84 lon/lat.
///
/// ```
/// use sitematch::{Crs, Transformer};
/// let t = Transformer::new(&Crs::Epsg(2154)).unwrap();
/// let (lon, lat) = t.to_wgs84(700_000.0, 6_600_000.0).unwrap();
/// assert!((lon - 3.0).abs() < 1e-9 && (lat - 46.5).abs() < 1e-9);
/// ```
pub struct Transformer {
    inner: Inner,
}

enum Inner {
    Identity,
    #[cfg_attr(feature = "proj", allow(dead_code))]
    Pure(pure::Projection),
    /// proj4rs, for the CRSs the hand-written path does not have: (from, WGS84).
    #[cfg_attr(feature = "proj", allow(dead_code))]
    Proj4(Box<(proj4rs::Proj, proj4rs::Proj)>),
    #[cfg(feature = "proj")]
    Proj(proj::Proj),
}

impl fmt::Debug for Transformer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match &self.inner {
            Inner::Identity => "identity",
            Inner::Pure(_) => "pure",
            Inner::Proj4(_) => "proj4rs",
            #[cfg(feature = "proj")]
            Inner::Proj(_) => "proj",
        };
        write!(f, "Transformer({kind})")
    }
}

impl Transformer {
    /// A transformer from `crs` to WGS84, through PROJ when the `proj` feature is on,
    /// else through the pure-Rust path. The error says what is unknown and the fix.
    pub fn new(crs: &Crs) -> Result<Transformer, String> {
        if crs.is_wgs84() {
            return Ok(Transformer {
                inner: Inner::Identity,
            });
        }
        #[cfg(feature = "proj")]
        {
            Self::with_proj(crs)
        }
        #[cfg(not(feature = "proj"))]
        {
            Self::pure(crs)
        }
    }

    /// A transformer that uses the pure-Rust path whatever the features: the
    /// hand-written projections of [`SUPPORTED`] (French data's CRSs, NTF's grid
    /// included), else proj4rs for any other EPSG code of its table or PROJ string.
    pub fn pure(crs: &Crs) -> Result<Transformer, String> {
        if crs.is_wgs84() {
            return Ok(Transformer {
                inner: Inner::Identity,
            });
        }
        if let Some(projection) = crs.epsg().and_then(pure::Projection::from_epsg) {
            return Ok(Transformer {
                inner: Inner::Pure(projection),
            });
        }
        Self::with_proj4rs(crs)
    }

    /// A transformer through proj4rs (pure Rust): an EPSG code of its table (a WKT is
    /// taken by its EPSG code), or a PROJ string. The hand-written path is preferred
    /// for the codes it has ([`Transformer::pure`]).
    pub fn with_proj4rs(crs: &Crs) -> Result<Transformer, String> {
        let unknown = |why: String| {
            format!(
                "CRS {crs} is not one the pure-Rust reprojection knows ({why}); set `crs` in the \
                 catalog to an EPSG code (EPSG:25832) or a PROJ string (+proj=utm +zone=32 \
                 +ellps=GRS80), or build with `--features proj` for any CRS PROJ knows"
            )
        };
        let from = match crs {
            Crs::ProjString(p) => proj4rs::Proj::from_proj_string(p)
                .map_err(|e| unknown(format!("proj4rs reads no CRS from it: {e}")))?,
            _ => {
                let code = crs
                    .epsg()
                    .ok_or_else(|| unknown("its WKT names no EPSG code".into()))?;
                let code = u16::try_from(code)
                    .map_err(|_| unknown(format!("EPSG:{code} is beyond proj4rs's table")))?;
                proj4rs::Proj::from_epsg_code(code)
                    .map_err(|e| unknown(format!("proj4rs's EPSG table: {e}")))?
            }
        };
        let to = proj4rs::Proj::from_proj_string("+proj=longlat +datum=WGS84 +no_defs")
            .map_err(|e| unknown(e.to_string()))?;
        Ok(Transformer {
            inner: Inner::Proj4(Box::new((from, to))),
        })
    }

    /// A transformer through PROJ.
    #[cfg(feature = "proj")]
    pub fn with_proj(crs: &Crs) -> Result<Transformer, String> {
        let from = match crs {
            Crs::Epsg(c) => format!("EPSG:{c}"),
            Crs::Wkt(w) => w.clone(),
            Crs::ProjString(p) => p.clone(),
        };
        let p = proj::Proj::new_known_crs(&from, "EPSG:4326", None)
            .map_err(|e| format!("PROJ does not know CRS {crs}: {e}; check `crs` or the .prj"))?;
        Ok(Transformer {
            inner: Inner::Proj(p),
        })
    }

    /// True when the transformer changes nothing.
    pub fn is_identity(&self) -> bool {
        matches!(self.inner, Inner::Identity)
    }

    /// One point to WGS84 (lon, lat) in degrees. Coordinates that are not finite, or
    /// farther than 50,000 km from the projection's origin (no point on Earth is), are
    /// refused rather than folded back onto the globe.
    pub fn to_wgs84(&self, x: f64, y: f64) -> Result<(f64, f64), String> {
        const LIMIT_M: f64 = 5e7;
        let on_earth = x.abs() <= LIMIT_M && y.abs() <= LIMIT_M; // false for NaN too
        if !self.is_identity() && !on_earth {
            return Err(format!(
                "({x}, {y}) cannot be a point on Earth in this CRS; check the layer's `crs`"
            ));
        }
        let (lon, lat) = match &self.inner {
            Inner::Identity => return Ok((x, y)),
            Inner::Pure(p) => p.to_wgs84(x, y),
            Inner::Proj4(pair) => {
                let (from, to) = (&pair.0, &pair.1);
                // proj4rs's angles are radians.
                let (px, py) = if from.is_latlong() {
                    (x.to_radians(), y.to_radians())
                } else {
                    (x, y)
                };
                let (lon, lat) = proj4rs::adaptors::transform_xy(from, to, px, py)
                    .map_err(|e| format!("({x}, {y}) cannot be reprojected: {e}"))?;
                if !(lon.is_finite() && lat.is_finite()) {
                    return Err(format!("({x}, {y}) cannot be reprojected"));
                }
                (lon.to_degrees(), lat.to_degrees())
            }
            #[cfg(feature = "proj")]
            Inner::Proj(p) => p.convert((x, y)).map_err(|e| e.to_string())?,
        };
        Ok((wrap_lon(lon), lat))
    }
}

/// A CRS outputs are written in (`rank --crs EPSG:2154`): its EPSG code, its WKT (a
/// GeoPackage's `gpkg_spatial_ref_sys` row), and the projection from WGS 84, through
/// proj4rs and its EPSG table.
///
/// ```
/// use sitematch::OutputCrs;
/// let l93 = OutputCrs::epsg(2154).unwrap();
/// let (x, y) = l93.project(3.0, 46.5).unwrap();
/// assert!((x - 700_000.0).abs() < 1e-6 && (y - 6_600_000.0).abs() < 1e-6);
/// assert!(l93.wkt().contains("Lambert-93"));
/// assert!(OutputCrs::epsg(999_999).is_err());
/// ```
pub struct OutputCrs {
    code: u32,
    wkt: &'static str,
    /// (WGS 84, the CRS); `None` for WGS 84 itself.
    projection: Option<Box<(proj4rs::Proj, proj4rs::Proj)>>,
}

impl fmt::Debug for OutputCrs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "OutputCrs(EPSG:{})", self.code)
    }
}

impl OutputCrs {
    /// WGS 84 longitude/latitude, what outputs are written in by default.
    pub fn wgs84() -> OutputCrs {
        OutputCrs {
            code: 4326,
            wkt: crs_definitions::EPSG_4326.wkt,
            projection: None,
        }
    }

    /// The CRS of an EPSG code; an error names a code the table lacks.
    pub fn epsg(code: u32) -> Result<OutputCrs, String> {
        if code == 4326 {
            return Ok(OutputCrs::wgs84());
        }
        let unknown = || {
            format!("EPSG:{code} is not in the EPSG table sitematch carries; give another code (EPSG:2154 for Lambert-93)")
        };
        let short = u16::try_from(code).map_err(|_| unknown())?;
        let def = crs_definitions::from_code(short).ok_or_else(unknown)?;
        let to = proj4rs::Proj::from_proj_string(def.proj4)
            .map_err(|e| format!("EPSG:{code}: proj4rs cannot project to it ({e})"))?;
        if to.is_latlong() {
            return Err(format!(
                "EPSG:{code} is geographic; outputs are in WGS 84 (EPSG:4326) or a projected CRS"
            ));
        }
        let from = proj4rs::Proj::from_proj_string("+proj=longlat +datum=WGS84 +no_defs")
            .map_err(|e| e.to_string())?;
        Ok(OutputCrs {
            code,
            wkt: def.wkt,
            projection: Some(Box::new((from, to))),
        })
    }

    /// The EPSG code.
    pub fn code(&self) -> u32 {
        self.code
    }

    /// Its WKT (OGC WKT 1).
    pub fn wkt(&self) -> &str {
        self.wkt
    }

    /// Its PROJJSON (GeoParquet's `crs`), made from its WKT with EPSG's names and
    /// codes for the projection method and its parameters. An error names a method
    /// sitematch cannot describe (Krovak, polar stereographic...).
    ///
    /// ```
    /// use sitematch::OutputCrs;
    /// let j = OutputCrs::epsg(2154).unwrap().projjson().unwrap();
    /// assert_eq!(j["type"], "ProjectedCRS");
    /// assert_eq!(j["conversion"]["method"]["name"], "Lambert Conic Conformal (2SP)");
    /// assert_eq!(j["id"]["code"], 2154);
    /// ```
    pub fn projjson(&self) -> Result<serde_json::Value, String> {
        if self.is_wgs84() {
            return Ok(serde_json::json!({
                "$schema": "https://proj.org/schemas/v0.7/projjson.schema.json",
                "type": "GeographicCRS",
                "name": "WGS 84 (CRS84)",
                "datum": {
                    "type": "GeodeticReferenceFrame",
                    "name": "World Geodetic System 1984",
                    "ellipsoid": {"name": "WGS 84", "semi_major_axis": 6378137, "inverse_flattening": 298.257223563}
                },
                "coordinate_system": {
                    "subtype": "ellipsoidal",
                    "axis": [
                        {"name": "Geodetic longitude", "abbreviation": "Lon", "direction": "east", "unit": "degree"},
                        {"name": "Geodetic latitude", "abbreviation": "Lat", "direction": "north", "unit": "degree"}
                    ]
                },
                "id": {"authority": "OGC", "code": "CRS84"}
            }));
        }
        projjson::from_wkt1(self.wkt, self.code)
    }

    /// Its name, as its WKT gives it (`RGF93 / Lambert-93`).
    pub fn name(&self) -> &str {
        wkt_name(self.wkt).unwrap_or("unnamed")
    }

    /// True for WGS 84: nothing to project.
    pub fn is_wgs84(&self) -> bool {
        self.projection.is_none()
    }

    /// A WGS 84 point (lon, lat, degrees) in this CRS (x, y).
    pub fn project(&self, lon: f64, lat: f64) -> Result<(f64, f64), String> {
        let Some(pair) = &self.projection else {
            return Ok((lon, lat));
        };
        let (x, y) =
            proj4rs::adaptors::transform_xy(&pair.0, &pair.1, lon.to_radians(), lat.to_radians())
                .map_err(|e| {
                format!(
                    "({lon}, {lat}) cannot be projected to EPSG:{}: {e}",
                    self.code
                )
            })?;
        if x.is_finite() && y.is_finite() {
            Ok((x, y))
        } else {
            Err(format!(
                "({lon}, {lat}) cannot be projected to EPSG:{}",
                self.code
            ))
        }
    }

    /// A WGS 84 geometry in this CRS.
    pub fn project_geometry(&self, g: &geo::Geometry<f64>) -> Result<geo::Geometry<f64>, String> {
        use geo::MapCoords;
        if self.is_wgs84() {
            return Ok(g.clone());
        }
        g.try_map_coords(|c| {
            self.project(c.x, c.y)
                .map(|(x, y)| geo::coord! { x: x, y: y })
        })
    }
}

/// A longitude after inverse projection, brought into [-180, 180]: round-off just
/// past ±180 (Web Mercator's edge) is clamped, a point past the antimeridian (a UTM
/// zone's far side) is wrapped.
fn wrap_lon(lon: f64) -> f64 {
    if !lon.is_finite() || (-180.0..=180.0).contains(&lon) {
        return lon;
    }
    if (lon.abs() - 180.0) < 1e-9 {
        return lon.clamp(-180.0, 180.0);
    }
    let wrapped = (lon + 180.0).rem_euclid(360.0) - 180.0;
    if wrapped == -180.0 && lon > 0.0 {
        180.0
    } else {
        wrapped
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn longitudes_wrap_at_the_antimeridian() {
        assert_eq!(wrap_lon(180.000_000_000_1), 180.0);
        assert_eq!(wrap_lon(-180.000_000_000_1), -180.0);
        assert!((wrap_lon(181.5) - -178.5).abs() < 1e-12);
        assert!((wrap_lon(-190.0) - 170.0).abs() < 1e-12);
        assert_eq!(wrap_lon(12.5), 12.5);
        // Web Mercator's edge: x = pi R comes back at (or round-off past) 180.
        let t = Transformer::new(&Crs::Epsg(3857)).unwrap();
        let (lon, _) = t.to_wgs84(20_037_508.342_789_244, 0.0).unwrap();
        assert!(
            (-180.0..=180.0).contains(&lon) && lon.abs() > 179.999_999,
            "{lon}"
        );
        let (lon, _) = t.to_wgs84(20_037_508.35, 1000.0).unwrap();
        assert!((-180.0..=180.0).contains(&lon), "{lon}");
    }

    #[test]
    fn parses_catalog_forms() {
        assert_eq!(Crs::parse("EPSG:2154"), Some(Crs::Epsg(2154)));
        assert_eq!(Crs::parse("epsg:3857"), Some(Crs::Epsg(3857)));
        assert_eq!(Crs::parse(" 27572 "), Some(Crs::Epsg(27572)));
        assert_eq!(
            Crs::parse("urn:ogc:def:crs:OGC:1.3:CRS84"),
            Some(Crs::Epsg(4326))
        );
        assert!(matches!(
            Crs::parse("+proj=longlat"),
            Some(Crs::ProjString(_))
        ));
        assert_eq!(Crs::parse("Lambert 93"), None);
    }

    #[test]
    fn wkt_by_authority_and_by_name() {
        let ogc = r#"PROJCS["RGF93 / Lambert-93",GEOGCS["RGF93",AUTHORITY["EPSG","4171"]],PROJECTION["Lambert_Conformal_Conic_2SP"],AUTHORITY["EPSG","2154"]]"#;
        assert_eq!(epsg_from_wkt(ogc), Some(2154));
        let esri = r#"PROJCS["RGF_1993_Lambert_93",GEOGCS["GCS_RGF_1993",DATUM["D_RGF_1993"]]]"#;
        assert_eq!(epsg_from_wkt(esri), Some(2154));
        let cc = r#"PROJCS["RGF93_v1_CC49",GEOGCS["RGF93 v1"]]"#;
        assert_eq!(epsg_from_wkt(cc), Some(3949));
        let ntf = r#"PROJCS["NTF_Paris_Lambert_II_extended",GEOGCS["GCS_NTF_Paris"]]"#;
        assert_eq!(epsg_from_wkt(ntf), Some(27572));
        let wkt2 = r#"PROJCRS["RGR92 / UTM zone 40S",BASEGEOGCRS["RGR92",ID["EPSG",4971]],ID["EPSG",2975]]"#;
        assert_eq!(epsg_from_wkt(wkt2), Some(2975));
        assert_eq!(epsg_from_wkt(r#"PROJCS["Mystery grid"]"#), None);
    }

    #[test]
    fn unknown_crs_error_names_the_fix() {
        // A code beyond proj4rs's table, and a WKT that names no code.
        let e = Transformer::pure(&Crs::Epsg(999_999)).unwrap_err();
        assert!(
            e.contains("EPSG:999999") && e.contains("--features proj"),
            "{e}"
        );
        let e = Transformer::pure(&Crs::Wkt(r#"PROJCS["Mystery grid"]"#.into())).unwrap_err();
        assert!(e.contains("names no EPSG code"), "{e}");
        // A code the hand-written path lacks goes through proj4rs.
        assert!(Transformer::pure(&Crs::Epsg(32631)).is_ok());
    }
}
