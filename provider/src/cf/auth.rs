//! Logging in and staying logged in: the four credential modes in their precedence,
//! the cf CLI's saved login, and a token source that refreshes before expiry and
//! after a 401, with one refresh in flight however many requests wait for it.

use std::time::{Duration, Instant};

use base64::Engine;
use reqwest::Method;

use super::error::{AuthMode, Error, Result};
use super::http::{Body, Http, Request};
use super::models::TokenResponse;

/// Refresh this long before a token expires.
const MARGIN: Duration = Duration::from_secs(30);

/// How to log in. Secrets never reach `Debug`.
#[derive(Clone)]
pub enum Credentials {
    /// Password grant with the `cf` client.
    Password {
        /// Username.
        user: String,
        /// Password.
        password: String,
        /// Identity-provider origin.
        origin: Option<String>,
    },
    /// Client-credentials grant.
    ClientCredentials {
        /// Client id.
        id: String,
        /// Client secret.
        secret: String,
    },
    /// A token obtained elsewhere.
    AccessToken {
        /// Bearer token.
        access: String,
        /// Refresh token.
        refresh: Option<String>,
    },
    /// The cf CLI's saved login.
    CfHome {
        /// Bearer token.
        access: String,
        /// Refresh token.
        refresh: Option<String>,
        /// The UAA client the CLI uses (`cf`).
        client_id: String,
        /// Its secret (empty for `cf`).
        client_secret: String,
    },
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Credentials::Password { user, origin, .. } => f
                .debug_struct("Password")
                .field("user", user)
                .field("origin", origin)
                .finish_non_exhaustive(),
            Credentials::ClientCredentials { id, .. } => f
                .debug_struct("ClientCredentials")
                .field("id", id)
                .finish_non_exhaustive(),
            Credentials::AccessToken { .. } => f.write_str("AccessToken"),
            Credentials::CfHome { .. } => f.write_str("CfHome"),
        }
    }
}

impl Credentials {
    /// The mode, for messages.
    pub fn mode(&self) -> AuthMode {
        match self {
            Credentials::Password { .. } => AuthMode::Password,
            Credentials::ClientCredentials { .. } => AuthMode::ClientCredentials,
            Credentials::AccessToken { .. } => AuthMode::AccessToken,
            Credentials::CfHome { .. } => AuthMode::CfHome,
        }
    }
}

/// What the cf CLI saved in `$CF_HOME/.cf/config.json`.
#[derive(Clone, Default, serde::Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CfCliConfig {
    /// The file it was read from, for messages.
    #[serde(skip)]
    pub path: std::path::PathBuf,
    /// The API it targets.
    #[serde(default)]
    pub target: String,
    /// `bearer <token>`.
    #[serde(default)]
    pub access_token: String,
    /// Refresh token.
    #[serde(default)]
    pub refresh_token: String,
    /// `cf login --skip-ssl-validation`.
    #[serde(default, rename = "SSLDisabled")]
    pub ssl_disabled: bool,
    /// UAA client.
    #[serde(default, rename = "UAAOAuthClient")]
    pub uaa_client: String,
    /// UAA client secret.
    #[serde(default, rename = "UAAOAuthClientSecret")]
    pub uaa_client_secret: String,
}

impl std::fmt::Debug for CfCliConfig {
    // The saved tokens are secret: only the file and its target are shown.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CfCliConfig")
            .field("path", &self.path)
            .field("target", &self.target)
            .finish_non_exhaustive()
    }
}

impl CfCliConfig {
    /// Reads `$CF_HOME/.cf/config.json` (CF_HOME defaults to HOME). None when there is
    /// no such file.
    pub fn load(cf_home: Option<&str>, home: Option<&str>) -> Option<Result<CfCliConfig>> {
        let base = cf_home
            .filter(|s| !s.is_empty())
            .or(home.filter(|s| !s.is_empty()))?;
        let path = std::path::Path::new(base).join(".cf").join("config.json");
        let text = std::fs::read_to_string(&path).ok()?;
        Some(
            serde_json::from_str(&text)
                .map(|c: CfCliConfig| CfCliConfig {
                    path: path.clone(),
                    ..c
                })
                .map_err(|e| {
                    Error::Config(format!(
                        "the cf CLI configuration {} could not be read: {e}",
                        path.display()
                    ))
                }),
        )
    }

    /// True when `api_url` names the foundation this login was issued by (its
    /// `Target`): same scheme, host and port, and same path but for trailing
    /// slashes. A saved credential is only ever sent to that foundation.
    pub fn issued_for(&self, api_url: &str) -> bool {
        same_foundation(&self.target, api_url)
    }

    /// Credentials from this login, if it holds a token.
    pub fn credentials(&self) -> Option<Credentials> {
        let access = self.access_token.trim();
        let access = access
            .strip_prefix("bearer ")
            .or_else(|| access.strip_prefix("Bearer "))
            .unwrap_or(access)
            .trim();
        if access.is_empty() {
            return None;
        }
        Some(Credentials::CfHome {
            access: access.to_string(),
            refresh: Some(self.refresh_token.clone()).filter(|r| !r.is_empty()),
            client_id: if self.uaa_client.is_empty() {
                "cf".into()
            } else {
                self.uaa_client.clone()
            },
            client_secret: self.uaa_client_secret.clone(),
        })
    }
}

/// True when two API URLs name the same foundation: scheme and host compared without
/// case, the port with its scheme's default filled in, the path without trailing
/// slashes. Anything unparsable matches nothing.
pub fn same_foundation(a: &str, b: &str) -> bool {
    let key = |u: &str| {
        let url = reqwest::Url::parse(u.trim()).ok()?;
        Some((
            url.scheme().to_string(),
            url.host_str()?.to_ascii_lowercase(),
            url.port_or_known_default(),
            url.path().trim_end_matches('/').to_string(),
        ))
    };
    matches!((key(a), key(b)), (Some(x), Some(y)) if x == y)
}

/// When a JWT says it expires, as an `Instant` (None if it is not a readable JWT).
pub fn jwt_expiry(token: &str) -> Option<Instant> {
    let claims = token.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(claims.trim_end_matches('='))
        .ok()?;
    let exp = serde_json::from_slice::<serde_json::Value>(&bytes).ok()?["exp"].as_f64()?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?
        .as_secs_f64();
    Some(Instant::now() + Duration::from_secs_f64((exp - now).max(0.0)))
}

struct TokenState {
    access: Option<String>,
    refresh: Option<String>,
    /// UAA refused the refresh token: every later failure says so, not that there
    /// was none.
    refresh_refused: bool,
    expires_at: Option<Instant>,
}

/// Hands out a valid bearer token, logging in or refreshing as needed.
pub struct TokenSource {
    creds: Credentials,
    token_url: String,
    state: tokio::sync::Mutex<TokenState>,
}

impl std::fmt::Debug for TokenSource {
    // Credentials and tokens are secret: only where they go is shown.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenSource")
            .field("token_url", &self.token_url)
            .finish_non_exhaustive()
    }
}

impl TokenSource {
    /// A source for `creds` against UAA's token endpoint.
    pub fn new(creds: Credentials, token_url: String) -> TokenSource {
        let (access, refresh) = match &creds {
            Credentials::AccessToken { access, refresh }
            | Credentials::CfHome {
                access, refresh, ..
            } => (Some(access.clone()), refresh.clone()),
            _ => (None, None),
        };
        let expires_at = access.as_deref().and_then(jwt_expiry);
        TokenSource {
            creds,
            token_url,
            state: tokio::sync::Mutex::new(TokenState {
                access,
                refresh,
                refresh_refused: false,
                expires_at,
            }),
        }
    }

    /// The login mode.
    pub fn mode(&self) -> AuthMode {
        self.creds.mode()
    }

    /// A token valid for at least a little while. Concurrent callers wait for one
    /// login or refresh rather than each starting their own.
    pub async fn token(&self, http: &Http) -> Result<String> {
        let mut st = self.state.lock().await;
        if let Some(a) = &st.access
            && st.expires_at.is_none_or(|e| e > Instant::now() + MARGIN)
        {
            return Ok(a.clone());
        }
        self.obtain(http, &mut st).await?;
        st.access.clone().ok_or_else(|| Error::Auth {
            mode: self.mode(),
            reason: "UAA answered without an access token".into(),
        })
    }

    /// The platform refused `used`: the next `token()` logs in or refreshes, unless
    /// another request already did.
    pub async fn invalidate(&self, used: &str) {
        let mut st = self.state.lock().await;
        if st.access.as_deref() == Some(used) {
            st.expires_at = Some(Instant::now());
        }
    }

    async fn obtain(&self, http: &Http, st: &mut TokenState) -> Result<()> {
        let mode = self.mode();
        if let Some(refresh) = st.refresh.clone() {
            let form = form_urlencoded::Serializer::new(String::new())
                .append_pair("grant_type", "refresh_token")
                .append_pair("refresh_token", &refresh)
                .finish();
            match self.grant(http, form).await {
                Ok(t) => {
                    tracing::debug!(mode = ?mode, "token refreshed");
                    store(st, t);
                    return Ok(());
                }
                Err(Error::Auth { .. }) => {
                    st.refresh = None;
                    st.refresh_refused = true;
                }
                Err(e) => return Err(e),
            }
        }
        let form = match &self.creds {
            Credentials::Password {
                user,
                password,
                origin,
            } => {
                let mut s = form_urlencoded::Serializer::new(String::new());
                s.append_pair("grant_type", "password")
                    .append_pair("username", user)
                    .append_pair("password", password);
                if let Some(o) = origin {
                    s.append_pair(
                        "login_hint",
                        &serde_json::json!({ "origin": o }).to_string(),
                    );
                }
                s.finish()
            }
            Credentials::ClientCredentials { .. } => {
                form_urlencoded::Serializer::new(String::new())
                    .append_pair("grant_type", "client_credentials")
                    .finish()
            }
            Credentials::AccessToken { .. } | Credentials::CfHome { .. } if st.refresh_refused => {
                return Err(Error::Auth {
                    mode,
                    reason: "the refresh token was refused (it expired or was revoked). Log in again (`cf login`, \
                             or new credentials) and retry"
                        .into(),
                });
            }
            Credentials::AccessToken { access, .. } | Credentials::CfHome { access, .. } => {
                let reason = match jwt_expiry(access) {
                    None => {
                        "the access token is not a valid token (it is not a JWT). Give the whole token, as \
                             `cf oauth-token` prints it (with or without `bearer `)"
                    }
                    Some(at) if at <= Instant::now() + MARGIN => {
                        "the access token has expired and there is no refresh token to renew it. Log in again \
                         (`cf login`, or a new access token) and retry"
                    }
                    Some(_) => {
                        "the platform refused the access token (it was revoked, or issued by another \
                         foundation), and there is no refresh token to renew it. Log in again (`cf login`, or a \
                         new access token) and retry"
                    }
                };
                return Err(Error::Auth {
                    mode,
                    reason: reason.into(),
                });
            }
        };
        let t = self.grant(http, form).await?;
        tracing::debug!(mode = ?mode, "logged in");
        store(st, t);
        Ok(())
    }

    fn client(&self) -> (String, String) {
        match &self.creds {
            Credentials::ClientCredentials { id, secret } => (id.clone(), secret.clone()),
            Credentials::CfHome {
                client_id,
                client_secret,
                ..
            } => (client_id.clone(), client_secret.clone()),
            _ => ("cf".into(), String::new()),
        }
    }

    async fn grant(&self, http: &Http, form: String) -> Result<TokenResponse> {
        let mut req = Request::new(Method::POST, &self.token_url).idempotent(true);
        req.body = Body::Form(form);
        req.basic = Some(self.client());
        let resp = http.send(&req).await?;
        if resp.status == 200 {
            return serde_json::from_slice(&resp.body).map_err(|e| Error::Decode {
                url: self.token_url.clone(),
                reason: e.to_string(),
            });
        }
        let reason = serde_json::from_slice::<serde_json::Value>(&resp.body)
            .ok()
            .and_then(|v| {
                v["error_description"]
                    .as_str()
                    .or(v["error"].as_str())
                    .map(str::to_string)
            })
            .unwrap_or_else(|| format!("UAA answered {}", resp.status));
        if matches!(resp.status, 400 | 401 | 403) {
            let origin = match &self.creds {
                Credentials::Password {
                    origin: Some(o), ..
                } => format!(
                    ". The user was looked up in the identity provider with origin \"{o}\" (origin, CF_ORIGIN): \
                     check that the user belongs to it, or unset origin for a UAA user such as a service account"
                ),
                _ => String::new(),
            };
            Err(Error::Auth {
                mode: self.mode(),
                reason: format!("{reason} (UAA at {}){origin}", self.token_url),
            })
        } else {
            Err(Error::Api {
                status: resp.status,
                code: 0,
                title: "UAA".into(),
                detail: reason,
            })
        }
    }
}

fn store(st: &mut TokenState, t: TokenResponse) {
    st.expires_at = t
        .expires_in
        .map(|s| Instant::now() + Duration::from_secs(s))
        .or_else(|| jwt_expiry(&t.access_token));
    st.access = Some(t.access_token);
    if t.refresh_token.is_some() {
        st.refresh = t.refresh_token;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_secrets() {
        let c = Credentials::Password {
            user: "u".into(),
            password: "hunter2".into(),
            origin: None,
        };
        assert!(!format!("{c:?}").contains("hunter2"));
        let c = Credentials::ClientCredentials {
            id: "i".into(),
            secret: "s3cret".into(),
        };
        assert!(!format!("{c:?}").contains("s3cret"));
        let c = Credentials::AccessToken {
            access: "tok".into(),
            refresh: Some("ref".into()),
        };
        assert_eq!(format!("{c:?}"), "AccessToken");
    }

    #[test]
    fn cf_cli_config_gives_cf_home_credentials() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join(".cf")).unwrap();
        std::fs::write(
            dir.path().join(".cf/config.json"),
            r#"{"ConfigVersion":3,"Target":"https://api.example.org","AccessToken":"bearer abc.def.ghi","RefreshToken":"r1","SSLDisabled":true,"UAAOAuthClient":"cf","UAAOAuthClientSecret":""}"#,
        )
        .unwrap();
        let cfg = CfCliConfig::load(None, dir.path().to_str())
            .unwrap()
            .unwrap();
        assert_eq!(cfg.target, "https://api.example.org");
        assert!(cfg.ssl_disabled);
        match cfg.credentials().unwrap() {
            Credentials::CfHome {
                access,
                refresh,
                client_id,
                ..
            } => {
                assert_eq!(
                    (access.as_str(), refresh.as_deref(), client_id.as_str()),
                    ("abc.def.ghi", Some("r1"), "cf")
                );
            }
            other => panic!("{other:?}"),
        }
        assert!(CfCliConfig::load(Some("/nonexistent"), None).is_none());
        assert_eq!(cfg.path, dir.path().join(".cf/config.json"));
    }

    #[test]
    fn same_foundation_ignores_only_spelling() {
        let yes = [
            ("https://api.fr.cloud.gov", "https://api.fr.cloud.gov/"),
            ("https://API.fr.cloud.gov", "https://api.fr.cloud.gov:443"),
            ("http://127.0.0.1:8080/", "http://127.0.0.1:8080"),
        ];
        for (a, b) in yes {
            assert!(same_foundation(a, b), "{a} {b}");
        }
        let no = [
            ("https://api.fr.cloud.gov", "https://api.fr-stage.cloud.gov"),
            ("https://api.fr.cloud.gov", "http://api.fr.cloud.gov"),
            ("https://127.0.0.1:8080", "https://127.0.0.1:8081"),
            (
                "https://api.example.org",
                "https://api.example.org.evil.test",
            ),
            ("https://api.example.org/a", "https://api.example.org/b"),
            ("", "https://api.example.org"),
            ("not a url", "not a url"),
        ];
        for (a, b) in no {
            assert!(!same_foundation(a, b), "{a} {b}");
        }
    }
}
