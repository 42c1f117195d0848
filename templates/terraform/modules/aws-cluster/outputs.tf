output "name" {
  description = "The cluster's name."
  value       = aws_eks_cluster.this.name
}

output "arn" {
  description = "The cluster's ARN."
  value       = aws_eks_cluster.this.arn
}

output "endpoint" {
  description = "The API endpoint (private; public too with access.endpoint allowlist)."
  value       = aws_eks_cluster.this.endpoint
}

output "certificate_authority" {
  description = "The cluster CA, base64."
  value       = aws_eks_cluster.this.certificate_authority[0].data
}

output "security_group_id" {
  description = "The security group EKS created for the cluster (control plane and nodes)."
  value       = aws_eks_cluster.this.vpc_config[0].cluster_security_group_id
}

output "oidc_provider_arn" {
  description = "The IAM OIDC provider that IRSA roles trust."
  value       = aws_iam_openid_connect_provider.this.arn
}

output "cilium_operator_role_arn" {
  description = "cilium-operator's IRSA role (Helm value eni.iamRole); null without Cilium."
  value       = var.cilium ? aws_iam_role.irsa["cilium-operator"].arn : null
}

output "ebs_csi_role_arn" {
  description = "The EBS CSI driver controller's IRSA role."
  value       = aws_iam_role.irsa["ebs-csi"].arn
}

output "admins" {
  description = "The principals with cluster-admin (access entries)."
  value       = local.admins
}

output "vpc_id" {
  description = "The VPC the cluster lives in."
  value       = data.aws_vpc.this.id
}

output "private_subnet_ids" {
  description = "The cluster's node subnets."
  value       = local.subnet_ids
}
