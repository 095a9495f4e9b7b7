//! The framework side of the server: each resource operation on decoded values,
//! with the rules that hold whatever the wire says (the guard and its time limits,
//! `timeouts` carried into state, a failed read or delete keeping the object). The
//! protocol adapter (`rpc.rs`) only decodes requests and encodes these results, as
//! terraform-plugin-framework splits `proto6server` from `fwserver`.

use super::*;

/// A managed resource type of the provider `P`.
type ResourceType<P> = Typed<dyn Resource<<P as Provider>::Client>>;

impl<P: Provider> ProviderServer<P> {
    /// Refreshes `state`. On failure the prior state stands: a failed read must not
    /// forget the object.
    pub(super) async fn refresh(
        &self,
        r: &ResourceType<P>,
        type_name: &str,
        state: Value,
    ) -> (Value, Diagnostics) {
        let mut diags = Diagnostics::new();
        let ctx = self.ctx();
        let span = info_span!("read", tf_rpc = "ReadResource", tf_resource_type = %type_name);
        let (mut new_state, d) = self
            .guarded_within(
                "read",
                limit(r, &state, "read"),
                state.clone(),
                r.imp.read(&ctx, &state, &mut diags).instrument(span),
            )
            .await;
        diags.extend(d);
        carry_timeouts(r, &state, &mut new_state);
        if diags.has_errors() {
            (state, diags)
        } else {
            (new_state, diags)
        }
    }

    /// Plans a change: the schema's part (defaults, unknown computed values,
    /// replacements), then the resource's. None for a destroy, which needs no plan.
    pub(super) async fn plan_change(
        &self,
        r: &ResourceType<P>,
        type_name: &str,
        prior: Value,
        proposed: Value,
        config: Value,
    ) -> (Option<Plan>, Diagnostics) {
        let mut diags = Diagnostics::new();
        if proposed.is_null() {
            return (None, diags);
        }
        let (planned, requires_replace) = plan_from_schema(&r.schema, &prior, &config, &proposed);
        let mut plan = Plan {
            prior,
            config,
            planned,
            requires_replace,
        };
        let ctx = self.ctx();
        let span = info_span!("plan", tf_rpc = "PlanResourceChange", tf_resource_type = %type_name);
        let ((), d) = self
            .guarded(
                "plan",
                (),
                r.imp.plan(&ctx, &mut plan, &mut diags).instrument(span),
            )
            .await;
        diags.extend(d);
        (Some(plan), diags)
    }

    /// Applies a planned change: delete (a failed delete leaves the object in
    /// state), create or update, each under its `timeouts` limit, with the block
    /// carried into the new state.
    pub(super) async fn apply_change(
        &self,
        r: &ResourceType<P>,
        type_name: &str,
        prior: Value,
        planned: Value,
        config: Value,
    ) -> (Value, Diagnostics) {
        let mut diags = Diagnostics::new();
        let ctx = self.ctx();
        if planned.is_null() {
            let span =
                info_span!("delete", tf_rpc = "ApplyResourceChange", tf_resource_type = %type_name);
            let ((), d) = self
                .guarded_within(
                    "delete",
                    limit(r, &prior, "delete"),
                    (),
                    r.imp.delete(&ctx, &prior, &mut diags).instrument(span),
                )
                .await;
            diags.extend(d);
            let new_state = if diags.has_errors() {
                prior
            } else {
                Value::Null
            };
            return (new_state, diags);
        }
        let change = Change {
            prior,
            planned,
            config,
        };
        let planned = &change.planned;
        if change.prior.is_null() {
            let span =
                info_span!("create", tf_rpc = "ApplyResourceChange", tf_resource_type = %type_name);
            let (mut v, d) = self
                .guarded_within(
                    "create",
                    limit(r, planned, "create"),
                    Value::Null,
                    r.imp.create(&ctx, &change, &mut diags).instrument(span),
                )
                .await;
            diags.extend(d);
            carry_timeouts(r, planned, &mut v);
            return (v, diags);
        }
        let span =
            info_span!("update", tf_rpc = "ApplyResourceChange", tf_resource_type = %type_name);
        let (mut v, d) = self
            .guarded_within(
                "update",
                limit(r, planned, "update"),
                change.prior.clone(),
                r.imp.update(&ctx, &change, &mut diags).instrument(span),
            )
            .await;
        diags.extend(d);
        // A failed update that returns the prior state keeps its timeouts too.
        let from = if v == change.prior {
            &change.prior
        } else {
            planned
        };
        carry_timeouts(r, from, &mut v);
        (v, diags)
    }

    /// Imports the object an id names (Null with diagnostics when it cannot).
    pub(super) async fn import_object(
        &self,
        r: &ResourceType<P>,
        type_name: &str,
        id: &str,
    ) -> (Value, Diagnostics) {
        let mut diags = Diagnostics::new();
        let ctx = self.ctx();
        let span =
            info_span!("import", tf_rpc = "ImportResourceState", tf_resource_type = %type_name);
        let (state, d) = self
            .guarded(
                "import",
                Value::Null,
                r.imp.import(&ctx, id, &mut diags).instrument(span),
            )
            .await;
        diags.extend(d);
        (state, diags)
    }
}
