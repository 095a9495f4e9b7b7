terraform {
  required_providers {
    cloudgov = {
      source = "cloud-gov/cloudgov"
    }
  }
}

# In a pipeline, credentials come from the environment: CF_USER and CF_PASSWORD
# hold a cloud-gov-service-account (space-deployer) service key's username and
# password. Nothing secret belongs in this file.
provider "cloudgov" {
  api_url = "https://api.fr.cloud.gov"
}
