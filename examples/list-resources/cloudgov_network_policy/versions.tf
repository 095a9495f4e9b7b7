# List resources and `terraform query` need Terraform 1.14 or later.
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
