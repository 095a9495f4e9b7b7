//! Policies: listing with visibility, validation in the policy server's order,
//! permission, quota, creation and deletion (with the log tests replay).

use super::*;

impl State {
    /// Policies visible to the actor, filtered like `GET /policies`.
    pub fn list_policies(
        &self,
        actor: &Actor,
        ids: Option<&[String]>,
        source: Option<&[String]>,
        dest: Option<&[String]>,
    ) -> Vec<&Policy> {
        let visible = |app: &str| {
            actor.network_admin()
                || self
                    .apps
                    .get(app)
                    .is_some_and(|a| actor.can_see_space(&a.space_guid))
        };
        self.policies
            .iter()
            .filter(|p| {
                ids.is_none_or(|ids| ids.contains(&p.source) || ids.contains(&p.destination))
            })
            .filter(|p| source.is_none_or(|s| s.contains(&p.source)))
            .filter(|p| dest.is_none_or(|d| d.contains(&p.destination)))
            .filter(|p| visible(&p.source) && visible(&p.destination))
            .collect()
    }

    /// Validates policies in the policy server's order.
    pub fn validate_policies(inputs: &[PolicyInput]) -> Result<Vec<Policy>, PolicyError> {
        if inputs.is_empty() {
            return Err(PolicyError::bad_request("missing policies"));
        }
        let mut out = Vec::new();
        for p in inputs {
            if p.source.is_empty() {
                return Err(PolicyError::bad_request("missing source id"));
            }
            if p.destination.is_empty() {
                return Err(PolicyError::bad_request("missing destination id"));
            }
            if p.protocol != "tcp" && p.protocol != "udp" {
                return Err(PolicyError::bad_request(
                    "invalid destination protocol, specify either udp or tcp",
                ));
            }
            if p.start > p.end {
                return Err(PolicyError::bad_request(&format!(
                    "invalid port range {}-{}, start must be less than or equal to end",
                    p.start, p.end
                )));
            }
            if p.start < 0 || p.start > 65535 {
                return Err(PolicyError::bad_request(&format!(
                    "invalid start port {}, must be in range 1-65535",
                    p.start
                )));
            }
            if p.start == 0 {
                return Err(PolicyError::bad_request("missing start port"));
            }
            let end = p.end;
            if !(1..=65535).contains(&end) {
                return Err(PolicyError::bad_request(&format!(
                    "invalid end port {}, must be in range 1-65535",
                    p.end
                )));
            }
            if p.tagged {
                return Err(PolicyError::bad_request("tags may not be specified"));
            }
            out.push(Policy {
                source: p.source.clone(),
                destination: p.destination.clone(),
                protocol: p.protocol.clone(),
                // Both were checked to be within 1 to 65535 above.
                start: u32::try_from(p.start).unwrap_or_default(),
                end: u32::try_from(end).unwrap_or_default(),
            });
        }
        Ok(out)
    }

    fn authorize_policies(&self, actor: &Actor, policies: &[Policy]) -> Result<(), PolicyError> {
        if actor.network_admin() {
            return Ok(());
        }
        let ok = policies.iter().all(|p| {
            [&p.source, &p.destination].iter().all(|app| {
                self.apps
                    .get(app.as_str())
                    .is_some_and(|a| actor.can_write_space(&a.space_guid))
            })
        });
        if ok {
            Ok(())
        } else {
            Err(PolicyError::forbidden(
                "one or more applications cannot be found or accessed",
            ))
        }
    }

    /// Creates policies (existing ones are left as they are).
    pub fn create_policies(
        &mut self,
        actor: &Actor,
        inputs: &[PolicyInput],
    ) -> Result<usize, PolicyError> {
        let policies = State::validate_policies(inputs)?;
        self.authorize_policies(actor, &policies)?;
        if !actor.network_admin() {
            let mut requested: BTreeMap<&str, usize> = BTreeMap::new();
            for p in &policies {
                *requested.entry(&p.source).or_default() += 1;
            }
            for (source, n) in requested {
                let existing = self.policies.iter().filter(|p| p.source == source).count();
                if existing + n > self.settings.policy_quota {
                    return Err(PolicyError::forbidden("policy quota exceeded"));
                }
            }
        }
        let mut added = 0;
        for p in policies {
            if self.policies.insert(p.clone()) {
                self.policy_log.push((true, p));
                added += 1;
            }
        }
        Ok(added)
    }

    /// Deletes policies; ones that do not exist are skipped.
    pub fn delete_policies(
        &mut self,
        actor: &Actor,
        inputs: &[PolicyInput],
    ) -> Result<usize, PolicyError> {
        let policies = State::validate_policies(inputs)?;
        self.authorize_policies(actor, &policies)?;
        let mut removed = 0;
        for p in policies {
            if self.policies.remove(&p) {
                self.policy_log.push((false, p));
                removed += 1;
            }
        }
        Ok(removed)
    }
}
