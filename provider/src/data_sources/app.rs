//! `cloudgov_app`: an app by name within a space.

use async_trait::async_trait;

use super::{client, not_found};
use crate::cf;
use crate::errors;
use crate::framework::{Attribute, Ctx, DataSource, Diagnostics, Schema, Value};

/// The data source.
pub struct App;

#[async_trait]
impl DataSource<cf::Client> for App {
    fn type_name(&self) -> &'static str {
        "cloudgov_app"
    }

    fn schema(&self) -> Schema {
        Schema::new(
            "Looks up an app by name within a space. Its `id` is what routes and policies refer to; a blue-green \
             deploy that creates a new app gives it a new id.",
            vec![
                Attribute::string("name")
                    .required()
                    .description("The app's name, such as `backend`."),
                Attribute::string("space_id")
                    .required()
                    .description("GUID of the space (see `cloudgov_space`)."),
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
    }

    async fn read(&self, ctx: &Ctx<cf::Client>, config: &Value, diags: &mut Diagnostics) -> Value {
        let Some(client) = client(ctx, diags) else {
            return Value::Null;
        };
        let name = config.attr("name").as_str().unwrap_or_default();
        let space = config.attr("space_id").as_str().unwrap_or_default();
        match client.app_by_name(space, name).await {
            Ok(Some(a)) => Value::object([
                ("name", Value::from(name)),
                ("space_id", Value::from(space)),
                ("id", Value::from(a.guid)),
                ("state", Value::from(a.state)),
            ]),
            Ok(None) => {
                diags.push(not_found("App", name, &format!(" in space {space}")));
                Value::Null
            }
            Err(e) => {
                diags.push(errors::diagnostic("App Read Error", &e));
                Value::Null
            }
        }
    }
}
