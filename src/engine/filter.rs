//! Hard constraints: every reason a site is excluded, in a fixed order.

use std::collections::HashSet;

use geo::Point;

use crate::brief::Filter;
use crate::index::IndexedLayer;
use crate::model::{department, Feature, Layer};
use crate::ranking::Exclusion;
use crate::text::fold;

/// A filter made ready to test many sites: its lists folded (case and accents
/// ignored) into sets once, so a test costs the same whatever the lists' lengths, and
/// its `exclude_zones` layers found by name.
pub(super) struct Tests<'a> {
    filter: &'a Filter,
    departments: Option<HashSet<String>>,
    where_: Vec<(&'a str, HashSet<String>)>,
    where_not: Vec<(&'a str, HashSet<String>)>,
    zones: Vec<(&'a str, Option<&'a IndexedLayer>)>,
}

impl<'a> Tests<'a> {
    pub(super) fn new(filter: &'a Filter, zones: Vec<(&'a str, Option<&'a IndexedLayer>)>) -> Self {
        let folded = |values: &[String]| values.iter().map(|v| fold(v)).collect();
        let lists = |lists: &'a [(String, Vec<String>)]| {
            lists
                .iter()
                .map(|(attr, values)| (attr.as_str(), folded(values)))
                .collect()
        };
        Tests {
            filter,
            departments: filter.departments.as_deref().map(folded),
            where_: lists(&filter.where_),
            where_not: lists(&filter.where_not),
            zones,
        }
    }

    /// True when the filter names no départements, or the commune's département is
    /// one of them; false for a site with no commune when it names some.
    pub(super) fn in_departments(&self, commune: Option<&str>) -> bool {
        self.departments.as_ref().is_none_or(|deps| {
            let dep = commune.and_then(department).map(fold);
            dep.is_some_and(|d| deps.contains(&d))
        })
    }
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
pub(super) fn reasons(tests: &Tests<'_>, site: &Feature, untested: &[&str]) -> Vec<Exclusion> {
    let filter = tests.filter;
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
    if !tests.in_departments(site.commune.as_deref()) {
        out.push(Exclusion::Department);
    }
    if let Some(bbox) = filter.bbox {
        if !in_bbox(bbox, site.location) {
            out.push(Exclusion::BBox);
        }
    }
    for (attr, allowed) in &tests.where_ {
        if untested.contains(attr) {
            continue;
        }
        let value = site.attribute(attr).as_text().map(|v| fold(&v));
        if !value.is_some_and(|v| allowed.contains(&v)) {
            out.push(Exclusion::Where(attr.to_string()));
        }
    }
    for (attr, refused) in &tests.where_not {
        if untested.contains(attr) {
            continue;
        }
        let value = site.attribute(attr).as_text().map(|v| fold(&v));
        if value.is_some_and(|v| refused.contains(&v)) {
            out.push(Exclusion::WhereNot(attr.to_string()));
        }
    }
    for (name, layer) in &tests.zones {
        if layer.is_some_and(|l| l.intersects(&site.geometry)) {
            out.push(Exclusion::Zone(name.to_string()));
        }
    }
    out
}
