//! Data sources: lookups by name, a clear error naming what was looked for and
//! where, and the policy list of an app.

use acceptance_tests::{Cli, SimWorkspace};

use crate::LOOKUPS;

fn lookups(cli: Cli) {
    let Some(env) = SimWorkspace::new(cli) else {
        return;
    };
    let front = env.sim.handle.app_guid("dev", "frontend").unwrap();
    let back = env.sim.handle.app_guid("dev", "backend").unwrap();
    env.write(
        "main.tf",
        &format!(
            r#"{LOOKUPS}
data "cloudgov_domain" "internal" {{
  name = "apps.internal"
}}

resource "cloudgov_network_policy" "p" {{
  source_app_id      = data.cloudgov_app.frontend.id
  destination_app_id = data.cloudgov_app.backend.id
  port               = "61443"
}}

data "cloudgov_network_policies" "backend" {{
  app_id     = data.cloudgov_app.backend.id
  depends_on = [cloudgov_network_policy.p]
}}

output "ids" {{
  value = {{
    org      = data.cloudgov_org.sandbox.id
    space    = data.cloudgov_space.dev.id
    frontend = data.cloudgov_app.frontend.id
    state    = data.cloudgov_app.frontend.state
    domain   = data.cloudgov_domain.internal.id
    internal = data.cloudgov_domain.internal.internal
  }}
}}

output "policies" {{
  value = data.cloudgov_network_policies.backend.policies
}}
"#
        ),
    );
    env.init();
    env.apply();
    let out = env.run(&["output", "-json"]).ok();
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let ids = &v["ids"]["value"];
    assert_eq!(ids["frontend"], front.as_str());
    assert_eq!(ids["space"], env.sim.handle.space_guid("dev").unwrap());
    assert_eq!(ids["state"], "STARTED");
    assert_eq!(ids["internal"], true);
    let p = &v["policies"]["value"][0];
    assert_eq!(p["id"], format!("{front}:{back}:tcp:61443-61443"));
    assert_eq!(p["port"], "61443");
    assert_eq!(p["tls"], true);
    assert_eq!(v["policies"]["value"].as_array().unwrap().len(), 1);
}
for_each_cli!(data_sources_look_up_by_name, super::lookups);

fn not_found(cli: Cli) {
    let Some(env) = SimWorkspace::new(cli) else {
        return;
    };
    env.write(
        "main.tf",
        r#"data "cloudgov_org" "sandbox" {
  name = "sandbox"
}

data "cloudgov_space" "dev" {
  name   = "dev"
  org_id = data.cloudgov_org.sandbox.id
}

data "cloudgov_app" "missing" {
  name     = "no-such-app"
  space_id = data.cloudgov_space.dev.id
}
"#,
    );
    env.init();
    let out = env.run(&["plan", "-no-color"]).failed().output();
    assert!(out.contains("App Not Found"), "{out}");
    assert!(
        out.contains(
            "No app named \"no-such-app\" is visible in space \"dev\" of organization \"sandbox\"."
        ),
        "{out}"
    );
    // The restricted space is invisible to the deployer: the same clear answer.
    env.write(
        "main.tf",
        r#"data "cloudgov_org" "sandbox" {
  name = "sandbox"
}

data "cloudgov_space" "restricted" {
  name   = "restricted"
  org_id = data.cloudgov_org.sandbox.id
}
"#,
    );
    let out = env.run(&["plan", "-no-color"]).failed().output();
    assert!(out.contains("Space Not Found"), "{out}");
    assert!(
        out.contains("No space named \"restricted\" is visible in organization \"sandbox\"."),
        "{out}"
    );
}
for_each_cli!(data_sources_not_found_says_what_and_where, super::not_found);

/// `cloudgov_app` by organization and space names finds the same app as the chain
/// org → space → app, and `cloudgov_space` takes an organization name; a misspelt
/// space is named in the error.
fn lookups_by_names(cli: Cli) {
    let Some(env) = SimWorkspace::new(cli) else {
        return;
    };
    env.write(
        "main.tf",
        &format!(
            r#"{LOOKUPS}
data "cloudgov_app" "backend_by_names" {{
  name       = "backend"
  org_name   = "sandbox"
  space_name = "dev"
}}

data "cloudgov_space" "dev_by_org_name" {{
  name     = "dev"
  org_name = "sandbox"
}}

output "ids" {{
  value = {{
    chain       = data.cloudgov_app.backend.id
    by_names    = data.cloudgov_app.backend_by_names.id
    space       = data.cloudgov_app.backend_by_names.space_id
    space_chain = data.cloudgov_space.dev.id
    space_names = data.cloudgov_space.dev_by_org_name.id
    org         = data.cloudgov_space.dev_by_org_name.org_id
    org_chain   = data.cloudgov_org.sandbox.id
  }}
}}
"#
        ),
    );
    env.init();
    env.apply();
    let out = env.run(&["output", "-json"]).ok();
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let ids = &v["ids"]["value"];
    let backend = env.sim.handle.app_guid("dev", "backend").unwrap();
    let dev = env.sim.handle.space_guid("dev").unwrap();
    assert_eq!(ids["chain"], backend.as_str());
    assert_eq!(ids["by_names"], backend.as_str());
    assert_eq!(ids["space"], dev.as_str());
    assert_eq!(ids["space_chain"], dev.as_str());
    assert_eq!(ids["space_names"], dev.as_str());
    assert_eq!(ids["org"], ids["org_chain"]);
    assert!(ids["org"].as_str().is_some_and(|s| !s.is_empty()));
    env.assert_no_changes();

    env.write(
        "main.tf",
        r#"data "cloudgov_app" "a" {
  name       = "backend"
  org_name   = "sandbox"
  space_name = "devv"
}
"#,
    );
    let out = env.run(&["plan", "-no-color"]).failed().output();
    assert!(out.contains("Space Not Found"), "{out}");
    assert!(
        out.contains("No space named \"devv\" is visible in organization \"sandbox\"."),
        "{out}"
    );
}
for_each_cli!(data_sources_look_up_by_names, super::lookups_by_names);
