//! The protocol 6.9 and 6.10 surface, as a current Terraform sees it: identity
//! schemas for both resources, list resource schemas and metadata for both, and
//! import by identity refused clearly before the provider is configured.

use std::time::Duration;

use cloudgov_proto::tfplugin6::{get_metadata, get_provider_schema, get_resource_identity_schemas};

use crate::support::*;

#[tokio::test]
async fn identity_and_list_resources_are_announced() {
    let cert = host_cert();
    let plugin = start(host_command(Some(&cert)));
    let mut provider = plugin.provider(&cert).await;

    let ids = provider
        .get_resource_identity_schemas(get_resource_identity_schemas::Request {})
        .await
        .unwrap()
        .into_inner();
    let names = |t: &str| -> Vec<String> {
        ids.identity_schemas[t]
            .identity_attributes
            .iter()
            .map(|a| a.name.clone())
            .collect()
    };
    assert_eq!(names("cloudgov_internal_route"), vec!["id"]);
    assert_eq!(
        names("cloudgov_network_policy"),
        vec![
            "source_app_id",
            "destination_app_id",
            "protocol",
            "start_port",
            "end_port"
        ]
    );
    assert!(
        ids.identity_schemas
            .values()
            .flat_map(|s| &s.identity_attributes)
            .all(|a| a.required_for_import && !a.description.is_empty())
    );

    let schema = provider
        .get_provider_schema(get_provider_schema::Request {})
        .await
        .unwrap()
        .into_inner();
    let mut lists: Vec<&String> = schema.list_resource_schemas.keys().collect();
    lists.sort();
    assert_eq!(
        lists,
        ["cloudgov_internal_route", "cloudgov_network_policy"]
    );
    let route_list = schema.list_resource_schemas["cloudgov_internal_route"]
        .block
        .as_ref()
        .unwrap();
    assert!(
        route_list
            .attributes
            .iter()
            .any(|a| a.name == "space_id" && a.required)
    );

    let meta = provider
        .get_metadata(get_metadata::Request {})
        .await
        .unwrap()
        .into_inner();
    assert_eq!(meta.list_resources.len(), 2);
    let (_, _, _) = plugin.finish(Duration::ZERO);
}
