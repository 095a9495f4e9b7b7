# A network policy is imported by SOURCE_APP_GUID:DESTINATION_APP_GUID:PROTOCOL:PORTS,
# where PORTS is one port or a range. Get the GUIDs with `cf app APP --guid`.
terraform import cloudgov_network_policy.frontend_to_backend_tls \
  "$(cf app frontend --guid):$(cf app backend --guid):tcp:61443"
