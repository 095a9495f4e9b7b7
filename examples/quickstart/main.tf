# The platform's container-to-container walkthrough, as code: give the backend an
# internal name, let the frontend reach it over TLS on 61443, and print what the
# frontend needs to call it.
#
# Credentials and the API come from the environment, as in a pipeline:
#   CF_API_URL (default https://api.fr.cloud.gov), CF_USER, CF_PASSWORD.

terraform {
  required_providers {
    cloudgov = {
      source  = "cloud-gov/cloudgov"
      version = "~> 0.1.0"
    }
  }
}

provider "cloudgov" {}

variable "org" {
  type    = string
  default = "sandbox"
}

variable "space" {
  type    = string
  default = "dev"
}

data "cloudgov_org" "this" {
  name = var.org
}

data "cloudgov_space" "this" {
  name   = var.space
  org_id = data.cloudgov_org.this.id
}

data "cloudgov_app" "frontend" {
  name     = "frontend"
  space_id = data.cloudgov_space.this.id
}

data "cloudgov_app" "backend" {
  name     = "backend"
  space_id = data.cloudgov_space.this.id
}

# cf map-route backend apps.internal --hostname backend
resource "cloudgov_internal_route" "backend" {
  space_id = data.cloudgov_space.this.id
  hostname = "backend"

  destinations = [
    { app_id = data.cloudgov_app.backend.id },
  ]
}

# cf add-network-policy frontend backend --protocol tcp --port 61443
# The platform terminates TLS on 61443 with a certificate for backend.apps.internal,
# and forwards plain traffic to the backend's port 8080.
resource "cloudgov_network_policy" "frontend_to_backend" {
  source_app_id      = data.cloudgov_app.frontend.id
  destination_app_id = data.cloudgov_app.backend.id
  protocol           = "tcp"
  port               = "61443"
}

output "backend_url" {
  description = "The URL the frontend calls."
  value       = "https://${cloudgov_internal_route.backend.fqdn}:${cloudgov_network_policy.frontend_to_backend.start_port}"
}

output "frontend_environment" {
  description = "Environment the frontend needs so that its TLS library trusts the platform's CA."
  value = {
    SSL_CERT_FILE      = "/etc/ssl/certs/ca-certificates.crt"
    REQUESTS_CA_BUNDLE = "/etc/ssl/certs/ca-certificates.crt"
  }
}
