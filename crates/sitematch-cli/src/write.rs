//! Writing outputs: to stdout, or to a file put in place whole or not at all, with
//! the files beside it.

use std::io::Write;

use anyhow::Context;

/// Writes `text` beside `path`, with the extension `ext` (`x.csv` -> `x.csvt`).
pub(crate) fn write_beside(path: &std::path::Path, ext: &str, text: &str) -> anyhow::Result<()> {
    let side = path.with_extension(ext);
    let mut out = Output::open(Some(&side))?;
    out.write_all(text.as_bytes())
        .with_context(|| cannot_write(Some(&side)))?;
    out.finish(Some(&side))
}

/// Writes a file that a library writer creates by path (a GeoPackage) whole or not
/// at all: into a temporary file beside it, put in place when complete.
pub(crate) fn write_atomically(
    path: &std::path::Path,
    write: impl FnOnce(&std::path::Path) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let tmp = temporary_beside(path)?;
    write(tmp.path())?;
    persist(tmp, path)
}

/// The message of a failed write, naming where it went.
pub(crate) fn cannot_write(path: Option<&std::path::Path>) -> String {
    match path {
        Some(p) => format!(
            "cannot write {} (is the disk full, or the file not writable?)",
            p.display()
        ),
        None => "cannot write the standard output".to_string(),
    }
}

/// Where output goes: stdout, or the `-o` file written whole or not at all (into a
/// temporary file beside it, renamed into place when complete, so that a crash or a
/// kill leaves the previous file); a path that is not a regular file (`/dev/stdout`,
/// a pipe) is written directly.
pub(crate) enum Output {
    Stdout(std::io::BufWriter<std::io::StdoutLock<'static>>),
    Direct(std::io::BufWriter<std::fs::File>),
    Atomic(std::io::BufWriter<tempfile::NamedTempFile>),
}

impl Output {
    pub(crate) fn open(path: Option<&std::path::Path>) -> anyhow::Result<Output> {
        let Some(p) = path else {
            return Ok(Output::Stdout(std::io::BufWriter::new(
                std::io::stdout().lock(),
            )));
        };
        let special = p.exists() && !p.is_file();
        if special {
            let f = std::fs::File::create(p)
                .with_context(|| format!("cannot create {}", p.display()))?;
            return Ok(Output::Direct(std::io::BufWriter::new(f)));
        }
        Ok(Output::Atomic(std::io::BufWriter::new(temporary_beside(
            p,
        )?)))
    }

    /// Flushes, and for a file puts it in place.
    pub(crate) fn finish(self, path: Option<&std::path::Path>) -> anyhow::Result<()> {
        match self {
            Output::Stdout(mut w) => w.flush().with_context(|| cannot_write(None)),
            Output::Direct(mut w) => w.flush().with_context(|| cannot_write(path)),
            Output::Atomic(w) => {
                let tmp = w
                    .into_inner()
                    .map_err(|e| e.into_error())
                    .with_context(|| cannot_write(path))?;
                let Some(p) = path else {
                    return Ok(());
                };
                persist(tmp, p)
            }
        }
    }
}

/// A temporary file in the folder of `path`, to be renamed to it.
pub(crate) fn temporary_beside(path: &std::path::Path) -> anyhow::Result<tempfile::NamedTempFile> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => std::path::Path::new("."),
    };
    tempfile::Builder::new()
        .prefix(".sitematch-")
        .suffix(".part")
        .tempfile_in(dir)
        .with_context(|| {
            format!(
                "cannot create {} (its folder must exist and be writable)",
                path.display()
            )
        })
}

/// Puts a finished temporary file in place at `path`, with the file's own
/// permissions when it existed, else the usual rw-r--r-- (a temporary file is
/// private).
pub(crate) fn persist(tmp: tempfile::NamedTempFile, path: &std::path::Path) -> anyhow::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path).map_or(0o644, |m| m.permissions().mode());
        let _ = tmp
            .as_file()
            .set_permissions(std::fs::Permissions::from_mode(mode));
    }
    tmp.persist(path)
        .map_err(|e| e.error)
        .with_context(|| format!("cannot put the output in place at {}", path.display()))?;
    Ok(())
}

impl Write for Output {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self {
            Output::Stdout(w) => w.write(buf),
            Output::Direct(w) => w.write(buf),
            Output::Atomic(w) => w.write(buf),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            Output::Stdout(w) => w.flush(),
            Output::Direct(w) => w.flush(),
            Output::Atomic(w) => w.flush(),
        }
    }
}
