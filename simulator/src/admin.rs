//! The simulator's own admin API under `/_sim/`, kept apart from the platform's
//! paths: fault rules, request counters, a state dump, reset, token revocation and
//! expiry, clock control, and changes made behind Terraform's back.

use std::sync::Arc;

use axum::extract::{Path, State as AxState};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;

use crate::faults::FaultRule;
use crate::model::{Policy, Subject};
use crate::shared::Shared;

type Shr = AxState<Arc<Shared>>;

/// The `/_sim` routes.
pub(crate) fn router() -> Router<Arc<Shared>> {
    Router::new()
        .route("/stats", get(stats).delete(reset_stats))
        .route("/state", get(state))
        .route("/reset", post(reset))
        .route(
            "/faults",
            get(list_faults).post(add_faults).delete(clear_faults),
        )
        .route("/fault-seed", post(fault_seed))
        .route("/revoke", post(revoke))
        .route("/expire-tokens", post(expire_tokens))
        .route("/advance", post(advance))
        .route("/cleanup", post(cleanup))
        .route("/apps/{guid}", delete(delete_app))
        .route("/routes/{guid}", delete(delete_route))
        .route("/unmap", post(unmap))
        .route("/policies/delete", post(delete_policies))
}

async fn stats(AxState(shared): Shr) -> Response {
    Json(shared.stats()).into_response()
}

async fn reset_stats(AxState(shared): Shr) -> Response {
    shared.reset_stats();
    StatusCode::NO_CONTENT.into_response()
}

async fn state(AxState(shared): Shr) -> Response {
    Json(shared.lock().clone()).into_response()
}

async fn reset(AxState(shared): Shr) -> Response {
    match shared.reset() {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    }
}

async fn list_faults(AxState(shared): Shr) -> Response {
    Json(shared.faults.lock().expect("faults").rules.clone()).into_response()
}

#[derive(Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    Many(Vec<FaultRule>),
    One(FaultRule),
}

async fn add_faults(AxState(shared): Shr, Json(rules): Json<OneOrMany>) -> Response {
    let rules = match rules {
        OneOrMany::Many(r) => r,
        OneOrMany::One(r) => vec![r],
    };
    shared.faults.lock().expect("faults").rules.extend(rules);
    StatusCode::NO_CONTENT.into_response()
}

async fn clear_faults(AxState(shared): Shr) -> Response {
    shared.faults.lock().expect("faults").rules.clear();
    StatusCode::NO_CONTENT.into_response()
}

#[derive(Deserialize)]
struct SeedBody {
    seed: u64,
}

async fn fault_seed(AxState(shared): Shr, Json(b): Json<SeedBody>) -> Response {
    shared.faults.lock().expect("faults").reseed(b.seed);
    StatusCode::NO_CONTENT.into_response()
}

#[derive(Deserialize)]
struct Who {
    user: Option<String>,
    client: Option<String>,
}

async fn revoke(AxState(shared): Shr, Json(who): Json<Who>) -> Response {
    let subject = match (who.user, who.client) {
        (Some(u), _) => Subject::User(u),
        (None, Some(c)) => Subject::Client(c),
        (None, None) => {
            return (StatusCode::BAD_REQUEST, "name a user or a client").into_response();
        }
    };
    let n = shared.lock().revoke(&subject);
    shared.persist();
    Json(json!({"revoked": n})).into_response()
}

async fn expire_tokens(AxState(shared): Shr) -> Response {
    shared.lock().expire_access_tokens();
    StatusCode::NO_CONTENT.into_response()
}

#[derive(Deserialize)]
struct Advance {
    seconds: f64,
}

async fn advance(AxState(shared): Shr, Json(a): Json<Advance>) -> Response {
    shared.lock().clock_offset += a.seconds;
    StatusCode::NO_CONTENT.into_response()
}

async fn cleanup(AxState(shared): Shr) -> Response {
    let n = shared.lock().cleanup_policies();
    shared.persist();
    Json(json!({"removed": n})).into_response()
}

fn done(found: bool, shared: &Shared) -> Response {
    shared.persist();
    if found {
        StatusCode::NO_CONTENT.into_response()
    } else {
        StatusCode::NOT_FOUND.into_response()
    }
}

async fn delete_app(AxState(shared): Shr, Path(guid): Path<String>) -> Response {
    let found = shared.lock().remove_app(&guid);
    done(found, &shared)
}

async fn delete_route(AxState(shared): Shr, Path(guid): Path<String>) -> Response {
    let found = shared.lock().routes.remove(&guid).is_some();
    done(found, &shared)
}

#[derive(Deserialize)]
struct Unmap {
    route: String,
    app: String,
}

async fn unmap(AxState(shared): Shr, Json(u): Json<Unmap>) -> Response {
    let found = {
        let mut s = shared.lock();
        match s.routes.get_mut(&u.route) {
            Some(r) => {
                let before = r.destinations.len();
                r.destinations.retain(|d| d.app_guid != u.app);
                before != r.destinations.len()
            }
            None => false,
        }
    };
    done(found, &shared)
}

#[derive(Deserialize)]
struct Policies {
    policies: Vec<Policy>,
}

async fn delete_policies(AxState(shared): Shr, Json(p): Json<Policies>) -> Response {
    let removed = {
        let mut s = shared.lock();
        p.policies.iter().filter(|x| s.policies.remove(x)).count()
    };
    shared.persist();
    Json(json!({"removed": removed})).into_response()
}
