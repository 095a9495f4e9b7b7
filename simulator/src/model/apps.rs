//! Apps: creation and deletion.

use super::*;

impl State {
    /// Creates an app in a space.
    pub fn create_app(
        &mut self,
        actor: &Actor,
        name: &str,
        space_guid: &str,
    ) -> Result<App, CcError> {
        if !self.spaces.contains_key(space_guid) || !actor.can_write_space(space_guid) {
            return Err(CcError::unprocessable(
                "Invalid space. Ensure that the space exists and you have access to it.",
            ));
        }
        if name.is_empty() {
            return Err(CcError::unprocessable("Name can't be blank"));
        }
        if self
            .apps
            .values()
            .any(|a| a.space_guid == space_guid && a.name == name)
        {
            return Err(CcError::unprocessable(format!(
                "App with the name '{name}' already exists."
            )));
        }
        let app = App {
            guid: new_guid(),
            name: name.into(),
            space_guid: space_guid.into(),
            state: "STOPPED".into(),
            default_port: 8080,
            created_at: self.now(),
        };
        self.apps.insert(app.guid.clone(), app.clone());
        Ok(app)
    }

    /// Deletes an app and its route destinations (its policies stay until cleanup).
    pub fn delete_app(&mut self, actor: &Actor, guid: &str) -> Result<Job, CcError> {
        let space = self.app(actor, guid)?.space_guid.clone();
        if !actor.can_write_space(&space) {
            return Err(CcError::not_authorized());
        }
        self.remove_app(guid);
        let mut job = self.start_job("app.delete", guid, false);
        job.due_at = job.created_at;
        self.jobs.insert(job.guid.clone(), job.clone());
        Ok(job)
    }

    /// Removes an app and every destination pointing at it.
    pub fn remove_app(&mut self, guid: &str) -> bool {
        for r in self.routes.values_mut() {
            r.destinations.retain(|d| d.app_guid != guid);
        }
        self.apps.remove(guid).is_some()
    }
}
