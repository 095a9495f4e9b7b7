//! `cloudgov_network_policy`: lifecycle, import, drift, adoption, and the error
//! branches of create, update (a port change whose old policy cannot be deleted, and
//! one interrupted by a stop) and delete.

use std::time::Duration;

use cloudgov_sim::{FaultKind, FaultRule};
use terraform_provider_cloudgov::framework::Value;

use crate::harness::Harness;
use crate::{obj, s};

const TY: &str = "cloudgov_network_policy";

fn policy(h: &Harness, src: &str, dst: &str, port: &str) -> Value {
    let app = |name: &str| {
        h.sim
            .handle
            .app_guid("dev", name)
            .or_else(|| h.sim.handle.app_guid("restricted", name))
            .unwrap()
    };
    obj([
        ("source_app_id", s(&app(src))),
        ("destination_app_id", s(&app(dst))),
        ("port", s(port)),
    ])
}

/// The platform's policies as (start, end) port ranges, in creation order.
fn ranges(h: &Harness) -> Vec<(u32, u32)> {
    h.sim
        .handle
        .state()
        .policies
        .iter()
        .map(|p| (p.start, p.end))
        .collect()
}

fn policy_fault(path: &str, kind: FaultKind, times: Option<u32>) -> FaultRule {
    FaultRule {
        path: path.into(),
        method: Some("POST".into()),
        kind,
        probability: 1.0,
        times,
    }
}

const DELETE_PATH: &str = "/networking/v1/external/policies/delete";

#[tokio::test]
async fn network_policy_lifecycle() {
    let h = Harness::start().await;
    let config = policy(&h, "frontend", "backend", "8080");
    let state = h.create(TY, &config).await.ok();
    assert_eq!(state.attr("protocol").as_str(), Some("tcp"));
    assert_eq!(state.attr("tls").as_bool(), Some(false));
    assert_eq!(ranges(&h), vec![(8080, 8080)]);
    h.assert_no_changes(TY, &state, &config).await;

    // A new port range: in place, the new policy before the old one goes.
    let wider = policy(&h, "frontend", "backend", "61443-61450");
    let updated = h.converge(TY, &state, &wider).await.ok();
    assert_eq!(updated.attr("tls").as_bool(), Some(true));
    assert_eq!(ranges(&h), vec![(61443, 61450)]);
    h.assert_no_changes(TY, &updated, &wider).await;

    let id = updated.attr("id").as_str().unwrap().to_string();
    let imported = h.import(TY, &id).await.ok();
    assert_eq!(imported.attr("id"), updated.attr("id"));
    assert_eq!(imported.attr("port").as_str(), Some("61443-61450"));

    assert!(h.destroy(TY, &updated).await.ok().is_null());
    assert!(ranges(&h).is_empty());
}

/// A new app is an in-place update too, new policy before old, and an app id not
/// known at plan time (another resource redeploys the app) plans no replacement: a
/// replacement whose new policy is the old one would delete it.
#[tokio::test]
async fn network_policy_new_app_updates_in_place_new_before_old() {
    let h = Harness::start().await;
    let config = policy(&h, "frontend", "backend", "61443");
    let state = h.create(TY, &config).await.ok();

    let mut unknown = config.clone();
    if let Value::Object(m) = &mut unknown {
        m.insert("destination_app_id".into(), Value::Unknown);
    }
    let (plan, replace) = h.plan(TY, &state, &unknown).await;
    assert!(replace.is_empty(), "an unknown app replaces: {replace:?}");
    assert!(plan.diags.is_empty(), "{:?}", plan.diags);
    assert_eq!(plan.value.attr("id"), &Value::Unknown);
    // Known again at apply and the same app: nothing to change.
    h.assert_no_changes(TY, &state, &config).await;

    h.sim.handle.with_state(|s| s.policy_log.clear());
    let moved = policy(&h, "frontend", "worker", "61443");
    let (_, replace) = h.plan(TY, &state, &moved).await;
    assert!(replace.is_empty(), "a new app replaces: {replace:?}");
    let updated = h.converge(TY, &state, &moved).await.ok();
    let worker = h.sim.handle.app_guid("dev", "worker").unwrap();
    let backend = h.sim.handle.app_guid("dev", "backend").unwrap();
    assert_eq!(
        updated.attr("destination_app_id").as_str(),
        Some(worker.as_str())
    );
    let log: Vec<(bool, String)> = h
        .sim
        .handle
        .state()
        .policy_log
        .iter()
        .map(|(added, p)| (*added, p.destination.clone()))
        .collect();
    assert_eq!(
        log,
        vec![(true, worker.clone()), (false, backend)],
        "new before old"
    );
    let left: Vec<String> = h
        .sim
        .handle
        .state()
        .policies
        .iter()
        .map(|p| p.destination.clone())
        .collect();
    assert_eq!(left, vec![worker]);
    h.assert_no_changes(TY, &updated, &moved).await;
}

/// After a blue-green deploy deleted the old app, the policy server refuses to delete
/// its policies (it cannot find the app) and removes them itself: the update and
/// the destroy go on, with a warning that says so.
#[tokio::test]
async fn network_policy_of_a_deleted_app_is_left_to_the_platforms_cleanup() {
    let h = Harness::start().await;
    let config = policy(&h, "frontend", "worker", "61443");
    let state = h.create(TY, &config).await.ok();
    let worker = h.sim.handle.app_guid("dev", "worker").unwrap();
    assert!(h.sim.handle.delete_app(&worker));

    let moved = policy(&h, "frontend", "backend", "61443");
    let updated = h.converge(TY, &state, &moved).await;
    let warned: Vec<&str> = updated.diags.iter().map(|d| d.summary.as_str()).collect();
    assert!(
        updated.diags.iter().all(|d| !d.error),
        "{:?}",
        updated.diags
    );
    assert_eq!(warned, ["Network Policy Left to the Platform's Cleanup"]);
    assert!(
        updated.diags[0].detail.contains(&worker),
        "{:?}",
        updated.diags
    );
    let updated = updated.ok();
    assert_eq!(ranges(&h).len(), 2, "the old policy waits for the cleanup");

    // The same for a destroy once the destination is gone.
    let backend = h.sim.handle.app_guid("dev", "backend").unwrap();
    assert!(h.sim.handle.delete_app(&backend));
    let gone = h.destroy(TY, &updated).await;
    assert!(gone.diags.iter().all(|d| !d.error), "{:?}", gone.diags);
    assert_eq!(gone.diags.len(), 1, "{:?}", gone.diags);
}

#[tokio::test]
async fn network_policy_drift_and_adoption() {
    let h = Harness::start().await;
    let config = policy(&h, "frontend", "backend", "9000");
    let state = h.create(TY, &config).await.ok();
    let p = h.sim.handle.state().policies.iter().next().unwrap().clone();
    assert!(h.sim.handle.delete_policy(&p));
    assert!(
        h.read(TY, &state).await.ok().is_null(),
        "a deleted policy leaves state"
    );
    // Made again by hand, then declared: adopted with a warning.
    h.sim.handle.with_state(|st| st.policies.insert(p.clone()));
    let answer = h.create(TY, &config).await;
    answer.warning("Existing Network Policy Adopted");
    assert_eq!(ranges(&h), vec![(9000, 9000)]);
}

#[tokio::test]
async fn network_policy_errors_name_the_attribute() {
    let h = Harness::start().await;
    let answer = h.create(TY, &policy(&h, "frontend", "backend", "0")).await;
    assert_eq!(
        answer.error("Invalid Port").attribute.as_deref(),
        Some("port")
    );
    let answer = h
        .create(TY, &policy(&h, "frontend", "secret-app", "8080"))
        .await;
    let d = answer.error("Network Policy Create Error");
    assert_eq!(d.attribute.as_deref(), Some("destination_app_id"));
    assert!(ranges(&h).is_empty());
    let answer = h.import(TY, "not-an-id").await;
    answer.error("Invalid Import Id");
}

/// The old policy of a port change cannot be deleted: the new one is deleted again
/// and the error says so; state and the platform keep the old one.
#[tokio::test]
async fn network_policy_port_change_rolls_back_when_the_old_policy_stays() {
    let h = Harness::start().await;
    let state = h
        .create(TY, &policy(&h, "frontend", "backend", "5000"))
        .await
        .ok();
    h.sim.handle.add_fault(policy_fault(
        DELETE_PATH,
        FaultKind::Status { status: 400 },
        Some(1),
    ));
    let answer = h
        .converge(TY, &state, &policy(&h, "frontend", "backend", "5001"))
        .await;
    let d = answer.error("Network Policy Update Error");
    assert!(
        d.detail.contains("The new policy was deleted again"),
        "{}",
        d.detail
    );
    assert_eq!(answer.value, state);
    assert_eq!(ranges(&h), vec![(5000, 5000)]);
}

/// Terraform asks to stop while the old policy is being deleted: the step finishes,
/// a warning says so, and state records the new policy, the only one left.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn network_policy_port_change_finishes_despite_a_stop() {
    let h = std::sync::Arc::new(Harness::start().await);
    let state = h
        .create(TY, &policy(&h, "frontend", "backend", "5000"))
        .await
        .ok();
    h.sim.handle.add_fault(policy_fault(
        DELETE_PATH,
        FaultKind::Latency { ms: 1500 },
        None,
    ));
    h.sim.handle.reset_stats();
    let change = {
        let (h, state) = (h.clone(), state.clone());
        tokio::spawn(async move {
            let config = policy(&h, "frontend", "backend", "5001");
            h.converge(TY, &state, &config).await
        })
    };
    while h
        .sim
        .handle
        .count("POST /networking/{version}/external/policies/delete")
        == 0
    {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    h.stop();
    let answer = change.await.unwrap();
    answer.warning("Network Policy Change Finished Before Stopping");
    assert_eq!(answer.ok().attr("port").as_str(), Some("5001"));
    assert_eq!(ranges(&h), vec![(5001, 5001)]);
}

#[tokio::test]
async fn network_policy_failed_delete_keeps_it_in_state() {
    let h = Harness::start().await;
    let state = h
        .create(TY, &policy(&h, "frontend", "backend", "7000"))
        .await
        .ok();
    h.sim.handle.add_fault(policy_fault(
        DELETE_PATH,
        FaultKind::Status { status: 400 },
        None,
    ));
    let answer = h.destroy(TY, &state).await;
    answer.error("Network Policy Delete Error");
    assert_eq!(ranges(&h), vec![(7000, 7000)]);
}
