//! Conformance with real recorded exchanges (`../shared/cf-api-recordings`): for each
//! kind of recorded request, the simulator answers the equivalent request with the
//! same status and the same JSON shape (keys, nesting, value types). Runs whenever the
//! recordings exist and says it was skipped otherwise; under `CI=true` (where they
//! always exist) their absence fails.
//!
//! Differences the comparison allows, and why:
//! - a null on either side matches any type: optional values (`next` links, a
//!   droplet, a quota) are null in one exchange and set in another;
//! - arrays are compared by their first element, when both have one;
//! - labels and annotations are users' data: only their being objects is compared;
//! - the keys in `ALLOWED` below, each with its reason.

use std::path::PathBuf;

use reqwest::Method;
use serde_json::{Value, json};

use crate::support::*;

/// Keys one side may have and the other not, with the reason.
const ALLOWED: &[(&str, &str)] = &[
    (
        "links.cloud_controller_v2",
        "the v2 API is not simulated; clients use v3 only",
    ),
    (
        "options",
        "newer Cloud Controllers add route options; recordings from before that lack them",
    ),
];

struct Interaction {
    file: String,
    method: String,
    url: String,
    status: u16,
    body: String,
}

fn recordings() -> Option<Vec<Interaction>> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/cf-api-recordings");
    let entries = std::fs::read_dir(&dir).ok()?;
    let mut out = Vec::new();
    let mut files: Vec<_> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    for path in files {
        let doc: serde_yaml_ng::Value =
            serde_yaml_ng::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        for i in doc["interactions"].as_sequence().unwrap() {
            out.push(Interaction {
                file: path.file_name().unwrap().to_string_lossy().into_owned(),
                method: i["request"]["method"].as_str().unwrap().to_string(),
                url: i["request"]["url"].as_str().unwrap().to_string(),
                status: u16::try_from(i["response"]["code"].as_u64().unwrap()).unwrap(),
                body: i["response"]["body"].as_str().unwrap_or("").to_string(),
            });
        }
    }
    Some(out)
}

fn find<'a>(
    all: &'a [Interaction],
    file: &str,
    method: &str,
    path_contains: &str,
    status: u16,
) -> &'a Interaction {
    all.iter()
        .find(|i| {
            i.file == file
                && i.method == method
                && i.url.contains(path_contains)
                && i.status == status
        })
        .unwrap_or_else(|| panic!("no {method} {path_contains} {status} in {file}"))
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn allowed(path: &str) -> bool {
    ALLOWED
        .iter()
        .any(|(p, _)| path == *p || path.ends_with(&format!(".{p}")))
}

/// Objects whose keys are users' data, not the API's shape.
fn free_form(path: &str) -> bool {
    path.ends_with("metadata.labels") || path.ends_with("metadata.annotations")
}

fn compare(path: &str, recorded: &Value, ours: &Value, diffs: &mut Vec<String>) {
    match (recorded, ours) {
        (Value::Object(_), Value::Object(_)) if free_form(path) => {}
        (Value::Null, _) | (_, Value::Null) => {}
        (Value::Object(r), Value::Object(o)) => {
            for k in r.keys().filter(|k| !o.contains_key(*k)) {
                let p = format!("{path}.{k}");
                if !allowed(p.trim_start_matches('.')) {
                    diffs.push(format!("missing {p}"));
                }
            }
            for k in o.keys().filter(|k| !r.contains_key(*k)) {
                let p = format!("{path}.{k}");
                if !allowed(p.trim_start_matches('.')) {
                    diffs.push(format!("extra {p}"));
                }
            }
            for (k, rv) in r {
                if let Some(ov) = o.get(k) {
                    compare(&format!("{path}.{k}"), rv, ov, diffs);
                }
            }
        }
        (Value::Array(r), Value::Array(o)) => {
            if let (Some(rf), Some(of)) = (r.first(), o.first()) {
                compare(&format!("{path}[]"), rf, of, diffs);
            }
        }
        (r, o) if kind(r) != kind(o) => diffs.push(format!(
            "{path}: recorded {}, simulator {}",
            kind(r),
            kind(o)
        )),
        _ => {}
    }
}

struct Case<'a> {
    name: &'a str,
    recorded: &'a Interaction,
    status: u16,
    body: String,
}

#[tokio::test]
async fn conformance_with_recorded_exchanges() {
    let Some(all) = recordings() else {
        assert!(
            std::env::var("CI").map_or(true, |v| v != "true"),
            "the recordings are required when CI=true: ../shared/cf-api-recordings is missing"
        );
        println!(
            "SKIPPED: conformance_with_recorded_exchanges: ../shared/cf-api-recordings is not present"
        );
        return;
    };
    let sim = sim().await;
    let http = client();
    let token_resp = http
        .post(format!("{}/oauth/token", sim.url))
        .basic_auth("cf", Some(""))
        .form(&[
            ("grant_type", "password"),
            ("username", "deployer"),
            ("password", "deployer"),
        ])
        .send()
        .await
        .unwrap();
    let token_status = token_resp.status().as_u16();
    let token_body = token_resp.text().await.unwrap();
    let t: String = serde_json::from_str::<Value>(&token_body).unwrap()["access_token"]
        .as_str()
        .unwrap()
        .into();
    let get = |p: String| {
        let (sim, t) = (&sim, &t);
        async move { call(sim, Some(t), Method::GET, &p, None).await }
    };
    let dev = sim.handle.space_guid("dev").unwrap();
    let org = sim.handle.state().spaces[&dev].org_guid.clone();
    let internal = sim.handle.domain_guid("apps.internal").unwrap();
    let backend = sim.handle.app_guid("dev", "backend").unwrap();
    let frontend = sim.handle.app_guid("dev", "frontend").unwrap();

    let mut cases = Vec::new();
    let (s, b) = (token_status, token_body.clone());
    cases.push(Case {
        name: "token",
        recorded: find(&all, "provider.user_pwd.yaml", "POST", "/oauth/token", 200),
        status: s,
        body: b,
    });
    let (s, b) = call(&sim, None, Method::GET, "/", None).await;
    cases.push(Case {
        name: "root",
        recorded: find(&all, "provider.user_pwd.yaml", "GET", ".com/", 200),
        status: s,
        body: b,
    });
    let (s, b) = get("/v3/organizations?names=sandbox".into()).await;
    cases.push(Case {
        name: "orgs by name",
        recorded: find(&all, "datasource_org.yaml", "GET", "/v3/organizations", 200),
        status: s,
        body: b,
    });
    let (s, b) = get("/v3/organizations/40b73419-5e01-4be0-baea-932d46cea45b".into()).await;
    cases.push(Case {
        name: "org not found",
        recorded: find(
            &all,
            "datasource_spaces_invalid_org.yaml",
            "GET",
            "/v3/organizations/",
            404,
        ),
        status: s,
        body: b,
    });
    let (s, b) = get(format!("/v3/spaces?names=dev&organization_guids={org}")).await;
    cases.push(Case {
        name: "spaces by name",
        recorded: find(&all, "datasource_space.yaml", "GET", "/v3/spaces?", 200),
        status: s,
        body: b,
    });
    let (s, b) = get(format!("/v3/apps?names=backend&space_guids={dev}")).await;
    cases.push(Case {
        name: "apps by name",
        recorded: find(&all, "datasource_app_bits.yaml", "GET", "/v3/apps?", 200),
        status: s,
        body: b,
    });
    let (s, b) = get("/v3/apps?names=nope".into()).await;
    cases.push(Case {
        name: "apps none",
        recorded: find(
            &all,
            "datasource_app_invalid_app_name.yaml",
            "GET",
            "/v3/apps?",
            200,
        ),
        status: s,
        body: b,
    });
    let (s, b) = get("/v3/domains?names=apps.internal".into()).await;
    cases.push(Case {
        name: "domains by name",
        recorded: find(&all, "datasource_domain.yaml", "GET", "/v3/domains?", 200),
        status: s,
        body: b,
    });

    let create = json!({"host": "backend", "relationships": {"space": {"data": {"guid": dev}}, "domain": {"data": {"guid": internal}}}, "metadata": {"labels": {"team": "x"}}});
    let (s, b) = call(&sim, Some(&t), Method::POST, "/v3/routes", Some(create)).await;
    let route: String = serde_json::from_str::<Value>(&b).unwrap()["guid"]
        .as_str()
        .unwrap()
        .into();
    cases.push(Case {
        name: "route create",
        recorded: find(&all, "resource_route_crud.yaml", "POST", "/v3/routes", 201),
        status: s,
        body: b,
    });
    let dests = json!({"destinations": [{"app": {"guid": backend, "process": {"type": "web"}}, "port": 8080}]});
    let (s, b) = call(
        &sim,
        Some(&t),
        Method::PATCH,
        &format!("/v3/routes/{route}/destinations"),
        Some(dests),
    )
    .await;
    cases.push(Case {
        name: "destinations replace",
        recorded: find(
            &all,
            "resource_route_crud.yaml",
            "PATCH",
            "/destinations",
            200,
        ),
        status: s,
        body: b,
    });
    let (s, b) = get(format!("/v3/routes/{route}")).await;
    cases.push(Case {
        name: "route get",
        recorded: find(
            &all,
            "resource_route_import_identity.yaml",
            "GET",
            "/v3/routes/",
            200,
        ),
        status: s,
        body: b,
    });
    let (s, b) = get(format!("/v3/routes?space_guids={dev}")).await;
    cases.push(Case {
        name: "routes list",
        recorded: find(&all, "datasource_routes.yaml", "GET", "/v3/routes?", 200),
        status: s,
        body: b,
    });
    let del = http
        .delete(format!("{}/v3/routes/{route}", sim.url))
        .bearer_auth(&t)
        .send()
        .await
        .unwrap();
    let job = del.headers()["location"]
        .to_str()
        .unwrap()
        .trim_start_matches(&sim.url)
        .to_string();
    let (s, b) = (del.status().as_u16(), del.text().await.unwrap());
    cases.push(Case {
        name: "route delete",
        recorded: find(
            &all,
            "resource_route_crud.yaml",
            "DELETE",
            "/v3/routes/",
            202,
        ),
        status: s,
        body: b,
    });
    sim.handle.advance(1.0);
    let (s, b) = get(job).await;
    cases.push(Case {
        name: "job",
        recorded: find(&all, "resource_route_crud.yaml", "GET", "/v3/jobs/", 200),
        status: s,
        body: b,
    });

    let p = policy_body(&frontend, &backend, "tcp", 61443, 61443);
    let (s, b) = call(&sim, Some(&t), Method::POST, POLICIES, Some(p.clone())).await;
    cases.push(Case {
        name: "policy create",
        recorded: find(
            &all,
            "resource_network_policy_crud.yaml",
            "POST",
            "/policies",
            200,
        ),
        status: s,
        body: b,
    });
    let (s, b) = get(format!("{POLICIES}?id={frontend},{backend}")).await;
    cases.push(Case {
        name: "policy list",
        recorded: find(
            &all,
            "resource_network_policy_crud.yaml",
            "GET",
            "/policies?id=",
            200,
        ),
        status: s,
        body: b,
    });
    let (s, b) = call(
        &sim,
        Some(&t),
        Method::POST,
        &format!("{POLICIES}/delete"),
        Some(p),
    )
    .await;
    cases.push(Case {
        name: "policy delete",
        recorded: find(
            &all,
            "resource_network_policy_crud.yaml",
            "POST",
            "/policies/delete",
            200,
        ),
        status: s,
        body: b,
    });

    let mut failures = Vec::new();
    for c in &cases {
        if c.status != c.recorded.status {
            failures.push(format!(
                "{}: status {} vs recorded {} ({})",
                c.name, c.status, c.recorded.status, c.recorded.file
            ));
            continue;
        }
        if c.recorded.body.trim().is_empty() {
            if !c.body.trim().is_empty() {
                failures.push(format!(
                    "{}: recorded an empty body, simulator sent {}",
                    c.name, c.body
                ));
            }
            continue;
        }
        let recorded: Value = serde_json::from_str(&c.recorded.body).unwrap();
        let ours: Value = serde_json::from_str(&c.body)
            .unwrap_or_else(|_| panic!("{}: not JSON: {}", c.name, c.body));
        let mut diffs = Vec::new();
        compare("", &recorded, &ours, &mut diffs);
        for d in diffs {
            failures.push(format!("{} ({}): {d}", c.name, c.recorded.file));
        }
    }
    println!("conformance: compared {} recorded exchanges", cases.len());
    assert!(
        failures.is_empty(),
        "shape differences:\n{}",
        failures.join("\n")
    );
}
