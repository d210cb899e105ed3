//! Warnings about a brief that is valid but likely not what its writer meant: the
//! [`Warning`] type and its [`WarningKind`]s; a value that matches nothing in the data
//! (a typo would otherwise silently shrink the shortlist), and a criterion that gives
//! most candidates the same score (it decides nothing). The engine gathers a ranking's
//! warnings in one place (`engine/warnings.rs`).

use std::collections::{BTreeSet, HashMap};

use crate::brief::{Brief, CriterionKind};
use std::fmt;

use crate::model::{department, Feature, Layer};
use crate::ranking::Ranking;
use crate::table::Known;
use crate::text::fold;

/// What a [`Warning`] is about, for a program that filters, counts or translates
/// them (the message says it for a reader).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[non_exhaustive]
pub enum WarningKind {
    /// Features of a layer the brief reads were skipped at load.
    SkippedAtLoad,
    /// A site layer loaded no feature: it has no candidate to rank.
    EmptySiteLayer,
    /// A value of the brief (`where`, `departments`, `categories`, `tags`, category
    /// `scores`) that no feature of the data has: a likely typo.
    UnmatchedValue,
    /// A `where` / `where_not` attribute that some ranked layers lack: their sites are
    /// not tested by it.
    UntestedFilter,
    /// Ranked sites far from a road network, or on a part of it cut off from the rest.
    NetworkCoverage,
    /// A criterion that gives most candidates the same score: it decides little.
    FlatCriterion,
    /// What a criterion noted while scoring (a field missing on some features...).
    CriterionNote,
    /// Candidates a travel matrix does not name: their value is null.
    NotInMatrix,
    /// Features of a layer the brief reads were outside the layer's catalog `bbox`,
    /// not loaded.
    OutsideBbox,
}

impl WarningKind {
    /// A stable name for the kind (`unmatched_value`...), for logs and JSON.
    pub fn code(self) -> &'static str {
        match self {
            WarningKind::SkippedAtLoad => "skipped_at_load",
            WarningKind::EmptySiteLayer => "empty_site_layer",
            WarningKind::UnmatchedValue => "unmatched_value",
            WarningKind::UntestedFilter => "untested_filter",
            WarningKind::NetworkCoverage => "network_coverage",
            WarningKind::FlatCriterion => "flat_criterion",
            WarningKind::CriterionNote => "criterion_note",
            WarningKind::NotInMatrix => "not_in_matrix",
            WarningKind::OutsideBbox => "outside_bbox",
        }
    }
}

/// Something in a valid brief that is likely not what its writer meant, at a key of
/// the brief (or `data.<layer>` for what the load did to a layer). Displayed as
/// `key: message`.
///
/// ```
/// use sitematch::{Brief, Catalog, Engine, Feature, Layer, Role, WarningKind};
/// let mut f = Feature::point("a", 2.0, 48.0);
/// f.area_ha = Some(12.0);
/// f.commune = Some("59350".into());
/// let engine = Engine::new(Catalog::from_layers(vec![Layer::from_features(
///     "sites",
///     Role::Sites,
///     vec![f],
/// )]));
/// let brief = Brief::from_toml_str(
///     "[filter]\ndepartments = [\"75\"]\n[[criterion]]\nname = \"land\"\n\
///      type = \"attribute\"\nfield = \"area_ha\"\nideal = 20\nzero = 0\n",
/// )?;
/// let w = &engine.value_warnings(&brief)[0];
/// assert_eq!((w.kind, w.key.as_str()), (WarningKind::UnmatchedValue, "filter.departments[0]"));
/// assert_eq!(
///     w.to_string(),
///     "filter.departments[0]: no site is in département \"75\"; the sites are in 59"
/// );
/// assert_eq!(w.kind.code(), "unmatched_value");
/// # Ok::<(), sitematch::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Warning {
    /// What it is about.
    pub kind: WarningKind,
    /// Key path (`criterion[2].categories[0]`, `filter.where.statut`, `data.friches`).
    pub key: String,
    /// What looks wrong, and the change that would fix it.
    pub message: String,
}

impl Warning {
    /// A warning of `kind` at `key`.
    pub fn new(kind: WarningKind, key: impl Into<String>, message: impl Into<String>) -> Warning {
        Warning {
            kind,
            key: key.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.key, self.message)
    }
}

/// A criterion warns when more than this share of the ranked candidates score 0, or 1.
const FLAT_SHARE: f64 = 0.5;

/// The values of a brief (`where`, `departments`, `categories`, `tags`, category
/// `scores`) that no feature of the data has, each with the closest value it has.
/// `sites` are the layers the brief ranks; `layer` finds a layer by name.
pub(crate) fn unmatched_values<'a>(
    brief: &Brief,
    sites: &[&'a Layer],
    layer: impl Fn(&str) -> Option<&'a Known>,
) -> Vec<Warning> {
    let mut out = Vec::new();
    let site_features = || sites.iter().flat_map(|l| l.features.iter());
    for (table, attr, allowed) in brief.filter.attribute_lists() {
        let known: BTreeSet<String> = site_features()
            .filter_map(|f| f.attribute(attr).as_text())
            .collect();
        unmatched_list(
            allowed,
            &known,
            &format!("filter.{table}.{attr}"),
            |j, _| format!("filter.{table}.{attr}[{j}]"),
            |v| format!("no site has {attr} {v:?}"),
            &mut out,
        );
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
        let vocabulary = Vocabulary::new(&known);
        for (i, d) in deps.iter().enumerate() {
            if !vocabulary.has(d) {
                let mut w = format!("no site is in département {d:?}");
                if let Some(code) = crate::departements::code_of_name(d) {
                    w.push_str(&format!(
                        ": départements are given by code; {d} is {code:?}"
                    ));
                } else if !list.is_empty() && list.len() <= 12 {
                    w.push_str(&format!("; the sites are in {}", list.join(", ")));
                }
                out.push(Warning::new(
                    WarningKind::UnmatchedValue,
                    format!("filter.departments[{i}]"),
                    w,
                ));
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
                // Nothing to match: the layer's table is not needed (nor made).
                if categories.is_empty() && tags.is_empty() {
                    continue;
                }
                let Some(l) = layer(name) else { continue };
                unmatched_list(
                    categories,
                    &l.categories,
                    &format!("criterion[{i}].categories"),
                    |j, _| format!("criterion[{i}].categories[{j}]"),
                    |v| format!("no feature of layer {name:?} has category {v:?}"),
                    &mut out,
                );
                unmatched_list(
                    tags,
                    &l.tags,
                    &format!("criterion[{i}].tags"),
                    |j, _| format!("criterion[{i}].tags[{j}]"),
                    |v| format!("no feature of layer {name:?} has tag {v:?}"),
                    &mut out,
                );
            }
            (CriterionKind::Category(spec), _) => {
                let (field, scores) = (&spec.field, &spec.scores);
                let known: BTreeSet<String> = site_features()
                    .filter_map(|f: &Feature| f.attribute(field).as_text())
                    .collect();
                unmatched_list(
                    scores.iter().map(|(v, _)| v),
                    &known,
                    &format!("criterion[{i}].scores"),
                    |_, v| format!("criterion[{i}].scores.{v}"),
                    |v| format!("no site has {field} {v:?}"),
                    &mut out,
                );
            }
            _ => {}
        }
    }
    out
}

/// At most this many values of one list are matched against the data's values for
/// the closest one; the list's other unmatched values are counted in one warning.
const MAX_SUGGESTED: usize = 20;

/// The values a list of the brief could match, folded once (case and accents
/// ignored): folded -> as written.
struct Vocabulary<'a>(HashMap<String, &'a str>);

impl<'a> Vocabulary<'a> {
    fn new(known: &'a BTreeSet<String>) -> Self {
        let mut map = HashMap::new();
        // Values that fold alike keep the first as written (the set is sorted).
        for k in known {
            map.entry(fold(k)).or_insert(k.as_str());
        }
        Vocabulary(map)
    }

    fn has(&self, value: &str) -> bool {
        self.0.contains_key(&fold(value))
    }

    /// `what`, with the closest known value when one is close (an edit distance of a
    /// third of the value's length, or 2).
    fn suggest(&self, value: &str, what: &str) -> String {
        let v = fold(value);
        let len = v.chars().count();
        let max = (len / 3).max(2);
        // The least distance, ties to the first value as written: whatever the order.
        let closest = self
            .0
            .iter()
            // The edit distance is at least the difference in length.
            .filter(|(k, _)| k.chars().count().abs_diff(len) <= max)
            .map(|(k, original)| (strsim::levenshtein(k, &v), *original))
            .min()
            .filter(|(d, _)| *d <= max);
        match closest {
            Some((_, k)) => format!("{what}; did you mean {k:?}?"),
            None => what.to_string(),
        }
    }
}

/// A warning for each value of a list (`key(i, value)`) that matches none of `known`,
/// with the closest known value for the first [`MAX_SUGGESTED`]; the rest are counted
/// in one warning at `list_key`.
fn unmatched_list<'v>(
    values: impl IntoIterator<Item = &'v String>,
    known: &BTreeSet<String>,
    list_key: &str,
    key: impl Fn(usize, &str) -> String,
    what: impl Fn(&str) -> String,
    out: &mut Vec<Warning>,
) {
    let vocabulary = Vocabulary::new(known);
    let mut more = 0usize;
    let mut suggested = 0;
    for (i, v) in values.into_iter().enumerate() {
        if vocabulary.has(v) {
            continue;
        }
        if suggested == MAX_SUGGESTED {
            more += 1;
            continue;
        }
        suggested += 1;
        let w = vocabulary.suggest(v, &what(v));
        out.push(Warning::new(WarningKind::UnmatchedValue, key(i, v), w));
    }
    if more > 0 {
        out.push(Warning::new(
            WarningKind::UnmatchedValue,
            list_key,
            format!(
                "{} more values match nothing in the data (only the first {MAX_SUGGESTED} are named)",
                crate::text::thousands(more as f64)
            ),
        ));
    }
}

/// The criteria that give more than half of the ranked candidates the same extreme
/// score (0 or 1), with the change to the brief that would make them decide.
pub(crate) fn flat_criteria(brief: &Brief, ranking: &Ranking) -> Vec<Warning> {
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
        out.push(Warning::new(
            WarningKind::FlatCriterion,
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
    // Thousands separated by commas, as the README writes figures.
    crate::text::thousands(r)
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
        let vocabulary = Vocabulary::new(&known);
        assert!(vocabulary.has("Friche SANS projet"));
        assert!(!vocabulary.has("friche sans projets"));
        assert_eq!(
            vocabulary.suggest("friche sans projets", "no site has statut"),
            "no site has statut; did you mean \"friche sans projet\"?"
        );
        assert_eq!(vocabulary.suggest("zzz", "w"), "w");
    }

    #[test]
    fn a_long_list_of_unmatched_values_names_the_first_and_counts_the_rest() {
        let known: BTreeSet<String> = (0..1000).map(|i| format!("site {i}")).collect();
        let mut values: Vec<String> = (0..500).map(|i| format!("site {i}")).collect();
        values.extend((0..MAX_SUGGESTED + 7).map(|i| format!("nowhere {i}")));
        let mut out = Vec::new();
        unmatched_list(
            &values,
            &known,
            "filter.where.label",
            |i, _| format!("filter.where.label[{i}]"),
            |v| format!("no site has label {v:?}"),
            &mut out,
        );
        assert_eq!(out.len(), MAX_SUGGESTED + 1);
        assert_eq!(out[0].key, "filter.where.label[500]");
        let last = out.last().map(|w| (w.key.as_str(), w.message.as_str()));
        assert_eq!(
            last,
            Some((
                "filter.where.label",
                "7 more values match nothing in the data (only the first 20 are named)"
            ))
        );
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
