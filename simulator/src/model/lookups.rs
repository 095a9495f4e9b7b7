//! What an actor can see: organizations, spaces, apps, domains, routes and jobs.

use super::*;

impl State {
    /// Orgs the actor can see (those holding a space it can see).
    pub fn visible_orgs(&self, actor: &Actor) -> Vec<&Org> {
        self.orgs
            .values()
            .filter(|o| {
                actor.roles.admin
                    || self
                        .spaces
                        .values()
                        .any(|s| s.org_guid == o.guid && actor.can_see_space(&s.guid))
            })
            .collect()
    }

    /// Spaces the actor can see.
    pub fn visible_spaces(&self, actor: &Actor) -> Vec<&Space> {
        self.spaces
            .values()
            .filter(|s| actor.can_see_space(&s.guid))
            .collect()
    }

    /// Apps the actor can see.
    pub fn visible_apps(&self, actor: &Actor) -> Vec<&App> {
        self.apps
            .values()
            .filter(|a| actor.can_see_space(&a.space_guid))
            .collect()
    }

    /// Routes the actor can see.
    pub fn visible_routes(&self, actor: &Actor) -> Vec<&Route> {
        self.routes
            .values()
            .filter(|r| actor.can_see_space(&r.space_guid))
            .collect()
    }

    /// A visible org.
    pub fn org(&self, actor: &Actor, guid: &str) -> Result<&Org, CcError> {
        self.visible_orgs(actor)
            .into_iter()
            .find(|o| o.guid == guid)
            .ok_or_else(|| CcError::not_found("Organization"))
    }

    /// A visible space.
    pub fn space(&self, actor: &Actor, guid: &str) -> Result<&Space, CcError> {
        self.spaces
            .get(guid)
            .filter(|s| actor.can_see_space(&s.guid))
            .ok_or_else(|| CcError::not_found("Space"))
    }

    /// A visible app.
    pub fn app(&self, actor: &Actor, guid: &str) -> Result<&App, CcError> {
        self.apps
            .get(guid)
            .filter(|a| actor.can_see_space(&a.space_guid))
            .ok_or_else(|| CcError::not_found("App"))
    }

    /// A domain (domains are visible to every authenticated caller).
    pub fn domain(&self, guid: &str) -> Result<&Domain, CcError> {
        self.domains
            .get(guid)
            .ok_or_else(|| CcError::not_found("Domain"))
    }

    /// A visible route.
    pub fn route(&self, actor: &Actor, guid: &str) -> Result<&Route, CcError> {
        self.routes
            .get(guid)
            .filter(|r| actor.can_see_space(&r.space_guid))
            .ok_or_else(|| CcError::not_found("Route"))
    }

    /// A job.
    pub fn job(&self, guid: &str) -> Result<&Job, CcError> {
        self.jobs.get(guid).ok_or_else(|| CcError::not_found("Job"))
    }

    /// The route's URL: `host.domain/path`.
    pub fn route_url(&self, r: &Route) -> String {
        let domain = self
            .domains
            .get(&r.domain_guid)
            .map_or("", |d| d.name.as_str());
        if r.host.is_empty() {
            format!("{domain}{}", r.path)
        } else {
            format!("{}.{domain}{}", r.host, r.path)
        }
    }
}
