//! `cloudgov_app`: an app by name within a space, the space given by GUID or by
//! organization and space names.

use async_trait::async_trait;

use super::{check_place, in_space, not_found, org_by_name};
use crate::cf;
use crate::errors;
use crate::framework::{Attribute, AttributePath, Ctx, DataSource, Diagnostics, Schema, Value};

/// The data source.
#[derive(Debug)]
pub(crate) struct App;

crate::model! {
    /// A `cloudgov_app` configuration or state.
    pub(super) struct AppModel {
        name: String,
        space_id: String,
        org_name: String,
        space_name: String,
        id: String,
        state: String,
    }
}

/// The space GUID the configuration names, looked up by names when needed; None
/// after a diagnostic.
async fn space_of(
    client: &cf::Client,
    config: &AppModel,
    diags: &mut Diagnostics,
) -> Option<String> {
    if let Some(guid) = config.space_id.as_str() {
        return Some(guid.to_string());
    }
    let org = org_by_name(client, config.org_name.as_str(), diags).await?;
    let name = config.space_name.as_str().unwrap_or_default();
    match client.space_by_name(&org.guid, name).await {
        Ok(Some(s)) => Some(s.guid),
        Ok(None) => {
            diags.push(
                not_found("Space", name, &format!(" in organization \"{}\"", org.name))
                    .at(AttributePath::root("space_name")),
            );
            None
        }
        Err(e) => {
            diags.push(errors::diagnostic("Space Lookup Error", &e));
            None
        }
    }
}

#[async_trait]
impl DataSource<cf::Client> for App {
    fn type_name(&self) -> &'static str {
        "cloudgov_app"
    }

    fn models(&self) -> crate::framework::model::Models {
        &[("", AppModel::FIELDS)]
    }

    fn schema(&self) -> Schema {
        Schema::new(
            "Looks up an app by name within a space, given by `space_id` or by `org_name` and `space_name`. Its `id` \
             is what routes and policies refer to; a blue-green deploy that creates a new app gives it a new id.",
            vec![
                Attribute::string("name")
                    .required()
                    .description("The app's name, such as `backend`."),
                Attribute::string("space_id").optional().computed().description(
                    "GUID of the space (see `cloudgov_space`). Give this, or `org_name` and `space_name`.",
                ),
                Attribute::string("org_name")
                    .optional()
                    .description("Name of the space's organization, such as `sandbox`; goes with `space_name`."),
                Attribute::string("space_name")
                    .optional()
                    .description("Name of the space, such as `dev`; goes with `org_name`."),
                Attribute::string("id")
                    .computed()
                    .description("The app's GUID."),
                Attribute::string("state")
                    .computed()
                    .description("`STARTED` or `STOPPED`."),
            ],
        )
    }

    async fn validate(&self, config: &Value, diags: &mut Diagnostics) {
        super::check_guid(config, "space_id", "space", diags);
        check_place(
            config,
            "space_id",
            &["org_name", "space_name"],
            "space",
            diags,
        );
    }

    async fn read(&self, ctx: &Ctx<cf::Client>, config: &Value, diags: &mut Diagnostics) -> Value {
        let Some(client) = ctx.client_or_report(diags) else {
            return Value::Null;
        };
        let config = AppModel::from_value(config);
        let Some(space) = space_of(client, &config, diags).await else {
            return Value::Null;
        };
        let name = config.name.as_str().unwrap_or_default();
        match client.app_by_name(&space, name).await {
            Ok(Some(a)) => AppModel {
                space_id: space.clone().into(),
                id: a.guid.into(),
                state: a.state.into(),
                ..config.clone()
            }
            .to_value(),
            Ok(None) => {
                diags.push(not_found("App", name, &in_space(client, &space).await));
                Value::Null
            }
            Err(e) => {
                diags.push(errors::diagnostic("App Read Error", &e));
                Value::Null
            }
        }
    }
}
