//! Bad input: each configuration fails at plan (or at apply, where only the
//! platform can know) with a diagnostic naming the attribute; nothing is created and
//! nothing panics.

use acceptance_tests::{Cli, SimWorkspace};

use crate::LOOKUPS;

/// (name, resource body, expected summary, attribute the diagnostic names, fails at apply only)
type Case = (&'static str, String, &'static str, &'static str, bool);

fn policy(body: &str) -> String {
    format!("resource \"cloudgov_network_policy\" \"bad\" {{\n{body}\n}}\n")
}

fn policy_port(port: &str) -> String {
    policy(&format!(
        "  source_app_id      = data.cloudgov_app.frontend.id\n  destination_app_id = data.cloudgov_app.backend.id\n  port               = \"{port}\""
    ))
}

fn route(host: &str, extra: &str) -> String {
    format!(
        "resource \"cloudgov_internal_route\" \"bad\" {{\n  space_id = data.cloudgov_space.dev.id\n  hostname = \"{host}\"\n{extra}\n}}\n"
    )
}

fn cases() -> Vec<Case> {
    let unknown = "0badc0de-0000-4000-8000-000000000000";
    vec![
        ("port zero", policy_port("0"), "Invalid Port", "port", false),
        (
            "port too high",
            policy_port("70000"),
            "Invalid Port",
            "port",
            false,
        ),
        (
            "range backwards",
            policy_port("9000-8080"),
            "Invalid Port",
            "port",
            false,
        ),
        (
            "port not a number",
            policy_port("http"),
            "Invalid Port",
            "port",
            false,
        ),
        (
            "range half open",
            policy_port("8080-"),
            "Invalid Port",
            "port",
            false,
        ),
        (
            "port list",
            policy_port("8080,8081"),
            "Invalid Port",
            "port",
            false,
        ),
        (
            "protocol icmp",
            policy(
                "  source_app_id      = data.cloudgov_app.frontend.id\n  destination_app_id = data.cloudgov_app.backend.id\n  protocol           = \"icmp\"\n  port               = \"8080\"",
            ),
            "Invalid Protocol",
            "protocol",
            false,
        ),
        (
            "protocol upper case",
            policy(
                "  source_app_id      = data.cloudgov_app.frontend.id\n  destination_app_id = data.cloudgov_app.backend.id\n  protocol           = \"TCP\"\n  port               = \"8080\"",
            ),
            "Invalid Protocol",
            "protocol",
            false,
        ),
        (
            "empty source",
            policy(
                "  source_app_id      = \"\"\n  destination_app_id = data.cloudgov_app.backend.id\n  port               = \"8080\"",
            ),
            "Missing App Id",
            "source_app_id",
            false,
        ),
        (
            "hostname upper case",
            route("Backend", ""),
            "Invalid Hostname",
            "hostname",
            false,
        ),
        (
            "hostname underscore",
            route("my_app", ""),
            "Invalid Hostname",
            "hostname",
            false,
        ),
        (
            "hostname too long",
            route(&"a".repeat(64), ""),
            "Invalid Hostname",
            "hostname",
            false,
        ),
        (
            "hostname leading hyphen",
            route("-api", ""),
            "Invalid Hostname",
            "hostname",
            false,
        ),
        (
            "hostname with a dot",
            route("api.v2", ""),
            "Invalid Hostname",
            "hostname",
            false,
        ),
        (
            "external domain",
            route("api", "  domain   = \"app.cloud.gov\""),
            "Not an Internal Domain",
            "domain",
            false,
        ),
        (
            "unknown domain",
            route("api", "  domain   = \"nope.internal\""),
            "Domain Not Found",
            "domain",
            false,
        ),
        (
            "destination port 80",
            route(
                "api",
                "  destinations = [{ app_id = data.cloudgov_app.backend.id, port = 80 }]",
            ),
            "Invalid Destination Port",
            "destinations",
            false,
        ),
        (
            "destination app unknown",
            route(
                "api",
                &format!("  destinations = [{{ app_id = \"{unknown}\" }}]"),
            ),
            "Invalid Destination App",
            "destinations",
            false,
        ),
        (
            "destination app in another space",
            route(
                "api",
                "  destinations = [{ app_id = data.cloudgov_app.partner.id }]",
            ),
            "Invalid Destination App",
            "destinations",
            false,
        ),
        (
            "unknown destination app for a policy",
            policy(&format!(
                "  source_app_id      = data.cloudgov_app.frontend.id\n  destination_app_id = \"{unknown}\"\n  port               = \"8080\""
            )),
            "Network Policy Create Error",
            "destination_app_id",
            true,
        ),
        (
            "unknown space for a route",
            format!(
                "resource \"cloudgov_internal_route\" \"bad\" {{\n  space_id = \"{unknown}\"\n  hostname = \"api\"\n}}\n"
            ),
            "Internal Route Create Error",
            "space_id",
            true,
        ),
    ]
}

/// True when the CLI quoted the configuration line that sets `attr` (Terraform and
/// OpenTofu print `  12:   attr = value` under a diagnostic that has an attribute).
fn points_at(out: &str, attr: &str) -> bool {
    out.lines().any(|l| {
        let Some((num, rest)) = l.trim_start().split_once(':') else {
            return false;
        };
        num.chars().all(|c| c.is_ascii_digit()) && !num.is_empty() && {
            let rest = rest.trim_start();
            rest.strip_prefix(attr)
                .is_some_and(|r| r.trim_start().starts_with('='))
        }
    })
}

fn invalid(cli: Cli) {
    let Some(env) = SimWorkspace::new(cli) else {
        return;
    };
    env.write("lookups.tf", LOOKUPS);
    env.init();
    let cases = cases();
    assert!(cases.len() >= 15);
    for (name, body, summary, attr, at_apply) in cases {
        env.write("main.tf", &body);
        let run = if at_apply {
            let plan = env.run(&["plan", "-no-color", "-input=false"]);
            assert!(
                plan.success,
                "{name}: the plan should pass, only the platform can know:\n{}",
                plan.output()
            );
            env.run(&["apply", "-auto-approve", "-no-color", "-input=false"])
        } else {
            env.run(&["plan", "-no-color", "-input=false"])
        };
        let out = run.raw_output();
        assert!(!run.success, "{name}: should have failed:\n{out}");
        assert!(
            out.contains(summary),
            "{name}: expected \"{summary}\" in:\n{out}"
        );
        assert!(
            points_at(&out, attr),
            "{name}: the diagnostic should quote the `{attr}` line:\n{out}"
        );
        for bad in ["Provider Internal Error", "panic", "crash"] {
            assert!(!out.contains(bad), "{name}: {bad} in:\n{out}");
        }
        let state = env.sim.handle.state();
        assert!(
            state.routes.is_empty() && state.policies.is_empty(),
            "{name}: something was created"
        );
    }
}
for_each_cli!(
    invalid_configurations_fail_clearly_and_create_nothing,
    super::invalid
);
