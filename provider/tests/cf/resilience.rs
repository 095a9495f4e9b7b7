//! A flaky platform: with 30% of requests answered 503 or 429 and 10% of writes'
//! answers dropped after they were applied, a workload of 200 creates and deletes
//! finishes with no duplicate route, no lost policy and no false error.

use std::collections::BTreeSet;

use cloudgov_sim::{FaultKind, FaultRule};
use futures::StreamExt;
use terraform_provider_cloudgov::cf::models::Policy;

use crate::support::*;
use terraform_provider_cloudgov::cf::NewMetadata;

fn rule(method: Option<&str>, kind: FaultKind, probability: f64) -> FaultRule {
    FaultRule {
        path: "*".into(),
        method: method.map(str::to_string),
        kind,
        probability,
        times: None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resilience_flaky_platform_200_operations_no_duplicates_no_losses() {
    let sim = sim_with(|c| {
        c.fault_seed = 7;
        c.settings.job_delay = 0.02;
    })
    .await;
    let client = client(&sim).await;
    let dev = sim.handle.space_guid("dev").unwrap();
    let domain = sim.handle.domain_guid("apps.internal").unwrap();
    let a = sim.handle.app_guid("dev", "frontend").unwrap();
    let b = sim.handle.app_guid("dev", "backend").unwrap();
    for m in ["POST", "PATCH", "DELETE"] {
        sim.handle
            .add_fault(rule(Some(m), FaultKind::DropResponse, 0.10));
    }
    sim.handle
        .add_fault(rule(None, FaultKind::Status { status: 503 }, 0.20));
    sim.handle
        .add_fault(rule(None, FaultKind::RateLimit { retry_after: 0 }, 0.125));
    sim.handle.reset_stats();

    // 60 route creates, then 40 of them deleted; 60 policy creates, then 40 deleted.
    let hosts: Vec<String> = (0..60).map(|i| format!("svc{i}")).collect();
    let policies: Vec<Policy> = (0..60)
        .map(|i| Policy::new(&a, &b, "tcp", 9000 + i, 9000 + i))
        .collect();
    let created: Vec<_> = futures::stream::iter(hosts.iter().cloned())
        .map(|h| {
            let (c, dev, domain) = (client.clone(), dev.clone(), domain.clone());
            async move {
                c.create_route(&dev, &domain, &h, NewMetadata::default())
                    .await
            }
        })
        .buffer_unordered(8)
        .collect()
        .await;
    let routes: Vec<_> = created
        .into_iter()
        .map(|r| r.expect("no false error on create"))
        .collect();
    let results: Vec<_> = futures::stream::iter(policies.iter().cloned())
        .map(|p| {
            let c = client.clone();
            async move { c.create_policies(&[p]).await }
        })
        .buffer_unordered(8)
        .collect()
        .await;
    results
        .into_iter()
        .for_each(|r| r.expect("no false error on policy create"));
    let deleted: Vec<_> = futures::stream::iter(routes.iter().take(40).map(|r| r.guid.clone()))
        .map(|g| {
            let c = client.clone();
            async move { c.delete_route(&g).await }
        })
        .buffer_unordered(8)
        .collect()
        .await;
    deleted
        .into_iter()
        .for_each(|r| r.expect("no false error on route delete"));
    let results: Vec<_> = futures::stream::iter(policies.iter().take(40).cloned())
        .map(|p| {
            let c = client.clone();
            async move { c.delete_policies(&[p]).await }
        })
        .buffer_unordered(8)
        .collect()
        .await;
    results
        .into_iter()
        .for_each(|r| r.expect("no false error on policy delete"));

    sim.handle.clear_faults();
    sim.handle.advance(5.0);
    let state = sim.handle.state();
    let mut seen = BTreeSet::new();
    for r in state.routes.values() {
        assert!(seen.insert(r.host.clone()), "duplicate route {}", r.host);
    }
    // Creates finished in any order; the 40 deleted are the first 40 that finished.
    let created_hosts: BTreeSet<String> = routes.iter().map(|r| r.host.clone()).collect();
    assert_eq!(
        created_hosts,
        hosts.iter().cloned().collect::<BTreeSet<_>>(),
        "every create returned its own route"
    );
    let remaining: BTreeSet<String> = routes.iter().skip(40).map(|r| r.host.clone()).collect();
    assert_eq!(
        seen, remaining,
        "exactly the routes not deleted remain, once each"
    );
    let ports: BTreeSet<u32> = state.policies.iter().map(|p| p.start).collect();
    assert_eq!(
        ports,
        (9040..9060).collect::<BTreeSet<u32>>(),
        "exactly the 20 policies not deleted remain"
    );
    let stats = sim.handle.stats();
    let total: u64 = stats.values().sum();
    eprintln!("flaky platform: 200 operations took {total} requests: {stats:?}");
    assert_no_secrets_logged(&sim);
}

#[tokio::test]
async fn resilience_cancellation_stops_waiting_promptly() {
    let sim = sim().await;
    let mut cfg = config(&sim, password());
    let cancel = tokio_util::sync::CancellationToken::new();
    cfg.cancel = cancel.clone();
    let client = terraform_provider_cloudgov::cf::Client::connect(cfg)
        .await
        .unwrap();
    sim.handle
        .add_fault(rule(Some("GET"), FaultKind::Latency { ms: 10_000 }, 1.0));
    let started = std::time::Instant::now();
    let stopper = tokio::spawn(async move {
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        cancel.cancel();
    });
    let err = client.list_policies(&[]).await.err().unwrap();
    stopper.await.unwrap();
    assert!(
        matches!(err, terraform_provider_cloudgov::cf::Error::Cancelled),
        "{err:?}"
    );
    assert!(
        started.elapsed() < std::time::Duration::from_secs(2),
        "took {:?}",
        started.elapsed()
    );
}

/// Stopping ends what waits on shared work: readers waiting on a space's listing
/// and a deletion waiting for the task that confirms it.
#[tokio::test]
async fn resilience_stopping_ends_listings_and_deletion_confirmations_promptly() {
    let sim = sim().await;
    let mut cfg = config(&sim, password());
    let cancel = tokio_util::sync::CancellationToken::new();
    cfg.cancel = cancel.clone();
    let client = terraform_provider_cloudgov::cf::Client::connect(cfg)
        .await
        .unwrap();
    let dev = sim.handle.space_guid("dev").unwrap();
    let domain = sim.handle.domain_guid("apps.internal").unwrap();
    let backend = sim.handle.app_guid("dev", "backend").unwrap();
    let route = client
        .create_route(&dev, &domain, "doomed", NewMetadata::default())
        .await
        .unwrap();
    // Every read hangs from now on; the delete itself is answered.
    sim.handle
        .add_fault(rule(Some("GET"), FaultKind::Latency { ms: 10_000 }, 1.0));
    let started = std::time::Instant::now();
    let stopper = tokio::spawn(async move {
        tokio::time::sleep(std::time::Duration::from_millis(400)).await;
        cancel.cancel();
    });
    let (first, second, deleted) = tokio::join!(
        client.app_by_name(&dev, "frontend"),
        client.policies_for_app(&backend),
        client.delete_route(&route.guid),
    );
    stopper.await.unwrap();
    for err in [
        first.err().map(|e| e.to_string()),
        second.err().map(|e| e.to_string()),
        deleted.err().map(|e| e.to_string()),
    ] {
        assert_eq!(
            err,
            Some(terraform_provider_cloudgov::cf::Error::Cancelled.to_string())
        );
    }
    assert!(
        started.elapsed() < std::time::Duration::from_secs(2),
        "took {:?}",
        started.elapsed()
    );
}
