# The network of one environment, created before any cluster: its VPCs, every cluster's
# subnets, and the egress (NAT gateways and routes) that a runner inside the VPC needs to
# install Cilium and the Helm releases. The cluster stacks find what they need here by Name
# and tags. When the environment is larger than one VPC (at most a /16), every cluster has
# a VPC of its own, carved from the environment's range; they are not peered.
# Pods, and a cluster VPC's public subnets, are in secondary ranges of 100.64.0.0/10, which
# no route outside the VPC reaches (DECISIONS.md, "Address plan").

locals {
  # A VPC named after a cluster is that cluster's own (tag `cluster`; its NAT gateways in
  # that cluster's public subnets); a cluster without one is in the environment's VPC.
  vpcs = {
    for name, v in var.vpcs : name => {
      cidr         = v.cidr
      cluster      = contains(keys(var.clusters), name) ? name : null
      nat_gateways = v.nat_gateways
      nat_cluster  = coalesce(v.nat_cluster, name)
    }
  }
  cluster_vpcs = { for name, c in var.clusters : name => contains(keys(var.vpcs), name) ? name : var.name }

  # Per cluster: its subnets' tags.
  cluster_tags = {
    for name, c in var.clusters : name => {
      "cluster"                       = name
      "kubernetes.io/cluster/${name}" = "owned"
    }
  }

  private_subnets = merge([
    for cluster, c in var.clusters : {
      for zone, cidr in c.private : "${cluster}/${zone}" => { cluster = cluster, vpc = local.cluster_vpcs[cluster], zone = zone, cidr = cidr }
    }
  ]...)
  public_subnets = merge([
    for cluster, c in var.clusters : {
      for zone, cidr in c.public : "${cluster}/${zone}" => { cluster = cluster, vpc = local.cluster_vpcs[cluster], zone = zone, cidr = cidr }
    }
  ]...)
  # Pod subnet i is quarter i of the cluster's pod range.
  pod_subnets = merge([
    for cluster, c in var.clusters : {
      for zone in range(length(var.zone_ids)) : "${cluster}/${zone}" => { cluster = cluster, vpc = local.cluster_vpcs[cluster], zone = zone, cidr = cidrsubnet(c.pods, 2, zone) }
    }
  ]...)

  # The VPCs' secondary ranges: pod ranges, and a cluster VPC's public range.
  secondary_cidrs = merge([
    for cluster, c in var.clusters : { for cidr in compact([c.pods, c.public_range]) : "${local.cluster_vpcs[cluster]}/${cidr}" => { vpc = local.cluster_vpcs[cluster], cidr = cidr } }
  ]...)

  # NAT gateway i of a VPC is in zone i, in the public subnet of the VPC's NAT cluster.
  nat_gateways = merge([
    for vpc, v in local.vpcs : {
      for zone in range(v.nat_gateways) : "${vpc}/${zone}" => { vpc = vpc, zone = zone, subnet = "${v.nat_cluster}/${zone}" }
    }
  ]...)

  # One private route table per VPC and zone, to the zone's NAT gateway, or to the VPC's
  # one NAT gateway outside production.
  private_route_tables = merge([
    for vpc, v in local.vpcs : {
      for zone in range(length(var.zone_ids)) : "${vpc}/${zone}" => { vpc = vpc, zone = zone, nat = "${vpc}/${min(zone, v.nat_gateways - 1)}" }
    }
  ]...)
}

resource "aws_vpc" "this" {
  for_each = local.vpcs

  cidr_block           = each.value.cidr
  enable_dns_hostnames = true
  enable_dns_support   = true

  tags = { for key, value in { "Name" = each.key, "cluster" = each.value.cluster } : key => value if value != null }
}

resource "aws_internet_gateway" "this" {
  for_each = aws_vpc.this

  vpc_id = each.value.id

  tags = {
    "Name" = each.key
  }
}

# No rules: the default security group admits and sends nothing.
resource "aws_default_security_group" "this" {
  for_each = local.vpcs

  vpc_id = aws_vpc.this[each.key].id
}

# With nitro: the default fields and `encryption-status`, which records whether each flow
# was encrypted on the wire (Nitro, application TLS, both, or neither).
resource "aws_flow_log" "this" {
  for_each = local.vpcs

  vpc_id                   = aws_vpc.this[each.key].id
  traffic_type             = "ALL"
  log_destination_type     = "cloud-watch-logs"
  log_destination          = aws_cloudwatch_log_group.flow_logs.arn
  iam_role_arn             = aws_iam_role.flow_logs.arn
  max_aggregation_interval = 60
  log_format               = var.nitro ? "$${version} $${account-id} $${interface-id} $${srcaddr} $${dstaddr} $${srcport} $${dstport} $${protocol} $${packets} $${bytes} $${start} $${end} $${action} $${log-status} $${encryption-status}" : null
}

# policy.encryption = cloud-hardware: VPC Encryption Controls report every flow that is not
# encrypted (flow-log field encryption-status). Monitor, not enforce: enforcing needs
# exclusions for the internet and NAT gateways, and whether EKS's own network interfaces
# pass it is not established.
resource "aws_vpc_encryption_control" "this" {
  for_each = { for name, vpc in aws_vpc.this : name => vpc if var.nitro }

  vpc_id = each.value.id
  mode   = "monitor"
}

resource "aws_subnet" "private" {
  for_each = local.private_subnets

  vpc_id                  = aws_vpc.this[each.value.vpc].id
  availability_zone_id    = var.zone_ids[each.value.zone]
  cidr_block              = each.value.cidr
  map_public_ip_on_launch = false

  tags = merge(local.cluster_tags[each.value.cluster], {
    "Name"                            = "${each.value.cluster}-private-${each.value.zone}"
    "kubernetes.io/role/internal-elb" = "1"
  })
}

resource "aws_vpc_ipv4_cidr_block_association" "this" {
  for_each = local.secondary_cidrs

  vpc_id     = aws_vpc.this[each.value.vpc].id
  cidr_block = each.value.cidr
}

resource "aws_subnet" "pods" {
  for_each = local.pod_subnets

  vpc_id                  = aws_vpc.this[each.value.vpc].id
  availability_zone_id    = var.zone_ids[each.value.zone]
  cidr_block              = each.value.cidr
  map_public_ip_on_launch = false

  # Pod ENIs go only into subnets with this tag (Cilium, its operator's IAM, the VPC CNI).
  tags = merge(local.cluster_tags[each.value.cluster], {
    "Name"                        = "${each.value.cluster}-pods-${each.value.zone}"
    "clusterwright.io/pod-subnet" = each.value.cluster
  })

  depends_on = [aws_vpc_ipv4_cidr_block_association.this]
}

resource "aws_subnet" "public" {
  for_each = local.public_subnets

  vpc_id                  = aws_vpc.this[each.value.vpc].id
  availability_zone_id    = var.zone_ids[each.value.zone]
  cidr_block              = each.value.cidr
  map_public_ip_on_launch = false

  tags = merge(local.cluster_tags[each.value.cluster], {
    "Name"                   = "${each.value.cluster}-public-${each.value.zone}"
    "kubernetes.io/role/elb" = "1"
  })

  depends_on = [aws_vpc_ipv4_cidr_block_association.this]
}

resource "aws_eip" "nat" {
  for_each = local.nat_gateways

  domain = "vpc"

  tags = {
    "Name" = "${each.value.vpc}-nat-${each.value.zone}"
  }

  depends_on = [aws_internet_gateway.this]
}

resource "aws_nat_gateway" "this" {
  for_each = local.nat_gateways

  allocation_id = aws_eip.nat[each.key].id
  subnet_id     = aws_subnet.public[each.value.subnet].id

  tags = {
    "Name" = "${each.value.vpc}-nat-${each.value.zone}"
  }

  depends_on = [aws_internet_gateway.this]
}

resource "aws_route_table" "public" {
  for_each = aws_vpc.this

  vpc_id = each.value.id

  tags = {
    "Name" = "${each.key}-public"
  }
}

resource "aws_route" "public_default" {
  for_each = aws_route_table.public

  route_table_id         = each.value.id
  destination_cidr_block = "0.0.0.0/0"
  gateway_id             = aws_internet_gateway.this[each.key].id
}

resource "aws_route_table_association" "public" {
  for_each = local.public_subnets

  subnet_id      = aws_subnet.public[each.key].id
  route_table_id = aws_route_table.public[each.value.vpc].id
}

resource "aws_route_table" "private" {
  for_each = local.private_route_tables

  vpc_id = aws_vpc.this[each.value.vpc].id

  tags = {
    "Name" = "${each.value.vpc}-private-${each.value.zone}"
  }
}

resource "aws_route" "private_default" {
  for_each = local.private_route_tables

  route_table_id         = aws_route_table.private[each.key].id
  destination_cidr_block = "0.0.0.0/0"
  nat_gateway_id         = aws_nat_gateway.this[each.value.nat].id
}

resource "aws_route_table_association" "private" {
  for_each = local.private_subnets

  subnet_id      = aws_subnet.private[each.key].id
  route_table_id = aws_route_table.private["${each.value.vpc}/${each.value.zone}"].id
}

# Pod subnets route like node subnets: to the zone's NAT gateway.
resource "aws_route_table_association" "pods" {
  for_each = local.pod_subnets

  subnet_id      = aws_subnet.pods[each.key].id
  route_table_id = aws_route_table.private["${each.value.vpc}/${each.value.zone}"].id
}
