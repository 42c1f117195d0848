variable "project" {
  description = "The environment's project: the cluster, its node service account and the IAM binding of that account live in it."
  type        = string
}

variable "region" {
  description = "The region of the regional cluster; its node pools spread over the region's zones."
  type        = string
}

variable "name" {
  description = "The cluster's name. The foundation named the cluster's subnetwork and secrets key after it."
  type        = string
}

variable "production" {
  description = "Whether the environment is production: deletion protection on."
  type        = bool
}

variable "kubernetes_version" {
  description = "Kubernetes minor version, the control plane's minimum."
  type        = string
}

variable "release_channel" {
  description = "GKE release channel: REGULAR outside production, STABLE in production (non-production receives upgrades first)."
  type        = string
}

variable "foundation" {
  description = "The environment's resource name: its foundation's VPC network and Cloud KMS key ring, which holds the cluster's secrets key `<name>-secrets`."
  type        = string
}

variable "node_service_account" {
  description = "Account id of the nodes' service account (6-30 characters)."
  type        = string
}

variable "control_plane_cidr" {
  description = "The control plane's private /28, outside the node, pod and service ranges."
  type        = string
}

variable "max_pods_per_node" {
  description = "Maximum pods per node; sizes each node's slice of the pod range."
  type        = number
}

variable "cilium" {
  description = "Cilium, installed with Helm, is the CNI: GKE's legacy datapath with Calico off. Otherwise Dataplane V2."
  type        = bool
}

variable "inter_node_encryption" {
  description = "GKE inter-node transparent encryption (WireGuard inside Dataplane V2), policy cloud-hardware."
  type        = bool
  default     = false
}

variable "gateway_api" {
  description = "GKE manages the Gateway API CRDs (standard channel); Linkerd needs them."
  type        = bool
  default     = false
}

variable "webhook_ports" {
  description = "Ports on the nodes the private control plane must reach for the mesh's admission webhooks (GKE opens only 443 and 10250). Empty without a mesh."
  type        = list(number)
  default     = []
}

variable "maintenance" {
  description = "The environment's weekly maintenance window: RFC 3339 start and end of one occurrence (UTC) and an RFC 5545 recurrence (FREQ=WEEKLY;BYDAY=...)."
  type = object({
    start_time = string
    end_time   = string
    recurrence = string
  })
}

variable "private_endpoint" {
  description = "true (access.endpoint private): the control plane's IP endpoint has no public address; the IAM-gated DNS endpoint is the way in. false (allowlist): the public IP endpoint admits only authorized_networks."
  type        = bool
  default     = true
}

variable "authorized_networks" {
  description = "CIDR ranges (access.from) that may reach the control plane's IP endpoints. GKE always admits the cluster's node range."
  type        = list(string)
  default     = []
}

variable "node_groups" {
  description = "The node pools, keyed by the plan's node group name (system, <tenant>-<n>); taints are the group's own (Cilium's is added here). initial_nodes is per zone (GKE's initial_node_count); a pool of fewer nodes than zones uses only as many zones as it has nodes."
  type = map(object({
    tenant        = optional(string)
    machine_type  = string
    nodes         = number
    initial_nodes = number
    taints = optional(list(object({
      key    = string
      value  = string
      effect = string
    })), [])
  }))
}
