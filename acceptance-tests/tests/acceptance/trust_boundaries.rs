//! The trust boundary as Terraform meets it (the client-level cases are in
//! `provider/tests/cf/trust_boundaries.rs`): a platform that dies mid-apply ends the
//! run within minutes, and a change interrupted by Ctrl-C leaves the platform holding
//! exactly what state records, with messages that say what happened.

use std::time::{Duration, Instant};

use acceptance_tests::{Cli, SimWorkspace};
use cloudgov_sim::{FaultKind, FaultRule};

use crate::LOOKUPS;
use crate::reliability::{assert_state_is_reality, fault, workload};

/// Ctrl-C, as a terminal sends it: to the whole process group of a command started
/// by `spawn_logged` (Terraform 1.0 handles it in a child process).
fn interrupt(pid: u32) {
    let _ = std::process::Command::new("kill")
        .args(["-INT", "--", &format!("-{pid}")])
        .status();
}

fn latency(path: &str, method: &str, ms: u64) -> FaultRule {
    FaultRule {
        path: path.into(),
        method: Some(method.into()),
        kind: FaultKind::Latency { ms },
        probability: 1.0,
        times: None,
    }
}

/// Starts `apply`, sends Ctrl-C once the platform has seen a request starting with
/// `started` (such as `POST /networking/v1/external/policies/delete`), and returns
/// what Terraform printed once it exited.
fn apply_interrupted_at(env: &SimWorkspace, started: &str) -> String {
    env.sim.handle.reset_stats();
    let mut apply = env.spawn_logged(&["apply", "-auto-approve", "-no-color", "-input=false"]);
    let start = Instant::now();
    while env.sim.handle.count(started) == 0 {
        assert!(
            apply.try_wait().unwrap().is_none() && start.elapsed() < Duration::from_secs(60),
            "the apply ended before {started}:\n{}",
            env.spawned_output()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    interrupt(apply.id());
    let stopped = Instant::now();
    while apply.try_wait().unwrap().is_none() {
        if stopped.elapsed() > Duration::from_secs(60) {
            let _ = apply.kill();
            panic!(
                "the apply still ran 60 s after Ctrl-C:\n{}",
                env.spawned_output()
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    env.spawned_output()
}

fn policy_config(port: &str) -> String {
    format!(
        r#"
resource "cloudgov_network_policy" "p" {{
  source_app_id      = data.cloudgov_app.frontend.id
  destination_app_id = data.cloudgov_app.backend.id
  port               = "{port}"
}}
"#
    )
}

/// Ctrl-C while the old policy of a port change is being deleted: the change is
/// finished first, state records the new policy, and reverting then destroying leaves
/// nothing open.
fn interrupted_port_change(cli: Cli) {
    let Some(env) = SimWorkspace::new(cli) else {
        return;
    };
    env.write("lookups.tf", LOOKUPS);
    env.write("main.tf", &policy_config("5000"));
    env.init();
    env.apply();
    env.write("main.tf", &policy_config("5001"));
    env.sim.handle.add_fault(latency(
        "/networking/v1/external/policies/delete",
        "POST",
        3000,
    ));
    let out = apply_interrupted_at(&env, "POST /networking/{version}/external/policies/delete");
    assert!(
        out.contains("Network Policy Change Finished Before Stopping"),
        "{out}"
    );
    assert_state_is_reality(&env, "after Ctrl-C during the port change");
    let ports: Vec<u32> = env
        .sim
        .handle
        .state()
        .policies
        .iter()
        .map(|p| p.start)
        .collect();
    assert_eq!(ports, vec![5001], "the platform holds only the new policy");
    env.sim.handle.clear_faults();
    env.write("main.tf", &policy_config("5000"));
    env.apply();
    let destroy = env.run(&["destroy", "-auto-approve", "-no-color", "-input=false"]);
    assert!(destroy.success, "{}", destroy.output());
    assert!(
        env.sim.handle.state().policies.is_empty(),
        "a policy outlived the revert and destroy: {:?}",
        env.sim.handle.state().policies
    );
}
for_each_cli!(
    trust_boundaries_interrupted_port_change,
    super::interrupted_port_change
);

/// A port change whose old policy the platform refuses to delete: the new policy is
/// deleted again, the error says so, and the platform holds what state records.
fn refused_port_change_rolls_back(cli: Cli) {
    let Some(env) = SimWorkspace::new(cli) else {
        return;
    };
    env.write("lookups.tf", LOOKUPS);
    env.write("main.tf", &policy_config("5000"));
    env.init();
    env.apply();
    env.write("main.tf", &policy_config("5001"));
    env.sim.handle.add_fault(FaultRule {
        path: "/networking/v1/external/policies/delete".into(),
        times: Some(1),
        ..fault(FaultKind::Status { status: 400 }, Some("POST"), 1.0)
    });
    let run = env.run(&["apply", "-auto-approve", "-no-color", "-input=false"]);
    assert!(!run.success, "{}", run.output());
    let out = run.output();
    assert!(out.contains("Network Policy Update Error"), "{out}");
    assert!(out.contains("The new policy was deleted again"), "{out}");
    assert_state_is_reality(&env, "after the refused port change");
    let ports: Vec<u32> = env
        .sim
        .handle
        .state()
        .policies
        .iter()
        .map(|p| p.start)
        .collect();
    assert_eq!(ports, vec![5000], "the platform holds only the old policy");
    env.apply();
    env.assert_no_changes();
}
for_each_cli!(
    trust_boundaries_refused_port_change_rolls_back,
    super::refused_port_change_rolls_back
);

/// Ctrl-C while a route's destinations are rewritten, then while routes are
/// destroyed: the platform's answer is awaited, state matches the platform, and no
/// message says a deleted route was not deleted.
fn interrupted_route_writes(cli: Cli) {
    let Some(env) = SimWorkspace::new(cli) else {
        return;
    };
    let route = |app: &str| {
        format!(
            r#"
resource "cloudgov_internal_route" "r" {{
  space_id     = data.cloudgov_space.dev.id
  hostname     = "interrupted"
  destinations = [{{ app_id = data.cloudgov_app.{app}.id }}]
}}
"#
        )
    };
    env.write("lookups.tf", LOOKUPS);
    env.write("main.tf", &route("backend"));
    env.init();
    env.apply();
    env.write("main.tf", &route("worker"));
    env.sim
        .handle
        .add_fault(latency("/v3/routes/*/destinations", "PATCH", 3000));
    apply_interrupted_at(&env, "PATCH /v3/routes");
    assert_state_is_reality(&env, "after Ctrl-C during the destinations rewrite");
    let worker = env.sim.handle.app_guid("dev", "worker").unwrap();
    let mapped: Vec<String> = env
        .sim
        .handle
        .state()
        .routes
        .values()
        .flat_map(|r| r.destinations.iter().map(|d| d.app_guid.clone()))
        .collect();
    assert_eq!(mapped, vec![worker], "the rewrite was finished");
    let state = env.state();
    assert!(
        state["cloudgov_internal_route.r"]
            .to_string()
            .contains(&mapped[0]),
        "state records the rewrite: {state:?}"
    );

    env.sim.handle.clear_faults();
    env.sim
        .handle
        .add_fault(latency("/v3/routes/*", "DELETE", 3000));
    let mut destroy = env.spawn_logged(&["destroy", "-auto-approve", "-no-color", "-input=false"]);
    let start = Instant::now();
    while env.sim.handle.count("DELETE /v3/routes") == 0 {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "{}",
            env.spawned_output()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    interrupt(destroy.id());
    let _ = destroy.wait();
    let out = env.spawned_output();
    assert!(!out.contains("was not deleted"), "{out}");
    assert!(env.sim.handle.state().routes.is_empty(), "{out}");
    assert_state_is_reality(&env, "after Ctrl-C during destroy");
}
for_each_cli!(
    trust_boundaries_interrupted_route_writes,
    super::interrupted_route_writes
);

/// The platform dies for good in the middle of an apply of 30 routes and 60 policies:
/// with the default retry policy, Terraform exits within 3 minutes, and each error
/// names the outage (a shared circuit, not a retry budget per resource).
fn platform_death(cli: Cli) {
    let Some(mut env) = SimWorkspace::new(cli) else {
        return;
    };
    let ports: Vec<u16> = (0..60).map(|i| 7000 + i).collect();
    env.write("lookups.tf", LOOKUPS);
    env.write("main.tf", &workload(30, &ports));
    env.init();
    env.sim
        .handle
        .add_fault(fault(FaultKind::Latency { ms: 300 }, None, 1.0));
    let mut apply = env.spawn_logged(&["apply", "-auto-approve", "-no-color", "-input=false"]);
    let start = Instant::now();
    while env.sim.handle.state().routes.len() < 4 {
        assert!(
            apply.try_wait().unwrap().is_none() && start.elapsed() < Duration::from_secs(120),
            "the apply ended, or created nothing, before the platform could die"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    env.sim.kill();
    let died = Instant::now();
    let status = loop {
        if let Some(status) = apply.try_wait().unwrap() {
            break status;
        }
        if died.elapsed() > Duration::from_secs(180) {
            let _ = apply.kill();
            panic!("the apply still ran 3 minutes after the platform died");
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let took = died.elapsed();
    let text = env.spawned_output();
    eprintln!(
        "{}: the apply exited {took:?} after the platform died",
        cli.name()
    );
    assert!(!status.success(), "{text}");
    assert!(
        text.contains("the platform has not answered for"),
        "no error names the outage:\n{text}"
    );
}
for_each_cli!(
    trust_boundaries_platform_death_ends_apply,
    super::platform_death
);
