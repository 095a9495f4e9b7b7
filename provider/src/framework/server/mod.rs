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
use tracing::{Instrument, error, info_span};

use super::codec;
use super::diag::{Diagnostic, Diagnostics};
use super::function::{self, Function, FunctionError};
use super::identity::IdentitySchema;
use super::list::ListResource;
use super::plan::plan_from_schema;
use super::provider::Provider;
use super::resource::{Change, Ctx, DataSource, Plan, Resource};
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
    /// Managed resources only: the identity schema, when the resource has one.
    identity: Option<IdentitySchema>,
}

/// Serves one provider over tfplugin6.
pub struct ProviderServer<P: Provider> {
    provider: P,
    provider_schema: Schema,
    resources: HashMap<&'static str, Typed<dyn Resource<P::Client>>>,
    data_sources: HashMap<&'static str, Typed<dyn DataSource<P::Client>>>,
    list_resources: HashMap<&'static str, Typed<dyn ListResource<P::Client>>>,
    functions: HashMap<&'static str, Arc<dyn Function>>,
    /// Mistakes found in the schemas when the server was built (`Schema::check`),
    /// reported by `GetProviderSchema` so that no command runs on a broken schema.
    schema_problems: Vec<String>,
    client: RwLock<Option<Arc<P::Client>>>,
    stop: CancellationToken,
    timeout: Duration,
}

impl<P: Provider> std::fmt::Debug for ProviderServer<P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProviderServer")
            .field("resources", &self.resources.keys().collect::<Vec<_>>())
            .field(
                "data_sources",
                &self.data_sources.keys().collect::<Vec<_>>(),
            )
            .field(
                "list_resources",
                &self.list_resources.keys().collect::<Vec<_>>(),
            )
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
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
                let identity = r.identity_schema();
                let typed = Typed {
                    imp: r,
                    schema,
                    ty,
                    identity,
                };
                (typed.imp.type_name(), typed)
            })
            .collect();
        let data_sources = provider
            .data_sources()
            .into_iter()
            .map(|d| {
                let schema = d.schema();
                let ty = schema.value_type();
                let typed = Typed {
                    imp: d,
                    schema,
                    ty,
                    identity: None,
                };
                (typed.imp.type_name(), typed)
            })
            .collect();
        let list_resources = provider
            .list_resources()
            .into_iter()
            .map(|l| {
                let schema = l.schema();
                let ty = schema.value_type();
                let typed = Typed {
                    imp: l,
                    schema,
                    ty,
                    identity: None,
                };
                (typed.imp.type_name(), typed)
            })
            .collect();
        let functions = provider
            .functions()
            .into_iter()
            .map(|f| (f.name(), f))
            .collect();
        let provider_schema = provider.schema();
        let schema_problems =
            schema_problems(&provider_schema, &resources, &data_sources, &list_resources);
        ProviderServer {
            schema_problems,
            provider_schema,
            provider,
            resources,
            data_sources,
            list_resources,
            functions,
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
        let client = self
            .client
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone();
        Ctx::new(client)
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

    fn list_resource_type(
        &self,
        name: &str,
    ) -> Result<&Typed<dyn ListResource<P::Client>>, Diagnostics> {
        self.list_resources
            .get(name)
            .ok_or_else(|| unknown_type("list resource", name))
    }

    /// The events of one `ListResource` call: one per object found (identity,
    /// display name, and the state when Terraform asked for full objects), at most
    /// `limit`, or a single event carrying the diagnostics when listing failed.
    async fn list_events(&self, req: &pb::list_resource::Request) -> Vec<pb::list_resource::Event> {
        let failed = |diags: Diagnostics| {
            vec![pb::list_resource::Event {
                diagnostic: diags.to_proto(),
                ..Default::default()
            }]
        };
        let mut diags = Diagnostics::new();
        let (l, r) = match (
            self.list_resource_type(&req.type_name),
            self.resource(&req.type_name),
        ) {
            (Ok(l), Ok(r)) => (l, r),
            (Err(d), _) | (_, Err(d)) => return failed(d),
        };
        let Some(identity) = &r.identity else {
            return failed(unknown_type("list resource", &req.type_name));
        };
        let config = match decode(req.config.as_ref(), &l.ty, "list configuration") {
            Ok(c) => c,
            Err(d) => return failed(d),
        };
        let ctx = self.ctx();
        let span = info_span!("list", tf_rpc = "ListResource", tf_resource_type = %req.type_name);
        let (found, d) = self
            .guarded(
                "list",
                Vec::new(),
                l.imp.list(&ctx, &config, &mut diags).instrument(span),
            )
            .await;
        diags.extend(d);
        if diags.has_errors() {
            return failed(diags);
        }
        let limit = usize::try_from(req.limit).ok().filter(|n| *n > 0);
        let mut events: Vec<pb::list_resource::Event> = found
            .into_iter()
            .take(limit.unwrap_or(usize::MAX))
            .map(|item| {
                // An object that cannot be encoded is reported on its own event.
                let (resource_object, diagnostic) = if req.include_resource_object {
                    match encode(&item.state, &r.ty, "listed object") {
                        Ok(v) => (Some(v), Vec::new()),
                        Err(d) => (None, d.to_proto()),
                    }
                } else {
                    (None, Vec::new())
                };
                pb::list_resource::Event {
                    identity: identity.encode(&item.identity),
                    display_name: item.display_name,
                    resource_object,
                    diagnostic,
                }
            })
            .collect();
        // Warnings ride on the first event (or one of their own when nothing was found).
        if !diags.0.is_empty() {
            match events.first_mut() {
                Some(first) => first.diagnostic.extend(diags.to_proto()),
                None => events.push(pb::list_resource::Event {
                    diagnostic: diags.to_proto(),
                    ..Default::default()
                }),
            }
        }
        events
    }

    /// The functions' descriptions, by name.
    fn function_protos(&self) -> HashMap<String, pb::Function> {
        self.functions
            .iter()
            .map(|(n, f)| ((*n).to_string(), function::to_proto(f.as_ref())))
            .collect()
    }

    /// Calls function `name` with protocol arguments, decoding each by its declared
    /// type; a panic in the function becomes an error, as elsewhere.
    fn call(
        &self,
        name: &str,
        raw: &[pb::DynamicValue],
    ) -> Result<pb::DynamicValue, FunctionError> {
        let f = self.functions.get(name).ok_or_else(|| FunctionError {
            text: format!("This provider has no function named \"{name}\"."),
            argument: None,
        })?;
        let params = f.parameters();
        if raw.len() != params.len() {
            return Err(FunctionError {
                text: format!(
                    "{name} takes {} arguments ({}), not {}.",
                    params.len(),
                    params.iter().map(|p| p.name).collect::<Vec<_>>().join(", "),
                    raw.len()
                ),
                argument: None,
            });
        }
        let mut args = Vec::with_capacity(raw.len());
        for (i, (dv, p)) in raw.iter().zip(&params).enumerate() {
            let v = decode(Some(dv), &p.ty, p.name).map_err(|_| {
                FunctionError::at(i, format!("`{}` is not a {}.", p.name, p.ty.to_json()))
            })?;
            if v.is_null() {
                return Err(FunctionError::at(
                    i,
                    format!("`{}` must not be null.", p.name),
                ));
            }
            args.push(v);
        }
        let f = Arc::clone(f);
        let result =
            std::panic::catch_unwind(AssertUnwindSafe(|| f.call(&args))).unwrap_or_else(|_| {
                error!(function = name, "function panicked");
                Err(FunctionError {
                    text: format!("{name} failed unexpectedly; this is a bug in the provider."),
                    argument: None,
                })
            })?;
        encode(&result, &f.return_type(), name).map_err(|_| FunctionError {
            text: format!(
                "{name} produced a value of the wrong type; this is a bug in the provider."
            ),
            argument: None,
        })
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

/// What the three kinds of type share for `Validate*Config`: checking a
/// configuration that may hold unknown values.
#[async_trait::async_trait]
trait Validates: Send + Sync {
    async fn check(&self, config: &Value, diags: &mut Diagnostics);
}

#[async_trait::async_trait]
impl<C: 'static> Validates for dyn Resource<C> {
    async fn check(&self, config: &Value, diags: &mut Diagnostics) {
        self.validate(config, diags).await;
    }
}

#[async_trait::async_trait]
impl<C: 'static> Validates for dyn DataSource<C> {
    async fn check(&self, config: &Value, diags: &mut Diagnostics) {
        self.validate(config, diags).await;
    }
}

#[async_trait::async_trait]
impl<C: 'static> Validates for dyn ListResource<C> {
    async fn check(&self, config: &Value, diags: &mut Diagnostics) {
        self.validate(config, diags).await;
    }
}

impl<P: Provider> ProviderServer<P> {
    /// The one validation path: find the type, decode the configuration with its
    /// schema, run its checks under the guard, then the framework's own (`timeouts`).
    async fn validate_config<T: ?Sized + Validates>(
        &self,
        found: Result<&Typed<T>, Diagnostics>,
        config: Option<&pb::DynamicValue>,
        rpc: &'static str,
        type_name: &str,
    ) -> Diagnostics {
        let mut diags = Diagnostics::new();
        let (t, [config]) = match with_values(found, [(config, "configuration")]) {
            Ok(found) => found,
            Err(d) => return d,
        };
        let span = info_span!("validate", tf_rpc = rpc, tf_type = %type_name);
        let ((), d) = self
            .guarded(
                "validation",
                (),
                t.imp.check(&config, &mut diags).instrument(span),
            )
            .await;
        diags.extend(d);
        if t.schema.has_timeouts() {
            for d in timeouts::validate(&config) {
                diags.push(d);
            }
        }
        diags
    }
}

/// A type found by name, with values of its schema decoded from the request: the
/// "find the type, decode" every handler starts with, in one place.
fn with_values<'a, T: ?Sized, const N: usize>(
    found: Result<&'a Typed<T>, Diagnostics>,
    values: [(Option<&pb::DynamicValue>, &str); N],
) -> Result<(&'a Typed<T>, [Value; N]), Diagnostics> {
    let t = found?;
    let mut out: [Value; N] = std::array::from_fn(|_| Value::Null);
    for (slot, (dv, what)) in out.iter_mut().zip(values) {
        *slot = decode(dv, &t.ty, what)?;
    }
    Ok((t, out))
}

/// Every mistake `Schema::check` finds in the provider's schemas, each prefixed
/// with the type it belongs to.
fn schema_problems<R: ?Sized, D: ?Sized, L: ?Sized>(
    provider: &Schema,
    resources: &HashMap<&'static str, Typed<R>>,
    data_sources: &HashMap<&'static str, Typed<D>>,
    list_resources: &HashMap<&'static str, Typed<L>>,
) -> Vec<String> {
    let named = std::iter::once(("provider", provider))
        .chain(resources.iter().map(|(n, t)| (*n, &t.schema)))
        .chain(data_sources.iter().map(|(n, t)| (*n, &t.schema)))
        .chain(list_resources.iter().map(|(n, t)| (*n, &t.schema)));
    let mut out: Vec<String> = named
        .flat_map(|(name, schema)| {
            schema
                .check()
                .err()
                .unwrap_or_default()
                .into_iter()
                .map(move |p| format!("{name}: {p}"))
        })
        .collect();
    out.sort();
    out
}

/// The identity of the object `state` describes, on the wire, for resources with an
/// identity schema (None while parts of it are unknown).
fn identity_of<T: ?Sized + Resource<C>, C>(
    r: &Typed<T>,
    state: &Value,
) -> Option<pb::ResourceIdentityData> {
    r.identity.as_ref()?.encode(&r.imp.identity(state))
}

/// The id an import request names: the id given, or the one its identity stands for.
fn import_id<T: ?Sized + Resource<C>, C>(
    r: &Typed<T>,
    req: &pb::import_resource_state::Request,
) -> Result<String, Diagnostics> {
    let Some(data) = &req.identity else {
        return Ok(req.id.clone());
    };
    let Some(schema) = &r.identity else {
        return Err(Diagnostic::error(
            "Import By Identity Not Supported",
            format!(
                "The resource type {} has no identity; import it by id.",
                req.type_name
            ),
        )
        .into());
    };
    let identity = schema.decode(data)?;
    r.imp
        .import_id(&identity)
        .map_err(|msg| Diagnostic::error("Invalid Identity", msg).into())
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
        format!(
            "Unknown {} Type",
            match kind {
                "resource" => "Resource",
                "list resource" => "List Resource",
                _ => "Data Source",
            }
        ),
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

mod ops;
mod rpc;

fn capabilities() -> pb::ServerCapabilities {
    pb::ServerCapabilities {
        plan_destroy: true,
        get_provider_schema_optional: true,
        move_resource_state: false,
    }
}

#[cfg(test)]
mod tests;
