//! Every JSON answer in the recorded real exchanges decodes into the client's models.
//! Runs whenever `../shared/cf-api-recordings` exists and says it was skipped
//! otherwise.

use serde::de::DeserializeOwned;
use terraform_provider_cloudgov::cf::models::*;

fn check<T: DeserializeOwned>(file: &str, url: &str, body: &str) {
    if let Err(e) = serde_json::from_str::<T>(body) {
        panic!(
            "{file}: {url} did not decode as {}: {e}",
            std::any::type_name::<T>()
        );
    }
}

#[test]
fn decode_every_recorded_answer() {
    let dir =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/cf-api-recordings");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        assert!(
            std::env::var("CI").map_or(true, |v| v != "true"),
            "the recordings are required when CI=true: {} is missing",
            dir.display()
        );
        println!(
            "SKIPPED: decode_every_recorded_answer: ../shared/cf-api-recordings is not present"
        );
        return;
    };
    let mut decoded = 0;
    for entry in entries.filter_map(Result::ok) {
        let path = entry.path();
        if path.extension().is_none_or(|e| e != "yaml") {
            continue;
        }
        let file = path.file_name().unwrap().to_string_lossy().into_owned();
        let doc: serde_yaml_ng::Value =
            serde_yaml_ng::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        for i in doc["interactions"].as_sequence().unwrap() {
            let url = i["request"]["url"].as_str().unwrap();
            let method = i["request"]["method"].as_str().unwrap();
            let status = i["response"]["code"].as_u64().unwrap();
            let body = i["response"]["body"].as_str().unwrap_or("");
            if body.trim().is_empty() || body.trim() == "{}" {
                continue;
            }
            let path = url
                .split("://")
                .nth(1)
                .and_then(|r| r.find('/').map(|i| &r[i..]))
                .unwrap_or("/");
            let path = path.split('?').next().unwrap();
            let seg: Vec<&str> = path.trim_matches('/').split('/').collect();
            let before = decoded;
            decoded += 1;
            match (status, seg.as_slice()) {
                (400..=599, _) if path.starts_with("/v3") => check::<ApiErrors>(&file, url, body),
                (_, ["oauth", "token"]) => check::<TokenResponse>(&file, url, body),
                (_, [""]) => check::<Root>(&file, url, body),
                (_, ["v3", "organizations"]) => check::<Page<Organization>>(&file, url, body),
                (_, ["v3", "organizations", _]) => check::<Organization>(&file, url, body),
                (_, ["v3", "spaces"]) => check::<Page<Space>>(&file, url, body),
                (_, ["v3", "spaces", _]) => check::<Space>(&file, url, body),
                (_, ["v3", "apps"]) => check::<Page<App>>(&file, url, body),
                (_, ["v3", "apps", _]) => check::<App>(&file, url, body),
                (_, ["v3", "domains"]) => check::<Page<Domain>>(&file, url, body),
                (_, ["v3", "domains", _]) => check::<Domain>(&file, url, body),
                (_, ["v3", "routes"]) if method == "POST" => check::<Route>(&file, url, body),
                (_, ["v3", "routes"]) => check::<Page<Route>>(&file, url, body),
                (_, ["v3", "routes", _]) if method != "DELETE" => check::<Route>(&file, url, body),
                (_, ["v3", "routes", _, "destinations"]) => check::<Destinations>(&file, url, body),
                (_, ["v3", "jobs", _]) => check::<Job>(&file, url, body),
                (_, ["networking", _, "external", "policies"]) if method == "GET" => {
                    check::<Policies>(&file, url, body)
                }
                _ => decoded = before,
            }
        }
    }
    println!("decoded {decoded} recorded answers");
    assert!(
        decoded >= 60,
        "only {decoded} recorded answers were recognised"
    );
}
