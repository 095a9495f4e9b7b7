terraform {
  required_providers {
    cloudgov = {
      source  = "cloud-gov/cloudgov"
      version = "~> 0.1.0"
    }
  }
}

# In a pipeline, everything comes from the environment: CF_USER and CF_PASSWORD hold
# a cloud-gov-service-account (space-deployer) service key's username and password,
# and CF_API_URL names the foundation (https://api.fr.cloud.gov when unset). Nothing
# secret belongs in this file; set api_url here only to pin a foundation.
provider "cloudgov" {}
