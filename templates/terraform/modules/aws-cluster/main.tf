# One EKS cluster in the VPC of its environment's foundation stack: the control plane with
# its key, log group and roles, admin access, node groups and EKS add-ons.
#
# First apply and Cilium. A cluster whose CNI is Cilium gets no network add-on from EKS
# (bootstrap_self_managed_addons = false): its nodes stay NotReady, carrying Cilium's
# agent-not-ready taint, until the Cilium Helm release runs. Whether a managed node group
# reaches ACTIVE with NotReady nodes is not established (clusterwright's FACTS.md, item
# "EKS cluster with bootstrap_self_managed_addons=false": eksctl users report that node
# group creation blocks without a CNI; EKS reports unhealthy nodes as the node group health
# issue NodeCreationFailure, docs.aws.amazon.com/eks/latest/APIReference/API_Issue.html).
# So the first apply of such a cluster creates no node group: the stack runs once with
# node_groups_enabled = false (control plane, access entries, IAM roles including
# cilium-operator's), then Cilium is installed with Helm, then the stack runs with
# node_groups_enabled = true (the default): node groups, then CoreDNS and the EBS CSI
# driver. Each step is one plain `terraform apply` of the whole stack. A cluster with the
# VPC CNI needs one apply: its network add-ons are created before the node groups.
#
# Maintenance: EKS has no maintenance window. The control plane changes version only when
# kubernetes_version changes here; upgrade_policy decides what happens when that version
# leaves standard support (STANDARD: EKS upgrades the cluster then, instead of moving it
# into paid extended support). Node groups roll when their launch template or version
# changes, one node at a time (update_config).

data "aws_partition" "current" {}

data "aws_region" "current" {}

data "aws_caller_identity" "current" {}

# The principal behind the caller: for an assumed-role session, the role's ARN
# (hashicorp/terraform-provider-aws website/docs/d/iam_session_context.html.markdown:
# issuer_arn is the IAM source role ARN when arn is an STS assumed role, otherwise arn).
# For a role with a path it calls iam:GetRole (hashicorp/terraform-provider-aws#19957).
data "aws_iam_session_context" "current" {
  arn = data.aws_caller_identity.current.arn
}

data "aws_default_tags" "current" {}

# The foundation's objects, by the names and tags the plan gives them.
data "aws_vpc" "this" {
  tags = {
    "Name" = var.vpc_name
  }
}

data "aws_subnets" "private" {
  filter {
    name   = "vpc-id"
    values = [data.aws_vpc.this.id]
  }

  tags = {
    "kubernetes.io/cluster/${var.name}" = "owned"
    "kubernetes.io/role/internal-elb"   = "1"
  }
}

data "aws_kms_alias" "logs" {
  name = var.logs_key_alias
}

locals {
  partition  = data.aws_partition.current.partition
  region     = data.aws_region.current.region
  account_id = data.aws_caller_identity.current.account_id
  subnet_ids = sort(data.aws_subnets.private.ids)
  oidc       = replace(aws_iam_openid_connect_provider.this.url, "https://", "")

  # Cluster-admin: the plan's admins, or else whoever applies this stack.
  admins = length(var.admins) > 0 ? var.admins : [data.aws_iam_session_context.current.issuer_arn]

  # The environment's tags (the provider's default_tags) and the cluster's name, for what
  # default_tags does not reach (instances, volumes and interfaces of the launch template).
  tags = merge(data.aws_default_tags.current.tags, {
    "cluster" = var.name
  })
}

resource "aws_kms_key" "secrets" {
  description             = "${var.name}: envelope encryption of Kubernetes secrets"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  policy                  = data.aws_iam_policy_document.kms_account.json

  tags = {
    "cluster" = var.name
  }
}

# Key policy: the account administers the key through IAM (the AWS default key policy,
# written out). Services get access through IAM policies.
data "aws_iam_policy_document" "kms_account" {
  #checkov:skip=CKV_AWS_109:key policy, not an IAM policy: "*" is the key itself; the root principal delegates to IAM (AWS default key policy)
  #checkov:skip=CKV_AWS_111:key policy, not an IAM policy: "*" is the key itself; the root principal delegates to IAM (AWS default key policy)
  #checkov:skip=CKV_AWS_356:key policy, not an IAM policy: "*" is the key itself; the root principal delegates to IAM (AWS default key policy)

  statement {
    sid       = "AccountAdministration"
    actions   = ["kms:*"]
    resources = ["*"]

    principals {
      type        = "AWS"
      identifiers = ["arn:${local.partition}:iam::${local.account_id}:root"]
    }
  }
}

# Created before the cluster, so that EKS does not create it without retention or key.
resource "aws_cloudwatch_log_group" "this" {
  name              = "/aws/eks/${var.name}/cluster"
  retention_in_days = 365
  kms_key_id        = data.aws_kms_alias.logs.target_key_arn

  tags = {
    "cluster" = var.name
  }
}

resource "aws_iam_role" "cluster" {
  name               = "${var.name}-cluster"
  assume_role_policy = data.aws_iam_policy_document.eks_assume.json

  tags = {
    "cluster" = var.name
  }
}

data "aws_iam_policy_document" "eks_assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["eks.amazonaws.com"]
    }
  }
}

resource "aws_iam_role_policy_attachment" "cluster" {
  role       = aws_iam_role.cluster.name
  policy_arn = "arn:${local.partition}:iam::aws:policy/AmazonEKSClusterPolicy"
}

resource "aws_iam_role_policy" "cluster_secrets" {
  name   = "secrets-encryption"
  role   = aws_iam_role.cluster.id
  policy = data.aws_iam_policy_document.cluster_secrets.json
}

data "aws_iam_policy_document" "cluster_secrets" {
  statement {
    actions = [
      "kms:Decrypt",
      "kms:DescribeKey",
      "kms:Encrypt",
      "kms:ListGrants",
    ]
    resources = [aws_kms_key.secrets.arn]
  }
}

resource "aws_eks_cluster" "this" {
  name                          = var.name
  role_arn                      = aws_iam_role.cluster.arn
  version                       = var.kubernetes_version
  bootstrap_self_managed_addons = false
  deletion_protection           = var.production
  enabled_cluster_log_types = [
    "api",
    "audit",
    "authenticator",
    "controllerManager",
    "scheduler",
  ]

  # No aws-auth ConfigMap; admins are access entries (below), the creator is not one.
  access_config {
    authentication_mode                         = "API"
    bootstrap_cluster_creator_admin_permissions = false
  }

  encryption_config {
    resources = ["secrets"]

    provider {
      key_arn = aws_kms_key.secrets.arn
    }
  }

  kubernetes_network_config {
    ip_family         = "ipv4"
    service_ipv4_cidr = var.service_cidr
  }

  # Standard support only, explicitly: a version that leaves standard support is upgraded
  # instead of moving into paid extended support. This, not a window, is what EKS offers
  # for maintenance (see the top of this file).
  upgrade_policy {
    support_type = "STANDARD"
  }

  # Private access always (nodes, and runners inside the VPC: the rule below). Public
  # access only for access.endpoint = allowlist, and then only from access.from.
  vpc_config {
    subnet_ids              = local.subnet_ids
    endpoint_private_access = true
    endpoint_public_access  = length(var.public_access_cidrs) > 0
    public_access_cidrs     = length(var.public_access_cidrs) > 0 ? var.public_access_cidrs : null
  }

  tags = {
    "cluster" = var.name
  }

  depends_on = [
    aws_cloudwatch_log_group.this,
    aws_iam_role_policy.cluster_secrets,
    aws_iam_role_policy_attachment.cluster,
  ]
}

# The security group EKS creates for the cluster admits only itself (its members: the
# control plane's interfaces and the nodes). The API's private endpoint is reached through
# it, so a runner inside the VPC (the day-0 path of a private cluster) needs 443 from the
# VPC's range.
resource "aws_vpc_security_group_ingress_rule" "api_from_vpc" {
  security_group_id = aws_eks_cluster.this.vpc_config[0].cluster_security_group_id
  description       = "Kubernetes API from inside the VPC of ${var.name}"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = data.aws_vpc.this.cidr_block

  tags = {
    "cluster" = var.name
  }
}

# Cluster-admin, one access entry per admin (the API authentication mode has no aws-auth
# ConfigMap).
resource "aws_eks_access_entry" "admin" {
  for_each = toset(local.admins)

  cluster_name  = aws_eks_cluster.this.name
  principal_arn = each.key
  type          = "STANDARD"

  tags = {
    "cluster" = var.name
  }
}

resource "aws_eks_access_policy_association" "admin" {
  for_each = aws_eks_access_entry.admin

  cluster_name  = aws_eks_cluster.this.name
  principal_arn = each.value.principal_arn
  policy_arn    = "arn:${local.partition}:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"

  access_scope {
    type = "cluster"
  }
}

# Workload identity: IAM roles for service accounts (IRSA) trust this provider.
resource "aws_iam_openid_connect_provider" "this" {
  url            = aws_eks_cluster.this.identity[0].oidc[0].issuer
  client_id_list = ["sts.amazonaws.com"]

  tags = {
    "cluster" = var.name
  }
}
