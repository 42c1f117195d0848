variable "name" {
  description = "The environment's resource name: resource group, VNet, disk encryption set, Log Analytics workspace; the disk key is `<name>-disks`."
  type        = string
}

variable "location" {
  description = "The environment's region."
  type        = string
}

variable "cidr" {
  description = "The VNet's address space."
  type        = string
}

variable "key_vault_name" {
  description = "The Key Vault's name (globally unique)."
  type        = string
}

variable "tenant_id" {
  description = "The Entra ID directory of the Key Vault; null: the directory of the identity that applies."
  type        = string
  default     = null
}

variable "vnet_encryption" {
  description = "Virtual Network encryption on the VNet (policy.encryption: cloud-hardware)."
  type        = bool
  default     = false
}

variable "tags" {
  description = "Tags of every resource that takes tags; per-cluster resources add `cluster`."
  type        = map(string)
}

variable "clusters" {
  description = "Per cluster, by name (its secrets key is `<name>-secrets`): its node subnet's prefixes, isolation partition, own pod range (Azure CNI Overlay), and the name of its subnet and security group when it is not the cluster's (its first name, after a rename by --repack)."
  type = map(object({
    subnets      = list(string)
    partition    = string
    pods         = optional(list(string), [])
    network_name = optional(string)
  }))
}
