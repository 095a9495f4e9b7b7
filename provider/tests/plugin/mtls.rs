//! AutoMTLS: only the host that started the process, presenting exactly the
//! certificate it passed in `PLUGIN_CLIENT_CERT`, is served.

use std::time::Duration;

use cloudgov_proto::tfplugin6::get_provider_schema;
use cloudgov_proto::tfplugin6::provider_client::ProviderClient;

use crate::support::*;

async fn schema_call(plugin: &Plugin, identity: Option<&HostCert>) -> Result<(), String> {
    let channel = plugin
        .channel(identity)
        .await
        .map_err(|e| format!("connect: {e:?}"))?;
    ProviderClient::new(channel)
        .get_provider_schema(get_provider_schema::Request {})
        .await
        .map(|_| ())
        .map_err(|e| format!("call: {e}"))
}

#[tokio::test]
async fn mtls_serves_the_pinned_certificate_and_refuses_others() {
    let cert = host_cert();
    let plugin = start(host_command(Some(&cert)));

    schema_call(&plugin, Some(&cert))
        .await
        .expect("the host's own certificate is served");

    let stranger = host_cert();
    let err = schema_call(&plugin, Some(&stranger))
        .await
        .expect_err("another certificate must be refused");
    assert!(!err.is_empty());

    let err = schema_call(&plugin, None)
        .await
        .expect_err("no certificate must be refused");
    assert!(!err.is_empty());

    // Still serving the right client after refusing the others.
    schema_call(&plugin, Some(&cert))
        .await
        .expect("still served");
    let _ = tokio::task::spawn_blocking(move || plugin.finish(Duration::ZERO)).await;
}
