//! The malformed-input corpus (tests/fixtures/bad, written by its make.py): every
//! case has an expected outcome, an error that names the file and the place (exit
//! code 2) or skips counted by reason; no case may panic (exit code 101) or hang.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use sitematch::Catalog;

use crate::util::fixtures;

struct Case {
    name: String,
    command: String,
    expect: String,
    stderr: Vec<String>,
    loaded: Option<usize>,
    skipped: BTreeMap<String, usize>,
    /// With the `proj` feature PROJ knows the CRS: the case need only load or fail
    /// cleanly.
    proj_differs: bool,
}

fn cases() -> Vec<Case> {
    let text = std::fs::read_to_string(fixtures().join("bad/cases.toml")).unwrap();
    let table: toml::Table = toml::from_str(&text).unwrap();
    table["case"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| Case {
            name: c["name"].as_str().unwrap().to_string(),
            command: c["command"].as_str().unwrap().to_string(),
            expect: c["expect"].as_str().unwrap().to_string(),
            proj_differs: c
                .get("proj_differs")
                .and_then(|b| b.as_bool())
                .unwrap_or(false),
            stderr: c["stderr"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| s.as_str().unwrap().to_string())
                .collect(),
            loaded: c
                .get("loaded")
                .and_then(|l| l.as_integer())
                .map(|l| l as usize),
            skipped: c["skipped"]
                .as_table()
                .unwrap()
                .iter()
                .map(|(k, v)| (k.clone(), v.as_integer().unwrap() as usize))
                .collect(),
        })
        .collect()
}

/// Runs the CLI with a time limit: (exit code, stderr).
fn run(args: &[String], limit: Duration) -> (i32, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_sitematch"))
        .args(args)
        .env_remove("SITEMATCH_DATA")
        .env(
            "SITEMATCH_CACHE",
            std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("sitematch-cache"),
        )
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let mut err = String::new();
            use std::io::Read;
            child
                .stderr
                .take()
                .unwrap()
                .read_to_string(&mut err)
                .unwrap();
            return (status.code().unwrap_or(-1), err);
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            panic!("{args:?} still running after {limit:?}: a hang");
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn args(case: &Case, dir: &Path) -> Vec<String> {
    let d = dir.display().to_string();
    let brief = dir.join("brief.toml").display().to_string();
    match case.command.as_str() {
        "layers" => vec!["layers".into(), "--data".into(), d],
        other => vec![other.into(), brief, "--data".into(), d],
    }
}

#[test]
fn every_malformed_input_has_its_expected_outcome() {
    let cases = cases();
    assert!(cases.len() >= 50, "only {} cases", cases.len());
    let mut seen = std::collections::HashSet::new();
    for case in &cases {
        assert!(seen.insert(case.name.clone()), "case {} twice", case.name);
        let dir: PathBuf = fixtures().join("bad").join(&case.name);
        if cfg!(feature = "proj") && case.proj_differs {
            let (code, err) = run(&args(case, &dir), Duration::from_secs(30));
            assert!(code == 0 || code == 2, "{}: exit {code}: {err}", case.name);
            continue;
        }
        // Through the library, for the load cases: the error or the skips.
        if case.command == "layers" {
            match (Catalog::from_path(&dir), case.expect.as_str()) {
                (Err(e), "error") => {
                    let msg = e.to_string();
                    for s in &case.stderr {
                        assert!(
                            msg.contains(s.as_str()),
                            "{}: {s:?} not in {msg:?}",
                            case.name
                        );
                    }
                }
                (Ok(c), "ok") => {
                    let mut skipped: BTreeMap<String, usize> = BTreeMap::new();
                    for l in &c.layers {
                        for (code, n) in l.skipped_by_reason() {
                            *skipped.entry(code.to_string()).or_insert(0) += n;
                        }
                    }
                    assert_eq!(skipped, case.skipped, "{}: skipped", case.name);
                    if let Some(n) = case.loaded {
                        let loaded: usize = c.layers.iter().map(|l| l.features.len()).sum();
                        assert_eq!(loaded, n, "{}: loaded", case.name);
                    }
                }
                (Err(e), _) => panic!("{}: unexpected error {e}", case.name),
                (Ok(_), _) => panic!("{}: loaded, expected an error", case.name),
            }
        }
        // Through the CLI: the exit code, the message, no panic, no hang.
        let (code, err) = run(&args(case, &dir), Duration::from_secs(30));
        assert_ne!(code, 101, "{}: panicked: {err}", case.name);
        assert!(!err.contains("panicked"), "{}: {err}", case.name);
        let want = match case.expect.as_str() {
            "ok" => 0,
            "no_site" => 1,
            _ => 2,
        };
        assert_eq!(code, want, "{}: exit code; stderr: {err}", case.name);
        for s in &case.stderr {
            assert!(
                err.contains(s.as_str()),
                "{}: {s:?} not in stderr {err:?}",
                case.name
            );
        }
    }
    eprintln!("{} malformed-input cases passed", cases.len());
}
