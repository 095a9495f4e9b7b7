//! What the cf CLI needs from the simulator: tokens with UAA's claims, UAA's login
//! info, processes and their stats, an organization's domains, the other read-only
//! endpoints, unknown paths counted and faulted, and policies in creation order.

use base64::Engine;
use reqwest::Method;
use serde_json::Value;

use crate::support::*;

fn claims(token: &str) -> Value {
    let part = token.split('.').nth(1).unwrap();
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(part)
        .unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

#[tokio::test]
async fn cli_tokens_carry_uaa_claims() {
    let sim = sim().await;
    let user = claims(&login(&sim, "deployer", "deployer").await);
    for k in [
        "user_id",
        "user_name",
        "origin",
        "email",
        "scope",
        "client_id",
        "cid",
        "grant_type",
        "iat",
        "exp",
        "iss",
        "zid",
        "aud",
        "jti",
        "sub",
    ] {
        assert!(!user[k].is_null(), "user token lacks {k}: {user}");
    }
    assert_eq!(user["user_name"], "deployer");
    assert_eq!(user["origin"], "uaa");
    assert_eq!(user["grant_type"], "password");
    assert_eq!(user["sub"], user["user_id"]);
    assert!(
        user["scope"]
            .as_array()
            .unwrap()
            .contains(&"cloud_controller.read".into())
    );

    let v: Value = client()
        .post(format!("{}/oauth/token", sim.url))
        .basic_auth("pipeline", Some("pipeline-secret"))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let c = claims(v["access_token"].as_str().unwrap());
    for k in ["user_id", "user_name", "origin", "email"] {
        assert!(c.get(k).is_none(), "a client token has no {k}: {c}");
    }
    assert_eq!(c["client_id"], "pipeline");
    assert_eq!(c["sub"], "pipeline");
    assert_eq!(c["grant_type"], "client_credentials");
}

#[tokio::test]
async fn cli_login_info_names_uaa_and_prompts() {
    let sim = sim().await;
    let v: Value = client()
        .get(format!("{}/login", sim.url))
        .header("accept", "application/json")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["links"]["uaa"], sim.url.as_str());
    assert_eq!(v["links"]["login"], sim.url.as_str());
    assert_eq!(v["prompts"]["username"][0], "text");
    assert_eq!(v["prompts"]["password"][0], "password");
}

#[tokio::test]
async fn cli_processes_stats_and_org_domains() {
    let sim = sim().await;
    let t = login(&sim, "deployer", "deployer").await;
    let backend = sim.handle.app_guid("dev", "backend").unwrap();
    let (status, v) = call_json(
        &sim,
        &t,
        Method::GET,
        &format!("/v3/processes?app_guids={backend}"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["pagination"]["total_results"], 1);
    let p = &v["resources"][0];
    assert_eq!(p["type"], "web");
    assert_eq!(p["relationships"]["app"]["data"]["guid"], backend.as_str());
    let guid = p["guid"].as_str().unwrap();
    let (_, same) = call_json(
        &sim,
        &t,
        Method::GET,
        &format!("/v3/apps/{backend}/processes"),
        None,
    )
    .await;
    assert_eq!(same["resources"][0]["guid"], guid);
    let (status, stats) = call_json(
        &sim,
        &t,
        Method::GET,
        &format!("/v3/processes/{guid}/stats"),
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(stats["resources"][0]["state"], "RUNNING");

    let org = sim.handle.state().orgs.keys().next().unwrap().clone();
    let (status, v) = call_json(
        &sim,
        &t,
        Method::GET,
        &format!("/v3/organizations/{org}/domains"),
        None,
    )
    .await;
    assert_eq!(status, 200);
    let names: Vec<&str> = v["resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["name"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"apps.internal"), "{names:?}");

    for path in [
        "/v3/service_route_bindings?route_guids=x".to_string(),
        format!("/v3/apps/{backend}/sidecars"),
        format!("/v3/deployments?app_guids={backend}"),
    ] {
        let (status, v) = call_json(&sim, &t, Method::GET, &path, None).await;
        assert_eq!(
            (status, v["pagination"]["total_results"].as_u64()),
            (200, Some(0)),
            "{path}: {v}"
        );
    }
    let dev = sim.handle.space_guid("dev").unwrap();
    let (status, v) = call_json(
        &sim,
        &t,
        Method::GET,
        &format!("/v3/spaces/{dev}/features/ssh"),
        None,
    )
    .await;
    assert_eq!((status, &v["name"]), (200, &Value::from("ssh")));
    let (status, text) = call(
        &sim,
        Some(&t),
        Method::GET,
        &format!("/v3/apps/{backend}/manifest"),
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert!(text.contains("- name: backend"), "{text}");
    // Another space's app stays invisible to a developer without a role there.
    sim.handle.with_state(|s| {
        let mut u = s.users["deployer"].clone();
        u.name = "outsider".into();
        u.password = "outsider".into();
        u.roles.developer_spaces.clear();
        s.users.insert(u.name.clone(), u);
    });
    let o = login(&sim, "outsider", "outsider").await;
    let (status, _) = call_json(
        &sim,
        &o,
        Method::GET,
        &format!("/v3/processes/{guid}/stats"),
        None,
    )
    .await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn cli_unknown_paths_are_counted_and_faulted() {
    let sim = sim().await;
    let t = login(&sim, "deployer", "deployer").await;
    let (status, v) = call_json(&sim, &t, Method::GET, "/v3/nothing-here", None).await;
    assert_eq!(status, 404);
    assert_eq!(v["errors"][0]["title"], "CF-NotFound");
    assert_eq!(sim.handle.count("UNKNOWN GET /v3/nothing-here"), 1);
    sim.handle.add_fault(cloudgov_sim::FaultRule {
        path: "/v3/nothing*".into(),
        method: None,
        kind: cloudgov_sim::FaultKind::Status { status: 503 },
        probability: 1.0,
        times: None,
    });
    let (status, _) = call(&sim, Some(&t), Method::GET, "/v3/nothing-here", None).await;
    assert_eq!(status, 503);
}

#[tokio::test]
async fn cli_policies_list_in_creation_order() {
    let sim = sim().await;
    let t = login(&sim, "deployer", "deployer").await;
    let a = sim.handle.app_guid("dev", "frontend").unwrap();
    let b = sim.handle.app_guid("dev", "backend").unwrap();
    for port in [9000, 8080, 8500] {
        let (status, _) = call_json(
            &sim,
            &t,
            Method::POST,
            POLICIES,
            Some(policy_body(&a, &b, "tcp", port, port)),
        )
        .await;
        assert_eq!(status, 200);
    }
    let (_, v) = call_json(&sim, &t, Method::GET, POLICIES, None).await;
    let ports: Vec<u64> = v["policies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["destination"]["ports"]["start"].as_u64().unwrap())
        .collect();
    assert_eq!(ports, vec![9000, 8080, 8500]);
}
