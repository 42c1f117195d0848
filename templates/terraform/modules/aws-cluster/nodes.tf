locals {
  cilium_taint = { key = "node.cilium.io/agent-not-ready", value = "true", effect = "NO_EXECUTE" }
}

resource "aws_launch_template" "nodes" {
  name                   = "${var.name}-nodes"
  description            = "${var.name}: settings shared by every node group"
  update_default_version = true

  # IMDSv2 only, one hop: pods outside the host network cannot reach the node's credentials.
  metadata_options {
    http_endpoint               = "enabled"
    http_tokens                 = "required"
    http_put_response_hop_limit = 1
  }

  # 100 GiB instead of the AMI's 20 GiB: images and logs of a node's pods.
  block_device_mappings {
    device_name = "/dev/xvda"

    ebs {
      volume_size           = 100
      volume_type           = "gp3"
      encrypted             = true
      delete_on_termination = true
    }
  }

  dynamic "tag_specifications" {
    for_each = toset(["instance", "network-interface", "volume"])

    content {
      resource_type = tag_specifications.value
      tags          = local.tags
    }
  }

  tags = {
    "cluster" = var.name
  }
}

# One managed node group per plan node group, keyed by its plan name: adding a tenant adds
# keys and changes none. The EKS name is the key and a suffix (node_group_name_prefix), so
# a change that replaces a group (instance type, AMI type) creates the new group before
# the old one is destroyed; the tenant's pods move over instead of waiting for nodes.
resource "aws_eks_node_group" "this" {
  for_each = { for name, group in var.node_groups : name => group if var.node_groups_enabled }

  cluster_name           = aws_eks_cluster.this.name
  node_group_name_prefix = "${each.key}-"
  node_role_arn          = aws_iam_role.node.arn
  subnet_ids             = local.subnet_ids
  version                = aws_eks_cluster.this.version
  ami_type               = each.value.ami_type
  capacity_type          = "ON_DEMAND"
  instance_types         = [each.value.instance_type]
  labels                 = { for key, value in { "clusterwright.io/tenant" = each.value.tenant } : key => value if value != null }

  launch_template {
    id      = aws_launch_template.nodes.id
    version = aws_launch_template.nodes.latest_version
  }

  # Fixed size from the plan: resizing is a reviewed blueprint change.
  scaling_config {
    desired_size = each.value.nodes
    max_size     = each.value.nodes
    min_size     = each.value.nodes
  }

  update_config {
    max_unavailable = 1
  }

  # From the plan: the system group's CriticalAddonsOnly, an untrusted tenant's own taint;
  # with Cilium, on every group, the agent-not-ready taint that Cilium removes once it runs
  # on the node (the plan's taint, added here rather than repeated in every stack).
  dynamic "taint" {
    for_each = concat(each.value.taints, [for taint in [local.cilium_taint] : taint if var.cilium])

    content {
      key    = taint.value.key
      value  = taint.value.value
      effect = taint.value.effect
    }
  }

  tags = {
    "cluster" = var.name
    "tenant"  = coalesce(each.value.tenant, "system")
  }

  lifecycle {
    create_before_destroy = true
  }

  depends_on = [
    aws_eks_addon.before_nodes,
    aws_iam_role_policy_attachment.node,
  ]
}
