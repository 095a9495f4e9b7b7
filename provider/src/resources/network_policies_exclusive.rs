//! `cloudgov_network_policies_exclusive`: the only network policies that may exist
//! in a scope, one app's ingress or egress, or one space (every policy whose source
//! or destination app is in it). A policy in scope but not in `policy_ids` is drift:
//! refresh shows it (with app names, protocol and ports), and apply deletes it. It
//! never creates a policy (`cloudgov_network_policy` does), never touches one outside
//! its scope, and destroying it deletes nothing. Reads go through the space listings
//! the other types share; see the guide "Making one configuration authoritative".

use std::collections::{BTreeMap, BTreeSet};

use async_trait::async_trait;

use super::policy_id::{PortRange, parse_id, policy_id};
use crate::cf::{self, models::Policy};
use crate::framework::{
    Attr, Attribute, AttributePath, Change, Ctx, Diagnostic, Diagnostics, Nesting, Plan, Resource,
    Schema, Type, Value,
};
use crate::{checks, errors};

/// The resource's type name.
pub(crate) const TYPE: &str = "cloudgov_network_policies_exclusive";

/// The resource.
#[derive(Debug)]
pub(crate) struct NetworkPoliciesExclusive;

crate::model! {
    /// A `cloudgov_network_policies_exclusive` configuration, plan or state.
    pub(crate) struct ExclusiveModel {
        id: String,
        app_id: String,
        direction: String,
        space_id: String,
        policy_ids: Vec<Attr<String>>,
        policies: Vec<Attr<ReadablePolicy>>,
    }
}

crate::model! {
    /// One policy in scope, readable.
    pub(crate) struct ReadablePolicy {
        id: String,
        source_app_id: String,
        source_app: String,
        destination_app_id: String,
        destination_app: String,
        protocol: String,
        port: String,
        tls: bool,
    }
}

/// What the resource governs.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Scope {
    /// Policies into (`ingress`) or out of (`egress`) one app.
    App { app: String, ingress: bool },
    /// Policies whose source or destination app is in one space.
    Space(String),
}

impl Scope {
    /// The scope a model names, when known and whole.
    fn of(m: &ExclusiveModel) -> Option<Scope> {
        match (m.app_id.as_str(), m.direction.as_str(), m.space_id.as_str()) {
            (Some(app), Some(d), None) if d == "ingress" || d == "egress" => Some(Scope::App {
                app: app.to_string(),
                ingress: d == "ingress",
            }),
            (None, None, Some(space)) => Some(Scope::Space(space.to_string())),
            _ => None,
        }
    }

    /// The import id and `id` attribute: `app:GUID:ingress`, `app:GUID:egress` or
    /// `space:GUID`.
    fn id(&self) -> String {
        match self {
            Scope::App { app, ingress } => {
                format!("app:{app}:{}", if *ingress { "ingress" } else { "egress" })
            }
            Scope::Space(space) => format!("space:{space}"),
        }
    }

    fn parse(id: &str) -> Option<Scope> {
        match id.split(':').collect::<Vec<_>>().as_slice() {
            ["app", app, d] if checks::is_guid(app) && (*d == "ingress" || *d == "egress") => {
                Some(Scope::App {
                    app: (*app).to_string(),
                    ingress: *d == "ingress",
                })
            }
            ["space", space] if checks::is_guid(space) => Some(Scope::Space((*space).to_string())),
            _ => None,
        }
    }

    /// True when `p` is in this scope (for a space, the listing already is).
    fn covers(&self, p: &Policy) -> bool {
        match self {
            Scope::App { app, ingress: true } => &p.destination.id == app,
            Scope::App {
                app,
                ingress: false,
            } => &p.source.id == app,
            Scope::Space(_) => true,
        }
    }

    /// Every policy on the platform in this scope, by id.
    async fn policies(&self, client: &cf::Client) -> Result<BTreeMap<String, Policy>, cf::Error> {
        let found = match self {
            Scope::App { app, .. } => client.policies_for_app(app).await?,
            Scope::Space(space) => client.policies_in_space(space).await?,
        };
        Ok(found
            .into_iter()
            .filter(|p| self.covers(p))
            .map(|p| (id_of(&p), p))
            .collect())
    }

    /// The attributes that name the scope: `id`, and `app_id` with `direction` or
    /// `space_id`.
    fn attributes(&self) -> Value {
        let (app, direction, space) = match self {
            Scope::App { app, ingress } => (
                Value::from(app.as_str()),
                Value::from(if *ingress { "ingress" } else { "egress" }),
                Value::Null,
            ),
            Scope::Space(space) => (Value::Null, Value::Null, Value::from(space.as_str())),
        };
        Value::object([
            ("id", Value::from(self.id())),
            ("app_id", app),
            ("direction", direction),
            ("space_id", space),
        ])
    }

    fn describe(&self) -> String {
        match self {
            Scope::App { app, ingress: true } => format!("policies into app {app}"),
            Scope::App {
                app,
                ingress: false,
            } => format!("policies out of app {app}"),
            Scope::Space(space) => format!("policies of space {space}'s apps"),
        }
    }
}

fn range_of(p: &Policy) -> PortRange {
    PortRange {
        start: p.destination.ports.start,
        end: p.destination.ports.end,
    }
}

fn id_of(p: &Policy) -> String {
    policy_id(
        &p.source.id,
        &p.destination.id,
        &p.destination.protocol,
        range_of(p),
    )
}

/// The readable form of each policy (app names where the account can see them).
async fn readable(client: &cf::Client, policies: &BTreeMap<String, Policy>) -> Value {
    let mut names: BTreeMap<String, String> = BTreeMap::new();
    for p in policies.values() {
        for app in [&p.source.id, &p.destination.id] {
            if !names.contains_key(app) {
                let name = match client.app(app).await {
                    Ok(Some(a)) => a.name,
                    _ => "(not visible to this account)".to_string(),
                };
                names.insert(app.clone(), name);
            }
        }
    }
    let name = |guid: &String| Value::from(names.get(guid).map_or("", String::as_str));
    Value::List(
        policies
            .iter()
            .map(|(id, p)| {
                let r = range_of(p);
                Value::object([
                    ("id", Value::from(id.as_str())),
                    ("source_app_id", Value::from(p.source.id.as_str())),
                    ("source_app", name(&p.source.id)),
                    ("destination_app_id", Value::from(p.destination.id.as_str())),
                    ("destination_app", name(&p.destination.id)),
                    ("protocol", Value::from(p.destination.protocol.as_str())),
                    ("port", Value::from(r.canonical())),
                    ("tls", Value::from(r.covers_tls())),
                ])
            })
            .collect(),
    )
}

/// The state for `scope` holding `policies`.
async fn state(client: &cf::Client, scope: &Scope, policies: &BTreeMap<String, Policy>) -> Value {
    let mut v = scope.attributes();
    v.set_attr(
        "policy_ids",
        Value::Set(policies.keys().map(|k| Value::from(k.as_str())).collect()),
    );
    v.set_attr("policies", readable(client, policies).await);
    v
}

/// The written ids, when all are known.
fn written_ids(m: &ExclusiveModel) -> Option<BTreeSet<String>> {
    m.policy_ids
        .known()?
        .iter()
        .map(|a| a.as_str().map(str::to_string))
        .collect()
}

/// Makes the platform hold exactly the written policies in scope: deletes the others;
/// a written policy that does not exist is an error naming it, and then nothing is
/// deleted.
async fn enforce(client: &cf::Client, change: &Change, diags: &mut Diagnostics) -> Option<Value> {
    let m = ExclusiveModel::from_value(&change.config);
    let (Some(scope), Some(wanted)) = (Scope::of(&m), written_ids(&m)) else {
        diags.push(Diagnostic::internal(
            "applying an exclusive policy set",
            "the configuration is incomplete",
        ));
        return None;
    };
    let present = match scope.policies(client).await {
        Ok(p) => p,
        Err(e) => {
            diags.push(errors::diagnostic("Network Policies Read Error", &e));
            return None;
        }
    };
    let missing: Vec<&String> = wanted
        .iter()
        .filter(|id| !present.contains_key(*id))
        .collect();
    if !missing.is_empty() {
        diags.push(
            Diagnostic::error(
                "Network Policy Not Found",
                format!(
                    "`policy_ids` lists {} that the platform does not hold in this scope ({}): {}. This resource \
                     never creates policies; declare them with `cloudgov_network_policy` (and reference its `id`), \
                     or remove them from the list. Nothing was deleted.",
                    if missing.len() == 1 { "a policy" } else { "policies" },
                    scope.describe(),
                    missing.iter().map(|m| format!("\"{m}\"")).collect::<Vec<_>>().join(", ")
                ),
            )
            .at(AttributePath::root("policy_ids")),
        );
        return None;
    }
    let extra: Vec<Policy> = present
        .iter()
        .filter(|(id, _)| !wanted.contains(*id))
        .map(|(_, p)| p.clone())
        .collect();
    if !extra.is_empty()
        && let Err(e) = client.delete_policies(&extra).await
    {
        diags.push(errors::diagnostic("Network Policies Exclusive Error", &e));
        return None;
    }
    let kept: BTreeMap<String, Policy> = present
        .into_iter()
        .filter(|(id, _)| wanted.contains(id))
        .collect();
    Some(state(client, &scope, &kept).await)
}

#[async_trait]
impl Resource<cf::Client> for NetworkPoliciesExclusive {
    fn type_name(&self) -> &'static str {
        TYPE
    }

    fn models(&self) -> crate::framework::model::Models {
        &[
            ("", ExclusiveModel::FIELDS),
            ("policies", ReadablePolicy::FIELDS),
        ]
    }

    fn schema(&self) -> Schema {
        let computed = |a: Attribute, d: &str| a.computed().description(d);
        Schema::new(
            "The only network policies that may exist for one app (`ingress` or `egress`) or one space: any other \
             policy in that scope is drift, shown by `terraform plan` and deleted by `terraform apply`. It never \
             creates a policy (`cloudgov_network_policy` does), never touches one outside its scope, and \
             destroying it deletes nothing.",
            vec![
                Attribute::string("id")
                    .computed()
                    .description("`app:APP_GUID:ingress`, `app:APP_GUID:egress` or `space:SPACE_GUID`; also the import id."),
                Attribute::string("app_id")
                    .optional()
                    .requires_replace()
                    .description("GUID of the app whose policies this governs; set it with `direction`, or set `space_id` instead."),
                Attribute::string("direction")
                    .optional()
                    .requires_replace()
                    .description("With `app_id`: `ingress` (policies whose destination is the app) or `egress` (whose source is the app)."),
                Attribute::string("space_id")
                    .optional()
                    .requires_replace()
                    .description("GUID of a space: governs every policy whose source or destination app is in it. Instead of `app_id`."),
                Attribute::new("policy_ids", Type::set(Type::String))
                    .required()
                    .description("Ids of the policies that may exist in the scope (`cloudgov_network_policy.NAME.id`, or `SOURCE:DESTINATION:PROTOCOL:START-END`). Each must exist when applied."),
                Attribute::nested(
                    "policies",
                    Nesting::List,
                    vec![
                        computed(Attribute::string("id"), "The policy's id."),
                        computed(Attribute::string("source_app_id"), "Source app GUID."),
                        computed(Attribute::string("source_app"), "Source app name."),
                        computed(Attribute::string("destination_app_id"), "Destination app GUID."),
                        computed(Attribute::string("destination_app"), "Destination app name."),
                        computed(Attribute::string("protocol"), "`tcp` or `udp`."),
                        computed(Attribute::string("port"), "Port or range, canonical."),
                        computed(Attribute::bool("tls"), "True when the range covers 61443."),
                    ],
                )
                .computed()
                .description("The policies in scope, readable (app names beside GUIDs), sorted by id: after a refresh, every policy the platform holds in scope, so drift shows here by name."),
            ],
        )
    }

    async fn validate(&self, config: &Value, diags: &mut Diagnostics) {
        checks::guid_attrs(config, &[("app_id", "app"), ("space_id", "space")], diags);
        let m = ExclusiveModel::from_value(config);
        let scope_error = |detail: &str, attr: &str| {
            Diagnostic::error("Invalid Scope", detail.to_string()).at(AttributePath::root(attr))
        };
        match (&m.app_id, &m.space_id) {
            (Attr::Known(_), Attr::Known(_)) => diags.push(scope_error(
                "Set `app_id` (with `direction`) or `space_id`, not both.",
                "space_id",
            )),
            (Attr::Null, Attr::Null) => diags.push(scope_error(
                "Set `app_id` (with `direction`) to govern one app's policies, or `space_id` for a space's.",
                "app_id",
            )),
            _ => {}
        }
        match (&m.app_id, &m.direction) {
            (Attr::Known(_), Attr::Null) => diags.push(scope_error(
                "`direction` is required with `app_id`: \"ingress\" or \"egress\".",
                "direction",
            )),
            (_, Attr::Known(d)) if d != "ingress" && d != "egress" => diags.push(scope_error(
                &format!("`direction` is \"{d}\"; it is \"ingress\" or \"egress\"."),
                "direction",
            )),
            (Attr::Null, Attr::Known(_)) if !m.space_id.is_null() => diags.push(scope_error(
                "`direction` goes with `app_id`; a space's policies have no direction.",
                "direction",
            )),
            _ => {}
        }
        let scope = Scope::of(&m);
        for id in m
            .policy_ids
            .known()
            .into_iter()
            .flatten()
            .filter_map(Attr::as_str)
        {
            let problem = match parse_id(id) {
                Err(e) => Some(format!("\"{id}\" is not a policy id: {e}")),
                Ok((src, dst, ..)) => match &scope {
                    Some(Scope::App { app, ingress: true }) if &dst != app => Some(format!(
                        "\"{id}\" is not into app {app} (its destination is {dst}), so this resource cannot govern it."
                    )),
                    Some(Scope::App {
                        app,
                        ingress: false,
                    }) if &src != app => Some(format!(
                        "\"{id}\" is not out of app {app} (its source is {src}), so this resource cannot govern it."
                    )),
                    _ => None,
                },
            };
            if let Some(detail) = problem {
                diags.push(
                    Diagnostic::error("Invalid Policy Id", detail)
                        .at(AttributePath::root("policy_ids")),
                );
            }
        }
    }

    async fn plan(&self, _ctx: &Ctx<cf::Client>, plan: &mut Plan, _diags: &mut Diagnostics) {
        let planned = ExclusiveModel::from_value(&plan.planned);
        if let Some(scope) = Scope::of(&planned) {
            plan.planned.set_attr("id", Value::from(scope.id()));
        }
        // The readable list after apply: the prior entries of the written ids, when
        // all of them are there; else known only after apply.
        let prior = ExclusiveModel::from_value(&plan.prior);
        let entries: BTreeMap<String, Value> = prior
            .policies
            .known()
            .into_iter()
            .flatten()
            .filter_map(Attr::known)
            .filter_map(|p| Some((p.id.as_str()?.to_string(), p.to_value())))
            .collect();
        let after = written_ids(&planned).and_then(|ids| {
            ids.iter()
                .map(|id| entries.get(id).cloned())
                .collect::<Option<Vec<Value>>>()
        });
        plan.planned
            .set_attr("policies", after.map_or(Value::Unknown, Value::List));
    }

    async fn create(
        &self,
        ctx: &Ctx<cf::Client>,
        change: &Change,
        diags: &mut Diagnostics,
    ) -> Value {
        let Some(client) = ctx.client_or_report(diags) else {
            return Value::Null;
        };
        enforce(client, change, diags).await.unwrap_or(Value::Null)
    }

    async fn read(&self, ctx: &Ctx<cf::Client>, current: &Value, diags: &mut Diagnostics) -> Value {
        let Some(client) = ctx.client_or_report(diags) else {
            return current.clone();
        };
        let Some(scope) = Scope::of(&ExclusiveModel::from_value(current)) else {
            return current.clone();
        };
        match scope.policies(client).await {
            Ok(found) => state(client, &scope, &found).await,
            Err(e) => {
                diags.push(errors::diagnostic("Network Policies Read Error", &e));
                current.clone()
            }
        }
    }

    async fn update(
        &self,
        ctx: &Ctx<cf::Client>,
        change: &Change,
        diags: &mut Diagnostics,
    ) -> Value {
        let Some(client) = ctx.client_or_report(diags) else {
            return change.prior.clone();
        };
        enforce(client, change, diags)
            .await
            .unwrap_or_else(|| change.prior.clone())
    }

    async fn delete(&self, _ctx: &Ctx<cf::Client>, _prior: &Value, _diags: &mut Diagnostics) {
        // The policies belong to their own resources (or to nobody): nothing is deleted.
    }

    async fn import(&self, _ctx: &Ctx<cf::Client>, id: &str, diags: &mut Diagnostics) -> Value {
        let Some(scope) = Scope::parse(id) else {
            diags.push(Diagnostic::error(
                "Invalid Import Id",
                format!(
                    "\"{id}\" is not an exclusive policy set's id: write `app:APP_GUID:ingress`, \
                     `app:APP_GUID:egress` or `space:SPACE_GUID`."
                ),
            ));
            return Value::Null;
        };
        scope.attributes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scope_ids_round_trip() {
        let app = "0c1d2e3f-4a5b-4c6d-8e9f-0a1b2c3d4e5f";
        for scope in [
            Scope::App {
                app: app.into(),
                ingress: true,
            },
            Scope::App {
                app: app.into(),
                ingress: false,
            },
            Scope::Space(app.into()),
        ] {
            assert_eq!(Scope::parse(&scope.id()), Some(scope));
        }
        assert_eq!(Scope::parse("app:not-a-guid:ingress"), None);
        assert_eq!(Scope::parse(&format!("app:{app}:sideways")), None);
    }
}
