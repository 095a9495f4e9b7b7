//! `cf::Error`: every way a call to the platform can fail, typed, with messages that
//! say what happened in plain words and never carry a secret.

use std::time::Duration;

/// How the client authenticated, for error messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthMode {
    /// `user` / `password`.
    Password,
    /// `client_id` / `client_secret`.
    ClientCredentials,
    /// `access_token` (with an optional `refresh_token`).
    AccessToken,
    /// The cf CLI's saved login.
    CfHome,
}

impl std::fmt::Display for AuthMode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            AuthMode::Password => "user and password (user/password, CF_USER/CF_PASSWORD)",
            AuthMode::ClientCredentials => {
                "client credentials (client_id/client_secret, CF_CLIENT_ID/CF_CLIENT_SECRET)"
            }
            AuthMode::AccessToken => {
                "access token (access_token/refresh_token, CF_ACCESS_TOKEN/CF_REFRESH_TOKEN)"
            }
            AuthMode::CfHome => "the cf CLI's saved login ($CF_HOME/.cf/config.json)",
        })
    }
}

/// A failed call.
#[derive(Debug, Clone, thiserror::Error)]
pub enum Error {
    /// The Cloud Controller answered with an error.
    #[error("{title} ({code}): {detail}")]
    Api {
        /// HTTP status.
        status: u16,
        /// CF error code.
        code: u32,
        /// CF error title, such as `CF-UnprocessableEntity`.
        title: String,
        /// Detail.
        detail: String,
    },
    /// The policy server answered with an error.
    #[error("the policy server answered {status}: {message}")]
    Policy {
        /// HTTP status.
        status: u16,
        /// Its `error` text.
        message: String,
    },
    /// Logging in failed.
    #[error("logging in with {mode} failed: {reason}")]
    Auth {
        /// How.
        mode: AuthMode,
        /// UAA's reason, or what to do.
        reason: String,
    },
    /// The server's certificate is not trusted.
    #[error(
        "the TLS certificate of {url} is not trusted ({reason}). If the platform uses a private CA, set SSL_CERT_FILE \
         to a PEM bundle that contains it (or SSL_CERT_DIR to a directory of them); for a test foundation only, set \
         skip_ssl_validation = true"
    )]
    Certificate {
        /// The URL called.
        url: String,
        /// rustls' reason.
        reason: String,
    },
    /// The network failed (connection refused, reset, timed out).
    #[error("{method} {url} failed: {reason}")]
    Transport {
        /// Method.
        method: String,
        /// URL.
        url: String,
        /// What failed.
        reason: String,
    },
    /// The platform never answered: a setup mistake, most likely.
    #[error("cannot reach the platform at {url}: {reason}. {hint}")]
    Unreachable {
        /// The URL called.
        url: String,
        /// What failed.
        reason: String,
        /// The likely cause and what to change.
        hint: String,
    },
    /// An answer could not be decoded.
    #[error("could not decode the answer of {url}: {reason}")]
    Decode {
        /// URL.
        url: String,
        /// serde's reason.
        reason: String,
    },
    /// An asynchronous job failed.
    #[error("the platform's {operation} job failed: {detail}")]
    JobFailed {
        /// Operation.
        operation: String,
        /// The job's errors.
        detail: String,
    },
    /// The time budget ran out.
    #[error("{what} did not finish within {}s{}", .after.as_secs(), .last.as_ref().map(|l| format!("; last error: {l}")).unwrap_or_default())]
    Timeout {
        /// What was being done.
        what: String,
        /// How long was spent.
        after: Duration,
        /// The last error seen, if any.
        last: Option<String>,
    },
    /// A request would have crossed the trust boundary (see `boundary`): nothing was
    /// sent.
    #[error("{0}")]
    Untrusted(String),
    /// The platform answered with a redirect, which is never followed.
    #[error(
        "{method} {url} answered {status}, a redirect to {location}. The provider follows no redirect (one could \
         carry credentials to another server), so the request was refused. Check that api_url is the foundation's \
         API itself, such as https://api.fr.cloud.gov, and that no proxy between here and it rewrites answers"
    )]
    Redirect {
        /// Method.
        method: String,
        /// The URL called.
        url: String,
        /// HTTP status.
        status: u16,
        /// Where it pointed (printable: without user name or password).
        location: String,
    },
    /// An answer was larger than any the platform gives.
    #[error(
        "the answer of {method} {url} is larger than {} MiB, far more than any answer of the platform; it was not \
         read further. Check that api_url is the foundation's API and that no proxy between here and it rewrites \
         answers", .limit / (1024 * 1024)
    )]
    TooLarge {
        /// Method.
        method: String,
        /// The URL called.
        url: String,
        /// The limit in bytes.
        limit: u64,
    },
    /// The platform has stopped answering: every call of the process fails fast.
    #[error(
        "the platform has not answered for {} s (since its last answer, every request failed: {last}); the \
         provider stopped waiting for it, and every other call still pending was stopped too. Nothing more was \
         sent. Run the command again when the platform is back", .down_for.as_secs()
    )]
    Outage {
        /// How long the platform has been silent.
        down_for: Duration,
        /// The last failure seen.
        last: String,
    },
    /// Terraform asked the provider to stop.
    #[error("cancelled: Terraform asked the provider to stop")]
    Cancelled,
    /// The configuration cannot work.
    #[error("{0}")]
    Config(String),
}

impl Error {
    /// True for "does not exist" answers (404 from either API).
    pub fn is_not_found(&self) -> bool {
        matches!(
            self,
            Error::Api { status: 404, .. } | Error::Policy { status: 404, .. }
        )
    }

    /// True for a 422 whose detail says the route already exists.
    pub fn is_route_taken(&self) -> bool {
        matches!(self, Error::Api { status: 422, detail, .. } if detail.starts_with("Route already exists"))
    }

    /// True when the policy server refused a policy because its source app has as
    /// many policies as the platform allows.
    pub fn is_policy_quota_exceeded(&self) -> bool {
        matches!(self, Error::Policy { message, .. } if message == "policy quota exceeded")
    }

    /// True when the policy server refused because one of the apps does not exist or
    /// the account may not manage it.
    pub fn is_app_inaccessible(&self) -> bool {
        matches!(
            self,
            Error::Policy { message, .. }
                if message == "one or more applications cannot be found or accessed"
        )
    }

    /// True when the Cloud Controller refused the request as unprocessable (422), such
    /// as a route in a space the account may not write to; route-taken is told apart
    /// by `is_route_taken`.
    pub fn is_unprocessable(&self) -> bool {
        matches!(self, Error::Api { status: 422, .. })
    }

    /// The HTTP status, when the platform answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Api { status, .. } | Error::Policy { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// The platform's own message, without our framing.
    pub fn platform_message(&self) -> Option<&str> {
        match self {
            Error::Api { detail, .. } => Some(detail),
            Error::Policy { message, .. } => Some(message),
            _ => None,
        }
    }
}

/// Results of calls.
pub type Result<T> = std::result::Result<T, Error>;

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(status: u16, message: &str) -> Error {
        Error::Policy {
            status,
            message: message.into(),
        }
    }

    #[test]
    fn predicates_name_the_platform_answers_resources_care_about() {
        assert!(policy(403, "policy quota exceeded").is_policy_quota_exceeded());
        assert!(!policy(403, "policy quota exceeded").is_app_inaccessible());
        let inaccessible = policy(403, "one or more applications cannot be found or accessed");
        assert!(inaccessible.is_app_inaccessible());
        assert!(!inaccessible.is_policy_quota_exceeded());
        assert!(
            !policy(400, "mapper: validate policies: missing start port").is_app_inaccessible()
        );
        assert!(policy(404, "gone").is_not_found());
        let api = |status: u16, detail: &str| Error::Api {
            status,
            code: 10008,
            title: "CF-UnprocessableEntity".into(),
            detail: detail.into(),
        };
        let taken = api(422, "Route already exists for domain 'apps.internal'.");
        assert!(taken.is_route_taken() && taken.is_unprocessable());
        let space = api(
            422,
            "Invalid space. Ensure that the space exists and you have access to it.",
        );
        assert!(space.is_unprocessable() && !space.is_route_taken());
        assert!(!api(404, "Route not found").is_unprocessable());
    }
}
