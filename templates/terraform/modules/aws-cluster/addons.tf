# EKS add-ons, each at the version the plan pins (an unrelated apply never upgrades one).
# Where the plan has none for this Kubernetes minor, EKS's default version for it.
data "aws_eks_addon_version" "default" {
  for_each = toset([for addon, version in var.addon_versions : addon if version == ""])

  addon_name         = each.key
  kubernetes_version = var.kubernetes_version
  most_recent        = false
}

locals {
  addon_versions = merge(var.addon_versions, {
    for addon, found in data.aws_eks_addon_version.default : addon => found.version
  })

  # The VPC CNI and kube-proxy make nodes Ready: before the node groups. CoreDNS and the
  # EBS CSI driver run on nodes: after them.
  network_addons = ["vpc-cni", "kube-proxy"]
  before_nodes   = { for addon, version in local.addon_versions : addon => version if contains(local.network_addons, addon) }
  after_nodes    = { for addon, version in local.addon_versions : addon => version if !contains(local.network_addons, addon) }

  addon_roles = {
    "vpc-cni"            = "vpc-cni"
    "aws-ebs-csi-driver" = "ebs-csi"
  }

  # Network policy enforcement on in the VPC CNI (add-on configuration key enableNetworkPolicy),
  # in strict mode: in the default standard mode a new pod starts with a default-allow policy
  # until all its policies are configured; in strict mode it starts denying everything until
  # they are (aws-node environment variable NETWORK_POLICY_ENFORCING_MODE=strict; EKS user
  # guide, docs.aws.amazon.com/eks/latest/userguide/cni-network-policy-configure.html, step 1
  # "Set up policy enforcement at Pod startup").
  #
  # Custom networking: pods take addresses in the cluster's pod subnets (its secondary VPC
  # range), never on the node's primary network interface, which sits in the routable node
  # subnet. The add-on creates one ENIConfig per zone, named after the zone (eniConfig: the
  # add-on's configuration schema, aws eks describe-addon-configuration --addon-name vpc-cni,
  # as quoted in aws/amazon-vpc-cni-k8s#3059 for v1.18.6-eksbuild.1: create, region and
  # subnets by name, each with id and securityGroups; chart aws-vpc-cni
  # templates/eniconfig.yaml names each ENIConfig after its key), and each node picks the
  # one named after its zone label (ENI_CONFIG_LABEL_DEF). Pod interfaces get the cluster
  # security group, the nodes' own (a managed node group's launch template without security
  # groups gives its nodes the cluster security group), so every rule that admits nodes
  # admits pods. The add-on is configured before any node exists (before_nodes): a node
  # started earlier would keep pods on its primary interface.
  pod_eni_configs = {
    for subnet in data.aws_subnet.pods : subnet.availability_zone => {
      id             = subnet.id
      securityGroups = [aws_eks_cluster.this.vpc_config[0].cluster_security_group_id]
    }
  }
  addon_configuration = {
    "vpc-cni" = jsonencode({
      enableNetworkPolicy = "true"
      env = {
        NETWORK_POLICY_ENFORCING_MODE      = "strict"
        AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG = "true"
        ENI_CONFIG_LABEL_DEF               = "topology.kubernetes.io/zone"
      }
      eniConfig = {
        create  = true
        region  = local.region
        subnets = local.pod_eni_configs
      }
    })
  }
}

# The cluster's pod subnets, by the tag the foundation puts on them and on no other subnet
# (one per zone), with their zone names, which name the ENIConfigs. Only the VPC CNI reads
# them; Cilium finds them by the same tag itself.
data "aws_subnets" "pods" {
  filter {
    name   = "vpc-id"
    values = [data.aws_vpc.this.id]
  }

  tags = {
    "clusterwright.io/pod-subnet" = var.name
  }
}

data "aws_subnet" "pods" {
  for_each = toset(var.cilium ? [] : data.aws_subnets.pods.ids)

  id = each.value
}

resource "aws_eks_addon" "before_nodes" {
  for_each = local.before_nodes

  cluster_name                = aws_eks_cluster.this.name
  addon_name                  = each.key
  addon_version               = each.value
  service_account_role_arn    = contains(keys(local.addon_roles), each.key) ? aws_iam_role.irsa[local.addon_roles[each.key]].arn : null
  configuration_values        = lookup(local.addon_configuration, each.key, null)
  resolve_conflicts_on_create = "OVERWRITE"
  resolve_conflicts_on_update = "OVERWRITE"

  tags = {
    "cluster" = var.name
  }

  depends_on = [aws_iam_role_policy_attachment.irsa]
}

resource "aws_eks_addon" "after_nodes" {
  for_each = { for addon, version in local.after_nodes : addon => version if var.node_groups_enabled }

  cluster_name                = aws_eks_cluster.this.name
  addon_name                  = each.key
  addon_version               = each.value
  service_account_role_arn    = contains(keys(local.addon_roles), each.key) ? aws_iam_role.irsa[local.addon_roles[each.key]].arn : null
  configuration_values        = lookup(local.addon_configuration, each.key, null)
  resolve_conflicts_on_create = "OVERWRITE"
  resolve_conflicts_on_update = "OVERWRITE"

  tags = {
    "cluster" = var.name
  }

  depends_on = [
    aws_eks_node_group.this,
    aws_iam_role_policy_attachment.irsa,
  ]
}
