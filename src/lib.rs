//! sitematch: rank candidate sites (brownfields, business parks) for a relocating plant.
//!
//! Data come as *layers* listed in a `catalog.toml` (DESIGN section 1): GeoJSON,
//! ESRI Shapefile or CSV, each reprojected once at load to WGS84 longitude/latitude
//! and indexed in an R-tree for geodesic nearest and within-radius queries.
//!
//! ```
//! use sitematch::{Catalog, Feature, IndexedLayer, Layer, Role};
//! // Build a layer in memory (or load one with `Catalog::from_path`).
//! let ports = Layer::from_features("ports", Role::Facilities, vec![
//!     Feature::point("le-havre", 0.1079, 49.4839),
//!     Feature::point("dunkerque", 2.3768, 51.0344),
//! ]);
//! let index = IndexedLayer::new(ports);
//! // Nearest port to Lille, by geodesic distance on WGS84.
//! let lille = geo::Point::new(3.0573, 50.6292);
//! let (i, d) = index.nearest(lille, |_| true).unwrap();
//! assert_eq!(index.layer().features[i].id, "dunkerque");
//! assert!((d / 1000.0 - 64.0).abs() < 2.0);
//! # let _ = Catalog::from_layers(vec![]);
//! ```
//!
//! # Features
//!
//! - `proj` (off by default): reproject through PROJ (the `proj` crate), any CRS PROJ
//!   knows. Links the PROJ C library. Without it a pure-Rust path handles the CRSs in
//!   [`crs::SUPPORTED`]: WGS84, Web Mercator, Lambert-93, CC42-CC50, NTF Lambert II
//!   étendu, LAEA Europe and the UTM zones of the overseas départements.

#![deny(missing_docs)]
#![forbid(unsafe_code)]
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

pub mod aggregate;
pub mod brief;
pub mod catalog;
pub mod crs;
pub mod decision;
pub mod error;
pub mod index;
pub mod io;
pub mod model;
pub mod output;
pub mod ranking;
pub mod report;
pub mod scoring;
pub mod text;

pub use aggregate::{aggregate, ahp_weights, topsis, weighted_sum, Method};
pub use brief::Brief;
pub use catalog::{Catalog, CatalogBuilder, LayerSpec};
pub use crs::{Crs, Transformer};
pub use decision::{near_miss, pareto_front, shortlist, Dropped, DroppedBy};
pub use error::{Error, FeatureProblem, Location, Result, Skipped};
pub use index::IndexedLayer;
pub use model::{parse_number, Feature, Format, Layer, Role, Value};
pub use ranking::{CriterionType, Exclusion, Ranking};
pub use scoring::Engine;
