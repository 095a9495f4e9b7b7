//! Data sources, one file each. Shared here: the not-found diagnostic and the
//! lookups of a place by GUID or by names.

pub(crate) mod app;
pub(crate) mod domain;
pub(crate) mod internal_route;
pub(crate) mod network_graph;
pub(crate) mod network_policies;
pub(crate) mod org;
pub(crate) mod reachability;
pub(crate) mod space;

use crate::cf;
use crate::framework::{AttributePath, Diagnostic, Diagnostics, Value};

/// A diagnostic on `attr` when the configuration gives it a value that is not a
/// GUID.
pub(crate) fn check_guid(config: &Value, attr: &str, what: &str, diags: &mut Diagnostics) {
    crate::checks::guid_attrs(config, &[(attr, what)], diags);
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

/// Checks that a lookup names its place one way: by GUID (`by_id`) or by all of
/// `by_names`, never both. Unknown values count as given.
pub(crate) fn check_place(
    config: &Value,
    by_id: &str,
    by_names: &[&str],
    what: &str,
    diags: &mut Diagnostics,
) {
    let given = |a: &str| !config.attr(a).is_null();
    let names = by_names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(" and ");
    let either = format!("Give `{by_id}`, or {names}.");
    if given(by_id) {
        if let Some(extra) = by_names.iter().find(|n| given(n)) {
            diags.push(
                Diagnostic::error(
                    "Conflicting Arguments",
                    format!("`{extra}` cannot be combined with `{by_id}`: the {what} is named one way. {either}"),
                )
                .at(AttributePath::root(extra)),
            );
        }
        return;
    }
    match by_names.iter().find(|n| !given(n)) {
        None => {}
        Some(_) if by_names.iter().all(|n| !given(n)) => diags.push(
            Diagnostic::error(
                format!("Missing {}", title(what)),
                format!("No {what} is given. {either}"),
            )
            .at(AttributePath::root(by_id)),
        ),
        // Point at a name that is written, so that Terraform quotes its line.
        Some(missing) => {
            let written = by_names.iter().find(|n| given(n)).unwrap_or(missing);
            diags.push(
                Diagnostic::error(
                    "Missing Argument",
                    format!(
                        "`{written}` needs `{missing}` too, to find the {what} by name. {either}"
                    ),
                )
                .at(AttributePath::root(written)),
            );
        }
    }
}

fn title(what: &str) -> String {
    let mut c = what.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// The organization named `org_name` (a diagnostic on `org_name` when none is
/// visible). None after a diagnostic.
pub(crate) async fn org_by_name(
    client: &cf::Client,
    org_name: Option<&str>,
    diags: &mut Diagnostics,
) -> Option<cf::models::Organization> {
    let name = org_name.unwrap_or_default();
    match client.org_by_name(name).await {
        Ok(Some(o)) => Some(o),
        Ok(None) => {
            diags.push(
                not_found("Organization", name, " to this account")
                    .at(AttributePath::root("org_name")),
            );
            None
        }
        Err(e) => {
            diags.push(crate::errors::diagnostic("Organization Lookup Error", &e));
            None
        }
    }
}

/// ` in organization "sandbox"` for not-found messages, by name when the
/// organization is visible, else by GUID. Looked up only when a message needs it.
pub(crate) async fn in_org(client: &cf::Client, org_guid: &str) -> String {
    match client.org(org_guid).await {
        Ok(Some(org)) => format!(" in organization \"{}\"", org.name),
        _ => format!(" in organization {org_guid}"),
    }
}

/// ` in space "dev" of organization "sandbox"` for not-found messages, by name when
/// the space is visible, else by GUID.
pub(crate) async fn in_space(client: &cf::Client, space_guid: &str) -> String {
    let Ok(Some(space)) = client.space(space_guid).await else {
        return format!(" in space {space_guid} (which this account cannot see)");
    };
    match client.org(space.relationships.organization.guid()).await {
        Ok(Some(org)) => format!(
            " in space \"{}\" of organization \"{}\"",
            space.name, org.name
        ),
        _ => format!(" in space \"{}\"", space.name),
    }
}
