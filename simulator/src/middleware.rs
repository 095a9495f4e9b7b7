//! The one middleware around the platform's routes (never the `/_sim/` admin API):
//! it counts each request per method and route pattern, refuses everything once the
//! simulator is killed, and applies the fault rules that fire (`faults`), playing a
//! slow, failing or hostile platform.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::faults::{FailJob, FaultKind};
use crate::model::CcError;
use crate::shared::Shared;

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
pub(crate) async fn layer(
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
    let query = req.uri().query().map(str::to_owned);
    let resp = next.run(req).await;
    tracing::debug!(%method, %path, query = query.as_deref().unwrap_or(""), status = resp.status().as_u16(), "request");
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_field_creates_the_path() {
        let mut v = serde_json::json!({"pagination": {"next": null}, "resources": []});
        set_field(&mut v, "pagination/next/href", "http://x/".into());
        assert_eq!(v["pagination"]["next"]["href"], "http://x/");
        assert_eq!(v["resources"], serde_json::json!([]));
    }
}
