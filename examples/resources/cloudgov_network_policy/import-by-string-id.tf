# Import blocks need Terraform 1.5 (or OpenTofu 1.6) or later.
terraform {
  required_version = ">= 1.5"
}

import {
  to = cloudgov_network_policy.frontend_to_backend_range
  id = "1f0e2d3c-0000-4000-8000-000000000001:2a1b3c4d-0000-4000-8000-000000000002:tcp:8080-8090"
}
