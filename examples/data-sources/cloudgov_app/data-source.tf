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

# The same app in one lookup, by organization and space names.
data "cloudgov_app" "backend_by_names" {
  name       = "backend"
  org_name   = "sandbox"
  space_name = "dev"
}

output "backend" {
  value = {
    id    = data.cloudgov_app.backend.id
    state = data.cloudgov_app.backend.state
    same  = data.cloudgov_app.backend_by_names.id == data.cloudgov_app.backend.id
  }
}
