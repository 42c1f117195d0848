output "resource_group_name" {
  description = "The environment's resource group."
  value       = azurerm_resource_group.this.name
}

output "virtual_network_id" {
  description = "The environment's virtual network."
  value       = azurerm_virtual_network.this.id
}

output "subnet_ids" {
  description = "Each cluster's node subnet, by cluster name."
  value       = { for name, subnet in azurerm_subnet.cluster : name => subnet.id }
}

output "key_vault_id" {
  description = "The environment's Key Vault."
  value       = azurerm_key_vault.this.id
}

output "disk_encryption_set_id" {
  description = "The disk encryption set of every node disk."
  value       = azurerm_disk_encryption_set.this.id
}

output "log_analytics_workspace_id" {
  description = "The workspace of control-plane logs and Container Insights."
  value       = azurerm_log_analytics_workspace.this.id
}
