//! The data set a command reads: `--data`, else $SITEMATCH_DATA, else the default
//! data set built into the binary (unpacked once into the cache folder); loaded with
//! its snapshot cache, with what the loading says on stderr.

use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::args::DataArgs;
use sitematch::{Catalog, SnapshotUse};

/// The default data set (`data/` of the source tree when the binary was built), as a
/// gzipped tar.
static BUILT_IN: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/data.tar.gz"));

/// Where a command's data set is, and whether it is the built-in one.
pub(crate) struct DataSet {
    /// The folder (or catalog file).
    pub dir: PathBuf,
    /// True for the data set built into the binary.
    pub built_in: bool,
}

impl DataSet {
    /// The data set `--data` names, else $SITEMATCH_DATA, else the built-in one
    /// (unpacked on first use).
    pub(crate) fn of(data: &DataArgs) -> anyhow::Result<DataSet> {
        let given = data.data.clone().or_else(|| {
            std::env::var_os("SITEMATCH_DATA")
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        });
        Ok(match given {
            Some(dir) => DataSet {
                dir,
                built_in: false,
            },
            None => DataSet {
                dir: unpacked()?,
                built_in: true,
            },
        })
    }

    /// How `layers` names it: its folder, and "built in" for the default data set.
    pub(crate) fn describe(&self) -> String {
        if self.built_in {
            format!(
                "the default data set built into sitematch {} (unpacked at {})",
                env!("CARGO_PKG_VERSION"),
                self.dir.display()
            )
        } else {
            self.dir.display().to_string()
        }
    }
}

/// The folder the built-in data set is unpacked to: `data-<hash>` in the cache folder
/// ($SITEMATCH_CACHE, else ~/.cache/sitematch; else the system's temporary folder),
/// unpacked there the first time, whole or not at all.
fn unpacked() -> anyhow::Result<PathBuf> {
    let base =
        sitematch::default_cache_dir().unwrap_or_else(|| std::env::temp_dir().join("sitematch"));
    let dir = base.join(format!("data-{}", env!("SITEMATCH_DATA_HASH")));
    if dir.join("catalog.toml").is_file() {
        return Ok(dir);
    }
    let fail = |what: &str, p: &Path| {
        format!(
            "{what} {} to unpack the built-in data set (set SITEMATCH_CACHE to a writable \
             folder, or give --data DIR)",
            p.display()
        )
    };
    std::fs::create_dir_all(&base).with_context(|| fail("cannot create", &base))?;
    let tmp = tempfile::Builder::new()
        .prefix(".data-")
        .tempdir_in(&base)
        .with_context(|| fail("cannot write in", &base))?;
    tar::Archive::new(flate2::read::GzDecoder::new(BUILT_IN))
        .unpack(tmp.path())
        .with_context(|| fail("cannot write in", &base))?;
    match std::fs::rename(tmp.path(), &dir) {
        Ok(()) => {
            // The folder is in place: nothing left to remove.
            let _ = tmp.keep();
        }
        // Another process unpacked it meanwhile: use theirs.
        Err(_) if dir.join("catalog.toml").is_file() => {}
        Err(e) => return Err(e).with_context(|| fail("cannot write", &dir)),
    }
    Ok(dir)
}

/// Loads a command's data set through the snapshot cache unless `--no-cache`; notes on
/// stderr when a snapshot was rebuilt or could not be written.
pub(crate) fn load(data: &DataArgs) -> anyhow::Result<Catalog> {
    load_from(&DataSet::of(data)?.dir, data)
}

/// [`load`] from a data set already located.
pub(crate) fn load_from(dir: &Path, data: &DataArgs) -> anyhow::Result<Catalog> {
    let cache = if data.no_cache {
        None
    } else {
        sitematch::default_cache_dir()
    };
    let (catalog, used) = Catalog::builder(dir)
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
