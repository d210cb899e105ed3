//! The `sitematch` binary: output, exit codes and error messages.

use std::process::Command;

use crate::util::{assert_mentions, fixtures, temp_file};

fn sitematch(args: &[&str]) -> (i32, String, String) {
    // Snapshots go to the build's scratch folder, not the user's cache.
    let cache = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("sitematch-cache");
    sitematch_with_cache(args, &cache)
}

fn sitematch_with_cache(args: &[&str], cache: &std::path::Path) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_sitematch"))
        .args(args)
        .env_remove("SITEMATCH_DATA")
        .env("SITEMATCH_CACHE", cache)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn the_data_set_snapshot_gives_the_same_shortlist_and_a_damaged_one_is_rebuilt() {
    let cache = tempfile::tempdir().unwrap();
    let data = fixtures().join("rank");
    let brief = fixtures().join("rank/brief.toml");
    let args = [
        "rank",
        brief.to_str().unwrap(),
        "--data",
        data.to_str().unwrap(),
        "--format",
        "csv",
    ];
    let (code, cold, err) =
        sitematch_with_cache(&[&args[..], &["--no-cache"]].concat(), cache.path());
    assert_eq!(code, 0, "{err}");
    // --no-cache writes no snapshot.
    assert_eq!(std::fs::read_dir(cache.path()).unwrap().count(), 0);
    let (code, first, err) = sitematch_with_cache(&args, cache.path());
    assert_eq!(code, 0, "{err}");
    let files: Vec<_> = std::fs::read_dir(cache.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    let (_, warm, err) = sitematch_with_cache(&args, cache.path());
    assert_eq!(
        (first.as_str(), warm.as_str()),
        (cold.as_str(), cold.as_str())
    );
    assert!(!err.contains("snapshot"), "{err}");
    // Cut: said, rebuilt, the same answer.
    let bytes = std::fs::read(&files[0]).unwrap();
    std::fs::write(&files[0], &bytes[..bytes.len() / 2]).unwrap();
    let (code, again, err) = sitematch_with_cache(&args, cache.path());
    assert_eq!(code, 0, "{err}");
    assert_eq!(again, cold);
    assert_mentions(&err, &["snapshot", "rebuilt"]);
    assert_eq!(std::fs::read(&files[0]).unwrap(), bytes);
}

#[test]
fn layers_prints_one_row_per_layer() {
    let data = fixtures().join("catalog");
    let (code, out, err) = sitematch(&["layers", "--data", data.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    // Which data set, then the table.
    let (head, table) = out.split_once("\n\n").unwrap();
    assert_eq!(head, format!("data set: {}", data.display()));
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(lines.len(), 4, "{out}");
    assert!(lines[0].starts_with("layer") && lines[0].contains("bbox"));
    let sites: Vec<&str> = lines[2].split_whitespace().collect();
    assert_eq!(&sites[..5], ["sites", "sites", "geojson", "EPSG:2154", "2"]);
    assert!(lines[2].contains(
        "5 (bad_area 1, duplicate_id 1, invalid_polygon 1, no_geometry 1, reprojection 1)"
    ));
    assert!(lines[3].starts_with("ardennes") && lines[3].contains("shapefile"));
}

#[test]
fn layers_show_skipped_names_file_and_place() {
    let data = fixtures().join("catalog");
    let (code, out, _) = sitematch(&["layers", "--data", data.to_str().unwrap(), "--show-skipped"]);
    assert_eq!(code, 0);
    assert_mentions(
        &out,
        &[
            "sites.geojson: feature 3: invalid polygon",
            "gares.csv: line 8: no geometry",
        ],
    );
}

#[test]
fn strict_and_bad_catalogs_exit_2_with_a_message() {
    let data = fixtures().join("catalog");
    let (code, out, err) = sitematch(&["layers", "--data", data.to_str().unwrap(), "--strict"]);
    assert_eq!(code, 2);
    assert!(out.is_empty());
    assert_mentions(&err, &["gares.csv: line 8", "--strict"]);

    let (_t, cat) = temp_file("catalog.toml", "[[layer]]\nname = 3\n");
    let (code, _, err) = sitematch(&["layers", "--data", cat.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(
        err.contains("catalog.toml") && !err.contains("panicked"),
        "{err}"
    );

    let (code, _, err) = sitematch(&["layers", "--data", "/nonexistent/folder"]);
    assert_eq!(code, 2);
    assert_mentions(&err, &["/nonexistent/folder/catalog.toml"]);
}

#[test]
fn tags_of_an_unknown_layer_lists_the_layers() {
    let data = fixtures().join("catalog");
    let (code, _, err) = sitematch(&["layers", "--data", data.to_str().unwrap(), "--tags", "nope"]);
    assert_eq!(code, 2);
    assert_mentions(&err, &["motorway, sites, ardennes"]);
}

#[test]
fn default_data_folder_loads() {
    // No --data: the project's data/ folder (or SITEMATCH_DATA) is used.
    let (code, _, err) = sitematch(&["layers"]);
    assert_eq!(code, 0, "{err}");
}

/// Runs the CLI on the ranking fixtures: `args` then `--data tests/fixtures/rank`.
fn on_rank_data(args: &[&str]) -> (i32, String, String) {
    let data = fixtures().join("rank");
    let mut all = args.to_vec();
    all.extend(["--data", data.to_str().unwrap()]);
    sitematch(&all)
}

/// The ranking fixtures' brief.
fn rank_brief() -> String {
    fixtures().join("rank/brief.toml").display().to_string()
}

#[test]
fn rank_writes_geojson_csv_and_markdown() {
    let (code, out, err) = on_rank_data(&["rank", &rank_brief()]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["features"].as_array().unwrap().len(), 4);
    assert_eq!(v["features"][0]["properties"]["rank"], 1);

    let (code, out, _) = on_rank_data(&[
        "rank",
        &rank_brief(),
        "--format",
        "csv",
        "--top",
        "2",
        "--include-excluded",
    ]);
    assert_eq!(code, 0);
    // --include-excluded writes every ranked site whatever --top says (the 4 ranked
    // and the 4 excluded), after the header.
    assert_eq!(out.lines().count(), 1 + 4 + 4);

    let dir = tempfile::tempdir().unwrap();
    let md = dir.path().join("shortlist.md");
    let (code, out, _) = on_rank_data(&["rank", &rank_brief(), "-o", md.to_str().unwrap()]);
    assert_eq!(code, 0);
    assert!(out.is_empty());
    let text = std::fs::read_to_string(&md).unwrap();
    assert!(text.starts_with("# Fixture brief"), "{text}");
}

#[test]
fn rank_exits_1_when_every_site_is_excluded() {
    let dir = tempfile::tempdir().unwrap();
    let brief = dir.path().join("b.toml");
    std::fs::write(
        &brief,
        "[filter]\nmin_area_ha = 1000\n[[criterion]]\nname = \"c\"\ntype = \"zone\"\nlayer = \"centre\"\n",
    )
    .unwrap();
    let (code, out, err) = on_rank_data(&["rank", brief.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert_mentions(&err, &["no site meets", "--include-excluded"]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["features"].as_array().unwrap().len(), 0);
}

#[test]
fn validate_lists_every_problem_with_file_and_key() {
    let dir = tempfile::tempdir().unwrap();
    let brief = dir.path().join("bad.toml");
    // The motorway criterion's ideal and zero, the attribute criterion after it.
    let validate = |ideal_zero: &str| {
        let text = format!(
            "[[criterion]]\nname = \"m\"\ntype = \"distance\"\nlayer = \"motorways\"\n{ideal_zero}\n\
             [[criterion]]\nname = \"l\"\ntype = \"attribute\"\nfield = \"surface\"\nideal = 1\nzero = 0\n"
        );
        std::fs::write(&brief, text).unwrap();
        on_rank_data(&["validate", brief.to_str().unwrap()])
    };
    let (code, _, err) = validate("ideal_km = 5\nzero_km = 2");
    assert_eq!(code, 2);
    assert_mentions(
        &err,
        &[
            "bad.toml has 1 problem(s)",
            "criterion[0].zero_km: must be greater than ideal_km",
        ],
    );
    // Fixed syntax, wrong data: both data problems at once.
    let (code, _, err) = validate("ideal_km = 2\nzero_km = 5");
    assert_eq!(code, 2);
    assert_mentions(
        &err,
        &[
            "bad.toml has 2 problem(s)",
            "criterion[0].layer: no layer \"motorways\"",
            "criterion[1].field: the site layers have no attribute \"surface\"",
        ],
    );

    let good = fixtures().join("rank/brief.toml");
    let (code, out, _) = on_rank_data(&["validate", good.to_str().unwrap()]);
    assert_eq!(code, 0);
    assert_mentions(&out, &["ok (4 criteria"]);
}

#[test]
fn explain_breaks_a_score_down() {
    let brief = fixtures().join("rank/brief.toml");
    let (code, out, err) = on_rank_data(&["explain", &rank_brief(), "08105_01"]);
    assert_eq!(code, 0, "{err}");
    assert_mentions(&out, &["rank 1 of 4", "nearest 0 \"Beaupont\""]);
    let (code, out, _) = on_rank_data(&["explain", brief.to_str().unwrap(), "08409_01"]);
    assert_eq!(code, 0);
    assert_mentions(&out, &["excluded by: min_area_ha"]);
    let (code, _, err) = on_rank_data(&["explain", brief.to_str().unwrap(), "nope"]);
    assert_eq!(code, 2);
    assert_mentions(&err, &["no site \"nope\""]);
}

#[test]
fn like_ranks_by_likeness_to_a_site_which_comes_first() {
    // 08105_01 is first by score; ranked by likeness to the fourth, that one is first
    // with 100 and the explanation says how the others differ from it.
    let (code, out, err) = on_rank_data(&["rank", &rank_brief()]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let fourth = v["features"][3]["properties"]["site_id"]
        .as_str()
        .unwrap()
        .to_string();
    let (code, out, err) = on_rank_data(&["rank", &rank_brief(), "--like", &fourth]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["features"][0]["properties"]["site_id"], fourth.as_str());
    assert_eq!(v["features"][0]["properties"]["score"], 100.0);
    assert_eq!(v["sitematch"]["target"]["site_id"], fourth.as_str());
    let (code, out, _) = on_rank_data(&["explain", &rank_brief(), "08105_01", "--like", &fourth]);
    assert_eq!(code, 0);
    assert_mentions(&out, &["likeness", " than "]);
    let (code, _, err) = on_rank_data(&["rank", &rank_brief(), "--like", "nope"]);
    assert_eq!(code, 2);
    assert_mentions(&err, &["target.site", "nope"]);
}

#[test]
fn r11_validate_and_rank_warn_on_a_typo_without_failing() {
    let brief = "[[criterion]]\nname = \"town\"\ntype = \"category\"\nfield = \"commune_nom\"\n\
                 scores = { \"Sedna\" = 1.0 }\n";
    let (_t, path) = temp_file("typo.toml", brief);
    let path = path.to_str().unwrap();
    for command in ["validate", "rank"] {
        let (code, _, err) = on_rank_data(&[command, path]);
        assert_eq!(code, 0, "{command}: {err}");
        assert!(
            err.contains("criterion[0].scores.Sedna: no site has commune_nom \"Sedna\"; did you mean \"Sedan\"?"),
            "{command}: {err}"
        );
    }
}

/// A write that fails (a full disk: `/dev/full` on Linux) is an error naming the file,
/// exit code 2, not a bare "No space left on device".
#[test]
fn a_failed_write_names_the_file() {
    if !std::path::Path::new("/dev/full").exists() {
        eprintln!("note: no /dev/full on this system; skipping");
        return;
    }
    let data = fixtures().join("rank");
    let brief = fixtures().join("rank/brief.toml");
    for format in ["geojson", "csv", "md"] {
        let (code, _, err) = sitematch(&[
            "rank",
            brief.to_str().unwrap(),
            "--data",
            data.to_str().unwrap(),
            "--format",
            format,
            "-o",
            "/dev/full",
        ]);
        assert_eq!(code, 2, "{format}: {err}");
        assert!(
            err.contains("cannot write /dev/full") && err.contains("No space left"),
            "{format}: {err}"
        );
    }
}

/// `-o` replaces the file whole: the new content, the file's permissions, and no
/// temporary file left beside it.
#[test]
fn outputs_are_put_in_place_whole() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("shortlist.csv");
    std::fs::write(&out, "old content\n").unwrap();
    let (code, _, err) = on_rank_data(&["rank", &rank_brief(), "-o", out.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(text.starts_with("site_id,label,layer"), "{text}");
    let mut left: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    left.sort();
    // The CSV and its sidecars (GDAL's types, the CRS), nothing else.
    assert_eq!(left, ["shortlist.csv", "shortlist.csvt", "shortlist.prj"]);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&out).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode & 0o044, 0o044, "readable by others: {mode:o}");
    }
}

/// The format follows the -o extension (.gpkg a GeoPackage, .csv a CSV with its
/// sidecars); an extension no format has is an error naming the formats; a written
/// file gets one line on stderr saying what it holds; --qml writes the style beside.
#[test]
fn output_format_follows_the_extension_and_says_what_it_wrote() {
    let dir = tempfile::tempdir().unwrap();
    let brief = rank_brief();
    let gpkg = dir.path().join("shortlist.gpkg");
    let (code, out, err) = on_rank_data(&[
        "rank",
        &brief,
        "-o",
        gpkg.to_str().unwrap(),
        "--include-excluded",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(out.is_empty());
    assert_eq!(
        err.lines().last(),
        Some(
            format!(
                "wrote 4 ranked sites and 4 excluded sites to {}",
                gpkg.display()
            )
            .as_str()
        )
    );
    let bytes = std::fs::read(&gpkg).unwrap();
    assert!(bytes.starts_with(b"SQLite format 3\0"));
    assert_eq!(&bytes[68..72], b"GPKG");
    // Written again over itself: replaced whole, not merged.
    let (code, _, err) = on_rank_data(&["rank", &brief, "-o", gpkg.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert_mentions(&err, &["wrote 4 ranked sites to"]);

    let typo = dir.path().join("shortlist.gjson");
    let (code, _, err) = on_rank_data(&["rank", &brief, "-o", typo.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert_mentions(&err, &[".gjson", ".geojson, .json, .csv, .md, .gpkg"]);
    assert!(!typo.exists());

    let geojson = dir.path().join("shortlist.geojson");
    let (code, _, err) = on_rank_data(&["rank", &brief, "-o", geojson.to_str().unwrap(), "--qml"]);
    assert_eq!(code, 0, "{err}");
    let qml = std::fs::read_to_string(dir.path().join("shortlist.qml")).unwrap();
    assert!(qml.starts_with("<!DOCTYPE qgis"));
    assert!(qml.contains("attr=\"score\"") && qml.contains("fieldName=\"rank\""));

    let (code, _, err) = on_rank_data(&["rank", &brief, "--qml"]);
    assert_eq!(code, 2);
    assert_mentions(&err, &["--qml", "-o FILE"]);
    let (code, _, err) = on_rank_data(&["rank", &brief, "--format", "gpkg"]);
    assert_eq!(code, 2);
    assert_mentions(&err, &["give -o FILE.gpkg"]);
}

/// The README is the user's manual: every subcommand `sitematch --help` lists, and every
/// flag of every subcommand, is named in it (a README edit once dropped the service's
/// section without a test noticing).
#[test]
fn every_subcommand_and_flag_is_named_in_the_readme() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md")).unwrap();
    let (code, help, _) = sitematch(&["--help"]);
    assert_eq!(code, 0);
    let commands: Vec<String> = help
        .lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| l.split_whitespace().next().map(str::to_string))
        .filter(|c| c != "help")
        .collect();
    assert!(commands.len() >= 5, "{help}");
    assert!(
        commands.iter().any(|c| c == "serve"),
        "serve is in the default build"
    );
    for c in &commands {
        assert!(
            readme.contains(&format!("sitematch {c}")) || readme.contains(&format!("-- {c}")),
            "the README never shows `sitematch {c}`"
        );
        let (_, sub, _) = sitematch(&[c.as_str(), "--help"]);
        for flag in sub
            .split(|ch: char| ch.is_whitespace() || ch == ',')
            .filter(|w| w.starts_with("--") && w.len() > 2)
            .map(|w| w.trim_end_matches(|ch: char| !ch.is_alphanumeric()))
        {
            if flag == "--help" || flag == "--version" {
                continue;
            }
            assert!(readme.contains(flag), "the README never names `{c} {flag}`");
        }
    }
}

/// `-o shortlist` (no extension) writes GeoJSON and says so.
#[test]
fn an_output_without_an_extension_says_its_format() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("shortlist");
    let (code, _, err) = on_rank_data(&["rank", &rank_brief(), "-o", out.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert_mentions(&err, &["has no extension: writing GeoJSON"]);
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(text.starts_with('{') && text.contains("\"FeatureCollection\""));
}

/// The default data set travels in the binary: a copy of `sitematch` moved away from
/// the source tree, run from another folder with no `--data` nor `SITEMATCH_DATA`,
/// ranks an example brief copied beside it, unpacks the data set once into its cache
/// folder, says so in `layers`, and writes the same shortlist as the source tree's
/// `data/`.
#[test]
fn a_moved_binary_carries_its_data_set() {
    let dir = tempfile::tempdir().unwrap();
    let bin = dir.path().join("sitematch");
    // A hard link where the file system allows it (a debug binary is large), else a
    // copy: either way the binary runs from a folder that is not the source tree.
    if std::fs::hard_link(env!("CARGO_BIN_EXE_sitematch"), &bin).is_err() {
        std::fs::copy(env!("CARGO_BIN_EXE_sitematch"), &bin).unwrap();
    }
    let repo = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let brief = dir.path().join("brief.toml");
    std::fs::copy(repo.join("examples/briefs/national_zan.toml"), &brief).unwrap();
    let cache = dir.path().join("cache");
    let run = |args: &[&str]| {
        let out = Command::new(&bin)
            .args(args)
            .current_dir(dir.path())
            .env_remove("SITEMATCH_DATA")
            .env("SITEMATCH_CACHE", &cache)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr).into_owned();
        assert_eq!(out.status.code(), Some(0), "{args:?}: {err}");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let built_in = run(&["rank", "brief.toml", "--format", "csv"]);
    assert!(built_in.lines().count() > 10, "{built_in}");
    let unpacked: Vec<_> = std::fs::read_dir(&cache)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with("data-"))
        .collect();
    assert_eq!(unpacked.len(), 1, "one unpacked data set");
    let catalog = unpacked[0].path().join("catalog.toml");
    let when = std::fs::metadata(&catalog).unwrap().modified().unwrap();
    let layers = run(&["layers"]);
    assert!(layers.starts_with("data set: the default data set built into sitematch"));
    assert_mentions(&layers, &["friches"]);
    // Unpacked once: the second run used the same files.
    assert_eq!(
        std::fs::metadata(&catalog).unwrap().modified().unwrap(),
        when
    );
    let data = repo.join("data");
    let source = run(&[
        "rank",
        "brief.toml",
        "--format",
        "csv",
        "--data",
        data.to_str().unwrap(),
    ]);
    assert_eq!(built_in, source);
}

/// A file that is not a TOML brief says what it is and what a brief is: a YAML brief,
/// JSON in a `.toml`, a GeoJSON layer given as the brief.
#[test]
fn a_brief_in_another_format_is_named() {
    let cases = [
        (
            "b.yaml",
            "name: Batteries\ncriterion:\n  - name: land\n",
            "this file is YAML",
        ),
        (
            "b.toml",
            "name: Batteries\ncriterion:\n  - name: land\n",
            "this file is YAML",
        ),
        (
            "b.toml",
            "{\"name\": \"Batteries\"}",
            "this file holds JSON: name it",
        ),
        (
            "sites.geojson",
            "{\"type\": \"FeatureCollection\", \"features\": []}",
            "this is a GeoJSON layer, not a brief",
        ),
    ];
    for (name, text, says) in cases {
        let (_dir, path) = temp_file(name, text);
        let (code, _, err) = on_rank_data(&["rank", path.to_str().unwrap()]);
        assert_eq!(code, 2, "{name}: {err}");
        assert_mentions(&err, &[name, says, "a brief is TOML"]);
    }
}

/// `--tiles` draws a basemap in the HTML report only: another output, or a URL that is
/// not a tile template, is an error that says what is expected; a good one is written
/// into the page with its attribution.
#[test]
fn tiles_are_checked_and_written_into_the_report() {
    let dir = tempfile::tempdir().unwrap();
    let brief = rank_brief();
    let url = "https://tile.openstreetmap.org/{z}/{x}/{y}.png";
    let rank = |file: &str, tiles: &str, more: &[&str]| {
        let out = dir.path().join(file);
        let mut args = vec![
            "rank",
            &brief,
            "-o",
            out.to_str().unwrap(),
            "--tiles",
            tiles,
        ];
        args.extend(more);
        let (code, _, err) = on_rank_data(&args);
        (code, err, out)
    };
    let (code, err, _) = rank("r.csv", url, &[]);
    assert_eq!(code, 2, "{err}");
    assert_mentions(&err, &["--tiles draws a basemap in the HTML report", "csv"]);
    let (code, err, html) = rank("r.html", "tile.openstreetmap.org/{z}/{x}.png", &[]);
    assert_eq!(code, 2, "{err}");
    assert_mentions(&err, &["--tiles:", "lacks {y}"]);
    assert!(!html.exists());
    let osm = "© OpenStreetMap contributors";
    let (code, err, html) = rank("r.html", url, &["--tiles-attribution", osm]);
    assert_eq!(code, 0, "{err}");
    let page = std::fs::read_to_string(&html).unwrap();
    assert_mentions(&page, &[url, osm]);
}

/// `--robustness N` is held to the bounds of the brief's `robustness.runs`: 0 ran once,
/// and 1,000,000,000 ran the machine out of memory.
#[test]
fn robustness_on_the_command_line_is_bounded() {
    for n in ["0", "1000001", "1000000000"] {
        let (code, _, err) = on_rank_data(&["rank", &rank_brief(), "--robustness", n]);
        assert_eq!(code, 2, "{n}: {err}");
        assert_mentions(
            &err,
            &[&format!(
                "--robustness {n}: must be a whole number from 1 to 1000000"
            )],
        );
    }
    let (code, _, err) = on_rank_data(&[
        "rank",
        &rank_brief(),
        "--robustness",
        "3",
        "--format",
        "csv",
    ]);
    assert_eq!(code, 0, "{err}");
}

/// `serve --max-rankings` beyond its range is a usage error, not a panic (tokio's
/// semaphore panics beyond its maximum of permits).
#[test]
fn serve_refuses_an_absurd_max_rankings() {
    for n in ["0", "1025", "18446744073709551615"] {
        let (code, _, err) = on_rank_data(&["serve", "--max-rankings", n]);
        assert_eq!(code, 2, "{n}: {err}");
        assert_mentions(&err, &["--max-rankings", "1..=1024"]);
    }
}

#[test]
fn serving_beyond_loopback_asks_for_tokens_and_a_bad_tokens_file_names_its_line() {
    let (code, _, err) = sitematch(&["serve", "--bind", "0.0.0.0:0"]);
    assert_eq!(code, 2, "{err}");
    assert_mentions(
        &err,
        &[
            "--bind 0.0.0.0:0",
            "needs --tokens FILE",
            "--insecure-no-auth",
        ],
    );
    let (_dir, tokens) = temp_file("tokens.txt", "# ours\nshort\n");
    let (code, _, err) = sitematch(&[
        "serve",
        "--bind",
        "0.0.0.0:0",
        "--tokens",
        tokens.to_str().unwrap(),
    ]);
    assert_eq!(code, 2, "{err}");
    assert_mentions(
        &err,
        &[
            "--tokens",
            "tokens.txt: line 2: a token has at least 16 characters",
        ],
    );
}

/// `serve` on a free loopback port with `args`; returns the process, its address
/// (from the line it prints when it listens) and what it printed before.
fn serve(args: &[&str]) -> (std::process::Child, String, String) {
    use std::io::BufRead;
    let data = fixtures().join("rank");
    let cache = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("sitematch-cache");
    let mut child = Command::new(env!("CARGO_BIN_EXE_sitematch"))
        .args([
            "serve",
            "--bind",
            "127.0.0.1:0",
            "--data",
            data.to_str().unwrap(),
        ])
        .args(args)
        .env_remove("SITEMATCH_DATA")
        .env("SITEMATCH_CACHE", cache)
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = std::io::BufReader::new(child.stderr.take().unwrap()).lines();
    let mut said = String::new();
    for line in lines.by_ref() {
        let line = line.unwrap();
        said.push_str(&line);
        said.push('\n');
        if let Some(rest) = line.split(" on http://").nth(1) {
            let addr = rest.split('/').next().unwrap().to_string();
            // The rest of its stderr is drained, so that it never blocks on it.
            std::thread::spawn(move || lines.for_each(drop));
            return (child, addr, said);
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("serve stopped before it listened: {said}");
}

/// One HTTP/1.1 request over a plain socket: (status, body).
fn http(addr: &str, method: &str, path: &str, body: &str) -> (u16, String) {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Type: application/toml\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut answer = String::new();
    s.read_to_string(&mut answer).unwrap();
    let status = answer[9..12].parse().unwrap();
    let body = answer.split_once("\r\n\r\n").map_or("", |(_, b)| b);
    (status, body.to_string())
}

/// `serve --store`: a ranking made, the process killed (not even a clean shutdown),
/// a new process over the same folder serves it under the same id.
#[test]
fn serve_with_a_store_serves_a_ranking_after_the_process_is_killed() {
    let store = tempfile::tempdir().unwrap();
    let dir = store.path().to_str().unwrap();
    let brief = std::fs::read_to_string(rank_brief()).unwrap();
    let (mut first, addr, said) = serve(&["--store", dir]);
    assert_mentions(&said, &["--store", "0 rankings of this data set served"]);
    let (status, _) = http(&addr, "POST", "/rank", &brief);
    assert_eq!(status, 201);
    let (status, items) = http(&addr, "GET", "/collections", "");
    assert_eq!(status, 200);
    let id = items.split("\"id\":\"ranking-").nth(1).unwrap()[..16].to_string();
    let (status, before) = http(
        &addr,
        "GET",
        &format!("/collections/ranking-{id}/items"),
        "",
    );
    assert_eq!(status, 200);
    first.kill().unwrap();
    first.wait().unwrap();

    let (mut second, again, said) = serve(&["--store", dir]);
    assert_mentions(&said, &["1 rankings of this data set served"]);
    let (status, after) = http(
        &again,
        "GET",
        &format!("/collections/ranking-{id}/items"),
        "",
    );
    assert_eq!((status, after), (200, before.replace(&addr, &again)));
    second.kill().unwrap();
    second.wait().unwrap();
}

#[test]
fn serve_names_a_store_it_cannot_use() {
    let (_dir, file) = temp_file("not-a-folder", "x");
    let (code, _, err) = on_rank_data(&[
        "serve",
        "--bind",
        "127.0.0.1:0",
        "--store",
        file.to_str().unwrap(),
    ]);
    assert_eq!(code, 2, "{err}");
    assert_mentions(&err, &["--store", "not-a-folder"]);
    for mb in ["0", "1048577", "1e3"] {
        let (code, _, err) = on_rank_data(&["serve", "--store-max-mb", mb]);
        assert_eq!(code, 2, "{mb}: {err}");
        assert_mentions(&err, &["--store-max-mb"]);
    }
}

/// A GeoPackage handed to a client names no folder of the machine that ranked: the
/// brief and the data set are named relative to the output's folder when inside it,
/// else by their names; no absolute path is anywhere in the file.
#[test]
fn a_geopackage_carries_no_absolute_path_of_the_machine() {
    let data = fixtures().join("rank").canonicalize().unwrap();
    let brief_text = std::fs::read_to_string(rank_brief()).unwrap();
    let work = tempfile::tempdir().unwrap();
    let work_path = work.path().canonicalize().unwrap();
    // The brief inside the output's folder, then outside it.
    std::fs::create_dir_all(work_path.join("out/briefs")).unwrap();
    std::fs::create_dir_all(work_path.join("elsewhere")).unwrap();
    for (brief, named) in [
        (
            work_path.join("out/briefs/client.toml"),
            "briefs/client.toml",
        ),
        (work_path.join("elsewhere/client.toml"), "client.toml"),
    ] {
        std::fs::write(&brief, &brief_text).unwrap();
        let out = work_path.join("out/ranking.gpkg");
        let _ = std::fs::remove_file(&out);
        let (code, _, err) = sitematch(&[
            "rank",
            brief.to_str().unwrap(),
            "--data",
            data.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
        ]);
        assert_eq!(code, 0, "{err}");
        let bytes = std::fs::read(&out).unwrap();
        let has = |needle: &str| bytes.windows(needle.len()).any(|w| w == needle.as_bytes());
        for absolute in [work_path.to_str().unwrap(), data.to_str().unwrap()] {
            assert!(!has(absolute), "{absolute} is in the GeoPackage");
        }
        assert!(has(named), "{named} is not in the GeoPackage");
    }
}

/// `rank --crs`: a GeoPackage in Lambert-93 is written (its srs table names EPSG
/// 2154); another output, or a code that is not one, is refused with the fix.
#[test]
fn rank_crs_writes_a_projected_geopackage_and_refuses_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("l93.gpkg");
    let (code, _, err) = on_rank_data(&[
        "rank",
        &rank_brief(),
        "-o",
        out.to_str().unwrap(),
        "--crs",
        "EPSG:2154",
    ]);
    assert_eq!(code, 0, "{err}");
    let bytes = std::fs::read(&out).unwrap();
    let has = |needle: &str| bytes.windows(needle.len()).any(|w| w == needle.as_bytes());
    assert!(has("RGF93 / Lambert-93") && has("AUTHORITY[\"EPSG\",\"2154\"]"));
    let geojson = dir.path().join("x.geojson");
    let (code, _, err) = on_rank_data(&[
        "rank",
        &rank_brief(),
        "-o",
        geojson.to_str().unwrap(),
        "--crs",
        "EPSG:2154",
    ]);
    assert_eq!(code, 2, "{err}");
    assert_mentions(&err, &["--crs", "RFC 7946", "FILE.gpkg"]);
    for bad in ["Lambert", "EPSG:999999", "EPSG:4171"] {
        let other = dir.path().join(format!("{}.gpkg", bad.replace(':', "_")));
        let (code, _, err) = on_rank_data(&[
            "rank",
            &rank_brief(),
            "-o",
            other.to_str().unwrap(),
            "--crs",
            bad,
        ]);
        assert_eq!(code, 2, "{bad}: {err}");
        assert_mentions(&err, &["--crs", bad]);
    }
    // A CRS GeoParquet cannot describe: the reason alone, not a guess about the disk.
    let parquet = dir.path().join("krovak.parquet");
    let (code, _, err) = on_rank_data(&[
        "rank",
        &rank_brief(),
        "-o",
        parquet.to_str().unwrap(),
        "--crs",
        "EPSG:5514",
    ]);
    assert_ne!(code, 0, "{err}");
    assert_mentions(&err, &["krovak.parquet", "Krovak", "GeoPackage"]);
    assert!(!err.contains("disk"), "{err}");
    assert!(!parquet.exists());
}

/// `compare A B` against two `rank` runs read back: the tops, who entered and who
/// left, the ranks of each site of either top, and Spearman's correlation computed
/// here from the two full rankings; Markdown on stdout, JSON and CSV to files.
#[test]
fn compare_agrees_with_two_rankings_read_back() {
    let dir = tempfile::tempdir().unwrap();
    let data = fixtures().join("rank");
    let a = fixtures().join("rank/brief.toml");
    // Scenario B: the same brief for a plant that wants a small plot: no weight on
    // the motorway, the land criterion reversed (ideal 0 ha, zero at 3 ha) and heavy.
    let text = std::fs::read_to_string(&a).unwrap();
    let mut v: toml::Value = toml::from_str(&text).unwrap();
    let criteria = v["criterion"].as_array_mut().unwrap();
    criteria[0]
        .as_table_mut()
        .unwrap()
        .insert("weight".into(), toml::Value::Float(0.0));
    let land = criteria[1].as_table_mut().unwrap();
    land.insert("ideal".into(), toml::Value::Float(0.0));
    land.insert("zero".into(), toml::Value::Float(3.0));
    land.insert("weight".into(), toml::Value::Float(10.0));
    let b = dir.path().join("b.toml");
    std::fs::write(&b, toml::to_string(&v).unwrap()).unwrap();
    let (a, b, data) = (
        a.to_str().unwrap(),
        b.to_str().unwrap(),
        data.to_str().unwrap(),
    );
    // Each ranking whole, read back: (site id, rank) in rank order.
    let ranks = |brief: &str, name: &str| -> Vec<(String, usize)> {
        let out = dir.path().join(name);
        let (code, _, err) = sitematch(&[
            "rank",
            brief,
            "--data",
            data,
            "--include-excluded",
            "-o",
            out.to_str().unwrap(),
        ]);
        assert_eq!(code, 0, "{err}");
        let mut r = csv::Reader::from_path(&out).unwrap();
        let h = r.headers().unwrap().clone();
        let (id, rank) = (
            h.iter().position(|c| c == "site_id").unwrap(),
            h.iter().position(|c| c == "rank").unwrap(),
        );
        r.records()
            .map(|rec| rec.unwrap())
            .filter(|rec| !rec[rank].is_empty())
            .map(|rec| (rec[id].to_string(), rec[rank].parse().unwrap()))
            .collect()
    };
    let (ra, rb) = (ranks(a, "a.csv"), ranks(b, "b.csv"));
    assert!(ra.len() >= 3, "{ra:?}");
    // The change of weight moves the sites: there is something to compare.
    assert_ne!(ra, rb);
    let top = 2;
    let head = |r: &[(String, usize)]| r.iter().take(top).map(|x| x.0.clone()).collect::<Vec<_>>();
    let (ta, tb) = (head(&ra), head(&rb));
    let entered: Vec<String> = tb.iter().filter(|x| !ta.contains(x)).cloned().collect();
    let left: Vec<String> = ta.iter().filter(|x| !tb.contains(x)).cloned().collect();
    // Spearman by its definition, on the sites ranked in both.
    let pos_b = |id: &str| rb.iter().position(|x| x.0 == id);
    let common: Vec<(usize, usize)> = ra
        .iter()
        .enumerate()
        .filter_map(|(i, x)| Some((i, pos_b(&x.0)?)))
        .collect();
    let n = common.len() as f64;
    let mut by_b: Vec<usize> = common.iter().map(|c| c.1).collect();
    by_b.sort_unstable();
    let d2: f64 = common
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let rb = by_b.iter().position(|&p| p == c.1).unwrap() as f64;
            (i as f64 - rb).powi(2)
        })
        .sum();
    let spearman = 1.0 - 6.0 * d2 / (n * (n * n - 1.0));
    let compare =
        |extra: &[&str]| sitematch(&[&["compare", a, b, "--data", data][..], extra].concat());

    let json = dir.path().join("c.json");
    let (code, _, err) = compare(&["--top", "2", "-o", json.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert_mentions(&err, &["wrote the comparison", "c.json"]);
    let c: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let strings = |v: &serde_json::Value| -> Vec<String> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(strings(&c["entered"]), entered);
    assert_eq!(strings(&c["left"]), left);
    assert_eq!(c["common"], common.len());
    assert!(
        (c["spearman"].as_f64().unwrap() - spearman).abs() < 1e-12,
        "{} vs {spearman}",
        c["spearman"]
    );
    for s in c["sites"].as_array().unwrap() {
        let id = s["site_id"].as_str().unwrap();
        let rank = |r: &[(String, usize)]| r.iter().find(|x| x.0 == id).map(|x| x.1);
        assert_eq!(s["rank_a"].as_u64().map(|x| x as usize), rank(&ra), "{id}");
        assert_eq!(s["rank_b"].as_u64().map(|x| x as usize), rank(&rb), "{id}");
    }
    // Markdown on stdout; CSV; a format it does not write.
    let (code, md, _) = compare(&["--top", "2"]);
    assert_eq!(code, 0);
    assert_mentions(&md, &["# brief vs b", "top 2:", "Spearman", "| site |"]);
    let csv_out = dir.path().join("c.csv");
    let (code, _, _) = compare(&["--top", "2", "-o", csv_out.to_str().unwrap()]);
    assert_eq!(code, 0);
    let rows = std::fs::read_to_string(&csv_out).unwrap();
    assert_eq!(
        rows.lines().count(),
        1 + c["sites"].as_array().unwrap().len()
    );
    let (code, _, err) = compare(&["-o", "x.pdf"]);
    assert_eq!(code, 2);
    assert_mentions(&err, &[".pdf", ".md, .json or .csv"]);
    let (code, _, err) = compare(&["--top", "0"]);
    assert_eq!(code, 2, "{err}");
}

/// `isochrone` from a point and from a site of the built-in data set: one
/// MultiPolygon per bound, in the order given, each holding the origin, the larger
/// bound's holding the smaller's; bad origins, bounds and networks named.
#[test]
fn isochrone_writes_one_catchment_per_bound() {
    use sitematch::geo::{Contains, Intersects};
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("iso.geojson");
    let (code, _, err) = sitematch(&[
        "isochrone",
        "4.8357,45.764",
        "--minutes",
        "15,30",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    assert_mentions(&err, &["wrote 2 catchments", "iso.geojson"]);
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    let features = v["features"].as_array().unwrap();
    assert_eq!(features.len(), 2);
    let polygon = |f: &serde_json::Value| -> sitematch::geo::MultiPolygon<f64> {
        let g: geojson::Geometry = serde_json::from_value(f["geometry"].clone()).unwrap();
        sitematch::geo::MultiPolygon::try_from(g.value).unwrap()
    };
    let (small, large) = (polygon(&features[0]), polygon(&features[1]));
    assert_eq!(features[0]["properties"]["minutes"], 15.0);
    let lyon = sitematch::geo::Point::new(4.8357, 45.764);
    assert!(small.contains(&lyon) && large.contains(&lyon));
    for p in small.0.iter().flat_map(|p| p.exterior().points()) {
        assert!(large.intersects(&p), "{p:?} within 15 min is not within 30");
    }
    // From a site id (stdout).
    let (code, text, err) = sitematch(&["isochrone", "69123_2765", "--minutes", "10"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["features"][0]["properties"]["origin"], "69123_2765");
    for (args, needles) in [
        (vec!["isochrone", "nowhere"], vec!["nowhere", "LON,LAT"]),
        (
            vec!["isochrone", "4.8,45.7", "--minutes", "0"],
            vec!["0 minutes", "above 0"],
        ),
        (
            vec!["isochrone", "4.8,45.7", "--minutes", "15,inf"],
            vec!["inf minutes"],
        ),
        (
            vec!["isochrone", "4.8,45.7", "--network", "rails"],
            vec!["--network rails", "roads"],
        ),
        (
            vec!["isochrone", "4.8,45.7", "--cell-m", "5"],
            vec!["5 m", "50 to 10000"],
        ),
    ] {
        let (code, _, err) = sitematch(&args);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert_mentions(&err, &needles);
    }
}
