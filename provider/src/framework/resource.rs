//! The traits resources and data sources implement, and the
//! context every operation receives (the configured client, cancellation). Resource
//! code sees typed values and diagnostics only, never protocol messages.

use std::sync::Arc;

use async_trait::async_trait;

use super::diag::{AttributePath, Diagnostic, Diagnostics};
use super::schema::Schema;
use super::value::Value;

/// What every operation gets: the client built by `configure`. Stopping has one
/// route: the token `Provider::configure` receives, cancelled when Terraform asks the
/// provider to stop (Ctrl-C, `StopProvider`), which the client observes.
pub struct Ctx<C> {
    client: Option<Arc<C>>,
}

impl<C> std::fmt::Debug for Ctx<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ctx")
            .field("configured", &self.client.is_some())
            .finish()
    }
}

impl<C> Ctx<C> {
    /// A context with this client (None before the provider is configured).
    pub fn new(client: Option<Arc<C>>) -> Ctx<C> {
        Ctx { client }
    }

    /// The configured client, or None with that error added to `diags`.
    pub fn client_or_report(&self, diags: &mut Diagnostics) -> Option<&C> {
        match self.client() {
            Ok(c) => Some(c),
            Err(d) => {
                diags.push(d);
                None
            }
        }
    }

    /// The configured client, or an error diagnostic saying the provider was used
    /// before it was configured.
    pub fn client(&self) -> Result<&C, Diagnostic> {
        self.client.as_deref().ok_or_else(|| {
            Diagnostic::error(
                "Provider Not Configured",
                "The provider was asked to work before it was configured. This happens when the \
                 provider configuration depends on values that are not yet known; make those values \
                 known (apply their resources first with -target) and try again.",
            )
        })
    }
}

/// A planned change, for a resource to adjust: `planned` starts as Terraform's
/// proposed new state with the schema's defaults applied, computed attributes unknown
/// on create, and `requires_replace` filled from the schema.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The state before the change (Null on create).
    pub prior: Value,
    /// The configuration (may hold unknowns).
    pub config: Value,
    /// The state to plan; the resource may refine computed attributes.
    pub planned: Value,
    /// Attributes whose change replaces the resource.
    pub requires_replace: Vec<AttributePath>,
}

/// The inputs of create and update.
#[derive(Debug, Clone)]
pub struct Change {
    /// The state before (Null on create).
    pub prior: Value,
    /// The planned state; unknowns are for the resource to fill.
    pub planned: Value,
    /// The configuration, wholly known at apply time.
    pub config: Value,
}

/// A managed resource type. Each lives in its own file under `resources/`.
///
/// Conventions: methods report problems through `diags` and return the state that
/// matches reality: `create` returns Null when nothing was created, and the partial
/// object when only part of it was; `update` returns what is now true remotely.
#[async_trait]
pub trait Resource<C>: Send + Sync + 'static {
    /// The full type name, e.g. `cloudgov_network_policy`.
    fn type_name(&self) -> &'static str;

    /// The schema.
    fn schema(&self) -> Schema;

    /// The typed models of this type's values (see `model::Models`).
    fn models(&self) -> super::model::Models {
        &[]
    }

    /// Checks a configuration that may hold unknown values; skip what is unknown.
    async fn validate(&self, _config: &Value, _diags: &mut Diagnostics) {}

    /// Adjusts a plan beyond what the schema already says.
    async fn plan(&self, _ctx: &Ctx<C>, _plan: &mut Plan, _diags: &mut Diagnostics) {}

    /// Creates the object.
    async fn create(&self, ctx: &Ctx<C>, change: &Change, diags: &mut Diagnostics) -> Value;

    /// Reads the object; Null means it is gone.
    async fn read(&self, ctx: &Ctx<C>, state: &Value, diags: &mut Diagnostics) -> Value;

    /// Updates the object in place.
    async fn update(&self, ctx: &Ctx<C>, change: &Change, diags: &mut Diagnostics) -> Value;

    /// Deletes the object; an object already gone is not an error.
    async fn delete(&self, ctx: &Ctx<C>, prior: &Value, diags: &mut Diagnostics);

    /// Turns an import id into a state for `read` to complete.
    async fn import(&self, _ctx: &Ctx<C>, _id: &str, diags: &mut Diagnostics) -> Value {
        diags.push(Diagnostic::error(
            "Import Not Supported",
            format!("The resource type {} cannot be imported.", self.type_name()),
        ));
        Value::Null
    }

    /// The identity schema, for resources that have one (import by identity, list
    /// resources). None by default.
    fn identity_schema(&self) -> Option<super::identity::IdentitySchema> {
        None
    }

    /// The identity of the object a state describes (parts may be unknown while
    /// planning a create).
    fn identity(&self, _state: &Value) -> Value {
        Value::Null
    }

    /// The import id an identity stands for, so that import by identity and import by
    /// id share `import`; a message when the identity is incomplete.
    fn import_id(&self, _identity: &Value) -> Result<String, String> {
        Err(format!(
            "The resource type {} cannot be imported by identity.",
            self.type_name()
        ))
    }

    /// Upgrades state stored by an older schema version. The default accepts state
    /// of the current version only.
    fn upgrade_state(
        &self,
        version: i64,
        raw: &serde_json::Value,
        diags: &mut Diagnostics,
    ) -> Value {
        let schema = self.schema();
        if version != schema.version {
            diags.push(Diagnostic::error(
                "Unsupported State Version",
                format!(
                    "The state of this {} was written with schema version {version}, and this provider \
                     knows only version {}. Use the provider version that wrote the state.",
                    self.type_name(),
                    schema.version
                ),
            ));
            return Value::Null;
        }
        match super::codec::from_json_value(raw, &schema.value_type()) {
            Ok(v) => v,
            Err(e) => {
                diags.push(Diagnostic::internal("decoding stored state", e));
                Value::Null
            }
        }
    }
}

/// A data source type. Each lives in its own file under `data_sources/`.
#[async_trait]
pub trait DataSource<C>: Send + Sync + 'static {
    /// The full type name, e.g. `cloudgov_app`.
    fn type_name(&self) -> &'static str;

    /// The schema.
    fn schema(&self) -> Schema;

    /// The typed models of this type's values (see `model::Models`).
    fn models(&self) -> super::model::Models {
        &[]
    }

    /// Checks a configuration that may hold unknown values.
    async fn validate(&self, _config: &Value, _diags: &mut Diagnostics) {}

    /// Reads the data described by `config`.
    async fn read(&self, ctx: &Ctx<C>, config: &Value, diags: &mut Diagnostics) -> Value;
}
