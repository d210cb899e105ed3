//! Who may use the server, and what it was asked: bearer tokens read from a file
//! (each with a scope and a name), and an access log of one line per request.

use std::io::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Instant, SystemTime};

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::problem::Problem;
use crate::state::AppState;

/// What a token allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Every `GET` (the collections, the rankings made, receipts).
    Read,
    /// `GET`, and `POST /rank`.
    Rank,
}

/// One token: its SHA-256 (the token itself is not kept), scope and name (for the
/// log).
#[derive(Debug, Clone)]
struct Token {
    digest: [u8; 32],
    scope: Scope,
    name: String,
}

/// The tokens of a `--tokens` file.
///
/// ```
/// let t = sitematch_server::Tokens::parse("tokens.txt", "# team\ns3cret-token-0001 rank alice\nro-token-000000002 read\n").unwrap();
/// assert_eq!(t.len(), 2);
/// let e = sitematch_server::Tokens::parse("tokens.txt", "short write\n").unwrap_err();
/// assert!(e.starts_with("tokens.txt: line 1: "), "{e}");
/// ```
#[derive(Debug, Clone, Default)]
pub struct Tokens(Vec<Token>);

/// A token is at least this long (a guessable token is no lock).
const MIN_TOKEN: usize = 16;

impl Tokens {
    /// Reads `TOKEN [read|rank] [NAME]` lines (the scope defaults to `rank`, the name
    /// to `line N`); blank lines and `#` comments are skipped. An error names the
    /// file, the line and the fix.
    pub fn parse(file: &str, text: &str) -> Result<Tokens, String> {
        let mut out = Vec::new();
        for (i, line) in text.lines().enumerate() {
            let at = |what: String| format!("{file}: line {}: {what}", i + 1);
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let mut words = line.split_whitespace();
            let token = words.next().unwrap_or_default();
            if token.len() < MIN_TOKEN {
                return Err(at(format!(
                    "a token has at least {MIN_TOKEN} characters (openssl rand -hex 24 makes one)"
                )));
            }
            let scope = match words.next() {
                None | Some("rank") => Scope::Rank,
                Some("read") => Scope::Read,
                Some(other) => {
                    return Err(at(format!("{other:?} is not a scope: read or rank")));
                }
            };
            let name = words
                .next()
                .map_or(format!("line {}", i + 1), str::to_string);
            if words.next().is_some() {
                return Err(at("a line is TOKEN [read|rank] [NAME]".into()));
            }
            let digest: [u8; 32] = Sha256::digest(token.as_bytes()).into();
            if out.iter().any(|t: &Token| t.digest == digest) {
                return Err(at("this token is already listed".into()));
            }
            out.push(Token {
                digest,
                scope,
                name,
            });
        }
        if out.is_empty() {
            return Err(format!(
                "{file}: no token (one per line: TOKEN [read|rank] [NAME])"
            ));
        }
        Ok(Tokens(out))
    }

    /// How many tokens there are.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True when there is none (every request is then let through).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The token presented, if it is one: compared by its digest, in constant time,
    /// against every token (so the time taken tells nothing of which came close).
    fn find(&self, presented: &str) -> Option<&Token> {
        let digest: [u8; 32] = Sha256::digest(presented.as_bytes()).into();
        let mut found = None;
        for t in &self.0 {
            if bool::from(t.digest.ct_eq(&digest)) {
                found = Some(t);
            }
        }
        found
    }
}

/// The name of the token a request came with, put on its answer for the log.
#[derive(Clone)]
pub(crate) struct TokenName(pub String);

/// The workbench's page and its files: no data in them, and the page asks for a
/// token before it asks the server for anything else.
fn public(request: &Request) -> bool {
    request.method() == Method::GET
        && matches!(
            request.uri().path(),
            "/workbench"
                | "/workbench/app.js"
                | "/workbench/app.css"
                | "/workbench/fiche.js"
                | "/workbench/leaflet.js"
                | "/workbench/leaflet.css"
        )
}

/// Lets a request through when the server has no tokens, for `GET /health`, the
/// workbench's page and files ([`public`]), or with
/// `Authorization: Bearer TOKEN` of a scope that allows it: 401 (with
/// `WWW-Authenticate`) without a known token, 403 for a read token on `POST /rank`.
pub(crate) async fn authorize(
    State(state): State<Arc<AppState>>,
    request: Request,
    next: Next,
) -> Response {
    if state.tokens.is_empty() || request.uri().path() == "/health" || public(&request) {
        return next.run(request).await;
    }
    let presented = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            let (scheme, token) = v.split_once(' ')?;
            scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
        });
    let Some(token) = presented.and_then(|p| state.tokens.find(p)) else {
        let mut r = Problem::new(
            StatusCode::UNAUTHORIZED,
            "a token is needed",
            "send Authorization: Bearer TOKEN with a token of this server",
        )
        .into_response();
        r.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Bearer realm=\"sitematch\""),
        );
        return r;
    };
    if request.method() == Method::POST && token.scope == Scope::Read {
        return Problem::new(
            StatusCode::FORBIDDEN,
            "this token may only read",
            "POST /rank needs a token of scope rank",
        )
        .into_response();
    }
    let mut response = next.run(request).await;
    response
        .extensions_mut()
        .insert(TokenName(token.name.clone()));
    // What a token reads is for its bearer only: no shared cache keeps it, and no
    // browser answers a request without the token (or with another) from it.
    let h = response.headers_mut();
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-cache"),
    );
    h.append(header::VARY, HeaderValue::from_static("authorization"));
    response
}

/// The body's length when known before it is sent (`-` for a streamed one).
fn bytes(response: &Response) -> String {
    use axum::body::HttpBody;
    let known = response
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok()?.parse::<u64>().ok())
        .or_else(|| response.body().size_hint().exact());
    known.map_or_else(|| "-".to_string(), |n| n.to_string())
}

/// Where the access log goes.
pub enum AccessLog {
    /// No log.
    Off,
    /// Standard error.
    Stderr,
    /// A file, appended to.
    File(Mutex<std::fs::File>),
}

/// Request ids: a counter per server.
static NEXT_ID: AtomicU64 = AtomicU64::new(1);

/// Gives the request an id (`X-Request-Id`, kept from the client when it sent a short
/// one of letters, digits and dashes) and writes its log line once answered: time,
/// id, method, path, status, duration, bytes (`-` when streamed), token name (`-`).
pub(crate) async fn log(
    State(state): State<Arc<AppState>>,
    request: Request,
    next: Next,
) -> Response {
    let start = Instant::now();
    let id = request
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .filter(|v| {
            !v.is_empty()
                && v.len() <= 64
                && v.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
        .map(str::to_string)
        .unwrap_or_else(|| format!("{:08x}", NEXT_ID.fetch_add(1, Ordering::Relaxed)));
    let method = request.method().clone();
    // The path and its query, without a character that would break the line.
    let path: String = request
        .uri()
        .path_and_query()
        .map_or("/", |p| p.as_str())
        .chars()
        .map(|c| if c.is_control() || c == ' ' { '_' } else { c })
        .take(2000)
        .collect();
    let mut response = next.run(request).await;
    if let Ok(v) = HeaderValue::from_str(&id) {
        response.headers_mut().insert("x-request-id", v);
    }
    let line = format!(
        "{} {id} {method} {path} {} {:.1}ms {} {}\n",
        httpdate::fmt_http_date(SystemTime::now()),
        response.status().as_u16(),
        start.elapsed().as_secs_f64() * 1000.0,
        bytes(&response),
        response
            .extensions()
            .get::<TokenName>()
            .map_or("-", |t| t.0.as_str()),
    );
    match &state.access_log {
        AccessLog::Off => {}
        AccessLog::Stderr => {
            let _ = std::io::stderr().write_all(line.as_bytes());
        }
        AccessLog::File(f) => {
            if let Ok(mut f) = f.lock() {
                let _ = f.write_all(line.as_bytes());
            }
        }
    }
    response
}
