terraform {
  required_version = ">= 1.8"

  required_providers {
    cloudgov = {
      source  = "cloud-gov/cloudgov"
      version = "~> 0.1.0"
    }
  }
}

output "hostname" {
  value = provider::cloudgov::internal_hostname("My_API v2") # "my-api-v2"
}
