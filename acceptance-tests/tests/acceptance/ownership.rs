//! Two configurations over one hostname, as two directories (or two pipelines) would
//! be: the second is refused with a message that names the route, its space and when
//! it was created; nothing flips; destroying one never touches the other's route. The
//! killed-apply heal (same directory) is `reliability_killed_apply_heals`.

use std::time::Duration;

use acceptance_tests::{Cli, SimWorkspace, Workspace};
use cloudgov_sim::{FaultKind, FaultRule};

use crate::LOOKUPS;

fn route_to(app: &str) -> String {
    format!(
        r#"{LOOKUPS}
resource "cloudgov_internal_route" "r" {{
  space_id     = data.cloudgov_space.dev.id
  hostname     = "shared-name"
  destinations = [{{ app_id = data.cloudgov_app.{app}.id }}]
}}
"#
    )
}

/// The apps the platform maps to the one route.
fn mapped(env: &SimWorkspace) -> Vec<String> {
    let state = env.sim.handle.state();
    assert_eq!(state.routes.len(), 1, "one route: {:?}", state.routes);
    state
        .routes
        .values()
        .next()
        .unwrap()
        .destinations
        .iter()
        .map(|d| d.app_guid.clone())
        .collect()
}

fn apply(ws: &Workspace) -> acceptance_tests::Run {
    ws.run(&["apply", "-auto-approve", "-no-color", "-input=false"])
}

fn sequential(cli: Cli) {
    let Some(a) = SimWorkspace::new(cli) else {
        return;
    };
    let b = a.sibling();
    a.write("main.tf", &route_to("backend"));
    b.write("main.tf", &route_to("worker"));
    a.init();
    b.init();
    apply(&a).ok();
    let backend = a.sim.handle.app_guid("dev", "backend").unwrap();
    let guid = a.state()["cloudgov_internal_route.r"]["id"]
        .as_str()
        .unwrap()
        .to_string();

    let out = apply(&b).failed().output();
    assert!(out.contains("Route Held by Another Configuration"), "{out}");
    assert!(out.contains(&guid), "the route is named: {out}");
    assert!(out.contains("\"dev\""), "its space is named: {out}");
    assert!(
        out.contains("was created at 20"),
        "its creation time is given: {out}"
    );
    assert!(!out.contains("Existing Route Adopted"), "{out}");
    assert_eq!(mapped(&a), vec![backend.clone()], "nothing flipped");

    b.run(&["destroy", "-auto-approve", "-no-color", "-input=false"])
        .ok();
    assert_eq!(
        mapped(&a),
        vec![backend],
        "the other configuration's destroy left it"
    );
    a.assert_no_changes();
}
for_each_cli!(ownership_second_configuration_is_refused, super::sequential);

fn concurrent(cli: Cli) {
    let Some(a) = SimWorkspace::new(cli) else {
        return;
    };
    let b = a.sibling();
    a.write("main.tf", &route_to("backend"));
    b.write("main.tf", &route_to("worker"));
    a.init();
    b.init();
    // Both reach the platform's route creation at about the same time.
    a.sim.handle.add_fault(FaultRule {
        path: "/v3/routes".into(),
        method: Some("POST".into()),
        kind: FaultKind::Latency { ms: 400 },
        probability: 1.0,
        times: None,
    });
    let runs = std::thread::scope(|s| {
        let ha = s.spawn(|| apply(&a));
        std::thread::sleep(Duration::from_millis(50));
        let hb = s.spawn(|| apply(&b));
        (ha.join().unwrap(), hb.join().unwrap())
    });
    let (winner, loser, app) = match (runs.0.success, runs.1.success) {
        (true, false) => (&a.ws, &runs.1, "backend"),
        (false, true) => (&b, &runs.0, "worker"),
        other => panic!(
            "exactly one apply must win, got {other:?}:\n{}\n---\n{}",
            runs.0.output(),
            runs.1.output()
        ),
    };
    assert!(
        loser
            .output()
            .contains("Route Held by Another Configuration"),
        "{}",
        loser.output()
    );
    let app_guid = a.sim.handle.app_guid("dev", app).unwrap();
    assert_eq!(
        mapped(&a),
        vec![app_guid.clone()],
        "the winner's destination"
    );
    a.sim.handle.clear_faults();
    winner.assert_no_changes();
    assert_eq!(mapped(&a), vec![app_guid], "nothing flipped");
}
for_each_cli!(
    ownership_concurrent_configurations_never_share_a_route,
    super::concurrent
);
