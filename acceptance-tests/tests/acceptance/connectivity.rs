//! `cloudgov_reachability` and `cloudgov_network_graph` under the real CLIs: every
//! finding code on the simulator's `connectivity` scenario (all three CLIs: data
//! sources work on Terraform 1.0 too); the example's postcondition failing an apply
//! and passing once the path works (Terraform 1.5+ and OpenTofu, which have
//! postconditions and `check` blocks); and the three-space graph against its golden
//! files.

use acceptance_tests::{Cli, SimWorkspace, workspace_root};
use cloudgov_sim::scenarios;

/// `(name, HCL arguments, codes expected, reachable)`.
fn cases(a: &scenarios::Connectivity) -> Vec<(&'static str, String, Vec<&'static str>, bool)> {
    let from = |src: &str, url: &str| format!("source_app_id = \"{src}\"\n  url = \"{url}\"");
    let f = &a.frontend;
    vec![
        (
            "healthy",
            from(f, "http://backend.apps.internal:8080"),
            vec![],
            true,
        ),
        (
            "no_route",
            from(f, "nothing.apps.internal:8080"),
            vec!["NO_INTERNAL_ROUTE"],
            false,
        ),
        (
            "public",
            from(f, "https://backend.app.cloud.gov"),
            vec!["NOT_AN_INTERNAL_DOMAIN"],
            false,
        ),
        (
            "empty",
            from(f, "empty.apps.internal:8080"),
            vec!["ROUTE_HAS_NO_DESTINATIONS"],
            false,
        ),
        (
            "no_policy",
            from(f, "worker.apps.internal:8080"),
            vec!["NO_POLICY"],
            false,
        ),
        (
            "port",
            from(f, "backend.apps.internal:9000"),
            vec!["PORT_NOT_ALLOWED", "APP_PORT_NOT_MAPPED"],
            false,
        ),
        (
            "udp",
            format!(
                "{}\n  protocol = \"udp\"",
                from(f, "backend.apps.internal:8080")
            ),
            vec!["PROTOCOL_MISMATCH"],
            false,
        ),
        (
            "tls",
            from(f, "https://backend.apps.internal:61443"),
            vec!["TLS_PORT_NOT_ALLOWED"],
            false,
        ),
        (
            "partner",
            from(f, "partner.apps.internal:8080"),
            vec!["CROSS_SPACE", "APP_PORT_NOT_MAPPED"],
            true,
        ),
        (
            "stopped",
            from(f, "batch.apps.internal:8080"),
            vec!["DESTINATION_STOPPED"],
            false,
        ),
        (
            "source_stopped",
            from(&a.cron, "backend.apps.internal:8080"),
            vec!["SOURCE_STOPPED"],
            true,
        ),
        (
            "hidden",
            format!(
                "source_app_id = \"{f}\"\n  destination_app_id = \"{}\"\n  port = 8080",
                a.secret
            ),
            vec!["DESTINATION_NOT_VISIBLE"],
            false,
        ),
    ]
}

fn reachability_codes(cli: Cli) {
    let Some(env) = SimWorkspace::new(cli) else {
        return;
    };
    let a = env
        .sim
        .handle
        .with_state(scenarios::connectivity)
        .expect("scenario");
    let cases = cases(&a);
    let mut hcl = String::new();
    for (name, args, _, _) in &cases {
        hcl.push_str(&format!(
            "data \"cloudgov_reachability\" \"{name}\" {{\n  {args}\n}}\n\noutput \"{name}\" {{\n  value = {{\n    \
             reachable = data.cloudgov_reachability.{name}.reachable\n    codes = [for f in \
             data.cloudgov_reachability.{name}.findings : f.code]\n    policy_ids = \
             data.cloudgov_reachability.{name}.policy_ids\n  }}\n}}\n\n"
        ));
    }
    env.write("main.tf", &hcl);
    env.init();
    env.apply();
    let out: serde_json::Value =
        serde_json::from_str(&env.run(&["output", "-json"]).ok().stdout).unwrap();
    for (name, _, codes, reachable) in &cases {
        let v = &out[*name]["value"];
        assert_eq!(v["codes"], serde_json::json!(codes), "{name}: {v}");
        assert_eq!(v["reachable"], *reachable, "{name}: {v}");
    }
    assert_eq!(
        out["healthy"]["value"]["policy_ids"],
        serde_json::json!([format!("{}:{}:tcp:8080-8080", a.frontend, a.backend)])
    );
    env.assert_no_changes();
}
for_each_cli!(reachability_reports_each_code, super::reachability_codes);

fn postcondition(cli: Cli) {
    let Some(env) = SimWorkspace::new(cli) else {
        return;
    };
    if cli == Cli::Terraform {
        eprintln!("reachability postcondition: not run with Terraform 1.0 (check blocks need 1.5)");
        return;
    }
    env.write("providers.tf", "provider \"cloudgov\" {}\n");
    let example = workspace_root().join("examples/reachability/main.tf");
    env.write("main.tf", &std::fs::read_to_string(example).unwrap());
    env.init();
    // The client calls the app port, the policy opens only 61443: the apply writes
    // both, then the postcondition fails it.
    let wrong = "call=http://backend.apps.internal:8080";
    let out = env
        .run(&["apply", "-auto-approve", "-no-color", "-var", wrong])
        .failed()
        .output();
    assert!(out.contains("Resource postcondition failed"), "{out}");
    assert!(out.contains("TLS_PORT_NOT_ALLOWED"), "{out}");
    let state = env.state();
    assert!(
        state.contains_key("cloudgov_network_policy.frontend_to_backend"),
        "what the apply wrote is in state: {:?}",
        state.keys()
    );
    // The example as written: the path works, the check passes, nothing changes.
    let out = env.apply().output();
    assert!(!out.contains("Check block assertion failed"), "{out}");
    let outputs: serde_json::Value =
        serde_json::from_str(&env.run(&["output", "-json"]).ok().stdout).unwrap();
    assert_eq!(outputs["path"]["value"]["reachable"], true, "{outputs}");
    assert_eq!(outputs["path"]["value"]["tls"], true, "{outputs}");
    let policy_id = env.state()["cloudgov_network_policy.frontend_to_backend"]["id"].clone();
    assert_eq!(
        outputs["path"]["value"]["policy_ids"],
        serde_json::json!([policy_id]),
        "policy_ids are the resource's own ids"
    );
    // A check block's own data source is read again at every apply, so the plan
    // lists that read (and -detailed-exitcode says 2), but changes nothing.
    let out = env.run(&["plan", "-no-color"]).ok().output();
    assert!(
        out.contains("Plan: 0 to add, 0 to change, 0 to destroy."),
        "{out}"
    );
    assert!(
        out.contains("config will be reloaded to verify a check block"),
        "{out}"
    );
    // A policy removed by hand: the next plan warns from the check block.
    let policy = env
        .sim
        .handle
        .with_state(|s| s.policies.iter().next().cloned())
        .unwrap();
    assert!(env.sim.handle.delete_policy(&policy));
    let out = env.run(&["plan", "-no-color"]).ok().output();
    assert!(out.contains("Check block assertion failed"), "{out}");
    assert!(out.contains("NO_POLICY"), "{out}");
    env.run(&["destroy", "-auto-approve", "-no-color"]).ok();
}
for_each_cli!(
    reachability_example_postcondition_and_check,
    super::postcondition
);

fn graph(cli: Cli) {
    let Some(env) = SimWorkspace::with_seed(cli, None, scenarios::agency()) else {
        return;
    };
    env.sim
        .handle
        .with_state(scenarios::agency_flows)
        .expect("scenario");
    let org = env
        .sim
        .handle
        .with_state(|s| s.orgs.keys().next().cloned())
        .unwrap();
    env.write(
        "main.tf",
        &format!(
            "data \"cloudgov_network_graph\" \"agency\" {{\n  org_id = \"{org}\"\n}}\n\n\
             output \"mermaid\" {{\n  value = data.cloudgov_network_graph.agency.mermaid\n}}\n\n\
             output \"dot\" {{\n  value = data.cloudgov_network_graph.agency.dot\n}}\n\n\
             output \"flows_csv\" {{\n  value = data.cloudgov_network_graph.agency.flows_csv\n}}\n"
        ),
    );
    env.init();
    env.apply();
    let golden = workspace_root().join("examples/network-graph/golden");
    for (output, file) in [
        ("mermaid", "graph.mmd"),
        ("dot", "graph.dot"),
        ("flows_csv", "flows.csv"),
    ] {
        let text = env.run(&["output", "-raw", output]).ok().stdout;
        let want = std::fs::read_to_string(golden.join(file)).unwrap();
        assert_eq!(text, want, "{file}");
    }
    env.assert_no_changes();
}
for_each_cli!(network_graph_matches_the_golden_files, super::graph);
