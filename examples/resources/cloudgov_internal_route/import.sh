# An internal route is imported by its GUID. Find it on the internal domain (a host
# name can also exist on an external domain, which is another route):
#   domain=$(cf curl "/v3/domains?names=apps.internal" | jq -r '.resources[0].guid')
#   cf curl "/v3/routes?hosts=backend&domain_guids=$domain" | jq -r '.resources[0].guid'
terraform import cloudgov_internal_route.backend 5a0f6f3e-2b1c-4d5e-8f90-123456789abc
