//! `list "cloudgov_network_policy"`: the policies whose source app is in a space,
//! optionally narrowed to one source or destination app. Two or three requests: the
//! space's apps, their policies (batched by id), and the names of destination apps in
//! other spaces.

use std::collections::{BTreeSet, HashMap};

use async_trait::async_trait;

use crate::cf;
use crate::errors;
use crate::framework::{
    Attribute, Ctx, Diagnostics, ListResource, Listed, Resource, Schema, Value,
};
use crate::resources::network_policy::{NetworkPolicy, PortRange, state};

crate::model! {
    /// The `config` block.
    pub(crate) struct PoliciesConfig {
        space_id: String,
        source_app_id: String,
        destination_app_id: String,
    }
}

/// The list resource.
#[derive(Debug)]
pub(crate) struct NetworkPolicies;

#[async_trait]
impl ListResource<cf::Client> for NetworkPolicies {
    fn type_name(&self) -> &'static str {
        crate::resources::network_policy::TYPE
    }

    fn models(&self) -> crate::framework::model::Models {
        &[("", PoliciesConfig::FIELDS)]
    }

    fn schema(&self) -> Schema {
        Schema::new(
            "Finds the network policies whose source app is in a space, for `terraform query`.",
            vec![
                Attribute::string("space_id")
                    .required()
                    .description("GUID of the space whose apps' outgoing policies are listed."),
                Attribute::string("source_app_id")
                    .optional()
                    .description("Only policies from this app (in the space)."),
                Attribute::string("destination_app_id")
                    .optional()
                    .description("Only policies to this app (in any space)."),
            ],
        )
    }

    async fn validate(&self, config: &Value, diags: &mut Diagnostics) {
        crate::checks::guid_attrs(
            config,
            &[
                ("space_id", "space"),
                ("source_app_id", "app"),
                ("destination_app_id", "app"),
            ],
            diags,
        );
    }

    async fn list(
        &self,
        ctx: &Ctx<cf::Client>,
        config: &Value,
        diags: &mut Diagnostics,
    ) -> Vec<Listed> {
        let Some(client) = ctx.client_or_report(diags) else {
            return Vec::new();
        };
        match find(client, config).await {
            Ok(found) => found,
            Err(e) => {
                diags.push(errors::diagnostic("Network Policy List Error", &e));
                Vec::new()
            }
        }
    }
}

async fn find(client: &cf::Client, config: &Value) -> cf::Result<Vec<Listed>> {
    let config = PoliciesConfig::from_value(config);
    let space = config.space_id.as_str().unwrap_or_default();
    let source = config.source_app_id.as_str();
    let destination = config.destination_app_id.as_str();
    let mut names: HashMap<String, String> = client
        .apps_in_space(space)
        .await?
        .into_iter()
        .map(|a| (a.guid, a.name))
        .collect();
    let sources: BTreeSet<String> = names
        .keys()
        .filter(|g| source.is_none_or(|s| s == g.as_str()))
        .cloned()
        .collect();
    if sources.is_empty() {
        return Ok(Vec::new());
    }
    let policies: Vec<cf::models::Policy> = client
        .policies_for_apps(&sources)
        .await?
        .into_iter()
        .filter(|p| sources.contains(&p.source.id))
        .filter(|p| destination.is_none_or(|d| d == p.destination.id))
        .collect();
    let elsewhere: BTreeSet<String> = policies
        .iter()
        .map(|p| p.destination.id.clone())
        .filter(|d| !names.contains_key(d))
        .collect();
    if !elsewhere.is_empty() {
        names.extend(
            client
                .apps_by_guids(&elsewhere)
                .await?
                .into_iter()
                .map(|a| (a.guid, a.name)),
        );
    }
    let name = |guid: &str| names.get(guid).cloned().unwrap_or_else(|| guid.to_string());
    let mut out: Vec<Listed> = policies
        .iter()
        .map(|p| {
            let range = PortRange {
                start: p.destination.ports.start,
                end: p.destination.ports.end,
            };
            let (src, dst, protocol) = (&p.source.id, &p.destination.id, &p.destination.protocol);
            let state = state(src, dst, protocol, &range.canonical(), range);
            Listed {
                identity: NetworkPolicy.identity(&state),
                display_name: format!(
                    "{} → {} {protocol} {}",
                    name(src),
                    name(dst),
                    range.canonical()
                ),
                state,
            }
        })
        .collect();
    out.sort_by(|a, b| a.display_name.cmp(&b.display_name));
    Ok(out)
}
