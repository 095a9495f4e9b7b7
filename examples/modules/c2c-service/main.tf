# c2c-service: one service reachable over the container-to-container network. It
# gives the app an internal hostname and lets each caller reach it, on the app's port
# or on 61443 with TLS terminated by the platform. Callers and the app are named;
# the module looks their GUIDs up.

terraform {
  required_version = ">= 1.6"

  required_providers {
    cloudgov = {
      source  = "cloud-gov/cloudgov"
      version = "~> 0.1.0"
    }
  }
}

data "cloudgov_app" "service" {
  name       = var.app_name
  org_name   = var.org_name
  space_name = var.space_name
}

data "cloudgov_app" "caller" {
  for_each   = toset(var.callers)
  name       = each.key
  org_name   = var.org_name
  space_name = var.space_name
}

resource "cloudgov_internal_route" "this" {
  space_id = data.cloudgov_app.service.space_id
  hostname = coalesce(var.hostname, var.app_name)
  destinations = [
    { app_id = data.cloudgov_app.service.id, port = var.port },
  ]
}

resource "cloudgov_network_policy" "caller" {
  for_each           = data.cloudgov_app.caller
  source_app_id      = each.value.id
  destination_app_id = data.cloudgov_app.service.id
  port               = var.tls ? "61443" : tostring(var.port)
}
