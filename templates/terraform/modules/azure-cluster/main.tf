# One AKS cluster in the foundation's network, with its identity, its pools, its access
# and its monitoring. The foundation objects (resource group, subnet, keys, workspace) are
# looked up by the names the plan gives them: no id is copied from another state.

locals {
  tags = merge(var.tags, { "cluster" = var.name })
  # The directory the cluster's Azure RBAC and the admins belong to.
  tenant_id = coalesce(var.tenant_id, data.azurerm_client_config.current.tenant_id)
  # Cluster admins: the blueprint's Entra groups or, without any, the identity that
  # applies, so that the day-0 Helm step has someone allowed to run it. Keys are known at
  # plan time (for_each).
  # (tomap: both sides of the conditional must have one type.)
  admins = length(var.admins) > 0 ? tomap({ for id in toset(var.admins) : id => id }) : tomap({
    applier = data.azurerm_client_config.current.object_id
  })
  private = var.endpoint == "private"
}

data "azurerm_client_config" "current" {}

data "azurerm_resource_group" "environment" {
  name = var.foundation
}

data "azurerm_subnet" "nodes" {
  name                 = coalesce(var.network_name, var.name)
  virtual_network_name = var.foundation
  resource_group_name  = var.foundation
}

data "azurerm_key_vault" "environment" {
  name                = var.key_vault_name
  resource_group_name = var.foundation
}

data "azurerm_key_vault_key" "secrets" {
  name         = "${var.name}-secrets"
  key_vault_id = data.azurerm_key_vault.environment.id
}

data "azurerm_disk_encryption_set" "environment" {
  name                = var.foundation
  resource_group_name = var.foundation
}

data "azurerm_log_analytics_workspace" "environment" {
  name                = var.foundation
  resource_group_name = var.foundation
}

resource "azurerm_user_assigned_identity" "cluster" {
  # Control-plane identity; KMS and the disk encryption set need it to hold its roles
  # before the cluster exists.
  name                = var.name
  location            = data.azurerm_resource_group.environment.location
  resource_group_name = var.foundation
  tags                = local.tags
}

resource "azurerm_role_assignment" "network" {
  # AKS joins the nodes and internal load balancers to the bring-your-own subnet.
  scope                = data.azurerm_subnet.nodes.id
  role_definition_name = "Network Contributor"
  principal_id         = azurerm_user_assigned_identity.cluster.principal_id
}

resource "azurerm_role_assignment" "secrets" {
  # KMS: AKS wraps the etcd encryption keys with this key, as the cluster identity.
  scope                = data.azurerm_key_vault_key.secrets.resource_versionless_id
  role_definition_name = "Key Vault Crypto User"
  principal_id         = azurerm_user_assigned_identity.cluster.principal_id
}

resource "azurerm_role_assignment" "disks" {
  # Microsoft's AKS BYOK doc (azure-disk-customer-managed-keys): the cluster identity needs
  # read access to the disk encryption set, or creating the node scale sets fails with
  # LinkedAuthorizationFailed on Microsoft.Compute/diskEncryptionSets/read. Data disks
  # (PVCs) use the same set.
  scope                = data.azurerm_disk_encryption_set.environment.id
  role_definition_name = "Reader"
  principal_id         = azurerm_user_assigned_identity.cluster.principal_id
}

resource "time_sleep" "cluster_roles" {
  # Azure RBAC is eventually consistent: a new assignment can take minutes to be honoured
  # (learn.microsoft.com, "Troubleshoot Azure RBAC": up to 10 minutes). `depends_on` only
  # orders the API calls, so the cluster waits here before AKS uses the roles above.
  create_duration = "180s"

  triggers = {
    network = azurerm_role_assignment.network.id
    secrets = azurerm_role_assignment.secrets.id
    disks   = azurerm_role_assignment.disks.id
  }
}

resource "azurerm_kubernetes_cluster" "this" {
  #checkov:skip=CKV_AZURE_6:authorized IP ranges do not apply to private clusters (AKS api-server-authorized-ip-ranges doc); an allowlist endpoint sets them from access.from
  #checkov:skip=CKV_AZURE_115:access.endpoint allowlist is a public API server limited to access.from; private is the default
  #checkov:skip=CKV_AZURE_7:network_policy comes from var.network: cilium under Azure CNI; under bring-your-own CNI the Helm-installed Cilium enforces NetworkPolicy
  #checkov:skip=CKV2_AZURE_29:under bring-your-own CNI (network_plugin none) Cilium, installed with Helm, is the CNI the plan chose for its encryption
  #checkov:skip=CKV_AZURE_172:the Key Vault Secrets Provider add-on is not installed; workloads use workload identity
  #checkov:skip=CKV_AZURE_226:ephemeral OS disks need VM sizes with a local disk, which the plan does not choose; OS disks are managed and encrypted with the environment's key
  name                      = var.name
  location                  = data.azurerm_resource_group.environment.location
  resource_group_name       = var.foundation
  dns_prefix                = var.name
  kubernetes_version        = var.kubernetes_version
  sku_tier                  = "Standard"
  automatic_upgrade_channel = "patch"
  node_os_upgrade_channel   = "NodeImage"

  # access.endpoint: private (the default) is reached with `az aks command invoke`;
  # allowlist is a public API server open to access.from only.
  private_cluster_enabled           = local.private
  private_dns_zone_id               = local.private ? "System" : null
  local_account_disabled            = true
  role_based_access_control_enabled = true
  oidc_issuer_enabled               = true
  workload_identity_enabled         = true
  # The Azure Policy add-on: Microsoft.PolicyInsights is registered by the provider
  # (resource_providers_to_register of the stack).
  azure_policy_enabled   = true
  disk_encryption_set_id = data.azurerm_disk_encryption_set.environment.id
  tags                   = local.tags

  default_node_pool {
    name                        = var.system_pool.name
    temporary_name_for_rotation = "${var.system_pool.name}tmp"
    vm_size                     = var.system_pool.vm_size
    node_count                  = var.system_pool.nodes
    zones                       = var.zones
    vnet_subnet_id              = data.azurerm_subnet.nodes.id
    max_pods                    = var.max_pods
    os_sku                      = "AzureLinux"
    os_disk_type                = "Managed"
    # Needs the subscription feature Microsoft.Compute/EncryptionAtHost (foundation).
    host_encryption_enabled = true
    # The plan taints the system group CriticalAddonsOnly=true:NoSchedule: AKS applies
    # exactly that taint with this setting (default_node_pool takes no node_taints).
    only_critical_addons_enabled = true
    tags                         = local.tags

    upgrade_settings {
      drain_timeout_in_minutes      = 30
      max_surge                     = "10%"
      node_soak_duration_in_minutes = 0
    }
  }

  identity {
    type         = "UserAssigned"
    identity_ids = [azurerm_user_assigned_identity.cluster.id]
  }

  azure_active_directory_role_based_access_control {
    # Azure RBAC decides every Kubernetes request; admins are role assignments below
    # (admin_group_object_ids would bind Kubernetes RBAC, which Azure RBAC supersedes).
    azure_rbac_enabled = true
    tenant_id          = local.tenant_id
  }

  dynamic "api_server_access_profile" {
    # Authorized IP ranges apply to the public API server only (AKS doc
    # api-server-authorized-ip-ranges: not supported with private clusters).
    for_each = local.private ? [] : [var.authorized_ip_ranges]
    content {
      authorized_ip_ranges = api_server_access_profile.value
    }
  }

  key_management_service {
    # AKS uses the version in `id`: after the key's automatic rotation the next apply
    # moves the cluster to the new version (a planned change, on purpose).
    key_vault_key_id         = data.azurerm_key_vault_key.secrets.id
    key_vault_network_access = "Public"
  }

  network_profile {
    network_plugin      = var.network.plugin
    network_plugin_mode = var.network.plugin_mode
    network_data_plane  = var.network.data_plane
    network_policy      = var.network.policy
    pod_cidr            = var.network.pod_cidr
    service_cidr        = var.network.service_cidr
    dns_service_ip      = var.network.dns_service_ip
    load_balancer_sku   = "standard"
    outbound_type       = "loadBalancer"
  }

  node_provisioning_profile {
    # Pools are the ones declared here (no node auto-provisioning); Manual is AKS's default.
    mode = "Manual"
  }

  # Weekly windows (UTC) from the plan's environment.maintenance. An AKS weekly window has
  # one day: the first of the plan's days. Duration: 4 to 24 hours (azurerm docs).
  maintenance_window_auto_upgrade {
    frequency   = "Weekly"
    interval    = 1
    day_of_week = var.maintenance.day_of_week
    start_time  = format("%02d:00", var.maintenance.start_hour)
    utc_offset  = "+00:00"
    duration    = max(4, var.maintenance.hours)
  }

  maintenance_window_node_os {
    frequency   = "Weekly"
    interval    = 1
    day_of_week = var.maintenance.day_of_week
    start_time  = format("%02d:00", var.maintenance.start_hour)
    utc_offset  = "+00:00"
    duration    = max(4, var.maintenance.hours)
  }

  oms_agent {
    # MSI auth: the agent sends through the data collection rule below (no workspace key).
    log_analytics_workspace_id      = data.azurerm_log_analytics_workspace.environment.id
    msi_auth_for_monitoring_enabled = true
  }

  depends_on = [time_sleep.cluster_roles]
}

resource "azurerm_management_lock" "production" {
  # Production: AKS has no deletion protection of its own. The lock is inherited by the
  # agent pools: replacing or removing a pool (and rotating the system pool) in
  # production means lifting the lock first, a reviewed step (`az lock delete`).
  count      = var.production ? 1 : 0
  name       = "clusterwright-production"
  scope      = azurerm_kubernetes_cluster.this.id
  lock_level = "CanNotDelete"
  notes      = "Production cluster: lift this lock only for a reviewed removal."
}
