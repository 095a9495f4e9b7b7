//! Who owns a route. Every route this provider creates carries a marker label; when a
//! create finds its hostname taken, the route is adopted only when it carries the
//! marker and sits in the planned space (an apply killed before Terraform saved it);
//! otherwise the refusal says what is known of the owner and what to do.

use crate::cf;
use crate::errors;
use crate::framework::{AttributePath, Diagnostic};

/// The label every route this provider creates carries (documented). A route that
/// exists with it, in the planned space, was created by this provider and lost from
/// state (a killed apply), so create adopts it; one without it is someone else's.
pub(crate) const MARKER_LABEL: (&str, &str) =
    ("cloud.gov/managed-by", "terraform-provider-cloudgov");

/// How the import command reads in messages: the provider is never told the
/// resource's address, so a placeholder stands for it and the text says so.
const ADDRESS_PLACEHOLDER: &str = "cloudgov_internal_route.NAME";

/// "space NAME (GUID)" for messages, or the GUID alone when the name cannot be read.
async fn space_name(client: &cf::Client, route: &cf::models::Route) -> String {
    let guid = route.relationships.space.guid();
    match client.space(guid).await {
        Ok(Some(s)) => format!("\"{}\" ({guid})", s.name),
        _ => guid.to_string(),
    }
}

/// Decides whether create may take over an existing route with the planned name
/// (another resource of this run naming it was refused before any request): yes,
/// with a warning saying so, when it carries this provider's marker and sits in the
/// planned space; otherwise a refusal that says who owns it and how to import it.
fn adoptable(
    route: &cf::models::Route,
    space: &str,
    held_in: &str,
    fqdn: &str,
) -> Result<Diagnostic, Diagnostic> {
    let guid = &route.guid;
    let path = AttributePath::root("hostname");
    let marked = route.metadata.label(MARKER_LABEL.0) == Some(MARKER_LABEL.1);
    let import = format!(
        "To manage it with this resource, import it:\n\n  terraform import {ADDRESS_PLACEHOLDER} {guid}\n\nor \
         add an import block (Terraform 1.5 and later):\n\n  import {{\n    to = {ADDRESS_PLACEHOLDER}\n    \
         id = \"{guid}\"\n  }}\n\nwith this resource's address in place of {ADDRESS_PLACEHOLDER}. Or choose \
         another hostname."
    );
    if route.relationships.space.guid() != space {
        // Importing it would plan a replacement into this space, deleting theirs.
        return Err(Diagnostic::error(
            "Route Already Exists",
            format!(
                "The route {fqdn} ({guid}) exists in another space, {held_in}. Internal hostnames are shared by \
                 the whole foundation, so this one is taken: choose another hostname."
            ),
        )
        .at(path));
    }
    if !marked {
        return Err(Diagnostic::error(
            "Route Already Exists",
            format!(
                "The route {fqdn} ({guid}) exists and is not in this state. It does not carry this provider's \
                 label {}={}, so another tool or person owns it (for example `cf map-route`), and Terraform does \
                 not take it over silently. {import}",
                MARKER_LABEL.0, MARKER_LABEL.1
            ),
        )
        .at(path));
    }
    Ok(Diagnostic::warning(
        "Existing Route Adopted",
        format!(
            "The route {fqdn} ({guid}) already existed with this provider's label {}={}: an earlier apply \
             created it and was stopped before Terraform recorded it in state. This resource now manages it. If \
             another resource or configuration also manages this route, remove one of them, since destroying \
             either deletes the route.",
            MARKER_LABEL.0, MARKER_LABEL.1
        ),
    )
    .at(path))
}

/// After the platform said the route's hostname is taken: the existing route to adopt
/// with the warning that says so, or the refusal (an error diagnostic) that says who
/// holds it, as far as this account can see.
pub(super) async fn take_over(
    client: &cf::Client,
    host: &str,
    domain_guid: &str,
    space: &str,
    fqdn: &str,
) -> Result<(cf::models::Route, Diagnostic), Diagnostic> {
    match client.find_route(host, domain_guid).await {
        Ok(Some(r)) => {
            let held_in = space_name(client, &r).await;
            adoptable(&r, space, &held_in, fqdn).map(|warning| (r, warning))
        }
        // Taken, and invisible: held in a space this account cannot see.
        Ok(None) => Err(Diagnostic::error(
            "Route Already Exists",
            format!(
                "The hostname {fqdn} is taken. Internal hostnames are shared by the whole foundation, and the \
                 route that holds it is in a space this account cannot see. Choose another hostname."
            ),
        )
        .at(AttributePath::root("hostname"))),
        Err(e) => Err(errors::diagnostic("Internal Route Create Error", &e)),
    }
}
