# What the clusters of one environment share (resource group, network, keys, workspace)
# and the subscription's prerequisites. Apply it before any cluster stack of the
# environment; the clusters look its objects up by name.

data "azurerm_client_config" "current" {}

resource "azurerm_resource_group" "this" {
  name     = var.name
  location = var.location
  tags     = var.tags
}

resource "azurerm_resource_provider_feature_registration" "encryption_at_host" {
  # host_encryption_enabled on every pool needs this subscription feature (AKS doc
  # enable-host-encryption). A resource of its own, so that Microsoft.Compute stays in the
  # provider's automatic "core" registrations. Check it before the first cluster:
  #   az feature show --namespace Microsoft.Compute --name EncryptionAtHost
  # (state Registered; then `az provider register --namespace Microsoft.Compute`).
  # Destroying this stack unregisters the feature for the whole subscription.
  name          = "EncryptionAtHost"
  provider_name = "Microsoft.Compute"
}

resource "azurerm_log_analytics_workspace" "this" {
  # Control-plane logs (audit included) and Container Insights of every cluster in the
  # environment, kept 365 days as on AWS (the same policy keeps logs as long everywhere).
  name                         = var.name
  location                     = azurerm_resource_group.this.location
  resource_group_name          = azurerm_resource_group.this.name
  sku                          = "PerGB2018"
  retention_in_days            = 365
  local_authentication_enabled = false
  tags                         = var.tags
}

resource "azurerm_role_definition" "command_invoke" {
  # `az aks command invoke`, the way into a private cluster (AKS doc access-private-cluster):
  # the cluster stacks assign it to the admins on each private cluster.
  name              = "${var.name} AKS command invoke"
  scope             = azurerm_resource_group.this.id
  description       = "Run kubectl and helm in the private AKS clusters of ${var.name} through the Azure API."
  assignable_scopes = [azurerm_resource_group.this.id]

  permissions {
    actions = [
      "Microsoft.ContainerService/managedClusters/read",
      "Microsoft.ContainerService/managedClusters/runcommand/action",
      "Microsoft.ContainerService/managedClusters/commandResults/read",
    ]
  }
}
