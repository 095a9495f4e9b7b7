# Terraform 1.14 or later runs `terraform query`. The provider takes its login from
# the environment (CF_USER / CF_PASSWORD, or the cf CLI's saved login).
terraform {
  required_version = ">= 1.14"

  required_providers {
    cloudgov = {
      source  = "cloud-gov/cloudgov"
      version = "~> 0.1.0"
    }
  }
}

provider "cloudgov" {}
