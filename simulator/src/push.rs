//! Pushing apps, as `cf push APP --docker-image IMAGE` and the official provider's
//! `cloudfoundry_app` do it: a manifest applied to a space (a job, complete at once),
//! a Docker package (READY when made), a build that stages at once, the droplet it
//! makes, the app's current droplet, and deployments (`strategy = "rolling"`),
//! finished when made. Every app has one package and one droplet
//! at a time, with GUIDs derived from the app's; apps that were never pushed here
//! count as pushed from bits and staged, so `cf start` finds nothing to stage.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::extract::{Path, RawQuery, State as AxState};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::bodies;
use crate::caller::Caller;
use crate::cc::{Reply, accepted, created, ok, parse_body};
use crate::json::{self, Query};
use crate::model::{Actor, App, CcError, Deployment, ManifestApp, State};
use crate::shared::Shared;

type Shr = AxState<Arc<Shared>>;

fn derived(kind: &str, app: &str) -> String {
    uuid::Uuid::new_v5(
        &uuid::Uuid::NAMESPACE_OID,
        format!("{kind}:{app}").as_bytes(),
    )
    .to_string()
}

/// When the app's newest package was made.
fn pushed(a: &App) -> String {
    json::timestamp(if a.pushed_at > 0.0 {
        a.pushed_at
    } else {
        a.created_at
    })
}

/// The app whose package, build or droplet (`kind`) has this GUID.
fn app_of<'a>(state: &'a State, actor: &Actor, kind: &str, guid: &str) -> Result<&'a App, CcError> {
    state
        .visible_apps(actor)
        .into_iter()
        .find(|a| derived(kind, &a.guid) == guid)
        .ok_or_else(|| CcError::not_found(&capitalized(kind)))
}

fn capitalized(kind: &str) -> String {
    let mut c = kind.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

fn package(base: &str, a: &App) -> Value {
    let g = derived("package", &a.guid);
    let t = pushed(a);
    let (kind, data) = match &a.package_image {
        Some(image) => (
            "docker",
            json!({"image": image, "username": null, "password": null}),
        ),
        None => (
            "bits",
            json!({"checksum": {"type": "sha256", "value": null}, "error": null}),
        ),
    };
    json!({
        "guid": g, "created_at": t, "updated_at": t, "type": kind, "state": "READY", "data": data,
        "relationships": {"app": {"data": {"guid": a.guid}}},
        "metadata": {"labels": {}, "annotations": {}},
        "links": {
            "self": {"href": format!("{base}/v3/packages/{g}")},
            "app": {"href": format!("{base}/v3/apps/{}", a.guid)},
            "stage": {"href": format!("{base}/v3/builds"), "method": "POST"},
        }
    })
}

/// An app's droplet, staged from its package.
pub(crate) fn droplet(base: &str, a: &App) -> Value {
    let g = derived("droplet", &a.guid);
    let t = pushed(a);
    let lifecycle = match &a.image {
        Some(image) => json!({
            "lifecycle": {"type": "docker", "data": {}}, "image": image, "checksum": null,
            "buildpacks": null, "stack": null, "process_types": {"web": ""},
        }),
        None => json!({
            "lifecycle": {"type": "buildpack", "data": {}}, "image": null,
            "checksum": {"type": "sha256", "value": g.replace('-', "")},
            "buildpacks": [{"name": "binary_buildpack", "detect_output": "binary", "buildpack_name": "binary", "version": "1.1.0"}],
            "stack": "cflinuxfs4", "process_types": {"web": "./app"},
        }),
    };
    let mut v = json!({
        "guid": g, "created_at": t, "updated_at": t, "state": "STAGED", "error": null,
        "execution_metadata": "",
        "relationships": {"app": {"data": {"guid": a.guid}}},
        "metadata": {"labels": {}, "annotations": {}},
        "links": {
            "self": {"href": format!("{base}/v3/droplets/{g}")},
            "package": {"href": format!("{base}/v3/packages/{}", derived("package", &a.guid))},
            "app": {"href": format!("{base}/v3/apps/{}", a.guid)},
            "assign_current_droplet": {"href": format!("{base}/v3/apps/{}/relationships/current_droplet", a.guid), "method": "PATCH"},
        }
    });
    if let (Some(o), Some(extra)) = (v.as_object_mut(), lifecycle.as_object()) {
        o.extend(extra.clone());
    }
    v
}

fn build(base: &str, a: &App) -> Value {
    let g = derived("build", &a.guid);
    let t = pushed(a);
    let kind = if a.image.is_some() {
        "docker"
    } else {
        "buildpack"
    };
    json!({
        "guid": g, "created_at": t, "updated_at": t, "state": "STAGED", "error": null,
        "staging_memory_in_mb": 1024, "staging_disk_in_mb": 1024, "staging_log_rate_limit_bytes_per_second": -1,
        "lifecycle": {"type": kind, "data": {}},
        "package": {"guid": derived("package", &a.guid)},
        "droplet": {"guid": derived("droplet", &a.guid)},
        "created_by": {"guid": "", "name": "", "email": ""},
        "relationships": {"app": {"data": {"guid": a.guid}}},
        "metadata": {"labels": {}, "annotations": {}},
        "links": {
            "self": {"href": format!("{base}/v3/builds/{g}")},
            "app": {"href": format!("{base}/v3/apps/{}", a.guid)},
            "droplet": {"href": format!("{base}/v3/droplets/{}", derived("droplet", &a.guid))},
        }
    })
}

/// A manifest's text as the simulator honours it: names, Docker images, env,
/// instances and routes of each application.
fn manifest(text: &str) -> Result<Vec<ManifestApp>, CcError> {
    let v: Value = serde_yaml_ng::from_str(text)
        .map_err(|e| CcError::unprocessable(format!("Manifest is not valid YAML: {e}")))?;
    let m: bodies::ManifestBody = bodies::read(v);
    Ok(m.applications
        .unwrap_or_default()
        .into_iter()
        .map(|a| ManifestApp {
            name: a.name.unwrap_or_default(),
            image: a.docker.and_then(|d| d.image),
            env: a
                .env
                .unwrap_or_default()
                .into_iter()
                .map(|(k, v)| {
                    let text = v.as_str().map_or_else(|| v.to_string(), str::to_string);
                    (k, text)
                })
                .collect::<BTreeMap<_, _>>(),
            instances: a.instances,
            routes: a
                .routes
                .unwrap_or_default()
                .into_iter()
                .filter_map(|r| r.route)
                .collect(),
            default_route: a.default_route.unwrap_or(false),
            no_route: a.no_route.unwrap_or(false),
        })
        .collect())
}

/// `POST /v3/spaces/:guid/actions/apply_manifest` (a YAML body).
pub(crate) async fn apply_manifest(
    AxState(shared): Shr,
    Caller(actor): Caller,
    Path(space): Path<String>,
    body: String,
) -> Reply {
    let apps = manifest(&body)?;
    let mut state = shared.lock();
    let job = state.apply_manifest(&actor, &space, &apps)?;
    Ok(accepted(&shared.base_url(), &job.guid))
}

/// `GET /v3/packages`.
pub(crate) async fn list_packages(
    AxState(shared): Shr,
    Caller(actor): Caller,
    RawQuery(raw): RawQuery,
) -> Reply {
    let state = shared.lock();
    let q = Query::parse(raw.as_deref());
    q.allow(&[
        "app_guids",
        "guids",
        "states",
        "types",
        "space_guids",
        "organization_guids",
        "order_by",
    ])?;
    let apps = json::filter_by(state.visible_apps(&actor), q.list("app_guids"), |a| &a.guid);
    let b = shared.base_url();
    Ok(ok(q.page(&b, "/v3/packages", &apps, |a| package(&b, a))?))
}

/// `POST /v3/packages`: `{"type": "docker", "data": {"image": …}, "relationships": {"app": …}}`.
pub(crate) async fn create_package(
    AxState(shared): Shr,
    Caller(actor): Caller,
    body: String,
) -> Reply {
    let b: bodies::PackageBody = bodies::read(parse_body(&body)?);
    let app = bodies::ToOne::guid(b.relationships.as_ref().and_then(|r| r.app.as_ref()));
    let image = match b.kind.as_deref() {
        Some("docker") => Some(
            b.data
                .and_then(|d| d.image)
                .ok_or_else(|| CcError::unprocessable("Data Image required"))?,
        ),
        Some("bits") => None,
        _ => {
            return Err(CcError::unprocessable(
                "Type must be one of 'bits', 'docker'",
            ));
        }
    };
    let mut state = shared.lock();
    if state.app(&actor, &app).is_err() {
        return Err(CcError::unprocessable("App must be an existing app"));
    }
    let a = state.create_package(&actor, &app, image)?;
    Ok(created(package(&shared.base_url(), &a)))
}

/// `GET /v3/packages/:guid`.
pub(crate) async fn get_package(
    AxState(shared): Shr,
    Caller(actor): Caller,
    Path(guid): Path<String>,
) -> Reply {
    let state = shared.lock();
    Ok(ok(package(
        &shared.base_url(),
        app_of(&state, &actor, "package", &guid)?,
    )))
}

/// `GET /v3/packages/:guid/droplets`: the droplet staged from the package.
pub(crate) async fn package_droplets(
    AxState(shared): Shr,
    Caller(actor): Caller,
    Path(guid): Path<String>,
    RawQuery(raw): RawQuery,
) -> Reply {
    let state = shared.lock();
    let q = Query::parse(raw.as_deref());
    q.allow(&["states", "guids", "order_by"])?;
    let app = app_of(&state, &actor, "package", &guid)?;
    let staged = app.image == app.package_image;
    let wanted = q
        .list("states")
        .is_none_or(|s| s.iter().any(|s| s == "STAGED"));
    let apps: Vec<&App> = if staged && wanted {
        vec![app]
    } else {
        Vec::new()
    };
    let b = shared.base_url();
    let path = format!("/v3/packages/{guid}/droplets");
    Ok(ok(q.page(&b, &path, &apps, |a| droplet(&b, a))?))
}

/// `POST /v3/builds`: stages the package at once.
pub(crate) async fn create_build(
    AxState(shared): Shr,
    Caller(actor): Caller,
    body: String,
) -> Reply {
    let b: bodies::BuildBody = bodies::read(parse_body(&body)?);
    let package = b.package.and_then(|p| p.guid).unwrap_or_default();
    let mut state = shared.lock();
    let app = app_of(&state, &actor, "package", &package)
        .map_err(|_| {
            CcError::unprocessable(
                "Unable to use package. Ensure that the package exists and you have access to it.",
            )
        })?
        .guid
        .clone();
    let a = state.stage(&actor, &app)?;
    Ok(created(build(&shared.base_url(), &a)))
}

/// `GET /v3/builds/:guid`.
pub(crate) async fn get_build(
    AxState(shared): Shr,
    Caller(actor): Caller,
    Path(guid): Path<String>,
) -> Reply {
    let state = shared.lock();
    Ok(ok(build(
        &shared.base_url(),
        app_of(&state, &actor, "build", &guid)?,
    )))
}

/// `GET /v3/droplets/:guid`.
pub(crate) async fn get_droplet(
    AxState(shared): Shr,
    Caller(actor): Caller,
    Path(guid): Path<String>,
) -> Reply {
    let state = shared.lock();
    Ok(ok(droplet(
        &shared.base_url(),
        app_of(&state, &actor, "droplet", &guid)?,
    )))
}

/// `GET /v3/apps/:guid/droplets/current`.
pub(crate) async fn current_droplet(
    AxState(shared): Shr,
    Caller(actor): Caller,
    Path(guid): Path<String>,
) -> Reply {
    let state = shared.lock();
    Ok(ok(droplet(&shared.base_url(), state.app(&actor, &guid)?)))
}

/// `GET /v3/apps/:guid/droplets`.
pub(crate) async fn app_droplets(
    AxState(shared): Shr,
    Caller(actor): Caller,
    Path(guid): Path<String>,
    RawQuery(raw): RawQuery,
) -> Reply {
    let state = shared.lock();
    let q = Query::parse(raw.as_deref());
    let app = state.app(&actor, &guid)?;
    let b = shared.base_url();
    Ok(ok(q.page(
        &b,
        &format!("/v3/apps/{guid}/droplets"),
        &[app],
        |a| droplet(&b, a),
    )?))
}

fn current_relationship(base: &str, a: &App) -> Response {
    ok(json!({
        "data": {"guid": derived("droplet", &a.guid)},
        "links": {
            "self": {"href": format!("{base}/v3/apps/{}/relationships/current_droplet", a.guid)},
            "related": {"href": format!("{base}/v3/apps/{}/droplets/current", a.guid)},
        }
    }))
}

/// `GET` and `PATCH /v3/apps/:guid/relationships/current_droplet`: the app's one
/// droplet is always current; naming another is refused.
pub(crate) async fn get_current_relationship(
    AxState(shared): Shr,
    Caller(actor): Caller,
    Path(guid): Path<String>,
) -> Reply {
    let state = shared.lock();
    Ok(current_relationship(
        &shared.base_url(),
        state.app(&actor, &guid)?,
    ))
}

/// `PATCH /v3/apps/:guid/relationships/current_droplet`.
pub(crate) async fn set_current_droplet(
    AxState(shared): Shr,
    Caller(actor): Caller,
    Path(guid): Path<String>,
    body: String,
) -> Reply {
    let b: bodies::ToOne = bodies::read(parse_body(&body)?);
    let wanted = bodies::ToOne::guid(Some(&b));
    let state = shared.lock();
    let app = state.app(&actor, &guid)?;
    if wanted != derived("droplet", &app.guid) {
        return Err(CcError::unprocessable(
            "Unable to assign current droplet. Ensure the droplet exists and belongs to this app.",
        ));
    }
    Ok(current_relationship(&shared.base_url(), app).into_response())
}

fn deployment(base: &str, d: &Deployment) -> Value {
    let (g, t) = (&d.guid, json::timestamp(d.created_at));
    let droplet = derived("droplet", &d.app_guid);
    json!({
        "guid": g, "created_at": t, "updated_at": t, "state": "DEPLOYED",
        "status": {"value": "FINALIZED", "reason": "DEPLOYED",
                   "details": {"last_successful_healthcheck": t, "last_status_change": t, "error": null}},
        "strategy": d.strategy, "options": {"max_in_flight": 1},
        "droplet": {"guid": droplet}, "previous_droplet": {"guid": droplet},
        "new_processes": [{"guid": crate::cli::process_guid(&d.app_guid), "type": "web"}],
        "revision": null,
        "relationships": {"app": {"data": {"guid": d.app_guid}}},
        "metadata": {"labels": {}, "annotations": {}},
        "links": {
            "self": {"href": format!("{base}/v3/deployments/{g}")},
            "app": {"href": format!("{base}/v3/apps/{}", d.app_guid)},
        }
    })
}

/// `POST /v3/deployments`: the app's droplet (its only one) deployed, at once.
pub(crate) async fn create_deployment(
    AxState(shared): Shr,
    Caller(actor): Caller,
    body: String,
) -> Reply {
    let b: bodies::DeploymentBody = bodies::read(parse_body(&body)?);
    let app = bodies::ToOne::guid(b.relationships.as_ref().and_then(|r| r.app.as_ref()));
    let mut state = shared.lock();
    if state.app(&actor, &app).is_err() {
        return Err(CcError::unprocessable(
            "Unable to use app. Ensure that the app exists and you have access to it.",
        ));
    }
    if let Some(d) = b.droplet.and_then(|d| d.guid)
        && d != derived("droplet", &app)
    {
        return Err(CcError::unprocessable(
            "Unable to assign current droplet. Ensure the droplet exists and belongs to this app.",
        ));
    }
    let d = state.deploy(&actor, &app, b.strategy.as_deref().unwrap_or("rolling"))?;
    Ok(created(deployment(&shared.base_url(), &d)))
}

/// `GET /v3/deployments/:guid`.
pub(crate) async fn get_deployment(
    AxState(shared): Shr,
    Caller(actor): Caller,
    Path(guid): Path<String>,
) -> Reply {
    let state = shared.lock();
    let d = state
        .deployments
        .get(&guid)
        .filter(|d| state.app(&actor, &d.app_guid).is_ok())
        .ok_or_else(|| CcError::not_found("Deployment"))?;
    Ok(ok(deployment(&shared.base_url(), d)))
}

/// `GET /v3/deployments`: every one is FINALIZED, so `status_values=ACTIVE` (what
/// `cf app` asks) lists none.
pub(crate) async fn list_deployments(
    AxState(shared): Shr,
    Caller(actor): Caller,
    RawQuery(raw): RawQuery,
) -> Reply {
    let state = shared.lock();
    let q = Query::parse(raw.as_deref());
    q.allow(&["app_guids", "states", "status_reasons", "status_values"])?;
    let mut items: Vec<&Deployment> = state
        .deployments
        .values()
        .filter(|d| state.app(&actor, &d.app_guid).is_ok())
        .collect();
    items.sort_by(|a, b| {
        a.created_at
            .total_cmp(&b.created_at)
            .then(a.guid.cmp(&b.guid))
    });
    let items = json::filter_by(items, q.list("app_guids"), |d| &d.app_guid);
    let keep = |key: &str, value: &str| q.list(key).is_none_or(|v| v.iter().any(|x| x == value));
    let items: Vec<&Deployment> = if keep("status_values", "FINALIZED")
        && keep("states", "DEPLOYED")
        && keep("status_reasons", "DEPLOYED")
    {
        items
    } else {
        Vec::new()
    };
    let b = shared.base_url();
    Ok(ok(q.page(&b, "/v3/deployments", &items, |d| {
        deployment(&b, d)
    })?))
}
