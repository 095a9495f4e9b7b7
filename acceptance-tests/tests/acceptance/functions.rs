//! Provider-defined functions under the CLIs that call them (Terraform 1.15 and
//! OpenTofu; Terraform 1.0 never asks for them and works as before): each result, and
//! an error that names the argument.

use acceptance_tests::{Cli, SimWorkspace};

const CONFIG: &str = r#"
locals {
  src = "1f0e2d3c-0000-4000-8000-000000000001"
  dst = "2a1b3c4d-0000-4000-8000-000000000002"
}

output "id" {
  value = provider::cloudgov::policy_id(local.src, local.dst, "tcp", "8080-8090")
}

output "parts" {
  value = provider::cloudgov::parse_policy_id("${local.src}:${local.dst}:udp:53")
}

output "hostname" {
  value = provider::cloudgov::internal_hostname("My_API v2")
}

output "urls" {
  value = [
    provider::cloudgov::internal_url("backend", 61443),
    provider::cloudgov::internal_url("backend", 8080),
  ]
}
"#;

fn functions(cli: Cli) {
    let Some(env) = SimWorkspace::new(cli) else {
        return;
    };
    env.write("main.tf", CONFIG);
    env.init();
    env.apply();
    let out = env.run(&["output", "-json"]).ok().stdout;
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let src = "1f0e2d3c-0000-4000-8000-000000000001";
    let dst = "2a1b3c4d-0000-4000-8000-000000000002";
    assert_eq!(
        v["id"]["value"],
        format!("{src}:{dst}:tcp:8080-8090").as_str()
    );
    assert_eq!(
        v["parts"]["value"],
        serde_json::json!({
            "source_app_id": src, "destination_app_id": dst, "protocol": "udp",
            "start_port": 53, "end_port": 53,
        })
    );
    assert_eq!(v["hostname"]["value"], "my-api-v2");
    assert_eq!(
        v["urls"]["value"],
        serde_json::json!([
            "https://backend.apps.internal:61443",
            "http://backend.apps.internal:8080"
        ])
    );

    env.write(
        "main.tf",
        "output \"bad\" {\n  value = provider::cloudgov::policy_id(\"backend\", \"frontend\", \"tcp\", \"80\")\n}\n",
    );
    let out = env.run(&["plan", "-no-color"]).failed().output();
    assert!(out.contains("not an app GUID"), "{out}");
    assert!(
        out.contains("source_app_id"),
        "the argument is named: {out}"
    );
}

#[test]
fn functions_terraform_current() {
    functions(Cli::TerraformCurrent);
}

#[test]
fn functions_tofu() {
    functions(Cli::Tofu);
}
