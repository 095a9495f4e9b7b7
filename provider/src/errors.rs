//! The one place that turns a `cf::Error` into what a Terraform user reads: a Title
//! Case summary chosen by the caller, a detail saying what happened and what to do
//! next, then the platform's own words.

use crate::cf::{AuthMode, Error};
use crate::framework::{AttributePath, Diagnostic};

/// What to do next, for each kind of failure.
fn advice(err: &Error) -> &'static str {
    match err {
        _ if err.is_policy_quota_exceeded() => {
            "The source app already has as many policies as cloud.gov allows for one source app (150). Remove \
             policies it no longer needs, or cover several ports with one range (\"8080-8090\")."
        }
        _ if err.is_app_inaccessible() => {
            "One of the apps does not exist, or the account is not SpaceDeveloper in its space. Check both app ids \
             (a blue-green deploy creates a new app with a new id) and the account's roles."
        }
        Error::Auth { .. } => "Check the credentials the provider was given.",
        Error::Transport { .. } | Error::Timeout { .. } => {
            "Check that api_url is right and the platform is reachable from here, then retry; nothing was left half done by the provider."
        }
        Error::Cancelled => "Run the command again when ready.",
        Error::Api { status: 401, .. } => "The session was refused; log in again and retry.",
        Error::Api { status: 403, .. } | Error::Policy { status: 403, .. } => {
            "The account needs the SpaceDeveloper role in the spaces involved."
        }
        Error::Api { status: 429, .. } => {
            "The platform is rate limiting requests; retry later or lower -parallelism."
        }
        Error::Api {
            status: 500..=599, ..
        }
        | Error::Policy {
            status: 500..=599, ..
        } => {
            "The platform had a problem; retry later. If it persists, check the cloud.gov status page."
        }
        // Certificate and unreachable errors carry their own advice.
        _ => "",
    }
}

/// An error diagnostic for a failed call.
pub(crate) fn diagnostic(summary: &str, err: &Error) -> Diagnostic {
    let advice = advice(err);
    let detail = if advice.is_empty() {
        format!("{err}.")
    } else {
        format!("{err}.\n\n{advice}")
    };
    Diagnostic::error(summary, detail)
}

/// An error diagnostic for a failed call about a named object: `what` (such as
/// "Route backend.apps.internal (GUID) was not deleted") leads the detail.
pub(crate) fn diagnostic_about(summary: &str, what: &str, err: &Error) -> Diagnostic {
    let mut d = diagnostic(summary, err);
    d.detail = format!("{what}: {}", d.detail);
    d
}

/// The attribute a login failure points at.
pub(crate) fn auth_attribute(mode: AuthMode) -> AttributePath {
    AttributePath::root(match mode {
        AuthMode::Password => "password",
        AuthMode::ClientCredentials => "client_secret",
        AuthMode::AccessToken => "access_token",
        AuthMode::CfHome => "api_url",
    })
}
