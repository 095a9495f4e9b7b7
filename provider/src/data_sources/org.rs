//! `cloudgov_org`: an organization by name.

use async_trait::async_trait;

use super::not_found;
use crate::cf;
use crate::errors;
use crate::framework::{Attribute, Ctx, DataSource, Diagnostics, Schema, Value};

crate::model! {
    /// A `cloudgov_org` configuration or state.
    pub(super) struct OrgModel {
        name: String,
        id: String,
    }
}

/// The data source.
#[derive(Debug)]
pub(crate) struct Org;

#[async_trait]
impl DataSource<cf::Client> for Org {
    fn type_name(&self) -> &'static str {
        "cloudgov_org"
    }

    fn models(&self) -> crate::framework::model::Models {
        &[("", OrgModel::FIELDS)]
    }

    fn schema(&self) -> Schema {
        Schema::new(
            "Looks up an organization by name.",
            vec![
                Attribute::string("name")
                    .required()
                    .description("The organization's name, such as `sandbox`."),
                Attribute::string("id")
                    .computed()
                    .description("The organization's GUID."),
            ],
        )
    }

    async fn read(&self, ctx: &Ctx<cf::Client>, config: &Value, diags: &mut Diagnostics) -> Value {
        let Some(client) = ctx.client_or_report(diags) else {
            return Value::Null;
        };
        let config = OrgModel::from_value(config);
        let name = config.name.as_str().unwrap_or_default();
        match client.org_by_name(name).await {
            Ok(Some(o)) => OrgModel {
                id: o.guid.into(),
                ..config.clone()
            }
            .to_value(),
            Ok(None) => {
                diags.push(not_found("Organization", name, " to this account"));
                Value::Null
            }
            Err(e) => {
                diags.push(errors::diagnostic("Organization Read Error", &e));
                Value::Null
            }
        }
    }
}
