terraform {
  required_version = ">= 1.8"

  required_providers {
    cloudgov = {
      source  = "cloud-gov/cloudgov"
      version = "~> 0.1.0"
    }
  }
}

output "tls_url" {
  value = provider::cloudgov::internal_url("backend", 61443) # "https://backend.apps.internal:61443"
}

output "plain_url" {
  value = provider::cloudgov::internal_url("backend", 8080) # "http://backend.apps.internal:8080"
}
