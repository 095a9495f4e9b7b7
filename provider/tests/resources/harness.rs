//! Terraform's side of the protocol, in process: the provider's gRPC service (the
//! framework server serving `cloudgov`) driven through validate, plan, apply, read,
//! import and destroy against a `cloudgov-sim` in the same process, as Terraform
//! drives it, so that every resource operation and error branch runs in
//! milliseconds. What differs between Terraform versions stays in the acceptance
//! suite.

use std::collections::BTreeMap;

use cloudgov_proto::tfplugin6 as pb;
use cloudgov_sim::{Config, Simulator};
use pb::provider_server::Provider as _;
use terraform_provider_cloudgov::framework::schema::{AttrType, Block, Nesting};
use terraform_provider_cloudgov::framework::server::{decode, encode};
use terraform_provider_cloudgov::framework::{Provider, ProviderServer, Schema, Value};
use terraform_provider_cloudgov::provider::CloudGov;
use tokio_util::sync::CancellationToken;
use tonic::Request;

/// One diagnostic, as Terraform would print it.
#[derive(Debug, Clone)]
pub(crate) struct Diag {
    /// An error (else a warning).
    pub(crate) error: bool,
    /// Summary.
    pub(crate) summary: String,
    /// Detail.
    pub(crate) detail: String,
    /// The first attribute of its path, if it has one.
    pub(crate) attribute: Option<String>,
}

/// What an operation answered: a value (state, plan, data) and diagnostics.
#[derive(Debug)]
pub(crate) struct Answer {
    /// The new value.
    pub(crate) value: Value,
    /// Diagnostics.
    pub(crate) diags: Vec<Diag>,
}

impl Answer {
    /// The value, failing the test on any error diagnostic.
    pub(crate) fn ok(self) -> Value {
        let errors: Vec<&Diag> = self.diags.iter().filter(|d| d.error).collect();
        assert!(errors.is_empty(), "unexpected errors: {errors:#?}");
        self.value
    }

    /// The error diagnostic with this summary, failing the test if there is none.
    pub(crate) fn error(&self, summary: &str) -> &Diag {
        self.diags
            .iter()
            .find(|d| d.error && d.summary == summary)
            .unwrap_or_else(|| panic!("no error \"{summary}\" in {:#?}", self.diags))
    }

    /// The warning with this summary, failing the test if there is none.
    pub(crate) fn warning(&self, summary: &str) -> &Diag {
        self.diags
            .iter()
            .find(|d| !d.error && d.summary == summary)
            .unwrap_or_else(|| panic!("no warning \"{summary}\" in {:#?}", self.diags))
    }
}

/// A simulator, and the provider configured against it. Each operation runs in a
/// provider server of its own, configured anew, as Terraform starts a provider
/// process for each walk: per-process caches and claims do not carry over.
pub(crate) struct Harness {
    /// The platform.
    pub(crate) sim: Simulator,
    stop: CancellationToken,
    resources: BTreeMap<String, Schema>,
    data_sources: BTreeMap<String, Schema>,
}

fn diags(list: Vec<pb::Diagnostic>) -> Vec<Diag> {
    list.into_iter()
        .map(|d| Diag {
            error: d.severity == pb::diagnostic::Severity::Error as i32,
            attribute: d.attribute.and_then(|p| {
                p.steps.into_iter().next().and_then(|s| match s.selector {
                    Some(pb::attribute_path::step::Selector::AttributeName(n)) => Some(n),
                    _ => None,
                })
            }),
            summary: d.summary,
            detail: d.detail,
        })
        .collect()
}

/// Terraform's proposed new state (objchange.ProposedNew, as far as these schemas
/// need it): configured values, and for computed attributes the configuration leaves
/// null, the prior value; nested lists element by element.
pub(crate) fn propose(block: &Block, prior: &Value, config: &Value) -> Value {
    if config.is_null() {
        return Value::Null;
    }
    let mut out = BTreeMap::new();
    for a in &block.attributes {
        let (c, p) = (config.attr(&a.name), prior.attr(&a.name));
        let v = match &a.ty {
            _ if c.is_null() && a.computed => p.clone(),
            _ if c.is_null() => Value::Null,
            AttrType::Nested(Nesting::List, attrs) => match c {
                Value::List(items) => Value::List(
                    items
                        .iter()
                        .enumerate()
                        .map(|(i, item)| {
                            let before = match p {
                                Value::List(p) => p.get(i).cloned().unwrap_or(Value::Null),
                                _ => Value::Null,
                            };
                            propose(&Block::of(attrs.clone()), &before, item)
                        })
                        .collect(),
                ),
                other => other.clone(),
            },
            _ => c.clone(),
        };
        out.insert(a.name.clone(), v);
    }
    for b in &block.blocks {
        out.insert(b.name.clone(), config.attr(&b.name).clone());
    }
    Value::Object(out)
}

impl Harness {
    /// A simulator with the default seed and the provider configured for it as
    /// `deployer`.
    pub(crate) async fn start() -> Harness {
        Harness::with_sim(Config::default()).await
    }

    /// Like `start`, with this simulator configuration.
    pub(crate) async fn with_sim(config: Config) -> Harness {
        let sim = Simulator::start(config).await.expect("simulator");
        let schema = |list: Vec<(String, Schema)>| list.into_iter().collect::<BTreeMap<_, _>>();
        let h = Harness {
            resources: schema(
                CloudGov
                    .resources()
                    .iter()
                    .map(|r| (r.type_name().to_string(), r.schema()))
                    .collect(),
            ),
            data_sources: schema(
                CloudGov
                    .data_sources()
                    .iter()
                    .map(|d| (d.type_name().to_string(), d.schema()))
                    .collect(),
            ),
            sim,
            stop: CancellationToken::new(),
        };
        drop(h.server().await);
        h
    }

    /// A provider server configured as `deployer`, as Terraform starts one.
    async fn server(&self) -> ProviderServer<CloudGov> {
        let server = ProviderServer::new(CloudGov, self.stop.clone());
        let config = Value::object([
            ("api_url", Value::from(self.sim.url.as_str())),
            ("user", Value::from("deployer")),
            ("password", Value::from("deployer")),
        ]);
        let ty = CloudGov.schema().value_type();
        let resp = server
            .configure_provider(Request::new(pb::configure_provider::Request {
                terraform_version: "1.15.5".into(),
                config: encode(&config, &ty, "config").ok(),
                ..Default::default()
            }))
            .await
            .expect("configure")
            .into_inner();
        let errors: Vec<Diag> = diags(resp.diagnostics)
            .into_iter()
            .filter(|d| d.error)
            .collect();
        assert!(errors.is_empty(), "configure: {errors:#?}");
        server
    }

    /// Terraform's stop request (Ctrl-C).
    pub(crate) fn stop(&self) {
        self.stop.cancel();
    }

    fn schema(&self, ty: &str) -> &Schema {
        self.resources
            .get(ty)
            .unwrap_or_else(|| panic!("no resource type {ty}"))
    }

    fn enc(&self, ty: &str, v: &Value) -> Option<pb::DynamicValue> {
        Some(encode(v, &self.schema(ty).value_type(), ty).expect("encode"))
    }

    fn dec(&self, ty: &str, v: Option<&pb::DynamicValue>) -> Value {
        decode(v, &self.schema(ty).value_type(), ty).expect("decode")
    }

    fn data_type(&self, ty: &str) -> terraform_provider_cloudgov::framework::Type {
        self.data_sources
            .get(ty)
            .unwrap_or_else(|| panic!("no data source {ty}"))
            .value_type()
    }

    /// `terraform validate` of one resource's configuration.
    pub(crate) async fn validate(&self, ty: &str, config: &Value) -> Vec<Diag> {
        let resp = self
            .server()
            .await
            .validate_resource_config(Request::new(pb::validate_resource_config::Request {
                type_name: ty.into(),
                config: self.enc(ty, config),
                ..Default::default()
            }))
            .await
            .expect("validate")
            .into_inner();
        diags(resp.diagnostics)
    }

    /// The plan of `config` over `prior` (`Null` to create, `config` `Null` to
    /// destroy) and the attributes whose change replaces the resource.
    pub(crate) async fn plan(
        &self,
        ty: &str,
        prior: &Value,
        config: &Value,
    ) -> (Answer, Vec<String>) {
        let proposed = propose(&self.schema(ty).block, prior, config);
        let resp = self
            .server()
            .await
            .plan_resource_change(Request::new(pb::plan_resource_change::Request {
                type_name: ty.into(),
                prior_state: self.enc(ty, prior),
                proposed_new_state: self.enc(ty, &proposed),
                config: self.enc(ty, config),
                ..Default::default()
            }))
            .await
            .expect("plan")
            .into_inner();
        let replace = resp
            .requires_replace
            .iter()
            .filter_map(|p| match p.steps.first().and_then(|s| s.selector.clone()) {
                Some(pb::attribute_path::step::Selector::AttributeName(n)) => Some(n),
                _ => None,
            })
            .collect();
        let answer = Answer {
            value: self.dec(ty, resp.planned_state.as_ref()),
            diags: diags(resp.diagnostics),
        };
        (answer, replace)
    }

    /// Applies `planned` over `prior`.
    pub(crate) async fn apply(
        &self,
        ty: &str,
        prior: &Value,
        planned: &Value,
        config: &Value,
    ) -> Answer {
        let resp = self
            .server()
            .await
            .apply_resource_change(Request::new(pb::apply_resource_change::Request {
                type_name: ty.into(),
                prior_state: self.enc(ty, prior),
                planned_state: self.enc(ty, planned),
                config: self.enc(ty, config),
                ..Default::default()
            }))
            .await
            .expect("apply")
            .into_inner();
        Answer {
            value: self.dec(ty, resp.new_state.as_ref()),
            diags: diags(resp.diagnostics),
        }
    }

    /// Validate, plan and apply of `config` over `prior`, replacing (destroy, then
    /// create) when the plan says so, as `terraform apply` does. Stops at the first
    /// step with an error.
    pub(crate) async fn converge(&self, ty: &str, prior: &Value, config: &Value) -> Answer {
        let found = self.validate(ty, config).await;
        if found.iter().any(|d| d.error) {
            return Answer {
                value: prior.clone(),
                diags: found,
            };
        }
        let (plan, replace) = self.plan(ty, prior, config).await;
        if plan.diags.iter().any(|d| d.error) {
            return Answer {
                value: prior.clone(),
                ..plan
            };
        }
        if !replace.is_empty() && !prior.is_null() {
            let gone = self.destroy(ty, prior).await;
            if gone.diags.iter().any(|d| d.error) {
                return gone;
            }
            return Box::pin(self.converge(ty, &Value::Null, config)).await;
        }
        let mut applied = self.apply(ty, prior, &plan.value, config).await;
        applied.diags.splice(0..0, plan.diags);
        applied
    }

    /// `converge` from nothing.
    pub(crate) async fn create(&self, ty: &str, config: &Value) -> Answer {
        self.converge(ty, &Value::Null, config).await
    }

    /// Refresh.
    pub(crate) async fn read(&self, ty: &str, state: &Value) -> Answer {
        let resp = self
            .server()
            .await
            .read_resource(Request::new(pb::read_resource::Request {
                type_name: ty.into(),
                current_state: self.enc(ty, state),
                ..Default::default()
            }))
            .await
            .expect("read")
            .into_inner();
        Answer {
            value: self.dec(ty, resp.new_state.as_ref()),
            diags: diags(resp.diagnostics),
        }
    }

    /// `terraform import`: the imported state, then refreshed.
    pub(crate) async fn import(&self, ty: &str, id: &str) -> Answer {
        let resp = self
            .server()
            .await
            .import_resource_state(Request::new(pb::import_resource_state::Request {
                type_name: ty.into(),
                id: id.into(),
                ..Default::default()
            }))
            .await
            .expect("import")
            .into_inner();
        let found = diags(resp.diagnostics);
        let Some(imported) = resp.imported_resources.first() else {
            return Answer {
                value: Value::Null,
                diags: found,
            };
        };
        let state = self.dec(ty, imported.state.as_ref());
        let mut read = self.read(ty, &state).await;
        read.diags.splice(0..0, found);
        read
    }

    /// `terraform destroy` of one resource: a null plan, applied.
    pub(crate) async fn destroy(&self, ty: &str, state: &Value) -> Answer {
        let (plan, _) = self.plan(ty, state, &Value::Null).await;
        assert!(plan.value.is_null(), "destroy plans null: {:?}", plan.value);
        self.apply(ty, state, &Value::Null, &Value::Null).await
    }

    /// Refresh, then plan `config`: fails unless the plan is empty, as `terraform
    /// plan` after an apply must be.
    pub(crate) async fn assert_no_changes(&self, ty: &str, state: &Value, config: &Value) {
        let refreshed = self.read(ty, state).await.ok();
        let (plan, replace) = self.plan(ty, &refreshed, config).await;
        assert!(replace.is_empty(), "the plan replaces: {replace:?}");
        assert_eq!(plan.ok(), refreshed, "the plan after apply has changes");
    }

    /// A data source's plan-time validation, as Terraform asks for it (unknown
    /// values included).
    pub(crate) async fn validate_data(&self, ty: &str, config: &Value) -> Vec<Diag> {
        let resp = self
            .server()
            .await
            .validate_data_resource_config(Request::new(
                pb::validate_data_resource_config::Request {
                    type_name: ty.into(),
                    config: Some(encode(config, &self.data_type(ty), ty).expect("encode")),
                },
            ))
            .await
            .expect("validate data")
            .into_inner();
        diags(resp.diagnostics)
    }

    /// A data source read (validated first).
    pub(crate) async fn data(&self, ty: &str, config: &Value) -> Answer {
        let found = self.validate_data(ty, config).await;
        if found.iter().any(|d| d.error) {
            return Answer {
                value: Value::Null,
                diags: found,
            };
        }
        let resp = self
            .server()
            .await
            .read_data_source(Request::new(pb::read_data_source::Request {
                type_name: ty.into(),
                config: Some(encode(config, &self.data_type(ty), ty).expect("encode")),
                ..Default::default()
            }))
            .await
            .expect("read data")
            .into_inner();
        Answer {
            value: decode(resp.state.as_ref(), &self.data_type(ty), ty).expect("decode"),
            diags: found.into_iter().chain(diags(resp.diagnostics)).collect(),
        }
    }
}
