//! `cloudgov_domain`: a domain by name, and whether it is internal.

use async_trait::async_trait;

use super::not_found;
use crate::cf;
use crate::errors;
use crate::framework::{Attribute, Ctx, DataSource, Diagnostics, Schema, Value};

crate::model! {
    /// A `cloudgov_domain` configuration or state.
    pub(super) struct DomainModel {
        name: String,
        id: String,
        internal: bool,
    }
}

/// The data source.
#[derive(Debug)]
pub(crate) struct Domain;

#[async_trait]
impl DataSource<cf::Client> for Domain {
    fn type_name(&self) -> &'static str {
        "cloudgov_domain"
    }

    fn models(&self) -> crate::framework::model::Models {
        &[("", DomainModel::FIELDS)]
    }

    fn schema(&self) -> Schema {
        Schema::new(
            "Looks up a domain by name.",
            vec![
                Attribute::string("name")
                    .required()
                    .description("The domain's name, such as `apps.internal`."),
                Attribute::string("id")
                    .computed()
                    .description("The domain's GUID."),
                Attribute::bool("internal")
                    .computed()
                    .description("True for internal (container-to-container) domains."),
            ],
        )
    }

    async fn read(&self, ctx: &Ctx<cf::Client>, config: &Value, diags: &mut Diagnostics) -> Value {
        let Some(client) = ctx.client_or_report(diags) else {
            return Value::Null;
        };
        let config = DomainModel::from_value(config);
        let name = config.name.as_str().unwrap_or_default();
        match client.domain_by_name(name).await {
            Ok(Some(d)) => DomainModel {
                id: d.guid.into(),
                internal: d.internal.into(),
                ..config.clone()
            }
            .to_value(),
            Ok(None) => {
                diags.push(not_found("Domain", name, " on this platform"));
                Value::Null
            }
            Err(e) => {
                diags.push(errors::diagnostic("Domain Read Error", &e));
                Value::Null
            }
        }
    }
}
