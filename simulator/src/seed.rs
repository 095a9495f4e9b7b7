//! Seed files: what the simulated platform holds when it starts or is reset. JSON,
//! documented in `simulator/README.md`. GUIDs of seeded objects are derived from
//! their names (UUID v5), so they are the same on every run unless a seed names them.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::model::{App, Client, Domain, Org, Roles, Space, State, User};

/// A seed file.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Seed {
    /// Organizations with their spaces and apps.
    #[serde(default)]
    pub orgs: Vec<SeedOrg>,
    /// Domains.
    #[serde(default)]
    pub domains: Vec<SeedDomain>,
    /// Users.
    #[serde(default)]
    pub users: Vec<SeedUser>,
    /// OAuth clients.
    #[serde(default)]
    pub clients: Vec<SeedClient>,
}

/// An organization.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedOrg {
    /// Name.
    pub name: String,
    /// GUID (derived from the name when absent).
    #[serde(default)]
    pub guid: Option<String>,
    /// Spaces.
    #[serde(default)]
    pub spaces: Vec<SeedSpace>,
}

/// A space.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedSpace {
    /// Name.
    pub name: String,
    /// GUID.
    #[serde(default)]
    pub guid: Option<String>,
    /// Apps.
    #[serde(default)]
    pub apps: Vec<SeedApp>,
}

/// An app.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedApp {
    /// Name.
    pub name: String,
    /// GUID.
    #[serde(default)]
    pub guid: Option<String>,
    /// Port of destinations that name none (8080 unless said).
    #[serde(default)]
    pub port: Option<u16>,
    /// `STARTED` (the default) or `STOPPED`.
    #[serde(default)]
    pub state: Option<String>,
}

/// A domain.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedDomain {
    /// Name.
    pub name: String,
    /// Internal domain.
    #[serde(default)]
    pub internal: bool,
    /// GUID.
    #[serde(default)]
    pub guid: Option<String>,
}

/// A user.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedUser {
    /// Username.
    pub name: String,
    /// Password.
    pub password: String,
    /// Origin (`uaa` when absent).
    #[serde(default)]
    pub origin: Option<String>,
    /// Cloud Controller admin.
    #[serde(default)]
    pub admin: bool,
    /// Extra scopes, such as `network.admin` or `network.write`.
    #[serde(default)]
    pub scopes: Vec<String>,
    /// Spaces (`org/space`) where the user is SpaceDeveloper.
    #[serde(default)]
    pub space_developer: Vec<String>,
}

/// An OAuth client.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedClient {
    /// Client id.
    pub id: String,
    /// Secret (empty for a public client).
    #[serde(default)]
    pub secret: String,
    /// May use the client-credentials grant.
    #[serde(default)]
    pub client_credentials: bool,
    /// Cloud Controller admin.
    #[serde(default)]
    pub admin: bool,
    /// Extra scopes.
    #[serde(default)]
    pub scopes: Vec<String>,
    /// Spaces (`org/space`) where the client is SpaceDeveloper.
    #[serde(default)]
    pub space_developer: Vec<String>,
}

/// A seed file did not make sense.
#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    /// Not valid JSON of the seed format.
    #[error("the seed is not valid: {0}")]
    Format(#[from] serde_json::Error),
    /// A role names a space that is not in the seed.
    #[error(
        "{who} is SpaceDeveloper in \"{space}\", which the seed does not define (write org/space)"
    )]
    UnknownSpace {
        /// The user or client.
        who: String,
        /// The `org/space` it named.
        space: String,
    },
}

const NAMESPACE: uuid::Uuid = uuid::Uuid::from_u128(0x6c6f_7564_676f_7673_696d_0000_0000_0001);

fn derived(kind: &str, name: &str) -> String {
    uuid::Uuid::new_v5(&NAMESPACE, format!("{kind}/{name}").as_bytes()).to_string()
}

/// The default seed; its names are part of the simulator's contract.
pub fn default_seed() -> Seed {
    let app = |n: &str| SeedApp {
        name: n.into(),
        guid: None,
        port: None,
        state: None,
    };
    let space = |n: &str, apps: &[&str]| SeedSpace {
        name: n.into(),
        guid: None,
        apps: apps.iter().map(|a| app(a)).collect(),
    };
    Seed {
        orgs: vec![SeedOrg {
            name: "sandbox".into(),
            guid: None,
            spaces: vec![
                space("dev", &["frontend", "backend", "worker"]),
                space("other", &["partner"]),
                space("restricted", &["secret-app"]),
            ],
        }],
        domains: vec![
            SeedDomain {
                name: "apps.internal".into(),
                internal: true,
                guid: None,
            },
            SeedDomain {
                name: "app.cloud.gov".into(),
                internal: false,
                guid: None,
            },
        ],
        users: vec![
            SeedUser {
                name: "deployer".into(),
                password: "deployer".into(),
                origin: None,
                admin: false,
                scopes: Vec::new(),
                space_developer: vec!["sandbox/dev".into(), "sandbox/other".into()],
            },
            SeedUser {
                name: "admin".into(),
                password: "admin".into(),
                origin: None,
                admin: true,
                scopes: vec!["network.admin".into()],
                space_developer: Vec::new(),
            },
        ],
        clients: vec![
            SeedClient {
                id: "cf".into(),
                secret: String::new(),
                client_credentials: false,
                admin: false,
                scopes: Vec::new(),
                space_developer: Vec::new(),
            },
            SeedClient {
                id: "pipeline".into(),
                secret: "pipeline-secret".into(),
                client_credentials: true,
                admin: false,
                scopes: Vec::new(),
                space_developer: vec!["sandbox/dev".into(), "sandbox/other".into()],
            },
        ],
    }
}

impl Seed {
    /// Parses a seed file's JSON.
    pub fn from_json(text: &str) -> Result<Seed, SeedError> {
        Ok(serde_json::from_str(text)?)
    }

    /// Builds a state holding exactly what the seed describes.
    pub fn build(&self, settings: crate::model::Settings) -> Result<State, SeedError> {
        let mut state = State {
            settings,
            ..State::default()
        };
        let now = state.now();
        let mut space_paths = std::collections::BTreeMap::new();
        for o in &self.orgs {
            let org_guid = o.guid.clone().unwrap_or_else(|| derived("org", &o.name));
            state.orgs.insert(
                org_guid.clone(),
                Org {
                    guid: org_guid.clone(),
                    name: o.name.clone(),
                    created_at: now,
                },
            );
            for s in &o.spaces {
                let path = format!("{}/{}", o.name, s.name);
                let space_guid = s.guid.clone().unwrap_or_else(|| derived("space", &path));
                space_paths.insert(path.clone(), space_guid.clone());
                state.spaces.insert(
                    space_guid.clone(),
                    Space {
                        guid: space_guid.clone(),
                        name: s.name.clone(),
                        org_guid: org_guid.clone(),
                        created_at: now,
                    },
                );
                for a in &s.apps {
                    let guid = a
                        .guid
                        .clone()
                        .unwrap_or_else(|| derived("app", &format!("{path}/{}", a.name)));
                    state.apps.insert(
                        guid.clone(),
                        App {
                            guid,
                            name: a.name.clone(),
                            space_guid: space_guid.clone(),
                            state: a.state.clone().unwrap_or_else(|| "STARTED".into()),
                            default_port: a.port.unwrap_or(8080),
                            created_at: now,
                            env: BTreeMap::new(),
                            instances: 1,
                            image: None,
                            package_image: None,
                            pushed_at: 0.0,
                            ssh_enabled: true,
                        },
                    );
                }
            }
        }
        for d in &self.domains {
            let guid = d.guid.clone().unwrap_or_else(|| derived("domain", &d.name));
            state.domains.insert(
                guid.clone(),
                Domain {
                    guid,
                    name: d.name.clone(),
                    internal: d.internal,
                    created_at: now,
                    org_guid: None,
                },
            );
        }
        let spaces = |who: &str, names: &[String]| -> Result<BTreeSet<String>, SeedError> {
            names
                .iter()
                .map(|n| {
                    space_paths
                        .get(n)
                        .cloned()
                        .ok_or_else(|| SeedError::UnknownSpace {
                            who: who.to_string(),
                            space: n.clone(),
                        })
                })
                .collect()
        };
        for u in &self.users {
            let roles = Roles {
                admin: u.admin,
                scopes: u.scopes.clone(),
                developer_spaces: spaces(&u.name, &u.space_developer)?,
            };
            state.users.insert(
                u.name.clone(),
                User {
                    name: u.name.clone(),
                    password: u.password.clone(),
                    origin: u.origin.clone().unwrap_or_else(|| "uaa".into()),
                    roles,
                },
            );
        }
        for c in &self.clients {
            let roles = Roles {
                admin: c.admin,
                scopes: c.scopes.clone(),
                developer_spaces: spaces(&c.id, &c.space_developer)?,
            };
            state.clients.insert(
                c.id.clone(),
                Client {
                    id: c.id.clone(),
                    secret: c.secret.clone(),
                    client_credentials: c.client_credentials,
                    roles,
                },
            );
        }
        Ok(state)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_seed_has_the_contract_names_and_stable_guids() {
        let a = default_seed().build(Default::default()).unwrap();
        let b = default_seed().build(Default::default()).unwrap();
        assert_eq!(
            a.apps.keys().collect::<Vec<_>>(),
            b.apps.keys().collect::<Vec<_>>()
        );
        let names: BTreeSet<&str> = a.apps.values().map(|a| a.name.as_str()).collect();
        assert_eq!(
            names,
            ["backend", "frontend", "partner", "secret-app", "worker"]
                .into_iter()
                .collect()
        );
        let deployer = &a.users["deployer"];
        assert_eq!(deployer.roles.developer_spaces.len(), 2);
    }

    #[test]
    fn unknown_space_in_a_role_is_an_error() {
        let seed =
            Seed::from_json(r#"{"users":[{"name":"u","password":"p","space_developer":["x/y"]}]}"#)
                .unwrap();
        let err = seed.build(Default::default()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "u is SpaceDeveloper in \"x/y\", which the seed does not define (write org/space)"
        );
    }
}
