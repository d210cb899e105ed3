//! Warnings on briefs that are valid but likely not meant: values that match nothing
//! (a typo must never silently shrink the shortlist) and criteria that decide nothing.

use sitematch::{Brief, Catalog, Engine, Feature, Layer, Role, Value};

/// Sites on the equator at 0.1° steps (11.13 km), with a statut and a commune; one
/// interchange at lon 0.
fn engine() -> Engine {
    let sites = (0..10)
        .map(|i| {
            let mut f = Feature::point(format!("s{i}"), 0.1 * i as f64, 0.0);
            let statut = if i < 7 {
                "friche sans projet"
            } else {
                "friche avec projet"
            };
            f.attributes
                .insert("statut".into(), Value::Text(statut.into()));
            f.commune = Some(if i < 5 { "59350" } else { "62041" }.into());
            f.area_ha = Some(10.0 + i as f64);
            f
        })
        .collect();
    let mut exit = Feature::point("e1", 0.0, 0.0);
    exit.category = Some("Échangeur".into());
    exit.tags = vec!["autoroute".into()];
    Engine::new(Catalog::from_layers(vec![
        Layer::from_features("sites", Role::Sites, sites),
        Layer::from_features("motorway", Role::Facilities, vec![exit]),
    ]))
}

fn warnings(toml: &str) -> Vec<String> {
    let brief = Brief::from_toml_str(toml).unwrap();
    let ranking = engine().rank(&brief).unwrap();
    ranking.warnings.iter().map(ToString::to_string).collect()
}

const LAND: &str = "[[criterion]]\nname = \"land\"\ntype = \"attribute\"\nfield = \"area_ha\"\nideal = 19\nzero = 10\n";

#[test]
fn r11_a_typo_in_a_value_is_named_with_the_closest_value() {
    let w = warnings(&format!(
        "[filter]\nwhere = {{ statut = [\"friche sans projets\", \"friche avec projet\"] }}\n\
         departments = [\"59\", \"26\"]\n{LAND}"
    ));
    assert_eq!(
        w,
        [
            "filter.where.statut[0]: no site has statut \"friche sans projets\"; did you mean \"friche sans projet\"?",
            // 26 is a real département, one digit from 62 and from 59: no guess.
            "filter.departments[1]: no site is in département \"26\"; the sites are in 59, 62",
        ]
    );
}

#[test]
fn r11_categories_tags_and_scores_that_match_nothing_warn() {
    let w = warnings(
        "[[criterion]]\nname = \"m\"\ntype = \"distance\"\nlayer = \"motorway\"\n\
         categories = [\"echangeur\", \"Echangeurs\"]\ntags = [\"autoroutes\"]\nideal_km = 10\nzero_km = 100\n\
         [[criterion]]\nname = \"s\"\ntype = \"category\"\nfield = \"statut\"\n\
         scores = { \"friche sans projet\" = 1.0, \"abandonnee\" = 0.5 }\n",
    );
    // "echangeur" matches "Échangeur" (case and accents ignored); the others do not.
    assert_eq!(
        w,
        [
            "criterion[0].categories[1]: no feature of layer \"motorway\" has category \"Echangeurs\"; did you mean \"Échangeur\"?",
            "criterion[0].tags[0]: no feature of layer \"motorway\" has tag \"autoroutes\"; did you mean \"autoroute\"?",
            "criterion[1].scores.abandonnee: no site has statut \"abandonnee\"",
            // No facility has the tag: the criterion scores 0 everywhere.
            "criterion[0]: m: 10 of 10 candidates at score 0; none of them has a value \
             (no matching feature within reach, or the field is missing)",
            // 7 of the 10 sites are "friche sans projet".
            "criterion[1]: s: 7 of 10 candidates at full score; it does little to rank them",
        ]
    );
}

#[test]
fn r11_a_criterion_that_gives_most_candidates_full_score_warns() {
    // Sites 0..=9 at 0 to 100.2 km from the interchange: with ideal_km 60, the 6 sites
    // within 55.7 km score 1 (6 of 10, more than half); their median distance is the
    // 6th of the 10 sorted values, 55.66 km (0.5° at 111.32 km per degree), floored to
    // 55.6 so that the suggestion splits them.
    let w = warnings(
        "[[criterion]]\nname = \"m\"\ntype = \"distance\"\nlayer = \"motorway\"\nideal_km = 60\nzero_km = 200\n",
    );
    assert_eq!(
        w,
        ["criterion[0]: m: 6 of 10 candidates at full score; lower ideal_km below 55.6"]
    );
    // With ideal_km 40, 4 of 10 score 1: no warning.
    let w = warnings(
        "[[criterion]]\nname = \"m\"\ntype = \"distance\"\nlayer = \"motorway\"\nideal_km = 40\nzero_km = 200\n",
    );
    assert!(w.is_empty(), "{w:?}");
}

#[test]
fn r11_warnings_are_in_the_geojson_member() {
    let brief = Brief::from_toml_str(&format!(
        "[filter]\nwhere = {{ statut = [\"friche sans projet\", \"friche sans projets\"] }}\n{LAND}"
    ))
    .unwrap();
    let ranking = engine().rank(&brief).unwrap();
    let mut out = Vec::new();
    let opts = sitematch::output::OutputOptions::for_ranking(&ranking);
    sitematch::output::write_geojson(&ranking, &opts, &mut out).unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let w = json["sitematch"]["warnings"].as_array().unwrap();
    assert_eq!(w.len(), 1);
    assert!(w[0]
        .as_str()
        .unwrap()
        .starts_with("filter.where.statut[1]: "));
}

/// Each warning says what it is about: a program can keep the likely typos apart from
/// the criteria that decide little (the messages are those of the test above).
#[test]
fn warnings_carry_their_kind() {
    use sitematch::WarningKind::{FlatCriterion, UnmatchedValue};
    let brief = Brief::from_toml_str(
        "[[criterion]]\nname = \"m\"\ntype = \"distance\"\nlayer = \"motorway\"\n\
         categories = [\"echangeur\", \"Echangeurs\"]\ntags = [\"autoroutes\"]\nideal_km = 10\nzero_km = 100\n\
         [[criterion]]\nname = \"s\"\ntype = \"category\"\nfield = \"statut\"\n\
         scores = { \"friche sans projet\" = 1.0, \"abandonnee\" = 0.5 }\n",
    )
    .unwrap();
    let ranking = engine().rank(&brief).unwrap();
    let kinds: Vec<(&str, &str)> = ranking
        .warnings
        .iter()
        .map(|w| (w.kind.code(), w.key.as_str()))
        .collect();
    assert_eq!(
        kinds,
        [
            (UnmatchedValue.code(), "criterion[0].categories[1]"),
            (UnmatchedValue.code(), "criterion[0].tags[0]"),
            (UnmatchedValue.code(), "criterion[1].scores.abandonnee"),
            (FlatCriterion.code(), "criterion[0]"),
            (FlatCriterion.code(), "criterion[1]"),
        ]
    );
    assert_eq!(UnmatchedValue.code(), "unmatched_value");
}

#[test]
fn long_lists_are_tested_as_sets_and_their_unmatched_values_counted_past_twenty() {
    // 10,000 statut values (the most a list may hold), two of them in the data.
    let mut values: Vec<String> = (0..9_998).map(|i| format!("\"statut {i}\"")).collect();
    values.push("\"Friche avec projet\"".into());
    values.push("\"friche sans projet\"".into());
    let brief = format!(
        "[filter]\nwhere = {{ statut = [{}] }}\n{LAND}",
        values.join(",")
    );
    let ranking = engine()
        .rank(&Brief::from_toml_str(&brief).unwrap())
        .unwrap();
    assert_eq!(ranking.ranked, 10);
    let w: Vec<String> = ranking.warnings.iter().map(ToString::to_string).collect();
    assert_eq!(w.len(), 21, "{w:?}");
    assert!(w[0].starts_with("filter.where.statut[0]: no site has statut \"statut 0\""));
    assert_eq!(
        w[20],
        "filter.where.statut: 9,978 more values match nothing in the data (only the first 20 are named)"
    );
    // One more value is refused, at the list's key.
    values.push("\"x\"".into());
    let brief = format!(
        "[filter]\nwhere = {{ statut = [{}] }}\n{LAND}",
        values.join(",")
    );
    let err = Brief::from_toml_str(&brief).unwrap_err().to_string();
    assert!(
        err.contains("filter.where.statut") && err.contains("more than 10000 values"),
        "{err}"
    );
}

#[test]
fn a_brief_of_more_than_a_hundred_criteria_is_refused() {
    let criteria: String = (0..101)
        .map(|i| format!("[[criterion]]\nname = \"c{i}\"\ntype = \"attribute\"\nfield = \"area_ha\"\nideal = 19\nzero = 10\n"))
        .collect();
    let err = Brief::from_toml_str(&criteria).unwrap_err().to_string();
    assert!(
        err.contains("criterion: 101 criteria; a brief may have at most 100"),
        "{err}"
    );
}
