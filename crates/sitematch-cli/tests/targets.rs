//! Where `-o` writes: a regular file whole with its sidecars together, anything else
//! (a FIFO, a link such as /dev/stdout) written through and never replaced, and the
//! unfinished files a killed run left cleaned up.

use std::path::Path;
use std::process::{Command, Output, Stdio};

use crate::util::{assert_mentions, fixtures};

fn rank_to(target: &Path, extra: &[&str], stdout: Stdio) -> Output {
    let brief = fixtures().join("rank/brief.toml");
    let data = fixtures().join("rank");
    Command::new(env!("CARGO_BIN_EXE_sitematch"))
        .arg("rank")
        .arg(&brief)
        .arg("--data")
        .arg(&data)
        .arg("-o")
        .arg(target)
        .args(extra)
        .env_remove("SITEMATCH_DATA")
        .env(
            "SITEMATCH_CACHE",
            Path::new(env!("CARGO_TARGET_TMPDIR")).join("sitematch-cache"),
        )
        .stdout(stdout)
        .output()
        .unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Reads a FIFO on a thread while `write` writes to it; returns what came through.
fn through_fifo(fifo: &Path, write: impl FnOnce()) -> Vec<u8> {
    let path = fifo.to_path_buf();
    let reader = std::thread::spawn(move || std::fs::read(path).unwrap());
    write();
    reader.join().unwrap()
}

#[test]
fn a_fifo_or_a_link_is_written_through_never_replaced_and_gets_no_sidecars() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("pipe.csv");
    assert!(Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    let mut err = String::new();
    let got = through_fifo(&fifo, || {
        err = stderr(&rank_to(&fifo, &[], Stdio::null()));
    });
    assert!(
        String::from_utf8_lossy(&got).starts_with("site_id,"),
        "{err}"
    );
    let kind = std::fs::symlink_metadata(&fifo).unwrap().file_type();
    assert!(
        std::os::unix::fs::FileTypeExt::is_fifo(&kind),
        "the FIFO was replaced"
    );
    assert!(!dir.path().join("pipe.csvt").exists() && !dir.path().join("pipe.prj").exists());
    assert_mentions(
        &err,
        &["is not a regular file", "without its .csvt and .prj"],
    );
    // A GeoPackage (written by path) comes through whole.
    let got = through_fifo(&fifo, || {
        let out = rank_to(&fifo, &["--format", "gpkg"], Stdio::null());
        assert!(out.status.success(), "{}", stderr(&out));
    });
    assert!(
        got.starts_with(b"SQLite format 3\0"),
        "{:?}",
        &got[..16.min(got.len())]
    );
    // /dev/stdout redirected to a file: the file gets the ranking, the link stays.
    let redirected = dir.path().join("out.csv");
    let file = std::fs::File::create(&redirected).unwrap();
    let out = rank_to(
        Path::new("/dev/stdout"),
        &["--format", "csv"],
        Stdio::from(file),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let text = std::fs::read_to_string(&redirected).unwrap();
    assert!(
        text.starts_with("site_id,") && text.lines().count() > 1,
        "{text:?}"
    );
    assert!(std::fs::symlink_metadata("/dev/stdout")
        .unwrap()
        .file_type()
        .is_symlink());
    // A link the user made: the link stays, its target gets the ranking.
    let real = dir.path().join("real.geojson");
    let link = dir.path().join("latest.geojson");
    std::fs::write(&real, "old").unwrap();
    std::os::unix::fs::symlink(&real, &link).unwrap();
    let out = rank_to(&link, &[], Stdio::null());
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(std::fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    assert!(std::fs::read_to_string(&real)
        .unwrap()
        .starts_with("{\"type\":\"FeatureCollection\""));
}

#[test]
fn a_csv_and_its_sidecars_are_put_in_place_together_or_not_at_all() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("out.csv");
    let out = rank_to(&csv, &[], Stdio::null());
    assert!(out.status.success(), "{}", stderr(&out));
    let before = std::fs::read(&csv).unwrap();
    // The .prj cannot be put in place (a folder holds its name): the CSV is not
    // replaced either, and the error names the file.
    std::fs::remove_file(dir.path().join("out.prj")).unwrap();
    std::fs::create_dir(dir.path().join("out.prj")).unwrap();
    std::fs::write(dir.path().join("out.prj").join("x"), "").unwrap();
    let out = rank_to(&csv, &["--top", "2"], Stdio::null());
    assert!(!out.status.success());
    assert_mentions(&stderr(&out), &["out.prj"]);
    assert_eq!(
        std::fs::read(&csv).unwrap(),
        before,
        "the CSV changed without its .prj"
    );
    // No temporary file is left.
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().ends_with(".part"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn unfinished_files_of_a_killed_run_are_removed_at_the_next_write() {
    let dir = tempfile::tempdir().unwrap();
    let old = dir.path().join(".sitematch-killed.part");
    let fresh = dir.path().join(".sitematch-running.part");
    std::fs::write(&old, "half a ranking").unwrap();
    std::fs::write(&fresh, "a ranking being written").unwrap();
    let hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    std::fs::File::options()
        .write(true)
        .open(&old)
        .unwrap()
        .set_modified(hour_ago)
        .unwrap();
    let out = rank_to(&dir.path().join("out.geojson"), &[], Stdio::null());
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!old.exists(), "the stale file is still there");
    assert!(
        fresh.exists(),
        "a file another run may be writing was removed"
    );
    assert_mentions(&stderr(&out), &["removed 1 unfinished output file(s)"]);
}
