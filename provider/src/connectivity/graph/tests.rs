//! The graph and its renderings over hand-built views: findings, order, stable ids
//! and escaping.

use std::collections::BTreeSet;

use super::*;
use crate::cf::models::Policy;
use crate::connectivity::render;
use crate::connectivity::view::{AppInfo, RouteInfo, RouteTarget, SpaceInfo};

fn view() -> View {
    let mut v = View::default();
    for (guid, name, space) in [
        ("aaaaaaaa-0000-0000-0000-000000000001", "web", "s1"),
        ("bbbbbbbb-0000-0000-0000-000000000002", "api", "s1"),
        ("cccccccc-0000-0000-0000-000000000003", "db \"main\"", "s2"),
    ] {
        v.apps.insert(
            guid.into(),
            AppInfo {
                guid: guid.into(),
                name: name.into(),
                space_guid: space.into(),
                state: if name == "api" { "STOPPED" } else { "STARTED" }.into(),
            },
        );
    }
    for (guid, name) in [("s1", "dev"), ("s2", "data")] {
        v.spaces.insert(
            guid.into(),
            SpaceInfo {
                name: name.into(),
                org_guid: "o".into(),
                org_name: Some("agency".into()),
            },
        );
    }
    v.listed = ["s1".to_string()].into();
    let route = |guid: &str, host: &str, targets: Vec<RouteTarget>| RouteInfo {
        guid: guid.into(),
        host: host.into(),
        fqdn: format!("{host}.apps.internal"),
        space_guid: "s1".into(),
        targets,
    };
    let to = |app: &str| RouteTarget {
        app_guid: app.into(),
        port: 8080,
    };
    v.routes.insert(
        "r-api".into(),
        route(
            "r-api",
            "api",
            vec![to("bbbbbbbb-0000-0000-0000-000000000002")],
        ),
    );
    v.routes
        .insert("r-empty".into(), route("r-empty", "empty", Vec::new()));
    v.routes.insert(
        "r-web".into(),
        route(
            "r-web",
            "web",
            vec![to("aaaaaaaa-0000-0000-0000-000000000001")],
        ),
    );
    let (web, api, db) = (
        "aaaaaaaa-0000-0000-0000-000000000001",
        "bbbbbbbb-0000-0000-0000-000000000002",
        "cccccccc-0000-0000-0000-000000000003",
    );
    v.policies
        .insert(Policy::new(web, api, "tcp", 61443, 61443));
    v.policies.insert(Policy::new(api, db, "tcp", 5432, 5432));
    v.policies.insert(Policy::new(web, api, "tcp", 8080, 8090));
    v
}

#[test]
fn the_graph_sorts_and_finds() {
    let g = build(&view(), &BTreeSet::from(["s1".to_string()]));
    let names: Vec<&str> = g.nodes.iter().map(|n| n.name.as_str()).collect();
    assert_eq!(names, ["db \"main\"", "api", "web"], "by org, space, name");
    assert!(!g.nodes[0].in_scope && g.nodes[1].in_scope);
    assert_eq!(g.nodes[1].hostnames, ["api.apps.internal"]);
    let edges: Vec<(&str, bool, bool)> = g
        .edges
        .iter()
        .map(|e| (e.ports.as_str(), e.tls, e.cross_space))
        .collect();
    assert_eq!(
        edges,
        [
            ("5432", false, true),
            ("61443", true, false),
            ("8080-8090", false, false)
        ]
    );
    let found: Vec<(&str, Option<&str>)> = g
        .findings
        .iter()
        .map(|f| (f.code.as_str(), f.subject.as_deref()))
        .collect();
    assert_eq!(
        found,
        [
            ("ROUTE_HAS_NO_DESTINATIONS", Some("r-empty")),
            ("ROUTE_NOT_REACHED", Some("r-web")),
        ],
        "db is outside the listed spaces: its missing route is not judged"
    );
}

#[test]
fn a_source_near_the_policy_limit_is_found() {
    let mut v = view();
    let web = "aaaaaaaa-0000-0000-0000-000000000001";
    for port in 0..u16::try_from(NEAR_LIMIT).unwrap() {
        v.policies.insert(Policy::new(
            web,
            "elsewhere",
            "tcp",
            10000 + port,
            10000 + port,
        ));
    }
    let g = build(&v, &BTreeSet::from(["s1".to_string()]));
    let near: Vec<&str> = g
        .findings
        .iter()
        .filter(|f| f.code == Code::NearPolicyLimit)
        .map(|f| f.message.as_str())
        .collect();
    assert_eq!(near.len(), 1);
    assert!(near[0].contains("source of 122 policies"), "{}", near[0]);
}

#[test]
fn renderings_are_stable_and_escaped() {
    let g = build(&view(), &BTreeSet::from(["s1".to_string()]));
    let mermaid = render::mermaid(&g);
    assert_eq!(
        mermaid,
        "flowchart LR\n\
         \x20 subgraph space_s2[\"agency / data\"]\n\
         \x20   app_cccccccc[\"db #quot;main#quot;\"]\n\
         \x20 end\n\
         \x20 subgraph space_s1[\"agency / dev\"]\n\
         \x20   app_bbbbbbbb[\"api<br/>api.apps.internal<br/>STOPPED\"]\n\
         \x20   app_aaaaaaaa[\"web<br/>web.apps.internal\"]\n\
         \x20 end\n\
         \x20 app_bbbbbbbb -->|\"tcp 5432\"| app_cccccccc\n\
         \x20 app_aaaaaaaa ==>|\"tcp 61443 TLS\"| app_bbbbbbbb\n\
         \x20 app_aaaaaaaa -->|\"tcp 8080-8090\"| app_bbbbbbbb\n\
         \x20 classDef stopped stroke-dasharray: 5 5\n\
         \x20 class app_bbbbbbbb stopped\n"
    );
    assert_eq!(
        render::mermaid(&g),
        mermaid,
        "the same graph, the same text"
    );
    let dot = render::dot(&g);
    assert!(
        dot.contains("\"app_cccccccc\" [label=\"db \\\"main\\\"\"];"),
        "{dot}"
    );
    assert!(
        dot.contains("\"app_aaaaaaaa\" -> \"app_bbbbbbbb\" [label=\"tcp 61443 TLS\", penwidth=2];")
    );
    assert_eq!(
        render::flows_csv(&g),
        format!(
            "{}\napi,dev,\"db \"\"main\"\"\",data,tcp,5432,false,\n\
             web,dev,api,dev,tcp,61443,true,api.apps.internal\n\
             web,dev,api,dev,tcp,8080-8090,false,api.apps.internal\n",
            render::CSV_HEADER
        )
    );
}
