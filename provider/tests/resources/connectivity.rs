//! `cloudgov_reachability` and `cloudgov_network_graph` in process against the
//! simulator: each finding code from a platform that shows it, a healthy path with
//! its policy and route, what the check reads (listings only), plan-time
//! diagnostics, and the graph of a three-space organization against golden files.

use cloudgov_sim::Config;
use cloudgov_sim::scenarios::{self, Connectivity};
use terraform_provider_cloudgov::framework::Value;

use crate::harness::Harness;
use crate::{obj, s};

/// The simulator's `connectivity` scenario (see its items for what each app shows).
fn platform(h: &Harness) -> Connectivity {
    h.sim
        .handle
        .with_state(scenarios::connectivity)
        .expect("scenario")
}

fn codes(v: &Value) -> Vec<String> {
    v.attr("findings")
        .elements()
        .unwrap()
        .iter()
        .map(|f| f.attr("code").as_str().unwrap().to_string())
        .collect()
}

fn strings(v: &Value) -> Vec<String> {
    v.elements()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap().to_string())
        .collect()
}

async fn check(h: &Harness, source: &str, url: &str) -> Value {
    h.data(
        "cloudgov_reachability",
        &obj([("source_app_id", s(source)), ("url", s(url))]),
    )
    .await
    .ok()
}

#[tokio::test]
async fn reachability_healthy_path_names_its_policy_and_route() {
    let h = Harness::start().await;
    let a = platform(&h);
    let v = check(&h, &a.frontend, "http://backend.apps.internal:8080").await;
    assert_eq!(v.attr("reachable").as_bool(), Some(true), "{v:#?}");
    assert_eq!(codes(&v), Vec::<String>::new());
    assert_eq!(v.attr("route_id").as_str(), Some(a.backend_route.as_str()));
    assert_eq!(
        strings(v.attr("policy_ids")),
        [format!("{}:{}:tcp:8080-8080", a.frontend, a.backend)]
    );
    assert_eq!(v.attr("port").as_i64(), Some(8080));
    assert_eq!(v.attr("protocol").as_str(), Some("tcp"));
    assert_eq!(v.attr("tls").as_bool(), Some(false));
    let dests = v.attr("destinations").elements().unwrap();
    assert_eq!(dests.len(), 1);
    assert_eq!(dests[0].attr("app_name").as_str(), Some("backend"));
}

#[tokio::test]
async fn reachability_reports_each_code() {
    let h = Harness::start().await;
    let a = platform(&h);
    let f = &a.frontend;
    let cases: Vec<(String, &str, Vec<&str>)> = vec![
        (
            f.clone(),
            "nothing.apps.internal:8080",
            vec!["NO_INTERNAL_ROUTE"],
        ),
        (
            f.clone(),
            "https://backend.app.cloud.gov",
            vec!["NOT_AN_INTERNAL_DOMAIN"],
        ),
        (
            f.clone(),
            "empty.apps.internal:8080",
            vec!["ROUTE_HAS_NO_DESTINATIONS"],
        ),
        (f.clone(), "worker.apps.internal:8080", vec!["NO_POLICY"]),
        (
            f.clone(),
            "backend.apps.internal:9000",
            vec!["PORT_NOT_ALLOWED", "APP_PORT_NOT_MAPPED"],
        ),
        (
            f.clone(),
            "https://backend.apps.internal:61443",
            vec!["TLS_PORT_NOT_ALLOWED"],
        ),
        (
            f.clone(),
            "partner.apps.internal:8080",
            vec!["CROSS_SPACE", "APP_PORT_NOT_MAPPED"],
        ),
        (
            f.clone(),
            "batch.apps.internal:8080",
            vec!["DESTINATION_STOPPED"],
        ),
        (
            a.cron.clone(),
            "backend.apps.internal:8080",
            vec!["SOURCE_STOPPED"],
        ),
    ];
    for (source, url, want) in cases {
        let v = check(&h, &source, url).await;
        assert_eq!(codes(&v), want, "{url}: {v:#?}");
        let errors = v
            .attr("findings")
            .elements()
            .unwrap()
            .iter()
            .any(|x| x.attr("severity").as_str() == Some("error"));
        assert_eq!(v.attr("reachable").as_bool(), Some(!errors), "{url}");
    }
    let udp = h
        .data(
            "cloudgov_reachability",
            &obj([
                ("source_app_id", s(f)),
                ("url", s("backend.apps.internal:8080")),
                ("protocol", s("udp")),
            ]),
        )
        .await
        .ok();
    assert_eq!(codes(&udp), ["PROTOCOL_MISMATCH"]);
    let hidden = h
        .data(
            "cloudgov_reachability",
            &obj([
                ("source_app_id", s(f)),
                ("destination_app_id", s(&a.secret)),
                ("port", Value::from(8080)),
            ]),
        )
        .await
        .ok();
    assert_eq!(codes(&hidden), ["DESTINATION_NOT_VISIBLE"]);
    let by_app = h
        .data(
            "cloudgov_reachability",
            &obj([
                ("source_app_id", s(f)),
                ("destination_app_id", s(&a.partner)),
                ("port", Value::from(8080)),
            ]),
        )
        .await
        .ok();
    assert_eq!(codes(&by_app), ["CROSS_SPACE", "APP_PORT_NOT_MAPPED"]);
    assert_eq!(by_app.attr("reachable").as_bool(), Some(true));
}

#[tokio::test]
async fn reachability_reads_listings_only() {
    let h = Harness::start().await;
    let a = platform(&h);
    h.sim.handle.reset_stats();
    check(&h, &a.frontend, "backend.apps.internal:8080").await;
    let mut stats = h.sim.handle.stats();
    // Each operation of the harness configures a provider (discovery and login).
    stats.remove("GET /");
    stats.remove("POST /oauth/token");
    let reads: Vec<(String, u64)> = stats.into_iter().collect();
    assert_eq!(
        reads,
        [
            ("GET /networking/{version}/external/policies".to_string(), 1),
            ("GET /v3/apps".to_string(), 2),
            ("GET /v3/domains".to_string(), 1),
            ("GET /v3/routes".to_string(), 1),
        ],
        "the source app, then one listing of its space's apps, routes and policies"
    );
}

#[tokio::test]
async fn reachability_diagnostics_at_plan_time_name_the_attribute() {
    let h = Harness::start().await;
    let src = "1f0e2d3c-0000-4000-8000-000000000001";
    let one = |pairs: Vec<(&str, Value)>| {
        let mut v = obj([("source_app_id", s(src))]);
        for (k, x) in pairs {
            v.set_attr(k, x);
        }
        v
    };
    let cases = [
        (one(vec![]), "Missing Target", "source_app_id"),
        (
            one(vec![("url", s("backend.apps.internal"))]),
            "Invalid URL",
            "url",
        ),
        (
            one(vec![
                ("url", s("backend.apps.internal:8080")),
                ("destination_app_id", s(src)),
            ]),
            "Conflicting Arguments",
            "destination_app_id",
        ),
        (
            one(vec![
                ("url", s("backend.apps.internal:8080")),
                ("port", Value::from(80)),
            ]),
            "Conflicting Arguments",
            "port",
        ),
        (
            one(vec![("destination_app_id", s(src))]),
            "Missing Argument",
            "destination_app_id",
        ),
        (
            one(vec![
                ("destination_app_id", s(src)),
                ("port", Value::from(70000)),
            ]),
            "Invalid Port",
            "port",
        ),
        (
            one(vec![
                ("url", s("b.apps.internal:1")),
                ("protocol", s("icmp")),
            ]),
            "Invalid Protocol",
            "protocol",
        ),
    ];
    for (config, summary, attr) in cases {
        let answer = h.data("cloudgov_reachability", &config).await;
        let d = answer.error(summary);
        assert_eq!(d.attribute.as_deref(), Some(attr), "{summary}: {d:?}");
    }
    // Unknown values are left to apply time: no error at plan.
    let unknown = obj([("source_app_id", Value::Unknown), ("url", Value::Unknown)]);
    let found = h.validate_data("cloudgov_reachability", &unknown).await;
    assert!(found.iter().all(|d| !d.error), "{found:#?}");
    let missing = h
        .data(
            "cloudgov_reachability",
            &obj([
                ("source_app_id", s(src)),
                ("url", s("backend.apps.internal:8080")),
            ]),
        )
        .await;
    assert_eq!(
        missing.error("App Not Found").attribute.as_deref(),
        Some("source_app_id")
    );
}

/// The golden files' directory.
fn golden_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/network-graph/golden")
}

#[tokio::test]
async fn network_graph_of_three_spaces_matches_the_golden_files() {
    let h = Harness::with_sim(Config {
        seed: scenarios::agency(),
        ..Config::default()
    })
    .await;
    h.sim
        .handle
        .with_state(scenarios::agency_flows)
        .expect("scenario");
    let org = h
        .sim
        .handle
        .with_state(|s| s.orgs.keys().next().unwrap().clone());
    let v = h
        .data("cloudgov_network_graph", &obj([("org_id", s(&org))]))
        .await
        .ok();
    let codes: Vec<(String, String)> = v
        .attr("findings")
        .elements()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f.attr("code").as_str().unwrap().to_string(),
                f.attr("message").as_str().unwrap().to_string(),
            )
        })
        .collect();
    let found: Vec<&str> = codes.iter().map(|(c, _)| c.as_str()).collect();
    assert_eq!(
        found,
        [
            "NO_INTERNAL_ROUTE",
            "ROUTE_HAS_NO_DESTINATIONS",
            "ROUTE_NOT_REACHED"
        ],
        "{codes:#?}"
    );
    assert!(
        codes[0].1.contains("notify"),
        "notify is reached but has no route"
    );
    assert!(codes[2].1.contains("cache.apps.internal"));
    assert_eq!(v.attr("nodes").elements().unwrap().len(), 7);
    assert_eq!(v.attr("edges").elements().unwrap().len(), 5);
    let dir = golden_dir();
    for (attr, file) in [
        ("mermaid", "graph.mmd"),
        ("dot", "graph.dot"),
        ("flows_csv", "flows.csv"),
    ] {
        let text = v.attr(attr).as_str().unwrap();
        let path = dir.join(file);
        if std::env::var_os("UPDATE_GOLDEN").is_some() {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(&path, text).unwrap();
        }
        let golden = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("{}: {e} (UPDATE_GOLDEN=1 writes it)", path.display()));
        assert_eq!(
            text, golden,
            "{file} differs from its golden file (UPDATE_GOLDEN=1 rewrites it)"
        );
    }
    // One space: the same apps of that space, and the far ends of its policies.
    let space = h.sim.handle.space_guid("services").unwrap();
    let one = h
        .data("cloudgov_network_graph", &obj([("space_id", s(&space))]))
        .await
        .ok();
    let nodes: Vec<(String, bool)> = one
        .attr("nodes")
        .elements()
        .unwrap()
        .iter()
        .map(|n| {
            (
                n.attr("name").as_str().unwrap().to_string(),
                n.attr("in_scope").as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        nodes.len(),
        6,
        "{nodes:?}: services' 3 apps, portal, admin-ui, db-proxy"
    );
    assert!(nodes.contains(&("db-proxy".to_string(), false)));
    let bad = h
        .data(
            "cloudgov_network_graph",
            &obj([("space_id", s(&space)), ("org_id", s(&org))]),
        )
        .await;
    assert_eq!(
        bad.error("Conflicting Arguments").attribute.as_deref(),
        Some("org_id")
    );
}
