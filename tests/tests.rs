//! Integration tests, built as one binary (ripgrep's layout).

mod candidates;
mod competition;
mod crs;
mod decision;
mod default_data;
mod drive;
mod formats;
mod freight;
mod gdal_written;
mod geoparquet_written;
mod grid;
mod index;
mod io;
mod oracle;
mod output;
mod postgis;
mod properties;
mod real_data;
mod regression;
mod relocation;
mod scoring;
mod snapshot;
mod stream;
mod util;
mod validation;
mod warnings;
