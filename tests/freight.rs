//! The freight criterion against a hand calculation: three suppliers and two customers
//! on the equator, where the geodesic between two points of it is a * Δλ exactly.

use crate::util::{assert_mentions, point_layer, put};
use sitematch::{Brief, Catalog, CriterionValue, Engine, Feature, Layer, Role};

const A: f64 = 6_378_137.0;

fn km(deg: f64) -> f64 {
    A * deg.to_radians() / 1000.0
}

/// The client's flows: id, label, lon, lat, tonnes, direction; two bad rows.
const FLOWS: &str = "id,label,lon,lat,tonnes,direction
s1,Acier Sud,1.0,0,1000,in
s2,Plastiques,2.0,0,500,in
s3,Verre,-0.5,0,2000,IN
c1,Client Est,3.0,0,800,out
c2,Client Ouest,-4.0,0,300,out
b1,Negative,1.0,0,-40,in
b2,No tonnage,1.0,0,,out
";

fn engine() -> Engine {
    let site = |id: &str, lon: f64| Feature::point(id, lon, 0.0);
    let mut ite = Feature::point("ite1", 0.01, 0.0);
    ite.category = Some("ite".into());
    Engine::new(Catalog::from_layers(vec![
        Layer::from_features(
            "sites",
            Role::Sites,
            vec![site("plain", 0.0), site("railed", 0.0)],
        ),
        Layer::from_features("rail", Role::Facilities, vec![ite]),
    ]))
}

fn brief(dir: &std::path::Path, extra: &str) -> Brief {
    let path = dir.join("brief.toml");
    std::fs::write(
        &path,
        format!(
            "[[criterion]]\nname = \"freight\"\ntype = \"freight\"\nflows = \"flows.csv\"\n\
             ideal = 10\nzero = 100\n{extra}"
        ),
    )
    .unwrap();
    Brief::from_path(&path).unwrap()
}

#[test]
fn tonne_km_and_co2_by_hand_for_three_suppliers_and_two_customers() {
    let dir = tempfile::tempdir().unwrap();
    put(dir.path(), "flows.csv", FLOWS);
    let r = engine().rank(&brief(dir.path(), "")).unwrap();
    // By road, 1.3 km per straight km, 0.079 kg CO2e per t-km.
    let flows = [
        (1000.0, 1.0),
        (500.0, 2.0),
        (2000.0, 0.5),
        (800.0, 3.0),
        (300.0, 4.0),
    ];
    let tkm: f64 = flows.iter().map(|(t, d)| t * km(*d) * 1.3).sum();
    let t_co2e = tkm * 0.079 / 1000.0;
    let c = &r.site("plain").unwrap().criteria[0];
    let CriterionValue::Number(Some(v)) = c.value else {
        panic!("a number");
    };
    assert!((v - t_co2e).abs() < 1e-9 * t_co2e, "{v} vs {t_co2e}");
    let f = c.freight.as_ref().unwrap();
    assert!((f.tonne_km - tkm).abs() < 1e-6 * tkm);
    assert!(!f.rail);
    // 6,600 tonne-degrees x 111.319 km x 1.3 = 955,121 t-km; 75.455 t CO2e, on the
    // ramp from 10 (score 1) to 100 (score 0).
    assert!((tkm - 955_121.231).abs() < 1e-3, "{tkm}");
    assert!(
        (c.score - (100.0 - 75.454_577_249_5) / 90.0).abs() < 1e-9,
        "{}",
        c.score
    );
    // The three biggest flows: Client Est (800 t x 3 deg), Client Ouest (300 t x 4),
    // then the first by id of three of 1,000 tonne-degrees each.
    let ids: Vec<&str> = f.biggest.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids, ["c1", "c2", "s1"]);
    assert!((f.biggest[0].t_co2e - 800.0 * km(3.0) * 1.3 * 0.079 / 1000.0).abs() < 1e-9);
    assert_eq!(f.biggest[2].direction, "in");
    assert_eq!(f.biggest[0].label.as_deref(), Some("Client Est"));
    // The two bad rows are left out and named.
    assert!(
        r.warnings
            .iter()
            .map(ToString::to_string)
            .any(|w| w.contains("2 of 7 flows")
                && w.contains("b1 (tonnes -40)")
                && w.contains("b2 (no tonnes)")),
        "{:?}",
        r.warnings
    );
    let text = sitematch::output::explain(&r, "plain").unwrap();
    assert_mentions(&text, &["955,121 t-km a year; biggest flows: Client Est (out, 800 t, 434 km by road: 27.4 t CO2e)"]);
}

#[test]
fn rail_carries_the_long_flows_of_a_site_with_a_siding() {
    let dir = tempfile::tempdir().unwrap();
    put(dir.path(), "flows.csv", FLOWS);
    let b = brief(
        dir.path(),
        "rail_layer = \"rail\"\nrail_within_km = 2\nrail_min_km = 200\n",
    );
    let r = engine().rank(&b).unwrap();
    // "railed" and "plain" stand at the same point, 1.1 km from the siding: both are
    // served. Flows of 200 km or more (s2, c1, c2) go by rail: 1.6 km per straight km,
    // 0.006 kg per t-km; the others by road.
    let road: f64 = [(1000.0, 1.0), (2000.0, 0.5)]
        .iter()
        .map(|(t, d)| t * km(*d) * 1.3 * 0.079)
        .sum();
    let rail: f64 = [(500.0, 2.0), (800.0, 3.0), (300.0, 4.0)]
        .iter()
        .map(|(t, d)| t * km(*d) * 1.6 * 0.006)
        .sum();
    let c = &r.site("railed").unwrap().criteria[0];
    let CriterionValue::Number(Some(v)) = c.value else {
        panic!("a number");
    };
    assert!(((road + rail) / 1000.0 - v).abs() < 1e-9, "{v}");
    assert!(c.freight.as_ref().unwrap().rail);
    assert_eq!(c.freight.as_ref().unwrap().biggest[0].mode, "road");

    // A siding 1.1 km away is not within 1 km: everything by road again.
    let b = brief(
        dir.path(),
        "rail_layer = \"rail\"\nrail_within_km = 1\nrail_min_km = 200\n",
    );
    let r = engine().rank(&b).unwrap();
    assert!(
        !r.site("railed").unwrap().criteria[0]
            .freight
            .as_ref()
            .unwrap()
            .rail
    );
}

#[test]
fn bad_freight_input_names_the_key_or_the_file() {
    let problem = |extra: &str| {
        let text = format!(
            "[[criterion]]\nname = \"freight\"\ntype = \"freight\"\nflows = \"f.csv\"\n\
             ideal = 10\nzero = 100\n{extra}"
        );
        match Brief::from_toml_str(&text) {
            Err(e) => e.to_string(),
            Ok(_) => panic!("accepted {extra}"),
        }
    };
    let m = problem("mode = \"barge\"\n");
    assert_mentions(&m, &["criterion[0].mode", "road, rail"]);
    assert!(problem("factors = { road = -1 }\n").contains("criterion[0].factors.road"));
    assert!(problem("detour = 0.8\n").contains("criterion[0].detour"));
    assert!(problem("rail_min_km = 100\n").contains("has no effect without rail_layer"));
    // A mode of the brief's own: accepted with its factor.
    let b = Brief::from_toml_str(
        "[[criterion]]\nname = \"f\"\ntype = \"freight\"\nflows = \"f.csv\"\nideal = 1\nzero = 2\n\
         mode = \"barge\"\nfactors = { barge = 0.03 }\n",
    )
    .unwrap();
    let sitematch::CriterionKind::Freight(f) = &b.criteria[0].kind else {
        panic!("freight");
    };
    assert_eq!(f.factor("barge"), Some(0.03));

    // The flows file: missing, or without a tonnes column.
    let dir = tempfile::tempdir().unwrap();
    let err = engine()
        .rank(&brief(dir.path(), ""))
        .unwrap_err()
        .to_string();
    assert_mentions(&err, &["flows.csv"]);
    put(dir.path(), "flows.csv", "id,label,lon,lat,tons,direction\n");
    let err = engine()
        .rank(&brief(dir.path(), ""))
        .unwrap_err()
        .to_string();
    assert_mentions(&err, &["flows.csv", "\"tonnes\"", "tons"]);
}

/// By road: the road km of the fastest route on the network, the access legs added.
#[test]
fn by_road_the_flows_take_the_fastest_route_km() {
    use sitematch::{Network, RoadEdge};
    let node = |i: usize, lon: f64| Feature::point(format!("n{i}"), lon, 0.0);
    let nodes = vec![node(0, 0.0), node(1, 1.0), node(2, 2.0)];
    // n0-n1 120 km and n1-n2 115 km at 100 km/h (141 min), or n0-n2 direct, 200 km at
    // 50 km/h (240 min): the fastest way from n2 to n0 is the longer one, 235 km.
    let edge = |from, to, length_km, kmh| RoadEdge {
        from,
        to,
        length_km,
        kmh,
        oneway: false,
    };
    let edges = vec![
        edge(0, 1, 120.0, 100.0),
        edge(1, 2, 115.0, 100.0),
        edge(0, 2, 200.0, 50.0),
    ];
    let engine = Engine::new(
        Catalog::from_layers(vec![point_layer("sites", Role::Sites, &[("s", 0.0, 0.0)])])
            .with_network(Network::new("roads", nodes, edges, 30.0)),
    );
    let dir = tempfile::tempdir().unwrap();
    // A supplier at n2, another 0.01 deg north of it (its access leg added), a
    // customer at n1.
    put(dir.path(), "flows.csv", "id,label,lon,lat,tonnes,direction\nin1,A,2.0,0,1000,in\nin2,B,2.0,0.01,100,in\nout1,C,1.0,0,500,out\n");
    let r = engine
        .rank(&brief(dir.path(), "travel = \"drive\"\n"))
        .unwrap();
    let c = &r.site("s").unwrap().criteria[0];
    use geo::Distance;
    let leg =
        geo::Geodesic.distance(geo::Point::new(2.0, 0.0), geo::Point::new(2.0, 0.01)) / 1000.0;
    let tkm = 1000.0 * 235.0 + 100.0 * (235.0 + leg) + 500.0 * 120.0;
    let f = c.freight.as_ref().unwrap();
    assert!((f.tonne_km - tkm).abs() < 1e-6, "{} vs {tkm}", f.tonne_km);
    let CriterionValue::Number(Some(v)) = c.value else {
        panic!("a number");
    };
    assert!((v - tkm * 0.079 / 1000.0).abs() < 1e-9);
    assert_eq!(f.biggest[0].mode, "road");
    assert!(
        r.criteria[0].unit.contains("road km by road (roads)"),
        "{}",
        r.criteria[0].unit
    );
    // A brief naming a network the data set does not have is refused with its key.
    let err = engine
        .rank(&brief(
            dir.path(),
            "travel = \"drive\"\nnetwork = \"osm\"\n",
        ))
        .unwrap_err()
        .to_string();
    assert_mentions(&err, &["criterion[0]", "osm"]);
    assert!(Brief::from_toml_str(
        "[[criterion]]\nname = \"f\"\ntype = \"freight\"\nflows = \"f.csv\"\nideal = 1\nzero = 2\ntravel = \"matrix\"\n"
    )
    .unwrap_err()
    .to_string()
    .contains("criterion[0].travel: freight is measured in km"));
}

/// A flows file exported by a French spreadsheet (semicolons) has no catalog to say
/// its separator: its header says it, and it gives the same freight as the comma file.
#[test]
fn a_semicolon_flows_file_reads_as_the_comma_one() {
    let dir = tempfile::tempdir().unwrap();
    put(dir.path(), "flows.csv", FLOWS);
    let commas = engine().rank(&brief(dir.path(), "")).unwrap();
    put(dir.path(), "flows.csv", FLOWS.replace(',', ";"));
    let semicolons = engine().rank(&brief(dir.path(), "")).unwrap();
    let value = |r: &sitematch::Ranking| r.site("plain").unwrap().criteria[0].value.clone();
    assert!(matches!(value(&commas), CriterionValue::Number(Some(x)) if x > 0.0));
    assert_eq!(value(&commas), value(&semicolons));
}
