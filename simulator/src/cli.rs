//! What the cf CLI reads beyond the provider's needs, so that `cf apps`, `cf app`,
//! `cf domains`, `cf routes` and the official provider's data sources work against
//! the simulator: processes (one `web` process per app) and their stats, an
//! organization's domains, service route bindings (none), a space's SSH feature and
//! an app's manifest. Shapes follow the Cloud Controller v3 documentation; nothing
//! here changes state.

use std::sync::Arc;

use axum::extract::{Path, RawQuery, State as AxState};
use axum::response::IntoResponse;
use serde_json::{Value, json};

use crate::caller::Caller;
use crate::cc::{Reply, ok};
use crate::json::{self, Query, filter_by, timestamp};
use crate::model::whole_seconds;
use crate::model::{Actor, App, CcError, State};
use crate::shared::Shared;

type Shr = AxState<Arc<Shared>>;

/// One page of `items`, listed at `path`, each rendered by `render`.
fn page<T>(
    shared: &Shared,
    q: &Query,
    path: &str,
    items: &[T],
    render: impl Fn(&str, &T) -> Value,
) -> Reply {
    let b = shared.base_url();
    Ok(ok(q.page(&b, path, items, |i| render(&b, i))?))
}

/// Oldest first, then by GUID, as the Cloud Controller orders lists.
fn by_age<T>(items: &mut [&T], key: impl Fn(&T) -> (f64, &str)) {
    items.sort_by(|a, b| {
        let (ta, ga) = key(a);
        let (tb, gb) = key(b);
        ta.total_cmp(&tb).then(ga.cmp(gb))
    });
}

/// The GUID of an app's `web` process: stable for the app.
pub(crate) fn process_guid(app: &str) -> String {
    uuid::Uuid::new_v5(
        &uuid::Uuid::NAMESPACE_OID,
        format!("process:{app}:web").as_bytes(),
    )
    .to_string()
}

/// An app's `web` process.
pub(crate) fn process(base: &str, a: &App) -> Value {
    let g = process_guid(&a.guid);
    let instances = a.instances;
    json!({
        "guid": g, "created_at": timestamp(a.created_at), "updated_at": timestamp(a.created_at),
        "type": "web", "command": null, "instances": instances, "memory_in_mb": 256, "disk_in_mb": 1024,
        "log_rate_limit_in_bytes_per_second": -1,
        "health_check": {"type": "port", "data": {"timeout": null, "invocation_timeout": null}},
        "readiness_health_check": {"type": "process", "data": {"invocation_timeout": null, "interval": null}},
        "relationships": {"app": {"data": {"guid": a.guid}}, "revision": null},
        "metadata": {"labels": {}, "annotations": {}},
        "version": g,
        "links": {
            "self": {"href": format!("{base}/v3/processes/{g}")},
            "scale": {"href": format!("{base}/v3/processes/{g}/actions/scale"), "method": "POST"},
            "app": {"href": format!("{base}/v3/apps/{}", a.guid)},
            "space": {"href": format!("{base}/v3/spaces/{}", a.space_guid)},
            "stats": {"href": format!("{base}/v3/processes/{g}/stats")},
        }
    })
}

/// The visible app whose `web` process has this GUID.
pub(crate) fn app_of_process<'a>(
    state: &'a State,
    actor: &Actor,
    guid: &str,
) -> Result<&'a App, CcError> {
    state
        .visible_apps(actor)
        .into_iter()
        .find(|a| process_guid(&a.guid) == guid)
        .ok_or_else(|| CcError::not_found("Process"))
}

/// `GET /v3/processes`.
pub(crate) async fn list_processes(
    AxState(shared): Shr,
    Caller(actor): Caller,
    RawQuery(raw): RawQuery,
) -> Reply {
    let state = shared.lock();
    let (state, actor) = (&*state, &actor);
    let q = Query::parse(raw.as_deref());
    q.allow(&[
        "guids",
        "types",
        "app_guids",
        "space_guids",
        "organization_guids",
    ])?;
    let mut apps = state.visible_apps(actor);
    by_age(&mut apps, |a| (a.created_at, &a.guid));
    let apps = filter_by(apps, q.list("app_guids"), |a| &a.guid);
    let apps = filter_by(apps, q.list("space_guids"), |a| &a.space_guid);
    let guids = q.list("guids");
    let web = q.list("types").is_none_or(|t| t.iter().any(|t| t == "web"));
    let orgs = q.list("organization_guids");
    let apps: Vec<&App> = apps
        .into_iter()
        .filter(|a| {
            web && guids
                .as_ref()
                .is_none_or(|g| g.contains(&process_guid(&a.guid)))
        })
        .filter(|a| {
            orgs.as_ref().is_none_or(|orgs| {
                state
                    .spaces
                    .get(&a.space_guid)
                    .is_some_and(|s| orgs.contains(&s.org_guid))
            })
        })
        .collect();
    page(&shared, &q, "/v3/processes", &apps, |b, a| process(b, a))
}

/// `GET /v3/processes/:guid`.
pub(crate) async fn get_process(
    AxState(shared): Shr,
    Caller(actor): Caller,
    Path(guid): Path<String>,
) -> Reply {
    let state = shared.lock();
    let (state, actor) = (&*state, &actor);
    let app = app_of_process(state, actor, &guid)?;
    Ok(ok(process(&shared.base_url(), app)))
}

/// `GET /v3/processes/:guid/stats`: one running instance for a started app.
pub(crate) async fn process_stats(
    AxState(shared): Shr,
    Caller(actor): Caller,
    Path(guid): Path<String>,
) -> Reply {
    let state = shared.lock();
    let (state, actor) = (&*state, &actor);
    let app = app_of_process(state, actor, &guid)?;
    // A started app's instances run (no build or health check here); a stopped
    // app's are DOWN, as the platform reports them.
    let running = app.state == "STARTED";
    let resources: Vec<Value> = (0..app.instances)
        .map(|index| if running {
        json!({
            "type": "web", "index": index, "state": "RUNNING",
            "routable": true,
            "usage": {"time": timestamp(state.now()), "cpu": 0.002, "cpu_entitlement": 0.01, "mem": 52_428_800, "disk": 104_857_600, "log_rate": 0},
            "host": "10.0.16.4", "instance_internal_ip": "10.255.101.7",
            "instance_ports": [{"external": 61001, "internal": app.default_port, "external_tls_proxy_port": 61002, "internal_tls_proxy_port": 61443}],
            "uptime": whole_seconds(state.now() - app.created_at).max(0),
            "mem_quota": 268_435_456, "disk_quota": 1_073_741_824, "log_rate_limit": -1, "fds_quota": 16384,
            "isolation_segment": null, "details": null,
        })
        } else {
            json!({"type": "web", "index": index, "state": "DOWN", "routable": false, "usage": {},
                   "host": null, "instance_ports": [], "uptime": 0, "mem_quota": 268_435_456,
                   "disk_quota": 1_073_741_824, "log_rate_limit": -1, "fds_quota": 16384,
                   "isolation_segment": null, "details": null})
        })
        .collect();
    Ok(ok(json!({"resources": resources})))
}

/// `GET /v3/apps/:guid/processes`.
pub(crate) async fn app_processes(
    AxState(shared): Shr,
    Caller(actor): Caller,
    Path(guid): Path<String>,
    RawQuery(raw): RawQuery,
) -> Reply {
    let state = shared.lock();
    let (state, actor) = (&*state, &actor);
    let app = state.app(actor, &guid)?;
    let q = Query::parse(raw.as_deref());
    q.allow(&["guids", "types"])?;
    let path = format!("/v3/apps/{guid}/processes");
    page(&shared, &q, &path, &[app], |b, a| process(b, a))
}

/// `GET /v3/apps/:guid/processes/:type`.
pub(crate) async fn app_process(
    AxState(shared): Shr,
    Caller(actor): Caller,
    Path((guid, kind)): Path<(String, String)>,
) -> Reply {
    let state = shared.lock();
    let (state, actor) = (&*state, &actor);
    let app = state.app(actor, &guid)?;
    if kind != "web" {
        return Err(CcError::not_found("Process"));
    }
    Ok(ok(process(&shared.base_url(), app)))
}

/// `GET /v3/organizations/:guid/domains`: every domain is shared here, so an
/// organization sees them all.
pub(crate) async fn org_domains(
    AxState(shared): Shr,
    Caller(actor): Caller,
    Path(guid): Path<String>,
    RawQuery(raw): RawQuery,
) -> Reply {
    let state = shared.lock();
    let (state, actor) = (&*state, &actor);
    state.org(actor, &guid)?;
    let q = Query::parse(raw.as_deref());
    q.allow(&["guids", "names", "organization_guids"])?;
    let mut items: Vec<_> = state.domains.values().collect();
    by_age(&mut items, |d| (d.created_at, &d.guid));
    let items = filter_by(items, q.list("names"), |d| &d.name);
    let items = filter_by(items, q.list("guids"), |d| &d.guid);
    let path = format!("/v3/organizations/{guid}/domains");
    page(&shared, &q, &path, &items, |b, d| json::domain(b, d))
}

/// Lists that are always empty here: service route bindings (the simulator has no
/// services) and sidecars.
pub(crate) async fn empty_list(
    AxState(shared): Shr,
    _: Caller,
    uri: axum::http::Uri,
    RawQuery(raw): RawQuery,
) -> Reply {
    let q = Query::parse(raw.as_deref());
    page(&shared, &q, uri.path(), &[] as &[()], |_, ()| Value::Null)
}

/// `GET /v3/spaces/:guid/features/ssh`: off, as cloud.gov spaces start.
pub(crate) async fn space_ssh(
    AxState(shared): Shr,
    Caller(actor): Caller,
    Path(guid): Path<String>,
) -> Reply {
    let state = shared.lock();
    let (state, actor) = (&*state, &actor);
    state.space(actor, &guid)?;
    Ok(ok(json!({
        "name": "ssh",
        "description": "Enable SSHing into apps in the space.",
        "enabled": false,
    })))
}

/// `GET /v3/apps/:guid/manifest`: the app as a manifest (YAML).
pub(crate) async fn app_manifest(
    AxState(shared): Shr,
    Caller(actor): Caller,
    Path(guid): Path<String>,
) -> Reply {
    let state = shared.lock();
    let (state, actor) = (&*state, &actor);
    let app = state.app(actor, &guid)?;
    let mut yaml = format!("---\napplications:\n- name: {}\n", app.name);
    match &app.image {
        Some(image) => yaml.push_str(&format!("  docker:\n    image: {image}\n")),
        None => yaml.push_str("  stack: cflinuxfs4\n"),
    }
    if !app.env.is_empty() {
        yaml.push_str("  env:\n");
        for (k, v) in &app.env {
            yaml.push_str(&format!("    {k}: {}\n", yaml_string(v)));
        }
    }
    yaml.push_str(&format!(
        "  processes:\n  - type: web\n    instances: {}\n    memory: 256M\n    disk_quota: 1024M\n    log-rate-limit-per-second: -1\n    health-check-type: port\n",
        app.instances
    ));
    let routes: Vec<String> = state
        .routes
        .values()
        .filter(|r| r.destinations.iter().any(|d| d.app_guid == app.guid))
        .filter_map(|r| {
            state
                .domains
                .get(&r.domain_guid)
                .map(|d| format!("{}.{}", r.host, d.name))
        })
        .collect();
    if !routes.is_empty() {
        yaml.push_str("  routes:\n");
        for r in routes {
            yaml.push_str(&format!("  - route: {r}\n"));
        }
    }
    Ok(([("content-type", "application/x-yaml")], yaml).into_response())
}

/// A YAML string: quoted as JSON, which YAML reads alike.
fn yaml_string(v: &str) -> String {
    serde_json::Value::from(v).to_string()
}

/// `GET /v3/apps/:guid/routes`: the routes the app is a destination of.
pub(crate) async fn app_routes(
    AxState(shared): Shr,
    Caller(actor): Caller,
    Path(guid): Path<String>,
    RawQuery(raw): RawQuery,
) -> Reply {
    let state = shared.lock();
    let (state, actor) = (&*state, &actor);
    state.app(actor, &guid)?;
    let q = Query::parse(raw.as_deref());
    q.allow(&["domain_guids", "hosts", "paths", "ports"])?;
    let mut items: Vec<_> = state
        .visible_routes(actor)
        .into_iter()
        .filter(|r| r.destinations.iter().any(|d| d.app_guid == guid))
        .collect();
    by_age(&mut items, |r| (r.created_at, &r.guid));
    let items = filter_by(items, q.list("domain_guids"), |r| &r.domain_guid);
    let items = filter_by(items, q.list("hosts"), |r| &r.host);
    let path = format!("/v3/apps/{guid}/routes");
    page(&shared, &q, &path, &items, |b, r| json::route(b, state, r))
}
