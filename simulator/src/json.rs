//! How the simulator writes Cloud Controller objects, lists and errors: the same keys,
//! nesting and value types as the real API (checked against recordings by the
//! conformance test). Query parsing and pagination live here too.

use serde_json::{Value, json};

use crate::model::{
    App, CcError, Destination, Domain, Job, Org, Route, Space, State, Timestamp, whole_seconds,
};

/// RFC 3339 with seconds, as the Cloud Controller writes timestamps.
pub(crate) fn timestamp(t: Timestamp) -> String {
    let dt = time::OffsetDateTime::from_unix_timestamp(whole_seconds(t))
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    let f = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");
    dt.format(f).unwrap_or_default()
}

fn href(base: &str, path: &str) -> Value {
    json!({"href": format!("{base}{path}")})
}

/// The GUID of the one organization quota every organization has.
pub(crate) const ORG_QUOTA: &str = "c0a1b2c3-0000-4000-8000-00000000000a";

/// An organization.
pub(crate) fn org(base: &str, o: &Org) -> Value {
    let g = &o.guid;
    json!({
        "guid": g, "created_at": timestamp(o.created_at), "updated_at": timestamp(o.created_at),
        "name": o.name, "suspended": false,
        "relationships": {"quota": {"data": {"guid": ORG_QUOTA}}},
        "metadata": {"labels": {}, "annotations": {}},
        "links": {
            "self": href(base, &format!("/v3/organizations/{g}")),
            "domains": href(base, &format!("/v3/organizations/{g}/domains")),
            "default_domain": href(base, &format!("/v3/organizations/{g}/domains/default")),
            "quota": href(base, &format!("/v3/organization_quotas/{ORG_QUOTA}")),
        }
    })
}

/// A space.
pub(crate) fn space(base: &str, s: &Space) -> Value {
    let g = &s.guid;
    json!({
        "guid": g, "created_at": timestamp(s.created_at), "updated_at": timestamp(s.created_at),
        "name": s.name,
        "relationships": {"organization": {"data": {"guid": s.org_guid}}, "quota": {"data": null}},
        "metadata": {"labels": {}, "annotations": {}},
        "links": {
            "self": href(base, &format!("/v3/spaces/{g}")),
            "organization": href(base, &format!("/v3/organizations/{}", s.org_guid)),
            "features": href(base, &format!("/v3/spaces/{g}/features")),
            "apply_manifest": {"href": format!("{base}/v3/spaces/{g}/actions/apply_manifest"), "method": "POST"},
        }
    })
}

/// An app.
pub(crate) fn app(base: &str, a: &App) -> Value {
    let g = &a.guid;
    // An app pushed from a Docker image has the docker lifecycle.
    let lifecycle = if a.image.is_some() || a.package_image.is_some() {
        json!({"type": "docker", "data": {}})
    } else {
        json!({"type": "buildpack", "data": {"buildpacks": [], "stack": "cflinuxfs4"}})
    };
    let action = |name: &str| json!({"href": format!("{base}/v3/apps/{g}/actions/{name}"), "method": "POST"});
    json!({
        "guid": g, "created_at": timestamp(a.created_at), "updated_at": timestamp(a.created_at),
        "name": a.name, "state": a.state,
        "lifecycle": lifecycle,
        "relationships": {"space": {"data": {"guid": a.space_guid}}, "current_droplet": {"data": null}},
        "metadata": {"labels": {}, "annotations": {}},
        "links": {
            "self": href(base, &format!("/v3/apps/{g}")),
            "environment_variables": href(base, &format!("/v3/apps/{g}/environment_variables")),
            "space": href(base, &format!("/v3/spaces/{}", a.space_guid)),
            "processes": href(base, &format!("/v3/apps/{g}/processes")),
            "packages": href(base, &format!("/v3/apps/{g}/packages")),
            "current_droplet": href(base, &format!("/v3/apps/{g}/droplets/current")),
            "droplets": href(base, &format!("/v3/apps/{g}/droplets")),
            "tasks": href(base, &format!("/v3/apps/{g}/tasks")),
            "start": action("start"),
            "stop": action("stop"),
            "clear_buildpack_cache": action("clear_buildpack_cache"),
            "revisions": href(base, &format!("/v3/apps/{g}/revisions")),
            "deployed_revisions": href(base, &format!("/v3/apps/{g}/revisions/deployed")),
            "features": href(base, &format!("/v3/apps/{g}/features")),
        }
    })
}

/// A domain.
pub(crate) fn domain(base: &str, d: &Domain) -> Value {
    let g = &d.guid;
    json!({
        "guid": g, "created_at": timestamp(d.created_at), "updated_at": timestamp(d.created_at),
        "name": d.name, "internal": d.internal, "router_group": null, "supported_protocols": ["http"],
        "relationships": {
            "organization": {"data": d.org_guid.as_ref().map(|o| json!({"guid": o}))},
            "shared_organizations": {"data": []},
        },
        "metadata": {"labels": {}, "annotations": {}},
        "links": {
            "self": href(base, &format!("/v3/domains/{g}")),
            "route_reservations": href(base, &format!("/v3/domains/{g}/route_reservations")),
        }
    })
}

/// A destination inside a route or a destinations list.
pub(crate) fn destination(d: &Destination) -> Value {
    json!({
        "guid": d.guid,
        "app": {"guid": d.app_guid, "process": {"type": d.process_type}},
        "weight": null, "port": d.port, "protocol": d.protocol,
    })
}

/// A route.
pub(crate) fn route(base: &str, state: &State, r: &Route) -> Value {
    let g = &r.guid;
    json!({
        "guid": g, "created_at": timestamp(r.created_at), "updated_at": timestamp(r.updated_at),
        "protocol": "http", "host": r.host, "path": r.path, "port": null,
        "url": state.route_url(r),
        "destinations": r.destinations.iter().map(destination).collect::<Vec<_>>(),
        "options": {},
        "metadata": {"labels": r.labels, "annotations": r.annotations},
        "relationships": {"space": {"data": {"guid": r.space_guid}}, "domain": {"data": {"guid": r.domain_guid}}},
        "links": {
            "self": href(base, &format!("/v3/routes/{g}")),
            "space": href(base, &format!("/v3/spaces/{}", r.space_guid)),
            "destinations": href(base, &format!("/v3/routes/{g}/destinations")),
            "domain": href(base, &format!("/v3/domains/{}", r.domain_guid)),
        }
    })
}

/// A route's destinations list.
pub(crate) fn destinations(base: &str, r: &Route) -> Value {
    json!({
        "destinations": r.destinations.iter().map(destination).collect::<Vec<_>>(),
        "links": {
            "self": href(base, &format!("/v3/routes/{}/destinations", r.guid)),
            "route": href(base, &format!("/v3/routes/{}", r.guid)),
        }
    })
}

/// A job.
pub(crate) fn job(base: &str, j: &Job) -> Value {
    json!({
        "guid": j.guid, "created_at": timestamp(j.created_at), "updated_at": timestamp(j.updated_at),
        "operation": j.operation, "state": j.state,
        "errors": j.errors.iter().map(error_entry).collect::<Vec<_>>(),
        "warnings": [],
        "links": {"self": href(base, &format!("/v3/jobs/{}", j.guid))},
    })
}

fn error_entry(e: &CcError) -> Value {
    json!({"detail": e.detail, "title": e.title, "code": e.code})
}

/// `{"errors":[...]}` for one error.
pub(crate) fn errors(e: &CcError) -> Value {
    json!({"errors": [error_entry(e)]})
}

/// Parsed query parameters; lists are comma-separated as the API takes them.
#[derive(Debug, Default)]
pub(crate) struct Query(pub Vec<(String, String)>);

impl Query {
    /// Parses a raw query string.
    pub(crate) fn parse(raw: Option<&str>) -> Query {
        Query(
            form_urlencoded::parse(raw.unwrap_or("").as_bytes())
                .into_owned()
                .collect(),
        )
    }

    /// The comma-separated values of a parameter, if given.
    pub(crate) fn list(&self, key: &str) -> Option<Vec<String>> {
        let values: Vec<String> = self
            .0
            .iter()
            .filter(|(k, _)| k == key)
            .flat_map(|(_, v)| v.split(',').map(str::to_string))
            .collect();
        (!values.is_empty() || self.0.iter().any(|(k, _)| k == key)).then_some(values)
    }

    /// Refuses parameters the endpoint does not know.
    pub(crate) fn allow(&self, known: &[&str]) -> Result<(), CcError> {
        const COMMON: [&str; 6] = [
            "page",
            "per_page",
            "order_by",
            "include",
            "label_selector",
            "fields",
        ];
        let unknown: Vec<String> = self
            .0
            .iter()
            .map(|(k, _)| k.as_str())
            .filter(|k| !known.contains(k) && !COMMON.contains(k))
            .map(|k| format!("'{k}'"))
            .collect();
        if unknown.is_empty() {
            return Ok(());
        }
        let valid: Vec<String> = known
            .iter()
            .chain(COMMON.iter())
            .map(|k| format!("'{k}'"))
            .collect();
        Err(CcError::bad_query(format!(
            "The query parameter is invalid: Unknown query parameter(s): {}. Valid parameters are: {}",
            unknown.join(", "),
            valid.join(", ")
        )))
    }

    fn number(&self, key: &str, default: usize) -> Result<usize, CcError> {
        match self.0.iter().rev().find(|(k, _)| k == key) {
            None => Ok(default),
            Some((_, v)) => v.parse().map_err(|_| {
                CcError::bad_query(format!(
                    "The query parameter is invalid: {key} must be an integer"
                ))
            }),
        }
    }

    /// Builds one page of a list response.
    pub(crate) fn page<T>(
        &self,
        base: &str,
        path: &str,
        items: &[T],
        render: impl Fn(&T) -> Value,
    ) -> Result<Value, CcError> {
        let page = self.number("page", 1)?;
        let per_page = self.number("per_page", 50)?;
        if page < 1 {
            return Err(CcError::bad_query(
                "The query parameter is invalid: Page must be greater than 0",
            ));
        }
        if !(1..=5000).contains(&per_page) {
            return Err(CcError::bad_query(
                "The query parameter is invalid: Per page must be between 1 and 5000",
            ));
        }
        let total = items.len();
        let pages = total.div_ceil(per_page).max(1);
        let link = |p: usize| {
            let mut params: Vec<(String, String)> = self
                .0
                .iter()
                .filter(|(k, _)| k != "page" && k != "per_page")
                .cloned()
                .collect();
            params.push(("page".into(), p.to_string()));
            params.push(("per_page".into(), per_page.to_string()));
            params.sort_by(|a, b| a.0.cmp(&b.0));
            let qs = form_urlencoded::Serializer::new(String::new())
                .extend_pairs(params)
                .finish();
            json!({"href": format!("{base}{path}?{qs}")})
        };
        let resources: Vec<Value> = items
            .iter()
            .skip((page - 1) * per_page)
            .take(per_page)
            .map(render)
            .collect();
        Ok(json!({
            "pagination": {
                "total_results": total,
                "total_pages": pages,
                "first": link(1),
                "last": link(pages),
                "next": if page < pages { link(page + 1) } else { Value::Null },
                "previous": if page > 1 { link(page - 1) } else { Value::Null },
            },
            "resources": resources,
        }))
    }
}

/// Keeps items whose field is in the filter (when the filter is given).
pub(crate) fn filter_by<T>(
    items: Vec<&T>,
    wanted: Option<Vec<String>>,
    field: impl Fn(&T) -> &str,
) -> Vec<&T> {
    match wanted {
        None => items,
        Some(w) => items
            .into_iter()
            .filter(|i| w.iter().any(|x| x == field(i)))
            .collect(),
    }
}
