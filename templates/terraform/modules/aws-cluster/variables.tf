# The inputs of one EKS cluster. Every value comes from clusterwright's plan; the cluster
# stack passes them and nothing else. The foundation objects (VPC, subnets, logs key) are
# looked up by the names and tags the plan gives them, never passed as ids.

variable "name" {
  description = "The cluster's name. The names of its IAM roles, launch template and log group derive from it, as the plan names them."
  type        = string
}

variable "kubernetes_version" {
  description = "Kubernetes minor version of the control plane and the node groups."
  type        = string
}

variable "production" {
  description = "Whether the cluster is in a production environment (deletion protection)."
  type        = bool
}

variable "vpc_name" {
  description = "The Name tag of the VPC the cluster lives in (created by the environment's foundation stack)."
  type        = string
}

variable "service_cidr" {
  description = "The cluster's Kubernetes service range."
  type        = string
}

variable "logs_key_alias" {
  description = "Alias of the environment's CloudWatch Logs KMS key (created by the foundation stack), which encrypts the control-plane log group."
  type        = string
}

variable "cilium" {
  description = "Cilium (installed with Helm) is the CNI: no VPC CNI or kube-proxy add-on, an IRSA role for cilium-operator's ENI IPAM, and Cilium's agent-not-ready taint on every node group."
  type        = bool
}

variable "admins" {
  description = "IAM principal ARNs given cluster-admin (EKS access entries). Empty: the principal that applies this stack is the one admin."
  type        = list(string)
}

variable "public_access_cidrs" {
  description = "Ranges that reach the public API endpoint (blueprint access.endpoint allowlist). Empty: the endpoint is private, reachable from inside the VPC only."
  type        = list(string)
}

variable "addon_versions" {
  description = "The version of each EKS add-on of the cluster, by add-on name, pinned by the plan. An empty string: EKS's default version for the Kubernetes minor (most_recent = false)."
  type        = map(string)
}

# ami_type: an optional attribute with a default, filled in when the caller leaves it out
# (developer.hashicorp.com/terraform/language/expressions/type-constraints, "Optional Object
# Type Attributes", Terraform 1.3 and later).
variable "node_groups" {
  description = "The managed node groups, by their plan name (the system group and `<tenant>-<n>`): tenant (null for the system group; a tenant's nodes are labelled clusterwright.io/tenant=<tenant>), instance type, AMI type (AL2023_x86_64_STANDARD unless given: Graviton and accelerated types name theirs), fixed number of nodes and taints (without Cilium's, which the module adds)."
  type = map(object({
    tenant        = optional(string)
    instance_type = string
    ami_type      = optional(string, "AL2023_x86_64_STANDARD")
    nodes         = number
    taints = optional(list(object({
      key    = string
      value  = string
      effect = string
    })), [])
  }))
}

variable "node_groups_enabled" {
  description = "Whether the node groups (and the add-ons that run on nodes) exist. false only for the first apply of a Cilium cluster, before Cilium is installed (see main.tf)."
  type        = bool
  default     = true
}
