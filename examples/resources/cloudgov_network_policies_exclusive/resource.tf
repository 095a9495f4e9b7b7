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

data "cloudgov_app" "frontend" {
  name     = "frontend"
  space_id = data.cloudgov_space.dev.id
}

data "cloudgov_app" "backend" {
  name     = "backend"
  space_id = data.cloudgov_space.dev.id
}

# The one path into backend that this configuration declares.
resource "cloudgov_network_policy" "frontend_to_backend" {
  source_app_id      = data.cloudgov_app.frontend.id
  destination_app_id = data.cloudgov_app.backend.id
  port               = "61443"
}

# Only that path may exist: a policy into backend made any other way (such as
# `cf add-network-policy worker backend --port 8080`) shows in the next plan and
# is deleted by apply. Policies out of backend, and other apps' policies, are left
# alone; destroying this resource deletes nothing.
resource "cloudgov_network_policies_exclusive" "backend_ingress" {
  app_id     = data.cloudgov_app.backend.id
  direction  = "ingress"
  policy_ids = [cloudgov_network_policy.frontend_to_backend.id]
}
