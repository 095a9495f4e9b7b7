//! The policy server's answers, byte for byte: validation in its order, auth,
//! permission (SpaceDeveloper self-service and network.admin), quota, idempotency.

use reqwest::Method;
use serde_json::json;

use crate::support::*;

#[tokio::test]
async fn policies_validation_messages_are_exact_and_in_order() {
    let sim = sim().await;
    let t = login(&sim, "deployer", "deployer").await;
    let a = sim.handle.app_guid("dev", "frontend").unwrap();
    let b = sim.handle.app_guid("dev", "backend").unwrap();
    let cases = vec![
        (json!({"policies": []}), "missing policies"),
        (json!({}), "missing policies"),
        (policy_body("", &b, "tcp", 8080, 8080), "missing source id"),
        (
            policy_body(&a, "", "tcp", 8080, 8080),
            "missing destination id",
        ),
        (
            policy_body(&a, &b, "icmp", 8080, 8080),
            "invalid destination protocol, specify either udp or tcp",
        ),
        (
            policy_body(&a, &b, "tcp", 9000, 8080),
            "invalid port range 9000-8080, start must be less than or equal to end",
        ),
        (
            policy_body(&a, &b, "tcp", 70000, 70000),
            "invalid start port 70000, must be in range 1-65535",
        ),
        (policy_body(&a, &b, "tcp", 0, 8080), "missing start port"),
        (
            policy_body(&a, &b, "tcp", 8080, 70000),
            "invalid end port 70000, must be in range 1-65535",
        ),
        (
            json!({"policies": [{"source": {"id": a, "tag": "0001"}, "destination": {"id": b, "protocol": "tcp", "ports": {"start": 1, "end": 2}}}]}),
            "tags may not be specified",
        ),
    ];
    for (body, msg) in cases {
        let (status, text) = call(&sim, Some(&t), Method::POST, POLICIES, Some(body.clone())).await;
        assert_eq!(status, 400, "{body}");
        assert_eq!(
            text,
            format!("{{\"error\": \"mapper: validate policies: {msg}\"}}"),
            "{body}"
        );
    }
    let resp = client()
        .post(format!("{}{POLICIES}", sim.url))
        .bearer_auth(&t)
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    assert!(
        resp.text()
            .await
            .unwrap()
            .starts_with("{\"error\": \"mapper: unmarshal json: ")
    );
    assert!(sim.handle.state().policies.is_empty());
}

#[tokio::test]
async fn policies_auth_answers_are_exact() {
    let sim = sim().await;
    let (status, text) = call(&sim, None, Method::GET, POLICIES, None).await;
    assert_eq!(
        (status, text.as_str()),
        (401, "{\"error\": \"missing authorization header\"}")
    );
    let (status, text) = call(&sim, Some("not-a-token"), Method::GET, POLICIES, None).await;
    assert_eq!(
        (status, text.as_str()),
        (401, "{\"error\": \"failed to verify token with uaa\"}")
    );
    let t = login(&sim, "deployer", "deployer").await;
    let (status, text) = call(
        &sim,
        Some(&t),
        Method::GET,
        "/networking/v2/external/policies",
        None,
    )
    .await;
    assert_eq!(
        (status, text.as_str()),
        (406, "{\"error\": \"api version 'v2' not supported\"}")
    );
}

#[tokio::test]
async fn policies_need_space_developer_on_both_apps_unless_network_admin() {
    let sim = sim().await;
    let t = login(&sim, "deployer", "deployer").await;
    let front = sim.handle.app_guid("dev", "frontend").unwrap();
    let partner = sim.handle.app_guid("other", "partner").unwrap();
    let secret = sim.handle.app_guid("restricted", "secret-app").unwrap();
    // Cross-space, both spaces developed by deployer: allowed.
    let (status, text) = call(
        &sim,
        Some(&t),
        Method::POST,
        POLICIES,
        Some(policy_body(&front, &partner, "tcp", 8080, 8080)),
    )
    .await;
    assert_eq!((status, text.as_str()), (200, "{}"));
    // Into restricted: refused, nothing created.
    let (status, text) = call(
        &sim,
        Some(&t),
        Method::POST,
        POLICIES,
        Some(policy_body(&front, &secret, "tcp", 8080, 8080)),
    )
    .await;
    assert_eq!(
        (status, text.as_str()),
        (
            403,
            "{\"error\": \"one or more applications cannot be found or accessed\"}"
        )
    );
    // An app that does not exist: the same answer.
    let (status, _) = call(
        &sim,
        Some(&t),
        Method::POST,
        POLICIES,
        Some(policy_body(&front, "no-such-app", "tcp", 8080, 8080)),
    )
    .await;
    assert_eq!(status, 403);
    assert_eq!(sim.handle.state().policies.len(), 1);
    // Admin (network.admin) may.
    let admin = login(&sim, "admin", "admin").await;
    let (status, _) = call(
        &sim,
        Some(&admin),
        Method::POST,
        POLICIES,
        Some(policy_body(&front, &secret, "tcp", 8080, 8080)),
    )
    .await;
    assert_eq!(status, 200);
    // The deployer's list hides the policy into restricted; the admin's shows it.
    let (_, list) = call_json(
        &sim,
        &t,
        Method::GET,
        &format!("{POLICIES}?id={front}"),
        None,
    )
    .await;
    assert_eq!(list["total_policies"], 1);
    let (_, list) = call_json(
        &sim,
        &admin,
        Method::GET,
        &format!("{POLICIES}?id={front}"),
        None,
    )
    .await;
    assert_eq!(list["total_policies"], 2);
}

#[tokio::test]
async fn policies_create_is_idempotent_and_delete_skips_missing() {
    let sim = sim().await;
    let t = login(&sim, "deployer", "deployer").await;
    let a = sim.handle.app_guid("dev", "frontend").unwrap();
    let b = sim.handle.app_guid("dev", "backend").unwrap();
    for _ in 0..2 {
        let (status, _) = call(
            &sim,
            Some(&t),
            Method::POST,
            POLICIES,
            Some(policy_body(&a, &b, "tcp", 61443, 61443)),
        )
        .await;
        assert_eq!(status, 200);
    }
    // Overlapping ranges are distinct policies.
    call(
        &sim,
        Some(&t),
        Method::POST,
        POLICIES,
        Some(policy_body(&a, &b, "tcp", 61000, 62000)),
    )
    .await;
    assert_eq!(sim.handle.state().policies.len(), 2);
    let (_, list) = call_json(
        &sim,
        &t,
        Method::GET,
        &format!("{POLICIES}?source_id={a}&dest_id={b}"),
        None,
    )
    .await;
    assert_eq!(list["total_policies"], 2);
    // Listed in creation order, as the policy server does.
    assert_eq!(list["policies"][0]["destination"]["ports"]["start"], 61443);
    assert_eq!(list["policies"][1]["destination"]["ports"]["start"], 61000);
    let del = format!("{POLICIES}/delete");
    for _ in 0..2 {
        let (status, text) = call(
            &sim,
            Some(&t),
            Method::POST,
            &del,
            Some(policy_body(&a, &b, "tcp", 61443, 61443)),
        )
        .await;
        assert_eq!((status, text.as_str()), (200, "{}"));
    }
    assert_eq!(sim.handle.state().policies.len(), 1);
}

#[tokio::test]
async fn policies_quota_is_150_per_source_counting_duplicates() {
    let sim = sim().await;
    let t = login(&sim, "deployer", "deployer").await;
    let a = sim.handle.app_guid("dev", "frontend").unwrap();
    let b = sim.handle.app_guid("dev", "backend").unwrap();
    let many: Vec<_> = (0..150)
        .map(|i| json!({"source": {"id": a}, "destination": {"id": b, "protocol": "tcp", "ports": {"start": 2000 + i, "end": 2000 + i}}}))
        .collect();
    let (status, _) = call(
        &sim,
        Some(&t),
        Method::POST,
        POLICIES,
        Some(json!({"policies": many})),
    )
    .await;
    assert_eq!(status, 200);
    // Re-posting an existing policy counts too.
    let (status, text) = call(
        &sim,
        Some(&t),
        Method::POST,
        POLICIES,
        Some(policy_body(&a, &b, "tcp", 2000, 2000)),
    )
    .await;
    assert_eq!(
        (status, text.as_str()),
        (403, "{\"error\": \"policy quota exceeded\"}")
    );
    // Another source is not affected; admins are exempt.
    let (status, _) = call(
        &sim,
        Some(&t),
        Method::POST,
        POLICIES,
        Some(policy_body(&b, &a, "tcp", 1, 1)),
    )
    .await;
    assert_eq!(status, 200);
    let admin = login(&sim, "admin", "admin").await;
    let (status, _) = call(
        &sim,
        Some(&admin),
        Method::POST,
        POLICIES,
        Some(policy_body(&a, &b, "udp", 53, 53)),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(sim.handle.state().policies.len(), 152);
}

#[tokio::test]
async fn policies_of_deleted_apps_are_cleaned_up_on_the_interval() {
    let sim = sim_with(|c| c.settings.cleanup_interval = 60.0).await;
    let t = login(&sim, "deployer", "deployer").await;
    let a = sim.handle.app_guid("dev", "frontend").unwrap();
    let b = sim.handle.app_guid("dev", "worker").unwrap();
    call(
        &sim,
        Some(&t),
        Method::POST,
        POLICIES,
        Some(policy_body(&a, &b, "tcp", 8080, 8080)),
    )
    .await;
    let (status, _) = call(
        &sim,
        Some(&t),
        Method::DELETE,
        &format!("/v3/apps/{b}"),
        None,
    )
    .await;
    assert_eq!(status, 202);
    assert_eq!(
        sim.handle.state().policies.len(),
        1,
        "policies outlive their app until the cleanup"
    );
    sim.handle.advance(61.0);
    assert_eq!(sim.handle.state().policies.len(), 0);
}

#[tokio::test]
async fn policies_v0_answers_with_port_too() {
    let sim = sim().await;
    let t = login(&sim, "deployer", "deployer").await;
    let a = sim.handle.app_guid("dev", "frontend").unwrap();
    let b = sim.handle.app_guid("dev", "backend").unwrap();
    call(
        &sim,
        Some(&t),
        Method::POST,
        "/networking/v0/external/policies",
        Some(policy_body(&a, &b, "tcp", 8080, 8080)),
    )
    .await;
    let (_, v) = call_json(
        &sim,
        &t,
        Method::GET,
        "/networking/v0/external/policies",
        None,
    )
    .await;
    assert_eq!(v["policies"][0]["destination"]["port"], 8080);
}
