//! Arbitrary request bodies against every endpoint that reads one: the simulator
//! answers each (no dropped connection, which is what a panicking handler causes)
//! with a client error or success, never a 500.

use proptest::prelude::*;
use reqwest::Method;

use crate::support::*;

/// Endpoints that read a body, with the method that sends it.
fn endpoints(route: &str, app: &str, space: &str) -> Vec<(Method, String)> {
    vec![
        (Method::POST, "/v3/routes".into()),
        (Method::PATCH, format!("/v3/routes/{route}")),
        (Method::POST, format!("/v3/routes/{route}/destinations")),
        (Method::PATCH, format!("/v3/routes/{route}/destinations")),
        (Method::POST, "/v3/apps".into()),
        (Method::POST, POLICIES.into()),
        (Method::POST, format!("{POLICIES}/delete")),
        (Method::POST, "/oauth/token".into()),
        (Method::PATCH, format!("/v3/apps/{app}")),
        (
            Method::PATCH,
            format!("/v3/apps/{app}/environment_variables"),
        ),
        (Method::POST, format!("/v3/apps/{app}/actions/restart")),
        (
            Method::POST,
            format!("/v3/apps/{app}/processes/web/actions/scale"),
        ),
        (
            Method::POST,
            format!("/v3/spaces/{space}/actions/apply_manifest"),
        ),
        (Method::POST, "/v3/packages".into()),
        (Method::POST, "/v3/organizations".into()),
        (Method::POST, "/v3/spaces".into()),
        (Method::POST, "/v3/domains".into()),
        (Method::POST, "/v3/deployments".into()),
        (Method::PATCH, format!("/v3/apps/{app}/features/ssh")),
        (Method::POST, "/v3/builds".into()),
        (
            Method::PATCH,
            format!("/v3/apps/{app}/relationships/current_droplet"),
        ),
    ]
}

/// Bodies worth trying: raw bytes, JSON of any shape, and near-valid documents with
/// fields of the wrong type.
fn bodies() -> impl Strategy<Value = Vec<u8>> {
    let json = prop::collection::vec(
        prop_oneof![
            Just("{".to_string()),
            Just("}".to_string()),
            Just("[".to_string()),
            Just("]".to_string()),
            Just(",".to_string()),
            Just(":".to_string()),
            Just("null".to_string()),
            Just("-1".to_string()),
            Just("1e400".to_string()),
            Just("99999999999999999999".to_string()),
            Just("\"policies\"".to_string()),
            Just("\"destinations\"".to_string()),
            Just("\"source\"".to_string()),
            Just("\"destination\"".to_string()),
            Just("\"ports\"".to_string()),
            Just("\"start\"".to_string()),
            Just("\"host\"".to_string()),
            Just("\"relationships\"".to_string()),
            Just("\"app\"".to_string()),
            Just("\"guid\"".to_string()),
            Just("\"metadata\"".to_string()),
            Just("\"labels\"".to_string()),
            Just("\"applications\"".to_string()),
            Just("\"docker\"".to_string()),
            Just("\"package\"".to_string()),
            Just("\"data\"".to_string()),
            Just("- name: ".to_string()),
            Just("\n".to_string()),
            "\"\\PC{0,8}\"",
        ],
        0..24,
    )
    .prop_map(|parts| parts.concat().into_bytes());
    prop_oneof![prop::collection::vec(any::<u8>(), 0..64), json]
}

#[test]
fn fuzz_request_bodies_never_break_the_simulator() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let sim = rt.block_on(sim());
    let token = rt.block_on(login(&sim, "admin", "admin"));
    let route = rt.block_on(async {
        let dev = sim.handle.space_guid("dev").unwrap();
        let domain = sim.handle.domain_guid("apps.internal").unwrap();
        let body = serde_json::json!({"host": "fuzz", "relationships": {"space": {"data": {"guid": dev}}, "domain": {"data": {"guid": domain}}}});
        let (status, v) = call_json(&sim, &token, Method::POST, "/v3/routes", Some(body)).await;
        assert_eq!(status, 201, "{v}");
        v["guid"].as_str().unwrap().to_string()
    });
    let app = sim.handle.app_guid("dev", "worker").unwrap();
    let space = sim.handle.space_guid("dev").unwrap();
    let count = endpoints(&route, &app, &space).len();
    let config = ProptestConfig {
        cases: 128,
        failure_persistence: None,
        ..ProptestConfig::default()
    };
    let http = client();
    proptest!(config, |(body in bodies(), which in 0usize..count)| {
        let (method, path) = endpoints(&route, &app, &space)[which].clone();
        let status = rt.block_on(async {
            let mut req = http
                .request(method.clone(), format!("{}{path}", sim.url))
                .header("content-type", if path == "/oauth/token" { "application/x-www-form-urlencoded" } else { "application/json" })
                .body(body.clone());
            req = if path == "/oauth/token" {
                req.basic_auth("cf", Some(""))
            } else {
                req.bearer_auth(&token)
            };
            req.send().await.map(|r| r.status().as_u16())
        });
        let status = status.map_err(|e| TestCaseError::fail(format!("{method} {path}: no answer: {e}")))?;
        prop_assert!(status < 500, "{} {}: {} for {:?}", method, path, status, String::from_utf8_lossy(&body));
    });
}
