//! `cloudgov_internal_route`: one internal route by hostname (and domain), so that a
//! configuration that does not manage a route can still use its GUID, name and
//! destinations (on every Terraform version, unlike list resources).

use async_trait::async_trait;

use crate::cf;
use crate::errors;
use crate::framework::{
    Attribute, AttributePath, Ctx, DataSource, Diagnostic, Diagnostics, Nesting, Schema, Value,
};
use crate::resources::internal_route::{
    DEFAULT_DOMAIN, DestinationModel, RouteModel, internal_domain, route_state,
};

/// The data source.
#[derive(Debug)]
pub(crate) struct InternalRoute;

#[async_trait]
impl DataSource<cf::Client> for InternalRoute {
    fn type_name(&self) -> &'static str {
        "cloudgov_internal_route"
    }

    fn models(&self) -> crate::framework::model::Models {
        &[
            ("", RouteModel::FIELDS),
            ("destinations", DestinationModel::FIELDS),
        ]
    }

    fn schema(&self) -> Schema {
        let computed = |a: Attribute, d: &str| a.computed().description(d);
        Schema::new(
            "Looks up one internal route by hostname: its GUID, space and destinations.",
            vec![
                Attribute::string("hostname")
                    .required()
                    .description("The route's hostname, the first label of its name (`backend` for `backend.apps.internal`)."),
                Attribute::string("domain").optional().computed().description(&format!(
                    "The internal domain; defaults to `{DEFAULT_DOMAIN}`."
                )),
                computed(Attribute::string("id"), "The route's GUID."),
                computed(Attribute::string("space_id"), "GUID of the route's space."),
                computed(Attribute::string("domain_id"), "GUID of the domain."),
                computed(Attribute::string("fqdn"), "`hostname.domain`, the name apps call."),
                Attribute::nested(
                    "destinations",
                    Nesting::List,
                    vec![
                        computed(Attribute::string("app_id"), "GUID of the app the route sends to."),
                        computed(Attribute::string("process_type"), "The app's process type."),
                        computed(Attribute::number("port"), "The port the app receives on."),
                    ],
                )
                .computed()
                .description("Where the route sends traffic."),
            ],
        )
    }

    async fn read(&self, ctx: &Ctx<cf::Client>, config: &Value, diags: &mut Diagnostics) -> Value {
        let Some(client) = ctx.client_or_report(diags) else {
            return Value::Null;
        };
        let config = RouteModel::from_value(config);
        let host = config.hostname.as_str().unwrap_or_default();
        let domain_name = config.domain.as_str().unwrap_or(DEFAULT_DOMAIN);
        let domain = match internal_domain(client, domain_name).await {
            Ok(d) => d,
            Err(d) => {
                diags.push(d);
                return Value::Null;
            }
        };
        match client.find_route(host, &domain.guid).await {
            Ok(Some(route)) => route_state(&route, domain_name),
            Ok(None) => {
                diags.push(
                    Diagnostic::error(
                        "Internal Route Not Found",
                        format!(
                            "No route {host}.{domain_name} is visible to this account: it does not exist, or it is \
                             in a space where the account has no role."
                        ),
                    )
                    .at(AttributePath::root("hostname")),
                );
                Value::Null
            }
            Err(e) => {
                diags.push(errors::diagnostic("Internal Route Read Error", &e));
                Value::Null
            }
        }
    }
}
