terraform {
  required_providers {
    cloudgov = {
      source  = "cloud-gov/cloudgov"
      version = "~> 0.1.0"
    }
  }
}

data "cloudgov_domain" "internal" {
  name = "apps.internal"
}

output "internal_domain" {
  value = {
    id       = data.cloudgov_domain.internal.id
    internal = data.cloudgov_domain.internal.internal
  }
}
