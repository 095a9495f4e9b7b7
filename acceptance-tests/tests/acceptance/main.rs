//! Acceptance tests: the real CLIs (Terraform 1.0.3, the current Terraform and
//! OpenTofu) against the provider binary and a simulator of their own. Each test runs
//! once per CLI (a module per test, a function per CLI); each run has its own temp directory, CLI configuration,
//! filesystem mirror and simulator on 127.0.0.1:0.

/// Defines `$name::terraform`, `$name::terraform_current` and `$name::tofu` calling
/// `$body(cli)`.
macro_rules! for_each_cli {
    ($name:ident, $body:path) => {
        mod $name {
            #[test]
            fn terraform() {
                $body(acceptance_tests::Cli::Terraform)
            }
            #[test]
            fn terraform_current() {
                $body(acceptance_tests::Cli::TerraformCurrent)
            }
            #[test]
            fn tofu() {
                $body(acceptance_tests::Cli::Tofu)
            }
        }
    };
}

mod cf_cli;
mod cloudfoundry_provider;
mod connectivity;
mod data_sources;
mod drift;
mod examples;
mod functions;
mod internal_route;
mod invalid;
mod modules;
mod network_policy;
mod ownership;
mod provider_config;
mod query;
mod reliability;
mod request_counts;
mod timeouts;
mod trust_boundaries;

/// Lookups most configurations start with: the default seed's org, `dev` and
/// `other` spaces and their apps.
pub const LOOKUPS: &str = r#"
data "cloudgov_org" "sandbox" {
  name = "sandbox"
}

data "cloudgov_space" "dev" {
  name   = "dev"
  org_id = data.cloudgov_org.sandbox.id
}

data "cloudgov_space" "other" {
  name   = "other"
  org_id = data.cloudgov_org.sandbox.id
}

data "cloudgov_app" "frontend" {
  name     = "frontend"
  space_id = data.cloudgov_space.dev.id
}

data "cloudgov_app" "backend" {
  name     = "backend"
  space_id = data.cloudgov_space.dev.id
}

data "cloudgov_app" "worker" {
  name     = "worker"
  space_id = data.cloudgov_space.dev.id
}

data "cloudgov_app" "partner" {
  name     = "partner"
  space_id = data.cloudgov_space.other.id
}
"#;
