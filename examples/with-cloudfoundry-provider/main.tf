# Apps deployed by the official cloudfoundry provider, connected by cloudgov: the
# official provider runs `api` and `web` from Docker images; cloudgov gives `api` an
# internal hostname and lets `web` reach it over the platform's TLS port, 61443.
#
# Both providers read the API and the login from the environment, as in a pipeline:
#   CF_API_URL (default https://api.fr.cloud.gov for cloudgov), CF_USER, CF_PASSWORD.
#
# A new api_image replaces `api` blue-green: the official provider pushes a new app
# (a new id) and deletes the old one; in the same apply cloudgov moves the internal
# route and the policy to the new app (new policy first), because both refer to
# cloudfoundry_app.api.id. With api_strategy = "rolling" the app keeps its id and
# nothing of cloudgov's changes. The postcondition fails the apply if the path is not
# there at the end.
terraform {
  # Nested attributes of the official provider: Terraform 1.3 (OpenTofu 1.6).
  required_version = ">= 1.3"
  required_providers {
    cloudfoundry = {
      source  = "cloudfoundry/cloudfoundry"
      version = "~> 1.16"
    }
    cloudgov = {
      source  = "cloud-gov/cloudgov"
      version = "~> 0.1.0"
    }
  }
}

provider "cloudfoundry" {}

provider "cloudgov" {}

variable "org" {
  type    = string
  default = "sandbox"
}

variable "space" {
  type    = string
  default = "dev"
}

variable "api_image" {
  description = "The Docker image of api; a new one replaces the app blue-green."
  type        = string
  default     = "nginx:1.27"
}

variable "api_strategy" {
  description = "How a new api_image is deployed: \"blue-green\" (a new app) or \"rolling\" (the same app)."
  type        = string
  default     = "blue-green"
}

variable "public_domain" {
  type    = string
  default = "app.cloud.gov"
}

data "cloudfoundry_org" "this" {
  name = var.org
}

data "cloudfoundry_space" "this" {
  name = var.space
  org  = data.cloudfoundry_org.this.id
}

data "cloudfoundry_domain" "public" {
  name = var.public_domain
}

# The public route of web (the official provider manages public routes).
resource "cloudfoundry_route" "web" {
  space  = data.cloudfoundry_space.this.id
  domain = data.cloudfoundry_domain.public.id
  host   = "web-${var.space}"
}

# api has no public route: only apps with a network policy reach it. Not
# `no_route = true`: the platform reads that in a manifest as "unmap every route",
# so each update of the app would take away the internal route below.
resource "cloudfoundry_app" "api" {
  name         = "api"
  space_name   = data.cloudfoundry_space.this.name
  org_name     = data.cloudfoundry_org.this.name
  docker_image = var.api_image
  strategy     = var.api_strategy
}

# cf map-route api apps.internal --hostname api-SPACE
resource "cloudgov_internal_route" "api" {
  space_id     = data.cloudfoundry_space.this.id
  hostname     = "api-${var.space}"
  destinations = [{ app_id = cloudfoundry_app.api.id }]
}

resource "cloudfoundry_app" "web" {
  name         = "web"
  space_name   = data.cloudfoundry_space.this.name
  org_name     = data.cloudfoundry_org.this.name
  docker_image = "nginx:1.27"
  routes       = [{ route = cloudfoundry_route.web.url }]

  # Where web calls api, and the CA bundle its TLS library must trust for 61443.
  environment = {
    API_URL            = "https://${cloudgov_internal_route.api.fqdn}:61443"
    SSL_CERT_FILE      = "/etc/ssl/certs/ca-certificates.crt"
    REQUESTS_CA_BUNDLE = "/etc/ssl/certs/ca-certificates.crt"
  }
}

# cf add-network-policy web api --protocol tcp --port 61443
resource "cloudgov_network_policy" "web_to_api" {
  source_app_id      = cloudfoundry_app.web.id
  destination_app_id = cloudfoundry_app.api.id
  port               = "61443"
}

# The path, checked after every apply that changes it.
data "cloudgov_reachability" "web_to_api" {
  source_app_id = cloudfoundry_app.web.id
  url           = cloudfoundry_app.web.environment.API_URL

  depends_on = [cloudgov_internal_route.api, cloudgov_network_policy.web_to_api]

  lifecycle {
    postcondition {
      condition = self.reachable
      error_message = join("\n", [
        for f in self.findings : "${f.code}: ${f.message}" if f.severity == "error"
      ])
    }
  }
}

# What the official provider's data source reads back about api.
data "cloudfoundry_app" "api" {
  name       = cloudfoundry_app.api.name
  space_name = data.cloudfoundry_space.this.name
  org_name   = data.cloudfoundry_org.this.name

  depends_on = [cloudfoundry_app.api]
}

output "api_url" {
  description = "The URL web calls."
  value       = cloudfoundry_app.web.environment.API_URL
}

output "api" {
  description = "The app behind the URL now, and whether web reaches it."
  value = {
    id           = data.cloudfoundry_app.api.id
    docker_image = data.cloudfoundry_app.api.docker_image
    reachable    = data.cloudgov_reachability.web_to_api.reachable
    tls          = data.cloudgov_reachability.web_to_api.tls
  }
}
