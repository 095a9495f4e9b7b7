//! The performance workload: `apps` apps in one space looked up by name
//! (`cloudgov_app` with `for_each`), one internal route per app for the first
//! `routes` apps (each mapped to its app), and `policies` network policies, two
//! from each app to its neighbours (on 8080 and on 61443). The benchmark runs it at
//! full size; the acceptance tests run a smaller one and assert request counts,
//! which are deterministic.

use cloudgov_sim::seed::{Seed, SeedApp};

/// How big the workload is.
#[derive(Debug, Clone, Copy)]
pub struct Workload {
    /// Apps seeded in `sandbox/dev` and looked up by name.
    pub apps: usize,
    /// Internal routes (at most one per app).
    pub routes: usize,
    /// Network policies (at most two per app).
    pub policies: usize,
}

impl Workload {
    /// The size the performance targets are stated for.
    pub const FULL: Workload = Workload {
        apps: 100,
        routes: 100,
        policies: 200,
    };

    /// The name of app `i`.
    pub fn app(i: usize) -> String {
        format!("app-{i:03}")
    }

    /// The default seed with the workload's apps added to `sandbox/dev`.
    pub fn seed(&self) -> Seed {
        let mut seed = cloudgov_sim::seed::default_seed();
        let dev = seed
            .orgs
            .iter_mut()
            .flat_map(|o| o.spaces.iter_mut())
            .find(|s| s.name == "dev")
            .expect("the default seed has sandbox/dev");
        dev.apps.extend((0..self.apps).map(|i| SeedApp {
            name: Workload::app(i),
            guid: None,
            port: None,
            state: None,
        }));
        seed
    }

    /// The configuration.
    pub fn config(&self) -> String {
        assert!(self.routes <= self.apps && self.policies <= 2 * self.apps);
        let names: Vec<String> = (0..self.apps)
            .map(|i| format!("\"{}\"", Workload::app(i)))
            .collect();
        let policies: Vec<String> = (0..self.policies)
            .map(|k| {
                let (i, second) = (k / 2, k % 2 == 1);
                let dest = (i + 1 + usize::from(second)) % self.apps;
                let port = if second { 61443 } else { 8080 };
                format!(
                    "    \"{}-{}-{port}\" = {{ source = \"{}\", destination = \"{}\", port = \"{port}\" }}",
                    Workload::app(i),
                    Workload::app(dest),
                    Workload::app(i),
                    Workload::app(dest)
                )
            })
            .collect();
        format!(
            r#"locals {{
  apps   = [{apps}]
  routes = slice(local.apps, 0, {routes})
  policies = {{
{policies}
  }}
}}

data "cloudgov_org" "sandbox" {{
  name = "sandbox"
}}

data "cloudgov_space" "dev" {{
  name   = "dev"
  org_id = data.cloudgov_org.sandbox.id
}}

data "cloudgov_app" "app" {{
  for_each = toset(local.apps)
  name     = each.key
  space_id = data.cloudgov_space.dev.id
}}

resource "cloudgov_internal_route" "route" {{
  for_each = toset(local.routes)
  space_id = data.cloudgov_space.dev.id
  hostname = each.key

  destinations = [
    {{ app_id = data.cloudgov_app.app[each.key].id }},
  ]
}}

resource "cloudgov_network_policy" "policy" {{
  for_each           = local.policies
  source_app_id      = data.cloudgov_app.app[each.value.source].id
  destination_app_id = data.cloudgov_app.app[each.value.destination].id
  port               = each.value.port
}}
"#,
            apps = names.join(", "),
            routes = self.routes,
            policies = policies.join("\n"),
        )
    }

    /// Terraform's floor for the same number of managed objects: as many
    /// `terraform_data` resources as routes and policies, no provider.
    pub fn floor_config(&self) -> String {
        format!(
            "resource \"terraform_data\" \"floor\" {{\n  count = {}\n  input = count.index\n}}\n",
            self.routes + self.policies
        )
    }
}
