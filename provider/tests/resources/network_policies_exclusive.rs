//! `cloudgov_network_policies_exclusive`: out-of-band policies in scope are drift
//! (shown by name, deleted by apply), policies outside the scope are never touched,
//! a listed id that does not exist is an error naming it, destroy deletes nothing,
//! import by scope, and reads are one policy listing, not one request per policy.

use terraform_provider_cloudgov::framework::Value;

use crate::harness::Harness;
use crate::{obj, s};

const TY: &str = "cloudgov_network_policies_exclusive";

fn guid(h: &Harness, space: &str, app: &str) -> String {
    h.sim.handle.app_guid(space, app).unwrap()
}

/// Puts a policy on the platform behind Terraform's back, as `cf add-network-policy`
/// does; returns its id.
fn out_of_band(h: &Harness, src: &str, dst: &str, port: u32) -> String {
    let (src, dst) = (guid(h, "dev", src), guid(h, "dev", dst));
    h.sim.handle.with_state(|st| {
        st.policies.insert(cloudgov_sim::Policy {
            source: src.clone(),
            destination: dst.clone(),
            protocol: "tcp".into(),
            start: port,
            end: port,
        })
    });
    format!("{src}:{dst}:tcp:{port}-{port}")
}

fn ids(h: &Harness) -> Vec<String> {
    let mut v: Vec<String> = h
        .sim
        .handle
        .state()
        .policies
        .iter()
        .map(|p| {
            format!(
                "{}:{}:{}:{}-{}",
                p.source, p.destination, p.protocol, p.start, p.end
            )
        })
        .collect();
    v.sort();
    v
}

fn ingress(h: &Harness, app: &str, allowed: &[&str]) -> Value {
    obj([
        ("app_id", s(&guid(h, "dev", app))),
        ("direction", s("ingress")),
        (
            "policy_ids",
            Value::Set(allowed.iter().map(|i| s(i)).collect()),
        ),
    ])
}

#[tokio::test]
async fn exclusive_ingress_removes_drift_and_nothing_else() {
    let h = Harness::start().await;
    let declared = out_of_band(&h, "frontend", "backend", 61443);
    let stray = out_of_band(&h, "worker", "backend", 8080);
    let egress = out_of_band(&h, "backend", "worker", 7000);
    let elsewhere = out_of_band(&h, "worker", "frontend", 9000);
    let config = ingress(&h, "backend", &[&declared]);

    let state = h.create(TY, &config).await.ok();
    let mut left = vec![declared.clone(), egress.clone(), elsewhere.clone()];
    left.sort();
    assert_eq!(ids(&h), left, "only the stray policy into backend went");
    assert!(!ids(&h).contains(&stray));
    let listed = state.attr("policies").elements().unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].attr("source_app").as_str(), Some("frontend"));
    assert_eq!(listed[0].attr("destination_app").as_str(), Some("backend"));
    assert_eq!(listed[0].attr("tls").as_bool(), Some(true));
    h.assert_no_changes(TY, &state, &config).await;

    // Drift: made by hand, shown by name at refresh, removed by apply.
    let again = out_of_band(&h, "worker", "backend", 8081);
    h.sim.handle.reset_stats();
    let refreshed = h.read(TY, &state).await.ok();
    assert!(
        h.sim.handle.count("GET /networking") <= 1,
        "one policy listing per read, not one request per policy"
    );
    let names: Vec<&str> = refreshed
        .attr("policies")
        .elements()
        .unwrap()
        .iter()
        .filter_map(|p| p.attr("source_app").as_str())
        .collect();
    assert!(names.contains(&"worker"), "drift is readable: {names:?}");
    let (plan, _) = h.plan(TY, &refreshed, &config).await;
    assert_ne!(plan.ok(), refreshed, "the plan shows the drift");
    let applied = h.converge(TY, &refreshed, &config).await.ok();
    assert!(!ids(&h).contains(&again));
    assert!(ids(&h).contains(&egress) && ids(&h).contains(&elsewhere));
    h.assert_no_changes(TY, &applied, &config).await;

    // Destroy deletes nothing.
    assert!(h.destroy(TY, &applied).await.ok().is_null());
    assert!(ids(&h).contains(&declared));
}

#[tokio::test]
async fn exclusive_refuses_a_listed_policy_that_does_not_exist() {
    let h = Harness::start().await;
    let stray = out_of_band(&h, "worker", "backend", 8080);
    let ghost = format!(
        "{}:{}:tcp:5555-5555",
        guid(&h, "dev", "frontend"),
        guid(&h, "dev", "backend")
    );
    let answer = h.create(TY, &ingress(&h, "backend", &[&ghost])).await;
    let d = answer.error("Network Policy Not Found");
    assert!(d.detail.contains(&ghost), "{}", d.detail);
    assert!(d.detail.contains("Nothing was deleted"), "{}", d.detail);
    assert!(ids(&h).contains(&stray), "nothing was deleted");
}

#[tokio::test]
async fn exclusive_validation_names_the_attribute() {
    let h = Harness::start().await;
    let both = obj([
        ("app_id", s(&guid(&h, "dev", "backend"))),
        ("direction", s("ingress")),
        ("space_id", s(&h.sim.handle.space_guid("dev").unwrap())),
        ("policy_ids", Value::Set(vec![])),
    ]);
    let found = h.validate(TY, &both).await;
    assert!(
        found.iter().any(|d| d.summary == "Invalid Scope"),
        "{found:#?}"
    );
    let not_into = format!(
        "{}:{}:tcp:80-80",
        guid(&h, "dev", "backend"),
        guid(&h, "dev", "worker")
    );
    let found = h.validate(TY, &ingress(&h, "backend", &[&not_into])).await;
    let d = found
        .iter()
        .find(|d| d.summary == "Invalid Policy Id")
        .expect("refused");
    assert_eq!(d.attribute.as_deref(), Some("policy_ids"));
    assert!(d.detail.contains("is not into app"), "{}", d.detail);
}

#[tokio::test]
async fn exclusive_imports_by_scope() {
    let h = Harness::start().await;
    let a = out_of_band(&h, "frontend", "backend", 8080);
    let b = out_of_band(&h, "worker", "frontend", 8080);
    let space = h.sim.handle.space_guid("dev").unwrap();
    let imported = h.import(TY, &format!("space:{space}")).await.ok();
    let mut got: Vec<String> = imported
        .attr("policy_ids")
        .elements()
        .unwrap()
        .iter()
        .filter_map(|v| v.as_str().map(str::to_string))
        .collect();
    got.sort();
    let mut want = vec![a.clone(), b];
    want.sort();
    assert_eq!(got, want);
    let app = guid(&h, "dev", "backend");
    let imported = h.import(TY, &format!("app:{app}:ingress")).await.ok();
    assert_eq!(imported.attr("policy_ids"), &Value::Set(vec![s(&a)]));
    h.import(TY, "backend").await.error("Invalid Import Id");
}
