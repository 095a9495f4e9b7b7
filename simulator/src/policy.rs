//! The policy server's external API (v0 and v1): list, create, delete, with its auth
//! answers and its exact error bodies (`{"error": "..."}`, written as the server
//! writes them). Rules live in `model::State`.

// Helpers return a finished axum response as their error so handlers can return it
// as is; boxing it would add noise for no gain on this cold path.
#![allow(clippy::result_large_err)]

use std::sync::Arc;

use axum::extract::{Path, RawQuery, State as AxState};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::Value;

use crate::bodies::{self, PolicyBody};
use crate::json::Query;
use crate::model::{Actor, Policy, PolicyInput, State, TokenProblem};
use crate::shared::Shared;

/// `{"error": "<message>"}` with a status, byte for byte as the policy server writes.
pub(crate) fn error_response(status: u16, message: &str) -> Response {
    let body = format!(
        "{{\"error\": {}}}",
        serde_json::to_string(message).unwrap_or_default()
    );
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, [("content-type", "application/json")], body).into_response()
}

fn check_version(version: &str) -> Result<(), Response> {
    match version {
        "v0" | "v1" => Ok(()),
        other => Err(error_response(
            406,
            &format!("api version '{other}' not supported"),
        )),
    }
}

fn auth(state: &State, headers: &HeaderMap) -> Result<Actor, Response> {
    let header = headers.get("authorization").and_then(|h| h.to_str().ok());
    state.authenticate(header).map_err(|p| match p {
        TokenProblem::Missing => error_response(401, "missing authorization header"),
        TokenProblem::Invalid => error_response(401, "failed to verify token with uaa"),
    })
}

#[derive(Serialize)]
struct PolicyList<'a> {
    total_policies: usize,
    policies: Vec<PolicyOut<'a>>,
}

#[derive(Serialize)]
struct PolicyOut<'a> {
    source: Id<'a>,
    destination: DestinationOut<'a>,
}

#[derive(Serialize)]
struct Id<'a> {
    id: &'a str,
}

#[derive(Serialize)]
struct DestinationOut<'a> {
    id: &'a str,
    protocol: &'a str,
    /// v0 also carries the start port alone.
    #[serde(skip_serializing_if = "Option::is_none")]
    port: Option<u32>,
    ports: Ports,
}

#[derive(Serialize)]
struct Ports {
    start: u32,
    end: u32,
}

/// Typed rendering: a list of 10,000 policies serializes without building a
/// `serde_json::Value` per policy.
fn render(p: &Policy, v0: bool) -> PolicyOut<'_> {
    PolicyOut {
        source: Id { id: &p.source },
        destination: DestinationOut {
            id: &p.destination,
            protocol: &p.protocol,
            port: v0.then_some(p.start),
            ports: Ports {
                start: p.start,
                end: p.end,
            },
        },
    }
}

fn parse(body: &str) -> Result<Vec<PolicyInput>, Response> {
    let v: Value = serde_json::from_str(body)
        .map_err(|e| error_response(400, &format!("mapper: unmarshal json: {e}")))?;
    let Some(list) = v["policies"].as_array() else {
        return Ok(Vec::new());
    };
    Ok(list
        .iter()
        .map(|p| {
            let p: PolicyBody = bodies::read(p.clone());
            let source = p.source.unwrap_or_default();
            let d = p.destination.unwrap_or_default();
            let ports = d.ports.as_ref();
            let start = ports.and_then(|r| r.start).or(d.port).unwrap_or(0);
            let end = ports.and_then(|r| r.end).or(d.port).unwrap_or(0);
            PolicyInput {
                source: source.id.unwrap_or_default(),
                destination: d.id.clone().unwrap_or_default(),
                protocol: d.protocol.clone().unwrap_or_default(),
                start,
                end,
                tagged: source.tag.is_some_and(|t| !t.is_null())
                    || d.tag.as_ref().is_some_and(|t| !t.is_null()),
            }
        })
        .collect())
}

/// `GET /networking/:version/external/policies`.
pub(crate) async fn list(
    AxState(shared): AxState<Arc<Shared>>,
    headers: HeaderMap,
    Path(version): Path<String>,
    RawQuery(raw): RawQuery,
) -> Response {
    if let Err(r) = check_version(&version) {
        return r;
    }
    let state = shared.lock();
    let actor = match auth(&state, &headers) {
        Ok(a) => a,
        Err(r) => return r,
    };
    let q = Query::parse(raw.as_deref());
    let policies = state.list_policies(
        &actor,
        q.list("id").as_deref(),
        q.list("source_id").as_deref(),
        q.list("dest_id").as_deref(),
    );
    let v0 = version == "v0";
    let body = PolicyList {
        total_policies: policies.len(),
        policies: policies.iter().map(|p| render(p, v0)).collect(),
    };
    axum::Json(body).into_response()
}

async fn write(
    shared: Arc<Shared>,
    headers: HeaderMap,
    version: String,
    body: String,
    op: fn(&mut State, &Actor, &[PolicyInput]) -> Result<usize, crate::model::PolicyError>,
) -> Response {
    if let Err(r) = check_version(&version) {
        return r;
    }
    let mut state = shared.lock();
    let actor = match auth(&state, &headers) {
        Ok(a) => a,
        Err(r) => return r,
    };
    let inputs = match parse(&body) {
        Ok(i) => i,
        Err(r) => return r,
    };
    match op(&mut state, &actor, &inputs) {
        Ok(_) => (StatusCode::OK, [("content-type", "application/json")], "{}").into_response(),
        Err(e) => error_response(e.status, &e.message),
    }
}

/// `POST /networking/:version/external/policies`.
pub(crate) async fn create(
    AxState(shared): AxState<Arc<Shared>>,
    headers: HeaderMap,
    Path(version): Path<String>,
    body: String,
) -> Response {
    write(shared, headers, version, body, State::create_policies).await
}

/// `POST /networking/:version/external/policies/delete`.
pub(crate) async fn delete(
    AxState(shared): AxState<Arc<Shared>>,
    headers: HeaderMap,
    Path(version): Path<String>,
    body: String,
) -> Response {
    write(shared, headers, version, body, State::delete_policies).await
}
