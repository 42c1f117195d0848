# IAM roles for service accounts (IRSA): the EBS CSI driver's controller, and the CNI's
# component that calls the EC2 API (cilium-operator with Cilium, aws-node with the VPC
# CNI). Neither gets its permissions from the node role.
locals {
  # Role name suffix => the service account in kube-system that assumes it: the EBS CSI
  # driver's, and the CNI's (filters, not conditionals between two object types, which
  # Terraform cannot unify).
  irsa = {
    for role, account in {
      "ebs-csi"         = "ebs-csi-controller-sa"
      "cilium-operator" = "cilium-operator"
      "vpc-cni"         = "aws-node"
    } : role => account if !contains(var.cilium ? ["vpc-cni"] : ["cilium-operator"], role)
  }

  # AWS managed policies of those roles.
  irsa_managed = {
    for role, policy in {
      "ebs-csi" = "service-role/AmazonEBSCSIDriverPolicy"
      "vpc-cni" = "AmazonEKS_CNI_Policy"
    } : role => policy if contains(keys(local.irsa), role)
  }
}

resource "aws_iam_role" "irsa" {
  for_each = local.irsa

  name               = "${var.name}-${each.key}"
  assume_role_policy = data.aws_iam_policy_document.irsa_assume[each.key].json

  tags = {
    "cluster" = var.name
  }
}

data "aws_iam_policy_document" "irsa_assume" {
  for_each = local.irsa

  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]

    principals {
      type        = "Federated"
      identifiers = [aws_iam_openid_connect_provider.this.arn]
    }

    condition {
      test     = "StringEquals"
      variable = "${local.oidc}:sub"
      values   = ["system:serviceaccount:kube-system:${each.value}"]
    }

    condition {
      test     = "StringEquals"
      variable = "${local.oidc}:aud"
      values   = ["sts.amazonaws.com"]
    }
  }
}

# The EBS CSI driver needs no KMS permission: the volumes it creates are encrypted with
# the account's AWS managed key aws/ebs, which the managed policy covers; a customer key
# would need a grant here.
resource "aws_iam_role_policy_attachment" "irsa" {
  for_each = local.irsa_managed

  role       = aws_iam_role.irsa[each.key].name
  policy_arn = "arn:${local.partition}:iam::aws:policy/${each.value}"
}

# cilium-operator (ENI IPAM) is the only component that calls the EC2 API; Helm value
# eni.iamRole = this role's ARN (output cilium_operator_role_arn).
resource "aws_iam_role_policy" "cilium_operator" {
  count = var.cilium ? 1 : 0

  name   = "cilium-eni-ipam"
  role   = aws_iam_role.irsa["cilium-operator"].id
  policy = data.aws_iam_policy_document.cilium_operator.json
}

# The EC2 privileges Cilium's ENI IPAM documents (cilium/cilium Documentation/network/
# concepts/ipam/eni.rst, "Required Privileges"). Reads are account-wide (Describe* has no
# resource-level permissions). Every write is held to this cluster's own objects, because an
# account and region may hold other clusters, other organisations' among them:
# - an ENI or instance only when it carries the tag cluster = <this cluster>: the launch
#   template tags the node's instance and primary ENI so (nodes.tf), and cilium-operator tags
#   every ENI it creates so (Helm value eni.eniTags, which cilium/cilium pkg/aws/ec2/ec2.go
#   CreateNetworkInterface sends as the request's TagSpecifications);
# - CreateNetworkInterface only with that tag in the request (aws:RequestTag), only in a
#   subnet tagged as this cluster's pod subnet (as the Helm value eni.nodeSpec.subnetTags) and
#   only with security groups of this cluster's VPC (ec2:Vpc);
# - CreateTags only as part of that CreateNetworkInterface (ec2:CreateAction).
# Condition keys: docs.aws.amazon.com/service-authorization/latest/reference/
# list_amazonec2.html (ec2:ResourceTag/${TagKey}, aws:RequestTag/${TagKey}, ec2:Vpc,
# ec2:CreateAction) and docs.aws.amazon.com/AWSEC2/latest/UserGuide/
# supported-iam-actions-tagging.html (tag on create needs ec2:CreateTags).
data "aws_iam_policy_document" "cilium_operator" {
  statement {
    sid = "Read"
    actions = [
      "ec2:DescribeInstanceTypes",
      "ec2:DescribeManagedPrefixLists",
      "ec2:DescribeNetworkInterfaces",
      "ec2:DescribeRouteTables",
      "ec2:DescribeSecurityGroups",
      "ec2:DescribeSubnets",
      "ec2:DescribeTags",
      "ec2:DescribeVpcs",
    ]
    resources = ["*"]
  }

  # Prefix lists of this account and AWS-managed ones (owner "aws"): any owner.
  statement {
    sid       = "ReadPrefixLists"
    actions   = ["ec2:GetManagedPrefixListEntries"]
    resources = ["arn:${local.partition}:ec2:${local.region}:*:prefix-list/*"]
  }

  # The cluster's own ENIs and instances: address assignment, attachment, the attachment's
  # delete-on-termination flag, deletion.
  statement {
    sid = "ManageOwnNetworkInterfaces"
    actions = [
      "ec2:AssignPrivateIpAddresses",
      "ec2:AttachNetworkInterface",
      "ec2:DeleteNetworkInterface",
      "ec2:ModifyNetworkInterfaceAttribute",
    ]
    resources = [
      "arn:${local.partition}:ec2:${local.region}:${local.account_id}:instance/*",
      "arn:${local.partition}:ec2:${local.region}:${local.account_id}:network-interface/*",
    ]

    condition {
      test     = "StringEquals"
      variable = "ec2:ResourceTag/cluster"
      values   = [var.name]
    }
  }

  # A new ENI: created with the cluster's tag ...
  statement {
    sid       = "CreateOwnNetworkInterfaces"
    actions   = ["ec2:CreateNetworkInterface"]
    resources = ["arn:${local.partition}:ec2:${local.region}:${local.account_id}:network-interface/*"]

    condition {
      test     = "StringEquals"
      variable = "aws:RequestTag/cluster"
      values   = [var.name]
    }
  }

  # ... in one of the cluster's pod subnets ...
  statement {
    sid       = "CreateInOwnSubnets"
    actions   = ["ec2:CreateNetworkInterface"]
    resources = ["arn:${local.partition}:ec2:${local.region}:${local.account_id}:subnet/*"]

    # The tag the foundation stack puts on the cluster's pod subnets, and on no other
    # (clusterwright's POD_SUBNET_TAG, valued with the cluster's name).
    condition {
      test     = "StringEquals"
      variable = "ec2:ResourceTag/clusterwright.io/pod-subnet"
      values   = [var.name]
    }
  }

  # ... with security groups of the cluster's VPC (the node's own, which Cilium copies from
  # the primary ENI when eni.nodeSpec.securityGroups is unset).
  statement {
    sid       = "CreateWithVpcSecurityGroups"
    actions   = ["ec2:CreateNetworkInterface"]
    resources = ["arn:${local.partition}:ec2:${local.region}:${local.account_id}:security-group/*"]

    condition {
      test     = "ArnEquals"
      variable = "ec2:Vpc"
      values   = [data.aws_vpc.this.arn]
    }
  }

  # Tags only on the ENI being created, never on an existing one.
  statement {
    sid       = "TagOnCreate"
    actions   = ["ec2:CreateTags"]
    resources = ["arn:${local.partition}:ec2:${local.region}:${local.account_id}:network-interface/*"]

    condition {
      test     = "StringEquals"
      variable = "ec2:CreateAction"
      values   = ["CreateNetworkInterface"]
    }
  }
}

resource "aws_iam_role" "node" {
  name               = "${var.name}-node"
  assume_role_policy = data.aws_iam_policy_document.node_assume.json

  tags = {
    "cluster" = var.name
  }
}

data "aws_iam_policy_document" "node_assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["ec2.amazonaws.com"]
    }
  }
}

# AmazonSSMManagedInstanceCore: Session Manager reaches a node without SSH or a bastion.
resource "aws_iam_role_policy_attachment" "node" {
  for_each = toset([
    "AmazonEC2ContainerRegistryReadOnly",
    "AmazonEKSWorkerNodePolicy",
    "AmazonSSMManagedInstanceCore",
  ])

  role       = aws_iam_role.node.name
  policy_arn = "arn:${local.partition}:iam::aws:policy/${each.key}"
}
