//! Request bodies as typed structs, read the lenient way the platform's handlers
//! were written here before: a field of the wrong type reads as absent, and the rules
//! in `model` then answer as the platform does (a missing or non-string host is
//! "invalid", not a parse error). A body that is not an object reads as every field
//! absent. JSON that does not parse at all is refused before these are read.

use std::collections::BTreeMap;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};
use serde_json::Value;

/// A field of type `T`, or absent when the JSON holds another type.
fn lenient<'de, D: Deserializer<'de>, T: DeserializeOwned>(d: D) -> Result<Option<T>, D::Error> {
    let v = Value::deserialize(d)?;
    Ok(serde_json::from_value(v).ok())
}

/// Reads a parsed body as `T`, every field absent when it is not an object.
pub(crate) fn read<T: DeserializeOwned + Default>(v: Value) -> T {
    serde_json::from_value(v).unwrap_or_default()
}

/// `{"guid": "..."}`.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct GuidRef {
    /// The GUID.
    #[serde(default, deserialize_with = "lenient")]
    pub guid: Option<String>,
}

/// `{"data": {"guid": "..."}}`.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct ToOne {
    /// The target.
    #[serde(default, deserialize_with = "lenient")]
    pub data: Option<GuidRef>,
}

impl ToOne {
    /// The GUID, or "".
    pub(crate) fn guid(rel: Option<&ToOne>) -> String {
        rel.and_then(|r| r.data.as_ref())
            .and_then(|d| d.guid.clone())
            .unwrap_or_default()
    }
}

/// `relationships` of an app or a route.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct Relationships {
    /// The space.
    #[serde(default, deserialize_with = "lenient")]
    pub space: Option<ToOne>,
    /// The domain (routes).
    #[serde(default, deserialize_with = "lenient")]
    pub domain: Option<ToOne>,
    /// The organization (spaces, private domains).
    #[serde(default, deserialize_with = "lenient")]
    pub organization: Option<ToOne>,
}

/// `POST /v3/organizations`, `POST /v3/spaces` and `POST /v3/domains`.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct NamedBody {
    /// Name.
    #[serde(default, deserialize_with = "lenient")]
    pub name: Option<String>,
    /// Internal (domains).
    #[serde(default, deserialize_with = "lenient")]
    pub internal: Option<bool>,
    /// The owning organization (spaces, private domains).
    #[serde(default, deserialize_with = "lenient")]
    pub relationships: Option<Relationships>,
}

impl NamedBody {
    /// The organization GUID the body names, if any.
    pub(crate) fn org(&self) -> Option<String> {
        self.relationships
            .as_ref()
            .and_then(|r| r.organization.as_ref())
            .and_then(|o| o.data.as_ref())
            .and_then(|d| d.guid.clone())
    }
}

/// `metadata`: labels and annotations; a value that is not a string (such as
/// `null`, which removes the key in a PATCH) reads as None.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct Metadata {
    /// Labels.
    #[serde(default, deserialize_with = "lenient")]
    pub labels: Option<BTreeMap<String, Value>>,
    /// Annotations.
    #[serde(default, deserialize_with = "lenient")]
    pub annotations: Option<BTreeMap<String, Value>>,
}

fn strings(m: Option<&BTreeMap<String, Value>>) -> BTreeMap<String, Option<String>> {
    m.map(|m| {
        m.iter()
            .map(|(k, v)| (k.clone(), v.as_str().map(str::to_string)))
            .collect()
    })
    .unwrap_or_default()
}

impl Metadata {
    /// Labels, each with its text or None.
    pub(crate) fn labels(meta: Option<&Metadata>) -> BTreeMap<String, Option<String>> {
        strings(meta.and_then(|m| m.labels.as_ref()))
    }

    /// Annotations, each with its text or None.
    pub(crate) fn annotations(meta: Option<&Metadata>) -> BTreeMap<String, Option<String>> {
        strings(meta.and_then(|m| m.annotations.as_ref()))
    }
}

/// `POST /v3/apps`.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct NewAppBody {
    /// Name.
    #[serde(default, deserialize_with = "lenient")]
    pub name: Option<String>,
    /// Space.
    #[serde(default, deserialize_with = "lenient")]
    pub relationships: Option<Relationships>,
}

/// `POST /v3/routes`, and the metadata of `PATCH /v3/routes/:guid`.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct RouteBody {
    /// Host.
    #[serde(default, deserialize_with = "lenient")]
    pub host: Option<String>,
    /// Path.
    #[serde(default, deserialize_with = "lenient")]
    pub path: Option<String>,
    /// Port (TCP routes).
    #[serde(default, deserialize_with = "lenient")]
    pub port: Option<u64>,
    /// Space and domain.
    #[serde(default, deserialize_with = "lenient")]
    pub relationships: Option<Relationships>,
    /// Labels and annotations.
    #[serde(default, deserialize_with = "lenient")]
    pub metadata: Option<Metadata>,
}

/// A destination's `app`.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct DestinationApp {
    /// App GUID.
    #[serde(default, deserialize_with = "lenient")]
    pub guid: Option<String>,
    /// `{"type": "web"}`.
    #[serde(default, deserialize_with = "lenient")]
    pub process: Option<ProcessRef>,
}

/// `{"type": "..."}`.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct ProcessRef {
    /// Process type.
    #[serde(rename = "type", default, deserialize_with = "lenient")]
    pub kind: Option<String>,
}

/// One destination of `POST`/`PATCH /v3/routes/:guid/destinations`.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct DestinationBody {
    /// The app and process.
    #[serde(default, deserialize_with = "lenient")]
    pub app: Option<DestinationApp>,
    /// Port.
    #[serde(default, deserialize_with = "lenient")]
    pub port: Option<i64>,
    /// Protocol.
    #[serde(default, deserialize_with = "lenient")]
    pub protocol: Option<String>,
}

/// A policy's source or destination in a policy-server body.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct PolicyEnd {
    /// App id.
    #[serde(default, deserialize_with = "lenient")]
    pub id: Option<String>,
    /// Protocol (destination).
    #[serde(default, deserialize_with = "lenient")]
    pub protocol: Option<String>,
    /// One port (v0).
    #[serde(default, deserialize_with = "lenient")]
    pub port: Option<i64>,
    /// A range.
    #[serde(default, deserialize_with = "lenient")]
    pub ports: Option<PortsBody>,
    /// A tag, which the policy server refuses.
    #[serde(default)]
    pub tag: Option<Value>,
}

/// `{"start": 1, "end": 2}`.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct PortsBody {
    /// First.
    #[serde(default, deserialize_with = "lenient")]
    pub start: Option<i64>,
    /// Last.
    #[serde(default, deserialize_with = "lenient")]
    pub end: Option<i64>,
}

/// One policy of a policy-server body.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct PolicyBody {
    /// Source.
    #[serde(default, deserialize_with = "lenient")]
    pub source: Option<PolicyEnd>,
    /// Destination.
    #[serde(default, deserialize_with = "lenient")]
    pub destination: Option<PolicyEnd>,
}

/// `PATCH /v3/apps/:guid`.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct AppPatchBody {
    /// New name.
    #[serde(default, deserialize_with = "lenient")]
    pub name: Option<String>,
}

/// `PATCH /v3/apps/:guid/features/ssh`.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct FeatureBody {
    /// On or off.
    #[serde(default, deserialize_with = "lenient")]
    pub enabled: Option<bool>,
}

/// `PATCH /v3/apps/:guid/environment_variables`: values that are null remove.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct EnvBody {
    /// The variables.
    #[serde(default, deserialize_with = "lenient")]
    pub var: Option<BTreeMap<String, Option<String>>>,
}

/// `POST …/actions/scale`.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct ScaleBody {
    /// Instances.
    #[serde(default, deserialize_with = "lenient")]
    pub instances: Option<i64>,
}

/// A manifest (`POST /v3/spaces/:guid/actions/apply_manifest`), read from YAML.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct ManifestBody {
    /// The applications.
    #[serde(default, deserialize_with = "lenient")]
    pub applications: Option<Vec<ManifestAppBody>>,
}

/// One application of a manifest.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct ManifestAppBody {
    /// Name.
    #[serde(default, deserialize_with = "lenient")]
    pub name: Option<String>,
    /// `docker: {image: …}`.
    #[serde(default, deserialize_with = "lenient")]
    pub docker: Option<DockerBody>,
    /// Environment variables (values of any scalar type).
    #[serde(default, deserialize_with = "lenient")]
    pub env: Option<BTreeMap<String, Value>>,
    /// Instances of the web process.
    #[serde(default, deserialize_with = "lenient")]
    pub instances: Option<i64>,
    /// Routes.
    #[serde(default, deserialize_with = "lenient")]
    pub routes: Option<Vec<ManifestRoute>>,
    /// `default-route: true`: a route named for the app on the default domain.
    #[serde(default, rename = "default-route", deserialize_with = "lenient")]
    pub default_route: Option<bool>,
    /// `no-route: true`: unmap every route.
    #[serde(default, rename = "no-route", deserialize_with = "lenient")]
    pub no_route: Option<bool>,
}

/// `{"image": …}` of a Docker app or package.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct DockerBody {
    /// The image.
    #[serde(default, deserialize_with = "lenient")]
    pub image: Option<String>,
}

/// `{"route": "host.domain"}`.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct ManifestRoute {
    /// The route's URL.
    #[serde(default, deserialize_with = "lenient")]
    pub route: Option<String>,
}

/// `POST /v3/packages`.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct PackageBody {
    /// `docker` or `bits`.
    #[serde(default, rename = "type", deserialize_with = "lenient")]
    pub kind: Option<String>,
    /// The image of a Docker package.
    #[serde(default, deserialize_with = "lenient")]
    pub data: Option<DockerBody>,
    /// The app.
    #[serde(default, deserialize_with = "lenient")]
    pub relationships: Option<PackageRelationships>,
}

/// A package's or a deployment's relationships.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct PackageRelationships {
    /// The app.
    #[serde(default, deserialize_with = "lenient")]
    pub app: Option<ToOne>,
}

/// `POST /v3/deployments`.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct DeploymentBody {
    /// The droplet to deploy (the current one when absent).
    #[serde(default, deserialize_with = "lenient")]
    pub droplet: Option<GuidRef>,
    /// `rolling` (the default) or `canary`.
    #[serde(default, deserialize_with = "lenient")]
    pub strategy: Option<String>,
    /// The app.
    #[serde(default, deserialize_with = "lenient")]
    pub relationships: Option<PackageRelationships>,
}

/// `POST /v3/builds`.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct BuildBody {
    /// The package to stage.
    #[serde(default, deserialize_with = "lenient")]
    pub package: Option<GuidRef>,
}
