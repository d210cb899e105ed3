//! The API's description: an OpenAPI 3.0 document at `/api` (the landing page's
//! `service-desc`, which GDAL and other clients read for the page size they may ask
//! for) and a page for people at `/api.html` (its `service-doc`).

use std::sync::Arc;

use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

use crate::ogc::base;
use crate::state::AppState;

/// The OpenAPI document's media type.
pub const OPENAPI: &str = "application/vnd.oai.openapi+json;version=3.0";

/// Every route: (path, method, summary, parameters, answers), the source of both
/// descriptions.
fn routes(max_page: usize) -> Vec<(&'static str, &'static str, &'static str, Value, Value)> {
    let collection = json!({"name": "collectionId", "in": "path", "required": true,
        "description": "a data layer's name, or a ranking's id (ranking-...)", "schema": {"type": "string"}});
    let problem = json!({"description": "a problem", "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}});
    let geojson = |what: &str| json!({"description": what, "content": {"application/geo+json": {"schema": {"type": "object"}}}});
    let plain = |what: &str| json!({"description": what, "content": {"application/json": {"schema": {"type": "object"}}}});
    vec![
        ("/", "get", "The landing page: links to the API, the conformance classes and the collections",
            json!([]), json!({"200": plain("the landing page")})),
        ("/conformance", "get", "The conformance classes the server implements",
            json!([]), json!({"200": plain("the classes")})),
        ("/collections", "get", "The data layers, then the rankings made",
            json!([]), json!({"200": plain("the collections")})),
        ("/collections/{collectionId}", "get", "One collection: its extent and links",
            json!([collection]), json!({"200": plain("the collection"), "404": problem})),
        ("/collections/{collectionId}/items", "get", "A page of a collection's features",
            json!([
                collection,
                {"name": "limit", "in": "query", "required": false, "style": "form", "explode": false,
                 "description": format!("features per page; above {max_page}, {max_page}"),
                 "schema": {"type": "integer", "minimum": 1, "maximum": max_page, "default": 10}},
                {"name": "offset", "in": "query", "required": false,
                 "description": "features skipped (the next link carries it)",
                 "schema": {"type": "integer", "minimum": 0, "default": 0}},
                {"name": "bbox", "in": "query", "required": false, "style": "form", "explode": false,
                 "description": "min lon, min lat, max lon, max lat (six numbers with heights); a min lon above the max lon crosses the antimeridian",
                 "schema": {"type": "array", "minItems": 4, "maxItems": 6, "items": {"type": "number"}}},
            ]),
            json!({"200": geojson("a FeatureCollection with numberMatched, numberReturned and a next link while more remain"), "400": problem, "404": problem})),
        ("/collections/{collectionId}/items/{featureId}", "get", "One feature; a ranked site carries its score receipt",
            json!([collection, {"name": "featureId", "in": "path", "required": true, "schema": {"type": "string"}}]),
            json!({"200": geojson("a Feature"), "404": problem})),
        ("/rank", "post", "Ranks a brief (JSON, or TOML with Content-Type: application/toml): the ranked GeoJSON, and Location: the collection the ranking became",
            json!([]),
            json!({"201": geojson("the ranking, made now"), "200": geojson("the ranking, made before for the same brief and data"),
                   "400": problem, "408": problem, "413": problem, "422": problem, "503": problem})),
        ("/explain", "get", "A ranked site's score receipt, as text",
            json!([
                {"name": "ranking", "in": "query", "required": true, "schema": {"type": "string"}},
                {"name": "site", "in": "query", "required": true, "schema": {"type": "string"}},
            ]),
            json!({"200": {"description": "the receipt", "content": {"text/plain": {"schema": {"type": "string"}}}}, "404": problem})),
        ("/health", "get", "For a load balancer (no token needed)",
            json!([]), json!({"200": plain("status, data version, rankings kept and running")})),
        // The workbench: its page, and the routes the page calls.
        ("/workbench", "get", "The workbench, a page for a browser (no token needed: it asks for one)",
            json!([]), json!({"200": {"description": "the page", "content": {"text/html": {"schema": {"type": "string"}}}}})),
        ("/workbench/briefs", "get", "The example briefs, as TOML",
            json!([]), json!({"200": plain("a list of {file, name, toml}")})),
        ("/workbench/vocabulary", "get", "The criterion types, the data set's layers (name, role, fields) and road networks",
            json!([]), json!({"200": plain("{types, layers, networks}")})),
        ("/workbench/brief", "post", "Checks a brief (JSON, or TOML with Content-Type: application/toml): the brief both ways and every problem at its key",
            json!([]), json!({"200": plain("{ok, value, toml, json, problems}"), "413": problem})),
        ("/workbench/table", "get", "A ranking's first sites under other weights, re-aggregated from its criterion scores",
            json!([
                {"name": "ranking", "in": "query", "required": true, "schema": {"type": "string"}},
                {"name": "weights", "in": "query", "required": false, "style": "form", "explode": false,
                 "description": "one weight per criterion, in the brief's order (the brief's own without it)",
                 "schema": {"type": "array", "items": {"type": "number", "minimum": 0}}},
                {"name": "top", "in": "query", "required": false,
                 "schema": {"type": "integer", "minimum": 1, "maximum": crate::workbench::MAX_TABLE_ROWS}},
            ]),
            json!({"200": plain("{ranking, ranked, criteria, sites}"), "400": problem, "404": problem, "422": problem})),
        ("/workbench/fiche", "get", "A ranked site's printable fiche",
            json!([
                {"name": "ranking", "in": "query", "required": true, "schema": {"type": "string"}},
                {"name": "site", "in": "query", "required": true, "schema": {"type": "string"}},
            ]),
            json!({"200": {"description": "the fiche", "content": {"text/html": {"schema": {"type": "string"}}}}, "400": problem, "404": problem})),
        ("/workbench/catchments", "get", "A ranked site's drive-time catchments on the data set's road network",
            json!([
                {"name": "ranking", "in": "query", "required": true, "schema": {"type": "string"}},
                {"name": "site", "in": "query", "required": true, "schema": {"type": "string"}},
                {"name": "minutes", "in": "query", "required": false, "style": "form", "explode": false,
                 "schema": {"type": "array", "items": {"type": "number", "exclusiveMinimum": true, "minimum": 0, "maximum": crate::workbench::MAX_CATCHMENT_MINUTES}}},
                {"name": "network", "in": "query", "required": false, "schema": {"type": "string"}},
                {"name": "cell_m", "in": "query", "required": false, "schema": {"type": "number", "minimum": 50, "maximum": 10000}},
            ]),
            json!({"200": geojson("one polygon per bound"), "400": problem, "404": problem, "422": problem})),
        ("/workbench/compare", "post", "Two briefs ({\"a\": BRIEF, \"b\": BRIEF, \"top\": N}) ranked and compared",
            json!([]), json!({"200": plain("{a, b, comparison, flip_a, flip_b}"), "400": problem, "422": problem, "503": problem})),
        ("/workbench/export", "get", "A ranking's shortlist as a file",
            json!([
                {"name": "ranking", "in": "query", "required": true, "schema": {"type": "string"}},
                {"name": "f", "in": "query", "required": false,
                 "schema": {"type": "string", "enum": ["gpkg", "html", "csv", "geojson"], "default": "gpkg"}},
            ]),
            json!({"200": {"description": "the file (Content-Disposition: attachment)", "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}}, "400": problem, "404": problem})),
    ]
}

/// The OpenAPI 3.0 document of this server.
pub fn document(state: &AppState, base: &str) -> Value {
    let mut paths = serde_json::Map::new();
    for (path, method, summary, parameters, responses) in routes(state.limits.max_page) {
        let mut op = json!({"summary": summary, "parameters": parameters, "responses": responses});
        // The OGC documents have a page for a browser too.
        if method == "get"
            && (path == "/" || path == "/conformance" || path.starts_with("/collections"))
        {
            if let Some(list) = op["parameters"].as_array_mut() {
                list.push(json!({"name": "f", "in": "query", "required": false,
                    "description": "json (the default), or html for a page (also when Accept prefers text/html)",
                    "schema": {"type": "string", "enum": ["json", "html"]}}));
            }
            if let Some(content) = op["responses"]["200"]["content"].as_object_mut() {
                content.insert("text/html".into(), json!({"schema": {"type": "string"}}));
            }
        }
        if path == "/rank" || path == "/workbench/brief" {
            op["requestBody"] = json!({"required": true, "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/Brief"}},
                "application/toml": {"schema": {"type": "string"}},
            }});
        }
        if path == "/workbench/compare" {
            op["requestBody"] = json!({"required": true, "content": {
                "application/json": {"schema": {"type": "object", "required": ["a", "b"], "properties": {
                    "a": {"$ref": "#/components/schemas/Brief"},
                    "b": {"$ref": "#/components/schemas/Brief"},
                    "top": {"type": "integer", "minimum": 1, "maximum": crate::workbench::MAX_TABLE_ROWS},
                }}},
            }});
        }
        if !state.tokens.is_empty() && path != "/health" && path != "/workbench" {
            op["security"] = json!([{"bearer": []}]);
        }
        let entry = paths.entry(path).or_insert_with(|| json!({}));
        entry[method] = op;
    }
    json!({
        "openapi": "3.0.3",
        "info": {
            "title": "sitematch",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "OGC API - Features (Part 1: core, GeoJSON) over the data layers and the rankings made, and POST /rank for briefs",
        },
        "servers": [{"url": base}],
        "paths": paths,
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Problem": {"type": "object", "properties": {
                    "type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
                    "detail": {"type": "string"},
                    "problems": {"type": "array", "items": {"type": "object", "properties": {
                        "key": {"type": "string"}, "message": {"type": "string"}}}},
                }},
                "Brief": sitematch::brief_schema(true),
            },
        },
    })
}

/// `GET /api`: the OpenAPI document.
pub async fn api(State(state): State<Arc<AppState>>, headers: HeaderMap) -> Response {
    let b = base(&state, &headers);
    let mut r = document(&state, &b).to_string().into_response();
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(OPENAPI));
    r
}

/// `GET /api.html`: the same routes, for people.
pub async fn api_html(State(state): State<Arc<AppState>>) -> Response {
    let escape = crate::html::escape;
    let mut rows = String::new();
    for (path, method, summary, parameters, _) in routes(state.limits.max_page) {
        let params: Vec<String> = parameters
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|p| {
                        p["name"]
                            .as_str()
                            .map(|n| format!("<code>{}</code>", escape(n)))
                    })
                    .collect()
            })
            .unwrap_or_default();
        rows.push_str(&format!(
            "<tr><td>{}</td><td><code>{}</code></td><td>{}</td><td>{}</td></tr>\n",
            method.to_uppercase(),
            escape(path),
            escape(summary),
            params.join(" ")
        ));
    }
    let tokens = if state.tokens.is_empty() {
        "No token is needed."
    } else {
        "Every route but <code>/health</code> needs <code>Authorization: Bearer TOKEN</code>."
    };
    let page = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>sitematch API</title></head><body>\
         <h1>sitematch API</h1><p>OGC API - Features (core, GeoJSON) and <code>POST /rank</code>. \
         The machine-readable description is at <a href=\"api\">/api</a> (OpenAPI 3.0). {tokens}</p>\
         <table border=\"1\" cellpadding=\"4\"><tr><th>method</th><th>path</th><th>what</th><th>parameters</th></tr>\n{rows}</table></body></html>"
    );
    let mut r = page.into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    r
}
