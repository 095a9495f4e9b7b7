//! The app lifecycle the cf CLI drives beyond networking: renaming, starting,
//! stopping and restarting, environment variables, scaling, and the reads `cf org`,
//! `cf space`, `cf check-route` and `cf curl /v3/info` make (packages, builds and
//! droplets are `push.rs`). Shapes and errors follow
//! the Cloud Controller v3 documentation; no build runs here.

use std::sync::Arc;

use axum::extract::{Path, RawQuery, State as AxState};
use serde_json::{Value, json};

use crate::bodies;
use crate::caller::Caller;
use crate::cc::{Reply, ok, parse_body};
use crate::cli::{app_of_process, process};
use crate::json::{self, Query};
use crate::model::App;
use crate::shared::Shared;

type Shr = AxState<Arc<Shared>>;

/// `GET /v3/info`: the foundation's description.
pub(crate) async fn info(AxState(shared): Shr) -> Reply {
    let b = shared.base_url();
    Ok(ok(json!({
        "build": "cloudgov-sim",
        "cli_version": {"minimum": "", "recommended": ""},
        "custom": {},
        "description": "cloudgov-sim, a local stand-in for cloud.gov",
        "name": "cloudgov-sim",
        "version": 0,
        "links": {"self": {"href": format!("{b}/v3/info")}, "support": {"href": "mailto:support@cloud.gov"}},
    })))
}

/// `GET /v3/organization_quotas/:guid`: the one quota every organization has.
pub(crate) async fn org_quota(AxState(shared): Shr, _: Caller, Path(guid): Path<String>) -> Reply {
    if guid != json::ORG_QUOTA {
        return Err(crate::model::CcError::not_found("Organization quota"));
    }
    let b = shared.base_url();
    Ok(ok(json!({
        "guid": guid, "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z",
        "name": "default",
        "apps": {"total_memory_in_mb": null, "per_process_memory_in_mb": null, "total_instances": null,
                 "per_app_tasks": null, "log_rate_limit_in_bytes_per_second": null},
        "services": {"paid_services_allowed": true, "total_service_instances": null, "total_service_keys": null},
        "routes": {"total_routes": null, "total_reserved_ports": null},
        "domains": {"total_domains": null},
        "relationships": {"organizations": {"data": []}},
        "links": {"self": {"href": format!("{b}/v3/organization_quotas/{guid}")}},
    })))
}

/// `GET /v3/domains/:guid/route_reservations`: whether a route with this host (and
/// path) exists on the domain, whoever can see it: hostnames are the foundation's.
pub(crate) async fn route_reservations(
    AxState(shared): Shr,
    _: Caller,
    Path(guid): Path<String>,
    RawQuery(raw): RawQuery,
) -> Reply {
    let state = shared.lock();
    let q = Query::parse(raw.as_deref());
    q.allow(&["host", "path", "port"])?;
    state.domain(&guid)?;
    let host = q
        .list("host")
        .and_then(|h| h.into_iter().next())
        .unwrap_or_default();
    let path = q
        .list("path")
        .and_then(|p| p.into_iter().next())
        .unwrap_or_default();
    let matching = state
        .routes
        .values()
        .any(|r| r.domain_guid == guid && r.host == host && r.path == path);
    Ok(ok(json!({"matching_route": matching})))
}

fn env_vars(base: &str, a: &App) -> Value {
    json!({
        "var": a.env,
        "links": {
            "self": {"href": format!("{base}/v3/apps/{}/environment_variables", a.guid)},
            "app": {"href": format!("{base}/v3/apps/{}", a.guid)},
        }
    })
}

/// `GET /v3/apps/:guid/env`: what the app's processes see.
pub(crate) async fn app_env(
    AxState(shared): Shr,
    Caller(actor): Caller,
    Path(guid): Path<String>,
) -> Reply {
    let state = shared.lock();
    let app = state.app(&actor, &guid)?;
    let space = state.spaces.get(&app.space_guid);
    let uris: Vec<String> = state
        .routes
        .values()
        .filter(|r| r.destinations.iter().any(|d| d.app_guid == guid))
        .map(|r| state.route_url(r))
        .collect();
    Ok(ok(json!({
        "staging_env_json": {},
        "running_env_json": {},
        "environment_variables": app.env,
        "system_env_json": {"VCAP_SERVICES": {}},
        "application_env_json": {"VCAP_APPLICATION": {
            "application_id": app.guid, "application_name": app.name, "application_uris": uris,
            "name": app.name, "space_id": app.space_guid, "space_name": space.map(|s| s.name.clone()),
            "organization_id": space.map(|s| s.org_guid.clone()), "uris": uris, "limits": {"fds": 16384},
        }},
    })))
}

/// `GET /v3/apps/:guid/environment_variables`.
pub(crate) async fn get_env(
    AxState(shared): Shr,
    Caller(actor): Caller,
    Path(guid): Path<String>,
) -> Reply {
    let state = shared.lock();
    Ok(ok(env_vars(&shared.base_url(), state.app(&actor, &guid)?)))
}

/// `PATCH /v3/apps/:guid/environment_variables`.
pub(crate) async fn patch_env(
    AxState(shared): Shr,
    Caller(actor): Caller,
    Path(guid): Path<String>,
    body: String,
) -> Reply {
    let b: bodies::EnvBody = bodies::read(parse_body(&body)?);
    let mut state = shared.lock();
    state.patch_env(&actor, &guid, &b.var.unwrap_or_default())?;
    Ok(ok(env_vars(&shared.base_url(), state.app(&actor, &guid)?)))
}

/// `PATCH /v3/apps/:guid`: a new name.
pub(crate) async fn patch_app(
    AxState(shared): Shr,
    Caller(actor): Caller,
    Path(guid): Path<String>,
    body: String,
) -> Reply {
    let b: bodies::AppPatchBody = bodies::read(parse_body(&body)?);
    let mut state = shared.lock();
    let app = match b.name {
        Some(name) => state.rename_app(&actor, &guid, &name)?,
        None => state.app(&actor, &guid)?.clone(),
    };
    Ok(ok(json::app(&shared.base_url(), &app)))
}

fn ssh_feature(a: &App) -> Value {
    json!({"name": "ssh", "description": "Enable SSHing into the app.", "enabled": a.ssh_enabled})
}

/// `GET /v3/apps/:guid/features/ssh` (the only app feature the simulator knows).
pub(crate) async fn get_ssh(
    AxState(shared): Shr,
    Caller(actor): Caller,
    Path(guid): Path<String>,
) -> Reply {
    let state = shared.lock();
    Ok(ok(ssh_feature(state.app(&actor, &guid)?)))
}

/// `PATCH /v3/apps/:guid/features/ssh`: `enabled` is required.
pub(crate) async fn patch_ssh(
    AxState(shared): Shr,
    Caller(actor): Caller,
    Path(guid): Path<String>,
    body: String,
) -> Reply {
    let b: bodies::FeatureBody = bodies::read(parse_body(&body)?);
    let mut state = shared.lock();
    let Some(enabled) = b.enabled else {
        state.app(&actor, &guid)?;
        return Err(crate::model::CcError::unprocessable(
            "Enabled must be a boolean",
        ));
    };
    Ok(ok(ssh_feature(&state.set_app_ssh(&actor, &guid, enabled)?)))
}

/// `POST /v3/apps/:guid/actions/{start,stop,restart}`.
pub(crate) async fn app_action(
    AxState(shared): Shr,
    Caller(actor): Caller,
    Path((guid, action)): Path<(String, String)>,
) -> Reply {
    let started = match action.as_str() {
        "start" | "restart" => true,
        "stop" => false,
        _ => return Err(crate::model::CcError::not_found("Action")),
    };
    let mut state = shared.lock();
    let app = state.set_app_started(&actor, &guid, started)?;
    Ok(ok(json::app(&shared.base_url(), &app)))
}

/// `POST /v3/apps/:guid/processes/:type/actions/scale`.
pub(crate) async fn scale_app_process(
    AxState(shared): Shr,
    Caller(actor): Caller,
    Path((guid, kind)): Path<(String, String)>,
    body: String,
) -> Reply {
    if kind != "web" {
        return Err(crate::model::CcError::not_found("Process"));
    }
    scale(&shared, &actor, &guid, &body)
}

/// `POST /v3/processes/:guid/actions/scale`.
pub(crate) async fn scale_process(
    AxState(shared): Shr,
    Caller(actor): Caller,
    Path(guid): Path<String>,
    body: String,
) -> Reply {
    let app = {
        let state = shared.lock();
        app_of_process(&state, &actor, &guid)?.guid.clone()
    };
    scale(&shared, &actor, &app, &body)
}

fn scale(shared: &Shared, actor: &crate::model::Actor, app: &str, body: &str) -> Reply {
    let b: bodies::ScaleBody = bodies::read(parse_body(body)?);
    let mut state = shared.lock();
    let app = match b.instances {
        Some(n) => state.scale_app(actor, app, n)?,
        None => state.app(actor, app)?.clone(),
    };
    Ok(ok(process(&shared.base_url(), &app)))
}

/// `GET /v3/organizations/:guid/relationships/default_isolation_segment` and
/// `GET /v3/spaces/:guid/relationships/isolation_segment`: none (the shared one).
pub(crate) async fn isolation_segment(
    AxState(shared): Shr,
    Caller(actor): Caller,
    uri: axum::http::Uri,
    Path(guid): Path<String>,
) -> Reply {
    let state = shared.lock();
    if uri.path().starts_with("/v3/spaces/") {
        state.space(&actor, &guid)?;
    } else {
        state.org(&actor, &guid)?;
    }
    Ok(ok(json!({
        "data": null,
        "links": {"self": {"href": format!("{}{}", shared.base_url(), uri.path())}},
    })))
}
