output "url" {
  description = "What callers connect to."
  value = (var.tls
    ? "https://${cloudgov_internal_route.this.fqdn}:61443"
    : "http://${cloudgov_internal_route.this.fqdn}:${var.port}"
  )
}

output "route_id" {
  description = "The internal route's GUID."
  value       = cloudgov_internal_route.this.id
}

output "policy_ids" {
  description = "The policies letting each caller in, by caller name."
  value       = { for name, p in cloudgov_network_policy.caller : name => p.id }
}
