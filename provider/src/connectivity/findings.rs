//! What the analyses report: a finding is a code, a severity and a message that says
//! the fix in HCL terms. The codes are part of the provider's contract (users match
//! on them in `check` blocks and postconditions); the guide "Why can't my app
//! connect?" explains each one.

/// How much a finding matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Severity {
    /// The path does not work: `reachable` is false.
    Error,
    /// Something likely wrong that does not by itself stop the path.
    Warning,
    /// Worth knowing; nothing is wrong.
    Info,
}

impl Severity {
    /// `error`, `warning` or `info`.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

/// Every finding code. The first group is the reachability check's, the second the
/// network graph's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Code {
    /// No internal route has the hostname, or the destination app has none.
    NoInternalRoute,
    /// The URL's domain is not an internal domain.
    NotAnInternalDomain,
    /// The route exists but sends to no app.
    RouteHasNoDestinations,
    /// No policy from the source to the destination at all.
    NoPolicy,
    /// Policies exist, on other ports.
    PortNotAllowed,
    /// Policies exist, for the other protocol.
    ProtocolMismatch,
    /// 61443 called without a policy covering it, or a policy only on 61443 while
    /// the app's own port is called.
    TlsPortNotAllowed,
    /// The route sends to the app on a port the call does not use.
    AppPortNotMapped,
    /// The destination app is not started.
    DestinationStopped,
    /// The source app is not started.
    SourceStopped,
    /// The account cannot see the destination app.
    DestinationNotVisible,
    /// Source and destination are in different spaces.
    CrossSpace,
    /// An internal route that no policy lets any app reach.
    RouteNotReached,
    /// A source app close to the policy server's per-source limit.
    NearPolicyLimit,
}

impl Code {
    /// The code as users match on it.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Code::NoInternalRoute => "NO_INTERNAL_ROUTE",
            Code::NotAnInternalDomain => "NOT_AN_INTERNAL_DOMAIN",
            Code::RouteHasNoDestinations => "ROUTE_HAS_NO_DESTINATIONS",
            Code::NoPolicy => "NO_POLICY",
            Code::PortNotAllowed => "PORT_NOT_ALLOWED",
            Code::ProtocolMismatch => "PROTOCOL_MISMATCH",
            Code::TlsPortNotAllowed => "TLS_PORT_NOT_ALLOWED",
            Code::AppPortNotMapped => "APP_PORT_NOT_MAPPED",
            Code::DestinationStopped => "DESTINATION_STOPPED",
            Code::SourceStopped => "SOURCE_STOPPED",
            Code::DestinationNotVisible => "DESTINATION_NOT_VISIBLE",
            Code::CrossSpace => "CROSS_SPACE",
            Code::RouteNotReached => "ROUTE_NOT_REACHED",
            Code::NearPolicyLimit => "NEAR_POLICY_LIMIT",
        }
    }
}

/// One finding.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Finding {
    /// What was found.
    pub(crate) code: Code,
    /// How much it matters.
    pub(crate) severity: Severity,
    /// What it means and the fix.
    pub(crate) message: String,
    /// The app (or route, for the graph's route findings) it is about, if one.
    pub(crate) subject: Option<String>,
}

impl Finding {
    /// An error.
    pub(crate) fn error(code: Code, message: String) -> Finding {
        Finding {
            code,
            severity: Severity::Error,
            message,
            subject: None,
        }
    }

    /// A warning.
    pub(crate) fn warning(code: Code, message: String) -> Finding {
        Finding {
            severity: Severity::Warning,
            ..Finding::error(code, message)
        }
    }

    /// Information.
    pub(crate) fn info(code: Code, message: String) -> Finding {
        Finding {
            severity: Severity::Info,
            ..Finding::error(code, message)
        }
    }

    /// The same finding, about `subject`.
    pub(crate) fn about(mut self, subject: &str) -> Finding {
        self.subject = Some(subject.to_string());
        self
    }

    /// True for an error.
    pub(crate) fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}
