variable "space_id" {
  type        = string
  description = "GUID of the space, such as data.cloudgov_space.dev.id gives."
}

variable "backend_app_id" {
  type    = string
  default = null
}

# The policies whose source app is in a space, shown as
# "frontend → backend tcp 61443".
list "cloudgov_network_policy" "dev" {
  provider = cloudgov

  config {
    space_id = var.space_id
  }
}

# Only the policies that reach the backend app.
list "cloudgov_network_policy" "to_backend" {
  provider = cloudgov

  config {
    space_id           = var.space_id
    destination_app_id = var.backend_app_id
  }
}
