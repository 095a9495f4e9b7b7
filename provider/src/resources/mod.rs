//! Managed resources, one file each: schema, mapping and CRUD together.

pub mod internal_route;
pub mod network_policy;
