//! Misbehaviour on demand and request counting. Fault rules match a method and a path
//! glob and fire with a probability drawn from a seeded generator, so runs are
//! reproducible. Applied by one middleware around the platform's routes (never the
//! `/_sim/` admin API), which also counts requests per method and route pattern.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use rand::{RngExt, SeedableRng};
use serde::{Deserialize, Serialize};

use crate::model::CcError;
use crate::server::Shared;

/// What a fault does.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FaultKind {
    /// Waits this long before handling.
    Latency {
        /// Milliseconds.
        ms: u64,
    },
    /// Answers with this status (5xx) without handling.
    Status {
        /// HTTP status.
        status: u16,
    },
    /// Answers 429 with `Retry-After` without handling.
    RateLimit {
        /// Seconds.
        retry_after: u64,
    },
    /// Closes the connection without an answer, without handling.
    Reset,
    /// Handles the request (the write is applied), then closes the connection
    /// instead of answering.
    DropResponse,
    /// A job the request starts ends FAILED.
    FailJob,
    /// Answers with this 3xx status and `Location`, without handling: a front that
    /// sends clients elsewhere.
    Redirect {
        /// HTTP status (301, 302, 307, 308).
        status: u16,
        /// Where to.
        location: String,
    },
    /// Handles the request, then sets one field of its JSON answer: `field` is a
    /// `/`-separated path of object keys (`links/uaa/href`,
    /// `pagination/next/href`), created where missing. A front that rewrites
    /// answers, as a hostile network could.
    Rewrite {
        /// Path of object keys.
        field: String,
        /// The new value.
        value: serde_json::Value,
    },
    /// Answers 200 with a JSON body of this many bytes, streamed without holding it,
    /// without handling.
    Oversized {
        /// Size of the body.
        bytes: u64,
    },
}

/// One fault rule.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct FaultRule {
    /// Path glob: `*` matches any run of characters (`/v3/routes*`).
    #[serde(default = "any_path")]
    pub path: String,
    /// Method, or any.
    #[serde(default)]
    pub method: Option<String>,
    /// What happens.
    #[serde(flatten)]
    pub kind: FaultKind,
    /// Chance of firing, 0..=1.
    #[serde(default = "always")]
    pub probability: f64,
    /// Fires at most this many times (then the rule is spent).
    #[serde(default)]
    pub times: Option<u32>,
}

fn any_path() -> String {
    "*".into()
}
fn always() -> f64 {
    1.0
}

/// Glob match with `*` as the only wildcard.
pub fn glob(pattern: &str, text: &str) -> bool {
    match pattern.split_once('*') {
        None => pattern == text,
        Some((head, rest)) => {
            let Some(mut tail) = text.strip_prefix(head) else {
                return false;
            };
            if rest.is_empty() {
                return true;
            }
            loop {
                if glob(rest, tail) {
                    return true;
                }
                let mut chars = tail.chars();
                if chars.next().is_none() {
                    return false;
                }
                tail = chars.as_str();
            }
        }
    }
}

/// The rules and the generator that rolls their dice.
#[derive(Debug)]
pub struct Faults {
    /// Active rules, in order.
    pub rules: Vec<FaultRule>,
    rng: rand::rngs::StdRng,
}

impl Faults {
    /// No rules; dice seeded with `seed`.
    pub fn new(seed: u64) -> Faults {
        Faults {
            rules: Vec::new(),
            rng: rand::rngs::StdRng::seed_from_u64(seed),
        }
    }

    /// Reseeds the dice.
    pub fn reseed(&mut self, seed: u64) {
        self.rng = rand::rngs::StdRng::seed_from_u64(seed);
    }

    /// The rules that fire for this request, in order (spending their counts).
    pub fn roll(&mut self, method: &Method, path: &str) -> Vec<FaultKind> {
        let mut fired = Vec::new();
        for rule in &mut self.rules {
            if rule.times == Some(0) {
                continue;
            }
            if rule
                .method
                .as_deref()
                .is_some_and(|m| !m.eq_ignore_ascii_case(method.as_str()))
                || !glob(&rule.path, path)
            {
                continue;
            }
            if rule.probability < 1.0 && self.rng.random::<f64>() >= rule.probability {
                continue;
            }
            if let Some(t) = &mut rule.times {
                *t -= 1;
            }
            fired.push(rule.kind.clone());
        }
        self.rules.retain(|r| r.times != Some(0));
        fired
    }
}

/// Marks a request whose job must fail.
#[derive(Debug, Clone, Copy)]
pub struct FailJob;

/// A response that never arrives: the body errors before anything is sent, so the
/// server closes the connection.
fn connection_drop() -> Response {
    let stream = futures::stream::once(async {
        Err::<axum::body::Bytes, std::io::Error>(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "fault: reset",
        ))
    });
    Response::new(Body::from_stream(stream))
}

fn is_policy_path(path: &str) -> bool {
    path.starts_with("/networking/")
}

/// The middleware: counts, then applies whatever rules fire.
pub async fn layer(
    State(shared): State<Arc<Shared>>,
    matched: Option<MatchedPath>,
    mut req: Request,
    next: Next,
) -> Response {
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    shared.count(&match matched {
        Some(m) => format!("{method} {}", m.as_str()),
        None => format!("UNKNOWN {method} {path}"),
    });
    if shared.is_down() {
        return connection_drop();
    }
    let fired = shared.faults.lock().expect("faults").roll(&method, &path);
    let mut drop_response = false;
    let mut rewrites = Vec::new();
    for f in fired {
        match f {
            FaultKind::Latency { ms } => tokio::time::sleep(Duration::from_millis(ms)).await,
            FaultKind::Status { status } => {
                let code = StatusCode::from_u16(status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
                return if is_policy_path(&path) {
                    crate::policy::error_response(status, "service unavailable")
                } else {
                    crate::cc::error_response(&CcError::unavailable(code.as_u16()))
                };
            }
            FaultKind::RateLimit { retry_after } => {
                let mut resp = crate::cc::error_response(&CcError::rate_limited());
                resp.headers_mut().insert("retry-after", retry_after.into());
                return resp;
            }
            FaultKind::Reset => return connection_drop(),
            FaultKind::DropResponse => drop_response = true,
            FaultKind::FailJob => {
                req.extensions_mut().insert(FailJob);
            }
            FaultKind::Redirect { status, location } => return redirect(status, &location),
            FaultKind::Rewrite { field, value } => rewrites.push((field, value)),
            FaultKind::Oversized { bytes } => return oversized(bytes),
        }
    }
    if shared.is_down() {
        return connection_drop();
    }
    let resp = next.run(req).await;
    if method != Method::GET {
        shared.persist();
    }
    if drop_response || shared.is_down() {
        connection_drop()
    } else if rewrites.is_empty() {
        resp.into_response()
    } else {
        rewrite(resp, &rewrites).await
    }
}

fn redirect(status: u16, location: &str) -> Response {
    let code = StatusCode::from_u16(status).unwrap_or(StatusCode::TEMPORARY_REDIRECT);
    let mut resp = code.into_response();
    if let Ok(v) = location.parse() {
        resp.headers_mut().insert("location", v);
    }
    resp
}

/// A JSON object `{"padding":"xxx…"}` of `bytes` bytes, produced a chunk at a time.
fn oversized(bytes: u64) -> Response {
    const CHUNK: usize = 64 * 1024;
    let head: &[u8] = b"{\"padding\":\"";
    let tail: &[u8] = b"\"}";
    let fill = bytes.saturating_sub((head.len() + tail.len()) as u64);
    let chunks = fill.div_ceil(CHUNK as u64);
    let body = futures::stream::iter(
        std::iter::once(axum::body::Bytes::from_static(head))
            .chain((0..chunks).map(move |i| {
                let left = fill - i * CHUNK as u64;
                let n = usize::try_from(left.min(CHUNK as u64)).unwrap_or(CHUNK);
                axum::body::Bytes::from(vec![b'x'; n])
            }))
            .chain(std::iter::once(axum::body::Bytes::from_static(tail)))
            .map(Ok::<_, std::io::Error>),
    );
    let mut resp = Response::new(Body::from_stream(body));
    resp.headers_mut().insert(
        "content-type",
        axum::http::HeaderValue::from_static("application/json"),
    );
    resp
}

/// Sets each `(field, value)` in the JSON body of `resp`.
async fn rewrite(resp: Response, rewrites: &[(String, serde_json::Value)]) -> Response {
    let (mut parts, body) = resp.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, usize::MAX).await else {
        return connection_drop();
    };
    let Ok(mut json) = serde_json::from_slice::<serde_json::Value>(&bytes) else {
        return Response::from_parts(parts, Body::from(bytes));
    };
    for (field, value) in rewrites {
        set_field(&mut json, field, value.clone());
    }
    let out = serde_json::to_vec(&json).unwrap_or_default();
    parts.headers.remove("content-length");
    Response::from_parts(parts, Body::from(out))
}

/// Sets `field` (keys joined by `/`) in `json`, making objects of whatever is in the
/// way.
fn set_field(json: &mut serde_json::Value, field: &str, value: serde_json::Value) {
    if !json.is_object() {
        *json = serde_json::Value::Object(serde_json::Map::new());
    }
    let serde_json::Value::Object(map) = json else {
        return;
    };
    match field.split_once('/') {
        None => {
            map.insert(field.to_string(), value);
        }
        Some((key, rest)) => set_field(
            map.entry(key.to_string())
                .or_insert(serde_json::Value::Null),
            rest,
            value,
        ),
    }
}

/// Request counts per `METHOD /route/pattern`.
pub type Stats = BTreeMap<String, u64>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        assert!(glob("*", "/v3/routes"));
        assert!(glob("/v3/routes*", "/v3/routes/abc/destinations"));
        assert!(glob("/v3/*/destinations", "/v3/routes/abc/destinations"));
        assert!(!glob("/v3/apps*", "/v3/routes"));
        assert!(glob(
            "/networking/v1/external/policies",
            "/networking/v1/external/policies"
        ));
    }

    #[test]
    fn seeded_rolls_repeat_and_counts_are_spent() {
        let rule = FaultRule {
            path: "*".into(),
            method: None,
            kind: FaultKind::Reset,
            probability: 0.5,
            times: None,
        };
        let run = || {
            let mut f = Faults::new(7);
            f.rules.push(rule.clone());
            (0..50)
                .map(|_| !f.roll(&Method::GET, "/x").is_empty())
                .collect::<Vec<_>>()
        };
        assert_eq!(run(), run());
        let mut f = Faults::new(1);
        f.rules.push(FaultRule {
            probability: 1.0,
            times: Some(2),
            ..rule
        });
        assert_eq!(
            (0..4)
                .filter(|_| !f.roll(&Method::GET, "/x").is_empty())
                .count(),
            2
        );
        assert!(f.rules.is_empty());
    }

    #[test]
    fn set_field_creates_the_path() {
        let mut v = serde_json::json!({"pagination": {"next": null}, "resources": []});
        set_field(&mut v, "pagination/next/href", "http://x/".into());
        assert_eq!(v["pagination"]["next"]["href"], "http://x/");
        assert_eq!(v["resources"], serde_json::json!([]));
    }
}
