variable "name" {
  description = "The cluster's name, also of its identity and data collection rule."
  type        = string
}

variable "network_name" {
  description = "The name of the cluster's subnet (and security group) in the foundation: the cluster's first name, which a rename by --repack keeps; null: the cluster's name."
  type        = string
  default     = null
}

variable "foundation" {
  description = "The environment's resource name, which its foundation gives the resource group (where the cluster and its identity are created), the virtual network (which holds the cluster's subnet), the disk encryption set (customer-managed key of every node disk) and the Log Analytics workspace (control-plane logs and Container Insights)."
  type        = string
}

variable "key_vault_name" {
  description = "The environment's Key Vault (foundation), which holds the cluster's secrets key `<name>-secrets` (KMS encryption of its Kubernetes Secrets in etcd)."
  type        = string
}

variable "kubernetes_version" {
  description = "Kubernetes minor version of the control plane and every pool."
  type        = string
}

variable "production" {
  description = "Production: the cluster gets a CanNotDelete management lock."
  type        = bool
}

variable "tenant_id" {
  description = "The Entra ID directory (tenant) the cluster's Azure RBAC trusts; null: the directory of the identity that applies."
  type        = string
  default     = null
}

variable "admins" {
  description = "Object ids of the Entra groups made Kubernetes cluster admins (Azure Kubernetes Service RBAC Cluster Admin at cluster scope). Empty: the identity that applies."
  type        = list(string)
  default     = []
}

variable "endpoint" {
  description = "private: a private API server, reached with `az aks command invoke`; allowlist: a public API server open to authorized_ip_ranges only."
  type        = string

  validation {
    condition     = contains(["private", "allowlist"], var.endpoint)
    error_message = "endpoint is private or allowlist."
  }
}

variable "authorized_ip_ranges" {
  description = "CIDR ranges allowed to reach a public (allowlist) API server; ignored when private."
  type        = list(string)
  default     = []
}

variable "maintenance" {
  description = "Weekly window (UTC) in which AKS upgrades the control plane and node images: day of week, start hour, length in hours (at least 4)."
  type = object({
    day_of_week = string
    start_hour  = number
    hours       = number
  })
}

variable "zones" {
  description = "Availability zones every pool spreads over."
  type        = list(string)
}

variable "max_pods" {
  description = "Pods per node."
  type        = number
}

variable "network" {
  description = "Network profile: plugin (none under a Helm-installed Cilium, else azure), Azure CNI's overlay settings (null under Cilium), service range and DNS address."
  type = object({
    plugin         = string
    plugin_mode    = optional(string)
    data_plane     = optional(string)
    policy         = optional(string)
    pod_cidr       = optional(string)
    service_cidr   = string
    dns_service_ip = string
  })
}

variable "system_pool" {
  description = "The system pool (AKS default node pool): name (`<name>tmp` while AKS rotates it), VM size, nodes."
  type = object({
    name           = string
    vm_size        = string
    nodes          = number
  })
}

variable "node_groups" {
  description = "Tenant node pools by the plan's node group name (<tenant>-<n>): AKS pool name, tenant, VM size, nodes, taints (key=value:Effect)."
  type = map(object({
    pool    = string
    tenant  = string
    vm_size = string
    nodes   = number
    taints  = list(string)
  }))
}

variable "tags" {
  description = "Tags of every resource; the module adds `cluster`."
  type        = map(string)
}
