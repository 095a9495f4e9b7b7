//! What reaches the provider's logs: structured JSON lines at the level the host asks
//! for, and never the value of a sensitive attribute.

use std::time::Duration;

use cloudgov_proto::plugin::Empty;
use cloudgov_proto::tfplugin6::{DynamicValue, configure_provider};

use crate::support::*;

const SECRETS: [&str; 4] = [
    "pa55-word-never-logged",
    "client-secret-never-logged",
    "access-token-never-logged",
    "refresh-token-never-logged",
];

fn provider_config_msgpack(api_url: &str) -> Vec<u8> {
    use rmpv::Value as Mp;
    let s = |v: &str| Mp::from(v);
    let config = Mp::Map(vec![
        (s("api_url"), s(api_url)),
        (s("user"), s("deployer")),
        (s("password"), s(SECRETS[0])),
        (s("client_id"), s("pipeline")),
        (s("client_secret"), s(SECRETS[1])),
        (s("access_token"), s(SECRETS[2])),
        (s("refresh_token"), s(SECRETS[3])),
        (s("origin"), Mp::Nil),
        (s("skip_ssl_validation"), Mp::Nil),
    ]);
    let mut out = Vec::new();
    rmpv::encode::write_value(&mut out, &config).unwrap();
    out
}

#[tokio::test]
async fn logging_never_shows_sensitive_values_at_any_level() {
    let sim = cloudgov_sim::Simulator::start(cloudgov_sim::Config::default())
        .await
        .unwrap();
    sim.handle
        .with_state(|s| s.users.get_mut("deployer").unwrap().password = SECRETS[0].into());
    for level in ["trace", "debug", "info", "warn", "error"] {
        let cert = host_cert();
        let mut cmd = host_command(Some(&cert));
        cmd.env("TF_LOG_PROVIDER", level);
        let plugin = start(cmd);
        let mut provider = plugin.provider(&cert).await;
        let resp = provider
            .configure_provider(configure_provider::Request {
                terraform_version: "1.0.3".into(),
                config: Some(DynamicValue {
                    msgpack: provider_config_msgpack(&sim.url),
                    json: Vec::new(),
                }),
                client_capabilities: None,
            })
            .await
            .unwrap()
            .into_inner();
        assert!(resp.diagnostics.is_empty(), "{:?}", resp.diagnostics);
        plugin
            .controller(&cert)
            .await
            .shutdown(Empty {})
            .await
            .unwrap();
        let (_, _, stderr) =
            tokio::task::spawn_blocking(move || plugin.finish(Duration::from_secs(2)))
                .await
                .unwrap();
        for secret in SECRETS {
            assert!(
                !stderr.contains(secret),
                "{secret} appeared in {level} logs:\n{stderr}"
            );
        }
        if level == "trace" {
            // The configuration was logged, with its sensitive values blanked.
            let line = stderr
                .lines()
                .find(|l| l.contains("configuring provider"))
                .unwrap_or_else(|| panic!("no configuration entry in trace logs:\n{stderr}"));
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            assert_eq!(v["@level"], "trace");
            assert_eq!(v["@module"], "provider.terraform-provider-cloudgov");
            assert!(v["config"].as_str().unwrap().contains("deployer"), "{line}");
            assert!(
                v["config"].as_str().unwrap().contains("(sensitive value)"),
                "{line}"
            );
        }
    }
}
