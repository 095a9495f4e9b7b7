//! Creating and deleting organizations, spaces and private domains (`model/orgs.rs`
//! holds the rules): what a platform team's configuration of the official provider
//! does. Deletions answer 202 with a job, as the platform does.

use std::sync::Arc;

use axum::extract::{Path, State as AxState};

use crate::bodies::{self, NamedBody};
use crate::caller::Caller;
use crate::cc::{Reply, accepted, created, parse_body};
use crate::json;
use crate::model::CcError;
use crate::shared::Shared;

type Shr = AxState<Arc<Shared>>;

fn named(body: &str) -> Result<NamedBody, CcError> {
    Ok(bodies::read(parse_body(body)?))
}

/// `POST /v3/organizations`.
pub(crate) async fn create_org(AxState(shared): Shr, Caller(actor): Caller, body: String) -> Reply {
    let b = named(&body)?;
    let org = shared
        .lock()
        .create_org(&actor, b.name.as_deref().unwrap_or(""))?;
    Ok(created(json::org(&shared.base_url(), &org)))
}

/// `DELETE /v3/organizations/:guid`.
pub(crate) async fn delete_org(
    AxState(shared): Shr,
    Caller(actor): Caller,
    Path(guid): Path<String>,
) -> Reply {
    let job = shared.lock().delete_org(&actor, &guid)?;
    Ok(accepted(&shared.base_url(), &job.guid))
}

/// `POST /v3/spaces`.
pub(crate) async fn create_space(
    AxState(shared): Shr,
    Caller(actor): Caller,
    body: String,
) -> Reply {
    let b = named(&body)?;
    let org = b.org().unwrap_or_default();
    let space = shared
        .lock()
        .create_space(&actor, b.name.as_deref().unwrap_or(""), &org)?;
    Ok(created(json::space(&shared.base_url(), &space)))
}

/// `DELETE /v3/spaces/:guid`.
pub(crate) async fn delete_space(
    AxState(shared): Shr,
    Caller(actor): Caller,
    Path(guid): Path<String>,
) -> Reply {
    let job = shared.lock().delete_space(&actor, &guid)?;
    Ok(accepted(&shared.base_url(), &job.guid))
}

/// `POST /v3/domains`.
pub(crate) async fn create_domain(
    AxState(shared): Shr,
    Caller(actor): Caller,
    body: String,
) -> Reply {
    let b = named(&body)?;
    let domain = shared.lock().create_domain(
        &actor,
        b.name.as_deref().unwrap_or(""),
        b.internal.unwrap_or(false),
        b.org().as_deref(),
    )?;
    Ok(created(json::domain(&shared.base_url(), &domain)))
}

/// `DELETE /v3/domains/:guid`.
pub(crate) async fn delete_domain(
    AxState(shared): Shr,
    Caller(actor): Caller,
    Path(guid): Path<String>,
) -> Reply {
    let job = shared.lock().delete_domain(&actor, &guid)?;
    Ok(accepted(&shared.base_url(), &job.guid))
}
