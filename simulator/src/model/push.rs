//! Pushing apps: a manifest applied to a space (apps created or updated, their
//! environment, instances and routes), Docker packages, builds that stage at once
//! into the app's droplet, and deployments of it. No build runs; a Docker package is
//! READY when made, and a deployment has replaced every instance when it is made.

use super::*;

/// One application of a manifest, as far as the simulator honours it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ManifestApp {
    /// Name (required).
    pub name: String,
    /// `docker.image`.
    pub image: Option<String>,
    /// `env`, merged into the app's variables.
    pub env: BTreeMap<String, String>,
    /// `instances`.
    pub instances: Option<i64>,
    /// `routes[].route`: `host.domain`, mapped to the app.
    pub routes: Vec<String>,
    /// `default-route: true`: with no `routes`, `NAME.DEFAULT-DOMAIN` when the app
    /// has no route yet.
    pub default_route: bool,
    /// `no-route: true`: the app's routes are unmapped.
    pub no_route: bool,
}

/// A deployment of an app's droplet (`strategy` rolling or canary). No instance is
/// replaced one at a time here: it has finished (DEPLOYED) when it is made, and the
/// app keeps its GUID, as on the platform.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Deployment {
    /// GUID.
    pub guid: Guid,
    /// The app deployed.
    pub app_guid: Guid,
    /// `rolling` or `canary`.
    pub strategy: String,
    /// Creation time.
    pub created_at: Timestamp,
}

impl State {
    /// Deploys the app's current droplet: the app runs it, started.
    pub fn deploy(
        &mut self,
        actor: &Actor,
        app_guid: &str,
        strategy: &str,
    ) -> Result<Deployment, CcError> {
        if !matches!(strategy, "rolling" | "canary") {
            return Err(CcError::unprocessable(
                "Strategy is not a supported deployment strategy",
            ));
        }
        let now = self.now();
        let app = self.writable_app(actor, app_guid)?;
        app.state = "STARTED".into();
        let d = Deployment {
            guid: new_guid(),
            app_guid: app_guid.into(),
            strategy: strategy.into(),
            created_at: now,
        };
        self.deployments.insert(d.guid.clone(), d.clone());
        Ok(d)
    }

    /// The app `name` in a space, if any.
    fn app_named(&self, space_guid: &str, name: &str) -> Option<String> {
        self.apps
            .values()
            .find(|a| a.space_guid == space_guid && a.name == name)
            .map(|a| a.guid.clone())
    }

    /// Maps `app` on the route `url` (`host.domain`), creating the route in the app's
    /// space when it does not exist.
    fn map_manifest_route(&mut self, actor: &Actor, app: &str, url: &str) -> Result<(), CcError> {
        let space = self.app(actor, app)?.space_guid.clone();
        let (host, domain) = url.split_once('.').unwrap_or(("", url));
        let domain_guid = self
            .domains
            .values()
            .find(|d| d.name == domain)
            .map(|d| d.guid.clone())
            .ok_or_else(|| {
                CcError::unprocessable(format!(
                    "For application '{}': The route '{url}' did not match any existing domains.",
                    self.apps.get(app).map_or("", |a| a.name.as_str())
                ))
            })?;
        let existing = self
            .routes
            .values()
            .find(|r| r.domain_guid == domain_guid && r.host == host && r.path.is_empty())
            .map(|r| r.guid.clone());
        let route = match existing {
            Some(guid) => guid,
            None => {
                self.create_route(
                    actor,
                    NewRoute {
                        host: host.into(),
                        space_guid: space,
                        domain_guid,
                        ..Default::default()
                    },
                )?
                .guid
            }
        };
        let dest = NewDestination {
            app_guid: app.into(),
            ..Default::default()
        };
        self.insert_destinations(actor, &route, &[dest])?;
        Ok(())
    }

    /// Applies a manifest to a space: each app is created (stopped, as the platform
    /// does) or updated. The answer is a job, complete at once.
    pub fn apply_manifest(
        &mut self,
        actor: &Actor,
        space_guid: &str,
        apps: &[ManifestApp],
    ) -> Result<Job, CcError> {
        self.space(actor, space_guid)?;
        if !actor.can_write_space(space_guid) {
            return Err(CcError::not_authorized());
        }
        if apps.iter().any(|a| a.name.is_empty()) {
            return Err(CcError::unprocessable(
                "For application at index 0: Name must not be empty",
            ));
        }
        for m in apps {
            let guid = match self.app_named(space_guid, &m.name) {
                Some(g) => g,
                None => self.create_app(actor, &m.name, space_guid)?.guid,
            };
            let vars: BTreeMap<String, Option<String>> = m
                .env
                .iter()
                .map(|(k, v)| (k.clone(), Some(v.clone())))
                .collect();
            self.patch_env(actor, &guid, &vars)?;
            if let Some(n) = m.instances {
                self.scale_app(actor, &guid, n)?;
            }
            if let Some(app) = self.apps.get_mut(&guid)
                && m.image.is_some()
            {
                app.package_image.clone_from(&m.image);
            }
            if m.no_route {
                for r in self.routes.values_mut() {
                    r.destinations.retain(|d| d.app_guid != guid);
                }
                continue;
            }
            let mapped = self
                .routes
                .values()
                .any(|r| r.destinations.iter().any(|d| d.app_guid == guid));
            let mut routes = m.routes.clone();
            if routes.is_empty() && m.default_route && !mapped {
                // The default domain: the oldest shared one that is not internal.
                let mut shared: Vec<&Domain> =
                    self.domains.values().filter(|d| !d.internal).collect();
                shared.sort_by(|a, b| {
                    a.created_at
                        .total_cmp(&b.created_at)
                        .then(a.name.cmp(&b.name))
                });
                if let Some(d) = shared.first() {
                    routes.push(format!("{}.{}", m.name.to_ascii_lowercase(), d.name));
                }
            }
            for r in &routes {
                self.map_manifest_route(actor, &guid, r)?;
            }
        }
        Ok(self.done_job("space.apply_manifest", space_guid))
    }

    /// A new package for an app: a Docker image (READY at once), or bits.
    pub fn create_package(
        &mut self,
        actor: &Actor,
        app_guid: &str,
        image: Option<String>,
    ) -> Result<App, CcError> {
        let now = self.now();
        let app = self.writable_app(actor, app_guid)?;
        app.package_image = image;
        app.pushed_at = now;
        Ok(app.clone())
    }

    /// Stages the app's newest package into its droplet, at once.
    pub fn stage(&mut self, actor: &Actor, app_guid: &str) -> Result<App, CcError> {
        let app = self.writable_app(actor, app_guid)?;
        app.image.clone_from(&app.package_image);
        Ok(app.clone())
    }
}
