//! The official `cloudfoundry/cloudfoundry` provider (v1.16, the prebuilt binary in
//! `../shared/tools/terraform-provider-cloudfoundry/`) beside this one, against
//! cloudgov-sim over HTTPS, under Terraform 1.15: `examples/with-cloudfoundry-provider`
//! (apps from Docker images, connected by cloudgov, then a blue-green replacement of
//! the destination), and a platform team's configuration (org, space, private domain,
//! route). Every step is followed by an empty plan and checked in the simulator.
//! Required in CI; in a clone without `../shared` these tests say they were skipped.

use std::path::PathBuf;

use acceptance_tests::{Cli, SimWorkspace, workspace_root};
use cloudgov_sim::model::{App, State};

pub(crate) const OFFICIAL: &str = "cloudfoundry/cloudfoundry";
pub(crate) const OFFICIAL_VERSION: &str = "1.16.0";

/// The official provider's binary, or None (announced) where `../shared` is absent.
/// With `CI=true` it is required.
pub(crate) fn official_provider() -> Option<PathBuf> {
    let path = workspace_root().parent().map(|p| {
        p.join("shared/tools/terraform-provider-cloudfoundry")
            .join(format!(
                "terraform-provider-cloudfoundry_v{OFFICIAL_VERSION}"
            ))
    })?;
    if path.is_file() {
        return Some(path);
    }
    assert!(
        std::env::var("CI").map_or(true, |v| v != "true"),
        "the official provider is required when CI=true: {} is missing",
        path.display()
    );
    eprintln!(
        "SKIPPED: the official cloudfoundry provider is not at {} (a clone without ../shared); this test did not run",
        path.display()
    );
    None
}

/// A Terraform 1.15 workspace on an HTTPS simulator with both providers in its
/// mirror and `main.tf` written (the harness's `providers.tf` removed: the
/// configuration declares both providers itself).
fn workspace(main_tf: &str) -> Option<SimWorkspace> {
    let official = official_provider()?;
    let env = SimWorkspace::new_tls(Cli::TerraformCurrent)?;
    env.mirror_provider(OFFICIAL, OFFICIAL_VERSION, &official);
    std::fs::remove_file(env.work_dir().join("providers.tf")).unwrap();
    env.write("main.tf", main_tf);
    Some(env)
}

fn app_named<'a>(s: &'a State, space: &str, name: &str) -> Option<&'a App> {
    s.apps
        .values()
        .find(|a| a.space_guid == space && a.name == name)
}

/// The apps the route `host.apps.internal` sends traffic to.
fn internal_destinations(s: &State, host: &str) -> Vec<String> {
    s.routes
        .values()
        .filter(|r| r.host == host && s.domains[&r.domain_guid].internal)
        .flat_map(|r| r.destinations.iter().map(|d| d.app_guid.clone()))
        .collect()
}

/// Asserts the path web → api on 61443 through `api-dev.apps.internal`, and returns
/// api's id.
fn assert_path(env: &SimWorkspace, image: &str) -> String {
    let dev = env.sim.handle.space_guid("dev").unwrap();
    let s = env.sim.handle.state();
    let api = app_named(&s, &dev, "api").expect("api exists");
    let web = app_named(&s, &dev, "web").expect("web exists");
    assert_eq!(api.state, "STARTED");
    assert_eq!(web.state, "STARTED");
    assert_eq!(api.image.as_deref(), Some(image));
    assert_eq!(
        web.env.get("API_URL").map(String::as_str),
        Some("https://api-dev.apps.internal:61443")
    );
    assert_eq!(
        internal_destinations(&s, "api-dev"),
        std::slice::from_ref(&api.guid)
    );
    let into_api: Vec<_> = s
        .policies
        .iter()
        .filter(|p| p.destination == api.guid)
        .collect();
    assert_eq!(into_api.len(), 1, "{:?}", s.policies);
    assert_eq!(into_api[0].source, web.guid);
    assert_eq!((into_api[0].start, into_api[0].end), (61443, 61443));
    api.guid.clone()
}

#[test]
fn with_cloudfoundry_provider_example_keeps_the_path_through_blue_green() {
    let example = workspace_root().join("examples/with-cloudfoundry-provider/main.tf");
    let Some(env) = workspace(&std::fs::read_to_string(example).unwrap()) else {
        return;
    };
    env.init();
    let out = env.apply().output();
    assert!(out.contains("Apply complete! Resources: 5 added"), "{out}");
    env.assert_no_changes();
    let blue = assert_path(&env, "nginx:1.27");

    // A new image: the official provider replaces api blue-green (a new app), and in
    // the same apply the internal route and the policy follow the new id, in place.
    env.sim.handle.with_state(|s| s.policy_log.clear());
    env.write("terraform.tfvars", "api_image = \"nginx:1.28\"\n");
    let out = env.apply().output();
    assert!(
        out.contains("cloudgov_network_policy.web_to_api will be updated in-place")
            && out.contains("cloudgov_internal_route.api will be updated in-place")
            && !out.contains("must be replaced"),
        "{out}"
    );
    env.assert_no_changes();
    let green = assert_path(&env, "nginx:1.28");
    assert_ne!(green, blue, "blue-green makes a new app");
    // The old app is gone before cloudgov moves the policy, so the policy server
    // refuses to delete its policy and leaves it to its own cleanup; the apply says so.
    assert!(
        out.contains("Network Policy Left to the Platform's Cleanup"),
        "{out}"
    );
    assert!(
        !env.sim.handle.state().apps.contains_key(&blue),
        "the old app is gone"
    );
    let log: Vec<(bool, String)> = env
        .sim
        .handle
        .state()
        .policy_log
        .iter()
        .map(|(added, p)| (*added, p.destination.clone()))
        .collect();
    assert_eq!(
        log,
        vec![(true, green.clone())],
        "the new policy, nothing removed"
    );
    env.sim.handle.with_state(|s| s.cleanup_policies());
    let s = env.sim.handle.state();
    assert!(
        !s.policies
            .iter()
            .any(|p| p.destination == blue || p.source == blue),
        "no policy names the old app after the platform's cleanup: {:?}",
        s.policies
    );
    env.assert_no_changes();
    let shown = env.run(&["output", "-json", "api"]).ok().stdout;
    let shown: serde_json::Value = serde_json::from_str(&shown).unwrap();
    assert_eq!(shown["id"], green.as_str());
    assert_eq!(shown["docker_image"], "nginx:1.28");
    assert_eq!(shown["reachable"], true);
    assert_eq!(shown["tls"], true);

    // A rolling deployment keeps the app: the plan cannot know that (the official
    // provider marks the id unknown), but the policy is never removed on the way.
    env.sim.handle.with_state(|s| s.policy_log.clear());
    env.write(
        "terraform.tfvars",
        "api_image = \"nginx:1.29\"\napi_strategy = \"rolling\"\n",
    );
    env.apply();
    env.assert_no_changes();
    assert_eq!(
        assert_path(&env, "nginx:1.29"),
        green,
        "rolling keeps the app"
    );
    let removed: Vec<_> = env
        .sim
        .handle
        .state()
        .policy_log
        .iter()
        .filter(|(added, _)| !added)
        .cloned()
        .collect();
    assert!(removed.is_empty(), "a policy was removed: {removed:?}");

    env.run(&["destroy", "-auto-approve", "-no-color"]).ok();
    let dev = env.sim.handle.space_guid("dev").unwrap();
    let s = env.sim.handle.state();
    assert!(app_named(&s, &dev, "api").is_none() && app_named(&s, &dev, "web").is_none());
    assert!(s.routes.is_empty(), "{:?}", s.routes);
    assert!(s.policies.is_empty(), "{:?}", s.policies);
}

/// What a platform team applies with admin rights: an organization, a space in it, a
/// private domain and a route on it.
const PLATFORM_TF: &str = r#"terraform {
  required_providers {
    cloudfoundry = {
      source  = "cloudfoundry/cloudfoundry"
      version = "~> 1.16"
    }
  }
}

provider "cloudfoundry" {}

resource "cloudfoundry_org" "team" {
  name = "team"
}

resource "cloudfoundry_space" "staging" {
  name = "staging"
  org  = cloudfoundry_org.team.id
}

resource "cloudfoundry_domain" "private" {
  name = "team.example.gov"
  org  = cloudfoundry_org.team.id
}

resource "cloudfoundry_route" "www" {
  space  = cloudfoundry_space.staging.id
  domain = cloudfoundry_domain.private.id
  host   = "www"
}

data "cloudfoundry_domain" "private" {
  name       = cloudfoundry_domain.private.name
  depends_on = [cloudfoundry_domain.private]
}

output "domain_org" {
  value = data.cloudfoundry_domain.private.org
}
"#;

#[test]
fn cloudfoundry_provider_org_space_domain_and_route_apply_and_destroy() {
    let Some(mut env) = workspace(PLATFORM_TF) else {
        return;
    };
    env.ws.env("CF_USER", "admin");
    env.ws.env("CF_PASSWORD", "admin");
    env.init();
    env.apply();
    env.assert_no_changes();
    let s = env.sim.handle.state();
    let org = s
        .orgs
        .values()
        .find(|o| o.name == "team")
        .expect("org made");
    let space = s
        .spaces
        .values()
        .find(|sp| sp.name == "staging")
        .expect("space made");
    assert_eq!(space.org_guid, org.guid);
    let domain = s
        .domains
        .values()
        .find(|d| d.name == "team.example.gov")
        .expect("domain made");
    assert_eq!(domain.org_guid.as_deref(), Some(org.guid.as_str()));
    assert!(
        s.routes
            .values()
            .any(|r| r.host == "www" && r.domain_guid == domain.guid && r.space_guid == space.guid)
    );
    let shown = env.run(&["output", "-raw", "domain_org"]).ok().stdout;
    assert_eq!(shown, org.guid);

    env.run(&["destroy", "-auto-approve", "-no-color"]).ok();
    let s = env.sim.handle.state();
    assert!(!s.orgs.values().any(|o| o.name == "team"));
    assert!(!s.spaces.values().any(|sp| sp.name == "staging"));
    assert!(!s.domains.values().any(|d| d.name == "team.example.gov"));
    assert!(s.routes.is_empty());
}
