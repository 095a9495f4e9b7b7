//! The reachability analysis over hand-built views: each finding code from the
//! smallest platform that shows it, and a healthy path.

use super::*;
use crate::connectivity::findings::Severity;
use crate::connectivity::view::{AppInfo, DomainInfo, RouteTarget};

const DEV: &str = "space-dev";
const OTHER: &str = "space-other";

fn app(view: &mut View, guid: &str, space: &str, state: &str) {
    view.apps.insert(
        guid.into(),
        AppInfo {
            guid: guid.into(),
            name: format!("{guid}-name"),
            space_guid: space.into(),
            state: state.into(),
        },
    );
}

fn route(view: &mut View, host: &str, targets: &[(&str, u16)]) {
    view.routes.insert(
        format!("route-{host}"),
        RouteInfo {
            guid: format!("route-{host}"),
            host: host.into(),
            fqdn: format!("{host}.apps.internal"),
            space_guid: DEV.into(),
            targets: targets
                .iter()
                .map(|(a, p)| RouteTarget {
                    app_guid: (*a).into(),
                    port: *p,
                })
                .collect(),
        },
    );
}

fn policy(view: &mut View, src: &str, dst: &str, protocol: &str, start: u16, end: u16) {
    view.policies
        .insert(Policy::new(src, dst, protocol, start, end));
}

/// frontend and backend started in dev; backend.apps.internal sends to backend on
/// 8080; the domains apps.internal (internal) and app.cloud.gov (public).
fn platform() -> View {
    let mut v = View::default();
    v.domains.insert(
        "apps.internal".into(),
        DomainInfo {
            guid: "d-int".into(),
            internal: true,
        },
    );
    v.domains.insert(
        "app.cloud.gov".into(),
        DomainInfo {
            guid: "d-pub".into(),
            internal: false,
        },
    );
    app(&mut v, "frontend", DEV, "STARTED");
    app(&mut v, "backend", DEV, "STARTED");
    route(&mut v, "backend", &[("backend", 8080)]);
    v
}

fn ask(url: &str) -> Question {
    Question {
        source: "frontend".into(),
        target: Target::from_url(url).unwrap(),
        protocol: "tcp".into(),
    }
}

fn codes(v: &Verdict) -> Vec<&'static str> {
    v.findings.iter().map(|f| f.code.as_str()).collect()
}

#[test]
fn a_healthy_path_is_reachable_with_its_policy_and_route() {
    let mut v = platform();
    policy(&mut v, "frontend", "backend", "tcp", 8080, 8080);
    policy(&mut v, "frontend", "backend", "tcp", 9000, 9010);
    let verdict = analyse(&v, &ask("http://backend.apps.internal:8080"));
    assert!(verdict.reachable, "{verdict:#?}");
    assert_eq!(codes(&verdict), Vec::<&str>::new());
    assert_eq!(verdict.route_id.as_deref(), Some("route-backend"));
    assert_eq!(verdict.policy_ids, ["frontend:backend:tcp:8080-8080"]);
    assert!(!verdict.tls);
    assert_eq!(verdict.destinations.len(), 1);
    assert!(verdict.destinations[0].reachable);
}

#[test]
fn tls_on_61443_is_reachable_when_a_policy_covers_it() {
    let mut v = platform();
    policy(&mut v, "frontend", "backend", "tcp", 61443, 61443);
    let verdict = analyse(&v, &ask("https://backend.apps.internal:61443"));
    assert!(verdict.reachable, "{verdict:#?}");
    assert!(verdict.tls);
    assert_eq!(verdict.policy_ids, ["frontend:backend:tcp:61443-61443"]);
}

#[test]
fn no_internal_route() {
    let v = platform();
    let verdict = analyse(&v, &ask("api.apps.internal:8080"));
    assert!(!verdict.reachable);
    assert_eq!(codes(&verdict), ["NO_INTERNAL_ROUTE"]);
    assert!(
        verdict.findings[0]
            .message
            .contains("cloudgov_internal_route")
    );
    assert!(verdict.route_id.is_none());
}

#[test]
fn no_internal_route_for_an_app_target() {
    let mut v = platform();
    app(&mut v, "worker", DEV, "STARTED");
    policy(&mut v, "frontend", "worker", "tcp", 8080, 8080);
    let q = Question {
        source: "frontend".into(),
        target: Target::App {
            guid: "worker".into(),
            port: 8080,
        },
        protocol: "tcp".into(),
    };
    let verdict = analyse(&v, &q);
    assert!(!verdict.reachable);
    assert_eq!(codes(&verdict), ["NO_INTERNAL_ROUTE"]);
    assert!(!verdict.destinations[0].reachable);
    assert_eq!(
        verdict.destinations[0].policy_ids,
        ["frontend:worker:tcp:8080-8080"]
    );
}

#[test]
fn not_an_internal_domain() {
    let v = platform();
    let verdict = analyse(&v, &ask("https://backend.app.cloud.gov"));
    assert_eq!(codes(&verdict), ["NOT_AN_INTERNAL_DOMAIN"]);
    assert!(
        verdict.findings[0]
            .message
            .contains("backend.apps.internal:443")
    );
    let verdict = analyse(&v, &ask("backend.nowhere.example:8080"));
    assert_eq!(codes(&verdict), ["NOT_AN_INTERNAL_DOMAIN"]);
    assert!(
        verdict.findings[0]
            .message
            .starts_with("No domain nowhere.example")
    );
}

#[test]
fn route_has_no_destinations() {
    let mut v = platform();
    route(&mut v, "empty", &[]);
    let verdict = analyse(&v, &ask("empty.apps.internal:8080"));
    assert_eq!(codes(&verdict), ["ROUTE_HAS_NO_DESTINATIONS"]);
    assert_eq!(verdict.route_id.as_deref(), Some("route-empty"));
    assert!(!verdict.reachable);
}

#[test]
fn no_policy_gives_the_hcl_that_opens_the_path() {
    let verdict = analyse(&platform(), &ask("backend.apps.internal:8080"));
    assert_eq!(codes(&verdict), ["NO_POLICY"]);
    assert!(
        verdict.findings[0].message.contains(
            "resource \"cloudgov_network_policy\" { source_app_id = \"frontend\", destination_app_id = \"backend\", port = \"8080\" }"
        ),
        "{}",
        verdict.findings[0].message
    );
}

#[test]
fn port_not_allowed_names_the_allowed_ports() {
    let mut v = platform();
    policy(&mut v, "frontend", "backend", "tcp", 9000, 9010);
    policy(&mut v, "frontend", "backend", "tcp", 8081, 8081);
    let verdict = analyse(&v, &ask("backend.apps.internal:8080"));
    assert_eq!(codes(&verdict), ["PORT_NOT_ALLOWED"]);
    assert!(
        verdict.findings[0]
            .message
            .contains("allow tcp 8081, 9000-9010, not port 8080")
    );
}

#[test]
fn protocol_mismatch() {
    let mut v = platform();
    policy(&mut v, "frontend", "backend", "udp", 8080, 8080);
    let verdict = analyse(&v, &ask("backend.apps.internal:8080"));
    assert_eq!(codes(&verdict), ["PROTOCOL_MISMATCH"]);
    assert!(
        verdict.findings[0]
            .message
            .contains("allow only udp (8080)")
    );
}

#[test]
fn tls_port_not_allowed_either_way() {
    let mut v = platform();
    policy(&mut v, "frontend", "backend", "tcp", 8080, 8080);
    let verdict = analyse(&v, &ask("https://backend.apps.internal:61443"));
    assert_eq!(codes(&verdict), ["TLS_PORT_NOT_ALLOWED"]);
    assert!(verdict.findings[0].message.contains("port = \"61443\""));

    let mut v = platform();
    policy(&mut v, "frontend", "backend", "tcp", 61443, 61443);
    let verdict = analyse(&v, &ask("http://backend.apps.internal:8080"));
    assert_eq!(codes(&verdict), ["TLS_PORT_NOT_ALLOWED"]);
    assert!(
        verdict.findings[0]
            .message
            .contains("Call https://backend.apps.internal:61443")
    );
}

#[test]
fn app_port_not_mapped_is_a_warning() {
    let mut v = platform();
    route(&mut v, "backend", &[("backend", 9090)]);
    policy(&mut v, "frontend", "backend", "tcp", 8080, 8080);
    let verdict = analyse(&v, &ask("backend.apps.internal:8080"));
    assert_eq!(codes(&verdict), ["APP_PORT_NOT_MAPPED"]);
    assert_eq!(verdict.findings[0].severity, Severity::Warning);
    assert!(verdict.reachable, "a warning does not stop the path");
    // Over TLS the platform forwards to 8080, whatever was called.
    policy(&mut v, "frontend", "backend", "tcp", 61443, 61443);
    let verdict = analyse(&v, &ask("https://backend.apps.internal:61443"));
    assert_eq!(codes(&verdict), ["APP_PORT_NOT_MAPPED"]);
    assert!(
        verdict.findings[0]
            .message
            .contains("forwards 61443 to the app's port 8080")
    );
}

#[test]
fn stopped_apps() {
    let mut v = platform();
    policy(&mut v, "frontend", "backend", "tcp", 8080, 8080);
    app(&mut v, "backend", DEV, "STOPPED");
    app(&mut v, "frontend", DEV, "STOPPED");
    let verdict = analyse(&v, &ask("backend.apps.internal:8080"));
    assert_eq!(codes(&verdict), ["SOURCE_STOPPED", "DESTINATION_STOPPED"]);
    assert_eq!(verdict.findings[0].severity, Severity::Warning);
    assert!(!verdict.reachable);
}

#[test]
fn a_hidden_destination_and_a_partly_reachable_route() {
    let mut v = platform();
    app(&mut v, "partner", OTHER, "STARTED");
    route(
        &mut v,
        "backend",
        &[("backend", 8080), ("partner", 8080), ("secret", 8080)],
    );
    policy(&mut v, "frontend", "backend", "tcp", 8080, 8080);
    policy(&mut v, "frontend", "partner", "tcp", 8080, 8080);
    let verdict = analyse(&v, &ask("backend.apps.internal:8080"));
    assert_eq!(codes(&verdict), ["CROSS_SPACE", "DESTINATION_NOT_VISIBLE"]);
    assert_eq!(verdict.findings[0].severity, Severity::Info);
    assert!(!verdict.reachable);
    let by_app: Vec<(&str, bool)> = verdict
        .destinations
        .iter()
        .map(|d| (d.app_guid.as_str(), d.reachable))
        .collect();
    assert_eq!(
        by_app,
        [("backend", true), ("partner", true), ("secret", false)]
    );
    assert_eq!(
        verdict.policy_ids,
        [
            "frontend:backend:tcp:8080-8080",
            "frontend:partner:tcp:8080-8080"
        ]
    );
}

#[test]
fn urls_are_read_as_clients_call_them() {
    let t = |u: &str| Target::from_url(u);
    let url = |host: &str, port: u16| Target::Url {
        host: host.into(),
        domain: "apps.internal".into(),
        port,
    };
    assert_eq!(
        t("https://backend.apps.internal:61443"),
        Ok(url("backend", 61443))
    );
    assert_eq!(t("backend.apps.internal:8080"), Ok(url("backend", 8080)));
    assert_eq!(
        t("HTTP://Backend.Apps.Internal/health"),
        Ok(url("backend", 80))
    );
    assert_eq!(t("https://backend.apps.internal"), Ok(url("backend", 443)));
    assert!(
        t("backend.apps.internal")
            .unwrap_err()
            .contains("names no port")
    );
    assert!(
        t("ftp://backend.apps.internal:21")
            .unwrap_err()
            .contains("ftp://")
    );
    assert!(t("backend:8080").unwrap_err().contains("no domain"));
    assert!(
        t("backend.apps.internal:0")
            .unwrap_err()
            .contains("1 to 65535")
    );
    assert!(
        t("https://u:p@backend.apps.internal:1")
            .unwrap_err()
            .contains("user information")
    );
}
