//! The provider block alone: install from a mirror, validate, schema, plan.

use acceptance_tests::{Cli, Workspace};

const PROVIDER_ONLY: &str = r#"terraform {
  required_providers {
    cloudgov = {
      source = "cloud-gov/cloudgov"
    }
  }
}

provider "cloudgov" {
  api_url  = "https://api.example.org"
  user     = "deployer"
  password = "never-shown-anywhere"
}
"#;

fn provider_only(cli: Cli) {
    let Some(ws) = Workspace::new(cli) else {
        return;
    };
    ws.write("main.tf", PROVIDER_ONLY);
    ws.init();
    let validate = ws.run(&["validate", "-no-color"]).ok();
    assert!(
        validate
            .stdout
            .contains("Success! The configuration is valid."),
        "{}",
        validate.stdout
    );

    let schema = ws.run(&["providers", "schema", "-json"]).ok();
    let json: serde_json::Value = serde_json::from_str(&schema.stdout).expect("schema JSON");
    let key = format!("{}/cloud-gov/cloudgov", cli.registry_host());
    let attrs = &json["provider_schemas"][&key]["provider"]["block"]["attributes"];
    for name in [
        "api_url",
        "user",
        "password",
        "client_id",
        "client_secret",
        "access_token",
        "refresh_token",
        "origin",
    ] {
        assert_eq!(attrs[name]["type"], "string", "{name}: {attrs}");
        assert_eq!(attrs[name]["optional"], true, "{name}");
        assert_eq!(attrs[name]["description_kind"], "markdown", "{name}");
    }
    assert_eq!(attrs["skip_ssl_validation"]["type"], "bool");
    for secret in ["password", "client_secret", "access_token", "refresh_token"] {
        assert_eq!(
            attrs[secret]["sensitive"], true,
            "{secret} must be sensitive"
        );
    }

    let plan = ws.run(&["plan", "-no-color", "-input=false"]).ok();
    assert!(plan.stdout.contains("No changes."), "{}", plan.stdout);
    assert!(!plan.stdout.contains("never-shown-anywhere"));
}
for_each_cli!(provider_only_config, super::provider_only);
