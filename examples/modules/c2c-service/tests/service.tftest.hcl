# Runs against a real API stand-in (cloudgov-sim), not mocks: the provider is
# configured from CF_API_URL, CF_USER and CF_PASSWORD, which the test harness sets.

variables {
  org_name   = "sandbox"
  space_name = "dev"
  app_name   = "backend"
  callers    = ["frontend"]
}

run "tls_path_for_one_caller" {
  command = apply

  assert {
    condition     = output.url == "https://backend.apps.internal:61443"
    error_message = "the service is reached over TLS on its internal name"
  }

  assert {
    condition     = length(output.policy_ids) == 1 && endswith(output.policy_ids["frontend"], ":tcp:61443-61443")
    error_message = "frontend may reach backend on 61443"
  }

  assert {
    condition     = cloudgov_internal_route.this.destinations[0].port == 8080
    error_message = "the route sends to the app's port"
  }
}

run "plain_port_and_a_second_caller" {
  command = apply

  variables {
    tls     = false
    port    = 9090
    callers = ["frontend", "worker"]
  }

  assert {
    condition     = output.url == "http://backend.apps.internal:9090"
    error_message = "without TLS, callers use the app's port"
  }

  assert {
    condition     = alltrue([for id in values(output.policy_ids) : endswith(id, ":tcp:9090-9090")])
    error_message = "each caller may reach port 9090"
  }
}

run "refuses_a_system_port" {
  command = plan

  variables {
    port = 80
  }

  expect_failures = [var.port]
}
