//! Every resource and data source of the provider, driven in process through the
//! provider's gRPC service against `cloudgov-sim` (see `harness`): lifecycles, import,
//! drift, and each error branch of create, update and delete, asserting diagnostics
//! and what the platform holds. Runs in seconds; the acceptance suite keeps what
//! differs between Terraform, OpenTofu and their versions.

mod harness;

mod connectivity;
mod data_sources;
mod internal_route;
mod network_policies_exclusive;
mod network_policy;

use terraform_provider_cloudgov::framework::Value;

/// An object from `(attribute, value)` pairs; attributes left out are null.
pub(crate) fn obj<const N: usize>(pairs: [(&str, Value); N]) -> Value {
    Value::object(pairs)
}

/// A string value.
pub(crate) fn s(text: &str) -> Value {
    Value::from(text)
}
