//! Platform requests of the performance workload (`acceptance_tests::workload`) at a
//! smaller size. Reads come from per-space listings, so a no-change plan costs the
//! same eight requests whatever the size; writes are one request per route write
//! and far fewer than one per policy. The full-size figures, with latency and wall
//! times, are `make bench`'s.

use acceptance_tests::workload::Workload;
use acceptance_tests::{Cli, SimWorkspace};

const W: Workload = Workload {
    apps: 12,
    routes: 12,
    policies: 24,
};

const CREATES: &str = "POST /networking/{version}/external/policies";
const DELETES: &str = "POST /networking/{version}/external/policies/delete";

/// The requests of one command, by `METHOD /route/pattern`.
fn counted(env: &SimWorkspace, run: impl FnOnce()) -> cloudgov_sim::faults::Stats {
    env.sim.handle.reset_stats();
    run();
    env.sim.handle.stats()
}

fn stats_of(stats: &cloudgov_sim::faults::Stats, key: &str) -> u64 {
    stats.get(key).copied().unwrap_or(0)
}

fn request_counts(cli: Cli) {
    let Some(env) = SimWorkspace::with_seed(cli, None, W.seed()) else {
        return;
    };
    env.write("main.tf", &W.config());
    env.init();
    let routes = u64::try_from(W.routes).unwrap();
    let policies = u64::try_from(W.policies).unwrap();

    let apply = counted(&env, || {
        env.apply();
    });
    eprintln!("{cli:?} apply: {apply:?}");
    assert_eq!(stats_of(&apply, "POST /v3/routes"), routes, "{apply:?}");
    assert_eq!(
        stats_of(&apply, "PATCH /v3/routes/{guid}/destinations"),
        routes,
        "{apply:?}"
    );
    // How many creates share a request depends on what Terraform runs at once;
    // fewer requests than policies shows they were batched.
    let creates = stats_of(&apply, CREATES);
    assert!(
        (1..policies).contains(&creates),
        "{policies} policy creates should go out in batches: {apply:?}"
    );
    // Lookups and listings: the org, the space, the space's apps (in the plan; in
    // the apply by the listing and the batched reads that find the space first),
    // the domains and the space (once per process), and the policies of the
    // space's apps.
    let reads: u64 = apply
        .iter()
        .filter(|(k, _)| k.starts_with("GET "))
        .map(|(_, v)| v)
        .sum();
    assert!(reads <= 16, "{apply:?}");

    let plan = counted(&env, || env.assert_no_changes());
    eprintln!("{cli:?} plan: {plan:?}");
    let expected: cloudgov_sim::faults::Stats = [
        ("GET /", 1),
        ("POST /oauth/token", 1),
        ("GET /v3/organizations", 1),
        ("GET /v3/spaces", 1),
        ("GET /v3/apps", 1),
        ("GET /v3/routes", 1),
        ("GET /v3/domains", 1),
        ("GET /networking/{version}/external/policies", 1),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    assert_eq!(plan, expected, "a no-change plan reads each listing once");

    let destroy = counted(&env, || {
        env.run(&["destroy", "-auto-approve", "-no-color", "-input=false"])
            .ok();
    });
    eprintln!("{cli:?} destroy: {destroy:?}");
    assert_eq!(stats_of(&destroy, "DELETE /v3/routes/{guid}"), routes);
    // Deletions are confirmed by listing the routes being deleted, not by polling
    // each job.
    assert_eq!(stats_of(&destroy, "GET /v3/jobs/{guid}"), 0, "{destroy:?}");
    assert!(
        stats_of(&destroy, "GET /v3/routes") <= routes / 2,
        "{destroy:?}"
    );
    let deletes = stats_of(&destroy, DELETES);
    assert!(
        (1..policies).contains(&deletes),
        "{policies} policy deletes should go out in batches: {destroy:?}"
    );
    let left = env.sim.handle.state();
    assert!(left.routes.is_empty() && left.policies.is_empty());
}

for_each_cli!(request_counts_of_the_workload, super::request_counts);
