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

output "space_id" {
  value = data.cloudgov_space.dev.id
}
