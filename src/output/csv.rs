//! CSV: the same columns as the GeoJSON properties, plus lon and lat.

use std::io::Write;

use super::{cells, columns, selected, Cell, OutputOptions};
use crate::ranking::Ranking;

fn text(c: Cell) -> String {
    match c {
        Cell::Text(t) => t.unwrap_or_default(),
        Cell::Int(i) => i.map(|i| i.to_string()).unwrap_or_default(),
        Cell::Num(x) => x
            .filter(|x| x.is_finite())
            .map(|x| x.to_string())
            .unwrap_or_default(),
        Cell::Bool(b) => b.map(|b| b.to_string()).unwrap_or_default(),
    }
}

/// Writes a streamed grid as CSV, one row per cell as it is computed.
///
/// ```
/// use sitematch::{Brief, Catalog, Engine, Feature, Layer, Role};
/// let engine = Engine::new(Catalog::from_layers(vec![Layer::from_features(
///     "communes", Role::Population, vec![Feature::point("t", 2.0, 48.0)])]));
/// let brief = Brief::from_toml_str("[filter]\nbbox = [1.99, 47.99, 2.01, 48.01]\n[candidates]\ngrid_km = 1\n[[criterion]]\nname = \"d\"\ntype = \"distance\"\nlayer = \"communes\"\nideal_km = 1\nzero_km = 10\n")?;
/// let mut out = Vec::new();
/// let stats = sitematch::output::write_csv_grid(engine.grid(&brief, false)?, |_| {}, &mut out).unwrap();
/// // A header, then one row per cell.
/// assert_eq!(String::from_utf8(out).unwrap().lines().count(), stats.produced + 1);
/// # Ok::<(), sitematch::Error>(())
/// ```
pub fn write_csv_grid<W: Write>(
    mut grid: crate::scoring::Grid<'_>,
    mut on_cell: impl FnMut(&crate::scoring::GridStats),
    out: W,
) -> std::io::Result<crate::scoring::GridStats> {
    let shell = grid.shell();
    let mut w = ::csv::Writer::from_writer(out);
    let mut header = columns(&shell);
    header.push("lon".into());
    header.push("lat".into());
    w.write_record(&header)?;
    while let Some(site) = grid.next() {
        w.write_record(row(&shell, &site))?;
        on_cell(&grid.stats());
    }
    w.flush()?;
    Ok(grid.stats())
}

fn row(ranking: &Ranking, site: &crate::ranking::SiteResult) -> Vec<String> {
    let mut row: Vec<String> = cells(ranking, site).into_iter().map(text).collect();
    row.push(format!("{:.7}", site.location.x()));
    row.push(format!("{:.7}", site.location.y()));
    row
}

/// Writes the ranking as CSV (comma-separated, UTF-8, header row).
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
/// let ranking = engine.rank(&brief)?;
/// let mut out = Vec::new();
/// sitematch::output::write_csv(&ranking, &sitematch::output::OutputOptions::for_ranking(&ranking), &mut out).unwrap();
/// let text = String::from_utf8(out).unwrap();
/// assert!(text.starts_with("site_id,label,layer,category,commune,rank,score"));
/// assert!(text.lines().nth(1).unwrap().starts_with("big,"));
/// # Ok::<(), sitematch::Error>(())
/// ```
pub fn write_csv<W: Write>(ranking: &Ranking, opts: &OutputOptions, out: W) -> std::io::Result<()> {
    let mut w = ::csv::Writer::from_writer(out);
    let mut header = columns(ranking);
    header.push("lon".into());
    header.push("lat".into());
    w.write_record(&header)?;
    for site in selected(ranking, opts) {
        w.write_record(row(ranking, site))?;
    }
    w.flush()
}
