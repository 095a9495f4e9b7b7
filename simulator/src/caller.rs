//! Who is calling: the extractors that authenticate a request's bearer token before
//! a handler runs, each rejecting as its API does: `Caller` with the Cloud
//! Controller's `CcError`, `PolicyCaller` (after `PolicyVersion`, since the policy
//! server checks the API version first) with the policy server's `PolicyError`.

use std::sync::Arc;

use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;

use crate::model::{Actor, CcError, PolicyError, TokenProblem};
use crate::shared::Shared;

fn authenticate(parts: &Parts, shared: &Shared) -> Result<Actor, TokenProblem> {
    let header = parts
        .headers
        .get("authorization")
        .and_then(|h| h.to_str().ok());
    shared.lock().authenticate(header)
}

/// The authenticated caller of a Cloud Controller endpoint.
#[derive(Debug)]
pub(crate) struct Caller(pub(crate) Actor);

impl FromRequestParts<Arc<Shared>> for Caller {
    type Rejection = CcError;

    async fn from_request_parts(parts: &mut Parts, shared: &Arc<Shared>) -> Result<Self, CcError> {
        authenticate(parts, shared)
            .map(Caller)
            .map_err(|p| match p {
                TokenProblem::Missing => CcError::not_authenticated(),
                TokenProblem::Invalid => CcError::invalid_token(),
            })
    }
}

/// The policy server's API version from the path (`v0` or `v1`).
#[derive(Debug)]
pub(crate) struct PolicyVersion(pub(crate) String);

impl FromRequestParts<Arc<Shared>> for PolicyVersion {
    type Rejection = PolicyError;

    async fn from_request_parts(
        parts: &mut Parts,
        shared: &Arc<Shared>,
    ) -> Result<Self, PolicyError> {
        let Path(version) = Path::<String>::from_request_parts(parts, shared)
            .await
            .map_err(|_| PolicyError::new(404, "not found"))?;
        match version.as_str() {
            "v0" | "v1" => Ok(PolicyVersion(version)),
            other => Err(PolicyError::new(
                406,
                &format!("api version '{other}' not supported"),
            )),
        }
    }
}

/// The authenticated caller of a policy-server endpoint.
#[derive(Debug)]
pub(crate) struct PolicyCaller(pub(crate) Actor);

impl FromRequestParts<Arc<Shared>> for PolicyCaller {
    type Rejection = PolicyError;

    async fn from_request_parts(
        parts: &mut Parts,
        shared: &Arc<Shared>,
    ) -> Result<Self, PolicyError> {
        authenticate(parts, shared)
            .map(PolicyCaller)
            .map_err(|p| match p {
                TokenProblem::Missing => PolicyError::new(401, "missing authorization header"),
                TokenProblem::Invalid => PolicyError::new(401, "failed to verify token with uaa"),
            })
    }
}
