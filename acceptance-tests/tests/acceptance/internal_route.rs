//! `cloudgov_internal_route`: apply, no-change plan, import, in-place destination
//! update, replacement, destroy, a route made outside Terraform (refused), one this
//! provider made but Terraform lost (adopted), and two resources naming one route.

use acceptance_tests::{Cli, SimWorkspace};

use crate::LOOKUPS;

fn config(host: &str, apps: &[&str]) -> String {
    let dests: Vec<String> = apps
        .iter()
        .map(|a| format!("    {{ app_id = data.cloudgov_app.{a}.id }},"))
        .collect();
    format!(
        r#"{LOOKUPS}
resource "cloudgov_internal_route" "r" {{
  space_id = data.cloudgov_space.dev.id
  hostname = "{host}"

  destinations = [
{}
  ]
}}
"#,
        dests.join("\n")
    )
}

/// (host, destination app GUIDs) of every route in the simulator.
fn routes(env: &SimWorkspace) -> Vec<(String, Vec<String>)> {
    let mut out: Vec<(String, Vec<String>)> = env
        .sim
        .handle
        .state()
        .routes
        .values()
        .map(|r| {
            let mut apps: Vec<String> = r.destinations.iter().map(|d| d.app_guid.clone()).collect();
            apps.sort();
            (r.host.clone(), apps)
        })
        .collect();
    out.sort();
    out
}

fn lifecycle(cli: Cli) {
    let Some(env) = SimWorkspace::new(cli) else {
        return;
    };
    let backend = env.sim.handle.app_guid("dev", "backend").unwrap();
    let worker = env.sim.handle.app_guid("dev", "worker").unwrap();
    env.write("main.tf", &config("backend", &["backend"]));
    env.init();
    env.apply();
    assert_eq!(
        routes(&env),
        vec![("backend".to_string(), vec![backend.clone()])]
    );
    let applied = env.state()["cloudgov_internal_route.r"].clone();
    assert_eq!(applied["fqdn"], "backend.apps.internal");
    assert_eq!(applied["domain"], "apps.internal");
    assert_eq!(
        applied["domain_id"],
        env.sim.handle.domain_guid("apps.internal").unwrap()
    );
    assert_eq!(applied["destinations"][0]["port"], 8080);
    assert_eq!(applied["destinations"][0]["process_type"], "web");
    let sim_state = env.sim.handle.state();
    let dest = &sim_state.routes.values().next().unwrap().destinations[0];
    assert_eq!((dest.port, dest.process_type.as_str()), (8080, "web"));
    env.assert_no_changes();

    // Import by GUID and compare every attribute.
    let guid = applied["id"].as_str().unwrap().to_string();
    env.run(&["state", "rm", "cloudgov_internal_route.r"]).ok();
    let out = env
        .run(&[
            "import",
            "-no-color",
            "cloudgov_internal_route.r",
            "backend.apps.internal",
        ])
        .failed()
        .output();
    assert!(
        out.contains("\"backend.apps.internal\" is not a GUID"),
        "{out}"
    );
    env.run(&["import", "-no-color", "cloudgov_internal_route.r", &guid])
        .ok();
    assert_eq!(env.state()["cloudgov_internal_route.r"], applied);
    env.assert_no_changes();

    // Adding a destination updates in place: same route GUID.
    env.write("main.tf", &config("backend", &["backend", "worker"]));
    let (_, plan) = env.plan_changes().unwrap();
    assert!(plan.stdout.contains("updated in-place"), "{}", plan.stdout);
    env.apply();
    let mut both = vec![backend.clone(), worker.clone()];
    both.sort();
    assert_eq!(routes(&env), vec![("backend".to_string(), both)]);
    assert_eq!(
        env.state()["cloudgov_internal_route.r"]["id"],
        guid.as_str()
    );
    env.assert_no_changes();

    // A new hostname replaces the route.
    env.write("main.tf", &config("api", &["backend"]));
    let (_, plan) = env.plan_changes().unwrap();
    assert!(plan.stdout.contains("must be replaced"), "{}", plan.stdout);
    env.apply();
    assert_eq!(routes(&env), vec![("api".to_string(), vec![backend])]);
    env.assert_no_changes();

    env.run(&["destroy", "-auto-approve", "-no-color"]).ok();
    env.sim.handle.advance(5.0);
    assert!(routes(&env).is_empty(), "destroy leaves nothing behind");
}
for_each_cli!(internal_route_lifecycle, super::lifecycle);

/// Makes route `host` in `dev` directly on the platform, with these labels.
fn make_route(env: &SimWorkspace, host: &str, labels: &[(&str, &str)]) -> String {
    make_route_in(env, "dev", host, labels)
}

/// Makes route `host` in space `space` directly on the platform, with these labels.
fn make_route_in(env: &SimWorkspace, space: &str, host: &str, labels: &[(&str, &str)]) -> String {
    let dev = env.sim.handle.space_guid(space).unwrap();
    let domain = env.sim.handle.domain_guid("apps.internal").unwrap();
    env.sim.handle.with_state(|s| {
        let admin = s
            .actor(&cloudgov_sim::model::Subject::User("admin".into()))
            .unwrap();
        s.create_route(
            &admin,
            cloudgov_sim::model::NewRoute {
                host: host.into(),
                space_guid: dev,
                domain_guid: domain,
                labels: labels
                    .iter()
                    .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
                    .collect(),
                ..Default::default()
            },
        )
        .unwrap()
        .guid
    })
}

fn existing_route_suggests_import(cli: Cli) {
    let Some(env) = SimWorkspace::new(cli) else {
        return;
    };
    let existing = make_route(&env, "backend", &[]);
    env.write("main.tf", &config("backend", &["backend"]));
    env.init();
    let out = env
        .run(&["apply", "-auto-approve", "-no-color"])
        .failed()
        .output();
    assert!(out.contains("Route Already Exists"), "{out}");
    assert!(out.contains("exists and is not in this state"), "{out}");
    assert!(!out.contains("made outside this configuration"), "{out}");
    assert!(
        out.contains(&format!(
            "terraform import cloudgov_internal_route.NAME {existing}"
        )),
        "{out}"
    );
    assert!(!out.contains("<resource address>"), "{out}");
    assert!(
        out.contains(&existing),
        "the message names the route's GUID: {out}"
    );
    assert_eq!(
        env.sim.handle.state().routes.len(),
        1,
        "nothing was created or adopted"
    );
    assert!(
        env.sim.handle.state().routes[&existing]
            .destinations
            .is_empty()
    );
}
for_each_cli!(
    internal_route_existing_route_suggests_import,
    super::existing_route_suggests_import
);

/// A hostname held in another space: the message names that space (or says it cannot
/// be seen), never suggests importing it (that would plan a replacement that deletes
/// the other space's route), and never shows the platform's raw error.
fn hostname_taken_in_another_space(cli: Cli) {
    let Some(env) = SimWorkspace::new(cli) else {
        return;
    };
    for (space, host) in [("other", "taken-visible"), ("restricted", "taken-hidden")] {
        let theirs = make_route_in(&env, space, host, &[]);
        env.write("main.tf", &config(host, &["backend"]));
        env.init();
        let out = env
            .run(&["apply", "-auto-approve", "-no-color"])
            .failed()
            .output();
        assert!(out.contains("Route Already Exists"), "{out}");
        assert!(out.contains("shared by the whole foundation"), "{out}");
        assert!(
            out.contains("choose another hostname") || out.contains("Choose another hostname"),
            "{out}"
        );
        assert!(!out.contains("terraform import"), "{space}: {out}");
        assert!(!out.contains("CF-UnprocessableEntity"), "{space}: {out}");
        if space == "other" {
            assert!(out.contains("\"other\"") && out.contains(&theirs), "{out}");
        } else {
            assert!(out.contains("a space this account cannot see"), "{out}");
        }
        assert_eq!(env.sim.handle.state().routes[&theirs].destinations.len(), 0);
    }
}
for_each_cli!(
    internal_route_hostname_taken_in_another_space,
    super::hostname_taken_in_another_space
);

/// A route this provider created whose resource Terraform lost (an apply killed
/// before state was saved; here, `state rm`) carries the marker label and this
/// directory's origin: apply adopts it with a warning, maps the destinations, and the
/// next plan is empty. A marked route from another origin is refused
/// (`ownership_second_configuration_is_refused`).
fn lost_route_is_adopted(cli: Cli) {
    let Some(env) = SimWorkspace::new(cli) else {
        return;
    };
    env.write("main.tf", &config("backend", &["backend"]));
    env.init();
    env.apply();
    let lost = env.state()["cloudgov_internal_route.r"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    env.run(&["state", "rm", "cloudgov_internal_route.r"]).ok();
    let out = env.apply().output();
    assert!(out.contains("Existing Route Adopted"), "{out}");
    assert!(out.contains(&lost), "the warning names the route: {out}");
    assert!(
        !out.contains("created it and was stopped"),
        "the warning states only what is known: {out}"
    );
    let backend = env.sim.handle.app_guid("dev", "backend").unwrap();
    assert_eq!(routes(&env), vec![("backend".to_string(), vec![backend])]);
    assert_eq!(
        env.state()["cloudgov_internal_route.r"]["id"],
        lost.as_str()
    );
    env.assert_no_changes();
}
for_each_cli!(
    internal_route_lost_route_is_adopted,
    super::lost_route_is_adopted
);

/// Two resources naming the same route in one configuration: one creates it, the
/// other is told another resource owns it, and state holds exactly the one route.
fn same_hostname_twice(cli: Cli) {
    let Some(env) = SimWorkspace::new(cli) else {
        return;
    };
    env.write(
        "main.tf",
        &format!(
            "{LOOKUPS}\nresource \"cloudgov_internal_route\" \"a\" {{\n  space_id = data.cloudgov_space.dev.id\n  hostname = \"twin\"\n}}\n\nresource \"cloudgov_internal_route\" \"b\" {{\n  space_id = data.cloudgov_space.dev.id\n  hostname = \"twin\"\n}}\n"
        ),
    );
    env.init();
    let out = env
        .run(&["apply", "-auto-approve", "-no-color"])
        .failed()
        .output();
    assert!(out.contains("Route Already Exists"), "{out}");
    assert!(
        out.contains("was just created by another resource in this run"),
        "{out}"
    );
    assert_eq!(env.sim.handle.state().routes.len(), 1);
    let state = env.state();
    assert_eq!(state.len(), 1, "{state:?}");
}
for_each_cli!(
    internal_route_same_hostname_twice,
    super::same_hostname_twice
);

/// Destinations are order-free: the same apps in another order plan no change, and
/// a route written without destinations leaves apps mapped outside Terraform alone
/// until destinations are written, which are then authoritative.
fn destinations_as_a_set(cli: Cli) {
    let Some(env) = SimWorkspace::new(cli) else {
        return;
    };
    let backend = env.sim.handle.app_guid("dev", "backend").unwrap();
    let worker = env.sim.handle.app_guid("dev", "worker").unwrap();
    env.write("main.tf", &config("backend", &["backend", "worker"]));
    env.init();
    env.apply();
    env.write("main.tf", &config("backend", &["worker", "backend"]));
    env.assert_no_changes();
    env.apply();
    let mut both = vec![backend.clone(), worker.clone()];
    both.sort();
    assert_eq!(routes(&env), vec![("backend".to_string(), both.clone())]);
    env.run(&["destroy", "-auto-approve", "-no-color"]).ok();
    env.sim.handle.advance(5.0);

    // Without `destinations`: a new route with none, then an app mapped by hand
    // (as `cf map-route` would) stays mapped through plan and apply.
    let unmanaged = format!(
        "{LOOKUPS}\nresource \"cloudgov_internal_route\" \"r\" {{\n  space_id = data.cloudgov_space.dev.id\n  hostname = \"api\"\n}}\n"
    );
    env.write("main.tf", &unmanaged);
    env.apply();
    let route = env.state()["cloudgov_internal_route.r"].clone();
    assert_eq!(route["destinations"], serde_json::json!([]));
    let guid = route["id"].as_str().unwrap().to_string();
    env.sim.handle.with_state(|s| {
        let admin = s
            .actor(&cloudgov_sim::model::Subject::User("admin".into()))
            .unwrap();
        s.insert_destinations(
            &admin,
            &guid,
            &[cloudgov_sim::model::NewDestination {
                app_guid: worker.clone(),
                ..Default::default()
            }],
        )
        .unwrap();
    });
    env.assert_no_changes();
    env.apply();
    assert_eq!(
        routes(&env),
        vec![("api".to_string(), vec![worker.clone()])]
    );
    assert_eq!(
        env.state()["cloudgov_internal_route.r"]["destinations"][0]["app_id"],
        worker.as_str()
    );

    // Written destinations are authoritative: the hand-mapped app goes.
    env.write("main.tf", &config("api", &["backend"]));
    let (changes, plan) = env.plan_changes().unwrap();
    assert!(changes);
    assert!(plan.stdout.contains("updated in-place"), "{}", plan.stdout);
    env.apply();
    assert_eq!(routes(&env), vec![("api".to_string(), vec![backend])]);
    env.assert_no_changes();
}
for_each_cli!(
    internal_route_destinations_as_a_set,
    super::destinations_as_a_set
);
