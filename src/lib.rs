//! sitematch: rank candidate sites (brownfields, business parks) for a relocating plant.
//!
//! Data come as *layers* listed in a `catalog.toml` (docs/engine.md, section 1): GeoJSON,
//! ESRI Shapefile or CSV, each reprojected once at load to WGS84 longitude/latitude
//! and indexed in an R-tree for geodesic nearest and within-radius queries. A
//! [`Brief`] says what the plant needs; the [`Engine`] ranks the sites against it and
//! explains every point of every score; [`output`] writes the [`Ranking`] in the
//! formats GIS tools and clients open.
//!
//! The first program: load the French data set, rank a brief, print the top five. It
//! compiles and runs as shown (as `src/main.rs` of a crate that depends on sitematch).
//!
//! ```
//! use sitematch::{Brief, Catalog, Engine};
//!
//! fn main() -> Result<(), Box<dyn std::error::Error>> {
//!     // The data set of the source tree (or the folder $SITEMATCH_DATA names).
//!     let catalog = Catalog::from_path(sitematch::data_dir(None))?;
//!     let engine = Engine::new(catalog); // one spatial index per layer
//!     let brief = Brief::from_toml_str(
//!         r#"
//!         name = "Battery cell plant"
//!         [filter]
//!         min_area_ha = 20
//!         [[criterion]]
//!         name = "motorway"
//!         type = "distance"
//!         layer = "motorway"
//!         ideal_km = 0
//!         zero_km = 15
//!         [[criterion]]
//!         name = "labour"
//!         type = "access"
//!         layer = "communes"
//!         field = "active"
//!         radius_km = 30
//!         saturation = 1000000
//!         "#,
//!     )?; // every problem of the brief at once
//!     let ranking = engine.rank(&brief)?; // best first, ties by id
//!     for site in ranking.ranked_sites().iter().take(5) {
//!         // A ranked site has a rank and a score; an excluded one has neither.
//!         let (Some(rank), Some(score)) = (site.rank, site.score) else { continue };
//!         let name = site.label.as_deref().unwrap_or("(no name)");
//!         println!("{rank}. {score:.1}  {}  {name}", site.site_id);
//!     }
//!     let excluded = ranking.sites.len() - ranking.ranked;
//!     println!("{} sites ranked, {excluded} excluded", ranking.ranked);
//!     Ok(())
//! }
//! ```
//!
//! [`output`] writes the same ranking as GeoJSON, CSV, FlatGeobuf, GeoPackage,
//! Markdown or HTML (`output::write_ranking`).
//!
//! Layers can also be built in memory and queried directly:
//!
//! ```
//! use sitematch::{Feature, IndexedLayer, Layer, Role};
//! let ports = Layer::from_features("ports", Role::Facilities, vec![
//!     Feature::point("le-havre", 0.1079, 49.4839),
//!     Feature::point("dunkerque", 2.3768, 51.0344),
//! ]);
//! let index = IndexedLayer::new(ports);
//! // Nearest port to Lille, by geodesic distance on WGS84.
//! let lille = sitematch::geo::Point::new(3.0573, 50.6292); // geo, re-exported
//! let (i, d) = index.nearest(lille, |_| true).unwrap();
//! assert_eq!(index.layer().features[i].id, "dunkerque");
//! assert!((d / 1000.0 - 64.0).abs() < 2.0);
//! ```
//!
//! # Features
//!
//! - `proj` (off by default): reproject through PROJ (the `proj` crate), any CRS PROJ
//!   knows. Links the PROJ C library. Without it a pure-Rust path handles the CRSs in
//!   [`SUPPORTED_CRS`]: WGS84, Web Mercator, Lambert-93, CC42-CC50, NTF Lambert II
//!   étendu, LAEA Europe and the UTM zones of the overseas départements.

#![deny(missing_docs)]
#![forbid(unsafe_code)]
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

mod aggregate;
mod attributes;
mod brief;
mod cancel;
mod catalog;
mod criteria;
mod crs;
mod de;
mod decision;
mod departements;
mod engine;
mod error;
mod geodesy;
mod index;
mod io;
mod isochrone;
mod model;
mod network;
pub mod output;
mod ranking;
mod report;
mod table;
#[cfg(test)]
mod test_util;
mod text;
mod travel;
pub mod validation;
mod warnings;

pub use aggregate::{aggregate, ahp_weights, topsis, weighted_sum, Method, RANDOM_INDEX};
/// Shared text (the `arcstr` crate's): ids, labels, categories, communes and attribute
/// values, cloned by a reference count.
pub use arcstr::ArcStr;
pub use attributes::{AttributeNames, Attributes};
pub use brief::{
    brief_schema, AccessSpec, Anchor, AnchorSpec, AttributeSpec, Brief, CategorySpec,
    CompetitionMeasure, CompetitionSpec, Criterion, CriterionKind, CriterionType, Decay,
    DistanceSpec, Filter, FreightSpec, GridSpec, Impedance, LandSpec, OutputSpec, Robustness,
    Target, Travel, ZoneSpec, DEFAULT_FACTORS, MAX_CRITERIA, MAX_LIST_ITEMS, MAX_RADIUS_KM,
    MAX_RADIUS_MIN, MAX_ROBUSTNESS_RUNS,
};
pub use cancel::Cancel;
pub use catalog::{
    data_dir, default_cache_dir, Catalog, CatalogBuilder, Chunks, Delimiter, LayerSpec,
    SnapshotUse, StreamedLayer, STREAM_CHUNK,
};
pub use crs::{Crs, OutputCrs, Transformer, SUPPORTED as SUPPORTED_CRS};
pub use decision::{
    compare, flip_margin, near_miss, pareto_front, robustness, shortlist, Comparison, Dropped,
    Placed, RankStats, Reweigh, Shift,
};
pub use engine::{Engine, Grid, GridStats, MAX_CELLS, MAX_PAIRS, MAX_ROBUSTNESS_RANKS};
pub use error::{BriefProblems, Error, FeatureProblem, KeyProblem, Location, Result, Skipped};
/// The `geo` crate this one is built on (points, geometries), for the types of its API.
pub use geo;
pub use index::{fast_distance_m, IndexedLayer, FAST_MAX_M};
pub use io::{text::TextEncoding, Decimal};
pub use isochrone::{
    catchments_geojson, isochrones, Isochrone, MAX_ISOCHRONE_CELLS, MAX_ISOCHRONE_MINUTES,
};
pub use model::{parse_number, Feature, Format, Layer, Measure, Role, Value};
pub use network::{
    Network, RoadEdge, DEFAULT_ACCESS_KMH, DEFAULT_KMH, OSM_SPEEDS_KMH, ROUTE120_SPEEDS_KMH,
};
pub use ranking::{
    AttributeColumn, ColumnType, CriterionInfo, CriterionResult, CriterionValue, Decision,
    DroppedBy, Exclusion, Flip, FlowShare, FreightDetail, LayerCount, NearMiss, Ranking,
    SiteResult, Streamed,
};
pub use text::fold;
pub use warnings::{Warning, WarningKind};

/// This build of the library: a hash of its sources, made when it is compiled. A
/// [`Ranking`] saved with serde (its types derive `Serialize` and `Deserialize`) is
/// read back by the same build only: a file that keeps this id beside the ranking can
/// tell a ranking of another build, whose layout may differ, from one it can read.
pub const BUILD_ID: &str = env!("SITEMATCH_BUILD_ID");
