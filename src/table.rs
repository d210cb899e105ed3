//! What the criteria read of a layer's attribute rows besides the index: its
//! categories and tags folded once (case, accents and spacing) and numbered, so that a
//! criterion's match is a comparison of numbers.

use std::collections::{HashMap, HashSet};

use crate::model::Layer;
use crate::text::fold;
use crate::warnings;

/// The number of a text among the folded texts seen so far.
fn intern<'a>(
    text: &'a str,
    raw: &mut HashMap<&'a str, u32>,
    numbers: &mut HashMap<String, u32>,
) -> u32 {
    if let Some(&n) = raw.get(text) {
        return n;
    }
    let next = numbers.len() as u32;
    let n = *numbers.entry(fold(text)).or_insert(next);
    raw.insert(text, n);
    n
}

/// The categories and tags of a layer's features folded for matching, each distinct
/// text folded once and numbered: matching compares numbers.
#[derive(Debug, Clone, Default)]
pub(crate) struct Folded {
    /// Folded text to its number.
    numbers: HashMap<String, u32>,
    /// Per feature: its category's number.
    pub(crate) category: Vec<Option<u32>>,
    /// Per feature: its tags' numbers.
    pub(crate) tags: Vec<Vec<u32>>,
    /// The distinct categories and tags as written (for the brief's warnings).
    pub(crate) known: warnings::Known,
}

impl Folded {
    pub(crate) fn new(layer: &Layer) -> Folded {
        let mut out = Folded::default();
        // Each distinct raw text is folded once.
        let mut raw: HashMap<&str, u32> = HashMap::new();
        let (mut seen_categories, mut seen_tags) = (HashSet::new(), HashSet::new());
        for f in &layer.features {
            let c = f.category.as_deref().map(|c| {
                if seen_categories.insert(c) {
                    out.known.categories.insert(c.to_string());
                }
                intern(c, &mut raw, &mut out.numbers)
            });
            out.category.push(c);
            let tags = f
                .tags
                .iter()
                .map(|t| {
                    if seen_tags.insert(t.as_str()) {
                        out.known.tags.insert(t.clone());
                    }
                    intern(t, &mut raw, &mut out.numbers)
                })
                .collect();
            out.tags.push(tags);
        }
        out
    }
}

/// Which features of a layer a criterion's `categories` and `tags` select: a feature
/// matches when its category is one of the categories (if any are given) and one of
/// its tags is one of the tags (if any are given), case and accents ignored.
pub(crate) struct Matcher {
    categories: Vec<String>,
    tags: Vec<String>,
}

impl Matcher {
    pub(crate) fn new(categories: &[String], tags: &[String]) -> Matcher {
        Matcher {
            categories: categories.iter().map(|c| fold(c)).collect(),
            tags: tags.iter().map(|t| fold(t)).collect(),
        }
    }

    /// The mask of matching features of a layer.
    pub(crate) fn mask(&self, folded: &Folded) -> Vec<bool> {
        // The brief's texts as the layer's numbers (a text the layer does not have
        // matches none of its features).
        let numbers = |texts: &[String]| -> Vec<u32> {
            texts
                .iter()
                .filter_map(|t| folded.numbers.get(t).copied())
                .collect()
        };
        let (categories, tags) = (numbers(&self.categories), numbers(&self.tags));
        folded
            .category
            .iter()
            .zip(&folded.tags)
            .map(|(c, ts)| {
                (self.categories.is_empty() || c.is_some_and(|c| categories.contains(&c)))
                    && (self.tags.is_empty() || ts.iter().any(|t| tags.contains(t)))
            })
            .collect()
    }
}
