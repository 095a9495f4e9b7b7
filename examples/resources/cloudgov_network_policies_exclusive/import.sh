# An exclusive policy set is imported by its scope: app:APP_GUID:ingress,
# app:APP_GUID:egress or space:SPACE_GUID. Get the GUIDs with `cf app APP --guid` or
# `cf space SPACE --guid`. The imported state lists every policy in scope; the next
# plan shows the ones your configuration does not list, for apply to delete.
terraform import cloudgov_network_policies_exclusive.backend_ingress \
  "app:$(cf app backend --guid):ingress"
