# Import blocks need Terraform 1.5 (or OpenTofu 1.6) or later.
terraform {
  required_version = ">= 1.5"
}

import {
  to = cloudgov_internal_route.backend
  id = "5a0f6f3e-2b1c-4d5e-8f90-123456789abc"
}
