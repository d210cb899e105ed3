//! sitematch as a service: the data set loaded and indexed once, an OGC API -
//! Features endpoint that QGIS and GDAL read (the data layers, and every ranking made
//! as a collection), and `POST /rank` for briefs. A thin layer over the `sitematch`
//! library, as the command is.
//!
//! | route | answer |
//! |---|---|
//! | `GET /` | the landing page, with links |
//! | `GET /conformance` | OGC API - Features core and GeoJSON |
//! | `GET /collections` | the data layers, then the rankings kept |
//! | `GET /collections/{id}` | one collection: extent, links |
//! | `GET /collections/{id}/items` | a page of features (`limit`, `offset`, `bbox`), `numberMatched`, `numberReturned`, `next` |
//! | `GET /collections/{id}/items/{site}` | one feature; a ranked site with its score receipt |
//! | `POST /rank` | a brief (JSON, or TOML with `Content-Type: application/toml`): the ranked GeoJSON, `Location` of its collection |
//! | `GET /explain?ranking=ID&site=SITE` | a site's score receipt, as text |
//! | `GET /health` | for a load balancer |
//!
//! Errors are `application/problem+json` with the command line's messages (422 for a
//! brief, every problem at its key path). Bodies are bounded (413), rankings run at
//! most [`Limits::max_rankings`] at once (503 with `Retry-After` beyond) and within a
//! time limit; a request cannot name a file of the server.
//!
//! ```no_run
//! # async fn run() -> std::io::Result<()> {
//! let catalog = sitematch::Catalog::from_path("data")
//!     .map_err(|e| std::io::Error::other(e.to_string()))?;
//! let state = sitematch_server::AppState::new(
//!     sitematch::Engine::new(catalog),
//!     sitematch_server::data_version("data".as_ref()),
//!     sitematch_server::Limits::default(),
//! );
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await?;
//! sitematch_server::serve(listener, std::sync::Arc::new(state)).await
//! # }
//! ```

#![forbid(unsafe_code)]
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

mod ogc;
mod problem;
mod rank;
mod state;

use std::sync::Arc;

use axum::routing::{get, post};
use axum::Router;

pub use problem::Problem;
pub use state::{data_version, AppState, Limits, RankingEntry};

/// The routes over a state.
///
/// ```
/// let engine = sitematch::Engine::new(sitematch::Catalog::from_layers(vec![]));
/// let state = sitematch_server::AppState::new(engine, "v1".into(), Default::default());
/// let _router = sitematch_server::router(std::sync::Arc::new(state));
/// ```
pub fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/", get(ogc::landing))
        .route("/conformance", get(ogc::conformance))
        .route("/collections", get(ogc::collections))
        .route("/collections/{id}", get(ogc::collection_one))
        .route("/collections/{id}/items", get(ogc::items))
        .route("/collections/{id}/items/{feature}", get(ogc::item))
        .route("/rank", post(rank::rank))
        .route("/explain", get(rank::explain))
        .route("/health", get(rank::health))
        .fallback(|| async {
            Problem::not_found(
                "no such route: GET / lists the links (collections, conformance), POST /rank takes a brief",
            )
        })
        .with_state(state)
}

/// Serves until the process is stopped (or Ctrl-C).
pub async fn serve(listener: tokio::net::TcpListener, state: Arc<AppState>) -> std::io::Result<()> {
    axum::serve(listener, router(state))
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
}
