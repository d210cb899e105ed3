//! The data set a command reads: where it is, loaded with its snapshot cache, and
//! what the loading says on stderr.

use anyhow::Context;

use crate::args::DataArgs;
use sitematch::{data_dir, Catalog, SnapshotUse};

/// Loads the data set `--data` (else $SITEMATCH_DATA, else the bundled one) names,
/// through the snapshot cache unless `--no-cache`; notes on stderr when a snapshot
/// was rebuilt or could not be written.
pub(crate) fn load(data: &DataArgs) -> anyhow::Result<Catalog> {
    let dir = data_dir(data.data.as_deref());
    let cache = if data.no_cache {
        None
    } else {
        sitematch::default_cache_dir()
    };
    let (catalog, used) = Catalog::builder(&dir)
        .strict(data.strict)
        .cache(cache)
        .build_noting()
        .with_context(|| {
            format!(
                "loading the data set {} (choose another with --data DIR or SITEMATCH_DATA)",
                dir.display()
            )
        })?;
    match used {
        SnapshotUse::Rebuilt { path, why } => eprintln!(
            "note: the data-set snapshot {} was {why}; it was rebuilt from the files",
            path.display()
        ),
        SnapshotUse::NotWritten { path, why } => eprintln!(
            "note: could not write the data-set snapshot {}: {why} (set SITEMATCH_CACHE \
             to a writable folder, or pass --no-cache)",
            path.display()
        ),
        _ => {}
    }
    Ok(catalog)
}
