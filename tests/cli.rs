//! The `sitematch` binary: output, exit codes and error messages.

use std::process::Command;

use crate::util::{fixtures, temp_file};

fn sitematch(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_sitematch"))
        .args(args)
        .env_remove("SITEMATCH_DATA")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn layers_prints_one_row_per_layer() {
    let data = fixtures().join("catalog");
    let (code, out, err) = sitematch(&["layers", "--data", data.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let lines: Vec<&str> = out.lines().collect();
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
    assert!(
        out.contains("sites.geojson: feature 3: invalid polygon"),
        "{out}"
    );
    assert!(out.contains("gares.csv: line 8: no geometry"), "{out}");
}

#[test]
fn strict_and_bad_catalogs_exit_2_with_a_message() {
    let data = fixtures().join("catalog");
    let (code, out, err) = sitematch(&["layers", "--data", data.to_str().unwrap(), "--strict"]);
    assert_eq!(code, 2);
    assert!(out.is_empty());
    assert!(
        err.contains("gares.csv: line 8") && err.contains("--strict"),
        "{err}"
    );

    let (_t, cat) = temp_file("catalog.toml", "[[layer]]\nname = 3\n");
    let (code, _, err) = sitematch(&["layers", "--data", cat.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(
        err.contains("catalog.toml") && !err.contains("panicked"),
        "{err}"
    );

    let (code, _, err) = sitematch(&["layers", "--data", "/nonexistent/folder"]);
    assert_eq!(code, 2);
    assert!(err.contains("/nonexistent/folder/catalog.toml"), "{err}");
}

#[test]
fn tags_of_an_unknown_layer_lists_the_layers() {
    let data = fixtures().join("catalog");
    let (code, _, err) = sitematch(&["layers", "--data", data.to_str().unwrap(), "--tags", "nope"]);
    assert_eq!(code, 2);
    assert!(err.contains("motorway, sites, ardennes"), "{err}");
}

#[test]
fn default_data_folder_loads() {
    // No --data: the project's data/ folder (or SITEMATCH_DATA) is used.
    let (code, _, err) = sitematch(&["layers"]);
    assert_eq!(code, 0, "{err}");
}
