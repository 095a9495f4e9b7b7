terraform {
  required_providers {
    cloudgov = {
      source  = "cloud-gov/cloudgov"
      version = "~> 0.1.0"
    }
  }
}

# A route another configuration (or `cf map-route`) manages: its GUID, space and
# destinations, without managing it here.
data "cloudgov_internal_route" "backend" {
  hostname = "backend"
}

output "backend_route" {
  value = {
    id           = data.cloudgov_internal_route.backend.id
    fqdn         = data.cloudgov_internal_route.backend.fqdn
    destinations = data.cloudgov_internal_route.backend.destinations
  }
}
