# Import by identity needs Terraform 1.12 or later.
terraform {
  required_version = ">= 1.12"
}

import {
  to       = cloudgov_internal_route.backend
  identity = { id = "9d2c1a7e-4b5f-4e0a-9c1d-2f3e4a5b6c7d" }
}
