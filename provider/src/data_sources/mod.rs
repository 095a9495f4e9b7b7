//! Data sources, one file each. Shared here: the not-found diagnostic and client
//! access.

pub mod app;
pub mod domain;
pub mod network_policies;
pub mod org;
pub mod space;

use crate::cf;
use crate::framework::{AttributePath, Ctx, Diagnostic, Diagnostics, Value};

/// The configured client, or None with a diagnostic.
pub(crate) fn client<'a>(
    ctx: &'a Ctx<cf::Client>,
    diags: &mut Diagnostics,
) -> Option<&'a cf::Client> {
    match ctx.client() {
        Ok(c) => Some(c),
        Err(d) => {
            diags.push(d);
            None
        }
    }
}

/// A diagnostic on `attr` when the configuration gives it a value that is not a
/// GUID.
pub(crate) fn check_guid(config: &Value, attr: &str, what: &str, diags: &mut Diagnostics) {
    if let Some(d) =
        crate::checks::guid(config.attr(attr), attr, what, "", AttributePath::root(attr))
    {
        diags.push(d);
    }
}

/// "No X named Y ..." on the `name` attribute.
pub(crate) fn not_found(what: &str, name: &str, place: &str) -> Diagnostic {
    Diagnostic::error(
        format!("{what} Not Found"),
        format!(
            "No {} named \"{name}\" is visible{place}. Check the spelling, and that the account has a role there \
             (`cf target` shows what the account sees).",
            what.to_lowercase()
        ),
    )
    .at(AttributePath::root("name"))
}
