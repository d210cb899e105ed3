//! The consultant's workbench: a web page served at `/` (to a browser) that edits a
//! brief in a form or as TOML/JSON, ranks it over the server's data set, re-ranks it
//! live as weights move, maps and tabulates the shortlist, opens a printable fiche per
//! site with its drive-time catchments, compares two scenarios, and exports the
//! ranking (GeoPackage with its style, HTML report, CSV) and the brief.
//!
//! | route | answer |
//! |---|---|
//! | `GET /` (a browser), `GET /workbench` | the page |
//! | `GET /workbench/{asset}` | its script, style sheet, and Leaflet (vendored) |
//! | `GET /workbench/briefs` | the example briefs, as TOML |
//! | `GET /workbench/vocabulary` | the criterion types, the data set's layers and road networks, for the form's menus |
//! | `POST /workbench/brief` | a brief (TOML or JSON) checked and given both ways, every problem at its key |
//! | `GET /workbench/table?ranking=ID&weights=W,W&top=N` | the ranking's first sites under these weights, re-aggregated from its criterion scores |
//! | `GET /workbench/fiche?ranking=ID&site=SITE` | a site's printable fiche |
//! | `GET /workbench/catchments?ranking=ID&site=SITE&minutes=15,30,45` | its drive-time catchments, GeoJSON |
//! | `POST /workbench/compare` | two briefs (JSON `{"a":…, "b":…, "top":N}`) ranked and compared |
//! | `GET /workbench/export?ranking=ID&f=gpkg\|html\|csv` | the ranking as a file |
//!
//! Everything is computed by the library, as the command line computes it: the page
//! only shows it.

mod fiche;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use axum::body::Body;
use axum::extract::{Path, Query, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};
use sitematch::Brief;

use crate::ogc::json_response;
use crate::problem::Problem;
use crate::rank::{ranked, read_body, refuse_unsafe};
use crate::state::{AppState, RankingEntry};

/// The most sites a table asks for at once.
pub const MAX_TABLE_ROWS: usize = 1_000;

/// The most minutes a fiche's catchment may reach.
pub const MAX_CATCHMENT_MINUTES: f64 = 120.0;

const PAGE: &str = include_str!("page.html");
const APP_JS: &str = include_str!("app.js");
const APP_CSS: &str = include_str!("app.css");
const FICHE_JS: &str = include_str!("fiche.js");

/// The example briefs the page starts from: (file, TOML).
const EXAMPLES: &[(&str, &str)] = &[
    (
        "battery_hauts_de_france.toml",
        include_str!("../../../../examples/briefs/battery_hauts_de_france.toml"),
    ),
    (
        "battery_hauts_de_france_drive.toml",
        include_str!("../../../../examples/briefs/battery_hauts_de_france_drive.toml"),
    ),
    (
        "pharma_auvergne_rhone_alpes.toml",
        include_str!("../../../../examples/briefs/pharma_auvergne_rhone_alpes.toml"),
    ),
    (
        "agrifood_nouvelle_aquitaine.toml",
        include_str!("../../../../examples/briefs/agrifood_nouvelle_aquitaine.toml"),
    ),
    (
        "six_criteria.toml",
        include_str!("../../../../examples/perf/six_criteria.toml"),
    ),
    (
        "national_zan.toml",
        include_str!("../../../../examples/briefs/national_zan.toml"),
    ),
];

fn typed(body: impl Into<Body>, media: &'static str) -> Response {
    let mut r = (StatusCode::OK, body.into()).into_response();
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(media));
    r
}

/// The page.
pub fn page() -> Response {
    typed(PAGE, "text/html; charset=utf-8")
}

/// `GET /workbench`.
pub async fn page_route() -> Response {
    page()
}

/// `GET /workbench/{asset}`: the page's script and style, Leaflet's.
pub async fn asset(Path(name): Path<String>) -> Result<Response, Problem> {
    let (text, media) = match name.as_str() {
        "app.js" => (APP_JS, "text/javascript; charset=utf-8"),
        "fiche.js" => (FICHE_JS, "text/javascript; charset=utf-8"),
        "app.css" => (APP_CSS, "text/css; charset=utf-8"),
        "leaflet.js" => (
            sitematch::output::LEAFLET_JS,
            "text/javascript; charset=utf-8",
        ),
        "leaflet.css" => (sitematch::output::LEAFLET_CSS, "text/css; charset=utf-8"),
        _ => {
            return Err(Problem::not_found(format!(
                "no workbench file {name:?}: GET /workbench for the page"
            )))
        }
    };
    let mut r = typed(text, media);
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    Ok(r)
}

/// `GET /workbench/briefs`: the example briefs, `[{"file", "name", "toml"}]`.
pub async fn briefs() -> Response {
    let list: Vec<Value> = EXAMPLES
        .iter()
        .map(|(file, text)| {
            let name = toml::from_str::<Value>(text)
                .ok()
                .and_then(|v| v["name"].as_str().map(str::to_string))
                .unwrap_or_else(|| file.to_string());
            json!({"file": file, "name": name, "toml": text})
        })
        .collect();
    json_response(&Value::Array(list), "application/json")
}

/// `GET /workbench/vocabulary`: what the form offers in its menus: the criterion
/// types, the data set's layers (name, role, fields) and road networks.
pub async fn vocabulary(State(state): State<Arc<AppState>>) -> Response {
    let layers: Vec<Value> = state
        .engine
        .layers()
        .map(|l| {
            json!({
                "name": l.name,
                "role": l.role.to_string(),
                "fields": state.schemas.get(&l.name).map(|s| s.fields.iter().map(|(f, _)| f.clone()).collect::<Vec<_>>()),
            })
        })
        .collect();
    json_response(
        &json!({
            "types": sitematch::CriterionType::ALL.iter().map(|t| t.as_str()).collect::<Vec<_>>(),
            "layers": layers,
            "networks": state.engine.networks().iter().map(|n| n.name.clone()).collect::<Vec<_>>(),
        }),
        "application/json",
    )
}

/// A brief's text read as TOML or JSON, by its media type: the value, or the parse
/// problem (at its line).
fn brief_value(media: &str, text: &str) -> Result<Value, Vec<(String, String)>> {
    let problems = |e: sitematch::Error| match e {
        sitematch::Error::Brief(p) => p.problems.into_iter().map(|k| (k.key, k.message)).collect(),
        other => vec![("brief".to_string(), other.to_string())],
    };
    if media.contains("toml") {
        match toml::from_str::<Value>(text) {
            Ok(v) => Ok(v),
            // The library's message, with its line and column.
            Err(_) => Err(Brief::from_toml_str(text)
                .err()
                .map(problems)
                .unwrap_or_default()),
        }
    } else {
        match serde_json::from_str::<Value>(text) {
            Ok(v) => Ok(v),
            Err(_) => Err(Brief::from_json_str(text)
                .err()
                .map(problems)
                .unwrap_or_default()),
        }
    }
}

/// Every problem of a brief's value: its own (ranges, names), then against the data
/// (layers, fields), then what the server does not rank.
fn brief_problems(state: &AppState, value: &Value) -> Vec<(String, String)> {
    let brief = match Brief::from_value(value) {
        Ok(b) => b,
        Err(sitematch::Error::Brief(p)) => {
            return p.problems.into_iter().map(|k| (k.key, k.message)).collect()
        }
        Err(e) => return vec![("brief".into(), e.to_string())],
    };
    if let Err(sitematch::Error::Brief(p)) = state.engine.check(&brief) {
        return p.problems.into_iter().map(|k| (k.key, k.message)).collect();
    }
    match refuse_unsafe(&brief) {
        Ok(()) => Vec::new(),
        Err(p) => p.problems,
    }
}

/// The brief's keys in the order a person writes them (TOML's reader gives them in
/// name order): its name and size first, the criteria last; in a criterion its name,
/// type and layer first, its weight last.
fn tidy(value: Value) -> Value {
    fn ordered(
        map: serde_json::Map<String, Value>,
        first: &[&str],
        last: &[&str],
    ) -> serde_json::Map<String, Value> {
        let mut rest = map;
        let mut out = serde_json::Map::new();
        for k in first {
            if let Some(v) = rest.remove(*k) {
                out.insert((*k).to_string(), v);
            }
        }
        let mut tail = serde_json::Map::new();
        for k in last {
            if let Some(v) = rest.remove(*k) {
                tail.insert((*k).to_string(), v);
            }
        }
        out.extend(rest);
        out.extend(tail);
        out
    }
    let Value::Object(map) = value else {
        return value;
    };
    let mut map = ordered(map, &["name", "top", "method"], &["filter", "criterion"]);
    if let Some(Value::Array(list)) = map.get_mut("criterion") {
        for c in list.iter_mut() {
            if let Value::Object(m) = std::mem::take(c) {
                *c = Value::Object(ordered(m, &["name", "type", "layer", "field"], &["weight"]));
            }
        }
    }
    Value::Object(map)
}

/// `POST /workbench/brief`: a brief as TOML (`Content-Type: application/toml`) or
/// JSON, answered with `{"ok", "value", "toml", "json", "problems": [{"key",
/// "message"}]}`: the brief both ways and every problem the command line would give,
/// at its key path.
pub async fn brief(
    State(state): State<Arc<AppState>>,
    request: Request,
) -> Result<Response, Problem> {
    let media = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("application/json")
        .to_ascii_lowercase();
    let body = read_body(&state.limits, request).await?;
    let text = String::from_utf8_lossy(&body);
    let listed = |problems: &[(String, String)]| -> Vec<Value> {
        problems
            .iter()
            .map(|(k, m)| json!({"key": k, "message": m}))
            .collect()
    };
    let value = match brief_value(&media, &text) {
        Ok(v) => v,
        Err(problems) => {
            return Ok(json_response(
                &json!({"ok": false, "value": null, "problems": listed(&problems)}),
                "application/json",
            ))
        }
    };
    let value = tidy(value);
    let mut problems = brief_problems(&state, &value);
    let toml_text = match toml::to_string(&value) {
        Ok(t) => Value::String(t),
        Err(e) => {
            problems.push(("brief".into(), format!("cannot be written as TOML: {e}")));
            Value::Null
        }
    };
    let json_text = serde_json::to_string_pretty(&value).unwrap_or_default();
    Ok(json_response(
        &json!({
            "ok": problems.is_empty(),
            "value": value,
            "toml": toml_text,
            "json": json_text,
            "problems": listed(&problems),
        }),
        "application/json",
    ))
}

/// The ranking a request names (`ranking=ID`).
async fn entry(
    state: &Arc<AppState>,
    params: &HashMap<String, String>,
) -> Result<Arc<RankingEntry>, Problem> {
    let id = params.get("ranking").ok_or_else(|| {
        Problem::bad_request("name the ranking: ranking=ID (the collection id POST /rank gives)")
    })?;
    state.find(id).await.ok_or_else(|| {
        Problem::not_found(format!(
            "no ranking {id:?}: post its brief to /rank again (the server keeps the latest {})",
            state.limits.cached_rankings
        ))
    })
}

/// A list of numbers `a,b,c` from a parameter, each finite.
fn numbers(key: &str, text: &str) -> Result<Vec<f64>, Problem> {
    text.split(',')
        .map(|t| {
            t.trim()
                .parse::<f64>()
                .ok()
                .filter(|x| x.is_finite())
                .ok_or_else(|| {
                    Problem::bad_request(format!(
                        "{key}={text:?}: {t:?} is not a finite number; give numbers separated by commas"
                    ))
                })
        })
        .collect()
}

/// A count parameter within `1..=max`, `default` when absent.
fn count(
    params: &HashMap<String, String>,
    key: &str,
    default: usize,
    max: usize,
) -> Result<usize, Problem> {
    let Some(text) = params.get(key) else {
        return Ok(default.clamp(1, max));
    };
    match text.trim().parse::<usize>() {
        Ok(n) if (1..=max).contains(&n) => Ok(n),
        _ => Err(Problem::bad_request(format!(
            "{key}={text:?}: a whole number from 1 to {max}"
        ))),
    }
}

/// `GET /workbench/table?ranking=ID&weights=W,W,…&top=N`: the ranking's first `top`
/// sites (its brief's `top` by default, at most [`MAX_TABLE_ROWS`]) under `weights`
/// (one per criterion, in the brief's order; the brief's own without it),
/// re-aggregated from the criterion scores the ranking keeps, as
/// [`sitematch::Reweigh`] does. Each row: rank, id, label, commune, layer, area,
/// score, criterion scores, position, and the ranking's robustness and Pareto
/// columns (computed at the brief's weights).
pub async fn table(
    State(state): State<Arc<AppState>>,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Response, Problem> {
    let entry = entry(&state, &params).await?;
    let ranking = &entry.ranking;
    let top = count(&params, "top", ranking.top, MAX_TABLE_ROWS)?;
    let started = Instant::now();
    let placed: Vec<(usize, f64)> = match params.get("weights") {
        Some(w) => {
            let weights = numbers("weights", w)?;
            let table = entry.reweigh().map_err(|e| {
                Problem::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "cannot re-weigh",
                    e.to_string(),
                )
            })?;
            table
                .top(&weights, top)
                .map_err(|e| Problem::bad_request(format!("weights={w:?}: {e}")))?
                .into_iter()
                .map(|p| (p.site, p.score))
                .collect()
        }
        None => ranking
            .ranked_sites()
            .iter()
            .take(top)
            .enumerate()
            .map(|(i, s)| (i, s.score.unwrap_or(0.0)))
            .collect(),
    };
    let micros = started.elapsed().as_micros() as u64;
    let sites: Vec<Value> = placed
        .iter()
        .enumerate()
        .filter_map(|(i, &(at, score))| {
            let s = ranking.sites.get(at)?;
            Some(json!({
                "rank": i + 1,
                "id": s.site_id,
                "label": s.label,
                "commune": s.commune,
                "layer": s.layer,
                "area_ha": s.area_ha,
                "score": score,
                "scores": s.criteria.iter().map(|c| c.score).collect::<Vec<_>>(),
                "lon": s.location.x(),
                "lat": s.location.y(),
                "p_top": s.decision.p_top,
                "pareto": s.decision.pareto,
                "dominated_by": s.decision.dominated_by,
            }))
        })
        .collect();
    Ok(json_response(
        &json!({
            "ranking": entry.id,
            "brief": ranking.brief_name,
            "ranked": ranking.ranked,
            "considered": entry.metadata.get("sites_considered").cloned().unwrap_or(Value::Null),
            "warnings": ranking.warnings.iter().map(|w| json!({"key": w.key, "message": w.message})).collect::<Vec<_>>(),
            "criteria": ranking.criteria.iter().map(|c| json!({"name": c.name, "weight": c.weight})).collect::<Vec<_>>(),
            "robustness": ranking.robustness.is_some(),
            "server_micros": micros,
            "sites": sites,
        }),
        "application/json",
    ))
}

/// The site a request names (`site=ID`) in a ranking.
fn site<'a>(
    entry: &'a RankingEntry,
    params: &HashMap<String, String>,
) -> Result<&'a sitematch::SiteResult, Problem> {
    let id = params
        .get("site")
        .ok_or_else(|| Problem::bad_request("name the site: site=ID"))?;
    entry.ranking.site(id).ok_or_else(|| {
        Problem::not_found(format!(
            "no site {id:?} among the {} sites ranking {} ranks",
            entry.ranking.ranked, entry.id
        ))
    })
}

/// `GET /workbench/fiche?ranking=ID&site=SITE`: one site's printable page (see
/// [`fiche::page`]).
pub async fn fiche(
    State(state): State<Arc<AppState>>,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Response, Problem> {
    let entry = entry(&state, &params).await?;
    let site = site(&entry, &params)?;
    let network = state
        .engine
        .pick_network(None)
        .ok()
        .map(|n| n.name.as_str());
    Ok(typed(
        fiche::page(
            &entry,
            site,
            network,
            state.engine.layer("departements").is_some(),
        ),
        "text/html; charset=utf-8",
    ))
}

/// `GET /workbench/catchments?ranking=ID&site=SITE&minutes=15,30,45[&network=NAME][&cell_m=M]`:
/// the site's drive-time catchments on the data set's road network, as
/// [`sitematch::catchments_geojson`] writes them (bounds of at most
/// [`MAX_CATCHMENT_MINUTES`]; cells of 500 m by default).
pub async fn catchments(
    State(state): State<Arc<AppState>>,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Response, Problem> {
    let entry = entry(&state, &params).await?;
    let site = site(&entry, &params)?;
    let minutes = numbers(
        "minutes",
        params.get("minutes").map_or("15,30,45", String::as_str),
    )?;
    if let Some(m) = minutes.iter().find(|m| **m > MAX_CATCHMENT_MINUTES) {
        return Err(Problem::bad_request(format!(
            "minutes: {m} is beyond the {MAX_CATCHMENT_MINUTES} minutes a page draws; use `sitematch isochrone` for more"
        )));
    }
    let cell_m = match params.get("cell_m") {
        Some(c) => *numbers("cell_m", c)?
            .first()
            .ok_or_else(|| Problem::bad_request("cell_m: give one number of metres"))?,
        None => 500.0,
    };
    let net = state
        .engine
        .pick_network(params.get("network").map(String::as_str))
        .map_err(|e| Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "no road network", e))?;
    let location = site.location;
    let worker = state.clone();
    let name = net.name.clone();
    let origin = site.site_id.clone();
    // Dijkstra and a union of cells: a blocking thread, not the event loop.
    let doc = tokio::task::spawn_blocking(move || {
        let net = worker.engine.network(&name)?;
        Some(
            sitematch::isochrones(net, location, &minutes, cell_m)
                .map(|c| sitematch::catchments_geojson(&c, &name, &origin)),
        )
    })
    .await
    .ok()
    .flatten()
    .ok_or_else(|| {
        Problem::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal error",
            "the catchments failed unexpectedly",
        )
    })?
    .map_err(Problem::bad_request)?;
    Ok(json_response(&doc, "application/geo+json"))
}

/// `POST /workbench/compare` with `{"a": BRIEF, "b": BRIEF, "top": N}` (briefs as
/// JSON values): both ranked (or taken from the rankings kept) and compared as
/// [`sitematch::compare`] does: `{"a": ID, "b": ID, "comparison": …, "flip_a": text,
/// "flip_b": text, "criteria_a": [...], "criteria_b": [...]}`.
pub async fn compare(
    State(state): State<Arc<AppState>>,
    request: Request,
) -> Result<Response, Problem> {
    let body = read_body(&state.limits, request).await?;
    let ask: Value = serde_json::from_slice(&body).map_err(|e| {
        Problem::bad_request(format!(
            "the body is not JSON ({e}): send {{\"a\": BRIEF, \"b\": BRIEF, \"top\": N}}"
        ))
    })?;
    let top = match ask.get("top") {
        None | Some(Value::Null) => 10,
        Some(t) => t
            .as_u64()
            .filter(|n| (1..=MAX_TABLE_ROWS as u64).contains(n))
            .ok_or_else(|| {
                Problem::bad_request(format!(
                    "top: {t} is not a whole number from 1 to {MAX_TABLE_ROWS}"
                ))
            })? as usize,
    };
    let mut entries = Vec::new();
    for side in ["a", "b"] {
        let value = ask.get(side).ok_or_else(|| {
            Problem::bad_request(format!(
                "no brief {side:?}: send {{\"a\": BRIEF, \"b\": BRIEF}}"
            ))
        })?;
        let brief = Brief::from_value(value).map_err(|e| {
            let mut p = Problem::from_error(&e);
            for (k, _) in &mut p.problems {
                *k = format!("{side}.{k}");
            }
            p
        })?;
        refuse_unsafe(&brief)?;
        entries.push(ranked(&state, brief).await?.0);
    }
    let (a, b) = (&entries[0], &entries[1]);
    let c = sitematch::compare(&a.ranking, &b.ranking, top);
    let flip = |f: &Option<sitematch::Flip>, r: &sitematch::Ranking| {
        f.as_ref().and_then(|f| f.describe(r))
    };
    Ok(json_response(
        &json!({
            "a": a.id,
            "b": b.id,
            "flip_a": flip(&c.flip_a, &a.ranking),
            "flip_b": flip(&c.flip_b, &b.ranking),
            "comparison": c,
        }),
        "application/json",
    ))
}

/// `GET /workbench/export?ranking=ID&f=gpkg|html|csv|geojson`: the ranking's
/// shortlist (its brief's `top`) as a file to save: a GeoPackage with its QGIS style,
/// the HTML report, CSV or GeoJSON, as `sitematch rank -o` writes them.
pub async fn export(
    State(state): State<Arc<AppState>>,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Response, Problem> {
    use sitematch::output::{self, OutputFormat, OutputOptions};
    let entry = entry(&state, &params).await?;
    let f = params.get("f").map_or("gpkg", String::as_str);
    let (format, media, ext) = match f {
        "gpkg" => (OutputFormat::Gpkg, "application/geopackage+sqlite3", "gpkg"),
        "html" => (OutputFormat::Html, "text/html; charset=utf-8", "html"),
        "csv" => (OutputFormat::Csv, "text/csv; charset=utf-8", "csv"),
        "geojson" => (OutputFormat::Geojson, "application/geo+json", "geojson"),
        other => {
            return Err(Problem::bad_request(format!(
                "f={other:?}: gpkg, html, csv or geojson"
            )))
        }
    };
    let worker = state.clone();
    let kept = entry.clone();
    let bytes = tokio::task::spawn_blocking(move || -> std::io::Result<Vec<u8>> {
        let ranking = &kept.ranking;
        let opts = OutputOptions::for_ranking(ranking);
        if format == OutputFormat::Gpkg {
            // A GeoPackage is a file: written under a name of its own, read back.
            static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
            let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let path = std::env::temp_dir().join(format!(
                "sitematch-export-{}-{n}-{}.gpkg",
                std::process::id(),
                kept.id
            ));
            let written = output::write_gpkg(ranking, &opts, &[], &path)
                .map_err(|e| std::io::Error::other(e.to_string()))
                .and_then(|_| std::fs::read(&path));
            let _ = std::fs::remove_file(&path);
            return written;
        }
        let outlines = worker.engine.layer("departements").map(|l| l.layer());
        let mut out = Vec::new();
        output::write_ranking(format, ranking, &opts, outlines, &mut out)?;
        Ok(out)
    })
    .await
    .map_err(|_| {
        Problem::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal error",
            "the export failed unexpectedly",
        )
    })?
    .map_err(|e| {
        Problem::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "the export failed",
            e.to_string(),
        )
    })?;
    let mut r = typed(bytes, media);
    let name = format!("{}.{ext}", entry.id);
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        r.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(r)
}
