data "aws_partition" "current" {}

data "aws_region" "current" {}

data "aws_caller_identity" "current" {}

locals {
  # The account and region the stack's provider is pinned to (allowed_account_ids).
  account_id = data.aws_caller_identity.current.account_id
  region     = data.aws_region.current.region
  partition  = data.aws_partition.current.partition
}

# One customer-managed key for the CloudWatch log groups of this environment: VPC flow
# logs and the EKS control-plane logs of every cluster. The cluster stacks find it by its
# alias.
resource "aws_kms_key" "logs" {
  description             = "${var.name}: CloudWatch Logs (VPC flow logs, EKS control-plane logs)"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  policy                  = data.aws_iam_policy_document.logs_key.json
}

resource "aws_kms_alias" "logs" {
  name          = "alias/${var.name}-logs"
  target_key_id = aws_kms_key.logs.key_id
}

# Key policy: the account administers the key through IAM (the AWS default key policy,
# written out), and CloudWatch Logs of this account and region may use it.
data "aws_iam_policy_document" "logs_key" {
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

  statement {
    sid = "CloudWatchLogs"
    actions = [
      "kms:Decrypt*",
      "kms:Describe*",
      "kms:Encrypt*",
      "kms:GenerateDataKey*",
      "kms:ReEncrypt*",
    ]
    resources = ["*"]

    principals {
      type        = "Service"
      identifiers = ["logs.${local.region}.amazonaws.com"]
    }

    condition {
      test     = "ArnLike"
      variable = "kms:EncryptionContext:aws:logs:arn"
      values   = ["arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:*"]
    }
  }
}

resource "aws_cloudwatch_log_group" "flow_logs" {
  name              = "/clusterwright/${var.name}/vpc-flow-logs"
  retention_in_days = 365
  kms_key_id        = aws_kms_key.logs.arn
}

resource "aws_iam_role" "flow_logs" {
  name               = "${var.name}-vpc-flow-logs"
  assume_role_policy = data.aws_iam_policy_document.flow_logs_assume.json
}

data "aws_iam_policy_document" "flow_logs_assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["vpc-flow-logs.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

resource "aws_iam_role_policy" "flow_logs" {
  name   = "deliver-to-cloudwatch-logs"
  role   = aws_iam_role.flow_logs.id
  policy = data.aws_iam_policy_document.flow_logs.json
}

data "aws_iam_policy_document" "flow_logs" {
  statement {
    actions = [
      "logs:CreateLogStream",
      "logs:DescribeLogStreams",
      "logs:PutLogEvents",
    ]
    resources = [
      aws_cloudwatch_log_group.flow_logs.arn,
      "${aws_cloudwatch_log_group.flow_logs.arn}:*",
    ]
  }

  # DescribeLogGroups has no resource type: it takes only "*".
  statement {
    actions   = ["logs:DescribeLogGroups"]
    resources = ["*"]
  }
}
