# frontend calls backend over the platform's TLS port. The postcondition fails the
# apply when the path does not work once the route and the policy exist; the check
# block warns on every later plan if it breaks (a policy removed by hand, a
# blue-green deploy that replaced backend).
terraform {
  # check blocks: Terraform 1.5, OpenTofu 1.6.
  required_version = ">= 1.5"
  required_providers {
    cloudgov = {
      source  = "cloud-gov/cloudgov"
      version = "~> 0.1.0"
    }
  }
}

variable "call" {
  description = "What frontend calls."
  type        = string
  default     = "https://backend.apps.internal:61443"
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

resource "cloudgov_internal_route" "backend" {
  space_id     = data.cloudgov_space.dev.id
  hostname     = "backend"
  destinations = [{ app_id = data.cloudgov_app.backend.id }]
}

resource "cloudgov_network_policy" "frontend_to_backend" {
  source_app_id      = data.cloudgov_app.frontend.id
  destination_app_id = data.cloudgov_app.backend.id
  port               = "61443"
}

data "cloudgov_reachability" "frontend_to_backend" {
  source_app_id = data.cloudgov_app.frontend.id
  url           = var.call

  # Read after the route and the policy are written, not at plan time before them.
  depends_on = [cloudgov_internal_route.backend, cloudgov_network_policy.frontend_to_backend]

  lifecycle {
    postcondition {
      condition = self.reachable
      error_message = join("\n", [
        for f in self.findings : "${f.code}: ${f.message}" if f.severity == "error"
      ])
    }
  }
}

check "frontend_reaches_backend" {
  data "cloudgov_reachability" "now" {
    source_app_id = data.cloudgov_app.frontend.id
    url           = var.call
  }

  assert {
    condition = data.cloudgov_reachability.now.reachable
    error_message = join("\n", [
      for f in data.cloudgov_reachability.now.findings : "${f.code}: ${f.message}" if f.severity == "error"
    ])
  }
}

output "path" {
  value = {
    reachable  = data.cloudgov_reachability.frontend_to_backend.reachable
    tls        = data.cloudgov_reachability.frontend_to_backend.tls
    policy_ids = data.cloudgov_reachability.frontend_to_backend.policy_ids
  }
}
