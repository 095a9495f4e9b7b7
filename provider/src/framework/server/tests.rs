use super::*;
use crate::framework::schema::Attribute;
use async_trait::async_trait;
use pb::provider_server::Provider as _;
use std::collections::BTreeMap;
use std::sync::Mutex;
use tonic::Request;

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
    async fn create(&self, ctx: &Ctx<Remote>, change: &Change, diags: &mut Diagnostics) -> Value {
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
async fn destroy_plans_null_and_stop_cancels_the_clients_token() {
    let stop = CancellationToken::new();
    let s = ProviderServer::new(TestProvider, stop.clone());
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
    // The one cancellation route: the token `configure` hands to the client.
    assert!(!stop.is_cancelled());
    s.stop_provider(Request::new(pb::stop_provider::Request {}))
        .await
        .unwrap();
    assert!(stop.is_cancelled());
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
