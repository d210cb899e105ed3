//! Rankings kept in a folder (`sitematch serve --store DIR`), so that a restart serves
//! the rankings made before under the same ids.
//!
//! One file per ranking, `ranking-<16 hex>.ranking`: a 64-byte header (magic, format,
//! the library's build id, the data set's version, the payload's length and CRC-32),
//! then the ranking entry in postcard. A file is written whole to a temporary in the
//! same folder, synced, then renamed over, so a crash leaves the old file or the new
//! one, never half of one. A file is read only when every check passes: a file of
//! another build (whose layout may differ) or another data set is left alone, and a
//! damaged one is named and skipped. The folder is bounded in bytes: past the bound,
//! the files written longest ago go first.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};

use crate::state::RankingEntry;

const MAGIC: &[u8; 16] = b"sitematch rankng";
/// Bumped whenever the header or the payload's layout changes.
const FORMAT: u32 = 2;
/// Magic, format, build id, data version, payload length, payload CRC-32.
const HEADER: usize = 16 + 4 + 16 + 16 + 8 + 4;
const EXTENSION: &str = "ranking";
/// A temporary left this long (a crash while writing) is removed.
const STALE_PART: Duration = Duration::from_secs(600);

/// What a file holds past its header.
#[derive(Serialize, Deserialize)]
struct Stored {
    id: String,
    metadata: String,
    answer: Vec<u8>,
    ranking: sitematch::Ranking,
}

/// A folder of rankings, bounded in bytes.
pub struct Store {
    dir: PathBuf,
    max_bytes: u64,
    /// One write (and its eviction) at a time.
    writing: Mutex<()>,
}

/// What opening a store found.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct StoreReport {
    /// Rankings of this build and data set, that the server serves (the newest it
    /// loads are checked whole; the others by their header, and whole when asked for).
    pub usable: usize,
    /// Rankings of another build of sitematch or another data set: kept (they count
    /// towards the bound) but not served.
    pub other: usize,
    /// Files that failed a check, each with why.
    pub damaged: Vec<String>,
}

/// A ranking's id as the server makes them (`ranking-` and 16 lowercase hex digits):
/// anything else never becomes a path.
pub fn is_ranking_id(id: &str) -> bool {
    id.strip_prefix("ranking-").is_some_and(|h| {
        h.len() == 16
            && h.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    })
}

impl Store {
    /// The store in `dir`, made if missing; an error says why it cannot be used.
    /// Temporaries left by a crash are removed.
    pub fn open(dir: &Path, max_bytes: u64) -> Result<Store, String> {
        fs::create_dir_all(dir)
            .map_err(|e| format!("{}: cannot make the folder: {e}", dir.display()))?;
        if !dir.is_dir() {
            return Err(format!("{}: not a folder", dir.display()));
        }
        let store = Store {
            dir: dir.to_path_buf(),
            max_bytes,
            writing: Mutex::new(()),
        };
        // Can it be written? A temporary made and removed says so now, not at the
        // first ranking.
        let probe = store.part_path("probe");
        fs::write(&probe, b"")
            .and_then(|()| fs::remove_file(&probe))
            .map_err(|e| format!("{}: cannot write in it: {e}", dir.display()))?;
        for entry in fs::read_dir(dir).into_iter().flatten().flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let old = entry
                .metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| t.elapsed().ok())
                .is_some_and(|age| age > STALE_PART);
            if name.starts_with(".sitematch-") && name.ends_with(".part") && old {
                let _ = fs::remove_file(entry.path());
            }
        }
        Ok(store)
    }

    /// The folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn path(&self, id: &str) -> PathBuf {
        self.dir.join(format!("{id}.{EXTENSION}"))
    }

    fn part_path(&self, id: &str) -> PathBuf {
        use std::sync::atomic::{AtomicU64, Ordering};
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        self.dir
            .join(format!(".sitematch-{id}-{}-{n}.part", std::process::id()))
    }

    /// Writes a ranking (atomically), then removes the oldest files beyond the bound.
    /// A ranking larger than the whole bound is not written (an error says so).
    pub fn save(&self, entry: &RankingEntry, data_version: &str) -> Result<(), String> {
        let stored = Stored {
            id: entry.id.clone(),
            metadata: entry.metadata.to_string(),
            answer: entry.answer.clone(),
            ranking: entry.ranking.clone(),
        };
        let payload = postcard::to_stdvec(&stored)
            .map_err(|e| format!("{}: cannot encode it: {e}", entry.id))?;
        let size = (HEADER + payload.len()) as u64;
        if size > self.max_bytes {
            return Err(format!(
                "{}: {} MB, more than the store's bound of {} MB; not kept (raise --store-max-mb)",
                entry.id,
                size.div_ceil(1 << 20),
                self.max_bytes >> 20
            ));
        }
        let mut bytes = Vec::with_capacity(HEADER + payload.len());
        bytes.extend_from_slice(MAGIC);
        bytes.extend_from_slice(&FORMAT.to_le_bytes());
        bytes.extend_from_slice(&hex16(sitematch::BUILD_ID));
        bytes.extend_from_slice(&hex16(data_version));
        bytes.extend_from_slice(&(payload.len() as u64).to_le_bytes());
        bytes.extend_from_slice(&crc32fast::hash(&payload).to_le_bytes());
        bytes.extend_from_slice(&payload);
        let _one = self.writing.lock().unwrap_or_else(|p| p.into_inner());
        let part = self.part_path(&entry.id);
        let written = fs::File::create(&part)
            .and_then(|mut f| {
                f.write_all(&bytes)?;
                f.sync_all()
            })
            .and_then(|()| fs::rename(&part, self.path(&entry.id)));
        if let Err(e) = written {
            let _ = fs::remove_file(&part);
            return Err(format!("{}: cannot write it: {e}", self.dir.display()));
        }
        self.evict();
        Ok(())
    }

    /// Removes the files written longest ago until the folder is within its bound.
    fn evict(&self) {
        let mut files: Vec<(SystemTime, u64, PathBuf)> = self
            .files()
            .into_iter()
            .filter_map(|p| {
                let m = fs::symlink_metadata(&p).ok()?;
                Some((m.modified().ok()?, m.len(), p))
            })
            .collect();
        files.sort();
        let mut total: u64 = files.iter().map(|f| f.1).sum();
        for (_, len, path) in files {
            if total <= self.max_bytes {
                break;
            }
            if fs::remove_file(&path).is_ok() {
                total -= len;
            }
        }
    }

    /// The ranking files of the folder.
    fn files(&self) -> Vec<PathBuf> {
        fs::read_dir(&self.dir)
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path())
            .filter(|p| {
                p.extension().is_some_and(|e| e == EXTENSION)
                    && p.file_stem()
                        .and_then(|s| s.to_str())
                        .is_some_and(is_ranking_id)
            })
            .collect()
    }

    /// The ranking of `id` made over this data set by this build, if the store has
    /// it; an error names a file that is there but fails a check.
    pub fn load(&self, id: &str, data_version: &str) -> Result<Option<RankingEntry>, String> {
        if !is_ranking_id(id) {
            return Ok(None);
        }
        match self.read(&self.path(id), data_version)? {
            Read::Usable(e) => Ok(Some(*e)),
            Read::Other | Read::Missing => Ok(None),
        }
    }

    /// The `n` rankings written last over this data set by this build, newest first,
    /// and what the folder holds besides.
    pub fn recent(&self, data_version: &str, n: usize) -> (Vec<RankingEntry>, StoreReport) {
        let mut files: Vec<(SystemTime, PathBuf)> = self
            .files()
            .into_iter()
            .map(|p| {
                let t = fs::symlink_metadata(&p)
                    .and_then(|m| m.modified())
                    .unwrap_or(SystemTime::UNIX_EPOCH);
                (t, p)
            })
            .collect();
        files.sort_by(|a, b| b.cmp(a));
        let mut report = StoreReport::default();
        let mut entries = Vec::new();
        for (_, path) in files {
            // The header says whether it is of this build and data set; past the
            // `n` newest, that is all that is read.
            let usable = if entries.len() < n {
                self.read(&path, data_version).map(|r| match r {
                    Read::Usable(e) => {
                        entries.push(*e);
                        true
                    }
                    Read::Other | Read::Missing => false,
                })
            } else {
                header_usable(&path, data_version)
            };
            match usable {
                Ok(true) => report.usable += 1,
                Ok(false) => report.other += 1,
                Err(why) => report.damaged.push(why),
            }
        }
        (entries, report)
    }

    fn read(&self, path: &Path, data_version: &str) -> Result<Read, String> {
        let name = path.display();
        let meta = match fs::symlink_metadata(path) {
            Ok(m) => m,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Read::Missing),
            Err(e) => return Err(format!("{name}: {e}")),
        };
        // Never a FIFO or a device (it would wait, or read for ever), nor a file
        // larger than the store may hold.
        if !meta.is_file() {
            return Err(format!("{name}: not a regular file"));
        }
        if meta.len() > self.max_bytes {
            return Err(format!("{name}: larger than the store's bound"));
        }
        let bytes = fs::read(path).map_err(|e| format!("{name}: {e}"))?;
        let payload = match check_header(&bytes, data_version) {
            Ok(Some(payload)) => payload,
            Ok(None) => return Ok(Read::Other),
            Err(why) => return Err(format!("{name}: {why}")),
        };
        let stored: Stored =
            postcard::from_bytes(payload).map_err(|e| format!("{name}: cannot decode it: {e}"))?;
        let metadata = serde_json::from_str(&stored.metadata)
            .map_err(|e| format!("{name}: its metadata: {e}"))?;
        if path.file_stem().and_then(|s| s.to_str()) != Some(stored.id.as_str()) {
            return Err(format!("{name}: holds ranking {:?}", stored.id));
        }
        Ok(Read::Usable(Box::new(RankingEntry {
            id: stored.id,
            ranking: stored.ranking,
            metadata,
            answer: stored.answer,
            reweigh: std::sync::OnceLock::new(),
        })))
    }
}

enum Read {
    Usable(Box<RankingEntry>),
    /// Another build's or another data set's.
    Other,
    Missing,
}

/// A 16-byte field of a version string (hex digits), cut or padded with zeros.
fn hex16(s: &str) -> [u8; 16] {
    let mut out = [0u8; 16];
    for (o, b) in out.iter_mut().zip(s.bytes()) {
        *o = b;
    }
    out
}

/// The payload of a file of this build and data set (`None`: another's), or what is
/// wrong with it.
fn check_header<'a>(bytes: &'a [u8], data_version: &str) -> Result<Option<&'a [u8]>, String> {
    let (head, payload) = bytes
        .split_at_checked(HEADER)
        .ok_or("shorter than a stored ranking's header")?;
    if !ours(head, data_version)? {
        return Ok(None);
    }
    let field = |at: usize, n: usize| &head[at..at + n];
    let u32_at = |at: usize| u32::from_le_bytes(field(at, 4).try_into().unwrap_or_default());
    let len = u64::from_le_bytes(field(52, 8).try_into().unwrap_or_default());
    if len != payload.len() as u64 {
        return Err(format!(
            "cut short or extended: its header says {len} bytes, it holds {}",
            payload.len()
        ));
    }
    if u32_at(60) != crc32fast::hash(payload) {
        return Err("damaged: its checksum does not match".into());
    }
    Ok(Some(payload))
}

/// Whether a file's header is of this build and data set (its payload unread).
fn header_usable(path: &Path, data_version: &str) -> Result<bool, String> {
    use std::io::Read as _;
    let name = path.display();
    let mut head = [0u8; HEADER];
    fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut head))
        .map_err(|e| format!("{name}: {e}"))?;
    ours(&head, data_version).map_err(|why| format!("{name}: {why}"))
}

/// Whether a header (its first [`HEADER`] bytes) is of this format, build and data
/// set; an error when it is not a stored ranking's at all.
fn ours(head: &[u8], data_version: &str) -> Result<bool, String> {
    if head[..16] != MAGIC[..] {
        return Err("not a sitematch ranking".into());
    }
    Ok(head[16..20] == FORMAT.to_le_bytes()
        && head[20..36] == hex16(sitematch::BUILD_ID)
        && head[36..52] == hex16(data_version))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_ranking_ids_become_paths() {
        assert!(is_ranking_id("ranking-0123456789abcdef"));
        for bad in [
            "ranking-0123456789ABCDEF",
            "ranking-0123456789abcde",
            "ranking-../../etc/passwd",
            "friches",
            "ranking-0123456789abcdef0",
        ] {
            assert!(!is_ranking_id(bad), "{bad}");
        }
    }

    #[test]
    fn a_header_is_checked_field_by_field() {
        let payload = b"payload";
        let mut bytes = Vec::new();
        bytes.extend_from_slice(MAGIC);
        bytes.extend_from_slice(&FORMAT.to_le_bytes());
        bytes.extend_from_slice(&hex16(sitematch::BUILD_ID));
        bytes.extend_from_slice(&hex16("00112233aabbccdd"));
        bytes.extend_from_slice(&(payload.len() as u64).to_le_bytes());
        bytes.extend_from_slice(&crc32fast::hash(payload).to_le_bytes());
        bytes.extend_from_slice(payload);
        assert_eq!(
            check_header(&bytes, "00112233aabbccdd"),
            Ok(Some(&payload[..]))
        );
        assert_eq!(check_header(&bytes, "ffffffffffffffff"), Ok(None));
        let mut flipped = bytes.clone();
        *flipped.last_mut().unwrap() ^= 1;
        assert!(check_header(&flipped, "00112233aabbccdd")
            .unwrap_err()
            .contains("checksum"));
        assert!(check_header(&bytes[..bytes.len() - 1], "00112233aabbccdd")
            .unwrap_err()
            .contains("cut short"));
        assert!(check_header(&bytes[..10], "00112233aabbccdd").is_err());
    }
}
