//! Cloud Controller answers: auth, visibility, route and destination validation with
//! the platform's exact details, pagination, jobs, apps.

use reqwest::Method;
use serde_json::{Value, json};

use crate::support::*;

fn route_body(host: &str, space: &str, domain: &str) -> Value {
    json!({"host": host, "relationships": {"space": {"data": {"guid": space}}, "domain": {"data": {"guid": domain}}}})
}

fn detail(v: &Value) -> &str {
    v["errors"][0]["detail"].as_str().unwrap_or("")
}

#[tokio::test]
async fn cc_auth_errors_match_the_platform() {
    let sim = sim().await;
    let (status, text) = call(&sim, None, Method::GET, "/v3/apps", None).await;
    let v: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(status, 401);
    assert_eq!(v["errors"][0]["code"], 10002);
    assert_eq!(v["errors"][0]["title"], "CF-NotAuthenticated");
    let (status, text) = call(&sim, Some("bogus"), Method::GET, "/v3/apps", None).await;
    let v: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(status, 401);
    assert_eq!(v["errors"][0]["title"], "CF-InvalidAuthToken");
    assert_eq!(v["errors"][0]["code"], 1000);
    // Discovery needs no token.
    let (status, text) = call(&sim, None, Method::GET, "/", None).await;
    assert_eq!(status, 200);
    let v: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        v["links"]["network_policy_v1"]["href"],
        format!("{}/networking/v1/external", sim.url)
    );
    assert_eq!(v["links"]["uaa"]["href"], sim.url);
}

#[tokio::test]
async fn cc_lookups_by_name_and_visibility() {
    let sim = sim().await;
    let t = login(&sim, "deployer", "deployer").await;
    let (_, orgs) = call_json(
        &sim,
        &t,
        Method::GET,
        "/v3/organizations?names=sandbox",
        None,
    )
    .await;
    assert_eq!(orgs["pagination"]["total_results"], 1);
    let org = orgs["resources"][0]["guid"].as_str().unwrap().to_string();
    let (_, spaces) = call_json(
        &sim,
        &t,
        Method::GET,
        &format!("/v3/spaces?names=dev&organization_guids={org}"),
        None,
    )
    .await;
    let dev = spaces["resources"][0]["guid"].as_str().unwrap().to_string();
    let (_, apps) = call_json(
        &sim,
        &t,
        Method::GET,
        &format!("/v3/apps?names=backend&space_guids={dev}"),
        None,
    )
    .await;
    assert_eq!(apps["resources"][0]["name"], "backend");
    assert_eq!(apps["resources"][0]["state"], "STARTED");
    // Nothing by that name: 200 with no resources.
    let (status, none) =
        call_json(&sim, &t, Method::GET, "/v3/organizations?names=nope", None).await;
    assert_eq!(status, 200);
    assert_eq!(none["pagination"]["total_results"], 0);
    assert_eq!(none["resources"], json!([]));
    // The deployer cannot see the restricted space or its app.
    let (_, spaces) = call_json(&sim, &t, Method::GET, "/v3/spaces?names=restricted", None).await;
    assert_eq!(spaces["pagination"]["total_results"], 0);
    let secret = sim.handle.app_guid("restricted", "secret-app").unwrap();
    let (status, v) = call_json(&sim, &t, Method::GET, &format!("/v3/apps/{secret}"), None).await;
    assert_eq!((status, detail(&v)), (404, "App not found"));
    let (_, d) = call_json(
        &sim,
        &t,
        Method::GET,
        "/v3/domains?names=apps.internal",
        None,
    )
    .await;
    assert_eq!(d["resources"][0]["internal"], true);
    // Unknown query parameters are refused.
    let (status, v) = call_json(&sim, &t, Method::GET, "/v3/apps?colour=blue", None).await;
    assert_eq!(status, 400);
    assert_eq!(v["errors"][0]["title"], "CF-BadQueryParameter");
}

#[tokio::test]
async fn cc_route_create_validation_details_are_exact() {
    let sim = sim().await;
    let t = login(&sim, "deployer", "deployer").await;
    let dev = sim.handle.space_guid("dev").unwrap();
    let restricted = sim.handle.space_guid("restricted").unwrap();
    let internal = sim.handle.domain_guid("apps.internal").unwrap();
    let cases = vec![
        (
            route_body("ok", &restricted, &internal),
            "Invalid space. Ensure that the space exists and you have access to it.",
        ),
        (
            route_body("ok", "nope", &internal),
            "Invalid space. Ensure that the space exists and you have access to it.",
        ),
        (
            route_body("ok", &dev, "nope"),
            "Invalid domain. Ensure that the domain exists and you have access to it.",
        ),
        (
            route_body("*", &dev, &internal),
            "Wildcard hosts are not supported for internal domains.",
        ),
        (
            json!({"host": "p", "path": "/x", "relationships": {"space": {"data": {"guid": dev}}, "domain": {"data": {"guid": internal}}}}),
            "Paths are not supported for internal domains.",
        ),
        (
            route_body("Bad_Host", &dev, &internal),
            "Host format is invalid.",
        ),
        (
            route_body(&"a".repeat(64), &dev, &internal),
            "Host format is invalid.",
        ),
        (
            json!({"host": "p", "port": 8080, "relationships": {"space": {"data": {"guid": dev}}, "domain": {"data": {"guid": internal}}}}),
            "Routes with protocol 'http' do not support ports.",
        ),
    ];
    for (body, want) in cases {
        let (status, v) = call_json(&sim, &t, Method::POST, "/v3/routes", Some(body.clone())).await;
        assert_eq!(status, 422, "{body}");
        assert_eq!(v["errors"][0]["code"], 10008);
        assert_eq!(v["errors"][0]["title"], "CF-UnprocessableEntity");
        assert_eq!(detail(&v), want, "{body}");
    }
    let (status, created) = call_json(
        &sim,
        &t,
        Method::POST,
        "/v3/routes",
        Some(route_body("backend", &dev, &internal)),
    )
    .await;
    assert_eq!(status, 201);
    assert_eq!(created["url"], "backend.apps.internal");
    assert_eq!(created["destinations"], json!([]));
    let (status, v) = call_json(
        &sim,
        &t,
        Method::POST,
        "/v3/routes",
        Some(route_body("backend", &dev, &internal)),
    )
    .await;
    assert_eq!(
        (status, detail(&v)),
        (
            422,
            "Route already exists with host 'backend' for domain 'apps.internal'."
        )
    );
    assert_eq!(sim.handle.state().routes.len(), 1);
}

#[tokio::test]
async fn cc_destinations_insert_replace_delete() {
    let sim = sim().await;
    let t = login(&sim, "deployer", "deployer").await;
    let dev = sim.handle.space_guid("dev").unwrap();
    let internal = sim.handle.domain_guid("apps.internal").unwrap();
    let backend = sim.handle.app_guid("dev", "backend").unwrap();
    let worker = sim.handle.app_guid("dev", "worker").unwrap();
    let partner = sim.handle.app_guid("other", "partner").unwrap();
    let (_, route) = call_json(
        &sim,
        &t,
        Method::POST,
        "/v3/routes",
        Some(route_body("backend", &dev, &internal)),
    )
    .await;
    let path = format!(
        "/v3/routes/{}/destinations",
        route["guid"].as_str().unwrap()
    );

    let one = json!({"destinations": [{"app": {"guid": backend}}]});
    let (status, v) = call_json(&sim, &t, Method::POST, &path, Some(one.clone())).await;
    assert_eq!(status, 200);
    let d = &v["destinations"][0];
    assert_eq!(
        (
            d["port"].as_u64(),
            d["protocol"].as_str(),
            d["app"]["process"]["type"].as_str()
        ),
        (Some(8080), Some("http1"), Some("web"))
    );
    let first_guid = d["guid"].clone();
    // Inserting the same again is idempotent.
    let (_, v) = call_json(&sim, &t, Method::POST, &path, Some(one)).await;
    assert_eq!(v["destinations"].as_array().unwrap().len(), 1);
    assert_eq!(v["destinations"][0]["guid"], first_guid);

    let errors = vec![
        (
            json!({"destinations": [{"app": {"guid": backend}, "port": 80}]}),
            "Destinations[0]: port must be a positive integer between 1024 and 65535 inclusive.",
        ),
        (
            json!({"destinations": [{"app": {"guid": backend}, "protocol": "ftp"}]}),
            "Destinations[0]: protocol must be 'http1', 'http2' or 'tcp'.",
        ),
        (
            json!({"destinations": [{"app": {"guid": "missing"}}]}),
            "App(s) with guid(s) \"missing\" do not exist.",
        ),
        (
            json!({"destinations": [{"app": {"guid": partner}}]}),
            "Routes destinations must be in either the route's space or the route's shared spaces",
        ),
        (
            json!({"destinations": [{"app": {"guid": worker}}, {"app": {"guid": worker}}]}),
            "Destinations cannot contain duplicate entries",
        ),
    ];
    for (body, want) in errors {
        let (status, v) = call_json(&sim, &t, Method::POST, &path, Some(body.clone())).await;
        assert_eq!((status, detail(&v)), (422, want), "{body}");
    }
    // Replace keeps the existing destination's GUID and adds the worker.
    let both = json!({"destinations": [{"app": {"guid": backend}, "port": 8080}, {"app": {"guid": worker}, "port": 9000}]});
    let (status, v) = call_json(&sim, &t, Method::PATCH, &path, Some(both)).await;
    assert_eq!(status, 200);
    assert_eq!(v["destinations"].as_array().unwrap().len(), 2);
    assert!(
        v["destinations"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["guid"] == first_guid)
    );
    let worker_dest = v["destinations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["app"]["guid"] == worker.as_str())
        .unwrap()["guid"]
        .as_str()
        .unwrap()
        .to_string();
    let (status, _) = call(
        &sim,
        Some(&t),
        Method::DELETE,
        &format!("{path}/{worker_dest}"),
        None,
    )
    .await;
    assert_eq!(status, 204);
    // Deleting the app removes its destinations.
    call(
        &sim,
        Some(&t),
        Method::DELETE,
        &format!("/v3/apps/{backend}"),
        None,
    )
    .await;
    let (_, v) = call_json(&sim, &t, Method::GET, &path, None).await;
    assert_eq!(v["destinations"], json!([]));
    // Replace with nothing is allowed.
    let (status, _) = call_json(
        &sim,
        &t,
        Method::PATCH,
        &path,
        Some(json!({"destinations": []})),
    )
    .await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn cc_route_delete_answers_202_with_a_job_that_completes() {
    let sim = sim_with(|c| c.settings.job_delay = 0.3).await;
    let t = login(&sim, "deployer", "deployer").await;
    let dev = sim.handle.space_guid("dev").unwrap();
    let internal = sim.handle.domain_guid("apps.internal").unwrap();
    let (_, route) = call_json(
        &sim,
        &t,
        Method::POST,
        "/v3/routes",
        Some(route_body("gone", &dev, &internal)),
    )
    .await;
    let guid = route["guid"].as_str().unwrap();
    let resp = client()
        .delete(format!("{}/v3/routes/{guid}", sim.url))
        .bearer_auth(&t)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 202);
    let location = resp.headers()["location"].to_str().unwrap().to_string();
    assert!(location.starts_with(&format!("{}/v3/jobs/", sim.url)));
    assert_eq!(resp.text().await.unwrap(), "");
    let job_path = location.trim_start_matches(&sim.url).to_string();
    let (_, job) = call_json(&sim, &t, Method::GET, &job_path, None).await;
    assert_eq!(job["state"], "PROCESSING");
    assert_eq!(job["operation"], "route.delete");
    tokio::time::sleep(std::time::Duration::from_millis(350)).await;
    let (_, job) = call_json(&sim, &t, Method::GET, &job_path, None).await;
    assert_eq!(job["state"], "COMPLETE");
    let (status, v) = call_json(&sim, &t, Method::GET, &format!("/v3/routes/{guid}"), None).await;
    assert_eq!((status, detail(&v)), (404, "Route not found"));
}

#[tokio::test]
async fn cc_pagination_follows_next_links_to_the_end() {
    let sim = sim().await;
    let t = login(&sim, "deployer", "deployer").await;
    let dev = sim.handle.space_guid("dev").unwrap();
    let internal = sim.handle.domain_guid("apps.internal").unwrap();
    for i in 0..7 {
        call(
            &sim,
            Some(&t),
            Method::POST,
            "/v3/routes",
            Some(route_body(&format!("r{i}"), &dev, &internal)),
        )
        .await;
    }
    let mut next = Some(format!(
        "{}/v3/routes?space_guids={dev}&per_page=3",
        sim.url
    ));
    let mut seen = Vec::new();
    let mut pages = 0;
    while let Some(url) = next {
        let v: Value = client()
            .get(&url)
            .bearer_auth(&t)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(v["pagination"]["total_results"], 7);
        assert_eq!(v["pagination"]["total_pages"], 3);
        seen.extend(
            v["resources"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["host"].as_str().unwrap().to_string()),
        );
        next = v["pagination"]["next"]["href"].as_str().map(str::to_string);
        pages += 1;
    }
    assert_eq!(pages, 3);
    seen.sort();
    assert_eq!(seen, (0..7).map(|i| format!("r{i}")).collect::<Vec<_>>());
    let (status, v) = call_json(&sim, &t, Method::GET, "/v3/routes?per_page=5001", None).await;
    assert_eq!(
        (status, v["errors"][0]["code"].as_u64()),
        (400, Some(10005))
    );
}

#[tokio::test]
async fn cc_apps_can_be_created_and_deleted() {
    let sim = sim().await;
    let t = login(&sim, "deployer", "deployer").await;
    let dev = sim.handle.space_guid("dev").unwrap();
    let (status, app) = call_json(
        &sim,
        &t,
        Method::POST,
        "/v3/apps",
        Some(json!({"name": "green", "relationships": {"space": {"data": {"guid": dev}}}})),
    )
    .await;
    assert_eq!(status, 201);
    let guid = app["guid"].as_str().unwrap();
    let (status, _) = call(
        &sim,
        Some(&t),
        Method::DELETE,
        &format!("/v3/apps/{guid}"),
        None,
    )
    .await;
    assert_eq!(status, 202);
    let (status, _) = call(
        &sim,
        Some(&t),
        Method::GET,
        &format!("/v3/apps/{guid}"),
        None,
    )
    .await;
    assert_eq!(status, 404);
}
