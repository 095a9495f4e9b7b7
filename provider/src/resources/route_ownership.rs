//! Who owns a route. Every route this provider creates carries a marker label and an
//! annotation naming its origin: the machine and working directory of the Terraform
//! run that created it, which is where that configuration's state lives. When a
//! create finds its hostname taken, the route is adopted only when it carries the
//! marker, sits in the planned space and comes from this very origin: an apply here
//! that was stopped before Terraform saved its state. A route from another origin
//! belongs to another configuration and is refused, with what is known of it. See
//! `design/ownership.md`.

use std::sync::OnceLock;

use crate::cf;
use crate::errors;
use crate::framework::{AttributePath, Diagnostic};

/// The label every route this provider creates carries (documented).
pub(crate) const MARKER_LABEL: (&str, &str) =
    ("cloud.gov/managed-by", "terraform-provider-cloudgov");

/// The annotation naming the origin of a route this provider created (documented).
pub(crate) const ORIGIN_ANNOTATION: &str = "cloud.gov/terraform-origin";

/// This run's origin: a UUID (v5, so stable across runs and provider versions) of
/// the machine's name and the working directory Terraform started the provider in
/// (the configuration's directory). Two copies of a configuration in two
/// directories, or on two machines, have two origins.
pub(crate) fn origin() -> &'static str {
    static ORIGIN: OnceLock<String> = OnceLock::new();
    ORIGIN.get_or_init(|| {
        let machine = std::env::var("HOSTNAME")
            .or_else(|_| std::env::var("COMPUTERNAME"))
            .ok()
            .filter(|h| !h.is_empty())
            .or_else(|| std::fs::read_to_string("/proc/sys/kernel/hostname").ok())
            .or_else(|| std::fs::read_to_string("/etc/hostname").ok())
            .unwrap_or_default();
        let dir = std::env::current_dir()
            .map(|d| d.display().to_string())
            .unwrap_or_default();
        let name = format!("{}\n{dir}", machine.trim());
        uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_OID, name.as_bytes()).to_string()
    })
}

/// The metadata annotations a route created here carries.
pub(crate) fn annotations() -> [(&'static str, &'static str); 1] {
    [(ORIGIN_ANNOTATION, origin())]
}

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
/// with a warning saying what is known, when it carries this provider's marker, sits
/// in the planned space and comes from this origin; otherwise a refusal that says who
/// holds it and what to do.
fn adoptable(
    route: &cf::models::Route,
    space: &str,
    held_in: &str,
    fqdn: &str,
) -> Result<Diagnostic, Diagnostic> {
    let guid = &route.guid;
    let path = AttributePath::root("hostname");
    let marked = route.metadata.label(MARKER_LABEL.0) == Some(MARKER_LABEL.1);
    let created = route.created_at.as_deref().unwrap_or("an unknown time");
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
    if route.metadata.annotation(ORIGIN_ANNOTATION) != Some(origin()) {
        return Err(Diagnostic::error(
            "Route Held by Another Configuration",
            format!(
                "The route {fqdn} ({guid}) in space {held_in} was created at {created} by this provider for \
                 another configuration (another working directory or machine), whose state manages it; \
                 destroying it there would delete it for both. It is not taken over. Choose another hostname. \
                 Only if that other run was stopped before it saved its state, and this configuration is meant \
                 to manage the route instead: {import}"
            ),
        )
        .at(path));
    }
    Ok(Diagnostic::warning(
        "Existing Route Adopted",
        format!(
            "The route {fqdn} ({guid}) already existed, created at {created} by this provider from this \
             configuration's directory on this machine, but this state did not hold it: an earlier apply here \
             was most likely stopped before Terraform saved it. This resource now manages it."
        ),
    ))
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
