//! Hard constraints: every reason a site is excluded, in a fixed order.

use geo::Point;

use crate::brief::Filter;
use crate::index::IndexedLayer;
use crate::model::{department, Feature, Layer};
use crate::ranking::Exclusion;
use crate::text::fold;

/// True when the commune's département is one of `departments` (case and accents
/// ignored); false for a site with no commune.
pub(super) fn in_departments(departments: &[String], commune: Option<&str>) -> bool {
    let dep = commune.and_then(department).map(fold);
    dep.is_some_and(|d| departments.iter().any(|x| fold(x) == d))
}

/// True when the point lies in `[min lon, min lat, max lon, max lat]`, edges included.
pub(super) fn in_bbox([x0, y0, x1, y1]: [f64; 4], p: Point<f64>) -> bool {
    let (x, y) = (p.x(), p.y());
    x0 <= x && x <= x1 && y0 <= y && y <= y1
}

/// The `where` and `where_not` attributes of a filter that a layer does not carry:
/// its sites are not tested by them (a port zone has no friche `statut`; neither
/// dropped nor admitted by it in silence: the ranking's warnings name the layer).
pub(super) fn untested<'a>(filter: &'a Filter, layer: &Layer) -> Vec<&'a str> {
    filter
        .attribute_lists()
        .map(|(_, attr, _)| attr)
        .filter(|a| !layer.has_field(a))
        .collect()
}

/// Why `site` fails the filter's constraints (empty when it passes): area, then
/// departments, bbox, `where` and `where_not` in the brief's order, then
/// `exclude_zones`. The attributes in `untested` (those the site's layer does not
/// carry) are not tested.
pub(super) fn reasons(
    filter: &Filter,
    site: &Feature,
    untested: &[&str],
    zones: &[(&str, Option<&IndexedLayer>)],
) -> Vec<Exclusion> {
    let mut out = Vec::new();
    if filter.min_area_ha.is_some() || filter.max_area_ha.is_some() {
        match site.area_ha {
            None => out.push(Exclusion::AreaUnknown),
            Some(a) => {
                if filter.min_area_ha.is_some_and(|m| a < m) {
                    out.push(Exclusion::MinArea);
                }
                if filter.max_area_ha.is_some_and(|m| a > m) {
                    out.push(Exclusion::MaxArea);
                }
            }
        }
    }
    if let Some(deps) = &filter.departments {
        if !in_departments(deps, site.commune.as_deref()) {
            out.push(Exclusion::Department);
        }
    }
    if let Some(bbox) = filter.bbox {
        if !in_bbox(bbox, site.location) {
            out.push(Exclusion::BBox);
        }
    }
    for (attr, allowed) in &filter.where_ {
        if untested.contains(&attr.as_str()) {
            continue;
        }
        let value = site.attribute(attr).as_text().map(|v| fold(&v));
        if !value.is_some_and(|v| allowed.iter().any(|a| fold(a) == v)) {
            out.push(Exclusion::Where(attr.clone()));
        }
    }
    for (attr, refused) in &filter.where_not {
        if untested.contains(&attr.as_str()) {
            continue;
        }
        let value = site.attribute(attr).as_text().map(|v| fold(&v));
        if value.is_some_and(|v| refused.iter().any(|r| fold(r) == v)) {
            out.push(Exclusion::WhereNot(attr.clone()));
        }
    }
    for (name, layer) in zones {
        if layer.is_some_and(|l| l.intersects(&site.geometry)) {
            out.push(Exclusion::Zone(name.to_string()));
        }
    }
    out
}
