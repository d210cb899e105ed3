//! Briefs that would exhaust the machine are refused before the work, under an
//! address-space limit set in the test (never the whole machine's memory).

use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Output};

use crate::util::assert_mentions;

/// The address space the command runs in: enough for the ranking these tests ask for
/// done right, far too little for the memory the unbounded runs took.
const ADDRESS_SPACE: u64 = 1 << 30;

/// Runs `sitematch args` in `dir` with its address space limited to [`ADDRESS_SPACE`].
fn limited(dir: &Path, args: &[&str]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_sitematch"));
    command
        .args(args)
        .current_dir(dir)
        .env_remove("SITEMATCH_DATA")
        .env("SITEMATCH_CACHE", dir.join("cache"));
    let limit = libc::rlimit {
        rlim_cur: ADDRESS_SPACE,
        rlim_max: ADDRESS_SPACE,
    };
    // SAFETY: setrlimit is async-signal-safe and touches only the child's limits.
    unsafe {
        command.pre_exec(move || {
            if libc::setrlimit(libc::RLIMIT_AS, &limit) == 0 {
                Ok(())
            } else {
                Err(std::io::Error::last_os_error())
            }
        });
    }
    command.output().expect("run sitematch")
}

/// A data set of `n` sites on a grid over northern France and 50 stations.
fn data_set(n: usize) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let mut sites = String::from("id,x,y\n");
    for i in 0..n {
        let (lon, lat) = (
            0.0 + (i % 200) as f64 * 0.02,
            47.0 + (i / 200) as f64 * 0.01,
        );
        sites.push_str(&format!("s{i:06},{lon},{lat}\n"));
    }
    let mut stations = String::from("id,x,y\n");
    for i in 0..50 {
        stations.push_str(&format!("t{i},{},{}\n", i as f64 * 0.08, 47.5));
    }
    let write = |name: &str, text: &str| std::fs::write(dir.path().join(name), text).unwrap();
    write("sites.csv", &sites);
    write("stations.csv", &stations);
    write(
        "catalog.toml",
        "[[layer]]\nname = \"sites\"\nrole = \"sites\"\npath = \"sites.csv\"\nid = \"id\"\nx = \"x\"\ny = \"y\"\n\
         [[layer]]\nname = \"stations\"\nrole = \"facilities\"\npath = \"stations.csv\"\nid = \"id\"\nx = \"x\"\ny = \"y\"\n",
    );
    dir
}

fn distance(i: usize) -> String {
    format!("[[criterion]]\nname = \"station_{i}\"\ntype = \"distance\"\nlayer = \"stations\"\nideal_km = {}\nzero_km = 80\n", 1 + i % 50)
}

/// Writes `brief` to `brief.toml` in `dir` and ranks it there, limited.
fn rank_brief(dir: &Path, brief: &str) -> Output {
    std::fs::write(dir.join("brief.toml"), brief).unwrap();
    limited(dir, &["rank", "brief.toml", "--data", ".", "-o", "out.csv"])
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn a_brief_of_a_thousand_criteria_is_refused_before_it_takes_the_memory() {
    // 20,000 sites x 1,000 criteria kept about 5 GB of results.
    let dir = data_set(20_000);
    let brief: String = (0..1000).map(distance).collect();
    let out = rank_brief(dir.path(), &brief);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert_mentions(&err, &["criterion: 1000 criteria", "at most 100"]);
}

#[test]
fn robustness_runs_past_the_ranks_limit_are_refused_from_the_brief_and_the_flag() {
    // 2,000 ranked sites: 1,000,000 runs kept 8 GB of ranks.
    let dir = data_set(2_000);
    let out = rank_brief(
        dir.path(),
        &format!("{}[robustness]\nruns = 1000000\n", distance(3)),
    );
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert_mentions(
        &err,
        &[
            "robustness.runs: 1,000,000 runs over 2,000 ranked sites",
            "at most 100,000 runs",
        ],
    );
    let with_runs = |runs: &str| {
        let args = [
            "rank",
            "brief.toml",
            "--data",
            ".",
            "--robustness",
            runs,
            "-o",
            "out.csv",
        ];
        limited(dir.path(), &args)
    };
    let out = with_runs("500000");
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert_mentions(&stderr(&out), &["500,000 runs over 2,000 ranked sites"]);
    // Within the limit, the runs are done in the same address space.
    let out = with_runs("20000");
    assert!(out.status.success(), "{}", stderr(&out));
    let csv = std::fs::read_to_string(dir.path().join("out.csv")).unwrap();
    assert!(
        csv.lines().next().is_some_and(|h| h.contains("p_top")),
        "{csv}"
    );
}

/// A million sites on a grid of 1,000 by 1,000 over a degree of Burgundy, 50 stations
/// on 50 of them: streamed (`stream = true`), they rank in the address space where
/// loading them fails, and the best are the sites a station stands on (0 km, full
/// marks), the smallest ids first.
#[test]
fn a_streamed_layer_ranks_where_loading_it_fails() {
    let dir = tempfile::tempdir().unwrap();
    let at = |i: usize| {
        (
            (i % 1000) as f64 * 0.004 + 4.0,
            (i / 1000) as f64 * 0.001 + 47.0,
        )
    };
    let mut sites = String::from("id,x,y\n");
    for i in 0..1_000_000 {
        let (x, y) = at(i);
        sites.push_str(&format!("s{i:07},{x},{y}\n"));
    }
    // Station k on site (row 500, column 20 k), written as that site is.
    let on: Vec<usize> = (0..50).map(|k| 500 * 1000 + 20 * k).collect();
    let mut stations = String::from("id,x,y\n");
    for (k, &i) in on.iter().enumerate() {
        let (x, y) = at(i);
        stations.push_str(&format!("t{k},{x},{y}\n"));
    }
    let write = |name: &str, text: &str| std::fs::write(dir.path().join(name), text).unwrap();
    write("sites.csv", &sites);
    write("stations.csv", &stations);
    let catalog = |stream: &str| {
        format!("[[layer]]\nname = \"sites\"\nrole = \"sites\"\n{stream}path = \"sites.csv\"\nid = \"id\"\nx = \"x\"\ny = \"y\"\n\
         [[layer]]\nname = \"stations\"\nrole = \"facilities\"\npath = \"stations.csv\"\nid = \"id\"\nx = \"x\"\ny = \"y\"\n")
    };
    let brief = "top = 5\n[filter]\nlayers = [\"sites\"]\n[[criterion]]\nname = \"station\"\ntype = \"distance\"\nlayer = \"stations\"\nideal_km = 0\nzero_km = 80\n";
    // Loaded, the sites take more than the address space.
    write("catalog.toml", &catalog(""));
    let out = rank_brief(dir.path(), brief);
    assert!(!out.status.success(), "{}", stderr(&out));
    write("catalog.toml", &catalog("stream = true\n"));
    let out = rank_brief(dir.path(), brief);
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    assert_mentions(
        &err,
        &["1000000 sites read, 1000000 ranked, 0 excluded, 0 features skipped; the best 5 kept"],
    );
    let csv = std::fs::read_to_string(dir.path().join("out.csv")).unwrap();
    let rows: Vec<Vec<&str>> = csv.lines().map(|l| l.split(',').collect()).collect();
    let score = rows[0].iter().position(|h| *h == "score").unwrap();
    let ids: Vec<&str> = rows[1..].iter().map(|r| r[0]).collect();
    let expected: Vec<String> = on[..5].iter().map(|i| format!("s{i:07}")).collect();
    assert_eq!(ids, expected);
    assert!(rows[1..].iter().all(|r| r[score] == "100"), "{csv}");
    // `--top` beyond the brief's keeps as many: the eight sites on stations.
    let out = limited(
        dir.path(),
        &[
            "rank",
            "brief.toml",
            "--data",
            ".",
            "--top",
            "8",
            "-o",
            "out.csv",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let csv = std::fs::read_to_string(dir.path().join("out.csv")).unwrap();
    let ids: Vec<&str> = csv
        .lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap())
        .collect();
    let expected: Vec<String> = on[..8].iter().map(|i| format!("s{i:07}")).collect();
    assert_eq!(ids, expected);
}
