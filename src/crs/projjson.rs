//! PROJJSON (PROJ's JSON encoding of ISO 19111 CRSs, what GeoParquet's `crs` holds)
//! of an output CRS, made from the OGC WKT 1 of sitematch's EPSG table.
//!
//! WKT 1 names a projection method and its parameters in its own words
//! (`Lambert_Conformal_Conic_2SP`, `standard_parallel_1`); PROJJSON in EPSG's, with
//! their EPSG codes, so the table [`METHODS`] maps one to the other for the methods
//! Europe's CRSs use. A method outside it is an error naming it, never a guess.
//! Angular parameters are in the geographic CRS's unit (grads for NTF Paris), as WKT 1
//! gives them. Checked by the tests against pyproj (PROJ) for a CRS of every method.
//!
//! The axes are those the WKT 1 states, else easting then northing: the table's WKT 1
//! drops EPSG's northing-first order (LAEA Europe, SWEREF99 TM...), so such a CRS is
//! written in the order of the data (GeoParquet's coordinates are always easting,
//! northing), and PROJ identifies it with its EPSG code at a lower confidence.

use serde_json::{json, Value as Json};

/// A WKT 1 node: `KEYWORD["text", 1.5, CHILD[...], ...]`.
#[derive(Debug, Clone, PartialEq)]
enum Node {
    Text(String),
    Number(f64),
    Keyword(String, Vec<Node>),
    /// A bare word (`EAST` in `AXIS["X",EAST]`).
    Word(String),
}

impl Node {
    fn children(&self) -> &[Node] {
        match self {
            Node::Keyword(_, c) => c,
            _ => &[],
        }
    }

    fn child(&self, keyword: &str) -> Option<&Node> {
        self.children()
            .iter()
            .find(|n| matches!(n, Node::Keyword(k, _) if k.eq_ignore_ascii_case(keyword)))
    }

    fn all<'a>(&'a self, keyword: &'a str) -> impl Iterator<Item = &'a Node> + 'a {
        self.children()
            .iter()
            .filter(move |n| matches!(n, Node::Keyword(k, _) if k.eq_ignore_ascii_case(keyword)))
    }

    fn text(&self, i: usize) -> Option<&str> {
        match self.children().get(i)? {
            Node::Text(t) | Node::Word(t) => Some(t),
            _ => None,
        }
    }

    fn number(&self, i: usize) -> Option<f64> {
        match self.children().get(i)? {
            Node::Number(x) => Some(*x),
            Node::Text(t) => t.parse().ok(),
            _ => None,
        }
    }

    /// `AUTHORITY["EPSG","2154"]` as a PROJJSON id.
    fn id(&self) -> Option<Json> {
        let a = self.child("AUTHORITY")?;
        let code = a.text(1)?;
        Some(match code.parse::<u64>() {
            Ok(n) => json!({"authority": a.text(0)?, "code": n}),
            Err(_) => json!({"authority": a.text(0)?, "code": code}),
        })
    }

    fn name(&self) -> Result<String, String> {
        self.text(0)
            .map(|n| n.replace('_', " "))
            .ok_or_else(|| "a node without a name".to_string())
    }
}

/// Parses WKT 1.
fn parse(wkt: &str) -> Result<Node, String> {
    let mut p = Parser {
        s: wkt.as_bytes(),
        at: 0,
    };
    let node = p.node()?;
    p.blank();
    if p.at != p.s.len() {
        return Err(format!("text after the CRS at byte {}", p.at));
    }
    Ok(node)
}

struct Parser<'a> {
    s: &'a [u8],
    at: usize,
}

impl Parser<'_> {
    fn blank(&mut self) {
        while self.s.get(self.at).is_some_and(u8::is_ascii_whitespace) {
            self.at += 1;
        }
    }

    fn node(&mut self) -> Result<Node, String> {
        self.blank();
        match self.s.get(self.at) {
            Some(b'"') => {
                let start = self.at + 1;
                let end = self.s[start..]
                    .iter()
                    .position(|&b| b == b'"')
                    .ok_or("an unclosed quote")?;
                self.at = start + end + 1;
                Ok(Node::Text(
                    String::from_utf8_lossy(&self.s[start..start + end]).into_owned(),
                ))
            }
            Some(b) if b.is_ascii_digit() || *b == b'-' || *b == b'+' || *b == b'.' => {
                let start = self.at;
                while self
                    .s
                    .get(self.at)
                    .is_some_and(|b| b.is_ascii_alphanumeric() || b"-+.".contains(b))
                {
                    self.at += 1;
                }
                let text = String::from_utf8_lossy(&self.s[start..self.at]);
                text.parse()
                    .map(Node::Number)
                    .map_err(|_| format!("{text:?} is not a number"))
            }
            Some(b) if b.is_ascii_alphabetic() => {
                let start = self.at;
                while self
                    .s
                    .get(self.at)
                    .is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_')
                {
                    self.at += 1;
                }
                let word = String::from_utf8_lossy(&self.s[start..self.at]).into_owned();
                self.blank();
                if !matches!(self.s.get(self.at), Some(b'[' | b'(')) {
                    return Ok(Node::Word(word));
                }
                self.at += 1;
                let mut children = Vec::new();
                loop {
                    self.blank();
                    if matches!(self.s.get(self.at), Some(b']' | b')')) {
                        self.at += 1;
                        return Ok(Node::Keyword(word, children));
                    }
                    children.push(self.node()?);
                    self.blank();
                    match self.s.get(self.at) {
                        Some(b',') => self.at += 1,
                        Some(b']' | b')') => {}
                        _ => return Err(format!("a `,` or `]` expected at byte {}", self.at)),
                    }
                }
            }
            _ => Err(format!("unexpected text at byte {}", self.at)),
        }
    }
}

/// A parameter: (WKT 1 name, EPSG name, EPSG code, kind). Kinds: `a` angle, `l`
/// length, `s` scale.
type Parameter = (&'static str, &'static str, u32, char);

/// (WKT 1 method, EPSG method name, EPSG code, its parameters).
type Method = (&'static str, &'static str, u32, &'static [Parameter]);

const NATURAL_ORIGIN: &[Parameter] = &[
    (
        "latitude_of_origin",
        "Latitude of natural origin",
        8801,
        'a',
    ),
    ("central_meridian", "Longitude of natural origin", 8802, 'a'),
    ("scale_factor", "Scale factor at natural origin", 8805, 's'),
    ("false_easting", "False easting", 8806, 'l'),
    ("false_northing", "False northing", 8807, 'l'),
];

const FALSE_ORIGIN: &[Parameter] = &[
    ("latitude_of_origin", "Latitude of false origin", 8821, 'a'),
    ("latitude_of_center", "Latitude of false origin", 8821, 'a'),
    ("central_meridian", "Longitude of false origin", 8822, 'a'),
    (
        "longitude_of_center",
        "Longitude of false origin",
        8822,
        'a',
    ),
    (
        "standard_parallel_1",
        "Latitude of 1st standard parallel",
        8823,
        'a',
    ),
    (
        "standard_parallel_2",
        "Latitude of 2nd standard parallel",
        8824,
        'a',
    ),
    ("false_easting", "Easting at false origin", 8826, 'l'),
    ("false_northing", "Northing at false origin", 8827, 'l'),
];

const CENTRE: &[Parameter] = &[
    (
        "latitude_of_center",
        "Latitude of projection centre",
        8811,
        'a',
    ),
    (
        "longitude_of_center",
        "Longitude of projection centre",
        8812,
        'a',
    ),
    ("azimuth", "Azimuth of initial line", 8813, 'a'),
    (
        "rectified_grid_angle",
        "Angle from Rectified to Skew Grid",
        8814,
        'a',
    ),
    ("scale_factor", "Scale factor on initial line", 8815, 's'),
];

const METHODS: &[Method] = &[
    (
        "Transverse_Mercator",
        "Transverse Mercator",
        9807,
        NATURAL_ORIGIN,
    ),
    (
        "Transverse_Mercator_South_Orientated",
        "Transverse Mercator (South Orientated)",
        9808,
        NATURAL_ORIGIN,
    ),
    (
        "Lambert_Conformal_Conic_1SP",
        "Lambert Conic Conformal (1SP)",
        9801,
        NATURAL_ORIGIN,
    ),
    (
        "Lambert_Conformal_Conic_2SP",
        "Lambert Conic Conformal (2SP)",
        9802,
        FALSE_ORIGIN,
    ),
    ("Mercator_1SP", "Mercator (variant A)", 9804, NATURAL_ORIGIN),
    (
        "Oblique_Stereographic",
        "Oblique Stereographic",
        9809,
        NATURAL_ORIGIN,
    ),
    (
        "Lambert_Azimuthal_Equal_Area",
        "Lambert Azimuthal Equal Area",
        9820,
        &[
            (
                "latitude_of_center",
                "Latitude of natural origin",
                8801,
                'a',
            ),
            (
                "longitude_of_center",
                "Longitude of natural origin",
                8802,
                'a',
            ),
            ("false_easting", "False easting", 8806, 'l'),
            ("false_northing", "False northing", 8807, 'l'),
        ],
    ),
    (
        "Albers_Conic_Equal_Area",
        "Albers Equal Area",
        9822,
        FALSE_ORIGIN,
    ),
    ("Cassini_Soldner", "Cassini-Soldner", 9806, NATURAL_ORIGIN),
    (
        "Hotine_Oblique_Mercator_Azimuth_Center",
        "Hotine Oblique Mercator (variant B)",
        9815,
        &[
            CENTRE[0],
            CENTRE[1],
            CENTRE[2],
            CENTRE[3],
            CENTRE[4],
            ("false_easting", "Easting at projection centre", 8816, 'l'),
            ("false_northing", "Northing at projection centre", 8817, 'l'),
        ],
    ),
    (
        "Hotine_Oblique_Mercator",
        "Hotine Oblique Mercator (variant A)",
        9812,
        &[
            CENTRE[0],
            CENTRE[1],
            CENTRE[2],
            CENTRE[3],
            CENTRE[4],
            ("false_easting", "False easting", 8806, 'l'),
            ("false_northing", "False northing", 8807, 'l'),
        ],
    ),
];

/// A unit as PROJJSON writes it: `"metre"`/`"degree"`/`"unity"` for the common ones,
/// else an object with its conversion factor.
fn unit(node: Option<&Node>, kind: &str) -> Json {
    let (name, factor) = match node {
        Some(u) => (u.text(0).unwrap_or(""), u.number(1).unwrap_or(1.0)),
        None if kind == "LinearUnit" => ("metre", 1.0),
        None => ("degree", std::f64::consts::PI / 180.0),
    };
    let common = match kind {
        "LinearUnit" => (name == "metre" || name == "meter") && factor == 1.0,
        _ => name == "degree" && (factor - std::f64::consts::PI / 180.0).abs() < 1e-15,
    };
    if common {
        return json!(if kind == "LinearUnit" {
            "metre"
        } else {
            "degree"
        });
    }
    let mut u = json!({"type": kind, "name": name, "conversion_factor": factor});
    if let Some(id) = node.and_then(Node::id) {
        u["id"] = id;
    }
    u
}

/// The geographic CRS of a `GEOGCS` node.
fn geographic(g: &Node) -> Result<Json, String> {
    let datum = g.child("DATUM").ok_or("a GEOGCS without a DATUM")?;
    let spheroid = datum
        .child("SPHEROID")
        .ok_or("a DATUM without a SPHEROID")?;
    let (a, rf) = (
        spheroid.number(1).ok_or("a SPHEROID without its axis")?,
        spheroid
            .number(2)
            .ok_or("a SPHEROID without its flattening")?,
    );
    let mut ellipsoid = json!({"name": spheroid.name()?, "semi_major_axis": a});
    if rf == 0.0 {
        ellipsoid["radius"] = json!(a);
        ellipsoid
            .as_object_mut()
            .map(|o| o.remove("semi_major_axis"));
    } else {
        ellipsoid["inverse_flattening"] = json!(rf);
    }
    if let Some(id) = spheroid.id() {
        ellipsoid["id"] = id;
    }
    let mut d =
        json!({"type": "GeodeticReferenceFrame", "name": datum.name()?, "ellipsoid": ellipsoid});
    let angular = unit(g.child("UNIT"), "AngularUnit");
    // WKT 1 (as GDAL writes it) gives the prime meridian in degrees, whatever the
    // CRS's angular unit (Paris: 2.33722917, not 2.5969213 grads).
    if let Some(pm) = g.child("PRIMEM") {
        let longitude = pm.number(1).unwrap_or(0.0);
        if longitude != 0.0 {
            d["prime_meridian"] = json!({"name": pm.name()?, "longitude": longitude});
        }
    }
    if let Some(id) = datum.id() {
        d["id"] = id;
    }
    let mut crs = json!({
        "type": "GeographicCRS",
        "name": g.name()?,
        "datum": d,
        "coordinate_system": {
            "subtype": "ellipsoidal",
            "axis": [
                {"name": "Geodetic latitude", "abbreviation": "Lat", "direction": "north", "unit": angular},
                {"name": "Geodetic longitude", "abbreviation": "Lon", "direction": "east", "unit": angular},
            ],
        },
    });
    if let Some(id) = g.id() {
        crs["id"] = id;
    }
    Ok(crs)
}

/// The PROJJSON of a projected CRS given as OGC WKT 1; `code` is its EPSG code.
pub(crate) fn from_wkt1(wkt: &str, code: u32) -> Result<Json, String> {
    let root = parse(wkt).map_err(|e| format!("EPSG:{code}'s WKT cannot be read: {e}"))?;
    let Node::Keyword(k, _) = &root else {
        return Err(format!("EPSG:{code}'s WKT is not a CRS"));
    };
    if !k.eq_ignore_ascii_case("PROJCS") {
        return Err(format!(
            "EPSG:{code} is a {k} in sitematch's table, not a projected CRS"
        ));
    }
    let geogcs = root.child("GEOGCS").ok_or("a PROJCS without a GEOGCS")?;
    let base = geographic(geogcs)?;
    let angular = unit(geogcs.child("UNIT"), "AngularUnit");
    let linear = unit(root.child("UNIT"), "LinearUnit");
    let wkt_method = root
        .child("PROJECTION")
        .and_then(|p| p.text(0))
        .ok_or("a PROJCS without a PROJECTION")?;
    // EPSG:3857's WKT 1 says Mercator_1SP on WGS 84 and means the spherical formulas
    // (its PROJ4 extension): EPSG's Popular Visualisation Pseudo Mercator.
    let pseudo = wkt_method == "Mercator_1SP"
        && root
            .child("EXTENSION")
            .and_then(|e| e.text(1))
            .is_some_and(|p| p.contains("+a=6378137") && p.contains("+b=6378137"));
    let (name, method_code, table): (&str, u32, &[Parameter]) = if pseudo {
        (
            "Popular Visualisation Pseudo Mercator",
            1024,
            NATURAL_ORIGIN,
        )
    } else {
        let m = METHODS
            .iter()
            .find(|m| m.0.eq_ignore_ascii_case(wkt_method))
            .ok_or_else(|| {
                format!(
                    "EPSG:{code} uses the projection {wkt_method}, which sitematch cannot \
                     describe in PROJJSON; write a GeoPackage or FlatGeobuf in it instead"
                )
            })?;
        (m.1, m.2, m.3)
    };
    let mut parameters = Vec::new();
    for p in root.all("PARAMETER") {
        let wkt_name = p.text(0).unwrap_or("");
        let value = p.number(1).ok_or("a PARAMETER without a value")?;
        let Some((_, epsg_name, epsg_code, kind)) =
            table.iter().find(|t| t.0.eq_ignore_ascii_case(wkt_name))
        else {
            return Err(format!(
                "EPSG:{code}'s {wkt_method} has the parameter {wkt_name:?}, which sitematch \
                 cannot describe in PROJJSON; write a GeoPackage or FlatGeobuf in it instead"
            ));
        };
        // Pseudo Mercator has no scale factor (its WKT 1 writes one of 1).
        if pseudo && *epsg_code == 8805 {
            continue;
        }
        let unit = match kind {
            'a' => angular.clone(),
            'l' => linear.clone(),
            _ => json!("unity"),
        };
        parameters.push(json!({
            "name": epsg_name,
            "value": value,
            "unit": unit,
            "id": {"authority": "EPSG", "code": epsg_code},
        }));
    }
    let mut axes = Vec::new();
    for a in root.all("AXIS") {
        let name = a.text(0).unwrap_or("");
        let direction = a.text(1).unwrap_or("").to_ascii_lowercase();
        let (full, abbreviation) = match direction.as_str() {
            "east" => ("Easting", if name.len() <= 2 { name } else { "E" }),
            "north" => ("Northing", if name.len() <= 2 { name } else { "N" }),
            "west" => ("Westing", if name.len() <= 2 { name } else { "W" }),
            "south" => ("Southing", if name.len() <= 2 { name } else { "S" }),
            other => return Err(format!("EPSG:{code} has an axis towards {other:?}")),
        };
        axes.push(json!({"name": full, "abbreviation": abbreviation, "direction": direction, "unit": linear}));
    }
    if axes.is_empty() {
        axes = vec![
            json!({"name": "Easting", "abbreviation": "E", "direction": "east", "unit": linear}),
            json!({"name": "Northing", "abbreviation": "N", "direction": "north", "unit": linear}),
        ];
    }
    Ok(json!({
        "$schema": "https://proj.org/schemas/v0.7/projjson.schema.json",
        "type": "ProjectedCRS",
        "name": root.name()?,
        "base_crs": base,
        "conversion": {
            "name": format!("{} (from sitematch's EPSG table)", root.name()?),
            "method": {"name": name, "id": {"authority": "EPSG", "code": method_code}},
            "parameters": parameters,
        },
        "coordinate_system": {"subtype": "Cartesian", "axis": axes},
        "id": {"authority": "EPSG", "code": code},
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lambert93_by_hand() {
        let j = from_wkt1(crs_definitions::EPSG_2154.wkt, 2154).unwrap();
        assert_eq!(j["id"]["code"], 2154);
        assert_eq!(j["conversion"]["method"]["id"]["code"], 9802);
        let p = &j["conversion"]["parameters"];
        // standard_parallel_1 = 49 is EPSG's 8823.
        let sp1 = p
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["id"]["code"] == 8823)
            .unwrap();
        assert_eq!(sp1["value"], 49.0);
        assert_eq!(
            j["base_crs"]["datum"]["ellipsoid"]["inverse_flattening"],
            298.257222101
        );
    }

    #[test]
    fn unknown_methods_and_geographic_crss_are_named() {
        let krovak = from_wkt1(crs_definitions::EPSG_5514.wkt, 5514).unwrap_err();
        assert!(krovak.contains("Krovak"), "{krovak}");
        let geographic = from_wkt1(crs_definitions::EPSG_4326.wkt, 4326).unwrap_err();
        assert!(geographic.contains("GEOGCS"), "{geographic}");
        assert!(parse("PROJCS[\"x\"").is_err());
        assert!(parse("PROJCS[\"x\"] tail").is_err());
    }
}
