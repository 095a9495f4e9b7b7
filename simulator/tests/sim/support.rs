//! Starting a simulator and talking to it as a user or admin.

use cloudgov_sim::{Config, Simulator};
use reqwest::{Client, Method, Response};
use serde_json::Value;

pub(crate) async fn sim() -> Simulator {
    Simulator::start(Config::default())
        .await
        .expect("start simulator")
}

pub(crate) async fn sim_with(f: impl FnOnce(&mut Config)) -> Simulator {
    let mut config = Config::default();
    f(&mut config);
    Simulator::start(config).await.expect("start simulator")
}

pub(crate) fn client() -> Client {
    Client::builder().build().unwrap()
}

/// A password-grant token.
pub(crate) async fn login(sim: &Simulator, user: &str, password: &str) -> String {
    let resp = client()
        .post(format!("{}/oauth/token", sim.url))
        .basic_auth("cf", Some(""))
        .form(&[
            ("grant_type", "password"),
            ("username", user),
            ("password", password),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200, "login as {user}");
    resp.json::<Value>().await.unwrap()["access_token"]
        .as_str()
        .unwrap()
        .to_string()
}

/// An authenticated request; returns status and body text.
pub(crate) async fn call(
    sim: &Simulator,
    token: Option<&str>,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> (u16, String) {
    let mut req = client().request(method, format!("{}{path}", sim.url));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    if let Some(b) = body {
        req = req.json(&b);
    }
    let resp: Response = req.send().await.unwrap();
    let status = resp.status().as_u16();
    (status, resp.text().await.unwrap())
}

pub(crate) async fn call_json(
    sim: &Simulator,
    token: &str,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let (status, text) = call(sim, Some(token), method, path, body).await;
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// `{"policies":[one]}`.
pub(crate) fn policy_body(src: &str, dst: &str, protocol: &str, start: i64, end: i64) -> Value {
    serde_json::json!({"policies": [{"source": {"id": src}, "destination": {"id": dst, "protocol": protocol, "ports": {"start": start, "end": end}}}]})
}

pub(crate) const POLICIES: &str = "/networking/v1/external/policies";
