//! Managed resources, one file each: schema, mapping and CRUD together.

pub(crate) mod internal_route;
pub(crate) mod network_policies_exclusive;
pub(crate) mod network_policy;
mod policy_id;
mod route_ownership;

/// What a resource's `timeouts` block says about durations left unset.
pub(crate) const TIMEOUTS_UNSET: &str = "When unset, the operation may take up to 20 minutes and each \
    platform request retries temporary failures (5xx answers, rate limits, lost connections) for up to 2 \
    minutes; when set, requests are retried until this limit and the operation stops at it.";
