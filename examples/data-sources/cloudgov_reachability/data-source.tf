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

# Can frontend call backend over the platform's TLS? No traffic is sent.
data "cloudgov_reachability" "frontend_to_backend" {
  source_app_id = data.cloudgov_app.frontend.id
  url           = "https://backend.apps.internal:61443"
}

# The same question by app and port, without a hostname.
data "cloudgov_reachability" "frontend_to_backend_8080" {
  source_app_id      = data.cloudgov_app.frontend.id
  destination_app_id = data.cloudgov_app.backend.id
  port               = 8080
}

output "why_not" {
  value = [
    for f in data.cloudgov_reachability.frontend_to_backend.findings : "${f.code}: ${f.message}"
  ]
}
