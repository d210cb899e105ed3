//! Numbers TOML has and JSON has not: `nan`, `inf`, `-inf`. A TOML file is read into a
//! JSON value, where such a float becomes null, and a null key would take its default:
//! a `weight = nan` would silently weigh 1, a `min_area_ha = inf` would drop the
//! filter. TOML has no null of its own, so every null of a value read from TOML is one
//! of them, and each one is named at its key.

use serde_json::Value;

use super::{render, Seg};

/// The key paths (`criterion[0].weight`) of the nulls of a value read from TOML: its
/// floats that are not finite.
pub(crate) fn non_finite(value: &Value) -> Vec<String> {
    let mut out = Vec::new();
    walk(value, &mut Vec::new(), &mut out);
    out
}

fn walk(value: &Value, path: &mut Vec<Seg>, out: &mut Vec<String>) {
    match value {
        Value::Null => out.push(render(path)),
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                path.push(Seg::Index(i));
                walk(v, path, out);
                path.pop();
            }
        }
        Value::Object(t) => {
            for (k, v) in t {
                path.push(Seg::Key(k.clone()));
                walk(v, path, out);
                path.pop();
            }
        }
        _ => {}
    }
}

/// What a message says of a non-finite number.
pub(crate) const NOT_FINITE: &str =
    "must be a finite number (`nan` and `inf` are not values a brief or catalog can use)";

#[cfg(test)]
mod tests {
    use super::non_finite;

    #[test]
    fn every_non_finite_float_is_found_at_its_key() {
        let text = "top = 5\nweight = nan\n[filter]\nmin_area_ha = inf\n\
                    [[criterion]]\nname = \"a\"\nideal = -inf\nzero = 3.5\n\
                    [[criterion]]\nname = \"b\"\nlist = [1.0, nan]\n";
        let value: serde_json::Value = toml::from_str(text).unwrap();
        assert_eq!(
            non_finite(&value),
            [
                "criterion[0].ideal",
                "criterion[1].list[1]",
                "filter.min_area_ha",
                "weight"
            ]
        );
        let finite: serde_json::Value = toml::from_str("a = 1e300\nb = -0.0\n").unwrap();
        assert!(non_finite(&finite).is_empty());
    }
}
