//! What the analyses know of the platform: apps, spaces, internal routes and
//! policies, gathered through the client's per-space listings (one listing of each
//! kind per space and provider process) and its batched lookups by GUID, never one
//! request per policy. Knows nothing of Terraform.

use std::collections::{BTreeMap, BTreeSet};

use futures::future::try_join_all;

use crate::cf;
use crate::cf::models::{Policy, Route};

/// The port a route destination receives on when it names none.
pub(crate) const DEFAULT_APP_PORT: u16 = 8080;

/// An app the account can see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AppInfo {
    /// GUID.
    pub(crate) guid: String,
    /// Name.
    pub(crate) name: String,
    /// Its space's GUID.
    pub(crate) space_guid: String,
    /// `STARTED`, `STOPPED`.
    pub(crate) state: String,
}

impl AppInfo {
    /// True when the app runs.
    pub(crate) fn started(&self) -> bool {
        self.state == "STARTED"
    }
}

/// A space and its organization's name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SpaceInfo {
    /// Name.
    pub(crate) name: String,
    /// Its organization's GUID.
    pub(crate) org_guid: String,
    /// Its organization's name, when looked up.
    pub(crate) org_name: Option<String>,
}

/// Where an internal route sends traffic.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct RouteTarget {
    /// The app.
    pub(crate) app_guid: String,
    /// The port the app receives on.
    pub(crate) port: u16,
}

/// An internal route.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RouteInfo {
    /// GUID.
    pub(crate) guid: String,
    /// Host, the first label.
    pub(crate) host: String,
    /// `host.domain`.
    pub(crate) fqdn: String,
    /// Its space.
    pub(crate) space_guid: String,
    /// Destinations, sorted.
    pub(crate) targets: Vec<RouteTarget>,
}

impl RouteInfo {
    /// The ports the route sends `app` to, sorted.
    pub(crate) fn ports_of(&self, app: &str) -> Vec<u16> {
        let mut ports: Vec<u16> = self
            .targets
            .iter()
            .filter(|t| t.app_guid == app)
            .map(|t| t.port)
            .collect();
        ports.dedup();
        ports
    }

    /// The distinct apps the route sends to, sorted.
    pub(crate) fn apps(&self) -> Vec<String> {
        let set: BTreeSet<String> = self.targets.iter().map(|t| t.app_guid.clone()).collect();
        set.into_iter().collect()
    }
}

/// A domain: its name and whether it is internal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DomainInfo {
    /// GUID.
    pub(crate) guid: String,
    /// True for an internal domain.
    pub(crate) internal: bool,
}

/// The part of the platform an analysis looked at.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct View {
    /// Visible apps by GUID.
    pub(crate) apps: BTreeMap<String, AppInfo>,
    /// Spaces by GUID (those named so far).
    pub(crate) spaces: BTreeMap<String, SpaceInfo>,
    /// Internal routes by GUID.
    pub(crate) routes: BTreeMap<String, RouteInfo>,
    /// Policies.
    pub(crate) policies: BTreeSet<Policy>,
    /// Domains by name.
    pub(crate) domains: BTreeMap<String, DomainInfo>,
    /// Apps looked up and not visible.
    pub(crate) hidden: BTreeSet<String>,
    /// Spaces whose apps, routes and policies were all listed.
    pub(crate) listed: BTreeSet<String>,
}

impl View {
    /// A view holding the platform's domains, nothing else yet.
    pub(crate) async fn new(client: &cf::Client) -> cf::Result<View> {
        let mut view = View::default();
        for d in client.domains().await? {
            view.domains.insert(
                d.name,
                DomainInfo {
                    guid: d.guid,
                    internal: d.internal,
                },
            );
        }
        Ok(view)
    }

    fn domain_name(&self, guid: &str) -> Option<(&str, bool)> {
        self.domains
            .iter()
            .find(|(_, d)| d.guid == guid)
            .map(|(n, d)| (n.as_str(), d.internal))
    }

    /// Adds a route if it is on an internal domain.
    pub(crate) fn add_route(&mut self, r: &Route) {
        let Some((domain, true)) = self.domain_name(r.relationships.domain.guid()) else {
            return;
        };
        if !r.path.is_empty() {
            return;
        }
        let mut targets: Vec<RouteTarget> = r
            .destinations
            .iter()
            .map(|d| RouteTarget {
                app_guid: d.app.guid.clone(),
                port: d.port.unwrap_or(DEFAULT_APP_PORT),
            })
            .collect();
        targets.sort();
        targets.dedup();
        let info = RouteInfo {
            guid: r.guid.clone(),
            host: r.host.clone(),
            fqdn: format!("{}.{domain}", r.host),
            space_guid: r.relationships.space.guid().to_string(),
            targets,
        };
        self.routes.insert(info.guid.clone(), info);
    }

    fn add_app(&mut self, a: cf::models::App) {
        self.hidden.remove(&a.guid);
        let info = AppInfo {
            space_guid: a.relationships.space.guid().to_string(),
            guid: a.guid,
            name: a.name,
            state: a.state,
        };
        self.apps.insert(info.guid.clone(), info);
    }

    /// Lists spaces' apps, internal routes and policies (once per process each), the
    /// spaces concurrently.
    pub(crate) async fn list_spaces(
        &mut self,
        client: &cf::Client,
        spaces: &[String],
    ) -> cf::Result<()> {
        let wanted: Vec<&String> = spaces
            .iter()
            .filter(|s| !self.listed.contains(*s))
            .collect();
        let lists = try_join_all(wanted.iter().map(|space| async move {
            futures::try_join!(
                client.space_app_list(space),
                client.space_routes(space),
                client.policies_in_space(space),
            )
        }))
        .await?;
        for (space, (apps, routes, policies)) in wanted.into_iter().zip(lists) {
            apps.into_iter().for_each(|a| self.add_app(a));
            routes.iter().for_each(|r| self.add_route(r));
            self.policies.extend(policies);
            self.listed.insert(space.clone());
        }
        Ok(())
    }

    /// Lists the internal routes of a space (once per process).
    pub(crate) async fn list_routes(&mut self, client: &cf::Client, space: &str) -> cf::Result<()> {
        if !self.listed.contains(space) {
            client
                .space_routes(space)
                .await?
                .iter()
                .for_each(|r| self.add_route(r));
        }
        Ok(())
    }

    /// Looks up the apps not known yet, concurrently (the client batches them);
    /// invisible ones go to `hidden`.
    pub(crate) async fn look_up_apps(
        &mut self,
        client: &cf::Client,
        guids: impl IntoIterator<Item = String>,
    ) -> cf::Result<()> {
        let wanted: BTreeSet<String> = guids
            .into_iter()
            .filter(|g| !self.apps.contains_key(g) && !self.hidden.contains(g))
            .collect();
        let found = try_join_all(wanted.iter().map(|g| client.app(g))).await?;
        for (guid, app) in wanted.into_iter().zip(found) {
            match app {
                Some(a) => self.add_app(a),
                None => {
                    self.hidden.insert(guid);
                }
            }
        }
        Ok(())
    }

    /// Names the spaces of every known app, and with `orgs` their organizations
    /// (each looked up once per process).
    pub(crate) async fn name_spaces(&mut self, client: &cf::Client, orgs: bool) -> cf::Result<()> {
        let wanted: BTreeSet<String> = self
            .apps
            .values()
            .map(|a| a.space_guid.clone())
            .filter(|s| !self.spaces.contains_key(s))
            .collect();
        let found = try_join_all(wanted.iter().map(|s| client.space(s))).await?;
        for (guid, space) in wanted.into_iter().zip(found) {
            if let Some(s) = space {
                self.add_space(guid, s.name, s.relationships.organization.guid());
            }
        }
        if orgs {
            let wanted: BTreeSet<String> = self
                .spaces
                .values()
                .filter(|s| s.org_name.is_none())
                .map(|s| s.org_guid.clone())
                .collect();
            let found = try_join_all(wanted.iter().map(|o| client.org(o))).await?;
            for (guid, org) in wanted.into_iter().zip(found) {
                let Some(org) = org else { continue };
                for s in self.spaces.values_mut().filter(|s| s.org_guid == guid) {
                    s.org_name = Some(org.name.clone());
                }
            }
        }
        Ok(())
    }

    /// Records a space's name.
    pub(crate) fn add_space(&mut self, guid: String, name: String, org_guid: &str) {
        self.spaces.entry(guid).or_insert(SpaceInfo {
            name,
            org_guid: org_guid.to_string(),
            org_name: None,
        });
    }

    /// An app's name, or its GUID when it is not visible.
    pub(crate) fn app_name<'a>(&'a self, guid: &'a str) -> &'a str {
        self.apps.get(guid).map_or(guid, |a| a.name.as_str())
    }

    /// `name (GUID)` for messages.
    pub(crate) fn app_label(&self, guid: &str) -> String {
        match self.apps.get(guid) {
            Some(a) => format!("{} ({guid})", a.name),
            None => guid.to_string(),
        }
    }

    /// A space's name, or its GUID.
    pub(crate) fn space_name<'a>(&'a self, guid: &'a str) -> &'a str {
        self.spaces.get(guid).map_or(guid, |s| s.name.as_str())
    }

    /// The internal routes that send to `app`, sorted by name.
    pub(crate) fn routes_to(&self, app: &str) -> Vec<&RouteInfo> {
        let mut out: Vec<&RouteInfo> = self
            .routes
            .values()
            .filter(|r| r.targets.iter().any(|t| t.app_guid == app))
            .collect();
        out.sort_by(|a, b| a.fqdn.cmp(&b.fqdn));
        out
    }

    /// The internal route `host.domain`, if known.
    pub(crate) fn route_named(&self, fqdn: &str) -> Option<&RouteInfo> {
        self.routes.values().find(|r| r.fqdn == fqdn)
    }

    /// The names of the internal domains, sorted.
    pub(crate) fn internal_domains(&self) -> Vec<&str> {
        self.domains
            .iter()
            .filter(|(_, d)| d.internal)
            .map(|(n, _)| n.as_str())
            .collect()
    }
}
