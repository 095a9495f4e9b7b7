terraform {
  required_providers {
    cloudgov = {
      source  = "cloud-gov/cloudgov"
      version = "~> 0.1.0"
    }
  }
}

data "cloudgov_org" "sandbox" {
  name = "sandbox"
}

data "cloudgov_space" "dev" {
  name   = "dev"
  org_id = data.cloudgov_org.sandbox.id
}

# Who can reach whom in the space (org_id = ... covers every space of an org).
data "cloudgov_network_graph" "dev" {
  space_id = data.cloudgov_space.dev.id
}

# `terraform output -raw graph >> "$GITHUB_STEP_SUMMARY"` shows it in a GitHub
# Actions job summary.
output "graph" {
  value = "```mermaid\n${data.cloudgov_network_graph.dev.mermaid}```\n"
}

output "flows_csv" {
  value = data.cloudgov_network_graph.dev.flows_csv
}

output "findings" {
  value = [for f in data.cloudgov_network_graph.dev.findings : "${f.code}: ${f.message}"]
}
