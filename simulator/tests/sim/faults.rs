//! Every fault kind, observed from an HTTP client; counters; the admin API.

use std::time::{Duration, Instant};

use cloudgov_sim::{FaultKind, FaultRule};
use reqwest::Method;
use serde_json::{Value, json};

use crate::support::*;

fn rule(path: &str, method: Option<&str>, kind: FaultKind) -> FaultRule {
    FaultRule {
        path: path.into(),
        method: method.map(str::to_string),
        kind,
        probability: 1.0,
        times: Some(1),
    }
}

#[tokio::test]
async fn faults_latency_status_and_rate_limit() {
    let sim = sim().await;
    let t = login(&sim, "deployer", "deployer").await;
    sim.handle.add_fault(rule(
        "/v3/apps",
        Some("GET"),
        FaultKind::Latency { ms: 300 },
    ));
    let start = Instant::now();
    assert_eq!(
        call(&sim, Some(&t), Method::GET, "/v3/apps", None).await.0,
        200
    );
    assert!(start.elapsed() >= Duration::from_millis(300));

    sim.handle
        .add_fault(rule("/v3/*", None, FaultKind::Status { status: 503 }));
    let (status, text) = call(&sim, Some(&t), Method::GET, "/v3/apps", None).await;
    assert_eq!(status, 503);
    assert!(text.contains("CF-ServiceUnavailable"));
    sim.handle
        .add_fault(rule(POLICIES, None, FaultKind::Status { status: 502 }));
    let (status, text) = call(&sim, Some(&t), Method::GET, POLICIES, None).await;
    assert_eq!(
        (status, text.as_str()),
        (502, "{\"error\": \"service unavailable\"}")
    );

    sim.handle
        .add_fault(rule("*", None, FaultKind::RateLimit { retry_after: 2 }));
    let resp = client()
        .get(format!("{}/v3/apps", sim.url))
        .bearer_auth(&t)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 429);
    assert_eq!(resp.headers()["retry-after"], "2");
    let v: Value = resp.json().await.unwrap();
    assert_eq!(v["errors"][0]["code"], 10013);
    // Spent: the next call is normal.
    assert_eq!(
        call(&sim, Some(&t), Method::GET, "/v3/apps", None).await.0,
        200
    );
}

#[tokio::test]
async fn faults_reset_and_dropped_response_after_commit() {
    let sim = sim().await;
    let t = login(&sim, "deployer", "deployer").await;
    let a = sim.handle.app_guid("dev", "frontend").unwrap();
    let b = sim.handle.app_guid("dev", "backend").unwrap();

    // A transport error: no answer, or an answer whose body never arrives.
    let post_fails = |port: i64| {
        let (url, t, body) = (
            format!("{}{POLICIES}", sim.url),
            t.clone(),
            policy_body(&a, &b, "tcp", port, port),
        );
        async move {
            match client().post(url).bearer_auth(t).json(&body).send().await {
                Err(_) => true,
                Ok(resp) => resp.bytes().await.is_err(),
            }
        }
    };

    sim.handle
        .add_fault(rule(POLICIES, Some("POST"), FaultKind::Reset));
    assert!(
        post_fails(1).await,
        "a reset must surface as a transport error"
    );
    assert!(
        sim.handle.state().policies.is_empty(),
        "a reset happens before handling"
    );

    sim.handle
        .add_fault(rule(POLICIES, Some("POST"), FaultKind::DropResponse));
    assert!(post_fails(2).await, "the response must be lost");
    assert_eq!(
        sim.handle.state().policies.len(),
        1,
        "but the write was applied"
    );
}

#[tokio::test]
async fn faults_failed_job_leaves_the_route() {
    let sim = sim().await;
    let t = login(&sim, "deployer", "deployer").await;
    let dev = sim.handle.space_guid("dev").unwrap();
    let internal = sim.handle.domain_guid("apps.internal").unwrap();
    let body = json!({"host": "stuck", "relationships": {"space": {"data": {"guid": dev}}, "domain": {"data": {"guid": internal}}}});
    let (_, route) = call_json(&sim, &t, Method::POST, "/v3/routes", Some(body)).await;
    let guid = route["guid"].as_str().unwrap();
    sim.handle
        .add_fault(rule("/v3/routes/*", Some("DELETE"), FaultKind::FailJob));
    let resp = client()
        .delete(format!("{}/v3/routes/{guid}", sim.url))
        .bearer_auth(&t)
        .send()
        .await
        .unwrap();
    let job = resp.headers()["location"]
        .to_str()
        .unwrap()
        .trim_start_matches(&sim.url)
        .to_string();
    sim.handle.advance(1.0);
    let (_, v) = call_json(&sim, &t, Method::GET, &job, None).await;
    assert_eq!(v["state"], "FAILED");
    assert!(
        v["errors"][0]["detail"]
            .as_str()
            .unwrap()
            .contains("route.delete failed")
    );
    assert_eq!(
        call(
            &sim,
            Some(&t),
            Method::GET,
            &format!("/v3/routes/{guid}"),
            None
        )
        .await
        .0,
        200
    );
}

#[tokio::test]
async fn faults_with_probability_are_reproducible_from_the_seed() {
    async fn pattern(seed: u64) -> Vec<u16> {
        let sim = sim_with(|c| c.fault_seed = seed).await;
        let t = login(&sim, "deployer", "deployer").await;
        sim.handle.add_fault(FaultRule {
            probability: 0.5,
            times: None,
            ..rule("/v3/apps", None, FaultKind::Status { status: 503 })
        });
        let mut out = Vec::new();
        for _ in 0..20 {
            out.push(call(&sim, Some(&t), Method::GET, "/v3/apps", None).await.0);
        }
        out
    }
    let a = pattern(42).await;
    assert_eq!(a, pattern(42).await);
    assert!(a.contains(&503) && a.contains(&200), "{a:?}");
}

#[tokio::test]
async fn faults_admin_api_counts_dumps_and_resets() {
    let sim = sim().await;
    let t = login(&sim, "deployer", "deployer").await;
    let admin = |m: Method, p: &str| client().request(m, format!("{}/_sim{p}", sim.url));
    admin(Method::POST, "/faults")
        .json(&json!({"path": "/v3/spaces", "kind": "status", "status": 500, "times": 1}))
        .send()
        .await
        .unwrap();
    let rules: Value = admin(Method::GET, "/faults")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(rules[0]["kind"], "status");
    assert_eq!(
        call(&sim, Some(&t), Method::GET, "/v3/spaces", None)
            .await
            .0,
        500
    );
    let app = sim.handle.app_guid("dev", "backend").unwrap();
    call(
        &sim,
        Some(&t),
        Method::GET,
        &format!("/v3/apps/{app}"),
        None,
    )
    .await;
    let stats: Value = admin(Method::GET, "/stats")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(stats["GET /v3/spaces"], 1);
    assert_eq!(stats["GET /v3/apps/{guid}"], 1);
    assert_eq!(stats["POST /oauth/token"], 1);
    let state: Value = admin(Method::GET, "/state")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(state["apps"].as_object().unwrap().len() >= 5);
    // Behind-the-back delete, then reset brings it back.
    assert_eq!(
        admin(Method::DELETE, &format!("/apps/{app}"))
            .send()
            .await
            .unwrap()
            .status(),
        204
    );
    assert!(sim.handle.app_guid("dev", "backend").is_none());
    assert_eq!(
        admin(Method::POST, "/reset").send().await.unwrap().status(),
        204
    );
    assert_eq!(
        sim.handle.app_guid("dev", "backend").as_deref(),
        Some(app.as_str())
    );
    assert!(sim.handle.stats().is_empty());
}
