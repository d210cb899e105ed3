//! `POST /rank` (a brief in, the ranked GeoJSON out, and the collection it became),
//! `GET /explain` and `GET /health`.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Query, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;
use sitematch::{Brief, Travel};

use crate::ogc::{base, json_response};
use crate::problem::Problem;
use crate::state::{AppState, RankingEntry};

/// A brief from a request body: JSON (`application/json`, the default) or TOML
/// (`application/toml`, `text/toml`, `application/x-toml`).
pub fn parse_brief(headers: &HeaderMap, body: &[u8]) -> Result<Brief, Problem> {
    let media = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("application/json")
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let text = std::str::from_utf8(body).map_err(|e| {
        Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "the brief cannot be read",
            format!("the body is not UTF-8 ({e}); send the brief as UTF-8 text"),
        )
    })?;
    let brief = match media.as_str() {
        "application/json" | "" => Brief::from_json_str(text),
        "application/toml" | "text/toml" | "application/x-toml" | "text/x-toml" => {
            Brief::from_toml_str(text)
        }
        other => {
            return Err(Problem::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported media type",
                format!(
                    "Content-Type {other:?}: send the brief as application/json or application/toml"
                ),
            ))
        }
    };
    brief.map_err(|e| Problem::from_error(&e))
}

/// What a request may not ask: files of the server (a travel-time matrix or a
/// freight criterion's flows name a path) and grid surfaces (millions of cells are a batch job, not a request).
pub fn refuse_unsafe(brief: &Brief) -> Result<(), Problem> {
    let mut problems = Vec::new();
    for (i, c) in brief.criteria.iter().enumerate() {
        if let Some(Travel::Matrix(_)) = c.kind.travel() {
            problems.push((
                format!("criterion[{i}].matrix"),
                "a request cannot name a file of the server: use travel = \"drive\" (the data set's road network) or \"straight\", or rank with the command line".to_string(),
            ));
        }
        if let sitematch::CriterionKind::Freight(_) = &c.kind {
            problems.push((
                format!("criterion[{i}].flows"),
                "a request cannot name a file of the server (the client's flows): rank freight with the command line".to_string(),
            ));
        }
    }
    if brief.grid.is_some() {
        problems.push((
            "candidates.grid_km".to_string(),
            "grid surfaces are not served (millions of cells): rank them with the command line, `sitematch rank BRIEF -o surface.fgb`".to_string(),
        ));
    }
    if problems.is_empty() {
        return Ok(());
    }
    let mut p = Problem::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "the brief cannot be ranked",
        problems
            .iter()
            .map(|(k, m)| format!("{k}: {m}"))
            .collect::<Vec<_>>()
            .join("; "),
    );
    p.problems = problems;
    Err(p)
}

/// A permit to rank: at once when one is free, else after the rankings ahead (as many
/// as [`crate::Limits::max_waiting`] wait; 503 with `Retry-After` beyond).
async fn permit(state: &AppState) -> Result<tokio::sync::OwnedSemaphorePermit, Problem> {
    use std::sync::atomic::Ordering;
    if let Ok(p) = state.permits.clone().try_acquire_owned() {
        return Ok(p);
    }
    let busy = || {
        let mut p = Problem::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "busy",
            format!(
                "{} rankings are running and {} waiting, the most this server takes; try again shortly",
                state.limits.max_rankings, state.limits.max_waiting
            ),
        );
        p.retry_after = Some(1);
        p
    };
    if state.waiting.fetch_add(1, Ordering::SeqCst) >= state.limits.max_waiting {
        state.waiting.fetch_sub(1, Ordering::SeqCst);
        return Err(busy());
    }
    let wait = Duration::from_secs(state.limits.rank_seconds);
    let got = tokio::time::timeout(wait, state.permits.clone().acquire_owned()).await;
    state.waiting.fetch_sub(1, Ordering::SeqCst);
    match got {
        Ok(Ok(p)) => Ok(p),
        _ => Err(busy()),
    }
}

/// A request's body within the limits: 413 beyond `max_body` bytes, 408 when it takes
/// longer than `body_seconds` to arrive, 400 when it is malformed (a broken chunked
/// encoding, a connection cut mid-body).
pub async fn read_body(
    limits: &crate::Limits,
    request: Request,
) -> Result<axum::body::Bytes, Problem> {
    let limit = limits.max_body;
    let seconds = limits.body_seconds;
    let read = axum::body::to_bytes(request.into_body(), limit);
    match tokio::time::timeout(Duration::from_secs(seconds), read).await {
        Err(_) => Err(Problem::new(
            StatusCode::REQUEST_TIMEOUT,
            "the brief took too long to arrive",
            format!("a request body must arrive within {seconds} s"),
        )),
        Ok(Ok(body)) => Ok(body),
        Ok(Err(e)) => {
            let too_large = std::error::Error::source(&e)
                .is_some_and(|s| s.is::<http_body_util::LengthLimitError>());
            Err(if too_large {
                Problem::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "the brief is too large",
                    format!("a brief is at most {limit} bytes"),
                )
            } else {
                Problem::bad_request(format!("the request body could not be read: {e}"))
            })
        }
    }
}

/// Cancels a ranking when dropped.
struct CancelOnDrop(sitematch::Cancel);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        self.0.cancel();
    }
}

/// Ranks a brief on a blocking thread within the limits, and keeps the ranking.
async fn make(
    state: &Arc<AppState>,
    id: String,
    brief: Brief,
) -> Result<Arc<RankingEntry>, Problem> {
    let permit = permit(state).await?;
    let worker = state.clone();
    let key = id.clone();
    // Set when this request ends, whichever way (answered, timed out, or dropped by a
    // client that went away), and when the server shuts down: the ranking then stops
    // at its next check and gives its permit back.
    let cancel = state.shutdown.child();
    let _stop = CancelOnDrop(cancel.clone());
    let task = tokio::task::spawn_blocking(move || {
        // The permit is held until the ranking ends.
        let _permit = permit;
        let rank = || worker.engine.rank_cancellable(&brief, &cancel);
        let ranking = match &worker.pool {
            Some(pool) => pool.install(rank),
            None => rank(),
        };
        ranking.map(|r| {
            let entry = RankingEntry::new(key, r)?;
            // Kept across restarts; a store that cannot take it is said, and the
            // ranking still answered.
            if let Some(store) = &worker.store {
                if let Err(why) = store.save(&entry, &worker.data_version) {
                    eprintln!("sitematch serve: --store {why}");
                }
            }
            Ok::<_, std::io::Error>(entry)
        })
    });
    let seconds = state.limits.rank_seconds;
    let entry = match tokio::time::timeout(Duration::from_secs(seconds), task).await {
        Err(_) => {
            let mut p = Problem::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "the ranking took too long",
                format!("the ranking took longer than {seconds} s, this server's limit; narrow the brief (departments, bbox, radius) or rank it with the command line"),
            );
            p.retry_after = Some(seconds);
            return Err(p);
        }
        Ok(Err(_)) | Ok(Ok(Ok(Err(_)))) => {
            return Err(Problem::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal error",
                "the ranking failed unexpectedly; the server goes on (please report the brief)",
            ))
        }
        Ok(Ok(Err(sitematch::Error::Cancelled))) => {
            let mut p = Problem::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "the server is shutting down",
                "the ranking was stopped: the server is shutting down",
            );
            p.retry_after = Some(5);
            return Err(p);
        }
        Ok(Ok(Err(e))) => return Err(Problem::from_error(&e)),
        Ok(Ok(Ok(Ok(entry)))) => Arc::new(entry),
    };
    state.keep(entry.clone());
    Ok(entry)
}

/// The ranking of a brief already checked safe: the one made before for the same
/// brief and data (`true`), else made now (`false`), one ranking per brief at a time.
pub async fn ranked(
    state: &Arc<AppState>,
    brief: Brief,
) -> Result<(Arc<RankingEntry>, bool), Problem> {
    let id = state.ranking_id(&brief);
    if let Some(e) = state.find(&id).await {
        return Ok((e, true));
    }
    // The same brief posted meanwhile waits for this ranking and is answered from
    // the cache.
    let lock = state.inflight(&id);
    let _turn = lock.lock().await;
    if let Some(e) = state.find(&id).await {
        return Ok((e, true));
    }
    let made = make(state, id.clone(), brief).await;
    state.done(&id);
    Ok((made?, false))
}

/// `POST /rank`: validates the brief (422 with every problem at its key path), ranks
/// it (or takes the ranking made before for the same brief and data), and answers
/// with the ranked GeoJSON (the brief's `top`), `Location: /collections/{id}`, and
/// `X-Sitematch-Cache: hit` or `miss`. 413 beyond the body limit; 503 (with
/// `Retry-After`) when as many rankings as the limit run and as many wait, or a
/// ranking takes longer than the time limit.
pub async fn rank(
    State(state): State<Arc<AppState>>,
    request: Request,
) -> Result<Response, Problem> {
    let headers = request.headers().clone();
    let body = read_body(&state.limits, request).await?;
    let brief = parse_brief(&headers, &body)?;
    refuse_unsafe(&brief)?;
    let (entry, hit) = ranked(&state, brief).await?;
    let id = entry.id.clone();
    let status = if hit {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    let mut response = (status, Body::from(entry.answer.clone())).into_response();
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/geo+json"),
    );
    let location = format!("{}/collections/{id}", base(&state, &headers));
    if let Ok(v) = HeaderValue::from_str(&location) {
        h.insert(header::LOCATION, v);
    }
    h.insert(
        "x-sitematch-cache",
        HeaderValue::from_static(if hit { "hit" } else { "miss" }),
    );
    Ok(response)
}

/// `GET /explain?ranking=ID&site=SITE`: the score receipt of one site, as text (what
/// `sitematch explain` prints).
pub async fn explain(
    State(state): State<Arc<AppState>>,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Response, Problem> {
    let (Some(id), Some(site)) = (params.get("ranking"), params.get("site")) else {
        return Err(Problem::bad_request(
            "give the ranking's collection id and the site: /explain?ranking=ranking-0123456789abcdef&site=59179_13929",
        ));
    };
    let entry = state.find(id).await.ok_or_else(|| {
        Problem::not_found(format!(
            "no ranking {id:?}: post its brief to /rank (the server keeps the latest {})",
            state.limits.cached_rankings
        ))
    })?;
    let text = sitematch::output::explain(&entry.ranking, site).ok_or_else(|| {
        Problem::not_found(format!(
            "no site {site:?} among the {} sites ranking {id} considers",
            entry.ranking.sites.len()
        ))
    })?;
    let mut r = text.into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    Ok(r)
}

/// `GET /health`: for a load balancer.
pub async fn health(State(state): State<Arc<AppState>>) -> Response {
    json_response(
        &json!({
            "status": "ok",
            "data_version": state.data_version,
            "layers": state.schemas.len(),
            "rankings_kept": state.rankings().len(),
            "rankings_running": state.limits.max_rankings - state.permits.available_permits(),
        }),
        "application/json",
    )
}
