//! The API's objects as the client reads and writes them. Lenient on input (unknown
//! fields ignored, missing optional ones defaulted) so that newer platforms decode.

use serde::{Deserialize, Serialize};

/// `{"guid": ...}` inside relationships.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct GuidRef {
    /// The GUID.
    pub guid: String,
}

/// `{"data": {"guid": ...}}`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct ToOne {
    /// Null when unset.
    pub data: Option<GuidRef>,
}

impl ToOne {
    /// The GUID, or "".
    pub fn guid(&self) -> &str {
        self.data.as_ref().map_or("", |d| d.guid.as_str())
    }
}

/// A link.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Link {
    /// URL.
    pub href: String,
}

/// One page of a list.
#[derive(Debug, Clone, Deserialize)]
pub struct Page<T> {
    /// Counts and links.
    pub pagination: Pagination,
    /// This page's items.
    pub resources: Vec<T>,
}

/// Pagination of a list.
#[derive(Debug, Clone, Deserialize)]
pub struct Pagination {
    /// Items across all pages.
    pub total_results: u64,
    /// The next page, if any.
    #[serde(default)]
    pub next: Option<Link>,
}

/// `GET /` links the client uses.
#[derive(Debug, Clone, Deserialize)]
pub struct RootLinks {
    /// UAA.
    pub uaa: Option<Link>,
    /// Login server (fallback for UAA).
    #[serde(default)]
    pub login: Option<Link>,
    /// Policy server v1.
    pub network_policy_v1: Option<Link>,
    /// Cloud Controller v3.
    pub cloud_controller_v3: Option<Link>,
}

/// `GET /`.
#[derive(Debug, Clone, Deserialize)]
pub struct Root {
    /// Links.
    pub links: RootLinks,
}

/// UAA token response.
#[derive(Clone, Deserialize)]
pub struct TokenResponse {
    /// Bearer token.
    pub access_token: String,
    /// Refresh token, for grants that give one.
    #[serde(default)]
    pub refresh_token: Option<String>,
    /// Lifetime in seconds.
    #[serde(default)]
    pub expires_in: Option<u64>,
    /// `bearer`.
    #[serde(default)]
    pub token_type: Option<String>,
}

impl std::fmt::Debug for TokenResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenResponse")
            .field("expires_in", &self.expires_in)
            .finish_non_exhaustive()
    }
}

/// An organization.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct Organization {
    /// GUID.
    pub guid: String,
    /// Name.
    pub name: String,
}

/// Space relationships.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
pub struct SpaceRelationships {
    /// Owning org.
    pub organization: ToOne,
}

/// A space.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct Space {
    /// GUID.
    pub guid: String,
    /// Name.
    pub name: String,
    /// Relationships.
    #[serde(default)]
    pub relationships: SpaceRelationships,
}

/// App relationships.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
pub struct AppRelationships {
    /// Owning space.
    pub space: ToOne,
}

/// An app.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct App {
    /// GUID.
    pub guid: String,
    /// Name.
    pub name: String,
    /// `STARTED` / `STOPPED`.
    #[serde(default)]
    pub state: String,
    /// Relationships.
    #[serde(default)]
    pub relationships: AppRelationships,
}

/// A domain.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct Domain {
    /// GUID.
    pub guid: String,
    /// Name.
    pub name: String,
    /// Internal (container-to-container) domain.
    #[serde(default)]
    pub internal: bool,
}

/// A destination's process.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Process {
    /// Process type.
    #[serde(rename = "type")]
    pub kind: String,
}

/// A destination's app.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DestinationApp {
    /// App GUID.
    pub guid: String,
    /// Process.
    #[serde(default)]
    pub process: Process,
}

/// A route destination.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Destination {
    /// GUID (absent in requests).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub guid: String,
    /// Target app and process.
    pub app: DestinationApp,
    /// Port.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<u16>,
    /// Protocol.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protocol: Option<String>,
}

/// `{"destinations": [...]}`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Destinations {
    /// The destinations.
    pub destinations: Vec<Destination>,
}

/// Route relationships.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
pub struct RouteRelationships {
    /// Space.
    pub space: ToOne,
    /// Domain.
    pub domain: ToOne,
}

/// Labels and annotations of any resource.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
pub struct Metadata {
    /// Labels (the platform never answers with null values).
    #[serde(default)]
    pub labels: std::collections::BTreeMap<String, Option<String>>,
    /// Annotations.
    #[serde(default)]
    pub annotations: std::collections::BTreeMap<String, Option<String>>,
}

impl Metadata {
    /// The value of label `key`, if set.
    pub fn label(&self, key: &str) -> Option<&str> {
        self.labels.get(key).and_then(|v| v.as_deref())
    }

    /// The value of annotation `key`, if set.
    pub fn annotation(&self, key: &str) -> Option<&str> {
        self.annotations.get(key).and_then(|v| v.as_deref())
    }
}

/// A route.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct Route {
    /// Labels and annotations.
    #[serde(default)]
    pub metadata: Metadata,
    /// GUID.
    pub guid: String,
    /// When the platform created it (RFC 3339).
    #[serde(default)]
    pub created_at: Option<String>,
    /// Host.
    #[serde(default)]
    pub host: String,
    /// Path.
    #[serde(default)]
    pub path: String,
    /// `host.domain/path`.
    #[serde(default)]
    pub url: String,
    /// Destinations.
    #[serde(default)]
    pub destinations: Vec<Destination>,
    /// Relationships.
    #[serde(default)]
    pub relationships: RouteRelationships,
}

/// A job.
#[derive(Debug, Clone, Deserialize)]
pub struct Job {
    /// GUID.
    pub guid: String,
    /// `PROCESSING`, `POLLING`, `COMPLETE`, `FAILED`.
    pub state: String,
    /// Operation.
    #[serde(default)]
    pub operation: String,
    /// Errors when FAILED.
    #[serde(default)]
    pub errors: Vec<ApiErrorEntry>,
}

/// One entry of a CF error response.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
pub struct ApiErrorEntry {
    /// Code.
    #[serde(default)]
    pub code: u32,
    /// Title.
    #[serde(default)]
    pub title: String,
    /// Detail.
    #[serde(default)]
    pub detail: String,
}

/// `{"errors": [...]}`.
#[derive(Debug, Clone, Deserialize)]
pub struct ApiErrors {
    /// Entries.
    pub errors: Vec<ApiErrorEntry>,
}

/// A policy's port range.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Ports {
    /// First.
    pub start: u16,
    /// Last.
    pub end: u16,
}

/// A network policy, in the policy server's shape.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Policy {
    /// Source app.
    pub source: PolicySource,
    /// Destination app, protocol and ports.
    pub destination: PolicyDestination,
}

/// A policy's source.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PolicySource {
    /// App GUID.
    pub id: String,
}

/// A policy's destination.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PolicyDestination {
    /// App GUID.
    pub id: String,
    /// `tcp` / `udp`.
    pub protocol: String,
    /// Ports.
    pub ports: Ports,
}

impl Policy {
    /// A policy from its five parts.
    pub fn new(source: &str, destination: &str, protocol: &str, start: u16, end: u16) -> Policy {
        Policy {
            source: PolicySource { id: source.into() },
            destination: PolicyDestination {
                id: destination.into(),
                protocol: protocol.into(),
                ports: Ports { start, end },
            },
        }
    }

    /// True when the app is the source or the destination.
    pub fn involves(&self, app: &str) -> bool {
        self.source.id == app || self.destination.id == app
    }
}

/// `{"policies": [...]}` (with `total_policies` in answers).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Policies {
    /// The policies.
    pub policies: Vec<Policy>,
}

/// `{"error": "..."}` from the policy server.
#[derive(Debug, Clone, Deserialize)]
pub struct PolicyErrorBody {
    /// The message.
    pub error: String,
}
