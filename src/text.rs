//! Text comparison as briefs use it: case and accents ignored
//! ("Électrotechnique" = "electrotechnique"), surrounding blanks trimmed; and line
//! numbers of TOML errors.

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// Folds text for comparison: NFD-decomposed, combining marks removed, lowercased,
/// trimmed.
///
/// ```
/// assert_eq!(sitematch::fold(" Électrotechnique "), "electrotechnique");
/// assert_eq!(sitematch::fold("Friche SANS projet"), "friche sans projet");
/// ```
pub fn fold(s: &str) -> String {
    s.trim()
        .nfd()
        .filter(|c| !is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .collect()
}

/// The 1-based line of a byte offset in a text (for TOML errors, which give spans).
pub(crate) fn line_of(text: &str, offset: usize) -> usize {
    text.get(..offset)
        .map_or(0, |t| t.bytes().filter(|&b| b == b'\n').count() + 1)
}

/// Where a TOML syntax error is, for a message: `line 4`, and for a duplicate key its
/// key path too (`line 4, layer[0].role`), found from the tables above it.
pub(crate) fn toml_place(text: &str, e: &toml::de::Error) -> String {
    let Some(span) = e.span() else {
        return "file".to_string();
    };
    let line = format!("line {}", line_of(text, span.start));
    if !e.message().contains("duplicate key") {
        return line;
    }
    match toml_key_path(text, span.start) {
        Some(path) => format!("{line}, {path}"),
        None => line,
    }
}

/// The key path of the TOML key written at `offset`: the table it is in (`[[layer]]`
/// tables counted, `[layer.fields]` under the latest `[[layer]]`) and the key.
fn toml_key_path(text: &str, offset: usize) -> Option<String> {
    let before = text.get(..offset)?;
    let mut counts: std::collections::HashMap<String, usize> = Default::default();
    let mut table = String::new();
    for line in before.lines() {
        let t = line.trim();
        if let Some(name) = t.strip_prefix("[[").and_then(|r| r.split("]]").next()) {
            let name = name.trim().to_string();
            let n = counts
                .entry(name.clone())
                .and_modify(|c| *c += 1)
                .or_insert(0);
            table = format!("{name}[{n}]");
        } else if let Some(name) = t.strip_prefix('[').and_then(|r| r.split(']').next()) {
            let name = name.trim();
            table = match name.split_once('.') {
                Some((head, rest)) if counts.contains_key(head) => {
                    format!("{head}[{}].{rest}", counts[head])
                }
                _ => name.to_string(),
            };
        }
    }
    let key: String = text
        .get(offset..)?
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '-')
        .collect();
    if key.is_empty() {
        return None;
    }
    Some(if table.is_empty() {
        key
    } else {
        format!("{table}.{key}")
    })
}

/// At most `max` bytes of `s` (cut at a character boundary), with "..." when cut: for
/// echoing input in messages without printing a whole file.
pub(crate) fn clip(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}...", &s[..end])
}

/// A whole number with thousands separated by commas: 112400.4 -> "112,400".
pub(crate) fn thousands(x: f64) -> String {
    let digits = format!("{:.0}", x.abs());
    let mut out = String::new();
    for (k, ch) in digits.chars().enumerate() {
        if k > 0 && (digits.len() - k) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    if x.round() < 0.0 {
        out.insert(0, '-');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{fold, line_of, toml_key_path};

    #[test]
    fn toml_key_paths_count_array_tables() {
        let text = "name = 'x'\n[[layer]]\nname = 'a'\n[[layer]]\nname = 'b'\n[layer.fields]\nk = 'v'\n[filter]\nbbox = 1\n";
        let at = |needle: &str| text.find(needle).unwrap();
        assert_eq!(toml_key_path(text, 0).as_deref(), Some("name"));
        assert_eq!(
            toml_key_path(text, at("name = 'b'")).as_deref(),
            Some("layer[1].name")
        );
        assert_eq!(
            toml_key_path(text, at("k = ")).as_deref(),
            Some("layer[1].fields.k")
        );
        assert_eq!(
            toml_key_path(text, at("bbox")).as_deref(),
            Some("filter.bbox")
        );
        assert_eq!(line_of(text, at("bbox")), 9);
        assert_eq!(line_of(text, 0), 1);
    }

    #[test]
    fn folds_french_accents_and_case() {
        assert_eq!(fold("Mézières"), fold("MEZIERES"));
        assert_eq!(fold("Ça"), "ca");
        assert_ne!(fold("cote"), fold("coté ouest"));
    }
}

/// The texts read from one column of a file, each distinct text allocated once: a
/// commune code or a status repeated over a national layer is one shared [`ArcStr`].
/// It remembers at most [`Interner::CAP`] texts (a column of unique ids fills it and
/// is then allocated cell by cell, in bounded memory).
#[derive(Default)]
pub(crate) struct Interner {
    known: std::collections::HashSet<arcstr::ArcStr, foldhash::fast::RandomState>,
}

impl Interner {
    /// The most distinct texts remembered.
    pub(crate) const CAP: usize = 1 << 14;

    /// The shared text equal to `s`.
    pub(crate) fn text(&mut self, s: &str) -> arcstr::ArcStr {
        if let Some(t) = self.known.get(s) {
            return t.clone();
        }
        let t = arcstr::ArcStr::from(s);
        if self.known.len() < Self::CAP {
            self.known.insert(t.clone());
        }
        t
    }
}

#[cfg(test)]
mod interner_tests {
    use super::Interner;

    #[test]
    fn a_repeated_text_is_allocated_once_and_the_memory_is_bounded() {
        let mut i = Interner::default();
        let (a, b) = (i.text("friche sans projet"), i.text("friche sans projet"));
        assert_eq!(a, b);
        assert!(arcstr::ArcStr::ptr_eq(&a, &b));
        assert!(!arcstr::ArcStr::ptr_eq(&a, &i.text("friche avec projet")));
        // Unique ids beyond the bound: equal texts all the same, not remembered.
        for k in 0..Interner::CAP + 10 {
            assert_eq!(i.text(&format!("id{k}")), format!("id{k}"));
        }
        assert_eq!(i.known.len(), Interner::CAP);
        let late = format!("id{}", Interner::CAP + 5);
        assert!(!arcstr::ArcStr::ptr_eq(&i.text(&late), &i.text(&late)));
    }
}
