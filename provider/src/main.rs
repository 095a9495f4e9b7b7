//! The `terraform-provider-cloudgov` binary: parses flags and hands over to
//! `plugin::serve`. Terraform and OpenTofu start it; people run it only with
//! `--version` or `--debug`.

use clap::Parser;
use terraform_provider_cloudgov::{plugin, provider::CloudGov};

/// Terraform / OpenTofu provider for cloud.gov container-to-container networking.
#[derive(Parser)]
#[command(version, about)]
struct Args {
    /// Serve without TLS on loopback and print TF_REATTACH_PROVIDERS for attaching
    /// Terraform to this process (for debugging the provider).
    #[arg(long)]
    debug: bool,
}

#[tokio::main]
async fn main() {
    let args = Args::parse();
    plugin::logging::init();
    let result = if args.debug {
        plugin::serve_debug(CloudGov).await
    } else {
        plugin::serve(CloudGov).await
    };
    if let Err(err) = result {
        let mut msg = err.to_string();
        let mut source = std::error::Error::source(&err);
        while let Some(s) = source {
            msg.push_str(&format!(": {s}"));
            source = s.source();
        }
        eprintln!("{msg}");
        std::process::exit(1);
    }
    std::process::exit(0);
}
