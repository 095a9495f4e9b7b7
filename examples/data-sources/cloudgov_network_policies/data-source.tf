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

# Every policy in which backend is the source or the destination.
data "cloudgov_network_policies" "backend" {
  app_id = data.cloudgov_app.backend.id
}

output "who_can_reach_backend" {
  value = [
    for p in data.cloudgov_network_policies.backend.policies :
    "${p.source_app_id} -> ${p.protocol}/${p.port}"
    if p.destination_app_id == data.cloudgov_app.backend.id
  ]
}
