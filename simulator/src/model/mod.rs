//! The simulated platform's state and every rule it enforces: visibility by role,
//! route and destination validation, jobs, policy validation, permission and quota,
//! tokens. Pure logic over plain data: no HTTP here (see `cc`, `policy`, `uaa` for
//! the wire), so each behaviour has one obvious place and is testable directly.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

/// A resource GUID.
pub type Guid = String;

/// Seconds since the Unix epoch, as a float so that sub-second job delays work.
pub type Timestamp = f64;

/// An organization.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Org {
    /// GUID.
    pub guid: Guid,
    /// Name.
    pub name: String,
    /// Creation time.
    pub created_at: Timestamp,
}

/// A space.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Space {
    /// GUID.
    pub guid: Guid,
    /// Name.
    pub name: String,
    /// Owning organization.
    pub org_guid: Guid,
    /// Creation time.
    pub created_at: Timestamp,
}

/// An app.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct App {
    /// GUID.
    pub guid: Guid,
    /// Name.
    pub name: String,
    /// Owning space.
    pub space_guid: Guid,
    /// `STARTED` or `STOPPED`.
    pub state: String,
    /// The port a destination gets when a request names none.
    pub default_port: u16,
    /// Creation time.
    pub created_at: Timestamp,
    /// The user-provided environment variables (`cf set-env`).
    #[serde(default)]
    pub env: BTreeMap<String, String>,
    /// Instances of the `web` process (`cf scale -i`).
    #[serde(default = "one")]
    pub instances: u32,
    /// The Docker image of the current droplet (None: a buildpack droplet).
    #[serde(default)]
    pub image: Option<String>,
    /// The Docker image of the newest package, staged by the next build.
    #[serde(default)]
    pub package_image: Option<String>,
    /// When the newest package was made and when it was staged (0: at creation).
    #[serde(default)]
    pub pushed_at: Timestamp,
    /// The app's `ssh` feature (`cf enable-ssh`); on by default, as on the platform.
    #[serde(default = "yes")]
    pub ssh_enabled: bool,
}

fn one() -> u32 {
    1
}

fn yes() -> bool {
    true
}

/// A domain.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Domain {
    /// GUID.
    pub guid: Guid,
    /// Name, such as `apps.internal`.
    pub name: String,
    /// Internal (container-to-container) domain.
    pub internal: bool,
    /// Creation time.
    pub created_at: Timestamp,
    /// The organization owning a private domain (None: shared).
    #[serde(default)]
    pub org_guid: Option<Guid>,
}

/// A route destination.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Destination {
    /// GUID.
    pub guid: Guid,
    /// Target app.
    pub app_guid: Guid,
    /// Target process type.
    pub process_type: String,
    /// Target port.
    pub port: u16,
    /// `http1`, `http2` or `tcp`.
    pub protocol: String,
}

/// A route.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Route {
    /// GUID.
    pub guid: Guid,
    /// Host (the first DNS label).
    pub host: String,
    /// Path (empty for internal routes).
    pub path: String,
    /// Domain.
    pub domain_guid: Guid,
    /// Space.
    pub space_guid: Guid,
    /// Destinations.
    pub destinations: Vec<Destination>,
    /// Metadata labels.
    pub labels: BTreeMap<String, String>,
    /// Metadata annotations.
    pub annotations: BTreeMap<String, String>,
    /// Creation time.
    pub created_at: Timestamp,
    /// Last update.
    pub updated_at: Timestamp,
}

/// A job's state.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "UPPERCASE")]
pub enum JobState {
    /// Still running.
    Processing,
    /// Done.
    Complete,
    /// Failed; `errors` says why.
    Failed,
}

/// An asynchronous job (route and app deletion).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Job {
    /// GUID.
    pub guid: Guid,
    /// `route.delete`, `app.delete`.
    pub operation: String,
    /// State.
    pub state: JobState,
    /// Creation time.
    pub created_at: Timestamp,
    /// Last change.
    pub updated_at: Timestamp,
    /// When it finishes.
    pub due_at: Timestamp,
    /// Ends FAILED instead of COMPLETE (fault injection).
    pub fail: bool,
    /// The resource it acts on.
    pub resource_guid: Guid,
    /// Errors, once FAILED.
    pub errors: Vec<CcError>,
}

/// A network policy: its identity is all five fields.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Policy {
    /// Source app GUID.
    pub source: Guid,
    /// Destination app GUID.
    pub destination: Guid,
    /// `tcp` or `udp`.
    pub protocol: String,
    /// First port.
    pub start: u32,
    /// Last port.
    pub end: u32,
}

/// Who a token was issued to.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
pub enum Subject {
    /// A user, by name.
    User(String),
    /// An OAuth client, by id.
    Client(String),
}

/// Roles and scopes of a user or client.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Roles {
    /// Cloud Controller admin: sees and changes everything.
    #[serde(default)]
    pub admin: bool,
    /// UAA scopes beyond the defaults (`network.admin`, `network.write`).
    #[serde(default)]
    pub scopes: Vec<String>,
    /// Spaces where this principal is SpaceDeveloper.
    #[serde(default)]
    pub developer_spaces: BTreeSet<Guid>,
}

/// A user.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct User {
    /// Username.
    pub name: String,
    /// Password.
    pub password: String,
    /// Identity-provider origin (`uaa` by default).
    pub origin: String,
    /// Roles.
    pub roles: Roles,
}

/// An OAuth client.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Client {
    /// Client id.
    pub id: String,
    /// Client secret (empty for public clients such as `cf`).
    pub secret: String,
    /// May use the client-credentials grant.
    pub client_credentials: bool,
    /// Roles of the client's own identity.
    pub roles: Roles,
}

/// An issued access token.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Token {
    /// Holder.
    pub subject: Subject,
    /// Expiry.
    pub expires_at: Timestamp,
}

/// The authenticated caller of a request.
#[derive(Debug, Clone)]
pub struct Actor {
    /// Holder.
    pub subject: Subject,
    /// Roles.
    pub roles: Roles,
}

impl Actor {
    /// Admins see everything; others see the spaces they develop in.
    pub fn can_see_space(&self, space: &str) -> bool {
        self.roles.admin || self.roles.developer_spaces.contains(space)
    }

    /// Same rule for writes (only SpaceDeveloper is modelled).
    pub fn can_write_space(&self, space: &str) -> bool {
        self.can_see_space(space)
    }

    fn has_scope(&self, scope: &str) -> bool {
        self.roles.scopes.iter().any(|s| s == scope)
    }

    /// Policy-server administrator: network.admin or CC admin.
    pub fn network_admin(&self) -> bool {
        self.roles.admin || self.has_scope("network.admin")
    }
}

/// A Cloud Controller error (`{"errors":[{code,title,detail}]}` with an HTTP status).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct CcError {
    /// HTTP status.
    pub status: u16,
    /// CF error code.
    pub code: u32,
    /// CF error title.
    pub title: String,
    /// Detail.
    pub detail: String,
}

impl CcError {
    /// 404 CF-ResourceNotFound, `"<What> not found"`.
    pub fn not_found(what: &str) -> CcError {
        CcError {
            status: 404,
            code: 10010,
            title: "CF-ResourceNotFound".into(),
            detail: format!("{what} not found"),
        }
    }
    /// 422 CF-UnprocessableEntity.
    pub fn unprocessable(detail: impl Into<String>) -> CcError {
        CcError {
            status: 422,
            code: 10008,
            title: "CF-UnprocessableEntity".into(),
            detail: detail.into(),
        }
    }
    /// 400 CF-BadQueryParameter.
    pub fn bad_query(detail: impl Into<String>) -> CcError {
        CcError {
            status: 400,
            code: 10005,
            title: "CF-BadQueryParameter".into(),
            detail: detail.into(),
        }
    }
    /// 400 CF-MessageParseError.
    pub fn parse(detail: impl Into<String>) -> CcError {
        CcError {
            status: 400,
            code: 1001,
            title: "CF-MessageParseError".into(),
            detail: detail.into(),
        }
    }
    /// 403 CF-NotAuthorized.
    pub fn not_authorized() -> CcError {
        CcError {
            status: 403,
            code: 10003,
            title: "CF-NotAuthorized".into(),
            detail: "You are not authorized to perform the requested action".into(),
        }
    }
    /// 401 CF-NotAuthenticated.
    pub fn not_authenticated() -> CcError {
        CcError {
            status: 401,
            code: 10002,
            title: "CF-NotAuthenticated".into(),
            detail: "Authentication error".into(),
        }
    }
    /// 401 CF-InvalidAuthToken.
    pub fn invalid_token() -> CcError {
        CcError {
            status: 401,
            code: 1000,
            title: "CF-InvalidAuthToken".into(),
            detail: "Invalid Auth Token".into(),
        }
    }
    /// 429 CF-RateLimitExceeded.
    pub fn rate_limited() -> CcError {
        CcError {
            status: 429,
            code: 10013,
            title: "CF-RateLimitExceeded".into(),
            detail: "Rate Limit Exceeded".into(),
        }
    }
    /// A 5xx answer.
    pub fn unavailable(status: u16) -> CcError {
        CcError {
            status,
            code: 10001,
            title: "CF-ServiceUnavailable".into(),
            detail: "The service is currently unavailable".into(),
        }
    }
}

/// A policy-server error: status and the text of `{"error": "..."}`.
#[derive(Debug, Clone, PartialEq)]
pub struct PolicyError {
    /// HTTP status.
    pub status: u16,
    /// The message.
    pub message: String,
}

impl PolicyError {
    /// An answer with this status and message.
    pub fn new(status: u16, message: &str) -> PolicyError {
        PolicyError {
            status,
            message: message.into(),
        }
    }
    fn bad_request(msg: &str) -> PolicyError {
        PolicyError {
            status: 400,
            message: format!("mapper: validate policies: {msg}"),
        }
    }
    fn forbidden(msg: &str) -> PolicyError {
        PolicyError {
            status: 403,
            message: msg.into(),
        }
    }
}

/// Why a token was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenProblem {
    /// No Authorization header.
    Missing,
    /// Unknown, revoked or expired.
    Invalid,
}

/// Tunables of the simulated platform.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Settings {
    /// Access-token lifetime, seconds.
    pub token_ttl: f64,
    /// How long a job stays PROCESSING, seconds.
    pub job_delay: f64,
    /// How often policies of deleted apps are removed, seconds.
    pub cleanup_interval: f64,
    /// Policies per source app for non-admins.
    pub policy_quota: usize,
    /// Routes per space (None = unlimited).
    pub route_quota: Option<usize>,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            token_ttl: 600.0,
            job_delay: 0.2,
            cleanup_interval: 3600.0,
            policy_quota: 150,
            route_quota: None,
        }
    }
}

/// A request to create a route.
#[derive(Debug, Clone, Default)]
pub struct NewRoute {
    /// Host.
    pub host: String,
    /// Path.
    pub path: String,
    /// Port (only TCP routes may have one).
    pub port: Option<u32>,
    /// Space.
    pub space_guid: Guid,
    /// Domain.
    pub domain_guid: Guid,
    /// Labels.
    pub labels: BTreeMap<String, String>,
    /// Annotations.
    pub annotations: BTreeMap<String, String>,
}

/// A requested destination.
#[derive(Debug, Clone, Default)]
pub struct NewDestination {
    /// App.
    pub app_guid: Guid,
    /// Process type (default `web`).
    pub process_type: Option<String>,
    /// Port (default: the app's).
    pub port: Option<i64>,
    /// Protocol (default `http1`).
    pub protocol: Option<String>,
}

/// A policy as the API receives it, before validation.
#[derive(Debug, Clone, Default)]
pub struct PolicyInput {
    /// Source app id.
    pub source: String,
    /// Destination app id.
    pub destination: String,
    /// Protocol.
    pub protocol: String,
    /// Start port (0 when missing).
    pub start: i64,
    /// End port (0 when missing).
    pub end: i64,
    /// A tag was given (refused).
    pub tagged: bool,
}

/// The whole simulated platform.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct State {
    /// Organizations by GUID.
    pub orgs: BTreeMap<Guid, Org>,
    /// Spaces by GUID.
    pub spaces: BTreeMap<Guid, Space>,
    /// Apps by GUID.
    pub apps: BTreeMap<Guid, App>,
    /// Domains by GUID.
    pub domains: BTreeMap<Guid, Domain>,
    /// Routes by GUID.
    pub routes: BTreeMap<Guid, Route>,
    /// Jobs by GUID.
    pub jobs: BTreeMap<Guid, Job>,
    /// Policies.
    pub policies: self::policy_set::PolicySet,
    /// Every policy added (`true`) or removed (`false`) through the API, in order, so
    /// that tests can check what held at every moment of a run. Not saved.
    #[serde(skip)]
    pub policy_log: Vec<(bool, Policy)>,
    /// Users by name.
    pub users: BTreeMap<String, User>,
    /// Clients by id.
    pub clients: BTreeMap<String, Client>,
    /// Access tokens.
    pub access_tokens: BTreeMap<String, Token>,
    /// Refresh tokens and whom they belong to.
    pub refresh_tokens: BTreeMap<String, Subject>,
    /// Tunables.
    pub settings: Settings,
    /// Added to the wall clock (tests move time forward with it).
    pub clock_offset: f64,
    /// When the next policy cleanup runs.
    pub next_cleanup: Timestamp,
    /// Deployments by GUID (`POST /v3/deployments`).
    #[serde(default)]
    pub deployments: BTreeMap<Guid, Deployment>,
}

/// A fresh GUID.
pub fn new_guid() -> Guid {
    uuid::Uuid::new_v4().to_string()
}

fn is_dns_label(host: &str) -> bool {
    !host.is_empty()
        && host.len() <= 63
        && host
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !host.starts_with('-')
        && !host.ends_with('-')
}

impl State {
    /// The simulated wall clock.
    pub fn now(&self) -> Timestamp {
        let real = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0.0, |d| d.as_secs_f64());
        real + self.clock_offset
    }

    /// Runs what is due: finishing jobs, and the periodic cleanup of policies whose
    /// apps are gone. Called before every request.
    pub fn tick(&mut self) {
        let now = self.now();
        let due: Vec<Guid> = self
            .jobs
            .values()
            .filter(|j| j.state == JobState::Processing && j.due_at <= now)
            .map(|j| j.guid.clone())
            .collect();
        for guid in due {
            let job = self.jobs.get(&guid).cloned().expect("job");
            let (state, errors) = if job.fail {
                (
                    JobState::Failed,
                    vec![CcError {
                        status: 500,
                        code: 10001,
                        title: "CF-ServiceUnavailable".into(),
                        detail: format!(
                            "{} failed: the platform could not complete the operation",
                            job.operation
                        ),
                    }],
                )
            } else {
                if job.operation == "route.delete" {
                    self.routes.remove(&job.resource_guid);
                }
                (JobState::Complete, Vec::new())
            };
            let j = self.jobs.get_mut(&guid).expect("job");
            j.state = state;
            j.errors = errors;
            j.updated_at = now;
        }
        if self.next_cleanup == 0.0 {
            self.next_cleanup = now + self.settings.cleanup_interval;
        } else if now >= self.next_cleanup {
            self.cleanup_policies();
            self.next_cleanup = now + self.settings.cleanup_interval;
        }
    }

    /// Removes policies whose source or destination app no longer exists.
    pub fn cleanup_policies(&mut self) -> usize {
        let before = self.policies.len();
        let apps = &self.apps;
        self.policies
            .retain(|p| apps.contains_key(&p.source) && apps.contains_key(&p.destination));
        before - self.policies.len()
    }
}

/// Seconds as a whole number, rounded down (times and durations are far inside i64).
#[allow(
    clippy::cast_possible_truncation,
    reason = "seconds since the epoch fit in i64"
)]
pub(crate) fn whole_seconds(t: f64) -> i64 {
    t.floor() as i64
}

mod apps;
mod orgs;
mod push;
pub use push::{Deployment, ManifestApp};
mod lookups;
mod policies;
pub(crate) mod policy_set;
mod routes;
pub(crate) mod tokens;

#[cfg(test)]
mod tests;
