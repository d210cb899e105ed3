//! HTML views of the OGC API documents, for a person with a browser: the landing
//! page, the conformance classes, the collections, one collection, a page of items
//! (a table, with the previous and next pages) and one item (its properties, and a
//! ranked site's score receipt).
//!
//! A request gets HTML with `?f=html`, or when its `Accept` header prefers `text/html`
//! (a browser's does); `?f=json` and every other client (GDAL, QGIS, OWSLib, curl) get
//! JSON. Each page is made from the JSON document the same request answers otherwise,
//! so the two never disagree. No script: the pages are plain HTML with a little CSS.

use std::collections::HashMap;
use std::fmt::Write;

use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use crate::problem::Problem;

/// The representation a request asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// JSON (GeoJSON for features): the default.
    Json,
    /// A page for a browser.
    Html,
}

/// `?f=json|html`, else the `Accept` header: HTML when it names `text/html` with a
/// higher quality than any JSON type (a browser's `text/html,...,*/*;q=0.8`).
pub fn format(params: &HashMap<String, String>, headers: &HeaderMap) -> Result<Format, Problem> {
    match params.get("f").map(|f| f.trim().to_ascii_lowercase()) {
        Some(f) if f == "json" || f == "geojson" => return Ok(Format::Json),
        Some(f) if f == "html" => return Ok(Format::Html),
        Some(f) => {
            return Err(Problem::bad_request(format!(
                "f={f:?}: json or html (f=html for a browser)"
            )))
        }
        None => {}
    }
    let accept = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let quality = |wanted: &dyn Fn(&str) -> bool| -> f64 {
        accept
            .split(',')
            .filter_map(|part| {
                let mut bits = part.split(';');
                let media = bits.next()?.trim().to_ascii_lowercase();
                if !wanted(&media) {
                    return None;
                }
                let q = bits
                    .find_map(|b| b.trim().strip_prefix("q=")?.trim().parse::<f64>().ok())
                    .unwrap_or(1.0);
                Some(q)
            })
            .fold(0.0, f64::max)
    };
    let html = quality(&|m| m == "text/html");
    let json = quality(&|m| m.ends_with("json"));
    Ok(if html > 0.0 && html > json {
        Format::Html
    } else {
        Format::Json
    })
}

pub use sitematch::output::escape_html as escape;

/// A URL path segment (a collection's or a feature's id) percent-encoded.
pub fn segment(id: &str) -> String {
    use percent_encoding::{utf8_percent_encode, NON_ALPHANUMERIC};
    utf8_percent_encode(id, NON_ALPHANUMERIC)
        .to_string()
        // Unreserved characters stay as they are, as every client writes them.
        .replace("%2D", "-")
        .replace("%2E", ".")
        .replace("%5F", "_")
        .replace("%7E", "~")
}

/// `url` with `f=html` added to its query.
fn html_url(url: &str) -> String {
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}f=html")
}

/// `url` with `f=json` added to its query.
fn json_url(url: &str) -> String {
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}f=json")
}

/// The page, with its title, a link home and to its JSON, and `body`.
fn page(base: &str, title: &str, json: &str, body: &str) -> Response {
    let mut out = String::new();
    let _ = write!(
        out,
        r#"<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{t} - sitematch</title>
<link rel="alternate" type="application/json" href="{j}">
<style>
body{{font:15px/1.45 system-ui,sans-serif;margin:1.5em auto;max-width:75em;padding:0 1em;color:#222}}
nav a{{margin-right:1em}} table{{border-collapse:collapse;font-size:13px}}
th,td{{border:1px solid #ccc;padding:.2em .5em;text-align:left;vertical-align:top}}
th{{background:#f3f3f3}} td.n{{text-align:right}} pre{{background:#f6f6f6;padding:.8em;overflow:auto}}
.pages a{{margin-right:1em}}
</style></head>
<body>
<nav><a href="{home}">sitematch</a><a href="{cols}">collections</a><a href="{api}">API</a><a href="{j}">JSON</a></nav>
<h1>{t}</h1>
{body}
</body></html>
"#,
        t = escape(title),
        j = escape(json),
        home = escape(&html_url(&format!("{base}/"))),
        cols = escape(&html_url(&format!("{base}/collections"))),
        api = escape(&format!("{base}/api.html")),
    );
    let mut r = out.into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    r
}

fn text(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Number(n) => match n.as_f64() {
            // Scores and distances read as the report shows them.
            Some(x) if n.is_f64() => format!("{}", (x * 1e4).round() / 1e4),
            _ => n.to_string(),
        },
        other => other.to_string(),
    }
}

fn cell(v: &Value) -> String {
    let class = if v.is_number() { " class=\"n\"" } else { "" };
    format!("<td{class}>{}</td>", escape(&text(v)))
}

/// The links of a document as a list.
fn links(doc: &Value) -> String {
    let mut out = String::from("<ul>");
    for l in doc["links"].as_array().into_iter().flatten() {
        let href = l["href"].as_str().unwrap_or_default();
        let media = l["type"].as_str().unwrap_or_default();
        let _ = write!(
            out,
            "<li><a href=\"{}\">{}</a> ({}, {})</li>",
            escape(href),
            escape(l["title"].as_str().unwrap_or(href)),
            escape(l["rel"].as_str().unwrap_or_default()),
            escape(media),
        );
    }
    out.push_str("</ul>");
    out
}

fn bbox(c: &Value) -> String {
    c["extent"]["spatial"]["bbox"][0]
        .as_array()
        .map(|b| b.iter().map(text).collect::<Vec<_>>().join(", "))
        .unwrap_or_default()
}

/// The landing page.
pub fn landing(base: &str, doc: &Value) -> Response {
    let body = format!(
        "<p>{}</p>{}",
        escape(doc["description"].as_str().unwrap_or_default()),
        links(doc)
    );
    page(base, "sitematch", &json_url(&format!("{base}/")), &body)
}

/// The conformance classes.
pub fn conformance(base: &str, doc: &Value) -> Response {
    let mut body = String::from("<ul>");
    for c in doc["conformsTo"].as_array().into_iter().flatten() {
        let _ = write!(body, "<li>{}</li>", escape(&text(c)));
    }
    body.push_str("</ul>");
    page(
        base,
        "Conformance",
        &json_url(&format!("{base}/conformance")),
        &body,
    )
}

/// The collections: one row each.
pub fn collections(base: &str, doc: &Value) -> Response {
    let mut body = String::from(
        "<table><tr><th>collection</th><th>title</th><th>description</th><th>extent (lon, lat)</th><th>items</th></tr>",
    );
    for c in doc["collections"].as_array().into_iter().flatten() {
        let id = c["id"].as_str().unwrap_or_default();
        let url = format!("{base}/collections/{}", segment(id));
        let _ = write!(
            body,
            "<tr><td><a href=\"{}\">{}</a></td>{}{}<td>{}</td><td><a href=\"{}\">items</a></td></tr>",
            escape(&html_url(&url)),
            escape(id),
            cell(&c["title"]),
            cell(&c["description"]),
            escape(&bbox(c)),
            escape(&html_url(&format!("{url}/items"))),
        );
    }
    body.push_str("</table>");
    page(
        base,
        "Collections",
        &json_url(&format!("{base}/collections")),
        &body,
    )
}

/// One collection: its description, extent, and a link to its items; a ranking's
/// `sitematch` metadata (brief, criteria and weights) as a table.
pub fn collection(base: &str, doc: &Value) -> Response {
    let id = doc["id"].as_str().unwrap_or_default();
    let url = format!("{base}/collections/{}", segment(id));
    let mut body = format!(
        "<p>{}</p><p>Extent (lon, lat): {}</p><p><a href=\"{}\">The items</a></p>",
        escape(doc["description"].as_str().unwrap_or_default()),
        escape(&bbox(doc)),
        escape(&html_url(&format!("{url}/items"))),
    );
    if let Some(meta) = doc["sitematch"].as_object() {
        body.push_str("<h2>The ranking</h2><table>");
        for (k, v) in meta {
            let shown = match v {
                Value::Array(_) | Value::Object(_) => {
                    format!("<td><pre>{}</pre></td>", escape(&v.to_string()))
                }
                v => cell(v),
            };
            let _ = write!(body, "<tr><th>{}</th>{shown}</tr>", escape(k));
        }
        body.push_str("</table>");
    }
    page(
        base,
        doc["title"].as_str().unwrap_or(id),
        &json_url(&url),
        &body,
    )
}

/// A page of items: a table of their properties, each id linked to its feature,
/// and the previous and next pages.
pub fn items(base: &str, collection: &str, doc: &Value, limit: usize, offset: usize) -> Response {
    let url = format!("{base}/collections/{}/items", segment(collection));
    let features = doc["features"].as_array().map(Vec::as_slice).unwrap_or(&[]);
    let matched = doc["numberMatched"].as_u64().unwrap_or(0);
    let returned = features.len();
    // The columns: every property, in the order they first come.
    let mut columns: Vec<&str> = Vec::new();
    for f in features {
        for k in f["properties"]
            .as_object()
            .into_iter()
            .flat_map(|m| m.keys())
        {
            if k != "explanation" && !columns.contains(&k.as_str()) {
                columns.push(k);
            }
        }
    }
    let mut body = format!(
        "<p>{} features in all; {}.</p>",
        matched,
        if returned == 0 {
            "none on this page".to_string()
        } else {
            format!("{} to {} here", offset + 1, offset + returned)
        }
    );
    let mut pages = String::from("<p class=\"pages\">");
    let here = |offset: usize| html_url(&format!("{url}?limit={limit}&offset={offset}"));
    if offset > 0 {
        let _ = write!(
            pages,
            "<a rel=\"prev\" href=\"{}\">previous page</a>",
            escape(&here(offset.saturating_sub(limit)))
        );
    }
    if (offset + returned) < matched as usize {
        let _ = write!(
            pages,
            "<a rel=\"next\" href=\"{}\">next page</a>",
            escape(&here(offset + returned))
        );
    }
    pages.push_str("</p>");
    body.push_str(&pages);
    body.push_str("<table><tr><th>id</th>");
    for c in &columns {
        let _ = write!(body, "<th>{}</th>", escape(c));
    }
    body.push_str("<th>location (lon, lat)</th></tr>");
    for f in features {
        let id = text(&f["id"]);
        let _ = write!(
            body,
            "<tr data-id=\"{}\"><td><a href=\"{}\">{}</a></td>",
            escape(&id),
            escape(&html_url(&format!("{url}/{}", segment(&id)))),
            escape(&id)
        );
        for c in &columns {
            body.push_str(&cell(&f["properties"][*c]));
        }
        let _ = write!(body, "<td>{}</td></tr>", escape(&location(&f["geometry"])));
    }
    body.push_str("</table>");
    body.push_str(&pages);
    page(
        base,
        &format!("{collection}: items"),
        &json_url(&format!("{url}?limit={limit}&offset={offset}")),
        &body,
    )
}

/// A geometry in words: a point's coordinates, else its type.
fn location(g: &Value) -> String {
    match g["type"].as_str() {
        Some("Point") => g["coordinates"]
            .as_array()
            .map(|c| c.iter().map(text).collect::<Vec<_>>().join(", "))
            .unwrap_or_default(),
        Some(t) => t.to_string(),
        None => String::new(),
    }
}

/// One feature: its properties, its location, and a ranked site's score receipt.
pub fn item(base: &str, collection: &str, doc: &Value) -> Response {
    let id = text(&doc["id"]);
    let url = format!(
        "{base}/collections/{}/items/{}",
        segment(collection),
        segment(&id)
    );
    let mut body = format!(
        "<p>In <a href=\"{}\">{}</a>. Location (lon, lat): {}</p><table>",
        escape(&html_url(&format!(
            "{base}/collections/{}/items",
            segment(collection)
        ))),
        escape(collection),
        escape(&location(&doc["geometry"])),
    );
    let props = doc["properties"].as_object();
    for (k, v) in props.into_iter().flatten() {
        if k != "explanation" {
            let _ = write!(body, "<tr><th>{}</th>{}</tr>", escape(k), cell(v));
        }
    }
    body.push_str("</table>");
    if let Some(receipt) = doc["properties"]["explanation"].as_str() {
        let _ = write!(
            body,
            "<h2>Score receipt</h2><pre class=\"receipt\">{}</pre>",
            escape(receipt)
        );
    }
    page(base, &id, &json_url(&url), &body)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accept(value: &str) -> Format {
        let mut h = HeaderMap::new();
        h.insert(header::ACCEPT, HeaderValue::from_str(value).unwrap());
        format(&HashMap::new(), &h).unwrap()
    }

    #[test]
    fn a_browser_gets_html_and_every_client_json() {
        // Chromium's and Firefox's Accept headers.
        assert_eq!(
            accept("text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"),
            Format::Html
        );
        for client in [
            "application/json",
            "*/*",
            "application/geo+json, application/json;q=0.9",
            "application/json, text/html;q=0.5",
            "text/html;q=0.5, application/json",
            "",
        ] {
            assert_eq!(accept(client), Format::Json, "{client:?}");
        }
        let f = |v: &str| {
            let params = HashMap::from([("f".to_string(), v.to_string())]);
            format(&params, &HeaderMap::new())
        };
        assert_eq!(f("html").unwrap(), Format::Html);
        assert_eq!(f("JSON").unwrap(), Format::Json);
        assert!(f("xml").is_err());
    }

    #[test]
    fn text_and_ids_are_escaped() {
        assert_eq!(
            escape("<b a=\"1\">&'"),
            "&lt;b a=&quot;1&quot;&gt;&amp;&#39;"
        );
        assert_eq!(segment("59179_13929"), "59179_13929");
        assert_eq!(segment("a b/c?d#é"), "a%20b%2Fc%3Fd%23%C3%A9");
    }
}
