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

# frontend may open TLS connections to backend on 61443; the platform terminates
# TLS and forwards plain traffic to backend's port 8080. A new port, protocol or app
# updates the policy in place, new policy first, so that traffic never stops.
resource "cloudgov_network_policy" "frontend_to_backend_tls" {
  source_app_id      = data.cloudgov_app.frontend.id
  destination_app_id = data.cloudgov_app.backend.id
  port               = "61443"

  timeouts {
    create = "5m"
  }
}

# A plain TCP range, for apps that listen on several ports.
resource "cloudgov_network_policy" "frontend_to_backend_range" {
  source_app_id      = data.cloudgov_app.frontend.id
  destination_app_id = data.cloudgov_app.backend.id
  protocol           = "tcp"
  port               = "8080-8090"
}
