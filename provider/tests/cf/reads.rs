//! Reads: batching and caching of policy reads and lookups, pagination, routes and
//! jobs.

use cloudgov_sim::{FaultKind, FaultRule};
use terraform_provider_cloudgov::cf::models::{
    Destination, DestinationApp, Policy as CfPolicy, Process,
};
use terraform_provider_cloudgov::cf::{Client, Error};

use crate::support::*;
use terraform_provider_cloudgov::cf::NewMetadata;

/// 200 apps in `dev`, each the source of one policy to `backend`.
async fn two_hundred_policies(sim: &cloudgov_sim::Simulator) -> Vec<String> {
    let dev = sim.handle.space_guid("dev").unwrap();
    let backend = sim.handle.app_guid("dev", "backend").unwrap();
    sim.handle.with_state(|s| {
        let admin = s
            .actor(&cloudgov_sim::model::Subject::User("admin".into()))
            .unwrap();
        (0..200)
            .map(|i| {
                let app = s.create_app(&admin, &format!("svc-{i:03}"), &dev).unwrap();
                s.policies.insert(cloudgov_sim::Policy {
                    source: app.guid.clone(),
                    destination: backend.clone(),
                    protocol: "tcp".into(),
                    start: 8080,
                    end: 8080,
                });
                app.guid
            })
            .collect()
    })
}

async fn read_all(client: &Client, apps: &[String]) {
    let mut tasks = Vec::new();
    for app in apps {
        let (c, app) = (client.clone(), app.clone());
        tasks.push(tokio::spawn(async move {
            let p = c.policies_for_app(&app).await.unwrap();
            assert_eq!(p.len(), 1, "{app}");
            assert_eq!(p[0].source.id, app);
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reads_200_concurrent_policy_reads_cost_a_few_requests() {
    let sim = sim().await;
    let apps = two_hundred_policies(&sim).await;
    let client = client(&sim).await;
    sim.handle.reset_stats();
    read_all(&client, &apps).await;
    // The space's 203 apps are listed once, and their policies read in as few
    // requests as URL length allows (two); finding the space costs a batched app
    // read or two (two requests for 200 GUIDs each), as the tasks start.
    let batched = sim.handle.count("GET /networking");
    assert_eq!(batched, 2, "{:?}", sim.handle.stats());
    assert!(
        sim.handle.count("GET /v3/apps") <= 5,
        "{:?}",
        sim.handle.stats()
    );
    // Kept for the process: reading again costs nothing, and this process's own
    // writes are seen without a read.
    read_all(&client, &apps).await;
    assert_eq!(sim.handle.count("GET /networking"), batched);
    let backend = sim.handle.app_guid("dev", "backend").unwrap();
    let extra = CfPolicy::new(&apps[0], &backend, "udp", 53, 53);
    client.create_policy(&extra).await.unwrap();
    assert_eq!(client.policies_for_app(&apps[0]).await.unwrap().len(), 2);
    client.delete_policy(&extra).await.unwrap();
    assert_eq!(client.policies_for_app(&apps[0]).await.unwrap().len(), 1);
    assert_eq!(sim.handle.count("GET /networking"), batched);
    eprintln!("200 concurrent policy reads: {batched} requests batched");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reads_with_batching_off_cost_one_request_each() {
    let sim = sim().await;
    let apps = two_hundred_policies(&sim).await;
    let mut cfg = config(&sim, password());
    cfg.batching = false;
    let client = Client::connect(cfg).await.unwrap();
    sim.handle.reset_stats();
    read_all(&client, &apps).await;
    assert_eq!(sim.handle.count("GET /networking"), 200);
}

#[tokio::test]
async fn reads_lookups_are_cached_per_process() {
    let sim = sim().await;
    let client = client(&sim).await;
    sim.handle.reset_stats();
    for _ in 0..5 {
        let org = client.org_by_name("sandbox").await.unwrap().unwrap();
        let space = client
            .space_by_name(&org.guid, "dev")
            .await
            .unwrap()
            .unwrap();
        client
            .app_by_name(&space.guid, "frontend")
            .await
            .unwrap()
            .unwrap();
        client
            .domain_by_name("apps.internal")
            .await
            .unwrap()
            .unwrap();
    }
    // One each: the org, the space, the space's apps, and every domain.
    assert_eq!(sim.handle.count("GET /v3"), 4, "{:?}", sim.handle.stats());
}

#[tokio::test]
async fn reads_routes_destinations_and_jobs() {
    let sim = sim_with(|c| c.settings.job_delay = 0.05).await;
    let client = client(&sim).await;
    let dev = sim.handle.space_guid("dev").unwrap();
    let domain = client
        .domain_by_name("apps.internal")
        .await
        .unwrap()
        .unwrap();
    let backend = sim.handle.app_guid("dev", "backend").unwrap();
    let route = client
        .create_route(&dev, &domain.guid, "backend", NewMetadata::default())
        .await
        .unwrap();
    assert_eq!(route.url, "backend.apps.internal");
    let taken = client
        .create_route(&dev, &domain.guid, "backend", NewMetadata::default())
        .await
        .err()
        .unwrap();
    assert!(taken.is_route_taken(), "{taken:?}");
    assert_eq!(
        taken.platform_message(),
        Some("Route already exists with host 'backend' for domain 'apps.internal'.")
    );
    let dest = Destination {
        app: DestinationApp {
            guid: backend.clone(),
            process: Process { kind: "web".into() },
        },
        port: Some(8080),
        protocol: Some("http1".into()),
        ..Default::default()
    };
    let after = client
        .insert_destinations(&route.guid, &[dest.clone(), dest.clone()])
        .await;
    assert!(after.is_err(), "duplicates are refused by the platform");
    let after = client
        .insert_destinations(&route.guid, std::slice::from_ref(&dest))
        .await
        .unwrap();
    assert_eq!(after.len(), 1);
    assert_eq!(
        client.destinations(&route.guid).await.unwrap()[0].app.guid,
        backend
    );
    assert!(
        client
            .replace_destinations(&route.guid, &[])
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        client
            .find_route("backend", &domain.guid)
            .await
            .unwrap()
            .unwrap()
            .guid,
        route.guid
    );

    client.delete_route(&route.guid).await.unwrap();
    assert!(client.route(&route.guid).await.unwrap().is_none());
    client.delete_route(&route.guid).await.unwrap(); // already gone: fine

    let doomed = client
        .create_route(&dev, &domain.guid, "doomed", NewMetadata::default())
        .await
        .unwrap();
    sim.handle.add_fault(FaultRule {
        path: "/v3/routes/*".into(),
        method: Some("DELETE".into()),
        kind: FaultKind::FailJob,
        probability: 1.0,
        times: Some(1),
    });
    let err = client.delete_route(&doomed.guid).await.err().unwrap();
    assert!(matches!(err, Error::JobFailed { .. }), "{err:?}");
    assert!(err.to_string().contains("route.delete failed"), "{err}");
    assert!(client.route(&doomed.guid).await.unwrap().is_some());
}

#[tokio::test]
async fn reads_follow_pagination_to_the_end() {
    let sim = sim().await;
    let client = client(&sim).await;
    let dev = sim.handle.space_guid("dev").unwrap();
    let domain = sim.handle.domain_guid("apps.internal").unwrap();
    for i in 0..7 {
        client
            .create_route(&dev, &domain, &format!("p{i}"), NewMetadata::default())
            .await
            .unwrap();
    }
    let routes: Vec<terraform_provider_cloudgov::cf::models::Route> = client
        .list_all(
            "/v3/routes",
            &[("space_guids", dev.as_str()), ("per_page", "2")],
        )
        .await
        .unwrap();
    assert_eq!(routes.len(), 7);
    assert_eq!(sim.handle.count("GET /v3/routes"), 4);
}
