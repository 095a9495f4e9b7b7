//! Ready-made platforms for the connectivity checks, built through the model's own
//! rules as an admin would (routes, destinations, policies), so that tests of
//! `cloudgov_reachability` and `cloudgov_network_graph` in every suite see the same
//! platform: `connectivity` adds to the default seed a space where each finding of
//! the reachability check shows; `agency` is a seed of three spaces, and
//! `agency_flows` the routes and policies of its golden graph.

use crate::model::{App, CcError, NewDestination, NewRoute, PolicyInput, State, Subject};
use crate::seed::Seed;

fn admin(s: &State) -> Result<crate::model::Actor, CcError> {
    s.actor(&Subject::User("admin".into()))
        .ok_or_else(|| CcError::unprocessable("the scenario needs the seed's admin user"))
}

fn space(s: &State, name: &str) -> Result<String, CcError> {
    s.spaces
        .values()
        .find(|x| x.name == name)
        .map(|x| x.guid.clone())
        .ok_or_else(|| CcError::not_found("Space"))
}

/// The GUID of the app `name` in space `space_name`.
pub fn app_guid(s: &State, space_name: &str, name: &str) -> Result<String, CcError> {
    let space = space(s, space_name)?;
    s.apps
        .values()
        .find(|a| a.space_guid == space && a.name == name)
        .map(|a| a.guid.clone())
        .ok_or_else(|| CcError::not_found("App"))
}

/// Creates the internal route `host.apps.internal` in `space_name`, sending to each
/// `(app GUID, port)`; its GUID.
pub fn internal_route(
    s: &mut State,
    space_name: &str,
    host: &str,
    to: &[(&str, i64)],
) -> Result<String, CcError> {
    let admin = admin(s)?;
    let domain = s
        .domains
        .values()
        .find(|d| d.internal && d.name == "apps.internal")
        .map(|d| d.guid.clone())
        .ok_or_else(|| CcError::not_found("Domain"))?;
    let route = s.create_route(
        &admin,
        NewRoute {
            host: host.into(),
            space_guid: space(s, space_name)?,
            domain_guid: domain,
            ..Default::default()
        },
    )?;
    if !to.is_empty() {
        let wanted: Vec<NewDestination> = to
            .iter()
            .map(|(app, port)| NewDestination {
                app_guid: (*app).into(),
                port: Some(*port),
                ..Default::default()
            })
            .collect();
        s.insert_destinations(&admin, &route.guid, &wanted)?;
    }
    Ok(route.guid)
}

/// Creates the policy `source → destination` on `protocol`/`port`.
pub fn policy(
    s: &mut State,
    source: &str,
    destination: &str,
    protocol: &str,
    port: i64,
) -> Result<(), CcError> {
    let admin = admin(s)?;
    let input = PolicyInput {
        source: source.into(),
        destination: destination.into(),
        protocol: protocol.into(),
        start: port,
        end: port,
        tagged: false,
    };
    s.create_policies(&admin, &[input])
        .map(|_| ())
        .map_err(|e| CcError::unprocessable(format!("policy: {e:?}")))
}

/// Adds the app `name` to `space_name`, in `state` (`STARTED`, `STOPPED`).
pub fn app(s: &mut State, space_name: &str, name: &str, state: &str) -> Result<String, CcError> {
    let guid = crate::model::new_guid();
    let app = App {
        guid: guid.clone(),
        name: name.into(),
        space_guid: space(s, space_name)?,
        state: state.into(),
        default_port: 8080,
        created_at: s.now(),
        env: std::collections::BTreeMap::new(),
        instances: 1,
        image: None,
        package_image: None,
        pushed_at: 0.0,
        ssh_enabled: true,
    };
    s.apps.insert(guid.clone(), app);
    Ok(guid)
}

/// The GUIDs of what `connectivity` made.
#[derive(Debug, Clone)]
pub struct Connectivity {
    /// `dev/frontend`, the usual source.
    pub frontend: String,
    /// `dev/backend`, behind `backend.apps.internal` on 8080, with a policy from
    /// frontend on tcp 8080.
    pub backend: String,
    /// `dev/worker`, behind `worker.apps.internal`, which no policy reaches.
    pub worker: String,
    /// `other/partner`, behind `partner.apps.internal` on 9090, with a policy from
    /// frontend on 8080.
    pub partner: String,
    /// `restricted/secret-app`, which the deployer cannot see.
    pub secret: String,
    /// `dev/batch`, stopped, behind `batch.apps.internal` with a policy from frontend.
    pub batch: String,
    /// `dev/cron`, stopped, with a policy to backend on 8080.
    pub cron: String,
    /// The route `backend.apps.internal`.
    pub backend_route: String,
}

/// On the default seed: a platform where each reachability finding shows. Also
/// `empty.apps.internal`, a route without destinations.
pub fn connectivity(s: &mut State) -> Result<Connectivity, CcError> {
    let frontend = app_guid(s, "dev", "frontend")?;
    let backend = app_guid(s, "dev", "backend")?;
    let worker = app_guid(s, "dev", "worker")?;
    let partner = app_guid(s, "other", "partner")?;
    let secret = app_guid(s, "restricted", "secret-app")?;
    let backend_route = internal_route(s, "dev", "backend", &[(&backend, 8080)])?;
    policy(s, &frontend, &backend, "tcp", 8080)?;
    internal_route(s, "dev", "worker", &[(&worker, 8080)])?;
    internal_route(s, "dev", "empty", &[])?;
    internal_route(s, "other", "partner", &[(&partner, 9090)])?;
    policy(s, &frontend, &partner, "tcp", 8080)?;
    let batch = app(s, "dev", "batch", "STOPPED")?;
    internal_route(s, "dev", "batch", &[(&batch, 8080)])?;
    policy(s, &frontend, &batch, "tcp", 8080)?;
    let cron = app(s, "dev", "cron", "STOPPED")?;
    policy(s, &cron, &backend, "tcp", 8080)?;
    Ok(Connectivity {
        frontend,
        backend,
        worker,
        partner,
        secret,
        batch,
        cron,
        backend_route,
    })
}

/// An organization `agency` with three spaces the deployer works in: `web`
/// (portal, a stopped admin-ui), `services` (api, search, notify), `data`
/// (db-proxy, cache). GUIDs derive from names, so renderings repeat exactly.
pub fn agency() -> Seed {
    let app = |name: &str, state: Option<&str>| crate::seed::SeedApp {
        name: name.into(),
        guid: None,
        port: None,
        state: state.map(str::to_string),
    };
    let space = |name: &str, apps: Vec<crate::seed::SeedApp>| crate::seed::SeedSpace {
        name: name.into(),
        guid: None,
        apps,
    };
    let mut seed = crate::seed::default_seed();
    seed.orgs = vec![crate::seed::SeedOrg {
        name: "agency".into(),
        guid: None,
        spaces: vec![
            space(
                "web",
                vec![app("portal", None), app("admin-ui", Some("STOPPED"))],
            ),
            space(
                "services",
                vec![app("api", None), app("search", None), app("notify", None)],
            ),
            space("data", vec![app("db-proxy", None), app("cache", None)]),
        ],
    }];
    seed.domains.retain(|d| d.internal);
    for u in &mut seed.users {
        if u.name == "deployer" {
            u.space_developer = vec![
                "agency/web".into(),
                "agency/services".into(),
                "agency/data".into(),
            ];
        }
    }
    seed.clients.retain(|c| c.id == "cf");
    seed
}

/// The agency's routes and policies: portal and admin-ui call api over TLS; api
/// calls search (8080), db-proxy (5432) and notify (udp 9000, which has no route);
/// `old-search` sends nowhere and nothing reaches `cache`.
pub fn agency_flows(s: &mut State) -> Result<(), CcError> {
    let g = |s: &State, space: &str, name: &str| app_guid(s, space, name);
    let (portal, admin_ui) = (g(s, "web", "portal")?, g(s, "web", "admin-ui")?);
    let (api, search, notify) = (
        g(s, "services", "api")?,
        g(s, "services", "search")?,
        g(s, "services", "notify")?,
    );
    let (db, cache) = (g(s, "data", "db-proxy")?, g(s, "data", "cache")?);
    internal_route(s, "services", "api", &[(&api, 8080)])?;
    internal_route(s, "services", "search", &[(&search, 8080)])?;
    internal_route(s, "services", "old-search", &[])?;
    internal_route(s, "data", "db-proxy", &[(&db, 8080)])?;
    internal_route(s, "data", "cache", &[(&cache, 8080)])?;
    policy(s, &portal, &api, "tcp", 61443)?;
    policy(s, &admin_ui, &api, "tcp", 61443)?;
    policy(s, &api, &search, "tcp", 8080)?;
    policy(s, &api, &db, "tcp", 5432)?;
    policy(s, &api, &notify, "udp", 9000)
}
