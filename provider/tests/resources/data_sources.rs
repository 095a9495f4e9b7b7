//! Every data source: a read that finds what the platform holds, and the not-found
//! error that names what was looked for.

use crate::harness::Harness;
use crate::{obj, s};

#[tokio::test]
async fn data_sources_find_what_the_platform_holds() {
    let h = Harness::start().await;
    let org = h
        .data("cloudgov_org", &obj([("name", s("sandbox"))]))
        .await
        .ok();
    let org_id = org.attr("id").as_str().unwrap().to_string();
    let space = h
        .data(
            "cloudgov_space",
            &obj([("name", s("dev")), ("org_id", s(&org_id))]),
        )
        .await
        .ok();
    assert_eq!(
        space.attr("id").as_str(),
        h.sim.handle.space_guid("dev").as_deref()
    );
    let app = h
        .data(
            "cloudgov_app",
            &obj([
                ("name", s("backend")),
                ("org_name", s("sandbox")),
                ("space_name", s("dev")),
            ]),
        )
        .await
        .ok();
    let backend = h.sim.handle.app_guid("dev", "backend").unwrap();
    assert_eq!(app.attr("id").as_str(), Some(backend.as_str()));
    let domain = h
        .data("cloudgov_domain", &obj([("name", s("apps.internal"))]))
        .await
        .ok();
    assert_eq!(domain.attr("internal").as_bool(), Some(true));

    let frontend = h.sim.handle.app_guid("dev", "frontend").unwrap();
    h.create(
        "cloudgov_network_policy",
        &obj([
            ("source_app_id", s(&frontend)),
            ("destination_app_id", s(&backend)),
            ("port", s("8080")),
        ]),
    )
    .await
    .ok();
    let policies = h
        .data("cloudgov_network_policies", &obj([("app_id", s(&backend))]))
        .await
        .ok();
    let listed = policies.attr("policies").elements().unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(
        listed[0].attr("source_app_id").as_str(),
        Some(frontend.as_str())
    );
}

#[tokio::test]
async fn data_sources_not_found_names_what_was_looked_for() {
    let h = Harness::start().await;
    let answer = h.data("cloudgov_org", &obj([("name", s("nope"))])).await;
    assert!(
        answer
            .error("Organization Not Found")
            .detail
            .contains("nope")
    );
    let answer = h
        .data(
            "cloudgov_app",
            &obj([
                ("name", s("ghost")),
                ("org_name", s("sandbox")),
                ("space_name", s("dev")),
            ]),
        )
        .await;
    let d = answer.error("App Not Found");
    assert!(
        d.detail.contains("ghost") && d.detail.contains("dev"),
        "{}",
        d.detail
    );
}

#[tokio::test]
async fn data_sources_name_policies_and_find_routes_by_hostname() {
    let h = Harness::start().await;
    let frontend = h.sim.handle.app_guid("dev", "frontend").unwrap();
    let partner = h.sim.handle.app_guid("other", "partner").unwrap();
    h.create(
        "cloudgov_network_policy",
        &obj([
            ("source_app_id", s(&frontend)),
            ("destination_app_id", s(&partner)),
            ("port", s("8080")),
        ]),
    )
    .await
    .ok();
    let listed = h
        .data("cloudgov_network_policies", &obj([("app_id", s(&partner))]))
        .await
        .ok();
    let p = &listed.attr("policies").elements().unwrap()[0];
    assert_eq!(p.attr("source_app").as_str(), Some("frontend"));
    assert_eq!(p.attr("source_space").as_str(), Some("dev"));
    assert_eq!(p.attr("destination_app").as_str(), Some("partner"));
    assert_eq!(p.attr("destination_space").as_str(), Some("other"));

    let route = h
        .create(
            "cloudgov_internal_route",
            &obj([
                ("space_id", s(&h.sim.handle.space_guid("dev").unwrap())),
                ("hostname", s("found")),
                (
                    "destinations",
                    terraform_provider_cloudgov::framework::Value::List(vec![obj([(
                        "app_id",
                        s(&frontend),
                    )])]),
                ),
            ]),
        )
        .await
        .ok();
    let read = h
        .data("cloudgov_internal_route", &obj([("hostname", s("found"))]))
        .await
        .ok();
    assert_eq!(read.attr("id"), route.attr("id"));
    assert_eq!(read.attr("fqdn").as_str(), Some("found.apps.internal"));
    assert_eq!(
        read.attr("destinations").elements().unwrap()[0]
            .attr("app_id")
            .as_str(),
        Some(frontend.as_str())
    );
    let missing = h
        .data(
            "cloudgov_internal_route",
            &obj([("hostname", s("nowhere"))]),
        )
        .await;
    let d = missing.error("Internal Route Not Found");
    assert!(d.detail.contains("nowhere.apps.internal"), "{}", d.detail);
    assert_eq!(d.attribute.as_deref(), Some("hostname"));
}
