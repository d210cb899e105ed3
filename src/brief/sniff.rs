//! What a file that fails to read as a brief is instead: a YAML file, JSON in a file
//! not named `.json`, a GeoJSON layer. The reader's own message ("expected `=`") would
//! not say that a brief is TOML.

use std::path::Path;

/// The problem to report instead of the parser's, when `text` (the file at `path`) is
/// recognisably something other than a brief in its format.
pub(super) fn not_a_brief(path: &Path, text: &str) -> Option<String> {
    const IS: &str = "a brief is TOML (`key = value`, `[[criterion]]` tables), or JSON in \
                      a file named .json; the examples are in examples/briefs/";
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    let json: Option<serde_json::Value> = serde_json::from_str(text).ok();
    let geojson = json.as_ref().is_some_and(|v| {
        matches!(
            v.get("type").and_then(|t| t.as_str()),
            Some("FeatureCollection" | "Feature")
        )
    });
    if geojson || ext == "geojson" {
        return Some(format!(
            "this is a GeoJSON layer, not a brief: layers go in the data folder (named in \
             its catalog.toml) and briefs name them; {IS}"
        ));
    }
    if ext == "yaml" || ext == "yml" || (json.is_none() && looks_like_yaml(text)) {
        return Some(format!(
            "this file is YAML (`key: value`): write it as TOML, `key = value`; {IS}"
        ));
    }
    if json.is_some() && ext != "json" {
        return Some(format!(
            "this file holds JSON: name it with the extension .json to read it as JSON; {IS}"
        ));
    }
    None
}

/// Whether the first line that says something is a YAML `key: value` or `- item`
/// (TOML has neither at the start of a line).
fn looks_like_yaml(text: &str) -> bool {
    let Some(line) = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#'))
    else {
        return false;
    };
    if line == "---" || line.starts_with("- ") {
        return true;
    }
    let Some((key, _)) = line.split_once(':') else {
        return false;
    };
    !key.is_empty()
        && !key.contains('=')
        && key
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '-' || c == ' ')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_format_is_named() {
        let p = |name: &str, text: &str| not_a_brief(Path::new(name), text);
        let yaml = "name: Batteries\ncriterion:\n  - name: land\n";
        assert!(p("b.toml", yaml).unwrap().starts_with("this file is YAML"));
        assert!(p("b.yaml", "").unwrap().starts_with("this file is YAML"));
        let json = r#"{"criterion": [{"name": "land"}]}"#;
        assert!(p("b.toml", json)
            .unwrap()
            .starts_with("this file holds JSON"));
        assert_eq!(p("b.json", json), None);
        let fc = r#"{"type": "FeatureCollection", "features": []}"#;
        assert!(p("b.json", fc)
            .unwrap()
            .starts_with("this is a GeoJSON layer"));
        assert!(p("b.toml", fc)
            .unwrap()
            .starts_with("this is a GeoJSON layer"));
        // A TOML brief with a typo is left to the TOML reader's message.
        assert_eq!(p("b.toml", "name = \"x\"\n[[criterion]\n"), None);
        assert_eq!(p("b.toml", "# a: b\ntop = 5\nname: x\n"), None);
    }
}
