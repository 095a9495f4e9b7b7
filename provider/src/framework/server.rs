//! The tfplugin6 `Provider` gRPC service: decodes requests with the right schema,
//! dispatches by type name to resources and data sources, turns panics into
//! diagnostics, applies cancellation and per-operation timeouts, and encodes results.
//! The only place that knows both the protocol messages and the framework traits.

use std::collections::HashMap;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use cloudgov_proto::tfplugin6 as pb;
use futures::FutureExt;
use tokio_util::sync::CancellationToken;
use tonic::{Request, Response, Status};
use tracing::{Instrument, debug, error, info_span, trace};

use super::codec;
use super::diag::{Diagnostic, Diagnostics};
use super::plan::plan_from_schema;
use super::resource::{Change, Ctx, DataSource, Plan, Provider, Resource};
use super::schema::Schema;
use super::timeouts;
use super::value::{Type, Value};

/// How long one create, read, update, delete or data-source read may take before it
/// is abandoned with an error, unless the server is built with another limit.
pub const DEFAULT_OPERATION_TIMEOUT: Duration = Duration::from_secs(20 * 60);

struct Typed<T: ?Sized> {
    imp: Arc<T>,
    schema: Schema,
    ty: Type,
}

/// Serves one provider over tfplugin6.
pub struct ProviderServer<P: Provider> {
    provider: P,
    provider_schema: Schema,
    resources: HashMap<&'static str, Typed<dyn Resource<P::Client>>>,
    data_sources: HashMap<&'static str, Typed<dyn DataSource<P::Client>>>,
    client: RwLock<Option<Arc<P::Client>>>,
    stop: CancellationToken,
    timeout: Duration,
}

impl<P: Provider> ProviderServer<P> {
    /// A server for `provider`; `stop` is cancelled by `StopProvider`.
    pub fn new(provider: P, stop: CancellationToken) -> ProviderServer<P> {
        let resources = provider
            .resources()
            .into_iter()
            .map(|r| {
                let schema = r.schema();
                let ty = schema.value_type();
                (r.type_name(), Typed { imp: r, schema, ty })
            })
            .collect();
        let data_sources = provider
            .data_sources()
            .into_iter()
            .map(|d| {
                let schema = d.schema();
                let ty = schema.value_type();
                (d.type_name(), Typed { imp: d, schema, ty })
            })
            .collect();
        ProviderServer {
            provider_schema: provider.schema(),
            provider,
            resources,
            data_sources,
            client: RwLock::new(None),
            stop,
            timeout: DEFAULT_OPERATION_TIMEOUT,
        }
    }

    /// The same server with another per-operation time limit.
    pub fn with_timeout(mut self, timeout: Duration) -> ProviderServer<P> {
        self.timeout = timeout;
        self
    }

    fn ctx(&self) -> Ctx<P::Client> {
        let client = self.client.read().expect("client lock poisoned").clone();
        Ctx::new(client, self.stop.clone())
    }

    fn resource(&self, name: &str) -> Result<&Typed<dyn Resource<P::Client>>, Diagnostics> {
        self.resources
            .get(name)
            .ok_or_else(|| unknown_type("resource", name))
    }

    fn data_source(&self, name: &str) -> Result<&Typed<dyn DataSource<P::Client>>, Diagnostics> {
        self.data_sources
            .get(name)
            .ok_or_else(|| unknown_type("data source", name))
    }

    /// Runs one operation of resource or data-source code: a panic becomes an error
    /// diagnostic and the time limit applies. Cancellation is for the operation to
    /// observe through its context, so that it can stop at a point where the state it
    /// reports still matches reality.
    async fn guarded<T>(
        &self,
        what: &str,
        fallback: T,
        fut: impl Future<Output = T>,
    ) -> (T, Diagnostics) {
        self.guarded_within(what, None, fallback, fut).await
    }

    /// `guarded` with the limit a `timeouts` block sets for this operation, when it
    /// sets one: the operation is abandoned after it, and the client's retries
    /// follow it (`crate::deadline`).
    async fn guarded_within<T>(
        &self,
        what: &str,
        configured: Option<(&str, Duration)>,
        fallback: T,
        fut: impl Future<Output = T>,
    ) -> (T, Diagnostics) {
        let limit = configured.map_or(self.timeout, |(_, d)| d);
        let run = async {
            match configured {
                Some((_, d)) => crate::deadline::within(d, fut).await,
                None => fut.await,
            }
        };
        match tokio::time::timeout(limit, AssertUnwindSafe(run).catch_unwind()).await {
            Ok(Ok(v)) => (v, Diagnostics::new()),
            Ok(Err(panic)) => {
                let msg = panic_message(&panic);
                error!(operation = what, panic = %msg, "provider code panicked");
                (
                    fallback,
                    Diagnostic::error(
                        "Provider Internal Error",
                        format!(
                            "The provider failed unexpectedly during {what}: {msg}\n\nThis is a bug in \
                             the provider; please report it. The remote object may need checking."
                        ),
                    )
                    .into(),
                )
            }
            Err(_) => (
                fallback,
                Diagnostic::error(
                    "Operation Timed Out",
                    format!(
                        "{what} did not finish within {}. The remote object may be in an \
                         intermediate state; run `terraform plan` to see what is there now.{}",
                        match configured {
                            Some((op, d)) => format!("{d:?} (`timeouts.{op}`)"),
                            None => format!("{} seconds", limit.as_secs()),
                        },
                        match configured {
                            Some((op, _)) =>
                                format!(" Give it more time with `timeouts {{ {op} = \"...\" }}`."),
                            None => String::new(),
                        }
                    ),
                )
                .into(),
            ),
        }
    }
}

/// The limit the `timeouts` block in `value` sets for `op`, for `guarded_within`.
fn limit<T: ?Sized>(
    r: &Typed<T>,
    value: &Value,
    op: &'static str,
) -> Option<(&'static str, Duration)> {
    if !r.schema.has_timeouts() {
        return None;
    }
    timeouts::limit(value, op).map(|d| (op, d))
}

/// Resources build states without the `timeouts` block; it comes from the plan (or
/// the prior state) unchanged, as Terraform requires.
fn carry_timeouts<T: ?Sized>(r: &Typed<T>, from: &Value, to: &mut Value) {
    if r.schema.has_timeouts() && !to.is_null() {
        to.set_attr(timeouts::BLOCK, from.attr(timeouts::BLOCK).clone());
    }
}

fn unknown_type(kind: &str, name: &str) -> Diagnostics {
    Diagnostic::error(
        format!("Unknown {} Type", if kind == "resource" { "Resource" } else { "Data Source" }),
        format!("This provider has no {kind} type named \"{name}\". Check the spelling and the provider version."),
    )
    .into()
}

fn panic_message(panic: &Box<dyn std::any::Any + Send>) -> String {
    if let Some(s) = panic.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = panic.downcast_ref::<String>() {
        s.clone()
    } else {
        "a panic without a message".to_string()
    }
}

/// Decodes a `DynamicValue` (msgpack preferred, JSON accepted) as `ty`.
pub fn decode(dv: Option<&pb::DynamicValue>, ty: &Type, what: &str) -> Result<Value, Diagnostics> {
    let Some(dv) = dv else { return Ok(Value::Null) };
    let result = if !dv.msgpack.is_empty() {
        codec::from_msgpack(&dv.msgpack, ty)
    } else if !dv.json.is_empty() {
        codec::from_json(&dv.json, ty)
    } else {
        return Ok(Value::Null);
    };
    result.map_err(|e| Diagnostic::internal(&format!("decoding the {what}"), e).into())
}

/// Encodes a value of `ty` as a msgpack `DynamicValue`.
pub fn encode(v: &Value, ty: &Type, what: &str) -> Result<pb::DynamicValue, Diagnostics> {
    codec::to_msgpack(v, ty)
        .map(|msgpack| pb::DynamicValue {
            msgpack,
            json: Vec::new(),
        })
        .map_err(|e| Diagnostic::internal(&format!("encoding the {what}"), e).into())
}

/// Unwraps a result whose error is the diagnostics to return.
macro_rules! tryd {
    ($e:expr, $diags:ident, $resp:expr) => {
        match $e {
            Ok(v) => v,
            Err(d) => {
                $diags.extend(d);
                return Ok(Response::new($resp($diags)));
            }
        }
    };
}

#[tonic::async_trait]
impl<P: Provider> pb::provider_server::Provider for ProviderServer<P> {
    async fn get_metadata(
        &self,
        _: Request<pb::get_metadata::Request>,
    ) -> Result<Response<pb::get_metadata::Response>, Status> {
        Ok(Response::new(pb::get_metadata::Response {
            server_capabilities: Some(capabilities()),
            diagnostics: Vec::new(),
            data_sources: self
                .data_sources
                .keys()
                .map(|n| pb::get_metadata::DataSourceMetadata {
                    type_name: n.to_string(),
                })
                .collect(),
            resources: self
                .resources
                .keys()
                .map(|n| pb::get_metadata::ResourceMetadata {
                    type_name: n.to_string(),
                })
                .collect(),
            functions: Vec::new(),
        }))
    }

    async fn get_provider_schema(
        &self,
        _: Request<pb::get_provider_schema::Request>,
    ) -> Result<Response<pb::get_provider_schema::Response>, Status> {
        debug!(tf_rpc = "GetProviderSchema", "serving schema");
        Ok(Response::new(pb::get_provider_schema::Response {
            provider: Some(self.provider_schema.to_proto()),
            resource_schemas: self
                .resources
                .iter()
                .map(|(n, r)| (n.to_string(), r.schema.to_proto()))
                .collect(),
            data_source_schemas: self
                .data_sources
                .iter()
                .map(|(n, d)| (n.to_string(), d.schema.to_proto()))
                .collect(),
            diagnostics: Vec::new(),
            provider_meta: None,
            server_capabilities: Some(capabilities()),
            functions: HashMap::new(),
        }))
    }

    async fn validate_provider_config(
        &self,
        req: Request<pb::validate_provider_config::Request>,
    ) -> Result<Response<pb::validate_provider_config::Response>, Status> {
        let resp = |diagnostics: Diagnostics| pb::validate_provider_config::Response {
            diagnostics: diagnostics.to_proto(),
        };
        let mut diags = Diagnostics::new();
        let req = req.into_inner();
        let config = tryd!(
            decode(
                req.config.as_ref(),
                &self.provider_schema.value_type(),
                "provider configuration"
            ),
            diags,
            resp
        );
        let ((), d) = self
            .guarded(
                "provider validation",
                (),
                self.provider.validate(&config, &mut diags),
            )
            .await;
        diags.extend(d);
        Ok(Response::new(resp(diags)))
    }

    async fn validate_resource_config(
        &self,
        req: Request<pb::validate_resource_config::Request>,
    ) -> Result<Response<pb::validate_resource_config::Response>, Status> {
        let resp = |diagnostics: Diagnostics| pb::validate_resource_config::Response {
            diagnostics: diagnostics.to_proto(),
        };
        let mut diags = Diagnostics::new();
        let req = req.into_inner();
        let r = tryd!(self.resource(&req.type_name), diags, resp);
        let config = tryd!(
            decode(req.config.as_ref(), &r.ty, "resource configuration"),
            diags,
            resp
        );
        let span = info_span!("validate", tf_rpc = "ValidateResourceConfig", tf_resource_type = %req.type_name);
        let ((), d) = self
            .guarded(
                "validation",
                (),
                r.imp.validate(&config, &mut diags).instrument(span),
            )
            .await;
        diags.extend(d);
        if r.schema.has_timeouts() {
            for d in timeouts::validate(&config) {
                diags.push(d);
            }
        }
        Ok(Response::new(resp(diags)))
    }

    async fn validate_data_resource_config(
        &self,
        req: Request<pb::validate_data_resource_config::Request>,
    ) -> Result<Response<pb::validate_data_resource_config::Response>, Status> {
        let resp = |diagnostics: Diagnostics| pb::validate_data_resource_config::Response {
            diagnostics: diagnostics.to_proto(),
        };
        let mut diags = Diagnostics::new();
        let req = req.into_inner();
        let d = tryd!(self.data_source(&req.type_name), diags, resp);
        let config = tryd!(
            decode(req.config.as_ref(), &d.ty, "data source configuration"),
            diags,
            resp
        );
        let ((), extra) = self
            .guarded("validation", (), d.imp.validate(&config, &mut diags))
            .await;
        diags.extend(extra);
        Ok(Response::new(resp(diags)))
    }

    async fn upgrade_resource_state(
        &self,
        req: Request<pb::upgrade_resource_state::Request>,
    ) -> Result<Response<pb::upgrade_resource_state::Response>, Status> {
        let resp = |diagnostics: Diagnostics| pb::upgrade_resource_state::Response {
            upgraded_state: None,
            diagnostics: diagnostics.to_proto(),
        };
        let mut diags = Diagnostics::new();
        let req = req.into_inner();
        let r = tryd!(self.resource(&req.type_name), diags, resp);
        let raw = req.raw_state.unwrap_or_default();
        if raw.json.is_empty() {
            diags.push(Diagnostic::error(
                "Unsupported State Format",
                "The stored state is in the legacy flatmap format, which this provider never wrote.",
            ));
            return Ok(Response::new(resp(diags)));
        }
        let json: serde_json::Value = tryd!(
            serde_json::from_slice(&raw.json)
                .map_err(|e| Diagnostics::from(Diagnostic::internal("reading stored state", e))),
            diags,
            resp
        );
        let upgraded = r.imp.upgrade_state(req.version, &json, &mut diags);
        if diags.has_errors() {
            return Ok(Response::new(resp(diags)));
        }
        let upgraded_state = tryd!(encode(&upgraded, &r.ty, "upgraded state"), diags, resp);
        Ok(Response::new(pb::upgrade_resource_state::Response {
            upgraded_state: Some(upgraded_state),
            diagnostics: diags.to_proto(),
        }))
    }

    async fn get_resource_identity_schemas(
        &self,
        _: Request<pb::get_resource_identity_schemas::Request>,
    ) -> Result<Response<pb::get_resource_identity_schemas::Response>, Status> {
        Ok(Response::new(
            pb::get_resource_identity_schemas::Response::default(),
        ))
    }

    async fn upgrade_resource_identity(
        &self,
        req: Request<pb::upgrade_resource_identity::Request>,
    ) -> Result<Response<pb::upgrade_resource_identity::Response>, Status> {
        let name = req.into_inner().type_name;
        Ok(Response::new(pb::upgrade_resource_identity::Response {
            upgraded_identity: None,
            diagnostics: Diagnostics::from(Diagnostic::error(
                "Resource Identity Not Supported",
                format!(
                    "The resource type {name} has no identity schema in this provider version."
                ),
            ))
            .to_proto(),
        }))
    }

    async fn configure_provider(
        &self,
        req: Request<pb::configure_provider::Request>,
    ) -> Result<Response<pb::configure_provider::Response>, Status> {
        let resp = |diagnostics: Diagnostics| pb::configure_provider::Response {
            diagnostics: diagnostics.to_proto(),
        };
        let mut diags = Diagnostics::new();
        let req = req.into_inner();
        let config = tryd!(
            decode(
                req.config.as_ref(),
                &self.provider_schema.value_type(),
                "provider configuration"
            ),
            diags,
            resp
        );
        trace!(
            tf_rpc = "ConfigureProvider",
            terraform_version = %req.terraform_version,
            config = %codec::to_json(&self.provider_schema.redact(&config)),
            "configuring provider"
        );
        let (client, d) = self
            .guarded(
                "provider configuration",
                None,
                self.provider
                    .configure(&config, &req.terraform_version, &self.stop, &mut diags),
            )
            .await;
        diags.extend(d);
        if let Some(client) = client {
            *self.client.write().expect("client lock poisoned") = Some(Arc::new(client));
        }
        Ok(Response::new(resp(diags)))
    }

    async fn read_resource(
        &self,
        req: Request<pb::read_resource::Request>,
    ) -> Result<Response<pb::read_resource::Response>, Status> {
        let req = req.into_inner();
        let prior_private = req.private.clone();
        let resp = |diagnostics: Diagnostics| pb::read_resource::Response {
            new_state: req.current_state.clone(),
            diagnostics: diagnostics.to_proto(),
            private: prior_private.clone(),
            deferred: None,
            new_identity: None,
        };
        let mut diags = Diagnostics::new();
        let r = tryd!(self.resource(&req.type_name), diags, resp);
        let state = tryd!(
            decode(req.current_state.as_ref(), &r.ty, "current state"),
            diags,
            resp
        );
        let ctx = self.ctx();
        let span = info_span!("read", tf_rpc = "ReadResource", tf_resource_type = %req.type_name);
        // On failure the prior state stands: a failed read must not forget the object.
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
        let new_state = if diags.has_errors() { state } else { new_state };
        let encoded = tryd!(encode(&new_state, &r.ty, "new state"), diags, resp);
        Ok(Response::new(pb::read_resource::Response {
            new_state: Some(encoded),
            diagnostics: diags.to_proto(),
            private: req.private,
            deferred: None,
            new_identity: None,
        }))
    }

    async fn plan_resource_change(
        &self,
        req: Request<pb::plan_resource_change::Request>,
    ) -> Result<Response<pb::plan_resource_change::Response>, Status> {
        let resp = |diagnostics: Diagnostics| pb::plan_resource_change::Response {
            diagnostics: diagnostics.to_proto(),
            ..Default::default()
        };
        let mut diags = Diagnostics::new();
        let req = req.into_inner();
        let r = tryd!(self.resource(&req.type_name), diags, resp);
        let prior = tryd!(
            decode(req.prior_state.as_ref(), &r.ty, "prior state"),
            diags,
            resp
        );
        let proposed = tryd!(
            decode(req.proposed_new_state.as_ref(), &r.ty, "proposed new state"),
            diags,
            resp
        );
        let config = tryd!(
            decode(req.config.as_ref(), &r.ty, "configuration"),
            diags,
            resp
        );
        if proposed.is_null() {
            // Destroy: nothing to plan beyond the absence of the object.
            return Ok(Response::new(pb::plan_resource_change::Response {
                planned_state: req.proposed_new_state,
                planned_private: req.prior_private,
                ..Default::default()
            }));
        }
        let (planned, requires_replace) = plan_from_schema(&r.schema, &prior, &config, &proposed);
        let mut plan = Plan {
            prior,
            config,
            planned,
            requires_replace,
        };
        let ctx = self.ctx();
        let span =
            info_span!("plan", tf_rpc = "PlanResourceChange", tf_resource_type = %req.type_name);
        let ((), d) = self
            .guarded(
                "plan",
                (),
                r.imp.plan(&ctx, &mut plan, &mut diags).instrument(span),
            )
            .await;
        diags.extend(d);
        if diags.has_errors() {
            return Ok(Response::new(resp(diags)));
        }
        let planned_state = tryd!(encode(&plan.planned, &r.ty, "planned state"), diags, resp);
        Ok(Response::new(pb::plan_resource_change::Response {
            planned_state: Some(planned_state),
            requires_replace: plan.requires_replace.iter().map(|p| p.to_proto()).collect(),
            planned_private: req.prior_private,
            diagnostics: diags.to_proto(),
            deferred: None,
            planned_identity: None,
        }))
    }

    async fn apply_resource_change(
        &self,
        req: Request<pb::apply_resource_change::Request>,
    ) -> Result<Response<pb::apply_resource_change::Response>, Status> {
        let req = req.into_inner();
        let resp = |diagnostics: Diagnostics| pb::apply_resource_change::Response {
            new_state: req.prior_state.clone(),
            diagnostics: diagnostics.to_proto(),
            ..Default::default()
        };
        let mut diags = Diagnostics::new();
        let r = tryd!(self.resource(&req.type_name), diags, resp);
        let prior = tryd!(
            decode(req.prior_state.as_ref(), &r.ty, "prior state"),
            diags,
            resp
        );
        let planned = tryd!(
            decode(req.planned_state.as_ref(), &r.ty, "planned state"),
            diags,
            resp
        );
        let config = tryd!(
            decode(req.config.as_ref(), &r.ty, "configuration"),
            diags,
            resp
        );
        let ctx = self.ctx();
        let name = req.type_name.clone();
        let new_state = if planned.is_null() {
            let span =
                info_span!("delete", tf_rpc = "ApplyResourceChange", tf_resource_type = %name);
            let ((), d) = self
                .guarded_within(
                    "delete",
                    limit(r, &prior, "delete"),
                    (),
                    r.imp.delete(&ctx, &prior, &mut diags).instrument(span),
                )
                .await;
            diags.extend(d);
            // A failed delete leaves the object in state.
            if diags.has_errors() {
                prior
            } else {
                Value::Null
            }
        } else {
            let change = Change {
                prior: prior.clone(),
                planned,
                config,
            };
            let planned = &change.planned;
            if prior.is_null() {
                let span =
                    info_span!("create", tf_rpc = "ApplyResourceChange", tf_resource_type = %name);
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
                v
            } else {
                let span =
                    info_span!("update", tf_rpc = "ApplyResourceChange", tf_resource_type = %name);
                let (mut v, d) = self
                    .guarded_within(
                        "update",
                        limit(r, planned, "update"),
                        prior.clone(),
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
                v
            }
        };
        let encoded = tryd!(encode(&new_state, &r.ty, "new state"), diags, resp);
        Ok(Response::new(pb::apply_resource_change::Response {
            new_state: Some(encoded),
            private: req.planned_private,
            diagnostics: diags.to_proto(),
            new_identity: None,
        }))
    }

    async fn import_resource_state(
        &self,
        req: Request<pb::import_resource_state::Request>,
    ) -> Result<Response<pb::import_resource_state::Response>, Status> {
        let resp = |diagnostics: Diagnostics| pb::import_resource_state::Response {
            diagnostics: diagnostics.to_proto(),
            ..Default::default()
        };
        let mut diags = Diagnostics::new();
        let req = req.into_inner();
        let r = tryd!(self.resource(&req.type_name), diags, resp);
        let ctx = self.ctx();
        let span =
            info_span!("import", tf_rpc = "ImportResourceState", tf_resource_type = %req.type_name);
        let (state, d) = self
            .guarded(
                "import",
                Value::Null,
                r.imp.import(&ctx, &req.id, &mut diags).instrument(span),
            )
            .await;
        diags.extend(d);
        if diags.has_errors() || state.is_null() {
            return Ok(Response::new(resp(diags)));
        }
        let encoded = tryd!(encode(&state, &r.ty, "imported state"), diags, resp);
        Ok(Response::new(pb::import_resource_state::Response {
            imported_resources: vec![pb::import_resource_state::ImportedResource {
                type_name: req.type_name,
                state: Some(encoded),
                private: Vec::new(),
                identity: None,
            }],
            diagnostics: diags.to_proto(),
            deferred: None,
        }))
    }

    async fn move_resource_state(
        &self,
        req: Request<pb::move_resource_state::Request>,
    ) -> Result<Response<pb::move_resource_state::Response>, Status> {
        let req = req.into_inner();
        Ok(Response::new(pb::move_resource_state::Response {
            diagnostics: Diagnostics::from(Diagnostic::error(
                "Move Resource State Not Supported",
                format!(
                    "{} cannot be moved to {}: this provider has no state move for that pair of types.",
                    req.source_type_name, req.target_type_name
                ),
            ))
            .to_proto(),
            ..Default::default()
        }))
    }

    async fn read_data_source(
        &self,
        req: Request<pb::read_data_source::Request>,
    ) -> Result<Response<pb::read_data_source::Response>, Status> {
        let resp = |diagnostics: Diagnostics| pb::read_data_source::Response {
            diagnostics: diagnostics.to_proto(),
            ..Default::default()
        };
        let mut diags = Diagnostics::new();
        let req = req.into_inner();
        let d = tryd!(self.data_source(&req.type_name), diags, resp);
        let config = tryd!(
            decode(req.config.as_ref(), &d.ty, "data source configuration"),
            diags,
            resp
        );
        let ctx = self.ctx();
        let span = info_span!("read_data", tf_rpc = "ReadDataSource", tf_data_source_type = %req.type_name);
        let (state, extra) = self
            .guarded(
                "data source read",
                Value::Null,
                d.imp.read(&ctx, &config, &mut diags).instrument(span),
            )
            .await;
        diags.extend(extra);
        if diags.has_errors() {
            return Ok(Response::new(resp(diags)));
        }
        let encoded = tryd!(encode(&state, &d.ty, "data source state"), diags, resp);
        Ok(Response::new(pb::read_data_source::Response {
            state: Some(encoded),
            diagnostics: diags.to_proto(),
            deferred: None,
        }))
    }

    async fn get_functions(
        &self,
        _: Request<pb::get_functions::Request>,
    ) -> Result<Response<pb::get_functions::Response>, Status> {
        Ok(Response::new(pb::get_functions::Response::default()))
    }

    async fn call_function(
        &self,
        req: Request<pb::call_function::Request>,
    ) -> Result<Response<pb::call_function::Response>, Status> {
        Ok(Response::new(pb::call_function::Response {
            result: None,
            error: Some(pb::FunctionError {
                text: format!(
                    "This provider has no function named \"{}\".",
                    req.into_inner().name
                ),
                function_argument: None,
            }),
        }))
    }

    async fn stop_provider(
        &self,
        _: Request<pb::stop_provider::Request>,
    ) -> Result<Response<pb::stop_provider::Response>, Status> {
        debug!(
            tf_rpc = "StopProvider",
            "stop requested; cancelling in-flight operations"
        );
        self.stop.cancel();
        Ok(Response::new(pb::stop_provider::Response {
            error: String::new(),
        }))
    }
}

fn capabilities() -> pb::ServerCapabilities {
    pb::ServerCapabilities {
        plan_destroy: true,
        get_provider_schema_optional: true,
        move_resource_state: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::schema::Attribute;
    use async_trait::async_trait;
    use pb::provider_server::Provider as _;
    use std::collections::BTreeMap;
    use std::sync::Mutex;

    /// Remote objects of the test resource, by id.
    type Remote = Mutex<BTreeMap<String, i64>>;

    struct Thing;

    #[async_trait]
    impl Resource<Remote> for Thing {
        fn type_name(&self) -> &'static str {
            "test_thing"
        }
        fn schema(&self) -> Schema {
            Schema::new(
                "a thing",
                vec![
                    Attribute::string("id").computed(),
                    Attribute::string("name").required().requires_replace(),
                    Attribute::number("size").default(1),
                    Attribute::string("secret").optional().sensitive(),
                ],
            )
        }
        async fn validate(&self, config: &Value, diags: &mut Diagnostics) {
            if config.attr("name").as_str() == Some("") {
                diags.push(
                    Diagnostic::error("Invalid Name", "name must not be empty")
                        .at(crate::framework::AttributePath::root("name")),
                );
            }
        }
        async fn create(
            &self,
            ctx: &Ctx<Remote>,
            change: &Change,
            diags: &mut Diagnostics,
        ) -> Value {
            let remote = match ctx.client() {
                Ok(r) => r,
                Err(d) => {
                    diags.push(d);
                    return Value::Null;
                }
            };
            if change.planned.attr("name").as_str() == Some("panic") {
                panic!("boom in create");
            }
            let id = change.planned.attr("name").as_str().unwrap().to_string();
            remote
                .lock()
                .unwrap()
                .insert(id.clone(), change.planned.attr("size").as_i64().unwrap());
            let mut state = change.planned.clone();
            state.set_attr("id", Value::from(id));
            state
        }
        async fn read(&self, ctx: &Ctx<Remote>, state: &Value, _: &mut Diagnostics) -> Value {
            let id = state.attr("id").as_str().unwrap_or_default();
            match ctx.client().unwrap().lock().unwrap().get(id) {
                Some(size) => {
                    let mut s = state.clone();
                    s.set_attr("size", Value::from(*size));
                    s
                }
                None => Value::Null,
            }
        }
        async fn update(&self, ctx: &Ctx<Remote>, change: &Change, _: &mut Diagnostics) -> Value {
            let id = change.prior.attr("id").as_str().unwrap().to_string();
            ctx.client()
                .unwrap()
                .lock()
                .unwrap()
                .insert(id, change.planned.attr("size").as_i64().unwrap());
            change.planned.clone()
        }
        async fn delete(&self, ctx: &Ctx<Remote>, prior: &Value, diags: &mut Diagnostics) {
            let id = prior.attr("id").as_str().unwrap();
            if id == "undeletable" {
                diags.push(Diagnostic::error(
                    "Thing Delete Error",
                    "the platform said no",
                ));
                return;
            }
            ctx.client().unwrap().lock().unwrap().remove(id);
        }
    }

    struct TestProvider;

    #[async_trait]
    impl Provider for TestProvider {
        type Client = Remote;
        fn schema(&self) -> Schema {
            Schema::new("test", vec![Attribute::string("endpoint").optional()])
        }
        fn resources(&self) -> Vec<Arc<dyn Resource<Remote>>> {
            vec![Arc::new(Thing)]
        }
        fn data_sources(&self) -> Vec<Arc<dyn DataSource<Remote>>> {
            Vec::new()
        }
        async fn configure(
            &self,
            _: &Value,
            _: &str,
            _: &CancellationToken,
            _: &mut Diagnostics,
        ) -> Option<Remote> {
            Some(Mutex::new(BTreeMap::new()))
        }
    }

    fn server() -> ProviderServer<TestProvider> {
        ProviderServer::new(TestProvider, CancellationToken::new())
    }

    fn ty() -> Type {
        Thing.schema().value_type()
    }

    fn dv(v: &Value) -> Option<pb::DynamicValue> {
        Some(encode(v, &ty(), "test").unwrap())
    }

    fn config(name: &str, size: Option<i64>) -> Value {
        Value::object([
            ("id", Value::Null),
            ("name", Value::from(name)),
            ("size", size.map_or(Value::Null, Value::from)),
            ("secret", Value::Null),
        ])
    }

    async fn configure(s: &ProviderServer<TestProvider>) {
        let cfg = Value::object([("endpoint", Value::Null)]);
        let cfg = encode(&cfg, &TestProvider.schema().value_type(), "cfg").unwrap();
        s.configure_provider(Request::new(pb::configure_provider::Request {
            terraform_version: "1.0.3".into(),
            config: Some(cfg),
            client_capabilities: None,
        }))
        .await
        .unwrap();
    }

    async fn plan(
        s: &ProviderServer<TestProvider>,
        prior: &Value,
        cfg: &Value,
    ) -> pb::plan_resource_change::Response {
        s.plan_resource_change(Request::new(pb::plan_resource_change::Request {
            type_name: "test_thing".into(),
            prior_state: dv(prior),
            proposed_new_state: dv(cfg),
            config: dv(cfg),
            ..Default::default()
        }))
        .await
        .unwrap()
        .into_inner()
    }

    async fn apply(
        s: &ProviderServer<TestProvider>,
        prior: &Value,
        planned: Option<pb::DynamicValue>,
        cfg: &Value,
    ) -> pb::apply_resource_change::Response {
        s.apply_resource_change(Request::new(pb::apply_resource_change::Request {
            type_name: "test_thing".into(),
            prior_state: dv(prior),
            planned_state: planned,
            config: dv(cfg),
            ..Default::default()
        }))
        .await
        .unwrap()
        .into_inner()
    }

    fn decoded(v: &Option<pb::DynamicValue>) -> Value {
        decode(v.as_ref(), &ty(), "test").unwrap()
    }

    #[tokio::test]
    async fn lifecycle_dispatches_to_the_resource() {
        let s = server();
        configure(&s).await;
        let cfg = config("a", None);
        let p = plan(&s, &Value::Null, &cfg).await;
        assert!(p.diagnostics.is_empty(), "{:?}", p.diagnostics);
        let planned = decoded(&p.planned_state);
        assert!(planned.attr("id").is_unknown());
        assert_eq!(planned.attr("size").as_i64(), Some(1));

        let a = apply(&s, &Value::Null, p.planned_state, &cfg).await;
        assert!(a.diagnostics.is_empty());
        let state = decoded(&a.new_state);
        assert_eq!(state.attr("id").as_str(), Some("a"));

        // In-place update of size; a new name would replace.
        let cfg2 = config("a", Some(3));
        let mut proposed = cfg2.clone();
        proposed.set_attr("id", Value::from("a"));
        let p2 = plan(&s, &state, &proposed).await;
        assert!(p2.requires_replace.is_empty());
        let a2 = apply(&s, &state, p2.planned_state, &cfg2).await;
        let state2 = decoded(&a2.new_state);
        assert_eq!(state2.attr("size").as_i64(), Some(3));

        let mut renamed = config("b", Some(3));
        renamed.set_attr("id", Value::from("a"));
        let p3 = plan(&s, &state2, &renamed).await;
        assert_eq!(p3.requires_replace.len(), 1);

        // Drift: gone remotely -> read returns null.
        let read = s
            .read_resource(Request::new(pb::read_resource::Request {
                type_name: "test_thing".into(),
                current_state: dv(&state2),
                ..Default::default()
            }))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(decoded(&read.new_state).attr("size").as_i64(), Some(3));

        let d = apply(&s, &state2, dv(&Value::Null), &Value::Null).await;
        assert!(d.diagnostics.is_empty());
        assert!(decoded(&d.new_state).is_null());
        let read = s
            .read_resource(Request::new(pb::read_resource::Request {
                type_name: "test_thing".into(),
                current_state: dv(&state2),
                ..Default::default()
            }))
            .await
            .unwrap()
            .into_inner();
        assert!(
            decoded(&read.new_state).is_null(),
            "gone objects are removed from state"
        );
    }

    #[tokio::test]
    async fn a_failed_delete_keeps_the_object_in_state() {
        let s = server();
        configure(&s).await;
        let mut prior = config("undeletable", Some(1));
        prior.set_attr("id", Value::from("undeletable"));
        let d = apply(&s, &prior, dv(&Value::Null), &Value::Null).await;
        assert_eq!(d.diagnostics[0].summary, "Thing Delete Error");
        assert_eq!(decoded(&d.new_state), prior);
    }

    #[tokio::test]
    async fn a_panic_becomes_an_error_diagnostic_and_the_server_keeps_serving() {
        let s = server();
        configure(&s).await;
        let cfg = config("panic", None);
        let p = plan(&s, &Value::Null, &cfg).await;
        let a = apply(&s, &Value::Null, p.planned_state, &cfg).await;
        assert_eq!(a.diagnostics.len(), 1);
        assert_eq!(a.diagnostics[0].summary, "Provider Internal Error");
        assert!(
            a.diagnostics[0].detail.contains("boom in create"),
            "{}",
            a.diagnostics[0].detail
        );
        assert!(decoded(&a.new_state).is_null(), "nothing was created");
        let ok = plan(&s, &Value::Null, &config("fine", None)).await;
        assert!(ok.diagnostics.is_empty());
    }

    #[tokio::test]
    async fn unconfigured_provider_and_unknown_types_are_clear_errors() {
        let s = server();
        let cfg = config("a", None);
        let p = plan(&s, &Value::Null, &cfg).await;
        let a = apply(&s, &Value::Null, p.planned_state, &cfg).await;
        assert_eq!(a.diagnostics[0].summary, "Provider Not Configured");

        let v = s
            .validate_resource_config(Request::new(pb::validate_resource_config::Request {
                type_name: "test_nope".into(),
                config: dv(&cfg),
                client_capabilities: None,
            }))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(v.diagnostics[0].summary, "Unknown Resource Type");
    }

    #[tokio::test]
    async fn validation_diagnostics_carry_the_attribute_path() {
        let s = server();
        let v = s
            .validate_resource_config(Request::new(pb::validate_resource_config::Request {
                type_name: "test_thing".into(),
                config: dv(&config("", None)),
                client_capabilities: None,
            }))
            .await
            .unwrap()
            .into_inner();
        let path = v.diagnostics[0].attribute.clone().unwrap();
        assert_eq!(
            path.steps[0].selector,
            Some(pb::attribute_path::step::Selector::AttributeName(
                "name".into()
            ))
        );
    }

    #[tokio::test]
    async fn destroy_plans_null_and_stop_cancels_the_context() {
        let s = server();
        let p = s
            .plan_resource_change(Request::new(pb::plan_resource_change::Request {
                type_name: "test_thing".into(),
                prior_state: dv(&config("a", Some(1))),
                proposed_new_state: dv(&Value::Null),
                config: dv(&Value::Null),
                ..Default::default()
            }))
            .await
            .unwrap()
            .into_inner();
        assert!(decoded(&p.planned_state).is_null());
        let ctx = s.ctx();
        assert!(!ctx.cancellation().is_cancelled());
        s.stop_provider(Request::new(pb::stop_provider::Request {}))
            .await
            .unwrap();
        assert!(ctx.cancellation().is_cancelled());
    }

    #[tokio::test]
    async fn upgrade_decodes_current_json_state() {
        let s = server();
        let r = s
            .upgrade_resource_state(Request::new(pb::upgrade_resource_state::Request {
                type_name: "test_thing".into(),
                version: 0,
                raw_state: Some(pb::RawState {
                    json: br#"{"id":"a","name":"a","size":2,"secret":null}"#.to_vec(),
                    flatmap: Default::default(),
                }),
            }))
            .await
            .unwrap()
            .into_inner();
        assert!(r.diagnostics.is_empty());
        assert_eq!(decoded(&r.upgraded_state).attr("size").as_i64(), Some(2));
        let r = s
            .upgrade_resource_state(Request::new(pb::upgrade_resource_state::Request {
                type_name: "test_thing".into(),
                version: 7,
                raw_state: Some(pb::RawState {
                    json: b"{}".to_vec(),
                    flatmap: Default::default(),
                }),
            }))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(r.diagnostics[0].summary, "Unsupported State Version");
    }
}
