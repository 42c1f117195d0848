# Tenant node pools: one per node group of the plan, keyed by its name (<tenant>-<n>), so
# adding a tenant adds pools and changes no address.

resource "azurerm_kubernetes_cluster_node_pool" "tenant" {
  for_each              = var.node_groups
  name                  = each.value.pool
  kubernetes_cluster_id = azurerm_kubernetes_cluster.this.id
  mode                  = "User"
  os_type               = "Linux"
  vm_size               = each.value.vm_size
  node_count            = each.value.nodes
  zones                 = var.zones
  vnet_subnet_id        = data.azurerm_subnet.nodes.id
  max_pods              = var.max_pods
  os_sku                = "AzureLinux"
  os_disk_type          = "Managed"
  # Microsoft.Compute/EncryptionAtHost: registered by the foundation.
  host_encryption_enabled = true
  # A VM size change rotates the pool through a temporary one instead of deleting it
  # first (pool names are `t` + 9 characters; the temporary one starts with `r`).
  temporary_name_for_rotation = "r${substr(each.value.pool, 1, -1)}"
  node_labels                 = { "clusterwright.io/tenant" = each.value.tenant }
  # Untrusted tenants' pools carry clusterwright.io/tenant=<tenant>:NoSchedule; under
  # Cilium every pool starts with node.cilium.io/agent-not-ready, which Cilium removes.
  node_taints = each.value.taints
  tags        = merge(local.tags, { "tenant" = each.value.tenant })

  upgrade_settings {
    drain_timeout_in_minutes      = 30
    max_surge                     = "10%"
    node_soak_duration_in_minutes = 0
  }
}
