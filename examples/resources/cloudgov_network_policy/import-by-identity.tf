# Import by identity needs Terraform 1.12 or later.
terraform {
  required_version = ">= 1.12"
}

import {
  to = cloudgov_network_policy.frontend_to_backend_tls
  identity = {
    source_app_id      = "1f0e2d3c-0000-4000-8000-000000000001"
    destination_app_id = "2a1b3c4d-0000-4000-8000-000000000002"
    protocol           = "tcp"
    start_port         = 61443
    end_port           = 61443
  }
}
