# The inputs of one environment's foundation. Every value comes from clusterwright's plan;
# the foundation stack passes them and nothing else. The names of what this module creates
# derive from the environment's, the VPCs' and the clusters' names, as the plan names them
# (clusterwright checks that before it writes the call): the cluster stacks look them up by
# those names and tags.

variable "name" {
  description = "The name of the environment's resources (`<platform>-<environment>`): its VPC, logs key, flow-log group and role."
  type        = string
}

variable "zone_ids" {
  description = "The zones, by zone ID (the same physical zones in every account; zone names differ from account to account). Zone i holds the i-th node subnet and public subnet of every cluster."
  type        = list(string)
}

variable "nitro" {
  description = "policy.encryption = cloud-hardware: VPC encryption controls (monitor) and flow logs that record encryption-status."
  type        = bool
}

variable "vpcs" {
  description = "The VPCs, by Name: the environment's (named var.name), or one per cluster (named after it). NAT gateway i is in zone i, in the public subnet of nat_cluster (default: the VPC's own cluster); nat_gateways is one per zone in production, one outside it."
  type = map(object({
    cidr         = string
    nat_gateways = number
    nat_cluster  = optional(string)
  }))
}

variable "clusters" {
  description = "The clusters, by name: node subnets (nodes, internal load balancers), public subnets (NAT gateways, internet-facing load balancers; public_range: theirs, when secondary) in zone order, and the pod range. A cluster is in the VPC named after it, or else in the environment's."
  type = map(object({
    private      = list(string)
    public       = list(string)
    pods         = string
    public_range = optional(string)
  }))
}
