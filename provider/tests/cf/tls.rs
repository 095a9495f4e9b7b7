//! Certificate trust against `cloudgov-sim --tls`: SSL_CERT_FILE works; without it
//! the failure says so in plain words with both remedies; skip_ssl_validation works
//! and warns.

use terraform_provider_cloudgov::cf::{Client, Error, Trust};

use crate::support::*;

#[tokio::test]
async fn tls_trust_comes_from_ssl_cert_file() {
    let sim = sim_with(|c| c.tls = true).await;
    let dir = tempfile::tempdir().unwrap();
    let ca = dir.path().join("ca.pem");
    std::fs::write(&ca, sim.ca_pem.as_ref().unwrap()).unwrap();
    let mut cfg = config(&sim, password());
    cfg.trust = Trust::from_env(
        |k| (k == "SSL_CERT_FILE").then(|| ca.display().to_string()),
        false,
    );
    let client = Client::connect(cfg).await.unwrap();
    assert!(
        client
            .domain_by_name("apps.internal")
            .await
            .unwrap()
            .unwrap()
            .internal
    );
}

#[tokio::test]
async fn tls_untrusted_certificate_is_explained_with_both_remedies() {
    let sim = sim_with(|c| c.tls = true).await;
    let mut cfg = config(&sim, password());
    cfg.trust = Trust::default();
    let err = Client::connect(cfg).await.err().unwrap();
    assert!(matches!(err, Error::Certificate { .. }), "{err:?}");
    let text = err.to_string();
    assert!(
        text.starts_with(&format!(
            "the TLS certificate of {}/ is not trusted",
            sim.url
        )),
        "{text}"
    );
    assert!(
        text.contains("SSL_CERT_FILE") && text.contains("skip_ssl_validation"),
        "{text}"
    );
}

#[tokio::test]
async fn tls_skip_validation_works_and_warns() {
    let sim = sim_with(|c| c.tls = true).await;
    let mut cfg = config(&sim, password());
    cfg.trust = Trust {
        skip_verification: true,
        ..Trust::default()
    };
    let client = Client::connect(cfg).await.unwrap();
    assert!(client.org_by_name("sandbox").await.unwrap().is_some());
    assert!(logs().contains("skip_ssl_validation is set: TLS certificates are NOT verified"));
}
