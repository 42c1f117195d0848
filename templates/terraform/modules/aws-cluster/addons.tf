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
  # Custom networking: pods take addresses in the pod subnets, never on the node's primary
  # interface; the add-on makes one ENIConfig per zone, named after it, with the cluster
  # security group, before any node exists (eniConfig: aws/amazon-vpc-cni-k8s#3059, chart
  # aws-vpc-cni templates/eniconfig.yaml).
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

# The pod subnets and their zones' names (VPC CNI only).
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
