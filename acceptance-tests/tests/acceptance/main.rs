//! Acceptance tests: the real terraform and tofu CLIs against the provider binary.
//! Each test runs once per CLI (a module per test, a function per CLI); each run has
//! its own temp directory, CLI configuration and filesystem mirror.

/// Defines `$name::terraform` and `$name::tofu` calling `$body(cli)`.
macro_rules! for_each_cli {
    ($name:ident, $body:path) => {
        mod $name {
            #[test]
            fn terraform() {
                $body(acceptance_tests::Cli::Terraform)
            }
            #[test]
            fn tofu() {
                $body(acceptance_tests::Cli::Tofu)
            }
        }
    };
}

mod provider_config;
