variable "space_id" {
  type        = string
  description = "GUID of the space, such as data.cloudgov_space.dev.id gives."
}

variable "backend_app_id" {
  type    = string
  default = null
}

# The internal routes of a space: `terraform query` prints them, and
# `terraform query -generate-config-out=generated.tf` writes a resource and an
# import block for each.
list "cloudgov_internal_route" "dev" {
  provider = cloudgov

  config {
    space_id = var.space_id
  }
}

# Only the routes the backend app is mapped to.
list "cloudgov_internal_route" "backend" {
  provider = cloudgov

  config {
    space_id = var.space_id
    app_id   = var.backend_app_id
  }
}
