//! Warnings about a brief that is valid but likely not what its writer meant: a value
//! that matches nothing in the data (a typo would otherwise silently shrink the
//! shortlist), and a criterion that gives most candidates the same score (it decides
//! nothing).

use std::collections::BTreeSet;

use crate::brief::{Brief, CriterionKind};
use crate::error::KeyProblem;
use crate::model::{department, Feature, Layer};
use crate::ranking::Ranking;
use crate::table::Known;
use crate::text::fold;

/// A criterion warns when more than this share of the ranked candidates score 0, or 1.
const FLAT_SHARE: f64 = 0.5;

/// The values of a brief (`where`, `departments`, `categories`, `tags`, category
/// `scores`) that no feature of the data has, each with the closest value it has.
/// `sites` are the layers the brief ranks; `layer` finds a layer by name.
pub(crate) fn unmatched_values<'a>(
    brief: &Brief,
    sites: &[&'a Layer],
    layer: impl Fn(&str) -> Option<&'a Known>,
) -> Vec<KeyProblem> {
    let mut out = Vec::new();
    let site_features = || sites.iter().flat_map(|l| l.features.iter());
    for (table, attr, allowed) in brief.filter.attribute_lists() {
        let known: BTreeSet<String> = site_features()
            .filter_map(|f| f.attribute(attr).as_text())
            .collect();
        for (i, v) in allowed.iter().enumerate() {
            let key = format!("filter.{table}.{attr}[{i}]");
            if let Some(w) = unmatched(v, &known, &format!("no site has {attr} {v:?}")) {
                out.push(KeyProblem::new(key, w));
            }
        }
    }
    if let Some(deps) = &brief.filter.departments {
        let known: BTreeSet<String> = site_features()
            .filter_map(|f| {
                f.commune
                    .as_deref()
                    .and_then(department)
                    .map(str::to_string)
            })
            .collect();
        // Codes one digit apart are different places: list the known ones instead of
        // guessing.
        let list: Vec<&str> = known.iter().map(String::as_str).collect();
        for (i, d) in deps.iter().enumerate() {
            if !known.iter().any(|k| fold(k) == fold(d)) {
                let mut w = format!("no site is in département {d:?}");
                if let Some(code) = crate::departements::code_of_name(d) {
                    w.push_str(&format!(
                        ": départements are given by code; {d} is {code:?}"
                    ));
                } else if list.len() <= 12 {
                    w.push_str(&format!("; the sites are in {}", list.join(", ")));
                }
                out.push(KeyProblem::new(format!("filter.departments[{i}]"), w));
            }
        }
    }
    for (i, c) in brief.criteria.iter().enumerate() {
        let selects = match &c.kind {
            CriterionKind::Distance(d) => Some((&d.layer, &d.categories, &d.tags)),
            CriterionKind::Access(a) => Some((&a.layer, &a.categories, &a.tags)),
            _ => None,
        };
        match (&c.kind, selects) {
            (_, Some((name, categories, tags))) => {
                let Some(l) = layer(name) else { continue };
                let known = &l.categories;
                for (j, v) in categories.iter().enumerate() {
                    let what = format!("no feature of layer {name:?} has category {v:?}");
                    if let Some(w) = unmatched(v, known, &what) {
                        out.push(KeyProblem::new(
                            format!("criterion[{i}].categories[{j}]"),
                            w,
                        ));
                    }
                }
                let known = &l.tags;
                for (j, v) in tags.iter().enumerate() {
                    let what = format!("no feature of layer {name:?} has tag {v:?}");
                    if let Some(w) = unmatched(v, known, &what) {
                        out.push(KeyProblem::new(format!("criterion[{i}].tags[{j}]"), w));
                    }
                }
            }
            (CriterionKind::Category(spec), _) => {
                let (field, scores) = (&spec.field, &spec.scores);
                let known: BTreeSet<String> = site_features()
                    .filter_map(|f: &Feature| f.attribute(field).as_text())
                    .collect();
                for (v, _) in scores {
                    let what = format!("no site has {field} {v:?}");
                    if let Some(w) = unmatched(v, &known, &what) {
                        out.push(KeyProblem::new(format!("criterion[{i}].scores.{v}"), w));
                    }
                }
            }
            _ => {}
        }
    }
    out
}

/// `None` when `value` (case and accents ignored) is among `known`; else the warning,
/// with the closest known value when one is close.
fn unmatched<K: AsRef<str> + Ord + std::fmt::Debug>(
    value: &str,
    known: &BTreeSet<K>,
    what: &str,
) -> Option<String> {
    let v = fold(value);
    if known.iter().any(|k| fold(k.as_ref()) == v) {
        return None;
    }
    let closest = known
        .iter()
        .map(|k| (strsim::levenshtein(&fold(k.as_ref()), &v), k))
        .min_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(b.1)))
        .filter(|(d, _)| *d <= (v.chars().count() / 3).max(2));
    Some(match closest {
        Some((_, k)) => format!("{what}; did you mean {k:?}?"),
        None => what.to_string(),
    })
}

/// The criteria that give more than half of the ranked candidates the same extreme
/// score (0 or 1), with the change to the brief that would make them decide.
pub(crate) fn flat_criteria(brief: &Brief, ranking: &Ranking) -> Vec<KeyProblem> {
    let sites = ranking.ranked_sites();
    let n = sites.len();
    let mut out = Vec::new();
    if n < 2 {
        return out;
    }
    for (i, c) in brief.criteria.iter().enumerate() {
        let scores: Vec<f64> = sites
            .iter()
            .filter_map(|s| s.criteria.get(i).map(|r| r.score))
            .collect();
        let at = |x: f64| scores.iter().filter(|&&s| s == x).count();
        let (full, zero) = (at(1.0), at(0.0));
        let (count, level) = if full >= zero {
            (full, 1.0)
        } else {
            (zero, 0.0)
        };
        if (count as f64) <= FLAT_SHARE * n as f64 {
            continue;
        }
        // The median raw value of the candidates: a threshold there splits them.
        let mut values: Vec<f64> = sites
            .iter()
            .filter_map(|s| s.criteria.get(i)?.value.as_f64())
            .collect();
        values.sort_by(f64::total_cmp);
        let median = values.get(values.len() / 2).copied();
        let fix = match (&c.kind, level == 1.0, median) {
            (_, false, None) => "; none of them has a value (no matching feature within \
                                 reach, or the field is missing)"
                .to_string(),
            (CriterionKind::Access { .. }, true, Some(m)) => {
                format!(
                    "; raise saturation above {} (the candidates' median)",
                    round_up(m)
                )
            }
            (CriterionKind::Access { .. }, false, _) => {
                "; widen radius_km or check the layer and field".to_string()
            }
            (CriterionKind::Competition { .. }, true, Some(m)) => {
                format!(
                    "; raise saturation above {} (the candidates' median)",
                    round_up(m)
                )
            }
            (CriterionKind::Competition { .. }, false, _) => {
                "; widen the radius or check the workers' and jobs' layers and fields".to_string()
            }
            (CriterionKind::Distance { .. }, true, Some(m)) => {
                format!("; lower ideal_km below {:.1}", (m * 10.0).floor() / 10.0)
            }
            (CriterionKind::Distance { .. }, false, Some(m)) => {
                format!("; raise zero_km above {:.1}", (m * 10.0).ceil() / 10.0)
            }
            (CriterionKind::Attribute { .. }, _, Some(m)) => {
                format!("; move ideal or zero towards {m:.1}")
            }
            _ => "; it does little to rank them".to_string(),
        };
        let what = if level == 1.0 {
            "full score"
        } else {
            "score 0"
        };
        out.push(KeyProblem::new(
            format!("criterion[{i}]"),
            format!("{}: {count} of {n} candidates at {what}{fix}", c.name),
        ));
    }
    out
}

/// A round figure at or above `x` (2 significant digits): 238,897 -> 240,000.
fn round_up(x: f64) -> String {
    if x <= 0.0 {
        return "0".to_string();
    }
    let exponent = x.log10().floor() as i32 - 1;
    let step = 10f64.powi(exponent);
    let r = (x / step).ceil() * step;
    if exponent < 0 && (r - r.round()).abs() > 1e-9 {
        // Below 10: two significant digits, 0.673 -> 0.68.
        let decimals = (-exponent) as usize;
        return format!("{r:.decimals$}");
    }
    let digits = format!("{r:.0}");
    // Thousands separated by commas, as the README writes figures.
    let mut out = String::new();
    for (k, ch) in digits.chars().enumerate() {
        if k > 0 && (digits.len() - k) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_figures() {
        assert_eq!(round_up(238_896.9), "240,000");
        assert_eq!(round_up(42.0), "42");
        assert_eq!(round_up(1_234.0), "1,300");
        assert_eq!(round_up(0.673), "0.68");
        assert_eq!(round_up(7.0), "7");
        assert_eq!(round_up(1.27), "1.3");
    }

    #[test]
    fn near_values_are_suggested() {
        let known: BTreeSet<String> = ["friche sans projet", "friche avec projet"]
            .map(String::from)
            .into();
        assert_eq!(unmatched("Friche SANS projet", &known, "x"), None);
        assert_eq!(
            unmatched("friche sans projets", &known, "no site has statut").as_deref(),
            Some("no site has statut; did you mean \"friche sans projet\"?")
        );
        assert_eq!(unmatched("zzz", &known, "w").as_deref(), Some("w"));
    }

    #[test]
    fn a_departement_named_gets_its_code() {
        use crate::model::{Feature, Layer, Role};
        let mut f = Feature::point("a", 3.0, 50.6);
        f.commune = Some("59350".into());
        let sites = Layer::from_features("sites", Role::Sites, vec![f]);
        let brief = Brief::from_toml_str(
            "[filter]\ndepartments = [\"Nord\", \"62\"]\n[[criterion]]\nname = \"a\"\n\
             type = \"attribute\"\nfield = \"area_ha\"\nideal = 1\nzero = 0\n",
        )
        .unwrap();
        let w = unmatched_values(&brief, &[&sites], |_| None);
        let text: Vec<String> = w.iter().map(ToString::to_string).collect();
        assert_eq!(
            text,
            [
                "filter.departments[0]: no site is in département \"Nord\": départements are \
                 given by code; Nord is \"59\"",
                "filter.departments[1]: no site is in département \"62\"; the sites are in 59"
            ]
        );
    }
}
