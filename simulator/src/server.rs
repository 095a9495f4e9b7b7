//! Wiring: `router()` (usable without a socket), and `Simulator::start`, which binds
//! 127.0.0.1 (plain or TLS) and returns the URL and a `Handle` for seeding, fault
//! injection, counters and changes behind Terraform's back.

use std::sync::Arc;

use axum::Router;
use axum::routing::{delete, get, post};
use tokio::sync::oneshot;

pub use crate::shared::{Config, Shared};

use crate::faults::{FaultRule, Stats};
use crate::model::{Policy, State, Subject};
use crate::{admin, cc, cli, lifecycle, middleware, orgs, policy, push, uaa};

/// The simulator's routes over `shared`; tests can drive it without a socket.
pub fn router(shared: Arc<Shared>) -> Router {
    let platform = Router::new()
        .route("/", get(cc::root))
        .route("/v3", get(cc::v3_root))
        .route("/oauth/token", post(uaa::token))
        .route("/login", get(uaa::login_info))
        .route(
            "/v3/organizations",
            get(cc::list_orgs).post(orgs::create_org),
        )
        .route(
            "/v3/organizations/{guid}",
            get(cc::get_org).delete(orgs::delete_org),
        )
        .route("/v3/organizations/{guid}/domains", get(cli::org_domains))
        .route("/v3/spaces/{guid}/features/ssh", get(cli::space_ssh))
        .route(
            "/v3/apps/{guid}/features/ssh",
            get(lifecycle::get_ssh).patch(lifecycle::patch_ssh),
        )
        .route("/v3/processes", get(cli::list_processes))
        .route("/v3/processes/{guid}", get(cli::get_process))
        .route("/v3/processes/{guid}/stats", get(cli::process_stats))
        .route("/v3/processes/{guid}/sidecars", get(cli::empty_list))
        .route("/v3/apps/{guid}/sidecars", get(cli::empty_list))
        .route("/v3/apps/{guid}/routes", get(cli::app_routes))
        .route(
            "/v3/deployments",
            get(push::list_deployments).post(push::create_deployment),
        )
        .route("/v3/deployments/{guid}", get(push::get_deployment))
        .route(
            "/v3/apps/{guid}/droplets/current",
            get(push::current_droplet),
        )
        .route("/v3/apps/{guid}/droplets", get(push::app_droplets))
        .route(
            "/v3/apps/{guid}/relationships/current_droplet",
            get(push::get_current_relationship).patch(push::set_current_droplet),
        )
        .route(
            "/v3/spaces/{guid}/actions/apply_manifest",
            post(push::apply_manifest),
        )
        .route("/v3/packages/{guid}", get(push::get_package))
        .route("/v3/builds", post(push::create_build))
        .route("/v3/builds/{guid}", get(push::get_build))
        .route("/v3/droplets/{guid}", get(push::get_droplet))
        .route("/v3/apps/{guid}/processes", get(cli::app_processes))
        .route("/v3/apps/{guid}/processes/{kind}", get(cli::app_process))
        .route("/v3/apps/{guid}/manifest", get(cli::app_manifest))
        .route("/v3/service_route_bindings", get(cli::empty_list))
        .route("/v3/spaces", get(cc::list_spaces).post(orgs::create_space))
        .route(
            "/v3/spaces/{guid}",
            get(cc::get_space).delete(orgs::delete_space),
        )
        .route("/v3/apps", get(cc::list_apps).post(cc::create_app))
        .route(
            "/v3/apps/{guid}",
            get(cc::get_app)
                .patch(lifecycle::patch_app)
                .delete(cc::delete_app),
        )
        .route(
            "/v3/apps/{guid}/actions/{action}",
            post(lifecycle::app_action),
        )
        .route("/v3/apps/{guid}/env", get(lifecycle::app_env))
        .route(
            "/v3/apps/{guid}/environment_variables",
            get(lifecycle::get_env).patch(lifecycle::patch_env),
        )
        .route(
            "/v3/apps/{guid}/processes/{kind}/actions/scale",
            post(lifecycle::scale_app_process),
        )
        .route(
            "/v3/processes/{guid}/actions/scale",
            post(lifecycle::scale_process),
        )
        .route("/v3/info", get(lifecycle::info))
        .route("/v3/organization_quotas/{guid}", get(lifecycle::org_quota))
        .route("/v3/service_instances", get(cli::empty_list))
        .route(
            "/v3/organizations/{guid}/relationships/default_isolation_segment",
            get(lifecycle::isolation_segment),
        )
        .route(
            "/v3/spaces/{guid}/relationships/isolation_segment",
            get(lifecycle::isolation_segment),
        )
        .route(
            "/v3/packages",
            get(push::list_packages).post(push::create_package),
        )
        .route("/v3/packages/{guid}/droplets", get(push::package_droplets))
        .route("/v3/isolation_segments", get(cli::empty_list))
        .route(
            "/v3/spaces/{guid}/running_security_groups",
            get(cli::empty_list),
        )
        .route(
            "/v3/spaces/{guid}/staging_security_groups",
            get(cli::empty_list),
        )
        .route(
            "/v3/domains/{guid}/route_reservations",
            get(lifecycle::route_reservations),
        )
        .route(
            "/v3/domains",
            get(cc::list_domains).post(orgs::create_domain),
        )
        .route(
            "/v3/domains/{guid}",
            get(cc::get_domain).delete(orgs::delete_domain),
        )
        .route("/v3/routes", get(cc::list_routes).post(cc::create_route))
        .route(
            "/v3/routes/{guid}",
            get(cc::get_route)
                .patch(cc::patch_route)
                .delete(cc::delete_route),
        )
        .route(
            "/v3/routes/{guid}/destinations",
            get(cc::list_destinations)
                .post(cc::insert_destinations)
                .patch(cc::replace_destinations),
        )
        .route(
            "/v3/routes/{guid}/destinations/{dest}",
            delete(cc::delete_destination),
        )
        .route("/v3/jobs/{guid}", get(cc::get_job))
        .route(
            "/networking/{version}/external/policies",
            get(policy::list).post(policy::create),
        )
        .route(
            "/networking/{version}/external/policies/delete",
            post(policy::delete),
        )
        // Unknown paths answer as the platform does, and like every platform
        // request they are counted and subject to faults (`layer`, unlike
        // `route_layer`, wraps the fallback too).
        .fallback(cc::not_found)
        .layer(axum::middleware::from_fn_with_state(
            shared.clone(),
            middleware::layer,
        ));
    platform.nest("/_sim", admin::router()).with_state(shared)
}

/// A running simulator.
pub struct Simulator {
    /// Base URL, such as `http://127.0.0.1:40123`.
    pub url: String,
    /// The CA certificate (PEM) clients must trust, when serving TLS.
    pub ca_pem: Option<String>,
    /// Control over the running simulator.
    pub handle: Handle,
    stop: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl std::fmt::Debug for Simulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Simulator")
            .field("url", &self.url)
            .finish_non_exhaustive()
    }
}

impl Simulator {
    /// Binds `config.listen` and serves until stopped or dropped.
    pub async fn start(config: Config) -> anyhow::Result<Simulator> {
        let shared = Arc::new(Shared::new(&config)?);
        let listener = tokio::net::TcpListener::bind(config.listen).await?;
        let addr = listener.local_addr()?;
        let app = router(shared.clone());
        let (tx, rx) = oneshot::channel::<()>();
        let shutdown = async move {
            let _ = rx.await;
        };
        let (url, ca_pem, task) = if config.tls {
            let tls = crate::tls::generate()?;
            let url = format!("https://localhost:{}", addr.port());
            let listener = crate::tls::TlsListener::new(listener, tls.acceptor);
            let task = tokio::spawn(async move {
                let _ = axum::serve(listener, app)
                    .with_graceful_shutdown(shutdown)
                    .await;
            });
            (url, Some(tls.ca_pem), task)
        } else {
            let url = format!("http://{addr}");
            let task = tokio::spawn(async move {
                let _ = axum::serve(listener, app)
                    .with_graceful_shutdown(shutdown)
                    .await;
            });
            (url, None, task)
        };
        shared.set_base_url(url.clone());
        Ok(Simulator {
            url,
            ca_pem,
            handle: Handle { shared },
            stop: Some(tx),
            task: Some(task),
        })
    }

    /// Stops serving: in-flight requests get up to a second to finish, then open
    /// connections (idle keep-alive ones included) are dropped.
    pub async fn stop(mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(mut task) = self.task.take()
            && tokio::time::timeout(std::time::Duration::from_secs(1), &mut task)
                .await
                .is_err()
        {
            task.abort();
        }
    }

    /// Kills the platform at once, as a crash would: the listener closes, so new
    /// connections are refused, and requests in flight lose their connections
    /// without an answer. The value stays, so a test can still read what the platform
    /// held.
    pub fn kill(&mut self) {
        self.handle.shared.kill();
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

impl Drop for Simulator {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Control over a running simulator, for tests and tools.
#[derive(Debug, Clone)]
pub struct Handle {
    /// The shared state behind the server.
    pub shared: Arc<Shared>,
}

impl Handle {
    /// Reads or changes the platform directly (behind the API's back).
    pub fn with_state<T>(&self, f: impl FnOnce(&mut State) -> T) -> T {
        let mut state = self.shared.lock();
        let out = f(&mut state);
        drop(state);
        self.shared.persist();
        out
    }

    /// A copy of the whole state.
    pub fn state(&self) -> State {
        self.shared.lock().clone()
    }

    /// The GUID of the app `name` in space `space` (any org).
    pub fn app_guid(&self, space: &str, name: &str) -> Option<String> {
        let s = self.shared.lock();
        let space_guid = s.spaces.values().find(|sp| sp.name == space)?.guid.clone();
        s.apps
            .values()
            .find(|a| a.space_guid == space_guid && a.name == name)
            .map(|a| a.guid.clone())
    }

    /// The GUID of the space `name` (any org).
    pub fn space_guid(&self, name: &str) -> Option<String> {
        self.shared
            .lock()
            .spaces
            .values()
            .find(|s| s.name == name)
            .map(|s| s.guid.clone())
    }

    /// The GUID of the domain `name`.
    pub fn domain_guid(&self, name: &str) -> Option<String> {
        self.shared
            .lock()
            .domains
            .values()
            .find(|d| d.name == name)
            .map(|d| d.guid.clone())
    }

    /// Adds a fault rule.
    pub fn add_fault(&self, rule: FaultRule) {
        self.shared.faults.lock().expect("faults").rules.push(rule);
    }

    /// Removes every fault rule.
    pub fn clear_faults(&self) {
        self.shared.faults.lock().expect("faults").rules.clear();
    }

    /// Request counts per `METHOD /route/pattern`.
    pub fn stats(&self) -> Stats {
        self.shared.stats()
    }

    /// Total requests counted whose key starts with `prefix` (such as `GET /networking`).
    pub fn count(&self, prefix: &str) -> u64 {
        self.shared
            .stats()
            .iter()
            .filter(|(k, _)| k.starts_with(prefix))
            .map(|(_, v)| v)
            .sum()
    }

    /// Forgets request counts.
    pub fn reset_stats(&self) {
        self.shared.reset_stats();
    }

    /// Deletes a policy behind the API's back.
    pub fn delete_policy(&self, p: &Policy) -> bool {
        self.with_state(|s| s.policies.remove(p))
    }

    /// Deletes a route immediately, behind the API's back.
    pub fn delete_route(&self, guid: &str) -> bool {
        self.with_state(|s| s.routes.remove(guid).is_some())
    }

    /// Unmaps an app from a route behind the API's back.
    pub fn unmap(&self, route_guid: &str, app_guid: &str) -> bool {
        self.with_state(|s| {
            let Some(r) = s.routes.get_mut(route_guid) else {
                return false;
            };
            let before = r.destinations.len();
            r.destinations.retain(|d| d.app_guid != app_guid);
            r.destinations.len() != before
        })
    }

    /// Deletes an app (and its destinations) behind the API's back.
    pub fn delete_app(&self, guid: &str) -> bool {
        self.with_state(|s| s.remove_app(guid))
    }

    /// Revokes every token of a user.
    pub fn revoke_user(&self, name: &str) -> usize {
        self.with_state(|s| s.revoke(&Subject::User(name.into())))
    }

    /// Expires every access token now (refresh tokens stay valid).
    pub fn expire_tokens(&self) {
        self.with_state(State::expire_access_tokens);
    }

    /// Moves the simulated clock forward.
    pub fn advance(&self, seconds: f64) {
        self.with_state(|s| s.clock_offset += seconds);
    }

    /// Back to the seed.
    pub fn reset(&self) -> anyhow::Result<()> {
        self.shared.reset()
    }
}
