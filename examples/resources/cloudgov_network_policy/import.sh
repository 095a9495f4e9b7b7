# A network policy is imported by SOURCE_APP_GUID:DESTINATION_APP_GUID:PROTOCOL:PORTS,
# where PORTS is one port or a range. Get the GUIDs with `cf app APP --guid`.
terraform import cloudgov_network_policy.frontend_to_backend_tls \
  "$(cf app frontend --guid):$(cf app backend --guid):tcp:61443"

# With Terraform or OpenTofu 1.5 and later, an import block does the same:
#
# import {
#   to = cloudgov_network_policy.frontend_to_backend_tls
#   id = "1f0e2d3c-0000-4000-8000-000000000001:2a1b3c4d-0000-4000-8000-000000000002:tcp:61443-61443"
# }
