//! `cloudgov_internal_route`: lifecycle, import, drift, replacement, and the error
//! branches of create, update, delete and import.

use cloudgov_sim::{FaultKind, FaultRule};
use terraform_provider_cloudgov::framework::Value;

use crate::harness::Harness;
use crate::{obj, s};

const TY: &str = "cloudgov_internal_route";

fn route(h: &Harness, host: &str, apps: &[&str]) -> Value {
    let dests = apps
        .iter()
        .map(|a| obj([("app_id", s(&h.sim.handle.app_guid("dev", a).unwrap()))]))
        .collect();
    obj([
        ("space_id", s(&h.sim.handle.space_guid("dev").unwrap())),
        ("hostname", s(host)),
        ("destinations", Value::List(dests)),
    ])
}

/// The platform's routes: host and mapped app GUIDs (sorted).
fn platform(h: &Harness) -> Vec<(String, Vec<String>)> {
    let mut out: Vec<(String, Vec<String>)> = h
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

fn fault(path: &str, method: &str, status: u16) -> FaultRule {
    FaultRule {
        path: path.into(),
        method: Some(method.into()),
        kind: FaultKind::Status { status },
        probability: 1.0,
        times: None,
    }
}

#[tokio::test]
async fn internal_route_lifecycle() {
    let h = Harness::start().await;
    let backend = h.sim.handle.app_guid("dev", "backend").unwrap();
    let worker = h.sim.handle.app_guid("dev", "worker").unwrap();
    let config = route(&h, "api", &["backend"]);
    let state = h.create(TY, &config).await.ok();
    assert_eq!(state.attr("fqdn").as_str(), Some("api.apps.internal"));
    assert_eq!(state.attr("domain").as_str(), Some("apps.internal"));
    let dest = &state.attr("destinations").elements().unwrap()[0];
    assert_eq!(dest.attr("port").as_i64(), Some(8080));
    assert_eq!(dest.attr("process_type").as_str(), Some("web"));
    assert_eq!(platform(&h), vec![("api".into(), vec![backend.clone()])]);
    h.assert_no_changes(TY, &state, &config).await;

    // A destination more: in place, same GUID.
    let both = route(&h, "api", &["backend", "worker"]);
    let updated = h.converge(TY, &state, &both).await.ok();
    assert_eq!(updated.attr("id"), state.attr("id"));
    let mut apps = vec![backend, worker];
    apps.sort();
    assert_eq!(platform(&h), vec![("api".into(), apps)]);
    h.assert_no_changes(TY, &updated, &both).await;

    // Import by GUID gives the same state.
    let id = updated.attr("id").as_str().unwrap().to_string();
    assert_eq!(h.import(TY, &id).await.ok(), updated);

    // A new hostname replaces the route.
    let renamed = h
        .converge(TY, &updated, &route(&h, "api2", &["backend"]))
        .await
        .ok();
    assert_ne!(renamed.attr("id"), updated.attr("id"));
    assert_eq!(platform(&h).len(), 1);

    assert!(h.destroy(TY, &renamed).await.ok().is_null());
    h.sim.handle.advance(5.0);
    assert!(platform(&h).is_empty());
}

#[tokio::test]
async fn internal_route_drift_is_read_as_the_platform_holds_it() {
    let h = Harness::start().await;
    let config = route(&h, "drift", &["backend"]);
    let state = h.create(TY, &config).await.ok();
    let guid = state.attr("id").as_str().unwrap().to_string();
    let backend = h.sim.handle.app_guid("dev", "backend").unwrap();
    h.sim.handle.unmap(&guid, &backend);
    let read = h.read(TY, &state).await.ok();
    assert_eq!(
        read.attr("destinations").elements().map(<[Value]>::len),
        Some(0)
    );
    let (plan, _) = h.plan(TY, &read, &config).await;
    assert_eq!(
        plan.ok()
            .attr("destinations")
            .elements()
            .map(<[Value]>::len),
        Some(1)
    );
    h.sim.handle.delete_route(&guid);
    assert!(
        h.read(TY, &state).await.ok().is_null(),
        "a deleted route leaves state"
    );
}

#[tokio::test]
async fn internal_route_plan_time_errors_name_the_attribute() {
    let h = Harness::start().await;
    let found = h.validate(TY, &route(&h, "Not_A_Host!", &[])).await;
    assert!(
        found
            .iter()
            .any(|d| d.summary == "Invalid Hostname" && d.attribute.as_deref() == Some("hostname")),
        "{found:#?}"
    );
    let many: Vec<Value> = (0..101)
        .map(|p| {
            obj([
                (
                    "app_id",
                    s(&h.sim.handle.app_guid("dev", "backend").unwrap()),
                ),
                ("port", Value::from(8000 + p)),
            ])
        })
        .collect();
    let mut config = route(&h, "many", &[]);
    config.set_attr("destinations", Value::List(many));
    let answer = h.create(TY, &config).await;
    let d = answer.error("Too Many Destinations");
    assert_eq!(d.attribute.as_deref(), Some("destinations"));
    assert!(d.detail.starts_with("101 destinations"), "{}", d.detail);
    assert!(platform(&h).is_empty(), "nothing was created");
}

#[tokio::test]
async fn internal_route_taken_hostnames_are_refused_with_what_is_known() {
    let h = Harness::start().await;
    // Taken in this space by another tool: import is the way.
    let mine = h.create(TY, &route(&h, "mine", &[])).await.ok();
    h.sim.handle.with_state(|st| {
        let guid = mine.attr("id").as_str().unwrap();
        st.routes.get_mut(guid).unwrap().labels.clear();
    });
    let answer = h.create(TY, &route(&h, "mine", &[])).await;
    let d = answer.error("Route Already Exists");
    assert!(d.detail.contains("terraform import"), "{}", d.detail);

    // Taken in a space this account cannot see.
    let restricted = h.sim.handle.space_guid("restricted").unwrap();
    let domain = h.sim.handle.domain_guid("apps.internal").unwrap();
    h.sim.handle.with_state(|st| {
        let admin = st
            .actor(&cloudgov_sim::model::Subject::User("admin".into()))
            .unwrap();
        st.create_route(
            &admin,
            cloudgov_sim::model::NewRoute {
                host: "hidden".into(),
                space_guid: restricted,
                domain_guid: domain,
                ..Default::default()
            },
        )
        .unwrap();
    });
    let answer = h.create(TY, &route(&h, "hidden", &[])).await;
    let d = answer.error("Route Already Exists");
    assert!(
        d.detail.contains("a space this account cannot see"),
        "{}",
        d.detail
    );
    assert!(!d.detail.contains("CF-UnprocessableEntity"), "{}", d.detail);
    assert!(!d.detail.contains("import"), "{}", d.detail);
}

#[tokio::test]
async fn internal_route_failed_update_keeps_the_prior_state() {
    let h = Harness::start().await;
    let state = h.create(TY, &route(&h, "upd", &["backend"])).await.ok();
    h.sim
        .handle
        .add_fault(fault("/v3/routes/*/destinations", "PATCH", 422));
    let answer = h.converge(TY, &state, &route(&h, "upd", &["worker"])).await;
    let d = answer.error("Internal Route Update Error");
    assert_eq!(d.attribute.as_deref(), Some("destinations"));
    assert_eq!(answer.value, state, "state keeps what the platform holds");
    let backend = h.sim.handle.app_guid("dev", "backend").unwrap();
    assert_eq!(platform(&h), vec![("upd".into(), vec![backend])]);
}

#[tokio::test]
async fn internal_route_failed_delete_keeps_the_route_in_state() {
    let h = Harness::start().await;
    let state = h.create(TY, &route(&h, "del", &[])).await.ok();
    h.sim.handle.add_fault(fault("/v3/routes/*", "DELETE", 422));
    let answer = h.destroy(TY, &state).await;
    let d = answer.error("Internal Route Delete Error");
    assert!(d.detail.contains("was not deleted"), "{}", d.detail);
    assert_eq!(platform(&h).len(), 1);
}

#[tokio::test]
async fn internal_route_import_errors() {
    let h = Harness::start().await;
    let answer = h.import(TY, "api.apps.internal").await;
    let d = answer.error("Invalid Import Id");
    assert!(d.detail.contains("is not a GUID"), "{}", d.detail);
    let answer = h.import(TY, "5f0c8d1e-2b7a-4c1d-9e3f-0a1b2c3d4e5f").await;
    answer.error("Internal Route Not Found");
}

/// A route this provider created from this origin, lost from state (an apply stopped
/// before Terraform saved it), is adopted with a warning that says only what is
/// known; the same route from another origin (another configuration's) is refused,
/// naming the route, its space and when it was created.
#[tokio::test]
async fn internal_route_adopts_only_its_own_origins_routes() {
    let h = Harness::start().await;
    let config = route(&h, "owned", &["backend"]);
    let first = h.create(TY, &config).await.ok();
    let guid = first.attr("id").as_str().unwrap().to_string();
    // State lost: the same configuration creates it again and adopts it.
    let answer = h.create(TY, &config).await;
    let warning = answer.warning("Existing Route Adopted");
    assert!(
        warning
            .detail
            .contains("from this configuration's directory"),
        "{}",
        warning.detail
    );
    assert_eq!(answer.ok().attr("id").as_str(), Some(guid.as_str()));

    // Another configuration's route.
    h.sim.handle.with_state(|st| {
        st.routes.get_mut(&guid).unwrap().annotations.insert(
            "cloud.gov/terraform-origin".into(),
            "00000000-0000-5000-8000-000000000000".into(),
        );
    });
    let answer = h.create(TY, &config).await;
    let d = answer.error("Route Held by Another Configuration");
    assert!(d.detail.contains(&guid), "{}", d.detail);
    assert!(d.detail.contains("\"dev\""), "{}", d.detail);
    assert!(d.detail.contains("was created at 20"), "{}", d.detail);
    assert_eq!(d.attribute.as_deref(), Some("hostname"));
    assert_eq!(platform(&h).len(), 1, "nothing else was created");
}
