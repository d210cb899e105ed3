//! OGC API - Features, Part 1 (core, GeoJSON): the landing page, the conformance
//! declaration, the collections (the data layers and the rankings made) and their
//! items, paged with `limit`, `offset` and `bbox`.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use geo::{BoundingRect, Intersects, Rect};
use serde_json::{json, Map, Value};
use sitematch::{Feature, Layer};

use crate::html::{self, Format};
use crate::problem::Problem;
use crate::state::{typed, AppState, RankingEntry};

const CRS84: &str = "http://www.opengis.net/def/crs/OGC/1.3/CRS84";

/// The base URL of absolute links: the server's configured public URL
/// ([`AppState::public_url`], behind a reverse proxy), else the one the client used as
/// the standard `Forwarded` header (`proto=https;host=...`) or the
/// `X-Forwarded-Proto` / `X-Forwarded-Host` pair say it, else `http://` and `Host`.
pub fn base(state: &AppState, headers: &HeaderMap) -> String {
    if let Some(url) = &state.public_url {
        return url.clone();
    }
    let text = |name: &str| headers.get(name).and_then(|h| h.to_str().ok());
    // The first hop's Forwarded element: its proto and host.
    let forwarded = |key: &str| {
        let first = text("forwarded")?.split(',').next()?;
        first.split(';').find_map(|pair| {
            let (k, v) = pair.split_once('=')?;
            k.trim()
                .eq_ignore_ascii_case(key)
                .then(|| v.trim().trim_matches('"').to_string())
        })
    };
    let first = |name: &str| {
        text(name)
            .and_then(|v| v.split(',').next())
            .map(|v| v.trim().to_string())
    };
    let proto = forwarded("proto")
        .or_else(|| first("x-forwarded-proto"))
        .filter(|p| p == "http" || p == "https")
        .unwrap_or_else(|| "http".into());
    let host = forwarded("host")
        .or_else(|| first("x-forwarded-host"))
        .or_else(|| text("host").map(str::to_string))
        .filter(|h| {
            !h.is_empty()
                && h.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-.:[]".contains(c))
        })
        .unwrap_or_else(|| "127.0.0.1".into());
    format!("{proto}://{host}")
}

/// A JSON answer with its media type.
pub fn json_response(value: &Value, media: &'static str) -> Response {
    let mut r = value.to_string().into_response();
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(media));
    r
}

fn link(href: String, rel: &str, media: &str, title: &str) -> Value {
    json!({"href": href, "rel": rel, "type": media, "title": title})
}

/// `GET /`: the landing page.
pub async fn landing(
    State(state): State<Arc<AppState>>,
    Query(params): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Result<Response, Problem> {
    let want = html::format(&params, &headers)?;
    // A browser that asks for nothing in particular gets the workbench; the landing
    // page stays at `?f=html` (and JSON for every client).
    if want == Format::Html && !params.contains_key("f") {
        return Ok(crate::workbench::page());
    }
    let b = base(&state, &headers);
    let doc = json!({
            "title": "sitematch",
            "description": "Brownfield sites, logistics, labour and training layers, and the rankings of the briefs posted to /rank",
            "links": [
                link(format!("{b}/"), "self", "application/json", "this document"),
                link(format!("{b}/?f=html"), "alternate", "text/html", "this document, for a browser"),
                link(format!("{b}/api"), "service-desc", crate::openapi::OPENAPI, "the API's description (OpenAPI 3.0)"),
                link(format!("{b}/api.html"), "service-doc", "text/html", "the API's description, for people"),
                link(format!("{b}/conformance"), "conformance", "application/json", "the conformance classes"),
                link(format!("{b}/collections"), "data", "application/json", "the collections"),
                link(format!("{b}/workbench"), "related", "text/html", "the workbench: edit, rank, compare and export briefs in a browser"),
            ],
    });
    Ok(match want {
        Format::Html => html::landing(&b, &doc),
        Format::Json => json_response(&doc, "application/json"),
    })
}

/// `GET /conformance`.
pub async fn conformance(
    State(state): State<Arc<AppState>>,
    Query(params): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Result<Response, Problem> {
    let doc = json!({"conformsTo": [
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html",
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    ]});
    Ok(match html::format(&params, &headers)? {
        Format::Html => html::conformance(&base(&state, &headers), &doc),
        Format::Json => json_response(&doc, "application/json"),
    })
}

fn extent(rect: Option<Rect<f64>>) -> Value {
    let bbox = rect.map_or(json!([-180.0, -90.0, 180.0, 90.0]), |r| {
        json!([r.min().x, r.min().y, r.max().x, r.max().y])
    });
    json!({"spatial": {"bbox": [bbox], "crs": CRS84}})
}

fn collection(b: &str, id: &str, title: &str, description: &str, rect: Option<Rect<f64>>) -> Value {
    json!({
        "id": id,
        "title": title,
        "description": description,
        "extent": extent(rect),
        "itemType": "feature",
        "crs": [CRS84],
        "links": [
            link(format!("{b}/collections/{id}"), "self", "application/json", title),
            link(format!("{b}/collections/{id}?f=html"), "alternate", "text/html", "this collection, for a browser"),
            link(format!("{b}/collections/{id}/items"), "items", "application/geo+json", "the features"),
        ],
    })
}

fn layer_collection(b: &str, layer: &Layer) -> Value {
    collection(
        b,
        &layer.name,
        &layer.name,
        &format!("{} layer, {} features", layer.role, layer.features.len()),
        layer.bbox(),
    )
}

fn ranking_rect(entry: &RankingEntry) -> Option<Rect<f64>> {
    let points: Vec<geo::Point<f64>> = entry
        .ranking
        .ranked_sites()
        .iter()
        .map(|s| s.location)
        .collect();
    geo::MultiPoint::from(points).bounding_rect()
}

fn ranking_collection(b: &str, entry: &RankingEntry) -> Value {
    let r = &entry.ranking;
    let title = if r.brief_name.is_empty() {
        entry.id.clone()
    } else {
        r.brief_name.clone()
    };
    let mut c = collection(
        b,
        &entry.id,
        &title,
        &format!(
            "The {} sites ranked by the brief, best first ({} method)",
            r.ranked, r.method
        ),
        ranking_rect(entry),
    );
    if let Value::Object(m) = &mut c {
        m.insert("sitematch".into(), entry.metadata.clone());
    }
    c
}

/// `GET /collections`: the data layers, then the rankings made.
pub async fn collections(
    State(state): State<Arc<AppState>>,
    Query(params): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Result<Response, Problem> {
    let want = html::format(&params, &headers)?;
    let b = base(&state, &headers);
    let mut list: Vec<Value> = state
        .engine
        .layers()
        .filter(|l| state.schemas.contains_key(&l.name))
        .map(|l| layer_collection(&b, l))
        .collect();
    list.extend(state.rankings().iter().map(|e| ranking_collection(&b, e)));
    let doc = json!({
        "links": [
            link(format!("{b}/collections"), "self", "application/json", "the collections"),
            link(format!("{b}/collections?f=html"), "alternate", "text/html", "the collections, for a browser"),
        ],
        "collections": list,
    });
    Ok(match want {
        Format::Html => html::collections(&b, &doc),
        Format::Json => json_response(&doc, "application/json"),
    })
}

/// A collection by id: a data layer or a ranking.
enum Source<'a> {
    Layer(&'a Layer),
    Ranking(Arc<RankingEntry>),
}

async fn source<'a>(state: &'a Arc<AppState>, id: &str) -> Result<Source<'a>, Problem> {
    if let Some(l) = state.engine.layer(id).map(|l| l.layer()) {
        if state.schemas.contains_key(id) {
            return Ok(Source::Layer(l));
        }
    }
    if let Some(e) = state.find(id).await {
        return Ok(Source::Ranking(e));
    }
    Err(Problem::not_found(format!(
        "no collection {id:?}: GET /collections lists them (a ranking's collection exists once its brief is posted to /rank, and while the server keeps it)"
    )))
}

/// `GET /collections/{id}`.
pub async fn collection_one(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    Query(params): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Result<Response, Problem> {
    let want = html::format(&params, &headers)?;
    let b = base(&state, &headers);
    let c = match source(&state, &id).await? {
        Source::Layer(l) => layer_collection(&b, l),
        Source::Ranking(e) => ranking_collection(&b, &e),
    };
    Ok(match want {
        Format::Html => html::collection(&b, &c),
        Format::Json => json_response(&c, "application/json"),
    })
}

/// A data feature as GeoJSON: id, label, category, commune, area, attributes typed
/// by the layer's columns.
fn layer_feature(state: &AppState, layer: &Layer, f: &Feature) -> Value {
    let mut props = Map::new();
    props.insert("label".into(), json!(f.label));
    props.insert("category".into(), json!(f.category));
    props.insert("commune".into(), json!(f.commune));
    props.insert("area_ha".into(), json!(f.area_ha));
    if !f.tags.is_empty() {
        props.insert("tags".into(), json!(f.tags.join(";")));
    }
    if let Some(schema) = state.schemas.get(&layer.name) {
        for (name, kind) in &schema.fields {
            let key = if props.contains_key(name) {
                format!("attr_{name}")
            } else {
                name.clone()
            };
            let v = f
                .attributes
                .get(name)
                .map_or(Value::Null, |v| typed(*kind, v));
            props.insert(key, v);
        }
    }
    json!({
        "type": "Feature",
        "id": f.id,
        "properties": Value::Object(props),
        "geometry": sitematch::output::geometry_json(&f.geometry),
    })
}

/// The `limit`, `offset` and `bbox` of an items request; other parameters are ignored
/// (clients such as GDAL add their own).
struct Page {
    limit: usize,
    offset: usize,
    /// One box, or two for a box across the antimeridian.
    bbox: Option<Vec<Rect<f64>>>,
}

fn page(params: &HashMap<String, String>, max: usize) -> Result<Page, Problem> {
    let number = |key: &str, default: usize| -> Result<usize, Problem> {
        match params.get(key) {
            None => Ok(default),
            Some(v) => v.trim().parse::<usize>().map_err(|_| {
                Problem::bad_request(format!(
                    "{key}={v:?}: a whole number is expected ({key}=100)"
                ))
            }),
        }
    };
    // Above the server's maximum, the maximum (as the standard asks).
    let limit = number("limit", 10)?.min(max);
    if limit == 0 {
        return Err(Problem::bad_request("limit=0: at least 1"));
    }
    let offset = number("offset", 0)?;
    let bbox = match params.get("bbox") {
        None => None,
        Some(text) => {
            let v: Vec<f64> = text
                .split(',')
                .map(|x| x.trim().parse::<f64>())
                .collect::<Result<_, _>>()
                .map_err(|_| {
                    Problem::bad_request(format!(
                        "bbox={text:?}: four numbers, min lon, min lat, max lon, max lat (bbox=2.0,48.5,2.6,49.0)"
                    ))
                })?;
            // Six numbers carry heights, which a 2D layer ignores.
            let (x0, y0, x1, y1) = match v.as_slice() {
                &[x0, y0, x1, y1] | &[x0, y0, _, x1, y1, _] => (x0, y0, x1, y1),
                _ => (f64::NAN, 0.0, 0.0, 0.0),
            };
            let lon = |x: f64| (-180.0..=180.0).contains(&x);
            let lat = |y: f64| (-90.0..=90.0).contains(&y);
            if !(lon(x0) && lon(x1) && lat(y0) && lat(y1) && y0 <= y1) {
                return Err(Problem::bad_request(format!(
                    "bbox={text:?}: four numbers (or six, with heights), min lon, min lat, max lon, max lat in degrees, min lat no larger than max lat"
                )));
            }
            // A min lon above the max lon: the box crosses the antimeridian.
            Some(if x0 <= x1 {
                vec![Rect::new((x0, y0), (x1, y1))]
            } else {
                vec![
                    Rect::new((x0, y0), (180.0, y1)),
                    Rect::new((-180.0, y0), (x1, y1)),
                ]
            })
        }
    };
    Ok(Page {
        limit,
        offset,
        bbox,
    })
}

/// `GET /collections/{id}/items`: a page of features, with `numberMatched`,
/// `numberReturned` and a `next` link while more remain.
pub async fn items(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    Query(params): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Result<Response, Problem> {
    let want = html::format(&params, &headers)?;
    let b = base(&state, &headers);
    let p = page(&params, state.limits.max_page)?;
    let inside = |g: &geo::Geometry<f64>| match (&p.bbox, g.bounding_rect()) {
        (Some(boxes), Some(r)) => boxes.iter().any(|b| b.intersects(&r)),
        (Some(_), None) => false,
        (None, _) => true,
    };
    let (matched, features): (usize, Vec<Value>) = match source(&state, &id).await? {
        Source::Layer(l) => {
            let all: Vec<&Feature> = l.features.iter().filter(|f| inside(&f.geometry)).collect();
            let page = all
                .iter()
                .skip(p.offset)
                .take(p.limit)
                .map(|f| layer_feature(&state, l, f))
                .collect();
            (all.len(), page)
        }
        Source::Ranking(e) => {
            let r = &e.ranking;
            let all: Vec<_> = r
                .ranked_sites()
                .iter()
                .filter(|s| inside(&geo::Geometry::Point(s.location)))
                .collect();
            let page = all
                .iter()
                .skip(p.offset)
                .take(p.limit)
                .map(|s| sitematch::output::feature_json(r, s))
                .collect();
            (all.len(), page)
        }
    };
    let returned = features.len();
    let query = |offset: usize| {
        let mut q = format!("limit={}&offset={offset}", p.limit);
        if let Some(bbox) = params.get("bbox") {
            q.push_str(&format!("&bbox={bbox}"));
        }
        format!("{b}/collections/{id}/items?{q}")
    };
    let mut links = vec![
        link(query(p.offset), "self", "application/geo+json", "this page"),
        link(
            format!("{}&f=html", query(p.offset)),
            "alternate",
            "text/html",
            "this page, for a browser",
        ),
    ];
    if p.offset + returned < matched {
        links.push(link(
            query(p.offset + returned),
            "next",
            "application/geo+json",
            "the next page",
        ));
    }
    let doc = json!({
        "type": "FeatureCollection",
        "numberMatched": matched,
        "numberReturned": returned,
        "links": links,
        "features": features,
    });
    Ok(match want {
        Format::Html => html::items(&b, &id, &doc, p.limit, p.offset),
        Format::Json => json_response(&doc, "application/geo+json"),
    })
}

/// `GET /collections/{id}/items/{feature}`: one feature; a ranked site also carries
/// its score receipt (`explanation`, the text `sitematch explain` prints).
pub async fn item(
    State(state): State<Arc<AppState>>,
    Path((id, feature)): Path<(String, String)>,
    Query(params): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Result<Response, Problem> {
    let want = html::format(&params, &headers)?;
    let missing = || Problem::not_found(format!("collection {id:?} has no feature {feature:?}"));
    let f = match source(&state, &id).await? {
        Source::Layer(l) => {
            let f = l
                .features
                .iter()
                .find(|f| f.id == feature)
                .ok_or_else(missing)?;
            layer_feature(&state, l, f)
        }
        Source::Ranking(e) => {
            let r = &e.ranking;
            let site = r.site(&feature).ok_or_else(missing)?;
            let mut f = sitematch::output::feature_json(r, site);
            if let Some(text) = sitematch::output::explain(r, &feature) {
                f["properties"]["explanation"] = json!(text);
            }
            f
        }
    };
    Ok(match want {
        Format::Html => html::item(&base(&state, &headers), &id, &f),
        Format::Json => json_response(&f, "application/geo+json"),
    })
}
