//! The `cloudgov-sim` command line: one stdout line, TLS with a CA file, clean stop
//! on SIGTERM, and state kept across restarts.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

fn start(args: &[&str]) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_cloudgov-sim"))
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.as_mut().unwrap())
        .read_line(&mut line)
        .unwrap();
    (child, line.trim().to_string())
}

fn stop(mut child: Child) -> String {
    let pid = child.id().to_string();
    Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "did not stop on SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(child.wait().unwrap().success());
    let mut rest = String::new();
    std::io::Read::read_to_string(child.stdout.as_mut().unwrap(), &mut rest).unwrap();
    rest
}

#[tokio::test]
async fn binary_prints_its_url_serves_tls_with_the_written_ca_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let ca = dir.join("ca.pem");
    let (child, url) = start(&[
        "--listen",
        "127.0.0.1:0",
        "--tls",
        "--ca-out",
        ca.to_str().unwrap(),
    ]);
    assert!(url.starts_with("https://localhost:"), "{url}");
    let pem = std::fs::read(&ca).unwrap();
    let trusted = reqwest::Client::builder()
        .tls_certs_only([reqwest::Certificate::from_pem(&pem).unwrap()])
        .build()
        .unwrap();
    let v: Value = trusted
        .get(format!("{url}/"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["links"]["self"]["href"], url);
    let untrusted = reqwest::Client::builder()
        .tls_certs_only([])
        .build()
        .unwrap();
    assert!(
        untrusted.get(format!("{url}/")).send().await.is_err(),
        "the CA must be needed"
    );
    assert_eq!(stop(child), "", "nothing after the URL line on stdout");
}

#[tokio::test]
async fn binary_keeps_state_across_restarts() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let state = dir.join("state.json");
    let (child, url) = start(&["--state-file", state.to_str().unwrap()]);
    let http = reqwest::Client::new();
    let token: Value = http
        .post(format!("{url}/oauth/token"))
        .basic_auth("cf", Some(""))
        .form(&[
            ("grant_type", "password"),
            ("username", "admin"),
            ("password", "admin"),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let t = token["access_token"].as_str().unwrap().to_string();
    let policy = serde_json::json!({"policies": [{"source": {"id": "a"}, "destination": {"id": "b", "protocol": "udp", "ports": {"start": 53, "end": 53}}}]});
    let status = http
        .post(format!("{url}/networking/v1/external/policies"))
        .bearer_auth(&t)
        .json(&policy)
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, 200);
    stop(child);
    assert!(state.exists());
    let (child, url) = start(&["--state-file", state.to_str().unwrap()]);
    let v: Value = http
        .get(format!("{url}/networking/v1/external/policies"))
        .bearer_auth(&t)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        v["total_policies"], 1,
        "the policy and the token both survived the restart"
    );
    stop(child);
}
