resource "azurerm_key_vault" "this" {
  #checkov:skip=CKV_AZURE_109:AKS KMS (key_vault_network_access = Public) fails when the vault firewall restricts networks; access is Azure RBAC only
  #checkov:skip=CKV_AZURE_189:AKS KMS with a private vault needs API Server VNet Integration and a delegated subnet the plan does not carry
  #checkov:skip=CKV2_AZURE_32:no private endpoint, for the same reason as CKV_AZURE_189
  name                          = var.key_vault_name
  location                      = azurerm_resource_group.this.location
  resource_group_name           = azurerm_resource_group.this.name
  tenant_id                     = coalesce(var.tenant_id, data.azurerm_client_config.current.tenant_id)
  sku_name                      = "premium"
  rbac_authorization_enabled    = true
  purge_protection_enabled      = true
  soft_delete_retention_days    = 90
  public_network_access_enabled = true
  tags                          = var.tags

  network_acls {
    bypass         = "AzureServices"
    default_action = "Allow"
  }
}

resource "azurerm_role_assignment" "terraform_keys" {
  # Lets the identity that applies this stack create and rotate the keys.
  scope                = azurerm_key_vault.this.id
  role_definition_name = "Key Vault Crypto Officer"
  principal_id         = data.azurerm_client_config.current.object_id
}

resource "time_sleep" "terraform_keys" {
  # Key Vault data-plane RBAC takes minutes to honour a new assignment (403
  # ForbiddenByRbac otherwise; learn.microsoft.com "Troubleshoot Azure RBAC": up to 10
  # minutes); `depends_on` alone only orders the API calls.
  create_duration = "180s"
  triggers = {
    role = azurerm_role_assignment.terraform_keys.id
  }
}

resource "azurerm_key_vault_key" "disks" {
  #checkov:skip=CKV_AZURE_40:versions rotate by rotation_policy; a fixed expiration_date would be a timestamp in generated code and would stop the key when reached
  # Customer-managed key of every node disk in the environment.
  name         = "${var.name}-disks"
  key_vault_id = azurerm_key_vault.this.id
  key_type     = "RSA-HSM"
  key_size     = 2048
  key_opts     = ["decrypt", "encrypt", "unwrapKey", "wrapKey"]
  tags         = var.tags

  rotation_policy {
    automatic {
      time_after_creation = "P90D"
    }
  }

  depends_on = [time_sleep.terraform_keys]
}

resource "azurerm_key_vault_key" "secrets" {
  #checkov:skip=CKV_AZURE_40:versions rotate by rotation_policy; a fixed expiration_date would be a timestamp in generated code and would stop the key when reached
  # Per cluster: encrypts its Kubernetes Secrets in etcd (KMS). The cluster stack grants
  # the cluster's identity Key Vault Crypto User on it.
  for_each     = var.clusters
  name         = "${each.key}-secrets"
  key_vault_id = azurerm_key_vault.this.id
  key_type     = "RSA-HSM"
  key_size     = 2048
  key_opts     = ["decrypt", "encrypt", "unwrapKey", "wrapKey"]
  tags         = merge(var.tags, { "cluster" = each.key })

  rotation_policy {
    automatic {
      time_after_creation = "P90D"
    }
  }

  depends_on = [time_sleep.terraform_keys]
}

resource "azurerm_disk_encryption_set" "this" {
  # Every cluster's identity gets Reader on it in its own stack (AKS BYOK requirement).
  name                      = var.name
  location                  = azurerm_resource_group.this.location
  resource_group_name       = azurerm_resource_group.this.name
  key_vault_key_id          = azurerm_key_vault_key.disks.versionless_id
  auto_key_rotation_enabled = true
  encryption_type           = "EncryptionAtRestWithCustomerKey"
  tags                      = var.tags

  identity {
    type = "SystemAssigned"
  }
}

resource "azurerm_role_assignment" "disks" {
  scope                = azurerm_key_vault_key.disks.resource_versionless_id
  role_definition_name = "Key Vault Crypto Service Encryption User"
  principal_id         = azurerm_disk_encryption_set.this.identity[0].principal_id
}
