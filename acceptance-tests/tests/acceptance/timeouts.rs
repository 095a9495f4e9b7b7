//! Per-resource `timeouts` blocks: accepted by every CLI, carried into state (the
//! next plan is empty), and honoured: a create slower than its limit stops at the
//! limit with a message that names the setting, and the next apply converges.

use acceptance_tests::{Cli, SimWorkspace};
use cloudgov_sim::{FaultKind, FaultRule};

use crate::LOOKUPS;

fn config(create: &str) -> String {
    format!(
        r#"{LOOKUPS}
resource "cloudgov_internal_route" "r" {{
  space_id = data.cloudgov_space.dev.id
  hostname = "slow"

  timeouts {{
    create = "{create}"
    delete = "5m"
  }}
}}

resource "cloudgov_network_policy" "p" {{
  source_app_id      = data.cloudgov_app.frontend.id
  destination_app_id = data.cloudgov_app.backend.id
  port               = "8080"

  timeouts {{
    create = "{create}"
  }}
}}
"#
    )
}

fn timeouts_block(cli: Cli) {
    let Some(env) = SimWorkspace::new(cli) else {
        return;
    };
    // Route creation answers after 30 s; the limit is 2 s.
    env.sim.handle.add_fault(FaultRule {
        path: "/v3/routes".into(),
        method: Some("POST".into()),
        kind: FaultKind::Latency { ms: 30_000 },
        probability: 1.0,
        times: None,
    });
    env.write("main.tf", &config("2s"));
    env.init();
    let started = std::time::Instant::now();
    let out = env
        .run(&["apply", "-auto-approve", "-no-color", "-input=false"])
        .failed()
        .output();
    assert!(out.contains("Operation Timed Out"), "{out}");
    assert!(
        out.contains("create did not finish within 2s (`timeouts.create`)"),
        "{out}"
    );
    eprintln!("apply stopped after {:?}", started.elapsed());
    // The policy, not slowed down, was created within its limit.
    assert_eq!(env.sim.handle.state().policies.len(), 1);

    // With the platform back to normal the next apply converges, and the blocks
    // are carried into state, so that the plan after it is empty.
    env.sim.handle.clear_faults();
    env.write("main.tf", &config("1m"));
    env.apply();
    env.assert_no_changes();
    let state = env.state();
    assert_eq!(
        state["cloudgov_internal_route.r"]["timeouts"]["create"],
        "1m"
    );
    assert_eq!(
        state["cloudgov_internal_route.r"]["timeouts"]["delete"],
        "5m"
    );
    assert_eq!(env.sim.handle.state().routes.len(), 1);

    // Changing only a limit touches nothing on the platform.
    env.sim.handle.reset_stats();
    env.write("main.tf", &config("90s"));
    env.apply();
    let writes: u64 = ["POST /v3", "POST /networking", "PATCH", "DELETE"]
        .iter()
        .map(|m| env.sim.handle.count(m))
        .sum();
    assert_eq!(writes, 0, "{:?}", env.sim.handle.stats());
    env.assert_no_changes();
}
for_each_cli!(
    timeouts_block_is_accepted_and_honoured,
    super::timeouts_block
);
