//! The bad-input catalogue: each configuration (or environment) fails at plan, or at
//! apply where only the platform can know, with the expected diagnostic quoting the
//! attribute's line (or naming the variable); nothing is created and nothing panics.

use acceptance_tests::{Cli, PROVIDERS_TF, SimWorkspace};

use crate::LOOKUPS;

/// An app GUID no one has.
const UNKNOWN: &str = "0badc0de-0000-4000-8000-000000000000";

/// One bad input.
struct Case {
    name: &'static str,
    /// `main.tf`.
    config: String,
    /// Text the diagnostic holds (its summary, or a telling part of its detail).
    expect: &'static str,
    /// The attribute whose configuration line the CLI must quote, if the
    /// configuration sets it (environment variables have no line to quote).
    attr: Option<&'static str>,
    /// Only the platform can know: the plan passes and the apply fails.
    at_apply: bool,
    /// Extra environment for this case.
    env: Vec<(&'static str, String)>,
    /// `providers.tf`, when not the usual one.
    providers: Option<String>,
}

fn case(name: &'static str, config: String, expect: &'static str, attr: &'static str) -> Case {
    Case {
        name,
        config,
        expect,
        attr: Some(attr),
        at_apply: false,
        env: Vec::new(),
        providers: None,
    }
}

impl Case {
    fn at_apply(mut self) -> Case {
        self.at_apply = true;
        self
    }
    fn env(mut self, k: &'static str, v: &str) -> Case {
        self.env.push((k, v.to_string()));
        self
    }
    fn no_line(mut self) -> Case {
        self.attr = None;
        self
    }
    fn provider_block(mut self, body: &str) -> Case {
        self.providers = Some(PROVIDERS_TF.replace(
            "provider \"cloudgov\" {}",
            &format!("provider \"cloudgov\" {{\n{body}\n}}"),
        ));
        self
    }
}

fn policy(body: &str) -> String {
    format!("resource \"cloudgov_network_policy\" \"bad\" {{\n{body}\n}}\n")
}

fn policy_port(port: &str) -> String {
    policy(&format!(
        "  source_app_id      = data.cloudgov_app.frontend.id\n  destination_app_id = data.cloudgov_app.backend.id\n  port               = \"{port}\""
    ))
}

fn policy_protocol(protocol: &str) -> String {
    policy(&format!(
        "  source_app_id      = data.cloudgov_app.frontend.id\n  destination_app_id = data.cloudgov_app.backend.id\n  protocol           = \"{protocol}\"\n  port               = \"8080\""
    ))
}

fn policy_apps(source: &str, destination: &str) -> String {
    policy(&format!(
        "  source_app_id      = {source}\n  destination_app_id = {destination}\n  port               = \"8080\""
    ))
}

fn route(host: &str, extra: &str) -> String {
    format!(
        "resource \"cloudgov_internal_route\" \"bad\" {{\n  space_id = data.cloudgov_space.dev.id\n  hostname = \"{host}\"\n{extra}\n}}\n"
    )
}

fn route_in(space: &str, extra: &str) -> String {
    format!(
        "resource \"cloudgov_internal_route\" \"bad\" {{\n  space_id = {space}\n  hostname = \"api\"\n{extra}\n}}\n"
    )
}

fn dest(body: &str) -> String {
    route("api", &format!("  destinations = [{body}]"))
}

fn data(kind: &str, body: &str) -> String {
    format!("data \"{kind}\" \"bad\" {{\n{body}\n}}\n")
}

/// A data source that reads the provider, so provider mistakes surface.
fn any_read() -> String {
    data("cloudgov_domain", "  name = \"apps.internal\"")
}

fn cases() -> Vec<Case> {
    let q = |s: &str| format!("\"{s}\"");
    let backend = "data.cloudgov_app.backend.id";
    let frontend = "data.cloudgov_app.frontend.id";
    let mut v = vec![
        // Policy ports.
        case("port zero", policy_port("0"), "Invalid Port", "port"),
        case(
            "port too high",
            policy_port("70000"),
            "Invalid Port",
            "port",
        ),
        case("port 65536", policy_port("65536"), "Invalid Port", "port"),
        case(
            "range backwards",
            policy_port("9000-8080"),
            "Invalid Port",
            "port",
        ),
        case(
            "port not a number",
            policy_port("http"),
            "Invalid Port",
            "port",
        ),
        case(
            "range half open",
            policy_port("8080-"),
            "Invalid Port",
            "port",
        ),
        case(
            "range open start",
            policy_port("-8080"),
            "Invalid Port",
            "port",
        ),
        case(
            "port list",
            policy_port("8080,8081"),
            "Invalid Port",
            "port",
        ),
        case("port empty", policy_port(""), "Invalid Port", "port"),
        case("port padded", policy_port(" 8080"), "Invalid Port", "port"),
        case(
            "port three parts",
            policy_port("80-90-100"),
            "Invalid Port",
            "port",
        ),
        case(
            "range from zero",
            policy_port("0-100"),
            "Invalid Port",
            "port",
        ),
        case("port exponent", policy_port("1e3"), "Invalid Port", "port"),
        case(
            "port with sign",
            policy_port("+8080"),
            "Invalid Port",
            "port",
        ),
        case(
            "port with unit",
            policy_port("8080/tcp"),
            "Invalid Port",
            "port",
        ),
        // Policy protocols.
        case(
            "protocol icmp",
            policy_protocol("icmp"),
            "Invalid Protocol",
            "protocol",
        ),
        case(
            "protocol upper case",
            policy_protocol("TCP"),
            "Invalid Protocol",
            "protocol",
        ),
        case(
            "protocol empty",
            policy_protocol(""),
            "Invalid Protocol",
            "protocol",
        ),
        case(
            "protocol all",
            policy_protocol("all"),
            "Invalid Protocol",
            "protocol",
        ),
        // Policy apps.
        case(
            "empty source",
            policy_apps("\"\"", backend),
            "Missing App Id",
            "source_app_id",
        ),
        case(
            "empty destination",
            policy_apps(frontend, "\"\""),
            "Missing App Id",
            "destination_app_id",
        ),
        case(
            "source by name",
            policy_apps(&q("frontend"), backend),
            "Invalid App Id",
            "source_app_id",
        ),
        case(
            "destination by name",
            policy_apps(frontend, &q("backend")),
            "Invalid App Id",
            "destination_app_id",
        ),
        case(
            "destination guid cut short",
            policy_apps(frontend, &q(&UNKNOWN[..35])),
            "Invalid App Id",
            "destination_app_id",
        ),
        case(
            "unknown destination app for a policy",
            policy_apps(frontend, &q(UNKNOWN)),
            "Network Policy Create Error",
            "destination_app_id",
        )
        .at_apply(),
        case(
            "unknown source app for a policy",
            policy_apps(&q(UNKNOWN), backend),
            "Network Policy Create Error",
            "source_app_id",
        )
        .at_apply(),
        // Route hostnames and domains.
        case(
            "hostname upper case",
            route("Backend", ""),
            "Invalid Hostname",
            "hostname",
        ),
        case(
            "hostname underscore",
            route("my_app", ""),
            "Invalid Hostname",
            "hostname",
        ),
        case(
            "hostname too long",
            route(&"a".repeat(64), ""),
            "Invalid Hostname",
            "hostname",
        ),
        case(
            "hostname leading hyphen",
            route("-api", ""),
            "Invalid Hostname",
            "hostname",
        ),
        case(
            "hostname trailing hyphen",
            route("api-", ""),
            "Invalid Hostname",
            "hostname",
        ),
        case(
            "hostname with a dot",
            route("api.v2", ""),
            "Invalid Hostname",
            "hostname",
        ),
        case(
            "hostname empty",
            route("", ""),
            "Invalid Hostname",
            "hostname",
        ),
        case(
            "hostname wildcard",
            route("*", ""),
            "Invalid Hostname",
            "hostname",
        ),
        case(
            "hostname with a space",
            route("my app", ""),
            "Invalid Hostname",
            "hostname",
        ),
        case(
            "hostname not ascii",
            route("café", ""),
            "Invalid Hostname",
            "hostname",
        ),
        case(
            "external domain",
            route("api", "  domain   = \"app.cloud.gov\""),
            "Not an Internal Domain",
            "domain",
        ),
        case(
            "unknown domain",
            route("api", "  domain   = \"nope.internal\""),
            "Domain Not Found",
            "domain",
        ),
        case(
            "empty domain",
            route("api", "  domain   = \"\""),
            "Domain Not Found",
            "domain",
        ),
        // Route spaces.
        case(
            "space by name",
            route_in(&q("dev"), ""),
            "Invalid Space Id",
            "space_id",
        ),
        case(
            "space empty",
            route_in("\"\"", ""),
            "Missing Space Id",
            "space_id",
        ),
        case(
            "unknown space",
            route_in(&q(UNKNOWN), ""),
            "Space Not Found",
            "space_id",
        ),
        case(
            "unknown space with a destination",
            route_in(
                &q(UNKNOWN),
                "  destinations = [{ app_id = data.cloudgov_app.backend.id }]",
            ),
            "Space Not Found",
            "space_id",
        ),
        case(
            "timeout without a unit",
            route("api", "  timeouts {\n    create = \"10\"\n  }"),
            "Invalid Timeout",
            "create",
        ),
        case(
            "timeout of zero",
            route("api", "  timeouts {\n    delete = \"0s\"\n  }"),
            "Invalid Timeout",
            "delete",
        ),
        // Route destinations.
        case(
            "destination port 80",
            dest("{ app_id = data.cloudgov_app.backend.id, port = 80 }"),
            "Invalid Destination Port",
            "destinations",
        ),
        case(
            "destination port 1023",
            dest("{ app_id = data.cloudgov_app.backend.id, port = 1023 }"),
            "Invalid Destination Port",
            "destinations",
        ),
        case(
            "destination port zero",
            dest("{ app_id = data.cloudgov_app.backend.id, port = 0 }"),
            "Invalid Destination Port",
            "destinations",
        ),
        case(
            "destination port too high",
            dest("{ app_id = data.cloudgov_app.backend.id, port = 70000 }"),
            "Invalid Destination Port",
            "destinations",
        ),
        case(
            "more destinations than the platform maps",
            dest(
                &(8001..=8101)
                    .map(|p| format!("{{ app_id = data.cloudgov_app.backend.id, port = {p} }}"))
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
            "Too Many Destinations",
            "destinations",
        ),
        case(
            "duplicate destinations",
            dest(
                "{ app_id = data.cloudgov_app.backend.id }, { app_id = data.cloudgov_app.backend.id }",
            ),
            "Duplicate Destination",
            "destinations",
        ),
        case(
            "duplicate destinations spelt with defaults",
            dest(
                "{ app_id = data.cloudgov_app.backend.id }, { app_id = data.cloudgov_app.backend.id, process_type = \"web\", port = 8080 }",
            ),
            "Duplicate Destination",
            "destinations",
        ),
        case(
            "destination without an app",
            dest("{ port = 8080 }"),
            "Missing App Id",
            "destinations",
        ),
        case(
            "destination app empty",
            dest("{ app_id = \"\" }"),
            "Missing App Id",
            "destinations",
        ),
        case(
            "destination app by name",
            dest("{ app_id = \"backend\" }"),
            "Invalid App Id",
            "destinations",
        ),
        case(
            "destination process type empty",
            dest("{ app_id = data.cloudgov_app.backend.id, process_type = \"\" }"),
            "Invalid Process Type",
            "destinations",
        ),
        case(
            "destination app unknown",
            dest(&format!("{{ app_id = \"{UNKNOWN}\" }}")),
            "Invalid Destination App",
            "destinations",
        ),
        case(
            "destination app in another space",
            dest("{ app_id = data.cloudgov_app.partner.id }"),
            "Invalid Destination App",
            "destinations",
        ),
        // Data sources.
        case(
            "app with space_id and names",
            data(
                "cloudgov_app",
                "  name       = \"backend\"\n  space_id   = data.cloudgov_space.dev.id\n  space_name = \"dev\"",
            ),
            "Conflicting Arguments",
            "space_name",
        ),
        case(
            "app without a space",
            data("cloudgov_app", "  name = \"backend\""),
            "Missing Space",
            "space_id",
        )
        .no_line(),
        case(
            "app with org_name only",
            data(
                "cloudgov_app",
                "  name     = \"backend\"\n  org_name = \"sandbox\"",
            ),
            "Missing Argument",
            "org_name",
        ),
        case(
            "space without an org",
            data("cloudgov_space", "  name = \"dev\""),
            "Missing Organization",
            "org_id",
        )
        .no_line(),
        case(
            "unknown org",
            data("cloudgov_org", "  name = \"nowhere\""),
            "Organization Not Found",
            "name",
        ),
        case(
            "unknown space name",
            data(
                "cloudgov_space",
                "  name   = \"nowhere\"\n  org_id = data.cloudgov_org.sandbox.id",
            ),
            "Space Not Found",
            "name",
        ),
        case(
            "space lookup with an org name",
            data(
                "cloudgov_space",
                "  name   = \"dev\"\n  org_id = \"sandbox\"",
            ),
            "Invalid Organization Id",
            "org_id",
        ),
        case(
            "unknown app name",
            data(
                "cloudgov_app",
                "  name     = \"backnd\"\n  space_id = data.cloudgov_space.dev.id",
            ),
            "App Not Found",
            "name",
        ),
        case(
            "app lookup with a space name",
            data(
                "cloudgov_app",
                "  name     = \"backend\"\n  space_id = \"dev\"",
            ),
            "Invalid Space Id",
            "space_id",
        ),
        case(
            "unknown domain lookup",
            data("cloudgov_domain", "  name = \"nope.internal\""),
            "Domain Not Found",
            "name",
        ),
        case(
            "policies of an app by name",
            data("cloudgov_network_policies", "  app_id = \"backend\""),
            "Invalid App Id",
            "app_id",
        ),
        case(
            "policies of an unknown app",
            data(
                "cloudgov_network_policies",
                &format!("  app_id = \"{UNKNOWN}\""),
            ),
            "App Not Found",
            "app_id",
        ),
        // Provider configuration.
        case(
            "api_url with a path",
            any_read(),
            "Invalid API URL",
            "api_url",
        )
        .provider_block("  api_url = \"https://api.fr.cloud.gov/v3\""),
        case(
            "api_url plain http",
            any_read(),
            "Insecure API URL",
            "api_url",
        )
        .provider_block("  api_url = \"http://api.fr.cloud.gov\""),
        case(
            "api_url without scheme",
            any_read(),
            "Invalid API URL",
            "api_url",
        )
        .provider_block("  api_url = \"api.fr.cloud.gov\""),
        // The userinfo trick: a loopback-looking user name before a remote host.
        case(
            "api_url with userinfo",
            any_read(),
            "holds a user name or password",
            "api_url",
        )
        .provider_block("  api_url = \"http://[::1]@api.fr.cloud.gov:8080\""),
        // The diagnostic points at `password`, which has no line to quote.
        case(
            "user without password",
            any_read(),
            "`user` is set but `password` is not (nor CF_PASSWORD)",
            "",
        )
        .no_line()
        .provider_block("  user = \"deployer\"")
        .env("CF_PASSWORD", ""),
        case(
            "CF_SKIP_SSL_VALIDATION yes",
            any_read(),
            "Invalid CF_SKIP_SSL_VALIDATION",
            "",
        )
        .no_line()
        .env("CF_SKIP_SSL_VALIDATION", "yes"),
        case(
            "CF_SKIP_SSL_VALIDATION maybe",
            any_read(),
            "Invalid CF_SKIP_SSL_VALIDATION",
            "",
        )
        .no_line()
        .env("CF_SKIP_SSL_VALIDATION", "maybe"),
        case(
            "wrong CF_ORIGIN",
            any_read(),
            "identity provider with origin \"corp-ldap\"",
            "",
        )
        .no_line()
        .env("CF_ORIGIN", "corp-ldap"),
        case(
            "malformed CF_ACCESS_TOKEN",
            any_read(),
            "the access token is not a valid token",
            "",
        )
        .no_line()
        .env("CF_USER", "")
        .env("CF_PASSWORD", "")
        .env("CF_ACCESS_TOKEN", "not-a-token"),
        case(
            "SSL_CERT_FILE missing",
            any_read(),
            "SSL_CERT_FILE names /nonexistent/ca.pem, which does not exist",
            "",
        )
        .no_line()
        .env("SSL_CERT_FILE", "/nonexistent/ca.pem"),
    ];
    // A wrong password: the secret never shows.
    v.push(
        case("wrong password", any_read(), "Bad credentials", "")
            .no_line()
            .env("CF_PASSWORD", "not-the-password-93c1"),
    );
    v
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
    assert!(cases.len() >= 60, "{} cases", cases.len());
    eprintln!("{} bad inputs", cases.len());
    let mut failures = Vec::new();
    for c in cases {
        env.write("main.tf", &c.config);
        env.write(
            "providers.tf",
            c.providers.as_deref().unwrap_or(PROVIDERS_TF),
        );
        let extra: Vec<(&str, &str)> = c.env.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let run = if c.at_apply {
            let plan = env.run_env(&extra, &["plan", "-no-color", "-input=false"]);
            if !plan.success {
                failures.push(format!(
                    "{}: the plan should pass, only the platform can know:\n{}",
                    c.name,
                    plan.output()
                ));
                continue;
            }
            env.run_env(
                &extra,
                &["apply", "-auto-approve", "-no-color", "-input=false"],
            )
        } else {
            env.run_env(&extra, &["plan", "-no-color", "-input=false"])
        };
        let out = run.raw_output();
        let folded = run.output();
        let mut problems = Vec::new();
        if run.success {
            problems.push("it succeeded".to_string());
        }
        if !folded.contains(c.expect) {
            problems.push(format!("no \"{}\"", c.expect));
        }
        if let Some(attr) = c.attr
            && !points_at(&out, attr)
        {
            problems.push(format!("the `{attr}` line is not quoted"));
        }
        for bad in [
            "Provider Internal Error",
            "panic",
            "crash",
            "not-the-password-93c1",
        ] {
            if out.contains(bad) {
                problems.push(format!("\"{bad}\" is shown"));
            }
        }
        let state = env.sim.handle.state();
        if !(state.routes.is_empty() && state.policies.is_empty()) {
            problems.push("something was created".into());
        }
        if !problems.is_empty() {
            failures.push(format!("{}: {}\n{out}", c.name, problems.join("; ")));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
for_each_cli!(
    invalid_configurations_fail_clearly_and_create_nothing,
    super::invalid
);
