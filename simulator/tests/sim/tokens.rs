//! UAA grants and token lifetimes as clients meet them.

use reqwest::Method;
use serde_json::Value;

use crate::support::*;

async fn token_request(
    sim: &cloudgov_sim::Simulator,
    client_id: &str,
    secret: &str,
    form: &[(&str, &str)],
) -> (u16, Value) {
    let resp = client()
        .post(format!("{}/oauth/token", sim.url))
        .basic_auth(client_id, Some(secret))
        .form(form)
        .send()
        .await
        .unwrap();
    (resp.status().as_u16(), resp.json().await.unwrap())
}

#[tokio::test]
async fn tokens_password_grant_and_bad_credentials() {
    let sim = sim().await;
    let (status, v) = token_request(
        &sim,
        "cf",
        "",
        &[
            ("grant_type", "password"),
            ("username", "deployer"),
            ("password", "deployer"),
        ],
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(v["token_type"], "bearer");
    assert_eq!(v["expires_in"], 599);
    assert!(v["refresh_token"].is_string() && v["id_token"].is_string() && v["jti"].is_string());
    let (status, v) = token_request(
        &sim,
        "cf",
        "",
        &[
            ("grant_type", "password"),
            ("username", "deployer"),
            ("password", "wrong"),
        ],
    )
    .await;
    assert_eq!(status, 401);
    assert_eq!(
        v,
        serde_json::json!({"error": "unauthorized", "error_description": "Bad credentials"})
    );
    // An origin the user does not belong to.
    let (status, _) = token_request(
        &sim,
        "cf",
        "",
        &[
            ("grant_type", "password"),
            ("username", "deployer"),
            ("password", "deployer"),
            ("login_hint", "{\"origin\":\"gsa.gov\"}"),
        ],
    )
    .await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn tokens_client_credentials_grant() {
    let sim = sim().await;
    let (status, v) = token_request(
        &sim,
        "pipeline",
        "pipeline-secret",
        &[("grant_type", "client_credentials")],
    )
    .await;
    assert_eq!(status, 200);
    assert!(v.get("refresh_token").is_none());
    let t = v["access_token"].as_str().unwrap();
    let (status, _) = call(&sim, Some(t), Method::GET, "/v3/apps", None).await;
    assert_eq!(status, 200);
    let (status, _) = token_request(
        &sim,
        "pipeline",
        "nope",
        &[("grant_type", "client_credentials")],
    )
    .await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn tokens_expire_refresh_and_revocation() {
    let sim = sim_with(|c| c.settings.token_ttl = 60.0).await;
    let (_, v) = token_request(
        &sim,
        "cf",
        "",
        &[
            ("grant_type", "password"),
            ("username", "deployer"),
            ("password", "deployer"),
        ],
    )
    .await;
    let access = v["access_token"].as_str().unwrap().to_string();
    let refresh = v["refresh_token"].as_str().unwrap().to_string();
    assert_eq!(v["expires_in"], 59);
    assert_eq!(
        call(&sim, Some(&access), Method::GET, "/v3/apps", None)
            .await
            .0,
        200
    );
    sim.handle.advance(61.0);
    let (status, text) = call(&sim, Some(&access), Method::GET, "/v3/apps", None).await;
    assert_eq!(status, 401);
    assert!(text.contains("CF-InvalidAuthToken"), "{text}");
    let (status, text) = call(&sim, Some(&access), Method::GET, POLICIES, None).await;
    assert_eq!(
        (status, text.as_str()),
        (401, "{\"error\": \"failed to verify token with uaa\"}")
    );
    // The refresh token still works.
    let (status, v) = token_request(
        &sim,
        "cf",
        "",
        &[("grant_type", "refresh_token"), ("refresh_token", &refresh)],
    )
    .await;
    assert_eq!(status, 200);
    let fresh = v["access_token"].as_str().unwrap().to_string();
    assert_eq!(
        call(&sim, Some(&fresh), Method::GET, "/v3/apps", None)
            .await
            .0,
        200
    );
    // Revocation ends both.
    assert!(sim.handle.revoke_user("deployer") >= 2);
    assert_eq!(
        call(&sim, Some(&fresh), Method::GET, "/v3/apps", None)
            .await
            .0,
        401
    );
    let (status, v) = token_request(
        &sim,
        "cf",
        "",
        &[("grant_type", "refresh_token"), ("refresh_token", &refresh)],
    )
    .await;
    assert_eq!(status, 401);
    assert_eq!(v["error"], "invalid_token");
}

#[tokio::test]
async fn tokens_are_jwt_shaped_with_an_expiry_claim() {
    use base64::Engine;
    let sim = sim().await;
    let t = login(&sim, "deployer", "deployer").await;
    let claims = t.split('.').nth(1).unwrap();
    let claims: Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(claims)
            .unwrap(),
    )
    .unwrap();
    assert_eq!(claims["user_name"], "deployer");
    assert!(claims["exp"].as_i64().unwrap() > 1_700_000_000);
}
