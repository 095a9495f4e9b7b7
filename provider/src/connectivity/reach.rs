//! Can one app reach a URL or another app on a port, and if not, why: the analysis
//! behind `cloudgov_reachability`. `gather` reads what the question needs through the
//! client's listings; `analyse` is pure over that view, so that every finding is
//! tested without a platform. No traffic is ever sent to apps.

use std::collections::BTreeSet;

use super::findings::{Code, Finding};
use super::view::{DEFAULT_APP_PORT, RouteInfo, View};
use crate::cf;
use crate::cf::models::Policy;
pub(crate) use crate::resources::network_policy::TLS_PORT;
use crate::resources::network_policy::{PortRange, policy_id};

/// What is called.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Target {
    /// A name on an internal domain: `host.domain:port`.
    Url {
        /// The first label.
        host: String,
        /// The rest of the name.
        domain: String,
        /// The port called.
        port: u16,
    },
    /// An app, on a port.
    App {
        /// The app's GUID.
        guid: String,
        /// The port called.
        port: u16,
    },
}

impl Target {
    /// Reads a URL as a client would call it: `https://backend.apps.internal:61443`,
    /// `backend.apps.internal:8080`; without a port, `https` calls 443 and `http`
    /// 80, as clients do; a path is ignored. The error says what is wrong.
    pub(crate) fn from_url(url: &str) -> Result<Target, String> {
        let (scheme, rest) = match url.split_once("://") {
            Some((s, r)) => (Some(s.to_ascii_lowercase()), r),
            None => (None, url),
        };
        let default_port = match scheme.as_deref() {
            None => None,
            Some("https") => Some(443),
            Some("http") => Some(80),
            Some(other) => {
                return Err(format!(
                    "\"{url}\" has the scheme {other}://; write https:// or http://, or leave the scheme out."
                ));
            }
        };
        let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
        if authority.contains('@') {
            return Err(format!(
                "\"{url}\" holds user information (before @); write only the host and port."
            ));
        }
        let (name, port) = match authority.rsplit_once(':') {
            Some((n, p)) => {
                let port = p.parse::<u16>().ok().filter(|p| *p > 0).ok_or_else(|| {
                    format!("\"{url}\" has the port \"{p}\"; a port is a number from 1 to 65535.")
                })?;
                (n, port)
            }
            None => match default_port {
                Some(p) => (authority, p),
                None => {
                    return Err(format!(
                        "\"{url}\" names no port and no scheme: write the port the app is called on, e.g. \
                         \"{authority}:8080\", or \"https://{authority}:{TLS_PORT}\" for the platform's TLS."
                    ));
                }
            },
        };
        let name = name.trim_end_matches('.').to_ascii_lowercase();
        let Some((host, domain)) = name.split_once('.') else {
            return Err(format!(
                "\"{url}\" has no domain: an app on the container network is called by its internal name, e.g. \
                 \"{name}.apps.internal\"."
            ));
        };
        if host.is_empty() || domain.is_empty() {
            return Err(format!("\"{url}\" has no host name."));
        }
        Ok(Target::Url {
            host: host.to_string(),
            domain: domain.to_string(),
            port,
        })
    }

    /// The port called.
    pub(crate) fn port(&self) -> u16 {
        match self {
            Target::Url { port, .. } | Target::App { port, .. } => *port,
        }
    }
}

/// The question.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Question {
    /// The calling app's GUID.
    pub(crate) source: String,
    /// What it calls.
    pub(crate) target: Target,
    /// `tcp` or `udp`.
    pub(crate) protocol: String,
}

/// One destination app's verdict.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Destination {
    /// The app's GUID.
    pub(crate) app_guid: String,
    /// Its name, when visible.
    pub(crate) app_name: Option<String>,
    /// Its space, when visible.
    pub(crate) space_guid: Option<String>,
    /// True when nothing stops the path to it.
    pub(crate) reachable: bool,
    /// The policies that allow the call, by id.
    pub(crate) policy_ids: Vec<String>,
}

/// The answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Verdict {
    /// True when every destination is reachable (and there is at least one).
    pub(crate) reachable: bool,
    /// True when the call uses the platform's TLS port.
    pub(crate) tls: bool,
    /// The internal route the call resolves through, if any.
    pub(crate) route_id: Option<String>,
    /// The policies that make the path, by id, sorted.
    pub(crate) policy_ids: Vec<String>,
    /// Every finding: the path's first, then each destination's.
    pub(crate) findings: Vec<Finding>,
    /// Each destination app's verdict, sorted by GUID.
    pub(crate) destinations: Vec<Destination>,
}

/// A policy's id, as `cloudgov_network_policy` writes it.
pub(crate) fn id_of(p: &Policy) -> String {
    policy_id(
        &p.source.id,
        &p.destination.id,
        &p.destination.protocol,
        range(p),
    )
}

/// A policy's ports.
pub(crate) fn range(p: &Policy) -> PortRange {
    PortRange {
        start: p.destination.ports.start,
        end: p.destination.ports.end,
    }
}

fn covers(p: &Policy, port: u16) -> bool {
    (p.destination.ports.start..=p.destination.ports.end).contains(&port)
}

fn ports_text(policies: &[&Policy]) -> String {
    let ranges: BTreeSet<(u16, u16)> = policies
        .iter()
        .map(|p| (p.destination.ports.start, p.destination.ports.end))
        .collect();
    ranges
        .iter()
        .map(|(start, end)| {
            PortRange {
                start: *start,
                end: *end,
            }
            .canonical()
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Reads what the question needs: the source's space (apps, internal routes and
/// policies, one listing each), the route by name when it is elsewhere, the
/// destination apps, and the routes of a destination app's space.
pub(crate) async fn gather(client: &cf::Client, q: &Question) -> cf::Result<Option<View>> {
    let Some(source) = client.app(&q.source).await? else {
        return Ok(None);
    };
    let mut view = View::new(client).await?;
    let space = source.relationships.space.guid().to_string();
    view.list_spaces(client, std::slice::from_ref(&space))
        .await?;
    let destinations: Vec<String> = match &q.target {
        Target::Url { host, domain, .. } => {
            let fqdn = format!("{host}.{domain}");
            let internal = view.domains.get(domain).filter(|d| d.internal).cloned();
            match (view.route_named(&fqdn).cloned(), internal) {
                (Some(r), _) => r.apps(),
                (None, Some(d)) => match client.find_route(host, &d.guid).await? {
                    Some(r) => {
                        view.add_route(&r);
                        view.route_named(&fqdn)
                            .map(RouteInfo::apps)
                            .unwrap_or_default()
                    }
                    None => Vec::new(),
                },
                (None, None) => Vec::new(),
            }
        }
        Target::App { guid, .. } => vec![guid.clone()],
    };
    view.look_up_apps(client, destinations.iter().cloned())
        .await?;
    if let Target::App { guid, .. } = &q.target
        && let Some(space) = view.apps.get(guid).map(|a| a.space_guid.clone())
    {
        view.list_routes(client, &space).await?;
    }
    let cross = destinations
        .iter()
        .filter_map(|d| view.apps.get(d))
        .any(|d| d.space_guid != space);
    if cross {
        view.name_spaces(client, false).await?;
    }
    Ok(Some(view))
}

/// The HCL that opens the path.
fn policy_hcl(q: &Question, dest: &str) -> String {
    let protocol = if q.protocol == "tcp" {
        String::new()
    } else {
        format!(", protocol = \"{}\"", q.protocol)
    };
    format!(
        "resource \"cloudgov_network_policy\" {{ source_app_id = \"{}\", destination_app_id = \"{dest}\", port = \"{}\"{protocol} }}",
        q.source,
        q.target.port()
    )
}

/// The analysis.
pub(crate) fn analyse(view: &View, q: &Question) -> Verdict {
    let port = q.target.port();
    let tls = port == TLS_PORT;
    let mut findings = Vec::new();
    let source = view.apps.get(&q.source);
    if let Some(s) = source.filter(|s| !s.started()) {
        findings.push(
            Finding::warning(
                Code::SourceStopped,
                format!(
                    "The source app {} is {}: nothing calls yet. The path is checked as it will be once it runs \
                     (cf start {}).",
                    view.app_label(&q.source),
                    s.state,
                    s.name
                ),
            )
            .about(&q.source),
        );
    }
    // Which route, and which apps behind it.
    let (route, apps): (Option<&RouteInfo>, Vec<String>) = match &q.target {
        Target::Url { host, domain, .. } => {
            let fqdn = format!("{host}.{domain}");
            match view.domains.get(domain) {
                Some(d) if d.internal => {}
                known => {
                    let what = if known.is_some() {
                        format!("{domain} is not an internal domain")
                    } else {
                        format!("No domain {domain} is visible on this foundation")
                    };
                    findings.push(Finding::error(
                        Code::NotAnInternalDomain,
                        format!(
                            "{what}: only names on an internal domain ({}) resolve to apps on the container \
                             network, where network policies apply. Call the app by its internal name, e.g. \
                             `{host}.{}:{port}`, given by a `cloudgov_internal_route`.",
                            view.internal_domains().join(", "),
                            view.internal_domains().first().copied().unwrap_or("apps.internal"),
                        ),
                    ));
                    return verdict(tls, None, findings, Vec::new());
                }
            }
            let Some(route) = view.route_named(&fqdn) else {
                findings.push(Finding::error(
                    Code::NoInternalRoute,
                    format!(
                        "No internal route {fqdn} is visible to this account, so the name resolves to nothing. \
                         Give the destination app one: resource \"cloudgov_internal_route\" \"{host}\" {{ space_id \
                         = ..., hostname = \"{host}\", destinations = [{{ app_id = ... }}] }}. A route in a space \
                         where this account has no role cannot be seen."
                    ),
                ));
                return verdict(tls, None, findings, Vec::new());
            };
            if route.targets.is_empty() {
                findings.push(
                    Finding::error(
                        Code::RouteHasNoDestinations,
                        format!(
                            "The internal route {fqdn} ({}) sends to no app, so the name resolves to nothing. Add \
                             the app to it: destinations = [{{ app_id = ... }}] in its `cloudgov_internal_route`.",
                            route.guid
                        ),
                    )
                    .about(&route.guid),
                );
                return verdict(tls, Some(route), findings, Vec::new());
            }
            (Some(route), route.apps())
        }
        Target::App { guid, .. } => {
            let route = view.routes_to(guid).into_iter().next();
            if route.is_none() && view.apps.contains_key(guid) {
                findings.push(
                    Finding::error(
                        Code::NoInternalRoute,
                        format!(
                            "The app {} has no internal route, so {} cannot look it up by name. Give it one: \
                             resource \"cloudgov_internal_route\" \"...\" {{ space_id = ..., hostname = ..., \
                             destinations = [{{ app_id = \"{guid}\" }}] }}.",
                            view.app_label(guid),
                            view.app_name(&q.source)
                        ),
                    )
                    .about(guid),
                );
            }
            (route, vec![guid.clone()])
        }
    };
    let mut destinations = Vec::new();
    for app in &apps {
        let ids = destination(view, q, route, app, &mut findings);
        let reachable = !findings
            .iter()
            .any(|f| f.is_error() && f.subject.as_deref().is_none_or(|s| s == app));
        let info = view.apps.get(app);
        destinations.push(Destination {
            app_guid: app.clone(),
            app_name: info.map(|a| a.name.clone()),
            space_guid: info.map(|a| a.space_guid.clone()),
            reachable,
            policy_ids: ids,
        });
    }
    verdict(tls, route, findings, destinations)
}

fn verdict(
    tls: bool,
    route: Option<&RouteInfo>,
    findings: Vec<Finding>,
    destinations: Vec<Destination>,
) -> Verdict {
    let mut policy_ids: Vec<String> = destinations
        .iter()
        .flat_map(|d| d.policy_ids.iter().cloned())
        .collect();
    policy_ids.sort();
    policy_ids.dedup();
    Verdict {
        reachable: !destinations.is_empty() && destinations.iter().all(|d| d.reachable),
        tls,
        route_id: route.map(|r| r.guid.clone()),
        policy_ids,
        findings,
        destinations,
    }
}

/// One destination's findings; the ids of the policies that allow the call.
fn destination(
    view: &View,
    q: &Question,
    route: Option<&RouteInfo>,
    app: &str,
    findings: &mut Vec<Finding>,
) -> Vec<String> {
    let port = q.target.port();
    let tls = port == TLS_PORT;
    let Some(dest) = view.apps.get(app) else {
        let via = route.map_or_else(String::new, |r| format!(", a destination of {},", r.fqdn));
        findings.push(
            Finding::error(
                Code::DestinationNotVisible,
                format!(
                    "The app {app}{via} is in a space where this account has no role, so whether a policy lets {} \
                     reach it cannot be checked (the policy server shows an account only the policies between apps \
                     it can see). Run the check with an account that is SpaceDeveloper in both spaces.",
                    view.app_name(&q.source)
                ),
            )
            .about(app),
        );
        return Vec::new();
    };
    let name = &dest.name;
    if let Some(source) = view.apps.get(&q.source)
        && source.space_guid != dest.space_guid
    {
        findings.push(
            Finding::info(
                Code::CrossSpace,
                format!(
                    "{} is in space {}, {name} in space {}: a policy across spaces can be made only by an account \
                     that is SpaceDeveloper in both (or has network.write).",
                    source.name,
                    view.space_name(&source.space_guid),
                    view.space_name(&dest.space_guid)
                ),
            )
            .about(app),
        );
    }
    if !dest.started() {
        findings.push(
            Finding::error(
                Code::DestinationStopped,
                format!(
                    "The destination app {} is {}: nothing listens. Start it (cf start {name}).",
                    view.app_label(app),
                    dest.state
                ),
            )
            .about(app),
        );
    }
    let between: Vec<&Policy> = view
        .policies
        .iter()
        .filter(|p| p.source.id == q.source && p.destination.id == app)
        .collect();
    let same: Vec<&Policy> = between
        .iter()
        .copied()
        .filter(|p| p.destination.protocol == q.protocol)
        .collect();
    let allowing: Vec<&Policy> = same.iter().copied().filter(|p| covers(p, port)).collect();
    let pair = format!("{} to {name}", view.app_name(&q.source));
    let host = route.map_or_else(|| "HOST.apps.internal".to_string(), |r| r.fqdn.clone());
    if between.is_empty() {
        findings.push(
            Finding::error(
                Code::NoPolicy,
                format!(
                    "No network policy lets {pair} connect, and nothing connects without one. Add: {}.",
                    policy_hcl(q, app)
                ),
            )
            .about(app),
        );
    } else if same.is_empty() {
        let others: BTreeSet<&str> = between
            .iter()
            .map(|p| p.destination.protocol.as_str())
            .collect();
        findings.push(
            Finding::error(
                Code::ProtocolMismatch,
                format!(
                    "The policies from {pair} allow only {} ({}), and the call uses {}. Set protocol = \"{}\" in \
                     the `cloudgov_network_policy`: {}.",
                    others.into_iter().collect::<Vec<_>>().join(", "),
                    ports_text(&between),
                    q.protocol,
                    q.protocol,
                    policy_hcl(q, app)
                ),
            )
            .about(app),
        );
    } else if allowing.is_empty() {
        let allowed = ports_text(&same);
        let only_tls = same.iter().all(|p| covers(p, TLS_PORT));
        let finding = if tls {
            Finding::error(
                Code::TlsPortNotAllowed,
                format!(
                    "The call uses {TLS_PORT}, the platform's TLS port, but the policies from {pair} allow only {} \
                     {allowed}. Add port = \"{TLS_PORT}\" (the platform terminates TLS there and forwards to the \
                     app's port {DEFAULT_APP_PORT}): {}; or call http://{host}:{} instead.",
                    q.protocol,
                    policy_hcl(q, app),
                    same.first()
                        .map_or(DEFAULT_APP_PORT, |p| p.destination.ports.start)
                ),
            )
        } else if only_tls {
            Finding::error(
                Code::TlsPortNotAllowed,
                format!(
                    "The policies from {pair} allow only {allowed}, which covers {TLS_PORT}, the platform's TLS \
                     port, and the call uses {port}. Call https://{host}:{TLS_PORT} (the platform terminates TLS \
                     and forwards to the app's port {DEFAULT_APP_PORT}), or add port = \"{port}\": {}.",
                    policy_hcl(q, app)
                ),
            )
        } else {
            Finding::error(
                Code::PortNotAllowed,
                format!(
                    "The policies from {pair} allow {} {allowed}, not port {port}. Set port = \"{port}\" in the \
                     `cloudgov_network_policy` ({}), or call one of the allowed ports.",
                    q.protocol,
                    policy_hcl(q, app)
                ),
            )
        };
        findings.push(finding.about(app));
    }
    if let Some(r) = route {
        let ports = r.ports_of(app);
        let receives = if tls { DEFAULT_APP_PORT } else { port };
        if !ports.is_empty() && !ports.contains(&receives) {
            let mapped = ports
                .iter()
                .map(u16::to_string)
                .collect::<Vec<_>>()
                .join(", ");
            let why = if tls {
                format!("the platform forwards {TLS_PORT} to the app's port {DEFAULT_APP_PORT}")
            } else {
                format!("the call reaches the app on port {port}")
            };
            findings.push(
                Finding::warning(
                    Code::AppPortNotMapped,
                    format!(
                        "The route {} sends to {name} on port {mapped}, but {why}. Make the destination's port \
                         match: destinations = [{{ app_id = \"{app}\", port = {receives} }}], or call the port the \
                         app listens on and allow it in the policy.",
                        r.fqdn
                    ),
                )
                .about(app),
            );
        }
    }
    let mut ids: Vec<String> = allowing.into_iter().map(id_of).collect();
    ids.sort();
    ids
}

#[cfg(test)]
mod tests;
