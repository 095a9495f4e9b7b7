//! Apps: creation, renaming, starting and stopping, environment variables, scaling
//! and deletion.

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
            env: BTreeMap::new(),
            instances: 1,
            image: None,
            package_image: None,
            pushed_at: 0.0,
            ssh_enabled: true,
        };
        self.apps.insert(app.guid.clone(), app.clone());
        Ok(app)
    }

    /// A visible app the actor may change (SpaceDeveloper in its space).
    pub(super) fn writable_app(&mut self, actor: &Actor, guid: &str) -> Result<&mut App, CcError> {
        let space = self.app(actor, guid)?.space_guid.clone();
        if !actor.can_write_space(&space) {
            return Err(CcError::not_authorized());
        }
        self.apps
            .get_mut(guid)
            .ok_or_else(|| CcError::not_found("App"))
    }

    /// Turns the app's `ssh` feature on or off.
    pub fn set_app_ssh(
        &mut self,
        actor: &Actor,
        guid: &str,
        enabled: bool,
    ) -> Result<App, CcError> {
        let app = self.writable_app(actor, guid)?;
        app.ssh_enabled = enabled;
        Ok(app.clone())
    }

    /// Renames an app; names are unique within a space.
    pub fn rename_app(&mut self, actor: &Actor, guid: &str, name: &str) -> Result<App, CcError> {
        let space = self.app(actor, guid)?.space_guid.clone();
        if name.is_empty() {
            return Err(CcError::unprocessable("Name can't be blank"));
        }
        if self
            .apps
            .values()
            .any(|a| a.space_guid == space && a.name == name && a.guid != guid)
        {
            return Err(CcError::unprocessable(format!(
                "App with the name '{name}' already exists."
            )));
        }
        let app = self.writable_app(actor, guid)?;
        app.name = name.into();
        Ok(app.clone())
    }

    /// Starts (`true`) or stops an app. Starting needs nothing staged here: the
    /// simulator runs no builds.
    pub fn set_app_started(
        &mut self,
        actor: &Actor,
        guid: &str,
        started: bool,
    ) -> Result<App, CcError> {
        let app = self.writable_app(actor, guid)?;
        app.state = if started { "STARTED" } else { "STOPPED" }.into();
        Ok(app.clone())
    }

    /// Merges environment variables: a null value removes the variable.
    pub fn patch_env(
        &mut self,
        actor: &Actor,
        guid: &str,
        vars: &BTreeMap<String, Option<String>>,
    ) -> Result<BTreeMap<String, String>, CcError> {
        let app = self.writable_app(actor, guid)?;
        for (k, v) in vars {
            match v {
                Some(v) => app.env.insert(k.clone(), v.clone()),
                None => app.env.remove(k),
            };
        }
        Ok(app.env.clone())
    }

    /// Sets the instance count of an app's `web` process.
    pub fn scale_app(&mut self, actor: &Actor, guid: &str, instances: i64) -> Result<App, CcError> {
        let count = u32::try_from(instances)
            .map_err(|_| CcError::unprocessable("Instances must be greater than or equal to 0"))?;
        let app = self.writable_app(actor, guid)?;
        app.instances = count;
        Ok(app.clone())
    }

    /// Deletes an app and its route destinations (its policies stay until cleanup).
    pub fn delete_app(&mut self, actor: &Actor, guid: &str) -> Result<Job, CcError> {
        let space = self.app(actor, guid)?.space_guid.clone();
        if !actor.can_write_space(&space) {
            return Err(CcError::not_authorized());
        }
        self.remove_app(guid);
        Ok(self.done_job("app.delete", guid))
    }

    /// Removes an app, its deployments and every destination pointing at it.
    pub fn remove_app(&mut self, guid: &str) -> bool {
        for r in self.routes.values_mut() {
            r.destinations.retain(|d| d.app_guid != guid);
        }
        self.deployments.retain(|_, d| d.app_guid != guid);
        self.apps.remove(guid).is_some()
    }
}
