//! The readers on the real open data in ../shared/data/raw (skipped with a note when
//! it is absent; CI always has it).

use sitematch::{Catalog, Location};

use crate::util::{shared_raw, small_distance_m, temp_file};

fn load(catalog: &str) -> Option<Catalog> {
    let raw = shared_raw()?;
    let text = catalog.replace("RAW", &raw.display().to_string());
    let (_t, cat) = temp_file("catalog.toml", &text);
    Some(Catalog::from_path(&cat).unwrap())
}

#[test]
#[ignore = "reads ../shared/data/raw: run with `cargo test -- --include-ignored` where it is"]
fn motorway_interchanges_in_lambert93_with_decimal_commas() {
    let Some(c) = load(
        "[[layer]]\nname = \"motorway\"\nrole = \"facilities\"\n\
         path = \"RAW/dgitm-gares-peage/gares_peage_2024.csv\"\ncrs = \"EPSG:2154\"\n\
         x = \"x\"\ny = \"y\"\ndelimiter = \";\"\ndecimal = \",\"\nlabel = \"nomGare\"\n\
         category = \"typeGare_lib\"\n",
    ) else {
        return;
    };
    let l = &c.layers[0];
    // 1,267 lines: a header and 1,266 rows, every one with coordinates.
    assert_eq!(l.features.len(), 1266);
    assert!(l.skipped.is_empty());
    // Independent values: cs2cs -f %.9f EPSG:2154 EPSG:4326 on the raw x, y.
    let expect = [
        ("0", "Beaupont", 5.269745895, 46.440992618),
        ("198", "Tilchatel", 5.194770790, 47.539071837),
        ("898", "Brignoles", 6.065275723, 43.419221376),
    ];
    for (id, label, lon, lat) in expect {
        let f = l.features.iter().find(|f| f.id == id).unwrap();
        assert_eq!(f.label.as_deref(), Some(label));
        let p = (f.location.x(), f.location.y());
        assert!(small_distance_m(p, (lon, lat)) < 0.01, "{label}: {p:?}");
    }
}

#[test]
#[ignore = "reads ../shared/data/raw: run with `cargo test -- --include-ignored` where it is"]
fn ardennes_multipolygons_with_one_self_intersection() {
    let Some(c) = load(
        "[[layer]]\nname = \"ardennes\"\nrole = \"sites\"\n\
         path = \"RAW/cnig-friches-ardennes/ddt08_friches_polygons.geojson\"\n\
         id = \"site_id\"\nlabel = \"FRICHE\"\narea_m2 = \"unite_fonciere_surface\"\n",
    ) else {
        return;
    };
    let l = &c.layers[0];
    // 164 features; GDAL/GEOS (ogrinfo -dialect SQLite, ST_IsValid) finds exactly one
    // invalid: fid 150, site 08402_01, the 110th feature.
    assert_eq!(l.features.len() + l.skipped.len(), 164);
    assert_eq!(l.skipped.len(), 1);
    assert_eq!(l.skipped[0].location, Location::Feature(109));
    assert_eq!(l.skipped[0].problem.code(), "invalid_polygon");
    assert!(l.features.iter().all(|f| f.id != "08402_01"));
    let f = l.features.iter().find(|f| f.id == "08105_01").unwrap();
    assert_eq!(f.area_ha, Some(2.4153)); // unite_fonciere_surface 24,153 m²
    assert!(matches!(f.geometry, geo::Geometry::MultiPolygon(_)));
}

#[test]
#[ignore = "reads ../shared/data/raw: run with `cargo test -- --include-ignored` where it is"]
fn cartofriches_gzip_csv_all_sites() {
    let Some(c) = load(
        "[[layer]]\nname = \"friches\"\nrole = \"sites\"\n\
         path = \"RAW/cartofriches/cartofriches_friches_2024-03-10.csv.gz\"\n\
         x = \"longitude\"\ny = \"latitude\"\nid = \"site_id\"\nlabel = \"site_nom\"\n\
         commune = \"comm_insee\"\narea_m2 = \"unite_fonciere_surface\"\n\
         [layer.fields]\nstatut = \"site_statut\"\n",
    ) else {
        return;
    };
    let l = &c.layers[0];
    assert_eq!(l.features.len(), 23_878);
    assert!(l.skipped.is_empty(), "{:?}", l.skipped.first());
    // The first data row, read by eye from the raw file.
    let f = &l.features[0];
    assert_eq!(f.id, "31555_16063");
    assert_eq!(f.commune.as_deref(), Some("31555"));
    assert_eq!((f.location.x(), f.location.y()), (1.3908897, 43.5604584));
    assert!((f.area_ha.unwrap() - 5.494922).abs() < 1e-9);
    // Commune codes keep their leading zero and Corsica's letters.
    assert!(l
        .features
        .iter()
        .any(|f| f.commune.as_deref().is_some_and(|c| c.starts_with('0'))));
    assert!(l
        .features
        .iter()
        .any(|f| f.commune.as_deref().is_some_and(|c| c.starts_with("2A"))));
}
