//! Writing outputs: to stdout, or to a file put in place whole or not at all, with
//! the files beside it.
//!
//! `-o PATH` names one of two kinds of target:
//! - a regular file, or a path not there yet: written into a temporary file beside it
//!   (`.sitematch-*.part`), its sidecars (`.csvt`, `.prj`, `.qml`) too, and all of
//!   them renamed into place once every one is complete, so that a crash or a kill
//!   leaves the previous files, never a new CSV with old sidecars;
//! - anything else (a device such as `/dev/null`, a FIFO, a link such as
//!   `/dev/stdout`): written through, directly, never renamed over, and without
//!   sidecars (a note says so).
//!
//! A temporary file is never written past the free space of its folder (less a
//! reserve): the write stops with a message before the disk is full. Temporary files
//! that a killed run left (untouched for 10 minutes) are removed at the next write to
//! the same folder.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::Context;

/// A sidecar: its extension and its text.
pub(crate) type Sidecar = (&'static str, String);

/// The space a write leaves free on its disk (bytes).
const RESERVE: u64 = 64 << 20;

/// A temporary file untouched this long is one a killed run left.
const STALE: Duration = Duration::from_secs(600);

/// The message of a failed write, naming where it went.
pub(crate) fn cannot_write(path: Option<&Path>) -> String {
    match path {
        Some(p) => format!(
            "cannot write {} (is the disk full, or the file not writable?)",
            p.display()
        ),
        None => "cannot write the standard output".to_string(),
    }
}

/// A writer's error, named by where it went: a refusal of the data (a CRS a format
/// cannot describe, a value it cannot hold) says why, alone; a failure of the file
/// or the disk keeps [`cannot_write`]'s question before the reason.
pub(crate) fn write_failed(path: Option<&Path>, e: std::io::Error) -> anyhow::Error {
    use std::io::ErrorKind;
    match e.kind() {
        ErrorKind::Other
        | ErrorKind::InvalidInput
        | ErrorKind::InvalidData
        | ErrorKind::Unsupported => {
            let target = path.map_or_else(
                || "the standard output".to_string(),
                |p| p.display().to_string(),
            );
            anyhow::anyhow!("cannot write {target}: {e}")
        }
        _ => anyhow::Error::new(e).context(cannot_write(path)),
    }
}

/// True when `-o path` is written through (see the module's comment): a path that
/// exists and is not a regular file itself (a symbolic link counts as not).
pub(crate) fn written_through(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| !m.file_type().is_file())
}

/// Writes a file that a library writer creates by path (a GeoPackage) whole or not
/// at all: into a temporary file beside it, put in place with its sidecars when
/// complete. A target written through gets the finished file's bytes copied in.
pub(crate) fn write_atomically(
    path: &Path,
    sidecars: &[Sidecar],
    write: impl FnOnce(&Path) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    if written_through(path) {
        // The temporary file goes where temporary files go: the target's folder
        // may be /dev.
        let tmp = part_file(None).context("cannot create a temporary file")?;
        write(tmp.path())?;
        let mut from = std::fs::File::open(tmp.path()).with_context(|| cannot_write(Some(path)))?;
        let mut to = std::fs::OpenOptions::new()
            .write(true)
            .open(path)
            .with_context(|| cannot_write(Some(path)))?;
        std::io::copy(&mut from, &mut to).with_context(|| cannot_write(Some(path)))?;
        note_sidecars(path, sidecars);
        return Ok(());
    }
    let tmp = temporary_beside(path)?;
    write(tmp.path())?;
    put_in_place(tmp, path, sidecars)
}

/// Where output goes: stdout, a target written through, or a temporary file beside
/// the target, put in place by [`Output::finish`].
pub(crate) enum Output {
    Stdout(std::io::BufWriter<std::io::StdoutLock<'static>>),
    Direct(std::io::BufWriter<std::fs::File>),
    Atomic(std::io::BufWriter<Bounded>),
}

impl Output {
    pub(crate) fn open(path: Option<&Path>) -> anyhow::Result<Output> {
        let Some(p) = path else {
            return Ok(Output::Stdout(std::io::BufWriter::new(
                std::io::stdout().lock(),
            )));
        };
        if written_through(p) {
            let f = std::fs::OpenOptions::new()
                .write(true)
                .truncate(true)
                .open(p)
                .with_context(|| format!("cannot open {} to write", p.display()))?;
            return Ok(Output::Direct(std::io::BufWriter::new(f)));
        }
        let tmp = temporary_beside(p)?;
        let room = free_space(tmp.path()).map(|free| Room {
            room: free.saturating_sub(RESERVE),
            written: Arc::new(AtomicU64::new(0)),
            refusal: Arc::new(Mutex::new(None)),
            folder: folder_of(p).to_path_buf(),
        });
        Ok(Output::Atomic(std::io::BufWriter::with_capacity(
            1 << 16,
            Bounded { file: tmp, room },
        )))
    }

    /// The room of a file output's disk, to check a long write's estimated size
    /// against as it goes (`None`: not a file, or the system does not say).
    pub(crate) fn room(&self) -> Option<Room> {
        match self {
            Output::Atomic(w) => w.get_ref().room.clone(),
            _ => None,
        }
    }

    /// Flushes, and for a file puts it in place with its sidecars, all together.
    pub(crate) fn finish(self, path: Option<&Path>, sidecars: &[Sidecar]) -> anyhow::Result<()> {
        match self {
            Output::Stdout(mut w) => w.flush().with_context(|| cannot_write(None)),
            Output::Direct(mut w) => {
                w.flush().with_context(|| cannot_write(path))?;
                if let Some(p) = path {
                    note_sidecars(p, sidecars);
                }
                Ok(())
            }
            Output::Atomic(w) => {
                let bounded = w
                    .into_inner()
                    .map_err(|e| e.into_error())
                    .with_context(|| cannot_write(path))?;
                let Some(p) = path else {
                    return Ok(());
                };
                put_in_place(bounded.file, p, sidecars)
            }
        }
    }
}

/// Writes a whole text to `path` (put in place whole, as any output) or to standard
/// output.
pub(crate) fn write_text(path: Option<&Path>, text: &str) -> anyhow::Result<()> {
    let mut out = Output::open(path)?;
    out.write_all(text.as_bytes())
        .with_context(|| cannot_write(path))?;
    out.finish(path, &[])
}

/// Says that a target written through gets no sidecars.
fn note_sidecars(path: &Path, sidecars: &[Sidecar]) {
    if sidecars.is_empty() {
        return;
    }
    let names: Vec<String> = sidecars.iter().map(|(ext, _)| format!(".{ext}")).collect();
    eprintln!(
        "note: {} is not a regular file: it was written through, without its {} (write to a file to get them)",
        path.display(),
        names.join(" and ")
    );
}

/// The folder a path is in (`.` for a bare name).
fn folder_of(path: &Path) -> &Path {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    }
}

/// A temporary file in the folder of `path`, to be renamed to it; the temporary files
/// a killed run left there are removed first.
pub(crate) fn temporary_beside(path: &Path) -> anyhow::Result<tempfile::NamedTempFile> {
    let dir = folder_of(path);
    let removed = remove_stale_parts(dir);
    if removed > 0 {
        eprintln!(
            "note: removed {removed} unfinished output file(s) (.sitematch-*.part) an interrupted run left in {}",
            dir.display()
        );
    }
    part_file(Some(dir)).with_context(|| cannot_create(path))
}

/// A new `.sitematch-*.part` file in `dir`, else in the system's temporary folder.
fn part_file(dir: Option<&Path>) -> std::io::Result<tempfile::NamedTempFile> {
    let mut b = tempfile::Builder::new();
    b.prefix(".sitematch-").suffix(".part");
    match dir {
        Some(d) => b.tempfile_in(d),
        None => b.tempfile(),
    }
}

fn cannot_create(path: &Path) -> String {
    format!(
        "cannot create {} (its folder must exist and be writable)",
        path.display()
    )
}

/// Removes the `.sitematch-*.part` regular files of `dir` untouched for [`STALE`]
/// (a run writing one touches it all the time); returns how many.
fn remove_stale_parts(dir: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    let now = std::time::SystemTime::now();
    entries
        .flatten()
        .filter(|e| {
            let name = e.file_name();
            let name = name.to_string_lossy();
            name.starts_with(".sitematch-") && name.ends_with(".part")
        })
        .filter(|e| {
            e.metadata().is_ok_and(|m| {
                m.file_type().is_file()
                    && m.modified()
                        .is_ok_and(|t| now.duration_since(t).is_ok_and(|age| age > STALE))
            })
        })
        .filter(|e| std::fs::remove_file(e.path()).is_ok())
        .count()
}

/// The bytes free to this user on the disk of `path`, when the system says.
fn free_space(path: &Path) -> Option<u64> {
    #[cfg(unix)]
    {
        let s = rustix::fs::statvfs(path).ok()?;
        Some(s.f_bavail.saturating_mul(s.f_frsize))
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        None
    }
}

/// The free space of an output's disk (less [`RESERVE`]) and what was written to it.
#[derive(Clone)]
pub(crate) struct Room {
    room: u64,
    written: Arc<AtomicU64>,
    /// Set when the output's estimated size exceeds the room: the next write fails.
    refusal: Arc<Mutex<Option<String>>>,
    folder: PathBuf,
}

impl Room {
    /// After `done` of `total` units (grid cells) were written, refuses the rest of
    /// the write when its size, extrapolated from what was written, exceeds the room.
    /// Checked once at least 1% and 20,000 units are done, so that the estimate holds.
    pub(crate) fn check(&self, done: usize, total: usize) {
        if done < 20_000 || done < total / 100 {
            return;
        }
        let written = self.written.load(Ordering::Relaxed);
        let estimate = written as f64 * total as f64 / done as f64;
        if estimate > self.room as f64 {
            if let Ok(mut r) = self.refusal.lock() {
                *r = Some(format!(
                    "the output would take about {} MB (from its first {done} of {total} cells), and {} has {} MB free (less {} MB kept free): write it to another disk, or make it smaller (larger cells, a smaller extent)",
                    (estimate / 1_048_576.0).round(),
                    self.folder.display(),
                    (self.room + RESERVE) >> 20,
                    RESERVE >> 20
                ));
            }
        }
    }
}

/// A temporary file that refuses to grow past the room its disk has, or past its
/// estimated size's refusal.
pub(crate) struct Bounded {
    file: tempfile::NamedTempFile,
    room: Option<Room>,
}

impl Write for Bounded {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let Some(room) = &self.room else {
            return self.file.write(buf);
        };
        let full = |why: String| std::io::Error::new(std::io::ErrorKind::StorageFull, why);
        if let Some(why) = room.refusal.lock().ok().and_then(|r| r.clone()) {
            return Err(full(why));
        }
        let written = room.written.load(Ordering::Relaxed);
        if written + buf.len() as u64 > room.room {
            return Err(full(format!(
                "the output outgrew the free space of {} ({} MB written, {} MB kept free): \
                 write it to another disk, or make it smaller (a coarser grid, fewer sites)",
                room.folder.display(),
                written >> 20,
                RESERVE >> 20
            )));
        }
        let n = self.file.write(buf)?;
        room.written.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.file.flush()
    }
}

/// Puts a finished temporary file in place at `path` with its sidecars: every
/// sidecar is written whole to a temporary file first, then all are renamed, the main
/// file last. Each keeps the permissions of the file it replaces, else rw-r--r-- (a
/// temporary file is private).
fn put_in_place(
    tmp: tempfile::NamedTempFile,
    path: &Path,
    sidecars: &[Sidecar],
) -> anyhow::Result<()> {
    let mut ready = Vec::new();
    for (ext, text) in sidecars {
        let side = path.with_extension(ext);
        // Beside the main file's temporary, whose creation cleaned the folder.
        let mut t = part_file(Some(folder_of(&side))).with_context(|| cannot_create(&side))?;
        t.write_all(text.as_bytes())
            .and_then(|()| t.flush())
            .with_context(|| cannot_write(Some(&side)))?;
        ready.push((t, side));
    }
    ready.push((tmp, path.to_path_buf()));
    for (t, p) in ready {
        persist(t, &p)?;
    }
    Ok(())
}

/// Renames a finished temporary file to `path`.
fn persist(tmp: tempfile::NamedTempFile, path: &Path) -> anyhow::Result<()> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_temporary_file_stops_before_it_outgrows_its_room() {
        let dir = tempfile::tempdir().unwrap();
        let room = Room {
            room: 10,
            written: Arc::new(AtomicU64::new(0)),
            refusal: Arc::new(Mutex::new(None)),
            folder: dir.path().to_path_buf(),
        };
        let mut b = Bounded {
            file: tempfile::NamedTempFile::new_in(dir.path()).unwrap(),
            room: Some(room.clone()),
        };
        b.write_all(b"0123456789").unwrap();
        let err = b.write_all(b"x").unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::StorageFull);
        assert!(err.to_string().contains("outgrew the free space"), "{err}");
        assert_eq!(std::fs::read(b.file.path()).unwrap(), b"0123456789");
        // An estimate: 10 bytes for the first 20,000 of 40,000 cells is 20 bytes,
        // more than the room; before 1% (and 20,000 cells), no estimate is made.
        let mut room = room;
        room.room = 15;
        room.written.store(10, Ordering::Relaxed);
        room.check(19_999, 40_000);
        assert!(room.refusal.lock().unwrap().is_none());
        room.check(20_000, 40_000);
        let why = room.refusal.lock().unwrap().clone().unwrap();
        assert!(why.contains("from its first 20000 of 40000 cells"), "{why}");
        let mut b = Bounded {
            file: tempfile::NamedTempFile::new_in(dir.path()).unwrap(),
            room: Some(room),
        };
        let err = b.write_all(b"x").unwrap_err();
        assert!(err.to_string().contains("would take about"), "{err}");
        // The room of a real folder is what statvfs says, and some is free here.
        assert!(free_space(dir.path()).is_some_and(|f| f > 0));
    }
}
