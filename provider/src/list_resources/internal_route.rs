//! `list "cloudgov_internal_route"`: the internal routes of a space, optionally only
//! those with a hostname or mapped to an app. Two requests: the space's routes and
//! the domains (to keep internal ones and name them).

use std::collections::HashMap;

use async_trait::async_trait;

use crate::cf;
use crate::errors;
use crate::framework::{Attribute, Ctx, Diagnostics, ListResource, Listed, Schema, Value};
use crate::resources::internal_route::route_state;

crate::model! {
    /// The `config` block.
    pub(crate) struct RoutesConfig {
        space_id: String,
        hostname: String,
        app_id: String,
    }
}

/// The list resource.
#[derive(Debug)]
pub(crate) struct InternalRoutes;

#[async_trait]
impl ListResource<cf::Client> for InternalRoutes {
    fn type_name(&self) -> &'static str {
        crate::resources::internal_route::TYPE
    }

    fn models(&self) -> crate::framework::model::Models {
        &[("", RoutesConfig::FIELDS)]
    }

    fn schema(&self) -> Schema {
        Schema::new(
            "Finds the internal routes of a space, for `terraform query`.",
            vec![
                Attribute::string("space_id")
                    .required()
                    .description("GUID of the space whose internal routes are listed."),
                Attribute::string("hostname")
                    .optional()
                    .description("Only the route with this hostname."),
                Attribute::string("app_id")
                    .optional()
                    .description("Only routes with this app among their destinations."),
            ],
        )
    }

    async fn validate(&self, config: &Value, diags: &mut Diagnostics) {
        crate::checks::guid_attrs(config, &[("space_id", "space"), ("app_id", "app")], diags);
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
        let config = RoutesConfig::from_value(config);
        let space = config.space_id.as_str().unwrap_or_default();
        let found = client
            .routes_in_space(space, config.hostname.as_str(), config.app_id.as_str())
            .await;
        let (routes, domains) = match (found, client.domains().await) {
            (Ok(r), Ok(d)) => (r, d),
            (Err(e), _) | (_, Err(e)) => {
                diags.push(errors::diagnostic("Internal Route List Error", &e));
                return Vec::new();
            }
        };
        let internal: HashMap<&str, &str> = domains
            .iter()
            .filter(|d| d.internal)
            .map(|d| (d.guid.as_str(), d.name.as_str()))
            .collect();
        let mut out: Vec<Listed> = routes
            .iter()
            .filter(|r| r.path.is_empty())
            .filter_map(|r| {
                let domain = internal.get(r.relationships.domain.guid())?;
                let state = route_state(r, domain);
                Some(Listed {
                    identity: Value::object([("id", Value::from(r.guid.as_str()))]),
                    display_name: format!("{}.{domain}", r.host),
                    state,
                })
            })
            .collect();
        out.sort_by(|a, b| a.display_name.cmp(&b.display_name));
        out
    }
}
