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

fn invalid_api_url(cli: Cli) {
    let Some(ws) = Workspace::new(cli) else {
        return;
    };
    ws.write(
        "main.tf",
        &format!(
            "{}\ndata \"cloudgov_org\" \"o\" {{\n  name = \"sandbox\"\n}}\n",
            PROVIDER_ONLY.replace("https://api.example.org", "api.example.org")
        ),
    );
    ws.init();
    let out = ws.run(&["plan", "-no-color"]).failed().output();
    assert!(out.contains("Invalid API URL"), "{out}");
    assert!(out.contains("\"https://api.example.org\""), "{out}");
    assert!(
        out.contains("api_url"),
        "the diagnostic names the attribute: {out}"
    );
    assert!(!out.contains("never-shown-anywhere"));
}
for_each_cli!(provider_invalid_api_url, super::invalid_api_url);

fn wrong_password(cli: Cli) {
    let Some(env) = acceptance_tests::SimWorkspace::new(cli) else {
        return;
    };
    let mut env = env;
    env.ws.env("CF_PASSWORD", "not-the-password-93c1");
    env.write(
        "main.tf",
        "data \"cloudgov_org\" \"o\" {\n  name = \"sandbox\"\n}\n",
    );
    env.init();
    let out = env.run(&["plan", "-no-color"]).failed().output();
    assert!(out.contains("Provider Configuration Error"), "{out}");
    assert!(out.contains("logging in with user and password"), "{out}");
    assert!(out.contains("Bad credentials"), "{out}");
    assert!(!out.contains("not-the-password-93c1"), "{out}");
}
for_each_cli!(provider_wrong_password_is_clear, super::wrong_password);
