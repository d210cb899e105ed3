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
    text.get(..offset).map_or(0, |t| t.lines().count().max(1))
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

#[cfg(test)]
mod tests {
    use super::fold;

    #[test]
    fn folds_french_accents_and_case() {
        assert_eq!(fold("Mézières"), fold("MEZIERES"));
        assert_eq!(fold("Ça"), "ca");
        assert_ne!(fold("cote"), fold("coté ouest"));
    }
}
