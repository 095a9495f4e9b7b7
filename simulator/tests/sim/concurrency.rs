//! 32 concurrent clients creating and deleting routes and policies for 10 seconds
//! leave a consistent platform: no two routes share a host and domain, every
//! acknowledged route exists unless its deletion was acknowledged, and the policy set
//! equals what the acknowledged operations imply.

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use cloudgov_sim::Policy;
use rand::{RngExt, SeedableRng};
use serde_json::{Value, json};

use crate::support::*;

const CLIENTS: u32 = 32;
const RUN_FOR: Duration = Duration::from_secs(10);

#[derive(Default)]
struct Outcome {
    live_routes: BTreeSet<String>,
    deleted_routes: BTreeSet<String>,
    policies: BTreeMap<Policy, bool>,
    requests: u64,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrency_32_clients_for_10_seconds_stay_consistent() {
    let sim = sim().await;
    let token = login(&sim, "deployer", "deployer").await;
    let dev = sim.handle.space_guid("dev").unwrap();
    let domain = sim.handle.domain_guid("apps.internal").unwrap();
    let src = sim.handle.app_guid("dev", "frontend").unwrap();
    let dst = sim.handle.app_guid("dev", "backend").unwrap();
    let http = client();
    let deadline = Instant::now() + RUN_FOR;

    let mut tasks = Vec::new();
    for n in 0..CLIENTS {
        let (http, url, token, dev, domain, src, dst) = (
            http.clone(),
            sim.url.clone(),
            token.clone(),
            dev.clone(),
            domain.clone(),
            src.clone(),
            dst.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let mut rng = rand::rngs::StdRng::seed_from_u64(u64::from(n));
            let mut out = Outcome::default();
            while Instant::now() < deadline {
                out.requests += 1;
                match rng.random_range(0..4) {
                    0 => {
                        // Hosts are shared between clients, so creates race.
                        let host = format!("h{}", rng.random_range(0..12));
                        let body = json!({"host": host, "relationships": {"space": {"data": {"guid": dev}}, "domain": {"data": {"guid": domain}}}});
                        let resp = http.post(format!("{url}/v3/routes")).bearer_auth(&token).json(&body).send().await.unwrap();
                        if resp.status() == 201 {
                            let v: Value = resp.json().await.unwrap();
                            out.live_routes.insert(v["guid"].as_str().unwrap().to_string());
                        }
                    }
                    1 => {
                        let Some(guid) = out.live_routes.iter().next().cloned() else { continue };
                        let resp = http.delete(format!("{url}/v3/routes/{guid}")).bearer_auth(&token).send().await.unwrap();
                        assert_eq!(resp.status(), 202);
                        out.live_routes.remove(&guid);
                        out.deleted_routes.insert(guid);
                    }
                    op => {
                        // Each client owns its own ports, so per policy the order of
                        // acknowledged operations is this client's order.
                        let port = 10_000 + n * 10 + rng.random_range(0..5);
                        let policy = Policy {
                            source: src.clone(),
                            destination: dst.clone(),
                            protocol: "tcp".into(),
                            start: port,
                            end: port,
                        };
                        let body = policy_body(&src, &dst, "tcp", i64::from(port), i64::from(port));
                        let path = if op == 2 { POLICIES.to_string() } else { format!("{POLICIES}/delete") };
                        let resp = http.post(format!("{url}{path}")).bearer_auth(&token).json(&body).send().await.unwrap();
                        assert_eq!(resp.status(), 200);
                        out.policies.insert(policy, op == 2);
                    }
                }
            }
            out
        }));
    }
    let mut live = BTreeSet::new();
    let mut deleted = BTreeSet::new();
    let mut expected_policies = BTreeSet::new();
    let mut requests = 0;
    for t in tasks {
        let out = t.await.unwrap();
        live.extend(out.live_routes);
        deleted.extend(out.deleted_routes);
        expected_policies.extend(
            out.policies
                .into_iter()
                .filter(|(_, present)| *present)
                .map(|(p, _)| p),
        );
        requests += out.requests;
    }
    sim.handle.advance(5.0); // let every deletion job finish
    let state = sim.handle.state();
    let mut hosts = BTreeSet::new();
    for r in state.routes.values() {
        assert!(
            hosts.insert((r.host.clone(), r.domain_guid.clone())),
            "two routes for host {}",
            r.host
        );
    }
    let existing: BTreeSet<String> = state.routes.keys().cloned().collect();
    assert_eq!(
        existing, live,
        "routes must be exactly those acknowledged and not deleted"
    );
    assert!(deleted.is_disjoint(&existing));
    let actual: BTreeSet<Policy> = state.policies.iter().cloned().collect();
    assert_eq!(actual, expected_policies);
    eprintln!(
        "concurrency: {requests} requests from {CLIENTS} clients in {RUN_FOR:?}; {} routes and {} policies remain",
        existing.len(),
        actual.len()
    );
}
