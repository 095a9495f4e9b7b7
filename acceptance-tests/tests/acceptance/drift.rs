//! Changes made behind Terraform's back show up in the next plan as exactly the
//! change that restores them.

use acceptance_tests::{Cli, SimWorkspace};

use crate::LOOKUPS;

fn drift(cli: Cli) {
    let Some(env) = SimWorkspace::new(cli) else {
        return;
    };
    env.write(
        "main.tf",
        &format!(
            r#"{LOOKUPS}
resource "cloudgov_internal_route" "backend" {{
  space_id = data.cloudgov_space.dev.id
  hostname = "backend"

  destinations = [
    {{ app_id = data.cloudgov_app.backend.id }},
  ]
}}

resource "cloudgov_network_policy" "p" {{
  source_app_id      = data.cloudgov_app.frontend.id
  destination_app_id = data.cloudgov_app.backend.id
  port               = "61443"
}}
"#
        ),
    );
    env.init();
    env.apply();
    env.assert_no_changes();
    let h = &env.sim.handle;
    let backend = h.app_guid("dev", "backend").unwrap();
    let route = env.state()["cloudgov_internal_route.backend"]["id"]
        .as_str()
        .unwrap()
        .to_string();

    // A policy deleted: the plan creates it again, and nothing else.
    let policy = h.state().policies.iter().next().unwrap().clone();
    assert!(h.delete_policy(&policy));
    let (changes, plan) = env.plan_changes().unwrap();
    assert!(changes);
    assert!(
        plan.stdout
            .contains("Plan: 1 to add, 0 to change, 0 to destroy."),
        "{}",
        plan.stdout
    );
    assert!(
        plan.stdout
            .contains("cloudgov_network_policy.p will be created"),
        "{}",
        plan.stdout
    );
    env.apply();
    assert!(h.state().policies.contains(&policy));

    // A destination unmapped: the plan maps it again in place.
    assert!(h.unmap(&route, &backend));
    let (_, plan) = env.plan_changes().unwrap();
    assert!(
        plan.stdout
            .contains("Plan: 0 to add, 1 to change, 0 to destroy."),
        "{}",
        plan.stdout
    );
    assert!(
        plan.stdout
            .contains("cloudgov_internal_route.backend will be updated in-place"),
        "{}",
        plan.stdout
    );
    env.apply();
    assert_eq!(h.state().routes[&route].destinations.len(), 1);

    // The route deleted: the plan creates it again.
    assert!(h.delete_route(&route));
    let (_, plan) = env.plan_changes().unwrap();
    assert!(
        plan.stdout
            .contains("Plan: 1 to add, 0 to change, 0 to destroy."),
        "{}",
        plan.stdout
    );
    assert!(
        plan.stdout
            .contains("cloudgov_internal_route.backend will be created"),
        "{}",
        plan.stdout
    );
    env.apply();
    assert_eq!(h.state().routes.len(), 1);
    env.assert_no_changes();
}
for_each_cli!(drift_shows_exactly_the_restoring_change, super::drift);
