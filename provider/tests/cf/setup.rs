//! Setup mistakes fail fast and say what is wrong: a refused connection, a host that
//! does not resolve, `http://` spoken to an HTTPS port and the reverse, each within
//! seconds (not the two-minute budget meant for a platform that answered and then
//! flakes), naming the URL. And a platform answering 500 to 30% of reads still serves
//! every call.

use std::time::{Duration, Instant};

use cloudgov_sim::{FaultKind, FaultRule};
use terraform_provider_cloudgov::cf::{Client, ClientConfig, Error, RetryPolicy};

use crate::support::*;

/// Connects to `url` with the default retry policy (as the provider does) and returns
/// the error and how long it took.
async fn connect_error(url: &str) -> (Error, Duration) {
    let mut cfg = ClientConfig::new(url, password());
    cfg.retry = RetryPolicy::default();
    let start = Instant::now();
    let err = Client::connect(cfg)
        .await
        .expect_err("connecting should fail");
    (err, start.elapsed())
}

fn assert_fast_and_named(case: &str, err: &Error, took: Duration, url: &str, hint: &str) {
    let text = err.to_string();
    assert!(matches!(err, Error::Unreachable { .. }), "{case}: {err:?}");
    assert!(
        took < Duration::from_secs(10),
        "{case}: took {took:?}: {text}"
    );
    assert!(text.contains(url), "{case}: the URL is named: {text}");
    assert!(text.contains(hint), "{case}: {text}");
}

#[tokio::test]
async fn setup_mistakes_fail_fast_naming_the_url() {
    capture_logs();
    // Nothing listens on port 1.
    let (err, took) = connect_error("https://127.0.0.1:1").await;
    assert_fast_and_named(
        "refused",
        &err,
        took,
        "https://127.0.0.1:1/",
        "Nothing accepts connections there",
    );

    // A typo in the top-level domain never resolves.
    let (err, took) = connect_error("https://api.fr.cloud.gvo").await;
    assert_fast_and_named(
        "typo",
        &err,
        took,
        "https://api.fr.cloud.gvo/",
        "does not resolve",
    );

    // Plain HTTP to an HTTPS port.
    let tls = sim_with(|c| c.tls = true).await;
    let port = tls.url.rsplit(':').next().unwrap().to_string();
    let url = format!("http://127.0.0.1:{port}");
    let (err, took) = connect_error(&url).await;
    assert_fast_and_named("http to https", &err, took, &url, "write https://");

    // TLS to a plain HTTP port.
    let plain = sim().await;
    let url = plain.url.replace("http://", "https://");
    let (err, took) = connect_error(&url).await;
    assert_fast_and_named("https to http", &err, took, &url, "write http://");
}

#[tokio::test]
async fn setup_api_url_with_a_path_is_explained() {
    let sim = sim().await;
    let mut cfg = config(&sim, password());
    cfg.api_url = format!("{}/v3", sim.url);
    let err = Client::connect(cfg).await.err().unwrap();
    let text = err.to_string();
    assert!(text.contains("is not a Cloud Foundry API"), "{text}");
    assert!(text.contains("without a path"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn setup_500_on_30_percent_of_reads_is_retried() {
    let sim = sim_with(|c| c.fault_seed = 11).await;
    sim.handle.add_fault(FaultRule {
        path: "*".into(),
        method: Some("GET".into()),
        kind: FaultKind::Status { status: 500 },
        probability: 0.3,
        times: None,
    });
    // Discovery and login are among the calls that meet the faults.
    let client = client(&sim).await;
    let dev = sim.handle.space_guid("dev").unwrap();
    for _ in 0..20 {
        assert!(client.space(&dev).await.unwrap().is_some());
        client.list_policies(&[]).await.unwrap();
        assert!(
            client
                .find_route("nothing-here", "0badc0de-0000-4000-8000-000000000000")
                .await
                .unwrap()
                .is_none()
        );
    }
    // 43 calls (discovery, login, one space read that is then cached, 20 policy
    // lists, 20 route lookups): every request beyond those is a retried 500.
    assert!(
        sim.handle.stats().values().sum::<u64>() > 43,
        "faults fired and were retried: {:?}",
        sim.handle.stats()
    );
    assert_no_secrets_logged(&sim);
}
