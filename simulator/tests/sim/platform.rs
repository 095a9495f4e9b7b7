//! What a platform team's configuration of the official provider does: organizations,
//! spaces and private domains created and deleted (admins only; deletion removes what
//! they hold, in a job), an app's SSH feature, and a space read with its organization.

use reqwest::Method;
use serde_json::{Value, json};

use crate::support::*;

async fn job_completes(sim: &cloudgov_sim::Simulator, token: &str, resp: &reqwest::Response) {
    let location = resp.headers()["location"].to_str().unwrap().to_string();
    let path = location.strip_prefix(&sim.url).unwrap();
    let (status, job) = call_json(sim, token, Method::GET, path, None).await;
    assert_eq!(
        (status, job["state"].clone()),
        (200, json!("COMPLETE")),
        "{job}"
    );
}

async fn delete(sim: &cloudgov_sim::Simulator, token: &str, path: &str) -> reqwest::Response {
    client()
        .delete(format!("{}{path}", sim.url))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn platform_orgs_spaces_and_domains_are_made_and_removed_by_admins() {
    let sim = sim().await;
    let admin = login(&sim, "admin", "admin").await;
    let deployer = login(&sim, "deployer", "deployer").await;

    let (status, err) = call_json(
        &sim,
        &deployer,
        Method::POST,
        "/v3/organizations",
        Some(json!({"name": "team"})),
    )
    .await;
    assert_eq!(status, 403, "{err}");
    assert_eq!(err["errors"][0]["title"], "CF-NotAuthorized");

    let (status, org) = call_json(
        &sim,
        &admin,
        Method::POST,
        "/v3/organizations",
        Some(json!({"name": "team"})),
    )
    .await;
    assert_eq!(status, 201, "{org}");
    let org_guid = org["guid"].as_str().unwrap().to_string();
    let (status, err) = call_json(
        &sim,
        &admin,
        Method::POST,
        "/v3/organizations",
        Some(json!({"name": "team"})),
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(
        err["errors"][0]["detail"],
        "Organization 'team' already exists."
    );

    let space_body =
        json!({"name": "staging", "relationships": {"organization": {"data": {"guid": org_guid}}}});
    let (status, space) = call_json(
        &sim,
        &admin,
        Method::POST,
        "/v3/spaces",
        Some(space_body.clone()),
    )
    .await;
    assert_eq!(status, 201, "{space}");
    assert_eq!(
        space["relationships"]["organization"]["data"]["guid"],
        org_guid.as_str()
    );
    let space_guid = space["guid"].as_str().unwrap().to_string();
    let (status, err) = call_json(&sim, &admin, Method::POST, "/v3/spaces", Some(space_body)).await;
    assert_eq!(status, 422);
    assert_eq!(
        err["errors"][0]["detail"],
        "Space 'staging' already exists."
    );

    let (status, with_org) = call_json(
        &sim,
        &admin,
        Method::GET,
        &format!("/v3/spaces/{space_guid}?include=organization"),
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(with_org["included"]["organizations"][0]["name"], "team");

    let (status, domain) = call_json(
        &sim,
        &admin,
        Method::POST,
        "/v3/domains",
        Some(json!({"name": "team.example.gov", "relationships": {"organization": {"data": {"guid": org_guid}}}})),
    )
    .await;
    assert_eq!(status, 201, "{domain}");
    assert_eq!(
        domain["relationships"]["organization"]["data"]["guid"],
        org_guid.as_str()
    );
    let (status, err) = call_json(
        &sim,
        &admin,
        Method::POST,
        "/v3/domains",
        Some(json!({"name": "no_dots"})),
    )
    .await;
    assert_eq!(status, 422, "{err}");

    // A route on the private domain, in the new space; deleting the org removes the
    // space, the domain and the route with it.
    let (status, route) = call_json(
        &sim,
        &admin,
        Method::POST,
        "/v3/routes",
        Some(json!({"host": "www", "relationships": {
            "space": {"data": {"guid": space_guid}},
            "domain": {"data": {"guid": domain["guid"]}}}})),
    )
    .await;
    assert_eq!(status, 201, "{route}");
    let resp = delete(&sim, &deployer, &format!("/v3/organizations/{org_guid}")).await;
    assert_eq!(resp.status(), 404, "the deployer cannot see the org");
    let resp = delete(&sim, &admin, &format!("/v3/organizations/{org_guid}")).await;
    assert_eq!(resp.status(), 202);
    job_completes(&sim, &admin, &resp).await;
    let s = sim.handle.state();
    assert!(!s.orgs.contains_key(&org_guid));
    assert!(!s.spaces.contains_key(&space_guid));
    assert!(!s.domains.values().any(|d| d.name == "team.example.gov"));
    assert!(!s.routes.values().any(|r| r.host == "www"));
}

#[tokio::test]
async fn platform_app_ssh_feature_is_read_and_set() {
    let sim = sim().await;
    let token = login(&sim, "deployer", "deployer").await;
    let app = sim.handle.app_guid("dev", "backend").unwrap();
    let path = format!("/v3/apps/{app}/features/ssh");
    let (status, v) = call_json(&sim, &token, Method::GET, &path, None).await;
    assert_eq!((status, v["enabled"].clone()), (200, Value::Bool(true)));
    let (status, v) = call_json(
        &sim,
        &token,
        Method::PATCH,
        &path,
        Some(json!({"enabled": false})),
    )
    .await;
    assert_eq!(
        (status, v["enabled"].clone()),
        (200, Value::Bool(false)),
        "{v}"
    );
    assert!(!sim.handle.with_state(|s| s.apps[&app].ssh_enabled));
    let (status, v) = call_json(&sim, &token, Method::PATCH, &path, Some(json!({}))).await;
    assert_eq!(status, 422, "{v}");
    assert_eq!(v["errors"][0]["detail"], "Enabled must be a boolean");
}

#[tokio::test]
async fn platform_deployments_finish_at_once_and_keep_the_app() {
    let sim = sim().await;
    let token = login(&sim, "deployer", "deployer").await;
    let app = sim.handle.app_guid("dev", "backend").unwrap();
    sim.handle
        .with_state(|s| s.apps.get_mut(&app).unwrap().state = "STOPPED".into());
    let body = json!({"strategy": "rolling", "relationships": {"app": {"data": {"guid": app}}}});
    let (status, d) = call_json(&sim, &token, Method::POST, "/v3/deployments", Some(body)).await;
    assert_eq!(status, 201, "{d}");
    assert_eq!(d["status"]["value"], "FINALIZED");
    assert_eq!(d["status"]["reason"], "DEPLOYED");
    assert_eq!(d["relationships"]["app"]["data"]["guid"], app.as_str());
    assert_eq!(
        sim.handle.with_state(|s| s.apps[&app].state.clone()),
        "STARTED"
    );
    let guid = d["guid"].as_str().unwrap();
    let (status, again) = call_json(
        &sim,
        &token,
        Method::GET,
        &format!("/v3/deployments/{guid}"),
        None,
    )
    .await;
    assert_eq!((status, again["guid"].clone()), (200, d["guid"].clone()));

    // `cf app` asks for active ones: there are none.
    let active = format!("/v3/deployments?app_guids={app}&status_values=ACTIVE");
    let (_, list) = call_json(&sim, &token, Method::GET, &active, None).await;
    assert_eq!(list["resources"], json!([]));
    let all = format!("/v3/deployments?app_guids={app}");
    let (_, list) = call_json(&sim, &token, Method::GET, &all, None).await;
    assert_eq!(list["resources"][0]["guid"], d["guid"]);

    let body = json!({"strategy": "sideways", "relationships": {"app": {"data": {"guid": app}}}});
    let (status, err) = call_json(&sim, &token, Method::POST, "/v3/deployments", Some(body)).await;
    assert_eq!(status, 422, "{err}");
}
