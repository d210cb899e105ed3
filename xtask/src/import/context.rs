//! What a consultant filters a friche on beyond its own record: its zone d'emploi,
//! whether it lies in a Territoire d'industrie, how far the nearest upper-tier Seveso
//! establishment is, and its zoning in four letters.

use std::collections::HashMap;
use std::path::Path;

use geo::{BoundingRect, Distance, Geodesic, Geometry, Intersects, MultiPolygon, Point, Rect};

use super::{cell, num, round, RawCsv};
use sitematch::{Crs, Error, Location, Result, Transformer};

/// The zone d'emploi 2020 of each commune (INSEE table d'appartenance, COG 2022), and
/// each zone's name and latest localised unemployment rate (2022-T2): read once, for
/// the communes and the friches.
pub(crate) struct ZonesEmploi {
    ze_of: HashMap<String, String>,
    by_ze: HashMap<String, (Option<f64>, String)>,
}

impl ZonesEmploi {
    pub(crate) fn load(raw: &Path) -> Result<ZonesEmploi> {
        let app = RawCsv::open(
            &raw.join("insee-appartenance/table_appartenance_geo_communes_2022.csv"),
            b',',
        )?;
        let ze_of = app
            .lookup("CODGEO", "ZE2020")?
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let cho = RawCsv::open(
            &raw.join("insee-chomage-ze/taux_chomage_ze2020_2003T1_2022T2.csv"),
            b',',
        )?;
        let [cz, latest, zname] = cho.cols(["ZE2020", "2022-T2", "LIBZE2020"])?;
        let by_ze = cho
            .rows()
            .iter()
            .map(|r| {
                let zone = (num(r, latest), cell(r, zname).to_string());
                (cell(r, cz).to_string(), zone)
            })
            .collect();
        Ok(ZonesEmploi { ze_of, by_ze })
    }

    /// The zone d'emploi of a commune ("" when the code is not in COG 2022).
    pub(crate) fn of(&self, commune: &str) -> &str {
        self.ze_of.get(commune).map_or("", String::as_str)
    }

    /// A zone's name ("" when unknown) and unemployment rate, %.
    pub(crate) fn zone(&self, ze: &str) -> (&str, Option<f64>) {
        self.by_ze
            .get(ze)
            .map_or(("", None), |(rate, name)| (name.as_str(), *rate))
    }
}

/// The lookups, read once.
pub(crate) struct SiteContext<'a> {
    zones: &'a ZonesEmploi,
    tdi: Vec<(Rect<f64>, MultiPolygon<f64>)>,
    seveso: Vec<Point<f64>>,
    ready: &'a super::ready::ReadySites,
}

/// Coordinates rounded as the `territoires_industrie` layer writes them (1e-6°), so
/// the flag agrees with a zone criterion on that layer.
fn round6(g: Geometry<f64>) -> Geometry<f64> {
    use geo::MapCoords;
    g.map_coords(|c| geo::Coord {
        x: (c.x * 1e6).round() / 1e6,
        y: (c.y * 1e6).round() / 1e6,
    })
}

fn features(path: &Path) -> Result<Vec<geojson::Feature>> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    let fc: geojson::FeatureCollection = text
        .parse()
        .map_err(|e: geojson::Error| Error::format(path, Location::File, e.to_string()))?;
    Ok(fc.features)
}

impl<'a> SiteContext<'a> {
    pub(crate) fn load(
        raw: &Path,
        zones: &'a ZonesEmploi,
        ready: &'a super::ready::ReadySites,
    ) -> Result<SiteContext<'a>> {
        let tdi_path = raw.join("anct-territoires-industrie/territoires_industrie_2024.geojson");
        let mut tdi = Vec::new();
        for f in features(&tdi_path)? {
            let g = f.geometry.and_then(|g| Geometry::<f64>::try_from(g).ok());
            let mp = match g.map(round6) {
                Some(Geometry::Polygon(p)) => MultiPolygon(vec![p]),
                Some(Geometry::MultiPolygon(m)) => m,
                _ => continue,
            };
            if let Some(bbox) = mp.bounding_rect() {
                tdi.push((bbox, mp));
            }
        }
        let seveso_path =
            raw.join("seveso-georisques/seveso_sh_prioritenationale_ied_metropole_2025.geojson");
        let l93 = Transformer::pure(&Crs::Epsg(2154)).map_err(|e| Error::Crs {
            path: seveso_path.clone(),
            problem: e,
        })?;
        let mut seveso = Vec::new();
        for f in features(&seveso_path)? {
            let Some(Ok(Geometry::Point(p))) = f.geometry.map(Geometry::<f64>::try_from) else {
                continue;
            };
            let (lon, lat) = l93
                .to_wgs84(p.x(), p.y())
                .map_err(|e| Error::format(&seveso_path, Location::File, e))?;
            seveso.push(Point::new(lon, lat));
        }
        Ok(SiteContext {
            zones,
            tdi,
            seveso,
            ready,
        })
    }

    /// How many Seveso establishments and Territoires d'industrie were read.
    pub(crate) fn counts(&self) -> (usize, usize) {
        (self.seveso.len(), self.tdi.len())
    }

    /// The columns for a site of commune `code` at `p`: zoning (U, AU, A, N), ze2020,
    /// ze2020_nom, ze_unemployment_rate, tdi (oui/non), seveso_km, cle_en_main.
    pub(crate) fn columns(&self, code: &str, zonage: &str, p: Point<f64>) -> Vec<String> {
        let ze = self.zones.of(code);
        let (ze_name, ze_rate) = self.zones.zone(ze);
        let in_tdi = self.tdi.iter().any(|(bbox, mp)| {
            bbox.min().x <= p.x()
                && p.x() <= bbox.max().x
                && bbox.min().y <= p.y()
                && p.y() <= bbox.max().y
                && mp.intersects(&p)
        });
        // Screen by latitude (1° is at least 110.5 km), then measure with Karney's.
        let nearest = self
            .seveso
            .iter()
            .filter(|s| (s.y() - p.y()).abs() < 1.0)
            .map(|s| Geodesic.distance(p, *s))
            .fold(None, |m: Option<f64>, d| Some(m.map_or(d, |m| m.min(d))));
        vec![
            zoning(zonage).to_string(),
            ze.to_string(),
            ze_name.to_string(),
            ze_rate.map(|r| round(r, 1)).unwrap_or_default(),
            if in_tdi { "oui" } else { "non" }.to_string(),
            nearest
                .filter(|d| *d <= 100_000.0)
                .map(|d| round(d / 1000.0, 1))
                .unwrap_or_default(),
            self.ready.in_commune(code),
        ]
    }
}

/// The PLU zone in four letters: U (urbanised), AU (to be urbanised), A (farmland),
/// N (natural); "" when unknown.
fn zoning(zonage: &str) -> &'static str {
    match zonage.chars().next() {
        Some('U') => "U",
        Some('A') if zonage.starts_with("AU") => "AU",
        Some('A') => "A",
        Some('N') => "N",
        _ => "",
    }
}

/// The zoning values, for the layer's notes.
pub(crate) const NOTES: &str = "\
- `zoning`: the PLU zone type in four letters, `U` (urbanised), `AU` (to be urbanised:
  `AUc`, `AUs`), `A` (farmland: `A`, `Ah`), `N` (natural: `N`, `Nh`), empty when
  Cartofriches does not know it (`zonage` keeps the raw value).
- `ze2020`, `ze2020_nom`: the zone d'emploi of the site's commune (INSEE table
  d'appartenance 2022, names from the localised unemployment series);
  `ze_unemployment_rate`: that zone's localised unemployment rate, %, 2022-T2 (INSEE),
  the same figure as on the communes layer: how easily the zone's workers can be
  recruited.
- `tdi`: `oui` when the site's point lies in one of the 183 Territoires d'industrie
  (ANCT 2024, the `territoires_industrie` layer's polygons).
- `seveso_km`: the geodesic distance to the nearest of the 264 upper-tier Seveso
  establishments that are also national-priority IED sites (Géorisques 2025,
  `seveso-georisques/`, Lambert-93 points reprojected by sitematch's code; Licence
  Ouverte 2.0), 0.1 km, empty beyond 100 km. Not the full Seveso list (about 1,300
  sites): a site far from these may still be near another.
- `cle_en_main`: the name of the \"site clé en main France 2030\" of the site's commune
  (the `ready_sites` layer: 12 of the 55, in Hauts-de-France and Normandie), empty
  elsewhere. The list locates them at the commune only, so this says the commune
  hosts a ready site, not that this friche is it.";

#[cfg(test)]
mod tests {
    use super::zoning;

    #[test]
    fn zoning_in_four_letters() {
        assert_eq!(zoning("AUc"), "AU");
        assert_eq!(zoning("Ah"), "A");
        assert_eq!(zoning("Nh"), "N");
        assert_eq!(zoning("U"), "U");
        assert_eq!(zoning(""), "");
    }
}
