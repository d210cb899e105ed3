//! The engine against a brute-force scorer written only for this test: every site
//! against every feature, geodesic distance, for every criterion type.

use geo::{Distance, Geodesic, Geometry, Intersects, Point, Rect};
use rand::{rngs::StdRng, Rng, SeedableRng};
use sitematch::CriterionValue;
use sitematch::{Brief, Catalog, Engine, Feature, Layer, Role, Value};

struct World {
    sites: Vec<Feature>,
    facilities: Vec<Feature>,
    communes: Vec<Feature>,
    zones: Vec<Feature>,
}

fn world(seed: u64) -> World {
    let mut rng = StdRng::seed_from_u64(seed);
    let point = |rng: &mut StdRng| (rng.random_range(-1.0..5.0), rng.random_range(44.0..49.0));
    let sites = (0..250)
        .map(|i| {
            let (x, y) = point(&mut rng);
            let mut f = Feature::point(format!("s{i:03}"), x, y);
            f.area_ha = (i % 7 != 0).then(|| rng.random_range(1.0..120.0));
            let kind = ["non", "oui", "Inconnu", "autre"][i % 4];
            f.attributes
                .insert("pollution".into(), Value::Text(kind.into()));
            f
        })
        .collect();
    let facilities = (0..400)
        .map(|i| {
            let (x, y) = point(&mut rng);
            let mut f = Feature::point(format!("f{i:03}"), x, y);
            f.category = Some(if i % 3 == 0 { "Gare" } else { "Échangeur" }.into());
            if i % 5 == 0 {
                f.tags = vec!["Électrotechnique".into(), "maintenance".into()];
            }
            f
        })
        .collect();
    let communes = (0..600)
        .map(|i| {
            let (x, y) = point(&mut rng);
            let mut f = Feature::point(format!("c{i:03}"), x, y);
            if i % 11 != 0 {
                f.attributes.insert(
                    "active".into(),
                    Value::Number(rng.random_range(10.0..20_000.0)),
                );
            }
            f
        })
        .collect();
    let zones = (0..8)
        .map(|i| {
            let (x, y) = point(&mut rng);
            let r = Rect::new((x, y), (x + 0.7, y + 0.5)).to_polygon();
            Feature::from_geometry(format!("z{i}"), Geometry::Polygon(r)).unwrap()
        })
        .collect();
    World {
        sites,
        facilities,
        communes,
        zones,
    }
}

const BRIEF: &str = r#"
[[criterion]]
name = "motorway"
type = "distance"
layer = "facilities"
categories = ["echangeur"]
ideal_km = 5
zero_km = 60
weight = 3
[[criterion]]
name = "training"
type = "distance"
layer = "facilities"
tags = ["electrotechnique"]
ideal_km = 10
zero_km = 120
[[criterion]]
name = "labour"
type = "access"
layer = "communes"
field = "active"
radius_km = 35
decay = "linear"
saturation = 150000
weight = 4
[[criterion]]
name = "stations"
type = "access"
layer = "facilities"
categories = ["gare"]
radius_km = 50
decay = "gaussian"
saturation = 3
[[criterion]]
name = "land"
type = "attribute"
field = "area_ha"
ideal = 60
zero = 10
[[criterion]]
name = "pollution"
type = "category"
field = "pollution"
scores = { "non" = 1.0, "inconnu" = 0.5 }
default = 0.1
[[criterion]]
name = "tdi"
type = "zone"
layer = "zones"
weight = 0.5
"#;

fn fold(s: &str) -> String {
    sitematch::fold(s)
}

/// Nearest by brute force: the minimum of (distance, id) over matching features.
fn brute_nearest(
    site: Point<f64>,
    features: &[Feature],
    keep: impl Fn(&Feature) -> bool,
) -> Option<(String, f64)> {
    features
        .iter()
        .filter(|f| keep(f))
        .map(|f| (f.id.to_string(), Geodesic.distance(site, f.location)))
        .min_by(|a, b| a.1.total_cmp(&b.1).then_with(|| a.0.cmp(&b.0)))
}

fn ramp_down(d: f64, ideal: f64, zero: f64) -> f64 {
    ((zero - d) / (zero - ideal)).clamp(0.0, 1.0)
}

#[test]
fn engine_equals_brute_force_for_every_criterion() {
    for seed in [1, 2, 3] {
        let w = world(seed);
        let engine = Engine::new(Catalog::from_layers(vec![
            Layer::from_features("sites", Role::Sites, w.sites.clone()),
            Layer::from_features("facilities", Role::Facilities, w.facilities.clone()),
            Layer::from_features("communes", Role::Population, w.communes.clone()),
            Layer::from_features("zones", Role::Zones, w.zones.clone()),
        ]));
        let brief = Brief::from_toml_str(BRIEF).unwrap();
        let ranking = engine.rank(&brief).unwrap();
        assert_eq!(ranking.ranked, w.sites.len());
        let weights = [3.0, 1.0, 4.0, 1.0, 1.0, 1.0, 0.5];
        let total: f64 = weights.iter().sum();

        for s in &w.sites {
            let p = s.location;
            let got = ranking.site(&s.id).unwrap();
            let mut want_scores = Vec::new();

            let m = brute_nearest(p, &w.facilities, |f| {
                f.category.as_deref().map(fold) == Some("echangeur".into())
            })
            .unwrap();
            let t = brute_nearest(p, &w.facilities, |f| {
                f.tags.iter().any(|t| fold(t) == "electrotechnique")
            })
            .unwrap();
            for (i, (nearest, ideal, zero)) in
                [(&m, 5.0, 60.0), (&t, 10.0, 120.0)].into_iter().enumerate()
            {
                let c = &got.criteria[i];
                assert_eq!(
                    c.nearest_id.as_deref(),
                    Some(nearest.0.as_str()),
                    "site {}",
                    s.id
                );
                assert_eq!(c.value, CriterionValue::Number(Some(nearest.1 / 1000.0)));
                want_scores.push(ramp_down(nearest.1 / 1000.0, ideal, zero));
            }

            let labour: f64 = w
                .communes
                .iter()
                .map(|f| (f, Geodesic.distance(p, f.location)))
                .filter(|(_, d)| *d <= 35_000.0)
                .map(|(f, d)| f.attribute("active").as_f64().unwrap_or(0.0) * (1.0 - d / 35_000.0))
                .sum();
            let stations: f64 = w
                .facilities
                .iter()
                .filter(|f| f.category.as_deref() == Some("Gare"))
                .map(|f| Geodesic.distance(p, f.location))
                .filter(|d| *d <= 50_000.0)
                .map(|d| (-4.5 * (d / 50_000.0).powi(2)).exp())
                .sum();
            for (i, (v, sat)) in [(labour, 150_000.0), (stations, 3.0)]
                .into_iter()
                .enumerate()
            {
                let c = &got.criteria[2 + i];
                let CriterionValue::Number(Some(x)) = c.value else {
                    panic!()
                };
                assert!(
                    (x - v).abs() <= 1e-9 * v.max(1.0),
                    "site {} criterion {}: {x} vs {v}",
                    s.id,
                    2 + i
                );
                want_scores.push((v / sat).min(1.0));
            }

            want_scores.push(
                s.area_ha
                    .map_or(0.0, |a| ((a - 10.0) / 50.0).clamp(0.0, 1.0)),
            );
            let pol = s.attribute("pollution").as_text().map(|t| fold(&t));
            want_scores.push(match pol.as_deref() {
                Some("non") => 1.0,
                Some("inconnu") => 0.5,
                _ => 0.1,
            });
            let inside = w
                .zones
                .iter()
                .any(|z| z.geometry.intersects(&Geometry::Point(p)));
            want_scores.push(if inside { 1.0 } else { 0.0 });

            for (i, want) in want_scores.iter().enumerate() {
                let c = &got.criteria[i];
                assert!(
                    (c.score - want).abs() < 1e-9,
                    "site {} criterion {i}: {} vs {want}",
                    s.id,
                    c.score
                );
            }
            let score: f64 = 100.0
                * want_scores
                    .iter()
                    .zip(weights)
                    .map(|(s, w)| s * w)
                    .sum::<f64>()
                / total;
            assert!((got.score.unwrap() - score).abs() < 1e-5, "site {}", s.id);
        }
        // Ranking order: score descending, ties by id.
        for pair in ranking.ranked_sites().windows(2) {
            let (a, b) = (&pair[0], &pair[1]);
            assert!(a.score > b.score || (a.score == b.score && a.site_id < b.site_id));
        }
    }
}
