//! The provider block alone: install from a mirror, validate, schema, plan.

use acceptance_tests::{Cli, Workspace};

const PROVIDER_ONLY: &str = r#"terraform {
  required_providers {
    cloudgov = {
      source = "cloud-gov/cloudgov"
    }
  }
}

provider "cloudgov" {
  api_url  = "https://api.example.org"
  user     = "deployer"
  password = "never-shown-anywhere"
}
"#;

fn provider_only(cli: Cli) {
    let Some(ws) = Workspace::new(cli) else {
        return;
    };
    ws.write("main.tf", PROVIDER_ONLY);
    ws.init();
    let validate = ws.run(&["validate", "-no-color"]).ok();
    assert!(
        validate
            .stdout
            .contains("Success! The configuration is valid."),
        "{}",
        validate.stdout
    );

    let schema = ws.run(&["providers", "schema", "-json"]).ok();
    let json: serde_json::Value = serde_json::from_str(&schema.stdout).expect("schema JSON");
    let key = format!("{}/cloud-gov/cloudgov", cli.registry_host());
    let attrs = &json["provider_schemas"][&key]["provider"]["block"]["attributes"];
    for name in [
        "api_url",
        "user",
        "password",
        "client_id",
        "client_secret",
        "access_token",
        "refresh_token",
        "origin",
    ] {
        assert_eq!(attrs[name]["type"], "string", "{name}: {attrs}");
        assert_eq!(attrs[name]["optional"], true, "{name}");
        assert_eq!(attrs[name]["description_kind"], "markdown", "{name}");
    }
    assert_eq!(attrs["skip_ssl_validation"]["type"], "bool");
    for secret in ["password", "client_secret", "access_token", "refresh_token"] {
        assert_eq!(
            attrs[secret]["sensitive"], true,
            "{secret} must be sensitive"
        );
    }

    let plan = ws.run(&["plan", "-no-color", "-input=false"]).ok();
    assert!(plan.stdout.contains("No changes."), "{}", plan.stdout);
    assert!(!plan.stdout.contains("never-shown-anywhere"));
}
for_each_cli!(provider_only_config, super::provider_only);

fn invalid_api_url(cli: Cli) {
    let Some(ws) = Workspace::new(cli) else {
        return;
    };
    ws.write(
        "main.tf",
        &format!(
            "{}\ndata \"cloudgov_org\" \"o\" {{\n  name = \"sandbox\"\n}}\n",
            PROVIDER_ONLY.replace("https://api.example.org", "api.example.org")
        ),
    );
    ws.init();
    let out = ws.run(&["plan", "-no-color"]).failed().output();
    assert!(out.contains("Invalid API URL"), "{out}");
    assert!(out.contains("\"https://api.example.org\""), "{out}");
    assert!(
        out.contains("api_url"),
        "the diagnostic names the attribute: {out}"
    );
    assert!(!out.contains("never-shown-anywhere"));
}
for_each_cli!(provider_invalid_api_url, super::invalid_api_url);

fn wrong_password(cli: Cli) {
    let Some(env) = acceptance_tests::SimWorkspace::new(cli) else {
        return;
    };
    let mut env = env;
    env.ws.env("CF_PASSWORD", "not-the-password-93c1");
    env.write(
        "main.tf",
        "data \"cloudgov_org\" \"o\" {\n  name = \"sandbox\"\n}\n",
    );
    env.init();
    let out = env.run(&["plan", "-no-color"]).failed().output();
    assert!(out.contains("Provider Configuration Error"), "{out}");
    assert!(out.contains("logging in with user and password"), "{out}");
    assert!(out.contains("Bad credentials"), "{out}");
    assert!(!out.contains("not-the-password-93c1"), "{out}");
}
for_each_cli!(provider_wrong_password_is_clear, super::wrong_password);

/// A proxy that is down is named as the cause, not api_url.
fn dead_proxy_is_named(cli: Cli) {
    let Some(env) = acceptance_tests::SimWorkspace::new(cli) else {
        return;
    };
    env.write(
        "main.tf",
        "data \"cloudgov_org\" \"o\" {\n  name = \"sandbox\"\n}\n",
    );
    env.init();
    let out = env
        .run_env(
            &[("HTTP_PROXY", "http://127.0.0.1:1")],
            &["plan", "-no-color"],
        )
        .failed()
        .output();
    assert!(
        out.contains("the proxy http://127.0.0.1:1 (HTTP_PROXY)"),
        "{out}"
    );
    assert!(!out.contains("check the host and port in api_url"), "{out}");
}
for_each_cli!(provider_dead_proxy_is_named, super::dead_proxy_is_named);

/// skip_ssl_validation warns in normal output on every plan and apply, not only in
/// logs.
fn skip_ssl_validation_warns(cli: Cli) {
    let Some(mut env) = acceptance_tests::SimWorkspace::new_tls(cli) else {
        return;
    };
    env.ws.env("SSL_CERT_FILE", "");
    env.ws.env("CF_SKIP_SSL_VALIDATION", "true");
    env.write(
        "main.tf",
        "data \"cloudgov_org\" \"o\" {\n  name = \"sandbox\"\n}\n",
    );
    env.init();
    for cmd in ["plan", "apply"] {
        let mut args = vec![cmd, "-no-color", "-input=false"];
        if cmd == "apply" {
            args.push("-auto-approve");
        }
        let out = env.run(&args).ok().output();
        assert!(
            out.contains("TLS Certificates Are Not Verified"),
            "{cmd}: {out}"
        );
    }
}
for_each_cli!(
    provider_skip_ssl_validation_warns,
    super::skip_ssl_validation_warns
);

/// Starts a simulator on a runtime of the caller's.
fn start_sim(rt: &tokio::runtime::Runtime) -> cloudgov_sim::Simulator {
    rt.block_on(cloudgov_sim::Simulator::start(
        cloudgov_sim::Config::default(),
    ))
    .expect("simulator")
}

/// A cf CLI home logged in to `sim` as `deployer`, as `cf login` leaves it.
fn cf_home_for(rt: &tokio::runtime::Runtime, sim: &cloudgov_sim::Simulator) -> tempfile::TempDir {
    let token: serde_json::Value = rt.block_on(async {
        reqwest::Client::new()
            .post(format!("{}/oauth/token", sim.url))
            .basic_auth("cf", Some(""))
            .form(&[
                ("grant_type", "password"),
                ("username", "deployer"),
                ("password", "deployer"),
            ])
            .send()
            .await
            .expect("token request")
            .json()
            .await
            .expect("token JSON")
    });
    let home = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir_all(home.path().join(".cf")).expect("cf dir");
    let config = serde_json::json!({
        "ConfigVersion": 3,
        "Target": sim.url,
        "AccessToken": format!("bearer {}", token["access_token"].as_str().expect("access token")),
        "RefreshToken": token["refresh_token"],
        "UAAOAuthClient": "cf",
        "UAAOAuthClientSecret": "",
    });
    std::fs::write(home.path().join(".cf/config.json"), config.to_string()).expect("config");
    home
}

/// A saved cf CLI login for one foundation is never sent to another: with
/// `CF_API_URL` naming a second simulator, the plan fails naming both URLs and the
/// second simulator receives no request at all. Without `CF_API_URL`, the saved
/// login's own foundation is used.
fn saved_login_stays_home(cli: Cli) {
    let Some(mut ws) = Workspace::new(cli) else {
        return;
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime");
    let issuer = start_sim(&rt);
    let other = start_sim(&rt);
    let home = cf_home_for(&rt, &issuer);
    ws.env("CF_HOME", &home.path().display().to_string());
    ws.write("providers.tf", acceptance_tests::PROVIDERS_TF);
    ws.write(
        "main.tf",
        "data \"cloudgov_org\" \"o\" {\n  name = \"sandbox\"\n}\n\noutput \"org\" {\n  value = data.cloudgov_org.o.id\n}\n",
    );
    ws.init();
    issuer.handle.reset_stats();

    let out = ws
        .run_env(&[("CF_API_URL", &other.url)], &["plan", "-no-color"])
        .failed()
        .output();
    assert!(
        out.contains("Saved cf CLI Login Is for Another Foundation"),
        "{out}"
    );
    assert!(out.contains(&format!("\"{}\"", other.url)), "{out}");
    assert!(out.contains(&format!("\"{}\"", issuer.url)), "{out}");
    assert!(out.contains("cf login -a"), "{out}");
    assert!(
        other.handle.stats().is_empty(),
        "the other foundation was contacted: {:?}",
        other.handle.stats()
    );
    assert!(
        issuer.handle.stats().is_empty(),
        "nothing should be sent anywhere: {:?}",
        issuer.handle.stats()
    );

    // The same foundation spelt with a trailing slash is the same foundation.
    ws.run_env(
        &[("CF_API_URL", &format!("{}/", issuer.url))],
        &["plan", "-no-color"],
    )
    .ok();
    // And without CF_API_URL the login's Target is used.
    let plan = ws.run(&["plan", "-no-color"]).ok();
    assert!(plan.stdout.contains("org"), "{}", plan.stdout);
    assert!(issuer.handle.count("GET /v3/organizations") >= 2);
    assert!(other.handle.stats().is_empty());
}
for_each_cli!(
    provider_saved_login_stays_home,
    super::saved_login_stays_home
);
