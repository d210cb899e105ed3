//! Numbers TOML has and JSON has not: `nan`, `inf`, `-inf`. A TOML file is read into a
//! JSON value, where such a float becomes null, and a null key takes its default: a
//! `weight = nan` would silently weigh 1, a `min_area_ha = inf` would drop the filter.
//! The files are checked for them first, and each one is named at its key.

use super::{render, Seg};

/// The key paths (`criterion[0].weight`) of the floats of a TOML text that are not
/// finite; none when the text is not TOML (its reader reports that).
pub(crate) fn non_finite(text: &str) -> Vec<String> {
    let Ok(table) = text.parse::<toml::Table>() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut path = Vec::new();
    for (k, v) in &table {
        path.push(Seg::Key(k.clone()));
        walk(v, &mut path, &mut out);
        path.pop();
    }
    out
}

fn walk(value: &toml::Value, path: &mut Vec<Seg>, out: &mut Vec<String>) {
    match value {
        toml::Value::Float(x) if !x.is_finite() => out.push(render(path)),
        toml::Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                path.push(Seg::Index(i));
                walk(v, path, out);
                path.pop();
            }
        }
        toml::Value::Table(t) => {
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
        assert_eq!(
            non_finite(text),
            [
                "criterion[0].ideal",
                "criterion[1].list[1]",
                "filter.min_area_ha",
                "weight"
            ]
        );
        assert!(non_finite("a = 1e300\nb = -0.0\n").is_empty());
        assert!(non_finite("not toml [").is_empty());
    }
}
