//! Provider-defined functions (Terraform 1.8+, OpenTofu 1.7+), pure: no client, no
//! platform. `provider::cloudgov::parse_policy_id` and `policy_id` turn a network
//! policy's id into its parts and back (for `import` blocks); `internal_hostname` and
//! `internal_url` name an app on the internal domain.

pub(crate) mod names;
pub(crate) mod policy_ids;
