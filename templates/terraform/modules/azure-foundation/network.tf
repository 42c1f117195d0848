# The environment's VNet: a subnet per cluster, each behind a network security group of
# its own. It is not peered with any other network.
#
# Inside the VNet, a cluster accepts traffic only from the clusters of its isolation
# partition (the same hard organization, the same untrusted tenant, or the shared
# partition), Azure's load balancer and, under Azure CNI Overlay, its own pod range (AKS
# doc azure-cni-overlay: pod-to-pod traffic is not encapsulated and subnet rules apply;
# traffic leaving the pod range is translated to the node's address). Every other
# address of the VNet is denied before Azure's AllowVnetInBound (65000). Nothing from the
# internet is allowed: LoadBalancer Services must be internal (AKS does not manage rules
# on a bring-your-own subnet's security group).
locals {
  # Each cluster's subnet and security group are named after its first name: a rename by
  # --repack moves them (moved.tf) and keeps them.
  clusters = { for name, c in var.clusters : name => merge(c, { name = coalesce(c.network_name, name) }) }

  # Each security group admits its partition's node subnets and its cluster's own pods.
  allowed = { for name, c in var.clusters : name => sort(distinct(concat(
    flatten([for other in var.clusters : other.subnets if other.partition == c.partition]),
    c.pods,
  ))) }
}

resource "azurerm_virtual_network" "this" {
  name                = var.name
  location            = azurerm_resource_group.this.location
  resource_group_name = azurerm_resource_group.this.name
  address_space       = [var.cidr]
  tags                = var.tags

  # policy.encryption = cloud-hardware: Virtual Network encryption (DTLS between VMs of
  # the sizes that support it); Azure supports only AllowUnencrypted today.
  dynamic "encryption" {
    for_each = var.vnet_encryption ? ["AllowUnencrypted"] : []
    content {
      enforcement = encryption.value
    }
  }
}

resource "azurerm_subnet" "cluster" {
  # Named after the cluster's first name: a rename by --repack moves it (moved.tf) and
  # keeps it, while the renamed cluster is replaced inside it.
  for_each                        = local.clusters
  name                            = each.value.name
  resource_group_name             = azurerm_resource_group.this.name
  virtual_network_name            = azurerm_virtual_network.this.name
  address_prefixes                = each.value.subnets
  default_outbound_access_enabled = false
}

resource "azurerm_network_security_group" "cluster" {
  for_each            = local.clusters
  name                = each.value.name
  location            = azurerm_resource_group.this.location
  resource_group_name = azurerm_resource_group.this.name
  tags                = merge(var.tags, { "cluster" = each.key })
}

resource "azurerm_network_security_rule" "allow_partition" {
  for_each                    = local.clusters
  name                        = "allow-partition"
  description                 = "The clusters of this cluster's isolation partition and its own pods."
  priority                    = 100
  direction                   = "Inbound"
  access                      = "Allow"
  protocol                    = "*"
  source_port_range           = "*"
  destination_port_range      = "*"
  source_address_prefixes     = local.allowed[each.key]
  destination_address_prefix  = "*"
  resource_group_name         = azurerm_resource_group.this.name
  network_security_group_name = azurerm_network_security_group.cluster[each.key].name
}

resource "azurerm_network_security_rule" "allow_load_balancer" {
  for_each                    = local.clusters
  name                        = "allow-load-balancer"
  description                 = "Azure load balancer health probes."
  priority                    = 110
  direction                   = "Inbound"
  access                      = "Allow"
  protocol                    = "*"
  source_port_range           = "*"
  destination_port_range      = "*"
  source_address_prefix       = "AzureLoadBalancer"
  destination_address_prefix  = "*"
  resource_group_name         = azurerm_resource_group.this.name
  network_security_group_name = azurerm_network_security_group.cluster[each.key].name
}

resource "azurerm_network_security_rule" "deny_other_clusters" {
  for_each                    = local.clusters
  name                        = "deny-virtual-network"
  description                 = "Every other address of the VNet: the clusters of other partitions."
  priority                    = 4000
  direction                   = "Inbound"
  access                      = "Deny"
  protocol                    = "*"
  source_port_range           = "*"
  destination_port_range      = "*"
  source_address_prefix       = "VirtualNetwork"
  destination_address_prefix  = "*"
  resource_group_name         = azurerm_resource_group.this.name
  network_security_group_name = azurerm_network_security_group.cluster[each.key].name
}

resource "azurerm_subnet_network_security_group_association" "cluster" {
  for_each                  = local.clusters
  subnet_id                 = azurerm_subnet.cluster[each.key].id
  network_security_group_id = azurerm_network_security_group.cluster[each.key].id
}
