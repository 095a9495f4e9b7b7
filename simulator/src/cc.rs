//! Cloud Controller v3 endpoints: discovery, organizations, spaces, apps, domains,
//! routes, destinations and jobs. Handlers parse the request, call `model::State`,
//! and render with `json`; the rules themselves live in `model`.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::Extension;
use axum::extract::{Path, RawQuery, State as AxState};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::bodies::{self, Metadata, ToOne};
use crate::caller::Caller;
use crate::faults::FailJob;
use crate::json::{self, Query, filter_by};
use crate::model::{CcError, NewDestination, NewRoute, State};
use crate::shared::Shared;

type Shr = AxState<Arc<Shared>>;

/// A CC error as its response.
pub(crate) fn error_response(e: &CcError) -> Response {
    let status = StatusCode::from_u16(e.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, axum::Json(json::errors(e))).into_response()
}

pub(crate) fn ok(v: Value) -> Response {
    axum::Json(v).into_response()
}

pub(crate) fn created(v: Value) -> Response {
    (StatusCode::CREATED, axum::Json(v)).into_response()
}

pub(crate) fn accepted(base: &str, job_guid: &str) -> Response {
    let mut resp = StatusCode::ACCEPTED.into_response();
    resp.headers_mut().insert(
        "location",
        format!("{base}/v3/jobs/{job_guid}")
            .parse()
            .expect("header"),
    );
    resp
}

/// What a handler answers: a response, or a Cloud Controller error rendered as the
/// platform renders it (`CcError` is `IntoResponse`, so `?` returns it).
pub(crate) type Reply = Result<Response, CcError>;

impl IntoResponse for CcError {
    fn into_response(self) -> Response {
        error_response(&self)
    }
}

impl From<CcError> for Response {
    fn from(e: CcError) -> Response {
        error_response(&e)
    }
}

pub(crate) fn parse_body(body: &str) -> Result<Value, CcError> {
    if body.trim().is_empty() {
        return Ok(json!({}));
    }
    serde_json::from_str(body)
        .map_err(|e| CcError::parse(format!("Request invalid due to parse error: {e}")))
}

/// `GET /`: discovery, no authentication.
pub(crate) async fn root(AxState(shared): Shr) -> Response {
    let b = shared.base_url();
    let host = b.split("://").nth(1).unwrap_or(&b).to_string();
    ok(json!({"links": {
        "self": {"href": b},
        "cloud_controller_v3": {"href": format!("{b}/v3"), "meta": {"version": "3.188.0"}},
        "network_policy_v0": {"href": format!("{b}/networking/v0/external")},
        "network_policy_v1": {"href": format!("{b}/networking/v1/external")},
        "login": {"href": b},
        "uaa": {"href": b},
        "credhub": null,
        "routing": null,
        "logging": {"href": format!("wss://{host}:443")},
        "log_cache": {"href": b},
        "log_stream": {"href": b},
        "app_ssh": {"href": format!("{host}:2222"), "meta": {"host_key_fingerprint": "cloudgov-sim", "oauth_client": "ssh-proxy"}},
    }}))
}

/// `GET /v3`.
pub(crate) async fn v3_root(AxState(shared): Shr) -> Response {
    let b = shared.base_url();
    ok(
        json!({"links": {"self": {"href": format!("{b}/v3")}, "apps": {"href": format!("{b}/v3/apps")}, "routes": {"href": format!("{b}/v3/routes")}}}),
    )
}

/// Unknown paths.
pub(crate) async fn not_found() -> Response {
    error_response(&CcError {
        status: 404,
        code: 10000,
        title: "CF-NotFound".into(),
        detail: "Unknown request".into(),
    })
}

/// Keeps items whose space is in one of the orgs (when the filter is given).
fn in_orgs<'a, T>(
    state: &State,
    items: Vec<&'a T>,
    orgs: Option<Vec<String>>,
    space: impl Fn(&T) -> &str,
) -> Vec<&'a T> {
    match orgs {
        None => items,
        Some(orgs) => items
            .into_iter()
            .filter(|i| {
                state
                    .spaces
                    .get(space(i))
                    .is_some_and(|s| orgs.contains(&s.org_guid))
            })
            .collect(),
    }
}

fn by_created<T>(mut v: Vec<&T>, key: impl Fn(&T) -> (f64, &str)) -> Vec<&T> {
    v.sort_by(|a, b| {
        let (ta, ga) = key(a);
        let (tb, gb) = key(b);
        ta.total_cmp(&tb).then(ga.cmp(gb))
    });
    v
}

/// `GET /v3/organizations`.
pub(crate) async fn list_orgs(
    AxState(shared): Shr,
    Caller(actor): Caller,
    RawQuery(raw): RawQuery,
) -> Reply {
    let state = shared.lock();
    let q = Query::parse(raw.as_deref());
    q.allow(&["names", "guids"])?;
    let items = by_created(state.visible_orgs(&actor), |o| (o.created_at, &o.guid));
    let items = filter_by(items, q.list("names"), |o| &o.name);
    let items = filter_by(items, q.list("guids"), |o| &o.guid);
    let b = shared.base_url();
    Ok(ok((q.page(&b, "/v3/organizations", &items, |o| {
        json::org(&b, o)
    }))?))
}

/// `GET /v3/organizations/:guid`.
pub(crate) async fn get_org(
    AxState(shared): Shr,
    Caller(actor): Caller,
    Path(guid): Path<String>,
) -> Reply {
    let state = shared.lock();
    Ok(ok(json::org(&shared.base_url(), state.org(&actor, &guid)?)))
}

/// `GET /v3/spaces`.
pub(crate) async fn list_spaces(
    AxState(shared): Shr,
    Caller(actor): Caller,
    RawQuery(raw): RawQuery,
) -> Reply {
    let state = shared.lock();
    let q = Query::parse(raw.as_deref());
    q.allow(&["names", "guids", "organization_guids"])?;
    let items = by_created(state.visible_spaces(&actor), |s| (s.created_at, &s.guid));
    let items = filter_by(items, q.list("names"), |s| &s.name);
    let items = filter_by(items, q.list("guids"), |s| &s.guid);
    let items = filter_by(items, q.list("organization_guids"), |s| &s.org_guid);
    let b = shared.base_url();
    Ok(ok(
        (q.page(&b, "/v3/spaces", &items, |s| json::space(&b, s)))?
    ))
}

/// `GET /v3/spaces/:guid`, with `include=organization` as the platform offers it.
pub(crate) async fn get_space(
    AxState(shared): Shr,
    Caller(actor): Caller,
    Path(guid): Path<String>,
    RawQuery(raw): RawQuery,
) -> Reply {
    let state = shared.lock();
    let q = Query::parse(raw.as_deref());
    q.allow(&[])?;
    let b = shared.base_url();
    let space = state.space(&actor, &guid)?;
    let mut body = json::space(&b, space);
    if q.list("include")
        .is_some_and(|i| i.iter().any(|v| v == "organization"))
    {
        let org = state.org(&actor, &space.org_guid)?;
        body["included"] = json!({"organizations": [json::org(&b, org)]});
    }
    Ok(ok(body))
}

/// `GET /v3/apps`.
pub(crate) async fn list_apps(
    AxState(shared): Shr,
    Caller(actor): Caller,
    RawQuery(raw): RawQuery,
) -> Reply {
    let state = shared.lock();
    let q = Query::parse(raw.as_deref());
    (q.allow(&[
        "names",
        "guids",
        "space_guids",
        "organization_guids",
        "stacks",
        "lifecycle_type",
    ]))?;
    let items = by_created(state.visible_apps(&actor), |a| (a.created_at, &a.guid));
    let items = filter_by(items, q.list("names"), |a| &a.name);
    let items = filter_by(items, q.list("guids"), |a| &a.guid);
    let items = filter_by(items, q.list("space_guids"), |a| &a.space_guid);
    let items = in_orgs(&state, items, q.list("organization_guids"), |a| {
        &a.space_guid
    });
    let b = shared.base_url();
    Ok(ok(q.page(&b, "/v3/apps", &items, |a| json::app(&b, a))?))
}

/// `POST /v3/apps`.
pub(crate) async fn create_app(AxState(shared): Shr, Caller(actor): Caller, body: String) -> Reply {
    let mut state = shared.lock();
    let b: bodies::NewAppBody = bodies::read(parse_body(&body)?);
    let space = ToOne::guid(b.relationships.as_ref().and_then(|r| r.space.as_ref()));
    let app = state.create_app(&actor, b.name.as_deref().unwrap_or_default(), &space)?;
    Ok(created(json::app(&shared.base_url(), &app)))
}

/// `GET /v3/apps/:guid`.
pub(crate) async fn get_app(
    AxState(shared): Shr,
    Caller(actor): Caller,
    Path(guid): Path<String>,
) -> Reply {
    let state = shared.lock();
    Ok(ok(json::app(&shared.base_url(), state.app(&actor, &guid)?)))
}

/// `DELETE /v3/apps/:guid`.
pub(crate) async fn delete_app(
    AxState(shared): Shr,
    Caller(actor): Caller,
    Path(guid): Path<String>,
) -> Reply {
    let mut state = shared.lock();
    let job = state.delete_app(&actor, &guid)?;
    Ok(accepted(&shared.base_url(), &job.guid))
}

/// `GET /v3/domains`.
pub(crate) async fn list_domains(
    AxState(shared): Shr,
    _: Caller,
    RawQuery(raw): RawQuery,
) -> Reply {
    let state = shared.lock();
    let q = Query::parse(raw.as_deref());
    q.allow(&["names", "guids", "organization_guids"])?;
    let items = by_created(state.domains.values().collect(), |d| {
        (d.created_at, &d.guid)
    });
    let items = filter_by(items, q.list("names"), |d| &d.name);
    let items = filter_by(items, q.list("guids"), |d| &d.guid);
    let b = shared.base_url();
    Ok(ok((q.page(&b, "/v3/domains", &items, |d| {
        json::domain(&b, d)
    }))?))
}

/// `GET /v3/domains/:guid`.
pub(crate) async fn get_domain(AxState(shared): Shr, _: Caller, Path(guid): Path<String>) -> Reply {
    let state = shared.lock();
    Ok(ok(json::domain(&shared.base_url(), state.domain(&guid)?)))
}

/// `GET /v3/routes`.
pub(crate) async fn list_routes(
    AxState(shared): Shr,
    Caller(actor): Caller,
    RawQuery(raw): RawQuery,
) -> Reply {
    let state = shared.lock();
    let q = Query::parse(raw.as_deref());
    (q.allow(&[
        "hosts",
        "paths",
        "domain_guids",
        "space_guids",
        "organization_guids",
        "app_guids",
        "guids",
        "ports",
    ]))?;
    let items = by_created(state.visible_routes(&actor), |r| (r.created_at, &r.guid));
    let items = filter_by(items, q.list("guids"), |r| &r.guid);
    let items = filter_by(items, q.list("hosts"), |r| &r.host);
    let items = filter_by(items, q.list("paths"), |r| &r.path);
    let items = filter_by(items, q.list("domain_guids"), |r| &r.domain_guid);
    let items = filter_by(items, q.list("space_guids"), |r| &r.space_guid);
    let items = in_orgs(&state, items, q.list("organization_guids"), |r| {
        &r.space_guid
    });
    let items = match q.list("app_guids") {
        None => items,
        Some(apps) => items
            .into_iter()
            .filter(|r| r.destinations.iter().any(|d| apps.contains(&d.app_guid)))
            .collect(),
    };
    let b = shared.base_url();
    Ok(ok((q.page(&b, "/v3/routes", &items, |r| {
        json::route(&b, &state, r)
    }))?))
}

/// `POST /v3/routes`.
pub(crate) async fn create_route(
    AxState(shared): Shr,
    Caller(actor): Caller,
    body: String,
) -> Reply {
    let mut state = shared.lock();
    let b: bodies::RouteBody = bodies::read(parse_body(&body)?);
    let keep = |m: BTreeMap<String, Option<String>>| {
        m.into_iter().filter_map(|(k, v)| Some((k, v?))).collect()
    };
    let rel = b.relationships.as_ref();
    let req = NewRoute {
        host: b.host.clone().unwrap_or_default(),
        path: b.path.clone().unwrap_or_default(),
        port: b.port.and_then(|p| u32::try_from(p).ok()),
        space_guid: ToOne::guid(rel.and_then(|r| r.space.as_ref())),
        domain_guid: ToOne::guid(rel.and_then(|r| r.domain.as_ref())),
        labels: keep(Metadata::labels(b.metadata.as_ref())),
        annotations: keep(Metadata::annotations(b.metadata.as_ref())),
    };
    let route = state.create_route(&actor, req)?;
    Ok(created(json::route(&shared.base_url(), &state, &route)))
}

/// `GET /v3/routes/:guid`.
pub(crate) async fn get_route(
    AxState(shared): Shr,
    Caller(actor): Caller,
    Path(guid): Path<String>,
) -> Reply {
    let state = shared.lock();
    let route = state.route(&actor, &guid)?;
    Ok(ok(json::route(&shared.base_url(), &state, route)))
}

/// `PATCH /v3/routes/:guid` (metadata).
pub(crate) async fn patch_route(
    AxState(shared): Shr,
    Caller(actor): Caller,
    Path(guid): Path<String>,
    body: String,
) -> Reply {
    let mut state = shared.lock();
    let b: bodies::RouteBody = bodies::read(parse_body(&body)?);
    let route = state.patch_route(
        &actor,
        &guid,
        Metadata::labels(b.metadata.as_ref()),
        Metadata::annotations(b.metadata.as_ref()),
    )?;
    Ok(ok(json::route(&shared.base_url(), &state, &route)))
}

/// `DELETE /v3/routes/:guid`: 202 with a job.
pub(crate) async fn delete_route(
    AxState(shared): Shr,
    Caller(actor): Caller,
    fail: Option<Extension<FailJob>>,
    Path(guid): Path<String>,
) -> Reply {
    let mut state = shared.lock();
    let job = state.delete_route(&actor, &guid, fail.is_some())?;
    Ok(accepted(&shared.base_url(), &job.guid))
}

fn parse_destinations(v: &Value) -> Result<Vec<NewDestination>, CcError> {
    let list = v["destinations"].as_array().ok_or_else(|| {
        CcError::unprocessable(
            "Destinations must be an array containing between 1 and 100 destination objects.",
        )
    })?;
    Ok(list
        .iter()
        .map(|d| {
            let d: bodies::DestinationBody = bodies::read(d.clone());
            let app = d.app.unwrap_or_default();
            NewDestination {
                app_guid: app.guid.unwrap_or_default(),
                process_type: app.process.and_then(|p| p.kind),
                port: d.port,
                protocol: d.protocol,
            }
        })
        .collect())
}

/// `GET /v3/routes/:guid/destinations`.
pub(crate) async fn list_destinations(
    AxState(shared): Shr,
    Caller(actor): Caller,
    Path(guid): Path<String>,
) -> Reply {
    let state = shared.lock();
    Ok(ok(json::destinations(
        &shared.base_url(),
        state.route(&actor, &guid)?,
    )))
}

/// `POST /v3/routes/:guid/destinations`: insert.
pub(crate) async fn insert_destinations(
    AxState(shared): Shr,
    Caller(actor): Caller,
    Path(guid): Path<String>,
    body: String,
) -> Reply {
    let mut state = shared.lock();
    let wanted = parse_body(&body).and_then(|v| parse_destinations(&v))?;
    let route = state.insert_destinations(&actor, &guid, &wanted)?;
    Ok(ok(json::destinations(&shared.base_url(), &route)))
}

/// `PATCH /v3/routes/:guid/destinations`: replace all.
pub(crate) async fn replace_destinations(
    AxState(shared): Shr,
    Caller(actor): Caller,
    Path(guid): Path<String>,
    body: String,
) -> Reply {
    let mut state = shared.lock();
    let wanted = parse_body(&body).and_then(|v| parse_destinations(&v))?;
    let route = state.replace_destinations(&actor, &guid, &wanted)?;
    Ok(ok(json::destinations(&shared.base_url(), &route)))
}

/// `DELETE /v3/routes/:guid/destinations/:dest`.
pub(crate) async fn delete_destination(
    AxState(shared): Shr,
    Caller(actor): Caller,
    Path((guid, dest)): Path<(String, String)>,
) -> Reply {
    let mut state = shared.lock();
    state.delete_destination(&actor, &guid, &dest)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `GET /v3/jobs/:guid`.
pub(crate) async fn get_job(AxState(shared): Shr, _: Caller, Path(guid): Path<String>) -> Reply {
    let state = shared.lock();
    Ok(ok(json::job(&shared.base_url(), state.job(&guid)?)))
}
