//! Errors as RFC 9457 problem details (`application/problem+json`), with the same
//! messages as the command line.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// An error answer: the status, a short title, the message, and for a brief every
/// problem at its key path.
#[derive(Debug)]
pub struct Problem {
    /// The HTTP status.
    pub status: StatusCode,
    /// What kind of problem, in a few words.
    pub title: &'static str,
    /// What is wrong and how to fix it.
    pub detail: String,
    /// A brief's problems: (key path, message).
    pub problems: Vec<(String, String)>,
    /// Seconds to wait before trying again (503).
    pub retry_after: Option<u64>,
}

impl Problem {
    /// A problem with a status, a title and a message.
    pub fn new(status: StatusCode, title: &'static str, detail: impl Into<String>) -> Problem {
        Problem {
            status,
            title,
            detail: detail.into(),
            problems: Vec::new(),
            retry_after: None,
        }
    }

    /// 400: a request parameter is malformed.
    pub fn bad_request(detail: impl Into<String>) -> Problem {
        Problem::new(StatusCode::BAD_REQUEST, "bad request", detail)
    }

    /// 404: no such collection or feature.
    pub fn not_found(detail: impl Into<String>) -> Problem {
        Problem::new(StatusCode::NOT_FOUND, "not found", detail)
    }

    /// 422 from a library error: a brief's problems each with its key path.
    pub fn from_error(e: &sitematch::Error) -> Problem {
        let mut p = Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "the brief cannot be ranked",
            e.to_string(),
        );
        if let sitematch::Error::Brief(problems) = e {
            p.problems = problems
                .problems
                .iter()
                .map(|k| (k.key.clone(), k.message.clone()))
                .collect();
        }
        p
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let problems: Vec<serde_json::Value> = self
            .problems
            .iter()
            .map(|(key, message)| json!({"key": key, "message": message}))
            .collect();
        let body = json!({
            "type": "about:blank",
            "title": self.title,
            "status": self.status.as_u16(),
            "detail": self.detail,
            "problems": problems,
        });
        let mut response = (self.status, body.to_string()).into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if let Some(s) = self.retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(s));
        }
        response
    }
}
