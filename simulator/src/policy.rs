//! The policy server's external API (v0 and v1): list, create, delete, with its auth
//! answers and its exact error bodies (`{"error": "..."}`, written as the server
//! writes them). Rules live in `model::State`.

use std::sync::Arc;

use axum::extract::{RawQuery, State as AxState};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::Value;

use crate::bodies::{self, PolicyBody};
use crate::caller::{PolicyCaller, PolicyVersion};
use crate::json::Query;
use crate::model::{Actor, Policy, PolicyError, PolicyInput, State};
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

impl IntoResponse for PolicyError {
    fn into_response(self) -> Response {
        error_response(self.status, &self.message)
    }
}

/// What a handler answers: a response, or the policy server's error body.
type Reply = Result<Response, PolicyError>;

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

fn parse(body: &str) -> Result<Vec<PolicyInput>, PolicyError> {
    let v: Value = serde_json::from_str(body)
        .map_err(|e| PolicyError::new(400, &format!("mapper: unmarshal json: {e}")))?;
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
    PolicyVersion(version): PolicyVersion,
    PolicyCaller(actor): PolicyCaller,
    RawQuery(raw): RawQuery,
) -> Reply {
    let state = shared.lock();
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
    Ok(axum::Json(body).into_response())
}

type Write = fn(&mut State, &Actor, &[PolicyInput]) -> Result<usize, PolicyError>;

fn write(shared: &Shared, actor: &Actor, body: &str, op: Write) -> Reply {
    let inputs = parse(body)?;
    op(&mut shared.lock(), actor, &inputs)?;
    Ok((StatusCode::OK, [("content-type", "application/json")], "{}").into_response())
}

/// `POST /networking/:version/external/policies`.
pub(crate) async fn create(
    AxState(shared): AxState<Arc<Shared>>,
    _: PolicyVersion,
    PolicyCaller(actor): PolicyCaller,
    body: String,
) -> Reply {
    write(&shared, &actor, &body, State::create_policies)
}

/// `POST /networking/:version/external/policies/delete`.
pub(crate) async fn delete(
    AxState(shared): AxState<Arc<Shared>>,
    _: PolicyVersion,
    PolicyCaller(actor): PolicyCaller,
    body: String,
) -> Reply {
    write(&shared, &actor, &body, State::delete_policies)
}
