//! Reliability under a faulty platform and a killed Terraform. The fault matrix runs
//! every fault kind the simulator injects against apply, plan and destroy; after each
//! faulted command, a clean apply converges, the next plan is empty, and Terraform's
//! state matches the platform exactly (no duplicate, nothing lost). The crash test
//! kills Terraform with SIGKILL in the middle of an apply: no provider process
//! outlives it, and the next apply heals with no manual step.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use acceptance_tests::{Cli, SimWorkspace};
use cloudgov_sim::{FaultKind, FaultRule};

use crate::LOOKUPS;

/// Routes and policies of the workload, made with `for_each`.
pub(crate) fn workload(routes: usize, ports: &[u16]) -> String {
    let hosts: Vec<String> = (0..routes).map(|i| format!("\"svc{i}\"")).collect();
    let ports: Vec<String> = ports.iter().map(|p| format!("\"{p}\"")).collect();
    format!(
        r#"
resource "cloudgov_internal_route" "r" {{
  for_each = toset([{}])
  space_id = data.cloudgov_space.dev.id
  hostname = each.key
  destinations = [
    {{ app_id = data.cloudgov_app.backend.id }},
  ]
}}

resource "cloudgov_network_policy" "p" {{
  for_each           = toset([{}])
  source_app_id      = data.cloudgov_app.frontend.id
  destination_app_id = data.cloudgov_app.backend.id
  port               = each.key
}}
"#,
        hosts.join(", "),
        ports.join(", ")
    )
}

type RouteKey = (String, String);
type PolicyKey = (String, String, String, u64, u64);
/// Routes and policies, from either side.
type Objects = (BTreeSet<RouteKey>, BTreeSet<PolicyKey>);

/// What Terraform's state holds, and what the platform holds.
fn both_sides(env: &SimWorkspace) -> (Objects, Objects) {
    let s = |v: &serde_json::Value, k: &str| v[k].as_str().unwrap_or_default().to_string();
    let n = |v: &serde_json::Value, k: &str| v[k].as_u64().unwrap_or_default();
    let mut tf = (BTreeSet::new(), BTreeSet::new());
    for (addr, v) in env.state() {
        if addr.starts_with("cloudgov_internal_route.") {
            tf.0.insert((s(&v, "id"), s(&v, "hostname")));
        } else if addr.starts_with("cloudgov_network_policy.") {
            tf.1.insert((
                s(&v, "source_app_id"),
                s(&v, "destination_app_id"),
                s(&v, "protocol"),
                n(&v, "start_port"),
                n(&v, "end_port"),
            ));
        }
    }
    let state = env.sim.handle.state();
    let sim = (
        state
            .routes
            .values()
            .map(|r| (r.guid.clone(), r.host.clone()))
            .collect(),
        state
            .policies
            .iter()
            .map(|p| {
                (
                    p.source.clone(),
                    p.destination.clone(),
                    p.protocol.clone(),
                    u64::from(p.start),
                    u64::from(p.end),
                )
            })
            .collect(),
    );
    (tf, sim)
}

/// Terraform's state and the platform agree exactly, and no host has two routes.
pub(crate) fn assert_state_is_reality(env: &SimWorkspace, what: &str) {
    let (tf, sim) = both_sides(env);
    assert_eq!(tf.0, sim.0, "{what}: routes in state vs on the platform");
    assert_eq!(tf.1, sim.1, "{what}: policies in state vs on the platform");
    let hosts: BTreeSet<&String> = sim.0.iter().map(|(_, h)| h).collect();
    assert_eq!(hosts.len(), sim.0.len(), "{what}: a host has two routes");
}

/// A clean apply, an empty plan, and state equal to reality.
fn converge(env: &SimWorkspace, what: &str) {
    env.sim.handle.clear_faults();
    let apply = env.run(&["apply", "-auto-approve", "-no-color", "-input=false"]);
    assert!(
        apply.success,
        "{what}: the clean apply failed:\n{}",
        apply.output()
    );
    env.assert_no_changes();
    assert_state_is_reality(env, what);
}

pub(crate) fn fault(kind: FaultKind, method: Option<&str>, probability: f64) -> FaultRule {
    FaultRule {
        path: "*".into(),
        method: method.map(str::to_string),
        kind,
        probability,
        times: None,
    }
}

/// Each fault kind, and whether commands must still succeed under it.
fn fault_kinds() -> Vec<(&'static str, Vec<FaultRule>, bool)> {
    vec![
        (
            "latency",
            vec![fault(FaultKind::Latency { ms: 150 }, None, 1.0)],
            true,
        ),
        (
            "status 500 on 30% of reads",
            vec![fault(FaultKind::Status { status: 500 }, Some("GET"), 0.3)],
            true,
        ),
        (
            "status 500",
            vec![fault(FaultKind::Status { status: 500 }, None, 0.2)],
            true,
        ),
        (
            "status 502",
            vec![fault(FaultKind::Status { status: 502 }, None, 0.25)],
            true,
        ),
        (
            "status 503",
            vec![fault(FaultKind::Status { status: 503 }, None, 0.25)],
            true,
        ),
        (
            "rate limit",
            vec![fault(FaultKind::RateLimit { retry_after: 0 }, None, 0.25)],
            true,
        ),
        (
            "connection reset",
            vec![fault(FaultKind::Reset, None, 0.2)],
            true,
        ),
        (
            "lost answers to writes",
            vec![
                fault(FaultKind::DropResponse, Some("POST"), 0.3),
                fault(FaultKind::DropResponse, Some("PATCH"), 0.3),
                fault(FaultKind::DropResponse, Some("DELETE"), 0.3),
            ],
            true,
        ),
        // Only route deletion starts jobs: destroy fails, and must say which route.
        (
            "failed jobs",
            vec![fault(FaultKind::FailJob, None, 1.0)],
            false,
        ),
    ]
}

fn fault_matrix(cli: Cli) {
    let Some(env) = SimWorkspace::new(cli) else {
        return;
    };
    env.write("lookups.tf", LOOKUPS);
    env.write("main.tf", &workload(3, &[8080, 8081, 8082, 61443]));
    env.init();
    for (kind, rules, must_succeed) in fault_kinds() {
        // apply, from nothing.
        for r in &rules {
            env.sim.handle.add_fault(r.clone());
        }
        let run = env.run(&["apply", "-auto-approve", "-no-color", "-input=false"]);
        assert!(
            run.success || !must_succeed,
            "{kind}: apply should ride out the faults:\n{}",
            run.output()
        );
        converge(&env, &format!("{kind} × apply"));

        // plan, changes nothing.
        for r in &rules {
            env.sim.handle.add_fault(r.clone());
        }
        let run = env.run(&["plan", "-detailed-exitcode", "-no-color", "-input=false"]);
        assert!(
            run.code == Some(0) || !must_succeed,
            "{kind}: plan should ride out the faults and find no change:\n{}",
            run.output()
        );
        converge(&env, &format!("{kind} × plan"));

        // destroy.
        for r in &rules {
            env.sim.handle.add_fault(r.clone());
        }
        let run = env.run(&["destroy", "-auto-approve", "-no-color", "-input=false"]);
        if must_succeed {
            assert!(
                run.success,
                "{kind}: destroy should ride out the faults:\n{}",
                run.output()
            );
        } else {
            let out = run.output();
            assert!(!run.success, "{kind}: destroy should fail:\n{out}");
            assert!(out.contains("Internal Route Delete Error"), "{kind}: {out}");
            // The message names the route by its name and GUID.
            let state = env.sim.handle.state();
            assert!(
                state.routes.values().any(|r| out.contains(&format!(
                    "Route {}.apps.internal ({}) was not deleted",
                    r.host, r.guid
                ))),
                "{kind}: the failed deletion names the route: {out}"
            );
        }
        env.sim.handle.clear_faults();
        assert_state_is_reality(&env, &format!("{kind} × destroy, as left"));
        converge(&env, &format!("{kind} × destroy"));
        env.run(&["destroy", "-auto-approve", "-no-color", "-input=false"])
            .ok();
        assert_state_is_reality(&env, &format!("{kind}: clean destroy"));
        let state = env.sim.handle.state();
        assert!(state.routes.is_empty() && state.policies.is_empty());
    }
}
for_each_cli!(reliability_fault_matrix, super::fault_matrix);

/// (pid, parent pid, name) of every process.
fn processes() -> Vec<(u32, u32, String)> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|s| s.parse::<u32>().ok())
        else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
            continue;
        };
        let Some((head, rest)) = stat.rsplit_once(')') else {
            continue;
        };
        let name = head.split_once('(').map_or("", |(_, n)| n).to_string();
        if let Some(ppid) = rest.split_whitespace().nth(1).and_then(|p| p.parse().ok()) {
            found.push((pid, ppid, name));
        }
    }
    found
}

/// The processes descended from `root` (itself excluded): Terraform may run as a
/// wrapper and a child (Terraform 1.0's panic handling), the provider under it.
fn descendants(root: u32) -> Vec<(u32, String)> {
    let all = processes();
    let mut out: Vec<(u32, String)> = Vec::new();
    let mut parents = vec![root];
    while let Some(p) = parents.pop() {
        for (pid, ppid, name) in &all {
            if *ppid == p && !out.iter().any(|(o, _)| o == pid) {
                out.push((*pid, name.clone()));
                parents.push(*pid);
            }
        }
    }
    out
}

fn is_provider(name: &str) -> bool {
    name.starts_with("terraform-prov")
}

/// SIGKILL, as a CI runner's timeout or the OOM killer sends it.
fn sigkill(pid: u32) {
    let _ = std::process::Command::new("kill")
        .args(["-KILL", &pid.to_string()])
        .status();
}

/// True while `pid` runs (a zombie waiting to be reaped does not).
fn alive(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|s| {
            s.rsplit_once(')')
                .map(|(_, rest)| rest.trim_start().starts_with('Z'))
        })
        .is_some_and(|zombie| !zombie)
}

fn killed_apply(cli: Cli) {
    let Some(env) = SimWorkspace::new(cli) else {
        return;
    };
    env.write("lookups.tf", LOOKUPS);
    env.write("main.tf", &workload(24, &[8080, 8081, 8082, 8083]));
    env.init();
    env.sim
        .handle
        .add_fault(fault(FaultKind::Latency { ms: 300 }, None, 1.0));
    let mut apply = env.spawn(&["apply", "-auto-approve", "-no-color", "-input=false"]);
    // Kill Terraform once some routes exist, well before all of them do.
    let start = Instant::now();
    let tree = loop {
        let tree = descendants(apply.id());
        if env.sim.handle.state().routes.len() >= 4 {
            break tree;
        }
        if apply.try_wait().unwrap().is_some() || start.elapsed() > Duration::from_secs(120) {
            for (pid, _) in tree {
                sigkill(pid);
            }
            panic!("the apply ended, or created nothing, before it could be killed");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let providers: Vec<u32> = tree
        .iter()
        .filter(|(_, n)| is_provider(n))
        .map(|(p, _)| *p)
        .collect();
    // Every Terraform process dies; the provider is left to notice by itself.
    apply.kill().expect("SIGKILL terraform");
    for (pid, name) in &tree {
        if !is_provider(name) {
            sigkill(*pid);
        }
    }
    let killed = Instant::now();
    let _ = apply.wait();
    assert!(
        !providers.is_empty(),
        "the provider process was not seen: {tree:?}"
    );
    while providers.iter().any(|p| alive(*p)) && killed.elapsed() < Duration::from_secs(3) {
        std::thread::sleep(Duration::from_millis(50));
    }
    let left: Vec<_> = providers.iter().copied().filter(|p| alive(*p)).collect();
    for pid in &left {
        sigkill(*pid);
    }
    assert!(
        left.is_empty(),
        "provider processes outlived Terraform by 3 s: {left:?}"
    );
    let made = env.sim.handle.state().routes.len();
    assert!(made < 24, "the apply was not killed midway ({made} routes)");

    // No manual step: apply again, with the platform still slow for a while.
    env.sim.handle.clear_faults();
    let run = env.run(&["apply", "-auto-approve", "-no-color", "-input=false"]);
    assert!(
        run.success,
        "the apply after the kill failed:\n{}",
        run.output()
    );
    if cli == Cli::TerraformCurrent {
        // It saves state only now and then during an apply, so routes made before the
        // kill are missing from state: they carry the marker and are adopted.
        assert!(
            run.output().contains("Existing Route Adopted"),
            "{}",
            run.output()
        );
    }
    match env.plan_changes() {
        Ok((false, _)) => {}
        Ok((true, run)) => panic!("the plan after healing has changes:\n{}", run.stdout),
        Err(run) => panic!("the plan after healing failed:\n{}", run.output()),
    }
    assert_state_is_reality(&env, "after the killed apply");
    assert_eq!(env.sim.handle.state().routes.len(), 24);
}
for_each_cli!(reliability_killed_apply_heals, super::killed_apply);
