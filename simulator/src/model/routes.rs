//! Routes and their destinations: creation with the platform's checks in its order,
//! updates, deletion through jobs, and destination mapping.

use super::*;

impl State {
    /// Creates a route, with the platform's checks in its order.
    pub fn create_route(&mut self, actor: &Actor, req: NewRoute) -> Result<Route, CcError> {
        let space_ok =
            self.spaces.contains_key(&req.space_guid) && actor.can_write_space(&req.space_guid);
        if !space_ok {
            return Err(CcError::unprocessable(
                "Invalid space. Ensure that the space exists and you have access to it.",
            ));
        }
        let domain = self.domains.get(&req.domain_guid).cloned().ok_or_else(|| {
            CcError::unprocessable(
                "Invalid domain. Ensure that the domain exists and you have access to it.",
            )
        })?;
        if domain.internal {
            if req.host == "*" {
                return Err(CcError::unprocessable(
                    "Wildcard hosts are not supported for internal domains.",
                ));
            }
            if req.host.is_empty() {
                return Err(CcError::unprocessable(
                    "Missing host. Routes in internal domains must have a host defined.",
                ));
            }
            if !req.path.is_empty() {
                return Err(CcError::unprocessable(
                    "Paths are not supported for internal domains.",
                ));
            }
        }
        if !req.host.is_empty() && req.host != "*" && !is_dns_label(&req.host) {
            return Err(CcError::unprocessable("Host format is invalid."));
        }
        if req.port.is_some() {
            return Err(CcError::unprocessable(
                "Routes with protocol 'http' do not support ports.",
            ));
        }
        let taken = self
            .routes
            .values()
            .any(|r| r.host == req.host && r.domain_guid == req.domain_guid && r.path == req.path);
        if taken {
            return Err(CcError::unprocessable(format!(
                "Route already exists with host '{}' for domain '{}'.",
                req.host, domain.name
            )));
        }
        if let Some(quota) = self.settings.route_quota {
            let in_space = self
                .routes
                .values()
                .filter(|r| r.space_guid == req.space_guid)
                .count();
            if in_space >= quota {
                let name = self
                    .spaces
                    .get(&req.space_guid)
                    .map(|s| s.name.clone())
                    .unwrap_or_default();
                return Err(CcError::unprocessable(format!(
                    "Routes quota exceeded for space '{name}'."
                )));
            }
        }
        let now = self.now();
        let route = Route {
            guid: new_guid(),
            host: req.host,
            path: req.path,
            domain_guid: req.domain_guid,
            space_guid: req.space_guid,
            destinations: Vec::new(),
            labels: req.labels,
            annotations: req.annotations,
            created_at: now,
            updated_at: now,
        };
        self.routes.insert(route.guid.clone(), route.clone());
        Ok(route)
    }

    /// Updates a route's metadata (null values remove keys).
    pub fn patch_route(
        &mut self,
        actor: &Actor,
        guid: &str,
        labels: BTreeMap<String, Option<String>>,
        annotations: BTreeMap<String, Option<String>>,
    ) -> Result<Route, CcError> {
        let space = self.route(actor, guid)?.space_guid.clone();
        if !actor.can_write_space(&space) {
            return Err(CcError::not_authorized());
        }
        let now = self.now();
        let r = self.routes.get_mut(guid).expect("route");
        for (k, v) in labels {
            match v {
                Some(v) => r.labels.insert(k, v),
                None => r.labels.remove(&k),
            };
        }
        for (k, v) in annotations {
            match v {
                Some(v) => r.annotations.insert(k, v),
                None => r.annotations.remove(&k),
            };
        }
        r.updated_at = now;
        Ok(r.clone())
    }

    /// Starts deleting a route: answers with a job that completes after the delay.
    pub fn delete_route(&mut self, actor: &Actor, guid: &str, fail: bool) -> Result<Job, CcError> {
        let space = self.route(actor, guid)?.space_guid.clone();
        if !actor.can_write_space(&space) {
            return Err(CcError::not_authorized());
        }
        Ok(self.start_job("route.delete", guid, fail))
    }

    pub(super) fn start_job(&mut self, operation: &str, resource: &str, fail: bool) -> Job {
        let now = self.now();
        let job = Job {
            guid: new_guid(),
            operation: operation.into(),
            state: JobState::Processing,
            created_at: now,
            updated_at: now,
            due_at: now + self.settings.job_delay,
            fail,
            resource_guid: resource.into(),
            errors: Vec::new(),
        };
        self.jobs.insert(job.guid.clone(), job.clone());
        job
    }

    /// A job that is complete as soon as it is made (app, org and space deletion,
    /// manifests): the work is done before the answer.
    pub(super) fn done_job(&mut self, operation: &str, resource: &str) -> Job {
        let mut job = self.start_job(operation, resource, false);
        job.due_at = job.created_at;
        self.jobs.insert(job.guid.clone(), job.clone());
        job
    }

    // ----- destinations ---------------------------------------------------------

    fn check_destinations(
        &self,
        route: &Route,
        wanted: &[NewDestination],
    ) -> Result<Vec<Destination>, CcError> {
        let mut out: Vec<Destination> = Vec::new();
        for (i, d) in wanted.iter().enumerate() {
            if let Some(port) = d.port
                && !(1024..=65535).contains(&port)
            {
                return Err(CcError::unprocessable(format!(
                    "Destinations[{i}]: port must be a positive integer between 1024 and 65535 inclusive."
                )));
            }
            if let Some(p) = &d.protocol
                && !["http1", "http2", "tcp"].contains(&p.as_str())
            {
                return Err(CcError::unprocessable(format!(
                    "Destinations[{i}]: protocol must be 'http1', 'http2' or 'tcp'."
                )));
            }
        }
        let missing: Vec<String> = wanted
            .iter()
            .filter(|d| !self.apps.contains_key(&d.app_guid))
            .map(|d| format!("\"{}\"", d.app_guid))
            .collect();
        if !missing.is_empty() {
            return Err(CcError::unprocessable(format!(
                "App(s) with guid(s) {} do not exist.",
                missing.join(", ")
            )));
        }
        for d in wanted {
            let app = &self.apps[&d.app_guid];
            if app.space_guid != route.space_guid {
                return Err(CcError::unprocessable(
                    "Routes destinations must be in either the route's space or the route's shared spaces",
                ));
            }
            let dest = Destination {
                guid: new_guid(),
                app_guid: d.app_guid.clone(),
                process_type: d.process_type.clone().unwrap_or_else(|| "web".into()),
                port: d
                    .port
                    .and_then(|p| u16::try_from(p).ok())
                    .unwrap_or(app.default_port),
                protocol: d.protocol.clone().unwrap_or_else(|| "http1".into()),
            };
            if out.iter().any(|o| same_target(o, &dest)) {
                return Err(CcError::unprocessable(
                    "Destinations cannot contain duplicate entries",
                ));
            }
            out.push(dest);
        }
        Ok(out)
    }

    fn writable_route(&self, actor: &Actor, guid: &str) -> Result<Route, CcError> {
        let route = self.route(actor, guid)?.clone();
        if !actor.can_write_space(&route.space_guid) {
            return Err(CcError::not_authorized());
        }
        Ok(route)
    }

    /// Adds destinations; ones already present (same app, process and port) are kept
    /// as they are.
    pub fn insert_destinations(
        &mut self,
        actor: &Actor,
        guid: &str,
        wanted: &[NewDestination],
    ) -> Result<Route, CcError> {
        let route = self.writable_route(actor, guid)?;
        if wanted.is_empty() || wanted.len() > 100 {
            return Err(CcError::unprocessable(
                "Destinations must have between 1 and 100 entries.",
            ));
        }
        let new = self.check_destinations(&route, wanted)?;
        let now = self.now();
        let r = self.routes.get_mut(guid).expect("route");
        for d in new {
            if !r.destinations.iter().any(|o| same_target(o, &d)) {
                r.destinations.push(d);
            }
        }
        r.updated_at = now;
        Ok(r.clone())
    }

    /// Replaces all destinations (an empty list unmaps everything). Existing
    /// destinations that are asked for again keep their GUIDs.
    pub fn replace_destinations(
        &mut self,
        actor: &Actor,
        guid: &str,
        wanted: &[NewDestination],
    ) -> Result<Route, CcError> {
        let route = self.writable_route(actor, guid)?;
        if wanted.len() > 100 {
            return Err(CcError::unprocessable(
                "Destinations must have between 0 and 100 entries.",
            ));
        }
        let new = self.check_destinations(&route, wanted)?;
        let now = self.now();
        let r = self.routes.get_mut(guid).expect("route");
        let kept: Vec<Destination> = new
            .into_iter()
            .map(|d| {
                r.destinations
                    .iter()
                    .find(|o| same_target(o, &d) && o.protocol == d.protocol)
                    .cloned()
                    .unwrap_or(d)
            })
            .collect();
        r.destinations = kept;
        r.updated_at = now;
        Ok(r.clone())
    }

    /// Removes one destination.
    pub fn delete_destination(
        &mut self,
        actor: &Actor,
        guid: &str,
        dest: &str,
    ) -> Result<(), CcError> {
        self.writable_route(actor, guid)?;
        let r = self.routes.get_mut(guid).expect("route");
        let before = r.destinations.len();
        r.destinations.retain(|d| d.guid != dest);
        if r.destinations.len() == before {
            return Err(CcError::unprocessable(
                "Unable to unmap route from destination. Ensure the route has a destination with this guid.",
            ));
        }
        Ok(())
    }
}

fn same_target(a: &Destination, b: &Destination) -> bool {
    a.app_guid == b.app_guid && a.process_type == b.process_type && a.port == b.port
}
