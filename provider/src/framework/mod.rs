//! A small resource framework over tfplugin6: values, codec, schemas, diagnostics, the
//! `Provider` / `Resource` / `DataSource` traits and the gRPC service that dispatches
//! to them. Knows nothing of Cloud Foundry; depends on `cloudgov-proto` only.

pub mod codec;
pub mod diag;
pub mod function;
pub mod identity;
pub mod list;
pub mod model;
pub mod plan;
pub mod provider;
pub mod resource;
pub mod schema;
pub mod server;
pub mod timeouts;
pub mod value;

pub use diag::{AttributePath, Diagnostic, Diagnostics};
pub use function::{Function, FunctionError, Parameter};
pub use identity::{IdentityAttribute, IdentitySchema};
pub use list::{ListResource, Listed};
pub use model::{Attr, FromValue, ToValue};
pub use provider::Provider;
pub use resource::{Change, Ctx, DataSource, Plan, Resource};
pub use schema::{Attribute, Nesting, Schema};
pub use server::ProviderServer;
pub use value::{Number, Type, Value};
