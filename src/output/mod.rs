//! Ranking to bytes: RFC 7946 GeoJSON, CSV (with its GDAL `.csvt`), Markdown, an OGC
//! GeoPackage with its QGIS style, and a self-contained HTML map report.
//!
//! # The schema
//!
//! One record per site, best first, then (with `include_excluded`) the excluded sites
//! by id. Every property has one type across all records (null allowed):
//!
//! | property | type | meaning |
//! |---|---|---|
//! | `site_id`, `label`, `layer`, `category`, `commune` | string | from the data (`commune`: INSEE code) |
//! | `rank` | integer (null when excluded) | 1 = best |
//! | `score` | number 0..100 (null when excluded) | overall |
//! | `area_ha` | number | land area |
//! | `land_take_avoided_ha` | number | rankings whose brief gives a need: the artificialisation reusing the site avoids against a greenfield site of the brief's `need_ha` (else `filter.min_area_ha`): its area up to the need, 0 in a zone A or N; null without a need or an area |
//! | `excluded` | boolean | |
//! | `excluded_by` | string | reasons, `;`-separated, empty when ranked |
//! | `<c>_value` | number (string for a category criterion) | raw value, in the unit the `sitematch` member's `units` gives: km to the nearest facility, a sum within the radius (whole people when it sums a field such as `active`), a count, the attribute |
//! | `<c>_score` | number 0..1 | normalised score |
//! | `<c>_points` | number | contribution to the weighted sum |
//! | `<c>_nearest_id`, `<c>_nearest_label` | string | distance and anchor criteria only (an anchor has a label, no id) |
//! | `<c>_km` | number | distance criteria by road (`travel = "drive"`): the straight-line km to the facility reached, beside the minutes of `<c>_value` |
//! | `<c>_workers`, `<c>_jobs` | number | competition criteria only: the workers within reach (distance-weighted, whole people) and the jobs competing for them (workers / `<c>_value` for workers-per-job), null when no job competes |
//! | `<c>_tkm`, `<c>_rail`, `<c>_biggest` | number, boolean, string | freight criteria only: tonne-km a year (as travelled), whether rail serves the site, the three biggest flows by CO2e (`Acier Nord (in, 12,000 t, 290 km by road: 275 t CO2e); ...`) |
//! | `pareto` | boolean (null when excluded) | no ranked site is at least as good on every criterion and better on one |
//! | `dominated_by` | string | for a dominated site, the best-ranked site that dominates it |
//! | `near_miss` | boolean | excluded for one threshold constraint, missed by less than `[output] near_miss` (10%) |
//! | `near_miss_by` | string | `6.2 km over max_km 30` |
//!
//! With `[robustness]` (or `--robustness N`): `p_top` and `p_first` (numbers 0..1:
//! share of runs in the top / first), `rank_p05` and `rank_p95` (integers: 5th and
//! 95th percentile of the rank), and on the first two sites `flip_criterion` (string)
//! and `flip_margin` (number: the relative change of that criterion's weight at which
//! the two draw level). With `[output] min_spacing_km` or `one_per`: `shortlisted`
//! (boolean), `shortlist_rank` (integer) and `dropped_by` (string).
//!
//! Last come the candidates' own attributes, every field of their layer under its
//! catalog name (for the default data set: `statut`, `zoning`, `verified`,
//! `extraction`, `seveso_km`, `tdi`, `ze2020`...; SOURCES.md in the data set says what
//! each holds), typed by [`crate::ColumnType::infer`]: a field whose every value is a
//! plain number is a number column, else text. A field whose name is already a column
//! above is written `attr_<name>`.
//!
//! The GeoJSON collection's `sitematch` member holds the brief's name, the method, the
//! normalised weights, the unit of each criterion's value, the AHP consistency ratio,
//! the layer counts and the warnings (`key: message` texts). CSV adds `lon` and `lat` (the site's location). GeoJSON coordinates have 7
//! decimals; exterior rings are counter-clockwise.

mod csv;
mod fgb;
mod format;
mod geojson;
mod gpkg;
mod html;
mod markdown;
mod parquet;
mod report;
mod sink;
mod style;

use crate::brief::{CriterionType, Travel};
use crate::model::Value;
use crate::ranking::{plain_number, ColumnType, CriterionValue, Ranking, SiteResult};

pub use self::csv::{csvt, csvt_grid, write_csv, PRJ_WGS84};
pub use self::fgb::write_fgb;
pub use self::format::OutputFormat;
pub use self::geojson::{feature_json, geometry_json, metadata, write_geojson};
pub use self::gpkg::{write_gpkg, write_gpkg_in, GpkgCounts};
pub use self::html::{
    escape_html, write_html, write_html_map, MapContext, Tiles, LEAFLET_CSS, LEAFLET_JS,
    TOWN_LABELS,
};
pub use self::markdown::write_markdown;
pub use self::parquet::write_parquet;
pub use self::report::{layers_table, skipped_lines, tags_table};
pub use self::sink::{
    grid_sidecars, grid_sidecars_in, sidecars, sidecars_in, write_grid, write_grid_in,
    write_ranking, write_ranking_in, MAX_FGB_CELLS,
};
pub use self::style::{qgis_style, StyleGeometry};
pub use crate::report::text::explain;

/// What to write.
///
/// ```
/// # use sitematch::{Brief, Catalog, Engine, Feature, Layer, Role};
/// # let mut big = Feature::point("big", 2.0, 48.0);
/// # big.area_ha = Some(50.0);
/// # let mut small = Feature::point("small", 2.1, 48.0);
/// # small.area_ha = Some(10.0);
/// # let sites = Layer::from_features("sites", Role::Sites, vec![big, small]);
/// # let engine = Engine::new(Catalog::from_layers(vec![sites]));
/// # let brief = Brief::from_toml_str("[filter]\nmin_area_ha = 20\n[[criterion]]\nname = \"land\"\ntype = \"attribute\"\nfield = \"area_ha\"\nideal = 60\nzero = 0\n")?;
/// use sitematch::output::{write_csv, OutputOptions};
/// let ranking = engine.rank(&brief)?;
/// let opts = OutputOptions { top: 10, include_excluded: true };
/// let mut csv = Vec::new();
/// write_csv(&ranking, &opts, &mut csv).unwrap();
/// // A header and the two sites, the excluded one last.
/// assert_eq!(String::from_utf8(csv).unwrap().lines().count(), 3);
/// # Ok::<(), sitematch::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutputOptions {
    /// How many ranked sites.
    pub top: usize,
    /// Write every ranked site (whatever `top` says), then the excluded sites with
    /// their reasons.
    pub include_excluded: bool,
}

impl OutputOptions {
    /// The brief's `top`, without excluded sites.
    pub fn for_ranking(ranking: &Ranking) -> Self {
        OutputOptions {
            top: ranking.top,
            include_excluded: false,
        }
    }
}

/// The sites to write, in order: the top ranked sites (with a diverse shortlist, the
/// ranked sites down to the last one kept, dropped ones included with their reason);
/// with `include_excluded`, every ranked site and then the excluded ones.
pub(crate) fn selected<'a>(
    ranking: &'a Ranking,
    opts: &OutputOptions,
) -> impl Iterator<Item = &'a SiteResult> {
    let shortlist = ranking.shortlist;
    let include_excluded = opts.include_excluded;
    let top = if include_excluded {
        usize::MAX
    } else {
        opts.top
    };
    let mut kept = 0;
    let ranked = ranking.ranked_sites().iter().take_while(move |s| {
        if kept >= top {
            return false;
        }
        if !shortlist || s.decision.shortlisted == Some(true) {
            kept += 1;
        }
        true
    });
    let excluded =
        ranking
            .excluded_sites()
            .iter()
            .take(if include_excluded { usize::MAX } else { 0 });
    ranked.chain(excluded)
}

/// What an output holds, in words for the line the command prints after writing it:
/// "20 ranked sites, 3 near misses and 150 excluded sites".
///
/// ```
/// # use sitematch::{Brief, Catalog, Engine, Feature, Layer, Role};
/// # let mut big = Feature::point("big", 2.0, 48.0);
/// # big.area_ha = Some(50.0);
/// # let mut small = Feature::point("small", 2.1, 48.0);
/// # small.area_ha = Some(10.0);
/// # let sites = Layer::from_features("sites", Role::Sites, vec![big, small]);
/// # let engine = Engine::new(Catalog::from_layers(vec![sites]));
/// # let brief = Brief::from_toml_str("[filter]\nmin_area_ha = 20\n[[criterion]]\nname = \"land\"\ntype = \"attribute\"\nfield = \"area_ha\"\nideal = 60\nzero = 0\n")?;
/// use sitematch::output::{summary, OutputOptions};
/// let ranking = engine.rank(&brief)?;
/// let opts = OutputOptions { top: 10, include_excluded: true };
/// assert_eq!(summary(&ranking, &opts), "1 ranked site and 1 excluded site");
/// # Ok::<(), sitematch::Error>(())
/// ```
pub fn summary(ranking: &Ranking, opts: &OutputOptions) -> String {
    let (mut ranked, mut near, mut excluded) = (0, 0, 0);
    for s in selected(ranking, opts) {
        match s.rank {
            Some(_) => ranked += 1,
            None if s.decision.near_miss.is_some() => near += 1,
            None => excluded += 1,
        }
    }
    let plural =
        |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    let mut parts = vec![plural(ranked, "ranked site", "ranked sites")];
    if near > 0 {
        parts.push(plural(near, "near miss", "near misses"));
    }
    if excluded > 0 {
        parts.push(plural(excluded, "excluded site", "excluded sites"));
    }
    match parts.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        _ => parts.join(""),
    }
}

/// How the ranking was made, in words: the method, or `likeness to your Douai plant`
/// for a `[target]` brief.
pub(crate) fn method_text(ranking: &Ranking) -> String {
    match &ranking.target {
        Some(t) => format!("likeness to {}", t.label),
        None => ranking.method.to_string(),
    }
}

/// The land take the written shortlist avoids (the ranked sites written, the kept
/// ones with a diverse shortlist): (sites with a figure, hectares).
pub(crate) fn shortlist_land_take(ranking: &Ranking, opts: &OutputOptions) -> (usize, f64) {
    ranking.land_take_avoided(selected(ranking, opts).filter(|s| {
        s.rank.is_some() && (!ranking.shortlist || s.decision.shortlisted == Some(true))
    }))
}

/// The land take the written shortlist avoids, in a sentence for a report; `None`
/// when the brief gives no need (`need_ha` or `filter.min_area_ha`).
pub(crate) fn land_take_sentence(ranking: &Ranking, opts: &OutputOptions) -> Option<String> {
    let need = ranking.need_ha?;
    let (n, ha) = shortlist_land_take(ranking, opts);
    Some(format!(
        "Land take avoided (zéro artificialisation nette): {ha:.1} ha over the {n} shortlisted sites with an area, \
         against greenfield sites of {need} ha each (a brownfield site counts its area up to the need; one in a zone A or N, none)."
    ))
}

/// A cell of the flat schema.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Cell {
    Text(Option<String>),
    Int(Option<i64>),
    Num(Option<f64>),
    Bool(Option<bool>),
}

impl Cell {
    /// A shared text's cell.
    pub(crate) fn text(t: &Option<arcstr::ArcStr>) -> Cell {
        Cell::Text(t.as_deref().map(String::from))
    }

    /// The column type this cell belongs to.
    #[cfg(test)]
    pub(crate) fn kind(&self) -> ColumnType {
        match self {
            Cell::Text(_) => ColumnType::Text,
            Cell::Int(_) => ColumnType::Integer,
            Cell::Num(_) => ColumnType::Number,
            Cell::Bool(_) => ColumnType::Bool,
        }
    }
}

/// What the records are: the sites of a ranking, or the cells of a grid surface (not
/// ranked: no rank, Pareto front or near-miss columns, which would be empty in every
/// record and typed as text by GDAL).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Records {
    Ranking,
    Grid,
}

/// A column of the flat schema: its name and type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Column {
    pub name: String,
    pub kind: ColumnType,
}

impl Column {
    fn new(name: impl Into<String>, kind: ColumnType) -> Column {
        Column {
            name: name.into(),
            kind,
        }
    }
}

/// The columns of the flat schema, in order, with their types.
pub(crate) fn columns(ranking: &Ranking, records: Records) -> Vec<Column> {
    use ColumnType::{Bool, Integer, Number, Text};
    let ranked = records == Records::Ranking;
    let mut cols: Vec<Column> = ["site_id", "label", "layer", "category", "commune"]
        .iter()
        .map(|n| Column::new(*n, Text))
        .collect();
    if ranked {
        cols.push(Column::new("rank", Integer));
    }
    cols.push(Column::new("score", Number));
    cols.push(Column::new("area_ha", Number));
    if ranked && ranking.need_ha.is_some() {
        cols.push(Column::new("land_take_avoided_ha", Number));
    }
    cols.push(Column::new("excluded", Bool));
    cols.push(Column::new("excluded_by", Text));
    for c in &ranking.criteria {
        let value = if c.kind == CriterionType::Category {
            Text
        } else {
            Number
        };
        cols.push(Column::new(format!("{}_value", c.name), value));
        cols.push(Column::new(format!("{}_score", c.name), Number));
        cols.push(Column::new(format!("{}_points", c.name), Number));
        if c.kind.is_distance() {
            cols.push(Column::new(format!("{}_nearest_id", c.name), Text));
            cols.push(Column::new(format!("{}_nearest_label", c.name), Text));
            if c.travel != Travel::Straight {
                cols.push(Column::new(format!("{}_km", c.name), Number));
            }
        }
        if c.kind == CriterionType::Competition {
            cols.push(Column::new(format!("{}_workers", c.name), Number));
            cols.push(Column::new(format!("{}_jobs", c.name), Number));
        }
        if c.kind == CriterionType::Freight {
            cols.push(Column::new(format!("{}_tkm", c.name), Number));
            cols.push(Column::new(format!("{}_rail", c.name), Bool));
            cols.push(Column::new(format!("{}_biggest", c.name), Text));
        }
    }
    if ranked {
        cols.push(Column::new("pareto", Bool));
        cols.push(Column::new("dominated_by", Text));
        cols.push(Column::new("near_miss", Bool));
        cols.push(Column::new("near_miss_by", Text));
        if ranking.robustness.is_some() {
            cols.push(Column::new("p_top", Number));
            cols.push(Column::new("p_first", Number));
            cols.push(Column::new("rank_p05", Integer));
            cols.push(Column::new("rank_p95", Integer));
            cols.push(Column::new("flip_criterion", Text));
            cols.push(Column::new("flip_margin", Number));
        }
        if ranking.shortlist {
            cols.push(Column::new("shortlisted", Bool));
            cols.push(Column::new("shortlist_rank", Integer));
            cols.push(Column::new("dropped_by", Text));
        }
    }
    let taken: std::collections::HashSet<String> = cols.iter().map(|c| c.name.clone()).collect();
    for a in &ranking.attributes {
        let name = if taken.contains(&a.name) {
            format!("attr_{}", a.name)
        } else {
            a.name.clone()
        };
        cols.push(Column::new(name, a.kind));
    }
    cols
}

/// A rank or count as an integer cell.
fn int(i: Option<usize>) -> Option<i64> {
    i.and_then(|i| i64::try_from(i).ok())
}

/// A site attribute as a cell of its column's type.
fn attribute_cell(kind: ColumnType, v: &Value) -> Cell {
    match (kind, v) {
        (_, Value::Null) => Cell::Text(None),
        (ColumnType::Number, Value::Number(x)) => Cell::Num(Some(*x)),
        (ColumnType::Number, Value::Text(t)) => Cell::Num(plain_number(t)),
        (ColumnType::Integer, Value::Number(x)) => Cell::Int(Some(*x as i64)),
        (ColumnType::Integer, Value::Text(t)) => Cell::Int(plain_number(t).map(|x| x as i64)),
        (ColumnType::Bool, Value::Bool(b)) => Cell::Bool(Some(*b)),
        (_, Value::Text(t)) if t.is_empty() => Cell::Text(None),
        (_, v) => Cell::Text(v.as_text()),
    }
}

/// The cells of one site, in [`columns`] order.
pub(crate) fn cells(ranking: &Ranking, records: Records, s: &SiteResult) -> Vec<Cell> {
    let mut out = vec![
        Cell::Text(Some(s.site_id.to_string())),
        Cell::text(&s.label),
        Cell::Text(Some(s.layer.to_string())),
        Cell::text(&s.category),
        Cell::text(&s.commune),
    ];
    if records == Records::Ranking {
        out.push(Cell::Int(int(s.rank)));
    }
    out.extend([Cell::Num(s.score), Cell::Num(s.area_ha)]);
    if records == Records::Ranking && ranking.need_ha.is_some() {
        out.push(Cell::Num(s.land_take_avoided_ha));
    }
    out.extend([
        Cell::Bool(Some(!s.excluded_by.is_empty())),
        Cell::Text(Some(s.excluded_by_text(";"))),
    ]);
    for (info, c) in ranking.criteria.iter().zip(&s.criteria) {
        out.push(match &c.value {
            // A sum of people (or jobs): whole numbers.
            CriterionValue::Number(x) if info.sums.is_some() => Cell::Num(x.map(f64::round)),
            CriterionValue::Number(x) => Cell::Num(*x),
            CriterionValue::Text(t) => Cell::text(t),
        });
        out.push(Cell::Num(Some(c.score)));
        out.push(Cell::Num(Some(c.points)));
        if info.kind.is_distance() {
            out.push(Cell::text(&c.nearest_id));
            out.push(Cell::text(&c.nearest_label));
            if info.travel != Travel::Straight {
                out.push(Cell::Num(c.km));
            }
        }
        if info.kind == CriterionType::Competition {
            // Whole people and jobs.
            out.push(Cell::Num(c.workers.map(f64::round)));
            out.push(Cell::Num(c.competing_jobs.map(f64::round)));
        }
        if info.kind == CriterionType::Freight {
            let f = c.freight.as_ref();
            out.push(Cell::Num(f.map(|f| f.tonne_km.round())));
            out.push(Cell::Bool(f.map(|f| f.rail)));
            out.push(Cell::Text(f.map(|f| crate::report::biggest_flows(f))));
        }
    }
    let d = &s.decision;
    if records == Records::Ranking {
        decision_cells(ranking, d, &mut out);
    }
    for (a, v) in ranking.attributes.iter().zip(s.attributes.iter()) {
        out.push(attribute_cell(a.kind, v));
    }
    out
}

/// The Pareto, near-miss, robustness and shortlist cells of a ranked site.
fn decision_cells(ranking: &Ranking, d: &crate::ranking::Decision, out: &mut Vec<Cell>) {
    out.push(Cell::Bool(d.pareto));
    out.push(Cell::text(&d.dominated_by));
    out.push(Cell::Bool(Some(d.near_miss.is_some())));
    out.push(Cell::Text(d.near_miss.as_ref().map(ToString::to_string)));
    if ranking.robustness.is_some() {
        out.push(Cell::Num(d.p_top));
        out.push(Cell::Num(d.p_first));
        out.push(Cell::Int(int(d.rank_p05)));
        out.push(Cell::Int(int(d.rank_p95)));
        let flip = d.flip.as_ref();
        out.push(Cell::Text(
            flip.and_then(|f| ranking.criteria.get(f.criterion))
                .map(|c| c.name.clone()),
        ));
        out.push(Cell::Num(flip.map(|f| f.change)));
    }
    if ranking.shortlist {
        out.push(Cell::Bool(d.shortlisted));
        out.push(Cell::Int(int(d.shortlist_rank)));
        out.push(Cell::Text(d.dropped_by.as_ref().map(ToString::to_string)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Brief, Catalog, Engine, Feature, Layer, Role};

    /// Every record's cells have the types of the schema's columns, in every kind of
    /// criterion, with robustness and a shortlist, for rankings and grids: the
    /// GeoPackage and the `.csvt` declare the columns' types, the cells fill them.
    #[test]
    fn cells_have_the_types_of_their_columns() {
        let mut sites = Vec::new();
        for (k, (lon, zoning)) in [(2.0, "U"), (2.2, "AU"), (2.4, "N")].iter().enumerate() {
            let mut f = Feature::point(format!("s{k}"), *lon, 48.0);
            f.area_ha = Some(10.0 + k as f64);
            f.attributes
                .insert("zoning".into(), crate::Value::Text((*zoning).into()));
            f.attributes
                .insert("code".into(), crate::Value::Text(format!("0{k}").into()));
            sites.push(f);
        }
        let mut site_layer = Layer::from_features("sites", Role::Sites, sites);
        site_layer.attribute_names = vec!["zoning".into(), "code".into()];
        let people: Vec<Feature> = (0..5)
            .map(|k| {
                let mut f = Feature::point(format!("p{k}"), 2.0 + 0.1 * k as f64, 48.05);
                f.attributes
                    .insert("active".into(), crate::Value::Number(100.0));
                f.attributes
                    .insert("jobs".into(), crate::Value::Number(50.0));
                f
            })
            .collect();
        let zone = Feature::from_geometry(
            "z",
            geo::Geometry::Polygon(geo::Rect::new((1.9, 47.9), (2.1, 48.1)).to_polygon()),
        )
        .expect("a polygon feature");
        let engine = Engine::new(Catalog::from_layers(vec![
            site_layer,
            Layer::from_features("people", Role::Population, people),
            Layer::from_features(
                "ports",
                Role::Facilities,
                vec![Feature::point("port", 2.1, 48.1)],
            ),
            Layer::from_features("zones", Role::Zones, vec![zone]),
        ]));
        let brief = Brief::from_toml_str(
            r#"
            [robustness]
            runs = 5
            [output]
            min_spacing_km = 1
            [[criterion]]
            name = "port"
            type = "distance"
            layer = "ports"
            ideal_km = 1
            zero_km = 50
            [[criterion]]
            name = "people"
            type = "access"
            layer = "people"
            field = "active"
            radius_km = 30
            saturation = 500
            [[criterion]]
            name = "labour"
            type = "competition"
            layer = "people"
            field = "active"
            jobs_layer = "people"
            jobs_field = "jobs"
            radius_km = 30
            saturation = 2
            [[criterion]]
            name = "zoning"
            type = "category"
            field = "zoning"
            scores = { U = 1.0, AU = 0.5 }
            [[criterion]]
            name = "land"
            type = "attribute"
            field = "area_ha"
            ideal = 20
            zero = 0
            [[criterion]]
            name = "zone"
            type = "zone"
            layer = "zones"
            "#,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let ranking = engine.rank(&brief).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(ranking.ranked, 3);
        for records in [Records::Ranking, Records::Grid] {
            let cols = columns(&ranking, records);
            for s in &ranking.sites {
                let cells = cells(&ranking, records, s);
                assert_eq!(cells.len(), cols.len());
                for (col, cell) in cols.iter().zip(&cells) {
                    assert_eq!(col.kind, cell.kind(), "{} of {}", col.name, s.site_id);
                }
            }
        }
        let names: Vec<String> = columns(&ranking, Records::Ranking)
            .into_iter()
            .map(|c| c.name)
            .collect();
        for wanted in ["port_km", "labour_jobs", "p_top", "shortlisted", "code"] {
            assert_eq!(
                names.iter().any(|n| n == wanted),
                wanted != "port_km",
                "{wanted}"
            );
        }
    }
}
