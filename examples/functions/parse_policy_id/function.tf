terraform {
  required_version = ">= 1.8"

  required_providers {
    cloudgov = {
      source  = "cloud-gov/cloudgov"
      version = "~> 0.1.0"
    }
  }
}

locals {
  policy = provider::cloudgov::parse_policy_id(
    "1f0e2d3c-0000-4000-8000-000000000001:2a1b3c4d-0000-4000-8000-000000000002:tcp:8080-8090"
  )
}

output "policy_ports" {
  value = "${local.policy.protocol} ${local.policy.start_port}-${local.policy.end_port}" # "tcp 8080-8090"
}
