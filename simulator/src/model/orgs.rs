//! Organizations, spaces and private domains made and removed through the API, as a
//! platform team's configuration does (the official provider's `cloudfoundry_org`,
//! `cloudfoundry_space` and `cloudfoundry_domain`). Only admins may: the simulator
//! models no org manager. Deleting one removes what it holds, as the platform's
//! recursive deletion does, in a job that completes at once.

use super::*;

impl State {
    fn admin_only(actor: &Actor) -> Result<(), CcError> {
        if actor.roles.admin {
            Ok(())
        } else {
            Err(CcError::not_authorized())
        }
    }

    /// A new organization; names are unique on the foundation.
    pub fn create_org(&mut self, actor: &Actor, name: &str) -> Result<Org, CcError> {
        Self::admin_only(actor)?;
        if name.is_empty() {
            return Err(CcError::unprocessable("Name can't be blank"));
        }
        if self.orgs.values().any(|o| o.name == name) {
            return Err(CcError::unprocessable(format!(
                "Organization '{name}' already exists."
            )));
        }
        let org = Org {
            guid: new_guid(),
            name: name.into(),
            created_at: self.now(),
        };
        self.orgs.insert(org.guid.clone(), org.clone());
        Ok(org)
    }

    /// Deletes an organization with its spaces (and their apps and routes) and its
    /// private domains.
    pub fn delete_org(&mut self, actor: &Actor, guid: &str) -> Result<Job, CcError> {
        self.org(actor, guid)?;
        Self::admin_only(actor)?;
        let spaces: Vec<Guid> = self
            .spaces
            .values()
            .filter(|s| s.org_guid == guid)
            .map(|s| s.guid.clone())
            .collect();
        for s in &spaces {
            self.remove_space(s);
        }
        let domains: Vec<Guid> = self
            .domains
            .values()
            .filter(|d| d.org_guid.as_deref() == Some(guid))
            .map(|d| d.guid.clone())
            .collect();
        for d in &domains {
            self.remove_domain(d);
        }
        self.orgs.remove(guid);
        Ok(self.done_job("organization.delete", guid))
    }

    /// A new space; names are unique within the organization.
    pub fn create_space(&mut self, actor: &Actor, name: &str, org: &str) -> Result<Space, CcError> {
        Self::admin_only(actor)?;
        if !self.orgs.contains_key(org) {
            return Err(CcError::unprocessable(
                "Invalid organization. Ensure the organization exists and you have access to it.",
            ));
        }
        if name.is_empty() {
            return Err(CcError::unprocessable("Name can't be blank"));
        }
        if self
            .spaces
            .values()
            .any(|s| s.org_guid == org && s.name == name)
        {
            return Err(CcError::unprocessable(format!(
                "Space '{name}' already exists."
            )));
        }
        let space = Space {
            guid: new_guid(),
            name: name.into(),
            org_guid: org.into(),
            created_at: self.now(),
        };
        self.spaces.insert(space.guid.clone(), space.clone());
        Ok(space)
    }

    /// Deletes a space with its apps and routes.
    pub fn delete_space(&mut self, actor: &Actor, guid: &str) -> Result<Job, CcError> {
        self.space(actor, guid)?;
        Self::admin_only(actor)?;
        self.remove_space(guid);
        Ok(self.done_job("space.delete", guid))
    }

    fn remove_space(&mut self, guid: &str) {
        let apps: Vec<Guid> = self
            .apps
            .values()
            .filter(|a| a.space_guid == guid)
            .map(|a| a.guid.clone())
            .collect();
        for a in &apps {
            self.remove_app(a);
        }
        self.routes.retain(|_, r| r.space_guid != guid);
        self.spaces.remove(guid);
    }

    /// A new domain: private to `org`, or shared when None. Names are unique.
    pub fn create_domain(
        &mut self,
        actor: &Actor,
        name: &str,
        internal: bool,
        org: Option<&str>,
    ) -> Result<Domain, CcError> {
        Self::admin_only(actor)?;
        if let Some(o) = org
            && !self.orgs.contains_key(o)
        {
            return Err(CcError::unprocessable(
                "Organization with guid '".to_string()
                    + o
                    + "' does not exist or you do not have access to it.",
            ));
        }
        let label = |l: &str| {
            !l.is_empty()
                && l.len() <= 63
                && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                && !l.starts_with('-')
                && !l.ends_with('-')
        };
        if !name.contains('.') || !name.split('.').all(label) {
            return Err(CcError::unprocessable(
                "Name does not comply with RFC 1035 standards, Name must contain at least one \".\", Name subdomains must each be at most 63 characters, Name must consist of alphanumeric characters and hyphens",
            ));
        }
        if internal && org.is_some() {
            return Err(CcError::unprocessable(
                "Cannot associate an internal domain with an organization",
            ));
        }
        if self.domains.values().any(|d| d.name == name) {
            return Err(CcError::unprocessable(format!(
                "The domain name \"{name}\" is already in use"
            )));
        }
        let domain = Domain {
            guid: new_guid(),
            name: name.into(),
            internal,
            created_at: self.now(),
            org_guid: org.map(str::to_string),
        };
        self.domains.insert(domain.guid.clone(), domain.clone());
        Ok(domain)
    }

    /// Deletes a domain with its routes.
    pub fn delete_domain(&mut self, actor: &Actor, guid: &str) -> Result<Job, CcError> {
        if !self.domains.contains_key(guid) {
            return Err(CcError::not_found("Domain"));
        }
        Self::admin_only(actor)?;
        self.remove_domain(guid);
        Ok(self.done_job("domain.delete", guid))
    }

    fn remove_domain(&mut self, guid: &str) {
        self.routes.retain(|_, r| r.domain_guid != guid);
        self.domains.remove(guid);
    }
}
