//! `cloudgov_space`: a space by name within an organization, the organization given
//! by GUID or by name.

use async_trait::async_trait;

use super::{check_place, in_org, not_found, org_by_name};
use crate::cf;
use crate::errors;
use crate::framework::{Attribute, Ctx, DataSource, Diagnostics, Schema, Value};

crate::model! {
    /// A `cloudgov_space` configuration or state.
    pub(super) struct SpaceModel {
        name: String,
        org_id: String,
        org_name: String,
        id: String,
    }
}

/// The data source.
#[derive(Debug)]
pub(crate) struct Space;

#[async_trait]
impl DataSource<cf::Client> for Space {
    fn type_name(&self) -> &'static str {
        "cloudgov_space"
    }

    fn models(&self) -> crate::framework::model::Models {
        &[("", SpaceModel::FIELDS)]
    }

    fn schema(&self) -> Schema {
        Schema::new(
            "Looks up a space by name within an organization, given by `org_id` or by `org_name`.",
            vec![
                Attribute::string("name")
                    .required()
                    .description("The space's name, such as `dev`."),
                Attribute::string("org_id")
                    .optional()
                    .computed()
                    .description(
                        "GUID of the organization (see `cloudgov_org`). Give this or `org_name`.",
                    ),
                Attribute::string("org_name").optional().description(
                    "Name of the organization, such as `sandbox`. Give this or `org_id`.",
                ),
                Attribute::string("id")
                    .computed()
                    .description("The space's GUID."),
            ],
        )
    }

    async fn validate(&self, config: &Value, diags: &mut Diagnostics) {
        super::check_guid(config, "org_id", "organization", diags);
        check_place(config, "org_id", &["org_name"], "organization", diags);
    }

    async fn read(&self, ctx: &Ctx<cf::Client>, config: &Value, diags: &mut Diagnostics) -> Value {
        let Some(client) = ctx.client_or_report(diags) else {
            return Value::Null;
        };
        let config = SpaceModel::from_value(config);
        // By GUID the organization needs no request; by name, one.
        let org = match config.org_id.as_str() {
            Some(guid) => guid.to_string(),
            None => match org_by_name(client, config.org_name.as_str(), diags).await {
                Some(o) => o.guid,
                None => return Value::Null,
            },
        };
        let name = config.name.as_str().unwrap_or_default();
        match client.space_by_name(&org, name).await {
            Ok(Some(s)) => SpaceModel {
                org_id: org.clone().into(),
                id: s.guid.into(),
                ..config.clone()
            }
            .to_value(),
            Ok(None) => {
                diags.push(not_found("Space", name, &in_org(client, &org).await));
                Value::Null
            }
            Err(e) => {
                diags.push(errors::diagnostic("Space Read Error", &e));
                Value::Null
            }
        }
    }
}
