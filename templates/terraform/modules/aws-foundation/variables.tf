# The inputs of one environment's foundation. Every value comes from clusterwright's plan;
# the foundation stack passes them and nothing else. The names of what this module creates
# derive from the environment's, the VPCs' and the clusters' names, as the plan names them
# (clusterwright checks that before it writes the call): the cluster stacks look them up by
# those names and tags.

variable "name" {
  description = "The name of the environment's resources (`<platform>-<environment>`): the logs key `<name>-logs` (alias `alias/<name>-logs`), the flow-log group `/clusterwright/<name>/vpc-flow-logs` and its delivery role `<name>-vpc-flow-logs`."
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
  description = "The VPCs, by Name: the environment's, or one per cluster (cluster set). NAT gateway i is in zone i, in the public subnet of nat_cluster; nat_gateways is one per zone in production, one outside it. Route tables and NAT gateways are named `<vpc>-public`, `<vpc>-private-<zone>`, `<vpc>-nat-<zone>`."
  type = map(object({
    cidr         = string
    cluster      = optional(string)
    nat_gateways = number
    nat_cluster  = string
  }))
}

variable "clusters" {
  description = "The clusters, by name: their VPC, node subnets (pods take their addresses too) and public subnets (NAT gateways, internet-facing load balancers) in zone order, and whether Cilium is their CNI. Subnets are named `<cluster>-private-<zone>` and `<cluster>-public-<zone>` and tagged `cluster` and `kubernetes.io/cluster/<cluster>` = owned."
  type = map(object({
    vpc     = string
    private = list(string)
    public  = list(string)
    cilium  = bool
  }))
}
