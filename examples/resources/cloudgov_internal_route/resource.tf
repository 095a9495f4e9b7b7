terraform {
  required_providers {
    cloudgov = {
      source  = "cloud-gov/cloudgov"
      version = "~> 0.1.0"
    }
  }
}

data "cloudgov_org" "sandbox" {
  name = "sandbox"
}

data "cloudgov_space" "dev" {
  name   = "dev"
  org_id = data.cloudgov_org.sandbox.id
}

data "cloudgov_app" "backend" {
  name     = "backend"
  space_id = data.cloudgov_space.dev.id
}

# backend.apps.internal resolves to every instance of the backend app
# (and 0.backend.apps.internal to instance 0 only). The destinations written here
# are the route's only ones, in any order; leave `destinations` out to leave them to
# `cf map-route` or a manifest.
resource "cloudgov_internal_route" "backend" {
  space_id = data.cloudgov_space.dev.id
  hostname = "backend"

  destinations = [
    { app_id = data.cloudgov_app.backend.id },
  ]
}

output "backend_fqdn" {
  value = cloudgov_internal_route.backend.fqdn
}
