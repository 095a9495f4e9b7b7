//! `cloudgov_network_policy`: one container-to-container policy per resource. Its
//! schema, plan-time validation, and CRUD over the policy server (ports and ids are
//! `policy_id`'s). Every change (apps, port, protocol) updates the resource in place
//! by creating the new policy before deleting the old one, so the apps never lose
//! their path; a change that turns out to name the same policy (`"8080"` for
//! `"8080-8080"`, or an app id unknown at plan time that stays the same, as when
//! another provider redeploys an app in place) is no call at all. The resource is
//! never replaced: a replacement whose new object is the old policy would delete it
//! (create-before-destroy would adopt it, then destroy the deposed one). A policy
//! that existed before (the platform records no owner) is adopted with a warning.

use async_trait::async_trait;

pub(crate) use super::policy_id::{PortRange, TLS_PORT, parse_id, policy_id};
use crate::cf::{self, models::Policy};
use crate::framework::{
    Attr, Attribute, AttributePath, Change, Ctx, Diagnostic, Diagnostics, IdentityAttribute,
    IdentitySchema, Plan, Resource, Schema, Value,
};
use crate::{checks, errors};

/// The resource's type name, which its list resource shares.
pub(crate) const TYPE: &str = "cloudgov_network_policy";

/// The resource.
#[derive(Debug)]
pub(crate) struct NetworkPolicy;

crate::model! {
    /// A `cloudgov_network_policy` plan or state.
    pub(crate) struct PolicyModel {
        id: String,
        source_app_id: String,
        destination_app_id: String,
        protocol: String,
        port: String,
        start_port: i64,
        end_port: i64,
        tls: bool,
    }
}

crate::model! {
    /// A policy's identity.
    struct PolicyIdentity {
        source_app_id: String,
        destination_app_id: String,
        protocol: String,
        start_port: i64,
        end_port: i64,
    }
}

impl PolicyModel {
    /// The range `port` gives, when known and valid.
    fn range(&self) -> Option<PortRange> {
        PortRange::parse(self.port.as_str()?).ok()
    }

    /// Fills the attributes derived from the apps, protocol and port: the id, the
    /// range and whether it covers TLS (unknown while their sources are).
    fn derive(&mut self) {
        match self.range() {
            Some(r) => {
                self.start_port = i64::from(r.start).into();
                self.end_port = i64::from(r.end).into();
                self.tls = r.covers_tls().into();
            }
            None => {
                (self.start_port, self.end_port, self.tls) =
                    (Attr::Unknown, Attr::Unknown, Attr::Unknown)
            }
        }
        self.id = match (
            self.source_app_id.as_str(),
            self.destination_app_id.as_str(),
            self.protocol.as_str(),
            self.range(),
        ) {
            (Some(s), Some(d), Some(p), Some(r)) => policy_id(s, d, p, r).into(),
            _ => Attr::Unknown,
        };
    }
}

/// Deletes `policy`. The policy server refuses to delete a policy whose app it cannot
/// find; when an app of the policy is gone (a blue-green deploy deleted it before this
/// update or destroy ran), the platform's own cleanup removes its policies, so the
/// delete counts as done, with a warning. Any other refusal stays an error.
async fn delete_or_leave_to_cleanup(
    client: &cf::Client,
    policy: &Policy,
    diags: &mut Diagnostics,
) -> cf::Result<()> {
    let refused = match client.delete_policy(policy).await {
        Err(e) if e.is_app_inaccessible() => e,
        other => return other,
    };
    let mut gone = Vec::new();
    for id in [&policy.source.id, &policy.destination.id] {
        if matches!(client.app(id).await, Ok(None)) {
            gone.push(id.as_str());
        }
    }
    if gone.is_empty() {
        return Err(refused);
    }
    diags.push(Diagnostic::warning(
        "Network Policy Left to the Platform's Cleanup",
        format!(
            "The policy {} names an app this account can no longer find ({}), as after a blue-green deploy \
             deleted it. The policy server refuses to delete policies of apps it cannot find and removes \
             those of deleted apps itself, so state lets this one go.",
            describe(policy, PortRange { start: policy.destination.ports.start, end: policy.destination.ports.end }),
            gone.join(", ")
        ),
    ));
    Ok(())
}

/// The state of a policy, its port written as `port`.
pub(crate) fn state(
    source: &str,
    destination: &str,
    protocol: &str,
    port: &str,
    range: PortRange,
) -> Value {
    let mut m = PolicyModel {
        source_app_id: source.to_string().into(),
        destination_app_id: destination.to_string().into(),
        protocol: protocol.to_string().into(),
        port: port.to_string().into(),
        ..PolicyModel::default()
    };
    m.derive();
    debug_assert_eq!(m.range(), Some(range));
    m.to_value()
}

/// The policy a state or plan describes (None while any part is unknown).
fn policy_of(v: &Value) -> Option<(Policy, PortRange)> {
    let m = PolicyModel::from_value(v);
    let range = m.range()?;
    let p = Policy::new(
        m.source_app_id.as_str()?,
        m.destination_app_id.as_str()?,
        m.protocol.as_str()?,
        range.start,
        range.end,
    );
    Some((p, range))
}

/// `SOURCE → DESTINATION PROTOCOL PORT` for messages.
fn describe(p: &Policy, range: PortRange) -> String {
    format!(
        "{} → {} {} {}",
        p.source.id,
        p.destination.id,
        p.destination.protocol,
        range.canonical()
    )
}

/// Before creating `policy`: a warning when it already exists (someone else's, as
/// far as anyone can tell, since the platform records no owner) or when another
/// resource in this run writes the same policy; an error when the check fails.
async fn adoption_warning(
    client: &cf::Client,
    policy: &Policy,
    range: PortRange,
) -> Result<Option<Diagnostic>, cf::Error> {
    let key = policy_id(
        &policy.source.id,
        &policy.destination.id,
        &policy.destination.protocol,
        range,
    );
    let what = describe(policy, range);
    if !client.claim(&key) {
        return Ok(Some(Diagnostic::warning(
            "Network Policy Written Twice",
            format!(
                "Another resource in this configuration manages the same policy ({what}). Both now manage one \
                 policy, and destroying either of them removes it for both. Keep one of them."
            ),
        )));
    }
    if !client
        .policies_for_app(&policy.source.id)
        .await?
        .contains(policy)
    {
        return Ok(None);
    }
    Ok(Some(Diagnostic::warning(
        "Existing Network Policy Adopted",
        format!(
            "The policy {what} existed before this apply (made with `cf add-network-policy`, by another \
             configuration, or by an earlier apply that was stopped before Terraform saved it). This resource now \
             manages it. The platform records no owner for policies: destroying this resource, or changing its \
             port or protocol, removes the policy for everyone who relies on it."
        ),
    )))
}

/// Creates `policy` after the adoption check. `Ok(true)` when it existed already (or
/// another resource writes it too), so that undoing this create must leave it. On
/// failure, an error diagnostic pointing at the app the account cannot see, when it
/// is one of them; a create cut short by a stop is undone, since it may have reached
/// the platform and state will not record it.
async fn create_policy(
    client: &cf::Client,
    policy: &Policy,
    range: PortRange,
    diags: &mut Diagnostics,
) -> Result<bool, cf::Error> {
    let existed = match adoption_warning(client, policy, range).await {
        Ok(Some(warning)) => {
            diags.push(warning);
            true
        }
        Ok(None) => false,
        Err(e) => {
            diags.push(errors::diagnostic("Network Policy Create Error", &e));
            return Err(e);
        }
    };
    let Err(e) = client.create_policy(policy).await else {
        return Ok(existed);
    };
    let mut d = errors::diagnostic("Network Policy Create Error", &e);
    if e.is_app_inaccessible() {
        // Point at the app the account cannot see, when one of them is.
        for (attr, app) in [
            ("source_app_id", &policy.source.id),
            ("destination_app_id", &policy.destination.id),
        ] {
            if matches!(client.app(app).await, Ok(None)) {
                d = d.at(AttributePath::root(attr));
                break;
            }
        }
    }
    if matches!(e, cf::Error::Cancelled) && !existed {
        d.detail.push_str(&match cf::despite_stop(client.delete_policy(policy)).await {
            Ok(()) => " The policy was deleted again in case the create had reached the platform: it holds what state records.".to_string(),
            Err(undo) => format!(" The create may have reached the platform, and deleting it again failed ({undo}): the next apply adopts it, or remove it with `cf remove-network-policy`."),
        });
    }
    diags.push(d);
    Err(e)
}

#[async_trait]
impl Resource<cf::Client> for NetworkPolicy {
    fn type_name(&self) -> &'static str {
        TYPE
    }

    fn models(&self) -> crate::framework::model::Models {
        &[("", PolicyModel::FIELDS)]
    }

    fn schema(&self) -> Schema {
        Schema::new(
            "Allows one app to reach another directly over the container-to-container network: the equivalent of \
             `cf add-network-policy`. One policy per resource. A policy on port 61443 gets TLS from the platform; \
             the destination then needs an internal route whose name clients connect to. A policy that already \
             exists is adopted with a warning: the platform records no owner, so destroying this resource removes \
             it for everyone, and the provider cannot know whether another configuration declares it too. To make \
             one configuration the authority for an app's or a space's policies, use \
             `cloudgov_network_policies_exclusive` (guide: \"Making one configuration authoritative\").",
            vec![
                Attribute::string("id").computed().description(
                    "Identifier `SOURCE:DESTINATION:PROTOCOL:START-END`, usable with `terraform import`.",
                ),
                Attribute::string("source_app_id").required().description(
                    "GUID of the app that opens connections. A change (a new app, such as a blue-green \
                     deploy's) updates the policy in place, new before old.",
                ),
                Attribute::string("destination_app_id").required().description(
                    "GUID of the app that receives them. It may be in another space or org. A change updates \
                     the policy in place, new before old.",
                ),
                Attribute::string("protocol").default("tcp").description(
                    "`tcp` (default) or `udp`. A change updates the policy in place, new before old.",
                ),
                Attribute::string("port").required().description(
                    "Destination port or range: `\"8080\"` or `\"8080-8090\"`. `\"8080\"` and `\"8080-8080\"` mean \
                     the same policy. Use `\"61443\"` for TLS terminated by the platform. A change updates the \
                     resource in place: the policy for the new range is created before the old one is deleted, so \
                     the apps keep a path throughout, and the `id` changes.",
                ),
                Attribute::number("start_port").computed().description("First port of the range."),
                Attribute::number("end_port").computed().description("Last port of the range."),
                Attribute::bool("tls").computed().description(
                    "True when the range covers 61443, the port on which the platform terminates TLS in front of the \
                     destination app.",
                ),
            ],
        )
        .with_timeouts(super::TIMEOUTS_UNSET)
    }

    fn identity_schema(&self) -> Option<IdentitySchema> {
        Some(IdentitySchema::new(vec![
            IdentityAttribute::string("source_app_id", "GUID of the source app."),
            IdentityAttribute::string("destination_app_id", "GUID of the destination app."),
            IdentityAttribute::string("protocol", "`tcp` or `udp`."),
            IdentityAttribute::number("start_port", "First port of the range."),
            IdentityAttribute::number("end_port", "Last port of the range."),
        ]))
    }

    fn identity(&self, state: &Value) -> Value {
        let m = PolicyModel::from_value(state);
        PolicyIdentity {
            source_app_id: m.source_app_id,
            destination_app_id: m.destination_app_id,
            protocol: m.protocol,
            start_port: m.start_port,
            end_port: m.end_port,
        }
        .to_value()
    }

    fn import_id(&self, identity: &Value) -> Result<String, String> {
        let id = PolicyIdentity::from_value(identity);
        let text = |a: &Attr<String>| a.as_str().filter(|s| !s.is_empty()).map(str::to_string);
        let port = |a: &Attr<i64>| {
            a.known()
                .and_then(|p| u16::try_from(*p).ok())
                .filter(|p| *p > 0)
        };
        match (
            text(&id.source_app_id).as_deref(),
            text(&id.destination_app_id).as_deref(),
            text(&id.protocol).as_deref(),
            port(&id.start_port),
            port(&id.end_port),
        ) {
            (Some(s), Some(d), Some(p), Some(start), Some(end)) => {
                Ok(policy_id(s, d, p, PortRange { start, end }))
            }
            _ => Err(
                "The identity needs `source_app_id`, `destination_app_id`, `protocol`, `start_port` and `end_port` \
                 (ports 1 to 65535)."
                    .into(),
            ),
        }
    }

    async fn validate(&self, config: &Value, diags: &mut Diagnostics) {
        let m = PolicyModel::from_value(config);
        if let Some(p) = m.protocol.as_str()
            && p != "tcp"
            && p != "udp"
        {
            diags.push(
                Diagnostic::error(
                    "Invalid Protocol",
                    format!("The protocol must be \"tcp\" or \"udp\", not \"{p}\"."),
                )
                .at(AttributePath::root("protocol")),
            );
        }
        if let Some(port) = m.port.as_str()
            && let Err(msg) = PortRange::parse(port)
        {
            diags.push(Diagnostic::error("Invalid Port", msg).at(AttributePath::root("port")));
        }
        for (attr, value) in [
            ("source_app_id", &m.source_app_id),
            ("destination_app_id", &m.destination_app_id),
        ] {
            if let Some(d) = checks::guid(
                &value.to_value(),
                attr,
                "app",
                "",
                AttributePath::root(attr),
            ) {
                diags.push(d);
            }
        }
    }

    async fn plan(&self, _ctx: &Ctx<cf::Client>, plan: &mut Plan, _diags: &mut Diagnostics) {
        // Any change is an in-place update (new policy first, then the old one
        // deleted), and another way of writing the same range only changes the text.
        let mut m = PolicyModel::from_value(&plan.planned);
        m.derive();
        m.write_into(&mut plan.planned);
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
        let Some((policy, range)) = policy_of(&change.planned) else {
            diags.push(Diagnostic::internal(
                "creating a network policy",
                "the planned policy is incomplete",
            ));
            return Value::Null;
        };
        if create_policy(client, &policy, range, diags).await.is_err() {
            return Value::Null;
        }
        let planned = PolicyModel::from_value(&change.planned);
        let port = planned.port.as_str().unwrap_or_default();
        state(
            &policy.source.id,
            &policy.destination.id,
            &policy.destination.protocol,
            port,
            range,
        )
    }

    async fn read(&self, ctx: &Ctx<cf::Client>, current: &Value, diags: &mut Diagnostics) -> Value {
        let Some(client) = ctx.client_or_report(diags) else {
            return current.clone();
        };
        let Some((policy, range)) = policy_of(current) else {
            return current.clone();
        };
        match client.policies_for_app(&policy.source.id).await {
            Ok(found) if found.contains(&policy) => {
                // Keep the port as it was written: the same range is the same policy.
                let written = PolicyModel::from_value(current);
                let port = written.port.as_str().unwrap_or_default();
                state(
                    &policy.source.id,
                    &policy.destination.id,
                    &policy.destination.protocol,
                    port,
                    range,
                )
            }
            Ok(_) => {
                tracing::info!(policy = %policy_id(&policy.source.id, &policy.destination.id, &policy.destination.protocol, range), "policy is gone; removing it from state");
                Value::Null
            }
            Err(e) => {
                diags.push(errors::diagnostic("Network Policy Read Error", &e));
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
        let (Some((old, old_range)), Some((new, range))) =
            (policy_of(&change.prior), policy_of(&change.planned))
        else {
            diags.push(Diagnostic::internal(
                "updating a network policy",
                "the prior or planned policy is incomplete",
            ));
            return change.prior.clone();
        };
        if old == new {
            // The same range written another way: only the text in state changes.
            return change.planned.clone();
        }
        let Some(client) = ctx.client_or_report(diags) else {
            return change.prior.clone();
        };
        // New first, so that the apps keep a path throughout.
        let Ok(existed) = create_policy(client, &new, range, diags).await else {
            return change.prior.clone();
        };
        // Then the old one, finished even if Terraform asks to stop meanwhile: until
        // it is gone the platform holds a policy that no state records.
        let Err(e) = cf::despite_stop(delete_or_leave_to_cleanup(client, &old, diags)).await else {
            if client.stop_requested() {
                diags.push(Diagnostic::warning(
                    "Network Policy Change Finished Before Stopping",
                    format!(
                        "Terraform asked the provider to stop while the old policy ({}) was being deleted. The \
                         change was finished first, so the platform holds only the new policy ({}), as state records.",
                        describe(&old, old_range),
                        describe(&new, range)
                    ),
                ));
            }
            return change.planned.clone();
        };
        // The old policy stays, and so does state's record of it: undo the new one
        // (unless it was there before this change) so that the platform holds just that.
        let outcome = if existed {
            "The new policy existed before this change, so it stays; state keeps the old one. Run `terraform \
             apply` again to finish the change."
                .to_string()
        } else {
            match cf::despite_stop(client.delete_policy(&new)).await {
                Ok(()) => "The new policy was deleted again, so the platform holds only the old one, as state \
                           records. Run `terraform apply` again to make the change."
                    .to_string(),
                Err(undo) => format!(
                    "Deleting the new policy again failed too ({undo}): both are open now, and state records the old \
                     one. Run `terraform apply` again to finish the change."
                ),
            }
        };
        let d = errors::diagnostic("Network Policy Update Error", &e);
        diags.push(Diagnostic::error(
            d.summary.clone(),
            format!(
                "The new policy ({}) was created, but the old one ({}) was not deleted: {}\n\n{outcome}",
                describe(&new, range),
                describe(&old, old_range),
                d.detail
            ),
        ));
        change.prior.clone()
    }

    async fn delete(&self, ctx: &Ctx<cf::Client>, prior: &Value, diags: &mut Diagnostics) {
        let Some(client) = ctx.client_or_report(diags) else {
            return;
        };
        let Some((policy, _)) = policy_of(prior) else {
            return;
        };
        match delete_or_leave_to_cleanup(client, &policy, diags).await {
            Ok(()) => {}
            Err(cf::Error::Cancelled) => diags.push(Diagnostic::error(
                "Network Policy Delete Error",
                "Terraform asked the provider to stop before the policy was deleted. State keeps it; the next plan \
                 shows whether it is still there.",
            )),
            Err(e) => diags.push(errors::diagnostic("Network Policy Delete Error", &e)),
        }
    }

    async fn import(&self, ctx: &Ctx<cf::Client>, id: &str, diags: &mut Diagnostics) -> Value {
        let (source, destination, protocol, range) = match parse_id(id) {
            Ok(parts) => parts,
            Err(msg) => {
                diags.push(Diagnostic::error("Invalid Import Id", msg));
                return Value::Null;
            }
        };
        let Some(client) = ctx.client_or_report(diags) else {
            return Value::Null;
        };
        let policy = Policy::new(&source, &destination, &protocol, range.start, range.end);
        match client.policies_for_app(&source).await {
            Ok(found) if found.contains(&policy) => {
                state(&source, &destination, &protocol, &range.canonical(), range)
            }
            Ok(_) => {
                diags.push(Diagnostic::error(
                    "Network Policy Not Found",
                    format!(
                        "No policy {id} exists (or the account cannot see both apps). List the source app's policies \
                         with `cf network-policies --source APP` and import one of them."
                    ),
                ));
                Value::Null
            }
            Err(e) => {
                diags.push(errors::diagnostic("Network Policy Import Error", &e));
                Value::Null
            }
        }
    }
}
