//! Who can reach whom in a space or an organization: the analysis behind
//! `cloudgov_network_graph`. `gather` lists each space once (apps, internal routes,
//! policies) and looks up the apps at the far end of policies that leave the scope;
//! `build` is pure over that view and sorts everything, so that the renderings
//! (`render.rs`) are deterministic.

use std::collections::{BTreeMap, BTreeSet};

use super::findings::{Code, Finding};
use super::view::View;
use crate::cf;

/// The policy server's limit on policies per source app for space developers.
pub(crate) const POLICY_LIMIT: usize = 150;

/// A source app with this many policies or more gets `NEAR_POLICY_LIMIT`.
pub(crate) const NEAR_LIMIT: usize = POLICY_LIMIT * 4 / 5;

/// What the graph covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Scope {
    /// One space, by GUID.
    Space(String),
    /// Every space of an organization the account can see, by the org's GUID.
    Org(String),
}

/// An app.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Node {
    /// GUID.
    pub(crate) guid: String,
    /// Name (the GUID when the app is not visible).
    pub(crate) name: String,
    /// Its space's GUID, when visible.
    pub(crate) space_guid: Option<String>,
    /// Its space's name, when visible.
    pub(crate) space: Option<String>,
    /// Its organization's name, when visible.
    pub(crate) org: Option<String>,
    /// `STARTED` / `STOPPED`, when visible.
    pub(crate) state: Option<String>,
    /// Its internal routes' names, sorted (known for apps in scope).
    pub(crate) hostnames: Vec<String>,
    /// True for an app of the scope; false for the far end of a policy.
    pub(crate) in_scope: bool,
}

/// A policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Edge {
    /// The policy's id.
    pub(crate) id: String,
    /// Source app GUID.
    pub(crate) source: String,
    /// Destination app GUID.
    pub(crate) destination: String,
    /// `tcp` / `udp`.
    pub(crate) protocol: String,
    /// `8080` or `8080-8090`.
    pub(crate) ports: String,
    /// True when the range covers the platform's TLS port.
    pub(crate) tls: bool,
    /// True when the apps are in different spaces (or the far one is not visible).
    pub(crate) cross_space: bool,
}

/// The graph.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Graph {
    /// Apps, sorted by organization, space, name.
    pub(crate) nodes: Vec<Node>,
    /// Policies, sorted by source, destination, protocol, ports.
    pub(crate) edges: Vec<Edge>,
    /// Findings, sorted by code and subject.
    pub(crate) findings: Vec<Finding>,
}

/// Lists the scope's spaces; None when the space or organization is not visible.
pub(crate) async fn gather(
    client: &cf::Client,
    scope: &Scope,
) -> cf::Result<Option<(View, BTreeSet<String>)>> {
    let mut view = View::new(client).await?;
    let spaces: Vec<cf::models::Space> = match scope {
        Scope::Space(guid) => match client.space(guid).await? {
            Some(s) => vec![s],
            None => return Ok(None),
        },
        Scope::Org(guid) => {
            if client.org(guid).await?.is_none() {
                return Ok(None);
            }
            client.spaces_in_org(guid).await?
        }
    };
    let guids: Vec<String> = spaces.iter().map(|s| s.guid.clone()).collect();
    for s in spaces {
        let org = s.relationships.organization.guid().to_string();
        view.add_space(s.guid, s.name, &org);
    }
    view.list_spaces(client, &guids).await?;
    let ends: BTreeSet<String> = view
        .policies
        .iter()
        .flat_map(|p| [p.source.id.clone(), p.destination.id.clone()])
        .collect();
    view.look_up_apps(client, ends).await?;
    view.name_spaces(client, true).await?;
    Ok(Some((view, guids.into_iter().collect())))
}

fn node(view: &View, guid: &str, scope: &BTreeSet<String>) -> Node {
    let Some(app) = view.apps.get(guid) else {
        return Node {
            guid: guid.to_string(),
            name: guid.to_string(),
            space_guid: None,
            space: None,
            org: None,
            state: None,
            hostnames: Vec::new(),
            in_scope: false,
        };
    };
    let space = view.spaces.get(&app.space_guid);
    Node {
        guid: guid.to_string(),
        name: app.name.clone(),
        space_guid: Some(app.space_guid.clone()),
        space: space.map(|s| s.name.clone()),
        org: space.and_then(|s| s.org_name.clone()),
        state: Some(app.state.clone()),
        hostnames: view
            .routes_to(guid)
            .iter()
            .map(|r| r.fqdn.clone())
            .collect(),
        in_scope: scope.contains(&app.space_guid),
    }
}

/// The graph of the spaces in `scope` (GUIDs), from what `gather` read.
pub(crate) fn build(view: &View, scope: &BTreeSet<String>) -> Graph {
    let in_scope = |guid: &str| {
        view.apps
            .get(guid)
            .is_some_and(|a| scope.contains(&a.space_guid))
    };
    let mut guids: BTreeSet<String> = view
        .apps
        .values()
        .filter(|a| scope.contains(&a.space_guid))
        .map(|a| a.guid.clone())
        .collect();
    let policies: Vec<&cf::models::Policy> = view
        .policies
        .iter()
        .filter(|p| in_scope(&p.source.id) || in_scope(&p.destination.id))
        .collect();
    for p in &policies {
        guids.insert(p.source.id.clone());
        guids.insert(p.destination.id.clone());
    }
    let mut nodes: Vec<Node> = guids.iter().map(|g| node(view, g, scope)).collect();
    nodes.sort_by(|a, b| {
        let key = |n: &Node| {
            (
                n.space.is_none(),
                n.org.clone(),
                n.space.clone(),
                n.name.clone(),
                n.guid.clone(),
            )
        };
        key(a).cmp(&key(b))
    });
    let space_of = |g: &str| view.apps.get(g).map(|a| a.space_guid.as_str());
    let mut edges: Vec<Edge> = policies
        .iter()
        .map(|p| {
            let ports = super::reach::range(p);
            let (s, d) = (space_of(&p.source.id), space_of(&p.destination.id));
            Edge {
                id: super::reach::id_of(p),
                source: p.source.id.clone(),
                destination: p.destination.id.clone(),
                protocol: p.destination.protocol.clone(),
                ports: ports.canonical(),
                tls: ports.covers_tls(),
                cross_space: s.is_none() || d.is_none() || s != d,
            }
        })
        .collect();
    let order: BTreeMap<&str, usize> = nodes
        .iter()
        .enumerate()
        .map(|(i, n)| (n.guid.as_str(), i))
        .collect();
    edges.sort_by_key(|e| {
        (
            order.get(e.source.as_str()).copied(),
            order.get(e.destination.as_str()).copied(),
            e.protocol.clone(),
            e.id.clone(),
        )
    });
    let findings = findings(view, scope, &edges);
    Graph {
        nodes,
        edges,
        findings,
    }
}

fn findings(view: &View, scope: &BTreeSet<String>, edges: &[Edge]) -> Vec<Finding> {
    let mut out = Vec::new();
    let reached: BTreeSet<&str> = edges.iter().map(|e| e.destination.as_str()).collect();
    for r in view
        .routes
        .values()
        .filter(|r| scope.contains(&r.space_guid))
    {
        if r.targets.is_empty() {
            out.push(
                Finding::warning(
                    Code::RouteHasNoDestinations,
                    format!(
                        "The internal route {} sends to no app: its name resolves to nothing. Add the app to its \
                         destinations, or remove the route.",
                        r.fqdn
                    ),
                )
                .about(&r.guid),
            );
        } else if !r.apps().iter().any(|a| reached.contains(a.as_str())) {
            out.push(
                Finding::warning(
                    Code::RouteNotReached,
                    format!(
                        "No policy lets any app reach {} ({}): an internal route is only for other apps to call. \
                         Add a `cloudgov_network_policy` to its app, or remove the route.",
                        r.fqdn,
                        r.apps()
                            .iter()
                            .map(|a| view.app_name(a))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                )
                .about(&r.guid),
            );
        }
    }
    let destinations: BTreeSet<&str> = edges
        .iter()
        .map(|e| e.destination.as_str())
        .filter(|d| {
            view.apps
                .get(*d)
                .is_some_and(|a| view.listed.contains(&a.space_guid))
        })
        .collect();
    for d in destinations {
        if view.routes_to(d).is_empty() {
            let tls = edges.iter().any(|e| e.destination == d && e.tls);
            let extra = if tls {
                " Its TLS policy (61443) is of no use without one: the platform's certificate names the app's \
                 internal routes."
            } else {
                ""
            };
            out.push(
                Finding::warning(
                    Code::NoInternalRoute,
                    format!(
                        "Policies let apps reach {}, but it has no internal route, so callers cannot find it by \
                         name. Give it a `cloudgov_internal_route`.{extra}",
                        view.app_label(d)
                    ),
                )
                .about(d),
            );
        }
    }
    let mut per_source: BTreeMap<&str, usize> = BTreeMap::new();
    for p in &view.policies {
        *per_source.entry(p.source.id.as_str()).or_default() += 1;
    }
    for (source, n) in per_source {
        let ours = view
            .apps
            .get(source)
            .is_some_and(|a| scope.contains(&a.space_guid));
        if ours && n >= NEAR_LIMIT {
            out.push(
                Finding::warning(
                    Code::NearPolicyLimit,
                    format!(
                        "{} is the source of {n} policies; the policy server refuses more than {POLICY_LIMIT} per \
                         source app for space developers. Merge adjacent ports into ranges (port = \"8080-8090\").",
                        view.app_label(source)
                    ),
                )
                .about(source),
            );
        }
    }
    out.sort_by(|a, b| (a.code, &a.subject).cmp(&(b.code, &b.subject)));
    out
}

#[cfg(test)]
mod tests;
