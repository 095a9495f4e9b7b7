//! Every login mode end to end, and the errors of the ones that fail.

use terraform_provider_cloudgov::cf::{AuthMode, CfCliConfig, Client, Credentials, Error};

use crate::support::*;

async fn token_for(sim: &cloudgov_sim::Simulator) -> (String, String) {
    let v: serde_json::Value = reqwest::Client::new()
        .post(format!("{}/oauth/token", sim.url))
        .basic_auth("cf", Some(""))
        .form(&[
            ("grant_type", "password"),
            ("username", "ci-bot"),
            ("password", "ci-bot-password-7f3a91"),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    (
        v["access_token"].as_str().unwrap().into(),
        v["refresh_token"].as_str().unwrap().into(),
    )
}

#[tokio::test]
async fn auth_every_mode_works_end_to_end() {
    let sim = sim().await;
    let dev = sim.handle.space_guid("dev").unwrap();
    let (access, refresh) = token_for(&sim).await;
    let home = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(home.path().join(".cf")).unwrap();
    std::fs::write(
        home.path().join(".cf/config.json"),
        serde_json::json!({"Target": sim.url, "AccessToken": format!("bearer {access}"), "RefreshToken": refresh, "UAAOAuthClient": "cf", "UAAOAuthClientSecret": ""}).to_string(),
    )
    .unwrap();
    let saved = CfCliConfig::load(None, home.path().to_str())
        .unwrap()
        .unwrap();
    let modes = vec![
        password(),
        Credentials::ClientCredentials {
            id: "pipeline".into(),
            secret: "pipeline-secret-6b2c0d".into(),
        },
        Credentials::AccessToken {
            access: access.clone(),
            refresh: Some(refresh.clone()),
        },
        saved.credentials().unwrap(),
    ];
    for creds in modes {
        let mode = creds.mode();
        let client = Client::connect(config(&sim, creds))
            .await
            .unwrap_or_else(|e| panic!("{mode:?}: {e}"));
        let app = client.app_by_name(&dev, "backend").await.unwrap();
        assert_eq!(app.unwrap().name, "backend", "{mode:?}");
    }
    assert_no_secrets_logged(&sim);
}

#[tokio::test]
async fn auth_wrong_password_names_the_mode_and_hides_the_secret() {
    let sim = sim().await;
    let creds = Credentials::Password {
        user: "ci-bot".into(),
        password: "wrong-password-5e1d".into(),
        origin: None,
    };
    let err = Client::connect(config(&sim, creds)).await.err().unwrap();
    assert!(
        matches!(
            err,
            Error::Auth {
                mode: AuthMode::Password,
                ..
            }
        ),
        "{err:?}"
    );
    let text = err.to_string();
    assert!(text.contains("user and password"), "{text}");
    assert!(text.contains("Bad credentials"), "{text}");
    assert!(!text.contains("wrong-password-5e1d"));
    assert!(!logs().contains("wrong-password-5e1d"));
    let creds = Credentials::ClientCredentials {
        id: "pipeline".into(),
        secret: "not-it-4c4c".into(),
    };
    let err = Client::connect(config(&sim, creds)).await.err().unwrap();
    assert!(err.to_string().contains("client credentials"), "{err}");
    assert!(!err.to_string().contains("not-it-4c4c"));
}

#[tokio::test]
async fn auth_token_expiring_mid_run_is_refreshed_unnoticed() {
    let sim = sim().await;
    let client = client(&sim).await;
    let dev = sim.handle.space_guid("dev").unwrap();
    assert!(client.app_by_name(&dev, "worker").await.unwrap().is_some());
    sim.handle.expire_tokens();
    sim.handle.reset_stats();
    // Many requests at once after expiry: one refresh serves them all.
    let mut tasks = Vec::new();
    for _ in 0..20 {
        let c = client.clone();
        tasks.push(tokio::spawn(async move { c.list_policies(&[]).await }));
    }
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    assert_eq!(
        sim.handle.count("POST /oauth/token"),
        1,
        "{:?}",
        sim.handle.stats()
    );
    assert_no_secrets_logged(&sim);
}

#[tokio::test]
async fn auth_revoked_refresh_token_says_log_in_again() {
    let sim = sim().await;
    let (access, refresh) = token_for(&sim).await;
    let client = Client::connect(config(
        &sim,
        Credentials::AccessToken {
            access,
            refresh: Some(refresh),
        },
    ))
    .await
    .unwrap();
    sim.handle.revoke_user("ci-bot");
    let err = client.list_policies(&[]).await.err().unwrap();
    assert!(
        matches!(
            err,
            Error::Auth {
                mode: AuthMode::AccessToken,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("Log in again"), "{err}");
    // Every later call says the refresh token was refused, not that there was none.
    let later = futures::future::join_all((0..50).map(|_| client.list_policies(&[]))).await;
    for r in later {
        let text = r.unwrap_err().to_string();
        assert!(text.contains("the refresh token was refused"), "{text}");
        assert!(!text.contains("no refresh token"), "{text}");
    }
    // A password login recovers by itself from a revoked refresh token.
    let client = client_after_revoke(&sim).await;
    assert!(client.list_policies(&[]).await.is_ok());
    assert_no_secrets_logged(&sim);
}

async fn client_after_revoke(sim: &cloudgov_sim::Simulator) -> Client {
    let c = client(sim).await;
    sim.handle.revoke_user("ci-bot");
    c
}

#[tokio::test]
async fn auth_api_url_without_scheme_says_what_to_write() {
    let sim = sim().await;
    let mut cfg = config(&sim, password());
    cfg.api_url = "api.fr.cloud.gov".into();
    let err = Client::connect(cfg).await.err().unwrap();
    assert_eq!(
        err.to_string(),
        "api_url \"api.fr.cloud.gov\" has no scheme. Write the full URL, for example \"https://api.fr.cloud.gov\"."
    );
    let mut cfg = config(&sim, password());
    cfg.api_url = format!("{}/", sim.url);
    assert_eq!(Client::connect(cfg).await.unwrap().api_url(), sim.url);
}

#[tokio::test]
async fn auth_saved_login_is_never_sent_to_another_foundation() {
    use terraform_provider_cloudgov::framework::{Diagnostics, Value};
    use terraform_provider_cloudgov::provider::Settings;
    let issuer = sim().await;
    let other = sim().await;
    let (access, refresh) = token_for(&issuer).await;
    let home = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(home.path().join(".cf")).unwrap();
    std::fs::write(
        home.path().join(".cf/config.json"),
        serde_json::json!({"Target": issuer.url, "AccessToken": format!("bearer {access}"), "RefreshToken": refresh}).to_string(),
    )
    .unwrap();
    let home_str = home.path().display().to_string();
    let env = |api: Option<String>| {
        let home = home_str.clone();
        move |k: &str| match k {
            "CF_HOME" => Some(home.clone()),
            "CF_API_URL" => api.clone(),
            _ => None,
        }
    };
    issuer.handle.reset_stats();

    // api_url names another foundation: refused before anything is sent.
    let mut diags = Diagnostics::new();
    let settings = Settings::resolve(&Value::Null, env(Some(other.url.clone())), &mut diags);
    let config = settings.client_config(env(Some(other.url.clone())), &mut diags);
    assert!(config.is_none());
    let d = &diags.0[0];
    assert_eq!(d.summary, "Saved cf CLI Login Is for Another Foundation");
    assert!(
        d.detail.contains(&format!("\"{}\"", other.url)),
        "{}",
        d.detail
    );
    assert!(
        d.detail.contains(&format!("\"{}\"", issuer.url)),
        "{}",
        d.detail
    );
    assert!(!d.detail.contains(&access) && !d.detail.contains(&refresh));

    // The issuer itself, however spelt, and no api_url at all, both work.
    for api in [Some(format!("{}/", issuer.url)), None] {
        let mut diags = Diagnostics::new();
        let settings = Settings::resolve(&Value::Null, env(api.clone()), &mut diags);
        let mut config = settings.client_config(env(api), &mut diags).unwrap();
        assert!(diags.0.is_empty(), "{diags:?}");
        config.retry = fast_retry();
        let client = Client::connect(config).await.unwrap();
        assert_eq!(client.api_url(), issuer.url);
        client.org_by_name("sandbox").await.unwrap().unwrap();
    }
    assert!(issuer.handle.count("GET /v3/organizations") >= 1);
    assert!(
        other.handle.stats().is_empty(),
        "the other foundation was contacted: {:?}",
        other.handle.stats()
    );

    // A saved login that names no foundation is sent nowhere.
    std::fs::write(
        home.path().join(".cf/config.json"),
        serde_json::json!({"Target": "", "AccessToken": format!("bearer {access}")}).to_string(),
    )
    .unwrap();
    let mut diags = Diagnostics::new();
    let settings = Settings::resolve(&Value::Null, env(None), &mut diags);
    assert!(settings.client_config(env(None), &mut diags).is_none());
    assert_eq!(diags.0[0].summary, "Saved cf CLI Login Has No Target");
}
