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
  addon_configuration = {
    "vpc-cni" = jsonencode({
      enableNetworkPolicy = "true"
      env = {
        NETWORK_POLICY_ENFORCING_MODE = "strict"
      }
    })
  }
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
