//! The real cf CLI (8.18.4, from `../shared/tools/cf-cli/`) against cloudgov-sim: the
//! workflow a cloud.gov team runs by hand, the platform's refusal of a policy into a
//! space without the role, and Terraform and the cf CLI seeing the same objects.
//! Required in CI; in a clone without `../shared` these tests say they were skipped.

use std::path::PathBuf;
use std::process::Command;

use acceptance_tests::{Cli, SimWorkspace, workspace_root};

use crate::LOOKUPS;

/// The cf CLI, or None (announced) where `../shared` is absent. With `CI=true` it is
/// required.
fn cf_binary() -> Option<PathBuf> {
    let path = workspace_root()
        .parent()
        .map(|p| p.join("shared/tools/cf-cli/cf"))?;
    if path.is_file() {
        return Some(path);
    }
    assert!(
        std::env::var("CI").map_or(true, |v| v != "true"),
        "the cf CLI is required when CI=true: {} is missing",
        path.display()
    );
    eprintln!(
        "SKIPPED: the cf CLI is not at {} (a clone without ../shared); this test did not run",
        path.display()
    );
    None
}

/// A cf CLI with its own home, trusting the simulator's CA.
struct Cf {
    bin: PathBuf,
    home: tempfile::TempDir,
    ca: PathBuf,
}

/// What one cf command did.
struct Out {
    ok: bool,
    text: String,
}

impl Cf {
    fn new(env: &SimWorkspace) -> Option<Cf> {
        Some(Cf {
            bin: cf_binary()?,
            home: tempfile::tempdir().expect("CF_HOME"),
            ca: env.ca_file(),
        })
    }

    fn run(&self, args: &[&str]) -> Out {
        let out = Command::new(&self.bin)
            .args(args)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("CF_HOME", self.home.path())
            .env("SSL_CERT_FILE", &self.ca)
            .env("CF_COLOR", "false")
            .env("CF_STARTUP_TIMEOUT", "5")
            .output()
            .expect("run cf");
        let text = format!(
            "{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            !text.contains("panic") && !text.contains("goroutine"),
            "cf {}: the CLI crashed:\n{text}",
            args.join(" ")
        );
        Out {
            ok: out.status.success(),
            text,
        }
    }

    /// `cf login` to the simulator as `user` (whose password is its name), targeting
    /// `sandbox` / `dev`.
    fn login(&self, env: &SimWorkspace, user: &str) -> String {
        let url = env.sim.url.clone();
        self.ok(
            &[
                "login", "-a", &url, "-u", user, "-p", user, "-o", "sandbox", "-s", "dev",
            ],
            &["OK"],
        )
    }

    /// Runs a command that must succeed and print every one of `expect`.
    fn ok(&self, args: &[&str], expect: &[&str]) -> String {
        let out = self.run(args);
        assert!(out.ok, "cf {} failed:\n{}", args.join(" "), out.text);
        for e in expect {
            assert!(
                out.text.contains(e),
                "cf {}: expected \"{e}\" in:\n{}",
                args.join(" "),
                out.text
            );
        }
        out.text
    }
}

/// Lines of a table printed by the CLI, with runs of spaces folded.
fn rows(text: &str) -> Vec<String> {
    text.lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|l| !l.is_empty())
        .collect()
}

#[test]
fn cf_cli_workflow_against_the_simulator() {
    // The CLI the workspace is for does not matter here: no Terraform runs.
    let Some(env) = SimWorkspace::new_tls(Cli::Terraform) else {
        return;
    };
    let Some(cf) = Cf::new(&env) else {
        return;
    };
    let h = &env.sim.handle;
    let login = cf.login(&env, "deployer");
    for e in ["org:            sandbox", "space:          dev"] {
        assert!(login.contains(e), "{login}");
    }
    cf.ok(
        &["target"],
        &["user:           deployer", "space:          dev"],
    );
    let orgs = cf.ok(&["orgs"], &["sandbox"]);
    assert!(rows(&orgs).contains(&"sandbox".to_string()), "{orgs}");
    let spaces = rows(&cf.ok(&["spaces"], &[]));
    assert!(
        spaces.contains(&"dev".into()) && spaces.contains(&"other".into()),
        "{spaces:?}"
    );
    let apps = rows(&cf.ok(&["apps"], &[]));
    for app in ["backend", "frontend", "worker"] {
        assert!(
            apps.iter()
                .any(|r| r.starts_with(&format!("{app} started web:1/1"))),
            "{app} in {apps:?}"
        );
    }
    cf.ok(
        &["app", "backend"],
        &[
            "name:              backend",
            "requested state:   started",
            "#0   running",
        ],
    );
    let domains = rows(&cf.ok(&["domains"], &[]));
    assert!(
        domains.contains(&"apps.internal shared true http".to_string()),
        "{domains:?}"
    );

    // Routes.
    cf.ok(
        &[
            "map-route",
            "backend",
            "apps.internal",
            "--hostname",
            "backend",
        ],
        &["OK"],
    );
    let route = h
        .state()
        .routes
        .values()
        .find(|r| r.host == "backend")
        .cloned()
        .expect("the route exists on the platform");
    assert_eq!(route.destinations.len(), 1);
    let routes = rows(&cf.ok(&["routes"], &[]));
    assert!(
        routes.contains(&"dev backend apps.internal http http1 8080 backend".to_string()),
        "{routes:?}"
    );
    cf.ok(&["app", "backend"], &["backend.apps.internal"]);

    // Policies, in this space and into another, listed in creation order.
    cf.ok(
        &[
            "add-network-policy",
            "frontend",
            "backend",
            "--protocol",
            "tcp",
            "--port",
            "61443",
        ],
        &["OK"],
    );
    cf.ok(
        &[
            "add-network-policy",
            "frontend",
            "partner",
            "-s",
            "other",
            "--protocol",
            "tcp",
            "--port",
            "8080",
        ],
        &["OK"],
    );
    assert_eq!(h.state().policies.len(), 2);
    let listed = rows(&cf.ok(&["network-policies"], &[]));
    let first = listed
        .iter()
        .position(|r| r == "frontend backend tcp 61443 dev sandbox");
    let second = listed
        .iter()
        .position(|r| r == "frontend partner tcp 8080 other sandbox");
    assert!(
        first.is_some() && second.is_some() && first < second,
        "{listed:?}"
    );
    let by_source = rows(&cf.ok(&["network-policies", "--source", "frontend"], &[]));
    assert!(
        by_source.contains(&"frontend backend tcp 61443 dev sandbox".to_string()),
        "{by_source:?}"
    );
    let none = rows(&cf.ok(&["network-policies", "--source", "worker"], &[]));
    assert!(!none.iter().any(|r| r.starts_with("frontend")), "{none:?}");
    cf.ok(
        &[
            "remove-network-policy",
            "frontend",
            "backend",
            "--protocol",
            "tcp",
            "--port",
            "61443",
        ],
        &["OK"],
    );
    assert_eq!(h.state().policies.len(), 1);

    cf.ok(
        &[
            "unmap-route",
            "backend",
            "apps.internal",
            "--hostname",
            "backend",
        ],
        &["OK"],
    );
    assert!(h.state().routes[&route.guid].destinations.is_empty());
    cf.ok(
        &[
            "delete-route",
            "apps.internal",
            "--hostname",
            "backend",
            "-f",
        ],
        &["OK"],
    );
    assert!(h.state().routes.is_empty());

    let curl = cf.ok(&["curl", "/v3/spaces"], &["\"total_results\":2"]);
    assert!(curl.contains("\"name\":\"dev\""), "{curl}");
    cf.ok(&["logout"], &["OK"]);
    let out = cf.run(&["target"]);
    assert!(
        !out.ok && out.text.contains("Not logged in"),
        "{}",
        out.text
    );

    // A pipeline's client credentials.
    cf.ok(
        &[
            "auth",
            "pipeline",
            "pipeline-secret",
            "--client-credentials",
        ],
        &["OK"],
    );
    cf.ok(
        &["target", "-o", "sandbox", "-s", "dev"],
        &["user:           pipeline"],
    );
    cf.ok(&["apps"], &["backend"]);
    cf.ok(&["network-policies"], &["frontend"]);
    cf.ok(&["logout"], &["OK"]);
    assert_eq!(
        h.stats()
            .keys()
            .filter(|k| k.starts_with("UNKNOWN"))
            .count(),
        0,
        "{:?}",
        h.stats()
    );
}

/// The app lifecycle commands beyond networking (#26's list but `push`), each
/// asserted on what the simulator then holds.
#[test]
fn cf_cli_app_lifecycle_commands_change_the_simulator() {
    let Some(env) = SimWorkspace::new_tls(Cli::Terraform) else {
        return;
    };
    let Some(cf) = Cf::new(&env) else {
        return;
    };
    let h = &env.sim.handle;
    cf.login(&env, "deployer");
    let backend = h.app_guid("dev", "backend").unwrap();
    let app = |guid: &str| h.with_state(|s| s.apps.get(guid).cloned()).unwrap();

    cf.ok(&["org", "sandbox"], &["quota:", "default", "dev, other"]);
    cf.ok(&["space", "dev"], &["backend, frontend, worker"]);
    cf.ok(&["curl", "/v3/info"], &["\"name\":\"cloudgov-sim\""]);

    cf.ok(
        &["check-route", "apps.internal", "-n", "backend"],
        &["Route 'backend.apps.internal' does not exist."],
    );
    cf.ok(
        &[
            "map-route",
            "backend",
            "apps.internal",
            "--hostname",
            "backend",
        ],
        &["OK"],
    );
    cf.ok(
        &["check-route", "apps.internal", "-n", "backend"],
        &["Route 'backend.apps.internal' does exist."],
    );

    // What the guides tell users to set for clients with their own CA bundle.
    let bundle = "/etc/ssl/certs/ca-certificates.crt";
    cf.ok(
        &["set-env", "backend", "REQUESTS_CA_BUNDLE", bundle],
        &["OK"],
    );
    assert_eq!(
        app(&backend)
            .env
            .get("REQUESTS_CA_BUNDLE")
            .map(String::as_str),
        Some(bundle)
    );
    cf.ok(
        &["env", "backend"],
        &[
            "User-Provided:",
            "REQUESTS_CA_BUNDLE: /etc/ssl/certs/ca-certificates.crt",
            "backend.apps.internal",
        ],
    );
    cf.ok(&["unset-env", "backend", "REQUESTS_CA_BUNDLE"], &["OK"]);
    assert!(app(&backend).env.is_empty());

    cf.ok(&["stop", "backend"], &["OK"]);
    assert_eq!(app(&backend).state, "STOPPED");
    cf.ok(&["app", "backend"], &["requested state:   stopped", "down"]);
    cf.ok(
        &["start", "backend"],
        &["requested state:   started", "running"],
    );
    assert_eq!(app(&backend).state, "STARTED");
    cf.ok(&["restart", "backend"], &["running"]);
    assert_eq!(app(&backend).state, "STARTED");

    cf.ok(&["scale", "backend", "-i", "3"], &["instances:      3/3"]);
    assert_eq!(app(&backend).instances, 3);

    let worker = h.app_guid("dev", "worker").unwrap();
    cf.ok(&["rename", "worker", "worker-v2"], &["OK"]);
    assert_eq!(app(&worker).name, "worker-v2");
    let taken = cf.run(&["rename", "worker-v2", "frontend"]);
    assert!(
        !taken.ok
            && taken
                .text
                .contains("App with the name 'frontend' already exists."),
        "{}",
        taken.text
    );
    assert_eq!(app(&worker).name, "worker-v2");
}

/// `cf push` with a Docker image, then a blue-green replacement of `backend` by hand,
/// the way a pipeline does it: push the new app without a route, give it the internal
/// hostname, open the path to it, retire the old app and take its name. At the end
/// `cf network-policies` shows the path to the new app.
#[test]
fn cf_cli_push_and_blue_green_keep_the_path() {
    let Some(env) = SimWorkspace::new_tls(Cli::Terraform) else {
        return;
    };
    let Some(cf) = Cf::new(&env) else {
        return;
    };
    let h = &env.sim.handle;
    cf.login(&env, "deployer");
    let app_named = |name: &str| {
        h.with_state(|s| s.apps.values().find(|a| a.name == name).cloned())
            .unwrap_or_else(|| panic!("no app named {name}"))
    };
    let routes_of = |guid: &str| {
        h.with_state(|s| {
            let mut urls: Vec<String> = s
                .routes
                .values()
                .filter(|r| r.destinations.iter().any(|d| d.app_guid == guid))
                .map(|r| {
                    let domain = &s.domains[&r.domain_guid].name;
                    format!("{}.{domain}", r.host)
                })
                .collect();
            urls.sort();
            urls
        })
    };

    // A new app from a Docker image, with the default route.
    cf.ok(
        &["push", "api", "--docker-image", "nginx:1.27"],
        &["requested state:   started", "api.app.cloud.gov", "running"],
    );
    let api = app_named("api");
    assert_eq!(api.state, "STARTED");
    assert_eq!(api.image.as_deref(), Some("nginx:1.27"));
    assert_eq!(routes_of(&api.guid), ["api.app.cloud.gov"]);

    // Blue: backend on its internal hostname, reachable from frontend over TLS.
    let blue = app_named("backend").guid;
    cf.ok(
        &[
            "map-route",
            "backend",
            "apps.internal",
            "--hostname",
            "backend",
        ],
        &["OK"],
    );
    let policy = |dst: &str| {
        vec![
            "add-network-policy".to_string(),
            "frontend".into(),
            dst.into(),
            "--protocol".into(),
            "tcp".into(),
            "--port".into(),
            "61443".into(),
        ]
    };
    let args = policy("backend");
    cf.ok(
        &args.iter().map(String::as_str).collect::<Vec<_>>(),
        &["OK"],
    );

    // Green: pushed without a route, then given the same internal hostname.
    cf.ok(
        &[
            "push",
            "backend-green",
            "--docker-image",
            "nginx:1.27",
            "--no-route",
        ],
        &["requested state:   started", "running"],
    );
    let green = app_named("backend-green");
    assert!(routes_of(&green.guid).is_empty());
    cf.ok(
        &[
            "map-route",
            "backend-green",
            "apps.internal",
            "--hostname",
            "backend",
        ],
        &["OK"],
    );
    let args = policy("backend-green");
    cf.ok(
        &args.iter().map(String::as_str).collect::<Vec<_>>(),
        &["OK"],
    );
    cf.ok(
        &[
            "unmap-route",
            "backend",
            "apps.internal",
            "--hostname",
            "backend",
        ],
        &["OK"],
    );
    cf.ok(&["delete", "backend", "-f"], &["OK"]);
    cf.ok(&["rename", "backend-green", "backend"], &["OK"]);

    let new = app_named("backend");
    assert_eq!(new.guid, green.guid);
    assert!(h.with_state(|s| !s.apps.contains_key(&blue)));
    assert_eq!(routes_of(&new.guid), ["backend.apps.internal"]);
    assert!(
        h.state()
            .policies
            .iter()
            .any(|p| p.destination == new.guid && p.start == 61443 && p.end == 61443),
        "no policy into the new app"
    );
    let listed = rows(&cf.ok(&["network-policies"], &[]));
    assert!(
        listed.contains(&"frontend backend tcp 61443 dev sandbox".to_string()),
        "{listed:?}"
    );
    cf.ok(&["app", "backend"], &["backend.apps.internal", "running"]);
}

#[test]
fn cf_cli_policy_into_a_space_without_the_role_is_refused_as_the_platform_does() {
    let Some(env) = SimWorkspace::new_tls(Cli::Terraform) else {
        return;
    };
    let Some(cf) = Cf::new(&env) else {
        return;
    };
    // A developer of `dev` only.
    let dev = env.sim.handle.space_guid("dev").unwrap();
    env.sim.handle.with_state(|s| {
        let mut u = s.users["deployer"].clone();
        u.name = "dev-only".into();
        u.password = "dev-only".into();
        u.roles.developer_spaces = [dev].into_iter().collect();
        s.users.insert(u.name.clone(), u);
    });
    cf.login(&env, "dev-only");
    // The CLI looks the destination up first; without a role, the space is not there.
    let out = cf.run(&[
        "add-network-policy",
        "frontend",
        "partner",
        "-s",
        "other",
        "--protocol",
        "tcp",
        "--port",
        "8080",
    ]);
    assert!(!out.ok, "{}", out.text);
    assert!(out.text.contains("Space 'other' not found"), "{}", out.text);
    // Asked directly, the policy server answers as it does on cloud.gov.
    let partner = env.sim.handle.app_guid("other", "partner").unwrap();
    let frontend = env.sim.handle.app_guid("dev", "frontend").unwrap();
    let body = format!(
        r#"{{"policies":[{{"source":{{"id":"{frontend}"}},"destination":{{"id":"{partner}","protocol":"tcp","ports":{{"start":8080,"end":8080}}}}}}]}}"#
    );
    let out = cf.run(&[
        "curl",
        "-X",
        "POST",
        "/networking/v1/external/policies",
        "-d",
        &body,
    ]);
    assert!(
        out.text
            .contains("one or more applications cannot be found or accessed"),
        "{}",
        out.text
    );
    assert!(env.sim.handle.state().policies.is_empty());
}

/// Terraform and the cf CLI see the same objects: what Terraform applies shows in
/// `cf routes` and `cf network-policies`, and a route `cf map-route` makes imports
/// into Terraform with nothing left to change.
fn terraform_and_cf_agree(cli: Cli) {
    let Some(env) = SimWorkspace::new_tls(cli) else {
        return;
    };
    let Some(cf) = Cf::new(&env) else {
        return;
    };
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
"#
        ),
    );
    env.init();
    env.apply();
    cf.login(&env, "deployer");
    let routes = rows(&cf.ok(&["routes"], &[]));
    assert!(
        routes.contains(&"dev backend apps.internal http http1 8080 backend".to_string()),
        "{routes:?}"
    );
    let policies = rows(&cf.ok(&["network-policies"], &[]));
    assert!(
        policies.contains(&"frontend backend tcp 61443 dev sandbox".to_string()),
        "{policies:?}"
    );

    // Made by hand, then brought under Terraform.
    cf.ok(
        &[
            "map-route",
            "worker",
            "apps.internal",
            "--hostname",
            "worker",
        ],
        &["OK"],
    );
    let guid = env
        .sim
        .handle
        .state()
        .routes
        .values()
        .find(|r| r.host == "worker")
        .map(|r| r.guid.clone())
        .unwrap();
    let mut main = std::fs::read_to_string(env.work_dir().join("main.tf")).unwrap();
    main.push_str(
        r#"
resource "cloudgov_internal_route" "worker" {
  space_id     = data.cloudgov_space.dev.id
  hostname     = "worker"
  destinations = [{ app_id = data.cloudgov_app.worker.id }]
}
"#,
    );
    env.write("main.tf", &main);
    env.run(&[
        "import",
        "-no-color",
        "-input=false",
        "cloudgov_internal_route.worker",
        &guid,
    ])
    .ok();
    env.assert_no_changes();
    assert_eq!(env.sim.handle.state().routes.len(), 2);
}
for_each_cli!(
    cf_cli_and_terraform_see_the_same_objects,
    super::terraform_and_cf_agree
);

/// `cloudgov_network_policies_exclusive` against a policy added by hand with the cf
/// CLI: the plan shows it by name, apply deletes it and nothing outside the scope,
/// `cf network-policies` agrees, and the next plan is empty; an import by scope gives
/// the same state.
fn exclusive_removes_what_cf_added(cli: Cli) {
    let Some(env) = SimWorkspace::new_tls(cli) else {
        return;
    };
    let Some(cf) = Cf::new(&env) else {
        return;
    };
    env.write(
        "main.tf",
        &format!(
            r#"{LOOKUPS}
resource "cloudgov_network_policy" "tls" {{
  source_app_id      = data.cloudgov_app.frontend.id
  destination_app_id = data.cloudgov_app.backend.id
  port               = "61443"
}}

resource "cloudgov_network_policies_exclusive" "backend" {{
  app_id     = data.cloudgov_app.backend.id
  direction  = "ingress"
  policy_ids = [cloudgov_network_policy.tls.id]
}}
"#
        ),
    );
    env.init();
    env.apply();
    cf.login(&env, "deployer");
    cf.ok(
        &[
            "add-network-policy",
            "worker",
            "backend",
            "--protocol",
            "tcp",
            "--port",
            "8080",
        ],
        &["OK"],
    );
    cf.ok(
        &[
            "add-network-policy",
            "backend",
            "worker",
            "--protocol",
            "tcp",
            "--port",
            "9090",
        ],
        &["OK"],
    );
    let (changes, plan) = env
        .plan_changes()
        .unwrap_or_else(|r| panic!("{}", r.output()));
    assert!(
        changes,
        "the hand-made policy into backend is drift:\n{}",
        plan.stdout
    );
    assert!(
        plan.stdout.contains("worker"),
        "shown by name:\n{}",
        plan.stdout
    );
    env.apply();
    let policies = rows(&cf.ok(&["network-policies"], &[]));
    assert!(
        policies.contains(&"frontend backend tcp 61443 dev sandbox".to_string()),
        "{policies:?}"
    );
    assert!(
        !policies.iter().any(|p| p.starts_with("worker backend")),
        "removed: {policies:?}"
    );
    assert!(
        policies.contains(&"backend worker tcp 9090 dev sandbox".to_string()),
        "outside the scope, untouched: {policies:?}"
    );
    env.assert_no_changes();

    let before = env.state()["cloudgov_network_policies_exclusive.backend"].clone();
    let id = before["id"].as_str().unwrap().to_string();
    env.run(&["state", "rm", "cloudgov_network_policies_exclusive.backend"])
        .ok();
    env.run(&[
        "import",
        "-no-color",
        "cloudgov_network_policies_exclusive.backend",
        &id,
    ])
    .ok();
    assert_eq!(
        env.state()["cloudgov_network_policies_exclusive.backend"]["policy_ids"],
        before["policy_ids"]
    );
    env.assert_no_changes();
}
for_each_cli!(
    exclusive_policies_remove_what_cf_added,
    super::exclusive_removes_what_cf_added
);
