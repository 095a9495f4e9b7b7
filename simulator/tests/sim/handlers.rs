//! The handlers without a socket: requests go straight into `router()` with
//! `oneshot`, as axum's own tests do, so each answer is checked without a listener,
//! a port or an HTTP client.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use cloudgov_sim::server::Shared;
use cloudgov_sim::{Config, router};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;

fn app() -> axum::Router {
    router(Arc::new(
        Shared::new(&Config::default()).expect("default platform"),
    ))
}

async fn send(req: Request<Body>) -> (StatusCode, Value) {
    let resp = app_for(req).await;
    let status = resp.status();
    let bytes = resp.into_body().collect().await.expect("body").to_bytes();
    let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    (status, body)
}

async fn app_for(req: Request<Body>) -> axum::response::Response {
    APP.with(|a| a.clone())
        .oneshot(req)
        .await
        .expect("infallible")
}

thread_local! {
    // One platform per test thread, so that a login and the calls after it meet.
    static APP: axum::Router = app();
}

async fn token(user: &str) -> String {
    let (status, body) = send(
        Request::post("/oauth/token")
            .header(header::AUTHORIZATION, "Basic Y2Y6") // cf:
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(format!(
                "grant_type=password&username={user}&password={user}"
            )))
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["access_token"].as_str().expect("token").to_string()
}

fn get(path: &str, token: Option<&str>) -> Request<Body> {
    let mut b = Request::get(path);
    if let Some(t) = token {
        b = b.header(header::AUTHORIZATION, format!("bearer {t}"));
    }
    b.body(Body::empty()).unwrap()
}

#[tokio::test(flavor = "current_thread")]
async fn discovery_needs_no_login_and_lists_need_one() {
    let (status, root) = send(get("/", None)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        root["links"]["network_policy_v1"]["href"]
            .as_str()
            .is_some_and(|h| h.ends_with("/networking/v1/external"))
    );
    let (status, body) = send(get("/v3/apps", None)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["errors"][0]["title"], "CF-NotAuthenticated");
    let (status, body) = send(get("/v3/apps", Some("not-a-token"))).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["errors"][0]["title"], "CF-InvalidAuthToken");
}

#[tokio::test(flavor = "current_thread")]
async fn lists_filter_and_errors_render_as_the_platform_does() {
    let t = token("deployer").await;
    let (status, orgs) = send(get("/v3/organizations?names=sandbox", Some(&t))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(orgs["pagination"]["total_results"], 1);
    assert_eq!(orgs["resources"][0]["name"], "sandbox");
    let (status, body) = send(get("/v3/apps?colour=blue", Some(&t))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["errors"][0]["title"], "CF-BadQueryParameter");
    let (status, body) = send(get(
        "/v3/routes/00000000-0000-4000-8000-000000000000",
        Some(&t),
    ))
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["errors"][0]["detail"], "Route not found");
}

#[tokio::test(flavor = "current_thread")]
async fn policies_round_trip_through_the_policy_server_handlers() {
    let t = token("deployer").await;
    let (_, apps) = send(get("/v3/apps?names=frontend,backend", Some(&t))).await;
    let guid = |name: &str| {
        apps["resources"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["name"] == name)
            .map(|a| a["guid"].as_str().unwrap().to_string())
            .unwrap()
    };
    let (front, back) = (guid("frontend"), guid("backend"));
    let body = json!({"policies": [{
        "source": {"id": front},
        "destination": {"id": back, "protocol": "tcp", "ports": {"start": 61443, "end": 61443}}
    }]});
    let post = Request::post("/networking/v1/external/policies")
        .header(header::AUTHORIZATION, format!("bearer {t}"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_string()))
        .unwrap();
    let (status, _) = send(post).await;
    assert_eq!(status, StatusCode::OK);
    let (status, listed) = send(get(
        &format!("/networking/v1/external/policies?id={front}"),
        Some(&t),
    ))
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(listed["total_policies"], 1);
    assert_eq!(
        listed["policies"][0]["destination"]["ports"]["start"],
        61443
    );
    let (status, body) = send(get("/networking/v2/external/policies", Some(&t))).await;
    assert_eq!(status, StatusCode::NOT_ACCEPTABLE);
    assert_eq!(body["error"], "api version 'v2' not supported");
}
