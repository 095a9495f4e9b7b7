//! The `cloudgov` provider: its configuration schema, how configuration becomes the
//! settings every resource shares, and the list of resources and data sources. Only
//! that list and wiring live here; each resource is one file under `resources/`.

use std::sync::Arc;

use async_trait::async_trait;
use tokio_util::sync::CancellationToken;

use crate::cf;
use crate::framework::{
    Attribute, AttributePath, DataSource, Diagnostic, Diagnostics, Function, ListResource,
    Resource, Schema, Value,
};

/// The platform's API when neither configuration nor `CF_API_URL` names one.
pub const DEFAULT_API_URL: &str = "https://api.fr.cloud.gov";

/// The provider.
#[derive(Debug, Default)]
pub struct CloudGov;

/// Provider settings after configuration and environment are merged. Secrets are
/// kept out of `Debug`.
#[derive(Clone, Default)]
pub struct Settings {
    /// API root, without a trailing slash.
    pub api_url: String,
    /// Username for the password grant.
    pub user: Option<String>,
    /// Password for the password grant.
    pub password: Option<String>,
    /// OAuth client id.
    pub client_id: Option<String>,
    /// OAuth client secret.
    pub client_secret: Option<String>,
    /// A bearer token obtained elsewhere.
    pub access_token: Option<String>,
    /// A refresh token obtained elsewhere.
    pub refresh_token: Option<String>,
    /// UAA identity-provider origin.
    pub origin: Option<String>,
    /// Skip TLS certificate validation (explicit opt-in).
    pub skip_ssl_validation: bool,
    /// `api_url` came from configuration or `CF_API_URL` rather than the default.
    pub api_url_given: bool,
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let set = |o: &Option<String>| if o.is_some() { "(set)" } else { "(unset)" };
        f.debug_struct("Settings")
            .field("api_url", &cf::redact(&self.api_url))
            .field("user", &self.user)
            .field("password", &set(&self.password))
            .field("client_id", &self.client_id)
            .field("client_secret", &set(&self.client_secret))
            .field("access_token", &set(&self.access_token))
            .field("refresh_token", &set(&self.refresh_token))
            .field("origin", &self.origin)
            .field("skip_ssl_validation", &self.skip_ssl_validation)
            .finish()
    }
}

/// Each provider argument and the environment variable that stands in for it.
const ENV: &[(&str, &str)] = &[
    ("api_url", "CF_API_URL"),
    ("user", "CF_USER"),
    ("password", "CF_PASSWORD"),
    ("client_id", "CF_CLIENT_ID"),
    ("client_secret", "CF_CLIENT_SECRET"),
    ("access_token", "CF_ACCESS_TOKEN"),
    ("refresh_token", "CF_REFRESH_TOKEN"),
    ("origin", "CF_ORIGIN"),
    ("skip_ssl_validation", "CF_SKIP_SSL_VALIDATION"),
];

fn env_name(attr: &str) -> &'static str {
    ENV.iter().find(|(a, _)| *a == attr).map_or("", |(_, e)| *e)
}

impl Settings {
    /// Merges configuration with the environment (`env` looks a variable up):
    /// configuration wins, then the environment, then defaults.
    pub fn resolve(
        config: &Value,
        env: impl Fn(&str) -> Option<String>,
        diags: &mut Diagnostics,
    ) -> Settings {
        let get = |attr: &str| -> Option<String> {
            config
                .attr(attr)
                .as_str()
                .map(str::to_string)
                .or_else(|| env(env_name(attr)))
                .filter(|s| !s.is_empty())
        };
        let skip = match config.attr("skip_ssl_validation").as_bool() {
            Some(b) => b,
            None => match env("CF_SKIP_SSL_VALIDATION").map(|v| v.trim().to_ascii_lowercase()) {
                None => false,
                Some(v) => match v.as_str() {
                    "true" | "1" => true,
                    "false" | "0" | "" => false,
                    _ => {
                        diags.push(
                            Diagnostic::error(
                                "Invalid CF_SKIP_SSL_VALIDATION",
                                format!(
                                    "The environment variable CF_SKIP_SSL_VALIDATION is \"{v}\"; it takes true, \
                                     false, 1 or 0. It stands in for `skip_ssl_validation`."
                                ),
                            )
                            .at(AttributePath::root("skip_ssl_validation")),
                        );
                        false
                    }
                },
            },
        };
        // The official Cloud Foundry provider calls the client pair `cf_client_id` /
        // `cf_client_secret`; either spelling is accepted, not both.
        let alias = |ours: &str, theirs: &str, diags: &mut Diagnostics| -> Option<String> {
            let official = config
                .attr(theirs)
                .as_str()
                .filter(|s| !s.is_empty())
                .map(str::to_string);
            if official.is_some() && !config.attr(ours).is_null() {
                diags.push(
                    Diagnostic::error(
                        "Conflicting Arguments",
                        format!(
                            "`{theirs}` (the official Cloud Foundry provider's name) and `{ours}` are the same \
                             argument: set one of them."
                        ),
                    )
                    .at(AttributePath::root(theirs)),
                );
            }
            official.or_else(|| get(ours))
        };
        let client_id = alias("client_id", "cf_client_id", diags);
        let client_secret = alias("client_secret", "cf_client_secret", diags);
        let given = get("api_url");
        let api_url_given = given.is_some();
        let api_url = given.unwrap_or_else(|| DEFAULT_API_URL.to_string());
        if let Err(d) = check_api_url(&api_url) {
            diags.push(d);
        }
        Settings {
            api_url: api_url.trim_end_matches('/').to_string(),
            user: get("user"),
            password: get("password"),
            client_id,
            client_secret,
            access_token: get("access_token"),
            refresh_token: get("refresh_token"),
            origin: get("origin"),
            skip_ssl_validation: skip,
            api_url_given,
        }
    }
}

/// An API URL must name its scheme and host, hold no user name or password, have
/// no path, and use https unless its host is a loopback address (`cf::check_api_url`
/// holds the rule the client applies too).
pub fn check_api_url(url: &str) -> Result<(), Diagnostic> {
    let invalid = |detail: String| {
        Diagnostic::error("Invalid API URL", detail).at(AttributePath::root("api_url"))
    };
    let url = cf::check_api_url(url).map_err(|bad| {
        if bad.insecure {
            Diagnostic::error("Insecure API URL", bad.message).at(AttributePath::root("api_url"))
        } else {
            invalid(bad.message)
        }
    })?;
    let (scheme, rest) = url.split_once("://").unwrap_or(("https", &url));
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    let url_path = &rest[host.len()..];
    if url_path.is_empty() {
        Ok(())
    } else {
        Err(invalid(format!(
            "\"{url}\" has a path (\"{url_path}\"). Write the API's root URL without a path, such as \
             \"{scheme}://{host}\"."
        )))
    }
}

#[async_trait]
impl crate::framework::Provider for CloudGov {
    type Client = cf::Client;

    fn schema(&self) -> Schema {
        let env = |attr: &str, text: &str| {
            format!(
                "{text} Can also be set with the `{}` environment variable.",
                env_name(attr)
            )
        };
        Schema::new(
            "Manages cloud.gov container-to-container networking: internal routes and network policies.",
            vec![
                Attribute::string("api_url").optional().description(&env(
                    "api_url",
                    &format!("The Cloud Foundry API endpoint. Defaults to `{DEFAULT_API_URL}`."),
                )),
                Attribute::string("user")
                    .optional()
                    .description(&env("user", "Username for the password grant, such as a service account's username.")),
                Attribute::string("password")
                    .optional()
                    .sensitive()
                    .description(&env("password", "Password for the password grant.")),
                Attribute::string("client_id")
                    .optional()
                    .description(&env("client_id", "OAuth client id for the client-credentials grant.")),
                Attribute::string("client_secret")
                    .optional()
                    .sensitive()
                    .description(&env("client_secret", "OAuth client secret for the client-credentials grant.")),
                Attribute::string("cf_client_id")
                    .optional()
                    .description("The official Cloud Foundry provider's name for `client_id`; set one of the two."),
                Attribute::string("cf_client_secret")
                    .optional()
                    .sensitive()
                    .description(
                        "The official Cloud Foundry provider's name for `client_secret`; set one of the two.",
                    ),
                Attribute::string("access_token")
                    .optional()
                    .sensitive()
                    .description(&env("access_token", "A bearer token obtained elsewhere, such as from `cf oauth-token`.")),
                Attribute::string("refresh_token")
                    .optional()
                    .sensitive()
                    .description(&env("refresh_token", "A refresh token used to renew `access_token`.")),
                Attribute::string("origin")
                    .optional()
                    .description(&env("origin", "UAA identity-provider origin for the password grant.")),
                Attribute::bool("skip_ssl_validation").optional().description(&env(
                    "skip_ssl_validation",
                    "Skip TLS certificate validation. For test foundations only; prefer `SSL_CERT_FILE`.",
                )),
            ],
        )
    }

    fn resources(&self) -> Vec<Arc<dyn Resource<cf::Client>>> {
        use crate::resources::*;
        vec![
            Arc::new(internal_route::InternalRoute),
            Arc::new(network_policy::NetworkPolicy),
            Arc::new(network_policies_exclusive::NetworkPoliciesExclusive),
        ]
    }

    fn list_resources(&self) -> Vec<Arc<dyn ListResource<cf::Client>>> {
        use crate::list_resources::*;
        vec![
            Arc::new(internal_route::InternalRoutes),
            Arc::new(network_policy::NetworkPolicies),
        ]
    }

    fn functions(&self) -> Vec<Arc<dyn Function>> {
        use crate::functions::*;
        vec![
            Arc::new(policy_ids::ParsePolicyId),
            Arc::new(policy_ids::PolicyId),
            Arc::new(names::InternalHostname),
            Arc::new(names::InternalUrl),
        ]
    }

    fn data_sources(&self) -> Vec<Arc<dyn DataSource<cf::Client>>> {
        use crate::data_sources::*;
        vec![
            Arc::new(org::Org),
            Arc::new(space::Space),
            Arc::new(app::App),
            Arc::new(domain::Domain),
            Arc::new(internal_route::InternalRoute),
            Arc::new(network_policies::NetworkPolicies),
            Arc::new(reachability::Reachability),
            Arc::new(network_graph::NetworkGraph),
        ]
    }

    async fn validate(&self, config: &Value, diags: &mut Diagnostics) {
        if let Some(url) = config.attr("api_url").as_str()
            && let Err(d) = check_api_url(url)
        {
            diags.push(d);
        }
    }

    async fn configure(
        &self,
        config: &Value,
        _terraform_version: &str,
        cancel: &CancellationToken,
        diags: &mut Diagnostics,
    ) -> Option<cf::Client> {
        if !config.is_wholly_known() {
            // Terraform configures again once the values are known (at apply); until
            // then resources that need the platform report that it is not configured.
            tracing::debug!("provider configuration is not yet known; not connecting");
            return None;
        }
        let env = |k: &str| std::env::var(k).ok();
        let settings = Settings::resolve(config, env, diags);
        tracing::debug!(settings = ?settings, "provider settings resolved");
        if diags.has_errors() {
            return None;
        }
        let mut client_config = settings.client_config(env, diags)?;
        client_config.cancel = cancel.clone();
        if client_config.trust.skip_verification {
            // On every plan and apply, not only in logs: nobody should forget it is on.
            diags.push(
                Diagnostic::warning(
                    "TLS Certificates Are Not Verified",
                    "skip_ssl_validation (or CF_SKIP_SSL_VALIDATION, or a cf CLI login made with \
                     --skip-ssl-validation) is set: the provider does not check who it is talking to, so anyone on \
                     the network path could read the credentials it sends. Use this only with a test foundation; \
                     for a private CA, set SSL_CERT_FILE to its certificate instead.",
                )
                .at(AttributePath::root("skip_ssl_validation")),
            );
        }
        match cf::Client::connect(client_config).await {
            Ok(client) => Some(client),
            Err(e) => {
                let d = crate::errors::diagnostic("Provider Configuration Error", &e);
                diags.push(match &e {
                    cf::Error::Auth { mode, .. } => d.at(crate::errors::auth_attribute(*mode)),
                    cf::Error::Config(_)
                    | cf::Error::Untrusted(_)
                    | cf::Error::Redirect { .. }
                    | cf::Error::Transport { .. }
                    | cf::Error::Unreachable { .. }
                    | cf::Error::Certificate { .. } => d.at(AttributePath::root("api_url")),
                    _ => d,
                });
                None
            }
        }
    }
}

impl Settings {
    /// Picks the login mode, in this precedence: user and password, client id and
    /// secret, access token (with an optional refresh token), then the cf CLI's saved
    /// login. A half-given pair is an error naming the missing attribute.
    pub fn client_config(
        &self,
        env: impl Fn(&str) -> Option<String>,
        diags: &mut Diagnostics,
    ) -> Option<cf::ClientConfig> {
        let missing = |have: &str, need: &str| {
            Diagnostic::error(
                "Incomplete Credentials",
                format!(
                    "`{have}` is set but `{need}` is not (nor {}). Set both, or neither.",
                    env_name(need)
                ),
            )
            .at(AttributePath::root(need))
        };
        let mut api_url = self.api_url.clone();
        let mut skip = self.skip_ssl_validation;
        let credentials = match (
            &self.user,
            &self.password,
            &self.client_id,
            &self.client_secret,
        ) {
            (Some(user), Some(password), _, _) => cf::Credentials::Password {
                user: user.clone(),
                password: password.clone(),
                origin: self.origin.clone(),
            },
            (Some(_), None, _, _) => {
                diags.push(missing("user", "password"));
                return None;
            }
            (None, Some(_), _, _) => {
                diags.push(missing("password", "user"));
                return None;
            }
            (None, None, Some(id), Some(secret)) => cf::Credentials::ClientCredentials {
                id: id.clone(),
                secret: secret.clone(),
            },
            (None, None, Some(_), None) => {
                diags.push(missing("client_id", "client_secret"));
                return None;
            }
            (None, None, None, Some(_)) => {
                diags.push(missing("client_secret", "client_id"));
                return None;
            }
            (None, None, None, None) => match &self.access_token {
                Some(access) => cf::Credentials::AccessToken {
                    access: access
                        .trim_start_matches("bearer ")
                        .trim_start_matches("Bearer ")
                        .to_string(),
                    refresh: self.refresh_token.clone(),
                },
                None => {
                    let saved =
                        // CF_HOME, else the home directory: HOME, or the user profile
                        // on Windows.
                        cf::CfCliConfig::load(
                            env("CF_HOME").as_deref(),
                            env("HOME").or_else(|| env("USERPROFILE")).as_deref(),
                        );
                    match saved.transpose() {
                        Err(e) => {
                            diags.push(crate::errors::diagnostic(
                                "Provider Configuration Error",
                                &e,
                            ));
                            return None;
                        }
                        Ok(Some(saved)) if let Some(creds) = saved.credentials() => {
                            // A saved login is sent only to the foundation that issued
                            // it: checked before any request is made.
                            if let Some(d) = self
                                .saved_login_mismatch(&saved)
                                .or_else(|| saved_login_insecure(&saved))
                            {
                                diags.push(d);
                                return None;
                            }
                            api_url = saved.target.trim_end_matches('/').to_string();
                            skip = skip || saved.ssl_disabled;
                            creds
                        }
                        Ok(_) => {
                            diags.push(Diagnostic::error(
                                "No Credentials",
                                "The provider needs credentials. Set `user` and `password` (CF_USER / CF_PASSWORD, \
                                 for example from a cloud-gov-service-account service key), or `client_id` and \
                                 `client_secret`, or `access_token`, or log in with `cf login` so that \
                                 $CF_HOME/.cf/config.json holds a session.",
                            ));
                            return None;
                        }
                    }
                }
            },
        };
        let mut config = cf::ClientConfig::new(&api_url, credentials);
        config.trust = cf::Trust::from_env(&env, skip);
        // As the official provider does: pipelines tag their requests for the
        // platform's operators.
        if let Some(extra) = env("CF_APPEND_USER_AGENT").filter(|v| !v.trim().is_empty()) {
            config.user_agent = format!("{} {}", cf::USER_AGENT, extra.trim());
        }
        config.batching = !matches!(
            env("CLOUDGOV_READ_BATCHING")
                .map(|v| v.to_ascii_lowercase())
                .as_deref(),
            Some("off" | "0" | "false" | "no")
        );
        Some(config)
    }
}

impl Settings {
    /// Why the cf CLI's saved login must not be used here, if it must not: it names
    /// no foundation, or `api_url` names another one than the one that issued it.
    fn saved_login_mismatch(&self, saved: &cf::CfCliConfig) -> Option<Diagnostic> {
        let file = saved.path.display();
        if saved.target.trim().is_empty() {
            return Some(Diagnostic::error(
                "Saved cf CLI Login Has No Target",
                format!(
                    "The cf CLI's saved login in {file} does not say which foundation issued it (its \
                     `Target` is empty), so the provider will not send it anywhere. Log in again with \
                     `cf login -a API_URL`, or give the provider credentials (CF_USER and CF_PASSWORD, \
                     CF_CLIENT_ID and CF_CLIENT_SECRET, or CF_ACCESS_TOKEN)."
                ),
            ));
        }
        if !self.api_url_given || saved.issued_for(&self.api_url) {
            return None;
        }
        let (api, target) = (
            &cf::redact(&self.api_url),
            &cf::redact(saved.target.trim_end_matches('/')),
        );
        Some(
            Diagnostic::error(
                "Saved cf CLI Login Is for Another Foundation",
                format!(
                    "`api_url` (or CF_API_URL) is \"{api}\", but the cf CLI's saved login in {file} was issued \
                     by \"{target}\". The provider never sends a login to a foundation that did not issue it, \
                     so nothing was sent. Either log in to \"{api}\" with `cf login -a {api}`, or give the \
                     provider credentials for it (CF_USER and CF_PASSWORD, CF_CLIENT_ID and CF_CLIENT_SECRET, \
                     or CF_ACCESS_TOKEN), or unset `api_url` to use \"{target}\"."
                ),
            )
            .at(AttributePath::root("api_url")),
        )
    }
}

/// Why the cf CLI's saved login must not be used at all, if it must not: the
/// foundation it names fails the rule every API URL must pass (plain http to a host
/// that is not this machine, a user name in the URL, ...). The cf CLI only warns when
/// it logs in over http; the provider sends nothing.
fn saved_login_insecure(saved: &cf::CfCliConfig) -> Option<Diagnostic> {
    let bad = cf::check_api_url(&saved.target).err()?;
    Some(
        Diagnostic::error(
            "Saved cf CLI Login Is Not Safe to Use",
            format!(
                "The cf CLI's saved login in {} was issued by a foundation the provider will not send it to: {} \
                 Nothing was sent. Log in again over https with `cf login -a https://…`, or give the provider \
                 credentials (CF_USER and CF_PASSWORD, CF_CLIENT_ID and CF_CLIENT_SECRET, or CF_ACCESS_TOKEN).",
                saved.path.display(),
                bad.message
            ),
        )
        .at(AttributePath::root("api_url")),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn unknown_configuration_defers_connecting() {
        use crate::framework::Provider;
        let config = Value::object([("api_url", Value::Unknown), ("user", Value::from("u"))]);
        let mut diags = Diagnostics::new();
        let client = CloudGov
            .configure(&config, "1.0.3", &CancellationToken::new(), &mut diags)
            .await;
        assert!(client.is_none());
        assert!(diags.0.is_empty(), "{diags:?}");
    }

    /// Every registered type, and only through the provider's three lists: its schema
    /// passes the framework's check (the server would refuse to serve it), each typed
    /// model it declares names exactly the attributes at its path, every nested
    /// attribute has a model, and it has its example and its docs page. Adding a type
    /// to a list without these fails here.
    #[test]
    fn every_registered_type_is_complete() {
        use crate::framework::Provider;
        use crate::framework::model::{Models, assert_fields_match};
        use crate::framework::schema::{AttrType, Attribute};
        fn check_models(name: &str, attrs: &[Attribute], models: Models, path: &str) {
            let fields = models
                .iter()
                .find(|(p, _)| *p == path)
                .unwrap_or_else(|| panic!("{name}: no model for `{path}` (fn models)"))
                .1;
            assert_fields_match(attrs, fields);
            for a in attrs {
                if let AttrType::Nested(_, inner) = &a.ty {
                    let nested = if path.is_empty() {
                        a.name.clone()
                    } else {
                        format!("{path}.{}", a.name)
                    };
                    check_models(name, inner, models, &nested);
                }
            }
        }
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let exists = |rel: String| assert!(root.join(&rel).is_file(), "missing {rel}");
        let short = |n: &str| n.trim_start_matches("cloudgov_").to_string();
        let p = CloudGov;
        assert_eq!(p.schema().check(), Ok(()), "provider");
        for r in p.resources() {
            let (name, schema) = (r.type_name(), r.schema());
            assert_eq!(schema.check(), Ok(()), "{name}");
            check_models(name, &schema.block.attributes, r.models(), "");
            exists(format!("examples/resources/{name}/resource.tf"));
            exists(format!("examples/resources/{name}/import.sh"));
            exists(format!("docs/resources/{}.md", short(name)));
        }
        for d in p.data_sources() {
            let (name, schema) = (d.type_name(), d.schema());
            assert_eq!(schema.check(), Ok(()), "{name}");
            check_models(name, &schema.block.attributes, d.models(), "");
            exists(format!("examples/data-sources/{name}/data-source.tf"));
            exists(format!("docs/data-sources/{}.md", short(name)));
        }
        for f in p.functions() {
            exists(format!("examples/functions/{}/function.tf", f.name()));
            exists(format!("docs/functions/{}.md", f.name()));
        }
        for l in p.list_resources() {
            let (name, schema) = (l.type_name(), l.schema());
            assert_eq!(schema.check(), Ok(()), "list {name}");
            check_models(name, &schema.block.attributes, l.models(), "");
            exists(format!(
                "examples/list-resources/{name}/list-resource.tfquery.hcl"
            ));
            exists(format!("docs/list-resources/{}.md", short(name)));
        }
    }

    #[test]
    fn official_client_argument_names_are_accepted() {
        let no_env = |_: &str| None;
        let mut diags = Diagnostics::new();
        let official = Value::object([
            ("cf_client_id", Value::from("pipeline")),
            ("cf_client_secret", Value::from("s3cret")),
        ]);
        let s = Settings::resolve(&official, no_env, &mut diags);
        assert!(diags.0.is_empty(), "{diags:?}");
        assert_eq!(s.client_id.as_deref(), Some("pipeline"));
        assert_eq!(s.client_secret.as_deref(), Some("s3cret"));

        let both = Value::object([
            ("cf_client_id", Value::from("pipeline")),
            ("client_id", Value::from("other")),
        ]);
        Settings::resolve(&both, no_env, &mut diags);
        assert_eq!(diags.0.len(), 1, "{diags:?}");
        assert_eq!(diags.0[0].summary, "Conflicting Arguments");
        assert_eq!(diags.0[0].path, Some(AttributePath::root("cf_client_id")));
    }

    #[test]
    fn api_url_rules() {
        assert!(check_api_url("https://api.fr.cloud.gov").is_ok());
        assert!(check_api_url("http://127.0.0.1:8080").is_ok());
        assert!(check_api_url("http://localhost:1/").is_ok());
        assert!(check_api_url("http://[::1]:99").is_ok());
        let d = check_api_url("api.fr.cloud.gov").unwrap_err();
        assert_eq!(d.summary, "Invalid API URL");
        assert!(
            d.detail.contains("\"https://api.fr.cloud.gov\""),
            "{}",
            d.detail
        );
        assert_eq!(d.path, Some(AttributePath::root("api_url")));
        assert_eq!(
            check_api_url("http://api.example.org").unwrap_err().summary,
            "Insecure API URL"
        );
        let d = check_api_url("https://api.example.org/v3").unwrap_err();
        assert!(d.detail.contains("has a path (\"/v3\")"), "{}", d.detail);
        // The userinfo trick: a loopback-looking user name before a remote host.
        for url in [
            "http://[::1]@evil.example:8080",
            "https://u:hunter2@api.example.org",
        ] {
            let d = check_api_url(url).unwrap_err();
            assert_eq!(d.summary, "Invalid API URL", "{url}");
            assert!(d.detail.contains("user name or password"), "{}", d.detail);
            assert!(
                !d.detail.contains("hunter2") && !d.detail.contains("[::1]@"),
                "{}",
                d.detail
            );
        }
    }

    #[test]
    fn user_agent_names_the_provider_and_takes_an_addition() {
        let config = Value::object([("user", Value::from("u")), ("password", Value::from("p"))]);
        let build = |append: Option<&str>| {
            let append = append.map(str::to_string);
            let env = move |k: &str| {
                (k == "CF_APPEND_USER_AGENT")
                    .then(|| append.clone())
                    .flatten()
            };
            let mut diags = Diagnostics::new();
            let s = Settings::resolve(&config, &env, &mut diags);
            s.client_config(&env, &mut diags).unwrap().user_agent
        };
        assert_eq!(
            build(None),
            format!("terraform-provider-cloudgov/{}", env!("CARGO_PKG_VERSION"))
        );
        assert_eq!(
            build(Some("pipeline/42")),
            format!(
                "terraform-provider-cloudgov/{} pipeline/42",
                env!("CARGO_PKG_VERSION")
            )
        );
        assert_eq!(build(Some("  ")), build(None));
    }

    #[test]
    fn configuration_wins_over_environment_and_secrets_stay_out_of_debug() {
        let config = Value::object([
            ("api_url", Value::from("https://api.example.org/")),
            ("password", Value::from("from-config")),
            ("user", Value::Null),
        ]);
        let env = |k: &str| match k {
            "CF_USER" => Some("env-user".to_string()),
            "CF_PASSWORD" => Some("from-env".to_string()),
            "CF_SKIP_SSL_VALIDATION" => Some("true".to_string()),
            _ => None,
        };
        let mut diags = Diagnostics::new();
        let s = Settings::resolve(&config, env, &mut diags);
        assert!(!diags.has_errors());
        assert_eq!(s.api_url, "https://api.example.org");
        assert_eq!(s.user.as_deref(), Some("env-user"));
        assert_eq!(s.password.as_deref(), Some("from-config"));
        assert!(s.skip_ssl_validation);
        let printed = format!("{s:?}");
        assert!(!printed.contains("from-config"), "{printed}");
    }
}
