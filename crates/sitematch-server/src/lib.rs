//! sitematch as a service: the data set loaded and indexed once, an OGC API -
//! Features endpoint that QGIS and GDAL read (the data layers, and every ranking made
//! as a collection), and `POST /rank` for briefs. A thin layer over the `sitematch`
//! library, as the command is.
//!
//! | route | answer |
//! |---|---|
//! | `GET /` | the landing page, with links (JSON, or `?f=html`); a browser gets the workbench |
//! | `GET /workbench…` | the consultant's workbench and its routes (see below) |
//! | `GET /api` | the OpenAPI 3.0 document (`/api.html` for people) |
//! | `GET /conformance` | OGC API - Features core and GeoJSON |
//! | `GET /collections` | the data layers, then the rankings kept |
//! | `GET /collections/{id}` | one collection: extent, links |
//! | `GET /collections/{id}/items` | a page of features (`limit`, `offset`, `bbox`), `numberMatched`, `numberReturned`, `next` |
//! | `GET /collections/{id}/items/{site}` | one feature; a ranked site with its score receipt |
//! | `POST /rank` | a brief (JSON, or TOML with `Content-Type: application/toml`): the ranked GeoJSON, `Location` of its collection |
//! | `GET /explain?ranking=ID&site=SITE` | a site's score receipt, as text |
//! | `GET /health` | for a load balancer |
//!
//! The workbench (`/workbench/briefs`, `/workbench/brief`, `/workbench/table`,
//! `/workbench/fiche`, `/workbench/catchments`, `/workbench/compare`,
//! `/workbench/export`) is a web page over the same engine: a brief edited in a form
//! or as TOML/JSON, ranked, re-ranked live as weights move, a printable fiche per site
//! with its drive-time catchments, two scenarios compared, exports.
//!
//! Errors are `application/problem+json` with the command line's messages (422 for a
//! brief, every problem at its key path). Bodies are bounded (413) and timed (408),
//! rankings run at most [`Limits::max_rankings`] at once (503 with `Retry-After`
//! beyond), on the server's own threads and within a time limit past which they stop;
//! connections are bounded in number and closed when idle or slow to send their
//! headers; a request cannot name a file of the server.
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

mod access;
mod html;
mod ogc;
mod openapi;
mod problem;
mod rank;
mod state;
mod store;
mod workbench;

use std::sync::Arc;

use axum::routing::{get, post};
use axum::Router;

pub use access::{AccessLog, Scope, Tokens};
pub use openapi::document as openapi_document;
pub use problem::Problem;
pub use state::{data_version, AppState, Limits, RankingEntry};
pub use store::{Store, StoreReport};

/// The routes over a state.
///
/// ```
/// let engine = sitematch::Engine::new(sitematch::Catalog::from_layers(vec![]));
/// let state = sitematch_server::AppState::new(engine, "v1".into(), Default::default());
/// let _router = sitematch_server::router(std::sync::Arc::new(state));
/// ```
pub fn router(state: Arc<AppState>) -> Router {
    let cors = cors(&state.cors_origins);
    let log = axum::middleware::from_fn_with_state(state.clone(), access::log);
    let authorize = axum::middleware::from_fn_with_state(state.clone(), access::authorize);
    let router = Router::new()
        .route("/", get(ogc::landing))
        .route("/api", get(openapi::api))
        .route("/api.html", get(openapi::api_html))
        .route("/conformance", get(ogc::conformance))
        .route("/collections", get(ogc::collections))
        .route("/collections/{id}", get(ogc::collection_one))
        .route("/collections/{id}/items", get(ogc::items))
        .route("/collections/{id}/items/{feature}", get(ogc::item))
        .route("/rank", post(rank::rank))
        .route("/explain", get(rank::explain))
        .route("/health", get(rank::health))
        .route("/workbench", get(workbench::page_route))
        .route("/workbench/briefs", get(workbench::briefs))
        .route("/workbench/vocabulary", get(workbench::vocabulary))
        .route("/workbench/brief", post(workbench::brief))
        .route("/workbench/table", get(workbench::table))
        .route("/workbench/fiche", get(workbench::fiche))
        .route("/workbench/catchments", get(workbench::catchments))
        .route("/workbench/compare", post(workbench::compare))
        .route("/workbench/export", get(workbench::export))
        .route("/workbench/{asset}", get(workbench::asset))
        .fallback(|| async {
            Problem::not_found(
                "no such route: GET / lists the links (collections, conformance), POST /rank takes a brief",
            )
        })
        .with_state(state)
        .layer(authorize)
        // gzip when the client asks for it (Accept-Encoding).
        .layer(tower_http::compression::CompressionLayer::new());
    let router = match cors {
        // Outside the tokens: a browser's preflight carries none.
        Some(c) => router.layer(c),
        None => router,
    };
    // Outermost: every answer is logged, a 401 too.
    router.layer(log)
}

/// The CORS layer for these origins (`None` when none is allowed): GET, POST and
/// OPTIONS, the headers a client sends (`Content-Type`, `Authorization`), and the
/// `Location` and `X-Sitematch-Cache` headers exposed to the page.
fn cors(origins: &[String]) -> Option<tower_http::cors::CorsLayer> {
    use axum::http::{header, HeaderName, HeaderValue, Method};
    use tower_http::cors::{AllowOrigin, CorsLayer};
    if origins.is_empty() {
        return None;
    }
    let allow = if origins.iter().any(|o| o == "*") {
        AllowOrigin::any()
    } else {
        let list: Vec<HeaderValue> = origins
            .iter()
            .filter_map(|o| HeaderValue::from_str(o.trim_end_matches('/')).ok())
            .collect();
        AllowOrigin::list(list)
    };
    Some(
        CorsLayer::new()
            .allow_origin(allow)
            .allow_methods([Method::GET, Method::POST, Method::OPTIONS])
            .allow_headers([header::CONTENT_TYPE, header::AUTHORIZATION, header::ACCEPT])
            .expose_headers([
                header::LOCATION,
                HeaderName::from_static("x-sitematch-cache"),
            ])
            .max_age(std::time::Duration::from_secs(3600)),
    )
}

/// Serves until Ctrl-C or SIGTERM (what `systemctl stop` and `docker stop` send), then
/// drains: see [`serve_until`].
pub async fn serve(listener: tokio::net::TcpListener, state: Arc<AppState>) -> std::io::Result<()> {
    serve_until(listener, state, async {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{signal, SignalKind};
            match signal(SignalKind::terminate()) {
                Ok(mut term) => {
                    tokio::select! {
                        _ = tokio::signal::ctrl_c() => {}
                        _ = term.recv() => {}
                    }
                }
                Err(_) => {
                    let _ = tokio::signal::ctrl_c().await;
                }
            }
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
        }
    })
    .await
}

/// Serves until `stop` completes, then takes no new connection, lets each connection
/// finish the request it is on (a ranking running among them) for at most
/// [`Limits::drain_seconds`], stops the rankings still running past it (they answer
/// 503), and returns.
///
/// Connections are bounded: at most [`Limits::max_connections`] open at once (one more
/// is closed at once), each closed when it takes more than
/// [`Limits::header_seconds`] to send a request's headers or stays idle that long
/// between two requests.
pub async fn serve_until(
    listener: tokio::net::TcpListener,
    state: Arc<AppState>,
    stop: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    use hyper::server::conn::http1;
    use hyper_util::rt::{TokioIo, TokioTimer};
    use hyper_util::service::TowerToHyperService;

    let app = router(state.clone());
    // Clamped to what a semaphore holds by AppState::new.
    let open = Arc::new(tokio::sync::Semaphore::new(state.limits.max_connections));
    let header_time = std::time::Duration::from_secs(state.limits.header_seconds.max(1));
    let (stopping, stopped) = tokio::sync::watch::channel(false);
    let mut connections = tokio::task::JoinSet::new();
    let mut stop = std::pin::pin!(stop);
    loop {
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                // Out of file descriptors, or a connection reset before it was taken:
                // the listener goes on after a breath.
                Err(_) => {
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = &mut stop => break,
        };
        while connections.try_join_next().is_some() {}
        let Ok(slot) = open.clone().try_acquire_owned() else {
            drop(stream);
            continue;
        };
        let service = TowerToHyperService::new(app.clone());
        let mut stopped = stopped.clone();
        connections.spawn(async move {
            let _slot = slot;
            // HTTP/1.1 (what GDAL, QGIS and browsers speak to it), its timer counting
            // from the connection's start and from the end of each answer.
            let conn = http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(header_time)
                .serve_connection(TokioIo::new(stream), service);
            let mut conn = std::pin::pin!(conn);
            tokio::select! {
                _ = conn.as_mut() => return,
                _ = stopped.wait_for(|s| *s) => {}
            }
            conn.as_mut().graceful_shutdown();
            let _ = conn.await;
        });
    }
    // No new connection: they are refused rather than left waiting.
    drop(listener);
    let _ = stopping.send(true);
    let drain = std::time::Duration::from_secs(state.limits.drain_seconds);
    let drained = tokio::time::timeout(drain, async {
        while connections.join_next().await.is_some() {}
    })
    .await;
    if drained.is_err() {
        state.shutdown.cancel();
        while connections.join_next().await.is_some() {}
    }
    state.shutdown.cancel();
    Ok(())
}
