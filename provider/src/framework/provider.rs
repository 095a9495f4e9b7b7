//! The trait the provider implements: its configuration schema, how configuration
//! becomes the client its types share, and the lists of its resources, data sources
//! and list resources (the one place each type is registered).

use std::sync::Arc;

use async_trait::async_trait;
use tokio_util::sync::CancellationToken;

use super::diag::Diagnostics;
use super::function::Function;
use super::list::ListResource;
use super::resource::{DataSource, Resource};
use super::schema::Schema;
use super::value::Value;

/// The provider itself: its configuration schema, how it builds the client every
/// resource shares, and the list of its resources and data sources.
#[async_trait]
pub trait Provider: Send + Sync + 'static {
    /// What resources and data sources are handed after configuration.
    type Client: Send + Sync + 'static;

    /// The provider block's schema.
    fn schema(&self) -> Schema;

    /// Every resource type.
    fn resources(&self) -> Vec<Arc<dyn Resource<Self::Client>>>;

    /// Every data source type.
    fn data_sources(&self) -> Vec<Arc<dyn DataSource<Self::Client>>>;

    /// Every list resource type (for `terraform query`). None by default.
    fn list_resources(&self) -> Vec<Arc<dyn ListResource<Self::Client>>> {
        Vec::new()
    }

    /// Every provider-defined function. None by default.
    fn functions(&self) -> Vec<Arc<dyn Function>> {
        Vec::new()
    }

    /// Checks the provider configuration (values may be unknown).
    async fn validate(&self, _config: &Value, _diags: &mut Diagnostics) {}

    /// Builds the client from a configuration; None with error diagnostics when it
    /// cannot.
    async fn configure(
        &self,
        config: &Value,
        terraform_version: &str,
        cancel: &CancellationToken,
        diags: &mut Diagnostics,
    ) -> Option<Self::Client>;
}
