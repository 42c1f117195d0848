variable "project" {
  description = "The environment's project."
  type        = string
}

variable "region" {
  description = "The environment's region: the subnetworks, the router, its NAT and the key ring."
  type        = string
}

variable "name" {
  description = "The environment's resource name: the VPC network, its router and NAT, and the key ring; the firewall rule that denies the rest of ingress is `<name>-deny-ingress`."
  type        = string
}

variable "admins" {
  description = "access.admins: IAM members made cluster-admin on every cluster of the project."
  type        = list(string)
  default     = []
}

variable "clusters" {
  description = "Per cluster, by name (also its subnetwork's; its secrets key is `<name>-secrets`): node range (primary), pod and service ranges (secondary `pods`, `services`), and `wireguard` or `ipsec` when Cilium encrypts node-to-node traffic."
  type = map(object({
    nodes             = string
    pods              = string
    services          = string
    cilium_encryption = optional(string)
  }))
}
