//! `cloudgov_internal_route`: an app's name on the internal domain, the equivalent
//! of `cf map-route APP apps.internal --hostname H`. Its schema, hostname and domain
//! checks at plan time, and CRUD over routes and destinations. Hostname, domain and
//! space changes replace the route; destination changes update it in place.

use async_trait::async_trait;

use super::route_ownership;
use crate::cf::{self, models::Destination, models::DestinationApp, models::Process};
use crate::framework::{
    Attr, Attribute, AttributePath, Change, Ctx, Diagnostic, Diagnostics, IdentityAttribute,
    IdentitySchema, Nesting, Plan, Resource, Schema, Value,
};
use crate::{checks, errors};

/// The platform's default internal domain.
pub(crate) const DEFAULT_DOMAIN: &str = "apps.internal";
/// A destination's process type when none is written (the platform's default).
const DEFAULT_PROCESS_TYPE: &str = "web";
/// A destination's port when none is written (the platform's default).
const DEFAULT_PORT: u16 = 8080;

/// The resource's type name, which its list resource shares.
pub(crate) const TYPE: &str = "cloudgov_internal_route";

/// The resource.
#[derive(Debug)]
pub(crate) struct InternalRoute;

crate::model! {
    /// One destination, as written or stored.
    pub(crate) struct DestinationModel {
        app_id: String,
        process_type: String,
        port: i64,
    }
}

/// Destinations as a model holds them.
type Destinations = Attr<Vec<Attr<DestinationModel>>>;

crate::model! {
    /// A `cloudgov_internal_route` plan or state.
    pub(crate) struct RouteModel {
        id: String,
        space_id: String,
        hostname: String,
        domain: String,
        domain_id: String,
        fqdn: String,
        destinations: Vec<Attr<DestinationModel>>,
    }
}

crate::model! {
    /// A route's identity.
    struct RouteIdentity {
        id: String,
    }
}

/// Destinations as state holds them: a list (see the schema for why), in the
/// platform's order.
fn destinations_model(dests: &[Destination]) -> Destinations {
    Attr::Known(
        dests
            .iter()
            .map(|d| {
                Attr::Known(DestinationModel {
                    app_id: d.app.guid.clone().into(),
                    process_type: d.app.process.kind.clone().into(),
                    port: i64::from(d.port.unwrap_or(DEFAULT_PORT)).into(),
                })
            })
            .collect(),
    )
}

/// The known destinations of a model.
fn known(dests: &Destinations) -> impl Iterator<Item = &DestinationModel> {
    dests.known().into_iter().flatten().filter_map(Attr::known)
}

fn destinations_of(m: &RouteModel) -> Vec<Destination> {
    known(&m.destinations)
        .map(|d| Destination {
            app: DestinationApp {
                guid: d.app_id.as_str().unwrap_or_default().to_string(),
                process: Process {
                    kind: d
                        .process_type
                        .as_str()
                        .unwrap_or(DEFAULT_PROCESS_TYPE)
                        .to_string(),
                },
            },
            port: d.port.known().and_then(|p| u16::try_from(*p).ok()),
            protocol: Some("http1".into()),
            ..Default::default()
        })
        .collect()
}

/// (app, process type, port) of a configured destination with defaults applied, when
/// known.
fn target(d: &DestinationModel) -> Option<(String, String, i64)> {
    let app = d.app_id.as_str()?.to_string();
    let process = match &d.process_type {
        Attr::Null => DEFAULT_PROCESS_TYPE.to_string(),
        v => v.as_str()?.to_string(),
    };
    let port = match d.port {
        Attr::Null => i64::from(DEFAULT_PORT),
        Attr::Unknown => return None,
        Attr::Known(p) => p,
    };
    Some((app, process, port))
}

/// True when two destination lists hold the same destinations in any order.
fn same_set(a: &Destinations, b: &Destinations) -> bool {
    match (a.to_value().elements(), b.to_value().elements()) {
        (Some(x), Some(y)) => Value::Set(x.to_vec()) == Value::Set(y.to_vec()),
        _ => false,
    }
}

/// A route as the platform describes it.
fn route_model(route: &cf::models::Route, domain_name: &str) -> RouteModel {
    RouteModel {
        id: route.guid.clone().into(),
        space_id: route.relationships.space.guid().to_string().into(),
        hostname: route.host.clone().into(),
        domain: domain_name.to_string().into(),
        domain_id: route.relationships.domain.guid().to_string().into(),
        fqdn: format!("{}.{domain_name}", route.host).into(),
        destinations: destinations_model(&route.destinations),
    }
}

/// The state for a route as the platform describes it.
pub(crate) fn route_state(route: &cf::models::Route, domain_name: &str) -> Value {
    route_model(route, domain_name).to_value()
}

/// Finds the internal domain named `name`, or explains why it cannot be used.
pub(crate) async fn internal_domain(
    client: &cf::Client,
    name: &str,
) -> Result<cf::models::Domain, Diagnostic> {
    let path = AttributePath::root("domain");
    match client.domain_by_name(name).await {
        Ok(Some(d)) if d.internal => Ok(d),
        Ok(Some(_)) => Err(Diagnostic::error(
            "Not an Internal Domain",
            format!(
                "\"{name}\" is not an internal domain, so routes on it are reachable from outside the platform. \
                 Internal routes use an internal domain such as \"{DEFAULT_DOMAIN}\"."
            ),
        )
        .at(path)),
        Ok(None) => Err(Diagnostic::error(
            "Domain Not Found",
            format!("No domain named \"{name}\" exists on this platform. The default internal domain is \"{DEFAULT_DOMAIN}\"."),
        )
        .at(path)),
        Err(e) => Err(errors::diagnostic("Domain Lookup Error", &e).at(path)),
    }
}

/// Most destinations the platform maps to one route in a request.
const MAX_DESTINATIONS: usize = 100;

#[async_trait]
impl Resource<cf::Client> for InternalRoute {
    fn type_name(&self) -> &'static str {
        TYPE
    }

    fn models(&self) -> crate::framework::model::Models {
        &[
            ("", RouteModel::FIELDS),
            ("destinations", DestinationModel::FIELDS),
        ]
    }

    fn schema(&self) -> Schema {
        Schema::new(
            "An internal route: a name on the platform's internal domain (`HOSTNAME.apps.internal`) that resolves \
             to the instances of the apps mapped to it, the equivalent of `cf map-route APP apps.internal \
             --hostname HOSTNAME`. Nothing can connect to it until a `cloudgov_network_policy` allows it. Routes \
             this resource creates carry the label `cloud.gov/managed-by = terraform-provider-cloudgov`, so that an \
             apply killed before Terraform saved the route adopts it next time (with a warning); a route that \
             exists without the label is never taken over.",
            vec![
                Attribute::string("id").computed().description("The route's GUID; `terraform import` takes it."),
                Attribute::string("space_id")
                    .required()
                    .requires_replace()
                    .description("GUID of the space the route belongs to; its apps may be destinations."),
                Attribute::string("hostname").required().requires_replace().description(
                    "The first label of the name: lowercase letters, digits and hyphens, at most 63 characters.",
                ),
                Attribute::string("domain").default(DEFAULT_DOMAIN).requires_replace().description(
                    "An internal domain. Defaults to `apps.internal`; a domain that is not internal is refused.",
                ),
                Attribute::string("domain_id").computed().description("GUID of the domain."),
                Attribute::string("fqdn")
                    .computed()
                    .description("The full name clients use: `hostname.domain`, such as `backend.apps.internal`."),
                Attribute::nested(
                    "destinations",
                    // A list on the wire with the meaning of a set: Terraform 1.0.3
                    // crashes rendering the creation of a nested set attribute
                    // (measured). Plan keeps the prior value when only the order
                    // differs and validation refuses duplicates, so order never shows
                    // as a change (design/resources.md).
                    Nesting::List,
                    vec![
                        // Required in practice (validation says so), but declared
                        // optional and computed: Terraform takes a non-null prior value
                        // holding a non-computed attribute as proof that the list was
                        // written, and would plan the unmanaged list away.
                        Attribute::string("app_id")
                            .optional()
                            .computed()
                            .description("GUID of an app in the route's space. Required."),
                        Attribute::string("process_type").default(DEFAULT_PROCESS_TYPE).description("Process type; defaults to `web`."),
                        Attribute::number("port").default(i64::from(DEFAULT_PORT)).description(
                            "Port the app listens on, 1024 to 65535; defaults to 8080. TLS on 61443 is forwarded \
                             to this port.",
                        ),
                    ],
                )
                .optional()
                .computed()
                .description(
                    "Apps the name resolves to, written `destinations = [{ app_id = ... }]`. Order carries no \
                     meaning and a destination may be written once. When written, the list is authoritative: apps \
                     mapped any other way (`cf map-route`, a manifest) are unmapped, and changes update the route \
                     in place; `destinations = []` unmaps every app. When left out, the provider does not manage \
                     destinations: it reports the apps mapped on the platform and never changes them.",
                ),
            ],
        )
        .with_timeouts(super::TIMEOUTS_UNSET)
    }

    fn identity_schema(&self) -> Option<IdentitySchema> {
        Some(IdentitySchema::new(vec![IdentityAttribute::string(
            "id",
            "The route's GUID.",
        )]))
    }

    fn identity(&self, state: &Value) -> Value {
        RouteIdentity {
            id: RouteModel::from_value(state).id,
        }
        .to_value()
    }

    fn import_id(&self, identity: &Value) -> Result<String, String> {
        match RouteIdentity::from_value(identity).id.as_str() {
            Some(id) if !id.is_empty() => Ok(id.to_string()),
            _ => Err(
                "The identity has no `id`: give the route's GUID, `identity = { id = \"...\" }`."
                    .into(),
            ),
        }
    }

    async fn validate(&self, config: &Value, diags: &mut Diagnostics) {
        let config = RouteModel::from_value(config);
        if let Some(d) = checks::guid(
            &config.space_id.to_value(),
            "space_id",
            "space",
            "",
            AttributePath::root("space_id"),
        ) {
            diags.push(d);
        }
        if let Some(host) = config.hostname.as_str()
            && let Err(msg) = checks::hostname(host)
        {
            diags.push(
                Diagnostic::error("Invalid Hostname", msg).at(AttributePath::root("hostname")),
            );
        }
        // Terraform quotes the configuration only for top-level attribute paths, so
        // diagnostics point at `destinations` and number the element in the text.
        if let Some(written) = config.destinations.known() {
            if written.len() > MAX_DESTINATIONS {
                diags.push(
                    Diagnostic::error(
                        "Too Many Destinations",
                        format!(
                            "{} destinations are written; the platform maps at most {MAX_DESTINATIONS} to one route. \
                             Split the apps across routes with their own hostnames.",
                            written.len()
                        ),
                    )
                    .at(AttributePath::root("destinations")),
                );
            }
            let dests: Vec<&DestinationModel> = written.iter().filter_map(Attr::known).collect();
            for (i, d) in dests.iter().copied().enumerate() {
                if d.app_id.is_null() {
                    diags.push(
                        Diagnostic::error(
                            "Missing App Id",
                            format!(
                                "Destination {}: `app_id` is required: the GUID of an app in the route's space, for \
                                 example `data.cloudgov_app.NAME.id`.",
                                i + 1
                            ),
                        )
                        .at(AttributePath::root("destinations")),
                    );
                }
                if target(d).is_some() && dests[..i].iter().any(|o| target(o) == target(d)) {
                    diags.push(
                        Diagnostic::error(
                            "Duplicate Destination",
                            format!("Destination {} repeats an earlier one (same app, process type and port).", i + 1),
                        )
                        .at(AttributePath::root("destinations")),
                    );
                }
                if let Some(&port) = d.port.known()
                    && !(1024..=65535).contains(&port)
                {
                    diags.push(
                        Diagnostic::error(
                            "Invalid Destination Port",
                            format!("Destination {}: port {port} is not allowed; destination ports are 1024 to 65535.", i + 1),
                        )
                        .at(AttributePath::root("destinations")),
                    );
                }
                if let Some(diag) = checks::guid(
                    &d.app_id.to_value(),
                    "app_id",
                    "app",
                    &format!("Destination {}: ", i + 1),
                    AttributePath::root("destinations"),
                ) {
                    diags.push(diag);
                }
                if d.process_type.as_str().is_some_and(|s| s.trim().is_empty()) {
                    diags.push(
                        Diagnostic::error(
                            "Invalid Process Type",
                            format!(
                                "Destination {}: `process_type` must name a process type such as \"web\", not be \
                                 empty. Leave it out for \"web\".",
                                i + 1
                            ),
                        )
                        .at(AttributePath::root("destinations")),
                    );
                }
            }
        }
    }

    async fn plan(&self, ctx: &Ctx<cf::Client>, plan: &mut Plan, diags: &mut Diagnostics) {
        // Written destinations that differ from the prior ones only in order are no
        // change: plan the prior value, which Terraform accepts as equivalent to the
        // configuration. Left out, they are computed and keep the prior value.
        let config = RouteModel::from_value(&plan.config);
        let prior = RouteModel::from_value(&plan.prior);
        let mut planned = RouteModel::from_value(&plan.planned);
        if !config.destinations.is_null()
            && !plan.prior.is_null()
            && same_set(&prior.destinations, &planned.destinations)
        {
            planned.destinations = prior.destinations.clone();
        }
        planned.fqdn = match (planned.hostname.as_str(), planned.domain.as_str()) {
            (Some(h), Some(d)) => format!("{h}.{d}").into(),
            _ => Attr::Unknown,
        };
        // Check the domain now, so a wrong one fails the plan rather than the apply.
        if let (Some(domain), Ok(client)) = (planned.domain.as_str(), ctx.client()) {
            match internal_domain(client, domain).await {
                Ok(d) => planned.domain_id = d.guid.into(),
                Err(diag) => diags.push(diag),
            }
        } else if prior.domain.as_str() != planned.domain.as_str() {
            planned.domain_id = Attr::Unknown;
        }
        planned.write_into(&mut plan.planned);
        // The space must exist, and destination apps must be in it; say so before
        // anything is created.
        if let (Some(space), Ok(client)) = (planned.space_id.as_str(), ctx.client())
            && prior.space_id.as_str() != Some(space)
        {
            match client.space(space).await {
                Ok(Some(_)) => {}
                Ok(None) => {
                    diags.push(
                        Diagnostic::error(
                            "Space Not Found",
                            format!(
                                "No space with GUID {space} is visible to this account: it does not exist, or the \
                                 account has no role in it. Look the space up with `data.cloudgov_space`."
                            ),
                        )
                        .at(AttributePath::root("space_id")),
                    );
                    return;
                }
                Err(e) => {
                    diags.push(
                        errors::diagnostic("Space Lookup Error", &e)
                            .at(AttributePath::root("space_id")),
                    );
                    return;
                }
            }
        }
        if let (Some(space), Ok(client)) = (planned.space_id.as_str(), ctx.client()) {
            // Only written destinations are checked: apps mapped outside Terraform
            // are not this configuration's business.
            for d in destinations_of(&config)
                .iter()
                .filter(|d| !d.app.guid.is_empty())
            {
                let problem = match client.app_in_space(&d.app.guid, space).await {
                    Ok(Some(app)) if app.relationships.space.guid() == space => None,
                    Ok(Some(app)) => Some(format!(
                        "App {} ({}) is in another space; a route's destinations must be apps in the route's space \
                         ({space}).",
                        app.name, app.guid
                    )),
                    Ok(None) => Some(format!(
                        "No app with GUID {} is visible to this account: it does not exist, or the account has no \
                         role in its space.",
                        d.app.guid
                    )),
                    Err(e) => {
                        diags.push(
                            errors::diagnostic("App Lookup Error", &e)
                                .at(AttributePath::root("destinations")),
                        );
                        None
                    }
                };
                if let Some(text) = problem {
                    diags.push(
                        Diagnostic::error("Invalid Destination App", text)
                            .at(AttributePath::root("destinations")),
                    );
                }
            }
        }
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
        let p = RouteModel::from_value(&change.planned);
        let (Some(space), Some(host), Some(domain_name)) =
            (p.space_id.as_str(), p.hostname.as_str(), p.domain.as_str())
        else {
            diags.push(Diagnostic::internal(
                "creating an internal route",
                "the plan is incomplete",
            ));
            return Value::Null;
        };
        let domain = match internal_domain(client, domain_name).await {
            Ok(d) => d,
            Err(d) => {
                diags.push(d);
                return Value::Null;
            }
        };
        let fqdn = format!("{host}.{domain_name}");
        // Two resources of one run naming the same route: the second is refused before
        // any request, whichever answer the platform would have given first.
        if !client.claim(&format!("route {host} {}", domain.guid)) {
            diags.push(
                Diagnostic::error(
                    "Route Already Exists",
                    format!(
                        "The route {fqdn} was just created by another resource in this run: two resources cannot \
                         manage one route. Give each resource its own hostname, or remove one of them."
                    ),
                )
                .at(AttributePath::root("hostname")),
            );
            return Value::Null;
        }
        let route = match client
            .create_route(
                space,
                &domain.guid,
                host,
                cf::NewMetadata {
                    labels: &[route_ownership::MARKER_LABEL],
                    annotations: &route_ownership::annotations(),
                },
            )
            .await
        {
            Ok(r) => r,
            Err(e) if e.is_route_taken() => {
                match route_ownership::take_over(client, host, &domain.guid, space, &fqdn).await {
                    Ok((r, warning)) => {
                        diags.push(warning);
                        r
                    }
                    Err(refusal) => {
                        diags.push(refusal);
                        return Value::Null;
                    }
                }
            }
            Err(e) => {
                let d = errors::diagnostic("Internal Route Create Error", &e);
                diags.push(if e.is_unprocessable() {
                    d.at(AttributePath::root("space_id"))
                } else {
                    d
                });
                return Value::Null;
            }
        };
        let wanted = destinations_of(&p);
        let mut created = route_model(&route, domain_name);
        // An adopted route may hold destinations already: written ones replace them,
        // and when none are written the route keeps what it has.
        let written = !RouteModel::from_value(&change.config)
            .destinations
            .is_null();
        if written && (!wanted.is_empty() || !route.destinations.is_empty()) {
            match client.replace_destinations(&route.guid, &wanted).await {
                Ok(dests) => created.destinations = destinations_model(&dests),
                Err(e) => {
                    // The route exists; record it as it is so the next apply finishes the job.
                    diags.push(
                        errors::diagnostic("Internal Route Destinations Error", &e)
                            .at(AttributePath::root("destinations")),
                    );
                }
            }
        }
        created.to_value()
    }

    async fn read(&self, ctx: &Ctx<cf::Client>, current: &Value, diags: &mut Diagnostics) -> Value {
        let Some(client) = ctx.client_or_report(diags) else {
            return current.clone();
        };
        let current_model = RouteModel::from_value(current);
        let Some(guid) = current_model.id.as_str() else {
            return current.clone();
        };
        let lookup = async {
            match current_model.space_id.as_str() {
                Some(space) => client.route_in_space(guid, space).await,
                None => client.route(guid).await,
            }
        };
        // The plan that follows a read checks the domain: list the domains (once per
        // process) alongside, rather than after. A failure here is the plan's to report.
        let (found, ()) = tokio::join!(lookup, client.warm_domains());
        match found {
            Ok(None) => {
                tracing::info!(route = guid, "route is gone; removing it from state");
                Value::Null
            }
            Ok(Some(route)) => {
                let domain = current_model.domain.as_str().map(str::to_string);
                let domain = match domain {
                    Some(d) => d,
                    None => match client.domain(route.relationships.domain.guid()).await {
                        Ok(Some(d)) => d.name,
                        _ => DEFAULT_DOMAIN.to_string(),
                    },
                };
                let mut state = route_model(&route, &domain);
                if same_set(&current_model.destinations, &state.destinations) {
                    // The platform's order carries no meaning: keep the configured one.
                    state.destinations = current_model.destinations.clone();
                }
                state.to_value()
            }
            Err(e) => {
                diags.push(errors::diagnostic("Internal Route Read Error", &e));
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
        let (prior, planned) = (
            RouteModel::from_value(&change.prior),
            RouteModel::from_value(&change.planned),
        );
        let Some(guid) = prior.id.as_str() else {
            return change.prior.clone();
        };
        // Destinations left out are not managed, and the same ones in another order
        // need no call (a change of `timeouts` alone lands here).
        if RouteModel::from_value(&change.config)
            .destinations
            .is_null()
            || same_set(&prior.destinations, &planned.destinations)
        {
            return change.planned.clone();
        }
        // Finished even if Terraform asks to stop meanwhile, so that state records
        // what the platform answered.
        match cf::despite_stop(client.replace_destinations(guid, &destinations_of(&planned))).await
        {
            Ok(_) => change.planned.clone(),
            Err(e) => {
                diags.push(
                    errors::diagnostic("Internal Route Update Error", &e)
                        .at(AttributePath::root("destinations")),
                );
                change.prior.clone()
            }
        }
    }

    async fn delete(&self, ctx: &Ctx<cf::Client>, prior: &Value, diags: &mut Diagnostics) {
        let Some(client) = ctx.client_or_report(diags) else {
            return;
        };
        let prior = RouteModel::from_value(prior);
        let Some(guid) = prior.id.as_str() else {
            return;
        };
        // A deletion the platform accepted is confirmed even if Terraform asks to stop
        // meanwhile, so that the answer says what happened.
        if let Err(e) = cf::despite_stop(client.delete_route(guid)).await {
            let fqdn = prior.fqdn.as_str().unwrap_or("the route");
            let what = if matches!(e, cf::Error::Cancelled) {
                format!(
                    "Route {fqdn} ({guid}): Terraform asked the provider to stop before the platform confirmed the \
                     deletion, which may still complete. State keeps the route; the next plan shows whether it is gone"
                )
            } else {
                format!("Route {fqdn} ({guid}) was not deleted")
            };
            diags.push(errors::diagnostic_about(
                "Internal Route Delete Error",
                &what,
                &e,
            ));
        }
    }

    async fn import(&self, ctx: &Ctx<cf::Client>, id: &str, diags: &mut Diagnostics) -> Value {
        if !checks::is_guid(id) {
            diags.push(Diagnostic::error(
                "Invalid Import Id",
                format!(
                    "\"{id}\" is not a GUID. A route is imported by its GUID, such as \
                     \"5f0c8d1e-2b7a-4c1d-9e3f-0a1b2c3d4e5f\": find it with `cf curl \"/v3/routes?hosts=HOSTNAME\"`."
                ),
            ));
            return Value::Null;
        }
        let Some(client) = ctx.client_or_report(diags) else {
            return Value::Null;
        };
        let route = match client.route(id).await {
            Ok(Some(r)) => r,
            Ok(None) => {
                diags.push(Diagnostic::error(
                    "Internal Route Not Found",
                    format!("No route with GUID \"{id}\" is visible. Find it with `cf curl \"/v3/routes?hosts=HOSTNAME\"`."),
                ));
                return Value::Null;
            }
            Err(e) => {
                diags.push(errors::diagnostic("Internal Route Import Error", &e));
                return Value::Null;
            }
        };
        match client.domain(route.relationships.domain.guid()).await {
            Ok(Some(d)) if d.internal => route_state(&route, &d.name),
            Ok(Some(d)) => {
                diags.push(Diagnostic::error(
                    "Not an Internal Route",
                    format!(
                        "Route {id} is on \"{}\", which is not an internal domain.",
                        d.name
                    ),
                ));
                Value::Null
            }
            Ok(None) => route_state(&route, DEFAULT_DOMAIN),
            Err(e) => {
                diags.push(errors::diagnostic("Internal Route Import Error", &e));
                Value::Null
            }
        }
    }
}
