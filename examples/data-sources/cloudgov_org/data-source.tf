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

output "org_id" {
  value = data.cloudgov_org.sandbox.id
}
