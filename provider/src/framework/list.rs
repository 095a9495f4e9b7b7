//! List resources (protocol 6.10, Terraform 1.14+): what a `list` block in a
//! `*.tfquery.hcl` file asks for, so that `terraform query` can find existing objects
//! and `-generate-config-out` can write their configuration and import blocks. A list
//! resource has the type name of the managed resource it lists, its own schema (the
//! inside of the `list` block's `config { }`), and returns each object's identity,
//! a display name and, when asked, its full state.

use async_trait::async_trait;

use super::diag::Diagnostics;
use super::resource::Ctx;
use super::schema::Schema;
use super::value::Value;

/// One object found.
#[derive(Debug, Clone, PartialEq)]
pub struct Listed {
    /// Its identity, of the managed resource's identity schema.
    pub identity: Value,
    /// A name for people, such as `backend.apps.internal`.
    pub display_name: String,
    /// Its state, of the managed resource's schema.
    pub state: Value,
}

/// A list resource type; its `type_name` is that of the managed resource it lists,
/// which must have an identity schema.
#[async_trait]
pub trait ListResource<C>: Send + Sync + 'static {
    /// The managed resource type listed, e.g. `cloudgov_internal_route`.
    fn type_name(&self) -> &'static str;

    /// The schema of the `config { }` block.
    fn schema(&self) -> Schema;

    /// The typed models of the `config { }` block (see `model::Models`).
    fn models(&self) -> super::model::Models {
        &[]
    }

    /// Checks a configuration that may hold unknown values.
    async fn validate(&self, _config: &Value, _diags: &mut Diagnostics) {}

    /// The objects `config` selects. Each carries its state; the server drops it
    /// when Terraform did not ask for full objects.
    async fn list(&self, ctx: &Ctx<C>, config: &Value, diags: &mut Diagnostics) -> Vec<Listed>;
}
