//! Hard constraints: every reason a site is excluded, in a fixed order.

use crate::brief::Filter;
use crate::index::IndexedLayer;
use crate::model::Feature;
use crate::text::fold;

/// The département of a commune code: its first 2 characters, 3 for overseas codes
/// starting "97".
pub fn department(commune: &str) -> Option<&str> {
    let c = commune.trim();
    let n = if c.starts_with("97") { 3 } else { 2 };
    c.get(..n)
}

/// Why `site` fails the filter's constraints (empty when it passes): area, then
/// departments, bbox, `where` in the brief's order, then `exclude_zones`.
pub(super) fn reasons(
    filter: &Filter,
    site: &Feature,
    zones: &[(&str, Option<&IndexedLayer>)],
) -> Vec<String> {
    let mut out = Vec::new();
    if filter.min_area_ha.is_some() || filter.max_area_ha.is_some() {
        match site.area_ha {
            None => out.push("area:unknown".to_string()),
            Some(a) => {
                if filter.min_area_ha.is_some_and(|m| a < m) {
                    out.push("min_area_ha".to_string());
                }
                if filter.max_area_ha.is_some_and(|m| a > m) {
                    out.push("max_area_ha".to_string());
                }
            }
        }
    }
    if let Some(deps) = &filter.departments {
        let dep = site.commune.as_deref().and_then(department).map(fold);
        if !dep.is_some_and(|d| deps.iter().any(|x| fold(x) == d)) {
            out.push("departments".to_string());
        }
    }
    if let Some([x0, y0, x1, y1]) = filter.bbox {
        let (x, y) = (site.location.x(), site.location.y());
        if !(x0 <= x && x <= x1 && y0 <= y && y <= y1) {
            out.push("bbox".to_string());
        }
    }
    for (attr, allowed) in &filter.where_ {
        let value = site.attribute(attr).as_text().map(|v| fold(&v));
        if !value.is_some_and(|v| allowed.iter().any(|a| fold(a) == v)) {
            out.push(format!("where:{attr}"));
        }
    }
    for (name, layer) in zones {
        if layer.is_some_and(|l| l.intersects(&site.geometry)) {
            out.push(format!("exclude_zones:{name}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::department;

    #[test]
    fn departments_of_communes() {
        assert_eq!(department("59350"), Some("59"));
        assert_eq!(department("2A004"), Some("2A"));
        assert_eq!(department("97411"), Some("974"));
        assert_eq!(department("01001"), Some("01"));
        assert_eq!(department("9"), None);
    }
}
