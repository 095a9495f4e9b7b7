//! List resources for `terraform query`, one file each: what exists in a space, with
//! each object's identity, a readable name and its state, so that
//! `terraform query -generate-config-out=FILE` writes the configuration and import
//! blocks that bring networking made with the cf CLI under Terraform. Listing a space
//! costs a few requests, never one per object.

pub(crate) mod internal_route;
pub(crate) mod network_policy;
