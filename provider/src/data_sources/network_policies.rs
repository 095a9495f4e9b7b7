//! `cloudgov_network_policies`: every policy where an app is the source or the
//! destination, with app and space names beside the GUIDs.

use async_trait::async_trait;

use crate::cf;
use crate::errors;
use crate::framework::{
    Attr, Attribute, AttributePath, Ctx, DataSource, Diagnostic, Diagnostics, Nesting, Schema,
    Value,
};
use crate::resources::network_policy::{PortRange, policy_id, state};

crate::model! {
    /// A `cloudgov_network_policies` configuration or state.
    pub(super) struct PoliciesModel {
        app_id: String,
        policies: Vec<Attr<ListedPolicy>>,
    }
}

crate::model! {
    /// One listed policy: the resource's attributes, and the names beside the GUIDs.
    pub(super) struct ListedPolicy {
        id: String,
        source_app_id: String,
        destination_app_id: String,
        protocol: String,
        port: String,
        start_port: i64,
        end_port: i64,
        tls: bool,
        source_app: String,
        source_space: String,
        destination_app: String,
        destination_space: String,
    }
}

/// The names of an app and its space, as far as the account can see them.
async fn names(client: &cf::Client, app: &str) -> (String, String) {
    const HIDDEN: &str = "(not visible to this account)";
    let Ok(Some(a)) = client.app(app).await else {
        return (HIDDEN.into(), HIDDEN.into());
    };
    let space = match client.space(a.relationships.space.guid()).await {
        Ok(Some(s)) => s.name,
        _ => HIDDEN.into(),
    };
    (a.name, space)
}

/// The data source.
#[derive(Debug)]
pub(crate) struct NetworkPolicies;

#[async_trait]
impl DataSource<cf::Client> for NetworkPolicies {
    fn type_name(&self) -> &'static str {
        "cloudgov_network_policies"
    }

    fn models(&self) -> crate::framework::model::Models {
        &[
            ("", PoliciesModel::FIELDS),
            ("policies", ListedPolicy::FIELDS),
        ]
    }

    fn schema(&self) -> Schema {
        let computed = |a: Attribute, d: &str| a.computed().description(d);
        Schema::new(
            "Lists every network policy in which an app is the source or the destination, as far as the account \
             can see both apps.",
            vec![
                Attribute::string("app_id")
                    .required()
                    .description("GUID of the app."),
                Attribute::nested(
                    "policies",
                    Nesting::List,
                    vec![
                        computed(
                            Attribute::string("id"),
                            "Identifier, as `cloudgov_network_policy` uses it.",
                        ),
                        computed(Attribute::string("source_app_id"), "Source app GUID."),
                        computed(
                            Attribute::string("destination_app_id"),
                            "Destination app GUID.",
                        ),
                        computed(Attribute::string("protocol"), "`tcp` or `udp`."),
                        computed(
                            Attribute::string("port"),
                            "Port or range, canonical (`\"8080\"`, `\"8080-8090\"`).",
                        ),
                        computed(Attribute::number("start_port"), "First port."),
                        computed(Attribute::number("end_port"), "Last port."),
                        computed(Attribute::bool("tls"), "True when the range covers 61443."),
                        computed(Attribute::string("source_app"), "Source app name."),
                        computed(
                            Attribute::string("source_space"),
                            "Source app's space name.",
                        ),
                        computed(
                            Attribute::string("destination_app"),
                            "Destination app name.",
                        ),
                        computed(
                            Attribute::string("destination_space"),
                            "Destination app's space name.",
                        ),
                    ],
                )
                .computed()
                .description("The policies, sorted by id."),
            ],
        )
    }

    async fn validate(&self, config: &Value, diags: &mut Diagnostics) {
        super::check_guid(config, "app_id", "app", diags);
    }

    async fn read(&self, ctx: &Ctx<cf::Client>, config: &Value, diags: &mut Diagnostics) -> Value {
        let Some(client) = ctx.client_or_report(diags) else {
            return Value::Null;
        };
        let config = PoliciesModel::from_value(config);
        let app = config.app_id.as_str().unwrap_or_default();
        match client.app(app).await {
            Ok(Some(_)) => {}
            Ok(None) => {
                diags.push(
                    Diagnostic::error(
                        "App Not Found",
                        format!(
                            "No app with GUID {app} is visible to this account: it does not exist, or the account \
                             has no role in its space."
                        ),
                    )
                    .at(AttributePath::root("app_id")),
                );
                return Value::Null;
            }
            Err(e) => {
                diags.push(
                    errors::diagnostic("App Lookup Error", &e).at(AttributePath::root("app_id")),
                );
                return Value::Null;
            }
        }
        let policies = match client.policies_for_app(app).await {
            Ok(p) => p,
            Err(e) => {
                diags.push(errors::diagnostic("Network Policies Read Error", &e));
                return Value::Null;
            }
        };
        // The same mapping as the resource's state, with the names added.
        let mut items: Vec<(String, ListedPolicy)> = Vec::new();
        for p in &policies {
            let r = PortRange {
                start: p.destination.ports.start,
                end: p.destination.ports.end,
            };
            let (s, d, proto) = (&p.source.id, &p.destination.id, &p.destination.protocol);
            let mut v = state(s, d, proto, &r.canonical(), r);
            let ((sa, ss), (da, ds)) = (names(client, s).await, names(client, d).await);
            for (attr, name) in [
                ("source_app", sa),
                ("source_space", ss),
                ("destination_app", da),
                ("destination_space", ds),
            ] {
                v.set_attr(attr, Value::from(name));
            }
            items.push((policy_id(s, d, proto, r), ListedPolicy::from_value(&v)));
        }
        items.sort_by(|a, b| a.0.cmp(&b.0));
        PoliciesModel {
            app_id: app.to_string().into(),
            policies: Attr::Known(items.into_iter().map(|(_, m)| Attr::Known(m)).collect()),
        }
        .to_value()
    }
}
