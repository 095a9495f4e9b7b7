data "cloudgov_org" "sandbox" {
  name = "sandbox"
}

output "org_id" {
  value = data.cloudgov_org.sandbox.id
}
