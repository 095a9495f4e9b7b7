# What exists in one space, made with `cf map-route` and `cf add-network-policy`:
#
#   terraform query -var "space_id=$(cf space dev --guid)"
#
# lists it, and with -generate-config-out=generated.tf writes a resource block and
# an import block for each object found.
variable "space_id" {
  type        = string
  description = "GUID of the space to adopt (`cf space NAME --guid`)."
}

list "cloudgov_internal_route" "routes" {
  provider = cloudgov

  config {
    space_id = var.space_id
  }
}

list "cloudgov_network_policy" "policies" {
  provider = cloudgov

  config {
    space_id = var.space_id
  }
}
