//! Prints requests per second the simulator answers on loopback: `GET /policies` over
//! 10,000 policies (whole list and filtered by app), and route lookups by host and
//! domain among 1,000 routes. Figures, not assertions: run with `make bench`.

use std::time::{Duration, Instant};

use cloudgov_sim::{Config, Policy, Simulator};

const CONCURRENCY: usize = 8;
const RUN_FOR: Duration = Duration::from_secs(3);

async fn rps(label: &str, urls: Vec<String>, token: &str) {
    let http = reqwest::Client::new();
    let deadline = Instant::now() + RUN_FOR;
    let start = Instant::now();
    let mut tasks = Vec::new();
    for worker in 0..CONCURRENCY {
        let (http, urls, token) = (http.clone(), urls.clone(), token.to_string());
        tasks.push(tokio::spawn(async move {
            let mut n = 0usize;
            while Instant::now() < deadline {
                let url = &urls[(worker + n * CONCURRENCY) % urls.len()];
                let resp = http.get(url).bearer_auth(&token).send().await.unwrap();
                assert!(resp.status().is_success());
                resp.bytes().await.unwrap();
                n += 1;
            }
            n
        }));
    }
    let mut total = 0;
    for t in tasks {
        total += t.await.unwrap();
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "{label:<58} {:>9.0} req/s  ({total} requests, {CONCURRENCY} clients, {secs:.1} s)",
        total as f64 / secs
    );
}

#[tokio::main]
async fn main() {
    let sim = Simulator::start(Config::default()).await.unwrap();
    let apps: Vec<String> = (0..100).map(|i| format!("app-{i:03}")).collect();
    let dev = sim.handle.space_guid("dev").unwrap();
    let domain = sim.handle.domain_guid("apps.internal").unwrap();
    sim.handle.with_state(|s| {
        for i in 0..10_000u32 {
            s.policies.insert(Policy {
                source: apps[(i % 100) as usize].clone(),
                destination: apps[((i / 100) % 100) as usize].clone(),
                protocol: "tcp".into(),
                start: 1000 + i,
                end: 1000 + i,
            });
        }
        let actor = s
            .actor(&cloudgov_sim::model::Subject::User("admin".into()))
            .unwrap();
        for i in 0..1000 {
            let req = cloudgov_sim::model::NewRoute {
                host: format!("host-{i}"),
                space_guid: dev.clone(),
                domain_guid: domain.clone(),
                ..Default::default()
            };
            s.create_route(&actor, req).unwrap();
        }
    });
    let token: serde_json::Value = reqwest::Client::new()
        .post(format!("{}/oauth/token", sim.url))
        .basic_auth("cf", Some(""))
        .form(&[
            ("grant_type", "password"),
            ("username", "admin"),
            ("password", "admin"),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = token["access_token"].as_str().unwrap().to_string();
    let policies = format!("{}/networking/v1/external/policies", sim.url);
    println!(
        "cloudgov-sim throughput on loopback ({} policies, 1000 routes)",
        sim.handle.state().policies.len()
    );
    rps("GET /policies (all 10,000)", vec![policies.clone()], &token).await;
    rps(
        "GET /policies?id=<app> (about 200 each)",
        apps.iter().map(|a| format!("{policies}?id={a}")).collect(),
        &token,
    )
    .await;
    rps(
        "GET /v3/routes?hosts=<h>&domain_guids=<d> (1 of 1000)",
        (0..1000)
            .map(|i| format!("{}/v3/routes?hosts=host-{i}&domain_guids={domain}", sim.url))
            .collect(),
        &token,
    )
    .await;
    sim.stop().await;
}
