terraform {
  required_version = ">= 1.8"

  required_providers {
    cloudgov = {
      source  = "cloud-gov/cloudgov"
      version = "~> 0.1.0"
    }
  }
}

variable "frontend_id" {
  type    = string
  default = "1f0e2d3c-0000-4000-8000-000000000001"
}

variable "backend_id" {
  type    = string
  default = "2a1b3c4d-0000-4000-8000-000000000002"
}

# The id to import a policy made with `cf add-network-policy frontend backend --port 61443`.
output "tls_policy_id" {
  value = provider::cloudgov::policy_id(var.frontend_id, var.backend_id, "tcp", "61443")
}
