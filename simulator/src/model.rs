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
    pub policies: crate::policy_set::PolicySet,
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
            .map(|d| d.as_secs_f64())
            .unwrap_or(0.0);
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

    // ----- tokens ---------------------------------------------------------------

    /// Issues an access token (and, for users, a refresh token).
    pub fn issue_token(
        &mut self,
        subject: Subject,
        with_refresh: bool,
        grant_type: &str,
        issuer: &str,
    ) -> (String, Option<String>, f64) {
        let ttl = self.settings.token_ttl;
        let origin = match &subject {
            Subject::User(name) => self.users.get(name).map(|u| u.origin.clone()),
            Subject::Client(_) => None,
        }
        .unwrap_or_else(|| "uaa".into());
        let token = crate::uaa::make_jwt(&crate::uaa::Grant {
            subject: &subject,
            origin: &origin,
            grant_type,
            iat: self.now(),
            exp: self.now() + ttl,
            issuer,
        });
        self.access_tokens.insert(
            token.clone(),
            Token {
                subject: subject.clone(),
                expires_at: self.now() + ttl,
            },
        );
        let refresh = with_refresh.then(|| {
            let r = format!("{}-r", new_guid().replace('-', ""));
            self.refresh_tokens.insert(r.clone(), subject);
            r
        });
        (token, refresh, ttl)
    }

    /// The actor behind an `Authorization` header value.
    pub fn authenticate(&self, header: Option<&str>) -> Result<Actor, TokenProblem> {
        let header = header.ok_or(TokenProblem::Missing)?;
        let token = header
            .strip_prefix("bearer ")
            .or_else(|| header.strip_prefix("Bearer "))
            .ok_or(TokenProblem::Invalid)?
            .trim();
        let info = self.access_tokens.get(token).ok_or(TokenProblem::Invalid)?;
        if info.expires_at <= self.now() {
            return Err(TokenProblem::Invalid);
        }
        self.actor(&info.subject).ok_or(TokenProblem::Invalid)
    }

    /// The actor for a subject, if it still exists.
    pub fn actor(&self, subject: &Subject) -> Option<Actor> {
        let roles = match subject {
            Subject::User(name) => self.users.get(name)?.roles.clone(),
            Subject::Client(id) => self.clients.get(id)?.roles.clone(),
        };
        Some(Actor {
            subject: subject.clone(),
            roles,
        })
    }

    /// Revokes every token (access and refresh) of a subject.
    pub fn revoke(&mut self, subject: &Subject) -> usize {
        let before = self.access_tokens.len() + self.refresh_tokens.len();
        self.access_tokens.retain(|_, t| &t.subject != subject);
        self.refresh_tokens.retain(|_, s| s != subject);
        before - self.access_tokens.len() - self.refresh_tokens.len()
    }

    /// Expires every access token now (refresh tokens stay valid).
    pub fn expire_access_tokens(&mut self) {
        let now = self.now();
        for t in self.access_tokens.values_mut() {
            t.expires_at = now;
        }
    }

    // ----- lookups --------------------------------------------------------------

    /// Orgs the actor can see (those holding a space it can see).
    pub fn visible_orgs(&self, actor: &Actor) -> Vec<&Org> {
        self.orgs
            .values()
            .filter(|o| {
                actor.roles.admin
                    || self
                        .spaces
                        .values()
                        .any(|s| s.org_guid == o.guid && actor.can_see_space(&s.guid))
            })
            .collect()
    }

    /// Spaces the actor can see.
    pub fn visible_spaces(&self, actor: &Actor) -> Vec<&Space> {
        self.spaces
            .values()
            .filter(|s| actor.can_see_space(&s.guid))
            .collect()
    }

    /// Apps the actor can see.
    pub fn visible_apps(&self, actor: &Actor) -> Vec<&App> {
        self.apps
            .values()
            .filter(|a| actor.can_see_space(&a.space_guid))
            .collect()
    }

    /// Routes the actor can see.
    pub fn visible_routes(&self, actor: &Actor) -> Vec<&Route> {
        self.routes
            .values()
            .filter(|r| actor.can_see_space(&r.space_guid))
            .collect()
    }

    /// A visible org.
    pub fn org(&self, actor: &Actor, guid: &str) -> Result<&Org, CcError> {
        self.visible_orgs(actor)
            .into_iter()
            .find(|o| o.guid == guid)
            .ok_or_else(|| CcError::not_found("Organization"))
    }

    /// A visible space.
    pub fn space(&self, actor: &Actor, guid: &str) -> Result<&Space, CcError> {
        self.spaces
            .get(guid)
            .filter(|s| actor.can_see_space(&s.guid))
            .ok_or_else(|| CcError::not_found("Space"))
    }

    /// A visible app.
    pub fn app(&self, actor: &Actor, guid: &str) -> Result<&App, CcError> {
        self.apps
            .get(guid)
            .filter(|a| actor.can_see_space(&a.space_guid))
            .ok_or_else(|| CcError::not_found("App"))
    }

    /// A domain (domains are visible to every authenticated caller).
    pub fn domain(&self, guid: &str) -> Result<&Domain, CcError> {
        self.domains
            .get(guid)
            .ok_or_else(|| CcError::not_found("Domain"))
    }

    /// A visible route.
    pub fn route(&self, actor: &Actor, guid: &str) -> Result<&Route, CcError> {
        self.routes
            .get(guid)
            .filter(|r| actor.can_see_space(&r.space_guid))
            .ok_or_else(|| CcError::not_found("Route"))
    }

    /// A job.
    pub fn job(&self, guid: &str) -> Result<&Job, CcError> {
        self.jobs.get(guid).ok_or_else(|| CcError::not_found("Job"))
    }

    /// The route's URL: `host.domain/path`.
    pub fn route_url(&self, r: &Route) -> String {
        let domain = self
            .domains
            .get(&r.domain_guid)
            .map(|d| d.name.as_str())
            .unwrap_or("");
        if r.host.is_empty() {
            format!("{domain}{}", r.path)
        } else {
            format!("{}.{domain}{}", r.host, r.path)
        }
    }

    // ----- routes ---------------------------------------------------------------

    /// Creates a route, with the platform's checks in its order.
    pub fn create_route(&mut self, actor: &Actor, req: NewRoute) -> Result<Route, CcError> {
        let space_ok =
            self.spaces.contains_key(&req.space_guid) && actor.can_write_space(&req.space_guid);
        if !space_ok {
            return Err(CcError::unprocessable(
                "Invalid space. Ensure that the space exists and you have access to it.",
            ));
        }
        let domain = self.domains.get(&req.domain_guid).cloned().ok_or_else(|| {
            CcError::unprocessable(
                "Invalid domain. Ensure that the domain exists and you have access to it.",
            )
        })?;
        if domain.internal {
            if req.host == "*" {
                return Err(CcError::unprocessable(
                    "Wildcard hosts are not supported for internal domains.",
                ));
            }
            if req.host.is_empty() {
                return Err(CcError::unprocessable(
                    "Missing host. Routes in internal domains must have a host defined.",
                ));
            }
            if !req.path.is_empty() {
                return Err(CcError::unprocessable(
                    "Paths are not supported for internal domains.",
                ));
            }
        }
        if !req.host.is_empty() && req.host != "*" && !is_dns_label(&req.host) {
            return Err(CcError::unprocessable("Host format is invalid."));
        }
        if req.port.is_some() {
            return Err(CcError::unprocessable(
                "Routes with protocol 'http' do not support ports.",
            ));
        }
        let taken = self
            .routes
            .values()
            .any(|r| r.host == req.host && r.domain_guid == req.domain_guid && r.path == req.path);
        if taken {
            return Err(CcError::unprocessable(format!(
                "Route already exists with host '{}' for domain '{}'.",
                req.host, domain.name
            )));
        }
        if let Some(quota) = self.settings.route_quota {
            let in_space = self
                .routes
                .values()
                .filter(|r| r.space_guid == req.space_guid)
                .count();
            if in_space >= quota {
                let name = self
                    .spaces
                    .get(&req.space_guid)
                    .map(|s| s.name.clone())
                    .unwrap_or_default();
                return Err(CcError::unprocessable(format!(
                    "Routes quota exceeded for space '{name}'."
                )));
            }
        }
        let now = self.now();
        let route = Route {
            guid: new_guid(),
            host: req.host,
            path: req.path,
            domain_guid: req.domain_guid,
            space_guid: req.space_guid,
            destinations: Vec::new(),
            labels: req.labels,
            annotations: req.annotations,
            created_at: now,
            updated_at: now,
        };
        self.routes.insert(route.guid.clone(), route.clone());
        Ok(route)
    }

    /// Updates a route's metadata (null values remove keys).
    pub fn patch_route(
        &mut self,
        actor: &Actor,
        guid: &str,
        labels: BTreeMap<String, Option<String>>,
        annotations: BTreeMap<String, Option<String>>,
    ) -> Result<Route, CcError> {
        let space = self.route(actor, guid)?.space_guid.clone();
        if !actor.can_write_space(&space) {
            return Err(CcError::not_authorized());
        }
        let now = self.now();
        let r = self.routes.get_mut(guid).expect("route");
        for (k, v) in labels {
            match v {
                Some(v) => r.labels.insert(k, v),
                None => r.labels.remove(&k),
            };
        }
        for (k, v) in annotations {
            match v {
                Some(v) => r.annotations.insert(k, v),
                None => r.annotations.remove(&k),
            };
        }
        r.updated_at = now;
        Ok(r.clone())
    }

    /// Starts deleting a route: answers with a job that completes after the delay.
    pub fn delete_route(&mut self, actor: &Actor, guid: &str, fail: bool) -> Result<Job, CcError> {
        let space = self.route(actor, guid)?.space_guid.clone();
        if !actor.can_write_space(&space) {
            return Err(CcError::not_authorized());
        }
        Ok(self.start_job("route.delete", guid, fail))
    }

    fn start_job(&mut self, operation: &str, resource: &str, fail: bool) -> Job {
        let now = self.now();
        let job = Job {
            guid: new_guid(),
            operation: operation.into(),
            state: JobState::Processing,
            created_at: now,
            updated_at: now,
            due_at: now + self.settings.job_delay,
            fail,
            resource_guid: resource.into(),
            errors: Vec::new(),
        };
        self.jobs.insert(job.guid.clone(), job.clone());
        job
    }

    // ----- destinations ---------------------------------------------------------

    fn check_destinations(
        &self,
        route: &Route,
        wanted: &[NewDestination],
    ) -> Result<Vec<Destination>, CcError> {
        let mut out: Vec<Destination> = Vec::new();
        for (i, d) in wanted.iter().enumerate() {
            if let Some(port) = d.port
                && !(1024..=65535).contains(&port)
            {
                return Err(CcError::unprocessable(format!(
                    "Destinations[{i}]: port must be a positive integer between 1024 and 65535 inclusive."
                )));
            }
            if let Some(p) = &d.protocol
                && !["http1", "http2", "tcp"].contains(&p.as_str())
            {
                return Err(CcError::unprocessable(format!(
                    "Destinations[{i}]: protocol must be 'http1', 'http2' or 'tcp'."
                )));
            }
        }
        let missing: Vec<String> = wanted
            .iter()
            .filter(|d| !self.apps.contains_key(&d.app_guid))
            .map(|d| format!("\"{}\"", d.app_guid))
            .collect();
        if !missing.is_empty() {
            return Err(CcError::unprocessable(format!(
                "App(s) with guid(s) {} do not exist.",
                missing.join(", ")
            )));
        }
        for d in wanted {
            let app = &self.apps[&d.app_guid];
            if app.space_guid != route.space_guid {
                return Err(CcError::unprocessable(
                    "Routes destinations must be in either the route's space or the route's shared spaces",
                ));
            }
            let dest = Destination {
                guid: new_guid(),
                app_guid: d.app_guid.clone(),
                process_type: d.process_type.clone().unwrap_or_else(|| "web".into()),
                port: d.port.map_or(app.default_port, |p| p as u16),
                protocol: d.protocol.clone().unwrap_or_else(|| "http1".into()),
            };
            if out.iter().any(|o| same_target(o, &dest)) {
                return Err(CcError::unprocessable(
                    "Destinations cannot contain duplicate entries",
                ));
            }
            out.push(dest);
        }
        Ok(out)
    }

    fn writable_route(&self, actor: &Actor, guid: &str) -> Result<Route, CcError> {
        let route = self.route(actor, guid)?.clone();
        if !actor.can_write_space(&route.space_guid) {
            return Err(CcError::not_authorized());
        }
        Ok(route)
    }

    /// Adds destinations; ones already present (same app, process and port) are kept
    /// as they are.
    pub fn insert_destinations(
        &mut self,
        actor: &Actor,
        guid: &str,
        wanted: &[NewDestination],
    ) -> Result<Route, CcError> {
        let route = self.writable_route(actor, guid)?;
        if wanted.is_empty() || wanted.len() > 100 {
            return Err(CcError::unprocessable(
                "Destinations must have between 1 and 100 entries.",
            ));
        }
        let new = self.check_destinations(&route, wanted)?;
        let now = self.now();
        let r = self.routes.get_mut(guid).expect("route");
        for d in new {
            if !r.destinations.iter().any(|o| same_target(o, &d)) {
                r.destinations.push(d);
            }
        }
        r.updated_at = now;
        Ok(r.clone())
    }

    /// Replaces all destinations (an empty list unmaps everything). Existing
    /// destinations that are asked for again keep their GUIDs.
    pub fn replace_destinations(
        &mut self,
        actor: &Actor,
        guid: &str,
        wanted: &[NewDestination],
    ) -> Result<Route, CcError> {
        let route = self.writable_route(actor, guid)?;
        if wanted.len() > 100 {
            return Err(CcError::unprocessable(
                "Destinations must have between 0 and 100 entries.",
            ));
        }
        let new = self.check_destinations(&route, wanted)?;
        let now = self.now();
        let r = self.routes.get_mut(guid).expect("route");
        let kept: Vec<Destination> = new
            .into_iter()
            .map(|d| {
                r.destinations
                    .iter()
                    .find(|o| same_target(o, &d) && o.protocol == d.protocol)
                    .cloned()
                    .unwrap_or(d)
            })
            .collect();
        r.destinations = kept;
        r.updated_at = now;
        Ok(r.clone())
    }

    /// Removes one destination.
    pub fn delete_destination(
        &mut self,
        actor: &Actor,
        guid: &str,
        dest: &str,
    ) -> Result<(), CcError> {
        self.writable_route(actor, guid)?;
        let r = self.routes.get_mut(guid).expect("route");
        let before = r.destinations.len();
        r.destinations.retain(|d| d.guid != dest);
        if r.destinations.len() == before {
            return Err(CcError::unprocessable(
                "Unable to unmap route from destination. Ensure the route has a destination with this guid.",
            ));
        }
        Ok(())
    }

    // ----- apps -----------------------------------------------------------------

    /// Creates an app in a space.
    pub fn create_app(
        &mut self,
        actor: &Actor,
        name: &str,
        space_guid: &str,
    ) -> Result<App, CcError> {
        if !self.spaces.contains_key(space_guid) || !actor.can_write_space(space_guid) {
            return Err(CcError::unprocessable(
                "Invalid space. Ensure that the space exists and you have access to it.",
            ));
        }
        if name.is_empty() {
            return Err(CcError::unprocessable("Name can't be blank"));
        }
        if self
            .apps
            .values()
            .any(|a| a.space_guid == space_guid && a.name == name)
        {
            return Err(CcError::unprocessable(format!(
                "App with the name '{name}' already exists."
            )));
        }
        let app = App {
            guid: new_guid(),
            name: name.into(),
            space_guid: space_guid.into(),
            state: "STOPPED".into(),
            default_port: 8080,
            created_at: self.now(),
        };
        self.apps.insert(app.guid.clone(), app.clone());
        Ok(app)
    }

    /// Deletes an app and its route destinations (its policies stay until cleanup).
    pub fn delete_app(&mut self, actor: &Actor, guid: &str) -> Result<Job, CcError> {
        let space = self.app(actor, guid)?.space_guid.clone();
        if !actor.can_write_space(&space) {
            return Err(CcError::not_authorized());
        }
        self.remove_app(guid);
        let mut job = self.start_job("app.delete", guid, false);
        job.due_at = job.created_at;
        self.jobs.insert(job.guid.clone(), job.clone());
        Ok(job)
    }

    /// Removes an app and every destination pointing at it.
    pub fn remove_app(&mut self, guid: &str) -> bool {
        for r in self.routes.values_mut() {
            r.destinations.retain(|d| d.app_guid != guid);
        }
        self.apps.remove(guid).is_some()
    }

    // ----- policies -------------------------------------------------------------

    /// Policies visible to the actor, filtered like `GET /policies`.
    pub fn list_policies(
        &self,
        actor: &Actor,
        ids: Option<&[String]>,
        source: Option<&[String]>,
        dest: Option<&[String]>,
    ) -> Vec<&Policy> {
        let visible = |app: &str| {
            actor.network_admin()
                || self
                    .apps
                    .get(app)
                    .is_some_and(|a| actor.can_see_space(&a.space_guid))
        };
        self.policies
            .iter()
            .filter(|p| {
                ids.is_none_or(|ids| ids.contains(&p.source) || ids.contains(&p.destination))
            })
            .filter(|p| source.is_none_or(|s| s.contains(&p.source)))
            .filter(|p| dest.is_none_or(|d| d.contains(&p.destination)))
            .filter(|p| visible(&p.source) && visible(&p.destination))
            .collect()
    }

    /// Validates policies in the policy server's order.
    pub fn validate_policies(inputs: &[PolicyInput]) -> Result<Vec<Policy>, PolicyError> {
        if inputs.is_empty() {
            return Err(PolicyError::bad_request("missing policies"));
        }
        let mut out = Vec::new();
        for p in inputs {
            if p.source.is_empty() {
                return Err(PolicyError::bad_request("missing source id"));
            }
            if p.destination.is_empty() {
                return Err(PolicyError::bad_request("missing destination id"));
            }
            if p.protocol != "tcp" && p.protocol != "udp" {
                return Err(PolicyError::bad_request(
                    "invalid destination protocol, specify either udp or tcp",
                ));
            }
            if p.start > p.end {
                return Err(PolicyError::bad_request(&format!(
                    "invalid port range {}-{}, start must be less than or equal to end",
                    p.start, p.end
                )));
            }
            if p.start < 0 || p.start > 65535 {
                return Err(PolicyError::bad_request(&format!(
                    "invalid start port {}, must be in range 1-65535",
                    p.start
                )));
            }
            if p.start == 0 {
                return Err(PolicyError::bad_request("missing start port"));
            }
            let end = p.end;
            if !(1..=65535).contains(&end) {
                return Err(PolicyError::bad_request(&format!(
                    "invalid end port {}, must be in range 1-65535",
                    p.end
                )));
            }
            if p.tagged {
                return Err(PolicyError::bad_request("tags may not be specified"));
            }
            out.push(Policy {
                source: p.source.clone(),
                destination: p.destination.clone(),
                protocol: p.protocol.clone(),
                start: p.start as u32,
                end: end as u32,
            });
        }
        Ok(out)
    }

    fn authorize_policies(&self, actor: &Actor, policies: &[Policy]) -> Result<(), PolicyError> {
        if actor.network_admin() {
            return Ok(());
        }
        let ok = policies.iter().all(|p| {
            [&p.source, &p.destination].iter().all(|app| {
                self.apps
                    .get(app.as_str())
                    .is_some_and(|a| actor.can_write_space(&a.space_guid))
            })
        });
        if ok {
            Ok(())
        } else {
            Err(PolicyError::forbidden(
                "one or more applications cannot be found or accessed",
            ))
        }
    }

    /// Creates policies (existing ones are left as they are).
    pub fn create_policies(
        &mut self,
        actor: &Actor,
        inputs: &[PolicyInput],
    ) -> Result<usize, PolicyError> {
        let policies = State::validate_policies(inputs)?;
        self.authorize_policies(actor, &policies)?;
        if !actor.network_admin() {
            let mut requested: BTreeMap<&str, usize> = BTreeMap::new();
            for p in &policies {
                *requested.entry(&p.source).or_default() += 1;
            }
            for (source, n) in requested {
                let existing = self.policies.iter().filter(|p| p.source == source).count();
                if existing + n > self.settings.policy_quota {
                    return Err(PolicyError::forbidden("policy quota exceeded"));
                }
            }
        }
        let mut added = 0;
        for p in policies {
            if self.policies.insert(p.clone()) {
                self.policy_log.push((true, p));
                added += 1;
            }
        }
        Ok(added)
    }

    /// Deletes policies; ones that do not exist are skipped.
    pub fn delete_policies(
        &mut self,
        actor: &Actor,
        inputs: &[PolicyInput],
    ) -> Result<usize, PolicyError> {
        let policies = State::validate_policies(inputs)?;
        self.authorize_policies(actor, &policies)?;
        let mut removed = 0;
        for p in policies {
            if self.policies.remove(&p) {
                self.policy_log.push((false, p));
                removed += 1;
            }
        }
        Ok(removed)
    }
}

fn same_target(a: &Destination, b: &Destination) -> bool {
    a.app_guid == b.app_guid && a.process_type == b.process_type && a.port == b.port
}
