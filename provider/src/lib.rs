//! terraform-provider-cloudgov: a Terraform / OpenTofu provider for cloud.gov
//! container-to-container networking.
//!
//! Layers, each depending only on those before it: `framework` (values, schemas,
//! diagnostics, the tfplugin6 service), `plugin` (the go-plugin process contract),
//! `cf` (the Cloud Foundry API client, which knows nothing of Terraform), and
//! `provider` (the `cloudgov` provider and its list of resources). `deadline` is a
//! leaf every layer may use: the time limit of the operation in progress.

pub mod cf;
pub(crate) mod checks;
pub(crate) mod connectivity;
pub(crate) mod data_sources;
pub(crate) mod deadline;
#[cfg(test)]
mod docs;
pub(crate) mod errors;
pub mod framework;
pub(crate) mod functions;
pub(crate) mod list_resources;
pub mod plugin;
pub mod provider;
pub(crate) mod resources;
