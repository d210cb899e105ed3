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
