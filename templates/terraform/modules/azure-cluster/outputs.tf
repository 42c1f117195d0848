output "id" {
  description = "The cluster's resource id."
  value       = azurerm_kubernetes_cluster.this.id
}

output "fqdn" {
  description = "The API server's address: the private FQDN of a private cluster, else the public one."
  value       = local.private ? azurerm_kubernetes_cluster.this.private_fqdn : azurerm_kubernetes_cluster.this.fqdn
}

output "oidc_issuer_url" {
  description = "OIDC issuer of the cluster (workload identity federation)."
  value       = azurerm_kubernetes_cluster.this.oidc_issuer_url
}

output "admins_ready" {
  description = "Set once the admin role assignments have had time to propagate: the Helm step may start."
  value       = time_sleep.admin_roles.id
}
