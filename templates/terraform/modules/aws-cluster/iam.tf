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
# concepts/ipam/eni.rst, "Required Privileges"); writes only on this account and region.
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

  statement {
    sid = "ManageNetworkInterfaces"
    actions = [
      "ec2:AssignPrivateIpAddresses",
      "ec2:AttachNetworkInterface",
      "ec2:CreateNetworkInterface",
      "ec2:DeleteNetworkInterface",
      "ec2:ModifyNetworkInterfaceAttribute",
    ]
    resources = [
      "arn:${local.partition}:ec2:${local.region}:${local.account_id}:instance/*",
      "arn:${local.partition}:ec2:${local.region}:${local.account_id}:network-interface/*",
      "arn:${local.partition}:ec2:${local.region}:${local.account_id}:security-group/*",
      "arn:${local.partition}:ec2:${local.region}:${local.account_id}:subnet/*",
    ]
  }

  statement {
    sid       = "TagNetworkInterfaces"
    actions   = ["ec2:CreateTags"]
    resources = ["arn:${local.partition}:ec2:${local.region}:${local.account_id}:network-interface/*"]
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
