//! `cloudgov_network_policy`: apply, no-change plan, import, in-place port and
//! protocol changes (new before old), destroy, cross-space, the platform's
//! permission refusal, and adoption of a policy that already exists.

use acceptance_tests::{Cli, SimWorkspace};
use cloudgov_sim::Policy;

use crate::LOOKUPS;

fn config(port: &str) -> String {
    format!(
        r#"{LOOKUPS}
resource "cloudgov_network_policy" "p" {{
  source_app_id      = data.cloudgov_app.frontend.id
  destination_app_id = data.cloudgov_app.backend.id
  port               = "{port}"
}}
"#
    )
}

fn policies(env: &SimWorkspace) -> Vec<Policy> {
    env.sim.handle.state().policies.into_iter().collect()
}

fn lifecycle(cli: Cli) {
    let Some(env) = SimWorkspace::new(cli) else {
        return;
    };
    let front = env.sim.handle.app_guid("dev", "frontend").unwrap();
    let back = env.sim.handle.app_guid("dev", "backend").unwrap();
    env.write("main.tf", &config("61443"));
    env.init();
    env.apply();
    let p = Policy {
        source: front.clone(),
        destination: back.clone(),
        protocol: "tcp".into(),
        start: 61443,
        end: 61443,
    };
    assert_eq!(policies(&env), vec![p.clone()]);
    let state = env.state();
    let applied = state["cloudgov_network_policy.p"].clone();
    assert_eq!(applied["id"], format!("{front}:{back}:tcp:61443-61443"));
    assert_eq!(applied["protocol"], "tcp");
    assert_eq!(applied["start_port"], 61443);
    assert_eq!(applied["end_port"], 61443);
    assert_eq!(applied["tls"], true);
    env.assert_no_changes();

    // "61443-61443" is the same policy: no replacement, only the text in state.
    env.write("main.tf", &config("61443-61443"));
    let (changes, plan) = env.plan_changes().unwrap();
    assert!(changes);
    assert!(!plan.stdout.contains("must be replaced"), "{}", plan.stdout);
    env.apply();
    assert_eq!(policies(&env), vec![p.clone()]);
    env.assert_no_changes();

    // Import: forget it, import by id, compare every attribute.
    env.run(&["state", "rm", "cloudgov_network_policy.p"]).ok();
    env.write("main.tf", &config("61443"));
    let id = format!("{front}:{back}:tcp:61443");
    env.run(&["import", "-no-color", "cloudgov_network_policy.p", &id])
        .ok();
    assert_eq!(
        env.state()["cloudgov_network_policy.p"],
        applied,
        "imported state equals applied state"
    );
    env.assert_no_changes();

    // A different range updates in place: the new policy first, then the old one
    // deleted, so that the apps are never without a path.
    env.write("main.tf", &config("8080-8090"));
    let (_, plan) = env.plan_changes().unwrap();
    assert!(
        plan.stdout
            .contains("Plan: 0 to add, 1 to change, 0 to destroy."),
        "{}",
        plan.stdout
    );
    assert!(!plan.stdout.contains("must be replaced"), "{}", plan.stdout);
    let logged = env.sim.handle.state().policy_log.len();
    env.apply();
    let new = Policy {
        start: 8080,
        end: 8090,
        ..p.clone()
    };
    assert_eq!(policies(&env), vec![new.clone()]);
    let log = env.sim.handle.state().policy_log[logged..].to_vec();
    assert_eq!(
        log,
        vec![(true, new.clone()), (false, p.clone())],
        "new before old"
    );
    let applied = env.state()["cloudgov_network_policy.p"].clone();
    assert_eq!(applied["tls"], false);
    assert_eq!(applied["id"], format!("{front}:{back}:tcp:8080-8090"));
    env.assert_no_changes();

    // The protocol too.
    env.write(
        "main.tf",
        &config("8080-8090").replace("  port  ", "  protocol           = \"udp\"\n  port  "),
    );
    let (_, plan) = env.plan_changes().unwrap();
    assert!(
        plan.stdout
            .contains("Plan: 0 to add, 1 to change, 0 to destroy."),
        "{}",
        plan.stdout
    );
    env.apply();
    let udp = Policy {
        protocol: "udp".into(),
        ..new
    };
    assert_eq!(policies(&env), vec![udp]);
    env.assert_no_changes();

    env.run(&["destroy", "-auto-approve", "-no-color"]).ok();
    assert!(policies(&env).is_empty(), "destroy leaves nothing behind");
}
for_each_cli!(network_policy_lifecycle, super::lifecycle);

fn cross_space_and_permissions(cli: Cli) {
    let Some(env) = SimWorkspace::new(cli) else {
        return;
    };
    let secret = env.sim.handle.app_guid("restricted", "secret-app").unwrap();
    env.write(
        "main.tf",
        &format!(
            r#"{LOOKUPS}
resource "cloudgov_network_policy" "to_partner" {{
  source_app_id      = data.cloudgov_app.frontend.id
  destination_app_id = data.cloudgov_app.partner.id
  protocol           = "udp"
  port               = "5000"
}}
"#
        ),
    );
    env.init();
    env.apply();
    assert_eq!(env.sim.handle.state().policies.len(), 1);
    env.assert_no_changes();

    env.write(
        "restricted.tf",
        &format!(
            r#"resource "cloudgov_network_policy" "to_restricted" {{
  source_app_id      = data.cloudgov_app.frontend.id
  destination_app_id = "{secret}"
  port               = "8080"
}}
"#
        ),
    );
    let run = env.run(&["apply", "-auto-approve", "-no-color"]).failed();
    let out = run.output();
    assert!(out.contains("Network Policy Create Error"), "{out}");
    assert!(
        out.contains("one or more applications cannot be found or accessed"),
        "{out}"
    );
    assert!(out.contains("SpaceDeveloper"), "{out}");
    assert_eq!(
        env.sim.handle.state().policies.len(),
        1,
        "nothing was created"
    );
    assert!(
        !env.state()
            .contains_key("cloudgov_network_policy.to_restricted")
    );
}
for_each_cli!(
    network_policy_cross_space_and_permissions,
    super::cross_space_and_permissions
);

fn gone_and_missing(cli: Cli) {
    let Some(env) = SimWorkspace::new(cli) else {
        return;
    };
    env.write("main.tf", &config("8080"));
    env.init();
    env.apply();
    // Deleted behind Terraform's back, then destroyed without a refresh: the delete
    // of a policy already gone succeeds.
    let p = env
        .sim
        .handle
        .state()
        .policies
        .iter()
        .next()
        .unwrap()
        .clone();
    assert!(env.sim.handle.delete_policy(&p));
    env.run(&["destroy", "-auto-approve", "-refresh=false", "-no-color"])
        .ok();
    assert!(env.state().is_empty());
    // Importing a policy that does not exist is refused.
    let id = format!("{}:{}:tcp:9999", p.source, p.destination);
    let out = env
        .run(&["import", "-no-color", "cloudgov_network_policy.p", &id])
        .failed()
        .output();
    assert!(out.contains("Network Policy Not Found"), "{out}");
    let out = env
        .run(&[
            "import",
            "-no-color",
            "cloudgov_network_policy.p",
            "not-an-id",
        ])
        .failed()
        .output();
    assert!(out.contains("Invalid Import Id"), "{out}");
    assert!(env.state().is_empty());
}
for_each_cli!(network_policy_gone_and_missing, super::gone_and_missing);

fn quota(cli: Cli) {
    let Some(env) = SimWorkspace::new(cli) else {
        return;
    };
    let front = env.sim.handle.app_guid("dev", "frontend").unwrap();
    let back = env.sim.handle.app_guid("dev", "backend").unwrap();
    env.sim.handle.with_state(|s| {
        for port in 1000..1150 {
            s.policies.insert(Policy {
                source: front.clone(),
                destination: back.clone(),
                protocol: "tcp".into(),
                start: port,
                end: port,
            });
        }
    });
    env.write("main.tf", &config("8080"));
    env.init();
    let out = env
        .run(&["apply", "-auto-approve", "-no-color"])
        .failed()
        .output();
    assert!(out.contains("policy quota exceeded"), "{out}");
    assert!(
        out.contains("as many policies as cloud.gov allows for one source app (150)"),
        "{out}"
    );
    assert!(
        out.contains("\"8080-8090\""),
        "the advice suggests ranges: {out}"
    );
    assert_eq!(
        env.sim.handle.state().policies.len(),
        150,
        "nothing was created"
    );
}
for_each_cli!(network_policy_quota_is_explained, super::quota);

/// A policy that already exists (made with `cf add-network-policy`) is taken over
/// with a warning that says destroying the resource removes it for everyone; the
/// same policy written twice in one configuration is warned about too.
fn existing_policy_adopted_with_warning(cli: Cli) {
    let Some(env) = SimWorkspace::new(cli) else {
        return;
    };
    let front = env.sim.handle.app_guid("dev", "frontend").unwrap();
    let back = env.sim.handle.app_guid("dev", "backend").unwrap();
    let p = Policy {
        source: front,
        destination: back,
        protocol: "tcp".into(),
        start: 61443,
        end: 61443,
    };
    env.sim.handle.with_state(|s| s.policies.insert(p.clone()));
    env.write("main.tf", &config("61443"));
    env.init();
    let out = env.apply().output();
    assert!(out.contains("Existing Network Policy Adopted"), "{out}");
    assert!(
        out.contains("removes the policy for everyone who relies on it"),
        "{out}"
    );
    assert_eq!(policies(&env), vec![p.clone()]);
    env.assert_no_changes();

    // Written twice: both resources apply, with a warning naming the problem.
    env.write(
        "main.tf",
        &format!(
            "{}\nresource \"cloudgov_network_policy\" \"q\" {{\n  source_app_id      = data.cloudgov_app.frontend.id\n  destination_app_id = data.cloudgov_app.backend.id\n  port               = \"61443-61443\"\n}}\n",
            config("61443")
        ),
    );
    let out = env.apply().output();
    assert!(out.contains("Existing Network Policy Adopted"), "{out}");
    env.run(&["destroy", "-auto-approve", "-no-color"]).ok();
    assert!(policies(&env).is_empty());
    let out = env.apply().output();
    assert!(out.contains("Network Policy Written Twice"), "{out}");
    assert_eq!(policies(&env), vec![p]);
    assert_eq!(env.state().len(), 2);
}
for_each_cli!(
    network_policy_existing_policy_adopted_with_warning,
    super::existing_policy_adopted_with_warning
);
