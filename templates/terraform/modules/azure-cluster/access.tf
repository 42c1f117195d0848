# Who may use the cluster (access.admins) and how they reach it (access.endpoint).

resource "azurerm_role_assignment" "cluster_admin" {
  # With Azure RBAC and local accounts off, no principal (not even subscription Owner,
  # which has no data actions) may call the Kubernetes API without this role. It also
  # allows `az aks get-credentials` (listClusterUserCredential).
  for_each             = local.admins
  scope                = azurerm_kubernetes_cluster.this.id
  role_definition_name = "Azure Kubernetes Service RBAC Cluster Admin"
  principal_id         = each.value
}

resource "azurerm_role_assignment" "command_invoke" {
  # A private API server is reached with `az aks command invoke`, which needs
  # Microsoft.ContainerService/managedClusters/runcommand/action and
  # .../commandResults/read (AKS doc access-private-cluster): the foundation's custom
  # role. The command then runs with the caller's Kubernetes permissions (cluster_admin).
  for_each             = local.private ? local.admins : tomap({})
  scope                = azurerm_kubernetes_cluster.this.id
  role_definition_name = "${var.foundation} AKS command invoke"
  principal_id         = each.value
}

resource "time_sleep" "admin_roles" {
  # The Helm step right after the apply needs the admin roles honoured (see
  # time_sleep.cluster_roles).
  create_duration = "120s"
  triggers = {
    admins = join(",", concat(values(azurerm_role_assignment.cluster_admin)[*].id, values(azurerm_role_assignment.command_invoke)[*].id))
  }
}

check "day_zero_path" {
  # `az aks command invoke` runs its kubectl/helm in a pod of the cluster. Under a
  # bring-your-own CNI no node is Ready, so no such pod runs, until Cilium is installed:
  # a private cluster then needs another way in for the first Helm step.
  assert {
    condition     = !(local.private && var.network.plugin == "none")
    error_message = "Private API server with a bring-your-own CNI: `az aks command invoke` cannot run before Cilium does. Install Cilium from a runner in this VNet (or a peered one), or set access.endpoint to allowlist."
  }
}
