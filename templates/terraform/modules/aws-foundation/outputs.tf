output "vpc_ids" {
  description = "VPC ids, by Name (the environment's, or a cluster's)."
  value       = { for name, vpc in aws_vpc.this : name => vpc.id }
}

output "private_subnet_ids" {
  description = "Node subnet ids per cluster, in zone order."
  value       = { for cluster, c in var.clusters : cluster => [for zone in range(length(c.private)) : aws_subnet.private["${cluster}/${zone}"].id] }
}

output "nat_public_ips" {
  description = "The NAT gateways' addresses: what the clusters' egress comes from."
  value       = { for key, eip in aws_eip.nat : key => eip.public_ip }
}

output "logs_key_arn" {
  description = "The CloudWatch Logs key (the cluster stacks look it up by its alias)."
  value       = aws_kms_key.logs.arn
}

output "availability_zone_ids" {
  description = "The zones of the node and public subnets (zone IDs), in subnet order."
  value       = var.zone_ids
}
