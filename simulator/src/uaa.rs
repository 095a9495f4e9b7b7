//! UAA's token endpoint: password, client-credentials and refresh-token grants, with
//! UAA's answers for bad credentials and bad refresh tokens. Tokens are JWT-shaped
//! (readable claims, a signature nobody checks) so that clients can read `exp` as
//! they do from real tokens.

use axum::extract::State as AxState;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use serde_json::json;

use crate::model::tokens::SCOPES;
use crate::model::{Subject, new_guid, whole_seconds};
use crate::shared::Shared;

/// `GET /login`: what the cf CLI reads before logging in (UAA's login info).
pub(crate) async fn login_info(AxState(shared): AxState<std::sync::Arc<Shared>>) -> Response {
    let b = shared.base_url();
    axum::Json(json!({
        "app": {"version": "78.0.0"},
        "showLoginLinks": true,
        "links": {"uaa": b, "passwd": "/forgot_password", "login": b, "register": "/create_account"},
        "zone_name": "uaa",
        "entityID": "cloudgov-sim",
        "commit_id": "cloudgov-sim",
        "idpDefinitions": {},
        "prompts": {"username": ["text", "Email"], "password": ["password", "Password"]},
        "timestamp": "2026-01-01T00:00:00+0000",
    }))
    .into_response()
}

fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    (
        status,
        axum::Json(json!({"error": error, "error_description": description})),
    )
        .into_response()
}

fn basic_auth(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get("authorization")?.to_str().ok()?;
    let encoded = value
        .strip_prefix("Basic ")
        .or_else(|| value.strip_prefix("basic "))?;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (id, secret) = text.split_once(':')?;
    Some((id.to_string(), secret.to_string()))
}

/// `POST /oauth/token`.
pub(crate) async fn token(
    AxState(shared): AxState<std::sync::Arc<Shared>>,
    headers: HeaderMap,
    body: String,
) -> Response {
    let form: Vec<(String, String)> = form_urlencoded::parse(body.as_bytes())
        .into_owned()
        .collect();
    let field = |k: &str| {
        form.iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.clone())
    };
    let bad_credentials =
        || oauth_error(StatusCode::UNAUTHORIZED, "unauthorized", "Bad credentials");
    let (client_id, client_secret) = basic_auth(&headers)
        .or_else(|| {
            Some((
                field("client_id")?,
                field("client_secret").unwrap_or_default(),
            ))
        })
        .unwrap_or_default();
    let mut state = shared.lock();
    let Some(client) = state.clients.get(&client_id).cloned() else {
        return bad_credentials();
    };
    if client.secret != client_secret {
        return bad_credentials();
    }
    let (subject, with_refresh) = match field("grant_type").as_deref() {
        Some("password") => {
            let (Some(user), Some(password)) = (field("username"), field("password")) else {
                return bad_credentials();
            };
            let origin = field("login_hint")
                .and_then(|h| serde_json::from_str::<serde_json::Value>(&h).ok())
                .and_then(|v| v["origin"].as_str().map(str::to_string))
                .unwrap_or_else(|| "uaa".into());
            match state.users.get(&user) {
                Some(u) if u.password == password && u.origin == origin => {
                    (Subject::User(user), true)
                }
                _ => return bad_credentials(),
            }
        }
        Some("client_credentials") if client.client_credentials => {
            (Subject::Client(client.id.clone()), false)
        }
        Some("client_credentials") => {
            return oauth_error(
                StatusCode::UNAUTHORIZED,
                "invalid_client",
                "Unauthorized grant type: client_credentials",
            );
        }
        Some("refresh_token") => {
            let subject =
                field("refresh_token").and_then(|r| state.refresh_tokens.get(&r).cloned());
            match subject.filter(|s| state.actor(s).is_some()) {
                Some(s) => (s, true),
                None => {
                    return oauth_error(
                        StatusCode::UNAUTHORIZED,
                        "invalid_token",
                        "Invalid refresh token.",
                    );
                }
            }
        }
        Some(other) => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                &format!("Unsupported grant type: {other}"),
            );
        }
        None => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "Missing grant type",
            );
        }
    };
    let grant_type = field("grant_type").unwrap_or_default();
    let reuse_refresh = field("refresh_token").filter(|_| grant_type == "refresh_token");
    let issuer = format!("{}/oauth/token", shared.base_url());
    let (access, refresh, ttl) = state.issue_token(
        subject.clone(),
        with_refresh && reuse_refresh.is_none(),
        &grant_type,
        &issuer,
    );
    let refresh = reuse_refresh.or(refresh);
    let mut body = json!({
        "access_token": access,
        "token_type": "bearer",
        "expires_in": (whole_seconds(ttl) - 1).max(0),
        "scope": SCOPES.join(" "),
        "jti": new_guid().replace('-', ""),
    });
    if let Some(r) = refresh {
        body["refresh_token"] = json!(r);
        // Same claims as the access token; clients read it, nothing accepts it.
        body["id_token"] = json!(access.clone());
    }
    let mut resp = axum::Json(body).into_response();
    resp.headers_mut()
        .insert("cache-control", "no-store".parse().expect("header"));
    resp
}
