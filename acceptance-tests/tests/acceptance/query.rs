//! Current Terraform only (1.12+ for identity, 1.14+ for `terraform query`): import
//! by identity, and adoption of networking made outside Terraform with
//! `terraform query -generate-config-out`. Terraform 1.0.3 and OpenTofu never call
//! these RPCs; the rest of the matrix shows they keep working.

use acceptance_tests::{Cli, SimWorkspace, workspace_root};
use cloudgov_sim::Policy;
use cloudgov_sim::model::{NewDestination, NewRoute, Subject};

use crate::LOOKUPS;

/// A route `host` in `dev` mapped to `app`, and policies, made directly through the
/// platform's API as `cf map-route` and `cf add-network-policy` would.
fn make_by_hand(env: &SimWorkspace, host: &str, app: &str, policies: &[Policy]) -> String {
    let dev = env.sim.handle.space_guid("dev").unwrap();
    let domain = env.sim.handle.domain_guid("apps.internal").unwrap();
    let app = env.sim.handle.app_guid("dev", app).unwrap();
    env.sim.handle.with_state(|s| {
        let admin = s.actor(&Subject::User("admin".into())).unwrap();
        let route = s
            .create_route(
                &admin,
                NewRoute {
                    host: host.into(),
                    space_guid: dev,
                    domain_guid: domain,
                    ..Default::default()
                },
            )
            .unwrap();
        s.insert_destinations(
            &admin,
            &route.guid,
            &[NewDestination {
                app_guid: app,
                ..Default::default()
            }],
        )
        .unwrap();
        for p in policies {
            s.policies.insert(p.clone());
        }
        route.guid
    })
}

fn policy(env: &SimWorkspace, from: &str, to: &str, port: u32) -> Policy {
    Policy {
        source: env.sim.handle.app_guid("dev", from).unwrap(),
        destination: env.sim.handle.app_guid("dev", to).unwrap(),
        protocol: "tcp".into(),
        start: port,
        end: port,
    }
}

#[test]
fn import_by_identity() {
    let Some(env) = SimWorkspace::new(Cli::TerraformCurrent) else {
        return;
    };
    let p = policy(&env, "frontend", "backend", 61443);
    let route = make_by_hand(&env, "backend", "backend", std::slice::from_ref(&p));
    env.write(
        "main.tf",
        &format!(
            r#"{LOOKUPS}
resource "cloudgov_internal_route" "backend" {{
  space_id     = data.cloudgov_space.dev.id
  hostname     = "backend"
  destinations = [{{ app_id = data.cloudgov_app.backend.id }}]
}}

resource "cloudgov_network_policy" "tls" {{
  source_app_id      = data.cloudgov_app.frontend.id
  destination_app_id = data.cloudgov_app.backend.id
  port               = "61443"
}}

import {{
  to       = cloudgov_internal_route.backend
  identity = {{ id = "{route}" }}
}}

import {{
  to = cloudgov_network_policy.tls
  identity = {{
    source_app_id      = "{}"
    destination_app_id = "{}"
    protocol           = "tcp"
    start_port         = 61443
    end_port           = 61443
  }}
}}
"#,
            p.source, p.destination
        ),
    );
    env.init();
    let (changes, plan) = env.plan_changes().unwrap();
    assert!(changes);
    assert!(
        plan.stdout
            .contains("Plan: 2 to import, 0 to add, 0 to change, 0 to destroy."),
        "{}",
        plan.stdout
    );
    env.apply();
    env.assert_no_changes();
    let state = env.state();
    assert_eq!(
        state["cloudgov_internal_route.backend"]["id"],
        route.as_str()
    );
    assert_eq!(env.sim.handle.state().routes.len(), 1);
    assert_eq!(env.sim.handle.state().policies.len(), 1);

    // Identity is stored and stays stable across refreshes.
    let show = env.run(&["show", "-json", "-no-color"]).ok();
    let v: serde_json::Value = serde_json::from_str(&show.stdout).unwrap();
    let resources = v["values"]["root_module"]["resources"].as_array().unwrap();
    let identity = |addr: &str| {
        resources
            .iter()
            .find(|r| r["address"] == addr)
            .map(|r| r["identity"].clone())
            .unwrap()
    };
    assert_eq!(
        identity("cloudgov_internal_route.backend")["id"],
        route.as_str()
    );
    assert_eq!(identity("cloudgov_network_policy.tls")["start_port"], 61443);
    env.run(&["apply", "-refresh-only", "-auto-approve", "-no-color"])
        .ok();
    env.assert_no_changes();

    // A port change keeps working with identity in state: the identity follows the
    // new policy.
    env.write(
        "main.tf",
        &std::fs::read_to_string(env.work_dir().join("main.tf"))
            .unwrap()
            .replace(
                "port               = \"61443\"",
                "port               = \"8443\"",
            ),
    );
    env.apply();
    env.assert_no_changes();
    assert_eq!(
        env.sim
            .handle
            .state()
            .policies
            .into_iter()
            .next()
            .unwrap()
            .start,
        8443
    );
}

/// The guide's example (`examples/adopting`), as its steps run it: a route and two
/// policies made by hand are listed by `terraform query`, the configuration it
/// generates plans as 3 imports and nothing else, and after the apply the plan is
/// empty. Listing a space costs a handful of requests, not one per object.
#[test]
fn query_adopts_what_the_cf_cli_made() {
    let Some(env) = SimWorkspace::new(Cli::TerraformCurrent) else {
        return;
    };
    let tls = policy(&env, "frontend", "backend", 61443);
    let plain = policy(&env, "worker", "backend", 8080);
    let route = make_by_hand(&env, "backend", "backend", &[tls, plain]);
    let example = workspace_root().join("examples/adopting");
    for file in ["providers.tf", "adopt.tfquery.hcl"] {
        env.write(file, &std::fs::read_to_string(example.join(file)).unwrap());
    }
    let space = format!("space_id={}", env.sim.handle.space_guid("dev").unwrap());
    env.init();
    env.sim.handle.reset_stats();
    let out = env
        .run(&["query", "-no-color", "-var", &space])
        .ok()
        .output();
    assert!(out.contains("backend.apps.internal"), "{out}");
    assert!(out.contains("frontend → backend tcp 61443"), "{out}");
    assert!(out.contains("worker → backend tcp 8080"), "{out}");
    assert!(out.contains(&route), "{out}");
    let platform: u64 = env
        .sim
        .handle
        .stats()
        .iter()
        .filter(|(k, _)| k.contains("/v3/") || k.contains("/networking/"))
        .map(|(_, n)| n)
        .sum();
    assert!(
        platform <= 5,
        "listing a space took {platform} requests: {:?}",
        env.sim.handle.stats()
    );

    env.run(&[
        "query",
        "-no-color",
        "-var",
        &space,
        "-generate-config-out=generated.tf",
    ])
    .ok();
    let generated = std::fs::read_to_string(env.work_dir().join("generated.tf")).unwrap();
    assert_eq!(generated.matches("import {").count(), 3, "{generated}");
    let (changes, plan) = env.plan_changes().unwrap();
    assert!(changes);
    assert!(
        plan.stdout
            .contains("Plan: 3 to import, 0 to add, 0 to change, 0 to destroy."),
        "{}",
        plan.stdout
    );
    env.apply();
    env.assert_no_changes();
    assert_eq!(env.state().len(), 3);
    assert_eq!(env.sim.handle.state().routes.len(), 1);
    assert_eq!(env.sim.handle.state().policies.len(), 2);
}

/// Each list-resource example runs with `terraform query`.
#[test]
fn list_resource_examples_run() {
    for name in ["cloudgov_internal_route", "cloudgov_network_policy"] {
        let Some(env) = SimWorkspace::new(Cli::TerraformCurrent) else {
            return;
        };
        make_by_hand(
            &env,
            "backend",
            "backend",
            &[policy(&env, "frontend", "backend", 61443)],
        );
        let file = workspace_root().join(format!(
            "examples/list-resources/{name}/list-resource.tfquery.hcl"
        ));
        env.write("list.tfquery.hcl", &std::fs::read_to_string(file).unwrap());
        env.init();
        let space = format!("space_id={}", env.sim.handle.space_guid("dev").unwrap());
        let backend = format!(
            "backend_app_id={}",
            env.sim.handle.app_guid("dev", "backend").unwrap()
        );
        let out = env
            .run(&["query", "-no-color", "-var", &space, "-var", &backend])
            .ok()
            .output();
        assert!(out.contains("backend"), "{name}: {out}");
    }
}
